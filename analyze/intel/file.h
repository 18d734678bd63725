/*
 * file.h — how intel/ opens the files a user or a model names (model
 * files, STIX bundles, prefix tables): regular files only, of bounded
 * size, and never in a way that can block.
 *
 * A FIFO with no writer would block open() and read() for ever, a
 * character device such as /dev/zero never ends, a folder or a socket is
 * no file at all: each is refused with a one-line error naming the file,
 * before anything is read. The caller still bounds its own reading (a
 * regular file can grow while it is read).
 */
#ifndef ATTRIB_INTEL_FILE_H
#define ATTRIB_INTEL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Opens path for reading when it is (after following links) a regular
 * file of at most max_bytes. what names the file's role in errors
 * ("model file", "prefix table"). Returns a stream the caller closes, or
 * NULL with "PATH: reason" in err: cannot open, is a FIFO (or another
 * kind of file), larger than the limit.
 */
FILE *intel_file_open(const char *path, const char *what, uint64_t max_bytes,
		      char *err, size_t errlen);

#endif
