// SPDX-License-Identifier: BSD-2-Clause
/*
 * The stackset as a live session fills it (src/live/stacksweep.c): stacks
 * interned once, whole sweeps adopted without a copy; and the in-place sort
 * a sweep is ordered with (src/core/isort.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isort.h"
#include "stackset.h"
#include "xgotop_event.h"

static const struct stk_frame f_chan[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					  {"runtime.chanrecv1", "/go/src/runtime/chan.go", 506},
					  {"main.wait", "/src/app/main.go", 70}};
/* The same functions and files, another line: another stack. */
static const struct stk_frame f_chan2[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					   {"runtime.chanrecv1", "/go/src/runtime/chan.go", 506},
					   {"main.wait", "/src/app/main.go", 71}};
static const struct stk_frame f_sleep[] = {{"time.Sleep", "/go/src/runtime/time.go", 300},
					   {"main.nap", "/src/app/main.go", 90}};

/* Identical stacks are one id, whatever copy of the strings they come in; others are not. */
static void test_intern(void **state)
{
	struct stackset *s = stackset__new();
	struct stk_frame copy[3];
	char fn[3][64], file[3][64];
	uint32_t a, b, c, d, n, i;
	const struct stk_frame *f;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 3; i++) {
		strcpy(fn[i], f_chan[i].func);
		strcpy(file[i], f_chan[i].file);
		copy[i] = (struct stk_frame){fn[i], file[i], f_chan[i].line};
	}
	a = stackset__intern(s, f_chan, 3);
	b = stackset__intern(s, copy, 3);
	c = stackset__intern(s, f_chan2, 3);
	d = stackset__intern(s, f_chan, 2); /* a prefix is another stack */
	assert_int_not_equal(a, 0);
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
	assert_int_not_equal(d, a);
	assert_int_not_equal(d, c);
	assert_int_equal(stackset__n_stacks(s), 3);
	f = stackset__frames(s, c, &n);
	assert_int_equal(n, 3);
	assert_string_equal(f[2].func, "main.wait");
	assert_int_equal(f[2].line, 71);
	/* Interned strings: equal text, one pointer. */
	assert_ptr_equal(stackset__frames(s, a, &n)[0].func, f[0].func);
	stackset__free(s);
}

/* A sweep of N goroutines (goids 1..N, given in reverse), goroutine G on stack ST. */
static struct stk_entry *sweep_of(size_t n, uint32_t all, uint64_t g, uint32_t st)
{
	struct stk_entry *v = calloc(n, sizeof(*v));
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		uint64_t goid = n - i;

		v[i] = (struct stk_entry){.pid = 7,
					  .goid = goid,
					  .stack = goid == g ? st : all,
					  .status = XG_G_WAITING,
					  .what = STK_OK};
	}
	return v;
}

/*
 * Adopted sweeps: every goroutine on one stack is counted there once a
 * sweep; a goroutine that moves to another stack is found on it in the
 * next sweep and the counts follow; an entry naming no stack is a bad walk.
 */
static void test_adopt(void **state)
{
	struct stackset *s = stackset__new();
	uint32_t chan, nap, count;
	const struct stk_entry *e;
	struct stk_entry *v;
	size_t i;

	(void)state;
	assert_non_null(s);
	chan = stackset__intern(s, f_chan, 3);
	nap = stackset__intern(s, f_sleep, 2);
	assert_int_equal(stackset__sweep_adopt(s, 1000, sweep_of(5000, chan, 0, 0), 5000), 0);
	assert_int_equal(stackset__sweep_n(s), 5000);
	for (i = 1; i < 5000; i++)
		assert_true(stackset__sweep_entry(s, i - 1)->goid <
			    stackset__sweep_entry(s, i)->goid);
	assert_true(stackset__count(s, chan, 0, &count, NULL));
	assert_int_equal(count, 5000);
	assert_int_equal(stackset__lookup(s, 7, 42)->stack, chan);

	/* Goroutine 42 moved to another stack. */
	assert_int_equal(stackset__sweep_adopt(s, 2000, sweep_of(5000, chan, 42, nap), 5000), 0);
	e = stackset__lookup(s, 7, 42);
	assert_non_null(e);
	assert_int_equal(e->stack, nap);
	assert_int_equal(stackset__lookup(s, 7, 41)->stack, chan);
	assert_true(stackset__count(s, chan, 0, &count, NULL));
	assert_int_equal(count, 4999);
	assert_true(stackset__count(s, nap, 0, &count, NULL));
	assert_int_equal(count, 1);
	assert_true(stackset__count(s, chan, 1, &count, NULL));
	assert_int_equal(count, 5000);
	assert_int_equal(stackset__sweep_ts(s), 2000);
	assert_int_equal(stackset__growth(s, nap, 5000), 1);

	/* And back; a stack id the set never gave is no stack. */
	v = sweep_of(3, chan, 2, 99);
	assert_int_equal(stackset__sweep_adopt(s, 3000, v, 3), 0);
	e = stackset__lookup(s, 7, 2);
	assert_int_equal(e->stack, 0);
	assert_int_equal(e->what, STK_BAD);
	assert_int_equal(stackset__lookup(s, 7, 3)->stack, chan);
	assert_null(stackset__lookup(s, 7, 42));
	assert_int_equal(stackset__sweeps(s), 3);
	stackset__free(s);
}

/* A sweep added entry by entry after an adopted one still works (a replay after live). */
static void test_adopt_then_add(void **state)
{
	struct stackset *s = stackset__new();
	uint32_t chan = stackset__intern(s, f_chan, 3);
	struct stk_entry e = {.pid = 7, .goid = 9, .stack = chan, .status = 4, .what = STK_OK};

	(void)state;
	assert_int_equal(stackset__sweep_adopt(s, 1000, sweep_of(10, chan, 0, 0), 10), 0);
	stackset__sweep_begin(s, 2000);
	assert_int_equal(stackset__sweep_add(s, &e), 0);
	assert_int_equal(stackset__sweep_end(s), 0);
	assert_int_equal(stackset__sweep_n(s), 1);
	assert_int_equal(stackset__lookup(s, 7, 9)->stack, chan);
	assert_int_equal(stackset__sweep_adopt(s, 3000, sweep_of(4, chan, 0, 0), 4), 0);
	assert_int_equal(stackset__sweep_n(s), 4);
	stackset__free(s);
}

/*
 * Wait reasons as the 24-byte entry keeps them (issue 12): one id per
 * distinct string, whatever copy it comes in; NULL is 0; past
 * STK_MAX_REASONS distinct ones, 0 and ENOSPC; an id not given out names
 * none, and an entry that carries one is taken without it. The widest pid
 * and stack survive the bit fields.
 */
static void test_reasons(void **state)
{
	struct stackset *s = stackset__new();
	uint32_t chan = stackset__intern(s, f_chan, 3), a, b, i;
	char copy[32], name[32];
	struct stk_entry *v = calloc(2, sizeof(*v));
	uint64_t ts;

	(void)state;
	assert_non_null(v);
	strcpy(copy, "chan receive");
	a = stackset__reason_id(s, "chan receive");
	b = stackset__reason_id(s, "sleep");
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(stackset__reason_id(s, copy), a);
	assert_int_equal(stackset__reason_id(s, NULL), 0);
	assert_string_equal(stackset__reason(s, a), "chan receive");
	assert_string_equal(stackset__reason(s, b), "sleep");
	assert_null(stackset__reason(s, 0));
	assert_null(stackset__reason(s, 3));
	for (i = 3; i <= STK_MAX_REASONS; i++) {
		snprintf(name, sizeof(name), "reason %u", i);
		assert_int_equal(stackset__reason_id(s, name), i);
	}
	errno = 0;
	assert_int_equal(stackset__reason_id(s, "one too many"), 0);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(stackset__reason_id(s, "sleep"), b); /* known ones still are */

	v[0] = (struct stk_entry){
		.pid = STK_PID_MAX, .goid = UINT64_MAX, .stack = chan, .status = 4, .reason = b};
	v[1] = (struct stk_entry){.pid = STK_PID_MAX, .goid = 1, .what = STK_RUNNING, .status = 2};
	assert_int_equal(stackset__sweep_adopt(s, 1000, v, 2), 0);
	assert_int_equal(stackset__lookup(s, STK_PID_MAX, UINT64_MAX)->reason, b);
	assert_int_equal(stackset__lookup(s, STK_PID_MAX, UINT64_MAX)->stack, chan);
	assert_int_equal(stackset__lookup(s, STK_PID_MAX, 1)->reason, 0);
	/* An id not given out: the goroutine alone is refused, a sweep's entry loses it. */
	stackset__free(s);
	s = stackset__new();
	a = stackset__reason_id(s, "chan receive");
	assert_int_equal(stackset__set_one(s, &(struct stk_entry){.goid = 5, .reason = a + 1}, 10),
			 -EINVAL);
	assert_int_equal(stackset__set_one(s, &(struct stk_entry){.goid = 5, .reason = a}, 10), 0);
	assert_int_equal(stackset__latest(s, 0, 5, &ts)->reason, a);
	stackset__sweep_begin(s, 2000);
	assert_int_equal(stackset__sweep_add(s, &(struct stk_entry){.goid = 6, .reason = a + 1}),
			 0);
	assert_int_equal(stackset__sweep_end(s), 0);
	assert_int_equal(stackset__lookup(s, 0, 6)->reason, 0);
	stackset__free(s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct rec24 {
	uint64_t key, tag, pad;
};

static unsigned long compares;

static int cmp_rec(const void *a, const void *b)
{
	compares++;
	return cmp_u64(a, b);
}

/*
 * Sorted like qsort, element for element, in O(N log N) comparisons: random,
 * few keys, sorted, reversed, nearly sorted, and allgs' goids (ascending,
 * the few reused gs' small goids at the end: quadratic with the first,
 * middle and last as pivot candidates).
 */
static void test_isort(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 3, 16, 17, 100, 1000, 65537};
	size_t si, i, kind, lg, m;
	unsigned int seed = 12345;

	(void)state;
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (kind = 0; kind < 6; kind++) {
			size_t n = sizes[si];
			struct rec24 *a = calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));

			assert_non_null(a);
			assert_non_null(b);
			for (i = 0; i < n; i++) {
				uint64_t r = (uint64_t)rand_r(&seed);

				a[i].key = kind == 0	? r
					   : kind == 1	? r % 3
					   : kind == 2	? i
					   : kind == 3	? n - i
					   : kind == 4	? (r % 50 ? i : r % (n + 1))
					   : i + 16 < n ? i + 16
							: i + 16 - n;
				a[i].tag = a[i].key * 7 + 1;
			}
			memcpy(b, a, n * sizeof(*a));
			compares = 0;
			assert_int_equal(xg_isort(a, n, sizeof(*a), cmp_rec), 0);
			for (lg = 1, m = n; m > 1; m >>= 1)
				lg++;
			assert_true(compares <= 4 * n * lg + 64);
			qsort(b, n, sizeof(*b), cmp_rec);
			for (i = 0; i < n; i++) {
				assert_int_equal(a[i].key, b[i].key);
				assert_int_equal(a[i].tag, a[i].key * 7 + 1); /* moved whole */
			}
			free(a);
			free(b);
		}
	}
	assert_int_equal(xg_isort(NULL, 0, XG_ISORT_MAX_SIZE + 1, cmp_rec), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),	       cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_adopt_then_add), cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_isort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
