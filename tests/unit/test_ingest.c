/*
 * test_ingest.c — cmocka tests of the ingest's pieces that must hold for
 * the evidence not to depend on --jobs: the shard of a packet (both
 * directions, same host pair → same worker), the order key of records
 * (a merge of per-worker sorted batches equals one sorted batch), the
 * writer's id map (random operations against a plain array), and the
 * bounded queue between two threads (FIFO, nothing lost, close wakes;
 * the calls that never wait, and a free list of items going round).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/flow/flow_key.h"
#include "analyze/ingest/events.h"
#include "analyze/ingest/idmap.h"
#include "analyze/ingest/queue.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void random_packet(struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->ip_version = rnd() % 2 ? 4 : 6;
	size_t n = p->ip_version == 4 ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		p->src[i] = (uint8_t)(rnd() % 4); /* few hosts: many pairs */
		p->dst[i] = (uint8_t)(rnd() % 4);
	}
	p->sport = (uint16_t)rnd();
	p->dport = (uint16_t)rnd();
	p->l4_proto = rnd() % 2 ? 6 : 17;
	p->tunnel_id = (uint32_t)(rnd() % 3);
}

/* Property: a packet and its reply land on the same shard, and so do
 * other flows of the same host pair and context, for every shard count. */
static void test_shard_symmetric(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct packet a, b;
		random_packet(&a);
		b = a;
		memcpy(b.src, a.dst, sizeof b.src);
		memcpy(b.dst, a.src, sizeof b.dst);
		b.sport = a.dport;
		b.dport = a.sport;
		unsigned n = 1 + (unsigned)(rnd() % 8);
		assert_int_equal(flow_shard_of_packet(&a, n),
				 flow_shard_of_packet(&b, n));
		b.sport = (uint16_t)rnd();
		b.l4_proto = 17;
		assert_int_equal(flow_shard_of_packet(&a, n),
				 flow_shard_of_packet(&b, n));
		assert_true(flow_shard_of_packet(&a, n) < n);
	}
	struct packet none;
	memset(&none, 0, sizeof none);
	assert_int_equal(flow_shard_of_packet(&none, 4), 0);
}

/* Shards are used: 4 workers each get a fair share of random pairs. */
static void test_shard_spread(void **state)
{
	(void)state;
	unsigned count[4] = {0};
	for (int i = 0; i < 40000; i++) {
		struct packet p;
		random_packet(&p);
		for (size_t k = 0; k < 16; k++)
			p.src[k] = (uint8_t)rnd(); /* many hosts */
		count[flow_shard_of_packet(&p, 4)]++;
	}
	for (int k = 0; k < 4; k++)
		assert_true(count[k] > 8000 && count[k] < 12000);
}

/* Property: records spread over workers by flow, each worker's batch
 * sorted, merged by the key, give the order of one sorted batch. */
static void test_order_merge(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		struct ev_batch *all = ev_batch_new(), *w[3];
		for (int i = 0; i < 3; i++)
			w[i] = ev_batch_new();
		unsigned n = 1 + (unsigned)(rnd() % 300);
		for (unsigned i = 0; i < n; i++) {
			struct ev e = {.type = EV_OBS, .flow = EV_NONE,
				       .result = EV_NONE};
			e.frame = 1 + rnd() % 50;
			e.sub = 1 + rnd() % 20; /* the flow: one worker */
			e.at_end = rnd() % 10 == 0;
			e.flow_id = i; /* identifies the record */
			assert_int_equal(ev_batch_add(w[e.sub % 3], &e, NULL,
						      NULL, NULL), 0);
		}
		/* the single-worker batch: same records, same per-flow
		 * production order */
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < w[k]->count; i++) {
				struct ev e = w[k]->evs[i];
				assert_int_equal(ev_batch_add(all, &e, NULL,
							      NULL, NULL), 0);
			}
		/* seq is the order within the batch it was added to; a flow's
		 * records keep their relative order in both */
		for (int k = 0; k < 3; k++)
			ev_batch_sort(w[k]);
		ev_batch_sort(all);
		size_t pos[3] = {0};
		for (size_t i = 0; i < all->count; i++) {
			int best = -1;
			for (int k = 0; k < 3; k++)
				if (pos[k] < w[k]->count &&
				    (best < 0 ||
				     ev_order(&w[k]->evs[pos[k]],
					      &w[best]->evs[pos[best]]) < 0))
					best = k;
			assert_true(best >= 0);
			const struct ev *m = &w[best]->evs[pos[best]++];
			const struct ev *s = &all->evs[i];
			assert_int_equal(m->frame, s->frame);
			assert_int_equal(m->at_end, s->at_end);
			assert_int_equal(m->sub, s->sub);
			assert_int_equal(m->flow_id, s->flow_id);
		}
		ev_batch_free(all);
		for (int k = 0; k < 3; k++)
			ev_batch_free(w[k]);
	}
}

/* Property: the id map agrees with a plain array under random puts,
 * gets and deletes (deletion by backward shift keeps every key found). */
static void test_idmap_random(void **state)
{
	(void)state;
	enum { KEYS = 3000 };
	static uint64_t ref[KEYS];
	struct idmap m = {0};
	memset(ref, 0, sizeof ref);
	for (int i = 0; i < 200000; i++) {
		uint64_t k = 1 + rnd() % KEYS;
		switch (rnd() % 3) {
		case 0:
			ref[k - 1] = 1 + rnd() % 1000000;
			assert_int_equal(idmap_put(&m, k, ref[k - 1]), 0);
			break;
		case 1:
			ref[k - 1] = 0;
			idmap_del(&m, k);
			break;
		default:
			assert_int_equal(idmap_get(&m, k), ref[k - 1]);
		}
	}
	size_t used = 0;
	for (int k = 0; k < KEYS; k++) {
		assert_int_equal(idmap_get(&m, (uint64_t)k + 1), ref[k]);
		used += ref[k] != 0;
	}
	assert_int_equal(m.used, used);
	idmap_clear(&m);
	assert_int_equal(idmap_get(&m, 5), 0);
}

struct producer {
	struct queue *q;
	uintptr_t n;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	for (uintptr_t i = 1; i <= p->n; i++)
		if (queue_push(p->q, (void *)i) != 0)
			break;
	queue_close(p->q);
	return NULL;
}

/* Two threads through a queue of 3: every item, in order, then NULL. */
static void test_queue_fifo(void **state)
{
	(void)state;
	struct producer p = {queue_create(3), 100000};
	pthread_t t;
	assert_non_null(p.q);
	assert_int_equal(pthread_create(&t, NULL, produce, &p), 0);
	uintptr_t want = 1;
	void *item;
	while ((item = queue_pop(p.q)) != NULL)
		assert_int_equal((uintptr_t)item, want++);
	assert_int_equal(want, p.n + 1);
	pthread_join(t, NULL);
	assert_int_equal(queue_push(p.q, (void *)1), -1); /* closed */
	queue_destroy(p.q);
}

/* The calls that never wait: room and order as the blocking ones, NULL
 * or -1 at once when there is none, pushes refused once closed while
 * what is left can still be taken. Capacities 1 to 9. */
static void test_queue_try(void **state)
{
	(void)state;
	for (uintptr_t cap = 1; cap <= 9; cap++) {
		struct queue *q = queue_create(cap);
		assert_non_null(q);
		assert_null(queue_try_pop(q));
		for (uintptr_t round = 0; round < 3; round++) {
			for (uintptr_t i = 1; i <= cap; i++)
				assert_int_equal(queue_try_push(q, (void *)i), 0);
			assert_int_equal(queue_try_push(q, (void *)99), -1);
			/* half by the blocking pop, the rest by try_pop */
			for (uintptr_t i = 1; i <= cap; i++)
				assert_int_equal((uintptr_t)(i % 2 ? queue_pop(q)
							   : queue_try_pop(q)),
						 i);
			assert_null(queue_try_pop(q));
		}
		assert_int_equal(queue_try_push(q, (void *)7), 0);
		queue_close(q);
		assert_int_equal(queue_try_push(q, (void *)8), -1);
		assert_int_equal((uintptr_t)queue_try_pop(q), 7);
		assert_null(queue_try_pop(q));
		assert_null(queue_pop(q));
		queue_destroy(q);
	}
}

/* Items going round between two threads as the ingest's batches do: one
 * thread takes them from a blocking queue and gives them back through a
 * free list (try_push), the other takes them from the free list
 * (try_pop, or a new one when it is empty) and pushes them (blocking).
 * Every item is handed on exactly once per trip: none lost, none twice. */
enum { ROUND_TRIPS = 200000, ROUND_ITEMS = 64 };

struct roundabout {
	struct queue *work, *free_list;
	unsigned char seen[ROUND_ITEMS + 1];
	unsigned long taken;
};

static void *consume(void *arg)
{
	struct roundabout *r = arg;
	void *item;
	while ((item = queue_pop(r->work)) != NULL) {
		r->taken++;
		if (queue_try_push(r->free_list, item) != 0)
			r->seen[(uintptr_t)item] = 2; /* full: dropped, once */
	}
	return NULL;
}

static void test_queue_free_list(void **state)
{
	(void)state;
	struct roundabout r = {queue_create(4), queue_create(8), {0}, 0};
	assert_non_null(r.work);
	assert_non_null(r.free_list);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, consume, &r), 0);
	uintptr_t made = 0;
	unsigned long pushed = 0;
	for (int i = 0; i < ROUND_TRIPS; i++) {
		void *item = queue_try_pop(r.free_list);
		if (!item) {
			if (made == ROUND_ITEMS)
				continue; /* all are out: the other has them */
			item = (void *)++made;
		}
		assert_int_equal(queue_push(r.work, item), 0);
		pushed++;
	}
	queue_close(r.work);
	pthread_join(t, NULL);
	assert_int_equal(r.taken, pushed);
	/* every item made is in the free list exactly once, or was dropped
	 * once because it was full (items in flight: none, all joined) */
	void *item;
	unsigned char count[ROUND_ITEMS + 1] = {0};
	while ((item = queue_try_pop(r.free_list)) != NULL)
		count[(uintptr_t)item]++;
	for (uintptr_t i = 1; i <= made; i++)
		assert_int_equal(count[i] + (r.seen[i] == 2 ? 1 : 0), 1);
	queue_destroy(r.work);
	queue_destroy(r.free_list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_symmetric),
		cmocka_unit_test(test_shard_spread),
		cmocka_unit_test(test_order_merge),
		cmocka_unit_test(test_idmap_random),
		cmocka_unit_test(test_queue_fifo),
		cmocka_unit_test(test_queue_try),
		cmocka_unit_test(test_queue_free_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
