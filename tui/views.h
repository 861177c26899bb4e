/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A view draws into the WINDOW it is given (never stdscr), so a test can
 * render it off-screen, and gets the actions the key table produced before
 * the global ones do.
 */
#ifndef XGOTOP_TUI_VIEWS_H
#define XGOTOP_TUI_VIEWS_H

#include <curses.h>

#include "keys.h"
#include "model.h"

struct tui_view {
	const char *name; /* in the status line and the tests */
	void (*draw)(WINDOW *w, struct tui_model *m);
	/* enum tui_redraw flags; RD_UNHANDLED to let the global actions have it. */
	int (*key)(struct tui_model *m, enum tui_action a);
	/* Status line text when no prompt or message takes it (may be NULL). */
	void (*status)(WINDOW *w, int y, struct tui_model *m);
	/* Its own key again while it is up (may be NULL: back to the list). */
	int (*again)(struct tui_model *m);
};

/*
 * The registry (tui/views.c): one row per view, at its id. KEY is its own
 * key (none: reached otherwise), with its help line and key-bar label; the
 * key table lists it in the help's Views section. Tab goes through the list
 * and the views with a key of their own, in this order.
 */
struct tui_view_row {
	const struct tui_view *view;
	struct tui_keydef key;
};

extern const struct tui_view_row tui_views[TUI_V_N];

extern const struct tui_view view_list;
extern const struct tui_view view_group;
extern const struct tui_view view_lifetime;
extern const struct tui_view view_alloc;
extern const struct tui_view view_gc;
extern const struct tui_view view_meters;
extern const struct tui_view view_detail;
extern const struct tui_view view_stacks;

struct stk_frame;
/* One frame, "func  file:line", at (Y, X) to the window's edge (view_stacks.c). */
void view_stacks__frame(WINDOW *w, int y, int x, struct tui_model *m, const struct stk_frame *f);
extern const struct tui_view view_help;

const struct tui_view *views__get(enum tui_view_id id);
/* Key D of a view's row (act A_VIEW) pressed: switch to that view. enum tui_redraw flags. */
int views__show(struct tui_model *m, const struct tui_keydef *d);
/* Tab: the next view with a key of its own. */
int views__next(struct tui_model *m);

/* The whole screen into W: header, meters, the current view, status line, key bar. */
void frame__draw(WINDOW *w, struct tui_model *m);
/* Rows the header and meters take at WIDTH (the view gets what is left). */
int frame__top_rows(const struct tui_model *m, int width);
/* One key from the terminal: prompt editing, then the key table. enum tui_redraw flags. */
int tui__key(struct tui_model *m, int ch);
#endif /* XGOTOP_TUI_VIEWS_H */
