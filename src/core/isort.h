/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sorting without a second copy. glibc's qsort (2.36) is a merge sort
 * into a buffer as large as the array: sorting a 1M-goroutine stack sweep
 * (40 MB of entries) took 40 MB more at the tracer's peak. This one sorts
 * in place (introsort: quicksort, median of three, the smaller side
 * first; heapsort when the pivots keep choosing badly; insertion sort for
 * short runs), O(N log N), not stable.
 */
#ifndef XGOTOP_ISORT_H
#define XGOTOP_ISORT_H

#include <stddef.h>

#define XG_ISORT_MAX_SIZE 64 /* bytes of an element, at most */

/* qsort's contract, SIZE at most XG_ISORT_MAX_SIZE (larger: not sorted, -EINVAL). */
int xg_isort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif /* XGOTOP_ISORT_H */
