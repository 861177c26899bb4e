/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A synthetic ring-buffer feed: the events of a recording turned back into
 * the records the BPF programs wrote (struct xg_event), for driving the
 * decoder and the worker pipeline without a target. What the decoder makes
 * by itself is left out: inferred transitions (the next record's "from"
 * brings them back), exits (the transition to dead does), the ends of GC
 * cycles, histogram totals. A goroutine's g address is made up from its
 * goid: it only has to be stable for its life.
 *
 * Shared by tests/unit/test_workers.c and bench/bench_workers.c.
 * Header-only, no global state.
 */
#ifndef XGOTOP_TESTS_RAW_FEED_H
#define XGOTOP_TESTS_RAW_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xgotop_event.h"
#include "gevent.h"
#include "replay.h"

#define RAW_FEED_G_BASE 0xc000000000ull

static inline uint64_t raw_feed_g(uint64_t goid)
{
	return goid ? RAW_FEED_G_BASE + goid * 0x1c0 : 0;
}

/* The record EV came from; false when the decoder makes EV by itself. */
static inline bool raw_feed_from_gev(const struct gev *ev, struct xg_event *r)
{
	memset(r, 0, sizeof(*r));
	r->ts = ev->ts;
	r->pid = ev->pid;
	r->tid = ev->tid;
	r->goid = ev->goid;
	r->g = raw_feed_g(ev->goid);
	switch (ev->kind) {
	case GEV_CREATE:
	case GEV_STATE:
		if (ev->inferred)
			return false;
		r->type = XG_EV_STATE;
		r->from = ev->kind == GEV_CREATE ? XG_G_DEAD : ev->from;
		r->to = ev->to;
		if (ev->reason >= 0) {
			r->flags |= XG_EVF_REASON;
			r->reason = (uint8_t)ev->reason;
		}
		if (ev->kind == GEV_CREATE) {
			r->flags |= XG_EVF_CREATE;
			r->arg0 = ev->parent;
			r->arg1 = ev->startpc;
			r->arg2 = ev->gopc;
		} else if (ev->has_pm) {
			r->flags |= XG_EVF_PM;
			r->arg0 = (uint64_t)(int64_t)ev->p;
			r->arg1 = (uint64_t)ev->m;
		}
		return true;
	case GEV_ALLOC:
		r->type = XG_EV_ALLOC;
		r->from = ev->alloc.kind;
		r->to = ev->alloc.bucket;
		r->arg0 = ev->alloc.size;
		r->arg1 = ev->alloc.type_addr;
		if (ev->alloc.has_hint) {
			r->flags |= XG_EVF_HINT;
			r->arg2 = ev->alloc.hint;
		}
		return true;
	case GEV_GC:
		if (ev->gc.phase == XG_GC_END)
			return false;
		r->type = XG_EV_GC;
		r->from = ev->gc.phase;
		if (ev->gc.phase == XG_GC_STW_START && ev->gc.reason >= 0) {
			r->flags |= XG_EVF_REASON;
			r->reason = (uint8_t)ev->gc.reason;
		}
		if (ev->gc.phase == XG_GC_START) {
			r->arg0 = ev->gc.trigger;
			r->arg2 = ev->gc.procs;
		}
		return true;
	default:
		return false;
	}
}

/* Every record of the recording at PATH: a malloc'ed array, or NULL. */
static inline struct xg_event *raw_feed_load(const char *path, size_t *n_out)
{
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct xg_event *v = NULL, *nv;
	size_t n = 0, cap = 0;
	char err[256];

	*n_out = 0;
	r = rec_reader__open(path, NULL, err, sizeof(err));
	if (!r)
		return NULL;
	it = rec_iter__new(r, 0);
	while (it && rec_iter__next(it, &item) == 1) {
		if (item.kind != REC_ITEM_EVENT)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nv = (struct xg_event *)realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				v = NULL;
				break;
			}
			v = nv;
		}
		if (raw_feed_from_gev(&item.ev, &v[n]))
			n++;
	}
	rec_iter__free(it);
	rec_reader__free(r);
	*n_out = v ? n : 0;
	return v;
}

/* Pass PASS of the feed: goroutines of a new life each time (goids and g moved on). */
static inline void raw_feed_pass(struct xg_event *r, unsigned int pass)
{
	uint64_t shift = (uint64_t)pass << 32;

	if (r->goid)
		r->goid += shift;
	if (r->type == XG_EV_STATE && (r->flags & XG_EVF_CREATE) && r->arg0)
		r->arg0 += shift;
	r->g = raw_feed_g(r->goid);
}

#endif /* XGOTOP_TESTS_RAW_FEED_H */
