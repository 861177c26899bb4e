// SPDX-License-Identifier: BSD-2-Clause
/*
 * The replay source: seeking into the middle of a multi-frame recording
 * gives the table that applying the events up to there gives, whether it
 * replays from the start or restores a keyframe; playback controls; the
 * first screen; a flight-recorder save replays to the same end state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_PREFIX "/tmp/xg-test-replay-"
#include "tmpdir.h"
#include "gentry_read.h"

#include "record.h"
#include "replay.h"
#include "env.h"
#include "../record/churn_gen.h"

#define T0 7000000000000ull
/* Exited goroutines stay this long (the tables default to 30 s: too long for a test). */
#define KEEP 30000000ull

/* The events written, kept to build reference tables. */
struct stream {
	struct gev *ev;
	size_t n;
};

/*
 * A churn recording of N events: 5 ms frames, keyframes every 20 ms, taken
 * from the table the events are applied to, as the live tracer does.
 */

static struct stream record_churn(const char *path, size_t n, uint64_t history_ns, char *saved,
				  size_t saved_len)
{
	struct record_opts o = {.path = path,
				.frame_ns = 5000000,
				.keyframe_ns = 20000000,
				.keep_exited_ns = KEEP,
				.history_ns = history_ns,
				.history_dir = tmpdir};
	struct record_meta m = {.pid = 4242, .path = "/srv/app", .mono_ns = T0};
	struct gtable_opts gopts = {.keep_exited_ns = KEEP};
	struct gtable *gt = gtable__new(&gopts);
	struct stream s = {.ev = calloc(n, sizeof(struct gev)), .n = n};
	struct record_writer *w;
	struct churn c;
	size_t i;

	assert_non_null(gt);
	assert_non_null(s.ev);
	o.table = gt;
	unlink(path);
	w = record__open(&o);
	assert_non_null(w);
	assert_int_equal(record__begin(w, &m), 0);
	churn_init(&c, 11, 50, T0 + 1);
	for (i = 0; i < n; i++) {
		churn_next(&c, &s.ev[i]);
		assert_int_equal(gtable__apply(gt, &s.ev[i]), 0);
		assert_int_equal(record__event(w, &s.ev[i]), 0);
		if (i % 1000 == 0) {
			struct xg_meters mt = {.ts = s.ev[i].ts, .rps = (double)i, .lat_ns = -1};

			assert_int_equal(record__meters(w, &mt), 0);
		}
	}
	if (saved)
		assert_int_equal(record__save_recent(w, saved, saved_len), 0);
	assert_int_equal(record__close(w), 0);
	churn_free(&c);
	gtable__free(gt);
	return s;
}

/* When the recording starts: its first keyframe, or an earlier event (out of order). */
static uint64_t start_of(const struct stream *s)
{
	uint64_t t = T0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].ts < t)
			t = s->ev[i].ts;
	return t;
}

/* What the table holds after the longest prefix of the stream with no event after T. */
static struct gtable *reference(const struct stream *s, uint64_t t)
{
	struct gtable_opts gopts = {.keep_exited_ns = KEEP};
	struct gtable *gt = gtable__new(&gopts);
	size_t i;

	for (i = 0; i < s->n && s->ev[i].ts <= t; i++)
		assert_int_equal(gtable__apply(gt, &s->ev[i]), 0);
	gtable__expire(gt, t);
	return gt;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

struct cmp_ctx {
	const struct gtable *other;
	size_t n;
};

/* Everything the views read, but the transition count (see replay__restore). */
static int cmp_entry(const struct gentry *a, void *ctx)
{
	struct cmp_ctx *c = ctx;
	const struct gentry *b = gtable__find(c->other, a->pid, a->goid);
	uint32_t i;

	if (!b)
		fail_msg("goroutine %u/%llu missing", a->pid, (unsigned long long)a->goid);
	c->n++;
	assert_int_equal(a->parent, b->parent);
	assert_true(str_eq(a->func, b->func));
	assert_true(str_eq(a->created_by, b->created_by));
	assert_true(str_eq(a->file, b->file));
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->created_ts, b->created_ts);
	assert_int_equal(a->exited_ts, b->exited_ts);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->reason, b->reason);
	assert_true(str_eq(a->reason_str, b->reason_str));
	assert_int_equal(a->state_since, b->state_since);
	for (i = 0; i < GT_NSTATES; i++)
		assert_int_equal(ns_in(a, i), ns_in(b, i));
	assert_int_equal(a->n_spans, b->n_spans);
	for (i = 0; i < a->n_spans; i++) {
		assert_int_equal(sp(a, i).start, sp(b, i).start);
		assert_int_equal(sp(a, i).state, sp(b, i).state);
	}
	return 0;
}

static void assert_tables_equal(const struct gtable *a, const struct gtable *b)
{
	struct cmp_ctx c = {.other = b};
	struct gtable_counts ca, cb;
	unsigned int i;

	assert_int_equal(gtable__size(a), gtable__size(b));
	gtable__for_each(a, cmp_entry, &c);
	assert_int_equal(c.n, gtable__size(b));
	gtable__counts(a, &ca);
	gtable__counts(b, &cb);
	assert_int_equal(ca.live, cb.live);
	for (i = 0; i < GT_NSTATES; i++)
		assert_int_equal(ca.by_state[i], cb.by_state[i]);
}

static struct replay *open_replay_opts(const char *path, uint64_t full_replay, uint64_t jump,
				       uint64_t exact)
{
	struct replay_opts o = {.full_replay_events = full_replay,
				.jump_events = jump,
				.exact_events = exact,
				.start_paused = true};
	char err[256];
	struct rec_reader *r = rec_reader__open(path, NULL, err, sizeof(err));
	struct replay *rp;

	if (!r)
		fail_msg("%s: %s", path, err);
	rp = replay__new(r, &o);
	assert_non_null(rp);
	return rp;
}

static struct replay *open_replay(const char *path, uint64_t full_replay, uint64_t jump)
{
	return open_replay_opts(path, full_replay, jump, 0);
}

struct live_ctx {
	const struct gtable *other;
	size_t n;
};

static int live_present(const struct gentry *e, void *ctx)
{
	struct live_ctx *c = ctx;

	if (!e->exited_ts && !gtable__find(c->other, e->pid, e->goid))
		fail_msg("live goroutine %llu missing", (unsigned long long)e->goid);
	c->n += !e->exited_ts;
	return 0;
}

/*
 * Seek a recording of many frames to times in its middle, forwards and
 * backwards: replaying from the start and restoring a keyframe both give
 * the reference table.
 */
static void test_seek_middle(void **state)
{
	enum { N = 300000 };
	struct stream s = record_churn(tmpdir_path("seek.zst"), N, 0, NULL, 0);
	struct replay *full = open_replay(tmpdir_path("seek.zst"), UINT64_MAX, UINT64_MAX);
	struct replay *kf = open_replay(tmpdir_path("seek.zst"), 1, 1);
	struct replay *near = open_replay_opts(tmpdir_path("seek.zst"), 1, 1, 1);
	struct xg_source sf, sk, sn;
	struct xg_playback pb;
	uint64_t span, offs[] = {50, 10, 90, 33, 34, 99, 1, 70, 0, 100};
	size_t i;

	(void)state;
	replay__source(full, &sf);
	replay__source(kf, &sk);
	replay__source(near, &sn);
	sf.ops->playback(sf.ctx, &pb);
	assert_int_equal(pb.start, start_of(&s)); /* the first keyframe, when recording began */
	assert_int_equal(pb.end, s.ev[N - 1].ts);
	assert_true(pb.paused);
	span = pb.end - pb.start;
	assert_true(span > 200000000ull); /* 40 keyframes or so */
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t arg = span / 100 * offs[i];
		struct gtable *ref;

		assert_int_equal(sf.ops->control(sf.ctx, XG_CTL_SEEK_TIME, arg), 0);
		assert_int_equal(sk.ops->control(sk.ctx, XG_CTL_SEEK_TIME, arg), 0);
		assert_int_equal(sf.ops->now(sf.ctx), pb.start + arg);
		ref = reference(&s, pb.start + arg);
		assert_tables_equal(sf.ops->table(sf.ctx), ref);
		assert_tables_equal(sk.ops->table(sk.ctx), ref);
		/*
		 * From the nearest keyframe: every goroutine it shows is right, the live
		 * ones are all there; exited ones may be missing.
		 */
		assert_int_equal(sn.ops->control(sn.ctx, XG_CTL_SEEK_TIME, arg), 0);
		{
			struct cmp_ctx c = {.other = ref};
			struct live_ctx l = {.other = sn.ops->table(sn.ctx)};
			struct gtable_counts ca, cb;

			gtable__for_each(sn.ops->table(sn.ctx), cmp_entry, &c);
			gtable__for_each(ref, live_present, &l);
			gtable__counts(sn.ops->table(sn.ctx), &ca);
			gtable__counts(ref, &cb);
			assert_int_equal(ca.live, cb.live);
			assert_int_equal(l.n, cb.live);
		}
		/* Past the first usable keyframe, the restoring replay applied fewer events. */
		if (offs[i] >= 30 && replay__applied(kf) >= replay__applied(full))
			fail_msg("seek %zu (%llu%%): %llu events applied, not fewer than %llu", i,
				 (unsigned long long)offs[i],
				 (unsigned long long)replay__applied(kf),
				 (unsigned long long)replay__applied(full));
		gtable__free(ref);
	}
	replay__free(full);
	replay__free(kf);
	replay__free(near);
	free(s.ev);
}

/* A wall clock of the test's own: the replay's waits move it, nothing else does. */
struct test_clock {
	uint64_t now;
	uint64_t slept, max_sleep;
	int sleeps;
};

static uint64_t test_clock_now(void *ctx)
{
	return ((struct test_clock *)ctx)->now;
}

static void test_clock_sleep(uint64_t ns, void *ctx)
{
	struct test_clock *c = ctx;

	c->now += ns;
	c->slept += ns;
	c->sleeps++;
	if (ns > c->max_sleep)
		c->max_sleep = ns;
}

/*
 * Play S's recording at PATH at 64x on a test clock: the pump waits no
 * longer than asked, the position follows the clock at 64x (or stops at the
 * next event, or the end), the table is right wherever it stops, and the
 * end comes after the recording's length / 64 of waiting.
 */
static void play_on_test_clock(struct stream *s, const char *path)
{
	struct test_clock c = {.now = 1000000000ull};
	struct replay_opts o = {.start_paused = true,
				.clock = test_clock_now,
				.sleep = test_clock_sleep,
				.clock_ctx = &c};
	char err[256];
	struct rec_reader *r = rec_reader__open(path, NULL, err, sizeof(err));
	struct replay *rp;
	struct xg_source src;
	struct xg_playback pb;
	uint64_t prev, wall;
	int i, ret = 0;

	if (!r)
		fail_msg("%s: %s", path, err);
	rp = replay__new(r, &o);
	assert_non_null(rp);
	replay__source(rp, &src);
	src.ops->playback(src.ctx, &pb);
	for (i = 0; i < 10; i++)
		assert_int_equal(src.ops->control(src.ctx, XG_CTL_FASTER, 0), 0);
	assert_int_equal(src.ops->control(src.ctx, XG_CTL_PLAY_PAUSE, 0), 0);
	prev = src.ops->now(src.ctx);
	assert_int_equal(prev, pb.start);
	for (i = 0; i < 100000 && ret == 0; i++) {
		wall = c.now;
		ret = src.ops->pump(src.ctx, 20);
		assert_true(ret == 0 || ret == 1);
		assert_true(c.max_sleep <= 20000000ull);
		/* Exactly the clock's move at 64x, but never past the end. */
		if (prev + (c.now - wall) * 64 < pb.end)
			assert_int_equal(src.ops->now(src.ctx), prev + (c.now - wall) * 64);
		else
			assert_int_equal(src.ops->now(src.ctx), pb.end);
		prev = src.ops->now(src.ctx);
		if (i % 97 == 0) {
			struct gtable *ref = reference(s, prev);

			assert_tables_equal(src.ops->table(src.ctx), ref);
			gtable__free(ref);
		}
	}
	assert_int_equal(ret, 1);
	assert_int_equal(src.ops->now(src.ctx), pb.end);
	/* Waited the recording's length at 64x, give or take the last wait's rounding. */
	assert_true(c.slept * 64 >= pb.end - pb.start);
	assert_true(c.slept * 64 < pb.end - pb.start + 64 * 20000000ull);
	replay__free(rp);
}

static void test_controls(void **state)
{
	enum { N = 60000 };
	struct stream s = record_churn(tmpdir_path("ctl.zst"), N, 0, NULL, 0);
	struct replay *rp = open_replay(tmpdir_path("ctl.zst"), 0, 0);
	struct xg_source src;
	struct xg_playback pb, pb2;
	struct xg_target_info info;
	struct xg_meters m;
	uint64_t prev;
	int i, steps = 0;

	(void)state;
	replay__source(rp, &src);
	assert_null(src.ops->save_recent);
	src.ops->info(src.ctx, &info);
	assert_string_equal(info.mode, "REPLAY");
	assert_string_equal(info.path, "/srv/app");
	assert_int_equal(info.pid, 4242);

	/* Speed: doubles up to 64x, halves down to 0.25x. */
	for (i = 0; i < 10; i++)
		assert_int_equal(src.ops->control(src.ctx, XG_CTL_FASTER, 0), 0);
	src.ops->playback(src.ctx, &pb);
	assert_true(pb.speed == 64);
	for (i = 0; i < 20; i++)
		assert_int_equal(src.ops->control(src.ctx, XG_CTL_SLOWER, 0), 0);
	src.ops->playback(src.ctx, &pb);
	assert_true(pb.speed == 0.25);

	/* Step through every frame to the end, then back to the start. */
	prev = pb.pos;
	do {
		assert_int_equal(src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0), 0);
		src.ops->playback(src.ctx, &pb2);
		assert_true(pb2.paused);
		assert_true(pb2.pos > prev || pb2.pos == pb.end);
		prev = pb2.pos;
		steps++;
	} while (pb2.pos < pb.end && steps < 100000);
	assert_true(steps > 5);
	assert_int_equal(src.ops->pump(src.ctx, 0), 1); /* at the end */
	{
		struct gtable *ref = reference(&s, pb.end);

		assert_tables_equal(src.ops->table(src.ctx), ref);
		gtable__free(ref);
	}
	src.ops->meters(src.ctx, &m);
	assert_true(m.rps > 0); /* the last sample */
	do {
		assert_int_equal(src.ops->control(src.ctx, XG_CTL_STEP_BACK, 0), 0);
		src.ops->playback(src.ctx, &pb2);
		assert_true(pb2.pos < prev);
		prev = pb2.pos;
		steps--;
	} while (pb2.pos > pb.start);
	assert_true(steps >= -1 && steps <= 1);

	assert_int_equal(src.ops->control(src.ctx, XG_CTL_SEEK_END, 0), 0);
	assert_int_equal(src.ops->now(src.ctx), pb.end);
	assert_int_equal(src.ops->control(src.ctx, XG_CTL_SEEK_START, 0), 0);
	assert_int_equal(src.ops->now(src.ctx), pb.start);
	assert_int_equal(src.ops->control(src.ctx, XG_CTL_SEEK_TIME, UINT64_MAX), 0);
	assert_int_equal(src.ops->now(src.ctx), pb.end);
	assert_int_equal(src.ops->control(src.ctx, (enum xg_ctl)99, 0), -EINVAL);

	replay__free(rp);
	play_on_test_clock(&s, tmpdir_path("ctl.zst"));
	free(s.ev);
}

/* Opening shows the first screen at once, whatever comes after. */
static void test_first_screen(void **state)
{
	enum { N = 200000 };
	struct stream s = record_churn(tmpdir_path("first.zst"), N, 0, NULL, 0);
	struct replay *rp;
	struct xg_source src;
	struct gtable *ref;

	(void)state;
	rp = open_replay(tmpdir_path("first.zst"), 0, 0);
	replay__source(rp, &src);
	assert_int_equal(src.ops->now(src.ctx), start_of(&s));
	assert_int_equal(src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0), 0);
	/* One frame (5 ms of events) applied, not the file: bench/bench_record.c times it. */
	ref = reference(&s, src.ops->now(src.ctx));
	assert_tables_equal(src.ops->table(src.ctx), ref);
	assert_true(replay__applied(rp) > 100);
	assert_true(replay__applied(rp) < N / 20);
	gtable__free(ref);
	replay__free(rp);
	free(s.ev);
}

/*
 * A flight-recorder save starts from a keyframe: its first table holds the
 * goroutines alive then, and its end is the end of the full recording.
 */
static void test_recent_replays(void **state)
{
	enum { N = 200000 };
	char saved[512];
	struct stream s = record_churn(tmpdir_path("full.zst"), N, 60000000, saved, sizeof(saved));
	struct replay *full = open_replay(tmpdir_path("full.zst"), UINT64_MAX, UINT64_MAX);
	struct replay *rec = open_replay(saved, 0, 0);
	struct xg_source sf, sr;
	struct xg_playback pf, pr;

	(void)state;
	replay__source(full, &sf);
	replay__source(rec, &sr);
	sf.ops->playback(sf.ctx, &pf);
	sr.ops->playback(sr.ctx, &pr);
	assert_true(pr.start > pf.start);
	assert_int_equal(pr.end, pf.end);
	assert_true(pr.end - pr.start >= 60000000ull - 6000000ull);
	/* Goroutines alive at the window's start are there before any event applies. */
	assert_true(gtable__size(sr.ops->table(sr.ctx)) >= 50);
	assert_int_equal(sf.ops->control(sf.ctx, XG_CTL_SEEK_END, 0), 0);
	assert_int_equal(sr.ops->control(sr.ctx, XG_CTL_SEEK_END, 0), 0);
	assert_tables_equal(sr.ops->table(sr.ctx), sf.ops->table(sf.ctx));
	/* And in between, wherever the save covers. */
	assert_int_equal(sr.ops->control(sr.ctx, XG_CTL_SEEK_TIME, (pr.end - pr.start) / 2), 0);
	assert_int_equal(sf.ops->control(sf.ctx, XG_CTL_SEEK_TIME,
					 pr.start + (pr.end - pr.start) / 2 - pf.start),
			 0);
	assert_tables_equal(sr.ops->table(sr.ctx), sf.ops->table(sf.ctx));
	replay__free(full);
	replay__free(rec);
	free(s.ev);
}

/*
 * A kind of event from a newer writer (the full form carries any kind):
 * --replay --headless --jsonl skips it, writes the others, exits 0.
 */
static void test_unknown_kind_jsonl(void **state)
{
	struct record_opts o = {.path = tmpdir_path("future.zst")};
	struct record_meta m = {.pid = 1, .path = "/srv/app", .mono_ns = T0};
	struct record_writer *w;
	struct env env = {.headless = true};
	char line[512];
	FILE *f;
	int i, n = 0;

	(void)state;
	unlink(o.path);
	w = record__open(&o);
	assert_non_null(w);
	assert_int_equal(record__begin(w, &m), 0);
	for (i = 0; i < 30; i++) {
		struct gev ev = {.kind = i % 3 ? GEV_STATE : (enum gev_kind)42,
				 .ts = T0 + i * 1000,
				 .pid = 1,
				 .tid = 2,
				 .goid = 7,
				 .from = 1,
				 .to = 2,
				 .reason = GEV_NO_REASON};

		assert_int_equal(record__event(w, &ev), 0);
	}
	assert_int_equal(record__close(w), 0);
	env.replay = tmpdir_path("future.zst");
	env.live.jsonl = tmpdir_path("future.jsonl");
	assert_int_equal(replay_cmd__run(&env), 0);
	f = fopen(env.live.jsonl, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_non_null(strstr(line, "\"event\":\"state\""));
		n++;
	}
	fclose(f);
	assert_int_equal(n, 20);
}

/* The next event of IT through rec_iter__next (the reference path). */
static void next_event(struct rec_iter *it, struct rec_item *item)
{
	do
		assert_int_equal(rec_iter__next(it, item), 1);
	while (item->kind != REC_ITEM_EVENT);
}

/*
 * The batch path of replay (replay__take_events: events decoded straight
 * into the slots, the fields of other kinds left zero) gives every event
 * as rec_iter__next does, byte for byte; with a time T that moves by STEP
 * ns (0: no limit), it stops at the first event after T and hands it over.
 */
static void take_events(uint64_t step)
{
	enum { N = 60000, B = 7 };
	struct stream s = record_churn(tmpdir_path("take.zst"), N, 0, NULL, 0);
	char err[256];
	struct rec_reader *r = rec_reader__open(tmpdir_path("take.zst"), NULL, err, sizeof(err));
	struct rec_iter *fast, *ref;
	struct gev batch[B];
	struct rec_item item, want;
	uint64_t t = step ? s.ev[0].ts + step : UINT64_MAX, after = 0;
	bool more = true;
	size_t n, i, seen = 0;

	assert_non_null(r);
	fast = rec_iter__new(r, 0);
	ref = rec_iter__new(r, 0);
	assert_non_null(fast);
	assert_non_null(ref);
	memset(batch, 0, sizeof(batch));
	memset(&want, 0, sizeof(want));
	while (more) {
		n = replay__take_events(fast, t, batch, B, &item, &more);
		for (i = 0; i < n; i++, seen++) {
			next_event(ref, &want);
			assert_memory_equal(&batch[i], &want.ev, sizeof(want.ev));
			assert_true(batch[i].ts <= t);
		}
		if (more && item.kind == REC_ITEM_EVENT) { /* the full form, or after T */
			next_event(ref, &want);
			assert_memory_equal(&item.ev, &want.ev, sizeof(want.ev));
			seen++;
			if (item.ev.ts > t) {
				after++;
				t = item.ev.ts + step;
			}
		}
		more = more || n == B;
	}
	assert_int_equal(seen, N);
	/* A step of 50 us falls between events now and then (churn: about 1 us apart). */
	if (step)
		assert_true(after > 100);
	else
		assert_int_equal(after, 0);
	rec_iter__free(fast);
	rec_iter__free(ref);
	rec_reader__free(r);
	free(s.ev);
}

static void test_take_events(void **state)
{
	(void)state;
	take_events(0);
	take_events(50000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seek_middle),	   cmocka_unit_test(test_controls),
		cmocka_unit_test(test_first_screen),	   cmocka_unit_test(test_recent_replays),
		cmocka_unit_test(test_unknown_kind_jsonl), cmocka_unit_test(test_take_events),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
