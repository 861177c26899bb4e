/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The writer's insides, shared by the files that make it up: writer.c
 * (frames, sinks, the public calls), encoder.c (events into a frame),
 * wdict.c (its dictionary), keyframe.c (the state table into a frame) and
 * flight.c (the flight recorder's ring and its saves). Internal to src/rec/.
 */
#ifndef XGOTOP_REC_WRITER_H
#define XGOTOP_REC_WRITER_H

#include "rec_format.h"

#include <zstd.h>

/* ---- the writer's dictionary (wdict.c) ---------------------------------------------- */

struct wsite {
	uint64_t startpc, gopc;
	uint32_t func, created_by, file;
	int line;
};

/* Slots of the writer's cache of string ids by address (a power of two). */
#define WDICT_PCACHE 64

struct wdict {
	char **str; /* id - 1 */
	uint64_t *str_hash;
	uint32_t n_str, cap_str;
	uint32_t *str_idx; /* open addressing: id or 0 */
	uint32_t str_mask;
	struct wsite *site;
	uint64_t *site_hash;
	uint32_t n_site, cap_site;
	uint32_t *site_idx;
	uint32_t site_mask;
	/*
	 * The id last found for a string at this address: the live names are
	 * interned (the binary's tables), so the same few pointers come event
	 * after event. A hit is checked against the text, so an address reused
	 * for other text costs a lookup, never a wrong id.
	 */
	struct wdict_pc {
		const char *s;
		uint32_t id;
	} pc[WDICT_PCACHE];
};

/* The id of S (0 for NULL); *ADDED set when it was just added. 0 and *ADDED false on ENOMEM too. */
uint32_t wdict__str(struct wdict *d, const char *s, bool *added, int *err);
uint32_t wdict__site(struct wdict *d, const struct wsite *s, bool *added, int *err);
void wdict__free(struct wdict *d);
/* The STRING and SITE records that define an id (SCRATCH holds the payload). */
void rec_put_string_def(struct buf *b, struct buf *scratch, uint32_t id, const char *s);
void rec_put_site_def(struct buf *b, struct buf *scratch, uint32_t id, const struct wsite *s);

/* ---- the writer ----------------------------------------------------------------------- */

struct unit {
	uint8_t *buf; /* info skippable frame + data frame, as written */
	size_t len;
	struct rec_frame_info fi;
};

struct record_writer {
	struct record_opts o;
	char *path;
	char *dir;
	int fd;
	int file_err;
	uint64_t file_off;
	struct rec_idx_entry *idx;
	size_t n_idx, cap_idx;

	struct rec_header hdr; /* what record__begin wrote, for flight-recorder saves */
	bool begun;
	ZSTD_CCtx *cctx;
	struct buf frame, scratch, kf, out;
	struct rec_codec c;
	struct wdict dict;

	/* The frame being filled. */
	struct rec_frame_info fi;
	bool fi_has_ts;
	uint32_t seq;
	uint64_t n_content; /* records other than FRAME and KEYFRAME */
	uint64_t first_content_ts;
	uint64_t max_ts; /* largest timestamp written so far */
	uint64_t last_kf_ts;
	uint64_t kf_bytes;  /* compressed size of the last keyframe's frames */
	uint64_t kf_events; /* events written before it */
	bool kf_continues;  /* a keyframe is being split over frames */

	/* The flight recorder: whole frames, oldest first, from a keyframe on. */
	struct unit *ring;
	size_t ring_head, ring_n, ring_cap;
	uint64_t ring_bytes;
	uint64_t group_bytes; /* since the last keyframe */

	struct xg_meters meters;
	bool have_meters;
	const struct gentry **kf_entries;
	size_t kf_cap;
	/* Stacks defined in the frame being filled: stk_gen at stk_mark[id - 1]. */
	uint32_t *stk_mark;
	size_t stk_cap;
	uint32_t stk_gen;
	struct record_stats st;
};

/* writer.c */
/* Compress RAW into a unit: info skippable frame, then the zstd frame. In w->out. */
int record__make_unit(struct record_writer *w, const struct buf *raw, struct rec_frame_info *fi);
/* The frame's time range and the writer's largest timestamp take TS in. */
void record__frame_ts(struct record_writer *w, uint64_t ts);
/* The string's id, its definition put in the frame when new. */
uint32_t record__frame_str(struct record_writer *w, const char *s, int *err);
/* Start a frame at BASE_TS, with a keyframe when KEYFRAME. */
int record__frame_begin(struct record_writer *w, uint64_t base_ts, bool keyframe);
/* Compress the frame and hand it to the sinks; the next one begins right away unless LAST. */
int record__frame_finish(struct record_writer *w, uint32_t extra_flags, bool last);

/* encoder.c: EV into the frame (its definitions first), in the compact form when it fits. */
int rec_enc__event(struct record_writer *w, const struct gev *ev);

/* stackrec.c: SET's current sweep into the frame, the stacks it uses defined first. */
int rec_stack__put_sweep(struct record_writer *w, const struct stackset *set);

/* keyframe.c: the state table as the events so far left it, into the frame. */
int record__put_keyframe(struct record_writer *w, uint64_t ts);

/* flight.c: the flight recorder's ring of whole frames. */
int record__ring_push(struct record_writer *w, const uint8_t *p, size_t n,
		      const struct rec_frame_info *fi);
void record__ring_stats(const struct record_writer *w, struct record_stats *out);
void record__ring_free(struct record_writer *w);

#endif /* XGOTOP_REC_WRITER_H */
