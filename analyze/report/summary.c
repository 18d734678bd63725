/*
 * summary.c — the words of a report: the summary in ICD 203 language and
 * the list of what the packets cannot show, both written into the report
 * document so every format says the same thing.
 *
 * ICD 203 keeps likelihood and confidence apart: a likelihood sentence
 * ("it is likely that ...") never says how confident we are, and the
 * confidence sentence never uses a likelihood word. Phrases come from the
 * score document (docs/scoring.md, "ICD 203 phrase"); nothing here
 * recomputes a score.
 */
#include "analyze/report/report_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { SENTENCE = 2048 };

static int push(json_t *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a formatted sentence (its pieces already valid UTF-8). */
static int push(json_t *arr, const char *fmt, ...)
{
	char buf[SENTENCE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return json_array_append_new(arr, rj_text(buf)) == 0 ? 0 : -1;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static const char *hyp_name(const json_t *h)
{
	const char *n = rj_str(h, "name");
	return n[0] ? n : rj_str(h, "id");
}

/* Who the link sentences speak of: the name, except for the hypotheses
 * that name nobody. */
static const char *hyp_subject(const json_t *h)
{
	const char *type = rj_str(h, "type");
	if (!strcmp(type, "unknown"))
		return "an actor other than the named ones";
	if (!strcmp(type, "false-flag"))
		return "an actor imitating another (a false flag)";
	return hyp_name(h);
}

/* True when no evidence at all speaks to the link (vacuous opinion). */
static bool vacuous(const json_t *l)
{
	return rj_unit(l, "belief") == 0 && rj_unit(l, "disbelief") == 0;
}

/* One likelihood sentence for one link. */
static int link_sentence(json_t *arr, const json_t *h, const char *link)
{
	const json_t *l = rj_obj(rj_obj(h, "links"), link);
	char claim[SENTENCE / 2], b[16], pl[16], u[16], lo[16], hi[16];
	const char *phrase = rj_str(l, "phrase");
	report_link_claim(link, hyp_subject(h), claim, sizeof claim);
	report_fmt_prob(rj_unit(l, "belief"), b);
	report_fmt_prob(rj_unit(l, "plausibility"), pl);
	report_fmt_prob(rj_unit(l, "plausibility") - rj_unit(l, "belief"), u);
	json_t *ci = json_object_get(l, "ci90");
	report_fmt_prob(unit_clamp(json_number_value(json_array_get(ci, 0))), lo);
	report_fmt_prob(unit_clamp(json_number_value(json_array_get(ci, 1))), hi);
	if (!phrase[0] || !strcmp(phrase, "cannot judge"))
		return push(arr, "%s: we cannot judge whether %s; the evidence "
				 "leaves %s of the question open (belief %s, "
				 "plausibility %s).", link, claim, u, b, pl);
	const char *lead = !strcmp(phrase, "almost no chance") ? "there is"
			 : !strcmp(phrase, "roughly even chance")
				 ? "there is a"
				 : "it is";
	return push(arr, "%s: %s %s that %s (belief %s, plausibility %s; 90%% "
			 "interval %s–%s).", link, lead, phrase, claim, b, pl,
		    lo, hi);
}

/* Links grouped by confidence level, as one sentence without any
 * likelihood word. */
static int confidence_sentence(json_t *arr, const json_t *h)
{
	static const char *const levels[] = {"high", "moderate", "low"};
	char buf[SENTENCE] = "Confidence in these judgements is ";
	bool first = true;
	for (int lv = 0; lv < 3; lv++) {
		char links[64] = "";
		for (int i = 0; i < REPORT_LINKS; i++) {
			const json_t *l = rj_obj(rj_obj(h, "links"),
						 report_link_names[i]);
			if (strcmp(rj_str(l, "confidence"), levels[lv]) != 0)
				continue;
			size_t len = strlen(links);
			snprintf(links + len, sizeof links - len, "%s%s",
				 len ? ", " : "", report_link_names[i]);
		}
		if (!links[0])
			continue;
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, "%s%s on %s",
			 first ? "" : "; ", levels[lv], links);
		first = false;
	}
	if (first)
		return 0;
	size_t len = strlen(buf);
	snprintf(buf + len, sizeof buf - len,
		 ". Confidence says how much of each question the evidence "
		 "leaves open (its uncertainty), not which way it leans.");
	return push(arr, "%s", buf);
}

/* Names of the standards with a property, joined ("none" when empty). */
static void standards_where(const json_t *h, const char *key, bool want,
			    char *out, size_t n)
{
	size_t i;
	json_t *s;
	out[0] = '\0';
	json_array_foreach(rj_arr(h, "standards"), i, s) {
		if (rj_bool(s, key) != want)
			continue;
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? ", " : "",
			 rj_str(s, "name"));
	}
	if (!out[0])
		snprintf(out, n, "none");
}

static int standards_sentence(json_t *arr, const json_t *h)
{
	const json_t *chain = rj_obj(h, "chain");
	const json_t *joint = rj_obj(chain, "joint");
	const json_t *weak = rj_obj(chain, "weakest");
	char b[16], pl[16], wb[16], met[512], reach[512], out[512];
	report_fmt_prob(rj_unit(joint, "belief"), b);
	report_fmt_prob(rj_unit(joint, "plausibility"), pl);
	report_fmt_prob(rj_unit(weak, "belief"), wb);
	standards_where(h, "met", true, met, sizeof met);
	/* reachable and not met */
	reach[0] = out[0] = '\0';
	size_t i;
	json_t *s;
	json_array_foreach(rj_arr(h, "standards"), i, s) {
		if (rj_bool(s, "met"))
			continue;
		char *dst = rj_bool(s, "reachable") ? reach : out;
		size_t len = strlen(dst);
		snprintf(dst + len, 512 - len, "%s%s", len ? ", " : "",
			 rj_str(s, "name"));
	}
	if (push(arr, "State chain L1→L2→L3→L4: joint belief %s, plausibility "
		      "%s; weakest link %s (belief %s). Standards of proof met: "
		      "%s.", b, pl, rj_str(weak, "belief_link"), wb, met))
		return -1;
	if (reach[0] && push(arr, "Not met but still reachable if more "
				  "evidence came in: %s.", reach))
		return -1;
	if (out[0] && !strcmp(rj_str(h, "type"), "unknown"))
		return push(arr, "Out of reach unless the named hypotheses' "
				 "beliefs fall: their joint beliefs leave an "
				 "actor other than the named ones a "
				 "plausibility of %s: %s.", pl, out);
	if (out[0] && push(arr, "Out of reach on this evidence, whatever "
				"is added, because the disbelief already "
				"weighed caps the plausibility at %s: %s.",
			   pl, out))
		return -1;
	return 0;
}

static const char *flag_meaning(const char *flag)
{
	if (!strcmp(flag, "CONFLICT"))
		return "independent sources on this link contradict each "
		       "other, and the link cannot be settled until someone "
		       "explains the disagreement";
	if (!strcmp(flag, "FALSE_FLAG"))
		return "cheap, easily planted evidence points one way and "
		       "costly evidence the other, the pattern a deliberate "
		       "false flag leaves";
	return "a flag this version of the report does not know";
}

static int hypothesis_summary(json_t *out, const json_t *h)
{
	json_t *o = json_object(), *lik = json_array(), *conf = json_array(),
	       *std = json_array(), *flags = json_array();
	if (!o || json_array_append_new(out, o) != 0 ||
	    rj_set(o, "id", rj_text(rj_str(h, "id"))) ||
	    rj_set(o, "name", rj_text(hyp_name(h))) ||
	    rj_set(o, "likelihood", lik) || rj_set(o, "confidence", conf) ||
	    rj_set(o, "standards", std) || rj_set(o, "flags", flags))
		return -1;
	char empty[64] = "";
	int n_empty = 0;
	for (int i = 0; i < REPORT_LINKS; i++) {
		const char *name = report_link_names[i];
		if (vacuous(rj_obj(rj_obj(h, "links"), name))) {
			size_t len = strlen(empty);
			snprintf(empty + len, sizeof empty - len, "%s%s",
				 len ? ", " : "", name);
			n_empty++;
		} else if (link_sentence(lik, h, name)) {
			return -1;
		}
	}
	if (n_empty && push(lik, "%s: no evidence speaks to %s, so we cannot "
				 "judge %s (belief 0, plausibility 1).", empty,
			    n_empty > 1 ? "these links" : "this link",
			    n_empty > 1 ? "them" : "it"))
		return -1;
	if (confidence_sentence(conf, h) || standards_sentence(std, h))
		return -1;
	size_t i;
	json_t *f;
	json_array_foreach(rj_arr(h, "flags"), i, f)
		if (push(flags, "%s on %s: %s (%s).", rj_str(f, "flag"),
			 rj_str(f, "link"), flag_meaning(rj_str(f, "flag")),
			 rj_str(f, "detail")))
			return -1;
	return 0;
}

/* Evidence items by link class: packets (indicators) or not (claims). */
struct evidence_counts {
	uint64_t technical_low, technical_high, claims_low, claims_high;
	uint64_t on_link[REPORT_LINKS];
};

static void count_evidence(const json_t *hyps, struct evidence_counts *c)
{
	size_t i, j;
	json_t *h, *e;
	memset(c, 0, sizeof *c);
	json_array_foreach(hyps, i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			const char *link = rj_str(e, "link");
			bool claim = !strcmp(rj_str(e, "item_type"), "claim");
			bool low = !strcmp(link, "L1") || !strcmp(link, "L2");
			if (low)
				claim ? c->claims_low++ : c->technical_low++;
			else
				claim ? c->claims_high++ : c->technical_high++;
			for (int k = 0; k < REPORT_LINKS; k++)
				if (!strcmp(link, report_link_names[k]))
					c->on_link[k]++;
		}
	}
}

static bool named(const json_t *h)
{
	const char *t = rj_str(h, "type");
	return !strcmp(t, "actor") || !strcmp(t, "intrusion-set");
}

/* The L1/L2 answer first: who the evidence says holds the
 * infrastructure (L1) and operated it (L2), and what it leaves to
 * someone else. */
static int technical_answer(json_t *arr, const json_t *hyps)
{
	static const char *const what[2] = {"infrastructure (L1, packet → "
					    "infrastructure)",
					    "operator (L2, infrastructure → "
					    "operator)"};
	static const char *const link[2] = {"L1", "L2"};
	for (int k = 0; k < 2; k++) {
		const json_t *best = NULL, *other = NULL;
		size_t i;
		json_t *h;
		json_array_foreach(hyps, i, h) {
			const json_t *l = rj_obj(rj_obj(h, "links"), link[k]);
			if (!strcmp(rj_str(h, "type"), "unknown"))
				other = h;
			if (named(h) && (!best || rj_unit(l, "belief") >
					 rj_unit(rj_obj(rj_obj(best, "links"),
							link[k]), "belief")))
				best = h;
		}
		const json_t *bl = best ? rj_obj(rj_obj(best, "links"), link[k])
					: NULL;
		char b[16], pl[16], opl[16];
		report_fmt_prob(other ? rj_unit(rj_obj(rj_obj(other, "links"),
						       link[k]), "plausibility")
				      : 1.0, opl);
		if (!bl || rj_unit(bl, "belief") <= 0) {
			if (push(arr, "The %s: no named hypothesis has belief; "
				      "an actor other than the named ones keeps "
				      "plausibility %s.", what[k], opl))
				return -1;
			continue;
		}
		report_fmt_prob(rj_unit(bl, "belief"), b);
		report_fmt_prob(rj_unit(bl, "plausibility"), pl);
		if (push(arr, "The %s: best supported is %s (belief %s, "
			      "plausibility %s: %s); an actor other than the "
			      "named ones keeps plausibility %s.", what[k],
			 hyp_name(best), b, pl, rj_str(bl, "phrase"), opl))
			return -1;
	}
	return 0;
}

static int lead(json_t *arr, const json_t *doc)
{
	const json_t *v = rj_obj(doc, "verification");
	const json_t *hyps = rj_arr(doc, "hypotheses");
	if (!strcmp(rj_str(v, "status"), "tampered") &&
	    push(arr, "Warning: verification found this case TAMPERED (%s). "
		      "Nothing in this report can be relied on until that is "
		      "explained.", rj_str(v, "first_problem")))
		return -1;
	if (!rj_bool(doc, "scored")) {
		const char *why = rj_str(doc, "score_error");
		return push(arr, "No hypotheses were scored: %s. This report "
				 "shows the evidence only; run attrib score "
				 "with a model to weigh it.",
			    why[0] ? why : "the case has no score run");
	}
	const json_t *run = rj_obj(doc, "run");
	if (push(arr, "%zu hypotheses were scored (score run %lld, %s) "
		      "against %lld observations.", json_array_size(hyps),
		 (long long)rj_int(run, "id", 0), rj_str(run, "time"),
		 (long long)rj_int(doc, "observations", 0)))
		return -1;
	if (technical_answer(arr, hyps))
		return -1;
	const json_t *best = NULL;
	uint64_t meeting = 0;
	size_t i;
	json_t *h;
	json_array_foreach(hyps, i, h) {
		if (!named(h))
			continue;
		double b = rj_unit(rj_obj(rj_obj(h, "chain"), "joint"), "belief");
		if (!best || b > rj_unit(rj_obj(rj_obj(best, "chain"), "joint"),
					 "belief"))
			best = h;
		json_t *first = json_array_get(rj_arr(h, "standards"), 0);
		meeting += rj_bool(first, "met");
	}
	double best_b = best ? rj_unit(rj_obj(rj_obj(best, "chain"), "joint"),
				       "belief") : 0;
	if (best && best_b > 0) {
		char b[16];
		report_fmt_prob(best_b, b);
		if (push(arr, "The strongest attribution along the whole chain, "
			      "to a state, has a joint belief of %s (%s). %s",
			 b, hyp_name(best),
			 meeting ? "Some hypotheses meet the lowest standard "
				   "of proof; see each one below."
				 : "No hypothesis meets even the lowest "
				   "standard of proof."))
			return -1;
	} else if (best && push(arr, "No hypothesis has any belief along the "
				     "whole chain, to a state: no standard of "
				     "proof is met."))
		return -1;
	struct evidence_counts c;
	count_evidence(hyps, &c);
	uint64_t items = c.technical_low + c.claims_low + c.technical_high +
			 c.claims_high;
	if (json_array_size(hyps) > 0 && items == 0)
		return push(arr, "No model pattern matched this case's evidence "
				 "and the models give no claims: every link of "
				 "every hypothesis is entirely open.");
	if (push(arr, "Of the evidence scored, %llu packet indicator%s and "
		      "%llu other claim%s speak to L1–L2 (packet → "
		      "infrastructure → operator); %llu packet indicator%s and "
		      "%llu claim%s speak to L3, L3i and L4 (organisation, "
		      "individual, state).%s",
		 (unsigned long long)c.technical_low, plural(c.technical_low),
		 (unsigned long long)c.claims_low, plural(c.claims_low),
		 (unsigned long long)c.technical_high, plural(c.technical_high),
		 (unsigned long long)c.claims_high, plural(c.claims_high),
		 c.technical_high < c.technical_low
			 ? " Network telemetry reaches the first links; the "
			   "last ones rest on evidence from outside the traffic."
			 : ""))
		return -1;
	if (c.on_link[4] == 0 && json_array_size(hyps) > 0 &&
	    push(arr, "No evidence at all speaks to L4 (organisation → "
		      "state): every named hypothesis's state-chain belief "
		      "is therefore 0."))
		return -1;
	return 0;
}

/* ---- what the packets cannot show ---- */

static int limit(json_t *arr, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int limit(json_t *arr, const char *title, const char *fmt, ...)
{
	char buf[SENTENCE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:s, s:o}", "title", title, "text",
			      rj_text(buf));
	return o && json_array_append_new(arr, o) == 0 ? 0 : -1;
}

/* Observations of cheap kinds, all observations, and the cheap kinds. */
static void cheap_share(const json_t *doc, uint64_t *cheap, uint64_t *all,
			char *kinds, size_t n)
{
	size_t i;
	json_t *k;
	*cheap = *all = 0;
	kinds[0] = '\0';
	json_array_foreach(rj_arr(rj_obj(doc, "indicators"), "kinds"), i, k) {
		uint64_t obs = (uint64_t)rj_int(k, "observations", 0);
		*all += obs;
		if (strcmp(rj_str(k, "class"), "cheap") != 0)
			continue;
		*cheap += obs;
		size_t len = strlen(kinds);
		snprintf(kinds + len, n - len, "%s%s", len ? ", " : "",
			 rj_str(k, "kind"));
	}
}

static int limits(json_t *arr, const json_t *doc)
{
	const json_t *cs = rj_obj(doc, "case");
	const json_t *files = rj_obj(rj_obj(doc, "verification"),
				     "source_files");
	uint64_t cheap, all, missing = 0, unfinished = 0, not_run = 0;
	char kinds[1024];
	cheap_share(doc, &cheap, &all, kinds, sizeof kinds);
	if (limit(arr, "Who was at the keyboard",
		  "Packets show hosts, addresses and software, not people. "
		  "Nothing in the traffic identifies the individual operator "
		  "(L3i); that needs evidence such as seized devices, "
		  "accounts or testimony.") ||
	    limit(arr, "Who gave the orders",
		  "State responsibility (L4) turns on whether a state "
		  "instructed, directed or controlled the operation. No "
		  "packet carries that: it needs intelligence, seized "
		  "communications or an acknowledgement, rated like any "
		  "other source.") ||
	    limit(arr, "Whose infrastructure",
		  "Servers can be rented, compromised, shared or reached "
		  "through proxies and VPNs, so an address or name used by "
		  "one actor can be used by another; geolocation says where "
		  "a server is, not who uses it. Origin is not "
		  "attribution.") ||
	    limit(arr, "Planted clues",
		  "Cheap indicators (forgeability 0.5 or more) cost an "
		  "adversary nothing to plant or copy: user agents, JA3/JA4 "
		  "of common libraries, time zones and working hours. In "
		  "this case %llu of %llu observations are of cheap kinds "
		  "(%s); scoring lets them count only once, as one "
		  "common-cause class, and alone they never lift a "
		  "hypothesis above belief 0.5 whatever a model says.",
		  (unsigned long long)cheap, (unsigned long long)all,
		  kinds[0] ? kinds : "none") ||
	    limit(arr, "Content",
		  "Encrypted payloads (TLS, SSH, QUIC) are not read: attrib "
		  "sees handshakes and metadata only.") ||
	    limit(arr, "What was not captured",
		  "Only traffic that passed the capture point between %s and "
		  "%s is in the case; activity elsewhere, before or after is "
		  "not, and its absence here is not evidence of absence.",
		  rj_str(cs, "first_packet")[0] ? rj_str(cs, "first_packet")
						: "(no packets)",
		  rj_str(cs, "last_packet")[0] ? rj_str(cs, "last_packet")
					       : "(no packets)") ||
	    limit(arr, "Clocks",
		  "Packet times are the capturing host's clock; working-hours "
		  "and time-zone estimates inherit its errors and are cheap "
		  "to fake.") ||
	    limit(arr, "Integrity is not truth",
		  "The hash chain shows that the records were not changed "
		  "after attrib wrote them. It cannot show that the capture "
		  "reflects what happened on the network, or who ran "
		  "attrib.") ||
	    limit(arr, "Models",
		  "Scores are only as good as the models: the hypotheses, "
		  "the patterns and the reliability given to each source are "
		  "analysts' judgements, listed with their files' SHA-256 "
		  "under Method."))
		return -1;
	missing = (uint64_t)rj_int(files, "missing", 0);
	unfinished = (uint64_t)rj_int(files, "unfinished", 0);
	size_t i;
	json_t *s;
	json_array_foreach(rj_arr(doc, "sources"), i, s)
		not_run += rj_bool(doc, "scored") && !rj_bool(s, "in_latest_run");
	if (missing &&
	    limit(arr, "Missing capture files",
		  "%llu source file(s) no longer at the recorded path: "
		  "their hashes and cited packets could not be re-checked.",
		  (unsigned long long)missing))
		return -1;
	if (unfinished &&
	    limit(arr, "Unfinished ingest",
		  "%llu source(s) not read to the end (an interrupted "
		  "ingest); run the same ingest again to complete them.",
		  (unsigned long long)unfinished))
		return -1;
	if (not_run &&
	    limit(arr, "Evidence added after scoring",
		  "%llu source(s) ingested after the latest score run, so "
		  "its numbers do not include them: run attrib score again.",
		  (unsigned long long)not_run))
		return -1;
	if (json_array_size(rj_arr(doc, "not_evaluated")) &&
	    limit(arr, "Patterns not evaluated",
		  "%zu model pattern%s could not be evaluated against "
		  "packets (listed under Method): they neither support nor "
		  "contradict anything here.",
		  json_array_size(rj_arr(doc, "not_evaluated")),
		  json_array_size(rj_arr(doc, "not_evaluated")) == 1 ? "" : "s"))
		return -1;
	return 0;
}

int report_build_summary(json_t *doc)
{
	json_t *sum = json_object(), *ld = json_array(), *hyps = json_array(),
	       *lim = json_array();
	if (rj_set(doc, "summary", sum) || rj_set(sum, "lead", ld) ||
	    rj_set(sum, "hypotheses", hyps) || rj_set(doc, "limits", lim))
		return -1;
	if (lead(ld, doc) || limits(lim, doc))
		return -1;
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h)
		if (!report_hyp_collapsed(h) && hypothesis_summary(hyps, h))
			return -1;
	/* the hypotheses no evidence speaks to: one entry, one line */
	char line[900];
	report_collapsed_line(rj_arr(doc, "hypotheses"), line, sizeof line);
	if (line[0]) {
		json_t *o = json_object(), *lik = json_array();
		if (!o || json_array_append_new(hyps, o) != 0 ||
		    rj_set(o, "id", rj_text("")) ||
		    rj_set(o, "name", rj_text("Hypotheses with no evidence")) ||
		    rj_set(o, "likelihood", lik) ||
		    rj_set(o, "confidence", json_array()) ||
		    rj_set(o, "standards", json_array()) ||
		    rj_set(o, "flags", json_array()) || push(lik, "%s", line))
			return -1;
	}
	return 0;
}
