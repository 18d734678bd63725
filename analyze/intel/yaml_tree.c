/*
 * yaml_tree.c — libyaml events to a small tree with positions (see
 * yaml_tree.h). The only file that includes yaml.h.
 */
#include "analyze/intel/yaml_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct builder {
	const char *path;
	char *err;
	size_t errlen;
	size_t nodes;
	struct ynode *stack[YTREE_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
};

static void fail_at(struct builder *b, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct builder *b, yaml_mark_t m, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(b->err, b->errlen, "%s:%zu:%zu: %s", b->path, m.line + 1,
		 m.column + 1, msg);
}

void ytree_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ytree_free(n->items[i]);
	free(n->items);
	free(n->text);
	free(n);
}

static struct ynode *node_new(struct builder *b, enum ynode_type t,
			      yaml_mark_t m)
{
	if (++b->nodes > YTREE_MAX_NODES) {
		fail_at(b, m, "more than %d nodes", YTREE_MAX_NODES);
		return NULL;
	}
	struct ynode *n = calloc(1, sizeof *n);
	if (!n) {
		fail_at(b, m, "out of memory");
		return NULL;
	}
	n->type = t;
	n->line = (unsigned)m.line + 1;
	n->col = (unsigned)m.column + 1;
	return n;
}

static bool same_key(const struct ynode *a, const struct ynode *c)
{
	return a->type == YNODE_SCALAR && c->type == YNODE_SCALAR &&
	       !strcmp(a->text, c->text);
}

/* Attaches n to the open collection (or makes it the root). Takes n. */
static int attach(struct builder *b, struct ynode *n, yaml_mark_t m)
{
	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	struct ynode *parent = b->stack[b->depth - 1];
	if (parent->type == YNODE_MAPPING && parent->n % 2 == 0) {
		if (n->type != YNODE_SCALAR) {
			fail_at(b, m, "a mapping key must be a plain value");
			ytree_free(n);
			return -1;
		}
		for (size_t i = 0; i < parent->n; i += 2)
			if (same_key(parent->items[i], n)) {
				fail_at(b, m, "key \"%s\" appears twice in this "
					"mapping", n->text);
				ytree_free(n);
				return -1;
			}
	}
	if (parent->n == parent->cap) {
		size_t ncap = parent->cap ? parent->cap * 2 : 8;
		struct ynode **p = realloc(parent->items, ncap * sizeof *p);
		if (!p) {
			fail_at(b, m, "out of memory");
			ytree_free(n);
			return -1;
		}
		parent->items = p;
		parent->cap = ncap;
	}
	parent->items[parent->n++] = n;
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	if (ev->data.scalar.anchor) {
		fail_at(b, ev->start_mark, "anchors (&%s) are not allowed in "
			"models", (const char *)ev->data.scalar.anchor);
		return -1;
	}
	if (ev->data.scalar.tag && !ev->data.scalar.plain_implicit &&
	    !ev->data.scalar.quoted_implicit) {
		fail_at(b, ev->start_mark, "tags (%s) are not allowed in models",
			(const char *)ev->data.scalar.tag);
		return -1;
	}
	struct ynode *n = node_new(b, YNODE_SCALAR, ev->start_mark);
	if (!n)
		return -1;
	n->text = malloc(ev->data.scalar.length + 1);
	if (!n->text) {
		fail_at(b, ev->start_mark, "out of memory");
		ytree_free(n);
		return -1;
	}
	memcpy(n->text, ev->data.scalar.value, ev->data.scalar.length);
	n->text[ev->data.scalar.length] = '\0';
	if (strlen(n->text) != ev->data.scalar.length) {
		fail_at(b, ev->start_mark, "a NUL character in a value");
		ytree_free(n);
		return -1;
	}
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n, ev->start_mark);
}

static int on_open(struct builder *b, const yaml_event_t *ev,
		   enum ynode_type t)
{
	const yaml_char_t *anchor = t == YNODE_MAPPING
					    ? ev->data.mapping_start.anchor
					    : ev->data.sequence_start.anchor;
	const yaml_char_t *tag = t == YNODE_MAPPING
					 ? ev->data.mapping_start.tag
					 : ev->data.sequence_start.tag;
	int implicit = t == YNODE_MAPPING ? ev->data.mapping_start.implicit
					  : ev->data.sequence_start.implicit;
	if (anchor) {
		fail_at(b, ev->start_mark, "anchors (&%s) are not allowed in "
			"models", (const char *)anchor);
		return -1;
	}
	if (tag && !implicit) {
		fail_at(b, ev->start_mark, "tags (%s) are not allowed in models",
			(const char *)tag);
		return -1;
	}
	if (b->depth >= YTREE_MAX_DEPTH) {
		fail_at(b, ev->start_mark, "nested more than %d levels deep",
			YTREE_MAX_DEPTH);
		return -1;
	}
	struct ynode *n = node_new(b, t, ev->start_mark);
	if (!n)
		return -1;
	if (attach(b, n, ev->start_mark) != 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

struct ynode *ytree_parse(const char *path, const char *text, size_t len,
			  char *err, size_t errlen)
{
	struct builder b = {.path = path, .err = err, .errlen = errlen};
	yaml_parser_t parser;
	yaml_event_t ev;
	int documents = 0, rc = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", path);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;
			char msg[200];
			snprintf(msg, sizeof msg, "%s%s%s",
				 parser.problem ? parser.problem
						: "not valid YAML",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
			fail_at(&b, m, "%s", msg);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1) {
				fail_at(&b, ev.start_mark, "more than one "
					"document in a model file");
				rc = -1;
			}
			break;
		case YAML_ALIAS_EVENT:
			fail_at(&b, ev.start_mark, "aliases (*%s) are not "
				"allowed in models",
				(const char *)ev.data.alias.anchor);
			rc = -1;
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_open(&b, &ev, YNODE_SEQUENCE);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_open(&b, &ev, YNODE_MAPPING);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (b.depth > 0)
				b.depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && !b.root) {
		snprintf(err, errlen, "%s:1:1: the file holds no model", path);
		rc = -1;
	}
	if (rc != 0) {
		ytree_free(b.root);
		return NULL;
	}
	return b.root;
}

const struct ynode *ytree_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != YNODE_MAPPING)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->items[i]->text, key))
			return map->items[i + 1];
	return NULL;
}

const char *ytree_type_name(enum ynode_type t)
{
	switch (t) {
	case YNODE_SCALAR: return "a single value";
	case YNODE_SEQUENCE: return "a list";
	default: return "a mapping";
	}
}
