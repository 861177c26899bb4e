/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Stand-in for an arm64 vmlinux.h until one is generated on an arm64 host
 * (see vendor/README.md). Our BPF programs use only arch-independent BPF
 * UAPI types, taken from the generated x86 header, plus the arm64 register
 * frame a uprobe receives: struct user_pt_regs, from the kernel's
 * arch/arm64/include/uapi/asm/ptrace.h.
 */
#ifndef __VMLINUX_ARM64_H__
#define __VMLINUX_ARM64_H__

#include "../x86/vmlinux.h"

struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

#endif /* __VMLINUX_ARM64_H__ */
