/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What we know about a Go executable, read from the file alone: Go version
 * and module path (.go.buildinfo), architecture, PIE or not, function entry
 * addresses (.symtab, else .gopclntab), PC -> function/file:line (pclntab),
 * and virtual address -> file offset for uprobes.
 *
 * Pure: works on a buffer; no libbpf, no global state.
 */
#ifndef XGOTOP_GOELF_H
#define XGOTOP_GOELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct goelf;

enum goelf_arch {
	GOELF_ARCH_UNKNOWN = 0,
	GOELF_ARCH_AMD64,
	GOELF_ARCH_ARM64,
};

struct go_pcinfo {
	const char *func; /* "main.worker"; points into the goelf, valid until goelf__free */
	uint64_t entry;	  /* function entry (link-time virtual address) */
	const char *file; /* NULL when the pcfile table cannot be read */
	int line;	  /* 0 when unknown */
};

/* Open and map PATH. NULL and errno on failure (ENOEXEC: not an ELF file). */
struct goelf *goelf__open(const char *path);
/* Parse a buffer the caller keeps alive until goelf__free. NULL and errno. */
struct goelf *goelf__open_mem(const void *buf, size_t len);
void goelf__free(struct goelf *ge);

/* "go1.22.12", or NULL when .go.buildinfo is absent (not a Go binary). */
const char *goelf__go_version(const struct goelf *ge);
/*
 * The profile the binary was built with (-pgo build setting, go1.21+ uses
 * default.pgo automatically), or NULL when built without PGO.
 */
const char *goelf__pgo(const struct goelf *ge);
/* Main module path ("github.com/junegunn/fzf"), "" when unknown. */
const char *goelf__mod_path(const struct goelf *ge);
enum goelf_arch goelf__arch(const struct goelf *ge);
const char *goelf__arch_name(const struct goelf *ge); /* "amd64", "arm64", "unknown" */
bool goelf__is_pie(const struct goelf *ge);	      /* ET_DYN */
bool goelf__has_symtab(const struct goelf *ge);
bool goelf__has_dwarf(const struct goelf *ge);

/* Entry address of function NAME (.symtab first, then pclntab). 0 or -ENOENT. */
int goelf__func_addr(const struct goelf *ge, const char *name, uint64_t *vaddr);
/* Address and size of data symbol NAME from .symtab. 0 or -ENOENT. */
int goelf__sym_addr(const struct goelf *ge, const char *name, uint64_t *vaddr, uint64_t *size);
/* File offset of VADDR through the PT_LOAD headers. 0 or -ERANGE. */
int goelf__vaddr_to_offset(const struct goelf *ge, uint64_t vaddr, uint64_t *off);
/* Lowest PT_LOAD p_vaddr rounded down to its alignment (the load bias base). */
uint64_t goelf__load_base(const struct goelf *ge);
/* Copy LEN bytes at virtual address VADDR from the file image. 0 or -ERANGE. */
int goelf__read(const struct goelf *ge, uint64_t vaddr, void *buf, size_t len);
/* Function, file and line of PC (a link-time address). 0 or -ENOENT. */
int goelf__pc_lookup(const struct goelf *ge, uint64_t pc, struct go_pcinfo *out);
/*
 * The start function of a goroutine whose g.startpc is PC, as Go names it:
 * for `go f(x)` the compiler starts the goroutine in a wrapper closure
 * (main.main.gowrap1, main.main.func1 before go1.22) and records the
 * wrapped function in the wrapper's FUNCDATA_WrapInfo; follow it, as the
 * runtime's startPCforTrace does; without WrapInfo, from the wrapper's code
 * (src/goexe/gowrap.c). runtime.main, goroutine 1's, is main.main, as
 * Go's dumps show it (pclntab.c main_goroutine). Otherwise the function at PC. Named as the
 * release's traceback prints it: "f[...]" for generic code from go1.21
 * (printFuncName), a string GE keeps. 0 or -ENOENT.
 */
int goelf__start_func(const struct goelf *ge, uint64_t pc, struct go_pcinfo *out);

/* ---- additions ------------------------------------------------------------------------- */

/*
 * goelf__open / goelf__open_mem that also say why they failed: on NULL, ERR
 * holds a lowercase message such as "unsupported ELF machine 40 (arm): only
 * x86-64 and aarch64 are supported". ERR may be NULL.
 */
struct goelf *goelf__open_err(const char *path, char *err, size_t errlen);
struct goelf *goelf__open_mem_err(const void *buf, size_t len, char *err, size_t errlen);

/*
 * [start, end) of function NAME: .symtab value and size, else its pclntab
 * entry and the next function's entry (alignment padding included).
 * 0 or -ENOENT.
 */
int goelf__func_range(const struct goelf *ge, const char *name, uint64_t *start, uint64_t *end);

/* Where pclntab was found and how its function entries are based. */
struct goelf_pcln_info {
	uint32_t magic;	     /* 0xfffffff1 go1.20+, 0xfffffff0 go1.18-1.19, 0xfffffffa 1.16-1.17 */
	uint64_t vaddr;	     /* link-time address of the pclntab header */
	uint64_t text_start; /* entries are text_start + entryoff (runtime.text); 0 for 1.16 */
	uint64_t nfunc;
	uint32_t quantum;     /* PC quantum: 1 on amd64, 4 on arm64 */
	const char *found_by; /* ".gopclntab", ".data.rel.ro.gopclntab" or "magic scan" */
	/*
	 * "pclntab header" (go1.18-1.25), "relocation" (header field left 0 for
	 * the dynamic linker), "runtime.text symbol", "moduledata" (go1.26+
	 * without .symtab: runtime.firstmoduledata.text), ".text section" (last
	 * resort, wrong when an external linker put C code first), "absolute"
	 * (1.16: entries are addresses).
	 */
	const char *text_by;
};

/* Locate and describe pclntab. 0 or -ENOENT (none, or malformed). */
int goelf__pcln_info(const struct goelf *ge, struct goelf_pcln_info *info);
/* Number of functions in pclntab (0 without one). */
size_t goelf__pcln_nfunc(const struct goelf *ge);
/* Function I of pclntab (address order): name, entry, file:line of the entry. 0 or -ENOENT. */
int goelf__pcln_func(const struct goelf *ge, size_t i, struct go_pcinfo *out);
/* Like goelf__func_addr, from pclntab only (ignores .symtab). 0 or -ENOENT. */
int goelf__pcln_func_addr(const struct goelf *ge, const char *name, uint64_t *vaddr);

/*
 * [types, etypes): the runtime's type data (moduledata.types), base of the
 * name offsets of runtime._type. From .symtab, else runtime.firstmoduledata
 * (go1.18+). 0 or -ENOENT.
 */
int goelf__types(const struct goelf *ge, uint64_t *types, uint64_t *etypes);

/*
 * Thread safety: the indexes behind the lookups are built on first use under
 * a mutex of the goelf, so one goelf may be queried from several threads.
 */

#endif /* XGOTOP_GOELF_H */
