// SPDX-License-Identifier: BSD-2-Clause
/*
 * The goroutine state table.
 *
 * Entries live in a pool of fixed-size chunks so that they never move:
 * views keep pointers across applies. An open-addressing index (linear
 * probing, backward-shift deletion, no tombstones) maps (pid, goid) to a
 * pool slot; each index slot is 8 bytes (32 bits of hash, pool index + 1),
 * so the index costs 11 to 23 bytes per goroutine between growths.
 * Exited entries are also queued by exit time, which makes expiry cost the
 * number of entries it drops rather than the table size.
 */
#define _GNU_SOURCE /* qsort_r */
#include "gtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf/xgotop_event.h"

_Static_assert(GT_NSTATES == XG_G_NSTATES, "ns_in_state is indexed by Go status");

#define DEFAULT_KEEP_EXITED_NS (30ull * 1000000000ull)
#define DEFAULT_MAX_SPANS      16
#define FIRST_SPANS	       4
#define CHUNK_SHIFT	       12
#define CHUNK_SIZE	       (1u << CHUNK_SHIFT)
#define INDEX_MIN_CAP	       1024
/* Grow the index past 70% full: linear probing degrades quickly above. */
#define INDEX_LOAD_NUM 7
#define INDEX_LOAD_DEN 10

enum {
	EF_USED = 1 << 0,
	EF_CREATED = 1 << 1, /* a GEV_CREATE was applied */
	EF_EXITED = 1 << 2,  /* a GEV_EXIT was applied */
};

/* Flags sit next to their entry: a separate array costs one more cache miss per event. */
struct gnode {
	struct gentry e;
	uint8_t flags;
};

struct chunk {
	struct gnode n[CHUNK_SIZE];
};

struct islot {
	uint32_t hash;
	uint32_t idx1; /* pool index + 1; 0 marks an empty slot */
};

struct exit_rec {
	uint64_t ts;
	uint32_t idx;
};

struct gtable {
	uint64_t keep_exited_ns;
	uint32_t max_spans;

	struct islot *slots;
	uint32_t slot_mask; /* capacity - 1, capacity a power of two */
	size_t n;

	struct chunk **chunks;
	uint32_t n_chunks;
	uint32_t pool_used; /* slots handed out so far, free or not */
	uint32_t *free_idx; /* stack of released pool slots */
	uint32_t n_free;
	uint32_t free_cap;

	/* Ring of exited entries sorted by exit ts. */
	struct exit_rec *exits;
	size_t exit_head;
	size_t n_exits;
	size_t exit_cap;

	struct gtable_counts counts;
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
	return &gt->chunks[idx >> CHUNK_SHIFT]->n[idx & (CHUNK_SIZE - 1)].e;
}

static inline uint8_t *pool_flags(const struct gtable *gt, uint32_t idx)
{
	return &gt->chunks[idx >> CHUNK_SHIFT]->n[idx & (CHUNK_SIZE - 1)].flags;
}

struct gtable *gtable__new(const struct gtable_opts *opts)
{
	struct gtable *gt = calloc(1, sizeof(*gt));

	if (!gt)
		return NULL;
	gt->keep_exited_ns =
		opts && opts->keep_exited_ns ? opts->keep_exited_ns : DEFAULT_KEEP_EXITED_NS;
	gt->max_spans = opts && opts->max_spans ? opts->max_spans : DEFAULT_MAX_SPANS;
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
		for (i = 0; i < CHUNK_SIZE; i++)
			free(gt->chunks[c]->n[i].e.spans);
		free(gt->chunks[c]);
	}
	free(gt->chunks);
	free(gt->slots);
	free(gt->free_idx);
	free(gt->exits);
	free(gt);
}

/* The index slot holding (pid, goid), or the empty slot where it would go. */
static uint32_t index_probe(const struct gtable *gt, uint32_t hash, uint32_t pid, uint64_t goid)
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

static int index_grow(struct gtable *gt)
{
	uint32_t old_cap = gt->slot_mask + 1, new_cap = old_cap * 2, i;
	struct islot *old = gt->slots, *slots;

	if (new_cap < old_cap)
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

static int pool_alloc(struct gtable *gt, uint32_t *idx)
{
	struct chunk **chunks, *c;

	if (gt->n_free) {
		*idx = gt->free_idx[--gt->n_free];
		return 0;
	}
	if (gt->pool_used == (uint32_t)gt->n_chunks * CHUNK_SIZE) {
		if (gt->n_chunks == UINT32_MAX >> CHUNK_SHIFT)
			return -ENOMEM;
		chunks = realloc(gt->chunks, (gt->n_chunks + 1) * sizeof(*chunks));
		if (!chunks)
			return -ENOMEM;
		gt->chunks = chunks;
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		gt->chunks[gt->n_chunks++] = c;
	}
	*idx = gt->pool_used++;
	return 0;
}

static int pool_release(struct gtable *gt, uint32_t idx)
{
	struct gentry *e = pool_entry(gt, idx);

	if (gt->n_free == gt->free_cap) {
		uint32_t cap = gt->free_cap ? gt->free_cap * 2 : 1024;
		uint32_t *v = realloc(gt->free_idx, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		gt->free_idx = v;
		gt->free_cap = cap;
	}
	free(e->spans);
	memset(e, 0, sizeof(*e));
	*pool_flags(gt, idx) = 0;
	gt->free_idx[gt->n_free++] = idx;
	return 0;
}

static struct gentry *lookup(const struct gtable *gt, uint32_t pid, uint64_t goid)
{
	const struct islot *s = &gt->slots[index_probe(gt, key_hash(pid, goid), pid, goid)];

	return s->idx1 ? pool_entry(gt, s->idx1 - 1) : NULL;
}

/* The entry for (pid, goid), added when missing (*added then true). NULL on ENOMEM. */
static struct gentry *lookup_or_add(struct gtable *gt, uint32_t pid, uint64_t goid,
				    uint32_t *idx_out, bool *added)
{
	uint32_t hash = key_hash(pid, goid), pos, idx;
	struct gentry *e;

	pos = index_probe(gt, hash, pid, goid);
	if (gt->slots[pos].idx1) {
		*idx_out = gt->slots[pos].idx1 - 1;
		*added = false;
		return pool_entry(gt, *idx_out);
	}
	if ((uint64_t)(gt->n + 1) * INDEX_LOAD_DEN >
	    (uint64_t)(gt->slot_mask + 1) * INDEX_LOAD_NUM) {
		if (index_grow(gt))
			return NULL;
		pos = index_probe(gt, hash, pid, goid);
	}
	if (pool_alloc(gt, &idx))
		return NULL;
	e = pool_entry(gt, idx);
	e->pid = pid;
	e->goid = goid;
	e->reason = GEV_NO_REASON;
	*pool_flags(gt, idx) = EF_USED;
	gt->slots[pos].hash = hash;
	gt->slots[pos].idx1 = idx + 1;
	gt->n++;
	*idx_out = idx;
	*added = true;
	return e;
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
	size_t pos = gt->n_exits;

	while (pos > 0) {
		struct exit_rec *prev = &gt->exits[(gt->exit_head + pos - 1) % gt->exit_cap];

		if (prev->ts <= ts)
			break;
		gt->exits[(gt->exit_head + pos) % gt->exit_cap] = *prev;
		pos--;
	}
	gt->exits[(gt->exit_head + pos) % gt->exit_cap] = (struct exit_rec){.ts = ts, .idx = idx};
	gt->n_exits++;
}

/* Grow E's ring if it is full and below max_spans; on failure the ring wraps early. */
static void span_reserve(const struct gtable *gt, struct gentry *e)
{
	uint32_t cap;
	struct gstate_span *v;

	/* Grow only an unwrapped ring (head back at 0): its spans are then in order. */
	if (e->n_spans < e->span_cap || e->span_cap >= gt->max_spans || e->span_head)
		return;
	cap = e->span_cap ? e->span_cap * 2 : FIRST_SPANS;
	if (cap > gt->max_spans)
		cap = gt->max_spans;
	v = realloc(e->spans, cap * sizeof(*v));
	if (!v)
		return;
	e->spans = v;
	e->span_head = e->span_cap;
	e->span_cap = cap;
}

/*
 * Record a span starting at START. A zero-length span (creation then its
 * dead -> runnable, or a clamped event) is overwritten rather than kept; the
 * caller knows, as START equals the previous state_since, which saves
 * reading the ring (a cache miss per event on a big table).
 */
static void span_push(const struct gtable *gt, struct gentry *e, uint64_t start, uint8_t state,
		      bool replace)
{
	if (replace && e->n_spans) {
		e->spans[(e->span_head ? e->span_head : e->span_cap) - 1].state = state;
		return;
	}
	span_reserve(gt, e);
	if (!e->span_cap)
		return;
	e->spans[e->span_head] = (struct gstate_span){.start = start, .state = state};
	e->span_head = e->span_head + 1 == e->span_cap ? 0 : e->span_head + 1;
	if (e->n_spans < e->span_cap)
		e->n_spans++;
}

/* The event's ts, clamped so that no span has a negative length. */
static uint64_t clamp_ts(struct gtable *gt, const struct gentry *e, uint64_t ts)
{
	if (ts >= e->state_since)
		return ts;
	gt->counts.out_of_order++;
	return e->state_since;
}

/* Close the open span at TS and open one in STATE. */
static void set_state(struct gtable *gt, struct gentry *e, bool live, uint8_t state, uint64_t ts)
{
	bool replace = ts == e->state_since;

	e->ns_in_state[e->state] += ts - e->state_since;
	if (live) {
		gt->counts.by_state[e->state]--;
		gt->counts.by_state[state]++;
	}
	e->state = state;
	e->state_since = ts;
	span_push(gt, e, ts, state, replace);
}

static void apply_create(struct gtable *gt, struct gentry *e, uint8_t *flags, bool added,
			 const struct gev *ev)
{
	e->parent = ev->parent;
	e->func = ev->func;
	e->created_by = ev->created_by;
	e->file = ev->file;
	e->line = ev->line;
	e->created_ts = ev->ts;
	if (!(*flags & EF_CREATED)) {
		*flags |= EF_CREATED;
		gt->counts.created++;
	}
	if (added) {
		/* A goroutine starts runnable, or waiting when created parked (go1.23+). */
		e->state = ev->to == XG_G_WAITING ? XG_G_WAITING : XG_G_RUNNABLE;
		e->state_since = ev->ts;
		gt->counts.by_state[e->state]++;
		span_push(gt, e, ev->ts, e->state, false);
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
		e->state_since = ev->ts;
		gt->counts.by_state[e->state]++;
		span_push(gt, e, ev->ts, e->state, false);
	} else {
		/* The runnable that GEV_CREATE assumed is replaced by the real dead -> X. */
		if (ev->from != e->state &&
		    !(e->transitions == 0 && (flags & EF_CREATED) && ev->from == XG_G_DEAD))
			gt->counts.from_mismatch++;
		ts = clamp_ts(gt, e, ev->ts);
		set_state(gt, e, live, ev->to, ts);
	}
	e->transitions++;
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
		e->state_since = ts;
		span_push(gt, e, ts, e->state, false);
	} else {
		ts = clamp_ts(gt, e, ts);
		if (e->state != XG_G_DEAD)
			set_state(gt, e, true, XG_G_DEAD, ts);
		gt->counts.by_state[XG_G_DEAD]--;
	}
	e->reason = GEV_NO_REASON;
	e->reason_str = NULL;
	e->exited_ts = ts;
	*flags |= EF_EXITED;
	exits_push(gt, idx, ts);
	gt->counts.live--;
	gt->counts.exited++;
}

int gtable__apply(struct gtable *gt, const struct gev *ev)
{
	struct gentry *e;
	uint8_t *flags;
	uint32_t idx;
	bool added;

	if ((ev->kind != GEV_CREATE && ev->kind != GEV_STATE && ev->kind != GEV_EXIT) ||
	    (ev->kind == GEV_STATE && (ev->from >= GT_NSTATES || ev->to >= GT_NSTATES))) {
		gt->counts.invalid++;
		return 0;
	}
	if (ev->kind == GEV_EXIT && exits_reserve(gt) < 0)
		return -ENOMEM;
	e = lookup_or_add(gt, ev->pid, ev->goid, &idx, &added);
	if (!e)
		return -ENOMEM;
	flags = pool_flags(gt, idx);
	if (added)
		gt->counts.live++;

	switch (ev->kind) {
	case GEV_CREATE:
		apply_create(gt, e, flags, added, ev);
		break;
	case GEV_STATE:
		apply_state(gt, e, *flags, added, ev);
		break;
	case GEV_EXIT:
		/* A second exit changes nothing: the entry is already queued for expiry. */
		if (!(*flags & EF_EXITED))
			apply_exit(gt, e, idx, flags, added, ev);
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
#define PF_SLOT	 16
#define PF_ENTRY 8
#define PF_SPAN	 4
#define PF_RING	 32 /* power of two, > PF_SLOT */

int gtable__apply_batch(struct gtable *gt, const struct gev *evs, size_t n, size_t *done)
{
	uint32_t hashes[PF_RING];
	size_t i;
	int err;

	for (i = 0; i < n && i < PF_SLOT; i++) {
		hashes[i] = key_hash(evs[i].pid, evs[i].goid);
		__builtin_prefetch(&gt->slots[hashes[i] & gt->slot_mask]);
	}
	for (i = 0; i < n; i++) {
		if (i + PF_SLOT < n) {
			uint32_t h = key_hash(evs[i + PF_SLOT].pid, evs[i + PF_SLOT].goid);

			hashes[(i + PF_SLOT) % PF_RING] = h;
			__builtin_prefetch(&gt->slots[h & gt->slot_mask]);
		}
		if (i + PF_ENTRY < n) {
			const struct islot *s =
				&gt->slots[hashes[(i + PF_ENTRY) % PF_RING] & gt->slot_mask];

			if (s->idx1) {
				const char *p = (const char *)pool_entry(gt, s->idx1 - 1);

				__builtin_prefetch(p, 1);
				__builtin_prefetch(p + 64, 1);
				__builtin_prefetch(p + 128, 1);
				__builtin_prefetch(p + sizeof(struct gnode) - 1, 1);
			}
		}
		if (i + PF_SPAN < n) {
			uint32_t h = hashes[(i + PF_SPAN) % PF_RING];
			const struct islot *s = &gt->slots[h & gt->slot_mask];

			if (s->idx1 && s->hash == h) {
				const struct gentry *e = pool_entry(gt, s->idx1 - 1);

				if (e->spans)
					__builtin_prefetch(&e->spans[e->span_head], 1);
			}
		}
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

static void drop(struct gtable *gt, uint32_t idx)
{
	struct gentry *e = pool_entry(gt, idx);
	uint32_t pos = index_probe(gt, key_hash(e->pid, e->goid), e->pid, e->goid);

	index_remove(gt, pos);
	gt->n--;
	gt->counts.expired++;
	if (pool_release(gt, idx) < 0) {
		/* The slot leaks from the pool, the table stays consistent. */
		free(e->spans);
		memset(e, 0, sizeof(*e));
		*pool_flags(gt, idx) = 0;
	}
}

void gtable__expire(struct gtable *gt, uint64_t now)
{
	while (gt->n_exits) {
		struct exit_rec *r = &gt->exits[gt->exit_head];

		if (now <= r->ts || now - r->ts <= gt->keep_exited_ns)
			break;
		drop(gt, r->idx);
		gt->exit_head = (gt->exit_head + 1) % gt->exit_cap;
		gt->n_exits--;
	}
}

const struct gentry *gtable__find(const struct gtable *gt, uint32_t pid, uint64_t goid)
{
	return lookup(gt, pid, goid);
}

uint64_t gentry__time_in(const struct gentry *e, unsigned int state, uint64_t now)
{
	uint64_t t;

	if (state >= GT_NSTATES)
		return 0;
	t = e->ns_in_state[state];
	/* An exited goroutine's last span ends at its exit. */
	if (e->exited_ts && now > e->exited_ts)
		now = e->exited_ts;
	if (e->state == state && now > e->state_since)
		t += now - e->state_since;
	return t;
}

int gtable__for_each(const struct gtable *gt, int (*fn)(const struct gentry *e, void *ctx),
		     void *ctx)
{
	uint32_t idx;
	int ret;

	for (idx = 0; idx < gt->pool_used; idx++) {
		if (!(*pool_flags(gt, idx) & EF_USED))
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
}

const struct gstate_span *gentry__span(const struct gentry *e, uint32_t i)
{
	if (i >= e->n_spans)
		return NULL;
	return &e->spans[(e->span_head + e->span_cap - e->n_spans + i) % e->span_cap];
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
	for (idx = 0; idx < gt->pool_used; idx++) {
		const struct gentry *e;

		if (!(*pool_flags(gt, idx) & EF_USED))
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
