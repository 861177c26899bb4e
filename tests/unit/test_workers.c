// SPDX-License-Identifier: BSD-2-Clause
/*
 * The worker pipeline (src/live/workers.c) against the single-threaded decoder:
 * on a synthetic feed (the bundled recording and the churn stream, turned
 * back into ring records and spread over the rings record by record, so
 * that consecutive records of a goroutine sit in different rings), every
 * reader/processor combination must deliver every event, and for each
 * goroutine the same events in the same order as one decoder fed in order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "decode.h"
#include "workers.h"
#include "../record/churn_gen.h"
#include "../record/mem_ring.h"
#include "../record/raw_feed.h"

/* The bundled recording, found from this file's path (CMake compiles it by absolute path). */
static void sample_path(char *out, size_t len)
{
	const char *tail = strstr(__FILE__, "tests/unit/test_workers.c");
	int dir = tail ? (int)(tail - __FILE__) : 0;

	snprintf(out, len, "%.*sexamples/sample.zst", dir, __FILE__);
}

/* What an event says, without what depends on when it was fed (ts, durations). */
struct proj {
	uint32_t pid;
	uint64_t goid;
	int kind;
	uint8_t from, to;
	bool inferred, has_pm;
	int reason;
	uint64_t parent, startpc, gopc;
	int32_t p;
	int64_t m;
	uint8_t a_kind, a_bucket;
	uint64_t a_size, a_type;
	uint8_t gc_phase;
	uint32_t gc_cycle;
	int gc_reason;
	size_t seq; /* arrival at the sink */
};

struct sink {
	struct proj *v;
	size_t n, cap;
};

static int collect(const struct gev *ev, void *ctx)
{
	struct sink *s = ctx;
	struct proj *p;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 65536;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	p = &s->v[s->n];
	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	/* GC events carry the goroutine they interrupted: their order is the process's. */
	p->goid = ev->kind == GEV_GC ? UINT64_MAX : ev->goid;
	p->kind = ev->kind;
	p->from = ev->from;
	p->to = ev->to;
	p->inferred = ev->inferred;
	p->has_pm = ev->has_pm;
	p->reason = ev->reason;
	p->parent = ev->parent;
	p->startpc = ev->startpc;
	p->gopc = ev->gopc;
	p->p = ev->p;
	p->m = ev->m;
	p->a_kind = ev->alloc.kind;
	p->a_bucket = ev->alloc.bucket;
	p->a_size = ev->alloc.size;
	p->a_type = ev->alloc.type_addr;
	p->gc_phase = ev->gc.phase;
	p->gc_cycle = ev->gc.cycle;
	p->gc_reason = ev->gc.reason;
	p->seq = s->n++;
	return 0;
}

static int cmp_goroutine_then_seq(const void *a, const void *b)
{
	const struct proj *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->goid != y->goid)
		return x->goid < y->goid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Same events per goroutine, in the same order: sorted by goroutine, stable by arrival. */
static void assert_same_per_goroutine(struct sink *want, struct sink *got, const char *what)
{
	size_t i;

	assert_int_equal(got->n, want->n);
	qsort(want->v, want->n, sizeof(*want->v), cmp_goroutine_then_seq);
	qsort(got->v, got->n, sizeof(*got->v), cmp_goroutine_then_seq);
	for (i = 0; i < want->n; i++) {
		struct proj a = want->v[i], b = got->v[i];

		a.seq = b.seq = 0;
		if (memcmp(&a, &b, sizeof(a))) {
			fail_msg("%s: event %zu of pid %u goid %llu differs (kind %d %u->%u vs "
				 "kind %d "
				 "%u->%u)",
				 what, i, a.pid, (unsigned long long)a.goid, a.kind, a.from, a.to,
				 b.kind, b.from, b.to);
		}
	}
}

/* The reference: one decoder, fed in order, everything released at the end. */
static void reference(const struct xg_event *recs, size_t n, struct sink *out)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	size_t i;

	assert_non_null(d);
	for (i = 0; i < n; i++) {
		assert_int_equal(decoder__push(d, &recs[i]), 0);
		/* Release as the live pump does, well behind the newest record. */
		if (i > 1000 && i % 512 == 0)
			assert_int_equal(decoder__drain(d, recs[i - 1000].ts, collect, out), 0);
	}
	assert_int_equal(decoder__finish(d, NULL, collect, out), 0);
	decoder__free(d);
}

/* ---- the pipeline over in-memory rings --------------------------------------------------- */

struct feed {
	struct mem_ring ring[WORKERS_MAX];
	unsigned int n_rings;
	struct workers *w;
	const struct xg_event *recs;
	size_t n;
};

struct put_ctx {
	struct workers *w;
	unsigned int reader;
};

static int put_one(void *ctx, const struct xg_event *rec)
{
	struct put_ctx *p = ctx;

	return workers__put(p->w, p->reader, rec);
}

static int feed_read(void *ctx, struct workers *w, unsigned int reader, int timeout_ms)
{
	struct feed *f = ctx;
	struct put_ctx p = {w, reader};

	return mem_ring_read(&f->ring[reader], timeout_ms, put_one, &p);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The probes: stamp each record when written, spread the records over the rings in turn. */
static void *produce(void *arg)
{
	struct feed *f = arg;
	uint64_t last = 0;
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct xg_event r = f->recs[i];
		uint64_t now = mono_ns();

		r.ts = now > last ? now : last + 1;
		last = r.ts;
		if (!mem_ring_write(&f->ring[i % f->n_rings], &r))
			break;
	}
	return NULL;
}

static const struct workers_ops feed_ops = {.read = feed_read};

static void run_pipeline(const struct xg_event *recs, size_t n, unsigned int readers,
			 unsigned int procs, unsigned int batch, struct sink *out)
{
	struct feed f = {.n_rings = readers, .recs = recs, .n = n};
	struct workers_opts o = {.readers = readers,
				 .processors = procs,
				 .batch_size = batch,
				 .flush_ns = 2 * 1000 * 1000,
				 /* Generous: a loaded test machine may stall a thread. */
				 .window_ns = 100 * 1000 * 1000,
				 .dec = {.goid_before_create = true},
				 .ops = &feed_ops,
				 .ctx = &f};
	struct workers_stats st;
	pthread_t th;
	unsigned int i;
	int err;

	for (i = 0; i < readers; i++)
		assert_int_equal(mem_ring_init(&f.ring[i], n + 1), 0);
	f.w = workers__new(&o);
	assert_non_null(f.w);
	assert_int_equal(pthread_create(&th, NULL, produce, &f), 0);
	/* The sink runs while the feed goes on, as the UI thread would. */
	for (i = 0; i < 50; i++)
		assert_true(workers__drain(f.w, 2, collect, out) >= 0);
	pthread_join(th, NULL);
	workers__stop(f.w);
	while (!(err = workers__drain(f.w, 100, collect, out)))
		;
	assert_int_equal(err, 1);
	workers__stats(f.w, &st);
	assert_int_equal(st.records, n);
	assert_int_equal(st.events, out->n);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.dec.late, 0);
	for (i = 0; i < readers; i++) {
		assert_int_equal(atomic_load(&f.ring[i].drops), 0);
		mem_ring_fini(&f.ring[i]);
	}
	workers__free(f.w);
}

static void check_configs(struct xg_event *recs, size_t n)
{
	static const unsigned int cfg[][3] = {
		{1, 1, 1000}, {2, 1, 1000}, {2, 2, 1000}, {1, 2, 64}, {3, 4, 7},
	};
	struct sink want = {0};
	size_t i, k;

	for (i = 0; i < n; i++)
		recs[i].ts = i + 1;
	reference(recs, n, &want);
	assert_true(want.n >= n / 2);
	for (k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
		struct sink got = {0};
		char what[64];

		snprintf(what, sizeof(what), "-rw %u -pw %u --batch-size %u", cfg[k][0], cfg[k][1],
			 cfg[k][2]);
		run_pipeline(recs, n, cfg[k][0], cfg[k][1], cfg[k][2], &got);
		assert_same_per_goroutine(&want, &got, what);
		free(got.v);
	}
	free(want.v);
}

static void test_sample_recording(void **state)
{
	struct xg_event *recs;
	char path[4096];
	size_t n;

	(void)state;
	sample_path(path, sizeof(path));
	recs = raw_feed_load(path, &n);
	assert_non_null(recs);
	assert_true(n > 100000);
	check_configs(recs, n);
	free(recs);
}

static void test_churn(void **state)
{
	size_t n = 200000, i, m = 0;
	struct xg_event *recs = calloc(n, sizeof(*recs));
	struct churn c;
	struct gev ev;

	(void)state;
	assert_non_null(recs);
	churn_init(&c, 42, 300, 1000000000ull);
	for (i = 0; i < n; i++) {
		churn_next(&c, &ev);
		if (raw_feed_from_gev(&ev, &recs[m]))
			m++;
	}
	churn_free(&c);
	check_configs(recs, m);
	free(recs);
}

static void test_shard(void **state)
{
	struct xg_event a = {.type = XG_EV_STATE, .pid = 7, .g = 0xc000123400};
	struct xg_event gc = {.type = XG_EV_GC, .pid = 7};
	unsigned int seen[4] = {0}, i;

	(void)state;
	for (i = 0; i < 4000; i++) {
		gc.g = raw_feed_g(i + 1);
		a.g = raw_feed_g(i + 1);
		/* GC state is per process: every GC record of a process goes to one shard. */
		assert_int_equal(workers__shard(&gc, 4),
				 workers__shard(&(struct xg_event){.type = XG_EV_GC, .pid = 7}, 4));
		seen[workers__shard(&a, 4)]++;
	}
	/* Goroutines spread over the shards. */
	for (i = 0; i < 4; i++)
		assert_true(seen[i] > 500);
	assert_int_equal(workers__shard(&a, 1), 0);
}

/* One state record of goroutine 1, stamped now (the readers' horizon passes it at once). */
static void write_state(struct mem_ring *r, uint8_t from, uint8_t to)
{
	struct xg_event e = {.type = XG_EV_STATE, .pid = 7, .goid = 1, .g = raw_feed_g(1)};

	e.ts = mono_ns();
	e.from = from;
	e.to = to;
	assert_true(mem_ring_write(r, &e));
}

static int seed_waiting(struct decoder *d, void *ctx)
{
	(void)ctx;
	return decoder__seed(d, 7, 1, XG_G_WAITING);
}

/*
 * -pid attach (src/live/tracer.c): the records of the probes reach the
 * processors before the goroutines found by the table read before them are
 * seeded. Held, no record is decoded before the seed; otherwise the seed
 * (older than the records) overwrites the state they left, and the next
 * record gets an inferred transition from it: goroutine 1 went
 * runnable -> running, then "waiting -> running" (inferred) -> waiting.
 */
static void test_held_until_seeded(void **state)
{
	struct feed f = {.n_rings = 1};
	struct workers_opts o = {.readers = 1,
				 .processors = 2,
				 .flush_ns = 1000 * 1000,
				 .window_ns = 1000 * 1000,
				 .held = true,
				 .dec = {.goid_before_create = true},
				 .ops = &feed_ops,
				 .ctx = &f};
	struct workers_stats st;
	struct sink out = {0};
	struct timespec nap = {0, 50 * 1000 * 1000};
	size_t i;
	int err;

	(void)state;
	assert_int_equal(mem_ring_init(&f.ring[0], 16), 0);
	f.w = workers__new(&o);
	assert_non_null(f.w);
	write_state(&f.ring[0], XG_G_WAITING, XG_G_RUNNABLE);
	write_state(&f.ring[0], XG_G_RUNNABLE, XG_G_RUNNING);
	do {
		nanosleep(&nap, NULL);
		workers__stats(f.w, &st);
	} while (st.dec.records < 2);
	/*
	 * Both in a decoder. Unheld, they are decoded once the reader's horizon
	 * passes them, within a read poll (50 ms) or two: ten naps give it the
	 * time to (a slower machine only makes this check weaker, never wrong).
	 */
	for (i = 0; i < 10; i++) {
		nanosleep(&nap, NULL);
		workers__stats(f.w, &st);
		assert_int_equal(st.dec.events, 0);
		assert_int_equal(st.dec.queued, 2);
	}
	/* The attach: the table read before the probes found it waiting. */
	assert_int_equal(workers__each_decoder(f.w, seed_waiting, NULL), 0);
	workers__open(f.w);
	write_state(&f.ring[0], XG_G_RUNNING, XG_G_WAITING);
	workers__stop(f.w);
	while (!(err = workers__drain(f.w, 100, collect, &out)))
		;
	assert_int_equal(err, 1);
	assert_int_equal(out.n, 3);
	for (i = 0; i < out.n; i++)
		assert_false(out.v[i].inferred);
	assert_int_equal(out.v[0].from, XG_G_WAITING);
	assert_int_equal(out.v[1].to, XG_G_RUNNING);
	assert_int_equal(out.v[2].from, XG_G_RUNNING);
	workers__free(f.w);
	mem_ring_fini(&f.ring[0]);
	free(out.v);
}

/* A ring whose oldest record (a CPU's batch, claimed) is held back until released. */
struct held_feed {
	struct mem_ring ring;
	struct xg_event stash;
	atomic_bool release;
	bool done;
};

static int held_read(void *ctx, struct workers *w, unsigned int reader, int timeout_ms)
{
	struct held_feed *h = ctx;
	struct put_ctx p = {w, reader};

	if (!h->done && atomic_load(&h->release)) {
		int err = workers__put(w, reader, &h->stash);

		if (err)
			return err;
		h->done = true;
	} else if (!h->done) {
		workers__hold(w, reader);
	}
	return mem_ring_read(&h->ring, timeout_ms, put_one, &p);
}

static const struct workers_ops held_ops = {.read = held_read};

/*
 * A probe preempted inside its program keeps its CPU's batch claimed, and
 * the flush before a read leaves that batch (src/live/rings.c flush_some):
 * its records, however old, come with a later read. The reader holds its
 * horizon meanwhile: the newer record read first waits for the older one.
 * Unheld, it went out 200 ms before the older record came, which was late.
 */
static void test_horizon_held(void **state)
{
	struct held_feed h = {0};
	struct workers_opts o = {.readers = 1,
				 .processors = 1,
				 .flush_ns = 1000 * 1000,
				 .window_ns = 1000 * 1000,
				 .dec = {.goid_before_create = true},
				 .ops = &held_ops,
				 .ctx = &h};
	struct workers_stats st;
	struct workers *w;
	struct sink out = {0};
	struct timespec nap = {0, 50 * 1000 * 1000};
	size_t i;
	int err;

	(void)state;
	assert_int_equal(mem_ring_init(&h.ring, 16), 0);
	h.stash = (struct xg_event){.type = XG_EV_STATE, .pid = 7, .goid = 1, .g = raw_feed_g(1)};
	h.stash.ts = mono_ns();
	h.stash.from = XG_G_WAITING;
	h.stash.to = XG_G_RUNNABLE;
	w = workers__new(&o);
	assert_non_null(w);
	write_state(&h.ring, XG_G_RUNNABLE, XG_G_RUNNING);
	do {
		nanosleep(&nap, NULL);
		workers__stats(w, &st);
	} while (st.dec.records < 1);
	for (i = 0; i < 4; i++) {
		nanosleep(&nap, NULL);
		workers__stats(w, &st);
		assert_int_equal(st.dec.events, 0);
	}
	atomic_store(&h.release, true);
	workers__stop(w);
	while (!(err = workers__drain(w, 100, collect, &out)))
		;
	assert_int_equal(err, 1);
	workers__stats(w, &st);
	assert_int_equal(st.dec.late, 0);
	assert_int_equal(out.n, 2);
	for (i = 0; i < out.n; i++)
		assert_false(out.v[i].inferred);
	assert_int_equal(out.v[0].to, XG_G_RUNNABLE);
	assert_int_equal(out.v[1].to, XG_G_RUNNING);
	workers__free(w);
	mem_ring_fini(&h.ring);
	free(out.v);
}

static void test_bad_options(void **state)
{
	struct workers_opts o = {.readers = 0, .processors = 1, .ops = &feed_ops};

	(void)state;
	errno = 0;
	assert_null(workers__new(&o));
	assert_int_equal(errno, EINVAL);
	o.readers = WORKERS_MAX + 1;
	assert_null(workers__new(&o));
	o.readers = 1;
	o.processors = 0;
	assert_null(workers__new(&o));
	workers__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_held_until_seeded),
		cmocka_unit_test(test_horizon_held),
		cmocka_unit_test(test_sample_recording),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
