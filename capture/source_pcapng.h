/*
 * source_pcapng.h — attrib's own bounded pcapng reader (source_pcapng.c),
 * used by the file source only for files libpcap refuses (interfaces with
 * different snap lengths or link types). Internal to capture/.
 */
#ifndef ATTRIB_SOURCE_PCAPNG_H
#define ATTRIB_SOURCE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "packet.h"
#include "source.h"

struct ng_reader;

/* Gives up to n bytes of input at buf: the count, 0 at the end, -1 with a
 * reason in err on an error. */
typedef ssize_t (*ng_input_fn)(void *ctx, void *buf, size_t n, char *err,
			       size_t errlen);

/*
 * Starts reading pcapng from input (read through fn with ctx; name is
 * used in messages). The first `skip` packets are read but not returned
 * (their frames were already given by libpcap); frames keep counting from
 * 1 as Wireshark numbers them. NULL when out of memory.
 */
struct ng_reader *ng_open_input(ng_input_fn fn, void *ctx, const char *name,
				uint64_t skip);

/*
 * Opens the capture file at path (gzip-compressed or not) for ng_next(),
 * hashing every byte it reads. NULL with a one-line reason in err.
 */
struct ng_reader *ng_open_file(const char *path, uint64_t skip, char *err,
			       size_t errlen);

/*
 * Reads the next packet (enhanced, simple or obsolete packet block) into
 * *pkt, as stored in the file: its frame, time (the interface's
 * resolution and offset applied), offset of the block in the
 * (decompressed) stream, bytes and the interface's link type. Sets
 * *over_snaplen when the stored bytes exceed the interface's snap length.
 * A malformed block ends reading with SOURCE_ERROR and ng_error() naming
 * the input and the block's offset.
 */
enum source_status ng_next(struct ng_reader *r, struct packet *pkt,
			   bool *over_snaplen);

/* Last error, one line naming input and block offset; "" when none. */
const char *ng_error(const struct ng_reader *r);
/* Link type of the first interface seen, or -1 before one. */
int ng_linktype(const struct ng_reader *r);
/* Bytes of the (decompressed) stream read so far. */
uint64_t ng_position(const struct ng_reader *r);
/* Bytes of the file as stored read so far (compressed bytes for a
 * compressed file; for progress against the file's size). */
uint64_t ng_file_position(const struct ng_reader *r);
/* Packets read so far, the skipped ones included. */
uint64_t ng_frames(const struct ng_reader *r);

/*
 * ng_open_file() readers only: reads the file to its end and writes the
 * SHA-256 of the file as stored to stored and of the decompressed stream
 * to stream (the same for an uncompressed file). Returns 0, or -1 with
 * ng_error() set.
 */
int ng_finish_hash(struct ng_reader *r, uint8_t stored[SHA256_LEN],
		   uint8_t stream[SHA256_LEN]);

/* Frees r (and closes its file). NULL is a no-op. */
void ng_close(struct ng_reader *r);

#endif
