/*
 * source_file_stream.c — the stream libpcap reads a capture file through
 * (a cookie stream whose reads are hashed as they come off the disk, or
 * inflated first for a compressed file), and the SHA-256 of the whole
 * file at the end (source_file.c explains the design).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source_file_internal.h"

/* Read function of the cookie stream: reads the real file into the
 * stream's buffer and hashes it (or hands it to the hash worker). */
ssize_t source_cookie_read(void *cookie, char *buf, size_t size)
{
	struct source *s = cookie;
	size_t n;

	if (s->read_errno != 0)
		return -1;
	if (s->hasher)
		hash_worker_wait(s->hasher); /* buf may be the chunk in hand */
	if (s->gz) {
		ssize_t got = gz_read(s->gz, buf, size);
		if (got < 0) {
			s->read_errno = EIO;
			return -1;
		}
		n = (size_t)got;
	} else {
		n = fread(buf, 1, size, s->file);
		if (n == 0 && ferror(s->file)) {
			s->read_errno = errno != 0 ? errno : EIO;
			return -1;
		}
	}
	/* Only the stream's own buffer is left alone until the next read.
	 * (glibc's cookie streams fill every read through it; a read into
	 * any other buffer would be hashed here, before libpcap sees it.) */
	if (s->hasher && buf == (char *)s->chunk)
		hash_worker_add(s->hasher, buf, n);
	else
		gcry_md_write(s->md, buf, n);
	if (s->is_pcapng)
		pcapng_track(&s->ng, (const uint8_t *)buf, n);
	s->read_total += n;
	return (ssize_t)n;
}

/* Seek function of the cookie stream: only tells the position (for
 * ftell(), which subtracts what is still buffered). */
int source_cookie_seek(void *cookie, off64_t *offset, int whence)
{
	const struct source *s = cookie;

	if (whence != SEEK_CUR || *offset != 0) {
		errno = ESPIPE;
		return -1;
	}
	*offset = (off64_t)s->read_total;
	return 0;
}

/* Reads on from where the stream stands: the file, or its inflater. */
static size_t read_rest(struct source *s, uint8_t *buf, size_t size)
{
	if (s->gz) {
		ssize_t got = gz_read(s->gz, buf, size);
		if (got < 0)
			s->read_errno = EIO;
		return got > 0 ? (size_t)got : 0;
	}
	return fread(buf, 1, size, s->file);
}

int source_finish_hash(struct source *s, uint8_t out[SHA256_LEN])
{
	int rc = -1;
	uint8_t *rest = NULL;
	size_t n;

	if (s->hasher)
		hash_worker_wait(s->hasher);
	if (!s->hashed && s->own) {
		/* attrib's reader read (and hashed) the whole file itself. */
		if (ng_finish_hash(s->own, s->digest, s->stream_digest) != 0) {
			snprintf(s->err, sizeof(s->err), "%s", ng_error(s->own));
			goto out;
		}
		s->hashed = true;
	}
	if (!s->hashed) {
		/* What the stream has read is hashed; hash the rest of the
		 * file in a buffer of its own, as the stream's may still hold
		 * bytes libpcap has not taken. */
		rest = malloc(SOURCE_CHUNK_BYTES);
		if (!rest) {
			snprintf(s->err, sizeof(s->err), "%s: out of memory",
				 s->path);
			goto out;
		}
		while (s->read_errno == 0 &&
		       (n = read_rest(s, rest, SOURCE_CHUNK_BYTES)) > 0) {
			gcry_md_write(s->md, rest, n);
			s->read_total += n;
		}
		if (s->read_errno == 0 && ferror(s->file))
			s->read_errno = errno != 0 ? errno : EIO;
		if (s->gz && !s->read_errno &&
		    gz_finish(s->gz, s->digest) != 0)
			s->read_errno = EIO;
		if (s->read_errno != 0) {
			snprintf(s->err, sizeof(s->err), "%s: read error: %s",
				 s->path, s->gz && gz_error(s->gz)[0]
				 ? gz_error(s->gz) : strerror(s->read_errno));
			goto free_rest;
		}
		if (s->gz)
			memcpy(s->stream_digest,
			       gcry_md_read(s->md, GCRY_MD_SHA256), SHA256_LEN);
		else
			memcpy(s->digest, gcry_md_read(s->md, GCRY_MD_SHA256),
			       SHA256_LEN);
		s->hashed = true;
	}
	memcpy(out, s->digest, SHA256_LEN);
	rc = 0;
free_rest:
	free(rest);
out:
	return rc;
}

int source_hash_on_thread(struct source *s)
{
	if (!s->hasher)
		s->hasher = hash_worker_start(s->md);
	return s->hasher ? 0 : -1;
}
