/*
 * ioc_read.c — reading intel files and folders into an ioc_set
 * (ioc_load_path in ioc.h): format detection, plain IOC lists, CSV with
 * a header, Zeek Intel framework files, and folders (recursive; a folder
 * with manifest.json is a MISP feed). Suricata datasets are read by
 * ioc_suricata.c, MISP JSON by ioc_misp.c, models and STIX bundles by
 * ioc_model.c.
 */
#include "analyze/intel/ioc_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum {
	CSV_MAX_COLS = 64,
	LINE_ENTRY_LEN = 32,
	FOLDER_MAX_DEPTH = 8,
	FOLDER_MAX_ENTRIES = 100000,
};

int ioc_read_file(const char *path, char **buf, size_t *len, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	*buf = NULL;
	if (!f || fstat(fileno(f), &sb) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)sb.st_size > IOC_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u MiB", path,
			 IOC_FILE_MAX_BYTES >> 20);
		goto fail;
	}
	*buf = malloc((size_t)sb.st_size + 1);
	if (!*buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	*len = fread(*buf, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	(*buf)[*len] = '\0';
	fclose(f);
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	if (f)
		fclose(f);
	return -1;
}

char *ioc_next_line(char *buf, size_t len, size_t *pos)
{
	if (*pos >= len)
		return NULL;
	char *s = buf + *pos;
	char *nl = memchr(s, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - s) : len - *pos;
	*pos += n + 1;
	s[n] = '\0';
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int ioc_add_detected(struct ioc_set *s, const char *value,
			const char *path, const char *entry, const char *note)
{
	int t = ioc_detect(value);
	if (t < 0) {
		ioc_unsupported(s, "type not recognised");
		return 0;
	}
	return ioc_add(s, (enum ioc_type)t, value, path, entry, note);
}

static int read_list(struct ioc_set *s, const char *path, char *buf,
		     size_t len)
{
	size_t pos = 0, lineno = 0;
	char *line, entry[LINE_ENTRY_LEN];
	while ((line = ioc_next_line(buf, len, &pos))) {
		lineno++;
		if (!*line || *line == '#' || !strncmp(line, "//", 2))
			continue;
		snprintf(entry, sizeof entry, "line %zu", lineno);
		if (ioc_add_detected(s, line, path, entry, "") < 0)
			return -1;
	}
	return 0;
}

/* Splits a CSV line in place (double quotes, "" inside them); returns
 * the number of fields (at most max). */
static int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		char *out = p;
		fields[n++] = out;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else if (!*p) {
					break;
				} else {
					*out++ = *p++;
				}
			}
			while (*p && *p != ',')
				p++;
		} else {
			while (*p && *p != ',')
				*out++ = *p++;
		}
		char *end = p;
		bool more = *p == ',';
		*out = '\0';
		if (out > end)
			*end = '\0';
		if (!more)
			break;
		p++;
	}
	for (int i = 0; i < n; i++) {
		while (isspace((unsigned char)*fields[i]))
			fields[i]++;
		size_t l = strlen(fields[i]);
		while (l && isspace((unsigned char)fields[i][l - 1]))
			fields[i][--l] = '\0';
	}
	return n;
}

static int column_of(char **names, int n, const char *const *want)
{
	for (const char *const *w = want; *w; w++)
		for (int i = 0; i < n; i++)
			if (!strcasecmp(names[i], *w))
				return i;
	return -1;
}

static const char *const value_columns[] = {
	"indicator", "value", "ioc", "observable", "indicator_value",
	"ioc_value", "data", NULL};
static const char *const type_columns[] = {
	"type", "indicator_type", "ioc_type", "kind", NULL};
static const char *const note_columns[] = {
	"source", "meta.source", "description", "comment", "tags", "info",
	NULL};

bool ioc_csv_header(const char *first_line)
{
	char copy[1024], *names[CSV_MAX_COLS];
	if (!strchr(first_line, ','))
		return false;
	snprintf(copy, sizeof copy, "%s", first_line);
	int n = csv_split(copy, names, CSV_MAX_COLS);
	return column_of(names, n, value_columns) >= 0;
}

int ioc_type_from_name(const char *name, const char *value)
{
	static const struct {
		const char *word;
		int type;
	} words[] = {
		{"ja4", IOC_JA4},        {"ja3", IOC_MD5},
		{"hassh", IOC_MD5},      {"md5", IOC_MD5},
		{"sha256", IOC_SHA256},  {"sha1", IOC_SHA1},
		{"user-agent", IOC_USER_AGENT}, {"user_agent", IOC_USER_AGENT},
		{"useragent", IOC_USER_AGENT},  {"url", IOC_URL},
		{"uri", IOC_URL},        {"cidr", IOC_CIDR},
		{"subnet", IOC_CIDR},    {"network", IOC_CIDR},
		{"domain", IOC_DOMAIN},  {"hostname", IOC_DOMAIN},
		{"fqdn", IOC_DOMAIN},    {"host", IOC_DOMAIN},
		{"ip", IOC_ADDR},        {"addr", IOC_ADDR},
	};
	char low[64];
	snprintf(low, sizeof low, "%s", name);
	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(low, words[i].word)) {
			int t = words[i].type;
			if (t == IOC_ADDR && strchr(value, '/'))
				t = IOC_CIDR;
			return t;
		}
	return -1;
}

static int read_csv(struct ioc_set *s, const char *path, char *buf,
		    size_t len)
{
	size_t pos = 0, lineno = 0;
	char *line, *hdr[CSV_MAX_COLS], *f[CSV_MAX_COLS], entry[LINE_ENTRY_LEN];
	int nh = 0, vcol = 0, tcol = -1, ncol = -1;
	while ((line = ioc_next_line(buf, len, &pos))) {
		lineno++;
		if (!*line || *line == '#')
			continue;
		if (!nh) {
			nh = csv_split(line, hdr, CSV_MAX_COLS);
			vcol = column_of(hdr, nh, value_columns);
			tcol = column_of(hdr, nh, type_columns);
			ncol = column_of(hdr, nh, note_columns);
			if (vcol < 0)
				vcol = 0;
			continue;
		}
		int n = csv_split(line, f, CSV_MAX_COLS);
		if (vcol >= n || !*f[vcol]) {
			ioc_unsupported(s, "CSV row without a value");
			continue;
		}
		snprintf(entry, sizeof entry, "line %zu", lineno);
		const char *note = ncol >= 0 && ncol < n ? f[ncol] : "";
		int t = tcol >= 0 && tcol < n ? ioc_type_from_name(f[tcol], f[vcol])
					      : -1;
		int rc = t >= 0 ? ioc_add(s, (enum ioc_type)t, f[vcol], path,
					  entry, note)
				: ioc_add_detected(s, f[vcol], path, entry, note);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Zeek's Intel::Type names and what attrib compares them with. */
static int zeek_type(const char *t)
{
	static const struct {
		const char *name;
		int type;
	} map[] = {
		{"Intel::ADDR", IOC_ADDR},     {"Intel::SUBNET", IOC_CIDR},
		{"Intel::DOMAIN", IOC_DOMAIN}, {"Intel::URL", IOC_URL},
		{"Intel::SOFTWARE", IOC_SOFTWARE},
		{"Intel::CERT_HASH", IOC_SHA1}, {"Intel::JA3", IOC_MD5},
		{"Intel::JA4", IOC_JA4},       {"Intel::HASSH", IOC_MD5},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(t, map[i].name))
			return map[i].type;
	return -1;
}

static int read_zeek(struct ioc_set *s, const char *path, char *buf,
		     size_t len, char *err, size_t errlen)
{
	size_t pos = 0, lineno = 0;
	char *line, entry[LINE_ENTRY_LEN], *names[CSV_MAX_COLS];
	int nn = 0, icol = -1, tcol = -1, scol = -1;
	while ((line = ioc_next_line(buf, len, &pos))) {
		lineno++;
		if (!strncmp(line, "#fields", 7)) {
			nn = 0;
			for (char *tok = strtok(line + 7, "\t"); tok && nn < CSV_MAX_COLS;
			     tok = strtok(NULL, "\t"))
				names[nn++] = tok;
			icol = tcol = scol = -1;
			for (int i = 0; i < nn; i++) {
				if (!strcmp(names[i], "indicator"))
					icol = i;
				else if (!strcmp(names[i], "indicator_type"))
					tcol = i;
				else if (!strcmp(names[i], "meta.source"))
					scol = i;
			}
			if (icol < 0 || tcol < 0) {
				snprintf(err, errlen, "%s:%zu: #fields without "
					 "indicator and indicator_type", path,
					 lineno);
				return -1;
			}
			continue;
		}
		if (!*line || *line == '#')
			continue;
		if (icol < 0) {
			snprintf(err, errlen, "%s:%zu: data before the #fields "
				 "line", path, lineno);
			return -1;
		}
		char *f[CSV_MAX_COLS];
		int n = 0;
		for (char *p = line; n < CSV_MAX_COLS;) {
			f[n++] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (icol >= n || tcol >= n) {
			ioc_unsupported(s, "Zeek line with fewer fields than "
					   "#fields");
			continue;
		}
		int t = zeek_type(f[tcol]);
		if (t < 0) {
			char why[96];
			snprintf(why, sizeof why, "Zeek type %.48s: no attrib "
				 "observation to compare", f[tcol]);
			ioc_unsupported(s, why);
			continue;
		}
		char note[160];
		snprintf(note, sizeof note, "%s%s%s", f[tcol],
			 scol >= 0 && scol < n && strcmp(f[scol], "-") ? " source="
								       : "",
			 scol >= 0 && scol < n && strcmp(f[scol], "-") ? f[scol]
								       : "");
		snprintf(entry, sizeof entry, "line %zu", lineno);
		if (ioc_add(s, (enum ioc_type)t, f[icol], path, entry, note) < 0)
			return -1;
	}
	return 0;
}

/* The format named by a "fmt:" prefix, or NULL; *rest gets the path. */
static const char *prefix_format(const char *path, const char **rest)
{
	static const char *const names[] = {"list", "csv", "zeek", "misp",
					    "suricata", "model"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(path, names[i], n) && path[n] == ':') {
			*rest = path + n + 1;
			return names[i];
		}
	}
	*rest = path;
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcasecmp(s + a - b, suffix);
}

/* The format of a file from its name and first bytes. */
static const char *detect_format(const char *path, const char *buf)
{
	const char *p = buf;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{' || *p == '[')
		return "json";
	if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
		return "model";
	if (!strncmp(p, "#separator", 10) || !strncmp(p, "#fields", 7) ||
	    strstr(buf, "\n#fields\t"))
		return "zeek";
	if (ends_with(path, ".lst") || ends_with(path, ".dataset"))
		return "suricata";
	char first[1024];
	size_t n = strcspn(p, "\r\n");
	snprintf(first, sizeof first, "%.*s", (int)(n < 1023 ? n : 1023), p);
	if (ends_with(path, ".csv") || ioc_csv_header(first))
		return "csv";
	return "list";
}

static int load_file(struct ioc_set *s, const char *path, const char *fmt,
		     char *err, size_t errlen)
{
	if (fmt && !strcmp(fmt, "model"))
		return ioc_read_model(s, path, err, errlen);
	char *buf;
	size_t len;
	if (ioc_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	if (!fmt)
		fmt = detect_format(path, buf);
	int rc;
	if (!strcmp(fmt, "json") || !strcmp(fmt, "misp")) {
		rc = ioc_read_json(s, path, buf, len, !strcmp(fmt, "misp"), err,
				   errlen);
	} else if (!strcmp(fmt, "model")) {
		rc = ioc_read_model(s, path, err, errlen);
	} else {
		static const char *const formats[] = {"list", "csv", "zeek",
						      "suricata"};
		const char *stored = "list";
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(fmt, formats[i]))
				stored = formats[i];
		rc = -1;
		if (!ioc_file_add(s, path, stored, buf, len))
			snprintf(err, errlen, "%s: out of memory", path);
		else if (!strcmp(fmt, "csv"))
			rc = read_csv(s, path, buf, len);
		else if (!strcmp(fmt, "zeek"))
			rc = read_zeek(s, path, buf, len, err, errlen);
		else if (!strcmp(fmt, "suricata"))
			rc = ioc_read_suricata(s, path, buf, len);
		else
			rc = read_list(s, path, buf, len);
		if (rc && !err[0])
			snprintf(err, errlen, "%s: out of memory", path);
	}
	free(buf);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every file below dir (sorted, subfolders too); a file that
 * cannot be read is recorded as skipped. */
static int load_folder(struct ioc_set *s, const char *dir, int depth,
		       char *err, size_t errlen)
{
	char manifest[4096];
	snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
	if (access(manifest, R_OK) == 0)
		return ioc_read_misp_feed(s, dir, err, errlen);
	if (depth > FOLDER_MAX_DEPTH)
		return ioc_skip(s, dir, "folders nested too deep");
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open folder: %s", dir,
			 strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < FOLDER_MAX_ENTRIES) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc) {
		snprintf(err, errlen, "%s: out of memory", dir);
		goto done;
	}
	qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096], why[1024];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (names[i][0] == '.') {
			rc = ioc_skip(s, path, "hidden");
		} else if (ends_with(names[i], ".md") ||
			   ends_with(names[i], ".rst") ||
			   ends_with(names[i], ".html") ||
			   ends_with(names[i], ".pdf")) {
			rc = ioc_skip(s, path, "documentation, not intel");
		} else if (stat(path, &sb) != 0) {
			rc = ioc_skip(s, path, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			rc = load_folder(s, path, depth + 1, err, errlen);
		} else if (!S_ISREG(sb.st_mode)) {
			rc = ioc_skip(s, path, "not a regular file");
		} else {
			why[0] = '\0';
			if (load_file(s, path, NULL, why, sizeof why) != 0) {
				const char *r = strncmp(why, path, strlen(path))
							? why
							: why + strlen(path);
				while (*r == ':' || *r == ' ')
					r++;
				rc = ioc_skip(s, path, *r ? r : "unreadable");
			}
		}
		if (rc && !err[0])
			snprintf(err, errlen, "%s: out of memory", path);
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int ioc_load_path(struct ioc_set *s, const char *arg, char *err,
		  size_t errlen)
{
	const char *path;
	const char *fmt = prefix_format(arg, &path);
	struct stat sb;
	err[0] = '\0';
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (fmt && !strcmp(fmt, "misp"))
			return ioc_read_misp_feed(s, path, err, errlen);
		return load_folder(s, path, 0, err, errlen);
	}
	return load_file(s, path, fmt, err, errlen);
}
