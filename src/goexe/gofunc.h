/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Go function as the runtime's unwinder sees it (runtime.funcInfo): the
 * _func record of the function holding a PC, its funcID and flags, the
 * SP delta at a PC (pcsp table), PCDATA values, file:line and the inline
 * tree (FUNCDATA_InlTree, PCDATA_InlTreeIndex). PCs are link-time
 * addresses. Pure: reads the goelf only.
 */
#ifndef XGOTOP_GOFUNC_H
#define XGOTOP_GOFUNC_H

#include <stdbool.h>
#include <stdint.h>

struct goelf;

/* abi.FuncFlag bits, the same from go1.19 to go1.26 (runtime/symtab.go, internal/abi). */
#define GOFUNC_FLAG_TOPFRAME 0x1
#define GOFUNC_FLAG_SPWRITE  0x2
#define GOFUNC_FLAG_ASM	     0x4

struct go_func {
	const void *rec; /* the _func record inside the goelf; opaque */
	uint64_t entry;
	const char *name; /* NULL when unreadable */
	uint8_t funcid;	  /* raw abi.FuncID: numbering depends on the release (traceback.c) */
	uint8_t flag;	  /* GOFUNC_FLAG_* */
	uint32_t deferreturn;
	int32_t args; /* in/out argument bytes: 0 prints "()" */
};

/* One entry of a function's inline tree (runtime.inlinedCall). */
struct go_inl {
	uint8_t funcid;
	const char *name;   /* the inlined function; NULL when unreadable */
	uint32_t parent_pc; /* an instruction (offset from entry) at the call site */
};

/* findfunc: the function holding PC. 0 or -ENOENT. */
int gofunc__find(const struct goelf *ge, uint64_t pc, struct go_func *f);
/* funcspdelta: the SP delta of F at PC. 0, -ENOENT without a pcsp table or value. */
/* Function I of pclntab in address order (goelf__pcln_nfunc of them): 0 or -ENOENT. */
int gofunc__nth(const struct goelf *ge, size_t i, struct go_func *f);
int gofunc__spdelta(const struct goelf *ge, const struct go_func *f, uint64_t pc, int32_t *delta);
/* pcdatavalue: table TABLE of F at PC; -1 when F has no such table. */
int32_t gofunc__pcdata(const struct goelf *ge, const struct go_func *f, uint32_t table,
		       uint64_t pc);
/* funcline: file and line at PC (the innermost inlined position). 0 or -ENOENT. */
int gofunc__fileline(const struct goelf *ge, const struct go_func *f, uint64_t pc,
		     const char **file, int *line);
/* Entry IX of F's inline tree. 0, -ENOENT (no tree) or -ERANGE. */
int gofunc__inl(const struct goelf *ge, const struct go_func *f, int32_t ix, struct go_inl *out);

#endif /* XGOTOP_GOFUNC_H */
