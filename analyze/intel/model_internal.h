/*
 * model_internal.h — what model.c shares with prefixes.c only.
 */
#ifndef ATTRIB_MODEL_INTERNAL_H
#define ATTRIB_MODEL_INTERNAL_H

#include <stddef.h>

/* Grows an array of elements of size sz to hold one more; 0 or -1. */
int model_grow(void **arr, size_t *cap, size_t n, size_t sz);

#endif
