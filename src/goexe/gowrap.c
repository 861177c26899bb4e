// SPDX-License-Identifier: BSD-2-Clause
/*
 * The function a wrapper starts, from the wrapper's code (gowrap.h).
 *
 * Since go1.17 a go statement whose call has arguments or results starts
 * the goroutine in a new no-argument closure that makes the call
 * (1.19.13 cmd/compile/internal/escape/call.go:225 goDeferStmt, 1.20.14
 * :249; 1.21.13 typecheck/stmt.go normalizeGoDeferCall, 1.22+ names it
 * gowrapN). The closure is marked a wrapper (SetWrapper, call.go:238 in
 * 1.19.13), so its funcID is abi.FuncIDWrapper and the runtime's
 * traceback hides it (1.19.13 runtime/traceback.go:960 showfuncinfo):
 * the bottom frame Go shows is whatever the closure called. The compiler
 * records that callee as FUNCDATA_WrapInfo only when it is a named
 * function or method expression (1.19.13 escape/call.go:241,
 * ssagen/ssa.go:6873 emitWrappedFuncInfo); for a closure literal with
 * arguments, a method called on a value, an interface method the
 * devirtualizer made static, a -fm method value started with no
 * arguments, or a pointer wrapper of a value method, only the code says.
 *
 * Such a wrapper's body is one call: the compiler built it after the
 * inliner ran (1.19.13 gc/main.go:241 inlining, :251 escape analysis),
 * and from 1.22 on, where the wrapper is built before inlining, an inlined
 * callee shows in the wrapper's inline tree, which Go's traceback expands
 * first. The other calls the compiler may put in a function are helpers:
 * the stack-growth call of the prologue (runtime.morestack or
 * morestack_noctxt, 1.19.13 cmd/internal/obj/x86/obj6.go:1064 stacksplit,
 * arm64/obj7.go stacksplit), race hooks (racefuncenter/racefuncexit under
 * -race), argument copies (duffcopy, duffzero, memmove, typedmemmove),
 * write barriers (gcWriteBarrier, gcWriteBarrier1..8 since 1.21), and the
 * nil-receiver panic of a method wrapper (panicwrap, 1.19.13
 * reflectdata/reflect.go:1880 methodWrapper), and the failed type
 * assertion of a devirtualized interface call (panicdottypeE/I,
 * panicnildottype: 1.26.8 devirtualize/devirtualize.go makes the call
 * direct behind a type assertion, ssagen/ssa.go dottype1).
 *
 * An indirect call (a closure value, a method value with arguments, an
 * interface method) has its target in the goroutine's closure, known at
 * run time only: -EAGAIN, and the caller keeps the wrapper's name.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "goelf.h"
#include "gofunc.h"
#include "gotables.h"
#include "gowrap.h"
#include "insn.h"
#include "traceback.h"

#define PCDATA_INLTREEIDX 2
/* A go-statement wrapper is a dozen instructions; a -fm or pointer wrapper a few more. */
#define MAX_WRAPPER_BYTES 1024
/* wrapper -> -fm or pointer wrapper -> method: two levels in practice. */
#define MAX_DEPTH 4

static const char *const helpers[] = {
	"runtime.morestack",	   "runtime.morestack_noctxt", "runtime.racefuncenter",
	"runtime.racefuncenterfp", "runtime.racefuncexit",     "runtime.duffcopy",
	"runtime.duffzero",	   "runtime.memmove",	       "runtime.typedmemmove",
	"runtime.panicwrap",	   "runtime.panicdottypeE",    "runtime.panicdottypeI",
	"runtime.panicnildottype",
};

static bool helper(const char *name)
{
	size_t i;

	if (!name)
		return true;
	/* gcWriteBarrier (1.19-1.20), gcWriteBarrier1..8 (1.21+, runtime/asm_amd64.s) */
	if (!strncmp(name, "runtime.gcWriteBarrier", 22))
		return true;
	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (!strcmp(name, helpers[i]))
			return true;
	return false;
}

static bool indirect_call(enum insn_arch arch, const struct insn *in)
{
	if (in->kind != INSN_INDIRECT)
		return false;
	if (arch == INSN_ARM64)
		return (in->word & 0xfffffc1fu) == 0xd63f0000u; /* blr xN */
	/* ff /2 call near, ff /3 call far */
	return in->map == 1 && in->opcode == 0xff && (in->modrm_reg == 2 || in->modrm_reg == 3);
}

struct call_site {
	uint64_t pc, target;
	int ncalls;
	bool indirect;
};

/* The calls of function F, by a linear sweep of its body (Go puts no data in text). */
static int sweep(const struct goelf *ge, const struct go_func *f, struct call_site *cs)
{
	enum insn_arch arch = goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
	uint64_t pc = f->entry;

	memset(cs, 0, sizeof(*cs));
	while (pc - f->entry < MAX_WRAPPER_BYTES) {
		uint8_t code[16];
		size_t n = sizeof(code);
		struct go_func at, callee;
		struct insn in;

		if (gofunc__find(ge, pc, &at) || at.entry != f->entry)
			return 0;
		while (n >= 4 && goelf__read(ge, pc, code, n))
			n /= 2;
		if (n < 4 || insn__decode(arch, code, n, pc, &in) || !in.len)
			return -EINVAL;
		if (indirect_call(arch, &in))
			cs->indirect = true;
		/* Only a function's entry is a call the compiler made to a Go function. */
		if (in.kind == INSN_CALL && in.has_target &&
		    !gofunc__find(ge, in.target, &callee) && callee.entry == in.target &&
		    !helper(callee.name)) {
			cs->pc = pc;
			cs->target = in.target;
			cs->ncalls++;
		}
		pc += in.len;
	}
	return -EINVAL;
}

/* The outermost function inlined at PC of F that Go's traceback shows; NULL: none. */
static const char *inlined_at(const struct goelf *ge, const struct go_func *f, uint64_t pc,
			      uint8_t wrapper_id)
{
	const char *name = NULL;
	int depth;

	for (depth = 0; depth < 64; depth++) {
		int32_t ix = gofunc__pcdata(ge, f, PCDATA_INLTREEIDX, pc);
		struct go_inl inl;

		if (ix < 0 || gofunc__inl(ge, f, ix, &inl))
			break;
		if (inl.funcid != wrapper_id && inl.name)
			name = inl.name;
		pc = f->entry + inl.parent_pc;
	}
	return name;
}

int gowrap__resolve(const struct goelf *ge, uint64_t entry, uint8_t wrapper_id,
		    struct go_pcinfo *out)
{
	struct call_site cs;
	struct go_func f;
	const char *name;
	int depth, err;

	for (depth = 0; depth < MAX_DEPTH; depth++) {
		if (gofunc__find(ge, entry, &f) || f.entry != entry || !wrapper_id ||
		    f.funcid != wrapper_id)
			return depth ? goelf__pc_lookup(ge, entry, out) : -ENOENT;
		err = sweep(ge, &f, &cs);
		if (err)
			return err;
		if (cs.indirect)
			return -EAGAIN;
		if (cs.ncalls != 1)
			return -EINVAL;
		name = inlined_at(ge, &f, cs.pc, wrapper_id);
		if (name) {
			err = goelf__pc_lookup(ge, cs.pc, out);
			if (!err)
				out->func = name;
			return err;
		}
		entry = cs.target;
	}
	return -EINVAL;
}

uint8_t gowrap__wrapper_id(const struct goelf *ge)
{
	const char *v = goelf__go_version(ge);
	struct tb_rules r;
	int major, minor;

	if (!v || go_version_parse(v, &major, &minor) || tb__rules(major, minor, &r))
		return 0;
	return r.id_wrapper;
}
