/*
 * fuzz_pcapng.c — libFuzzer harness for attrib's own pcapng reader
 * (capture/source_pcapng.c) and its gzip input (capture/source_gz.c).
 *
 * Input: a pcapng file, or (starting with the gzip magic 1f 8b) a
 * compressed one, read through a memory stream and inflated on the way.
 * Every packet is read to the end; each must lie inside the bytes read so
 * far and every byte it holds is touched, so sanitizers see an over-read.
 * The reader must end with SOURCE_END or SOURCE_ERROR and a message.
 * The first packets are then re-read, last first, as verification reads
 * them (capture_open_decompressed, which for compressed input is a
 * seekable decompressed view, and capture_read_packet), and must come
 * back with the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "capture/source_gz.h"
#include "capture/source_pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem_input {
	const uint8_t *data;
	size_t size, off;
	struct gz_reader *gz;
};

/* Hands out the input in pieces of at most 7 bytes (plain) so every block
 * crosses reads, or what the inflater gives (compressed). */
static ssize_t mem_read(void *ctx, void *buf, size_t n, char *err,
			size_t errlen)
{
	struct mem_input *m = ctx;
	size_t take;

	if (m->gz) {
		ssize_t got = gz_read(m->gz, buf, n);
		if (got < 0)
			snprintf(err, errlen, "%s", gz_error(m->gz));
		return got;
	}
	take = m->size - m->off;
	if (take > n)
		take = n;
	if (take > 7)
		take = 7;
	memcpy(buf, m->data + m->off, take);
	m->off += take;
	return (ssize_t)take;
}

enum { REREAD_MAX = 8, REREAD_BYTES = 64 };

struct seen {
	uint64_t offset;
	uint32_t caplen;
	uint8_t head[REREAD_BYTES];
};

/* Re-reads the packets seen through the decompressed view, last first. */
static void reread(const uint8_t *data, size_t size, const struct seen *s,
		   size_t n)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	FILE *v = f ? capture_open_decompressed(f) : NULL;
	char err[256];

	if (!v)
		return;
	for (size_t i = n; i-- > 0;) {
		uint8_t *buf = malloc(s[i].caplen ? s[i].caplen : 1);
		if (!buf)
			break;
		/* verify's reading of the record (capture/record.c) must
		 * agree with the reader's. */
		if (capture_read_packet(v, s[i].offset, s[i].caplen, buf, err,
					sizeof(err)) != 0 ||
		    memcmp(buf, s[i].head, s[i].caplen < REREAD_BYTES
				   ? s[i].caplen : REREAD_BYTES) != 0)
			abort();
		free(buf);
	}
	fclose(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen seen[REREAD_MAX];
	size_t nseen = 0;
	struct mem_input in = { .data = data, .size = size };
	FILE *f = NULL;
	struct ng_reader *r;
	struct packet pkt;
	bool over;
	enum source_status st;
	volatile uint8_t sink = 0;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		f = fmemopen((void *)data, size, "rb");
		if (!f || !(in.gz = gz_open(f)))
			goto out;
	}
	r = ng_open_input(mem_read, &in, "fuzz", size % 3);
	if (!r)
		goto out;
	while ((st = ng_next(r, &pkt, &over)) == SOURCE_PACKET) {
		if (pkt.file_offset + pkt.caplen > ng_position(r) ||
		    pkt.frame != ng_frames(r))
			abort();
		for (uint32_t i = 0; i < pkt.caplen; i++)
			sink ^= pkt.data[i];
		if (nseen < REREAD_MAX) {
			seen[nseen].offset = pkt.file_offset;
			seen[nseen].caplen = pkt.caplen;
			memcpy(seen[nseen].head, pkt.data,
			       pkt.caplen < REREAD_BYTES ? pkt.caplen
							 : REREAD_BYTES);
			nseen++;
		}
	}
	if (st == SOURCE_ERROR && ng_error(r)[0] == '\0')
		abort();
	ng_close(r);
	if (nseen > 0)
		reread(data, size, seen, nseen);
out:
	gz_close(in.gz);
	if (f)
		fclose(f);
	(void)sink;
	return 0;
}
