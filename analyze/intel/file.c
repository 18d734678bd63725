/* file.c — opening the files intel/ reads (see file.h). */
#include "analyze/intel/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISDIR(m)  ? "a folder"
			     : "not a regular file";
}

/* 0 when sb is a regular file within the limit, else -1 with err. */
static int acceptable(const struct stat *sb, const char *path,
		      const char *what, uint64_t max_bytes, char *err,
		      size_t errlen)
{
	if (!S_ISREG(sb->st_mode)) {
		snprintf(err, errlen, "%s: is %s; a %s must be a regular file",
			 path, type_name(sb->st_mode), what);
		return -1;
	}
	if ((uint64_t)sb->st_size > max_bytes) {
		snprintf(err, errlen, "%s: %s larger than %llu MiB", path, what,
			 (unsigned long long)(max_bytes >> 20));
		return -1;
	}
	return 0;
}

FILE *intel_file_open(const char *path, const char *what, uint64_t max_bytes,
		      char *err, size_t errlen)
{
	struct stat sb;
	err[0] = '\0';
	/* look before opening: opening a device can itself do something */
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (acceptable(&sb, path, what, max_bytes, err, errlen) != 0)
		return NULL;
	/* O_NONBLOCK: should a FIFO have taken the name since, the open
	 * returns at once and fstat refuses it */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	int flags;
	if (fstat(fd, &sb) != 0 ||
	    acceptable(&sb, path, what, max_bytes, err, errlen) != 0 ||
	    (flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
