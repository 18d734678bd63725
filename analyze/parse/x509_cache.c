/*
 * x509_cache.c — the certificates a thread read last (x509_cache.h).
 */
#include "analyze/parse/x509_cache.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* One parse kept: the small fields as they are (the struct up to
 * subject_dn, padding included), then the used part of the subject,
 * issuer, SAN types and SAN text, one after the other in text[]. "Used"
 * is up to the last byte that is not zero: the parse starts from a
 * zeroed struct, so zeros past it restore it exactly. */
enum { HEAD = offsetof(struct x509_cert, subject_dn) };

struct entry {
	uint8_t key[32];
	uint64_t tick;            /* last use, for the choice of a victim */
	size_t bytes;             /* of the whole allocation */
	anomaly_set anomalies;
	bool read;
	char head[HEAD];          /* the struct up to subject_dn, as it is */
	size_t subject_len, issuer_len, types_len, sans_len;
	char text[];
};

struct cache {
	struct entry *sets[X509_CACHE_SETS][X509_CACHE_WAYS];
	uint64_t tick;
	size_t bytes;
	unsigned entries;
};

static _Thread_local struct cache *mine;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool have_key;

static void cache_free(void *p)
{
	struct cache *c = p;
	if (!c)
		return;
	for (size_t s = 0; s < X509_CACHE_SETS; s++)
		for (size_t w = 0; w < X509_CACHE_WAYS; w++)
			free(c->sets[s][w]);
	free(c);
}

static void make_key(void)
{
	have_key = pthread_key_create(&cache_key, cache_free) == 0;
}

/* This thread's cache, made on first use when make is true; NULL when
 * there is none (or memory is short). */
static struct cache *cache_get(bool make)
{
	if (mine || !make)
		return mine;
	pthread_once(&cache_once, make_key);
	if (!have_key)
		return NULL;
	struct cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (pthread_setspecific(cache_key, c) != 0) {
		free(c);
		return NULL;
	}
	mine = c;
	return c;
}

static size_t extent(const char *buf, size_t size)
{
	while (size > 0 && buf[size - 1] == 0)
		size--;
	return size;
}

static size_t set_of(const uint8_t key[32])
{
	return ((size_t)key[0] | (size_t)key[1] << 8) & (X509_CACHE_SETS - 1);
}

bool x509_cache_find(const uint8_t key[32], struct x509_cert *out,
		     bool *read, anomaly_set *anomalies)
{
	struct cache *c = cache_get(false);
	if (!c)
		return false;
	struct entry **set = c->sets[set_of(key)];
	for (size_t w = 0; w < X509_CACHE_WAYS; w++) {
		struct entry *e = set[w];
		if (!e || memcmp(e->key, key, sizeof e->key) != 0)
			continue;
		e->tick = ++c->tick;
		memset(out, 0, sizeof *out);
		memcpy(out, e->head, HEAD);
		const char *p = e->text;
		memcpy(out->subject_dn, p, e->subject_len);
		p += e->subject_len;
		memcpy(out->issuer_dn, p, e->issuer_len);
		p += e->issuer_len;
		memcpy(out->san_type, p, e->types_len);
		p += e->types_len;
		memcpy(out->sans, p, e->sans_len);
		*read = e->read;
		*anomalies |= e->anomalies;
		return true;
	}
	return false;
}

void x509_cache_keep(const uint8_t key[32], const struct x509_cert *cert,
		     bool read, anomaly_set anomalies)
{
	struct cache *c = cache_get(true);
	if (!c)
		return;
	size_t subject = extent(cert->subject_dn, sizeof cert->subject_dn);
	size_t issuer = extent(cert->issuer_dn, sizeof cert->issuer_dn);
	size_t sans = extent(cert->sans, sizeof cert->sans);
	size_t types = extent((const char *)cert->san_type,
			      sizeof cert->san_type);
	size_t bytes = sizeof(struct entry) + subject + issuer + sans + types;

	/* the victim: an empty way, else the least recently used */
	struct entry **set = c->sets[set_of(key)];
	size_t victim = 0;
	for (size_t w = 0; w < X509_CACHE_WAYS; w++) {
		if (!set[w]) {
			victim = w;
			break;
		}
		if (set[w]->tick < set[victim]->tick)
			victim = w;
	}
	size_t freed = set[victim] ? set[victim]->bytes : 0;
	if (c->bytes - freed + bytes > X509_CACHE_BYTES)
		return; /* the cache keeps what it holds */
	struct entry *e = malloc(bytes);
	if (!e)
		return;
	if (set[victim]) {
		c->bytes -= freed;
		c->entries--;
		free(set[victim]);
	}
	memcpy(e->key, key, sizeof e->key);
	e->tick = ++c->tick;
	e->bytes = bytes;
	e->anomalies = anomalies;
	e->read = read;
	memcpy(e->head, cert, HEAD);
	e->subject_len = subject;
	e->issuer_len = issuer;
	e->types_len = types;
	e->sans_len = sans;
	char *p = e->text;
	memcpy(p, cert->subject_dn, subject);
	p += subject;
	memcpy(p, cert->issuer_dn, issuer);
	p += issuer;
	memcpy(p, cert->san_type, types);
	p += types;
	memcpy(p, cert->sans, sans);
	set[victim] = e;
	c->bytes += bytes;
	c->entries++;
}

void x509_cache_usage(unsigned *entries, size_t *bytes)
{
	struct cache *c = cache_get(false);
	*entries = c ? c->entries : 0;
	*bytes = c ? c->bytes : 0;
}
