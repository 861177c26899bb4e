// SPDX-License-Identifier: BSD-2-Clause
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

#define MAXEV 128

struct sink {
	struct gev ev[MAXEV];
	int n;
};

static int collect(const struct gev *ev, void *ctx)
{
	struct sink *s = ctx;

	assert_true(s->n < MAXEV);
	s->ev[s->n++] = *ev;
	return 0;
}

static struct xg_event rec(uint64_t ts, uint64_t g, uint64_t goid, unsigned from, unsigned to)
{
	struct xg_event r = {.ts = ts, .g = g, .goid = goid, .pid = 7, .tid = 9};

	r.type = XG_EV_STATE;
	r.from = from;
	r.to = to;
	return r;
}

static struct xg_event create_rec(uint64_t ts, uint64_t g, uint64_t goid, uint64_t parent)
{
	struct xg_event r = rec(ts, g, goid, XG_G_DEAD, XG_G_RUNNABLE);

	r.flags = XG_EVF_CREATE;
	r.arg0 = parent;
	r.arg1 = 0x401000;
	r.arg2 = 0x402000;
	return r;
}

static void expect(const struct gev *ev, enum gev_kind kind, uint64_t ts, uint64_t goid,
		   unsigned from, unsigned to, bool inferred)
{
	assert_int_equal(ev->kind, kind);
	assert_int_equal(ev->ts, ts);
	assert_int_equal(ev->goid, goid);
	assert_int_equal(ev->pid, 7);
	if (kind == GEV_STATE) {
		assert_int_equal(ev->from, from);
		assert_int_equal(ev->to, to);
	}
	assert_int_equal(ev->inferred, inferred);
}

static void test_releases_in_timestamp_order(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event r[3] = {
		rec(300, 0x10, 1, XG_G_WAITING, XG_G_RUNNABLE),
		rec(100, 0x10, 1, XG_G_RUNNING, XG_G_WAITING),
		rec(200, 0x20, 2, XG_G_RUNNABLE, XG_G_RUNNING),
	};
	struct sink s = {};
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(decoder__push(d, &r[i]), 0);
	/* Only what is older than the watermark leaves the window. */
	assert_int_equal(decoder__drain(d, 250, collect, &s), 0);
	assert_int_equal(s.n, 2);
	expect(&s.ev[0], GEV_STATE, 100, 1, XG_G_RUNNING, XG_G_WAITING, false);
	expect(&s.ev[1], GEV_STATE, 200, 2, XG_G_RUNNABLE, XG_G_RUNNING, false);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 3);
	expect(&s.ev[2], GEV_STATE, 300, 1, XG_G_WAITING, XG_G_RUNNABLE, false);
	decoder__free(d);
}

static void test_create_waits_for_its_goid(void **state)
{
	struct decoder_opts o = {.goid_before_create = false};
	struct decoder *d = decoder__new(&o);
	/* A reused g still carries its previous goid (5) when it is recreated. */
	struct xg_event c = create_rec(100, 0x10, 5, 3);
	struct xg_event run = rec(150, 0x10, 42, XG_G_RUNNABLE, XG_G_RUNNING);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	assert_int_equal(decoder__push(d, &c), 0);
	assert_int_equal(decoder__drain(d, 120, collect, &s), 0);
	assert_int_equal(s.n, 0);
	decoder__stats(d, &st);
	assert_int_equal(st.pending, 1);
	assert_int_equal(decoder__push(d, &run), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	expect(&s.ev[0], GEV_CREATE, 100, 42, 0, 0, false);
	assert_int_equal(s.ev[0].to, XG_G_RUNNABLE);
	assert_int_equal(s.ev[0].parent, 3);
	assert_int_equal(s.ev[0].startpc, 0x401000);
	assert_int_equal(s.ev[0].gopc, 0x402000);
	expect(&s.ev[1], GEV_STATE, 150, 42, XG_G_RUNNABLE, XG_G_RUNNING, false);
	decoder__stats(d, &st);
	assert_int_equal(st.pending, 0);
	decoder__free(d);
}

static void test_create_immediate_from_go124(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event c = create_rec(100, 0x10, 42, 1);
	struct sink s = {};

	(void)state;
	assert_int_equal(decoder__push(d, &c), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 1);
	expect(&s.ev[0], GEV_CREATE, 100, 42, 0, 0, false);
	assert_int_equal(s.ev[0].to, XG_G_RUNNABLE);
	decoder__free(d);
}

static void test_gap_is_bridged_by_inferred_transition(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event a = rec(100, 0x10, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	/* Preempted and parked without casgstatus: next seen leaving waiting. */
	struct xg_event b = rec(200, 0x10, 8, XG_G_WAITING, XG_G_RUNNABLE);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	b.flags = XG_EVF_FROM_REASON;
	b.reason = 27; /* what the goroutine was waiting for, read as it leaves */
	decoder__push(d, &a);
	decoder__push(d, &b);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 3);
	expect(&s.ev[0], GEV_STATE, 100, 8, XG_G_RUNNABLE, XG_G_RUNNING, false);
	expect(&s.ev[1], GEV_STATE, 200, 8, XG_G_RUNNING, XG_G_WAITING, true);
	assert_int_equal(s.ev[1].reason, 27);
	expect(&s.ev[2], GEV_STATE, 200, 8, XG_G_WAITING, XG_G_RUNNABLE, false);
	/* Leaving a wait is not entering one: no reason on the observed event. */
	assert_int_equal(s.ev[2].reason, GEV_NO_REASON);
	decoder__stats(d, &st);
	assert_int_equal(st.inferred, 1);
	decoder__free(d);
}

struct order_check {
	uint64_t last_ts, n;
	bool sorted;
};

static int check_order(const struct gev *ev, void *ctx)
{
	struct order_check *c = ctx;

	if (ev->ts < c->last_ts)
		c->sorted = false;
	c->last_ts = ev->ts;
	c->n += !ev->inferred; /* bridges of the chains made up below */
	return 0;
}

/*
 * Two rings read a batch at a time (-rw 2): whole batches of one come
 * before the other's earlier records. Released in ts order all the same,
 * each goroutine's records in theirs.
 */
static void test_interleaved_batches(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct order_check c = {.sorted = true};
	struct decoder_stats st;
	uint64_t b, i;

	(void)state;
	for (b = 0; b < 40; b++) {
		/* Ring b % 2's batch: 1000 records of 100 goroutines, ts odd or even. */
		for (i = 0; i < 1000; i++) {
			uint64_t ts = 1000 + (b / 2) * 2000 + i * 2 + b % 2;
			struct xg_event r =
				rec(ts, 0x10 + (i % 100) * 0x100 + (b % 2),
				    1 + (i % 100) * 2 + b % 2, XG_G_RUNNABLE, XG_G_RUNNING);

			assert_int_equal(decoder__push(d, &r), 0);
		}
	}
	decoder__stats(d, &st);
	assert_int_equal(st.queued, 40000);
	assert_int_equal(decoder__drain(d, UINT64_MAX, check_order, &c), 0);
	assert_true(c.sorted);
	assert_int_equal(c.n, 40000);
	decoder__stats(d, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.late, 0);
	decoder__free(d);
}

/* -pid: goroutines found at attach continue from the state they were found in. */
static void test_seeded_goroutines(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	/* Found waiting; seen next leaving runnable: it was woken while the probes went in. */
	struct xg_event a = rec(100, 0x10, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	/* Found running; seen parking from running: nothing to bridge. */
	struct xg_event b = rec(110, 0x20, 9, XG_G_RUNNING, XG_G_WAITING);
	/* Found runnable; seen exiting. */
	struct xg_event c = rec(120, 0x30, 10, XG_G_RUNNING, XG_G_DEAD);
	struct sink s = {};

	(void)state;
	assert_int_equal(decoder__seed(d, 7, 8, XG_G_WAITING), 0);
	assert_int_equal(decoder__seed(d, 7, 9, XG_G_RUNNING), 0);
	assert_int_equal(decoder__seed(d, 7, 10, XG_G_RUNNABLE), 0);
	assert_int_equal(decoder__seed(d, 7, 11, XG_G_WAITING), 0);
	assert_true(decoder__seeded(d, 7, 8));
	decoder__push(d, &a);
	decoder__push(d, &b);
	decoder__push(d, &c);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 6);
	expect(&s.ev[0], GEV_STATE, 100, 8, XG_G_WAITING, XG_G_RUNNABLE, true);
	expect(&s.ev[1], GEV_STATE, 100, 8, XG_G_RUNNABLE, XG_G_RUNNING, false);
	expect(&s.ev[2], GEV_STATE, 110, 9, XG_G_RUNNING, XG_G_WAITING, false);
	expect(&s.ev[3], GEV_STATE, 120, 10, XG_G_RUNNABLE, XG_G_RUNNING, true);
	expect(&s.ev[4], GEV_STATE, 120, 10, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[5], GEV_EXIT, 120, 10, 0, 0, false);
	/* Touched ones are no longer seeded; 11 never was touched (it may have ended unseen). */
	assert_false(decoder__seeded(d, 7, 8));
	assert_false(decoder__seeded(d, 7, 9));
	assert_false(decoder__seeded(d, 7, 10));
	assert_true(decoder__seeded(d, 7, 11));
	assert_false(decoder__seeded(d, 7, 12));
	decoder__free(d);
}

static void test_exit_and_reason(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event w = rec(100, 0x10, 8, XG_G_RUNNING, XG_G_WAITING);
	struct xg_event r = rec(110, 0x10, 8, XG_G_WAITING, XG_G_RUNNABLE);
	struct xg_event x = rec(120, 0x10, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	struct xg_event e = rec(130, 0x10, 8, XG_G_RUNNING, XG_G_DEAD);
	/* The g is reused by goroutine 9: no inference from 8's history. */
	struct xg_event n = rec(140, 0x10, 9, XG_G_RUNNABLE, XG_G_RUNNING);
	struct sink s = {};

	(void)state;
	w.flags = XG_EVF_REASON;
	w.reason = 14;
	decoder__push(d, &w);
	decoder__push(d, &r);
	decoder__push(d, &x);
	decoder__push(d, &e);
	decoder__push(d, &n);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.ev[0].reason, 14);
	assert_int_equal(s.ev[1].reason, GEV_NO_REASON);
	expect(&s.ev[3], GEV_STATE, 130, 8, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[4], GEV_EXIT, 130, 8, 0, 0, false);
	expect(&s.ev[5], GEV_STATE, 140, 9, XG_G_RUNNABLE, XG_G_RUNNING, false);
	decoder__free(d);
}

/*
 * A switch from states to lifecycle can miss a creation or an end in flight
 * (src/live/capture.c): a create on a g whose goroutine was not seen ending
 * ends it first; an end carrying its creation (XG_EVF_GINFO) of a goroutine
 * never seen is created first. The same records from one level alone are
 * said as they are.
 */
static void test_lost_exit_said_from_reuse(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event c1 = create_rec(100, 0x10, 8, 1);
	struct xg_event r1 = rec(110, 0x10, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	/* 8's end seen by neither probe; its g reused by 9, then 10 after a seen end. */
	struct xg_event c2 = create_rec(130, 0x10, 9, 1);
	struct xg_event e2 = rec(140, 0x10, 9, XG_G_RUNNING, XG_G_DEAD);
	struct xg_event c3 = create_rec(150, 0x10, 10, 1);
	struct decoder_stats st = {0};
	struct sink s = {};

	(void)state;
	decoder__set_repairs(d, true);
	decoder__push(d, &c1);
	decoder__push(d, &r1);
	decoder__push(d, &c2);
	decoder__push(d, &e2);
	decoder__push(d, &c3);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 9);
	expect(&s.ev[0], GEV_CREATE, 100, 8, 0, 0, false);
	expect(&s.ev[1], GEV_STATE, 110, 8, XG_G_RUNNABLE, XG_G_RUNNING, false);
	expect(&s.ev[2], GEV_STATE, 130, 8, XG_G_RUNNING, XG_G_DEAD, true);
	expect(&s.ev[3], GEV_EXIT, 130, 8, 0, 0, false);
	expect(&s.ev[4], GEV_CREATE, 130, 9, 0, 0, false);
	/* lifecycle: 9's running inferred from its end */
	expect(&s.ev[5], GEV_STATE, 140, 9, XG_G_RUNNABLE, XG_G_RUNNING, true);
	expect(&s.ev[6], GEV_STATE, 140, 9, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[7], GEV_EXIT, 140, 9, 0, 0, false);
	expect(&s.ev[8], GEV_CREATE, 150, 10, 0, 0, false);
	decoder__stats(d, &st);
	assert_int_equal(st.lost_exits, 1);
	assert_int_equal(st.lost_creates, 0);
	decoder__free(d);
}

static void test_lost_create_said_from_end(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event e1 = rec(100, 0x10, 8, XG_G_RUNNING, XG_G_DEAD);
	/* Without XG_EVF_GINFO it is listed as existing, in the state it leaves. */
	struct xg_event e2 = rec(110, 0x20, 9, XG_G_RUNNING, XG_G_DEAD);
	struct decoder_stats st = {0};
	struct sink s = {};

	(void)state;
	decoder__set_repairs(d, true);
	e1.flags = XG_EVF_GINFO;
	e1.arg0 = 3;
	e1.arg1 = 0x401000;
	e1.arg2 = 0x402000;
	decoder__push(d, &e1);
	decoder__push(d, &e2);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 6);
	expect(&s.ev[0], GEV_CREATE, 100, 8, 0, 0, false);
	assert_false(s.ev[0].existing);
	assert_int_equal(s.ev[0].parent, 3);
	assert_int_equal(s.ev[0].startpc, 0x401000);
	assert_int_equal(s.ev[0].gopc, 0x402000);
	assert_int_equal(s.ev[0].to, XG_G_RUNNING);
	expect(&s.ev[1], GEV_STATE, 100, 8, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[2], GEV_EXIT, 100, 8, 0, 0, false);
	expect(&s.ev[3], GEV_CREATE, 110, 9, 0, 0, false);
	assert_true(s.ev[3].existing);
	assert_int_equal(s.ev[3].to, XG_G_RUNNING);
	assert_int_equal(s.ev[3].startpc, 0);
	expect(&s.ev[4], GEV_STATE, 110, 9, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[5], GEV_EXIT, 110, 9, 0, 0, false);
	decoder__stats(d, &st);
	assert_int_equal(st.lost_creates, 2);
	decoder__free(d);
}

/* Repairs off (the level cannot change): a reused g and an unknown end are said as they are. */
static void test_no_repairs_when_pinned(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event c1 = create_rec(100, 0x10, 8, 1);
	struct xg_event c2 = create_rec(130, 0x10, 9, 1);
	struct xg_event e3 = rec(140, 0x20, 10, XG_G_RUNNING, XG_G_DEAD);
	struct decoder_stats st = {0};
	struct sink s = {};

	(void)state;
	e3.flags = XG_EVF_GINFO;
	decoder__push(d, &c1);
	decoder__push(d, &c2);
	decoder__push(d, &e3);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 4);
	expect(&s.ev[0], GEV_CREATE, 100, 8, 0, 0, false);
	expect(&s.ev[1], GEV_CREATE, 130, 9, 0, 0, false);
	expect(&s.ev[2], GEV_STATE, 140, 10, XG_G_RUNNING, XG_G_DEAD, false);
	expect(&s.ev[3], GEV_EXIT, 140, 10, 0, 0, false);
	decoder__stats(d, &st);
	assert_int_equal(st.lost_exits + st.lost_creates, 0);
	decoder__free(d);
}

/*
 * A step down to poll: the goroutines known alive are listed with their
 * last state, then forgotten; a hold keeps records back until it is lifted.
 */
static int list_live(uint64_t goid, uint8_t state, void *ctx)
{
	uint64_t *v = ctx;

	v[v[0]++ + 1] = goid << 8 | state;
	return 0;
}

static void test_live_forget_and_hold(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event c1 = create_rec(100, 0x10, 8, 1);
	struct xg_event r1 = rec(110, 0x10, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	struct xg_event c2 = create_rec(120, 0x20, 9, 1);
	struct xg_event e2 = rec(130, 0x20, 9, XG_G_RUNNING, XG_G_DEAD);
	struct xg_event r3 = rec(200, 0x30, 11, XG_G_RUNNABLE, XG_G_RUNNING);
	uint64_t v[8] = {0};
	struct sink s = {};

	(void)state;
	decoder__push(d, &c1);
	decoder__push(d, &r1);
	decoder__push(d, &c2);
	decoder__push(d, &e2);
	assert_int_equal(decoder__seed(d, 7, 10, XG_G_WAITING), 0);
	assert_int_equal(decoder__seed_late(d, 7, 12, XG_G_WAITING), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(decoder__each_live(d, 7, list_live, v), 0);
	assert_int_equal(v[0], 2);
	assert_true((v[1] == (8 << 8 | XG_G_RUNNING) && v[2] == (10 << 8 | XG_G_WAITING)) ||
		    (v[2] == (8 << 8 | XG_G_RUNNING) && v[1] == (10 << 8 | XG_G_WAITING)));
	decoder__forget_all(d, 7);
	v[0] = 0;
	assert_int_equal(decoder__each_live(d, 7, list_live, v), 0);
	assert_int_equal(v[0], 0);
	/* Held at 150: the record at 200 waits, whatever is asked for. */
	decoder__hold(d, 150);
	decoder__push(d, &r3);
	s.n = 0;
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 0);
	decoder__hold(d, 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 1);
	decoder__free(d);
}

static int resolve_even(uint32_t pid, uint64_t g, uint64_t *goid, void *ctx)
{
	(void)ctx;
	assert_int_equal(pid, 7);
	if (g == 0x20)
		return -3;
	*goid = 77;
	return 0;
}

static void test_finish_resolves_pending(void **state)
{
	struct decoder_opts o = {.goid_before_create = false};
	struct decoder *d = decoder__new(&o);
	struct xg_event c1 = create_rec(100, 0x10, 0, 1);
	struct xg_event c2 = create_rec(90, 0x20, 0, 1);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	decoder__push(d, &c1);
	decoder__push(d, &c2);
	assert_int_equal(decoder__finish(d, resolve_even, collect, &s), 0);
	assert_int_equal(s.n, 2);
	/* Creation order: the g at 0x20 came first and could not be read. */
	expect(&s.ev[0], GEV_CREATE, 90, 0, 0, 0, false);
	expect(&s.ev[1], GEV_CREATE, 100, 77, 0, 0, false);
	decoder__stats(d, &st);
	assert_int_equal(st.unresolved, 1);
	assert_int_equal(st.pending, 0);
	decoder__free(d);
}

struct tally {
	uint64_t n[4];
	uint64_t last_ts;
	bool ordered;
};

static int count(const struct gev *ev, void *ctx)
{
	struct tally *t = ctx;

	t->n[ev->kind]++;
	if (ev->ts < t->last_ts)
		t->ordered = false;
	t->last_ts = ev->ts;
	if (ev->inferred)
		return -1;
	return 0;
}

static void test_many_goroutines(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct tally t = {.ordered = true};
	struct decoder_stats st;
	uint64_t i;

	(void)state;
	/* Enough to force several map and heap growths; records pushed out of order. */
	for (i = 1; i <= 50000; i++) {
		struct xg_event a = rec(i * 10, 0x1000 + i * 64, i, XG_G_RUNNABLE, XG_G_RUNNING);
		struct xg_event b = rec(i * 10 + 5, 0x1000 + i * 64, i, XG_G_RUNNING, XG_G_DEAD);

		assert_int_equal(decoder__push(d, &b), 0);
		assert_int_equal(decoder__push(d, &a), 0);
	}
	decoder__stats(d, &st);
	assert_int_equal(st.queued, 100000);
	assert_int_equal(decoder__drain(d, UINT64_MAX, count, &t), 0);
	assert_true(t.ordered);
	assert_int_equal(t.n[GEV_STATE], 100000);
	assert_int_equal(t.n[GEV_EXIT], 50000);
	assert_int_equal(t.n[GEV_CREATE], 0);
	decoder__stats(d, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.inferred, 0);
	decoder__free(d);
}

static void test_wait_named_when_left(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event park = rec(100, 0x10, 8, XG_G_RUNNING, XG_G_WAITING);
	struct xg_event wake = rec(200, 0x10, 8, XG_G_WAITING, XG_G_RUNNING);
	struct xg_event park2 = rec(300, 0x10, 8, XG_G_RUNNING, XG_G_WAITING);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	/* go1.19's GC assist parks first and sets gp.waitreason afterwards. */
	park.flags = XG_EVF_REASON;
	park.reason = 0;
	wake.flags = XG_EVF_FROM_REASON;
	wake.reason = 21;
	park2.flags = XG_EVF_REASON;
	park2.reason = 0;
	decoder__push(d, &park);
	assert_int_equal(decoder__drain(d, 150, collect, &s), 0);
	assert_int_equal(s.n, 0);
	decoder__push(d, &wake);
	decoder__push(d, &park2);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	expect(&s.ev[0], GEV_STATE, 100, 8, XG_G_RUNNING, XG_G_WAITING, false);
	assert_int_equal(s.ev[0].reason, 21);
	expect(&s.ev[1], GEV_STATE, 200, 8, XG_G_WAITING, XG_G_RUNNING, false);
	/* A wait never left is written at the end with the reason it had. */
	assert_int_equal(decoder__finish(d, NULL, collect, &s), 0);
	assert_int_equal(s.n, 3);
	expect(&s.ev[2], GEV_STATE, 300, 8, XG_G_RUNNING, XG_G_WAITING, false);
	assert_int_equal(s.ev[2].reason, 0);
	decoder__stats(d, &st);
	assert_int_equal(st.late_reasons, 1);
	decoder__free(d);
}

/* A go1.19 wait record as the casgstatus probe writes it, with the return address. */
static struct xg_event caller_rec(uint64_t ts, uint64_t bias, uint64_t ra, uint8_t reason)
{
	struct xg_event r = rec(ts, 0x10, 1, XG_G_RUNNING, XG_G_WAITING);

	r.flags = XG_EVF_REASON | XG_EVF_CALLER;
	r.reason = reason;
	r.ip = 0x438000 + bias;
	r.arg2 = ra + bias;
	return r;
}

static void test_wait_named_by_caller(void **state)
{
	struct decoder_opts o = {
		.goid_before_create = true,
		.casg_vaddr = 0x438000,
		.n_wait_sites = 2,
		.wait_sites = {{0x440000, 0x440100, 28}, {0x450000, 0x450080, 6}},
	};
	struct decoder *d = decoder__new(&o);
	/* stopTheWorld.func1 of a PIE, with the stale reason of an earlier wait (14). */
	struct xg_event stw = caller_rec(100, 0x7f0000000000, 0x4400f0, 14);
	struct xg_event wake = rec(150, 0x10, 1, XG_G_WAITING, XG_G_RUNNING);
	/* gcMarkTermination: the reason is not set yet (0). */
	struct xg_event mt = caller_rec(200, 0, 0x450010, 0);
	struct xg_event wake2 = rec(250, 0x10, 1, XG_G_WAITING, XG_G_RUNNING);
	/* park_m after gopark: the reason read (chan receive, 14) stands. */
	struct xg_event park = caller_rec(300, 0, 0x460000, 14);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	decoder__push(d, &stw);
	decoder__push(d, &wake);
	decoder__push(d, &mt);
	decoder__push(d, &wake2);
	decoder__push(d, &park);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 5);
	expect(&s.ev[0], GEV_STATE, 100, 1, XG_G_RUNNING, XG_G_WAITING, false);
	assert_int_equal(s.ev[0].reason, 28);
	expect(&s.ev[2], GEV_STATE, 200, 1, XG_G_RUNNING, XG_G_WAITING, false);
	assert_int_equal(s.ev[2].reason, 6);
	expect(&s.ev[4], GEV_STATE, 300, 1, XG_G_RUNNING, XG_G_WAITING, false);
	assert_int_equal(s.ev[4].reason, 14);
	decoder__stats(d, &st);
	assert_int_equal(st.site_reasons, 2);
	assert_int_equal(st.late_reasons, 0);
	decoder__free(d);
}

/* go1.26: an edge seen by a syscall tracepoint and by a casgstatus slow path is one. */
static void test_syscall_edge_once(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event run = rec(100, 0x10, 5, XG_G_RUNNABLE, XG_G_RUNNING);
	/* entersyscallblock: casgstatus, then the tracepoint at sys_enter. */
	struct xg_event enter_cas = rec(200, 0x10, 5, XG_G_RUNNING, XG_G_SYSCALL);
	struct xg_event enter_tp = rec(210, 0x10, 5, XG_G_RUNNING, XG_G_SYSCALL);
	/* The tracepoint at sys_exit, then exitsyscall's casgstatus with the scan bit held. */
	struct xg_event exit_tp = rec(300, 0x10, 5, XG_G_SYSCALL, XG_G_RUNNING);
	struct xg_event exit_cas = rec(310, 0x10, 5, XG_G_SYSCALL, XG_G_RUNNING);
	/* The next syscall, by the tracepoints alone. */
	struct xg_event enter2 = rec(400, 0x10, 5, XG_G_RUNNING, XG_G_SYSCALL);
	struct xg_event exit2 = rec(500, 0x10, 5, XG_G_SYSCALL, XG_G_RUNNING);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	enter_tp.flags = exit_tp.flags = enter2.flags = exit2.flags = XG_EVF_SYSCALL_TP;
	decoder__push(d, &run);
	decoder__push(d, &enter_cas);
	decoder__push(d, &enter_tp);
	decoder__push(d, &exit_tp);
	decoder__push(d, &exit_cas);
	decoder__push(d, &enter2);
	decoder__push(d, &exit2);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 5);
	expect(&s.ev[0], GEV_STATE, 100, 5, XG_G_RUNNABLE, XG_G_RUNNING, false);
	expect(&s.ev[1], GEV_STATE, 200, 5, XG_G_RUNNING, XG_G_SYSCALL, false);
	expect(&s.ev[2], GEV_STATE, 300, 5, XG_G_SYSCALL, XG_G_RUNNING, false);
	expect(&s.ev[3], GEV_STATE, 400, 5, XG_G_RUNNING, XG_G_SYSCALL, false);
	expect(&s.ev[4], GEV_STATE, 500, 5, XG_G_SYSCALL, XG_G_RUNNING, false);
	decoder__stats(d, &st);
	assert_int_equal(st.dup_syscalls, 2);
	assert_int_equal(st.inferred, 0);
	decoder__free(d);
}

static struct xg_event alloc_rec(uint64_t ts, uint64_t goid, uint8_t kind, uint64_t size)
{
	struct xg_event r = {.ts = ts, .g = 0x10, .goid = goid, .pid = 7, .tid = 9};

	r.type = XG_EV_ALLOC;
	r.from = kind;
	r.to = 5;
	r.arg0 = size;
	r.arg1 = 0x4a0000;
	return r;
}

static struct xg_event gc_rec(uint64_t ts, uint8_t phase)
{
	struct xg_event r = {.ts = ts, .g = 0x10, .goid = 1, .pid = 7, .tid = 9};

	r.type = XG_EV_GC;
	r.from = phase;
	return r;
}

static void test_alloc_records(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event a = alloc_rec(100, 18, XG_AK_MAP, 48),
			b = alloc_rec(90, 0, XG_AK_OBJECT, 8);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	a.flags = XG_EVF_HINT;
	a.arg2 = 80;
	assert_int_equal(decoder__push(d, &a), 0);
	assert_int_equal(decoder__push(d, &b), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].kind, GEV_ALLOC);
	assert_int_equal(s.ev[0].goid, 0);
	assert_int_equal(s.ev[0].alloc.kind, XG_AK_OBJECT);
	assert_false(s.ev[0].alloc.has_hint);
	assert_int_equal(s.ev[1].ts, 100);
	assert_int_equal(s.ev[1].goid, 18);
	assert_int_equal(s.ev[1].alloc.kind, XG_AK_MAP);
	assert_int_equal(s.ev[1].alloc.bucket, 5);
	assert_int_equal(s.ev[1].alloc.size, 48);
	assert_int_equal(s.ev[1].alloc.type_addr, 0x4a0000);
	assert_true(s.ev[1].alloc.has_hint);
	assert_int_equal(s.ev[1].alloc.hint, 80);
	assert_int_equal(s.ev[1].reason, GEV_NO_REASON);
	decoder__stats(d, &st);
	assert_int_equal(st.allocs, 2);
	/* Allocations do not touch the goroutine's state chain. */
	assert_int_equal(st.inferred, 0);
	decoder__free(d);
}

/* An allocation record of a g whose creation waits for its goid gives the goid. */
static void test_alloc_resolves_pending_create(void **state)
{
	struct decoder *d = decoder__new(NULL);
	struct xg_event c = create_rec(100, 0x10, 0, 1), a = alloc_rec(200, 33, XG_AK_SLICE, 64);
	struct sink s = {};

	(void)state;
	assert_int_equal(decoder__push(d, &c), 0);
	assert_int_equal(decoder__push(d, &a), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].kind, GEV_CREATE);
	assert_int_equal(s.ev[0].goid, 33);
	assert_int_equal(s.ev[1].kind, GEV_ALLOC);
	decoder__free(d);
}

static void test_gc_cycle(void **state)
{
	struct decoder *d = decoder__new(NULL);
	struct xg_event r[] = {
		gc_rec(1000, XG_GC_STW_START), gc_rec(1100, XG_GC_START),
		gc_rec(1300, XG_GC_STW_END),   gc_rec(5000, XG_GC_STW_START),
		gc_rec(5050, XG_GC_STW_END),   gc_rec(6000, XG_GC_STW_START),
		gc_rec(6100, XG_GC_MARK_TERM), gc_rec(6200, XG_GC_SWEEP),
		gc_rec(6500, XG_GC_STW_END),   gc_rec(9000, XG_GC_STW_START),
		gc_rec(9400, XG_GC_STW_END),
	};
	struct decoder_stats st;
	struct sink s = {};
	size_t i;

	(void)state;
	r[0].flags = XG_EVF_REASON;
	r[0].reason = 2; /* GC sweep termination */
	r[1].arg0 = 2;	 /* runtime.GC */
	r[1].arg2 = 4;
	r[9].flags = XG_EVF_REASON;
	r[9].reason = 6;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		assert_int_equal(decoder__push(d, &r[i]), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 12);
	for (i = 0; i < 12; i++)
		assert_int_equal(s.ev[i].kind, GEV_GC);
	/* The first pause begins before the cycle is known to start. */
	assert_int_equal(s.ev[0].gc.phase, XG_GC_STW_START);
	assert_int_equal(s.ev[0].gc.cycle, 0);
	assert_int_equal(s.ev[0].gc.reason, 2);
	assert_int_equal(s.ev[1].gc.phase, XG_GC_START);
	assert_int_equal(s.ev[1].gc.cycle, 1);
	assert_int_equal(s.ev[1].gc.trigger, 2);
	assert_int_equal(s.ev[1].gc.procs, 4);
	assert_int_equal(s.ev[2].gc.phase, XG_GC_STW_END);
	assert_int_equal(s.ev[2].gc.dur_ns, 300);
	assert_int_equal(s.ev[2].gc.reason, 2);
	assert_int_equal(s.ev[2].gc.cycle, 1);
	/* A pause without a reason (go1.19, go1.20): none. */
	assert_int_equal(s.ev[4].gc.dur_ns, 50);
	assert_int_equal(s.ev[4].gc.reason, GEV_NO_REASON);
	assert_int_equal(s.ev[8].gc.phase, XG_GC_STW_END);
	assert_int_equal(s.ev[8].gc.dur_ns, 500);
	assert_int_equal(s.ev[9].gc.phase, XG_GC_END);
	assert_int_equal(s.ev[9].ts, 6500);
	assert_int_equal(s.ev[9].gc.cycle, 1);
	assert_int_equal(s.ev[9].gc.dur_ns, 5500);
	assert_int_equal(s.ev[9].gc.n_stw, 3);
	assert_int_equal(s.ev[9].gc.stw_ns, 850);
	assert_int_equal(s.ev[9].gc.stw_max_ns, 500);
	assert_int_equal(s.ev[9].gc.mark_ns, 5000);
	/* After the cycle: a pause of its own (runtime.Stack), no cycle. */
	assert_int_equal(s.ev[10].gc.cycle, 0);
	assert_int_equal(s.ev[11].gc.dur_ns, 400);
	assert_int_equal(s.ev[11].gc.reason, 6);
	decoder__stats(d, &st);
	assert_int_equal(st.gcs, 12);
	decoder__free(d);
}

/* Without the gcSweep probe, mark termination alone ends the cycle. */
static void test_gc_cycle_without_sweep(void **state)
{
	struct decoder *d = decoder__new(NULL);
	struct xg_event r[] = {gc_rec(10, XG_GC_STW_START), gc_rec(20, XG_GC_START),
			       gc_rec(30, XG_GC_STW_END),   gc_rec(40, XG_GC_STW_START),
			       gc_rec(50, XG_GC_STW_END),   gc_rec(60, XG_GC_STW_START),
			       gc_rec(70, XG_GC_MARK_TERM), gc_rec(80, XG_GC_STW_END)};
	struct sink s = {};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		assert_int_equal(decoder__push(d, &r[i]), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	/* The pause at 40 (a restarted mark termination) does not end it. */
	assert_int_equal(s.n, 9);
	assert_int_equal(s.ev[8].gc.phase, XG_GC_END);
	assert_int_equal(s.ev[8].gc.n_stw, 3);
	assert_int_equal(s.ev[8].gc.dur_ns, 70);
	decoder__free(d);
}

/* Attached in the middle of a cycle: its phases carry no number and no END follows. */
static void test_gc_cycle_seen_late(void **state)
{
	struct decoder *d = decoder__new(NULL);
	struct xg_event r[] = {gc_rec(10, XG_GC_STW_END), gc_rec(20, XG_GC_STW_START),
			       gc_rec(30, XG_GC_SWEEP), gc_rec(40, XG_GC_STW_END)};
	struct sink s = {};
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(decoder__push(d, &r[i]), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ev[0].gc.dur_ns, 0);
	assert_int_equal(s.ev[0].gc.reason, GEV_NO_REASON);
	assert_int_equal(s.ev[2].gc.cycle, 0);
	assert_int_equal(s.ev[3].gc.dur_ns, 20);
	decoder__free(d);
}

static void test_running_carries_p_and_m(void **state)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct xg_event a = rec(100, 0x10, 1, XG_G_RUNNABLE, XG_G_RUNNING);
	struct xg_event b = rec(200, 0x10, 1, XG_G_WAITING, XG_G_RUNNABLE);
	struct xg_event c = rec(300, 0x10, 1, XG_G_RUNNABLE, XG_G_RUNNING);
	struct sink s = {};

	(void)state;
	a.flags = c.flags = XG_EVF_PM;
	a.arg0 = 1;
	a.arg1 = 3;
	c.arg0 = (uint64_t)-1;
	c.arg1 = 4;
	assert_int_equal(decoder__push(d, &a), 0);
	assert_int_equal(decoder__push(d, &b), 0);
	assert_int_equal(decoder__push(d, &c), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	/* b reveals a missed running -> waiting: inferred, without P and M. */
	assert_int_equal(s.n, 4);
	assert_true(s.ev[0].has_pm);
	assert_int_equal(s.ev[0].p, 1);
	assert_int_equal(s.ev[0].m, 3);
	assert_true(s.ev[1].inferred);
	assert_false(s.ev[1].has_pm);
	assert_false(s.ev[2].has_pm);
	assert_true(s.ev[3].has_pm);
	assert_int_equal(s.ev[3].p, -1);
	assert_int_equal(s.ev[3].m, 4);
	decoder__free(d);
}

/* The order of releases and hints: +goid a release, -goid a hint (decoder__set_ahead). */
struct ahead_log {
	int64_t v[128];
	int n;
};

static void log_hint(uint32_t pid, uint64_t goid, void *ctx)
{
	struct ahead_log *l = ctx;

	assert_int_equal(pid, 7);
	assert_true(l->n < 128);
	l->v[l->n++] = -(int64_t)goid;
}

static int log_release(const struct gev *ev, void *ctx)
{
	struct ahead_log *l = ctx;

	if (ev->kind == GEV_GC)
		return 0;
	assert_true(l->n < 128);
	l->v[l->n++] = (int64_t)ev->goid;
	return 0;
}

/* The P-th record of a queue of goroutines Q (0: a GC record). */
static struct xg_event queue_rec(const int64_t *q, int p)
{
	uint64_t ts = (uint64_t)p * 10 + 10;

	if (!q[p])
		return gc_rec(ts, XG_GC_STW_START);
	return rec(ts, 0x1000 + (uint64_t)q[p] * 64, (uint64_t)q[p], XG_G_RUNNING, XG_G_RUNNABLE);
}

static void test_hints_ahead_of_releases(void **state)
{
	/* The queue's order: goroutines 1..5, a GC record (0: no goroutine's), 6..12. */
	static const int64_t q[] = {1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 11, 12};
	const int n = (int)(sizeof(q) / sizeof(q[0]));
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o), *plain = decoder__new(&o);
	struct ahead_log l = {.n = 0}, want = {.n = 0};
	struct sink a = {.n = 0}, b = {.n = 0};
	int p;

	(void)state;
	assert_non_null(d);
	assert_non_null(plain);
	decoder__set_ahead(d, log_hint, &l, 3);
	for (p = 0; p < n; p++) {
		struct xg_event r = queue_rec(q, p);

		assert_int_equal(decoder__push(d, &r), 0);
		assert_int_equal(decoder__push(plain, &r), 0);
	}
	/* Before each release, the goroutine of the record 3 places after it, if a goroutine's. */
	for (p = 0; p < n; p++) {
		if (p + 3 < n && q[p + 3])
			want.v[want.n++] = -q[p + 3];
		if (q[p])
			want.v[want.n++] = q[p];
	}
	assert_int_equal(decoder__drain(d, UINT64_MAX, log_release, &l), 0);
	assert_int_equal(l.n, want.n);
	assert_memory_equal(l.v, want.v, sizeof(l.v[0]) * (size_t)l.n);
	decoder__free(d);

	/* The hints change nothing of what is emitted. */
	d = decoder__new(&o);
	decoder__set_ahead(d, log_hint, &l, 3);
	l.n = 0;
	for (p = 0; p < n; p++) {
		struct xg_event r = queue_rec(q, p);

		assert_int_equal(decoder__push(d, &r), 0);
	}
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &a), 0);
	assert_int_equal(decoder__drain(plain, UINT64_MAX, collect, &b), 0);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.ev, b.ev, sizeof(a.ev[0]) * (size_t)a.n);
	decoder__free(d);
	decoder__free(plain);
}

static void test_unknown_record_type(void **state)
{
	struct decoder *d = decoder__new(NULL);
	struct xg_event r = rec(100, 0x10, 1, XG_G_RUNNABLE, XG_G_RUNNING);
	struct decoder_stats st;
	struct sink s = {};

	(void)state;
	r.type = 99;
	assert_int_equal(decoder__push(d, &r), 0);
	assert_int_equal(decoder__drain(d, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 0);
	decoder__stats(d, &st);
	assert_int_equal(st.unknown, 1);
	decoder__free(d);
}

/*
 * A level switch between states and lifecycle (src/live/capswitch.c): a
 * change seen by a call site's probe and by casgstatus's own comes as two
 * records of one thread, alike but for ip and ts. The decoder says it once
 * whatever order the records arrive in within the reorder window (per-CPU
 * batches deliver one CPU's records after another's), and never merges two
 * changes: compared with a feed that holds one record per change, in order.
 */
#define SITE_CALL   0x4000 /* a call of casgstatus in newproc1 or gdestroy */
#define SITE_CASG   0x5000 /* casgstatus's own probe */
#define TWIN_WINDOW (20 * 1000 * 1000ull)

struct twin_change {
	uint64_t ts, g, goid;
	uint32_t tid;
	uint8_t from, to;
	uint64_t ip;	  /* the site of the first (or only) record */
	uint64_t twin_ns; /* 0: one site saw it; else casgstatus's record this much later */
};

static const struct twin_change twin_changes[] = {
	/* Creates seen by both sites, and one by the call site only (lifecycle alone). */
	{1000, 0x10, 8, 9, XG_G_DEAD, XG_G_RUNNABLE, SITE_CALL, 3},
	{1010, 0x10, 8, 10, XG_G_RUNNABLE, XG_G_RUNNING, SITE_CASG, 0},
	{1020, 0x20, 9, 9, XG_G_DEAD, XG_G_RUNNABLE, SITE_CALL, 0},
	{1030, 0x30, 10, 9, XG_G_DEAD, XG_G_RUNNABLE, SITE_CALL, 4},
	/* An end whose thread was descheduled 15 ms between its two hits. */
	{1040, 0x10, 8, 10, XG_G_RUNNING, XG_G_DEAD, SITE_CALL, 15000000},
	{15001050, 0x20, 9, 10, XG_G_RUNNABLE, XG_G_RUNNING, SITE_CASG, 0},
	/* An end at the call site, then another goroutine's on the same g at casgstatus's. */
	{15001060, 0x20, 9, 10, XG_G_RUNNING, XG_G_DEAD, SITE_CALL, 0},
	{15001070, 0x20, 11, 9, XG_G_DEAD, XG_G_RUNNABLE, SITE_CALL, 2},
	{15001090, 0x20, 11, 10, XG_G_RUNNING, XG_G_DEAD, SITE_CASG, 0},
	/* The same change from one site twice in a row: two changes. */
	{15001100, 0x50, 30, 11, XG_G_RUNNING, XG_G_WAITING, SITE_CASG, 0},
	{15001110, 0x50, 30, 11, XG_G_RUNNING, XG_G_WAITING, SITE_CASG, 0},
	/* Alike, from both sites, on two threads: two changes. */
	{15001200, 0x60, 31, 11, XG_G_RUNNABLE, XG_G_RUNNING, SITE_CALL, 0},
	{15001210, 0x60, 31, 12, XG_G_RUNNABLE, XG_G_RUNNING, SITE_CASG, 0},
	/* Alike, from both sites, with another record of the thread between. */
	{15001300, 0x70, 40, 13, XG_G_DEAD, XG_G_RUNNABLE, SITE_CALL, 0},
	{15001310, 0x80, 41, 13, XG_G_DEAD, XG_G_RUNNABLE, SITE_CASG, 0},
	{15001320, 0x70, 40, 13, XG_G_DEAD, XG_G_RUNNABLE, SITE_CASG, 0},
	/* Alike, from both sites, further apart than DECODER_DUP_NS: two changes. */
	{15001400, 0x90, 50, 14, XG_G_RUNNING, XG_G_RUNNABLE, SITE_CALL, 0},
	{15001400 + DECODER_DUP_NS, 0x90, 50, 14, XG_G_RUNNING, XG_G_RUNNABLE, SITE_CASG, 0},
};

#define N_TWIN_CHANGES (sizeof(twin_changes) / sizeof(twin_changes[0]))

/* Record I of change C: 0 the first (or only), 1 casgstatus's twin. */
static struct xg_event twin_rec(const struct twin_change *c, int i)
{
	struct xg_event r = rec(c->ts + (i ? c->twin_ns : 0), c->g, c->goid, c->from, c->to);

	r.tid = c->tid;
	r.ip = i ? SITE_CASG : c->ip;
	if (c->from == XG_G_DEAD) {
		r.flags = XG_EVF_CREATE;
		r.arg0 = 1;
		r.arg1 = 0x401000;
		r.arg2 = 0x402000;
	}
	return r;
}

static uint64_t twin_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Every record pushed when it arrives, ts plus a delay under the window
 * (random: 0 to W - 1; none: in ts order; reversed: the last first, all
 * before one drain), the window drained as a pump does after each read.
 */
enum twin_order { TWIN_SORTED, TWIN_REVERSED, TWIN_RANDOM };

static void twin_feed(bool goid_before_create, bool twins, enum twin_order order, uint64_t *rng,
		      struct sink *s, uint64_t *dups)
{
	struct decoder_opts o = {.goid_before_create = goid_before_create};
	struct decoder *d = decoder__new(&o);
	struct xg_event r[2 * N_TWIN_CHANGES];
	uint64_t arrive[2 * N_TWIN_CHANGES];
	struct decoder_stats st;
	size_t n = 0, i, j;

	assert_non_null(d);
	decoder__set_repairs(d, true);
	for (i = 0; i < N_TWIN_CHANGES; i++) {
		r[n++] = twin_rec(&twin_changes[i], 0);
		if (twins && twin_changes[i].twin_ns)
			r[n++] = twin_rec(&twin_changes[i], 1);
	}
	for (i = 0; i < n; i++)
		arrive[i] = r[i].ts + (order == TWIN_RANDOM ? twin_rand(rng) % TWIN_WINDOW : 0);
	/* By arrival (insertion sort: a few dozen records). */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && arrive[j - 1] > arrive[j]; j--) {
			struct xg_event t = r[j];
			uint64_t a = arrive[j];

			r[j] = r[j - 1];
			arrive[j] = arrive[j - 1];
			r[j - 1] = t;
			arrive[j - 1] = a;
		}
	for (i = 0; i < n; i++) {
		size_t k = order == TWIN_REVERSED ? n - 1 - i : i;

		assert_int_equal(decoder__push(d, &r[k]), 0);
		if (order != TWIN_REVERSED && arrive[k] >= TWIN_WINDOW)
			assert_int_equal(decoder__drain(d, arrive[k] - TWIN_WINDOW, collect, s), 0);
	}
	assert_int_equal(decoder__finish(d, NULL, collect, s), 0);
	decoder__stats(d, &st);
	assert_int_equal(st.late, 0);
	*dups = st.dup_sites;
	decoder__free(d);
}

static void twin_same(const struct sink *a, const struct sink *b)
{
	int i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->ev[i].kind, b->ev[i].kind);
		assert_int_equal(a->ev[i].ts, b->ev[i].ts);
		assert_int_equal(a->ev[i].goid, b->ev[i].goid);
		assert_int_equal(a->ev[i].from, b->ev[i].from);
		assert_int_equal(a->ev[i].to, b->ev[i].to);
		assert_int_equal(a->ev[i].inferred, b->ev[i].inferred);
		assert_int_equal(a->ev[i].existing, b->ev[i].existing);
	}
}

static void test_two_sites_said_once_in_any_order(void **state)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull, dups, twins = 0;
	int before, round, i;

	(void)state;
	for (i = 0; i < (int)N_TWIN_CHANGES; i++)
		twins += twin_changes[i].twin_ns != 0;
	for (before = 0; before < 2; before++) {
		struct sink want = {}, got;

		twin_feed(before, false, TWIN_SORTED, &rng, &want, &dups);
		assert_int_equal(dups, 0);
		/* Every change says at least one event of its own. */
		assert_true(want.n >= (int)N_TWIN_CHANGES);
		for (round = 0; round < 2000; round++) {
			enum twin_order order = round == 0   ? TWIN_SORTED
						: round == 1 ? TWIN_REVERSED
							     : TWIN_RANDOM;

			memset(&got, 0, sizeof(got));
			twin_feed(before, true, order, &rng, &got, &dups);
			assert_int_equal(dups, twins);
			twin_same(&want, &got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_releases_in_timestamp_order),
		cmocka_unit_test(test_create_waits_for_its_goid),
		cmocka_unit_test(test_create_immediate_from_go124),
		cmocka_unit_test(test_gap_is_bridged_by_inferred_transition),
		cmocka_unit_test(test_seeded_goroutines),
		cmocka_unit_test(test_interleaved_batches),
		cmocka_unit_test(test_exit_and_reason),
		cmocka_unit_test(test_finish_resolves_pending),
		cmocka_unit_test(test_many_goroutines),
		cmocka_unit_test(test_wait_named_when_left),
		cmocka_unit_test(test_alloc_records),
		cmocka_unit_test(test_alloc_resolves_pending_create),
		cmocka_unit_test(test_gc_cycle),
		cmocka_unit_test(test_gc_cycle_seen_late),
		cmocka_unit_test(test_gc_cycle_without_sweep),
		cmocka_unit_test(test_running_carries_p_and_m),
		cmocka_unit_test(test_unknown_record_type),
		cmocka_unit_test(test_hints_ahead_of_releases),
		cmocka_unit_test(test_wait_named_by_caller),
		cmocka_unit_test(test_syscall_edge_once),
		cmocka_unit_test(test_lost_exit_said_from_reuse),
		cmocka_unit_test(test_lost_create_said_from_end),
		cmocka_unit_test(test_no_repairs_when_pinned),
		cmocka_unit_test(test_live_forget_and_hold),
		cmocka_unit_test(test_two_sites_said_once_in_any_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
