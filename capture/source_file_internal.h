/*
 * source_file_internal.h — the state of a capture file source, shared by
 * source_file.c (opening, packets, accessors) and source_file_stream.c
 * (the stream libpcap reads through, and the file's SHA-256).
 */
#ifndef ATTRIB_SOURCE_FILE_INTERNAL_H
#define ATTRIB_SOURCE_FILE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <gcrypt.h>
#include <pcap/pcap.h>

#include "hash_worker.h"
#include "pcapng_track.h"
#include "source.h"
#include "source_gz.h"
#include "source_pcapng.h"

enum {
	SOURCE_CHUNK_BYTES = 1 << 20, /* read (and hash) unit on the file */
	SOURCE_ERR_MAX = 4608,        /* path plus libpcap's message */
	/* Largest record read back when libpcap cut it at the snaplen: the
	 * largest block libpcap's pcapng reader accepts (16 MiB). */
	RECORD_STORED_MAX = 16 << 20,
	PCAP_RECORD_HEADER_BYTES = 16,
};

struct source {
	char *path;
	FILE *file;            /* the real file, unbuffered */
	FILE *stream;          /* cookie stream owned by libpcap once open */
	pcap_t *pcap;
	gcry_md_hd_t md;       /* SHA-256 of every byte read from file */
	struct hash_worker *hasher; /* hashes the stream's chunks, or NULL */
	uint8_t *chunk;        /* the stream's buffer */
	uint64_t size;         /* st_size when opened */
	uint64_t position;     /* where libpcap stands in the file */
	uint64_t frames;
	int read_errno;        /* errno of a failed read of file, else 0 */
	bool hashed;           /* finish_hash read the file to its end */
	bool is_pcapng;
	int linktype;
	enum source_status status; /* SOURCE_PACKET while packets may come */
	struct pcapng_tracker ng;
	uint64_t read_total;   /* bytes read from file so far */
	uint8_t *stored;       /* a record cut by libpcap, as stored */
	size_t stored_cap;
	bool over_snaplen;     /* the last packet was such a record */
	struct gz_reader *gz;  /* a compressed file's inflater, or NULL */
	struct ng_reader *own; /* attrib's pcapng reader after libpcap
				* refused the file, or NULL */
	uint8_t digest[SHA256_LEN];
	uint8_t stream_digest[SHA256_LEN]; /* decompressed, when gz */
	char linktype_name[32];
	char err[SOURCE_ERR_MAX];
};

/* The cookie stream's read and seek functions (fopencookie()). */
ssize_t source_cookie_read(void *cookie, char *buf, size_t size);
int source_cookie_seek(void *cookie, off64_t *offset, int whence);

#endif
