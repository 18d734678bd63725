/*
 * case_behaviour.c — behaviour over a whole case, read from and written
 * to the store (case_behaviour.h).
 */
#include "analyze/ingest/case_behaviour.h"

#include <string.h>

#include "analyze/behaviour/recompute.h"
#include "analyze/evidence/flow_starts.h"
#include "analyze/evidence/store.h"

struct writer {
	struct store *st;
	struct behaviour_stats *stats;
	struct behaviour_pass *pass;
	int64_t span_first_us, span_last_us; /* of the case's flow starts */
};

static int write_reading(void *ctx, const struct behaviour_reading *r)
{
	struct writer *w = ctx;
	int has = store_has_observation(w->st, r->kind, r->value);
	if (has != 0)
		return has < 0 ? -1 : 0;
	struct store_cite cite;
	int found = store_flow_cite(w->st, r->flow_id, r->source_id, r->client,
				    r->server, &cite);
	if (found <= 0) {
		w->stats->uncited += found == 0;
		return found;
	}
	cite.obs.kind = r->kind;
	cite.obs.value = r->value;
	cite.obs.detail = r->detail;
	if (store_observation(w->st, cite.source_id, &cite.obs) != 0)
		return -1;
	w->stats->written++;
	if (!strcmp(r->kind, "beacon"))
		w->stats->beacons_written++;
	else
		w->stats->hours_written++;
	return 0;
}

static int feed(void *ctx, const struct store_flow_start *f)
{
	struct writer *w = ctx;
	struct behaviour_flow b = {
		.flow_id = f->flow_id, .source_id = f->source_id,
		.ip_version = f->ip_version, .l4_proto = f->l4_proto,
		.client = f->client, .server = f->server,
		.server_port = f->server_port, .first_us = f->first_us,
		.client_port = f->client_port, .last_us = f->last_us,
	};
	return behaviour_pass_add(w->pass, &b);
}

/* One pass over the flows in the order it needs. 0 or -1. */
static int run_pass(struct writer *w, enum behaviour_pass_kind kind,
		    enum store_flow_order order)
{
	w->pass = behaviour_pass_create(kind, write_reading, w);
	if (!w->pass)
		return -1;
	behaviour_pass_set_span(w->pass, w->span_first_us, w->span_last_us);
	int rc = store_each_flow_start(w->st, order, feed, w);
	if (rc == 0)
		rc = behaviour_pass_finish(w->pass);
	w->stats->judged += behaviour_pass_judged(w->pass);
	behaviour_pass_destroy(w->pass);
	w->pass = NULL;
	return rc == 0 ? 0 : -1;
}

int case_behaviour_recompute(struct store *st, struct behaviour_stats *out)
{
	memset(out, 0, sizeof *out);
	struct writer w = {st, out, NULL, 0, 0};
	if (store_flow_start_span(st, &w.span_first_us, &w.span_last_us) != 0 ||
	    run_pass(&w, BEHAVIOUR_PAIRS, STORE_FLOWS_BY_PAIR) != 0 ||
	    run_pass(&w, BEHAVIOUR_HOSTS, STORE_FLOWS_BY_CLIENT) != 0)
		return -1;
	return store_commit(st);
}
