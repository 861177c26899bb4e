// SPDX-License-Identifier: BSD-2-Clause
/*
 * CPU cost of one UI frame with a big goroutine table: the state table
 * holds G goroutines (default 100000; 2% of them busy), the screen is
 * 200x60 (a curses screen writing to /dev/null), and each frame does what a
 * refresh does: re-read the table, filter, sort (partially: only the rows
 * on screen are put in order), draw, and let curses compute its update.
 * Between frames a batch of events lands in the table, so no frame is a
 * cached one. Prints figures; asserts nothing (benchmarks never do).
 *
 * Built with the tests (build/tests/tui/bench_tui); by hand:
 *   build/tests/tui/bench_tui [goroutines (100000)] [frames (50)] [only (all)]
 * ONLY: the frame kinds whose number (from 1, as printed) is in it ("1",
 * "147"); for callgrind --toggle-collect=bench_frame, one kind at a time.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "gtable.h"
#include "model.h"
#include "theme.h"
#include "views.h"
#include "xgotop_event.h"

#define MS 1000000ull
#define S  1000000000ull

struct bench {
	struct gtable *gt;
	uint64_t now;
	unsigned int seed;
};

static int pump(void *ctx, int timeout_ms)
{
	(void)ctx;
	(void)timeout_ms;
	return 0;
}

static const struct gtable *table(void *ctx)
{
	return ((struct bench *)ctx)->gt;
}

static void info(void *ctx, struct xg_target_info *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	out->pid = 4242;
	snprintf(out->path, sizeof(out->path), "/srv/bin/server");
	snprintf(out->go_version, sizeof(out->go_version), "go1.26.8");
	snprintf(out->arch, sizeof(out->arch), "amd64");
	snprintf(out->mode, sizeof(out->mode), "LIVE");
}

static void meters(void *ctx, struct xg_meters *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	out->rps = out->pps = 250000;
	out->ewp = 5000;
	out->prc_ns = 900;
	out->lat_ns = out->ovh_pct = -1;
}

static uint64_t now(void *ctx)
{
	return ((struct bench *)ctx)->now;
}

static const struct xg_source_ops ops = {
	.pump = pump, .table = table, .info = info, .meters = meters, .now = now};

/* Start functions: a server's worth, interned like the tracer's. */
static const char *const funcs[] = {
	"net/http.(*conn).serve",
	"main.handleRequest",
	"main.worker",
	"database/sql.(*DB).connectionOpener",
	"google.golang.org/grpc.(*Server).serveStreams.func1",
	"main.(*Cache).evictLoop",
	"runtime.forcegchelper",
	"main.producer",
};
static const char *const reasons[] = {"chan receive", "IO wait", "select", "sync.Mutex.Lock",
				      "sleep"};

static void apply(struct gtable *gt, struct gev ev)
{
	if (gtable__apply(gt, &ev)) {
		fprintf(stderr, "bench_tui: out of memory\n");
		exit(1);
	}
}

static void populate(struct bench *b, unsigned int n)
{
	unsigned int i;

	for (i = 1; i <= n; i++) {
		uint64_t t = b->now - (uint64_t)(rand_r(&b->seed) % 600) * S;

		apply(b->gt, (struct gev){.kind = GEV_CREATE,
					  .ts = t,
					  .pid = 4242,
					  .goid = i,
					  .parent = 1,
					  .func = funcs[i % 8],
					  .created_by = "main.main",
					  .file = "/src/main.go",
					  .line = 42,
					  .reason = GEV_NO_REASON});
		apply(b->gt, (struct gev){.kind = GEV_STATE,
					  .ts = t + 1000,
					  .pid = 4242,
					  .goid = i,
					  .from = XG_G_RUNNABLE,
					  .to = XG_G_WAITING,
					  .reason = 7,
					  .reason_str = reasons[i % 5]});
	}
}

/* One refresh interval of activity: 2% of the goroutines change state a few times. */
static void activity(struct bench *b, unsigned int n)
{
	unsigned int k, busy = n / 50;

	for (k = 0; k < busy * 4; k++) {
		uint64_t goid = 1 + (uint64_t)(rand_r(&b->seed) % (n / 50)) * 50;
		const struct gentry *e = gtable__find(b->gt, 4242, goid);
		uint8_t to;

		if (!e)
			continue;
		to = e->state == XG_G_WAITING	 ? XG_G_RUNNABLE
		     : e->state == XG_G_RUNNABLE ? XG_G_RUNNING
						 : XG_G_WAITING;
		b->now += 1000;
		apply(b->gt,
		      (struct gev){.kind = GEV_STATE,
				   .ts = b->now,
				   .pid = 4242,
				   .goid = goid,
				   .from = e->state,
				   .to = to,
				   .reason = to == XG_G_WAITING ? 7 : GEV_NO_REASON,
				   .reason_str = to == XG_G_WAITING ? reasons[goid % 5] : NULL});
	}
	b->now += 1 * S;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * One frame, as the UI's loop does after a refresh interval. Not inlined:
 * callgrind counts inside it alone (--toggle-collect=bench_frame).
 */
static __attribute__((noinline)) void bench_frame(struct tui_model *m, WINDOW *w)
{
	model__sample_meters(m);
	model__refresh(m);
	frame__draw(w, m);
	wnoutrefresh(w);
	doupdate();
	model__settle(m); /* what the UI does before its next pump */
}

struct scenario {
	const char *what;
	enum tui_view_id view;
	enum tui_sort sort;
	const char *filter;
	int scroll; /* select this rank first: a page in the middle */
};

int main(int argc, char **argv)
{
	static const struct scenario sc[] = {
		{"list, sort CPU%", TUI_V_LIST, TUI_SORT_CPU, NULL, 0},
		{"list, sort STATE", TUI_V_LIST, TUI_SORT_STATE, NULL, 0},
		{"list, sort FUNCTION", TUI_V_LIST, TUI_SORT_FUNC, NULL, 0},
		{"list, sort AGE, page at rank 50000", TUI_V_LIST, TUI_SORT_AGE, NULL, 50000},
		{"list, filter state:waiting reason:chan", TUI_V_LIST, TUI_SORT_CPU,
		 "state:waiting reason:chan", 0},
		{"list, filter 'worker' (substring)", TUI_V_LIST, TUI_SORT_GOID, "worker", 0},
		{"group by function", TUI_V_GROUP, TUI_SORT_CPU, NULL, 0},
		{"lifetime histogram", TUI_V_LIFETIME, TUI_SORT_CPU, NULL, 0},
	};
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 100000;
	int frames = argc > 2 ? atoi(argv[2]) : 50, f;
	const char *only = argc > 3 ? argv[3] : NULL;
	struct bench b = {.now = 3600 * S, .seed = 1};
	struct xg_source src = {.ops = &ops, .ctx = &b};
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct tui_theme th;
	SCREEN *scr;
	WINDOW *w;
	size_t i;

	setlocale(LC_CTYPE, "C.UTF-8");
	b.gt = gtable__new(NULL);
	populate(&b, n);
	scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "bench_tui: no terminfo for xterm-256color\n");
		return 1;
	}
	set_term(scr);
	start_color();
	theme__init_pairs(TUI_SCHEME_256);
	theme__init(&th, TUI_SCHEME_256, TUI_GLYPHS_UTF8);
	resize_term(60, 200);
	w = newwin(60, 200, 0, 0);

	printf("bench_tui: %u goroutines in the table, %ux60 at 200 columns, %d frames each\n", n,
	       200, frames);
	printf("%-44s %10s %10s\n", "frame", "ms/frame", "worst ms");
	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		struct tui_model m;
		char err[256];
		double total = 0, worst = 0;

		if (only && !strchr(only, (int)('1' + i)))
			continue;
		model__init(&m, &src, 1.0);
		m.theme = &th;
		model__sample_meters(&m);
		model__refresh(&m);
		model__set_sort(&m, sc[i].sort, false);
		if (sc[i].filter)
			model__set_filter(&m, sc[i].filter, err, sizeof(err));
		m.view = sc[i].view;
		if (sc[i].scroll)
			model__select_rank(&m, (size_t)sc[i].scroll);
		for (f = 0; f < frames; f++) {
			double t0, dt;

			activity(&b, n);
			t0 = cpu_ms();
			bench_frame(&m, w);
			dt = cpu_ms() - t0;
			total += dt;
			if (dt > worst)
				worst = dt;
		}
		printf("%-44s %10.2f %10.2f   (%zu rows listed)\n", sc[i].what, total / frames,
		       worst, m.n_rows);
		model__free(&m);
	}
	delwin(w);
	endwin();
	delscreen(scr);
	gtable__free(b.gt);
	fclose(out);
	fclose(in);
	return 0;
}
