// SPDX-License-Identifier: BSD-2-Clause
/*
 * Keyframes: the live goroutines of the state table, written into the
 * frame so that replay can start there instead of at the beginning.
 */
#define _GNU_SOURCE
#include "rec_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_entry(const void *pa, const void *pb)
{
	const struct gentry *a = *(const struct gentry *const *)pa;
	const struct gentry *b = *(const struct gentry *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

struct kf_collect {
	struct record_writer *w;
	uint64_t ts;
	size_t n;
	int err;
};

static int kf_collect(const struct gentry *e, void *ctx)
{
	struct kf_collect *k = ctx;
	struct record_writer *w = k->w;

	/*
	 * Live goroutines only. Replay restores a keyframe only to show a time at
	 * least keep_exited_ns after it: goroutines that had exited by the keyframe
	 * have expired from the table by then, and the others are replayed. A busy
	 * server keeps far more exited goroutines than live ones.
	 */
	if (e->exited_ts)
		return 0;
	if (k->n == w->kf_cap) {
		size_t cap = w->kf_cap ? w->kf_cap * 2 : 1024;
		const struct gentry **v = realloc(w->kf_entries, cap * sizeof(*v));

		if (!v) {
			k->err = -ENOMEM;
			return 1;
		}
		w->kf_entries = v;
		w->kf_cap = cap;
	}
	w->kf_entries[k->n++] = e;
	return 0;
}

struct kf_ctx {
	uint32_t pid;
	uint64_t goid, parent, start;
};

static void kf_put_entry(struct record_writer *w, struct buf *b, struct kf_ctx *k,
			 const struct gentry *e, uint64_t ts, int *err)
{
	uint32_t f = record__frame_str(w, e->func, err),
		 cb = record__frame_str(w, e->created_by, err);
	uint32_t file = record__frame_str(w, e->file, err);
	bool reason = e->reason != GEV_NO_REASON || e->reason_str;
	uint32_t rs = reason ? record__frame_str(w, e->reason_str, err) : 0;
	uint32_t n = e->n_spans > REC_MAX_SPANS ? REC_MAX_SPANS : e->n_spans, i;
	struct gstate_span spans[REC_MAX_SPANS];
	uint64_t covered[GT_NSTATES], tot[GT_NSTATES], mask = 0, first, last, flags;

	for (i = 0; i < n; i++)
		gentry__span(e, e->n_spans - n + i, &spans[i]);
	gentry__totals(e, tot);
	first = n ? spans[0].start : ts;
	last = n ? spans[n - 1].start : ts;
	rec_spans_time(spans, n, covered);
	for (i = 0; i < GT_NSTATES; i++)
		if (tot[i] != covered[i])
			mask |= 1ull << i;
	flags = (e->created_ts ? 1 : 0) | (e->exited_ts ? 2 : 0) | (reason ? 4 : 0) |
		(e->state_since != last ? 8 : 0) | (mask ? 16 : 0);

	put_varint(b, zz((int32_t)(e->pid - k->pid)));
	put_varint(b, zz((int64_t)(e->goid - k->goid)));
	put_varint(b, flags);
	put_varint(b, zz((int64_t)(e->parent - k->parent)));
	put_varint(b, f);
	put_varint(b, cb);
	put_varint(b, file);
	put_varint(b, zz(e->line));
	put_varint(b, e->transitions);
	put_u8(b, e->state);
	if (reason) {
		put_varint(b, zz(e->reason));
		put_varint(b, rs);
	}
	put_varint(b, n);
	for (i = 0; i < n; i++) {
		put_u8(b, spans[i].state);
		put_varint(b, zz((int64_t)(spans[i].start - (i ? spans[i - 1].start : k->start))));
	}
	if (n)
		k->start = spans[0].start;
	if (e->created_ts)
		put_varint(b, zz((int64_t)(e->created_ts - first)));
	if (e->exited_ts)
		put_varint(b, zz((int64_t)(e->exited_ts - last)));
	if (flags & 8)
		put_varint(b, zz((int64_t)(e->state_since - last)));
	if (mask) {
		put_varint(b, mask);
		for (i = 0; i < GT_NSTATES; i++)
			if ((mask >> i) & 1)
				put_varint(b, zz((int64_t)(tot[i] - covered[i])));
	}
	k->pid = e->pid;
	k->goid = e->goid;
	k->parent = e->parent;
}

static void kf_flush_chunk(struct record_writer *w, uint64_t ts, bool first, size_t n)
{
	w->scratch.len = 0;
	put_varint(&w->scratch, ts);
	put_varint(&w->scratch, (first ? 1 : 0) | (first && w->have_meters ? 2 : 0));
	if (first && w->have_meters)
		rec_meters__put(&w->scratch, w->c.base_ts, &w->meters, false);
	put_varint(&w->scratch, n);
	put_bytes(&w->scratch, w->kf.p, w->kf.len);
	if (w->kf.oom)
		w->scratch.oom = true;
	put_ctl(&w->frame, REC_CTL_KEYFRAME, &w->scratch);
	w->kf.len = 0;
}

/*
 * A keyframe: the state table as the events so far left it, sorted by
 * (pid, goid). Strings it needs are defined first, in the same frame.
 */
int record__put_keyframe(struct record_writer *w, uint64_t ts)
{
	struct kf_collect k = {.w = w, .ts = ts};
	struct kf_ctx kc = {.start = ts};
	size_t i, n = 0;
	bool first = true;
	int err = 0;

	if (w->o.table)
		gtable__for_each(w->o.table, kf_collect, &k);
	if (k.err)
		return k.err;
	if (k.n > 1)
		qsort(w->kf_entries, k.n, sizeof(*w->kf_entries), cmp_entry);
	w->kf.len = 0;
	w->fi.flags |= REC_FF_KEYFRAME;
	w->fi.kf_ts = ts;
	record__frame_ts(w, ts);
	w->last_kf_ts = ts;
	w->kf_events = w->st.events;
	w->group_bytes = 0;
	w->st.keyframes++;
	w->kf_continues = true;
	for (i = 0; i < k.n && !err; i++) {
		/* String definitions go to the frame before the chunk that uses them. */
		kf_put_entry(w, &w->kf, &kc, w->kf_entries[i], ts, &err);
		n++;
		if (w->kf.len < KF_CHUNK_BYTES)
			continue;
		kf_flush_chunk(w, ts, first, n);
		first = false;
		n = 0;
		kc = (struct kf_ctx){.start = ts};
		/* A big table continues in the next frames: no frame grows without bound. */
		if (w->frame.len >= 4 * w->o.frame_bytes && i + 1 < k.n)
			err = record__frame_finish(w, 0, true);
		if (!err && !w->frame.len) {
			err = record__frame_begin(w, ts, false);
			record__frame_ts(w, ts);
		}
	}
	if (!err && (first || n))
		kf_flush_chunk(w, ts, first, n);
	w->kf_continues = false;
	if (err)
		return err;
	return w->frame.oom ? -ENOMEM : 0;
}
