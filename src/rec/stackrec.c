// SPDX-License-Identifier: BSD-2-Clause
/*
 * Stack sweeps in recordings (format 1.3, docs/FORMAT.md "Stacks"): a STACK
 * record defines a stack (its frames: function and file string ids, line)
 * in each frame that uses it, a SWEEP record lists every goroutine of one
 * sweep with its stack id. Stacks are per frame, like the codec's state,
 * so that a frame read alone (a seek, a flight-recorder save) has them;
 * their strings are the file's, defined once. Readers before 1.3 skip both
 * records (unknown control types).
 */
#include "rec_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "stackset.h"

#define MAX_SWEEP_GS (1ull << 24) /* goroutines in one sweep record, at most */

/* ---- writing ------------------------------------------------------------------ */

static int def_stack(struct record_writer *w, const struct stackset *set, uint32_t id,
		     struct buf *b)
{
	const struct stk_frame *f;
	uint32_t n, i, func, file;
	int err = 0;

	/* rec_stack__put_sweep made room for every id of the set. */
	if (id > w->stk_cap)
		return -EINVAL;
	if (w->stk_mark[id - 1] == w->stk_gen)
		return 0;
	f = stackset__frames(set, id, &n);
	b->len = 0;
	put_varint(b, id);
	put_varint(b, n);
	for (i = 0; i < n; i++) {
		/* Their definitions go into the frame before this record. */
		func = record__frame_str(w, f[i].func, &err);
		file = record__frame_str(w, f[i].file, &err);
		if (err)
			return err;
		put_varint(b, func);
		put_varint(b, file);
		put_varint(b, zz(f[i].line));
	}
	put_ctl(&w->frame, REC_CTL_STACK, b);
	w->stk_mark[id - 1] = w->stk_gen;
	return w->frame.oom || b->oom ? -ENOMEM : 0;
}

int rec_stack__put_sweep(struct record_writer *w, const struct stackset *set)
{
	size_t n = stackset__sweep_n(set), i, old_cap = w->stk_cap;
	uint64_t ts = stackset__sweep_ts(set), prev_goid = 0;
	uint32_t prev_pid = 0, ns = stackset__n_stacks(set);
	uint32_t rid[STK_MAX_REASONS + 1] = {0}; /* string id by stk_entry.reason; 0: none */
	struct buf b = {0};
	int err = 0;

	/* Slots xg_grow adds are garbage: a mark of 0 is never the current generation. */
	if (ns && xg_grow((void **)&w->stk_mark, &w->stk_cap, ns, sizeof(*w->stk_mark)))
		return -ENOMEM;
	if (w->stk_cap > old_cap)
		memset(w->stk_mark + old_cap, 0, (w->stk_cap - old_cap) * sizeof(*w->stk_mark));
	for (i = 0; i < n && !err; i++) {
		const struct stk_entry *e = stackset__sweep_entry(set, i);

		if (e->stack)
			err = def_stack(w, set, e->stack, &b);
	}
	/* Wait reasons are strings of the file, defined before the record: looked up once an id. */
	for (i = 0; i < n && !err; i++) {
		uint32_t r = stackset__sweep_entry(set, i)->reason;

		if (r && !rid[r])
			rid[r] = record__frame_str(w, stackset__reason(set, r), &err);
	}
	if (err)
		goto out;
	b.len = 0;
	put_varint(&b, zz((int64_t)(ts - w->c.base_ts)));
	put_varint(&b, n);
	for (i = 0; i < n; i++) {
		const struct stk_entry *e = stackset__sweep_entry(set, i);

		put_varint(&b, zz((int64_t)e->pid - (int64_t)prev_pid));
		put_varint(&b, zz((int64_t)(e->goid - prev_goid)));
		put_varint(&b, e->stack);
		put_u8(&b, e->status);
		put_u8(&b, e->what);
		/* How long it had waited at the sweep, + 1; 0: unknown. */
		put_varint(&b, e->wait_since && e->wait_since <= ts ? ts - e->wait_since + 1 : 0);
		put_varint(&b, rid[e->reason]);
		prev_pid = e->pid;
		prev_goid = e->goid;
	}
	put_ctl(&w->frame, REC_CTL_SWEEP, &b);
	err = w->frame.oom || b.oom ? -ENOMEM : 0;
out:
	buf_free(&b);
	return err;
}

/* ---- reading ------------------------------------------------------------------ */

int rec_stack__parse(const struct rec_dict *d, const struct rec_item *it, uint32_t *id,
		     struct stk_frame *out, uint32_t *n)
{
	struct rd r = {it->raw, it->raw + it->raw_len};
	uint64_t v, cnt, func, file;
	uint32_t i;

	if (!get_varint(&r, &v) || !v || v > STK_MAX_STACKS || !get_varint(&r, &cnt) ||
	    cnt > STK_MAX_FRAMES)
		return -EBADMSG;
	*id = (uint32_t)v;
	for (i = 0; i < cnt; i++) {
		if (!get_varint(&r, &func) || !get_varint(&r, &file) || !get_varint(&r, &v))
			return -EBADMSG;
		out[i].func = rec_dict__str(d, func);
		out[i].file = rec_dict__str(d, file);
		out[i].line = (int32_t)unzz(v);
	}
	*n = (uint32_t)cnt;
	return 0;
}

int rec_sweep__begin(struct rec_sweep_rd *r, const struct rec_item *it, const struct rec_dict *d)
{
	struct rd rd = {it->raw, it->raw + it->raw_len};
	uint64_t v;

	memset(r, 0, sizeof(*r));
	if (!get_varint(&rd, &v) || !get_varint(&rd, &r->left) || r->left > MAX_SWEEP_GS ||
	    /* Each goroutine takes 7 bytes at least. */
	    r->left > (uint64_t)(rd.end - rd.p) / 7)
		return -EBADMSG;
	r->ts = it->frame_base_ts + (uint64_t)unzz(v);
	r->dict = d;
	r->p = rd.p;
	r->end = rd.end;
	return 0;
}

int rec_sweep__next(struct rec_sweep_rd *r, struct stk_entry *e, const char **reason_str)
{
	struct rd rd = {r->p, r->end};
	uint64_t dpid, dgoid, stack, wait, reason;
	uint8_t status, what;

	if (!r->left)
		return 0;
	if (!get_varint(&rd, &dpid) || !get_varint(&rd, &dgoid) || !get_varint(&rd, &stack) ||
	    !get_u8(&rd, &status) || !get_u8(&rd, &what) || !get_varint(&rd, &wait) ||
	    !get_varint(&rd, &reason) || stack > STK_MAX_STACKS || what >= STK_WHAT_N)
		return -EBADMSG;
	r->pid = (uint32_t)((int64_t)r->pid + unzz(dpid));
	r->goid += (uint64_t)unzz(dgoid);
	if (r->pid > STK_PID_MAX)
		return -EBADMSG;
	memset(e, 0, sizeof(*e));
	e->pid = r->pid;
	e->goid = r->goid;
	e->stack = (uint32_t)stack;
	e->status = status;
	e->what = what;
	e->wait_since = wait && wait - 1 <= r->ts ? r->ts - (wait - 1) : 0;
	*reason_str = r->dict ? rec_dict__str(r->dict, reason) : NULL;
	r->p = rd.p;
	r->left--;
	return 1;
}

static int apply_stack(struct rec_stacks *m, const struct rec_dict *d, const struct rec_item *it,
		       struct stackset *set)
{
	struct stk_frame f[STK_MAX_FRAMES];
	uint32_t id, n, local;
	size_t old = m->cap;
	int err = rec_stack__parse(d, it, &id, f, &n);

	if (err)
		return err;
	if (xg_grow((void **)&m->local, &m->cap, id, sizeof(*m->local)))
		return -ENOMEM;
	if (m->cap > old)
		memset(m->local + old, 0, (m->cap - old) * sizeof(*m->local));
	local = stackset__intern(set, f, n);
	if (!local)
		return -errno;
	m->local[id - 1] = local;
	return 0;
}

static int apply_sweep(struct rec_stacks *m, const struct rec_dict *d, const struct rec_item *it,
		       struct stackset *set)
{
	struct rec_sweep_rd r;
	struct stk_entry e;
	const char *reason;
	int rc = rec_sweep__begin(&r, it, d);

	if (rc)
		return rc;
	stackset__sweep_begin(set, r.ts);
	while ((rc = rec_sweep__next(&r, &e, &reason)) > 0) {
		/* A stack this frame did not define (damage): no stack. */
		if (e.stack && (e.stack > m->cap || !m->local[e.stack - 1])) {
			e.stack = 0;
			e.what = STK_BAD;
		} else if (e.stack) {
			e.stack = m->local[e.stack - 1];
		}
		e.reason = stackset__reason_id(set, reason);
		/* More distinct reasons than a Go release has: damage. */
		if (reason && !e.reason) {
			rc = errno == ENOSPC ? -EBADMSG : -errno;
			break;
		}
		rc = stackset__sweep_add(set, &e);
		if (rc)
			break;
	}
	if (rc) {
		/* Dropped whole: the previous sweep stays current. */
		stackset__sweep_abort(set);
		return rc;
	}
	return stackset__sweep_end(set);
}

int rec_stacks__apply(struct rec_stacks *m, const struct rec_dict *d, const struct rec_item *it,
		      struct stackset *set)
{
	switch (it->kind) {
	case REC_ITEM_FRAME:
		if (m->local)
			memset(m->local, 0, m->cap * sizeof(*m->local));
		return 0;
	case REC_ITEM_STACK:
		return apply_stack(m, d, it, set);
	case REC_ITEM_SWEEP:
		return apply_sweep(m, d, it, set);
	default:
		return 0;
	}
}

void rec_stacks__free(struct rec_stacks *m)
{
	free(m->local);
	m->local = NULL;
	m->cap = 0;
}
