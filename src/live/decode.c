// SPDX-License-Identifier: BSD-2-Clause
#include "decode.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small open-addressing map: (pid, b) -> fixed-size value ------- */

struct kvmap {
	size_t vsize;
	size_t ssize; /* bytes of a slot */
	size_t voff;  /* where its value starts in a slot */
	size_t cap;   /* power of two */
	size_t len;
	unsigned char *slots; /* cap * ssize: keys, used byte, value */
};

/*
 * A value of up to 3 bytes (the states of `last`, one per goroutine traced:
 * 1M at a big attach) lives in the slot's own last bytes, a slot of 16
 * bytes; larger ones follow it, 8-byte aligned.
 */
struct kvslot {
	uint64_t b;
	uint32_t a; /* a pid */
	uint8_t used;
	uint8_t small[3];
};

_Static_assert(sizeof(struct kvslot) == 16, "a slot of `last` is 16 bytes (docs/ARCHITECTURE.md)");

static struct kvslot *kv_slot(const struct kvmap *m, size_t i)
{
	return (struct kvslot *)(m->slots + i * m->ssize);
}

static void *kv_value(const struct kvmap *m, struct kvslot *s)
{
	return (unsigned char *)s + m->voff;
}

static uint64_t kv_hash(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static int kv_init(struct kvmap *m, size_t vsize)
{
	bool small = vsize <= sizeof(((struct kvslot *)0)->small);

	m->vsize = vsize;
	m->voff = small ? offsetof(struct kvslot, small) : sizeof(struct kvslot);
	m->ssize =
		small ? sizeof(struct kvslot) : sizeof(struct kvslot) + ((vsize + 7) & ~(size_t)7);
	m->cap = 1024;
	m->len = 0;
	m->slots = calloc(m->cap, m->ssize);
	return m->slots ? 0 : -ENOMEM;
}

static void kv_fini(struct kvmap *m)
{
	free(m->slots);
	m->slots = NULL;
}

static struct kvslot *kv_find(const struct kvmap *m, uint32_t a, uint64_t b)
{
	size_t mask = m->cap - 1;
	size_t i = kv_hash(a, b) & mask;

	/*
	 * Most maps are empty most of the time (waits without a reason,
	 * creates without a goid): a probe of one is a cache miss for nothing.
	 */
	if (!m->len)
		return NULL;
	for (;;) {
		struct kvslot *s = kv_slot(m, i);

		if (!s->used)
			return NULL;
		if (s->a == a && s->b == b)
			return s;
		i = (i + 1) & mask;
	}
}

/*
 * Fetch the slot where (a, b) would be found first: the next lookup of it
 * misses less. Inlined always: a function of a prefetch alone is pure to
 * GCC (12), and its call, whose result is unused, goes.
 */
static inline __attribute__((always_inline)) void kv_prefetch(const struct kvmap *m, uint32_t a,
							      uint64_t b)
{
	__builtin_prefetch(kv_slot(m, kv_hash(a, b) & (m->cap - 1)));
}

static int kv_grow(struct kvmap *m);

/* The slot for (a, b), added with a zeroed value when absent. */
static struct kvslot *kv_upsert(struct kvmap *m, uint32_t a, uint64_t b)
{
	size_t mask, i;

	if ((m->len + 1) * 4 > m->cap * 3 && kv_grow(m))
		return NULL;
	mask = m->cap - 1;
	i = kv_hash(a, b) & mask;
	for (;;) {
		struct kvslot *s = kv_slot(m, i);

		if (!s->used) {
			memset(s, 0, m->ssize);
			s->a = a;
			s->b = b;
			s->used = 1;
			m->len++;
			return s;
		}
		if (s->a == a && s->b == b)
			return s;
		i = (i + 1) & mask;
	}
}

static int kv_grow(struct kvmap *m)
{
	struct kvmap bigger = *m;
	size_t i;

	bigger.cap = m->cap * 2;
	bigger.len = 0;
	bigger.slots = calloc(bigger.cap, m->ssize);
	if (!bigger.slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		struct kvslot *s = kv_slot(m, i), *t;

		if (!s->used)
			continue;
		t = kv_upsert(&bigger, s->a, s->b);
		memcpy(kv_value(m, t), kv_value(m, s), m->vsize);
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

/* Linear-probing deletion by backward shift: no tombstones to pile up. */
static void kv_delete(struct kvmap *m, struct kvslot *s)
{
	size_t mask = m->cap - 1;
	size_t hole = ((unsigned char *)s - m->slots) / m->ssize;
	size_t i = hole;

	for (;;) {
		struct kvslot *t;
		size_t home;

		i = (i + 1) & mask;
		t = kv_slot(m, i);
		if (!t->used)
			break;
		home = kv_hash(t->a, t->b) & mask;
		/* t may move into the hole only if its home is not in (hole, i]. */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			memcpy(kv_slot(m, hole), t, m->ssize);
			hole = i;
		}
	}
	kv_slot(m, hole)->used = 0;
	m->len--;
}

/* ---- the decoder ------------------------------------------------------ */

/* Per process: the stop-the-world pause and GC cycle in progress. */
struct gc_track {
	uint64_t stw_start; /* 0: no pause open */
	int stw_reason;
	uint32_t cycles; /* cycles started while traced */
	bool in_cycle;	 /* between START and END */
	bool last_pause; /* MARK_TERM or SWEEP seen: the end of this pause ends the cycle */
	uint64_t cycle_start, mark_start, mark_ns;
	uint32_t n_stw;
	uint64_t stw_ns, stw_max_ns;
};

/* A thread's last state record released, for its twin from the other level's site. */
struct tid_last {
	uint64_t g, goid, ip, ts;
	uint8_t from, to;
	bool set; /* false: none, or its twin was said once already */
};

/* Steps a record may go back from the tail of the queue before it goes to the heap. */
#define TAIL_SCAN 32

struct late_rec {
	uint64_t seq; /* arrival order: ties of ts leave in it */
	struct xg_event rec;
};

/* In d->last: the state came from decoder__seed, no record has touched it yet. */
#define SEEDED 0x80
/* With SEEDED: decoder__seed_late's, its create not emitted yet (a state is < 0x40). */
#define LATE 0x40

struct decoder {
	struct decoder_opts opts;
	/*
	 * The reorder window: q[head..n) sorted by ts, ties in arrival order.
	 * The ring delivers records almost sorted (they are out of order only
	 * across CPUs, by the time between reserve and timestamp), so a record
	 * goes in from the tail after a step or two, and leaves from the head.
	 */
	struct xg_event *q;
	size_t head, n, cap;
	/*
	 * Records that would go further back than TAIL_SCAN steps (the rings of
	 * -rw N interleave whole batches: insertion from the tail would then
	 * cost the window's length each): a min-heap on (ts, seq), merged with
	 * q as they leave.
	 */
	struct late_rec *late;
	size_t n_late, cap_late;
	uint64_t seq;
	uint64_t released_ts; /* ts of the last record released */
	struct kvmap last;    /* (pid, goid) -> uint8 last status */
	struct kvmap pending; /* (pid, g) -> struct xg_event of a create without goid */
	struct kvmap unnamed; /* (pid, goid) -> struct xg_event of a wait with reason 0 */
	struct kvmap gcs;     /* (pid, 0) -> struct gc_track */
	struct kvmap byg;     /* (pid, g) -> uint64 goid of the goroutine created last on g */
	struct kvmap bytid;   /* (pid, tid) -> struct tid_last, with repairs */
	struct decoder_stats st;
	struct xg_sample smp; /* smp.on: -sample is active */
	uint64_t rng;	      /* xorshift64 state of the newgoroutine coin */
	decoder_late_fn late_fn;
	void *late_ctx;
	decoder_prepare_fn prepare;
	void *prepare_ctx;
	bool repairs;	  /* decoder__set_repairs: the level can change */
	uint64_t hold_ts; /* decoder__hold: nothing after it is released; 0: none */
	decoder_ahead_fn ahead_fn;
	void *ahead_ctx;
	unsigned int ahead;
	/* gev_from_rec's: zero but for the fields a goroutine's event sets. */
	struct gev ev;
};

struct decoder *decoder__new(const struct decoder_opts *opts)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (opts)
		d->opts = *opts;
	d->rng = 0x2545f4914f6cdd1dull;
	if (kv_init(&d->last, sizeof(uint8_t)) || kv_init(&d->pending, sizeof(struct xg_event)) ||
	    kv_init(&d->unnamed, sizeof(struct xg_event)) ||
	    kv_init(&d->gcs, sizeof(struct gc_track)) || kv_init(&d->byg, sizeof(uint64_t)) ||
	    kv_init(&d->bytid, sizeof(struct tid_last))) {
		decoder__free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void decoder__free(struct decoder *d)
{
	if (!d)
		return;
	kv_fini(&d->last);
	kv_fini(&d->pending);
	kv_fini(&d->unnamed);
	kv_fini(&d->gcs);
	kv_fini(&d->byg);
	kv_fini(&d->bytid);
	free(d->q);
	free(d->late);
	free(d);
}

static bool late_less(const struct late_rec *a, const struct late_rec *b)
{
	return a->rec.ts < b->rec.ts || (a->rec.ts == b->rec.ts && a->seq < b->seq);
}

static int late_push(struct decoder *d, const struct xg_event *rec)
{
	size_t i;

	if (d->n_late == d->cap_late) {
		size_t cap = d->cap_late ? d->cap_late * 2 : 1024;
		struct late_rec *l = realloc(d->late, cap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		d->late = l;
		d->cap_late = cap;
	}
	i = d->n_late++;
	d->late[i].seq = d->seq++;
	d->late[i].rec = *rec;
	while (i > 0 && late_less(&d->late[i], &d->late[(i - 1) / 2])) {
		struct late_rec t = d->late[i];

		d->late[i] = d->late[(i - 1) / 2];
		d->late[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	d->st.records++;
	return 0;
}

static struct xg_event late_pop(struct decoder *d)
{
	struct xg_event out = d->late[0].rec;
	size_t i = 0;

	d->late[0] = d->late[--d->n_late];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct late_rec t;

		if (l < d->n_late && late_less(&d->late[l], &d->late[m]))
			m = l;
		if (r < d->n_late && late_less(&d->late[r], &d->late[m]))
			m = r;
		if (m == i)
			break;
		t = d->late[i];
		d->late[i] = d->late[m];
		d->late[m] = t;
		i = m;
	}
	return out;
}

/*
 * Room at the end of the queue: the drained head moved out of the way when
 * it is at least half the queue, else twice the room. Moving it whenever the
 * queue was full moved the whole reorder window for every few records once
 * the window held nearly the capacity (16k records: 20 ms at 800k/s), 700
 * instructions per record in memmove on the synthetic feed.
 */
static int queue_room(struct decoder *d)
{
	size_t cap = d->cap ? d->cap * 2 : 4096;
	struct xg_event *q;

	if (d->head > 0 && d->head >= d->cap / 2) {
		memmove(d->q, d->q + d->head, (d->n - d->head) * sizeof(*d->q));
		d->n -= d->head;
		d->head = 0;
		return 0;
	}
	q = realloc(d->q, cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	d->q = q;
	d->cap = cap;
	return 0;
}

int decoder__push(struct decoder *d, const struct xg_event *rec)
{
	size_t i;

	if (d->n == d->cap && queue_room(d))
		return -ENOMEM;
	/* Stable: after every record with the same or an earlier ts. */
	for (i = d->n; i > d->head && d->q[i - 1].ts > rec->ts; i--)
		if (d->n - i >= TAIL_SCAN)
			return late_push(d, rec);
	if (i < d->n)
		memmove(d->q + i + 1, d->q + i, (d->n - i) * sizeof(*d->q));
	d->q[i] = *rec;
	d->n++;
	d->st.records++;
	return 0;
}

/*
 * A goroutine's event of KIND from REC, in the decoder's own struct gev:
 * only what such an event may set is cleared (the per-kind parts of a
 * struct gev, three quarters of its 400 bytes, are never written there and
 * stay zero), instead of the whole of a new one for each event.
 */
static struct gev *gev_from_rec(struct decoder *d, const struct xg_event *rec, enum gev_kind kind)
{
	struct gev *ev = &d->ev;

	memset(ev, 0, offsetof(struct gev, alloc));
	ev->existing = false;
	ev->kind = kind;
	ev->ts = rec->ts;
	ev->pid = rec->pid;
	ev->tid = rec->tid;
	ev->goid = rec->goid;
	ev->from = rec->from;
	ev->to = rec->to;
	ev->reason = (rec->flags & XG_EVF_REASON) ? rec->reason : GEV_NO_REASON;
	if ((rec->flags & XG_EVF_PM) && rec->to == XG_G_RUNNING && kind == GEV_STATE) {
		ev->has_pm = true;
		ev->p = (int32_t)rec->arg0;
		ev->m = (int64_t)rec->arg1;
	}
	return ev;
}

static int emit(struct decoder *d, decoder_emit_fn fn, void *ctx, struct gev *ev)
{
	d->st.events++;
	if (d->prepare)
		d->prepare(ev, d->prepare_ctx);
	return fn(ev, ctx);
}

/*
 * The first record of a goroutine found by the read after the probes went
 * in (decoder__seed_late): a create under the probes is its own, parent
 * and all; any other record shows it was there before them: it is listed
 * as existing, in the state the record leaves, at the record's time.
 */
static int resolve_late(struct decoder *d, struct kvslot *s, const struct xg_event *rec,
			decoder_emit_fn fn, void *ctx)
{
	struct gev ev;

	if (rec->flags & XG_EVF_CREATE) {
		kv_delete(&d->last, s);
		return 0;
	}
	*(uint8_t *)kv_value(&d->last, s) = rec->from | SEEDED;
	if (!d->late_fn || d->late_fn(rec->pid, rec->goid, &ev, d->late_ctx))
		return 0;
	ev.ts = rec->ts;
	if (rec->from != ev.to)
		ev.waitsince = 0; /* not the wait the read found it in */
	ev.to = rec->from;
	ev.existing = true;
	return emit(d, fn, ctx, &ev);
}

/*
 * A switch from states to lifecycle puts the call sites' probes in before
 * casgstatus's own comes out, but a call in flight across it (past the
 * call site before its probe was in, in casgstatus's trap when that probe
 * came out: a thread held there by the attach's mmap lock, or preempted)
 * is seen by neither. What is certain afterwards is said:
 *
 * a goroutine created on a g whose last goroutine was never seen ending
 * ended before it (a g is reused from the free list only once dead);
 */
static int lost_exit(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct kvslot *b = kv_find(&d->byg, rec->pid, rec->g), *s;
	struct gev *ev;
	uint64_t old;
	uint8_t last;
	int err;

	if (!b)
		return 0;
	old = *(uint64_t *)kv_value(&d->byg, b);
	kv_delete(&d->byg, b);
	s = old != rec->goid ? kv_find(&d->last, rec->pid, old) : NULL;
	if (!s)
		return 0;
	last = *(uint8_t *)kv_value(&d->last, s);
	kv_delete(&d->last, s);
	d->st.lost_exits++;
	ev = gev_from_rec(d, rec, GEV_STATE);
	ev->goid = old;
	ev->from = last & ~(SEEDED | LATE);
	ev->to = XG_G_DEAD;
	ev->reason = GEV_NO_REASON;
	ev->has_pm = false;
	ev->inferred = true;
	err = emit(d, fn, ctx, ev);
	if (err)
		return err;
	ev = gev_from_rec(d, rec, GEV_EXIT);
	ev->goid = old;
	ev->reason = GEV_NO_REASON;
	return emit(d, fn, ctx, ev);
}

/*
 * and a goroutine never seen before was created: its create, from its end
 * when that carries who it was (GINFO), else listed as existing, in the
 * state it is seen leaving (a step up from poll: created after the table's
 * last read before the probes, under or before them, ended before the read
 * after them, a change of state seen first).
 */
static int lost_create(struct decoder *d, const struct xg_event *rec, bool ginfo,
		       decoder_emit_fn fn, void *ctx)
{
	struct gev *ev;

	d->st.lost_creates++;
	ev = gev_from_rec(d, rec, GEV_CREATE);
	ev->from = XG_G_DEAD;
	ev->to = rec->from;
	ev->reason = GEV_NO_REASON;
	ev->has_pm = false;
	ev->existing = !ginfo;
	if (ginfo) {
		ev->parent = rec->arg0;
		ev->startpc = rec->arg1;
		ev->gopc = rec->arg2;
	}
	return emit(d, fn, ctx, ev);
}

/* A create record: the repairs first (capture.c may change the level), then the create. */
static int apply_create(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn,
			void *ctx)
{
	struct kvslot *b;
	struct gev *ev;
	int err;

	/*
	 * -sample drops exits and creates on purpose: nothing to repair then;
	 * nor while the level cannot change (a g -> goid map less).
	 */
	if (d->repairs && !d->smp.on) {
		err = lost_exit(d, rec, fn, ctx);
		if (err)
			return err;
		b = kv_upsert(&d->byg, rec->pid, rec->g);
		if (!b)
			return -ENOMEM;
		*(uint64_t *)kv_value(&d->byg, b) = rec->goid;
	}
	ev = gev_from_rec(d, rec, GEV_CREATE);
	ev->parent = rec->arg0;
	ev->startpc = rec->arg1;
	ev->gopc = rec->arg2;
	return emit(d, fn, ctx, ev);
}

/*
 * One observed transition, for a known goid. A creation (dead -> runnable,
 * or -> waiting for a goroutine created parked) is a create event alone:
 * the create carries the state it starts in.
 */
static int apply(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct kvslot *s = kv_find(&d->last, rec->pid, rec->goid);
	/* go1.26's dropm parks a cgo callback's g in deadextra, not dead. */
	bool exits = rec->to == XG_G_DEAD || rec->to == XG_G_DEADEXTRA;
	struct gev *ev;
	int err;

	if (s && (*(uint8_t *)kv_value(&d->last, s) & LATE)) {
		err = resolve_late(d, s, rec, fn, ctx);
		if (err)
			return err;
		s = kv_find(&d->last, rec->pid, rec->goid);
	}
	if ((rec->flags & XG_EVF_CREATE) && s && (*(uint8_t *)kv_value(&d->last, s) & SEEDED)) {
		/*
		 * Announced already, as existing, by a read of the goroutine table
		 * made while this create waited for its goid (before go1.24): a
		 * second create would count it twice, and the state read is newer.
		 */
		return 0;
	}
	if (rec->flags & XG_EVF_CREATE) {
		err = apply_create(d, rec, fn, ctx);
		if (err)
			return err;
		s = kv_find(&d->last, rec->pid, rec->goid); /* a repair's deletion may move it */
	} else {
		bool sampled = d->smp.on && d->smp.thresh[XG_SMP_CASGSTATUS] < XG_SMP_ALL;

		if (!s && d->repairs && !d->smp.on) {
			err = lost_create(d, rec, exits && (rec->flags & XG_EVF_GINFO), fn, ctx);
			if (err)
				return err;
		}

		if (s && (*(uint8_t *)kv_value(&d->last, s) & ~SEEDED) != rec->from && !sampled) {
			ev = gev_from_rec(d, rec, GEV_STATE);
			ev->from = *(uint8_t *)kv_value(&d->last, s) & ~SEEDED;
			ev->to = rec->from;
			ev->inferred = true;
			ev->has_pm = false;
			/* Entering the wait we are now seen leaving: its reason is known. */
			ev->reason =
				(rec->flags & XG_EVF_FROM_REASON) ? rec->reason : GEV_NO_REASON;
			d->st.inferred++;
			err = emit(d, fn, ctx, ev);
			if (err)
				return err;
		}
		ev = gev_from_rec(d, rec, GEV_STATE);
		err = emit(d, fn, ctx, ev);
		if (err)
			return err;
	}

	if (exits) {
		struct kvslot *b = d->repairs ? kv_find(&d->byg, rec->pid, rec->g) : NULL;

		if (b && *(uint64_t *)kv_value(&d->byg, b) == rec->goid)
			kv_delete(&d->byg, b);
		if (s)
			kv_delete(&d->last, s);
		ev = gev_from_rec(d, rec, GEV_EXIT);
		return emit(d, fn, ctx, ev);
	}
	if (!s) {
		s = kv_upsert(&d->last, rec->pid, rec->goid);
		if (!s)
			return -ENOMEM;
	}
	*(uint8_t *)kv_value(&d->last, s) = rec->to;
	return 0;
}

/* A process-scoped event of KIND from REC: its time, process and thread, no reason. */
static void gev_head(struct gev *ev, const struct xg_event *rec, enum gev_kind kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts = rec->ts;
	ev->pid = rec->pid;
	ev->tid = rec->tid;
	ev->reason = GEV_NO_REASON;
}

static int emit_alloc(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct gev ev;

	gev_head(&ev, rec, GEV_ALLOC);
	ev.goid = rec->goid;
	ev.alloc.kind = rec->from;
	ev.alloc.bucket = rec->to;
	ev.alloc.size = rec->arg0;
	ev.alloc.type_addr = rec->arg1;
	ev.alloc.has_hint = rec->flags & XG_EVF_HINT;
	ev.alloc.hint = ev.alloc.has_hint ? rec->arg2 : 0;
	d->st.allocs++;
	return emit(d, fn, ctx, &ev);
}

/* A thread back on its CPU: the sink charges the time off it to its goroutine (offcpu.c). */
static int emit_offcpu(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct gev ev;

	gev_head(&ev, rec, GEV_CPU);
	ev.cpu.what = rec->from;
	ev.cpu.a = rec->arg0;
	d->st.offcpu++;
	return emit(d, fn, ctx, &ev);
}

/*
 * GC records: pair each stop of the world with its start, and follow the
 * cycle from START (inside its first pause, sweep termination) to the end
 * of the pause in which MARK_TERM and SWEEP ran (gcMarkDone restarts the
 * world before calling gcMarkTermination when marking must go on, so that
 * pause is the cycle's last), when END is emitted. Either record suffices:
 * a release without one of the two functions still ends its cycles.
 */
static int emit_gc(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct kvslot *s = kv_upsert(&d->gcs, rec->pid, 0);
	struct gc_track *g;
	struct gev ev;
	int err;

	if (!s)
		return -ENOMEM;
	g = kv_value(&d->gcs, s);
	/* A pause seen ending without its start has no reason: never index 0's. */
	if (!g->stw_start)
		g->stw_reason = GEV_NO_REASON;
	gev_head(&ev, rec, GEV_GC);
	ev.goid = rec->goid;
	ev.gc.phase = rec->from;
	ev.gc.reason = GEV_NO_REASON;
	switch (rec->from) {
	case XG_GC_STW_START:
		g->stw_start = rec->ts;
		g->stw_reason = (rec->flags & XG_EVF_REASON) ? rec->reason : GEV_NO_REASON;
		ev.gc.reason = g->stw_reason;
		break;
	case XG_GC_START:
		g->cycles++;
		g->in_cycle = true;
		g->last_pause = false;
		g->cycle_start = g->stw_start ? g->stw_start : rec->ts;
		g->mark_start = rec->ts;
		g->mark_ns = 0;
		g->n_stw = 0;
		g->stw_ns = g->stw_max_ns = 0;
		ev.gc.trigger = (uint32_t)rec->arg0;
		ev.gc.procs = (uint32_t)rec->arg2;
		break;
	case XG_GC_MARK_TERM:
		if (g->in_cycle)
			g->mark_ns = rec->ts - g->mark_start;
		g->last_pause = g->in_cycle;
		break;
	case XG_GC_SWEEP:
		g->last_pause = g->in_cycle;
		break;
	case XG_GC_STW_END:
		ev.gc.reason = g->stw_reason;
		ev.gc.dur_ns = g->stw_start && rec->ts >= g->stw_start ? rec->ts - g->stw_start : 0;
		if (g->in_cycle && g->stw_start) {
			g->n_stw++;
			g->stw_ns += ev.gc.dur_ns;
			if (ev.gc.dur_ns > g->stw_max_ns)
				g->stw_max_ns = ev.gc.dur_ns;
		}
		g->stw_start = 0;
		g->stw_reason = GEV_NO_REASON;
		break;
	default:
		break;
	}
	ev.gc.cycle = g->in_cycle ? g->cycles : 0;
	d->st.gcs++;
	err = emit(d, fn, ctx, &ev);
	if (err || rec->from != XG_GC_STW_END || !g->in_cycle || !g->last_pause)
		return err;
	ev.gc.phase = XG_GC_END;
	ev.gc.reason = GEV_NO_REASON;
	ev.gc.dur_ns = rec->ts - g->cycle_start;
	ev.gc.n_stw = g->n_stw;
	ev.gc.stw_ns = g->stw_ns;
	ev.gc.stw_max_ns = g->stw_max_ns;
	ev.gc.mark_ns = g->mark_ns;
	g->in_cycle = false;
	d->st.gcs++;
	return emit(d, fn, ctx, &ev);
}

/* -sample drops this create, now that its goid (0: unknown) is known. */
static bool sampled_out(struct decoder *d, const struct xg_event *create)
{
	uint64_t thresh = d->smp.thresh[XG_SMP_NEWGOROUTINE];
	bool out;

	if (!d->smp.on)
		return false;
	out = !create->goid ||
	      !xg_goid_sampled(d->smp.thresh[XG_SMP_GOROUTINE], create->pid, create->goid);
	if (!out && thresh < XG_SMP_ALL) {
		d->rng ^= d->rng << 13;
		d->rng ^= d->rng >> 7;
		d->rng ^= d->rng << 17;
		out = (d->rng >> 32) >= thresh;
	}
	d->st.unsampled += out;
	return out;
}

void decoder__set_sampling(struct decoder *d, const struct xg_sample *s)
{
	d->smp = *s;
}

int decoder__seed(struct decoder *d, uint32_t pid, uint64_t goid, uint8_t state)
{
	struct kvslot *s = kv_upsert(&d->last, pid, goid);

	if (!s)
		return -ENOMEM;
	*(uint8_t *)kv_value(&d->last, s) = state | SEEDED;
	return 0;
}

int decoder__seed_late(struct decoder *d, uint32_t pid, uint64_t goid, uint8_t state)
{
	struct kvslot *s = kv_upsert(&d->last, pid, goid);

	if (!s)
		return -ENOMEM;
	*(uint8_t *)kv_value(&d->last, s) = state | SEEDED | LATE;
	return 0;
}

void decoder__set_late_fn(struct decoder *d, decoder_late_fn fn, void *ctx)
{
	d->late_fn = fn;
	d->late_ctx = ctx;
}

void decoder__set_prepare(struct decoder *d, decoder_prepare_fn fn, void *ctx)
{
	d->prepare = fn;
	d->prepare_ctx = ctx;
}

bool decoder__late(const struct decoder *d, uint32_t pid, uint64_t goid)
{
	struct kvslot *s = kv_find(&d->last, pid, goid);

	return s && (*(uint8_t *)kv_value(&d->last, s) & LATE);
}

bool decoder__seeded(const struct decoder *d, uint32_t pid, uint64_t goid)
{
	struct kvslot *s = kv_find(&d->last, pid, goid);

	return s && (*(uint8_t *)kv_value(&d->last, s) & SEEDED);
}

void decoder__forget(struct decoder *d, uint32_t pid, uint64_t goid)
{
	struct kvslot *s = kv_find(&d->last, pid, goid);

	if (s)
		kv_delete(&d->last, s);
	s = kv_find(&d->unnamed, pid, goid);
	if (s)
		kv_delete(&d->unnamed, s);
}

size_t decoder__drop_pending(struct decoder *d, uint32_t pid, uint64_t until)
{
	size_t i, n = 0;

	for (i = 0; i < d->pending.cap;) {
		struct kvslot *s = kv_slot(&d->pending, i);
		const struct xg_event *rec = kv_value(&d->pending, s);

		if (!s->used || rec->pid != pid || rec->ts > until) {
			i++;
			continue;
		}
		/* Deleting moves a later entry here, or one already seen: look again. */
		kv_delete(&d->pending, s);
		d->st.pending--;
		n++;
	}
	return n;
}

void decoder__set_repairs(struct decoder *d, bool on)
{
	d->repairs = on;
}

void decoder__set_ahead(struct decoder *d, decoder_ahead_fn fn, void *ctx, unsigned int ahead)
{
	d->ahead_fn = fn;
	d->ahead_ctx = ctx;
	d->ahead = ahead;
}

void decoder__hold(struct decoder *d, uint64_t until)
{
	d->hold_ts = until;
}

int decoder__each_live(const struct decoder *d, uint32_t pid, decoder_live_fn fn, void *ctx)
{
	size_t i;
	int err;

	for (i = 0; i < d->last.cap; i++) {
		struct kvslot *s = kv_slot(&d->last, i);
		uint8_t v = *(uint8_t *)kv_value(&d->last, s);

		/* A late one's create is not out: it is not known yet. */
		if (!s->used || s->a != pid || (v & LATE))
			continue;
		err = fn(s->b, v & ~SEEDED, ctx);
		if (err)
			return err;
	}
	return 0;
}

/* Every entry of M with first key PID out. */
static void forget_pid(struct kvmap *m, uint32_t pid)
{
	size_t i;

	for (i = 0; i < m->cap;) {
		struct kvslot *s = kv_slot(m, i);

		if (!s->used || s->a != pid) {
			i++;
			continue;
		}
		/* Deleting moves a later entry here, or one already seen: look again. */
		kv_delete(m, s);
	}
}

void decoder__forget_all(struct decoder *d, uint32_t pid)
{
	forget_pid(&d->last, pid);
	forget_pid(&d->unnamed, pid);
	forget_pid(&d->byg, pid);
	forget_pid(&d->bytid, pid);
	decoder__drop_pending(d, pid, UINT64_MAX);
}

bool decoder__holds(const struct decoder *d, uint32_t pid, uint64_t goid)
{
	return kv_find(&d->unnamed, pid, goid) != NULL;
}

/*
 * A wait entered at a call site whose reason the runtime sets late or
 * never (go1.19, src/goexe/waitsites.c): the site names it, whatever
 * gp.waitreason held. Other sites keep the reason read.
 */
static void name_by_caller(struct decoder *d, struct xg_event *rec)
{
	uint64_t pc = rec->arg2 - (rec->ip - d->opts.casg_vaddr);
	unsigned int i;

	rec->arg2 = 0;
	rec->flags &= ~XG_EVF_CALLER;
	for (i = 0; i < d->opts.n_wait_sites && i < DECODER_WAIT_SITES; i++) {
		const struct decoder_wait_site *s = &d->opts.wait_sites[i];

		if (pc >= s->start && pc < s->end) {
			rec->reason = (uint8_t)s->reason;
			rec->flags |= XG_EVF_REASON;
			d->st.site_reasons++;
			return;
		}
	}
}

/*
 * go1.26+: a syscall edge seen twice, by the tracepoints and by the
 * casgstatus of a slow path (entersyscallblock, exitsyscall with the
 * _Gscan bit held): the second finds the goroutine already there.
 */
static bool seen_syscall_edge(struct decoder *d, const struct xg_event *rec)
{
	struct kvslot *s;
	uint8_t last;

	if (rec->from != XG_G_SYSCALL && rec->to != XG_G_SYSCALL)
		return false;
	s = kv_find(&d->last, rec->pid, rec->goid);
	if (!s)
		return false;
	last = *(uint8_t *)kv_value(&d->last, s);
	if ((last & SEEDED) || last != rec->to)
		return false;
	d->st.dup_syscalls++;
	return true;
}

/*
 * With both levels' probes in, one change hits the call site's probe, then
 * casgstatus's own, on one thread with nothing between: its second record
 * is the next one of that thread in timestamp order (the order records
 * leave the window in, whatever order they arrived in: per-CPU batches
 * hold one CPU's records back while another's arrive). A thread
 * descheduled between its two hits lands the second long after, even once
 * the old probe is gone. One site alone never gives the same change twice
 * in a row; the goid is compared too, so an end and a later end of another
 * goroutine on the same g are two. Out of memory: said twice, not lost.
 */
static bool second_site(struct decoder *d, const struct xg_event *rec)
{
	struct kvslot *s = kv_upsert(&d->bytid, rec->pid, rec->tid);
	struct tid_last *l;
	bool dup;

	if (!s)
		return false;
	l = kv_value(&d->bytid, s);
	dup = l->set && l->g == rec->g && l->goid == rec->goid && l->from == rec->from &&
	      l->to == rec->to && l->ip != rec->ip && rec->ts >= l->ts &&
	      rec->ts - l->ts < DECODER_DUP_NS;
	*l = (struct tid_last){.g = rec->g,
			       .goid = rec->goid,
			       .ip = rec->ip,
			       .ts = rec->ts,
			       .from = rec->from,
			       .to = rec->to,
			       .set = !dup};
	d->st.dup_sites += dup;
	return dup;
}

static int release(struct decoder *d, const struct xg_event *rec, decoder_emit_fn fn, void *ctx)
{
	struct xg_event named;

	struct kvslot *p;
	int err;

	if (rec->ts < d->released_ts)
		d->st.late++;
	else
		d->released_ts = rec->ts;

	if (rec->type == XG_EV_SCHED)
		return emit_offcpu(d, rec, fn, ctx);
	/* First: the twin would give a create waiting for its goid its own, stale one. */
	if (d->repairs && rec->type == XG_EV_STATE && second_site(d, rec))
		return 0;
	if (!d->opts.goid_before_create) {
		p = kv_find(&d->pending, rec->pid, rec->g);
		if (p) {
			/* The next record of a new g: its goid is now the real one. */
			struct xg_event create = *(struct xg_event *)kv_value(&d->pending, p);

			kv_delete(&d->pending, p);
			d->st.pending--;
			create.goid = rec->goid;
			err = sampled_out(d, &create) ? 0 : apply(d, &create, fn, ctx);
			if (err)
				return err;
		}
		if (rec->type == XG_EV_STATE && (rec->flags & XG_EVF_CREATE)) {
			p = kv_upsert(&d->pending, rec->pid, rec->g);
			if (!p)
				return -ENOMEM;
			memcpy(kv_value(&d->pending, p), rec, sizeof(*rec));
			d->st.pending++;
			return 0;
		}
	}

	if (rec->type == XG_EV_ALLOC)
		return emit_alloc(d, rec, fn, ctx);
	if (rec->type == XG_EV_GC)
		return emit_gc(d, rec, fn, ctx);
	if (rec->type != XG_EV_STATE) {
		d->st.unknown++;
		return 0;
	}
	if (!(rec->flags & XG_EVF_CREATE) && seen_syscall_edge(d, rec))
		return 0;
	if (rec->flags & XG_EVF_CALLER) {
		named = *rec;
		name_by_caller(d, &named);
		rec = &named;
	}
	p = kv_find(&d->unnamed, rec->pid, rec->goid);
	if (p) {
		/* The wait is over: its reason, set by now, names it. */
		struct xg_event wait = *(struct xg_event *)kv_value(&d->unnamed, p);

		kv_delete(&d->unnamed, p);
		if (rec->from == XG_G_WAITING && (rec->flags & XG_EVF_FROM_REASON)) {
			wait.reason = rec->reason;
			d->st.late_reasons++;
		}
		err = apply(d, &wait, fn, ctx);
		if (err)
			return err;
	}
	/*
	 * Some parks set gp.waitreason only after casgstatus (go1.19's GC
	 * assist, for one): hold a wait without a reason until the goroutine
	 * leaves it, when the reason can be read.
	 */
	if (!(rec->flags & XG_EVF_CREATE) && (rec->flags & XG_EVF_REASON) && rec->reason == 0) {
		p = kv_upsert(&d->unnamed, rec->pid, rec->goid);
		if (!p)
			return -ENOMEM;
		memcpy(kv_value(&d->unnamed, p), rec, sizeof(*rec));
		return 0;
	}
	return apply(d, rec, fn, ctx);
}

/* How many records ahead of the one released the decoder fetches its state for. */
#define AHEAD_KV 8

/* The record AHEAD places after the queue's head, if it is a goroutine's. */
static const struct xg_event *queued_ahead(const struct decoder *d, size_t ahead)
{
	const struct xg_event *r = d->head + ahead < d->n ? &d->q[d->head + ahead] : NULL;

	return r && (r->type == XG_EV_STATE || r->type == XG_EV_ALLOC) ? r : NULL;
}

static void fetch_ahead(struct decoder *d)
{
	const struct xg_event *r = queued_ahead(d, AHEAD_KV);

	if (r && r->type == XG_EV_STATE)
		kv_prefetch(&d->last, r->pid, r->goid);
	r = d->ahead_fn ? queued_ahead(d, d->ahead) : NULL;
	if (r)
		d->ahead_fn(r->pid, r->goid, d->ahead_ctx);
}

int decoder__drain(struct decoder *d, uint64_t until, decoder_emit_fn fn, void *ctx)
{
	struct xg_event late;
	const struct xg_event *rec;
	int err;

	if (d->hold_ts && until > d->hold_ts)
		until = d->hold_ts;
	for (;;) {
		bool q_ok = d->head < d->n && d->q[d->head].ts <= until;
		bool l_ok = d->n_late && d->late[0].rec.ts <= until;

		/*
		 * The earlier of the two; on a tie the queue's, which came first.
		 * A queued record is released in place: nothing is pushed while
		 * draining.
		 */
		if (q_ok && (!l_ok || d->q[d->head].ts <= d->late[0].rec.ts)) {
			fetch_ahead(d);
			rec = &d->q[d->head++];
		} else if (l_ok) {
			late = late_pop(d);
			rec = &late;
		} else {
			break;
		}
		err = release(d, rec, fn, ctx);
		if (err)
			return err;
	}
	if (d->head == d->n)
		d->head = d->n = 0;
	return 0;
}

static int cmp_ts(const void *x, const void *y)
{
	const struct xg_event *a = x, *b = y;

	return a->ts < b->ts ? -1 : a->ts > b->ts;
}

/* Move every record of M into a malloc'ed array sorted by ts; M is left empty. */
static struct xg_event *take_sorted(struct kvmap *m, size_t *n_out)
{
	struct xg_event *all = malloc((m->len ? m->len : 1) * sizeof(*all));
	size_t i, n = 0;

	if (!all)
		return NULL;
	for (i = 0; i < m->cap; i++) {
		struct kvslot *s = kv_slot(m, i);

		if (s->used)
			all[n++] = *(struct xg_event *)kv_value(m, s);
		s->used = 0;
	}
	m->len = 0;
	qsort(all, n, sizeof(*all), cmp_ts);
	*n_out = n;
	return all;
}

/* Waits whose goroutine never left them: written with the reason they had. */
static int flush_unnamed(struct decoder *d, decoder_emit_fn fn, void *ctx)
{
	struct xg_event *left;
	size_t i, n;
	int err = 0;

	if (!d->unnamed.len)
		return 0;
	left = take_sorted(&d->unnamed, &n);
	if (!left)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++)
		err = apply(d, &left[i], fn, ctx);
	free(left);
	return err;
}

int decoder__finish(struct decoder *d, decoder_goid_fn resolve, decoder_emit_fn fn, void *ctx)
{
	struct xg_event *left;
	size_t i, n = 0;
	int err = decoder__drain(d, UINT64_MAX, fn, ctx);

	if (err)
		return err;
	if (!d->pending.len)
		return flush_unnamed(d, fn, ctx);
	/* In creation order, so parents still come before their children. */
	left = take_sorted(&d->pending, &n);
	if (!left)
		return -ENOMEM;
	d->st.pending = 0;
	for (i = 0; i < n && !err; i++) {
		uint64_t goid = 0;

		if (!resolve || resolve(left[i].pid, left[i].g, &goid, ctx)) {
			goid = 0;
			d->st.unresolved++;
		}
		left[i].goid = goid;
		if (!sampled_out(d, &left[i]))
			err = apply(d, &left[i], fn, ctx);
	}
	free(left);
	if (err)
		return err;
	return flush_unnamed(d, fn, ctx);
}

void decoder__stats(const struct decoder *d, struct decoder_stats *out)
{
	*out = d->st;
	out->queued = d->n - d->head + d->n_late;
}
