/*
 * ssh.h — SSH identification banner and SSH_MSG_KEXINIT parser, HASSH.
 *
 * The banner (RFC 4253 4.2) is the "SSH-protoversion-softwareversion
 * [SP comments]" line each side sends first; a server may send other text
 * lines before it, which are skipped (and counted). The KEXINIT
 * (RFC 4253 7.1) is the first binary packet each side sends, unencrypted.
 *
 * HASSH (Salesforce, BSD-3-Clause) is the MD5 of
 *   client: "kex;enc_c2s;mac_c2s;cmp_c2s"
 *   server: "kex;enc_s2c;mac_s2c;cmp_s2c"  (hasshServer)
 * over the name-lists of the KEXINIT. Both are computed for every KEXINIT;
 * the caller picks by direction.
 *
 * HASSH is computed over the raw name-list bytes; the stored copies are
 * text escaped as tshark prints strings (see text_put_escaped()).
 *
 * Bounds: banner line SSH_BANNER_MAX bytes with its line end
 * (ANOM_FIELD_TOO_LONG past that); KEXINIT packet SSH_PACKET_MAX bytes;
 * each name-list SSH_NAMELIST_MAX bytes (ANOM_FIELD_TOO_LONG, and the
 * HASSH values are left empty because they would be wrong). Structural
 * errors, control characters in the banner and bytes outside 0x21..0x7e
 * in a name-list are ANOM_SSH_MALFORMED. Pure: no allocation, no I/O.
 */
#ifndef ATTRIB_PARSE_SSH_H
#define ATTRIB_PARSE_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/anomaly.h"
#include "analyze/crypto/digest.h"

#define SSH_BANNER_MAX 255        /* RFC 4253 4.2, CR LF included */
#define SSH_MAX_PREBANNER_LINES 32 /* server text lines before the banner */
#define SSH_PREBANNER_LINE_MAX 1024
#define SSH_PACKET_MAX 262144     /* largest packet_length we accept */
#define SSH_NAMELIST_MAX 2048     /* bytes per name-list */
/* Escaped text can take 4 bytes per input byte, plus the NUL. */
#define SSH_BANNER_TEXT_SIZE (4 * SSH_BANNER_MAX + 1)
#define SSH_NAMELIST_TEXT_SIZE (SSH_NAMELIST_MAX + 1)
#define SSH_MSG_KEXINIT 20
#define SSH_KEXINIT_LISTS 10

enum ssh_status {
	SSH_STATUS_OK = 0,
	SSH_STATUS_NEED_MORE,  /* the line or packet is not complete yet */
	SSH_STATUS_MALFORMED,  /* cannot be parsed; see the anomalies */
	SSH_STATUS_NOT_SSH,    /* banner: no "SSH-" line; no anomaly */
};

struct ssh_banner {
	char text[SSH_BANNER_TEXT_SIZE];   /* whole line without CR LF */
	char proto_version[SSH_BANNER_TEXT_SIZE]; /* "2.0", "1.99" */
	char software[SSH_BANNER_TEXT_SIZE]; /* "OpenSSH_8.9p1" */
	char comments[SSH_BANNER_TEXT_SIZE]; /* after the first space, or "" */
	bool bare_lf;                      /* ended in LF without CR */
	uint32_t prebanner_lines;          /* lines skipped before it */
	anomaly_set anomalies;
};

/* Indexes of the ten name-lists, in wire order. */
enum ssh_namelist {
	SSH_KEX,
	SSH_HOST_KEY,
	SSH_ENC_C2S,
	SSH_ENC_S2C,
	SSH_MAC_C2S,
	SSH_MAC_S2C,
	SSH_CMP_C2S,
	SSH_CMP_S2C,
	SSH_LANG_C2S,
	SSH_LANG_S2C,
};

struct ssh_kexinit {
	uint8_t cookie[16];
	/* Name-lists as text (an escaped list may be cut short). */
	char lists[SSH_KEXINIT_LISTS][SSH_NAMELIST_TEXT_SIZE];
	bool first_kex_packet_follows;
	uint32_t packet_length;   /* from the binary packet header */
	uint8_t padding_length;

	char hassh[DIGEST_MD5_HEX_SIZE];        /* "" when not computable */
	char hassh_server[DIGEST_MD5_HEX_SIZE];
	anomaly_set anomalies;
};

/*
 * Reads the identification line at the start of len bytes at buf into *out
 * (fully overwritten), skipping up to SSH_MAX_PREBANNER_LINES other lines
 * first. On SSH_STATUS_OK *consumed covers everything up to and including
 * the banner's line end (the KEXINIT may follow at buf + *consumed).
 * SSH_STATUS_NEED_MORE: no line end yet and still within the bounds.
 * SSH_STATUS_MALFORMED: over-long banner, "SSH-" line without the second
 * dash, or too many prebanner lines; *consumed = bytes read so far.
 * SSH_STATUS_NOT_SSH: data is binary before any "SSH-" line; no anomaly.
 */
enum ssh_status ssh_parse_banner(const uint8_t *buf, size_t len,
				 struct ssh_banner *out, size_t *consumed);

/*
 * Reads one unencrypted binary packet holding SSH_MSG_KEXINIT at the start
 * of len bytes at buf into *out (fully overwritten) and computes HASSH and
 * hasshServer. On SSH_STATUS_OK *consumed is the packet size (4 + packet
 * length; no MAC before NEWKEYS). SSH_STATUS_NEED_MORE: a plausible packet
 * header whose packet runs past the buffer. SSH_STATUS_MALFORMED: bad
 * lengths, another message code, or name-lists that overrun the payload.
 */
enum ssh_status ssh_parse_kexinit(const uint8_t *buf, size_t len,
				  struct ssh_kexinit *out, size_t *consumed);

#endif
