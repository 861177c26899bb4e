// SPDX-License-Identifier: BSD-2-Clause
/*
 * The goroutine state table.
 *
 * Entries live in a pool of fixed-size chunks so that they never move:
 * views keep pointers across applies. An open-addressing index (linear
 * probing, backward-shift deletion, no tombstones) maps (pid, goid) to a
 * pool slot; each index slot is 8 bytes (32 bits of hash, pool index + 1),
 * so the index costs 11 to 23 bytes per goroutine between growths.
 * Exited entries are also queued by exit time, which makes expiry and the
 * caps cost the number of entries they drop rather than the table size.
 *
 * Memory per goroutine is what bounds a big target: an entry is 152 bytes
 * and holds the open span (state, state_since). The spans a goroutine
 * closes go to a ring of 8-byte spans (a "history" block), allocated only
 * when it first changes state: a parked goroutine, the common case by far,
 * never does. Time per state is not kept per goroutine but summed from the
 * ring when asked; only the time of the spans the ring drops (a goroutine
 * that changed more than max_spans times) is kept, in an extension that
 * also holds the off-CPU and allocation counters of the few goroutines
 * that have them. Chunks are mapped and unmapped whole, so that memory
 * freed by churn goes back to the system.
 */
#define _GNU_SOURCE /* qsort_r */
#include "gtable.h"

#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "budget.h"
#include "grow.h"
#include "sanitize.h"
#include "xgotop_event.h"

_Static_assert(GT_NSTATES == XG_G_NSTATES, "totals are indexed by Go status");
_Static_assert(GT_NSTATES <= 16, "a packed span has 4 bits of state");

#define DEFAULT_KEEP_EXITED_NS (30ull * 1000000000ull)
#define DEFAULT_MAX_SPANS      16
#define MAX_SPANS	       1024 /* n_spans, span_cap are 16 bits; as REC_MAX_SPANS */
#define DEFAULT_MAX_EXITED     100000
#define DEFAULT_MAX_EXITED_B   (64ull << 20)
#define FIRST_SPANS	       4
#define CHUNK_SHIFT	       12
#define CHUNK_SIZE	       (1u << CHUNK_SHIFT)
#define INDEX_MIN_CAP	       1024
/* What an entry costs in the index, on average between growths (8-byte slots). */
#define INDEX_BYTES 16
/*
 * History blocks freed by churn are kept for the next goroutines, per ring
 * size (ring_cap), up to this many bytes each; give_back empties them.
 */
#define HCACHE_CLASSES 3
#define HCACHE_BYTES   (1u << 20)
/* gtable__prefetch's hints kept: a power of two, more than PF_SLOT - PF_SPAN. */
#define PF_HINTS 16
/* Freed by expiry since the last malloc_trim: past this, trim (it walks the heap). */
#define TRIM_BYTES (32u << 20)
/* Grow the index past 70% full: linear probing degrades quickly above. */
#define INDEX_LOAD_NUM 7
#define INDEX_LOAD_DEN 10

/* In gentry.table_flags: next to their entry, as a separate array costs a cache miss per event. */
enum {
	EF_USED = 1 << 0,
	EF_CREATED = 1 << 1,  /* a GEV_CREATE was applied */
	EF_EXITED = 1 << 2,   /* a GEV_EXIT was applied */
	EF_EXT_FULL = 1 << 3, /* its extension has dropped_ns */
	/*
	 * Its pool slot is in the interval list (gtable__interval). Kept while
	 * the slot is free and when it is reused, so that it is never listed
	 * twice; only the walks of the list clear it.
	 */
	EF_LISTED = 1 << 4,
	/*
	 * Its open span has off-CPU time (gext.span_off_ns): most never have,
	 * and closing a span would otherwise read the extension, a cache miss
	 * of its own, for every change of state.
	 */
	EF_SPAN_OFF = 1 << 5,
	/* Its extension is in its history block, after the spans (hblock_size). */
	EF_EXT_INLINE = 1 << 6,
	EF_CPU_RECENT = GENTRY_CPU_RECENT, /* 1 << 7: gentry__cpu_recent_ns */
};

struct chunk {
	struct gentry n[CHUNK_SIZE];
	uint32_t used; /* slots in use: 0 lets gtable__expire unmap the chunk */
};

/* What a parked goroutine costs, with its index share: docs/UI.md, docs/ARCHITECTURE.md. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct gentry) <= 136, "a goroutine grew");

/*
 * What only some goroutines need, allocated on first need (ext_get): small
 * (no dropped_ns) until its ring first drops a span (EF_EXT_FULL).
 */
struct gext {
	/*
	 * Off-CPU time while running (GEV_CPU): preempted, blocked; and that of
	 * the open span, for its off_pct when it closes (a running one only).
	 */
	uint64_t off_ns[2];
	uint64_t span_off_ns;
	/* Heap allocations charged to it (GEV_ALLOC). */
	uint64_t alloc_bytes, alloc_objects;
	/* Time in each state of the closed spans the ring no longer holds. */
	uint64_t dropped_ns[];
};

#define EXT_SMALL sizeof(struct gext)
#define EXT_FULL  (sizeof(struct gext) + GT_NSTATES * sizeof(uint64_t))

/*
 * A goroutine's closed spans, oldest first from the ring's head: span_cap
 * slots, n_spans - 1 used, the open span is the entry's own. A packed span
 * is its start less the entry's alive_since (every span starts at or after
 * it: 53 bits, 104 days), its off_pct and its state. A span's length is the
 * next one's start less its own: the totals per state are summed from them.
 */
/* struct ghist: gtable.h (its CPU interval fields are read inline). */

#define SPAN_STATE_MASK 0xfu
#define SPAN_PCT_SHIFT	4
#define SPAN_PCT_MASK	0x7fu
#define SPAN_OFF_SHIFT	11
#define SPAN_OFF_MAX	(UINT64_MAX >> SPAN_OFF_SHIFT)

static inline uint64_t span_pack(uint64_t off, uint8_t state, uint8_t pct)
{
	return off << SPAN_OFF_SHIFT | (uint64_t)(pct & SPAN_PCT_MASK) << SPAN_PCT_SHIFT | state;
}

static inline uint64_t span_start(const struct gentry *e, uint64_t v)
{
	return e->alive_since + (v >> SPAN_OFF_SHIFT);
}

struct islot {
	uint32_t hash;
	uint32_t idx1; /* pool index + 1; 0 marks an empty slot */
};

struct exit_rec {
	uint64_t ts;
	uint32_t idx;
	uint32_t bytes; /* counted in exited_bytes while queued */
};

#define GC_KEEP 256 /* cycles kept per process */

/* What the table knows of one process beyond its goroutines. */
struct gproc {
	uint32_t pid;
	bool has_hist, has_allocs, has_gc, has_cpu;
	struct gtable_cgroup cpu; /* GEV_CPU of goid 0 */
	struct gtable_alloc_hist hist;
	struct gtable_heap *heap; /* allocated on the first GEV_HEAP_CLASS or GEV_HEAP */
	struct gtable_alloc_totals allocs;
	struct gtable_gc_cycle *cycles; /* ring of GC_KEEP, allocated on the first GC event */
	uint32_t n_cycles, cycle_head;	/* valid entries, next slot to write */
	bool cycle_open;		/* the newest cycle has not ended */
	uint64_t stw_open;		/* start of the pause in progress, 0: none */
	struct gtable_gc_totals gc;
};

#define GROUP_CHUNK 256

/* Groups by start function: a pool that never moves, and an index by name. */
struct groups {
	struct gtable_group **chunks;
	uint32_t n;	 /* groups in use */
	uint32_t *index; /* hash slots: group index + 1, 0 empty */
	uint32_t mask;
	struct gtable_group *unknown; /* func NULL */
};

struct gtable {
	struct gtable_opts o; /* defaults filled in */

	struct islot *slots;
	uint32_t slot_mask; /* capacity - 1, capacity a power of two */
	size_t n;

	struct chunk **chunks; /* NULL: unmapped, its slots are not in the free stack */
	uint32_t n_chunks;
	uint32_t *free_idx; /* stack of free pool slots, in mapped chunks */
	uint32_t n_free;
	uint32_t free_cap;
	size_t trim_bytes; /* freed since the last malloc_trim */

	/* Ring of exited entries sorted by exit ts. */
	struct exit_rec *exits;
	size_t exit_head;
	size_t n_exits;
	size_t exit_cap;
	uint64_t exited_bytes;

	/* gtable__log_dropped_exits: the exited goroutines dropped while on. */
	bool droplog_on;
	struct gkey *droplog;
	size_t n_droplog, cap_droplog;
	bool droplog_sorted;

	struct gtable_counts counts;

	/*
	 * Freed history blocks by ring size: a goroutine that lives a few
	 * events takes a block and grows it twice, which malloc, realloc and
	 * free make the dearest part of an apply under churn.
	 */
	struct hcache {
		void **v;
		size_t n, cap;
	} hcache[HCACHE_CLASSES + 1];	    /* the last: small extensions */
	uint32_t ring_caps[HCACHE_CLASSES]; /* ring_cap(0..) */

	struct gproc *procs;
	size_t n_procs, cap_procs;
	struct groups groups;
	struct gtable_lifetime_hist life;
	uint64_t interval_mark, interval_ns;
	/*
	 * The pool slots whose CPU time may have moved since the last
	 * interval, or whose cpu_recent_ns is not 0 (EF_LISTED): running
	 * then, or since. IVL_ALL: the list cannot be trusted (a chunk was
	 * unmapped, or it could not grow), the next interval walks the pool.
	 */
	uint32_t *ivl;
	size_t n_ivl, cap_ivl;
	bool ivl_all;
	char capture[160]; /* the last GEV_CAPTURE, described (budget__describe); "": none */
	/* gtable__prefetch: the hashes of the last hints, in a ring. */
	uint32_t pf_hash[PF_HINTS];
	uint32_t pf_n;
};

struct gkey {
	uint64_t goid;
	uint32_t pid;
};

static uint32_t key_hash(uint32_t pid, uint64_t goid)
{
	/* splitmix64 finalizer: goids are sequential, so mix every bit. */
	uint64_t x = goid ^ ((uint64_t)pid << 32 | pid) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uint32_t)x;
}

static inline struct gentry *pool_entry(const struct gtable *gt, uint32_t idx)
{
	return &gt->chunks[idx >> CHUNK_SHIFT]->n[idx & (CHUNK_SIZE - 1)];
}

static inline uint8_t *pool_flags(const struct gtable *gt, uint32_t idx)
{
	return &pool_entry(gt, idx)->table_flags;
}

/* Slot IDX is in a mapped chunk and in use: what every walk over the pool asks. */
static inline bool pool_used(const struct gtable *gt, uint32_t idx)
{
	const struct chunk *c = gt->chunks[idx >> CHUNK_SHIFT];

	return c && (c->n[idx & (CHUNK_SIZE - 1)].table_flags & EF_USED);
}

static inline uint32_t pool_size(const struct gtable *gt)
{
	return gt->n_chunks * CHUNK_SIZE;
}

static size_t ghist_size(uint32_t cap)
{
	return sizeof(struct ghist) + cap * sizeof(uint64_t);
}

/*
 * A goroutine whose ring reaches its largest size will drop spans into its
 * extension at every change of state once the ring is full: that ring's
 * block holds a full extension after its spans, as gentry__copy lays them
 * out, so the spans and the totals are read together instead of from two
 * places in the heap.
 */
static bool ring_is_last(const struct gtable *gt, uint32_t cap)
{
	return cap && cap == gt->o.max_spans - 1;
}

/* The bytes of the history block of a ring of CAP spans. */
static size_t hblock_size(const struct gtable *gt, uint32_t cap)
{
	return ghist_size(cap) + (ring_is_last(gt, cap) ? EXT_FULL : 0);
}

/* The size of E's extension, 0 when it has none. */
static size_t ext_size(const struct gentry *e)
{
	if (!e->hist || !e->hist->ext)
		return 0;
	return e->table_flags & EF_EXT_FULL ? EXT_FULL : EXT_SMALL;
}

static size_t hist_bytes(const struct gentry *e)
{
	if (!e->hist)
		return 0;
	return ghist_size(e->span_cap) + ext_size(e);
}

/* The size of the K-th ring a goroutine gets (K from 0): FIRST_SPANS, doubled, to max_spans. */
static uint32_t ring_cap(const struct gtable *gt, int k)
{
	uint32_t cap = (uint32_t)FIRST_SPANS << k;

	/* max_spans counts the open span, which is the entry's own. */
	return cap < gt->o.max_spans - 1 ? cap : gt->o.max_spans - 1;
}

/* The size of the ring that follows one of CAP spans: CAP when it is the largest. */
static uint32_t ring_next(const struct gtable *gt, uint32_t cap)
{
	int k;

	for (k = 0; k < HCACHE_CLASSES; k++)
		if (gt->ring_caps[k] > cap)
			return gt->ring_caps[k];
	/* Past the cached sizes (max_spans above 17): doubling, up to max_spans - 1. */
	return cap * 2 < gt->o.max_spans - 1 ? cap * 2 : gt->o.max_spans - 1;
}

/* The cache class of a ring of CAP spans, or -1 (not cached). */
static int hcache_class(const struct gtable *gt, uint32_t cap)
{
	int k;

	for (k = 0; k < HCACHE_CLASSES; k++)
		if (cap == gt->ring_caps[k])
			return cap ? k : -1;
	return -1;
}

/* Keep P, a free block of SIZE bytes, in C for reuse, while C holds under HCACHE_BYTES. */
static bool cache_keep(struct hcache *c, void *p, size_t size)
{
	if (!p || (c->n + 1) * size > HCACHE_BYTES ||
	    xg_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)))
		return false;
	c->v[c->n++] = p;
	return true;
}

/* A history block with room for CAP spans and no extension (spans undefined), or NULL. */
static struct ghist *ghist_alloc(struct gtable *gt, uint32_t cap)
{
	int k = hcache_class(gt, cap);
	struct ghist *h;

	h = k >= 0 && gt->hcache[k].n ? gt->hcache[k].v[--gt->hcache[k].n]
				      : malloc(hblock_size(gt, cap));
	if (h)
		*h = (struct ghist){0};
	return h;
}

/*
 * Free H, a block of CAP spans, but not its extension: kept for reuse
 * while its class holds under HCACHE_BYTES.
 */
static void ghist_free(struct gtable *gt, struct ghist *h, uint32_t cap)
{
	int k = h ? hcache_class(gt, cap) : -1;

	if (k < 0 || !cache_keep(&gt->hcache[k], h, hblock_size(gt, cap)))
		free(h);
}

/* Free E's history and extension. */
static void hist_release(struct gtable *gt, struct gentry *e)
{
	if (!e->hist)
		return;
	if (!(e->table_flags & EF_EXT_INLINE) &&
	    (e->table_flags & EF_EXT_FULL ||
	     !cache_keep(&gt->hcache[HCACHE_CLASSES], e->hist->ext, EXT_SMALL)))
		free(e->hist->ext);
	e->table_flags &= (uint8_t) ~(EF_EXT_FULL | EF_EXT_INLINE | EF_CPU_RECENT);
	ghist_free(gt, e->hist, e->span_cap);
	e->hist = NULL;
}

/* Give the cached blocks back to malloc (before a trim, and at the end). */
static void hcache_empty(struct gtable *gt)
{
	int k;

	for (k = 0; k <= HCACHE_CLASSES; k++) {
		struct hcache *c = &gt->hcache[k];

		while (c->n)
			free(c->v[--c->n]);
		free(c->v);
		c->v = NULL;
		c->cap = 0;
	}
}

/* What the bytes cap counts for E: its node, its share of the index, its history. */
static uint32_t entry_bytes(const struct gentry *e)
{
	return (uint32_t)(sizeof(struct gentry) + INDEX_BYTES + hist_bytes(e));
}

struct gtable *gtable__new(const struct gtable_opts *opts)
{
	struct gtable *gt = calloc(1, sizeof(*gt));
	int k;

	if (!gt)
		return NULL;
	if (opts)
		gt->o = *opts;
	if (!gt->o.keep_exited_ns)
		gt->o.keep_exited_ns = DEFAULT_KEEP_EXITED_NS;
	if (!gt->o.max_spans)
		gt->o.max_spans = DEFAULT_MAX_SPANS;
	if (gt->o.max_spans > MAX_SPANS)
		gt->o.max_spans = MAX_SPANS;
	for (k = 0; k < HCACHE_CLASSES; k++)
		gt->ring_caps[k] = ring_cap(gt, k);
	if (!gt->o.max_exited)
		gt->o.max_exited = DEFAULT_MAX_EXITED;
	if (!gt->o.max_exited_bytes)
		gt->o.max_exited_bytes = DEFAULT_MAX_EXITED_B;
	gt->slots = calloc(INDEX_MIN_CAP, sizeof(*gt->slots));
	if (!gt->slots) {
		free(gt);
		errno = ENOMEM;
		return NULL;
	}
	gt->slot_mask = INDEX_MIN_CAP - 1;
	return gt;
}

void gtable__free(struct gtable *gt)
{
	uint32_t c, i;

	if (!gt)
		return;
	for (c = 0; c < gt->n_chunks; c++) {
		if (!gt->chunks[c])
			continue;
		for (i = 0; i < CHUNK_SIZE; i++)
			hist_release(gt, &gt->chunks[c]->n[i]);
		munmap(gt->chunks[c], sizeof(struct chunk));
	}
	hcache_empty(gt);
	free(gt->chunks);
	free(gt->slots);
	free(gt->free_idx);
	free(gt->exits);
	free(gt->droplog);
	free(gt->ivl);
	for (i = 0; i < gt->n_procs; i++) {
		free(gt->procs[i].cycles);
		free(gt->procs[i].heap);
	}
	free(gt->procs);
	for (i = 0; i * GROUP_CHUNK < gt->groups.n; i++)
		free(gt->groups.chunks[i]);
	free(gt->groups.chunks);
	free(gt->groups.index);
	free(gt);
}

void gtable__opts(const struct gtable *gt, struct gtable_opts *out)
{
	*out = gt->o;
}

/* ---- processes ------------------------------------------------------------------------------ */

static struct gproc *proc_find(const struct gtable *gt, uint32_t pid)
{
	size_t i;

	/* Few processes, and events of one process come in runs: newest first. */
	for (i = gt->n_procs; i-- > 0;)
		if (gt->procs[i].pid == pid)
			return &gt->procs[i];
	return NULL;
}

static struct gproc *proc_get(struct gtable *gt, uint32_t pid)
{
	struct gproc *p = proc_find(gt, pid);

	if (p)
		return p;
	if (gt->n_procs == gt->cap_procs) {
		size_t cap = gt->cap_procs ? gt->cap_procs * 2 : 4;
		struct gproc *v = realloc(gt->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		gt->procs = v;
		gt->cap_procs = cap;
	}
	p = &gt->procs[gt->n_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

/* ---- groups by start function ---------------------------------------------------------------- */

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct gtable_group *group_at(const struct groups *g, uint32_t i)
{
	return &g->chunks[i / GROUP_CHUNK][i % GROUP_CHUNK];
}

static int group_index_grow(struct groups *g)
{
	uint32_t cap = g->mask ? (g->mask + 1) * 2 : 256, i;
	uint32_t *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < g->n; i++) {
		const struct gtable_group *x = group_at(g, i);
		uint32_t pos;

		if (!x->func)
			continue;
		for (pos = str_hash(x->func) & (cap - 1); v[pos]; pos = (pos + 1) & (cap - 1))
			;
		v[pos] = i + 1;
	}
	free(g->index);
	g->index = v;
	g->mask = cap - 1;
	return 0;
}

static struct gtable_group *group_new(struct groups *g, const char *func)
{
	struct gtable_group *x;

	if (g->n % GROUP_CHUNK == 0) {
		struct gtable_group **c = realloc(g->chunks, (g->n / GROUP_CHUNK + 1) * sizeof(*c));

		if (!c)
			return NULL;
		g->chunks = c;
		c[g->n / GROUP_CHUNK] = calloc(GROUP_CHUNK, sizeof(**c));
		if (!c[g->n / GROUP_CHUNK])
			return NULL;
	}
	x = group_at(g, g->n++);
	memset(x, 0, sizeof(*x));
	x->func = func;
	return x;
}

/* The group of start function FUNC, made when missing; NULL on ENOMEM. */
static struct gtable_group *group_for(struct groups *g, const char *func)
{
	uint32_t pos;

	if (!func) {
		if (!g->unknown)
			g->unknown = group_new(g, NULL);
		return g->unknown;
	}
	if ((!g->mask || (g->n + 1) * 4 > (g->mask + 1) * 3) && group_index_grow(g))
		return NULL;
	for (pos = str_hash(func) & g->mask; g->index[pos]; pos = (pos + 1) & g->mask) {
		struct gtable_group *x = group_at(g, g->index[pos] - 1);

		if (x->func == func || !strcmp(x->func, func))
			return x;
	}
	if (!group_new(g, func))
		return NULL;
	g->index[pos] = g->n;
	return group_at(g, g->n - 1);
}

/* A live goroutine enters (DELTA 1) or leaves (-1) STATE: the table's and its group's counts. */
static void count_state(struct gtable *gt, const struct gentry *e, uint8_t state, int delta)
{
	struct gtable_group *g = (struct gtable_group *)e->group;

	gt->counts.by_state[state] += (uint64_t)(int64_t)delta;
	if (g)
		g->by_state[state] += (uint64_t)(int64_t)delta;
}

/*
 * Move E to the group of FUNC. LIVE: not exited, counted in live; COUNTED:
 * also counted in by_state (not the case while an entry is being added).
 */
static void regroup(struct gtable *gt, struct gentry *e, const char *func, bool live, bool counted)
{
	struct gtable_group *old = (struct gtable_group *)e->group,
			    *g = group_for(&gt->groups, func);

	if (!g || g == old)
		return;
	if (old && live)
		old->live--;
	if (old && counted)
		old->by_state[e->state]--;
	if (live)
		g->live++;
	if (counted)
		g->by_state[e->state]++;
	e->group = g;
}

/* The index slot holding (pid, goid), or the empty slot where it would go. */
static inline uint32_t index_probe(const struct gtable *gt, uint32_t hash, uint32_t pid,
				   uint64_t goid)
{
	uint32_t pos = hash & gt->slot_mask;

	for (;; pos = (pos + 1) & gt->slot_mask) {
		const struct islot *s = &gt->slots[pos];
		const struct gentry *e;

		if (!s->idx1)
			return pos;
		if (s->hash != hash)
			continue;
		e = pool_entry(gt, s->idx1 - 1);
		if (e->goid == goid && e->pid == pid)
			return pos;
	}
}

static int index_resize(struct gtable *gt, uint32_t new_cap)
{
	uint32_t old_cap = gt->slot_mask + 1, i;
	struct islot *old = gt->slots, *slots;

	if (!new_cap)
		return -ENOMEM;
	slots = calloc(new_cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	gt->slots = slots;
	gt->slot_mask = new_cap - 1;
	for (i = 0; i < old_cap; i++) {
		uint32_t pos;

		if (!old[i].idx1)
			continue;
		pos = old[i].hash & gt->slot_mask;
		while (slots[pos].idx1)
			pos = (pos + 1) & gt->slot_mask;
		slots[pos] = old[i];
	}
	free(old);
	return 0;
}

static int index_grow(struct gtable *gt)
{
	return index_resize(gt, (gt->slot_mask + 1) * 2);
}

/* Remove index slot POS, shifting later members of its cluster back. */
static void index_remove(struct gtable *gt, uint32_t pos)
{
	uint32_t mask = gt->slot_mask, hole = pos, next = pos;

	for (;;) {
		uint32_t home;

		next = (next + 1) & mask;
		if (!gt->slots[next].idx1)
			break;
		home = gt->slots[next].hash & mask;
		/* Move NEXT into the hole unless its home lies cyclically in (hole, next]. */
		if (((next - home) & mask) >= ((next - hole) & mask)) {
			gt->slots[hole] = gt->slots[next];
			hole = next;
		}
	}
	gt->slots[hole].idx1 = 0;
	gt->slots[hole].hash = 0;
}

static int free_reserve(struct gtable *gt, uint32_t n)
{
	uint32_t cap = gt->free_cap ? gt->free_cap : 1024;
	uint32_t *v;

	if (n <= gt->free_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	v = realloc(gt->free_idx, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	gt->free_idx = v;
	gt->free_cap = cap;
	return 0;
}

/* Map a chunk (in the first unmapped place) and put its slots on the free stack. */
static int pool_add_chunk(struct gtable *gt)
{
	uint32_t c, i;
	struct chunk *ch;

	for (c = 0; c < gt->n_chunks && gt->chunks[c]; c++)
		;
	if (c == gt->n_chunks) {
		struct chunk **v;

		if (gt->n_chunks == UINT32_MAX >> CHUNK_SHIFT)
			return -ENOMEM;
		v = realloc(gt->chunks, (gt->n_chunks + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		gt->chunks = v;
		gt->chunks[gt->n_chunks] = NULL;
	}
	if (free_reserve(gt, pool_size(gt) + CHUNK_SIZE))
		return -ENOMEM;
	/* Mapped, not malloc'd: unmapping gives the memory back whatever the heap looks like. */
	ch = mmap(NULL, sizeof(*ch), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ch == MAP_FAILED)
		return -ENOMEM;
	if (c == gt->n_chunks)
		gt->n_chunks++;
	gt->chunks[c] = ch;
	/* Lowest slots on top: entries gather in few chunks, which the others can then leave. */
	for (i = CHUNK_SIZE; i-- > 0;)
		gt->free_idx[gt->n_free++] = c << CHUNK_SHIFT | i;
	return 0;
}

static int pool_alloc(struct gtable *gt, uint32_t *idx)
{
	if (!gt->n_free && pool_add_chunk(gt))
		return -ENOMEM;
	*idx = gt->free_idx[--gt->n_free];
	gt->chunks[*idx >> CHUNK_SHIFT]->used++;
	return 0;
}

/*
 * memset of E, in parts of at most 64 bytes, which compilers write as a
 * few vector stores each: whole (or in parts past 64 bytes), GCC makes it
 * a rep stos, whose start-up was a third of a drop under churn.
 */
static inline void entry_zero(struct gentry *e)
{
	_Static_assert(sizeof(*e) > 128 && sizeof(*e) <= 192, "entry_zero's three parts");
	memset(e, 0, 64);
	memset((char *)e + 64, 0, 64);
	memset((char *)e + 128, 0, sizeof(*e) - 128);
}

/* Cannot fail: the free stack has room for every slot of the mapped chunks. */
static void pool_release(struct gtable *gt, uint32_t idx)
{
	struct gentry *e = pool_entry(gt, idx);
	uint8_t listed = e->table_flags & EF_LISTED;

	gt->trim_bytes += hist_bytes(e);
	hist_release(gt, e);
	entry_zero(e);
	e->table_flags = listed;
	gt->chunks[idx >> CHUNK_SHIFT]->used--;
	gt->free_idx[gt->n_free++] = idx;
}

/*
 * Unmap the empty chunks but one (the next goroutines need somewhere to go)
 * and rebuild the free stack from the others. Costs a pass over the pool,
 * so only when at least two chunks are empty.
 */
static void pool_shrink(struct gtable *gt)
{
	uint32_t c, i, empty = 0;
	bool spare = false;

	for (c = 0; c < gt->n_chunks; c++)
		empty += gt->chunks[c] && !gt->chunks[c]->used;
	if (empty < 2)
		return;
	gt->n_free = 0;
	for (c = gt->n_chunks; c-- > 0;) {
		struct chunk *ch = gt->chunks[c];

		if (!ch)
			continue;
		if (!ch->used && spare) {
			munmap(ch, sizeof(*ch));
			gt->chunks[c] = NULL;
			/* Its EF_LISTED go: a slot mapped there again could be listed twice. */
			gt->ivl_all = true;
			gt->n_ivl = 0;
			continue;
		}
		spare |= !ch->used;
		for (i = CHUNK_SIZE; i-- > 0;)
			if (!(ch->n[i].table_flags & EF_USED))
				gt->free_idx[gt->n_free++] = c << CHUNK_SHIFT | i;
	}
	while (gt->n_chunks && !gt->chunks[gt->n_chunks - 1])
		gt->n_chunks--;
}

static void ivl_add(struct gtable *gt, uint32_t idx, uint8_t *flags)
{
	/*
	 * The next interval walks the pool and lists again: nothing to add
	 * (the list would grow without end if no interval comes), the flag
	 * only spares the next events of the entry this call.
	 */
	if (gt->ivl_all) {
		*flags |= EF_LISTED;
		return;
	}
	if (xg_grow((void **)&gt->ivl, &gt->cap_ivl, gt->n_ivl + 1, sizeof(*gt->ivl))) {
		gt->ivl_all = true; /* out of memory: the next interval walks the pool */
		return;
	}
	gt->ivl[gt->n_ivl++] = idx;
	*flags |= EF_LISTED;
}

/*
 * E, in pool slot IDX, is now running: its CPU time moves, the next
 * gtable__interval must visit it. Every change of gentry__cpu_ns is in a
 * running span (its open span grows, GEV_CPU charges only a running one)
 * or closes one: an entry is listed when it starts running (a change to
 * running, or added as running: found so at attach, or by an allocation),
 * and the interval keeps those still running; no other event lists it.
 */
static inline void ivl_note(struct gtable *gt, struct gentry *e, uint32_t idx)
{
	if (!(e->table_flags & EF_LISTED))
		ivl_add(gt, idx, &e->table_flags);
}

static struct gentry *lookup(const struct gtable *gt, uint32_t pid, uint64_t goid)
{
	const struct islot *s = &gt->slots[index_probe(gt, key_hash(pid, goid), pid, goid)];

	return s->idx1 ? pool_entry(gt, s->idx1 - 1) : NULL;
}

/*
 * Add EV's goroutine, whose place in the index is POS: the cold half of
 * lookup_or_add. Added running (found so at attach, or first seen by a
 * change to running), it gets its history block now: its CPU time moves
 * before any change of state, and the block keeps its interval's marks.
 */
static struct gentry *entry_add(struct gtable *gt, const struct gev *ev, uint32_t hash,
				uint32_t pos, uint32_t *idx_out)
{
	uint32_t pid = ev->pid, idx;
	uint64_t goid = ev->goid;
	struct ghist *h = NULL;
	struct gentry *e;

	if (ev->to == XG_G_RUNNING &&
	    (ev->kind == GEV_STATE || (ev->kind == GEV_CREATE && ev->existing)) &&
	    !(h = ghist_alloc(gt, 0)))
		return NULL;
	if ((uint64_t)(gt->n + 1) * INDEX_LOAD_DEN >
	    (uint64_t)(gt->slot_mask + 1) * INDEX_LOAD_NUM) {
		if (index_grow(gt))
			goto fail;
		pos = index_probe(gt, hash, pid, goid);
	}
	if (pool_alloc(gt, &idx))
		goto fail;
	e = pool_entry(gt, idx);
	e->hist = h;
	e->pid = pid;
	e->goid = goid;
	e->reason = GEV_NO_REASON;
	e->last_p = -1;
	e->last_m = -1;
	/* Every goroutine starts in the unknown group; its creation names it. */
	e->group = group_for(&gt->groups, NULL);
	if (e->group)
		((struct gtable_group *)e->group)->live++;
	*pool_flags(gt, idx) = EF_USED | (*pool_flags(gt, idx) & EF_LISTED);
	gt->slots[pos].hash = hash;
	gt->slots[pos].idx1 = idx + 1;
	gt->n++;
	*idx_out = idx;
	return e;
fail:
	ghist_free(gt, h, 0);
	return NULL;
}

/*
 * The entry for (pid, goid), added when missing (*added then true). NULL on
 * ENOMEM. Inline: once per event, the adding half out of line.
 */
static inline struct gentry *lookup_or_add(struct gtable *gt, const struct gev *ev,
					   uint32_t *idx_out, bool *added)
{
	uint32_t hash = key_hash(ev->pid, ev->goid), pos = index_probe(gt, hash, ev->pid, ev->goid);

	*added = !gt->slots[pos].idx1;
	if (*added)
		return entry_add(gt, ev, hash, pos, idx_out);
	*idx_out = gt->slots[pos].idx1 - 1;
	return pool_entry(gt, *idx_out);
}

/* Room for one more exit record, taken before the event changes anything. */
static int exits_reserve(struct gtable *gt)
{
	size_t cap, i;
	struct exit_rec *v;

	if (gt->n_exits < gt->exit_cap)
		return 0;
	cap = gt->exit_cap ? gt->exit_cap * 2 : 1024;
	v = malloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < gt->n_exits; i++)
		v[i] = gt->exits[(gt->exit_head + i) % gt->exit_cap];
	free(gt->exits);
	gt->exits = v;
	gt->exit_cap = cap;
	gt->exit_head = 0;
	return 0;
}

/* Queue an exited entry, kept sorted by ts: exits come nearly in order, so this is cheap. */
static void exits_push(struct gtable *gt, uint32_t idx, uint64_t ts)
{
	uint32_t bytes = entry_bytes(pool_entry(gt, idx));
	size_t pos = gt->n_exits;

	while (pos > 0) {
		struct exit_rec *prev = &gt->exits[(gt->exit_head + pos - 1) % gt->exit_cap];

		if (prev->ts <= ts)
			break;
		gt->exits[(gt->exit_head + pos) % gt->exit_cap] = *prev;
		pos--;
	}
	gt->exits[(gt->exit_head + pos) % gt->exit_cap] =
		(struct exit_rec){.ts = ts, .idx = idx, .bytes = bytes};
	gt->n_exits++;
	gt->exited_bytes += bytes;
}

/*
 * E's extension, made when missing, FULL: with dropped_ns. NULL on ENOMEM
 * (E has a history block then).
 */
static struct gext *ext_get(struct gtable *gt, struct gentry *e, bool full)
{
	struct hcache *c = &gt->hcache[HCACHE_CLASSES];
	struct gext *x;

	if (!e->hist) {
		e->hist = ghist_alloc(gt, 0);
		if (!e->hist)
			return NULL;
		e->span_cap = 0;
		e->span_head = 0;
	}
	x = e->hist->ext;
	if (x && (!full || e->table_flags & EF_EXT_FULL))
		return x;
	if (!full) {
		x = c->n ? c->v[--c->n] : malloc(EXT_SMALL);
		if (x)
			memset(x, 0, EXT_SMALL);
		return e->hist->ext = x;
	}
	x = calloc(1, EXT_FULL);
	if (!x)
		return NULL;
	if (e->hist->ext) {
		memcpy(x, e->hist->ext, EXT_SMALL);
		if (!cache_keep(c, e->hist->ext, EXT_SMALL))
			free(e->hist->ext);
	}
	e->table_flags |= EF_EXT_FULL;
	return e->hist->ext = x;
}

/* H, E's new history block of the largest ring (CAP spans), takes E's extension in. */
static void ext_inline(struct gtable *gt, struct gentry *e, struct ghist *h, uint32_t cap)
{
	struct gext *x = (struct gext *)&h->spans[cap], *old = h->ext;
	size_t n = !old ? 0 : e->table_flags & EF_EXT_FULL ? EXT_FULL : EXT_SMALL;

	if (n)
		memcpy(x, old, n);
	memset((char *)x + n, 0, EXT_FULL - n);
	if (old && (e->table_flags & EF_EXT_FULL ||
		    !cache_keep(&gt->hcache[HCACHE_CLASSES], old, EXT_SMALL)))
		free(old);
	h->ext = x;
	e->table_flags |= EF_EXT_FULL | EF_EXT_INLINE;
}

/* Slot of the I-th oldest closed span of E. */
static inline uint32_t ring_slot(const struct gentry *e, uint32_t i)
{
	return (e->span_head + e->span_cap - (e->n_spans - 1u) + i) % e->span_cap;
}

/* Give E's full ring of closed spans room for more, if below max_spans. 0 or -ENOMEM. */
static int ring_grow(struct gtable *gt, struct gentry *e)
{
	struct ghist *h, *old = e->hist;
	uint32_t cap = ring_next(gt, e->span_cap);
	/* Grow only an unwrapped ring (head back at 0): its spans are then in order. */
	if (cap <= e->span_cap || e->span_head)
		return -ENOSPC;
	h = ghist_alloc(gt, cap);
	if (!h)
		return -ENOMEM;
	if (old) {
		memcpy(h, old, ghist_size(e->span_cap));
		ghist_free(gt, old, e->span_cap);
	}
	if (ring_is_last(gt, cap))
		ext_inline(gt, e, h, cap);
	e->hist = h;
	e->span_head = e->span_cap;
	e->span_cap = (uint16_t)cap;
	return 0;
}

/*
 * Make sure E can close its open span with no allocation: room in its
 * ring, or else an extension for the time of the span it will drop. Taken
 * before the event changes anything: totals stay exact or the event is
 * refused. 0 or -ENOMEM.
 */
static int hist_prepare(struct gtable *gt, struct gentry *e)
{
	/* Also false when state_since < alive_since: the difference wraps. */
	bool fits = e->state_since - e->alive_since <= SPAN_OFF_MAX;

	if (e->hist && e->n_spans - 1u < e->span_cap && fits)
		return 0;
	if (fits && e->n_spans && !ring_grow(gt, e))
		return 0;
	return ext_get(gt, e, true) ? 0 : -ENOMEM;
}

/* Closed span V of E ended at END: its time goes to the extension's totals. */
static void span_fold(struct gentry *e, uint64_t v, uint64_t end)
{
	e->hist->ext->dropped_ns[v & SPAN_STATE_MASK] += end - span_start(e, v);
}

/*
 * The ring cannot hold the spans of E (a start past SPAN_OFF_MAX): fold
 * them all into the totals, the history restarts at the open span.
 */
static void ring_fold_all(struct gentry *e)
{
	uint32_t i, n = e->n_spans - 1u;

	for (i = 0; i < n; i++) {
		uint64_t v = e->hist->spans[ring_slot(e, i)];
		uint64_t end = i + 1 < n ? span_start(e, e->hist->spans[ring_slot(e, i + 1)])
					 : e->state_since;

		span_fold(e, v, end);
	}
	e->n_spans = 1;
	e->span_head = 0;
}

/*
 * Close E's open span at TS, in its ring of closed spans: the oldest is
 * dropped when the ring is full (hist_prepare made room or an extension).
 */
static void span_close(struct gentry *e, uint64_t ts, uint8_t pct)
{
	uint64_t off = e->state_since - e->alive_since, v, oldest;
	struct ghist *h = e->hist;

	if (off > SPAN_OFF_MAX) { /* or negative, wrapped (hist_prepare) */
		ring_fold_all(e);
		h->ext->dropped_ns[e->state] += ts - e->state_since;
		return;
	}
	v = span_pack(off, e->state, pct);
	if (!e->span_cap) {
		span_fold(e, v, ts);
		return;
	}
	if (e->n_spans - 1u == e->span_cap) {
		/* Full: the head is the oldest, ended where the next one starts. */
		oldest = h->spans[e->span_head];
		span_fold(e, oldest,
			  e->span_cap > 1
				  ? span_start(e, h->spans[(e->span_head + 1) % e->span_cap])
				  : e->state_since);
	} else {
		e->n_spans++;
	}
	h->spans[e->span_head] = v;
	e->span_head = e->span_head + 1 == e->span_cap ? 0 : e->span_head + 1;
}

/* The off_pct of E's open span, ended at TS: its share off the CPU, if it was running. */
static uint8_t span_off_pct(struct gentry *e, uint64_t ts)
{
	struct gext *x;
	uint8_t pct = 0;

	if (!(e->table_flags & EF_SPAN_OFF))
		return 0;
	e->table_flags &= (uint8_t)~EF_SPAN_OFF;
	x = e->hist->ext;
	if (e->state == XG_G_RUNNING && ts > e->state_since)
		pct = (uint8_t)(x->span_off_ns >= ts - e->state_since
					? 100
					: x->span_off_ns * 100 / (ts - e->state_since));
	x->span_off_ns = 0;
	return pct;
}

/* The event's ts, clamped so that no span has a negative length. */
static uint64_t clamp_ts(struct gtable *gt, const struct gentry *e, uint64_t ts)
{
	if (ts >= e->state_since)
		return ts;
	gt->counts.out_of_order++;
	return e->state_since;
}

/* The first span of E, opened at TS in E's state. */
static void span_open(struct gentry *e, uint64_t ts)
{
	e->state_since = ts;
	e->n_spans = 1;
}

/*
 * Close the open span at TS and open one in STATE. A zero-length span
 * (creation then its dead -> runnable, or a clamped event) is not kept:
 * the open one changes state. The caller made sure E can (hist_prepare).
 */
static void set_state(struct gtable *gt, struct gentry *e, bool live, uint8_t state, uint64_t ts)
{
	uint8_t pct = span_off_pct(e, ts);

	if (ts != e->state_since)
		span_close(e, ts, pct);
	if (live) {
		count_state(gt, e, e->state, -1);
		count_state(gt, e, state, 1);
	}
	e->state = state;
	e->state_since = ts;
}

static void apply_create(struct gtable *gt, struct gentry *e, uint8_t *flags, bool added,
			 const struct gev *ev)
{
	e->parent = ev->parent;
	e->func = ev->func;
	e->created_by = ev->created_by;
	e->file = ev->file;
	e->line = ev->line;
	/* Found at attach: born before we looked, at an unknown time, and not counted as born. */
	e->created_ts = ev->existing ? 0 : ev->ts;
	/* Blocked since before it was found, Go says: alive since then too. */
	if (added && ev->existing && ev->waitsince && ev->waitsince < ev->ts &&
	    (ev->to == XG_G_WAITING || ev->to == XG_G_SYSCALL))
		e->alive_since = ev->waitsince;
	/* An entry just added is not counted in a state yet. */
	regroup(gt, e, ev->func, !(*flags & EF_EXITED), !added && !(*flags & EF_EXITED));
	if (!(*flags & EF_CREATED) && !ev->existing) {
		*flags |= EF_CREATED;
		gt->counts.created++;
		if (e->group)
			((struct gtable_group *)e->group)->created++;
	}
	if (added) {
		/*
		 * A goroutine starts runnable, or waiting when created parked
		 * (go1.23+); one found at attach is in the state it was found in.
		 */
		e->state = ev->existing && ev->to < GT_NSTATES ? ev->to
			   : ev->to == XG_G_WAITING	       ? XG_G_WAITING
							       : XG_G_RUNNABLE;
		span_open(e, ev->ts);
		count_state(gt, e, e->state, 1);
		if (e->state == XG_G_WAITING) {
			e->reason = ev->reason;
			e->reason_str = ev->reason_str;
		}
	}
}

static void apply_state(struct gtable *gt, struct gentry *e, uint8_t flags, bool added,
			const struct gev *ev)
{
	bool live = !(flags & EF_EXITED);
	uint64_t ts;

	if (added) {
		/* Existed before we attached: its time in FROM is unknown, start at TO. */
		e->state = ev->to;
		span_open(e, ev->ts);
		count_state(gt, e, e->state, 1);
	} else {
		/* The runnable that GEV_CREATE assumed is replaced by the real dead -> X. */
		if (ev->from != e->state &&
		    !(e->transitions == 0 && (flags & EF_CREATED) && ev->from == XG_G_DEAD))
			gt->counts.from_mismatch++;
		ts = clamp_ts(gt, e, ev->ts);
		set_state(gt, e, live, ev->to, ts);
	}
	e->transitions++;
	if (ev->has_pm && ev->to == XG_G_RUNNING) {
		e->last_p = ev->p;
		e->last_m = ev->m;
	}
	if (ev->to == XG_G_WAITING) {
		e->reason = ev->reason;
		e->reason_str = ev->reason_str;
	} else {
		e->reason = GEV_NO_REASON;
		e->reason_str = NULL;
	}
}

static void apply_exit(struct gtable *gt, struct gentry *e, uint32_t idx, uint8_t *flags,
		       bool added, const struct gev *ev)
{
	uint64_t ts = ev->ts;

	if (added) {
		e->state = XG_G_DEAD;
		span_open(e, ts);
	} else {
		ts = clamp_ts(gt, e, ts);
		if (e->state != XG_G_DEAD)
			set_state(gt, e, true, XG_G_DEAD, ts);
		count_state(gt, e, XG_G_DEAD, -1);
	}
	e->reason = GEV_NO_REASON;
	e->reason_str = NULL;
	e->exited_ts = ts;
	*flags |= EF_EXITED;
	exits_push(gt, idx, ts);
	gt->counts.live--;
	gt->counts.exited++;
	if (e->group) {
		struct gtable_group *g = (struct gtable_group *)e->group;

		g->live--;
		g->exited++;
		g->cpu_exited_ns += gentry__cpu_ns(e, ts);
	}
	if (e->created_ts && ts >= e->created_ts) {
		uint64_t life = ts - e->created_ts;

		gt->life.count[life ? 63 - __builtin_clzll(life) : 0]++;
		gt->life.total++;
	}
}

/* A heap allocation: charged to its goroutine (added as running: it is allocating). */
static int apply_alloc(struct gtable *gt, const struct gev *ev)
{
	struct gproc *p = proc_get(gt, ev->pid);
	unsigned int kind = ev->alloc.kind < XG_AK_NKINDS ? ev->alloc.kind : XG_AK_OTHER;
	struct gentry *e;
	struct gext *x;
	uint32_t idx;
	bool added;

	if (!p)
		return -ENOMEM;
	if (ev->goid) {
		e = lookup_or_add(gt, ev, &idx, &added);
		if (!e)
			return -ENOMEM;
		if (added) {
			gt->counts.live++;
			e->alive_since = ev->ts;
			e->state = XG_G_RUNNING;
			span_open(e, ev->ts);
			count_state(gt, e, e->state, 1);
			ivl_note(gt, e, idx);
		}
		x = ext_get(gt, e, false);
		if (!x)
			return -ENOMEM;
		x->alloc_bytes += ev->alloc.size;
		x->alloc_objects++;
		if (e->group) {
			((struct gtable_group *)e->group)->alloc_bytes += ev->alloc.size;
			((struct gtable_group *)e->group)->alloc_objects++;
		}
	} else {
		p->allocs.unattributed++;
	}
	p->has_allocs = true;
	p->allocs.count[kind]++;
	p->allocs.bytes[kind] += ev->alloc.size;
	p->allocs.events++;
	p->allocs.total_bytes += ev->alloc.size;
	return 0;
}

static int apply_hist(struct gtable *gt, const struct gev *ev)
{
	struct gproc *p = proc_get(gt, ev->pid);

	if (!p)
		return -ENOMEM;
	if (ev->hist.bucket >= XG_ALLOC_BUCKETS) {
		gt->counts.invalid++;
		return 0;
	}
	p->has_hist = true;
	p->hist.size[ev->hist.bucket] = ev->hist.class_size;
	p->hist.count[ev->hist.bucket] = ev->hist.count;
	p->hist.bytes[ev->hist.bucket] = ev->hist.bytes;
	return 0;
}

static struct gtable_heap *heap_of(struct gtable *gt, const struct gev *ev)
{
	struct gproc *p = proc_get(gt, ev->pid);

	if (p && !p->heap)
		p->heap = calloc(1, sizeof(*p->heap));
	return p ? p->heap : NULL;
}

static int apply_heap(struct gtable *gt, const struct gev *ev)
{
	struct gtable_heap *h = heap_of(gt, ev);
	unsigned int c = ev->heap.cls;

	if (!h)
		return -ENOMEM;
	if (ev->kind == GEV_HEAP_CLASS) {
		if (c == XG_ALLOC_TINY || c >= XG_ALLOC_BUCKETS) {
			gt->counts.invalid++;
			return 0;
		}
		h->size[c] = ev->heap.class_size;
		h->allocs[c] = ev->heap.allocs;
		h->frees[c] = ev->heap.frees;
		h->alloc_bytes[c] = ev->heap.alloc_bytes;
		h->free_bytes[c] = ev->heap.free_bytes;
		return 0;
	}
	/* Counters are cumulative: a rate needs two samples, later and not fewer. */
	if (h->samples && ev->ts > h->ts && ev->heap.alloc_bytes >= h->total_alloc_bytes &&
	    ev->heap.allocs >= h->total_allocs) {
		double dt = (double)(ev->ts - h->ts) / 1e9;

		h->alloc_bytes_per_s = (double)(ev->heap.alloc_bytes - h->total_alloc_bytes) / dt;
		h->allocs_per_s = (double)(ev->heap.allocs - h->total_allocs) / dt;
	}
	h->ts = ev->ts;
	h->total_allocs = ev->heap.allocs;
	h->total_frees = ev->heap.frees;
	h->total_alloc_bytes = ev->heap.alloc_bytes;
	h->total_free_bytes = ev->heap.free_bytes;
	h->tiny = ev->heap.tiny;
	h->samples++;
	return 0;
}

static struct gtable_gc_cycle *newest_cycle(struct gproc *p)
{
	if (!p->n_cycles)
		return NULL;
	return &p->cycles[(p->cycle_head + GC_KEEP - 1) % GC_KEEP];
}

static int apply_gc(struct gtable *gt, const struct gev *ev)
{
	struct gproc *p = proc_get(gt, ev->pid);
	struct gtable_gc_cycle *c;

	if (!p)
		return -ENOMEM;
	if (!p->cycles) {
		p->cycles = calloc(GC_KEEP, sizeof(*p->cycles));
		if (!p->cycles)
			return -ENOMEM;
	}
	p->has_gc = true;
	c = p->cycle_open ? newest_cycle(p) : NULL;
	switch (ev->gc.phase) {
	case XG_GC_STW_START:
		p->stw_open = ev->ts;
		break;
	case XG_GC_STW_END:
		p->stw_open = 0;
		p->gc.stw++;
		p->gc.stw_ns += ev->gc.dur_ns;
		if (ev->gc.dur_ns > p->gc.stw_max_ns)
			p->gc.stw_max_ns = ev->gc.dur_ns;
		if (c) {
			c->n_stw++;
			c->stw_ns += ev->gc.dur_ns;
			if (ev->gc.dur_ns > c->stw_max_ns)
				c->stw_max_ns = ev->gc.dur_ns;
		}
		break;
	case XG_GC_START:
		c = &p->cycles[p->cycle_head];
		p->cycle_head = (p->cycle_head + 1) % GC_KEEP;
		if (p->n_cycles < GC_KEEP)
			p->n_cycles++;
		memset(c, 0, sizeof(*c));
		c->pid = ev->pid;
		c->n = ev->gc.cycle;
		/* The cycle began with the pause it starts in (sweep termination). */
		c->start = p->stw_open && p->stw_open <= ev->ts ? p->stw_open : ev->ts;
		c->trigger = ev->gc.trigger;
		c->procs = ev->gc.procs;
		/* That pause, still open, will be counted in it when it ends. */
		p->cycle_open = true;
		break;
	case XG_GC_MARK_TERM:
		if (c) {
			c->mark_end = ev->ts;
			c->mark_ns = ev->ts - (c->start <= ev->ts ? c->start : ev->ts);
		}
		break;
	case XG_GC_END:
		if (c) {
			c->end = ev->ts;
			c->n_stw = ev->gc.n_stw;
			c->stw_ns = ev->gc.stw_ns;
			c->stw_max_ns = ev->gc.stw_max_ns;
			c->mark_ns = ev->gc.mark_ns;
			p->gc.cycles++;
			p->gc.gc_stw_ns += ev->gc.stw_ns;
			p->gc.mark_ns += ev->gc.mark_ns;
		}
		p->cycle_open = false;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * GEV_CPU: a running goroutine's time off its CPU (only while it is still
 * running, at most its time there: the span it fell in), or its process's
 * cgroup CPU limit and throttling.
 */
static int apply_cpu(struct gtable *gt, const struct gev *ev)
{
	struct gproc *p;
	struct gentry *e;
	struct gext *h;
	uint64_t off;

	if (ev->cpu.what == GEV_CPU_PREEMPTED || ev->cpu.what == GEV_CPU_BLOCKED) {
		e = lookup(gt, ev->pid, ev->goid);
		if (!e || e->exited_ts || e->state != XG_G_RUNNING || ev->ts < e->state_since)
			return 0;
		h = ext_get(gt, e, false);
		if (!h)
			return -ENOMEM;
		off = ev->ts - e->state_since - h->span_off_ns;
		off = ev->cpu.a < off ? ev->cpu.a : off;
		h->off_ns[ev->cpu.what - GEV_CPU_PREEMPTED] += off;
		h->span_off_ns += off;
		if (h->span_off_ns)
			e->table_flags |= EF_SPAN_OFF;
		return 0;
	}
	p = proc_get(gt, ev->pid);
	if (!p)
		return -ENOMEM;
	if (ev->cpu.what == GEV_CPU_LIMIT) {
		p->cpu.quota_us = ev->cpu.a;
		p->cpu.period_us = ev->cpu.b;
		p->cpu.limit_ts = ev->ts;
	} else if (ev->cpu.what == GEV_CPU_THROTTLE) {
		p->cpu.nr_throttled = ev->cpu.a;
		p->cpu.throttled_ns = ev->cpu.b;
		p->cpu.ts = ev->ts;
	}
	p->has_cpu = true;
	return 0;
}

int gtable__cgroup(const struct gtable *gt, uint32_t pid, struct gtable_cgroup *out)
{
	const struct gproc *p = proc_find(gt, pid);

	if (!p || !p->has_cpu)
		return -ENODATA;
	*out = p->cpu;
	return 0;
}

/* E's extension, or NULL. */
static const struct gext *ext_of(const struct gentry *e)
{
	return e->hist ? e->hist->ext : NULL;
}

unsigned int gentry__open_off_pct(const struct gentry *e, uint64_t now)
{
	const struct gext *h = ext_of(e);

	if (!h || !h->span_off_ns || e->state != XG_G_RUNNING || e->exited_ts ||
	    now <= e->state_since)
		return 0;
	return h->span_off_ns >= now - e->state_since
		       ? 100
		       : (unsigned int)(h->span_off_ns * 100 / (now - e->state_since));
}

size_t gentry__copy_size(const struct gentry *e)
{
	return hist_bytes(e);
}

void gentry__copy(struct gentry *d, const struct gentry *e, void *buf)
{
	*d = *e;
	if (!e->hist)
		return;
	d->hist = buf;
	memcpy(d->hist, e->hist, ghist_size(e->span_cap));
	if (e->hist->ext) {
		d->hist->ext = (struct gext *)((char *)buf + ghist_size(e->span_cap));
		memcpy(d->hist->ext, e->hist->ext, ext_size(e));
	}
}

void gentry__alloc(const struct gentry *e, uint64_t *bytes, uint64_t *objects)
{
	const struct gext *x = ext_of(e);

	*bytes = x ? x->alloc_bytes : 0;
	*objects = x ? x->alloc_objects : 0;
}

void gentry__offcpu(const struct gentry *e, uint64_t out[2])
{
	const struct gext *h = ext_of(e);

	out[0] = h ? h->off_ns[0] : 0;
	out[1] = h ? h->off_ns[1] : 0;
}

/* An event of the process (scope other than a goroutine's life): its counters. */
/* The last capture level said: what the header shows, live or replayed. */
static void apply_capture(struct gtable *gt, const struct gev *ev)
{
	char text[sizeof(gt->capture)];

	/* Replayed, WHY comes from a file: kept printable. */
	budget__describe((enum capture_level)ev->capture.level, ev->capture.poll_hz,
			 ev->capture.budget_bp / 100.0, ev->capture.why, text, sizeof(text));
	sanitize__str(gt->capture, sizeof(gt->capture), text);
}

const char *gtable__capture(const struct gtable *gt)
{
	return gt->capture;
}

static int apply_process(struct gtable *gt, const struct gev *ev)
{
	int err;

	switch (ev->kind) {
	case GEV_ALLOC:
		err = apply_alloc(gt, ev);
		break;
	case GEV_GC:
		err = apply_gc(gt, ev);
		break;
	case GEV_ALLOC_HIST:
		err = apply_hist(gt, ev);
		break;
	case GEV_GAP: /* a mark: the events after it set the goroutines right */
		err = 0;
		break;
	case GEV_CAPTURE:
		apply_capture(gt, ev);
		err = 0;
		break;
	case GEV_HEAP_CLASS:
	case GEV_HEAP:
		err = apply_heap(gt, ev);
		break;
	case GEV_CPU:
		err = apply_cpu(gt, ev);
		break;
	default: /* a kind whose counters this table does not keep */
		gt->counts.invalid++;
		return 0;
	}
	if (!err)
		gt->counts.events++;
	return err;
}

static void evict(struct gtable *gt);

int gtable__apply(struct gtable *gt, const struct gev *ev)
{
	const struct gev_kind_info *ki = gev_kind_info(ev->kind);
	struct gentry *e;
	uint8_t *flags;
	uint32_t idx;
	bool added;

	if (ki && ki->scope != GEV_SCOPE_GOROUTINE)
		return apply_process(gt, ev);
	if (!ki || (ev->kind == GEV_STATE && (ev->from >= GT_NSTATES || ev->to >= GT_NSTATES))) {
		gt->counts.invalid++;
		return 0;
	}
	if (ev->kind == GEV_EXIT && exits_reserve(gt) < 0)
		return -ENOMEM;
	e = lookup_or_add(gt, ev, &idx, &added);
	if (!e)
		return -ENOMEM;
	flags = pool_flags(gt, idx);
	/* A change of state closes a span: its total needs the block, taken before any change. */
	if (!added &&
	    (ev->kind == GEV_STATE ||
	     (ev->kind == GEV_EXIT && !(*flags & EF_EXITED) && e->state != XG_G_DEAD)) &&
	    hist_prepare(gt, e))
		return -ENOMEM;
	if (added) {
		gt->counts.live++;
		e->alive_since = ev->ts;
	}

	switch (ev->kind) {
	case GEV_CREATE:
		apply_create(gt, e, flags, added, ev);
		if (e->state == XG_G_RUNNING) /* added, found running */
			ivl_note(gt, e, idx);
		break;
	case GEV_STATE:
		apply_state(gt, e, *flags, added, ev);
		if (ev->to == XG_G_RUNNING) /* its state now */
			ivl_note(gt, e, idx);
		break;
	case GEV_EXIT:
		/* A second exit changes nothing: the entry is already queued for expiry. */
		if (!(*flags & EF_EXITED)) {
			apply_exit(gt, e, idx, flags, added, ev);
			evict(gt);
		}
		break;
	default: /* handled above */
		break;
	}
	gt->counts.events++;
	return 0;
}

/*
 * A random goroutine per event makes apply a chain of dependent cache misses:
 * index slot, then entry, then span ring. With the events of a batch known in
 * advance, each link is fetched a few events ahead so the misses overlap.
 */
#define PF_SLOT	 GTABLE_PREFETCH_AHEAD
#define PF_ENTRY 8
#define PF_SPAN	 4
#define PF_RING	 32 /* power of two, > PF_SLOT */
/*
 * Below this many index slots the table stays in cache and fetching ahead
 * only costs (bench_synth replay: 1000 live goroutines, a few thousand kept).
 */
#define PF_MIN_SLOTS 16384

/*
 * Inlined where they are used, always: a function of loads and prefetches
 * alone is pure to GCC (12), and a call of it whose result is unused goes.
 */
#define PF_INLINE static inline __attribute__((always_inline))

PF_INLINE void pf_slot(const struct gtable *gt, uint32_t hash)
{
	__builtin_prefetch(&gt->slots[hash & gt->slot_mask]);
}

/*
 * The first index slot from HASH's home holding HASH, or NULL: a key is
 * past its home slot about a third of the time (70% full), its slot then
 * usually in the same cache line. A few steps only: a hint may give up.
 */
PF_INLINE const struct islot *pf_find(const struct gtable *gt, uint32_t hash)
{
	uint32_t pos = hash & gt->slot_mask, i;

	for (i = 0; i < 8; i++, pos = (pos + 1) & gt->slot_mask) {
		const struct islot *s = &gt->slots[pos];

		if (!s->idx1)
			return NULL;
		if (s->hash == hash)
			return s;
	}
	return NULL;
}

/* Every cache line of entry E (136 bytes: 3 lines at most), to write. */
PF_INLINE void pf_lines(const struct gentry *e)
{
	const char *p = (const char *)e;

	__builtin_prefetch(p, 1);
	__builtin_prefetch(p + 64, 1);
	__builtin_prefetch(p + sizeof(struct gentry) - 1, 1);
}

/* The entry of HASH (its slot fetched before), if in the table. */
PF_INLINE void pf_entry(const struct gtable *gt, uint32_t hash)
{
	const struct islot *s = pf_find(gt, hash);

	if (s)
		pf_lines(pool_entry(gt, s->idx1 - 1));
}

/* Where the next span of that entry (fetched before) goes, with its block's head. */
PF_INLINE void pf_spans(const struct gtable *gt, uint32_t hash)
{
	const struct islot *s = pf_find(gt, hash);

	if (s) {
		const struct gentry *e = pool_entry(gt, s->idx1 - 1);

		if (e->hist) {
			__builtin_prefetch(e->hist, 1);
			__builtin_prefetch(&e->hist->spans[e->span_head], 1);
		}
	}
}

static int apply_ahead(struct gtable *gt, const struct gev *evs, size_t n, size_t *done)
{
	uint32_t hashes[PF_RING];
	size_t i;
	int err;

	for (i = 0; i < n && i < PF_SLOT; i++) {
		hashes[i] = key_hash(evs[i].pid, evs[i].goid);
		pf_slot(gt, hashes[i]);
	}
	for (i = 0; i < n; i++) {
		if (i + PF_SLOT < n) {
			uint32_t h = key_hash(evs[i + PF_SLOT].pid, evs[i + PF_SLOT].goid);

			hashes[(i + PF_SLOT) % PF_RING] = h;
			pf_slot(gt, h);
		}
		if (i + PF_ENTRY < n)
			pf_entry(gt, hashes[(i + PF_ENTRY) % PF_RING]);
		if (i + PF_SPAN < n)
			pf_spans(gt, hashes[(i + PF_SPAN) % PF_RING]);
		err = gtable__apply(gt, &evs[i]);
		if (err) {
			if (done)
				*done = i;
			return err;
		}
	}
	if (done)
		*done = n;
	return 0;
}

void gtable__prefetch(struct gtable *gt, uint32_t pid, uint64_t goid)
{
	uint32_t n = gt->pf_n++, h;

	if (gt->slot_mask + 1 < PF_MIN_SLOTS)
		return;
	h = key_hash(pid, goid);
	gt->pf_hash[n % PF_HINTS] = h;
	pf_slot(gt, h);
	/* The hints of the events PF_ENTRY and PF_SPAN before their apply. */
	if (n >= PF_SLOT - PF_ENTRY)
		pf_entry(gt, gt->pf_hash[(n - (PF_SLOT - PF_ENTRY)) % PF_HINTS]);
	if (n >= PF_SLOT - PF_SPAN)
		pf_spans(gt, gt->pf_hash[(n - (PF_SLOT - PF_SPAN)) % PF_HINTS]);
}

int gtable__apply_batch(struct gtable *gt, const struct gev *evs, size_t n, size_t *done)
{
	size_t i;
	int err = 0;

	if (gt->slot_mask + 1 >= PF_MIN_SLOTS)
		return apply_ahead(gt, evs, n, done);
	for (i = 0; i < n; i++) {
		err = gtable__apply(gt, &evs[i]);
		if (err)
			break;
	}
	if (done)
		*done = i;
	return i < n ? err : 0;
}

static void drop(struct gtable *gt, uint32_t idx)
{
	struct gentry *e = pool_entry(gt, idx);
	uint32_t pos = index_probe(gt, key_hash(e->pid, e->goid), e->pid, e->goid);

	index_remove(gt, pos);
	gt->n--;
	pool_release(gt, idx);
}

/*
 * The exited entries go in the order of the queue, long after their last
 * event: each drop would wait for its entry, then for its index slot (the
 * key is in the entry), then for its history block (its extension pointer).
 * The drop of the queue's Nth fetches entry N + EV_ENTRY, and reads the key
 * and block of entry N + EV_SLOT (fetched EV_ENTRY - EV_SLOT drops before)
 * to fetch its index slot and block: one drop per exit under churn, so a
 * few drops ahead are a few hundred ns ahead.
 */
#define EV_ENTRY 4
#define EV_SLOT	 2

/* The exit record N places after the queue's head (N < n_exits). */
static inline const struct exit_rec *exit_at(const struct gtable *gt, size_t n)
{
	size_t pos = gt->exit_head + n;

	return &gt->exits[pos < gt->exit_cap ? pos : pos - gt->exit_cap];
}

/* Before the drop of the queue's head: the fetches of the drops to come. */
PF_INLINE void pf_drops(const struct gtable *gt)
{
	if (gt->n_exits > EV_ENTRY)
		pf_lines(pool_entry(gt, exit_at(gt, EV_ENTRY)->idx));
	if (gt->n_exits > EV_SLOT) {
		const struct gentry *e = pool_entry(gt, exit_at(gt, EV_SLOT)->idx);

		pf_slot(gt, key_hash(e->pid, e->goid));
		if (e->hist)
			__builtin_prefetch(e->hist, 1);
	}
}

/* Drop the oldest exited entry. */
static void drop_oldest_exit(struct gtable *gt)
{
	struct exit_rec *r = &gt->exits[gt->exit_head];
	const struct gentry *e = pool_entry(gt, r->idx);

	pf_drops(gt);

	/* Out of memory: the log is short of it; a later read may take it for new. */
	if (gt->droplog_on && !xg_grow((void **)&gt->droplog, &gt->cap_droplog, gt->n_droplog + 1,
				       sizeof(*gt->droplog))) {
		gt->droplog[gt->n_droplog++] = (struct gkey){.goid = e->goid, .pid = e->pid};
		gt->droplog_sorted = false;
	}

	gt->exited_bytes -= r->bytes;
	drop(gt, r->idx);
	gt->exit_head = (gt->exit_head + 1) % gt->exit_cap;
	gt->n_exits--;
}

/* Hold the exited entries to the caps, oldest exits first: live ones are not in the queue. */
static void evict(struct gtable *gt)
{
	while (gt->n_exits &&
	       (gt->n_exits > gt->o.max_exited || gt->exited_bytes > gt->o.max_exited_bytes)) {
		drop_oldest_exit(gt);
		gt->counts.evicted++;
	}
}

/*
 * Give back what churn left behind: empty chunks, an index grown for a
 * crowd that has gone (shrunk below 1/8 full, to at most 1/4 full), and,
 * once enough was freed, the heap's free pages.
 */
/* The exit queue down to a quarter full at least (not below 1024). */
static void exits_shrink(struct gtable *gt)
{
	size_t n = gt->exit_cap, i;
	struct exit_rec *v;

	while (n > 1024 && gt->n_exits * 4 < n)
		n /= 2;
	if (n == gt->exit_cap)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < gt->n_exits; i++)
		v[i] = gt->exits[(gt->exit_head + i) % gt->exit_cap];
	free(gt->exits);
	gt->exits = v;
	gt->exit_cap = n;
	gt->exit_head = 0;
}

/* The free stack down to what the mapped chunks need, once they are far fewer. */
static void free_shrink(struct gtable *gt)
{
	uint32_t need = pool_size(gt) > 1024 ? pool_size(gt) : 1024;
	uint32_t *v;

	if (gt->free_cap / 4 < need)
		return;
	v = realloc(gt->free_idx, need * sizeof(*v));
	if (!v)
		return;
	gt->free_idx = v;
	gt->free_cap = need;
}

static void give_back(struct gtable *gt)
{
	uint32_t cap = gt->slot_mask + 1;

	pool_shrink(gt);
	free_shrink(gt);
	if (cap > INDEX_MIN_CAP && (uint64_t)gt->n * 8 < cap) {
		uint32_t to = cap;

		while (to > INDEX_MIN_CAP && (uint64_t)gt->n * 4 < to / 2)
			to /= 2;
		if (!index_resize(gt, to))
			gt->trim_bytes += (size_t)(cap - to) * sizeof(struct islot);
		/* The crowd the cached blocks were kept for has gone too. */
		gt->trim_bytes = TRIM_BYTES;
	}
	exits_shrink(gt);
	if (gt->trim_bytes >= TRIM_BYTES) {
		hcache_empty(gt);
#ifdef __GLIBC__
		malloc_trim(0);
#endif
		gt->trim_bytes = 0;
	}
}

void gtable__expire(struct gtable *gt, uint64_t now)
{
	while (gt->n_exits) {
		struct exit_rec *r = &gt->exits[gt->exit_head];

		if (now <= r->ts || now - r->ts <= gt->o.keep_exited_ns)
			break;
		drop_oldest_exit(gt);
		gt->counts.expired++;
	}
	give_back(gt);
}

size_t gtable__forget(struct gtable *gt, bool (*keep)(uint32_t pid, uint64_t goid, void *ctx),
		      void *ctx)
{
	size_t n = 0;
	uint32_t idx;

	for (idx = 0; idx < pool_size(gt); idx++) {
		struct gentry *e;
		struct gtable_group *g;

		if (!pool_used(gt, idx))
			continue;
		e = pool_entry(gt, idx);
		if ((e->table_flags & EF_EXITED) || keep(e->pid, e->goid, ctx))
			continue;
		count_state(gt, e, e->state, -1);
		gt->counts.live--;
		g = (struct gtable_group *)e->group;
		if (g)
			g->live--;
		drop(gt, idx);
		gt->counts.forgotten++;
		n++;
	}
	return n;
}

const struct gentry *gtable__find(const struct gtable *gt, uint32_t pid, uint64_t goid)
{
	return lookup(gt, pid, goid);
}

/* Set OUT to E's time in each state over its closed spans. */
void gentry__totals(const struct gentry *e, uint64_t out[GT_NSTATES])
{
	const struct ghist *h = e->hist;
	uint32_t i, n = e->n_spans ? e->n_spans - 1u : 0, slot;
	uint64_t v, prev;

	if (h && e->table_flags & EF_EXT_FULL)
		memcpy(out, h->ext->dropped_ns, GT_NSTATES * sizeof(*out));
	else
		memset(out, 0, GT_NSTATES * sizeof(*out));
	if (!h || !n)
		return;
	/* Span lengths are differences of starts: alive_since, their common base, cancels. */
	slot = ring_slot(e, 0);
	prev = h->spans[slot];
	for (i = 1; i < n; i++, prev = v) {
		slot = slot + 1 == e->span_cap ? 0 : slot + 1;
		v = h->spans[slot];
		out[prev & SPAN_STATE_MASK] += (v >> SPAN_OFF_SHIFT) - (prev >> SPAN_OFF_SHIFT);
	}
	out[prev & SPAN_STATE_MASK] += e->state_since - span_start(e, prev);
}

uint64_t gentry__time_in(const struct gentry *e, unsigned int state, uint64_t now)
{
	uint64_t t[GT_NSTATES];

	if (state >= GT_NSTATES)
		return 0;
	if (e->hist)
		gentry__totals(e, t);
	else
		t[state] = 0;
	/* An exited goroutine's last span ends at its exit. */
	if (e->exited_ts && now > e->exited_ts)
		now = e->exited_ts;
	if (e->state == state && now > e->state_since)
		t[state] += now - e->state_since;
	return t[state];
}

int gtable__for_each(const struct gtable *gt, int (*fn)(const struct gentry *e, void *ctx),
		     void *ctx)
{
	uint32_t idx;
	int ret;

	for (idx = 0; idx < pool_size(gt); idx++) {
		if (!pool_used(gt, idx))
			continue;
		ret = fn(pool_entry(gt, idx), ctx);
		if (ret)
			return ret;
	}
	return 0;
}

size_t gtable__size(const struct gtable *gt)
{
	return gt->n;
}

void gtable__counts(const struct gtable *gt, struct gtable_counts *out)
{
	*out = gt->counts;
	out->exited_kept = gt->n_exits;
	out->exited_kept_bytes = gt->exited_bytes;
}

const struct gstate_span *gentry__span(const struct gentry *e, uint32_t i, struct gstate_span *buf)
{
	uint64_t v;

	if (i >= e->n_spans)
		return NULL;
	if (i + 1u == e->n_spans) {
		*buf = (struct gstate_span){.start = e->state_since, .state = e->state};
		return buf;
	}
	v = e->hist->spans[ring_slot(e, i)];
	*buf = (struct gstate_span){.start = span_start(e, v),
				    .state = (uint8_t)(v & SPAN_STATE_MASK),
				    .off_pct = (uint8_t)(v >> SPAN_PCT_SHIFT & SPAN_PCT_MASK)};
	return buf;
}

uint64_t gentry__cpu_ns(const struct gentry *e, uint64_t now)
{
	uint64_t run = gentry__time_in(e, XG_G_RUNNING, now), off[2];

	gentry__offcpu(e, off);
	return run > off[0] + off[1] ? run - off[0] - off[1] : 0;
}

/* Close E's interval at NOW. True: its CPU time may move, or cpu_recent_ns must go back to 0. */
static bool interval_close(struct gentry *e, uint64_t now)
{
	struct ghist *h = e->hist;
	uint64_t cpu;

	/* No history: it never ran (entry_add gives one to a goroutine added running). */
	if (!h)
		return e->state == XG_G_RUNNING;
	cpu = gentry__cpu_ns(e, now);
	h->cpu_recent_ns = cpu >= h->cpu_mark_ns ? cpu - h->cpu_mark_ns : 0;
	h->cpu_mark_ns = cpu;
	e->table_flags = (uint8_t)((e->table_flags & ~EF_CPU_RECENT) |
				   (h->cpu_recent_ns ? EF_CPU_RECENT : 0));
	return e->state == XG_G_RUNNING || h->cpu_recent_ns;
}

/* Every entry of the pool, the list built again. */
static void interval_all(struct gtable *gt, uint64_t now)
{
	uint32_t idx;

	gt->n_ivl = 0;
	gt->ivl_all = false;
	for (idx = 0; idx < pool_size(gt); idx++) {
		struct gentry *e;

		if (!gt->chunks[idx >> CHUNK_SHIFT])
			continue;
		e = pool_entry(gt, idx);
		e->table_flags &= (uint8_t)~EF_LISTED;
		if (e->table_flags & EF_USED && interval_close(e, now))
			ivl_add(gt, idx, &e->table_flags);
	}
}

/*
 * The listed entries: an entry not listed was not running at the last
 * mark nor since, so its CPU time has not moved, and its cpu_recent_ns is
 * 0: the walk of the pool would leave it as it is.
 */
static void interval_listed(struct gtable *gt, uint64_t now)
{
	size_t r, w = 0;

	for (r = 0; r < gt->n_ivl; r++) {
		uint32_t idx = gt->ivl[r];
		struct gentry *e = pool_entry(gt, idx);

		/* A freed slot, or one freed and taken again by an entry that has not run. */
		if (e->table_flags & EF_USED && interval_close(e, now))
			gt->ivl[w++] = idx;
		else
			e->table_flags &= (uint8_t)~EF_LISTED;
	}
	gt->n_ivl = w;
}

static void interval_end(struct gtable *gt, uint64_t now)
{
	gt->interval_ns =
		gt->interval_mark && now > gt->interval_mark ? now - gt->interval_mark : 0;
	gt->interval_mark = now;
}

void gtable__interval(struct gtable *gt, uint64_t now)
{
	if (gt->ivl_all)
		interval_all(gt, now);
	else
		interval_listed(gt, now);
	interval_end(gt, now);
}

void gtable__interval_full(struct gtable *gt, uint64_t now)
{
	interval_all(gt, now);
	interval_end(gt, now);
}

uint64_t gtable__interval_ns(const struct gtable *gt)
{
	return gt->interval_ns;
}

uint64_t gtable__interval_end(const struct gtable *gt)
{
	return gt->interval_mark;
}

int gtable__alloc_hist(const struct gtable *gt, uint32_t pid, struct gtable_alloc_hist *out)
{
	bool any = false;
	size_t i, b;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < gt->n_procs; i++) {
		const struct gproc *p = &gt->procs[i];

		if ((pid && p->pid != pid) || !p->has_hist)
			continue;
		any = true;
		for (b = 0; b < XG_ALLOC_BUCKETS; b++) {
			if (p->hist.size[b])
				out->size[b] = p->hist.size[b];
			out->count[b] += p->hist.count[b];
			out->bytes[b] += p->hist.bytes[b];
		}
	}
	return any ? 0 : -ENODATA;
}

static void heap_add(struct gtable_heap *out, const struct gtable_heap *h)
{
	size_t b;

	for (b = 0; b < XG_ALLOC_BUCKETS; b++) {
		if (h->size[b])
			out->size[b] = h->size[b];
		out->allocs[b] += h->allocs[b];
		out->frees[b] += h->frees[b];
		out->alloc_bytes[b] += h->alloc_bytes[b];
		out->free_bytes[b] += h->free_bytes[b];
	}
	if (h->ts > out->ts)
		out->ts = h->ts;
	out->total_allocs += h->total_allocs;
	out->total_frees += h->total_frees;
	out->total_alloc_bytes += h->total_alloc_bytes;
	out->total_free_bytes += h->total_free_bytes;
	out->tiny += h->tiny;
	out->alloc_bytes_per_s += h->alloc_bytes_per_s;
	out->allocs_per_s += h->allocs_per_s;
	out->samples += h->samples;
}

int gtable__heap(const struct gtable *gt, uint32_t pid, struct gtable_heap *out)
{
	bool any = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < gt->n_procs; i++) {
		const struct gproc *p = &gt->procs[i];

		if ((pid && p->pid != pid) || !p->heap || !p->heap->samples)
			continue;
		any = true;
		heap_add(out, p->heap);
	}
	return any ? 0 : -ENODATA;
}

int gtable__alloc_totals(const struct gtable *gt, uint32_t pid, struct gtable_alloc_totals *out)
{
	bool any = false;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < gt->n_procs; i++) {
		const struct gproc *p = &gt->procs[i];

		if ((pid && p->pid != pid) || !p->has_allocs)
			continue;
		any = true;
		for (k = 0; k < XG_AK_NKINDS; k++) {
			out->count[k] += p->allocs.count[k];
			out->bytes[k] += p->allocs.bytes[k];
		}
		out->events += p->allocs.events;
		out->total_bytes += p->allocs.total_bytes;
		out->unattributed += p->allocs.unattributed;
	}
	return any ? 0 : -ENODATA;
}

static int cmp_cycle(const void *a, const void *b)
{
	const struct gtable_gc_cycle *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int gtable__gc_cycles(const struct gtable *gt, uint32_t pid, struct gtable_gc_cycle *out,
		      size_t max)
{
	bool any = false;
	size_t i, n = 0;

	for (i = 0; i < gt->n_procs; i++) {
		const struct gproc *p = &gt->procs[i];
		uint32_t k;

		if ((pid && p->pid != pid) || !p->has_gc)
			continue;
		any = true;
		/* Newest first into OUT, so that MAX keeps the most recent. */
		for (k = 0; k < p->n_cycles; k++) {
			const struct gtable_gc_cycle *c =
				&p->cycles[(p->cycle_head + GC_KEEP - 1 - k) % GC_KEEP];

			if (n < max)
				out[n++] = *c;
		}
	}
	if (!any)
		return -ENODATA;
	qsort(out, n, sizeof(*out), cmp_cycle);
	return (int)n;
}

int gtable__gc_totals(const struct gtable *gt, uint32_t pid, struct gtable_gc_totals *out)
{
	bool any = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < gt->n_procs; i++) {
		const struct gproc *p = &gt->procs[i];

		if ((pid && p->pid != pid) || !p->has_gc)
			continue;
		any = true;
		out->cycles += p->gc.cycles;
		out->stw += p->gc.stw;
		out->stw_ns += p->gc.stw_ns;
		if (p->gc.stw_max_ns > out->stw_max_ns)
			out->stw_max_ns = p->gc.stw_max_ns;
		out->gc_stw_ns += p->gc.gc_stw_ns;
		out->mark_ns += p->gc.mark_ns;
	}
	return any ? 0 : -ENODATA;
}

void gtable__lifetime_hist(const struct gtable *gt, struct gtable_lifetime_hist *out)
{
	*out = gt->life;
}

int gtable__for_each_group(const struct gtable *gt,
			   int (*fn)(const struct gtable_group *g, void *ctx), void *ctx)
{
	uint32_t i;
	int ret;

	for (i = 0; i < gt->groups.n; i++) {
		ret = fn(group_at(&gt->groups, i), ctx);
		if (ret)
			return ret;
	}
	return 0;
}

size_t gtable__n_groups(const struct gtable *gt)
{
	return gt->groups.n;
}

struct sort_ctx {
	int (*cmp)(const struct gentry *a, const struct gentry *b, void *ctx);
	void *ctx;
};

static int cmp_id(const struct gentry *a, const struct gentry *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->goid != b->goid)
		return a->goid < b->goid ? -1 : 1;
	return 0;
}

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct gentry *a = *(const struct gentry *const *)pa;
	const struct gentry *b = *(const struct gentry *const *)pb;
	const struct sort_ctx *sc = arg;
	int r = sc->cmp ? sc->cmp(a, b, sc->ctx) : 0;

	return r ? r : cmp_id(a, b);
}

int gtable__snapshot(const struct gtable *gt, struct gtable_view *view,
		     bool (*keep)(const struct gentry *e, void *ctx),
		     int (*cmp)(const struct gentry *a, const struct gentry *b, void *ctx),
		     void *ctx)
{
	struct sort_ctx sc = {.cmp = cmp, .ctx = ctx};
	uint32_t idx;
	size_t n = 0;

	if (view->cap < gt->n) {
		const struct gentry **v = realloc(view->v, gt->n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		view->v = v;
		view->cap = gt->n;
	}
	for (idx = 0; idx < pool_size(gt); idx++) {
		const struct gentry *e;

		if (!pool_used(gt, idx))
			continue;
		e = pool_entry(gt, idx);
		if (!keep || keep(e, ctx))
			view->v[n++] = e;
	}
	view->n = n;
	if (n > 1)
		qsort_r(view->v, n, sizeof(*view->v), sort_cmp, &sc);
	return 0;
}

void gtable_view__release(struct gtable_view *view)
{
	free(view->v);
	view->v = NULL;
	view->n = 0;
	view->cap = 0;
}

void gtable__log_dropped_exits(struct gtable *gt, bool on)
{
	if (!on) {
		free(gt->droplog);
		gt->droplog = NULL;
		gt->n_droplog = gt->cap_droplog = 0;
	}
	gt->droplog_on = on;
}

static int cmp_gkey(const void *a, const void *b)
{
	const struct gkey *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

void gtable__sort_dropped_exits(struct gtable *gt)
{
	if (gt->n_droplog && !gt->droplog_sorted)
		qsort(gt->droplog, gt->n_droplog, sizeof(*gt->droplog), cmp_gkey);
	gt->droplog_sorted = true;
}

bool gtable__dropped_exit(const struct gtable *gt, uint32_t pid, uint64_t goid)
{
	struct gkey key = {.goid = goid, .pid = pid};
	size_t i;

	if (!gt->n_droplog)
		return false;
	if (gt->droplog_sorted)
		return bsearch(&key, gt->droplog, gt->n_droplog, sizeof(*gt->droplog), cmp_gkey) !=
		       NULL;
	for (i = 0; i < gt->n_droplog; i++)
		if (!cmp_gkey(&key, &gt->droplog[i]))
			return true;
	return false;
}
