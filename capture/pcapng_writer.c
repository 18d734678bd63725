/*
 * pcapng_writer.c — pcapng output for live capture (see pcapng_writer.h).
 *
 * Blocks are little-endian whatever the host (the section header's byte
 * order magic says so to readers). The writer keeps its own buffer and
 * calls write(2) itself rather than going through stdio: after a failed
 * write the buffered bytes must be dropped, not written by a later
 * fclose(), and the file cut back to a block boundary the caller chose.
 *
 * Positions: `size` counts every byte handed to the writer, `written` the
 * bytes write(2) accepted, `synced` the bytes a successful fdatasync()
 * covered. size - written is what the buffer holds.
 */
#include "pcapng_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	WRITER_BUFFER_BYTES = 256 * 1024,
	WRITER_ERR_MAX = 1200,
	PCAPNG_SHB_TYPE = 0x0a0d0d0a,
	PCAPNG_IDB_TYPE = 1,
	PCAPNG_EPB_TYPE = 6,
	PCAPNG_EPB_FIXED = 32,  /* 28-byte header and the trailing length */
	OPT_ENDOFOPT = 0,
	OPT_SHB_OS = 3,
	OPT_SHB_USERAPPL = 4,
	OPT_IF_NAME = 2,
	OPT_IF_TSRESOL = 9,
	OPT_IF_FILTER = 11,
	OPT_VALUE_MAX = 65535,
	TSRESOL_MICROSECONDS = 6,
};

static const uint32_t PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

struct pcapng_writer {
	char *path;
	int fd;
	struct sha256_stream *sha;
	uint8_t *buf;
	size_t buffered;
	uint64_t size, written, synced;
	uint64_t packets;
	bool failed;
	bool finished;          /* pcapng_writer_finish() done */
	char err[WRITER_ERR_MAX];
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static void fail_errno(struct pcapng_writer *w, const char *what, int e)
{
	if (w->failed)
		return;
	w->failed = true;
	snprintf(w->err, sizeof(w->err), "%s: %s: %s", w->path, what,
		 strerror(e));
}

/* Writes n bytes at p to the file, whatever write(2) accepts at a time. */
static int write_all(struct pcapng_writer *w, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			fail_errno(w, "write error", k < 0 ? errno : EIO);
			return -1;
		}
		w->written += (uint64_t)k;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int drain(struct pcapng_writer *w)
{
	size_t n = w->buffered;

	w->buffered = 0;
	return write_all(w, w->buf, n);
}

/* Appends n bytes: hashed, then buffered or (when large) written. */
static int put(struct pcapng_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return -1;
	if (w->finished) {
		w->failed = true;
		snprintf(w->err, sizeof(w->err), "%s: written after its end",
			 w->path);
		return -1;
	}
	sha256_stream_update(w->sha, p, n);
	w->size += n;
	if (n > WRITER_BUFFER_BYTES - w->buffered && drain(w) != 0)
		return -1;
	if (n >= WRITER_BUFFER_BYTES)
		return write_all(w, p, n);
	memcpy(w->buf + w->buffered, p, n);
	w->buffered += n;
	return 0;
}

/* Bytes an option with a value of len bytes takes. */
static size_t option_size(size_t len)
{
	return 4 + len + pad4(len);
}

/* Writes an option at p; returns the bytes used. */
static size_t put_option(uint8_t *p, uint16_t code, const void *value,
			 size_t len)
{
	put_le16(p, code);
	put_le16(p + 2, (uint16_t)len);
	memcpy(p + 4, value, len);
	memset(p + 4 + len, 0, pad4(len));
	return option_size(len);
}

static bool has_text(const char *s)
{
	return s && s[0];
}

/* Writes the section header block. */
static int put_shb(struct pcapng_writer *w, const struct pcapng_writer_info *in)
{
	size_t len = 16 + 8 + 4 + 4; /* fixed fields, end of options, trailer */
	const char *appl = in->application, *os = in->os;

	if (has_text(appl) && strlen(appl) < 1024)
		len += option_size(strlen(appl));
	else
		appl = NULL;
	if (has_text(os) && strlen(os) < 1024)
		len += option_size(strlen(os));
	else
		os = NULL;
	uint8_t *b = calloc(1, len), *p = b;
	if (!b) {
		fail_errno(w, "cannot write the section header", ENOMEM);
		return -1;
	}
	put_le32(p, PCAPNG_SHB_TYPE);
	put_le32(p + 4, (uint32_t)len);
	put_le32(p + 8, PCAPNG_BYTE_ORDER_MAGIC);
	put_le16(p + 12, 1);            /* major version */
	put_le16(p + 14, 0);            /* minor version */
	memset(p + 16, 0xff, 8);        /* section length: not given */
	p += 24;
	if (appl)
		p += put_option(p, OPT_SHB_USERAPPL, appl, strlen(appl));
	if (os)
		p += put_option(p, OPT_SHB_OS, os, strlen(os));
	put_le32(p, OPT_ENDOFOPT);
	put_le32(p + 4, (uint32_t)len);
	int rc = put(w, b, len);
	free(b);
	return rc;
}

/* Writes the interface description block. The filter option's value is a
 * type byte (0: a libpcap filter string) and the text. */
static int put_idb(struct pcapng_writer *w, const struct pcapng_writer_info *in)
{
	size_t len = 16 + option_size(1) + 4 + 4;
	const char *name = in->ifname, *filter = in->filter;

	if (has_text(name) && strlen(name) < 256)
		len += option_size(strlen(name));
	else
		name = NULL;
	if (has_text(filter) && strlen(filter) < OPT_VALUE_MAX)
		len += option_size(1 + strlen(filter));
	else
		filter = NULL;
	uint8_t *b = calloc(1, len), *p = b;
	if (!b) {
		fail_errno(w, "cannot write the interface description", ENOMEM);
		return -1;
	}
	put_le32(p, PCAPNG_IDB_TYPE);
	put_le32(p + 4, (uint32_t)len);
	put_le16(p + 8, (uint16_t)in->linktype);
	put_le16(p + 10, 0);
	put_le32(p + 12, in->snaplen);
	p += 16;
	if (name)
		p += put_option(p, OPT_IF_NAME, name, strlen(name));
	if (filter) {
		size_t n = strlen(filter);
		put_le16(p, OPT_IF_FILTER);
		put_le16(p + 2, (uint16_t)(1 + n));
		p[4] = 0;
		memcpy(p + 5, filter, n);
		p += option_size(1 + n);
	}
	uint8_t resol = TSRESOL_MICROSECONDS;
	p += put_option(p, OPT_IF_TSRESOL, &resol, 1);
	put_le32(p, OPT_ENDOFOPT);
	put_le32(p + 4, (uint32_t)len);
	int rc = put(w, b, len);
	free(b);
	return rc;
}

static void writer_free(struct pcapng_writer *w)
{
	sha256_stream_destroy(w->sha);
	free(w->buf);
	free(w->path);
	free(w);
}

struct pcapng_writer *pcapng_writer_create(const char *path,
					   const struct pcapng_writer_info *info,
					   char *err, size_t errlen)
{
	struct pcapng_writer *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup(path)) ||
	    !(w->buf = malloc(WRITER_BUFFER_BYTES)) ||
	    !(w->sha = sha256_stream_create())) {
		snprintf(err, errlen, "%s: out of memory", path);
		if (w)
			writer_free(w);
		return NULL;
	}
	if (info->linktype < 0 || info->linktype > 0xffff) {
		snprintf(err, errlen, "%s: link type %d cannot be written",
			 path, info->linktype);
		writer_free(w);
		return NULL;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
			 strerror(errno));
		writer_free(w);
		return NULL;
	}
	if (put_shb(w, info) != 0 || put_idb(w, info) != 0) {
		snprintf(err, errlen, "%s", w->err);
		close(w->fd);
		unlink(path);
		writer_free(w);
		return NULL;
	}
	return w;
}

uint64_t pcapng_epb_size(uint32_t caplen)
{
	return PCAPNG_EPB_FIXED + (uint64_t)caplen + pad4(caplen);
}

int pcapng_writer_packet(struct pcapng_writer *w, uint64_t ts_us,
			 const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, uint64_t *offset)
{
	static const uint8_t zeros[4];
	uint8_t head[28], tail[4];
	uint32_t total = (uint32_t)pcapng_epb_size(caplen);

	if (w->failed)
		return -1;
	if (caplen > PCAPNG_MAX_CAPLEN || caplen > wirelen) {
		w->failed = true;
		snprintf(w->err, sizeof(w->err),
			 "%s: frame %llu: captured length %u is above the "
			 "snapshot limit or the wire length %u",
			 w->path, (unsigned long long)w->packets + 1, caplen,
			 wirelen);
		return -1;
	}
	put_le32(head, PCAPNG_EPB_TYPE);
	put_le32(head + 4, total);
	put_le32(head + 8, 0); /* interface 0 */
	put_le32(head + 12, (uint32_t)(ts_us >> 32));
	put_le32(head + 16, (uint32_t)ts_us);
	put_le32(head + 20, caplen);
	put_le32(head + 24, wirelen);
	put_le32(tail, total);
	*offset = w->size;
	if (put(w, head, sizeof(head)) != 0 || put(w, data, caplen) != 0 ||
	    put(w, zeros, pad4(caplen)) != 0 || put(w, tail, sizeof(tail)) != 0)
		return -1;
	w->packets++;
	return 0;
}

int pcapng_writer_flush(struct pcapng_writer *w, bool sync)
{
	if (w->failed || drain(w) != 0)
		return -1;
	if (sync) {
		if (fdatasync(w->fd) != 0) {
			fail_errno(w, "cannot sync", errno);
			return -1;
		}
		w->synced = w->written;
	}
	return 0;
}

uint64_t pcapng_writer_size(const struct pcapng_writer *w)
{
	return w->size;
}

uint64_t pcapng_writer_synced(const struct pcapng_writer *w)
{
	return w->synced;
}

uint64_t pcapng_writer_packets(const struct pcapng_writer *w)
{
	return w->packets;
}

const char *pcapng_writer_path(const struct pcapng_writer *w)
{
	return w->path;
}

const char *pcapng_writer_error(const struct pcapng_writer *w)
{
	return w->err;
}

int pcapng_writer_finish(struct pcapng_writer *w, uint8_t sha[SHA256_LEN])
{
	if (pcapng_writer_flush(w, false) != 0)
		return -1;
	if (fsync(w->fd) != 0) {
		fail_errno(w, "cannot sync", errno);
		return -1;
	}
	w->synced = w->written;
	sha256_stream_final(w->sha, sha);
	w->finished = true;
	return 0;
}

int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen)
{
	int rc = 0;

	if (close(w->fd) != 0) {
		snprintf(err, errlen, "%s: close: %s", w->path, strerror(errno));
		rc = -1;
	}
	writer_free(w);
	return rc;
}

int pcapng_writer_abandon(struct pcapng_writer *w, uint64_t keep, char *err,
			  size_t errlen)
{
	int rc = 0;

	w->buffered = 0;
	if (keep > w->written)
		keep = w->written; /* never more than is in the file */
	if (ftruncate(w->fd, (off_t)keep) != 0 || fsync(w->fd) != 0) {
		snprintf(err, errlen, "%s: cannot cut back to %llu bytes: %s",
			 w->path, (unsigned long long)keep, strerror(errno));
		rc = -1;
	}
	if (close(w->fd) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: close: %s", w->path,
			 strerror(errno));
		rc = -1;
	}
	writer_free(w);
	return rc;
}
