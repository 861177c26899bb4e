/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exports of a recording: JSONL (docs/JSONL.md, the lines the live session
 * wrote) and Chrome trace JSON, which ui.perfetto.dev and chrome://tracing
 * open: one track per goroutine, named by its start function, with a slice
 * per state span; the tracer's meters as counters.
 */
#ifndef XGOTOP_EXPORT_H
#define XGOTOP_EXPORT_H

#include <stdbool.h>

struct rec_reader;

/*
 * Write R's events as KIND ("jsonl" or "perfetto") to PATH ("-": standard
 * output; else created as recordings are: refused if it exists unless
 * FORCE). Returns the exit status (errors reported on stderr).
 */
int export__run(struct rec_reader *r, const char *kind, const char *path, bool force);

#endif /* XGOTOP_EXPORT_H */
