// SPDX-License-Identifier: BSD-2-Clause
#include "isort.h"

#include <errno.h>
#include <string.h>

#define SHORT 16 /* runs this long or shorter: insertion sort */

static void swap(unsigned char *a, unsigned char *b, size_t size)
{
	unsigned char t[XG_ISORT_MAX_SIZE];

	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

static void insertion(unsigned char *b, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	unsigned char t[XG_ISORT_MAX_SIZE];
	size_t i, j;

	for (i = 1; i < n; i++) {
		if (cmp(b + (i - 1) * size, b + i * size) <= 0)
			continue;
		memcpy(t, b + i * size, size);
		for (j = i; j > 0 && cmp(b + (j - 1) * size, t) > 0; j--)
			memcpy(b + j * size, b + (j - 1) * size, size);
		memcpy(b + j * size, t, size);
	}
}

/* A[k] sifted down the heap of A[0, N). */
static void sift(unsigned char *a, size_t k, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t c = 2 * k + 1;

		if (c >= n)
			return;
		if (c + 1 < n && cmp(a + c * size, a + (c + 1) * size) < 0)
			c++;
		if (cmp(a + k * size, a + c * size) >= 0)
			return;
		swap(a + k * size, a + c * size, size);
		k = c;
	}
}

/* What quicksort falls back on when its pivots keep choosing badly: O(N log N) always. */
static void heapsort(unsigned char *a, size_t n, size_t size,
		     int (*cmp)(const void *, const void *))
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift(a, i, n, size, cmp);
	for (i = n; i-- > 1;) {
		swap(a, a + i * size, size);
		sift(a, 0, i, size, cmp);
	}
}

static const unsigned char *median3(const unsigned char *x, const unsigned char *y,
				    const unsigned char *z, int (*cmp)(const void *, const void *))
{
	if (cmp(x, y) < 0)
		return cmp(y, z) < 0 ? y : cmp(x, z) < 0 ? z : x;
	return cmp(x, z) < 0 ? x : cmp(y, z) < 0 ? z : y;
}

/*
 * Hoare's partition of B[0, N) (N > SHORT) around the median of the
 * elements at a quarter, half and three quarters: the size of the left
 * part, in [1, N - 1] (the pivot is an element before the last). Not the
 * first and last: an ascending array with a few small elements at its end
 * (allgs: gs reused by new goroutines) made that choice split off a few
 * elements at every step.
 */
static size_t partition(unsigned char *b, size_t n, size_t size,
			int (*cmp)(const void *, const void *))
{
	unsigned char piv[XG_ISORT_MAX_SIZE];
	size_t i = 0, j = n - 1;

	memcpy(piv, median3(b + n / 4 * size, b + n / 2 * size, b + 3 * n / 4 * size, cmp), size);
	/* The pivot's own element stops both scans the first time, swapped ones after. */
	for (;;) {
		while (cmp(b + i * size, piv) < 0)
			i++;
		while (cmp(piv, b + j * size) < 0)
			j--;
		if (i >= j)
			return j + 1;
		swap(b + i * size, b + j * size, size);
		i++;
		j--;
	}
}

static void sort(unsigned char *b, size_t n, size_t size, int (*cmp)(const void *, const void *),
		 unsigned int depth)
{
	while (n > SHORT) {
		size_t left;

		if (!depth--) {
			heapsort(b, n, size, cmp);
			return;
		}
		left = partition(b, n, size, cmp);
		/* The smaller side by recursion, the larger by the loop: log2(N) deep at most. */
		if (left < n - left) {
			sort(b, left, size, cmp, depth);
			b += left * size;
			n -= left;
		} else {
			sort(b + left * size, n - left, size, cmp, depth);
			n = left;
		}
	}
	insertion(b, n, size, cmp);
}

int xg_isort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned int depth = 0;
	size_t m;

	if (size > XG_ISORT_MAX_SIZE || !size)
		return -EINVAL;
	for (m = n; m > 1; m >>= 1)
		depth += 2;
	if (n > 1)
		sort(base, n, size, cmp, depth);
	return 0;
}
