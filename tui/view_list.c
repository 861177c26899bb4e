// SPDX-License-Identifier: BSD-2-Clause
/*
 * The goroutine list: columns on the left, each goroutine's state timeline
 * on the same row to the right, a time axis in the header row. Columns
 * drop by priority when the terminal is narrow; the timeline keeps at
 * least STRIP_MIN cells. With stacks (docs/UI.md#stacks), a first column
 * marks the leak suspects, the goroutines the filter leak lists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "draw.h"
#include "filter.h"
#include "fmt.h"
#include "text.h"
#include "views.h"
#include "xgotop_event.h"

#define STRIP_MIN 16

enum col { C_LEAK, C_PID, C_GID, C_STATE, C_WAIT, C_CPU, C_AGE, C_ALLOCS, C_FUNC, C_BY, C_N };

struct colspec {
	const char *title;
	int min, max;
	bool right;
	int sort; /* enum tui_sort, -1: none */
};

static const struct colspec specs[C_N] = {
	[C_LEAK] = {"", 1, 1, false, -1},
	[C_PID] = {"PID", 7, 7, true, -1},
	[C_GID] = {"GID", 5, 12, true, TUI_SORT_GOID},
	[C_STATE] = {"STATE", 6, 11, false, TUI_SORT_STATE},
	[C_WAIT] = {"WAIT", 18, 28, false, -1},
	[C_CPU] = {"CPU%", 5, 5, true, TUI_SORT_CPU},
	[C_AGE] = {"AGE", 7, 7, true, TUI_SORT_AGE},
	[C_ALLOCS] = {"ALLOCS", 7, 7, true, TUI_SORT_ALLOCS},
	[C_FUNC] = {"FUNCTION", 12, 48, false, TUI_SORT_FUNC},
	[C_BY] = {"CREATED BY", 12, 36, false, -1},
};

struct layout {
	bool on[C_N];
	int x[C_N], w[C_N];
	int left; /* columns end here; the separator follows */
	int strip_x, strip_w;
};

static void grow(struct layout *L, enum col c, int upto, int *avail)
{
	int add;

	if (!L->on[c] || L->w[c] >= upto)
		return;
	add = upto - L->w[c];
	if (add > *avail)
		add = *avail;
	L->w[c] += add;
	*avail -= add;
}

static void make_layout(struct layout *L, int width, bool multi_pid, bool allocs, bool stacks,
			int gid_w)
{
	/* Priority: what to keep when the terminal is narrow. */
	enum col prio[] = {C_PID,  C_GID,  C_LEAK, C_STATE,  C_CPU,
			   C_WAIT, C_FUNC, C_AGE,  C_ALLOCS, C_BY};
	int avail = width - 1 - STRIP_MIN, i, x = 0, pref = width * 35 / 100;

	memset(L, 0, sizeof(*L));
	for (i = 0; i < C_N; i++)
		L->w[i] = i == C_GID ? gid_w : specs[i].min;
	for (i = 0; i < C_N; i++) {
		enum col c = prio[i];

		if ((c == C_PID && !multi_pid) || (c == C_ALLOCS && !allocs) ||
		    (c == C_LEAK && !stacks))
			continue;
		if (L->w[c] + 1 <= avail) {
			L->on[c] = true;
			avail -= L->w[c] + 1;
		}
	}
	grow(L, C_FUNC, 16, &avail);
	if (width >= 120)
		grow(L, C_STATE, specs[C_STATE].max, &avail);
	/* Names first: "worker.(*Pool).run.func2" must read; the timeline takes what is left. */
	grow(L, C_FUNC, 28, &avail);
	grow(L, C_BY, 24, &avail);
	grow(L, C_WAIT, 22, &avail);
	/* Then the timeline gets its share before the widest columns. */
	if (pref > STRIP_MIN) {
		int give = pref - STRIP_MIN < avail ? pref - STRIP_MIN : avail;

		L->strip_w = STRIP_MIN + give;
		avail -= give;
	} else {
		L->strip_w = STRIP_MIN;
	}
	/* No allocation data: the column only where there is room to spare. */
	if (!allocs && avail >= specs[C_ALLOCS].min + 1 + 40) {
		L->on[C_ALLOCS] = true;
		avail -= specs[C_ALLOCS].min + 1;
	}
	grow(L, C_WAIT, specs[C_WAIT].max, &avail);
	grow(L, C_FUNC, specs[C_FUNC].max, &avail);
	grow(L, C_BY, specs[C_BY].max, &avail);
	L->strip_w += avail;
	for (i = 0; i < C_N; i++) {
		if (!L->on[i])
			continue;
		L->x[i] = x;
		x += L->w[i] + 1;
	}
	L->left = x;
	L->strip_x = x + 1;
}

static bool natural_desc(enum tui_sort s)
{
	return s == TUI_SORT_CPU || s == TUI_SORT_AGE || s == TUI_SORT_ALLOCS;
}

static void header_row(WINDOW *w, struct tui_model *m, const struct layout *L, uint64_t t0,
		       uint64_t scale, int cursor)
{
	const struct tui_glyphs *g = m->theme->g;
	char left[24], right[24], sc[24];
	int i, cells = L->strip_w;
	bool desc = natural_desc(m->sort) != m->reverse;

	d_fill(w, 0, 0, getmaxx(w), ROLE(m, COLOR_COLUMN_HEADER));
	for (i = 0; i < C_N; i++) {
		bool sorted = specs[i].sort == (int)m->sort;
		attr_t a = ROLE(m, sorted ? COLOR_COLUMN_SORTED : COLOR_COLUMN_HEADER);
		int tw = (int)strlen(specs[i].title) + (sorted ? 1 : 0), x;

		if (!L->on[i])
			continue;
		x = specs[i].right ? L->x[i] + L->w[i] - tw : L->x[i];
		if (x < L->x[i])
			x = L->x[i];
		x += d_str(w, 0, x, L->w[i], a, specs[i].title);
		if (sorted)
			d_glyph(w, 0, x, a, desc ? g->down : g->up);
	}
	/* The time axis: where the window starts and ends, and the cell size. */
	fmt_offset(left, sizeof(left), (int64_t)t0 - (int64_t)model__axis_ref(m));
	if (m->follow)
		snprintf(right, sizeof(right), "now");
	else
		fmt_offset(right, sizeof(right),
			   (int64_t)(t0 + (uint64_t)cells * scale) - (int64_t)m->now);
	fmt_scale(sc, sizeof(sc), scale);
	strcat(sc, "/cell");
	d_str(w, 0, L->strip_x, cells, ROLE(m, COLOR_COLUMN_HEADER), left);
	d_rstr(w, 0, L->strip_x, cells, ROLE(m, COLOR_COLUMN_HEADER), right);
	/* The scale in the middle, or as near as it goes with a space either side. */
	if ((int)(strlen(left) + strlen(right) + strlen(sc)) + 2 <= cells) {
		int lo = (int)strlen(left) + 1,
		    hi = cells - (int)strlen(right) - 1 - (int)strlen(sc);
		int at = (cells - (int)strlen(sc)) / 2;

		at = at < lo ? lo : at > hi ? hi : at;
		d_str(w, 0, L->strip_x + at, cells - at, ROLE(m, COLOR_COLUMN_HEADER), sc);
	}
	if (m->cur_back > 0 || !m->follow)
		d_glyph(w, 0, L->strip_x + cursor, ROLE(m, COLOR_COLUMN_SORTED), g->cursor);
}

static void gc_band(WINDOW *w, int y, struct tui_model *m, const struct layout *L, uint64_t t0,
		    uint64_t scale, const struct xd_gc_cycle *gc, int n)
{
	int c, i;

	d_rstr(w, y, 0, L->left - 1, ROLE(m, COLOR_GC), "GC/STW");
	for (c = 0; c < L->strip_w; c++) {
		uint64_t c0 = t0 + (uint64_t)c * scale, c1 = c0 + scale;
		const wchar_t *g = L" ";

		for (i = 0; i < n; i++) {
			/* In progress: up to now. */
			uint64_t end = gc[i].end ? gc[i].end : m->now;

			if (gc[i].start >= c1 || end <= c0)
				continue;
			g = m->theme->g->state[XG_G_RUNNABLE];
			/*
			 * The world is stopped where the cycle begins (sweep
			 * termination) and from mark termination to its end; the
			 * first pause's length is not kept, only its start.
			 */
			if ((gc[i].start >= c0 && gc[i].start < c1) ||
			    (gc[i].mark_end && gc[i].mark_end < c1 && end > c0)) {
				g = m->theme->g->bar_full;
				break;
			}
		}
		d_glyph(w, y, L->strip_x + c, ROLE(m, COLOR_GC), g);
	}
}

static void draw_row(WINDOW *w, int y, struct tui_model *m, const struct layout *L,
		     struct tui_row *r, bool selected, uint64_t t0, uint64_t scale, int cursor,
		     bool hilite, struct tui_cell *cur)
{
	const struct gentry *e = r->e;
	const struct tui_glyphs *g = m->theme->g;
	bool exited = e->exited_ts != 0;
	attr_t base = ROLE(m, selected ? COLOR_SELECTED : exited ? COLOR_DIM : COLOR_DEFAULT);
	attr_t sa = selected ? base : ROLE(m, theme__state_role(e->state, exited));
	char buf[256], dur[32];
	int x;

	if (selected)
		d_fill(w, y, 0, L->left, base);
	if (L->on[C_LEAK] && filter__leak(model__stacks(m), e, m->now))
		d_str(w, y, L->x[C_LEAK], 1, selected ? base : ROLE(m, COLOR_METER_BAD), "!");
	if (L->on[C_PID]) {
		snprintf(buf, sizeof(buf), "%u", e->pid);
		d_rstr(w, y, L->x[C_PID], L->w[C_PID], base, buf);
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)e->goid);
	d_rstr(w, y, L->x[C_GID], L->w[C_GID], base, buf);

	x = L->x[C_STATE];
	d_glyph(w, y, x, sa, theme__state_glyph(m->theme, e->state, exited));
	d_str(w, y, x + 2, L->w[C_STATE] - 2, sa,
	      theme__state_name(e->state, exited, L->w[C_STATE] < 11));

	if (L->on[C_WAIT]) {
		int dw;

		text_in_state(m, e, dur, sizeof(dur));
		dw = (int)strlen(dur);
		text_reason(e, buf, sizeof(buf));
		d_head(w, y, L->x[C_WAIT], L->w[C_WAIT] - dw - 1, base, buf, g->ellipsis);
		d_rstr(w, y, L->x[C_WAIT], L->w[C_WAIT], base, dur);
	}
	if (L->on[C_CPU]) {
		unsigned int cpu = model__cpu(m, r->e);

		text_cpu(cpu, buf, sizeof(buf));
		d_rstr(w, y, L->x[C_CPU], L->w[C_CPU],
		       selected || !cpu ? base : ROLE(m, COLOR_BOLD), buf);
	}
	if (L->on[C_AGE]) {
		text_age(m, e, buf, sizeof(buf));
		d_rstr(w, y, L->x[C_AGE], L->w[C_AGE], base, buf);
	}
	if (L->on[C_ALLOCS]) {
		text_allocs(m, e, buf, sizeof(buf));
		d_rstr(w, y, L->x[C_ALLOCS], L->w[C_ALLOCS], base, buf);
	}
	/* Created before tracing started: its start function was never seen. */
	if (L->on[C_FUNC])
		d_tail(w, y, L->x[C_FUNC], L->w[C_FUNC],
		       selected	  ? base
		       : !e->func ? ROLE(m, COLOR_DIM)
		       : exited	  ? base
				  : ROLE(m, COLOR_BOLD),
		       e->func ? text_func_fit(e->func, L->w[C_FUNC]) : "(unknown)", g->ellipsis);
	if (L->on[C_BY])
		d_tail(w, y, L->x[C_BY], L->w[C_BY], base,
		       e->created_by ? text_func_fit(e->created_by, L->w[C_BY]) : "", g->ellipsis);
	d_glyph(w, y, L->left, ROLE(m, COLOR_DIM), g->vsep);
	d_strip(w, y, L->strip_x, L->strip_w, m, e, t0, scale, cursor, hilite, cur);
}

/* Digits of the largest goroutine id on screen, for the GID column. */
static int gid_width(struct tui_model *m, int page)
{
	uint64_t max = 0;
	size_t i;
	int d = 1;

	for (i = m->top; i < m->top + (size_t)page && i < m->n_rows; i++)
		if (m->rows[i].e->goid > max)
			max = m->rows[i].e->goid;
	for (; max >= 10; max /= 10)
		d++;
	return d < specs[C_GID].min ? specs[C_GID].min : d;
}

static void list_draw(WINDOW *w, struct tui_model *m)
{
	int h = getmaxy(w), width = getmaxx(w), page, y, cursor, gid_w, n_gc;
	struct xd_gc_cycle gc[64];
	uint64_t t0, scale;
	struct layout L;
	bool hilite;
	size_t i;

	n_gc = xd_gc_cycles(m->src->ops->table(m->src->ctx), gc, 64);
	/* The last line counts the exited goroutines not listed. */
	page = h - 1 - (n_gc > 0) - (m->exited_hidden > 0);
	if (page < 1)
		return;
	model__scroll(m, page);
	gid_w = gid_width(m, page);
	make_layout(&L, width, m->info.pid == 0, xd_allocs_known(model__table(m)),
		    model__stacks(m) != NULL, gid_w);
	m->strip_cells = L.strip_w;
	if (m->cur_back >= L.strip_w)
		m->cur_back = L.strip_w - 1;
	model__window(m, L.strip_w, &t0, &scale);
	cursor = L.strip_w - 1 - m->cur_back;
	hilite = m->cur_back > 0 || !m->follow;
	header_row(w, m, &L, t0, scale, cursor);
	y = 1;
	if (n_gc > 0)
		gc_band(w, y++, m, &L, t0, scale, gc, n_gc);
	m->cur_cell_valid = false;
	for (i = m->top; i < m->n_rows && y < h; i++, y++) {
		bool sel = i == m->sel;

		tracker__want(&m->track, m->rows[i].e);
		draw_row(w, y, m, &L, &m->rows[i], sel, t0, scale, cursor, hilite,
			 sel ? &m->cur_cell : NULL);
		if (sel)
			m->cur_cell_valid = true;
	}
	if (m->exited_hidden && y < h) {
		char line[96];

		text_exited(m, line, sizeof(line));
		d_str(w, y, 0, width, ROLE(m, COLOR_DIM), line);
	}
	if (!m->n_rows) {
		const char *why = m->filter.n	   ? "no goroutine matches the filter"
				  : model__size(m) ? "every goroutine has exited (x lists them)"
						   : "no goroutine seen yet: waiting for events";

		d_str(w, h / 2, (width - (int)strlen(why)) / 2, width, ROLE(m, COLOR_DIM), why);
	}
}

/* A field of the status line: drawn whole or not at all. */
struct sfield {
	char text[FILTER_MAX_LEN + 48];
	attr_t a;
	int prio; /* 0 first: kept while others are dropped */
	bool right, on;
};

static struct sfield *sfield_add(struct sfield *f, int *n, bool right, int prio, attr_t a,
				 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct sfield *sfield_add(struct sfield *f, int *n, bool right, int prio, attr_t a,
				 const char *fmt, ...)
{
	struct sfield *s = &f[(*n)++];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	s->a = a;
	s->prio = prio;
	s->right = right;
	s->on = false;
	return s;
}

/*
 * What the list is (count, filter), the selected goroutine, the cursor's
 * cell, its time per state, the sort, the clock: fields by that priority,
 * each whole or dropped, so a number is never cut ("G8636" for G863612).
 * Only the filter, text the user typed, is shortened (its head elided).
 */
static void list_status(WINDOW *w, int y, struct tui_model *m)
{
	int width = getmaxx(w), cells = m->strip_cells > 0 ? m->strip_cells : 40;
	uint64_t cur = model__cursor_ts(m, cells), scale = tui_zoom_ladder[m->zoom];
	char off[24], off_end[24], clock[32], sc[24], d[16];
	const char *dir = natural_desc(m->sort) != m->reverse ? "desc" : "asc";
	struct sfield f[8 + GT_NSTATES], *filt = NULL;
	int n = 0, used = 2, prio, i, x, rw = 0;
	bool items_full = false;
	unsigned int s;

	sfield_add(f, &n, true, 0, ROLE(m, m->filter.n ? COLOR_PROMPT : COLOR_DIM), "%zu shown",
		   m->n_rows);
	if (m->filter.n)
		filt = sfield_add(f, &n, true, 1, ROLE(m, COLOR_PROMPT), "  filter: %s",
				  m->filter.src);
	else
		sfield_add(f, &n, true, 5, ROLE(m, COLOR_DIM), "  sort %s %s",
			   tui_sort_names[m->sort], dir);
	/* The cursor's cell, from..to: "now" at the live edge. */
	fmt_offset(off, sizeof(off), (int64_t)cur - (int64_t)model__axis_ref(m));
	fmt_offset(off_end, sizeof(off_end), (int64_t)(cur + scale) - (int64_t)model__axis_ref(m));
	fmt_scale(sc, sizeof(sc), scale);
	sfield_add(f, &n, false, 3, ROLE(m, COLOR_AXIS), "cursor %s..%s (%s/cell)", off, off_end,
		   sc);
	if (!m->replay && width >= 120) {
		fmt_clock(clock, sizeof(clock), model__wall(m, cur), 1);
		sfield_add(f, &n, false, 6, ROLE(m, COLOR_DIM), " at %s", clock);
	}
	if (m->cur_cell_valid && m->n_rows && m->sel < m->n_rows) {
		sfield_add(f, &n, false, 2, ROLE(m, COLOR_DEFAULT),
			   "  G%llu:", (unsigned long long)m->sel_goid);
		if (!m->cur_cell.known)
			sfield_add(f, &n, false, 4, ROLE(m, COLOR_DIM), " no data");
		for (s = 0; s < GT_NSTATES; s++)
			if (m->cur_cell.ns[s])
				sfield_add(f, &n, false, 4, ROLE(m, theme__state_role(s, false)),
					   " %s %s", theme__state_name(s, false, true),
					   fmt_dur(d, sizeof(d), m->cur_cell.ns[s]));
	}
	/* The filter, when whole it does not fit: its tail, in at most half the line. */
	if (filt && (int)fmt_width(filt->text) > width / 2) {
		int cut;
		const char *tail = fmt_tail(m->filter.src,
					    (size_t)(width / 2 > 12 ? width / 2 - 12 : 1), &cut);

		snprintf(filt->text, sizeof(filt->text), "  filter: …%s", tail);
	}
	for (prio = 0; prio <= 6; prio++)
		for (i = 0; i < n; i++) {
			int fw = (int)fmt_width(f[i].text);

			if (f[i].prio != prio)
				continue;
			/* The time per state in order, up to the first that does not fit. */
			if (prio == 4 && (items_full || used + fw > width)) {
				items_full = true;
				continue;
			}
			if (used + fw > width)
				continue;
			f[i].on = true;
			used += fw;
		}
	for (i = 0; i < n; i++)
		if (f[i].on && f[i].right)
			rw += (int)fmt_width(f[i].text);
	for (i = 0, x = 0; i < n; i++)
		if (f[i].on && !f[i].right)
			x += d_str(w, y, x, width - rw - x, f[i].a, f[i].text);
	for (i = 0, x = width - rw; i < n; i++)
		if (f[i].on && f[i].right)
			x += d_str(w, y, x, width - x, f[i].a, f[i].text);
}

static int list_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

const struct tui_view view_list = {
	.name = "goroutines",
	.draw = list_draw,
	.key = list_key,
	.status = list_status,
};
