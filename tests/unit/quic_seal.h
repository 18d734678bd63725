/*
 * quic_seal.h — builds protected QUIC Initial packets for tests and the
 * fuzz harness (RFC 9001 5: AEAD over the payload, then header
 * protection), the inverse of what analyze/parse/quic.c reads. The RFC
 * sample packets (quic_vectors.h) check that both sides agree with the
 * specification; this lets tests make the packets the RFCs do not give.
 *
 * Everything is static; include after the headers it names.
 */
#ifndef ATTRIB_TEST_QUIC_SEAL_H
#define ATTRIB_TEST_QUIC_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyze/crypto/cipher.h"
#include "analyze/parse/quic.h"

/*
 * Writes into out (cap bytes) a client Initial of version v (or, when
 * wire_version is not 0, with that in its version field but v's keys and
 * layout, as a client forcing version negotiation sends): Destination
 * Connection ID dcid in the header, keys derived from key_cid (the flow's
 * first DCID; pass dcid again for the usual case), an empty Source
 * Connection ID and token, packet number pn in pn_len (1..4) bytes, and
 * len bytes of plaintext frames (pn_len + len must be at least 4, so that
 * header protection has its sample). Returns the packet's length, 0 when
 * it does not fit or the cipher fails.
 */
static __attribute__((unused)) size_t
quic_seal_initial(const struct quic_version *v, uint32_t wire_version,
		  const uint8_t *dcid,
		  size_t dcid_len, const uint8_t *key_cid, size_t key_cid_len,
		  uint64_t pn, unsigned pn_len, const uint8_t *payload,
		  size_t len, uint8_t *out, size_t cap)
{
	struct quic_keys k;
	uint8_t nonce[QUIC_IV_LEN], mask[CIPHER_AES_BLOCK_LEN];
	size_t n = 0, pn_offset, length = pn_len + len + CIPHER_GCM_TAG_LEN;
	uint32_t version = wire_version ? wire_version : v->number;

	if (pn_len < 1 || pn_len > 4 || pn_len + len < 4 || length > 0x3fff ||
	    dcid_len > QUIC_CID_MAX ||
	    1 + 4 + 1 + dcid_len + 1 + 1 + 2 + length > cap ||
	    !quic_initial_keys(v, key_cid, key_cid_len, false, &k))
		return 0;
	out[n++] = (uint8_t)(0xc0 | v->initial_type << 4 | (pn_len - 1));
	out[n++] = (uint8_t)(version >> 24);
	out[n++] = (uint8_t)(version >> 16);
	out[n++] = (uint8_t)(version >> 8);
	out[n++] = (uint8_t)version;
	out[n++] = (uint8_t)dcid_len;
	memcpy(out + n, dcid, dcid_len);
	n += dcid_len;
	out[n++] = 0; /* SCID length */
	out[n++] = 0; /* token length */
	out[n++] = (uint8_t)(0x40 | length >> 8); /* 2-byte varint */
	out[n++] = (uint8_t)length;
	pn_offset = n;
	for (unsigned i = 0; i < pn_len; i++)
		out[n++] = (uint8_t)(pn >> (8 * (pn_len - 1 - i)));
	memcpy(nonce, k.iv, sizeof(nonce));
	for (unsigned i = 0; i < 8; i++)
		nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
	if (!cipher_aes128_gcm_seal(k.key, nonce, out, n, payload, len,
				    out + n, out + n + len))
		return 0;
	n += len + CIPHER_GCM_TAG_LEN;
	if (!cipher_aes128_block(k.hp, out + pn_offset + 4, mask))
		return 0;
	out[0] ^= mask[0] & 0x0f;
	for (unsigned i = 0; i < pn_len; i++)
		out[pn_offset + i] ^= mask[1 + i];
	return n;
}

#endif
