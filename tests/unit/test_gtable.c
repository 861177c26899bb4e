// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gentry_read.h"
#include "gtable.h"
#include "xgotop_event.h"

#define PID 4242

static struct gev ev_create(uint64_t ts, uint64_t goid, uint64_t parent)
{
	return (struct gev){.kind = GEV_CREATE,
			    .ts = ts,
			    .pid = PID,
			    .tid = 7,
			    .goid = goid,
			    .reason = GEV_NO_REASON,
			    .parent = parent,
			    .startpc = 0x4a2b10,
			    .gopc = 0x4a2000,
			    .func = "main.worker",
			    .created_by = "main.main",
			    .file = "/src/main.go",
			    .line = 42};
}

static struct gev ev_state(uint64_t ts, uint64_t goid, uint8_t from, uint8_t to)
{
	return (struct gev){.kind = GEV_STATE,
			    .ts = ts,
			    .pid = PID,
			    .tid = 7,
			    .goid = goid,
			    .from = from,
			    .to = to,
			    .reason = GEV_NO_REASON};
}

static struct gev ev_exit(uint64_t ts, uint64_t goid)
{
	return (struct gev){.kind = GEV_EXIT,
			    .ts = ts,
			    .pid = PID,
			    .tid = 7,
			    .goid = goid,
			    .reason = GEV_NO_REASON};
}

static void apply(struct gtable *gt, struct gev ev)
{
	assert_int_equal(gtable__apply(gt, &ev), 0);
}

struct recount {
	uint64_t live;
	uint64_t by_state[GT_NSTATES];
	size_t size;
};

static int recount_one(const struct gentry *e, void *ctx)
{
	struct recount *r = ctx;

	r->size++;
	if (!e->exited_ts) {
		r->live++;
		r->by_state[e->state]++;
	}
	return 0;
}

static int sum_group(const struct gtable_group *g, void *ctx)
{
	struct recount *r = ctx;
	uint64_t in_states = 0;
	unsigned int s;

	r->size++;
	r->live += g->live;
	for (s = 0; s < GT_NSTATES; s++) {
		r->by_state[s] += g->by_state[s];
		in_states += g->by_state[s];
	}
	assert_int_equal(in_states, g->live);
	return 0;
}

/* Each live entry counted in its own group's state. */
static int group_of_entry(const struct gentry *e, void *ctx)
{
	(void)ctx;
	assert_non_null(e->group);
	if (!e->exited_ts)
		assert_true(e->group->by_state[e->state] > 0);
	if (e->group->func && e->func)
		assert_string_equal(e->group->func, e->func);
	return 0;
}

/* The incrementally kept counts must equal a recount over the entries, and over the groups. */
static void check_counts(const struct gtable *gt)
{
	struct recount r = {0}, g = {0};
	struct gtable_counts c;
	unsigned int s;

	assert_int_equal(gtable__for_each(gt, recount_one, &r), 0);
	gtable__counts(gt, &c);
	assert_int_equal(r.size, gtable__size(gt));
	assert_int_equal(r.live, c.live);
	for (s = 0; s < GT_NSTATES; s++)
		assert_int_equal(r.by_state[s], c.by_state[s]);
	assert_int_equal(gtable__for_each_group(gt, sum_group, &g), 0);
	assert_int_equal(g.size, gtable__n_groups(gt));
	assert_int_equal(g.live, c.live);
	for (s = 0; s < GT_NSTATES; s++)
		assert_int_equal(g.by_state[s], c.by_state[s]);
	assert_int_equal(gtable__for_each(gt, group_of_entry, NULL), 0);
}

static void test_time_accounting(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	struct gtable_counts c;
	struct gev w;
	static const struct {
		uint64_t start;
		uint8_t state;
	} want_spans[] = {
		{1000, XG_G_RUNNABLE}, {1500, XG_G_RUNNING}, {2500, XG_G_WAITING},
		{6000, XG_G_RUNNABLE}, {6100, XG_G_RUNNING}, {7000, XG_G_DEAD},
	};
	unsigned int i;

	(void)state;
	assert_non_null(gt);
	apply(gt, ev_create(1000, 17, 1));
	e = gtable__find(gt, PID, 17);
	assert_non_null(e);
	assert_int_equal(e->state, XG_G_RUNNABLE);
	assert_int_equal(e->created_ts, 1000);
	assert_int_equal(e->parent, 1);
	assert_string_equal(e->func, "main.worker");
	assert_string_equal(e->created_by, "main.main");
	assert_string_equal(e->file, "/src/main.go");
	assert_int_equal(e->line, 42);
	assert_int_equal(e->transitions, 0);

	apply(gt, ev_state(1000, 17, XG_G_DEAD, XG_G_RUNNABLE));
	apply(gt, ev_state(1500, 17, XG_G_RUNNABLE, XG_G_RUNNING));
	/* The open span counts up to NOW. */
	assert_int_equal(gentry__time_in(e, XG_G_RUNNING, 2000), 500);
	assert_int_equal(gentry__time_in(e, XG_G_RUNNABLE, 2000), 500);
	assert_int_equal(gentry__time_in(e, XG_G_RUNNING, 1400), 0);

	w = ev_state(2500, 17, XG_G_RUNNING, XG_G_WAITING);
	w.reason = 7;
	w.reason_str = "chan receive";
	apply(gt, w);
	assert_int_equal(e->state, XG_G_WAITING);
	assert_int_equal(e->reason, 7);
	assert_string_equal(e->reason_str, "chan receive");
	gtable__counts(gt, &c);
	assert_int_equal(c.by_state[XG_G_WAITING], 1);
	assert_int_equal(c.by_state[XG_G_RUNNING], 0);

	apply(gt, ev_state(6000, 17, XG_G_WAITING, XG_G_RUNNABLE));
	assert_int_equal(e->reason, GEV_NO_REASON);
	assert_null(e->reason_str);
	apply(gt, ev_state(6100, 17, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_state(7000, 17, XG_G_RUNNING, XG_G_DEAD));
	apply(gt, ev_exit(7000, 17));

	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 600);
	assert_int_equal(ns_in(e, XG_G_RUNNING), 1900);
	assert_int_equal(ns_in(e, XG_G_WAITING), 3500);
	assert_int_equal(ns_in(e, XG_G_DEAD), 0);
	/* After the exit nothing accrues, however late NOW is. */
	assert_int_equal(gentry__time_in(e, XG_G_DEAD, 1000000), 0);
	assert_int_equal(gentry__time_in(e, XG_G_RUNNING, 1000000), 1900);
	assert_int_equal(gentry__time_in(e, GT_NSTATES, 1000000), 0);
	assert_int_equal(e->exited_ts, 7000);
	assert_int_equal(e->state, XG_G_DEAD);
	assert_int_equal(e->transitions, 6);

	/* The zero-length span of the creation was replaced by dead -> runnable. */
	assert_int_equal(e->n_spans, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(sp(e, i).start, want_spans[i].start);
		assert_int_equal(sp(e, i).state, want_spans[i].state);
	}
	assert_null(gentry__span(e, 6, &(struct gstate_span){0}));

	gtable__counts(gt, &c);
	assert_int_equal(c.live, 0);
	assert_int_equal(c.created, 1);
	assert_int_equal(c.exited, 1);
	assert_int_equal(c.events, 8);
	assert_int_equal(c.out_of_order, 0);
	assert_int_equal(c.from_mismatch, 0);
	for (i = 0; i < GT_NSTATES; i++)
		assert_int_equal(c.by_state[i], 0);
	check_counts(gt);
	gtable__free(gt);
}

static void test_exit_closes_open_span(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;

	(void)state;
	apply(gt, ev_create(100, 5, 1));
	apply(gt, ev_state(150, 5, XG_G_RUNNABLE, XG_G_RUNNING));
	/* No running -> dead observed: the exit closes the running span. */
	apply(gt, ev_exit(400, 5));
	e = gtable__find(gt, PID, 5);
	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 50);
	assert_int_equal(ns_in(e, XG_G_RUNNING), 250);
	assert_int_equal(e->state, XG_G_DEAD);
	assert_int_equal(e->state_since, 400);
	check_counts(gt);
	gtable__free(gt);
}

static void test_out_of_order_clamped(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	struct gtable_counts c;

	(void)state;
	apply(gt, ev_create(1000, 9, 1));
	apply(gt, ev_state(5000, 9, XG_G_RUNNABLE, XG_G_RUNNING));
	/* 4000 < state_since 5000: a zero-length running span, never a negative one. */
	apply(gt, ev_state(4000, 9, XG_G_RUNNING, XG_G_WAITING));
	e = gtable__find(gt, PID, 9);
	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 4000);
	assert_int_equal(ns_in(e, XG_G_RUNNING), 0);
	assert_int_equal(e->state_since, 5000);
	assert_int_equal(e->state, XG_G_WAITING);
	apply(gt, ev_state(6000, 9, XG_G_WAITING, XG_G_RUNNABLE));
	assert_int_equal(ns_in(e, XG_G_WAITING), 1000);
	/* An exit in the past is clamped the same way. */
	apply(gt, ev_exit(10, 9));
	assert_int_equal(e->exited_ts, 6000);
	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 4000);

	gtable__counts(gt, &c);
	assert_int_equal(c.out_of_order, 2);
	assert_int_equal(c.events, 5);
	check_counts(gt);
	gtable__free(gt);
}

static void test_unknown_goroutine(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	struct gtable_counts c;

	(void)state;
	/* Existed before attach: first seen leaving waiting. */
	apply(gt, ev_state(3000, 1, XG_G_WAITING, XG_G_RUNNABLE));
	e = gtable__find(gt, PID, 1);
	assert_non_null(e);
	assert_int_equal(e->created_ts, 0);
	assert_null(e->func);
	assert_int_equal(e->state, XG_G_RUNNABLE);
	assert_int_equal(e->state_since, 3000);
	assert_int_equal(e->transitions, 1);
	assert_int_equal(e->reason, GEV_NO_REASON);
	assert_int_equal(gentry__time_in(e, XG_G_WAITING, 9000), 0);
	assert_int_equal(gentry__time_in(e, XG_G_RUNNABLE, 9000), 6000);
	assert_null(gtable__find(gt, PID + 1, 1));
	assert_null(gtable__find(gt, PID, 2));

	/* First seen by its exit. */
	apply(gt, ev_exit(3500, 2));
	e = gtable__find(gt, PID, 2);
	assert_non_null(e);
	assert_int_equal(e->state, XG_G_DEAD);
	assert_int_equal(e->exited_ts, 3500);

	gtable__counts(gt, &c);
	assert_int_equal(c.live, 1);
	assert_int_equal(c.created, 0);
	assert_int_equal(c.exited, 1);
	assert_int_equal(c.by_state[XG_G_RUNNABLE], 1);
	assert_int_equal(c.by_state[XG_G_DEAD], 0);
	assert_int_equal(gtable__size(gt), 2);
	check_counts(gt);
	gtable__free(gt);
}

static void test_mismatch_and_invalid(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_counts c;
	struct gev bad;

	(void)state;
	apply(gt, ev_create(10, 3, 1));
	apply(gt, ev_state(10, 3, XG_G_DEAD, XG_G_WAITING));	 /* parked creation: no mismatch */
	apply(gt, ev_state(20, 3, XG_G_RUNNABLE, XG_G_RUNNING)); /* waiting -> runnable missed */
	bad = ev_state(30, 3, XG_G_RUNNING, GT_NSTATES);
	apply(gt, bad);
	bad = ev_state(30, 3, XG_G_RUNNING, XG_G_RUNNABLE);
	bad.kind = (enum gev_kind)(GEV_KIND_MAX + 1);
	apply(gt, bad);
	gtable__counts(gt, &c);
	assert_int_equal(c.from_mismatch, 1);
	assert_int_equal(c.invalid, 2);
	assert_int_equal(c.events, 3);
	assert_int_equal(gtable__find(gt, PID, 3)->state, XG_G_RUNNING);
	assert_int_equal(ns_in(gtable__find(gt, PID, 3), XG_G_WAITING), 10);
	gtable__free(gt);
}

static void test_exit_and_expire(void **state)
{
	struct gtable_opts opts = {.keep_exited_ns = 1000};
	struct gtable *gt = gtable__new(&opts);
	struct gtable_counts c;

	(void)state;
	apply(gt, ev_create(100, 1, 0));
	apply(gt, ev_create(100, 2, 0));
	apply(gt, ev_create(100, 3, 0));
	/* Exits out of order across goroutines: expiry still goes by exit time. */
	apply(gt, ev_exit(3000, 1));
	apply(gt, ev_exit(2000, 2));
	apply(gt, ev_exit(2000, 2)); /* duplicate: ignored */
	gtable__counts(gt, &c);
	assert_int_equal(c.exited, 2);
	assert_int_equal(c.live, 1);

	gtable__expire(gt, 2500);
	assert_int_equal(gtable__size(gt), 3);
	gtable__expire(gt, 3000); /* exited exactly keep ago: kept */
	assert_int_equal(gtable__size(gt), 3);
	gtable__expire(gt, 3001);
	assert_int_equal(gtable__size(gt), 2);
	assert_null(gtable__find(gt, PID, 2));
	assert_non_null(gtable__find(gt, PID, 1));
	check_counts(gt);
	gtable__expire(gt, 100000);
	assert_int_equal(gtable__size(gt), 1);
	assert_null(gtable__find(gt, PID, 1));
	assert_non_null(gtable__find(gt, PID, 3));
	gtable__counts(gt, &c);
	assert_int_equal(c.expired, 2);
	assert_int_equal(c.live, 1);
	assert_int_equal(c.by_state[XG_G_RUNNABLE], 1);
	check_counts(gt);

	/* The default keeps exited goroutines for 30 s. */
	gtable__free(gt);
	gt = gtable__new(NULL);
	apply(gt, ev_exit(1000, 1));
	gtable__expire(gt, 1000 + 30000000000ull);
	assert_int_equal(gtable__size(gt), 1);
	gtable__expire(gt, 1001 + 30000000000ull);
	assert_int_equal(gtable__size(gt), 0);
	gtable__free(gt);
}

static void test_span_ring(void **state)
{
	struct gtable_opts opts = {.max_spans = 5};
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	uint8_t st = XG_G_RUNNABLE;
	uint32_t i;

	(void)state;
	apply(gt, ev_create(0, 1, 0));
	e = gtable__find(gt, PID, 1);
	/* The open span is the entry's own: no ring until it changes state. */
	assert_null(e->hist);
	assert_int_equal(e->span_cap, 0);
	assert_int_equal(e->n_spans, 1);
	apply(gt, ev_state(5, 1, XG_G_RUNNABLE, XG_G_RUNNABLE));
	assert_int_equal(e->span_cap, 4); /* then small until needed */
	for (i = 1; i <= 40; i++) {
		uint8_t to = st == XG_G_RUNNING ? XG_G_RUNNABLE : XG_G_RUNNING;

		apply(gt, ev_state(i * 10, 1, st, to));
		st = to;
	}
	assert_int_equal(e->span_cap, 15); /* closed spans: max_spans less the open one */
	assert_int_equal(e->n_spans, 16);
	for (i = 0; i < 16; i++) {
		uint32_t n = 25 + i; /* the last 16 of 41 spans */

		assert_int_equal(sp(e, i).start, n * 10);
		assert_int_equal(sp(e, i).state, n % 2 ? XG_G_RUNNING : XG_G_RUNNABLE);
	}
	gtable__free(gt);

	gt = gtable__new(&opts);
	apply(gt, ev_create(0, 1, 0));
	for (i = 1; i <= 6; i++)
		apply(gt, ev_state(i * 10, 1, XG_G_RUNNABLE, XG_G_RUNNABLE));
	e = gtable__find(gt, PID, 1);
	assert_int_equal(e->span_cap, 4);
	assert_int_equal(e->n_spans, 5);
	assert_int_equal(sp(e, 0).start, 20);
	assert_int_equal(sp(e, 4).start, 60);
	gtable__free(gt);
}

static bool keep_waiting(const struct gentry *e, void *ctx)
{
	(void)ctx;
	return e->state == XG_G_WAITING;
}

static int by_goid_desc(const struct gentry *a, const struct gentry *b, void *ctx)
{
	(void)ctx;
	return a->goid < b->goid ? 1 : a->goid > b->goid ? -1 : 0;
}

static int by_state(const struct gentry *a, const struct gentry *b, void *ctx)
{
	(void)ctx;
	return (int)a->state - (int)b->state;
}

static void test_snapshot(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_view view = {0};
	struct gev ev;
	uint64_t g;
	size_t i;

	(void)state;
	for (g = 1; g <= 100; g++) {
		ev = ev_create(g, (g * 37) % 101, 0);
		ev.pid = g % 2 ? PID : PID - 1;
		apply(gt, ev);
		if (g % 3 == 0) {
			ev = ev_state(g + 1, ev.goid, XG_G_RUNNABLE, XG_G_WAITING);
			ev.pid = g % 2 ? PID : PID - 1;
			apply(gt, ev);
		}
	}
	assert_int_equal(gtable__snapshot(gt, &view, NULL, NULL, NULL), 0);
	assert_int_equal(view.n, 100);
	for (i = 1; i < view.n; i++)
		assert_true(view.v[i - 1]->pid < view.v[i]->pid ||
			    (view.v[i - 1]->pid == view.v[i]->pid &&
			     view.v[i - 1]->goid < view.v[i]->goid));

	assert_int_equal(gtable__snapshot(gt, &view, keep_waiting, by_goid_desc, NULL), 0);
	assert_int_equal(view.n, 33);
	for (i = 0; i < view.n; i++)
		assert_int_equal(view.v[i]->state, XG_G_WAITING);
	for (i = 1; i < view.n; i++)
		assert_true(view.v[i - 1]->goid >= view.v[i]->goid);

	/* Ties on the key fall back to (pid, goid). */
	assert_int_equal(gtable__snapshot(gt, &view, NULL, by_state, NULL), 0);
	assert_int_equal(view.n, 100);
	for (i = 1; i < view.n; i++) {
		const struct gentry *a = view.v[i - 1], *b = view.v[i];

		assert_true(a->state <= b->state);
		if (a->state == b->state)
			assert_true(a->pid < b->pid || (a->pid == b->pid && a->goid < b->goid));
	}
	gtable_view__release(&view);
	assert_null(view.v);
	gtable__free(gt);
}

#define MANY 200000u

static void test_many_goroutines(void **state)
{
	struct gtable_opts opts = {.keep_exited_ns = 10};
	struct gtable *gt = gtable__new(&opts);
	struct gtable_counts c;
	const struct gentry *e;
	uint64_t g;

	(void)state;
	for (g = 1; g <= MANY; g++) {
		apply(gt, ev_create(g, g, g / 2));
		apply(gt, ev_state(g, g, XG_G_DEAD, XG_G_RUNNABLE));
		if (g % 4 == 0)
			apply(gt, ev_state(g + 1, g, XG_G_RUNNABLE, XG_G_RUNNING));
	}
	assert_int_equal(gtable__size(gt), MANY);
	gtable__counts(gt, &c);
	assert_int_equal(c.live, MANY);
	assert_int_equal(c.created, MANY);
	assert_int_equal(c.by_state[XG_G_RUNNING], MANY / 4);
	assert_int_equal(c.by_state[XG_G_RUNNABLE], MANY - MANY / 4);
	check_counts(gt);
	for (g = 1; g <= MANY; g++) {
		e = gtable__find(gt, PID, g);
		assert_non_null(e);
		assert_int_equal(e->goid, g);
		assert_int_equal(e->parent, g / 2);
	}
	assert_null(gtable__find(gt, PID, MANY + 1));
	assert_null(gtable__find(gt, PID, 0));

	/* Every odd goroutine exits; expiry drops them and only them. */
	for (g = 1; g <= MANY; g += 2)
		apply(gt, ev_exit(MANY + g, g));
	gtable__counts(gt, &c);
	assert_int_equal(c.live, MANY / 2);
	assert_int_equal(c.exited, MANY / 2);
	check_counts(gt);
	gtable__expire(gt, 3 * MANY);
	assert_int_equal(gtable__size(gt), MANY / 2);
	for (g = 1; g <= MANY; g++) {
		e = gtable__find(gt, PID, g);
		if (g % 2) {
			assert_null(e);
		} else {
			assert_non_null(e);
			assert_int_equal(e->goid, g);
		}
	}
	check_counts(gt);

	/* Freed slots are reused by newcomers; lookups stay exact. */
	for (g = MANY + 1; g <= MANY + MANY / 2; g++)
		apply(gt, ev_state(4 * MANY, g, XG_G_WAITING, XG_G_RUNNABLE));
	assert_int_equal(gtable__size(gt), MANY);
	for (g = 1; g <= MANY + MANY / 2; g++) {
		if (g <= MANY && g % 2)
			continue;
		e = gtable__find(gt, PID, g);
		assert_non_null(e);
		assert_int_equal(e->goid, g);
	}
	gtable__counts(gt, &c);
	assert_int_equal(c.live, MANY);
	assert_int_equal(c.expired, MANY / 2);
	check_counts(gt);
	gtable__free(gt);
}

/* A model of one goroutine, kept by the test next to the table. */
struct model {
	bool present;
	bool exited;
	uint8_t state;
	uint64_t since;
	uint64_t exited_ts;
	uint64_t ns[GT_NSTATES];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, the stream is the same on every run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

#define PROP_GOROUTINES 5000
#define PROP_EVENTS	400000

static void test_counts_property(void **state)
{
	static struct model m[2][PROP_GOROUTINES];
	struct gtable_opts opts = {.keep_exited_ns = 50000};
	struct gtable *gt = gtable__new(&opts);
	uint64_t now = 1000000, n_ooo = 0, n_events = 0;
	struct gtable_counts c;
	unsigned int i, p, s;

	(void)state;
	memset(m, 0, sizeof(m));
	for (i = 0; i < PROP_EVENTS; i++) {
		uint64_t r = rng(), goid = 1 + r % PROP_GOROUTINES;
		unsigned int pi = (r >> 20) & 1;
		struct model *g = &m[pi][goid - 1];
		uint64_t ts;
		struct gev ev;

		now += (r >> 24) % 64;
		ts = now;
		/* One event in 16 comes late, by up to 4 us. */
		if (((r >> 32) & 15) == 0 && ts > 4096)
			ts -= (r >> 40) % 4096;
		switch ((r >> 36) % 16) {
		case 0:
			ev = ev_create(ts, goid, 1);
			break;
		case 1:
			ev = ev_exit(ts, goid);
			break;
		default:
			ev = ev_state(ts, goid, g->present ? g->state : XG_G_WAITING,
				      (r >> 44) % GT_NSTATES);
			if (ev.to == XG_G_WAITING) {
				ev.reason = (r >> 50) % 40;
				ev.reason_str = ev.reason % 2 ? "select" : NULL;
			}
			break;
		}
		ev.pid = PID + pi;
		if (g->present && g->exited && ev.kind == GEV_CREATE)
			continue; /* goids are not reused while the entry exists */
		assert_int_equal(gtable__apply(gt, &ev), 0);
		n_events++;

		/* The model: the rules of docs/JSONL.md and gtable.h, written plainly. */
		if (!g->present) {
			memset(g, 0, sizeof(*g));
			g->present = true;
			g->since = ts;
			g->state = ev.kind == GEV_CREATE ? XG_G_RUNNABLE
				   : ev.kind == GEV_EXIT ? XG_G_DEAD
							 : ev.to;
			if (ev.kind == GEV_EXIT) {
				g->exited = true;
				g->exited_ts = ts;
			}
		} else if (ev.kind == GEV_STATE || (ev.kind == GEV_EXIT && !g->exited)) {
			uint8_t to = ev.kind == GEV_STATE ? ev.to : XG_G_DEAD;

			if (ts < g->since) {
				ts = g->since;
				n_ooo++;
			}
			if (!(ev.kind == GEV_EXIT && g->state == XG_G_DEAD)) {
				g->ns[g->state] += ts - g->since;
				g->state = to;
				g->since = ts;
			}
			if (ev.kind == GEV_EXIT) {
				g->exited = true;
				g->exited_ts = ts;
			}
		}

		if (i % 5000 == 0) {
			gtable__expire(gt, now);
			for (p = 0; p < 2; p++)
				for (goid = 0; goid < PROP_GOROUTINES; goid++)
					if (m[p][goid].present && m[p][goid].exited &&
					    now - m[p][goid].exited_ts > opts.keep_exited_ns)
						m[p][goid].present = false;
			check_counts(gt);
		}
	}
	check_counts(gt);
	gtable__counts(gt, &c);
	assert_int_equal(c.events, n_events);
	assert_int_equal(c.out_of_order, n_ooo);
	for (p = 0; p < 2; p++) {
		for (i = 0; i < PROP_GOROUTINES; i++) {
			const struct gentry *e = gtable__find(gt, PID + p, i + 1);
			const struct model *g = &m[p][i];

			if (!g->present) {
				assert_null(e);
				continue;
			}
			assert_non_null(e);
			assert_int_equal(e->state, g->state);
			assert_int_equal(e->state_since, g->since);
			assert_int_equal(!!e->exited_ts, g->exited);
			for (s = 0; s < GT_NSTATES; s++)
				assert_int_equal(ns_in(e, s), g->ns[s]);
			if (e->state == XG_G_WAITING && !g->exited)
				assert_true(e->reason >= 0);
			else if (e->state != XG_G_WAITING)
				assert_int_equal(e->reason, GEV_NO_REASON);
		}
	}
	gtable__free(gt);
}

static int same_entry(const struct gentry *a, void *ctx)
{
	const struct gentry *b = gtable__find(ctx, a->pid, a->goid);
	uint32_t i;

	assert_non_null(b);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->state_since, b->state_since);
	assert_int_equal(a->created_ts, b->created_ts);
	assert_int_equal(a->exited_ts, b->exited_ts);
	assert_int_equal(a->transitions, b->transitions);
	assert_int_equal(a->reason, b->reason);
	for (i = 0; i < GT_NSTATES; i++)
		assert_int_equal(ns_in(a, i), ns_in(b, i));
	assert_int_equal(a->n_spans, b->n_spans);
	for (i = 0; i < a->n_spans; i++) {
		assert_int_equal(sp(a, i).start, sp(b, i).start);
		assert_int_equal(sp(a, i).state, sp(b, i).state);
	}
	return 0;
}

/* apply_batch is apply in a loop, with prefetching: the same stream gives the same table. */
static void test_batch_equivalence(void **state)
{
	enum { N = 300000, G = 3000 };
	struct gev *evs = calloc(N, sizeof(*evs));
	struct gtable *one = gtable__new(NULL), *many = gtable__new(NULL);
	struct gtable_counts c1, c2;
	size_t i, done = 0;

	(void)state;
	assert_non_null(evs);
	for (i = 0; i < N; i++) {
		uint64_t r = rng(), goid = 1 + r % G;

		switch ((r >> 32) % 32) {
		case 0:
			evs[i] = ev_create(i, goid, 1);
			break;
		case 1:
			evs[i] = ev_exit(i, goid);
			break;
		default:
			evs[i] = ev_state(i - (r >> 40) % 3, goid, (r >> 44) % GT_NSTATES,
					  (r >> 48) % GT_NSTATES);
			break;
		}
		evs[i].pid = PID + (r >> 52) % 3;
	}
	for (i = 0; i < N; i++)
		apply(one, evs[i]);
	assert_int_equal(gtable__apply_batch(many, evs, N / 2, &done), 0);
	assert_int_equal(done, N / 2);
	assert_int_equal(gtable__apply_batch(many, evs + N / 2, N - N / 2, NULL), 0);
	assert_int_equal(gtable__apply_batch(many, evs, 0, &done), 0);
	assert_int_equal(done, 0);

	gtable__counts(one, &c1);
	gtable__counts(many, &c2);
	assert_memory_equal(&c1, &c2, sizeof(c1));
	assert_int_equal(gtable__size(one), gtable__size(many));
	assert_int_equal(gtable__for_each(one, same_entry, many), 0);
	check_counts(many);
	gtable__free(one);
	gtable__free(many);
	free(evs);
}

static struct gev ev_alloc(uint64_t ts, uint64_t goid, uint8_t kind, uint64_t size)
{
	struct gev ev = {.kind = GEV_ALLOC, .ts = ts, .pid = PID, .tid = 7, .goid = goid};

	ev.reason = GEV_NO_REASON;
	ev.alloc.kind = kind;
	ev.alloc.size = size;
	return ev;
}

/*
 * A goroutine that gets an extension early (allocations, off-CPU time in a
 * running span) and then changes state often enough to reach the largest
 * ring, and to overflow it: its extension moves into that ring's block, and
 * every total, counter and span share comes out as in a table whose ring
 * never fills.
 */
static void test_ext_in_last_ring(void **state)
{
	struct gtable_opts small = {.max_spans = 16}, big = {.max_spans = 1024};
	struct gtable *a = gtable__new(&small), *b = gtable__new(&big);
	struct gtable *both[2] = {a, b};
	uint64_t ta[GT_NSTATES], tb[GT_NSTATES], oa[2], ob[2], ba, bb, na, nb;
	const struct gentry *ea, *eb;
	uint8_t st = XG_G_RUNNABLE;
	int i, k;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (k = 0; k < 2; k++) {
		struct gev cpu = {.kind = GEV_CPU, .ts = 0, .pid = PID, .tid = 7, .goid = 9};

		apply(both[k], ev_create(1000, 9, 1));
		apply(both[k], ev_alloc(1500, 9, XG_AK_OBJECT, 64));
		for (i = 0; i < 60; i++) {
			uint8_t to = st == XG_G_RUNNING	  ? XG_G_WAITING
				     : st == XG_G_WAITING ? XG_G_RUNNABLE
							  : XG_G_RUNNING;

			apply(both[k], ev_state(2000 + (uint64_t)i * 1000, 9, st, to));
			st = to;
			if (to == XG_G_RUNNING && i % 4 == 2) {
				/* 300 of the running span's 1000 ns off the CPU: a 30% share. */
				cpu.ts = 2000 + (uint64_t)i * 1000 + 500;
				cpu.reason = GEV_NO_REASON;
				cpu.cpu.what = GEV_CPU_PREEMPTED;
				cpu.cpu.a = 300;
				apply(both[k], cpu);
			}
			if (i % 7 == 3)
				apply(both[k], ev_alloc(2000 + (uint64_t)i * 1000 + 10, 9,
							XG_AK_SLICE, 100 + (uint64_t)i));
		}
		st = XG_G_RUNNABLE;
	}
	ea = gtable__find(a, PID, 9);
	eb = gtable__find(b, PID, 9);
	assert_non_null(ea);
	assert_non_null(eb);
	assert_int_equal(ea->span_cap, 15);
	assert_true(eb->n_spans > 16);
	gentry__totals(ea, ta);
	gentry__totals(eb, tb);
	assert_memory_equal(ta, tb, sizeof(ta));
	gentry__offcpu(ea, oa);
	gentry__offcpu(eb, ob);
	assert_int_equal(oa[0], ob[0]);
	assert_int_equal(oa[0], 300 * 5);
	gentry__alloc(ea, &ba, &na);
	gentry__alloc(eb, &bb, &nb);
	assert_int_equal(ba, bb);
	assert_int_equal(na, nb);
	assert_int_equal(na, 1 + 9);
	assert_int_equal(gentry__cpu_ns(ea, 70000), gentry__cpu_ns(eb, 70000));
	/* The kept spans are the newest of the big table's, shares included. */
	for (i = 0; i < ea->n_spans; i++) {
		struct gstate_span x = sp(ea, (uint32_t)i),
				   y = sp(eb, eb->n_spans - ea->n_spans + (uint32_t)i);

		assert_int_equal(x.start, y.start);
		assert_int_equal(x.state, y.state);
		assert_int_equal(x.off_pct, y.off_pct);
	}
	/* A copy (the UI's) reads the same. */
	{
		struct gentry c;
		void *buf = malloc(gentry__copy_size(ea));

		assert_non_null(buf);
		gentry__copy(&c, ea, buf);
		gentry__totals(&c, tb);
		assert_memory_equal(ta, tb, sizeof(ta));
		gentry__alloc(&c, &bb, &nb);
		assert_int_equal(ba, bb);
		free(buf);
	}
	/* Expired and freed: no leak under ASan/valgrind, the block's extension is not freed apart.
	 */
	apply(a, ev_exit(80000, 9));
	apply(b, ev_exit(80000, 9));
	gtable__free(a);
	gtable__free(b);
}

static int find_group(const struct gtable_group *g, void *ctx)
{
	const struct gtable_group **out = ctx;

	if (g->func && !strcmp(g->func, (*out)->func)) {
		*out = g;
		return 1;
	}
	return 0;
}

static void test_allocations(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_alloc_totals t;
	struct gtable_group key = {.func = "main.worker"};
	const struct gtable_group *g = &key;
	const struct gentry *e;
	uint64_t bytes, objects;

	(void)state;
	assert_int_equal(gtable__alloc_totals(gt, 0, &t), -ENODATA);
	apply(gt, ev_create(100, 18, 1));
	apply(gt, ev_state(110, 18, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_alloc(120, 18, XG_AK_SLICE, 192));
	apply(gt, ev_alloc(130, 18, XG_AK_OBJECT, 24));
	apply(gt, ev_alloc(140, 0, XG_AK_OBJECT, 2024));
	e = gtable__find(gt, PID, 18);
	gentry__alloc(e, &bytes, &objects);
	assert_int_equal(bytes, 216);
	assert_int_equal(objects, 2);
	assert_int_equal(gtable__alloc_totals(gt, PID, &t), 0);
	assert_int_equal(t.events, 3);
	assert_int_equal(t.total_bytes, 2240);
	assert_int_equal(t.unattributed, 1);
	assert_int_equal(t.count[XG_AK_OBJECT], 2);
	assert_int_equal(t.bytes[XG_AK_SLICE], 192);
	assert_int_equal(gtable__alloc_totals(gt, PID + 1, &t), -ENODATA);
	assert_int_equal(gtable__for_each_group(gt, find_group, &g), 1);
	assert_int_equal(g->alloc_bytes, 216);
	assert_int_equal(g->alloc_objects, 2);
	/* An allocating goroutine never seen before is running. */
	apply(gt, ev_alloc(150, 99, XG_AK_MAP, 48));
	e = gtable__find(gt, PID, 99);
	assert_non_null(e);
	assert_int_equal(e->state, XG_G_RUNNING);
	assert_int_equal(e->state_since, 150);
	assert_null(e->group->func);
	check_counts(gt);
	gtable__free(gt);
}

static void test_alloc_hist(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_alloc_hist h;
	struct gev ev = {.kind = GEV_ALLOC_HIST, .ts = 100, .pid = PID};

	(void)state;
	assert_int_equal(gtable__alloc_hist(gt, 0, &h), -ENODATA);
	ev.hist.bucket = 3;
	ev.hist.class_size = 24;
	ev.hist.count = 10;
	ev.hist.bytes = 200;
	apply(gt, ev);
	ev.hist.count = 12;
	ev.hist.bytes = 240;
	apply(gt, ev);
	ev.pid = PID + 1;
	ev.hist.count = 1;
	ev.hist.bytes = 17;
	apply(gt, ev);
	ev.hist.bucket = XG_ALLOC_BUCKETS;
	apply(gt, ev);
	assert_int_equal(gtable__alloc_hist(gt, PID, &h), 0);
	assert_int_equal(h.count[3], 12);
	assert_int_equal(h.bytes[3], 240);
	assert_int_equal(h.size[3], 24);
	assert_int_equal(h.count[4], 0);
	assert_int_equal(gtable__alloc_hist(gt, 0, &h), 0);
	assert_int_equal(h.count[3], 13);
	assert_int_equal(h.bytes[3], 257);
	gtable__free(gt);
}

static struct gev ev_gc(uint64_t ts, uint8_t phase, uint32_t cycle)
{
	struct gev ev = {.kind = GEV_GC, .ts = ts, .pid = PID, .tid = 7, .goid = 1};

	ev.reason = GEV_NO_REASON;
	ev.gc.phase = phase;
	ev.gc.cycle = cycle;
	ev.gc.reason = GEV_NO_REASON;
	return ev;
}

static void test_gc_cycles(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_gc_cycle c[4];
	struct gtable_gc_totals t;
	struct gev ev;
	int n;

	(void)state;
	assert_int_equal(gtable__gc_cycles(gt, 0, c, 4), -ENODATA);
	assert_int_equal(gtable__gc_totals(gt, 0, &t), -ENODATA);
	apply(gt, ev_gc(1000, XG_GC_STW_START, 0));
	ev = ev_gc(1100, XG_GC_START, 1);
	ev.gc.trigger = 2;
	ev.gc.procs = 4;
	apply(gt, ev);
	ev = ev_gc(1300, XG_GC_STW_END, 1);
	ev.gc.dur_ns = 300;
	apply(gt, ev);
	/* In progress: the cycle is listed, without an end. */
	n = gtable__gc_cycles(gt, PID, c, 4);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].n, 1);
	assert_int_equal(c[0].start, 1000);
	assert_int_equal(c[0].end, 0);
	assert_int_equal(c[0].n_stw, 1);
	assert_int_equal(c[0].trigger, 2);
	assert_int_equal(c[0].procs, 4);
	apply(gt, ev_gc(6000, XG_GC_STW_START, 1));
	apply(gt, ev_gc(6100, XG_GC_MARK_TERM, 1));
	apply(gt, ev_gc(6200, XG_GC_SWEEP, 1));
	ev = ev_gc(6500, XG_GC_STW_END, 1);
	ev.gc.dur_ns = 500;
	apply(gt, ev);
	ev = ev_gc(6500, XG_GC_END, 1);
	ev.gc.dur_ns = 5500;
	ev.gc.n_stw = 2;
	ev.gc.stw_ns = 800;
	ev.gc.stw_max_ns = 500;
	ev.gc.mark_ns = 5000;
	apply(gt, ev);
	/* A pause outside any cycle. */
	apply(gt, ev_gc(9000, XG_GC_STW_START, 0));
	ev = ev_gc(9400, XG_GC_STW_END, 0);
	ev.gc.dur_ns = 400;
	apply(gt, ev);
	n = gtable__gc_cycles(gt, 0, c, 4);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].end, 6500);
	assert_int_equal(c[0].mark_end, 6100);
	assert_int_equal(c[0].n_stw, 2);
	assert_int_equal(c[0].stw_ns, 800);
	assert_int_equal(c[0].stw_max_ns, 500);
	assert_int_equal(c[0].mark_ns, 5000);
	assert_int_equal(gtable__gc_totals(gt, PID, &t), 0);
	assert_int_equal(t.cycles, 1);
	assert_int_equal(t.stw, 3);
	assert_int_equal(t.stw_ns, 1200);
	assert_int_equal(t.stw_max_ns, 500);
	assert_int_equal(t.gc_stw_ns, 800);
	assert_int_equal(t.mark_ns, 5000);
	gtable__free(gt);
}

static void test_gc_ring(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_gc_cycle c[8];
	uint32_t i;
	int n;

	(void)state;
	for (i = 1; i <= 300; i++) {
		uint64_t t = i * 1000;
		struct gev ev = ev_gc(t + 100, XG_GC_END, i);

		apply(gt, ev_gc(t, XG_GC_START, i));
		apply(gt, ev);
	}
	n = gtable__gc_cycles(gt, PID, c, 8);
	assert_int_equal(n, 8);
	/* The most recent, oldest first. */
	for (i = 0; i < 8; i++)
		assert_int_equal(c[i].n, 293 + i);
	gtable__free(gt);
}

static void test_cpu_and_pm(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	struct gev ev;

	(void)state;
	apply(gt, ev_create(0, 5, 1));
	e = gtable__find(gt, PID, 5);
	assert_int_equal(e->last_p, -1);
	assert_int_equal(e->last_m, -1);
	ev = ev_state(100, 5, XG_G_RUNNABLE, XG_G_RUNNING);
	ev.has_pm = true;
	ev.p = 1;
	ev.m = 3;
	apply(gt, ev);
	assert_int_equal(e->last_p, 1);
	assert_int_equal(e->last_m, 3);
	gtable__interval(gt, 600);
	assert_int_equal(gtable__interval_ns(gt), 0);
	assert_int_equal(gentry__cpu_recent_ns(e), 500);
	apply(gt, ev_state(800, 5, XG_G_RUNNING, XG_G_RUNNABLE));
	apply(gt, ev_state(900, 5, XG_G_RUNNABLE, XG_G_RUNNING));
	gtable__interval(gt, 1600);
	assert_int_equal(gtable__interval_ns(gt), 1000);
	/* 600..800 and 900..1600. */
	assert_int_equal(gentry__cpu_recent_ns(e), 900);
	assert_int_equal(gentry__cpu_ns(e, 1600), 1400);
	assert_int_equal(e->last_p, 1);
	apply(gt, ev_exit(2000, 5));
	gtable__interval(gt, 5000);
	assert_int_equal(gentry__cpu_recent_ns(e), 400);
	assert_int_equal(gentry__cpu_ns(e, 5000), 1800);
	gtable__free(gt);
}

/*
 * Goroutines added running (found so at attach, first seen by a state event
 * or an allocation) have not changed state, yet their CPU time moves: the
 * history block that keeps their interval's mark is theirs from the start.
 * One found parked has none, and its recent CPU time reads 0.
 */
static void test_cpu_added_running(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gev ev = ev_create(100, 1, 0);
	const struct gentry *a, *b, *c, *d;

	(void)state;
	ev.existing = true;
	ev.to = XG_G_RUNNING;
	apply(gt, ev);
	apply(gt, ev_state(200, 2, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_alloc(300, 3, 0, 64));
	ev = ev_create(100, 4, 0);
	ev.existing = true;
	ev.to = XG_G_WAITING;
	apply(gt, ev);
	a = gtable__find(gt, PID, 1);
	b = gtable__find(gt, PID, 2);
	c = gtable__find(gt, PID, 3);
	d = gtable__find(gt, PID, 4);
	assert_non_null(a->hist);
	assert_non_null(b->hist);
	assert_non_null(c->hist);
	assert_null(d->hist);
	gtable__interval(gt, 1000);
	assert_int_equal(gentry__cpu_recent_ns(a), 900);
	assert_int_equal(gentry__cpu_recent_ns(b), 800);
	assert_int_equal(gentry__cpu_recent_ns(c), 700);
	assert_int_equal(gentry__cpu_recent_ns(d), 0);
	apply(gt, ev_state(1500, 1, XG_G_RUNNING, XG_G_WAITING));
	gtable__interval(gt, 3000);
	assert_int_equal(gentry__cpu_recent_ns(a), 500);
	assert_int_equal(gentry__cpu_recent_ns(b), 2000);
	assert_int_equal(gentry__cpu_recent_ns(d), 0);
	assert_null(d->hist);
	gtable__interval(gt, 4000);
	assert_int_equal(gentry__cpu_recent_ns(a), 0);
	gtable__free(gt);
}

static void test_lifetimes_and_groups(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_lifetime_hist h;
	struct gtable_group key = {.func = "main.worker"};
	const struct gtable_group *g = &key;
	static char other[] = "main.worker"; /* same text, another pointer */
	struct gev ev;

	(void)state;
	apply(gt, ev_create(1000, 1, 0));
	apply(gt, ev_state(1000, 1, XG_G_DEAD, XG_G_RUNNABLE));
	apply(gt, ev_state(1001, 1, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_state(1003, 1, XG_G_RUNNING, XG_G_DEAD));
	apply(gt, ev_exit(1003, 1)); /* 3 ns: bucket 1 */
	ev = ev_create(2000, 2, 0);
	ev.func = other;
	apply(gt, ev);
	apply(gt, ev_exit(2000 + 1000000, 2)); /* 1 ms: bucket 19 */
	apply(gt, ev_create(3000, 3, 0));
	apply(gt, ev_state(3100, 3, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_state(3200, 3, XG_G_RUNNING, XG_G_WAITING));
	ev = ev_create(4000, 4, 0);
	ev.func = "main.other";
	apply(gt, ev);
	/* Existed before tracing: no creation, its lifetime is unknown. */
	apply(gt, ev_state(5000, 9, XG_G_WAITING, XG_G_RUNNABLE));
	apply(gt, ev_exit(6000, 9));
	gtable__lifetime_hist(gt, &h);
	assert_int_equal(h.total, 2);
	assert_int_equal(h.count[1], 1);
	assert_int_equal(h.count[19], 1);
	assert_int_equal(gtable__n_groups(gt), 3); /* main.worker, main.other, unknown */
	assert_int_equal(gtable__for_each_group(gt, find_group, &g), 1);
	assert_int_equal(g->created, 3);
	assert_int_equal(g->exited, 2);
	assert_int_equal(g->live, 1);
	assert_int_equal(g->by_state[XG_G_WAITING], 1);
	assert_int_equal(g->cpu_exited_ns, 2);
	check_counts(gt);
	gtable__free(gt);
}

static void test_free_null(void **state)
{
	(void)state;
	gtable__free(NULL);
}

/* Life of goroutine GOID: created at TS, runs, exits at TS + 30 + EXTRA. */
static void live_then_exit(struct gtable *gt, uint64_t ts, uint64_t goid, uint64_t extra)
{
	apply(gt, ev_create(ts, goid, 1));
	apply(gt, ev_state(ts + 10, goid, XG_G_DEAD, XG_G_RUNNABLE));
	apply(gt, ev_state(ts + 20, goid, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_exit(ts + 30 + extra, goid));
}

static bool kept(const struct gtable *gt, uint64_t goid)
{
	return gtable__find(gt, PID, goid) != NULL;
}

static int group_sum(const struct gtable_group *g, void *ctx)
{
	uint64_t *sum = ctx;

	sum[0] += g->created;
	sum[1] += g->exited;
	sum[2] += g->live;
	return 0;
}

static void test_cap_exited_count(void **state)
{
	struct gtable_opts opts = {.max_exited = 3};
	/* Exit order (by ts) differs from goid order; goroutine 9 exits late but stamped early. */
	static const uint64_t order[] = {5, 2, 8, 1, 7, 3};
	struct gtable *gt = gtable__new(&opts);
	struct gtable_counts c;
	uint64_t i, sum[3] = {0};

	(void)state;
	/* Goroutines 100..109 stay alive, parked or running, throughout. */
	for (i = 100; i < 110; i++) {
		apply(gt, ev_create(1, i, 1));
		if (i % 2)
			apply(gt, ev_state(2, i, XG_G_DEAD, XG_G_WAITING));
	}
	for (i = 0; i < 6; i++)
		live_then_exit(gt, 1000, order[i], i * 100);
	gtable__counts(gt, &c);
	assert_int_equal(c.evicted, 3);
	assert_int_equal(c.exited_kept, 3);
	assert_int_equal(c.expired, 0);
	/* The three oldest exits left, in exit order; the three newest stay. */
	assert_false(kept(gt, 5));
	assert_false(kept(gt, 2));
	assert_false(kept(gt, 8));
	assert_true(kept(gt, 1));
	assert_true(kept(gt, 7));
	assert_true(kept(gt, 3));
	/* An exit older than every kept one is the oldest: it goes at once. */
	live_then_exit(gt, 10, 9, 0);
	assert_false(kept(gt, 9));
	gtable__counts(gt, &c);
	assert_int_equal(c.evicted, 4);
	/* Live goroutines are never evicted, whatever the cap. */
	for (i = 100; i < 110; i++)
		assert_true(kept(gt, i));
	assert_int_equal(gtable__size(gt), 10 + 3);
	/* What the goroutines did is still counted: creations, exits, groups. */
	assert_int_equal(c.live, 10);
	assert_int_equal(c.created, 17);
	assert_int_equal(c.exited, 7);
	assert_int_equal(c.by_state[XG_G_WAITING] + c.by_state[XG_G_RUNNABLE], 10);
	gtable__for_each_group(gt, group_sum, sum);
	assert_int_equal(sum[0], 17);
	assert_int_equal(sum[1], 7);
	assert_int_equal(sum[2], 10);
	/* Expiry then takes the rest by time, counted apart. */
	gtable__expire(gt, 2000 + 30000000000ull);
	gtable__counts(gt, &c);
	assert_int_equal(c.expired, 3);
	assert_int_equal(c.evicted, 4);
	assert_int_equal(c.exited_kept, 0);
	assert_int_equal(c.exited_kept_bytes, 0);
	assert_int_equal(gtable__size(gt), 10);
	gtable__free(gt);
}

static void test_cap_exited_bytes(void **state)
{
	struct gtable_opts opts = {0};
	struct gtable *gt = gtable__new(NULL);
	struct gtable_counts c;
	uint64_t one, i;

	(void)state;
	gtable__opts(gt, &opts);
	assert_int_equal(opts.max_exited, 100000);
	assert_int_equal(opts.max_exited_bytes, 64 << 20);
	live_then_exit(gt, 1000, 1, 0);
	gtable__counts(gt, &c);
	one = c.exited_kept_bytes;
	assert_true(one > 0);
	gtable__free(gt);

	/* Room for three and a half such goroutines: three stay. */
	memset(&opts, 0, sizeof(opts));
	opts.max_exited_bytes = one * 7 / 2;
	gt = gtable__new(&opts);
	for (i = 1; i <= 10; i++)
		live_then_exit(gt, 1000 + i * 100, i, 0);
	gtable__counts(gt, &c);
	assert_int_equal(c.exited_kept, 3);
	assert_int_equal(c.exited_kept_bytes, 3 * one);
	assert_int_equal(c.evicted, 7);
	for (i = 1; i <= 10; i++)
		assert_int_equal(kept(gt, i), i > 7);
	gtable__free(gt);
}

#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define XG_TEST_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define XG_TEST_ASAN 1
#endif
#endif

#ifdef XG_TEST_ASAN
/* The sanitizers' public allocator interface (compiler-rt's sanitizer/allocator_interface.h). */
size_t __sanitizer_get_current_allocated_bytes(void);

/*
 * ASan's allocator quarantines what is freed, so the RSS cannot come down:
 * what it counts as allocated and not freed can. That is the malloc'd part
 * of the table (history blocks of 40 bytes, index, exit queue: 7.4 MiB
 * here); its pool chunks are mapped apart and not counted (the RSS build
 * checks them).
 */
#define HELD_GROWN_MIB 5
static double held_mib(void)
{
	return (double)__sanitizer_get_current_allocated_bytes() / (1 << 20);
}
#else
/* The RSS: freed, and given back to the system (gtable__expire's malloc_trim). */
#define HELD_GROWN_MIB 20
static double held_mib(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &res), 2);
	fclose(f);
	return (double)res * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}
#endif

/* Memory the churn took comes back once its goroutines have expired. */
static void test_memory_returned(void **state)
{
	struct gtable *gt;
	double before, grown, after;
	uint64_t i;

	(void)state;
	gt = gtable__new(NULL);
	before = held_mib();
	for (i = 1; i <= 90000; i++)
		live_then_exit(gt, 1000 + i, i, 0);
	for (i = 1; i <= 90000; i++)
		apply(gt, ev_create(200000, 1000000 + i, 1));
	grown = held_mib() - before;
	assert_true(grown > HELD_GROWN_MIB);
	gtable__expire(gt, 300000 + 30000000000ull);
	assert_int_equal(gtable__size(gt), 90000);
	for (i = 1; i <= 90000; i++)
		apply(gt, ev_exit(30000300000ull, 1000000 + i));
	gtable__expire(gt, 30000300000ull + 30000000001ull);
	assert_int_equal(gtable__size(gt), 0);
	after = held_mib() - before;
	/* Most of it: a chunk and the heap's top may stay. */
	assert_true(after < grown / 4);
	/* And the table works as before. */
	live_then_exit(gt, 40000000000ull, 7, 0);
	assert_true(kept(gt, 7));
	gtable__free(gt);
}

/* A goroutine found parked has no history block, yet reads like any other. */
static void test_parked_reads(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gev ev = ev_create(500, 3, 1);
	const struct gentry *e;
	unsigned int s;

	(void)state;
	ev.existing = true;
	ev.to = XG_G_WAITING;
	ev.reason = 2;
	ev.reason_str = "chan receive";
	apply(gt, ev);
	e = gtable__find(gt, PID, 3);
	assert_null(e->hist); /* parked: no history block */
	for (s = 0; s < GT_NSTATES; s++)
		assert_int_equal(ns_in(e, s), 0);
	assert_int_equal(gentry__time_in(e, XG_G_WAITING, 800), 300);
	assert_int_equal(e->n_spans, 1);
	assert_int_equal(sp(e, 0).start, 500);
	assert_int_equal(sp(e, 0).state, XG_G_WAITING);
	assert_int_equal(e->reason, 2);
	/* Its first change moves the inline span into the ring: nothing lost. */
	apply(gt, ev_state(900, 3, XG_G_WAITING, XG_G_RUNNABLE));
	assert_int_equal(ns_in(e, XG_G_WAITING), 400);
	assert_int_equal(e->n_spans, 2);
	assert_int_equal(sp(e, 0).start, 500);
	assert_int_equal(sp(e, 1).start, 900);
	assert_int_equal(sp(e, 1).state, XG_G_RUNNABLE);
	gtable__free(gt);
}

/*
 * The history's limits: a span starting more than 2^53 ns (104 days) after
 * the goroutine was first seen cannot be packed, and max_spans 1 keeps no
 * closed span. Totals stay exact either way; the kept spans are what fits.
 */
static void test_history_limits(void **state)
{
	struct gtable_opts one = {.max_spans = 1};
	struct gtable *gt = gtable__new(NULL);
	uint64_t far = 1ull << 54;
	const struct gentry *e;
	int i;

	(void)state;
	apply(gt, ev_create(100, 1, 0));
	apply(gt, ev_state(300, 1, XG_G_RUNNABLE, XG_G_RUNNING));
	apply(gt, ev_state(far, 1, XG_G_RUNNING, XG_G_WAITING));
	e = gtable__find(gt, PID, 1);
	assert_int_equal(e->n_spans, 3);
	/* Closes the span that starts at FAR: the history restarts after it. */
	apply(gt, ev_state(far + 50, 1, XG_G_WAITING, XG_G_RUNNING));
	assert_int_equal(e->n_spans, 1);
	assert_int_equal(sp(e, 0).start, far + 50);
	assert_int_equal(sp(e, 0).state, XG_G_RUNNING);
	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 200);
	assert_int_equal(ns_in(e, XG_G_RUNNING), far - 300);
	assert_int_equal(ns_in(e, XG_G_WAITING), 50);
	assert_int_equal(gentry__time_in(e, XG_G_RUNNING, far + 60), far - 300 + 10);
	apply(gt, ev_state(far + 70, 1, XG_G_RUNNING, XG_G_WAITING));
	assert_int_equal(ns_in(e, XG_G_RUNNING), far - 300 + 20);
	gtable__free(gt);

	gt = gtable__new(&one);
	apply(gt, ev_create(0, 1, 0));
	for (i = 1; i <= 5; i++)
		apply(gt, ev_state((uint64_t)i * 10, 1, i % 2 ? XG_G_RUNNABLE : XG_G_RUNNING,
				   i % 2 ? XG_G_RUNNING : XG_G_RUNNABLE));
	e = gtable__find(gt, PID, 1);
	assert_int_equal(e->n_spans, 1);
	assert_int_equal(sp(e, 0).start, 50);
	assert_int_equal(ns_in(e, XG_G_RUNNABLE), 30);
	assert_int_equal(ns_in(e, XG_G_RUNNING), 20);
	gtable__free(gt);
}

/* A copy (a paused view) reads as its original did, after the original is gone. */
static void test_entry_copy(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gev cpu = {.kind = GEV_CPU,
			  .ts = 70,
			  .pid = PID,
			  .goid = 1,
			  .reason = GEV_NO_REASON,
			  .cpu = {.what = GEV_CPU_PREEMPTED, .a = 5}};
	struct gev al = {.kind = GEV_ALLOC,
			 .ts = 80,
			 .pid = PID,
			 .goid = 1,
			 .reason = GEV_NO_REASON,
			 .alloc = {.size = 48}};
	uint64_t want[GT_NSTATES], off[2], bytes, objects, buf[64];
	struct gstate_span spans[32];
	struct gentry d;
	uint32_t i, n;
	int k;

	(void)state;
	apply(gt, ev_create(0, 1, 0));
	for (k = 1; k <= 20; k++)
		apply(gt, ev_state((uint64_t)k * 10, 1, k % 2 ? XG_G_RUNNABLE : XG_G_RUNNING,
				   k % 2 ? XG_G_RUNNING : XG_G_RUNNABLE));
	apply(gt, ev_state(205, 1, XG_G_RUNNABLE, XG_G_RUNNING));
	cpu.ts = 207;
	apply(gt, cpu);
	al.ts = 208;
	apply(gt, al);
	assert_true(gentry__copy_size(gtable__find(gt, PID, 1)) <= sizeof(buf));
	gentry__copy(&d, gtable__find(gt, PID, 1), buf);
	n = d.n_spans;
	assert_int_equal(n, 16);
	for (i = 0; i < n; i++)
		spans[i] = sp(gtable__find(gt, PID, 1), i);
	gentry__totals(gtable__find(gt, PID, 1), want);
	gtable__free(gt);

	for (i = 0; i < n; i++) {
		assert_int_equal(sp(&d, i).start, spans[i].start);
		assert_int_equal(sp(&d, i).state, spans[i].state);
	}
	for (k = 0; k < GT_NSTATES; k++)
		assert_int_equal(ns_in(&d, (unsigned int)k), want[k]);
	assert_int_equal(want[XG_G_RUNNING], 100);
	assert_int_equal(want[XG_G_RUNNABLE], 105);
	gentry__offcpu(&d, off);
	assert_int_equal(off[0], 2); /* at most the 2 ns it had been running */
	gentry__alloc(&d, &bytes, &objects);
	assert_int_equal(bytes, 48);
	assert_int_equal(objects, 1);
}

/*
 * gtable__interval visits only the goroutines whose CPU time can have
 * moved: after random events (creations, changes in and out of running
 * across marks, off-CPU time, allocations, exits, expiry and slot reuse,
 * chunks unmapped and mapped again, forget), every entry must read as a
 * pass over the whole table (gtable__interval_full) fed the same says.
 */
struct ivl_pair {
	struct gtable *inc, *ref;
	uint64_t now, next_goid;
	unsigned int seed;
};

static void ivl_apply(struct ivl_pair *p, struct gev ev)
{
	apply(p->inc, ev);
	apply(p->ref, ev);
}

struct ivl_cmp {
	const struct gtable *ref;
	size_t n;
};

static int ivl_same(const struct gentry *e, void *ctx)
{
	struct ivl_cmp *c = ctx;
	const struct gentry *r = gtable__find(c->ref, e->pid, e->goid);

	assert_non_null(r);
	if (gentry__cpu_recent_ns(e) != gentry__cpu_recent_ns(r) ||
	    (e->hist ? e->hist->cpu_mark_ns : 0) != (r->hist ? r->hist->cpu_mark_ns : 0))
		fail_msg("goid %llu: recent %llu mark %llu, a full pass says %llu %llu",
			 (unsigned long long)e->goid, (unsigned long long)gentry__cpu_recent_ns(e),
			 (unsigned long long)(e->hist ? e->hist->cpu_mark_ns : 0),
			 (unsigned long long)gentry__cpu_recent_ns(r),
			 (unsigned long long)(r->hist ? r->hist->cpu_mark_ns : 0));
	c->n++;
	return 0;
}

/* Close the interval in both and compare: how many entries were compared. */
static size_t ivl_check(struct ivl_pair *p, uint64_t now)
{
	struct ivl_cmp c = {.ref = p->ref};

	gtable__interval(p->inc, now);
	gtable__interval_full(p->ref, now);
	assert_int_equal(gtable__size(p->inc), gtable__size(p->ref));
	assert_int_equal(gtable__interval_ns(p->inc), gtable__interval_ns(p->ref));
	gtable__for_each(p->inc, ivl_same, &c);
	assert_int_equal(c.n, gtable__size(p->ref));
	return c.n;
}

static uint64_t ivl_pick(struct ivl_pair *p)
{
	return 1 + (uint64_t)rand_r(&p->seed) % (p->next_goid - 1);
}

static uint8_t ivl_state(struct ivl_pair *p)
{
	static const uint8_t to[] = {XG_G_RUNNING, XG_G_RUNNING, XG_G_RUNNABLE, XG_G_WAITING,
				     XG_G_SYSCALL};

	return to[rand_r(&p->seed) % 5];
}

/* A change of state of a known goroutine, exited ones too (late events). */
static void ivl_change(struct ivl_pair *p)
{
	uint64_t goid = ivl_pick(p);
	const struct gentry *e = gtable__find(p->inc, PID, goid);
	uint64_t ts = p->now;

	if (rand_r(&p->seed) % 16 == 0 && ts > 50)
		ts -= 50; /* out of order: clamped */
	ivl_apply(p, ev_state(ts, goid, e ? e->state : XG_G_RUNNABLE, ivl_state(p)));
}

static void ivl_cpu(struct ivl_pair *p)
{
	struct gev ev = {.kind = GEV_CPU, .ts = p->now, .pid = PID, .goid = ivl_pick(p)};

	ev.cpu.what = rand_r(&p->seed) % 2 ? GEV_CPU_PREEMPTED : GEV_CPU_BLOCKED;
	ev.cpu.a = (uint64_t)rand_r(&p->seed) % 400;
	ivl_apply(p, ev);
}

static void ivl_create(struct ivl_pair *p)
{
	struct gev ev = ev_create(p->now, p->next_goid++, 1);
	unsigned int how = (unsigned int)rand_r(&p->seed) % 4;

	if (how == 0) { /* found at attach, running */
		ev.existing = true;
		ev.to = XG_G_RUNNING;
	} else if (how == 1) { /* first heard of by an allocation: running */
		ev = (struct gev){.kind = GEV_ALLOC, .ts = p->now, .pid = PID, .goid = ev.goid};
		ev.alloc.size = 64;
	} else if (how == 2) { /* first heard of running */
		ev = ev_state(p->now, ev.goid, XG_G_RUNNABLE, XG_G_RUNNING);
	}
	ivl_apply(p, ev);
}

static bool ivl_keep_odd(uint32_t pid, uint64_t goid, void *ctx)
{
	(void)pid;
	(void)ctx;
	return goid % 7 != 3;
}

/* One random event, or an expiry, or a forget. */
static void ivl_step(struct ivl_pair *p)
{
	unsigned int r = (unsigned int)rand_r(&p->seed) % 100;

	p->now += 1 + (uint64_t)rand_r(&p->seed) % 200;
	if (r < 20 || p->next_goid < 3)
		ivl_create(p);
	else if (r < 70)
		ivl_change(p);
	else if (r < 82)
		ivl_cpu(p);
	else if (r < 94)
		ivl_apply(p, ev_exit(p->now, ivl_pick(p)));
	else if (r < 99) {
		gtable__expire(p->inc, p->now);
		gtable__expire(p->ref, p->now);
	} else {
		assert_int_equal(gtable__forget(p->inc, ivl_keep_odd, NULL),
				 gtable__forget(p->ref, ivl_keep_odd, NULL));
	}
}

/* Thousands of goroutines from FIRST on, running from now on. */
static void ivl_runners(struct ivl_pair *p, uint64_t first, uint64_t n)
{
	uint64_t g;

	for (g = first; g < first + n; g++) {
		ivl_apply(p, ev_state(++p->now, g, XG_G_RUNNABLE, XG_G_RUNNING));
		p->now += 3;
	}
}

static void ivl_leave(struct ivl_pair *p, uint64_t first, uint64_t n)
{
	uint64_t g;

	for (g = first; g < first + n; g++)
		ivl_apply(p, ev_exit(++p->now, g));
	p->now += 3000; /* past keep_exited_ns: all of them leave */
	gtable__expire(p->inc, p->now);
	gtable__expire(p->ref, p->now);
}

/*
 * A crowd that runs (listed), exits and leaves: its chunks are unmapped;
 * the next crowd, before any mark (or after one), maps them again.
 */
static void ivl_crowd(struct ivl_pair *p, bool mark_between)
{
	uint64_t n = 3 * 4096, first = p->next_goid;

	p->next_goid += 2 * n;
	ivl_runners(p, first, n);
	if (mark_between)
		ivl_check(p, p->now);
	ivl_leave(p, first, n);
	ivl_runners(p, first + n, n);
	ivl_check(p, p->now);
	ivl_leave(p, first + n, n);
}

static void test_interval_listed(void **state)
{
	/* Exited goroutines leave after 2000 ns: slots are reused within a few intervals. */
	struct gtable_opts o = {.keep_exited_ns = 2000, .max_exited = 300};
	struct ivl_pair p = {.now = 1000, .next_goid = 1, .seed = 18};
	size_t ran = 0;
	int round, k;

	(void)state;
	p.inc = gtable__new(&o);
	p.ref = gtable__new(&o);
	for (round = 0; round < 400; round++) {
		int n = rand_r(&p.seed) % 40;

		for (k = 0; k < n; k++)
			ivl_step(&p);
		if (round % 97 == 50)
			ivl_crowd(&p, round % 2);
		/* Now and then the clock goes back (a replay's seek) or stands still. */
		ran += ivl_check(&p, round % 53 == 7 ? p.now - 300 : p.now);
	}
	assert_true(ran > 1000);
	gtable__free(p.inc);
	gtable__free(p.ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_accounting),
		cmocka_unit_test(test_exit_closes_open_span),
		cmocka_unit_test(test_out_of_order_clamped),
		cmocka_unit_test(test_unknown_goroutine),
		cmocka_unit_test(test_mismatch_and_invalid),
		cmocka_unit_test(test_exit_and_expire),
		cmocka_unit_test(test_span_ring),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_many_goroutines),
		cmocka_unit_test(test_counts_property),
		cmocka_unit_test(test_batch_equivalence),
		cmocka_unit_test(test_allocations),
		cmocka_unit_test(test_alloc_hist),
		cmocka_unit_test(test_gc_cycles),
		cmocka_unit_test(test_gc_ring),
		cmocka_unit_test(test_cpu_and_pm),
		cmocka_unit_test(test_cpu_added_running),
		cmocka_unit_test(test_lifetimes_and_groups),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_cap_exited_count),
		cmocka_unit_test(test_cap_exited_bytes),
		cmocka_unit_test(test_memory_returned),
		cmocka_unit_test(test_parked_reads),
		cmocka_unit_test(test_history_limits),
		cmocka_unit_test(test_entry_copy),
		cmocka_unit_test(test_ext_in_last_ring),
		cmocka_unit_test(test_interval_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
