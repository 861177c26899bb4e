// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the heap statistics reader (src/goexe/heapstats.c):
 * the target's memory is untrusted. The first byte picks the Go release
 * (go1.19 + byte % 8), the rest is runtime.memstats.heapStats as read (cut
 * short or zero-padded to the size of consistentHeapStats).
 *
 * Beyond not crashing or reading outside what it asked for: a sample it
 * accepts is plausible (no count of 2^48 or more, large frees never above
 * large allocations), and a refused one leaves no half state to be used.
 * Seeds: tests/fuzz/corpus/heapstats (zero memory, a quiet runtime, a merge
 * in progress, torn counts).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heapstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0x400000ull

struct mem {
	const uint8_t *p;
	size_t len;
};

static int mem_read(const struct heap_iov *iov, size_t n, void *ctx)
{
	const struct mem *m = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t off = iov[i].addr - BASE;

		if (iov[i].addr < BASE || off > m->len || iov[i].len > m->len - off)
			abort(); /* the reader asked for more than heapStats */
		memcpy(iov[i].buf, m->p + off, iov[i].len);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct heap_layout l;
	struct heap_sample s;
	struct heap_totals t;
	struct mem m;
	uint8_t *img;
	unsigned int i;

	if (!size || heap__layout_for(1, 19 + data[0] % 8, BASE, &l))
		return 0;
	m.len = l.gen + 4;
	img = calloc(1, m.len);
	if (!img)
		return 0;
	memcpy(img, data + 1, size - 1 < m.len ? size - 1 : m.len);
	m.p = img;
	if (!heap__read(&l, 0, mem_read, &m, &s)) {
		if (s.large_frees > s.large_allocs || s.large_free_bytes > s.large_alloc_bytes ||
		    s.tiny >> 48 || s.large_allocs >> 48)
			abort();
		for (i = 1; i < XG_ALLOC_NCLASSES; i++)
			if (s.allocs[i] >> 48 || s.frees[i] >> 48)
				abort();
		heap__totals(&l, &s, &t);
	}
	free(img);
	return 0;
}
