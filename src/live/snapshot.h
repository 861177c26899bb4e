/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * -pid: the goroutines found at attach. Before the probes go in, the
 * target's goroutine table is read once (what --poll reads), so that
 * goroutines which do not change state while we watch are listed all the
 * same, with their start function, creator and parent instead of
 * "(unknown)". After attaching they are emitted as creates marked existing
 * and the decoders are seeded with their states; a second read names
 * those gone since, and any that ended before the probes were in get an
 * inferred exit once every record up to then has been read.
 *
 * The reads come in through snapshot__add (a poll_emit_fn): a pure core,
 * unit-tested on synthetic tables (tests/unit/test_snapshot.c).
 */
#ifndef XGOTOP_SNAPSHOT_H
#define XGOTOP_SNAPSHOT_H

#include <stdint.h>

#include "decode.h"

struct poll_src;
struct snapshot;

/* The session's decoders (one, or one per processor thread with -pw N) and its sink. */
struct snapshot_ops {
	int (*each_decoder)(void *ctx, int (*fn)(struct decoder *d, void *arg), void *arg);
	unsigned int n_decoders;
	decoder_emit_fn emit;
	void *ctx;
};

/* Of process PID. NULL and errno on failure. */
struct snapshot *snapshot__new(uint32_t pid);
void snapshot__free(struct snapshot *s);

/*
 * A read of the goroutine table starts at NOW: the first before the
 * probes go in, the second after snapshot__emit. Its events go to
 * snapshot__add: the first read's creates are kept, the second read's
 * exits of those make them suspects. 0 or -ENOMEM.
 */
void snapshot__begin_read(struct snapshot *s, uint64_t now);
int snapshot__add(const struct gev *ev, void *snapshot);
/* Both steps over the target's goroutine table SRC: poll_src__pump's result. */
int snapshot__read(struct snapshot *s, struct poll_src *src, uint64_t now);

/*
 * After attaching (and after the recording began): the goroutines kept,
 * as creates marked existing at the first read's time, each decoder seeded
 * first. GOROUTINE_THRESH: -sample's (struct xg_sample): the goroutines it
 * leaves out are not listed, they would never change. NULL S: nothing.
 */
int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops);
/*
 * Once every record up to RELEASED has been read (UINT64_MAX: the end):
 * each suspect that no decoder saw a record of since its seed ended before
 * the probes were in. It gets an inferred change to dead and an exit, at
 * the second read's time. Done once; NULL S: nothing.
 */
int snapshot__settle(struct snapshot *s, uint64_t released, const struct snapshot_ops *ops);

#endif /* XGOTOP_SNAPSHOT_H */
