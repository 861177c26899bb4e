// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the stack sweep compares between two reads of a g (src/live/gsnap.c):
 * a goroutine that ran in between and parked again at the same PC and SP
 * must not pass for one that stayed (e2e.stacks_churn printed torn stacks).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gsnap.h"

#define WIN 320 /* stacks.c's G_WINDOW */

/* runtime.g.goid of each release 1.19 .. 1.26 (gotables_data.c) */
static const uint32_t goids[] = {152, 152, 152, 152, 160, 160, 152, 152};

/* A parked g of Go 1.MINOR in W (random bytes elsewhere): its layout in L. */
static void parked(int minor, struct g_layout *l, uint8_t *w)
{
	uint64_t lo = 0xc000100000, hi = lo + 8192, sp = hi - 400, pc = 0x43a1ce, st = 4;
	size_t i;

	assert_int_equal(g_layout__init(l, minor, goids[minor - 19]), 0);
	for (i = 0; i < WIN; i++)
		w[i] = (uint8_t)rand();
	memset(w + l->syscallsp, 0, 16);
	memcpy(w + G_STACK_LO, &lo, 8);
	memcpy(w + G_STACK_HI, &hi, 8);
	memcpy(w + G_SCHED_SP, &sp, 8);
	memcpy(w + G_SCHED_PC, &pc, 8);
	memcpy(w + l->status, &st, 4);
}

static bool same_windows(const struct g_layout *l, const uint8_t *a, const uint8_t *b)
{
	struct gsnap x, y;

	gsnap__read(l, a, &x);
	gsnap__read(l, b, &y);
	return gsnap__same(&x, &y);
}

/* Every release: the compared fields inside the bytes read, trackingSeq apart from the others. */
static void test_layouts(void **state)
{
	int minor;

	(void)state;
	for (minor = 19; minor <= 26; minor++) {
		struct g_layout l;
		uint32_t s;

		assert_int_equal(g_layout__init(&l, minor, goids[minor - 19]), 0);
		s = l.tracking_seq;
		assert_true(l.len <= WIN);
		assert_true(s < l.len && l.goid + 8 <= l.len && l.syscallpc + 8 <= l.len);
		assert_true(s >= G_SCHED_PC + 8);
		assert_true(s >= l.goid + 8 || s + 1 <= l.status);
		assert_true(s >= l.syscallpc + 8 || s + 1 <= l.syscallsp);
		assert_true(s >= l.lockedm + 8 || s + 1 <= l.lockedm);
	}
	assert_int_equal(g_layout__init(&(struct g_layout){0}, 18, 152), -ENOENT);
	assert_int_equal(g_layout__init(&(struct g_layout){0}, 27, 152), -ENOENT);
}

/*
 * Ran and parked again at the same PC and SP: only trackingSeq differs,
 * and the two reads are not the same goroutine where it was.
 */
static void test_ran_between(void **state)
{
	uint8_t a[WIN], b[WIN];
	int minor;

	(void)state;
	for (minor = 19; minor <= 26; minor++) {
		struct g_layout l;
		uint32_t bit;

		parked(minor, &l, a);
		memcpy(b, a, WIN);
		assert_true(same_windows(&l, a, b));
		/* bytes outside the compared fields (waitreason, m, ...) say nothing */
		b[l.goid + 16] ^= 0xff;
		assert_true(same_windows(&l, a, b));
		memcpy(b, a, WIN);
		b[l.tracking_seq]++;
		assert_false(same_windows(&l, a, b));
		/* 256 times off running in between: what it cannot see (gsnap.c) */
		b[l.tracking_seq] += 255;
		assert_true(same_windows(&l, a, b));
		/* every other field compared */
		for (bit = 0; bit < 64; bit += 13) {
			uint32_t at[] = {G_STACK_LO,  G_STACK_HI,  G_SCHED_SP, G_SCHED_PC,
					 l.syscallsp, l.syscallpc, l.goid};
			size_t k;

			for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
				memcpy(b, a, WIN);
				b[at[k] + bit / 8] ^= (uint8_t)(1u << (bit % 8));
				assert_false(same_windows(&l, a, b));
			}
			memcpy(b, a, WIN);
			b[l.status + (bit / 8) % 4] ^= (uint8_t)(1u << (bit % 8));
			assert_false(same_windows(&l, a, b));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_ran_between),
	};

	srand(7);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
