/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading recordings (docs/FORMAT.md) and replaying them as a source.
 *
 * The reader maps a file (or takes a buffer), reads its header and its
 * seek index, or rebuilds the index by scanning the frames when there is
 * none (the recorder was killed) or it is damaged. Damage costs the frames
 * it touches, never the rest: every problem is reported through the warn
 * callback and reading goes on. Pure: no libbpf, no ncurses, no globals.
 *
 * The replay source plays a recording into a state table of its own, with
 * the playback controls of struct xg_source.
 */
#ifndef XGOTOP_REPLAY_H
#define XGOTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gtable.h"
#include "record.h"
#include "source.h"

struct rec_reader_opts {
	/* Called with a one-line message for each problem found (may be NULL). */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

struct rec_reader;

/*
 * Open a recording. NULL when nothing can be read from it, with errno and a
 * one-line reason in ERR ("is empty", "is not an xgotop-tui recording",
 * "was written by a newer xgotop-tui (format 2.0) ...").
 */
struct rec_reader *rec_reader__open(const char *path, const struct rec_reader_opts *opts, char *err,
				    size_t errlen);
/* The same over a buffer that the caller keeps alive until rec_reader__free. */
struct rec_reader *rec_reader__open_mem(const void *buf, size_t len,
					const struct rec_reader_opts *opts, char *err,
					size_t errlen);
void rec_reader__free(struct rec_reader *r);

/* Fields are NULL / 0 when the header could not be read (the frames still can). */
const struct rec_header *rec_reader__header(const struct rec_reader *r);
bool rec_reader__has_header(const struct rec_reader *r);
/* The seek index was present and sound (else it was rebuilt by scanning). */
bool rec_reader__has_index(const struct rec_reader *r);
/* The recording was closed cleanly (its last frame carries the end mark). */
bool rec_reader__complete(const struct rec_reader *r);
size_t rec_reader__n_frames(const struct rec_reader *r);
const struct rec_frame_info *rec_reader__frame(const struct rec_reader *r, size_t i);
/* Events in the frames before frame I. */
uint64_t rec_reader__events_before(const struct rec_reader *r, size_t i);
/* Events, and the first and last timestamp, as the frame infos tell. */
uint64_t rec_reader__n_events(const struct rec_reader *r);
uint64_t rec_reader__start(const struct rec_reader *r);
uint64_t rec_reader__end(const struct rec_reader *r);
const struct rec_dict *rec_reader__dict(const struct rec_reader *r);

/* Reads the records of the frames in order, from a given frame on. */
struct rec_iter;

struct rec_iter *rec_iter__new(struct rec_reader *r, size_t frame);
/*
 * The next record: 1, or 0 after the last frame. Damaged frames are
 * reported (once) and skipped. Strings of items live as long as the reader.
 */
int rec_iter__next(struct rec_iter *it, struct rec_item *item);
/* The frame the last record came from. */
size_t rec_iter__frame(const struct rec_iter *it);
void rec_iter__free(struct rec_iter *it);

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
};

struct replay;

/* Takes R (freed with the replay). Shows the first frame: NULL and errno on ENOMEM. */
struct replay *replay__new(struct rec_reader *r, const struct replay_opts *opts);
void replay__free(struct replay *rp);
void replay__source(struct replay *rp, struct xg_source *out);
/* Events applied to the table since it was last rebuilt (for tests and benchmarks). */
uint64_t replay__applied(const struct replay *rp);

#endif /* XGOTOP_REPLAY_H */
