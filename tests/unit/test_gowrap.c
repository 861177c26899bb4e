// SPDX-License-Identifier: BSD-2-Clause
/*
 * The start function behind a wrapper (src/goexe/gowrap.c) on the
 * synthetic binary of tests/unit/tb_synth.h: main.wrap (funcID wrapper)
 * given code that calls main.worker directly, through a register, twice,
 * or past the prologue's runtime.morestack-like helpers.
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
#include "gowrap.h"
#include "tb_synth.h"

/* call rel32 at OFF of main.wrap to function TO (x86-64 e8). */
static void put_call(uint8_t *img, uint32_t off, int to)
{
	uint32_t at = tb_synth_funcs[TBS_WRAP].entry + off;
	int32_t rel = (int32_t)tb_synth_funcs[to].entry - (int32_t)(at + 5);
	uint8_t c[5] = {0xe8, (uint8_t)rel, (uint8_t)(rel >> 8), (uint8_t)(rel >> 16),
			(uint8_t)(rel >> 24)};

	memcpy(img + TBS_TEXT_OFF + at, c, sizeof(c));
}

static void put(uint8_t *img, uint32_t off, const uint8_t *code, size_t n)
{
	memcpy(img + TBS_TEXT_OFF + tb_synth_funcs[TBS_WRAP].entry + off, code, n);
}

/* Resolve main.wrap's start function in IMG (freed). */
static int resolve(uint8_t *img, size_t len, uint8_t wrapper_id, char *name, size_t n)
{
	struct goelf *ge = goelf__open_mem(img, len);
	struct go_pcinfo pi;
	int err;

	assert_non_null(ge);
	err = gowrap__resolve(ge, tbs_pc(TBS_WRAP, 0), wrapper_id, &pi);
	if (!err)
		snprintf(name, n, "%s", pi.func);
	goelf__free(ge);
	free(img);
	return err;
}

static void test_direct(void **state)
{
	static const uint8_t prologue[] = {0x55, 0x48, 0x89, 0xe5}; /* push rbp; mov rsp,rbp */
	static const uint8_t ret[] = {0x5d, 0xc3};
	char name[64] = "";
	size_t len;
	uint8_t *img = tb_synth_build(&len);

	(void)state;
	assert_non_null(img);
	put(img, 0, prologue, sizeof(prologue));
	put_call(img, 4, TBS_WORKER);
	put(img, 9, ret, sizeof(ret));
	assert_int_equal(resolve(img, len, TBS_WRAPPER, name, sizeof(name)), 0);
	assert_string_equal(name, "main.worker");
}

/* A call into the middle of a function is not a call to a Go function. */
static void test_not_entry(void **state)
{
	char name[64] = "";
	size_t len;
	uint8_t *img = tb_synth_build(&len);
	uint8_t c[5] = {0xe8};
	int32_t rel = (int32_t)(tb_synth_funcs[TBS_WORKER].entry + 4) -
		      (int32_t)(tb_synth_funcs[TBS_WRAP].entry + 5);

	(void)state;
	assert_non_null(img);
	memcpy(c + 1, &rel, 4);
	put(img, 0, c, sizeof(c));
	assert_int_equal(resolve(img, len, TBS_WRAPPER, name, sizeof(name)), -EINVAL);
}

static void test_indirect(void **state)
{
	/* mov 0x8(%rdx),%rdx; mov (%rdx),%rcx; call *%rcx: a closure value */
	static const uint8_t code[] = {0x48, 0x8b, 0x52, 0x08, 0x48, 0x8b, 0x0a, 0xff, 0xd1};
	char name[64] = "";
	size_t len;
	uint8_t *img = tb_synth_build(&len);

	(void)state;
	assert_non_null(img);
	put(img, 0, code, sizeof(code));
	assert_int_equal(resolve(img, len, TBS_WRAPPER, name, sizeof(name)), -EAGAIN);
}

static void test_two_calls(void **state)
{
	char name[64] = "";
	size_t len;
	uint8_t *img = tb_synth_build(&len);

	(void)state;
	assert_non_null(img);
	put_call(img, 0, TBS_WORKER);
	put_call(img, 5, TBS_REC);
	assert_int_equal(resolve(img, len, TBS_WRAPPER, name, sizeof(name)), -EINVAL);
}

static void test_not_wrapper(void **state)
{
	char name[64] = "";
	size_t len;
	uint8_t *img = tb_synth_build(&len);

	(void)state;
	assert_non_null(img);
	put_call(img, 0, TBS_WORKER);
	/* another release's wrapper funcID, or none known */
	assert_int_equal(resolve(img, len, TBS_WRAPPER - 1, name, sizeof(name)), -ENOENT);
	img = tb_synth_build(&len);
	assert_non_null(img);
	put_call(img, 0, TBS_WORKER);
	assert_int_equal(resolve(img, len, 0, name, sizeof(name)), -ENOENT);
}

/* The synthetic binary has no .go.buildinfo: no release, no wrapper funcID. */
static void test_wrapper_id(void **state)
{
	size_t len;
	uint8_t *img = tb_synth_build(&len);
	struct goelf *ge;
	struct go_pcinfo pi;

	(void)state;
	assert_non_null(img);
	put_call(img, 0, TBS_WORKER);
	ge = goelf__open_mem(img, len);
	assert_non_null(ge);
	assert_int_equal(gowrap__wrapper_id(ge), 0);
	/* goelf__start_func then names the wrapper itself */
	assert_int_equal(goelf__start_func(ge, tbs_pc(TBS_WRAP, 0), &pi), 0);
	assert_string_equal(pi.func, "main.wrap");
	goelf__free(ge);
	free(img);
}

/* gowrap__closure_call on main.wrap holding CODE: its return, offsets in *C. */
static int closure_call(const uint8_t *code, size_t n, struct gowrap_call *c)
{
	size_t len;
	uint8_t *img = tb_synth_build(&len);
	struct goelf *ge;
	int err;

	assert_non_null(img);
	put(img, 0, code, n);
	ge = goelf__open_mem(img, len);
	assert_non_null(ge);
	err = gowrap__closure_call(ge, tbs_pc(TBS_WRAP, 0), TBS_WRAPPER, c);
	goelf__free(ge);
	free(img);
	return err;
}

/* go r.Run(x), r an interface (go1.19 main.main.func15): itab at closure+8, fun[0] at +24. */
static void test_closure_iface(void **state)
{
	/* mov 0x8(%rdx),%rcx; mov 0x10(%rdx),%rax; mov 0x18(%rcx),%rcx; call *%rcx */
	static const uint8_t code[] = {0x48, 0x8b, 0x4a, 0x08, 0x48, 0x8b, 0x42,
				       0x10, 0x48, 0x8b, 0x49, 0x18, 0xff, 0xd1};
	/* the same through a copy of the context and a memory operand: call *0x20(%rcx) */
	static const uint8_t mem[] = {0x48, 0x89, 0xd3, 0x48, 0x8b, 0x4b, 0x10, 0xff, 0x51, 0x20};
	struct gowrap_call c = {0, 0};

	(void)state;
	assert_int_equal(closure_call(code, sizeof(code), &c), 0);
	assert_int_equal(c.ptr_off, 8);
	assert_int_equal(c.code_off, 24);
	assert_int_equal(closure_call(mem, sizeof(mem), &c), 0);
	assert_int_equal(c.ptr_off, 16);
	assert_int_equal(c.code_off, 32);
}

/* go f(x), f a closure value: the funcval at closure+8, its code at +0. */
static void test_closure_funcval(void **state)
{
	/* mov 0x10(%rdx),%rax; mov 0x8(%rdx),%rdx; mov (%rdx),%rcx; call *%rcx */
	static const uint8_t code[] = {0x48, 0x8b, 0x42, 0x10, 0x48, 0x8b, 0x52,
				       0x08, 0x48, 0x8b, 0x0a, 0xff, 0xd1};
	struct gowrap_call c = {1, 1};

	(void)state;
	assert_int_equal(closure_call(code, sizeof(code), &c), 0);
	assert_int_equal(c.ptr_off, 8);
	assert_int_equal(c.code_off, 0);
}

/* Calls that are not through the closure: the trail is lost, nothing is guessed. */
static void test_closure_lost(void **state)
{
	/* mov 0x8(%rdx),%rcx; xor %ecx,%ecx; call *%rcx */
	static const uint8_t clobbered[] = {0x48, 0x8b, 0x4a, 0x08, 0x31, 0xc9, 0xff, 0xd1};
	/* mov (%rdx),%rcx; call *%rcx: word 0 is the wrapper's own code */
	static const uint8_t self[] = {0x48, 0x8b, 0x0a, 0xff, 0xd1};
	/* mov 0x8(%rdx),%rcx; call *%rcx: a call to data, not through a funcval */
	static const uint8_t shallow[] = {0x48, 0x8b, 0x4a, 0x08, 0xff, 0xd1};
	/* mov 0x8(%rdx),%rcx; mov 0x18(%rcx,%rax,8),%rcx; call *%rcx: indexed */
	static const uint8_t indexed[] = {0x48, 0x8b, 0x4a, 0x08, 0x48, 0x8b,
					  0x4c, 0xc1, 0x18, 0xff, 0xd1};
	struct gowrap_call c;

	(void)state;
	assert_int_equal(closure_call(clobbered, sizeof(clobbered), &c), -EINVAL);
	assert_int_equal(closure_call(self, sizeof(self), &c), -EINVAL);
	assert_int_equal(closure_call(shallow, sizeof(shallow), &c), -EINVAL);
	assert_int_equal(closure_call(indexed, sizeof(indexed), &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct),	      cmocka_unit_test(test_not_entry),
		cmocka_unit_test(test_indirect),      cmocka_unit_test(test_two_calls),
		cmocka_unit_test(test_not_wrapper),   cmocka_unit_test(test_wrapper_id),
		cmocka_unit_test(test_closure_iface), cmocka_unit_test(test_closure_funcval),
		cmocka_unit_test(test_closure_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
