// SPDX-License-Identifier: BSD-2-Clause
/*
 * Probe placement on function bodies given as bytes: the prologues of
 * runtime.casgstatus in go1.19 and go1.22 (from objdump), a function with
 * Go's stack check and its morestack block, and the cases that must fall
 * back (an argument overwritten, a store through a pointer, a branch into
 * the stretch, no emulation in the kernel). Also the load bias from a
 * probe's ip, and the levels.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes.h"

#define START	  0x437e20ull
#define MORESTACK 0x462000ull

#define CASG_REGS                                                                   \
	(INSN_REG(INSN_X86_RAX) | INSN_REG(INSN_X86_RBX) | INSN_REG(INSN_X86_RCX) | \
	 INSN_REG(INSN_X86_R14))
#define CASG_A64 (INSN_REG(0) | INSN_REG(1) | INSN_REG(2) | INSN_REG(28))

static const struct probe_opts k618 = {.level = PROBES_STATES, .kernel = {6, 18}};
static const struct probe_opts k612 = {.level = PROBES_STATES, .kernel = {6, 12}};
static const struct probe_opts k310 = {.level = PROBES_STATES, .kernel = {3, 10}};

static struct probe_site place(enum insn_arch arch, const uint8_t *code, size_t len, uint32_t regs,
			       const struct probe_opts *o)
{
	struct probe_code c = {.arch = arch, .code = code, .len = len, .start = START};
	struct probe_site s;

	memset(&s, 0, sizeof(s));
	c.morestack[0] = MORESTACK;
	assert_int_equal(probes__place_code(&c, regs, o, &s), 0);
	assert_int_equal(s.func, START);
	return s;
}

#define OFF(s) ((s).vaddr - START)

/* runtime.casgstatus, go1.19.13: the first instruction is single-stepped, the nop at +0x1f is not.
 */
static const uint8_t casg119[] = {
	0x48, 0x83, 0xec, 0x40,	      /* 00 sub $0x40,%rsp */
	0x48, 0x89, 0x6c, 0x24, 0x38, /* 04 mov %rbp,0x38(%rsp) */
	0x48, 0x8d, 0x6c, 0x24, 0x38, /* 09 lea 0x38(%rsp),%rbp */
	0x48, 0x89, 0x44, 0x24, 0x48, /* 0e mov %rax,0x48(%rsp) */
	0x89, 0x5c, 0x24, 0x50,	      /* 13 mov %ebx,0x50(%rsp) */
	0x89, 0x4c, 0x24, 0x54,	      /* 17 mov %ecx,0x54(%rsp) */
	0x0f, 0xba, 0xe3, 0x0c,	      /* 1b bt $0xc,%ebx */
	0x90,			      /* 1f nop */
	0x72, 0x0a,		      /* 20 jb 2c */
	0x0f, 0xba, 0xe1, 0x0c,	      /* 22 bt $0xc,%ecx */
	0x72, 0x04,		      /* 26 jb 2c */
	0x39, 0xd9,		      /* 28 cmp %ebx,%ecx */
	0x75, 0x00,		      /* 2a jne 2c */
	0x48, 0x83, 0xc4, 0x40,	      /* 2c add $0x40,%rsp */
	0xc3,			      /* 30 ret */
};

/* runtime.casgstatus, go1.22.12: push %rbp first. */
static const uint8_t casg122[] = {
	0x55,			      /* 00 push %rbp */
	0x48, 0x89, 0xe5,	      /* 01 mov %rsp,%rbp */
	0x48, 0x83, 0xec, 0x38,	      /* 04 sub $0x38,%rsp */
	0x48, 0x89, 0x44, 0x24, 0x48, /* 08 mov %rax,0x48(%rsp) */
	0x89, 0x5c, 0x24, 0x50,	      /* 0d mov %ebx,0x50(%rsp) */
	0x89, 0x4c, 0x24, 0x54,	      /* 11 mov %ecx,0x54(%rsp) */
	0x0f, 0xba, 0xe3, 0x0c,	      /* 15 bt $0xc,%ebx */
	0x72, 0x0b,		      /* 19 jb 26 */
	0x0f, 0xba, 0xe1, 0x0c,	      /* 1b bt $0xc,%ecx */
	0x90,			      /* 1f nop */
	0x72, 0x04,		      /* 20 jb 26 */
	0x39, 0xd9,		      /* 22 cmp %ebx,%ecx */
	0x75, 0x00,		      /* 24 jne 26 */
	0x48, 0x83, 0xc4, 0x38,	      /* 26 add $0x38,%rsp */
	0x5d,			      /* 2a pop %rbp */
	0xc3,			      /* 2b ret */
};

/* A go1.21+ function with the stack check, and its morestack block at the end. */
static uint8_t checked[] = {
	0x49, 0x3b, 0x66, 0x10,	      /* 00 cmp 0x10(%r14),%rsp */
	0x76, 0x0e,		      /* 04 jbe 14 */
	0x55,			      /* 06 push %rbp */
	0x48, 0x89, 0xe5,	      /* 07 mov %rsp,%rbp */
	0x48, 0x83, 0xec, 0x20,	      /* 0a sub $0x20,%rsp */
	0x48, 0x83, 0xc4, 0x20,	      /* 0e add $0x20,%rsp */
	0x5d,			      /* 12 pop %rbp */
	0xc3,			      /* 13 ret */
	0x48, 0x89, 0x44, 0x24, 0x08, /* 14 mov %rax,0x8(%rsp) */
	0xe8, 0,    0,	  0,	0,    /* 19 call runtime.morestack_noctxt (patched) */
	0x48, 0x8b, 0x44, 0x24, 0x08, /* 1e mov 0x8(%rsp),%rax */
	0xeb, 0xdb,		      /* 23 jmp 00 */
};

static void patch_call(uint8_t *code, size_t at, uint64_t target)
{
	int32_t rel = (int32_t)(target - (START + at + 5));

	memcpy(code + at + 1, &rel, 4);
}

static void test_casgstatus_go119(void **state)
{
	struct probe_site s;

	(void)state;
	s = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0x1f);
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);
	assert_string_equal(s.insn, "nop");
	/* Same on kernels without push emulation: there is no push. */
	s = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS, &k612);
	assert_int_equal(OFF(s), 0x1f);
	/* A kernel that emulates nothing: the entry, and why. */
	s = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS, &k310);
	assert_int_equal(OFF(s), 0);
	assert_int_equal(s.mode, INSN_UPROBE_STEPPED);
	assert_non_null(strstr(s.why, "conditional branch at +0x20"));
}

static void test_casgstatus_go122(void **state)
{
	struct probe_site s;

	(void)state;
	/*
	 * The push is emulated, but by a write to the user stack: the first jb
	 * costs less (bench/insncost), and not the nop behind it (the jb may
	 * skip it).
	 */
	s = place(INSN_X86_64, casg122, sizeof(casg122), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0x19);
	assert_string_equal(s.insn, "jb 0x437e46");
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);
	/* Without push emulation: the same jb. */
	s = place(INSN_X86_64, casg122, sizeof(casg122), CASG_REGS, &k612);
	assert_int_equal(OFF(s), 0x19);
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);
	/* A program that reads SP (mallocgc's) keeps the push: past it SP has moved. */
	s = place(INSN_X86_64, casg122, sizeof(casg122), CASG_REGS | INSN_REG(INSN_X86_RSP), &k618);
	assert_int_equal(OFF(s), 0);
	assert_string_equal(s.insn, "push %rbp");
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);

	/* The benchmarks' before: the entry, whatever it is. */
	{
		struct probe_opts o = k618;

		o.entry_only = true;
		s = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS, &o);
		assert_int_equal(OFF(s), 0);
	}
}

static void test_stack_check(void **state)
{
	uint8_t code[sizeof(checked)];
	struct probe_site s;

	(void)state;
	memcpy(code, checked, sizeof(code));
	patch_call(code, 0x19, MORESTACK);
	/* Past the jbe: on it (or at the entry) a call that grows the stack is hit twice. */
	s = place(INSN_X86_64, code, sizeof(code), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 6);
	assert_string_equal(s.insn, "push %rbp");
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);
	/* No emulated site after it: still past the check, single-stepped. */
	s = place(INSN_X86_64, code, sizeof(code), CASG_REGS, &k612);
	assert_int_equal(OFF(s), 6);
	assert_int_equal(s.mode, INSN_UPROBE_STEPPED);
	assert_non_null(strstr(s.why, "past the stack check"));

	/* The block calls something else: not a stack check, the jbe is an ordinary branch. */
	patch_call(code, 0x19, MORESTACK + 0x100);
	s = place(INSN_X86_64, code, sizeof(code), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 4);
	/* It calls morestack but jumps elsewhere than the entry: not a stack check either. */
	patch_call(code, 0x19, MORESTACK);
	code[sizeof(code) - 1] = 0xdf; /* jmp 04 */
	s = place(INSN_X86_64, code, sizeof(code), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0);
	assert_non_null(strstr(s.why, "a branch lands on +0x4"));
}

static void test_fallbacks(void **state)
{
	static const uint8_t clobber[] = {
		0x48, 0x83, 0xec, 0x10, /* sub $0x10,%rsp */
		0x48, 0x8b, 0x18,	/* mov (%rax),%rbx */
		0x90,			/* nop */
		0xc3,
	};
	static const uint8_t store[] = {
		0x48, 0x83, 0xec, 0x10, /* sub $0x10,%rsp */
		0x48, 0x89, 0x41, 0x08, /* mov %rax,0x8(%rcx) */
		0x90, 0xc3,
	};
	static const uint8_t landing[] = {
		0x48, 0x83, 0xec, 0x10, /* 00 sub $0x10,%rsp */
		0x48, 0x89, 0xe5,	/* 04 mov %rsp,%rbp */
		0x90,			/* 07 nop */
		0xeb, 0xfa,		/* 08 jmp 04 */
	};
	static const uint8_t unknown[] = {
		0x48, 0x83, 0xec, 0x10, /* sub $0x10,%rsp */
		0x0f, 0xa2,		/* cpuid */
		0x90, 0xc3,
	};
	struct probe_site s;

	(void)state;
	s = place(INSN_X86_64, clobber, sizeof(clobber), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0);
	assert_non_null(strstr(s.why, "RBX overwritten at +0x4"));
	/* The same code is fine for a program that reads only RAX. */
	s = place(INSN_X86_64, clobber, sizeof(clobber), INSN_REG(INSN_X86_RAX), &k618);
	assert_int_equal(OFF(s), 7);

	s = place(INSN_X86_64, store, sizeof(store), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0);
	assert_non_null(strstr(s.why, "memory written at +0x4"));

	s = place(INSN_X86_64, landing, sizeof(landing), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0);
	assert_non_null(strstr(s.why, "a branch lands on +0x4"));

	s = place(INSN_X86_64, unknown, sizeof(unknown), CASG_REGS, &k618);
	assert_int_equal(OFF(s), 0);
	assert_non_null(strstr(s.why, "cannot tell what"));
}

static void put32(uint8_t *p, uint32_t w)
{
	p[0] = w & 0xff;
	p[1] = (w >> 8) & 0xff;
	p[2] = (w >> 16) & 0xff;
	p[3] = w >> 24;
}

static void test_arm64(void **state)
{
	/* runtime.casgstatus, go1.26 arm64 */
	static const uint32_t casg[] = {
		0xf8190ffe, /* 00 str x30, [sp, #-112]! */
		0xf81f83fd, /* 04 stur x29, [sp, #-8] */
		0xd10023fd, /* 08 sub x29, sp, #8 */
		0xf9003fe0, /* 0c str x0, [sp, #120] */
		0xb90083e1, /* 10 str w1, [sp, #128] */
		0xb90087e2, /* 14 str w2, [sp, #132] */
		0x37600081, /* 18 tbnz w1, #12, 28 */
		0x37600062, /* 1c tbnz w2, #12, 28 */
		0x6b01005f, /* 20 cmp w2, w1 */
		0x54000021, /* 24 b.ne 28 */
		0xd65f03c0, /* 28 ret */
	};
	/* A function with the stack check; bl patched to morestack. */
	uint32_t chk[] = {
		0xf9400b90, /* 00 ldr x16, [x28, #16] */
		0xeb3063ff, /* 04 cmp sp, x16 */
		0x540000c9, /* 08 b.ls 20 */
		0xf81d0ffe, /* 0c str x30, [sp, #-48]! */
		0xf9400003, /* 10 ldr x3, [x0] */
		0xb4000023, /* 14 cbz x3, 18 */
		0xd65f03c0, /* 18 ret */
		0xd503201f, /* 1c nop */
		0xf90007e0, /* 20 str x0, [sp, #8] */
		0xaa1e03e3, /* 24 mov x3, x30 */
		0x94000000, /* 28 bl (patched) */
		0xf94007e0, /* 2c ldr x0, [sp, #8] */
		0x17fffff4, /* 30 b 00 */
	};
	uint8_t code[sizeof(chk)], c2[sizeof(casg)];
	struct probe_site s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(casg) / 4; i++)
		put32(c2 + 4 * i, casg[i]);
	s = place(INSN_ARM64, c2, sizeof(c2), CASG_A64, &k618);
	assert_int_equal(OFF(s), 0x18);
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);

	chk[10] = 0x94000000 | (uint32_t)(((MORESTACK - (START + 0x28)) / 4) & 0x03ffffff);
	for (i = 0; i < sizeof(chk) / 4; i++)
		put32(code + 4 * i, chk[i]);
	s = place(INSN_ARM64, code, sizeof(code), CASG_A64, &k618);
	assert_int_equal(OFF(s), 0x14);
	assert_int_equal(s.mode, INSN_UPROBE_EMULATED);
	/* x0 overwritten before the cbz: past the check, stepped. */
	put32(code + 0x10, 0xf9400000); /* ldr x0, [x0] */
	s = place(INSN_ARM64, code, sizeof(code), CASG_A64, &k618);
	assert_int_equal(OFF(s), 0x0c);
	assert_int_equal(s.mode, INSN_UPROBE_STEPPED);
}

static void test_bias_and_names(void **state)
{
	struct probe_site sites[3];
	uint64_t bias = 0;
	char name[64];

	(void)state;
	memset(sites, 0, sizeof(sites));
	sites[0].found = sites[1].found = true;
	sites[0].func = 0x44d2e0;
	sites[0].vaddr = 0x44d2e0;
	sites[0].fname = "runtime.casgstatus";
	sites[1].func = 0x441280;
	sites[1].vaddr = 0x4413a0;
	sites[1].fname = "runtime.newproc1";
	sites[2].vaddr = 0x1000; /* not found: never used */

	assert_int_equal(probes__bias(sites, 3, 0x55550000 + 0x4413a0, &bias), 0);
	assert_int_equal(bias, 0x55550000);
	assert_int_equal(probes__bias(sites, 3, 0x55550000 + 0x44d2e1, &bias), 0); /* ip + 1 */
	assert_int_equal(bias, 0x55550000);
	assert_int_equal(probes__bias(sites, 3, 0x4413a0, &bias), 0);
	assert_int_equal(bias, 0);
	assert_int_equal(probes__bias(sites, 3, 0x55550000 + 0x4413a8, &bias), -ENOENT);
	assert_int_equal(probes__bias(sites, 3, 0x1000, &bias), -ENOENT);

	assert_string_equal(probes__site_name(&sites[0], name, sizeof(name)), "runtime.casgstatus");
	assert_string_equal(probes__site_name(&sites[1], name, sizeof(name)),
			    "runtime.newproc1+0x120");
}

static void test_levels(void **state)
{
	enum probe_level l;

	(void)state;
	assert_int_equal(probes__parse_level("lifecycle", &l), 0);
	assert_int_equal(l, PROBES_LIFECYCLE);
	assert_int_equal(probes__parse_level("states", &l), 0);
	assert_int_equal(l, PROBES_STATES);
	assert_int_equal(probes__parse_level("all", &l), 0);
	assert_int_equal(l, PROBES_ALL);
	assert_int_equal(probes__parse_level("none", &l), -EINVAL);
	assert_int_equal(probes__parse_level("", &l), -EINVAL);
	assert_string_equal(probes__level_name(PROBES_STATES), "states");
	assert_int_equal(PROBES_DEFAULT, PROBES_STATES);
	assert_true(probes__level_has(PROBES_LIFECYCLE, PROBE_CLASS_GSTATUS));
	assert_true(probes__level_has(PROBES_ALL, PROBE_CLASS_GSTATUS));
	/* Allocation probes: only ever with "all" (none exist yet). */
	assert_false(probes__level_has(PROBES_STATES, PROBE_CLASS_ALLOC));
	assert_false(probes__level_has(PROBES_LIFECYCLE, PROBE_CLASS_ALLOC));
}

/*
 * The bytes at the chosen site travel with it: the attach compares them
 * with the file and the process again (src/live/target.c).
 */
static void test_site_code(void **state)
{
	struct probe_site s19 = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS, &k618);
	struct probe_site s22 = place(INSN_X86_64, casg122, sizeof(casg122), CASG_REGS, &k618);

	(void)state;
	assert_int_equal(OFF(s19), 0x1f); /* nop */
	assert_int_equal(s19.code_len, 1);
	assert_int_equal(s19.code[0], 0x90);
	assert_true(s22.code_len > 0);
	assert_memory_equal(s22.code, casg122 + OFF(s22), s22.code_len);
	s19 = place(INSN_X86_64, casg119, sizeof(casg119), CASG_REGS,
		    &(struct probe_opts){
			    .level = PROBES_STATES, .kernel = {6, 18}, .entry_only = true});
	assert_int_equal(OFF(s19), 0);
	assert_int_equal(s19.code_len, 4); /* sub $0x40,%rsp */
	assert_memory_equal(s19.code, casg119, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_casgstatus_go119),
		cmocka_unit_test(test_casgstatus_go122),
		cmocka_unit_test(test_stack_check),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_bias_and_names),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_site_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
