/*
 * match.c — one pass over a case's distinct indicator values against all
 * patterns of a model set (see match.h for the strategy).
 */
#include "analyze/intel/match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"

/* Longest key: kind, separator, a value of at most OBS_VALUE_MAX. */
enum { KEY_MAX = OBS_VALUE_MAX + 64 };

struct posting {
	char *key;
	size_t *pats;      /* flat pattern indices */
	size_t n, cap;
};

struct matcher {
	const struct model_set *ms;
	size_t *base;               /* flat index of hypothesis i's first */
	size_t n_flat;
	const struct model_pattern **flat;
	struct match_hit *hits;
	struct posting *table;      /* open addressing, power of two */
	size_t table_size, table_used;
	size_t *linear;             /* patterns tried one by one */
	size_t n_linear;
	uint8_t v4_lens[33], v6_lens[129]; /* CIDR prefix lengths in use */
	uint64_t feeds;             /* values fed so far */
	char last_kind[32];         /* the kind of the previous feed ... */
	int last_k;                 /* ... and its enum obs_kind */
	uint64_t *last_feed;        /* per pattern: the feed that last hit it */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static struct posting *slot_of(struct matcher *m, const char *key)
{
	size_t mask = m->table_size - 1;
	for (size_t i = fnv1a(key) & mask;; i = (i + 1) & mask) {
		struct posting *p = &m->table[i];
		if (!p->key || !strcmp(p->key, key))
			return p;
	}
}

static int table_grow(struct matcher *m)
{
	size_t old_size = m->table_size;
	struct posting *old = m->table;
	size_t size = old_size ? old_size * 2 : 1024;
	m->table = calloc(size, sizeof *m->table);
	if (!m->table) {
		m->table = old;
		return -1;
	}
	m->table_size = size;
	for (size_t i = 0; i < old_size; i++)
		if (old[i].key)
			*slot_of(m, old[i].key) = old[i];
	free(old);
	return 0;
}

static int table_add(struct matcher *m, const char *key, size_t flat)
{
	if ((m->table_used + 1) * 2 > m->table_size && table_grow(m) != 0)
		return -1;
	struct posting *p = slot_of(m, key);
	if (!p->key) {
		if (!(p->key = strdup(key)))
			return -1;
		m->table_used++;
	}
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 2;
		size_t *np = realloc(p->pats, ncap * sizeof *np);
		if (!np)
			return -1;
		p->pats = np;
		p->cap = ncap;
	}
	p->pats[p->n++] = flat;
	return 0;
}

static const struct posting *table_find(const struct matcher *m,
					const char *key)
{
	if (!m->table_size)
		return NULL;
	struct posting *p = slot_of((struct matcher *)m, key);
	return p->key ? p : NULL;
}

static bool kind_is_name(int k)
{
	return k == OBS_DNS_QUERY || k == OBS_DNS_ANSWER || k == OBS_TLS_SNI ||
	       k == OBS_HTTP_HOST || k == OBS_TLS_CERT_SUBJECT;
}

/* Lower-cases a name and drops one trailing dot. */
static void fold_name(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (; in[n] && n + 1 < size; n++)
		out[n] = (char)tolower((unsigned char)in[n]);
	if (n && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* "E<kind>\x1f<value>", "S<kind>\x1f<suffix>", "C<kind>\x1f<len>/<hex>" */
static void make_key(char *key, char tag, const char *kind, const char *v)
{
	size_t k = strlen(kind), n = strlen(v);
	if (1 + k + 1 + n >= KEY_MAX)
		n = KEY_MAX - 3 - k; /* values are < OBS_VALUE_MAX: never */
	key[0] = tag;
	memcpy(key + 1, kind, k);
	key[1 + k] = '\x1f';
	memcpy(key + 2 + k, v, n);
	key[2 + k + n] = '\0';
}

static void cidr_key(char *key, const char *kind, int family, int len,
		     const uint8_t *net)
{
	int n = snprintf(key, KEY_MAX, "C%s\x1f%d/%d/", kind, family, len);
	for (int i = 0; i < (family == 4 ? 4 : 16) && n < KEY_MAX - 3; i++)
		n += snprintf(key + n, (size_t)(KEY_MAX - n), "%02x", net[i]);
}

static const char *const ip_kinds[] = {"ip.src", "ip.dst", "dns.answer"};

static int index_pattern(struct matcher *m, const struct model_pattern *p,
			 size_t flat)
{
	char key[KEY_MAX], folded[OBS_VALUE_MAX];
	const char *kinds[3];
	size_t nk = 0;
	if (p->kind == MODEL_KIND_ANY_IP) {
		for (int i = 0; i < 3; i++)
			kinds[nk++] = ip_kinds[i];
	} else {
		kinds[nk++] = obs_kind_name((enum obs_kind)p->kind);
	}
	for (size_t i = 0; i < nk; i++) {
		int k = obs_kind_parse(kinds[i]);
		switch (p->match) {
		case MODEL_MATCH_EXACT:
			if (kind_is_name(k))
				fold_name(p->text, folded, sizeof folded);
			else
				snprintf(folded, sizeof folded, "%s", p->text);
			make_key(key, 'E', kinds[i], folded);
			break;
		case MODEL_MATCH_SUFFIX:
			fold_name(p->text, folded, sizeof folded);
			make_key(key, 'S', kinds[i], folded);
			break;
		case MODEL_MATCH_CIDR:
			cidr_key(key, kinds[i], p->family, p->prefix_len,
				 p->addr);
			if (p->family == 4)
				m->v4_lens[p->prefix_len] = 1;
			else
				m->v6_lens[p->prefix_len] = 1;
			break;
		default:
			return 0; /* tried one by one */
		}
		if (table_add(m, key, flat) != 0)
			return -1;
	}
	return 0;
}

struct matcher *matcher_create(const struct model_set *ms, char *err,
			       size_t errlen)
{
	struct matcher *m = calloc(1, sizeof *m);
	if (!m)
		goto oom;
	m->ms = ms;
	m->base = calloc(ms->n_hyps + 1, sizeof *m->base);
	if (!m->base)
		goto oom;
	for (size_t i = 0; i < ms->n_hyps; i++)
		m->base[i + 1] = m->base[i] + ms->hyps[i].n_patterns;
	m->n_flat = m->base[ms->n_hyps];
	m->flat = calloc(m->n_flat + 1, sizeof *m->flat);
	m->hits = calloc(m->n_flat + 1, sizeof *m->hits);
	m->linear = calloc(m->n_flat + 1, sizeof *m->linear);
	m->last_feed = calloc(m->n_flat + 1, sizeof *m->last_feed);
	if (!m->flat || !m->hits || !m->linear || !m->last_feed)
		goto oom;
	for (size_t i = 0; i < ms->n_hyps; i++)
		for (size_t j = 0; j < ms->hyps[i].n_patterns; j++) {
			const struct model_pattern *p = &ms->hyps[i].patterns[j];
			size_t flat = m->base[i] + j;
			m->flat[flat] = p;
			if (p->match == MODEL_MATCH_EXACT ||
			    p->match == MODEL_MATCH_SUFFIX ||
			    p->match == MODEL_MATCH_CIDR) {
				if (index_pattern(m, p, flat) != 0)
					goto oom;
			} else {
				m->linear[m->n_linear++] = flat;
			}
		}
	return m;
oom:
	snprintf(err, errlen, "out of memory compiling the model patterns");
	matcher_destroy(m);
	return NULL;
}

void matcher_destroy(struct matcher *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->table_size; i++) {
		free(m->table[i].key);
		free(m->table[i].pats);
	}
	for (size_t i = 0; m->hits && i < m->n_flat; i++)
		for (size_t j = 0; j < m->hits[i].n_values; j++) {
			free(m->hits[i].kind[j]);
			free(m->hits[i].value[j]);
		}
	free(m->table);
	free(m->base);
	free(m->flat);
	free(m->hits);
	free(m->linear);
	free(m->last_feed);
	free(m);
}

const struct match_hit *matcher_hit(const struct matcher *m, size_t hyp,
				    size_t pattern)
{
	return &m->hits[m->base[hyp] + pattern];
}

/* Records that value of kind matched pattern flat. A value is fed once,
 * but a pattern may be reached through two keys (ip: three kinds), so
 * the same (kind, value) is counted once per feed by the caller. */
static int hit(struct matcher *m, size_t flat, const char *kind,
	       const char *value, uint64_t count, uint64_t feed_id,
	       uint64_t *last_feed)
{
	if (last_feed[flat] == feed_id)
		return 0;
	last_feed[flat] = feed_id;
	struct match_hit *h = &m->hits[flat];
	h->matches += count;
	h->values_matched++;
	if (h->n_values < MATCH_MAX_VALUES) {
		h->kind[h->n_values] = strdup(kind);
		h->value[h->n_values] = strdup(value);
		if (!h->kind[h->n_values] || !h->value[h->n_values]) {
			free(h->kind[h->n_values]);
			free(h->value[h->n_values]);
			return -1;
		}
		h->n_values++;
	}
	return 0;
}

bool match_beacon_period(const char *value, double *seconds)
{
	const char *p = strstr(value, " period=");
	if (!p)
		return false;
	char *end;
	double s = strtod(p + 8, &end);
	if (end == p + 8 || *end != 's')
		return false;
	*seconds = s;
	return true;
}

bool match_hours_offset(const char *detail, int *offset_h)
{
	if (!detail || !strstr(detail, " informative=yes"))
		return false;
	const char *p = strstr(detail, "map_offset=");
	if (!p)
		return false;
	char *end;
	long v = strtol(p + 11, &end, 10);
	if (end == p + 11 || v < -12 || v > 14)
		return false;
	*offset_h = (int)v;
	return true;
}

static bool linear_matches(const struct matcher *m,
			   const struct model_pattern *p, int k,
			   const char *value, const char *detail)
{
	if (p->kind == MODEL_KIND_ANY_IP
		    ? !(k == OBS_IP_SRC || k == OBS_IP_DST || k == OBS_DNS_ANSWER)
		    : p->kind != k)
		return false;
	double period;
	int offset;
	const struct model_prefix *pf;
	switch (p->match) {
	case MODEL_MATCH_GLOB:
		return fnmatch(p->text, value, 0) == 0;
	case MODEL_MATCH_PERIOD:
		return match_beacon_period(value, &period) && period >= p->lo &&
		       period <= p->hi;
	case MODEL_MATCH_UTC_OFFSET:
		return match_hours_offset(detail, &offset) && offset >= p->lo &&
		       offset <= p->hi;
	case MODEL_MATCH_ASN:
		pf = model_prefix_lookup(m->ms, value);
		return pf && pf->asn == p->asn;
	case MODEL_MATCH_COUNTRY:
		pf = model_prefix_lookup(m->ms, value);
		return pf && !strcmp(pf->country, p->text);
	default:
		return false;
	}
}

static int feed_postings(struct matcher *m, const char *key,
			 const char *kind, const char *value, uint64_t count,
			 uint64_t feed_id, uint64_t *last)
{
	const struct posting *p = table_find(m, key);
	for (size_t i = 0; p && i < p->n; i++)
		if (hit(m, p->pats[i], kind, value, count, feed_id, last) != 0)
			return -1;
	return 0;
}

int matcher_feed(struct matcher *m, const char *kind, const char *value,
		 const char *detail, uint64_t count)
{
	char key[KEY_MAX], folded[OBS_VALUE_MAX];
	int k;
	if (!strcmp(kind, m->last_kind)) {
		k = m->last_k;
	} else {
		k = obs_kind_parse(kind);
		snprintf(m->last_kind, sizeof m->last_kind, "%s", kind);
		m->last_k = k;
	}
	if (k < 0 || strlen(value) >= OBS_VALUE_MAX)
		return 0;
	uint64_t *last = m->last_feed;
	uint64_t id = ++m->feeds;
	bool name = kind_is_name(k);
	if (name)
		fold_name(value, folded, sizeof folded);
	make_key(key, 'E', kind, name ? folded : value);
	if (feed_postings(m, key, kind, value, count, id, last) != 0)
		return -1;
	if (name) {
		for (const char *s = folded; s; s = strchr(s, '.')) {
			if (*s == '.')
				s++;
			make_key(key, 'S', kind, s);
			if (feed_postings(m, key, kind, value, count, id,
					  last) != 0)
				return -1;
		}
	}
	uint8_t addr[16], net[16];
	int fam = (k == OBS_IP_SRC || k == OBS_IP_DST || k == OBS_DNS_ANSWER)
			  ? model_parse_addr(value, addr)
			  : 0;
	for (int len = 0; fam && len <= (fam == 4 ? 32 : 128); len++) {
		if (!(fam == 4 ? m->v4_lens[len] : m->v6_lens[len]))
			continue;
		memcpy(net, addr, 16);
		for (int bit = len; bit < (fam == 4 ? 32 : 128); bit++)
			net[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
		cidr_key(key, kind, fam, len, net);
		if (feed_postings(m, key, kind, value, count, id, last) != 0)
			return -1;
	}
	for (size_t i = 0; i < m->n_linear; i++) {
		size_t flat = m->linear[i];
		if (linear_matches(m, m->flat[flat], k, value, detail) &&
		    hit(m, flat, kind, value, count, id, last) != 0)
			return -1;
	}
	return 0;
}
