/*
 * source_pcapng.c — attrib's own pcapng reader, for the files libpcap
 * refuses: libpcap wants every interface of a file to share the first
 * interface's link type and snap length, while the format (and tshark)
 * allow each interface its own.
 *
 * Blocks are read one at a time from an input function: section header
 * (either byte order; a new section starts a new list of interfaces),
 * interface description (link type, snap length, if_tsresol,
 * if_tsoffset), enhanced, simple and obsolete packet blocks; every other
 * block is skipped by its length. Bounded: a block is at most
 * NG_BLOCK_MAX bytes (and held once, in a buffer reused for every block),
 * a section at most NG_INTERFACES_MAX interfaces, a block at most
 * NG_OPTIONS_MAX options. Every field is read through the cursor; a block
 * that breaks the format ends the read with an error naming the input and
 * the block's offset, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "cursor.h"
#include "source_gz.h"
#include "source_pcapng.h"

enum {
	NG_BLOCK_MAX = 16 << 20,   /* largest block (libpcap's limit too) */
	NG_INTERFACES_MAX = 4096,  /* interfaces per section */
	NG_OPTIONS_MAX = 1024,     /* options per block */
	NG_HEAD = 12,              /* type, length, first body word */
	NG_SHB = 0x0a0d0d0a,
	NG_IDB = 1,
	NG_PB = 2,
	NG_SPB = 3,
	NG_EPB = 6,
	NG_OPT_END = 0,
	NG_OPT_TSRESOL = 9,
	NG_OPT_TSOFFSET = 14,
	NG_IN_BYTES = 1 << 20,
};

static const uint32_t NG_BYTE_ORDER = 0x1a2b3c4d;

struct ng_iface {
	int linktype;
	uint32_t snaplen;
	uint8_t tsresol;  /* if_tsresol as stored (default 6) */
	int64_t tsoffset; /* seconds */
};

/* Input over a capture file, gzip-compressed or not, hashing as it goes. */
struct ng_file {
	FILE *file;
	struct gz_reader *gz;
	struct sha256_stream *stream; /* what the reader took */
};

struct ng_reader {
	ng_input_fn fn;
	void *ctx;
	struct ng_file *owned;  /* ng_open_file()'s input, else NULL */
	char *name;
	uint64_t pos;           /* stream offset of the next unread byte */
	uint64_t skip;
	uint64_t frames;
	bool section;           /* a section header has been read */
	bool big;               /* byte order of the section */
	struct ng_iface *ifs;
	size_t nifs, ifs_cap;
	int first_linktype;
	uint8_t *block;
	size_t block_cap;
	enum source_status status;
	char err[512];
};

static bool get16(struct cursor *c, bool big, uint16_t *v)
{
	return big ? cursor_be16(c, v) : cursor_le16(c, v);
}

static bool get32(struct cursor *c, bool big, uint32_t *v)
{
	return big ? cursor_be32(c, v) : cursor_le32(c, v);
}

struct ng_reader *ng_open_input(ng_input_fn fn, void *ctx, const char *name,
				uint64_t skip)
{
	struct ng_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->name = strdup(name);
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->fn = fn;
	r->ctx = ctx;
	r->skip = skip;
	r->first_linktype = -1;
	r->status = SOURCE_PACKET;
	return r;
}

/* Reads exactly n bytes: 1, 0 at a clean end before the first byte, -1
 * (err set) on an error or an end inside them. */
static int ng_read(struct ng_reader *r, uint8_t *buf, size_t n)
{
	size_t have = 0;
	char why[256] = "";

	while (have < n) {
		ssize_t got = r->fn(r->ctx, buf + have, n - have, why,
				    sizeof(why));
		if (got < 0) {
			snprintf(r->err, sizeof(r->err),
				 "%s: block at offset %llu: %s", r->name,
				 (unsigned long long)r->pos, why);
			return -1;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	if (have == 0 && n > 0)
		return 0;
	if (have < n) {
		snprintf(r->err, sizeof(r->err),
			 "%s: block at offset %llu: truncated (file ends "
			 "inside the block)", r->name,
			 (unsigned long long)r->pos);
		return -1;
	}
	return 1;
}

static enum source_status ng_fail(struct ng_reader *r, uint64_t at,
				  const char *why)
{
	snprintf(r->err, sizeof(r->err), "%s: block at offset %llu: %s",
		 r->name, (unsigned long long)at, why);
	r->status = SOURCE_ERROR;
	return r->status;
}

/* The DLT_ value libpcap gives for a file's LINKTYPE_ value, so packets
 * carry the same link type whichever reader read them. */
static int linktype_to_dlt(uint16_t linktype)
{
	switch (linktype) {
	case 100:
		return DLT_ATM_RFC1483;
	case 101:
		return DLT_RAW;
	default:
		return linktype;
	}
}

/* Reads an interface description block's body (after type and length). */
static const char *ng_interface(struct ng_reader *r, struct cursor *c)
{
	struct ng_iface ifc = { .tsresol = 6 };
	uint16_t lt, reserved, code, len;

	if (!get16(c, r->big, &lt) || !get16(c, r->big, &reserved) ||
	    !get32(c, r->big, &ifc.snaplen))
		return "interface description too short";
	ifc.linktype = linktype_to_dlt(lt);
	for (int n = 0; cursor_left(c) >= 4; n++) {
		struct cursor val;

		if (n == NG_OPTIONS_MAX)
			return "more options than attrib reads in one block";
		if (!get16(c, r->big, &code) || !get16(c, r->big, &len))
			return "option header cut short";
		if (code == NG_OPT_END)
			break;
		if (!cursor_sub(c, len, &val) ||
		    !cursor_skip(c, (4 - len % 4) % 4))
			return "option longer than its block";
		if (code == NG_OPT_TSRESOL && len >= 1) {
			cursor_u8(&val, &ifc.tsresol);
		} else if (code == NG_OPT_TSOFFSET && len >= 8) {
			uint32_t a = 0, b = 0;
			get32(&val, r->big, &a);
			get32(&val, r->big, &b);
			ifc.tsoffset = (int64_t)(r->big
				? (uint64_t)a << 32 | b
				: (uint64_t)b << 32 | a);
		}
	}
	if (r->nifs == NG_INTERFACES_MAX)
		return "more interfaces in one section than attrib reads";
	if (r->nifs == r->ifs_cap) {
		size_t cap = r->ifs_cap ? 2 * r->ifs_cap : 8;
		struct ng_iface *p = realloc(r->ifs, cap * sizeof(*p));
		if (!p)
			return "out of memory";
		r->ifs = p;
		r->ifs_cap = cap;
	}
	r->ifs[r->nifs++] = ifc;
	if (r->first_linktype < 0)
		r->first_linktype = ifc.linktype;
	return NULL;
}

/* Microseconds since the epoch of a timestamp in the interface's units. */
static uint64_t ng_time_us(const struct ng_iface *ifc, uint64_t ts)
{
	uint8_t res = ifc->tsresol;
	uint64_t us;

	if (res & 0x80) {
		unsigned shift = res & 0x7f;
		if (shift >= 64)
			us = 0;
		else if (shift <= 40)
			us = (ts >> shift) * 1000000u +
			     ((ts & ((1ull << shift) - 1)) * 1000000u >> shift);
		else
			us = (uint64_t)((long double)ts * 1e6L /
					(long double)(1ull << shift));
	} else {
		unsigned e = res;
		us = ts;
		for (; e > 6; e--)
			us /= 10;
		for (; e < 6 && us <= UINT64_MAX / 10; e++)
			us *= 10;
	}
	return us + (uint64_t)ifc->tsoffset * 1000000u; /* wraps, never UB */
}

/* Takes a packet block's body; 1 when *pkt was filled, or an error. */
static const char *ng_packet(struct ng_reader *r, uint32_t type,
			     struct cursor *c, struct packet *pkt,
			     bool *over)
{
	uint32_t ifid = 0, hi = 0, lo = 0, caplen = 0, wirelen = 0;
	uint16_t id16 = 0, drops = 0;
	const uint8_t *data;

	if (type == NG_EPB) {
		if (!get32(c, r->big, &ifid) || !get32(c, r->big, &hi) ||
		    !get32(c, r->big, &lo) || !get32(c, r->big, &caplen) ||
		    !get32(c, r->big, &wirelen))
			return "enhanced packet block too short";
	} else if (type == NG_PB) {
		if (!get16(c, r->big, &id16) || !get16(c, r->big, &drops) ||
		    !get32(c, r->big, &hi) || !get32(c, r->big, &lo) ||
		    !get32(c, r->big, &caplen) || !get32(c, r->big, &wirelen))
			return "packet block too short";
		ifid = id16;
	} else {
		if (!get32(c, r->big, &wirelen))
			return "simple packet block too short";
		caplen = (uint32_t)(cursor_left(c) < wirelen ? cursor_left(c)
							    : wirelen);
	}
	if (ifid >= r->nifs)
		return "packet names an interface the section does not "
		       "describe";
	const struct ng_iface *ifc = &r->ifs[ifid];
	if (type == NG_SPB && ifc->snaplen != 0 && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	if (!cursor_bytes(c, caplen, &data))
		return "captured length runs past the block";
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	pkt->data = data;
	pkt->linktype = ifc->linktype;
	pkt->ts_us = type == NG_SPB ? 0
		     : ng_time_us(ifc, (uint64_t)hi << 32 | lo);
	*over = ifc->snaplen != 0 && caplen > ifc->snaplen;
	return NULL;
}

enum source_status ng_next(struct ng_reader *r, struct packet *pkt,
			   bool *over_snaplen)
{
	uint8_t head[NG_HEAD];

	*over_snaplen = false;
	while (r->status == SOURCE_PACKET) {
		uint64_t at = r->pos;
		int got = ng_read(r, head, NG_HEAD);

		if (got <= 0) {
			r->status = got == 0 ? SOURCE_END : SOURCE_ERROR;
			break;
		}
		if (cursor_load32(head, false) == NG_SHB) {
			uint32_t bom_le = cursor_load32(head + 8, false);
			if (bom_le == NG_BYTE_ORDER)
				r->big = false;
			else if (cursor_load32(head + 8, true) == NG_BYTE_ORDER)
				r->big = true;
			else
				return ng_fail(r, at, "section header with "
					       "no byte-order magic");
			r->section = true;
			r->nifs = 0;
		} else if (!r->section) {
			return ng_fail(r, at, "not a pcapng section header");
		}
		uint32_t type = cursor_load32(head, r->big);
		uint32_t len = cursor_load32(head + 4, r->big);
		if (len < NG_HEAD || len % 4 != 0 || len > NG_BLOCK_MAX)
			return ng_fail(r, at, "block length out of bounds "
				       "(under 12, not a multiple of 4, or "
				       "over 16 MiB)");
		if (len > r->block_cap) {
			uint8_t *p = realloc(r->block, len);
			if (!p)
				return ng_fail(r, at, "out of memory");
			r->block = p;
			r->block_cap = len;
		}
		memcpy(r->block, head, NG_HEAD);
		r->pos += NG_HEAD;
		if (ng_read(r, r->block + NG_HEAD, len - NG_HEAD) <= 0) {
			r->pos = at;
			if (!r->err[0])
				return ng_fail(r, at, "truncated block");
			r->status = SOURCE_ERROR;
			break;
		}
		r->pos += len - NG_HEAD;
		if (cursor_load32(r->block + len - 4, r->big) != len)
			return ng_fail(r, at, "trailing block length differs "
				       "from the leading one");
		struct cursor c;
		cursor_init(&c, r->block + 8, len - 12);
		const char *why = NULL;
		if (type == NG_IDB) {
			why = ng_interface(r, &c);
		} else if (type == NG_EPB || type == NG_PB || type == NG_SPB) {
			why = ng_packet(r, type, &c, pkt, over_snaplen);
			if (!why) {
				r->frames++;
				if (r->frames <= r->skip)
					continue;
				pkt->frame = r->frames;
				pkt->file_offset = at;
				return SOURCE_PACKET;
			}
		}
		if (why)
			return ng_fail(r, at, why);
	}
	return r->status;
}

const char *ng_error(const struct ng_reader *r)
{
	return r->err;
}

int ng_linktype(const struct ng_reader *r)
{
	return r->first_linktype;
}

uint64_t ng_position(const struct ng_reader *r)
{
	return r->pos;
}

uint64_t ng_file_position(const struct ng_reader *r)
{
	if (r->owned && r->owned->gz)
		return gz_bytes_in(r->owned->gz);
	return r->pos;
}

uint64_t ng_frames(const struct ng_reader *r)
{
	return r->frames;
}

/* Input function over an ng_file. */
static ssize_t ng_file_read(void *ctx, void *buf, size_t n, char *err,
			    size_t errlen)
{
	struct ng_file *f = ctx;
	ssize_t got;

	if (f->gz) {
		got = gz_read(f->gz, buf, n);
		if (got < 0)
			snprintf(err, errlen, "%s", gz_error(f->gz));
	} else {
		got = (ssize_t)fread(buf, 1, n, f->file);
		if (got == 0 && ferror(f->file)) {
			snprintf(err, errlen, "read error: %s",
				 strerror(errno != 0 ? errno : EIO));
			got = -1;
		}
	}
	if (got > 0)
		sha256_stream_update(f->stream, buf, (size_t)got);
	return got;
}

static void ng_file_free(struct ng_file *f)
{
	if (!f)
		return;
	gz_close(f->gz);
	sha256_stream_destroy(f->stream);
	if (f->file)
		fclose(f->file);
	free(f);
}

struct ng_reader *ng_open_file(const char *path, uint64_t skip, char *err,
			       size_t errlen)
{
	struct ng_file *f = calloc(1, sizeof(*f));
	struct ng_reader *r = NULL;
	char why[256] = "out of memory";

	if (!f)
		goto fail;
	f->file = capture_fopen_regular(path, why, sizeof(why));
	if (!f->file)
		goto fail;
	f->stream = sha256_stream_create();
	if (!f->stream)
		goto fail;
	if (capture_is_gzip(f->file) && !(f->gz = gz_open(f->file)))
		goto fail;
	if (!f->gz)
		setvbuf(f->file, NULL, _IOFBF, NG_IN_BYTES);
	r = ng_open_input(ng_file_read, f, path, skip);
	if (!r)
		goto fail;
	r->owned = f;
	return r;
fail:
	ng_file_free(f);
	snprintf(err, errlen, "%s: %s", path, why);
	return NULL;
}

int ng_finish_hash(struct ng_reader *r, uint8_t stored[SHA256_LEN],
		   uint8_t stream[SHA256_LEN])
{
	struct ng_file *f = r->owned;
	uint8_t *rest;
	ssize_t got;
	char why[256] = "";

	if (!f)
		return -1;
	rest = malloc(NG_IN_BYTES);
	if (!rest) {
		snprintf(r->err, sizeof(r->err), "%s: out of memory", r->name);
		return -1;
	}
	while ((got = ng_file_read(f, rest, NG_IN_BYTES, why,
				   sizeof(why))) > 0)
		r->pos += (uint64_t)got;
	free(rest);
	if (got < 0) {
		snprintf(r->err, sizeof(r->err), "%s: %s", r->name, why);
		return -1;
	}
	sha256_stream_final(f->stream, stream);
	if (f->gz) {
		if (gz_finish(f->gz, stored) != 0) {
			snprintf(r->err, sizeof(r->err), "%s: read error",
				 r->name);
			return -1;
		}
	} else {
		memcpy(stored, stream, SHA256_LEN);
	}
	return 0;
}

void ng_close(struct ng_reader *r)
{
	if (!r)
		return;
	ng_file_free(r->owned);
	free(r->ifs);
	free(r->block);
	free(r->name);
	free(r);
}
