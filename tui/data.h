/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the views know beyond the state table's core fields, behind small
 * functions: each says honestly when it has no data (-ENODATA) and why, so
 * that the views show "no data" instead of zeros. Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_DATA_H
#define XGOTOP_TUI_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gtable.h"

struct xg_target_info;

/*
 * Time E ran (_Grunning: on a P, executing Go code) within [FROM, TO], ns,
 * read from its span history. *EXACT (may be NULL) says whether the history
 * reaches FROM (or E's birth, or E ran not at all before it): otherwise the
 * result is what the history shows, a lower bound. Nothing is extrapolated.
 */
uint64_t xd_run_ns(const struct gentry *e, uint64_t from, uint64_t to, bool *exact);

/*
 * The interval CPU% is measured over, the same for every view: [T0, T1].
 * SAMPLED: the state table closed it (gtable__interval), so each entry's
 * cpu_recent_ns is its exact running time in it, from the cumulative total;
 * otherwise (the first refresh) the span history is read (xd_run_ns).
 * NUM/DEN < 1 scales every goroutine down when their sum exceeds the Ps
 * seen times the interval (events lost: a goroutine left "running").
 */
struct xd_cpu_window {
	uint64_t t0, t1;
	bool sampled;
	uint64_t num, den;
};

/* Running time of E in W, ns: at most W's length and E's life within it. */
uint64_t xd_cpu_ns_read(const struct gentry *e, const struct xd_cpu_window *w);
/* The same as a share of W's length, per mille (0..1000). */
unsigned int xd_cpu_permille_read(const struct gentry *e, const struct xd_cpu_window *w);

/*
 * Most goroutines did not run in a closed interval: 0 without a call, as
 * the row build asks for every goroutine of the table.
 */
static inline uint64_t xd_cpu_ns(const struct gentry *e, const struct xd_cpu_window *w)
{
	return w->sampled && !gentry__cpu_recent_ns(e) ? 0 : xd_cpu_ns_read(e, w);
}

static inline unsigned int xd_cpu_permille(const struct gentry *e, const struct xd_cpu_window *w)
{
	return w->sampled && !gentry__cpu_recent_ns(e) ? 0 : xd_cpu_permille_read(e, w);
}

/*
 * Bytes and objects E allocated: the allocation events charged to it.
 * -ENODATA when its process has no allocation events (no allocation
 * probes, or --alloc-hist): then nothing is known, not zero.
 */
int xd_allocs(const struct gtable *gt, const struct gentry *e, uint64_t *bytes, uint64_t *objects);
/* Whether any traced process has allocation events (the ALLOCS column, its sort). */
bool xd_allocs_known(const struct gtable *gt);

/*
 * Allocations per size-class bucket: the tiny allocator, Go's classes 1 to
 * 67, large objects. Counted in BPF for every heap allocation, so exact
 * even when allocation events are sampled or not written (--alloc-hist).
 */
#define XD_ALLOC_BUCKETS 69
#define XD_ALLOC_TINY	 0
#define XD_ALLOC_LARGE	 68
struct xd_alloc_hist {
	uint32_t size[XD_ALLOC_BUCKETS];  /* upper bound, bytes: 16 for tiny, 0 for large */
	uint64_t count[XD_ALLOC_BUCKETS]; /* allocations */
	uint64_t bytes[XD_ALLOC_BUCKETS]; /* bytes requested */
	uint64_t count_total, bytes_total;
};
/*
 * Of every traced process (E NULL). -ENODATA: no histogram came;
 * -EOPNOTSUPP for a goroutine: the table keeps size classes per process only.
 */
int xd_alloc_hist(const struct gtable *gt, const struct gentry *e, struct xd_alloc_hist *out);

/*
 * The runtime's own counters (read from the target's memory once a second,
 * no probe): per size class, objects and bytes allocated since the program
 * began (count, bytes; no tiny bucket: tiny allocations share class-2
 * objects), and the totals.
 */
struct xd_heap {
	struct xd_alloc_hist hist;
	uint64_t live_bytes, live_objects;
	uint64_t tiny;
	double bytes_per_s, objects_per_s; /* between the last two samples; 0 before two */
	uint64_t samples;
};
/* Of every traced process. -ENODATA: no heap sample came. */
int xd_heap(const struct gtable *gt, struct xd_heap *out);

/* What the allocation events said per kind: object, slice, append, map, ... */
#define XD_ALLOC_KINDS 8
struct xd_alloc_kinds {
	uint64_t count[XD_ALLOC_KINDS];
	uint64_t bytes[XD_ALLOC_KINDS];
	uint64_t events, bytes_total;
	uint64_t unattributed; /* made with no goroutine to charge */
};
/* -ENODATA: no allocation event (histogram only, or no allocation probes). */
int xd_alloc_kinds(const struct gtable *gt, struct xd_alloc_kinds *out);

/* One GC cycle, for the GC view, the header and the band above the timeline. */
struct xd_gc_cycle {
	uint32_t pid;
	uint32_t n;	   /* cycles since tracing started, from 1 */
	uint64_t start;	   /* ns, event clock: its first stop-the-world began */
	uint64_t mark_end; /* mark termination began (world stopped): 0 until then */
	uint64_t end;	   /* its last pause ended: 0 while in progress */
	uint64_t mark_ns;  /* the concurrent mark phase: START to mark termination */
	uint32_t n_stw;	   /* its stop-the-world pauses */
	uint64_t stw_ns, stw_max_ns;
	const char *trigger; /* "heap", "time", "cycle" (runtime.GC) */
	uint32_t procs;	     /* GOMAXPROCS */
};
/* Up to MAX most recent cycles, oldest first (the one in progress last); count or -ENODATA. */
int xd_gc_cycles(const struct gtable *gt, struct xd_gc_cycle *out, size_t max);

struct xd_gc_totals {
	uint64_t cycles;		  /* completed */
	uint64_t stw, stw_ns, stw_max_ns; /* every pause, GC or not */
	uint64_t gc_stw_ns;		  /* of the pauses of completed cycles */
	uint64_t mark_ns;		  /* summed over completed cycles */
};
/* -ENODATA: no GC event. */
int xd_gc_totals(const struct gtable *gt, struct xd_gc_totals *out);

/*
 * Why the allocation / GC data is absent or partial, for the views: one
 * paragraph that says how to get it. REPLAY: the source is a recording.
 */
const char *xd_alloc_why(const struct xg_target_info *info, const struct gtable *gt);
const char *xd_gc_why(const struct xg_target_info *info);

#endif /* XGOTOP_TUI_DATA_H */
