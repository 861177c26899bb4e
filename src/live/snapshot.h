/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * -pid: the goroutines found at attach. Before the probes go in, the
 * target's goroutine table is read once (what --poll reads), so that
 * goroutines which do not change state while we watch are listed all the
 * same, with their start function, creator and parent instead of
 * "(unknown)". Once the probes are in, a second read names those gone
 * since and those new since (late: created between the two reads, before
 * the probes or under them). Then the first read's are emitted as creates
 * marked existing and the decoders are seeded with their states; the late
 * ones wait in the decoders for their first record (decoder__seed_late):
 * a create record is theirs, any other gets them listed as existing
 * first. Once every record up to the second read has been read, late ones
 * no record touched are listed as existing, and those of the first read
 * that ended before the probes were in get an inferred exit.
 *
 * The reads come in through snapshot__add (a poll_emit_fn): a pure core,
 * unit-tested on synthetic tables (tests/unit/test_snapshot.c).
 */
#ifndef XGOTOP_SNAPSHOT_H
#define XGOTOP_SNAPSHOT_H

#include <stddef.h>
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
 * probes go in, the second once they are in, before snapshot__emit. Its
 * events go to snapshot__add: the first read's creates are kept; the
 * second read's exits of those make them suspects, its creates are the
 * late ones (a read after snapshot__emit: exits only). 0 or -ENOMEM.
 */
void snapshot__begin_read(struct snapshot *s, uint64_t now);
int snapshot__add(const struct gev *ev, void *snapshot);
/* Both steps over the target's goroutine table SRC: poll_src__pump's result. */
int snapshot__read(struct snapshot *s, struct poll_src *src, uint64_t now);
/* The late goroutines: new in the second read. */
size_t snapshot__n_late(const struct snapshot *s);
/* The first read's creates, until snapshot__emit: *N of them (NULL after it, or S NULL). */
struct gev *snapshot__found(struct snapshot *s, size_t *n);

/*
 * After attaching (and after the recording began): the goroutines kept,
 * as creates marked existing at the first read's time, each decoder seeded
 * first. GOROUTINE_THRESH: -sample's (struct xg_sample): the goroutines it
 * leaves out are not listed, they would never change. NULL S: nothing.
 */
int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops);
/*
 * Once every record up to RELEASED has been read (UINT64_MAX: the end):
 * each late goroutine no decoder saw a record of is listed (a create
 * marked existing, at the second read's time, its decoders seeded); each
 * suspect that no decoder saw a record of since its seed ended before
 * the probes were in. It gets an inferred change to dead and an exit, at
 * the second read's time. Done once; NULL S: nothing.
 */
int snapshot__settle(struct snapshot *s, uint64_t released, const struct snapshot_ops *ops);

/*
 * After lost records (the ring buffer was full): the goroutine table read
 * again, and the state table set right by it. A read of process PID is a
 * fresh one (every live goroutine comes as a create, through resync__add)
 * between resync__begin_read and resync__end_read; once every record up
 * to its end has been applied, resync__apply compares the state table
 * with it. A goroutine with a transition since the read began is left to
 * its records (the read may have caught it on either side), as is one
 * alive whose wait a decoder holds. For the others:
 *  - in the state table, not in the read: it ended unseen, an inferred
 *    change to dead and an exit;
 *  - in both, in another state: an inferred change to the state read;
 *  - in the read only: a create marked existing;
 * each decoder seeded (or made to forget it), and rid of the creates
 * older than the read still waiting for their goid (before go1.24: the
 * read listed those alive; but with -sample newgoroutine, which adds no
 * goroutine), all stamped with the time the gap is marked: after a
 * GEV_GAP event (drop count, time range, what follows). A failed read
 * (ok false) gives the GEV_GAP event alone, resync false.
 */
struct gtable;
struct resync;

struct resync_ops {
	struct snapshot_ops s;
	const struct gtable *gt;   /* what the outputs say now */
	uint64_t goroutine_thresh; /* -sample: goroutines it leaves out are not added */
	bool creates_sampled;	   /* -sample newgoroutine: a create missing may be on purpose */
};

/* NULL and errno on failure. */
struct resync *resync__new(uint32_t pid);
void resync__free(struct resync *r);
uint32_t resync__pid(const struct resync *r);
void resync__begin_read(struct resync *r, uint64_t now);
/* A poll_emit_fn: the creates of a fresh read. 0 or -ENOMEM. */
int resync__add(const struct gev *ev, void *resync);
/* The read ended at NOW (OK: it read the whole table); DROPS records were lost since SINCE. */
void resync__end_read(struct resync *r, uint64_t now, bool ok, uint64_t drops, uint64_t since);
/* The end of the read waiting for resync__apply, 0: none. */
uint64_t resync__due(const struct resync *r);
/*
 * Every record up to resync__due has been applied: the gap and the fixes,
 * stamped at STAMP or the end of the read, whichever is later (STAMP: the
 * latest event the outputs have, so that they stay in order); OUT (may be
 * NULL): what the GEV_GAP event said. 0 or -errno.
 */
int resync__apply(struct resync *r, uint64_t stamp, const struct resync_ops *ops,
		  struct gev_gap *out);

#endif /* XGOTOP_SNAPSHOT_H */
