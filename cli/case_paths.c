/*
 * case_paths.c — the case database (--db) and the head file (--head FILE,
 * or the case's default CASE.db.head) a command is given, checked before
 * any work is done.
 *
 * The case database must be a regular file (links are followed) or, for
 * the commands that make a case, not exist yet: a FIFO would block
 * SQLite's first read for ever, a device is no case.
 *
 * The store replaces the head file by rename after every run and verify
 * reads it, so it must be a regular file (or not exist yet, in a folder
 * that does). A FIFO would block the reader, and a device node, a link or
 * a folder would be replaced or followed: all are refused with exit 2 and
 * left as they are. A head file is a few lines; one larger than
 * HEAD_FILE_MAX_BYTES is not a head file and is refused too.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/evidence/store.h"
#include "cli/cli.h"

enum { HEAD_FILE_MAX_BYTES = 64 * 1024 };

static const char *type_name(mode_t m)
{
	return S_ISLNK(m)    ? "a symbolic link"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISDIR(m)  ? "a folder"
			     : "not a regular file";
}

int cli_head_check(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			cli_error("%s: head file: is %s; a head file must be a "
				  "regular file (it is replaced after every "
				  "run), so it is left as it is", path,
				  type_name(sb.st_mode));
			return -1;
		}
		if (sb.st_size > HEAD_FILE_MAX_BYTES) {
			cli_error("%s: head file: %lld bytes, larger than any "
				  "head file (%d KiB): not a head file", path,
				  (long long)sb.st_size,
				  HEAD_FILE_MAX_BYTES / 1024);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		cli_error("%s: head file: %s", path, strerror(errno));
		return -1;
	}
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	const char *dir = dirname(copy);
	if (stat(dir, &sb) != 0) {
		cli_error("%s: head file: its folder %s: %s", path, dir,
			  strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		cli_error("%s: head file: %s is not a folder", path, dir);
		return -1;
	}
	return 0;
}

int cli_case_path_check(const char *db, bool may_create)
{
	struct stat sb;
	if (stat(db, &sb) != 0) {
		if (errno == ENOENT && may_create)
			return 0;
		cli_error("%s: %s", db, errno == ENOENT
						? "no such case database"
						: strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		cli_error("%s: is %s; a case database is a regular file", db,
			  type_name(sb.st_mode));
		return -1;
	}
	return 0;
}

int cli_set_head(struct store *st, const char *head)
{
	if (head)
		store_set_head_path(st, head);
	return cli_head_check(store_head_path(st));
}
