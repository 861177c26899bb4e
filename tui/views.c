// SPDX-License-Identifier: BSD-2-Clause
/*
 * The views, one row each: the view (its file, view_*.c) and its own key,
 * with the key's line in the help and its label in the key bar. The key
 * table (keys.c) lists these keys in its Views section, so the key lookup,
 * the help screen, the key bar and Tab all follow this table.
 *
 * A view is its file, its id (enum tui_view_id, model.h) and a row here;
 * tests/tui/test_tui_logic.c fails on an id without a row and on a key
 * docs/UI.md does not name.
 */
#include "views.h"

#include <stddef.h>

/* A view's own key: switches to it; again, back to the list (or the view's .again). */
#define VIEW_KEY(k, bar, pos, help)                                 \
	{                                                           \
		"Views", {(k)}, A_VIEW, (help), (bar), (pos), false \
	}

const struct tui_view_row tui_views[TUI_V_N] = {
	/* Where Esc leads. */
	[TUI_V_LIST] = {.view = &view_list},
	[TUI_V_GROUP] = {&view_group,
			 VIEW_KEY('g', "Group", 7, "group by start function: counts per state")},
	[TUI_V_LIFETIME] = {&view_lifetime,
			    VIEW_KEY('t', "Life", 8, "goroutine lifetime histogram")},
	[TUI_V_ALLOC] = {&view_alloc,
			 VIEW_KEY('a', "Alloc", 10,
				  "allocation size classes (again: whole process / selected)")},
	[TUI_V_GC] = {&view_gc, VIEW_KEY('c', "GC", 11, "GC cycles")},
	[TUI_V_METERS] = {&view_meters, VIEW_KEY('m', "Meters", 9, "meters history")},
	/* No room in the 80-column key bar: ? lists it. */
	[TUI_V_STACKS] = {&view_stacks,
			  VIEW_KEY('w', NULL, 0,
				   "goroutines grouped by stack; leak suspects marked !")},
	/* Enter (A_DETAIL in the key table): what it opens depends on the view. */
	[TUI_V_DETAIL] = {.view = &view_detail},
	/* ? (A_HELP): over any view, and back to it. */
	[TUI_V_HELP] = {.view = &view_help},
};

const struct tui_view *views__get(enum tui_view_id id)
{
	return id < TUI_V_N && tui_views[id].view ? tui_views[id].view : &view_list;
}

int views__show(struct tui_model *m, const struct tui_keydef *d)
{
	/* D is the key member of a row of tui_views: its index is the view's id. */
	const struct tui_view_row *r =
		(const struct tui_view_row *)((const char *)d - offsetof(struct tui_view_row, key));
	enum tui_view_id id = (enum tui_view_id)(r - tui_views);

	if (m->view != id) {
		m->view = id;
		return RD_FRAME;
	}
	if (r->view->again)
		return r->view->again(m);
	m->view = TUI_V_LIST;
	return RD_FRAME;
}

int views__next(struct tui_model *m)
{
	enum tui_view_id cycle[TUI_V_N];
	size_t n = 0, i;
	int id;

	for (id = 0; id < TUI_V_N; id++)
		if (id == TUI_V_LIST || tui_views[id].key.keys[0])
			cycle[n++] = (enum tui_view_id)id;
	for (i = 0; i < n; i++)
		if (cycle[i] == m->view)
			break;
	/* From a view not in the cycle (detail, help): the one after the list. */
	m->view = cycle[(i + 1) % n];
	return RD_FRAME;
}
