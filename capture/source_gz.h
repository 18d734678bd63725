/*
 * source_gz.h — streaming gzip input for capture sources (source_gz.c).
 * Internal to capture/: the file and pcapng sources read compressed
 * captures through it.
 */
#ifndef ATTRIB_SOURCE_GZ_H
#define ATTRIB_SOURCE_GZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "source.h"

struct gz_reader;

/* True when f starts with the gzip magic bytes 1f 8b; f's position is
 * kept. */
bool capture_is_gzip(FILE *f);

/*
 * Starts inflating f from its current position (the file's start). f
 * stays owned by the caller and must outlive the reader. NULL when out of
 * memory.
 */
struct gz_reader *gz_open(FILE *f);

/*
 * Reads up to size decompressed bytes into buf. Returns the count, 0 at
 * the clean end of the last gzip member, or -1 with gz_error() set
 * (corrupt or cut-short data, read error). Memory use is fixed.
 */
ssize_t gz_read(struct gz_reader *g, void *buf, size_t size);

/* Reads the compressed file to its end and writes the SHA-256 of all of
 * it, as stored, to stored. Returns 0, or -1 on a read error. */
int gz_finish(struct gz_reader *g, uint8_t stored[SHA256_LEN]);

/* Compressed bytes read from the file so far (for progress). */
uint64_t gz_bytes_in(const struct gz_reader *g);

/* Why the last gz_read() failed; "" when it did not. */
const char *gz_error(const struct gz_reader *g);

/* Frees g (not its file). NULL is a no-op. */
void gz_close(struct gz_reader *g);

#endif
