/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small map from pointers to 32-bit values. The tracer interns strings
 * (function names, wait reasons), so a per-frame question about a string
 * ("does it match the filter?", "what is its rank?") is asked once per
 * distinct pointer, not once per goroutine. Pure: no ncurses.
 */
#ifndef XGOTOP_TUI_PTRMAP_H
#define XGOTOP_TUI_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ptrmap {
	struct ptrmap_slot {
		const void *key; /* NULL: empty */
		uint32_t val;
	} * slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

/* VAL for KEY; false when absent. KEY must not be NULL. */
bool ptrmap__get(const struct ptrmap *m, const void *key, uint32_t *val);
/* 0, or -ENOMEM (the map is unchanged). */
int ptrmap__put(struct ptrmap *m, const void *key, uint32_t val);
/* Forget every key; the memory stays for the next use. */
void ptrmap__clear(struct ptrmap *m);
void ptrmap__free(struct ptrmap *m);

#endif /* XGOTOP_TUI_PTRMAP_H */
