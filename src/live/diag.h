/* SPDX-License-Identifier: BSD-2-Clause */
/* What the live tracer says on stderr: one-line errors, and -v. */
#ifndef XGOTOP_DIAG_H
#define XGOTOP_DIAG_H

#include <stdbool.h>

/* "xgotop-tui: " FMT "\n" on stderr. */
void diag__fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* -v: our own detail lines, and libbpf's log (which is otherwise silent). */
void diag__set_verbose(bool on);
bool diag__verbose(void);

#endif /* XGOTOP_DIAG_H */
