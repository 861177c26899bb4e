/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Drawing helpers shared by the views: clipped text, glyphs, bars,
 * sparklines, graphs and the state timeline of one goroutine. Everything
 * draws into the WINDOW it is given.
 */
#ifndef XGOTOP_TUI_DRAW_H
#define XGOTOP_TUI_DRAW_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include <curses.h>

#include "gtable.h"
#include "model.h"
#include "theme.h"

static inline attr_t ROLE(const struct tui_model *m, enum tui_role r)
{
	return m->theme->attr[r];
}

/* Text at (Y, X), at most MAXW columns and never past the window's edge; columns written. */
int d_str(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s);
int d_printf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Right-aligned in [X, X + WIDTH). */
int d_rstr(WINDOW *w, int y, int x, int width, attr_t a, const char *s);
/* A name cut at its start, with an ellipsis, to fit WIDTH. */
int d_tail(WINDOW *w, int y, int x, int width, attr_t a, const char *s, const wchar_t *ellipsis);
/* Text cut at its end, with an ellipsis, to fit WIDTH. */
int d_head(WINDOW *w, int y, int x, int width, attr_t a, const char *s, const wchar_t *ellipsis);
/* S wrapped at spaces into lines of WIDTH from (Y, X), at most MAXLINES; lines used. */
int d_wrap(WINDOW *w, int y, int x, int width, int maxlines, attr_t a, const char *s);
/* One glyph (one column). */
void d_glyph(WINDOW *w, int y, int x, attr_t a, const wchar_t *g);
/* N copies of G. */
void d_repeat(WINDOW *w, int y, int x, int n, attr_t a, const wchar_t *g);
/* Spaces over [X, X + N) in A (a background for header bars). */
void d_fill(WINDOW *w, int y, int x, int n, attr_t a);
/* A bar of FRAC (0..1) of WIDTH cells with partial cells where the glyphs allow. */
int d_bar(WINDOW *w, int y, int x, int width, double frac, attr_t a, const struct tui_glyphs *g);
/* Sparkline of VALS (oldest first, N of them; < 0 = unknown) in WIDTH cells, scaled to MAX. */
void d_spark(WINDOW *w, int y, int x, int width, const double *vals, int n, double max, attr_t a,
	     const struct tui_glyphs *g);
/* Area graph, H rows by WIDTH cells, of VALS (oldest first); braille when the glyphs have it. */
void d_graph(WINDOW *w, int y, int x, int h, int width, const double *vals, int n, double max,
	     attr_t a, const struct tui_glyphs *g);

/*
 * E's state timeline in CELLS cells from T0, SCALE ns each, from its tracked
 * history. Cell colors and glyphs: the state that dominated the cell, the
 * mixed glyph when several shared it, the unknown glyph where the history
 * does not reach, blank before its creation and after its exit. CURSOR: the
 * time cursor's column, highlighted if HILITE; its cell lands in *CUR (may
 * be NULL).
 */
void d_strip(WINDOW *w, int y, int x, int cells, struct tui_model *m, const struct gentry *e,
	     uint64_t t0, uint64_t scale, int cursor, bool hilite, struct tui_cell *cur);

/* Time per state of spans V[0..N) (history ending at END) in [C0, C0 + SCALE). */
bool d_cell_states(const struct gstate_span *v, uint32_t n, uint64_t end, uint64_t c0,
		   uint64_t scale, uint64_t ns[GT_NSTATES]);

#endif /* XGOTOP_TUI_DRAW_H */
