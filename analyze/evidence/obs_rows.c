/*
 * obs_rows.c — what an observation of a layout-4 case refers to: the row
 * of the packet it cites (packets), that of its indicator value
 * (indicator_values) and that of its detail text (details), each written
 * once, with the first observation that needs it (docs/evidence.md, "The
 * case database"). They are not chain entries themselves: the entry of
 * each observation holds what they say (records.c).
 *
 * Finding them again costs no query in the usual case:
 *  - a packet is cited by several observations in a row, and a source's
 *    packets are met in file order, so one whose offset lies past every
 *    packet row of its source is new (the largest offset is read from
 *    the case when a source is first met); the others are looked up in a
 *    small cache of recent packets, then in the case (packets_at index),
 *    after the packet rows still waiting in their batch are inserted;
 *  - values and details repeat: a value observed before in this run is
 *    in the store's indicator counts with its id (indicator_counts.h,
 *    while they stay within their budget); others are looked up in a
 *    cache of recent (kind, value) pairs and one of recent details, then
 *    the case (indicator_values_kv and
 *    details_text indexes). Their rows are inserted one by one, so the
 *    case always holds every one written. Most of them are new, and for
 *    those even the lookup is spared: a bit per hash of every value (and
 *    detail) in the case, read once from the table when first needed,
 *    says "surely not there" when it is clear.
 * Everything cached is forgotten when a transaction is rolled back.
 */
#include "analyze/evidence/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	PACKET_SLOTS = 1024,     /* recent packets (power of two) */
	VALUE_SLOTS = 2048,      /* recent values (power of two); most are
	                            found in the indicator counts */
	DETAIL_SLOTS = 16384,    /* recent details (power of two): fewer
	                            than values, repeated more */
	TEXT_KEY_MAX = 512,      /* longer keys are not cached */
	SEEN_BITS_LOG2 = 20,     /* 128 KiB per table: few false "maybe"
	                            up to about a hundred thousand keys */
};

/* Every key of a table, as bits of their hashes: a clear bit means the
 * key is not in the table. (A set bit may be another key's: look.) */
struct seen {
	bool loaded;
	uint64_t bits[(1u << SEEN_BITS_LOG2) / 64];
};

struct packet_slot {
	int64_t source_id, id;   /* id 0: empty */
	uint64_t offset;
};

struct text_slot {
	uint64_t hash;
	int64_t id;              /* 0: empty */
	char *key;               /* kind, NUL, value; or a detail */
	size_t len;
};

struct obs_refs {
	struct packet_slot packets[PACKET_SLOTS];
	struct text_slot values[VALUE_SLOTS], details[DETAIL_SLOTS];
	struct seen values_seen, details_seen;
	int64_t source_id;       /* the source whose largest offset ... */
	uint64_t max_offset;     /* ... is this (when have_max) */
	bool have_max, any_packet;
};

struct obs_refs *obs_refs_create(void)
{
	return calloc(1, sizeof(struct obs_refs));
}

void obs_refs_clear(struct obs_refs *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < VALUE_SLOTS; i++)
		free(r->values[i].key);
	for (size_t i = 0; i < DETAIL_SLOTS; i++)
		free(r->details[i].key);
	memset(r, 0, sizeof *r);
}

void obs_refs_destroy(struct obs_refs *r)
{
	obs_refs_clear(r);
	free(r);
}

int obs_refs_prepare(struct store *st)
{
	if (st->layout != STORE_LAYOUT_NEW)
		return 0;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO indicator_values VALUES(?,?,?)",
			       -1, &st->ins_value, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO details VALUES(?,?)",
			       -1, &st->ins_detail, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT id FROM details WHERE text=?",
			       -1, &st->find_detail, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT id FROM indicator_values WHERE kind=?"
			       " AND value=?",
			       -1, &st->find_value, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT id FROM packets WHERE source_id=? AND"
			       " file_offset=?",
			       -1, &st->find_packet, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT count(*), max(file_offset) FROM packets"
			       " WHERE source_id=?",
			       -1, &st->max_offset, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

void obs_refs_finalize(struct store *st)
{
	sqlite3_finalize(st->ins_value);
	sqlite3_finalize(st->find_value);
	sqlite3_finalize(st->find_packet);
	sqlite3_finalize(st->max_offset);
	sqlite3_finalize(st->ins_detail);
	sqlite3_finalize(st->find_detail);
	st->ins_value = st->find_value = st->find_packet = NULL;
	st->max_offset = st->ins_detail = st->find_detail = NULL;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* A hash of n bytes, continued from h, eight bytes at a time (it picks
 * a cache slot; equal keys are compared in full). */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;
	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w ^ n) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* Runs the INSERT q (bound). 0, or -1 with st->err. */
static int insert(struct store *st, sqlite3_stmt *q, const char *what)
{
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step == SQLITE_DONE)
		return 0;
	store_fail(st, what);
	return -1;
}

/* Runs q (bound) for one integer: 1 found (*out), 0 none, -1 error. */
static int single_id(struct store *st, sqlite3_stmt *q, int64_t *out,
		     const char *what)
{
	int step = sqlite3_step(q);
	int rc = 0;
	if (step == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
		rc = 1;
	} else if (step != SQLITE_DONE) {
		store_fail(st, what);
		rc = -1;
	}
	sqlite3_reset(q);
	return rc;
}

/* Reads how far the packet rows of source_id reach. 0 or -1. */
static int load_max_offset(struct store *st, int64_t source_id)
{
	struct obs_refs *r = st->refs;
	if (store_flush_batch(st, &st->packets, "insert packet") != 0)
		return -1;
	sqlite3_bind_int64(st->max_offset, 1, source_id);
	int step = sqlite3_step(st->max_offset);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st->max_offset);
		store_fail(st, "read packets");
		return -1;
	}
	r->any_packet = sqlite3_column_int64(st->max_offset, 0) > 0;
	r->max_offset = (uint64_t)sqlite3_column_int64(st->max_offset, 1);
	sqlite3_reset(st->max_offset);
	r->source_id = source_id;
	r->have_max = true;
	return 0;
}

/* The id of an existing packet row at (source_id, offset): from the
 * cache or the case. 1 found, 0 none, -1 error. */
static int find_packet(struct store *st, int64_t source_id, uint64_t offset,
		       struct packet_slot *slot, int64_t *id)
{
	struct obs_refs *r = st->refs;
	if (slot->id && slot->source_id == source_id && slot->offset == offset) {
		*id = slot->id;
		return 1;
	}
	if (!r->any_packet || offset > r->max_offset)
		return 0; /* past every packet row of the source: new */
	if (store_flush_batch(st, &st->packets, "insert packet") != 0)
		return -1;
	sqlite3_bind_int64(st->find_packet, 1, source_id);
	sqlite3_bind_int64(st->find_packet, 2, (int64_t)offset);
	return single_id(st, st->find_packet, id, "read packets");
}

int64_t obs_packet_id(struct store *st, int64_t source_id,
		      const struct store_obs *o)
{
	struct obs_refs *r = st->refs;
	uint8_t sha[CHAIN_HEX_LEN / 2];
	/* first: a transaction begun now may find that another process
	 * wrote meanwhile (store_refresh_state forgets the cache then) */
	if (store_txn_begin(st) != 0)
		goto fail;
	if ((!r->have_max || r->source_id != source_id) &&
	    load_max_offset(st, source_id) != 0)
		goto fail;
	struct packet_slot *slot =
		&r->packets[mix((uint64_t)source_id * 0x9e3779b97f4a7c15ULL ^
				o->file_offset) & (PACKET_SLOTS - 1)];
	int64_t id;
	int found = find_packet(st, source_id, o->file_offset, slot, &id);
	if (found < 0)
		goto fail;
	if (found == 0) {
		if (o->packet_sha256_raw)
			memcpy(sha, o->packet_sha256_raw, sizeof sha);
		else if (!o->packet_sha256 ||
			 !chain_hex_to_raw(o->packet_sha256, sha)) {
			snprintf(st->err, sizeof st->err,
				 "%s: insert packet: its SHA-256 is not 64 hex "
				 "characters", st->path);
			goto fail;
		}
		id = st->next_packet_id;
		struct row_batch *b = &st->packets;
		row_batch_int(b, id);
		row_batch_int(b, source_id);
		row_batch_int(b, (int64_t)o->frame);
		row_batch_int(b, (int64_t)o->file_offset);
		row_batch_int(b, o->caplen);
		row_batch_int(b, (int64_t)o->ts_us);
		row_batch_blob(b, sha, sizeof sha);
		if (row_batch_end_row(b) &&
		    store_flush_batch(st, b, "insert packet") != 0)
			goto fail;
		st->next_packet_id++;
		if (!r->any_packet || o->file_offset > r->max_offset)
			r->max_offset = o->file_offset;
		r->any_packet = true;
	}
	*slot = (struct packet_slot){source_id, id, o->file_offset};
	return id;
fail:
	store_txn_rollback(st);
	return -1;
}

/* The hash of the key a (and, when b is not NULL, NUL and b). */
static uint64_t key_hash(const char *a, size_t alen, const char *b,
			 size_t blen)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ULL, a, alen);
	return b ? hash_bytes(h, b, blen) : h;
}

static size_t seen_bit(uint64_t hash)
{
	return (size_t)((hash * 0xff51afd7ed558ccdULL) >> (64 - SEEN_BITS_LOG2));
}

static void seen_add(struct seen *s, uint64_t hash)
{
	size_t b = seen_bit(hash);
	s->bits[b / 64] |= (uint64_t)1 << (b % 64);
}

/* True when the key of hash is surely not in the table. */
static bool seen_never(const struct seen *s, uint64_t hash)
{
	size_t b = seen_bit(hash);
	return s->loaded && !(s->bits[b / 64] & ((uint64_t)1 << (b % 64)));
}

/* Reads every key of the table (sql selects them: one or two text
 * columns) into s. 0 or -1. */
static int seen_load(struct store *st, struct seen *s, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read indicator values");
		return -1;
	}
	int step;
	bool two = sqlite3_column_count(q) == 2;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(q, 0);
		size_t alen = (size_t)sqlite3_column_bytes(q, 0);
		const char *b = two ? (const char *)sqlite3_column_text(q, 1)
				    : NULL;
		size_t blen = b ? (size_t)sqlite3_column_bytes(q, 1) : 0;
		if (a)
			seen_add(s, key_hash(a, alen + (two ? 1 : 0), b, blen));
	}
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "read indicator values");
		return -1;
	}
	s->loaded = true;
	return 0;
}

/* The cache slot for the key a (and, when b is not NULL, NUL and b):
 * *hash and *len set; *hit when the slot holds that key. */
static struct text_slot *text_slot(struct text_slot *slots, size_t nslots,
				   const char *a, const char *b, uint64_t *hash,
				   size_t *len, bool *hit)
{
	size_t alen = strlen(a) + (b ? 1 : 0), blen = b ? strlen(b) : 0;
	uint64_t h = key_hash(a, alen, b, blen);
	struct text_slot *slot = &slots[mix(h) & (nslots - 1)];
	*hash = h;
	*len = alen + blen;
	*hit = slot->id && slot->hash == h && slot->len == *len &&
	       !memcmp(slot->key, a, alen) &&
	       (!b || !memcmp(slot->key + alen, b, blen));
	return slot;
}

/* Keeps the key (a, b as text_slot() reads them) and its row id. */
static void text_keep(struct text_slot *slot, const char *a, const char *b,
		      uint64_t hash, size_t len, int64_t id)
{
	if (len > TEXT_KEY_MAX)
		return;
	char *key = slot->key && slot->len >= len ? slot->key
						  : realloc(slot->key, len);
	if (!key)
		return; /* the slot keeps what it held */
	size_t alen = strlen(a) + (b ? 1 : 0);
	memcpy(key, a, alen);
	if (b)
		memcpy(key + alen, b, len - alen);
	*slot = (struct text_slot){hash, id, key, len};
}

/* One of the tables of texts observations refer to by id, and how to
 * find and add its rows: indicator_values (a kind, b value) and details
 * (a the text, b NULL). */
struct text_table {
	struct text_slot *slots;
	size_t nslots;
	struct seen *seen;
	const char *load_sql;
	sqlite3_stmt **find, **ins;
	int64_t *next_id;
	const char *read_what, *insert_what;
};

/* The id of the row holding (a, b) in table t, added when it is not
 * there yet; -1 (the open batch rolled back) on an error. */
static int64_t text_id(struct store *st, const struct text_table *t,
		       const char *a, const char *b)
{
	uint64_t h;
	size_t len;
	bool hit;
	struct text_slot *slot = text_slot(t->slots, t->nslots, a, b, &h, &len,
					   &hit);
	if (hit)
		return slot->id;
	int64_t id;
	if (store_txn_begin(st) != 0 ||
	    (!t->seen->loaded && seen_load(st, t->seen, t->load_sql) != 0))
		goto fail;
	int found = 0;
	if (!seen_never(t->seen, h)) {
		sqlite3_bind_text(*t->find, 1, a, -1, SQLITE_STATIC);
		if (b)
			sqlite3_bind_text(*t->find, 2, b, -1, SQLITE_STATIC);
		found = single_id(st, *t->find, &id, t->read_what);
	}
	if (found < 0)
		goto fail;
	if (found == 0) {
		id = *t->next_id;
		sqlite3_bind_int64(*t->ins, 1, id);
		sqlite3_bind_text(*t->ins, 2, a, -1, SQLITE_STATIC);
		if (b)
			sqlite3_bind_text(*t->ins, 3, b, -1, SQLITE_STATIC);
		if (insert(st, *t->ins, t->insert_what) != 0)
			goto fail;
		(*t->next_id)++;
		seen_add(t->seen, h);
	}
	text_keep(slot, a, b, h, len, id);
	return id;
fail:
	store_txn_rollback(st);
	return -1;
}

int64_t obs_value_id(struct store *st, const char *kind, const char *value)
{
	/* the counts of this run hold every value observed so far, while
	 * they fit their budget, with its id */
	int64_t counted = indicator_counts_id(st->counts, kind, value);
	if (counted > 0)
		return counted;
	const struct text_table t = {
		st->refs->values, VALUE_SLOTS, &st->refs->values_seen,
		"SELECT kind, value FROM indicator_values",
		&st->find_value, &st->ins_value, &st->next_value_id,
		"read indicator values", "insert indicator value",
	};
	return text_id(st, &t, kind, value);
}

int64_t obs_detail_id(struct store *st, const char *detail)
{
	if (!detail)
		return 0;
	const struct text_table t = {
		st->refs->details, DETAIL_SLOTS, &st->refs->details_seen,
		"SELECT text FROM details",
		&st->find_detail, &st->ins_detail, &st->next_detail_id,
		"read details", "insert detail",
	};
	return text_id(st, &t, detail, NULL);
}
