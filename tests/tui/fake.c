// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
#include "fake.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "stackset.h"
#include "views.h"
#include "xgotop_event.h"

#define MS  1000000ull
#define S   1000000000ull
#define PID 4242

static int pump(void *ctx, int timeout_ms)
{
	(void)timeout_ms;
	((struct fake *)ctx)->pumps++;
	return 0;
}

static const struct gtable *table(void *ctx)
{
	return ((struct fake *)ctx)->gt;
}

static void info(void *ctx, struct xg_target_info *out)
{
	*out = ((struct fake *)ctx)->info;
}

static void meters(void *ctx, struct xg_meters *out)
{
	struct fake *f = ctx;

	*out = f->meters[f->next_meter % f->n_meters];
	f->next_meter++;
}

static uint64_t now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static const struct stackset *stacks(void *ctx)
{
	return ((struct fake *)ctx)->stacks;
}

static void stacks_want(void *ctx, uint32_t pid, uint64_t goid)
{
	struct fake *f = ctx;

	(void)pid;
	f->wants++;
	f->want_goid = goid;
}

static const struct xg_source_ops ops = {
	.pump = pump,
	.table = table,
	.info = info,
	.meters = meters,
	.now = now,
	.stacks = stacks,
	.stacks_want = stacks_want,
};

static void apply(struct fake *f, struct gev ev)
{
	ev.pid = PID;
	if (!ev.reason && ev.kind != GEV_STATE)
		ev.reason = GEV_NO_REASON;
	if (f->late && ev.ts > FAKE_MARK) {
		if (f->n_late == f->cap_late) {
			f->cap_late *= 2;
			f->late = realloc(f->late, f->cap_late * sizeof(*f->late));
			if (!f->late)
				abort();
		}
		f->late[f->n_late] = (struct fake_late){ev, f->n_late};
		f->n_late++;
		return;
	}
	if (gtable__apply(f->gt, &ev)) {
		fprintf(stderr, "fake: gtable__apply failed\n");
		abort();
	}
}

static void create(struct fake *f, uint64_t ts, uint64_t goid, uint64_t parent, const char *func,
		   const char *by, const char *file, int line)
{
	apply(f, (struct gev){.kind = GEV_CREATE,
			      .ts = ts,
			      .goid = goid,
			      .parent = parent,
			      .func = func,
			      .created_by = by,
			      .file = file,
			      .line = line,
			      .reason = GEV_NO_REASON});
	/* The runtime's own dead -> runnable follows the creation. */
	apply(f, (struct gev){.kind = GEV_STATE,
			      .ts = ts,
			      .goid = goid,
			      .from = XG_G_DEAD,
			      .to = XG_G_RUNNABLE,
			      .reason = GEV_NO_REASON});
}

static void state(struct fake *f, uint64_t ts, uint64_t goid, uint8_t from, uint8_t to, int reason,
		  const char *reason_str)
{
	apply(f, (struct gev){.kind = GEV_STATE,
			      .ts = ts,
			      .goid = goid,
			      .from = from,
			      .to = to,
			      .reason = to == XG_G_WAITING ? reason : GEV_NO_REASON,
			      .reason_str = to == XG_G_WAITING ? reason_str : NULL});
}

static void leave(struct fake *f, uint64_t ts, uint64_t goid)
{
	apply(f, (struct gev){.kind = GEV_EXIT, .ts = ts, .goid = goid, .reason = GEV_NO_REASON});
}

/* A worker: runs RUN, sleeps SLEEP, over [FROM, TO); ends in whatever state TO falls in. */
static void work(struct fake *f, uint64_t goid, uint64_t from, uint64_t to, uint64_t run,
		 uint64_t sleep, uint64_t phase)
{
	uint64_t t = from + phase;
	uint8_t cur = XG_G_RUNNABLE;

	while (t < to) {
		state(f, t, goid, cur, XG_G_RUNNING, 0, NULL);
		cur = XG_G_RUNNING;
		if (t + run >= to)
			break;
		t += run;
		state(f, t, goid, cur, XG_G_WAITING, 19, "sleep");
		cur = XG_G_WAITING;
		t += sleep;
		if (t >= to)
			break;
		state(f, t, goid, cur, XG_G_RUNNABLE, 0, NULL);
		cur = XG_G_RUNNABLE;
		t += 1 * MS;
	}
}

/* Running for TS - since, its thread off the CPU for A ns of it until TS. */
static void off_cpu(struct fake *f, uint64_t ts, uint64_t goid, uint8_t what, uint64_t a)
{
	apply(f,
	      (struct gev){.kind = GEV_CPU, .ts = ts, .goid = goid, .cpu = {.what = what, .a = a}});
}

/*
 * FAKE_CPU: G22 (running since -390ms) off the CPU 230ms of it so far,
 * preempted 150ms and blocked 80ms; G23, a throttled worker, off 500ms of a
 * 600ms span, then running on its CPU from -100ms.
 */
static void add_cpu(struct fake *f)
{
	off_cpu(f, FAKE_NOW - 100 * MS, 22, GEV_CPU_PREEMPTED, 150 * MS);
	off_cpu(f, FAKE_NOW - 20 * MS, 22, GEV_CPU_BLOCKED, 80 * MS);
	create(f, FAKE_NOW - 900 * MS, 23, 1, "main.throttled", "main.main",
	       "/src/workload/main.go", 97);
	state(f, FAKE_NOW - 890 * MS, 23, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	off_cpu(f, FAKE_NOW - 300 * MS, 23, GEV_CPU_PREEMPTED, 500 * MS);
	state(f, FAKE_NOW - 290 * MS, 23, XG_G_RUNNING, XG_G_WAITING, 19, "sleep");
	state(f, FAKE_NOW - 100 * MS, 23, XG_G_WAITING, XG_G_RUNNABLE, 0, NULL);
	state(f, FAKE_NOW - 100 * MS, 23, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
}

/* By time, then as generated: a goroutine's events keep their order. */
static int by_ts(const void *pa, const void *pb)
{
	const struct fake_late *a = pa, *b = pb;

	if (a->ev.ts != b->ev.ts)
		return a->ev.ts < b->ev.ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct fake *fake__new(void)
{
	return fake__new_with(0);
}

struct fake *fake__new_with(unsigned int what)
{
	struct fake *f = calloc(1, sizeof(*f));
	uint64_t T = FAKE_T0, g;
	int i;

	f->gt = gtable__new(&(struct gtable_opts){.keep_exited_ns = 600 * S});
	f->now = FAKE_NOW;
	f->cap_late = 256;
	f->late = malloc(f->cap_late * sizeof(*f->late));
	if (!f->late)
		abort();
	f->src.ops = &ops;
	f->src.ctx = f;
	f->info.pid = PID;
	snprintf(f->info.path, sizeof(f->info.path), "/srv/bin/workload");
	snprintf(f->info.go_version, sizeof(f->info.go_version), "go1.26.8");
	snprintf(f->info.arch, sizeof(f->info.arch), "amd64");
	snprintf(f->info.mode, sizeof(f->info.mode), "LIVE");
	snprintf(f->info.probes, sizeof(f->info.probes), "runtime.casgstatus");

	/* G1 main.main and G3, seen first at the start: created before tracing. */
	state(f, T, 1, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	state(f, T + 150 * MS, 1, XG_G_RUNNING, XG_G_WAITING, 9, "select");
	state(f, T + 9000 * MS, 1, XG_G_WAITING, XG_G_RUNNABLE, 0, NULL);
	state(f, T + 9001 * MS, 1, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	state(f, T + 9200 * MS, 1, XG_G_RUNNING, XG_G_WAITING, 7, "chan receive");
	state(f, T + 10 * MS, 3, XG_G_RUNNING, XG_G_WAITING, 16, "force gc (idle)");

	/* The producer, blocked sending most of the time. */
	create(f, T + 100 * MS, 7, 1, "main.producer", "main.main", "/src/workload/main.go", 59);
	for (i = 0; i < 20; i++) {
		uint64_t t = T + 8000 * MS + (uint64_t)i * 100 * MS;

		state(f, t, 7, i ? XG_G_WAITING : XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
		state(f, t + 2 * MS, 7, XG_G_RUNNING, XG_G_WAITING, 8, "chan send");
	}

	/* Four workers, each ending in a different state. */
	for (g = 8; g < 12; g++)
		create(f, T + 100 * MS, g, 1, "main.main.func1", "main.main",
		       "/src/workload/main.go", 63);
	work(f, 8, T + 8000 * MS, FAKE_NOW, 30 * MS, 40 * MS, 0);
	work(f, 9, T + 8000 * MS, FAKE_NOW - 3 * MS, 20 * MS, 60 * MS, 10 * MS);
	state(f, FAKE_NOW - 3 * MS, 9, XG_G_WAITING, XG_G_RUNNABLE, 0, NULL);
	work(f, 10, T + 8000 * MS, FAKE_NOW - 400 * MS, 5 * MS, 45 * MS, 20 * MS);
	state(f, FAKE_NOW - 400 * MS, 10, XG_G_RUNNING, XG_G_WAITING, 19, "sleep");
	work(f, 11, T + 8000 * MS, FAKE_NOW - 700 * MS, 10 * MS, 50 * MS, 30 * MS);
	state(f, FAKE_NOW - 700 * MS, 11, XG_G_RUNNING, XG_G_SYSCALL, 0, NULL);

	/* Spinners: one running now, one exited a second ago, one long gone. */
	create(f, T + 2000 * MS, 20, 1, "main.spinner", "main.main", "/src/workload/main.go", 85);
	state(f, T + 2000 * MS, 20, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	leave(f, T + 2020 * MS, 20);
	create(f, T + 9000 * MS, 21, 1, "main.spinner", "main.main", "/src/workload/main.go", 85);
	state(f, T + 9000 * MS, 21, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	leave(f, T + 9020 * MS, 21);
	create(f, T + 9600 * MS, 22, 1, "main.spinner", "main.main", "/src/workload/main.go", 85);
	state(f, T + 9610 * MS, 22, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);

	/* A server goroutine with a long name, and a preempted one with a longer one. */
	create(f, T + 3000 * MS, 30, 7, "net/http.(*conn).serve", "net/http.(*Server).Serve",
	       "/usr/lib/go/src/net/http/server.go", 3285);
	state(f, T + 3001 * MS, 30, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	state(f, T + 3005 * MS, 30, XG_G_RUNNING, XG_G_WAITING, 2, "IO wait");
	create(f, T + 5000 * MS, 31, 30,
	       "github.com/example/very/long/package/path/internal/worker.(*Pool).run.func2",
	       "github.com/example/very/long/package/path/internal/worker.(*Pool).Start",
	       "/src/worker/pool.go", 120);
	state(f, T + 9500 * MS, 31, XG_G_RUNNABLE, XG_G_RUNNING, 0, NULL);
	state(f, T + 9940 * MS, 31, XG_G_RUNNING, XG_G_PREEMPTED, 0, NULL);

	if (what & FAKE_CPU)
		add_cpu(f);

	/* Up to FAKE_MARK, an interval closed; then the rest in time order, closed at FAKE_NOW. */
	gtable__interval(f->gt, FAKE_MARK);
	qsort(f->late, f->n_late, sizeof(*f->late), by_ts);
	{
		struct fake_late *late = f->late;
		size_t n = f->n_late, k;

		f->late = NULL;
		for (k = 0; k < n; k++)
			apply(f, late[k].ev);
		free(late);
	}
	gtable__interval(f->gt, FAKE_NOW);

	/* Meters: a steady trace, rising a little. */
	for (i = 0; i < 40; i++) {
		struct xg_meters *s = &f->meters[i];

		s->ts = FAKE_T0 + (uint64_t)i * S;
		s->rps = 1000 + i * 25;
		s->pps = s->rps;
		s->ewp = 12 + (uint64_t)(i % 5);
		s->prc_ns = 850 + (i % 7) * 10;
		s->drops = 0;
		s->lat_ns = -1;
		s->ovh_pct = -1;
	}
	f->n_meters = 40;
	return f;
}

/* ---- allocations and GC --------------------------------------------------- */

/* Go's class_to_size (runtime/sizeclasses.go, the same from go1.19 to go1.26). */
static const uint32_t class_size[XG_ALLOC_NCLASSES] = {
	0,     8,     16,    24,    32,	   48,	  64,	 80,	96,    112,   128,   144,
	160,   176,   192,   208,   224,   240,	  256,	 288,	320,   352,   384,   416,
	448,   480,   512,   576,   640,   704,	  768,	 896,	1024,  1152,  1280,  1408,
	1536,  1792,  2048,  2304,  2688,  3072,  3200,	 3456,	4096,  4864,  5376,  6144,
	6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

static unsigned int bucket_of(uint64_t size)
{
	unsigned int c;

	if (size < XG_ALLOC_TINY_SIZE)
		return XG_ALLOC_TINY;
	for (c = 1; c < XG_ALLOC_NCLASSES; c++)
		if (size <= class_size[c])
			return c;
	return XG_ALLOC_LARGE;
}

/* Who allocates what: goroutine, kind, size, how many. */
static const struct {
	uint64_t goid;
	uint8_t kind;
	uint64_t size;
	unsigned int n;
	const char *type;
} alloc_plan[] = {
	{1, XG_AK_GOROUTINE, 440, 12, "runtime.g"},
	{1, XG_AK_OTHER, 128, 30, NULL},
	{7, XG_AK_CHAN, 96, 1, "chan main.job"},
	{7, XG_AK_OBJECT, 48, 500, "main.job"},
	{7, XG_AK_STRING, 5, 200, NULL},
	{8, XG_AK_SLICE, 40000, 2, "uint8"},
	{30, XG_AK_SLICE, 8192, 6, "uint8"},
	{30, XG_AK_OBJECT, 160, 80, "net/http.response"},
	{30, XG_AK_STRING, 384, 40, NULL},
	{30, XG_AK_APPEND, 3072, 12, "uint8"},
	{30, XG_AK_SLICE, 20480, 3, "uint8"},
	{30, XG_AK_STRING, 2688, 15, NULL},
	{31, XG_AK_APPEND, 18432, 2, "worker.task"},
	{31, XG_AK_OBJECT, 1152, 20, "worker.state"},
	{31, XG_AK_MAP, 576, 8, NULL},
	{31, XG_AK_SLICE, 10880, 4, "int64"},
	{0, XG_AK_OTHER, 32, 7, NULL},
};

static void alloc_one(struct fake *f, uint64_t goid, uint8_t kind, uint64_t size, const char *type,
		      uint64_t hist[2][XG_ALLOC_BUCKETS], bool events)
{
	unsigned int b = bucket_of(size);

	hist[0][b]++;
	hist[1][b] += size;
	if (events)
		apply(f, (struct gev){.kind = GEV_ALLOC,
				      .ts = FAKE_NOW - 500 * MS,
				      .goid = goid,
				      .alloc = {.kind = kind,
						.bucket = (uint8_t)b,
						.size = size,
						.type = type}});
}

static void add_allocs(struct fake *f, bool events)
{
	uint64_t hist[2][XG_ALLOC_BUCKETS] = {{0}};
	unsigned int i, j, g;

	for (i = 0; i < sizeof(alloc_plan) / sizeof(alloc_plan[0]); i++)
		for (j = 0; j < alloc_plan[i].n; j++)
			alloc_one(f, alloc_plan[i].goid, alloc_plan[i].kind, alloc_plan[i].size,
				  alloc_plan[i].type, hist, events);
	/* The four workers, a little more each. */
	for (g = 8; g < 12; g++) {
		for (j = 0; j < 200 + 50 * (g - 8); j++)
			alloc_one(f, g, XG_AK_OBJECT, 24, "main.result", hist, events);
		for (j = 0; j < 120; j++)
			alloc_one(f, g, XG_AK_OBJECT, 40, "main.node", hist, events);
		for (j = 0; j < 30; j++)
			alloc_one(f, g, XG_AK_SLICE, 640, "main.Elem", hist, events);
		for (j = 0; j < 400; j++)
			alloc_one(f, g, XG_AK_STRING, 12, NULL, hist, events);
		for (j = 0; j < 25; j++)
			alloc_one(f, g, XG_AK_APPEND, 1024, "int64", hist, events);
		for (j = 0; j < 10; j++)
			alloc_one(f, g, XG_AK_MAP, 208, NULL, hist, events);
	}
	/* The histogram as the tracer reads it from BPF: cumulative per bucket. */
	for (i = 0; i < XG_ALLOC_BUCKETS; i++)
		if (hist[0][i])
			apply(f, (struct gev){.kind = GEV_ALLOC_HIST,
					      .ts = FAKE_NOW - 200 * MS,
					      .hist = {.bucket = (uint8_t)i,
						       .class_size = i == XG_ALLOC_TINY ? 16
								     : i == XG_ALLOC_LARGE
									     ? 0
									     : class_size[i],
						       .count = hist[0][i],
						       .bytes = hist[1][i]}});
}

static void gc_ev(struct fake *f, uint64_t ts, uint8_t phase, struct gev_gc gc)
{
	gc.phase = phase;
	if (!gc.reason && !gc.reason_str)
		gc.reason = GEV_NO_REASON;
	apply(f, (struct gev){.kind = GEV_GC, .ts = ts, .gc = gc});
}

/* Cycle N from T: its two pauses (P1, P2 ns) around a mark phase; DUR 0: still marking. */
static void gc_cycle(struct fake *f, uint32_t n, uint64_t t, uint64_t dur, uint64_t p1, uint64_t p2,
		     uint32_t trigger)
{
	uint64_t mark_end = t + dur - p2 + 20000;

	gc_ev(f, t, XG_GC_STW_START,
	      (struct gev_gc){.reason = 1, .reason_str = "GC sweep termination"});
	gc_ev(f, t + 10000, XG_GC_START,
	      (struct gev_gc){.cycle = n, .trigger = trigger, .procs = 4});
	gc_ev(f, t + p1, XG_GC_STW_END,
	      (struct gev_gc){.reason = 1, .reason_str = "GC sweep termination", .dur_ns = p1});
	if (!dur)
		return;
	gc_ev(f, t + dur - p2, XG_GC_STW_START,
	      (struct gev_gc){.reason = 2, .reason_str = "GC mark termination"});
	gc_ev(f, mark_end, XG_GC_MARK_TERM, (struct gev_gc){.cycle = n});
	gc_ev(f, mark_end + 10000, XG_GC_SWEEP, (struct gev_gc){.cycle = n});
	gc_ev(f, t + dur, XG_GC_STW_END,
	      (struct gev_gc){.reason = 2, .reason_str = "GC mark termination", .dur_ns = p2});
	gc_ev(f, t + dur, XG_GC_END,
	      (struct gev_gc){.cycle = n,
			      .dur_ns = dur,
			      .n_stw = 2,
			      .stw_ns = p1 + p2,
			      .stw_max_ns = p1 > p2 ? p1 : p2,
			      .mark_ns = mark_end - t});
}

static void add_gc(struct fake *f)
{
	uint32_t n;

	/* Twelve cycles, one forced by runtime.GC(), one by the 2-minute timer; the 13th marking
	 * now. */
	for (n = 1; n <= 12; n++) {
		gc_cycle(f, n, FAKE_T0 + 500 * MS + (uint64_t)(n - 1) * 790 * MS,
			 (3 + n % 5) * MS + n * 37000, 40000 + n * 3000, 90000 + (n % 3) * 60000,
			 n == 6	  ? 2
			 : n == 9 ? 1
				  : 0);
		if (n != 9)
			continue;
		/* ReadMemStats stops the world outside any cycle. */
		gc_ev(f, FAKE_T0 + 7000 * MS, XG_GC_STW_START,
		      (struct gev_gc){.reason = 4, .reason_str = "read mem stats"});
		gc_ev(f, FAKE_T0 + 7000 * MS + 30000, XG_GC_STW_END,
		      (struct gev_gc){
			      .reason = 4, .reason_str = "read mem stats", .dur_ns = 30000});
	}
	gc_cycle(f, 13, FAKE_NOW - 2 * MS, 0, 55000, 0, 0);
}

/* ---- stacks ---------------------------------------------------------------- */

#define RT   "/usr/lib/go/src/runtime/"
#define MAIN "/src/workload/main.go"
#define PARK                                        \
	{                                           \
		"runtime.gopark", RT "proc.go", 435 \
	}

static uint32_t stack_of(struct fake *f, const struct stk_frame *fr, uint32_t n)
{
	uint32_t id = stackset__intern(f->stacks, fr, n);

	if (!id)
		abort();
	return id;
}

/* Sweep K of 6 (0 oldest). */
static void sweep(struct fake *f, int k, const uint32_t *id)
{
	static const struct {
		uint64_t goid;
		int stack; /* index into ID, -1: running */
		uint8_t status;
		uint64_t since; /* ms after FAKE_T0 */
	} gs[] = {
		{1, 0, XG_G_WAITING, 9200}, {3, 1, XG_G_WAITING, 10},  {7, 2, XG_G_WAITING, 9902},
		{8, -1, XG_G_RUNNING, 0},   {9, 3, XG_G_RUNNABLE, 0},  {10, 3, XG_G_WAITING, 9600},
		{11, 5, XG_G_SYSCALL, 0},   {22, -1, XG_G_RUNNING, 0}, {30, 4, XG_G_WAITING, 3005},
		{31, 6, XG_G_PREEMPTED, 0},
	};
	uint64_t ts = k == 5 ? FAKE_NOW - 500 * MS : FAKE_NOW - (uint64_t)(10 - 2 * k) * S;
	size_t i;
	int j;

	stackset__sweep_begin(f->stacks, ts);
	for (i = 0; i < sizeof(gs) / sizeof(gs[0]); i++) {
		struct stk_entry e = {.pid = PID,
				      .goid = gs[i].goid,
				      .stack = gs[i].stack < 0 ? 0 : id[gs[i].stack],
				      .status = gs[i].status,
				      .what = gs[i].stack < 0 ? STK_RUNNING : STK_OK,
				      .wait_since = gs[i].since ? FAKE_T0 + gs[i].since * MS : 0};

		if (stackset__sweep_add(f->stacks, &e))
			abort();
	}
	/* main.leaky: 5 more goroutines at each sweep, all parked since the start. */
	for (j = 0; j < 5 * (k + 1); j++) {
		struct stk_entry e = {.pid = PID,
				      .goid = 100 + (uint64_t)j,
				      .stack = id[7],
				      .status = XG_G_WAITING,
				      .what = STK_OK,
				      .wait_since = FAKE_T0};

		if (stackset__sweep_add(f->stacks, &e))
			abort();
	}
	if (stackset__sweep_end(f->stacks))
		abort();
}

static void add_stacks(struct fake *f)
{
	const struct stk_frame s0[] = {PARK,
				       {"runtime.chanrecv", RT "chan.go", 664},
				       {"runtime.chanrecv1", RT "chan.go", 506},
				       {"main.main", MAIN, 70}};
	const struct stk_frame s1[] = {PARK, {"runtime.forcegchelper", RT "proc.go", 348}};
	const struct stk_frame s2[] = {PARK,
				       {"runtime.chansend", RT "chan.go", 283},
				       {"runtime.chansend1", RT "chan.go", 161},
				       {"main.producer", MAIN, 61}};
	const struct stk_frame s3[] = {{"time.Sleep", RT "time.go", 363},
				       {"main.main.func1", MAIN, 66}};
	const struct stk_frame s4[] = {
		{"internal/poll.runtime_pollWait", RT "netpoll.go", 351},
		{"internal/poll.(*pollDesc).wait",
		 "/usr/lib/go/src/internal/poll/fd_poll_runtime.go", 84},
		{"net.(*conn).Read", "/usr/lib/go/src/net/net.go", 194},
		{"net/http.(*conn).serve", "/usr/lib/go/src/net/http/server.go", 2102}};
	const struct stk_frame s5[] = {
		{"syscall.Syscall", "/usr/lib/go/src/syscall/syscall_linux.go", 73},
		{"os.(*File).Read", "/usr/lib/go/src/os/file.go", 124},
		{"main.main.func1", MAIN, 65}};
	const struct stk_frame s6[] = {
		{"github.com/example/very/long/package/path/internal/worker.(*Pool).run.func2",
		 "/src/worker/pool.go", 130}};
	const struct stk_frame s7[] = {PARK,
				       {"runtime.chanrecv", RT "chan.go", 664},
				       {"runtime.chanrecv1", RT "chan.go", 506},
				       {"main.leaky", MAIN, 97}};
	struct stk_leak_opts lo = {.sweeps = 5, .wait_ns = 5 * S};
	uint32_t id[8];
	int k;

	f->stacks = stackset__new();
	if (!f->stacks)
		abort();
	stackset__set_leak(f->stacks, &lo);
	id[0] = stack_of(f, s0, 4);
	id[1] = stack_of(f, s1, 2);
	id[2] = stack_of(f, s2, 4);
	id[3] = stack_of(f, s3, 2);
	id[4] = stack_of(f, s4, 4);
	id[5] = stack_of(f, s5, 3);
	id[6] = stack_of(f, s6, 1);
	id[7] = stack_of(f, s7, 4);
	for (k = 0; k < 6; k++)
		sweep(f, k, id);
}

/*
 * The runtime's heap counters, two reads a second apart: classes 2 (16 B),
 * 5 (48 B), 26 (512 B), 44 (4 KiB), large; 1 MB/s and 3000 objects a second
 * between them.
 */
static void add_heap(struct fake *f)
{
	static const struct {
		uint8_t cls;
		uint32_t size;
		uint64_t allocs, frees;
	} classes[] = {
		{2, 16, 52000, 40000}, {5, 48, 31000, 20000},	   {26, 512, 2400, 2000},
		{44, 4096, 300, 250},  {XG_ALLOC_LARGE, 0, 12, 9},
	};
	uint64_t ts[2] = {FAKE_NOW - 1400 * MS, FAKE_NOW - 400 * MS};
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		uint64_t na = 0, nf = 0, ba = 0, bf = 0;

		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
			struct gev_heap h = {.cls = classes[i].cls, .class_size = classes[i].size};
			/* The second read: 3000 more 16-byte and ... objects, 1 MB more in all. */
			uint64_t more = k ? (i == 0 ? 2000 : i == 1 ? 1000 : 0) : 0;

			h.allocs = classes[i].allocs + more;
			h.frees = classes[i].frees;
			h.alloc_bytes = h.allocs * h.class_size;
			h.free_bytes = h.frees * h.class_size;
			if (h.cls == XG_ALLOC_LARGE) {
				h.alloc_bytes = h.allocs * 65536 + (k ? 1000000 - 80000 : 0);
				h.free_bytes = h.frees * 65536;
			}
			na += h.allocs;
			nf += h.frees;
			ba += h.alloc_bytes;
			bf += h.free_bytes;
			apply(f, (struct gev){.kind = GEV_HEAP_CLASS, .ts = ts[k], .heap = h});
		}
		apply(f, (struct gev){.kind = GEV_HEAP,
				      .ts = ts[k],
				      .heap = {.allocs = na,
					       .frees = nf,
					       .alloc_bytes = ba,
					       .free_bytes = bf,
					       .tiny = k ? 9100 : 9000}});
	}
}

void fake__add(struct fake *f, unsigned int what)
{
	char *p = f->info.probes;
	size_t len = sizeof(f->info.probes);

	if (what & FAKE_STACKS)
		add_stacks(f);
	if (what & (FAKE_ALLOC_EVENTS | FAKE_ALLOC_HIST)) {
		add_allocs(f, what & FAKE_ALLOC_EVENTS);
		strncat(p, ",runtime.mallocgc,runtime.makemap", len - strlen(p) - 1);
	}
	if (what & FAKE_HEAP)
		add_heap(f);
	if (what & FAKE_GC) {
		add_gc(f);
		strncat(p,
			",runtime.(*gcControllerState).startCycle,runtime.gcMarkTermination,"
			"runtime.gcSweep,runtime.stopTheWorldWithSema,runtime."
			"startTheWorldWithSema",
			len - strlen(p) - 1);
	}
}

void fake__free(struct fake *f)
{
	if (!f)
		return;
	gtable__free(f->gt);
	stackset__free(f->stacks);
	free(f);
}

void fake__model(struct fake *f, struct tui_model *m, struct tui_theme *th, int nsamples)
{
	int i;

	model__init(m, &f->src, 1.0);
	m->theme = th;
	/* 12:00:10 (UTC) at FAKE_NOW. */
	m->wall_off = (int64_t)(12 * 3600 + 10) * (int64_t)S - (int64_t)FAKE_NOW;
	f->next_meter = 0;
	for (i = 0; i < nsamples; i++)
		model__sample_meters(m);
	model__refresh(m);
	m->start_ts = FAKE_T0;
	m->created_rate = 1.5;
	m->exited_rate = 0.5;
}

/* ---- off-screen rendering ------------------------------------------------ */

static SCREEN *scr;
static FILE *out, *in;
static WINDOW *last;

void render__init(bool utf8)
{
	setenv("TZ", "UTC", 1);
	tzset();
	if (!setlocale(LC_CTYPE, utf8 ? "C.UTF-8" : "C")) {
		fprintf(stderr, "render: no C.UTF-8 locale\n");
		abort();
	}
	if (scr)
		return;
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "render: no terminfo for xterm-256color\n");
		abort();
	}
	set_term(scr);
	start_color();
	theme__init_pairs(TUI_SCHEME_256);
}

void render__end(void)
{
	if (last)
		delwin(last);
	last = NULL;
	if (scr) {
		endwin();
		delscreen(scr);
	}
	scr = NULL;
	if (out)
		fclose(out);
	if (in)
		fclose(in);
	out = in = NULL;
}

char *render__frame(struct tui_model *m, int cols, int rows)
{
	char *text, *p;
	int y, x;

	resize_term(rows, cols);
	if (last)
		delwin(last);
	last = newwin(rows, cols, 0, 0);
	frame__draw(last, m);
	text = malloc((size_t)rows * ((size_t)cols * 4 + 1) + 1);
	p = text;
	for (y = 0; y < rows; y++) {
		char *line = p;

		for (x = 0; x < cols; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			char mb[MB_LEN_MAX];
			size_t n;

			mvwin_wch(last, y, x, &cc);
			getcchar(&cc, wc, &a, &pair, NULL);
			n = wcrtomb(mb, wc[0] ? wc[0] : L' ', NULL);
			if (n == (size_t)-1) {
				mb[0] = '?';
				n = 1;
			}
			memcpy(p, mb, n);
			p += n;
		}
		while (p > line && p[-1] == ' ')
			p--;
		*p++ = '\n';
	}
	*p = '\0';
	return text;
}

attr_t render__attr(int y, int x)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short pair;

	mvwin_wch(last, y, x, &cc);
	getcchar(&cc, wc, &a, &pair, NULL);
	return a | (attr_t)COLOR_PAIR(pair);
}

wchar_t render__char(int y, int x)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short pair;

	mvwin_wch(last, y, x, &cc);
	getcchar(&cc, wc, &a, &pair, NULL);
	return wc[0];
}

bool golden__check(const char *name, const char *text)
{
	char path[4096], *want = NULL;
	const char *upd = getenv("XG_UPDATE_GOLDEN");
	FILE *fp;
	long n;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s.txt", XG_GOLDEN_DIR, name);
	if (upd && *upd == '1') {
		fp = fopen(path, "w");
		if (!fp)
			return false;
		fputs(text, fp);
		fclose(fp);
		return true;
	}
	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "golden %s: missing (XG_UPDATE_GOLDEN=1 writes it)\n", path);
		return false;
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	want = calloc(1, (size_t)n + 1);
	if (fread(want, 1, (size_t)n, fp) != (size_t)n)
		n = -1;
	fclose(fp);
	ok = n >= 0 && !strcmp(want, text);
	if (!ok)
		fprintf(stderr, "golden %s differs.\n--- want\n%s--- got\n%s---\n", path, want,
			text);
	free(want);
	return ok;
}
