// SPDX-License-Identifier: BSD-2-Clause
/*
 * The unwinder's view of pclntab (runtime/symtab.go of each release):
 * _func = entry, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata,
 * cuOffset, [startLine go1.20+], funcID u8, flag u8, pad u8, nfuncdata u8,
 * then npcdata u32 pctab offsets and nfuncdata u32 offsets from
 * moduledata.gofunc (^0: none). PCDATA_InlTreeIndex is 2 and
 * FUNCDATA_InlTree 3 in every release (1.19.13 symtab.go:303,309; 1.26.8
 * internal/abi/symtab.go:110,117).
 */
#include <errno.h>
#include <string.h>

#include "gofunc.h"
#include "goelf_int.h"

#define FIELD_ARGS	  2
#define FIELD_DEFERRETURN 3
#define FIELD_PCSP	  4
#define FIELD_NPCDATA	  7
#define FUNCDATA_INLTREE  3

static void fill(const struct goelf_pcln *p, const uint8_t *rec, struct go_func *f)
{
	uint32_t id = goelf_int__funcid_off(p);

	f->rec = rec;
	f->entry = goelf_int__func_entry(p, rec);
	f->name = goelf_int__func_name(p, rec);
	f->funcid = rec[id];
	f->flag = rec[id + 1];
	f->deferreturn = goelf_int__func_field(p, rec, FIELD_DEFERRETURN);
	f->args = (int32_t)goelf_int__func_field(p, rec, FIELD_ARGS);
}

int gofunc__find(const struct goelf *ge, uint64_t pc, struct go_func *f)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = p ? goelf_int__func_at(p, pc) : NULL;

	if (!rec)
		return -ENOENT;
	fill(p, rec, f);
	return pc >= f->entry ? 0 : -ENOENT;
}

int gofunc__nth(const struct goelf *ge, size_t i, struct go_func *f)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = p ? goelf_int__func_rec(p, i) : NULL;

	if (!rec)
		return -ENOENT;
	fill(p, rec, f);
	return 0;
}

int gofunc__spdelta(const struct goelf *ge, const struct go_func *f, uint64_t pc, int32_t *delta)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	uint32_t off;

	if (!p)
		return -ENOENT;
	off = goelf_int__func_field(p, f->rec, FIELD_PCSP);
	return off && goelf_int__pcvalue(p, off, f->entry, pc, delta) ? 0 : -ENOENT;
}

/* Offset from the pclntab header of the u32 after nfuncdata, or 0 when out of bounds. */
static uint64_t tail_off(const struct goelf_pcln *p, const uint8_t *rec, uint64_t words)
{
	uint64_t base = (uint64_t)(rec - p->tab) + goelf_int__funcid_off(p) + 4;

	if (words > p->len / 4 || !goelf_in(p->len, base, words * 4))
		return 0;
	return base;
}

int32_t gofunc__pcdata(const struct goelf *ge, const struct go_func *f, uint32_t table, uint64_t pc)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = f->rec;
	uint64_t base;
	uint32_t npcdata, off;
	int32_t v;

	if (!p)
		return -1;
	npcdata = goelf_int__func_field(p, rec, FIELD_NPCDATA);
	if (table >= npcdata || !(base = tail_off(p, rec, (uint64_t)table + 1)))
		return -1;
	off = goelf_rd32(p->tab + base + table * 4);
	if (!off || !goelf_int__pcvalue(p, off, f->entry, pc, &v))
		return -1;
	return v;
}

int gofunc__fileline(const struct goelf *ge, const struct go_func *f, uint64_t pc,
		     const char **file, int *line)
{
	struct go_pcinfo info;
	int err = goelf__pc_lookup(ge, pc, &info);

	if (err)
		return err;
	if (info.entry != f->entry)
		return -ENOENT;
	*file = info.file;
	*line = info.line;
	return 0;
}

int gofunc__inl(const struct goelf *ge, const struct go_func *f, int32_t ix, struct go_inl *out)
{
	const struct goelf_pcln *p = goelf_int__pcln(ge);
	const uint8_t *rec = f->rec;
	/* runtime.inlinedCall: 20 bytes up to go1.19 (symtab.go:1175), 16 from go1.20 (:1208). */
	uint32_t size = p && p->ver >= 120 ? 16 : 20;
	uint8_t e[20];
	uint64_t base, at;
	uint32_t npcdata, off;
	uint8_t nfuncdata;

	if (!p || p->ver < 118 || !p->gofunc || ix < 0)
		return -ENOENT;
	nfuncdata = rec[goelf_int__funcid_off(p) + 3];
	npcdata = goelf_int__func_field(p, rec, FIELD_NPCDATA);
	if (nfuncdata <= FUNCDATA_INLTREE ||
	    !(base = tail_off(p, rec, (uint64_t)npcdata + FUNCDATA_INLTREE + 1)))
		return -ENOENT;
	off = goelf_rd32(p->tab + base + (npcdata + FUNCDATA_INLTREE) * 4);
	if (off == UINT32_MAX)
		return -ENOENT;
	at = p->gofunc + off + (uint64_t)ix * size;
	if (at < p->gofunc || goelf__read(ge, at, e, size))
		return -ERANGE;
	if (size == 20) {
		/* parent i16, funcID u8, pad, file i32, line i32, func_ i32, parentPc i32 */
		out->funcid = e[2];
		out->name = goelf_int__funcname_at(p, (int32_t)goelf_rd32(e + 12));
		out->parent_pc = goelf_rd32(e + 16);
	} else {
		/* funcID u8, pad [3], nameOff i32, parentPc i32, startLine i32 */
		out->funcid = e[0];
		out->name = goelf_int__funcname_at(p, (int32_t)goelf_rd32(e + 4));
		out->parent_pc = goelf_rd32(e + 8);
	}
	return 0;
}
