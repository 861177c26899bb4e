// SPDX-License-Identifier: BSD-2-Clause
/*
 * Live goroutines grouped by identical stack, from the latest sweep
 * (src/core/stackset.h): per group its count, growth over the last minute,
 * states, the longest wait, named by its innermost frame outside the
 * runtime; most goroutines first. Leak suspects are marked '!': a group
 * that grew at every one of the last sweeps, or one with a goroutine
 * waiting longer than the threshold. Below, the selected group's frames.
 * The filter applies (a goroutine the table does not have passes only an
 * empty filter).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "fmt.h"
#include "stackset.h"
#include "text.h"
#include "views.h"
#include "xgotop_event.h"

#define GROWTH_WINDOW_NS (60 * 1000000000ull)

struct sgroup {
	uint32_t stack; /* 0: no stack (by WHAT) */
	uint8_t what;
	uint64_t count;
	uint64_t by_state[GT_NSTATES];
	uint64_t oldest_since; /* earliest wait start, 0: none */
	const char *reason;    /* of a waiting member, from the table */
	bool leak;
};

static const char *const no_stack[STK_WHAT_N] = {
	[STK_OK] = "(empty stack)",
	[STK_RUNNING] = "(running: no stack while it runs)",
	[STK_CHANGED] = "(changed while read)",
	[STK_BAD] = "(stack unreadable)",
};

static int by_count(const void *pa, const void *pb)
{
	const struct sgroup *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	return a->what < b->what ? -1 : a->what > b->what;
}

/* Stack groups of the sweep that pass the filter, most goroutines first; NULL and *N 0 if none. */
static struct sgroup *groups(struct tui_model *m, const struct stackset *s, size_t *n)
{
	uint32_t ns = stackset__n_stacks(s);
	/* Slot by stack id; 0 and the STK_WHAT_N kinds of no stack after them. */
	struct sgroup *v = calloc(ns + 1 + STK_WHAT_N, sizeof(*v));
	size_t i, k = 0;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < stackset__sweep_n(s); i++) {
		const struct stk_entry *se = stackset__sweep_entry(s, i);
		const struct gentry *e = model__find(m, se->pid, se->goid);
		struct sgroup *g;

		if (m->filter.n && (!e || !filter__match(&m->filter, e)))
			continue;
		if (e && e->exited_ts)
			continue;
		g = se->stack ? &v[se->stack] : &v[ns + 1 + se->what];
		g->stack = se->stack;
		g->what = se->what;
		g->count++;
		if (se->status < GT_NSTATES)
			g->by_state[se->status]++;
		if (se->wait_since && (!g->oldest_since || se->wait_since < g->oldest_since))
			g->oldest_since = se->wait_since;
		if (!g->reason && e && e->state == XG_G_WAITING)
			g->reason = e->reason_str;
		if (stackset__leak_entry(s, se, m->now))
			g->leak = true;
	}
	for (i = 0; i < ns + 1 + STK_WHAT_N; i++)
		if (v[i].count)
			v[k++] = v[i];
	qsort(v, k, sizeof(*v), by_count);
	*n = k;
	return v;
}

/* The state most of the group is in, and a wait reason if it waits. */
static void group_states(const struct sgroup *g, char *buf, size_t len)
{
	unsigned int s, top = 0;

	for (s = 1; s < GT_NSTATES; s++)
		if (g->by_state[s] > g->by_state[top])
			top = s;
	if (top == XG_G_WAITING && g->reason)
		snprintf(buf, len, "%s", g->reason);
	else
		snprintf(buf, len, "%s", theme__state_name(top, false, false));
	if (g->by_state[top] < g->count)
		snprintf(buf + strlen(buf), len - strlen(buf), " +%llu",
			 (unsigned long long)(g->count - g->by_state[top]));
}

void view_stacks__frame(WINDOW *w, int y, int x, struct tui_model *m, const struct stk_frame *f)
{
	int width = getmaxx(w) - x, fw, used;
	char where[4200];

	if (width <= 0)
		return;
	fw = width * 3 / 5;
	used = d_printf(w, y, x, fw, ROLE(m, f->func ? COLOR_BOLD : COLOR_DIM), "%s",
			f->func ? text_func_fit(f->func, fw) : "?");
	snprintf(where, sizeof(where), "%s:%d", f->file ? f->file : "?", (int)f->line);
	if (width - used - 2 > 8)
		d_tail(w, y, x + used + 2, width - used - 2, ROLE(m, COLOR_DIM), where,
		       m->theme->g->ellipsis);
}

static void draw_row(WINDOW *w, int y, struct tui_model *m, const struct stackset *s,
		     const struct sgroup *g, bool sel)
{
	int width = getmaxx(w), x = 0;
	attr_t a = ROLE(m, sel ? COLOR_SELECTED : COLOR_DEFAULT);
	const struct stk_frame *name = stackset__name(s, g->stack);
	char buf[160], d[16];
	int64_t grow = g->stack ? stackset__growth(s, g->stack, GROWTH_WINDOW_NS) : 0;

	if (sel)
		d_fill(w, y, 0, width, a);
	d_str(w, y, x, 1, g->leak ? ROLE(m, COLOR_METER_BAD) : a, g->leak ? "!" : " ");
	x += 2;
	fmt_count(buf, sizeof(buf), (double)g->count);
	d_rstr(w, y, x, 6, a, buf);
	x += 7;
	if (grow)
		snprintf(buf, sizeof(buf), "%+lld", (long long)grow);
	else
		snprintf(buf, sizeof(buf), "0");
	d_rstr(w, y, x, 6, grow > 0 ? ROLE(m, COLOR_METER_WARN) : a, buf);
	x += 7;
	d_rstr(w, y, x, 8, a,
	       g->oldest_since && m->now > g->oldest_since
		       ? fmt_dur(d, sizeof(d), m->now - g->oldest_since)
		       : "-");
	x += 10;
	group_states(g, buf, sizeof(buf));
	d_str(w, y, x, 18, a, buf);
	x += 19;
	if (!g->stack)
		d_str(w, y, x, width - x, ROLE(m, COLOR_DIM), no_stack[g->what % STK_WHAT_N]);
	else if (name)
		d_tail(w, y, x, width - x, sel ? a : ROLE(m, COLOR_BOLD),
		       name->func ? name->func : "?", m->theme->g->ellipsis);
}

/* The selected group's frames in rows [Y, Y + H). */
static void draw_frames(WINDOW *w, int y, int h, struct tui_model *m, const struct stackset *s,
			const struct sgroup *g)
{
	const struct stk_frame *f;
	uint32_t n, i;

	f = stackset__frames(s, g->stack, &n);
	d_printf(w, y, 0, getmaxx(w), ROLE(m, COLOR_TITLE),
		 "Stack of the selected group (%u frames)", n);
	for (i = 0; i < n && (int)i + 1 < h; i++)
		view_stacks__frame(w, y + 1 + (int)i, 2, m, &f[i]);
	if (n && (int)n + 1 > h && h > 1)
		d_printf(w, y + h - 1, 2, getmaxx(w) - 2, ROLE(m, COLOR_DIM), "... %u more frames",
			 n - (uint32_t)h + 2);
}

static void stacks_draw(WINDOW *w, struct tui_model *m)
{
	const struct stackset *s = model__stacks(m);
	int h = getmaxy(w), width = getmaxx(w), page, y, fh = 0;
	struct sgroup *v;
	size_t n, k;

	if (!s || !stackset__sweep_ts(s)) {
		d_str(w, h / 2, 2, width - 2, ROLE(m, COLOR_DIM),
		      !s ? "no stacks: live with -pid or a launched command (--stack-interval), "
			   "or a recording with sweeps"
		      : m->replay ? "no stack sweep in the recording up to here (recorded with "
				    "--stack-interval: format 1.3)"
				  : "no stacks swept yet (every --stack-interval seconds)");
		m->stacks_n = 0;
		return;
	}
	v = groups(m, s, &n);
	d_fill(w, 0, 0, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, 0, 0, width, ROLE(m, COLOR_COLUMN_HEADER),
	      "   COUNT   GROW   OLDEST  STATE              STACK (first non-runtime frame)");
	m->stacks_n = n;
	if (m->stacks_sel >= n)
		m->stacks_sel = n ? n - 1 : 0;
	if (n && v[m->stacks_sel].stack) {
		uint32_t nf;

		stackset__frames(s, v[m->stacks_sel].stack, &nf);
		fh = (int)nf + 2 < h / 2 ? (int)nf + 2 : h / 2;
	}
	page = h - 1 - fh;
	m->page = page;
	if (m->stacks_sel < m->stacks_top)
		m->stacks_top = m->stacks_sel;
	if (page > 0 && m->stacks_sel >= m->stacks_top + (size_t)page)
		m->stacks_top = m->stacks_sel - (size_t)page + 1;
	m->stacks_id = n ? v[m->stacks_sel].stack : 0;
	for (k = m->stacks_top, y = 1; k < n && y < 1 + page; k++, y++)
		draw_row(w, y, m, s, &v[k], k == m->stacks_sel);
	if (!n)
		d_str(w, h / 2, 2, width - 2, ROLE(m, COLOR_DIM),
		      m->filter.n ? "no swept goroutine matches the filter"
				  : "no goroutine in the last sweep");
	if (fh)
		draw_frames(w, h - fh + 1, fh - 1, m, s, &v[m->stacks_sel]);
	free(v);
}

static void stacks_status(WINDOW *w, int y, struct tui_model *m)
{
	const struct stackset *s = model__stacks(m);
	char ago[24] = "";

	if (s && stackset__sweep_ts(s))
		fmt_offset(ago, sizeof(ago), (int64_t)stackset__sweep_ts(s) - (int64_t)m->now);
	d_printf(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
		 "%zu stacks%s%s  swept %s  !: leak suspect (/leak lists them)  Enter: list them",
		 m->stacks_n, m->filter.n ? "  filter: " : "", m->filter.src,
		 ago[0] ? ago : "never");
}

static int stacks_key(struct tui_model *m, enum tui_action a)
{
	size_t page = m->page > 1 ? (size_t)m->page : 10;
	char err[256], filt[FILTER_MAX_LEN];

	switch (a) {
	case A_UP:
		if (m->stacks_sel)
			m->stacks_sel--;
		return RD_FRAME;
	case A_DOWN:
		if (m->stacks_sel + 1 < m->stacks_n)
			m->stacks_sel++;
		return RD_FRAME;
	case A_PGUP:
		m->stacks_sel = m->stacks_sel > page ? m->stacks_sel - page : 0;
		return RD_FRAME;
	case A_PGDN:
		m->stacks_sel += page;
		return RD_FRAME;
	case A_HOME:
		m->stacks_sel = 0;
		return RD_FRAME;
	case A_END:
		m->stacks_sel = m->stacks_n ? m->stacks_n - 1 : 0;
		return RD_FRAME;
	case A_DETAIL:
		/* The group's goroutines in the list (stack:#N); none without a stack. */
		if (!m->stacks_id)
			return RD_NONE;
		snprintf(filt, sizeof(filt), "stack:#%u", m->stacks_id);
		if (model__set_filter(m, filt, err, sizeof(err))) {
			model__message(m, true, "%s", err);
			return RD_FRAME;
		}
		m->view = TUI_V_LIST;
		return RD_FRAME;
	default:
		return RD_UNHANDLED;
	}
}

const struct tui_view view_stacks = {
	.name = "stacks",
	.draw = stacks_draw,
	.key = stacks_key,
	.status = stacks_status,
};
