// SPDX-License-Identifier: BSD-2-Clause
/*
 * An output file written on a thread of its own (outq.h). One producer
 * (the sink's thread), one consumer; a mutex and two condition variables:
 * a hand-over is a block of up to 256 KiB (the JSONL writer's buffer), a
 * few a second, so the lock is not worth avoiding.
 */
#define _GNU_SOURCE
#include "outq.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "outfile.h"

struct block {
	struct block *next;
	size_t n;
	char data[];
};

struct outq {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct block *head, *tail;
	size_t queued, max;
	int fd, err;
	bool closing;
	struct outq_stats st;
};

/* The next block to write, NULL once closing with nothing left. Under the lock. */
static struct block *next_block(struct outq *q)
{
	struct block *b;

	while (!q->head && !q->closing)
		pthread_cond_wait(&q->more, &q->mu);
	b = q->head;
	if (b) {
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
	}
	return b;
}

static void *writer_main(void *arg)
{
	struct outq *q = arg;
	struct block *b;
	sigset_t all;
	int err;

	/* Signals are the main thread's: its waits wake for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&q->mu);
	while ((b = next_block(q))) {
		pthread_mutex_unlock(&q->mu);
		err = q->err ? 0 : outfile__write_all(q->fd, b->data, b->n);
		pthread_mutex_lock(&q->mu);
		if (err && !q->err)
			q->err = err;
		q->queued -= b->n;
		free(b);
		pthread_cond_signal(&q->room);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct outq *outq__new(int fd, size_t max, int *err)
{
	struct outq *q = calloc(1, sizeof(*q));

	if (!q) {
		*err = -ENOMEM;
		return NULL;
	}
	q->fd = fd;
	q->max = max;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	*err = -pthread_create(&q->thr, NULL, writer_main, q);
	if (*err) {
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return NULL;
	}
	return q;
}

/* Room for N more bytes (one block bigger than MAX alone is let in). Under the lock. */
static void wait_room(struct outq *q, size_t n)
{
	uint64_t t0;

	if (!q->queued || q->queued + n <= q->max || q->err)
		return;
	t0 = xg_mono_ns();
	q->st.full_waits++;
	while (q->queued && q->queued + n > q->max && !q->err)
		pthread_cond_wait(&q->room, &q->mu);
	q->st.full_ns += xg_mono_ns() - t0;
}

int outq__put(struct outq *q, const void *buf, size_t n)
{
	struct block *b = NULL;
	int err;

	if (n) {
		b = malloc(sizeof(*b) + n);
		if (!b)
			return -ENOMEM;
		b->next = NULL;
		b->n = n;
		memcpy(b->data, buf, n);
	}
	pthread_mutex_lock(&q->mu);
	if (b)
		wait_room(q, n);
	err = q->err;
	if (b && !err) {
		if (q->tail)
			q->tail->next = b;
		else
			q->head = b;
		q->tail = b;
		q->queued += n;
		if (q->queued > q->st.max_queued)
			q->st.max_queued = q->queued;
		pthread_cond_signal(&q->more);
		b = NULL;
	}
	pthread_mutex_unlock(&q->mu);
	free(b);
	return err;
}

int outq__close(struct outq *q, struct outq_stats *st)
{
	int err;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	q->closing = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thr, NULL);
	err = q->err;
	if (st)
		*st = q->st;
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return err;
}
