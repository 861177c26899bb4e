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
 * run time only: -EAGAIN. gowrap__closure_call then says where in the
 * closure the callee is, for the creating probe to read it there
 * (bpf/xgotop.bpf.c wrapped_callee); src/live/startname.c names those
 * found at attach from their stacks.
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

/* ---- the callee of an indirect wrapper, from its closure ---------------------------- */

/*
 * What a register holds while the wrapper runs, as far as the closure goes:
 * the closure pointer itself (the context register at entry: DX on amd64,
 * R26 on arm64, cmd/compile/internal/ssa/config.go ctxtReg), a word read
 * from it (a funcval or an itab), or a word read from that (the code).
 */
enum rkind { R_NONE, R_CTX, R_PTR, R_CODE };

struct rval {
	enum rkind kind;
	uint32_t a, b;
};

/* Offsets past these are not a closure's field or a funcval's or itab's word. */
#define MAX_FIELD_OFF 4096

static struct rval deref(struct rval v, int64_t disp)
{
	struct rval out = {R_NONE, 0, 0};

	if (disp < 0 || disp >= MAX_FIELD_OFF)
		return out;
	/* word 0 of the closure is the wrapper's own code */
	if (v.kind == R_CTX && disp >= 8)
		out = (struct rval){R_PTR, (uint32_t)disp, 0};
	else if (v.kind == R_PTR)
		out = (struct rval){R_CODE, v.a, (uint32_t)disp};
	return out;
}

/* An x86-64 ModRM operand: a register (mod 3) or [base + disp]. */
struct x86_rm {
	bool w, mem;
	uint8_t reg, rm;
	int64_t disp;
};

/* The ModRM operand of a one-byte-opcode instruction; -EINVAL for forms we do not follow. */
static int x86_rm(const uint8_t *c, size_t n, struct x86_rm *o)
{
	size_t i = 0;
	uint8_t rex = 0, modrm, mod;

	if (n > 0 && (c[0] & 0xf0) == 0x40)
		rex = c[i++];
	if (i + 2 > n)
		return -EINVAL;
	modrm = c[i + 1];
	i += 2;
	mod = modrm >> 6;
	o->w = rex & 8;
	o->reg = (uint8_t)(((modrm >> 3) & 7) | (rex & 4) << 1);
	o->rm = (uint8_t)((modrm & 7) | (rex & 1) << 3);
	o->mem = mod != 3;
	o->disp = 0;
	if (!o->mem)
		return 0;
	if ((modrm & 7) == 4) {
		/* SIB: only [base + disp], no index (index 100 without REX.X) */
		if (i >= n || ((c[i] >> 3) & 7) != 4 || (rex & 2) || ((c[i] & 7) == 5 && !mod))
			return -EINVAL;
		o->rm = (uint8_t)((c[i] & 7) | (rex & 1) << 3);
		i++;
	} else if ((modrm & 7) == 5 && !mod) {
		return -EINVAL; /* rip-relative */
	}
	if (mod == 1 && i < n)
		o->disp = (int8_t)c[i];
	else if (mod == 2 && i + 4 <= n)
		o->disp = (int32_t)((uint32_t)c[i] | (uint32_t)c[i + 1] << 8 |
				    (uint32_t)c[i + 2] << 16 | (uint32_t)c[i + 3] << 24);
	else if (mod != 0)
		return -EINVAL;
	return 0;
}

static void clobber(struct rval *r, const struct insn *in)
{
	int i;

	for (i = 0; i < 32; i++)
		if (!in->known || (in->writes & INSN_REG(i)))
			r[i].kind = R_NONE;
}

/*
 * One x86-64 instruction on the register file R: 1 when it is the indirect
 * call, its target in *T; 0 to go on; -EINVAL when the trail is lost.
 */
static int x86_step(struct rval *r, const uint8_t *c, const struct insn *in, struct rval *t)
{
	struct x86_rm o;
	bool mov = in->map == 1 && (in->opcode == 0x8b || in->opcode == 0x89);

	if (in->vex || in->prefix_66 || in->prefix_bad || !(mov || indirect_call(INSN_X86_64, in)))
		goto other;
	if (x86_rm(c, in->len, &o))
		goto other;
	if (in->opcode == 0xff) {
		*t = o.mem ? deref(r[o.rm], o.disp) : r[o.rm];
		return 1;
	}
	if (!o.w)
		goto other;
	if (in->opcode == 0x8b)
		r[o.reg] = o.mem ? deref(r[o.rm], o.disp) : r[o.rm];
	else if (!o.mem)
		r[o.rm] = r[o.reg];
	return 0;
other:
	if (in->kind == INSN_CALL || in->kind == INSN_INDIRECT || in->kind == INSN_TRAP)
		return -EINVAL;
	clobber(r, in);
	return 0;
}

/* The same for arm64: ldr xT, [xN, #imm]; mov xD, xM; blr xN. */
static int a64_step(struct rval *r, const struct insn *in, struct rval *t)
{
	uint32_t w = in->word;

	if (indirect_call(INSN_ARM64, in)) {
		*t = r[(w >> 5) & 31];
		return 1;
	}
	if (in->kind == INSN_CALL || in->kind == INSN_INDIRECT || in->kind == INSN_TRAP)
		return -EINVAL;
	if ((w & 0xffc00000u) == 0xf9400000u) { /* ldr (immediate, unsigned offset), 64-bit */
		r[w & 31] = deref(r[(w >> 5) & 31], ((w >> 10) & 0xfff) * 8);
		return 0;
	}
	if ((w & 0xffe0ffe0u) == 0xaa0003e0u) { /* orr xD, xzr, xM */
		r[w & 31] = r[(w >> 16) & 31];
		return 0;
	}
	clobber(r, in);
	return 0;
}

int gowrap__closure_call(const struct goelf *ge, uint64_t entry, uint8_t wrapper_id,
			 struct gowrap_call *out)
{
	enum insn_arch arch = goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
	struct rval r[32] = {{R_NONE, 0, 0}}, t;
	uint64_t pc = entry;
	struct go_func f;

	if (gofunc__find(ge, entry, &f) || f.entry != entry || !wrapper_id ||
	    f.funcid != wrapper_id)
		return -ENOENT;
	r[arch == INSN_ARM64 ? 26 : INSN_X86_RDX].kind = R_CTX;
	while (pc - entry < MAX_WRAPPER_BYTES) {
		uint8_t code[16];
		size_t n = sizeof(code);
		struct go_func at;
		struct insn in;
		int step;

		if (gofunc__find(ge, pc, &at) || at.entry != entry)
			return -EINVAL;
		while (n >= 4 && goelf__read(ge, pc, code, n))
			n /= 2;
		if (n < 4 || insn__decode(arch, code, n, pc, &in) || !in.len)
			return -EINVAL;
		step = arch == INSN_ARM64 ? a64_step(r, &in, &t) : x86_step(r, code, &in, &t);
		if (step < 0)
			return step;
		if (step) {
			if (t.kind != R_CODE)
				return -EINVAL;
			out->ptr_off = t.a;
			out->code_off = t.b;
			return 0;
		}
		pc += in.len;
	}
	return -EINVAL;
}

/*
 * Whether NAME is a closure's (pkg.F.func1, .func1.2, .gowrap1 since 1.22)
 * or a method value's (T.M-fm): the only wrappers that have a closure.
 * The method wrappers (pkg.(*T).M for a value method, promoted methods)
 * are most of a binary's wrappers and take their receiver as an argument.
 */
static bool closure_name(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	size_t n = name ? strlen(name) : 0;

	if (!dot)
		return false;
	if (n > 3 && !strcmp(name + n - 3, "-fm"))
		return true;
	dot++;
	if (!strncmp(dot, "func", 4))
		dot += 4;
	else if (!strncmp(dot, "gowrap", 6))
		dot += 6;
	return *dot >= '0' && *dot <= '9' && strspn(dot, "0123456789") == strlen(dot);
}

int gowrap__each_closure_call(const struct goelf *ge, gowrap_each_fn fn, void *ctx)
{
	uint8_t wid = gowrap__wrapper_id(ge);
	size_t i, nfunc = goelf__pcln_nfunc(ge);
	int err;

	for (i = 0; wid && i < nfunc; i++) {
		struct gowrap_call c;
		struct go_func f;

		/* (the funcID first: a sweep costs, and few functions are wrappers) */
		if (gofunc__nth(ge, i, &f) || f.funcid != wid || !closure_name(f.name) ||
		    gowrap__closure_call(ge, f.entry, wid, &c))
			continue;
		err = fn(f.entry, &c, ctx);
		if (err)
			return err;
	}
	return 0;
}
