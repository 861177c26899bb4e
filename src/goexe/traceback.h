/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Goroutine stacks as Go's own dump prints them (runtime.Stack(buf, true),
 * /debug/pprof/goroutine?debug=2; debug=1 for the grouped form), from
 * memory read through a callback: the unwinder follows the runtime's
 * (traceback.go of the target's release: pcsp SP deltas, TOPFRAME and
 * SPWRITE flags, injected calls), the printer its rules (runtime frames and
 * wrappers hidden, inlined frames, elision, "created by").
 *
 * Pure: the target's memory comes through tb_read_fn, the binary through a
 * goelf. PCs and SPs are the target's run-time addresses; BIAS is its load
 * bias (PIE), subtracted before looking into the binary.
 */
#ifndef XGOTOP_TRACEBACK_H
#define XGOTOP_TRACEBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct goelf;

/* The rules of one Go release: funcID numbering, printing, limits. */
struct tb_rules {
	int major, minor;
	uint8_t id_asyncpreempt, id_debugcall, id_gopanic, id_sigpanic, id_panicwrap, id_wrapper;
	uint8_t id_cgocallback, id_runtime_main, id_handleasync, id_corostart, id_runfinq;
	uint8_t id_runcleanups; /* 0: none before go1.25 */
	bool unwinder121;	/* go1.21+: first 50 and last 50 logical frames */
	bool print_name;	/* go1.21+: printFuncName ("[...]" for shapes) */
	bool created_in;	/* go1.21+: "created by F in goroutine N" */
	bool exported_rcvr;	/* go1.23+: isExportedRuntime looks at the receiver */
	bool show_finalizers;	/* go1.25+: runFinalizers/runCleanups frames shown */
};

/* 0, or -ENOTSUP for a release outside go1.19-go1.26. */
int tb__rules(int major, int minor, struct tb_rules *r);

/* Read LEN bytes of the target at ADDR. 0 or -errno. */
typedef int (*tb_read_fn)(uint64_t addr, void *buf, size_t len, void *ctx);

/* A physical frame. */
struct tb_frame {
	uint64_t pc; /* run-time address */
	uint64_t sp;
	uint8_t funcid;	       /* of the function at pc */
	uint8_t callee_funcid; /* of the frame below (0 for the innermost) */
};

/* Where a walk starts: g.sched, or g.syscallpc/syscallsp. */
struct tb_start {
	uint64_t pc, sp, lr;
	uint64_t stack_lo, stack_hi; /* g.stack: every frame must lie inside */
	bool syscall;
};

enum tb_end {
	TB_END_TOP = 0,	 /* a TOPFRAME function (runtime.goexit) or no caller: the whole stack */
	TB_END_BADPC,	 /* a PC outside every Go function */
	TB_END_BADSP,	 /* a frame outside the stack bounds, or stuck */
	TB_END_READ,	 /* the memory could not be read */
	TB_END_TOO_DEEP, /* more frames than the buffer holds */
};

/*
 * What the unwinder learnt about PCs (function, SP delta), kept between
 * walks: a sweep of 100k goroutines parked at a few sites looks each PC up
 * once. Direct-mapped, fixed size. NULL and errno.
 */
struct tb_cache;
struct tb_cache *tb_cache__new(void);
void tb_cache__free(struct tb_cache *c);

/*
 * Unwind from ST into OUT (at most MAX frames); the number of frames, and
 * why the walk stopped in *END. Never fails: garbage gives few frames and
 * a reason.
 */
size_t tb__unwind(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		  const struct tb_start *st, tb_read_fn read, void *ctx, struct tb_frame *out,
		  size_t max, enum tb_end *end, struct tb_cache *cache);

/* A logical frame: a physical one, or a call inlined into it. */
struct tb_lframe {
	const char *func; /* as in pclntab ("main.gen[go.shape.int]"); NULL when unreadable */
	const char *file;
	int line;
	uint64_t pc; /* run-time PC Go symbolizes: the call, or an instruction of the inline site */
	uint64_t entry; /* of the physical function (run-time) */
	uint64_t off;	/* physical pc - entry: the "+0x" of a physical frame */
	uint8_t funcid;
	bool inlined;
	bool noargs; /* a physical function without arguments: Go prints "()" */
	bool shown;  /* printed by Go's traceback, this release's rules */
};

/*
 * NAME as Go's traceback of release R prints it (printFuncName): "panic"
 * for runtime.gopanic, shapes of generic functions as "[...]" from go1.21.
 * NAME itself, or BUF holding the new name (cut to LEN).
 */
const char *tb__func_name(const struct tb_rules *r, const char *name, bool physical, char *buf,
			  size_t len);

/* Every logical frame of FRAMES, innermost first, into OUT (at most MAX). The count. */
size_t tb__logical(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		   const struct tb_frame *frames, size_t n, struct tb_lframe *out, size_t max);

/* What the stack printer knows of one goroutine. */
enum tb_gstate {
	TB_G_STACK = 0, /* frames hold a consistent stack */
	TB_G_RUNNING,	/* running: no stack, as Go prints other threads' goroutines */
	TB_G_CHANGED,	/* it changed while read every time we tried */
	TB_G_BAD,	/* the walk failed (tb_end) */
};

struct tb_g {
	uint64_t goid;
	uint32_t status;	/* g.atomicstatus as read (the _Gscan bit is printed) */
	const char *waitreason; /* NULL or "": none */
	int64_t wait_minutes;	/* (now - g.waitsince) / 1 minute; 0 or less: not printed */
	bool locked;		/* g.lockedm != 0 */
	uint64_t gopc;		/* run-time address; 0: none */
	uint64_t parent_goid;
	enum tb_gstate state;
	enum tb_end end;
	const struct tb_frame *frames;
	size_t nframes;
};

/*
 * Print G as the runtime's goroutineheader + traceback1 of release R do:
 * "goroutine N [...]:", the frames, "created by". Arguments print as
 * "(...)". Strings from the target binary are escaped (control bytes as
 * \xNN). 0 or -ENOMEM.
 */
int tb__print_g(FILE *out, const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		const struct tb_g *g);

/*
 * The PCs runtime.GoroutineProfile records for G (tracebackPCs: a return
 * PC per logical frame, wrappers elided) into OUT, at most MAX. The count.
 */
size_t tb__profile_pcs(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		       const struct tb_g *g, uint64_t *out, size_t max);
/* pprof's printStackRecord of PCS (the "#" lines of debug=1). */
void tb__print_record(FILE *out, const struct goelf *ge, uint64_t bias, const uint64_t *pcs,
		      size_t n);

/* Go's status names (runtime.gStatusStrings), "???" past them. */
const char *tb__status_name(uint32_t status);
/*
 * Since when Go says a goroutine in STATUS (g.atomicstatus) is blocked:
 * g.waitsince (nanotime(), CLOCK_MONOTONIC) when it counts, else 0. Go sets
 * it lazily, when a GC's mark phase finds the goroutine waiting or in a
 * syscall (runtime/mgcmark.go markroot), to work.tstart: the start of the
 * previous GC's mark termination (mgc.go gcMark), so up to a GC cycle before
 * the wait began, and 0 (left unset) while no GC has ended. It clears it when
 * the goroutine next runs (proc.go execute, exitsyscall) and prints
 * "N minutes" from it only when set (traceback.go goroutineheader); the same
 * in go1.19.13 to go1.26.8. A time after NOW is no time (a torn read).
 */
int64_t tb__waitsince(uint32_t status, int64_t waitsince, uint64_t now);
/* runtime.isSystemGoroutine(gp, false) for a g whose g.startpc is STARTPC (run-time). */
bool tb__system_goroutine(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
			  uint64_t startpc, struct tb_cache *cache);

#endif /* XGOTOP_TRACEBACK_H */
