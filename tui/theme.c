// SPDX-License-Identifier: BSD-2-Clause
#include "theme.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xgotop_event.h"

struct role_style {
	short fg, bg; /* -1: the terminal's default */
	attr_t attr;
};

/* Monochrome: attributes only; the states differ by glyph (and name). */
static const struct role_style mono[COLOR_ROLES] = {
	[COLOR_DEFAULT] = {-1, -1, A_NORMAL},
	[COLOR_DIM] = {-1, -1, A_DIM},
	[COLOR_BOLD] = {-1, -1, A_BOLD},
	[COLOR_HEADER_TITLE] = {-1, -1, A_BOLD},
	[COLOR_MODE_LIVE] = {-1, -1, A_BOLD},
	[COLOR_MODE_PAUSED] = {-1, -1, A_REVERSE | A_BOLD},
	[COLOR_MODE_REPLAY] = {-1, -1, A_BOLD | A_UNDERLINE},
	[COLOR_MODE_EXITED] = {-1, -1, A_REVERSE},
	[COLOR_COLUMN_HEADER] = {-1, -1, A_REVERSE},
	[COLOR_COLUMN_SORTED] = {-1, -1, A_REVERSE | A_BOLD | A_UNDERLINE},
	[COLOR_SELECTED] = {-1, -1, A_REVERSE},
	[COLOR_STATE_RUNNING] = {-1, -1, A_BOLD},
	[COLOR_STATE_RUNNABLE] = {-1, -1, A_NORMAL},
	[COLOR_STATE_SYSCALL] = {-1, -1, A_UNDERLINE},
	[COLOR_STATE_WAITING] = {-1, -1, A_NORMAL},
	[COLOR_STATE_PREEMPTED] = {-1, -1, A_NORMAL},
	[COLOR_STATE_COPYSTACK] = {-1, -1, A_NORMAL},
	[COLOR_STATE_IDLE] = {-1, -1, A_DIM},
	[COLOR_STATE_EXITED] = {-1, -1, A_DIM},
	[COLOR_STATE_UNKNOWN] = {-1, -1, A_DIM},
	[COLOR_METER_LABEL] = {-1, -1, A_NORMAL},
	[COLOR_METER_OK] = {-1, -1, A_NORMAL},
	[COLOR_METER_WARN] = {-1, -1, A_BOLD},
	[COLOR_METER_BAD] = {-1, -1, A_REVERSE | A_BOLD},
	[COLOR_METER_NA] = {-1, -1, A_DIM},
	[COLOR_SPARK] = {-1, -1, A_NORMAL},
	[COLOR_AXIS] = {-1, -1, A_NORMAL},
	[COLOR_CURSOR] = {-1, -1, A_REVERSE},
	[COLOR_KEY] = {-1, -1, A_BOLD},
	[COLOR_KEY_LABEL] = {-1, -1, A_REVERSE},
	[COLOR_PROMPT] = {-1, -1, A_BOLD},
	[COLOR_ERROR] = {-1, -1, A_BOLD | A_REVERSE},
	[COLOR_TITLE] = {-1, -1, A_BOLD | A_UNDERLINE},
	[COLOR_GC] = {-1, -1, A_BOLD},
	[COLOR_BAR] = {-1, -1, A_NORMAL},
};

/* 8 colors (TERM=linux, old xterms): bold for the bright ones. */
static const struct role_style c8[COLOR_ROLES] = {
	[COLOR_DEFAULT] = {-1, -1, A_NORMAL},
	[COLOR_DIM] = {-1, -1, A_DIM},
	[COLOR_BOLD] = {-1, -1, A_BOLD},
	[COLOR_HEADER_TITLE] = {COLOR_CYAN, -1, A_BOLD},
	[COLOR_MODE_LIVE] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL},
	[COLOR_MODE_PAUSED] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
	[COLOR_MODE_REPLAY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
	[COLOR_MODE_EXITED] = {COLOR_WHITE, COLOR_RED, A_BOLD},
	[COLOR_COLUMN_HEADER] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL},
	[COLOR_COLUMN_SORTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
	[COLOR_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
	[COLOR_STATE_RUNNING] = {COLOR_GREEN, -1, A_BOLD},
	[COLOR_STATE_RUNNABLE] = {COLOR_YELLOW, -1, A_BOLD},
	[COLOR_STATE_SYSCALL] = {COLOR_MAGENTA, -1, A_BOLD},
	[COLOR_STATE_WAITING] = {COLOR_BLUE, -1, A_BOLD},
	[COLOR_STATE_PREEMPTED] = {COLOR_YELLOW, -1, A_NORMAL},
	[COLOR_STATE_COPYSTACK] = {COLOR_CYAN, -1, A_NORMAL},
	[COLOR_STATE_IDLE] = {-1, -1, A_DIM},
	[COLOR_STATE_EXITED] = {-1, -1, A_DIM},
	[COLOR_STATE_UNKNOWN] = {-1, -1, A_DIM},
	[COLOR_METER_LABEL] = {COLOR_CYAN, -1, A_NORMAL},
	[COLOR_METER_OK] = {-1, -1, A_BOLD},
	[COLOR_METER_WARN] = {COLOR_YELLOW, -1, A_BOLD},
	[COLOR_METER_BAD] = {COLOR_WHITE, COLOR_RED, A_BOLD},
	[COLOR_METER_NA] = {-1, -1, A_DIM},
	[COLOR_SPARK] = {COLOR_CYAN, -1, A_NORMAL},
	[COLOR_AXIS] = {COLOR_CYAN, -1, A_NORMAL},
	[COLOR_CURSOR] = {-1, -1, A_REVERSE},
	[COLOR_KEY] = {-1, -1, A_BOLD},
	[COLOR_KEY_LABEL] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
	[COLOR_PROMPT] = {COLOR_YELLOW, -1, A_BOLD},
	[COLOR_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD},
	[COLOR_TITLE] = {COLOR_CYAN, -1, A_BOLD},
	[COLOR_GC] = {COLOR_RED, -1, A_BOLD},
	[COLOR_BAR] = {COLOR_CYAN, -1, A_NORMAL},
};

/* 16 colors: the bright half instead of bold. */
static const struct role_style c16[COLOR_ROLES] = {
	[COLOR_DEFAULT] = {-1, -1, A_NORMAL},
	[COLOR_DIM] = {8, -1, A_NORMAL},
	[COLOR_BOLD] = {-1, -1, A_BOLD},
	[COLOR_HEADER_TITLE] = {14, -1, A_BOLD},
	[COLOR_MODE_LIVE] = {0, 10, A_NORMAL},
	[COLOR_MODE_PAUSED] = {0, 11, A_NORMAL},
	[COLOR_MODE_REPLAY] = {0, 14, A_NORMAL},
	[COLOR_MODE_EXITED] = {15, 9, A_BOLD},
	[COLOR_COLUMN_HEADER] = {0, 2, A_NORMAL},
	[COLOR_COLUMN_SORTED] = {0, 6, A_NORMAL},
	[COLOR_SELECTED] = {0, 6, A_NORMAL},
	[COLOR_STATE_RUNNING] = {10, -1, A_NORMAL},
	[COLOR_STATE_RUNNABLE] = {11, -1, A_NORMAL},
	[COLOR_STATE_SYSCALL] = {13, -1, A_NORMAL},
	[COLOR_STATE_WAITING] = {12, -1, A_NORMAL},
	[COLOR_STATE_PREEMPTED] = {3, -1, A_NORMAL},
	[COLOR_STATE_COPYSTACK] = {14, -1, A_NORMAL},
	[COLOR_STATE_IDLE] = {8, -1, A_NORMAL},
	[COLOR_STATE_EXITED] = {8, -1, A_NORMAL},
	[COLOR_STATE_UNKNOWN] = {8, -1, A_NORMAL},
	[COLOR_METER_LABEL] = {6, -1, A_NORMAL},
	[COLOR_METER_OK] = {15, -1, A_NORMAL},
	[COLOR_METER_WARN] = {11, -1, A_BOLD},
	[COLOR_METER_BAD] = {15, 1, A_BOLD},
	[COLOR_METER_NA] = {8, -1, A_NORMAL},
	[COLOR_SPARK] = {6, -1, A_NORMAL},
	[COLOR_AXIS] = {6, -1, A_NORMAL},
	[COLOR_CURSOR] = {-1, -1, A_REVERSE},
	[COLOR_KEY] = {15, -1, A_BOLD},
	[COLOR_KEY_LABEL] = {0, 6, A_NORMAL},
	[COLOR_PROMPT] = {11, -1, A_BOLD},
	[COLOR_ERROR] = {15, 1, A_BOLD},
	[COLOR_TITLE] = {14, -1, A_BOLD},
	[COLOR_GC] = {9, -1, A_BOLD},
	[COLOR_BAR] = {6, -1, A_NORMAL},
};

/* 256 colors: calmer tones; waiting, the common state, recedes. */
static const struct role_style c256[COLOR_ROLES] = {
	[COLOR_DEFAULT] = {-1, -1, A_NORMAL},
	[COLOR_DIM] = {244, -1, A_NORMAL},
	[COLOR_BOLD] = {-1, -1, A_BOLD},
	[COLOR_HEADER_TITLE] = {81, -1, A_BOLD},
	[COLOR_MODE_LIVE] = {16, 78, A_BOLD},
	[COLOR_MODE_PAUSED] = {16, 220, A_BOLD},
	[COLOR_MODE_REPLAY] = {16, 117, A_BOLD},
	[COLOR_MODE_EXITED] = {231, 160, A_BOLD},
	[COLOR_COLUMN_HEADER] = {16, 71, A_NORMAL},
	[COLOR_COLUMN_SORTED] = {16, 73, A_BOLD},
	[COLOR_SELECTED] = {16, 80, A_NORMAL},
	[COLOR_STATE_RUNNING] = {77, -1, A_NORMAL},
	[COLOR_STATE_RUNNABLE] = {221, -1, A_NORMAL},
	[COLOR_STATE_SYSCALL] = {170, -1, A_NORMAL},
	[COLOR_STATE_WAITING] = {68, -1, A_NORMAL},
	[COLOR_STATE_PREEMPTED] = {208, -1, A_NORMAL},
	[COLOR_STATE_COPYSTACK] = {87, -1, A_NORMAL},
	[COLOR_STATE_IDLE] = {242, -1, A_NORMAL},
	[COLOR_STATE_EXITED] = {242, -1, A_NORMAL},
	[COLOR_STATE_UNKNOWN] = {238, -1, A_NORMAL},
	[COLOR_METER_LABEL] = {110, -1, A_NORMAL},
	[COLOR_METER_OK] = {254, -1, A_NORMAL},
	[COLOR_METER_WARN] = {214, -1, A_BOLD},
	[COLOR_METER_BAD] = {231, 160, A_BOLD},
	[COLOR_METER_NA] = {243, -1, A_NORMAL},
	[COLOR_SPARK] = {74, -1, A_NORMAL},
	[COLOR_AXIS] = {109, -1, A_NORMAL},
	[COLOR_CURSOR] = {-1, -1, A_REVERSE},
	[COLOR_KEY] = {231, -1, A_BOLD},
	[COLOR_KEY_LABEL] = {16, 80, A_NORMAL},
	[COLOR_PROMPT] = {220, -1, A_BOLD},
	[COLOR_ERROR] = {231, 160, A_BOLD},
	[COLOR_TITLE] = {81, -1, A_BOLD},
	[COLOR_GC] = {203, -1, A_BOLD},
	[COLOR_BAR] = {74, -1, A_NORMAL},
};

static const struct role_style *scheme_table(enum tui_scheme s)
{
	switch (s) {
	case TUI_SCHEME_256:
		return c256;
	case TUI_SCHEME_16:
		return c16;
	case TUI_SCHEME_8:
		return c8;
	case TUI_SCHEME_MONO:
		break;
	}
	return mono;
}

/*
 * Glyphs. The console set keeps to what the Linux console's default fonts
 * carry (Latin-1, box drawing, CP437's blocks): no braille, no eighth blocks.
 */
static const struct tui_glyphs utf8 = {
	.state =
		{
			[XG_G_IDLE] = L"○",
			[XG_G_RUNNABLE] = L"▒",
			[XG_G_RUNNING] = L"█",
			[XG_G_SYSCALL] = L"≡",
			[XG_G_WAITING] = L"─",
			[XG_G_MORIBUND] = L"?",
			[XG_G_DEAD] = L" ",
			[XG_G_ENQUEUE] = L"?",
			[XG_G_COPYSTACK] = L"≈",
			[XG_G_PREEMPTED] = L"░",
			[XG_G_LEAKED] = L"!",
			[XG_G_DEADEXTRA] = L" ",
		},
	.mixed = L"┼",
	.offcpu = L"▓",
	.unknown = L"·",
	.exit = L"×",
	.spark = {L" ", L"▁", L"▂", L"▃", L"▄", L"▅", L"▆", L"▇", L"█"},
	.spark_levels = 9,
	.bar_full = L"█",
	.bar_part = {NULL, L"▏", L"▎", L"▍", L"▌", L"▋", L"▊", L"▉"},
	.bar_alt = L"▒",
	.vsep = L"│",
	.cursor = L"▼",
	.up = L"▲",
	.down = L"▼",
	.ellipsis = L"…",
	.arrow = L"←",
	.braille = true,
};

static const struct tui_glyphs console = {
	.state =
		{
			[XG_G_IDLE] = L"○",
			[XG_G_RUNNABLE] = L"▒",
			[XG_G_RUNNING] = L"█",
			[XG_G_SYSCALL] = L"≡",
			[XG_G_WAITING] = L"─",
			[XG_G_MORIBUND] = L"?",
			[XG_G_DEAD] = L" ",
			[XG_G_ENQUEUE] = L"?",
			[XG_G_COPYSTACK] = L"≈",
			[XG_G_PREEMPTED] = L"░",
			[XG_G_LEAKED] = L"!",
			[XG_G_DEADEXTRA] = L" ",
		},
	.mixed = L"┼",
	.offcpu = L"▓",
	.unknown = L"·",
	.exit = L"×",
	.spark = {L" ", L"_", L"▄", L"█"},
	.spark_levels = 4,
	.bar_full = L"█",
	.bar_part = {NULL, NULL, NULL, NULL, L"▌", L"▌", L"▌", L"▌"},
	.bar_alt = L"▒",
	.vsep = L"│",
	.cursor = L"▼",
	.up = L"▲",
	.down = L"▼",
	.ellipsis = L"…",
	.arrow = L"←",
	.braille = false,
};

static const struct tui_glyphs ascii = {
	.state =
		{
			[XG_G_IDLE] = L"o",
			[XG_G_RUNNABLE] = L"+",
			[XG_G_RUNNING] = L"#",
			[XG_G_SYSCALL] = L"%",
			[XG_G_WAITING] = L"-",
			[XG_G_MORIBUND] = L"?",
			[XG_G_DEAD] = L" ",
			[XG_G_ENQUEUE] = L"?",
			[XG_G_COPYSTACK] = L"~",
			[XG_G_PREEMPTED] = L":",
			[XG_G_LEAKED] = L"!",
			[XG_G_DEADEXTRA] = L" ",
		},
	.mixed = L"*",
	.offcpu = L"&",
	.unknown = L".",
	.exit = L"x",
	.spark = {L" ", L"_", L".", L"-", L"=", L"#"},
	.spark_levels = 6,
	.bar_full = L"#",
	.bar_part = {NULL},
	.bar_alt = L"=",
	.vsep = L"|",
	.cursor = L"v",
	.up = L"^",
	.down = L"v",
	.ellipsis = L"~",
	.arrow = L"<-",
	.braille = false,
};

const struct tui_glyphs *theme__glyphs(enum tui_glyphset g)
{
	switch (g) {
	case TUI_GLYPHS_UTF8:
		return &utf8;
	case TUI_GLYPHS_CONSOLE:
		return &console;
	case TUI_GLYPHS_ASCII:
		break;
	}
	return &ascii;
}

const char *theme__scheme_name(enum tui_scheme s)
{
	static const char *const names[] = {"mono", "8", "16", "256"};

	return names[s];
}

enum tui_scheme theme__detect(const char *force)
{
	const char *nc = getenv("NO_COLOR");

	if ((nc && *nc) || (force && !strcmp(force, "mono")))
		return TUI_SCHEME_MONO;
	if (!has_colors())
		return TUI_SCHEME_MONO;
	if (force && !strcmp(force, "8"))
		return TUI_SCHEME_8;
	if (force && !strcmp(force, "16"))
		return COLORS >= 16 ? TUI_SCHEME_16 : TUI_SCHEME_8;
	if (force && !strcmp(force, "256"))
		return COLORS >= 256 ? TUI_SCHEME_256 : COLORS >= 16 ? TUI_SCHEME_16 : TUI_SCHEME_8;
	if (COLORS >= 256)
		return TUI_SCHEME_256;
	if (COLORS >= 16)
		return TUI_SCHEME_16;
	return TUI_SCHEME_8;
}

enum tui_glyphset theme__detect_glyphs(bool force_ascii, const char *term)
{
	const char *cs = nl_langinfo(CODESET);

	if (force_ascii || !cs || strcasecmp(cs, "UTF-8"))
		return TUI_GLYPHS_ASCII;
	if (term && !strncmp(term, "linux", 5))
		return TUI_GLYPHS_CONSOLE;
	return TUI_GLYPHS_UTF8;
}

int theme__init_pairs(enum tui_scheme s)
{
	const struct role_style *tab = scheme_table(s);
	int r;

	if (s == TUI_SCHEME_MONO)
		return 0;
	if (COLOR_PAIRS <= COLOR_ROLES)
		return -1;
	/* -1 for the terminal's own colors where it has them. */
	if (use_default_colors() == ERR)
		assume_default_colors(COLOR_WHITE, COLOR_BLACK);
	for (r = 0; r < COLOR_ROLES; r++)
		init_pair((short)(r + 1), tab[r].fg, tab[r].bg);
	return 0;
}

void theme__init(struct tui_theme *t, enum tui_scheme s, enum tui_glyphset g)
{
	const struct role_style *tab = scheme_table(s);
	int r;

	t->scheme = s;
	t->glyphset = g;
	t->g = theme__glyphs(g);
	for (r = 0; r < COLOR_ROLES; r++) {
		t->attr[r] = tab[r].attr;
		if (s != TUI_SCHEME_MONO && (tab[r].fg >= 0 || tab[r].bg >= 0))
			t->attr[r] |= COLOR_PAIR(r + 1);
	}
}

attr_t theme__mono_attr(enum tui_role r)
{
	return mono[r].attr;
}

enum tui_role theme__state_role(unsigned int state, bool exited)
{
	if (exited)
		return COLOR_STATE_EXITED;
	switch (state) {
	case XG_G_RUNNING:
		return COLOR_STATE_RUNNING;
	case XG_G_RUNNABLE:
		return COLOR_STATE_RUNNABLE;
	case XG_G_SYSCALL:
		return COLOR_STATE_SYSCALL;
	case XG_G_WAITING:
		return COLOR_STATE_WAITING;
	case XG_G_PREEMPTED:
		return COLOR_STATE_PREEMPTED;
	case XG_G_COPYSTACK:
		return COLOR_STATE_COPYSTACK;
	case XG_G_IDLE:
		return COLOR_STATE_IDLE;
	case XG_G_DEAD:
		return COLOR_STATE_EXITED;
	default:
		return COLOR_STATE_UNKNOWN;
	}
}

const wchar_t *theme__state_glyph(const struct tui_theme *t, unsigned int state, bool exited)
{
	if (exited)
		return t->g->exit;
	if (state >= GT_NSTATES)
		return t->g->unknown;
	return t->g->state[state];
}

const char *theme__state_name(unsigned int state, bool exited, bool short_name)
{
	static const char *const shortn[GT_NSTATES] = {
		[XG_G_IDLE] = "idle",	   [XG_G_RUNNABLE] = "rnbl", [XG_G_RUNNING] = "run",
		[XG_G_SYSCALL] = "sysc",   [XG_G_WAITING] = "wait",  [XG_G_MORIBUND] = "mori",
		[XG_G_DEAD] = "exit",	   [XG_G_ENQUEUE] = "enq",   [XG_G_COPYSTACK] = "stck",
		[XG_G_PREEMPTED] = "prmt", [XG_G_LEAKED] = "leak",   [XG_G_DEADEXTRA] = "dead",
	};
	static const char *const longn[GT_NSTATES] = {
		[XG_G_IDLE] = "idle",		[XG_G_RUNNABLE] = "runnable",
		[XG_G_RUNNING] = "running",	[XG_G_SYSCALL] = "syscall",
		[XG_G_WAITING] = "waiting",	[XG_G_MORIBUND] = "moribund",
		[XG_G_DEAD] = "exited",		[XG_G_ENQUEUE] = "enqueue",
		[XG_G_COPYSTACK] = "copystack", [XG_G_PREEMPTED] = "preempted",
		[XG_G_LEAKED] = "leaked",	[XG_G_DEADEXTRA] = "dead",
	};

	if (exited)
		state = XG_G_DEAD;
	if (state >= GT_NSTATES)
		return "?";
	return short_name ? shortn[state] : longn[state];
}
