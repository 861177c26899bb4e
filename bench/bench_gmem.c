// SPDX-License-Identifier: BSD-2-Clause
/*
 * Memory of the state table: what a goroutine costs, and what goroutine
 * churn leaves behind. Each scenario runs in a fresh process and prints
 * the resident set (/proc/self/statm) it grew by; asserts nothing.
 *
 *   parked N   N goroutines found parked at attach (existing, waiting), as
 *              `-pid` on a server with N idle connections: bytes each
 *   active N   N goroutines that changed state 8 times each: bytes each
 *   full N     N goroutines that changed state 40 times each (their timeline
 *              ring full, older spans dropped): bytes each
 *   churn R S  R goroutines a second created, run, parked and exited, for
 *              S seconds of event time, expiry once a second (the live
 *              tracer's): the table's peak, then what is left 31 s after
 *              the churn stopped
 *
 * Only the API every version of gtable.h has, so that the same file
 * measures an older table too (build it by hand against that table's
 * libxg_core.a). Built as build/bench_gmem:
 *   build/bench_gmem parked 1000000; build/bench_gmem churn 100000 60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gtable.h"
#include "xgotop_event.h"

#define PID 4242
#define S   1000000000ull

static double rss_mib(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (double)res * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static void apply(struct gtable *gt, struct gev ev)
{
	if (gtable__apply(gt, &ev)) {
		fprintf(stderr, "bench_gmem: out of memory\n");
		exit(1);
	}
}

static struct gev create(uint64_t goid, uint64_t ts, bool existing)
{
	return (struct gev){.kind = GEV_CREATE,
			    .ts = ts,
			    .pid = PID,
			    .goid = goid,
			    .parent = 1,
			    .func = "main.handler",
			    .created_by = "main.serve",
			    .file = "/src/main.go",
			    .line = 42,
			    .existing = existing,
			    .to = XG_G_WAITING,
			    .reason = existing ? 2 : GEV_NO_REASON,
			    .reason_str = existing ? "chan receive" : NULL};
}

static struct gev state(uint64_t goid, uint64_t ts, uint8_t from, uint8_t to)
{
	return (struct gev){.kind = GEV_STATE,
			    .ts = ts,
			    .pid = PID,
			    .goid = goid,
			    .from = from,
			    .to = to,
			    .reason = to == XG_G_WAITING ? 2 : GEV_NO_REASON,
			    .reason_str = to == XG_G_WAITING ? "chan receive" : NULL};
}

static int per_goroutine(const char *what, uint64_t n, int changes)
{
	struct gtable *gt = gtable__new(NULL);
	uint64_t g, ts = 1000 * S;
	double before = rss_mib(), after;
	int k;

	for (g = 1; g <= n; g++)
		apply(gt, create(g, ts - g, changes == 0));
	for (k = 0; k < changes; k++)
		for (g = 1; g <= n; g++)
			apply(gt, state(g, ts + (uint64_t)k * 1000 + g % 1000,
					k % 2 ? XG_G_RUNNING : XG_G_RUNNABLE,
					k % 2 ? XG_G_RUNNABLE : XG_G_RUNNING));
	after = rss_mib();
	printf("%-7s %8llu goroutines: rss +%.1f MiB, %.0f bytes each (%zu in table)\n", what,
	       (unsigned long long)n, after - before, (after - before) * (1 << 20) / (double)n,
	       gtable__size(gt));
	gtable__free(gt);
	return 0;
}

static int churn(uint64_t rate, uint64_t secs)
{
	struct gtable *gt = gtable__new(NULL);
	uint64_t goid = 1, sec, i, ts = 1000 * S, step = S / rate;
	double before = rss_mib(), peak = 0, r;
	size_t peak_n = 0;
	struct gtable_counts c;

	for (sec = 0; sec < secs; sec++) {
		for (i = 0; i < rate; i++, goid++) {
			ts += step;
			apply(gt, create(goid, ts, false));
			apply(gt, state(goid, ts + 100, XG_G_DEAD, XG_G_RUNNABLE));
			apply(gt, state(goid, ts + 2000, XG_G_RUNNABLE, XG_G_RUNNING));
			apply(gt, state(goid, ts + 5000, XG_G_RUNNING, XG_G_WAITING));
			apply(gt, state(goid, ts + 9000, XG_G_WAITING, XG_G_RUNNING));
			apply(gt, (struct gev){.kind = GEV_EXIT,
					       .ts = ts + 12000,
					       .pid = PID,
					       .goid = goid,
					       .reason = GEV_NO_REASON});
		}
		gtable__expire(gt, ts);
		r = rss_mib();
		if (r > peak)
			peak = r;
		if (gtable__size(gt) > peak_n)
			peak_n = gtable__size(gt);
	}
	gtable__counts(gt, &c);
	printf("churn   %llu/s for %llu s: peak rss +%.1f MiB, at most %zu goroutines in table "
	       "(%llu exited, %llu expired)\n",
	       (unsigned long long)rate, (unsigned long long)secs, peak - before, peak_n,
	       (unsigned long long)c.exited, (unsigned long long)c.expired);
	gtable__expire(gt, ts + 31 * S);
	printf("        31 s after it stopped: rss +%.1f MiB, %zu in table\n", rss_mib() - before,
	       gtable__size(gt));
	gtable__free(gt);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "parked";
	uint64_t a = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	uint64_t b = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;

	if (!strcmp(what, "parked"))
		return per_goroutine(what, a ? a : 1000000, 0);
	if (!strcmp(what, "active"))
		return per_goroutine(what, a ? a : 1000000, 8);
	if (!strcmp(what, "full"))
		return per_goroutine(what, a ? a : 1000000, 40);
	if (!strcmp(what, "churn"))
		return churn(a ? a : 100000, b ? b : 60);
	fprintf(stderr, "usage: bench_gmem parked|active|full [N] | churn [RATE] [SECONDS]\n");
	return 2;
}
