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
 * first. Once every record up to the second read's end has been read, late ones
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
 * Two reads at most: once both came before it, snapshot__emit gives back
 * the first read's goroutines as it lists them (memory at a 1M-goroutine
 * attach), and a third read is -EINVAL.
 */
void snapshot__begin_read(struct snapshot *s, uint64_t now);
int snapshot__add(const struct gev *ev, void *snapshot);
/*
 * The second read ended at NOW: snapshot__settle waits for the records up
 * to then (a g read late in the read may show a change made after it
 * began, under the probes). Not said: up to its beginning only.
 */
void snapshot__end_read(struct snapshot *s, uint64_t now);
/* Both steps over the target's goroutine table SRC: poll_src__pump's result. */
int snapshot__read(struct snapshot *s, struct poll_src *src, uint64_t now);
/*
 * The first read's goroutines are out already (a step up from poll,
 * src/live/capture.c: the reads listed them): snapshot__emit seeds the
 * decoders with them and lists none. The rest is as at attach.
 */
void snapshot__set_announced(struct snapshot *s);
/* The late goroutines: new in the second read. */
size_t snapshot__n_late(const struct snapshot *s);
/*
 * A goroutine of a read, what its create needs and no more: 56 bytes where
 * a struct gev takes 336 (1M goroutines at attach: 280 MB less at the peak).
 */
struct found_g {
	uint64_t goid, parent, startpc, gopc;
	uint64_t waitsince; /* Go's g.waitsince in our clock; 0: none (struct gev) */
	const char *func;   /* the start function named from its stack (startname.c); NULL */
	int16_t reason;
	uint8_t state;
};

/* The first read's goroutines, until snapshot__emit: *N of them (NULL after it, or S NULL). */
struct found_g *snapshot__found(struct snapshot *s, size_t *n);

/*
 * After attaching (and after the recording began): the goroutines kept,
 * as creates marked existing at the first read's time, each decoder seeded
 * first. GOROUTINE_THRESH: -sample's (struct xg_sample): the goroutines it
 * leaves out are not listed, they would never change. NULL S: nothing.
 */
int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops);
/*
 * Once every record up to RELEASED has been read (UINT64_MAX: the end), and
 * RELEASED is past the second read's end (snapshot__end_read):
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
 *  - in the read only, or listed without a creation (-b: from before the
 *    attach, first seen by a change of state): a create marked existing;
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
/*
 * Of the last resync__apply's read: the goroutines found that ended before
 * it was applied, their entries since dropped by the state table's caps
 * (gtable__log_dropped_exits), so not taken for new ones.
 */
size_t resync__ended_dropped(const struct resync *r);

/*
 * A read shows what casgstatus has stored, and the probe fires before the
 * store: a goroutine read running may have been ending, its exit record
 * lost with the others; one not found, its creation alone seen, may have
 * been starting. resync__apply watches the goroutines it left running or
 * runnable (before go1.24 a g being created is runnable before it has its
 * goid: the read lists it under its previous goroutine's), and holds the
 * exits of the others, until an event of them comes.
 * resync__check reads each one's status again through REREAD (0 and
 * *STATUS, XG_G_DEAD once its g has ended or runs another goroutine;
 * -ENOENT: no g carries its goid, it ended; else: not known now) and notes,
 * stamped NOW, those ended with no event (a held exit found alive or
 * being created, XG_G_RUNNABLE, is let go); returns how many are watched.
 * Once every record up to resync__gone_due has been applied,
 * resync__settle_gone gives those still without an event an inferred
 * change to dead and an exit, at STAMP or their NOW, whichever is later
 * (*N_ENDED: how many). 0 or -errno.
 */
typedef int (*resync_reread_fn)(uint64_t goid, uint8_t *status, void *ctx);
size_t resync__check(struct resync *r, const struct gtable *gt, uint64_t now,
		     resync_reread_fn reread, void *ctx);
/* How many goroutines are watched. */
size_t resync__watching(const struct resync *r);
/* The earliest NOW of a goroutine read again as ended, 0: none. */
uint64_t resync__gone_due(const struct resync *r);
int resync__settle_gone(struct resync *r, uint64_t released, uint64_t stamp,
			const struct resync_ops *ops, unsigned int *n_ended);
/* How many of those resync__settle_gone ended had been read runnable, in all. */
size_t resync__gone_runnable(const struct resync *r);

#endif /* XGOTOP_SNAPSHOT_H */
