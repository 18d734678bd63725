/*
 * model_dir.c — the paths given to --models (model.h): one model file, or
 * a folder walked depth first into its subfolders, in byte order of the
 * names, bounded in depth, entries and files; what is not a model file
 * (other extensions, JSON that is no STIX bundle such as a MISP event a
 * model includes as a feed) is skipped with its reason.
 */
#include "analyze/intel/model.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "analyze/intel/file.h"

struct walk {
	struct model_set *ms;
	model_skip_fn skip;
	void *ctx;
	char *err;
	size_t errlen;
	size_t files;   /* model files loaded so far */
	size_t entries; /* entries read from all folders so far */
	/* the folders being walked, top first: a link back to one of them
	 * is skipped, not walked again */
	dev_t dev[MODEL_DIR_MAX_DEPTH + 1];
	ino_t ino[MODEL_DIR_MAX_DEPTH + 1];
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcasecmp(s + a - b, suffix);
}

static bool model_name(const char *name)
{
	return ends_with(name, ".yaml") || ends_with(name, ".yml") ||
	       ends_with(name, ".json");
}

static int load_file(struct model_set *ms, const char *path, char *err,
		     size_t errlen)
{
	if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
		return model_load_yaml(ms, path, err, errlen);
	if (ends_with(path, ".json"))
		return model_load_stix(ms, path, err, errlen);
	snprintf(err, errlen, "%s: not a model file (expected .yaml, .yml or "
		 ".json)", path);
	return -1;
}

/* A .json file met in a folder that is valid JSON but no STIX bundle (a
 * MISP event or feed a model includes, a report): true, it is skipped.
 * Anything else, unreadable or broken files included, is left to the
 * STIX loader and its errors. */
static bool json_not_bundle(const char *path)
{
	char err[512];
	FILE *f = intel_file_open(path, "model file", MODEL_FILE_MAX_BYTES,
				  err, sizeof err);
	if (!f)
		return false;
	json_error_t je;
	json_t *root = json_loadf(f, JSON_DECODE_ANY, &je);
	fclose(f);
	if (!root)
		return false;
	json_t *type = json_is_object(root) ? json_object_get(root, "type")
					    : NULL;
	bool bundle = json_is_string(type) &&
		      !strcmp(json_string_value(type), "bundle");
	json_decref(root);
	return !bundle;
}

static void skipped(struct walk *w, const char *path, const char *reason)
{
	if (w->skip)
		w->skip(w->ctx, path, reason);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The entry names of folder path, sorted; NULL names with *n 0 for an
 * empty folder. 0, or -1 with err set. */
static int read_names(struct walk *w, const char *path, char ***out,
		      size_t *out_n)
{
	DIR *d = opendir(path);
	if (!d) {
		snprintf(w->err, w->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (w->entries++ == MODEL_DIR_MAX_ENTRIES) {
			snprintf(w->err, w->errlen, "%s: more than %u entries "
				 "in the folders walked", path,
				 MODEL_DIR_MAX_ENTRIES);
			rc = -1;
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **p = realloc(names, ncap * sizeof *names);
			if (!p)
				goto oom;
			names = p;
			cap = ncap;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	if (rc != 0) {
		free_names(names, n);
		return rc;
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	*out = names;
	*out_n = n;
	return 0;
oom:
	closedir(d);
	free_names(names, n);
	snprintf(w->err, w->errlen, "%s: out of memory", path);
	return -1;
}

static int walk_dir(struct walk *w, const char *path, unsigned depth);

/* One entry of a folder: a subfolder walked, a model file loaded, the
 * rest skipped. */
static int walk_entry(struct walk *w, const char *full, const char *name,
		      unsigned depth)
{
	struct stat sb;
	if (name[0] == '.') {
		skipped(w, full, "hidden");
		return 0;
	}
	if (stat(full, &sb) != 0) {
		skipped(w, full, strerror(errno));
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		for (unsigned i = 0; i <= depth; i++)
			if (w->dev[i] == sb.st_dev && w->ino[i] == sb.st_ino) {
				skipped(w, full, "a link to a folder it is in");
				return 0;
			}
		if (depth + 1 > MODEL_DIR_MAX_DEPTH) {
			skipped(w, full, "folder deeper than 8 levels");
			return 0;
		}
		w->dev[depth + 1] = sb.st_dev;
		w->ino[depth + 1] = sb.st_ino;
		return walk_dir(w, full, depth + 1);
	}
	if (!model_name(name)) {
		skipped(w, full, "not a model file (.yaml, .yml, .json)");
		return 0;
	}
	/* a FIFO or device with a model's name is refused by the loader,
	 * as when it is named directly */
	if (S_ISREG(sb.st_mode) && ends_with(name, ".json") &&
	    json_not_bundle(full)) {
		skipped(w, full, "JSON but not a STIX bundle (no \"type\": "
			"\"bundle\")");
		return 0;
	}
	if (w->files == MODEL_DIR_MAX_FILES) {
		snprintf(w->err, w->errlen, "%s: more than %u model files "
			 "under the folder", full, MODEL_DIR_MAX_FILES);
		return -1;
	}
	w->files++;
	return load_file(w->ms, full, w->err, w->errlen);
}

static int walk_dir(struct walk *w, const char *path, unsigned depth)
{
	char **names = NULL;
	size_t n = 0;
	if (read_names(w, path, &names, &n) != 0)
		return -1;
	size_t plen = strlen(path);
	bool slash = plen && path[plen - 1] == '/';
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *full = NULL;
		if (asprintf(&full, slash ? "%s%s" : "%s/%s", path,
			     names[i]) < 0) {
			snprintf(w->err, w->errlen, "%s: out of memory", path);
			rc = -1;
			break;
		}
		rc = walk_entry(w, full, names[i], depth);
		free(full);
	}
	free_names(names, n);
	return rc;
}

int model_load_tree(struct model_set *ms, const char *path,
		    model_skip_fn skip, void *ctx, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return load_file(ms, path, err, errlen);
	struct walk w = {.ms = ms, .skip = skip, .ctx = ctx, .err = err,
			 .errlen = errlen, .dev = {sb.st_dev}, .ino = {sb.st_ino}};
	if (walk_dir(&w, path, 0) != 0)
		return -1;
	if (w.files == 0) {
		snprintf(err, errlen, "%s: no model files (*.yaml, *.yml, "
			 "*.json) in this directory or its subfolders", path);
		return -1;
	}
	return 0;
}

int model_load_path(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	return model_load_tree(ms, path, NULL, NULL, err, errlen);
}
