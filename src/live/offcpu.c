// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which goroutine each thread of the target runs, for the off-CPU intervals
 * of sched_switch. A goroutine switches to running on the thread that will
 * run it (execute, exitsyscall: casgstatus runs there, and the record says
 * its tid) and leaves running on that same thread (gopark's park_m, gosched,
 * goexit, entersyscall, a preemption's handler all run on it), so a thread
 * off its CPU between the two was off while running that goroutine: the
 * interval sits inside the running span, and it reaches the sink after the
 * `-> running` record and before the one that ends the span (the decoder's
 * reorder window orders them by time).
 */
#include "offcpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "xgotop_event.h"

struct tslot {
	uint64_t key; /* pid << 32 | tid; 0: free */
	uint64_t goid;
	uint64_t since; /* ts of its -> running */
};

struct sched_threads {
	struct tslot *v;
	uint32_t cap; /* a power of two */
	uint32_t n;
	uint64_t charged, dropped;
	/* The goroutine whose running span ended last: its exit (next) needs no search. */
	uint64_t left_pid, left_goid;
};

struct sched_threads *sched_threads__new(void)
{
	struct sched_threads *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cap = 64;
	st->v = calloc(st->cap, sizeof(*st->v));
	if (!st->v) {
		free(st);
		return NULL;
	}
	return st;
}

void sched_threads__free(struct sched_threads *st)
{
	if (!st)
		return;
	free(st->v);
	free(st);
}

static uint32_t slot_of(const struct sched_threads *st, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & (st->cap - 1);
}

/* KEY's slot, or the free slot where it would go. */
static struct tslot *find(const struct sched_threads *st, uint64_t key)
{
	uint32_t i = slot_of(st, key);

	while (st->v[i].key && st->v[i].key != key)
		i = (i + 1) & (st->cap - 1);
	return &st->v[i];
}

static int grow(struct sched_threads *st)
{
	struct sched_threads bigger = {.cap = st->cap * 2};
	uint32_t i;

	bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
	if (!bigger.v)
		return -ENOMEM;
	for (i = 0; i < st->cap; i++)
		if (st->v[i].key)
			*find(&bigger, st->v[i].key) = st->v[i];
	free(st->v);
	st->v = bigger.v;
	st->cap = bigger.cap;
	return 0;
}

/* Empty slot S, moving back the entries of its probe run that belong before it. */
static void erase(struct sched_threads *st, struct tslot *s)
{
	uint32_t hole = (uint32_t)(s - st->v), i = hole;

	st->v[hole].key = 0;
	st->n--;
	for (;;) {
		uint32_t home;

		i = (i + 1) & (st->cap - 1);
		if (!st->v[i].key)
			return;
		home = slot_of(st, st->v[i].key);
		/* Movable when its home is not in the cyclic range (hole, i]. */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			st->v[hole] = st->v[i];
			st->v[i].key = 0;
			hole = i;
		}
	}
}

static int set_running(struct sched_threads *st, uint64_t key, uint64_t goid, uint64_t ts)
{
	struct tslot *s;

	if (st->n + 1 > st->cap / 2 && grow(st))
		return -ENOMEM;
	s = find(st, key);
	if (!s->key)
		st->n++;
	s->key = key;
	s->goid = goid;
	s->since = ts;
	return 0;
}

/* GOID of PID left running: its thread, usually the event's, runs no goroutine now. */
static void clear_running(struct sched_threads *st, uint32_t pid, uint64_t key, uint64_t goid)
{
	struct tslot *s = find(st, key);
	uint32_t i;

	st->left_pid = pid;
	st->left_goid = goid;
	if (s->key && s->goid == goid) {
		erase(st, s);
		return;
	}
	/* Left elsewhere (an inferred change, a record lost): look for it. */
	for (i = 0; i < st->cap; i++)
		if (st->v[i].key && st->v[i].goid == goid &&
		    (uint32_t)(st->v[i].key >> 32) == pid) {
			erase(st, &st->v[i]);
			return;
		}
}

int sched_threads__observe(struct sched_threads *st, const struct gev *ev)
{
	/* Below states (lifecycle, poll) no record says who runs: forget, charge none. */
	if (ev->kind == GEV_CAPTURE) {
		if (ev->capture.level != CAPTURE_STATES && ev->capture.level != CAPTURE_ALL &&
		    st->n) {
			memset(st->v, 0, st->cap * sizeof(*st->v));
			st->n = 0;
		}
		return 0;
	}
	uint64_t key = (uint64_t)ev->pid << 32 | ev->tid;
	bool to_running = ev->kind == GEV_STATE && ev->to == XG_G_RUNNING;
	bool from_running = (ev->kind == GEV_STATE && ev->from == XG_G_RUNNING && !to_running) ||
			    ev->kind == GEV_EXIT;

	/*
	 * A goroutine leaves running with its transition to dead, then exits:
	 * the exit found nothing and searched every thread (5% of the tracer's CPU
	 * on go1.26 churn).
	 */
	if (ev->kind == GEV_EXIT && ev->goid == st->left_goid && ev->pid == st->left_pid)
		return 0;
	if (to_running && ev->goid == st->left_goid && ev->pid == st->left_pid)
		st->left_goid = 0;
	if (to_running && ev->tid)
		return set_running(st, key, ev->goid, ev->ts);
	if (to_running || from_running)
		clear_running(st, ev->pid, key, ev->goid);
	return 0;
}

bool sched_threads__charge(struct sched_threads *st, struct gev *ev)
{
	uint64_t key = (uint64_t)ev->pid << 32 | ev->tid;
	const struct tslot *s = find(st, key);

	if (!s->key || ev->ts < s->since) {
		st->dropped++;
		return false;
	}
	ev->goid = s->goid;
	/* Clocks of different CPUs: never more than the span so far. */
	if (ev->cpu.a > ev->ts - s->since)
		ev->cpu.a = ev->ts - s->since;
	st->charged++;
	return true;
}

void sched_threads__stats(const struct sched_threads *st, struct sched_stats *out)
{
	out->charged = st->charged;
	out->dropped = st->dropped;
	out->threads = st->n;
}
