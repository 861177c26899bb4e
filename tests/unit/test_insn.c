// SPDX-License-Identifier: BSD-2-Clause
/*
 * The instruction decoder: lengths and effects of the instructions Go puts
 * in function prologues (bytes taken from objdump of Go 1.19-1.26 binaries),
 * the other encodings a length decoder must get right (VEX, EVEX, moffs,
 * imm64, prefixes), and the uprobe rules per kernel release.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "insn.h"

#define VA 0x401000ull

static const struct insn_kernel k618 = {6, 18}, k612 = {6, 12}, k614 = {6, 14}, k310 = {3, 10};

static struct insn x86(const uint8_t *b, size_t n)
{
	struct insn in;

	assert_int_equal(insn__decode(INSN_X86_64, b, n, VA, &in), 0);
	return in;
}

static struct insn a64(uint32_t w)
{
	uint8_t b[4] = {w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >> 24};
	struct insn in;

	assert_int_equal(insn__decode(INSN_ARM64, b, 4, VA, &in), 0);
	assert_int_equal(in.len, 4);
	return in;
}

#define X86(...)                                           \
	({                                                 \
		static const uint8_t b_[] = {__VA_ARGS__}; \
		x86(b_, sizeof(b_));                       \
	})

static enum insn_uprobe up_x86(const uint8_t *b, size_t n, const struct insn_kernel *k)
{
	struct insn in = x86(b, n);

	return insn__uprobe(INSN_X86_64, b, &in, k);
}

#define UP(k, ...)                                         \
	({                                                 \
		static const uint8_t b_[] = {__VA_ARGS__}; \
		up_x86(b_, sizeof(b_), k);                 \
	})

static void test_x86_go_prologue(void **state)
{
	struct insn in;

	(void)state;
	in = X86(0x48, 0x83, 0xec, 0x40); /* sub $0x40,%rsp */
	assert_int_equal(in.len, 4);
	assert_int_equal(in.kind, INSN_PLAIN);
	assert_true(in.known);
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RSP));
	assert_false(in.stores);

	in = X86(0x55); /* push %rbp */
	assert_int_equal(in.len, 1);
	assert_int_equal(in.kind, INSN_PUSH);
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RSP));
	assert_true(in.stores && in.stack_only);

	in = X86(0x48, 0x89, 0xe5); /* mov %rsp,%rbp */
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RBP));

	in = X86(0x48, 0x89, 0x6c, 0x24, 0x38); /* mov %rbp,0x38(%rsp) */
	assert_int_equal(in.len, 5);
	assert_int_equal(in.writes, 0);
	assert_true(in.stores && in.stack_only);

	in = X86(0x48, 0x8d, 0x6c, 0x24, 0x38); /* lea 0x38(%rsp),%rbp */
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RBP));
	assert_false(in.stores);

	in = X86(0x89, 0x5c, 0x24, 0x50); /* mov %ebx,0x50(%rsp) */
	assert_int_equal(in.len, 4);
	assert_true(in.stores && in.stack_only);

	in = X86(0x0f, 0xba, 0xe3, 0x0c); /* bt $0xc,%ebx */
	assert_int_equal(in.len, 4);
	assert_true(in.known);
	assert_int_equal(in.writes, 0);

	in = X86(0x49, 0x3b, 0x66, 0x10); /* cmp 0x10(%r14),%rsp */
	assert_int_equal(in.len, 4);
	assert_true(in.known);
	assert_int_equal(in.writes, 0);

	in = X86(0x4c, 0x8d, 0x64, 0x24, 0xf8); /* lea -0x8(%rsp),%r12 */
	assert_int_equal(in.writes, INSN_REG(12));

	in = X86(0x44, 0x0f, 0x11, 0x7c, 0x24, 0x28); /* movups %xmm15,0x28(%rsp) */
	assert_int_equal(in.len, 6);
	assert_true(in.stores && in.stack_only);
	assert_int_equal(in.writes, 0);

	in = X86(0x45, 0x0f, 0x57, 0xff); /* xorps %xmm15,%xmm15 */
	assert_int_equal(in.len, 4);
	assert_true(in.known);
	assert_int_equal(in.writes, 0);

	in = X86(0x48, 0x89, 0x41, 0x08); /* mov %rax,0x8(%rcx): not the stack */
	assert_true(in.stores);
	assert_false(in.stack_only);

	in = X86(0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff); /* mov %fs:-8,%rcx */
	assert_int_equal(in.len, 9);
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RCX));
}

static void test_x86_branches(void **state)
{
	struct insn in;

	(void)state;
	in = X86(0x72, 0x0a); /* jb +0xa */
	assert_int_equal(in.kind, INSN_JCC);
	assert_true(in.has_target);
	assert_int_equal(in.target, VA + 2 + 0xa);

	in = X86(0x0f, 0x86, 0x8d, 0x00, 0x00, 0x00); /* jbe rel32 */
	assert_int_equal(in.len, 6);
	assert_int_equal(in.kind, INSN_JCC);
	assert_int_equal(in.target, VA + 6 + 0x8d);

	in = X86(0x76, 0xf0); /* jbe backwards */
	assert_int_equal(in.target, VA + 2 - 0x10);

	in = X86(0xe8, 0x00, 0x01, 0x00, 0x00); /* call */
	assert_int_equal(in.kind, INSN_CALL);
	assert_int_equal(in.target, VA + 5 + 0x100);
	assert_int_equal(in.writes, INSN_REGS_ALL);

	in = X86(0xe9, 0xfb, 0xff, 0xff, 0xff); /* jmp to itself */
	assert_int_equal(in.kind, INSN_JMP);
	assert_int_equal(in.target, VA);

	in = X86(0xeb, 0x00);
	assert_int_equal(in.kind, INSN_JMP);

	assert_int_equal(X86(0xc3).kind, INSN_INDIRECT);
	assert_int_equal(X86(0xff, 0xd0).kind, INSN_INDIRECT);		      /* call *%rax */
	assert_int_equal(X86(0xff, 0x25, 0x10, 0, 0, 0).kind, INSN_INDIRECT); /* jmp *(rip) */
	assert_int_equal(X86(0xcc).kind, INSN_TRAP);
	assert_int_equal(X86(0x0f, 0x0b).kind, INSN_TRAP);
	assert_int_equal(X86(0x0f, 0x05).kind, INSN_TRAP);
}

static void test_x86_lengths(void **state)
{
	struct insn in;
	uint8_t b[16];

	(void)state;
	in = X86(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8); /* movabs $imm64,%rax */
	assert_int_equal(in.len, 10);
	assert_int_equal(in.writes, INSN_REG(INSN_X86_RAX));
	assert_int_equal(X86(0xb8, 1, 2, 3, 4).len, 5);			   /* mov $imm32,%eax */
	assert_int_equal(X86(0x66, 0xb8, 1, 2).len, 4);			   /* mov $imm16,%ax */
	assert_int_equal(X86(0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8).len, 10); /* moffs64 */
	assert_int_equal(X86(0x67, 0xa1, 1, 2, 3, 4).len, 6);		   /* moffs32 */
	assert_int_equal(X86(0x48, 0xc7, 0x44, 0x24, 0x08, 1, 0, 0, 0).len, 9);
	assert_int_equal(X86(0x66, 0xc7, 0x44, 0x24, 0x08, 1, 0).len, 7);
	assert_int_equal(X86(0xf6, 0xc1, 0x01).len, 3);		    /* test $1,%cl */
	assert_int_equal(X86(0xf7, 0xc1, 1, 0, 0, 0).len, 6);	    /* test $1,%ecx */
	assert_int_equal(X86(0xf7, 0xd9).len, 2);		    /* neg %ecx: no immediate */
	assert_int_equal(X86(0xc8, 0x10, 0x00, 0x01).len, 4);	    /* enter */
	assert_int_equal(X86(0x8b, 0x04, 0x25, 1, 2, 3, 4).len, 7); /* sib, no base */
	assert_int_equal(X86(0x8b, 0x44, 0x88, 0x10).len, 4);	    /* sib + disp8 */
	assert_int_equal(X86(0x8b, 0x84, 0x88, 1, 2, 3, 4).len, 7); /* sib + disp32 */
	assert_int_equal(X86(0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08).len, 6); /* palignr */
	assert_int_equal(X86(0x66, 0x0f, 0x38, 0x00, 0xc1).len, 5);	  /* pshufb */
	assert_int_equal(X86(0xc5, 0xf8, 0x77).len, 3);			  /* vzeroupper */
	assert_true(X86(0xc5, 0xf8, 0x77).known);
	assert_int_equal(X86(0xc5, 0xfe, 0x6f, 0x06).len, 4);		  /* vmovdqu (%rsi),%ymm0 */
	assert_int_equal(X86(0xc4, 0xe3, 0x7d, 0x39, 0xc1, 0x01).len, 6); /* vextracti128 */
	assert_int_equal(X86(0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x06).len, 6); /* vmovdqu64 */
	assert_int_equal(X86(0x62, 0xf1, 0x7c, 0x48, 0x10, 0x46, 0x01).len, 7);
	assert_int_equal(X86(0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0).len, 9);
	assert_int_equal(X86(0x0f, 0x0f, 0xc1, 0xb4).len, 4); /* 3DNow! */

	in = X86(0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00); /* mov 0x10(%rip),%rax */
	assert_int_equal(in.len, 7);
	assert_true(in.has_ref);
	assert_int_equal(in.ref, VA + 7 + 0x10);
	in = X86(0x83, 0x3d, 0x10, 0, 0, 0, 0x00); /* cmpl $0,0x10(%rip): ref past the imm */
	assert_int_equal(in.len, 7);
	assert_int_equal(in.ref, VA + 7 + 0x10);

	/* Truncated, invalid, too long. */
	b[0] = 0x48;
	b[1] = 0x83;
	assert_int_equal(insn__decode(INSN_X86_64, b, 2, VA, &in), -ENODATA);
	b[0] = 0x06;
	assert_int_equal(insn__decode(INSN_X86_64, b, 1, VA, &in), -EINVAL);
	memset(b, 0x66, sizeof(b));
	assert_int_equal(insn__decode(INSN_X86_64, b, sizeof(b), VA, &in), -EINVAL);
	assert_int_equal(insn__decode(INSN_X86_64, b, 0, VA, &in), -ENODATA);
}

static void test_x86_uprobe(void **state)
{
	(void)state;
	/* Single-stepped: what Go puts first before go1.21. */
	assert_int_equal(UP(&k618, 0x48, 0x83, 0xec, 0x40), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k618, 0x49, 0x3b, 0x66, 0x10), INSN_UPROBE_STEPPED);
	/* push: emulated from 6.13, one byte or with REX.B alone. */
	assert_int_equal(UP(&k618, 0x55), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0x55), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k618, 0x41, 0x56), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k618, 0x48, 0x55), INSN_UPROBE_STEPPED);
	/* nop with prefixes, since 3.15; long nops from the kernel's table since 6.15. */
	assert_int_equal(UP(&k310, 0x90), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k612, 0x90), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0x66, 0x90), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0xf3, 0x90), INSN_UPROBE_EMULATED); /* pause */
	assert_int_equal(UP(&k618, 0x41, 0x90), INSN_UPROBE_STEPPED);  /* xchg %eax,%r8d */
	assert_int_equal(UP(&k618, 0x0f, 0x1f, 0x44, 0x00, 0x00), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k614, 0x0f, 0x1f, 0x44, 0x00, 0x00), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k618, 0x0f, 0x1f, 0x40, 0x08),
			 INSN_UPROBE_STEPPED); /* not the table's */
	assert_int_equal(UP(&k618, 0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0), INSN_UPROBE_STEPPED);
	/* Branches: emulated, but refused with a 0x66 prefix; loop/jrcxz stepped. */
	assert_int_equal(UP(&k612, 0x72, 0x0a), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0x0f, 0x86, 1, 0, 0, 0), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0xe8, 1, 0, 0, 0), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0xeb, 0x10), INSN_UPROBE_EMULATED);
	assert_int_equal(UP(&k612, 0x66, 0xe9, 1, 0, 0, 0), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k612, 0xe3, 0x10), INSN_UPROBE_STEPPED);
	/* Refused outright. */
	assert_int_equal(UP(&k618, 0xcc), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k618, 0x0f, 0x05), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k618, 0x0f, 0x0b), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k618, 0xf0, 0x48, 0x0f, 0xb1, 0x11), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k618, 0x2e, 0x8b, 0x01), INSN_UPROBE_REFUSED);
	assert_int_equal(UP(&k618, 0xf4), INSN_UPROBE_REFUSED);
	/* Others step: ret, indirect calls, rip-relative loads. */
	assert_int_equal(UP(&k618, 0xc3), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k618, 0xff, 0xd0), INSN_UPROBE_STEPPED);
	assert_int_equal(UP(&k618, 0x48, 0x8b, 0x05, 0x10, 0, 0, 0), INSN_UPROBE_STEPPED);
}

static void test_arm64(void **state)
{
	const struct insn_kernel *k = &k618;
	struct insn in;

	(void)state;
	/* runtime.casgstatus, go1.20 and go1.26 (nosplit): the first tbnz is simulated. */
	in = a64(0xf81b0ffe); /* str x30, [sp, #-80]! */
	assert_true(in.known);
	assert_int_equal(in.writes, INSN_REG(INSN_ARM64_SP));
	assert_true(in.stores && in.stack_only);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_STEPPED);
	in = a64(0xf81f83fd); /* stur x29, [sp, #-8] */
	assert_int_equal(in.writes, 0);
	assert_true(in.stores && in.stack_only);
	in = a64(0xd10023fd); /* sub x29, sp, #8 */
	assert_int_equal(in.writes, INSN_REG(INSN_ARM64_FP));
	in = a64(0xf9002fe0); /* str x0, [sp, #88] */
	assert_int_equal(in.writes, 0);
	assert_true(in.stack_only);
	in = a64(0xb90067e2); /* str w2, [sp, #100] */
	assert_true(in.stores && in.stack_only);
	in = a64(0x37600081); /* tbnz w1, #12, +16 */
	assert_int_equal(in.kind, INSN_JCC);
	assert_int_equal(in.target, VA + 16);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_EMULATED);
	in = a64(0x6b02003f); /* cmp w1, w2 */
	assert_true(in.known);
	assert_int_equal(in.writes, 0);
	in = a64(0x540001a1); /* b.ne +52 */
	assert_int_equal(in.kind, INSN_JCC);
	assert_int_equal(in.target, VA + 13 * 4);

	/* runtime.makeslice: stack check, and its morestack block. */
	in = a64(0xf9400b90); /* ldr x16, [x28, #16] */
	assert_int_equal(in.writes, INSN_REG(16));
	assert_false(in.stores);
	in = a64(0xeb3063ff); /* cmp sp, x16 */
	assert_int_equal(in.writes, 0);
	in = a64(0x54000529); /* b.ls +164 */
	assert_int_equal(in.kind, INSN_JCC);
	in = a64(0xaa1e03e3); /* mov x3, x30 */
	assert_int_equal(in.writes, INSN_REG(3));
	in = a64(0x94005465); /* bl */
	assert_int_equal(in.kind, INSN_CALL);
	assert_int_equal(in.target, VA + 0x5465 * 4);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_EMULATED);
	in = a64(0x17ffffcd); /* b -204 */
	assert_int_equal(in.kind, INSN_JMP);
	assert_int_equal(in.target, VA - 51 * 4);
	in = a64(0xa94087e0); /* ldp x0, x1, [sp, #8] */
	assert_int_equal(in.writes, INSN_REG(0) | INSN_REG(1));

	in = a64(0xd503201f); /* nop: stepped, not simulated */
	assert_int_equal(in.kind, INSN_NOP);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_STEPPED);
	in = a64(0x90000000); /* adrp x0, page */
	assert_int_equal(in.writes, INSN_REG(0));
	assert_true(in.has_ref);
	assert_int_equal(in.ref, VA & ~0xfffull);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_EMULATED);
	in = a64(0xd65f03c0); /* ret */
	assert_int_equal(in.kind, INSN_INDIRECT);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_EMULATED);
	in = a64(0x58000040); /* ldr x0, literal */
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_REFUSED);
	in = a64(0xc85f7c20); /* ldxr x0, [x1] */
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_REFUSED);
	in = a64(0xd4200000); /* brk #0 */
	assert_int_equal(in.kind, INSN_TRAP);
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_REFUSED);
	in = a64(0xd53b4200); /* mrs x0, nzcv: stepped */
	assert_int_equal(in.writes, INSN_REG(0));
	assert_int_equal(insn__uprobe(INSN_ARM64, NULL, &in, k), INSN_UPROBE_STEPPED);
	in = a64(0x910003fd); /* mov x29, sp */
	assert_int_equal(in.writes, INSN_REG(INSN_ARM64_FP));
	in = a64(0x910003ff); /* mov sp, sp: add writes sp */
	assert_int_equal(in.writes, INSN_REG(INSN_ARM64_SP));
}

static void test_text_and_kernel(void **state)
{
	static const uint8_t push[] = {0x55}, jb[] = {0x72, 0x0a}, sub[] = {0x48, 0x83, 0xec, 0x40};
	static const uint8_t nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
	struct insn_kernel k;
	char buf[48];
	struct insn in;

	(void)state;
	in = x86(push, 1);
	assert_string_equal(insn__text(INSN_X86_64, push, &in, buf, sizeof(buf)), "push %rbp");
	in = x86(jb, 2);
	assert_string_equal(insn__text(INSN_X86_64, jb, &in, buf, sizeof(buf)), "jb 0x40100c");
	in = x86(sub, 4);
	assert_string_equal(insn__text(INSN_X86_64, sub, &in, buf, sizeof(buf)), "48 83 ec 40");
	in = x86(nop5, 5);
	assert_string_equal(insn__text(INSN_X86_64, nop5, &in, buf, sizeof(buf)), "nop (5 bytes)");
	in = x86(sub, 4);
	assert_string_equal(insn__text(INSN_X86_64, sub, &in, buf, 4), "48");

	assert_int_equal(insn__kernel_parse("6.18.44-fc-v769", &k), 0);
	assert_int_equal(k.major, 6);
	assert_int_equal(k.minor, 18);
	assert_int_equal(insn__kernel_parse("5.4", &k), 0);
	assert_int_equal(k.minor, 4);
	assert_int_equal(insn__kernel_parse("linux", &k), -EINVAL);
	assert_int_equal(insn__kernel_parse(NULL, &k), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_go_prologue), cmocka_unit_test(test_x86_branches),
		cmocka_unit_test(test_x86_lengths),	cmocka_unit_test(test_x86_uprobe),
		cmocka_unit_test(test_arm64),		cmocka_unit_test(test_text_and_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
