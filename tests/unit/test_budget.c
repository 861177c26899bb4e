// SPDX-License-Identifier: BSD-2-Clause
/*
 * --overhead-budget without a target: the price of each level, the floor
 * under which an idle program is never over budget, the choice of level,
 * how it is said (header, meter line, JSONL, the state table of a replay).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"
#include "gevent.h"
#include "gtable.h"
#include "jsonl.h"
#include "meters.h"

#define SEC 1000000000ull

static void test_level_names(void **state)
{
	(void)state;
	assert_string_equal(budget__level_name(CAPTURE_STATES), "states");
	assert_string_equal(budget__level_name(CAPTURE_ALL), "all");
	assert_string_equal(budget__level_name(CAPTURE_LIFECYCLE), "lifecycle");
	assert_string_equal(budget__level_name(CAPTURE_POLL), "poll");
	assert_string_equal(budget__level_name((enum capture_level)0), "unknown");
	assert_string_equal(budget__level_name((enum capture_level)9), "unknown");
}

static void test_hits(void **state)
{
	struct budget_rates r = {.creates_per_s = 1000, .changes_per_s = 100};

	(void)state;
	assert_true(budget__hits_per_s(CAPTURE_STATES, &r) == 6300);
	assert_true(budget__hits_per_s(CAPTURE_ALL, &r) == 6300);
	assert_true(budget__hits_per_s(CAPTURE_LIFECYCLE, &r) == 2000);
	assert_true(budget__hits_per_s(CAPTURE_POLL, &r) == 0);
}

static void test_share_and_floor(void **state)
{
	(void)state;
	assert_true(budget__share_pct(5e7, 1e9) == 5.0);
	assert_true(budget__share_pct(0, 0) == 0);
	assert_true(isinf(budget__share_pct(1, 0)));
	/* 6% of the target's CPU, 6 ms a second: over 5%. */
	assert_true(budget__over(5, 6e6, 1e8));
	assert_false(budget__over(7, 6e6, 1e8));
	/* An idle program: 400% of its tiny CPU time, but under 0.5% of one CPU. */
	assert_false(budget__over(5, 4e6, 1e6));
	assert_false(budget__over(5, BUDGET_FLOOR_NS_PER_S - 1, 0));
	assert_true(budget__over(5, BUDGET_FLOOR_NS_PER_S, 0));
	/* Off. */
	assert_false(budget__over(0, 1e12, 1));
}

static void prices(double ns[CAPTURE_LEVEL_MAX + 1], double states, double other)
{
	int i;

	for (i = 0; i <= CAPTURE_LEVEL_MAX; i++)
		ns[i] = other;
	ns[CAPTURE_STATES] = states;
}

static void test_choose(void **state)
{
	struct budget_rates churn = {.creates_per_s = 400000, .cpu_ns_per_s = 2e9};
	struct budget_rates server = {.creates_per_s = 10000, .cpu_ns_per_s = 1e9};
	struct budget_rates calm = {.creates_per_s = 10, .changes_per_s = 50, .cpu_ns_per_s = 1e6};
	struct budget_choice ch;
	double ns[CAPTURE_LEVEL_MAX + 1];

	(void)state;
	prices(ns, 1000, 1000);
	/* states 2.4e9 ns/s of 2e9: 120%; lifecycle 0.8e9: 40%. */
	budget__choose(5, &churn, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_POLL);
	assert_true(fabs(ch.cost_pct[CAPTURE_STATES] - 120) < 1e-9);
	assert_true(fabs(ch.cost_pct[CAPTURE_LIFECYCLE] - 40) < 1e-9);
	assert_string_equal(ch.why, "states would cost 120%, lifecycle 40%");
	/* A budget that fits lifecycle. */
	budget__choose(50, &churn, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_LIFECYCLE);
	assert_string_equal(ch.why, "states would cost 120%");
	/* states 6%, lifecycle 2%. */
	budget__choose(5, &server, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_LIFECYCLE);
	budget__choose(7, &server, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_STATES);
	assert_string_equal(ch.why, "");
	/* The same at a single-stepped casgstatus: 8x the price, states does not fit. */
	prices(ns, 8000, 1000);
	budget__choose(7, &server, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_LIFECYCLE);
	/* Idle: 210 hits/s cost 0.2 ms/s, far over 5% of 1 ms/s, under the floor. */
	prices(ns, 1000, 1000);
	budget__choose(5, &calm, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_STATES);
	/* No CPU time at all, and goroutines created: over, said in words. */
	calm.cpu_ns_per_s = 0;
	calm.creates_per_s = 1e6;
	budget__choose(5, &calm, ns, &ch);
	assert_int_equal(ch.level, CAPTURE_POLL);
	assert_string_equal(ch.why, "states would cost more than the target's own CPU time, "
				    "lifecycle more than the target's own CPU time");
}

static void test_describe(void **state)
{
	char buf[224];

	(void)state;
	budget__describe(CAPTURE_POLL, 20, 5, "states would cost 140%", buf, sizeof(buf));
	assert_string_equal(buf, "poll 20Hz (budget 5%: states would cost 140%)");
	budget__describe(CAPTURE_STATES, 0, 5, "", buf, sizeof(buf));
	assert_string_equal(buf, "states");
	budget__describe(CAPTURE_LIFECYCLE, 0, 0, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "lifecycle");
	budget__describe(CAPTURE_STATES, 0, 0, "not estimated", buf, sizeof(buf));
	assert_string_equal(buf, "states (not estimated)");
	budget__describe(CAPTURE_POLL, 2.5, 0.5, "x", buf, 12);
	assert_string_equal(buf, "poll 2.5Hz ");
}

/* The meter line says the level and the cost; with --poll nothing runs in the target. */
static void test_meter_line(void **state)
{
	FILE *out = tmpfile();
	struct meters_opts o = {.line_s = 1, .line_out = out, .no_probes = true, .budget_pct = 5};
	struct meters_counts c = {.ts = 10 * SEC, .cpu_ns = 3 * SEC};
	char buf[512];
	struct meters *m;
	double lat;
	bool over = true;
	size_t n;

	(void)state;
	assert_non_null(out);
	m = meters__new(&o);
	assert_non_null(m);
	snprintf(c.capture, sizeof(c.capture), "poll 20Hz");
	assert_true(meters__cost_pct(m, &over) < 0);
	assert_false(over);
	meters__sample(m, &c, &lat);
	c.ts += SEC;
	c.cpu_ns += SEC / 2;
	meters__sample(m, &c, &lat);
	assert_true(meters__cost_pct(m, &over) == 0);
	assert_false(over);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	assert_non_null(strstr(buf, " CAPTURE=poll 20Hz COST=0%\n"));
	meters__free(m);
	fclose(out);
}

static struct gev capture_ev(uint8_t level, uint32_t hz, uint32_t bp, const char *why)
{
	struct gev ev = {.kind = GEV_CAPTURE, .ts = 1234, .pid = 42, .reason = GEV_NO_REASON};

	ev.capture.level = level;
	ev.capture.poll_hz = hz;
	ev.capture.budget_bp = bp;
	ev.capture.why = why;
	return ev;
}

static void test_jsonl(void **state)
{
	struct gev ev = capture_ev(CAPTURE_POLL, 20, 500, "states would cost 140%");
	char buf[512];
	int n;

	(void)state;
	n = jsonl__format(&ev, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "{\"event\":\"capture\",\"ts\":1234,\"pid\":42,\"goid\":0,"
				 "\"level\":\"poll\",\"poll_hz\":20,\"budget_pct\":5,"
				 "\"why\":\"states would cost 140%\",\"tid\":0}\n");
	ev = capture_ev(CAPTURE_STATES, 0, 0, NULL);
	n = jsonl__format(&ev, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf,
			    "{\"event\":\"capture\",\"ts\":1234,\"pid\":42,\"goid\":0,"
			    "\"level\":\"states\",\"budget_pct\":null,\"why\":null,\"tid\":0}\n");
	ev = capture_ev(CAPTURE_LIFECYCLE, 0, 1250, "a");
	n = jsonl__format(&ev, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"budget_pct\":12.5,"));
}

/* What the header shows, replayed too: the last capture event, made printable. */
static void test_table_keeps_last(void **state)
{
	struct gtable_opts o = {0};
	struct gtable *gt = gtable__new(&o);
	struct gev ev;

	(void)state;
	assert_non_null(gt);
	assert_string_equal(gtable__capture(gt), "");
	ev = capture_ev(CAPTURE_STATES, 0, 500, NULL);
	assert_int_equal(gtable__apply(gt, &ev), 0);
	assert_string_equal(gtable__capture(gt), "states");
	ev = capture_ev(CAPTURE_POLL, 20, 500, "states would cost \x1b[2J140%");
	assert_int_equal(gtable__apply(gt, &ev), 0);
	assert_string_equal(gtable__capture(gt),
			    "poll 20Hz (budget 5%: states would cost \\x1b[2J140%)");
	gtable__free(gt);
}

/* One check at LEVEL with the measured COST and, for the others, WOULD (< 0: unknown). */
/* Checks in BUDGET_CALM_NS. */
#define CALM_TICKS ((int)(BUDGET_CALM_NS / BUDGET_TICK_NS))

static enum capture_level step(struct budget_ctl *c, enum capture_level level, double cost,
			       double would, double own, uint64_t now)
{
	double v[CAPTURE_LEVEL_MAX + 1] = {-1, -1, would, would, 0};

	v[level] = cost;
	return budget__step(c, level, 5, v, own, now, BUDGET_TICK_NS);
}

/* Run time: down after two checks over, not after one; up after 10 s calm, not before. */
static void test_step(void **state)
{
	struct budget_ctl c = {0};
	const uint64_t tick = BUDGET_TICK_NS;
	uint64_t now = 100 * SEC;
	int i;

	(void)state;
	/* Under budget: stay. One check over (a burst), then under: stay. */
	assert_int_equal(step(&c, CAPTURE_STATES, 1e7, -1, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_STATES, 1e8, -1, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_STATES, 1e7, -1, 1e9, now += tick), 0);
	/* Two in a row: down, and when the load began is kept (the figure's start). */
	assert_int_equal(step(&c, CAPTURE_STATES, 1e8, -1, 1e9, now += tick), 0);
	assert_true(c.over_ts == now - tick);
	assert_int_equal(step(&c, CAPTURE_STATES, 1e8, -1, 1e9, now += tick), CAPTURE_LIFECYCLE);
	assert_true(c.over_ts == now - 2 * tick);
	/* Over budget but under the floor: an idle program stays. */
	c = (struct budget_ctl){0};
	for (i = 0; i < 5; i++)
		assert_int_equal(step(&c, CAPTURE_STATES, 4e6, -1, 1e6, now += tick), 0);
	/* Lifecycle at 2% of a 5% budget: not calm, whatever the time. */
	c = (struct budget_ctl){0};
	for (i = 0; i < 2 * CALM_TICKS; i++)
		assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 2e7, -1, 1e9, now += tick), 0);
	/* At 1%: up once 10 s have passed, not before. */
	for (i = 0; i < CALM_TICKS - 1; i++)
		assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 1e7, -1, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 1e7, -1, 1e9, now += tick), CAPTURE_STATES);
	/* A check that is not calm starts the 10 s again; under the floor is calm. */
	c = (struct budget_ctl){0};
	for (i = 0; i < 30; i++)
		step(&c, CAPTURE_LIFECYCLE, 1e3, -1, 1e4, now += tick);
	assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 1e8, -1, 1e9, now += tick), 0);
	for (i = 0; i < CALM_TICKS - 1; i++)
		assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 1e3, -1, 1e4, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 1e3, -1, 1e4, now += tick), CAPTURE_STATES);
}

/*
 * A launched command's first check decides alone (no estimate came before
 * it); only the first: a later burst of one check is still not a load.
 */
static void test_step_first_decides(void **state)
{
	struct budget_ctl c = {.first_decides = true};
	const uint64_t tick = BUDGET_TICK_NS;
	uint64_t now = 100 * SEC;

	(void)state;
	assert_int_equal(step(&c, CAPTURE_STATES, 3e8, 1e8, 1e9, now += tick), CAPTURE_POLL);
	assert_true(c.over_ts == now - tick);
	assert_false(c.first_decides);
	/* Under budget at the first check: the next over one waits for a second. */
	c = (struct budget_ctl){.first_decides = true};
	assert_int_equal(step(&c, CAPTURE_STATES, 1e7, -1, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_STATES, 3e8, 2e7, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_STATES, 3e8, 2e7, 1e9, now += tick), CAPTURE_LIFECYCLE);
	/* Under the floor, the first check too: an idle program's start stays. */
	c = (struct budget_ctl){.first_decides = true};
	assert_int_equal(step(&c, CAPTURE_STATES, 4e6, -1, 1e6, now += tick), 0);
}

/* Down to poll: from lifecycle over budget, or from states when lifecycle would not fit. */
static void test_step_to_poll(void **state)
{
	struct budget_ctl c = {0};
	const uint64_t tick = BUDGET_TICK_NS;
	uint64_t now = 100 * SEC;

	(void)state;
	assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 4.7e8, -1, 1e9, now += tick), 0);
	assert_int_equal(step(&c, CAPTURE_LIFECYCLE, 4.7e8, -1, 1e9, now += tick), CAPTURE_POLL);
	/* States over, lifecycle estimated at 10%: straight to poll; at 2%: lifecycle. */
	c = (struct budget_ctl){0};
	step(&c, CAPTURE_STATES, 3e8, 1e8, 1e9, now += tick);
	assert_int_equal(step(&c, CAPTURE_STATES, 3e8, 1e8, 1e9, now += tick), CAPTURE_POLL);
	c = (struct budget_ctl){0};
	step(&c, CAPTURE_STATES, 3e8, 2e7, 1e9, now += tick);
	assert_int_equal(step(&c, CAPTURE_STATES, 3e8, 2e7, 1e9, now += tick), CAPTURE_LIFECYCLE);
}

/*
 * Up from poll: only to a level whose estimated cost stays under a quarter
 * of the budget for 10 s, the richest first; never down.
 */
static void test_step_from_poll(void **state)
{
	double v[CAPTURE_LEVEL_MAX + 1] = {0, 0, 2e7, 5e6, 0};
	struct budget_ctl c = {0};
	const uint64_t tick = BUDGET_TICK_NS;
	uint64_t now = 100 * SEC;
	int i;

	(void)state;
	/* States would cost 2% (not calm), lifecycle 0.5%: lifecycle after 10 s. */
	for (i = 0; i < CALM_TICKS - 1; i++)
		assert_int_equal(budget__step(&c, CAPTURE_POLL, 5, v, 1e9, now += tick, tick), 0);
	assert_int_equal(budget__step(&c, CAPTURE_POLL, 5, v, 1e9, now += tick, tick),
			 CAPTURE_LIFECYCLE);
	/* Both calm: states. */
	c = (struct budget_ctl){0};
	v[CAPTURE_STATES] = 1e7;
	for (i = 0; i < CALM_TICKS - 1; i++)
		assert_int_equal(budget__step(&c, CAPTURE_POLL, 5, v, 1e9, now += tick, tick), 0);
	assert_int_equal(budget__step(&c, CAPTURE_POLL, 5, v, 1e9, now += tick, tick),
			 CAPTURE_STATES);
	/* Busy: nothing fits, and poll has nowhere further down to go. */
	c = (struct budget_ctl){0};
	v[CAPTURE_STATES] = v[CAPTURE_LIFECYCLE] = 1e9;
	for (i = 0; i < 2 * CALM_TICKS; i++)
		assert_int_equal(budget__step(&c, CAPTURE_POLL, 5, v, 1e9, now += tick, tick), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_hits),
		cmocka_unit_test(test_share_and_floor),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_meter_line),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_table_keeps_last),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_step_first_decides),
		cmocka_unit_test(test_step_to_poll),
		cmocka_unit_test(test_step_from_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
