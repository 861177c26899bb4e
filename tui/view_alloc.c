// SPDX-License-Identifier: BSD-2-Clause
/*
 * Allocations per Go size class, for the whole process or the selected
 * goroutine ('a' again switches). Without allocation events it says so,
 * and why, rather than drawing an empty histogram.
 */
#include <stdio.h>

#include "data.h"
#include "draw.h"
#include "fmt.h"
#include "hist.h"
#include "views.h"

static void alloc_draw(WINDOW *w, struct tui_model *m)
{
	struct xd_alloc_hist h;
	const struct gentry *sel = m->alloc_selected ? model__selected(m) : NULL;
	struct hist_row rows[XD_SIZE_CLASSES + 1];
	int width = getmaxx(w), y = 0, n = 0, err;
	uint32_t i;

	if (m->alloc_selected && sel)
		d_printf(w, y++, 0, width, ROLE(m, COLOR_TITLE),
			 "Allocations by size class - G%llu %s", (unsigned long long)sel->goid,
			 sel->func ? sel->func : "?");
	else
		d_str(w, y++, 0, width, ROLE(m, COLOR_TITLE),
		      "Allocations by size class - whole process");
	err = xd_alloc_hist(m->src->ops->table(m->src->ctx), sel, &h);
	if (err) {
		y++;
		d_str(w, y++, 2, width - 2, ROLE(m, COLOR_METER_NA), "No data.");
		y += d_wrap(w, y, 2, width - 4, 4, ROLE(m, COLOR_DEFAULT), xd_alloc_why(&m->info));
		d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_DIM), "Attached probes: %s",
			 m->info.probes[0] ? m->info.probes : "none");
		return;
	}
	for (i = 0; i < h.n && i < XD_SIZE_CLASSES; i++, n++) {
		snprintf(rows[n].label, sizeof(rows[n].label), "<= %u B", h.size[i]);
		rows[n].a = h.count[i];
		rows[n].b = 0;
	}
	if (h.large_count) {
		snprintf(rows[n].label, sizeof(rows[n].label), "large");
		rows[n].a = h.large_count;
		rows[n].b = 0;
		n++;
	}
	y++;
	hist__draw(w, y, getmaxy(w) - y, m, rows, n, "SIZE CLASS", "OBJECTS", NULL);
}

static void alloc_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
	      m->alloc_selected ? "a: whole process   Esc: back"
				: "a: the selected goroutine only   Esc: back");
}

static int alloc_key(struct tui_model *m, enum tui_action a)
{
	if (a != A_ALLOC)
		return RD_UNHANDLED;
	m->alloc_selected = !m->alloc_selected;
	return RD_FRAME;
}

const struct tui_view view_alloc = {
	.name = "allocations",
	.draw = alloc_draw,
	.key = alloc_key,
	.status = alloc_status,
};
