/*
 * chain.c — canonical encoding and SHA-256 of chain entries (chain.h).
 */
#include "analyze/evidence/chain.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"

const char chain_genesis[CHAIN_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static const char chain_magic[] = "attrib-chain-1";

/*
 * Room for n more bytes at the end of the entry: a pointer to write them
 * to, or NULL once the entry is over CHAIN_MAX_ENTRY or memory ran out
 * (e->overflow, sticky until the next entry). The buffer is kept between
 * entries, so after the first few it never grows.
 */
static uint8_t *reserve(struct chain_enc *e, size_t n)
{
	if (e->overflow)
		return NULL;
	if (n > CHAIN_MAX_ENTRY - e->len) {
		e->overflow = true;
		return NULL;
	}
	if (e->len + n > e->cap) {
		size_t cap = e->cap ? e->cap : 1024;
		while (cap < e->len + n)
			cap *= 2;
		uint8_t *b = realloc(e->buf, cap);
		if (!b) {
			e->overflow = true;
			return NULL;
		}
		e->buf = b;
		e->cap = cap;
	}
	uint8_t *at = e->buf + e->len;
	e->len += n;
	return at;
}

static void store_be(uint8_t *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static void put(struct chain_enc *e, const void *p, size_t n)
{
#ifdef ATTRIB_BENCH_NO_CHAIN
	return; /* benchmark-only build: see chain_enc_finish() */
#endif
	uint8_t *at;
	if (n > 0 && (at = reserve(e, n)))
		memcpy(at, p, n);
}

static void put_be(struct chain_enc *e, uint64_t v, int bytes)
{
#ifdef ATTRIB_BENCH_NO_CHAIN
	return;
#endif
	uint8_t *at = reserve(e, (size_t)bytes);
	if (at)
		store_be(at, v, bytes);
}

/* A value's tag followed by a big-endian number of bytes bytes. */
static void put_tagged(struct chain_enc *e, char tag, uint64_t v, int bytes)
{
#ifdef ATTRIB_BENCH_NO_CHAIN
	return;
#endif
	uint8_t *at = reserve(e, 1 + (size_t)bytes);
	if (at) {
		at[0] = (uint8_t)tag;
		store_be(at + 1, v, bytes);
	}
}

void chain_enc_begin(struct chain_enc *e, uint64_t seq, const char *prev_hex,
		     const char *kind)
{
	e->len = 0;
	e->values = 0;
	e->overflow = false;
	put(e, chain_magic, sizeof chain_magic - 1);
	put_be(e, seq, 8);
	put(e, prev_hex, CHAIN_HEX_LEN);
	size_t klen = strlen(kind);
	put_be(e, klen, 4);
	put(e, kind, klen);
}

void chain_enc_int(struct chain_enc *e, int64_t v)
{
	put_tagged(e, 'I', (uint64_t)v, 8);
	e->values++;
}

void chain_enc_text(struct chain_enc *e, const char *s, size_t len)
{
	put_tagged(e, 'T', len, 4);
	put(e, s, len);
	e->values++;
}

void chain_enc_blob(struct chain_enc *e, const void *p, size_t len)
{
	put_tagged(e, 'B', len, 4);
	put(e, p, len);
	e->values++;
}

void chain_enc_real(struct chain_enc *e, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	put_tagged(e, 'R', bits, 8);
	e->values++;
}

void chain_enc_null(struct chain_enc *e)
{
	put(e, "N", 1);
	e->values++;
}

void chain_enc_row(struct chain_enc *e, sqlite3_stmt *q)
{
	int n = sqlite3_column_count(q);
	for (int c = 0; c < n; c++) {
		const char *name = sqlite3_column_name(q, c);
		if (!strcmp(name, "chain_seq") || !strcmp(name, "chain_hash"))
			continue;
		switch (sqlite3_column_type(q, c)) {
		case SQLITE_NULL:
			chain_enc_null(e);
			break;
		case SQLITE_INTEGER:
			chain_enc_int(e, sqlite3_column_int64(q, c));
			break;
		case SQLITE_FLOAT:
			chain_enc_real(e, sqlite3_column_double(q, c));
			break;
		case SQLITE_BLOB: {
			const void *b = sqlite3_column_blob(q, c);
			chain_enc_blob(e, b, (size_t)sqlite3_column_bytes(q, c));
			break;
		}
		default: {
			const unsigned char *t = sqlite3_column_text(q, c);
			chain_enc_text(e, (const char *)t,
				       (size_t)sqlite3_column_bytes(q, c));
			break;
		}
		}
	}
}

bool chain_enc_finish(struct chain_enc *e, char out[CHAIN_HEX_LEN + 1])
{
	uint8_t raw[CHAIN_HEX_LEN / 2];
	return chain_enc_finish_raw(e, raw, out);
}

bool chain_enc_finish_raw(struct chain_enc *e, uint8_t raw[CHAIN_HEX_LEN / 2],
			  char out[CHAIN_HEX_LEN + 1])
{
#ifdef ATTRIB_BENCH_NO_CHAIN
	/* Only `make bench` builds this, into its own folder, to measure what
	 * encoding and hashing the chain costs; its cases do not verify. */
	memcpy(out, chain_genesis, CHAIN_HEX_LEN + 1);
	memset(raw, 0, CHAIN_HEX_LEN / 2);
	return true;
#endif
	put_be(e, e->values, 4);
	if (e->overflow || !digest_sha256(e->buf, e->len, raw)) {
		out[0] = '\0';
		return false;
	}
	digest_raw_to_hex(raw, CHAIN_HEX_LEN / 2, out);
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool chain_hex_to_raw(const char *hex, uint8_t out[CHAIN_HEX_LEN / 2])
{
	for (size_t i = 0; i < CHAIN_HEX_LEN / 2; i++) {
		int hi = hex_digit(hex[2 * i]);
		int lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[CHAIN_HEX_LEN] == '\0';
}

void chain_enc_free(struct chain_enc *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}
