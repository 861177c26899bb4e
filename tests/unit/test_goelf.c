// SPDX-License-Identifier: BSD-2-Clause
/*
 * goelf on synthetic ELF images built here: a .go.buildinfo, a hand-built
 * pclntab of a few functions with known pcfile/pcln tables (in each header
 * generation), .symtab, relocations and moduledata as the Go linker and
 * external linkers lay them out; then malformed images (truncated, bad
 * offsets, huge counts, every byte flipped) that must fail cleanly.
 *
 * `test_goelf --write-seeds DIR` writes the images as the fuzz corpus
 * (tests/fuzz/corpus/goelf).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "goelf.h"

#define IMG_MAX	  8192
#define BASE	  0x400000ull
#define TEXT_OFF  0x100u /* .text: file offset, vaddr BASE + TEXT_OFF */
#define TEXT	  (BASE + TEXT_OFF)
#define TEXT_SIZE 0xb0u
#define RO_OFF	  0x200u /* pclntab */
#define DATA_OFF  0x800u /* buildinfo, moduledata */
#define MD_OFF	  0x900u
#define MAGIC_120 0xfffffff1u
#define MAGIC_118 0xfffffff0u
#define MAGIC_116 0xfffffffau
#define FUNCID_WR 21 /* any non-zero funcID: an ABI wrapper */
#define FLAG_ASM  4
#define MAX_SEC	  12
#define FILE_A	  "/src/a.go"
#define FILE_B	  "/src/b.go"
#define SENTINEL_1                \
	"0w\xaf\x0c\x92t\x08\x02" \
	"A\xe1\xc1\x07\xe6\xd6\x18\xe6"
#define SENTINEL_2              \
	"\xf9"                  \
	"2C1\x86\x18 r\x00\x82" \
	"B\x10"                 \
	"A\x16\xd8\xf2"

/* What a synthetic binary looks like. */
struct opts {
	uint16_t machine;
	uint16_t type;
	uint32_t magic;
	bool text_in_header; /* pclntab textStart word filled (go1.18-1.25) */
	bool text_reloc;     /* ... or left 0 with a RELATIVE relocation */
	bool symtab;
	bool runtime_text;    /* runtime.text in .symtab */
	int moduledata;	      /* 0 none, 1 in the file, 2 only as relocation addends */
	const char *pcln_sec; /* section name holding pclntab */
	int buildinfo;	      /* 0 none, 1 inline (go1.18+), 2 pointers (older) */
	bool buildinfo_sec;   /* else only findable by scanning the data segment */
	const char *modinfo;
	bool section_headers;
};

static const struct opts go122 = {
	.machine = EM_X86_64,
	.type = ET_EXEC,
	.magic = MAGIC_120,
	.text_in_header = true,
	.symtab = true,
	.runtime_text = true,
	.pcln_sec = ".gopclntab",
	.buildinfo = 1,
	.buildinfo_sec = true,
	.modinfo = "path\texample.com/x/cmd/tool\nmod\texample.com/x\t(devel)\t\n"
		   "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n",
	.section_headers = true,
};

struct img {
	uint8_t b[IMG_MAX];
	size_t len;
	struct {
		const char *name;
		uint32_t type;
		uint64_t flags, addr, off, size, entsize;
		uint32_t link, name_off;
	} sec[MAX_SEC];
	int nsec;
	uint64_t pcln_vaddr, funcname_off;
};

static void put(struct img *m, size_t off, const void *p, size_t n)
{
	assert_true(off + n <= IMG_MAX);
	memcpy(m->b + off, p, n);
	if (off + n > m->len)
		m->len = off + n;
}

static void put8(struct img *m, size_t off, uint8_t v)
{
	put(m, off, &v, 1);
}

static void put16(struct img *m, size_t off, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	put(m, off, b, 2);
}

static void put32(struct img *m, size_t off, uint32_t v)
{
	put16(m, off, (uint16_t)v);
	put16(m, off + 2, (uint16_t)(v >> 16));
}

static void put64(struct img *m, size_t off, uint64_t v)
{
	put32(m, off, (uint32_t)v);
	put32(m, off + 4, (uint32_t)(v >> 32));
}

static uint32_t rd32(const struct img *m, size_t off)
{
	return (uint32_t)m->b[off] | (uint32_t)m->b[off + 1] << 8 | (uint32_t)m->b[off + 2] << 16 |
	       (uint32_t)m->b[off + 3] << 24;
}

static uint64_t rd64(const struct img *m, size_t off)
{
	return (uint64_t)rd32(m, off) | (uint64_t)rd32(m, off + 4) << 32;
}

static size_t uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static void add_sec(struct img *m, const char *name, uint32_t type, uint64_t flags, uint64_t off,
		    uint64_t size)
{
	assert_true(m->nsec < MAX_SEC);
	m->sec[m->nsec].name = name;
	m->sec[m->nsec].type = type;
	m->sec[m->nsec].flags = flags;
	m->sec[m->nsec].addr = flags & SHF_ALLOC ? BASE + off : 0;
	m->sec[m->nsec].off = off;
	m->sec[m->nsec].size = size;
	m->nsec++;
}

/* A pc-value table: value VAL[i] holds until pc offset END[i]. */
static size_t pctable(uint8_t *p, uint32_t quantum, const uint32_t *end, const int32_t *val, int n)
{
	int32_t prev = -1;
	uint32_t pc = 0;
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		int32_t d = val[i] - prev;

		len += uvarint(p + len,
			       d < 0 ? ((uint64_t)(-(int64_t)d) << 1) - 1 : (uint64_t)d << 1);
		len += uvarint(p + len, (end[i] - pc) / quantum);
		prev = val[i];
		pc = end[i];
	}
	p[len++] = 0;
	return len;
}

struct fspec {
	const char *name;
	uint32_t entry, size;
	uint8_t funcid, flag;
	int nlines, nfiles;
	uint32_t lend[3];
	int32_t line[3];
	uint32_t fend[2];
	int32_t file[2];
};

/*
 * main.foo crosses lines 10, 11, 300 (a two-byte varint); main.bar moves
 * from b.go:20 to a.go:5 (negative deltas); main.dup and main.asm are ABI
 * pairs; main.nolines has no tables.
 */
static const struct fspec funcs[] = {
	{"main.foo", 0x00, 0x40, 0, 0, 3, 1, {0x10, 0x30, 0x40}, {10, 11, 300}, {0x40}, {0}},
	{"main.bar", 0x40, 0x20, 0, 0, 2, 2, {0x08, 0x20}, {20, 5}, {0x08, 0x20}, {1, 0}},
	{"main.dup", 0x60, 0x10, FUNCID_WR, 0, 1, 1, {0x10}, {30}, {0x10}, {0}},
	{"main.dup", 0x70, 0x10, 0, 0, 1, 1, {0x10}, {31}, {0x10}, {0}},
	{"main.asm", 0x80, 0x10, 0, FLAG_ASM, 1, 1, {0x10}, {40}, {0x10}, {0}},
	{"main.asm", 0x90, 0x10, FUNCID_WR, 0, 1, 1, {0x10}, {41}, {0x10}, {0}},
	{"main.nolines", 0xa0, 0x10, 0, 0, 0, 0, {0}, {0}, {0}, {0}},
};
#define NFUNC ((int)(sizeof(funcs) / sizeof(funcs[0])))

/* pclntab at RO_OFF; returns its size. Layout: see the comment of src/goexe/pclntab.c. */
static size_t build_pclntab(struct img *m, const struct opts *o)
{
	uint32_t quantum = o->machine == EM_AARCH64 ? 4 : 1;
	bool v116 = o->magic == MAGIC_116;
	uint32_t nw = v116 ? 7 : 8, fs = v116 ? 8 : 4;
	/* entry, 8 u32 fields, startLine (1.20+), funcID, flag, pad, nfuncdata; 8-aligned */
	uint32_t rec_size =
		((v116 ? 8 : 4) + 8 * 4 + (o->magic == MAGIC_120 ? 4 : 0) + 4 + 7) & ~7u;
	size_t h = RO_OFF, pos, names, cu, files, pctab, pcln, w = h + 8;
	uint32_t nameoff[NFUNC], pcfile[NFUNC], pcln_t[NFUNC];
	uint8_t tab[64];
	int i;

	put32(m, h, o->magic);
	put8(m, h + 6, (uint8_t)quantum);
	put8(m, h + 7, 8);
	pos = h + 8 + nw * 8;

	names = pos;
	for (i = 0; i < NFUNC; i++) {
		nameoff[i] = (uint32_t)(pos - names);
		put(m, pos, funcs[i].name, strlen(funcs[i].name) + 1);
		pos += strlen(funcs[i].name) + 1;
	}
	files = pos;
	put(m, pos, FILE_A, sizeof(FILE_A));
	put(m, pos + sizeof(FILE_A), FILE_B, sizeof(FILE_B));
	pos += sizeof(FILE_A) + sizeof(FILE_B);
	pos = (pos + 3) & ~(size_t)3;
	cu = pos;
	put32(m, pos, 0);
	put32(m, pos + 4, (uint32_t)sizeof(FILE_A));
	pos += 8;
	pctab = pos;
	put8(m, pos++, 0); /* offset 0 means "no table" */
	for (i = 0; i < NFUNC; i++) {
		size_t n;

		pcfile[i] = pcln_t[i] = 0;
		if (funcs[i].nfiles) {
			n = pctable(tab, quantum, funcs[i].fend, funcs[i].file, funcs[i].nfiles);
			pcfile[i] = (uint32_t)(pos - pctab);
			put(m, pos, tab, n);
			pos += n;
		}
		if (funcs[i].nlines) {
			n = pctable(tab, quantum, funcs[i].lend, funcs[i].line, funcs[i].nlines);
			pcln_t[i] = (uint32_t)(pos - pctab);
			put(m, pos, tab, n);
			pos += n;
		}
	}
	pos = (pos + 7) & ~(size_t)7;
	pcln = pos;
	/* functab: NFUNC pairs and the end entry, then the _func records */
	for (i = 0; i < NFUNC; i++) {
		size_t ft = pcln + (size_t)(2 * i) * fs;
		size_t rec = pcln + (size_t)(2 * NFUNC + 2) * fs + (size_t)i * rec_size;
		size_t f = rec + (v116 ? 8 : 4); /* nameOff */

		if (v116) {
			put64(m, ft, TEXT + funcs[i].entry);
			put64(m, ft + fs, rec - pcln);
			put64(m, rec, TEXT + funcs[i].entry);
		} else {
			put32(m, ft, funcs[i].entry);
			put32(m, ft + fs, (uint32_t)(rec - pcln));
			put32(m, rec, funcs[i].entry);
		}
		put32(m, f, nameoff[i]);
		put32(m, f + 16, pcfile[i]);
		put32(m, f + 20, pcln_t[i]);
		put32(m, f + 28, 0); /* cuOffset */
		f += 32;
		if (o->magic == MAGIC_120) {
			put32(m, f,
			      funcs[i].nlines ? (uint32_t)funcs[i].line[0] : 0); /* startLine */
			f += 4;
		}
		put8(m, f, funcs[i].funcid);
		put8(m, f + 1, funcs[i].flag);
	}
	if (v116)
		put64(m, pcln + (size_t)(2 * NFUNC) * fs, TEXT + TEXT_SIZE);
	else
		put32(m, pcln + (size_t)(2 * NFUNC) * fs, TEXT_SIZE);
	pos = pcln + (size_t)(2 * NFUNC + 2) * fs + (size_t)NFUNC * rec_size;

	put64(m, w, NFUNC);
	put64(m, w + 8, 2);
	w += 16;
	if (!v116) {
		put64(m, w, o->text_in_header ? TEXT : 0);
		w += 8;
	}
	put64(m, w, names - h);
	put64(m, w + 8, cu - h);
	put64(m, w + 16, files - h);
	put64(m, w + 24, pctab - h);
	put64(m, w + 32, pcln - h);
	m->pcln_vaddr = BASE + h;
	m->funcname_off = names - h;
	return pos - h;
}

static size_t build_buildinfo(struct img *m, const struct opts *o, size_t off)
{
	size_t n, pos = off + 32, body = strlen(o->modinfo), modlen = body + 32;
	char mod[512];

	/* the end sentinel holds a NUL */
	assert_true(modlen <= sizeof(mod));
	memcpy(mod, SENTINEL_1, 16);
	memcpy(mod + 16, o->modinfo, body);
	memcpy(mod + 16 + body, SENTINEL_2, 16);
	put(m, off, "\xff Go buildinf:", 14);
	put8(m, off + 14, 8);
	if (o->buildinfo == 1) {
		uint8_t v[10];

		put8(m, off + 15, 2);
		n = uvarint(v, strlen("go1.22.12"));
		put(m, pos, v, n);
		put(m, pos + n, "go1.22.12", strlen("go1.22.12"));
		pos += n + strlen("go1.22.12");
		n = uvarint(v, modlen);
		put(m, pos, v, n);
		put(m, pos + n, mod, modlen);
		return pos + n + modlen - off;
	}
	/* Pointers to Go string headers {ptr, len} (before go1.18). */
	put8(m, off + 15, 0);
	put64(m, off + 16, BASE + off + 32);
	put64(m, off + 24, BASE + off + 48);
	put64(m, off + 32, BASE + off + 64);
	put64(m, off + 40, strlen("go1.16.15"));
	put64(m, off + 48, BASE + off + 80);
	put64(m, off + 56, modlen);
	put(m, off + 64, "go1.16.15", strlen("go1.16.15"));
	put(m, off + 80, mod, modlen);
	return 80 + modlen;
}

static uint32_t rel_type(const struct opts *o)
{
	return o->machine == EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
}

static void add_rela(struct img *m, size_t *pos, const struct opts *o, uint64_t at, uint64_t add)
{
	put64(m, *pos, at);
	put64(m, *pos + 8, rel_type(o));
	put64(m, *pos + 16, add);
	*pos += 24;
}

static void build(struct img *m, const struct opts *o)
{
	size_t pcln_size, bi_size = 0, pos, rela = 0, sym = 0, str = 0, shstr, shoff;
	uint64_t md = BASE + MD_OFF;
	int i;

	memset(m, 0, sizeof(*m));
	/* .text: int3 filler */
	memset(m->b + TEXT_OFF, 0xcc, TEXT_SIZE);
	m->len = TEXT_OFF + TEXT_SIZE;
	add_sec(m, "", SHT_NULL, 0, 0, 0);
	add_sec(m, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT_OFF, TEXT_SIZE);
	pcln_size = build_pclntab(m, o);
	add_sec(m, o->pcln_sec, SHT_PROGBITS, SHF_ALLOC, RO_OFF, pcln_size);
	assert_true(RO_OFF + pcln_size <= DATA_OFF);
	if (o->buildinfo) {
		bi_size = build_buildinfo(m, o, DATA_OFF);
		assert_true(DATA_OFF + bi_size <= MD_OFF);
		if (o->buildinfo_sec)
			add_sec(m, ".go.buildinfo", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, DATA_OFF,
				bi_size);
	}
	/* runtime.firstmoduledata: pcHeader, funcnametab.ptr, ..., minpc @160, text @176 */
	put64(m, MD_OFF + 184, 0);
	if (o->moduledata == 1) {
		put64(m, MD_OFF, m->pcln_vaddr);
		put64(m, MD_OFF + 8, m->pcln_vaddr + m->funcname_off);
		put64(m, MD_OFF + 160, TEXT);
		put64(m, MD_OFF + 176, TEXT);
	}
	add_sec(m, ".noptrdata", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, MD_OFF, 192);
	pos = MD_OFF + 192;

	/* non-allocated: relocations, symbols, names */
	pos = (pos + 7) & ~(size_t)7;
	if (o->text_reloc || o->moduledata == 2) {
		rela = pos;
		if (o->text_reloc)
			add_rela(m, &pos, o, m->pcln_vaddr + 24, TEXT);
		if (o->moduledata == 2) {
			add_rela(m, &pos, o, md, m->pcln_vaddr);
			add_rela(m, &pos, o, md + 8, m->pcln_vaddr + m->funcname_off);
			add_rela(m, &pos, o, md + 160, TEXT);
			add_rela(m, &pos, o, md + 176, TEXT);
		}
		add_sec(m, ".rela.dyn", SHT_RELA, 0, rela, pos - rela);
		m->sec[m->nsec - 1].entsize = 24;
	}
	if (o->symtab) {
		static const char strs[] = "\0main.foo\0main.symonly\0main.data\0runtime.text\0"
					   "main.undef\0";
		struct {
			uint32_t name;
			uint8_t info;
			uint16_t shndx;
			uint64_t value, size;
		} syms[] = {
			{0, 0, 0, 0, 0},
			{1, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, TEXT, 0x40},
			{10, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, BASE + 0x1f0, 8},
			{23, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 4, BASE + MD_OFF, 192},
			{33, ELF64_ST_INFO(STB_LOCAL, STT_FUNC), 1, TEXT, 0},
			{46, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), SHN_UNDEF, 0, 0},
		};
		int n = o->runtime_text ? 6 : 4;

		sym = pos;
		for (i = 0; i < n; i++, pos += 24) {
			put32(m, pos, syms[i].name);
			put8(m, pos + 4, syms[i].info);
			put16(m, pos + 6, syms[i].shndx);
			put64(m, pos + 8, syms[i].value);
			put64(m, pos + 16, syms[i].size);
		}
		str = pos;
		put(m, pos, strs, sizeof(strs));
		pos += sizeof(strs);
		add_sec(m, ".symtab", SHT_SYMTAB, 0, sym, str - sym);
		m->sec[m->nsec - 1].entsize = 24;
		m->sec[m->nsec - 1].link = (uint32_t)m->nsec;
		add_sec(m, ".strtab", SHT_STRTAB, 0, str, sizeof(strs));
	}
	add_sec(m, ".debug_info", SHT_PROGBITS, 0, pos, 0);
	add_sec(m, ".shstrtab", SHT_STRTAB, 0, pos, 0);
	shstr = pos;
	put8(m, pos++, 0);
	for (i = 1; i < m->nsec; i++) {
		size_t n = strlen(m->sec[i].name) + 1;

		put(m, pos, m->sec[i].name, n);
		m->sec[i].name_off = (uint32_t)(pos - shstr);
		pos += n;
	}
	m->sec[m->nsec - 1].off = shstr;
	m->sec[m->nsec - 1].size = pos - shstr;
	shoff = (pos + 7) & ~(size_t)7;
	for (i = 0; o->section_headers && i < m->nsec; i++) {
		size_t s = shoff + (size_t)i * 64;

		put32(m, s, m->sec[i].name_off);
		put32(m, s + 4, m->sec[i].type);
		put64(m, s + 8, m->sec[i].flags);
		put64(m, s + 16, m->sec[i].addr);
		put64(m, s + 24, m->sec[i].off);
		put64(m, s + 32, m->sec[i].size);
		put32(m, s + 40, m->sec[i].link);
		put64(m, s + 56, m->sec[i].entsize);
	}

	/* ELF header and three PT_LOADs: text (RX), pclntab (R), data (RW) */
	put(m, 0, ELFMAG, SELFMAG);
	put8(m, EI_CLASS, ELFCLASS64);
	put8(m, EI_DATA, ELFDATA2LSB);
	put8(m, EI_VERSION, EV_CURRENT);
	put16(m, 16, o->type);
	put16(m, 18, o->machine);
	put32(m, 20, EV_CURRENT);
	put64(m, 24, TEXT);
	put64(m, 32, 64);
	put64(m, 40, o->section_headers ? shoff : 0);
	put16(m, 52, 64);
	put16(m, 54, 56);
	put16(m, 56, 3);
	put16(m, 58, 64);
	put16(m, 60, o->section_headers ? (uint16_t)m->nsec : 0);
	put16(m, 62, o->section_headers ? (uint16_t)(m->nsec - 1) : 0);
	{
		const uint64_t ph[3][4] = {
			{PF_R | PF_X, 0, TEXT_OFF + TEXT_SIZE, 0x1000},
			{PF_R, RO_OFF, DATA_OFF - RO_OFF, 0x1000},
			{PF_R | PF_W, DATA_OFF, MD_OFF + 192 - DATA_OFF, 0x1000},
		};

		for (i = 0; i < 3; i++) {
			size_t p = 64 + (size_t)i * 56;

			put32(m, p, PT_LOAD);
			put32(m, p + 4, (uint32_t)ph[i][0]);
			put64(m, p + 8, ph[i][1]);
			put64(m, p + 16, BASE + ph[i][1]);
			put64(m, p + 24, BASE + ph[i][1]);
			put64(m, p + 32, ph[i][2]);
			put64(m, p + 40, ph[i][2] + (i == 2 ? 0x100 : 0)); /* some bss */
			put64(m, p + 48, ph[i][3]);
		}
	}
}

static struct goelf *open_img(const struct img *m)
{
	struct goelf *ge = goelf__open_mem(m->b, m->len);

	assert_non_null(ge);
	return ge;
}

static void expect_pc(const struct goelf *ge, uint64_t pc, const char *func, uint64_t entry,
		      const char *file, int line)
{
	struct go_pcinfo pi;

	assert_int_equal(goelf__pc_lookup(ge, pc, &pi), 0);
	assert_string_equal(pi.func, func);
	assert_int_equal(pi.entry, entry);
	if (file)
		assert_string_equal(pi.file, file);
	else
		assert_null(pi.file);
	assert_int_equal(pi.line, line);
}

/* The pclntab answers every variant must give. */
static void expect_functions(const struct goelf *ge)
{
	struct goelf_pcln_info info;
	struct go_pcinfo pi;
	uint64_t va, start, end;

	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_int_equal(info.nfunc, NFUNC);
	assert_int_equal(goelf__pcln_nfunc(ge), NFUNC);

	expect_pc(ge, TEXT, "main.foo", TEXT, FILE_A, 10);
	expect_pc(ge, TEXT + 0x0f, "main.foo", TEXT, FILE_A, 10);
	expect_pc(ge, TEXT + 0x10, "main.foo", TEXT, FILE_A, 11);
	expect_pc(ge, TEXT + 0x2f, "main.foo", TEXT, FILE_A, 11);
	expect_pc(ge, TEXT + 0x30, "main.foo", TEXT, FILE_A, 300);
	expect_pc(ge, TEXT + 0x3f, "main.foo", TEXT, FILE_A, 300);
	expect_pc(ge, TEXT + 0x40, "main.bar", TEXT + 0x40, FILE_B, 20);
	expect_pc(ge, TEXT + 0x47, "main.bar", TEXT + 0x40, FILE_B, 20);
	expect_pc(ge, TEXT + 0x48, "main.bar", TEXT + 0x40, FILE_A, 5);
	expect_pc(ge, TEXT + 0x5f, "main.bar", TEXT + 0x40, FILE_A, 5);
	expect_pc(ge, TEXT + 0x60, "main.dup", TEXT + 0x60, FILE_A, 30);
	expect_pc(ge, TEXT + 0x75, "main.dup", TEXT + 0x70, FILE_A, 31);
	expect_pc(ge, TEXT + 0xa0, "main.nolines", TEXT + 0xa0, NULL, 0);
	expect_pc(ge, TEXT + 0xaf, "main.nolines", TEXT + 0xa0, NULL, 0);
	assert_int_equal(goelf__pc_lookup(ge, TEXT + TEXT_SIZE, &pi), -ENOENT);
	assert_int_equal(goelf__pc_lookup(ge, TEXT - 1, &pi), -ENOENT);
	assert_int_equal(goelf__pc_lookup(ge, 0, &pi), -ENOENT);
	assert_int_equal(goelf__pc_lookup(ge, UINT64_MAX, &pi), -ENOENT);

	assert_int_equal(goelf__pcln_func(ge, 1, &pi), 0);
	assert_string_equal(pi.func, "main.bar");
	assert_int_equal(pi.line, 20);
	assert_int_equal(goelf__pcln_func(ge, NFUNC, &pi), -ENOENT);

	assert_int_equal(goelf__pcln_func_addr(ge, "main.foo", &va), 0);
	assert_int_equal(va, TEXT);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.nolines", &va), 0);
	assert_int_equal(va, TEXT + 0xa0);
	/* ABI pairs: the Go body over its wrapper, the wrapper over assembly. */
	assert_int_equal(goelf__pcln_func_addr(ge, "main.dup", &va), 0);
	assert_int_equal(va, TEXT + 0x70);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.asm", &va), 0);
	assert_int_equal(va, TEXT + 0x90);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.fo", &va), -ENOENT);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.fooo", &va), -ENOENT);
	assert_int_equal(goelf__pcln_func_addr(ge, "", &va), -ENOENT);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.symonly", &va), -ENOENT);

	assert_int_equal(goelf__func_addr(ge, "main.bar", &va), 0);
	assert_int_equal(va, TEXT + 0x40);
	assert_int_equal(goelf__func_range(ge, "main.bar", &start, &end), 0);
	assert_int_equal(start, TEXT + 0x40);
	assert_int_equal(end, TEXT + 0x60);
	assert_int_equal(goelf__func_range(ge, "main.nolines", &start, &end), 0);
	assert_int_equal(end, TEXT + TEXT_SIZE);
	assert_int_equal(goelf__func_addr(ge, "main.missing", &va), -ENOENT);
}

static void test_go122(void **state)
{
	struct goelf_pcln_info info;
	struct img *m = malloc(sizeof(*m));
	struct goelf *ge;
	uint64_t va, sz, off;
	uint8_t buf[4];

	(void)state;
	build(m, &go122);
	ge = open_img(m);
	assert_string_equal(goelf__go_version(ge), "go1.22.12");
	assert_string_equal(goelf__mod_path(ge), "example.com/x");
	assert_int_equal(goelf__arch(ge), GOELF_ARCH_AMD64);
	assert_string_equal(goelf__arch_name(ge), "amd64");
	assert_false(goelf__is_pie(ge));
	assert_true(goelf__has_symtab(ge));
	assert_true(goelf__has_dwarf(ge));
	expect_functions(ge);

	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_int_equal(info.magic, MAGIC_120);
	assert_int_equal(info.vaddr, BASE + RO_OFF);
	assert_int_equal(info.text_start, TEXT);
	assert_int_equal(info.quantum, 1);
	assert_string_equal(info.found_by, ".gopclntab");
	assert_string_equal(info.text_by, "pclntab header");

	/* .symtab first: main.foo's symbol, main.symonly only there */
	assert_int_equal(goelf__func_addr(ge, "main.symonly", &va), 0);
	assert_int_equal(va, BASE + 0x1f0);
	assert_int_equal(goelf__func_range(ge, "main.foo", &va, &sz), 0);
	assert_int_equal(va, TEXT);
	assert_int_equal(sz, TEXT + 0x40);
	assert_int_equal(goelf__sym_addr(ge, "main.data", &va, &sz), 0);
	assert_int_equal(va, BASE + MD_OFF);
	assert_int_equal(sz, 192);
	assert_int_equal(goelf__sym_addr(ge, "main.undef", &va, &sz), -ENOENT);
	assert_int_equal(goelf__sym_addr(ge, "main.dat", &va, &sz), -ENOENT);
	assert_int_equal(goelf__func_addr(ge, "main.data", &va), -ENOENT);

	/* addresses */
	assert_int_equal(goelf__load_base(ge), BASE);
	assert_int_equal(goelf__vaddr_to_offset(ge, TEXT + 0x10, &off), 0);
	assert_int_equal(off, TEXT_OFF + 0x10);
	assert_int_equal(goelf__vaddr_to_offset(ge, BASE + RO_OFF, &off), 0);
	assert_int_equal(off, RO_OFF);
	assert_int_equal(goelf__vaddr_to_offset(ge, BASE + MD_OFF + 192, &off), -ERANGE); /* bss */
	assert_int_equal(goelf__vaddr_to_offset(ge, 0x1000, &off), -ERANGE);
	assert_int_equal(goelf__read(ge, BASE + RO_OFF, buf, 4), 0);
	assert_memory_equal(buf, "\xf1\xff\xff\xff", 4);
	assert_int_equal(goelf__read(ge, TEXT + TEXT_SIZE - 2, buf, 4), -ERANGE);
	assert_int_equal(goelf__read(ge, UINT64_MAX - 1, buf, 4), -ERANGE);
	goelf__free(ge);
	free(m);
}

/* Each pclntab generation and architecture gives the same answers. */
static void test_generations(void **state)
{
	static const uint32_t magics[] = {MAGIC_120, MAGIC_118, MAGIC_116};
	struct img *m = malloc(sizeof(*m));
	unsigned int i, a;

	(void)state;
	for (a = 0; a < 2; a++) {
		for (i = 0; i < 3; i++) {
			struct opts o = go122;
			struct goelf_pcln_info info;
			struct goelf *ge;

			o.magic = magics[i];
			o.machine = a ? EM_AARCH64 : EM_X86_64;
			o.symtab = false;
			build(m, &o);
			ge = open_img(m);
			assert_int_equal(goelf__arch(ge), a ? GOELF_ARCH_ARM64 : GOELF_ARCH_AMD64);
			expect_functions(ge);
			assert_int_equal(goelf__pcln_info(ge, &info), 0);
			assert_int_equal(info.magic, magics[i]);
			assert_int_equal(info.quantum, a ? 4 : 1);
			assert_string_equal(info.text_by, i == 2 ? "absolute" : "pclntab header");
			goelf__free(ge);
		}
	}
	free(m);
}

/* Where textStart comes from when the header does not hold it. */
static void test_text_start(void **state)
{
	static const struct {
		bool reloc, symtab;
		int moduledata;
		uint16_t machine;
		const char *by;
	} cases[] = {
		{true, false, 0, EM_X86_64, "relocation"},
		{true, false, 0, EM_AARCH64, "relocation"},
		{false, true, 0, EM_X86_64, "runtime.text symbol"},
		{false, false, 1, EM_X86_64, "moduledata"},
		{false, false, 2, EM_X86_64, "moduledata"},
		{false, false, 2, EM_AARCH64, "moduledata"},
		{false, false, 0, EM_X86_64, ".text section"},
	};
	struct img *m = malloc(sizeof(*m));
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o = go122;
		struct goelf_pcln_info info;
		struct goelf *ge;

		o.type = ET_DYN;
		o.text_in_header = false;
		o.text_reloc = cases[i].reloc;
		o.symtab = cases[i].symtab;
		o.moduledata = cases[i].moduledata;
		o.machine = cases[i].machine;
		o.pcln_sec = ".data.rel.ro.gopclntab";
		build(m, &o);
		ge = open_img(m);
		assert_true(goelf__is_pie(ge));
		assert_int_equal(goelf__pcln_info(ge, &info), 0);
		assert_string_equal(info.found_by, ".data.rel.ro.gopclntab");
		assert_string_equal(info.text_by, cases[i].by);
		assert_int_equal(info.text_start, TEXT);
		expect_functions(ge);
		goelf__free(ge);
	}
	free(m);
}

/* No pclntab section, or no section headers at all: scan for the header. */
static void test_scan(void **state)
{
	struct img *m = malloc(sizeof(*m));
	struct goelf_pcln_info info;
	struct opts o = go122;
	struct goelf *ge;

	(void)state;
	o.pcln_sec = ".rodata";
	build(m, &o);
	ge = open_img(m);
	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_string_equal(info.found_by, "magic scan");
	expect_functions(ge);
	goelf__free(ge);

	/* no section headers: buildinfo from the data segment, pclntab by scanning */
	o.section_headers = false;
	o.buildinfo_sec = false;
	build(m, &o);
	ge = open_img(m);
	assert_false(goelf__has_symtab(ge));
	assert_false(goelf__has_dwarf(ge));
	assert_string_equal(goelf__go_version(ge), "go1.22.12");
	assert_string_equal(goelf__mod_path(ge), "example.com/x");
	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_string_equal(info.found_by, "magic scan");
	assert_string_equal(info.text_by, "pclntab header");
	expect_functions(ge);
	goelf__free(ge);

	/* ... and a go1.26 header: only moduledata knows textStart */
	o.text_in_header = false;
	o.moduledata = 1;
	build(m, &o);
	ge = open_img(m);
	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_string_equal(info.text_by, "moduledata");
	expect_functions(ge);
	goelf__free(ge);

	/* ... and without moduledata nothing does */
	o.moduledata = 0;
	build(m, &o);
	ge = open_img(m);
	assert_int_equal(goelf__pcln_info(ge, &info), -ENOENT);
	goelf__free(ge);
	free(m);
}

static void test_buildinfo(void **state)
{
	struct img *m = malloc(sizeof(*m));
	struct opts o = go122;
	struct goelf *ge;

	(void)state;
	o.buildinfo = 2;
	build(m, &o);
	ge = open_img(m);
	assert_string_equal(goelf__go_version(ge), "go1.16.15");
	assert_string_equal(goelf__mod_path(ge), "example.com/x");
	goelf__free(ge);

	o.buildinfo = 1;
	o.modinfo = "path\texample.com/only/path\n";
	build(m, &o);
	ge = open_img(m);
	assert_string_equal(goelf__mod_path(ge), "example.com/only/path");
	goelf__free(ge);

	/* The PGO profile is a build setting; "off" or absent means none. */
	o.modinfo = "path\texample.com/x\nbuild\t-compiler=gc\nbuild\t-pgo=/src/default.pgo\n";
	build(m, &o);
	ge = open_img(m);
	assert_string_equal(goelf__pgo(ge), "/src/default.pgo");
	goelf__free(ge);
	o.modinfo = "path\texample.com/x\nbuild\t-pgo=off\n";
	build(m, &o);
	ge = open_img(m);
	assert_null(goelf__pgo(ge));
	goelf__free(ge);

	o.modinfo = "";
	build(m, &o);
	ge = open_img(m);
	assert_null(goelf__pgo(ge));
	assert_string_equal(goelf__go_version(ge), "go1.22.12");
	assert_string_equal(goelf__mod_path(ge), "");
	goelf__free(ge);

	/* Not a Go binary: opens, but has no version. */
	o.buildinfo = 0;
	build(m, &o);
	ge = open_img(m);
	assert_null(goelf__go_version(ge));
	assert_string_equal(goelf__mod_path(ge), "");
	goelf__free(ge);
	free(m);
}

static void expect_enoexec(const void *buf, size_t len, const char *msg)
{
	char err[256] = "";

	errno = 0;
	assert_null(goelf__open_mem_err(buf, len, err, sizeof(err)));
	assert_int_equal(errno, ENOEXEC);
	if (msg)
		assert_non_null(strstr(err, msg));
}

static void test_rejects(void **state)
{
	struct img *m = malloc(sizeof(*m));
	uint8_t copy[IMG_MAX];

	(void)state;
	build(m, &go122);
	expect_enoexec(NULL, 0, "not an ELF file");
	expect_enoexec("hello", 5, "not an ELF file");
	expect_enoexec("#!/bin/sh\nexit 0\n", 17, "not an ELF file");
	memcpy(copy, m->b, m->len);
	copy[EI_CLASS] = ELFCLASS32;
	expect_enoexec(copy, m->len, "32-bit");
	memcpy(copy, m->b, m->len);
	copy[EI_DATA] = ELFDATA2MSB;
	expect_enoexec(copy, m->len, "big-endian");
	memcpy(copy, m->b, m->len);
	copy[18] = EM_ARM;
	expect_enoexec(copy, m->len, "unsupported ELF machine 40 (arm)");
	memcpy(copy, m->b, m->len);
	copy[18] = EM_RISCV;
	expect_enoexec(copy, m->len, "riscv64");
	memcpy(copy, m->b, m->len);
	copy[16] = ET_REL;
	expect_enoexec(copy, m->len, "not an executable");
	expect_enoexec(m->b, 40, "truncated");
	/* section headers cut off */
	expect_enoexec(m->b, m->len - 10, "section headers");
	memcpy(copy, m->b, m->len);
	copy[40 + 7] = 0x7f; /* e_shoff far away */
	expect_enoexec(copy, m->len, "section headers");
	memcpy(copy, m->b, m->len);
	copy[32 + 4] = 1; /* e_phoff beyond the file */
	expect_enoexec(copy, m->len, "program headers");
	free(m);
}

/* Section and program header counts moved to section header 0 (ELF extended numbering). */
static void extend_numbering(struct img *m)
{
	size_t shoff = (size_t)rd64(m, 40);

	put64(m, shoff + 32, m->b[60] | m->b[61] << 8);
	put32(m, shoff + 40, m->b[62] | m->b[63] << 8);
	put32(m, shoff + 44, m->b[56] | m->b[57] << 8);
	put16(m, 60, 0);
	put16(m, 62, SHN_XINDEX);
	put16(m, 56, PN_XNUM);
}

static void test_extended_numbering(void **state)
{
	struct img *m = malloc(sizeof(*m));
	struct goelf *ge;
	uint64_t va;

	(void)state;
	build(m, &go122);
	extend_numbering(m);
	ge = open_img(m);
	assert_string_equal(goelf__go_version(ge), "go1.22.12");
	assert_true(goelf__has_symtab(ge));
	assert_int_equal(goelf__func_addr(ge, "main.symonly", &va), 0);
	assert_int_equal(goelf__load_base(ge), BASE);
	expect_functions(ge);
	goelf__free(ge);

	/* a count beyond the file */
	put64(m, (size_t)rd64(m, 40) + 32, UINT64_MAX);
	expect_enoexec(m->b, m->len, "section headers");
	free(m);
}

/* Damaged pclntab headers, tables and strings: lookups fail, nothing else. */
static void test_bad_pclntab(void **state)
{
	struct img *m = malloc(sizeof(*m));
	struct goelf_pcln_info info;
	struct opts o = go122;
	struct go_pcinfo pi;
	struct goelf *ge;
	size_t h = RO_OFF, w;
	uint64_t va;

	(void)state;
	o.symtab = false;
	/* huge nfunc */
	build(m, &o);
	put64(m, h + 8, UINT64_MAX / 4);
	ge = open_img(m);
	assert_int_equal(goelf__pcln_info(ge, &info), -ENOENT);
	assert_int_equal(goelf__pc_lookup(ge, TEXT, &pi), -ENOENT);
	assert_int_equal(goelf__func_addr(ge, "main.foo", &va), -ENOENT);
	assert_int_equal(goelf__pcln_nfunc(ge), 0);
	goelf__free(ge);

	/* each offset word (funcname, cu, filetab, pctab, pcln) out of range in turn */
	for (w = 3; w <= 7; w++) {
		build(m, &o);
		put64(m, h + 8 + w * 8, 0x7fffffffffffull);
		ge = open_img(m);
		assert_int_equal(goelf__pcln_info(ge, &info), -ENOENT);
		assert_int_equal(goelf__pc_lookup(ge, TEXT, &pi), -ENOENT);
		goelf__free(ge);
	}

	/* bad pointer size, quantum and padding */
	for (w = 0; w < 3; w++) {
		build(m, &o);
		put8(m, h + (w == 0 ? 7 : w == 1 ? 6 : 4), w == 0 ? 4 : 3);
		ge = open_img(m);
		assert_int_equal(goelf__pc_lookup(ge, TEXT, &pi), -ENOENT);
		goelf__free(ge);
	}

	/* main.foo's _func beyond the table: it is unreadable, the rest works */
	build(m, &o);
	put32(m, h + rd64(m, h + 8 + 7 * 8) + 4, 0xfffffff0u);
	ge = open_img(m);
	assert_int_equal(goelf__pc_lookup(ge, TEXT, &pi), -ENOENT);
	expect_pc(ge, TEXT + 0x40, "main.bar", TEXT + 0x40, FILE_B, 20);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.foo", &va), -ENOENT);
	assert_int_equal(goelf__pcln_func_addr(ge, "main.bar", &va), 0);
	goelf__free(ge);

	/* main.bar's cuOffset past cutab: no file, the line still reads */
	build(m, &o);
	put32(m, h + rd64(m, h + 8 + 7 * 8) + rd32(m, h + rd64(m, h + 64) + 12) + 4 + 28,
	      0x40000000u);
	ge = open_img(m);
	expect_pc(ge, TEXT + 0x48, "main.bar", TEXT + 0x40, NULL, 5);
	goelf__free(ge);

	/* the whole pclntab without a NUL: no names */
	build(m, &o);
	for (w = 8 + 8 * 8; w < DATA_OFF - RO_OFF; w++)
		if (!m->b[h + w])
			m->b[h + w] = 1;
	ge = open_img(m);
	assert_int_equal(goelf__pc_lookup(ge, TEXT, &pi), -ENOENT);
	assert_int_equal(goelf__func_addr(ge, "main.foo", &va), -ENOENT);
	goelf__free(ge);
	free(m);
}

/* Every prefix of a valid image: open may fail, nothing may crash. */
static void poke(const uint8_t *b, size_t len)
{
	static const char *const names[] = {"main.foo", "main.bar", "main.dup", "runtime.text"};
	struct goelf_pcln_info info;
	struct go_pcinfo pi;
	uint64_t va, sz, off, pc;
	struct goelf *ge;
	uint8_t buf[8];
	size_t i, n;

	ge = goelf__open_mem(b, len);
	if (!ge)
		return;
	(void)goelf__go_version(ge);
	(void)goelf__mod_path(ge);
	(void)goelf__load_base(ge);
	(void)goelf__pcln_info(ge, &info);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)goelf__func_addr(ge, names[i], &va);
		(void)goelf__func_range(ge, names[i], &va, &sz);
		(void)goelf__sym_addr(ge, names[i], &va, &sz);
	}
	for (pc = TEXT - 1; pc <= TEXT + TEXT_SIZE; pc += 3) {
		if (!goelf__pc_lookup(ge, pc, &pi)) {
			assert_non_null(pi.func);
			(void)strlen(pi.func);
			if (pi.file)
				(void)strlen(pi.file);
		}
	}
	n = goelf__pcln_nfunc(ge);
	for (i = 0; i < n && i < 16; i++)
		if (!goelf__pcln_func(ge, i, &pi))
			(void)strlen(pi.func);
	(void)goelf__vaddr_to_offset(ge, TEXT, &off);
	(void)goelf__read(ge, TEXT, buf, sizeof(buf));
	goelf__free(ge);
}

static void test_truncated(void **state)
{
	struct img *m = malloc(sizeof(*m));
	uint8_t *copy;
	size_t n;

	(void)state;
	build(m, &go122);
	for (n = 0; n <= m->len; n++) {
		/* exact-size heap copies so reads past the end are caught by sanitizers */
		copy = malloc(n ? n : 1);
		memcpy(copy, m->b, n);
		poke(copy, n);
		free(copy);
	}
	free(m);
}

/* Flip each byte of images of each kind; a poor man's fuzzer. */
static void test_flips(void **state)
{
	struct img *m = malloc(sizeof(*m));
	struct opts o = go122;
	uint8_t *copy;
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		o.magic = k == 0 ? MAGIC_120 : k == 1 ? MAGIC_118 : MAGIC_116;
		o.text_in_header = k != 0;
		o.moduledata = k == 0 ? 2 : 0;
		o.symtab = k != 2;
		build(m, &o);
		copy = malloc(m->len);
		for (i = 0; i < m->len; i++) {
			memcpy(copy, m->b, m->len);
			copy[i] ^= 0xff;
			poke(copy, m->len);
			copy[i] ^= 0x7f;
			poke(copy, m->len);
		}
		free(copy);
	}
	free(m);
}

/*
 * 200000 relocations that each look like moduledata.pcHeader: checking one
 * scans the relocations, so checking all of them is 2e10 steps (10 s here).
 * goelf gives up after a few and falls back to the .text section.
 */
static void test_hostile_work(void **state)
{
	const size_t n = 200000, rela_sec = 5;
	struct img *m = malloc(sizeof(*m));
	struct goelf_pcln_info info;
	struct opts o = go122;
	struct goelf *ge;
	uint8_t *big;
	size_t i, sh;

	(void)state;
	o.text_in_header = false;
	o.symtab = false;
	o.moduledata = 2;
	build(m, &o);
	sh = rd64(m, 40) + rela_sec * 64;
	assert_int_equal(rd32(m, sh + 4), SHT_RELA);
	big = malloc(m->len + n * 24);
	memcpy(big, m->b, m->len);
	for (i = 0; i < n; i++) {
		uint8_t *r = big + m->len + i * 24;
		uint64_t f[3] = {BASE + 0x100000 + i * 8, rel_type(&o), m->pcln_vaddr};

		for (int k = 0; k < 24; k++)
			r[k] = (uint8_t)(f[k / 8] >> (8 * (k % 8)));
	}
	for (i = 0; i < 8; i++) {
		big[sh + 24 + i] = (uint8_t)(m->len >> (8 * i));
		big[sh + 32 + i] = (uint8_t)((n * 24) >> (8 * i));
	}
	ge = goelf__open_mem(big, m->len + n * 24);
	assert_non_null(ge);
	assert_int_equal(goelf__pcln_info(ge, &info), 0);
	assert_string_equal(info.text_by, ".text section");
	expect_functions(ge);
	goelf__free(ge);
	free(big);
	free(m);
}

static void test_open_file(void **state)
{
	struct img *m = malloc(sizeof(*m));
	char path[] = "/tmp/test_goelf.XXXXXX", err[256];
	struct goelf *ge;
	uint64_t va;
	int fd;

	(void)state;
	build(m, &go122);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, m->b, m->len), (ssize_t)m->len);
	close(fd);
	ge = goelf__open(path);
	assert_non_null(ge);
	assert_string_equal(goelf__go_version(ge), "go1.22.12");
	assert_int_equal(goelf__func_addr(ge, "main.bar", &va), 0);
	assert_int_equal(va, TEXT + 0x40);
	goelf__free(ge);

	assert_int_equal(truncate(path, 0), 0);
	errno = 0;
	assert_null(goelf__open(path));
	assert_int_equal(errno, ENOEXEC);
	unlink(path);
	errno = 0;
	assert_null(goelf__open_err(path, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "cannot open"));
	errno = 0;
	assert_null(goelf__open("/tmp"));
	assert_int_equal(errno, ENOEXEC);
	goelf__free(NULL);
	free(m);
}

static int write_seeds(const char *dir)
{
	static const struct {
		const char *name;
		uint32_t magic;
		bool symtab, text_in_header, reloc, shdrs;
		int moduledata, buildinfo;
		uint16_t machine;
	} seeds[] = {
		{"go122-amd64", MAGIC_120, true, true, false, true, 0, 1, EM_X86_64},
		{"go119-arm64-stripped", MAGIC_118, false, true, false, true, 0, 1, EM_AARCH64},
		{"go116-pointer-buildinfo", MAGIC_116, false, false, false, true, 0, 2, EM_X86_64},
		{"go126-moduledata", MAGIC_120, false, false, false, true, 1, 1, EM_X86_64},
		{"go126-moduledata-rela", MAGIC_120, false, false, false, true, 2, 1, EM_AARCH64},
		{"pie-text-rela", MAGIC_120, false, false, true, true, 0, 1, EM_X86_64},
		{"no-section-headers", MAGIC_120, false, true, false, false, 0, 1, EM_X86_64},
		{"extended-numbering", MAGIC_120, true, true, false, true, 0, 1, EM_X86_64},
	};
	struct img *m = malloc(sizeof(*m));
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct opts o = go122;
		FILE *f;

		o.magic = seeds[i].magic;
		o.symtab = seeds[i].symtab;
		o.text_in_header = seeds[i].text_in_header;
		o.text_reloc = seeds[i].reloc;
		o.section_headers = seeds[i].shdrs;
		o.buildinfo_sec = seeds[i].shdrs;
		o.moduledata = seeds[i].moduledata;
		o.buildinfo = seeds[i].buildinfo;
		o.machine = seeds[i].machine;
		o.type = seeds[i].reloc ? ET_DYN : ET_EXEC;
		build(m, &o);
		if (strstr(seeds[i].name, "extended"))
			extend_numbering(m);
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(m->b, 1, m->len, f) != m->len || fclose(f)) {
			fprintf(stderr, "cannot write %s\n", path);
			return 1;
		}
	}
	free(m);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go122),
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_text_start),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_buildinfo),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_extended_numbering),
		cmocka_unit_test(test_bad_pclntab),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flips),
		cmocka_unit_test(test_hostile_work),
		cmocka_unit_test(test_open_file),
	};

	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
