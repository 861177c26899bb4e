// SPDX-License-Identifier: BSD-2-Clause
/*
 * The replay source: a recording played into a state table of its own,
 * with the playback controls of struct xg_source. Seeks start from the
 * keyframe that costs the least replay and keeps the table exact.
 */
#include "replay.h"
#include "clock.h"
#include "stackset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_FULL_REPLAY 2000000ull
#define DEFAULT_JUMP	    500000ull
#define DEFAULT_EXACT	    4000000ull
/* keep in sync with DEFAULT_KEEP_EXITED_NS in gtable.c */
#define DEFAULT_KEEP_NS (30ull * 1000000000ull)

struct replay {
	struct rec_reader *r;
	struct replay_opts o;
	struct rec_iter *it;
	struct gtable *gt;
	struct gtable_opts gopts;
	struct rec_item next; /* the first record not applied yet */
	bool have_next;
	bool done;	/* no record left */
	bool fresh;	/* no event applied to the table yet: a keyframe seeds it */
	bool restoring; /* inside a keyframe that seeds the table */
	bool restored;	/* the table holds a keyframe's goroutines */
	uint64_t pos, start, end;
	bool paused;
	double speed;
	uint64_t wall; /* CLOCK_MONOTONIC at the last advance, 0 when stopped */
	struct xg_meters meters, pending;
	bool have_pending;
	uint64_t applied;
	struct xg_target_info info;
	/* Sweeps (format 1.3): the latest at or before the position. */
	struct stackset *stacks;
	struct rec_stacks stk_map;
	/* Events decoded, not applied yet: only rec_iter__next_events writes them
	 * (their fields after m stay zero, as it needs). */
	struct gev batch[REPLAY_BATCH];
};

static void no_meters(struct xg_meters *m)
{
	memset(m, 0, sizeof(*m));
	m->lat_ns = -1;
	m->ovh_pct = -1;
}

/* New meters; a keyframe's carry no sampling fields: those of the last ones stay. */
static void set_meters(struct replay *rp, const struct xg_meters *m)
{
	struct xg_meters old = rp->meters;

	rp->meters = *m;
	if (!m->sample[0]) {
		rp->meters.goroutine_rate = old.goroutine_rate;
		memcpy(rp->meters.sample, old.sample, sizeof(old.sample));
	}
}

/* A fresh table, read from frame FRAME on. */
static int rebuild(struct replay *rp, size_t frame)
{
	struct gtable *gt = gtable__new(&rp->gopts);
	struct rec_iter *it = rec_iter__new(rp->r, frame);
	struct xg_meters none;

	if (!gt || !it) {
		gtable__free(gt);
		rec_iter__free(it);
		return -ENOMEM;
	}
	gtable__free(rp->gt);
	rec_iter__free(rp->it);
	rp->gt = gt;
	rp->it = it;
	rp->have_next = false;
	rp->done = false;
	rp->fresh = true;
	rp->restoring = false;
	rp->restored = false;
	rp->applied = 0;
	rp->have_pending = false;
	stackset__reset(rp->stacks);
	/* The sampling in force stays known until the next METERS record says otherwise. */
	no_meters(&none);
	set_meters(rp, &none);
	return 0;
}

/* A SWEEP item's time (0 when it does not read: applied at once, then dropped). */
static uint64_t sweep_ts(const struct rec_item *it)
{
	struct rec_sweep_rd r;

	return rec_sweep__begin(&r, it, NULL) ? 0 : r.ts;
}

size_t replay__take_events(struct rec_iter *it, uint64_t t, struct gev *evs, size_t max,
			   struct rec_item *next, bool *have_next)
{
	size_t n = rec_iter__next_events(it, evs, max, t);

	*have_next = false;
	if (n && evs[n - 1].ts > t) {
		next->kind = REC_ITEM_EVENT;
		next->ev = evs[n - 1];
		*have_next = true;
		return n - 1;
	}
	/* Anything else stops the run, events in the full form too: copied into a
	 * slot, the fields of their kind would stay there. */
	if (n < max)
		*have_next = rec_iter__next(it, next) > 0;
	return n;
}

static void note_applied(struct replay *rp, size_t n)
{
	if (!n)
		return;
	rp->fresh = false;
	rp->restoring = false;
	rp->applied += n;
}

/* The first N events of the batch, in order. */
static int apply_batch(struct replay *rp, size_t n)
{
	size_t done = 0;
	int err;

	if (!n)
		return 0;
	err = gtable__apply_batch(rp->gt, rp->batch, n, &done);
	note_applied(rp, done);
	return err;
}

/*
 * The next record not applied yet in rp->next (*MORE), the events up to T
 * before it applied on the way; *MORE false: the recording's end.
 */
static int fill_next(struct replay *rp, uint64_t t, bool *more)
{
	size_t n;
	int err;

	*more = false;
	while (!rp->have_next && !rp->done) {
		n = replay__take_events(rp->it, t, rp->batch, REPLAY_BATCH, &rp->next,
					&rp->have_next);
		err = apply_batch(rp, n);
		if (err)
			return err;
		if (!rp->have_next && n < REPLAY_BATCH)
			rp->done = true;
	}
	*more = rp->have_next;
	return 0;
}

/*
 * Apply records in file order while their time is <= T: the applied part is
 * always the longest prefix of the stream with no event after T, so playing
 * up to T and seeking to T give the same table. Runs of events are decoded
 * into a batch, then applied together (gtable__apply_batch fetches ahead).
 */
static int apply_until(struct replay *rp, uint64_t t)
{
	bool more;
	int err;

	if (rp->have_pending && rp->pending.ts <= t) {
		set_meters(rp, &rp->pending);
		rp->have_pending = false;
	}
	for (;;) {
		struct rec_item *it = &rp->next;

		err = fill_next(rp, t, &more);
		if (err || !more)
			return err;
		switch (it->kind) {
		case REC_ITEM_EVENT:
			/* After T when fill_next stopped at it; an earlier call's T may have been
			 * less. */
			if (it->ev.ts > t)
				return 0;
			err = gtable__apply(rp->gt, &it->ev);
			if (err)
				return err;
			note_applied(rp, 1);
			break;
		case REC_ITEM_METERS:
			if (it->meters.ts <= t) {
				set_meters(rp, &it->meters);
			} else {
				rp->pending = it->meters;
				rp->have_pending = true;
			}
			break;
		case REC_ITEM_KEYFRAME:
			if (it->kf_first) {
				rp->restoring = rp->fresh;
				if (rp->restoring && rp->restored) {
					/* A newer keyframe before any event: it replaces the last.
					 */
					struct gtable *gt = gtable__new(&rp->gopts);

					if (!gt)
						return -ENOMEM;
					gtable__free(rp->gt);
					rp->gt = gt;
				}
				if (rp->restoring && it->has_meters)
					set_meters(rp, &it->meters);
			}
			break;
		case REC_ITEM_KF_ENTRY:
			if (rp->restoring) {
				err = replay__restore(rp->gt, &it->kf);
				if (err)
					return err;
				rp->restored = true;
			}
			break;
		case REC_ITEM_SWEEP:
			if (it->raw_len && sweep_ts(it) > t)
				return 0;
			/* fall through */
		case REC_ITEM_FRAME:
		case REC_ITEM_STACK:
			/* A damaged sweep is dropped (rec_stacks__apply); only memory stops us. */
			err = rec_stacks__apply(&rp->stk_map, rec_reader__dict(rp->r), it,
						rp->stacks);
			if (err == -ENOMEM)
				return err;
			break;
		default:
			break;
		}
		rp->have_next = false;
	}
}

static int seek(struct replay *rp, uint64_t t)
{
	const struct rec_reader *r = rp->r;
	size_t target = rec_reader__frame_at(r, t), cur = rec_iter__frame(rp->it);
	uint64_t keep = rp->gopts.keep_exited_ns ? rp->gopts.keep_exited_ns : DEFAULT_KEEP_NS;
	uint64_t to_t = rec_reader__events_before(r, target);
	/*
	 * Keyframes hold the live goroutines: one taken KEEP before T or earlier
	 * misses only goroutines that have expired by T (docs/FORMAT.md). When
	 * that costs too much replay, the nearest one will do.
	 */
	long kf = t > keep ? rec_reader__keyframe_before(r, target, t - keep) : -1;
	long near = rec_reader__keyframe_before(r, target, t);
	int err = 0;

	if (to_t - rec_reader__events_before(r, kf < 0 ? 0 : (size_t)kf) > rp->o.exact_events &&
	    near > kf)
		kf = near;

	if (t < rp->start)
		t = rp->start;
	if (t > rp->end)
		t = rp->end;
	if (t < rp->pos) {
		/* Backwards: from the start when cheap (exact in every counter), else a keyframe.
		 */
		if (kf < 0 || to_t <= rp->o.full_replay_events)
			kf = 0;
		err = rebuild(rp, (size_t)kf);
	} else if (kf > (long)cur &&
		   rec_reader__events_before(r, (size_t)kf) - rec_reader__events_before(r, cur) >
			   rp->o.jump_events) {
		err = rebuild(rp, (size_t)kf);
	}
	if (!err)
		err = apply_until(rp, t);
	rp->pos = t;
	gtable__expire(rp->gt, t);
	return err;
}

static uint64_t wall_ns(const struct replay *rp)
{
	return rp->o.clock ? rp->o.clock(rp->o.clock_ctx) : xg_mono_ns();
}

/* Bring the position to now at the current speed. */
static int advance(struct replay *rp)
{
	uint64_t now = wall_ns(rp), t;
	int err;

	if (rp->paused) {
		rp->wall = 0;
		return 0;
	}
	if (!rp->wall)
		rp->wall = now;
	t = rp->pos + (uint64_t)((double)(now - rp->wall) * rp->speed);
	rp->wall = now;
	if (t > rp->end)
		t = rp->end;
	err = apply_until(rp, t);
	rp->pos = t;
	gtable__expire(rp->gt, t);
	return err;
}

static bool at_end(const struct replay *rp)
{
	return rp->pos >= rp->end && rp->done;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int replay_pump(void *ctx, int timeout_ms)
{
	struct replay *rp = ctx;
	uint64_t wait = timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000ull : 0;
	int err;

	if (!rp->paused && !at_end(rp) && rp->have_next && rp->next.kind == REC_ITEM_EVENT &&
	    rp->next.ev.ts > rp->pos) {
		/* Rounded up: a wait of 0 would leave the position short of the event. */
		uint64_t due = (uint64_t)((rp->next.ev.ts - rp->pos) / rp->speed) + 1;

		if (due < wait)
			wait = due;
	}
	if (wait && rp->o.sleep)
		rp->o.sleep(wait, rp->o.clock_ctx);
	else if (wait)
		sleep_ns(wait);
	err = advance(rp);
	if (err)
		return err;
	return at_end(rp) ? 1 : 0;
}

static const struct gtable *replay_table(void *ctx)
{
	return ((struct replay *)ctx)->gt;
}

static void replay_info(void *ctx, struct xg_target_info *out)
{
	*out = ((struct replay *)ctx)->info;
}

static const struct stackset *replay_stacks(void *ctx)
{
	return ((struct replay *)ctx)->stacks;
}

static void replay_meters(void *ctx, struct xg_meters *out)
{
	*out = ((struct replay *)ctx)->meters;
}

static uint64_t replay_now(void *ctx)
{
	return ((struct replay *)ctx)->pos;
}

static int replay_control(void *ctx, enum xg_ctl op, uint64_t arg)
{
	struct replay *rp = ctx;
	const struct rec_reader *r = rp->r;
	size_t i;
	int err;

	/* Settle the position at the old speed before changing anything. */
	err = advance(rp);
	if (err)
		return err;
	switch (op) {
	case XG_CTL_PLAY_PAUSE:
		if (rp->paused && at_end(rp)) {
			err = seek(rp, rp->start); /* play again from the start */
			if (err)
				return err;
		}
		rp->paused = !rp->paused;
		/* Playing from now: the pump's first wait counts. */
		rp->wall = rp->paused ? 0 : wall_ns(rp);
		return 0;
	case XG_CTL_FASTER:
		if (rp->speed < 64)
			rp->speed *= 2;
		return 0;
	case XG_CTL_SLOWER:
		if (rp->speed > 0.25)
			rp->speed /= 2;
		return 0;
	case XG_CTL_STEP_FWD:
		rp->paused = true;
		/* To the end of the next frame that ends after the position. */
		i = rec_reader__frame_at(r, rp->pos + 1);
		return seek(rp,
			    i < rec_reader__n_frames(r) ? rec_reader__frame_max_ts(r, i) : rp->end);
	case XG_CTL_STEP_BACK:
		rp->paused = true;
		i = rec_reader__frame_at(r, rp->pos);
		return seek(rp, i > 0 ? rec_reader__frame_max_ts(r, i - 1) : rp->start);
	case XG_CTL_SEEK_START:
		return seek(rp, rp->start);
	case XG_CTL_SEEK_END:
		return seek(rp, rp->end);
	case XG_CTL_SEEK_TIME:
		return seek(rp, arg > rp->end - rp->start ? rp->end : rp->start + arg);
	}
	return -EINVAL;
}

static void replay_playback(void *ctx, struct xg_playback *out)
{
	struct replay *rp = ctx;

	advance(rp);
	out->paused = rp->paused;
	out->speed = rp->speed;
	out->start = rp->start;
	out->end = rp->end;
	out->pos = rp->pos;
}

static const struct xg_source_ops replay_ops = {
	.pump = replay_pump,
	.table = replay_table,
	.info = replay_info,
	.meters = replay_meters,
	.now = replay_now,
	.control = replay_control,
	.playback = replay_playback,
	.stacks = replay_stacks,
};

struct replay *replay__new(struct rec_reader *r, const struct replay_opts *opts)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	const struct rec_header *h = rec_reader__header(r);

	if (!rp) {
		rec_reader__free(r);
		return NULL;
	}
	rp->r = r;
	rp->stacks = stackset__new();
	if (!rp->stacks) {
		replay__free(rp);
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		rp->o = *opts;
	if (!rp->o.full_replay_events)
		rp->o.full_replay_events = DEFAULT_FULL_REPLAY;
	if (!rp->o.jump_events)
		rp->o.jump_events = DEFAULT_JUMP;
	if (!rp->o.exact_events)
		rp->o.exact_events = DEFAULT_EXACT;
	rp->gopts.keep_exited_ns = h->keep_exited_ns;
	rp->gopts.max_spans = h->max_spans <= REC_MAX_SPANS ? (uint32_t)h->max_spans : 0;
	rp->start = rec_reader__start(r);
	rp->end = rec_reader__end(r);
	rp->pos = rp->start;
	rp->speed = 1;
	rp->paused = rp->o.start_paused;
	rp->info.pid = h->pid;
	snprintf(rp->info.path, sizeof(rp->info.path), "%s", h->path ? h->path : "?");
	snprintf(rp->info.go_version, sizeof(rp->info.go_version), "%s",
		 h->go_version ? h->go_version : "?");
	snprintf(rp->info.arch, sizeof(rp->info.arch), "%s", h->arch ? h->arch : "?");
	snprintf(rp->info.mode, sizeof(rp->info.mode), "REPLAY");
	snprintf(rp->info.probes, sizeof(rp->info.probes), "%s", h->probes ? h->probes : "");
	if (rebuild(rp, 0) || apply_until(rp, rp->pos)) {
		replay__free(rp);
		errno = ENOMEM;
		return NULL;
	}
	return rp;
}

void replay__free(struct replay *rp)
{
	if (!rp)
		return;
	rec_iter__free(rp->it);
	gtable__free(rp->gt);
	rec_reader__free(rp->r);
	stackset__free(rp->stacks);
	rec_stacks__free(&rp->stk_map);
	free(rp);
}

void replay__source(struct replay *rp, struct xg_source *out)
{
	out->ops = &replay_ops;
	out->ctx = rp;
}

const struct stackset *replay__stacks(const struct replay *rp)
{
	return rp->stacks;
}

void replay__set_leak(struct replay *rp, const struct stk_leak_opts *o)
{
	stackset__set_leak(rp->stacks, o);
}

uint64_t replay__applied(const struct replay *rp)
{
	return rp->applied;
}
