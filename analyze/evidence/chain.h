/*
 * chain.h — the canonical encoding and hash of a chain entry (see
 * docs/evidence.md for the byte-exact definition a third party can
 * re-implement). Private to analyze/evidence/.
 *
 *   entry  = "attrib-chain-1" | u64be(seq) | prev | u32be(len(kind)) | kind
 *            | value... | u32be(number of values)
 *   value  = 'N'                               NULL
 *          | 'I' i64be                         integer
 *          | 'T' u32be(len) bytes              text (UTF-8 as stored)
 *          | 'B' u32be(len) bytes              blob
 *          | 'R' u64be(IEEE-754 binary64 bits) real
 *   Every storage class has its own tag, so changing only a value's type
 *   (text to blob with the same bytes, integer to real) changes the hash.
 *   attrib's entries hold NULL, integers, text and (scores) reals.
 *   prev   = the previous entry's hash, 64 lower-case hex characters
 *            ("0" x 64 for seq 1), also in a schema-4 case, which stores
 *            chain_hash as the 32 bytes those characters spell
 *   hash   = lower-case hex SHA-256 of entry
 */
#ifndef ATTRIB_CHAIN_H
#define ATTRIB_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum { CHAIN_HEX_LEN = 64, CHAIN_MAX_ENTRY = 64 << 20 };

struct chain_enc {
	uint8_t *buf;
	size_t len, cap;
	uint32_t values;
	bool overflow;  /* entry larger than CHAIN_MAX_ENTRY or no memory */
};

/* Starts an entry. enc keeps its buffer between entries. */
void chain_enc_begin(struct chain_enc *e, uint64_t seq, const char *prev_hex,
		     const char *kind);
void chain_enc_int(struct chain_enc *e, int64_t v);
void chain_enc_text(struct chain_enc *e, const char *s, size_t len);
void chain_enc_null(struct chain_enc *e);

void chain_enc_blob(struct chain_enc *e, const void *p, size_t len);
void chain_enc_real(struct chain_enc *e, double v);

/* Appends every column of the current row of q except those named
 * chain_seq and chain_hash, by the storage class SQLite holds. */
void chain_enc_row(struct chain_enc *e, sqlite3_stmt *q);

/* Finishes the entry and writes its hash (hex + NUL). false on overflow. */
bool chain_enc_finish(struct chain_enc *e, char out[CHAIN_HEX_LEN + 1]);
/* The same, with the hash's 32 bytes in raw too. */
bool chain_enc_finish_raw(struct chain_enc *e, uint8_t raw[CHAIN_HEX_LEN / 2],
			  char out[CHAIN_HEX_LEN + 1]);

void chain_enc_free(struct chain_enc *e);

/* The 32 bytes that 64 hex characters (either case) spell: a chain hash
 * or a packet's SHA-256 as a schema-4 case stores it (a BLOB). false when
 * hex is not 64 hex characters. */
bool chain_hex_to_raw(const char *hex, uint8_t out[CHAIN_HEX_LEN / 2]);

/* The hash before the first entry: 64 '0' characters. */
extern const char chain_genesis[CHAIN_HEX_LEN + 1];

#endif
