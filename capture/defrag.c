/*
 * defrag.c — IPv4 and IPv6 reassembly (see defrag.h).
 *
 * Datagrams in flight live in a fixed array (at most max_datagrams, found
 * by a linear search: fragments are rare, and the array is bounded). Each
 * keeps its payload in one buffer grown to the highest byte seen, the
 * ranges received (sorted by start, at most max_fragments) and the header
 * of the fragment at offset 0, which becomes the header of the datagram.
 * Fragment bytes are read from the packet through a cursor.
 */
#include "defrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "decode.h"

enum {
	LINKTYPE_RAW_IP = 101,
	IPV4_MIN_HEADER_BYTES = 20,
	IPV6_HEADER_BYTES = 40,
	IPV6_FRAG_HEADER_BYTES = 8,
	IP_MAX_DATAGRAM_BYTES = 65535,
	HEADER_MAX_BYTES = 256,       /* IPv4 header, or IPv6 unfragmentable part */
	IPV6_MAX_EXT_WALK = 8,
	BUFFER_STEP_BYTES = 1024,
	IPV4_MF = 0x2000,
	IPV4_OFFSET_MASK = 0x1fff,
	IPV6_OFFSET_MASK = 0xfff8,
	IPV6_MF = 0x0001,
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
	IPPROTO_NUM_DSTOPTS = 60,
	MAX_FRAGMENTS_CAP = 255,      /* fragment_count is a uint8_t */
};

struct frag_range {
	uint32_t start, end;
};

/* One fragment as read from a packet. */
struct fragment {
	uint8_t version, proto;       /* proto: IPv4 protocol / IPv6 next header */
	uint32_t id;
	uint32_t offset, len;
	bool more;
	size_t data_at;               /* fragment bytes in pkt->data */
	size_t header_at, header_len; /* header (IPv6: unfragmentable part) */
	size_t next_header_at;        /* IPv6: the byte naming the fragment header,
	                                 relative to header_at */
};

struct datagram {
	bool used;
	uint8_t version, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint64_t first_us, seq;
	uint8_t *buf;
	size_t cap;
	uint8_t header[HEADER_MAX_BYTES];
	size_t header_len, next_header_at;
	bool have_header, total_known;
	uint32_t total;
	unsigned nranges;
	struct frag_range *ranges;    /* max_fragments */
	uint64_t *frames;             /* max_fragments, arrival order */
};

struct defrag {
	struct defrag_config cfg;
	struct datagram *dg;          /* max_datagrams */
	unsigned in_flight;
	size_t bytes_held;
	uint64_t next_seq;
	uint64_t oldest_us;           /* first_us of the oldest in flight */
	uint8_t *out_buf;             /* the last reassembled datagram */
	uint64_t out_frames[MAX_FRAGMENTS_CAP];
	struct packet out;
};

void defrag_config_default(struct defrag_config *cfg)
{
	cfg->max_fragments = 64;
	cfg->max_datagrams = 1024;
	cfg->max_bytes_held = (size_t)8 << 20;
	cfg->timeout_us = 30ull * 1000000ull;
}

struct defrag *defrag_create(const struct defrag_config *cfg)
{
	struct defrag *d = calloc(1, sizeof *d);
	if (!d)
		goto fail;
	if (cfg)
		d->cfg = *cfg;
	else
		defrag_config_default(&d->cfg);
	if (d->cfg.max_fragments == 0 ||
	    d->cfg.max_fragments > MAX_FRAGMENTS_CAP)
		d->cfg.max_fragments = MAX_FRAGMENTS_CAP;
	if (d->cfg.max_datagrams == 0)
		d->cfg.max_datagrams = 1;
	d->dg = calloc(d->cfg.max_datagrams, sizeof *d->dg);
	if (!d->dg)
		goto free_defrag;
	d->out_buf = malloc(HEADER_MAX_BYTES + IP_MAX_DATAGRAM_BYTES);
	if (!d->out_buf)
		goto free_array;
	return d;

free_array:
	free(d->dg);
free_defrag:
	free(d);
fail:
	return NULL;
}

static void datagram_free(struct defrag *d, struct datagram *g)
{
	d->bytes_held -= g->cap;
	free(g->buf);
	free(g->ranges);
	free(g->frames);
	memset(g, 0, sizeof *g);
	d->in_flight--;
}

void defrag_destroy(struct defrag *d)
{
	if (!d)
		return;
	defrag_end(d);
	free(d->out_buf);
	free(d->dg);
	free(d);
}

unsigned defrag_end(struct defrag *d)
{
	unsigned dropped = 0;
	for (unsigned i = 0; i < d->cfg.max_datagrams; i++)
		if (d->dg[i].used) {
			datagram_free(d, &d->dg[i]);
			dropped++;
		}
	return dropped;
}

unsigned defrag_in_flight(const struct defrag *d)
{
	return d->in_flight;
}

size_t defrag_bytes_held(const struct defrag *d)
{
	return d->bytes_held;
}

static bool ipv6_ext_walkable(uint8_t next)
{
	return next == IPPROTO_NUM_HOPOPTS || next == IPPROTO_NUM_ROUTING ||
	       next == IPPROTO_NUM_DSTOPTS;
}

/* Reads the IPv6 fragment header after the unfragmentable part. */
static bool read_ipv6_fragment(struct cursor *c, struct fragment *f)
{
	uint8_t next, units, reserved;
	uint16_t offset_flags;
	size_t next_at = f->header_at + 6;

	if (!cursor_seek(c, f->header_at + 6) || !cursor_u8(c, &next) ||
	    !cursor_seek(c, f->header_at + IPV6_HEADER_BYTES))
		return false;
	for (unsigned i = 0; ipv6_ext_walkable(next); i++) {
		size_t at = c->off;
		if (i >= IPV6_MAX_EXT_WALK || !cursor_u8(c, &next) ||
		    !cursor_u8(c, &units) ||
		    !cursor_seek(c, at + ((size_t)units + 1) * 8))
			return false;
		next_at = at;
	}
	if (next != IPPROTO_NUM_FRAGMENT)
		return false; /* an outer layer was the fragment */
	f->header_len = c->off - f->header_at;
	f->next_header_at = next_at - f->header_at;
	if (!cursor_u8(c, &f->proto) || !cursor_u8(c, &reserved) ||
	    !cursor_be16(c, &offset_flags) || !cursor_be32(c, &f->id))
		return false;
	f->offset = offset_flags & IPV6_OFFSET_MASK;
	f->more = (offset_flags & IPV6_MF) != 0;
	f->data_at = c->off;
	return true;
}

/*
 * Reads the innermost IP layer of pkt as a fragment. False when it is no
 * fragment or cannot be reassembled (cut, malformed): pkt goes on as is.
 */
static bool read_fragment(const struct packet *pkt, struct fragment *f)
{
	struct cursor c;
	uint8_t first, proto;
	uint16_t frag, ident;
	size_t end = (size_t)pkt->ip_offset + pkt->ip_len;

	memset(f, 0, sizeof *f);
	if (!(pkt->flags & PKT_FRAGMENT) || (pkt->flags & PKT_TRUNCATED_L3) ||
	    pkt->ip_version == 0 || !pkt->data || end > pkt->caplen)
		return false;
	cursor_init(&c, pkt->data, end);
	f->header_at = pkt->ip_offset;
	if (!cursor_seek(&c, f->header_at) || !cursor_u8(&c, &first))
		return false;
	f->version = first >> 4;
	if (f->version == 4) {
		f->header_len = (size_t)(first & 0x0f) * 4;
		if (f->header_len < IPV4_MIN_HEADER_BYTES ||
		    !cursor_seek(&c, f->header_at + 4) ||
		    !cursor_be16(&c, &ident) || !cursor_be16(&c, &frag) ||
		    !cursor_skip(&c, 1) || !cursor_u8(&c, &proto) ||
		    !cursor_seek(&c, f->header_at + f->header_len))
			return false;
		if (!(frag & (IPV4_MF | IPV4_OFFSET_MASK)))
			return false;
		f->id = ident;
		f->proto = proto;
		f->offset = (uint32_t)(frag & IPV4_OFFSET_MASK) * 8;
		f->more = (frag & IPV4_MF) != 0;
		f->data_at = c.off;
	} else if (f->version == 6) {
		if (!read_ipv6_fragment(&c, f))
			return false;
	} else {
		return false;
	}
	if (f->header_len > HEADER_MAX_BYTES || f->data_at > end)
		return false;
	f->len = (uint32_t)(end - f->data_at);
	return true;
}

static struct datagram *find_datagram(struct defrag *d,
				      const struct packet *pkt,
				      const struct fragment *f)
{
	for (unsigned i = 0; i < d->cfg.max_datagrams; i++) {
		struct datagram *g = &d->dg[i];
		if (g->used && g->version == f->version && g->id == f->id &&
		    (f->version == 6 || g->proto == f->proto) &&
		    memcmp(g->src, pkt->src, 16) == 0 &&
		    memcmp(g->dst, pkt->dst, 16) == 0)
			return g;
	}
	return NULL;
}

static struct datagram *oldest_datagram(struct defrag *d,
					const struct datagram *except)
{
	struct datagram *old = NULL;
	for (unsigned i = 0; i < d->cfg.max_datagrams; i++) {
		struct datagram *g = &d->dg[i];
		if (g->used && g != except && (!old || g->seq < old->seq))
			old = g;
	}
	return old;
}

/* Drops datagrams whose first fragment is older than the timeout. */
static void expire(struct defrag *d, struct packet *pkt)
{
	uint64_t oldest = UINT64_MAX;

	if (d->in_flight == 0 ||
	    pkt->ts_us <= d->oldest_us + d->cfg.timeout_us)
		return;
	for (unsigned i = 0; i < d->cfg.max_datagrams; i++) {
		struct datagram *g = &d->dg[i];
		if (!g->used)
			continue;
		if (pkt->ts_us > g->first_us + d->cfg.timeout_us) {
			datagram_free(d, g);
			anomaly_add(&pkt->anomalies, ANOM_FRAGMENTS_INCOMPLETE);
		} else if (g->first_us < oldest) {
			oldest = g->first_us;
		}
	}
	d->oldest_us = oldest == UINT64_MAX ? 0 : oldest;
}

static struct datagram *new_datagram(struct defrag *d, struct packet *pkt,
				     const struct fragment *f)
{
	struct datagram *g = NULL;

	if (d->in_flight >= d->cfg.max_datagrams) {
		datagram_free(d, oldest_datagram(d, NULL));
		anomaly_add(&pkt->anomalies, ANOM_FRAGMENTS_EVICTED);
	}
	for (unsigned i = 0; i < d->cfg.max_datagrams && !g; i++)
		if (!d->dg[i].used)
			g = &d->dg[i];
	if (!g)
		return NULL;
	g->ranges = calloc(d->cfg.max_fragments, sizeof *g->ranges);
	g->frames = calloc(d->cfg.max_fragments, sizeof *g->frames);
	if (!g->ranges || !g->frames) {
		free(g->ranges);
		free(g->frames);
		g->ranges = NULL;
		g->frames = NULL;
		return NULL;
	}
	g->used = true;
	g->version = f->version;
	g->proto = f->proto;
	g->id = f->id;
	memcpy(g->src, pkt->src, 16);
	memcpy(g->dst, pkt->dst, 16);
	g->first_us = pkt->ts_us;
	g->seq = d->next_seq++;
	if (d->in_flight == 0 || pkt->ts_us < d->oldest_us)
		d->oldest_us = pkt->ts_us;
	d->in_flight++;
	return g;
}

/* Grows g's buffer to hold need bytes within the bytes-held bound,
 * dropping the oldest other datagrams when it must. */
static bool reserve(struct defrag *d, struct packet *pkt, struct datagram *g,
		    size_t need)
{
	size_t cap;
	uint8_t *buf;

	if (need <= g->cap)
		return true;
	cap = (need + BUFFER_STEP_BYTES - 1) / BUFFER_STEP_BYTES *
	      BUFFER_STEP_BYTES;
	while (d->bytes_held - g->cap + cap > d->cfg.max_bytes_held) {
		struct datagram *old = oldest_datagram(d, g);
		if (!old)
			return false;
		datagram_free(d, old);
		anomaly_add(&pkt->anomalies, ANOM_FRAGMENTS_EVICTED);
	}
	buf = realloc(g->buf, cap);
	if (!buf)
		return false;
	memset(buf + g->cap, 0, cap - g->cap);
	d->bytes_held += cap - g->cap;
	g->buf = buf;
	g->cap = cap;
	return true;
}

/*
 * Adds fragment bytes [s, e) at src: overlaps with earlier ranges are
 * compared (a difference is fragment_overlap_conflict) and keep their
 * first-arrived bytes; only the uncovered parts are copied.
 */
static void add_range(struct datagram *g, struct packet *pkt, uint32_t s,
		      uint32_t e, const uint8_t *src)
{
	uint32_t p = s;
	unsigned i;

	for (i = 0; i < g->nranges; i++) {
		const struct frag_range *r = &g->ranges[i];
		uint32_t lo = r->start > s ? r->start : s;
		uint32_t hi = r->end < e ? r->end : e;
		if (lo < hi && memcmp(g->buf + lo, src + (lo - s), hi - lo) != 0)
			anomaly_add(&pkt->anomalies,
				    ANOM_FRAGMENT_OVERLAP_CONFLICT);
	}
	for (i = 0; i < g->nranges && p < e; i++) {
		const struct frag_range *r = &g->ranges[i];
		if (r->end <= p)
			continue;
		if (r->start >= e)
			break;
		if (r->start > p)
			memcpy(g->buf + p, src + (p - s), r->start - p);
		if (r->end > p)
			p = r->end;
	}
	if (p < e)
		memcpy(g->buf + p, src + (p - s), e - p);
	/* insert sorted by start */
	for (i = g->nranges; i > 0 && g->ranges[i - 1].start > s; i--)
		g->ranges[i] = g->ranges[i - 1];
	g->ranges[i].start = s;
	g->ranges[i].end = e;
	g->nranges++;
}

static bool complete(const struct datagram *g)
{
	uint32_t p = 0;

	if (!g->total_known || !g->have_header)
		return false;
	for (unsigned i = 0; i < g->nranges; i++) {
		if (g->ranges[i].start > p)
			return false;
		if (g->ranges[i].end > p)
			p = g->ranges[i].end;
	}
	return p >= g->total;
}

static uint16_t ipv4_header_checksum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int compare_frames(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Builds, decodes and returns the reassembled datagram; frees g. */
static const struct packet *emit(struct defrag *d, struct packet *pkt,
				 struct datagram *g)
{
	struct packet *out = &d->out;
	uint8_t *h = d->out_buf;
	size_t len = g->header_len + g->total;
	unsigned n = g->nranges;

	memcpy(h, g->header, g->header_len);
	memcpy(h + g->header_len, g->buf, g->total);
	if (g->version == 4) {
		put_be16(h + 2, (uint32_t)len);
		put_be16(h + 6, 0);   /* no more fragments, offset 0 */
		put_be16(h + 10, 0);
		put_be16(h + 10, ipv4_header_checksum(h, g->header_len));
	} else {
		put_be16(h + 4, (uint32_t)(len - IPV6_HEADER_BYTES));
		h[g->next_header_at] = g->proto;
	}
	memcpy(d->out_frames, g->frames, n * sizeof *g->frames);
	qsort(d->out_frames, n, sizeof *d->out_frames, compare_frames);
	datagram_free(d, g);

	memset(out, 0, sizeof *out);
	out->frame = pkt->frame;
	out->ts_us = pkt->ts_us;
	out->file_offset = pkt->file_offset;
	out->caplen = out->wirelen = (uint32_t)len;
	out->linktype = LINKTYPE_RAW_IP;
	out->data = h;
	decode_packet(out);
	out->vlan_count = pkt->vlan_count;
	memcpy(out->vlan, pkt->vlan, sizeof out->vlan);
	if (out->tunnel_depth == 0) {
		out->tunnel_depth = pkt->tunnel_depth;
		out->tunnel_kind = pkt->tunnel_kind;
		out->tunnel_id = pkt->tunnel_id;
	}
	out->anomalies |= pkt->anomalies;
	out->flags |= PKT_REASSEMBLED;
	out->record = pkt->data;
	out->record_caplen = pkt->caplen;
	out->fragment_count = (uint8_t)n;
	out->fragment_frames = d->out_frames;
	return out;
}

const struct packet *defrag_packet(struct defrag *d, struct packet *pkt)
{
	struct fragment f;
	struct datagram *g;
	struct cursor c;
	const uint8_t *bytes;
	uint32_t end;

	expire(d, pkt);
	if (!read_fragment(pkt, &f))
		return pkt;
	end = f.offset + f.len;
	g = find_datagram(d, pkt, &f);
	if (f.header_len + (size_t)end > IP_MAX_DATAGRAM_BYTES) {
		anomaly_add(&pkt->anomalies, ANOM_FRAGMENT_TOO_LONG);
		if (g)
			datagram_free(d, g);
		return pkt;
	}
	if (!g && !(g = new_datagram(d, pkt, &f)))
		return pkt; /* out of memory: the fragment goes on alone */
	if (g->nranges >= d->cfg.max_fragments) {
		anomaly_add(&pkt->anomalies, ANOM_FRAGMENTS_TOO_MANY);
		datagram_free(d, g);
		pkt->flags |= PKT_DEFRAG_HELD; /* its datagram is given up */
		return pkt;
	}
	if (!f.more) {
		if (g->total_known && g->total != end)
			anomaly_add(&pkt->anomalies,
				    ANOM_FRAGMENT_OVERLAP_CONFLICT);
		if (!g->total_known) {
			g->total_known = true;
			g->total = end;
		}
	}
	if (!reserve(d, pkt, g, end)) {
		datagram_free(d, g);
		anomaly_add(&pkt->anomalies, ANOM_FRAGMENTS_EVICTED);
		pkt->flags |= PKT_DEFRAG_HELD;
		return pkt;
	}
	cursor_init(&c, pkt->data, pkt->caplen);
	if (!cursor_seek(&c, f.data_at) || !cursor_bytes(&c, f.len, &bytes)) {
		datagram_free(d, g); /* read_fragment() checked: cannot happen */
		return pkt;
	}
	if (f.offset == 0 && !g->have_header) {
		cursor_seek(&c, f.header_at);
		if (!cursor_copy(&c, g->header, f.header_len)) {
			datagram_free(d, g);
			return pkt;
		}
		g->header_len = f.header_len;
		g->next_header_at = f.next_header_at;
		g->proto = f.proto;
		g->have_header = true;
	}
	add_range(g, pkt, f.offset, end, bytes);
	g->frames[g->nranges - 1] = pkt->frame;
	pkt->flags |= PKT_DEFRAG_HELD;
	if (!complete(g))
		return pkt;
	pkt->flags &= ~(uint32_t)PKT_DEFRAG_HELD;
	return emit(d, pkt, g);
}
