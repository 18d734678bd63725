/*
 * detail_json.c — an observation's detail ("qtype=1 msg=query id=4660")
 * as a JSON object (cli_detail_json in flow_json.h).
 *
 * A detail is space-separated key=value pairs; a word without "key=" in
 * front continues the previous value (a value may hold spaces). Values
 * made only of decimal digits (at most 15) become integers, "yes" and
 * "no" stay strings. A detail that is not key=value text at all comes out
 * as {"text": DETAIL}.
 */
#include "cli/flow_json.h"

#include <stdlib.h>
#include <string.h>

enum { DETAIL_MAX_KEY = 32 };

/* Length of the "key=" at s (key [a-z0-9_.-]+), 0 when there is none. */
static size_t key_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < DETAIL_MAX_KEY &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		s[i] == '_' || s[i] == '-' || s[i] == '.'))
		i++;
	return i > 0 && i < n && s[i] == '=' ? i : 0;
}

static json_t *value_json(const char *v, size_t n)
{
	bool digits = n > 0 && n <= 15;
	for (size_t i = 0; digits && i < n; i++)
		digits = v[i] >= '0' && v[i] <= '9';
	if (digits && !(n > 1 && v[0] == '0'))
		return json_integer(strtoll(v, NULL, 10));
	return json_stringn(v, n);
}

json_t *cli_detail_json(const char *detail)
{
	json_t *o = json_object();
	if (!o || !detail || !detail[0])
		return o;
	size_t n = strlen(detail);
	char key[DETAIL_MAX_KEY + 1];
	size_t vstart = 0, vend = 0;
	bool have = false;
	for (size_t i = 0; i <= n;) {
		size_t word_end = i;
		while (word_end < n && detail[word_end] != ' ')
			word_end++;
		size_t k = key_len(detail + i, word_end - i);
		if (k || i == n) {
			if (have && json_object_set_new(
					    o, key, value_json(detail + vstart,
							       vend - vstart)))
				goto fail;
			if (i == n)
				break;
			memcpy(key, detail + i, k);
			key[k] = '\0';
			vstart = i + k + 1;
			have = true;
		} else if (!have) {
			json_decref(o);
			o = json_object();
			if (!o || json_object_set_new(o, "text",
						      json_string(detail)))
				goto fail;
			return o;
		}
		vend = word_end;
		i = word_end < n ? word_end + 1 : n;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}
