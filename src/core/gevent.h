/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A goroutine event as the rest of the program sees it: decoded from the
 * ring-buffer records (src/live/decode.c), symbolized, and then applied to the
 * state table, written as JSONL and recorded. Strings are interned by the
 * producer and outlive the event.
 */
#ifndef XGOTOP_GEVENT_H
#define XGOTOP_GEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gev_kind {
	GEV_CREATE = 1,
	GEV_STATE = 2,
	GEV_EXIT = 3,
	GEV_ALLOC = 4,	    /* one heap allocation, charged to goid (0: no goroutine) */
	GEV_GC = 5,	    /* a GC phase or stop-the-world edge of process pid */
	GEV_ALLOC_HIST = 6, /* totals of one size-class bucket of process pid so far */
	GEV_GAP = 7,	    /* records of process pid were lost: the ring buffer was full */
	GEV_CAPTURE = 8,    /* the capture level from ts on: what was traced, and why */
	/* Read from the runtime's own counters (src/live/heapsrc.c), no probe: */
	GEV_HEAP_CLASS = 9, /* one size class of process pid: objects allocated and freed so far */
	GEV_HEAP = 10,	    /* process pid's heap totals so far; ends a sample of GEV_HEAP_CLASS */
	/* A running goroutine's thread was off its CPU, or the cgroup's CPU limit (gev.cpu). */
	GEV_CPU = 11,
};

/* keep in sync with gev_kinds[] (gevent.c): every kind has its row there */
#define GEV_KIND_MAX GEV_CPU

#define GEV_NO_REASON (-1)

enum gev_cpu_what {
	GEV_CPU_PREEMPTED = 1, /* = XG_OFF_PREEMPTED */
	GEV_CPU_BLOCKED = 2,   /* = XG_OFF_BLOCKED */
	GEV_CPU_THROTTLE = 3,
	GEV_CPU_LIMIT = 4,
};

struct gev {
	enum gev_kind kind;
	uint64_t ts; /* ns, CLOCK_MONOTONIC */
	uint32_t pid;
	uint32_t tid;
	uint64_t goid;
	/* GEV_STATE: Go status numbers (enum xg_gstatus). GEV_CREATE: to is the first state. */
	uint8_t from;
	uint8_t to;
	/* Not observed by a probe: deduced from the next observed transition. */
	bool inferred;
	/* to == waiting (GEV_STATE, GEV_CREATE): runtime.waitReason index, or GEV_NO_REASON. */
	int reason;
	const char *reason_str; /* NULL: unknown index (written as "#N") */
	/* GEV_CREATE. */
	uint64_t parent;
	uint64_t startpc;
	uint64_t gopc;
	const char *func;	/* start function, NULL when unknown */
	const char *created_by; /* function holding the go statement */
	const char *file;	/* of the go statement */
	int line;
	/* GEV_STATE with to == running: the P and M that run it (has_pm). */
	bool has_pm;
	int32_t p; /* p.id, -1 when the M had no P */
	int64_t m; /* m.id */
	/* GEV_ALLOC. */
	struct gev_alloc {
		uint8_t kind;	    /* enum xg_alloc_kind */
		uint8_t bucket;	    /* size-class bucket: XG_ALLOC_TINY, 1..67, XG_ALLOC_LARGE */
		uint64_t size;	    /* requested bytes */
		uint64_t type_addr; /* run-time address of the runtime._type, 0: untyped */
		const char *type;   /* its name, NULL when unknown */
		bool has_hint;
		uint64_t hint; /* make(map, hint) */
	} alloc;
	/* GEV_GC: the decoder pairs stop-the-world edges and numbers cycles. */
	struct gev_gc {
		uint8_t phase; /* enum xg_gc_phase */
		/* Cycles since tracing started, from 1; 0 outside a cycle seen from its start. */
		uint32_t cycle;
		int reason;		/* stwReason (STW_START/END, go1.21+), or GEV_NO_REASON */
		const char *reason_str; /* NULL: unknown index or no reason */
		/* STW_END: the pause; END: the cycle (its first STW's start to this). */
		uint64_t dur_ns;
		/* END: the cycle's pauses and its mark phase (START to MARK_TERM). */
		uint32_t n_stw;
		uint64_t stw_ns, stw_max_ns, mark_ns;
		/* START: gcTrigger.kind (0 heap, 1 time, 2 cycle: runtime.GC) and GOMAXPROCS. */
		uint32_t trigger;
		uint32_t procs;
	} gc;
	/* GEV_ALLOC_HIST: cumulative, counted in BPF (struct xg_hist_val). */
	struct gev_hist {
		uint8_t bucket;
		uint32_t class_size; /* bytes: upper bound of the bucket, 0 for large */
		uint64_t count;
		uint64_t bytes;
	} hist;
	/*
	 * GEV_HEAP_CLASS, GEV_HEAP: cumulative, from runtime.memstats.heapStats
	 * (src/goexe/heapstats.h says what they promise).
	 */
	struct gev_heap {
		/* GEV_HEAP_CLASS: Go's size class 1..67, or XG_ALLOC_LARGE. */
		uint8_t cls;
		uint32_t class_size; /* bytes of its objects; 0 for large */
		/* Objects and bytes: of the class, or (GEV_HEAP) of every class and large. */
		uint64_t allocs, frees;
		uint64_t alloc_bytes, free_bytes;
		/* GEV_HEAP: tiny allocations (not in allocs: they share 16-byte objects). */
		uint64_t tiny;
	} heap;
	/*
	 * GEV_CREATE: the goroutine was already there when tracing began (read
	 * from the target's goroutine table at attach, -pid): not a creation,
	 * but what the runtime says of it (function, creator, parent, state).
	 */
	bool existing;
	/*
	 * GEV_CREATE existing, found waiting or in a syscall: since when Go
	 * says it is blocked, g.waitsince (ns, CLOCK_MONOTONIC, as ts); 0 when
	 * Go has no such time (no GC saw it blocked yet: tb__waitsince).
	 */
	uint64_t waitsince;
	/*
	 * GEV_GAP: the ring buffer was full and records were lost, between
	 * since and ts. With resync, the goroutine table was read then and
	 * the state table set right: the inferred events stamped ts that
	 * follow (exits of goroutines gone, existing creates of goroutines
	 * never seen, changes to the state found) are what the lost records
	 * would have said, in sum.
	 */
	struct gev_gap {
		uint64_t drops; /* records lost since the previous gap (any process's, with -b) */
		uint64_t since; /* the drop counter was last seen unchanged then */
		bool resync;
		uint32_t exits, creates, changes; /* the events of the resync that follow */
	} gap;
	/*
	 * GEV_CAPTURE: from ts on, events come at this level (src/core/budget.h):
	 * a reader knows the fidelity of every stretch of time.
	 */
	struct gev_capture {
		uint8_t level;	    /* enum capture_level */
		uint32_t poll_hz;   /* CAPTURE_POLL: reads per second */
		uint32_t budget_bp; /* --overhead-budget in hundredths of a %; 0: off or pinned */
		const char *why;    /* why this level ("states would cost 140%"); NULL: none */
	} capture;
	/*
	 * GEV_CPU (src/live/offcpu.c), by what:
	 * - GEV_CPU_PREEMPTED, GEV_CPU_BLOCKED: goroutine goid was running on
	 *   thread tid, which was off its CPU for a ns, until ts: still runnable
	 *   (preempted by the kernel, or throttled by its cgroup), or asleep;
	 * - GEV_CPU_THROTTLE: the cgroup of process pid so far (cpu.stat):
	 *   a = nr_throttled, b = throttled time in ns;
	 * - GEV_CPU_LIMIT: its CPU limit (cpu.max) from ts on: a = quota in us
	 *   per period of b us; a = 0: no limit.
	 */
	struct gev_cpu {
		uint8_t what; /* enum gev_cpu_what */
		uint64_t a, b;
	} cpu;
};

/*
 * What an event kind is about, which says where it goes: the state table
 * keeps an entry per goroutine, exports draw a track per goroutine, and the
 * live workers hand a process's events to one processor when they must be
 * seen in order per process, else shard them by goroutine.
 */
enum gev_scope {
	/* One goroutine's life (goid): its entry in the state table; ordered per goroutine. */
	GEV_SCOPE_GOROUTINE = 1,
	/* The process's counters, charged to one goroutine (goid; 0: none): ordered per goroutine.
	 */
	GEV_SCOPE_CHARGED,
	/* The process's as a whole: ordered per process (goid says who was interrupted). */
	GEV_SCOPE_PROCESS,
};

/* The registry: one row per event kind. Adding a kind starts here. */
struct gev_kind_info {
	enum gev_kind kind;
	const char *name; /* the JSONL "event" value (docs/JSONL.md has a section per name) */
	enum gev_scope scope;
	unsigned int record; /* the ring record it is decoded from (enum xg_event_type), 0: none */
};

extern const struct gev_kind_info gev_kinds[GEV_KIND_MAX + 1];

/* The row of KIND; NULL outside enum gev_kind. */
static inline const struct gev_kind_info *gev_kind_info(int kind)
{
	return kind > 0 && kind <= GEV_KIND_MAX ? &gev_kinds[kind] : NULL;
}

/* The scope of the events a ring record of TYPE (XG_EV_*) becomes; 0 for no known type. */
static inline enum gev_scope gev_record_scope(unsigned int type)
{
	int k;

	if (!type)
		return (enum gev_scope)0;
	/* One record type may become several kinds: they share its scope (checked by a test). */
	for (k = 1; k <= GEV_KIND_MAX; k++)
		if (gev_kinds[k].record == type)
			return gev_kinds[k].scope;
	return (enum gev_scope)0;
}

/* "running", "waiting", ...; "unknown" outside the known states. */
const char *gev_state_name(unsigned int state);
/* The same with its length, for writers that copy it (jsonl.c). */
struct gev_name {
	const char *s;
	size_t len;
};
const struct gev_name *gev_state(unsigned int state);
/* "start", "mark_termination", "sweep", "stw_start", "stw_end", "end"; "unknown". */
const char *gev_gc_phase_name(unsigned int phase);
/* enum xg_alloc_kind: "object", "slice", ... (docs/JSONL.md); "other" outside the enum. */
const char *gev_alloc_kind_name(unsigned int kind);
/* enum gev_cpu_what: "preempted", "blocked", "throttle", "limit"; "unknown". */
const char *gev_cpu_what_name(unsigned int what);
/* "heap", "time", "cycle"; "unknown". */
const char *gev_gc_trigger_name(unsigned int trigger);

#endif /* XGOTOP_GEVENT_H */
