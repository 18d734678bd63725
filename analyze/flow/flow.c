/*
 * flow.c — bounded bidirectional flow table (see flow.h).
 *
 * Layout:
 *   - a pool of max_flows slots, allocated once at creation (calloc, so
 *     pages the table never uses are never touched); closed slots go on a
 *     free list and are reused, so no packet allocates;
 *   - a chained hash table of a power-of-two bucket count, doubled (all
 *     chains moved) whenever the flows outnumber half the buckets, up to
 *     the first power of two ≥ 2 × max_flows; it starts at
 *     INITIAL_BUCKETS, so a table that holds few flows (one of several
 *     flow workers, a small capture) keeps a small array, and a failed
 *     doubling only leaves the chains longer;
 *     indexed by a 64-bit multiply/rotate mix of the canonical key;
 *   - one LRU list per timeout class (TCP, other, TCP ended), each kept in
 *     the order flows last saw a packet, so expiry walks from the head and
 *     stops at the first flow still alive: O(expired).
 *
 * Time. Capture timestamps can go backwards. The table keeps a clock that
 * only moves forward (the largest packet time seen) and stamps each flow
 * with it when the flow sees a packet; idleness is measured on that clock,
 * so the LRU lists stay sorted and no subtraction underflows. A flow's
 * first_us/last_us are the smallest/largest packet times it saw.
 *
 * Timeouts compare strictly: a flow idle for exactly its timeout is alive.
 * A packet that finds its flow idle past the timeout, older than hard_us,
 * or (TCP) ended and now opening again with a bare SYN, closes that flow
 * and starts a new one, whether or not periodic expiry has run yet.
 */
#include "analyze/flow/flow.h"
#include "analyze/flow/flow_key.h"

#include <stdlib.h>
#include <string.h>

enum {
	IP_PROTO_TCP = 6,
};

enum {
	TCP_FLAG_FIN = 0x01,
	TCP_FLAG_SYN = 0x02,
	TCP_FLAG_RST = 0x04,
	TCP_FLAG_ACK = 0x10,
};

/* Timeout classes, one LRU list each. */
enum flow_class {
	FLOW_CLASS_TCP,       /* TCP: tcp_idle_us */
	FLOW_CLASS_OTHER,     /* everything else: udp_idle_us */
	FLOW_CLASS_TCP_ENDED, /* TCP after FIN both ways or RST: linger */
	FLOW_CLASS_COUNT,
};

#define SECOND_US 1000000ull
/* Periodic expiry runs at most once per this much packet time. */
#define EXPIRE_INTERVAL_US SECOND_US

#define DEFAULT_MAX_FLOWS 65536u
#define INITIAL_BUCKETS 1024u
#define DEFAULT_TCP_IDLE_US (300 * SECOND_US)
#define DEFAULT_UDP_IDLE_US (60 * SECOND_US)
#define DEFAULT_HARD_US (3600 * SECOND_US)
#define DEFAULT_TCP_LINGER_US (10 * SECOND_US)

/* The key is hashed and compared as raw bytes: it must have no padding
 * (flow_key.c builds and hashes it). */
_Static_assert(sizeof(struct flow_key) == 44, "struct flow_key is packed");

/* One pool entry: the public flow plus what only the table reads. */
struct flow_slot {
	struct flow flow;  /* first member: a struct flow * is a slot */
	uint64_t seen_us;  /* table clock at the last packet: LRU order */
	uint64_t seen_seq; /* table packet count at the last packet */
	uint64_t hash;     /* of flow.key, checked before the key */
	bool client_is_lo; /* the client is key.addr_lo/port_lo */
};

struct lru_list {
	struct flow_slot *head; /* least recently seen */
	struct flow_slot *tail; /* most recently seen */
};

struct flow_table {
	struct flow_table_config cfg;
	flow_close_fn on_close;
	void *ctx;

	struct flow **buckets; /* chains through flow.hash_next */
	size_t bucket_mask;    /* bucket count - 1 */
	size_t max_buckets;    /* the count it grows to at most */

	struct flow_slot *slots; /* cfg.max_flows entries */
	size_t slots_touched;    /* slots [0, slots_touched) were ever used */
	struct flow *free_list;  /* closed slots, through flow.hash_next */

	struct lru_list lru[FLOW_CLASS_COUNT];
	uint64_t idle_us[FLOW_CLASS_COUNT];

	size_t count;
	uint64_t next_id;
	uint64_t clock_us;        /* largest packet time seen */
	uint64_t packet_seq;      /* packets seen, orders LRU across classes */
	uint64_t next_expire_us;  /* clock at which update runs expiry again */
};

static struct flow_slot *slot_of(struct flow *f)
{
	return (struct flow_slot *)f;
}

void flow_table_config_default(struct flow_table_config *cfg)
{
	cfg->max_flows = DEFAULT_MAX_FLOWS;
	cfg->tcp_idle_us = DEFAULT_TCP_IDLE_US;
	cfg->udp_idle_us = DEFAULT_UDP_IDLE_US;
	cfg->hard_us = DEFAULT_HARD_US;
	cfg->tcp_linger_us = DEFAULT_TCP_LINGER_US;
	cfg->first_id = 1;
}

/* ---- hash chains ---- */

static struct flow **bucket_of(struct flow_table *t, uint64_t hash)
{
	return &t->buckets[hash & t->bucket_mask];
}

static struct flow_slot *hash_find(struct flow_table *t,
				   const struct flow_key *key, uint64_t hash)
{
	for (struct flow *f = *bucket_of(t, hash); f; f = f->hash_next) {
		if (slot_of(f)->hash == hash &&
		    memcmp(&f->key, key, sizeof *key) == 0)
			return slot_of(f);
	}
	return NULL;
}

static void hash_insert(struct flow_table *t, struct flow_slot *s)
{
	struct flow **bucket = bucket_of(t, s->hash);
	s->flow.hash_next = *bucket;
	*bucket = &s->flow;
}

/* Doubles the bucket array once the flows outnumber half its buckets. */
static void hash_grow(struct flow_table *t)
{
	size_t n = t->bucket_mask + 1;
	if (t->count <= n / 2 || n >= t->max_buckets)
		return;
	struct flow **b = calloc(2 * n, sizeof *b);
	if (!b)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < n; i++) {
		struct flow *f = t->buckets[i];
		while (f) {
			struct flow *next = f->hash_next;
			struct flow **to = &b[slot_of(f)->hash & (2 * n - 1)];
			f->hash_next = *to;
			*to = f;
			f = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->bucket_mask = 2 * n - 1;
}

static void hash_remove(struct flow_table *t, struct flow_slot *s)
{
	struct flow **link = bucket_of(t, s->hash);
	while (*link && *link != &s->flow)
		link = &(*link)->hash_next;
	if (*link)
		*link = s->flow.hash_next;
	s->flow.hash_next = NULL;
}

/* ---- LRU lists ---- */

static void lru_unlink(struct flow_table *t, struct flow_slot *s)
{
	struct lru_list *l = &t->lru[s->flow.lru_class];
	struct flow *prev = s->flow.lru_prev, *next = s->flow.lru_next;
	if (prev)
		prev->lru_next = next;
	else
		l->head = next ? slot_of(next) : NULL;
	if (next)
		next->lru_prev = prev;
	else
		l->tail = prev ? slot_of(prev) : NULL;
	s->flow.lru_prev = s->flow.lru_next = NULL;
}

static void lru_append(struct flow_table *t, struct flow_slot *s,
		       enum flow_class cls)
{
	struct lru_list *l = &t->lru[cls];
	s->flow.lru_class = (uint8_t)cls;
	s->flow.lru_next = NULL;
	s->flow.lru_prev = l->tail ? &l->tail->flow : NULL;
	if (l->tail)
		l->tail->flow.lru_next = &s->flow;
	else
		l->head = s;
	l->tail = s;
}

/* The least recently seen flow of the whole table, NULL when empty. */
static struct flow_slot *lru_oldest(const struct flow_table *t)
{
	struct flow_slot *oldest = NULL;
	for (int c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow_slot *h = t->lru[c].head;
		if (h && (!oldest || h->seen_seq < oldest->seen_seq))
			oldest = h;
	}
	return oldest;
}

/* ---- create, close ---- */

/* Unlinks s, hands it to the close callback, then frees its slot. */
static void flow_close(struct flow_table *t, struct flow_slot *s,
		       enum flow_close_reason why)
{
	hash_remove(t, s);
	lru_unlink(t, s);
	t->count--;
	if (t->on_close)
		t->on_close(&s->flow, why, t->ctx);
	s->flow.user = NULL;
	s->flow.hash_next = t->free_list;
	t->free_list = &s->flow;
}

static enum flow_close_reason idle_reason(enum flow_class cls)
{
	return cls == FLOW_CLASS_TCP_ENDED ? FLOW_CLOSE_TCP_END
					   : FLOW_CLOSE_IDLE;
}

/* A free slot, closing an idle or else the least recently seen flow. */
static struct flow_slot *slot_take(struct flow_table *t)
{
	if (t->count >= t->cfg.max_flows) {
		flow_table_expire(t, t->clock_us);
		if (t->count >= t->cfg.max_flows)
			flow_close(t, lru_oldest(t), FLOW_CLOSE_EVICTED);
	}
	if (t->free_list) {
		struct flow *f = t->free_list;
		t->free_list = f->hash_next;
		return slot_of(f);
	}
	return &t->slots[t->slots_touched++];
}

/* Starts a flow for pkt, its sender the client. */
static struct flow_slot *flow_open(struct flow_table *t,
				   const struct flow_key *key, uint64_t hash,
				   bool src_is_lo, const struct packet *pkt)
{
	struct flow_slot *s = slot_take(t);
	struct flow *f = &s->flow;
	memset(s, 0, sizeof *s);
	f->id = t->next_id++;
	f->key = *key;
	memcpy(f->client, pkt->src, sizeof f->client);
	memcpy(f->server, pkt->dst, sizeof f->server);
	if (pkt->ip_version == 4) {
		memset(f->client + 4, 0, sizeof f->client - 4);
		memset(f->server + 4, 0, sizeof f->server - 4);
	}
	f->client_port = src_is_lo ? key->port_lo : key->port_hi;
	f->server_port = src_is_lo ? key->port_hi : key->port_lo;
	f->ip_version = pkt->ip_version;
	f->l4_proto = pkt->l4_proto;
	f->vlan = key->vlan;
	f->tunnel_kind = pkt->tunnel_kind;
	f->tunnel_id = pkt->tunnel_id;
	f->first_us = f->last_us = pkt->ts_us;
	f->first_frame = pkt->frame;
	f->first_icmp_type = pkt->icmp_type;
	f->first_icmp_code = pkt->icmp_code;
	f->first_has_l4 = (pkt->flags & PKT_HAS_L4) != 0;
	s->hash = hash;
	s->client_is_lo = src_is_lo;
	hash_insert(t, s);
	lru_append(t, s,
		   pkt->l4_proto == IP_PROTO_TCP ? FLOW_CLASS_TCP
						 : FLOW_CLASS_OTHER);
	t->count++;
	hash_grow(t);
	return s;
}

/*
 * Whether the packet must close s instead of joining it, and why.
 * Idle is measured on the table clock, age on packet time.
 */
static bool flow_must_close(const struct flow_table *t,
			    const struct flow_slot *s, const struct packet *pkt,
			    enum flow_close_reason *why)
{
	enum flow_class cls = (enum flow_class)s->flow.lru_class;
	if (t->clock_us - s->seen_us > t->idle_us[cls]) {
		*why = idle_reason(cls);
		return true;
	}
	if (pkt->ts_us > s->flow.first_us &&
	    pkt->ts_us - s->flow.first_us > t->cfg.hard_us) {
		*why = FLOW_CLOSE_HARD;
		return true;
	}
	if (cls == FLOW_CLASS_TCP_ENDED &&
	    (pkt->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN) {
		*why = FLOW_CLOSE_TCP_END;
		return true;
	}
	return false;
}

/* Adds pkt to s's counters and makes s the most recently seen flow. */
static void flow_account(struct flow_table *t, struct flow_slot *s,
			 enum flow_dir dir, const struct packet *pkt)
{
	struct flow *f = &s->flow;
	f->packets[dir]++;
	f->bytes[dir] += pkt->wirelen;
	if (pkt->ts_us < f->first_us)
		f->first_us = pkt->ts_us;
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	f->last_frame = pkt->frame;
	f->anomalies += pkt->anomalies != 0;

	enum flow_class cls = (enum flow_class)f->lru_class;
	if (f->l4_proto == IP_PROTO_TCP) {
		if (pkt->tcp_flags & TCP_FLAG_FIN)
			f->tcp_fin_seen |= (uint8_t)(1u << dir);
		if (pkt->tcp_flags & TCP_FLAG_RST)
			f->tcp_rst_seen = true;
		if (f->tcp_rst_seen || f->tcp_fin_seen == 3)
			cls = FLOW_CLASS_TCP_ENDED;
	}
	s->seen_us = t->clock_us;
	s->seen_seq = t->packet_seq;
	if (t->lru[cls].tail != s) {
		lru_unlink(t, s);
		lru_append(t, s, cls);
	}
}

/* ---- public ---- */

struct flow_table *flow_table_create(const struct flow_table_config *cfg,
				     flow_close_fn on_close, void *ctx)
{
	size_t max_flows = cfg->max_flows ? cfg->max_flows : 1;
	const size_t limit = SIZE_MAX / 4 / sizeof(struct flow_slot);
	if (max_flows > limit)
		return NULL;
	size_t max_buckets = 2;
	while (max_buckets < 2 * max_flows)
		max_buckets <<= 1;
	size_t buckets = max_buckets < INITIAL_BUCKETS ? max_buckets
						       : INITIAL_BUCKETS;

	struct flow_table *t = calloc(1, sizeof *t);
	if (!t)
		goto fail;
	t->buckets = calloc(buckets, sizeof *t->buckets);
	if (!t->buckets)
		goto free_table;
	t->slots = calloc(max_flows, sizeof *t->slots);
	if (!t->slots)
		goto free_buckets;

	t->cfg = *cfg;
	t->cfg.max_flows = max_flows;
	t->on_close = on_close;
	t->ctx = ctx;
	t->bucket_mask = buckets - 1;
	t->max_buckets = max_buckets;
	t->idle_us[FLOW_CLASS_TCP] = cfg->tcp_idle_us;
	t->idle_us[FLOW_CLASS_OTHER] = cfg->udp_idle_us;
	t->idle_us[FLOW_CLASS_TCP_ENDED] = cfg->tcp_linger_us;
	t->next_id = cfg->first_id;
	return t;

free_buckets:
	free(t->buckets);
free_table:
	free(t);
fail:
	return NULL;
}

/* Finds or creates pkt's flow; clock_us is the table clock to use, and
 * periodic expiry runs only when self_expire is set. */
static struct flow *update(struct flow_table *t, const struct packet *pkt,
			   uint64_t clock_us, bool self_expire,
			   enum flow_dir *dir, bool *created)
{
	if (created)
		*created = false;
	if (pkt->ip_version == 0)
		return NULL;

	if (clock_us > t->clock_us)
		t->clock_us = clock_us;
	t->packet_seq++;
	if (self_expire && t->clock_us >= t->next_expire_us) {
		flow_table_expire(t, t->clock_us);
		t->next_expire_us = t->clock_us + EXPIRE_INTERVAL_US;
	}

	struct flow_key key;
	bool src_is_lo = flow_key_from_packet(pkt, &key);
	uint64_t hash = flow_key_hash(&key);
	struct flow_slot *s = hash_find(t, &key, hash);
	enum flow_close_reason why;
	if (s && flow_must_close(t, s, pkt, &why)) {
		flow_close(t, s, why);
		s = NULL;
	}
	if (!s) {
		s = flow_open(t, &key, hash, src_is_lo, pkt);
		if (created)
			*created = true;
	}
	enum flow_dir d = src_is_lo == s->client_is_lo ? FLOW_DIR_C2S
						       : FLOW_DIR_S2C;
	flow_account(t, s, d, pkt);
	if (dir)
		*dir = d;
	return &s->flow;
}

struct flow *flow_table_update(struct flow_table *t, const struct packet *pkt,
			       enum flow_dir *dir, bool *created)
{
	return update(t, pkt, pkt->ts_us, true, dir, created);
}

struct flow *flow_table_update_clocked(struct flow_table *t,
				       const struct packet *pkt,
				       uint64_t clock_us, enum flow_dir *dir,
				       bool *created)
{
	return update(t, pkt, clock_us, false, dir, created);
}

void flow_table_expire(struct flow_table *t, uint64_t now_us)
{
	for (int c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct lru_list *l = &t->lru[c];
		while (l->head && now_us > l->head->seen_us &&
		       now_us - l->head->seen_us > t->idle_us[c])
			flow_close(t, l->head, idle_reason((enum flow_class)c));
	}
}

void flow_table_flush(struct flow_table *t)
{
	struct flow_slot *s;
	while ((s = lru_oldest(t)) != NULL)
		flow_close(t, s, FLOW_CLOSE_END);
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint64_t flow_table_next_id(const struct flow_table *t)
{
	return t->next_id;
}

void flow_table_destroy(struct flow_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->buckets);
	free(t);
}
