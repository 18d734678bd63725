/*
 * build.c — report_build(): assembles the report document from the case.
 *
 * Order: the report's own facts, the case's counts, the latest score run's
 * document (its keys copied to the top level, docs/report-format.md), the
 * case's sources, the cited observations' tshark commands, then the parts
 * built elsewhere (build_case.c: indicators, behaviour, timeline;
 * summary.c: summary and limits), verification and custody, and last the
 * list of caps.
 *
 * A score document that cannot be parsed or lacks the fields a report
 * needs is not rendered: the report says so (`score_error`) and carries
 * on with the evidence alone.
 */
#include "analyze/report/report_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/report_read.h"
#include "analyze/evidence/store.h"
#include "analyze/score/opinion.h"
#include "analyze/vocab/version.h"

struct build {
	struct store *st;
	const struct report_options *opt;
	json_t *doc, *caps;
	char *err;
	size_t errlen;
};

static unsigned cap_or(unsigned v, unsigned dflt)
{
	return v ? v : dflt;
}

void report_cap(json_t *caps, const char *what, uint64_t shown,
		uint64_t total, const char *how)
{
	json_t *c = json_pack("{s:s, s:I, s:I, s:s}", "what", what, "shown",
			      (json_int_t)shown, "total", (json_int_t)total,
			      "how", how);
	if (c)
		json_array_append_new(caps, c);
}

static int db_fail(struct build *b, const char *what)
{
	snprintf(b->err, b->errlen, "%s: %s", what, store_error(b->st));
	return -1;
}

/* ---- the score document ---- */

/* NULL when the hypothesis has what every renderer relies on. */
static const char *hypothesis_problem(const json_t *h)
{
	if (!json_is_object(h) || !rj_str_or_null(h, "id"))
		return "a hypothesis without an id";
	json_t *links = rj_obj(h, "links");
	for (int i = 0; i < REPORT_LINKS; i++) {
		json_t *l = rj_obj(links, report_link_names[i]);
		if (!l || !json_is_number(json_object_get(l, "belief")) ||
		    !json_is_number(json_object_get(l, "plausibility")))
			return "a hypothesis without all five links";
	}
	if (!rj_obj(h, "chain") || !rj_arr(h, "standards") ||
	    !rj_arr(h, "evidence"))
		return "a hypothesis without chain, standards or evidence";
	return NULL;
}

static const char *score_problem(const json_t *score)
{
	if (!json_is_object(score))
		return "not a JSON object";
	if (strcmp(rj_str(score, "format"), "attrib-score-1") != 0)
		return "format is not attrib-score-1";
	json_t *hyps = rj_arr(score, "hypotheses");
	if (!hyps)
		return "no hypotheses array";
	size_t i;
	json_t *h;
	json_array_foreach(hyps, i, h) {
		const char *p = hypothesis_problem(h);
		if (p)
			return p;
	}
	return NULL;
}

static json_t *default_standards(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < LEGAL_STANDARDS_DEFAULT_COUNT; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:f, s:b}", "name",
				     LEGAL_STANDARDS_DEFAULT[i].name,
				     "threshold",
				     LEGAL_STANDARDS_DEFAULT[i].threshold,
				     "strict", LEGAL_STANDARDS_DEFAULT[i].strict));
	return a;
}

/* Copies the latest score run's document into doc, or records why not. */
static int add_score(struct build *b, uint64_t observations)
{
	int64_t run_id = 0, ts_us = 0;
	char *text = NULL;
	size_t len = 0;
	int rc = report_read_latest_run(b->st, REPORT_MAX_SCORE_BYTES, &run_id,
					&ts_us, &text, &len);
	if (rc < 0)
		return db_fail(b, "read the latest score run");
	json_t *score = NULL;
	char problem[300] = "";
	if (rc == 2) {
		snprintf(problem, sizeof problem,
			 "score run %" PRId64 ": the document is larger than "
			 "%u bytes and was not read", run_id,
			 REPORT_MAX_SCORE_BYTES);
	} else if (rc == 1) {
		json_error_t jerr;
		score = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		const char *why = score ? score_problem(score) : jerr.text;
		if (why) {
			snprintf(problem, sizeof problem,
				 "score run %" PRId64 ": its document cannot be "
				 "rendered (%s)", run_id, why);
			json_decref(score);
			score = NULL;
		}
	}
	free(text);
	if (problem[0] && rj_set(b->doc, "score_error", rj_text(problem)))
		return -1;
	if (!score) {
		json_t *d = b->doc;
		if (rj_set(d, "scored", json_false()) ||
		    rj_set(d, "score_format", json_null()) ||
		    rj_set(d, "run", json_null()) ||
		    rj_set(d, "parameters", json_null()) ||
		    rj_set(d, "models", json_array()) ||
		    rj_set(d, "not_evaluated", json_array()) ||
		    rj_set(d, "scored_sources", json_array()) ||
		    rj_set(d, "observations",
			   json_integer((json_int_t)observations)) ||
		    rj_set(d, "standards", default_standards()) ||
		    rj_set(d, "hypotheses", json_array()))
			return -1;
		return 0;
	}
	static const char *const keys[] = {
		"run", "parameters", "models", "not_evaluated", "observations",
		"standards", "hypotheses"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(score, keys[i]);
		if (rj_set(b->doc, keys[i], v ? json_incref(v) : json_null())) {
			json_decref(score);
			return -1;
		}
	}
	json_t *srcs = rj_arr(score, "sources");
	rc = rj_set(b->doc, "scored_sources",
		    srcs ? json_incref(srcs) : json_array()) ||
	     rj_set(b->doc, "score_format", json_string("attrib-score-1")) ||
	     rj_set(b->doc, "scored", json_true());
	json_decref(score);
	return rc ? -1 : 0;
}

/* ---- sources ---- */

struct source_ctx {
	struct build *b;
	json_t *arr, *scored;
	int rc;
};

static bool in_scored(const json_t *scored, const char *sha)
{
	size_t i;
	json_t *s;
	json_array_foreach(scored, i, s)
		if (sha[0] && !strcmp(rj_str(s, "sha256"), sha))
			return true;
	return false;
}

static int add_source(void *ctx, const struct report_source_row *r)
{
	struct source_ctx *c = ctx;
	json_t *o = json_object();
	if (!o || json_array_append_new(c->arr, o) != 0)
		return -1;
	if (rj_set(o, "id", json_integer(r->id)) ||
	    rj_set(o, "path", rj_text(r->path)) ||
	    rj_set(o, "size", json_integer((json_int_t)r->size)) ||
	    rj_set(o, "sha256", r->sha256[0] ? rj_text(r->sha256)
					     : json_null()) ||
	    rj_set(o, "format", rj_text(r->format)) ||
	    rj_set(o, "linktype", rj_text(r->linktype_name)) ||
	    rj_set(o, "packets", json_integer((json_int_t)r->packets)) ||
	    rj_set(o, "first_packet", rj_time(r->first_ts_us, true)) ||
	    rj_set(o, "last_packet", rj_time(r->last_ts_us, true)) ||
	    rj_set(o, "status", rj_text(r->status)) ||
	    rj_set(o, "error", r->error[0] ? rj_text(r->error)
					   : json_null()) ||
	    rj_set(o, "ingested", rj_time(r->ingested_us, false)) ||
	    rj_set(o, "tool_version", rj_text(r->tool_version)) ||
	    rj_set(o, "pcap_version", rj_text(r->pcap_version)) ||
	    rj_set(o, "ndpi_version", rj_text(r->ndpi_version)) ||
	    rj_set(o, "clock_note", rj_text(r->clock_note)) ||
	    rj_set(o, "in_latest_run",
		   json_boolean(in_scored(c->scored, r->sha256))))
		return -1;
	return 0;
}

static int add_sources(struct build *b, uint64_t total)
{
	unsigned limit = b->opt->sources;
	struct source_ctx c = {.b = b, .arr = json_array(),
			       .scored = rj_arr(b->doc, "scored_sources")};
	if (rj_set(b->doc, "sources", c.arr))
		return -1;
	int rc = report_each_source(b->st, limit, add_source, &c);
	if (rc < 0)
		return rc == -1 && store_error(b->st)[0]
			       ? db_fail(b, "read sources") : -1;
	if (total > limit)
		report_cap(b->caps, "sources", limit, total,
			   "the first sources by id are listed");
	return 0;
}

/* The case's source with this SHA-256, or NULL. */
static const json_t *source_of(const json_t *doc, const char *sha)
{
	size_t i;
	json_t *s;
	json_array_foreach(rj_arr(doc, "sources"), i, s)
		if (sha[0] && !strcmp(rj_str(s, "sha256"), sha))
			return s;
	return NULL;
}

const char *report_source_path(const json_t *doc, const char *sha)
{
	return rj_str(source_of(doc, sha), "path");
}

static json_t *source_id_of(const json_t *doc, const char *sha)
{
	const json_t *s = source_of(doc, sha);
	return s ? json_integer(rj_int(s, "id", 0)) : json_null();
}

json_t *report_tshark(const json_t *doc, const char *sha, int64_t frame,
		      const char *decode_as)
{
	const char *path = report_source_path(doc, sha);
	if (!path[0] || frame <= 0)
		return json_null();
	char *q = report_shell_quote(path);
	if (!q)
		return NULL;
	json_t *cmd;
	if (decode_as && decode_as[0]) {
		char *d = report_shell_quote(decode_as);
		cmd = d ? json_sprintf("tshark -r %s -d %s -Y frame.number==%"
				       PRId64, q, d, frame)
			: NULL;
		free(d);
	} else {
		cmd = json_sprintf("tshark -r %s -Y frame.number==%" PRId64, q,
				   frame);
	}
	free(q);
	return cmd;
}

/* The observation's decode_as= hint, "" when none (or unreadable: the
 * command without -d still names the frame). */
static void decode_as_of(struct store *st, int64_t obs, char *out,
			 size_t size)
{
	if (!st || obs <= 0 || report_decode_as(st, obs, out, size) < 0)
		out[0] = '\0';
}

json_t *report_cite(struct store *st, const json_t *doc, int64_t obs,
		    const char *sha, uint64_t frame, int64_t ts_us)
{
	char decode_as[64];
	decode_as_of(st, obs, decode_as, sizeof decode_as);
	const char *path = report_source_path(doc, sha);
	json_t *c = json_object();
	if (!c)
		return NULL;
	if (rj_set(c, "observation", json_integer(obs)) ||
	    rj_set(c, "source_sha256", rj_text(sha)) ||
	    rj_set(c, "frame", json_integer((json_int_t)frame)) ||
	    rj_set(c, "ts", rj_time(ts_us, true)) ||
	    rj_set(c, "source_id", source_id_of(doc, sha)) ||
	    rj_set(c, "source_path", path[0] ? rj_text(path) : json_null()) ||
	    rj_set(c, "tshark",
		   report_tshark(doc, sha, (int64_t)frame, decode_as))) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* Gives every cited observation its source path and tshark command. */
static int add_tshark(struct build *b)
{
	size_t i, j, k;
	json_t *h, *e, *c;
	json_array_foreach(rj_arr(b->doc, "hypotheses"), i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			json_array_foreach(rj_arr(e, "cited"), k, c) {
				if (!json_is_object(c))
					continue;
				const char *sha = rj_str(c, "source_sha256");
				const char *path = report_source_path(b->doc, sha);
				char decode_as[64];
				decode_as_of(b->st,
					     rj_int(c, "observation", 0),
					     decode_as, sizeof decode_as);
				if (rj_set(c, "source_id",
					   source_id_of(b->doc, sha)) ||
				    rj_set(c, "source_path",
					   path[0] ? rj_text(path) : json_null()) ||
				    rj_set(c, "tshark",
					   report_tshark(b->doc, sha,
							 rj_int(c, "frame", 0),
							 decode_as)))
					return -1;
			}
		}
	}
	return 0;
}

/* ---- verification and custody ---- */

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? rj_text(s) : json_null();
}

static int add_verification(struct build *b, const struct report_verification *v)
{
	json_t *o = json_object();
	if (rj_set(b->doc, "verification", o))
		return -1;
	const char *status = !v || !v->done ? "not verified"
			     : v->tampered  ? "tampered"
					    : "intact";
	if (rj_set(o, "status", json_string(status)))
		return -1;
	if (!v || !v->done)
		return rj_set(o, "checked", json_null()) ||
		       rj_set(o, "head_seq", json_null()) ||
		       rj_set(o, "head_hash", json_null());
	json_t *files = json_pack(
		"{s:I, s:I, s:I, s:I, s:I}", "sources", (json_int_t)v->sources,
		"rehashed", (json_int_t)v->sources_rehashed, "changed",
		(json_int_t)v->sources_changed, "missing",
		(json_int_t)v->sources_missing, "unfinished",
		(json_int_t)v->sources_unfinished);
	json_t *packets = json_pack(
		"{s:I, s:I, s:I}", "reread", (json_int_t)v->packets_reread,
		"wrong", (json_int_t)v->packets_wrong, "not_checkable",
		(json_int_t)v->packets_not_checkable);
	if (rj_set(o, "checked", rj_time(v->checked_us, false)) ||
	    rj_set(o, "head_seq", json_integer((json_int_t)v->head_seq)) ||
	    rj_set(o, "head_hash", str_or_null(v->head_hash)) ||
	    rj_set(o, "chain_entries",
		   json_integer((json_int_t)v->chain_entries)) ||
	    rj_set(o, "head_file", str_or_null(v->head_file)) ||
	    rj_set(o, "head_file_checked", json_boolean(v->head_file_checked)) ||
	    rj_set(o, "head_file_result", str_or_null(v->head_file_result)) ||
	    rj_set(o, "integrity", str_or_null(v->integrity)) ||
	    rj_set(o, "source_files", files) ||
	    rj_set(o, "cited_packets", packets) ||
	    rj_set(o, "first_problem",
		   v->tampered ? str_or_null(v->first_problem) : json_null()) ||
	    rj_set(o, "method",
		   json_string("computed when the report was made: integrity "
			       "check, the whole hash chain recomputed and "
			       "compared with the head file, every source file "
			       "re-hashed, every cited packet re-read "
			       "(attrib verify's checks)")))
		return -1;
	return 0;
}

static int add_custody_row(void *ctx, const struct report_custody_row *r)
{
	json_t *arr = ctx;
	json_t *o = json_object();
	if (!o || json_array_append_new(arr, o) != 0)
		return -1;
	if (rj_set(o, "id", json_integer(r->id)) ||
	    rj_set(o, "time", rj_time(r->ts_us, false)) ||
	    rj_set(o, "action", rj_text(r->action)) ||
	    rj_set(o, "actor", rj_text(r->actor)) ||
	    rj_set(o, "host", rj_text(r->host)) ||
	    rj_set(o, "tool_version", rj_text(r->tool_version)) ||
	    rj_set(o, "arguments", rj_text(r->arguments)) ||
	    rj_set(o, "detail", rj_text(r->detail)))
		return -1;
	return 0;
}

static int add_custody(struct build *b, uint64_t total)
{
	unsigned limit = b->opt->custody;
	json_t *arr = json_array();
	if (rj_set(b->doc, "custody", arr) ||
	    rj_set(b->doc, "custody_total", json_integer((json_int_t)total)))
		return -1;
	int rc = report_each_custody(b->st, limit, add_custody_row, arr);
	if (rc < 0)
		return store_error(b->st)[0] ? db_fail(b, "read custody") : -1;
	if (total > limit)
		report_cap(b->caps, "custody entries", limit, total,
			   "the most recent entries are listed; attrib's "
			   "custody table holds them all");
	return 0;
}

/* ---- the document ---- */

static int add_head(struct build *b, const struct report_case_info *ci)
{
	const struct report_options *o = b->opt;
	json_t *rep = json_object(), *cs = json_object();
	if (rj_set(b->doc, "format", json_string("attrib-report-1")) ||
	    rj_set(b->doc, "report", rep) || rj_set(b->doc, "case", cs))
		return -1;
	if (rj_set(rep, "time", rj_time(o->now_us, false)) ||
	    rj_set(rep, "tool_version", json_string(ATTRIB_VERSION)) ||
	    rj_set(rep, "arguments", rj_text(o->arguments ? o->arguments : "")))
		return -1;
	if (rj_set(cs, "path", rj_text(o->case_path ? o->case_path : "")) ||
	    rj_set(cs, "note", o->case_note ? rj_text(o->case_note)
					    : json_null()) ||
	    rj_set(cs, "schema_version", json_integer(ci->schema_version)) ||
	    rj_set(cs, "sources", json_integer((json_int_t)ci->sources)) ||
	    rj_set(cs, "flows", json_integer((json_int_t)ci->flows)) ||
	    rj_set(cs, "observations",
		   json_integer((json_int_t)ci->observations)) ||
	    rj_set(cs, "custody_entries",
		   json_integer((json_int_t)ci->custody)) ||
	    rj_set(cs, "score_runs", json_integer((json_int_t)ci->score_runs)) ||
	    rj_set(cs, "first_packet", rj_time(ci->first_ts_us, true)) ||
	    rj_set(cs, "last_packet", rj_time(ci->last_ts_us, true)))
		return -1;
	return 0;
}

json_t *report_build(struct store *st, const struct report_verification *v,
		     const struct report_options *opt, char *err,
		     size_t errlen)
{
	struct report_options o = *opt;
	o.top_values = cap_or(o.top_values, REPORT_DEFAULT_TOP_VALUES);
	o.hosts = cap_or(o.hosts, REPORT_DEFAULT_HOSTS);
	o.beacons = cap_or(o.beacons, REPORT_DEFAULT_BEACONS);
	o.custody = cap_or(o.custody, REPORT_DEFAULT_CUSTODY);
	o.sources = cap_or(o.sources, REPORT_DEFAULT_SOURCES);
	o.timeline_bins = cap_or(o.timeline_bins, REPORT_DEFAULT_TIMELINE_BINS);
	struct build b = {.st = st, .opt = &o, .err = err, .errlen = errlen,
			  .doc = json_object(), .caps = json_array()};
	struct report_case_info ci;
	err[0] = '\0';
	if (!b.doc || !b.caps)
		goto fail;
	if (report_read_case_info(st, &ci) != 0) {
		db_fail(&b, "read the case");
		goto fail;
	}
	if (add_head(&b, &ci) || add_score(&b, ci.observations) ||
	    add_sources(&b, ci.sources) || add_tshark(&b) ||
	    report_build_case(st, b.doc, &o, b.caps, err, errlen) ||
	    add_verification(&b, v) || add_custody(&b, ci.custody) ||
	    rj_set(b.doc, "caps", json_incref(b.caps)) ||
	    report_build_summary(b.doc))
		goto fail;
	json_decref(b.caps);
	return b.doc;
fail:
	if (!err[0])
		snprintf(err, errlen, "building the report: out of memory");
	json_decref(b.caps);
	json_decref(b.doc);
	return NULL;
}
