/*
 * idmap.c — 64-bit to 64-bit hash map (see idmap.h).
 */
#include "analyze/ingest/idmap.h"

#include <stdlib.h>

enum { IDMAP_INITIAL = 1024 };

static size_t slot_of(const struct idmap *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (m->cap - 1);
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : IDMAP_INITIAL;
	struct idmap n = {calloc(cap, sizeof(uint64_t)),
			  calloc(cap, sizeof(uint64_t)), cap, 0};
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			idmap_put(&n, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int idmap_put(struct idmap *m, uint64_t key, uint64_t val)
{
	if (2 * (m->used + 1) > m->cap && grow(m) != 0)
		return -1;
	size_t i = slot_of(m, key);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i])
		m->used++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

uint64_t idmap_get(const struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return 0;
	size_t i = slot_of(m, key);
	while (m->keys[i]) {
		if (m->keys[i] == key)
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return 0;
}

void idmap_del(struct idmap *m, uint64_t key)
{
	if (!m->cap)
		return;
	size_t mask = m->cap - 1, i = slot_of(m, key);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	if (!m->keys[i])
		return;
	/* backward shift: move up every later entry the hole would hide */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->keys[j]);
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->keys[hole] = m->keys[j];
			m->vals[hole] = m->vals[j];
			hole = j;
		}
	}
	m->keys[hole] = 0;
	m->vals[hole] = 0;
	m->used--;
}

void idmap_clear(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = m->vals = NULL;
	m->cap = m->used = 0;
}
