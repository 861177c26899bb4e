// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Uprobes on the Go runtime. Every goroutine status change passes through
 * runtime.casgstatus(gp, oldval, newval); every heap allocation through
 * runtime.mallocgc; GC cycles and stop-the-world pauses through a handful
 * of functions that run a few times per cycle. One ring-buffer record per
 * hit at most: the number of hits, not this code, sets the target's cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "goregs.h"
#include "xgotop_event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Filled by the loader before load (src/live/bpfobj.c). */
const volatile struct xg_offsets off = {};
/* 0: any process mapping the probed binary (-b); else only this tgid. */
const volatile __u32 targ_tgid = 0;
/* Allocation probes: size classes, kind ranges, events or histogram only (src/goexe/allocs.c). */
const volatile struct xg_alloc_conf alloc_conf = {};
/* stopTheWorldWithSema takes the stwReason in its first register (go1.21+). */
const volatile __u32 stw_has_reason = 0;
/* -sample: written by user space while the programs run (src/live/livesrc.c). */
struct xg_sample sample_conf = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader */
} events SEC(".maps");

/*
 * -rw N (N > 1): N ring buffers, one reader thread each, filled by the
 * loader; a record goes to the ring of its CPU. 0 or 1: events alone.
 */
const volatile __u32 n_rings = 0;

struct ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* resized by the loader */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_MAX_RINGS);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

/* Ring-buffer reserve failures, per CPU: summed and reported by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Probe hits per enum xg_hit, per CPU: what tracing cost the target, counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_HIT_N);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* Allocations per process and size-class bucket: no ring traffic. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_ALLOC_BUCKETS * 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xg_hist_key);
	__type(value, struct xg_hist_val);
} alloc_hist SEC(".maps");

/* The hint of the runtime.makemap call a goroutine (g address) is in, for mallocgc. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} map_hints SEC(".maps");

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The ring this CPU writes to; NULL only if the loader left a slot empty. */
static __always_inline void *cpu_ring(void)
{
	__u32 i;

	if (n_rings <= 1)
		return &events;
	i = bpf_get_smp_processor_id() % n_rings;
	return bpf_map_lookup_elem(&rings, &i);
}

/* A record in the ring of this CPU (*RING), or NULL and a drop counted. */
static __always_inline struct xg_event *reserve_record(void **ring)
{
	struct xg_event *e = NULL;
	void *rb = cpu_ring();

	if (rb)
		e = bpf_ringbuf_reserve(rb, sizeof(*e), 0);
	if (!e)
		count_drop();
	*ring = rb;
	return e;
}

/*
 * The head every record starts with: who, when, where, of which kind; the
 * rest zero, for the caller to fill what its kind carries.
 */
static __always_inline void record_head(struct xg_event *e, __u8 type, __u64 ts, __u32 pid,
					__u32 tid, __u64 g, __u64 goid, __u64 ip)
{
	e->ts = ts;
	e->pid = pid;
	e->tid = tid;
	e->type = type;
	e->from = 0;
	e->to = 0;
	e->reason = 0;
	e->flags = 0;
	e->g = g;
	e->goid = goid;
	e->ip = ip;
	e->arg0 = 0;
	e->arg1 = 0;
	e->arg2 = 0;
}

static __always_inline __u32 read_u32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

/* One coin per record for xgotop's per-event rates (WHAT < XG_SMP_N). */
static __always_inline bool coin(__u32 what)
{
	__u64 thresh = sample_conf.thresh[what];

	return thresh >= XG_SMP_ALL || bpf_get_prandom_u32() < thresh;
}

/*
 * -sample on a state change: whole goroutines first, then the per-event
 * rate of creations, exits or other changes. Before go1.24 a creation sees
 * the goid of the g's previous goroutine: all creations pass, and user
 * space decides once the goid is known (src/live/decode.c); that previous goid
 * is also what tells user space whose creation a reused g ends.
 */
static __always_inline bool state_sampled(__u32 tgid, __u64 goid, __u32 from, __u32 to)
{
	bool create = from == XG_G_DEAD && (to == XG_G_RUNNABLE || to == XG_G_WAITING);
	bool exits = to == XG_G_DEAD || to == XG_G_DEADEXTRA;

	if (create && sample_conf.goid_late)
		return true;
	if (!xg_goid_sampled(sample_conf.thresh[XG_SMP_GOROUTINE], tgid, goid))
		return false;
	return coin(create ? XG_SMP_NEWGOROUTINE : exits ? XG_SMP_GOEXIT : XG_SMP_CASGSTATUS);
}

static __always_inline void count_hit(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&hits, &which);

	if (n)
		*n += 1; /* per CPU: no other writer */
}

/* The goroutine a probe hit is charged to: the current g, or m.curg on g0. */
static __always_inline __u64 charged_g(__u64 g, __u64 *goid)
{
	__u64 m, curg;

	*goid = read_u64(g + off.g_goid);
	if (*goid)
		return g;
	/* goid 0 is a g0 (or gsignal): the user goroutine is its m's curg. */
	m = read_u64(g + off.g_m);
	curg = m ? read_u64(m + off.m_curg) : 0;
	*goid = curg ? read_u64(curg + off.g_goid) : 0;
	return curg;
}

/* When a record last woke the reader (any CPU; a lost race costs one wakeup). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wakeup SEC(".maps");

#define WAKEUP_NS      (10 * 1000 * 1000)
#define WAKEUP_FULL_NS (1000 * 1000)

/*
 * Waking the reader (an irq_work, then the reader's context switch) cost
 * 2 to 4 us more per allocation hit, measured. Records wake it
 * only when 10 ms have passed since the last wakeup, or 1 ms when an
 * eighth of the ring is full; the first record after a quiet spell wakes
 * it at once, and the reader also consumes the ring when its poll times
 * out (src/live/rings.c, rings__pump). It consumes the whole ring each
 * time, so the order of records is unchanged; the decoder's reorder window
 * (20 ms) outlasts the 10 ms. The 1 ms: a ring an eighth full is mostly a
 * reader still at work on the last wakeup's records, and each wakeup
 * queues an irq_work, a self-IPI (an APIC write, a VM exit on a VM): with
 * a wakeup per batch while go1.26 churn kept its ring that full, they were
 * 7 % of casgstatus's time (perf). The smallest ring (--ringbuf-mb 1)
 * fills its other seven eighths in 1 ms only at 11 million records a
 * second, beyond what uprobe traps allow.
 */
static __always_inline __u64 lazy_wakeup(void *ring, __u64 now)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&last_wakeup, &zero);
	__u64 since = last ? now - *last : WAKEUP_NS + 1;

	if (since > WAKEUP_NS ||
	    (since > WAKEUP_FULL_NS && bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >
					       bpf_ringbuf_query(ring, BPF_RB_RING_SIZE) / 8)) {
		if (last)
			*last = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/*
 * Each bpf_probe_read_user costs more than the bytes it copies (fault
 * handling set up and torn down, the destination checked by hardened
 * usercopy: 100 to 200 ns a call here, measured with bpf_stats), so
 * casgstatus reads user memory only when the answer can change, and then
 * the g fields it needs in one span and m.procid..m.id in another, when
 * the loader found that the offsets fit (src/live/bpfobj.c, span_of).
 * 0: one read per field.
 */
#define XG_GSPAN_MAX 192
#define XG_MSPAN_MAX 192
_Static_assert(XG_MSPAN_MAX <= XG_GSPAN_MAX, "read_m reads into the g span's buffer");
const volatile __u32 g_span_base = 0, g_span_len = 0;
const volatile __u32 m_span_base = 0, m_span_len = 0;
/* newproc1 sets the goid before the creating casgstatus (go1.24+; src/goexe/gotables.c). */
const volatile __u32 goid_at_create = 0;

/*
 * What casgstatus keeps of a goroutine between hits: its goid (fixed for
 * the goroutine's life) and the state and wait reason its last hit left it
 * in, in a direct-mapped cache indexed by a hash of (g address, process):
 * an array lookup is a few inlined instructions, where a hash map hashes
 * the key and walks a bucket to look up (60 ns, measured with bpf_stats)
 * and takes a bucket lock to insert or delete: an LRU hash version cost
 * what the reads it saved did (docs/OVERHEAD.md §4). Colliding goroutines evict each other: a miss
 * costs a read, as before the cache. Slots are written by any CPU with
 * plain stores, so each carries a checksum of its fields: a slot read
 * while another CPU rewrites it fails the check (but for a 2^-64 chance)
 * and counts as a miss.
 *
 * A g is reused from the free list (gfget) for a new goroutine: every hit
 * from dead (newproc1, and cgo's needm from deadextra) rewrites its slot
 * before anything reads it, and every hit to dead clears it. Before go1.24
 * the creating hit still sees the previous goroutine's goid: its slot says
 * the goid is unknown and the next hit reads it.
 */
#define XG_GCACHE_SLOTS (1u << 16)
#define XG_MCACHE_SLOTS (1u << 12)

struct gslot {
	__u64 g;
	__u64 goid;
	__u32 tgid;
	__u8 known;  /* goid is this goroutine's */
	__u8 state;  /* the last hit's "to" */
	__u8 reason; /* its wait reason when state is waiting */
	__u8 pad;
	__u64 check;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_GCACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct gslot);
} gcache SEC(".maps");

/*
 * The M of each thread: an M is one OS thread for its whole life (minit
 * stores the thread id in m.procid, runtime/os_linux.go), so the M that
 * runs a goroutine switched to running (on its own thread: execute,
 * exitsyscall, copystack) is found by thread id; m.procid is read with
 * m.p and m.id and must equal the thread id, or the slot is stale (a
 * thread id reused) and gp.m is read instead. The P an M holds changes:
 * m.p is read each time, p.id only when m.p is not the P seen last.
 */
struct mslot {
	__u64 pid_tgid;
	__u64 m;
	__u64 p;
	__u64 p_id;
	__u64 check;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_MCACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct mslot);
} mcache SEC(".maps");

/* The splitmix64 finaliser (as xg_goid_hash): slot indexes and checksums. */
static __always_inline __u64 mix64(__u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static __always_inline __u64 gslot_sum(const struct gslot *v)
{
	return mix64(v->g ^ mix64(v->goid ^ ((__u64)v->tgid << 24 | (__u64)v->known << 16 |
					     (__u64)v->state << 8 | v->reason)));
}

static __always_inline __u64 mslot_sum(const struct mslot *v)
{
	return mix64(v->pid_tgid ^ mix64(v->m ^ mix64(v->p ^ mix64(v->p_id))));
}

/* The slot of (GP, TGID), NULL only if the map is missing. */
static __always_inline struct gslot *gslot_of(__u64 gp, __u32 tgid)
{
	__u32 i = (__u32)mix64(gp ^ ((__u64)tgid << 48)) & (XG_GCACHE_SLOTS - 1);

	return bpf_map_lookup_elem(&gcache, &i);
}

/* What the slot says of (GP, TGID) into *OUT: true when it holds it, intact. */
static __always_inline bool gslot_get(const struct gslot *s, __u64 gp, __u32 tgid,
				      struct gslot *out)
{
	*out = *s;
	return out->g == gp && out->tgid == tgid && out->check == gslot_sum(out);
}

/* Where a field of SIZE bytes at REL sits in a span of MAX bytes (the loader checked it fits). */
static __always_inline __u32 in_span(__u32 rel, __u32 max, __u32 size)
{
	return rel <= max - size ? rel : 0;
}

static __always_inline __u64 g_u64(const __u8 *span, __u64 gp, __u32 o)
{
	if (g_span_len)
		return *(const __u64 *)(span + in_span(o - g_span_base, XG_GSPAN_MAX, 8));
	return read_u64(gp + o);
}

static __always_inline __u8 read_u8(__u64 addr)
{
	__u8 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

static __always_inline __u8 g_u8(const __u8 *span, __u64 gp, __u32 o)
{
	if (g_span_len)
		return span[in_span(o - g_span_base, XG_GSPAN_MAX, 1)];
	return read_u8(gp + o);
}

/* What casgstatus reads of an M. */
struct mread {
	__u64 p, id, tid, curg;
};

/*
 * m.p, m.id, m.procid and m.curg of M into *R: one read into MS (the g
 * span's buffer, of XG_GSPAN_MAX bytes: the stack has no room for both)
 * when they fit in a span, else a read per field (m.curg only if CURG).
 */
static __always_inline void read_m(__u8 *ms, __u64 m, struct mread *r, bool curg)
{
	__u32 len = m_span_len < XG_MSPAN_MAX ? m_span_len : XG_MSPAN_MAX;

	if (!m_span_len) {
		r->id = read_u64(m + off.m_id);
		r->tid = read_u64(m + off.m_procid);
		r->p = read_u64(m + off.m_p);
		r->curg = curg ? read_u64(m + off.m_curg) : 0;
		return;
	}
	bpf_probe_read_user(ms, len, (const void *)(m + m_span_base));
	r->id = *(__u64 *)(ms + in_span(off.m_id - m_span_base, XG_MSPAN_MAX, 8));
	r->tid = *(__u64 *)(ms + in_span(off.m_procid - m_span_base, XG_MSPAN_MAX, 8));
	r->p = *(__u64 *)(ms + in_span(off.m_p - m_span_base, XG_MSPAN_MAX, 8));
	r->curg = *(__u64 *)(ms + in_span(off.m_curg - m_span_base, XG_MSPAN_MAX, 8));
}

/* This thread's slot of mcache into *S and a copy into *C; its M, or 0 if it has none. */
static __always_inline __u64 thread_m(__u64 pid_tgid, struct mslot **s, struct mslot *c)
{
	__u32 i = (__u32)mix64(pid_tgid) & (XG_MCACHE_SLOTS - 1);

	*s = bpf_map_lookup_elem(&mcache, &i);
	if (!*s)
		return 0;
	*c = **s;
	return c->pid_tgid == pid_tgid && c->check == mslot_sum(c) ? c->m : 0;
}

/*
 * P and M of a goroutine switched to running into E, from this thread's
 * M when known (one read: m.p, m.id, m.procid), else from gp.m. MS:
 * scratch of XG_GSPAN_MAX bytes.
 */
static __always_inline void fill_pm(struct xg_event *e, __u8 *ms, __u64 pid_tgid, __u64 gp)
{
	struct mslot *s, c = {};
	__u64 m = thread_m(pid_tgid, &s, &c);
	struct mread r = {};

	if (m) {
		read_m(ms, m, &r, false);
		if (r.tid != (__u32)pid_tgid) /* a thread id reused: gp.m decides */
			m = 0;
	}
	if (!m) {
		m = read_u64(gp + off.g_m);
		if (!m)
			return;
		read_m(ms, m, &r, false);
	}
	e->flags |= XG_EVF_PM;
	e->arg1 = r.id;
	if (c.m == m && c.p == r.p && r.p && c.pid_tgid == pid_tgid) {
		e->arg0 = c.p_id;
		return;
	}
	e->arg0 = r.p ? read_u32(r.p + off.p_id) : (__u64)-1;
	if (r.tid != (__u32)pid_tgid || !s)
		return;
	c.pid_tgid = pid_tgid;
	c.m = m;
	c.p = r.p;
	c.p_id = e->arg0;
	c.check = mslot_sum(&c);
	*s = c;
}

/*
 * The creator's goid: go1.21+ stored it in gp. Before, newproc1 runs on
 * the system stack: the current g is g0, and its m's curg is the goroutine
 * of the go statement; that M is this thread's (mcache), its curg's goid
 * usually in gcache. MS: scratch, as for fill_pm (the g span is read).
 */
static __always_inline __u64 creator_goid(struct pt_regs *ctx, __u8 *ms, __u64 gp, __u64 pid_tgid)
{
	struct mslot *s, c = {};
	struct gslot *gs, gv;
	__u64 m, curg = 0;

	if (off.g_parent_goid)
		return g_u64(ms, gp, off.g_parent_goid);
	m = thread_m(pid_tgid, &s, &c);
	if (m && m_span_len) {
		struct mread r = {};

		read_m(ms, m, &r, true);
		if (r.tid == (__u32)pid_tgid)
			curg = r.curg;
	}
	if (!curg) {
		m = read_u64(GO_G(ctx) + off.g_m);
		curg = m ? read_u64(m + off.m_curg) : 0;
	}
	if (!curg)
		return 0;
	gs = gslot_of(curg, pid_tgid >> 32);
	if (gs && gslot_get(gs, curg, pid_tgid >> 32, &gv) && gv.known)
		return gv.goid;
	return read_u64(curg + off.g_goid);
}

/* After a hit: what the next hit of this g may take from the cache instead of reading. */
static __always_inline void gcache_keep(struct gslot *s, __u64 gp, __u32 tgid, __u64 goid,
					bool known, __u32 to, __u8 reason)
{
	struct gslot v = {
		.g = gp, .goid = goid, .tgid = tgid, .known = known, .state = to, .reason = reason};

	if (!s)
		return;
	if (to == XG_G_DEAD || to == XG_G_DEADEXTRA) {
		/* Only our own: the slot may hold a colliding goroutine. */
		if (s->g == gp && s->tgid == tgid)
			s->check = 0;
		return;
	}
	v.check = gslot_sum(&v);
	*s = v;
}

/*
 * Where casgstatus's return address is at its probe site (go1.19 only, for
 * XG_EVF_CALLER): 0 nowhere (off), 1 in LR (arm64 before the prologue),
 * 2 at SP + casg_ra_off (the pcsp table's SP delta at the site).
 */
const volatile __u32 casg_ra_mode = 0;
const volatile __u32 casg_ra_off = 0;

/* A wait entered: who called casgstatus, for the reasons go1.19 sets late or never. */
static __always_inline void wait_caller(struct pt_regs *ctx, struct xg_event *e)
{
	if (!casg_ra_mode || e->to != XG_G_WAITING || (e->flags & XG_EVF_CREATE))
		return;
	e->arg2 = casg_ra_mode == 1 ? GO_LR(ctx) : read_u64(GO_SP(ctx) + casg_ra_off);
	e->flags |= XG_EVF_CALLER;
}

/*
 * Go statements whose wrapper calls through its closure (a closure value,
 * a method value, an interface method; src/goexe/gowrap.c): the wrapper's
 * link-time entry -> where its callee is. Filled by the loader; empty
 * (wrap_on 0) when the binary has none.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u64);
	__type(value, struct xg_wrap_call);
} wrap_calls SEC(".maps");

const volatile __u32 wrap_on = 0;
/*
 * The page offsets (entry & 0xfff) of those wrappers, one bit each, set by
 * the loader: the load bias is a multiple of the page size, so a start PC
 * whose bit is clear is no wrapper in any process, and the creating hit
 * skips the 2 to 4 hash lookups (about 60 ns each, bpf_stats) of wrap_in.
 */
const volatile __u64 wrap_bits[XG_WRAP_BITS / 64] = {};
/*
 * Link-time [start, end) of runtime.casgstatus and runtime.newproc1: a
 * creating hit fires in one (at casgstatus's site, or at newproc1's call
 * of it, src/goexe/probes.c), whatever the capture level, so the load bias
 * is the probe ip less the address of the same page offset in either.
 */
const volatile __u64 casg_fn[2][2] = {};
/* g.sched.ctxt: g.sched at 56, gobuf.ctxt at 24 (runtime/runtime2.go, go1.19 to go1.26). */
#define XG_G_SCHED_CTXT 80
/* Pages of casgstatus or newproc1 tried: both are 1-2 KiB (go1.19 to go1.26, amd64). */
#define XG_FN_PAGES 2

/* The wrapper call of STARTPC, for a bias that puts IP inside FN: NULL none. */
static __always_inline struct xg_wrap_call *wrap_in(__u64 ip, __u64 startpc, __u32 fn)
{
	__u64 start = casg_fn[fn & 1][0], end = casg_fn[fn & 1][1];
	/* the first address of FN at IP's page offset */
	__u64 a = start + ((ip - start) & 0xfff), key;
	struct xg_wrap_call *w;
	__u32 j;

	for (j = 0; j < XG_FN_PAGES && a < end && a <= ip; j++, a += 4096) {
		key = startpc - (ip - a);
		w = bpf_map_lookup_elem(&wrap_calls, &key);
		if (w)
			return w;
	}
	return NULL;
}

/*
 * A goroutine created in a wrapper that calls through its closure: the code
 * it calls, read from the closure newproc1 left in gp.sched.ctxt (it is
 * cleared when the goroutine first runs: asm_amd64.s gogo). 0: none.
 */
static __always_inline __u64 wrapped_callee(struct pt_regs *ctx, __u64 gp, __u64 startpc)
{
	__u64 ip = GO_IP(ctx), clo, p;
	__u32 bit = startpc & (XG_WRAP_BITS - 1);
	struct xg_wrap_call *w;

	if (!wrap_on || !(wrap_bits[bit / 64] & (1ull << (bit % 64))))
		return 0;
	w = wrap_in(ip, startpc, 0);
	if (!w)
		w = wrap_in(ip, startpc, 1);
	if (!w)
		return 0;
	clo = read_u64(gp + XG_G_SCHED_CTXT);
	p = clo ? read_u64(clo + w->ptr_off) : 0;
	return p ? read_u64(p + w->code_off) : 0;
}

/*
 * casgstatus's records go to the ring XG_BATCH at a time: a reserve and a
 * submit cost about 120 ns a record here (bpf_stats, docs/OVERHEAD.md),
 * most of it per call. Each CPU fills its own batch and writes it to its
 * ring as one sample when full (user space splits it: src/live/rings.c);
 * user space empties every CPU's batch before each read of the rings
 * (flush_batch, run on each CPU), so a record waits no longer than it
 * would in the ring. A uprobe program runs with migration disabled but
 * preemptible (bpf_prog_run_array_uprobe: migrate_disable, rcu_read_lock),
 * so two threads can take turns on one CPU: the batch is claimed with a
 * compare-and-swap, and a hit that finds it claimed, or a flush that does,
 * writes to the ring directly (or leaves the batch to the next flush).
 * batch_on 0: a record per hit, reserved in the ring. The loader turns it
 * on after load, once it has run flush_batch here (BPF_F_TEST_RUN_ON_CPU
 * for raw_tp needs Linux 5.10; src/live/bpfobj.c), at every capture level:
 * a change seen by two sites during a level switch is paired in timestamp
 * order (src/live/decode.c second_site), which batching does not disturb.
 */
#define XG_BATCH 32
__u32 batch_on = 0;

struct batch {
	__u64 busy; /* 1: claimed (64 bits: the BPF ISA's v1 atomics) */
	__u64 n;    /* records in rec */
	struct xg_event rec[XG_BATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct batch);
} batches SEC(".maps");

/* This CPU's batch, claimed, and in *E the slot of the next record; NULL if not ours. */
static __always_inline struct batch *batch_claim(struct xg_event **e)
{
	__u32 zero = 0;
	struct batch *b = bpf_map_lookup_elem(&batches, &zero);

	if (!batch_on || !b || __sync_val_compare_and_swap(&b->busy, 0, 1))
		return NULL;
	*e = &b->rec[b->n & (XG_BATCH - 1)];
	return b;
}

/* N records of B to RING as one sample, or counted as drops. */
static __always_inline void batch_out(struct batch *b, __u64 n, void *ring, __u64 now)
{
	n &= 2 * XG_BATCH - 1;
	if (n > XG_BATCH)
		n = XG_BATCH;
	if (!ring ||
	    bpf_ringbuf_output(ring, b->rec, n * sizeof(b->rec[0]), lazy_wakeup(ring, now)))
		while (n--)
			count_drop();
	b->n = 0;
}

/*
 * The claim given back. Whoever uses a CPU's batch runs on that CPU (the
 * probes with migration disabled, flush_batch in an IPI), so the claim's
 * compare-and-swap guards against preemption and interrupts on this CPU
 * only, and giving it back is a plain store after the record's stores: a
 * CPU sees its own stores in program order, an interrupt or a context
 * switch all of them. A locked exchange here cost about 6 % of the
 * program's samples (perf, go1.26 churn).
 */
static __always_inline void batch_release(struct batch *b)
{
	asm volatile("" ::: "memory");
	*(volatile __u64 *)&b->busy = 0;
}

/* The record just written in B counted, the batch out if full, the claim given back. */
static __always_inline void batch_commit(struct batch *b, __u64 now)
{
	if (++b->n >= XG_BATCH)
		batch_out(b, XG_BATCH, cpu_ring(), now);
	batch_release(b);
}

/* Run by user space on each CPU (BPF_F_TEST_RUN_ON_CPU): that CPU's batch out. 1: claimed. */
SEC("raw_tp")
int flush_batch(void *ctx)
{
	__u32 zero = 0;
	struct batch *b = bpf_map_lookup_elem(&batches, &zero);

	if (!b)
		return 0;
	if (__sync_val_compare_and_swap(&b->busy, 0, 1))
		return 1;
	if (b->n)
		batch_out(b, b->n, cpu_ring(), bpf_ktime_get_ns());
	batch_release(b);
	return 0;
}

SEC("uprobe")
int casgstatus(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 gp = GO_ARG1(ctx);
	__u32 from = (__u32)GO_ARG2(ctx) & ~XG_GSCAN;
	__u32 to = (__u32)GO_ARG3(ctx) & ~XG_GSCAN;
	/* newproc1's dead -> runnable, or cgo's needm from deadextra: a new goroutine in gp. */
	bool born = from == XG_G_DEAD || from == XG_G_DEADEXTRA;
	__u8 span[XG_GSPAN_MAX] __attribute__((aligned(8)));
	struct gslot *slot, cv, *c = NULL;
	struct xg_event *e = NULL;
	struct batch *b;
	__u8 reason = 0;
	void *ring;
	__u64 goid;

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	count_hit(XG_HIT_CASGSTATUS);
	/* malg: a g is born idle and parked dead before any goroutine uses it. */
	if (from == XG_G_IDLE)
		return 0;

	slot = gslot_of(gp, tgid);
	if (!born && slot && gslot_get(slot, gp, tgid, &cv))
		c = &cv;
	if (!c || !c->known) {
		/* A failed read leaves zeros: the fields then read as 0, as read_u64's do. */
		if (g_span_len)
			bpf_probe_read_user(span,
					    g_span_len < XG_GSPAN_MAX ? g_span_len : XG_GSPAN_MAX,
					    (const void *)(gp + g_span_base));
		goid = g_u64(span, gp, off.g_goid);
	} else {
		goid = c->goid;
	}
	if (sample_conf.on && !state_sampled(tgid, goid, from, to))
		goto keep;
	b = batch_claim(&e);
	if (!b)
		e = reserve_record(&ring);
	if (!e)
		goto keep;
	record_head(e, XG_EV_STATE, bpf_ktime_get_ns(), tgid, (__u32)pid_tgid, gp, goid,
		    GO_IP(ctx));
	e->from = from;
	e->to = to;
	if (to == XG_G_WAITING) {
		e->reason = (c && c->known) ? read_u8(gp + off.g_waitreason)
					    : g_u8(span, gp, off.g_waitreason);
		e->flags |= XG_EVF_REASON;
	} else if (from == XG_G_WAITING) {
		/* The reason read when the wait began, unless that was none or unseen. */
		if (c && c->known && c->state == XG_G_WAITING && c->reason)
			e->reason = c->reason;
		else
			e->reason = (c && c->known) ? read_u8(gp + off.g_waitreason)
						    : g_u8(span, gp, off.g_waitreason);
		e->flags |= XG_EVF_FROM_REASON;
	}
	reason = to == XG_G_WAITING ? e->reason : 0;
	if (born && (to == XG_G_RUNNABLE || to == XG_G_WAITING) && from == XG_G_DEAD) {
		__u64 callee;

		e->flags |= XG_EVF_CREATE;
		e->arg1 = g_u64(span, gp, off.g_startpc);
		e->arg2 = g_u64(span, gp, off.g_gopc);
		callee = wrapped_callee(ctx, gp, e->arg1);
		if (callee) {
			e->arg1 = callee;
			e->flags |= XG_EVF_CALLEE;
		}
		/* Last: it may reuse the span's buffer. */
		e->arg0 = creator_goid(ctx, span, gp, pid_tgid);
	} else if (to == XG_G_RUNNING) {
		fill_pm(e, span, pid_tgid, gp);
	} else if (!c && (to == XG_G_DEAD || to == XG_G_DEADEXTRA)) {
		/* An end whose beginning no hit saw: who it was, from the g read for its goid. */
		e->flags |= XG_EVF_GINFO;
		e->arg0 = off.g_parent_goid ? g_u64(span, gp, off.g_parent_goid) : 0;
		e->arg1 = g_u64(span, gp, off.g_startpc);
		e->arg2 = g_u64(span, gp, off.g_gopc);
	}
	wait_caller(ctx, e);
	if (b)
		batch_commit(b, e->ts);
	else
		bpf_ringbuf_submit(e, lazy_wakeup(ring, e->ts));
keep:
	gcache_keep(slot, gp, tgid, goid, !born || goid_at_create, to, reason);
	return 0;
}

/* ---- allocations ------------------------------------------------------------------------ */

/* Index of the range of alloc_conf holding PC (link-time), or -1. */
static __always_inline int find_range(__u64 pc)
{
	__u32 lo = 0, hi = alloc_conf.n_ranges, i;

	if (hi > XG_MAX_PC_RANGES)
		hi = XG_MAX_PC_RANGES;
	for (i = 0; i < 8 && lo < hi; i++) {
		__u32 mid = ((lo + hi) / 2) & (XG_MAX_PC_RANGES - 1);

		if (pc < alloc_conf.ranges[mid].start)
			hi = mid;
		else if (pc >= alloc_conf.ranges[mid].end)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

/*
 * What made the allocation: walk the frame-pointer chain up from
 * mallocgc's caller while the frames belong to allocating runtime code.
 * The probe sits before mallocgc's prologue (its spec reads SP and FP), so
 * the return address is at SP (LR on arm64) and FP is the caller's.
 */
static __always_inline __u8 alloc_kind(struct pt_regs *ctx, __u64 bias, __u8 kind, bool *in_makemap)
{
	__u64 pc = GO_RET_IN_REG ? GO_LR(ctx) : read_u64(GO_SP(ctx));
	__u64 fp = GO_FP(ctx);
	int i;

	for (i = 0; i < XG_ALLOC_DEPTH; i++) {
		int r = find_range(pc - bias);
		__u8 k, flags;

		if (r < 0)
			break;
		r &= XG_MAX_PC_RANGES - 1;
		k = alloc_conf.ranges[r].kind;
		flags = alloc_conf.ranges[r].flags;
		if (flags & XG_PCR_MAKEMAP)
			*in_makemap = true;
		if (kind == XG_AK_OTHER || kind == XG_AK_OBJECT || k == XG_AK_MAP)
			kind = k;
		if (!(flags & XG_PCR_THROUGH) || !fp)
			break;
		pc = read_u64(fp + 8);
		fp = read_u64(fp);
	}
	return kind;
}

/* The histogram bucket the runtime's size-class choice puts this allocation in. */
static __always_inline __u32 size_bucket(__u64 size, __u64 typ)
{
	/* _type.PtrBytes (ptrdata before go1.21), at offset 8 in every release. */
	bool noscan = !typ || !read_u64(typ + 8);
	__u32 header = alloc_conf.header_min ? 8 : 0;
	__u32 lo = 1, hi = XG_ALLOC_NCLASSES - 1, i;

	if (size > XG_ALLOC_MAX_SMALL - header)
		return XG_ALLOC_LARGE;
	if (noscan && size < XG_ALLOC_TINY_SIZE)
		return XG_ALLOC_TINY;
	if (!noscan && header && size > alloc_conf.header_min)
		size += header;
	/* The smallest class that holds SIZE. */
	for (i = 0; i < 8 && lo < hi; i++) {
		__u32 mid = ((lo + hi) / 2) & 127;

		if (mid >= XG_ALLOC_NCLASSES)
			break;
		if (alloc_conf.class_size[mid] < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static __always_inline void hist_add(__u32 tgid, __u32 bucket, __u64 size)
{
	struct xg_hist_key k = {.pid = tgid, .bucket = bucket};
	struct xg_hist_val *v = bpf_map_lookup_elem(&alloc_hist, &k);

	if (!v) {
		struct xg_hist_val zero = {};

		bpf_map_update_elem(&alloc_hist, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&alloc_hist, &k);
		if (!v)
			return;
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->bytes, size);
}

/*
 * One allocation of SIZE bytes of TYP: the histogram, and the record.
 * KIND: what the probed function itself says (object for new(T)'s
 * size-specialised functions), refined by the frames above it.
 */
static __always_inline int alloc_hit(struct pt_regs *ctx, __u64 bias, __u8 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 size = GO_ARG1(ctx), typ = GO_ARG2(ctx), g, goid;
	bool in_makemap = false;
	struct xg_event *e;
	void *ring;
	__u32 bucket;

	count_hit(XG_HIT_MALLOCGC);
	/* Zero-sized requests return &zerobase: nothing is allocated. */
	if (!size)
		return 0;
	bucket = size_bucket(size, typ);
	hist_add(tgid, bucket, size);
	if (!alloc_conf.events)
		return 0;

	kind = alloc_kind(ctx, bias, kind, &in_makemap);
	/* xgotop's per-event rates; other kinds are kept whole. */
	if (sample_conf.on && ((kind == XG_AK_SLICE && !coin(XG_SMP_MAKESLICE)) ||
			       (kind == XG_AK_MAP && !coin(XG_SMP_MAKEMAP)) ||
			       (kind == XG_AK_OBJECT && !coin(XG_SMP_NEWOBJECT))))
		return 0;
	g = charged_g(GO_G(ctx), &goid);
	e = reserve_record(&ring);
	if (!e)
		return 0;
	record_head(e, XG_EV_ALLOC, bpf_ktime_get_ns(), tgid, (__u32)pid_tgid, g, goid, GO_IP(ctx));
	e->from = kind;
	e->to = (__u8)bucket;
	e->arg0 = size;
	e->arg1 = typ;
	if (in_makemap) {
		/* makemap runs on the goroutine itself, and so does its mallocgc. */
		__u64 cur = GO_G(ctx);
		__u64 *hint = bpf_map_lookup_elem(&map_hints, &cur);

		if (hint) {
			e->arg2 = *hint;
			e->flags |= XG_EVF_HINT;
		}
	}
	bpf_ringbuf_submit(e, lazy_wakeup(ring, e->ts));
	return 0;
}

/* runtime.mallocgc(size uintptr, typ *_type, needzero bool): every heap allocation. */
SEC("uprobe")
int mallocgc(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	return alloc_hit(ctx, (GO_IP(ctx) - alloc_conf.site) & ~0xfffull, XG_AK_OTHER);
}

/*
 * runtime.mallocgcSmallNoScanSC<n>, ...ScanNoHeaderSC<n>, mallocgcTinySize<n>
 * (go1.26, GOEXPERIMENT=sizespecializedmalloc), same arguments as mallocgc:
 * called by mallocgc's dispatch (its own probe counted those) or directly
 * by the compiler for new(T). The attach cookie is the site's link-time
 * address (one program, many sites); loaded only when attached (5.15+).
 */
SEC("uprobe")
int mallocgc_sc(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 bias = (GO_IP(ctx) - bpf_get_attach_cookie(ctx)) & ~0xfffull;
	__u64 ret = GO_RET_IN_REG ? GO_LR(ctx) : read_u64(GO_SP(ctx));

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	if (ret - bias >= alloc_conf.mallocgc_start && ret - bias < alloc_conf.mallocgc_end)
		return 0;
	return alloc_hit(ctx, bias, XG_AK_OBJECT);
}

/* runtime.makemap(t *maptype, hint int, h *hmap): the hint, for the allocations it makes. */
SEC("uprobe")
int makemap(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 g = GO_G(ctx), hint = GO_ARG2(ctx);

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	count_hit(XG_HIT_MAKEMAP);
	bpf_map_update_elem(&map_hints, &g, &hint, BPF_ANY);
	return 0;
}

/* ---- GC and stop-the-world ------------------------------------------------------------- */

static __always_inline int gc_event(struct pt_regs *ctx, __u8 phase, __u8 reason, __u32 flags,
				    __u64 a0, __u64 a1, __u64 a2)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct xg_event *e;
	__u64 g, goid;
	void *ring;

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	count_hit(XG_HIT_GC);
	g = charged_g(GO_G(ctx), &goid);
	e = reserve_record(&ring);
	if (!e)
		return 0;
	record_head(e, XG_EV_GC, bpf_ktime_get_ns(), tgid, (__u32)pid_tgid, g, goid, GO_IP(ctx));
	e->from = phase;
	e->reason = reason;
	e->flags = flags;
	e->arg0 = a0;
	e->arg1 = a1;
	e->arg2 = a2;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * runtime.(*gcControllerState).startCycle(c, markStartTime int64, procs
 * int, trigger gcTrigger{kind, now, n}): once per cycle, world stopped,
 * after gcStart decided to run it (gcStart itself may return early).
 */
SEC("uprobe")
int gc_start(struct pt_regs *ctx)
{
	return gc_event(ctx, XG_GC_START, 0, 0, GO_ARG4(ctx), GO_ARG6(ctx), GO_ARG3(ctx));
}

/* runtime.gcMarkTermination: once per cycle, world stopped. */
SEC("uprobe")
int gc_mark_term(struct pt_regs *ctx)
{
	return gc_event(ctx, XG_GC_MARK_TERM, 0, 0, 0, 0, 0);
}

/* runtime.gcSweep(mode): inside mark termination, once per cycle: marking is over. */
SEC("uprobe")
int gc_sweep(struct pt_regs *ctx)
{
	return gc_event(ctx, XG_GC_SWEEP, 0, 0, 0, 0, 0);
}

/* runtime.stopTheWorldWithSema([reason stwReason]): every stop, GC or not. */
SEC("uprobe")
int stw_stop(struct pt_regs *ctx)
{
	if (stw_has_reason)
		return gc_event(ctx, XG_GC_STW_START, (__u8)GO_ARG1(ctx), XG_EVF_REASON, 0, 0, 0);
	return gc_event(ctx, XG_GC_STW_START, 0, 0, 0, 0, 0);
}

/* runtime.startTheWorldWithSema: the matching start. */
SEC("uprobe")
int stw_start(struct pt_regs *ctx)
{
	return gc_event(ctx, XG_GC_STW_END, 0, 0, 0, 0, 0);
}

/*
 * Start-up calibration of the OVH meter (src/core/meters.c): attached only to
 * functions of xgotop-tui itself, to time what a uprobe hit costs.
 */
SEC("uprobe")
int xg_calib(struct pt_regs *ctx)
{
	return 0;
}

/* ---- syscalls seen from the kernel (go1.26+) ----------------------------------------------- */

/*
 * go1.26's reentersyscall and exitsyscall switch _Grunning <-> _Gsyscall
 * with a plain CompareAndSwap on gp.atomicstatus (runtime/proc.go:4697 and
 * 4913, go1.26.8), calling casgstatus only on a slow path: the casgstatus
 * probe no longer sees a syscall. These programs watch the target's
 * threads enter and leave the kernel instead. The goroutine is the one in
 * the thread's g register (R14 / R28: Go code makes the syscalls Go counts
 * through ABIInternal, internal/runtime/syscall/linux.Syscall6), checked to
 * be its M's curg (not g0 or gsignal, which run the runtime's own futex and
 * mmap calls); only a goroutine whose status is _Gsyscall is in a syscall
 * Go counts (entersyscall set it before the SYSCALL instruction), so the
 * runtime's internal calls on a running goroutine are left out. On the way
 * out the status is still _Gsyscall: exitsyscall runs after the return.
 * The slow path's casgstatus records the same change a second time; the
 * decoder drops the one that finds the goroutine already there.
 */
const volatile __u32 sys_tp_on = 0;

static __always_inline int sys_edge(struct pt_regs *regs, __u8 from, __u8 to)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 gp, m, goid;
	struct xg_event *e;
	void *ring;

	if (!sys_tp_on || tgid != targ_tgid)
		return 0;
	gp = GO_G(regs);
	/* atomicstatus precedes goid in every release (src/live/gpoll.h). */
	if (!gp || (read_u32(gp + off.g_goid - 8) & ~XG_GSCAN) != XG_G_SYSCALL)
		return 0;
	m = read_u64(gp + off.g_m);
	if (!m || read_u64(m + off.m_curg) != gp)
		return 0;
	/*
	 * And that M is this thread: the g register is the g only in Go code;
	 * a thread whose r14 still held another M's g, in a syscall then on
	 * its own thread, passed the checks above (e2e.events.spin: a syscall
	 * entry of goroutine 18 from a thread it never ran on, its exit never
	 * seen).
	 */
	if (off.m_procid && (__u32)read_u64(m + off.m_procid) != (__u32)pid_tgid)
		return 0;
	goid = read_u64(gp + off.g_goid);
	if (sample_conf.on && !state_sampled(tgid, goid, from, to))
		return 0;
	e = reserve_record(&ring);
	if (!e)
		return 0;
	record_head(e, XG_EV_STATE, bpf_ktime_get_ns(), tgid, (__u32)pid_tgid, gp, goid, 0);
	e->from = from;
	e->to = to;
	e->flags = XG_EVF_SYSCALL_TP;
	if (to == XG_G_RUNNING) {
		/*
		 * The P the M kept through the syscall, which exitsyscall runs
		 * on; none (-1) when sysmon took it: exitsyscall then runs as
		 * _Grunning without a P until it finds one (proc.go:4916).
		 */
		__u64 p = read_u64(m + off.m_p);

		e->arg1 = read_u64(m + off.m_id);

		e->flags |= XG_EVF_PM;
		e->arg0 = p ? read_u32(p + off.p_id) : (__u64)-1;
	}
	bpf_ringbuf_submit(e, lazy_wakeup(ring, e->ts));
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(go_sys_enter, struct pt_regs *regs, long id)
{
	return sys_edge(regs, XG_G_RUNNING, XG_G_SYSCALL);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(go_sys_exit, struct pt_regs *regs, long ret)
{
	return sys_edge(regs, XG_G_SYSCALL, XG_G_RUNNING);
}

/* ---- on-CPU and off-CPU time (sched_switch) ----------------------------------------------- */

/*
 * A goroutine in _Grunning holds a P; its thread may still be off the CPU:
 * preempted by the kernel, throttled by a cgroup CPU limit, or asleep in a
 * page fault. This program runs at every context switch of the machine, so
 * other processes cost two loads of fields of the tasks the tracepoint
 * hands over and two compares (docs/OVERHEAD.md 3c). For the target's
 * threads it notes when and why a thread left its CPU (task storage: no
 * hash) and, when it comes back, writes one record with the time it was
 * off. User space charges it to the goroutine the thread runs (its last
 * `running` record, src/live/offcpu.c): casgstatus runs on the thread at
 * both ends of a running span, so an off interval never straddles one.
 */
struct offcpu {
	__u64 out;   /* switched out then; 0: not seen out */
	__u32 cause; /* enum xg_offcpu_cause */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu);
} offcpu SEC(".maps");

static __always_inline void sched_out(struct task_struct *prev, bool preempt, __u32 state,
				      __u64 now)
{
	struct offcpu *o = bpf_task_storage_get(&offcpu, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!o)
		return;
	o->out = now;
	/* Preempted in the middle of going to sleep, it stays runnable (__schedule). */
	o->cause = preempt || !state ? XG_OFF_PREEMPTED : XG_OFF_BLOCKED;
}

static __always_inline void sched_in(struct task_struct *next, __u64 now)
{
	struct offcpu *o = bpf_task_storage_get(&offcpu, next, 0, 0);
	struct xg_event *e;
	void *ring;

	if (!o || !o->out || now < o->out)
		return;
	e = reserve_record(&ring);
	if (!e)
		return;
	record_head(e, XG_EV_SCHED, now, targ_tgid, next->pid, 0, 0, 0);
	e->from = (__u8)o->cause;
	e->arg0 = now - o->out;
	o->out = 0;
	bpf_ringbuf_submit(e, lazy_wakeup(ring, now));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(go_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	bool out = prev->tgid == targ_tgid, in = next->tgid == targ_tgid;
	__u64 now;

	if (!out && !in)
		return 0;
	count_hit(XG_HIT_SCHED);
	now = bpf_ktime_get_ns();
	if (out)
		sched_out(prev, preempt, prev_state, now);
	if (in)
		sched_in(next, now);
	return 0;
}
