/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The function a wrapper starts, read from the wrapper's code: what Go's
 * traceback shows at the bottom of a goroutine that starts in a wrapper
 * without FUNCDATA_WrapInfo (a go statement with arguments calling a
 * closure literal, a method, a devirtualized interface method; a -fm
 * method value; a pointer-receiver wrapper of a value method). Pure: reads
 * the goelf only. See docs/JSONL.md ("func") for what stays unresolved.
 */
#ifndef XGOTOP_GOWRAP_H
#define XGOTOP_GOWRAP_H

#include <stdint.h>

struct goelf;
struct go_pcinfo;

/*
 * The start function of a goroutine whose g.startpc is ENTRY, a function
 * of funcID WRAPPER_ID (the release's abi.FuncIDWrapper): the one direct
 * call the wrapper makes besides the compiler's helpers, followed through
 * further wrappers; when that call site is inlined code, the outermost
 * inlined function. 0, or -ENOENT when ENTRY is not a wrapper, -EAGAIN
 * when the call is indirect (closure value, method value, interface: the
 * callee is only known at run time), -EINVAL when the code is not as
 * expected (none or several calls, undecodable).
 */
int gowrap__resolve(const struct goelf *ge, uint64_t entry, uint8_t wrapper_id,
		    struct go_pcinfo *out);

/*
 * Where an indirect wrapper's callee is at run time: the wrapper reads a
 * word of its closure (a funcval or an itab: *(closure + PTR_OFF)) and
 * calls the code pointer at CODE_OFF in it (0 for a funcval's fn, the
 * method's slot of itab.fun). The closure is the goroutine's g.sched.ctxt
 * until it first runs (runtime/proc.go newproc1, gostartcallfn).
 */
struct gowrap_call {
	uint32_t ptr_off, code_off;
};

/*
 * The indirect call of the wrapper at ENTRY, followed from the context
 * register through loads and moves to the call. 0, -ENOENT when ENTRY is
 * not a wrapper, -EINVAL when its first call is not through its closure.
 */
int gowrap__closure_call(const struct goelf *ge, uint64_t entry, uint8_t wrapper_id,
			 struct gowrap_call *out);

/* FN for each wrapper of GE that calls through its closure; stops at FN's non-zero return. */
typedef int (*gowrap_each_fn)(uint64_t entry, const struct gowrap_call *c, void *ctx);
int gowrap__each_closure_call(const struct goelf *ge, gowrap_each_fn fn, void *ctx);

/* abi.FuncIDWrapper of GE's Go release; 0 when the release is unknown. */
uint8_t gowrap__wrapper_id(const struct goelf *ge);

#endif /* XGOTOP_GOWRAP_H */
