/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An in-memory stand-in for one BPF ring buffer: fixed capacity, one
 * writer (the feed, in place of the probes) and one reader; a record that
 * does not fit is dropped and counted, as bpf_ringbuf_reserve() fails and
 * the probe counts a drop. The reader sleeps briefly when the ring is empty
 * (in place of epoll on the ring's fd).
 *
 * Shared by tests/unit/test_workers.c and bench/bench_workers.c.
 * Header-only, no global state.
 */
#ifndef XGOTOP_TESTS_MEM_RING_H
#define XGOTOP_TESTS_MEM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "xgotop_event.h"

struct mem_ring {
	_Atomic uint64_t head; /* the reader's */
	char pad0[56];
	_Atomic uint64_t tail; /* the writer's */
	_Atomic uint64_t drops;
	char pad1[48];
	uint64_t cap; /* records, a power of two */
	struct xg_event *rec;
};

static inline int mem_ring_init(struct mem_ring *r, uint64_t cap)
{
	uint64_t c = 1;

	while (c < cap)
		c <<= 1;
	r->cap = c;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->drops, 0);
	r->rec = (struct xg_event *)calloc(c, sizeof(*r->rec));
	return r->rec ? 0 : -1;
}

static inline void mem_ring_fini(struct mem_ring *r)
{
	free(r->rec);
	r->rec = NULL;
}

/* The writer: false (and a drop) when the ring is full. */
static inline bool mem_ring_write(struct mem_ring *r, const struct xg_event *rec)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t - atomic_load_explicit(&r->head, memory_order_acquire) == r->cap) {
		atomic_fetch_add_explicit(&r->drops, 1, memory_order_relaxed);
		return false;
	}
	r->rec[t & (r->cap - 1)] = *rec;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return true;
}

static inline uint64_t mem_ring_used(struct mem_ring *r)
{
	return atomic_load(&r->tail) - atomic_load(&r->head);
}

typedef int (*mem_ring_fn)(void *ctx, const struct xg_event *rec);

/*
 * The reader: everything in the ring, through FN; when it is empty, wait
 * for records up to TIMEOUT_MS. How many records were read, or FN's error.
 */
static inline int mem_ring_read(struct mem_ring *r, int timeout_ms, mem_ring_fn fn, void *ctx)
{
	struct timespec nap = {0, 50 * 1000};
	int waited_us = 0, n = 0, err;

	for (;;) {
		uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
		uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

		for (; h != t; h++) {
			err = fn(ctx, &r->rec[h & (r->cap - 1)]);
			if (err) {
				atomic_store_explicit(&r->head, h + 1, memory_order_release);
				return err;
			}
			n++;
			/* Give room back as we go, as the kernel's consumer position moves. */
			if ((h & 255) == 255)
				atomic_store_explicit(&r->head, h + 1, memory_order_release);
		}
		atomic_store_explicit(&r->head, h, memory_order_release);
		if (n || waited_us >= timeout_ms * 1000)
			return n;
		nanosleep(&nap, NULL);
		waited_us += 50;
	}
}

#endif /* XGOTOP_TESTS_MEM_RING_H */
