/*
 * ioc_misp.c — MISP intel (ioc_internal.h): event JSON ({"Event": …}, a
 * list of them, or a REST search {"response": [...]}) and feed folders
 * (manifest.json naming <uuid>.json events). Attributes, and the
 * attributes of objects, become entries by their MISP type; compound
 * types ("domain|ip", "ip-dst|port") give one entry per part attrib can
 * compare. JSON that is a STIX bundle goes to the model reader.
 */
#include "analyze/intel/ioc_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* MISP attribute types and what each part of the value is. */
static const struct {
	const char *type;
	int part[2]; /* ioc types of the parts ("a|b"); -1 ignore */
} misp_types[] = {
	{"ip-src", {IOC_ADDR, -1}},
	{"ip-dst", {IOC_ADDR, -1}},
	{"ip-src|port", {IOC_ADDR, -1}},
	{"ip-dst|port", {IOC_ADDR, -1}},
	{"domain", {IOC_DOMAIN, -1}},
	{"hostname", {IOC_DOMAIN, -1}},
	{"domain|ip", {IOC_DOMAIN, IOC_ADDR}},
	{"hostname|port", {IOC_DOMAIN, -1}},
	{"url", {IOC_URL, -1}},
	{"user-agent", {IOC_USER_AGENT, -1}},
	{"ja3-fingerprint-md5", {IOC_MD5, -1}},
	{"hassh-md5", {IOC_MD5, -1}},
	{"hasshserver-md5", {IOC_MD5, -1}},
	{"x509-fingerprint-sha1", {IOC_SHA1, -1}},
	{"x509-fingerprint-sha256", {IOC_SHA256, -1}},
	{"ja4-fingerprint", {IOC_JA4, -1}},
};

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int add_attribute(struct ioc_set *s, const char *path,
			 const char *event_uuid, const char *info, json_t *a)
{
	const char *type = str(a, "type"), *value = str(a, "value");
	int part[2] = {-1, -1};
	bool known = false;
	for (size_t i = 0; i < sizeof misp_types / sizeof misp_types[0]; i++)
		if (!strcmp(type, misp_types[i].type)) {
			part[0] = misp_types[i].part[0];
			part[1] = misp_types[i].part[1];
			known = true;
		}
	if (!known) {
		char why[128];
		snprintf(why, sizeof why, "MISP type %.64s: no attrib "
			 "observation to compare", type);
		ioc_unsupported(s, why);
		return 0;
	}
	char entry[256], note[512], v[4096];
	snprintf(entry, sizeof entry, "event %s attribute %s", event_uuid,
		 str(a, "uuid"));
	snprintf(note, sizeof note, "misp %s; %s", type, info);
	snprintf(v, sizeof v, "%s", value);
	char *bar = strchr(v, '|');
	if (bar)
		*bar = '\0';
	for (int i = 0; i < 2; i++) {
		const char *pv = i == 0 ? v : bar ? bar + 1 : NULL;
		if (part[i] < 0 || !pv)
			continue;
		enum ioc_type t = (enum ioc_type)part[i];
		if (t == IOC_ADDR && strchr(pv, '/'))
			t = IOC_CIDR;
		if (ioc_add(s, t, pv, path, entry, note) < 0)
			return -1;
	}
	return 0;
}

static int add_attributes(struct ioc_set *s, const char *path,
			  const char *uuid, const char *info, json_t *list)
{
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a)
		if (json_is_object(a) &&
		    add_attribute(s, path, uuid, info, a) < 0)
			return -1;
	return 0;
}

/* One {"Event": {...}} (or the bare event object). */
static int read_event(struct ioc_set *s, const char *path, json_t *wrap)
{
	json_t *ev = json_object_get(wrap, "Event");
	if (!json_is_object(ev))
		ev = wrap;
	const char *uuid = str(ev, "uuid"), *info = str(ev, "info");
	if (add_attributes(s, path, uuid, info,
			   json_object_get(ev, "Attribute")) < 0)
		return -1;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ev, "Object"), i, o)
		if (add_attributes(s, path, uuid, info,
				   json_object_get(o, "Attribute")) < 0)
			return -1;
	return 0;
}

int ioc_read_json(struct ioc_set *s, const char *path, const char *buf,
		  size_t len, bool misp_only, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, 0, &je);
	int rc = -1;
	if (!root) {
		snprintf(err, errlen, "%s:%d: JSON: %s", path, je.line, je.text);
		return -1;
	}
	json_t *list = NULL;
	if (json_is_object(root) && json_object_get(root, "Event"))
		list = NULL;
	else if (json_is_object(root) &&
		 json_is_array(json_object_get(root, "response")))
		list = json_object_get(root, "response");
	else if (json_is_array(root))
		list = root;
	else if (!misp_only && json_is_object(root) &&
		 !strcmp(str(root, "type"), "bundle")) {
		json_decref(root);
		return ioc_read_model(s, path, err, errlen);
	} else {
		snprintf(err, errlen, "%s: JSON that is neither a MISP event "
			 "nor a STIX bundle", path);
		goto done;
	}
	if (!ioc_file_add(s, path, "misp", buf, len))
		goto oom;
	if (!list) {
		if (read_event(s, path, root) < 0)
			goto oom;
	} else {
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e)
			if (json_is_object(e) && read_event(s, path, e) < 0)
				goto oom;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
done:
	json_decref(root);
	return rc;
}

int ioc_read_misp_feed(struct ioc_set *s, const char *dir, char *err,
		       size_t errlen)
{
	char path[4096];
	char *buf = NULL;
	size_t len;
	json_t *manifest = NULL;
	int rc = -1;
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if (ioc_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	json_error_t je;
	manifest = json_loadb(buf, len, 0, &je);
	if (!json_is_object(manifest)) {
		snprintf(err, errlen, "%s:%d: not a MISP feed manifest%s%s",
			 path, je.line, manifest ? "" : ": ",
			 manifest ? "" : je.text);
		goto done;
	}
	const char *uuid;
	json_t *meta;
	json_object_foreach(manifest, uuid, meta) {
		char ev[4096], why[1024];
		char *eb;
		size_t el;
		snprintf(ev, sizeof ev, "%s/%s.json", dir, uuid);
		if (strchr(uuid, '/') || access(ev, R_OK) != 0) {
			if (ioc_skip(s, ev, "listed in manifest.json but "
					    "missing") != 0)
				goto oom;
			continue;
		}
		if (ioc_read_file(ev, &eb, &el, why, sizeof why) != 0 ||
		    ioc_read_json(s, ev, eb, el, true, why, sizeof why) != 0) {
			if (ioc_skip(s, ev, why) != 0)
				goto oom;
		}
		free(eb);
	}
	/* everything else in the folder is listed as skipped */
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char uuidpart[256];
		const char *name = de->d_name;
		if (!strcmp(name, ".") || !strcmp(name, "..") ||
		    !strcmp(name, "manifest.json"))
			continue;
		snprintf(uuidpart, sizeof uuidpart, "%s", name);
		char *dot = strstr(uuidpart, ".json");
		if (dot && !dot[5]) {
			*dot = '\0';
			if (json_object_get(manifest, uuidpart))
				continue;
		}
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (ioc_skip(s, path, !strcmp(name, "hashes.csv")
					      ? "the feed's hash list (not read)"
					      : "not listed in manifest.json") != 0) {
			closedir(d);
			goto oom;
		}
	}
	if (d)
		closedir(d);
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "%s: out of memory", dir);
done:
	json_decref(manifest);
	free(buf);
	return rc;
}
