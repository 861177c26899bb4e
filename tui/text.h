/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cell texts shared by the curses views and the batch mode: what the WAIT,
 * AGE and ALLOCS columns and the GC summary say (the meters: meter.h).
 * Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_TEXT_H
#define XGOTOP_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* The wait reason ("chan receive", "#31" for an unknown index), "" when not waiting. */
const char *text_reason(const struct gentry *e, char *buf, size_t len);
/* Time in the current state (">" and a lower bound: text_state_since), "" while running. */
const char *text_in_state(const struct tui_model *m, const struct gentry *e, char *buf, size_t len);
/* Since creation; exited: its lifetime; seen before its creation: ">" and a lower bound. */
const char *text_age(const struct tui_model *m, const struct gentry *e, char *buf, size_t len);
/* Bytes allocated, or "-" without allocation data. */
const char *text_allocs(const struct tui_model *m, const struct gentry *e, char *buf, size_t len);
/* "12.5" */
const char *text_cpu(unsigned int permille, char *buf, size_t len);
/*
 * The GC in a few words, for the header: FORM 0 the longest ("GC 12 cyc,
 * last 1.2ms STW 3.0s ago") to 3 the shortest ("GC 12"). False (and
 * "GC n/a") without GC events.
 */
bool text_gc(const struct tui_model *m, int form, char *buf, size_t len);
/*
 * The target's cgroup CPU limit and its throttling so far (GEV_CPU), long
 * (WIDE) or short; false when it has no limit. *THROTTLED: ever throttled.
 */
bool text_cgroup(const struct tui_model *m, bool wide, char *buf, size_t len, bool *throttled);
/*
 * Since when E has been in its current state: Go's g.waitsince for a goroutine
 * found blocked at attach and unchanged since (exact: what Go's dump counts),
 * else the table's state_since; *LOWER when that is only a lower bound
 * (found so, unchanged, and Go has no time: "WAIT >8.06s").
 */
uint64_t text_state_since(const struct gentry *e, bool *lower);
/* Lower bound on when E came to be, for goroutines seen before their creation. */
uint64_t text_birth(const struct tui_model *m, const struct gentry *e);

/* The line standing for the exited goroutines not listed: "+ 12 exited in the last 5s ...". */
const char *text_exited(const struct tui_model *m, char *buf, size_t len);

/*
 * A Go function name for WIDTH cells: whole if it fits, else without its
 * package path ("net/http.(*conn).serve" -> "http.(*conn).serve"), which
 * keeps the package, type and method; the caller elides what still does
 * not fit. A pointer into NAME.
 */
const char *text_func_fit(const char *name, int width);

#endif /* XGOTOP_TUI_TEXT_H */
