/*
 * build_case.c — the parts of the report document read from the evidence
 * itself rather than from the score: indicators by kind with their
 * forgeability, activity by UTC hour, beacons with their inter-arrival
 * histograms, and the timeline of observations.
 *
 * Each part is bounded whatever the size of the case: the most frequent
 * values per kind, the busiest hosts, the highest-scoring beacons, a
 * fixed number of time bins; whatever is left out is counted in `caps`.
 * Values parsed back from observations (the behaviour extractor's
 * formats, analyze/extract/behaviour.c) are checked as they are read: a
 * value that does not parse is skipped, not trusted.
 */
#include "analyze/report/report_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/evidence/report_read.h"
#include "analyze/evidence/store.h"
#include "analyze/vocab/kinds.h"
#include "analyze/score/opinion.h"

enum { HIST_BINS = 30, HOURS = 24 };

struct part {
	struct store *st;
	json_t *doc, *caps;
	const struct report_options *opt;
	char *err;
	size_t errlen;
};

static int db_fail(struct part *p, const char *what)
{
	snprintf(p->err, p->errlen, "%s: %s", what, store_error(p->st));
	return -1;
}

/* The value of " key=" (or key= at the start) in a space-separated
 * detail string, copied into out; false when absent. */
static bool kv(const char *s, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	for (const char *p = s; (p = strstr(p, key)) != NULL; p++) {
		if ((p != s && p[-1] != ' ') || p[klen] != '=')
			continue;
		const char *v = p + klen + 1;
		size_t len = strcspn(v, " ");
		if (len >= n)
			len = n - 1;
		memcpy(out, v, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

static double kv_num(const char *s, const char *key, double dflt)
{
	char buf[64], *end;
	if (!kv(s, key, buf, sizeof buf))
		return dflt;
	double v = strtod(buf, &end);
	return end != buf ? v : dflt;
}

/* ---- indicators ---- */

struct kinds_ctx {
	struct part *p;
	json_t *arr;
	uint64_t shown, distinct;
};

static int add_value(void *ctx, const struct report_value_row *r)
{
	struct part *p = ((struct kinds_ctx *)ctx)->p;
	json_t *top = ((struct kinds_ctx *)ctx)->arr;
	json_t *o = json_object();
	if (!o || json_array_append_new(top, o) != 0)
		return -1;
	if (rj_set(o, "value", rj_text(r->value)) ||
	    rj_set(o, "count", json_integer((json_int_t)r->count)) ||
	    rj_set(o, "sources", json_integer((json_int_t)r->sources)) ||
	    rj_set(o, "first_seen", rj_time(r->first_ts_us, true)) ||
	    rj_set(o, "last_seen", rj_time(r->last_ts_us, true)) ||
	    rj_set(o, "cite", report_cite(p->st, p->doc, r->obs_id, r->source_sha256,
					  r->frame, r->first_ts_us)))
		return -1;
	return 0;
}

static int add_kind(void *ctx, const struct report_kind_row *r)
{
	struct kinds_ctx *c = ctx;
	json_t *o = json_object();
	if (!o || json_array_append_new(c->arr, o) != 0)
		return -1;
	int k = obs_kind_parse(r->kind);
	double f = k >= 0 ? obs_kind_forgeability((enum obs_kind)k) : 1;
	double s = k >= 0 ? obs_kind_specificity((enum obs_kind)k) : 0;
	if (rj_set(o, "kind", rj_text(r->kind)) ||
	    rj_set(o, "observations",
		   json_integer((json_int_t)r->observations)) ||
	    rj_set(o, "distinct", json_integer((json_int_t)r->distinct)) ||
	    rj_set(o, "forgeability", k >= 0 ? json_real(f) : json_null()) ||
	    rj_set(o, "specificity", k >= 0 ? json_real(s) : json_null()) ||
	    rj_set(o, "class", json_string(f >= OPINION_CHEAP_FORGEABILITY -
							OPINION_EPS
						? "cheap"
						: "costly")) ||
	    rj_set(o, "top", json_array()))
		return -1;
	c->distinct += r->distinct;
	c->shown += r->distinct < c->p->opt->top_values ? r->distinct
							: c->p->opt->top_values;
	return 0;
}

static int add_indicators(struct part *p)
{
	json_t *ind = json_object(), *kinds = json_array();
	struct kinds_ctx c = {.p = p, .arr = kinds};
	if (rj_set(p->doc, "indicators", ind) || rj_set(ind, "kinds", kinds))
		return -1;
	int rc = report_each_kind(p->st, add_kind, &c);
	if (rc != 0)
		return rc == -1 ? db_fail(p, "count observations") : -1;
	size_t i;
	json_t *k;
	json_array_foreach(kinds, i, k) {
		struct kinds_ctx vc = {.p = p, .arr = rj_arr(k, "top")};
		rc = report_each_top_value(p->st, rj_str(k, "kind"),
					   p->opt->top_values, add_value, &vc);
		if (rc != 0)
			return rc == -1 ? db_fail(p, "read indicator values")
					: -1;
	}
	if (rj_set(ind, "values_per_kind",
		   json_integer((json_int_t)p->opt->top_values)))
		return -1;
	if (c.distinct > c.shown)
		report_cap(p->caps, "distinct indicator values", c.shown,
			   c.distinct,
			   "the most frequent values of each kind are listed, "
			   "with counts; attrib indicators --kind KIND lists "
			   "every observation");
	return 0;
}

/* ---- activity by UTC hour ---- */

struct ranked {
	double key;
	json_t *obj;
};

/* Keeps the n highest keys in r[0..*used) (r holds n); takes obj. */
static void rank_keep(struct ranked *r, size_t n, size_t *used, double key,
		      json_t *obj)
{
	if (*used < n) {
		r[(*used)++] = (struct ranked){key, obj};
		return;
	}
	size_t min = 0;
	for (size_t i = 1; i < n; i++)
		if (r[i].key < r[min].key)
			min = i;
	if (n == 0 || key <= r[min].key) {
		json_decref(obj);
		return;
	}
	json_decref(r[min].obj);
	r[min] = (struct ranked){key, obj};
}

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->key;
	double y = ((const struct ranked *)b)->key;
	return x > y ? -1 : x < y;
}

struct hours_ctx {
	struct part *p;
	struct ranked *keep;
	size_t cap, used;
	uint64_t total[HOURS], hosts;
};

/* Parses "HOST utc_hours=c0,...,c23" into host and counts. */
static bool parse_hours(const char *value, char *host, size_t hn,
			uint64_t counts[HOURS])
{
	const char *sp = strstr(value, " utc_hours=");
	if (!sp || (size_t)(sp - value) >= hn)
		return false;
	memcpy(host, value, (size_t)(sp - value));
	host[sp - value] = '\0';
	const char *q = sp + strlen(" utc_hours=");
	for (int h = 0; h < HOURS; h++) {
		char *end;
		if (*q < '0' || *q > '9')
			return false;
		counts[h] = strtoull(q, &end, 10);
		if (*end != (h == HOURS - 1 ? '\0' : ','))
			return false;
		q = end + 1;
	}
	return true;
}

static int add_host(void *ctx, const struct report_obs_row *r)
{
	struct hours_ctx *c = ctx;
	char host[128], cred[256] = "", inf[8] = "";
	uint64_t counts[HOURS];
	if (!parse_hours(r->value, host, sizeof host, counts))
		return 0;
	c->hosts++;
	json_t *hours = json_array();
	for (int h = 0; h < HOURS; h++) {
		c->total[h] += counts[h];
		json_array_append_new(hours, json_integer((json_int_t)counts[h]));
	}
	double events = kv_num(r->detail, "events", 0);
	kv(r->detail, "credible90", cred, sizeof cred);
	kv(r->detail, "informative", inf, sizeof inf);
	json_t *o = json_object();
	if (!o || rj_set(o, "host", rj_text(host)) ||
	    rj_set(o, "by_utc_hour", hours) ||
	    rj_set(o, "events", json_integer((json_int_t)events)) ||
	    rj_set(o, "map_offset_h",
		   json_integer((json_int_t)kv_num(r->detail, "map_offset", 0))) ||
	    rj_set(o, "map_probability",
		   json_real(unit_clamp(kv_num(r->detail, "map_p", 0)))) ||
	    rj_set(o, "credible90", rj_text(cred)) ||
	    rj_set(o, "informative", json_boolean(!strcmp(inf, "yes"))) ||
	    rj_set(o, "cite", report_cite(c->p->st, c->p->doc, r->id, r->source_sha256,
					  r->frame, r->ts_us))) {
		json_decref(o);
		return -1;
	}
	rank_keep(c->keep, c->cap, &c->used, events, o);
	return 0;
}

static int add_activity(struct part *p)
{
	struct hours_ctx c = {.p = p, .cap = p->opt->hosts};
	c.keep = calloc(c.cap ? c.cap : 1, sizeof *c.keep);
	json_t *act = json_object(), *hosts = json_array(),
	       *total = json_array();
	int rc = -1;
	if (!c.keep || rj_set(p->doc, "activity", act) ||
	    rj_set(act, "hosts", hosts) || rj_set(act, "total_by_utc_hour", total))
		goto done;
	int wrc = report_each_observation_of_kind(p->st, "activity.hours",
						  UINT64_MAX, add_host, &c);
	if (wrc != 0) {
		if (wrc == -1)
			db_fail(p, "read activity hours");
		goto done;
	}
	qsort(c.keep, c.used, sizeof *c.keep, cmp_ranked);
	for (size_t i = 0; i < c.used; i++) {
		json_array_append_new(hosts, c.keep[i].obj);
		c.keep[i].obj = NULL;
	}
	for (int h = 0; h < HOURS; h++)
		json_array_append_new(total, json_integer((json_int_t)c.total[h]));
	if (rj_set(act, "hosts_total", json_integer((json_int_t)c.hosts)))
		goto done;
	if (c.hosts > c.used)
		report_cap(p->caps, "activity-hours hosts", c.used, c.hosts,
			   "the hosts with most connection starts are shown; "
			   "the total chart counts every host");
	rc = 0;
done:
	for (size_t i = 0; c.keep && i < c.used; i++)
		json_decref(c.keep[i].obj);
	free(c.keep);
	return rc;
}

/* ---- beacons ---- */

struct beacons_ctx {
	struct part *p;
	struct ranked *keep;
	size_t cap, used;
	uint64_t total;
};

/* The series key of a beacon value ("C->S:P[/proto] period=..." or
 * "C->NAME period=..."); the strings point into buf. */
static bool parse_series(const char *value, const char *series, char *buf,
			 size_t n, struct report_series_key *k)
{
	const char *end = strstr(value, " period=");
	const char *arrow = strstr(value, "->");
	if (!strcmp(series, "in-flow"))
		return false; /* bursts inside one flow: not stored as flows */
	if (!end || !arrow || arrow > end || (size_t)(end - value) >= n)
		return false;
	memcpy(buf, value, (size_t)(end - value));
	buf[end - value] = '\0';
	char *a = strstr(buf, "->");
	*a = '\0';
	k->client = buf;
	char *rest = a + 2;
	if (!strcmp(series, "name")) {
		k->name = rest;
		return rest[0] != '\0';
	}
	k->l4_proto = 6;
	char *slash = strrchr(rest, '/');
	if (slash && slash > strrchr(rest, ':')) {
		*slash++ = '\0';
		k->l4_proto = !strcmp(slash, "udp") ? 17 : atoi(slash);
	}
	char *colon = strrchr(rest, ':');
	if (!colon)
		return false;
	*colon = '\0';
	k->server_port = atoi(colon + 1);
	if (rest[0] == '[') {
		size_t len = strlen(rest);
		if (len < 2 || rest[len - 1] != ']')
			return false;
		rest[len - 1] = '\0';
		rest++;
	}
	k->server = rest;
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The histogram of inter-arrival times between beats (starts closer than
 * BEACON_SAME_BEAT_US to a beat's first start merge into it, as the
 * beacon judgement does), over [0, 3 × median) in HIST_BINS bins. */
static json_t *interval_histogram(int64_t *t, size_t n)
{
	size_t beats = 0;
	for (size_t i = 0; i < n; i++)
		if (beats == 0 || t[i] - t[beats - 1] >= BEACON_SAME_BEAT_US)
			t[beats++] = t[i];
	if (beats < 3)
		return json_null();
	size_t m = beats - 1;
	for (size_t i = 0; i < m; i++)
		t[i] = t[i + 1] - t[i]; /* intervals, µs */
	qsort(t, m, sizeof *t, cmp_i64);
	double median_s = (m % 2 ? (double)t[m / 2]
				 : ((double)t[m / 2 - 1] + (double)t[m / 2]) / 2) / 1e6;
	if (!(median_s > 0))
		return json_null();
	double width = 3 * median_s / HIST_BINS;
	uint64_t counts[HIST_BINS] = {0}, over = 0;
	for (size_t i = 0; i < m; i++) {
		double b = (double)t[i] / 1e6 / width;
		if (b >= HIST_BINS)
			over++;
		else
			counts[b < 0 ? 0 : (size_t)b]++;
	}
	json_t *c = json_array();
	for (int i = 0; i < HIST_BINS; i++)
		json_array_append_new(c, json_integer((json_int_t)counts[i]));
	return json_pack("{s:f, s:o, s:I, s:I, s:f}", "bin_seconds", width,
			 "counts", c, "overflow", (json_int_t)over, "intervals",
			 (json_int_t)m, "median_s", median_s);
}

static int add_beacon(void *ctx, const struct report_obs_row *r)
{
	struct beacons_ctx *c = ctx;
	const char *tail = strstr(r->value, " period=");
	if (!tail)
		return 0;
	c->total++;
	char series[16] = "pair";
	kv(r->detail, "series", series, sizeof series);
	double score = kv_num(tail + 1, "score", 0);
	json_t *o = json_object();
	if (!o || rj_set(o, "value", rj_text(r->value)) ||
	    rj_set(o, "series", rj_text(series)) ||
	    rj_set(o, "period_s", json_real(kv_num(tail + 1, "period", 0))) ||
	    rj_set(o, "jitter", json_real(kv_num(tail + 1, "jitter", 0))) ||
	    rj_set(o, "beats", json_integer((json_int_t)kv_num(tail + 1, "n", 0))) ||
	    rj_set(o, "score", json_real(unit_clamp(score))) ||
	    rj_set(o, "source_id", json_integer(r->source_id)) ||
	    rj_set(o, "cite", report_cite(c->p->st, c->p->doc, r->id, r->source_sha256,
					  r->frame, r->ts_us))) {
		json_decref(o);
		return -1;
	}
	rank_keep(c->keep, c->cap, &c->used, score, o);
	return 0;
}

/* Reads the flows of the beacon's series and adds its histogram. */
static int add_histogram(struct part *p, json_t *b, int64_t *times)
{
	char buf[OBS_VALUE_MAX + 8];
	struct report_series_key k = {.source_id = rj_int(b, "source_id", 0)};
	json_t *h = json_null();
	if (parse_series(rj_str(b, "value"), rj_str(b, "series"), buf,
			 sizeof buf, &k)) {
		size_t n = 0;
		if (report_series_times(p->st, &k, times, BEACON_MAX_TIMES,
					&n) != 0)
			return db_fail(p, "read a beacon's connections");
		h = interval_histogram(times, n);
	}
	json_object_del(b, "source_id");
	return rj_set(b, "intervals", h);
}

static int add_beacons(struct part *p)
{
	struct beacons_ctx c = {.p = p, .cap = p->opt->beacons};
	c.keep = calloc(c.cap ? c.cap : 1, sizeof *c.keep);
	int64_t *times = malloc(BEACON_MAX_TIMES * sizeof *times);
	json_t *obj = json_object(), *shown = json_array();
	int rc = -1;
	if (!c.keep || !times || rj_set(p->doc, "beacons", obj) ||
	    rj_set(obj, "shown", shown))
		goto done;
	int wrc = report_each_observation_of_kind(p->st, "beacon", UINT64_MAX,
						  add_beacon, &c);
	if (wrc != 0) {
		if (wrc == -1)
			db_fail(p, "read beacons");
		goto done;
	}
	qsort(c.keep, c.used, sizeof *c.keep, cmp_ranked);
	for (size_t i = 0; i < c.used; i++) {
		json_t *b = c.keep[i].obj;
		c.keep[i].obj = NULL;
		if (json_array_append_new(shown, b) != 0 ||
		    add_histogram(p, b, times) != 0)
			goto done;
	}
	if (rj_set(obj, "total", json_integer((json_int_t)c.total)))
		goto done;
	if (c.total > c.used)
		report_cap(p->caps, "beacons", c.used, c.total,
			   "the beacons with the highest regularity score are "
			   "shown with a histogram; attrib indicators --kind "
			   "beacon lists all");
	rc = 0;
done:
	for (size_t i = 0; c.keep && i < c.used; i++)
		json_decref(c.keep[i].obj);
	free(c.keep);
	free(times);
	return rc;
}

/* ---- timeline ---- */

static const char *const families[] = {"network", "dns", "tls", "http",
				       "ssh", "dpi", "behaviour", "anomaly",
				       "other"};
enum { FAMILIES = sizeof families / sizeof families[0] };

static int family_of(const char *kind)
{
	static const struct {
		const char *prefix;
		int family;
	} map[] = {{"ip.", 0}, {"dns.", 1}, {"tls.", 2}, {"http.", 3},
		   {"ssh.", 4}, {"ndpi.", 5}, {"beacon", 6},
		   {"activity.", 6}, {"anomaly", 7}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strncmp(kind, map[i].prefix, strlen(map[i].prefix)))
			return map[i].family;
	return FAMILIES - 1;
}

struct bins_ctx {
	uint64_t *counts; /* FAMILIES × bins */
	int64_t bins;
};

static int add_bin(void *ctx, int64_t bin, const char *kind, uint64_t n)
{
	struct bins_ctx *c = ctx;
	if (bin < 0)
		bin = 0;
	if (bin >= c->bins)
		bin = c->bins - 1;
	c->counts[(size_t)family_of(kind) * (size_t)c->bins + (size_t)bin] += n;
	return 0;
}

/* Marks on the timeline: the observations the hypotheses cite. */
static int add_marks(struct part *p, json_t *tl)
{
	enum { MAX_MARKS = 200 };
	json_t *marks = json_array();
	uint64_t total = 0;
	size_t i, j, k;
	json_t *h, *e, *c;
	if (rj_set(tl, "marks", marks))
		return -1;
	json_array_foreach(rj_arr(p->doc, "hypotheses"), i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			json_array_foreach(rj_arr(e, "cited"), k, c) {
				if (!report_parse_time(rj_str(c, "ts")))
					continue;
				if (++total > MAX_MARKS)
					continue;
				json_array_append_new(marks, json_pack(
					"{s:s, s:s, s:s, s:s, s:I}", "time",
					rj_str(c, "ts"), "hypothesis",
					rj_str(h, "id"), "item", rj_str(e, "id"),
					"link", rj_str(e, "link"), "observation",
					(json_int_t)rj_int(c, "observation", 0)));
			}
		}
	}
	if (total > MAX_MARKS)
		report_cap(p->caps, "timeline marks of cited observations",
			   MAX_MARKS, total,
			   "the first citations in hypothesis order are marked");
	return 0;
}

static int add_timeline(struct part *p)
{
	json_t *cs = rj_obj(p->doc, "case");
	int64_t t0 = report_parse_time(rj_str(cs, "first_packet"));
	int64_t t1 = report_parse_time(rj_str(cs, "last_packet"));
	json_t *tl = json_object(), *series = json_array();
	if (rj_set(p->doc, "timeline", tl) || rj_set(tl, "series", series))
		return -1;
	int64_t bins = p->opt->timeline_bins;
	if (t0 <= 0 || t1 < t0) {
		return rj_set(tl, "start", json_null()) ||
		       rj_set(tl, "end", json_null()) ||
		       rj_set(tl, "bin_seconds", json_null()) ||
		       rj_set(tl, "marks", json_array());
	}
	int64_t width = (t1 - t0) / bins + 1;
	struct bins_ctx c = {.bins = bins,
			     .counts = calloc((size_t)bins * FAMILIES,
					      sizeof(uint64_t))};
	if (!c.counts)
		return -1;
	int rc = report_each_time_bin(p->st, t0, width, add_bin, &c);
	if (rc != 0) {
		free(c.counts);
		return rc == -1 ? db_fail(p, "count observations by time") : -1;
	}
	for (int f = 0; f < FAMILIES; f++) {
		uint64_t *row = c.counts + (size_t)f * (size_t)bins, sum = 0;
		for (int64_t b = 0; b < bins; b++)
			sum += row[b];
		if (sum == 0)
			continue;
		json_t *a = json_array();
		for (int64_t b = 0; b < bins; b++)
			json_array_append_new(a, json_integer((json_int_t)row[b]));
		json_array_append_new(series, json_pack("{s:s, s:o, s:I}",
							"family", families[f],
							"counts", a, "total",
							(json_int_t)sum));
	}
	free(c.counts);
	if (rj_set(tl, "start", rj_time(t0, false)) ||
	    rj_set(tl, "end", rj_time(t1, false)) ||
	    rj_set(tl, "bin_seconds", json_real((double)width / 1e6)) ||
	    rj_set(tl, "bins", json_integer((json_int_t)bins)))
		return -1;
	return add_marks(p, tl);
}

int report_build_case(struct store *st, json_t *doc,
		      const struct report_options *opt, json_t *caps,
		      char *err, size_t errlen)
{
	struct part p = {.st = st, .doc = doc, .caps = caps, .opt = opt,
			 .err = err, .errlen = errlen};
	if (add_indicators(&p) || add_activity(&p) || add_beacons(&p) ||
	    add_timeline(&p))
		return -1;
	return 0;
}
