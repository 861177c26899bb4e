// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stacks (issue 15): the model's stackset (interning, growth, leak
 * suspects, matching, Go's dump), and sweeps through a recording (format
 * 1.3): every sweep comes back from the replay source exactly, at its time,
 * after seeks both ways; --replay --stacks prints the last one (or the one
 * at --at); --replay --headless --jsonl writes their "stack" lines; a
 * reader skips control records it does not know, as 1.2 readers do with
 * STACK and SWEEP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_PREFIX "/tmp/xg-test-stackrec-"
#include "tmpdir.h"

#include "env.h"
#include "options.h"
#include "rec_format.h"
#include "record.h"
#include "replay.h"
#include "stackset.h"
#include "xgotop_event.h"

#define T0	5000000000000ull
#define MS	1000000ull
#define S	1000000000ull
#define NSWEEPS 6
#define NSTATIC 5 /* goroutines in every sweep besides the growing group */

static const struct stk_frame f_main[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					  {"runtime.chanrecv1", "/go/src/runtime/chan.go", 506},
					  {"main.main", "/src/app/main.go", 70}};
static const struct stk_frame f_leak[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					  {"runtime.chanrecv1", "/go/src/runtime/chan.go", 506},
					  {"main.leaky", "/src/app/main.go", 97},
					  {"main.spawn.func1", "/src/app/main.go", 90}};
/* A name with a newline and a quote: untrusted strings survive the file and are escaped. */
static const struct stk_frame f_odd[] = {{"main.(*T).\"odd\"\nname", "/src/app/odd.go", 12}};
static const struct stk_frame f_gc[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					{"runtime.forcegchelper", "/go/src/runtime/proc.go", 348}};

/* Sweep K into S: the static goroutines, and 3 * (K + 1) on the leaking stack. */
static void make_sweep(struct stackset *s, int k)
{
	uint32_t main_id = stackset__intern(s, f_main, 3), leak = stackset__intern(s, f_leak, 4);
	uint32_t odd = stackset__intern(s, f_odd, 1), gc = stackset__intern(s, f_gc, 2);
	uint64_t ts = T0 + (uint64_t)(k + 1) * 500 * MS;
	struct stk_entry e[NSTATIC] = {
		{.pid = 7,
		 .goid = 1,
		 .stack = main_id,
		 .status = XG_G_WAITING,
		 .what = STK_OK,
		 .wait_since = T0 - 90 * S,
		 .reason = stackset__reason_id(s, "chan receive")},
		{.pid = 7,
		 .goid = 2,
		 .stack = gc,
		 .status = XG_G_WAITING,
		 .what = STK_OK,
		 .wait_since = T0,
		 .reason = stackset__reason_id(s, "force gc (idle)")},
		{.pid = 7, .goid = 5, .stack = 0, .status = XG_G_RUNNING, .what = STK_RUNNING},
		{.pid = 7, .goid = 6, .stack = odd, .status = XG_G_RUNNABLE, .what = STK_OK},
		{.pid = 7, .goid = 9, .stack = 0, .status = XG_G_WAITING, .what = STK_CHANGED},
	};
	int i;

	assert_true(main_id && leak && odd && gc);
	stackset__sweep_begin(s, ts);
	for (i = 0; i < NSTATIC; i++)
		assert_int_equal(stackset__sweep_add(s, &e[i]), 0);
	for (i = 0; i < 3 * (k + 1); i++) {
		struct stk_entry l = {.pid = 7,
				      .goid = 100 + (uint64_t)i,
				      .stack = leak,
				      .status = XG_G_WAITING,
				      .what = STK_OK,
				      .wait_since = ts - 100 * MS,
				      .reason = stackset__reason_id(s, "chan receive")};

		assert_int_equal(stackset__sweep_add(s, &l), 0);
	}
	assert_int_equal(stackset__sweep_end(s), 0);
}

static void test_stackset(void **state)
{
	struct stackset *s = stackset__new();
	struct stk_frame copy[3];
	struct stk_leak_opts lo = {.sweeps = 5, .wait_ns = 60 * S};
	const struct stk_entry *e;
	uint32_t a, b, n, c;
	int k;

	(void)state;
	assert_non_null(s);
	stackset__set_leak(s, &lo);
	/* Equal frames from other buffers are the same stack. */
	memcpy(copy, f_main, sizeof(copy));
	copy[2].func = strdup("main.main");
	a = stackset__intern(s, f_main, 3);
	b = stackset__intern(s, copy, 3);
	assert_int_equal(a, b);
	free((void *)copy[2].func);
	copy[2].func = "main.main";
	copy[2].line = 71;
	assert_int_not_equal(stackset__intern(s, copy, 3), a);
	assert_string_equal(stackset__name(s, a)->func, "main.main");
	assert_string_equal(stackset__name(s, stackset__intern(s, f_gc, 2))->func,
			    "runtime.forcegchelper");
	{
		/* A runtime goroutine's full stack ends in goexit: named by the frame before. */
		const struct stk_frame g[] = {
			f_gc[0], f_gc[1], {"runtime.goexit", "/go/src/runtime/asm_amd64.s", 1700}};

		assert_string_equal(stackset__name(s, stackset__intern(s, g, 3))->func,
				    "runtime.forcegchelper");
	}
	assert_non_null(stackset__frames(s, a, &n));
	assert_int_equal(n, 3);
	assert_null(stackset__frames(s, 999, &n));

	assert_int_equal(stackset__sweep_ts(s), 0);
	for (k = 0; k < NSWEEPS; k++)
		make_sweep(s, k);
	assert_int_equal(stackset__sweeps(s), NSWEEPS);
	e = stackset__lookup(s, 7, 6);
	assert_non_null(e);
	assert_true(stackset__match(s, e->stack, "\"ODD\""));
	assert_true(stackset__match(s, e->stack, "odd.go"));
	assert_false(stackset__match(s, e->stack, "main.main"));
	assert_null(stackset__lookup(s, 7, 3));
	/* The leaking group: 18 now, 3 at the first sweep, 2.5 s ago. */
	e = stackset__lookup(s, 7, 100);
	assert_true(stackset__count(s, e->stack, 0, &c, NULL));
	assert_int_equal(c, 18);
	assert_true(stackset__count(s, e->stack, NSWEEPS - 1, &c, NULL));
	assert_int_equal(c, 3);
	assert_false(stackset__count(s, e->stack, NSWEEPS, &c, NULL));
	assert_int_equal(stackset__growth(s, e->stack, 60 * S), 15);
	assert_int_equal(stackset__growth(s, e->stack, 1 * S), 6);
	assert_true(stackset__leak_stack(s, e->stack));
	assert_true(stackset__leak_entry(s, e, T0 + 3 * S));
	/* G1 waits 93 s (> 60): a suspect; G2 3 s: not, nor at 100 s (the runtime's); G5 runs. */
	assert_true(stackset__leak_entry(s, stackset__lookup(s, 7, 1), T0 + 3 * S));
	assert_false(stackset__leak_entry(s, stackset__lookup(s, 7, 2), T0 + 3 * S));
	assert_false(stackset__leak_entry(s, stackset__lookup(s, 7, 2), T0 + 100 * S));
	assert_true(stackset__runtime_stack(s, stackset__lookup(s, 7, 2)->stack));
	assert_false(stackset__runtime_stack(s, stackset__lookup(s, 7, 1)->stack));
	assert_false(stackset__leak_entry(s, stackset__lookup(s, 7, 5), T0 + 3 * S));
	/* Six rises needed for six sweeps back: not kept so far. */
	lo.sweeps = 6;
	stackset__set_leak(s, &lo);
	assert_false(stackset__leak_stack(s, e->stack));
	/* A goroutine read alone: the latest of it while newer than the sweep, nobody else's. */
	{
		uint32_t c71 = stackset__intern(s, copy, 3); /* main.go:71, not the swept :70 */
		struct stk_entry one = {.pid = 7, .goid = 1, .stack = c71, .status = 4};
		uint64_t ts, t1 = stackset__sweep_ts(s);

		assert_ptr_equal(stackset__latest(s, 7, 1, &ts), stackset__lookup(s, 7, 1));
		assert_int_equal(ts, t1);
		assert_int_equal(stackset__set_one(s, &one, t1 + 1), 0);
		assert_int_equal(stackset__latest(s, 7, 1, &ts)->stack, c71);
		assert_int_equal(ts, t1 + 1);
		assert_ptr_equal(stackset__latest(s, 7, 2, &ts), stackset__lookup(s, 7, 2));
		assert_null(stackset__latest(s, 8, 1, &ts));
		/* Not part of the sweep: its count and the lookup are the sweep's. */
		assert_int_not_equal(stackset__lookup(s, 7, 1)->stack, c71);
		assert_int_equal(stackset__set_one(s, &one, t1 - 1), 0);
		assert_ptr_equal(stackset__latest(s, 7, 1, &ts), stackset__lookup(s, 7, 1));
		one.stack = 12345;
		assert_int_equal(stackset__set_one(s, &one, t1 + 2), -EINVAL);
		one.stack = c71;
		one.what = STK_RUNNING;
		assert_int_equal(stackset__set_one(s, &one, t1 + 2), -EINVAL);
		one.stack = 0;
		assert_int_equal(stackset__set_one(s, &one, t1 + 2), 0);
		assert_int_equal(stackset__latest(s, 7, 1, &ts)->what, STK_RUNNING);
		/* The next sweep is newer. */
		make_sweep(s, NSWEEPS);
		assert_ptr_equal(stackset__latest(s, 7, 1, &ts), stackset__lookup(s, 7, 1));
	}
	/* A stack id the set does not have is no stack. */
	stackset__sweep_begin(s, T0 + 10 * S);
	assert_int_equal(
		stackset__sweep_add(s, &(struct stk_entry){.pid = 7, .goid = 3, .stack = 12345}),
		0);
	assert_int_equal(stackset__sweep_end(s), 0);
	assert_int_equal(stackset__lookup(s, 7, 3)->stack, 0);
	assert_int_equal(stackset__lookup(s, 7, 3)->what, STK_BAD);
	stackset__reset(s);
	assert_int_equal(stackset__sweep_ts(s), 0);
	assert_int_equal(stackset__sweeps(s), 0);
	stackset__free(s);
}

/* A copy of a sweep, compared by content (stack ids differ between sets). */
struct snap {
	uint64_t ts;
	size_t n;
	char *text; /* stackset__print of it */
};

static char *print_of(const struct stackset *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(stackset__print(f, s), 0);
	fclose(f);
	return buf;
}

/*
 * A recording of events with NSWEEPS sweeps, 500 ms apart, in 100 ms
 * frames; SNAPS gets each sweep as written.
 */
static void record_sweeps_saved(const char *path, struct snap *snaps, char *saved, size_t len)
{
	struct record_opts o = {.path = path,
				.frame_ns = 100 * MS,
				.keyframe_ns = 1 * S,
				.history_ns = saved ? 500 * MS : 0,
				.history_dir = tmpdir};
	struct record_meta m = {.pid = 7, .path = "/srv/app", .mono_ns = T0};
	struct gtable *gt = gtable__new(&(struct gtable_opts){0});
	struct stackset *s = stackset__new();
	struct record_writer *w;
	int k, i;

	assert_non_null(gt);
	assert_non_null(s);
	o.table = gt;
	unlink(path);
	w = record__open(&o);
	assert_non_null(w);
	assert_int_equal(record__begin(w, &m), 0);
	for (k = 0; k < NSWEEPS; k++) {
		/* Events between sweeps: a goroutine going round. */
		for (i = 0; i < 50; i++) {
			struct gev ev = {.kind = GEV_STATE,
					 .ts = T0 + (uint64_t)k * 500 * MS + (uint64_t)i * 10 * MS,
					 .pid = 7,
					 .tid = 8,
					 .goid = 3,
					 .from = i % 2 ? XG_G_RUNNING : XG_G_RUNNABLE,
					 .to = i % 2 ? XG_G_RUNNABLE : XG_G_RUNNING,
					 .reason = GEV_NO_REASON};

			assert_int_equal(gtable__apply(gt, &ev), 0);
			assert_int_equal(record__event(w, &ev), 0);
		}
		make_sweep(s, k);
		snaps[k].ts = stackset__sweep_ts(s);
		snaps[k].n = stackset__sweep_n(s);
		snaps[k].text = print_of(s);
		assert_int_equal(record__sweep(w, s), 0);
	}
	if (saved)
		assert_int_equal(record__save_recent(w, saved, len), 0);
	assert_int_equal(record__close(w), 0);
	stackset__free(s);
	gtable__free(gt);
}

static void record_sweeps(const char *path, struct snap *snaps)
{
	record_sweeps_saved(path, snaps, NULL, 0);
}

static struct replay *open_replay(const char *path)
{
	char err[256];
	struct rec_reader *r = rec_reader__open(path, NULL, err, sizeof(err));
	struct replay *rp;

	if (!r)
		fail_msg("%s: %s", path, err);
	rp = replay__new(r, &(struct replay_opts){.start_paused = true});
	assert_non_null(rp);
	return rp;
}

static void assert_sweep(struct replay *rp, const struct snap *want)
{
	const struct stackset *s = replay__stacks(rp);
	char *text;

	assert_int_equal(stackset__sweep_ts(s), want->ts);
	assert_int_equal(stackset__sweep_n(s), want->n);
	text = print_of(s);
	assert_string_equal(text, want->text);
	free(text);
}

static void free_snaps(struct snap *snaps)
{
	int k;

	for (k = 0; k < NSWEEPS; k++)
		free(snaps[k].text);
}

static void test_roundtrip(void **state)
{
	struct snap snaps[NSWEEPS];
	const char *path = tmpdir_path("sweeps.zst");
	struct xg_source src;
	struct replay *rp;
	const struct stackset *s;
	int k;

	(void)state;
	record_sweeps(path, snaps);
	rp = open_replay(path);
	replay__source(rp, &src);
	s = replay__stacks(rp);
	/* Nothing to read alone in a replay: the detail view shows the recorded sweep. */
	assert_null(src.ops->stacks_want);
	/* Before the first sweep: none. */
	assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_TIME, 100 * MS), 0);
	assert_int_equal(stackset__sweep_ts(s), 0);
	/* Forward, each sweep at its time and until the next. */
	for (k = 0; k < NSWEEPS; k++) {
		uint64_t at = snaps[k].ts - T0;

		assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_TIME, at), 0);
		assert_sweep(rp, &snaps[k]);
		if (k + 1 < NSWEEPS) {
			assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_TIME, at + 400 * MS), 0);
			assert_sweep(rp, &snaps[k]);
		}
	}
	/* The growth the UI shows comes back: 3 per sweep over the 6. */
	assert_int_equal(stackset__growth(s, stackset__lookup(s, 7, 100)->stack, 60 * S), 15);
	/* Back: the table is rebuilt, and the sweeps with it. */
	assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_TIME, snaps[1].ts - T0 + 10 * MS), 0);
	assert_sweep(rp, &snaps[1]);
	assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_END, 0), 0);
	assert_sweep(rp, &snaps[NSWEEPS - 1]);
	replay__free(rp);
	free_snaps(snaps);
}

/*
 * The flight recorder keeps whole frames from a keyframe on: a save starts
 * in the middle of the session, and its frames carry the stacks their
 * sweeps name (stacks are defined per frame), so its last sweep is whole.
 */
static void test_flight_recorder(void **state)
{
	struct snap snaps[NSWEEPS];
	char saved[512];
	struct replay *rp;
	struct xg_source src;
	struct xg_playback pb;

	(void)state;
	record_sweeps_saved(tmpdir_path("flight.zst"), snaps, saved, sizeof(saved));
	rp = open_replay(saved);
	replay__source(rp, &src);
	/* It starts after the first sweeps: the stacks it names came again with it. */
	src.ops->playback(rp, &pb);
	assert_true(pb.start > snaps[2].ts);
	assert_int_equal(src.ops->control(rp, XG_CTL_SEEK_END, 0), 0);
	assert_sweep(rp, &snaps[NSWEEPS - 1]);
	replay__free(rp);
	free_snaps(snaps);
}

/* Run replay_cmd__run with stdout to OUT. */
static int run_to(struct env *env, const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved, rc;

	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = replay_cmd__run(env);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return rc;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void test_replay_stacks_cmd(void **state)
{
	struct snap snaps[NSWEEPS];
	const char *path = tmpdir_path("cmd.zst"), *out = tmpdir_path("cmd.txt");
	struct env env = {.stacks = 2, .at = -1};
	char *text;

	(void)state;
	record_sweeps(path, snaps);
	env.replay = path;
	assert_int_equal(run_to(&env, out), 0);
	text = slurp(out);
	/* The last sweep, and what it says exactly. */
	assert_string_equal(text, snaps[NSWEEPS - 1].text);
	assert_non_null(strstr(text, "goroutine 1 [chan receive, 1 minutes]:\n"
				     "runtime.gopark(...)\n\t/go/src/runtime/proc.go:435\n"
				     "runtime.chanrecv1(...)\n\t/go/src/runtime/chan.go:506\n"
				     "main.main(...)\n\t/src/app/main.go:70\n"));
	assert_non_null(strstr(text, "goroutine 5 [running]:\n"
				     "goroutine running on other thread; stack unavailable\n"));
	assert_non_null(strstr(text, "goroutine 9 [waiting]:\ngoroutine changed while read"));
	/* The target's name printed with its newline escaped: one line. */
	assert_non_null(strstr(text, "main.(*T).\"odd\"\\x0aname(...)\n"));
	assert_non_null(strstr(text, "goroutine 117 [chan receive]:"));
	free(text);
	/* --at: the sweep at or before 1.2 s, the second (1.0 s). */
	env.at = 1.2;
	assert_int_equal(run_to(&env, out), 0);
	text = slurp(out);
	assert_string_equal(text, snaps[1].text);
	assert_null(strstr(text, "goroutine 106 "));
	free(text);
	/* Before any sweep: an error, nothing printed. */
	env.at = 0.1;
	assert_int_equal(run_to(&env, out), 1);
	text = slurp(out);
	assert_string_equal(text, "");
	free(text);
	free_snaps(snaps);
}

static void test_jsonl_stack_lines(void **state)
{
	struct snap snaps[NSWEEPS];
	const char *path = tmpdir_path("jsonl.zst");
	struct env env = {.headless = true, .at = -1};
	char line[4096];
	int stack_lines = 0, state_lines = 0, leak_lines = 0;
	FILE *f;

	(void)state;
	record_sweeps(path, snaps);
	env.replay = path;
	env.live.jsonl = tmpdir_path("out.jsonl");
	assert_int_equal(replay_cmd__run(&env), 0);
	f = fopen(env.live.jsonl, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\"event\":\"state\"")) {
			state_lines++;
			continue;
		}
		assert_non_null(strstr(line, "{\"event\":\"stack\",\"ts\":"));
		stack_lines++;
		if (strstr(line, "\"goids\":[100,"))
			leak_lines++;
		/* The last sweep's biggest group first, 18 goroutines. */
		if (stack_lines == 6 * (NSWEEPS - 1) + 1)
			assert_string_equal(
				line,
				"{\"event\":\"stack\",\"ts\":5003000000000,\"pid\":7,\"count\":18,"
				"\"goids\":[100,101,102,103,104,105,106,107,108,109,110,111,112,"
				"113,"
				"114,115,116,117],\"frames\":[{\"func\":\"runtime.gopark\","
				"\"file\":"
				"\"/go/src/runtime/proc.go\",\"line\":435},{\"func\":\"runtime."
				"chanrecv1\",\"file\":\"/go/src/runtime/chan.go\",\"line\":506},{"
				"\"func\":\"main.leaky\",\"file\":\"/src/app/"
				"main.go\",\"line\":97},{"
				"\"func\":\"main.spawn.func1\",\"file\":\"/src/app/"
				"main.go\",\"line\":"
				"90}]}\n");
		if (strstr(line, "\"goids\":[5]"))
			assert_non_null(strstr(line, "\"frames\":[],\"unavailable\":\"running\"}"));
		if (strstr(line, "\"goids\":[6]"))
			assert_non_null(
				strstr(line, "\"func\":\"main.(*T).\\\"odd\\\"\\u000aname\""));
	}
	fclose(f);
	/* Six groups a sweep: main, gc, running, odd, changed, the leaking one. */
	assert_int_equal(stack_lines, 6 * NSWEEPS);
	assert_int_equal(leak_lines, NSWEEPS);
	assert_int_equal(state_lines, 50 * NSWEEPS);
	free_snaps(snaps);
}

/*
 * How a reader of an older minor skips STACK and SWEEP: as every control
 * type it does not know (decoder.c, the default case, there since 1.0).
 * Here type 63 stands for a type newer than this reader.
 */
static void test_unknown_control_skipped(void **state)
{
	struct buf b = {0}, pl = {0};
	struct rec_dict *d = rec_dict__new();
	struct rec_dec dec;
	struct rec_item it;
	int kinds[8], n = 0, rc;

	(void)state;
	put_varint(&pl, 0);
	put_varint(&pl, T0);
	put_ctl(&b, REC_CTL_FRAME, &pl);
	pl.len = 0;
	put_varint(&pl, 1234567);
	put_bytes(&pl, "future payload", 14);
	put_ctl(&b, (enum rec_ctl)63, &pl);
	pl.len = 0;
	put_varint(&pl, 0);
	put_ctl(&b, REC_CTL_END, &pl);
	assert_false(b.oom);
	rec_dec__init(&dec, b.p, b.len, d);
	while ((rc = rec_dec__next(&dec, &it)) > 0 && n < 8)
		kinds[n++] = it.kind;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 3);
	assert_int_equal(kinds[0], REC_ITEM_FRAME);
	assert_int_equal(kinds[1], REC_ITEM_UNKNOWN);
	assert_int_equal(kinds[2], REC_ITEM_END);
	buf_free(&b);
	buf_free(&pl);
	rec_dict__free(d);
}

/* The stack options: their defaults, and the values given. */
static void test_options(void **state)
{
	char *argv[] = {"xgotop-tui",  "-pid", "1", "--stack-interval", "0.5", "--leak-sweeps", "3",
			"--leak-wait", "0",    NULL};
	struct env env;
	char *err = NULL;

	(void)state;
	assert_int_equal(options__parse(1, argv, &env, &err), OPTS_RUN);
	assert_true(env.live.stack_interval_ns < 0 && env.at < 0 && env.live.leak_wait < 0);
	assert_int_equal(env.live.leak_sweeps, 0);
	assert_int_equal(options__parse(9, argv, &env, &err), OPTS_RUN);
	assert_int_equal(env.live.stack_interval_ns, 500 * MS);
	assert_int_equal(env.live.leak_sweeps, 3);
	assert_true(env.live.leak_wait == 0);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stackset),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_flight_recorder),
		cmocka_unit_test(test_replay_stacks_cmd),
		cmocka_unit_test(test_jsonl_stack_lines),
		cmocka_unit_test(test_unknown_control_skipped),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
