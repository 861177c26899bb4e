/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --stacks: every goroutine of a live process with its stack, read from
 * its memory (process_vm_readv) without stopping it, no uprobes.
 *
 * A sweep reads runtime.allgs, each g (status, saved registers, wait
 * reason, creator), each stack from the saved SP to g.stack.hi, unwinds
 * (src/goexe/traceback.c), then reads each g again: a g whose status or
 * saved registers changed, or that ran in between (g.trackingSeq:
 * gsnap.c), is read again (at most STACKS_RETRIES times), then reported
 * as changed, never with a stack it may not have had.
 * The sweep is the API the UI and recordings can use too.
 */
#ifndef XGOTOP_STACKS_H
#define XGOTOP_STACKS_H

#include <stdio.h>
#include <sys/types.h>

#include "traceback.h"

struct goelf;

#define STACKS_RETRIES 3

struct stacks_target;
struct stk_sweep;

#define STK_G_NOSTACK UINT32_MAX

/*
 * One goroutine of a sweep: what the printer needs, and more. Its frames
 * (tb.frames) are its stack's: a sweep keeps each distinct stack once,
 * shared by every goroutine that has it (100k goroutines parked at one
 * site are one stack), with tb_frame.sp 0.
 */
struct stk_g {
	struct tb_g tb; /* goid, status, wait reason, minutes, locked, creator, frames */
	uint64_t gaddr;
	uint64_t startpc; /* run-time */
	int64_t waitsince;
	uint32_t stack; /* its stack among the sweep's distinct ones; STK_G_NOSTACK: none */
	uint8_t tries;
	bool system; /* runtime.isSystemGoroutine: Go's dump leaves it out */
};

struct stk_stats {
	uint64_t gs;		  /* entries of allgs */
	uint64_t listed;	  /* goroutines in the sweep (not dead) */
	uint64_t stacks;	  /* with a consistent stack */
	uint64_t distinct;	  /* distinct stacks walked (each kept once) */
	uint64_t changed;	  /* changed every time */
	uint64_t retried;	  /* read more than once */
	uint64_t bytes;		  /* bytes read */
	uint64_t reads;		  /* process_vm_readv calls */
	uint64_t cpu_ns;	  /* tracer CPU time of the sweep (thread) */
	uint64_t user_ns, sys_ns; /* the same, split (getrusage: tick-grained) */
	uint64_t wall_ns;
};

/* Open process PID. NULL with ERR set ("cannot read the memory of pid 42: ..."). */
struct stacks_target *stacks__open(pid_t pid, char *err, size_t errlen);
void stacks__close(struct stacks_target *t);

/* One sweep. 0 or -errno (ERR says what). Free it with stk_sweep__free. */
int stacks__sweep(struct stacks_target *t, struct stk_sweep **out, char *err, size_t errlen);
/*
 * One sweep whose goroutines are not kept: FN is handed them a batch at a
 * time (up to 4096, in allgs order, each final and with its frames), valid
 * for the call only. What it holds at once is a batch's, whatever the
 * number of goroutines; a stack's index (stk_g.stack) holds across the
 * batches of one sweep. FN returns 0 or an -errno that ends the sweep with
 * it. ST (may be NULL): the sweep's figures. 0 or -errno (ERR says what).
 */
typedef int (*stk_batch_fn)(const struct stk_g *gs, size_t n, void *ctx);
int stacks__sweep_each(struct stacks_target *t, stk_batch_fn fn, void *ctx, struct stk_stats *st,
		       char *err, size_t errlen);
/*
 * One goroutine alone, GOID, whose g is at GADDR (a sweep said so), with
 * the sweep's rules: read, walked, read again until two reads agree (at
 * most STACKS_RETRIES times more), else reported as changed. Into a sweep
 * of one. -ESRCH: it ended, or the g holds another goroutine now; -EFAULT
 * or another -errno: it could not be read.
 */
int stacks__read_g(struct stacks_target *t, uint64_t gaddr, uint64_t goid, struct stk_sweep **out);
void stk_sweep__free(struct stk_sweep *s);
size_t stk_sweep__n(const struct stk_sweep *s);
/* Its distinct stacks (stk_g.stack is below). */
size_t stk_sweep__n_stacks(const struct stk_sweep *s);
const struct stk_g *stk_sweep__g(const struct stk_sweep *s, size_t i);
void stk_sweep__stats(const struct stk_sweep *s, struct stk_stats *out);

/*
 * G's logical frames as Go's dump shows them (hidden runtime frames and
 * wrappers left out; all of a runtime goroutine's), innermost first, into OUT (at most MAX; a
 * deeper stack is cut). Strings point into the binary: valid until stacks__close.
 */
size_t stacks__frames(const struct stacks_target *t, const struct stk_g *g, struct tb_lframe *out,
		      size_t max);

/* L's function as Go's dump of T's release names it (tb__func_name): NAME, or BUF. */
const char *stacks__func_name(const struct stacks_target *t, const struct tb_lframe *l, char *buf,
			      size_t len);

/*
 * The function Go's dump shows at the bottom of G's stack (G of a sweep of
 * T): the goroutine's start function as Go names it, behind any wrapper.
 * Named from GE, the caller's copy of T's binary, so that the name lives as
 * long as GE. NULL when G has no whole stack (running, changed, or a walk
 * that did not reach runtime.goexit) or on ENOMEM.
 */
const char *stacks__bottom_func(const struct stacks_target *t, const struct stk_g *g,
				const struct goelf *ge);

/* Print S as debug=2 (runtime.Stack(buf, true)) or debug=1 (grouped) does. 0 or -errno. */
int stacks__print(FILE *out, const struct stacks_target *t, const struct stk_sweep *s, int debug);

#endif /* XGOTOP_STACKS_H */
