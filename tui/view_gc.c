// SPDX-License-Identifier: BSD-2-Clause
/* GC cycles, newest first; without GC events it says so, and why. */
#include <stdio.h>

#include "data.h"
#include "draw.h"
#include "fmt.h"
#include "views.h"

#define MAX_CYCLES 256

static void gc_draw(WINDOW *w, struct tui_model *m)
{
	struct xd_gc_cycle gc[MAX_CYCLES];
	int width = getmaxx(w), h = getmaxy(w), y = 0, n, i;
	char start[24], dur[16], stw[16], before[16], after[16];

	d_str(w, y++, 0, width, ROLE(m, COLOR_TITLE), "GC cycles");
	n = xd_gc_cycles(m->src->ops->table(m->src->ctx), gc, MAX_CYCLES);
	if (n < 0) {
		y++;
		d_str(w, y++, 2, width - 2, ROLE(m, COLOR_METER_NA), "No data.");
		y += d_wrap(w, y, 2, width - 4, 4, ROLE(m, COLOR_DEFAULT), xd_gc_why(&m->info));
		d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_DIM), "Attached probes: %s",
			 m->info.probes[0] ? m->info.probes : "none");
		return;
	}
	d_fill(w, y, 0, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, y++, 0, width, ROLE(m, COLOR_COLUMN_HEADER),
	      "     GC  STARTED      DURATION  STW      HEAP BEFORE  HEAP AFTER");
	for (i = n - 1; i >= 0 && y < h; i--, y++) {
		fmt_offset(start, sizeof(start), (int64_t)gc[i].start - (int64_t)m->now);
		fmt_dur(dur, sizeof(dur), gc[i].end > gc[i].start ? gc[i].end - gc[i].start : 0);
		fmt_dur(stw, sizeof(stw), gc[i].stw_ns);
		fmt_count(before, sizeof(before), (double)gc[i].heap_before);
		fmt_count(after, sizeof(after), (double)gc[i].heap_after);
		d_printf(w, y, 0, width, ROLE(m, COLOR_DEFAULT), "%7u  %-12s %8s  %-8s %11sB %10sB",
			 gc[i].n, start, dur, stw, before, after);
	}
}

static void gc_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM), "Esc: back");
}

static int gc_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

const struct tui_view view_gc = {
	.name = "gc",
	.draw = gc_draw,
	.key = gc_key,
	.status = gc_status,
};
