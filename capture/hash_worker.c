/*
 * hash_worker.c — a thread that adds buffers to a SHA-256 handle
 * (see hash_worker.h). One buffer is in hand at a time: add waits for the
 * previous one, so there is no queue to bound.
 */
#include "hash_worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct hash_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;  /* a buffer was handed over, or taken */
	gcry_md_hd_t md;
	const void *buf;         /* the buffer in hand, NULL when none */
	size_t len;
	bool stop;
};

static void *hash_worker_run(void *arg)
{
	struct hash_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->buf && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (!w->buf)
			break; /* stop, and nothing left */
		const void *buf = w->buf;
		size_t len = w->len;
		pthread_mutex_unlock(&w->lock);
		gcry_md_write(w->md, buf, len);
		pthread_mutex_lock(&w->lock);
		w->buf = NULL;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct hash_worker *hash_worker_start(gcry_md_hd_t md)
{
	struct hash_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->md = md;
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		goto free_worker;
	if (pthread_cond_init(&w->changed, NULL) != 0)
		goto destroy_lock;
	if (pthread_create(&w->thread, NULL, hash_worker_run, w) != 0)
		goto destroy_cond;
	return w;

destroy_cond:
	pthread_cond_destroy(&w->changed);
destroy_lock:
	pthread_mutex_destroy(&w->lock);
free_worker:
	free(w);
	return NULL;
}

void hash_worker_wait(struct hash_worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->buf)
		pthread_cond_wait(&w->changed, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void hash_worker_add(struct hash_worker *w, const void *buf, size_t len)
{
	if (len == 0)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->buf)
		pthread_cond_wait(&w->changed, &w->lock);
	w->buf = buf;
	w->len = len;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

void hash_worker_stop(struct hash_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
