// SPDX-License-Identifier: BSD-2-Clause
/*
 * gotables: version parsing, the generated table (values read from DWARF of
 * binaries built by each toolchain; tests/gotables checks them against real
 * builds), wait-reason lookups, and wait reasons read from synthetic ELF
 * images with and without RELATIVE relocations.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "goelf.h"
#include "gotables.h"
#include "../gotables/synth_elf.h"

static void test_version_parse(void **state)
{
	static const struct {
		const char *s;
		int major, minor;
	} ok[] = {
		{"go1.22.12", 1, 22},
		{"go1.23rc1", 1, 23},
		{"go1.21", 1, 21},
		{"go1.21beta1", 1, 21},
		{"go1.19.13", 1, 19},
		{"go1.26.8", 1, 26},
		{"go1.22.0 X:loopvar", 1, 22},
		{"devel go1.26-abcdef12 Tue Jan 6 19:03:40 2026 +0000", 1, 26},
		{"devel go1.27-0123abc", 1, 27},
		{"go2.0", 2, 0},
	};
	static const char *const bad[] = {
		"",
		"go",
		"go1",
		"go1.",
		"go1.x",
		"1.22.12",
		"go1.22.",
		"go1.22rc",
		"go1.22-abcdef",
		"go1.22.12extra",
		"gox1.22",
		"devel +b7a4c6a7e4 Fri Jan 1 00:00:00 2021 +0000",
		"devel go",
		"go0.9",
		"go99999999999.1",
		" go1.22",
		"GO1.22",
	};
	int major, minor;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		major = minor = -1;
		assert_int_equal(go_version_parse(ok[i].s, &major, &minor), 0);
		assert_int_equal(major, ok[i].major);
		assert_int_equal(minor, ok[i].minor);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (go_version_parse(bad[i], &major, &minor) != -EINVAL)
			fail_msg("\"%s\" parsed", bad[i]);
	}
	assert_int_equal(go_version_parse(NULL, &major, &minor), -EINVAL);
}

/*
 * What the DWARF of tools/gotables-sample says for each release (linux,
 * amd64 and arm64 alike); cross-checked with `readelf --debug-dump=info`.
 */
static const struct {
	int minor;
	struct xg_offsets off;
} want[] = {
	{19,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 296,
	  .g_startpc = 312,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 0}},
	{20,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 296,
	  .g_startpc = 312,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 0}},
	{21,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 280,
	  .g_startpc = 296,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 272}},
	{22,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 280,
	  .g_startpc = 296,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 272}},
	{23,
	 {.g_goid = 160,
	  .g_m = 48,
	  .g_waitreason = 184,
	  .g_gopc = 288,
	  .g_startpc = 304,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 176,
	  .g_parent_goid = 280}},
	{24,
	 {.g_goid = 160,
	  .g_m = 48,
	  .g_waitreason = 184,
	  .g_gopc = 288,
	  .g_startpc = 304,
	  .m_curg = 192,
	  .m_procid = 72,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 176,
	  .g_parent_goid = 280}},
	{25,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 280,
	  .g_startpc = 296,
	  .m_curg = 184,
	  .m_procid = 64,
	  .m_id = 224,
	  .m_p = 200,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 272}},
	{26,
	 {.g_goid = 152,
	  .g_m = 48,
	  .g_waitreason = 176,
	  .g_gopc = 288,
	  .g_startpc = 304,
	  .m_curg = 184,
	  .m_procid = 64,
	  .m_id = 232,
	  .m_p = 208,
	  .p_id = 0,
	  .g_waitsince = 168,
	  .g_parent_goid = 280}},
};

static void test_table_offsets(void **state)
{
	struct xg_offsets off;

	(void)state;
	assert_int_equal(go_table_len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&off, 0xff, sizeof(off));
		assert_int_equal(go_tables__offsets_from_table(1, want[i].minor, &off), 0);
		if (memcmp(&off, &want[i].off, sizeof(off)))
			fail_msg("go1.%d: table offsets differ (goid %u, parentGoid %u)",
				 want[i].minor, off.g_goid, off.g_parent_goid);
	}
}

static void test_table_unknown(void **state)
{
	struct xg_offsets off = {0};
	struct go_tables t;

	(void)state;
	assert_int_equal(go_tables__offsets_from_table(1, 18, &off), -ENOENT);
	assert_int_equal(go_tables__offsets_from_table(1, 27, &off), -ENOENT);
	assert_int_equal(go_tables__offsets_from_table(2, 0, &off), -ENOENT);
	assert_int_equal(go_tables__offsets_from_table(0, 19, &off), -ENOENT);
	assert_null(go_tables__entry(1, 27));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(go_tables__from_table("go1.27.1", &t), -ENOENT);
	assert_int_equal(go_tables__from_table("go1.18.10", &t), -ENOENT);
	assert_int_equal(go_tables__from_table("not a version", &t), -EINVAL);
}

static void test_from_table(void **state)
{
	struct go_tables t;

	(void)state;
	assert_int_equal(go_tables__from_table("go1.22.12", &t), 0);
	assert_string_equal(t.off_source, "table go1.22");
	assert_string_equal(t.wait_source, "table go1.22");
	assert_int_equal(t.off.g_goid, 152);
	assert_int_equal(t.n_waitreasons, 37);
	assert_false(t.goid_before_create);
	assert_null(t.strbuf);
	go_tables__free(&t);

	assert_int_equal(go_tables__from_table("go1.24rc2", &t), 0);
	assert_string_equal(t.off_source, "table go1.24");
	assert_int_equal(t.off.g_goid, 160);
	assert_true(t.goid_before_create);

	assert_int_equal(go_tables__from_table("devel go1.26-0123456 Mon Feb 2 2026", &t), 0);
	assert_string_equal(t.off_source, "table go1.26");
	assert_int_equal(t.off.g_parent_goid, 280);
}

static void test_goid_rule(void **state)
{
	(void)state;
	for (int minor = 19; minor <= 23; minor++)
		assert_false(go_tables__goid_before_create(1, minor));
	for (int minor = 24; minor <= 30; minor++)
		assert_true(go_tables__goid_before_create(1, minor));
}

static void test_waitreason_strings(void **state)
{
	static const struct {
		const char *version;
		unsigned int reason;
		const char *s;
	} cases[] = {
		{"go1.19.13", 0, ""},
		{"go1.19.13", 14, "chan receive"},
		{"go1.19.13", 9, "select"},
		{"go1.19.13", 20, "sync.Cond.Wait"},
		{"go1.19.13", 26, "debug call"},
		{"go1.20.14", 21, "sync.Mutex.Lock"},
		{"go1.21.13", 14, "chan receive"},
		{"go1.22.12", 14, "chan receive"},
		{"go1.22.12", 36, "coroutine"},
		{"go1.23.12", 37, "GC weak to strong wait"},
		{"go1.24.13", 14, "chan receive"},
		{"go1.24.13", 24, "sync.WaitGroup.Wait"},
		{"go1.24.13", 41, "chan receive (synctest)"},
		{"go1.25.14", 14, "chan receive"},
		{"go1.25.14", 18, "GOMAXPROCS updater (idle)"},
		{"go1.25.14", 42, "chan receive (durable)"},
		{"go1.26.8", 2, "IO wait"},
		{"go1.26.8", 12, "GOMAXPROCS updater (idle)"},
		{"go1.26.8", 18, "select"},
		{"go1.26.8", 19, "chan receive"},
		{"go1.26.8", 42, "chan receive (durable)"},
		{"go1.26.8", 46, "cleanup wait"},
	};
	static const struct {
		int minor;
		unsigned int n;
	} counts[] = {{19, 27}, {20, 32}, {21, 32}, {22, 37},
		      {23, 38}, {24, 44}, {25, 47}, {26, 47}};
	struct go_tables t;
	char v[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(go_tables__from_table(cases[i].version, &t), 0);
		const char *s = go_tables__waitreason(&t, cases[i].reason);

		if (!s || strcmp(s, cases[i].s))
			fail_msg("%s reason %u: \"%s\", want \"%s\"", cases[i].version,
				 cases[i].reason, s ? s : "(null)", cases[i].s);
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		snprintf(v, sizeof(v), "go1.%d", counts[i].minor);
		assert_int_equal(go_tables__from_table(v, &t), 0);
		assert_int_equal(t.n_waitreasons, counts[i].n);
		for (unsigned int r = 0; r < counts[i].n; r++)
			assert_non_null(go_tables__waitreason(&t, r));
		/* Unknown index: NULL, never a neighbour's string. */
		assert_null(go_tables__waitreason(&t, counts[i].n));
		assert_null(go_tables__waitreason(&t, GO_MAX_WAITREASONS));
		assert_null(go_tables__waitreason(&t, 255));
		assert_null(go_tables__waitreason(&t, ~0u));
	}
	assert_null(go_tables__waitreason(NULL, 1));
}

/* --- synthetic binaries --------------------------------------------------------- */

static const char *const reasons[] = {"", "GC assist marking", "IO wait", "chan receive",
				      "a \"quoted\" reason"};
#define N_REASONS (sizeof(reasons) / sizeof(reasons[0]))

static void assert_reasons(const struct go_tables *t)
{
	assert_int_equal(t->n_waitreasons, N_REASONS);
	for (unsigned int i = 0; i < N_REASONS; i++)
		assert_string_equal(go_tables__waitreason(t, i), reasons[i]);
	assert_null(go_tables__waitreason(t, N_REASONS));
	assert_string_equal(t->wait_source, "binary");
}

static int from_synth(const struct synth_spec *s, struct go_tables *t)
{
	size_t len;
	unsigned char *img = synth_elf(s, &len);
	int err;

	memset(t, 0, sizeof(*t));
	err = go_tables__waitreasons_from_mem(img, len, t);
	free(img);
	return err;
}

static void test_synth_stored(void **state)
{
	struct synth_spec s = {.version = "go1.22.12",
			       .machine = EM_X86_64,
			       .store_ptrs = true,
			       .reasons = reasons,
			       .n = N_REASONS};
	struct go_tables t;

	(void)state;
	assert_int_equal(from_synth(&s, &t), 0);
	assert_reasons(&t);
	go_tables__free(&t);
	assert_null(t.strbuf);
	assert_null(go_tables__waitreason(&t, 1));
	go_tables__free(NULL);
}

static void test_synth_relocs(void **state)
{
	static const uint16_t machines[] = {EM_X86_64, EM_AARCH64};
	struct go_tables t;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		/* Pointers only in relocations: the file holds zeros. */
		struct synth_spec s = {.version = "go1.22.12",
				       .machine = machines[i],
				       .pie = true,
				       .relocs = true,
				       .reasons = reasons,
				       .n = N_REASONS};

		assert_int_equal(from_synth(&s, &t), 0);
		assert_reasons(&t);
		go_tables__free(&t);

		/* Both: the addends agree with the file. */
		s.store_ptrs = true;
		assert_int_equal(from_synth(&s, &t), 0);
		assert_reasons(&t);
		go_tables__free(&t);

		/* Zeros and no relocation: the pointers do not read back. */
		s.store_ptrs = false;
		s.relocs = false;
		assert_int_equal(from_synth(&s, &t), -EINVAL);
		assert_int_equal(t.n_waitreasons, 0);
		assert_null(t.strbuf);
	}
}

static void test_synth_bad(void **state)
{
	static const char *const junk[] = {"", "ok", "bad\x01text"};
	struct synth_spec s = {.version = "go1.22.12",
			       .machine = EM_X86_64,
			       .pie = true,
			       .relocs = true,
			       .reasons = reasons,
			       .n = N_REASONS};
	struct go_tables t;
	unsigned char *img;
	size_t len;

	(void)state;
	/* A relocation type we cannot resolve from the file alone. */
	s.reloc_type = R_X86_64_64;
	assert_int_equal(from_synth(&s, &t), -ENOTSUP);
	/* The x86-64 type in an arm64 binary is not RELATIVE there. */
	s.reloc_type = R_X86_64_RELATIVE;
	s.machine = EM_AARCH64;
	assert_int_equal(from_synth(&s, &t), -ENOTSUP);

	s = (struct synth_spec){.version = "go1.22.12",
				.machine = EM_X86_64,
				.store_ptrs = true,
				.reasons = junk,
				.n = 3};
	assert_int_equal(from_synth(&s, &t), -EINVAL);

	/* No symbol table entry (a stripped binary): -ENOENT. */
	s = (struct synth_spec){.version = "go1.22.12",
				.machine = EM_X86_64,
				.store_ptrs = true,
				.reasons = reasons,
				.n = N_REASONS};
	img = synth_elf(&s, &len);
	memcpy(memmem(img, len, "runtime.waitReasonStrings", 25), "runtime.waitReasonStringX", 25);
	memset(&t, 0, sizeof(t));
	assert_int_equal(go_tables__waitreasons_from_mem(img, len, &t), -ENOENT);
	free(img);

	assert_int_not_equal(go_tables__waitreasons_from_mem("\x7f"
							     "ELF",
							     4, &t),
			     0);
	assert_int_not_equal(go_tables__waitreasons_from_mem("", 0, &t), 0);
}

/* go_tables__load on synthetic files: no DWARF, so offsets come from the table. */
static int load_synth(const struct synth_spec *s, struct go_tables *t, char *errmsg, size_t n)
{
	char path[] = "/tmp/xg-test-gotables-XXXXXX";
	struct goelf *ge;
	unsigned char *img;
	size_t len;
	int fd, err;

	img = synth_elf(s, &len);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, len), (ssize_t)len);
	close(fd);
	free(img);
	ge = goelf__open(path);
	assert_non_null(ge);
	err = go_tables__load(ge, path, t, errmsg, n);
	goelf__free(ge);
	unlink(path);
	return err;
}

static void test_load(void **state)
{
	struct synth_spec s = {.version = "go1.23.12",
			       .machine = EM_X86_64,
			       .pie = true,
			       .relocs = true,
			       .reasons = reasons,
			       .n = N_REASONS};
	struct go_tables t;
	char err[256];

	(void)state;
	assert_int_equal(load_synth(&s, &t, err, sizeof(err)), 0);
	assert_string_equal(t.off_source, "table go1.23");
	assert_int_equal(t.off.g_goid, 160);
	assert_false(t.goid_before_create);
	assert_reasons(&t);
	go_tables__free(&t);

	/* Unknown release, no DWARF: refused with a message that says what to do. */
	s.version = "go1.27.1";
	assert_int_equal(load_synth(&s, &t, err, sizeof(err)), -ENOTSUP);
	assert_string_equal(err, "go1.27.1 has no known offsets and the binary has no DWARF: "
				 "rebuild without -ldflags=-w or update xgotop-tui");

	s.version = "go-garbage";
	assert_int_equal(load_synth(&s, &t, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "go-garbage"));

	/* Not a Go binary. */
	s.version = NULL;
	assert_int_equal(load_synth(&s, &t, err, sizeof(err)), -ENOENT);
}

/* go1.19 lacks the names go1.20 gave its unnamed waits: they go after its own. */
static void test_reason_index(void **state)
{
	struct go_tables t;

	(void)state;
	assert_int_equal(go_tables__from_table("go1.19.13", &t), 0);
	assert_int_equal(go_tables__reason_index(&t, "chan receive"), 14);
	assert_int_equal(go_tables__reason_index(&t, "stopping the world"), 27);
	assert_int_equal(go_tables__reason_index(&t, "GC mark termination"), 28);
	assert_int_equal(go_tables__reason_index(&t, "stopping the world"), 27);
	assert_string_equal(go_tables__waitreason(&t, 28), "GC mark termination");
	assert_int_equal(t.n_waitreasons, 29);
	assert_int_equal(go_tables__from_table("go1.20.14", &t), 0);
	assert_int_equal(go_tables__reason_index(&t, "stopping the world"), 31);
	assert_int_equal(t.n_waitreasons, 32);
	t.n_waitreasons = GO_MAX_WAITREASONS;
	assert_int_equal(go_tables__reason_index(&t, "no such reason"), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_parse), cmocka_unit_test(test_table_offsets),
		cmocka_unit_test(test_table_unknown), cmocka_unit_test(test_from_table),
		cmocka_unit_test(test_goid_rule),     cmocka_unit_test(test_waitreason_strings),
		cmocka_unit_test(test_synth_stored),  cmocka_unit_test(test_synth_relocs),
		cmocka_unit_test(test_synth_bad),     cmocka_unit_test(test_load),
		cmocka_unit_test(test_reason_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
