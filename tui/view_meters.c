// SPDX-License-Identifier: BSD-2-Clause
/* The meters over time: one graph per meter, with its current, min, average and max. */
#include <stdio.h>

#include "draw.h"
#include "fmt.h"
#include "meter.h"
#include "text.h"
#include "views.h"

#define MAX_POINTS 512

static void fmt_val(char *buf, size_t len, const struct tui_meter *mt, double v)
{
	if (v < 0)
		snprintf(buf, len, "n/a");
	else
		mt->format(buf, len, v);
}

static void meters_draw(WINDOW *w, struct tui_model *m)
{
	int width = getmaxx(w), h = getmaxy(w), gh, y = 0, n_meters = (int)tui_meters_n;
	size_t id;
	size_t n_hist = model__meter_count(m);
	double vals[MAX_POINTS];
	char sc[16];

	/* Every meter on screen: graphs as tall as the room allows. */
	gh = (h - 1) / n_meters - 1;
	if (gh < 1)
		gh = 1;
	fmt_dur(sc, sizeof(sc), (uint64_t)(m->interval * 1e9));
	d_printf(w, y++, 0, width, ROLE(m, COLOR_TITLE), "Meters history: %zu samples, one per %s",
		 n_hist, sc);
	for (id = 0; id < tui_meters_n && y + gh < h + 1; id++) {
		const struct tui_meter *mt = &tui_meters[id];
		int per = m->theme->g->braille ? 2 : 1, want = (width - 8) * per, n = 0, i;
		double min = -1, max = 0, sum = 0;
		char cur[16], lo[16], hi[16], avg[16];
		enum tui_health hl = meter__health(mt, m);
		attr_t a = ROLE(m, hl == TUI_BAD ? COLOR_METER_BAD : COLOR_SPARK);

		if (want > MAX_POINTS)
			want = MAX_POINTS;
		for (i = want - 1; i >= 0; i--) {
			const struct xg_meters *s = model__meter_sample(m, (size_t)i);
			double v;

			if (!s)
				continue;
			v = mt->value(s);
			vals[n++] = v;
			if (v < 0)
				continue;
			if (min < 0 || v < min)
				min = v;
			if (v > max)
				max = v;
			sum += v;
		}
		meter__text(mt, m, cur, sizeof(cur), false);
		fmt_val(lo, sizeof(lo), mt, min);
		fmt_val(hi, sizeof(hi), mt, min < 0 ? -1 : max);
		fmt_val(avg, sizeof(avg), mt, min < 0 || !n ? -1 : sum / n);
		d_str(w, y, 0, 5, ROLE(m, COLOR_METER_LABEL), mt->name);
		/* The explanation where it fits; ? has them all. */
		d_printf(w, y, 5, width - 5, ROLE(m, COLOR_DEFAULT),
			 "%-8s min %-7s avg %-7s max %-7s %s", cur, lo, avg, hi,
			 width >= 120 ? mt->help : "");
		y++;
		if (min < 0) {
			d_str(w, y, 8, width - 8, ROLE(m, COLOR_METER_NA), "no data");
		} else {
			fmt_val(hi, sizeof(hi), mt, max);
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
