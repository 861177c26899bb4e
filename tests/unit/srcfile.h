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

static char *srcfile_slurp(const char *rel)
{
	char *path = srcfile_path(rel), *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot read %s", path);
	assert_true(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	free(path);
	return buf;
}

#endif /* XG_TEST_SRCFILE_H */
