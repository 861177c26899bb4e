/* SPDX-License-Identifier: BSD-2-Clause */
/* Reading a goroutine's history in the tests: one span, one state's total. */
#ifndef XGOTOP_TEST_GENTRY_READ_H
#define XGOTOP_TEST_GENTRY_READ_H

#include "gtable.h"

/* The I-th oldest span of E (zeros when out of range). */
static inline struct gstate_span sp(const struct gentry *e, uint32_t i)
{
	struct gstate_span b = {0};

	gentry__span(e, i, &b);
	return b;
}

/* E's time in STATE over its closed spans. */
static inline uint64_t ns_in(const struct gentry *e, unsigned int state)
{
	uint64_t t[GT_NSTATES];

	gentry__totals(e, t);
	return t[state];
}

#endif
