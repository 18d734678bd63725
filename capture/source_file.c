/*
 * source_file.c — packets from a capture file (pcap or pcapng) through
 * libpcap, with a SHA-256 of the file and the byte offset of every record.
 * (The stream libpcap reads through and the file's hash:
 * source_file_stream.c.)
 *
 * attrib opens the file itself and hands libpcap a stream made with
 * fopencookie(). The stream reads the real file in 1 MiB chunks into a
 * buffer attrib owns, and every chunk is hashed whole as it comes off the
 * disk. The stream's position, ftell(), is therefore exactly where libpcap
 * stands in the file, which gives each record's offset:
 *   pcap:   libpcap reads one record per packet, so the record header
 *           starts where libpcap stood before it was asked for the packet;
 *   pcapng: libpcap reads whole blocks, some of which are not packets, so
 *           a small tracker (pcapng_track.c) follows the block lengths in the bytes read
 *           and queues each packet block's span; the packet libpcap
 *           returns is the queued block that ends where libpcap stands.
 * source_finish_hash() reads whatever libpcap left unread, so the hash is
 * that of the whole file even when libpcap stops at a damaged record.
 *
 * Records longer than the file's snaplen. libpcap cuts a pcap record
 * whose stored length exceeds the snaplen in the file header and returns
 * only snaplen bytes (its pcapng reader refuses such a block instead). attrib's
 * evidence cites the record as stored in the file, as Wireshark shows it
 * and as `attrib verify` re-reads it (capture/record.c): source_next()
 * notices the cut, reads the stored bytes itself (pread(), bounded by
 * RECORD_STORED_MAX) and hands those to the decoder; the caller counts
 * the anomaly `record_over_snaplen` (source_record_over_snaplen()).
 *
 * With source_hash_on_thread(), each chunk read into the stream's buffer
 * is hashed by a second thread (hash_worker.c) while libpcap takes its
 * packets from that same buffer; the next read into the buffer waits for
 * the hash of the chunk before it. The bytes hashed are still exactly
 * the bytes decoded.
 *
 * Two kinds of file take another path (and only they):
 *   gzip-compressed captures (magic 1f 8b): the stream's read function
 *           inflates the file through source_gz.c, so libpcap, the offsets
 *           and s->md see the decompressed stream, while the gzip reader
 *           hashes the file as stored; source_finish_hash() gives the
 *           stored file's SHA-256, source_stream_sha256() the stream's.
 *   pcapng that libpcap refuses part-way (an interface whose snap length
 *           or link type differs from the first's, a block longer than
 *           its interface's snap length): source_next() hands over to
 *           attrib's own reader (source_pcapng.c), which reads the file
 *           again from its start on its own handle, skips the packets
 *           libpcap gave, and hashes everything it reads — the digest is
 *           then its own, again of exactly the bytes it decoded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cursor.h"
#include "source_file_internal.h"

/* Names the first four bytes of the file: true with *pcapng set when
 * libpcap might accept them, false when they are no capture magic. */
static bool capture_magic(const char *path, int fd, bool *pcapng)
{
	static const uint32_t pcap_magic[] = {
		0xa1b2c3d4, /* microseconds */
		0xa1b23c4d, /* nanoseconds */
		0xa1b2cd34, /* Kuznetzov's modified format */
	};
	uint8_t p[4];
	uint32_t le, be;
	size_t i;

	*pcapng = false;
	if (pread(fd, p, sizeof(p), 0) != (ssize_t)sizeof(p))
		return false;
	if (p[0] == 0x1f && p[1] == 0x8b) {
		/* Compressed: the magic is the stream's first bytes. */
		char why[256];
		FILE *f = capture_fopen_regular(path, why, sizeof(why));
		struct gz_reader *g = f ? gz_open(f) : NULL;
		bool ok = g && gz_read(g, p, sizeof(p)) == (ssize_t)sizeof(p);
		gz_close(g);
		if (f)
			fclose(f);
		if (!ok)
			return false;
	}
	le = cursor_load32(p, false);
	be = cursor_load32(p, true);
	if (le == PCAPNG_SHB_TYPE) {
		*pcapng = true;
		return true;
	}
	for (i = 0; i < sizeof(pcap_magic) / sizeof(pcap_magic[0]); i++)
		if (le == pcap_magic[i] || be == pcap_magic[i])
			return true;
	return false;
}

struct source *source_open_file(const char *path, char *err, size_t errlen)
{
	static const cookie_io_functions_t cookie_io = {
		.read = source_cookie_read,
		.seek = source_cookie_seek,
	};
	char why[PCAP_ERRBUF_SIZE + 64];
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct source *s;
	struct stat st;
	bool known_magic;
	off_t position;

	capture_gcrypt_init();
	why[0] = '\0';

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	s->status = SOURCE_PACKET;
	s->path = strdup(path);
	if (!s->path) {
		snprintf(why, sizeof(why), "out of memory");
		goto free_source;
	}
	/* Only a regular file: a FIFO, /dev/zero or a terminal would
	 * block or never end. */
	s->file = capture_fopen_regular(path, why, sizeof(why));
	if (!s->file)
		goto free_path;
	if (fstat(fileno(s->file), &st) != 0) {
		snprintf(why, sizeof(why), "cannot stat: %s", strerror(errno));
		goto close_file;
	}
	if (st.st_size == 0) {
		snprintf(why, sizeof(why), "empty file");
		goto close_file;
	}
	s->size = (uint64_t)st.st_size;
	/* Reads are whole chunks into attrib's buffer: no stdio copy. */
	setvbuf(s->file, NULL, _IONBF, 0);
	posix_fadvise(fileno(s->file), 0, 0, POSIX_FADV_SEQUENTIAL);
	known_magic = capture_magic(path, fileno(s->file), &s->is_pcapng);
	if (capture_is_gzip(s->file) && !(s->gz = gz_open(s->file))) {
		snprintf(why, sizeof(why), "out of memory");
		goto close_file;
	}

	s->chunk = malloc(SOURCE_CHUNK_BYTES);
	if (!s->chunk) {
		snprintf(why, sizeof(why), "out of memory");
		goto close_file;
	}
	if (gcry_md_open(&s->md, GCRY_MD_SHA256, 0) != 0) {
		snprintf(why, sizeof(why), "cannot start SHA-256");
		goto free_chunk;
	}
	s->stream = fopencookie(s, "rb", cookie_io);
	if (!s->stream) {
		snprintf(why, sizeof(why), "cannot make stream: %s",
			 strerror(errno));
		goto close_md;
	}
	setvbuf(s->stream, (char *)s->chunk, _IOFBF, SOURCE_CHUNK_BYTES);
	s->pcap = pcap_fopen_offline_with_tstamp_precision(
		s->stream, PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
	if (!s->pcap) {
		if (s->gz && gz_error(s->gz)[0])
			snprintf(why, sizeof(why), "%s", gz_error(s->gz));
		else if (s->read_errno != 0)
			snprintf(why, sizeof(why), "read error: %s",
				 strerror(s->read_errno));
		else if (known_magic)
			snprintf(why, sizeof(why),
				 "truncated or corrupt file header (libpcap: %s)",
				 pcap_err);
		else
			snprintf(why, sizeof(why),
				 "not a pcap or pcapng file (libpcap: %s)",
				 pcap_err);
		goto close_stream;
	}
	position = ftello(s->stream);
	s->position = position > 0 ? (uint64_t)position : 0;
	s->linktype = pcap_datalink(s->pcap);
	if (pcap_datalink_val_to_name(s->linktype))
		snprintf(s->linktype_name, sizeof(s->linktype_name), "%s",
			 pcap_datalink_val_to_name(s->linktype));
	else
		snprintf(s->linktype_name, sizeof(s->linktype_name),
			 "LINKTYPE_%d", s->linktype);
	return s;

close_stream:
	fclose(s->stream);
	pcapng_track_free(&s->ng);
close_md:
	gcry_md_close(s->md);
free_chunk:
	free(s->chunk);
close_file:
	gz_close(s->gz);
	fclose(s->file);
free_path:
	free(s->path);
free_source:
	free(s);
fail:
	snprintf(err, errlen, "%s: frame 0 (file header): %s", path, why);
	return NULL;
}

/*
 * When libpcap delivered fewer bytes than the pcap record stores (the
 * record, which ends where libpcap stands, is longer than the snaplen),
 * points pkt at the stored bytes, read from the file. Returns 0, or -1 with s->err set when they cannot be read.
 */
static int take_stored_record(struct source *s, struct packet *pkt,
			      uint64_t end)
{
	uint64_t data_at = pkt->file_offset + PCAP_RECORD_HEADER_BYTES;
	uint32_t stored;

	s->over_snaplen = false;
	/* pcap: libpcap consumed exactly the record, so its stored length
	 * is the span less the record header. libpcap's pcapng reader
	 * refuses an enhanced packet block longer than the snaplen as a
	 * corrupt record, so pcapng never gets here. */
	if (s->is_pcapng || end < data_at ||
	    end - data_at > RECORD_STORED_MAX)
		return 0;
	stored = (uint32_t)(end - data_at);
	if (stored <= pkt->caplen)
		return 0;
	if (stored > s->stored_cap) {
		uint8_t *p = realloc(s->stored, stored);

		if (!p) {
			snprintf(s->err, sizeof(s->err),
				 "%s: frame %llu: out of memory", s->path,
				 (unsigned long long)pkt->frame);
			return -1;
		}
		s->stored = p;
		s->stored_cap = stored;
	}
	if (pread(fileno(s->file), s->stored, stored, (off_t)data_at) !=
	    (ssize_t)stored) {
		snprintf(s->err, sizeof(s->err),
			 "%s: frame %llu: read error: the record's %u stored "
			 "bytes cannot be read back", s->path,
			 (unsigned long long)pkt->frame, stored);
		return -1;
	}
	pkt->data = s->stored;
	pkt->caplen = stored;
	s->over_snaplen = true;
	return 0;
}

/* Packets from attrib's pcapng reader, once libpcap refused the file. */
static enum source_status next_from_own_reader(struct source *s,
					       struct packet *pkt)
{
	enum source_status st = ng_next(s->own, pkt, &s->over_snaplen);

	if (st == SOURCE_PACKET)
		s->frames = pkt->frame;
	else if (st == SOURCE_ERROR)
		snprintf(s->err, sizeof(s->err), "%s", ng_error(s->own));
	s->status = st;
	return st;
}

/*
 * True for libpcap's refusals of what pcapng allows (and tshark reads):
 * an interface whose link type or snap length differs from the first
 * interface's, a block holding more than its interface's snap length, a
 * section in the other byte order (libpcap reads its header's length in
 * the old order: "pcapng block size N > maximum"; a block really that
 * long gets attrib's own message naming its offset). Damaged files keep
 * libpcap's own message otherwise.
 */
static bool refused_but_valid(const char *pcap_msg)
{
	return strstr(pcap_msg, "different from the") ||
	       strstr(pcap_msg, "bigger than snaplen") ||
	       strstr(pcap_msg, "pcapng block size");
}

/* libpcap refused a pcapng file part-way: reads it again with attrib's
 * reader, which goes on after the packets libpcap gave. Returns 0, or -1
 * (libpcap's error stands) when the reader cannot be opened. */
static int hand_over_to_own_reader(struct source *s)
{
	char why[512];

	s->own = ng_open_file(s->path, s->frames, why, sizeof(why));
	return s->own ? 0 : -1;
}

enum source_status source_next(struct source *s, struct packet *pkt)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t before = s->position;
	const char *what;
	off_t after;
	int rc;

	if (s->own)
		return next_from_own_reader(s, pkt);
	if (s->status != SOURCE_PACKET)
		return s->status;
	rc = pcap_next_ex(s->pcap, &hdr, &data);
	after = ftello(s->stream);
	if (after >= 0)
		s->position = (uint64_t)after;
	if (rc == 1) {
		s->frames++;
		pkt->frame = s->frames;
		pkt->ts_us = (uint64_t)hdr->ts.tv_sec * 1000000u +
			     (uint64_t)hdr->ts.tv_usec;
		/* pcap: one record per call. pcapng: the fallback is not
		 * reached, as libpcap reads whole blocks and rejects the
		 * headers that make the tracker lose its way. */
		pkt->file_offset = s->is_pcapng
			? pcapng_packet_start(&s->ng, s->position, before)
			: before;
		pkt->caplen = hdr->caplen;
		pkt->wirelen = hdr->len;
		pkt->linktype = s->linktype;
		pkt->data = data;
		if (take_stored_record(s, pkt, s->position) != 0) {
			s->status = SOURCE_ERROR;
			return s->status;
		}
		return SOURCE_PACKET;
	}
	if (rc == PCAP_ERROR_BREAK) {
		s->status = SOURCE_END;
		return s->status;
	}
	if (s->is_pcapng && s->read_errno == 0 && rc == PCAP_ERROR &&
	    refused_but_valid(pcap_geterr(s->pcap)) &&
	    hand_over_to_own_reader(s) == 0)
		return next_from_own_reader(s, pkt);
	if (s->gz && gz_error(s->gz)[0])
		what = gz_error(s->gz);
	else if (s->read_errno != 0)
		what = "read error";
	else if (strstr(pcap_geterr(s->pcap), "truncated"))
		what = "truncated record";
	else
		what = "corrupt record";
	snprintf(s->err, sizeof(s->err), "%s: frame %llu: %s (libpcap: %s)",
		 s->path, (unsigned long long)s->frames + 1, what,
		 rc == PCAP_ERROR ? pcap_geterr(s->pcap) : "unexpected status");
	s->status = SOURCE_ERROR;
	return s->status;
}

bool source_record_over_snaplen(const struct source *s)
{
	return s->over_snaplen;
}

const char *source_error(const struct source *s)
{
	return s->err;
}

const char *source_path(const struct source *s)
{
	return s->path;
}

int source_linktype(const struct source *s)
{
	return s->linktype;
}

const char *source_linktype_name(const struct source *s)
{
	return s->linktype_name;
}

const char *source_format(const struct source *s)
{
	if (s->gz)
		return s->is_pcapng ? "pcapng+gzip" : "pcap+gzip";
	return s->is_pcapng ? "pcapng" : "pcap";
}

bool source_stream_sha256(const struct source *s, uint8_t out[SHA256_LEN])
{
	if (!s->gz || !s->hashed)
		return false;
	memcpy(out, s->stream_digest, SHA256_LEN);
	return true;
}

uint64_t source_size(const struct source *s)
{
	return s->size;
}

uint64_t source_bytes_read(const struct source *s)
{
	if (s->own)
		return ng_file_position(s->own);
	if (s->gz) /* compressed bytes: progress is against the file size */
		return gz_bytes_in(s->gz);
	return s->position;
}

uint64_t source_frames(const struct source *s)
{
	return s->frames;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	pcap_close(s->pcap); /* closes s->stream */
	hash_worker_stop(s->hasher);
	gcry_md_close(s->md);
	pcapng_track_free(&s->ng);
	free(s->chunk);
	free(s->stored);
	ng_close(s->own);
	gz_close(s->gz);
	fclose(s->file);
	free(s->path);
	free(s);
}

const char *source_library_version(void)
{
	return pcap_lib_version();
}
