/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The heap statistics of a live target, no probe: once a second,
 * runtime.memstats.heapStats read from its memory (src/goexe/heapstats.h)
 * becomes a GEV_HEAP_CLASS per size class that changed (every class in use,
 * every tenth second) and a GEV_HEAP with the totals, for the state table,
 * JSONL and the recording.
 */
#ifndef XGOTOP_HEAPSRC_H
#define XGOTOP_HEAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gevent.h"
#include "heapstats.h"

struct goelf;

typedef int (*heap_emit_fn)(const struct gev *ev, void *ctx);

/*
 * The events of sample CUR stamped TS: a GEV_HEAP_CLASS for each size
 * class and for large objects (XG_ALLOC_LARGE) that differs from PREV
 * (NULL: each one with a non-zero count), then a GEV_HEAP. 0 or the first
 * non-zero EMIT result.
 */
int heapsrc__events(const struct heap_layout *l, const struct heap_sample *prev,
		    const struct heap_sample *cur, uint64_t ts, uint32_t pid, heap_emit_fn emit,
		    void *ctx);

struct heap_src;

/* PID running GE, the binary at PATH. NULL with ERR set when its heap cannot be read. */
struct heap_src *heap_src__open(const struct goelf *ge, const char *path, pid_t pid, char *err,
				size_t errlen);
void heap_src__free(struct heap_src *s);
/*
 * Read and emit a sample when one is due at NOW (CLOCK_MONOTONIC ns, one a
 * second). 0, the first non-zero EMIT result, or -ESRCH (gone). A read that
 * fails otherwise (no runtime yet, an inconsistent read) waits for the next.
 */
int heap_src__pump(struct heap_src *s, uint64_t now, heap_emit_fn emit, void *ctx);

struct heap_src_stats {
	uint64_t samples; /* read and emitted */
	uint64_t retries; /* reads that found no consistent state and waited for the next */
	uint64_t read_ns; /* CLOCK_MONOTONIC time spent reading, all samples */
};
void heap_src__stats(const struct heap_src *s, struct heap_src_stats *out);

#endif /* XGOTOP_HEAPSRC_H */
