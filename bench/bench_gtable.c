// SPDX-License-Identifier: BSD-2-Clause
/*
 * Cost of gtable__apply on a synthetic but plausible stream: G goroutines
 * cycling runnable -> running -> waiting/syscall/runnable, with churn (one
 * event in 64 is an exit followed by a new goroutine), periodic expiry, and
 * the goroutine of each event picked at random so the table is hit the way
 * a busy target hits it, not in a cache-friendly order.
 *
 * Built with the rest, never run by CTest (benchmarks never assert timings):
 *   cmake --build build --target bench_gtable
 *   build/bench_gtable [events (10000000)] [goroutines (100000)] [exit-one-in (64)]
 *                      [keep-exited-ms (1)]
 *
 * Churn as go1.26 makes it (goroutines created and exiting at 100k+/s, the
 * exited-goroutine cap evicting one old exited goroutine per exit):
 *   build/bench_gtable 10000000 2000 2 30000
 *
 * Events are generated in batches outside the timed region; only the
 * gtable__apply and gtable__expire calls are timed, in CPU time of the thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gtable.h"
#include "xgotop_event.h"

#define BATCH	     65536
#define EXPIRE_EVERY (1u << 20)
#define PID	     1234
#define NS_PER_EVENT 200 /* synthetic clock step */

struct slot {
	uint64_t goid;
	uint8_t state;
	uint8_t created; /* GEV_CREATE emitted, the dead -> runnable not yet */
};

static uint64_t exit_one_in = 64;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double now_ns(void)
{
	struct timespec t;

	/* This thread's CPU time: on a shared machine, wall time measures the neighbours too. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static const char *const reasons[] = {"chan receive", "select", "sync.Mutex.Lock", "sleep"};

/* The next event of slot S at TS. */
static struct gev next_event(struct slot *s, uint64_t ts, uint64_t *next_goid)
{
	struct gev ev = {.ts = ts, .pid = PID, .tid = 77, .goid = s->goid, .reason = GEV_NO_REASON};
	uint64_t r = rng();

	if (s->created) {
		s->created = 0;
		ev.kind = GEV_STATE;
		ev.from = XG_G_DEAD;
		ev.to = s->state = XG_G_RUNNABLE;
		return ev;
	}
	if (s->state == XG_G_DEAD) {
		/* Its exit was emitted: the slot now holds a new goroutine. */
		s->goid = (*next_goid)++;
		s->created = 1;
		s->state = XG_G_RUNNABLE;
		ev.kind = GEV_CREATE;
		ev.goid = s->goid;
		ev.parent = 1;
		ev.func = "main.worker";
		ev.created_by = "main.main";
		ev.file = "/src/main.go";
		ev.line = 42;
		return ev;
	}
	ev.kind = GEV_STATE;
	ev.from = s->state;
	switch (s->state) {
	case XG_G_RUNNABLE:
		ev.to = XG_G_RUNNING;
		break;
	case XG_G_RUNNING:
		if (r % exit_one_in == 0) {
			ev.kind = GEV_EXIT;
			s->state = XG_G_DEAD;
			return ev;
		}
		ev.to = r % 4 == 0 ? XG_G_SYSCALL : r % 4 == 1 ? XG_G_RUNNABLE : XG_G_WAITING;
		if (ev.to == XG_G_WAITING) {
			ev.reason = (r >> 8) % 4;
			ev.reason_str = reasons[ev.reason];
		}
		break;
	case XG_G_SYSCALL:
		ev.to = XG_G_RUNNING;
		break;
	default:
		ev.to = XG_G_RUNNABLE;
		break;
	}
	s->state = ev.to;
	return ev;
}

struct result {
	double ns;
	struct gtable_counts counts;
	size_t size;
	long rss_kib;
};

/* Apply N_EVENTS over N_GOR goroutines, one by one or in batches. 0 or -ENOMEM. */
static int run(uint64_t n_events, uint64_t n_gor, uint64_t keep_ms, bool batched,
	       struct result *res)
{
	struct gtable_opts opts = {.keep_exited_ns = keep_ms * 1000000};
	struct gev *batch = malloc(BATCH * sizeof(*batch));
	struct slot *slots = calloc(n_gor, sizeof(*slots));
	uint64_t i, done = 0, ts = 1, next_goid = 1, since_expire = 0;
	struct gtable *gt = gtable__new(&opts);
	struct rusage ru;
	double t0;
	int err = -ENOMEM;

	rng_state = 0x2545f4914f6cdd1dull;
	res->ns = 0;
	if (!batch || !slots || !gt)
		goto cleanup;
	/* Start from N_GOR live goroutines, as an attach to a busy target would. */
	for (i = 0; i < n_gor; i++)
		slots[i].state = XG_G_DEAD;

	while (done < n_events) {
		uint64_t n = n_events - done < BATCH ? n_events - done : BATCH, k;

		for (k = 0; k < n; k++) {
			/* The first pass over the slots creates every goroutine once. */
			uint64_t pick = done + k < 2 * n_gor ? (done + k) / 2 : rng() % n_gor;

			ts += NS_PER_EVENT;
			batch[k] = next_event(&slots[pick], ts, &next_goid);
		}
		t0 = now_ns();
		if (batched) {
			if (gtable__apply_batch(gt, batch, n, NULL))
				goto cleanup;
		} else {
			for (k = 0; k < n; k++) {
				if (gtable__apply(gt, &batch[k]))
					goto cleanup;
			}
		}
		since_expire += n;
		if (since_expire >= EXPIRE_EVERY) {
			gtable__expire(gt, ts);
			since_expire = 0;
		}
		res->ns += now_ns() - t0;
		done += n;
	}
	gtable__counts(gt, &res->counts);
	res->size = gtable__size(gt);
	getrusage(RUSAGE_SELF, &ru);
	res->rss_kib = ru.ru_maxrss;
	err = 0;
cleanup:
	gtable__free(gt);
	free(slots);
	free(batch);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t n_events = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
	uint64_t n_gor = argc > 2 ? strtoull(argv[2], NULL, 0) : 100000;
	uint64_t keep_ms = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
	struct result one, many;

	exit_one_in = argc > 3 ? strtoull(argv[3], NULL, 0) : 64;
	if (!n_events || !n_gor || !exit_one_in || !keep_ms) {
		fprintf(stderr, "usage: bench_gtable [events] [goroutines] [exit-one-in] "
				"[keep-exited-ms]\n");
		return 2;
	}
	if (run(n_events, n_gor, keep_ms, false, &one) ||
	    run(n_events, n_gor, keep_ms, true, &many)) {
		fprintf(stderr, "bench_gtable: out of memory\n");
		return 1;
	}
	printf("events         %llu over %llu goroutine slots\n", (unsigned long long)n_events,
	       (unsigned long long)n_gor);
	printf("goroutines     %llu live, %llu created, %llu exited, %llu expired, %llu evicted, "
	       "%zu in table\n",
	       (unsigned long long)one.counts.live, (unsigned long long)one.counts.created,
	       (unsigned long long)one.counts.exited, (unsigned long long)one.counts.expired,
	       (unsigned long long)one.counts.evicted, one.size);
	printf("apply          %.1f ns/event (%.3f s)\n", one.ns / n_events, one.ns / 1e9);
	printf("apply_batch    %.1f ns/event (%.3f s)\n", many.ns / n_events, many.ns / 1e9);
	printf("peak rss       %.1f MiB\n", one.rss_kib / 1024.0);
	printf("sizeof gentry  %zu bytes\n", sizeof(struct gentry));
	return 0;
}
