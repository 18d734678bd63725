/*
 * test_source_pcapng.c — cmocka tests of attrib's own pcapng reader
 * (capture/source_pcapng.c) and the gzip input (capture/source_gz.c).
 *
 * pcapng files are built block by block in memory, in both byte orders,
 * and read through a memory input handing out a few bytes at a time. A
 * table names each case: the packets and times it must give, or the
 * error (with the block's offset) it must end in. The gzip tests stream a
 * bomb (256 MiB of zeros from a quarter-MiB file) through a fixed buffer,
 * read concatenated members, and name corrupt and cut-short data.
 * Finally, every pcapng of the shared nDPI set (when present) is read by
 * libpcap (source_open_file) and by attrib's reader side by side: the
 * same frames, offsets, lengths, times, link types, bytes and hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "capture/source_gz.h"
#include "capture/source_pcapng.h"

enum { BUF_MAX = 1 << 17 }; /* room for 4097 interface blocks */

struct buf {
	uint8_t b[BUF_MAX];
	size_t n;
	bool big;
};

static void put32(struct buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->b[b->n + (size_t)i] = (uint8_t)(b->big ? v >> (24 - 8 * i)
							  : v >> (8 * i));
	b->n += 4;
}

static void put16(struct buf *b, uint16_t v)
{
	b->b[b->n] = (uint8_t)(b->big ? v >> 8 : v);
	b->b[b->n + 1] = (uint8_t)(b->big ? v : v >> 8);
	b->n += 2;
}

/* Appends a block of type with body (len bytes, padded to 4). */
static void block(struct buf *b, uint32_t type, const struct buf *body)
{
	size_t pad = (4 - body->n % 4) % 4;
	uint32_t len = (uint32_t)(12 + body->n + pad);

	put32(b, type);
	put32(b, len);
	memcpy(b->b + b->n, body->b, body->n);
	memset(b->b + b->n + body->n, 0, pad);
	b->n += body->n + pad;
	put32(b, len);
}

static void shb(struct buf *b, bool big)
{
	struct buf body = { .big = big };

	b->big = big;
	put32(&body, 0x1a2b3c4d);
	put16(&body, 1);
	put16(&body, 0);
	put32(&body, 0xffffffff);
	put32(&body, 0xffffffff);
	block(b, 0x0a0d0d0a, &body);
}

static void idb(struct buf *b, uint16_t linktype, uint32_t snaplen,
		int tsresol)
{
	struct buf body = { .big = b->big };

	put16(&body, linktype);
	put16(&body, 0);
	put32(&body, snaplen);
	if (tsresol >= 0) {
		put16(&body, 9);
		put16(&body, 1);
		body.b[body.n] = (uint8_t)tsresol;
		memset(body.b + body.n + 1, 0, 3);
		body.n += 4;
		put32(&body, 0); /* opt_endofopt */
	}
	block(b, 1, &body);
}

static void epb(struct buf *b, uint32_t ifid, uint64_t ts, uint32_t caplen,
		uint32_t wirelen)
{
	struct buf body = { .big = b->big };

	put32(&body, ifid);
	put32(&body, (uint32_t)(ts >> 32));
	put32(&body, (uint32_t)ts);
	put32(&body, caplen);
	put32(&body, wirelen);
	for (uint32_t i = 0; i < caplen; i++)
		body.b[body.n++] = (uint8_t)i;
	block(b, 6, &body);
}

static void spb(struct buf *b, uint32_t wirelen)
{
	struct buf body = { .big = b->big };

	put32(&body, wirelen);
	memset(body.b + body.n, 0xab, wirelen);
	body.n += wirelen;
	block(b, 3, &body);
}

/* Case builders. */
static void two_snaplens(struct buf *b)
{
	shb(b, false);
	idb(b, 1, 65535, -1);
	epb(b, 0, 1700000000000001ull, 60, 60);
	idb(b, 101, 64, 9); /* raw IP, nanoseconds, another snaplen */
	epb(b, 1, 1700000000000002500ull, 40, 80);
	spb(b, 30);
}

static void two_sections(struct buf *b)
{
	two_snaplens(b);
	shb(b, true);
	idb(b, 1, 128, 0x80 | 10); /* 1/1024 s */
	epb(b, 0, 1700000000ull * 1024 + 512, 20, 20);
}

static void over_snaplen(struct buf *b)
{
	shb(b, false);
	idb(b, 1, 32, -1);
	epb(b, 0, 5, 50, 50);
}

static void unknown_interface(struct buf *b)
{
	shb(b, false);
	idb(b, 1, 0, -1);
	epb(b, 3, 5, 10, 10);
}

static void caplen_past_block(struct buf *b)
{
	shb(b, false);
	idb(b, 1, 0, -1);
	size_t at = b->n;
	epb(b, 0, 5, 10, 10);
	b->b[at + 20] = 200; /* captured length 200 in a 40-byte block */
}

static void length_not_aligned(struct buf *b)
{
	shb(b, false);
	b->b[4] = 29; /* section header's length: 29 */
}

static void trailer_differs(struct buf *b)
{
	shb(b, false);
	idb(b, 1, 0, -1);
	b->b[b->n - 4] ^= 4;
}

static void too_long(struct buf *b)
{
	shb(b, false);
	put32(b, 6);
	put32(b, 0x7ffffff0u);
	put32(b, 0);
}

static void cut_short(struct buf *b)
{
	two_snaplens(b);
	b->n -= 10;
}

static void no_section(struct buf *b)
{
	b->big = false;
	idb(b, 1, 0, -1);
}

static void too_many_interfaces(struct buf *b)
{
	shb(b, false);
	for (int i = 0; i < 4097; i++)
		idb(b, 1, 0, -1);
}

struct ng_case {
	const char *name;
	void (*build)(struct buf *b);
	uint64_t skip;
	enum source_status end;
	unsigned packets;      /* returned before the end */
	const char *error;     /* substring of the error, or NULL */
	uint64_t first_ts_us;  /* of the first packet returned */
	int last_linktype;
	bool last_over;
};

static const struct ng_case ng_cases[] = {
	{ "two snaplens", two_snaplens, 0, SOURCE_END, 3, NULL,
	  1700000000000001ull, 1, false },
	{ "skip the first", two_snaplens, 1, SOURCE_END, 2, NULL,
	  1700000000000002ull, 1, false },
	{ "big-endian second section", two_sections, 0, SOURCE_END, 4, NULL,
	  1700000000000001ull, 1, false },
	{ "record over snaplen", over_snaplen, 0, SOURCE_END, 1, NULL, 5, 1,
	  true },
	{ "unknown interface", unknown_interface, 0, SOURCE_ERROR, 0,
	  "block at offset 48: packet names an interface", 0, 0, false },
	{ "caplen past block", caplen_past_block, 0, SOURCE_ERROR, 0,
	  "block at offset 48: captured length runs past", 0, 0, false },
	{ "length not aligned", length_not_aligned, 0, SOURCE_ERROR, 0,
	  "block at offset 0: block length out of bounds", 0, 0, false },
	{ "trailer differs", trailer_differs, 0, SOURCE_ERROR, 0,
	  "block at offset 28: trailing block length", 0, 0, false },
	{ "block over 16 MiB", too_long, 0, SOURCE_ERROR, 0,
	  "block at offset 28: block length out of bounds", 0, 0, false },
	{ "cut short", cut_short, 0, SOURCE_ERROR, 2, "truncated",
	  1700000000000001ull, 101,
	  false },
	{ "no section header", no_section, 0, SOURCE_ERROR, 0,
	  "block at offset 0: not a pcapng section header", 0, 0, false },
	{ "too many interfaces", too_many_interfaces, 0, SOURCE_ERROR, 0,
	  "more interfaces in one section", 0, 0, false },
};

struct mem {
	const uint8_t *p;
	size_t n, off;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n, char *err,
			size_t errlen)
{
	struct mem *m = ctx;
	size_t take = m->n - m->off;

	(void)err;
	(void)errlen;
	if (take > n)
		take = n;
	if (take > 5)
		take = 5;
	memcpy(buf, m->p + m->off, take);
	m->off += take;
	return (ssize_t)take;
}

static void test_pcapng_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ng_cases) / sizeof(ng_cases[0]); i++) {
		const struct ng_case *c = &ng_cases[i];
		struct buf *b = calloc(1, sizeof(*b));
		assert_non_null(b);
		c->build(b);
		struct mem m = { .p = b->b, .n = b->n };
		struct ng_reader *r = ng_open_input(mem_read, &m, "mem",
						    c->skip);
		assert_non_null(r);
		struct packet pkt;
		bool over = false, last_over = false;
		unsigned got = 0;
		enum source_status st;
		while ((st = ng_next(r, &pkt, &over)) == SOURCE_PACKET) {
			if (got == 0)
				assert_int_equal(pkt.ts_us, c->first_ts_us);
			assert_int_equal(pkt.frame, c->skip + got + 1);
			assert_true(pkt.file_offset + pkt.caplen <=
				    ng_position(r));
			last_over = over;
			got++;
		}
		if (st != c->end || got != c->packets)
			fail_msg("%s: status %d after %u packets", c->name,
				 st, got);
		if (c->error && !strstr(ng_error(r), c->error))
			fail_msg("%s: error '%s'", c->name, ng_error(r));
		if (c->packets > 0 && c->end == SOURCE_END) {
			assert_int_equal(pkt.linktype, c->last_linktype);
			assert_int_equal(last_over, c->last_over);
		}
		ng_close(r);
		free(b);
	}
}

/* Times: nanosecond and binary (2^-10) resolutions; an SPB has none. */
static void test_pcapng_times(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	(void)state;
	assert_non_null(b);
	two_sections(b);
	struct mem m = { .p = b->b, .n = b->n };
	struct ng_reader *r = ng_open_input(mem_read, &m, "mem", 0);
	static const uint64_t want[] = { 1700000000000001ull,
					 1700000000000002ull, 0,
					 1700000000500000ull };
	static const uint32_t caplen[] = { 60, 40, 30, 20 };
	struct packet pkt;
	bool over;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(ng_next(r, &pkt, &over), SOURCE_PACKET);
		assert_int_equal(pkt.ts_us, want[i]);
		assert_int_equal(pkt.caplen, caplen[i]);
	}
	assert_int_equal(ng_linktype(r), 1);
	assert_int_equal(ng_next(r, &pkt, &over), SOURCE_END);
	ng_close(r);
	free(b);
}

/* Compresses len bytes of fill into one gzip member, streamed. */
static size_t gzip_fill(uint8_t *out, size_t cap, uint8_t fill, size_t len)
{
	z_stream z = { 0 };
	static uint8_t in[1 << 16];

	memset(in, fill, sizeof(in));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while (len > 0) {
		size_t n = len < sizeof(in) ? len : sizeof(in);
		z.next_in = in;
		z.avail_in = (uInt)n;
		assert_int_equal(deflate(&z, Z_NO_FLUSH), Z_OK);
		len -= n;
	}
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	deflateEnd(&z);
	return n;
}

/* Reads everything from a compressed buffer; returns bytes or -1. */
static int64_t gz_drain(const uint8_t *p, size_t n, char *err, size_t len)
{
	FILE *f = fmemopen((void *)p, n, "rb");
	struct gz_reader *g = gz_open(f);
	static uint8_t buf[1 << 16];
	int64_t total = 0;
	ssize_t got;

	assert_non_null(g);
	while ((got = gz_read(g, buf, sizeof(buf))) > 0)
		total += got;
	snprintf(err, len, "%s", gz_error(g));
	gz_close(g);
	fclose(f);
	return got < 0 ? -1 : total;
}

static void test_gzip(void **state)
{
	enum { CAP = 1 << 20 };
	uint8_t *z = malloc(CAP);
	char err[200];
	(void)state;
	assert_non_null(z);

	/* A bomb: 256 MiB from a small file, through a 64 KiB buffer. */
	size_t n = gzip_fill(z, CAP, 0, (size_t)256 << 20);
	assert_true(n < 512 << 10);
	assert_int_equal(gz_drain(z, n, err, sizeof(err)),
			 (int64_t)256 << 20);

	/* Two members, then trailing zeros (as some tools pad). */
	size_t a = gzip_fill(z, CAP, 'a', 1000);
	size_t b = gzip_fill(z + a, CAP - a, 'b', 3000);
	memset(z + a + b, 0, 16);
	assert_int_equal(gz_drain(z, a + b + 16, err, sizeof(err)), 4000);

	/* A second member whose magic is split by the reader's 256 KiB
	 * reads: a first member of exactly 256 KiB - 1 bytes (stored
	 * blocks of incompressible bytes, length searched for). */
	size_t first = 0;
	for (size_t len = (256 << 10) - 20; len > (256 << 10) - 200 &&
	     first != (256u << 10) - 1; len--) {
		z_stream d = { 0 };
		uint8_t *in = malloc(len);
		assert_non_null(in);
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 2654435761u >> 13);
		assert_int_equal(deflateInit2(&d, 0, Z_DEFLATED, 31, 9,
					      Z_DEFAULT_STRATEGY), Z_OK);
		d.next_in = in;
		d.avail_in = (uInt)len;
		d.next_out = z;
		d.avail_out = CAP;
		assert_int_equal(deflate(&d, Z_FINISH), Z_STREAM_END);
		first = d.total_out;
		deflateEnd(&d);
		free(in);
		if (first == (256u << 10) - 1) {
			size_t second = gzip_fill(z + first, CAP - first, 'c',
						  777);
			assert_int_equal(gz_drain(z, first + second, err,
						  sizeof(err)),
					 (int64_t)len + 777);
		}
	}
	assert_int_equal(first, (256u << 10) - 1);

	/* Cut short, and corrupt. */
	a = gzip_fill(z, CAP, 'a', 1000);
	assert_int_equal(gz_drain(z, a - 6, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cut short"));
	z[12] ^= 0xff;
	z[13] ^= 0xff;
	assert_int_equal(gz_drain(z, a, err, sizeof(err)), -1);
	assert_true(strstr(err, "corrupt") || strstr(err, "cut short"));
	free(z);
}

/* Both readers over one file; returns the packets compared. */
static uint64_t compare_readers(const char *path)
{
	char err[1024];
	struct source *s = source_open_file(path, err, sizeof(err));
	struct ng_reader *r = ng_open_file(path, 0, err, sizeof(err));
	struct packet a, b;
	bool over;
	uint64_t n = 0;
	enum source_status sa, sb;
	uint8_t sha_a[SHA256_LEN], sha_b[SHA256_LEN], stream[SHA256_LEN];

	assert_non_null(s);
	assert_non_null(r);
	if (strcmp(source_format(s), "pcapng") != 0) {
		source_close(s); /* a pcap named .pcapng */
		ng_close(r);
		return 0;
	}
	for (;;) {
		sa = source_next(s, &a);
		sb = ng_next(r, &b, &over);
		if (sa != SOURCE_PACKET || sb != SOURCE_PACKET)
			break;
		if (a.frame != b.frame || a.file_offset != b.file_offset ||
		    a.caplen != b.caplen || a.wirelen != b.wirelen ||
		    a.ts_us != b.ts_us || a.linktype != b.linktype ||
		    memcmp(a.data, b.data, a.caplen) != 0)
			fail_msg("%s: frame %llu differs (offset %llu/%llu, "
				 "caplen %u/%u, time %llu/%llu)", path,
				 (unsigned long long)a.frame,
				 (unsigned long long)a.file_offset,
				 (unsigned long long)b.file_offset, a.caplen,
				 b.caplen, (unsigned long long)a.ts_us,
				 (unsigned long long)b.ts_us);
		n++;
	}
	if (sa != sb)
		fail_msg("%s: after %llu packets libpcap %d (%s), attrib %d "
			 "(%s)", path, (unsigned long long)n, sa,
			 source_error(s), sb, ng_error(r));
	if (sa == SOURCE_END) {
		assert_int_equal(source_finish_hash(s, sha_a), 0);
		assert_int_equal(ng_finish_hash(r, sha_b, stream), 0);
		assert_memory_equal(sha_a, sha_b, SHA256_LEN);
	}
	source_close(s);
	ng_close(r);
	return n;
}

static void test_pcapng_like_libpcap(void **state)
{
	glob_t g;
	uint64_t packets = 0;
	(void)state;

	if (glob("../shared/pcaps/ndpi/*.pcapng", 0, NULL, &g) != 0) {
		print_message("no shared pcapng captures: skipped\n");
		skip();
	}
	size_t files = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		uint64_t n = compare_readers(g.gl_pathv[i]);
		files += n > 0;
		packets += n;
	}
	print_message("%zu pcapng files (of %zu named .pcapng), %llu "
		      "packets read alike\n", files, g.gl_pathc,
		      (unsigned long long)packets);
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_cases),
		cmocka_unit_test(test_pcapng_times),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_pcapng_like_libpcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
