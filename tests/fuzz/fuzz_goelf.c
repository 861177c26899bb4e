// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of goelf: ELF headers, .symtab, .go.buildinfo and
 * pclntab of untrusted bytes. Seeds: tests/fuzz/corpus/goelf, synthetic
 * images written by `test_goelf --write-seeds DIR` (tests/unit/test_goelf.c).
 *
 * Beyond not crashing, it checks what the API promises: strings are
 * terminated, a successful pc_lookup names a function whose entry is at or
 * below the PC, and the entry of a name found in pclntab is where pc_lookup
 * places that entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "goelf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"main.main", "main.foo",	   "main.bar",	   "main.dup",
	"main.asm",  "runtime.casgstatus", "runtime.text", "",
};

static void lookup(const struct goelf *ge, uint64_t pc)
{
	struct go_pcinfo pi;

	if (goelf__pc_lookup(ge, pc, &pi))
		return;
	if (!pi.func || pi.entry > pc || pi.line < 0)
		abort();
	(void)strlen(pi.func);
	if (pi.file)
		(void)strlen(pi.file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct goelf_pcln_info info;
	struct go_pcinfo pi;
	uint64_t va, end, off;
	struct goelf *ge;
	uint8_t buf[16];
	size_t i, n;

	/* an exact-size copy: reads past the end are caught by ASan */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ge = goelf__open_mem(copy, size);
	if (!ge)
		goto cleanup;
	if (goelf__go_version(ge))
		(void)strlen(goelf__go_version(ge));
	if (goelf__pgo(ge))
		(void)strlen(goelf__pgo(ge));
	(void)strlen(goelf__mod_path(ge));
	(void)strlen(goelf__arch_name(ge));
	(void)goelf__load_base(ge);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!goelf__func_addr(ge, names[i], &va))
			(void)goelf__vaddr_to_offset(ge, va, &off);
		if (!goelf__pcln_func_addr(ge, names[i], &va)) {
			/* pclntab said NAME is at VA: pc_lookup must agree */
			if (!goelf__pc_lookup(ge, va, &pi) && pi.entry != va)
				abort();
		}
		if (!goelf__func_range(ge, names[i], &va, &end) && end < va)
			abort();
		(void)goelf__sym_addr(ge, names[i], &va, &end);
	}
	if (!goelf__pcln_info(ge, &info)) {
		lookup(ge, info.text_start);
		lookup(ge, info.text_start + 1);
		lookup(ge, info.text_start + 0x47);
		lookup(ge, info.text_start - 1);
		lookup(ge, UINT64_MAX);
		if (!goelf__start_func(ge, info.text_start + 0x60, &pi))
			(void)strlen(pi.func);
		n = goelf__pcln_nfunc(ge);
		for (i = 0; i < n && i < 8; i++) {
			if (goelf__pcln_func(ge, i, &pi))
				continue;
			lookup(ge, pi.entry);
			lookup(ge, pi.entry + 5);
			if (!goelf__start_func(ge, pi.entry, &pi))
				(void)strlen(pi.func);
		}
	}
	(void)goelf__read(ge, goelf__load_base(ge), buf, sizeof(buf));
	goelf__free(ge);
cleanup:
	free(copy);
	return 0;
}
