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
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "probes.h"

struct bpfobj_link;

struct tracer;

/* What is shown and exported: a copy, safe to take from any thread (capture__get). */
struct capture_state {
	enum capture_level level;
	double poll_hz;	   /* CAPTURE_POLL */
	double budget_pct; /* in force; 0: off, or the level is pinned by --probes/--poll */
	bool pinned;	   /* --probes or --poll given */
	/* The last meter sample: cost as % of the target's own CPU time; < 0: unknown. */
	double cost_pct;
	bool over;	/* that cost is over the budget (and over the floor) */
	char why[128];	/* why this level ("states would cost 140%"); "" */
	char text[224]; /* "poll 20Hz (budget 5%: states would cost 140%)" */
};

/* The casgstatus sites of one level, and their links while attached. */
struct capture_set {
	struct probe_site *sites;
	struct bpfobj_link **links;
	int n;
};

struct poll_src;

struct capture {
	pthread_mutex_t mu; /* st, for capture__get from other threads */
	struct capture_state st;
	/*
	 * Changing level at run time: each level's casgstatus sites, and the
	 * other uprobes (GC, allocations), out while polling; a check every
	 * BUDGET_TICK_NS of what the probes cost, or (polling) would cost.
	 */
	bool can_switch;
	struct capture_set set[CAPTURE_LEVEL_MAX + 1];
	struct capture_set common;
	uint64_t tick_ts, tick_cnt, tick_run_ns, tick_cpu, tick_creates;
	uint64_t tick_goid, tick_changes; /* polling: the reads' counters at the last check */
	uint64_t creates;		  /* create records seen (capture__count) */
	struct budget_ctl ctl;		  /* checks over budget, calm since (src/core/budget.c) */
	uint64_t flip_ns; /* XGOTOP_BUDGET_FLIP_MS (tests): switch that often, whatever it costs */
	/* XGOTOP_BUDGET_UP_DELAY_MS (tests): a step up from poll waits so long before its probes.
	 */
	unsigned up_delay_ms;
	unsigned int flip_i; /* where the forced switches are in their cycle */
	/* A switch's start (new probes going in) and end (old ones out): its event's time. */
	_Atomic uint64_t both_from, both_to;
	uint64_t attach_ns, detach_ns; /* of the last switch, for -v */
	/*
	 * A step down: the old level's hits as last read while its probes go
	 * out, and the first check that found them no higher (0: not yet); the
	 * first that found its breakpoints out of the target's code (where its
	 * sites are mapped: 0, not looked up yet). The program stops running
	 * first; the target pays for the traps until the breakpoints are out,
	 * which can be long before the links' destruction returns.
	 */
	uint64_t out_cnt, out_ts, traps_ts;
	_Atomic uint64_t hot_out; /* the switch's thread: the old level's links destroyed */
	uint64_t trap_addr[PROBES_MAX];
	/* A switch runs on a thread of its own (attaching takes long): the ring is read on. */
	pthread_t switch_thr;
	bool switching;
	atomic_bool switch_done;
	enum capture_level switch_from, switch_to;
	int switch_err;
	char switch_why[128];
	/* A step up from poll: the table, read last before the probes, read again after. */
	struct poll_src *up_src;
	uint64_t pending_ts; /* a switch whose capture event waits for the records before it */
	unsigned int switches;
	unsigned int polls;    /* steps to poll; the goroutines they listed */
	uint64_t step_ns_max;  /* longest from over budget to stepped down (links destroyed) */
	uint64_t quiet_ns_max; /* the same to the old level's program no longer running */
	uint64_t traps_ns_max; /* the same to its breakpoints out of the target's code */
};

#define CAPTURE_INIT                            \
	{                                       \
		.mu = PTHREAD_MUTEX_INITIALIZER \
	}

/* The level in force now and why (for exporters: --metrics, a metrics endpoint). */
void capture__get(struct tracer *t, struct capture_state *out);

/*
 * CPU time of process PID in ns: the sum of the run times in
 * /proc/PID/task/TID/schedstat (threads that ended are not counted). 0: unknown.
 */
uint64_t capture__cpu_ns(int pid);
/* The level in force and why, as shown (st.text); the caller holds mu if others read. */
void capture__set_level(struct tracer *t, enum capture_level level, double hz, const char *why);

#endif /* XGOTOP_CAPTURE_H */
