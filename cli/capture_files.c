/*
 * capture_files.c — the preserved pcapng files of `attrib capture` and
 * their evidence (see capture.h): where they go, their names, and their
 * life from creation to hash.
 *
 * Order of work per packet: write it to the current file, then decode and
 * analyse it with the frame number and record offset it has there. Every
 * batch (c->o->batch packets or c->o->commit_s seconds): sync the file,
 * record in the source row how many bytes the batch covers, commit. When
 * a file is closed (rotation or the end): sync and hash it, then finish
 * its source with the hash, the final size and a custody entry holding
 * libpcap's counters, in one transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "analyze/flow/dpi.h"
#include "analyze/vocab/version.h"
#include "capture/decode.h"
#include "capture/defrag.h"
#include "capture/privilege.h"
#include "cli/capture.h"
#include "cli/cli.h"

enum { MAX_NAME_TRIES = 1000, DERIVED_EVERY_S = 5 };

/* Error when path (if it exists, or always with must_exist) lacks the
 * access mode for the user attrib now runs as. */
static int check_access(const char *path, int mode, bool must_exist,
			const struct priv_plan *plan, const char *what)
{
	if (!must_exist && access(path, F_OK) != 0)
		return 0;
	if (access(path, mode) == 0)
		return 0;
	const char *sudo_user = getenv("SUDO_USER");
	char hint[128] = "";
	if (plan->switch_user && sudo_user && sudo_user[0])
		snprintf(hint, sizeof hint, " (e.g. --user %.64s)", sudo_user);
	cli_error("%s: the %s is not %s by %s (uid %u), who runs the capture "
		  "after the privilege drop (%s): make it so, or choose the "
		  "user with --user%s", path, what,
		  mode & W_OK ? "writable" : "readable", plan->user,
		  (unsigned)plan->uid, strerror(errno), hint);
	return -1;
}

int capture_prepare_paths(struct capture *c, const struct priv_plan *plan)
{
	char dir[PATH_MAX], dbdir[PATH_MAX], side[PATH_MAX + 8];
	const char *db = c->o->db;

	if (c->o->dir)
		snprintf(dir, sizeof dir, "%s", c->o->dir);
	else if (snprintf(dir, sizeof dir, "%s.capture", db) >= (int)sizeof dir) {
		cli_error("%s: path too long", db);
		return -1;
	}
	snprintf(side, sizeof side, "%s", db);
	snprintf(dbdir, sizeof dbdir, "%s", dirname(side));
	if (check_access(dbdir, W_OK | X_OK, true, plan, "folder of the case") ||
	    check_access(db, R_OK | W_OK, false, plan, "case"))
		return -1;
	snprintf(side, sizeof side, "%s-wal", db);
	if (check_access(side, R_OK | W_OK, false, plan, "case journal"))
		return -1;
	snprintf(side, sizeof side, "%s-shm", db);
	if (check_access(side, R_OK | W_OK, false, plan, "case journal"))
		return -1;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		cli_error("%s: cannot create the folder for the capture files: "
			  "%s (as %s)", dir, strerror(errno), plan->user);
		return -1;
	}
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_error("%s: not a folder", dir);
		return -1;
	}
	if (check_access(dir, W_OK | X_OK, true, plan,
			 "folder for the capture files") != 0)
		return -1;
	if (!realpath(dir, c->dir)) {
		cli_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

void capture_name_files(struct capture *c)
{
	char iface[32], when[32];
	size_t i;
	time_t now = time(NULL);
	struct tm tm;

	for (i = 0; c->o->ifname[i] && i < sizeof iface - 1; i++) {
		char ch = c->o->ifname[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
			  ch == '_';
		iface[i] = ok ? ch : '_';
	}
	iface[i] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(c->prefix, sizeof c->prefix, "%s-%s", iface, when);

	struct utsname u;
	if (uname(&u) == 0)
		snprintf(c->os, sizeof c->os, "%.40s %.80s", u.sysname,
			 u.release);
}

static int fail(struct capture *c, enum capture_stop why, const char *msg)
{
	if (c->stop < STOP_WRITE_ERROR || c->err[0] == '\0') {
		c->stop = why;
		snprintf(c->err, sizeof c->err, "%s", msg);
	}
	return -1;
}

/* Removes a new file that holds no packet and is not in the case. */
static void drop_file(struct capture *c)
{
	char path[PATH_MAX + 128], err[CAPTURE_ERR_LEN];

	snprintf(path, sizeof path, "%s", pcapng_writer_path(c->w));
	pcapng_writer_abandon(c->w, 0, err, sizeof err);
	c->w = NULL;
	unlink(path);
}

int capture_open_file(struct capture *c)
{
	char path[PATH_MAX + 128], err[CAPTURE_ERR_LEN];
	struct pcapng_writer_info info = {
		.linktype = live_file_linktype(c->live),
		.snaplen = live_snaplen(c->live),
		.ifname = c->o->ifname,
		.filter = c->o->filter,
		.application = "attrib " ATTRIB_VERSION,
		.os = c->os,
	};
	/* A name left by an earlier run with the same prefix is skipped:
	 * files are created, never overwritten. */
	for (int tries = 0; !c->w; tries++) {
		c->file_no++;
		snprintf(path, sizeof path, "%s/%s-%04u.pcapng", c->dir,
			 c->prefix, c->file_no);
		c->w = pcapng_writer_create(path, &info, err, sizeof err);
		if (!c->w && (errno != EEXIST || tries >= MAX_NAME_TRIES))
			return fail(c, STOP_WRITE_ERROR, err);
	}
	if (pcapng_writer_flush(c->w, true) != 0) {
		/* not even the headers fit: nothing to keep */
		fail(c, STOP_WRITE_ERROR, pcapng_writer_error(c->w));
		drop_file(c);
		return -1;
	}
	struct store_source meta = {
		.path = pcapng_writer_path(c->w),
		.size = pcapng_writer_size(c->w),
		.format = "pcapng",
		.linktype = live_linktype(c->live),
		.linktype_name = live_linktype_name(c->live),
		.tool_version = ATTRIB_VERSION,
		.pcap_version = source_library_version(),
		.ndpi_version = dpi_version(),
	};
	defrag_end(c->df); /* no fragment carries over from another file */
	if (pipeline_begin(c->pl, &meta, &c->res, err, sizeof err) != 0) {
		fail(c, STOP_STORE_ERROR, err);
		drop_file(c);
		return -1;
	}
	/* store_source_begin() committed the source row with this size */
	c->committed_bytes = meta.size;
	c->committed_frames = 0;
	c->file_opened = cli_now();
	c->last_commit = c->file_opened;
	c->since_commit = 0;
	c->files++;
	return 0;
}

/* Commits the batch, once the bytes it cites are on disk. */
static int commit_batch(struct capture *c)
{
	char err[CAPTURE_ERR_LEN];
	uint64_t size = pcapng_writer_size(c->w);

	if (pcapng_writer_flush(c->w, true) != 0)
		return fail(c, STOP_WRITE_ERROR, pcapng_writer_error(c->w));
	/* the writer thread owns the store until the workers are drained */
	if (pipeline_drain(c->pl, err, sizeof err) != 0)
		return fail(c, STOP_STORE_ERROR, err);
	if (store_source_set_size(c->st, c->res.source_id, size) != 0)
		return fail(c, STOP_STORE_ERROR, store_error(c->st));
	if (pipeline_commit(c->pl, err, sizeof err) != 0)
		return fail(c, STOP_STORE_ERROR, err);
	c->committed_bytes = size;
	c->committed_frames = pcapng_writer_packets(c->w);
	c->since_commit = 0;
	c->last_commit = cli_now();
	return 0;
}

int capture_close_file(struct capture *c)
{
	char err[CAPTURE_ERR_LEN], hex[2 * SHA256_LEN + 1];
	char detail[PATH_MAX + 512];
	uint8_t sha[SHA256_LEN];
	uint64_t size = pcapng_writer_size(c->w);

	/* On failure the writer stays open for capture_give_up_file(). */
	if (pcapng_writer_finish(c->w, sha) != 0)
		return fail(c, STOP_WRITE_ERROR, pcapng_writer_error(c->w));
	sha256_hex(sha, hex);
	if (pipeline_drain(c->pl, err, sizeof err) != 0)
		return fail(c, STOP_STORE_ERROR, err);
	if (live_stats(c->live, &c->stats) != 0)
		memset(&c->stats, 0, sizeof c->stats);
	snprintf(detail, sizeof detail,
		 "source %" PRId64 " %s sha256 %s packets %" PRIu64
		 " bytes %" PRIu64 "; libpcap since the start: received %" PRIu64
		 ", dropped %" PRIu64 ", dropped by the interface %" PRIu64,
		 c->res.source_id, pcapng_writer_path(c->w), hex,
		 pcapng_writer_packets(c->w), size, c->stats.received,
		 c->stats.dropped, c->stats.if_dropped);
	if (store_source_set_size(c->st, c->res.source_id, size) != 0 ||
	    store_custody(c->st, "capture-file", c->args, detail) != 0)
		return fail(c, STOP_STORE_ERROR, store_error(c->st));
	/* datagrams still missing fragments when the file closes */
	for (unsigned n = defrag_end(c->df); n > 0; n--)
		pipeline_file_anomaly(c->pl, ANOM_FRAGMENTS_INCOMPLETE,
				      pcapng_writer_packets(c->w));
	if (pipeline_end(c->pl, hex, "complete", NULL, err, sizeof err) != 0)
		return fail(c, STOP_STORE_ERROR, err);
	c->flows += pipeline_stats(c->pl)->flows;
	c->bytes += size;
	/* The file is on disk and its evidence committed: a failed close
	 * is reported, nothing is undone. */
	int rc = pcapng_writer_close(c->w, err, sizeof err);
	c->w = NULL;
	if (rc != 0)
		return fail(c, STOP_WRITE_ERROR, err);
	return 0;
}

void capture_give_up_file(struct capture *c)
{
	char err[CAPTURE_ERR_LEN];
	size_t n = strlen(c->err);

	/* Fails only when a write had failed: the store then holds its last
	 * commit already. The workers are drained first: the store is this
	 * thread's again. */
	(void)pipeline_drain(c->pl, err, sizeof err);
	(void)store_discard(c->st);
	if (!c->w) {
		snprintf(c->err + n, sizeof c->err - n,
			 "; the case holds what was committed before");
		return;
	}
	snprintf(c->err + n, sizeof c->err - n,
		 "; capture stopped: %s kept up to frame %" PRIu64 " (%" PRIu64
		 " bytes), as far as the committed evidence goes",
		 pcapng_writer_path(c->w), c->committed_frames,
		 c->committed_bytes);
	if (pcapng_writer_abandon(c->w, c->committed_bytes, err,
				  sizeof err) != 0) {
		n = strlen(c->err);
		snprintf(c->err + n, sizeof c->err - n, "; %s", err);
	}
	c->w = NULL;
}

/*
 * True when the current file should be closed before taking pkt. A file
 * always takes at least one packet. By time, a packet that comes
 * rotate_s seconds of packet time after the file's first one starts a new
 * file: what a file spans does not depend on how quickly this process
 * gets to the packets (on a busy machine they wait in the kernel's
 * buffer). capture_tick() rotates by the clock when no packet comes.
 */
static bool rotation_due(const struct capture *c, const struct packet *pkt)
{
	if (pcapng_writer_packets(c->w) == 0)
		return false;
	if (c->o->rotate_bytes &&
	    pcapng_writer_size(c->w) + pcapng_epb_size(pkt->caplen) >
		    c->o->rotate_bytes)
		return true;
	return c->o->rotate_s > 0 &&
	       pkt->ts_us >= c->file_first_us &&
	       (double)(pkt->ts_us - c->file_first_us) >= c->o->rotate_s * 1e6;
}

static int rotate(struct capture *c)
{
	if (capture_close_file(c) != 0 || capture_open_file(c) != 0)
		return -1;
	return 0;
}

int capture_packet(void *ctx, struct packet *pkt)
{
	struct capture *c = ctx;
	char err[CAPTURE_ERR_LEN];
	uint64_t offset;

	if (c->stop != STOP_RUNNING)
		return 1;
	/* after a rotation by the clock, the next file waits for a packet */
	if (!c->w && capture_open_file(c) != 0)
		return 1;
	if (rotation_due(c, pkt) && rotate(c) != 0)
		return 1;
	if (pcapng_writer_packet(c->w, pkt->ts_us, pkt->data, pkt->caplen,
				 pkt->wirelen, &offset) != 0) {
		fail(c, STOP_WRITE_ERROR, pcapng_writer_error(c->w));
		return 1;
	}
	pkt->frame = pcapng_writer_packets(c->w);
	pkt->file_offset = offset;
	if (pkt->frame == 1)
		c->file_first_us = pkt->ts_us;
	decode_packet(pkt);
	if (pipeline_packet(c->pl, defrag_packet(c->df, pkt), err,
			    sizeof err) != 0) {
		fail(c, STOP_STORE_ERROR, err);
		return 1;
	}
	c->packets++;
	if (++c->since_commit >= c->o->batch && commit_batch(c) != 0)
		return 1;
	if (c->o->count && c->packets >= c->o->count) {
		c->stop = STOP_COUNT;
		return 1;
	}
	return 0;
}

/*
 * Rebuilds the derived indicators table (what `attrib score` reads) from
 * the committed observations, every DERIVED_EVERY_S seconds but never
 * more than a twentieth of the time: the rebuild reads every observation.
 */
static int refresh_derived(struct capture *c, double now)
{
	if (now - c->derived_at < DERIVED_EVERY_S ||
	    now - c->derived_at < 20 * c->derived_cost)
		return 0;
	if (c->since_commit > 0 && commit_batch(c) != 0)
		return -1;
	if (store_build_indexes(c->st) != 0)
		return fail(c, STOP_STORE_ERROR, store_error(c->st));
	c->derived_at = cli_now();
	c->derived_cost = c->derived_at - now;
	return 0;
}

int capture_tick(struct capture *c)
{
	double now = cli_now();

	if (!c->w)
		return 0;
	/* a quiet link: the file is closed when it is old, and the next one
	 * is opened by the next packet, so no file is left empty */
	if (c->o->rotate_s > 0 && pcapng_writer_packets(c->w) > 0 &&
	    now - c->file_opened >= c->o->rotate_s)
		return capture_close_file(c);
	if (c->since_commit > 0 && now - c->last_commit >= c->o->commit_s &&
	    commit_batch(c) != 0)
		return -1;
	return refresh_derived(c, now);
}
