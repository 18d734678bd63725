/*
 * pcapng_writer.h — writes the raw traffic of a live capture to a pcapng
 * file: one Section Header Block, one Interface Description Block, then an
 * Enhanced Packet Block per packet (little-endian, microsecond times).
 *
 * Every byte goes through write(2) and every write, flush and sync is
 * checked: after the first failure the writer takes nothing more and
 * pcapng_writer_error() names the file and the reason. The bytes are
 * hashed (SHA-256) as they are written, so closing the file gives its
 * hash without reading it back.
 *
 * Record offsets and frame numbers are those a reader of the finished
 * file sees: frame n is the n-th packet block, its offset where the block
 * starts. The writer needs no libpcap: the caller gives the link type as
 * a LINKTYPE_* number.
 */
#ifndef ATTRIB_PCAPNG_WRITER_H
#define ATTRIB_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* The largest captured length the writer accepts (libpcap's maximum
 * snapshot length). */
enum { PCAPNG_MAX_CAPLEN = 262144 };

struct pcapng_writer_info {
	int linktype;            /* LINKTYPE_* number for the IDB */
	uint32_t snaplen;
	const char *ifname;      /* if_name option; NULL for none */
	const char *filter;      /* if_filter (capture filter text); NULL */
	const char *application; /* shb_userappl; NULL for none */
	const char *os;          /* shb_os; NULL for none */
};

struct pcapng_writer;

/*
 * Creates the file at path (which must not exist; mode 0640) and writes
 * the section header and interface description. Returns NULL with a
 * one-line message naming path in err. The caller owns the writer and
 * ends it with pcapng_writer_close() or pcapng_writer_abandon().
 */
struct pcapng_writer *pcapng_writer_create(const char *path,
					   const struct pcapng_writer_info *info,
					   char *err, size_t errlen);

/* Size in bytes of the Enhanced Packet Block for caplen captured bytes. */
uint64_t pcapng_epb_size(uint32_t caplen);

/*
 * Appends one packet (buffered). *offset receives the byte offset of its
 * block, and the packet is frame pcapng_writer_packets() of the file.
 * Returns 0, or -1 (write error, or caplen above PCAPNG_MAX_CAPLEN or
 * wirelen): see pcapng_writer_error().
 */
int pcapng_writer_packet(struct pcapng_writer *w, uint64_t ts_us,
			 const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, uint64_t *offset);

/*
 * Writes out what is buffered and, with sync, waits until the file's data
 * are on disk (fdatasync). Returns 0 or -1.
 */
int pcapng_writer_flush(struct pcapng_writer *w, bool sync);

/* Bytes written to the file so far, buffered ones included. */
uint64_t pcapng_writer_size(const struct pcapng_writer *w);

/* Bytes known to be on disk (as of the last successful synced flush). */
uint64_t pcapng_writer_synced(const struct pcapng_writer *w);

/* Packets written so far. */
uint64_t pcapng_writer_packets(const struct pcapng_writer *w);

const char *pcapng_writer_path(const struct pcapng_writer *w);

/* The first failure, one line naming the file; "" when none. */
const char *pcapng_writer_error(const struct pcapng_writer *w);

/*
 * Ends the file: writes out what is buffered, syncs it (fsync) and writes
 * the SHA-256 of its whole content to sha. The writer takes no packet
 * after this. Returns 0, or -1 (pcapng_writer_error()); the file can then
 * still be abandoned.
 */
int pcapng_writer_finish(struct pcapng_writer *w, uint8_t sha[SHA256_LEN]);

/* Closes the file and frees w. Returns 0, or -1 with the message in err. */
int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen);

/*
 * Gives up on the file after a failure: drops what is buffered, cuts the
 * file back to its first keep bytes (a block boundary the caller had
 * committed, at least the headers), syncs and closes it. Frees w. Returns
 * 0, or -1 with the message in err.
 */
int pcapng_writer_abandon(struct pcapng_writer *w, uint64_t keep, char *err,
			  size_t errlen);

#endif
