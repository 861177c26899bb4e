// SPDX-License-Identifier: BSD-2-Clause
/*
 * Goroutines grouped by start function, with counts per state: with 100k
 * goroutines, the view that says what they are all doing. The filter
 * applies; Enter lists the goroutines of the selected function.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "fmt.h"
#include "ptrmap.h"
#include "views.h"
#include "xgotop_event.h"

struct group {
	const char *func;
	uint64_t by_state[GT_NSTATES];
	uint64_t live, exited;
};

struct groups {
	struct tui_model *m;
	struct group *v;
	size_t n, cap;
	struct ptrmap idx;
	int err;
};

static const char unknown_func[] = "(unknown)";

static int add(const struct gentry *e, void *ctx)
{
	struct groups *g = ctx;
	const char *f = e->func ? e->func : unknown_func;
	uint32_t i;

	if (g->m->filter.n && !filter__match(&g->m->filter, e))
		return 0;
	if (!ptrmap__get(&g->idx, f, &i)) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 64;
			struct group *v = realloc(g->v, cap * sizeof(*v));

			if (!v) {
				g->err = -ENOMEM;
				return 1;
			}
			g->v = v;
			g->cap = cap;
		}
		i = (uint32_t)g->n++;
		memset(&g->v[i], 0, sizeof(g->v[i]));
		g->v[i].func = f;
		if (ptrmap__put(&g->idx, f, i)) {
			g->err = -ENOMEM;
			return 1;
		}
	}
	if (e->exited_ts) {
		g->v[i].exited++;
	} else {
		g->v[i].live++;
		if (e->state < GT_NSTATES)
			g->v[i].by_state[e->state]++;
	}
	return 0;
}

static int by_name(const void *pa, const void *pb)
{
	return strcmp(((const struct group *)pa)->func, ((const struct group *)pb)->func);
}

static int by_count(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	if (a->live != b->live)
		return a->live > b->live ? -1 : 1;
	if (a->exited != b->exited)
		return a->exited > b->exited ? -1 : 1;
	return strcmp(a->func, b->func);
}

/* Same name at different addresses (several processes, or symbolization paths): one group. */
static void merge(struct groups *g)
{
	size_t i, o = 0;
	int s;

	qsort(g->v, g->n, sizeof(*g->v), by_name);
	for (i = 0; i < g->n; i++) {
		if (o && !strcmp(g->v[o - 1].func, g->v[i].func)) {
			struct group *d = &g->v[o - 1];

			d->live += g->v[i].live;
			d->exited += g->v[i].exited;
			for (s = 0; s < GT_NSTATES; s++)
				d->by_state[s] += g->v[i].by_state[s];
			continue;
		}
		g->v[o++] = g->v[i];
	}
	g->n = o;
	qsort(g->v, g->n, sizeof(*g->v), by_count);
}

static const unsigned int cols_states[] = {XG_G_RUNNING, XG_G_RUNNABLE, XG_G_SYSCALL, XG_G_WAITING};
#define NUM_W 6

static void draw_mix(WINDOW *w, int y, int x, int width, struct tui_model *m, const struct group *g)
{
	uint64_t other = g->live;
	int used = 0, s;
	size_t i;

	if (!g->live || width <= 0)
		return;
	/* Per state, its share of the bar, in the state's glyph and color. */
	for (i = 0; i < sizeof(cols_states) / sizeof(cols_states[0]); i++) {
		unsigned int st = cols_states[i];
		int n = (int)((double)g->by_state[st] / (double)g->live * width + 0.5);

		other -= g->by_state[st];
		if (g->by_state[st] && !n)
			n = 1;
		if (used + n > width)
			n = width - used;
		d_repeat(w, y, x + used, n, ROLE(m, theme__state_role(st, false)),
			 theme__state_glyph(m->theme, st, false));
		used += n;
	}
	for (s = 0; other && s < GT_NSTATES && used < width; s++) {
		int n;

		if (s == XG_G_RUNNING || s == XG_G_RUNNABLE || s == XG_G_SYSCALL ||
		    s == XG_G_WAITING || !g->by_state[s])
			continue;
		n = (int)((double)g->by_state[s] / (double)g->live * width + 0.5);
		if (!n)
			n = 1;
		if (used + n > width)
			n = width - used;
		d_repeat(w, y, x + used, n, ROLE(m, theme__state_role((unsigned int)s, false)),
			 theme__state_glyph(m->theme, (unsigned int)s, false));
		used += n;
	}
}

static void group_draw(WINDOW *w, struct tui_model *m)
{
	static const char *const titles[] = {"TOTAL", "RUN",   "RNBL",	"SYSC",
					     "WAIT",  "OTHER", "EXITED"};
	struct groups g = {.m = m};
	int h = getmaxy(w), width = getmaxx(w), fw, x, page, y, i;
	bool wide = width >= 120;
	size_t k;

	model__for_each(m, add, &g);
	merge(&g);
	/* The function name gets what the state bar does not need. */
	fw = width - 7 * (NUM_W + 1) - 1 - (wide ? 40 : 14);
	if (fw > 60)
		fw = 60;
	if (fw < 18)
		fw = 18;

	d_fill(w, 0, 0, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, 0, 0, fw, ROLE(m, COLOR_COLUMN_HEADER), "START FUNCTION");
	for (i = 0, x = fw + 1; i < 7; i++, x += NUM_W + 1)
		d_rstr(w, 0, x, NUM_W, ROLE(m, COLOR_COLUMN_HEADER), titles[i]);
	d_str(w, 0, x + 1, width - x - 1, ROLE(m, COLOR_COLUMN_HEADER),
	      wide ? "STATES OF THE LIVE ONES" : "STATES");

	page = h - 1;
	m->page = page;
	m->group_n = g.n;
	if (m->group_sel >= g.n)
		m->group_sel = g.n ? g.n - 1 : 0;
	if (m->group_sel < m->group_top)
		m->group_top = m->group_sel;
	if (page > 0 && m->group_sel >= m->group_top + (size_t)page)
		m->group_top = m->group_sel - (size_t)page + 1;
	m->group_func = g.n ? g.v[m->group_sel].func : NULL;

	for (k = m->group_top, y = 1; k < g.n && y < h; k++, y++) {
		const struct group *gr = &g.v[k];
		bool sel = k == m->group_sel;
		attr_t a = ROLE(m, sel ? COLOR_SELECTED : COLOR_DEFAULT);
		uint64_t nums[7], other = gr->live;
		char buf[32];
		size_t s;

		for (s = 0; s < 4; s++)
			other -= gr->by_state[cols_states[s]];
		nums[0] = gr->live;
		for (s = 0; s < 4; s++)
			nums[1 + s] = gr->by_state[cols_states[s]];
		nums[5] = other;
		nums[6] = gr->exited;
		if (sel)
			d_fill(w, y, 0, x, a);
		d_tail(w, y, 0, fw, sel ? a : ROLE(m, COLOR_BOLD), gr->func, m->theme->g->ellipsis);
		for (i = 0, x = fw + 1; i < 7; i++, x += NUM_W + 1) {
			fmt_count(buf, sizeof(buf), (double)nums[i]);
			d_rstr(w, y, x, NUM_W, nums[i] || sel ? a : ROLE(m, COLOR_DIM), buf);
		}
		draw_mix(w, y, x + 1, width - x - 1, m, gr);
	}
	if (!g.n)
		d_str(w, h / 2, (width - 30) / 2, width, ROLE(m, COLOR_DIM),
		      m->filter.n ? "no goroutine matches the filter" : "no goroutine seen yet");
	free(g.v);
	ptrmap__free(&g.idx);
}

static void group_status(WINDOW *w, int y, struct tui_model *m)
{
	d_printf(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
		 "%zu start functions%s%s%s  Enter: list its goroutines  Esc: back", m->group_n,
		 m->filter.n ? "  filter: " : "", m->filter.src,
		 model__goroutine_rate(m) < 1 ? "  (sampled: counts of traced goroutines)" : "");
}

static int group_key(struct tui_model *m, enum tui_action a)
{
	size_t page = m->page > 1 ? (size_t)m->page : 10;
	char err[256], filt[FILTER_MAX_LEN];

	switch (a) {
	case A_UP:
		if (m->group_sel)
			m->group_sel--;
		return RD_FRAME;
	case A_DOWN:
		if (m->group_sel + 1 < m->group_n)
			m->group_sel++;
		return RD_FRAME;
	case A_PGUP:
		m->group_sel = m->group_sel > page ? m->group_sel - page : 0;
		return RD_FRAME;
	case A_PGDN:
		m->group_sel += page;
		return RD_FRAME;
	case A_HOME:
		m->group_sel = 0;
		return RD_FRAME;
	case A_END:
		m->group_sel = m->group_n ? m->group_n - 1 : 0;
		return RD_FRAME;
	case A_DETAIL:
		if (!m->group_func)
			return RD_NONE;
		/* A name with a space cannot be one filter term: match its start instead. */
		snprintf(filt, sizeof(filt), "func:=%s", m->group_func);
		if (strchr(m->group_func, ' ') || model__set_filter(m, filt, err, sizeof(err))) {
			model__message(m, true, "cannot filter on %s", m->group_func);
			return RD_FRAME;
		}
		m->view = TUI_V_LIST;
		return RD_FRAME;
	default:
		return RD_UNHANDLED;
	}
}

const struct tui_view view_group = {
	.name = "group",
	.draw = group_draw,
	.key = group_key,
	.status = group_status,
};
