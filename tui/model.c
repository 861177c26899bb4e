// SPDX-License-Identifier: BSD-2-Clause
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "isort.h"
#include "text.h"
#include "xgotop_event.h"

#define US 1000ull
#define MS (1000ull * US)
#define S  (1000ull * MS)

const uint64_t tui_zoom_ladder[] = {
	1 * US,	  2 * US,   5 * US, 10 * US, 20 * US, 50 * US, 100 * US, 200 * US,
	500 * US, 1 * MS,   2 * MS, 5 * MS,  10 * MS, 20 * MS, 50 * MS,	 100 * MS,
	200 * MS, 500 * MS, 1 * S,  2 * S,   5 * S,   10 * S,  30 * S,	 60 * S,
};
const int tui_zoom_n = sizeof(tui_zoom_ladder) / sizeof(tui_zoom_ladder[0]);
#define ZOOM_DEFAULT 15 /* 100 ms per cell */

const char *const tui_sort_names[TUI_SORT_N] = {
	[TUI_SORT_CPU] = "CPU%", [TUI_SORT_AGE] = "AGE",       [TUI_SORT_STATE] = "STATE",
	[TUI_SORT_GOID] = "GID", [TUI_SORT_ALLOCS] = "ALLOCS", [TUI_SORT_FUNC] = "FUNCTION",
};

/* ---- the frozen copy behind a pause ---------------------------------- */

struct tui_frozen {
	struct gentry *v;
	size_t n;
	uint64_t *hist; /* their histories (gentry__copy): the table's may be freed while paused */
	const struct gentry **by_id; /* sorted by (pid, goid) */
	struct gtable_counts counts;
};

struct freeze_ctx {
	struct tui_frozen *f;
	size_t spans, cap;
};

static int count_spans(const struct gentry *e, void *ctx)
{
	struct freeze_ctx *c = ctx;

	c->spans += gentry__copy_size(e) / sizeof(uint64_t);
	c->cap++;
	return 0;
}

static int copy_entry(const struct gentry *e, void *ctx)
{
	struct freeze_ctx *c = ctx;

	if (c->f->n == c->cap)
		return 1; /* cannot happen: nothing runs between the two passes */
	gentry__copy(&c->f->v[c->f->n++], e, c->f->hist + c->spans);
	c->spans += gentry__copy_size(e) / sizeof(uint64_t);
	return 0;
}

static int cmp_id(const void *pa, const void *pb)
{
	const struct gentry *a = *(const struct gentry *const *)pa;
	const struct gentry *b = *(const struct gentry *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->goid != b->goid)
		return a->goid < b->goid ? -1 : 1;
	return 0;
}

static void frozen_free(struct tui_frozen *f)
{
	if (!f)
		return;
	free(f->v);
	free(f->hist);
	free(f->by_id);
	free(f);
}

static struct tui_frozen *freeze(const struct gtable *gt)
{
	struct tui_frozen *f = calloc(1, sizeof(*f));
	struct freeze_ctx c = {.f = f};
	size_t i;

	if (!f)
		return NULL;
	gtable__for_each(gt, count_spans, &c);
	f->v = calloc(c.cap ? c.cap : 1, sizeof(*f->v));
	f->hist = calloc(c.spans ? c.spans : 1, sizeof(*f->hist));
	f->by_id = calloc(c.cap ? c.cap : 1, sizeof(*f->by_id));
	if (!f->v || !f->hist || !f->by_id) {
		frozen_free(f);
		errno = ENOMEM;
		return NULL;
	}
	c.spans = 0;
	gtable__for_each(gt, copy_entry, &c);
	for (i = 0; i < f->n; i++)
		f->by_id[i] = &f->v[i];
	qsort(f->by_id, f->n, sizeof(*f->by_id), cmp_id);
	gtable__counts(gt, &f->counts);
	return f;
}

/* ---- set-up -------------------------------------------------------------- */

void model__init(struct tui_model *m, const struct xg_source *src, double interval)
{
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->replay = src->ops->control && src->ops->playback;
	m->interval = interval > 0 ? interval : 1.0;
	m->fade_ns = 5 * S;
	m->sort = TUI_SORT_CPU;
	m->zoom = ZOOM_DEFAULT;
	m->follow = true;
	m->rows_stale = true;
	m->view = m->prev_view = TUI_V_LIST;
}

void model__free(struct tui_model *m)
{
	tracker__free(&m->track);
	free(m->span_buf);
	m->span_buf = NULL;
	frozen_free(m->frz);
	m->frz = NULL;
	free(m->rows);
	m->rows = NULL;
	m->n_rows = m->cap_rows = 0;
	filter__clear(&m->filter);
	ptrmap__free(&m->rank);
}

static const struct gtable *live_table(const struct tui_model *m)
{
	return m->src->ops->table(m->src->ctx);
}

void model__refresh(struct tui_model *m)
{
	const struct xg_source *src = m->src;

	src->ops->info(src->ctx, &m->info);
	if (m->replay)
		src->ops->playback(src->ctx, &m->play);
	m->filter.stacks = model__stacks(m);
	if (m->paused)
		return;
	m->now = m->ended ? m->end_ts : src->ops->now(src->ctx);
	m->filter.now = m->now;
	if (!m->start_ts)
		m->start_ts = m->now;
	gtable__counts(live_table(m), &m->counts);
	m->rows_stale = true;
}

void model__track(struct tui_model *m)
{
	uint64_t now = m->src->ops->now(m->src->ctx);

	/* Back in time (a seek): what was kept no longer matches the table. */
	if (now < m->track_now)
		tracker__clear(&m->track);
	m->track_now = now;
	tracker__update(&m->track, live_table(m));
}

uint32_t model__spans(struct tui_model *m, const struct gentry *e, const struct gstate_span **spans)
{
	static const struct gstate_span none;

	if (!m->span_buf) {
		m->span_buf = malloc((TRACK_SPANS + 64) * sizeof(*m->span_buf));
		if (!m->span_buf) {
			*spans = &none;
			return 0;
		}
	}
	*spans = m->span_buf;
	return tracker__spans(&m->track, e, m->span_buf, TRACK_SPANS + 64);
}

void model__set_ended(struct tui_model *m)
{
	if (m->ended)
		return;
	m->ended = true;
	m->end_ts = m->src->ops->now(m->src->ctx);
}

void model__sample_meters(struct tui_model *m)
{
	struct xg_meters *s = &m->hist[m->hist_total % TUI_HIST];
	struct gtable_counts c;
	uint64_t now;

	m->src->ops->meters(m->src->ctx, s);
	if (!m->first_meter_ts)
		m->first_meter_ts = s->ts; /* (0 until the source has one) */
	m->hist_total++;
	if (!m->paused)
		m->hist_shown = m->hist_total;

	gtable__counts(live_table(m), &c);
	now = m->src->ops->now(m->src->ctx);
	if (m->rate_ts && now > m->rate_ts && !m->paused) {
		double dt = (double)(now - m->rate_ts) / 1e9;

		m->created_rate = (double)(c.created - m->rate_created) / dt;
		m->exited_rate = (double)(c.exited - m->rate_exited) / dt;
	}
	m->rate_ts = now;
	m->rate_created = c.created;
	m->rate_exited = c.exited;
	model__close_interval(m);
}

struct cpu_sum_ctx {
	const struct xd_cpu_window *w;
	uint64_t sum;
	uint64_t ps[1024 / 64]; /* P ids seen */
	uint32_t n_ps;
};

/* Inlined in the row build's walk, which calls it for every goroutine. */
static inline __attribute__((always_inline)) int cpu_sum(const struct gentry *e, void *ctx)
{
	struct cpu_sum_ctx *c = ctx;

	c->sum += xd_cpu_ns(e, c->w);
	if (e->last_p >= 0 && e->last_p < 1024 &&
	    !(c->ps[e->last_p / 64] >> (e->last_p % 64) & 1)) {
		c->ps[e->last_p / 64] |= 1ull << (e->last_p % 64);
		c->n_ps++;
	}
	return 0;
}

/* NUM/DEN from the sum over every goroutine of its running time in the window. */
static void cpu_finish(struct tui_model *m, const struct cpu_sum_ctx *c)
{
	m->cpu_ps = c->n_ps;
	if (c->n_ps && c->sum > (uint64_t)c->n_ps * (m->cpu.t1 - m->cpu.t0)) {
		m->cpu.num = (uint64_t)c->n_ps * (m->cpu.t1 - m->cpu.t0);
		m->cpu.den = c->sum;
	}
	m->cpu_pending = false;
}

void model__settle(struct tui_model *m)
{
	struct cpu_sum_ctx c = {.w = &m->cpu};

	if (!m->cpu_pending)
		return;
	gtable__for_each(live_table(m), cpu_sum, &c);
	cpu_finish(m, &c);
}

/*
 * The sum behind NUM/DEN walks the whole table: it is left to the walk of
 * the next row build (model__rows), which reads the same entries, or to
 * model__settle.
 */
void model__close_interval(struct tui_model *m)
{
	/*
	 * The source lends its table const; the interval marks are the
	 * readers' bookkeeping, and the table is ours between two pumps
	 * (one thread).
	 */
	struct gtable *gt = (struct gtable *)live_table(m);
	uint64_t now = m->ended ? m->end_ts : m->src->ops->now(m->src->ctx);
	uint64_t d = (uint64_t)(m->interval * 1e9);

	if (m->paused)
		return;
	if (now != gtable__interval_end(gt))
		gtable__interval(gt, now);
	if (gtable__interval_ns(gt))
		m->cpu = (struct xd_cpu_window){.t0 = gtable__interval_end(gt) -
						      gtable__interval_ns(gt),
						.t1 = gtable__interval_end(gt),
						.sampled = true};
	else /* the first refresh, or time went back (a seek): read the spans */
		m->cpu = (struct xd_cpu_window){.t0 = now > d ? now - d : 0, .t1 = now};
	m->cpu_pending = true;
	m->rows_stale = true;
}

int model__set_paused(struct tui_model *m, bool paused)
{
	if (paused == m->paused)
		return 0;
	if (paused) {
		struct tui_frozen *f;

		model__settle(m);
		f = freeze(live_table(m));

		if (!f)
			return -ENOMEM;
		m->frz = f;
		m->counts = f->counts;
		m->paused = true;
	} else {
		m->paused = false;
		frozen_free(m->frz);
		m->frz = NULL;
		m->hist_shown = m->hist_total;
		model__refresh(m);
	}
	/* Entry pointers change with the store. */
	m->rows_stale = true;
	return 0;
}

/* ---- the store ------------------------------------------------------------- */

struct sum_walk {
	int (*fn)(const struct gentry *e, void *ctx);
	void *ctx;
	struct cpu_sum_ctx sum;
};

static int sum_then(const struct gentry *e, void *ctx)
{
	struct sum_walk *s = ctx;

	cpu_sum(e, &s->sum);
	return s->fn(e, s->ctx);
}

/* A walk over the whole live table takes the interval's sum on the way. */
int model__for_each(struct tui_model *m, int (*fn)(const struct gentry *e, void *ctx), void *ctx)
{
	size_t i;
	int ret;

	if (!m->frz && m->cpu_pending) {
		struct sum_walk s = {.fn = fn, .ctx = ctx, .sum = {.w = &m->cpu}};

		ret = gtable__for_each(live_table(m), sum_then, &s);
		if (!ret) /* (one cut short has not seen them all) */
			cpu_finish(m, &s.sum);
		return ret;
	}
	if (!m->frz)
		return gtable__for_each(live_table(m), fn, ctx);
	for (i = 0; i < m->frz->n; i++) {
		ret = fn(&m->frz->v[i], ctx);
		if (ret)
			return ret;
	}
	return 0;
}

const struct gentry *model__find(const struct tui_model *m, uint32_t pid, uint64_t goid)
{
	struct gentry key = {.pid = pid, .goid = goid};
	const struct gentry *kp = &key, **hit;

	if (!m->frz)
		return gtable__find(live_table(m), pid, goid);
	hit = bsearch(&kp, m->frz->by_id, m->frz->n, sizeof(*m->frz->by_id), cmp_id);
	return hit ? *hit : NULL;
}

size_t model__size(const struct tui_model *m)
{
	return m->frz ? m->frz->n : gtable__size(live_table(m));
}

/* ---- rows ------------------------------------------------------------------ */

static unsigned int state_rank(const struct gentry *e)
{
	if (e->exited_ts)
		return 9;
	switch (e->state) {
	case XG_G_RUNNING:
		return 0;
	case XG_G_RUNNABLE:
		return 1;
	case XG_G_PREEMPTED:
		return 2;
	case XG_G_SYSCALL:
		return 3;
	case XG_G_WAITING:
		return 4;
	case XG_G_COPYSTACK:
		return 5;
	case XG_G_IDLE:
		return 6;
	default:
		return 8;
	}
}

struct build_ctx {
	struct tui_model *m;
	struct cpu_sum_ctx *sum; /* the interval's sum to take on the way, or NULL */
	bool new_func;		 /* a function name without a rank yet */
	long sel;		 /* row of the selected goroutine, -1 if not listed */
};

/*
 * By CPU and age, the goroutines that have exited come after the live
 * ones: with a goroutine per request, the dying would fill the top.
 */
static inline __attribute__((always_inline)) uint64_t cpu_key(struct tui_model *m,
							      struct tui_row *r)
{
	return (r->e->exited_ts ? 1ull << 62 : 0) + 1000 - xd_cpu_permille(r->e, &m->cpu);
}

static uint64_t sort_key(struct build_ctx *c, struct tui_row *r)
{
	struct tui_model *m = c->m;
	const struct gentry *e = r->e;
	uint64_t bytes, objects, since;
	uint32_t rank;
	bool lower;

	switch (m->sort) {
	case TUI_SORT_CPU:
		return cpu_key(m, r);
	case TUI_SORT_AGE:
		/* Seen before the creation was: the oldest, by how old they are at least. */
		return (e->exited_ts ? 1ull << 63 : 0) |
		       (e->created_ts ? e->created_ts : e->alive_since);
	case TUI_SORT_STATE:
		/* Then the longest in its state first. */
		since = text_state_since(e, &lower) >> 6;
		if (since >= 1ull << 58)
			since = (1ull << 58) - 1;
		return (uint64_t)state_rank(e) << 58 | since;
	case TUI_SORT_GOID:
		return 0;
	case TUI_SORT_ALLOCS:
		return xd_allocs(model__table(m), e, &bytes, &objects) ? UINT64_MAX
								       : UINT64_MAX - bytes;
	case TUI_SORT_FUNC:
		if (!e->func)
			return UINT64_MAX;
		if (ptrmap__get(&m->rank, e->func, &rank))
			return rank;
		c->new_func = true;
		return 0;
	case TUI_SORT_N:
		break;
	}
	return 0;
}

/*
 * One goroutine of the row build. PLAIN: the default list, by CPU% and
 * not reversed, no filter: tested once per walk, its branches then fold
 * away (the walk is over every goroutine, each frame).
 */
static inline __attribute__((always_inline)) int add_row(const struct gentry *e,
							 struct build_ctx *c, bool plain)
{
	struct tui_model *m = c->m;
	struct tui_row *r;

	if (c->sum)
		cpu_sum(e, c->sum);
	if (!plain && m->filter.n && !filter__match(&m->filter, e))
		return 0;
	/* At thousands of exits a second, the dead would drown the list: a count unless asked. */
	if (e->exited_ts && !m->show_exited) {
		if (m->now <= e->exited_ts || m->now - e->exited_ts <= m->fade_ns)
			m->exited_hidden++;
		return 0;
	}
	if (m->n_rows == m->cap_rows)
		return 1; /* the table grew during the walk: cannot, one owner */
	if (e->goid == m->sel_goid && e->pid == m->sel_pid)
		c->sel = (long)m->n_rows;
	r = &m->rows[m->n_rows++];
	r->e = e;
	r->k1 = plain || m->sort == TUI_SORT_CPU ? cpu_key(m, r) : sort_key(c, r);
	if (!plain && m->reverse)
		r->k1 = ~r->k1;
	return 0;
}

/* The default list's walk, and every other's. */
static int add_plain_row(const struct gentry *e, void *ctx)
{
	return add_row(e, ctx, true);
}

static int add_any_row(const struct gentry *e, void *ctx)
{
	return add_row(e, ctx, false);
}

static int cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* Give every function name met a rank in alphabetical order; rows then get their k1. */
static int rank_functions(struct tui_model *m)
{
	const char **names;
	size_t n = 0, i;
	uint32_t rank;

	for (i = 0; i < m->rank.cap; i++)
		n += m->rank.slots[i].key != NULL;
	for (i = 0; i < m->n_rows; i++)
		if (m->rows[i].e->func && !ptrmap__get(&m->rank, m->rows[i].e->func, &rank) &&
		    ptrmap__put(&m->rank, m->rows[i].e->func, UINT32_MAX) == 0)
			n++;
	names = malloc((n ? n : 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < m->rank.cap; i++)
		if (m->rank.slots[i].key)
			names[n++] = m->rank.slots[i].key;
	qsort(names, n, sizeof(*names), cmp_str);
	/* Equal names at different addresses share a rank. */
	for (i = 0, rank = 0; i < n; i++) {
		if (i && strcmp(names[i - 1], names[i]))
			rank++;
		ptrmap__put(&m->rank, names[i], rank);
	}
	free(names);
	for (i = 0; i < m->n_rows; i++) {
		struct tui_row *r = &m->rows[i];

		if (!r->e->func || !ptrmap__get(&m->rank, r->e->func, &rank))
			continue;
		r->k1 = m->reverse ? ~(uint64_t)rank : rank;
	}
	return 0;
}

/* By K1, then pid and goid, those reversed with REV. */
static inline int row_cmp(const struct tui_row *a, const struct tui_row *b, bool rev)
{
	const struct gentry *x, *y;

	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	x = rev ? b->e : a->e;
	y = rev ? a->e : b->e;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->goid != y->goid)
		return x->goid < y->goid ? -1 : 1;
	return 0;
}

static int row_qcmp(const void *a, const void *b)
{
	return row_cmp(a, b, false);
}

static int row_qcmp_rev(const void *a, const void *b)
{
	return row_cmp(a, b, true);
}

static void row_swap(struct tui_row *a, struct tui_row *b)
{
	struct tui_row t = *a;

	*a = *b;
	*b = t;
}

/* Put rank K of V[lo, hi) at V[K], smaller before, larger after (quickselect). */
static void select_nth(struct tui_row *v, size_t lo, size_t hi, size_t k, bool rev)
{
	while (hi - lo > 8) {
		size_t mid = lo + (hi - lo) / 2, i, j;
		struct tui_row pivot;

		/* Median of three, moved to lo. */
		if (row_cmp(&v[mid], &v[lo], rev) < 0)
			row_swap(&v[mid], &v[lo]);
		if (row_cmp(&v[hi - 1], &v[lo], rev) < 0)
			row_swap(&v[hi - 1], &v[lo]);
		if (row_cmp(&v[hi - 1], &v[mid], rev) < 0)
			row_swap(&v[hi - 1], &v[mid]);
		row_swap(&v[lo], &v[mid]);
		pivot = v[lo];
		i = lo;
		j = hi;
		for (;;) {
			do
				i++;
			while (i < hi && row_cmp(&v[i], &pivot, rev) < 0);
			do
				j--;
			while (row_cmp(&v[j], &pivot, rev) > 0);
			if (i >= j)
				break;
			row_swap(&v[i], &v[j]);
		}
		row_swap(&v[lo], &v[j]);
		if (j == k)
			return;
		if (k < j)
			hi = j;
		else
			lo = j + 1;
	}
	qsort(v + lo, hi - lo, sizeof(*v), rev ? row_qcmp_rev : row_qcmp);
}

/*
 * The first ranks of a page near the top: the K smallest rows of V[0, N)
 * to V[0, K), unordered, the others after them in any order; what
 * select_nth does, but in one pass that reads each row once (against the
 * largest of the K smallest so far, a heap of their indexes) and moves only
 * the K. The rows of a frame are all the goroutines, the page a few dozen.
 */
#define TOP_MAX 1024

static void heap_down(const struct tui_row *v, size_t *h, size_t k, size_t i, bool rev)
{
	for (;;) {
		size_t big = i, l = 2 * i + 1, r = l + 1, t;

		if (l < k && row_cmp(&v[h[l]], &v[h[big]], rev) > 0)
			big = l;
		if (r < k && row_cmp(&v[h[r]], &v[h[big]], rev) > 0)
			big = r;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static int cmp_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void select_top(struct tui_row *v, size_t n, size_t k, bool rev)
{
	size_t h[TOP_MAX], i, j, j0, p;
	uint64_t top_k1;

	if (!k || k > TOP_MAX)
		return;
	for (i = 0; i < k; i++)
		h[i] = i;
	for (i = k / 2; i-- > 0;)
		heap_down(v, h, k, i, rev);
	top_k1 = v[h[0]].k1;
	for (i = k; i < n; i++) {
		/* Most rows lose on the first key alone. */
		if (v[i].k1 > top_k1 || row_cmp(&v[i], &v[h[0]], rev) >= 0)
			continue;
		h[0] = i;
		heap_down(v, h, k, 0, rev);
		top_k1 = v[h[0]].k1;
	}
	/* Those past K trade places with the rows of [0, K) not among them. */
	qsort(h, k, sizeof(*h), cmp_index);
	for (j = 0; j < k && h[j] < k; j++)
		;
	for (j0 = j, p = 0, i = 0; j < k; p++) {
		if (i < j0 && h[i] == p) {
			i++;
			continue;
		}
		row_swap(&v[p], &v[h[j++]]);
	}
}

/* Rank of row I among the rows. */
static size_t rank_of(const struct tui_model *m, size_t i)
{
	const struct tui_row *r = &m->rows[i];
	size_t k, rank = 0;

	for (k = 0; k < m->n_rows; k++)
		rank += row_cmp(&m->rows[k], r, m->rows_reverse) < 0;
	return rank;
}

/*
 * The sum was taken by the walk: the keys read NUM/DEN before it. When it
 * scales (events lost), the CPU% of the rows is read again.
 */
static void sum_finish(struct tui_model *m, struct build_ctx *c)
{
	size_t i;

	cpu_finish(m, c->sum);
	if (!m->cpu.den || m->sort != TUI_SORT_CPU)
		return;
	for (i = 0; i < m->n_rows; i++) {
		struct tui_row *r = &m->rows[i];

		r->k1 = cpu_key(m, r);
		if (m->reverse)
			r->k1 = ~r->k1;
	}
}

int model__rows(struct tui_model *m)
{
	struct cpu_sum_ctx sum = {.w = &m->cpu};
	struct build_ctx c = {.m = m, .sel = -1};
	size_t need = model__size(m);
	int (*add)(const struct gentry *e, void *ctx) =
		m->sort == TUI_SORT_CPU && !m->reverse && !m->filter.n ? add_plain_row
								       : add_any_row;

	if (!m->rows_stale)
		return 0;
	if (need > m->cap_rows) {
		size_t cap = need + need / 4 + 64;
		struct tui_row *v = realloc(m->rows, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->rows = v;
		m->cap_rows = cap;
	}
	m->n_rows = 0;
	m->exited_hidden = 0;
	if (m->cpu_pending && !m->frz) {
		c.sum = &sum;
		if (gtable__for_each(live_table(m), add, &c) == 0)
			sum_finish(m, &c);
	} else {
		model__for_each(m, add, &c);
	}
	if (c.new_func)
		rank_functions(m);
	m->rows_stale = false;
	m->rows_reverse = m->reverse;
	m->sorted_lo = m->sorted_hi = 0;
	/*
	 * A goroutine the user moved to stays selected as the order changes (like
	 * htop's process); until then, and once it has left the list, the selection
	 * keeps its place on screen.
	 */
	if (m->sel_chosen && c.sel >= 0)
		m->sel = rank_of(m, (size_t)c.sel);
	if (m->sel >= m->n_rows)
		m->sel = m->n_rows ? m->n_rows - 1 : 0;
	return 0;
}

void model__order(struct tui_model *m, size_t lo, size_t hi)
{
	bool rev = m->rows_reverse;

	if (hi > m->n_rows)
		hi = m->n_rows;
	if (lo >= hi || (lo >= m->sorted_lo && hi <= m->sorted_hi))
		return;
	/* Ranks below HI to the front, then ranks below LO to the front of those. */
	if (hi < m->n_rows && hi <= TOP_MAX)
		select_top(m->rows, m->n_rows, hi, rev);
	else if (hi < m->n_rows)
		select_nth(m->rows, 0, m->n_rows, hi, rev);
	if (lo > 0)
		select_nth(m->rows, 0, hi, lo, rev);
	/* In place: -n sorts every row, and glibc's qsort would copy them all (16 MB at 1M). */
	xg_isort(m->rows + lo, hi - lo, sizeof(*m->rows), rev ? row_qcmp_rev : row_qcmp);
	m->sorted_lo = lo;
	m->sorted_hi = hi;
}

static void remember_selection(struct tui_model *m)
{
	if (!m->n_rows)
		return;
	model__order(m, m->sel, m->sel + 1);
	m->sel_pid = m->rows[m->sel].e->pid;
	m->sel_goid = m->rows[m->sel].e->goid;
}

void model__scroll(struct tui_model *m, int page)
{
	size_t p = page > 0 ? (size_t)page : 1;

	model__rows(m);
	m->page = page;
	if (m->sel < m->top)
		m->top = m->sel;
	if (m->sel >= m->top + p)
		m->top = m->sel - p + 1;
	/* No empty rows at the bottom while there are rows above. */
	if (m->top + p > m->n_rows)
		m->top = m->n_rows > p ? m->n_rows - p : 0;
	model__order(m, m->top, m->top + p);
	if (m->n_rows) {
		m->sel_pid = m->rows[m->sel].e->pid;
		m->sel_goid = m->rows[m->sel].e->goid;
		m->have_sel = true;
	}
}

const struct gentry *model__selected(struct tui_model *m)
{
	model__rows(m);
	if (!m->n_rows)
		return NULL;
	remember_selection(m);
	m->have_sel = true;
	return m->rows[m->sel].e;
}

void model__select_rank(struct tui_model *m, size_t rank)
{
	model__rows(m);
	if (!m->n_rows)
		return;
	m->sel = rank < m->n_rows ? rank : m->n_rows - 1;
	m->have_sel = true;
	m->sel_chosen = true;
	remember_selection(m);
}

void model__move(struct tui_model *m, long delta)
{
	long to;

	model__rows(m);
	to = (long)m->sel + delta;
	if (to < 0)
		to = 0;
	model__select_rank(m, (size_t)to);
}

unsigned int model__cpu(struct tui_model *m, const struct gentry *e)
{
	model__settle(m);
	return xd_cpu_permille(e, &m->cpu);
}

void model__set_sort(struct tui_model *m, enum tui_sort s, bool reverse)
{
	m->sort = s;
	m->reverse = reverse;
	m->rows_stale = true;
}

int model__set_filter(struct tui_model *m, const char *s, char *err, size_t err_len)
{
	int e = filter__parse(&m->filter, s, err, err_len);

	if (!e)
		m->rows_stale = true;
	return e;
}

/* ---- the time window ------------------------------------------------------ */

static uint64_t align_up(uint64_t x, uint64_t s)
{
	return (x + s - 1) / s * s;
}

static uint64_t live_end(const struct tui_model *m, uint64_t scale)
{
	return align_up(m->now, scale);
}

void model__window(const struct tui_model *m, int cells, uint64_t *t0, uint64_t *scale)
{
	uint64_t s = tui_zoom_ladder[m->zoom], end = m->follow ? live_end(m, s) : m->view_end;
	uint64_t span = (uint64_t)(cells > 0 ? cells : 1) * s;

	if (end < span)
		end = span;
	*t0 = end - span;
	*scale = s;
}

uint64_t model__axis_ref(const struct tui_model *m)
{
	return m->follow ? live_end(m, tui_zoom_ladder[m->zoom]) : m->now;
}

uint64_t model__cursor_ts(const struct tui_model *m, int cells)
{
	uint64_t t0, s;
	int back = m->cur_back < cells ? m->cur_back : cells - 1;

	model__window(m, cells, &t0, &s);
	return t0 + (uint64_t)(cells - 1 - (back > 0 ? back : 0)) * s;
}

static int cells_of(const struct tui_model *m)
{
	return m->strip_cells > 0 ? m->strip_cells : 40;
}

bool model__zoom(struct tui_model *m, int steps)
{
	int nz = m->zoom + steps, cells = cells_of(m);
	uint64_t tc, s2, cell_end, edge;

	if (nz < 0)
		nz = 0;
	if (nz >= tui_zoom_n)
		nz = tui_zoom_n - 1;
	if (nz == m->zoom)
		return false;
	/* The middle of the cursor's cell stays under the cursor. */
	tc = model__cursor_ts(m, cells) + tui_zoom_ladder[m->zoom] / 2;
	if (tc > m->now)
		tc = m->now;
	s2 = tui_zoom_ladder[nz];
	cell_end = align_up(tc + 1, s2);
	edge = live_end(m, s2);
	m->zoom = nz;
	/* At the live edge, the cursor stays on it. */
	if (m->follow && !m->cur_back)
		return true;
	if (m->follow) {
		uint64_t back = (edge - cell_end) / s2;

		if (back < (uint64_t)cells) {
			m->cur_back = (int)back;
			return true;
		}
		m->follow = false;
	}
	m->view_end = cell_end + (uint64_t)m->cur_back * s2;
	if (m->view_end >= edge) {
		m->follow = true;
		m->cur_back = (int)((edge - cell_end) / s2);
	}
	return true;
}

void model__pan(struct tui_model *m, long cells)
{
	uint64_t s = tui_zoom_ladder[m->zoom], edge = live_end(m, s), span;

	if (m->follow)
		m->view_end = edge;
	m->follow = false;
	span = (uint64_t)(cells < 0 ? -cells : cells) * s;
	if (cells < 0)
		m->view_end = m->view_end > span ? m->view_end - span : s;
	else
		m->view_end += span;
	if (m->view_end >= edge)
		m->follow = true;
}

void model__cursor(struct tui_model *m, int delta)
{
	int cells = cells_of(m);

	m->cur_back -= delta;
	if (m->cur_back < 0) {
		if (!m->follow)
			model__pan(m, -m->cur_back);
		m->cur_back = 0;
	} else if (m->cur_back >= cells) {
		model__pan(m, -(long)(m->cur_back - cells + 1));
		m->cur_back = cells - 1;
	}
}

void model__follow(struct tui_model *m)
{
	m->follow = true;
	m->cur_back = 0;
}

/* ---- meters ------------------------------------------------------------------ */

size_t model__meter_count(const struct tui_model *m)
{
	return m->hist_shown < TUI_HIST ? m->hist_shown : TUI_HIST;
}

const char *model__capture(const struct tui_model *m)
{
	const struct xg_meters *s = model__meter_sample(m, 0);

	return s && s->capture[0] ? s->capture : gtable__capture(model__table(m));
}

const char *model__sample(const struct tui_model *m)
{
	const struct xg_meters *s = model__meter_sample(m, 0);

	return s && s->sample[0] && strcmp(s->sample, "all") ? s->sample : NULL;
}

double model__goroutine_rate(const struct tui_model *m)
{
	const struct xg_meters *s = model__meter_sample(m, 0);

	return s && s->goroutine_rate > 0 && s->goroutine_rate < 1 ? s->goroutine_rate : 1;
}

uint64_t model__est(const struct tui_model *m, uint64_t n)
{
	return (uint64_t)((double)n / model__goroutine_rate(m) + 0.5);
}

const struct xg_meters *model__meter_sample(const struct tui_model *m, size_t i)
{
	uint64_t k;

	if (i >= m->hist_shown)
		return NULL;
	k = m->hist_shown - 1 - i;
	/* Overwritten since (the view was paused a long time)? */
	if (m->hist_total - k > TUI_HIST)
		return NULL;
	return &m->hist[k % TUI_HIST];
}

void model__message(struct tui_model *m, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	va_end(ap);
	m->msg_error = error;
}
