/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the exposition (--listen, docs/METRICS.md) needs that the state
 * table does not keep: counters that never go down when the table expires
 * exited goroutines, and histograms of lifetimes, finished waits by wait
 * reason and GC pauses, per process. Fed each event before the table
 * applies it (it reads the goroutine's entry as it was). Pure, one owner:
 * the thread that applies events.
 */
#ifndef XGOTOP_PROMSTATS_H
#define XGOTOP_PROMSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gevent.h"

struct gtable;

#define PROMSTATS_MAX_BUCKETS 16
#define PROMSTATS_REASONS     64   /* wait reason indexes kept apart; others are one row */
#define PROMSTATS_MAX_PROCS   1024 /* as the sink's load biases */

/* Upper bounds (ns, ascending) of a histogram's buckets; +Inf is implied. */
struct promstats_bounds {
	size_t n;
	uint64_t le_ns[PROMSTATS_MAX_BUCKETS];
};
extern const struct promstats_bounds promstats_lifetime_bounds, promstats_wait_bounds,
	promstats_pause_bounds;

struct promstats_hist {
	uint64_t count[PROMSTATS_MAX_BUCKETS + 1]; /* per bucket, not cumulative; last: +Inf */
	uint64_t n;
	uint64_t sum_ns;
};

struct promstats_wait {
	int reason;		/* runtime.waitReason index; PROMSTATS_REASONS: any other */
	const char *reason_str; /* as the event named it; NULL: unknown (written "#N") */
	struct promstats_hist h;
};

struct promstats_proc {
	uint32_t pid;
	uint64_t created; /* creations seen (not the goroutines found at attach) */
	uint64_t exited;
	uint64_t gc_cycles;		/* completed */
	struct promstats_hist lifetime; /* exits whose creation was seen */
	struct promstats_hist gc_pause; /* stop-the-world pauses inside GC cycles and out */
	struct promstats_wait waits[PROMSTATS_REASONS + 1]; /* those with h.n > 0 are real */
	/* GEV_CPU: running goroutines' time off the CPU, preempted and blocked, ns. */
	uint64_t offcpu_ns[2];
	bool has_offcpu;
};

struct promstats;

struct promstats *promstats__new(void);
void promstats__free(struct promstats *ps);
/* EV, about to be applied to GT (the entry it touches is read as it is). */
void promstats__observe(struct promstats *ps, const struct gtable *gt, const struct gev *ev);
/* The processes seen, in order of first sight (PS may be NULL: none). */
size_t promstats__n_procs(const struct promstats *ps);
const struct promstats_proc *promstats__proc(const struct promstats *ps, size_t i);
/* Processes beyond PROMSTATS_MAX_PROCS: their events are not counted here. */
uint64_t promstats__overflow(const struct promstats *ps);

#endif /* XGOTOP_PROMSTATS_H */
