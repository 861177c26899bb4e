/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where each uprobe goes. The only place that decides probe sites: the
 * loader attaches what probes__resolve returns.
 *
 * A uprobe costs the traced program one trap per hit, and about four times
 * more when the kernel must single-step the probed instruction out of line
 * than when it emulates it (docs/OVERHEAD.md). So each probe is placed on
 * the earliest instruction of its function that
 *  - the running kernel emulates (insn__uprobe),
 *  - every call executes exactly once: straight-line code from the entry,
 *    no branch from elsewhere landing on it or before it, and past Go's
 *    stack-check branch (whose taken path, morestack, re-enters the
 *    function at its entry: a probe on or before that branch is hit twice
 *    when the stack grows or the goroutine is preempted there),
 *  - with every register the BPF program reads still intact, and no memory
 *    written on the way except the goroutine's own stack;
 * else at the entry, or just past the stack check, with the reason.
 *
 * Levels choose what is probed: lifecycle (creation and exit only, from the
 * calls of runtime.casgstatus in the functions that create and destroy
 * goroutines), states (every status change: casgstatus itself; the
 * default, what the UI shows) and all (states and, when they exist, the
 * allocation probes).
 */
#ifndef XGOTOP_PROBES_H
#define XGOTOP_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

struct goelf;

enum probe_level {
	PROBES_NONE = 0, /* --poll: no uprobes at all */
	PROBES_LIFECYCLE = 1,
	PROBES_STATES = 2,
	PROBES_ALL = 3,
};
#define PROBES_DEFAULT PROBES_STATES

/* What a probe reports, for choosing levels and for the UI. */
enum probe_class {
	PROBE_CLASS_GSTATUS = 1, /* goroutine creation, status changes, exit */
	PROBE_CLASS_ALLOC = 2,	 /* allocations: one hit per heap allocation */
	PROBE_CLASS_GC = 3,	 /* GC phases and stop-the-world: a few hits per GC cycle */
};

enum probe_where {
	/* Inside SYM, on the cheapest instruction every call executes once. */
	PROBE_IN_FUNC = 1,
	/* On every direct call to SYM from the functions in CALLERS. */
	PROBE_AT_CALLS = 2,
	/* In every function whose name starts with SYM, as PROBE_IN_FUNC; none is no error. */
	PROBE_IN_PREFIX = 3,
};

struct probe_spec {
	const char *sym;     /* Go function, e.g. "runtime.casgstatus" */
	const char *prog;    /* BPF program name in bpf/xgotop.bpf.c */
	bool required;	     /* without it there is nothing to trace */
	unsigned int levels; /* bit (1u << level) for each level that attaches it */
	enum probe_class class;
	enum probe_where where;
	const char *const *callers; /* PROBE_AT_CALLS: NULL-terminated */
	/* Registers the BPF program reads at the site (INSN_REG bits), per arch. */
	uint32_t regs_amd64;
	uint32_t regs_arm64;
};

struct probe_site {
	const struct probe_spec *spec;
	uint64_t func;	   /* entry of the function holding the site (link-time address) */
	const char *fname; /* its name, static or from the goelf */
	uint64_t vaddr;	   /* link-time address of the probed instruction */
	uint64_t file_off; /* what the uprobe API takes */
	bool found;
	enum insn_uprobe mode; /* what the kernel does with a uprobe there */
	/* Its bytes as decoded: checked again against the file and the process at attach. */
	uint8_t code[16];
	uint8_t code_len; /* 0: nothing decoded (the entry, as a fallback) */
	char insn[48];	  /* the probed instruction */
	char why[160];	  /* why this site, or why the entry */
};

#define PROBES_MAX 128

struct probe_opts {
	enum probe_level level;
	struct insn_kernel kernel; /* {0, 0}: assume no emulation of push and long nops */
	bool entry_only;	   /* place at function entries (the benchmarks' baseline) */
	/* Also attach the probes of these classes (bits 1u << class), whatever the level. */
	unsigned int classes;
};

/*
 * Resolve the sites of every probe of OPTS->level. Returns the number of
 * sites written to SITES (missing optional symbols have found == false), or
 * -ENOENT when a required symbol is missing (ERR then names it), -E2BIG when
 * MAX is too small.
 */
int probes__resolve(const struct goelf *ge, const struct probe_opts *opts, struct probe_site *sites,
		    size_t max, char *err, size_t errlen);

/*
 * Place PROBE_IN_FUNC probes reading casgstatus's registers in the
 * functions NAMES (N of them): for surveys and tests of the placement
 * rules. Returns N (functions not found have found == false) or -E2BIG.
 */
int probes__place_funcs(const struct goelf *ge, const struct probe_opts *opts,
			const char *const *names, int n, struct probe_site *sites, size_t max);

/* The code of one function, for placement without a binary (the unit tests). */
struct probe_code {
	enum insn_arch arch;
	const uint8_t *code;
	size_t len;
	uint64_t start;	       /* its address */
	uint64_t morestack[4]; /* runtime.morestack* entries, 0 when unused */
};

/* Place a PROBE_IN_FUNC probe reading REGS in C: fills OUT's addresses, mode, insn, why. */
int probes__place_code(const struct probe_code *c, uint32_t regs, const struct probe_opts *opts,
		       struct probe_site *out);

/* "runtime.casgstatus" or "runtime.casgstatus+0x1f": the site as the attach line shows it. */
const char *probes__site_name(const struct probe_site *s, char *buf, size_t len);

/*
 * The load bias of a process in which a probe fired at run-time address IP
 * (the ip of the BPF context: the site itself, or one byte past it on x86
 * kernels that report the trap's ip): the site whose link-time address is
 * IP minus a page-aligned bias. 0 and *BIAS, or -ENOENT.
 */
int probes__bias(const struct probe_site *sites, int n, uint64_t ip, uint64_t *bias);

/* "lifecycle", "states", "all" <-> level. 0 or -EINVAL. */
int probes__parse_level(const char *s, enum probe_level *out);
const char *probes__level_name(enum probe_level level);
/* Whether LEVEL attaches probes of CLASS (e.g. allocations only with "all"). */
bool probes__level_has(enum probe_level level, enum probe_class class);

/* The running kernel (uname), {0, 0} when unknown. */
struct insn_kernel probes__running_kernel(void);

#endif /* XGOTOP_PROBES_H */
