/*
 * file_list.c — the capture files a command is given: files named, and
 * the capture files below folders named (recursive, sorted), with every
 * other entry of those folders named on stderr with the reason it is
 * skipped; and the part of them one shard of an ingest takes
 * (analyze/ingest/shard.h). Used by ingest and analyze.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/ingest/shard.h"
#include "capture/source.h"
#include "cli/cli.h"

enum { MAX_DIR_DEPTH = 16 };

static int list_add(struct file_list *l, const char *path, uint64_t size)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->paths, cap * sizeof *p);
		if (!p)
			return -1;
		l->paths = p;
		l->cap = cap;
	}
	if (!(l->paths[l->count] = strdup(path)))
		return -1;
	l->count++;
	l->total_bytes += size;
	return 0;
}

void cli_file_list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* NULL when the file (decompressed, if it is gzip) starts with a pcap or
 * pcapng magic number, else
 * why it is not taken as a capture. Never blocks (only regular files are
 * opened, capture_fopen_regular). */
static const char *not_a_capture(const char *path, char *why, size_t len)
{
	unsigned char m[4];
	FILE *f = capture_fopen_regular(path, why, len);
	if (!f)
		return why;
	/* gzip-compressed: the magic is the decompressed stream's. */
	f = capture_open_decompressed(f);
	if (!f)
		return "out of memory";
	size_t n = fread(m, 1, sizeof m, f);
	fclose(f);
	if (n == 0)
		return "empty file";
	if (n != sizeof m)
		return "too short for a capture";
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		     (uint32_t)m[2] << 8 | m[3];
	if (v == 0xa1b2c3d4u || v == 0xd4c3b2a1u || v == 0xa1b23c4du ||
	    v == 0x4d3cb2a1u || v == 0x0a0d0d0au)
		return NULL;
	return "not a pcap or pcapng file (no capture magic number)";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Why an entry of a folder that is not a folder or a regular file is
 * skipped. */
static const char *special_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "symbolic link, not followed";
	if (S_ISFIFO(mode))
		return "FIFO, not a regular file";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "device node, not a regular file";
	if (S_ISSOCK(mode))
		return "socket, not a regular file";
	return "not a regular file";
}

static void skip(struct file_list *l, const char *path, const char *why)
{
	l->skipped++;
	cli_error("%s: skipped: %s", path, why);
}

/* Adds the capture files below dir (sorted, recursive, bounded depth);
 * names every other entry with the reason it is skipped. */
static int walk_dir(struct file_list *l, const char *dir, int depth)
{
	if (depth > MAX_DIR_DEPTH) {
		cli_error("%s: folders nested deeper than %d, not followed", dir,
			  MAX_DIR_DEPTH);
		return 0;
	}
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		cli_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX], why[256];
		struct stat sb;
		const char *reason;
		if (rc != 0 || !strcmp(name, ".") || !strcmp(name, "..")) {
			/* nothing */
		} else if (snprintf(path, sizeof path, "%s/%s", dir, name) >=
			   (int)sizeof path) {
			l->skipped++;
			cli_error("%s/%.64s…: skipped: path too long", dir, name);
		} else if (lstat(path, &sb) != 0) {
			skip(l, path, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			rc = walk_dir(l, path, depth + 1);
		} else if (!S_ISREG(sb.st_mode)) {
			skip(l, path, special_kind(sb.st_mode));
		} else if ((reason = not_a_capture(path, why, sizeof why))) {
			skip(l, path, reason);
		} else if (list_add(l, path, (uint64_t)sb.st_size) != 0) {
			cli_error("out of memory");
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cli_collect_captures(struct file_list *l, int n, char **paths)
{
	for (int i = 0; i < n; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) != 0) {
			cli_error("%s: %s", paths[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(sb.st_mode)) {
			size_t before = l->count, skipped = l->skipped;
			if (walk_dir(l, paths[i], 0) != 0)
				return -1;
			if (l->count == before)
				cli_error("%s: no pcap or pcapng file in this folder"
					  " (%zu other files skipped)",
					  paths[i], l->skipped - skipped);
			qsort(l->paths + before, l->count - before,
			      sizeof *l->paths, cmp_str);
		} else if (list_add(l, paths[i], (uint64_t)sb.st_size) != 0) {
			cli_error("out of memory");
			return -1;
		}
	}
	if (l->count == 0) {
		cli_error("no capture file to ingest");
		return -1;
	}
	return 0;
}

/* The name a file is sharded by: its path below the folder argument it
 * was found under, or its base name when the argument is the file. */
static const char *shard_name(const char *arg, const char *path,
			      bool is_dir)
{
	if (is_dir) {
		path += strlen(arg);
		while (*path == '/')
			path++;
		return path;
	}
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int cli_collect_shard(struct file_list *l, int n, char **paths, unsigned k,
		      unsigned shards)
{
	for (int i = 0; i < n; i++) {
		struct file_list all = {0};
		struct stat sb;
		int rc = cli_collect_captures(&all, 1, paths + i);
		bool is_dir = rc == 0 && stat(paths[i], &sb) == 0 &&
			      S_ISDIR(sb.st_mode);
		for (size_t f = 0; rc == 0 && f < all.count; f++) {
			const char *p = all.paths[f];
			if (shard_of(shard_name(paths[i], p, is_dir), shards) !=
			    k)
				continue;
			if (stat(p, &sb) != 0 ||
			    list_add(l, p, (uint64_t)sb.st_size) != 0) {
				cli_error("%s: %s", p, strerror(errno));
				rc = -1;
			}
		}
		cli_file_list_free(&all);
		if (rc != 0)
			return -1;
	}
	return 0;
}

