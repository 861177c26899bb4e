/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the views know beyond the state table's core fields, behind small
 * functions: each says honestly when it has no data (-ENODATA) and why, so
 * that the views show "no data" instead of zeros. When the allocation, GC
 * and scheduler events land in the state table, only this file changes.
 * Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_DATA_H
#define XGOTOP_TUI_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gentry;
struct gtable;
struct xg_target_info;

/*
 * CPU share of E over [FROM, TO], per mille: time in _Grunning (on a P,
 * executing Go code), from its span history. When the history does not
 * reach back to FROM, the share of the part it covers stands for the rest.
 */
unsigned int xd_cpu_permille(const struct gentry *e, uint64_t from, uint64_t to);

/* Bytes and objects E allocated. -ENODATA: no allocation events. */
int xd_allocs(const struct gentry *e, uint64_t *bytes, uint64_t *objects);

/* Allocation counts per Go size class (whole process if E is NULL). */
#define XD_SIZE_CLASSES 68
struct xd_alloc_hist {
	uint32_t n;			   /* classes used */
	uint32_t size[XD_SIZE_CLASSES];	   /* upper bound of each class, bytes */
	uint64_t count[XD_SIZE_CLASSES];   /* objects */
	uint64_t bytes[XD_SIZE_CLASSES];   /* bytes */
	uint64_t large_count, large_bytes; /* above the largest class */
};
int xd_alloc_hist(const struct gtable *gt, const struct gentry *e, struct xd_alloc_hist *out);

/* One GC cycle, for the GC view and the band above the timeline. */
struct xd_gc_cycle {
	uint32_t n;
	uint64_t start, end;	    /* ns, event clock: mark start, sweep done */
	uint64_t stw_start, stw_ns; /* the stop-the-world pauses, summed */
	uint64_t heap_before, heap_after;
};
/* Up to MAX most recent cycles, oldest first, into OUT; count or -ENODATA. */
int xd_gc_cycles(const struct gtable *gt, struct xd_gc_cycle *out, size_t max);

/* Why the allocation / GC / CPU data is absent, for the views (one line). */
const char *xd_alloc_why(const struct xg_target_info *info);
const char *xd_gc_why(const struct xg_target_info *info);

#endif /* XGOTOP_TUI_DATA_H */
