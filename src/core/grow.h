/* SPDX-License-Identifier: BSD-2-Clause */
/* Arrays that grow by doubling: appending N elements one at a time costs O(N), not O(N^2). */
#ifndef XGOTOP_GROW_H
#define XGOTOP_GROW_H

#include <errno.h>
#include <stdlib.h>

/* Make *V hold at least WANT elements of ELEM bytes (*CAP: what it holds). 0 or -ENOMEM. */
static inline int xg_grow(void **v, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	p = realloc(*v, n * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

#endif /* XGOTOP_GROW_H */
