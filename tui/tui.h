/* SPDX-License-Identifier: BSD-2-Clause */
/* The terminal UI: views over a source (live or replay), never libbpf. */
#ifndef XGOTOP_TUI_H
#define XGOTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"

/* The UI's options, filled by the command line (src/cli/). */
struct tui_opts {
	double delay;	    /* -d: refresh interval, seconds; 0: 1 s */
	unsigned int batch; /* -n N: N text snapshots on stdout, no curses; 0: interactive */
	bool ascii;	    /* --ascii: ASCII glyphs whatever the locale */
	const char *colors; /* --colors 256|16|8|mono; NULL: what the terminal has */
	const char *filter; /* --filter EXPR: initial filter */
	const char *sort;   /* --sort KEY: initial sort */
};

/*
 * Run the UI until the user quits or the terminal goes away; with
 * opts->batch, print that many text snapshots instead (no curses). The source
 * is pumped from the UI's loop. 0, or -errno (-ECANCELED once reported).
 */
int tui__run(const struct xg_source *src, const struct tui_opts *opts);

/* Check the UI's options before the tracer attaches: 0, or -EINVAL with a message in ERR. */
int tui__validate(const struct tui_opts *opts, char *err, size_t err_len);

#endif /* XGOTOP_TUI_H */
