// SPDX-License-Identifier: BSD-2-Clause
/*
 * Recording costs on the churn stream (tests/record/churn_gen.h: a busy
 * server's events, one in ten a creation, one in ten an exit):
 *   - write: ns per event of record__event (encoding, compression, writing,
 *     keyframes from the live table), and bytes per event in the file;
 *   - read: ns per event to decode the file back, and to decode and apply
 *     it to a state table (a replay at full speed);
 *   - replay: time to the first screen of the file, and to seek into it.
 * The events are generated and applied to the state table outside the
 * timed region, as the tracer applies them before recording.
 *
 * Built with the rest, never run by CTest (benchmarks never assert timings):
 *   cmake --build build --target bench_record
 *   build/bench_record [events (10000000)] [file (/tmp/bench_record.zst)] [zstd level (2)]
 * 200 MB of recording: build/bench_record 40000000
 *
 * On real events: build/bench_record --rewrite RECORDING.zst re-encodes the
 * events of a recording (say of tests/record/churn, traced live) at several
 * zstd levels (--rewrite RECORDING.zst LEVEL: that one alone, for callgrind):
 * bytes per event and write cost on real data.
 *
 * Costs are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID): on a shared
 * machine, wall time measures the neighbours too. Wall time is printed for
 * what a user waits for (the first screen, seeks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "replay.h"
#include "churn_gen.h"

#define BATCH 65536

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_record: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double ms_since(uint64_t t)
{
	return (ns() - t) / 1e6;
}

/* Re-encode the events of a real recording at several levels (or at LEVEL alone, when not 0). */
static int rewrite(const char *in, int level)
{
	static const int all[] = {1, 2, 3, 5, 7, 9};
	const int *levels = level ? &level : all;
	size_t n_levels = level ? 1 : sizeof(all) / sizeof(all[0]);
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct gev *ev = NULL;
	size_t n = 0, cap = 0, i, l;
	char err[256], out[4096];

	r = rec_reader__open(in, NULL, err, sizeof(err));
	if (!r)
		die(err);
	it = rec_iter__new(r, 0);
	while (rec_iter__next(it, &item) > 0) {
		if (item.kind != REC_ITEM_EVENT)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			ev = realloc(ev, cap * sizeof(*ev));
			if (!ev)
				die("memory");
		}
		ev[n++] = item.ev; /* strings live in the reader's dictionary */
	}
	rec_iter__free(it);
	snprintf(out, sizeof(out), "/tmp/bench_record_rewrite.%d.zst", (int)getpid());
	printf("rewrite: %zu events of %s (%.1f s)\n", n, in,
	       (rec_reader__end(r) - rec_reader__start(r)) / 1e9);
	for (l = 0; l < n_levels; l++) {
		struct record_opts o = {.path = out, .force = true, .level = levels[l]};
		struct record_meta m = {.pid = 1, .mono_ns = rec_reader__start(r)};
		struct record_writer *w = record__open(&o);
		uint64_t t;
		struct stat sb;

		if (!w || record__begin(w, &m))
			die(out);
		t = cpu_ns();
		for (i = 0; i < n; i++)
			if (record__event(w, &ev[i]))
				die("record__event");
		if (record__close(w))
			die("record__close");
		t = cpu_ns() - t;
		if (stat(out, &sb))
			die(out);
		printf("  level %d: %.3f bytes/event, %.1f ns/event\n", levels[l],
		       (double)sb.st_size / n, (double)t / n);
	}
	unlink(out);
	free(ev);
	rec_reader__free(r);
	return 0;
}

/* Every event decoded and applied to a state table, as a replay at full speed does. */
static void decode_apply(struct rec_reader *r)
{
	struct gtable *gt = gtable__new(NULL);
	struct rec_iter *it = rec_iter__new(r, 0);
	struct rec_item item;
	uint64_t t = cpu_ns(), events = 0, spent;

	if (!gt || !it)
		die("memory");
	while (rec_iter__next(it, &item) > 0) {
		if (item.kind != REC_ITEM_EVENT)
			continue;
		if (gtable__apply(gt, &item.ev))
			die("gtable__apply");
		events++;
	}
	spent = cpu_ns() - t;
	rec_iter__free(it);
	gtable__free(gt);
	printf("  decode + apply: %.1f ns/event, %.2fe6 events/s\n", (double)spent / events,
	       events * 1e3 / spent);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/bench_record.zst";
	int level = argc > 3 ? atoi(argv[3]) : REC_DEFAULT_LEVEL;
	struct gev *batch = malloc(BATCH * sizeof(*batch));
	struct gtable *gt = gtable__new(NULL);
	struct record_opts o = {.path = path, .force = true, .level = level};
	struct record_meta m = {.pid = 4242, .path = "/srv/bench", .mono_ns = 1000000000000ull};
	struct record_writer *w;
	struct record_stats st;
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct replay *rp;
	struct xg_source src;
	struct xg_playback pb;
	struct churn c;
	struct stat sb;
	uint64_t t, spent = 0, events = 0, dec;
	char err[256];
	size_t i, k;

	if (argc > 2 && !strcmp(argv[1], "--rewrite"))
		return rewrite(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (!batch || !gt)
		die("memory");
	o.table = gt;
	w = record__open(&o);
	if (!w || record__begin(w, &m))
		die(path);
	churn_init(&c, 1, 1000, m.mono_ns + 1);
	for (i = 0; i < n; i += k) {
		size_t want = n - i < BATCH ? n - i : BATCH;

		for (k = 0; k < want; k++) {
			churn_next(&c, &batch[k]);
			if (gtable__apply(gt, &batch[k]))
				die("gtable__apply");
		}
		/* The live table drops exited goroutines after 30 s; so does this one. */
		gtable__expire(gt, batch[k - 1].ts);
		t = cpu_ns();
		for (k = 0; k < want; k++)
			if (record__event(w, &batch[k]))
				die("record__event");
		spent += cpu_ns() - t;
	}
	t = cpu_ns();
	record__stats(w, &st);
	if (record__close(w))
		die("record__close");
	spent += cpu_ns() - t;
	if (stat(path, &sb))
		die(path);
	printf("write: %zu events (%.1f s of churn, %zu goroutines at the end) at zstd level %d\n",
	       n, (c.ts - m.mono_ns) / 1e9, gtable__size(gt), level);
	printf("  %.1f ns/event (encode, compress, write, %llu keyframes)\n", (double)spent / n,
	       (unsigned long long)st.keyframes);
	printf("  %.3f bytes/event in the file (%.1f MB), %.2f raw; %llu frames\n",
	       (double)sb.st_size / n, sb.st_size / 1e6, (double)st.raw_bytes / n,
	       (unsigned long long)st.frames);
	gtable__free(gt);
	churn_free(&c);
	free(batch);

	/* Reading it back. */
	t = ns();
	r = rec_reader__open(path, NULL, err, sizeof(err));
	if (!r)
		die(err);
	printf("read: open (header, seek index) %.2f ms\n", ms_since(t));
	t = cpu_ns();
	it = rec_iter__new(r, 0);
	while (rec_iter__next(it, &item) > 0)
		events += item.kind == REC_ITEM_EVENT;
	dec = cpu_ns() - t;
	rec_iter__free(it);
	printf("  decode: %.1f ns/event (%llu events)\n", (double)dec / events,
	       (unsigned long long)events);
	decode_apply(r);
	rec_reader__free(r);

	/* The replay source: first screen, then seeks (keyframes). */
	t = ns();
	r = rec_reader__open(path, NULL, err, sizeof(err));
	rp = r ? replay__new(r, &(struct replay_opts){.start_paused = true}) : NULL;
	if (!rp)
		die("replay");
	replay__source(rp, &src);
	src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0);
	printf("replay: first screen (open, first frame applied) in %.2f ms\n", ms_since(t));
	src.ops->playback(src.ctx, &pb);
	{
		static const struct {
			const char *what;
			int pct;
		} seeks[] = {{"to the middle", 50},
			     {"to the end", 100},
			     {"back to 25%", 25},
			     {"forward to 75%", 75},
			     {"back to the start", 0}};

		for (i = 0; i < sizeof(seeks) / sizeof(seeks[0]); i++) {
			t = ns();
			src.ops->control(src.ctx, XG_CTL_SEEK_TIME,
					 (pb.end - pb.start) / 100 * seeks[i].pct);
			printf("  seek %-18s %8.1f ms (%llu events applied, %zu goroutines)\n",
			       seeks[i].what, ms_since(t), (unsigned long long)replay__applied(rp),
			       gtable__size(src.ops->table(src.ctx)));
		}
	}
	replay__free(rp);

	/* Without its index, as after a crash: the index is rebuilt by scanning. */
	if (sb.st_size > 16) {
		char cut[4096];
		FILE *in = fopen(path, "rb");
		uint64_t off = 0;
		uint8_t foot[16];

		snprintf(cut, sizeof(cut), "%s.noindex", path);
		if (in && !fseek(in, -16, SEEK_END) && fread(foot, 1, 16, in) == 16) {
			for (i = 0; i < 8; i++)
				off |= (uint64_t)foot[i] << (8 * i);
			fclose(in);
			if (truncate(path, (off_t)off) == 0) {
				t = ns();
				r = rec_reader__open(path, NULL, err, sizeof(err));
				rp = r ? replay__new(r, &(struct replay_opts){.start_paused = true})
				       : NULL;
				if (rp) {
					replay__source(rp, &src);
					src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0);
					printf("  without the seek index: first screen in %.2f "
					       "ms\n",
					       ms_since(t));
					replay__free(rp);
				}
			}
		}
	}
	unlink(path);
	return 0;
}
