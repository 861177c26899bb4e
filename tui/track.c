// SPDX-License-Identifier: BSD-2-Clause
#include "track.h"

#include "xgotop_event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

const uint64_t track_layer_ns[TRACK_LAYERS] = {10 * MS, 100 * MS, 1000 * MS};

static struct track *find(const struct tracker *t, uint32_t pid, uint64_t goid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].goid == goid && t->v[i].pid == pid)
			return &t->v[i];
	return NULL;
}

static const struct gstate_span *last(const struct track *k)
{
	return k->n ? &k->ring[(k->head + TRACK_SPANS - 1) % TRACK_SPANS] : NULL;
}

/* Close the bucket being filled: its dominant state, and whether it was alone. */
static void layer_close(struct track_layer *L)
{
	unsigned int s, best = 0, n = 0;

	for (s = 0; s < GT_NSTATES; s++) {
		if (!L->ns[s])
			continue;
		n++;
		if (L->ns[s] > L->ns[best])
			best = s;
	}
	L->b[L->next % TRACK_BUCKETS] =
		n ? (uint8_t)(TRACK_KNOWN | (n > 1 ? TRACK_MIXED : 0) | best) : 0;
	memset(L->ns, 0, sizeof(L->ns));
}

/* Move the bucket being filled to BK, closing the current one; skipped ones are unknown. */
static void layer_move(struct track_layer *L, uint64_t bk)
{
	uint64_t b;

	layer_close(L);
	for (b = L->next + 1; b < bk && b < L->next + 1 + TRACK_BUCKETS; b++)
		L->b[b % TRACK_BUCKETS] = 0;
	L->next = bk;
	if (L->next - L->first >= TRACK_BUCKETS)
		L->first = L->next - TRACK_BUCKETS + 1;
}

/* Buckets [FROM, FROM + N) all V: only the last TRACK_BUCKETS of them matter. */
static void layer_fill(struct track_layer *L, uint64_t from, uint64_t n, uint8_t v)
{
	size_t at, first;

	if (n > TRACK_BUCKETS) {
		from += n - TRACK_BUCKETS;
		n = TRACK_BUCKETS;
	}
	/* Up to the ring's end, then from its start: a long wait fills thousands at once. */
	at = from % TRACK_BUCKETS;
	first = n < TRACK_BUCKETS - at ? n : TRACK_BUCKETS - at;
	memset(L->b + at, v, first);
	memset(L->b, v, n - first);
}

/* STATE held over [T0, T1): into every layer's buckets. */
static void layers_add(struct track *k, uint8_t state, uint64_t t0, uint64_t t1)
{
	int l;

	if (state >= GT_NSTATES || state == XG_G_DEAD)
		return;
	for (l = 0; l < TRACK_LAYERS; l++) {
		struct track_layer *L = &k->layer[l];
		uint64_t res = track_layer_ns[l], t = t0;

		if (!L->b)
			continue;
		if (!L->started) {
			L->first = L->next = t / res;
			L->started = true;
		}
		while (t < t1) {
			uint64_t bk = t / res, end = (bk + 1) * res, n;

			if (bk != L->next)
				layer_move(L, bk);
			if (end > t1)
				end = t1;
			L->ns[state] += end - t;
			t = end;
			if (t1 - t < res)
				continue;
			/* Whole buckets in this state: filled at once, however long the wait. */
			n = (t1 - t) / res;
			layer_close(L);
			layer_fill(L, bk + 1, n, (uint8_t)(TRACK_KNOWN | state));
			L->next = bk + 1 + n;
			if (L->next - L->first >= TRACK_BUCKETS)
				L->first = L->next - TRACK_BUCKETS + 1;
			t += n * res;
		}
	}
}

/* Take E's spans newer than the last one kept; one at the same instant replaces it. */
static void merge(struct track *k, const struct gentry *e)
{
	uint32_t i;

	for (i = 0; i < e->n_spans; i++) {
		struct gstate_span buf;
		const struct gstate_span *s = gentry__span(e, i, &buf);
		struct gstate_span *l = (struct gstate_span *)last(k);

		if (l && s->start < l->start)
			continue;
		if (l && s->start == l->start) {
			l->state = s->state;
			l->off_pct = s->off_pct; /* set when the span closed */
			continue;
		}
		/* The last span is closed by this one: it goes to the buckets. */
		if (l)
			layers_add(k, l->state, l->start, s->start);
		k->ring[k->head] = *s;
		k->head = (k->head + 1) % TRACK_SPANS;
		if (k->n < TRACK_SPANS)
			k->n++;
	}
}

int tracker__want(struct tracker *t, const struct gentry *e)
{
	struct track *k = find(t, e->pid, e->goid);

	if (k && k->created_ts != e->created_ts) {
		/* The goid came back for another goroutine, or its creation came late. */
		k->n = k->head = 0;
		k->created_ts = e->created_ts;
		for (int l = 0; l < TRACK_LAYERS; l++)
			k->layer[l].started = false;
	}
	if (k) {
		k->idle = 0;
		return 0;
	}
	if (t->n == TRACK_MAX)
		return -ENOSPC;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct track *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	k = &t->v[t->n];
	memset(k, 0, sizeof(*k));
	k->ring = malloc(TRACK_SPANS * sizeof(*k->ring));
	if (!k->ring)
		return -ENOMEM;
	/* Without its layers, a track still has its spans. */
	for (int l = 0; l < TRACK_LAYERS; l++)
		k->layer[l].b = calloc(TRACK_BUCKETS, 1);
	k->pid = e->pid;
	k->goid = e->goid;
	k->created_ts = e->created_ts;
	t->n++;
	merge(k, e);
	return 0;
}

void tracker__update(struct tracker *t, const struct gtable *gt)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct gentry *e = gtable__find(gt, t->v[i].pid, t->v[i].goid);

		if (e && e->created_ts == t->v[i].created_ts)
			merge(&t->v[i], e);
	}
}

static void drop(struct tracker *t, size_t i)
{
	for (int l = 0; l < TRACK_LAYERS; l++)
		free(t->v[i].layer[l].b);
	free(t->v[i].ring);
	t->v[i] = t->v[--t->n];
}

void tracker__frame(struct tracker *t)
{
	size_t i = 0;

	/* A few frames of grace: scrolling back and forth keeps what was gathered. */
	while (i < t->n) {
		if (++t->v[i].idle > 30)
			drop(t, i);
		else
			i++;
	}
}

void tracker__clear(struct tracker *t)
{
	while (t->n)
		drop(t, t->n - 1);
}

void tracker__free(struct tracker *t)
{
	tracker__clear(t);
	free(t->v);
	t->v = NULL;
	t->cap = 0;
}

const struct track *tracker__get(const struct tracker *t, const struct gentry *e)
{
	const struct track *k = find(t, e->pid, e->goid);

	return k && k->created_ts == e->created_ts ? k : NULL;
}

bool track__cell(const struct track *k, uint64_t c0, uint64_t c1, uint64_t scale,
		 uint64_t ns[GT_NSTATES], bool *mixed)
{
	const struct track_layer *L = NULL;
	uint64_t res = 0, b, b1;
	bool known = false;
	int l;

	memset(ns, 0, sizeof(uint64_t) * GT_NSTATES);
	*mixed = false;
	for (l = TRACK_LAYERS - 1; l >= 0; l--) {
		if (track_layer_ns[l] <= scale && k->layer[l].b && k->layer[l].started) {
			L = &k->layer[l];
			res = track_layer_ns[l];
			break;
		}
	}
	if (!L || c1 <= c0)
		return false;
	b1 = (c1 - 1) / res;
	for (b = c0 / res; b <= b1; b++) {
		uint8_t v;

		if (b < L->first || b >= L->next)
			continue;
		v = L->b[b % TRACK_BUCKETS];
		if (!(v & TRACK_KNOWN))
			continue;
		known = true;
		ns[v & 0x3f] += res;
		if (v & TRACK_MIXED)
			*mixed = true;
	}
	return known;
}

uint32_t tracker__spans(const struct tracker *t, const struct gentry *e, struct gstate_span *out,
			uint32_t max)
{
	const struct track *k = find(t, e->pid, e->goid);
	uint32_t n = 0, i, skip;

	if (k && k->created_ts == e->created_ts) {
		skip = k->n > max ? k->n - max : 0;
		for (i = skip; i < k->n; i++)
			out[n++] = k->ring[(k->head + TRACK_SPANS - k->n + i) % TRACK_SPANS];
	}
	/* What the ring has beyond: all of it when untracked, the newest spans otherwise. */
	for (i = 0; i < e->n_spans; i++) {
		struct gstate_span buf;
		const struct gstate_span *s = gentry__span(e, i, &buf);

		if (n && s->start < out[n - 1].start)
			continue;
		if (n && s->start == out[n - 1].start) {
			out[n - 1].state = s->state;
			out[n - 1].off_pct = s->off_pct;
			continue;
		}
		if (n == max) {
			memmove(out, out + 1, (max - 1) * sizeof(*out));
			n--;
		}
		out[n++] = *s;
	}
	return n;
}
