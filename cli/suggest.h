/*
 * suggest.h — "did you mean": the closest of a list of names to what was
 * typed (suggest.c).
 */
#ifndef ATTRIB_CLI_SUGGEST_H
#define ATTRIB_CLI_SUGGEST_H

#include <stddef.h>

/*
 * The name among names[0..n) nearest to typed by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours, case
 * ignored), when it is near enough to be a likely slip: at most 1 edit
 * for names up to 4 characters, 2 up to 8, 3 beyond; or a name typed
 * starts with (a prefix of at least 3 characters that only one name has).
 * NULL when nothing is that near or two names are equally near.
 */
const char *cli_suggest(const char *typed, const char *const *names,
			size_t n);

/* Edit distance (as above) between a and b, capped at 99. */
unsigned cli_edit_distance(const char *a, const char *b);

#endif
