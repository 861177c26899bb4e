// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the recording reader (src/rec/reader.c, src/rec/decoder.c):
 * open the bytes as a recording, read every record, format every event as
 * JSONL, then play it as a replay source: seek around (keyframe restores
 * included) and step. Any crash, hang, leak or sanitizer report is a bug:
 * damaged files must end in an error or in what can be read.
 * Seeds: tests/fuzz/corpus/record, written by tests/record/write_seeds.c.
 *
 * For coverage of the library, build xg_all instrumented too:
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DXG_FUZZ=ON \
 *         -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "replay.h"
#include "stackset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s)
{
	/* Strings must be NUL-terminated and readable: strlen walks them. */
	if (s && strlen(s) > (64u << 20))
		abort();
}

/* Go's dump of a sweep: every string of it walked. */
static void print_sweep(const struct stackset *s)
{
	FILE *f = fopen("/dev/null", "w");

	if (!f || stackset__print(f, s))
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rec_header *h;
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct replay_opts ro = {.full_replay_events = 64, .jump_events = 16, .start_paused = true};
	struct replay *rp;
	struct xg_source src;
	struct xg_playback pb;
	static char line[1 << 16];
	char err[512];
	uint64_t events = 0;
	struct stackset *set;
	struct rec_stacks map = {0};
	size_t i;
	int n;

	r = rec_reader__open_mem(data, size, NULL, err, sizeof(err));
	if (!r) {
		if (!err[0] || strlen(err) >= sizeof(err))
			abort(); /* a failure always says why */
		return 0;
	}
	h = rec_reader__header(r);
	check_str(h->tool);
	check_str(h->path);
	check_str(h->go_version);
	check_str(h->offsets);
	for (i = 0; i < rec_reader__n_frames(r); i++)
		if (!rec_reader__frame(r, i))
			abort();
	if (rec_reader__frame(r, rec_reader__n_frames(r)))
		abort();

	it = rec_iter__new(r, 0);
	set = stackset__new();
	while (it && set && rec_iter__next(it, &item) > 0) {
		/* Stack sweeps (1.3): damage drops a sweep, never more. */
		if (rec_stacks__apply(&map, rec_reader__dict(r), &item, set) == -ENOMEM)
			abort();
		switch (item.kind) {
		case REC_ITEM_EVENT:
			events++;
			check_str(item.ev.func);
			check_str(item.ev.reason_str);
			n = jsonl__format(&item.ev, line, sizeof(line));
			/* Kinds a newer writer may add have no JSONL line here: -EINVAL. */
			if (n < 0 && n != -ENOSPC &&
			    !(n == -EINVAL && item.ev.kind > GEV_ALLOC_HIST))
				abort();
			break;
		case REC_ITEM_KF_ENTRY:
			if (item.kf.n_spans > REC_MAX_SPANS)
				abort();
			check_str(item.kf.func);
			check_str(item.kf.reason_str);
			break;
		default:
			break;
		}
	}
	rec_iter__free(it);
	if (set && stackset__sweep_ts(set))
		print_sweep(set);
	stackset__free(set);
	rec_stacks__free(&map);
	/* A frame that checks out holds what its info says; damaged ones are skipped. */
	if (events > rec_reader__n_events(r) + (uint64_t)size * 8)
		abort();

	/* Play it: open, seek everywhere, step both ways. The replay owns R now. */
	rp = replay__new(r, &ro);
	if (!rp)
		return 0;
	replay__source(rp, &src);
	src.ops->playback(src.ctx, &pb);
	if (pb.pos < pb.start || pb.pos > pb.end || pb.start > pb.end)
		abort();
	src.ops->control(src.ctx, XG_CTL_SEEK_END, 0);
	src.ops->control(src.ctx, XG_CTL_SEEK_TIME, (pb.end - pb.start) / 2);
	src.ops->control(src.ctx, XG_CTL_SEEK_TIME, (pb.end - pb.start) / 3);
	src.ops->control(src.ctx, XG_CTL_SEEK_START, 0);
	for (i = 0; i < 4; i++)
		src.ops->control(src.ctx, XG_CTL_STEP_FWD, 0);
	src.ops->control(src.ctx, XG_CTL_STEP_BACK, 0);
	src.ops->playback(src.ctx, &pb);
	if (pb.pos < pb.start || pb.pos > pb.end)
		abort();
	if (!src.ops->table(src.ctx))
		abort();
	src.ops->control(src.ctx, XG_CTL_SEEK_END, 0);
	if (src.ops->stacks(src.ctx) && stackset__sweep_ts(src.ops->stacks(src.ctx)))
		print_sweep(src.ops->stacks(src.ctx));
	replay__free(rp);
	return 0;
}
