/*
 * ioc.h — intel as analysts already have it: indicator lists, CSV, Zeek
 * Intel framework files, MISP events and feeds, Suricata dataset files,
 * and attrib's own models and STIX bundles, read into one set of typed
 * entries and matched against observations (`attrib match`).
 *
 * Every entry remembers where it came from (file and line, MISP attribute
 * uuid, STIX or model pattern id), so a hit cites its intel as well as
 * its packet. Entries are indexed by (type, normalised value) in a hash
 * table; CIDR entries by prefix length, so an address costs one probe per
 * prefix length in use, whatever the number of entries. Everything a
 * reader could not use is kept as a note (skipped files with the reason,
 * unsupported entries counted per reason), never dropped silently.
 */
#ifndef ATTRIB_IOC_H
#define ATTRIB_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ioc_type {
	IOC_ADDR,        /* IPv4 or IPv6 address */
	IOC_CIDR,        /* network */
	IOC_DOMAIN,      /* a name, matched exactly */
	IOC_DOMAIN_SUFFIX, /* a name and every name below it */
	IOC_URL,         /* matched without its scheme */
	IOC_MD5,         /* JA3, JA3S, HASSH */
	IOC_JA4,
	IOC_SHA1,        /* certificate fingerprint */
	IOC_SHA256,      /* certificate fingerprint (no attrib kind yet) */
	IOC_USER_AGENT,
	IOC_SOFTWARE,    /* Zeek's SOFTWARE: user agents and SSH banners */
	IOC_TYPE_COUNT
};

/* "addr", "cidr", "domain", "domain-suffix", "url", "md5", "ja4", "sha1",
 * "sha256", "user-agent", "software". */
const char *ioc_type_name(enum ioc_type t);

/*
 * The type of a bare value, as a plain list line would be read: URL (has
 * "://"), CIDR, address, JA4, 32/40/64 hex digits (MD5, SHA-1 — colons
 * allowed — SHA-256), an SSH banner ("SSH-", software), a domain name
 * (a dot, a letter in the last label; "*.name" the name and below), a
 * user agent (has '/'); -1 when it is none of these.
 */
int ioc_detect(const char *value);

struct ioc_entry {
	enum ioc_type type;
	char *value;    /* normalised (lower-case names and hashes, canonical
	                   address text, URL without scheme) */
	char *source;   /* the intel file */
	char *entry;    /* where in it: "line 12", "attribute <uuid>", ... */
	char *note;     /* what the intel says of it (type, meta.source,
	                   event info); may be "" */
};

/* A file the readers did not use, and why. */
struct ioc_skip {
	char *path, *reason;
};

/* One intel file that was read. */
struct ioc_file {
	char *path;
	char sha256[65];
	const char *format; /* "list", "csv", "zeek", "misp", "suricata",
	                       "model" (static) */
	size_t entries, unsupported;
};

struct ioc_set;

/* An empty set; the caller owns it (ioc_set_destroy()). NULL when out of
 * memory. */
struct ioc_set *ioc_set_create(void);
void ioc_set_destroy(struct ioc_set *s);

/*
 * Reads one path into s. A file's format comes from an explicit prefix
 * ("list:", "csv:", "zeek:", "misp:", "suricata:", "model:" before the
 * path) or is detected: a Zeek "#fields" header, JSON with "Event" (MISP)
 * or "type": "bundle" (STIX), .yaml/.yml (model), .csv or a header line of
 * comma-separated names with an indicator column, .lst (Suricata
 * dataset), else a plain list. A folder holding manifest.json is a MISP
 * feed (the events it lists); any other folder is read file by file,
 * subfolders too. Files in a folder that cannot be read are recorded as
 * skipped with the reason. 0, or -1 with "file[:line]: reason" in err
 * (a named file that cannot be read is an error, not a skip).
 */
int ioc_load_path(struct ioc_set *s, const char *path, char *err,
		  size_t errlen);

/* Adds one entry (strings copied; value normalised for its type).
 * 1 added, 0 unusable for its type (counted as unsupported with the
 * reason), -1 out of memory. */
int ioc_add(struct ioc_set *s, enum ioc_type type, const char *value,
	    const char *source, const char *entry, const char *note);

/* Counts an entry a reader could not use, by reason. */
void ioc_unsupported(struct ioc_set *s, const char *reason);

/* Records a file or folder entry not read, with the reason. 0 or -1. */
int ioc_skip(struct ioc_set *s, const char *path, const char *reason);

/* Records a file read (its SHA-256 computed from buf). The returned
 * record stays valid until the next ioc_file_add; NULL out of memory. */
struct ioc_file *ioc_file_add(struct ioc_set *s, const char *path,
			      const char *format, const char *buf, size_t len);

size_t ioc_count(const struct ioc_set *s);
/* Entry i (0 <= i < ioc_count(s)), valid while s lives and grows not. */
const struct ioc_entry *ioc_entry_at(const struct ioc_set *s, size_t i);
const struct ioc_skip *ioc_skips(const struct ioc_set *s, size_t *n);
const struct ioc_file *ioc_files(const struct ioc_set *s, size_t *n);
/* Unsupported entries by reason: reason i and its count; false past the
 * last. */
bool ioc_unsupported_at(const struct ioc_set *s, size_t i,
			const char **reason, uint64_t *count);

/*
 * Calls fn for every entry matching an observation of kind (contract
 * name) with value; stops and returns fn's value when non-zero. Which
 * types each kind is compared with: docs/intel.md.
 */
typedef int (*ioc_hit_fn)(void *ctx, const struct ioc_entry *e);
int ioc_match(const struct ioc_set *s, const char *kind, const char *value,
	      ioc_hit_fn fn, void *ctx);

/* Largest intel file read, in bytes. */
#define IOC_FILE_MAX_BYTES (256u << 20)

#endif
