/* SPDX-License-Identifier: BSD-2-Clause */
/* The terminal UI: views over a source (live or replay), never libbpf. */
#ifndef XGOTOP_TUI_H
#define XGOTOP_TUI_H

#include <stddef.h>

#include "source.h"
#include "tracer.h"

/*
 * Run the UI until the user quits or the terminal goes away; with
 * env->batch, print that many text snapshots instead (no curses). The source
 * is pumped from the UI's loop. 0, or -errno (-ECANCELED once reported).
 */
int tui__run(const struct xg_source *src, const struct env *env);

/* Check the UI's options before the tracer attaches: 0, or -EINVAL with a message in ERR. */
int tui__validate(const struct env *env, char *err, size_t err_len);

#endif /* XGOTOP_TUI_H */
