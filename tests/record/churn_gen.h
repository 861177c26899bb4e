/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A deterministic stream of goroutine events shaped like a busy Go server
 * (tests/record/churn is the real thing): a pool of goroutines that run,
 * park on channels, locks and timers, make system calls and get woken by
 * others, while short-lived ones are created and exit all the time. About
 * one event in ten is a creation and one in ten an exit. Timestamps step as
 * they did in a real recording (churn_gaps below), to the nanosecond; a few
 * arrive slightly out of order and a few transitions are inferred, as the
 * decoder produces them.
 *
 * Shared by the unit tests, the fuzz seed writer and bench/bench_record.c.
 * Header-only so that each user compiles it in; no global state.
 */
#ifndef XGOTOP_TESTS_CHURN_GEN_H
#define XGOTOP_TESTS_CHURN_GEN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gevent.h"

struct churn_g {
	uint64_t goid;
	uint8_t state;
	uint32_t tid;
};

struct churn {
	uint64_t rng;
	uint64_t ts;
	uint32_t pid;
	uint32_t base_tid;
	uint32_t n_threads;
	uint64_t next_goid;
	struct churn_g *g;
	size_t n, cap, pool;  /* the first POOL goroutines never exit */
	struct gev exit_next; /* the exit that follows a transition to dead */
	int have_exit;
};

static const char *const churn_funcs[] = {
	"main.worker",
	"main.handle",
	"main.helper",
	"net/http.(*conn).serve",
	"main.pool",
	"runtime.gcBgMarkWorker",
	"main.main.func1",
	"google.golang.org/grpc.(*Server).serveStreams.func1",
	"database/sql.(*DB).connectionOpener",
	"main.(*cache).evict.gowrap1",
};
static const char *const churn_files[] = {
	"/src/app/main.go",
	"/src/app/handler.go",
	"/usr/local/go/src/net/http/server.go",
	"/root/go/pkg/mod/google.golang.org/grpc@v1.60.0/server.go",
};
static const char *const churn_reasons[] = {
	"chan receive", "chan send",	       "select", "sleep", "sync.Mutex.Lock",
	"IO wait",	"sync.WaitGroup.Wait",
};
static const int churn_reason_idx[] = {14, 15, 9, 19, 21, 2, 22};

/*
 * The gaps between consecutive events of a real recording, in ns: bench/churn
 * built by go1.26.8, traced live (xgotop-tui -pid --record, default probes) on
 * the 2-vCPU development VM, 2026-12-07, 896k events; the quantiles of its
 * positive gaps at 0/64, 1/64 ... 63/64 and 99.5% (the exits, one event in
 * seven, follow their transition to dead at the same ns; the generator does
 * the same). That clock stepped by about 10 ns; drawn here to the
 * nanosecond, as a TSC clock gives them (drawn in 10 ns steps, recordings
 * of this stream are 3% smaller). Until 2026-12 the gaps were uniform in
 * 200..1700 ns: as spread as these, and as costly (bench/README.md).
 */
static const uint16_t churn_gaps[65] = {
	10,   752,  1303, 1573, 1593, 1603, 1623, 1643, 1654, 1673, 1693, 1723, 1743,
	1753, 1763, 1773, 1783, 1784, 1794, 1803, 1813, 1823, 1833, 1843, 1863, 1894,
	1964, 2014, 2054, 2074, 2094, 2104, 2124, 2144, 2154, 2174, 2184, 2194, 2204,
	2214, 2225, 2244, 2254, 2264, 2275, 2285, 2304, 2314, 2325, 2344, 2364, 2384,
	2414, 2435, 2475, 2525, 2585, 2655, 2725, 2775, 2816, 2896, 3035, 3456, 15819,
};

/* A gap drawn from churn_gaps (R: random bits), linear between two quantiles. */
static uint64_t churn_gap(uint64_t r)
{
	size_t k = r % 64;
	uint64_t lo = churn_gaps[k], span = churn_gaps[k + 1] - lo;

	return lo + (span ? (r >> 6) % span : 0);
}

static uint64_t churn_rand(struct churn *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

static struct churn_g *churn_add(struct churn *c, uint8_t state)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct churn_g *v = (struct churn_g *)realloc(c->g, cap * sizeof(*v));

		if (!v)
			abort();
		c->g = v;
		c->cap = cap;
	}
	c->g[c->n] =
		(struct churn_g){.goid = c->next_goid++,
				 .state = state,
				 .tid = c->base_tid + (uint32_t)(churn_rand(c) % c->n_threads)};
	return &c->g[c->n++];
}

/* POOL long-lived goroutines, already running when the stream starts. */
static void churn_init(struct churn *c, uint64_t seed, size_t pool, uint64_t t0)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	c->ts = t0;
	c->pid = 4242;
	c->base_tid = 4242;
	c->n_threads = 6;
	c->next_goid = 1;
	c->pool = pool;
	for (i = 0; i < pool; i++)
		churn_add(c, 4 /* waiting */);
}

static void churn_free(struct churn *c)
{
	free(c->g);
	c->g = NULL;
}

/* The next event. Strings are static. */
static void churn_next(struct churn *c, struct gev *ev)
{
	uint64_t r = churn_rand(c);
	struct churn_g *g;
	size_t i;

	if (c->have_exit) {
		*ev = c->exit_next;
		c->have_exit = 0;
		return;
	}
	memset(ev, 0, sizeof(*ev));
	/* Gaps as recorded, one in 256 a long one (recorded: 0.5% over 15 us), 1% slightly out
	 * of order. */
	c->ts += churn_gap(r) + ((r >> 20) % 256 == 0 ? (r >> 30) % 50000 : 0);
	ev->ts = c->ts - ((r >> 40) % 100 == 0 ? (r >> 8) % 3000 : 0);
	ev->pid = c->pid;
	ev->reason = GEV_NO_REASON;
	r = churn_rand(c);
	/* Creations keep the population steady around pool + 64. */
	if (r % 10 == 0 && c->n < c->pool + 128) {
		struct churn_g *parent = &c->g[(r >> 8) % c->n];
		size_t site = (r >> 16) % 6;

		g = churn_add(c, 1);
		ev->kind = GEV_CREATE;
		ev->goid = g->goid;
		ev->tid = parent->tid;
		ev->from = 6;
		ev->to = 1;
		ev->parent = parent->goid;
		ev->func = churn_funcs[site];
		ev->created_by = churn_funcs[(site + 4) % 10];
		ev->file = churn_files[site % 4];
		ev->line = 40 + (int)site * 7;
		ev->startpc = 0x4a0000 + site * 0x140;
		ev->gopc = 0x4b0000 + site * 0x33;
		return;
	}
	/* Recently created goroutines are the busy ones: pick among the last 32 most of the time.
	 */
	i = (r >> 8) % 4 ? c->n - 1 - (r >> 12) % (c->n < 32 ? c->n : 32) : (r >> 12) % c->n;
	g = &c->g[i];
	ev->kind = GEV_STATE;
	ev->goid = g->goid;
	ev->from = g->state;
	ev->tid = g->tid;
	r = churn_rand(c);
	switch (g->state) {
	case 1: /* runnable */
		ev->to = 2;
		g->tid = c->base_tid + (uint32_t)(r % c->n_threads);
		ev->tid = g->tid;
		break;
	case 2: /* running */
		if (i >= c->pool && r % 4 == 0) {
			ev->to = 6;
			c->exit_next = *ev;
			c->exit_next.kind = GEV_EXIT;
			c->have_exit = 1;
			g->state = 6;
			*g = c->g[--c->n];
			return;
		}
		if (r % 50 == 3) {
			/* Async preemption parks it without casgstatus: inferred. */
			ev->to = 4;
			ev->inferred = 1;
			g->state = 4;
			return;
		}
		ev->to = r % 8 == 0 ? 3 : r % 16 == 1 ? 1 : 4;
		if (ev->to == 4) {
			size_t k = (r >> 8) % 7;

			ev->reason = churn_reason_idx[k];
			ev->reason_str = churn_reasons[k];
		}
		break;
	case 3: /* syscall */
		ev->to = 2;
		break;
	case 4: /* waiting: woken by whoever runs elsewhere */
		ev->to = 1;
		ev->tid = c->base_tid + (uint32_t)(r % c->n_threads);
		break;
	default:
		ev->to = 1;
		break;
	}
	g->state = ev->to;
}

#endif /* XGOTOP_TESTS_CHURN_GEN_H */
