// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF object, in libbpf's four visible steps: open -> configure
 * (rodata: offsets, target tgid, read spans, allocation probes; ring
 * size) -> load -> attach. Then what its maps and programs tell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "allocs.h"
#include "bpfobj.h"
#include "diag.h"
#include "goelf.h"
#include "gowrap.h"
#include "gtable.h"
#include "target.h"
#include "tracer.h"
#include "xgotop.skel.h"

/* ---- configure ---------------------------------------------------------- */

/*
 * The smallest span holding every field (offset OFFS[i], SIZES[i] bytes),
 * if it is at most MAX bytes: casgstatus then reads it in one call
 * (bpf/xgotop.bpf.c, g_span_base). Else *LEN = 0: a read per field.
 */
static void span_of(const uint32_t *offs, const uint32_t *sizes, int n, uint32_t max,
		    volatile uint32_t *base, volatile uint32_t *len)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (offs[i] < lo)
			lo = offs[i];
		if (offs[i] + sizes[i] > hi)
			hi = offs[i] + sizes[i];
	}
	*base = lo;
	*len = n > 0 && hi - lo <= max ? hi - lo : 0;
}

static void configure_spans(struct bpfobj *b, const struct target *tg)
{
	const struct xg_offsets *o = &tg->tables.off;
	/* keep in sync with casgstatus in bpf/xgotop.bpf.c (XG_GSPAN_MAX, XG_MSPAN_MAX) */
	/* g.m (offset 48) is left out: read on its own, rarely (casgstatus, fill_pm). */
	uint32_t g_offs[] = {o->g_goid, o->g_waitreason, o->g_gopc, o->g_startpc, o->g_parent_goid};
	uint32_t g_sizes[] = {8, 1, 8, 8, 8};
	uint32_t m_offs[] = {o->m_p, o->m_id, o->m_procid, o->m_curg}, m_sizes[] = {8, 8, 8, 8};

	span_of(g_offs, g_sizes, o->g_parent_goid ? 5 : 4, 192, &b->skel->rodata->g_span_base,
		&b->skel->rodata->g_span_len);
	span_of(m_offs, m_sizes, 4, 192, &b->skel->rodata->m_span_base,
		&b->skel->rodata->m_span_len);
	if (diag__verbose())
		fprintf(stderr,
			"xgotop-tui: casgstatus reads g+%u..+%u, m+%u..+%u (0 bytes: per field)\n",
			b->skel->rodata->g_span_base,
			b->skel->rodata->g_span_base + b->skel->rodata->g_span_len,
			b->skel->rodata->m_span_base,
			b->skel->rodata->m_span_base + b->skel->rodata->m_span_len);
}

static int cmp_entry(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each uprobe costs about 0.2 s to register and to remove on our kernels:
 * of the 66 size-specialised allocators keep those the code calls
 * directly; the others are only reached from mallocgc, whose probe counts.
 */
static void drop_uncalled(struct target *tg)
{
	uint64_t entries[PROBES_MAX];
	bool called[PROBES_MAX];
	size_t n = 0, k;
	int i;

	for (i = 0; i < tg->n_sites; i++)
		if (tg->sites[i].found && !strcmp(tg->sites[i].spec->prog, "mallocgc_sc"))
			entries[n++] = tg->sites[i].func;
	if (!n)
		return;
	qsort(entries, n, sizeof(entries[0]), cmp_entry);
	if (allocs__direct_calls(tg->ge, entries, n, called))
		return;
	for (i = 0; i < tg->n_sites; i++) {
		struct probe_site *s = &tg->sites[i];

		if (!s->found || strcmp(s->spec->prog, "mallocgc_sc"))
			continue;
		for (k = 0; k < n && entries[k] != s->func; k++)
			;
		if (k < n && !called[k])
			s->found = false;
	}
}

/*
 * Configure the allocation and GC programs (rodata, before load). Without
 * a usable mallocgc site the allocation probes are dropped, with a word.
 */
static void configure_events(struct bpfobj *b, struct target *tg, const struct live_opts *opts)
{
	const char *ver = goelf__go_version(tg->ge), *first;
	struct xg_alloc_conf *conf = (struct xg_alloc_conf *)&b->skel->rodata->alloc_conf;
	struct insn_kernel k;
	uint64_t start, end;
	bool old_kernel;
	int i, n_sc = 0;

	if (go_version_parse(ver, &b->go_major, &b->go_minor))
		b->go_major = b->go_minor = 0;
	b->skel->rodata->stw_has_reason = go_tables__stw_has_reason(b->go_major, b->go_minor);
	for (i = 0; i < tg->n_sites; i++) {
		struct probe_site *s = &tg->sites[i];

		if (!s->found || strcmp(s->spec->prog, "mallocgc"))
			continue;
		if (allocs__conf(tg->ge, s->vaddr, opts->alloc != XG_ALLOC_HIST_ONLY, conf) ||
		    goelf__func_range(tg->ge, "runtime.mallocgc", &start, &end)) {
			fprintf(stderr,
				"xgotop-tui: warning: no allocation probes: %s has no known size "
				"classes or function table\n",
				ver);
			s->found = false;
			continue;
		}
		conf->mallocgc_start = start;
		conf->mallocgc_end = end;
		b->alloc_probes = true;
		b->types = alloc_types__new(tg->ge);
	}
	if (b->alloc_probes)
		drop_uncalled(tg);
	k = probes__running_kernel();
	/* bpf_get_attach_cookie for uprobes: Linux 5.15. */
	old_kernel = k.major && (k.major < 5 || (k.major == 5 && k.minor < 15));
	/* makemap and the size-specialised functions only feed mallocgc's histogram and records. */
	for (i = 0; i < tg->n_sites; i++) {
		struct probe_site *s = &tg->sites[i];
		bool sc = !strcmp(s->spec->prog, "mallocgc_sc");

		if ((!b->alloc_probes && (sc || !strcmp(s->spec->prog, "makemap"))) ||
		    (sc && old_kernel))
			s->found = false;
		n_sc += sc && s->found;
	}
	/* bpf_get_attach_cookie needs Linux 5.15: load that program only where it is needed. */
	bpf_program__set_autoload(b->skel->progs.mallocgc_sc, n_sc > 0);
	if (b->alloc_probes && !n_sc && allocs__bypass(tg->ge, &first))
		fprintf(stderr,
			"xgotop-tui: warning: %s was built with "
			"GOEXPERIMENT=sizespecializedmalloc: new(T) calls %s and its siblings "
			"directly, and those allocations are not seen\n",
			tg->display, first);
}

/* Probes whose function this release lacks: named in the attach line, the others go on. */
static void note_missing(const struct target *tg, char *attached, size_t len)
{
	bool first = true;
	uint64_t addr;
	int i;

	for (i = 0; i < tg->n_sites; i++) {
		const struct probe_site *s = &tg->sites[i];

		if (s->found || s->spec->required || !goelf__func_addr(tg->ge, s->spec->sym, &addr))
			continue;
		strncat(attached, first ? " (missing: " : ", ", len - strlen(attached) - 1);
		strncat(attached, s->spec->sym, len - strlen(attached) - 1);
		first = false;
	}
	if (!first)
		strncat(attached, ")", len - strlen(attached) - 1);
}

/* ---- open, load, attach -------------------------------------------------- */

int bpfobj__open(struct bpfobj *b)
{
	b->skel = xgotop_bpf__open();
	if (!b->skel) {
		diag__fail("cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * go1.26+ enters and leaves syscalls without casgstatus (bpf/xgotop.bpf.c):
 * the tracepoints watch the target's threads instead. They need its pid
 * (every process's syscalls pass through them: -b has none to filter on).
 * The cost per syscall is in docs/OVERHEAD.md (3b).
 */
static void configure_syscalls(struct bpfobj *b, const struct target *tg,
			       const struct live_opts *opts)
{
	enum probe_level level = opts->probes ? opts->probes : PROBES_DEFAULT;

	/* Status changes are the states and all levels' (lifecycle: creation and exit). */
	b->sys_tp = tg->pid && level >= PROBES_STATES &&
		    (b->go_major > 1 || (b->go_major == 1 && b->go_minor >= 26));
	/* tp_btf programs load against the kernel's BTF: without it, go without them. */
	if (b->sys_tp && access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "xgotop-tui: no kernel BTF (/sys/kernel/btf/vmlinux): go1.26 "
				"syscalls will show as running\n");
		b->sys_tp = false;
	}
	b->skel->rodata->sys_tp_on = b->sys_tp;
	bpf_program__set_autoload(b->skel->progs.go_sys_enter, b->sys_tp);
	bpf_program__set_autoload(b->skel->progs.go_sys_exit, b->sys_tp);
}

/*
 * On-CPU and off-CPU time of the target's goroutines (bpf/xgotop.bpf.c,
 * sched_switch): with a pid (the program runs at every context switch of
 * the machine and filters on it), at the levels that see goroutines run
 * (states, all: the time is charged to the goroutine of a `running`
 * record), unless --no-offcpu. Its cost is in docs/OVERHEAD.md (3c).
 */
static void configure_sched(struct bpfobj *b, const struct target *tg, const struct live_opts *opts)
{
	enum probe_level level = opts->probes ? opts->probes : PROBES_DEFAULT;

	b->sched_tp = tg->pid && level >= PROBES_STATES && !opts->no_offcpu &&
		      !access("/sys/kernel/btf/vmlinux", R_OK);
	bpf_program__set_autoload(b->skel->progs.go_sched_switch, b->sched_tp);
}

/* go1.19: where casgstatus's probe finds its return address (target.c, find_wait_sites). */
static void configure_wait_caller(struct bpfobj *b, const struct target *tg)
{
	b->skel->rodata->casg_ra_mode = tg->casg_ra_mode;
	b->skel->rodata->casg_ra_off = tg->casg_ra_off;
}

static int add_wrap(uint64_t entry, const struct gowrap_call *c, void *ctx)
{
	struct bpfobj *b = ctx;
	struct bpfobj_wrap *w;

	if (b->n_wraps % 64 == 0) {
		w = realloc(b->wraps, (b->n_wraps + 64) * sizeof(*w));
		if (!w)
			return -ENOMEM;
		b->wraps = w;
	}
	b->wraps[b->n_wraps++] = (struct bpfobj_wrap){entry, {c->ptr_off, c->code_off}};
	/* The page offset's bit: bpf/xgotop.bpf.c wrapped_callee. */
	b->skel->rodata->wrap_bits[(entry & (XG_WRAP_BITS - 1)) / 64] |= 1ull << (entry & 63);
	return 0;
}

/*
 * Go statements whose wrapper calls through its closure: the creating probe
 * reads the callee from the closure (bpf/xgotop.bpf.c wrapped_callee). The
 * map is filled after load (bpfobj__load); without casgstatus or newproc1
 * found, or without such wrappers, it stays off.
 */
static int configure_wraps(struct bpfobj *b, const struct target *tg)
{
	static const char *const fns[2] = {"runtime.casgstatus", "runtime.newproc1"};
	uint64_t(*r)[2] = (uint64_t(*)[2])b->skel->rodata->casg_fn;
	int i, err;

	for (i = 0; i < 2; i++)
		if (goelf__func_range(tg->ge, fns[i], &r[i][0], &r[i][1]))
			return 0;
	err = gowrap__each_closure_call(tg->ge, add_wrap, b);
	if (err || !b->n_wraps)
		return err;
	b->skel->rodata->wrap_on = 1;
	return bpf_map__set_max_entries(b->skel->maps.wrap_calls, (uint32_t)b->n_wraps);
}

static int fill_wraps(struct bpfobj *b)
{
	int fd = bpf_map__fd(b->skel->maps.wrap_calls);
	size_t i;

	for (i = 0; i < b->n_wraps; i++) {
		struct xg_wrap_call v = {b->wraps[i].call.ptr_off, b->wraps[i].call.code_off};

		if (bpf_map_update_elem(fd, &b->wraps[i].entry, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int bpfobj__configure(struct bpfobj *b, struct target *tg, const struct live_opts *opts)
{
	int err;

	b->skel->rodata->off = tg->tables.off;
	b->skel->rodata->targ_tgid = (uint32_t)tg->pid;
	configure_spans(b, tg);
	b->skel->rodata->goid_at_create = tg->tables.goid_before_create;
	configure_events(b, tg, opts);
	configure_wait_caller(b, tg);
	configure_syscalls(b, tg, opts);
	configure_sched(b, tg, opts);
	err = configure_wraps(b, tg);
	if (err) {
		diag__fail("cannot list the go statements' wrappers: %s", strerror(-err));
		return err;
	}
	/*
	 * -rw N: N rings made after load (src/live/rings.c), events unused.
	 * Since Linux 5.10 (commit 134fede4eecf) an inner ring may differ in
	 * size from the map's template, which stays one page.
	 */
	b->skel->rodata->n_rings = opts->readers > 1 ? opts->readers : 0;
	err = bpf_map__set_max_entries(b->skel->maps.events,
				       opts->readers > 1 ? 4096 : opts->ringbuf_mb << 20);
	if (err) {
		diag__fail("cannot size the ring buffer: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* ---- uprobe-multi links ------------------------------------------------------ */

/*
 * Debian's libbpf 1.1.2 predates uprobe-multi links (Linux 6.6), so they
 * are made here with bpf(2). From the kernel's include/uapi/linux/bpf.h:
 * enum bpf_attach_type's BPF_TRACE_UPROBE_MULTI is 48, and union
 * bpf_attr's link_create is prog_fd, target_fd, attach_type, flags (u32
 * each), then a union at offset 16 whose uprobe_multi member is path,
 * offsets, ref_ctr_offsets, cookies (__aligned_u64 each), cnt, flags, pid
 * (u32 each). A shorter attr than the kernel's is zero-extended by it.
 */
#define XG_TRACE_UPROBE_MULTI 48

struct xg_uprobe_multi_attr {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t multi_flags; /* BPF_F_UPROBE_MULTI_RETURN: none of ours */
	uint32_t pid;
} __attribute__((aligned(8)));

_Static_assert(offsetof(struct xg_uprobe_multi_attr, path) == 16 &&
		       offsetof(struct xg_uprobe_multi_attr, cnt) == 48 &&
		       offsetof(struct xg_uprobe_multi_attr, pid) == 56,
	       "link_create.uprobe_multi layout");

/*
 * A probe's link: a perf-event uprobe's (one site), or a uprobe-multi
 * link's fd shared by the REFS sites it serves. The kernel takes a
 * perf-event uprobe out under its machine-wide event_mutex, grace periods
 * waited for inside it, one uprobe after another whatever threads ask;
 * a uprobe-multi link's release unregisters all its uprobes without
 * waiting and then waits once (kernel/trace/bpf_trace.c,
 * bpf_uprobe_unregister: uprobe_unregister_nosync per uprobe, then
 * uprobe_unregister_sync).
 */
struct bpfobj_link {
	struct bpf_link *perf;
	int fd;
	int refs;
};

/* A uprobe-multi link of PROG_FD at the CNT file offsets of PATH; its fd or -errno. */
static int multi_link(int prog_fd, const char *path, const uint64_t *offsets,
		      const uint64_t *cookies, uint32_t cnt, int pid)
{
	struct xg_uprobe_multi_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = XG_TRACE_UPROBE_MULTI;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offsets;
	a.cookies = (uint64_t)(uintptr_t)cookies;
	a.cnt = cnt;
	a.pid = (uint32_t)pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

/*
 * Whether this kernel makes uprobe-multi links, asked before load (a
 * program's attach type is fixed then, and one of that type cannot be a
 * perf-event uprobe's): a program of that type loads, and a link of it on
 * "/" fails for the path (EBADF, not a regular file) rather than for the
 * attach type (EINVAL). Linux 6.10 also made the pid filter the whole
 * process's (6.6-6.9: the one thread of that id, wrong for Go's threads),
 * so older kernels keep the perf-event uprobes. XGOTOP_NO_UPROBE_MULTI=1
 * keeps them anywhere (tests/e2e/uprobe-multi.sh runs both).
 */
static bool multi_supported(const char **why)
{
	const struct bpf_insn ret0[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		    .expected_attach_type = (enum bpf_attach_type)XG_TRACE_UPROBE_MULTI);
	struct insn_kernel k = probes__running_kernel();
	uint64_t off = 0;
	int prog, fd;

	if (getenv("XGOTOP_NO_UPROBE_MULTI")) {
		*why = "XGOTOP_NO_UPROBE_MULTI is set";
		return false;
	}
	if (k.major < 6 || (k.major == 6 && k.minor < 10)) {
		*why = "Linux 6.10 or later needed";
		return false;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "xg_multi_probe", "GPL", ret0, 2, &o);
	if (prog < 0) {
		*why = "a program of that type does not load";
		return false;
	}
	fd = multi_link(prog, "/", &off, NULL, 1, 0);
	close(prog);
	if (fd >= 0)
		close(fd);
	*why = fd == -EBADF ? "" : "the kernel refuses the link";
	return fd == -EBADF;
}

/* The programs attached as uprobes (not xg_calib: src/core/meters.c attaches it itself). */
static void set_multi(struct bpfobj *b)
{
	struct bpf_program *progs[] = {
		b->skel->progs.casgstatus, b->skel->progs.mallocgc, b->skel->progs.mallocgc_sc,
		b->skel->progs.makemap,	   b->skel->progs.gc_start, b->skel->progs.gc_mark_term,
		b->skel->progs.gc_sweep,   b->skel->progs.stw_stop, b->skel->progs.stw_start};
	const char *why = "";
	size_t i;

	b->multi = multi_supported(&why);
	for (i = 0; b->multi && i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_expected_attach_type(progs[i],
						      (enum bpf_attach_type)XG_TRACE_UPROBE_MULTI);
	if (diag__verbose())
		fprintf(stderr, "xgotop-tui: uprobes as %s%s%s\n",
			b->multi ? "uprobe-multi links, one per program"
				 : "perf-event links, one per site",
			why[0] ? ": " : "", why);
}

int bpfobj__load(struct bpfobj *b)
{
	int err;

	set_multi(b);
	err = xgotop_bpf__load(b->skel);

	if (err) {
		diag__fail("cannot load the BPF programs: %s%s", strerror(-err),
			   diag__verbose() ? "" : " (rerun with -v for the verifier log)");
		return err;
	}
	err = fill_wraps(b);
	if (err) {
		diag__fail("cannot fill the wrapper map: %s", strerror(-err));
		return err;
	}
	/*
	 * casgstatus's records in batches per CPU where user space can empty
	 * them (bpf/xgotop.bpf.c flush_batch), at every level and under a
	 * budget too: the decoder pairs a change seen by two sites in
	 * timestamp order, not arrival order (decoder__set_repairs).
	 * XGOTOP_NO_BATCH=1: a record at a time (bench/overhead.sh
	 * xgotop-nobatch).
	 */
	if (!getenv("XGOTOP_NO_BATCH")) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .flags = BPF_F_TEST_RUN_ON_CPU);

		b->batches =
			!bpf_prog_test_run_opts(bpf_program__fd(b->skel->progs.flush_batch), &o);
		b->skel->bss->batch_on = b->batches;
	}
	/* LAT: the kernel counts BPF run time only while someone holds this fd. */
	b->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	return 0;
}

/* The cookie of site S: one program at many sites tells where it is (mallocgc_sc). */
static uint64_t site_cookie(const struct probe_site *s)
{
	return s->spec->where == PROBE_IN_PREFIX ? s->vaddr : 0;
}

static struct bpfobj_link *perf_link(struct bpf_program *prog, const struct target *tg,
				     const struct probe_site *s)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .bpf_cookie = site_cookie(s));
	struct bpfobj_link *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	l->perf = bpf_program__attach_uprobe_opts(prog, tg->pid ? tg->pid : -1, tg->path,
						  s->file_off, &uopts);
	if (!l->perf) {
		err = errno;
		free(l);
		errno = err;
		return NULL;
	}
	l->fd = -1;
	l->refs = 1;
	return l;
}

/* Whether site J goes in the same uprobe-multi link as site I. */
static bool same_link(const struct probe_site *i, const struct probe_site *j)
{
	return !strcmp(i->spec->prog, j->spec->prog) &&
	       (i->spec->class == PROBE_CLASS_GSTATUS) == (j->spec->class == PROBE_CLASS_GSTATUS);
}

/* Sites I.. of SITES that share I's link, without a link yet: one uprobe-multi link. */
static int multi_attach(struct bpf_program *prog, const struct target *tg,
			const struct probe_site *sites, int i, int n, struct bpfobj_link **links)
{
	uint64_t offs[PROBES_MAX], cookies[PROBES_MAX];
	struct bpfobj_link *l;
	uint32_t cnt = 0;
	int j, fd;

	for (j = i; j < n && cnt < PROBES_MAX; j++)
		if (sites[j].found && !links[j] && same_link(&sites[i], &sites[j])) {
			offs[cnt] = sites[j].file_off;
			cookies[cnt++] = site_cookie(&sites[j]);
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	/* The pid filter (-pid), none for -b; the path: the very file analysed (target.h). */
	fd = multi_link(bpf_program__fd(prog), tg->path, offs, cookies, cnt, tg->pid);
	if (fd < 0) {
		free(l);
		return fd;
	}
	*l = (struct bpfobj_link){.fd = fd, .refs = (int)cnt};
	for (j = i; j < n && cnt; j++)
		if (sites[j].found && !links[j] && same_link(&sites[i], &sites[j])) {
			links[j] = l;
			cnt--;
		}
	return 0;
}

int bpfobj__attach_sites(struct bpfobj *b, const struct target *tg, const struct probe_site *sites,
			 int n, struct bpfobj_link **links, int *bad)
{
	int i, err;

	for (i = 0; i < n; i++) {
		struct bpf_program *prog;

		if (!sites[i].found || links[i])
			continue;
		prog = bpf_object__find_program_by_name(b->skel->obj, sites[i].spec->prog);
		if (!prog)
			err = -ENOENT;
		else if (b->multi)
			err = multi_attach(prog, tg, sites, i, n, links);
		else
			err = (links[i] = perf_link(prog, tg, &sites[i])) ? 0 : -errno;
		if (err) {
			if (bad)
				*bad = i;
			return err;
		}
	}
	return 0;
}

int bpfobj__attach(struct bpfobj *b, const struct target *tg, char *attached, size_t attached_len)
{
	int i, bad = 0, err;

	attached[0] = '\0';
	err = bpfobj__attach_sites(b, tg, tg->sites, tg->n_sites, b->links, &bad);
	if (err) {
		const struct probe_site *s = &tg->sites[bad];

		/* Exited, or between two images: target__check_attached tells which. */
		if (err == -ESRCH && tg->pid)
			return err;
		if (err == -ENOENT)
			diag__fail("BPF program %s is missing from the object", s->spec->prog);
		else if ((err == -EACCES || err == -EPERM) && geteuid())
			diag__fail("cannot attach a uprobe: permission denied: this kernel's "
				   "uprobes need CAP_SYS_ADMIN (or root)");
		else
			diag__fail("cannot attach a uprobe to %s in %s: %s", s->spec->sym,
				   tg->display, strerror(-err));
		return err;
	}
	for (i = 0; i < tg->n_sites; i++) {
		const struct probe_site *s = &tg->sites[i];
		char name[160];

		if (!s->found)
			continue;
		probes__site_name(s, name, sizeof(name));
		if (diag__verbose())
			fprintf(stderr,
				"xgotop-tui: probe %s at %s (0x%llx, file offset 0x%llx): %s: %s\n",
				s->spec->sym, name, (unsigned long long)s->vaddr,
				(unsigned long long)s->file_off, s->insn, s->why);
		/* A prefix probe is one name in the line: runtime.mallocgcTinySize*. */
		if (s->spec->where == PROBE_IN_PREFIX) {
			if (i > 0 && tg->sites[i - 1].spec == s->spec)
				continue;
			snprintf(name, sizeof(name), "%s*", s->spec->sym);
		}
		if (attached[0])
			strncat(attached, ",", attached_len - strlen(attached) - 1);
		strncat(attached, name, attached_len - strlen(attached) - 1);
	}
	note_missing(tg, attached, attached_len);
	return 0;
}

struct bpfobj_link *bpfobj__take_link(struct bpfobj *b, int i)
{
	struct bpfobj_link *l = b->links[i];

	b->links[i] = NULL;
	return l;
}

int bpfobj__attach_tracepoints(struct bpfobj *b)
{
	struct bpf_program *progs[BPFOBJ_TPS] = {b->skel->progs.go_sys_enter,
						 b->skel->progs.go_sys_exit,
						 b->skel->progs.go_sched_switch};
	bool on[BPFOBJ_TPS] = {b->sys_tp, b->sys_tp, b->sched_tp};
	int i;

	for (i = 0; i < BPFOBJ_TPS; i++) {
		if (b->tp_links[i] || !on[i])
			continue;
		b->tp_links[i] = bpf_program__attach(progs[i]);
		if (!b->tp_links[i]) {
			int err = -errno;

			diag__fail("cannot attach the %s tracepoint: %s",
				   bpf_program__name(progs[i]), strerror(-err));
			return err;
		}
	}
	return 0;
}

int bpfobj__forget_gcache(struct bpfobj *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const struct bpf_map *m = b->skel->maps.gcache;
	__u32 n = bpf_map__max_entries(m), i, *keys = calloc(n, sizeof(*keys));
	void *zero = calloc(n, bpf_map__value_size(m));
	int err = -ENOMEM;

	if (keys && zero) {
		for (i = 0; i < n; i++)
			keys[i] = i;
		/* One call for the whole array (BPF_MAP_UPDATE_BATCH, Linux 5.6). */
		err = bpf_map_update_batch(bpf_map__fd(m), keys, zero, &n, &opts);
		err = err ? -errno : 0;
	}
	free(keys);
	free(zero);
	return err;
}

void bpfobj__detach_tracepoints(struct bpfobj *b)
{
	int i;

	for (i = 0; i < BPFOBJ_TPS; i++) {
		bpf_link__destroy(b->tp_links[i]);
		b->tp_links[i] = NULL;
	}
}

/* One link's destruction, or B's tracepoints' (LINK NULL), on a thread of its own. */
struct unlink_job {
	pthread_t thr;
	bool started;
	struct bpfobj_link *link;
	struct bpfobj *bpf;
};

static void *unlink_main(void *arg)
{
	struct unlink_job *j = arg;

	if (!j->link) {
		bpfobj__detach_tracepoints(j->bpf);
		return NULL;
	}
	if (j->link->perf)
		bpf_link__destroy(j->link->perf);
	else
		close(j->link->fd); /* the release, and its grace period, before close returns */
	free(j->link);
	return NULL;
}

/*
 * Side by side: the kernel takes each perf-event uprobe out under one
 * machine-wide mutex and waits for RCU grace periods there
 * (perf_uprobe_destroy); one by one, each waited for its own, 0.1-1.5 s
 * apiece under load, and the tracer could not exit or step down before
 * the last (a quit waited seconds). In parallel they wait for the same
 * grace periods. A uprobe-multi link (struct bpfobj_link) waits for one.
 */
void bpfobj__destroy_links(struct bpfobj *b, struct bpfobj_link **const *links, int n,
			   bool tracepoints)
{
	struct unlink_job jobs[BPFOBJ_UNLINK_MAX + 1];
	int i, nj = 0;

	for (i = 0; i < n; i++) {
		struct bpfobj_link *l = *links[i];

		if (!l)
			continue;
		*links[i] = NULL;
		if (--l->refs > 0) /* its other sites still hold it */
			continue;
		jobs[nj] = (struct unlink_job){.link = l};
		if (nj == BPFOBJ_UNLINK_MAX) /* beyond the threads' bound: here */
			unlink_main(&jobs[nj]);
		else
			nj++;
	}
	if (tracepoints)
		jobs[nj++] = (struct unlink_job){.bpf = b};
	for (i = 0; i < nj && nj > 1; i++)
		jobs[i].started = !pthread_create(&jobs[i].thr, NULL, unlink_main, &jobs[i]);
	for (i = 0; i < nj; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].thr, NULL);
		else
			unlink_main(&jobs[i]);
	}
}

void bpfobj__detach(struct bpfobj *b)
{
	struct bpfobj_link **links[PROBES_MAX];
	int i;

	for (i = 0; i < PROBES_MAX; i++)
		links[i] = &b->links[i];
	bpfobj__destroy_links(b, links, PROBES_MAX, true);
}

void bpfobj__free(struct bpfobj *b)
{
	if (b->stats_fd >= 0)
		close(b->stats_fd);
	b->stats_fd = -1;
	bpfobj__detach(b);
	xgotop_bpf__destroy(b->skel);
	b->skel = NULL;
	alloc_types__free(b->types);
	b->types = NULL;
	free(b->wraps);
	b->wraps = NULL;
	b->n_wraps = 0;
}

void bpfobj__set_sample(struct bpfobj *b, const struct xg_sample *conf)
{
	volatile struct xg_sample *live = &b->skel->bss->sample_conf;
	int i;

	/* Off first, thresholds, then on: a hit never sees half a change as active. */
	live->on = 0;
	__sync_synchronize();
	for (i = 0; i < XG_SMP_N; i++)
		live->thresh[i] = conf->thresh[i];
	live->goid_late = conf->goid_late;
	__sync_synchronize();
	live->on = conf->on;
}

int bpfobj__events_fd(const struct bpfobj *b)
{
	return bpf_map__fd(b->skel->maps.events);
}

int bpfobj__rings_fd(const struct bpfobj *b)
{
	return bpf_map__fd(b->skel->maps.rings);
}

int bpfobj__prog_fd(const struct bpfobj *b, const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(b->skel->obj, name));
}

int bpfobj__calib_fd(const struct bpfobj *b)
{
	return bpf_program__fd(b->skel->progs.xg_calib);
}

/* ---- what the maps and programs tell ---------------------------------------- */

/* A per-CPU array's slot KEY, summed over every possible CPU; 0 when unreadable. */
static uint64_t percpu_sum(const struct bpfobj *b, const struct bpf_map *map, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0, *vals;
	int i;

	if (ncpu <= 0 || !b->skel)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map__lookup_elem(map, &key, sizeof(key), vals, sizeof(*vals) * ncpu, 0))
		for (i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

uint64_t bpfobj__drops(const struct bpfobj *b)
{
	return b->skel ? percpu_sum(b, b->skel->maps.drops, 0) : 0;
}

static uint64_t sum_hits(const struct bpfobj *b, enum xg_hit which)
{
	return b->skel ? percpu_sum(b, b->skel->maps.hits, which) : 0;
}

/* Allocation probes cost one hit per allocation: say how many the target paid. */
void bpfobj__report_hits(const struct bpfobj *b)
{
	if (!b->alloc_probes)
		return;
	fprintf(stderr,
		"xgotop-tui: probe hits: casgstatus %llu, mallocgc %llu, makemap %llu, gc %llu\n",
		(unsigned long long)sum_hits(b, XG_HIT_CASGSTATUS),
		(unsigned long long)sum_hits(b, XG_HIT_MALLOCGC),
		(unsigned long long)sum_hits(b, XG_HIT_MAKEMAP),
		(unsigned long long)sum_hits(b, XG_HIT_GC));
}

void bpfobj__prog_totals(const struct bpfobj *b, const char *name, uint64_t *run_ns,
			 uint64_t *run_cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpfobj__prog_fd(b, name);

	*run_ns = *run_cnt = 0;
	if (b->stats_fd < 0 || fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
}

/* Tries at a claimed batch before its records are left to a later read. */
#define FLUSH_TRIES 8

int bpfobj__flush_batches(const struct bpfobj *b, int first, int stride)
{
	int fd = b->skel ? bpf_program__fd(b->skel->progs.flush_batch) : -1;
	int ncpu = libbpf_num_possible_cpus(), cpu, tries, err, held = 0;

	if (fd < 0 || !b->batches)
		return 0;
	for (cpu = first; cpu < ncpu; cpu += stride) {
		/* A batch claimed by a writer is given back within the writer's run: try again. */
		for (tries = 0; tries < FLUSH_TRIES; tries++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .flags = BPF_F_TEST_RUN_ON_CPU,
				    .cpu = (__u32)cpu);

			err = bpf_prog_test_run_opts(fd, &o);
			/* An offline CPU (ENXIO): its batch, if any, waits for it to return. */
			if (err == -ENXIO)
				break;
			if (err)
				return err;
			if (o.retval != 1)
				break;
			sched_yield();
		}
		held += tries == FLUSH_TRIES;
	}
	return held;
}

void bpfobj__run_totals(const struct bpfobj *b, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_program *prog;

	*run_ns = *run_cnt = 0;
	if (!b->skel || b->stats_fd < 0)
		return;
	bpf_object__for_each_program(prog, b->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		/* Not a probe: run by user space to empty the batches. */
		if (prog == b->skel->progs.flush_batch)
			continue;
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			*run_ns += info.run_time_ns;
			*run_cnt += info.run_cnt;
		}
	}
}

/*
 * The size-class histogram is counted in a BPF map: read it and turn the
 * buckets that changed into GEV_ALLOC_HIST events (cumulative totals).
 */
int bpfobj__poll_hist(struct bpfobj *b, const struct gtable *gt, uint64_t now, decoder_emit_fn emit,
		      void *ctx)
{
	struct xg_hist_key key, next, *prev = NULL;
	int fd, err = 0;

	if (!b->alloc_probes || !b->skel)
		return 0;
	b->hist_ts = now;
	fd = bpf_map__fd(b->skel->maps.alloc_hist);
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		struct gtable_alloc_hist h;
		struct xg_hist_val v;
		struct gev ev;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || key.bucket >= XG_ALLOC_BUCKETS)
			continue;
		if (!gtable__alloc_hist(gt, key.pid, &h) && h.count[key.bucket] == v.count)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.kind = GEV_ALLOC_HIST;
		ev.ts = now;
		ev.pid = key.pid;
		ev.reason = GEV_NO_REASON;
		ev.hist.bucket = (uint8_t)key.bucket;
		ev.hist.class_size = allocs__bucket_size(
			key.bucket, (const uint16_t *)b->skel->rodata->alloc_conf.class_size);
		ev.hist.count = v.count;
		ev.hist.bytes = v.bytes;
		err = emit(&ev, ctx);
	}
	return err;
}
