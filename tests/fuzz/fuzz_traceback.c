// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the unwinder and the dump printer
 * (src/goexe/traceback.c), which walk a target's memory: anything may be
 * there. The binary is the synthetic one of tests/unit/tb_synth.h; the
 * input is: byte 0 the Go minor release (19 + b % 8), byte 1 flags (bit 0
 * syscall, bit 1 go through a cache), bytes 2-3 the start PC as an offset
 * into the text (0xffff: zero, a nil call), bytes 4-5 the SP as an offset
 * into the stack, bytes 6-7 how many stack bytes are readable (the rest
 * fails); then the stack's bytes. Seeds: tests/fuzz/corpus/traceback
 * (frames laid out as Go does, loops, PCs outside the text).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goelf.h"
#include "../unit/tb_synth.h"
#include "traceback.h"

#define LO   0xc000000000ull
#define MAXF 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *b;
	size_t len, readable;
};

static int mem_read(uint64_t addr, void *buf, size_t len, void *ctx)
{
	const struct mem *m = ctx;
	size_t lim = m->readable < m->len ? m->readable : m->len;

	if (addr < LO || addr - LO > lim || len > lim - (addr - LO))
		return -14;
	memcpy(buf, m->b + (addr - LO), len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *img;
	static struct goelf *ge;
	static struct tb_frame fr[MAXF];
	static uint64_t pcs[MAXF * 4];
	struct tb_start st = {0};
	struct tb_rules r;
	struct tb_cache *c = NULL;
	struct mem m;
	struct tb_g g = {.goid = 5, .status = 4, .waitreason = "chan\x1b[31m receive"};
	enum tb_end end;
	uint16_t pcoff;
	size_t n;
	FILE *out;

	if (!img) {
		size_t len;

		img = tb_synth_build(&len);
		ge = img ? goelf__open_mem(img, len) : NULL;
		if (!ge)
			abort();
	}
	if (size < 8)
		return 0;
	if (tb__rules(1, 19 + data[0] % 8, &r))
		abort();
	pcoff = (uint16_t)(data[2] | data[3] << 8);
	st.pc = pcoff == 0xffff ? 0 : TBS_TEXT - 0x10 + pcoff;
	st.sp = LO + (uint16_t)(data[4] | data[5] << 8);
	st.syscall = data[1] & 1;
	m.b = data + 8;
	m.len = size - 8;
	m.readable = (uint16_t)(data[6] | data[7] << 8);
	st.stack_lo = LO;
	st.stack_hi = LO + m.len;
	if (data[1] & 2)
		c = tb_cache__new();
	n = tb__unwind(ge, 0, &r, &st, mem_read, &m, fr, MAXF, &end, c);
	if (n > MAXF || (end == TB_END_TOO_DEEP && n != MAXF))
		abort();
	g.frames = fr;
	g.nframes = n;
	g.gopc = st.pc;
	g.parent_goid = 3;
	g.locked = data[1] & 4;
	g.state = n ? TB_G_STACK : TB_G_BAD;
	out = fopen("/dev/null", "w");
	if (out) {
		if (tb__print_g(out, ge, 0, &r, &g))
			abort();
		n = tb__profile_pcs(ge, 0, &r, &g, pcs, MAXF * 4);
		if (n > MAXF * 4)
			abort();
		tb__print_record(out, ge, 0, pcs, n);
		fclose(out);
	}
	tb__system_goroutine(ge, 0, &r, st.pc, c);
	tb_cache__free(c);
	return 0;
}
