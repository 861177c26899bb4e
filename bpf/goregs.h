/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Go's register ABI (ABIInternal, go1.17+), not the C one: libbpf's
 * PT_REGS_PARMn would read RDI/RSI/RDX on amd64, which hold nothing useful
 * at a Go function entry. Source: Go's src/cmd/compile/abi-internal.md.
 *   amd64: RAX RBX RCX RDI RSI R8 R9 R10 R11, current g in R14
 *   arm64: R0 ... R15, current g in R28
 * Go keeps frame pointers on both (RBP / R29): at a function's entry the
 * frame pointer is still the caller's, whose return address sits one word
 * above what it points to.
 */
#ifndef XGOTOP_GOREGS_H
#define XGOTOP_GOREGS_H

#if defined(__TARGET_ARCH_x86)
#define GO_ARG1(ctx) ((ctx)->ax)
#define GO_ARG2(ctx) ((ctx)->bx)
#define GO_ARG3(ctx) ((ctx)->cx)
#define GO_ARG4(ctx) ((ctx)->di)
#define GO_ARG6(ctx) ((ctx)->r8)
#define GO_G(ctx)    ((ctx)->r14)
#define GO_IP(ctx)   ((ctx)->ip)
#define GO_SP(ctx)   ((ctx)->sp)
#define GO_FP(ctx)   ((ctx)->bp)
/* Before the prologue the return address is the word at SP. */
#define GO_RET_IN_REG 0
#define GO_LR(ctx)    0
#elif defined(__TARGET_ARCH_arm64)
/* On arm64 the uprobe context is struct user_pt_regs laid out at the start of pt_regs. */
#define GO_ARG1(ctx)  (((struct user_pt_regs *)(ctx))->regs[0])
#define GO_ARG2(ctx)  (((struct user_pt_regs *)(ctx))->regs[1])
#define GO_ARG3(ctx)  (((struct user_pt_regs *)(ctx))->regs[2])
#define GO_ARG4(ctx)  (((struct user_pt_regs *)(ctx))->regs[3])
#define GO_ARG6(ctx)  (((struct user_pt_regs *)(ctx))->regs[5])
#define GO_G(ctx)     (((struct user_pt_regs *)(ctx))->regs[28])
#define GO_IP(ctx)    (((struct user_pt_regs *)(ctx))->pc)
#define GO_SP(ctx)    (((struct user_pt_regs *)(ctx))->sp)
#define GO_FP(ctx)    (((struct user_pt_regs *)(ctx))->regs[29])
/* Before the prologue the return address is in the link register. */
#define GO_RET_IN_REG 1
#define GO_LR(ctx)    (((struct user_pt_regs *)(ctx))->regs[30])
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif

#endif /* XGOTOP_GOREGS_H */
