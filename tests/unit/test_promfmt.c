// SPDX-License-Identifier: BSD-2-Clause
/*
 * The exposition writer: label escapes (\ " and line feed), invalid UTF-8,
 * counters named per format, histograms' suffixes, numbers, OpenMetrics'
 * # EOF, and the size cap.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "promfmt.h"

static char *finish(struct promfmt *pf)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(promfmt__finish(pf, &text, &len), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static void test_escapes(void **state)
{
	char out[128];
	size_t n;

	(void)state;
	n = promfmt__escape_label("a\\b\"c\nd", out, sizeof(out));
	assert_string_equal(out, "a\\\\b\\\"c\\nd");
	assert_int_equal(n, strlen(out));
	/* UTF-8 passes; a lone continuation byte, an overlong and a surrogate become U+FFFD. */
	promfmt__escape_label("caf\xc3\xa9 \xe4\xb8\x96", out, sizeof(out));
	assert_string_equal(out, "caf\xc3\xa9 \xe4\xb8\x96");
	promfmt__escape_label("x\x80y\xc0\xafz\xed\xa0\x80", out, sizeof(out));
	assert_string_equal(
		out, "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A truncated sequence at the end. */
	promfmt__escape_label("a\xe4\xb8", out, sizeof(out));
	assert_string_equal(out, "a\xef\xbf\xbd\xef\xbf\xbd");
	/* Cut short: NUL-terminated, the length it needed. */
	n = promfmt__escape_label("\"\"\"\"", out, 5);
	assert_int_equal(n, 8);
	assert_int_equal(strlen(out), 4);
}

static void test_text_counter_and_labels(void **state)
{
	struct promfmt *pf = promfmt__new(PROMFMT_TEXT, 0);
	struct prom_label l[2] = {{"function", "main.(*T).\"run\"\\x"}, {"state", "waiting"}};
	char *t;

	(void)state;
	promfmt__family(pf, "xg_created", PROMFMT_COUNTER, "Help with \\ and\nnewline \"q\".");
	promfmt__sample(pf, "", NULL, 0, 3);
	promfmt__family(pf, "xg_live", PROMFMT_GAUGE, "Live.");
	promfmt__sample(pf, "", l, 2, 7);
	t = finish(pf);
	assert_string_equal(
		t, "# HELP xg_created_total Help with \\\\ and\\nnewline \"q\".\n"
		   "# TYPE xg_created_total counter\n"
		   "xg_created_total 3\n"
		   "# HELP xg_live Live.\n"
		   "# TYPE xg_live gauge\n"
		   "xg_live{function=\"main.(*T).\\\"run\\\"\\\\x\",state=\"waiting\"} 7\n");
	free(t);
}

static void test_openmetrics(void **state)
{
	struct promfmt *pf = promfmt__new(PROMFMT_OPENMETRICS, 0);
	struct prom_label le = {"le", "+Inf"};
	char *t;

	(void)state;
	promfmt__family(pf, "xg_created", PROMFMT_COUNTER, "A \"quoted\" help.");
	promfmt__sample(pf, "", NULL, 0, 3);
	promfmt__family(pf, "xg_wait_seconds", PROMFMT_HISTOGRAM, "Waits.");
	promfmt__sample(pf, "_bucket", &le, 1, 2);
	promfmt__sample(pf, "_sum", NULL, 0, 0.5);
	promfmt__sample(pf, "_count", NULL, 0, 2);
	t = finish(pf);
	assert_string_equal(t, "# HELP xg_created A \\\"quoted\\\" help.\n"
			       "# TYPE xg_created counter\n"
			       "xg_created_total 3\n"
			       "# HELP xg_wait_seconds Waits.\n"
			       "# TYPE xg_wait_seconds histogram\n"
			       "xg_wait_seconds_bucket{le=\"+Inf\"} 2\n"
			       "xg_wait_seconds_sum 0.5\n"
			       "xg_wait_seconds_count 2\n"
			       "# EOF\n");
	free(t);
}

static void test_numbers(void **state)
{
	char b[40];

	(void)state;
	promfmt__float(0, b, sizeof(b));
	assert_string_equal(b, "0");
	promfmt__float(9007199254740991.0, b, sizeof(b));
	assert_string_equal(b, "9007199254740991");
	promfmt__float(1e-6, b, sizeof(b));
	assert_string_equal(b, "1e-06");
	promfmt__float(0.1, b, sizeof(b));
	assert_string_equal(b, "0.1");
	promfmt__float(-2.5, b, sizeof(b));
	assert_string_equal(b, "-2.5");
	promfmt__float(NAN, b, sizeof(b));
	assert_string_equal(b, "NaN");
	promfmt__float(INFINITY, b, sizeof(b));
	assert_string_equal(b, "+Inf");
	promfmt__float(-INFINITY, b, sizeof(b));
	assert_string_equal(b, "-Inf");
	promfmt__float(1e300, b, sizeof(b));
	assert_string_equal(b, "1e+300");
}

static void test_cap(void **state)
{
	struct promfmt *pf = promfmt__new(PROMFMT_TEXT, 100);
	char *t = NULL;
	size_t len = 0;
	int i;

	(void)state;
	promfmt__family(pf, "xg_a", PROMFMT_GAUGE, "A.");
	for (i = 0; i < 20; i++)
		promfmt__sample(pf, "", NULL, 0, i);
	assert_int_equal(promfmt__finish(pf, &t, &len), -E2BIG);
	assert_null(t);
	/* Nothing written is still a (empty) text. */
	pf = promfmt__new(PROMFMT_TEXT, 0);
	t = finish(pf);
	assert_string_equal(t, "");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),	    cmocka_unit_test(test_text_counter_and_labels),
		cmocka_unit_test(test_openmetrics), cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
