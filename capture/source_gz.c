/*
 * source_gz.c — gzip-compressed captures (.pcap.gz, .pcapng.gz, found by
 * the gzip magic bytes 1f 8b, not by the name), read as a stream through
 * zlib.
 *
 * Streaming, never whole: the compressed file is read in GZ_IN_BYTES
 * pieces and inflated straight into the caller's buffer, so memory stays
 * fixed however far the data expands (a decompression bomb costs time,
 * never memory). Concatenated gzip members are read one after another, as
 * gzip(1) does. Every compressed byte read from the file is hashed (the
 * SHA-256 of the file as stored); the caller hashes the decompressed
 * bytes it takes (the SHA-256 of the stream). Offsets in a compressed
 * capture are offsets in the decompressed stream.
 *
 * For verification, capture_open_decompressed() wraps a compressed file
 * in a stdio stream of the decompressed bytes that can seek: forward by
 * inflating and discarding, backward by starting again from the top
 * (the stream's first 4 KiB, the file header, are kept).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "source.h"
#include "source_gz.h"

enum {
	GZ_IN_BYTES = 256 << 10,   /* compressed bytes read at a time */
	GZ_WINDOW_GZIP = 15 + 16,  /* zlib: gzip wrapper only */
};

struct gz_reader {
	FILE *file;                 /* the compressed file, not owned */
	z_stream z;
	uint8_t *in;                /* GZ_IN_BYTES */
	struct sha256_stream *stored; /* hash of the bytes read from file */
	uint64_t stored_bytes;      /* compressed bytes read */
	uint64_t out_bytes;         /* decompressed bytes handed out */
	bool member_done;           /* Z_STREAM_END seen, next not begun */
	bool eof;                   /* the file is read to its end */
	bool failed;
	char err[160];
};

bool capture_is_gzip(FILE *f)
{
	uint8_t m[2];
	bool gz = false;
	long at = ftell(f);

	if (at < 0)
		return false;
	if (fseek(f, 0, SEEK_SET) == 0 && fread(m, 1, 2, f) == 2)
		gz = m[0] == 0x1f && m[1] == 0x8b;
	clearerr(f);
	if (fseek(f, at, SEEK_SET) != 0)
		return false;
	return gz;
}

struct gz_reader *gz_open(FILE *file)
{
	struct gz_reader *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->file = file;
	g->in = malloc(GZ_IN_BYTES);
	g->stored = sha256_stream_create();
	if (!g->in || !g->stored ||
	    inflateInit2(&g->z, GZ_WINDOW_GZIP) != Z_OK) {
		sha256_stream_destroy(g->stored);
		free(g->in);
		free(g);
		return NULL;
	}
	return g;
}

/* Reads more compressed bytes after the `keep` unread ones (moved to the
 * buffer's start); false at the end of the file or on error. */
static bool gz_fill_keeping(struct gz_reader *g, size_t keep)
{
	size_t n;

	if (g->eof)
		return false;
	if (keep > 0)
		memmove(g->in, g->z.next_in, keep);
	n = fread(g->in + keep, 1, GZ_IN_BYTES - keep, g->file);
	if (n == 0) {
		if (ferror(g->file)) {
			snprintf(g->err, sizeof(g->err),
				 "read error in the compressed file: %s",
				 strerror(errno != 0 ? errno : EIO));
			g->failed = true;
		}
		g->eof = true;
		return false;
	}
	sha256_stream_update(g->stored, g->in + keep, n);
	g->stored_bytes += n;
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)(keep + n);
	return true;
}

static bool gz_fill(struct gz_reader *g)
{
	return gz_fill_keeping(g, 0);
}

ssize_t gz_read(struct gz_reader *g, void *buf, size_t size)
{
	size_t got = 0;

	if (g->failed)
		return -1;
	while (got < size) {
		if (g->z.avail_in == 0 && !gz_fill(g))
			break;
		if (g->member_done) {
			/* More bytes after a member: another member, or
			 * trailing bytes (hashed as stored, not read). */
			if (g->z.avail_in == 1 && !g->eof &&
			    g->z.next_in[0] == 0x1f &&
			    gz_fill_keeping(g, 1))
				continue; /* a member's magic split by reads */
			if (g->z.avail_in < 2 || g->z.next_in[0] != 0x1f ||
			    g->z.next_in[1] != 0x8b) {
				g->z.avail_in = 0;
				continue;
			}
			if (inflateReset(&g->z) != Z_OK)
				goto corrupt;
			g->member_done = false;
		}
		g->z.next_out = (Bytef *)buf + got;
		g->z.avail_out = (uInt)(size - got > (1u << 30)
					? (1u << 30) : size - got);
		uInt before = g->z.avail_out;
		int zrc = inflate(&g->z, Z_NO_FLUSH);
		got += before - g->z.avail_out;
		if (zrc == Z_STREAM_END)
			g->member_done = true;
		else if (zrc == Z_BUF_ERROR && g->z.avail_in == 0)
			continue; /* needs more input */
		else if (zrc != Z_OK)
			goto corrupt;
	}
	if (got == 0 && g->eof && !g->member_done && g->stored_bytes > 0 &&
	    !g->failed) {
		snprintf(g->err, sizeof(g->err),
			 "compressed stream cut short at decompressed offset "
			 "%llu", (unsigned long long)g->out_bytes);
		g->failed = true;
		return -1;
	}
	g->out_bytes += got;
	/* Bytes inflated before an error are given first; the error comes
	 * with the next call. */
	return g->failed && got == 0 ? -1 : (ssize_t)got;
corrupt:
	snprintf(g->err, sizeof(g->err),
		 "corrupt compressed data near decompressed offset %llu (zlib: %s)",
		 (unsigned long long)(g->out_bytes + got),
		 g->z.msg ? g->z.msg : "error");
	g->failed = true;
	g->out_bytes += got;
	return got > 0 ? (ssize_t)got : -1;
}

int gz_finish(struct gz_reader *g, uint8_t stored[SHA256_LEN])
{
	while (!g->eof) {
		g->z.avail_in = 0;
		gz_fill(g);
	}
	if (g->failed && ferror(g->file))
		return -1;
	sha256_stream_final(g->stored, stored);
	return 0;
}

uint64_t gz_bytes_in(const struct gz_reader *g)
{
	return g->stored_bytes;
}

const char *gz_error(const struct gz_reader *g)
{
	return g->err;
}

void gz_close(struct gz_reader *g)
{
	if (!g)
		return;
	inflateEnd(&g->z);
	sha256_stream_destroy(g->stored);
	free(g->in);
	free(g);
}

/*
 * A seekable stream of a compressed file's decompressed bytes. Seeks are
 * lazy: a read at `want` is served from the first VIEW_HEAD_BYTES of the
 * stream (kept, as a re-reader looks at the file header before every
 * record), or from a window of the bytes inflated last (stdio seeks to
 * block boundaries a little behind the offset asked for), or by inflating
 * forward, or by starting again from the top when `want` lies behind the
 * window. Citations are re-read in file-offset order, so the stream is
 * inflated about once.
 */
enum {
	VIEW_HEAD_BYTES = 4096,
	VIEW_WINDOW_BYTES = 64 << 10,
	VIEW_KEEP_BYTES = 32 << 10, /* kept when the window slides */
};

struct gz_view {
	FILE *file;            /* owned */
	struct gz_reader *g;
	uint64_t want;         /* offset the next read starts at */
	uint8_t head[VIEW_HEAD_BYTES];
	size_t head_len;       /* bytes of head kept */
	uint8_t win[VIEW_WINDOW_BYTES];
	uint64_t win_start;    /* stream offset of win[0] */
	size_t win_len;
};

/* Starts inflating again from the top of the file. */
static int view_restart(struct gz_view *v)
{
	struct gz_reader *fresh;

	if (fseeko(v->file, 0, SEEK_SET) != 0 || !(fresh = gz_open(v->file)))
		return -1;
	gz_close(v->g);
	v->g = fresh;
	v->win_start = 0;
	v->win_len = 0;
	return 0;
}

/* Slides the window forward until it holds v->want: 1, 0 when the stream
 * ends before it, -1 on an error. */
static int view_reach(struct gz_view *v)
{
	if (v->want < v->win_start && view_restart(v) != 0)
		return -1;
	while (v->want >= v->win_start + v->win_len) {
		if (v->win_len == VIEW_WINDOW_BYTES) {
			size_t drop = VIEW_WINDOW_BYTES - VIEW_KEEP_BYTES;
			memmove(v->win, v->win + drop, VIEW_KEEP_BYTES);
			v->win_start += drop;
			v->win_len = VIEW_KEEP_BYTES;
		}
		ssize_t n = gz_read(v->g, v->win + v->win_len,
				    VIEW_WINDOW_BYTES - v->win_len);
		if (n <= 0)
			return (int)n;
		v->win_len += (size_t)n;
	}
	return 1;
}

static ssize_t view_read(void *cookie, char *buf, size_t size)
{
	struct gz_view *v = cookie;
	const uint8_t *from;
	size_t k;
	int rc;

	if (v->want < v->head_len) {
		from = v->head + v->want;
		k = v->head_len - (size_t)v->want;
	} else {
		rc = view_reach(v);
		if (rc <= 0)
			return rc;
		from = v->win + (v->want - v->win_start);
		k = v->win_len - (size_t)(v->want - v->win_start);
	}
	if (k > size)
		k = size;
	memcpy(buf, from, k);
	v->want += k;
	return (ssize_t)k;
}

static int view_seek(void *cookie, off64_t *offset, int whence)
{
	struct gz_view *v = cookie;

	if (whence == SEEK_SET && *offset >= 0)
		v->want = (uint64_t)*offset;
	else if (whence == SEEK_CUR && *offset >= 0)
		v->want += (uint64_t)*offset;
	else
		return -1;
	*offset = (off64_t)v->want;
	return 0;
}

static int view_close(void *cookie)
{
	struct gz_view *v = cookie;

	gz_close(v->g);
	fclose(v->file);
	free(v);
	return 0;
}

FILE *capture_open_decompressed(FILE *f)
{
	static const cookie_io_functions_t io = {
		.read = view_read, .seek = view_seek, .close = view_close,
	};
	struct gz_view *v;
	FILE *s;

	if (!capture_is_gzip(f))
		return f;
	v = calloc(1, sizeof(*v));
	if (!v || fseeko(f, 0, SEEK_SET) != 0 || !(v->g = gz_open(f))) {
		free(v);
		fclose(f);
		return NULL;
	}
	v->file = f;
	/* The head is read through the window, from the top. */
	v->want = VIEW_HEAD_BYTES - 1;
	if (view_reach(v) >= 0) {
		v->head_len = v->win_len < VIEW_HEAD_BYTES ? v->win_len
							   : VIEW_HEAD_BYTES;
		memcpy(v->head, v->win, v->head_len);
	}
	v->want = 0;
	s = fopencookie(v, "rb", io);
	if (!s) {
		view_close(v);
		return NULL;
	}
	return s;
}
