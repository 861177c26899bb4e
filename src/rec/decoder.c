// SPDX-License-Identifier: BSD-2-Clause
/*
 * The record decoder: the records of one decompressed data frame, back to
 * events, meters, keyframe entries and dictionary definitions. Pure:
 * buffers in, structs out; it trusts nothing in the bytes.
 */
#define _GNU_SOURCE
#include "rec_format.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

void rec_dec__init(struct rec_dec *d, const void *buf, size_t len, struct rec_dict *dict)
{
	memset(d, 0, offsetof(struct rec_dec, spans));
	d->p = buf;
	d->end = (const uint8_t *)buf + len;
	d->dict = dict;
}

/* Store V in the field; false when it does not fit (damage). */
static bool fd_put(struct gev *ev, const struct fdesc *f, uint64_t v)
{
	char *p = (char *)ev + f->off;
	int64_t s = (int64_t)v;

	if (f->size < 8) {
		unsigned int bits = f->size * 8;

		if (f->type == FD_S ? s < -(1ll << (bits - 1)) || s >= (1ll << (bits - 1))
				    : v >> bits)
			return false;
	}
	switch (f->size) {
	case 1: {
		uint8_t x = (uint8_t)v;

		memcpy(p, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;

		memcpy(p, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;

		memcpy(p, &x, 4);
		break;
	}
	default:
		memcpy(p, &v, 8);
		break;
	}
	return true;
}

/* Booleans read back as 0 or 1 only. */
static bool fd_is_bool(const struct fdesc *f)
{
	return f->off == offsetof(struct gev, inferred) || f->off == offsetof(struct gev, has_pm) ||
	       f->off == offsetof(struct gev, alloc.has_hint) ||
	       f->off == offsetof(struct gev, gap.resync);
}

static int dec_full_event(struct rec_dec *d, struct rd pl, struct rec_item *it)
{
	struct gev *ev = &it->ev;
	uint64_t kind, bits, v;
	size_t i;

	if (!d->in_frame || !get_varint(&pl, &kind) || !kind || kind > INT_MAX ||
	    !get_varint(&pl, &bits))
		return -EBADMSG;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum gev_kind)kind;
	ev->ts = d->c.prev_ts;
	if (bits & 1) {
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		ev->ts += (uint64_t)unzz(v);
	}
	for (i = 0; i < REC_N_FULL_FIELDS; i++) {
		const struct fdesc *f = &rec_full_fields[i];

		if (!((bits >> (i + 1)) & 1))
			continue;
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		if (f->type == FD_STR) {
			const char *str = rec_dict__ref_str(d->dict, v);

			memcpy((char *)ev + f->off, &str, sizeof(str));
			continue;
		}
		if (f->type == FD_S)
			v = (uint64_t)unzz(v);
		if ((fd_is_bool(f) && v > 1) || !fd_put(ev, f, v))
			return -EBADMSG;
	}
	/* Bits past the table are fields of a newer minor: their values are skipped. */
	d->c.prev_ts = ev->ts;
	it->kind = REC_ITEM_EVENT;
	return 1;
}

/* The fields of struct gev after M: those of the kinds the compact form does not carry. */
static void clear_other_kinds(struct gev *ev)
{
	size_t from = offsetof(struct gev, m) + sizeof(ev->m);

	memset((char *)ev + from, 0, sizeof(*ev) - from);
}

_Static_assert(GEV_CREATE == 1 && GEV_STATE == 2 && GEV_EXIT == 3,
	       "the kind of a compact event is its tag's top two bits");

/*
 * A compact event; the fields after M are left as they are (clear_other_kinds).
 * The hot loop of replay: fields are decoded into locals and stored once at
 * the end (a store to a byte of EV may alias anything, the codec's state
 * included, and would make the compiler load it again), nothing is cleared
 * twice, and a failure leaves the codec as it was.
 */
static inline __attribute__((always_inline)) int dec_event(struct rec_dec *d, uint8_t tag,
							   struct gev *ev)
{
	struct rec_codec *c = &d->c;
	const struct rec_tid *t = NULL;
	const struct rec_site *site = NULL;
	const char *reason_str = NULL;
	struct rd r = {d->p, d->end};
	enum gev_kind kind = (enum gev_kind)TAG_KIND(tag);
	uint64_t v, ts, goid, parent = 0, xf = 0;
	uint32_t pid, tid;
	uint8_t g, gcode, tcode, to, from, pred = NO_PREDICTION;
	int rank = -1, trank = -1, reason = GEV_NO_REASON;
	int32_t p = 0;
	int64_t m = 0;
	bool has_pm = false, pm = false;

	if (!d->in_frame || !get_u8(&r, &g) || !get_varint(&r, &v))
		return -EBADMSG;
	ts = c->prev_ts + (uint64_t)unzz(v);
	gcode = g >> 3;
	tcode = g & 7;
	if (gcode < G_NEXT) {
		const struct rec_mtf *e;

		if (gcode >= c->n_mtf)
			return -EBADMSG;
		rank = gcode;
		e = mtf_at(c, gcode);
		pid = e->pid;
		goid = e->goid;
		/* predict_from: an exit repeats the transition to dead that it follows. */
		pred = kind == GEV_STATE ? e->to : e->from;
	} else if (gcode == G_NEXT) {
		pid = c->prev_pid;
		goid = c->prev_create_goid + 1;
	} else if (gcode == G_DELTA) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		pid = c->prev_pid;
		goid = c->prev_goid + (uint64_t)unzz(v);
	} else if (gcode == G_FULL) {
		if (!get_u32v(&r, &pid) || !get_varint(&r, &goid))
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	if (kind == GEV_CREATE)
		pred = XG_G_DEAD;
	if (tcode < T_FULL) {
		if (tcode >= c->n_tids)
			return -EBADMSG;
		trank = tcode;
		t = tid_at(c, tcode);
		tid = t->tid;
	} else if (!get_u32v(&r, &tid)) {
		return -EBADMSG;
	}
	to = tag & 15;
	if (to == TAG_TO_ESCAPE && !get_u8(&r, &to))
		return -EBADMSG;
	if ((tag & TAG_EXTENDED) && (!get_varint(&r, &xf) || !xf || (xf & ~(uint64_t)XF_ALL)))
		return -EBADMSG;
	if (xf & XF_FROM) {
		if (!get_u8(&r, &from))
			return -EBADMSG;
	} else if (pred == NO_PREDICTION) {
		return -EBADMSG;
	} else {
		from = pred;
	}
	if (default_reason(kind, to) ^ !!(xf & XF_REASON)) {
		if (!get_intv(&r, &reason) || !get_varint(&r, &v))
			return -EBADMSG;
		reason_str = rec_dict__ref_str(d->dict, v);
	}
	if ((kind == GEV_CREATE) ^ !!(xf & XF_CREATE)) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		site = rec_dict__ref_site(d->dict, v);
		if (!get_varint(&r, &v))
			return -EBADMSG;
		parent = goid - (uint64_t)unzz(v);
	}
	if (xf & XF_PM) {
		uint64_t v2;

		if (!get_varint(&r, &v) || !get_varint(&r, &v2))
			return -EBADMSG;
		has_pm = v & 1;
		p = (int32_t)((uint32_t)(t ? t->p : 0) + (uint32_t)unzz(v >> 1));
		m = (int64_t)((uint64_t)(t ? t->m : 0) + (uint64_t)unzz(v2));
		pm = has_pm || p || m;
	} else if (default_pm(c, kind, to)) {
		if (!t)
			return -EBADMSG; /* nothing to predict from */
		has_pm = pm = true;
		p = t->p;
		m = t->m;
	}

	ev->kind = kind;
	ev->ts = ts;
	ev->pid = pid;
	ev->tid = tid;
	ev->goid = goid;
	ev->from = from;
	ev->to = to;
	ev->inferred = tag & TAG_INFERRED;
	ev->reason = reason;
	ev->reason_str = reason_str;
	ev->parent = parent;
	ev->startpc = site ? site->startpc : 0;
	ev->gopc = site ? site->gopc : 0;
	ev->func = site ? site->func : NULL;
	ev->created_by = site ? site->created_by : NULL;
	ev->file = site ? site->file : NULL;
	ev->line = site ? site->line : 0;
	/* The fields of other kinds of events, after M, are the caller's to clear. */
	ev->has_pm = has_pm;
	ev->p = p;
	ev->m = m;
	codec_after(c, ev, rank, trank, pm);
	d->p = r.p;
	return 1;
}

/*
 * A keyframe entry (docs/FORMAT.md): deltas to the previous entry of the
 * record and to its own spans, so that what the spans already say (when it
 * started, exited, entered its state, the time per state they cover) costs
 * nothing. Most entries are short-lived goroutines kept after their exit.
 */
static int dec_kf_entry(struct rec_dec *d, struct rec_item *it)
{
	struct rd r = {d->p, d->kf_end};
	struct rec_kf_entry *e = &it->kf;
	uint64_t flags, v, mask, t;
	uint32_t i, n;
	uint8_t s;

	memset(e, 0, sizeof(*e));
	e->reason = GEV_NO_REASON;
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->pid = d->kf_pid + (uint32_t)unzz(v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->goid = d->kf_goid + (uint64_t)unzz(v);
	if (!get_varint(&r, &flags) || (flags & ~31ull) || !get_varint(&r, &v))
		return -EBADMSG;
	e->parent = d->kf_parent + (uint64_t)unzz(v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->func = rec_dict__ref_str(d->dict, v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->created_by = rec_dict__ref_str(d->dict, v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->file = rec_dict__ref_str(d->dict, v);
	if (!get_intv(&r, &e->line) || !get_varint(&r, &e->transitions) || !get_u8(&r, &e->state))
		return -EBADMSG;
	if (flags & 4) {
		if (!get_intv(&r, &e->reason) || !get_varint(&r, &v))
			return -EBADMSG;
		e->reason_str = rec_dict__ref_str(d->dict, v);
	}
	if (!get_u32v(&r, &n) || n > REC_MAX_SPANS)
		return -EBADMSG;
	t = d->kf_start;
	for (i = 0; i < n; i++) {
		if (!get_u8(&r, &s) || !get_varint(&r, &v))
			return -EBADMSG;
		t += (uint64_t)unzz(v);
		d->spans[i] = (struct gstate_span){.start = t, .state = s};
		if (!i)
			d->kf_start = t;
	}
	/* Without spans (the table could not keep any), times are relative to the keyframe. */
	t = n ? d->spans[0].start : d->kf_ts;
	if (flags & 1) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->created_ts = t + (uint64_t)unzz(v);
	}
	t = n ? d->spans[n - 1].start : d->kf_ts;
	if (flags & 2) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->exited_ts = t + (uint64_t)unzz(v);
	}
	e->state_since = t;
	if (flags & 8) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->state_since = t + (uint64_t)unzz(v);
	}
	rec_spans_time(d->spans, n, e->ns_in_state);
	if (flags & 16) {
		if (!get_varint(&r, &mask) || mask >= (1ull << GT_NSTATES))
			return -EBADMSG;
		for (i = 0; i < GT_NSTATES; i++) {
			if (!((mask >> i) & 1))
				continue;
			if (!get_varint(&r, &v))
				return -EBADMSG;
			e->ns_in_state[i] += (uint64_t)unzz(v);
		}
	}
	e->n_spans = n;
	e->spans = d->spans;
	d->kf_pid = e->pid;
	d->kf_goid = e->goid;
	d->kf_parent = e->parent;
	d->p = r.p;
	if (--d->kf_left == 0)
		d->p = d->kf_end; /* what a newer minor appends to a chunk */
	it->kind = REC_ITEM_KF_ENTRY;
	return 1;
}

static int dec_ctl(struct rec_dec *d, uint8_t type, struct rd pl, struct rec_item *it)
{
	uint64_t id, v;
	int err;

	switch (type) {
	case REC_CTL_FRAME:
		if (!get_varint(&pl, &it->frame_seq) || !get_varint(&pl, &it->frame_base_ts))
			return -EBADMSG;
		codec_reset(&d->c, it->frame_base_ts);
		d->in_frame = true;
		it->kind = REC_ITEM_FRAME;
		return 1;
	case REC_CTL_STRING:
		if (!get_varint(&pl, &id) || pl.end - pl.p > REC_MAX_STRING)
			return -EBADMSG;
		err = rec_dict__add_str(d->dict, id, pl.p, pl.end - pl.p);
		if (err)
			return err;
		it->kind = REC_ITEM_DICT;
		return 1;
	case REC_CTL_SITE: {
		struct rec_site s = {0};

		if (!get_varint(&pl, &id) || !get_varint(&pl, &s.startpc) ||
		    !get_varint(&pl, &s.gopc) || !get_varint(&pl, &v))
			return -EBADMSG;
		s.func = rec_dict__ref_str(d->dict, v);
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		s.created_by = rec_dict__ref_str(d->dict, v);
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		s.file = rec_dict__ref_str(d->dict, v);
		if (!get_intv(&pl, &s.line))
			return -EBADMSG;
		err = rec_dict__add_site(d->dict, id, &s);
		if (err)
			return err;
		it->kind = REC_ITEM_DICT;
		return 1;
	}
	case REC_CTL_METERS:
		if (!d->in_frame || !rec_meters__get(&pl, d->c.base_ts, &it->meters, true))
			return -EBADMSG;
		it->kind = REC_ITEM_METERS;
		return 1;
	case REC_CTL_KEYFRAME:
		if (!d->in_frame || !get_varint(&pl, &it->kf_ts) || !get_varint(&pl, &v))
			return -EBADMSG;
		it->kf_first = v & 1;
		it->has_meters = v & 2;
		if (it->has_meters && !rec_meters__get(&pl, d->c.base_ts, &it->meters, false))
			return -EBADMSG;
		if (!get_varint(&pl, &d->kf_left) || d->kf_left > (uint64_t)(pl.end - pl.p))
			return -EBADMSG;
		d->kf_ts = it->kf_ts;
		d->kf_end = pl.end;
		d->kf_pid = 0;
		d->kf_goid = d->kf_parent = 0;
		d->kf_start = it->kf_ts;
		if (!d->kf_left)
			d->p = pl.end;
		else
			d->p = pl.p;
		it->kind = REC_ITEM_KEYFRAME;
		return 1;
	case REC_CTL_END:
		if (!get_varint(&pl, &it->total_events))
			return -EBADMSG;
		it->kind = REC_ITEM_END;
		return 1;
	case REC_CTL_EVENT:
		return dec_full_event(d, pl, it);
	case REC_CTL_STACK:
	case REC_CTL_SWEEP:
		/* Parsed by their reader (stackrec.c), which bounds every count. */
		if (!d->in_frame)
			return -EBADMSG;
		it->kind = type == REC_CTL_STACK ? REC_ITEM_STACK : REC_ITEM_SWEEP;
		it->raw = pl.p;
		it->raw_len = (size_t)(pl.end - pl.p);
		it->frame_base_ts = d->c.base_ts;
		return 1;
	case REC_CTL_HEADER:
		/* Only in the header frame, which rec_header__parse reads. */
		return -EBADMSG;
	default:
		it->kind = REC_ITEM_UNKNOWN;
		return 1;
	}
}

int rec_dec__next(struct rec_dec *d, struct rec_item *it)
{
	struct rd r;
	uint64_t len;
	uint8_t tag;
	int ret;

	if (d->kf_left)
		return dec_kf_entry(d, it);
	r = (struct rd){d->p, d->end};
	if (!get_u8(&r, &tag))
		return 0;
	if (TAG_KIND(tag)) {
		d->p = r.p;
		clear_other_kinds(&it->ev);
		ret = dec_event(d, tag, &it->ev);
		if (ret < 0)
			d->p--;
		else
			it->kind = REC_ITEM_EVENT;
		return ret;
	}
	if (!tag || !get_varint(&r, &len) || len > (uint64_t)(r.end - r.p))
		return -EBADMSG;
	d->p = r.p + len;
	ret = dec_ctl(d, tag, (struct rd){r.p, r.p + len}, it);
	if (ret < 0)
		d->p = r.p;
	return ret;
}

size_t rec_dec__next_events(struct rec_dec *d, struct gev *evs, size_t max, uint64_t t)
{
	size_t n = 0;

	if (d->kf_left)
		return 0;
	while (n < max && d->p < d->end && TAG_KIND(*d->p)) {
		d->p++;
		if (dec_event(d, d->p[-1], &evs[n]) < 0) {
			d->p--;
			break;
		}
		if (evs[n++].ts > t)
			break;
	}
	return n;
}
