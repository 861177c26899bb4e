/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small x86-64 and arm64 instruction decoder of our own: enough to walk
 * the first instructions of a Go function and say, for each, its length,
 * the general registers and memory it writes, where it branches, and how
 * the running kernel's uprobe code treats it when a probe sits on it:
 * emulated in the trap handler (cheap), single-stepped out of line (about
 * four times dearer), or refused.
 *
 * The uprobe facts were read in Linux's arch/x86/kernel/uprobes.c and
 * arch/arm64/kernel/probes/decode-insn.c (mainline, 6.18 era) and measured
 * on 6.18 (bench/insncost): see insn__uprobe and docs/OVERHEAD.md.
 *
 * Pure: bytes in, structs out; no global state.
 */
#ifndef XGOTOP_INSN_H
#define XGOTOP_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum insn_arch {
	INSN_X86_64 = 1,
	INSN_ARM64 = 2,
};

/*
 * General registers as bits of a uint32_t. x86-64 uses the hardware
 * numbering (rax 0, rcx 1, rdx 2, rbx 3, rsp 4, rbp 5, rsi 6, rdi 7,
 * r8..r15 8..15); arm64 x0..x30 are 0..30 and sp is 31.
 */
#define INSN_REG(n) (1u << (n))
enum {
	INSN_X86_RAX = 0,
	INSN_X86_RCX = 1,
	INSN_X86_RDX = 2,
	INSN_X86_RBX = 3,
	INSN_X86_RSP = 4,
	INSN_X86_RBP = 5,
	INSN_X86_R14 = 14,
	INSN_ARM64_FP = 29,
	INSN_ARM64_LR = 30,
	INSN_ARM64_SP = 31,
};
#define INSN_REGS_ALL 0xffffffffu

enum insn_kind {
	INSN_PLAIN,    /* falls through to the next instruction */
	INSN_NOP,      /* a nop of any length */
	INSN_PUSH,     /* push of a register (x86) */
	INSN_CALL,     /* direct call; target is set */
	INSN_JMP,      /* direct unconditional branch; target is set */
	INSN_JCC,      /* direct conditional branch; target is set */
	INSN_INDIRECT, /* indirect jump or call, return: straight-line code ends */
	INSN_TRAP,     /* int3, ud2, hlt, syscall, brk, svc, udf: do not walk past */
};

struct insn {
	uint8_t len;
	enum insn_kind kind;
	/* writes/stores below are complete; false: assume anything may change */
	bool known;
	uint32_t writes; /* general registers written (INSN_REG bits) */
	bool stores;	 /* writes memory */
	bool stack_only; /* ...and only through the stack or frame pointer */
	bool has_target;
	uint64_t target; /* branch or call target */
	bool has_ref;	 /* x86: rip-relative operand; arm64: adr/adrp result */
	uint64_t ref;	 /* its address */
	/* Encoding details the uprobe rules look at. */
	uint8_t prefix_66, prefix_bad; /* 0x66 seen; es/cs/ss/ds/lock seen */
	uint8_t rex;		       /* 0 when absent */
	uint8_t map;		       /* x86 opcode map: 1 one-byte, 2 0f, 3 0f38, 4 0f3a */
	uint8_t opcode;		       /* x86 opcode byte in its map */
	uint8_t modrm_reg;	       /* x86 ModRM.reg when there is a ModRM byte */
	bool vex;		       /* x86 VEX or EVEX encoded */
	uint32_t word;		       /* arm64: the instruction */
};

/*
 * Decode the instruction at BUF (LEN bytes available) whose address is
 * VADDR. 0, -ENODATA when LEN is too short, -EINVAL when the bytes are not
 * an instruction of ARCH.
 */
int insn__decode(enum insn_arch arch, const uint8_t *buf, size_t len, uint64_t vaddr,
		 struct insn *out);

/* "push %rbp", "nop", "jbe 0x4622c0", "tbnz", or the bytes in hex; BUF is returned. */
const char *insn__text(enum insn_arch arch, const uint8_t *code, const struct insn *in, char *buf,
		       size_t len);

/* The running kernel, as far as uprobes are concerned. */
struct insn_kernel {
	unsigned int major, minor;
};

/* Parse a release string such as "6.18.44-fc-v769" (uname -r). 0 or -EINVAL. */
int insn__kernel_parse(const char *release, struct insn_kernel *k);

enum insn_uprobe {
	INSN_UPROBE_REFUSED = 0, /* the kernel refuses a uprobe there */
	INSN_UPROBE_STEPPED,	 /* trap, then single-step a copy out of line */
	INSN_UPROBE_EMULATED,	 /* trap, emulated in the handler: no single-step */
};

/*
 * What kernel K does with a uprobe on IN (decoded from CODE). Facts, from
 * the kernel sources named in the header comment:
 *  x86-64 (branch_setup_xol_ops, push_setup_xol_ops, uprobe_init_insn):
 *   - emulated since 3.15: jmp rel8/rel32, jcc rel8/rel32, call rel32, and
 *     0x90 with any prefixes (nop, pause, xchg %ax,%ax) - but any branch
 *     with a 0x66 prefix is refused;
 *   - emulated since 6.15: the multi-byte nops of the kernel's own table
 *     (0f 1f ... up to 8 bytes, one exact encoding per length);
 *   - emulated since 6.13: push of a register, 1 byte (50-57) or 41 50-57;
 *   - refused: es/cs/ss/ds/lock prefixes, int3, int1, hlt, cli, sti,
 *     in/out, syscall, sysenter, ud2, and the other opcodes the kernel's
 *     good-instruction tables leave out.
 *  arm64 (arm_probe_decode_insn): b, bl, b.cond, cbz/cbnz, tbz/tbnz,
 *   adr/adrp, br/blr/ret are simulated; literal loads and exclusive
 *   loads/stores are refused; everything else, nop included, is stepped.
 * The 6.13 and 6.15 thresholds are when those kernel changes were merged as
 * far as we know; bench/insncost measures the running kernel.
 */
enum insn_uprobe insn__uprobe(enum insn_arch arch, const uint8_t *code, const struct insn *in,
			      const struct insn_kernel *k);

#endif /* XGOTOP_INSN_H */
