// SPDX-License-Identifier: BSD-2-Clause
/*
 * The unwinder and the Go-format printer (src/goexe/traceback.c) on a
 * synthetic binary (tests/unit/tb_synth.h) and synthetic stack memory:
 * the frames and the exact text Go's traceback prints for them, wrappers
 * and runtime frames hidden, both elision rules (go1.19-1.20: 100 frames
 * and "...additional frames elided..."; go1.21+: 50 + 50 and "...N frames
 * elided..."), and stacks that lie: loops, PCs outside the text, frames
 * outside the stack, unreadable memory.
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

#include "goelf.h"
#include "tb_synth.h"
#include "traceback.h"

#define LO    0xc000100000ull
#define MEMSZ (64 * 1024)
#define MAXF  4096

struct mem {
	uint8_t b[MEMSZ];
	int reads_fail;
};

static int mem_read(uint64_t addr, void *buf, size_t len, void *ctx)
{
	struct mem *m = ctx;

	if (m->reads_fail || addr < LO || addr - LO > MEMSZ || len > MEMSZ - (addr - LO))
		return -EFAULT;
	memcpy(buf, m->b + (addr - LO), len);
	return 0;
}

static void put_word(struct mem *m, uint64_t addr, uint64_t v)
{
	assert_true(addr >= LO && addr + 8 <= LO + MEMSZ);
	memcpy(m->b + (addr - LO), &v, 8);
}

/*
 * Lay out frames FN[0..n) (innermost first, at PC offset OFF[i] into each)
 * from SP up, as the Go compiler does on amd64: each frame's return
 * address sits at its fp - 8. Returns the start.
 */
static struct tb_start lay(struct mem *m, const int *fn, const uint32_t *off, int n)
{
	struct tb_start st = {.stack_lo = LO, .stack_hi = LO + MEMSZ};
	uint64_t sp = LO + 0x100;
	int i;

	st.sp = sp;
	st.pc = tbs_pc(fn[0], off[0]);
	for (i = 0; i < n; i++) {
		uint64_t fp = sp + (uint64_t)tb_synth_funcs[fn[i]].spdelta + 8;

		put_word(m, fp - 8, i + 1 < n ? tbs_pc(fn[i + 1], off[i + 1]) : 0);
		sp = fp;
	}
	return st;
}

struct fx {
	uint8_t *img;
	struct goelf *ge;
	struct mem *m;
	struct tb_frame *fr;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t len;

	assert_non_null(f);
	f->img = tb_synth_build(&len);
	assert_non_null(f->img);
	f->ge = goelf__open_mem(f->img, len);
	assert_non_null(f->ge);
	f->m = calloc(1, sizeof(*f->m));
	f->fr = calloc(MAXF, sizeof(*f->fr));
	assert_non_null(f->m);
	assert_non_null(f->fr);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	goelf__free(f->ge);
	free(f->img);
	free(f->m);
	free(f->fr);
	free(f);
	return 0;
}

static char *print_g(struct fx *f, const struct tb_rules *r, const struct tb_g *g)
{
	char *p = NULL;
	size_t sz = 0;
	FILE *out = open_memstream(&p, &sz);

	assert_non_null(out);
	assert_int_equal(tb__print_g(out, f->ge, 0, r, g), 0);
	fclose(out);
	return p;
}

static void test_rules(void **state)
{
	struct tb_rules r;

	(void)state;
	assert_int_equal(tb__rules(1, 18, &r), -ENOTSUP);
	assert_int_equal(tb__rules(1, 27, &r), -ENOTSUP);
	/* abi.FuncIDWrapper: 21 (1.19-1.21), 22 (1.22-1.24), 23 (1.25-1.26) */
	assert_int_equal(tb__rules(1, 19, &r), 0);
	assert_int_equal(r.id_wrapper, 21);
	assert_false(r.unwinder121);
	assert_int_equal(tb__rules(1, 21, &r), 0);
	assert_int_equal(r.id_wrapper, 21);
	assert_true(r.created_in);
	assert_int_equal(tb__rules(1, 24, &r), 0);
	assert_int_equal(r.id_wrapper, 22);
	assert_int_equal(r.id_sigpanic, 19);
	assert_int_equal(tb__rules(1, 26, &r), 0);
	assert_int_equal(r.id_wrapper, TBS_WRAPPER);
	assert_int_equal(r.id_runtime_main, 17);
}

/* gopark <- wait <- wrap (a wrapper) <- worker <- goexit */
static void test_park(void **state)
{
	struct fx *f = *state;
	static const int fn[] = {TBS_GOPARK, TBS_WAIT, TBS_WRAP, TBS_WORKER, TBS_GOEXIT_I};
	static const uint32_t off[] = {0x10, 0x15, 0x0a, 0x11, 0x01};
	struct tb_start st = lay(f->m, fn, off, 5);
	struct tb_rules r;
	enum tb_end end;
	struct tb_g g = {.goid = 7,
			 .status = 4,
			 .waitreason = "chan receive",
			 .wait_minutes = 3,
			 .locked = true,
			 .gopc = tbs_pc(TBS_WAIT, 0x05),
			 .parent_goid = 1};
	size_t n, i;
	char *text;

	assert_int_equal(tb__rules(1, 26, &r), 0);
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	assert_int_equal(n, 5);
	assert_int_equal(end, TB_END_TOP);
	for (i = 0; i < n; i++)
		assert_int_equal(f->fr[i].pc, tbs_pc(fn[i], off[i]));
	g.frames = f->fr;
	g.nframes = n;
	text = print_g(f, &r, &g);
	assert_string_equal(text, "goroutine 7 [chan receive, 3 minutes, locked to thread]:\n"
				  "main.wait(...)\n"
				  "\t/src/main.go:10 +0x15\n"
				  "main.worker()\n"
				  "\t/src/main.go:20 +0x11\n"
				  "created by main.wait in goroutine 1\n"
				  "\t/src/main.go:10 +0x5\n");
	free(text);
	/* go1.20: no "in goroutine" */
	assert_int_equal(tb__rules(1, 20, &r), 0);
	r.id_wrapper = TBS_WRAPPER; /* the synthetic binary numbers funcIDs as go1.26 */
	g.status = 3 | 0x1000;	    /* syscall, being scanned */
	g.locked = false;
	g.wait_minutes = 0;
	text = print_g(f, &r, &g);
	assert_string_equal(text, "goroutine 7 [syscall (scan)]:\n"
				  "main.wait(...)\n"
				  "\t/src/main.go:10 +0x15\n"
				  "main.worker()\n"
				  "\t/src/main.go:20 +0x11\n"
				  "created by main.wait\n"
				  "\t/src/main.go:10 +0x5\n");
	free(text);
}

static void test_running(void **state)
{
	struct fx *f = *state;
	struct tb_rules r;
	struct tb_g g = {
		.goid = 1, .status = 2, .state = TB_G_RUNNING, .gopc = tbs_pc(TBS_WAIT, 5)};
	char *text;

	assert_int_equal(tb__rules(1, 22, &r), 0);
	text = print_g(f, &r, &g);
	/* goroutine 1 never gets a "created by" */
	assert_string_equal(text, "goroutine 1 [running]:\n"
				  "\tgoroutine running on other thread; stack unavailable\n");
	free(text);
}

/* COUNT frames of main.rec above gopark, then goexit. */
static size_t recursion(struct fx *f, const struct tb_rules *r, int count)
{
	int fn[MAXF];
	uint32_t off[MAXF];
	struct tb_start st;
	enum tb_end end;
	int i, n = 0;

	fn[n] = TBS_GOPARK;
	off[n++] = 0x10;
	for (i = 0; i < count; i++) {
		fn[n] = TBS_REC;
		off[n++] = 0x0c;
	}
	fn[n] = TBS_GOEXIT_I;
	off[n++] = 1;
	st = lay(f->m, fn, off, n);
	return tb__unwind(f->ge, 0, r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
}

static size_t count_lines(const char *text, const char *what)
{
	size_t n = 0;
	const char *p = text;

	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

static void test_elision(void **state)
{
	struct fx *f = *state;
	struct tb_rules r;
	struct tb_g g = {.goid = 9, .status = 4};
	char *text;

	/* go1.21+: the first 50 and the last 50 of 130 */
	assert_int_equal(tb__rules(1, 23, &r), 0);
	g.nframes = recursion(f, &r, 130);
	assert_int_equal(g.nframes, 132);
	g.frames = f->fr;
	text = print_g(f, &r, &g);
	assert_int_equal(count_lines(text, "main.rec(...)\n"), 100);
	assert_non_null(strstr(text, "...30 frames elided...\n"));
	free(text);
	/* exactly 100: all of them, nothing elided */
	g.nframes = recursion(f, &r, 100);
	text = print_g(f, &r, &g);
	assert_int_equal(count_lines(text, "main.rec(...)\n"), 100);
	assert_null(strstr(text, "elided"));
	free(text);
	/* go1.19-1.20: 100 physical frames walked, gopark among them */
	assert_int_equal(tb__rules(1, 19, &r), 0);
	g.nframes = recursion(f, &r, 130);
	text = print_g(f, &r, &g);
	assert_int_equal(count_lines(text, "main.rec(...)\n"), 99);
	assert_null(strstr(text, "elided"));
	free(text);
	/* ... and the message when exactly 100 frames were printed */
	r.id_wrapper = TBS_WRAPPER;
	g.nframes = recursion(f, &r, 130);
	g.frames = f->fr + 1; /* start at the first main.rec */
	g.nframes--;
	text = print_g(f, &r, &g);
	assert_int_equal(count_lines(text, "main.rec(...)\n"), 100);
	assert_non_null(strstr(text, "...additional frames elided...\n"));
	free(text);
}

static void test_lies(void **state)
{
	struct fx *f = *state;
	struct tb_rules r;
	struct tb_start st;
	enum tb_end end;
	size_t n;
	static const int fn[] = {TBS_GOPARK, TBS_WAIT, TBS_WORKER};
	static const uint32_t off[] = {0x10, 0x15, 0x11};

	assert_int_equal(tb__rules(1, 26, &r), 0);
	memset(f->m->b, 0, MEMSZ);
	/* a return address outside every function */
	st = lay(f->m, fn, off, 3);
	put_word(f->m, st.sp + 0x18, 0xdeadbeef);
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(end, TB_END_BADPC);
	/* a frame that returns into itself at the same SP: stuck, or it runs out of stack */
	st = lay(f->m, fn, off, 3);
	put_word(f->m, st.sp + 0x18, st.pc);
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	assert_true(end == TB_END_BADSP || end == TB_END_TOO_DEEP || end == TB_END_TOP);
	assert_true(n <= MAXF);
	/* SP outside the stack */
	st = lay(f->m, fn, off, 3);
	st.sp = LO - 8;
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	assert_int_equal(n, 0);
	assert_int_equal(end, TB_END_BADSP);
	/* a frame that runs past the stack's top */
	st = lay(f->m, fn, off, 3);
	st.stack_hi = st.sp + 0x10;
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	assert_int_equal(n, 0);
	assert_int_equal(end, TB_END_BADSP);
	/* unreadable memory */
	st = lay(f->m, fn, off, 3);
	f->m->reads_fail = 1;
	n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
	f->m->reads_fail = 0;
	assert_int_equal(n, 1);
	assert_int_equal(end, TB_END_READ);
	/* an SPWRITE function ends the walk (unwindPrintErrors) */
	{
		static const int fs[] = {TBS_SPW, TBS_WORKER};
		static const uint32_t os[] = {4, 0x11};

		st = lay(f->m, fs, os, 2);
		n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
		assert_int_equal(n, 1);
		assert_int_equal(end, TB_END_TOP);
		/* ... except the innermost frame of a goroutine in a syscall */
		st.syscall = true;
		n = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, f->fr, MAXF, &end, NULL);
		assert_int_equal(n, 2);
	}
	/* a cache gives the same frames */
	{
		struct tb_cache *c = tb_cache__new();
		struct tb_frame a[8], b[8];
		size_t na, nb, i;

		assert_non_null(c);
		st = lay(f->m, fn, off, 3);
		na = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, a, 8, &end, NULL);
		nb = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, b, 8, &end, c);
		assert_int_equal(na, nb);
		nb = tb__unwind(f->ge, 0, &r, &st, mem_read, f->m, b, 8, &end, c);
		assert_int_equal(na, nb);
		for (i = 0; i < na; i++) {
			assert_int_equal(a[i].pc, b[i].pc);
			assert_int_equal(a[i].sp, b[i].sp);
			assert_int_equal(a[i].funcid, b[i].funcid);
			assert_int_equal(a[i].callee_funcid, b[i].callee_funcid);
		}
		tb_cache__free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test_setup_teardown(test_park, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
