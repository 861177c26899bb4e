/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Replaying recordings: the replay source plays a recording into a state
 * table of its own, with the playback controls of struct xg_source
 * (replay.c); keyframe restore re-creates a keyframe's goroutines in a
 * table (restore.c). The reader of the files is rec_reader.h, included
 * here so that callers need one header.
 */
#ifndef XGOTOP_REPLAY_H
#define XGOTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gtable.h"
#include "rec_reader.h"
#include "record.h"
#include "source.h"

/*
 * Re-create one goroutine of a keyframe in GT (empty of it) by applying
 * synthetic events: its identity, state, reason, time per state and span
 * history come out as the recorder's table had them; its transition count
 * and the table-wide counters count what was applied. 0 or -ENOMEM.
 */
int replay__restore(struct gtable *gt, const struct rec_kf_entry *e);

/* ---- the replay source ------------------------------------------------------- */

struct replay_opts {
	/* A backward seek replays from the start when it costs fewer events than this (0: 2M) ...
	 */
	uint64_t full_replay_events;
	/* ... and a forward one jumps to a keyframe when it saves more than this (0: 500k). */
	uint64_t jump_events;
	/*
	 * A seek restores a keyframe taken keep_exited (30 s) before the target or
	 * earlier, so that the table is exact, when that replays fewer events than
	 * this (0: 4M); else the nearest keyframe (goroutines that had exited before
	 * it are missing from the table until they would have expired).
	 */
	uint64_t exact_events;
	bool start_paused;
	/*
	 * The wall clock playback follows (ns) and the wait in pump: NULL, CLOCK_MONOTONIC
	 * and nanosleep; a test gives a clock of its own, which its sleep moves on.
	 */
	uint64_t (*clock)(void *ctx);
	void (*sleep)(uint64_t ns, void *ctx);
	void *clock_ctx;
};

struct replay;

/* Takes R (freed with the replay). Shows the first frame: NULL and errno on ENOMEM. */
struct replay *replay__new(struct rec_reader *r, const struct replay_opts *opts);
void replay__free(struct replay *rp);
void replay__source(struct replay *rp, struct xg_source *out);
/* Its sweeps (format 1.3): the latest at or before the position, none before one. */
const struct stackset *replay__stacks(const struct replay *rp);
struct stk_leak_opts;
/* Who is a leak suspect in its sweeps (the defaults: src/core/stackset.h). */
void replay__set_leak(struct replay *rp, const struct stk_leak_opts *o);
/* Events applied to the table since it was last rebuilt (for tests and benchmarks). */
uint64_t replay__applied(const struct replay *rp);

/* Events decoded before they are applied together (gtable__apply_batch). */
#define REPLAY_BATCH 64
/*
 * The next events of IT in the compact form while their time is <= T, decoded
 * into EVS (at most MAX): how many. The record that stopped it (another kind,
 * an event after T or in the full form) is left in *NEXT with *HAVE_NEXT true;
 * *HAVE_NEXT false: MAX reached, or the end.
 * The fields after m of EVS's events are not written: keep them zero
 * (rec_iter__next_events).
 */
size_t replay__take_events(struct rec_iter *it, uint64_t t, struct gev *evs, size_t max,
			   struct rec_item *next, bool *have_next);

#endif /* XGOTOP_REPLAY_H */
