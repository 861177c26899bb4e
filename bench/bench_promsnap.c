// SPDX-License-Identifier: BSD-2-Clause
/*
 * What --listen costs the thread that applies events, once a second: the
 * metrics of a table of N live goroutines over F start functions, written
 * in both formats (src/core/promsnap.c), and the observing of each event
 * (src/core/promstats.c). Prints figures; asserts nothing.
 *
 *   bench_promsnap [N [F]]   (default 100000 goroutines, 1000 functions)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gtable.h"
#include "promsnap.h"
#include "promstats.h"
#include "xgotop_event.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const reasons[] = {"chan receive", "select", "sync.Mutex.Lock",
				      "IO wait",      "sleep",	"sync.WaitGroup.Wait"};

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned long nf = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000, i;
	struct gtable *gt = gtable__new(NULL);
	struct promstats *ps = promstats__new();
	char **funcs = calloc(nf, sizeof(*funcs));
	double t0, t_obs = 0, t_write;
	size_t bytes[2] = {0, 0};
	int rounds = 10, r, f;

	if (!gt || !ps || !funcs)
		return 1;
	for (i = 0; i < nf; i++)
		if (asprintf(&funcs[i], "example.com/svc/pkg%lu.(*Handler).serve%lu.func1", i % 37,
			     i) < 0)
			return 1;
	for (i = 1; i <= n; i++) {
		struct gev ev[3] = {
			{.kind = GEV_CREATE,
			 .ts = i,
			 .pid = 1,
			 .goid = i,
			 .to = XG_G_RUNNABLE,
			 .reason = GEV_NO_REASON,
			 .func = funcs[i % nf]},
			{.kind = GEV_STATE,
			 .ts = i + 1,
			 .pid = 1,
			 .goid = i,
			 .from = XG_G_RUNNABLE,
			 .to = XG_G_RUNNING,
			 .reason = GEV_NO_REASON},
			{.kind = GEV_STATE,
			 .ts = i + 2,
			 .pid = 1,
			 .goid = i,
			 .from = XG_G_RUNNING,
			 .to = XG_G_WAITING,
			 .reason = (int)(i % 6),
			 .reason_str = reasons[i % 6]},
		};

		for (f = 0; f < 3; f++) {
			t0 = now_s();
			promstats__observe(ps, gt, &ev[f]);
			t_obs += now_s() - t0;
			if (gtable__apply(gt, &ev[f]))
				return 1;
		}
	}
	t0 = now_s();
	for (r = 0; r < rounds; r++) {
		struct promsnap_in in = {.gt = gt,
					 .ps = ps,
					 .pid = 1,
					 .tracer = {.bpf_ns_per_hit = -1, .overhead_ratio = -1}};
		struct promfmt *pf[2] = {promfmt__new(PROMFMT_TEXT, 0),
					 promfmt__new(PROMFMT_OPENMETRICS, 0)};
		char *text;

		if (!pf[0] || !pf[1] || promsnap__write(pf, 2, &in))
			return 1;
		for (f = 0; f < 2; f++) {
			if (promfmt__finish(pf[f], &text, &bytes[f]))
				return 1;
			free(text);
		}
	}
	t_write = (now_s() - t0) / rounds;
	printf("%lu goroutines, %lu functions: both formats written in %.1f ms (%zu + %zu bytes); "
	       "observing: %.0f ns per event\n",
	       n, nf, t_write * 1e3, bytes[0], bytes[1], t_obs / (3.0 * n) * 1e9);
	gtable__free(gt);
	promstats__free(ps);
	for (i = 0; i < nf; i++)
		free(funcs[i]);
	free(funcs);
	return 0;
}
