// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decodes a byte range of a file linearly and prints "ADDRESS LENGTH" per
 * instruction ("ADDRESS ERR" where nothing decodes, then one byte on), to
 * compare the decoder's lengths with objdump's (tests/overhead/run.sh).
 *
 *   xg-insn-lengths x86-64|arm64 FILE OFFSET SIZE VADDR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"

int main(int argc, char **argv)
{
	enum insn_arch arch;
	unsigned long long va;
	long off, size, i = 0;
	unsigned char *buf;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: xg-insn-lengths x86-64|arm64 FILE OFFSET SIZE VADDR\n");
		return 2;
	}
	arch = !strcmp(argv[1], "arm64") ? INSN_ARM64 : INSN_X86_64;
	off = strtol(argv[3], NULL, 0);
	size = strtol(argv[4], NULL, 0);
	va = strtoull(argv[5], NULL, 0);
	f = fopen(argv[2], "rb");
	buf = size > 0 ? malloc((size_t)size) : NULL;
	if (!f || !buf || fseek(f, off, SEEK_SET) ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "xg-insn-lengths: cannot read %s\n", argv[2]);
		return 2;
	}
	while (i < size) {
		struct insn in;

		if (insn__decode(arch, buf + i, (size_t)(size - i), va + (unsigned long long)i,
				 &in)) {
			printf("%llx ERR\n", va + (unsigned long long)i);
			i++;
			continue;
		}
		printf("%llx %d\n", va + (unsigned long long)i, in.len);
		i += in.len;
	}
	free(buf);
	fclose(f);
	return 0;
}
