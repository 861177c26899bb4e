// SPDX-License-Identifier: BSD-2-Clause
/* The meters over time: one graph per meter, with its current, min, average and max. */
#include <stdio.h>

#include "draw.h"
#include "fmt.h"
#include "text.h"
#include "views.h"

#define MAX_POINTS 512

static void fmt_val(char *buf, size_t len, enum tui_meter id, double v)
{
	if (v < 0) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (id == TUI_M_LAT || id == TUI_M_PRC)
		fmt_dur(buf, len, (uint64_t)v);
	else if (id == TUI_M_OVH)
		snprintf(buf, len, "%.1f%%", v);
	else
		fmt_count(buf, len, v);
}

static void meters_draw(WINDOW *w, struct tui_model *m)
{
	int width = getmaxx(w), h = getmaxy(w), gh, y = 0, id;
	size_t n_hist = model__meter_count(m);
	double vals[MAX_POINTS];
	char sc[16];

	/* Every meter on screen: graphs as tall as the room allows. */
	gh = (h - 1) / TUI_M_N - 1;
	if (gh < 1)
		gh = 1;
	fmt_dur(sc, sizeof(sc), (uint64_t)(m->interval * 1e9));
	d_printf(w, y++, 0, width, ROLE(m, COLOR_TITLE), "Meters history: %zu samples, one per %s",
		 n_hist, sc);
	for (id = 0; id < TUI_M_N && y + gh < h + 1; id++) {
		int per = m->theme->g->braille ? 2 : 1, want = (width - 8) * per, n = 0, i;
		double min = -1, max = 0, sum = 0;
		char cur[16], lo[16], hi[16], avg[16];
		enum tui_health hl = model__meter_health(m, id);
		attr_t a = ROLE(m, hl == TUI_BAD ? COLOR_METER_BAD : COLOR_SPARK);

		if (want > MAX_POINTS)
			want = MAX_POINTS;
		for (i = want - 1; i >= 0; i--) {
			const struct xg_meters *s = model__meter_sample(m, (size_t)i);
			double v;

			if (!s)
				continue;
			v = model__meter_value(s, id);
			vals[n++] = v;
			if (v < 0)
				continue;
			if (min < 0 || v < min)
				min = v;
			if (v > max)
				max = v;
			sum += v;
		}
		text_meter(m, id, cur, sizeof(cur), 0);
		fmt_val(lo, sizeof(lo), id, min);
		fmt_val(hi, sizeof(hi), id, min < 0 ? -1 : max);
		fmt_val(avg, sizeof(avg), id, min < 0 || !n ? -1 : sum / n);
		d_str(w, y, 0, 5, ROLE(m, COLOR_METER_LABEL), tui_meter_names[id]);
		/* The explanation where it fits; ? has them all. */
		d_printf(w, y, 5, width - 5, ROLE(m, COLOR_DEFAULT),
			 "%-8s min %-7s avg %-7s max %-7s %s", cur, lo, avg, hi,
			 width >= 120 ? tui_meter_help[id] : "");
		y++;
		if (min < 0) {
			d_str(w, y, 8, width - 8, ROLE(m, COLOR_METER_NA), "no data");
		} else {
			fmt_val(hi, sizeof(hi), id, max);
			d_rstr(w, y, 0, 7, ROLE(m, COLOR_DIM), hi);
			d_graph(w, y, 8, gh, width - 8, vals, n, max, a, m->theme->g);
		}
		y += gh;
	}
}

static void meters_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
	      "newest on the right; red: unhealthy (see ?)   Esc: back");
}

static int meters_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

const struct tui_view view_meters = {
	.name = "meters",
	.draw = meters_draw,
	.key = meters_key,
	.status = meters_status,
};
