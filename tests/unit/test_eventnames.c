// SPDX-License-Identifier: BSD-2-Clause
/* Names of GC phases, triggers and stop-the-world reasons, per Go release. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gevent.h"
#include "gotables.h"

static void test_stw_reasons(void **state)
{
	int minor;

	(void)state;
	assert_false(go_tables__stw_has_reason(1, 19));
	assert_false(go_tables__stw_has_reason(1, 20));
	for (minor = 21; minor <= 26; minor++) {
		assert_true(go_tables__stw_has_reason(1, minor));
		assert_string_equal(go_tables__stw_reason(1, minor, 0), "unknown");
		assert_string_equal(go_tables__stw_reason(1, minor, 1), "GC mark termination");
		assert_string_equal(go_tables__stw_reason(1, minor, 2), "GC sweep termination");
		assert_string_equal(go_tables__stw_reason(1, minor, 6),
				    "all goroutines stack trace");
		assert_string_equal(go_tables__stw_reason(1, minor, 7), "read mem stats");
		assert_string_equal(go_tables__stw_reason(1, minor, 9), "GOMAXPROCS");
		assert_string_equal(go_tables__stw_reason(1, minor, 16), "ResetDebugLog (test)");
		assert_null(go_tables__stw_reason(1, minor, 17));
		assert_null(go_tables__stw_reason(1, minor, 255));
	}
	/* No reasons before go1.21; a newer release may renumber: "#N", never a wrong name. */
	assert_null(go_tables__stw_reason(1, 20, 1));
	assert_null(go_tables__stw_reason(1, 27, 1));
	assert_null(go_tables__stw_reason(2, 0, 1));
}

static void test_gc_names(void **state)
{
	(void)state;
	assert_string_equal(gev_gc_phase_name(1), "start");
	assert_string_equal(gev_gc_phase_name(2), "mark_termination");
	assert_string_equal(gev_gc_phase_name(3), "sweep");
	assert_string_equal(gev_gc_phase_name(4), "stw_start");
	assert_string_equal(gev_gc_phase_name(5), "stw_end");
	assert_string_equal(gev_gc_phase_name(6), "end");
	assert_string_equal(gev_gc_phase_name(0), "unknown");
	assert_string_equal(gev_gc_phase_name(7), "unknown");
	assert_string_equal(gev_gc_trigger_name(0), "heap");
	assert_string_equal(gev_gc_trigger_name(1), "time");
	assert_string_equal(gev_gc_trigger_name(2), "cycle");
	assert_string_equal(gev_gc_trigger_name(3), "unknown");
}

/* Experiments in the version string (go1.26 spells them after a dash). */
static void test_experiment_versions(void **state)
{
	int major = 0, minor = 0;

	(void)state;
	assert_int_equal(go_version_parse("go1.26.8-X:sizespecializedmalloc", &major, &minor), 0);
	assert_int_equal(major, 1);
	assert_int_equal(minor, 26);
	assert_int_equal(go_version_parse("go1.22.0 X:loopvar", &major, &minor), 0);
	assert_int_equal(minor, 22);
	assert_int_equal(go_version_parse("go1.26.8-rc", &major, &minor), -EINVAL);
	assert_int_equal(go_version_parse("go1.26.8-", &major, &minor), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stw_reasons),
		cmocka_unit_test(test_gc_names),
		cmocka_unit_test(test_experiment_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
