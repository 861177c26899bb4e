// SPDX-License-Identifier: BSD-2-Clause
/*
 * The metrics from a state table fed known events: goroutines by state and
 * wait reason, by start function (top N, the rest as "other", names with
 * quotes, backslashes and non-ASCII), counters, lifetime and wait
 * histograms, and the pid label with -b; then docs/METRICS.md against
 * what is written: every family with its type and labels, each in the
 * table, every row of the table written, and with -b a pid on every series
 * but the tracer's own.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gtable.h"
#include "promsnap.h"
#include "promstats.h"
#include "srcfile.h"
#include "xgotop_event.h"

#define MS 1000000ull

struct fixture {
	struct gtable *gt;
	struct promstats *ps;
};

static void feed(struct fixture *f, struct gev ev)
{
	promstats__observe(f->ps, f->gt, &ev);
	assert_int_equal(gtable__apply(f->gt, &ev), 0);
}

static void create(struct fixture *f, uint32_t pid, uint64_t ts, uint64_t goid, const char *func)
{
	feed(f, (struct gev){.kind = GEV_CREATE,
			     .ts = ts,
			     .pid = pid,
			     .goid = goid,
			     .to = XG_G_RUNNABLE,
			     .reason = GEV_NO_REASON,
			     .func = func});
}

static void state(struct fixture *f, uint32_t pid, uint64_t ts, uint64_t goid, uint8_t from,
		  uint8_t to, int reason, const char *reason_str)
{
	feed(f, (struct gev){.kind = GEV_STATE,
			     .ts = ts,
			     .pid = pid,
			     .goid = goid,
			     .from = from,
			     .to = to,
			     .reason = reason,
			     .reason_str = reason_str});
}

static void gexit(struct fixture *f, uint32_t pid, uint64_t ts, uint64_t goid)
{
	feed(f, (struct gev){.kind = GEV_EXIT,
			     .ts = ts,
			     .pid = pid,
			     .goid = goid,
			     .reason = GEV_NO_REASON});
}

/* An allocation of SIZE bytes by goroutine 5 (size class 3). */
static void alloc(struct fixture *f, uint32_t pid, uint64_t ts, uint8_t kind, uint64_t size)
{
	feed(f, (struct gev){.kind = GEV_ALLOC,
			     .ts = ts,
			     .pid = pid,
			     .goid = 5,
			     .reason = GEV_NO_REASON,
			     .alloc = {.kind = kind, .bucket = 3, .size = size}});
}

static char *write_text(struct fixture *f, struct promsnap_in *in, enum promfmt_flavor fl)
{
	struct promfmt *pf = promfmt__new(fl, 0);
	char *t = NULL;
	size_t len;

	in->gt = f->gt;
	in->ps = f->ps;
	assert_int_equal(promsnap__write(&pf, 1, in), 0);
	assert_int_equal(promfmt__finish(pf, &t, &len), 0);
	return t;
}

/* LINE is one whole line of T. */
static void has_line(const char *t, const char *line)
{
	size_t n = strlen(line);
	const char *p = t;

	while ((p = strstr(p, line))) {
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	fail_msg("no line '%s' in:\n%s", line, t);
}

static void no_text(const char *t, const char *s)
{
	if (strstr(t, s))
		fail_msg("unexpected '%s' in:\n%s", s, t);
}

/* Quotes, a backslash, UTF-8, a line feed and a byte that is no UTF-8 (U+FFFD). */
#define WEIRD "main.(*T).\"run\"\\caf\xc3\xa9\n\xff"

/* pid 7: 3 parked on chan receive, 1 on select, one running, one that lived 2 ms. */
static void scenario(struct fixture *f, uint32_t pid)
{
	uint64_t g;

	for (g = 1; g <= 3; g++) {
		create(f, pid, g * MS, g, "main.recv");
		state(f, pid, g * MS + 1, g, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, NULL);
		state(f, pid, g * MS + 2, g, XG_G_RUNNING, XG_G_WAITING, 14, "chan receive");
	}
	create(f, pid, 10 * MS, 4, WEIRD);
	state(f, pid, 10 * MS, 4, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, NULL);
	state(f, pid, 11 * MS, 4, XG_G_RUNNING, XG_G_WAITING, 15, "select");
	create(f, pid, 12 * MS, 5, "main.spin");
	state(f, pid, 12 * MS, 5, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, NULL);
	/* 6 waits 5 ms on a channel, then exits 2 ms after its creation + 5 ms... */
	create(f, pid, 20 * MS, 6, "main.once");
	state(f, pid, 20 * MS, 6, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, NULL);
	state(f, pid, 21 * MS, 6, XG_G_RUNNING, XG_G_WAITING, 14, "chan receive");
	state(f, pid, 26 * MS, 6, XG_G_WAITING, XG_G_RUNNABLE, GEV_NO_REASON, NULL);
	state(f, pid, 26 * MS, 6, XG_G_RUNNABLE, XG_G_RUNNING, GEV_NO_REASON, NULL);
	gexit(f, pid, 27 * MS, 6);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->gt = gtable__new(NULL);
	f->ps = promstats__new();
	*state = f;
	return f->gt && f->ps ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gtable__free(f->gt);
	promstats__free(f->ps);
	free(f);
	return 0;
}

static void test_one_process(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.pid = 7,
				 .exe = "/srv/app \"x\"",
				 .go_version = "go1.26.8",
				 .arch = "amd64",
				 .tracer = {.events = 42,
					    .drops = 0,
					    .bpf_ns_per_hit = -1,
					    .overhead_ratio = 0.25,
					    .capture_level = "states"}};
	char *t;

	scenario(f, 7);
	t = write_text(f, &in, PROMFMT_TEXT);
	has_line(t,
		 "xgotop_target_info{pid=\"7\",exe=\"/srv/app \\\"x\\\"\",go_version=\"go1.26.8\","
		 "arch=\"amd64\"} 1");
	has_line(t, "xgotop_goroutines{state=\"waiting\",wait_reason=\"chan receive\"} 3");
	has_line(t, "xgotop_goroutines{state=\"waiting\",wait_reason=\"select\"} 1");
	has_line(t, "xgotop_goroutines{state=\"running\",wait_reason=\"\"} 1");
	has_line(t, "xgotop_goroutines{state=\"runnable\",wait_reason=\"\"} 0");
	has_line(t, "xgotop_goroutines_by_function{function=\"main.recv\",state=\"waiting\"} 3");
	has_line(t, "xgotop_goroutines_by_function{function=\"main.(*T).\\\"run\\\"\\\\caf\xc3\xa9"
		    "\\n\xef\xbf\xbd\",state=\"waiting\"} 1");
	has_line(t, "xgotop_goroutines_by_function{function=\"main.spin\",state=\"running\"} 1");
	no_text(t, "main.once"); /* exited: not live */
	has_line(t, "xgotop_goroutines_created_total 6");
	has_line(t, "xgotop_goroutines_exited_total 1");
	/* Lifetime 7 ms: in le=0.01, not in le=0.001. */
	has_line(t, "xgotop_goroutine_lifetime_seconds_bucket{le=\"0.001\"} 0");
	has_line(t, "xgotop_goroutine_lifetime_seconds_bucket{le=\"0.01\"} 1");
	has_line(t, "xgotop_goroutine_lifetime_seconds_bucket{le=\"+Inf\"} 1");
	has_line(t, "xgotop_goroutine_lifetime_seconds_sum 0.007");
	has_line(t, "xgotop_goroutine_lifetime_seconds_count 1");
	/* One finished wait of 5 ms on chan receive; the parked ones have not finished. */
	has_line(t, "xgotop_goroutine_wait_seconds_bucket{wait_reason=\"chan "
		    "receive\",le=\"0.001\"} 0");
	has_line(
		t,
		"xgotop_goroutine_wait_seconds_bucket{wait_reason=\"chan receive\",le=\"0.01\"} 1");
	has_line(t, "xgotop_goroutine_wait_seconds_count{wait_reason=\"chan receive\"} 1");
	has_line(t, "xgotop_goroutine_wait_seconds_sum{wait_reason=\"chan receive\"} 0.005");
	no_text(t, "wait_seconds_count{wait_reason=\"select\"}");
	has_line(t, "xgotop_events_total 42");
	has_line(t, "xgotop_dropped_records_total 0");
	has_line(t, "xgotop_overhead_ratio 0.25");
	no_text(t, "xgotop_bpf_seconds_per_hit"); /* unknown: not written */
	no_text(t, "xgotop_probe_hits");	  /* no run-time statistics */
	has_line(t, "xgotop_capture_level{level=\"states\"} 1");
	has_line(t, "xgotop_capture_level{level=\"all\"} 0");
	no_text(t, "xgotop_alloc_bytes"); /* allocations not traced */
	no_text(t, "pid=\"7\",state");	  /* one process: no pid on the series */
	free(t);
}

static void test_top_functions(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {
		.pid = 7, .functions = 1, .tracer = {.bpf_ns_per_hit = -1, .overhead_ratio = -1}};
	char *t;

	scenario(f, 7);
	t = write_text(f, &in, PROMFMT_OPENMETRICS);
	has_line(t, "xgotop_goroutines_by_function{function=\"main.recv\",state=\"waiting\"} 3");
	has_line(t, "xgotop_goroutines_by_function{function=\"other\",state=\"waiting\"} 1");
	has_line(t, "xgotop_goroutines_by_function{function=\"other\",state=\"running\"} 1");
	no_text(t, "main.spin");
	/* OpenMetrics: the counter's family without _total, its sample with it, then # EOF. */
	has_line(t, "# TYPE xgotop_goroutines_created counter");
	has_line(t, "xgotop_goroutines_created_total 6");
	assert_non_null(strstr(t, "\n# EOF\n"));
	assert_string_equal(strstr(t, "\n# EOF\n"), "\n# EOF\n");
	free(t);
}

/* --metrics-functions not given: the default 50 functions, the rest as "other". */
static void test_default_functions(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.pid = 7, .tracer = {.bpf_ns_per_hit = -1, .overhead_ratio = -1}};
	static char names[PROMSNAP_DEFAULT_FUNCTIONS + 2][20]; /* "main.f" and an int */
	const char *p;
	char *t;
	int i, n = 0;

	for (i = 0; i < PROMSNAP_DEFAULT_FUNCTIONS + 2; i++) {
		snprintf(names[i], sizeof(names[i]), "main.f%02d", i);
		create(f, 7, (uint64_t)(i + 1) * MS, (uint64_t)i + 1, names[i]);
	}
	t = write_text(f, &in, PROMFMT_TEXT);
	for (p = t; (p = strstr(p, "\nxgotop_goroutines_by_function{function=\"main.f")); p++)
		n++;
	assert_int_equal(PROMSNAP_DEFAULT_FUNCTIONS, 50);
	assert_int_equal(n, 50);
	has_line(t, "xgotop_goroutines_by_function{function=\"other\",state=\"runnable\"} 2");
	free(t);
}

static void test_per_pid(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.per_pid = true,
				 .exe = "/bin/app",
				 .tracer = {.bpf_ns_per_hit = -1, .overhead_ratio = -1}};
	char *t;

	scenario(f, 7);
	scenario(f, 9);
	create(f, 9, 30 * MS, 50, "main.recv");
	t = write_text(f, &in, PROMFMT_TEXT);
	has_line(t, "xgotop_target_info{pid=\"7\",exe=\"/bin/app\",go_version=\"\",arch=\"\"} 1");
	has_line(t, "xgotop_target_info{pid=\"9\",exe=\"/bin/app\",go_version=\"\",arch=\"\"} 1");
	has_line(t,
		 "xgotop_goroutines{pid=\"7\",state=\"waiting\",wait_reason=\"chan receive\"} 3");
	has_line(t, "xgotop_goroutines{pid=\"9\",state=\"runnable\",wait_reason=\"\"} 1");
	has_line(t, "xgotop_goroutines_by_function{pid=\"9\",function=\"main.recv\",state="
		    "\"runnable\"} 1");
	has_line(t, "xgotop_goroutines_created_total{pid=\"7\"} 6");
	has_line(t, "xgotop_goroutines_created_total{pid=\"9\"} 7");
	has_line(t, "xgotop_goroutine_lifetime_seconds_count{pid=\"9\"} 1");
	has_line(t,
		 "xgotop_goroutine_wait_seconds_count{pid=\"7\",wait_reason=\"chan receive\"} 1");
	free(t);
}

/* GC: a cycle with a 50 us and a 300 us pause; a pause outside a cycle is not GC's. */
static void test_gc_and_allocs(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.pid = 7,
				 .alloc_traced = true,
				 .tracer = {.bpf_ns_per_hit = 900,
					    .overhead_ratio = -1,
					    .has_hits = true,
					    .probe_hits = 10,
					    .bpf_run_ns = 9000,
					    .capture_level = "all"}};
	struct gev g = {.kind = GEV_GC, .pid = 7, .reason = GEV_NO_REASON};
	char *t;

	scenario(f, 7);
	g.ts = 40 * MS, g.gc.phase = XG_GC_START, g.gc.cycle = 1;
	feed(f, g);
	g.ts = 41 * MS, g.gc.phase = XG_GC_STW_END, g.gc.dur_ns = 50000;
	feed(f, g);
	g.ts = 42 * MS, g.gc.phase = XG_GC_STW_END, g.gc.dur_ns = 300000;
	feed(f, g);
	g.ts = 42 * MS, g.gc.phase = XG_GC_END, g.gc.dur_ns = 2 * MS;
	feed(f, g);
	g.ts = 50 * MS, g.gc.phase = XG_GC_STW_END, g.gc.cycle = 0, g.gc.dur_ns = 7000;
	feed(f, g);
	alloc(f, 7, 43 * MS, XG_AK_SLICE, 100);
	alloc(f, 7, 44 * MS, XG_AK_SLICE, 28);
	t = write_text(f, &in, PROMFMT_TEXT);
	has_line(t, "xgotop_gc_cycles_total 1");
	has_line(t, "xgotop_gc_pause_seconds_bucket{le=\"2.5e-05\"} 0");
	has_line(t, "xgotop_gc_pause_seconds_bucket{le=\"5e-05\"} 1");
	has_line(t, "xgotop_gc_pause_seconds_bucket{le=\"0.0005\"} 2");
	has_line(t, "xgotop_gc_pause_seconds_count 2");
	has_line(t, "xgotop_gc_pause_seconds_sum 0.00035");
	has_line(t, "xgotop_alloc_bytes_total{kind=\"slice\"} 128");
	has_line(t, "xgotop_alloc_objects_total{kind=\"slice\"} 2");
	has_line(t, "xgotop_alloc_bytes_total{kind=\"map\"} 0");
	has_line(t, "xgotop_probe_hits_total 10");
	has_line(t, "xgotop_bpf_run_seconds_total 9e-06");
	has_line(t, "xgotop_bpf_seconds_per_hit 9e-07");
	has_line(t, "xgotop_capture_level{level=\"all\"} 1");
	no_text(t, "xgotop_overhead_ratio");
	free(t);
}

/* Off-CPU time charged to running goroutines, and the cgroup's limit and throttling. */
static void test_offcpu(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.pid = 7, .tracer = {.bpf_ns_per_hit = -1, .overhead_ratio = -1}};
	struct gev c = {.kind = GEV_CPU, .pid = 7, .tid = 70, .goid = 5, .reason = GEV_NO_REASON};
	char *t;

	scenario(f, 7);
	t = write_text(f, &in, PROMFMT_TEXT);
	no_text(t, "offcpu");
	no_text(t, "xgotop_cgroup");
	free(t);
	c.ts = 45 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_PREEMPTED, .a = 3 * MS};
	feed(f, c);
	c.ts = 46 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_PREEMPTED, .a = 1 * MS};
	feed(f, c);
	c.ts = 47 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_BLOCKED, .a = MS / 2};
	feed(f, c);
	c.goid = 0, c.tid = 0;
	c.ts = 48 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_LIMIT, .a = 20000, .b = 100000};
	feed(f, c);
	c.ts = 49 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_THROTTLE, .a = 12, .b = 2500 * MS};
	feed(f, c);
	t = write_text(f, &in, PROMFMT_TEXT);
	has_line(t, "xgotop_goroutine_offcpu_seconds_total{cause=\"preempted\"} 0.004");
	has_line(t, "xgotop_goroutine_offcpu_seconds_total{cause=\"blocked\"} 0.0005");
	has_line(t, "xgotop_cgroup_cpu_limit_cores 0.2");
	has_line(t, "xgotop_cgroup_throttled_periods_total 12");
	has_line(t, "xgotop_cgroup_throttled_seconds_total 2.5");
	free(t);
}

/* The table row of metric NAME: "| `NAME` | type | labels | meaning |", or NULL. */
static const char *doc_row(const char *md, const char *name)
{
	char *key;
	const char *p;

	assert_true(asprintf(&key, "\n| `%s` | ", name) > 0);
	p = strstr(md, key);
	free(key);
	return p ? p + 1 : NULL;
}

/* The row's column I (0: the name), trimmed, into OUT. */
static void doc_col(const char *row, int i, char *out, size_t len)
{
	const char *b = row + 1, *e;

	while (i--)
		b = strchr(b, '|') + 1;
	e = strchr(b, '|');
	while (*b == ' ')
		b++;
	while (e > b && e[-1] == ' ')
		e--;
	snprintf(out, len, "%.*s", (int)(e - b), b);
}

/* Every # TYPE of T is a row of MD with that type; every row of MD is a # TYPE of T. */
static void doc_types(const char *md, const char *t)
{
	char name[128], type[32], col[32], *key;
	const char *p, *row;

	for (p = t; (p = strstr(p, "# TYPE ")); p++) {
		assert_int_equal(sscanf(p, "# TYPE %127s %31s", name, type), 2);
		row = doc_row(md, name);
		if (!row)
			fail_msg("%s is not in docs/METRICS.md's table", name);
		doc_col(row, 1, col, sizeof(col));
		if (strcmp(col, type))
			fail_msg("%s: docs/METRICS.md says %s, written as %s", name, col, type);
	}
	for (p = md; (p = strstr(p, "\n| `xgotop_")); p++) {
		assert_int_equal(sscanf(p, "\n| `%127[a-z_]`", name), 1);
		assert_true(asprintf(&key, "# TYPE %s ", name) > 0);
		if (!strstr(t, key))
			fail_msg("docs/METRICS.md's %s is not written:\n%s", name, t);
		free(key);
	}
}

/* The family of sample NAME: itself, or a histogram's without _bucket, _sum, _count. */
static void family_of(const char *t, char *name)
{
	static const char *const sfx[] = {"_bucket", "_sum", "_count"};
	size_t i, n = strlen(name), k;
	char key[160];

	for (i = 0; i < 3; i++) {
		k = strlen(sfx[i]);
		if (n <= k || strcmp(name + n - k, sfx[i]))
			continue;
		snprintf(key, sizeof(key), "# TYPE %.*s histogram\n", (int)(n - k), name);
		if (strstr(t, key)) {
			name[n - k] = '\0';
			return;
		}
	}
}

/* Label names of the sample line at P ("a,b,"), past its value's closing quote each. */
static void label_names(const char *p, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	p += strcspn(p, "{ \n");
	while (*p != '}' && *p != ' ' && *p != '\n') {
		const char *eq = strchr(p + 1, '=');

		o += (size_t)snprintf(out + o, len - o, "%.*s,", (int)(eq - p - 1), p + 1);
		for (p = eq + 2; *p != '"'; p++)
			if (*p == '\\')
				p++;
		p++; /* to the ',' or the '}' */
	}
}

/* The tracer's own families: one per tracer, no pid even with -b. */
static bool tracers_own(const char *family)
{
	static const char *const own[] = {
		"xgotop_events_total",		"xgotop_records_total",
		"xgotop_dropped_records_total", "xgotop_probe_hits_total",
		"xgotop_bpf_run_seconds_total", "xgotop_bpf_seconds_per_hit",
		"xgotop_overhead_ratio",	"xgotop_capture_level"};
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!strcmp(family, own[i]))
			return true;
	return false;
}

/* Each sample's labels are its row's (but le; pid on every series but the tracer's own). */
static void doc_labels(const char *md, const char *t)
{
	char name[128], names[256], col[256], want[256], *w;
	const char *p, *c;

	for (p = t; *p; p = strchr(p, '\n') + 1) {
		if (*p == '#')
			continue;
		assert_int_equal(sscanf(p, "%127[a-z_]", name), 1);
		family_of(t, name);
		label_names(p, names, sizeof(names));
		doc_col(doc_row(md, name), 2, col, sizeof(col));
		/* The row's `label`s, in order, then pid first unless the row has it. */
		w = want;
		*w = '\0';
		if (!tracers_own(name) && !strstr(col, "`pid`"))
			w = stpcpy(w, "pid,");
		for (c = col; (c = strchr(c, '`')); c = strchr(c + 1, '`') + 1)
			w += sprintf(w, "%.*s,", (int)(strchr(c + 1, '`') - c - 1), c + 1);
		if (strstr(names, "le,"))
			strcpy(w, "le,");
		if (strcmp(names, want))
			fail_msg("%.*s: labels %s, docs/METRICS.md (and -b) say %s",
				 (int)(strchr(p, '\n') - p), p, names, want);
	}
}

/* With -b and every kind of event: the docs' table is what is written. */
static void test_docs(void **st)
{
	struct fixture *f = *st;
	struct promsnap_in in = {.per_pid = true,
				 .exe = "/bin/app",
				 .alloc_traced = true,
				 .tracer = {.bpf_ns_per_hit = 900,
					    .overhead_ratio = 0.01,
					    .has_hits = true,
					    .probe_hits = 10,
					    .bpf_run_ns = 9000,
					    .capture_level = "all"}};
	struct gev g = {.kind = GEV_GC, .pid = 9, .reason = GEV_NO_REASON, .ts = 40 * MS};
	struct gev c = {.kind = GEV_CPU, .pid = 9, .tid = 90, .goid = 5, .reason = GEV_NO_REASON};
	char *t, *md = srcfile_slurp("docs/METRICS.md");

	scenario(f, 7);
	scenario(f, 9);
	g.gc.phase = XG_GC_START, g.gc.cycle = 1;
	feed(f, g);
	g.gc.phase = XG_GC_STW_END, g.gc.dur_ns = 50000;
	feed(f, g);
	g.gc.phase = XG_GC_END;
	feed(f, g);
	alloc(f, 9, 43 * MS, XG_AK_MAP, 48);
	c.ts = 45 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_PREEMPTED, .a = MS};
	feed(f, c);
	c.goid = 0, c.tid = 0;
	c.ts = 48 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_LIMIT, .a = 20000, .b = 100000};
	feed(f, c);
	c.ts = 49 * MS, c.cpu = (struct gev_cpu){.what = GEV_CPU_THROTTLE, .a = 1, .b = MS};
	feed(f, c);
	t = write_text(f, &in, PROMFMT_TEXT);
	doc_types(md, t);
	doc_labels(md, t);
	free(t);
	free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_and_allocs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
