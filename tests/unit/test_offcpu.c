// SPDX-License-Identifier: BSD-2-Clause
/*
 * On-CPU and off-CPU time (issue 16): which goroutine a thread runs
 * (src/live/offcpu.c), the state table's accounting of the intervals
 * charged (GEV_CPU in src/core/gtable.c) and the cgroup files' parsers
 * (src/live/cgroup.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"
#include "cgroup.h"
#include "gtable.h"
#include "gentry_read.h"
#include "offcpu.h"
#include "xgotop_event.h"

#define PID 4242
#define MS  1000000ull

static struct gev state(uint64_t ts, uint32_t tid, uint64_t goid, uint8_t from, uint8_t to)
{
	return (struct gev){.kind = GEV_STATE,
			    .ts = ts,
			    .pid = PID,
			    .tid = tid,
			    .goid = goid,
			    .from = from,
			    .to = to,
			    .reason = GEV_NO_REASON};
}

/* Thread TID back on its CPU at TS after OFF ns away: the decoder's event. */
static struct gev off(uint64_t ts, uint32_t tid, uint8_t what, uint64_t ns)
{
	return (struct gev){.kind = GEV_CPU,
			    .ts = ts,
			    .pid = PID,
			    .tid = tid,
			    .reason = GEV_NO_REASON,
			    .cpu = {.what = what, .a = ns}};
}

static void test_charged_to_the_running_goroutine(void **state_)
{
	struct sched_threads *st = sched_threads__new();
	struct gev ev;

	(void)state_;
	assert_non_null(st);
	ev = state(10 * MS, 100, 7, XG_G_RUNNABLE, XG_G_RUNNING);
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	ev = state(11 * MS, 101, 8, XG_G_RUNNABLE, XG_G_RUNNING);
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	/* Each thread's interval goes to its own goroutine. */
	ev = off(30 * MS, 100, GEV_CPU_PREEMPTED, 5 * MS);
	assert_true(sched_threads__charge(st, &ev));
	assert_int_equal(ev.goid, 7);
	assert_int_equal(ev.cpu.a, 5 * MS);
	ev = off(31 * MS, 101, GEV_CPU_BLOCKED, 2 * MS);
	assert_true(sched_threads__charge(st, &ev));
	assert_int_equal(ev.goid, 8);
	/* Never more than the span so far (clocks of two CPUs). */
	ev = off(12 * MS, 101, GEV_CPU_PREEMPTED, 9 * MS);
	assert_true(sched_threads__charge(st, &ev));
	assert_int_equal(ev.cpu.a, 1 * MS);
	/* Goroutine 7 parks: its thread runs none; its next interval is nobody's. */
	ev = state(40 * MS, 100, 7, XG_G_RUNNING, XG_G_WAITING);
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	ev = off(50 * MS, 100, GEV_CPU_BLOCKED, 9 * MS);
	assert_false(sched_threads__charge(st, &ev));
	assert_int_equal(ev.goid, 0);
	/* An interval of an unknown thread. */
	ev = off(50 * MS, 999, GEV_CPU_BLOCKED, 1 * MS);
	assert_false(sched_threads__charge(st, &ev));
	sched_threads__free(st);
}

static void test_left_elsewhere_and_exits(void **state_)
{
	struct sched_threads *st = sched_threads__new();
	struct sched_stats s;
	struct gev ev;
	uint32_t t;

	(void)state_;
	assert_non_null(st);
	/* Many threads: the map grows, and erasing keeps the others findable. */
	for (t = 1; t <= 500; t++) {
		ev = state(t, 1000 + t, t, XG_G_RUNNABLE, XG_G_RUNNING);
		assert_int_equal(sched_threads__observe(st, &ev), 0);
	}
	for (t = 1; t <= 500; t += 2) {
		/* Half leave on another thread (an inferred change): found by goid. */
		ev = state(1000 * MS, t % 4 == 1 ? 7 : 1000 + t, t, XG_G_RUNNING, XG_G_RUNNABLE);
		ev.inferred = t % 4 == 1;
		assert_int_equal(sched_threads__observe(st, &ev), 0);
	}
	sched_threads__stats(st, &s);
	assert_int_equal(s.threads, 250);
	for (t = 1; t <= 500; t++) {
		ev = off(2000 * MS, 1000 + t, GEV_CPU_PREEMPTED, 1);
		assert_int_equal(sched_threads__charge(st, &ev), t % 2 == 0);
		if (t % 2 == 0)
			assert_int_equal(ev.goid, t);
	}
	/* An exit ends the running, a goroutine running on another thread moves. */
	ev = (struct gev){.kind = GEV_EXIT, .ts = 3000 * MS, .pid = PID, .tid = 1002, .goid = 2};
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	ev = off(3001 * MS, 1002, GEV_CPU_PREEMPTED, 1);
	assert_false(sched_threads__charge(st, &ev));
	ev = state(3002 * MS, 1002, 4, XG_G_RUNNABLE, XG_G_RUNNING);
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	ev = off(3003 * MS, 1002, GEV_CPU_PREEMPTED, 1);
	assert_true(sched_threads__charge(st, &ev));
	assert_int_equal(ev.goid, 4);
	sched_threads__stats(st, &s);
	assert_int_equal(s.dropped, 250 + 1);
	/* Down to lifecycle: no record will say who stops running; nothing is charged. */
	ev = (struct gev){.kind = GEV_CAPTURE, .ts = 4000 * MS, .pid = PID};
	ev.capture.level = CAPTURE_STATES;
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	sched_threads__stats(st, &s);
	assert_int_equal(s.threads, 250);
	ev.capture.level = CAPTURE_LIFECYCLE;
	assert_int_equal(sched_threads__observe(st, &ev), 0);
	sched_threads__stats(st, &s);
	assert_int_equal(s.threads, 0);
	ev = off(4001 * MS, 1002, GEV_CPU_PREEMPTED, 1);
	assert_false(sched_threads__charge(st, &ev));
	sched_threads__free(st);
}

static void apply(struct gtable *gt, struct gev ev)
{
	assert_int_equal(gtable__apply(gt, &ev), 0);
}

static void test_table_accounts(void **state_)
{
	struct gtable *gt = gtable__new(NULL);
	const struct gentry *e;
	struct gev ev;
	uint64_t o[2];

	(void)state_;
	assert_non_null(gt);
	apply(gt, state(100 * MS, 5, 9, XG_G_RUNNABLE, XG_G_RUNNING));
	ev = off(150 * MS, 5, GEV_CPU_PREEMPTED, 30 * MS);
	ev.goid = 9;
	apply(gt, ev);
	ev = off(180 * MS, 5, GEV_CPU_BLOCKED, 10 * MS);
	ev.goid = 9;
	apply(gt, ev);
	e = gtable__find(gt, PID, 9);
	assert_non_null(e);
	gentry__offcpu(e, o);
	assert_int_equal(o[0], 30 * MS);
	assert_int_equal(o[1], 10 * MS);
	/* 100 ms running, 40 of them off the CPU; the open span is 40% off. */
	assert_int_equal(gentry__time_in(e, XG_G_RUNNING, 200 * MS), 100 * MS);
	assert_int_equal(gentry__cpu_ns(e, 200 * MS), 60 * MS);
	assert_int_equal(gentry__open_off_pct(e, 200 * MS), 40);
	/* The span closes: its share stays with it. */
	apply(gt, state(200 * MS, 5, 9, XG_G_RUNNING, XG_G_WAITING));
	assert_int_equal(sp(e, e->n_spans - 2).state, XG_G_RUNNING);
	assert_int_equal(sp(e, e->n_spans - 2).off_pct, 40);
	assert_int_equal(gentry__open_off_pct(e, 300 * MS), 0);
	/* Not running: an interval charged late changes nothing. */
	ev = off(210 * MS, 5, GEV_CPU_PREEMPTED, 5 * MS);
	ev.goid = 9;
	apply(gt, ev);
	gentry__offcpu(e, o);
	assert_int_equal(o[0], 30 * MS);
	/* Running again: at most the time since it started. */
	apply(gt, state(300 * MS, 5, 9, XG_G_RUNNABLE, XG_G_RUNNING));
	ev = off(310 * MS, 5, GEV_CPU_PREEMPTED, 50 * MS);
	ev.goid = 9;
	apply(gt, ev);
	gentry__offcpu(e, o);
	assert_int_equal(o[0], 40 * MS);
	assert_int_equal(gentry__cpu_ns(e, 310 * MS), 60 * MS);
	gtable__free(gt);
}

static void test_table_cgroup(void **state_)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_cgroup cg;
	struct gev ev = {.kind = GEV_CPU, .ts = 5, .pid = PID, .reason = GEV_NO_REASON};

	(void)state_;
	assert_non_null(gt);
	assert_int_equal(gtable__cgroup(gt, PID, &cg), -ENODATA);
	ev.cpu = (struct gev_cpu){.what = GEV_CPU_LIMIT, .a = 20000, .b = 100000};
	apply(gt, ev);
	ev.ts = 6;
	ev.cpu = (struct gev_cpu){.what = GEV_CPU_THROTTLE, .a = 28, .b = 1670000000};
	apply(gt, ev);
	assert_int_equal(gtable__cgroup(gt, PID, &cg), 0);
	assert_int_equal(cg.quota_us, 20000);
	assert_int_equal(cg.period_us, 100000);
	assert_int_equal(cg.nr_throttled, 28);
	assert_int_equal(cg.throttled_ns, 1670000000);
	assert_int_equal(cg.ts, 6);
	assert_int_equal(gtable__cgroup(gt, PID + 1, &cg), -ENODATA);
	gtable__free(gt);
}

static void test_cgroup_parsers(void **state_)
{
	char path[64];
	uint64_t q, p, n, t;
	bool v1 = true;

	(void)state_;
	assert_int_equal(
		cgroup__parse_proc("0::/system.slice/app.service\n", path, sizeof(path), &v1), 0);
	assert_string_equal(path, "/system.slice/app.service");
	assert_false(v1);
	/* A hybrid mount: v1's cpu controller holds the limit, whatever v2 says. */
	assert_int_equal(cgroup__parse_proc("4:memory:/x\n3:cpu,cpuacct:/lim\n0::/\n", path,
					    sizeof(path), &v1),
			 0);
	assert_string_equal(path, "/lim");
	assert_true(v1);
	assert_int_equal(cgroup__parse_proc("2:cpuacct:/a\n1:cpuset:/b\n", path, sizeof(path), &v1),
			 -ENOENT);
	assert_int_equal(
		cgroup__parse_proc("0::/a/very/long/path/that/does/not/fit/in/here/at/all\n", path,
				   16, &v1),
		-ENAMETOOLONG);

	assert_int_equal(cgroup__parse_max("20000 100000\n", &q, &p), 0);
	assert_int_equal(q, 20000);
	assert_int_equal(p, 100000);
	assert_int_equal(cgroup__parse_max("max 100000\n", &q, &p), 0);
	assert_int_equal(q, 0);
	assert_int_equal(cgroup__parse_max("-5 100000", &q, &p), -EINVAL);
	assert_int_equal(cgroup__parse_max("20000 0", &q, &p), -EINVAL);
	assert_int_equal(cgroup__parse_max("", &q, &p), -EINVAL);
	assert_int_equal(cgroup__parse_cfs("-1\n", "100000\n", &q, &p), 0);
	assert_int_equal(q, 0);
	assert_int_equal(cgroup__parse_cfs("50000\n", "100000\n", &q, &p), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(cgroup__parse_cfs("x", "100000", &q, &p), -EINVAL);

	assert_int_equal(cgroup__parse_stat("usage_usec 9\nnr_periods 40\nnr_throttled 31\n"
					    "throttled_usec 2500\n",
					    false, &n, &t),
			 0);
	assert_int_equal(n, 31);
	assert_int_equal(t, 2500000);
	assert_int_equal(cgroup__parse_stat("nr_periods 40\nnr_throttled 3\nthrottled_time 77\n",
					    true, &n, &t),
			 0);
	assert_int_equal(t, 77);
	/* A key that only starts like the one wanted is not it. */
	assert_int_equal(cgroup__parse_stat("nr_throttledx 3\nthrottled_usec 1\n", false, &n, &t),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charged_to_the_running_goroutine),
		cmocka_unit_test(test_left_elsewhere_and_exits),
		cmocka_unit_test(test_table_accounts),
		cmocka_unit_test(test_table_cgroup),
		cmocka_unit_test(test_cgroup_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
