// SPDX-License-Identifier: BSD-2-Clause
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "filter.h"
#include "meter.h"
#include "model.h"
#include "views.h"

#define CTRL(c) ((c)&0x1f)
#define ESC	27

static const struct tui_keydef table[] = {
	{"General", {'q', KEY_F(10)}, A_QUIT, "quit", "Quit", 99, false},
	{"General",
	 {'?', KEY_F(1)},
	 A_HELP,
	 "this help: keys, columns, meters, glyphs",
	 "Help",
	 1,
	 false},
	{"General", {ESC, KEY_BACKSPACE}, A_BACK, "back to the goroutine list", NULL, 0, false},
	{"General",
	 {' '},
	 A_PAUSE,
	 "pause: freeze the view, tracing goes on (replay: play/pause)",
	 "Pause",
	 5,
	 false},
	{"General", {CTRL('l')}, A_REDRAW, "repaint the screen", NULL, 0, false},
	{"General",
	 {'S'},
	 A_SAVE,
	 "save the recent history to a recording (flight recorder)",
	 NULL,
	 0,
	 false},
	{"General",
	 {'R'},
	 A_SAMPLE,
	 "sampling: -sample SPEC, e.g. goroutine:0.1 (all: none)",
	 NULL,
	 0,
	 false},
	{"Move", {KEY_UP, 'k'}, A_UP, "previous row", NULL, 0, false},
	{"Move", {KEY_DOWN, 'j'}, A_DOWN, "next row", NULL, 0, false},
	{"Move", {KEY_PPAGE, CTRL('b')}, A_PGUP, "page up", NULL, 0, false},
	{"Move", {KEY_NPAGE, CTRL('f')}, A_PGDN, "page down", NULL, 0, false},
	{"Move", {KEY_HOME}, A_HOME, "first row", NULL, 0, false},
	{"Move", {KEY_END}, A_END, "last row", NULL, 0, false},
	{"Move",
	 {'\n', '\r', KEY_ENTER},
	 A_DETAIL,
	 "details of the selected goroutine (group view: list them)",
	 "Detail",
	 4,
	 false},
	/* Here: the views' own keys, g t a c m (tui/views.c). */
	{"Views", {0}, A_VIEW, NULL, NULL, 0, false},
	{"Views", {'\t'}, A_NEXT_VIEW, "next view", NULL, 0, false},
	{"List", {'/'}, A_FILTER, "filter (syntax below); empty clears it", "Filter", 2, false},
	{"List", {'s', '>'}, A_SORT_NEXT, "sort by the next column", "Sort", 3, false},
	{"List", {'<'}, A_SORT_PREV, "sort by the previous column", NULL, 0, false},
	{"List", {'r'}, A_SORT_REVERSE, "reverse the order", NULL, 0, false},
	{"List",
	 {'x'},
	 A_EXITED,
	 "list exited goroutines too (else one line counts them)",
	 NULL,
	 0,
	 false},
	{"Timeline",
	 {'+', '='},
	 A_ZOOM_IN,
	 "zoom in around the time cursor (down to 1us/cell)",
	 "Zoom",
	 6,
	 false},
	{"Timeline", {'-', '_'}, A_ZOOM_OUT, "zoom out (up to 1min/cell)", NULL, 0, false},
	{"Timeline", {KEY_LEFT, 'h'}, A_PAN_LEFT, "pan back in time", NULL, 0, false},
	{"Timeline", {KEY_RIGHT, 'l'}, A_PAN_RIGHT, "pan forward in time", NULL, 0, false},
	{"Timeline", {KEY_SLEFT, 'H'}, A_CURSOR_LEFT, "time cursor one cell back", NULL, 0, false},
	{"Timeline",
	 {KEY_SRIGHT, 'L'},
	 A_CURSOR_RIGHT,
	 "time cursor one cell forward",
	 NULL,
	 0,
	 false},
	{"Timeline", {'0'}, A_LIVE, "follow the live edge again", NULL, 0, false},
	{"Replay", {']'}, A_PLAY_FASTER, "play faster (x2, up to 64x)", NULL, 0, true},
	{"Replay", {'['}, A_PLAY_SLOWER, "play slower (/2, down to 0.25x)", NULL, 0, true},
	{"Replay", {'.'}, A_STEP_FWD, "one step forward (pauses)", NULL, 0, true},
	{"Replay", {','}, A_STEP_BACK, "one step back (pauses)", NULL, 0, true},
	{"Replay", {'B'}, A_SEEK_START, "go to the beginning of the recording", NULL, 0, true},
	{"Replay", {'E'}, A_SEEK_END, "go to the end of the recording", NULL, 0, true},
};

const struct tui_keydef *keys__next(struct keys_iter *it)
{
	while (it->row < sizeof(table) / sizeof(table[0])) {
		const struct tui_keydef *d = &table[it->row];

		if (d->act != A_VIEW) {
			it->row++;
			return d;
		}
		while (it->view < TUI_V_N) {
			d = &tui_views[it->view++].key;
			if (d->keys[0])
				return d;
		}
		it->row++;
		it->view = 0;
	}
	return NULL;
}

const struct tui_keydef *keys__lookup(int ch, bool replay)
{
	struct keys_iter it = {0};
	const struct tui_keydef *d;
	int k;

	while ((d = keys__next(&it))) {
		if (d->replay && !replay)
			continue;
		for (k = 0; k < TUI_KEYS_MAX && d->keys[k]; k++)
			if (d->keys[k] == ch)
				return d;
	}
	return NULL;
}

const char *keys__name(int ch, char *buf, size_t len)
{
	static const struct {
		int ch;
		const char *name;
	} named[] = {
		{KEY_UP, "Up"},	      {KEY_DOWN, "Down"},    {KEY_LEFT, "Left"},
		{KEY_RIGHT, "Right"}, {KEY_SLEFT, "S-Left"}, {KEY_SRIGHT, "S-Right"},
		{KEY_PPAGE, "PgUp"},  {KEY_NPAGE, "PgDn"},   {KEY_HOME, "Home"},
		{KEY_END, "End"},     {KEY_ENTER, "Enter"},  {KEY_BACKSPACE, "Bksp"},
		{'\n', "Enter"},      {'\r', "Enter"},	     {'\t', "Tab"},
		{' ', "Space"},	      {ESC, "Esc"},
	};
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].ch == ch) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	if (ch >= KEY_F(1) && ch <= KEY_F(12))
		snprintf(buf, len, "F%d", ch - KEY_F(0));
	else if (ch > 0 && ch < 32)
		snprintf(buf, len, "^%c", ch + '@');
	else if (ch > 32 && ch < 127)
		snprintf(buf, len, "%c", ch);
	else
		snprintf(buf, len, "#%d", ch);
	return buf;
}

const char *keys__names(const struct tui_keydef *d, char *buf, size_t len)
{
	char one[16], prev[TUI_KEYS_MAX][16];
	size_t used = 0;
	int k, j;

	buf[0] = '\0';
	for (k = 0; k < TUI_KEYS_MAX && d->keys[k]; k++) {
		keys__name(d->keys[k], one, sizeof(one));
		snprintf(prev[k], sizeof(prev[k]), "%s", one);
		/* ^J, ^M and the keypad's Enter are one key to a user: one name. */
		for (j = 0; j < k && strcmp(prev[j], one); j++)
			;
		if (j < k)
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? " " : "", one);
	}
	return buf;
}

/* The prose after the keys: columns, meters, filter syntax. Glyphs are drawn by the view. */
static const char *const trailer[] = {
	"",
	"Columns",
	"  GID       goroutine id (PID too when tracing several processes)",
	"  STATE     Go's status; the timeline cell of that state uses the same glyph",
	"  WAIT      wait reason and time in the state (>: found so at attach, at least)",
	"  CPU%      share of the last refresh interval spent running, from state changes",
	"  AGE       since creation; >: created before tracing started, at least that old",
	"  ALLOCS    bytes allocated (needs the allocation probes)",
	"  FUNCTION  start function; CREATED BY: the function with the go statement",
	"",
	"Filter: terms separated by spaces, all must match; !TERM negates",
	"  WORD      start function contains WORD (func:=NAME: exactly NAME)",
	"  state:S   running runnable syscall waiting exited ... (prefixes: state:run)",
	"  reason:W  wait reason contains W (reason:chan)   by:W  creator contains W",
	"  goid:N    goroutine N, or goid:N-M              pid:N  process N",
	"",
	"Meters (red when unhealthy)",
};

const char *keys__help_line(size_t i, bool replay, char *buf, size_t len)
{
	struct keys_iter it = {0};
	const struct tui_keydef *d;
	const char *section = NULL;
	size_t n_trailer = sizeof(trailer) / sizeof(trailer[0]);
	char names[64];

	/* Key lines, with a title line before each section. */
	while ((d = keys__next(&it))) {
		if (d->replay && !replay)
			continue;
		if (!section || strcmp(section, d->section)) {
			if (section && i-- == 0) {
				snprintf(buf, len, "%s", "");
				return buf;
			}
			section = d->section;
			if (i-- == 0) {
				snprintf(buf, len, "%s", section);
				return buf;
			}
		}
		if (i-- == 0) {
			snprintf(buf, len, "  %-14s %s", keys__names(d, names, sizeof(names)),
				 d->help);
			return buf;
		}
	}
	if (i < n_trailer) {
		snprintf(buf, len, "%s", trailer[i]);
		return buf;
	}
	i -= n_trailer;
	if (i < tui_meters_n) {
		snprintf(buf, len, "  %-5s %s", tui_meters[i].name, tui_meters[i].help);
		return buf;
	}
	return NULL;
}
