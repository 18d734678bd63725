/*
 * hash_worker.h — SHA-256 of a file's bytes computed on a second thread,
 * one buffer at a time, while the caller goes on with those same bytes.
 * Private to capture/ (source_file.c).
 *
 * The caller hands over a buffer and must leave it unchanged until the
 * worker is done with it: hash_worker_wait() says when. Buffers are
 * hashed in the order they are handed over, each before the next is
 * taken, so the digest is the one the caller would compute itself.
 */
#ifndef ATTRIB_HASH_WORKER_H
#define ATTRIB_HASH_WORKER_H

#include <stddef.h>

#include <gcrypt.h>

struct hash_worker;

/*
 * Starts the thread. md (an open SHA-256 handle) is the worker's from
 * now until hash_worker_wait() or hash_worker_stop() returns; the caller
 * may use it between a wait and the next add. NULL when the thread cannot
 * be started (the caller then hashes by itself).
 */
struct hash_worker *hash_worker_start(gcry_md_hd_t md);

/* Hands len bytes at buf to the worker and returns at once (after waiting
 * for the previous buffer). */
void hash_worker_add(struct hash_worker *w, const void *buf, size_t len);

/* Returns once every buffer handed over has been hashed. */
void hash_worker_wait(struct hash_worker *w);

/* Waits, ends the thread and frees w (NULL is a no-op). */
void hash_worker_stop(struct hash_worker *w);

#endif
