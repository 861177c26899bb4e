// SPDX-License-Identifier: BSD-2-Clause
/*
 * The synthetic side of bench/run (no target, no BPF, no root): the
 * pipeline's own costs on a generated stream (tests/record/churn_gen.h, a
 * busy server's events; one in ten a creation, one in ten an exit).
 *
 *   bench_synth prc [GOROUTINES [RECORDS [ROUNDS]]]
 *       decode + state-table update per ring record: the stream turned back
 *       into the records the BPF programs write (tests/record/raw_feed.h),
 *       GOROUTINES (default 10000) long-lived ones in the table, pushed
 *       through the decoder, every event it emits applied to the table, as
 *       the tracer's sink does (without JSONL or recording). Prints
 *       "ns_per_record MEDIAN RECORDS TABLE_SIZE".
 *   bench_synth write EVENTS FILE
 *       a recording of EVENTS events (the table applied, as the tracer
 *       does before recording), for the replay figures; its cost is
 *       bench_record's. Prints "bytes_per_event B".
 *   bench_synth replay FILE [ROUNDS]
 *       every event of FILE decoded and applied to a state table, at full
 *       speed. Prints "ns_per_event MEDIAN EVENTS".
 *   bench_synth decode FILE [ROUNDS]
 *       the same without the table: decoding alone.
 *   bench_synth format
 *       the recording format it writes ("1.4"): bench/run names its
 *       recordings by it.
 *   bench_synth cg
 *       "yes" when built with callgrind's client requests (valgrind's
 *       headers): only the measured part is instrumented.
 *   bench_synth first FILE [ROUNDS [cold]]
 *       wall time from opening FILE to its first frame applied, as the UI's
 *       replay source does it. Prints "ms MEDIAN". With cold, FILE's pages
 *       are dropped from the page cache before each round (posix_fadvise
 *       DONTNEED: this file's only, no root needed), as a recording copied
 *       in or written days ago is read.
 *
 * Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), medians of
 * ROUNDS (default 5), but the first screen (wall: what a user waits for).
 * The timed work of each mode is one function that is never inlined
 * (synth_prc_pass, synth_replay_pass), so that bench/run can count its
 * instructions with valgrind --tool=callgrind --toggle-collect=NAME.
 * Benchmarks print; they assert nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "gtable.h"
#include "record.h"
#include "rec_reader.h"
#include "replay.h"
#include "churn_gen.h"
#include "raw_feed.h"

#define WINDOW_NS   (20 * 1000 * 1000ull) /* REORDER_WINDOW_NS of src/live/session.h */
#define DRAIN_EVERY 64			  /* records pushed between two drains */
#define EXPIRE_NS   1000000000ull	  /* the tracer expires once a second */
#define MAX_ROUNDS  99

/* What callgrind counts (--toggle-collect=NAME): a function of its own, never a copy of it. */
#if defined(__GNUC__) && !defined(__clang__)
#define MEASURED __attribute__((noinline, noclone))
#else
#define MEASURED __attribute__((noinline))
#endif

/*
 * Under callgrind (bench/run runs it with --instr-atstart=no when "bench_synth
 * cg" says yes), only the measured part is instrumented: the set-up (the feed,
 * the warm-up) runs about 10x faster than instrumented, and the counts, made
 * inside the measured function alone, are the same. Outside valgrind the
 * requests are a few instructions each.
 */
#if defined(__has_include) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define CG_REQUESTS 1
#define CG_START()  CALLGRIND_START_INSTRUMENTATION
#define CG_STOP()   CALLGRIND_STOP_INSTRUMENTATION
#else
#define CG_REQUESTS 0
#define CG_START()  ((void)0)
#define CG_STOP()   ((void)0)
#endif

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_synth: %s: %s\n", what, strerror(err));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned long arg_ul(int argc, char **argv, int i, unsigned long dflt, unsigned long max)
{
	char *end;
	unsigned long v;

	if (i >= argc)
		return dflt;
	errno = 0;
	v = strtoul(argv[i], &end, 10);
	if (errno || end == argv[i] || *end || !v || v > max) {
		fprintf(stderr, "bench_synth: invalid number '%s'\n", argv[i]);
		exit(2);
	}
	return v;
}

/* ---- prc: decoder and state table ------------------------------------------------------------ */

struct prc_sink {
	struct gtable *gt;
	uint64_t expired_at;
};

static int prc_emit(const struct gev *ev, void *ctx)
{
	struct prc_sink *s = ctx;

	if (ev->ts - s->expired_at >= EXPIRE_NS) {
		gtable__expire(s->gt, ev->ts);
		s->expired_at = ev->ts;
	}
	return gtable__apply(s->gt, ev);
}

/* As the tracer's single thread: the table fetched ahead of the decoder's releases. */
static void prc_ahead(uint32_t pid, uint64_t goid, void *ctx)
{
	gtable__prefetch(ctx, pid, goid);
}

/* The records of N churn events over POOL long-lived goroutines; *N_OUT records. */
static struct xg_event *prc_feed(size_t pool, size_t n, size_t *n_out)
{
	struct xg_event *v = calloc(n, sizeof(*v));
	struct churn c;
	struct gev ev;
	size_t i, k = 0;

	if (!v)
		die("feed", ENOMEM);
	churn_init(&c, 7, pool, 1000000000ull);
	for (i = 0; i < n; i++) {
		churn_next(&c, &ev);
		if (raw_feed_from_gev(&ev, &v[k]))
			k++;
	}
	churn_free(&c);
	*n_out = k;
	return v;
}

/* Records [FROM, TO) of FEED through D into S. */
__attribute__((noinline)) static int prc_push(struct decoder *d, struct prc_sink *s,
					      const struct xg_event *feed, size_t from, size_t to)
{
	size_t i;
	int err = 0;

	for (i = from; i < to && !err; i++) {
		err = decoder__push(d, &feed[i]);
		if (!err && i % DRAIN_EVERY == DRAIN_EVERY - 1 && feed[i].ts > WINDOW_NS)
			err = decoder__drain(d, feed[i].ts - WINDOW_NS, prc_emit, s);
	}
	return err;
}

/* The timed loop, apart from the warm-up (callgrind counts this function's calls alone). */
MEASURED int synth_prc_pass(struct decoder *d, struct prc_sink *s, const struct xg_event *feed,
			    size_t from, size_t to)
{
	return prc_push(d, s, feed, from, to);
}

/* One round: the first WARM records untimed (every pool goroutine in the table), then timed. */
static double prc_round(const struct xg_event *feed, size_t n, size_t warm, size_t *table)
{
	struct decoder_opts o = {.goid_before_create = true};
	struct decoder *d = decoder__new(&o);
	struct prc_sink s = {.gt = gtable__new(NULL)};
	uint64_t t;
	int err;

	if (!d || !s.gt)
		die("prc", ENOMEM);
	decoder__set_ahead(d, prc_ahead, s.gt, GTABLE_PREFETCH_AHEAD);
	err = prc_push(d, &s, feed, 0, warm);
	CG_START();
	t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (!err)
		err = synth_prc_pass(d, &s, feed, warm, n);
	t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t;
	CG_STOP();
	if (err)
		die("prc", -err);
	*table = gtable__size(s.gt);
	decoder__free(d);
	gtable__free(s.gt);
	return (double)t / (double)(n - warm);
}

static int cmd_prc(int argc, char **argv)
{
	size_t pool = arg_ul(argc, argv, 2, 10000, 10000000);
	size_t want = arg_ul(argc, argv, 3, 2000000, 1000000000);
	int rounds = (int)arg_ul(argc, argv, 4, 5, MAX_ROUNDS), r;
	/* Long enough for a quarter of the events, spread over the pool, to meet each about 8
	 * times. */
	size_t warm = pool * 16, n, table = 0;
	struct xg_event *feed = prc_feed(pool, warm + want, &n);
	double v[MAX_ROUNDS];

	for (r = 0; r < rounds; r++)
		v[r] = prc_round(feed, n, warm, &table);
	printf("ns_per_record %.2f %zu %zu\n", median(v, rounds), n - warm, table);
	free(feed);
	return 0;
}

/* ---- write: a recording ---------------------------------------------------------------------- */

static int cmd_write(int argc, char **argv)
{
	size_t n = arg_ul(argc, argv, 2, 10000000, 100000000000ul), i;
	const char *path = argc > 3 ? argv[3] : NULL;
	struct gtable *gt = gtable__new(NULL);
	struct record_opts o = {
		.path = path, .force = true, .level = REC_DEFAULT_LEVEL, .table = gt};
	struct record_meta m = {.pid = 4242, .path = "/srv/bench", .mono_ns = 1000000000000ull};
	struct record_writer *w;
	struct churn c;
	struct gev ev;
	struct stat sb;

	if (!path || !gt)
		die("usage: bench_synth write EVENTS FILE", EINVAL);
	w = record__open(&o);
	if (!w || record__begin(w, &m))
		die(path, errno);
	churn_init(&c, 1, 1000, m.mono_ns + 1);
	CG_START();
	for (i = 0; i < n; i++) {
		churn_next(&c, &ev);
		if (gtable__apply(gt, &ev))
			die("gtable__apply", ENOMEM);
		if (i % 65536 == 65535)
			gtable__expire(gt, ev.ts);
		if (record__event(w, &ev))
			die("record__event", errno);
	}
	CG_STOP();
	if (record__close(w) || stat(path, &sb))
		die(path, errno);
	printf("bytes_per_event %.4f\n", (double)sb.st_size / (double)n);
	gtable__free(gt);
	churn_free(&c);
	return 0;
}

/* ---- replay: decode and apply, at full speed --------------------------------------------------
 */

/*
 * Every event of R decoded, and applied to GT unless NULL; the count. As the
 * replay does (src/rec/replay.c): runs of events decoded into a batch, then
 * applied together.
 */
static void replay_apply(struct gtable *gt, const struct gev *evs, size_t n, uint64_t *events)
{
	*events += n;
	if (!gt)
		return;
	if (gtable__apply_batch(gt, evs, n, NULL))
		die("gtable__apply_batch", ENOMEM);
	if (*events / 65536 != (*events - n) / 65536)
		gtable__expire(gt, evs[n - 1].ts);
}

MEASURED uint64_t synth_replay_pass(struct rec_reader *r, struct gtable *gt)
{
	static struct gev batch[REPLAY_BATCH];
	struct rec_iter *it = rec_iter__new(r, 0);
	struct rec_item item;
	uint64_t events = 0;
	bool more = true;

	if (!it)
		die("rec_iter__new", ENOMEM);
	while (more) {
		size_t n = replay__take_events(it, UINT64_MAX, batch, REPLAY_BATCH, &item, &more);

		if (!more && !n)
			break;
		if (n)
			replay_apply(gt, batch, n, &events);
		if (more && item.kind == REC_ITEM_EVENT)
			replay_apply(gt, &item.ev, 1, &events); /* the full form */
		more = more || n == REPLAY_BATCH;
	}
	rec_iter__free(it);
	return events;
}

static struct rec_reader *open_rec(const char *path)
{
	char err[256];
	struct rec_reader *r = rec_reader__open(path, NULL, err, sizeof(err));

	if (!r) {
		fprintf(stderr, "bench_synth: %s\n", err);
		exit(1);
	}
	return r;
}

static int cmd_replay(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "examples/sample.zst";
	int rounds = (int)arg_ul(argc, argv, 3, 5, MAX_ROUNDS), i;
	bool apply = !strcmp(argv[1], "replay");
	double v[MAX_ROUNDS];
	uint64_t events = 0, t;

	for (i = 0; i < rounds; i++) {
		struct rec_reader *r = open_rec(path);
		struct gtable *gt = apply ? gtable__new(NULL) : NULL;

		if (apply && !gt)
			die("gtable", ENOMEM);
		CG_START();
		t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		events = synth_replay_pass(r, gt);
		t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t;
		CG_STOP();
		v[i] = events ? (double)t / (double)events : 0;
		gtable__free(gt);
		rec_reader__free(r);
	}
	printf("ns_per_event %.2f %llu\n", median(v, rounds), (unsigned long long)events);
	return 0;
}

/* ---- first: the replay's first screen ----------------------------------------------------------
 */

/* PATH's pages out of the page cache (those nobody maps). */
static void drop_cached(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		die(path, errno);
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (err)
		die("posix_fadvise", err);
}

static int cmd_first(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "examples/sample.zst";
	int rounds = (int)arg_ul(argc, argv, 3, 5, MAX_ROUNDS), i;
	bool cold = argc > 4 && !strcmp(argv[4], "cold");
	double v[MAX_ROUNDS];

	for (i = 0; i < rounds; i++) {
		uint64_t t;

		if (cold)
			drop_cached(path);
		t = clock_ns(CLOCK_MONOTONIC);
		struct replay *rp =
			replay__new(open_rec(path), &(struct replay_opts){.start_paused = true});
		struct xg_source src;

		if (!rp)
			die("replay__new", ENOMEM);
		replay__source(rp, &src);
		src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0);
		v[i] = (double)(clock_ns(CLOCK_MONOTONIC) - t) / 1e6;
		replay__free(rp);
	}
	printf("ms %.2f\n", median(v, rounds));
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "prc"))
		return cmd_prc(argc, argv);
	if (!strcmp(cmd, "write"))
		return cmd_write(argc, argv);
	if (!strcmp(cmd, "replay") || !strcmp(cmd, "decode"))
		return cmd_replay(argc, argv);
	if (!strcmp(cmd, "first"))
		return cmd_first(argc, argv);
	if (!strcmp(cmd, "cg")) {
		printf("%s\n", CG_REQUESTS ? "yes" : "no");
		return 0;
	}
	if (!strcmp(cmd, "format")) {
		printf("%d.%d\n", REC_MAJOR, REC_MINOR);
		return 0;
	}
	fprintf(stderr,
		"usage: bench_synth prc [GOROUTINES [RECORDS [ROUNDS]]] | write EVENTS FILE"
		" | replay|decode FILE [ROUNDS] | first FILE [ROUNDS [cold]] | format | cg\n");
	return 2;
}
