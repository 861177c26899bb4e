/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every key maps to an action in one table; the help screen and the key bar
 * are generated from it, so they cannot drift from what the keys do. The
 * keys that switch views are the views' own (their rows in tui/views.c):
 * the table says where they go, keys__next walks both.
 */
#ifndef XGOTOP_TUI_KEYS_H
#define XGOTOP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum tui_action {
	A_NONE,
	A_QUIT,
	A_HELP,
	A_BACK,
	A_REDRAW,
	A_PAUSE,
	A_SAVE,
	A_SAMPLE,
	A_UP,
	A_DOWN,
	A_PGUP,
	A_PGDN,
	A_HOME,
	A_END,
	A_DETAIL,
	A_VIEW, /* a view's own key: switch to it (views__show) */
	A_NEXT_VIEW,
	A_FILTER,
	A_SORT_NEXT,
	A_SORT_PREV,
	A_SORT_REVERSE,
	A_EXITED,
	A_ZOOM_IN,
	A_ZOOM_OUT,
	A_PAN_LEFT,
	A_PAN_RIGHT,
	A_CURSOR_LEFT,
	A_CURSOR_RIGHT,
	A_LIVE,
	A_PLAY_FASTER,
	A_PLAY_SLOWER,
	A_STEP_FWD,
	A_STEP_BACK,
	A_SEEK_START,
	A_SEEK_END,
	A__N,
};

/* What an action asks to be redrawn. */
enum tui_redraw {
	RD_NONE = 0,
	RD_FRAME = 1 << 0, /* draw the frame again */
	RD_CLEAR = 1 << 1, /* the terminal may be garbled: repaint every cell */
	RD_QUIT = 1 << 2,
	RD_UNHANDLED = 1 << 3, /* a view's key(): not mine, try the global actions */
};

#define TUI_KEYS_MAX 4

struct tui_keydef {
	const char *section;
	int keys[TUI_KEYS_MAX]; /* curses key codes; 0 ends the list */
	enum tui_action act;
	const char *help;
	const char *bar; /* label in the key bar, NULL: not there */
	int bar_pos;	 /* its place there, from 1; the bar drops the highest first */
	bool replay;	 /* only when the source is a recording */
};

/* A walk over the key entries: zeroed, then keys__next(&it) until it returns NULL. */
struct keys_iter {
	size_t row;  /* in the key table */
	size_t view; /* in the views' rows, at the table's A_VIEW row */
};

/* Every key entry in the help's order, the views' keys in their section; NULL after the last. */
const struct tui_keydef *keys__next(struct keys_iter *it);
/* The entry for key CH (replay-only keys only when REPLAY), or NULL. */
const struct tui_keydef *keys__lookup(int ch, bool replay);
/* How the help names key CH: "q", "F10", "Up", "^L", "Space". */
const char *keys__name(int ch, char *buf, size_t len);
/* All the names of D's keys, separated by spaces: "Up k". */
const char *keys__names(const struct tui_keydef *d, char *buf, size_t len);

/* Help text, one line per call: I from 0 until it returns NULL. */
const char *keys__help_line(size_t i, bool replay, char *buf, size_t len);

#endif /* XGOTOP_TUI_KEYS_H */
