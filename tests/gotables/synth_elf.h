/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tiny ELF64 little-endian executable that looks, to goelf and gotables,
 * like a Go binary: .go.buildinfo with a version, a .symtab holding
 * runtime.waitReasonStrings, the [N]string array in .data, its strings in
 * .rodata and, on request, R_*_RELATIVE relocations of the string pointers
 * in an allocated .rela section (as Go's internal linker writes for PIE).
 * No DWARF. Used by tests/unit/test_gotables.c and to write the seed corpus
 * of tests/fuzz/fuzz_gotables.c (tests/gotables/write_seeds.c).
 */
#ifndef XGOTOP_SYNTH_ELF_H
#define XGOTOP_SYNTH_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef R_AARCH64_RELATIVE
#define R_AARCH64_RELATIVE 1027
#endif

struct synth_spec {
	const char *version; /* "go1.22.12"; NULL: no .go.buildinfo */
	uint16_t machine;    /* EM_X86_64 or EM_AARCH64 */
	bool pie;	     /* ET_DYN */
	bool store_ptrs;     /* write the string pointers into .data */
	bool relocs;	     /* emit one RELATIVE relocation per string pointer */
	uint32_t reloc_type; /* 0: the machine's RELATIVE type */
	const char *const *reasons;
	unsigned int n;
};

#define SYNTH_BASE  0x400000ull
#define SYNTH_ALIGN 16

struct synth_buf {
	unsigned char *p;
	size_t len, cap;
};

static size_t synth_put(struct synth_buf *b, const void *src, size_t len)
{
	size_t at = (b->len + SYNTH_ALIGN - 1) & ~(size_t)(SYNTH_ALIGN - 1);

	if (at + len > b->cap) {
		b->cap = (at + len) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
	}
	memset(b->p + b->len, 0, at - b->len);
	if (src)
		memcpy(b->p + at, src, len);
	else
		memset(b->p + at, 0, len);
	b->len = at + len;
	return at;
}

/* Returns a malloc'd image (free it) and its length in *LEN. */
static unsigned char *synth_elf(const struct synth_spec *s, size_t *len)
{
	static const char shstr[] =
		"\0.go.buildinfo\0.rodata\0.data\0.rela\0.symtab\0.strtab\0.shstrtab";
	enum { S_NULL, S_BI, S_RO, S_DATA, S_RELA, S_SYM, S_STR, S_SHSTR, S_N };
	static const unsigned int names[S_N] = {0, 1, 15, 23, 29, 35, 43, 51};
	static const char strtab[] = "\0runtime.waitReasonStrings";
	struct synth_buf b = {0};
	Elf64_Shdr sh[S_N] = {{0}};
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	unsigned char bi[64] = {0}, *arr;
	size_t ro_off, ro_len = 0, data_off, o;
	Elf64_Sym sym[2] = {{0}};
	Elf64_Rela *rela;

	synth_put(&b, NULL, sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr));

	/* .go.buildinfo, go1.18+ layout: magic, ptrsize, flags (2: inline strings). */
	memcpy(bi, "\xff Go buildinf:", 14);
	bi[14] = 8;
	bi[15] = 2;
	if (s->version) {
		bi[32] = (unsigned char)strlen(s->version);
		memcpy(bi + 33, s->version, bi[32]);
		bi[33 + bi[32]] = 0; /* empty modinfo */
	}
	o = synth_put(&b, bi, sizeof(bi));
	sh[S_BI] = (Elf64_Shdr){.sh_type = SHT_PROGBITS,
				.sh_flags = SHF_ALLOC | SHF_WRITE,
				.sh_addr = SYNTH_BASE + o,
				.sh_offset = o,
				.sh_size = sizeof(bi),
				.sh_addralign = 16};

	for (unsigned int i = 0; i < s->n; i++)
		ro_len += strlen(s->reasons[i]) + 1;
	ro_off = synth_put(&b, NULL, ro_len);
	sh[S_RO] = (Elf64_Shdr){.sh_type = SHT_PROGBITS,
				.sh_flags = SHF_ALLOC,
				.sh_addr = SYNTH_BASE + ro_off,
				.sh_offset = ro_off,
				.sh_size = ro_len,
				.sh_addralign = 1};

	data_off = synth_put(&b, NULL, (size_t)s->n * 16);
	sh[S_DATA] = (Elf64_Shdr){.sh_type = SHT_PROGBITS,
				  .sh_flags = SHF_ALLOC | SHF_WRITE,
				  .sh_addr = SYNTH_BASE + data_off,
				  .sh_offset = data_off,
				  .sh_size = (size_t)s->n * 16,
				  .sh_addralign = 32};

	o = synth_put(&b, NULL, s->relocs ? (size_t)s->n * sizeof(Elf64_Rela) : 0);
	sh[S_RELA] = (Elf64_Shdr){.sh_type = SHT_RELA,
				  .sh_flags = SHF_ALLOC,
				  .sh_addr = SYNTH_BASE + o,
				  .sh_offset = o,
				  .sh_size = s->relocs ? (size_t)s->n * sizeof(Elf64_Rela) : 0,
				  .sh_link = S_SYM,
				  .sh_addralign = 8,
				  .sh_entsize = sizeof(Elf64_Rela)};

	/* Strings, array words and relocations, now that the buffer stopped moving. */
	arr = b.p + data_off;
	rela = (Elf64_Rela *)(b.p + o);
	for (unsigned int i = 0, at = 0; i < s->n; i++) {
		size_t l = strlen(s->reasons[i]);
		uint64_t ptr = SYNTH_BASE + ro_off + at, ln = l;
		uint32_t type = s->reloc_type		   ? s->reloc_type
				: s->machine == EM_AARCH64 ? R_AARCH64_RELATIVE
							   : R_X86_64_RELATIVE;

		memcpy(b.p + ro_off + at, s->reasons[i], l + 1);
		if (s->store_ptrs)
			memcpy(arr + i * 16, &ptr, 8);
		memcpy(arr + i * 16 + 8, &ln, 8);
		if (s->relocs)
			rela[i] = (Elf64_Rela){.r_offset = SYNTH_BASE + data_off + i * 16,
					       .r_info = ELF64_R_INFO(0, type),
					       .r_addend = (int64_t)ptr};
		at += l + 1;
	}

	sym[1] = (Elf64_Sym){.st_name = 1,
			     .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			     .st_shndx = S_DATA,
			     .st_value = SYNTH_BASE + data_off,
			     .st_size = (uint64_t)s->n * 16};
	o = synth_put(&b, sym, sizeof(sym));
	sh[S_SYM] = (Elf64_Shdr){.sh_type = SHT_SYMTAB,
				 .sh_offset = o,
				 .sh_size = sizeof(sym),
				 .sh_link = S_STR,
				 .sh_info = 1,
				 .sh_addralign = 8,
				 .sh_entsize = sizeof(Elf64_Sym)};
	o = synth_put(&b, strtab, sizeof(strtab));
	sh[S_STR] = (Elf64_Shdr){.sh_type = SHT_STRTAB,
				 .sh_offset = o,
				 .sh_size = sizeof(strtab),
				 .sh_addralign = 1};
	o = synth_put(&b, shstr, sizeof(shstr));
	sh[S_SHSTR] = (Elf64_Shdr){
		.sh_type = SHT_STRTAB, .sh_offset = o, .sh_size = sizeof(shstr), .sh_addralign = 1};
	for (int i = 0; i < S_N; i++)
		sh[i].sh_name = names[i];
	o = synth_put(&b, sh, sizeof(sh));

	eh = (Elf64_Ehdr *)b.p;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = s->pie ? ET_DYN : ET_EXEC;
	eh->e_machine = s->machine;
	eh->e_version = EV_CURRENT;
	eh->e_entry = SYNTH_BASE + ro_off;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = o;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = S_N;
	eh->e_shstrndx = S_SHSTR;
	ph = (Elf64_Phdr *)(b.p + sizeof(Elf64_Ehdr));
	*ph = (Elf64_Phdr){.p_type = PT_LOAD,
			   .p_flags = PF_R | PF_W,
			   .p_offset = 0,
			   .p_vaddr = SYNTH_BASE,
			   .p_paddr = SYNTH_BASE,
			   .p_filesz = o,
			   .p_memsz = o,
			   .p_align = 0x1000};
	*len = b.len;
	return b.p;
}

#endif /* XGOTOP_SYNTH_ELF_H */
