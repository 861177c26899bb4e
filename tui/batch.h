/* SPDX-License-Identifier: BSD-2-Clause */
/* Batch mode (-n N): text snapshots on stdout, like top -b; no curses. */
#ifndef XGOTOP_TUI_BATCH_H
#define XGOTOP_TUI_BATCH_H

#include <stdio.h>

#include "model.h"

/* One snapshot of M (rows already built) to OUT. 0, or -errno (the output failed). */
int batch__snapshot(FILE *out, struct tui_model *m);

#endif /* XGOTOP_TUI_BATCH_H */
