// SPDX-License-Identifier: BSD-2-Clause
/*
 * The goroutines found at attach (src/live/snapshot.c) on synthetic reads
 * of a goroutine table and real decoders: what is listed, what the
 * decoders are seeded with, and which goroutines get an inferred exit;
 * and the same table read again after lost records (resync), against a
 * real state table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "gtable.h"
#include "snapshot.h"

#define PID   7
#define MAXEV 64
#define ALL   (1ull << 32) /* a goroutine threshold that keeps every goroutine */

struct session {
	struct decoder *dec[2];
	unsigned int n_dec;
	struct gev ev[MAXEV];
	int n;
	int fail_at; /* emit fails with -EIO at this event, -1: never */
};

static int each_decoder(void *ctx, int (*fn)(struct decoder *d, void *arg), void *arg)
{
	struct session *s = ctx;
	unsigned int i;
	int err = 0;

	for (i = 0; i < s->n_dec && !err; i++)
		err = fn(s->dec[i], arg);
	return err;
}

static int collect(const struct gev *ev, void *ctx)
{
	struct session *s = ctx;

	if (s->n == s->fail_at)
		return -EIO;
	assert_true(s->n < MAXEV);
	s->ev[s->n++] = *ev;
	return 0;
}

static void session_init(struct session *s, unsigned int n_dec, struct snapshot_ops *ops)
{
	struct decoder_opts o = {.goid_before_create = true};
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->fail_at = -1;
	s->n_dec = n_dec;
	for (i = 0; i < n_dec; i++) {
		s->dec[i] = decoder__new(&o);
		assert_non_null(s->dec[i]);
	}
	ops->each_decoder = each_decoder;
	ops->n_decoders = n_dec;
	ops->emit = collect;
	ops->ctx = s;
}

static void session_free(struct session *s)
{
	unsigned int i;

	for (i = 0; i < s->n_dec; i++)
		decoder__free(s->dec[i]);
}

/* What a read of the goroutine table reports: a goroutine there, in STATE. */
static struct gev found(uint64_t ts, uint64_t goid, uint8_t state)
{
	struct gev ev = {.kind = GEV_CREATE, .ts = ts, .pid = PID, .goid = goid, .to = state};

	ev.reason = GEV_NO_REASON;
	ev.parent = 1;
	ev.startpc = 0x401000 + goid;
	return ev;
}

/* A goroutine a read lists, and the read: each handed to ADD (snapshot__add, resync__add). */
struct seen {
	uint64_t goid;
	uint8_t state;
};

static void add_found(int (*add)(const struct gev *ev, void *ctx), void *ctx, uint64_t ts,
		      const struct seen *gs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct gev ev = found(ts, gs[i].goid, gs[i].state);

		assert_int_equal(add(&ev, ctx), 0);
	}
}

#define ADD_FOUND(add, ctx, ts, ...)                                        \
	do {                                                                \
		const struct seen gs_[] = {__VA_ARGS__};                    \
		add_found(add, ctx, ts, gs_, sizeof(gs_) / sizeof(gs_[0])); \
	} while (0)

static struct gev gone(uint64_t ts, uint64_t goid)
{
	struct gev ev = {.kind = GEV_EXIT, .ts = ts, .pid = PID, .goid = goid};

	ev.reason = GEV_NO_REASON;
	return ev;
}

static struct gev changed(uint64_t ts, uint64_t goid, uint8_t from, uint8_t to)
{
	struct gev ev = {.kind = GEV_STATE, .ts = ts, .pid = PID, .goid = goid};

	ev.from = from;
	ev.to = to;
	ev.reason = GEV_NO_REASON;
	return ev;
}

static struct xg_event rec(uint64_t ts, uint64_t goid, unsigned int from, unsigned int to)
{
	struct xg_event r = {.ts = ts, .g = 0x1000 * goid, .goid = goid, .pid = PID, .tid = 9};

	r.type = XG_EV_STATE;
	r.from = from;
	r.to = to;
	return r;
}

/* The first read: creates kept, anything else ignored; then each listed once, seeded. */
static void test_first_read_listed_and_seeded(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct snapshot_ops ops;
	struct session s;
	struct gev ev;

	(void)state;
	session_init(&s, 1, &ops);
	assert_non_null(snap);
	snapshot__begin_read(snap, 1000);
	ev = found(990, 1, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = changed(995, 2, XG_G_RUNNABLE, XG_G_RUNNING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(999, 5, XG_G_RUNNABLE);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	/* Nothing goes out before the probes are in. */
	assert_int_equal(s.n, 0);

	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].kind, GEV_CREATE);
	assert_int_equal(s.ev[0].goid, 1);
	assert_int_equal(s.ev[0].to, XG_G_WAITING);
	assert_int_equal(s.ev[0].startpc, 0x401001);
	assert_int_equal(s.ev[1].goid, 5);
	assert_int_equal(s.ev[1].to, XG_G_RUNNABLE);
	for (int i = 0; i < 2; i++) {
		assert_true(s.ev[i].existing);
		/* At the read's time, not the goroutine's own. */
		assert_int_equal(s.ev[i].ts, 1000);
	}
	assert_true(decoder__seeded(s.dec[0], PID, 1));
	assert_true(decoder__seeded(s.dec[0], PID, 5));
	assert_false(decoder__seeded(s.dec[0], PID, 2));
	snapshot__free(snap);
	session_free(&s);
}

/* Seeded: the first record continues from the state found, bridged by an inferred event. */
static void test_seed_bridges_first_record(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct xg_event r = rec(2000, 1, XG_G_RUNNABLE, XG_G_RUNNING);
	struct snapshot_ops ops;
	struct session s;
	struct gev ev = found(990, 1, XG_G_WAITING);

	(void)state;
	session_init(&s, 1, &ops);
	snapshot__begin_read(snap, 1000);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_int_equal(decoder__push(s.dec[0], &r), 0);
	assert_int_equal(decoder__drain(s.dec[0], UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ev[1].kind, GEV_STATE);
	assert_int_equal(s.ev[1].from, XG_G_WAITING);
	assert_int_equal(s.ev[1].to, XG_G_RUNNABLE);
	assert_true(s.ev[1].inferred);
	assert_int_equal(s.ev[2].from, XG_G_RUNNABLE);
	assert_false(s.ev[2].inferred);
	snapshot__free(snap);
	session_free(&s);
}

/* -sample goroutine:RATE: goroutines it leaves out are neither listed nor seeded. */
static void test_unsampled_not_listed(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	uint64_t goids[] = {11, 12, 13, 14}, hmax = 0, out = 0;
	struct snapshot_ops ops;
	struct session s;
	unsigned int i;
	int listed = 0;

	(void)state;
	session_init(&s, 1, &ops);
	snapshot__begin_read(snap, 1000);
	for (i = 0; i < 4; i++) {
		struct gev ev = found(990, goids[i], XG_G_WAITING);

		assert_int_equal(snapshot__add(&ev, snap), 0);
		if (xg_goid_hash(PID, goids[i]) >= hmax) {
			hmax = xg_goid_hash(PID, goids[i]);
			out = goids[i];
		}
	}
	/* The threshold is the largest hash: that goroutine alone is out. */
	assert_int_equal(snapshot__emit(snap, hmax, &ops), 0);
	assert_int_equal(s.n, 3);
	for (i = 0; i < 4; i++) {
		bool in = false;

		for (int k = 0; k < s.n; k++)
			in |= s.ev[k].goid == goids[i];
		assert_int_equal(in, goids[i] != out);
		assert_int_equal(decoder__seeded(s.dec[0], PID, goids[i]), goids[i] != out);
		listed += in;
	}
	assert_int_equal(listed, 3);
	snapshot__free(snap);
	session_free(&s);
}

/*
 * The second read: goroutines found and gone since get an inferred change
 * to dead and an exit at its time, unless a record of them came after the
 * probes went in; only once every record up to that read is in.
 */
static void test_gone_before_probes_get_inferred_exit(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct xg_event r = rec(1500, 2, XG_G_RUNNING, XG_G_DEAD);
	struct snapshot_ops ops;
	struct session s;
	struct gev ev;

	(void)state;
	session_init(&s, 1, &ops);
	snapshot__begin_read(snap, 1000);
	ADD_FOUND(snapshot__add, snap, 990, {1, XG_G_WAITING}, {2, XG_G_RUNNING},
		  {3, XG_G_RUNNABLE});
	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_int_equal(s.n, 3);

	snapshot__begin_read(snap, 2000);
	/* 1 and 2 gone; 9 was never found (created and gone meanwhile): not ours. */
	ev = gone(2000, 1);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = gone(2000, 2);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = gone(2000, 9);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	/* A create in the second read is no goroutine found at attach. */
	ev = found(2000, 4, XG_G_RUNNABLE);
	assert_int_equal(snapshot__add(&ev, snap), 0);

	/* 2 exited under the probes: its record is in the decoder. */
	assert_int_equal(decoder__push(s.dec[0], &r), 0);
	assert_int_equal(decoder__drain(s.dec[0], UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ev[3].goid, 2);
	assert_int_equal(s.ev[4].kind, GEV_EXIT);
	s.n = 0;

	/* Records up to the second read are not all in yet: wait. */
	assert_int_equal(snapshot__settle(snap, 1999, &ops), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(snapshot__settle(snap, 2000, &ops), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].kind, GEV_STATE);
	assert_int_equal(s.ev[0].goid, 1);
	assert_int_equal(s.ev[0].pid, PID);
	assert_int_equal(s.ev[0].from, XG_G_WAITING);
	assert_int_equal(s.ev[0].to, XG_G_DEAD);
	assert_int_equal(s.ev[0].ts, 2000);
	assert_int_equal(s.ev[0].reason, GEV_NO_REASON);
	assert_true(s.ev[0].inferred);
	assert_int_equal(s.ev[1].kind, GEV_EXIT);
	assert_int_equal(s.ev[1].goid, 1);
	assert_int_equal(s.ev[1].ts, 2000);
	assert_true(s.ev[1].inferred);
	/* Once. */
	assert_int_equal(snapshot__settle(snap, UINT64_MAX, &ops), 0);
	assert_int_equal(s.n, 2);
	snapshot__free(snap);
	session_free(&s);
}

/*
 * A step up from poll (announced) as one forced run of e2e.budget.switch
 * saw it: the second read begins at 2000 and ends at 2100; late in it, it
 * finds 1 gone and 2 new on 1's g, both under the probes: 1's exit at
 * 2040, 2's create at 2050. Settled once the records up to 2020 are out
 * (the read's start, not its end), 1 got an inferred exit and 2 an
 * existing create, then 1's own exit said it a second life. Nothing is
 * settled before the read's end; then each has one create (1's out
 * already) and one exit.
 */
static void test_settle_waits_for_read_end(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct xg_event ex = rec(2040, 1, XG_G_RUNNING, XG_G_DEAD);
	struct xg_event cr = rec(2050, 2, XG_G_DEAD, XG_G_RUNNABLE);
	struct snapshot_ops ops;
	struct session s;
	struct gev ev;
	int i, creates[3] = {0}, exits[3] = {0};

	(void)state;
	session_init(&s, 1, &ops);
	decoder__set_repairs(s.dec[0], true);
	snapshot__set_announced(snap);
	snapshot__begin_read(snap, 1000);
	ADD_FOUND(snapshot__add, snap, 990, {1, XG_G_RUNNING});
	snapshot__begin_read(snap, 2000);
	ev = gone(2000, 1);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(2000, 2, XG_G_RUNNING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	snapshot__end_read(snap, 2100);
	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_int_equal(s.n, 0);

	ex.flags = XG_EVF_GINFO;
	cr.flags = XG_EVF_CREATE;
	cr.arg0 = 1;
	cr.g = ex.g;
	assert_int_equal(decoder__push(s.dec[0], &ex), 0);
	assert_int_equal(decoder__push(s.dec[0], &cr), 0);
	assert_int_equal(decoder__drain(s.dec[0], 2020, collect, &s), 0);
	assert_int_equal(snapshot__settle(snap, 2020, &ops), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(decoder__drain(s.dec[0], 2099, collect, &s), 0);
	assert_int_equal(snapshot__settle(snap, 2099, &ops), 0);
	assert_int_equal(decoder__drain(s.dec[0], 2100, collect, &s), 0);
	assert_int_equal(snapshot__settle(snap, 2100, &ops), 0);
	for (i = 0; i < s.n; i++) {
		assert_in_range(s.ev[i].goid, 1, 2);
		assert_false(s.ev[i].inferred);
		creates[s.ev[i].goid] += s.ev[i].kind == GEV_CREATE;
		exits[s.ev[i].goid] += s.ev[i].kind == GEV_EXIT;
	}
	assert_int_equal(creates[1], 0);
	assert_int_equal(exits[1], 1);
	assert_int_equal(creates[2], 1);
	assert_int_equal(exits[2], 0);
	for (i = 0; i < s.n; i++)
		assert_false(s.ev[i].kind == GEV_CREATE && s.ev[i].existing);
	snapshot__free(snap);
	session_free(&s);
}

/* Checks the creates of big_attach as they come: every goroutine of the read, in its order. */
struct big_check {
	struct session s; /* first: the ops' context is also each_decoder's session */
	uint64_t next;	  /* goid expected next */
	size_t n;
};

static int check_big(const struct gev *ev, void *ctx)
{
	struct big_check *c = ctx;

	if (ev->kind != GEV_CREATE || !ev->existing)
		return collect(ev, &c->s);
	assert_int_equal(ev->goid, c->next);
	assert_int_equal(ev->startpc, 0x401000 + ev->goid);
	assert_int_equal(ev->to, ev->goid % 2 ? XG_G_WAITING : XG_G_RUNNABLE);
	assert_int_equal(ev->ts, 1000);
	c->next++;
	c->n++;
	return 0;
}

/*
 * Both reads before the emit, as at attach, with enough goroutines that
 * the emit gives the first read's pages back as it goes (RELEASE_RUN): each
 * listed once, none clobbered; the second read's verdicts stand; a third
 * read has nothing left to compare with.
 */
#define BIG_N (3 * 8192 + 5)

static void test_both_reads_then_emit_gives_back(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct snapshot_ops ops;
	struct big_check c = {.next = 1};
	struct session *s = &c.s;
	struct gev ev;
	uint64_t goid;

	(void)state;
	session_init(s, 1, &ops);
	assert_non_null(snap);
	snapshot__begin_read(snap, 1000);
	for (goid = 1; goid <= BIG_N; goid++) {
		ev = found(990, goid, goid % 2 ? XG_G_WAITING : XG_G_RUNNABLE);
		assert_int_equal(snapshot__add(&ev, snap), 0);
	}
	snapshot__begin_read(snap, 2000);
	ev = gone(2000, 7); /* gone before the probes, no record of it comes */
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ops.ctx = &c;
	ops.emit = check_big;
	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_int_equal(c.n, BIG_N);
	assert_int_equal(s->n, 0);
	/* Seeded, every one: the last is the one read last before the pages went. */
	assert_true(decoder__seeded(s->dec[0], PID, 1));
	assert_true(decoder__seeded(s->dec[0], PID, BIG_N));

	assert_int_equal(snapshot__settle(snap, 2000, &ops), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->ev[0].goid, 7);
	assert_int_equal(s->ev[0].from, XG_G_WAITING);
	assert_int_equal(s->ev[0].to, XG_G_DEAD);
	assert_int_equal(s->ev[1].kind, GEV_EXIT);
	assert_false(decoder__seeded(s->dec[0], PID, 7));

	snapshot__begin_read(snap, 3000);
	ev = gone(3000, 9);
	assert_int_equal(snapshot__add(&ev, snap), -EINVAL);
	snapshot__free(snap);
	session_free(s);
}

/*
 * The second read, once the probes are in and before the emit: goroutines
 * new since the first (late) are not listed at once; LATE_STATE is the
 * state the read found 5, 6 and 7 in.
 */
static struct snapshot *late_session(struct session *s, struct snapshot_ops *ops,
				     unsigned int n_dec)
{
	struct snapshot *snap = snapshot__new(PID);
	struct gev ev;
	uint64_t goid;

	session_init(s, n_dec, ops);
	assert_non_null(snap);
	snapshot__begin_read(snap, 1000);
	ev = found(990, 1, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	snapshot__begin_read(snap, 2000);
	for (goid = 5; goid <= 7; goid++) {
		ev = found(2000, goid, XG_G_WAITING);
		ev.parent = 1;
		ev.startpc = 0x402000 + goid;
		assert_int_equal(snapshot__add(&ev, snap), 0);
	}
	assert_int_equal(snapshot__emit(snap, ALL, ops), 0);
	/* The first read's goroutine alone: the late ones wait for their records. */
	assert_int_equal(s->n, 1);
	assert_int_equal(s->ev[0].goid, 1);
	s->n = 0;
	return snap;
}

/* Created under the probes (5): its own create, once; not a second, existing one. */
static void test_late_created_under_probes(void **state)
{
	struct xg_event r = rec(1500, 5, XG_G_DEAD, XG_G_RUNNABLE);
	struct snapshot_ops ops;
	struct session s;
	struct snapshot *snap = late_session(&s, &ops, 1);
	int i, creates = 0;

	(void)state;
	r.flags = XG_EVF_CREATE;
	r.arg0 = 3; /* the parent the probe saw */
	assert_int_equal(decoder__push(s.dec[0], &r), 0);
	r = rec(1600, 5, XG_G_RUNNABLE, XG_G_RUNNING);
	assert_int_equal(decoder__push(s.dec[0], &r), 0);
	assert_int_equal(decoder__drain(s.dec[0], UINT64_MAX, collect, &s), 0);
	assert_int_equal(snapshot__settle(snap, 2000, &ops), 0);
	for (i = 0; i < s.n; i++) {
		if (s.ev[i].goid != 5 || s.ev[i].kind != GEV_CREATE)
			continue;
		creates++;
		assert_false(s.ev[i].existing);
		assert_int_equal(s.ev[i].parent, 3);
		assert_int_equal(s.ev[i].ts, 1500);
	}
	assert_int_equal(creates, 1);
	/* Nothing inferred: the records are the whole story. */
	for (i = 0; i < s.n; i++)
		assert_false(s.ev[i].goid == 5 && s.ev[i].inferred);
	snapshot__free(snap);
	session_free(&s);
}

/*
 * Created before the probes (6), first seen leaving a wait: listed as
 * existing in that wait at that record's time, before it, from the read
 * (parent, start); nothing inferred.
 */
static void test_late_created_before_probes(void **state)
{
	struct xg_event r = rec(1700, 6, XG_G_WAITING, XG_G_RUNNABLE);
	struct snapshot_ops ops;
	struct session s;
	struct snapshot *snap = late_session(&s, &ops, 1);

	(void)state;
	assert_int_equal(decoder__push(s.dec[0], &r), 0);
	assert_int_equal(decoder__drain(s.dec[0], UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].kind, GEV_CREATE);
	assert_int_equal(s.ev[0].goid, 6);
	assert_true(s.ev[0].existing);
	assert_int_equal(s.ev[0].to, XG_G_WAITING);
	assert_int_equal(s.ev[0].ts, 1700);
	assert_int_equal(s.ev[0].parent, 1);
	assert_int_equal(s.ev[0].startpc, 0x402006);
	assert_int_equal(s.ev[1].kind, GEV_STATE);
	assert_int_equal(s.ev[1].from, XG_G_WAITING);
	assert_false(s.ev[1].inferred);
	/* Settled: 5 and 7, untouched, are listed now; 6 not again. */
	s.n = 0;
	assert_int_equal(snapshot__settle(snap, 2000, &ops), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].goid, 5);
	assert_int_equal(s.ev[1].goid, 7);
	snapshot__free(snap);
	session_free(&s);
}

/*
 * Untouched (7, parked since before the probes): listed, existing, at the
 * second read's time, once every record up to it is in; and seeded, so
 * that its first record continues from the state read.
 */
static void test_late_untouched_listed_at_settle(void **state)
{
	struct xg_event r = rec(2500, 7, XG_G_WAITING, XG_G_RUNNABLE);
	struct snapshot_ops ops;
	struct session s;
	struct snapshot *snap = late_session(&s, &ops, 2);
	unsigned int d;

	(void)state;
	assert_int_equal(snapshot__settle(snap, 1999, &ops), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(snapshot__settle(snap, 2000, &ops), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ev[2].kind, GEV_CREATE);
	assert_int_equal(s.ev[2].goid, 7);
	assert_true(s.ev[2].existing);
	assert_int_equal(s.ev[2].ts, 2000);
	assert_int_equal(s.ev[2].to, XG_G_WAITING);
	for (d = 0; d < 2; d++) {
		assert_true(decoder__seeded(s.dec[d], PID, 7));
		assert_false(decoder__late(s.dec[d], PID, 7));
	}
	/* Its first record: no second create. */
	s.n = 0;
	assert_int_equal(decoder__push(s.dec[1], &r), 0);
	assert_int_equal(decoder__drain(s.dec[1], UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].kind, GEV_STATE);
	/* Once. */
	s.n = 0;
	assert_int_equal(snapshot__settle(snap, UINT64_MAX, &ops), 0);
	assert_int_equal(s.n, 0);
	snapshot__free(snap);
	session_free(&s);
}

/* -pw N: every processor's decoder is seeded, and must all have seen nothing of a suspect. */
static void test_every_decoder(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct xg_event r = rec(1500, 2, XG_G_RUNNABLE, XG_G_RUNNING);
	struct snapshot_ops ops;
	struct session s;
	struct gev ev;

	(void)state;
	session_init(&s, 2, &ops);
	snapshot__begin_read(snap, 1000);
	ADD_FOUND(snapshot__add, snap, 990, {1, XG_G_WAITING}, {2, XG_G_RUNNABLE});
	assert_int_equal(snapshot__emit(snap, ALL, &ops), 0);
	assert_true(decoder__seeded(s.dec[0], PID, 1));
	assert_true(decoder__seeded(s.dec[1], PID, 1));
	assert_true(decoder__seeded(s.dec[1], PID, 2));
	snapshot__begin_read(snap, 2000);
	ev = gone(2000, 1);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = gone(2000, 2);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	/* Goroutine 2's shard is the second processor: only its decoder saw the record. */
	assert_int_equal(decoder__push(s.dec[1], &r), 0);
	assert_int_equal(decoder__drain(s.dec[1], UINT64_MAX, collect, &s), 0);
	s.n = 0;
	assert_int_equal(snapshot__settle(snap, UINT64_MAX, &ops), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].goid, 1);
	assert_int_equal(s.ev[1].goid, 1);
	snapshot__free(snap);
	session_free(&s);
}

/* The sink's error stops the listing and is returned; no snapshot (not -pid): nothing. */
static void test_errors_and_no_snapshot(void **state)
{
	struct snapshot *snap = snapshot__new(PID);
	struct snapshot_ops ops;
	struct session s;

	(void)state;
	session_init(&s, 1, &ops);
	assert_int_equal(snapshot__emit(NULL, ALL, &ops), 0);
	assert_int_equal(snapshot__settle(NULL, UINT64_MAX, &ops), 0);
	assert_int_equal(s.n, 0);
	snapshot__begin_read(snap, 1000);
	ADD_FOUND(snapshot__add, snap, 990, {1, XG_G_WAITING}, {2, XG_G_WAITING},
		  {3, XG_G_WAITING});
	s.fail_at = 1;
	assert_int_equal(snapshot__emit(snap, ALL, &ops), -EIO);
	assert_int_equal(s.n, 1);
	/* Seeded before its emit failed; the goroutine after it never was. */
	assert_true(decoder__seeded(s.dec[0], PID, 2));
	assert_false(decoder__seeded(s.dec[0], PID, 3));
	snapshot__free(snap);
	snapshot__free(NULL);
	session_free(&s);
}

/* ---- after lost records: the table read again (resync) ------------------------------- */

/* What the goroutines watched read as now, for resync__check: by goid, RUNNING if not listed. */
struct reread_fake {
	uint64_t goid[8];
	uint8_t status[8];
	int err[8]; /* non-zero: what the re-read of goid[i] returns */
	int n, calls;
};

static int fake_reread(uint64_t goid, uint8_t *status, void *ctx)
{
	struct reread_fake *f = ctx;
	int i;

	f->calls++;
	*status = XG_G_RUNNING;
	for (i = 0; i < f->n; i++) {
		if (f->goid[i] != goid)
			continue;
		*status = f->status[i];
		return f->err[i];
	}
	return 0;
}

/* A live session in small: the decoders' events go to a state table and a log, as the sink's. */
struct live {
	struct session s;
	struct gtable *gt;
	struct resync_ops ops;
	struct gev log[MAXEV];
	int n;
};

static int live_emit(const struct gev *ev, void *ctx)
{
	struct live *l = ctx;

	assert_true(l->n < MAXEV);
	l->log[l->n++] = *ev;
	return gtable__apply(l->gt, ev);
}

static int live_each_decoder(void *ctx, int (*fn)(struct decoder *d, void *arg), void *arg)
{
	return each_decoder(&((struct live *)ctx)->s, fn, arg);
}

static void live_init(struct live *l, bool goid_before_create)
{
	struct decoder_opts o = {.goid_before_create = goid_before_create};
	struct gtable_opts go = {0};

	memset(l, 0, sizeof(*l));
	l->s.n_dec = 1;
	l->s.dec[0] = decoder__new(&o);
	l->gt = gtable__new(&go);
	assert_non_null(l->s.dec[0]);
	assert_non_null(l->gt);
	l->ops.s.each_decoder = live_each_decoder;
	l->ops.s.n_decoders = 1;
	l->ops.s.emit = live_emit;
	l->ops.s.ctx = l;
	l->ops.gt = l->gt;
	l->ops.goroutine_thresh = ALL;
}

static void live_free(struct live *l)
{
	session_free(&l->s);
	gtable__free(l->gt);
}

static void push(struct live *l, struct xg_event r)
{
	assert_int_equal(decoder__push(l->s.dec[0], &r), 0);
}

static struct xg_event rec_create(uint64_t ts, uint64_t goid)
{
	struct xg_event r = rec(ts, goid, XG_G_DEAD, XG_G_RUNNABLE);

	r.flags = XG_EVF_CREATE;
	r.arg0 = 1;
	return r;
}

static struct xg_event rec_wait(uint64_t ts, uint64_t goid, unsigned int from, uint16_t reason)
{
	struct xg_event r = rec(ts, goid, from, XG_G_WAITING);

	r.flags = XG_EVF_REASON;
	r.reason = reason;
	return r;
}

/* The state table's state of GOID, or -1 when it lists it not live. */
static int live_state(const struct live *l, uint64_t goid)
{
	const struct gentry *e = gtable__find(l->gt, PID, goid);

	return e && !e->exited_ts ? e->state : -1;
}

/* The index in the log of the first event of KIND about GOID from FROM, -1: none. */
static int logged(const struct live *l, int from, enum gev_kind kind, uint64_t goid)
{
	int i;

	for (i = from; i < l->n; i++)
		if (l->log[i].kind == kind && l->log[i].goid == goid)
			return i;
	return -1;
}

/*
 * The read most resync tests make: at 1000, goroutines FIRST to LAST in
 * STATE; ended at 1010, after 4 records lost since 500.
 */
static void resync_read(struct resync *r, uint64_t first, uint64_t last, uint8_t state)
{
	uint64_t g;

	resync__begin_read(r, 1000);
	for (g = first; g <= last; g++) {
		struct gev f = found(1000, g, state);

		assert_int_equal(resync__add(&f, r), 0);
	}
	resync__end_read(r, 1010, true, 4, 500);
}

/* Every record up to the read's end applied, then the read, up to 1008. */
static void resync_drain_apply(struct live *l, struct resync *r)
{
	assert_int_equal(decoder__drain(l->s.dec[0], 1010, live_emit, l), 0);
	assert_int_equal(resync__apply(r, 1008, &l->ops, NULL), 0);
}

/*
 * Records lost: exits (phantoms left running and in syscall), a wake-up,
 * every record of a goroutine. The table read sets each right, leaves the
 * goroutines whose records are newer than the read and those whose wait a
 * decoder holds to their records, and marks the gap first.
 */
static void test_resync_sets_the_table_right(void **state)
{
	struct resync *r = resync__new(PID);
	struct gev_gap gap;
	struct live l;
	struct gev f;
	int i, n0;

	(void)state;
	live_init(&l, true);
	assert_non_null(r);
	push(&l, rec_create(100, 1));
	push(&l, rec_wait(105, 1, XG_G_RUNNABLE, 7));
	push(&l, rec_create(110, 10));
	push(&l, rec(115, 10, XG_G_RUNNABLE, XG_G_RUNNING)); /* its exit is lost */
	push(&l, rec_create(120, 11));
	push(&l, rec(125, 11, XG_G_RUNNABLE, XG_G_RUNNING));
	push(&l, rec(126, 11, XG_G_RUNNING, XG_G_SYSCALL)); /* its exit is lost */
	push(&l, rec_create(130, 12));
	push(&l, rec_wait(135, 12, XG_G_RUNNABLE, 7)); /* its wake-up is lost */
	push(&l, rec_create(140, 13));
	push(&l, rec_create(150, 20));
	push(&l, rec_wait(155, 20, XG_G_RUNNABLE, 0)); /* held: its reason comes later */
	/* Goroutine 14: every record lost. */
	push(&l, rec(1005, 13, XG_G_RUNNABLE, XG_G_RUNNING)); /* after the read began */

	resync__begin_read(r, 1000);
	ADD_FOUND(resync__add, r, 1000, {1, XG_G_WAITING}, {12, XG_G_RUNNABLE});
	f = found(1000, 13, XG_G_RUNNABLE); /* read before its record at 1005 */
	assert_int_equal(resync__add(&f, r), 0);
	f = found(1000, 14, XG_G_WAITING);
	f.reason = 7;
	assert_int_equal(resync__add(&f, r), 0);
	f = found(1000, 20, XG_G_WAITING);
	assert_int_equal(resync__add(&f, r), 0);
	f = changed(1000, 30, XG_G_RUNNABLE, XG_G_RUNNING); /* not a create: ignored */
	assert_int_equal(resync__add(&f, r), 0);
	resync__end_read(r, 1010, true, 5, 500);
	assert_int_equal(resync__due(r), 1010);

	assert_int_equal(decoder__drain(l.s.dec[0], 1010, live_emit, &l), 0);
	/* Before: the phantoms the issue shows. */
	assert_int_equal(live_state(&l, 10), XG_G_RUNNING);
	assert_int_equal(live_state(&l, 11), XG_G_SYSCALL);
	assert_int_equal(live_state(&l, 14), -1);
	n0 = l.n;
	assert_int_equal(resync__apply(r, 1008, &l.ops, &gap), 0);
	assert_int_equal(resync__due(r), 0);

	/* The gap first, at the read's end (later than anything applied). */
	assert_int_equal(l.log[n0].kind, GEV_GAP);
	assert_int_equal(l.log[n0].pid, PID);
	assert_int_equal(l.log[n0].ts, 1010);
	assert_int_equal(l.log[n0].gap.drops, 5);
	assert_int_equal(l.log[n0].gap.since, 500);
	assert_true(l.log[n0].gap.resync);
	assert_int_equal(l.log[n0].gap.exits, 2);
	assert_int_equal(l.log[n0].gap.creates, 1);
	assert_int_equal(l.log[n0].gap.changes, 1);
	assert_memory_equal(&gap, &l.log[n0].gap, sizeof(gap));
	/* exits and changes of 2 + 2 + 1 events, then one create */
	assert_int_equal(l.n, n0 + 1 + 5 + 1);
	for (i = n0; i < l.n; i++) {
		assert_int_equal(l.log[i].ts, 1010);
		assert_int_equal(l.log[i].pid, PID);
	}

	i = logged(&l, n0, GEV_STATE, 10);
	assert_true(i > n0);
	assert_int_equal(l.log[i].from, XG_G_RUNNING);
	assert_int_equal(l.log[i].to, XG_G_DEAD);
	assert_true(l.log[i].inferred);
	assert_int_equal(l.log[i + 1].kind, GEV_EXIT);
	assert_int_equal(l.log[i + 1].goid, 10);
	i = logged(&l, n0, GEV_STATE, 11);
	assert_int_equal(l.log[i].from, XG_G_SYSCALL);
	assert_int_equal(l.log[i].to, XG_G_DEAD);
	assert_int_equal(l.log[i + 1].kind, GEV_EXIT);
	i = logged(&l, n0, GEV_STATE, 12);
	assert_int_equal(l.log[i].from, XG_G_WAITING);
	assert_int_equal(l.log[i].to, XG_G_RUNNABLE);
	assert_true(l.log[i].inferred);
	i = logged(&l, n0, GEV_CREATE, 14);
	assert_true(l.log[i].existing);
	assert_int_equal(l.log[i].to, XG_G_WAITING);
	assert_int_equal(l.log[i].reason, 7);
	assert_int_equal(l.log[i].startpc, 0x401000 + 14);
	/* Left to their records: one newer than the read, one held, one that agrees. */
	assert_int_equal(logged(&l, n0, GEV_STATE, 13), -1);
	assert_int_equal(logged(&l, n0, GEV_STATE, 20), -1);
	assert_int_equal(logged(&l, n0 + 1, GEV_STATE, 1), -1);
	assert_int_equal(logged(&l, n0, GEV_CREATE, 30), -1);

	/* The state table lists what the target has. */
	assert_int_equal(live_state(&l, 1), XG_G_WAITING);
	assert_int_equal(live_state(&l, 10), -1);
	assert_int_equal(live_state(&l, 11), -1);
	assert_int_equal(live_state(&l, 12), XG_G_RUNNABLE);
	assert_int_equal(live_state(&l, 13), XG_G_RUNNING);
	assert_int_equal(live_state(&l, 14), XG_G_WAITING);

	/* The decoder goes on from the states read: no inferred event, none of the ended. */
	assert_false(decoder__seeded(l.s.dec[0], PID, 10));
	n0 = l.n;
	push(&l, rec(1100, 12, XG_G_RUNNABLE, XG_G_RUNNING));
	push(&l, rec(1110, 14, XG_G_WAITING, XG_G_RUNNABLE));
	assert_int_equal(decoder__drain(l.s.dec[0], UINT64_MAX, live_emit, &l), 0);
	assert_int_equal(l.n, n0 + 2);
	for (i = n0; i < l.n; i++)
		assert_false(l.log[i].inferred);
	resync__free(r);
	live_free(&l);
}

/*
 * A goroutine whose creation was lost, busy since the read began (a GC
 * worker born in the gap): its records keep its state, the read gives its
 * name, as an existing create in the state the table has now, not the
 * read's (e2e.resync.workers listed such workers as phantoms: the checker
 * knows the runtime's own goroutines by their creates).
 */
static void test_resync_names_unnamed_changed_since(void **state)
{
	struct resync *r = resync__new(PID);
	struct gev_gap gap;
	struct live l;
	int i, n0;

	(void)state;
	live_init(&l, true);
	assert_non_null(r);
	push(&l, rec(200, 40, XG_G_WAITING, XG_G_RUNNABLE));  /* its create is lost */
	push(&l, rec(1005, 40, XG_G_RUNNABLE, XG_G_RUNNING)); /* after the read began */
	push(&l, rec_create(300, 41));			      /* named: no create again */
	push(&l, rec(1006, 41, XG_G_RUNNABLE, XG_G_RUNNING));
	resync__begin_read(r, 1000);
	ADD_FOUND(resync__add, r, 1000, {40, XG_G_RUNNABLE}, {41, XG_G_RUNNABLE});
	resync__end_read(r, 1010, true, 3, 100);
	assert_int_equal(decoder__drain(l.s.dec[0], 1010, live_emit, &l), 0);
	n0 = l.n;
	assert_int_equal(resync__apply(r, 1008, &l.ops, &gap), 0);
	assert_int_equal(gap.creates, 1);
	assert_int_equal(gap.changes, 0);
	i = logged(&l, n0, GEV_CREATE, 40);
	assert_true(i > n0);
	assert_true(l.log[i].existing);
	assert_int_equal(l.log[i].to, XG_G_RUNNING);
	assert_int_equal(l.log[i].startpc, 0x401000 + 40);
	assert_int_equal(logged(&l, n0, GEV_CREATE, 41), -1);
	assert_int_equal(logged(&l, n0, GEV_STATE, 40), -1);
	assert_int_equal(live_state(&l, 40), XG_G_RUNNING);
	assert_int_equal(live_state(&l, 41), XG_G_RUNNING);
	resync__free(r);
	live_free(&l);
}

/* Before go1.24: a create waiting for its goid, listed existing meanwhile, is not listed twice. */
static void test_resync_pending_create_once(void **state)
{
	struct resync *r = resync__new(PID);
	struct xg_event c = rec_create(100, 0);
	struct live l;
	struct gev f;
	int creates = 0, i;

	(void)state;
	live_init(&l, false);
	c.g = 0x5000;
	push(&l, c);
	resync__begin_read(r, 1000);
	f = found(1000, 30, XG_G_RUNNABLE);
	assert_int_equal(resync__add(&f, r), 0);
	resync__end_read(r, 1001, true, 1, 50);
	assert_int_equal(decoder__drain(l.s.dec[0], 1001, live_emit, &l), 0);
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), 0);
	c = rec(1100, 30, XG_G_RUNNABLE, XG_G_RUNNING);
	c.g = 0x5000;
	push(&l, c);
	assert_int_equal(decoder__drain(l.s.dec[0], UINT64_MAX, live_emit, &l), 0);
	for (i = 0; i < l.n; i++) {
		creates += l.log[i].kind == GEV_CREATE;
		assert_false(l.log[i].kind == GEV_STATE && l.log[i].inferred);
	}
	assert_int_equal(creates, 1);
	assert_int_equal(live_state(&l, 30), XG_G_RUNNING);
	resync__free(r);
	live_free(&l);
}

/* A read that failed: the gap is marked all the same, nothing else changes; -sample is kept. */
static void test_resync_failed_read_and_sampling(void **state)
{
	struct resync *r = resync__new(PID);
	struct live l;

	(void)state;
	live_init(&l, true);
	push(&l, rec_create(100, 10));
	assert_int_equal(decoder__drain(l.s.dec[0], UINT64_MAX, live_emit, &l), 0);
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), 0); /* no read: nothing */
	assert_int_equal(l.n, 1);

	resync__begin_read(r, 1000);
	resync__end_read(r, 1001, false, 9, 50);
	/* Events later than the read went out already: the gap follows them. */
	assert_int_equal(resync__apply(r, 1500, &l.ops, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.log[1].kind, GEV_GAP);
	assert_int_equal(l.log[1].ts, 1500);
	assert_false(l.log[1].gap.resync);
	assert_int_equal(l.log[1].gap.drops, 9);
	assert_int_equal(live_state(&l, 10), XG_G_RUNNABLE);

	/* newgoroutine sampling: a goroutine never seen may have been left out on purpose. */
	l.ops.creates_sampled = true;
	resync__begin_read(r, 2000);
	ADD_FOUND(resync__add, r, 2000, {10, XG_G_RUNNABLE}, {40, XG_G_RUNNABLE});
	resync__end_read(r, 2001, true, 1, 1500);
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.log[2].gap.creates, 0);
	assert_int_equal(live_state(&l, 40), -1);

	/* An emit error is returned. */
	resync__begin_read(r, 3000);
	resync__end_read(r, 3001, true, 1, 2500);
	l.ops.s.emit = collect;
	l.ops.s.ctx = &l.s;
	l.s.fail_at = 0;
	l.s.n = 0;
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), -EIO);
	resync__free(r);
	live_free(&l);
}

/*
 * Before go1.24: a create waiting for its goid whose goroutine ended unseen
 * is dropped at the read; else the next record of its g, a later goroutine's
 * create, would name it with the dead goid, a phantom for good.
 */
static void test_resync_drops_stale_pending_create(void **state)
{
	struct resync *r = resync__new(PID);
	struct xg_event c = rec_create(100, 0);
	struct live l;
	int i;

	(void)state;
	live_init(&l, false);
	c.g = 0x6000;
	push(&l, c); /* goroutine 40: every later record lost */
	resync__begin_read(r, 1000);
	resync__end_read(r, 1001, true, 3, 50);
	assert_int_equal(decoder__drain(l.s.dec[0], 1001, live_emit, &l), 0);
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), 0);
	/* The g again, for goroutine 41: its create carries the goid the g had, 40. */
	c = rec_create(1100, 40);
	c.g = 0x6000;
	push(&l, c);
	c = rec(1110, 41, XG_G_RUNNABLE, XG_G_RUNNING);
	c.g = 0x6000;
	push(&l, c);
	assert_int_equal(decoder__finish(l.s.dec[0], NULL, live_emit, &l), 0);
	for (i = 0; i < l.n; i++)
		assert_int_not_equal(l.log[i].goid, 40);
	assert_int_equal(live_state(&l, 40), -1);
	assert_int_equal(live_state(&l, 41), XG_G_RUNNING);
	resync__free(r);
	live_free(&l);
}

/* A goroutine whose wait is held (its reason to come) but that the read no longer has: ended. */
static void test_resync_held_wait_of_ended(void **state)
{
	struct resync *r = resync__new(PID);
	struct reread_fake fk = {.goid = {50}, .status = {XG_G_DEAD}, .err = {-ENOENT}, .n = 1};
	struct live l;
	unsigned int n;
	int i;

	(void)state;
	live_init(&l, true);
	push(&l, rec_create(100, 50));
	push(&l, rec_wait(105, 50, XG_G_RUNNABLE, 0)); /* held; the rest is lost */
	resync__begin_read(r, 1000);
	resync__end_read(r, 1001, true, 2, 50);
	assert_int_equal(decoder__drain(l.s.dec[0], 1001, live_emit, &l), 0);
	assert_true(decoder__holds(l.s.dec[0], PID, 50));
	assert_int_equal(resync__apply(r, 0, &l.ops, NULL), 0);
	/* Its creation alone applied: held until its g is read again, found running another. */
	assert_int_equal(live_state(&l, 50), XG_G_RUNNABLE);
	assert_int_equal(resync__check(r, l.gt, 1050, fake_reread, &fk), 1);
	assert_int_equal(resync__settle_gone(r, 1050, 0, &l.ops, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(live_state(&l, 50), -1);
	assert_false(decoder__holds(l.s.dec[0], PID, 50));
	/* The end of the session does not bring it back with its held wait. */
	i = l.n;
	assert_int_equal(decoder__finish(l.s.dec[0], NULL, live_emit, &l), 0);
	assert_int_equal(l.n, i);
	assert_int_equal(live_state(&l, 50), -1);
	resync__free(r);
	live_free(&l);
}

/*
 * The read finds running goroutines whose exit probe had fired, the record
 * lost, before casgstatus stored dead (a thread off the CPU in between).
 * Each is watched: an event of it ends the watch; read again as ended with
 * no event once the records up to that read are in, it gets an inferred
 * exit; read again in another state, its next record tells.
 */
static void test_resync_running_read_ended_unseen(void **state)
{
	struct resync *r = resync__new(PID);
	struct reread_fake fk = {.goid = {10, 13, 14, 15},
				 .status = {XG_G_DEAD, XG_G_DEAD, XG_G_RUNNABLE, XG_G_DEAD},
				 .n = 4};
	struct live l;
	unsigned int n;
	uint64_t g;
	int i, n0;

	(void)state;
	live_init(&l, true);
	assert_non_null(r);
	for (g = 10; g <= 15; g++) {
		if (g == 13)
			continue; /* every record of 13 lost */
		push(&l, rec_create(100 + g, g));
		push(&l, rec(200 + g, g, XG_G_RUNNABLE, XG_G_RUNNING));
	}
	resync_read(r, 10, 15, XG_G_RUNNING);
	resync_drain_apply(&l, r);
	/* The read has the last word for now: all six running, 13 listed existing. */
	for (g = 10; g <= 15; g++)
		assert_int_equal(live_state(&l, g), XG_G_RUNNING);
	assert_true(logged(&l, 0, GEV_CREATE, 13) >= 0);
	assert_int_equal(resync__gone_due(r), 0);

	/* 11 parks: an event. */
	push(&l, rec_wait(1020, 11, XG_G_RUNNING, 7));
	assert_int_equal(decoder__drain(l.s.dec[0], 1030, live_emit, &l), 0);
	/* Read again at 1050: 10, 13 and 15 ended, 14 went on, 12 still runs. */
	assert_int_equal(resync__check(r, l.gt, 1050, fake_reread, &fk), 4);
	assert_int_equal(fk.calls, 5);
	assert_int_equal(resync__gone_due(r), 1050);
	/* 15's exit record was on its way; 10's and 13's were lost. */
	push(&l, rec(1045, 15, XG_G_RUNNING, XG_G_DEAD));
	n0 = l.n;
	assert_int_equal(resync__settle_gone(r, 1040, 1040, &l.ops, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(l.n, n0); /* not before the records up to the read again are in */
	assert_int_equal(decoder__drain(l.s.dec[0], 1060, live_emit, &l), 0);
	n0 = l.n;
	assert_int_equal(resync__settle_gone(r, 1060, 1055, &l.ops, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(l.n, n0 + 4);
	for (i = n0; i < l.n; i++) {
		assert_int_equal(l.log[i].ts, 1055);
		assert_true(l.log[i].kind == GEV_EXIT || l.log[i].inferred);
		assert_true(l.log[i].goid == 10 || l.log[i].goid == 13);
	}
	i = logged(&l, n0, GEV_STATE, 10);
	assert_int_equal(l.log[i].from, XG_G_RUNNING);
	assert_int_equal(l.log[i].to, XG_G_DEAD);
	assert_int_equal(l.log[i + 1].kind, GEV_EXIT);
	assert_int_equal(logged(&l, n0, GEV_STATE, 15), -1);
	assert_int_equal(live_state(&l, 10), -1);
	assert_int_equal(live_state(&l, 13), -1);
	assert_int_equal(live_state(&l, 15), -1);
	assert_int_equal(live_state(&l, 11), XG_G_WAITING);
	assert_int_equal(live_state(&l, 12), XG_G_RUNNING);
	assert_int_equal(live_state(&l, 14), XG_G_RUNNING);
	assert_false(decoder__seeded(l.s.dec[0], PID, 10));
	/* Only 12 is still watched; 14's next record bridges from running. */
	fk.calls = 0;
	assert_int_equal(resync__check(r, l.gt, 1100, fake_reread, &fk), 1);
	assert_int_equal(fk.calls, 1);
	push(&l, rec(1110, 14, XG_G_RUNNABLE, XG_G_RUNNING));
	assert_int_equal(decoder__drain(l.s.dec[0], UINT64_MAX, live_emit, &l), 0);
	assert_int_equal(live_state(&l, 14), XG_G_RUNNING);
	assert_true(l.log[l.n - 2].inferred);
	assert_int_equal(l.log[l.n - 2].to, XG_G_RUNNABLE);
	resync__free(r);
	live_free(&l);
}

/*
 * Before go1.24 newproc1 makes a g runnable, then stores its goid: a read in
 * between finds a g reused from the free list runnable under the goid of
 * the goroutine that ran on it before (20), whose records were all lost;
 * no record of 20 will ever come, the new goroutine's carry its own goid.
 * Found runnable, each is watched like those found running: read again
 * under another goid (XG_G_DEAD) with no event, 20 gets an inferred exit;
 * 21 runs (an event ends the watch); 22 is still runnable, still watched.
 */
static void test_resync_runnable_read_under_previous_goid(void **state)
{
	struct resync *r = resync__new(PID);
	struct reread_fake fk = {.goid = {20, 22}, .status = {XG_G_DEAD, XG_G_RUNNABLE}, .n = 2};
	struct live l;
	unsigned int n;
	uint64_t g;
	int i, n0;

	(void)state;
	live_init(&l, false);
	assert_non_null(r);
	resync_read(r, 20, 22, XG_G_RUNNABLE);
	resync_drain_apply(&l, r);
	for (g = 20; g <= 22; g++) {
		assert_true(logged(&l, 0, GEV_CREATE, g) >= 0);
		assert_int_equal(live_state(&l, g), XG_G_RUNNABLE);
	}
	assert_int_equal(resync__watching(r), 3);
	assert_int_equal(resync__gone_runnable(r), 0);

	/* 21 runs: an event. */
	push(&l, rec(1020, 21, XG_G_RUNNABLE, XG_G_RUNNING));
	assert_int_equal(decoder__drain(l.s.dec[0], 1030, live_emit, &l), 0);
	assert_int_equal(resync__check(r, l.gt, 1050, fake_reread, &fk), 2);
	assert_int_equal(fk.calls, 2);
	assert_int_equal(resync__gone_due(r), 1050);
	assert_int_equal(decoder__drain(l.s.dec[0], 1060, live_emit, &l), 0);
	n0 = l.n;
	assert_int_equal(resync__settle_gone(r, 1060, 1055, &l.ops, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(resync__gone_runnable(r), 1);
	assert_int_equal(l.n, n0 + 2);
	i = logged(&l, n0, GEV_STATE, 20);
	assert_true(i >= 0);
	assert_true(l.log[i].inferred);
	assert_int_equal(l.log[i].from, XG_G_RUNNABLE);
	assert_int_equal(l.log[i].to, XG_G_DEAD);
	assert_int_equal(l.log[i + 1].kind, GEV_EXIT);
	assert_int_equal(l.log[i + 1].goid, 20);
	assert_int_equal(live_state(&l, 20), -1);
	assert_int_equal(live_state(&l, 21), XG_G_RUNNING);
	assert_int_equal(live_state(&l, 22), XG_G_RUNNABLE);
	/* Only 22 is still watched, read again each time until an event of it. */
	fk.calls = 0;
	assert_int_equal(resync__check(r, l.gt, 1100, fake_reread, &fk), 1);
	assert_int_equal(fk.calls, 1);
	push(&l, rec(1110, 22, XG_G_RUNNABLE, XG_G_RUNNING));
	assert_int_equal(decoder__drain(l.s.dec[0], UINT64_MAX, live_emit, &l), 0);
	assert_int_equal(resync__check(r, l.gt, 1150, fake_reread, &fk), 0);
	assert_int_equal(live_state(&l, 22), XG_G_RUNNING);
	resync__free(r);
	live_free(&l);
}

/*
 * Not in the read, its creation alone seen: newproc1 stores the goid, the
 * probe fires, then runnable is stored; the read may come in between. Its
 * exit is held until its g is read again: being created or alive, the read
 * was early (60); an event of it ends the hold (63); dead (61), or no g
 * with its goid (62): it ended.
 */
/*
 * Goroutines the read found live end before it is applied (a second later
 * with workers), and a busy process ends so many more that the caps push
 * their entries out of the state table: their exits are out already, so
 * the read must not list them again as existing creates (phantoms); one it
 * found with no record seen at all is still new.
 */
static void test_resync_found_then_ended_and_evicted(void **state)
{
	struct gtable_opts go = {.max_exited = 1};
	struct resync *r = resync__new(PID);
	struct gev_gap gap;
	struct live l;
	uint64_t g;
	int n0;

	(void)state;
	live_init(&l, true);
	gtable__free(l.gt);
	l.gt = gtable__new(&go);
	assert_non_null(l.gt);
	l.ops.gt = l.gt;
	assert_non_null(r);
	push(&l, rec_create(990, 70));
	push(&l, rec_create(991, 71));
	/* As rings.c: the log is on from before the read until it is applied. */
	gtable__log_dropped_exits(l.gt, true);
	resync_read(r, 70, 72, XG_G_RUNNABLE);
	for (g = 70; g <= 71; g++) {
		push(&l, rec(1010 + 2 * g, g, XG_G_RUNNABLE, XG_G_RUNNING));
		push(&l, rec(1011 + 2 * g, g, XG_G_RUNNING, XG_G_DEAD));
	}
	assert_int_equal(decoder__drain(l.s.dec[0], 1200, live_emit, &l), 0);
	/* 71's exit pushed 70's entry out (max_exited 1). */
	assert_null(gtable__find(l.gt, PID, 70));
	assert_non_null(gtable__find(l.gt, PID, 71));
	assert_true(gtable__dropped_exit(l.gt, PID, 70));
	assert_false(gtable__dropped_exit(l.gt, PID, 72));
	assert_int_equal(logged(&l, 0, GEV_EXIT, 70) >= 0, 1);

	n0 = l.n;
	gtable__sort_dropped_exits(l.gt);
	assert_int_equal(resync__apply(r, 1200, &l.ops, &gap), 0);
	assert_int_equal(gap.creates, 1);
	assert_int_equal(gap.exits, 0);
	assert_int_equal(l.n, n0 + 2); /* the gap, 72's create */
	assert_int_equal(resync__ended_dropped(r), 1);
	assert_int_equal(logged(&l, n0, GEV_CREATE, 70), -1);
	assert_int_equal(logged(&l, n0, GEV_CREATE, 71), -1);
	assert_true(logged(&l, n0, GEV_CREATE, 72) > n0);
	assert_int_equal(live_state(&l, 70), -1);
	assert_int_equal(live_state(&l, 71), -1);
	assert_int_equal(live_state(&l, 72), XG_G_RUNNABLE);
	/* Off: the log is emptied. */
	gtable__log_dropped_exits(l.gt, false);
	assert_false(gtable__dropped_exit(l.gt, PID, 70));
	resync__free(r);
	live_free(&l);
}

static void test_resync_exit_held_while_starting(void **state)
{
	struct resync *r = resync__new(PID);
	struct reread_fake fk = {.goid = {60, 61, 62},
				 .status = {XG_G_RUNNABLE, XG_G_DEAD, XG_G_DEAD},
				 .err = {0, 0, -ENOENT},
				 .n = 3};
	struct gev_gap gap;
	struct live l;
	unsigned int n;
	uint64_t g;
	int i, n0;

	(void)state;
	live_init(&l, true);
	assert_non_null(r);
	for (g = 60; g <= 63; g++)
		push(&l, rec_create(990 + g - 60, g));
	resync__begin_read(r, 1000);
	resync__end_read(r, 1010, true, 4, 500);
	assert_int_equal(decoder__drain(l.s.dec[0], 1010, live_emit, &l), 0);
	n0 = l.n;
	assert_int_equal(resync__apply(r, 1008, &l.ops, &gap), 0);
	assert_int_equal(gap.exits, 0);
	assert_int_equal(l.n, n0 + 1); /* the gap alone */
	for (g = 60; g <= 63; g++)
		assert_int_equal(live_state(&l, g), XG_G_RUNNABLE);

	push(&l, rec(1020, 63, XG_G_RUNNABLE, XG_G_RUNNING));
	assert_int_equal(decoder__drain(l.s.dec[0], 1030, live_emit, &l), 0);
	assert_int_equal(resync__check(r, l.gt, 1050, fake_reread, &fk), 2);
	assert_int_equal(fk.calls, 3);
	assert_int_equal(resync__gone_due(r), 1050);
	n0 = l.n;
	assert_int_equal(resync__settle_gone(r, 1060, 1055, &l.ops, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(l.n, n0 + 4);
	for (i = n0; i < l.n; i += 2) {
		assert_true(l.log[i].goid == 61 || l.log[i].goid == 62);
		assert_int_equal(l.log[i].from, XG_G_RUNNABLE);
		assert_int_equal(l.log[i].to, XG_G_DEAD);
		assert_true(l.log[i].inferred);
		assert_int_equal(l.log[i + 1].kind, GEV_EXIT);
		assert_int_equal(l.log[i + 1].goid, l.log[i].goid);
	}
	assert_int_equal(live_state(&l, 60), XG_G_RUNNABLE);
	assert_int_equal(live_state(&l, 61), -1);
	assert_int_equal(live_state(&l, 62), -1);
	assert_int_equal(live_state(&l, 63), XG_G_RUNNING);
	assert_int_equal(resync__check(r, l.gt, 2000, fake_reread, &fk), 0);
	resync__free(r);
	live_free(&l);
}

/*
 * With -b, goroutines from before the attach are first listed by a change
 * of state, with no start function: a read that finds them names them (a
 * create marked existing, the state unchanged, counted in creates).
 */
static void test_resync_names_the_unnamed(void **state)
{
	struct resync *r = resync__new(PID);
	const struct gentry *e;
	struct gev_gap gap;
	struct live l;
	struct gev f;
	int i, n0;

	(void)state;
	live_init(&l, true);
	assert_non_null(r);
	push(&l, rec(100, 17, XG_G_WAITING, XG_G_RUNNABLE));
	push(&l, rec_wait(110, 17, XG_G_RUNNABLE, 7));
	resync__begin_read(r, 1000);
	f = found(1000, 17, XG_G_WAITING);
	f.reason = 7;
	assert_int_equal(resync__add(&f, r), 0);
	resync__end_read(r, 1010, true, 1, 500);
	assert_int_equal(decoder__drain(l.s.dec[0], 1010, live_emit, &l), 0);
	n0 = l.n;
	assert_int_equal(resync__apply(r, 1008, &l.ops, &gap), 0);
	assert_int_equal(gap.creates, 1);
	assert_int_equal(l.n, n0 + 2);
	i = logged(&l, n0, GEV_CREATE, 17);
	assert_true(i > n0);
	assert_true(l.log[i].existing);
	assert_int_equal(l.log[i].startpc, 0x401000 + 17);
	assert_int_equal(l.log[i].to, XG_G_WAITING);
	e = gtable__find(l.gt, PID, 17);
	assert_int_equal(e->state, XG_G_WAITING);
	assert_int_equal(e->transitions, 2);
	resync__free(r);
	live_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_read_listed_and_seeded),
		cmocka_unit_test(test_seed_bridges_first_record),
		cmocka_unit_test(test_unsampled_not_listed),
		cmocka_unit_test(test_gone_before_probes_get_inferred_exit),
		cmocka_unit_test(test_both_reads_then_emit_gives_back),
		cmocka_unit_test(test_late_created_under_probes),
		cmocka_unit_test(test_late_created_before_probes),
		cmocka_unit_test(test_late_untouched_listed_at_settle),
		cmocka_unit_test(test_settle_waits_for_read_end),
		cmocka_unit_test(test_every_decoder),
		cmocka_unit_test(test_errors_and_no_snapshot),
		cmocka_unit_test(test_resync_sets_the_table_right),
		cmocka_unit_test(test_resync_names_unnamed_changed_since),
		cmocka_unit_test(test_resync_pending_create_once),
		cmocka_unit_test(test_resync_failed_read_and_sampling),
		cmocka_unit_test(test_resync_drops_stale_pending_create),
		cmocka_unit_test(test_resync_held_wait_of_ended),
		cmocka_unit_test(test_resync_running_read_ended_unseen),
		cmocka_unit_test(test_resync_runnable_read_under_previous_goid),
		cmocka_unit_test(test_resync_exit_held_while_starting),
		cmocka_unit_test(test_resync_found_then_ended_and_evicted),
		cmocka_unit_test(test_resync_names_the_unnamed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
