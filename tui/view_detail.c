// SPDX-License-Identifier: BSD-2-Clause
/*
 * One goroutine: ids, parent chain, creation site, time per state, its
 * recent state history and its timeline. Scrolls when taller than the
 * screen. The goroutine is held by (pid, goid), looked up every frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "draw.h"
#include "fmt.h"
#include "stackset.h"
#include "text.h"
#include "views.h"
#include "xgotop_event.h"

/* Lines of a scrolled page: line L is on screen at L - top, if that is inside. */
struct page {
	WINDOW *w;
	int top, h, line;
};

static int line_y(struct page *p)
{
	int y = p->line - p->top;

	return y >= 0 && y < p->h ? y : -1;
}

static void next(struct page *p)
{
	p->line++;
}

static void field(struct page *p, struct tui_model *m, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void field(struct page *p, struct tui_model *m, const char *name, const char *fmt, ...)
{
	int y = line_y(p), width = getmaxx(p->w);
	char buf[1024];
	va_list ap;

	if (y >= 0) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		d_str(p->w, y, 0, 12, ROLE(m, COLOR_METER_LABEL), name);
		d_str(p->w, y, 12, width - 12, ROLE(m, COLOR_DEFAULT), buf);
	}
	next(p);
}

/* The go statement's file:line: its end (file name, line) matters most. */
static void site(struct page *p, struct tui_model *m, const struct gentry *e)
{
	int y = line_y(p), width = getmaxx(p->w);
	char buf[4200];

	if (y >= 0) {
		snprintf(buf, sizeof(buf), "%s:%d", e->file ? e->file : "?", e->line);
		d_str(p->w, y, 0, 12, ROLE(m, COLOR_METER_LABEL), "go stmt at");
		d_tail(p->w, y, 12, width - 12, ROLE(m, COLOR_DEFAULT), buf, m->theme->g->ellipsis);
	}
	next(p);
}

static void parents(struct page *p, struct tui_model *m, const struct gentry *e)
{
	int y = line_y(p), width = getmaxx(p->w), x = 12, depth;
	const struct tui_glyphs *g = m->theme->g;
	uint64_t goid = e->parent;

	if (y < 0) {
		next(p);
		return;
	}
	d_str(p->w, y, 0, 12, ROLE(m, COLOR_METER_LABEL), "parents");
	/* Go records the parent from go1.21 (g.parentGoid); G1's is none. */
	if (!e->created_ts && !e->parent) {
		d_str(p->w, y, x, width - x, ROLE(m, COLOR_DIM),
		      "unknown: created before tracing started");
		next(p);
		return;
	}
	for (depth = 0; depth < 8 && x < width; depth++) {
		const struct gentry *pe = model__find(m, e->pid, goid);

		if (depth)
			x += d_printf(p->w, y, x, width - x, ROLE(m, COLOR_DIM), " %ls ", g->arrow);
		x += d_printf(p->w, y, x, width - x, ROLE(m, COLOR_BOLD), "G%llu",
			      (unsigned long long)goid);
		if (!pe) {
			x += d_str(p->w, y, x, width - x, ROLE(m, COLOR_DIM),
				   goid ? " (gone from the table)" : " (runtime)");
			break;
		}
		if (pe->func)
			x += d_printf(p->w, y, x, width - x, ROLE(m, COLOR_DEFAULT), " %s",
				      pe->func);
		else
			x += d_str(p->w, y, x, width - x, ROLE(m, COLOR_DIM),
				   " (created before tracing)");
		if ((!pe->created_ts && !pe->parent) || pe->parent == goid)
			break;
		goid = pe->parent;
	}
	next(p);
}

static void time_per_state(struct page *p, struct tui_model *m, const struct gentry *e)
{
	uint64_t t[GT_NSTATES], total = 0;
	int width = getmaxx(p->w), y;
	unsigned int s;
	char d[16];

	for (s = 0; s < GT_NSTATES; s++) {
		t[s] = s == XG_G_DEAD ? 0 : gentry__time_in(e, s, m->now);
		total += t[s];
	}
	y = line_y(p);
	if (y >= 0)
		d_printf(p->w, y, 0, width, ROLE(m, COLOR_TITLE), "Time per state (%s observed)",
			 fmt_dur(d, sizeof(d), total));
	next(p);
	for (s = 0; s < GT_NSTATES; s++) {
		double frac = total ? (double)t[s] / (double)total : 0;

		if (!t[s])
			continue;
		y = line_y(p);
		if (y >= 0) {
			attr_t a = ROLE(m, theme__state_role(s, false));

			d_glyph(p->w, y, 2, a, theme__state_glyph(m->theme, s, false));
			d_str(p->w, y, 4, 10, a, theme__state_name(s, false, false));
			d_rstr(p->w, y, 14, 7, ROLE(m, COLOR_DEFAULT), fmt_dur(d, sizeof(d), t[s]));
			d_printf(p->w, y, 22, 7, ROLE(m, COLOR_DEFAULT), "%5.1f%%", frac * 100);
			d_bar(p->w, y, 30, width - 31 < 40 ? width - 31 : 40, frac, a, m->theme->g);
		}
		next(p);
	}
}

static const char *const stack_none[STK_WHAT_N] = {
	[STK_OK] = "empty",
	[STK_RUNNING] = "running when read: a running goroutine's stack cannot be read",
	[STK_CHANGED] = "it kept changing while read",
	[STK_BAD] = "unreadable (the walk failed)",
};

/*
 * Its stack as last read, innermost first, as Go's dump shows it: read
 * alone about once a second while this view shows it (the live source's
 * stacks_want; a replay has none and shows the recorded sweep), else at
 * the last sweep.
 */
static void stack(struct page *p, struct tui_model *m, const struct gentry *e)
{
	const struct stackset *s = model__stacks(m);
	const struct stk_entry *se;
	const struct stk_frame *f;
	int width = getmaxx(p->w), y;
	uint64_t ts = 0;
	char ago[24];
	uint32_t n = 0, i;

	if (!s)
		return;
	if (m->src->ops->stacks_want && !e->exited_ts)
		m->src->ops->stacks_want(m->src->ctx, e->pid, e->goid);
	se = stackset__latest(s, e->pid, e->goid, &ts);
	f = se ? stackset__frames(s, se->stack, &n) : NULL;
	fmt_offset(ago, sizeof(ago), (int64_t)(se ? ts : stackset__sweep_ts(s)) - (int64_t)m->now);
	y = line_y(p);
	if (y >= 0) {
		if (!stackset__sweep_ts(s) && !se)
			d_str(p->w, y, 0, width, ROLE(m, COLOR_TITLE), "Stack (no sweep yet)");
		else if (!se)
			d_printf(p->w, y, 0, width, ROLE(m, COLOR_TITLE),
				 "Stack (not in the sweep %s)", ago);
		else
			d_printf(p->w, y, 0, width, ROLE(m, COLOR_TITLE), "Stack (%s %s)%s%s",
				 ts == stackset__sweep_ts(s) ? "swept" : "read alone", ago,
				 se->stack ? "" : ": ",
				 se->stack ? "" : stack_none[se->what % STK_WHAT_N]);
		if (se && stackset__leak_entry(s, se, m->now))
			d_str(p->w, y, width - 14, 14, ROLE(m, COLOR_METER_BAD), "! leak suspect");
	}
	next(p);
	for (i = 0; i < n; i++) {
		y = line_y(p);
		if (y >= 0)
			view_stacks__frame(p->w, y, 2, m, &f[i]);
		next(p);
	}
	next(p);
}

#define HISTORY_MAX 500

static void history(struct page *p, struct tui_model *m, const struct gentry *e)
{
	int width = getmaxx(p->w), y;
	char clock[32], d[16], reason[128];
	const struct gstate_span *v;
	uint32_t n = model__spans(m, e, &v), i, shown = 0;

	y = line_y(p);
	if (y >= 0)
		d_printf(p->w, y, 0, width, ROLE(m, COLOR_TITLE),
			 "State history (%u changes kept, newest first)", n);
	next(p);
	for (i = n; i-- > 0 && shown < HISTORY_MAX; shown++) {
		const struct gstate_span *s = &v[i], *nx = i + 1 < n ? &v[i + 1] : NULL;
		uint64_t end = nx ? nx->start : e->exited_ts ? e->exited_ts : m->now;
		bool dead = s->state == XG_G_DEAD;
		attr_t a = ROLE(m, theme__state_role(s->state, dead));

		y = line_y(p);
		if (y >= 0) {
			int x = 2;

			if (m->replay) {
				char off[24];

				fmt_offset(off, sizeof(off), (int64_t)s->start - (int64_t)m->now);
				x += d_printf(p->w, y, x, 14, ROLE(m, COLOR_DIM), "%-12s", off);
			} else {
				x += d_str(p->w, y, x, 14, ROLE(m, COLOR_DIM),
					   fmt_clock(clock, sizeof(clock), model__wall(m, s->start),
						     1));
			}
			x += 2;
			d_glyph(p->w, y, x, a, theme__state_glyph(m->theme, s->state, dead));
			d_str(p->w, y, x + 2, 10, a, theme__state_name(s->state, dead, false));
			x += 12;
			if (!dead) {
				d_rstr(p->w, y, x, 7, ROLE(m, COLOR_DEFAULT),
				       fmt_dur(d, sizeof(d), end > s->start ? end - s->start : 0));
				if (!nx)
					d_str(p->w, y, x + 7, 1, ROLE(m, COLOR_DIM), "+");
			}
			x += 9;
			/* The table keeps the reason of the current wait only. */
			if (!nx && s->state == XG_G_WAITING)
				d_str(p->w, y, x, width - x, ROLE(m, COLOR_DEFAULT),
				      text_reason(e, reason, sizeof(reason)));
		}
		next(p);
	}
	if (e->transitions > n) {
		y = line_y(p);
		if (y >= 0)
			d_printf(p->w, y, 2, width - 2, ROLE(m, COLOR_DIM),
				 "... %llu earlier changes not kept",
				 (unsigned long long)(e->transitions - n));
		next(p);
	}
}

/*
 * Running vs on a CPU (GEV_CPU: the sched_switch tracepoint): its time in
 * running, how much of it its thread was on a CPU, and the rest by cause.
 * Nothing when no time off the CPU was charged to it.
 */
static void on_cpu(struct page *p, struct tui_model *m, const struct gentry *e)
{
	uint64_t run = gentry__time_in(e, XG_G_RUNNING, m->now), on = gentry__cpu_ns(e, m->now);
	uint64_t off[2];
	char a[16], b[16], c[16], d[16], f[16];

	gentry__offcpu(e, off);
	if (!off[0] && !off[1])
		return;
	/* Two lines: as one, 80 columns cut its last figure. */
	field(p, m, "on CPU", "%s of %s running (%.1f%%)", fmt_dur(a, sizeof(a), on),
	      fmt_dur(b, sizeof(b), run), run ? 100.0 * (double)on / (double)run : 0.0);
	field(p, m, "off CPU", "%s: preempted %s, blocked %s",
	      fmt_dur(c, sizeof(c), off[0] + off[1]), fmt_dur(d, sizeof(d), off[0]),
	      fmt_dur(f, sizeof(f), off[1]));
}

static void detail_draw(WINDOW *w, struct tui_model *m)
{
	const struct gentry *e =
		m->have_sel ? model__find(m, m->sel_pid, m->sel_goid) : model__selected(m);
	int width = getmaxx(w), h = getmaxy(w), y;
	struct page p = {.w = w, .top = m->detail_top, .h = h};
	char age[24], ins[32], reason[128], when[32], cpu[16], d[16];
	uint64_t bytes, objects, t0, scale;
	bool exited;

	if (!m->have_sel && !e) {
		d_str(w, 0, 0, width, ROLE(m, COLOR_DIM), "no goroutine selected");
		return;
	}
	if (!e) {
		d_printf(w, 0, 0, width, ROLE(m, COLOR_DIM),
			 "G%llu is no longer in the table (it exited and expired)",
			 (unsigned long long)m->sel_goid);
		return;
	}
	exited = e->exited_ts != 0;
	tracker__want(&m->track, e);
	y = line_y(&p);
	if (y >= 0) {
		attr_t a = ROLE(m, theme__state_role(e->state, exited));
		int x = 0;

		x += d_printf(w, y, x, width, ROLE(m, COLOR_TITLE), "G%llu",
			      (unsigned long long)e->goid);
		x += d_printf(w, y, x, width - x, ROLE(m, e->func ? COLOR_BOLD : COLOR_DIM),
			      " %s  ", e->func ? e->func : "(start function unknown)");
		d_glyph(w, y, x, a, theme__state_glyph(m->theme, e->state, exited));
		x += 2;
		x += d_str(w, y, x, width - x, a, theme__state_name(e->state, exited, false));
		text_reason(e, reason, sizeof(reason));
		if (reason[0])
			x += d_printf(w, y, x, width - x, a, " (%s)", reason);
		text_in_state(m, e, ins, sizeof(ins));
		if (ins[0] && !exited)
			d_printf(w, y, x, width - x, ROLE(m, COLOR_DEFAULT), " for %s", ins);
	}
	next(&p);
	field(&p, m, "process", "pid %u", e->pid);
	parents(&p, m, e);
	if (e->created_ts) {
		if (m->replay)
			fmt_offset(when, sizeof(when), (int64_t)e->created_ts - (int64_t)m->now);
		else
			fmt_clock(when, sizeof(when), model__wall(m, e->created_ts), 1);
		field(&p, m, "created", "%s by %s", when, e->created_by ? e->created_by : "?");
		site(&p, m, e);
	} else {
		/* What the goroutine table said of it when found: creator and go statement. */
		field(&p, m, "created", "before tracing started%s%s", e->created_by ? ", by " : "",
		      e->created_by ? e->created_by : "");
		if (e->file)
			site(&p, m, e);
	}
	text_age(m, e, age, sizeof(age));
	if (exited)
		field(&p, m, "exited", "%s ago, after %s",
		      fmt_dur(d, sizeof(d), m->now > e->exited_ts ? m->now - e->exited_ts : 0),
		      age);
	else
		field(&p, m, "age", "%s", age);
	text_cpu(model__cpu(m, e), cpu, sizeof(cpu));
	field(&p, m, "activity", "%llu state changes, CPU %s%% over the last %s",
	      (unsigned long long)e->transitions, cpu,
	      fmt_dur(d, sizeof(d), m->cpu.t1 - m->cpu.t0));
	on_cpu(&p, m, e);
	if (xd_allocs(model__table(m), e, &bytes, &objects))
		field(&p, m, "allocs", "no data (%s)",
		      xd_allocs_known(model__table(m)) ? "none for its process"
						       : "needs --alloc or --probes all");
	else
		field(&p, m, "allocs", "%llu bytes in %llu objects", (unsigned long long)bytes,
		      (unsigned long long)objects);

	/* Its timeline at the list's zoom. */
	y = line_y(&p);
	if (y >= 0 && width > 14) {
		int cells = width - 12;

		model__window(m, cells, &t0, &scale);
		d_str(w, y, 0, 12, ROLE(m, COLOR_METER_LABEL), "timeline");
		d_strip(w, y, 12, cells, m, e, t0, scale, -1, false, NULL);
	}
	next(&p);
	next(&p);
	stack(&p, m, e);
	time_per_state(&p, m, e);
	next(&p);
	history(&p, m, e);
	/* Do not scroll past the end. */
	if (m->detail_top > 0 && p.line - m->detail_top < h)
		m->detail_top = p.line > h ? p.line - h : 0;
}

static void detail_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
	      "Up/Down/PgUp/PgDn scroll   +/- zoom the timeline   Esc: back to the list");
}

static int detail_key(struct tui_model *m, enum tui_action a)
{
	switch (a) {
	case A_UP:
		if (m->detail_top)
			m->detail_top--;
		return RD_FRAME;
	case A_DOWN:
		m->detail_top++;
		return RD_FRAME;
	case A_PGUP:
		m->detail_top = m->detail_top > 10 ? m->detail_top - 10 : 0;
		return RD_FRAME;
	case A_PGDN:
		m->detail_top += 10;
		return RD_FRAME;
	case A_HOME:
		m->detail_top = 0;
		return RD_FRAME;
	case A_DETAIL:
		return RD_NONE;
	default:
		return RD_UNHANDLED;
	}
}

const struct tui_view view_detail = {
	.name = "detail",
	.draw = detail_draw,
	.key = detail_key,
	.status = detail_status,
};
