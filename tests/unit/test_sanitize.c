// SPDX-License-Identifier: BSD-2-Clause
/*
 * The sanitiser between target or file strings and a terminal: every
 * control a terminal acts on becomes visible text, broken UTF-8 becomes
 * U+FFFD, valid UTF-8 stays as it is, and a cut never splits a character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sanitize.h"

static const char *san(const char *s)
{
	static char buf[256];

	return sanitize__str(buf, sizeof(buf), s);
}

static void test_controls_escaped(void **state)
{
	(void)state;
	assert_string_equal(san("a\033]0;PWNED\007b"), "a\\x1b]0;PWNED\\x07b");
	assert_string_equal(san("x\r\ny"), "x\\x0d\\x0ay");
	assert_string_equal(san("\033[2J\x7f\t"), "\\x1b[2J\\x7f\\x09");
	assert_string_equal(san("\x01\x1f"), "\\x01\\x1f");
	/* C1 as UTF-8 (U+009B is CSI to an 8-bit terminal) and as a raw byte. */
	assert_string_equal(san("a\xc2\x9b"
				"6n"),
			    "a\\u009b6n");
	assert_string_equal(san("a\x9b"
				"6n"),
			    "a\xef\xbf\xbd"
			    "6n");
	/* Line separators and bidirectional overrides reorder or split what is shown. */
	assert_string_equal(san("\xe2\x80\xae"
				"cod.exe"),
			    "\\u202ecod.exe");
	assert_string_equal(san("a\xe2\x80\xa8"
				"b\xe2\x81\xa6"),
			    "a\\u2028b\\u2066");
	assert_false(sanitize__clean("a\033b"));
	assert_false(sanitize__clean("a\nb"));
	assert_false(sanitize__clean("\xc2\x85"));
}

static void test_utf8_kept_or_replaced(void **state)
{
	const char *good = "main.(*Gr\xc3\xbc\xc3\x9f"		/* Grüß */
			   ").\xe6\x97\xa5\xe6\x9c\xac"		/* 日本 */
			   "\xf0\x9f\x90\xb9 /srv/app-1.2_x+y"; /* a hamster */

	(void)state;
	assert_true(sanitize__clean(good));
	assert_string_equal(san(good), good);
	assert_true(sanitize__clean(""));
	assert_string_equal(san(NULL), "");
	/* Truncated, overlong, surrogate, beyond U+10FFFF, stray continuation. */
	assert_string_equal(san("a\xe6\x97"), "a\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(san("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(san("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(san("\xf4\x90\x80\x80"),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(san("\x80z"), "\xef\xbf\xbdz");
	assert_false(sanitize__clean("\xff"));
}

static void test_cut(void **state)
{
	char buf[12], big[3 * SANITIZE_MAX];
	size_t i;

	(void)state;
	/* Fits exactly: no marker. */
	assert_string_equal(sanitize__str(buf, sizeof(buf), "hello world"), "hello world");
	assert_string_equal(sanitize__str(buf, sizeof(buf), "hello world!"), "hello wo...");
	/* A cut keeps whole escapes and whole characters. */
	assert_string_equal(sanitize__str(buf, sizeof(buf), "abcde\033fghij"), "abcde...");
	assert_string_equal(sanitize__str(buf, sizeof(buf), "abcdef\xe6\x97\xa5\xe6\x97\xa5"),
			    "abcdef...");
	assert_string_equal(sanitize__str(buf, 4, "abcdef"), "...");
	/* A path of escapes four times its length: bounded, NUL-terminated, marked. */
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = '\033';
	big[i] = '\0';
	assert_int_equal(strlen(SAN(big)), SANITIZE_MAX - 1);
	assert_string_equal(SAN(big) + SANITIZE_MAX - 4, "...");
	assert_memory_equal(SAN(big), "\\x1b\\x1b", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_utf8_kept_or_replaced),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
