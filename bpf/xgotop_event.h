/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records written by the BPF programs into the ring buffer, and the
 * configuration they read. Shared verbatim by bpf/ and src/: fixed-size
 * fields only, sizes checked below.
 */
#ifndef XGOTOP_EVENT_H
#define XGOTOP_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Goroutine states, runtime/runtime2.go (stable from go1.0 to go1.26). */
enum xg_gstatus {
	XG_G_IDLE = 0,
	XG_G_RUNNABLE = 1,
	XG_G_RUNNING = 2,
	XG_G_SYSCALL = 3,
	XG_G_WAITING = 4,
	XG_G_MORIBUND = 5, /* unused since go1.0, kept so numbers match */
	XG_G_DEAD = 6,
	XG_G_ENQUEUE = 7, /* unused */
	XG_G_COPYSTACK = 8,
	XG_G_PREEMPTED = 9,
	XG_G_LEAKED = 10,
	XG_G_DEADEXTRA = 11,
	XG_G_NSTATES = 12,
};

/* The _Gscan bit a status may carry while the GC scans the stack. */
#define XG_GSCAN 0x1000

/*
 * Bits of the page-offset bitmap of wrapper entry points (bpf/xgotop.bpf.c
 * wrap_bits, set by the loader, src/live/bpfobj.c add_wrap): a power of two.
 */
#define XG_WRAP_BITS 4096

enum xg_event_type {
	/* One casgstatus hit: gp went from -> to. */
	XG_EV_STATE = 1,
	/* One heap allocation (runtime.mallocgc): see struct xg_event. */
	XG_EV_ALLOC = 2,
	/* A GC phase or a stop-the-world edge: from = enum xg_gc_phase. */
	XG_EV_GC = 3,
	/*
	 * A thread of the target back on a CPU (sched_switch): it was off
	 * from ts - arg0 to ts; from = enum xg_offcpu_cause. goid and g are 0:
	 * user space charges the time to the goroutine the thread runs.
	 */
	XG_EV_SCHED = 4,
};

/* Why a thread left its CPU (XG_EV_SCHED). */
enum xg_offcpu_cause {
	XG_OFF_PREEMPTED = 1, /* still runnable: preempted, or throttled by its cgroup */
	XG_OFF_BLOCKED = 2,   /* went to sleep: page fault, lock, a syscall Go does not count */
};

/* Flags of an XG_EV_STATE record. */
enum xg_event_flags {
	/* dead -> runnable/waiting inside newproc1: arg0..arg2 are filled. */
	XG_EVF_CREATE = 1u << 0,
	/* The reason field holds gp.waitreason (to == waiting). */
	XG_EVF_REASON = 1u << 1,
	/*
	 * The reason field holds gp.waitreason of the wait being left (from ==
	 * waiting): names a wait the probe did not see begin (preemption parks
	 * a goroutine without casgstatus).
	 */
	XG_EVF_FROM_REASON = 1u << 2,
	/*
	 * XG_EV_STATE to running: arg0 = p.id of the P and arg1 = m.id of the
	 * M (read from the current g's m, the M that runs the goroutine).
	 */
	XG_EVF_PM = 1u << 3,
	/* XG_EV_ALLOC: arg2 is the hint of the runtime.makemap call that made it. */
	XG_EVF_HINT = 1u << 4,
	/*
	 * XG_EV_STATE to waiting (not a creation), go1.19 only: arg2 is
	 * casgstatus's return address (run-time), which names the wait when
	 * the runtime sets gp.waitreason after the call or never (see
	 * src/goexe/waitsites.c).
	 */
	XG_EVF_CALLER = 1u << 5,
	/*
	 * XG_EV_STATE from the sys_enter / sys_exit tracepoints (go1.26+):
	 * running -> syscall or syscall -> running of a goroutine whose status
	 * is _Gsyscall there; ip is 0.
	 */
	XG_EVF_SYSCALL_TP = 1u << 6,
	/*
	 * XG_EV_STATE to dead (or deadextra) of a goroutine whose creation the
	 * probes did not see (no gcache entry for its g): arg0 = its parent's
	 * goid (go1.21+, else 0), arg1 = gp.startpc, arg2 = gp.gopc, read with
	 * its goid. A creation in flight across a switch from states to
	 * lifecycle can be seen by neither level (src/live/capture.c); the
	 * decoder then says its create from its end.
	 */
	XG_EVF_GINFO = 1u << 7,
	/*
	 * With XG_EVF_CREATE: arg1 is not gp.startpc, a go statement's
	 * wrapper that calls through its closure, but the code it calls, read
	 * from the closure (g.sched.ctxt) with the wrapper's struct
	 * xg_wrap_call (src/goexe/gowrap.h): the start function Go's
	 * traceback shows, the wrapper being hidden.
	 */
	XG_EVF_CALLEE = 1u << 8,
};

/*
 * A wrapper's closure call: its callee's code is at *(*(closure +
 * ptr_off) + code_off). Values of the map wrap_calls, keyed by the
 * wrapper's link-time entry.
 */
struct xg_wrap_call {
	__u32 ptr_off;
	__u32 code_off;
};

/*
 * One ring-buffer record. For creation: arg0 = goid of the creating
 * goroutine (g0.m.curg.goid), arg1 = gp.startpc (or the wrapper's callee,
 * XG_EVF_CALLEE), arg2 = gp.gopc.
 * goid is read from gp when the probe fires; before go1.24 newproc1 sets it
 * only after the dead->runnable transition, so user space takes the goid
 * of a new goroutine from its next record (see src/live/decode.c).
 *
 * XG_EV_ALLOC: goid and g of the goroutine charged (the current g, or
 * m.curg when mallocgc runs on g0; 0 when there is none), from = enum
 * xg_alloc_kind, to = size-class bucket (XG_ALLOC_TINY ... XG_ALLOC_LARGE),
 * arg0 = requested bytes (mallocgc's size), arg1 = the *_type (run-time
 * address, 0 for untyped memory), arg2 = map hint (XG_EVF_HINT).
 *
 * XG_EV_GC: from = enum xg_gc_phase; goid = m.curg's (who triggered or
 * runs it, 0 if none); reason = stwReason with XG_EVF_REASON (go1.21+,
 * XG_GC_STW_START); for XG_GC_START arg0 = gcTrigger.kind, arg1 =
 * gcTrigger.n, arg2 = procs (GOMAXPROCS of the cycle).
 */
struct xg_event {
	__u64 ts; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 goid;
	__u64 g; /* address of the g in the target */
	__u64 arg0;
	__u64 arg1;
	__u64 arg2;
	__u64 ip;  /* where the probe fired: gives the load bias of PIE targets */
	__u32 pid; /* tgid */
	__u32 tid;
	__u8 type;
	__u8 from;
	__u8 to;
	__u8 reason;
	__u32 flags;
};

_Static_assert(sizeof(struct xg_event) == 72, "struct xg_event is part of the ABI");

/*
 * Offsets into the target's runtime structures, filled from DWARF or from
 * the per-version table (src/goexe/gotables.c) and handed to BPF as rodata.
 */
struct xg_offsets {
	__u32 g_goid;
	__u32 g_m;
	__u32 g_waitreason;
	__u32 g_gopc;
	__u32 g_startpc;
	__u32 m_curg;
	__u32 m_procid;
	__u32 m_id;
	__u32 m_p;
	__u32 p_id;
	__u32 g_waitsince;
	__u32 g_parent_goid; /* 0: the field does not exist (before go1.21) */
};

_Static_assert(sizeof(struct xg_offsets) == 48, "struct xg_offsets is part of the ABI");

/* ---- allocations --------------------------------------------------------------------------- */

/* What made a heap allocation, from the functions on the stack above mallocgc. */
enum xg_alloc_kind {
	XG_AK_OTHER = 0,     /* runtime internals, reflect, ... */
	XG_AK_OBJECT = 1,    /* new(T), escaping variables, closures: runtime.newobject */
	XG_AK_SLICE = 2,     /* make([]T, len, cap): runtime.makeslice */
	XG_AK_APPEND = 3,    /* append beyond cap: runtime.growslice */
	XG_AK_MAP = 4,	     /* map headers, buckets, groups, tables: make(map) and inserts */
	XG_AK_STRING = 5,    /* string and []byte/[]rune conversions and concatenation */
	XG_AK_CHAN = 6,	     /* make(chan T, n): runtime.makechan */
	XG_AK_GOROUTINE = 7, /* a new goroutine's g: runtime.malg */
	XG_AK_NKINDS = 8,
};

/*
 * Size-class buckets of the allocation histogram: the tiny allocator, Go's
 * 67 size classes (1..67, identical from go1.19 to go1.26), large objects.
 */
#define XG_ALLOC_TINY	   0
#define XG_ALLOC_NCLASSES  68 /* class 0 is unused by Go: it is our tiny bucket */
#define XG_ALLOC_LARGE	   68
#define XG_ALLOC_BUCKETS   69
#define XG_ALLOC_MAX_SMALL 32768
#define XG_ALLOC_TINY_SIZE 16

/*
 * A range of link-time addresses of functions that allocate on someone's
 * behalf, sorted, for the kind of an allocation: walking up from mallocgc,
 * the first frame outside every range ends the walk, and so does a range
 * without XG_PCR_THROUGH. The kind is the first one more specific than
 * "object" met on the way, except that map code claims everything below
 * it (map internals make their arrays with makeslice and newobject).
 */
enum xg_pc_range_flags {
	XG_PCR_THROUGH = 1u << 0,
	XG_PCR_MAKEMAP = 1u << 1, /* runtime.makemap: look up the hint it was given */
};

struct xg_pc_range {
	__u64 start;
	__u64 end;
	__u8 kind;
	__u8 flags;
	__u8 pad[6];
};

_Static_assert(sizeof(struct xg_pc_range) == 24, "struct xg_pc_range is part of the ABI");

#define XG_MAX_PC_RANGES 128 /* a power of two */
#define XG_ALLOC_DEPTH	 10  /* frames walked above mallocgc */

/* What the mallocgc program needs, filled by the loader (src/goexe/allocs.c) as rodata. */
struct xg_alloc_conf {
	/* Link-time address of the mallocgc probe: ip - site, page-aligned, is the load bias. */
	__u64 site;
	/* runtime.mallocgc, link-time: the size-specialised functions it calls are its hits. */
	__u64 mallocgc_start;
	__u64 mallocgc_end;
	/* Scan objects larger than this carry an 8-byte malloc header (go1.22+); 0: never. */
	__u32 header_min;
	__u32 n_ranges;
	/* 1: a ring record per allocation; 0: the histogram only. */
	__u32 events;
	__u32 pad;
	__u16 class_size[XG_ALLOC_NCLASSES]; /* runtime.class_to_size */
	struct xg_pc_range ranges[XG_MAX_PC_RANGES];
};

/* The histogram map: per process and bucket, counted in BPF, read by user space. */
struct xg_hist_key {
	__u32 pid;
	__u32 bucket;
};

struct xg_hist_val {
	__u64 count;
	__u64 bytes; /* requested */
};

/* ---- GC ------------------------------------------------------------------------------------ */

enum xg_gc_phase {
	XG_GC_START = 1,     /* (*gcControllerState).startCycle: a cycle begins (world stopped) */
	XG_GC_MARK_TERM = 2, /* gcMarkTermination: marking is done (world stopped) */
	XG_GC_SWEEP = 3,     /* gcSweep: the mark phase ends, sweeping begins (world stopped) */
	XG_GC_STW_START = 4, /* stopTheWorldWithSema: the world starts to stop */
	XG_GC_STW_END = 5,   /* startTheWorldWithSema: the world starts again */
	XG_GC_END = 6,	     /* made by the decoder: the STW of the sweep phase ended */
};

/* ---- rings ------------------------------------------------------------------------------- */

/* -rw N: at most this many ring buffers (and reader threads); keep in sync with WORKERS_MAX. */
#define XG_MAX_RINGS 16

/* ---- probe hits ----------------------------------------------------------------------------- */

/* Indexes of the per-CPU hit counters: what each probe costs the target, in hits. */
enum xg_hit {
	XG_HIT_CASGSTATUS = 0,
	XG_HIT_MALLOCGC = 1,
	XG_HIT_MAKEMAP = 2,
	XG_HIT_GC = 3,
	XG_HIT_SCHED = 4, /* context switches of the target's threads (either side) */
	XG_HIT_N = 5,
};

/* ---- sampling (-sample) --------------------------------------------------------------------- */

/*
 * What a -sample rate applies to. The first six are xgotop's names and
 * sample each record on its own (a coin per record); XG_SMP_GOROUTINE keeps
 * or drops goroutines whole, by xg_goid_hash of (pid, goid), so that every
 * hook agrees without sharing state.
 */
enum xg_sample_what {
	XG_SMP_CASGSTATUS = 0,	 /* state changes other than creation and exit */
	XG_SMP_NEWGOROUTINE = 1, /* creations */
	XG_SMP_GOEXIT = 2,	 /* exits */
	XG_SMP_MAKESLICE = 3,	 /* allocations of kind slice */
	XG_SMP_MAKEMAP = 4,	 /* allocations of kind map */
	XG_SMP_NEWOBJECT = 5,	 /* allocations of kind object */
	XG_SMP_GOROUTINE = 6,	 /* whole goroutines */
	XG_SMP_N = 7,
};

/* A rate as a threshold: kept when a 32-bit draw is below it; XG_SMP_ALL keeps all. */
#define XG_SMP_ALL (1ull << 32)

/*
 * The BPF programs' sampling state, in .data: user space may change it at
 * any time through the skeleton's memory-mapped copy (one aligned 64-bit
 * store per field).
 */
struct xg_sample {
	__u64 thresh[XG_SMP_N];
	/* Any threshold below XG_SMP_ALL: the fast path tests this alone. */
	__u32 on;
	/*
	 * Before go1.24 the creating casgstatus sees the goid of the g's
	 * previous goroutine: creations pass to user space, which decides
	 * once the goid is known (src/live/decode.c).
	 */
	__u32 goid_late;
};

_Static_assert(sizeof(struct xg_sample) == 64, "struct xg_sample is part of the ABI");

/*
 * Whether goroutine GOID of process PID is traced under a goroutine rate of
 * THRESH: the splitmix64 finaliser (Steele, Lea, Flood 2014) of the pair,
 * top 32 bits. The same function runs in BPF, in user space and in the
 * test checker (tests/e2e/checker/sample.go): keep them in sync.
 */
static inline __u64 xg_goid_hash(__u32 pid, __u64 goid)
{
	__u64 x = goid ^ ((__u64)pid << 40) ^ 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x >> 32;
}

static inline int xg_goid_sampled(__u64 thresh, __u32 pid, __u64 goid)
{
	return xg_goid_hash(pid, goid) < thresh;
}

#endif /* XGOTOP_EVENT_H */
