/*
 * map.c — one alternative of a STIX pattern (comparisons joined by
 * AND) as one attrib matcher, or the reason it cannot be (stix.h;
 * docs/model-format.md, "STIX 2.1 input").
 *
 * A const table maps the object paths attrib observes to indicator kinds;
 * the custom object type x-attrib names any kind directly
 * ([x-attrib:'tls.ja3' = '…']). Each comparison becomes a constraint
 * (exact value, glob, CIDR, numeric range); constraints on one property
 * joined by AND are intersected when the result is again one constraint,
 * and reported otherwise: a pattern attrib cannot evaluate exactly is
 * never approximated.
 */
#include "analyze/intel/stix/stix.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyze/vocab/kinds.h"

/* How values of a property are written and compared. */
enum form {
	F_TEXT,   /* any text, compared exactly */
	F_NAME,   /* a DNS name (the matcher ignores case) */
	F_ADDR,   /* an IP address or CIDR network */
	F_ANSWER, /* a DNS answer: an address or a name */
	F_HEX40,  /* a SHA-1, lower-case hex */
	F_HEX32,  /* an MD5 fingerprint (JA3, JA3S, HASSH), lower-case hex */
	F_PERIOD, /* beacon period, seconds */
	F_OFFSET, /* working-hours UTC offset, hours */
};

/* A domain name: one pattern per kind that carries names. */
enum { KIND_DOMAIN = -3 };

static const int domain_kinds[] = {OBS_DNS_QUERY, OBS_TLS_SNI, OBS_HTTP_HOST};

static const struct path_map {
	const char *object;
	const char *step[5];     /* NULL-terminated */
	bool last_nocase;        /* the last step ignores case (header, hash) */
	int kind;                /* obs kind, MODEL_KIND_ANY_IP, KIND_DOMAIN */
	enum form form;
	int family;              /* F_ADDR: 4, 6, or 0 for either */
} paths[] = {
	{"ipv4-addr", {"value"}, false, MODEL_KIND_ANY_IP, F_ADDR, 4},
	{"ipv6-addr", {"value"}, false, MODEL_KIND_ANY_IP, F_ADDR, 6},
	{"domain-name", {"value"}, false, KIND_DOMAIN, F_NAME, 0},
	{"url", {"value"}, false, OBS_HTTP_URL, F_TEXT, 0},
	{"x509-certificate", {"hashes", "SHA-1"}, true, OBS_TLS_CERT_SHA1,
	 F_HEX40, 0},
	{"x509-certificate", {"subject"}, false, OBS_TLS_CERT_SUBJECT, F_TEXT,
	 0},
	{"x509-certificate", {"issuer"}, false, OBS_TLS_CERT_ISSUER, F_TEXT, 0},
	{"network-traffic",
	 {"extensions", "http-request-ext", "request_header", "User-Agent"},
	 true, OBS_HTTP_USER_AGENT, F_TEXT, 0},
	{"network-traffic",
	 {"extensions", "http-request-ext", "request_header", "Host"}, true,
	 OBS_HTTP_HOST, F_NAME, 0},
	/* attrib's own fingerprint SCO (its extension-definition:
	 * analyze/report/stix_out.c) */
	{"x-attrib-fingerprint", {"ja3"}, false, OBS_TLS_JA3, F_HEX32, 0},
	{"x-attrib-fingerprint", {"ja3s"}, false, OBS_TLS_JA3S, F_HEX32, 0},
	{"x-attrib-fingerprint", {"ja4"}, false, OBS_TLS_JA4, F_TEXT, 0},
	{"x-attrib-fingerprint", {"hassh"}, false, OBS_SSH_HASSH, F_HEX32, 0},
	{"network-traffic", {"src_ref", "value"}, false, OBS_IP_SRC, F_ADDR, 0},
	{"network-traffic", {"dst_ref", "value"}, false, OBS_IP_DST, F_ADDR, 0},
};

/* Object types of STIX Cyber-observables that packets do not carry as
 * attrib records them. */
static const char *const unobserved_types[] = {
	"artifact", "autonomous-system", "directory", "email-addr",
	"email-message", "file", "mac-addr", "mutex", "process", "software",
	"user-account", "windows-registry-key",
};

/* The value form of a kind named through x-attrib. */
static enum form kind_form(int kind)
{
	switch (kind) {
	case MODEL_KIND_ANY_IP:
	case OBS_IP_SRC:
	case OBS_IP_DST: return F_ADDR;
	case OBS_DNS_ANSWER: return F_ANSWER;
	case OBS_DNS_QUERY:
	case OBS_TLS_SNI:
	case OBS_HTTP_HOST: return F_NAME;
	case OBS_TLS_CERT_SHA1: return F_HEX40;
	case OBS_TLS_JA3:
	case OBS_TLS_JA3S:
	case OBS_SSH_HASSH: return F_HEX32;
	case OBS_BEACON: return F_PERIOD;
	case OBS_ACTIVITY_HOURS: return F_OFFSET;
	default: return F_TEXT;
	}
}

/* The link a kind speaks to unless the indicator says otherwise:
 * addresses and names locate infrastructure (L1); fingerprints,
 * certificates, agents and behaviour tie it to an operator's tooling
 * (L2), and so do working hours: packets speak to L1 and L2 only. */
static enum model_link kind_link(int kind)
{
	switch (kind) {
	case MODEL_KIND_ANY_IP:
	case KIND_DOMAIN:
	case OBS_IP_SRC:
	case OBS_IP_DST:
	case OBS_DNS_QUERY:
	case OBS_DNS_ANSWER:
	case OBS_TLS_SNI:
	case OBS_HTTP_HOST:
	case OBS_HTTP_URL: return MODEL_L1;
	default: return MODEL_L2;
	}
}

/* Writes a path as STIX writes it, quoting steps that need it. */
static void path_text(const struct stix_path *p, char *buf, size_t len)
{
	size_t o = 0;
	int n = snprintf(buf, len, "%s:", p->object);
	o = n < 0 ? 0 : (size_t)n;
	for (size_t i = 0; i < p->n_steps && o < len; i++) {
		const char *s = p->step[i];
		bool plain = s[0] && !isdigit((unsigned char)s[0]) &&
			     strspn(s, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
				     == strlen(s);
		const char *sep = i == 0 ? "" : ".";
		if (p->index[i])
			n = snprintf(buf + o, len - o, "[%s]",
				     s[0] == '*' ? "*" : "n");
		else if (plain)
			n = snprintf(buf + o, len - o, "%s%s", sep, s);
		else
			n = snprintf(buf + o, len - o, "%s'%.64s'", sep, s);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (p->too_long && o < len)
		snprintf(buf + o, len - o, "...");
}

struct target {
	int kind;
	enum form form;
	int family;
};

static bool path_is(const struct stix_path *p, const struct path_map *m)
{
	size_t n = 0;
	if (strcmp(p->object, m->object) != 0 || p->too_long)
		return false;
	while (n < 5 && m->step[n])
		n++;
	if (p->n_steps != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool nocase = m->last_nocase && i == n - 1;
		if (p->index[i] || (nocase ? strcasecmp(p->step[i], m->step[i])
					   : strcmp(p->step[i], m->step[i])))
			return false;
	}
	return true;
}

/* What a path observes; -1 with why when attrib does not observe it. */
static int resolve_path(const struct stix_path *p, struct target *t,
			char *why, size_t whylen)
{
	char text[256];
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (path_is(p, &paths[i])) {
			t->kind = paths[i].kind;
			t->form = paths[i].form;
			t->family = paths[i].family;
			return 0;
		}
	if (!strcmp(p->object, "x-attrib") && p->n_steps == 1 &&
	    !p->index[0] && !p->too_long) {
		int k = !strcmp(p->step[0], "ip") ? MODEL_KIND_ANY_IP
						  : obs_kind_parse(p->step[0]);
		if (k == -1) {
			snprintf(why, whylen, "x-attrib:'%.64s' is not an "
				 "attrib indicator kind", p->step[0]);
			return -1;
		}
		t->kind = k;
		t->form = kind_form(k);
		t->family = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof unobserved_types /
				       sizeof unobserved_types[0]; i++)
		if (!strcmp(p->object, unobserved_types[i])) {
			snprintf(why, whylen, "object type %s is not observed "
				 "in network traffic by attrib", p->object);
			return -1;
		}
	path_text(p, text, sizeof text);
	snprintf(why, whylen, "object path %s is not one attrib observes",
		 text);
	return -1;
}

/* ---- constraints ---- */

enum cons_type { C_NONE, C_EXACT, C_GLOB, C_CIDR, C_RANGE };

struct cons {
	enum cons_type type;
	char text[STIX_MAP_TEXT_MAX];
	uint8_t addr[16];
	int family, prefix_len;
	double lo, hi;
};

static const char *const never_reason =
	"the comparisons joined by AND can never all hold";

/* SQL LIKE to an fnmatch(3) glob: % is *, _ is ?, and the characters
 * fnmatch treats specially are escaped. */
static void like_to_glob(const char *like, char *out)
{
	size_t o = 0;
	for (const char *s = like; *s; s++) {
		if (*s == '%') {
			out[o++] = '*';
		} else if (*s == '_') {
			out[o++] = '?';
		} else {
			if (strchr("*?[]\\", *s))
				out[o++] = '\\';
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* Lower-case hex of exactly n digits into out; false otherwise. */
static bool hex_digest(const char *v, size_t n, char *out)
{
	size_t i;
	for (i = 0; v[i]; i++) {
		if (i >= n || !isxdigit((unsigned char)v[i]))
			return false;
		out[i] = (char)tolower((unsigned char)v[i]);
	}
	out[i] = '\0';
	return i == n;
}

/* An address or network value (exact, canonical text; or CIDR). */
static int addr_value(const char *v, int family, struct cons *c, char *why,
		      size_t whylen)
{
	uint8_t a[16];
	int fam, len;
	if (!model_parse_cidr(v, a, &fam, &len) ||
	    (family && fam != family)) {
		snprintf(why, whylen, "'%.64s' is not an %s address", v,
			 family == 6 ? "IPv6" : family == 4 ? "IPv4" : "IP");
		return -1;
	}
	if (len == (fam == 4 ? 32 : 128)) {
		c->type = C_EXACT;
		if (!inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, c->text,
			       sizeof c->text))
			return snprintf(why, whylen, "'%.64s': cannot write "
					"the address", v), -1;
	} else {
		c->type = C_CIDR;
		memcpy(c->addr, a, sizeof c->addr);
		c->family = fam;
		c->prefix_len = len;
	}
	return 0;
}

/* The constraint of one test on a property of form t. */
static int test_cons(const struct stix_test *x, const struct target *t,
		     struct cons *c, char *why, size_t whylen)
{
	const struct stix_value *v = x->value;
	bool numeric = t->form == F_PERIOD || t->form == F_OFFSET;
	memset(c, 0, sizeof *c);
	c->lo = -INFINITY;
	c->hi = INFINITY;
	if (x->cmp->negated || x->op == STIX_OP_NEQ)
		return snprintf(why, whylen, "negated comparisons (NOT, !=) "
				"are not evaluated"), -1;
	switch (x->op) {
	case STIX_OP_MATCHES:
		return snprintf(why, whylen, "MATCHES: regular expressions "
				"are not evaluated"), -1;
	case STIX_OP_ISSUPERSET:
		return snprintf(why, whylen, "ISSUPERSET is not evaluated"),
		       -1;
	case STIX_OP_EXISTS:
		return snprintf(why, whylen, "EXISTS is not evaluated"), -1;
	default:
		break;
	}
	if (numeric) {
		if (v->type != STIX_V_INT && v->type != STIX_V_FLOAT)
			return snprintf(why, whylen, "%s compares a %s with a "
					"non-number", stix_op_name(x->op),
					t->form == F_PERIOD ? "beacon period"
							    : "UTC offset"), -1;
		c->type = C_RANGE;
		switch (x->op) {
		case STIX_OP_EQ: c->lo = c->hi = v->num; break;
		case STIX_OP_GE: c->lo = v->num; break;
		case STIX_OP_GT: c->lo = nextafter(v->num, INFINITY); break;
		case STIX_OP_LE: c->hi = v->num; break;
		case STIX_OP_LT: c->hi = nextafter(v->num, -INFINITY); break;
		default:
			return snprintf(why, whylen, "%s does not apply to a "
					"number", stix_op_name(x->op)), -1;
		}
		return 0;
	}
	if (x->op != STIX_OP_EQ && x->op != STIX_OP_LIKE &&
	    x->op != STIX_OP_ISSUBSET)
		return snprintf(why, whylen, "%s is only evaluated on beacon "
				"periods and UTC offsets",
				stix_op_name(x->op)), -1;
	if (v->type != STIX_V_STRING)
		return snprintf(why, whylen, "%s compares with a value that "
				"is not a string", stix_op_name(x->op)), -1;
	if (v->len >= OBS_VALUE_MAX || v->len == 0)
		return snprintf(why, whylen, "the value is %s", v->len
				? "longer than any observation (1023 bytes)"
				: "empty"), -1;
	if (x->op == STIX_OP_LIKE) {
		c->type = C_GLOB;
		like_to_glob(v->text, c->text);
		return 0;
	}
	bool addr = t->form == F_ADDR ||
		    (t->form == F_ANSWER && model_parse_cidr(v->text, c->addr,
							     &c->family,
							     &c->prefix_len));
	if (x->op == STIX_OP_ISSUBSET) {
		if (t->form != F_ADDR && t->form != F_ANSWER)
			return snprintf(why, whylen, "ISSUBSET is only "
					"evaluated on IP addresses"), -1;
		if (!strchr(v->text, '/'))
			return snprintf(why, whylen, "ISSUBSET '%.64s': not a "
					"network (ADDRESS/LENGTH)", v->text),
			       -1;
		return addr_value(v->text, t->family, c, why, whylen);
	}
	if (addr)
		return addr_value(v->text, t->family, c, why, whylen);
	c->type = C_EXACT;
	if (t->form == F_HEX40 || t->form == F_HEX32) {
		size_t n = t->form == F_HEX40 ? 40 : 32;
		if (!hex_digest(v->text, n, c->text))
			return snprintf(why, whylen, "'%.64s' is not %zu hex "
					"digits", v->text, n), -1;
		return 0;
	}
	memcpy(c->text, v->text, v->len + 1);
	return 0;
}

static bool same_exact(const struct target *t, const char *a, const char *b)
{
	return t->form == F_NAME ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* acc = acc AND c when that is one constraint again; -1 with why
 * otherwise (including when it can never hold). */
static int intersect(const struct target *t, struct cons *acc,
		     const struct cons *c, char *why, size_t whylen)
{
	static const char *const cannot =
		"comparisons joined by AND are not evaluated unless they "
		"reduce to one value, network or range";
	if (acc->type == C_NONE) {
		*acc = *c;
		return 0;
	}
	const struct cons *a = acc, *b = c;
	if (b->type == C_EXACT && a->type != C_EXACT) {
		a = c;
		b = acc;
	} else if (b->type == C_CIDR && a->type == C_GLOB) {
		a = c;
		b = acc;
	}
	bool holds;
	switch (a->type) {
	case C_EXACT:
		if (b->type == C_EXACT)
			holds = same_exact(t, a->text, b->text);
		else if (b->type == C_GLOB)
			holds = fnmatch(b->text, a->text, 0) == 0;
		else if (b->type == C_CIDR)
			holds = model_addr_in(a->text, b->addr, b->family,
					      b->prefix_len);
		else
			goto cannot_combine;
		if (!holds)
			goto never;
		if (a != acc)
			*acc = *a;
		return 0;
	case C_CIDR:
		if (b->type != C_CIDR)
			goto cannot_combine;
		if (a->family != b->family)
			goto never;
		{
			const struct cons *wide = a->prefix_len <= b->prefix_len
							  ? a : b;
			const struct cons *narrow = wide == a ? b : a;
			char text[INET6_ADDRSTRLEN];
			if (!inet_ntop(narrow->family == 4 ? AF_INET
							    : AF_INET6,
				       narrow->addr, text, sizeof text) ||
			    !model_addr_in(text, wide->addr, wide->family,
					   wide->prefix_len))
				goto never;
			if (narrow != acc)
				*acc = *narrow;
		}
		return 0;
	case C_GLOB:
		if (b->type == C_GLOB && !strcmp(a->text, b->text))
			return 0;
		goto cannot_combine;
	case C_RANGE:
		if (b->type != C_RANGE)
			goto cannot_combine;
		acc->lo = fmax(a->lo, b->lo);
		acc->hi = fmin(a->hi, b->hi);
		if (acc->lo > acc->hi)
			goto never;
		return 0;
	default:
		goto cannot_combine;
	}
never:
	snprintf(why, whylen, "%s", never_reason);
	return -1;
cannot_combine:
	snprintf(why, whylen, "%s", cannot);
	return -1;
}

const char *stix_kind_name(int kind)
{
	return kind == MODEL_KIND_ANY_IP ? "ip"
					 : obs_kind_name((enum obs_kind)kind);
}

int stix_map_alt(const struct stix_alt *alt, struct stix_match *out,
		 char *why, size_t whylen)
{
	struct target first = {0}, t;
	struct cons acc, c;
	memset(out, 0, sizeof *out);
	memset(&acc, 0, sizeof acc);
	if (alt->reason || alt->n_tests == 0) {
		snprintf(why, whylen, "%s", alt->reason ? alt->reason
							: "no comparison");
		return -1;
	}
	for (size_t i = 0; i < alt->n_tests; i++) {
		const struct stix_test *x = &alt->tests[i];
		if (resolve_path(&x->cmp->path, &t, why, whylen) != 0)
			return -1;
		if (i == 0) {
			first = t;
		} else if (t.kind != first.kind || t.form != first.form ||
			   t.family != first.family) {
			char a[128], b[128];
			path_text(&alt->tests[0].cmp->path, a, sizeof a);
			path_text(&x->cmp->path, b, sizeof b);
			snprintf(why, whylen, "comparisons joined by AND on "
				 "different properties (%s, %s) are not "
				 "evaluated: attrib matches one property at a "
				 "time", a, b);
			return -1;
		}
		if (test_cons(x, &t, &c, why, whylen) != 0 ||
		    intersect(&t, &acc, &c, why, whylen) != 0)
			return -1;
	}
	if (acc.type == C_RANGE && (isinf(acc.lo) || isinf(acc.hi))) {
		snprintf(why, whylen, "a %s needs a lower and an upper bound "
			 "(x >= LO AND x <= HI)", first.form == F_PERIOD
			 ? "beacon period" : "UTC offset");
		return -1;
	}
	if (first.kind == KIND_DOMAIN) {
		_Static_assert(sizeof domain_kinds / sizeof domain_kinds[0]
				       <= STIX_MAP_MAX_KINDS,
			       "stix_match.kinds holds every domain kind");
		for (size_t i = 0; i < sizeof domain_kinds /
					       sizeof domain_kinds[0]; i++)
			out->kinds[out->n_kinds++] = domain_kinds[i];
	} else {
		out->kinds[0] = first.kind;
		out->n_kinds = 1;
	}
	out->link = kind_link(first.kind);
	switch (acc.type) {
	case C_EXACT: out->match = MODEL_MATCH_EXACT; break;
	case C_GLOB: out->match = MODEL_MATCH_GLOB; break;
	case C_CIDR: out->match = MODEL_MATCH_CIDR; break;
	default:
		out->match = first.form == F_PERIOD ? MODEL_MATCH_PERIOD
						    : MODEL_MATCH_UTC_OFFSET;
	}
	memcpy(out->text, acc.text, sizeof out->text);
	if (acc.type == C_CIDR) {
		char a[INET6_ADDRSTRLEN];
		if (!inet_ntop(acc.family == 4 ? AF_INET : AF_INET6, acc.addr,
			       a, sizeof a))
			a[0] = '\0';
		snprintf(out->text, sizeof out->text, "%s/%d", a,
			 acc.prefix_len);
	}
	memcpy(out->addr, acc.addr, sizeof out->addr);
	out->family = acc.family;
	out->prefix_len = acc.prefix_len;
	out->lo = acc.lo;
	out->hi = acc.hi;
	return 0;
}
