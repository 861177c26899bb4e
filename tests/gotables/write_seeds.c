// SPDX-License-Identifier: BSD-2-Clause
/*
 * Writes the seed corpus of tests/fuzz/fuzz_gotables.c into DIR: synthetic
 * Go-like ELF images (synth_elf.h) with stored pointers, with RELATIVE
 * relocations for x86-64 and arm64, with a relocation type we refuse, and
 * bare version strings (the harness also parses its input as a version).
 */
#include <stdio.h>

#include "synth_elf.h"

static const char *const reasons[] = {
	"", "GC assist marking", "IO wait", "chan receive", "select", "sleep"};
#define N (sizeof(reasons) / sizeof(reasons[0]))

static int put(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	err = fwrite(buf, 1, len, f) != len;
	err |= fclose(f) != 0;
	if (err)
		perror(path);
	return err;
}

static int put_elf(const char *dir, const char *name, const struct synth_spec *s)
{
	size_t len;
	unsigned char *img = synth_elf(s, &len);
	int err = put(dir, name, img, len);

	free(img);
	return err;
}

int main(int argc, char **argv)
{
	static const char *const versions[] = {"go1.22.12", "go1.23rc1",
					       "devel go1.26-abcdef Tue Jan 1 2026", "go1.21",
					       "go1.22.0 X:loopvar"};
	struct synth_spec s = {.version = "go1.22.12",
			       .machine = EM_X86_64,
			       .store_ptrs = true,
			       .reasons = reasons,
			       .n = N};
	int err = 0;
	char name[32];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	err |= put_elf(argv[1], "elf-stored", &s);
	s.pie = true;
	s.relocs = true;
	s.store_ptrs = false;
	err |= put_elf(argv[1], "elf-rela-x86", &s);
	s.machine = EM_AARCH64;
	err |= put_elf(argv[1], "elf-rela-arm64", &s);
	s.machine = EM_X86_64;
	s.reloc_type = R_X86_64_64;
	err |= put_elf(argv[1], "elf-rela-unsupported", &s);
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		snprintf(name, sizeof(name), "version-%zu", i);
		err |= put(argv[1], name, versions[i], strlen(versions[i]));
	}
	return err;
}
