/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Longer state histories for the goroutines on screen. The state table keeps
 * a few recent spans per goroutine (16 by default): a busy goroutine's ring
 * covers milliseconds, not the seconds a timeline shows. For the few dozen
 * rows on screen, the UI copies each new span out of the ring after every
 * pump (every ~10 ms), so their timelines fill in from the moment they show
 * up. A busy goroutine changes state thousands of times a second, more than
 * the raw spans kept cover; coarser layers keep, per 10 ms, 100 ms and 1 s
 * bucket, the state that dominated it and whether others shared it, which is
 * all a cell of the timeline shows at those zooms. Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_TRACK_H
#define XGOTOP_TUI_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gtable.h"

#define TRACK_SPANS   4096 /* per goroutine, a ring: 64 KiB */
#define TRACK_MAX     256  /* goroutines tracked at once */
#define TRACK_LAYERS  3	   /* buckets of 10 ms, 100 ms, 1 s */
#define TRACK_BUCKETS 4096 /* per layer: 41 s, 6.8 min, 68 min */

/* A bucket: 0 when unknown, else TRACK_KNOWN | TRACK_MIXED? | dominant state. */
#define TRACK_KNOWN 0x80
#define TRACK_MIXED 0x40

struct track_layer {
	uint8_t *b;		 /* ring of TRACK_BUCKETS */
	uint64_t first, next;	 /* buckets [first, next) are kept; next is being filled */
	uint64_t ns[GT_NSTATES]; /* time per state in bucket next so far */
	bool started;
};

struct track {
	uint32_t pid;
	uint64_t goid;
	uint64_t created_ts; /* tells a reused (pid, goid) apart */
	uint32_t idle;	     /* frames since it was last on screen */
	struct gstate_span *ring;
	uint32_t n, head; /* valid spans; next slot */
	struct track_layer layer[TRACK_LAYERS];
};

extern const uint64_t track_layer_ns[TRACK_LAYERS];

struct tracker {
	struct track *v;
	size_t n, cap;
};

/* Ask for E's history to be kept (it is on screen). 0 or -ENOMEM. */
int tracker__want(struct tracker *t, const struct gentry *e);
/* After a pump: copy the new spans of every tracked goroutine from GT. */
void tracker__update(struct tracker *t, const struct gtable *gt);
/* End of a frame: forget those off screen for a while. */
void tracker__frame(struct tracker *t);
/* Forget everything (the clock went back: a seek in a recording). */
void tracker__clear(struct tracker *t);
void tracker__free(struct tracker *t);

/* The track kept for E, or NULL. */
const struct track *tracker__get(const struct tracker *t, const struct gentry *e);
/*
 * [C0, C1) from K's coarse layers, for cells of SCALE ns (the coarsest layer
 * not coarser than a cell): bucket time per dominant state into NS, *MIXED
 * when some bucket was shared. False when no bucket of the range is known.
 */
bool track__cell(const struct track *k, uint64_t c0, uint64_t c1, uint64_t scale,
		 uint64_t ns[GT_NSTATES], bool *mixed);

/*
 * E's history, oldest first, into OUT (room for MAX): the tracked spans,
 * then any newer ones in E's ring. Count written.
 */
uint32_t tracker__spans(const struct tracker *t, const struct gentry *e, struct gstate_span *out,
			uint32_t max);

#endif /* XGOTOP_TUI_TRACK_H */
