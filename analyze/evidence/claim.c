/*
 * claim.c — one ingest per capture file at a time, across processes
 * (store.h: store_claim_source).
 *
 * Two processes ingesting the same file into one case would both start
 * (or both resume) its source and store its evidence twice. Before it
 * looks for a duplicate or starts a source, an ingest therefore claims
 * the file: an exclusive open-file-description lock (F_OFD_SETLK) on one
 * byte of the database file, at CLAIM_BASE plus the file's size. The
 * kernel drops the lock when its holder exits, however it dies, so an
 * interrupted ingest never leaves a stale claim: the next ingest resumes
 * the partial source. The byte range lies far above the bytes SQLite
 * locks (around 1 GiB), so the two never meet; flock() on the same file
 * (store_lock) is a separate kind of lock.
 *
 * The key is the size, not the path: a copy of the file under another
 * name is the same evidence, and the duplicate check that follows the
 * claim finds it once the first ingest completes. Different files of the
 * same size merely take turns.
 */
#include "analyze/evidence/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CLAIM_BASE ((off_t)1 << 62)
#define CLAIM_SLOTS ((uint64_t)1 << 60)

static int claim_lock(struct store *st, uint64_t size, int cmd, short type)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl); /* l_pid must be 0 for OFD locks */
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = CLAIM_BASE + (off_t)(size % CLAIM_SLOTS);
	fl.l_len = 1;
	return fcntl(st->claim_fd, cmd, &fl);
}

int store_claim_source(struct store *st, uint64_t size, bool wait)
{
	store_release_claim(st);
	if (st->claim_fd < 0) {
		/* A write lock needs a descriptor open for writing. It stays
		 * open until store_close(): closing any descriptor of the file
		 * would drop SQLite's own (POSIX) locks on it. */
		st->claim_fd = open(st->path, O_RDWR | O_CLOEXEC);
		if (st->claim_fd < 0) {
			snprintf(st->err, sizeof st->err,
				 "%s: cannot open to claim a source: %s",
				 st->path, strerror(errno));
			return -1;
		}
	}
	/* Never wait while holding the write lock of a transaction: the
	 * claim's holder needs it to finish. */
	if (wait && store_txn_commit(st) != 0)
		return -1;
	if (claim_lock(st, size, wait ? F_OFD_SETLKW : F_OFD_SETLK,
		       F_WRLCK) == 0) {
		st->claimed = true;
		st->claim_size = size;
		return 1;
	}
	if (!wait && (errno == EAGAIN || errno == EACCES))
		return 0;
	if (errno == EINTR)
		return -2;
	snprintf(st->err, sizeof st->err, "%s: cannot claim a source: %s",
		 st->path, strerror(errno));
	return -1;
}

void store_release_claim(struct store *st)
{
	if (!st->claimed)
		return;
	claim_lock(st, st->claim_size, F_OFD_SETLK, F_UNLCK);
	st->claimed = false;
}
