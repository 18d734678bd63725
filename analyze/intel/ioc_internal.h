/*
 * ioc_internal.h — what the intel readers share (ioc_read.c, ioc_misp.c,
 * ioc_model.c). Private to analyze/intel/.
 */
#ifndef ATTRIB_IOC_INTERNAL_H
#define ATTRIB_IOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "analyze/intel/ioc.h"

/* Reads a whole file (at most IOC_FILE_MAX_BYTES) into a new
 * NUL-terminated buffer (*buf, the caller frees it). 0, or -1 with err. */
int ioc_read_file(const char *path, char **buf, size_t *len, char *err,
		  size_t errlen);

/* Next line of buf at *pos (CR LF or LF ended) as a NUL-terminated string
 * in place, trimmed of surrounding white space; NULL at the end. */
char *ioc_next_line(char *buf, size_t len, size_t *pos);

/* Adds a value of detected type (ioc_detect); counted unsupported when no
 * type fits. As ioc_add(). */
int ioc_add_detected(struct ioc_set *s, const char *value, const char *path,
		     const char *entry, const char *note);

/* A Suricata dataset file already read into buf (ioc_suricata.c). 0, or
 * -1 when out of memory. */
int ioc_read_suricata(struct ioc_set *s, const char *path, char *buf,
		      size_t len);

/* The ioc_type a type name (CSV type column, MISP attribute type) says,
 * for value (an "ip" type with a '/' is a network); -1 when none. */
int ioc_type_from_name(const char *name, const char *value);

/* True when a first line is a CSV header naming an indicator column. */
bool ioc_csv_header(const char *first_line);

/* JSON intel: a MISP event (or a list of them, or a REST "response"), or
 * a STIX bundle (handed to ioc_read_model). misp_only: refuse anything
 * else. 0, or -1 with err. */
int ioc_read_json(struct ioc_set *s, const char *path, const char *buf,
		  size_t len, bool misp_only, char *err, size_t errlen);

/* A MISP feed folder: the events manifest.json names (<uuid>.json); the
 * folder's other files are recorded as skipped. 0, or -1 with err. */
int ioc_read_misp_feed(struct ioc_set *s, const char *dir, char *err,
		       size_t errlen);

/* attrib's models and STIX bundles: every exact value, name suffix and
 * network pattern as an entry; patterns of other forms are counted as
 * unsupported. 0, or -1 with err. */
int ioc_read_model(struct ioc_set *s, const char *path, char *err,
		   size_t errlen);

#endif
