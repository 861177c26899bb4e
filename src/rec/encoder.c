// SPDX-License-Identifier: BSD-2-Clause
/*
 * The event encoder: an event into the frame being filled, in the compact
 * form (two bytes and a timestamp delta when the predictions of
 * rec_format.h hold) or, for kinds and fields it has no place for, the
 * full form.
 */
#define _GNU_SOURCE
#include "rec_writer.h"

#include <errno.h>
#include <string.h>

/* The field's value: zero-extended (FD_U), sign-extended (FD_S) or the pointer (FD_STR). */
static uint64_t fd_value(const struct gev *ev, const struct fdesc *f)
{
	const char *p = (const char *)ev + f->off;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (f->size) {
	case 1:
		memcpy(&u8, p, 1);
		return f->type == FD_S ? (uint64_t)(int64_t)(int8_t)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return f->type == FD_S ? (uint64_t)(int64_t)(int16_t)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return f->type == FD_S ? (uint64_t)(int64_t)(int32_t)u32 : u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/* The full form (see dec_full_event): any kind, any field. */
static int put_full_event(struct record_writer *w, const struct gev *ev)
{
	uint64_t bits = 0, vals[REC_N_FULL_FIELDS];
	size_t i;
	int err = 0;

	if (ev->kind <= 0)
		return -EINVAL;
	for (i = 0; i < REC_N_FULL_FIELDS; i++) {
		const struct fdesc *f = &rec_full_fields[i];

		vals[i] = fd_value(ev, f);
		if (f->type == FD_STR && vals[i]) {
			const char *str;

			memcpy(&str, (const char *)ev + f->off, sizeof(str));
			vals[i] = record__frame_str(w, str, &err);
		}
		if (vals[i])
			bits |= 1ull << (i + 1);
	}
	if (err)
		return err;
	if (ev->ts != w->c.prev_ts)
		bits |= 1;
	w->scratch.len = 0;
	put_varint(&w->scratch, (uint64_t)ev->kind);
	put_varint(&w->scratch, bits);
	if (bits & 1)
		put_varint(&w->scratch, zz((int64_t)(ev->ts - w->c.prev_ts)));
	for (i = 0; i < REC_N_FULL_FIELDS; i++)
		if (vals[i])
			put_varint(&w->scratch, rec_full_fields[i].type == FD_S
							? zz((int64_t)vals[i])
							: vals[i]);
	put_ctl(&w->frame, REC_CTL_EVENT, &w->scratch);
	w->c.prev_ts = ev->ts;
	return w->frame.oom ? -ENOMEM : 0;
}

/* The compact form has no place for the fields of allocations, GC and histograms. */
static bool needs_full_form(const struct gev *ev)
{
	static const char zeros[sizeof(struct gev)];
	size_t i, tail = rec_full_fields[FIRST_FULL_ONLY].off;

	if (ev->kind != GEV_CREATE && ev->kind != GEV_STATE && ev->kind != GEV_EXIT)
		return true;
	/* Those fields close the struct: all-zero bytes are the common case, checked at once. */
	if (!memcmp((const char *)ev + tail, zeros, sizeof(struct gev) - tail))
		return false;
	for (i = FIRST_FULL_ONLY; i < REC_N_FULL_FIELDS; i++)
		if (fd_value(ev, &rec_full_fields[i]))
			return true;
	return false;
}

int rec_enc__event(struct record_writer *w, const struct gev *ev)
{
	struct rec_codec *c = &w->c;
	uint8_t tag, kind, gcode, tcode, pred, *p;
	uint32_t rs = 0, site = 0;
	int rank, trank, err = 0;
	bool reason, create, pm;
	uint64_t xf = 0;

	if (needs_full_form(ev))
		return put_full_event(w, ev);
	kind = ev->kind == GEV_CREATE ? 1 : ev->kind == GEV_STATE ? 2 : 3;
	reason = has_reason(ev);
	create = has_create_fields(ev);
	/* Definitions first: they must precede the event that uses them. */
	if (reason)
		rs = record__frame_str(w, ev->reason_str, &err);
	if (create) {
		struct wsite s = {.startpc = ev->startpc, .gopc = ev->gopc, .line = ev->line};
		bool added;

		s.func = record__frame_str(w, ev->func, &err);
		s.created_by = record__frame_str(w, ev->created_by, &err);
		s.file = record__frame_str(w, ev->file, &err);
		site = wdict__site(&w->dict, &s, &added, &err);
		if (added) {
			if (!w->fi.site_n)
				w->fi.site_first = site;
			w->fi.site_n++;
			rec_put_site_def(&w->frame, &w->scratch, site, &s);
		}
	}
	if (err)
		return err;

	rank = mtf_find(c, ev->pid, ev->goid);
	if (rank >= 0)
		gcode = (uint8_t)rank;
	else if (ev->pid == c->prev_pid && ev->goid == c->prev_create_goid + 1)
		gcode = G_NEXT;
	else if (ev->pid == c->prev_pid)
		gcode = G_DELTA;
	else
		gcode = G_FULL;
	trank = tid_find(c, ev->tid);
	tcode = trank >= 0 ? (uint8_t)trank : T_FULL;
	pred = predict_from(c, ev->kind, rank);
	/* A state of 255 is possible (a newer runtime): it never counts as a prediction. */
	if (pred == NO_PREDICTION || ev->from != pred)
		xf |= XF_FROM;
	if (reason != default_reason(ev->kind, ev->to))
		xf |= XF_REASON;
	if (create != (ev->kind == GEV_CREATE))
		xf |= XF_CREATE;
	/*
	 * P and M cost nothing when they are the default's: on a transition to
	 * running, those the thread had last; else absent. Otherwise they follow.
	 */
	pm = has_pm_fields(ev);
	if (default_pm(c, ev->kind, ev->to)
		    ? !(trank >= 0 && ev->has_pm && ev->p == tid_at(c, (unsigned int)trank)->p &&
			ev->m == tid_at(c, (unsigned int)trank)->m)
		    : pm)
		xf |= XF_PM;
	tag = kind << 6 | (ev->inferred ? TAG_INFERRED : 0) | (xf ? TAG_EXTENDED : 0) |
	      (ev->to < TAG_TO_ESCAPE ? ev->to : TAG_TO_ESCAPE);

	if (!buf_reserve(&w->frame, 128))
		return -ENOMEM;
	p = w->frame.p + w->frame.len;
	*p++ = tag;
	*p++ = gcode << 3 | tcode;
	p = wr_varint(p, zz((int64_t)(ev->ts - c->prev_ts)));
	if (gcode == G_DELTA)
		p = wr_varint(p, zz((int64_t)(ev->goid - c->prev_goid)));
	else if (gcode == G_FULL) {
		p = wr_varint(p, ev->pid);
		p = wr_varint(p, ev->goid);
	}
	if (tcode == T_FULL)
		p = wr_varint(p, ev->tid);
	if (ev->to >= TAG_TO_ESCAPE)
		*p++ = ev->to;
	if (xf) {
		*p++ = (uint8_t)xf;
		if (xf & XF_FROM)
			*p++ = ev->from;
	}
	if (reason) {
		p = wr_varint(p, zz(ev->reason));
		p = wr_varint(p, rs);
	}
	if (create) {
		p = wr_varint(p, site);
		p = wr_varint(p, zz((int64_t)(ev->goid - ev->parent)));
	}
	if (xf & XF_PM) {
		int32_t pp = trank >= 0 ? tid_at(c, (unsigned int)trank)->p : 0;
		int64_t pm_m = trank >= 0 ? tid_at(c, (unsigned int)trank)->m : 0;

		p = wr_varint(p, zz((int32_t)((uint32_t)ev->p - (uint32_t)pp)) << 1 | ev->has_pm);
		p = wr_varint(p, zz((int64_t)((uint64_t)ev->m - (uint64_t)pm_m)));
	}
	w->frame.len = p - w->frame.p;
	codec_after(c, ev, rank, trank, pm);
	return 0;
}
