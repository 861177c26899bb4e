// SPDX-License-Identifier: BSD-2-Clause
/*
 * gotables_check KIND BINARY: checks what gotables makes of one build of
 * tools/gotables-sample against the generated table row of its release.
 *   plain     DWARF offsets == table, wait reasons read from the binary == table,
 *             the stack sweep's g fields (src/live/gsnap.c) == DWARF
 *   pie       the same, and the binary is ET_DYN
 *   stripped  no .symtab, no DWARF: everything comes from the table
 *   relocs    a copy of the PIE BINARY whose string pointers are zeroed must
 *             still read its wait reasons, from the RELATIVE relocations
 * Prints one line per failed check and exits 1 on any failure.
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
#include "gsnap.h"
#include "heapstats.h"

static int failed;
static const char *bin;

#define CHECK(cond, ...)                              \
	do {                                          \
		if (!(cond)) {                        \
			fprintf(stderr, "%s: ", bin); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr);          \
			failed = 1;                   \
		}                                     \
	} while (0)

static const struct go_table_entry *row_of(const struct goelf *ge)
{
	const struct go_table_entry *e;
	int major, minor;

	if (go_version_parse(goelf__go_version(ge), &major, &minor))
		return NULL;
	e = go_tables__entry(major, minor);
	return e;
}

static void check_offsets(const struct xg_offsets *got, const struct xg_offsets *want,
			  const char *what)
{
#define F(f) CHECK(got->f == want->f, "%s: " #f " is %u, the table says %u", what, got->f, want->f)
	F(g_goid);
	F(g_m);
	F(g_waitreason);
	F(g_gopc);
	F(g_startpc);
	F(m_curg);
	F(m_procid);
	F(m_id);
	F(m_p);
	F(p_id);
	F(g_waitsince);
	F(g_parent_goid);
#undef F
}

/* The offsets of MEMBERS of TYPE in the DWARF of the binary, or false. */
static bool members(const char *type, const char *const *m, size_t n, uint32_t *off)
{
	int err = go_tables__members_from_dwarf(bin, type, m, n, off);

	CHECK(!err, "%s members not read from DWARF: %s", type, strerror(-err));
	return !err;
}

/*
 * The fields of a g the stack sweep reads (gsnap__read: offsets from the
 * g's start, so g's own syscallsp and syscallpc, not a gobuf's): the
 * per-release table of g_layout__init, the atomicstatus it puts before
 * goid, and the fixed g.stack.{lo,hi}, g.sched.{sp,pc}, against DWARF.
 */
static void check_gsnap(const struct go_table_entry *e)
{
	static const char *const g[] = {"syscallsp",	"syscallpc", "lockedm", "trackingSeq",
					"atomicstatus", "stack",     "sched"};
	static const char *const stack[] = {"lo", "hi"}, *const gobuf[] = {"sp", "pc"};
	uint32_t go[sizeof(g) / sizeof(g[0])], so[2], bo[2];
	struct g_layout l;

	CHECK(!g_layout__init(&l, e->minor, e->off.g_goid), "no g layout for go%d.%d", e->major,
	      e->minor);
	if (!members("runtime.g", g, sizeof(g) / sizeof(g[0]), go) ||
	    !members("runtime.stack", stack, 2, so) || !members("runtime.gobuf", gobuf, 2, bo))
		return;
#define G(name, got, want) \
	CHECK(got == want, "gsnap: g." name " is at %u in DWARF, gsnap says %u", got, want)
	G("syscallsp", go[0], l.syscallsp);
	G("syscallpc", go[1], l.syscallpc);
	G("lockedm", go[2], l.lockedm);
	G("trackingSeq", go[3], l.tracking_seq);
	G("atomicstatus", go[4], l.status);
	G("stack.lo", go[5] + so[0], G_STACK_LO);
	G("stack.hi", go[5] + so[1], G_STACK_HI);
	G("sched.sp", go[6] + bo[0], G_SCHED_SP);
	G("sched.pc", go[6] + bo[1], G_SCHED_PC);
#undef G
}

static void check_reasons(const struct go_tables *t, const struct go_table_entry *e)
{
	CHECK(t->n_waitreasons == e->n_waitreasons, "%u wait reasons, the table has %u",
	      t->n_waitreasons, e->n_waitreasons);
	for (unsigned int i = 0; i < t->n_waitreasons && i < e->n_waitreasons; i++) {
		const char *s = go_tables__waitreason(t, i);

		CHECK(s && !strcmp(s, e->waitreasons[i]),
		      "wait reason %u is \"%s\", the table says \"%s\"", i, s ? s : "(null)",
		      e->waitreasons[i]);
	}
	CHECK(!go_tables__waitreason(t, t->n_waitreasons), "reason %u past the end is not NULL",
	      t->n_waitreasons);
}

static int load(const char *path, struct go_tables *t)
{
	char errmsg[256];
	struct goelf *ge;
	int err;

	ge = goelf__open(path);
	if (!ge) {
		CHECK(0, "goelf cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	err = go_tables__load(ge, path, t, errmsg, sizeof(errmsg));
	CHECK(!err, "go_tables__load: %s (%s)", strerror(-err), errmsg);
	goelf__free(ge);
	return err;
}

/* Write PATH.relocs with the pointer word of every string of the array zeroed. */
static int zero_pointers(const struct goelf *ge, const char *path, char *out, size_t outlen)
{
	uint64_t va, size, off;
	unsigned char *img = NULL;
	int err = -EIO;
	FILE *f = NULL;
	long len;

	snprintf(out, outlen, "%s.relocs", path);
	if (goelf__sym_addr(ge, "runtime.waitReasonStrings", &va, &size) ||
	    goelf__vaddr_to_offset(ge, va, &off))
		return -ENOENT;
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto cleanup;
	img = malloc(len);
	if (!img || fread(img, 1, len, f) != (size_t)len || off + size > (uint64_t)len)
		goto cleanup;
	fclose(f);
	for (uint64_t i = 0; i < size; i += 16)
		memset(img + off + i, 0, 8);
	f = fopen(out, "wb");
	if (!f || fwrite(img, 1, len, f) != (size_t)len)
		goto cleanup;
	err = 0;
cleanup:
	if (f)
		fclose(f);
	free(img);
	return err;
}

static void check_relocs(const struct goelf *ge, const struct go_table_entry *e)
{
	struct go_tables t = {0};
	struct goelf *zge;
	char zpath[4096];

	CHECK(goelf__is_pie(ge), "not a PIE");
	if (zero_pointers(ge, bin, zpath, sizeof(zpath))) {
		CHECK(0, "cannot write a copy with zeroed string pointers");
		return;
	}
	zge = goelf__open(zpath);
	CHECK(zge, "goelf cannot open %s", zpath);
	if (!zge)
		return;
	/* Without the relocations the zeroed words do not read back. */
	CHECK(go_tables__waitreasons_from_binary(zge, NULL, &t) == -EINVAL,
	      "%s: wait reasons read without relocations", zpath);
	go_tables__free(&t);
	goelf__free(zge);
	if (!load(zpath, &t)) {
		CHECK(!strcmp(t.wait_source, "binary"), "%s: wait reasons from \"%s\"", zpath,
		      t.wait_source);
		check_reasons(&t, e);
	}
	go_tables__free(&t);
}

/*
 * The heap statistics (src/goexe/heapstats.c): a layout for the release,
 * and runtime.memstats found from the code, where the symbol says it is.
 */
static void check_heap(const struct goelf *ge, const struct go_table_entry *e)
{
	struct heap_layout l;
	uint64_t code = 0, sym = 0, size;
	int err;

	CHECK(!heap__layout_for(e->major, e->minor, 0, &l), "no heap layout for go%d.%d", e->major,
	      e->minor);
	err = heap__memstats_from_code(ge, &code);
	CHECK(!err, "runtime.memstats not found from the code: %s", strerror(-err));
	if (!err && !goelf__sym_addr(ge, "runtime.memstats", &sym, &size))
		CHECK(code == sym, "runtime.memstats from the code %#llx, symbol %#llx",
		      (unsigned long long)code, (unsigned long long)sym);
}

int main(int argc, char **argv)
{
	const struct go_table_entry *e;
	struct go_tables t = {0};
	struct xg_offsets off;
	struct goelf *ge;
	const char *kind;
	char want[32];
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s plain|pie|stripped|relocs BINARY\n", argv[0]);
		return 2;
	}
	kind = argv[1];
	bin = argv[2];
	ge = goelf__open(bin);
	if (!ge) {
		fprintf(stderr, "%s: goelf cannot open it: %s\n", bin, strerror(errno));
		return 1;
	}
	e = row_of(ge);
	if (!e) {
		fprintf(stderr, "%s: %s has no row in the table\n", bin,
			goelf__go_version(ge) ? goelf__go_version(ge) : "(no version)");
		goelf__free(ge);
		return 1;
	}
	snprintf(want, sizeof(want), "table go%d.%d", e->major, e->minor);

	if (!strcmp(kind, "plain") || !strcmp(kind, "pie")) {
		CHECK(goelf__is_pie(ge) == !strcmp(kind, "pie"), "ET_DYN is %d", goelf__is_pie(ge));
		err = go_tables__offsets_from_dwarf(bin, &off);
		CHECK(!err, "no offsets from DWARF: %s", strerror(-err));
		if (!err)
			check_offsets(&off, &e->off, "dwarf");
		check_gsnap(e);
		if (!load(bin, &t)) {
			CHECK(!strcmp(t.off_source, "dwarf"), "offsets from \"%s\"", t.off_source);
			CHECK(!strcmp(t.wait_source, "binary"), "wait reasons from \"%s\"",
			      t.wait_source);
			check_offsets(&t.off, &e->off, "load");
			check_reasons(&t, e);
			CHECK(t.goid_before_create == (e->minor >= 24), "goid_before_create %d",
			      t.goid_before_create);
		}
	} else if (!strcmp(kind, "stripped")) {
		CHECK(!goelf__has_symtab(ge), "has a .symtab");
		CHECK(!goelf__has_dwarf(ge), "has DWARF");
		CHECK(go_tables__offsets_from_dwarf(bin, &off) == -ENODATA,
		      "DWARF offsets of a stripped binary are not -ENODATA");
		if (!load(bin, &t)) {
			CHECK(!strcmp(t.off_source, want), "offsets from \"%s\", want \"%s\"",
			      t.off_source, want);
			CHECK(!strcmp(t.wait_source, want), "wait reasons from \"%s\", want \"%s\"",
			      t.wait_source, want);
			check_offsets(&t.off, &e->off, "load");
			check_reasons(&t, e);
		}
	} else if (!strcmp(kind, "relocs")) {
		check_relocs(ge, e);
	} else {
		fprintf(stderr, "gotables_check: unknown kind %s\n", kind);
		failed = 1;
	}
	if (strcmp(kind, "relocs"))
		check_heap(ge, e);
	go_tables__free(&t);
	goelf__free(ge);
	if (!failed)
		printf("ok %s %s (%s)\n", kind, bin, e->toolchain);
	return failed;
}
