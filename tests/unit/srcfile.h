/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Files of the source tree for the unit tests that check docs against code:
 * srcfile_path names one, srcfile_slurp reads it whole (malloc'd). Include
 * after cmocka.h, with _GNU_SOURCE defined.
 */
#ifndef XG_TEST_SRCFILE_H
#define XG_TEST_SRCFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The source tree, from this header's path (CMake compiles by absolute path). */
static char *srcfile_path(const char *rel)
{
	const char *tail = strstr(__FILE__, "/tests/unit/");
	char *p;

	assert_non_null(tail);
	assert_true(asprintf(&p, "%.*s/%s", (int)(tail - __FILE__), __FILE__, rel) > 0);
	return p;
}

/*
 * Read whole with fread into a buffer of the file's size: getdelim(&buf)
 * made gcc 12 -O2 take every pointer into the text for one to the local
 * variable buf (-Wdangling-pointer in the callers).
 */
static char *srcfile_slurp(const char *rel)
{
	char *path = srcfile_path(rel), *text;
	FILE *f = fopen(path, "r");
	long len;

	if (!f)
		fail_msg("cannot read %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	fclose(f);
	free(path);
	return text;
}

#endif /* XG_TEST_SRCFILE_H */
