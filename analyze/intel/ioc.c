/*
 * ioc.c — the intel set (ioc.h): entries, their index, type detection
 * and normalisation, matching an observation, and the notes (files read,
 * files skipped, entries unsupported). The readers are ioc_read.c
 * (lists, CSV, Zeek, Suricata datasets, folders), ioc_misp.c and
 * ioc_model.c.
 */
#include "analyze/intel/ioc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"
#include "analyze/intel/model.h"

enum {
	IOC_VALUE_MAX = 4096,   /* longer values are unsupported */
	IOC_REASONS_MAX = 64,   /* distinct unsupported reasons kept */
};

struct ioc_node {
	size_t entry;
	struct ioc_node *next;
};

struct ioc_reason {
	char *reason;
	uint64_t count;
};

struct ioc_set {
	struct ioc_entry *entries;
	size_t n, cap;
	struct ioc_node **buckets;
	size_t nbuckets;
	struct ioc_node *nodes; /* one per entry, same index */
	bool cidr_len[2][129];  /* [v6][len]: prefix lengths in use */
	struct ioc_skip *skips;
	size_t n_skips, cap_skips;
	struct ioc_file *files;
	size_t n_files, cap_files;
	struct ioc_reason reasons[IOC_REASONS_MAX];
	size_t n_reasons;
	uint64_t reasons_other;
};

static const char *const type_names[IOC_TYPE_COUNT] = {
	"addr", "cidr", "domain", "domain-suffix", "url", "md5", "ja4",
	"sha1", "sha256", "user-agent", "software",
};

const char *ioc_type_name(enum ioc_type t)
{
	return (unsigned)t < IOC_TYPE_COUNT ? type_names[t] : "";
}

/* ---- detection and normalisation ---- */

static size_t hex_run(const char *s)
{
	size_t n = 0;
	while (isxdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* Hex digits of s with ':' between pairs allowed: the digit count, or 0
 * when anything else is in it. */
static size_t hex_digits(const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			n++;
		else if (*s != ':')
			return 0;
	}
	return n;
}

static bool is_ja4(const char *s)
{
	return strlen(s) == 36 && strchr("tqd", s[0]) && s[10] == '_' &&
	       s[23] == '_' && hex_run(s + 11) == 12 && hex_run(s + 24) == 12;
}

/* A name with a dot whose last label (the top-level domain, a trailing
 * dot aside) has a letter. */
static bool is_domain(const char *s)
{
	bool dot = false, tld_alpha = false;
	size_t n = 0;
	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (c == '.') {
			dot = true;
			if (s[1])
				tld_alpha = false;
		} else if (isalpha(c)) {
			tld_alpha = true;
		} else if (!isdigit(c) && c != '-' && c != '_' && c != '*') {
			return false;
		}
	}
	return dot && tld_alpha && n <= 253;
}

int ioc_detect(const char *v)
{
	uint8_t a[16];
	int fam, len;
	if (!v || !*v)
		return -1;
	if (strstr(v, "://"))
		return IOC_URL;
	if (strchr(v, '/') && model_parse_cidr(v, a, &fam, &len))
		return IOC_CIDR;
	if (model_parse_addr(v, a))
		return IOC_ADDR;
	if (is_ja4(v))
		return IOC_JA4;
	size_t h = hex_digits(v);
	if (h && (h == 32 || h == 40 || h == 64) &&
	    (strchr(v, ':') == NULL || h != 32))
		return h == 32 ? IOC_MD5 : h == 40 ? IOC_SHA1 : IOC_SHA256;
	if (!strncmp(v, "SSH-", 4))
		return IOC_SOFTWARE;
	if (is_domain(v))
		return v[0] == '*' ? IOC_DOMAIN_SUFFIX : IOC_DOMAIN;
	if (strchr(v, '/'))
		return IOC_USER_AGENT; /* product/version */
	return -1;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Writes the normalised value of v for type t into out; NULL reason on
 * success, else why the value cannot be used. */
static const char *normalise(enum ioc_type t, const char *v, char *out,
			     size_t n)
{
	uint8_t a[16];
	int fam, len;
	if (strlen(v) >= n)
		return "value too long";
	switch (t) {
	case IOC_ADDR:
		fam = model_parse_addr(v, a);
		if (!fam || !inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, out,
				       (socklen_t)n))
			return "not an address";
		return NULL;
	case IOC_CIDR: {
		char net[INET6_ADDRSTRLEN];
		if (!model_parse_cidr(v, a, &fam, &len) ||
		    !inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, net, sizeof net))
			return "not a network";
		snprintf(out, n, "%s/%d", net, len);
		return NULL;
	}
	case IOC_DOMAIN:
	case IOC_DOMAIN_SUFFIX: {
		const char *s = v;
		if (!strncmp(s, "*.", 2))
			s += 2;
		snprintf(out, n, "%s", s);
		size_t l = strlen(out);
		if (l && out[l - 1] == '.')
			out[--l] = '\0';
		lower(out);
		return l ? NULL : "empty name";
	}
	case IOC_URL: {
		const char *s = strstr(v, "://");
		s = s ? s + 3 : v;
		snprintf(out, n, "%s", s);
		char *slash = strchr(out, '/');
		if (slash)
			*slash = '\0';
		lower(out);
		if (slash) {
			*slash = '/';
		}
		return out[0] ? NULL : "empty URL";
	}
	case IOC_MD5:
	case IOC_SHA1:
	case IOC_SHA256: {
		size_t want = t == IOC_MD5 ? 32 : t == IOC_SHA1 ? 40 : 64, o = 0;
		if (hex_digits(v) != want)
			return "wrong length for its hash type";
		for (; *v; v++)
			if (*v != ':')
				out[o++] = (char)tolower((unsigned char)*v);
		out[o] = '\0';
		return NULL;
	}
	case IOC_JA4:
		snprintf(out, n, "%s", v);
		lower(out);
		return is_ja4(out) ? NULL : "not a JA4 fingerprint";
	case IOC_USER_AGENT:
	case IOC_SOFTWARE:
		snprintf(out, n, "%s", v);
		return out[0] ? NULL : "empty value";
	case IOC_TYPE_COUNT:
		break;
	}
	return "unknown type";
}

/* ---- the index ---- */

static uint64_t key_hash(enum ioc_type t, const char *v)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)t;
	for (; *v; v++)
		h = (h ^ (unsigned char)*v) * 1099511628211ULL;
	return h;
}

static int index_grow(struct ioc_set *s)
{
	size_t nb = 1024;
	while (nb < 2 * s->n)
		nb *= 2;
	struct ioc_node **b = calloc(nb, sizeof *b);
	if (!b)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		struct ioc_node *node = &s->nodes[i];
		const struct ioc_entry *e = &s->entries[i];
		size_t k = key_hash(e->type, e->value) & (nb - 1);
		node->next = b[k];
		b[k] = node;
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = nb;
	return 0;
}

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

int ioc_add(struct ioc_set *s, enum ioc_type type, const char *value,
	    const char *source, const char *entry, const char *note)
{
	char norm[IOC_VALUE_MAX];
	const char *why = normalise(type, value, norm, sizeof norm);
	if (why) {
		ioc_unsupported(s, why);
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct ioc_entry *e = realloc(s->entries, cap * sizeof *e);
		if (!e)
			return -1;
		s->entries = e;
		struct ioc_node *nodes = realloc(s->nodes, cap * sizeof *nodes);
		if (!nodes)
			return -1;
		s->nodes = nodes;
		s->cap = cap;
		/* nodes moved: rebuild the chains */
		free(s->buckets);
		s->buckets = NULL;
		s->nbuckets = 0;
	}
	struct ioc_entry *e = &s->entries[s->n];
	e->type = type;
	e->value = dup(norm);
	e->source = dup(source);
	e->entry = dup(entry);
	e->note = dup(note);
	if (!e->value || !e->source || !e->entry || !e->note) {
		free(e->value), free(e->source), free(e->entry), free(e->note);
		return -1;
	}
	s->n++;
	if (s->n_files)
		s->files[s->n_files - 1].entries++;
	if (type == IOC_CIDR) {
		const char *slash = strrchr(e->value, '/');
		int len = atoi(slash + 1);
		s->cidr_len[strchr(e->value, ':') != NULL][len] = true;
	}
	if (!s->buckets || s->n > s->nbuckets)
		return index_grow(s) == 0 ? 1 : -1;
	struct ioc_node *node = &s->nodes[s->n - 1];
	size_t k = key_hash(type, e->value) & (s->nbuckets - 1);
	node->entry = s->n - 1;
	node->next = s->buckets[k];
	s->buckets[k] = node;
	return 1;
}

/* Calls fn for every entry of type t with value v. */
static int probe(const struct ioc_set *s, enum ioc_type t, const char *v,
		 ioc_hit_fn fn, void *ctx)
{
	if (!s->nbuckets)
		return 0;
	size_t k = key_hash(t, v) & (s->nbuckets - 1);
	for (const struct ioc_node *n = s->buckets[k]; n; n = n->next) {
		const struct ioc_entry *e = &s->entries[n - s->nodes];
		if (e->type == t && !strcmp(e->value, v)) {
			int rc = fn(ctx, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- matching ---- */

static int match_addr(const struct ioc_set *s, const char *value,
		      ioc_hit_fn fn, void *ctx)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN], key[INET6_ADDRSTRLEN + 8];
	int fam = model_parse_addr(value, a);
	if (!fam)
		return 0;
	int af = fam == 4 ? AF_INET : AF_INET6;
	inet_ntop(af, a, text, sizeof text);
	int rc = probe(s, IOC_ADDR, text, fn, ctx);
	int max = fam == 4 ? 32 : 128;
	for (int len = max; rc == 0 && len >= 0; len--) {
		if (!s->cidr_len[fam == 6][len])
			continue;
		uint8_t m[16];
		memcpy(m, a, 16);
		for (int bit = len; bit < max; bit++)
			m[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
		inet_ntop(af, m, text, sizeof text);
		snprintf(key, sizeof key, "%s/%d", text, len);
		rc = probe(s, IOC_CIDR, key, fn, ctx);
	}
	return rc;
}

static int match_name(const struct ioc_set *s, const char *value,
		      ioc_hit_fn fn, void *ctx)
{
	char name[IOC_VALUE_MAX];
	if (normalise(IOC_DOMAIN, value, name, sizeof name))
		return 0;
	char *colon = strrchr(name, ':');
	if (colon && !strchr(name, ']') && strchr(name, ':') == colon)
		*colon = '\0'; /* "host:8080" */
	int rc = probe(s, IOC_DOMAIN, name, fn, ctx);
	for (const char *p = name; rc == 0 && p; ) {
		rc = probe(s, IOC_DOMAIN_SUFFIX, p, fn, ctx);
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return rc;
}

static int match_norm(const struct ioc_set *s, enum ioc_type t,
		      const char *value, ioc_hit_fn fn, void *ctx)
{
	char v[IOC_VALUE_MAX];
	if (normalise(t, value, v, sizeof v))
		return 0;
	return probe(s, t, v, fn, ctx);
}

int ioc_match(const struct ioc_set *s, const char *kind, const char *value,
	      ioc_hit_fn fn, void *ctx)
{
	int rc = 0;
	if (!strcmp(kind, "ip.src") || !strcmp(kind, "ip.dst"))
		return match_addr(s, value, fn, ctx);
	if (!strcmp(kind, "dns.answer")) {
		uint8_t a[16];
		return model_parse_addr(value, a) ? match_addr(s, value, fn, ctx)
						  : match_name(s, value, fn, ctx);
	}
	if (!strcmp(kind, "dns.query") || !strcmp(kind, "tls.sni") ||
	    !strcmp(kind, "http.host"))
		return match_name(s, value, fn, ctx);
	if (!strcmp(kind, "http.url"))
		return match_norm(s, IOC_URL, value, fn, ctx);
	if (!strcmp(kind, "tls.ja3") || !strcmp(kind, "tls.ja3s") ||
	    !strcmp(kind, "ssh.hassh"))
		return match_norm(s, IOC_MD5, value, fn, ctx);
	if (!strcmp(kind, "tls.ja4"))
		return match_norm(s, IOC_JA4, value, fn, ctx);
	if (!strcmp(kind, "tls.cert.sha1"))
		return match_norm(s, IOC_SHA1, value, fn, ctx);
	if (!strcmp(kind, "http.user_agent")) {
		rc = probe(s, IOC_USER_AGENT, value, fn, ctx);
		return rc ? rc : probe(s, IOC_SOFTWARE, value, fn, ctx);
	}
	if (!strcmp(kind, "ssh.banner")) {
		rc = probe(s, IOC_SOFTWARE, value, fn, ctx);
		const char *dash = !strncmp(value, "SSH-", 4)
					   ? strchr(value + 4, '-')
					   : NULL;
		return rc || !dash ? rc : probe(s, IOC_SOFTWARE, dash + 1, fn, ctx);
	}
	return 0;
}

/* ---- notes ---- */

void ioc_unsupported(struct ioc_set *s, const char *reason)
{
	for (size_t i = 0; i < s->n_reasons; i++)
		if (!strcmp(s->reasons[i].reason, reason)) {
			s->reasons[i].count++;
			goto counted;
		}
	if (s->n_reasons < IOC_REASONS_MAX &&
	    (s->reasons[s->n_reasons].reason = strdup(reason))) {
		s->reasons[s->n_reasons++].count = 1;
	} else {
		s->reasons_other++;
	}
counted:
	if (s->n_files)
		s->files[s->n_files - 1].unsupported++;
}

bool ioc_unsupported_at(const struct ioc_set *s, size_t i,
			const char **reason, uint64_t *count)
{
	if (i < s->n_reasons) {
		*reason = s->reasons[i].reason;
		*count = s->reasons[i].count;
		return true;
	}
	if (i == s->n_reasons && s->reasons_other) {
		*reason = "other reasons";
		*count = s->reasons_other;
		return true;
	}
	return false;
}

int ioc_skip(struct ioc_set *s, const char *path, const char *reason)
{
	if (s->n_skips == s->cap_skips) {
		size_t cap = s->cap_skips ? s->cap_skips * 2 : 16;
		struct ioc_skip *k = realloc(s->skips, cap * sizeof *k);
		if (!k)
			return -1;
		s->skips = k;
		s->cap_skips = cap;
	}
	struct ioc_skip *k = &s->skips[s->n_skips];
	k->path = strdup(path);
	k->reason = strdup(reason);
	if (!k->path || !k->reason) {
		free(k->path), free(k->reason);
		return -1;
	}
	s->n_skips++;
	return 0;
}

struct ioc_file *ioc_file_add(struct ioc_set *s, const char *path,
			      const char *format, const char *buf, size_t len)
{
	if (s->n_files == s->cap_files) {
		size_t cap = s->cap_files ? s->cap_files * 2 : 16;
		struct ioc_file *f = realloc(s->files, cap * sizeof *f);
		if (!f)
			return NULL;
		s->files = f;
		s->cap_files = cap;
	}
	struct ioc_file *f = &s->files[s->n_files];
	memset(f, 0, sizeof *f);
	if (!(f->path = strdup(path)))
		return NULL;
	f->format = format;
	digest_sha256_hex(buf, len, f->sha256);
	s->n_files++;
	return f;
}

size_t ioc_count(const struct ioc_set *s)
{
	return s->n;
}

const struct ioc_entry *ioc_entry_at(const struct ioc_set *s, size_t i)
{
	return &s->entries[i];
}

const struct ioc_skip *ioc_skips(const struct ioc_set *s, size_t *n)
{
	*n = s->n_skips;
	return s->skips;
}

const struct ioc_file *ioc_files(const struct ioc_set *s, size_t *n)
{
	*n = s->n_files;
	return s->files;
}

struct ioc_set *ioc_set_create(void)
{
	return calloc(1, sizeof(struct ioc_set));
}

void ioc_set_destroy(struct ioc_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->entries[i].value), free(s->entries[i].source);
		free(s->entries[i].entry), free(s->entries[i].note);
	}
	for (size_t i = 0; i < s->n_skips; i++)
		free(s->skips[i].path), free(s->skips[i].reason);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i].path);
	for (size_t i = 0; i < s->n_reasons; i++)
		free(s->reasons[i].reason);
	free(s->entries), free(s->nodes), free(s->buckets);
	free(s->skips), free(s->files);
	free(s);
}
