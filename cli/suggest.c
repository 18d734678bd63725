/*
 * suggest.c — "did you mean" (suggest.h): optimal string alignment
 * distance (Damerau–Levenshtein without repeated edits of a substring)
 * over short names, case-insensitive.
 */
#include "cli/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum { NAME_MAX_LEN = 64, FAR = 99 };

unsigned cli_edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > NAME_MAX_LEN || m > NAME_MAX_LEN)
		return FAR;
	unsigned d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m] > FAR ? FAR : d[n][m];
}

const char *cli_suggest(const char *typed, const char *const *names, size_t n)
{
	const char *best = NULL, *prefix = NULL;
	unsigned best_d = FAR;
	bool tie = false;
	size_t tlen = strlen(typed), prefixes = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = cli_edit_distance(typed, names[i]);
		if (d < best_d) {
			best = names[i];
			best_d = d;
			tie = false;
		} else if (d == best_d) {
			tie = true;
		}
		if (tlen >= 3 && !strncasecmp(names[i], typed, tlen)) {
			prefix = names[i];
			prefixes++;
		}
	}
	size_t len = best ? strlen(best) : 0;
	unsigned near = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	if (best && !tie && best_d > 0 && best_d <= near)
		return best;
	return prefixes == 1 ? prefix : NULL;
}
