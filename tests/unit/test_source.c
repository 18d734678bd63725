/*
 * test_source.c — cmocka tests of the capture-file source (source_file.c)
 * and the whole-file hash (filehash.c). Captures are generated in a
 * temporary directory (pcap with libpcap's writer, pcapng block by block);
 * every packet is checked against plain libpcap reading the same file and
 * against the record at its file_offset, every hash against file_sha256().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/source.h"

enum { MiB = 1 << 20 };

static char tmp_dir[64];

/* What the tests expect of one packet. */
struct want_packet {
	uint64_t ts_us;
	uint32_t caplen, wirelen;
	uint64_t offset; /* filled in by the writers */
};

static const char *tmp_path(const char *name)
{
	static char path[4][512];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp_dir, name);
	return p;
}

/* Reads a whole file (at most 8 MiB) into memory the caller frees. */
static uint8_t *load_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = malloc(8 * MiB);

	assert_true(fp && buf);
	*len = fread(buf, 1, 8 * MiB, fp);
	assert_true(*len < 8 * MiB);
	fclose(fp);
	return buf;
}

static void save_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void fill_payload(uint8_t *p, uint32_t len, uint32_t seed)
{
	while (len-- > 0)
		p[len] = (uint8_t)(seed * 31 + len * 7);
}

static uint32_t get32(const uint8_t *p, int big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* Writes pk[] as a pcap file with libpcap, noting each record's offset. */
static void write_pcap(const char *path, struct want_packet *pk, size_t n,
		       int nanosecond)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, 65535,
		nanosecond ? PCAP_TSTAMP_PRECISION_NANO
			   : PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d;
	uint8_t data[65535];
	size_t i;

	assert_non_null(dead);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h = {
			{ (time_t)(pk[i].ts_us / 1000000),
			  (suseconds_t)(pk[i].ts_us % 1000000) },
			pk[i].caplen, pk[i].wirelen };

		if (nanosecond) /* the fraction field is in nanoseconds */
			h.ts.tv_usec = h.ts.tv_usec * 1000 + 999;
		fill_payload(data, pk[i].caplen, (uint32_t)i);
		pk[i].offset = (uint64_t)pcap_dump_ftell(d);
		pcap_dump((u_char *)d, &h, data);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* A pcapng file being written block by block. */
struct ng {
	uint8_t p[4 * MiB]; /* zeroed, so padding needs no writing */
	size_t len;
	int be;             /* byte order of the current section */
	int nano;           /* if_tsresol of the current interface is 10^-9 */
};

static void ng_put(struct ng *b, const void *src, size_t len)
{
	assert_true(b->len + len <= sizeof(b->p));
	if (src)
		memcpy(b->p + b->len, src, len);
	b->len += len;
}

static void ng_u32(struct ng *b, uint32_t v)
{
	uint8_t o[4];
	int i;

	for (i = 0; i < 4; i++)
		o[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	ng_put(b, o, 4);
}

/* One block: type, length, 32-bit words, data padded to 4, length. */
static void ng_block(struct ng *b, uint32_t type, const uint32_t *words,
		     size_t n_words, const uint8_t *data, uint32_t data_len)
{
	uint32_t padded = (data_len + 3) & ~3u;
	uint32_t total = 12 + 4 * (uint32_t)n_words + padded;
	size_t i;

	ng_u32(b, type);
	ng_u32(b, total);
	for (i = 0; i < n_words; i++)
		ng_u32(b, words[i]);
	ng_put(b, data, data_len);
	ng_put(b, NULL, padded - data_len);
	ng_u32(b, total);
}

/* A section header block and one Ethernet interface; nano adds the
 * interface option if_tsresol = 10^-9. */
static void ng_section(struct ng *b, int be, int nano)
{
	/* pairs of 16-bit fields as 32-bit words: version 1.0; link type,
	 * reserved; option code 9, length 1 */
	uint32_t version = be ? 1u << 16 : 1;
	uint32_t link = be ? (uint32_t)DLT_EN10MB << 16 : DLT_EN10MB;
	uint32_t option = be ? 9u << 16 | 1 : 1u << 16 | 9;

	b->be = be;
	b->nano = nano;
	ng_block(b, 0x0a0d0d0a, (uint32_t[]){ 0x1a2b3c4d, version, 0xffffffff,
					      0xffffffff }, 4, NULL, 0);
	ng_block(b, 1, (uint32_t[]){ link, 65535, option, be ? 9u << 24 : 9, 0 },
		 nano ? 5 : 2, NULL, 0);
}

/* A block libpcap does not know and skips. */
static void ng_other(struct ng *b, uint32_t body_len)
{
	ng_block(b, 0x40000bad, NULL, 0, NULL, body_len);
}

/* An enhanced packet block or, if simple, a simple packet block (which
 * has no timestamp; libpcap reports 0). */
static void ng_packet(struct ng *b, struct want_packet *pk, uint32_t seed,
		      int simple)
{
	uint64_t ts = b->nano ? pk->ts_us * 1000 + 999 : pk->ts_us;
	uint8_t data[65536];

	pk->offset = b->len;
	fill_payload(data, pk->caplen, seed);
	if (simple) {
		pk->ts_us = 0;
		ng_block(b, 3, &pk->wirelen, 1, data, pk->caplen);
		return;
	}
	ng_block(b, 6, (uint32_t[]){ 0, (uint32_t)(ts >> 32), (uint32_t)ts,
				     pk->caplen, pk->wirelen },
		 5, data, pk->caplen);
}

/* The record at pkt's file_offset must describe pkt and hold its bytes. */
static void check_record_at_offset(const uint8_t *file, size_t file_len,
				   int pcapng, const struct packet *pkt)
{
	const uint8_t *r = file + pkt->file_offset;
	uint32_t data_at, be, type, len;

	assert_true(pkt->file_offset + 16 <= file_len);
	if (!pcapng) {
		be = get32(file, 0) != 0xa1b2c3d4 && get32(file, 0) != 0xa1b23c4d;
		assert_int_equal(get32(r + 8, (int)be), pkt->caplen);
		assert_int_equal(get32(r + 12, (int)be), pkt->wirelen);
		data_at = 16;
	} else {
		be = get32(r, 0) > 0xffff;
		type = get32(r, (int)be);
		len = get32(r + 4, (int)be);
		assert_true(type == 6 || type == 3 || type == 2);
		assert_true(pkt->file_offset + len <= file_len);
		assert_int_equal(get32(r + len - 4, (int)be), len);
		data_at = type == 3 ? 12 : 28;
		if (type != 3)
			assert_int_equal(get32(r + 20, (int)be), pkt->caplen);
	}
	assert_true(pkt->file_offset + data_at + pkt->caplen <= file_len);
	assert_memory_equal(r + data_at, pkt->data, pkt->caplen);
}

/*
 * Reads path to its end through the source and, in step, through plain
 * libpcap. Expects `frames` packets, as in want[] unless
 * want is NULL, then `last` with an error containing err_part ("" for
 * none). Checks every offset, and the hash against file_sha256(), hashing
 * on the reading thread or, with threaded, on a second one.
 */
static void read_expect_hashing(const char *path,
				const struct want_packet *want,
				uint64_t frames, enum source_status last,
				const char *err_part, bool threaded)
{
	char err[1024], perr[PCAP_ERRBUF_SIZE];
	uint8_t sha[SHA256_LEN], want_sha[SHA256_LEN];
	struct source *s = source_open_file(path, err, sizeof(err));
	pcap_t *plain = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	struct pcap_pkthdr *h;
	const u_char *d;
	struct packet pkt;
	uint64_t n = 0, last_offset = 0;
	enum source_status st;
	size_t file_len;
	uint8_t *file = load_file(path, &file_len);

	if (!s)
		fail_msg("%s", err);
	if (threaded)
		assert_int_equal(source_hash_on_thread(s), 0);
	assert_non_null(plain);
	assert_string_equal(source_format(s),
			    strstr(path, ".pcapng") ? "pcapng" : "pcap");
	while ((st = source_next(s, &pkt)) == SOURCE_PACKET) {
		assert_int_equal(pcap_next_ex(plain, &h, &d), 1);
		assert_int_equal(pkt.frame, ++n);
		assert_int_equal(source_frames(s), n);
		assert_int_equal(pkt.ts_us, (uint64_t)h->ts.tv_sec * 1000000 +
						    (uint64_t)h->ts.tv_usec);
		assert_int_equal(pkt.wirelen, h->len);
		assert_int_equal(pkt.linktype, source_linktype(s));
		assert_memory_equal(pkt.data, d, h->caplen);
		assert_true(n == 1 || pkt.file_offset > last_offset);
		last_offset = pkt.file_offset;
		check_record_at_offset(file, file_len,
				       !strcmp(source_format(s), "pcapng"), &pkt);
		if (want) {
			assert_int_equal(pkt.ts_us, want[n - 1].ts_us);
			assert_int_equal(pkt.caplen, want[n - 1].caplen);
			assert_int_equal(pkt.wirelen, want[n - 1].wirelen);
			assert_int_equal(pkt.file_offset, want[n - 1].offset);
		}
	}
	assert_int_equal(pcap_next_ex(plain, &h, &d),
			 st == SOURCE_END ? PCAP_ERROR_BREAK : PCAP_ERROR);
	assert_int_equal(st, last);
	assert_int_equal(n, frames);
	assert_int_equal(source_next(s, &pkt), last); /* stays there */
	if (!strstr(source_error(s), err_part) || !*err_part != !*source_error(s))
		fail_msg("error \"%s\", want \"%s\"", source_error(s), err_part);
	if (last == SOURCE_END)
		assert_int_equal(source_bytes_read(s), file_len);
	assert_int_equal(source_size(s), file_len);
	assert_int_equal(source_finish_hash(s, sha), 0);
	assert_int_equal(file_sha256(path, want_sha, err, sizeof(err)), 0);
	assert_memory_equal(sha, want_sha, SHA256_LEN);
	source_close(s);
	pcap_close(plain);
	free(file);
}

static void read_expect(const char *path, const struct want_packet *want,
			uint64_t frames, enum source_status last,
			const char *err_part)
{
	read_expect_hashing(path, want, frames, last, err_part, false);
	read_expect_hashing(path, want, frames, last, err_part, true);
}

/* --- the tests --- */

static const struct want_packet five_packets[] = {
	{ 1700000000000001, 60, 60, 0 },
	{ 1700000000250000, 1514, 1514, 0 },
	{ 1700000001000000, 98, 98, 0 },
	{ 1700000001999999, 200, 1500, 0 }, /* cut by the snap length */
	{ 1700000002500000, 342, 342, 0 },
};

/* Packet blocks among blocks that are not packets, padding, a second
 * section with nanosecond timestamps. w[] gets 6 packets. */
static void write_mixed_pcapng(const char *path, int be, struct want_packet *w)
{
	struct ng *b = calloc(1, sizeof(*b));

	memcpy(w, five_packets, sizeof(five_packets));
	w[5] = (struct want_packet){ 1700000003000000, 61, 61, 0 };
	ng_section(b, be, 0);
	ng_packet(b, &w[0], 0, 0);
	ng_other(b, 40);
	ng_packet(b, &w[1], 1, 0);
	ng_other(b, 0);
	ng_packet(b, &w[2], 2, 1);
	ng_other(b, 4);
	ng_packet(b, &w[3], 3, 0);
	ng_section(b, be, 1);
	ng_other(b, 8);
	ng_packet(b, &w[4], 4, 0);
	ng_packet(b, &w[5], 5, 0);
	ng_other(b, 16);
	save_file(path, b->p, b->len);
	free(b);
}

static void test_frames_times_offsets(void **state)
{
	struct want_packet w[6];
	char err[256];
	struct source *s;

	memcpy(w, five_packets, sizeof(five_packets));
	write_pcap(tmp_path("five.pcap"), w, 5, 0);
	read_expect(tmp_path("five.pcap"), w, 5, SOURCE_END, "");
	write_pcap(tmp_path("nano.pcap"), w, 5, 1); /* 999 ns dropped */
	read_expect(tmp_path("nano.pcap"), w, 5, SOURCE_END, "");
	write_mixed_pcapng(tmp_path("mixed.pcapng"), 0, w);
	read_expect(tmp_path("mixed.pcapng"), w, 6, SOURCE_END, "");
	write_mixed_pcapng(tmp_path("mixed-be.pcapng"), 1, w);
	read_expect(tmp_path("mixed-be.pcapng"), w, 6, SOURCE_END, "");

	s = source_open_file(tmp_path("five.pcap"), err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(source_format(s), "pcap");
	assert_string_equal(source_linktype_name(s), "EN10MB");
	assert_int_equal(source_linktype(s), DLT_EN10MB);
	assert_string_equal(source_path(s), tmp_path("five.pcap"));
	assert_non_null(strstr(source_library_version(), "libpcap"));
	source_close(s);
	source_close(NULL);
}

/* Large files: records and block headers across the 1 MiB read chunks. */
static void test_chunk_boundaries(void **state)
{
	struct want_packet *w = calloc(4000, sizeof(*w)), pk;
	struct ng *b = calloc(1, sizeof(*b));
	const size_t targets[3] = { MiB - 4, 2 * MiB - 8, 3 * MiB };
	uint32_t i, n = 0;

	assert_true(w && b);
	for (i = 0; i < 4000; i++)
		w[i] = (struct want_packet){ 1600000000000000 + i * 1000,
					     60 + (i * 37) % 1455,
					     60 + (i * 37) % 1455, 0 };
	write_pcap(tmp_path("big.pcap"), w, 4000, 0);
	read_expect(tmp_path("big.pcap"), w, 4000, SOURCE_END, "");

	/* pcapng: an EPB header cut 4 bytes into chunk 1, a section header
	 * whose byte-order magic is the first thing in chunk 2, an EPB that
	 * starts chunk 3. */
	ng_section(b, 0, 0);
	for (i = 0; i < 3; i++) {
		while (b->len + 1600 + 12 < targets[i]) {
			pk = w[n % 4000];
			ng_packet(b, &pk, n++, 0);
		}
		ng_other(b, (uint32_t)(targets[i] - b->len - 12));
		assert_int_equal(b->len, targets[i]);
		if (i == 1)
			ng_section(b, 0, 1);
		pk = w[n % 4000];
		ng_packet(b, &pk, n++, 0);
	}
	save_file(tmp_path("big.pcapng"), b->p, b->len);
	read_expect(tmp_path("big.pcapng"), NULL, n, SOURCE_END, "");

	/* A block larger than the read chunk, which libpcap asks for in
	 * one read (glibc still fills it through the stream's buffer). */
	b->len = 0;
	n = 0;
	ng_section(b, 0, 0);
	pk = w[0];
	ng_packet(b, &pk, n++, 0);
	ng_other(b, (uint32_t)(3 * MiB));
	for (i = 0; i < 50; i++) {
		pk = w[i];
		ng_packet(b, &pk, n++, 0);
	}
	save_file(tmp_path("big-block.pcapng"), b->p, b->len);
	read_expect(tmp_path("big-block.pcapng"), NULL, n, SOURCE_END, "");
	free(b);
	free(w);
}

static void test_sha256_known_values(void **state)
{
	uint8_t *bytes = malloc(2000000), sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], err[1024];

	assert_non_null(bytes);
	memset(bytes, 'a', 2000000); /* two read chunks */
	save_file(tmp_path("a"), bytes, 2000000);
	free(bytes);
	assert_int_equal(file_sha256(tmp_path("a"), sha, err, sizeof(err)), 0);
	sha256_hex(sha, hex);
	assert_string_equal(hex, "bcf7f9d1b4311c3352e60502255ce09a"
				 "6744df84e8f2c89f79c4b5d74933a95a");
	save_file(tmp_path("abc"), "abc", 3);
	assert_int_equal(file_sha256(tmp_path("abc"), sha, err, sizeof(err)), 0);
	sha256_hex(sha, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(file_sha256(tmp_path("absent"), sha, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "absent: cannot open"));
	assert_int_equal(file_sha256(tmp_dir, sha, err, sizeof(err)), -1);
}

/* Damaged files: packets up to the damage, then an error naming the
 * frame that could not be read; the hash is still the whole file's. */
static void test_damaged_files(void **state)
{
	static const struct {
		const char *name;
		int pcapng;
		size_t record; /* cut at this packet's offset plus delta, */
		size_t delta;  /* so this many packets come before it */
		enum source_status last;
		const char *err;
	} cuts[] = {
		{ "cut-data.pcap", 0, 4, 16 + 100, SOURCE_ERROR,
		  "cut-data.pcap: frame 5: truncated record (libpcap: truncated"
		  " dump file; tried to read 342 captured bytes, only got 100)" },
		{ "cut-header.pcap", 0, 4, 7, SOURCE_ERROR,
		  "cut-header.pcap: frame 5: truncated record (libpcap: "
		  "truncated dump file; tried to read 16 header bytes" },
		{ "cut-boundary.pcap", 0, 4, 0, SOURCE_END, "" },
		{ "cut-data.pcapng", 1, 3, 40, SOURCE_ERROR,
		  "cut-data.pcapng: frame 4: truncated record (libpcap: "
		  "truncated pcapng dump file; tried to read" },
		{ "cut-header.pcapng", 1, 1, 5, SOURCE_ERROR,
		  "cut-header.pcapng: frame 2: truncated record (libpcap: "
		  "truncated pcapng dump file; tried to read 8 bytes" },
	};
	struct want_packet pcap_w[1000], ng_w[6], *w[2] = { pcap_w, ng_w };
	uint32_t huge = 0x7fffffff;
	uint8_t *bytes[2];
	size_t i, len[2];

	for (i = 0; i < 1000; i++) /* five_packets, then 1.4 MiB more */
		pcap_w[i] = five_packets[i < 5 ? i : 1];
	write_pcap(tmp_path("whole.pcap"), pcap_w, 1000, 0);
	write_mixed_pcapng(tmp_path("whole.pcapng"), 0, w[1]);
	bytes[0] = load_file(tmp_path("whole.pcap"), &len[0]);
	bytes[1] = load_file(tmp_path("whole.pcapng"), &len[1]);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		int ng = cuts[i].pcapng;

		save_file(tmp_path(cuts[i].name), bytes[ng],
			  w[ng][cuts[i].record].offset + cuts[i].delta);
		read_expect(tmp_path(cuts[i].name), w[ng], cuts[i].record,
			    cuts[i].last, cuts[i].err);
	}

	/* libpcap stops at frame 3; the MiB after it is hashed all the same */
	memcpy(bytes[0] + w[0][2].offset + 8, &huge, 4);
	save_file(tmp_path("bad-caplen.pcap"), bytes[0], len[0]);
	read_expect(tmp_path("bad-caplen.pcap"), w[0], 2, SOURCE_ERROR,
		    "bad-caplen.pcap: frame 3: corrupt record (libpcap: ");
	free(bytes[0]);
	free(bytes[1]);
}

static void test_open_errors(void **state)
{
	static const uint8_t odd_link[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0,
					      4, 0, [16] = 0xff, 0xff,
					      [20] = 0x0f, 0x27 };
	static const uint8_t flipped[24] = { 0x2b, 0xc3, 0xb2, 0xa1, 2, 0,
					     4, 0, [16] = 0xff, 0xff, [20] = 1 };
	static const struct {
		const char *name;
		const uint8_t *bytes; /* NULL: no file of that name */
		size_t len;
		const char *why;
	} cases[] = {
		{ "absent.pcap", NULL, 0, "cannot open: No such file or directory" },
		{ "subdir", NULL, 0, "is a directory" },
		{ "empty.pcap", odd_link, 0, "empty file" },
		{ "flipped.pcap", flipped, 24,
		  "not a pcap or pcapng file (libpcap: unknown file format)" },
		{ "short.pcap", odd_link, 10, "truncated or corrupt file header "
		  "(libpcap: truncated dump file" },
		{ "locked.pcap", odd_link, 24, "cannot open: Permission denied" },
	};
	char err[1024], want[1024];
	struct source *s;
	size_t i;

	assert_int_equal(mkdir(tmp_path("subdir"), 0700), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].bytes)
			save_file(tmp_path(cases[i].name), cases[i].bytes,
				  cases[i].len);
		if (strcmp(cases[i].name, "locked.pcap") == 0) {
			if (geteuid() == 0) {
				print_message("unreadable: not tested as root\n");
				continue;
			}
			assert_int_equal(chmod(tmp_path(cases[i].name), 0), 0);
		}
		snprintf(want, sizeof(want), "%s: frame 0 (file header): %s",
			 tmp_path(cases[i].name), cases[i].why);
		s = source_open_file(tmp_path(cases[i].name), err, sizeof(err));
		assert_null(s);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s: got \"%s\"", cases[i].name, err);
	}

	/* A link type libpcap has no name for. */
	save_file(tmp_path("odd-link.pcap"), odd_link, sizeof(odd_link));
	s = source_open_file(tmp_path("odd-link.pcap"), err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(source_linktype_name(s), "LINKTYPE_9999");
	assert_int_equal(source_next(s, &(struct packet){ 0 }), SOURCE_END);
	source_close(s);
}

/* The fixtures in pcaps/fixtures and a few real captures of the shared
 * nDPI set, when the tests run from the repository root. */
static void test_real_captures(void **state)
{
	static const struct {
		const char *path;
		uint64_t frames;
	} real[] = {
		{ "../shared/pcaps/ndpi/dns-google-nsid.pcapng", 14 },
		{ "../shared/pcaps/ndpi/dns_exfiltration.pcap", 300 },
	};
	uint8_t sha[SHA256_LEN];
	char err[1024], hex[2 * SHA256_LEN + 1];
	size_t i;

	if (access("pcaps/fixtures/truncated.pcap", R_OK) != 0) {
		print_message("pcaps/fixtures absent: run from the repository "
			      "root\n");
		skip();
	}
	/* read_expect() checks the source's hash against this one */
	read_expect("pcaps/fixtures/truncated.pcap", NULL, 95, SOURCE_ERROR,
		    "truncated.pcap: frame 96: truncated record (libpcap: "
		    "truncated dump file; tried to read 156 captured bytes, "
		    "only got 137)");
	assert_int_equal(file_sha256("pcaps/fixtures/truncated.pcap", sha, err,
				     sizeof(err)), 0);
	sha256_hex(sha, hex);
	assert_string_equal(hex, "03087315bfa65746b6274ac96f7ecea6"
				 "80740ff32dadb21ac04e57381e71c4d6");
	assert_null(source_open_file("pcaps/fixtures/corrupt-header.pcap",
				     err, sizeof(err)));
	assert_non_null(strstr(err, "corrupt-header.pcap: frame 0 (file "
				    "header): not a pcap or pcapng file"));
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++)
		if (access(real[i].path, R_OK) == 0)
			read_expect(real[i].path, NULL, real[i].frames,
				    SOURCE_END, "");
}

static int make_tmp_dir(void **state)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/attrib-test-source-XXXXXX");
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	return remove(path);
}

static int remove_tmp_dir(void **state)
{
	return nftw(tmp_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_times_offsets),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_sha256_known_values),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_real_captures),
	};

	return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
