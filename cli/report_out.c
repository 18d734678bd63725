/* report_out.c — writing a report to its place (see report_out.h). */
#include "cli/report_out.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/report/report.h"
#include "capture/source.h"
#include "cli/cli.h"
#include "cli/out.h"

/* What a file type is called in an error. */
static const char *type_name(mode_t m)
{
	return S_ISLNK(m)    ? "a symbolic link"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISDIR(m)  ? "a folder"
			     : "not a regular file";
}

int report_out_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (!strcmp(path, "-"))
		return 0;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))
		return 0;
	snprintf(err, errlen, "%s: is %s; a report is written only to a "
		 "regular file (replaced atomically), a character device or "
		 "standard output (-o -), so it is left as it is",
		 path, type_name(st.st_mode));
	return -1;
}

/* The report in memory: *buf (malloc'd, the caller frees) and *len. */
static int render(const json_t *doc, int format, char **buf, size_t *len,
		  char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	FILE *m = open_memstream(buf, len);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char werr[256];
	int rc = report_write(doc, (enum report_format)format, m, werr,
			      sizeof werr);
	if (fclose(m) != 0 && rc == 0)
		snprintf(werr, sizeof werr, "out of memory"), rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s", werr);
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/* Writes all n bytes to fd. 0, or -1 with errno set. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A character device, as a stream: opened without following a link and
 * without creating, and checked to be one once open. */
static int write_device(const char *path, const char *buf, size_t len,
			char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		snprintf(err, errlen, "%s: changed while it was opened; "
			 "nothing written", path);
		close(fd);
		return -2;
	}
	int rc = write_all(fd, buf, len);
	int e = errno;
	if (close(fd) != 0 && rc == 0)
		rc = -1, e = errno;
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(e));
	return rc;
}

/* Syncs the folder holding path, so the rename lasts. */
static int sync_folder(const char *path)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Puts the finished temporary file tmp at path: a new name, or over a
 * regular file. Whatever else appeared at path since the check is left
 * as it is (and -2). Where the file system cannot exchange names, a
 * check and rename() stand in. */
static int place(const char *tmp, const char *path, char *err,
		 size_t errlen)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
			      RENAME_EXCHANGE) == 0) {
			/* tmp now names what was at path */
			struct stat st;
			if (lstat(tmp, &st) == 0 && S_ISREG(st.st_mode)) {
				if (unlink(tmp) != 0)
					cli_error("%s: the old report is left "
						  "there: %s", tmp,
						  strerror(errno));
				return 0;
			}
			if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
				      RENAME_EXCHANGE) != 0) {
				snprintf(err, errlen, "%s: became %s while the "
					 "report was written; it is now at %s",
					 path, type_name(st.st_mode), tmp);
				return -1;
			}
			snprintf(err, errlen, "%s: became %s while the report "
				 "was written; left as it is", path,
				 type_name(st.st_mode));
			return -2;
		}
		if (errno != EINVAL && errno != ENOSYS) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	} else if (errno != EINVAL && errno != ENOSYS) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* no renameat2 flags here: check, then rename */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: is %s; left as it is", path,
			 type_name(st.st_mode));
		return -2;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A regular file through a temporary file next to it. */
static int write_atomic(const char *path, const char *buf, size_t len,
			char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >=
	    (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -2;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create the report there: %s",
			 path, strerror(errno));
		return -2;
	}
	/* mkstemp makes the file private; a report gets the usual mode */
	mode_t mask = umask(0);
	umask(mask);
	int rc = 0, e = 0;
	if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, buf, len) != 0 ||
	    fsync(fd) != 0)
		rc = -1, e = errno;
	if (close(fd) != 0 && rc == 0)
		rc = -1, e = errno;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		unlink(tmp);
		return rc;
	}
	rc = place(tmp, path, err, errlen);
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	if (sync_folder(path) != 0) {
		snprintf(err, errlen, "%s: written, but its folder could not "
			 "be synced: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int report_out_write(const json_t *doc, int format, const char *path,
		     struct report_out *ro, char *err, size_t errlen)
{
	*ro = (struct report_out){.stream = true};
	err[0] = '\0';
	bool to_stdout = !strcmp(path, "-");
	struct stat st;
	bool device = !to_stdout && lstat(path, &st) == 0 &&
		      S_ISCHR(st.st_mode);
	if (!to_stdout && report_out_check(path, err, errlen) != 0)
		return -2;
	char *buf;
	size_t len;
	if (render(doc, format, &buf, &len, err, errlen) != 0)
		return -1;
	uint8_t sha[SHA256_LEN];
	sha256_buffer(buf, len, sha);
	sha256_hex(sha, ro->sha256);
	ro->bytes = len;
	int rc;
	if (to_stdout) {
		errno = 0;
		rc = fwrite(buf, 1, len, stdout) == len ? 0 : -1;
		if (rc != 0)
			cli_out_error("standard output", errno);
		if (cli_out_flush(stdout, "standard output") != 0)
			rc = -1; /* said already */
	} else if (device) {
		rc = write_device(path, buf, len, err, errlen);
	} else {
		ro->stream = false;
		rc = write_atomic(path, buf, len, err, errlen);
	}
	free(buf);
	return rc;
}
