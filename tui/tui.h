/* SPDX-License-Identifier: BSD-2-Clause */
/* The terminal UI: views over a source (live or replay), never libbpf. */
#ifndef XGOTOP_TUI_H
#define XGOTOP_TUI_H

#include "source.h"
#include "tracer.h"

/*
 * Run the UI until the user quits or the terminal goes away. The source is
 * pumped from the UI's loop. 0, or -errno (-ECANCELED once reported).
 */
int tui__run(const struct xg_source *src, const struct env *env);

#endif /* XGOTOP_TUI_H */
