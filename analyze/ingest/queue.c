/*
 * queue.c — bounded blocking FIFO of pointers (see queue.h): a ring of
 * capacity slots behind one mutex, with one condition variable for "not
 * full" and one for "not empty", each signalled only when its thread is
 * known to wait and the wait can end (empty → not empty; full → half).
 */
#include "analyze/ingest/queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct queue {
	pthread_mutex_t lock; /* protects every field below */
	pthread_cond_t not_full, not_empty;
	void **ring;
	size_t capacity, head, count;
	size_t low_water;   /* a waiting producer is woken at this count */
	bool push_waiting;  /* the producer waits for room */
	bool pop_waiting;   /* the consumer waits for an item */
	bool closed;
};

struct queue *queue_create(size_t capacity)
{
	if (capacity == 0)
		capacity = 1;
	struct queue *q = calloc(1, sizeof *q);
	if (!q)
		goto fail;
	q->ring = calloc(capacity, sizeof *q->ring);
	if (!q->ring)
		goto free_queue;
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		goto free_ring;
	if (pthread_cond_init(&q->not_full, NULL) != 0)
		goto free_lock;
	if (pthread_cond_init(&q->not_empty, NULL) != 0)
		goto free_not_full;
	q->capacity = capacity;
	q->low_water = capacity / 2;
	return q;

free_not_full:
	pthread_cond_destroy(&q->not_full);
free_lock:
	pthread_mutex_destroy(&q->lock);
free_ring:
	free(q->ring);
free_queue:
	free(q);
fail:
	return NULL;
}

/* Appends item; the caller holds the lock and has checked for room. */
static void put(struct queue *q, void *item)
{
	q->ring[(q->head + q->count) % q->capacity] = item;
	q->count++;
	if (q->pop_waiting) {
		q->pop_waiting = false;
		pthread_cond_signal(&q->not_empty);
	}
}

/* Removes the oldest item; the caller holds the lock, count > 0. */
static void *take(struct queue *q)
{
	void *item = q->ring[q->head];
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	if (q->push_waiting && q->count <= q->low_water) {
		q->push_waiting = false;
		pthread_cond_signal(&q->not_full);
	}
	return item;
}

int queue_push(struct queue *q, void *item)
{
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->count == q->capacity) {
		q->push_waiting = true;
		pthread_cond_wait(&q->not_full, &q->lock);
	}
	if (q->closed) {
		rc = -1;
		goto unlock;
	}
	put(q, item);
unlock:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void *queue_pop(struct queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->count == 0) {
		q->pop_waiting = true;
		pthread_cond_wait(&q->not_empty, &q->lock);
	}
	if (q->count > 0)
		item = take(q);
	pthread_mutex_unlock(&q->lock);
	return item;
}

int queue_try_push(struct queue *q, void *item)
{
	int rc = -1;
	pthread_mutex_lock(&q->lock);
	if (!q->closed && q->count < q->capacity) {
		put(q, item);
		rc = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void *queue_try_pop(struct queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->count > 0)
		item = take(q);
	pthread_mutex_unlock(&q->lock);
	return item;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	q->push_waiting = q->pop_waiting = false;
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

void queue_destroy(struct queue *q)
{
	if (!q)
		return;
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q);
}
