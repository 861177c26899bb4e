// SPDX-License-Identifier: BSD-2-Clause
/*
 * goelf_check: compares what goelf reads from a real Go binary with ground
 * truth from elsewhere: .symtab read through libelf, the markers in
 * tests/goelf/hello/main.go, the expected version and module, and (for
 * stripped builds) the unstripped build of the same program.
 *
 *   goelf_check go BIN KIND GOVERSION MODULE ARCH MAIN_GO REF
 *       KIND: names the build; "pie" and "stripped" in it say what it is
 *       (plain, stripped, pie, extpie-stripped, arm64-pie-stripped, ...)
 *       ARCH: amd64 | arm64
 *       REF: stripped kinds: the unstripped build with the same layout;
 *       others: the output of `go tool objdump BIN`
 *   goelf_check fzf BIN GOVERSION MODULE
 *
 * Prints every failed check and exits 1 if there was one.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goelf.h"
#include "gotables.h"
#include "waitsites.h"

static int failures;
static int checks;
static const char *label = "";

static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	fprintf(stderr, "FAIL %s: ", label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define CHECK(cond, ...)                   \
	do {                               \
		checks++;                  \
		if (!(cond))               \
			fail(__VA_ARGS__); \
	} while (0)

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

struct sym {
	char *name;
	uint64_t value;
	uint64_t size;
};

struct elfinfo {
	struct sym *funcs;
	size_t nfuncs;
	uint64_t text_sym;  /* runtime.text */
	uint64_t etext_sym; /* runtime.etext */
	uint64_t lowest_load;
	uint64_t text_addr, text_off; /* .text section */
};

/* Independent reading of the binary through libelf. */
static int read_elf(const char *path, struct elfinfo *ei)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, nph, i;
	Elf *elf = NULL;
	int fd, err = -1;

	memset(ei, 0, sizeof(*ei));
	ei->lowest_load = UINT64_MAX;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) || elf_getphdrnum(elf, &nph))
		goto cleanup;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			uint64_t v = ph.p_vaddr & ~(ph.p_align ? ph.p_align - 1 : 0);

			if (v < ei->lowest_load)
				ei->lowest_load = v;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			goto cleanup;
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sname && !strcmp(sname, ".text")) {
			ei->text_addr = sh.sh_addr;
			ei->text_off = sh.sh_offset;
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			goto cleanup;
		ei->funcs = calloc(sh.sh_size / sizeof(Elf64_Sym) + 1, sizeof(*ei->funcs));
		for (i = 0; ei->funcs && i < sh.sh_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s))
				continue;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (!n || !*n || s.st_shndx == SHN_UNDEF)
				continue;
			if (!strcmp(n, "runtime.text"))
				ei->text_sym = s.st_value;
			if (!strcmp(n, "runtime.etext"))
				ei->etext_sym = s.st_value;
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC)
				continue;
			ei->funcs[ei->nfuncs].name = strdup(n);
			ei->funcs[ei->nfuncs].value = s.st_value;
			ei->funcs[ei->nfuncs].size = s.st_size;
			ei->nfuncs++;
		}
	}
	err = 0;
cleanup:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

static void free_elf(struct elfinfo *ei)
{
	size_t i;

	for (i = 0; i < ei->nfuncs; i++)
		free(ei->funcs[i].name);
	free(ei->funcs);
}

/*
 * Go code lies in [runtime.text, runtime.etext); outside it an external
 * linker puts C code (crt files, cgo's _cgo_* and x_cgo_* helpers). The
 * bounds themselves are size-0 markers, not functions.
 */
static bool go_func(const struct elfinfo *ei, const struct sym *s)
{
	return s->value >= ei->text_sym && s->value < ei->etext_sym &&
	       strcmp(s->name, "runtime.text");
}

/*
 * The name pclntab gives .symtab's NAME: the linker appends ".abi0" to ABI0
 * symbols in .symtab only, and go1.19-1.20 write generic names as
 * "pkg.F[...]" in pclntab (nameParts in src/cmd/link/internal/ld/pcln.go).
 */
static bool same_func_name(const char *sym, const char *pcln_name, bool *abi0, bool *shortened)
{
	size_t n = strlen(sym), i, j;
	const char *open, *close;
	char buf[4096], pcln[4096];

	/* .symtab writes the middle dot of pclntab names ("untracedG·4") as '.' */
	for (i = j = 0; pcln_name[i] && j < sizeof(pcln) - 1; i++, j++) {
		if ((unsigned char)pcln_name[i] == 0xc2 && (unsigned char)pcln_name[i + 1] == 0xb7)
			pcln[j] = '.', i++;
		else
			pcln[j] = pcln_name[i];
	}
	pcln[j] = '\0';

	*abi0 = ends_with(sym, ".abi0");
	*shortened = false;
	if (*abi0)
		n -= 5;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, sym, n);
	buf[n] = '\0';
	if (!strcmp(buf, pcln))
		return true;
	open = strchr(buf, '[');
	close = strrchr(buf, ']');
	if (!open || !close || close < open)
		return false;
	*shortened = true;
	return strlen(pcln) == (size_t)(open - buf) + 5 + strlen(close + 1) &&
	       !strncmp(pcln, buf, (size_t)(open - buf)) &&
	       !strncmp(pcln + (open - buf), "[...]", 5) &&
	       !strcmp(pcln + (open - buf) + 5, close + 1);
}

static int sym_by_value(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * Every Go function of .symtab is in pclntab at the same entry under its
 * name, and back; func_addr by name from pclntab alone finds the symbol that
 * .symtab names so (the ABIInternal one when a name has an ABI0 twin).
 */
static void check_symtab(const struct goelf *ge, struct elfinfo *ei)
{
	size_t i, n = goelf__pcln_nfunc(ge), matched = 0, skipped = 0, by_name = 0;

	CHECK(ei->nfuncs > 1000, "only %zu STT_FUNC symbols in .symtab", ei->nfuncs);
	for (i = 0; i < ei->nfuncs; i++) {
		const struct sym *s = &ei->funcs[i];
		uint64_t pc = s->size > 1 ? s->value + 1 : s->value, va = 0;
		bool abi0, shortened;
		struct go_pcinfo pi;

		if (!go_func(ei, s)) {
			skipped++;
			continue;
		}
		checks++;
		if (goelf__pc_lookup(ge, pc, &pi)) {
			fail("pc_lookup(%s+1) found nothing", s->name);
			continue;
		}
		if (pi.entry != s->value || !same_func_name(s->name, pi.func, &abi0, &shortened)) {
			fail("pc_lookup(%s+1 = %#lx) gave %s at %#lx", s->name, (unsigned long)pc,
			     pi.func, (unsigned long)pi.entry);
			continue;
		}
		matched++;
		/* "F[...]" names every instance of F: no single answer to check. */
		if (abi0 || shortened)
			continue;
		CHECK(!goelf__pcln_func_addr(ge, pi.func, &va) && va == s->value,
		      "pcln_func_addr(%s) = %#lx, .symtab %#lx", pi.func, (unsigned long)va,
		      (unsigned long)s->value);
		by_name++;
	}
	qsort(ei->funcs, ei->nfuncs, sizeof(*ei->funcs), sym_by_value);
	for (i = 0; i < n; i++) {
		struct sym key = {.value = 0};
		struct go_pcinfo pi;
		bool found = false, abi0, shortened;
		size_t lo = 0, hi = ei->nfuncs;

		if (goelf__pcln_func(ge, i, &pi)) {
			fail("pclntab function %zu unreadable", i);
			continue;
		}
		key.value = pi.entry;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (sym_by_value(&ei->funcs[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ei->nfuncs && ei->funcs[lo].value == pi.entry; lo++)
			found |= same_func_name(ei->funcs[lo].name, pi.func, &abi0, &shortened);
		CHECK(found, "pclntab %s at %#lx has no .symtab match", pi.func,
		      (unsigned long)pi.entry);
	}
	printf("  .symtab: %zu Go functions at their pclntab entries (%zu by name), %zu non-Go "
	       "skipped; all %zu pclntab functions in .symtab\n",
	       matched, by_name, skipped, n);
}

/* pc_lookup of every function's entry finds that function (binary search edges). */
static void check_functab(const struct goelf *ge)
{
	size_t i, n = goelf__pcln_nfunc(ge), bad = 0;
	uint64_t prev = 0;

	for (i = 0; i < n; i++) {
		struct go_pcinfo a, b;

		if (goelf__pcln_func(ge, i, &a) || goelf__pc_lookup(ge, a.entry, &b) ||
		    b.entry != a.entry || strcmp(a.func, b.func) || a.entry < prev) {
			if (bad++ < 5)
				fail("function %zu: pc_lookup(entry) disagrees", i);
		}
		prev = a.entry;
	}
	checks++;
	printf("  functab: %zu functions, pc_lookup(entry) consistent\n", n);
}

/*
 * Every instruction `go tool objdump` (debug/gosym, an independent reader of
 * the same pclntab; use a recent Go's: go1.19's cannot read the lines of its
 * own PIE builds) lists: pc_lookup gives its function, file and line.
 * Lines look like "TEXT main.add(SB) /path/main.go" and
 * "  main.go:22\t\t0x4814e0\t\t4801d8\t\t\tADDQ BX, AX".
 */
static void check_objdump(const struct goelf *ge, const char *path, const struct elfinfo *ei)
{
	char line[1024], func[512] = "";
	size_t n = 0, bad = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fail("cannot open %s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char file[512], *colon, *p;
		unsigned long pc;
		bool abi0, shortened;
		struct go_pcinfo pi;
		const char *base;
		int ln;

		if (!strncmp(line, "TEXT ", 5)) {
			p = strstr(line, "(SB)");
			snprintf(func, sizeof(func), "%.*s", p ? (int)(p - line - 5) : 0, line + 5);
			continue;
		}
		if (sscanf(line, " %511s %lx", file, &pc) != 2 || !(colon = strrchr(file, ':')))
			continue;
		*colon = '\0';
		/* debug/gosym says -1 where there is no line table, goelf 0 */
		ln = atoi(colon + 1) < 0 ? 0 : atoi(colon + 1);
		/* C code of an externally linked binary has no pclntab entry. */
		if (pc < ei->text_sym || pc >= ei->etext_sym)
			continue;
		n++;
		if (goelf__pc_lookup(ge, pc, &pi)) {
			if (bad++ < 10)
				fail("objdump %s %#lx: pc_lookup found nothing", func, pc);
			continue;
		}
		base = pi.file ? strrchr(pi.file, '/') : NULL;
		base = base ? base + 1 : pi.file;
		if (!same_func_name(func, pi.func, &abi0, &shortened) || pi.line != ln ||
		    (ln && (!base || strcmp(base, file)))) {
			if (bad++ < 10)
				fail("objdump %s %#lx %s:%d, pc_lookup %s %s:%d", func, pc, file,
				     ln, pi.func, base ? base : "?", pi.line);
		}
	}
	fclose(f);
	checks++;
	CHECK(n > 10000, "only %zu instructions in %s", n, path);
	if (bad)
		fail("%zu of %zu objdump instructions disagree", bad, n);
	printf("  objdump: %zu instructions, function/file/line agree with debug/gosym\n", n);
}

struct marker {
	char name[128];
	int line;
	bool body; /* want-line: a statement of the function */
};

static size_t read_markers(const char *path, struct marker *m, size_t max)
{
	char buf[512];
	size_t n = 0;
	int line = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fail("cannot open %s: %s", path, strerror(errno));
		return 0;
	}
	while (fgets(buf, sizeof(buf), f) && n < max) {
		char *p;
		bool body = false;

		line++;
		p = strstr(buf, "// want: ");
		if (!p) {
			p = strstr(buf, "// want-line: ");
			body = p != NULL;
		}
		if (!p)
			continue;
		p = strchr(p, ':') + 2;
		p[strcspn(p, " \n")] = '\0';
		snprintf(m[n].name, sizeof(m[n].name), "%s", p);
		m[n].line = line;
		m[n].body = body;
		n++;
	}
	fclose(f);
	return n;
}

/* file:line of the marked functions and statements, exactly. */
static void check_lines(const struct goelf *ge, const char *main_go)
{
	struct marker m[32];
	char real[PATH_MAX];
	size_t n = read_markers(main_go, m, 32), i;

	if (!realpath(main_go, real))
		snprintf(real, sizeof(real), "%s", main_go);
	CHECK(n >= 8, "only %zu markers in %s", n, main_go);
	for (i = 0; i < n; i++) {
		uint64_t start, end, pc;
		struct go_pcinfo pi;
		bool seen = false, same = true;

		checks++;
		if (goelf__func_range(ge, m[i].name, &start, &end)) {
			fail("%s not found", m[i].name);
			continue;
		}
		if (!m[i].body) {
			CHECK(!goelf__pc_lookup(ge, start, &pi) && pi.file &&
				      !strcmp(pi.file, real) && pi.line == m[i].line,
			      "%s entry at %s:%d, want %s:%d", m[i].name, pi.file ? pi.file : "?",
			      pi.line, real, m[i].line);
			continue;
		}
		for (pc = start; pc < end; pc++) {
			if (goelf__pc_lookup(ge, pc, &pi) || strcmp(pi.func, m[i].name)) {
				same = false;
				continue;
			}
			if (pi.file && !strcmp(pi.file, real) && pi.line == m[i].line)
				seen = true;
		}
		CHECK(same, "a pc of %s [%#lx,%#lx) maps to another function", m[i].name,
		      (unsigned long)start, (unsigned long)end);
		CHECK(seen, "no pc of %s is on %s:%d", m[i].name, real, m[i].line);
	}
	printf("  lines: %zu markers of %s checked\n", n, main_go);
}

/* vaddr -> file offset and goelf__read agree with the bytes of the file. */
static void check_offsets(const struct goelf *ge, const char *path, const struct elfinfo *ei)
{
	uint8_t a[32], b[32];
	uint64_t va, off;
	int fd;

	if (goelf__func_addr(ge, "main.main", &va)) {
		fail("main.main not found");
		return;
	}
	CHECK(!goelf__vaddr_to_offset(ge, va, &off) && off == va - ei->text_addr + ei->text_off,
	      "vaddr_to_offset(main.main) = %#lx, .text says %#lx", (unsigned long)off,
	      (unsigned long)(va - ei->text_addr + ei->text_off));
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, b, sizeof(b), (off_t)off) == (ssize_t)sizeof(b) &&
		      !goelf__read(ge, va, a, sizeof(a)) && !memcmp(a, b, sizeof(a)),
	      "goelf__read(main.main) differs from the file");
	if (fd >= 0)
		close(fd);
	CHECK(goelf__load_base(ge) == ei->lowest_load, "load_base %#lx, want %#lx",
	      (unsigned long)goelf__load_base(ge), (unsigned long)ei->lowest_load);
}

static struct goelf *open_checked(const char *path, const char *want_ver, const char *module,
				  const char *arch)
{
	struct goelf_pcln_info info;
	char err[256];
	struct goelf *ge = goelf__open_err(path, err, sizeof(err));

	if (!ge) {
		fail("cannot open %s: %s", path, err);
		return NULL;
	}
	CHECK(goelf__go_version(ge) && !strcmp(goelf__go_version(ge), want_ver),
	      "version %s, want %s", goelf__go_version(ge) ? goelf__go_version(ge) : "(none)",
	      want_ver);
	CHECK(!strcmp(goelf__mod_path(ge), module), "module \"%s\", want \"%s\"",
	      goelf__mod_path(ge), module);
	CHECK(!strcmp(goelf__arch_name(ge), arch), "arch %s, want %s", goelf__arch_name(ge), arch);
	if (goelf__pcln_info(ge, &info)) {
		fail("no pclntab");
	} else {
		printf("  pclntab %#x at %#lx via %s, %lu funcs, quantum %u, textStart %#lx via "
		       "%s\n",
		       info.magic, (unsigned long)info.vaddr, info.found_by,
		       (unsigned long)info.nfunc, info.quantum, (unsigned long)info.text_start,
		       info.text_by);
	}
	return ge;
}

/* Plain and stripped builds: the same functions at the same entries and lines. */
static bool same_layout(const struct goelf *a, const struct goelf *b)
{
	size_t i, n = goelf__pcln_nfunc(a);

	if (n != goelf__pcln_nfunc(b))
		return false;
	for (i = 0; i < n; i++) {
		struct go_pcinfo x, y;

		if (goelf__pcln_func(a, i, &x) || goelf__pcln_func(b, i, &y) ||
		    strcmp(x.func, y.func) || x.entry != y.entry || x.line != y.line ||
		    !x.file != !y.file || (x.file && strcmp(x.file, y.file)))
			return false;
	}
	return true;
}

static void check_stripped(const struct goelf *ge, const char *ref_path, const char *want_ver,
			   const char *module, const char *arch)
{
	static const char *const names[] = {"runtime.casgstatus", "main.main", "runtime.newproc1",
					    "runtime.goexit1", "main.main.func1"};
	struct goelf *ref = open_checked(ref_path, want_ver, module, arch);
	size_t i;

	if (!ref)
		return;
	CHECK(goelf__has_symtab(ref), "reference %s has no .symtab", ref_path);
	CHECK(same_layout(ge, ref), "stripped and unstripped builds differ in function layout");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t a = 0, b = 0, va = 0, sz = 0;

		CHECK(!goelf__func_addr(ge, names[i], &a) && !goelf__func_addr(ref, names[i], &b) &&
			      !goelf__sym_addr(ref, names[i], &va, &sz) && a == b && a == va,
		      "%s: stripped %#lx, unstripped %#lx, .symtab %#lx", names[i],
		      (unsigned long)a, (unsigned long)b, (unsigned long)va);
	}
	printf("  stripped: same layout as %s, func_addr matches its .symtab\n", ref_path);
	goelf__free(ref);
}

/*
 * go1.19's waits named by the caller of casgstatus (src/goexe/waitsites.c):
 * the six call sites every program links are found, and the return
 * address at the probe site (the nop at +0x1f on amd64, GO-VERSIONS.md (b))
 * is where casgstatus's own `sub $N, %rsp` puts it.
 */
static void check_wait_sites(const struct goelf *ge, const char *ver)
{
	struct wait_site ws[WAIT_SITES_MAX];
	uint64_t start, end;
	uint8_t code[4];
	uint32_t off;
	int major, minor, n, in_lr;

	if (go_version_parse(ver, &major, &minor))
		return;
	n = wait_sites__find(ge, major, minor, ws);
	if (minor != 19) {
		CHECK(n == 0, "%d wait sites on go1.%d, want none", n, minor);
		return;
	}
	CHECK(n >= 6, "%d wait sites, want 6 at least", n);
	if (goelf__arch(ge) != GOELF_ARCH_AMD64 ||
	    goelf__func_range(ge, "runtime.casgstatus", &start, &end) ||
	    goelf__read(ge, start, code, sizeof(code)))
		return;
	CHECK(code[0] == 0x48 && code[1] == 0x83 && code[2] == 0xec,
	      "casgstatus does not start with sub $imm8, %%rsp");
	CHECK(!wait_sites__return_address(ge, start + 0x1f, &in_lr, &off) && !in_lr &&
		      off == code[3],
	      "return address at SP+%u, want SP+%u", off, code[3]);
}

/*
 * Goroutine 1's start, runtime.main, named as Go's dump shows it: main.main
 * (src/goexe/pclntab.c main_goroutine); runtime.main itself elsewhere.
 */
static void check_main_goroutine(const struct goelf *ge)
{
	struct go_pcinfo pi = {0}, mm = {0};
	uint64_t rm;

	if (goelf__pcln_func_addr(ge, "runtime.main", &rm)) {
		fail("runtime.main not in pclntab");
		return;
	}
	CHECK(!goelf__start_func(ge, rm, &pi) &&
		      !goelf__pcln_func_addr(ge, "main.main", &mm.entry) &&
		      !strcmp(pi.func, "main.main") && pi.entry == mm.entry,
	      "start of goroutine 1: %s, want main.main", pi.func ? pi.func : "?");
	CHECK(!goelf__pc_lookup(ge, rm, &pi) && !strcmp(pi.func, "runtime.main"),
	      "runtime.main's entry looked up as %s", pi.func ? pi.func : "?");
	CHECK(!goelf__start_func(ge, rm + 1, &pi) && !strcmp(pi.func, "runtime.main"),
	      "inside runtime.main as a start: %s", pi.func ? pi.func : "?");
}

static int check_go(char **argv)
{
	const char *bin = argv[2], *kind = argv[3], *module = argv[5], *arch = argv[6];
	const char *main_go = argv[7], *ref = argv[8];
	bool stripped = strstr(kind, "stripped") != NULL;
	bool pie = strstr(kind, "pie") != NULL;
	char want_ver[64];
	struct elfinfo ei;
	struct goelf *ge;

	snprintf(want_ver, sizeof(want_ver), "go%s", argv[4]);
	ge = open_checked(bin, want_ver, module, arch);
	if (!ge)
		return 1;
	CHECK(goelf__is_pie(ge) == pie, "is_pie %d, want %d", goelf__is_pie(ge), pie);
	CHECK(goelf__has_symtab(ge) == !stripped, "has_symtab %d", goelf__has_symtab(ge));
	CHECK(goelf__has_dwarf(ge) == !stripped, "has_dwarf %d", goelf__has_dwarf(ge));
	if (read_elf(bin, &ei)) {
		fail("libelf cannot read %s", bin);
	} else {
		if (!stripped) {
			struct goelf_pcln_info info;

			CHECK(!goelf__pcln_info(ge, &info) && info.text_start == ei.text_sym,
			      "textStart %#lx, runtime.text %#lx", (unsigned long)info.text_start,
			      (unsigned long)ei.text_sym);
			check_symtab(ge, &ei);
			check_objdump(ge, ref, &ei);
		}
		check_offsets(ge, bin, &ei);
		free_elf(&ei);
	}
	check_functab(ge);
	check_lines(ge, main_go);
	check_wait_sites(ge, want_ver);
	check_main_goroutine(ge);
	if (stripped)
		check_stripped(ge, ref, want_ver, module, arch);
	goelf__free(ge);
	return 0;
}

static int check_fzf(char **argv)
{
	const char *bin = argv[2], *want_ver = argv[3], *module = argv[4];
	uint64_t casg = 0, start = 0, end = 0, pc;
	struct goelf *ge;
	struct go_pcinfo pi;
	bool all_main = true;

	if (access(bin, R_OK)) {
		fail("%s is missing: apt-get install fzf", bin);
		return 1;
	}
	ge = open_checked(bin, want_ver, module, "amd64");
	if (!ge)
		return 1;
	CHECK(!goelf__has_symtab(ge), "fzf unexpectedly has .symtab");
	CHECK(!goelf__is_pie(ge), "fzf unexpectedly PIE");
	CHECK(!goelf__func_addr(ge, "runtime.casgstatus", &casg) && casg,
	      "runtime.casgstatus not found");
	CHECK(!goelf__func_range(ge, "main.main", &start, &end) && end > start,
	      "main.main not found");
	for (pc = start; pc < end; pc++)
		if (goelf__pc_lookup(ge, pc, &pi) || strcmp(pi.func, "main.main"))
			all_main = false;
	CHECK(all_main, "a pc of main.main maps elsewhere");
	CHECK(!goelf__pc_lookup(ge, start + (end - start) / 2, &pi) && pi.file &&
		      ends_with(pi.file, "main.go") && pi.line > 0,
	      "pc_lookup inside main.main: %s:%d", pi.file ? pi.file : "?", pi.line);
	printf("  runtime.casgstatus %#lx, main.main [%#lx,%#lx) %s:%d\n", (unsigned long)casg,
	       (unsigned long)start, (unsigned long)end, pi.file ? pi.file : "?", pi.line);
	check_functab(ge);
	goelf__free(ge);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 9 && !strcmp(argv[1], "go")) {
		label = argv[2];
		printf("%s (%s):\n", argv[2], argv[3]);
		check_go(argv);
	} else if (argc == 5 && !strcmp(argv[1], "fzf")) {
		label = argv[2];
		printf("%s:\n", argv[2]);
		check_fzf(argv);
	} else {
		fprintf(stderr,
			"usage: %s go BIN KIND GOVERSION MODULE ARCH MAIN_GO REF\n"
			"       %s fzf BIN GOVERSION MODULE\n",
			argv[0], argv[0]);
		return 2;
	}
	printf("  %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
