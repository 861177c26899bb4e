// SPDX-License-Identifier: BSD-2-Clause
#include "probes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "goelf.h"

#define LVL(l) (1u << (l))

/* snprintf whose truncation is intended: the texts are for people, cut at the buffer size. */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* What the casgstatus program reads: gp, oldval, newval and the current g. */
#define CASG_AMD64                                                                  \
	(INSN_REG(INSN_X86_RAX) | INSN_REG(INSN_X86_RBX) | INSN_REG(INSN_X86_RCX) | \
	 INSN_REG(INSN_X86_R14))
#define CASG_ARM64 (INSN_REG(0) | INSN_REG(1) | INSN_REG(2) | INSN_REG(28))

/*
 * The functions whose calls of casgstatus create or end a goroutine:
 * newproc1 (dead -> runnable, or -> waiting when created parked; idle ->
 * dead for a fresh g), goexit0 (up to go1.22) and gdestroy (go1.22+:
 * running -> dead), needm and dropm (cgo callbacks borrowing an extra M's
 * goroutine: dead -> syscall -> dead, deadextra from go1.26).
 */
static const char *const lifecycle_callers[] = {
	"runtime.newproc1", "runtime.goexit0", "runtime.gdestroy",
	"runtime.needm",    "runtime.dropm",   NULL,
};

/*
 * mallocgc's program reads size, type and the current g, and walks the
 * frame-pointer chain from the return address: the site must come before
 * the prologue touches SP and FP (and LR on arm64).
 */
#define ALLOC_AMD64                                                                 \
	(INSN_REG(INSN_X86_RAX) | INSN_REG(INSN_X86_RBX) | INSN_REG(INSN_X86_R14) | \
	 INSN_REG(INSN_X86_RSP) | INSN_REG(INSN_X86_RBP))
#define ALLOC_ARM64                                                           \
	(INSN_REG(0) | INSN_REG(1) | INSN_REG(28) | INSN_REG(INSN_ARM64_SP) | \
	 INSN_REG(INSN_ARM64_FP) | INSN_REG(INSN_ARM64_LR))
/* makemap: the hint (second argument) and the current g. */
#define MAKEMAP_AMD64 (INSN_REG(INSN_X86_RBX) | INSN_REG(INSN_X86_R14))
#define MAKEMAP_ARM64 (INSN_REG(1) | INSN_REG(28))
/* startCycle: procs, trigger.kind, trigger.n (3rd, 4th, 6th integer registers) and g. */
#define GCSTART_AMD64                                                            \
	(INSN_REG(INSN_X86_RCX) | INSN_REG(7) /* RDI */ | INSN_REG(8) /* R8 */ | \
	 INSN_REG(INSN_X86_R14))
#define GCSTART_ARM64 (INSN_REG(2) | INSN_REG(3) | INSN_REG(5) | INSN_REG(28))
/* stopTheWorldWithSema: the reason (go1.21+) and g. */
#define STW_AMD64 (INSN_REG(INSN_X86_RAX) | INSN_REG(INSN_X86_R14))
#define STW_ARM64 (INSN_REG(0) | INSN_REG(28))
/* The other GC probes read the current g only. */
#define G_AMD64 INSN_REG(INSN_X86_R14)
#define G_ARM64 INSN_REG(28)

#define GC_PROBE(s, p, ra, rb)                                                       \
	{                                                                            \
		.sym = s, .prog = p, .levels = LVL(PROBES_STATES) | LVL(PROBES_ALL), \
		.class = PROBE_CLASS_GC, .where = PROBE_IN_FUNC, .regs_amd64 = ra,   \
		.regs_arm64 = rb,                                                    \
	}

/*
 * The probe set. One line per probe and level; allocation probes (class
 * PROBE_CLASS_ALLOC, levels LVL(PROBES_ALL)) join it with their programs.
 *
 * Costs (docs/EVENTS.md): the GC probes hit a few times per GC cycle and
 * per stop-the-world (7 to 10 hits for a cycle), nothing per goroutine;
 * mallocgc hits once per heap allocation, makemap once per make(map, n).
 */
static const struct probe_spec probe_set[] = {
	{
		.sym = "runtime.casgstatus",
		.prog = "casgstatus",
		.required = true,
		.levels = LVL(PROBES_STATES) | LVL(PROBES_ALL),
		.class = PROBE_CLASS_GSTATUS,
		.where = PROBE_IN_FUNC,
		.regs_amd64 = CASG_AMD64,
		.regs_arm64 = CASG_ARM64,
	},
	{
		.sym = "runtime.casgstatus",
		.prog = "casgstatus",
		.required = true,
		.levels = LVL(PROBES_LIFECYCLE),
		.class = PROBE_CLASS_GSTATUS,
		.where = PROBE_AT_CALLS,
		.callers = lifecycle_callers,
		.regs_amd64 = CASG_AMD64,
		.regs_arm64 = CASG_ARM64,
	},
	{
		.sym = "runtime.mallocgc",
		.prog = "mallocgc",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_ALLOC,
		.where = PROBE_IN_FUNC,
		.regs_amd64 = ALLOC_AMD64,
		.regs_arm64 = ALLOC_ARM64,
	},
	{
		.sym = "runtime.makemap",
		.prog = "makemap",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_ALLOC,
		.where = PROBE_IN_FUNC,
		.regs_amd64 = MAKEMAP_AMD64,
		.regs_arm64 = MAKEMAP_ARM64,
	},
	/*
	 * go1.26 with GOEXPERIMENT=sizespecializedmalloc: new(T) calls these
	 * directly (src/goexe/allocs.h). Absent from every default build.
	 */
	{
		.sym = "runtime.mallocgcSmallNoScanSC",
		.prog = "mallocgc_sc",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_ALLOC,
		.where = PROBE_IN_PREFIX,
		.regs_amd64 = ALLOC_AMD64,
		.regs_arm64 = ALLOC_ARM64,
	},
	{
		.sym = "runtime.mallocgcSmallScanNoHeaderSC",
		.prog = "mallocgc_sc",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_ALLOC,
		.where = PROBE_IN_PREFIX,
		.regs_amd64 = ALLOC_AMD64,
		.regs_arm64 = ALLOC_ARM64,
	},
	{
		.sym = "runtime.mallocgcTinySize",
		.prog = "mallocgc_sc",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_ALLOC,
		.where = PROBE_IN_PREFIX,
		.regs_amd64 = ALLOC_AMD64,
		.regs_arm64 = ALLOC_ARM64,
	},
	GC_PROBE("runtime.(*gcControllerState).startCycle", "gc_start", GCSTART_AMD64,
		 GCSTART_ARM64),
	GC_PROBE("runtime.gcMarkTermination", "gc_mark_term", G_AMD64, G_ARM64),
	GC_PROBE("runtime.gcSweep", "gc_sweep", G_AMD64, G_ARM64),
	GC_PROBE("runtime.stopTheWorldWithSema", "stw_stop", STW_AMD64, STW_ARM64),
	GC_PROBE("runtime.startTheWorldWithSema", "stw_start", G_AMD64, G_ARM64),
};

/* Where morestack's callers come back to: the names with and without the ABI suffix. */
static const char *const morestack_names[] = {
	"runtime.morestack_noctxt.abi0",
	"runtime.morestack_noctxt",
	"runtime.morestack.abi0",
	"runtime.morestack",
	NULL,
};

/* Longest stretch from the entry we consider, in instructions. */
#define WALK_MAX 48
/* Largest function we read whole (to find branches into its first instructions). */
#define FUNC_MAX (1u << 20)

struct fn {
	enum insn_arch arch;
	const struct probe_opts *opts;
	uint64_t start, end;
	const uint8_t *code;
	uint8_t *owned; /* CODE when read from a binary */
	uint64_t morestack[4];
	/* Direct branch targets inside the function, sorted. */
	uint64_t *targets;
	size_t n_targets;
	uint64_t undecodable; /* first address that does not decode, 0 if none */
};

static const char *const amd64_names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
					    "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};

static const char *reg_name(enum insn_arch arch, uint32_t mask, char *buf, size_t len)
{
	unsigned int r;

	for (r = 0; r < 32; r++)
		if (mask & INSN_REG(r))
			break;
	if (arch == INSN_X86_64 && r < 16)
		snprintf(buf, len, "%s", amd64_names[r]);
	else if (r == 31)
		snprintf(buf, len, "SP");
	else
		snprintf(buf, len, "R%u", r);
	return buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_target(const struct fn *f, uint64_t pc)
{
	size_t lo = 0, hi = f->n_targets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->targets[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_targets && f->targets[lo] == pc;
}

static int decode_at(const struct fn *f, uint64_t pc, struct insn *in)
{
	if (pc < f->start || pc >= f->end)
		return -ERANGE;
	return insn__decode(f->arch, f->code + (pc - f->start), f->end - pc, pc, in);
}

static void fn_free(struct fn *f)
{
	free(f->owned);
	free(f->targets);
	f->owned = NULL;
	f->code = NULL;
	f->targets = NULL;
}

/* Index every direct branch target inside [start, end). */
static int fn_index(struct fn *f)
{
	uint64_t pc, start = f->start, end = f->end;
	size_t cap = 0;

	f->n_targets = 0;
	f->undecodable = 0;
	for (pc = start; pc < end;) {
		struct insn in;

		if (decode_at(f, pc, &in)) {
			/* Padding after the last instruction is not code: stop there. */
			if (f->code[pc - start] != 0xcc && f->code[pc - start] != 0)
				f->undecodable = pc;
			break;
		}
		if (in.has_target && in.kind != INSN_CALL && in.target > start && in.target < end) {
			if (f->n_targets == cap) {
				uint64_t *t;

				cap = cap ? 2 * cap : 64;
				t = realloc(f->targets, cap * sizeof(*t));
				if (!t)
					return -ENOMEM;
				f->targets = t;
			}
			f->targets[f->n_targets++] = in.target;
		}
		pc += in.len;
	}
	if (f->n_targets)
		qsort(f->targets, f->n_targets, sizeof(*f->targets), cmp_u64);
	return 0;
}

/* Read [start, end) of GE, then index it. */
static int fn_load(struct fn *f, const struct goelf *ge, uint64_t start, uint64_t end)
{
	size_t i;
	int err;

	f->start = start;
	f->end = end;
	if (end <= start || end - start > FUNC_MAX)
		return -ERANGE;
	f->owned = malloc(end - start);
	if (!f->owned)
		return -ENOMEM;
	f->code = f->owned;
	err = goelf__read(ge, start, f->owned, end - start);
	if (err)
		return err;
	for (i = 0; morestack_names[i] && i < 4; i++)
		if (goelf__func_addr(ge, morestack_names[i], &f->morestack[i]))
			f->morestack[i] = 0;
	return fn_index(f);
}

static bool is_morestack(const struct fn *f, uint64_t addr)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (f->morestack[i] && f->morestack[i] == addr)
			return true;
	return false;
}

/*
 * Is the conditional branch IN Go's stack check? Its target must be the
 * morestack block: moves, a call of morestack, moves, and a jump back to
 * the entry. Then the taken path re-runs the function from its entry and a
 * probe past the branch is hit once per call.
 */
static bool is_stack_check(const struct fn *f, const struct insn *in)
{
	uint64_t pc = in->target;
	bool called = false;
	int k;

	if (in->kind != INSN_JCC || pc <= f->start || pc >= f->end)
		return false;
	for (k = 0; k < 32; k++) {
		struct insn b;

		if (decode_at(f, pc, &b))
			return false;
		switch (b.kind) {
		case INSN_CALL:
			if (called || !is_morestack(f, b.target))
				return false;
			called = true;
			break;
		case INSN_JMP:
			return called && b.target == f->start;
		case INSN_PLAIN:
		case INSN_NOP:
		case INSN_PUSH:
			break;
		default:
			return false;
		}
		pc += b.len;
	}
	return false;
}

static void set_site(struct probe_site *s, const struct fn *f, uint64_t pc, const struct insn *in)
{
	s->vaddr = pc;
	s->code_len = in->len < sizeof(s->code) ? in->len : sizeof(s->code);
	memcpy(s->code, f->code + (pc - f->start), s->code_len);
	s->mode = insn__uprobe(f->arch, f->code + (pc - f->start), in, &f->opts->kernel);
	insn__text(f->arch, f->code + (pc - f->start), in, s->insn, sizeof(s->insn));
}

static const char *mode_name(enum insn_uprobe m)
{
	return m == INSN_UPROBE_EMULATED  ? "emulated"
	       : m == INSN_UPROBE_STEPPED ? "single-stepped"
					  : "refused";
}

/* Place a PROBE_IN_FUNC probe: see the header comment. */
static void place_in_func(struct fn *f, uint32_t regs, struct probe_site *s)
{
	struct insn in, entry, push_in;
	uint64_t pc = f->start, after_check = 0, push_pc = 0;
	char stop[112] = "", rn[8], txt[48], etxt[48], push_txt[48];
	enum insn_uprobe emode;
	int k;

	if (decode_at(f, f->start, &entry)) {
		s->vaddr = f->start;
		s->code_len = 0;
		s->mode = INSN_UPROBE_STEPPED;
		say(s->insn, sizeof(s->insn), "?");
		say(s->why, sizeof(s->why), "entry: the first instruction does not decode");
		return;
	}
	set_site(s, f, f->start, &entry);
	emode = s->mode;
	snprintf(etxt, sizeof(etxt), "%s", s->insn);
	if (f->opts->entry_only) {
		say(s->why, sizeof(s->why), "entry, as asked (%s, %s)", etxt, mode_name(emode));
		return;
	}
	for (k = 0; k < WALK_MAX && pc < f->end; k++) {
		uint64_t off = pc - f->start;
		enum insn_uprobe mode;

		if (decode_at(f, pc, &in)) {
			say(stop, sizeof(stop), "+0x%llx does not decode", (unsigned long long)off);
			break;
		}
		if (pc != f->start && is_target(f, pc)) {
			say(stop, sizeof(stop), "a branch lands on +0x%llx",
			    (unsigned long long)off);
			break;
		}
		insn__text(f->arch, f->code + off, &in, txt, sizeof(txt));
		mode = insn__uprobe(f->arch, f->code + off, &in, &f->opts->kernel);
		if (in.kind == INSN_JCC && is_stack_check(f, &in)) {
			/* Taken: morestack, then the entry again. Never probe it or before it. */
			after_check = pc + in.len;
			pc += in.len;
			continue;
		}
		if (mode == INSN_UPROBE_EMULATED && in.kind == INSN_PUSH && !push_pc) {
			/*
			 * The kernel emulates a push by writing the user stack: about
			 * 200 ns more per hit than a branch or a nop (bench/insncost,
			 * kernel 6.18). Keep it, and look on for one of those while
			 * the arguments stay intact.
			 */
			push_pc = pc;
			push_in = in;
			snprintf(push_txt, sizeof(push_txt), "%s", txt);
		} else if (mode == INSN_UPROBE_EMULATED) {
			set_site(s, f, pc, &in);
			if (pc == f->start)
				say(s->why, sizeof(s->why), "entry: %s is emulated", etxt);
			else
				say(s->why, sizeof(s->why),
				    "%s is emulated, run once per call, arguments intact "
				    "(entry: %s, %s)",
				    txt, etxt, mode_name(emode));
			return;
		}
		if (in.kind == INSN_JCC) {
			say(stop, sizeof(stop), "conditional branch at +0x%llx",
			    (unsigned long long)off);
			break;
		}
		if (in.kind != INSN_PLAIN && in.kind != INSN_NOP && in.kind != INSN_PUSH) {
			say(stop, sizeof(stop), "%s at +0x%llx", txt, (unsigned long long)off);
			break;
		}
		if (!in.known) {
			say(stop, sizeof(stop), "cannot tell what %s at +0x%llx writes", txt,
			    (unsigned long long)off);
			break;
		}
		if (in.writes & regs) {
			say(stop, sizeof(stop), "%s overwritten at +0x%llx",
			    reg_name(f->arch, in.writes & regs, rn, sizeof(rn)),
			    (unsigned long long)off);
			break;
		}
		if (in.stores && !in.stack_only) {
			say(stop, sizeof(stop), "memory written at +0x%llx",
			    (unsigned long long)off);
			break;
		}
		pc += in.len;
	}
	if (!stop[0])
		say(stop, sizeof(stop), "none in the first %d instructions", WALK_MAX);
	if (push_pc) {
		set_site(s, f, push_pc, &push_in);
		if (push_pc == f->start)
			say(s->why, sizeof(s->why), "entry: %s is emulated", etxt);
		else
			say(s->why, sizeof(s->why),
			    "%s is emulated, run once per call, arguments intact "
			    "(entry: %s, %s)",
			    push_txt, etxt, mode_name(emode));
		return;
	}
	if (after_check && decode_at(f, after_check, &in) == 0) {
		/* Stepped either way, but past the stack check it is hit once per call. */
		set_site(s, f, after_check, &in);
		say(s->why, sizeof(s->why), "past the stack check, %s: no emulated site (%s)",
		    mode_name(s->mode), stop);
		return;
	}
	say(s->why, sizeof(s->why), "entry, %s: no emulated site (%s)", mode_name(emode), stop);
}

static uint32_t spec_regs(const struct probe_spec *spec, enum insn_arch arch)
{
	return arch == INSN_ARM64 ? spec->regs_arm64 : spec->regs_amd64;
}

static enum insn_arch ge_arch(const struct goelf *ge)
{
	return goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
}

static int site_offset(const struct goelf *ge, struct probe_site *s)
{
	return goelf__vaddr_to_offset(ge, s->vaddr, &s->file_off);
}

static int resolve_in_func(const struct goelf *ge, const struct probe_opts *opts, const char *sym,
			   uint32_t regs, struct probe_site *s)
{
	struct fn f = {.arch = ge_arch(ge), .opts = opts};
	uint64_t start, end;
	int err;

	s->fname = sym;
	if (goelf__func_addr(ge, sym, &start))
		return -ENOENT;
	s->func = s->vaddr = start;
	s->mode = INSN_UPROBE_STEPPED;
	if (goelf__func_range(ge, sym, &start, &end) || fn_load(&f, ge, start, end)) {
		say(s->why, sizeof(s->why), "entry: cannot read the function");
	} else if (f.undecodable && f.undecodable < start + 256) {
		say(s->why, sizeof(s->why), "entry: cannot decode the function at +0x%llx",
		    (unsigned long long)(f.undecodable - start));
	} else {
		place_in_func(&f, regs, s);
	}
	fn_free(&f);
	err = site_offset(ge, s);
	return err ? -ENOENT : 0;
}

/* Every direct call of SPEC->sym from the callers: written to SITES, returns how many. */
static int resolve_calls(const struct goelf *ge, const struct probe_opts *opts,
			 const struct probe_spec *spec, struct probe_site *sites, size_t max)
{
	uint64_t callee, start, end, pc;
	size_t n = 0, c;

	if (goelf__func_addr(ge, spec->sym, &callee))
		return -ENOENT;
	for (c = 0; spec->callers[c]; c++) {
		struct fn f = {.arch = ge_arch(ge), .opts = opts};

		if (goelf__func_range(ge, spec->callers[c], &start, &end) ||
		    fn_load(&f, ge, start, end)) {
			fn_free(&f);
			continue;
		}
		for (pc = start; pc < end;) {
			struct insn in;

			if (decode_at(&f, pc, &in))
				break;
			if (in.kind == INSN_CALL && in.target == callee) {
				struct probe_site *s;

				if (n == max) {
					fn_free(&f);
					return -E2BIG;
				}
				s = &sites[n];
				memset(s, 0, sizeof(*s));
				s->spec = spec;
				s->func = start;
				s->fname = spec->callers[c];
				set_site(s, &f, pc, &in);
				say(s->why, sizeof(s->why), "call of %s in %s, %s", spec->sym,
				    spec->callers[c], mode_name(s->mode));
				if (site_offset(ge, s) == 0) {
					s->found = true;
					n++;
				}
			}
			pc += in.len;
		}
		fn_free(&f);
	}
	return (int)n;
}

/* PROBE_IN_PREFIX: a site in each function named SPEC->sym...; returns how many. */
static int resolve_prefix(const struct goelf *ge, const struct probe_opts *opts,
			  const struct probe_spec *spec, struct probe_site *sites, size_t max)
{
	size_t k, n = 0, nfunc = goelf__pcln_nfunc(ge), plen = strlen(spec->sym);

	for (k = 0; k < nfunc; k++) {
		struct go_pcinfo pi;
		struct probe_site *s;

		if (goelf__pcln_func(ge, k, &pi) || !pi.func || strncmp(pi.func, spec->sym, plen))
			continue;
		if (n == max)
			return -E2BIG;
		s = &sites[n];
		memset(s, 0, sizeof(*s));
		s->spec = spec;
		s->found = !resolve_in_func(ge, opts, pi.func, spec_regs(spec, ge_arch(ge)), s);
		if (s->found)
			n++;
	}
	return (int)n;
}

int probes__resolve(const struct goelf *ge, const struct probe_opts *opts, struct probe_site *sites,
		    size_t max, char *err, size_t errlen)
{
	size_t i, n = 0, nspec = sizeof(probe_set) / sizeof(probe_set[0]);

	if (opts->level == PROBES_NONE)
		return 0;
	for (i = 0; i < nspec; i++) {
		const struct probe_spec *spec = &probe_set[i];
		struct probe_site *s;
		int got;

		if (!(spec->levels & LVL(opts->level)) && !(opts->classes & (1u << spec->class)))
			continue;
		if (spec->where == PROBE_IN_PREFIX) {
			got = resolve_prefix(ge, opts, spec, sites + n, max - n);
			if (got < 0)
				return got;
			n += (size_t)got;
			continue;
		}
		if (spec->where == PROBE_AT_CALLS) {
			size_t creators = 0, k;

			got = resolve_calls(ge, opts, spec, sites + n, max - n);
			if (got == -E2BIG)
				return -E2BIG;
			for (k = n; got > 0 && k < n + (size_t)got; k++)
				creators += !strcmp(sites[k].fname, spec->callers[0]);
			if (creators) {
				n += (size_t)got;
				continue;
			}
			/* No call to probe where goroutines are created: the function itself. */
			if (n == max)
				return -E2BIG;
			s = &sites[n];
			memset(s, 0, sizeof(*s));
			s->spec = spec;
			s->found = !resolve_in_func(ge, opts, spec->sym,
						    spec_regs(spec, ge_arch(ge)), s);
			if (s->found) {
				char why[sizeof(s->why)];

				say(why, sizeof(why), "no call in %s; %s", spec->callers[0],
				    s->why);
				say(s->why, sizeof(s->why), "%s", why);
			}
		} else {
			if (n == max)
				return -E2BIG;
			s = &sites[n];
			memset(s, 0, sizeof(*s));
			s->spec = spec;
			s->found = !resolve_in_func(ge, opts, spec->sym,
						    spec_regs(spec, ge_arch(ge)), s);
		}
		if (!s->found && spec->required) {
			snprintf(err, errlen, "%s not found in the binary", spec->sym);
			return -ENOENT;
		}
		n++;
	}
	return (int)n;
}

int probes__place_funcs(const struct goelf *ge, const struct probe_opts *opts,
			const char *const *names, int n, struct probe_site *sites, size_t max)
{
	static const struct probe_spec survey = {
		.prog = "casgstatus",
		.levels = LVL(PROBES_ALL),
		.class = PROBE_CLASS_GSTATUS,
		.where = PROBE_IN_FUNC,
		.regs_amd64 = CASG_AMD64,
		.regs_arm64 = CASG_ARM64,
	};
	int i;

	if ((size_t)n > max)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		memset(&sites[i], 0, sizeof(sites[i]));
		sites[i].spec = &survey;
		sites[i].found = !resolve_in_func(ge, opts, names[i],
						  spec_regs(&survey, ge_arch(ge)), &sites[i]);
		sites[i].fname = names[i];
	}
	return n;
}

int probes__place_code(const struct probe_code *c, uint32_t regs, const struct probe_opts *opts,
		       struct probe_site *out)
{
	struct fn f = {.arch = c->arch,
		       .opts = opts,
		       .start = c->start,
		       .end = c->start + c->len,
		       .code = c->code};
	int err;

	memcpy(f.morestack, c->morestack, sizeof(f.morestack));
	out->func = out->vaddr = c->start;
	out->mode = INSN_UPROBE_STEPPED;
	err = fn_index(&f);
	if (!err)
		place_in_func(&f, regs, out);
	fn_free(&f);
	return err;
}

const char *probes__site_name(const struct probe_site *s, char *buf, size_t len)
{
	if (s->vaddr == s->func)
		snprintf(buf, len, "%s", s->fname);
	else
		snprintf(buf, len, "%s+0x%llx", s->fname, (unsigned long long)(s->vaddr - s->func));
	return buf;
}

int probes__bias(const struct probe_site *sites, int n, uint64_t ip, uint64_t *bias)
{
	int i, best = -1;
	uint64_t delta;

	for (i = 0; i < n; i++) {
		if (!sites[i].found || ip < sites[i].vaddr)
			continue;
		delta = (ip - sites[i].vaddr) & 0xfff;
		if (delta == 0) {
			best = i;
			break;
		}
		if (delta == 1 && best < 0)
			best = i;
	}
	if (best < 0)
		return -ENOENT;
	*bias = (ip - sites[best].vaddr) & ~0xfffull;
	return 0;
}

static const char *const level_names[] = {
	[PROBES_NONE] = "none",
	[PROBES_LIFECYCLE] = "lifecycle",
	[PROBES_STATES] = "states",
	[PROBES_ALL] = "all",
};

int probes__parse_level(const char *s, enum probe_level *out)
{
	unsigned int i;

	for (i = PROBES_LIFECYCLE; i <= PROBES_ALL; i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum probe_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *probes__level_name(enum probe_level level)
{
	return level <= PROBES_ALL ? level_names[level] : "?";
}

bool probes__level_has(enum probe_level level, enum probe_class class)
{
	size_t i;

	for (i = 0; i < sizeof(probe_set) / sizeof(probe_set[0]); i++)
		if (probe_set[i].class == class && (probe_set[i].levels & LVL(level)))
			return true;
	return false;
}

struct insn_kernel probes__running_kernel(void)
{
	struct insn_kernel k = {0, 0};
	struct utsname u;

	if (uname(&u) == 0)
		insn__kernel_parse(u.release, &k);
	return k;
}
