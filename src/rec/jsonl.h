/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JSONL event stream (docs/JSONL.md): one JSON object per line.
 * Pure formatting into a caller buffer; the writer owns the FILE.
 */
#ifndef XGOTOP_JSONL_H
#define XGOTOP_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gevent.h"

/*
 * Format EV as one JSON line (with the trailing '\n') into BUF.
 * Returns the length written, or -ENOSPC when LEN is too small (BUF then
 * holds nothing usable). Strings are escaped per RFC 8259.
 */
int jsonl__format(const struct gev *ev, char *buf, size_t len);

struct jsonl_writer;

/*
 * PATH "-" is stdout; any other is opened by outfile__create (refused when
 * it exists, unless FORCE). NULL and errno: outfile__why(-errno) says why.
 */
struct jsonl_writer *jsonl__open(const char *path, bool force);
/* 0 or -errno (EPIPE when stdout's reader went away). */
int jsonl__write(struct jsonl_writer *w, const struct gev *ev);
int jsonl__flush(struct jsonl_writer *w);
/*
 * Where full blocks go: FN(CTX, BUF, N) instead of write(2) on the caller's
 * thread (NULL: back to that); 0 or -errno. The file descriptor, for FN's owner.
 */
typedef int (*jsonl_out_fn)(void *ctx, const void *buf, size_t n);
void jsonl__set_out(struct jsonl_writer *w, jsonl_out_fn fn, void *ctx);
int jsonl__fd(const struct jsonl_writer *w);
struct stackset;
/* The one line kind that is no event kind (docs/JSONL.md has a section for it too). */
#define JSONL_STACK_LINE "stack"
/*
 * The current sweep of S as "stack" lines (docs/JSONL.md): one per group
 * of goroutines of a process with the same stack, most goroutines first.
 * 0 or -errno.
 */
int jsonl__write_sweep(struct jsonl_writer *w, const struct stackset *s);
/* Flushes and closes; returns the first write error seen, if any. Accepts NULL. */
int jsonl__close(struct jsonl_writer *w);

#endif /* XGOTOP_JSONL_H */
