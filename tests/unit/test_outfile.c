// SPDX-License-Identifier: BSD-2-Clause
/*
 * Output files (outfile.h) as root would meet them in a directory others
 * can write to: planted symbolic links (to a file, dangling), an existing
 * file, a directory, a FIFO no one reads; and the writers that use it
 * (--record, --jsonl, --metrics) refusing the same way. Owner under sudo.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_PREFIX "/tmp/xg-outfile-"
#include "tmpdir.h"

#include "jsonl.h"
#include "meters.h"
#include "outfile.h"
#include "record.h"

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_new_and_existing(void **state)
{
	int fd;

	(void)state;
	fd = outfile__create(tmpdir_path("new"), false);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "data", 4), 4);
	close(fd);
	/* Existing: refused, untouched; with force, truncated. */
	assert_int_equal(outfile__check(tmpdir_path("new"), false), -EEXIST);
	assert_int_equal(outfile__create(tmpdir_path("new"), false), -EEXIST);
	assert_string_equal(get(tmpdir_path("new")), "data");
	assert_int_equal(outfile__check(tmpdir_path("new"), true), 0);
	fd = outfile__create(tmpdir_path("new"), true);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(get(tmpdir_path("new")), "");
	/* Empty and ours (a recorder killed before its first frame): taken as it is. */
	assert_int_equal(outfile__check(tmpdir_path("new"), false), 0);
	fd = outfile__create(tmpdir_path("new"), false);
	assert_true(fd >= 0);
	close(fd);
	/* A character device holds nothing to lose. */
	assert_int_equal(outfile__check("/dev/null", false), 0);
	fd = outfile__create("/dev/null", false);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(outfile__why(-EEXIST), "it exists (add --force to overwrite it)");
}

static void test_symlinks_refused(void **state)
{
	int force;

	(void)state;
	put(tmpdir_path("victim"), "precious");
	assert_int_equal(symlink(tmpdir_path("victim"), tmpdir_path("link")), 0);
	assert_int_equal(symlink(tmpdir_path("created-by-root"), tmpdir_path("dangling")), 0);
	for (force = 0; force <= 1; force++) {
		assert_int_equal(outfile__check(tmpdir_path("link"), force), -ELOOP);
		assert_int_equal(outfile__create(tmpdir_path("link"), force), -ELOOP);
		assert_int_equal(outfile__check(tmpdir_path("dangling"), force), -ELOOP);
		assert_int_equal(outfile__create(tmpdir_path("dangling"), force), -ELOOP);
	}
	assert_string_equal(get(tmpdir_path("victim")), "precious");
	assert_null(get(tmpdir_path("created-by-root")));
	assert_non_null(strstr(outfile__why(-ELOOP), "symbolic link"));
}

static void test_directory_and_fifo(void **state)
{
	(void)state;
	assert_int_equal(mkdir(tmpdir_path("d"), 0755), 0);
	assert_int_equal(outfile__check(tmpdir_path("d"), false), -EISDIR);
	assert_int_equal(outfile__create(tmpdir_path("d"), false), -EISDIR);
	assert_int_equal(outfile__create(tmpdir_path("d"), true), -EISDIR);
	assert_string_equal(outfile__why(-EISDIR), "it is a directory");
	/* A FIFO no one reads: refused at once, not a hang in open. */
	assert_int_equal(mkfifo(tmpdir_path("fifo"), 0644), 0);
	assert_int_equal(outfile__check(tmpdir_path("fifo"), false), -EEXIST);
	assert_int_equal(outfile__create(tmpdir_path("fifo"), false), -EEXIST);
}

/* --jsonl, --metrics and --record go through the same door. */
static void test_writers(void **state)
{
	struct meters_opts mo = {.no_probes = true};
	struct record_opts ro = {0};
	struct meters *m;

	(void)state;
	put(tmpdir_path("victim2"), "precious");
	assert_int_equal(symlink(tmpdir_path("victim2"), tmpdir_path("link2")), 0);
	assert_int_equal(symlink(tmpdir_path("made"), tmpdir_path("dangling2")), 0);

	errno = 0;
	assert_null(jsonl__open(tmpdir_path("link2"), true));
	assert_int_equal(errno, ELOOP);
	assert_null(jsonl__open(tmpdir_path("dangling2"), false));
	assert_int_equal(errno, ELOOP);
	assert_null(jsonl__open(tmpdir_path("victim2"), false));
	assert_int_equal(errno, EEXIST);

	m = meters__new(&mo);
	assert_non_null(m);
	assert_int_equal(meters__write_summary(m, tmpdir_path("link2"), true), -ELOOP);
	assert_int_equal(meters__write_summary(m, tmpdir_path("dangling2"), true), -ELOOP);
	assert_int_equal(meters__write_summary(m, tmpdir_path("victim2"), false), -EEXIST);
	assert_int_equal(meters__write_summary(m, tmpdir_path("metrics.json"), false), 0);
	assert_int_equal(meters__write_summary(m, tmpdir_path("metrics.json"), false), -EEXIST);
	assert_int_equal(meters__write_summary(m, tmpdir_path("metrics.json"), true), 0);
	meters__free(m);

	ro.path = tmpdir_path("dangling2");
	ro.force = true;
	errno = 0;
	assert_null(record__open(&ro));
	assert_int_equal(errno, ELOOP);

	assert_string_equal(get(tmpdir_path("victim2")), "precious");
	assert_null(get(tmpdir_path("made")));
}

/*
 * Under sudo a new file goes to SUDO_UID:SUDO_GID, when both are ids: a
 * negative, oversized or (uid_t)-1 value is not one. Not root: our own.
 */
static void test_sudo_owner(void **state)
{
	static const char *bad[] = {"-1", "4294967295", "99999999999", "12x", "", " 7"};
	struct stat st;
	size_t i;
	int fd;

	(void)state;
	setenv("SUDO_UID", "4321", 1);
	setenv("SUDO_GID", "8765", 1);
	fd = outfile__create(tmpdir_path("owned"), false);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	assert_int_equal(st.st_uid, geteuid() == 0 ? 4321 : geteuid());
	assert_int_equal(st.st_gid, geteuid() == 0 ? 8765 : getegid());
	/* An existing file overwritten with --force keeps its owner. */
	fd = outfile__create(tmpdir_path("owned"), true);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "bad%zu", i);
		setenv("SUDO_UID", bad[i], 1);
		fd = outfile__create(tmpdir_path(name), false);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		close(fd);
		assert_int_equal(st.st_uid, geteuid());
	}
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_existing),   cmocka_unit_test(test_symlinks_refused),
		cmocka_unit_test(test_directory_and_fifo), cmocka_unit_test(test_writers),
		cmocka_unit_test(test_sudo_owner),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
