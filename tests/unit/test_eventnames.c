// SPDX-License-Identifier: BSD-2-Clause
/*
 * Names: the event-kind registry against docs/JSONL.md and the JSONL
 * writer, and the names of GC phases, triggers and stop-the-world reasons,
 * per Go release.
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

#include "gevent.h"
#include "gotables.h"
#include "jsonl.h"
#include "xgotop_event.h"

/* CMake compiles this file by its absolute path: the docs are two folders up. */
static void jsonl_md(char *out, size_t len)
{
	const char *slash = strrchr(__FILE__, '/');

	snprintf(out, len, "%.*s/../../docs/JSONL.md", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
}

/* One row per kind, at its own index, with a name of its own and a scope. */
static void test_kind_rows(void **state)
{
	int k, j;

	(void)state;
	assert_null(gev_kind_info(0));
	assert_null(gev_kind_info(-1));
	assert_null(gev_kind_info(GEV_KIND_MAX + 1));
	for (k = 1; k <= GEV_KIND_MAX; k++) {
		const struct gev_kind_info *ki = gev_kind_info(k);

		assert_non_null(ki);
		assert_int_equal(ki->kind, k);
		assert_non_null(ki->name);
		assert_true(ki->name[0] != '\0');
		assert_true(ki->scope >= GEV_SCOPE_GOROUTINE && ki->scope <= GEV_SCOPE_PROCESS);
		for (j = 1; j < k; j++)
			assert_string_not_equal(gev_kind_info(j)->name, ki->name);
	}
}

/* The kinds a ring record becomes share its scope: the workers shard by it. */
static void test_kind_records(void **state)
{
	int k;

	(void)state;
	for (k = 1; k <= GEV_KIND_MAX; k++) {
		const struct gev_kind_info *ki = gev_kind_info(k);

		if (ki->record)
			assert_int_equal(gev_record_scope(ki->record), ki->scope);
	}
	assert_int_equal(gev_record_scope(XG_EV_STATE), GEV_SCOPE_GOROUTINE);
	assert_int_equal(gev_record_scope(XG_EV_ALLOC), GEV_SCOPE_CHARGED);
	assert_int_equal(gev_record_scope(XG_EV_GC), GEV_SCOPE_PROCESS);
	assert_int_equal(gev_record_scope(0), 0);
	assert_int_equal(gev_record_scope(250), 0);
}

/* The JSONL writer says each kind's name, and nothing for a kind without a row. */
static void test_kind_jsonl(void **state)
{
	char line[4096], want[64];
	int k;

	(void)state;
	for (k = 1; k <= GEV_KIND_MAX; k++) {
		struct gev ev = {.kind = (enum gev_kind)k, .reason = GEV_NO_REASON};

		ev.gc.reason = GEV_NO_REASON;
		snprintf(want, sizeof(want), "{\"event\":\"%s\",\"ts\":", gev_kind_info(k)->name);
		assert_true(jsonl__format(&ev, line, sizeof(line)) > 0);
		assert_memory_equal(line, want, strlen(want));
	}
	{
		struct gev ev = {.kind = (enum gev_kind)(GEV_KIND_MAX + 1)};

		assert_int_equal(jsonl__format(&ev, line, sizeof(line)), -EINVAL);
	}
}

/*
 * docs/JSONL.md has a section "## `name`" for each kind, and none for
 * anything else but the stack sweep's line (JSONL_STACK_LINE).
 */
static void test_kind_docs(void **state)
{
	bool seen[GEV_KIND_MAX + 1] = {0};
	char buf[512], path[4096];
	int k, sections = 0, stack_sections = 0;
	FILE *f;

	(void)state;
	jsonl_md(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(buf, sizeof(buf), f)) {
		char *end;

		if (strncmp(buf, "## `", 4))
			continue;
		end = strchr(buf + 4, '`');
		assert_non_null(end);
		*end = '\0';
		if (!strcmp(buf + 4, JSONL_STACK_LINE)) {
			stack_sections++;
			continue;
		}
		sections++;
		for (k = 1; k <= GEV_KIND_MAX; k++)
			if (!strcmp(gev_kind_info(k)->name, buf + 4))
				break;
		if (k > GEV_KIND_MAX)
			fail_msg("docs/JSONL.md documents \"%s\", which no event kind is named",
				 buf + 4);
		assert_false(seen[k]);
		seen[k] = true;
	}
	fclose(f);
	for (k = 1; k <= GEV_KIND_MAX; k++)
		if (!seen[k])
			fail_msg("docs/JSONL.md has no section for \"%s\"", gev_kind_info(k)->name);
	assert_int_equal(sections, GEV_KIND_MAX);
	assert_int_equal(stack_sections, 1);
}

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
		cmocka_unit_test(test_kind_rows),	    cmocka_unit_test(test_kind_records),
		cmocka_unit_test(test_kind_jsonl),	    cmocka_unit_test(test_kind_docs),
		cmocka_unit_test(test_stw_reasons),	    cmocka_unit_test(test_gc_names),
		cmocka_unit_test(test_experiment_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
