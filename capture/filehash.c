/*
 * filehash.c — SHA-256 of a whole file, independent of any capture source
 * (duplicate checks before ingest, verification afterwards), and the hex
 * form attrib prints and stores, and an incremental SHA-256 for bytes that
 * are hashed as they are written (pcapng_writer.c), and the one way a
 * capture file is opened for reading (capture_fopen_regular). libgcrypt is
 * used only here and in source_file.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>

#include "source.h"

enum { FILEHASH_CHUNK_BYTES = 1 << 20 };

static pthread_once_t filehash_gcrypt_once = PTHREAD_ONCE_INIT;

/* libgcrypt must be initialised once before first use; attrib only hashes,
 * so secure memory is not needed. */
static void gcrypt_init_once(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return;
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

void capture_gcrypt_init(void)
{
	pthread_once(&filehash_gcrypt_once, gcrypt_init_once);
}

/* What kind of file st is, for a refusal ("a FIFO"). */
static const char *file_kind(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "a directory";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "not a regular file";
}

FILE *capture_fopen_regular(const char *path, char *why, size_t whylen)
{
	struct stat st;
	FILE *f;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO with no writer must not wait; the
	 * file type is checked on the open descriptor, so nothing can be
	 * swapped in between. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "cannot stat: %s", strerror(errno));
		goto close_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "is a directory");
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s, not a regular file: refused",
			 file_kind(&st));
		goto close_fd;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	    !(f = fdopen(fd, "rb"))) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		goto close_fd;
	}
	return f;
close_fd:
	close(fd);
	return NULL;
}

int file_sha256(const char *path, uint8_t out[SHA256_LEN], char *err,
		size_t errlen)
{
	int rc = -1;
	FILE *fp;
	uint8_t *chunk;
	gcry_md_hd_t md;
	size_t n;

	capture_gcrypt_init();

	char why[256];
	fp = capture_fopen_regular(path, why, sizeof(why));
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	chunk = malloc(FILEHASH_CHUNK_BYTES);
	if (!chunk) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto close_file;
	}
	if (gcry_md_open(&md, GCRY_MD_SHA256, 0) != 0) {
		snprintf(err, errlen, "%s: cannot start SHA-256", path);
		goto free_chunk;
	}
	while ((n = fread(chunk, 1, FILEHASH_CHUNK_BYTES, fp)) > 0)
		gcry_md_write(md, chunk, n);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path,
			 strerror(errno));
		goto close_md;
	}
	memcpy(out, gcry_md_read(md, GCRY_MD_SHA256), SHA256_LEN);
	rc = 0;
close_md:
	gcry_md_close(md);
free_chunk:
	free(chunk);
close_file:
	fclose(fp);
out:
	return rc;
}

void sha256_hex(const uint8_t sha[SHA256_LEN], char hex[2 * SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 0x0f];
	}
	hex[2 * SHA256_LEN] = '\0';
}

void sha256_buffer(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	capture_gcrypt_init();
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, data, len);
}

struct sha256_stream {
	gcry_md_hd_t md;
};

struct sha256_stream *sha256_stream_create(void)
{
	struct sha256_stream *h;

	capture_gcrypt_init();
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (gcry_md_open(&h->md, GCRY_MD_SHA256, 0) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void sha256_stream_update(struct sha256_stream *h, const void *data,
			  size_t len)
{
	gcry_md_write(h->md, data, len);
}

void sha256_stream_final(struct sha256_stream *h, uint8_t out[SHA256_LEN])
{
	memcpy(out, gcry_md_read(h->md, GCRY_MD_SHA256), SHA256_LEN);
}

void sha256_stream_destroy(struct sha256_stream *h)
{
	if (!h)
		return;
	gcry_md_close(h->md);
	free(h);
}
