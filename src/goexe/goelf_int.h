/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals shared by goelf.c (ELF), buildinfo.c (.go.buildinfo),
 * pclntab.c (function table) and gofunc.c (unwinding and inline data). Not
 * part of the API: only these files include it.
 *
 * Every offset read from the file is checked against the buffer before use;
 * strings are only handed out when a NUL terminator is known to follow
 * inside their table (see the last_nul fields).
 */
#ifndef XGOTOP_GOELF_INT_H
#define XGOTOP_GOELF_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goelf.h"

struct goelf_sec {
	const char *name; /* "" when the name is unreadable */
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t off;
	uint64_t size;
	uint32_t link;
	uint64_t entsize;
};

struct goelf_seg {
	uint32_t type;
	uint32_t flags;
	uint64_t off;
	uint64_t vaddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* One .symtab entry kept by the name index. */
struct goelf_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint32_t idx; /* position in .symtab: ties between equal names go to the first */
	uint8_t type; /* STT_* */
};

/* pclntab entry of the name index. */
struct goelf_fname {
	const char *name;
	uint32_t idx;  /* function number in the functab */
	uint32_t rank; /* among equal names, lowest wins: see abi_rank() */
};

enum goelf_lazy {
	LAZY_TODO = 0,
	LAZY_OK,
	LAZY_FAILED,
};

struct goelf_pcln {
	uint32_t magic;
	int ver; /* 116, 118 or 120: layout generation, not the Go release */
	const uint8_t *tab;
	size_t len; /* bytes from the header to the end of its section or segment */
	uint64_t vaddr;
	uint32_t quantum;
	uint32_t ptrsize;
	uint64_t nfunc;
	uint64_t nfiles;
	uint64_t text_start;
	/* offsets from tab, each checked <= len */
	uint64_t funcname_off;
	uint64_t cu_off;
	uint64_t filetab_off;
	uint64_t pctab_off;
	uint64_t pcln_off;
	/* tab[last_nul] == 0: a string starting at or before it is terminated */
	size_t last_nul;
	bool has_nul;
	const char *found_by;
	const char *text_by;
	/* moduledata.gofunc: base of the funcdata offsets (go1.18+); 0 when unknown. */
	uint64_t gofunc;
};

struct goelf {
	const uint8_t *buf;
	size_t len;
	void *map; /* goelf__open's mapping, else NULL */
	size_t map_len;

	uint16_t type; /* ET_EXEC or ET_DYN */
	uint16_t machine;
	enum goelf_arch arch;

	struct goelf_sec *secs;
	size_t nsec;
	struct goelf_seg *segs;
	size_t nseg;

	/* .symtab, when present and well formed */
	const uint8_t *symtab;
	size_t nsym;
	const char *strtab;
	size_t strtab_len; /* cut after its last NUL */

	char *go_version; /* NULL: no .go.buildinfo */
	char *mod_path;	  /* "" when unknown */
	char *pgo;	  /* the -pgo build setting, NULL when absent */
	bool has_dwarf;

	/* Built on first use, under lock: lookups take a const goelf. */
	pthread_mutex_t lock;
	enum goelf_lazy sym_state;
	struct goelf_sym *syms; /* sorted by name, then idx */
	size_t nsyms;
	enum goelf_lazy pcln_state;
	struct goelf_pcln pcln;
	enum goelf_lazy fname_state;
	struct goelf_fname *fnames; /* sorted by name, then idx */
	size_t nfnames;
	/* Start functions of generic code as Go prints them ("f[...]"), made on demand. */
	struct goelf_pname {
		const char *name; /* in the image */
		char *print;
	} * pnames;
	size_t npnames;
};

/* Little-endian loads from a buffer the caller has bounds-checked. */
static inline uint16_t goelf_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t goelf_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t goelf_rd64(const uint8_t *p)
{
	return (uint64_t)goelf_rd32(p) | (uint64_t)goelf_rd32(p + 4) << 32;
}

/* True when [off, off + n) lies inside a buffer of LEN bytes. */
static inline bool goelf_in(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

const struct goelf_sec *goelf_int__sec(const struct goelf *ge, const char *name);
/* File bytes of a section, NULL when it has none or they are out of bounds. */
const uint8_t *goelf_int__sec_data(const struct goelf *ge, const struct goelf_sec *s);
/* Pointer to LEN file bytes at VADDR inside one PT_LOAD, or NULL. */
const uint8_t *goelf_int__ptr(const struct goelf *ge, uint64_t vaddr, uint64_t len);
/* Addend of an R_*_RELATIVE relocation at VADDR. 0 or -ENOENT. */
int goelf_int__relative_addend(const struct goelf *ge, uint64_t vaddr, uint64_t *addend);
/* The .symtab entry named NAME (first of that name; FUNC_ONLY: STT_FUNC). */
const struct goelf_sym *goelf_int__sym(const struct goelf *ge, const char *name, bool func_only);

/* buildinfo.c: fills go_version and mod_path. 0, -ENOENT or -ENOMEM. */
int goelf_int__buildinfo(struct goelf *ge);

/* pclntab.c: the parsed table, located on first use. NULL when absent. */
const struct goelf_pcln *goelf_int__pcln(const struct goelf *ge);
void goelf_int__pcln_free(struct goelf *ge);
/* Entry of NAME and the next function's entry, from pclntab. 0 or -ENOENT. */
int goelf_int__pcln_func_range(const struct goelf *ge, const char *name, uint64_t *start,
			       uint64_t *end);

/*
 * pclntab.c, for gofunc.c: the _func record of the function holding PC (NULL
 * when none), its entry, name, u32 field N (numbered as in pclntab.c), the
 * offset of its funcID byte, a pc-value table lookup and the file at PC.
 */
const uint8_t *goelf_int__func_at(const struct goelf_pcln *p, uint64_t pc);
/* Function I of pclntab (address order), NULL when out of range or malformed. */
const uint8_t *goelf_int__func_rec(const struct goelf_pcln *p, uint64_t i);
uint64_t goelf_int__func_entry(const struct goelf_pcln *p, const uint8_t *rec);
const char *goelf_int__func_name(const struct goelf_pcln *p, const uint8_t *rec);
const char *goelf_int__funcname_at(const struct goelf_pcln *p, int32_t nameoff);
uint32_t goelf_int__func_field(const struct goelf_pcln *p, const uint8_t *rec, int n);
uint32_t goelf_int__funcid_off(const struct goelf_pcln *p);
bool goelf_int__pcvalue(const struct goelf_pcln *p, uint32_t off, uint64_t entry, uint64_t target,
			int32_t *out);
const char *goelf_int__func_file(const struct goelf_pcln *p, const uint8_t *rec, uint64_t pc);

#endif /* XGOTOP_GOELF_INT_H */
