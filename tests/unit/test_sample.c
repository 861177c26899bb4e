// SPDX-License-Identifier: BSD-2-Clause
/*
 * -sample: the parser (xgotop's names and ours, every way a spec can be
 * wrong), the thresholds the BPF programs compare with, and the goroutine
 * hash, pinned to the values the test checker (tests/e2e/checker/sample.go)
 * computes, and to the fraction of goroutines it keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sample.h"

static void test_parse_good(void **state)
{
	struct sample_spec s;
	char err[256] = "", buf[256];

	(void)state;
	assert_int_equal(sample__parse("casgstatus:0.5,newgoroutine:0.25,goexit:1,makeslice:0,"
				       "makemap:0.6,newobject:0.2,goroutine:0.3",
				       &s, err, sizeof(err)),
			 0);
	assert_true(s.rate[XG_SMP_CASGSTATUS] == 0.5);
	assert_true(s.rate[XG_SMP_NEWGOROUTINE] == 0.25);
	assert_true(s.rate[XG_SMP_GOEXIT] == 1.0);
	assert_true(s.rate[XG_SMP_MAKESLICE] == 0.0);
	assert_true(s.rate[XG_SMP_MAKEMAP] == 0.6);
	assert_true(s.rate[XG_SMP_NEWOBJECT] == 0.2);
	assert_true(s.rate[XG_SMP_GOROUTINE] == 0.3);
	assert_true(sample__active(&s));
	sample__format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "casgstatus:0.5,newgoroutine:0.25,makeslice:0,makemap:0.6,"
				 "newobject:0.2,goroutine:0.3");

	/* Unlisted events are kept whole; "all" is everything. */
	assert_int_equal(sample__parse("goroutine:1e-1", &s, err, sizeof(err)), 0);
	assert_true(s.rate[XG_SMP_GOROUTINE] == 0.1);
	assert_true(s.rate[XG_SMP_CASGSTATUS] == 1.0);
	assert_int_equal(sample__parse("all", &s, err, sizeof(err)), 0);
	assert_false(sample__active(&s));
	sample__format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "all");
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *spec, *why;
	} bad[] = {
		{"", "empty spec"},
		{"goroutine", "\"goroutine\" is not event:rate"},
		{"foo:0.5", "unknown event \"foo\""},
		{"goroutine:1.5", "goroutine: rate 1.5 is outside [0, 1]"},
		{"goroutine:-0.1", "goroutine: rate -0.1 is outside [0, 1]"},
		{"goroutine:abc", "goroutine: rate \"abc\" is not a number"},
		{"goroutine:", "goroutine: rate \"\" is not a number"},
		{"goroutine:0.5x", "goroutine: rate \"0.5x\" is not a number"},
		{"goroutine:nan", "goroutine: rate \"nan\" is not a number"},
		{"goroutine:0.1,goroutine:0.2", "goroutine given twice"},
		{"goroutine:0.1,", "empty item"},
		{",goroutine:0.1", "empty item"},
		{"casgstatus:0.5 ,goexit:1", "casgstatus: rate \"0.5 \" is not a number"},
	};
	struct sample_spec s, before;
	char err[256];
	size_t i;

	(void)state;
	sample__all(&s);
	s.rate[XG_SMP_GOEXIT] = 0.5;
	before = s;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sample__parse(bad[i].spec, &s, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("spec \"%s\": error \"%s\", want \"%s\"", bad[i].spec, err,
				 bad[i].why);
		/* Untouched on error. */
		assert_memory_equal(&s, &before, sizeof(s));
	}
}

static void test_to_bpf(void **state)
{
	struct sample_spec s;
	struct xg_sample b;
	char err[64];

	(void)state;
	sample__all(&s);
	sample__to_bpf(&s, false, &b);
	assert_int_equal(b.on, 0);
	assert_true(b.thresh[XG_SMP_GOROUTINE] == XG_SMP_ALL);
	assert_int_equal(sample__parse("goroutine:0.5,newobject:0", &s, err, sizeof(err)), 0);
	sample__to_bpf(&s, true, &b);
	assert_int_equal(b.on, 1);
	assert_int_equal(b.goid_late, 1);
	assert_true(b.thresh[XG_SMP_GOROUTINE] == 1ull << 31);
	assert_true(b.thresh[XG_SMP_NEWOBJECT] == 0);
	assert_true(b.thresh[XG_SMP_CASGSTATUS] == XG_SMP_ALL);
	assert_true(sample__thresh(0.3) == 1288490189ull);
}

static void test_goid_hash(void **state)
{
	uint64_t thresh = sample__thresh(0.3), goid;
	unsigned int kept = 0;

	(void)state;
	/* The same values as TestGoidHash in tests/e2e/checker/sample_test.go. */
	assert_true(xg_goid_hash(4242, 17) == 1702490152ull);
	assert_true(xg_goid_hash(1, 1) == 987723795ull);
	assert_true(xg_goid_hash(4194304, 123456789) == 136018808ull);
	/* Consecutive goids of one process: the rate is kept, a goroutine is in or out. */
	for (goid = 1; goid <= 100000; goid++)
		kept += xg_goid_sampled(thresh, 31337, goid);
	assert_in_range(kept, 29500, 30500);
	assert_true(xg_goid_sampled(XG_SMP_ALL, 5, 7));
	assert_false(xg_goid_sampled(0, 5, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_to_bpf),
		cmocka_unit_test(test_goid_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
