/*
 * source.h — where packets come from: capture files (pcap, pcapng); live
 * interfaces are in source_live.h. The only files that include pcap.h are
 * the source_*.c implementations.
 *
 * A file source hashes every byte of the file with SHA-256 as libpcap
 * reads it, so the hash describes exactly the bytes that were analysed,
 * and records the byte offset of every packet record.
 */
#ifndef ATTRIB_SOURCE_H
#define ATTRIB_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "packet.h"

struct source;

enum source_status {
	SOURCE_PACKET = 1, /* *pkt holds the next packet */
	SOURCE_END = 0,    /* clean end of input */
	SOURCE_ERROR = -1, /* source_error() says what, naming the frame */
};

enum { SHA256_LEN = 32 };

/*
 * Opens a capture file for reading. Returns NULL on failure with a
 * one-line message "PATH: frame 0 (file header): why" in err.
 * The caller owns the result and frees it with source_close().
 */
struct source *source_open_file(const char *path, char *err, size_t errlen);

/*
 * Reads the next packet into *pkt (record fields only; call
 * decode_packet() for the rest). pkt->data stays valid until the next call.
 */
enum source_status source_next(struct source *s, struct packet *pkt);

/*
 * True when the packet source_next() returned last is a record longer
 * than the file's snaplen: libpcap cut it, and pkt holds the record as
 * stored in the file instead (the caller counts the anomaly
 * ANOM_RECORD_OVER_SNAPLEN on it).
 */
bool source_record_over_snaplen(const struct source *s);

/* Last error as one line naming file and frame; "" when none. */
const char *source_error(const struct source *s);

const char *source_path(const struct source *s);
int source_linktype(const struct source *s);
/* Name of the link type (e.g. "EN10MB"), never NULL. */
const char *source_linktype_name(const struct source *s);
/* "pcap" or "pcapng", with "+gzip" for a compressed capture. */
const char *source_format(const struct source *s);
/* Size of the file in bytes when opened. */
uint64_t source_size(const struct source *s);
/* Bytes of the file consumed so far (for progress; of a compressed file,
 * compressed bytes). */
uint64_t source_bytes_read(const struct source *s);
/* Frames read so far. */
uint64_t source_frames(const struct source *s);

/*
 * Reads whatever libpcap has not read yet to the end of the file and
 * writes the SHA-256 of the whole file to out. Returns 0, or -1 with
 * source_error() set (an I/O error). Call once, after the last packet.
 */
int source_finish_hash(struct source *s, uint8_t out[SHA256_LEN]);

/*
 * Hashes the rest of the file on a second thread while packets are read
 * (the digest is the same). Call before the first source_next(). Returns
 * 0, or -1 when the thread cannot be started (hashing then stays on the
 * calling thread).
 */
int source_hash_on_thread(struct source *s);

/* Closes the file and frees s. NULL is a no-op. */
void source_close(struct source *s);

/* Version string of the packet capture library. */
const char *source_library_version(void);

/*
 * Opens path for reading only if it is a regular file, without ever
 * blocking (a FIFO with no writer, a terminal) and without reading from
 * anything else (a character device such as /dev/zero, a socket). Returns
 * the stream, owned by the caller (fclose), or NULL with a short reason
 * in why ("a FIFO, not a regular file: refused", "cannot open: ...").
 */
FILE *capture_fopen_regular(const char *path, char *why, size_t whylen);

/* libgcrypt's one-time set-up for capture's hashing (filehash.c): any
 * thread, any number of times. */
void capture_gcrypt_init(void);

/*
 * SHA-256 of a whole file, read independently of any source (used to
 * check for duplicates before ingest, and by verification). Returns 0,
 * or -1 with a one-line message in err.
 */
int file_sha256(const char *path, uint8_t out[SHA256_LEN], char *err,
		size_t errlen);

/* Writes the 64-character lower-case hex of a SHA-256 and a NUL to hex. */
void sha256_hex(const uint8_t sha[SHA256_LEN], char hex[2 * SHA256_LEN + 1]);

/* SHA-256 of len bytes at data. */
void sha256_buffer(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/*
 * SHA-256 of bytes given piece by piece (e.g. as a file is written).
 * create() returns NULL when out of memory; the caller owns the result
 * and frees it with destroy(). final() may be called once, after the last
 * update().
 */
struct sha256_stream;
struct sha256_stream *sha256_stream_create(void);
void sha256_stream_update(struct sha256_stream *h, const void *data,
			  size_t len);
void sha256_stream_final(struct sha256_stream *h, uint8_t out[SHA256_LEN]);
void sha256_stream_destroy(struct sha256_stream *h);

/*
 * Reads the captured bytes of the packet whose record starts at byte
 * offset of an open capture file (pcap record header, or pcapng
 * enhanced/simple/obsolete packet block) into buf (caplen bytes). Checks
 * that the record there really holds caplen captured bytes. Returns 0, or
 * -1 with a one-line reason in err.
 */
int capture_read_packet(FILE *f, uint64_t offset, uint32_t caplen,
			uint8_t *buf, char *err, size_t errlen);

/*
 * For re-reading a capture: returns f itself when it is not
 * gzip-compressed, else a stream of its decompressed bytes (offsets are
 * decompressed offsets; fseeko forward inflates and discards, backward
 * starts again from the top) that owns f. NULL (f closed) when out of
 * memory. Either way the caller fcloses only the result.
 */
FILE *capture_open_decompressed(FILE *f);

/*
 * For a gzip-compressed capture: writes the SHA-256 of the decompressed
 * stream to out and returns true (after source_finish_hash(), which gives
 * the SHA-256 of the file as stored). False for an uncompressed file,
 * whose stream is the file.
 */
bool source_stream_sha256(const struct source *s, uint8_t out[SHA256_LEN]);

#endif
