// SPDX-License-Identifier: BSD-2-Clause
/* -pid: the goroutines found at attach; after lost records, found again (see snapshot.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gpoll.h"
#include "grow.h"
#include "gtable.h"
#include "snapshot.h"
#include "xgotop_event.h"

/* A goroutine found at attach and gone soon after, perhaps before the probes were in. */
struct suspect {
	uint64_t goid;
	uint8_t state;
};

struct snapshot {
	uint32_t pid;
	unsigned int reads;
	bool emitted;	   /* snapshot__emit ran: reads now look for exits only */
	bool late_settled; /* snapshot__settle listed the late ones untouched */
	struct gev *found; /* the first read's creates */
	size_t n_found, cap_found;
	struct suspect *by_goid; /* found's goids and states, sorted by the first later read */
	/* The second read's creates not in the first: created meanwhile (sorted by goid at emit).
	 */
	struct gev *late;
	size_t n_late, cap_late;
	struct suspect *suspects;
	size_t n_suspects, cap_suspects;
	uint64_t read_ts, reread_ts; /* the first and the second read */
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
		s->by_goid[i] = (struct suspect){s->found[i].goid, s->found[i].to};
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

int snapshot__add(const struct gev *ev, void *snapshot)
{
	struct snapshot *s = snapshot;

	if (s->reads <= 1)
		return keep_create(&s->found, &s->n_found, &s->cap_found, ev, s->read_ts);
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

size_t snapshot__n_late(const struct snapshot *s)
{
	return s->n_late;
}

struct gev *snapshot__found(struct snapshot *s, size_t *n)
{
	*n = s && s->found ? s->n_found : 0;
	return s ? s->found : NULL;
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

int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops)
{
	int err = 0;
	size_t i;

	if (!s || s->emitted) /* once: the found creates are freed after it */
		return 0;
	s->emitted = true;
	for (i = 0; i < s->n_found && !err; i++) {
		/* -sample goroutine:RATE: the others will never show a change. */
		if (!xg_goid_sampled(goroutine_thresh, s->found[i].pid, s->found[i].goid))
			continue;
		/* Every processor: the one whose shard it is will see its records. */
		err = ops->each_decoder(ops->ctx, seed_one, &s->found[i]);
		if (!err)
			err = ops->emit(&s->found[i], ops->ctx);
	}
	/* Emitted: only goids and states are needed from here on (304 MB less at 1M). */
	if (!err)
		err = index_found(s);
	if (!err) {
		free(s->found);
		s->found = NULL;
		s->cap_found = 0;
	}
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
 * The late goroutines no record has touched up to the second read: created
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

	if (!s || !s->emitted || released < s->reread_ts)
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

/* A goroutine whose state the read sets right. */
struct fix {
	uint64_t goid;
	uint8_t from, to;
	int reason;
};

struct resync {
	uint32_t pid;
	uint64_t t0, t1; /* the read began and ended; t1 0: none waits */
	bool ok;
	uint64_t drops, since;
	struct gev *found; /* the read: a create per live goroutine */
	size_t n_found, cap_found;
	bool *matched;
	struct fix *fixes; /* exits (to dead), then changes */
	size_t n_fixes, cap_fixes;
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
}

int resync__add(const struct gev *ev, void *resync)
{
	struct resync *r = resync;

	/* A fresh read: every live goroutine comes as a create, and nothing else. */
	if (ev->kind != GEV_CREATE || !ev->goid)
		return 0;
	if (xg_grow((void **)&r->found, &r->cap_found, r->n_found + 1, sizeof(*r->found)))
		return -ENOMEM;
	r->found[r->n_found] = *ev;
	r->found[r->n_found].existing = true;
	r->n_found++;
	return 0;
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

/* One entry of the state table against the read; what differs becomes a fix. */
static int compare_one(const struct gentry *e, void *ctx)
{
	struct compare_ctx *c = ctx;
	struct resync *r = c->r;
	struct gev key = {.pid = e->pid, .goid = e->goid};
	const struct gev *f;
	struct fix fx;

	if (e->pid != r->pid || e->exited_ts || !e->goid)
		return 0;
	/*
	 * A transition since the read began: the records say more than the
	 * read, which may have caught the goroutine on either side of it.
	 */
	if (e->state_since > r->t0)
		return 0;
	/* (qsort and bsearch take no NULL array, even of 0 elements.) */
	f = r->n_found ? bsearch(&key, r->found, r->n_found, sizeof(*r->found), cmp_goid) : NULL;
	/*
	 * A wait held until its reason is known: the state table lacks it, and
	 * it is news only if the goroutine is still there to leave it.
	 */
	if (f && c->ops->s.each_decoder(c->ops->s.ctx, holds_one, &key))
		return 0;
	if (f) {
		r->matched[f - r->found] = true;
		if (f->to == e->state)
			return 0;
		fx = (struct fix){e->goid, e->state, f->to, f->reason};
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

static int forget_one(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	decoder__forget(d, ev->pid, ev->goid);
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

/* The goroutines of the read the state table has no entry for: existing creates. */
static bool new_one(const struct resync *r, const struct resync_ops *ops, size_t i)
{
	const struct gev *f = &r->found[i];

	if (r->matched[i] || gtable__find(ops->gt, f->pid, f->goid))
		return false;
	/* -sample: those it leaves out, or whose creation it may have dropped on purpose. */
	return xg_goid_sampled(ops->goroutine_thresh, f->pid, f->goid) && !ops->creates_sampled;
}

int resync__apply(struct resync *r, uint64_t stamp, const struct resync_ops *ops,
		  struct gev_gap *out)
{
	struct gev gap = {.kind = GEV_GAP, .pid = r->pid, .reason = GEV_NO_REASON};
	struct gev ev = {.pid = r->pid, .reason = GEV_NO_REASON, .inferred = true};
	struct compare_ctx c = {.r = r, .ops = ops};
	size_t i;
	int err = 0;

	if (!r->t1)
		return 0;
	gap.ts = stamp > r->t1 ? stamp : r->t1;
	gap.gap.drops = r->drops;
	gap.gap.since = r->since;
	gap.gap.resync = r->ok;
	r->n_fixes = 0;
	if (r->ok) {
		free(r->matched);
		r->matched = calloc(r->n_found ? r->n_found : 1, sizeof(*r->matched));
		if (!r->matched)
			return -ENOMEM;
		if (r->n_found)
			qsort(r->found, r->n_found, sizeof(*r->found), cmp_goid);
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
		if (!new_one(r, ops, i))
			continue;
		r->found[i].ts = gap.ts;
		err = ops->s.each_decoder(ops->s.ctx, seed_one, &r->found[i]);
		if (!err)
			err = ops->s.emit(&r->found[i], ops->s.ctx);
	}
	r->n_found = 0;
	return err;
}
