// SPDX-License-Identifier: BSD-2-Clause
/* Help: generated from the key table, then the glyph and mark legends. Scrolls. */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "keys.h"
#include "views.h"
#include "xgotop_event.h"

static const unsigned int legend[] = {XG_G_RUNNING,   XG_G_RUNNABLE,  XG_G_SYSCALL, XG_G_WAITING,
				      XG_G_PREEMPTED, XG_G_COPYSTACK, XG_G_IDLE};

/* One legend row: a glyph in its color, then what it means; skipped off screen. */
static void legend_row(WINDOW *w, int y, struct tui_model *m, enum tui_role role,
		       const wchar_t *glyph, const char *text)
{
	if (y < 0 || y >= getmaxy(w))
		return;
	d_glyph(w, y, 2, ROLE(m, role), glyph);
	d_str(w, y, 4, getmaxx(w) - 4, ROLE(m, COLOR_DEFAULT), text);
}

/* The timeline glyphs, in docs/UI.md's order; returns the next line. */
static int help_glyphs(WINDOW *w, int y, struct tui_model *m)
{
	const struct tui_glyphs *g = m->theme->g;
	size_t i;

	for (i = 0; i < sizeof(legend) / sizeof(legend[0]); i++, y++) {
		legend_row(w, y, m, theme__state_role(legend[i], false),
			   theme__state_glyph(m->theme, legend[i], false),
			   theme__state_name(legend[i], false, false));
		/* draw.c's off-CPU cell: running, in running's color. */
		if (legend[i] == XG_G_RUNNING)
			legend_row(w, ++y, m, theme__state_role(legend[i], false), g->offcpu,
				   "running, but its thread mostly off the CPU (preempted, "
				   "throttled, blocked)");
	}
	legend_row(w, y++, m, COLOR_STATE_EXITED, g->exit, "exited in that cell");
	legend_row(w, y++, m, COLOR_DEFAULT, g->mixed,
		   "several states in one cell (colored by the longest)");
	legend_row(w, y++, m, COLOR_STATE_UNKNOWN, g->unknown,
		   "alive, but its kept history does not reach that far back");
	return y;
}

static void help_draw(WINDOW *w, struct tui_model *m)
{
	int width = getmaxx(w), h = getmaxy(w), y = -m->help_top, line = 0;
	char buf[256];
	const char *s;

	for (line = 0; (s = keys__help_line((size_t)line, m->replay, buf, sizeof(buf)));
	     line++, y++) {
		bool title = s[0] && s[0] != ' ';

		if (y < 0 || y >= h)
			continue;
		d_str(w, y, 0, width, ROLE(m, title ? COLOR_TITLE : COLOR_DEFAULT), s);
		/* Keys stand out from their descriptions. */
		if (!title && s[0] && strlen(s) > 17)
			d_str(w, y, 2, 14, ROLE(m, COLOR_KEY), s + 2);
	}
	if (y >= 0 && y < h)
		d_str(w, y, 0, width, ROLE(m, COLOR_DEFAULT), "");
	y++;
	if (y >= 0 && y < h)
		d_str(w, y, 0, width, ROLE(m, COLOR_TITLE), "Timeline glyphs (also in monochrome)");
	y = help_glyphs(w, y + 1, m) + 1;
	if (y >= 0 && y < h)
		d_str(w, y, 0, width, ROLE(m, COLOR_TITLE), "Marks (list and stack groups)");
	y++;
	if (y >= 0 && y < h) {
		d_str(w, y, 2, 1, ROLE(m, COLOR_METER_BAD), "!");
		d_str(w, y, 4, width - 4, ROLE(m, COLOR_DEFAULT),
		      "leak suspect: its group grows every sweep, or it waits > --leak-wait "
		      "(/leak)");
	}
	y++;
	m->page = h;
	/* Total lines, for the scroll limit. */
	if (m->help_top > 0 && y < h)
		m->help_top -= h - y < m->help_top ? h - y : m->help_top;
}

static void help_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM), "Up/Down/PgUp/PgDn scroll   Esc: back");
}

static int help_key(struct tui_model *m, enum tui_action a)
{
	int page = m->page > 2 ? m->page - 2 : 10;

	switch (a) {
	case A_UP:
		if (m->help_top)
			m->help_top--;
		return RD_FRAME;
	case A_DOWN:
		m->help_top++;
		return RD_FRAME;
	case A_PGUP:
		m->help_top = m->help_top > page ? m->help_top - page : 0;
		return RD_FRAME;
	case A_PGDN:
		m->help_top += page;
		return RD_FRAME;
	case A_HOME:
		m->help_top = 0;
		return RD_FRAME;
	case A_HELP:
		m->view = m->prev_view;
		return RD_FRAME;
	default:
		return RD_UNHANDLED;
	}
}

const struct tui_view view_help = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.status = help_status,
};
