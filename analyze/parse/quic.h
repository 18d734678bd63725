/*
 * quic.h — the client's QUIC Initial packets: protection removed, CRYPTO
 * frames reassembled, the TLS ClientHello they carry handed to the TLS
 * parser (tls.h, transport TLS_OVER_QUIC).
 *
 * Versions (quic_version_find()): 1 (RFC 9001 5.2), 2 (0x6b3343cf,
 * RFC 9369: its own salt, "quicv2 key/iv/hp" labels, Initial packet type
 * 0b01 and Retry 0b00), the IETF drafts 22 to 34 (0xff000016..0xff000022)
 * with the salt each draft gives, Facebook mvfst's 0xfaceb001, 0xfaceb002
 * and 0xfaceb00e, and the reserved versions (quic_version_reserved()).
 * Initial packets always use AES-128-GCM.
 *
 * quic_read_datagram() walks the long-header packets coalesced in one UDP
 * datagram (RFC 9000 12.2) by their Length fields. For each Initial
 * packet of a known version it derives the keys (RFC 9001 5.2) from a
 * connection ID — the Destination Connection ID of the flow's first
 * Initial, else the packet's own (a client's Initials after a Retry) —
 * removes header protection (5.4), decodes the packet number (RFC 9000
 * A.3), decrypts and authenticates the payload and walks its frames:
 * PADDING, PING, ACK, CRYPTO (kept by offset), CONNECTION_CLOSE. Any
 * other frame type ends the packet (an Initial may carry no other).
 * 0-RTT and Handshake packets are skipped; a short header, Retry, Version
 * Negotiation or unknown version ends the datagram.
 *
 * Anomalies: quic_malformed (a header or frame that overruns its packet,
 * connection IDs over 20 bytes, a packet too short to sample, reserved
 * bits set, a frame type an Initial may not carry), quic_undecryptable
 * (an Initial of a known version that no key set authenticates: damaged,
 * forged, or a server's Initial seen without the client's), field_too_long
 * (CRYPTO data past QUIC_CRYPTO_MAX or in more than REASM_PIECES separate
 * pieces; reasm.h).
 *
 * Pure: no I/O; allocates only the reassembly buffer (growing with the
 * highest CRYPTO offset, up to the caller's crypto_room), released by
 * quic_state_free().
 */
#ifndef ATTRIB_PARSE_QUIC_H
#define ATTRIB_PARSE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/parse/reasm.h"
#include "analyze/parse/tls.h"
#include "capture/anomaly.h"

#define QUIC_CID_MAX 20                 /* RFC 9000 17.2, versions 1 and 2 */
#define QUIC_CRYPTO_MAX (64u * 1024u)   /* CRYPTO bytes kept per flow */
#define QUIC_KEYS_MAX 4                 /* key sets kept per flow */
#define QUIC_DATAGRAM_MAX 65536u        /* largest UDP payload, rounded up */
#define QUIC_KEY_LEN 16
#define QUIC_IV_LEN 12
#define QUIC_SALT_LEN 20

#define QUIC_VERSION_1 0x00000001u
#define QUIC_VERSION_2 0x6b3343cfu

/* What differs between versions for Initial packets. */
struct quic_version {
	uint32_t number;
	const char *name;                  /* "1", "2", "draft-29", ... */
	const uint8_t *salt;               /* QUIC_SALT_LEN bytes */
	const char *key_label, *iv_label, *hp_label;
	uint8_t initial_type, retry_type;  /* long packet type bits */
};

/* The version's Initial parameters, or NULL when not known here. */
const struct quic_version *quic_version_find(uint32_t number);

/*
 * True for the versions 0x?a?a?a?a that RFC 9000 15 reserves for forcing
 * version negotiation. They have no keys of their own: a client protects
 * such an Initial with the keys of a version it speaks, so
 * quic_read_datagram() reads it with version 1's layout and tries the key
 * schedules of versions 1, draft-29, draft-27 and draft-22 in turn (the
 * AEAD tag tells which one fits).
 */
bool quic_version_reserved(uint32_t number);

/* Packet protection keys of one side for one version and connection ID. */
struct quic_keys {
	uint32_t version;
	uint8_t cid[QUIC_CID_MAX];
	uint8_t cid_len;
	uint8_t key[QUIC_KEY_LEN], iv[QUIC_IV_LEN], hp[QUIC_KEY_LEN];
};

/*
 * Derives the Initial keys of the client (server false) or the server
 * for version v and the client's Destination Connection ID cid (cid_len
 * 0..QUIC_CID_MAX). False when libgcrypt fails or cid_len is too long.
 */
bool quic_initial_keys(const struct quic_version *v, const uint8_t *cid,
		       size_t cid_len, bool server, struct quic_keys *out);

/* One side's Initial packets of a flow. Zero it, then set crypto_room. */
struct quic_state {
	size_t crypto_room;    /* set by the caller: the most the reassembly
	                          buffer may hold (at most QUIC_CRYPTO_MAX) */
	uint32_t version;      /* key schedule of the first Initial opened,
	                          0 before */
	uint32_t wire_version; /* that packet's version field (differs from
	                          version for a reserved version) */
	bool have_odcid;       /* odcid holds the first opened Initial's DCID */
	uint8_t odcid_len;
	uint8_t odcid[QUIC_CID_MAX];
	bool have_pn;          /* largest_pn is set */
	uint64_t largest_pn;   /* largest packet number opened */
	uint32_t n_keys;       /* key sets derived so far (cache: ring) */
	struct quic_keys keys[QUIC_KEYS_MAX];
	struct reasm crypto;   /* the CRYPTO stream (Initial space) */
};

/* Room for one packet's header copy and plaintext: one per stage. */
struct quic_scratch {
	uint8_t header[QUIC_DATAGRAM_MAX];
	uint8_t plain[QUIC_DATAGRAM_MAX];
};

/* What one datagram held. */
struct quic_datagram_info {
	uint32_t packets;         /* long-header packets walked */
	uint32_t initials;        /* Initial packets of a known version */
	uint32_t opened;          /* ... of them decrypted and authenticated */
	uint32_t crypto_frames;   /* CRYPTO frames in opened packets */
	uint32_t first_version;   /* version field of the first packet, or 0 */
	bool unknown_version;     /* a long header of a version not known here */
	bool truncated;           /* a packet runs past the datagram's end */
	bool out_of_room;         /* CRYPTO data needed more than crypto_room */
	anomaly_set anomalies;
};

/*
 * Reads the packets of one UDP datagram of len bytes at d, sent by the
 * side st follows (the client), into st. captured_whole: the datagram was
 * captured to its end, so a packet running past it is quic_malformed (if
 * not, only info->truncated is set). scratch is working space. info is
 * fully overwritten.
 */
void quic_read_datagram(struct quic_state *st, const uint8_t *d, size_t len,
			bool captured_whole, struct quic_scratch *scratch,
			struct quic_datagram_info *info);

/*
 * Reads the frames of one decrypted Initial payload of len bytes into st's
 * reassembly; exported for tests and the fuzz harness. Returns the CRYPTO
 * frames read; anomalies go to *anomalies, and *out_of_room is set when
 * CRYPTO data needed more than st->crypto_room.
 */
uint32_t quic_read_frames(struct quic_state *st, const uint8_t *payload,
			  size_t len, anomaly_set *anomalies,
			  bool *out_of_room);

/*
 * Parses the first handshake message of the reassembled CRYPTO stream as
 * a ClientHello (tls_parse_client_hello(), TLS_OVER_QUIC) into *ch.
 * TLS_STATUS_NEED_MORE while the message is not complete yet;
 * TLS_STATUS_OK, or TLS_STATUS_MALFORMED (not a ClientHello, a broken
 * one, or one longer than QUIC_CRYPTO_MAX: field_too_long) with the
 * anomalies added to *anomalies.
 */
enum tls_status quic_client_hello(const struct quic_state *st,
				  struct tls_client_hello *ch,
				  anomaly_set *anomalies);

/* Releases the reassembly buffer; st may be reused after zeroing. */
void quic_state_free(struct quic_state *st);

#endif
