// SPDX-License-Identifier: BSD-2-Clause
/*
 * The goroutines found at attach (src/live/snapshot.c) on synthetic reads
 * of a goroutine table and real decoders: what is listed, what the
 * decoders are seeded with, and which goroutines get an inferred exit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "snapshot.h"

#define PID   7
#define MAXEV 32
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
	ev = found(990, 1, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(990, 2, XG_G_RUNNING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(990, 3, XG_G_RUNNABLE);
	assert_int_equal(snapshot__add(&ev, snap), 0);
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
	ev = found(990, 1, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(990, 2, XG_G_RUNNABLE);
	assert_int_equal(snapshot__add(&ev, snap), 0);
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
	struct gev ev;

	(void)state;
	session_init(&s, 1, &ops);
	assert_int_equal(snapshot__emit(NULL, ALL, &ops), 0);
	assert_int_equal(snapshot__settle(NULL, UINT64_MAX, &ops), 0);
	assert_int_equal(s.n, 0);
	snapshot__begin_read(snap, 1000);
	ev = found(990, 1, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(990, 2, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
	ev = found(990, 3, XG_G_WAITING);
	assert_int_equal(snapshot__add(&ev, snap), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_read_listed_and_seeded),
		cmocka_unit_test(test_seed_bridges_first_record),
		cmocka_unit_test(test_unsampled_not_listed),
		cmocka_unit_test(test_gone_before_probes_get_inferred_exit),
		cmocka_unit_test(test_every_decoder),
		cmocka_unit_test(test_errors_and_no_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
