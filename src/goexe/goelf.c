// SPDX-License-Identifier: BSD-2-Clause
/*
 * ELF64 little-endian reader for Go executables (x86-64, aarch64): section
 * and program headers, .symtab, address translation. .go.buildinfo is read
 * at open (buildinfo.c); the symbol index and pclntab (pclntab.c) are built
 * on first use, so opening a large binary costs a mapping and its headers.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "goelf.h"
#include "goelf_int.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define SYM_SIZE  24
#define RELA_SIZE 24

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *machine_name(uint16_t m)
{
	switch (m) {
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390x";
	case EM_RISCV:
		return "riscv64";
	case EM_MIPS:
		return "mips";
	case EM_LOONGARCH:
		return "loong64";
	default:
		return "unknown";
	}
}

/* Index of the last NUL of TAB[0..LEN), or -1. */
static long last_nul(const char *tab, size_t len)
{
	while (len) {
		if (!tab[--len])
			return (long)len;
	}
	return -1;
}

static int read_segments(struct goelf *ge, uint64_t phoff, uint16_t phentsize, size_t phnum,
			 char *err, size_t errlen)
{
	size_t i;

	if (!phnum)
		return 0;
	if (phentsize < PHDR_SIZE || !goelf_in(ge->len, phoff, (uint64_t)phentsize * phnum)) {
		set_err(err, errlen, "program headers lie outside the file");
		return -ENOEXEC;
	}
	ge->segs = calloc(phnum, sizeof(*ge->segs));
	if (!ge->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		const uint8_t *p = ge->buf + phoff + i * phentsize;
		struct goelf_seg *s = &ge->segs[i];

		s->type = goelf_rd32(p);
		s->flags = goelf_rd32(p + 4);
		s->off = goelf_rd64(p + 8);
		s->vaddr = goelf_rd64(p + 16);
		s->filesz = goelf_rd64(p + 32);
		s->memsz = goelf_rd64(p + 40);
		s->align = goelf_rd64(p + 48);
	}
	ge->nseg = phnum;
	return 0;
}

static int read_sections(struct goelf *ge, uint64_t shoff, uint16_t shentsize, size_t shnum,
			 size_t shstrndx, char *err, size_t errlen)
{
	const char *names = NULL;
	size_t names_len = 0;
	long nul = -1;
	size_t i;

	if (!shnum)
		return 0;
	if (shentsize < SHDR_SIZE || !goelf_in(ge->len, shoff, (uint64_t)shentsize * shnum)) {
		set_err(err, errlen, "section headers lie outside the file");
		return -ENOEXEC;
	}
	ge->secs = calloc(shnum, sizeof(*ge->secs));
	if (!ge->secs)
		return -ENOMEM;
	for (i = 0; i < shnum; i++) {
		const uint8_t *p = ge->buf + shoff + i * shentsize;
		struct goelf_sec *s = &ge->secs[i];

		s->type = goelf_rd32(p + 4);
		s->flags = goelf_rd64(p + 8);
		s->addr = goelf_rd64(p + 16);
		s->off = goelf_rd64(p + 24);
		s->size = goelf_rd64(p + 32);
		s->link = goelf_rd32(p + 40);
		s->entsize = goelf_rd64(p + 56);
		s->name = "";
	}
	ge->nsec = shnum;

	if (shstrndx < shnum) {
		names = (const char *)goelf_int__sec_data(ge, &ge->secs[shstrndx]);
		if (names) {
			names_len = ge->secs[shstrndx].size;
			nul = last_nul(names, names_len);
		}
	}
	for (i = 0; names && i < shnum; i++) {
		uint32_t off = goelf_rd32(ge->buf + shoff + i * shentsize);

		if ((long)off <= nul)
			ge->secs[i].name = names + off;
	}
	return 0;
}

static void find_symtab(struct goelf *ge)
{
	const struct goelf_sec *sym = NULL, *str;
	const uint8_t *sd, *st;
	long nul;
	size_t i;

	for (i = 0; i < ge->nsec && !sym; i++)
		if (ge->secs[i].type == SHT_SYMTAB)
			sym = &ge->secs[i];
	if (!sym || sym->entsize != SYM_SIZE || sym->link >= ge->nsec)
		return;
	str = &ge->secs[sym->link];
	sd = goelf_int__sec_data(ge, sym);
	st = goelf_int__sec_data(ge, str);
	if (!sd || !st || str->type != SHT_STRTAB)
		return;
	nul = last_nul((const char *)st, str->size);
	if (nul < 0 || sym->size / SYM_SIZE == 0)
		return;
	ge->symtab = sd;
	ge->nsym = sym->size / SYM_SIZE;
	ge->strtab = (const char *)st;
	ge->strtab_len = (size_t)nul + 1;
}

static struct goelf *parse(const void *buf, size_t len, char *err, size_t errlen)
{
	const uint8_t *b = buf;
	pthread_mutexattr_t attr;
	struct goelf *ge = NULL;
	uint64_t phoff, shoff;
	uint16_t phentsize, shentsize;
	size_t phnum, shnum, shstrndx, i;
	int e = -ENOEXEC;

	if (!buf || len < EI_NIDENT || memcmp(b, ELFMAG, SELFMAG)) {
		set_err(err, errlen, "not an ELF file");
		goto cleanup;
	}
	if (b[EI_CLASS] != ELFCLASS64) {
		set_err(err, errlen, "32-bit ELF files are not supported (need ELF64)");
		goto cleanup;
	}
	if (b[EI_DATA] != ELFDATA2LSB) {
		set_err(err, errlen, "big-endian ELF files are not supported");
		goto cleanup;
	}
	if (len < EHDR_SIZE) {
		set_err(err, errlen, "ELF header truncated");
		goto cleanup;
	}

	ge = calloc(1, sizeof(*ge));
	if (!ge) {
		e = -ENOMEM;
		goto cleanup;
	}
	ge->buf = b;
	ge->len = len;
	/* Recursive: locating pclntab may consult the symbol index. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ge->lock, &attr);
	pthread_mutexattr_destroy(&attr);

	ge->type = goelf_rd16(b + 16);
	ge->machine = goelf_rd16(b + 18);
	if (ge->type != ET_EXEC && ge->type != ET_DYN) {
		set_err(err, errlen, "ELF type %u is not an executable", ge->type);
		goto cleanup;
	}
	if (ge->machine == EM_X86_64) {
		ge->arch = GOELF_ARCH_AMD64;
	} else if (ge->machine == EM_AARCH64) {
		ge->arch = GOELF_ARCH_ARM64;
	} else {
		set_err(err, errlen,
			"unsupported ELF machine %u (%s): only x86-64 and aarch64 are supported",
			ge->machine, machine_name(ge->machine));
		goto cleanup;
	}

	phoff = goelf_rd64(b + 32);
	shoff = goelf_rd64(b + 40);
	phentsize = goelf_rd16(b + 54);
	phnum = goelf_rd16(b + 56);
	shentsize = goelf_rd16(b + 58);
	shnum = goelf_rd16(b + 60);
	shstrndx = goelf_rd16(b + 62);

	/* Extended numbering: the real counts live in section header 0. */
	if (shoff && (shnum == 0 || phnum == PN_XNUM || shstrndx == SHN_XINDEX)) {
		if (!goelf_in(len, shoff, SHDR_SIZE)) {
			set_err(err, errlen, "section headers lie outside the file");
			goto cleanup;
		}
		/* Clamped so the bounds check below cannot overflow. */
		if (shnum == 0)
			shnum = goelf_rd64(b + shoff + 32) < len ? goelf_rd64(b + shoff + 32) : len;
		if (phnum == PN_XNUM)
			phnum = goelf_rd32(b + shoff + 44);
		if (shstrndx == SHN_XINDEX)
			shstrndx = goelf_rd32(b + shoff + 40);
	}
	if (!shoff)
		shnum = 0;

	e = read_segments(ge, phoff, phentsize, phnum, err, errlen);
	if (e)
		goto cleanup;
	e = read_sections(ge, shoff, shentsize, shnum, shstrndx, err, errlen);
	if (e)
		goto cleanup;
	find_symtab(ge);
	for (i = 0; i < ge->nsec; i++) {
		const char *n = ge->secs[i].name;

		if (!strcmp(n, ".debug_info") || !strcmp(n, ".zdebug_info"))
			ge->has_dwarf = true;
	}
	e = goelf_int__buildinfo(ge);
	if (e == -ENOENT)
		e = 0;
cleanup:
	if (e) {
		if (e == -ENOMEM)
			set_err(err, errlen, "out of memory");
		goelf__free(ge);
		errno = -e;
		return NULL;
	}
	return ge;
}

struct goelf *goelf__open_mem_err(const void *buf, size_t len, char *err, size_t errlen)
{
	return parse(buf, len, err, errlen);
}

struct goelf *goelf__open_mem(const void *buf, size_t len)
{
	return parse(buf, len, NULL, 0);
}

struct goelf *goelf__open_err(const char *path, char *err, size_t errlen)
{
	struct goelf *ge = NULL;
	void *map = MAP_FAILED;
	struct stat st;
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		set_err(err, errlen, "cannot open %s: %s", path, strerror(e));
		goto cleanup;
	}
	if (fstat(fd, &st)) {
		e = errno;
		set_err(err, errlen, "cannot stat %s: %s", path, strerror(e));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < EHDR_SIZE) {
		e = ENOEXEC;
		set_err(err, errlen, "%s is not an ELF file", path);
		goto cleanup;
	}
	/*
	 * Shared, not private: the kernel plants a uprobe's breakpoint in every
	 * private mapping of the file that may execute (uprobes.c, valid_vma),
	 * ours too, while another tracer of this binary is attached with -b; we
	 * would decode its int3s. A shared mapping shows the file as it is.
	 */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		e = errno;
		set_err(err, errlen, "cannot map %s: %s", path, strerror(e));
		goto cleanup;
	}
	ge = parse(map, (size_t)st.st_size, err, errlen);
	if (!ge) {
		e = errno;
		goto cleanup;
	}
	ge->map = map;
	ge->map_len = (size_t)st.st_size;
	map = MAP_FAILED;
cleanup:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	if (!ge)
		errno = e;
	return ge;
}

struct goelf *goelf__open(const char *path)
{
	return goelf__open_err(path, NULL, 0);
}

void goelf__free(struct goelf *ge)
{
	if (!ge)
		return;
	goelf_int__pcln_free(ge);
	while (ge->npnames)
		free(ge->pnames[--ge->npnames].print);
	free(ge->pnames);
	free(ge->syms);
	free(ge->secs);
	free(ge->segs);
	free(ge->go_version);
	free(ge->mod_path);
	free(ge->pgo);
	if (ge->map)
		munmap(ge->map, ge->map_len);
	pthread_mutex_destroy(&ge->lock);
	free(ge);
}

const char *goelf__go_version(const struct goelf *ge)
{
	return ge->go_version;
}

const char *goelf__pgo(const struct goelf *ge)
{
	return ge->pgo && ge->pgo[0] && strcmp(ge->pgo, "off") ? ge->pgo : NULL;
}

const char *goelf__mod_path(const struct goelf *ge)
{
	return ge->mod_path ? ge->mod_path : "";
}

enum goelf_arch goelf__arch(const struct goelf *ge)
{
	return ge->arch;
}

const char *goelf__arch_name(const struct goelf *ge)
{
	switch (ge->arch) {
	case GOELF_ARCH_AMD64:
		return "amd64";
	case GOELF_ARCH_ARM64:
		return "arm64";
	default:
		return "unknown";
	}
}

bool goelf__is_pie(const struct goelf *ge)
{
	return ge->type == ET_DYN;
}

bool goelf__has_symtab(const struct goelf *ge)
{
	return ge->symtab != NULL;
}

bool goelf__has_dwarf(const struct goelf *ge)
{
	return ge->has_dwarf;
}

const struct goelf_sec *goelf_int__sec(const struct goelf *ge, const char *name)
{
	size_t i;

	for (i = 0; i < ge->nsec; i++)
		if (!strcmp(ge->secs[i].name, name))
			return &ge->secs[i];
	return NULL;
}

const uint8_t *goelf_int__sec_data(const struct goelf *ge, const struct goelf_sec *s)
{
	if (s->type == SHT_NOBITS || s->type == SHT_NULL || !goelf_in(ge->len, s->off, s->size))
		return NULL;
	return ge->buf + s->off;
}

/* The PT_LOAD whose file bytes hold [vaddr, vaddr + len). */
static const struct goelf_seg *load_seg(const struct goelf *ge, uint64_t vaddr, uint64_t len)
{
	size_t i;

	for (i = 0; i < ge->nseg; i++) {
		const struct goelf_seg *s = &ge->segs[i];

		if (s->type != PT_LOAD || vaddr < s->vaddr)
			continue;
		if (vaddr - s->vaddr < s->filesz && len <= s->filesz - (vaddr - s->vaddr))
			return s;
	}
	return NULL;
}

const uint8_t *goelf_int__ptr(const struct goelf *ge, uint64_t vaddr, uint64_t len)
{
	const struct goelf_seg *s = load_seg(ge, vaddr, len ? len : 1);
	uint64_t off;

	if (!s)
		return NULL;
	off = s->off + (vaddr - s->vaddr);
	if (off < s->off || !goelf_in(ge->len, off, len))
		return NULL;
	return ge->buf + off;
}

int goelf__vaddr_to_offset(const struct goelf *ge, uint64_t vaddr, uint64_t *off)
{
	const uint8_t *p = goelf_int__ptr(ge, vaddr, 1);

	if (!p)
		return -ERANGE;
	*off = (uint64_t)(p - ge->buf);
	return 0;
}

uint64_t goelf__load_base(const struct goelf *ge)
{
	uint64_t base = UINT64_MAX;
	size_t i;

	for (i = 0; i < ge->nseg; i++) {
		const struct goelf_seg *s = &ge->segs[i];
		uint64_t v = s->vaddr;

		if (s->type != PT_LOAD)
			continue;
		if (s->align > 1 && !(s->align & (s->align - 1)))
			v &= ~(s->align - 1);
		if (v < base)
			base = v;
	}
	return base == UINT64_MAX ? 0 : base;
}

int goelf__read(const struct goelf *ge, uint64_t vaddr, void *buf, size_t len)
{
	const uint8_t *p = goelf_int__ptr(ge, vaddr, len);

	if (!p)
		return -ERANGE;
	memcpy(buf, p, len);
	return 0;
}

int goelf_int__relative_addend(const struct goelf *ge, uint64_t vaddr, uint64_t *addend)
{
	uint32_t rtype = ge->arch == GOELF_ARCH_ARM64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
	size_t i, j;

	for (i = 0; i < ge->nsec; i++) {
		const struct goelf_sec *s = &ge->secs[i];
		const uint8_t *d;

		if (s->type != SHT_RELA || s->entsize != RELA_SIZE)
			continue;
		d = goelf_int__sec_data(ge, s);
		for (j = 0; d && j < s->size / RELA_SIZE; j++) {
			const uint8_t *r = d + j * RELA_SIZE;

			if (goelf_rd64(r) == vaddr && (uint32_t)goelf_rd64(r + 8) == rtype) {
				*addend = goelf_rd64(r + 16);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct goelf_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort the named, defined symbols of .symtab by name. Called under lock. */
static void build_sym_index(struct goelf *ge)
{
	size_t i, n = 0;

	ge->sym_state = LAZY_FAILED;
	if (!ge->symtab)
		return;
	ge->syms = malloc(ge->nsym * sizeof(*ge->syms));
	if (!ge->syms)
		return;
	for (i = 1; i < ge->nsym; i++) {
		const uint8_t *s = ge->symtab + i * SYM_SIZE;
		uint32_t name = goelf_rd32(s);
		uint8_t type = ELF64_ST_TYPE(s[4]);
		uint16_t shndx = goelf_rd16(s + 6);

		if (!name || name >= ge->strtab_len || !ge->strtab[name] || shndx == SHN_UNDEF ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		ge->syms[n].name = ge->strtab + name;
		ge->syms[n].value = goelf_rd64(s + 8);
		ge->syms[n].size = goelf_rd64(s + 16);
		ge->syms[n].idx = (uint32_t)i;
		ge->syms[n].type = type;
		n++;
	}
	qsort(ge->syms, n, sizeof(*ge->syms), sym_cmp);
	ge->nsyms = n;
	ge->sym_state = LAZY_OK;
}

const struct goelf_sym *goelf_int__sym(const struct goelf *ge, const char *name, bool func_only)
{
	struct goelf *m = (struct goelf *)ge; /* lazy index: see struct goelf */
	const struct goelf_sym *res = NULL;
	size_t lo = 0, hi;

	pthread_mutex_lock(&m->lock);
	if (m->sym_state == LAZY_TODO)
		build_sym_index(m);
	pthread_mutex_unlock(&m->lock);
	if (ge->sym_state != LAZY_OK)
		return NULL;

	hi = ge->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ge->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ge->nsyms && !strcmp(ge->syms[lo].name, name); lo++) {
		if (!func_only || ge->syms[lo].type == STT_FUNC) {
			res = &ge->syms[lo];
			break;
		}
	}
	return res;
}

int goelf__sym_addr(const struct goelf *ge, const char *name, uint64_t *vaddr, uint64_t *size)
{
	const struct goelf_sym *s = goelf_int__sym(ge, name, false);

	if (!s)
		return -ENOENT;
	*vaddr = s->value;
	if (size)
		*size = s->size;
	return 0;
}

int goelf__func_addr(const struct goelf *ge, const char *name, uint64_t *vaddr)
{
	const struct goelf_sym *s = goelf_int__sym(ge, name, true);

	if (s && s->value) {
		*vaddr = s->value;
		return 0;
	}
	return goelf__pcln_func_addr(ge, name, vaddr);
}

int goelf__func_range(const struct goelf *ge, const char *name, uint64_t *start, uint64_t *end)
{
	const struct goelf_sym *s = goelf_int__sym(ge, name, true);

	if (s && s->value && s->size && s->size <= UINT64_MAX - s->value) {
		*start = s->value;
		*end = s->value + s->size;
		return 0;
	}
	return goelf_int__pcln_func_range(ge, name, start, end);
}
