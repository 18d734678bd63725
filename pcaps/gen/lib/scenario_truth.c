/*
 * scenario_truth.c — the ground-truth statements of a scenario file
 * (scenario_truth.h).
 */
#include "pcaps/gen/lib/scenario_truth.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

const char *const scenario_link_names[SCENARIO_LINK_COUNT] = {
	"L1", "L2", "L3", "L3i", "L4",
};

/* A hypothesis id as models write them: [A-Za-z0-9._-]{1,64}. */
static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCENARIO_ID_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* Copies an id into out (SCENARIO_ID_MAX bytes), failing on a bad one. */
static void take_id(struct line_ctx *c, const char *what, const char *text,
		    char *out)
{
	if (!text)
		return;
	if (!valid_id(text)) {
		line_fail(c, "%s %s: an id is 1-64 of A-Z a-z 0-9 . _ -", what,
			  text);
		return;
	}
	snprintf(out, SCENARIO_ID_MAX, "%s", text);
}

/* A model path: relative to the repository, no "..", plain characters. */
static bool valid_model_path(const char *s)
{
	if (!*s || *s == '/' || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._/-", *s))
			return false;
	return true;
}

static const struct hypothesis_truth *find_hypothesis(const struct scenario *sc,
						      const char *id)
{
	for (size_t i = 0; i < sc->hypothesis_count; i++)
		if (strcmp(sc->hypotheses[i].id, id) == 0)
			return &sc->hypotheses[i];
	return NULL;
}

/* `links ID L1=1 L2=0 ...`: all five links, each 0 or 1. */
static void parse_links(struct line_ctx *c, char *rest, struct scenario *sc)
{
	struct hypothesis_truth *h;
	size_t n = strcspn(rest, " \t");
	char id[SCENARIO_ID_MAX] = "", word[SCENARIO_ID_MAX + 1];

	if (n == 0 || n >= sizeof(word)) {
		line_fail(c, "links: give a hypothesis id, then L1= ... L4=");
		return;
	}
	memcpy(word, rest, n);
	word[n] = '\0';
	take_id(c, "links", word, id);
	if (c->failed)
		return;
	if (find_hypothesis(sc, id)) {
		line_fail(c, "links %s: given twice", id);
		return;
	}
	if (sc->hypothesis_count == SCENARIO_MAX_HYPOTHESES) {
		line_fail(c, "more than %d hypotheses", SCENARIO_MAX_HYPOTHESES);
		return;
	}
	h = &sc->hypotheses[sc->hypothesis_count++];
	memset(h, 0, sizeof(*h));
	snprintf(h->id, sizeof(h->id), "%s", id);
	if (line_split_pairs(c, rest + n) != 0)
		return;
	for (int l = 0; l < SCENARIO_LINK_COUNT; l++) {
		const char *v = line_require(c, scenario_link_names[l]);
		if (v && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			line_fail(c, "%s=%s: use 0 or 1", scenario_link_names[l], v);
		h->holds[l] = v && strcmp(v, "1") == 0;
	}
	for (int i = 0; i < c->pair_count; i++)
		if (!c->pairs[i].used)
			line_fail(c, "unknown key %s= for links (L1, L2, L3, L3i, "
				     "L4)", c->pairs[i].key);
}

int scenario_truth_statement(struct line_ctx *c, const char *keyword,
			     char *rest, struct scenario *sc)
{
	rest += strspn(rest, " \t");
	if (strcmp(keyword, "actor") == 0) {
		if (sc->actor[0])
			line_fail(c, "actor given twice");
		else if (strcmp(rest, "none") == 0)
			snprintf(sc->actor, sizeof(sc->actor), "none");
		else
			take_id(c, "actor", rest, sc->actor);
	} else if (strcmp(keyword, "links") == 0) {
		parse_links(c, rest, sc);
	} else if (strcmp(keyword, "model") == 0) {
		if (!valid_model_path(rest) || strlen(rest) >= SCENARIO_TEXT_MAX)
			line_fail(c, "model %s: a relative path of A-Z a-z 0-9 . _ "
				     "/ - without ..", rest);
		else if (sc->model_count == SCENARIO_MAX_MODELS)
			line_fail(c, "more than %d models", SCENARIO_MAX_MODELS);
		else
			snprintf(sc->models[sc->model_count++], SCENARIO_TEXT_MAX,
				 "%s", rest);
	} else
		return 0;
	return 1;
}

void scenario_truth_directive(struct line_ctx *c, struct directive *d)
{
	take_id(c, "actor=", line_take(c, "actor"), d->actor);
	take_id(c, "planted=", line_take(c, "planted"), d->planted);
}

/* Fails unless id has a links statement. */
static int need_links(const struct scenario *sc, const char *id,
		      const char *path, const char *what, char *err,
		      size_t errlen)
{
	if (!id[0] || strcmp(id, "none") == 0 || find_hypothesis(sc, id))
		return 0;
	snprintf(err, errlen, "%s: %s%s has no links statement", path, what,
		 id);
	return -1;
}

int scenario_truth_check(const struct scenario *sc, const char *path,
			 char *err, size_t errlen)
{
	bool any = sc->actor[0] || sc->hypothesis_count || sc->model_count;

	for (size_t i = 0; i < sc->directive_count; i++)
		any = any || sc->directives[i].actor[0] ||
		      sc->directives[i].planted[0];
	if (!any)
		return 0;
	if (!sc->actor[0]) {
		snprintf(err, errlen, "%s: truth statements need an actor "
				      "statement (actor ID or actor none)", path);
		return -1;
	}
	if (need_links(sc, sc->actor, path, "actor ", err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < sc->directive_count; i++) {
		const struct directive *d = &sc->directives[i];
		if (need_links(sc, d->actor, path, "actor=", err, errlen) != 0 ||
		    need_links(sc, d->planted, path, "planted=", err, errlen) != 0)
			return -1;
	}
	return 0;
}
