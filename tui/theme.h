/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Colors by role, one scheme per terminal capability (256, 16, 8, mono),
 * and glyphs by locale (UTF-8 blocks and braille, the Linux console's
 * narrower font, ASCII). Every state differs by glyph as well as by color,
 * so that monochrome and NO_COLOR lose nothing.
 */
#ifndef XGOTOP_TUI_THEME_H
#define XGOTOP_TUI_THEME_H

#include <stdbool.h>
#include <wchar.h>

#include <curses.h>

#include "gtable.h"

enum tui_role {
	COLOR_DEFAULT,
	COLOR_DIM,
	COLOR_BOLD,
	COLOR_HEADER_TITLE,
	COLOR_MODE_LIVE,
	COLOR_MODE_PAUSED,
	COLOR_MODE_REPLAY,
	COLOR_MODE_EXITED,
	COLOR_COLUMN_HEADER,
	COLOR_COLUMN_SORTED,
	COLOR_SELECTED,
	COLOR_STATE_RUNNING,
	COLOR_STATE_RUNNABLE,
	COLOR_STATE_SYSCALL,
	COLOR_STATE_WAITING,
	COLOR_STATE_PREEMPTED,
	COLOR_STATE_COPYSTACK,
	COLOR_STATE_IDLE,
	COLOR_STATE_EXITED,
	COLOR_STATE_UNKNOWN,
	COLOR_METER_LABEL,
	COLOR_METER_OK,
	COLOR_METER_WARN,
	COLOR_METER_BAD,
	COLOR_METER_NA,
	COLOR_SPARK,
	COLOR_AXIS,
	COLOR_CURSOR,
	COLOR_KEY,
	COLOR_KEY_LABEL,
	COLOR_PROMPT,
	COLOR_ERROR,
	COLOR_TITLE,
	COLOR_GC,
	COLOR_BAR,
	COLOR_ROLES,
};

enum tui_scheme { TUI_SCHEME_MONO, TUI_SCHEME_8, TUI_SCHEME_16, TUI_SCHEME_256 };
enum tui_glyphset { TUI_GLYPHS_ASCII, TUI_GLYPHS_CONSOLE, TUI_GLYPHS_UTF8 };

struct tui_glyphs {
	const wchar_t *state[GT_NSTATES]; /* timeline cell dominated by that state */
	const wchar_t *mixed;		  /* several states in one cell */
	const wchar_t *offcpu;		  /* running, its thread mostly off the CPU */
	const wchar_t *unknown;		  /* alive, but no history that far back */
	const wchar_t *exit;		  /* the cell where it exited */
	const wchar_t *spark[9];	  /* 0/8 .. 8/8 */
	int spark_levels;		  /* entries of spark used, >= 2 */
	const wchar_t *bar_full;
	const wchar_t *bar_part[8]; /* 0/8 .. 7/8 of a cell; NULL: none */
	const wchar_t *bar_alt;	    /* second series of a stacked bar */
	const wchar_t *vsep;
	const wchar_t *cursor;	  /* above the time cursor's column */
	const wchar_t *up, *down; /* sort direction */
	const wchar_t *ellipsis;
	const wchar_t *arrow; /* parent chain */
	bool braille;	      /* graphs with 2x4 dots per cell */
};

struct tui_theme {
	enum tui_scheme scheme;
	enum tui_glyphset glyphset;
	const struct tui_glyphs *g;
	attr_t attr[COLOR_ROLES]; /* attributes with the color pair folded in */
};

/*
 * Pick the scheme: NO_COLOR (non-empty) or FORCE "mono" -> mono; else FORCE
 * ("256", "16", "8") or what the terminal has. Needs a curses screen for
 * anything but mono; calls start_color and defines the pairs.
 */
enum tui_scheme theme__detect(const char *force);
/* ASCII when asked or the locale is not UTF-8; the console set on TERM=linux. */
enum tui_glyphset theme__detect_glyphs(bool ascii, const char *term);
/* Fill T. For color schemes the pairs must have been defined (theme__init_pairs). */
void theme__init(struct tui_theme *t, enum tui_scheme s, enum tui_glyphset g);
/* init_pair for every role of scheme S; 0, or -1 without enough pairs. */
int theme__init_pairs(enum tui_scheme s);

/* The role of a Go state for cells and names. */
enum tui_role theme__state_role(unsigned int state, bool exited);
/* The timeline glyph of a state. */
const wchar_t *theme__state_glyph(const struct tui_theme *t, unsigned int state, bool exited);
/* "running", ... "exited"; SHORT: at most 4 characters. */
const char *theme__state_name(unsigned int state, bool exited, bool short_name);

/* Scheme table access for tests: mono attributes without a screen. */
attr_t theme__mono_attr(enum tui_role r);
const struct tui_glyphs *theme__glyphs(enum tui_glyphset g);
const char *theme__scheme_name(enum tui_scheme s);

#endif /* XGOTOP_TUI_THEME_H */
