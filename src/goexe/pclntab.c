// SPDX-License-Identifier: BSD-2-Clause
/*
 * Go's pclntab: function names, entries and PC -> file:line.
 *
 * Header (runtime.pcHeader, src/runtime/symtab.go of go1.19, 1.20, 1.26):
 *   magic u32, pad u8 x2, minLC (PC quantum) u8, ptrSize u8, then
 *   pointer-sized words: nfunc, nfiles, textStart (1.18+ only; 1.26 writes
 *   0 there), funcnameOffset, cuOffset, filetabOffset, pctabOffset,
 *   pclnOffset. Offsets are from the header.
 * Magic 0xfffffff0 is go1.18-1.19, 0xfffffff1 go1.20+ (_func gained
 * startLine after cuOffset), 0xfffffffa go1.16-1.17 (no textStart word;
 * functab and _func.entry hold addresses).
 *
 * The functab at pclnOffset has nfunc pairs (entry, funcoff) and one more
 * entry (the end of the last function): u32 offsets from textStart in
 * 1.18+, pointer-sized addresses in 1.16. funcoff is from pclnOffset and
 * leads to a _func: entry (u32 off; uintptr in 1.16), nameOff, args,
 * deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset (u32/i32 each), then
 * startLine (i32, 1.20+ only), funcID (u8), flag (u8), ...
 * Layout checked against src/debug/gosym/pclntab.go (go1.26) and
 * runtime._func in src/runtime/runtime2.go (go1.19, 1.20, 1.26).
 *
 * A pc-value table (pctab + offset) is a sequence of (value delta, pc
 * delta) uvarint pairs: value deltas zig-zag coded, the first starting
 * from -1, pc deltas scaled by the quantum; a zero value delta after the
 * first pair ends it. pcfile values index the function's CU in cutab, whose
 * u32 is an offset in filetab (~0: none).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goelf_int.h"
#include "gotables.h"
#include "gowrap.h"
#include "traceback.h"

#define MAGIC_116 0xfffffffau
#define MAGIC_118 0xfffffff0u
#define MAGIC_120 0xfffffff1u

/* _func fields we read, numbered as in src/debug/gosym/pclntab.go. */
#define FIELD_NAMEOFF  1
#define FIELD_PCFILE   5
#define FIELD_PCLN     6
#define FIELD_NPCDATA  7
#define FIELD_CUOFFSET 8
/* abi.FUNCDATA_WrapInfo: 7 in every release from go1.18 to go1.26 (runtime/funcdata.h). */
#define FUNCDATA_WRAPINFO 7

/* runtime.moduledata (go1.18-1.26, 64-bit): pcHeader, funcnametab.ptr, minpc, text. */
#define MD_FUNCNAMETAB 8
#define MD_MINPC       160
#define MD_TEXT	       176
/* moduledata.gofunc: go1.20 added covctrs/ecovctrs before it (runtime/symtab.go). */
#define MD_GOFUNC_118 304
#define MD_GOFUNC_120 320

#define SCAN_CHECK 16
/* Real binaries have one word pointing at the pclntab header: moduledata.pcHeader. */
#define MD_MAX_TRIES 16

/* abi.FuncFlagAsm (1 << 2); objabi.FuncFlag_ASM, the same bit, in go1.19-1.20. */
#define FUNC_FLAG_ASM 0x4

static uint32_t ftab_field_size(const struct goelf_pcln *p)
{
	return p->ver >= 118 ? 4 : 8;
}

static uint64_t ftab_word(const struct goelf_pcln *p, uint64_t k)
{
	const uint8_t *f = p->tab + p->pcln_off;

	return p->ver >= 118 ? goelf_rd32(f + k * 4) : goelf_rd64(f + k * 8);
}

/* Entry of function I; I == nfunc gives the end of the last one. */
static uint64_t ftab_entry(const struct goelf_pcln *p, uint64_t i)
{
	uint64_t w = ftab_word(p, 2 * i);

	return p->ver >= 118 ? p->text_start + w : w;
}

/* Offset of _func.funcID; flag follows it. */
static uint32_t funcid_off(const struct goelf_pcln *p)
{
	return ftab_field_size(p) + FIELD_CUOFFSET * 4 + (p->ver >= 120 ? 4 : 0);
}

/* The _func of function I, or NULL when out of bounds or not at its functab entry. */
static const uint8_t *func_rec(const struct goelf_pcln *p, uint64_t i)
{
	uint64_t funcoff = ftab_word(p, 2 * i + 1);
	uint64_t need = funcid_off(p) + 2;
	const uint8_t *rec;

	if (funcoff > p->len - p->pcln_off || !goelf_in(p->len, p->pcln_off + funcoff, need))
		return NULL;
	rec = p->tab + p->pcln_off + funcoff;
	if ((p->ver >= 118 ? goelf_rd32(rec) : goelf_rd64(rec)) != ftab_word(p, 2 * i))
		return NULL;
	return rec;
}

static uint32_t func_field(const struct goelf_pcln *p, const uint8_t *rec, int n)
{
	return goelf_rd32(rec + ftab_field_size(p) + (n - 1) * 4);
}

static uint64_t func_entry(const struct goelf_pcln *p, const uint8_t *rec)
{
	return p->ver >= 118 ? p->text_start + goelf_rd32(rec) : goelf_rd64(rec);
}

/* NUL-terminated string at TABLE + OFF, or NULL. */
static const char *pcln_str(const struct goelf_pcln *p, uint64_t table, uint64_t off)
{
	if (!p->has_nul || off > p->len || table > p->last_nul || off > p->last_nul - table)
		return NULL;
	return (const char *)p->tab + table + off;
}

static const char *func_name(const struct goelf_pcln *p, const uint8_t *rec)
{
	int32_t off = (int32_t)func_field(p, rec, FIELD_NAMEOFF);

	return off < 0 ? NULL : pcln_str(p, p->funcname_off, (uint64_t)off);
}

/* Parse the header at TAB (LEN bytes to the end of its section, link address VADDR). */
static int pcln_parse(const uint8_t *tab, size_t len, uint64_t vaddr, struct goelf_pcln *p)
{
	uint64_t w[8];
	unsigned int nw, i;

	memset(p, 0, sizeof(*p));
	if (len < 8)
		return -EINVAL;
	p->magic = goelf_rd32(tab);
	switch (p->magic) {
	case MAGIC_116:
		p->ver = 116;
		nw = 7;
		break;
	case MAGIC_118:
		p->ver = 118;
		nw = 8;
		break;
	case MAGIC_120:
		p->ver = 120;
		nw = 8;
		break;
	default:
		return -EINVAL;
	}
	p->quantum = tab[6];
	p->ptrsize = tab[7];
	if (tab[4] || tab[5] || p->ptrsize != 8 ||
	    (p->quantum != 1 && p->quantum != 2 && p->quantum != 4))
		return -EINVAL;
	if (len < 8 + nw * 8)
		return -EINVAL;
	for (i = 0; i < nw; i++)
		w[i] = goelf_rd64(tab + 8 + i * 8);
	p->nfunc = w[0];
	p->nfiles = w[1];
	i = 2;
	if (p->ver >= 118)
		p->text_start = w[i++];
	p->funcname_off = w[i++];
	p->cu_off = w[i++];
	p->filetab_off = w[i++];
	p->pctab_off = w[i++];
	p->pcln_off = w[i++];
	if (p->funcname_off > len || p->cu_off > len || p->filetab_off > len ||
	    p->pctab_off > len || p->pcln_off > len)
		return -EINVAL;
	/* nfunc pairs and the end entry must fit: this also bounds every index below. */
	if (p->nfunc > (len - p->pcln_off) / (2 * ftab_field_size(p)) ||
	    (2 * p->nfunc + 1) * ftab_field_size(p) > len - p->pcln_off)
		return -EINVAL;
	p->tab = tab;
	p->len = len;
	p->vaddr = vaddr;
	return 0;
}

/* Index of the last NUL of BUF[0, len), or -1. */
static long last_nul(const uint8_t *buf, size_t len)
{
	while (len)
		if (!buf[--len])
			return (long)len;
	return -1;
}

/* Strings of P end at or before NUL (-1: no NUL at all). */
static void set_nul(struct goelf_pcln *p, long nul)
{
	p->has_nul = nul >= 0;
	p->last_nul = nul >= 0 ? (size_t)nul : 0;
}

/* Extra checks for a header found by scanning for its magic. */
static bool plausible(const struct goelf *ge, const struct goelf_pcln *p)
{
	uint64_t i, n = p->nfunc < SCAN_CHECK ? p->nfunc : SCAN_CHECK;
	uint32_t quantum = ge->arch == GOELF_ARCH_ARM64 ? 4 : 1;

	if (p->quantum != quantum || !p->nfunc)
		return false;
	for (i = 0; i < n; i++) {
		const uint8_t *rec = func_rec(p, i);

		if (!rec || !func_name(p, rec))
			return false;
	}
	return true;
}

static bool locate(const struct goelf *ge, struct goelf_pcln *p)
{
	/* PIE builds up to go1.25 put it in the RELRO data: textStart is relocated there. */
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	size_t i, j;
	long nul;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct goelf_sec *s = goelf_int__sec(ge, names[i]);
		const uint8_t *d = s ? goelf_int__sec_data(ge, s) : NULL;

		if (d && !pcln_parse(d, (size_t)s->size, s->addr, p)) {
			set_nul(p, last_nul(d, (size_t)s->size));
			p->found_by = names[i];
			return true;
		}
	}
	/*
	 * An external linker merges .data.rel.ro.gopclntab into .data.rel.ro
	 * (-buildmode=pie -linkmode=external, go1.18-1.25), and sstrip removes
	 * section headers: look for the header in the loaded segments.
	 */
	for (i = 0; i < ge->nseg; i++) {
		const struct goelf_seg *g = &ge->segs[i];
		const uint8_t *d;
		size_t len;

		if (g->type != PT_LOAD || !goelf_in(ge->len, g->off, g->filesz))
			continue;
		d = ge->buf + g->off;
		len = (size_t)g->filesz;
		/* once per segment: one scan per candidate would be quadratic */
		nul = last_nul(d, len);
		for (j = (4 - g->vaddr % 4) % 4; j + 8 <= len && (long)j <= nul; j += 4) {
			uint32_t m = goelf_rd32(d + j);

			if ((m != MAGIC_120 && m != MAGIC_118 && m != MAGIC_116) || d[j + 7] != 8)
				continue;
			if (pcln_parse(d + j, len - j, g->vaddr + j, p))
				continue;
			set_nul(p, nul - (long)j);
			if (plausible(ge, p)) {
				p->found_by = "magic scan";
				return true;
			}
		}
	}
	memset(p, 0, sizeof(*p));
	return false;
}

/* The runtime binary-searches the functab; so do we, so it must be in order. */
static bool sorted(const struct goelf_pcln *p)
{
	uint64_t i;

	for (i = 0; i < p->nfunc; i++)
		if (ftab_word(p, 2 * i) > ftab_word(p, 2 * i + 2))
			return false;
	return true;
}

/* A pointer-sized word at VADDR: the file's value, else its relocation's addend. */
static uint64_t word_at(const struct goelf *ge, uint64_t vaddr)
{
	const uint8_t *d = goelf_int__ptr(ge, vaddr, 8);
	uint64_t v = d ? goelf_rd64(d) : 0;

	if (!v && goelf_int__relative_addend(ge, vaddr, &v))
		v = 0;
	return v;
}

static bool moduledata_at(const struct goelf *ge, const struct goelf_pcln *p, uint64_t md,
			  uint64_t *text, uint64_t *gofunc)
{
	uint64_t t, minpc;

	if (word_at(ge, md + MD_FUNCNAMETAB) != p->vaddr + p->funcname_off)
		return false;
	t = word_at(ge, md + MD_TEXT);
	minpc = word_at(ge, md + MD_MINPC);
	if (!t || (p->nfunc && minpc && minpc != t + ftab_word(p, 0)))
		return false;
	*text = t;
	*gofunc = word_at(ge, md + (p->ver >= 120 ? MD_GOFUNC_120 : MD_GOFUNC_118));
	return true;
}

/*
 * go1.26 stopped storing textStart in the header; the runtime reads
 * moduledata.text. Find runtime.firstmoduledata without symbols: the data
 * word that points at the pclntab header (in the file, or only as the
 * addend of a relative relocation), followed by a funcnametab pointer.
 */
static bool moduledata_find(const struct goelf *ge, const struct goelf_pcln *p, uint64_t *text,
			    uint64_t *gofunc, uint64_t *md)
{
	uint32_t rtype = ge->arch == GOELF_ARCH_ARM64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	/* Checking a candidate may scan the relocations: bound the work on hostile input. */
	unsigned int tries = MD_MAX_TRIES;
	size_t i, j;

	for (i = 0; i < ge->nseg; i++) {
		const struct goelf_seg *g = &ge->segs[i];
		const uint8_t *d;

		if (g->type != PT_LOAD || !(g->flags & PF_W) ||
		    !goelf_in(ge->len, g->off, g->filesz))
			continue;
		d = ge->buf + g->off;
		for (j = (8 - g->vaddr % 8) % 8; j + 8 <= g->filesz && tries; j += 8) {
			if (goelf_rd64(d + j) != p->vaddr)
				continue;
			if (moduledata_at(ge, p, g->vaddr + j, text, gofunc)) {
				*md = g->vaddr + j;
				return true;
			}
			tries--;
		}
	}
	for (i = 0; i < ge->nsec; i++) {
		const struct goelf_sec *s = &ge->secs[i];
		const uint8_t *d;

		if (s->type != SHT_RELA || s->entsize != 24)
			continue;
		d = goelf_int__sec_data(ge, s);
		for (j = 0; d && j < s->size / 24 && tries; j++) {
			const uint8_t *r = d + j * 24;

			if ((uint32_t)goelf_rd64(r + 8) != rtype || goelf_rd64(r + 16) != p->vaddr)
				continue;
			if (moduledata_at(ge, p, goelf_rd64(r), text, gofunc)) {
				*md = goelf_rd64(r);
				return true;
			}
			tries--;
		}
	}
	return false;
}

/* Entries are TEXT + u32 offsets: they must not wrap, or the functab is out of order. */
static bool text_fits(const struct goelf_pcln *p, uint64_t text)
{
	return text <= UINT64_MAX - ftab_word(p, 2 * p->nfunc);
}

/*
 * moduledata.gofunc, the base of _func's funcdata offsets: the go:func.*
 * symbol (go.func.* before go1.20), else the word in runtime.firstmoduledata.
 */
static void resolve_gofunc(const struct goelf *ge, struct goelf_pcln *p)
{
	const struct goelf_sym *sym;
	uint64_t text, md;

	if (p->ver < 118 || p->gofunc)
		return;
	if ((sym = goelf_int__sym(ge, "go:func.*", false)) ||
	    (sym = goelf_int__sym(ge, "go.func.*", false)))
		p->gofunc = sym->value;
	else if (!moduledata_find(ge, p, &text, &p->gofunc, &md) || text != p->text_start)
		p->gofunc = 0;
}

static bool resolve_text(const struct goelf *ge, struct goelf_pcln *p)
{
	const struct goelf_sym *sym;
	const struct goelf_sec *sec;
	uint64_t v, gofunc = 0, md;

	if (p->ver < 118) {
		p->text_by = "absolute";
		return true;
	}
	if (p->text_start) {
		p->text_by = "pclntab header";
		return text_fits(p, p->text_start);
	}
	if (!goelf_int__relative_addend(ge, p->vaddr + 24, &v) && v) {
		p->text_by = "relocation";
	} else if ((sym = goelf_int__sym(ge, "runtime.text", false)) && sym->value) {
		v = sym->value;
		p->text_by = "runtime.text symbol";
	} else if (moduledata_find(ge, p, &v, &gofunc, &md)) {
		p->text_by = "moduledata";
		p->gofunc = gofunc;
	} else if ((sec = goelf_int__sec(ge, ".text")) && sec->addr) {
		v = sec->addr;
		p->text_by = ".text section";
	} else {
		return false;
	}
	p->text_start = v;
	return text_fits(p, v);
}

const struct goelf_pcln *goelf_int__pcln(const struct goelf *ge)
{
	struct goelf *m = (struct goelf *)ge; /* lazy state: see struct goelf */

	pthread_mutex_lock(&m->lock);
	if (m->pcln_state == LAZY_TODO) {
		m->pcln_state = LAZY_FAILED;
		if (locate(ge, &m->pcln) && sorted(&m->pcln) && resolve_text(ge, &m->pcln)) {
			resolve_gofunc(ge, &m->pcln);
			m->pcln_state = LAZY_OK;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return ge->pcln_state == LAZY_OK ? &ge->pcln : NULL;
}

static bool uvarint32(const struct goelf_pcln *p, size_t *pos, uint32_t *v)
{
	uint32_t r = 0;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		if (*pos >= p->len)
			return false;
		r |= (uint32_t)(p->tab[*pos] & 0x7f) << (7 * i);
		if (!(p->tab[(*pos)++] & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Value of the pc-value table at OFF for TARGET in the function at ENTRY. */
static bool pcvalue(const struct goelf_pcln *p, uint32_t off, uint64_t entry, uint64_t target,
		    int32_t *out)
{
	uint32_t val = (uint32_t)-1, uv, pcd;
	uint64_t pc = entry;
	bool first = true;
	size_t pos;

	if (!off || off >= p->len - p->pctab_off)
		return false;
	pos = (size_t)(p->pctab_off + off);
	/* Each step consumes at least two bytes, so the walk ends with the table. */
	for (;;) {
		if (!uvarint32(p, &pos, &uv) || (!uv && !first))
			return false;
		val += (uv & 1) ? ~(uv >> 1) : uv >> 1;
		if (!uvarint32(p, &pos, &pcd))
			return false;
		pc += (uint64_t)pcd * p->quantum;
		if (target < pc) {
			*out = (int32_t)val;
			return true;
		}
		first = false;
	}
}

static const char *file_of(const struct goelf_pcln *p, const uint8_t *rec, uint64_t entry,
			   uint64_t pc)
{
	uint64_t idx, off;
	int32_t fno;

	if (!pcvalue(p, func_field(p, rec, FIELD_PCFILE), entry, pc, &fno) || fno < 0)
		return NULL;
	idx = (uint64_t)func_field(p, rec, FIELD_CUOFFSET) + (uint64_t)fno;
	off = p->cu_off + idx * 4;
	if (!goelf_in(p->len, off, 4))
		return NULL;
	off = goelf_rd32(p->tab + off);
	if (off == UINT32_MAX)
		return NULL;
	return pcln_str(p, p->filetab_off, off);
}

static int fill(const struct goelf_pcln *p, const uint8_t *rec, uint64_t pc, struct go_pcinfo *out)
{
	const char *name = func_name(p, rec);
	uint64_t entry = func_entry(p, rec);
	int32_t line;

	if (!name || pc < entry)
		return -ENOENT;
	out->func = name;
	out->entry = entry;
	out->file = file_of(p, rec, entry, pc);
	if (!pcvalue(p, func_field(p, rec, FIELD_PCLN), entry, pc, &line) || line < 0)
		line = 0;
	out->line = line;
	return 0;
}

/* The _func of the function holding PC, or NULL. */
static const uint8_t *func_at(const struct goelf_pcln *p, uint64_t pc)
{
	uint64_t lo, hi;

	if (!p || !p->nfunc || pc < ftab_entry(p, 0) || pc >= ftab_entry(p, p->nfunc))
		return NULL;
	/* Last function whose entry is <= pc. */
	lo = 0;
	hi = p->nfunc;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ftab_entry(p, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return func_rec(p, lo);
}

int goelf__pc_lookup(const struct goelf *ge, uint64_t pc, struct go_pcinfo *out)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = func_at(p, pc);

	return rec ? fill(p, rec, pc, out) : -ENOENT;
}

/* Entry of the function a go-statement wrapper calls, from its FUNCDATA_WrapInfo; 0: none. */
static uint64_t wrapped_entry(const struct goelf *ge, const struct goelf_pcln *p,
			      const uint8_t *rec)
{
	uint64_t base = funcid_off(p), npcdata, where;
	uint32_t off, textoff;
	uint8_t nfuncdata;

	if (p->ver < 118 || !p->gofunc || !goelf_in(p->len, rec - p->tab, base + 4))
		return 0;
	nfuncdata = rec[base + 3];
	npcdata = func_field(p, rec, FIELD_NPCDATA);
	if (nfuncdata <= FUNCDATA_WRAPINFO)
		return 0;
	where = base + 4 + npcdata * 4 + FUNCDATA_WRAPINFO * 4;
	if (npcdata > p->len || !goelf_in(p->len, rec - p->tab, where + 4))
		return 0;
	off = goelf_rd32(rec + where);
	if (off == UINT32_MAX || goelf__read(ge, p->gofunc + off, &textoff, sizeof(textoff)))
		return 0;
	return p->text_start + goelf_rd32((const uint8_t *)&textoff);
}

/* NAME as the Go release's traceback prints it, kept by GE; NAME itself when the same. */
static const char *print_name(const struct goelf *ge, const char *name)
{
	struct goelf *m = (struct goelf *)ge; /* the lazy part, under its lock */
	const char *v = goelf__go_version(ge), *print = name;
	struct goelf_pname *pn;
	struct tb_rules r;
	int major, minor;
	char buf[1024];
	size_t i;

	if (!name || !strchr(name, '[') || !v || go_version_parse(v, &major, &minor) ||
	    tb__rules(major, minor, &r) || tb__func_name(&r, name, false, buf, sizeof(buf)) != buf)
		return name;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->npnames && m->pnames[i].name != name; i++)
		;
	if (i < m->npnames) {
		print = m->pnames[i].print;
	} else if ((pn = realloc(m->pnames, (m->npnames + 1) * sizeof(*pn)))) {
		m->pnames = pn;
		pn[m->npnames].name = name;
		pn[m->npnames].print = strdup(buf);
		if (pn[m->npnames].print)
			print = pn[m->npnames++].print;
	}
	pthread_mutex_unlock(&m->lock);
	return print;
}

/*
 * Goroutine 1 starts in runtime.main, which Go's tracebacks hide (an
 * unexported runtime function: traceback.go showfuncinfo, go1.19 to
 * go1.26): a dump (debug=2, runtime.Stack) shows main.main at the bottom of
 * its stack, the function runtime.main calls once the packages are
 * initialised, and so does the execution tracer from go1.22 (the root of
 * its stacks, internal/trace/summary.go). Named so, when PC is runtime.main's
 * entry and the binary has a main.main. 0 or -ENOENT.
 */
static int main_goroutine(const struct goelf *ge, const struct goelf_pcln *p, const uint8_t *rec,
			  uint64_t pc, struct go_pcinfo *out)
{
	const char *name = func_name(p, rec);
	const uint8_t *mm;
	uint64_t entry;

	if (!name || strcmp(name, "runtime.main") || pc != func_entry(p, rec) ||
	    goelf__pcln_func_addr(ge, "main.main", &entry))
		return -ENOENT;
	mm = func_at(p, entry);
	return mm && func_entry(p, mm) == entry ? fill(p, mm, entry, out) : -ENOENT;
}

static int start_func(const struct goelf *ge, uint64_t pc, struct go_pcinfo *out)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = func_at(p, pc), *wrapped;
	uint64_t entry;

	if (!rec)
		return -ENOENT;
	if (!main_goroutine(ge, p, rec, pc, out))
		return 0;
	entry = wrapped_entry(ge, p, rec);
	wrapped = entry ? func_at(p, entry) : NULL;
	/* Only a function entry is a credible target; anything else keeps the wrapper. */
	if (wrapped && func_entry(p, wrapped) == entry)
		return fill(p, wrapped, entry, out);
	/* No WrapInfo: the wrapper's code says what it calls, unless the call is indirect. */
	if (pc == func_entry(p, rec) && !gowrap__resolve(ge, pc, gowrap__wrapper_id(ge), out))
		return 0;
	return fill(p, rec, pc, out);
}

int goelf__start_func(const struct goelf *ge, uint64_t pc, struct go_pcinfo *out)
{
	int err = start_func(ge, pc, out);

	if (!err)
		out->func = print_name(ge, out->func);
	return err;
}

int goelf__pcln_info(const struct goelf *ge, struct goelf_pcln_info *info)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);

	if (!p)
		return -ENOENT;
	info->magic = p->magic;
	info->vaddr = p->vaddr;
	info->text_start = p->ver >= 118 ? p->text_start : 0;
	info->nfunc = p->nfunc;
	info->quantum = p->quantum;
	info->found_by = p->found_by;
	info->text_by = p->text_by;
	return 0;
}

const uint8_t *goelf_int__func_rec(const struct goelf_pcln *p, uint64_t i)
{
	return i < p->nfunc ? func_rec(p, i) : NULL;
}

size_t goelf__pcln_nfunc(const struct goelf *ge)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);

	return p ? (size_t)p->nfunc : 0;
}

int goelf__pcln_func(const struct goelf *ge, size_t i, struct go_pcinfo *out)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec;

	if (!p || i >= p->nfunc || !(rec = func_rec(p, i)))
		return -ENOENT;
	return fill(p, rec, func_entry(p, rec), out);
}

/*
 * Functions sharing a name are ABI pairs: a Go function and its ABI0
 * wrapper (for assembly callers), or an assembly function and its
 * ABIInternal wrapper (for Go callers); wrappers have a non-zero funcID
 * (wrapper), assembly has FUNC_FLAG_ASM. .symtab gives the plain name to the
 * ABIInternal one of each pair (the other is NAME.abi0), so rank: not
 * assembly first, then funcID normal, then address order.
 */
static unsigned int abi_rank(const struct goelf_pcln *p, const uint8_t *rec)
{
	const uint8_t *id = rec + funcid_off(p);

	return (id[1] & FUNC_FLAG_ASM ? 2 : 0) + (id[0] ? 1 : 0);
}

static int fname_cmp(const void *a, const void *b)
{
	const struct goelf_fname *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Called under lock. */
static void build_fname_index(struct goelf *ge, const struct goelf_pcln *p)
{
	uint64_t i;
	size_t n = 0;

	ge->fname_state = LAZY_FAILED;
	ge->fnames = malloc((p->nfunc ? p->nfunc : 1) * sizeof(*ge->fnames));
	if (!ge->fnames)
		return;
	for (i = 0; i < p->nfunc; i++) {
		const uint8_t *rec = func_rec(p, i);
		const char *name = rec ? func_name(p, rec) : NULL;

		if (!name)
			continue;
		ge->fnames[n].name = name;
		ge->fnames[n].idx = (uint32_t)i;
		ge->fnames[n].rank = abi_rank(p, rec);
		n++;
	}
	qsort(ge->fnames, n, sizeof(*ge->fnames), fname_cmp);
	ge->nfnames = n;
	ge->fname_state = LAZY_OK;
}

/* Function number of NAME (the best ranked of that name), or -ENOENT. */
static long find_name(const struct goelf *ge, const struct goelf_pcln **pp, const char *name)
{
	struct goelf *m = (struct goelf *)ge;
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	size_t lo = 0, hi;

	if (!p)
		return -ENOENT;
	pthread_mutex_lock(&m->lock);
	if (m->fname_state == LAZY_TODO)
		build_fname_index(m, p);
	pthread_mutex_unlock(&m->lock);
	if (ge->fname_state != LAZY_OK)
		return -ENOENT;
	hi = ge->nfnames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ge->fnames[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ge->nfnames || strcmp(ge->fnames[lo].name, name))
		return -ENOENT;
	*pp = p;
	return ge->fnames[lo].idx;
}

int goelf__pcln_func_addr(const struct goelf *ge, const char *name, uint64_t *vaddr)
{
	const struct goelf_pcln *p;
	long i = find_name(ge, &p, name);

	if (i < 0)
		return -ENOENT;
	/* The index only holds functions whose record was readable. */
	*vaddr = func_entry(p, func_rec(p, (uint64_t)i));
	return 0;
}

int goelf_int__pcln_func_range(const struct goelf *ge, const char *name, uint64_t *start,
			       uint64_t *end)
{
	const struct goelf_pcln *p;
	long i = find_name(ge, &p, name);

	if (i < 0)
		return -ENOENT;
	*start = func_entry(p, func_rec(p, (uint64_t)i));
	*end = ftab_entry(p, (uint64_t)i + 1);
	if (*end < *start)
		*end = *start;
	return 0;
}

void goelf_int__pcln_free(struct goelf *ge)
{
	free(ge->fnames);
	ge->fnames = NULL;
}

/* moduledata.types and .etypes: after covctrs/ecovctrs from go1.20 (runtime/symtab.go). */
#define MD_TYPES_118 280
#define MD_TYPES_120 296

int goelf__types(const struct goelf *ge, uint64_t *types, uint64_t *etypes)
{
	const struct goelf_sym *a = goelf_int__sym(ge, "runtime.types", false);
	const struct goelf_sym *b = goelf_int__sym(ge, "runtime.etypes", false);
	const struct goelf_pcln *p;
	uint64_t text, gofunc, md, off;

	if (a && b && a->value && b->value > a->value) {
		*types = a->value;
		*etypes = b->value;
		return 0;
	}
	p = goelf_int__pcln(ge);
	if (!p || p->ver < 118 || !moduledata_find(ge, p, &text, &gofunc, &md))
		return -ENOENT;
	off = p->ver >= 120 ? MD_TYPES_120 : MD_TYPES_118;
	*types = word_at(ge, md + off);
	*etypes = word_at(ge, md + off + 8);
	return *types && *etypes > *types ? 0 : -ENOENT;
}

/* ---- for gofunc.c: the _func records behind PCs (stack unwinding, inline trees) -------- */

const uint8_t *goelf_int__func_at(const struct goelf_pcln *p, uint64_t pc)
{
	return func_at(p, pc);
}

uint64_t goelf_int__func_entry(const struct goelf_pcln *p, const uint8_t *rec)
{
	return func_entry(p, rec);
}

const char *goelf_int__func_name(const struct goelf_pcln *p, const uint8_t *rec)
{
	return func_name(p, rec);
}

const char *goelf_int__funcname_at(const struct goelf_pcln *p, int32_t nameoff)
{
	return nameoff < 0 ? NULL : pcln_str(p, p->funcname_off, (uint64_t)nameoff);
}

uint32_t goelf_int__func_field(const struct goelf_pcln *p, const uint8_t *rec, int n)
{
	return func_field(p, rec, n);
}

uint32_t goelf_int__funcid_off(const struct goelf_pcln *p)
{
	return funcid_off(p);
}

bool goelf_int__pcvalue(const struct goelf_pcln *p, uint32_t off, uint64_t entry, uint64_t target,
			int32_t *out)
{
	return pcvalue(p, off, entry, target, out);
}

const char *goelf_int__func_file(const struct goelf_pcln *p, const uint8_t *rec, uint64_t pc)
{
	return file_of(p, rec, func_entry(p, rec), pc);
}
