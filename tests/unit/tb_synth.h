/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A synthetic Go binary for the unwinder (tests/unit/test_traceback.c,
 * tests/fuzz/fuzz_traceback.c): an x86-64 ELF whose .gopclntab (go1.20+
 * layout, src/goexe/pclntab.c) holds the functions of tb_synth_funcs, each
 * with one SP delta, one line and one file over its whole body, and the
 * funcID and flag given. No inline trees, no .go.buildinfo.
 */
#ifndef XGOTOP_TB_SYNTH_H
#define XGOTOP_TB_SYNTH_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TBS_BASE      0x400000ull
#define TBS_TEXT_OFF  0x100u
#define TBS_TEXT      (TBS_BASE + TBS_TEXT_OFF)
#define TBS_TEXT_SIZE 0xc0u
#define TBS_PCLN_OFF  0x200u
#define TBS_IMG	      4096
#define TBS_FILE      "/src/main.go"
#define TBS_WRAPPER   23 /* abi.FuncIDWrapper of go1.25-1.26 */
#define TBS_GOEXIT    8

struct tb_synth_func {
	const char *name;
	uint32_t entry, size;
	int32_t spdelta, line;
	uint8_t funcid, flag;
	uint32_t args;
};

enum { TBS_GOPARK, TBS_WAIT, TBS_REC, TBS_WRAP, TBS_WORKER, TBS_GOEXIT_I, TBS_SPW, TBS_NFUNC };

static const struct tb_synth_func tb_synth_funcs[TBS_NFUNC] = {
	{"runtime.gopark", 0x00, 0x20, 0x18, 100, 0, 0, 8},
	{"main.wait", 0x20, 0x20, 0x28, 10, 0, 0, 8},
	{"main.rec", 0x40, 0x20, 0x10, 30, 0, 0, 8},
	{"main.wrap", 0x60, 0x20, 0x10, 40, TBS_WRAPPER, 0, 8},
	{"main.worker", 0x80, 0x20, 0x10, 20, 0, 0, 0},
	{"runtime.goexit", 0xa0, 0x10, 0x00, 50, TBS_GOEXIT, 0x1 /* TOPFRAME */, 0},
	{"main.spw", 0xb0, 0x10, 0x08, 60, 0, 0x2 /* SPWRITE */, 8},
};

static void tbs_put(uint8_t *b, size_t off, const void *p, size_t n)
{
	size_t i;

	/* byte by byte: gcc's -Warray-bounds misjudges memcpy into the calloc'd image */
	for (i = 0; i < n && off + i < TBS_IMG; i++)
		b[off + i] = ((const uint8_t *)p)[i];
}

static void tbs_put32(uint8_t *b, size_t off, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	tbs_put(b, off, x, 4);
}

static void tbs_put64(uint8_t *b, size_t off, uint64_t v)
{
	tbs_put32(b, off, (uint32_t)v);
	tbs_put32(b, off + 4, (uint32_t)(v >> 32));
}

/* A pc-value table of one value V over LEN bytes of code (zig-zag from -1). */
static size_t tbs_pctab(uint8_t *p, int32_t v, uint32_t len)
{
	int64_t d = (int64_t)v + 1;
	uint64_t z = d < 0 ? ((uint64_t)(-d) << 1) - 1 : (uint64_t)d << 1;
	size_t n = 0;

	while (z >= 0x80) {
		p[n++] = (uint8_t)(z | 0x80);
		z >>= 7;
	}
	p[n++] = (uint8_t)z;
	while (len >= 0x80) {
		p[n++] = (uint8_t)(len | 0x80);
		len >>= 7;
	}
	p[n++] = (uint8_t)len;
	p[n++] = 0;
	return n;
}

/* The image (TBS_IMG bytes, malloc'd) and its length in *LEN. */
static uint8_t *tb_synth_build(size_t *len)
{
	uint8_t *b = calloc(1, TBS_IMG);
	size_t h = TBS_PCLN_OFF, pos, names, files, cu, pctab, pcln, shstr, shoff, rec_size = 48;
	uint32_t nameoff[TBS_NFUNC], sp[TBS_NFUNC], ln[TBS_NFUNC], fl[TBS_NFUNC];
	static const char shnames[] = "\0.text\0.gopclntab\0.shstrtab";
	uint8_t tab[32];
	int i;

	if (!b)
		return NULL;
	memset(b + TBS_TEXT_OFF, 0xcc, TBS_TEXT_SIZE);
	tbs_put32(b, h, 0xfffffff1u);
	b[h + 6] = 1; /* quantum */
	b[h + 7] = 8;
	pos = h + 8 + 8 * 8;
	names = pos;
	for (i = 0; i < TBS_NFUNC; i++) {
		nameoff[i] = (uint32_t)(pos - names);
		tbs_put(b, pos, tb_synth_funcs[i].name, strlen(tb_synth_funcs[i].name) + 1);
		pos += strlen(tb_synth_funcs[i].name) + 1;
	}
	files = pos;
	tbs_put(b, pos, TBS_FILE, sizeof(TBS_FILE));
	pos = (pos + sizeof(TBS_FILE) + 3) & ~(size_t)3;
	cu = pos;
	tbs_put32(b, pos, 0);
	pos += 4;
	pctab = pos;
	b[pos++] = 0;
	for (i = 0; i < TBS_NFUNC; i++) {
		size_t n = tbs_pctab(tab, tb_synth_funcs[i].spdelta, tb_synth_funcs[i].size);

		sp[i] = (uint32_t)(pos - pctab);
		tbs_put(b, pos, tab, n);
		pos += n;
		n = tbs_pctab(tab, tb_synth_funcs[i].line, tb_synth_funcs[i].size);
		ln[i] = (uint32_t)(pos - pctab);
		tbs_put(b, pos, tab, n);
		pos += n;
		n = tbs_pctab(tab, 0, tb_synth_funcs[i].size);
		fl[i] = (uint32_t)(pos - pctab);
		tbs_put(b, pos, tab, n);
		pos += n;
	}
	pos = (pos + 7) & ~(size_t)7;
	pcln = pos;
	for (i = 0; i < TBS_NFUNC; i++) {
		size_t ft = pcln + (size_t)(2 * i) * 4;
		size_t rec = pcln + (size_t)(2 * TBS_NFUNC + 2) * 4 + (size_t)i * rec_size;

		tbs_put32(b, ft, tb_synth_funcs[i].entry);
		tbs_put32(b, ft + 4, (uint32_t)(rec - pcln));
		tbs_put32(b, rec, tb_synth_funcs[i].entry);
		tbs_put32(b, rec + 4, nameoff[i]);
		tbs_put32(b, rec + 8, tb_synth_funcs[i].args);
		tbs_put32(b, rec + 16, sp[i]);
		tbs_put32(b, rec + 20, fl[i]);
		tbs_put32(b, rec + 24, ln[i]);
		tbs_put32(b, rec + 28, 0); /* npcdata */
		tbs_put32(b, rec + 32, 0); /* cuOffset */
		tbs_put32(b, rec + 36, (uint32_t)tb_synth_funcs[i].line);
		b[rec + 40] = tb_synth_funcs[i].funcid;
		b[rec + 41] = tb_synth_funcs[i].flag;
		b[rec + 43] = 0; /* nfuncdata */
	}
	tbs_put32(b, pcln + (size_t)(2 * TBS_NFUNC) * 4, TBS_TEXT_SIZE);
	pos = pcln + (size_t)(2 * TBS_NFUNC + 2) * 4 + (size_t)TBS_NFUNC * rec_size;
	tbs_put64(b, h + 8, TBS_NFUNC);
	tbs_put64(b, h + 16, 1);
	tbs_put64(b, h + 24, TBS_TEXT);
	tbs_put64(b, h + 32, names - h);
	tbs_put64(b, h + 40, cu - h);
	tbs_put64(b, h + 48, files - h);
	tbs_put64(b, h + 56, pctab - h);
	tbs_put64(b, h + 64, pcln - h);
	shstr = pos;
	tbs_put(b, shstr, shnames, sizeof(shnames));
	pos += sizeof(shnames);
	shoff = (pos + 7) & ~(size_t)7;
	/* section headers: null, .text, .gopclntab, .shstrtab */
	{
		struct {
			uint32_t name, type;
			uint64_t flags, addr, off, size;
		} s[4] = {
			{0, 0, 0, 0, 0, 0},
			{1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TBS_TEXT, TBS_TEXT_OFF,
			 TBS_TEXT_SIZE},
			{7, SHT_PROGBITS, SHF_ALLOC, TBS_BASE + h, h, shstr - h},
			{18, SHT_STRTAB, 0, 0, shstr, sizeof(shnames)},
		};

		for (i = 0; i < 4; i++) {
			size_t o = shoff + (size_t)i * 64;

			tbs_put32(b, o, s[i].name);
			tbs_put32(b, o + 4, s[i].type);
			tbs_put64(b, o + 8, s[i].flags);
			tbs_put64(b, o + 16, s[i].addr);
			tbs_put64(b, o + 24, s[i].off);
			tbs_put64(b, o + 32, s[i].size);
			tbs_put64(b, o + 48, 1);
		}
		pos = shoff + 4 * 64;
	}
	/* ELF header and one PT_LOAD of the whole file at TBS_BASE */
	tbs_put(b, 0, ELFMAG, SELFMAG);
	b[EI_CLASS] = ELFCLASS64;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	b[16] = ET_EXEC;
	b[18] = EM_X86_64;
	tbs_put32(b, 20, EV_CURRENT);
	tbs_put64(b, 24, TBS_TEXT);
	tbs_put64(b, 32, 64);	 /* phoff */
	tbs_put64(b, 40, shoff); /* shoff */
	b[52] = 64;		 /* ehsize */
	b[54] = 56;		 /* phentsize */
	b[56] = 1;		 /* phnum */
	b[58] = 64;		 /* shentsize */
	b[60] = 4;		 /* shnum */
	b[62] = 3;		 /* shstrndx */
	tbs_put32(b, 64, PT_LOAD);
	tbs_put32(b, 68, PF_R | PF_X);
	tbs_put64(b, 72, 0);
	tbs_put64(b, 80, TBS_BASE);
	tbs_put64(b, 88, TBS_BASE);
	tbs_put64(b, 96, pos);
	tbs_put64(b, 104, pos);
	tbs_put64(b, 112, 0x1000);
	*len = pos;
	return b;
}

/* The run-time PC OFF bytes into function I. */
static inline uint64_t tbs_pc(int i, uint32_t off)
{
	return TBS_TEXT + tb_synth_funcs[i].entry + off;
}

#endif /* XGOTOP_TB_SYNTH_H */
