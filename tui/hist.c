// SPDX-License-Identifier: BSD-2-Clause
#include "hist.h"

#include <stdio.h>

#include "draw.h"
#include "fmt.h"

#define LABEL_W 15
#define NUM_W	7

void hist__draw(WINDOW *w, int y, int h, struct tui_model *m, const struct hist_row *rows, int n,
		const char *label_title, const char *title_a, const char *title_b)
{
	int width = getmaxx(w), x_bar = LABEL_W + 1 + (NUM_W + 1) * (title_b ? 2 : 1) + 1;
	int bar_w = width - x_bar - 1, i;
	uint64_t max = 0;
	char buf[32];

	for (i = 0; i < n; i++)
		if (rows[i].a + rows[i].b > max)
			max = rows[i].a + rows[i].b;
	d_fill(w, y, 0, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_rstr(w, y, 0, LABEL_W, ROLE(m, COLOR_COLUMN_HEADER), label_title);
	d_rstr(w, y, LABEL_W + 1, NUM_W, ROLE(m, COLOR_COLUMN_HEADER), title_a);
	if (title_b)
		d_rstr(w, y, LABEL_W + 1 + NUM_W + 1, NUM_W, ROLE(m, COLOR_COLUMN_HEADER), title_b);
	for (i = 0; i < n && i + 1 < h; i++) {
		int yy = y + 1 + i, used;

		d_rstr(w, yy, 0, LABEL_W, ROLE(m, COLOR_DEFAULT), rows[i].label);
		fmt_count(buf, sizeof(buf), (double)rows[i].a);
		d_rstr(w, yy, LABEL_W + 1, NUM_W, ROLE(m, rows[i].a ? COLOR_BOLD : COLOR_DIM), buf);
		if (title_b) {
			fmt_count(buf, sizeof(buf), (double)rows[i].b);
			d_rstr(w, yy, LABEL_W + 1 + NUM_W + 1, NUM_W,
			       ROLE(m, rows[i].b ? COLOR_BOLD : COLOR_DIM), buf);
		}
		if (!max || bar_w <= 0)
			continue;
		/* Series a solid, series b shaded after it: each visible without color. */
		used = rows[i].a ? d_bar(w, yy, x_bar, bar_w, (double)rows[i].a / (double)max,
					 ROLE(m, COLOR_BAR), m->theme->g)
				 : 0;
		if (rows[i].b) {
			int nb = (int)((double)rows[i].b / (double)max * bar_w + 0.5);

			if (!nb)
				nb = 1;
			if (used + nb > bar_w)
				nb = bar_w - used;
			d_repeat(w, yy, x_bar + used, nb, ROLE(m, COLOR_STATE_RUNNABLE),
				 m->theme->g->bar_alt);
		}
	}
}
