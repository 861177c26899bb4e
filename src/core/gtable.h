/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-goroutine state table, keyed by (pid, goid). Fed with struct gev
 * in timestamp order per goroutine; read by the views (live and replay).
 * Pure: no libbpf, no ncurses, no global state, not thread-safe (one
 * owner).
 */
#ifndef XGOTOP_GTABLE_H
#define XGOTOP_GTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xgotop_event.h"
#include "gevent.h"

#define GT_NSTATES 12 /* indexes are Go status numbers, enum xg_gstatus */

struct gtable;
struct gtable_group;

struct gtable_opts {
	/* How long an exited goroutine stays in the table, ns (0: 30 s). */
	uint64_t keep_exited_ns;
	/*
	 * Spans of history kept per goroutine (0: 16; at most 1024), the open
	 * one included. The ring starts at 4 and grows. A span that starts more
	 * than 2^53 ns (104 days) after the goroutine was first seen restarts
	 * the history at it (the times per state stay exact).
	 */
	uint32_t max_spans;
	/*
	 * Caps on the exited goroutines kept, whatever keep_exited_ns says: at
	 * most MAX_EXITED of them (0: 100000) taking at most MAX_EXITED_BYTES
	 * of the table's memory (0: 64 MiB). Past either, the oldest exits
	 * leave first, counted in gtable_counts.evicted. Live goroutines are
	 * never evicted; the events themselves (JSONL, recordings) are not
	 * the table's and lose nothing.
	 */
	uint64_t max_exited;
	uint64_t max_exited_bytes;
};

/* One span of a goroutine's history, as the readers get it (gentry__span). */
struct gstate_span {
	uint64_t start; /* ns */
	uint8_t state;
	/* A closed running span: the share of it its thread was off the CPU, % (GEV_CPU). */
	uint8_t off_pct;
};

struct gext;

/*
 * The table's own per-goroutine history (closed spans, totals): see
 * gtable.c. Only goroutines that ran (or changed state) have one.
 */
struct ghist {
	struct gext *ext; /* NULL until needed */
	/*
	 * CPU time is time in running: gentry__cpu_ns. CPU_RECENT_NS is that
	 * time within the last interval closed by gtable__interval; read
	 * through gentry__cpu_recent_ns (0 without a history).
	 */
	uint64_t cpu_recent_ns;
	uint64_t cpu_mark_ns; /* its CPU time at that mark */
	uint64_t spans[];
};

/*
 * One goroutine. Compact on purpose (a million parked goroutines is a
 * real workload): times and pointers first, small fields packed last.
 * What only some goroutines need (the spans they closed, off-CPU and
 * allocation counters) is in HIST, allocated on first use.
 */
struct gentry {
	uint64_t goid;
	uint64_t parent;
	const char *func;
	const char *created_by;
	const char *file;
	const char *reason_str;
	/* The goroutines of its start function (gtable__groups). */
	const struct gtable_group *group;
	uint64_t created_ts; /* 0 when the creation was not seen (existed before attach) */
	uint64_t exited_ts;  /* 0 while alive */
	/*
	 * Alive since at least then: when the table first heard of it, or, if
	 * found at attach blocked, Go's g.waitsince of that wait when earlier
	 * (gentry__go_waitsince). A lower bound of the birth when created_ts is 0.
	 */
	uint64_t alive_since;
	/* ts of the last transition: how long it has been blocked is now - state_since. */
	uint64_t state_since;
	uint64_t transitions;
	/*
	 * Closed spans, time in each state, off-CPU and allocation counters:
	 * NULL until it first changes state (most parked goroutines never do).
	 * Read through gentry__span, gentry__totals, gentry__time_in,
	 * gentry__offcpu, gentry__alloc.
	 */
	struct ghist *hist;
	/* Where it last started running (state events with has_pm): -1 until seen. */
	int32_t last_m; /* m.id (Go's int64, numbered from 0 per process) */
	uint32_t pid;
	int32_t line;
	int32_t last_p;	     /* p.id; -1 also when it ran without a P */
	int16_t reason;	     /* GEV_NO_REASON unless waiting */
	uint8_t state;	     /* current Go status */
	uint8_t table_flags; /* the table's own */
	/* Spans of history (gentry__span): the closed ones kept, and the open one. */
	uint16_t n_spans;
	uint16_t span_head; /* the table's own: next slot of the ring of closed spans */
	uint16_t span_cap;  /* the table's own: that ring's size */
};

/*
 * In gentry.table_flags: its cpu_recent_ns is not 0. The row build asks for
 * every goroutine: most did not run, and their blocks are not read.
 */
#define GENTRY_CPU_RECENT 0x80u

/* E's CPU time within the last interval closed by gtable__interval, ns. */
static inline uint64_t gentry__cpu_recent_ns(const struct gentry *e)
{
	return e->table_flags & GENTRY_CPU_RECENT ? e->hist->cpu_recent_ns : 0;
}

struct gtable_counts {
	uint64_t live;		       /* not exited */
	uint64_t by_state[GT_NSTATES]; /* live goroutines per current state */
	uint64_t created;	       /* creations seen */
	uint64_t exited;	       /* exits seen */
	uint64_t events;	       /* events applied */
	/* ts older than the goroutine's last transition: clamped to it, no negative spans. */
	uint64_t out_of_order;
	/* GEV_STATE whose from differs from the state we had: a transition was missed. */
	uint64_t from_mismatch;
	/* Events ignored: unknown kind, or a state >= GT_NSTATES. */
	uint64_t invalid;
	uint64_t expired;   /* exited goroutines dropped by gtable__expire */
	uint64_t forgotten; /* live goroutines dropped by gtable__forget */
	/* Exited goroutines dropped before their time by the caps (max_exited, _bytes). */
	uint64_t evicted;
	uint64_t exited_kept;	    /* exited goroutines in the table */
	uint64_t exited_kept_bytes; /* what they take, as the bytes cap counts it */
};

struct gtable *gtable__new(const struct gtable_opts *opts);
void gtable__free(struct gtable *gt);
/* The options in force, defaults filled in: what the caps are. */
void gtable__opts(const struct gtable *gt, struct gtable_opts *out);

/*
 * Apply one event. 0, or -ENOMEM (the event was not applied). Unknown
 * goroutines are added on first sight (by an allocation: as running).
 * GEV_GC, GEV_ALLOC_HIST and GEV_HEAP* change the process's GC cycles and histograms,
 * not a goroutine. The span history is best effort: when
 * its ring cannot grow, older spans are overwritten; time accounting stays exact.
 */
int gtable__apply(struct gtable *gt, const struct gev *ev);
/*
 * Apply N events in order, as gtable__apply would one by one, but faster on
 * a big table: memory is fetched a few events ahead. 0, or the first error;
 * *DONE (may be NULL) is the number of events applied.
 */
int gtable__apply_batch(struct gtable *gt, const struct gev *evs, size_t n, size_t *done);
/*
 * A hint: (PID, GOID) will be applied GTABLE_PREFETCH_AHEAD events from
 * now. Hinted in the order they are applied, each event's memory is
 * fetched in the steps gtable__apply_batch takes (index slot, entry,
 * spans), while the events before it are applied (decoder__set_ahead).
 * Changes nothing a reader sees; nothing on a table small enough to stay
 * in cache. The table's owner only.
 */
#define GTABLE_PREFETCH_AHEAD 16
void gtable__prefetch(struct gtable *gt, uint32_t pid, uint64_t goid);
/*
 * Drop goroutines that exited more than keep_exited_ns before NOW. Costs
 * what it drops; then gives memory back to the system when much was freed
 * (empty pool chunks, an oversized index, malloc_trim): call it about once
 * a second.
 */
void gtable__expire(struct gtable *gt, uint64_t now);

/*
 * Drop the live goroutines KEEP refuses, as if never seen (they left the
 * trace: a lower -sample goroutine rate): counts and groups follow; their
 * spans are forgotten. Exited ones stay until they expire. Returns how many.
 */
size_t gtable__forget(struct gtable *gt, bool (*keep)(uint32_t pid, uint64_t goid, void *ctx),
		      void *ctx);

/*
 * ON: keep the keys of the exited goroutines the caps or gtable__expire
 * drop from now on, until called with false (which empties the log). A
 * read of a process's goroutines compared with the table later (by a
 * second or more with -rw/-pw workers, while a busy process can end more
 * goroutines than max_exited) must not take one that ended since, and
 * left the table before the comparison, for one never seen (snapshot.c,
 * resync__apply).
 */
void gtable__log_dropped_exits(struct gtable *gt, bool on);
/* Sort the log: gtable__dropped_exit then costs log n, not n. */
void gtable__sort_dropped_exits(struct gtable *gt);
/* PID's GOID is in the log of gtable__log_dropped_exits. */
bool gtable__dropped_exit(const struct gtable *gt, uint32_t pid, uint64_t goid);

/*
 * Entries do not move: a pointer stays valid until gtable__expire or __forget
 * drops it, or, for an exited goroutine, until an apply evicts it (the caps).
 */
const struct gentry *gtable__find(const struct gtable *gt, uint32_t pid, uint64_t goid);
/* Total time in STATE for E up to NOW (its exit, if it exited), the open span included. */
uint64_t gentry__time_in(const struct gentry *e, unsigned int state, uint64_t now);
/* Call FN for every entry (order unspecified); stop early when it returns non-zero. */
int gtable__for_each(const struct gtable *gt, int (*fn)(const struct gentry *e, void *ctx),
		     void *ctx);
size_t gtable__size(const struct gtable *gt);
void gtable__counts(const struct gtable *gt, struct gtable_counts *out);
/* The capture level of the last GEV_CAPTURE applied, as budget__describe says it; "": none. */
const char *gtable__capture(const struct gtable *gt);

/*
 * The I-th oldest span of E's history (I < e->n_spans) into *BUF: BUF, or
 * NULL when I is out of range. The last is the open one (start
 * state_since, in state). Each call costs the same, whatever I.
 */
const struct gstate_span *gentry__span(const struct gentry *e, uint32_t i, struct gstate_span *buf);
/*
 * E's time in each state over its closed spans, ns (add now - state_since
 * for the open one, or use gentry__time_in).
 */
void gentry__totals(const struct gentry *e, uint64_t out[GT_NSTATES]);
/*
 * A copy of E that outlives it (a paused view): *D takes E's fields and
 * its history is copied to BUF, gentry__copy_size(E) bytes aligned as a
 * uint64_t, which D then points to. The readers above work on D.
 */
size_t gentry__copy_size(const struct gentry *e);
void gentry__copy(struct gentry *d, const struct gentry *e, void *buf);
/* Heap allocations charged to E (GEV_ALLOC: --probes all or --alloc): bytes, objects. */
void gentry__alloc(const struct gentry *e, uint64_t *bytes, uint64_t *objects);
/*
 * Found at attach (or read again after lost records) blocked, in that state
 * since, and Go knew since when (g.waitsince): that time, which is what Go's
 * dump counts its wait from. 0 otherwise: then a goroutine not seen created
 * and unchanged since found has been in its state at least since state_since.
 */
static inline uint64_t gentry__go_waitsince(const struct gentry *e)
{
	return !e->created_ts && !e->transitions && !e->exited_ts && e->alive_since < e->state_since
		       ? e->alive_since
		       : 0;
}

/*
 * CPU time of E up to NOW: its time in running (gentry__time_in) less the
 * time its thread was off the CPU meanwhile (GEV_CPU, when traced), ns.
 */
uint64_t gentry__cpu_ns(const struct gentry *e, uint64_t now);
/*
 * E's time in running spent off the CPU (GEV_CPU), ns: OUT[0] preempted
 * (runnable: the kernel's choice, or its cgroup's CPU limit), OUT[1]
 * blocked (asleep while running: page faults, the runtime's own waits).
 */
void gentry__offcpu(const struct gentry *e, uint64_t out[2]);
/* The off_pct the open span of E would have if it closed at NOW (0 unless running). */
unsigned int gentry__open_off_pct(const struct gentry *e, uint64_t now);

/* The CPU limit of a process's cgroup (GEV_CPU of goid 0: src/live/cgroup.c). */
struct gtable_cgroup {
	uint64_t quota_us, period_us; /* cpu.max: quota_us 0 when it has none */
	uint64_t limit_ts;	      /* as of then */
	uint64_t nr_throttled;	      /* cpu.stat: periods throttled, and for how long */
	uint64_t throttled_ns;
	uint64_t ts; /* as of then; 0: never read */
};
/* Of PID. 0, or -ENODATA when no GEV_CPU of its cgroup came. */
int gtable__cgroup(const struct gtable *gt, uint32_t pid, struct gtable_cgroup *out);

/*
 * Close the CPU interval at NOW: every entry's cpu_recent_ns becomes its
 * CPU time since the previous call (since it was added, the first time).
 * Costs a visit of the goroutines that ran since the previous call, or
 * were running then (a pass over the table after the table unmapped
 * memory): call it once per refresh.
 */
void gtable__interval(struct gtable *gt, uint64_t now);
/* The same, by a pass over every entry: what gtable__interval must equal (tests). */
void gtable__interval_full(struct gtable *gt, uint64_t now);
/* Length of the interval closed by the last gtable__interval (0 before the second call). */
uint64_t gtable__interval_ns(const struct gtable *gt);
/* When the last gtable__interval closed its interval (NOW of that call; 0 before the first). */
uint64_t gtable__interval_end(const struct gtable *gt);

/* ---- allocations (GEV_ALLOC, GEV_ALLOC_HIST) ------------------------------------------------ */

/*
 * Allocations per size-class bucket (XG_ALLOC_TINY, Go's classes 1..67,
 * XG_ALLOC_LARGE), counted in BPF for every heap allocation whether or not
 * allocation events are written.
 */
struct gtable_alloc_hist {
	uint32_t size[XG_ALLOC_BUCKETS];  /* upper bound, bytes: 16 for tiny, 0 for large */
	uint64_t count[XG_ALLOC_BUCKETS]; /* allocations */
	uint64_t bytes[XG_ALLOC_BUCKETS]; /* bytes requested */
};
/* The histogram of process PID (0: every process, summed). 0, or -ENODATA when none came. */
int gtable__alloc_hist(const struct gtable *gt, uint32_t pid, struct gtable_alloc_hist *out);

/*
 * The runtime's own allocation counters (GEV_HEAP_CLASS, GEV_HEAP: read
 * from the target's memory, no probe), as of the last sample.
 */
struct gtable_heap {
	/* Index: Go's size class 1..67, XG_ALLOC_LARGE; 0 and XG_ALLOC_TINY unused. */
	uint32_t size[XG_ALLOC_BUCKETS]; /* the class's object size, 0 for large */
	uint64_t allocs[XG_ALLOC_BUCKETS], frees[XG_ALLOC_BUCKETS];
	uint64_t alloc_bytes[XG_ALLOC_BUCKETS], free_bytes[XG_ALLOC_BUCKETS];
	/* The last GEV_HEAP: totals of every class and large, and tiny allocations. */
	uint64_t ts;
	uint64_t total_allocs, total_frees, total_alloc_bytes, total_free_bytes, tiny;
	/* Allocation rate between the last two GEV_HEAP (0 until there are two). */
	double alloc_bytes_per_s, allocs_per_s;
	uint64_t samples; /* GEV_HEAP applied */
};
/* Of process PID (0: every process, summed). 0, or -ENODATA when no GEV_HEAP came. */
int gtable__heap(const struct gtable *gt, uint32_t pid, struct gtable_heap *out);

/* What the allocation events said, per kind (enum xg_alloc_kind). */
struct gtable_alloc_totals {
	uint64_t count[XG_AK_NKINDS];
	uint64_t bytes[XG_AK_NKINDS];
	uint64_t events, total_bytes;
	uint64_t unattributed; /* of them, made with no goroutine to charge (goid 0) */
};
/* Of process PID (0: all). 0, or -ENODATA when no allocation event was applied. */
int gtable__alloc_totals(const struct gtable *gt, uint32_t pid, struct gtable_alloc_totals *out);

/* ---- GC (GEV_GC) ------------------------------------------------------------------------------
 */

/* One GC cycle, as the GC probes saw it. Times are ns on the event clock. */
struct gtable_gc_cycle {
	uint32_t pid;
	uint32_t n;	   /* gev.gc.cycle: cycles since tracing started, from 1 */
	uint64_t start;	   /* its first stop-the-world began (sweep termination) */
	uint64_t mark_end; /* gcMarkTermination: 0 until then */
	uint64_t end;	   /* the mark-termination pause ended: 0 while in progress */
	uint64_t mark_ns;  /* START to mark termination: the concurrent mark phase */
	uint32_t n_stw;	   /* its stop-the-world pauses */
	uint64_t stw_ns;   /* their total */
	uint64_t stw_max_ns;
	uint32_t trigger; /* 0 heap, 1 time, 2 cycle (runtime.GC) */
	uint32_t procs;	  /* GOMAXPROCS */
};
/*
 * Up to MAX most recent cycles of PID (0: all), oldest first, the one in
 * progress last; the table keeps the last 256 of each process. Count, or
 * -ENODATA when no GC event was applied.
 */
int gtable__gc_cycles(const struct gtable *gt, uint32_t pid, struct gtable_gc_cycle *out,
		      size_t max);

struct gtable_gc_totals {
	uint64_t cycles; /* completed */
	uint64_t stw;	 /* every stop-the-world pause, GC or not (runtime.Stack, GOMAXPROCS...) */
	uint64_t stw_ns;
	uint64_t stw_max_ns;
	uint64_t gc_stw_ns; /* of the pauses inside completed cycles */
	uint64_t mark_ns;   /* summed over completed cycles */
};
/* Of PID (0: all). 0, or -ENODATA when no GC event was applied. */
int gtable__gc_totals(const struct gtable *gt, uint32_t pid, struct gtable_gc_totals *out);

/* ---- lifetimes and start functions --------------------------------------------------------- */

/*
 * Lifetimes of the goroutines whose creation and exit were both seen:
 * bucket i counts lifetimes in [2^i, 2^(i+1)) ns (bucket 0 also holds 0).
 */
#define GT_LIFETIME_BUCKETS 64
struct gtable_lifetime_hist {
	uint64_t count[GT_LIFETIME_BUCKETS];
	uint64_t total;
};
void gtable__lifetime_hist(const struct gtable *gt, struct gtable_lifetime_hist *out);

/*
 * The goroutines of one start function (gentry.func, pointer or text
 * equal), across processes. Groups are never dropped: they outlive the
 * goroutines the table expires.
 */
struct gtable_group {
	const char *func;	       /* NULL: goroutines whose creation was not seen */
	uint64_t live;		       /* not exited */
	uint64_t by_state[GT_NSTATES]; /* live ones per current state */
	uint64_t created;
	uint64_t exited;
	uint64_t alloc_bytes; /* charged to its goroutines, live or not */
	uint64_t alloc_objects;
	uint64_t cpu_exited_ns; /* CPU time of its exited goroutines (add gentry__cpu_ns for live
				   ones) */
};
/* Call FN for every group (order unspecified); stop early when it returns non-zero. */
int gtable__for_each_group(const struct gtable *gt,
			   int (*fn)(const struct gtable_group *g, void *ctx), void *ctx);
size_t gtable__n_groups(const struct gtable *gt);

/* A sorted list of entries for the views; reuse it across refreshes. */
struct gtable_view {
	const struct gentry **v;
	size_t n;
	size_t cap;
};

/*
 * Fill VIEW with the entries KEEP accepts (NULL: all), sorted by CMP (NULL:
 * by pid, goid); ties are broken by pid, goid so rows do not jump between
 * refreshes. CTX goes to both. The pointers stay valid as gtable__find's do.
 * 0, or -ENOMEM (VIEW then unchanged).
 */
int gtable__snapshot(const struct gtable *gt, struct gtable_view *view,
		     bool (*keep)(const struct gentry *e, void *ctx),
		     int (*cmp)(const struct gentry *a, const struct gentry *b, void *ctx),
		     void *ctx);
/* Frees VIEW's array; VIEW may be reused afterwards. */
void gtable_view__release(struct gtable_view *view);

#endif /* XGOTOP_GTABLE_H */
