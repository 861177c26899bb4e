// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-Go-version facts: runtime.g/m/p offsets from the target's DWARF or
 * from the generated table (gotables_data.c), wait-reason strings from the
 * target's runtime.waitReasonStrings or from the table, and version rules.
 * docs/GO-VERSIONS.md holds the research behind each fact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "goelf.h"
#include "gotables.h"

#ifndef R_AARCH64_RELATIVE
#define R_AARCH64_RELATIVE 1027
#endif

/* runtime.waitReasonStrings is a [N]string: {ptr, len}, 8 bytes each on 64-bit. */
#define GO_STRING_SIZE 16
/* The longest wait reason up to go1.26 has 34 bytes; anything far longer is not one. */
#define GO_MAX_WAITREASON_LEN 255

static int parse_uint(const char **s, int *out)
{
	const char *p = *s;
	long v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 100000)
			return -EINVAL;
		p++;
	}
	*s = p;
	*out = (int)v;
	return 0;
}

/*
 * Accepted, as runtime.Version() and .go.buildinfo spell them:
 *   go1.21  go1.22.12  go1.23rc1  go1.21beta1  "go1.22.0 X:loopvar"
 *   go1.26.8-X:sizespecializedmalloc
 *   "devel go1.26-abcdef12 Tue Jan 1 00:00:00 2026 +0000"
 * Anything else, including old "devel +abcdef" strings, is -EINVAL.
 */
int go_version_parse(const char *version, int *major, int *minor)
{
	const char *p = version;
	bool devel = false;
	int ma, mi, patch;

	if (!p)
		return -EINVAL;
	if (!strncmp(p, "devel ", 6)) {
		devel = true;
		p += 6;
	}
	if (strncmp(p, "go", 2))
		return -EINVAL;
	p += 2;
	if (parse_uint(&p, &ma) || *p++ != '.' || parse_uint(&p, &mi) || ma < 1)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (parse_uint(&p, &patch))
			return -EINVAL;
	} else if (!strncmp(p, "rc", 2) || !strncmp(p, "beta", 4)) {
		p += p[0] == 'r' ? 2 : 4;
		if (parse_uint(&p, &patch))
			return -EINVAL;
	}
	/* go1.26 writes experiments as "go1.26.8-X:sizespecializedmalloc". */
	if (*p == '-' && (devel || !strncmp(p, "-X:", 3)))
		p = "";
	if (*p != '\0' && *p != ' ')
		return -EINVAL;
	if (major)
		*major = ma;
	if (minor)
		*minor = mi;
	return 0;
}

const struct go_table_entry *go_tables__entry(int major, int minor)
{
	for (unsigned int i = 0; i < go_table_len; i++) {
		if (go_table[i].major == major && go_table[i].minor == minor)
			return &go_table[i];
	}
	errno = ENOENT;
	return NULL;
}

int go_tables__offsets_from_table(int major, int minor, struct xg_offsets *off)
{
	const struct go_table_entry *e = go_tables__entry(major, minor);

	if (!e)
		return -ENOENT;
	*off = e->off;
	return 0;
}

/*
 * newproc1 (runtime/proc.go) sets newg.goid after casgstatus(newg, _Gdead,
 * _Grunnable) up to go1.23 (1.19.13 proc.go:4177 then :4188, 1.23.12
 * proc.go:5124 then :5133) and before it from go1.24 on (1.24.13
 * proc.go:5178 then :5179, 1.26.8 proc.go:5398 then :5399).
 */
bool go_tables__goid_before_create(int major, int minor)
{
	return major > 1 || (major == 1 && minor >= 24);
}

const char *go_tables__waitreason(const struct go_tables *t, unsigned int reason)
{
	if (!t || reason >= t->n_waitreasons || reason >= GO_MAX_WAITREASONS)
		return NULL;
	return t->waitreasons[reason];
}

int go_tables__reason_index(struct go_tables *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n_waitreasons && i < GO_MAX_WAITREASONS; i++)
		if (t->waitreasons[i] && !strcmp(t->waitreasons[i], name))
			return (int)i;
	if (t->n_waitreasons >= GO_MAX_WAITREASONS)
		return -ENOSPC;
	t->waitreasons[t->n_waitreasons] = name;
	return (int)t->n_waitreasons++;
}

/*
 * runtime.stwReasonStrings (proc.go): the same 17 strings in the same
 * order in every release from go1.21.0 to go1.26.8.
 */
static const char *const stw_reasons_go121[] = {
	"unknown",
	"GC mark termination",
	"GC sweep termination",
	"write heap dump",
	"goroutine profile",
	"goroutine profile cleanup",
	"all goroutines stack trace",
	"read mem stats",
	"AllThreadsSyscall",
	"GOMAXPROCS",
	"start trace",
	"stop trace",
	"CountPagesInUse (test)",
	"ReadMetricsSlow (test)",
	"ReadMemStatsSlow (test)",
	"PageCachePagesLeaked (test)",
	"ResetDebugLog (test)",
};

bool go_tables__stw_has_reason(int major, int minor)
{
	return major == 1 && minor >= 21;
}

const char *go_tables__stw_reason(int major, int minor, unsigned int reason)
{
	/* Newer releases may renumber: never a wrong string, "#N" instead. */
	if (major != 1 || minor < 21 || minor > 26)
		return NULL;
	if (reason >= sizeof(stw_reasons_go121) / sizeof(stw_reasons_go121[0]))
		return NULL;
	return stw_reasons_go121[reason];
}

void go_tables__free(struct go_tables *t)
{
	if (!t)
		return;
	free(t->strbuf);
	t->strbuf = NULL;
	memset(t->waitreasons, 0, sizeof(t->waitreasons));
	t->n_waitreasons = 0;
}

static void use_table_waitreasons(struct go_tables *t, const struct go_table_entry *e)
{
	unsigned int n = e->n_waitreasons;

	if (n > GO_MAX_WAITREASONS)
		n = GO_MAX_WAITREASONS;
	for (unsigned int i = 0; i < n; i++)
		t->waitreasons[i] = e->waitreasons[i];
	t->n_waitreasons = n;
	snprintf(t->wait_source, sizeof(t->wait_source), "table go%d.%d", e->major, e->minor);
}

int go_tables__from_table(const char *version, struct go_tables *t)
{
	const struct go_table_entry *e;
	int major, minor;

	memset(t, 0, sizeof(*t));
	if (go_version_parse(version, &major, &minor))
		return -EINVAL;
	e = go_tables__entry(major, minor);
	if (!e)
		return -ENOENT;
	t->off = e->off;
	snprintf(t->off_source, sizeof(t->off_source), "table go%d.%d", major, minor);
	use_table_waitreasons(t, e);
	t->goid_before_create = go_tables__goid_before_create(major, minor);
	return 0;
}

/* --- DWARF ------------------------------------------------------------------ */

struct dwarf_field {
	const char *type;
	const char *member;
	size_t off; /* offsetof(struct xg_offsets, ...) */
	bool optional;
};

#define FIELD(t, m, f, opt)                               \
	{                                                 \
		t, m, offsetof(struct xg_offsets, f), opt \
	}

static const struct dwarf_field dwarf_fields[] = {
	FIELD("runtime.g", "goid", g_goid, false),
	FIELD("runtime.g", "m", g_m, false),
	FIELD("runtime.g", "waitreason", g_waitreason, false),
	FIELD("runtime.g", "gopc", g_gopc, false),
	FIELD("runtime.g", "startpc", g_startpc, false),
	FIELD("runtime.g", "waitsince", g_waitsince, false),
	/* Added in go1.21 (runtime2.go, "parentGoid uint64"). */
	FIELD("runtime.g", "parentGoid", g_parent_goid, true),
	FIELD("runtime.m", "curg", m_curg, false),
	FIELD("runtime.m", "procid", m_procid, false),
	FIELD("runtime.m", "id", m_id, false),
	FIELD("runtime.m", "p", m_p, false),
	FIELD("runtime.p", "id", p_id, false),
};

#define N_FIELDS (sizeof(dwarf_fields) / sizeof(dwarf_fields[0]))

/* A member the DWARF walk looks for: TYPE.MEMBER's offset goes to *OUT. */
struct dwarf_want {
	const char *type;
	const char *member;
	uint32_t *out;
	bool found;   /* *OUT was written */
	bool in_type; /* the definition of TYPE was read */
};

static int member_offset(Dwarf_Die *member, Dwarf_Word *off)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr(member, DW_AT_data_member_location, &attr))
		return -ENOENT;
	if (dwarf_formudata(&attr, off) == 0)
		return 0;
	/* DWARF 2 style: a location expression "DW_OP_plus_uconst N". */
	if (dwarf_getlocation(&attr, &ops, &nops) == 0 && nops == 1 &&
	    ops[0].atom == DW_OP_plus_uconst) {
		*off = ops[0].number;
		return 0;
	}
	return -ENOENT;
}

static int read_struct(Dwarf_Die *st, const char *type, struct dwarf_want *w, size_t n)
{
	Dwarf_Die child;

	if (dwarf_child(st, &child) != 0)
		return -ENOENT;
	do {
		const char *name;
		Dwarf_Word o;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		name = dwarf_diename(&child);
		if (!name)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(w[i].type, type) || strcmp(w[i].member, name))
				continue;
			if (member_offset(&child, &o) || o > UINT32_MAX)
				return -ENOENT;
			*w[i].out = (uint32_t)o;
			w[i].found = true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

/*
 * Read the wanted members W[0..N) from the DWARF of PATH, setting found and
 * in_type of each. 0 when the definition of some wanted type was read,
 * -ENODATA when none was (no DWARF, or DWARF without them), -ENOENT for a
 * member whose offset cannot be read, -errno.
 */
static int dwarf_read_members(const char *path, struct dwarf_want *w, size_t n)
{
	Dwarf_Off cu = 0, next;
	size_t hsize, left = n;
	bool any = false;
	Dwarf *dw = NULL;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dw = dwarf_begin(fd, DWARF_C_READ);
	/*
	 * Go puts type DIEs at the top level of a compilation unit; walk the
	 * top level of every CU until every wanted type has been seen. libdw
	 * reports "no DWARF" and "not an ELF file" alike (dw NULL).
	 */
	while (dw && left && !err && dwarf_nextcu(dw, cu, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cudie, die;

		if (!dwarf_offdie(dw, cu + hsize, &cudie) || dwarf_child(&cudie, &die) != 0) {
			cu = next;
			continue;
		}
		cu = next;
		do {
			const char *name;
			bool wanted = false;

			/* A declaration without members is not the definition. */
			if (dwarf_tag(&die) != DW_TAG_structure_type || !dwarf_haschildren(&die))
				continue;
			name = dwarf_diename(&die);
			for (size_t i = 0; name && i < n; i++)
				wanted |= !w[i].in_type && !strcmp(name, w[i].type);
			if (!wanted)
				continue;
			err = read_struct(&die, name, w, n);
			for (size_t i = 0; i < n; i++) {
				if (!w[i].in_type && !strcmp(name, w[i].type)) {
					w[i].in_type = true;
					left--;
				}
			}
			any = true;
		} while (!err && dwarf_siblingof(&die, &die) == 0);
	}
	dwarf_end(dw);
	close(fd);
	return err ? err : any ? 0 : -ENODATA;
}

/* Returns 0, -ENODATA (no DWARF), -ENOENT (MISSING names the type of the first absent field). */
static int offsets_from_dwarf(const char *path, struct xg_offsets *out, const char **missing)
{
	struct dwarf_want w[N_FIELDS];
	struct xg_offsets off = {0};
	int err;

	*missing = NULL;
	for (size_t i = 0; i < N_FIELDS; i++)
		w[i] = (struct dwarf_want){.type = dwarf_fields[i].type,
					   .member = dwarf_fields[i].member,
					   .out = (uint32_t *)((char *)&off + dwarf_fields[i].off)};
	err = dwarf_read_members(path, w, N_FIELDS);
	for (size_t i = 0; !err && i < N_FIELDS; i++) {
		if (!w[i].found && !dwarf_fields[i].optional) {
			*missing = dwarf_fields[i].type;
			err = -ENOENT;
		}
	}
	if (!err)
		*out = off;
	return err;
}

int go_tables__offsets_from_dwarf(const char *path, struct xg_offsets *off)
{
	const char *missing;

	return offsets_from_dwarf(path, off, &missing);
}

int go_tables__members_from_dwarf(const char *path, const char *type, const char *const *members,
				  size_t n, uint32_t *off)
{
	struct dwarf_want w[GO_MAX_DWARF_MEMBERS];
	int err;

	if (n > GO_MAX_DWARF_MEMBERS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		w[i] = (struct dwarf_want){.type = type, .member = members[i], .out = &off[i]};
	err = dwarf_read_members(path, w, n);
	for (size_t i = 0; !err && i < n; i++)
		if (!w[i].found)
			err = -ENOENT;
	return err;
}

/* --- runtime.waitReasonStrings ----------------------------------------------- */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * In a PIE the dynamic loader writes each string pointer of the array from
 * an R_*_RELATIVE entry (base + addend). Go's internal linker (section
 * ".rela") and GNU ld (".rela.dyn") also store the addend in the file up to
 * go1.26, but nothing obliges them to, so the addend wins when there is one.
 * DT_RELR (SHT_RELR) relocations keep their addend in place: nothing to do.
 * A slot covered by any other relocation type cannot be resolved from the
 * file alone: -ENOTSUP.
 */
static int relative_addends(Elf *elf, uint64_t lo, unsigned int n, uint64_t *addend, bool *have)
{
	uint64_t hi = lo + (uint64_t)n * GO_STRING_SIZE;
	unsigned int relative;
	Elf_Scn *scn = NULL;
	GElf_Ehdr ehdr;

	if (!gelf_getehdr(elf, &ehdr) || gelf_getclass(elf) != ELFCLASS64)
		return -EINVAL;
	if (ehdr.e_machine == EM_X86_64)
		relative = R_X86_64_RELATIVE;
	else if (ehdr.e_machine == EM_AARCH64)
		relative = R_AARCH64_RELATIVE;
	else
		return -ENOTSUP;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data = NULL;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC))
			continue;
		while ((data = elf_getdata(scn, data))) {
			size_t cnt = sh.sh_entsize ? data->d_size / sh.sh_entsize : 0;

			if (cnt > INT32_MAX)
				return -EINVAL;
			for (size_t i = 0; i < cnt; i++) {
				GElf_Rela r;
				uint64_t slot;

				if (!gelf_getrela(data, (int)i, &r))
					return -EINVAL;
				if (r.r_offset < lo || r.r_offset >= hi)
					continue;
				slot = (r.r_offset - lo) / GO_STRING_SIZE;
				/* Only the pointer word of each {ptr, len} may carry one. */
				if ((r.r_offset - lo) % GO_STRING_SIZE ||
				    GELF_R_TYPE(r.r_info) != relative)
					return -ENOTSUP;
				addend[slot] = (uint64_t)r.r_addend;
				have[slot] = true;
			}
		}
	}
	return 0;
}

static bool is_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

int go_tables__waitreasons_from_binary(const struct goelf *ge, struct Elf *elf, struct go_tables *t)
{
	unsigned char arr[GO_MAX_WAITREASONS * GO_STRING_SIZE];
	uint64_t addend[GO_MAX_WAITREASONS] = {0}, ptr[GO_MAX_WAITREASONS], len[GO_MAX_WAITREASONS];
	bool have[GO_MAX_WAITREASONS] = {0};
	uint64_t va, size, total = 0;
	enum goelf_arch arch;
	unsigned int n;
	char *buf, *p;
	int err;

	arch = goelf__arch(ge);
	if (arch != GOELF_ARCH_AMD64 && arch != GOELF_ARCH_ARM64)
		return -ENOTSUP;
	if (!goelf__has_symtab(ge) || goelf__sym_addr(ge, "runtime.waitReasonStrings", &va, &size))
		return -ENOENT;
	if (!size || size % GO_STRING_SIZE)
		return -EINVAL;
	/* Reasons past GO_MAX_WAITREASONS stay unknown (NULL), never wrong. */
	n = size / GO_STRING_SIZE > GO_MAX_WAITREASONS ? GO_MAX_WAITREASONS
						       : (unsigned int)(size / GO_STRING_SIZE);
	if (goelf__read(ge, va, arr, (size_t)n * GO_STRING_SIZE))
		return -EINVAL;
	if (elf) {
		err = relative_addends(elf, va, n, addend, have);
		if (err)
			return err;
	}
	for (unsigned int i = 0; i < n; i++) {
		ptr[i] = have[i] ? addend[i] : le64(arr + i * GO_STRING_SIZE);
		len[i] = le64(arr + i * GO_STRING_SIZE + 8);
		if (len[i] > GO_MAX_WAITREASON_LEN)
			return -EINVAL;
		total += len[i] + 1;
	}
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	p = buf;
	for (unsigned int i = 0; i < n; i++) {
		if (len[i] && (goelf__read(ge, ptr[i], p, len[i]) || !is_text(p, len[i]))) {
			free(buf);
			return -EINVAL;
		}
		p[len[i]] = '\0';
		p += len[i] + 1;
	}
	free(t->strbuf);
	t->strbuf = buf;
	memset(t->waitreasons, 0, sizeof(t->waitreasons));
	for (unsigned int i = 0; i < n; i++) {
		t->waitreasons[i] = buf;
		buf += len[i] + 1;
	}
	t->n_waitreasons = n;
	snprintf(t->wait_source, sizeof(t->wait_source), "binary");
	return 0;
}

int go_tables__waitreasons_from_mem(const void *buf, size_t len, struct go_tables *t)
{
	struct goelf *ge = NULL;
	Elf *elf = NULL;
	char *copy;
	int err;

	/* libelf may convert a private image in place: give it a copy. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	ge = goelf__open_mem(copy, len);
	if (!ge) {
		err = errno ? -errno : -EINVAL;
		goto cleanup;
	}
	elf_version(EV_CURRENT);
	elf = elf_memory(copy, len);
	if (!elf) {
		err = -EINVAL;
		goto cleanup;
	}
	err = go_tables__waitreasons_from_binary(ge, elf, t);
cleanup:
	elf_end(elf);
	goelf__free(ge);
	free(copy);
	return err;
}

static int waitreasons_from_path(const struct goelf *ge, const char *path, struct go_tables *t)
{
	Elf *elf = NULL;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		err = -EINVAL;
		goto cleanup;
	}
	err = go_tables__waitreasons_from_binary(ge, elf, t);
cleanup:
	elf_end(elf);
	close(fd);
	return err;
}

/* --- all together ------------------------------------------------------------ */

int go_tables__load(const struct goelf *ge, const char *path, struct go_tables *t, char *errmsg,
		    unsigned long errmsg_len)
{
	const struct go_table_entry *e = NULL;
	const char *version, *missing = NULL;
	int major, minor, err;

	memset(t, 0, sizeof(*t));
	if (errmsg && errmsg_len)
		errmsg[0] = '\0';
	version = goelf__go_version(ge);
	if (!version) {
		if (errmsg)
			snprintf(errmsg, errmsg_len, "%s is not a Go binary (no .go.buildinfo)",
				 path);
		return -ENOENT;
	}
	/* The goid rule needs the release: a version we cannot read is not guessed. */
	if (go_version_parse(version, &major, &minor)) {
		if (errmsg)
			snprintf(errmsg, errmsg_len,
				 "%s: cannot parse Go version \"%s\": update xgotop-tui", path,
				 version);
		return -ENOTSUP;
	}
	e = go_tables__entry(major, minor);
	t->goid_before_create = go_tables__goid_before_create(major, minor);

	err = offsets_from_dwarf(path, &t->off, &missing);
	if (!err) {
		snprintf(t->off_source, sizeof(t->off_source), "dwarf");
	} else if (e) {
		t->off = e->off;
		snprintf(t->off_source, sizeof(t->off_source), "table go%d.%d", major, minor);
	} else {
		if (errmsg && err == -ENODATA)
			snprintf(errmsg, errmsg_len,
				 "%s has no known offsets and the binary has no DWARF: rebuild "
				 "without -ldflags=-w or update xgotop-tui",
				 version);
		else if (errmsg && err == -ENOENT)
			snprintf(errmsg, errmsg_len,
				 "%s has no known offsets and the binary's DWARF lacks a field of "
				 "%s: update xgotop-tui",
				 version, missing ? missing : "runtime.g");
		else if (errmsg)
			snprintf(errmsg, errmsg_len,
				 "%s has no known offsets and the DWARF of %s cannot be read: %s",
				 version, path, strerror(-err));
		return -ENOTSUP;
	}

	if (goelf__has_symtab(ge) && waitreasons_from_path(ge, path, t) == 0)
		return 0;
	if (e)
		use_table_waitreasons(t, e);
	else
		snprintf(t->wait_source, sizeof(t->wait_source), "none");
	return 0;
}
