/*
 * quic.c — QUIC Initial packets: versions, keys, header protection,
 * packet numbers, decryption, frames and CRYPTO reassembly (see quic.h).
 * The cryptography is analyze/crypto/cipher.h's; the ClientHello is tls.h's.
 */
#include "analyze/parse/quic.h"

#include <string.h>

#include "analyze/crypto/cipher.h"
#include "capture/cursor.h"

#define QUIC_LONG_HEADER 0x80
#define QUIC_PN_LEN_MASK 0x03
#define QUIC_LONG_RESERVED 0x0c
#define QUIC_LONG_HP_BITS 0x0f /* bits of the first byte under protection */
#define QUIC_SAMPLE_OFFSET 4   /* the sample starts 4 bytes after the PN */
#define QUIC_SAMPLE_LEN 16
#define QUIC_TAG_LEN 16
#define QUIC_VARINT_MAX ((UINT64_C(1) << 62) - 1)
#define TLS_HS_HEADER_LEN 4

enum {
	FRAME_PADDING = 0x00,
	FRAME_PING = 0x01,
	FRAME_ACK = 0x02,
	FRAME_ACK_ECN = 0x03,
	FRAME_CRYPTO = 0x06,
	FRAME_CONNECTION_CLOSE = 0x1c,
};

/* Initial salts, as each specification gives them. */
static const uint8_t salt_v1[QUIC_SALT_LEN] = { /* RFC 9001 5.2 */
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
static const uint8_t salt_v2[QUIC_SALT_LEN] = { /* RFC 9369 3.3.1 */
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
static const uint8_t salt_draft22[QUIC_SALT_LEN] = { /* draft-ietf-quic-tls-22 5.2 */
	0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
	0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a,
};
static const uint8_t salt_draft23[QUIC_SALT_LEN] = { /* -23 to -28 */
	0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
	0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
static const uint8_t salt_draft29[QUIC_SALT_LEN] = { /* -29 to -32 */
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};

#define V1_LABELS "quic key", "quic iv", "quic hp"
#define V1_TYPES 0, 3 /* Initial, Retry */

static const struct quic_version versions[] = {
	{ QUIC_VERSION_1, "1", salt_v1, V1_LABELS, V1_TYPES },
	{ QUIC_VERSION_2, "2", salt_v2, "quicv2 key", "quicv2 iv",
	  "quicv2 hp", 1, 0 },
	{ 0xff000016u, "draft-22", salt_draft22, V1_LABELS, V1_TYPES },
	{ 0xff000017u, "draft-23", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff000018u, "draft-24", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff000019u, "draft-25", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff00001au, "draft-26", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff00001bu, "draft-27", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff00001cu, "draft-28", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xff00001du, "draft-29", salt_draft29, V1_LABELS, V1_TYPES },
	{ 0xff00001eu, "draft-30", salt_draft29, V1_LABELS, V1_TYPES },
	{ 0xff00001fu, "draft-31", salt_draft29, V1_LABELS, V1_TYPES },
	{ 0xff000020u, "draft-32", salt_draft29, V1_LABELS, V1_TYPES },
	{ 0xff000021u, "draft-33", salt_v1, V1_LABELS, V1_TYPES },
	{ 0xff000022u, "draft-34", salt_v1, V1_LABELS, V1_TYPES },
	/* Facebook mvfst: its draft-22 and draft-27 versions */
	{ 0xfaceb001u, "mvfst-draft-22", salt_draft22, V1_LABELS, V1_TYPES },
	{ 0xfaceb002u, "mvfst-draft-27", salt_draft23, V1_LABELS, V1_TYPES },
	{ 0xfaceb00eu, "mvfst-exp", salt_draft23, V1_LABELS, V1_TYPES },
};

bool quic_version_reserved(uint32_t number)
{
	return (number & 0x0f0f0f0fu) == 0x0a0a0a0au;
}

const struct quic_version *quic_version_find(uint32_t number)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].number == number)
			return &versions[i];
	return NULL;
}

bool quic_initial_keys(const struct quic_version *v, const uint8_t *cid,
		       size_t cid_len, bool server, struct quic_keys *out)
{
	static const uint8_t no_cid[1];
	uint8_t initial[CIPHER_SHA256_LEN], secret[CIPHER_SHA256_LEN];
	bool ok;

	if (cid_len > QUIC_CID_MAX)
		return false;
	memset(out, 0, sizeof(*out));
	out->version = v->number;
	out->cid_len = (uint8_t)cid_len;
	if (cid_len)
		memcpy(out->cid, cid, cid_len);
	/* HMAC takes an empty message; give it a valid pointer. */
	ok = cipher_hkdf_extract(v->salt, QUIC_SALT_LEN,
				 cid_len ? cid : no_cid, cid_len, initial) &&
	     cipher_hkdf_expand_label(initial,
				      server ? "server in" : "client in",
				      secret, sizeof(secret)) &&
	     cipher_hkdf_expand_label(secret, v->key_label, out->key,
				      QUIC_KEY_LEN) &&
	     cipher_hkdf_expand_label(secret, v->iv_label, out->iv,
				      QUIC_IV_LEN) &&
	     cipher_hkdf_expand_label(secret, v->hp_label, out->hp,
				      QUIC_KEY_LEN);
	memset(initial, 0, sizeof(initial));
	memset(secret, 0, sizeof(secret));
	return ok;
}

/* Variable-length integer (RFC 9000 16). */
static bool read_varint(struct cursor *c, uint64_t *v)
{
	struct cursor save = *c;
	uint8_t b;
	unsigned n;

	if (!cursor_u8(c, &b))
		return false;
	n = 1u << (b >> 6);
	*v = b & 0x3f;
	for (unsigned i = 1; i < n; i++) {
		if (!cursor_u8(c, &b)) {
			*c = save;
			return false;
		}
		*v = *v << 8 | b;
	}
	return true;
}

/* Adds one CRYPTO frame's data (offset off, cursor data). */
static void crypto_add(struct quic_state *st, uint64_t off,
		       struct cursor data, anomaly_set *anomalies,
		       bool *out_of_room)
{
	switch (reasm_add(&st->crypto, off, cursor_ptr(&data),
			  cursor_left(&data), QUIC_CRYPTO_MAX,
			  st->crypto_room)) {
	case REASM_OK:
		return;
	case REASM_TOO_FAR:
	case REASM_SCATTERED:
		anomaly_add(anomalies, ANOM_FIELD_TOO_LONG);
		return;
	case REASM_NO_ROOM:
		*out_of_room = true;
		return;
	}
}

/* --- frames ------------------------------------------------------------ */

/* Skips an ACK frame's body (RFC 9000 19.3). */
static bool skip_ack(struct cursor *c, bool ecn)
{
	uint64_t v, ranges;

	if (!read_varint(c, &v) || !read_varint(c, &v) ||
	    !read_varint(c, &ranges) || !read_varint(c, &v))
		return false;
	/* Each range takes at least two bytes: the cursor bounds the loop. */
	for (uint64_t i = 0; i < ranges; i++)
		if (!read_varint(c, &v) || !read_varint(c, &v))
			return false;
	if (ecn)
		for (int i = 0; i < 3; i++)
			if (!read_varint(c, &v))
				return false;
	return true;
}

uint32_t quic_read_frames(struct quic_state *st, const uint8_t *payload,
			  size_t len, anomaly_set *anomalies,
			  bool *out_of_room)
{
	struct cursor c, data;
	uint64_t type, off, n, v;
	uint32_t crypto = 0;

	cursor_init(&c, payload, len);
	while (cursor_left(&c) > 0) {
		if (!read_varint(&c, &type))
			break;
		switch (type) {
		case FRAME_PADDING:
		case FRAME_PING:
			continue;
		case FRAME_ACK:
		case FRAME_ACK_ECN:
			if (!skip_ack(&c, type == FRAME_ACK_ECN))
				goto malformed;
			continue;
		case FRAME_CRYPTO:
			if (!read_varint(&c, &off) || !read_varint(&c, &n) ||
			    !cursor_sub(&c, n, &data))
				goto malformed;
			crypto++;
			crypto_add(st, off, data, anomalies, out_of_room);
			continue;
		case FRAME_CONNECTION_CLOSE:
			if (!read_varint(&c, &v) || !read_varint(&c, &v) ||
			    !read_varint(&c, &n) || !cursor_skip(&c, n))
				goto malformed;
			return crypto;
		default:
			goto malformed; /* not allowed in an Initial packet */
		}
	}
	return crypto;

malformed:
	anomaly_add(anomalies, ANOM_QUIC_MALFORMED);
	return crypto;
}

/* --- packets ----------------------------------------------------------- */

/* The key set for (version, cid), derived on first use (ring of
 * QUIC_KEYS_MAX). NULL when derivation fails. */
static const struct quic_keys *keys_for(struct quic_state *st,
					const struct quic_version *v,
					const uint8_t *cid, size_t cid_len)
{
	uint32_t kept = st->n_keys < QUIC_KEYS_MAX ? st->n_keys
						   : QUIC_KEYS_MAX;
	struct quic_keys *k;

	for (uint32_t i = 0; i < kept; i++) {
		k = &st->keys[i];
		if (k->version == v->number && k->cid_len == cid_len &&
		    memcmp(k->cid, cid, cid_len) == 0)
			return k;
	}
	k = &st->keys[st->n_keys % QUIC_KEYS_MAX];
	if (!quic_initial_keys(v, cid, cid_len, false, k)) {
		memset(k, 0, sizeof(*k));
		return NULL;
	}
	st->n_keys++;
	return k;
}

/* Full packet number from its pn_len-byte truncation (RFC 9000 A.3). */
static uint64_t decode_pn(const struct quic_state *st, uint64_t truncated,
			  unsigned pn_len)
{
	uint64_t expected = st->have_pn ? st->largest_pn + 1 : 0;
	uint64_t win = UINT64_C(1) << (8 * pn_len), hwin = win / 2;
	uint64_t candidate = (expected & ~(win - 1)) | truncated;

	if (candidate + hwin <= expected && candidate < (UINT64_C(1) << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

/* One long-header packet located in its datagram. */
struct long_packet {
	struct cursor bytes;   /* the whole packet */
	size_t pn_offset;      /* of the (protected) packet number */
	const struct quic_version *v; /* NULL: a reserved version */
	uint32_t wire_version;
	const uint8_t *dcid;
	uint8_t dcid_len;
};

/*
 * Tries to open packet p with keys k: header protection off, packet
 * number decoded, payload into scratch->plain. *plain_len on success.
 */
static bool open_with(const struct quic_state *st, const struct long_packet *p,
		      const struct quic_keys *k, struct quic_scratch *scratch,
		      size_t *plain_len, uint64_t *pn_out, uint8_t *first_out)
{
	struct cursor c = p->bytes, ct;
	uint8_t sample[QUIC_SAMPLE_LEN], mask[CIPHER_AES_BLOCK_LEN];
	uint8_t nonce[QUIC_IV_LEN], first, b;
	const uint8_t *tag;
	unsigned pn_len;
	uint64_t truncated = 0, pn;
	size_t header_len, ct_len;

	if (!cursor_seek(&c, p->pn_offset + QUIC_SAMPLE_OFFSET) ||
	    !cursor_copy(&c, sample, sizeof(sample)) ||
	    !cipher_aes128_block(k->hp, sample, mask))
		return false;
	c = p->bytes;
	if (!cursor_u8(&c, &first))
		return false;
	first ^= mask[0] & QUIC_LONG_HP_BITS;
	pn_len = (first & QUIC_PN_LEN_MASK) + 1u;
	header_len = p->pn_offset + pn_len;
	if (header_len > sizeof(scratch->header) ||
	    cursor_left(&p->bytes) > sizeof(scratch->plain))
		return false;
	/* Header as sent but unprotected: the AEAD's associated data. */
	c = p->bytes;
	if (!cursor_copy(&c, scratch->header, p->pn_offset))
		return false;
	scratch->header[0] = first;
	for (unsigned i = 0; i < pn_len; i++) {
		if (!cursor_u8(&c, &b))
			return false;
		b ^= mask[1 + i];
		scratch->header[p->pn_offset + i] = b;
		truncated = truncated << 8 | b;
	}
	/* The sample check above leaves at least 16 bytes after the PN. */
	ct_len = cursor_left(&c) - QUIC_TAG_LEN;
	if (!cursor_sub(&c, ct_len, &ct) ||
	    !cursor_bytes(&c, QUIC_TAG_LEN, &tag))
		return false;
	pn = decode_pn(st, truncated, pn_len);
	memcpy(nonce, k->iv, sizeof(nonce));
	for (unsigned i = 0; i < 8; i++)
		nonce[QUIC_IV_LEN - 1 - i] ^= (uint8_t)(pn >> (8 * i));
	if (!cipher_aes128_gcm_open(k->key, nonce, scratch->header, header_len,
				    cursor_ptr(&ct), ct_len, tag,
				    scratch->plain))
		return false;
	*plain_len = ct_len;
	*pn_out = pn;
	*first_out = first;
	return true;
}

/* Key schedules tried, in this order, on a reserved version's Initial. */
static const uint32_t reserved_trials[] = {
	QUIC_VERSION_1, 0xff00001du /* draft-29 */, 0xff00001bu /* -27 */,
	0xff000016u /* -22 */,
};

/*
 * Tries the keys of schedule v on packet p: the flow's first DCID, then
 * the packet's own (after a Retry). True when one opened it.
 */
static bool open_as(struct quic_state *st, const struct long_packet *p,
		    const struct quic_version *v, struct quic_scratch *scratch,
		    size_t *plain_len, uint64_t *pn, uint8_t *first)
{
	const struct quic_keys *k;

	if (st->have_odcid) {
		k = keys_for(st, v, st->odcid, st->odcid_len);
		if (k && open_with(st, p, k, scratch, plain_len, pn, first))
			return true;
		if (p->dcid_len == st->odcid_len &&
		    memcmp(p->dcid, st->odcid, p->dcid_len) == 0)
			return false;
	}
	k = keys_for(st, v, p->dcid, p->dcid_len);
	return k && open_with(st, p, k, scratch, plain_len, pn, first);
}

/* Decrypts one Initial packet and reads its frames. */
static void open_initial(struct quic_state *st, const struct long_packet *p,
			 struct quic_scratch *scratch,
			 struct quic_datagram_info *info)
{
	const struct quic_version *v = p->v;
	size_t plain_len = 0;
	uint64_t pn = 0;
	uint8_t first = 0;
	bool opened = false;

	info->initials++;
	if (!cursor_has(&p->bytes, p->pn_offset + QUIC_SAMPLE_OFFSET +
					   QUIC_SAMPLE_LEN)) {
		anomaly_add(&info->anomalies, ANOM_QUIC_MALFORMED);
		return;
	}
	if (v) {
		opened = open_as(st, p, v, scratch, &plain_len, &pn, &first);
	} else {
		for (size_t i = 0; !opened && i < sizeof(reserved_trials) /
							  sizeof(reserved_trials[0]);
		     i++) {
			v = quic_version_find(reserved_trials[i]);
			opened = open_as(st, p, v, scratch, &plain_len, &pn,
					 &first);
		}
	}
	if (!opened) {
		anomaly_add(&info->anomalies, ANOM_QUIC_UNDECRYPTABLE);
		return;
	}
	info->opened++;
	if (!st->have_odcid) {
		st->have_odcid = true;
		st->odcid_len = p->dcid_len;
		memcpy(st->odcid, p->dcid, p->dcid_len);
	}
	if (st->version == 0) {
		st->version = v->number;
		st->wire_version = p->wire_version;
	}
	if (!st->have_pn || pn > st->largest_pn)
		st->largest_pn = pn;
	st->have_pn = true;
	if (first & QUIC_LONG_RESERVED) /* RFC 9000 17.2: must be zero */
		anomaly_add(&info->anomalies, ANOM_QUIC_MALFORMED);
	info->crypto_frames += quic_read_frames(st, scratch->plain, plain_len,
						&info->anomalies,
						&info->out_of_room);
}

void quic_read_datagram(struct quic_state *st, const uint8_t *d, size_t len,
			bool captured_whole, struct quic_scratch *scratch,
			struct quic_datagram_info *info)
{
	struct cursor dg;

	memset(info, 0, sizeof(*info));
	cursor_init(&dg, d, len);
	while (cursor_left(&dg) > 0) {
		struct long_packet p;
		struct cursor h = dg;
		uint64_t token_len, length;
		uint32_t version;
		uint8_t first, scid_len, type, initial_type;
		size_t start = dg.off;

		if (!cursor_u8(&h, &first) || !(first & QUIC_LONG_HEADER))
			break; /* a short header (or padding) ends it */
		if (!cursor_be32(&h, &version)) {
			info->truncated = true;
			break;
		}
		if (info->packets++ == 0)
			info->first_version = version;
		if (version == 0)
			break; /* Version Negotiation */
		p.v = quic_version_find(version);
		p.wire_version = version;
		if (!p.v && !quic_version_reserved(version)) {
			info->unknown_version = true;
			break;
		}
		if (!cursor_u8(&h, &p.dcid_len) ||
		    !cursor_bytes(&h, p.dcid_len, &p.dcid) ||
		    !cursor_u8(&h, &scid_len) || !cursor_skip(&h, scid_len)) {
			info->truncated = true;
			break;
		}
		if (p.dcid_len > QUIC_CID_MAX || scid_len > QUIC_CID_MAX) {
			anomaly_add(&info->anomalies, ANOM_QUIC_MALFORMED);
			break;
		}
		/* A reserved version is read with version 1's layout. */
		type = (first >> 4) & 0x03;
		initial_type = p.v ? p.v->initial_type : 0;
		if (type == (p.v ? p.v->retry_type : 3))
			break; /* no Length: the rest of the datagram */
		if (type == initial_type &&
		    (!read_varint(&h, &token_len) ||
		     !cursor_skip(&h, token_len))) {
			info->truncated = true;
			break;
		}
		if (!read_varint(&h, &length)) {
			info->truncated = true;
			break;
		}
		if (length > cursor_left(&h)) {
			info->truncated = true;
			break;
		}
		/* The packet: its header and Length more bytes. */
		p.pn_offset = h.off - start;
		cursor_sub(&dg, p.pn_offset + (size_t)length, &p.bytes);
		if (type == initial_type)
			open_initial(st, &p, scratch, info);
	}
	if (info->truncated && captured_whole)
		anomaly_add(&info->anomalies, ANOM_QUIC_MALFORMED);
}

enum tls_status quic_client_hello(const struct quic_state *st,
				  struct tls_client_hello *ch,
				  anomaly_set *anomalies)
{
	const struct reasm *cs = &st->crypto;
	struct cursor c;
	uint8_t type;
	uint32_t len;

	cursor_init(&c, cs->buf, cs->contiguous);
	if (!cursor_u8(&c, &type) || !cursor_be24(&c, &len))
		return TLS_STATUS_NEED_MORE;
	if (type == TLS_HS_CLIENT_HELLO &&
	    len > QUIC_CRYPTO_MAX - TLS_HS_HEADER_LEN) {
		anomaly_add(anomalies, ANOM_FIELD_TOO_LONG);
		return TLS_STATUS_MALFORMED;
	}
	return tls_parse_client_hello(cs->buf, cs->contiguous, TLS_OVER_QUIC,
				      ch, anomalies);
}

void quic_state_free(struct quic_state *st)
{
	reasm_free(&st->crypto);
}
