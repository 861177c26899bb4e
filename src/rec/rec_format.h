/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the writer and the reader of recordings share beyond record.h:
 * the format's constants, the predictions events are coded against (both
 * directions must make the same ones), the field table of the full form of
 * an event, and the internal entry points of format.c, dict.c and codec.c.
 * Internal to src/rec/.
 */
#ifndef XGOTOP_REC_FORMAT_H
#define XGOTOP_REC_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "rec_bytes.h"
#include "xgotop_event.h"

/* keep in sync with DEFAULT_KEEP_EXITED_NS and DEFAULT_MAX_SPANS in gtable.c */
#define GT_DEFAULT_KEEP_NS   (30ull * 1000000000ull)
#define GT_DEFAULT_MAX_SPANS 16

#define DEFAULT_FRAME_NS      1000000000ull
#define DEFAULT_FRAME_BYTES   (1u << 20)
#define DEFAULT_KEYFRAME_NS   (10ull * 1000000000ull)
#define DEFAULT_HISTORY_BYTES (64ull << 20)
/* A keyframe record carries at most this much, so that no record is huge. */
#define KF_CHUNK_BYTES (256u << 10)
/*
 * Keyframes come every keyframe_ns, but no sooner than the events since the
 * last one cost twice as much as it did (a big table is costly to repeat),
 * and no later than this many intervals (seeking replays at most that much).
 */
#define KF_MAX_INTERVALS 6
/* Dense recordings also get one every this many events (a seek replays no more). */
#define KF_EVENTS 1000000
/* Ids of strings and sites may jump over a lost frame's, by this much at most. */
#define DICT_MAX_GAP 16384u
#define DICT_MAX_IDS (1u << 22)

#define TAG_KIND(t)   ((t) >> 6)
#define TAG_INFERRED  0x20
#define TAG_EXTENDED  0x10
#define TAG_TO_ESCAPE 15
#define G_NEXT	      28 /* goid = previous create's + 1, same pid */
#define G_DELTA	      29 /* goid = previous event's + zigzag delta, same pid */
#define G_FULL	      30 /* pid and goid follow */
#define T_FULL	      7	 /* tid follows */
#define XF_FROM	      1u /* from follows (not the predicted one) */
#define XF_REASON     2u /* reason presence is not the default */
#define XF_CREATE     4u /* creation fields presence is not the default */
#define XF_PM	      8u /* P and M presence is not the default */
#define XF_ALL	      15u
#define NO_PREDICTION 0xff

/* ---- control records ----------------------------------------------------------- */

static inline void put_ctl(struct buf *b, enum rec_ctl type, const struct buf *payload)
{
	put_u8(b, (uint8_t)type);
	put_varint(b, payload->len);
	put_bytes(b, payload->p, payload->len);
	if (payload->oom)
		b->oom = true;
}

/* ---- header and index (format.c) ------------------------------------------------ */

/* The header frame's content: magic, version, the header record (PAYLOAD is scratch). */
void rec_header__put(struct buf *raw, struct buf *payload, const struct rec_header *h);
/* "g_goid=152,g_m=48,...": the offsets as the header's REC_HDR_OFFSETS says them. */
void rec_offsets__format(const struct xg_offsets *o, char *out, size_t len);

/* One frame of a file, as the seek index lists it. */
struct rec_idx_entry {
	uint64_t off;
	uint64_t events_before;
	struct rec_frame_info fi;
};

/* The index skippable frame and the footer, for a file whose index starts at INDEX_OFF. */
void rec_index__put(struct buf *b, const struct rec_idx_entry *e, size_t n, uint64_t index_off);

/* ---- the reader's dictionary, as records fill it (dict.c) ------------------------ */

/* A string a record refers to: NULL for 0; an id never defined counts as missing. */
const char *rec_dict__ref_str(struct rec_dict *d, uint64_t id);
/* The same for a creation site. */
const struct rec_site *rec_dict__ref_site(struct rec_dict *d, uint64_t id);
/* 0, -EBADMSG (an id out of bounds) or -ENOMEM. */
int rec_dict__add_str(struct rec_dict *d, uint64_t id, const uint8_t *s, size_t n);
int rec_dict__add_site(struct rec_dict *d, uint64_t id, const struct rec_site *s);

/* ---- the codec state: predictions shared by encoder and decoder -------------------- */

/*
 * Events are coded against predictions that cost nothing to keep: a
 * move-to-front list of the goroutines and threads seen last in the frame
 * (a goroutine's events cluster: it is made runnable, runs, parks), the
 * state each of them entered last (the next transition leaves it), deltas
 * of timestamps. What the predictions get right takes two bytes and a
 * timestamp delta; zstd then squeezes the regularities left.
 */

static inline void codec_reset(struct rec_codec *c, uint64_t base_ts)
{
	memset(c, 0, sizeof(*c));
	c->base_ts = base_ts;
	c->prev_ts = base_ts;
}

/* The slot of the entry at RANK of a list's order (struct rec_codec). */
static inline unsigned int order_slot(const uint8_t *order, unsigned int rank)
{
	return order[rank];
}

/* The rank of SLOT, which the list holds: its first byte that says SLOT. */
static inline int order_rank(const uint8_t *order, unsigned int len, unsigned int slot)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	unsigned int k, i;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__) {
		for (i = 0; i < len; i++)
			if (order[i] == slot)
				return (int)i;
		return -1;
	}
	for (k = 0; k < len; k += 8) {
		uint64_t x, z;

		memcpy(&x, order + k, 8);
		x ^= ones * slot;
		/* The lowest zero byte of X is flagged exactly; a flag above it may be a borrow's.
		 */
		z = (x - ones) & ~x & highs;
		if (z)
			return (int)(k + (unsigned int)__builtin_ctzll(z) / 8);
	}
	return -1;
}

/*
 * SLOT to rank 0: ranks 0..RANK-1 move one down, what RANK held leaves the
 * order. Eight ranks a word: a shift and a carry (little-endian: byte r of a
 * word is its bits 8r..8r+7).
 */
static inline void order_to_front(uint8_t *order, unsigned int rank, unsigned int slot)
{
	unsigned int k, last = rank >> 3;
	uint64_t carry = slot, w, mask;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__) {
		for (k = rank; k > 0; k--)
			order[k] = order[k - 1];
		order[0] = (uint8_t)slot;
		return;
	}
	for (k = 0; k < last; k++) {
		uint64_t shifted;

		memcpy(&w, order + 8 * k, 8);
		shifted = w << 8 | carry;
		memcpy(order + 8 * k, &shifted, 8);
		carry = w >> 56;
	}
	/* Bytes 0..rank & 7 of the last word shift; those above stay. */
	mask = ~0ull >> (56 - 8 * (rank & 7));
	memcpy(&w, order + 8 * last, 8);
	w = ((w << 8 | carry) & mask) | (w & ~mask);
	memcpy(order + 8 * last, &w, 8);
}

static inline int mtf_find(const struct rec_codec *c, uint32_t pid, uint64_t goid)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	unsigned int s, k;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__) {
		for (s = 0; s < c->n_mtf; s++)
			if (c->mtf[s].goid == goid && c->mtf[s].pid == pid)
				return order_rank(c->mtf_order, sizeof(c->mtf_order), s);
		return -1;
	}
	/*
	 * Eight tags a word: every byte equal to the goid's low byte is flagged
	 * (flags above the lowest may be a borrow's: each is checked), and
	 * slots past n_mtf never match their entry's check.
	 */
	for (k = 0; k < sizeof(c->mtf_tag); k += 8) {
		uint64_t x, z;

		memcpy(&x, c->mtf_tag + k, 8);
		x ^= ones * (uint8_t)goid;
		for (z = (x - ones) & ~x & highs; z; z &= z - 1) {
			s = k + (unsigned int)__builtin_ctzll(z) / 8;
			if (s < c->n_mtf && c->mtf[s].goid == goid && c->mtf[s].pid == pid)
				return order_rank(c->mtf_order, sizeof(c->mtf_order), s);
		}
	}
	return -1;
}

/* Move entry RANK (or a new one, -1) to the front; the oldest falls off a full list. */
/*
 * The slot of the entry that goes to the front of a list of *N (at most CAP)
 * and, in *I, the rank it leaves: RANK, or for a new entry (-1) a free slot
 * or the oldest entry's.
 */
static inline unsigned int list_touch_slot(uint8_t *n, unsigned int cap, const uint8_t *order,
					   int rank, unsigned int *i)
{
	if (rank < 0 && *n < cap) {
		*i = *n;
		return (*n)++;
	}
	*i = rank < 0 ? cap - 1 : (unsigned int)rank;
	return order_slot(order, *i);
}

static inline void mtf_touch(struct rec_codec *c, int rank, const struct gev *ev)
{
	unsigned int i, s = list_touch_slot(&c->n_mtf, REC_MTF_GOIDS, c->mtf_order, rank, &i);

	c->mtf[s] =
		(struct rec_mtf){.goid = ev->goid, .pid = ev->pid, .from = ev->from, .to = ev->to};
	c->mtf_tag[s] = (uint8_t)ev->goid;
	order_to_front(c->mtf_order, i, s);
}

/* The entry of rank RANK. */
static inline const struct rec_mtf *mtf_at(const struct rec_codec *c, unsigned int rank)
{
	return &c->mtf[order_slot(c->mtf_order, rank)];
}

static inline int tid_find(const struct rec_codec *c, uint32_t tid)
{
	unsigned int s;

	for (s = 0; s < c->n_tids; s++)
		if (c->tids[s].tid == tid)
			return order_rank(c->tid_order, sizeof(c->tid_order), s);
	return -1;
}

static inline const struct rec_tid *tid_at(const struct rec_codec *c, unsigned int rank)
{
	return &c->tids[order_slot(c->tid_order, rank)];
}

static inline void tid_touch(struct rec_codec *c, int rank, const struct gev *ev, bool pm)
{
	unsigned int i, s = list_touch_slot(&c->n_tids, REC_MTF_TIDS, c->tid_order, rank, &i);

	if (rank < 0)
		c->tids[s] = (struct rec_tid){.tid = ev->tid};
	if (pm) {
		c->tids[s].p = ev->p;
		c->tids[s].m = ev->m;
	}
	order_to_front(c->tid_order, i, s);
}

/* P and M travel when a transition to running carries them (and in odd cases). */
static inline bool has_pm_fields(const struct gev *ev)
{
	return ev->has_pm || ev->p || ev->m;
}

static inline bool default_pm(const struct rec_codec *c, enum gev_kind kind, uint8_t to)
{
	return kind == GEV_STATE && to == XG_G_RUNNING && c->pm_on;
}

/* What FROM is predicted to be: the state the goroutine entered last, as the codec saw it. */
static inline uint8_t predict_from(const struct rec_codec *c, enum gev_kind kind, int rank)
{
	if (kind == GEV_CREATE)
		return XG_G_DEAD;
	if (rank < 0)
		return NO_PREDICTION;
	/* An exit repeats the transition to dead that it follows. */
	return kind == GEV_STATE ? mtf_at(c, (unsigned int)rank)->to
				 : mtf_at(c, (unsigned int)rank)->from;
}

static inline bool default_reason(enum gev_kind kind, uint8_t to)
{
	return kind != GEV_EXIT && to == XG_G_WAITING;
}

static inline bool has_reason(const struct gev *ev)
{
	return ev->reason != GEV_NO_REASON || ev->reason_str;
}

static inline bool has_create_fields(const struct gev *ev)
{
	return ev->parent || ev->startpc || ev->gopc || ev->func || ev->created_by || ev->file ||
	       ev->line;
}

static inline void codec_after(struct rec_codec *c, const struct gev *ev, int rank, int trank,
			       bool pm)
{
	c->prev_ts = ev->ts;
	c->prev_goid = ev->goid;
	c->prev_pid = ev->pid;
	if (ev->kind == GEV_CREATE)
		c->prev_create_goid = ev->goid;
	if (ev->kind == GEV_STATE && ev->to == XG_G_RUNNING)
		c->pm_on = pm;
	mtf_touch(c, rank, ev);
	tid_touch(c, trank, ev, pm);
}

/* ---- what both directions of the codec share (codec.c) ----------------------------- */

/*
 * The full form of an event (REC_CTL_EVENT): its kind, a bitmap of the
 * fields that are not zero, their values. Bit 0 is the timestamp (a delta
 * to the previous event's), then the fields of struct gev in this order.
 * keep in sync with struct gev (src/core/gevent.h): a new field goes at the end
 * of the table (older readers ignore what follows the fields they know).
 */
enum fd_type { FD_U, FD_S, FD_STR };

struct fdesc {
	uint16_t off;
	uint8_t type;
	uint8_t size;
};

#define REC_N_FULL_FIELDS 62
/* Fields from here on exist only in the full form. */
#define FIRST_FULL_ONLY 18

extern const struct fdesc rec_full_fields[REC_N_FULL_FIELDS];

/* TAIL: a METERS record: the sampling fields follow (1.1; not in keyframes). */
void rec_meters__put(struct buf *b, uint64_t base, const struct xg_meters *m, bool tail);
/* TAIL: a METERS record, whose payload may end with the sampling fields (1.1). */
bool rec_meters__get(struct rd *r, uint64_t base, struct xg_meters *m, bool tail);
/* Time per state that the closed spans of S (N of them, oldest first) account for. */
void rec_spans_time(const struct gstate_span *s, uint32_t n, uint64_t out[GT_NSTATES]);

#endif /* XGOTOP_REC_FORMAT_H */
