/*
 * capture.h — what the two halves of `attrib capture` share:
 * cmd_capture.c (options, opening the interface, the privilege drop,
 * signals, the wait loop, the status line) and capture_files.c (the
 * preserved pcapng files and their evidence: writing, batch commits,
 * rotation, closing and hashing, giving up after a failed write).
 *
 * Each preserved file is one source of the case. A packet is written to
 * the current file first and then analysed, with its frame number and
 * record offset in that file, so the evidence is what `attrib ingest` of
 * the file gives. A batch is committed only after the file's bytes are
 * on disk, and the source row's size then names how far the committed
 * evidence reaches.
 */
#ifndef ATTRIB_CLI_CAPTURE_H
#define ATTRIB_CLI_CAPTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze/evidence/store.h"
#include "analyze/ingest/pipeline.h"
#include "capture/pcapng_writer.h"
#include "capture/source_live.h"

struct capture_options {
	const char *db, *head, *ifname, *filter, *dir, *user;
	uint64_t rotate_bytes;   /* 0: no rotation by size */
	double rotate_s;         /* 0: no rotation by time */
	double duration_s;       /* 0: until stopped */
	uint64_t count;          /* 0: no limit */
	uint64_t batch;          /* commit every this many packets ... */
	double commit_s;         /* ... or this many seconds */
	uint32_t snaplen, buffer_bytes;
	unsigned jobs;           /* flow workers (pipeline.h) */
	bool promisc;
};

/* Why the capture stopped. */
enum capture_stop {
	STOP_RUNNING = 0,
	STOP_SIGNAL,     /* SIGINT or SIGTERM */
	STOP_DURATION,
	STOP_COUNT,
	STOP_CAPTURE_ERROR, /* the interface failed: files closed normally */
	STOP_WRITE_ERROR,   /* a preserved file could not be written */
	STOP_STORE_ERROR,   /* the evidence could not be committed */
};

enum { CAPTURE_ERR_LEN = 2048 };

struct capture {
	const struct capture_options *o;
	const char *args;        /* the command line, for custody */
	char dir[PATH_MAX];      /* where the files go (absolute) */
	char prefix[96];         /* file names: PREFIX-NNNN.pcapng */
	char os[128];            /* for the section header */
	struct live *live;
	struct store *st;
	struct pipeline *pl;
	struct defrag *df;       /* IP reassembly, as ingest does */
	/* the current file (w == NULL between files) */
	struct pcapng_writer *w;
	struct store_resume res;
	unsigned file_no;
	double file_opened;      /* cli_now() */
	uint64_t file_first_us;  /* packet time of its first packet */
	uint64_t committed_bytes;/* of the current file, committed */
	uint64_t committed_frames;
	uint64_t since_commit;   /* packets since the last commit */
	double last_commit;
	double derived_at;       /* last rebuild of the indicators table */
	double derived_cost;     /* ... and how long it took, in seconds */
	/* totals */
	uint64_t packets, files, bytes, flows;
	struct live_stats stats; /* last reading */
	enum capture_stop stop;
	int stop_signal;
	char err[CAPTURE_ERR_LEN];
};

struct priv_plan;
struct defrag;

/*
 * As the unprivileged user (after the drop): makes the folder of files
 * (c->o->dir, default CASE.db.capture), checks that it, the case and the
 * case's folder can be written by plan's user, and sets c->dir to the
 * folder's absolute path. Prints the error; 0 or -1.
 */
int capture_prepare_paths(struct capture *c, const struct priv_plan *plan);

/* Sets the file name prefix (the interface, in characters safe in a file
 * name, and the UTC start time: eth0-20240501T101500Z) and the system
 * name written in each file's section header. */
void capture_name_files(struct capture *c);

/* Creates the next file in c->dir and starts its source. 0, or -1 with
 * c->stop and c->err set. */
int capture_open_file(struct capture *c);

/* live_packet_fn: writes, analyses and (when due) commits one packet,
 * rotating first when the current file is full or old enough. */
int capture_packet(void *ctx, struct packet *pkt);

/* Rotation by time, commit by time and the rebuild of the derived
 * indicators table, when due (called between waits). 0, or -1 with
 * c->stop and c->err set. */
int capture_tick(struct capture *c);

/* Closes the current file: syncs and hashes it, finishes its source with
 * a custody entry holding the drop counters. 0, or -1 (c->stop, c->err). */
int capture_close_file(struct capture *c);

/*
 * After a failed write or commit: discards the uncommitted evidence and
 * cuts the current file back to what the committed evidence covers, so
 * that case and file agree. Appends to c->err what was kept.
 */
void capture_give_up_file(struct capture *c);

#endif
