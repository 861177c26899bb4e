// SPDX-License-Identifier: BSD-2-Clause
/*
 * x86-64: prefixes, REX, VEX/EVEX, the one-byte, 0f, 0f38 and 0f3a maps,
 * ModRM/SIB/displacement and immediates, from the Intel SDM opcode tables.
 * Effects (registers and memory written) are described only for the
 * instructions Go puts at function entries and in their prologues; any
 * other instruction decodes with known == false.
 *
 * arm64: fixed 32-bit words, classified by the top-level encoding groups
 * of the Arm ARM (branches, loads/stores, data processing).
 */
#include "insn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- x86-64 --------------------------------------------------------------------------- */

enum {
	X_MODRM = 1u << 0,
	X_I8 = 1u << 1,	   /* 8-bit immediate */
	X_I16 = 1u << 2,   /* 16-bit immediate */
	X_IZ = 1u << 3,	   /* 16 with 0x66, else 32 */
	X_IV = 1u << 4,	   /* 64 with REX.W, 16 with 0x66, else 32 (mov r, imm) */
	X_MOFFS = 1u << 5, /* 64-bit address, 32 with 0x67 */
	X_REL8 = 1u << 6,
	X_REL32 = 1u << 7,
	X_BAD = 1u << 8,  /* invalid in 64-bit mode */
	X_GRP3 = 1u << 9, /* f6/f7: immediate only for /0 and /1 (test) */
};

/* Operands of the one-byte map, by opcode. */
static unsigned int x86_map1(uint8_t op)
{
	if (op < 0x40) {
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
		case 3:
			return X_MODRM;
		case 4:
			return X_I8;
		case 5:
			return X_IZ;
		default:
			/* push/pop of segments, daa/das/aaa/aas; 0f, 26, 2e, 36, 3e are handled
			 * first */
			return X_BAD;
		}
	}
	if (op >= 0x50 && op <= 0x5f)
		return 0;
	if (op >= 0x70 && op <= 0x7f)
		return X_REL8;
	if (op >= 0x84 && op <= 0x8f)
		return X_MODRM;
	if (op >= 0x90 && op <= 0x9f)
		return op == 0x9a ? X_BAD : 0;
	if (op >= 0xb0 && op <= 0xb7)
		return X_I8;
	if (op >= 0xb8 && op <= 0xbf)
		return X_IV;
	if (op >= 0xd8 && op <= 0xdf)
		return X_MODRM; /* x87 */
	switch (op) {
	case 0x60:
	case 0x61:
	case 0x82:
	case 0xce:
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xea:
		return X_BAD;
	case 0x63:
		return X_MODRM;
	case 0x68:
		return X_IZ;
	case 0x69:
		return X_MODRM | X_IZ;
	case 0x6a:
		return X_I8;
	case 0x6b:
		return X_MODRM | X_I8;
	case 0x80:
	case 0x83:
	case 0xc0:
	case 0xc1:
	case 0xc6:
		return X_MODRM | X_I8;
	case 0x81:
	case 0xc7:
		return X_MODRM | X_IZ;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		return X_MOFFS;
	case 0xa8:
		return X_I8;
	case 0xa9:
		return X_IZ;
	case 0xc2:
	case 0xca:
		return X_I16;
	case 0xc8:
		return X_I16 | X_I8;
	case 0xcd:
		return X_I8;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
	case 0xfe:
	case 0xff:
		return X_MODRM;
	case 0xe0:
	case 0xe1:
	case 0xe2:
	case 0xe3:
	case 0xeb:
		return X_REL8;
	case 0xe4:
	case 0xe5:
	case 0xe6:
	case 0xe7:
		return X_I8;
	case 0xe8:
	case 0xe9:
		return X_REL32;
	case 0xf6:
	case 0xf7:
		return X_MODRM | X_GRP3;
	default:
		/* 6c-6f, a4-a7, aa-af, c3, c9, cb, cc, cf, d7, ec-ef, f1, f4, f5, f8-fd */
		return 0;
	}
}

/* Operands of the 0f map. */
static unsigned int x86_map2(uint8_t op)
{
	if (op >= 0x80 && op <= 0x8f)
		return X_REL32;
	if (op >= 0xc8 && op <= 0xcf)
		return 0; /* bswap */
	if (op >= 0x30 && op <= 0x37)
		return 0; /* wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, getsec */
	switch (op) {
	case 0x05:
	case 0x06:
	case 0x07:
	case 0x08:
	case 0x09:
	case 0x0b:
	case 0x0e:
	case 0x77:
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa8:
	case 0xa9:
	case 0xaa:
		return 0;
	case 0x04:
	case 0x0a:
	case 0x0c:
		return X_BAD;
	case 0x70:
	case 0x71:
	case 0x72:
	case 0x73:
	case 0xa4:
	case 0xac:
	case 0xba:
	case 0xc2:
	case 0xc4:
	case 0xc5:
	case 0xc6:
		return X_MODRM | X_I8;
	default:
		return X_MODRM;
	}
}

/* Operands of the VEX/EVEX-encoded 0f map: always ModRM, except vzeroupper/vzeroall. */
static unsigned int x86_vex_map1(uint8_t op)
{
	if (op == 0x77)
		return 0;
	switch (op) {
	case 0x70:
	case 0x71:
	case 0x72:
	case 0x73:
	case 0xc2:
	case 0xc4:
	case 0xc5:
	case 0xc6:
		return X_MODRM | X_I8;
	default:
		return X_MODRM;
	}
}

struct x86_modrm {
	bool present;
	uint8_t mod, reg, rm; /* reg and rm extended by REX.R/REX.B */
	bool riprel;
	bool base_sp_bp; /* memory operand based on rsp or rbp, no index, no segment */
	int32_t disp;
};

static int x86_modrm(const uint8_t *p, size_t avail, uint8_t rex, bool addr32, size_t *used,
		     struct x86_modrm *m)
{
	uint8_t b, sib = 0;
	size_t n = 1;
	int base = -1, index = -1;

	(void)addr32; /* 32-bit addressing in 64-bit mode has the same ModRM layout */
	if (avail < 1)
		return -ENODATA;
	b = p[0];
	m->present = true;
	m->mod = b >> 6;
	m->reg = ((b >> 3) & 7) | ((rex & 4) ? 8 : 0);
	m->rm = (b & 7) | ((rex & 1) ? 8 : 0);
	m->riprel = false;
	m->base_sp_bp = false;
	m->disp = 0;
	if (m->mod == 3) {
		*used = 1;
		return 0;
	}
	if ((b & 7) == 4) {
		if (avail < 2)
			return -ENODATA;
		sib = p[1];
		n = 2;
		index = ((sib >> 3) & 7) | ((rex & 2) ? 8 : 0);
		if (index == 4)
			index = -1; /* no index */
		base = (sib & 7) | ((rex & 1) ? 8 : 0);
		if ((sib & 7) == 5 && m->mod == 0)
			base = -1; /* disp32, no base */
	} else if ((b & 7) == 5 && m->mod == 0) {
		m->riprel = true;
	} else {
		base = m->rm;
	}
	if (m->mod == 1) {
		if (avail < n + 1)
			return -ENODATA;
		m->disp = (int8_t)p[n];
		n += 1;
	} else if (m->mod == 2 || m->riprel || (sib && (sib & 7) == 5 && m->mod == 0)) {
		if (avail < n + 4)
			return -ENODATA;
		m->disp = (int32_t)((uint32_t)p[n] | (uint32_t)p[n + 1] << 8 |
				    (uint32_t)p[n + 2] << 16 | (uint32_t)p[n + 3] << 24);
		n += 4;
	}
	m->base_sp_bp = (base == INSN_X86_RSP || base == INSN_X86_RBP) && index < 0;
	*used = n;
	return 0;
}

/* What x86_effects needs to know of the operands of one instruction. */
struct x86_fx {
	struct insn *in;
	const struct x86_modrm *m;
	uint32_t rm_reg; /* the ModRM r/m register, as an INSN_REG bit */
	uint32_t reg;	 /* the ModRM reg register, as an INSN_REG bit */
	bool mem;	 /* r/m is memory */
	bool stack;	 /* ...through rsp or rbp alone, no fs/gs */
};

/* The instruction writes its r/m operand. */
static void x86_writes_rm(const struct x86_fx *fx)
{
	if (fx->mem) {
		fx->in->stores = true;
		fx->in->stack_only = fx->stack;
	} else {
		fx->in->writes |= fx->rm_reg;
	}
}

/* One-byte map, the opcode rows (ALU, push/pop, xchg, mov imm): false if not one of them. */
static bool x86_fx_map1_rows(const struct x86_fx *fx, uint8_t op)
{
	struct insn *in = fx->in;
	uint32_t low_reg = INSN_REG((op & 7) | ((in->rex & 1) ? 8 : 0));

	if (op < 0x40 && (op & 7) < 6) {
		bool cmp = (op >> 3) == 7;

		if (cmp)
			return true;
		if ((op & 7) < 2)
			x86_writes_rm(fx);
		else if ((op & 7) < 4)
			in->writes |= fx->reg;
		else
			in->writes |= INSN_REG(INSN_X86_RAX);
		return true;
	}
	if (op >= 0x50 && op <= 0x57) {
		in->kind = INSN_PUSH;
		in->writes |= INSN_REG(INSN_X86_RSP);
		in->stores = in->stack_only = true;
		return true;
	}
	if (op >= 0x58 && op <= 0x5f) {
		in->writes |= INSN_REG(INSN_X86_RSP) | low_reg;
		return true;
	}
	if (op == 0x90 && !(in->rex & 1)) {
		in->kind = INSN_NOP;
		return true;
	}
	if (op >= 0x90 && op <= 0x97) {
		in->writes |= INSN_REG(INSN_X86_RAX) | low_reg;
		return true;
	}
	if (op >= 0xb0 && op <= 0xbf) {
		in->writes |= low_reg;
		return true;
	}
	return false;
}

/* One-byte map, the groups whose ModRM.reg extends the opcode: false if not one of them. */
static bool x86_fx_map1_groups(const struct x86_fx *fx, uint8_t op)
{
	struct insn *in = fx->in;
	unsigned int ext = fx->m->reg & 7;

	switch (op) {
	case 0x80:
	case 0x81:
	case 0x83:
		if (ext != 7) /* not cmp */
			x86_writes_rm(fx);
		return true;
	case 0xc6:
	case 0xc7:
		if (ext == 0)
			x86_writes_rm(fx);
		else
			in->known = false;
		return true;
	case 0xf6:
	case 0xf7:
		if (ext == 2 || ext == 3)
			x86_writes_rm(fx); /* not, neg */
		else if (ext > 3)	   /* mul, imul, div, idiv; 0 and 1 are test */
			in->writes |= INSN_REG(INSN_X86_RAX) | INSN_REG(INSN_X86_RDX);
		return true;
	case 0xfe:
	case 0xff:
		if (ext == 0 || ext == 1) {
			x86_writes_rm(fx);	     /* inc, dec */
		} else if (ext == 6 && op == 0xff) { /* push r/m */
			in->writes |= INSN_REG(INSN_X86_RSP);
			in->stores = true;
			in->stack_only = true;
		} else {
			in->known = false;
		}
		return true;
	default:
		return false;
	}
}

static void x86_fx_map1(const struct x86_fx *fx, uint8_t op)
{
	struct insn *in = fx->in;

	if (x86_fx_map1_rows(fx, op) || x86_fx_map1_groups(fx, op))
		return;
	switch (op) {
	case 0x63: /* movsxd */
	case 0x69: /* imul */
	case 0x6b:
	case 0x8a: /* mov reg, r/m */
	case 0x8b:
	case 0x8d: /* lea */
		in->writes |= fx->reg;
		return;
	case 0x84: /* test */
	case 0x85:
	case 0xa8:
	case 0xa9:
		return;
	case 0x86: /* xchg */
	case 0x87:
		in->writes |= fx->reg;
		x86_writes_rm(fx);
		return;
	case 0x88: /* mov r/m, reg */
	case 0x89:
	case 0xc0: /* shifts */
	case 0xc1:
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		x86_writes_rm(fx);
		return;
	case 0x98: /* cbw/cwde/cdqe */
		in->writes |= INSN_REG(INSN_X86_RAX);
		return;
	case 0x99: /* cwd/cdq/cqo */
		in->writes |= INSN_REG(INSN_X86_RDX);
		return;
	case 0x9c: /* pushf */
	case 0x68: /* push imm */
	case 0x6a:
		in->writes |= INSN_REG(INSN_X86_RSP);
		in->stores = in->stack_only = true;
		return;
	case 0xc9: /* leave */
		in->writes |= INSN_REG(INSN_X86_RSP) | INSN_REG(INSN_X86_RBP);
		return;
	case 0xf5: /* cmc, clc, stc, cld */
	case 0xf8:
	case 0xf9:
	case 0xfc:
		return;
	default:
		in->known = false;
		return;
	}
}

static void x86_fx_map2(const struct x86_fx *fx, uint8_t op)
{
	struct insn *in = fx->in;

	if (op >= 0x40 && op <= 0x4f) { /* cmovcc */
		in->writes |= fx->reg;
		return;
	}
	if (op >= 0x90 && op <= 0x9f) { /* setcc */
		x86_writes_rm(fx);
		return;
	}
	if (op >= 0x18 && op <= 0x1f) { /* prefetch, hint nops, nop r/m */
		if (op == 0x1f && (fx->m->reg & 7) == 0)
			in->kind = INSN_NOP;
		return;
	}
	switch (op) {
	case 0xa3: /* bt r/m, reg */
		return;
	case 0xab: /* bts, btr, btc r/m, reg */
	case 0xb3:
	case 0xbb:
		x86_writes_rm(fx);
		return;
	case 0xba:
		if ((fx->m->reg & 7) >= 5)
			x86_writes_rm(fx);
		else if ((fx->m->reg & 7) != 4)
			in->known = false;
		return;
	case 0xaf: /* imul */
	case 0xb6: /* movzx, movsx */
	case 0xb7:
	case 0xbe:
	case 0xbf:
	case 0xbc: /* bsf/tzcnt, bsr/lzcnt, popcnt */
	case 0xbd:
	case 0xb8:
		in->writes |= fx->reg;
		return;
	case 0x10: /* movups/movss/movupd/movsd xmm, r/m */
	case 0x28: /* movaps */
	case 0x57: /* xorps */
	case 0x6f: /* movq/movdqa/movdqu xmm, r/m */
	case 0xef: /* pxor */
		return;
	case 0x11: /* the same, r/m <- xmm */
	case 0x29:
	case 0x7f:
	case 0xd6:
		if (fx->mem) {
			in->stores = true;
			in->stack_only = fx->stack;
		}
		return;
	default:
		in->known = false;
		return;
	}
}

/* Registers and memory written, for the instructions we describe. */
static void x86_effects(struct insn *in, const struct x86_modrm *m, bool seg_fsgs)
{
	struct x86_fx fx = {
		.in = in,
		.m = m,
		.rm_reg = m->present ? INSN_REG(m->rm) : 0,
		.reg = m->present ? INSN_REG(m->reg) : 0,
		.mem = m->present && m->mod != 3,
	};

	fx.stack = fx.mem && m->base_sp_bp && !seg_fsgs;
	in->known = true;
	if (in->vex)
		/* vzeroupper touches no general register; other AVX is not described */
		in->known = in->map == 2 && in->opcode == 0x77;
	else if (in->map == 1)
		x86_fx_map1(&fx, in->opcode);
	else if (in->map == 2)
		x86_fx_map2(&fx, in->opcode);
	else
		in->known = false;
}

/* What the prefixes of an instruction say; REX and 0x66 go to the insn. */
struct x86_prefixes {
	bool p66, p67; /* operand and address size */
	bool seg_fsgs; /* fs or gs: memory operands are not the stack */
	bool rex_w;    /* 64-bit operand, from REX, VEX or EVEX */
};

/* Legacy prefixes; a REX byte counts only right before the opcode. The opcode's index or -errno. */
static int x86_prefixes(const uint8_t *buf, size_t len, struct insn *in, struct x86_prefixes *px)
{
	size_t i;

	for (i = 0;; i++) {
		if (i >= len)
			return -ENODATA;
		if (i >= 14)
			return -EINVAL;
		switch (buf[i]) {
		case 0x66:
			px->p66 = true;
			in->rex = 0;
			continue;
		case 0x67:
			px->p67 = true;
			in->rex = 0;
			continue;
		case 0x64:
		case 0x65:
			px->seg_fsgs = true;
			in->rex = 0;
			continue;
		case 0xf2:
		case 0xf3:
			in->rex = 0;
			continue;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0xf0:
			in->prefix_bad = 1;
			in->rex = 0;
			continue;
		default:
			break;
		}
		if ((buf[i] & 0xf0) == 0x40) {
			in->rex = buf[i];
			continue;
		}
		break;
	}
	in->prefix_66 = px->p66;
	px->rex_w = in->rex & 8;
	return (int)i;
}

/*
 * VEX (c5: 2 bytes, c4: 3 bytes) or EVEX (62: 4 bytes) at BUF[*I]: the map
 * and opcode into IN, *I past the opcode. The operand flags or -errno.
 */
static int x86_vex(const uint8_t *buf, size_t len, size_t *i, struct insn *in,
		   struct x86_prefixes *px)
{
	const uint8_t *p = buf + *i;
	uint8_t esc = p[0], mapsel;
	size_t plen = esc == 0xc5 ? 2 : esc == 0xc4 ? 3 : 4;

	if (*i + plen >= len)
		return -ENODATA;
	if (in->rex)
		return -EINVAL;
	mapsel = esc == 0xc5 ? 1 : esc == 0xc4 ? (p[1] & 0x1f) : (p[1] & 7);
	if (esc != 0xc5)
		px->rex_w = p[2] & 0x80;
	/* The inverted R, X, B bits of the prefix become a REX for ModRM. */
	in->rex = 0x40 | (px->rex_w ? 8 : 0) | ((~p[1] >> 5) & 4);
	if (esc != 0xc5)
		in->rex |= ((~p[1] >> 5) & 3);
	in->vex = true;
	in->opcode = p[plen];
	*i += plen + 1;
	switch (mapsel) {
	case 1:
		in->map = 2;
		return x86_vex_map1(in->opcode);
	case 2:
		in->map = 3;
		return X_MODRM;
	case 3:
		in->map = 4;
		return X_MODRM | X_I8;
	case 5:
	case 6:
		if (esc != 0x62)
			return -EINVAL;
		in->map = 5;
		return X_MODRM;
	default:
		return -EINVAL;
	}
}

/* The opcode at BUF[*I], in whichever map: *I past it. The operand flags or -errno. */
static int x86_opcode(const uint8_t *buf, size_t len, size_t *i, struct insn *in,
		      struct x86_prefixes *px)
{
	const uint8_t *p = buf + *i;

	if (p[0] == 0xc4 || p[0] == 0xc5 || p[0] == 0x62)
		return x86_vex(buf, len, i, in, px);
	if (p[0] != 0x0f) {
		in->map = 1;
		in->opcode = p[0];
		*i += 1;
		return x86_map1(in->opcode);
	}
	if (*i + 1 >= len)
		return -ENODATA;
	if (p[1] == 0x38 || p[1] == 0x3a) {
		if (*i + 2 >= len)
			return -ENODATA;
		in->map = p[1] == 0x38 ? 3 : 4;
		in->opcode = p[2];
		*i += 3;
		return in->map == 3 ? X_MODRM : X_MODRM | X_I8;
	}
	*i += 2;
	in->map = 2;
	if (p[1] == 0x0f) {
		/* 3DNow!: ModRM, then the opcode as an 8-bit suffix */
		in->opcode = 0x0f;
		return X_MODRM | X_I8;
	}
	in->opcode = p[1];
	return x86_map2(in->opcode);
}

/* Bytes of immediates and displacements after ModRM. */
static size_t x86_imm_bytes(unsigned int flags, const struct x86_prefixes *px,
			    const struct x86_modrm *m, uint8_t opcode)
{
	size_t n = 0;

	if (flags & X_I8)
		n += 1;
	if (flags & X_I16)
		n += 2;
	if (flags & X_IZ)
		n += px->p66 ? 2 : 4;
	if (flags & X_IV)
		n += px->rex_w ? 8 : px->p66 ? 2 : 4;
	if (flags & X_MOFFS)
		n += px->p67 ? 4 : 8;
	if ((flags & X_GRP3) && (m->reg & 7) < 2)
		n += opcode == 0xf6 ? 1 : px->p66 ? 2 : 4;
	if (flags & X_REL8)
		n += 1;
	if (flags & X_REL32)
		n += 4;
	return n;
}

/* A relative branch or call, its displacement at REL. */
static void x86_branch(struct insn *in, const uint8_t *rel, unsigned int flags, uint64_t vaddr)
{
	int64_t d = (flags & X_REL8) ? (int8_t)rel[0]
				     : (int32_t)((uint32_t)rel[0] | (uint32_t)rel[1] << 8 |
						 (uint32_t)rel[2] << 16 | (uint32_t)rel[3] << 24);

	in->has_target = true;
	in->target = vaddr + in->len + d;
	in->known = true;
	if (in->map == 1 && in->opcode == 0xe8) {
		in->kind = INSN_CALL;
		/* Go's ABI saves no register across a call except the g register */
		in->writes = INSN_REGS_ALL;
		in->stores = true;
	} else if (in->map == 1 && (in->opcode == 0xe9 || in->opcode == 0xeb)) {
		in->kind = INSN_JMP;
	} else {
		in->kind = INSN_JCC;
		if (in->map == 1 && in->opcode >= 0xe0 && in->opcode <= 0xe2)
			in->writes = INSN_REG(INSN_X86_RCX); /* loop* count in rcx */
	}
}

/* Returns, indirect jumps and calls, traps: true (and IN says which) if one of them. */
static bool x86_control(struct insn *in, const struct x86_modrm *m)
{
	if (in->map == 1) {
		switch (in->opcode) {
		case 0xc2:
		case 0xc3:
		case 0xca:
		case 0xcb:
		case 0xcf:
			in->kind = INSN_INDIRECT;
			in->known = true;
			return true;
		case 0xcc:
		case 0xcd:
		case 0xf1:
		case 0xf4:
			in->kind = INSN_TRAP;
			in->known = true;
			return true;
		case 0xff:
			if ((m->reg & 7) >= 2 && (m->reg & 7) <= 5) {
				in->kind = INSN_INDIRECT;
				in->known = true;
				return true;
			}
			break;
		default:
			break;
		}
	}
	if (in->map == 2 && !in->vex &&
	    (in->opcode == 0x05 || in->opcode == 0x0b || in->opcode == 0x34 || in->opcode == 0x07 ||
	     in->opcode == 0x35 || in->opcode == 0xb9 || in->opcode == 0xff)) {
		in->kind = INSN_TRAP;
		in->known = true;
		return true;
	}
	return false;
}

static int x86_decode(const uint8_t *buf, size_t len, uint64_t vaddr, struct insn *in)
{
	struct x86_prefixes px = {0};
	struct x86_modrm m = {0};
	size_t i, n, imm_bytes;
	int flags, err;

	err = x86_prefixes(buf, len, in, &px);
	if (err < 0)
		return err;
	i = (size_t)err;
	flags = x86_opcode(buf, len, &i, in, &px);
	if (flags < 0)
		return flags;
	if (flags & X_BAD)
		return -EINVAL;

	if (flags & X_MODRM) {
		err = x86_modrm(buf + i, len - i, in->rex, px.p67, &n, &m);
		if (err)
			return err;
		in->modrm_reg = m.reg & 7;
		i += n;
	}
	imm_bytes = x86_imm_bytes(flags, &px, &m, in->opcode);
	if (i + imm_bytes > len)
		return -ENODATA;
	if (i + imm_bytes > 15)
		return -EINVAL;
	in->len = (uint8_t)(i + imm_bytes);

	if (m.riprel) {
		in->has_ref = true;
		in->ref = vaddr + in->len + (int64_t)m.disp;
	}
	if (flags & (X_REL8 | X_REL32))
		x86_branch(in, buf + i, flags, vaddr);
	else if (!x86_control(in, &m))
		x86_effects(in, &m, px.seg_fsgs);
	return 0;
}

/* ---- arm64 ---------------------------------------------------------------------------- */

static int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ull << (bits - 1);

	return (int64_t)((v ^ m) - m);
}

static void a64_loadstore(struct insn *in, uint32_t w)
{
	unsigned int rt = w & 31, rn = (w >> 5) & 31, rt2 = (w >> 10) & 31;
	bool v = (w >> 26) & 1;
	bool stack = rn == INSN_ARM64_SP || rn == INSN_ARM64_FP;

	in->known = true;
	if ((w & 0x3a000000) == 0x28000000) {
		/* load/store pair: bits 24:23 = 01 post-index, 11 pre-index */
		unsigned int idx = (w >> 23) & 3;
		bool load = (w >> 22) & 1;

		if (idx == 1 || idx == 3)
			in->writes |= INSN_REG(rn);
		if (load) {
			if (!v)
				in->writes |= INSN_REG(rt) | INSN_REG(rt2);
		} else {
			in->stores = true;
			in->stack_only = stack;
		}
		return;
	}
	if ((w & 0x3b000000) == 0x39000000 ||
	    ((w & 0x3b200000) == 0x38000000 && ((w >> 10) & 3) != 2) ||
	    ((w & 0x3b200c00) == 0x38200800)) {
		/* load/store register: unsigned offset, unscaled/post/pre-index, register offset */
		unsigned int opc = (w >> 22) & 3, size = w >> 30;
		bool unsigned_off = (w & 0x3b000000) == 0x39000000;
		bool regoff = (w & 0x3b200c00) == 0x38200800;
		bool store = v ? (opc == 0 || opc == 2) : opc == 0;

		if (!unsigned_off && !regoff && (((w >> 10) & 3) == 1 || ((w >> 10) & 3) == 3))
			in->writes |= INSN_REG(rn);
		if (store) {
			in->stores = true;
			in->stack_only = stack && !regoff;
		} else if (!v && !(size == 3 && opc == 2)) { /* not prfm */
			if (rt != 31)
				in->writes |= INSN_REG(rt);
		}
		return;
	}
	in->known = false; /* literal, exclusive, atomic, unprivileged, SIMD structures */
}

/* Branches (immediate, conditional, register), calls and returns: false if W is not one. */
static bool a64_branch(struct insn *in, uint32_t w, uint64_t vaddr)
{
	if ((w & 0x7c000000) == 0x14000000) { /* b, bl */
		in->has_target = true;
		in->target = vaddr + sext((w & 0x03ffffff) << 2, 28);
		in->known = true;
		if (w & 0x80000000) {
			in->kind = INSN_CALL;
			in->writes = INSN_REGS_ALL;
			in->stores = true;
		} else {
			in->kind = INSN_JMP;
		}
		return true;
	}
	if ((w & 0xff000010) == 0x54000000) { /* b.cond */
		in->has_target = true;
		in->target = vaddr + sext(((w >> 5) & 0x7ffff) << 2, 21);
		in->kind = (w & 0xe) == 0xe ? INSN_JMP : INSN_JCC; /* al, nv: always */
		in->known = true;
		return true;
	}
	if ((w & 0x7e000000) == 0x34000000) { /* cbz, cbnz */
		in->has_target = true;
		in->target = vaddr + sext(((w >> 5) & 0x7ffff) << 2, 21);
		in->kind = INSN_JCC;
		in->known = true;
		return true;
	}
	if ((w & 0x7e000000) == 0x36000000) { /* tbz, tbnz */
		in->has_target = true;
		in->target = vaddr + sext(((w >> 5) & 0x3fff) << 2, 16);
		in->kind = INSN_JCC;
		in->known = true;
		return true;
	}
	if ((w & 0xfe000000) == 0xd6000000) { /* br, blr, ret and their authenticated forms */
		in->kind = INSN_INDIRECT;
		in->known = true;
		return true;
	}
	return false;
}

/* Data processing (immediate, register) and mrs: false if W is none of them. */
static bool a64_data(struct insn *in, uint32_t w)
{
	unsigned int rd = w & 31;

	if ((w & 0x1c000000) == 0x10000000) { /* data processing, immediate */
		unsigned int op = (w >> 23) & 7;
		bool s = (w >> 29) & 1;

		in->known = true;
		switch (op) {
		case 2: /* add/sub immediate: rd 31 is sp unless setting flags */
		case 3:
			if (!(s && rd == 31))
				in->writes = INSN_REG(rd);
			return true;
		case 4: /* logical immediate: ands to xzr is tst; others may write sp */
			if (!(((w >> 29) & 3) == 3 && rd == 31))
				in->writes = INSN_REG(rd);
			return true;
		default: /* move wide, bitfield, extract */
			if (rd != 31)
				in->writes = INSN_REG(rd);
			return true;
		}
	}
	if ((w & 0x0e000000) == 0x0a000000) { /* data processing, register */
		bool addsub = (w & 0x1f000000) == 0x0b000000;
		bool extended = addsub && ((w >> 21) & 1);
		bool flags = addsub ? ((w >> 29) & 1)
				    : ((w & 0x1f000000) == 0x0a000000 && ((w >> 29) & 3) == 3);

		in->known = true;
		if (extended && !flags)
			in->writes = INSN_REG(rd); /* rd 31 is sp */
		else if (rd != 31)
			in->writes = INSN_REG(rd);
		return true;
	}
	if ((w & 0xfff00000) == 0xd5300000) { /* mrs */
		in->known = true;
		if (rd != 31)
			in->writes = INSN_REG(rd);
		return true;
	}
	return false;
}

static int a64_decode(const uint8_t *buf, size_t len, uint64_t vaddr, struct insn *in)
{
	uint32_t w;

	if (len < 4)
		return -ENODATA;
	w = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
	    (uint32_t)buf[3] << 24;
	in->len = 4;
	in->word = w;

	if (a64_branch(in, w, vaddr))
		return 0;
	if ((w & 0xffe0001f) == 0xd4200000 || (w & 0xff000000) == 0xd4000000 ||
	    (w & 0xffff0000) == 0) { /* brk, svc/hvc/smc, udf */
		in->kind = INSN_TRAP;
		in->known = true;
		return 0;
	}
	if (w == 0xd503201f || w == 0xd503241f || w == 0xd503245f || w == 0xd503249f ||
	    w == 0xd50324df) { /* nop, bti (c, j, jc) */
		in->kind = INSN_NOP;
		in->known = true;
		return 0;
	}
	if ((w & 0x1f000000) == 0x10000000) { /* adr, adrp */
		uint64_t imm = ((w >> 29) & 3) | (((w >> 5) & 0x7ffff) << 2);

		in->has_ref = true;
		if (w & 0x80000000)
			in->ref = (vaddr & ~0xfffull) + (uint64_t)(sext(imm, 21) * 4096);
		else
			in->ref = vaddr + sext(imm, 21);
		in->writes = INSN_REG(w & 31);
		in->known = true;
		return 0;
	}
	if ((w & 0x0a000000) == 0x08000000) { /* loads and stores */
		a64_loadstore(in, w);
		return 0;
	}
	/* SIMD and floating point, system instructions other than mrs: not described */
	if (!a64_data(in, w))
		in->known = false;
	return 0;
}

/* ---- common --------------------------------------------------------------------------- */

int insn__decode(enum insn_arch arch, const uint8_t *buf, size_t len, uint64_t vaddr,
		 struct insn *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->kind = INSN_PLAIN;
	if (!buf || !len)
		return -ENODATA;
	switch (arch) {
	case INSN_X86_64:
		err = x86_decode(buf, len, vaddr, out);
		break;
	case INSN_ARM64:
		err = a64_decode(buf, len, vaddr, out);
		break;
	default:
		return -EINVAL;
	}
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	if (!out->stores)
		out->stack_only = false;
	return 0;
}

static const char *const x86_gpr[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const x86_cc[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
				       "s", "ns", "p", "np", "l", "ge", "le", "g"};

const char *insn__text(enum insn_arch arch, const uint8_t *code, const struct insn *in, char *buf,
		       size_t len)
{
	size_t i, n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (arch == INSN_X86_64) {
		switch (in->kind) {
		case INSN_NOP:
			if (in->len == 1)
				snprintf(buf, len, "nop");
			else
				snprintf(buf, len, "nop (%u bytes)", in->len);
			return buf;
		case INSN_PUSH:
			snprintf(buf, len, "push %%%s",
				 x86_gpr[(in->opcode & 7) | ((in->rex & 1) ? 8 : 0)]);
			return buf;
		case INSN_CALL:
			snprintf(buf, len, "call 0x%llx", (unsigned long long)in->target);
			return buf;
		case INSN_JMP:
			snprintf(buf, len, "jmp 0x%llx", (unsigned long long)in->target);
			return buf;
		case INSN_JCC:
			if ((in->map == 1 && in->opcode >= 0x70 && in->opcode <= 0x7f) ||
			    (in->map == 2 && in->opcode >= 0x80 && in->opcode <= 0x8f)) {
				snprintf(buf, len, "j%s 0x%llx", x86_cc[in->opcode & 15],
					 (unsigned long long)in->target);
				return buf;
			}
			break;
		default:
			break;
		}
	} else if (arch == INSN_ARM64) {
		const char *name = NULL;
		uint32_t w = in->word;

		if (in->kind == INSN_NOP)
			name = w == 0xd503201f ? "nop" : "bti";
		else if ((w & 0xff000010) == 0x54000000)
			name = "b.cond";
		else if ((w & 0x7e000000) == 0x34000000)
			name = (w >> 24) & 1 ? "cbnz" : "cbz";
		else if ((w & 0x7e000000) == 0x36000000)
			name = (w >> 24) & 1 ? "tbnz" : "tbz";
		else if (in->kind == INSN_CALL)
			name = "bl";
		else if (in->kind == INSN_JMP)
			name = "b";
		else if ((w & 0x9f000000) == 0x90000000)
			name = "adrp";
		else if ((w & 0x9f000000) == 0x10000000)
			name = "adr";
		if (name) {
			if (in->has_target)
				snprintf(buf, len, "%s 0x%llx", name,
					 (unsigned long long)in->target);
			else
				snprintf(buf, len, "%s", name);
			return buf;
		}
	}
	for (i = 0; i < in->len && n + 4 <= len; i++)
		n += (size_t)snprintf(buf + n, len - n, i ? " %02x" : "%02x", code[i]);
	return buf;
}

int insn__kernel_parse(const char *release, struct insn_kernel *k)
{
	unsigned int major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return -EINVAL;
	k->major = major;
	k->minor = minor;
	return 0;
}

static bool kernel_at_least(const struct insn_kernel *k, unsigned int major, unsigned int minor)
{
	return k->major > major || (k->major == major && k->minor >= minor);
}

/* The kernel's own nop encodings (one per length), which it emulates like 0x90. */
static bool x86_kernel_nop(const uint8_t *code, uint8_t len)
{
	static const uint8_t nops[9][8] = {
		{0},
		{0x90},
		{0x66, 0x90},
		{0x0f, 0x1f, 0x00},
		{0x0f, 0x1f, 0x40, 0x00},
		{0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
		{0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
	};

	return len >= 1 && len <= 8 && !memcmp(code, nops[len], len);
}

static enum insn_uprobe x86_uprobe(const uint8_t *code, const struct insn *in,
				   const struct insn_kernel *k)
{
	if (in->prefix_bad)
		return INSN_UPROBE_REFUSED;
	if (!in->vex && in->map == 1) {
		switch (in->opcode) {
		case 0x06: /* not valid in 64-bit mode, or never single-stepped */
		case 0x07:
		case 0x0e:
		case 0x16:
		case 0x17:
		case 0x1e:
		case 0x1f:
		case 0x27:
		case 0x2f:
		case 0x37:
		case 0x3f:
		case 0x60:
		case 0x61:
		case 0x62:
		case 0x6c:
		case 0x6d:
		case 0x6e:
		case 0x6f:
		case 0x82:
		case 0x9a:
		case 0xcc:
		case 0xcd:
		case 0xce:
		case 0xcf:
		case 0xd4:
		case 0xd5:
		case 0xd6:
		case 0xe4:
		case 0xe5:
		case 0xe6:
		case 0xe7:
		case 0xea:
		case 0xec:
		case 0xed:
		case 0xee:
		case 0xef:
		case 0xf1:
		case 0xf4:
		case 0xfa:
		case 0xfb:
			return INSN_UPROBE_REFUSED;
		default:
			break;
		}
		/* mov to ss and pop ss mask exceptions: never stepped */
		if (in->opcode == 0x8e && in->modrm_reg == 2)
			return INSN_UPROBE_REFUSED;
	}
	if (!in->vex && in->map == 2) {
		switch (in->opcode) {
		case 0x00:
		case 0x01:
		case 0x05:
		case 0x06:
		case 0x07:
		case 0x08:
		case 0x09:
		case 0x0b:
		case 0x30:
		case 0x34:
		case 0x35:
		case 0x37:
		case 0x78:
		case 0x79:
		case 0xae:
			return INSN_UPROBE_REFUSED;
		default:
			break;
		}
	}
	if (!kernel_at_least(k, 3, 15))
		return INSN_UPROBE_STEPPED; /* before the branch emulation */
	if (kernel_at_least(k, 6, 15) && x86_kernel_nop(code, in->len))
		return INSN_UPROBE_EMULATED;
	if (!in->vex && in->map == 1 && in->opcode == 0x90 && !(in->rex & 1))
		return INSN_UPROBE_EMULATED; /* prefixes and nop: treated as a jump by 0 */
	if (in->kind == INSN_CALL || in->kind == INSN_JMP ||
	    (in->kind == INSN_JCC && !(in->map == 1 && in->opcode >= 0xe0 && in->opcode <= 0xe3)))
		return in->prefix_66 ? INSN_UPROBE_REFUSED : INSN_UPROBE_EMULATED;
	if (in->kind == INSN_PUSH && in->map == 1 && in->len <= 2 && kernel_at_least(k, 6, 13) &&
	    (in->len == 1 || in->rex == 0x41))
		return INSN_UPROBE_EMULATED;
	return INSN_UPROBE_STEPPED;
}

static enum insn_uprobe a64_uprobe(const struct insn *in)
{
	uint32_t w = in->word;

	if ((w & 0xff000010) == 0x54000000 || (w & 0x7e000000) == 0x34000000 ||
	    (w & 0x7e000000) == 0x36000000 || (w & 0x1f000000) == 0x10000000 ||
	    (w & 0x7c000000) == 0x14000000 || (w & 0xff9ffc1f) == 0xd61f0000)
		return INSN_UPROBE_EMULATED; /* b.cond cbz tbz adr(p) b bl br blr ret */
	if ((w & 0x3b000000) == 0x18000000 || (w & 0x3f000000) == 0x08000000)
		return INSN_UPROBE_REFUSED; /* literal loads, exclusives */
	if (in->kind == INSN_TRAP || (w & 0xfe000000) == 0xd6000000)
		return INSN_UPROBE_REFUSED; /* exceptions, eret and authenticated branches */
	if ((w & 0xfff00000) == 0xd5100000 || (w & 0xfff8f01f) == 0xd500401f)
		return INSN_UPROBE_REFUSED; /* msr */
	return INSN_UPROBE_STEPPED;
}

enum insn_uprobe insn__uprobe(enum insn_arch arch, const uint8_t *code, const struct insn *in,
			      const struct insn_kernel *k)
{
	if (!in->len)
		return INSN_UPROBE_REFUSED;
	if (arch == INSN_X86_64)
		return x86_uprobe(code, in, k);
	if (arch == INSN_ARM64)
		return a64_uprobe(in);
	return INSN_UPROBE_REFUSED;
}
