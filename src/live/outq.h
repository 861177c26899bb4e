/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An output file written by a thread of its own: the tracing thread hands
 * over blocks and goes on reading the target, whatever the file's reader
 * or the disk does meanwhile (a FIFO nobody reads, writeback throttling
 * under heavy IO: write(2) can block for seconds). Blocks wait in memory,
 * up to a bound; past it the one who hands over waits for room.
 */
#ifndef XG_OUTQ_H
#define XG_OUTQ_H

#include <stddef.h>
#include <stdint.h>

struct outq;

struct outq_stats {
	uint64_t max_queued; /* most bytes waiting at once */
	uint64_t full_waits; /* hand-overs that waited for room */
	uint64_t full_ns;    /* how long they waited, in all */
};

/* The writer of FD (not owned: closed by the caller after outq__close), at most MAX bytes queued.
 */
struct outq *outq__new(int fd, size_t max, int *err);
/*
 * A copy of BUF (N bytes) queued for writing. 0, or the first error the
 * writer met (-errno: EPIPE, ENOSPC ...), sticky: nothing more is written.
 */
int outq__put(struct outq *q, const void *buf, size_t n);
/* Everything queued written, the thread ended: 0 or the first error. Frees Q. */
int outq__close(struct outq *q, struct outq_stats *st);

#endif
