// SPDX-License-Identifier: BSD-2-Clause
/*
 * The output writer thread (src/live/outq.c): blocks reach the file in
 * order; a file that takes nothing (a pipe nobody reads) does not stop the
 * one handing blocks over, up to the bound; a write error (EPIPE) comes
 * back from the next hand-over and from the close.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "outq.h"

#define BLOCK 4096

static void fill(char *b, int i)
{
	memset(b, 'a' + i % 26, BLOCK);
}

/* 100 blocks of 4 KiB into a pipe read only after the last hand-over: none waited. */
static void test_stalled_reader(void **state)
{
	char b[BLOCK], got[BLOCK];
	struct outq_stats st;
	struct outq *q;
	int p[2], i, err;

	(void)state;
	assert_int_equal(pipe(p), 0);
	/* One page: the writer thread blocks on its second block, the reader away. */
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	q = outq__new(p[1], 1 << 20, &err);
	assert_non_null(q);
	for (i = 0; i < 100; i++) {
		fill(b, i);
		assert_int_equal(outq__put(q, b, sizeof(b)), 0);
	}
	for (i = 0; i < 100; i++) {
		size_t n = 0;

		while (n < sizeof(got)) {
			ssize_t r = read(p[0], got + n, sizeof(got) - n);

			assert_true(r > 0);
			n += (size_t)r;
		}
		fill(b, i);
		assert_memory_equal(got, b, sizeof(b));
	}
	assert_int_equal(outq__close(q, &st), 0);
	assert_int_equal(st.full_waits, 0);
	assert_true(st.max_queued >= 90 * BLOCK);
	close(p[0]);
	close(p[1]);
}

/* The reader gone: EPIPE from a later hand-over, and from the close; nothing more written. */
static void test_epipe(void **state)
{
	char b[BLOCK] = {0};
	struct outq *q;
	int p[2], i, err = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	q = outq__new(p[1], 1 << 20, &err);
	assert_non_null(q);
	for (i = 0; i < 2000 && !err; i++) {
		err = outq__put(q, b, sizeof(b));
		if (!err)
			usleep(1000);
	}
	assert_int_equal(err, -EPIPE);
	assert_int_equal(outq__put(q, b, sizeof(b)), -EPIPE);
	assert_int_equal(outq__close(q, NULL), -EPIPE);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalled_reader),
		cmocka_unit_test(test_epipe),
	};

	/* EPIPE, not death: as the tracer does. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
