// SPDX-License-Identifier: BSD-2-Clause
/*
 * The --poll differ against a fake process: an allgs slice and g structs
 * laid out as in go1.22, changed between samples the way the runtime
 * changes them; the events must say what changed, and nothing else.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gpoll.h"

#define ALLGS 0x1000ull
#define ARRAY 0x2000ull
#define GBASE 0x10000ull
#define GSIZE 0x200
#define NG    4

static const struct poll_layout layout = {
	.allgs = ALLGS,
	.g_status = 144,
	.g_goid = 152,
	.g_waitsince = 168,
	.g_waitreason = 176,
	.g_parent_goid = 272,
	.g_gopc = 280,
	.g_startpc = 296,
};

struct fake {
	uint8_t hdr[24];
	uint64_t array[NG];
	uint8_t g[NG][GSIZE];
	int fail_g;   /* index of a g whose read fails, -1 none */
	int fail_all; /* errno for every read, 0 none */
};

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static int fake_read(const struct poll_iov *iov, size_t n, void *ctx)
{
	struct fake *f = ctx;
	size_t i;

	if (f->fail_all)
		return -f->fail_all;
	for (i = 0; i < n; i++) {
		uint64_t a = iov[i].addr;
		const uint8_t *src = NULL;

		if (a >= ALLGS && a + iov[i].len <= ALLGS + sizeof(f->hdr))
			src = f->hdr + (a - ALLGS);
		else if (a >= ARRAY && a + iov[i].len <= ARRAY + sizeof(f->array))
			src = (const uint8_t *)f->array + (a - ARRAY);
		else if (a >= GBASE && a + iov[i].len <= GBASE + NG * GSIZE) {
			int g = (int)((a - GBASE) / GSIZE);

			if (g == f->fail_g)
				return -EFAULT;
			src = f->g[g] + (a - GBASE - (uint64_t)g * GSIZE);
		}
		if (!src)
			return -EFAULT;
		memcpy(iov[i].buf, src, iov[i].len);
	}
	return 0;
}

static void set_len(struct fake *f, uint64_t len)
{
	put64(f->hdr, ARRAY);
	put64(f->hdr + 8, len);
	put64(f->hdr + 16, NG);
}

static void set_g(struct fake *f, int i, uint32_t status, uint64_t goid, uint8_t reason,
		  int64_t waitsince)
{
	uint8_t *g = f->g[i];

	memcpy(g + layout.g_status, &status, 4);
	put64(g + layout.g_goid, goid);
	g[layout.g_waitreason] = reason;
	put64(g + layout.g_waitsince, (uint64_t)waitsince);
	put64(g + layout.g_parent_goid, goid ? goid - 1 : 0);
	put64(g + layout.g_gopc, 0x401000 + goid);
	put64(g + layout.g_startpc, 0x402000 + goid);
}

#define MAXEV 32

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

static void expect(const struct gev *ev, enum gev_kind kind, uint64_t goid, int from, int to,
		   int reason, bool inferred)
{
	assert_int_equal(ev->kind, kind);
	assert_int_equal(ev->goid, goid);
	assert_int_equal(ev->pid, 42);
	assert_int_equal(ev->ts, 1000);
	if (from >= 0)
		assert_int_equal(ev->from, from);
	if (to >= 0)
		assert_int_equal(ev->to, to);
	assert_int_equal(ev->reason, reason);
	assert_int_equal(ev->inferred, inferred);
}

static struct poller *setup(struct fake *f)
{
	struct poller *p;
	int i;

	memset(f, 0, sizeof(*f));
	f->fail_g = -1;
	for (i = 0; i < NG; i++)
		f->array[i] = GBASE + (uint64_t)i * GSIZE;
	set_len(f, 3);
	p = poller__new(&layout, 42, 0, fake_read, f);
	assert_non_null(p);
	return p;
}

static void test_lifecycle(void **state)
{
	struct fake f;
	struct poller *p = setup(&f);
	struct poll_stats st;
	struct sink s = {.n = 0};

	(void)state;
	/* First read: what exists is created, in its current state. */
	set_g(&f, 0, XG_G_RUNNING, 1, 0, 0);
	set_g(&f, 1, XG_G_WAITING, 2, 7, 0);
	set_g(&f, 2, XG_G_DEAD, 3, 0, 0);
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 2);
	expect(&s.ev[0], GEV_CREATE, 1, XG_G_DEAD, XG_G_RUNNING, GEV_NO_REASON, false);
	assert_int_equal(s.ev[0].parent, 0);
	assert_int_equal(s.ev[0].startpc, 0x402001);
	assert_int_equal(s.ev[0].gopc, 0x401001);
	expect(&s.ev[1], GEV_CREATE, 2, XG_G_DEAD, XG_G_WAITING, 7, false);
	assert_int_equal(s.ev[1].parent, 1);
	assert_int_equal(s.ev[1].waitsince, 0); /* no GC saw it blocked: Go has no time */

	/* Nothing changed: nothing to say. */
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 0);
	/* The read's buffers freed between reads: what it knows stays (attach's two reads). */
	poller__trim(p);
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 0);
	poller__trim(p);

	/* g0 parks, g1 (scan bit set meanwhile) woke and parked again, g2 is reused. */
	set_g(&f, 0, XG_G_WAITING, 1, 3, 0);
	set_g(&f, 1, XG_G_WAITING | XG_GSCAN, 2, 9, 0);
	set_g(&f, 2, XG_G_RUNNABLE, 5, 0, 0);
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 4);
	expect(&s.ev[0], GEV_STATE, 1, XG_G_RUNNING, XG_G_WAITING, 3, false);
	expect(&s.ev[1], GEV_STATE, 2, XG_G_WAITING, XG_G_RUNNING, GEV_NO_REASON, true);
	expect(&s.ev[2], GEV_STATE, 2, XG_G_RUNNING, XG_G_WAITING, 9, false);
	expect(&s.ev[3], GEV_CREATE, 5, XG_G_DEAD, XG_G_RUNNABLE, GEV_NO_REASON, false);
	assert_int_equal(s.ev[3].waitsince, 0);

	/* Same wait reason, but wait-since moved: it ran in between. */
	set_g(&f, 1, XG_G_WAITING, 2, 9, 100);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 0); /* 0 -> 100: the GC stamped a wait we already knew */
	set_g(&f, 1, XG_G_WAITING, 2, 9, 250);
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 2);
	expect(&s.ev[0], GEV_STATE, 2, XG_G_WAITING, XG_G_RUNNING, GEV_NO_REASON, true);

	/* g0 ends; g1's g now runs goid 9: 2 ended, 9 was created; a new g 3 appears. */
	set_g(&f, 0, XG_G_DEAD, 1, 0, 0);
	set_g(&f, 1, XG_G_RUNNING, 9, 0, 0);
	set_g(&f, 3, XG_G_SYSCALL, 11, 0, 700);
	set_len(&f, 4);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 6);
	expect(&s.ev[0], GEV_STATE, 1, XG_G_WAITING, XG_G_DEAD, GEV_NO_REASON, false);
	expect(&s.ev[1], GEV_EXIT, 1, -1, -1, GEV_NO_REASON, false);
	expect(&s.ev[2], GEV_STATE, 2, XG_G_WAITING, XG_G_DEAD, GEV_NO_REASON, false);
	expect(&s.ev[3], GEV_EXIT, 2, -1, -1, GEV_NO_REASON, false);
	expect(&s.ev[4], GEV_CREATE, 9, XG_G_DEAD, XG_G_RUNNING, GEV_NO_REASON, false);
	expect(&s.ev[5], GEV_CREATE, 11, XG_G_DEAD, XG_G_SYSCALL, GEV_NO_REASON, false);
	/* In a syscall since Go's g.waitsince (a GC saw it there); running: none. */
	assert_int_equal(s.ev[5].waitsince, 700);
	assert_int_equal(s.ev[4].waitsince, 0);
	/* A time after the read's is a torn read, not a time. */
	set_g(&f, 0, XG_G_WAITING, 12, 7, 5000);
	set_g(&f, 3, XG_G_WAITING, 13, 7, 900);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 4);
	expect(&s.ev[0], GEV_CREATE, 12, XG_G_DEAD, XG_G_WAITING, 7, false);
	assert_int_equal(s.ev[0].waitsince, 0);
	expect(&s.ev[3], GEV_CREATE, 13, XG_G_DEAD, XG_G_WAITING, 7, false);
	assert_int_equal(s.ev[3].waitsince, 900);

	poller__stats(p, &st);
	assert_int_equal(st.samples, 8);
	assert_int_equal(st.gs, 4);
	assert_int_equal(st.live, 4);
	assert_int_equal(st.skipped, 0);
	poller__free(p);
}

static bool ended_4(uint64_t goid, void *ctx)
{
	(void)ctx;
	return goid == 4;
}

/*
 * A poller taking over from the probes (a step down to poll): what they said
 * is alive continues from its state, what they said ended stays ended, and
 * only the rest is new.
 */
static void test_sample_known(void **state)
{
	struct poll_known known[] = {
		{.goid = 5, .state = XG_G_WAITING},  /* on no g: its g was reused */
		{.goid = 1, .state = XG_G_RUNNABLE}, /* ran since */
		{.goid = 2, .state = XG_G_WAITING},  /* ended since */
		{.goid = 3, .state = XG_G_RUNNABLE}, /* newproc1 has not stored runnable yet */
	};
	struct fake f;
	struct poller *p = setup(&f);
	struct sink s = {.n = 0};

	(void)state;
	set_len(&f, 4);
	set_g(&f, 0, XG_G_RUNNING, 1, 0, 0);
	set_g(&f, 1, XG_G_DEAD, 2, 0, 0);
	set_g(&f, 2, XG_G_DEAD, 3, 0, 0);
	put64(f.g[2] + 64, 0x402000 + 3);    /* sched.pc at its start function */
	set_g(&f, 3, XG_G_RUNNING, 4, 0, 0); /* its end seen, not stored yet */
	assert_int_equal(poller__sample_known(p, 1000, known, 4, ended_4, NULL, collect, &s), 0);
	assert_int_equal(s.n, 5);
	expect(&s.ev[0], GEV_STATE, 1, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, false);
	expect(&s.ev[1], GEV_STATE, 2, XG_G_WAITING, XG_G_DEAD, GEV_NO_REASON, false);
	expect(&s.ev[2], GEV_EXIT, 2, -1, -1, GEV_NO_REASON, false);
	expect(&s.ev[3], GEV_STATE, 5, XG_G_WAITING, XG_G_DEAD, GEV_NO_REASON, false);
	expect(&s.ev[4], GEV_EXIT, 5, -1, -1, GEV_NO_REASON, false);
	/* 3 starts: a change, not a create; 4 is still read running: nothing. */
	set_g(&f, 2, XG_G_RUNNING, 3, 0, 0);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 1);
	expect(&s.ev[0], GEV_STATE, 3, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, false);
	/* 4's g dead, then reused by 8: a create of 8 alone. */
	set_g(&f, 3, XG_G_DEAD, 4, 0, 0);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 0);
	set_g(&f, 3, XG_G_RUNNING, 8, 0, 0);
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 1);
	expect(&s.ev[0], GEV_CREATE, 8, XG_G_DEAD, XG_G_RUNNING, GEV_NO_REASON, false);
	poller__free(p);
}

static void test_bad_reads(void **state)
{
	struct fake f;
	struct poller *p = setup(&f);
	struct poll_stats st;
	struct sink s = {.n = 0};

	(void)state;
	set_g(&f, 0, XG_G_RUNNING, 1, 0, 0);
	set_g(&f, 1, 0x77, 2, 0, 0); /* not a status: not a g we can read */
	set_g(&f, 2, XG_G_RUNNABLE, 3, 0, 0);
	f.fail_g = 2;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 1);
	expect(&s.ev[0], GEV_CREATE, 1, XG_G_DEAD, XG_G_RUNNING, GEV_NO_REASON, false);
	poller__stats(p, &st);
	assert_int_equal(st.skipped, 2);

	/* Torn slice header (len > cap): no events, no error, try again later. */
	put64(f.hdr + 8, 100);
	s.n = 0;
	assert_int_equal(poller__sample(p, 1000, collect, &s), 0);
	assert_int_equal(s.n, 0);

	/* The process is gone. */
	set_len(&f, 3);
	f.fail_all = ESRCH;
	assert_int_equal(poller__sample(p, 1000, collect, &s), -ESRCH);
	poller__free(p);
	poller__free(NULL);
}

static int stop_at_second(const struct gev *ev, void *ctx)
{
	int *n = ctx;

	(void)ev;
	return ++*n == 2 ? -ECANCELED : 0;
}

static void test_emit_error(void **state)
{
	struct fake f;
	struct poller *p = setup(&f);
	int n = 0;

	(void)state;
	set_g(&f, 0, XG_G_RUNNING, 1, 0, 0);
	set_g(&f, 1, XG_G_RUNNING, 2, 0, 0);
	set_g(&f, 2, XG_G_RUNNING, 3, 0, 0);
	assert_int_equal(poller__sample(p, 1000, stop_at_second, &n), -ECANCELED);
	assert_int_equal(n, 2);
	poller__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_sample_known),
		cmocka_unit_test(test_bad_reads),
		cmocka_unit_test(test_emit_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
