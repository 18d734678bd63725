/*
 * yaml_tree.h — a YAML document as a small tree of scalars, sequences and
 * mappings, each node with the line and column it starts at. Built from
 * libyaml's events (yaml_tree.c is the only libyaml user), so the model
 * reader can check a schema and name file:line:col in every error.
 *
 * Deliberately strict: one document per file; no anchors, aliases or
 * explicit tags; no duplicate keys in a mapping; mapping keys are
 * scalars; nesting at most YTREE_MAX_DEPTH deep and at most
 * YTREE_MAX_NODES nodes.
 */
#ifndef ATTRIB_YAML_TREE_H
#define ATTRIB_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#define YTREE_MAX_DEPTH 32
#define YTREE_MAX_NODES 1000000

enum ynode_type { YNODE_SCALAR, YNODE_SEQUENCE, YNODE_MAPPING };

struct ynode {
	enum ynode_type type;
	unsigned line, col;     /* 1-based */
	char *text;             /* scalar: its value (NUL-terminated) */
	bool plain;             /* scalar written without quotes */
	struct ynode **items;   /* sequence items; mapping: key, value, ... */
	size_t n;               /* items (mapping: 2 × pairs) */
	size_t cap;
};

/*
 * Parses len bytes of text as one YAML document. Returns the root (the
 * caller frees it with ytree_free()), or NULL with "path:line:col:
 * reason" in err. An empty document gives an error too.
 */
struct ynode *ytree_parse(const char *path, const char *text, size_t len,
			  char *err, size_t errlen);

void ytree_free(struct ynode *n);

/* The value of key in a mapping, or NULL. */
const struct ynode *ytree_get(const struct ynode *map, const char *key);

/* "a scalar", "a list", "a mapping". */
const char *ytree_type_name(enum ynode_type t);

#endif
