/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The meters in the header, one row each (tui/meter.c): name, help line,
 * how to read its value from a sample, when it is unhealthy, how to write
 * it. The header, the meters view, the help screen and the batch mode's
 * "meters:" line all walk the table. Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_METER_H
#define XGOTOP_TUI_METER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

enum tui_health { TUI_OK, TUI_WARN, TUI_BAD, TUI_NA };

struct tui_meter {
	const char *name; /* "LAT": its label, at most 4 columns */
	const char *help; /* one line for the help screen and the wide meters view */
	/* What the sparkline and the graph draw; < 0: unknown. */
	double (*value)(const struct xg_meters *s);
	/* Its current value as shown, when not VALUE (may be NULL). */
	double (*shown)(const struct xg_meters *s);
	/* Health from the newest sample S (the older ones through M); NULL: always OK. */
	enum tui_health (*health)(const struct tui_model *m, const struct xg_meters *s);
	/* V as text, without unit ("1.2k" "850ns" "0.4%"). */
	void (*format)(char *buf, size_t len, double v);
	const char *unit; /* after the current value where there is room: "/s" (may be NULL) */
	/* A rate over the sample's interval: "-" for the session's first sample, which has none. */
	bool per_interval;
};

extern const struct tui_meter tui_meters[];
extern const size_t tui_meters_n;

/* The meter named NAME, or NULL. */
const struct tui_meter *meter__find(const char *name);
/* MT's health from the newest samples; TUI_NA before the first. */
enum tui_health meter__health(const struct tui_meter *mt, const struct tui_model *m);
/* MT's current value: "1.2k/s" "850ns" "n/a", "-" before the first sample; SHORT: no unit. */
const char *meter__text(const struct tui_meter *mt, const struct tui_model *m, char *buf,
			size_t len, bool short_form);

#endif /* XGOTOP_TUI_METER_H */
