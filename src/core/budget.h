/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --overhead-budget PCT: how much of the target's own CPU time tracing may
 * cost it, and which capture level fits (docs/OVERHEAD.md §6). The price of
 * a level is its probe hits per second times the price of a hit; the
 * target's CPU time comes from /proc/PID/stat. Pure arithmetic: the
 * estimate's inputs are read by src/live/capture.c.
 */
#ifndef XGOTOP_BUDGET_H
#define XGOTOP_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fidelity of a stretch of time, richest first. Recorded: never renumber. */
enum capture_level {
	CAPTURE_ALL = 1,       /* --probes all: states and allocations */
	CAPTURE_STATES = 2,    /* every status change with its wait reason */
	CAPTURE_LIFECYCLE = 3, /* creation and exit; states in between inferred */
	CAPTURE_POLL = 4,      /* the goroutine table read HZ times a second, no probes */
};
#define CAPTURE_LEVEL_MAX CAPTURE_POLL

/* The default budget, % of the target's CPU time; and the poll rate it falls back to. */
#define BUDGET_DEFAULT_PCT 5.0
#define BUDGET_POLL_HZ	   20.0
/*
 * A cost under this (ns of CPU per second: 0.5% of one CPU) is never over
 * budget: an idle program keeps its timelines because it is idle.
 */
#define BUDGET_FLOOR_NS_PER_S 5e6
/*
 * Before the hit price is calibrated (src/core/meters.c, in the background
 * once attached), a prior: above what calibration measured on our 2-core
 * VM, 0.9-1.0 us per emulated hit (docs/METERS.md), so that the first
 * choice errs towards the cheaper level.
 */
#define BUDGET_PRIOR_HIT_NS 1500.0
/* The same for a single-stepped site: 6.5-6.9 us measured there (docs/OVERHEAD.md §1). */
#define BUDGET_PRIOR_STEPPED_NS 8000.0

/* What a short read of the goroutine table says about the target. */
struct budget_rates {
	double creates_per_s; /* goroutines created (goid growth) */
	double changes_per_s; /* status changes seen of goroutines alive in both reads */
	double cpu_ns_per_s;  /* the target's CPU time, all threads (/proc/PID/stat) */
};

/* "all", "states", "lifecycle", "poll"; "unknown" outside the enum. */
const char *budget__level_name(enum capture_level level);

/* Probe hits per second LEVEL would take at RATES (0 for poll). */
double budget__hits_per_s(enum capture_level level, const struct budget_rates *r);

/*
 * The cost COST_NS_PER_S as a percentage of the target's own CPU time
 * OWN_NS_PER_S (without tracing); INFINITY when it has none and cost > 0.
 */
double budget__share_pct(double cost_ns_per_s, double own_ns_per_s);

/*
 * Whether COST_NS_PER_S is over BUDGET_PCT of OWN_NS_PER_S. Never under the
 * floor; never with BUDGET_PCT <= 0 (off).
 */
bool budget__over(double budget_pct, double cost_ns_per_s, double own_ns_per_s);

struct budget_choice {
	enum capture_level level;
	double cost_pct[CAPTURE_LEVEL_MAX + 1]; /* share each level would cost, % */
	char why[128];				/* "states would cost 140%"; "" when states fits */
};

/*
 * The richest of states, lifecycle and poll that fits BUDGET_PCT at RATES,
 * a hit of each level's probes priced HIT_NS[level] (placement decides:
 * an emulated site or a single-stepped one).
 */
void budget__choose(double budget_pct, const struct budget_rates *r,
		    const double hit_ns[CAPTURE_LEVEL_MAX + 1], struct budget_choice *out);

/*
 * Run-time steps (src/live/capture.c checks every BUDGET_TICK_NS): down
 * after BUDGET_OVER_CHECKS checks in a row over budget (one when
 * first_decides), to the richest
 * poorer level that fits (poll always does); up after BUDGET_CALM_NS with
 * the richer level's cost under a quarter of the budget (or under the
 * floor), the richest such level first.
 */
#define BUDGET_TICK_NS	   (100 * 1000 * 1000ull)
#define BUDGET_OVER_CHECKS 2
#define BUDGET_CALM_NS	   (10 * 1000 * 1000 * 1000ull)

struct budget_ctl {
	unsigned int over; /* checks in a row over budget */
	uint64_t over_ts;  /* the start of the first of them */
	/*
	 * The next check decides alone: a launched command's first interval
	 * stands for the estimate that -pid makes before the probes go in (one
	 * interval as long as BUDGET_TICK_NS), which it could not have.
	 */
	bool first_decides;
	/* Per level: its cost under a quarter of the budget since then; 0: not. */
	uint64_t calm_since[CAPTURE_LEVEL_MAX + 1];
};

/*
 * A check of the interval [NOW - DT, NOW] at LEVEL. COST[l], ns a second:
 * what level l costs the target, measured for LEVEL (its probe hits),
 * estimated for the others (< 0: unknown; a richer level's unknown cost is
 * taken to be LEVEL's own, a poorer one's to fit). OWN: the target's own
 * CPU time, ns a second. The level to change to, or 0 to stay.
 */
enum capture_level budget__step(struct budget_ctl *c, enum capture_level level, double budget_pct,
				const double cost[CAPTURE_LEVEL_MAX + 1], double own, uint64_t now,
				uint64_t dt);

/*
 * The level as shown: "states", "poll 20Hz" and, when WHY is not empty,
 * " (budget 5%: WHY)"; BUDGET_PCT <= 0: " (budget off)" only if WHY is given.
 */
void budget__describe(enum capture_level level, double poll_hz, double budget_pct, const char *why,
		      char *buf, size_t len);

#endif /* XGOTOP_BUDGET_H */
