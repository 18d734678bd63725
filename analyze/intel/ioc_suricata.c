/*
 * ioc_suricata.c — Suricata dataset files as intel (ioc_read_suricata in
 * ioc_internal.h): one value a line (datarep files: "value,reputation"),
 * addresses and MD5/SHA-1/SHA-256 hex as written, anything else decoded
 * from base64 (Suricata's string sets) when it decodes to text.
 */
#include "analyze/intel/ioc_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { LINE_ENTRY_LEN = 32 };

/* Decodes base64 text (padding optional) into out (NUL-terminated);
 * false when it is not base64 or does not decode to printable UTF-8
 * text. */
static bool base64_text(const char *in, char *out, size_t n)
{
	size_t o = 0, len = strlen(in);
	uint32_t acc = 0;
	int bits = 0;
	if (len == 0 || len % 4 == 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int v = c >= 'A' && c <= 'Z'   ? c - 'A'
			: c >= 'a' && c <= 'z' ? c - 'a' + 26
			: c >= '0' && c <= '9' ? c - '0' + 52
			: c == '+'             ? 62
			: c == '/'             ? 63
			: c == '=' && i + 2 >= len ? -2
						   : -1;
		if (v == -1)
			return false;
		if (v == -2)
			break;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			unsigned char b = (unsigned char)(acc >> bits);
			if (o + 1 >= n || (b < 0x20 && b != '\t'))
				return false;
			out[o++] = (char)b;
		}
	}
	out[o] = '\0';
	return o > 0;
}

int ioc_read_suricata(struct ioc_set *s, const char *path, char *buf,
			 size_t len)
{
	size_t pos = 0, lineno = 0;
	char *line, entry[LINE_ENTRY_LEN], text[4096];
	while ((line = ioc_next_line(buf, len, &pos))) {
		lineno++;
		if (!*line || *line == '#')
			continue;
		char *comma = strchr(line, ','); /* datarep: value,reputation */
		if (comma)
			*comma = '\0';
		snprintf(entry, sizeof entry, "line %zu", lineno);
		/* string datasets hold base64; md5, sha256 and ip sets hex or
		 * addresses, which detection reads as they are */
		int t = ioc_detect(line);
		bool raw = t == IOC_ADDR || t == IOC_CIDR || t == IOC_MD5 ||
			   t == IOC_SHA1 || t == IOC_SHA256;
		const char *v = !raw && base64_text(line, text, sizeof text)
					? text
					: line;
		if (ioc_add_detected(s, v, path, entry, v == text ? "dataset string"
							      : "dataset") < 0)
			return -1;
	}
	return 0;
}

