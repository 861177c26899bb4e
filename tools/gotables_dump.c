// SPDX-License-Identifier: BSD-2-Clause
/*
 * xg-gotables-dump BINARY: what a Go binary itself says about its runtime
 * (offsets from DWARF only, wait reasons from runtime.waitReasonStrings
 * only; never the built-in table). Input of tools/gen-gotables.sh, one fact
 * a line:
 *
 *   version go1.22.12
 *   arch amd64
 *   pie 0
 *   dwarf shf_compressed        (.debug_info stored: plain, shf_compressed, zdebug, none)
 *   off g_goid 152
 *   ...
 *   waitreasons 37
 *   waitreason 0 ""
 *   waitreason 1 "GC assist marking"
 *
 * Strings are printed as C string literals. Exits 1 when any of it cannot
 * be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "goelf.h"
#include "gotables.h"

static void print_c_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\%03o", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * How .debug_info is stored: Go has written .zdebug_* sections and
 * SHF_COMPRESSED ones (small sections such as .debug_gdb_scripts stay plain).
 */
static const char *dwarf_storage(const char *path)
{
	const char *res = "none";
	Elf_Scn *scn = NULL;
	Elf *elf = NULL;
	size_t shstrndx;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "unreadable";
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		res = "unreadable";
		goto cleanup;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".zdebug_info"))
			res = "zdebug";
		else if (!strcmp(name, ".debug_info"))
			res = sh.sh_flags & SHF_COMPRESSED ? "shf_compressed" : "plain";
	}
cleanup:
	elf_end(elf);
	close(fd);
	return res;
}

static int read_waitreasons(const struct goelf *ge, const char *path, struct go_tables *t)
{
	Elf *elf = NULL;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = elf ? go_tables__waitreasons_from_binary(ge, elf, t) : -EINVAL;
	elf_end(elf);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	struct go_tables t = {0};
	struct xg_offsets off;
	struct goelf *ge;
	const char *version;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GO_BINARY\n", argv[0]);
		return 2;
	}
	ge = goelf__open(argv[1]);
	if (!ge) {
		fprintf(stderr, "xg-gotables-dump: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	version = goelf__go_version(ge);
	if (!version) {
		fprintf(stderr, "xg-gotables-dump: %s is not a Go binary\n", argv[1]);
		goelf__free(ge);
		return 1;
	}
	printf("version %s\n", version);
	printf("arch %s\n", goelf__arch_name(ge));
	printf("pie %d\n", goelf__is_pie(ge));
	printf("dwarf %s\n", dwarf_storage(argv[1]));

	err = go_tables__offsets_from_dwarf(argv[1], &off);
	if (err) {
		fprintf(stderr, "xg-gotables-dump: no runtime offsets in the DWARF of %s: %s\n",
			argv[1], strerror(-err));
		goelf__free(ge);
		return 1;
	}
#define OFF(f) printf("off %s %u\n", #f, off.f)
	OFF(g_goid);
	OFF(g_m);
	OFF(g_waitreason);
	OFF(g_gopc);
	OFF(g_startpc);
	OFF(m_curg);
	OFF(m_procid);
	OFF(m_id);
	OFF(m_p);
	OFF(p_id);
	OFF(g_waitsince);
	OFF(g_parent_goid);
#undef OFF

	err = read_waitreasons(ge, argv[1], &t);
	if (err) {
		fprintf(stderr,
			"xg-gotables-dump: cannot read runtime.waitReasonStrings of %s: %s\n",
			argv[1], strerror(-err));
		goelf__free(ge);
		return 1;
	}
	printf("waitreasons %u\n", t.n_waitreasons);
	for (unsigned int i = 0; i < t.n_waitreasons; i++) {
		printf("waitreason %u ", i);
		print_c_string(t.waitreasons[i]);
		putchar('\n');
	}
	go_tables__free(&t);
	goelf__free(ge);
	return 0;
}
