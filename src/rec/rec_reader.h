/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading recordings (docs/FORMAT.md).
 *
 * The reader maps a file (or takes a buffer), reads its header and its
 * seek index, or rebuilds the index by scanning the frames when there is
 * none (the recorder was killed) or it is damaged. Damage costs the frames
 * it touches, never the rest: every problem is reported through the warn
 * callback and reading goes on. Pure: no libbpf, no ncurses, no globals.
 */
#ifndef XGOTOP_REC_READER_H
#define XGOTOP_REC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

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
/* The largest timestamp of frames 0..I (I < rec_reader__n_frames). */
uint64_t rec_reader__frame_max_ts(const struct rec_reader *r, size_t i);
/* The first frame whose largest timestamp so far reaches T (n_frames when none does). */
size_t rec_reader__frame_at(const struct rec_reader *r, uint64_t t);
/* The last frame up to frame LIMIT that starts with a keyframe no later than T, or -1. */
long rec_reader__keyframe_before(const struct rec_reader *r, size_t limit, uint64_t t);

/* Reads the records of the frames in order, from a given frame on. */
struct rec_iter;

struct rec_iter *rec_iter__new(struct rec_reader *r, size_t frame);
/*
 * The next record: 1, or 0 after the last frame. Damaged frames are
 * reported (once) and skipped. Strings of items live as long as the reader.
 */
int rec_iter__next(struct rec_iter *it, struct rec_item *item);
/*
 * The next records into EVS (at most MAX) while they are events in the
 * compact form, decoded without the copy out of a struct rec_item: how many,
 * the last of them the first whose time is after T, if one is; 0 at
 * anything else, or at a frame's start or end (rec_iter__next reads it).
 * The fields after m of EVS's events must be zero (rec_dec__next_events).
 */
size_t rec_iter__next_events(struct rec_iter *it, struct gev *evs, size_t max, uint64_t t);
/* The frame the last record came from. */
size_t rec_iter__frame(const struct rec_iter *it);
void rec_iter__free(struct rec_iter *it);

#endif /* XGOTOP_REC_READER_H */
