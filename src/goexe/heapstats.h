/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Go runtime's own allocation counters, read from the target's memory:
 * no probe. runtime.memstats.heapStats (a consistentHeapStats: three
 * generations of heapStatsDelta and a generation number) holds, summed over
 * its generations, the numbers behind runtime/metrics'
 * /gc/heap/allocs-by-size:bytes and /gc/heap/frees-by-size:bytes: objects
 * allocated and freed per size class, large objects and their bytes, tiny
 * allocations. This file knows where they are per Go release and how to
 * read them consistently; src/live/heapsrc.c does the I/O.
 *
 * What the counts promise (runtime/mcache.go, go1.19 to go1.26): a span's
 * allocations are added when the span leaves its P's mcache (refill, or
 * releaseAll at each GC's mark termination), tiny allocations at the tiny
 * span's refill; frees at sweep. So they lag the program by what the Ps'
 * cached spans hold (at most a span per size class and P), and are exact
 * just after a GC, as runtime/metrics' are.
 */
#ifndef XGOTOP_HEAPSTATS_H
#define XGOTOP_HEAPSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "xgotop_event.h"

struct goelf;

/* Offsets are from the start of runtime.memstats.heapStats. */
struct heap_layout {
	uint64_t addr;	     /* link-time address of runtime.memstats.heapStats */
	uint32_t delta_size; /* sizeof(heapStatsDelta) */
	uint32_t gen;	     /* consistentHeapStats.gen, a uint32 */
	/* Within a heapStatsDelta. */
	uint32_t tiny, large_alloc, large_alloc_count, small_alloc;
	uint32_t large_free, large_free_count, small_free;
	uint16_t class_size[XG_ALLOC_NCLASSES]; /* runtime.class_to_size */
};

/* The layout of release major.minor, heapStats at ADDR. 0, or -ENOENT for an unknown release. */
int heap__layout_for(int major, int minor, uint64_t addr, struct heap_layout *l);

/*
 * runtime.memstats in GE: its symbol, else (stripped) the receiver the
 * runtime's mcache code passes to consistentHeapStats.acquire. 0 and *HOW
 * ("symtab", "the receiver of heapStats.acquire"); -ENOENT; -EINVAL when
 * the calls disagree.
 */
int heap__find_memstats(const struct goelf *ge, uint64_t *addr, const char **how);
/* The code's answer alone (tests/gotables compares it with the symbol). */
int heap__memstats_from_code(const struct goelf *ge, uint64_t *addr);

/*
 * The layout for the binary GE: runtime.memstats from heap__find_memstats.
 * 0, or -ENOENT / -ENOTSUP with ERR saying why (stripped, unknown release).
 */
int heap__layout(const struct goelf *ge, struct heap_layout *l, char *err, size_t errlen);

/* The counters, summed over the three generations. Index 0 of the arrays is unused. */
struct heap_sample {
	uint64_t allocs[XG_ALLOC_NCLASSES]; /* objects per size class */
	uint64_t frees[XG_ALLOC_NCLASSES];
	uint64_t tiny; /* tiny allocations (combined into 16-byte blocks of class 2) */
	uint64_t large_allocs, large_alloc_bytes, large_frees, large_free_bytes;
};

/* What runtime/metrics derives (runtime/metrics.go heapStatsAggregate.compute). */
struct heap_totals {
	uint64_t allocs, alloc_bytes; /* /gc/heap/allocs:objects, :bytes (tiny not counted) */
	uint64_t frees, free_bytes;   /* /gc/heap/frees:objects, :bytes */
	uint64_t live_objects;	      /* /gc/heap/objects:objects */
	uint64_t live_bytes;	      /* /memory/classes/heap/objects:bytes */
};
void heap__totals(const struct heap_layout *l, const struct heap_sample *s,
		  struct heap_totals *out);

struct heap_iov {
	uint64_t addr;
	void *buf;
	size_t len;
};
/* Read N ranges IN ORDER; 0, or -errno (-ESRCH: the process is gone). */
typedef int (*heap_read_fn)(const struct heap_iov *iov, size_t n, void *ctx);

/*
 * One consistent read of the counters at l->addr + BIAS into OUT.
 * 0; -EAGAIN when no consistent read came in a few tries (a
 * runtime/metrics read merging generations, or torn values: try again
 * later); -EINVAL when what was read is not plausible; READ's -errno.
 */
int heap__read(const struct heap_layout *l, uint64_t bias, heap_read_fn read, void *ctx,
	       struct heap_sample *out);

#endif /* XGOTOP_HEAPSTATS_H */
