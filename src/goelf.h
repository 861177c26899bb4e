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
	uint64_t entry;   /* function entry (link-time virtual address) */
	const char *file; /* NULL when the pcfile table cannot be read */
	int line;         /* 0 when unknown */
};

/* Open and map PATH. NULL and errno on failure (ENOEXEC: not an ELF file). */
struct goelf *goelf__open(const char *path);
/* Parse a buffer the caller keeps alive until goelf__free. NULL and errno. */
struct goelf *goelf__open_mem(const void *buf, size_t len);
void goelf__free(struct goelf *ge);

/* "go1.22.12", or NULL when .go.buildinfo is absent (not a Go binary). */
const char *goelf__go_version(const struct goelf *ge);
/* Main module path ("github.com/junegunn/fzf"), "" when unknown. */
const char *goelf__mod_path(const struct goelf *ge);
enum goelf_arch goelf__arch(const struct goelf *ge);
const char *goelf__arch_name(const struct goelf *ge); /* "amd64", "arm64", "unknown" */
bool goelf__is_pie(const struct goelf *ge);           /* ET_DYN */
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

#endif /* XGOTOP_GOELF_H */
