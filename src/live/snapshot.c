// SPDX-License-Identifier: BSD-2-Clause
/* -pid: the goroutines found at attach; after lost records, found again (see snapshot.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpoll.h"
#include "grow.h"
#include "gtable.h"
#include "snapshot.h"
#include "xgotop_event.h"

static struct found_g found_of(const struct gev *ev)
{
	return (struct found_g){.goid = ev->goid,
				.parent = ev->parent,
				.startpc = ev->startpc,
				.gopc = ev->gopc,
				.waitsince = ev->waitsince,
				.func = ev->func,
				.reason = (int16_t)ev->reason,
				.state = ev->to};
}

/* Its create, marked existing (what the read's create was), at TS. */
static struct gev found_create(const struct found_g *f, uint32_t pid, uint64_t ts)
{
	return (struct gev){.kind = GEV_CREATE,
			    .ts = ts,
			    .pid = pid,
			    .goid = f->goid,
			    .from = XG_G_DEAD,
			    .to = f->state,
			    .reason = f->reason,
			    .parent = f->parent,
			    .startpc = f->startpc,
			    .gopc = f->gopc,
			    .waitsince = f->waitsince,
			    .func = f->func,
			    .existing = true};
}

static int cmp_found(const void *a, const void *b)
{
	const struct found_g *x = a, *y = b;

	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

/* A goroutine found at attach and gone soon after, perhaps before the probes were in. */
struct suspect {
	uint64_t goid;
	uint8_t state;
};

struct snapshot {
	uint32_t pid;
	unsigned int reads;
	bool emitted;	       /* snapshot__emit ran: reads now look for exits only */
	bool announced;	       /* the first read's are out already: seeded, not listed */
	bool late_settled;     /* snapshot__settle listed the late ones untouched */
	bool reads_over;       /* emitted after both reads: the first read's goroutines are gone */
	struct found_g *found; /* the first read's creates */
	size_t n_found, cap_found;
	struct suspect *by_goid; /* found's goids and states, sorted by the first later read */
	/* The second read's creates not in the first: created meanwhile (sorted by goid at emit).
	 */
	struct gev *late;
	size_t n_late, cap_late;
	struct suspect *suspects;
	size_t n_suspects, cap_suspects;
	uint64_t read_ts, reread_ts; /* the first and the second read began */
	uint64_t reread_end;	     /* the second read ended (snapshot__end_read); 0: not said */
};

struct snapshot *snapshot__new(uint32_t pid)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s)
		s->pid = pid;
	return s;
}

void snapshot__free(struct snapshot *s)
{
	if (!s)
		return;
	free(s->found);
	free(s->by_goid);
	free(s->late);
	free(s->suspects);
	free(s);
}

void snapshot__begin_read(struct snapshot *s, uint64_t now)
{
	if (s->reads++)
		s->reread_ts = now;
	else
		s->read_ts = now;
}

/* A create of a read into V, listed as existing at TS: the read's time, not the goroutine's. */
static int keep_create(struct gev **v, size_t *n, size_t *cap, const struct gev *ev, uint64_t ts)
{
	struct gev *p;

	if (ev->kind != GEV_CREATE)
		return 0;
	if (xg_grow((void **)v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	p = *v;
	p[*n] = *ev;
	p[*n].existing = true;
	p[*n].ts = ts;
	(*n)++;
	return 0;
}

/* A create of a read into V. */
static int keep_found(struct found_g **v, size_t *n, size_t *cap, const struct gev *ev)
{
	if (ev->kind != GEV_CREATE)
		return 0;
	if (xg_grow((void **)v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = found_of(ev);
	return 0;
}

static int by_goid(const void *a, const void *b)
{
	const struct suspect *x = a, *y = b;

	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

/* The first read's goids and states, sorted: what the later reads look exits up in. */
static int index_found(struct snapshot *s)
{
	size_t i;

	if (s->by_goid || !s->n_found)
		return 0;
	s->by_goid = malloc(s->n_found * sizeof(*s->by_goid));
	if (!s->by_goid)
		return -ENOMEM;
	for (i = 0; i < s->n_found; i++)
		s->by_goid[i] = (struct suspect){s->found[i].goid, s->found[i].state};
	qsort(s->by_goid, s->n_found, sizeof(*s->by_goid), by_goid);
	return 0;
}

/* One of the found goroutines read as gone: a suspect (by_goid: 1M found cost log n each). */
static int note_gone(struct snapshot *s, const struct gev *ev)
{
	struct suspect key = {.goid = ev->goid}, *f;

	if (ev->kind != GEV_EXIT || !s->n_found)
		return 0;
	if (index_found(s))
		return -ENOMEM;
	f = bsearch(&key, s->by_goid, s->n_found, sizeof(key), by_goid);
	if (!f)
		return 0;
	if (xg_grow((void **)&s->suspects, &s->cap_suspects, s->n_suspects + 1,
		    sizeof(*s->suspects)))
		return -ENOMEM;
	s->suspects[s->n_suspects++] = *f;
	return 0;
}

void snapshot__end_read(struct snapshot *s, uint64_t now)
{
	if (s->reads >= 2)
		s->reread_end = now;
}

int snapshot__add(const struct gev *ev, void *snapshot)
{
	struct snapshot *s = snapshot;

	if (s->reads <= 1)
		return keep_found(&s->found, &s->n_found, &s->cap_found, ev);
	if (s->reads_over)
		return -EINVAL; /* a third read: nothing left to compare it with */
	/* Read again before the emit: after the probes went in, new goroutines are late. */
	if (!s->emitted && ev->kind == GEV_CREATE)
		return keep_create(&s->late, &s->n_late, &s->cap_late, ev, s->reread_ts);
	return note_gone(s, ev);
}

int snapshot__read(struct snapshot *s, struct poll_src *src, uint64_t now)
{
	int next_ms;

	snapshot__begin_read(s, now);
	return poll_src__pump(src, now, &next_ms, snapshot__add, s);
}

void snapshot__set_announced(struct snapshot *s)
{
	s->announced = true;
}

size_t snapshot__n_late(const struct snapshot *s)
{
	return s->n_late;
}

struct found_g *snapshot__found(struct snapshot *s, size_t *n)
{
	*n = s && s->found ? s->n_found : 0;
	return s ? s->found : NULL;
}

static int forget_one(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	decoder__forget(d, ev->pid, ev->goid);
	return 0;
}

static int seed_one(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	return decoder__seed(d, ev->pid, ev->goid, ev->to);
}

static int cmp_goid(const void *a, const void *b)
{
	const struct gev *x = a, *y = b;

	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

/* The decoders' decoder_late_fn: the create of a late goroutine. */
static int late_create(uint32_t pid, uint64_t goid, struct gev *create, void *snapshot)
{
	const struct snapshot *s = snapshot;
	struct gev key = {.goid = goid};
	const struct gev *g;

	if (pid != s->pid)
		return -ENOENT;
	g = bsearch(&key, s->late, s->n_late, sizeof(key), cmp_goid);
	if (!g)
		return -ENOENT;
	*create = *g;
	return 0;
}

static int seed_late(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	return decoder__seed_late(d, ev->pid, ev->goid, ev->to);
}

static int hook_late(struct decoder *d, void *ctx)
{
	decoder__set_late_fn(d, late_create, ctx);
	return 0;
}

/*
 * Emitted: only goids and states are needed from here on, by the later
 * reads (24 MB less at 1M). The index takes the place of the creates, 16
 * bytes over 40 each, so that the two never take memory side by side.
 */
static void found_to_index(struct snapshot *s)
{
	struct suspect *v = (struct suspect *)s->found, *shrunk;
	size_t i;

	if (s->by_goid || !s->n_found) {
		free(s->found);
	} else {
		_Static_assert(sizeof(*v) <= sizeof(*s->found), "the index fits in place");
		/* Element i goes to bytes [16i, 16i + 16), below the creates not yet moved. */
		for (i = 0; i < s->n_found; i++) {
			struct suspect e = {s->found[i].goid, s->found[i].state};

			memcpy(&v[i], &e, sizeof(e)); /* bytes: the creates' type does not matter */
		}
		shrunk = realloc(v, s->n_found * sizeof(*v));
		s->by_goid = shrunk ? shrunk : v;
		qsort(s->by_goid, s->n_found, sizeof(*s->by_goid), by_goid);
	}
	s->found = NULL;
	s->cap_found = 0;
}

/* Creates given back to the system a run at a time while they are emitted (RELEASE_RUN). */
#define RELEASE_RUN 8192

/*
 * Both reads done: no later read looks goids up, and the creates emitted
 * are not read again. Their pages go back as the emit moves on (what the
 * state table and the decoders take meanwhile is 40 bytes a goroutine
 * less at the end), and the index built for the second read goes too.
 */
static void release_emitted(struct snapshot *s, size_t from, size_t upto)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)s->found + page - 1) & ~(page - 1);
	uintptr_t hi = (uintptr_t)(s->found + upto) & ~(page - 1);
	/* Where the run before ended (its hi): the pages before it went back then. */
	uintptr_t done = (uintptr_t)(s->found + from) & ~(page - 1);

	if (done > lo)
		lo = done;
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

static void release_found(struct snapshot *s)
{
	free(s->found);
	s->found = NULL;
	s->cap_found = 0;
	free(s->by_goid);
	s->by_goid = NULL;
}

int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops)
{
	int err = 0;
	size_t i;
	bool reads_done;

	if (!s || s->emitted) /* once: the found creates are freed after it */
		return 0;
	s->emitted = true;
	reads_done = s->reads >= 2;
	for (i = 0; i < s->n_found && !err; i++) {
		struct gev ev = found_create(&s->found[i], s->pid, s->read_ts);

		if (reads_done && i && i % RELEASE_RUN == 0)
			release_emitted(s, i - RELEASE_RUN, i);
		/* -sample goroutine:RATE: the others will never show a change. */
		if (!xg_goid_sampled(goroutine_thresh, ev.pid, ev.goid))
			continue;
		/* Every processor: the one whose shard it is will see its records. */
		err = ops->each_decoder(ops->ctx, seed_one, &ev);
		if (!err && !s->announced)
			err = ops->emit(&ev, ops->ctx);
	}
	if (!err && reads_done) {
		release_found(s);
		s->reads_over = true;
	} else if (!err)
		found_to_index(s);
	if (err || !s->n_late)
		return err;
	/* Read-only from here on: the decoders look creates up in it, on their threads. */
	qsort(s->late, s->n_late, sizeof(*s->late), cmp_goid);
	err = ops->each_decoder(ops->ctx, hook_late, s);
	for (i = 0; i < s->n_late && !err; i++)
		if (xg_goid_sampled(goroutine_thresh, s->late[i].pid, s->late[i].goid))
			err = ops->each_decoder(ops->ctx, seed_late, &s->late[i]);
	return err;
}

/* Counts the decoders that have not seen the goroutine (ev.pid, ev.goid) since its seed. */
struct seeded_q {
	struct gev ev;
	unsigned int n;
};

static int count_seeded(struct decoder *d, void *ctx)
{
	struct seeded_q *q = ctx;

	q->n += decoder__seeded(d, q->ev.pid, q->ev.goid);
	return 0;
}

static int count_late(struct decoder *d, void *ctx)
{
	struct seeded_q *q = ctx;

	q->n += decoder__late(d, q->ev.pid, q->ev.goid);
	return 0;
}

/*
 * The late goroutines no record has touched up to the second read's end: created
 * before the probes, idle since. Listed as existing, at that read's time.
 */
static int settle_late(struct snapshot *s, const struct snapshot_ops *ops)
{
	size_t i;
	int err = 0;

	s->late_settled = true;
	for (i = 0; i < s->n_late && !err; i++) {
		struct seeded_q q = {.ev = s->late[i]};

		ops->each_decoder(ops->ctx, count_late, &q);
		if (q.n < ops->n_decoders)
			continue;
		/* Its first record now continues from the state read, as for the first read's. */
		err = ops->each_decoder(ops->ctx, seed_one, &s->late[i]);
		if (!err)
			err = ops->emit(&s->late[i], ops->ctx);
	}
	return err;
}

int snapshot__settle(struct snapshot *s, uint64_t released, const struct snapshot_ops *ops)
{
	struct gev ev = {.reason = GEV_NO_REASON, .inferred = true};
	size_t i;
	int err = 0;

	/*
	 * The read takes time: a g read late in it may show a goroutine gone,
	 * or one new, whose record (under the probes) is stamped after the
	 * read began. Until every record up to its end is in, "untouched" is
	 * not known (one forced run said an exit at the read's start, then
	 * the goroutine's own exit, 0.2 ms after it, as a second life).
	 */
	if (!s || !s->emitted || released < s->reread_ts || released < s->reread_end)
		return 0;
	if (!s->late_settled)
		err = settle_late(s, ops);
	if (err || !s->n_suspects)
		return err;
	ev.pid = s->pid;
	ev.ts = s->reread_ts;
	for (i = 0; i < s->n_suspects && !err; i++) {
		struct seeded_q q = {.ev = {.pid = ev.pid, .goid = s->suspects[i].goid}};

		/* Untouched everywhere: no record of it came after the probes went in. */
		ops->each_decoder(ops->ctx, count_seeded, &q);
		if (q.n < ops->n_decoders)
			continue;
		ev.goid = s->suspects[i].goid;
		/* Its seed goes: the decoders would list it alive (a step down to poll). */
		ops->each_decoder(ops->ctx, forget_one, &ev);
		ev.kind = GEV_STATE;
		ev.from = s->suspects[i].state;
		ev.to = XG_G_DEAD;
		err = ops->emit(&ev, ops->ctx);
		ev.kind = GEV_EXIT;
		if (!err)
			err = ops->emit(&ev, ops->ctx);
	}
	s->n_suspects = 0;
	return err;
}

/* ---- after lost records: the table read again ------------------------------------------ */

/*
 * resync.matched: in the state table too; listed with no creation seen (-b:
 * from before); and changed since the read began (its create says the
 * table's state, not the read's).
 */
#define MATCHED 1
#define UNNAMED 2
#define CHANGED 4

/* A goroutine whose state the read sets right. */
struct fix {
	uint64_t goid;
	uint8_t from, to;
	int reason;
};

/*
 * A goroutine the read has not the last word on, watched until an event of
 * it comes (resync__check): found running (it may have been ending), or
 * not found though its creation alone was seen (it may have been starting).
 */
struct watch {
	uint64_t goid;
	uint32_t transitions; /* its entry's once the read was applied */
	uint8_t state;	      /* found running or runnable (not starting) */
	bool starting;	      /* not found: its exit is held */
	uint64_t gone_ts;     /* read again as ended at this time; 0: not (yet) */
};

struct resync {
	uint32_t pid;
	uint64_t t0, t1; /* the read began and ended; t1 0: none waits */
	bool ok;
	uint64_t drops, since;
	struct found_g *found; /* the read: a create per live goroutine */
	size_t n_found, cap_found;
	uint8_t *matched;  /* per found: MATCHED, or also UNNAMED (and CHANGED) */
	struct fix *fixes; /* exits (to dead), then changes */
	size_t n_fixes, cap_fixes;
	struct watch *watch;
	size_t n_watch, cap_watch;
	size_t n_ended_dropped; /* found, ended since and dropped by the table: not new */
	size_t n_gone_runnable; /* ended unseen (settle_gone) though read runnable: in all */
};

struct resync *resync__new(uint32_t pid)
{
	struct resync *r = calloc(1, sizeof(*r));

	if (r)
		r->pid = pid;
	return r;
}

void resync__free(struct resync *r)
{
	if (!r)
		return;
	free(r->found);
	free(r->matched);
	free(r->fixes);
	free(r->watch);
	free(r);
}

uint32_t resync__pid(const struct resync *r)
{
	return r->pid;
}

void resync__begin_read(struct resync *r, uint64_t now)
{
	r->t0 = now;
	r->t1 = 0;
	r->n_found = 0;
	r->ok = false;
	r->n_watch = 0; /* the new read has the word on them */
}

int resync__add(const struct gev *ev, void *resync)
{
	struct resync *r = resync;

	/* A fresh read: every live goroutine comes as a create, and nothing else. */
	if (ev->kind != GEV_CREATE || !ev->goid)
		return 0;
	return keep_found(&r->found, &r->n_found, &r->cap_found, ev);
}

void resync__end_read(struct resync *r, uint64_t now, bool ok, uint64_t drops, uint64_t since)
{
	r->t1 = now > r->t0 ? now : r->t0;
	r->ok = ok;
	r->drops = drops;
	r->since = since;
}

uint64_t resync__due(const struct resync *r)
{
	return r->t1;
}

static int holds_one(struct decoder *d, void *ctx)
{
	struct gev *q = ctx;

	return decoder__holds(d, q->pid, q->goid);
}

struct compare_ctx {
	struct resync *r;
	const struct resync_ops *ops;
	int err;
};

/*
 * Not in the read, its creation the last event seen: newproc1 stores the
 * goid, then casgstatus fires the probe and only then stores runnable
 * (runtime/proc.go, go1.26), so the read may have found its g still dead.
 * Its exit waits until its g is read again (resync__check).
 */
static int hold_exit(struct compare_ctx *c, const struct gentry *e)
{
	struct resync *r = c->r;

	if (xg_grow((void **)&r->watch, &r->cap_watch, r->n_watch + 1, sizeof(*r->watch))) {
		c->err = -ENOMEM;
		return 1;
	}
	r->watch[r->n_watch++] = (struct watch){.goid = e->goid, .starting = true};
	return 0;
}

/* One entry of the state table against the read; what differs becomes a fix. */
static int compare_one(const struct gentry *e, void *ctx)
{
	struct compare_ctx *c = ctx;
	struct resync *r = c->r;
	struct gev key = {.pid = e->pid, .goid = e->goid};
	struct found_g fkey = {.goid = e->goid};
	const struct found_g *f;
	struct fix fx;

	if (e->pid != r->pid || e->exited_ts || !e->goid)
		return 0;
	/* (qsort and bsearch take no NULL array, even of 0 elements.) */
	f = r->n_found ? bsearch(&fkey, r->found, r->n_found, sizeof(*r->found), cmp_found) : NULL;
	/*
	 * A transition since the read began: the records say more than the
	 * read, which may have caught the goroutine on either side of it. Its
	 * name still comes from the read when its creation was lost (a GC
	 * worker born in the gap, busy ever since: e2e.resync.workers).
	 */
	if (e->state_since > r->t0) {
		if (f && !e->func && !e->created_ts)
			r->matched[f - r->found] = MATCHED | UNNAMED | CHANGED;
		return 0;
	}
	/*
	 * A wait held until its reason is known: the state table lacks it, and
	 * it is news only if the goroutine is still there to leave it.
	 */
	if (f && c->ops->s.each_decoder(c->ops->s.ctx, holds_one, &key))
		return 0;
	if (f) {
		/* Its first line was a change of state: the read has its start function. */
		r->matched[f - r->found] = MATCHED | (!e->func && !e->created_ts ? UNNAMED : 0);
		if (f->state == e->state)
			return 0;
		fx = (struct fix){e->goid, e->state, f->state, f->reason};
	} else if (!e->transitions) {
		/* Its creation alone was seen: it may not have started yet (hold_exit). */
		return hold_exit(c, e);
	} else {
		fx = (struct fix){e->goid, e->state, XG_G_DEAD, GEV_NO_REASON};
	}
	if (xg_grow((void **)&r->fixes, &r->cap_fixes, r->n_fixes + 1, sizeof(*r->fixes))) {
		c->err = -ENOMEM;
		return 1;
	}
	r->fixes[r->n_fixes++] = fx;
	return 0;
}

static int drop_pending(struct decoder *d, void *ctx)
{
	const struct resync *r = ctx;

	decoder__drop_pending(d, r->pid, r->t0);
	return 0;
}

static int cmp_fix(const void *x, const void *y)
{
	const struct fix *a = x, *b = y;

	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

/*
 * The goroutines of the read the state table has no entry for, and those it
 * lists unnamed: existing creates.
 */
static bool new_one(struct resync *r, const struct resync_ops *ops, size_t i)
{
	const struct found_g *f = &r->found[i];

	if (r->matched[i] & UNNAMED)
		return true;
	if (r->matched[i] || gtable__find(ops->gt, r->pid, f->goid))
		return false;
	/*
	 * Ended since the read, and its entry gone before this comparison (the
	 * caps on exited goroutines): its exit is out already, it is not new.
	 */
	if (gtable__dropped_exit(ops->gt, r->pid, f->goid)) {
		r->n_ended_dropped++;
		return false;
	}
	/* -sample: those it leaves out, or whose creation it may have dropped on purpose. */
	return xg_goid_sampled(ops->goroutine_thresh, r->pid, f->goid) && !ops->creates_sampled;
}

static int watch_running(struct resync *r, const struct gtable *gt);

/* C, the create of a goroutine that changed after the read: in the state the table has now. */
static void now_state(const struct gtable *gt, struct gev *c)
{
	const struct gentry *e = gtable__find(gt, c->pid, c->goid);

	if (!e)
		return;
	c->to = e->state;
	c->reason = e->state == XG_G_WAITING ? e->reason : GEV_NO_REASON;
	c->waitsince = 0;
}

int resync__apply(struct resync *r, uint64_t stamp, const struct resync_ops *ops,
		  struct gev_gap *out)
{
	struct gev gap = {.kind = GEV_GAP, .pid = r->pid, .reason = GEV_NO_REASON};
	struct gev ev = {.pid = r->pid, .reason = GEV_NO_REASON, .inferred = true};
	struct compare_ctx c = {.r = r, .ops = ops};
	size_t i, ended_dropped = 0;
	int err = 0;

	if (!r->t1)
		return 0;
	r->n_ended_dropped = 0;
	gap.ts = stamp > r->t1 ? stamp : r->t1;
	gap.gap.drops = r->drops;
	gap.gap.since = r->since;
	gap.gap.resync = r->ok;
	r->n_fixes = 0;
	if (r->ok) {
		r->n_watch = 0; /* this read's word replaces the last one's */
		free(r->matched);
		r->matched = calloc(r->n_found ? r->n_found : 1, sizeof(*r->matched));
		if (!r->matched)
			return -ENOMEM;
		if (r->n_found)
			qsort(r->found, r->n_found, sizeof(*r->found), cmp_found);
		gtable__for_each(ops->gt, compare_one, &c);
		if (c.err)
			return c.err;
		if (r->n_fixes)
			qsort(r->fixes, r->n_fixes, sizeof(*r->fixes), cmp_fix);
		for (i = 0; i < r->n_fixes; i++) {
			gap.gap.exits += r->fixes[i].to == XG_G_DEAD;
			gap.gap.changes += r->fixes[i].to != XG_G_DEAD;
		}
		for (i = 0; i < r->n_found; i++)
			gap.gap.creates += new_one(r, ops, i);
		ended_dropped = r->n_ended_dropped;
	}
	/* Creates waiting for their goid: the read listed those that are alive. */
	if (r->ok && !ops->creates_sampled)
		ops->s.each_decoder(ops->s.ctx, drop_pending, r);
	r->t1 = 0; /* done, whatever comes of it */
	if (out)
		*out = gap.gap;
	err = ops->s.emit(&gap, ops->s.ctx);
	ev.ts = gap.ts;
	for (i = 0; i < r->n_fixes && !err; i++) {
		const struct fix *fx = &r->fixes[i];

		ev.kind = GEV_STATE;
		ev.goid = fx->goid;
		ev.from = fx->from;
		ev.to = fx->to;
		ev.reason = fx->to == XG_G_WAITING ? fx->reason : GEV_NO_REASON;
		if (fx->to == XG_G_DEAD) {
			/* It ended unseen: the decoders forget it, its next record would be news.
			 */
			ops->s.each_decoder(ops->s.ctx, forget_one, &ev);
			err = ops->s.emit(&ev, ops->s.ctx);
			ev.kind = GEV_EXIT;
			ev.reason = GEV_NO_REASON;
		} else {
			/* Its next record continues from the state found. */
			err = ops->s.each_decoder(ops->s.ctx, seed_one, &ev);
		}
		if (!err)
			err = ops->s.emit(&ev, ops->s.ctx);
	}
	for (i = 0; r->ok && i < r->n_found && !err; i++) {
		struct gev c;

		if (!new_one(r, ops, i))
			continue;
		c = found_create(&r->found[i], r->pid, gap.ts);
		if (r->matched[i] & CHANGED)
			now_state(ops->gt, &c);
		/* A goroutine listed already goes on from the state its fix set. */
		if (!r->matched[i])
			err = ops->s.each_decoder(ops->s.ctx, seed_one, &c);
		if (!err)
			err = ops->s.emit(&c, ops->s.ctx);
	}
	if (!err && r->ok)
		err = watch_running(r, ops->gt);
	r->n_ended_dropped = ended_dropped; /* the emitting pass counted them again */
	r->n_found = 0;
	return err;
}

/* ---- the goroutines read running or runnable: their exit may be among the records lost */

/*
 * The probe sits before casgstatus stores the new status (the CAS loop of
 * runtime/proc.go's casgstatus follows it), so a record can be out, or
 * lost, before the store. A thread preempted on its way back from the
 * probe's trap stays in between for as long as it is off the CPU (hundreds
 * of ms on a loaded machine): a read of the table then finds running a
 * goroutine whose exit record was lost with the others, and nothing of it
 * will ever come again. Every goroutine the read left running is watched
 * until an event of it comes; read again as ended (resync__check), it
 * ended unseen (resync__settle_gone).
 *
 * So is every goroutine it left runnable. Before go1.24 newproc1 stores
 * the new goroutine's goid after casgstatus made its g runnable
 * (runtime/proc.go, go1.22), so a read in between finds a g reused from
 * the free list runnable under the goid of the goroutine that ran on it
 * before, long ended and its exit perhaps among the records lost; the new
 * goroutine's records all carry its own goid, and no record of the old one
 * will come. Read again, that g has another goid: the old one ended.
 */
static int watch_running(struct resync *r, const struct gtable *gt)
{
	size_t i;

	for (i = 0; i < r->n_found; i++) {
		const struct gentry *e = gtable__find(gt, r->pid, r->found[i].goid);
		uint8_t st = r->found[i].state;

		if ((st != XG_G_RUNNING && st != XG_G_RUNNABLE) || !e || e->exited_ts ||
		    e->state != st)
			continue;
		if (xg_grow((void **)&r->watch, &r->cap_watch, r->n_watch + 1, sizeof(*r->watch)))
			return -ENOMEM;
		r->watch[r->n_watch++] = (struct watch){
			.goid = r->found[i].goid, .transitions = e->transitions, .state = st};
	}
	return 0;
}

/* No event of W's goroutine since it was watched: the read's word is all there is. */
static bool unheard(const struct resync *r, const struct watch *w, const struct gtable *gt)
{
	const struct gentry *e = gtable__find(gt, r->pid, w->goid);

	return e && !e->exited_ts && e->transitions == w->transitions;
}

size_t resync__check(struct resync *r, const struct gtable *gt, uint64_t now,
		     resync_reread_fn reread, void *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_watch; i++) {
		struct watch w = r->watch[i];
		uint8_t st;
		int err;

		if (!unheard(r, &w, gt))
			continue; /* its events tell the rest */
		err = w.gone_ts ? 0 : reread(w.goid, &st, ctx);
		if (w.gone_ts || (err && err != -ENOENT)) {
			r->watch[n++] = w;
			continue;
		}
		if (w.starting && !err && st != XG_G_DEAD)
			continue; /* being created, or since: the read was early */
		if (err == -ENOENT || st == XG_G_DEAD)
			w.gone_ts = now; /* no g has its goid, or dead: it ended */
		else if (st != w.state)
			continue; /* it went on: that record is on its way, or counted lost */
		r->watch[n++] = w;
	}
	r->n_watch = n;
	return n;
}

size_t resync__ended_dropped(const struct resync *r)
{
	return r->n_ended_dropped;
}

size_t resync__gone_runnable(const struct resync *r)
{
	return r->n_gone_runnable;
}

size_t resync__watching(const struct resync *r)
{
	return r->n_watch;
}

uint64_t resync__gone_due(const struct resync *r)
{
	uint64_t due = 0;
	size_t i;

	for (i = 0; i < r->n_watch; i++)
		if (r->watch[i].gone_ts && (!due || r->watch[i].gone_ts < due))
			due = r->watch[i].gone_ts;
	return due;
}

int resync__settle_gone(struct resync *r, uint64_t released, uint64_t stamp,
			const struct resync_ops *ops, unsigned int *n_ended)
{
	struct gev ev = {.pid = r->pid, .reason = GEV_NO_REASON, .inferred = true};
	size_t i, n = 0;
	int err = 0;

	*n_ended = 0;
	for (i = 0; i < r->n_watch; i++) {
		const struct watch *w = &r->watch[i];

		if (!w->gone_ts || w->gone_ts > released || err) {
			r->watch[n++] = *w;
			continue;
		}
		/* Its exit record, had it come, was applied by now (it is older than the read). */
		if (!unheard(r, w, ops->gt))
			continue;
		ev.ts = stamp > w->gone_ts ? stamp : w->gone_ts;
		ev.goid = w->goid;
		ev.kind = GEV_STATE;
		ev.from = gtable__find(ops->gt, r->pid, w->goid)->state;
		ev.to = XG_G_DEAD;
		ops->s.each_decoder(ops->s.ctx, forget_one, &ev);
		err = ops->s.emit(&ev, ops->s.ctx);
		ev.kind = GEV_EXIT;
		if (!err)
			err = ops->s.emit(&ev, ops->s.ctx);
		*n_ended += !err;
		r->n_gone_runnable += !err && w->state == XG_G_RUNNABLE;
	}
	r->n_watch = n;
	return err;
}
