/* SPDX-License-Identifier: BSD-2-Clause */
/* A horizontal histogram with one or two stacked series, for the histogram views. */
#ifndef XGOTOP_TUI_HIST_H
#define XGOTOP_TUI_HIST_H

#include <stdint.h>

#include <curses.h>

#include "model.h"

struct hist_row {
	char label[24];
	uint64_t a, b; /* series a (solid) and b (shaded), stacked */
};

/* ROWS[0..N) from line Y down, at most H lines; column titles in TITLE_A / TITLE_B. */
void hist__draw(WINDOW *w, int y, int h, struct tui_model *m, const struct hist_row *rows, int n,
		const char *label_title, const char *title_a, const char *title_b);

#endif /* XGOTOP_TUI_HIST_H */
