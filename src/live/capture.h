/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The capture level of a live session and why (--overhead-budget,
 * docs/OVERHEAD.md §6): chosen before any uprobe goes in from a short read
 * of the target's goroutine table and its CPU time, then checked at every
 * meter sample against what the probes really cost (hits the kernel
 * counted x the calibrated price of a hit) and the target's CPU time from
 * /proc/PID/stat. The arithmetic is src/core/budget.c.
 */
#ifndef XGOTOP_CAPTURE_H
#define XGOTOP_CAPTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "budget.h"

struct tracer;

/* What is shown and exported: a copy, safe to take from any thread (capture__get). */
struct capture_state {
	enum capture_level level;
	double poll_hz;	   /* CAPTURE_POLL */
	double budget_pct; /* in force; 0: off, or the level is pinned by --probes/--poll */
	bool pinned;	   /* --probes or --poll given */
	/* The last meter sample: cost as % of the target's own CPU time; < 0: unknown. */
	double cost_pct;
	bool over; /* that cost is over the budget (and over the floor) */
	char why[128];	/* why this level ("states would cost 140%"); "" */
	char text[224]; /* "poll 20Hz (budget 5%: states would cost 140%)" */
};

struct capture {
	pthread_mutex_t mu; /* st, for capture__get from other threads */
	struct capture_state st;
	double cost_pct_max; /* highest sample, for --metrics; < 0: none */
	uint64_t cpu_ns, cpu_ts; /* the target's CPU time at the last sample, and when */
};

#define CAPTURE_INIT {.mu = PTHREAD_MUTEX_INITIALIZER, .cost_pct_max = -1}

/* The level in force now and why (for exporters: --metrics, a metrics endpoint). */
void capture__get(struct tracer *t, struct capture_state *out);

/* Cumulative CPU time of process PID, all its threads (utime + stime), ns; 0: unknown. */
uint64_t capture__cpu_ns(int pid);

#endif /* XGOTOP_CAPTURE_H */
