/*
 * flow_sort.c — flow starts put in series order in bounded memory
 * (flow_sort.h).
 *
 * A record is a struct rec followed by the client text, a NUL, the server
 * text and a NUL, padded to 8 bytes. Records are packed into the chunk;
 * a full chunk is sorted through an array of pointers (qsort with the
 * record's place as the last key, so equal rows keep their order) and
 * appended to one temporary file as a run. The merge reads every run
 * through a buffer of its own and repeatedly takes the least head.
 */
#include "analyze/evidence/flow_sort.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	CHUNK_MIN = 64 << 10,
	RUN_BUF_MIN = 4 << 10,
	RUN_BUF_MAX = 64 << 10,
};

struct rec {
	int64_t flow_id, source_id, ip_version, l4_proto;
	int64_t server_port, first_us, client_port, last_us;
	uint64_t seq;                /* place among the rows added */
	uint32_t client_len, server_len;
};

/* A run being merged: its bytes in the file, a window on them, and the
 * record at its head (in rec, grown to fit; live while there is one). */
struct run {
	off_t next, end;             /* file bytes not yet in buf */
	char *buf;
	size_t buf_len, buf_pos, buf_cap;
	struct rec *rec;
	size_t rec_cap;
	bool live;
};

struct flow_sort {
	enum store_flow_order order;
	char *chunk;                 /* records, packed */
	size_t chunk_cap, used;
	struct rec **ptrs;
	size_t nptrs, ptrs_cap;
	uint64_t seq;
	FILE *file;                  /* the runs, one after the other */
	off_t *run_ends;
	size_t nruns, runs_cap;
	bool done;
};

static size_t rec_size(uint32_t client_len, uint32_t server_len)
{
	size_t n = sizeof(struct rec) + client_len + 1 + server_len + 1;
	return (n + 7) & ~(size_t)7;
}

static const char *rec_client(const struct rec *r)
{
	return (const char *)(r + 1);
}

static const char *rec_server(const struct rec *r)
{
	return rec_client(r) + r->client_len + 1;
}

/* Bytewise, the shorter first on a common prefix: SQLite's BINARY. */
static int cmp_text(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int cmp_int(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_rec(enum store_flow_order order, const struct rec *a,
		   const struct rec *b)
{
	int c = cmp_int(a->ip_version, b->ip_version);
	if (!c)
		c = cmp_text(rec_client(a), a->client_len, rec_client(b),
			     b->client_len);
	if (!c && order == STORE_FLOWS_BY_PAIR) {
		c = cmp_text(rec_server(a), a->server_len, rec_server(b),
			     b->server_len);
		if (!c)
			c = cmp_int(a->server_port, b->server_port);
		if (!c)
			c = cmp_int(a->l4_proto, b->l4_proto);
	}
	if (!c)
		c = cmp_int(a->first_us, b->first_us);
	if (!c)
		c = cmp_int(a->flow_id, b->flow_id);
	if (!c)
		c = a->seq < b->seq ? -1 : a->seq > b->seq;
	return c;
}

static int cmp_by_pair(const void *pa, const void *pb)
{
	return cmp_rec(STORE_FLOWS_BY_PAIR, *(struct rec *const *)pa,
		       *(struct rec *const *)pb);
}

static int cmp_by_client(const void *pa, const void *pb)
{
	return cmp_rec(STORE_FLOWS_BY_CLIENT, *(struct rec *const *)pa,
		       *(struct rec *const *)pb);
}

static void sort_chunk(struct flow_sort *s)
{
	if (s->nptrs < 2)
		return; /* ptrs may be NULL: qsort() must not see it */
	qsort(s->ptrs, s->nptrs, sizeof *s->ptrs,
	      s->order == STORE_FLOWS_BY_PAIR ? cmp_by_pair : cmp_by_client);
}

struct flow_sort *flow_sort_create(enum store_flow_order order,
				   size_t chunk_bytes)
{
	struct flow_sort *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->order = order;
	s->chunk_cap = chunk_bytes < CHUNK_MIN ? CHUNK_MIN : chunk_bytes;
	return s;
}

void flow_sort_destroy(struct flow_sort *s)
{
	if (!s)
		return;
	free(s->chunk);
	free(s->ptrs);
	free(s->run_ends);
	if (s->file)
		fclose(s->file);
	free(s);
}

size_t flow_sort_runs(const struct flow_sort *s)
{
	return s->nruns;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "sorting flows: %s: %s", what,
		 errno ? strerror(errno) : "failed");
	return -1;
}

/* Sorts the chunk and appends it to the file as a run; empties it. */
static int spill(struct flow_sort *s, char *err, size_t errlen)
{
	errno = 0;
	if (!s->file && !(s->file = tmpfile()))
		return fail(err, errlen, "temporary file");
	if (s->nruns == s->runs_cap) {
		size_t cap = s->runs_cap ? 2 * s->runs_cap : 16;
		off_t *ends = realloc(s->run_ends, cap * sizeof *ends);
		if (!ends)
			return fail(err, errlen, "out of memory");
		s->run_ends = ends;
		s->runs_cap = cap;
	}
	sort_chunk(s);
	for (size_t i = 0; i < s->nptrs; i++) {
		const struct rec *r = s->ptrs[i];
		if (fwrite(r, rec_size(r->client_len, r->server_len), 1,
			   s->file) != 1)
			return fail(err, errlen, "temporary file");
	}
	if (fflush(s->file) != 0)
		return fail(err, errlen, "temporary file");
	off_t end = ftello(s->file);
	if (end < 0)
		return fail(err, errlen, "temporary file");
	s->run_ends[s->nruns++] = end;
	s->used = s->nptrs = 0;
	return 0;
}

int flow_sort_add(struct flow_sort *s, const struct flow_sort_row *row,
		  char *err, size_t errlen)
{
	errno = 0;
	if (row->client_len > FLOW_SORT_TEXT_MAX ||
	    row->server_len > FLOW_SORT_TEXT_MAX) {
		snprintf(err, errlen, "flow %lld: an address text longer "
			 "than %d bytes", (long long)row->flow_id,
			 FLOW_SORT_TEXT_MAX);
		return -1;
	}
	size_t need = rec_size((uint32_t)row->client_len,
			       (uint32_t)row->server_len);
	if (!s->chunk && !(s->chunk = malloc(s->chunk_cap)))
		return fail(err, errlen, "out of memory");
	if (s->used + need > s->chunk_cap && spill(s, err, errlen) != 0)
		return -1;
	if (s->nptrs == s->ptrs_cap) {
		size_t cap = s->ptrs_cap ? 2 * s->ptrs_cap : 1024;
		struct rec **p = realloc(s->ptrs, cap * sizeof *p);
		if (!p)
			return fail(err, errlen, "out of memory");
		s->ptrs = p;
		s->ptrs_cap = cap;
	}
	struct rec *r = (struct rec *)(s->chunk + s->used);
	*r = (struct rec){
		row->flow_id, row->source_id, row->ip_version, row->l4_proto,
		row->server_port, row->first_us, row->client_port,
		row->last_us, s->seq++, (uint32_t)row->client_len,
		(uint32_t)row->server_len,
	};
	char *t = (char *)(r + 1);
	memcpy(t, row->client ? row->client : "", row->client_len);
	t[row->client_len] = 0;
	memcpy(t + row->client_len + 1, row->server ? row->server : "",
	       row->server_len);
	t[row->client_len + 1 + row->server_len] = 0;
	s->used += need;
	s->ptrs[s->nptrs++] = r;
	return 0;
}

static int call(store_flow_start_fn fn, void *ctx, const struct rec *r)
{
	struct store_flow_start f = {
		.flow_id = r->flow_id, .source_id = r->source_id,
		.ip_version = (int)r->ip_version, .l4_proto = (int)r->l4_proto,
		.client = rec_client(r), .server = rec_server(r),
		.server_port = (unsigned)r->server_port,
		.first_us = r->first_us,
		.client_port = (unsigned)r->client_port, .last_us = r->last_us,
	};
	return fn(ctx, &f);
}

/* n bytes of the run into out. 1, 0 at the run's end, -1 on error. */
static int run_read(FILE *file, struct run *u, void *out, size_t n)
{
	char *o = out;
	while (n > 0) {
		if (u->buf_pos == u->buf_len) {
			if (u->next >= u->end)
				return 0;
			size_t want = u->buf_cap;
			if ((off_t)want > u->end - u->next)
				want = (size_t)(u->end - u->next);
			ssize_t got = pread(fileno(file), u->buf, want,
					    u->next);
			if (got <= 0) {
				if (got == 0)
					errno = EIO;
				return -1;
			}
			u->next += got;
			u->buf_len = (size_t)got;
			u->buf_pos = 0;
		}
		size_t k = u->buf_len - u->buf_pos;
		if (k > n)
			k = n;
		memcpy(o, u->buf + u->buf_pos, k);
		u->buf_pos += k;
		o += k;
		n -= k;
	}
	return 1;
}

/* Reads the run's next record into its head: 1, 0 at its end (not
 * live), -1 on error. */
static int run_advance(FILE *file, struct run *u)
{
	struct rec r;
	u->live = false;
	int got = run_read(file, u, &r, sizeof r);
	if (got <= 0)
		return got;
	if (r.client_len > FLOW_SORT_TEXT_MAX ||
	    r.server_len > FLOW_SORT_TEXT_MAX) {
		errno = EIO;
		return -1;
	}
	size_t size = rec_size(r.client_len, r.server_len);
	if (size > u->rec_cap) {
		struct rec *h = realloc(u->rec, size);
		if (!h)
			return -1;
		u->rec = h;
		u->rec_cap = size;
	}
	*u->rec = r;
	if (run_read(file, u, u->rec + 1, size - sizeof r) != 1) {
		errno = errno ? errno : EIO;
		return -1;
	}
	u->live = true;
	return 1;
}

/* A binary heap of the live runs, the least head first. */
struct heap {
	struct run **at;
	size_t n;
	enum store_flow_order order;
};

static bool less(const struct heap *h, size_t i, size_t j)
{
	return cmp_rec(h->order, h->at[i]->rec, h->at[j]->rec) < 0;
}

static void swap(struct heap *h, size_t i, size_t j)
{
	struct run *t = h->at[i];
	h->at[i] = h->at[j];
	h->at[j] = t;
}

static void sift_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && less(h, l, m))
			m = l;
		if (r < h->n && less(h, r, m))
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}

static int merge_runs(struct flow_sort *s, store_flow_start_fn fn, void *ctx,
		      char *err, size_t errlen)
{
	struct run *runs = calloc(s->nruns, sizeof *runs);
	struct heap h = {calloc(s->nruns, sizeof *h.at), 0, s->order};
	int rc = 0;
	if (!runs || !h.at)
		rc = fail(err, errlen, "out of memory");
	size_t buf = s->chunk_cap / (s->nruns ? s->nruns : 1);
	buf = buf < RUN_BUF_MIN ? RUN_BUF_MIN
	      : buf > RUN_BUF_MAX ? RUN_BUF_MAX : buf;
	for (size_t i = 0; i < s->nruns && rc == 0; i++) {
		struct run *u = &runs[i];
		u->next = i ? s->run_ends[i - 1] : 0;
		u->end = s->run_ends[i];
		u->buf_cap = buf;
		errno = 0;
		if (!(u->buf = malloc(buf)) || run_advance(s->file, u) < 0)
			rc = fail(err, errlen, "temporary file");
		else if (u->live)
			h.at[h.n++] = u;
	}
	for (size_t i = h.n; rc == 0 && i-- > 0;)
		sift_down(&h, i);
	while (rc == 0 && h.n > 0) {
		struct run *least = h.at[0];
		rc = call(fn, ctx, least->rec);
		errno = 0;
		if (rc == 0 && run_advance(s->file, least) < 0)
			rc = fail(err, errlen, "temporary file");
		if (rc == 0 && !least->live)
			h.at[0] = h.at[--h.n];
		if (rc == 0)
			sift_down(&h, 0);
	}
	for (size_t i = 0; runs && i < s->nruns; i++) {
		free(runs[i].buf);
		free(runs[i].rec);
	}
	free(runs);
	free(h.at);
	return rc;
}

int flow_sort_each(struct flow_sort *s, store_flow_start_fn fn, void *ctx,
		   char *err, size_t errlen)
{
	if (s->done) {
		snprintf(err, errlen, "sorting flows: read twice");
		return -1;
	}
	s->done = true;
	if (s->nruns == 0) {
		sort_chunk(s);
		for (size_t i = 0; i < s->nptrs; i++) {
			int rc = call(fn, ctx, s->ptrs[i]);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (s->nptrs > 0 && spill(s, err, errlen) != 0)
		return -1;
	free(s->chunk);
	free(s->ptrs);
	s->chunk = NULL;
	s->ptrs = NULL;
	s->nptrs = s->ptrs_cap = 0;
	return merge_runs(s, fn, ctx, err, errlen);
}
