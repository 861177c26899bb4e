// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the instruction decoder and of probe placement,
 * which walk untrusted bytes (the text of any binary we are pointed at).
 * Byte 0 picks the architecture; the rest is code. Every offset is decoded
 * and checked for sane results, then the whole buffer is placed as one
 * function. Seeds: tests/fuzz/corpus/insn (Go prologues of both
 * architectures, VEX/EVEX and prefix-heavy x86).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct insn_kernel kernels[] = {{0, 0}, {5, 10}, {6, 13}, {6, 18}};
	enum insn_arch arch;
	struct probe_opts opts = {.level = PROBES_STATES};
	struct probe_code c = {0};
	struct probe_site s;
	size_t i, k;

	if (size < 1)
		return 0;
	arch = (data[0] & 1) ? INSN_ARM64 : INSN_X86_64;
	data++;
	size--;
	for (i = 0; i < size; i++) {
		struct insn in, again;
		char text[48];

		if (insn__decode(arch, data + i, size - i, 0x400000 + i, &in))
			continue;
		if (in.len < 1 || in.len > 15 || in.len > size - i)
			abort();
		if (arch == INSN_ARM64 && in.len != 4)
			abort();
		if ((in.kind == INSN_JMP || in.kind == INSN_JCC || in.kind == INSN_CALL) &&
		    !in.has_target)
			abort();
		if (insn__decode(arch, data + i, size - i, 0x400000 + i, &again) ||
		    memcmp(&in, &again, sizeof(in)))
			abort(); /* deterministic */
		insn__text(arch, data + i, &in, text, sizeof(text));
		if (strlen(text) >= sizeof(text))
			abort();
		for (k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++)
			if (insn__uprobe(arch, data + i, &in, &kernels[k]) > INSN_UPROBE_EMULATED)
				abort();
	}
	c.arch = arch;
	c.code = data;
	c.len = size;
	c.start = 0x400000;
	c.morestack[0] = 0x400000 + size / 2;
	opts.kernel = kernels[3];
	memset(&s, 0, sizeof(s));
	if (size && probes__place_code(&c, INSN_REG(0) | INSN_REG(3), &opts, &s) == 0) {
		if (s.vaddr < c.start || s.vaddr >= c.start + c.len)
			abort();
		if (strlen(s.why) >= sizeof(s.why) || strlen(s.insn) >= sizeof(s.insn))
			abort();
	}
	return 0;
}
