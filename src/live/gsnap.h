/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fields of a g that say whether its goroutine moved between two reads
 * of it (the stack sweep, stacks.c), and where they are in each release's
 * runtime.g. Pure: windows in, structs out.
 */
#ifndef XGOTOP_GSNAP_H
#define XGOTOP_GSNAP_H

#include <stdbool.h>
#include <stdint.h>

/* Fixed in every release 1.19 to 1.26: g.stack {lo, hi}, g.sched {sp, pc, ...}. */
#define G_STACK_LO 0
#define G_STACK_HI 8
#define G_SCHED_SP 56
#define G_SCHED_PC 64

/* Offsets in a g of one release. */
struct g_layout {
	uint32_t goid, status, syscallsp, syscallpc, lockedm, tracking_seq;
	uint32_t len; /* bytes from the g's start that hold every field of struct gsnap */
};

/*
 * The layout of Go 1.MINOR's g, whose goid is at GOID (the offsets tables'
 * runtime.g.goid: DWARF, or the table for a stripped binary). 0, or
 * -ENOENT for a release it does not know.
 */
int g_layout__init(struct g_layout *l, int minor, uint32_t goid);

struct gsnap {
	uint64_t goid, sched_sp, sched_pc, sys_sp, sys_pc, lo, hi;
	uint32_t status;
	uint8_t tracking_seq;
};

/* The fields of the g whose first L->len bytes are at W. */
void gsnap__read(const struct g_layout *l, const uint8_t *w, struct gsnap *s);
/* Whether two reads of a g saw the same goroutine, where it was, never run in between. */
bool gsnap__same(const struct gsnap *a, const struct gsnap *b);

#endif
