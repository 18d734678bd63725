/*
 * stix_ids.c — identifiers, cyber-observables and patterns for the STIX
 * export (stix.h): version-5 UUIDs, which STIX object holds a value of
 * each indicator kind, and the pattern that matches it.
 */
#include "analyze/report/report_internal.h"
#include "analyze/report/stix.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"

/* The STIX 2.1 namespace for cyber-observable ids (STIX 2.1, 2.9). */
const uint8_t stix_ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42,
				    0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2,
				    0x33, 0x15, 0xa9, 0xb7};

/* type--uuid5(ns, name) into out (at least 80 bytes). */
bool stix_uuid5(const uint8_t ns[16], const char *type, const char *name,
		  char *out, size_t n)
{
	size_t len = strlen(name);
	uint8_t *buf = malloc(16 + len);
	char hex[DIGEST_SHA1_HEX_SIZE];
	if (!buf)
		return false;
	memcpy(buf, ns, 16);
	memcpy(buf + 16, name, len);
	bool ok = digest_sha1_hex(buf, 16 + len, hex);
	free(buf);
	if (!ok)
		return false;
	uint8_t u[16];
	for (int i = 0; i < 16; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		u[i] = (uint8_t)v;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x50);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, n,
		 "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x"
		 "%02x%02x%02x", type, u[0], u[1], u[2], u[3], u[4], u[5], u[6],
		 u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return true;
}

/* An SDO/SRO id from the case head and a key. */
bool stix_sdo_id(const char *head, const char *type, const char *key,
		 char *out, size_t n)
{
	size_t len = strlen(head) + strlen(key) + 16;
	char *name = malloc(len);
	if (!name)
		return false;
	snprintf(name, len, "attrib:%s:%s", head, key);
	bool ok = stix_uuid5(stix_ns, type, name, out, n);
	free(name);
	return ok;
}

static bool is_ip(const char *v, bool *v6)
{
	size_t n = strlen(v);
	if (n == 0 || n > 45)
		return false;
	if (strspn(v, "0123456789.") == n)
		return (*v6 = false, true);
	if (strspn(v, "0123456789abcdefABCDEF:.") == n && strchr(v, ':'))
		return (*v6 = true, true);
	return false;
}

const char *stix_fingerprint_property(const char *kind)
{
	static const char *const map[][2] = {
		{"tls.ja3", "ja3"}, {"tls.ja3s", "ja3s"},
		{"tls.ja4", "ja4"}, {"ssh.hassh", "hassh"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(kind, map[i][0]))
			return map[i][1];
	return NULL;
}

/* How a kind's value is expressed in STIX. */
int stix_observable_of(const char *kind, const char *value,
			 struct stix_observable *o)
{
	bool v6;
	memset(o, 0, sizeof *o);
	if ((!strncmp(kind, "ip", 2) || !strcmp(kind, "dns.answer")) &&
	    is_ip(value, &v6)) {
		snprintf(o->type, sizeof o->type, v6 ? "ipv6-addr" : "ipv4-addr");
		snprintf(o->path, sizeof o->path, "%s:value", o->type);
		o->props = json_pack("{s:o}", "value", rj_text(value));
	} else if (!strcmp(kind, "dns.query") || !strcmp(kind, "dns.answer") ||
		   !strcmp(kind, "tls.sni") || !strcmp(kind, "http.host")) {
		snprintf(o->type, sizeof o->type, "domain-name");
		snprintf(o->path, sizeof o->path, "domain-name:value");
		o->props = json_pack("{s:o}", "value", rj_text(value));
	} else if (!strcmp(kind, "http.url")) {
		snprintf(o->type, sizeof o->type, "url");
		snprintf(o->path, sizeof o->path, "url:value");
		o->props = json_pack("{s:o}", "value", rj_text(value));
	} else if (!strcmp(kind, "tls.cert.sha1")) {
		snprintf(o->type, sizeof o->type, "x509-certificate");
		snprintf(o->path, sizeof o->path,
			 "x509-certificate:hashes.'SHA-1'");
		o->props = json_pack("{s:{s:o}}", "hashes", "SHA-1",
				     rj_text(value));
	} else if (!strcmp(kind, "http.user_agent")) {
		/* the request that carried it; method and target are not
		 * kept with the value, so they stay empty */
		snprintf(o->type, sizeof o->type, "network-traffic");
		snprintf(o->path, sizeof o->path,
			 "network-traffic:extensions.'http-request-ext'."
			 "request_header.'User-Agent'");
		o->props = json_pack(
			"{s:[s], s:{s:{s:s, s:s, s:{s:o}}}}", "protocols",
			"http", "extensions", "http-request-ext",
			"request_method", "", "request_value", "",
			"request_header", "User-Agent", rj_text(value));
	} else if (stix_fingerprint_property(kind)) {
		/* a new SCO type defined by attrib's extension-definition
		 * (stix_out.c) */
		snprintf(o->type, sizeof o->type, "%s", STIX_FINGERPRINT_TYPE);
		snprintf(o->path, sizeof o->path, "%s:%s",
			 STIX_FINGERPRINT_TYPE, stix_fingerprint_property(kind));
		o->props = json_pack("{s:o}", stix_fingerprint_property(kind),
				     rj_text(value));
	} else {
		/* banners, beacons...: no STIX object holds them, so a
		 * custom one does. */
		snprintf(o->type, sizeof o->type, "x-attrib-indicator");
		snprintf(o->path, sizeof o->path, "x-attrib-indicator:value");
		o->props = json_pack("{s:o, s:o}", "kind", rj_text(kind),
				     "value", rj_text(value));
	}
	return o->props ? 0 : -1;
}

/* "[path = 'value']" with ' and \ escaped; NULL when out of memory. */
char *stix_pattern_of(const struct stix_observable *o, const char *kind,
			const char *value)
{
	size_t n = strlen(value) + strlen(kind);
	char *out = malloc(2 * n + strlen(o->path) + 96), *p = out;
	if (!out)
		return NULL;
	p += sprintf(p, "[%s = '", o->path);
	for (const char *v = value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '\'';
	if (!strcmp(o->type, "x-attrib-indicator")) {
		p += sprintf(p, " AND x-attrib-indicator:kind = '");
		for (const char *v = kind; *v; v++) {
			if (*v == '\'' || *v == '\\')
				*p++ = '\\';
			*p++ = *v;
		}
		*p++ = '\'';
	}
	*p++ = ']';
	*p = '\0';
	return out;
}

