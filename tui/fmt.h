/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Numbers, durations and times as the views print them: compact, of a
 * known maximum width, truncated rather than rounded up so that a value
 * never grows a digit on screen. Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_FMT_H
#define XGOTOP_TUI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "999ns" "9.9us" "999us" "9.9ms" "999ms" "9.99s" "59.9s" "59m59s" "23h59m" "9d23h": <= 6 chars. */
char *fmt_dur(char *buf, size_t len, uint64_t ns);
/* A cell duration from the zoom ladder: "1us" "500ms" "1s" "30s" "1min". */
char *fmt_scale(char *buf, size_t len, uint64_t ns);
/* "999" "9.99k" "99.9k" "999k" "9.99M" ...: <= 5 chars. */
char *fmt_count(char *buf, size_t len, double v);
/* A rate: "0.5" "9.9" then as fmt_count. */
char *fmt_rate(char *buf, size_t len, double v);
/* "12:03:04" or with MS "12:03:04.123", local time of WALL_NS (ns since the epoch). */
char *fmt_clock(char *buf, size_t len, int64_t wall_ns, int ms);
/* An offset from now on the timeline axis: "now" "-250ms" "-1.5s" "-2m30s" "+3s". */
char *fmt_offset(char *buf, size_t len, int64_t ns);
/* Columns S takes on screen (UTF-8 code points; control bytes count as one). */
size_t fmt_width(const char *s);
/* Columns the first N bytes of S take. */
size_t fmt_width_n(const char *s, size_t n);
/*
 * The last WIDTH columns of S: where a name is cut, its end (the method)
 * matters more than its package path. *CUT says whether anything was dropped.
 */
const char *fmt_tail(const char *s, size_t width, int *cut);
/* Bytes of S that fill at most WIDTH columns, never splitting a UTF-8 sequence. */
size_t fmt_head_bytes(const char *s, size_t width);

#endif /* XGOTOP_TUI_FMT_H */
