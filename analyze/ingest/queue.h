/*
 * queue.h — a bounded blocking FIFO of pointers from one thread to one
 * other.
 *
 * The ingest threads hand work over only through these queues (STYLE.md
 * 12). Ownership: an item pushed belongs to the queue until it is popped,
 * then to the popping thread; the pushing thread must not touch it after
 * queue_push() returns 0. Each queue's user says, where it creates the
 * queue, what its items are and who frees them.
 *
 * The capacity is fixed at creation: a producer that finds the queue full
 * waits, which is how a slow consumer slows the reader down and keeps
 * memory bounded. queue_close() wakes every waiter: pushes fail from then
 * on, pops drain what is left and then return NULL.
 *
 * Wake-ups are what a hand-off costs (a futex call and a context switch
 * each), so a queue makes few: a waiting consumer is woken when the
 * queue stops being empty, a waiting producer only once the consumer has
 * taken it down to half its capacity, so that the producer then has room
 * for a run of items. The blocking calls are for one producer thread and
 * one consumer thread; queue_try_push() and queue_try_pop() never wait
 * and any thread may call them (a free list).
 */
#ifndef ATTRIB_INGEST_QUEUE_H
#define ATTRIB_INGEST_QUEUE_H

#include <stddef.h>

struct queue;

/* A queue holding at most capacity (≥ 1) items; the caller owns it
 * (queue_destroy()). NULL when out of memory. */
struct queue *queue_create(size_t capacity);

/* Appends item (non-NULL), waiting while the queue is full. 0, or -1 when
 * the queue is closed (the item stays the caller's). */
int queue_push(struct queue *q, void *item);

/* Removes the oldest item, waiting while the queue is empty. NULL when the
 * queue is closed and empty. */
void *queue_pop(struct queue *q);

/* Appends item (non-NULL) when there is room and the queue is open: 0,
 * else -1 at once (the item stays the caller's). */
int queue_try_push(struct queue *q, void *item);

/* Removes the oldest item, or NULL at once when the queue is empty. */
void *queue_try_pop(struct queue *q);

/* Refuses further pushes and wakes every waiting thread. */
void queue_close(struct queue *q);

/* Frees the queue. Items still in it are not freed: the caller drains it
 * first (queue_pop() until NULL after queue_close()). NULL is a no-op. */
void queue_destroy(struct queue *q);

#endif
