/*
 * test_pcapng_writer.c — cmocka tests of the pcapng writer used by live
 * capture. Files written by it are read back by attrib's file source
 * (libpcap) and by capture_read_packet() (attrib's own record reader):
 * frame numbers, record offsets, times, lengths and bytes must be what
 * was written, and the hash given at the end must be file_sha256() of the
 * file. A file-size limit stands in for a full disk: the write fails
 * with a clear message, and the file cut back to a committed size reads
 * as a valid capture holding exactly the committed packets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/pcapng_writer.h"
#include "capture/source.h"

enum { LINKTYPE_ETHERNET = 1, MAX_TEST_PACKETS = 64 };

static char tmp_dir[64];

static const char *tmp_path(const char *name)
{
	static char path[2][512];
	static unsigned next;
	char *p = path[next++ % 2];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp_dir, name);
	return p;
}

static const struct pcapng_writer_info ether_info = {
	.linktype = LINKTYPE_ETHERNET,
	.snaplen = PCAPNG_MAX_CAPLEN,
	.ifname = "veth-test",
	.filter = "udp or tcp",
	.application = "attrib test",
	.os = "Linux",
};

struct sent {
	uint64_t ts_us, offset;
	uint32_t caplen, wirelen;
	uint8_t *data;
};

/* Writes one packet of caplen bytes (a pattern from seed) and records it. */
static void send_packet(struct pcapng_writer *w, struct sent *s,
			uint64_t ts_us, uint32_t caplen, uint32_t wirelen,
			uint32_t seed)
{
	s->data = malloc(caplen ? caplen : 1);
	assert_non_null(s->data);
	for (uint32_t i = 0; i < caplen; i++)
		s->data[i] = (uint8_t)(seed * 31 + i * 7);
	s->ts_us = ts_us;
	s->caplen = caplen;
	s->wirelen = wirelen;
	assert_int_equal(pcapng_writer_packet(w, ts_us, s->data, caplen,
					      wirelen, &s->offset), 0);
}

/* Reads path with the file source and checks it holds exactly sent[0..n). */
static void read_back(const char *path, const struct sent *sent, size_t n)
{
	char err[512];
	struct packet pkt;
	struct source *src = source_open_file(path, err, sizeof(err));
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(PCAPNG_MAX_CAPLEN);
	size_t i;

	assert_non_null(src);
	assert_non_null(f);
	assert_non_null(buf);
	assert_string_equal(source_format(src), "pcapng");
	assert_int_equal(source_linktype(src), LINKTYPE_ETHERNET);
	for (i = 0; i < n; i++) {
		assert_int_equal(source_next(src, &pkt), SOURCE_PACKET);
		assert_int_equal(pkt.frame, i + 1);
		assert_int_equal(pkt.file_offset, sent[i].offset);
		assert_int_equal(pkt.ts_us, sent[i].ts_us);
		assert_int_equal(pkt.caplen, sent[i].caplen);
		assert_int_equal(pkt.wirelen, sent[i].wirelen);
		if (sent[i].caplen)
			assert_memory_equal(pkt.data, sent[i].data,
					    sent[i].caplen);
		assert_int_equal(capture_read_packet(f, sent[i].offset,
						     sent[i].caplen, buf, err,
						     sizeof(err)), 0);
		if (sent[i].caplen)
			assert_memory_equal(buf, sent[i].data, sent[i].caplen);
	}
	assert_int_equal(source_next(src, &pkt), SOURCE_END);
	free(buf);
	fclose(f);
	source_close(src);
}

static void free_sent(struct sent *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].data);
}

/* Lengths around the 4-byte padding, one packet larger than the writer's
 * buffer and the largest allowed. */
static void test_write_read_back(void **state)
{
	static const uint32_t lengths[] = {
		0, 1, 2, 3, 4, 5, 60, 1514, 9000, 65535, 200000,
		PCAPNG_MAX_CAPLEN, 7, 64,
	};
	enum { N = sizeof(lengths) / sizeof(lengths[0]) };
	const char *path = tmp_path("lengths.pcapng");
	char err[512], hex[2 * SHA256_LEN + 1], hex2[2 * SHA256_LEN + 1];
	uint8_t sha[SHA256_LEN], sha2[SHA256_LEN];
	struct sent sent[N];
	struct stat sb;

	struct pcapng_writer *w = pcapng_writer_create(path, &ether_info, err,
						       sizeof(err));
	assert_non_null(w);
	uint64_t header = pcapng_writer_size(w);
	assert_true(header > 0 && header % 4 == 0);
	for (size_t i = 0; i < N; i++) {
		uint64_t before = pcapng_writer_size(w);
		/* times across a 2^32 microsecond boundary of the low word */
		send_packet(w, &sent[i], UINT64_C(0xfffffff0) + 3 * i,
			    lengths[i], lengths[i] + (uint32_t)(i % 3), (uint32_t)i);
		assert_int_equal(sent[i].offset, before);
		assert_int_equal(pcapng_writer_size(w) - before,
				 pcapng_epb_size(lengths[i]));
		assert_int_equal(pcapng_writer_packets(w), i + 1);
	}
	assert_int_equal(pcapng_writer_finish(w, sha), 0);
	assert_int_equal(pcapng_writer_synced(w), pcapng_writer_size(w));
	uint64_t size = pcapng_writer_size(w);
	/* nothing goes in after the end */
	uint64_t off;
	assert_int_equal(pcapng_writer_packet(w, 1, sha, 4, 4, &off), -1);
	assert_non_null(strstr(pcapng_writer_error(w), "after its end"));
	assert_int_equal(pcapng_writer_close(w, err, sizeof(err)), 0);

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, size);
	assert_int_equal(sb.st_mode & 0137, 0); /* at most rw-r----- */
	assert_int_equal(file_sha256(path, sha2, err, sizeof(err)), 0);
	sha256_hex(sha, hex);
	sha256_hex(sha2, hex2);
	assert_string_equal(hex, hex2);
	read_back(path, sent, N);
	free_sent(sent, N);
}

/* A file is created, never overwritten; a captured length above the
 * snapshot limit or the wire length is refused with the frame named. */
static void test_refusals(void **state)
{
	const char *path = tmp_path("refusals.pcapng");
	char err[512];
	uint8_t data[16] = {0};
	uint64_t off;
	uint8_t sha[SHA256_LEN];

	struct pcapng_writer *w = pcapng_writer_create(path, &ether_info, err,
						       sizeof(err));
	assert_non_null(w);
	assert_null(pcapng_writer_create(path, &ether_info, err, sizeof(err)));
	assert_non_null(strstr(err, "refusals.pcapng: cannot create: File exists"));
	assert_int_equal(pcapng_writer_packet(w, 1, data, 16, 15, &off), -1);
	assert_non_null(strstr(pcapng_writer_error(w), "frame 1: captured length 16"));
	/* the writer stays failed */
	assert_int_equal(pcapng_writer_packet(w, 1, data, 8, 8, &off), -1);
	assert_int_equal(pcapng_writer_finish(w, sha), -1);
	assert_int_equal(pcapng_writer_abandon(w, 0, err, sizeof(err)), 0);

	struct pcapng_writer_info odd = ether_info;
	odd.linktype = 70000;
	assert_null(pcapng_writer_create(tmp_path("odd.pcapng"), &odd, err,
					 sizeof(err)));
	assert_non_null(strstr(err, "link type 70000"));
}

/*
 * Runs out of space (a file-size limit, EFBIG) while packets are written
 * and synced in batches, then cuts the file back to the last synced batch:
 * the file must read as exactly the packets of the committed batches.
 */
static void test_out_of_space(void **state)
{
	enum { BATCH = 5, LIMIT = 48 * 1024 };
	const char *path = tmp_path("full.pcapng");
	char err[512];
	struct sent sent[MAX_TEST_PACKETS];
	struct rlimit old, small = {.rlim_cur = LIMIT, .rlim_max = RLIM_INFINITY};
	uint64_t committed_bytes, committed_packets = 0;
	size_t n = 0;
	int rc = 0;

	struct pcapng_writer *w = pcapng_writer_create(path, &ether_info, err,
						       sizeof(err));
	assert_non_null(w);
	assert_int_equal(pcapng_writer_flush(w, true), 0);
	committed_bytes = pcapng_writer_size(w);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	while (rc == 0 && n < MAX_TEST_PACKETS) {
		struct sent *s = &sent[n];
		s->data = calloc(1, 1500);
		assert_non_null(s->data);
		s->caplen = s->wirelen = 1500;
		s->ts_us = 1000 + n;
		rc = pcapng_writer_packet(w, s->ts_us, s->data, 1500, 1500,
					  &s->offset);
		n++;
		if (rc == 0 && n % BATCH == 0) {
			rc = pcapng_writer_flush(w, true);
			if (rc == 0) {
				committed_bytes = pcapng_writer_size(w);
				committed_packets = n;
			}
		}
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(pcapng_writer_error(w),
			       "full.pcapng: write error: File too large"));
	assert_true(committed_packets > 0);
	assert_true(committed_bytes <= LIMIT);
	assert_int_equal(pcapng_writer_abandon(w, committed_bytes, err,
					       sizeof(err)), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, committed_bytes);
	read_back(path, sent, committed_packets);
	free_sent(sent, n);
}

static int make_tmp_dir(void **state)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/attrib-test-pcapng-XXXXXX");
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp_dir(void **state)
{
	static const char *names[] = {
		"lengths.pcapng", "refusals.pcapng", "odd.pcapng", "full.pcapng",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	return rmdir(tmp_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_out_of_space),
	};

	return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
