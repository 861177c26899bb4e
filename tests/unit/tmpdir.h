/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A scratch directory per unit-test program, for the tests that write files:
 * tmpdir_setup and tmpdir_teardown are cmocka group or test fixtures,
 * tmpdir_path names a file in it. XG_KEEP_TMP=1 keeps the directory and
 * says where it is.
 */
#ifndef XG_TEST_TMPDIR_H
#define XG_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

/* Each program defines TMPDIR_PREFIX ("/tmp/xg-test-NAME-") before including this. */
static char tmpdir[64];

static int tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%sXXXXXX", TMPDIR_PREFIX);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (getenv("XG_KEEP_TMP")) {
		fprintf(stderr, "kept %s\n", tmpdir);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* NAME in the directory; the last four results stay valid. */
static const char *tmpdir_path(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
	return p[i];
}

#endif
