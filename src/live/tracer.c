// SPDX-License-Identifier: BSD-2-Clause
/*
 * The live tracer. The libbpf lifecycle is kept as four visible steps:
 * open -> configure (rodata: offsets, target tgid; ring size) -> load ->
 * attach. Records flow: ring buffer -> decoder (order, creates, inferred
 * transitions) -> symbolize -> state table and JSONL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "allocs.h"
#include "clock.h"
#include "decode.h"
#include "goelf.h"
#include "gotables.h"
#include "gtable.h"
#include "gpoll.h"
#include "jsonl.h"
#include "meters.h"
#include "probes.h"
#include "record.h"
#include "source.h"
#include "tracer.h"
#include "workers.h"
#include "xgotop.skel.h"

/* How long a record may wait for stragglers from other CPUs. */
#define REORDER_WINDOW_NS (20 * 1000 * 1000ull)
#define POLL_MS		  50
#define METER_INTERVAL_NS (1000 * 1000 * 1000ull)
#define SYMCACHE_SIZE	  4096
#define MAX_PROCS	  1024

struct symcache_entry {
	uint64_t pc;
	struct go_pcinfo info;
	bool ok;
};

struct proc_bias {
	uint32_t pid;
	uint64_t bias;
};

/* -rw N / -pw N (src/workers.c): what each reader and processor thread owns. */
struct ring_reader {
	struct ring_buffer *rb;
	struct workers *w;
	unsigned int idx;
	int fd; /* the ring map, -1: the events map */
};

struct proc_state {
	struct symcache_entry *symcache;
	uint32_t known_pid; /* its load bias is learnt */
};

struct tracer {
	const struct live_opts *opts;
	char path[PATH_MAX];	/* what the uprobes attach to */
	char display[PATH_MAX]; /* what the user recognises */
	struct goelf *ge;
	struct go_tables tables;
	struct probe_site sites[PROBES_MAX];
	int n_sites;
	pid_t pid; /* 0 in -b mode */
	int pidfd;
	bool launched;
	int child_status;
	struct xgotop_bpf *skel;
	struct bpf_link *links[PROBES_MAX];
	struct ring_buffer *rb;
	struct poll_src *poll; /* --poll: the goroutine table instead of probes */
	struct decoder *dec;
	struct gtable *gt;
	struct jsonl_writer *out;
	struct symcache_entry *symcache;
	struct proc_bias procs[MAX_PROCS];
	unsigned int n_procs;
	int out_err;
	uint64_t deadline;
	bool forwarded;
	bool ended;
	int child_log; /* launched child's stdout/stderr with a UI, else -1 */
	char child_log_path[256];
	char attached[512];
	/* Meter counters, and their values at the last meters() call. */
	uint64_t n_records, n_events, proc_ns;
	uint64_t m_ts, m_records, m_events, m_proc_ns, m_drops;
	/* Allocation and GC probes (src/allocs.c, docs/EVENTS.md). */
	struct alloc_types *types; /* type names of allocation events */
	bool alloc_probes;	   /* mallocgc is attached: poll its histogram */
	uint64_t hist_ts;	   /* last histogram poll */
	int go_major, go_minor;
	uint64_t m_run_ns, m_run_cnt; /* BPF run time and hits at the last sample */
	struct xg_meters meters;      /* the last full sample, what every reader sees */
	int stats_fd;		      /* BPF_ENABLE_STATS while attached, else -1 */
	struct meters *mt;	      /* per-probe LAT, OVH, meter line, --metrics */
	struct record_writer *rec;    /* --record and/or the flight recorder */
	int rec_err;
	struct sample_spec smp;	   /* -sample in force (the UI may change it) */
	struct xg_sample smp_conf; /* and as the BPF programs and decoders have it */
	/* -pid: the goroutines found at attach (see snapshot_read). */
	struct poll_src *snap;
	struct gev *existing;
	size_t n_existing, n_suspects;
	uint64_t snap_ts, snap2_ts;
	struct suspect *suspects;
	/* Workers (-rw N, -pw N with N > 1): NULL runs everything in pump(). */
	struct workers *wk;
	struct ring_reader readers[WORKERS_MAX];
	struct proc_state pstate[WORKERS_MAX];
	pthread_mutex_t bias_mu; /* procs[] with workers */
	uint64_t sink_ns;	 /* CPU time of the sink, in pump() */
};

/* A goroutine found at attach and gone soon after, perhaps before the probes were in. */
struct suspect {
	uint64_t goid;
	uint8_t state;
};

static int snapshot_settle(struct tracer *t, uint64_t released);

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xgotop-tui: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- privileges and kernel ------------------------------------------- */

static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};
	const int need[] = {39 /* CAP_BPF */, 38 /* CAP_PERFMON */};
	const char *names[] = {"CAP_BPF", "CAP_PERFMON"};
	char missing[64] = "";
	size_t i;

	if (geteuid() == 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data)) {
		fail("need root: cannot read capabilities: %s", strerror(errno));
		return -EPERM;
	}
	for (i = 0; i < 2; i++) {
		if (!(data[need[i] / 32].effective & (1u << (need[i] % 32)))) {
			if (missing[0])
				strcat(missing, " and ");
			strcat(missing, names[i]);
		}
	}
	if (missing[0]) {
		fail("need root, or CAP_BPF and CAP_PERFMON (missing %s): run with sudo", missing);
		return -EPERM;
	}
	return 0;
}

static int check_kernel(void)
{
	if (access("/sys/bus/event_source/devices/uprobe", F_OK)) {
		fail("this kernel has no uprobe support (CONFIG_UPROBE_EVENTS): cannot trace");
		return -ENOTSUP;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		fail("this kernel has no BPF ring buffer (needs Linux 5.8+): cannot trace");
		return -ENOTSUP;
	}
	return 0;
}

/* ---- targets ----------------------------------------------------------- */

static int resolve_in_path(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return access(out, X_OK) ? -errno : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = (int)(end - path);

		snprintf(buf, sizeof(buf), "%.*s/%s", n ? n : 1, n ? path : ".", cmd);
		if (!access(buf, X_OK)) {
			snprintf(out, len, "%s", buf);
			return 0;
		}
		path = *end ? end + 1 : end;
	}
	return -ENOENT;
}

static int open_binary(struct tracer *t)
{
	char err[256];
	int e;

	t->ge = goelf__open(t->path);
	if (!t->ge) {
		e = errno;
		if (e == ENOEXEC)
			fail("%s is not an ELF executable", t->display);
		else
			fail("cannot read %s: %s", t->display, strerror(e));
		return -e;
	}
	if (!goelf__go_version(t->ge)) {
		if (t->pid && !t->launched)
			fail("pid %d (%s) is not a Go program (no .go.buildinfo)", (int)t->pid,
			     t->display);
		else
			fail("%s is not a Go program (no .go.buildinfo)", t->display);
		return -ENOEXEC;
	}
	if (goelf__arch(t->ge) == GOELF_ARCH_UNKNOWN) {
		fail("%s: unsupported architecture", t->display);
		return -ENOEXEC;
	}
	e = go_tables__load(t->ge, t->path, &t->tables, err, sizeof(err));
	if (e) {
		fail("%s: %s", t->display, err);
		return e;
	}
	{
		/* XGOTOP_PROBES_AT_ENTRY: the benchmarks' before, every probe at its entry. */
		struct probe_opts popts = {.level = t->opts->poll_hz  ? PROBES_NONE
						    : t->opts->probes ? t->opts->probes
								      : PROBES_DEFAULT,
					   .kernel = probes__running_kernel(),
					   .entry_only = getenv("XGOTOP_PROBES_AT_ENTRY") != NULL,
					   .classes = t->opts->alloc ? 1u << PROBE_CLASS_ALLOC : 0};

		t->n_sites = probes__resolve(t->ge, &popts, t->sites, PROBES_MAX, err, sizeof(err));
	}
	if (t->n_sites < 0) {
		fail("%s (%s): %s", t->display, goelf__go_version(t->ge), err);
		return t->n_sites;
	}
	return 0;
}

static int resolve_target(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	struct stat st;
	ssize_t n;

	if (opts->pid) {
		t->pid = opts->pid;
		if (kill(t->pid, 0) && errno == ESRCH) {
			fail("cannot attach to pid %d: no such process", (int)t->pid);
			return -ESRCH;
		}
		/* /proc/PID/exe reaches the inode even when deleted or in another mount ns. */
		snprintf(t->path, sizeof(t->path), "/proc/%d/exe", (int)t->pid);
		n = readlink(t->path, t->display, sizeof(t->display) - 1);
		if (n < 0) {
			fail("cannot attach to pid %d: %s", (int)t->pid,
			     errno == ENOENT ? "no such process" : strerror(errno));
			return -errno;
		}
		t->display[n] = '\0';
		return open_binary(t);
	}
	if (opts->binary) {
		if (stat(opts->binary, &st)) {
			fail("cannot trace %s: %s", opts->binary, strerror(errno));
			return -errno;
		}
		if (!S_ISREG(st.st_mode)) {
			fail("cannot trace %s: not a regular file", opts->binary);
			return -EINVAL;
		}
		if (!realpath(opts->binary, t->path)) {
			fail("cannot trace %s: %s", opts->binary, strerror(errno));
			return -errno;
		}
		snprintf(t->display, sizeof(t->display), "%s", t->path);
		return open_binary(t);
	}
	if (resolve_in_path(opts->cmd[0], t->path, sizeof(t->path))) {
		fail("cannot run %s: command not found", opts->cmd[0]);
		return -ENOENT;
	}
	snprintf(t->display, sizeof(t->display), "%s", t->path);
	t->launched = true;
	return open_binary(t);
}

/*
 * Launch: the child waits on a pipe until the probes are attached to its
 * pid, then execs, so not one instruction of the target runs untraced.
 */
static int start_child(struct tracer *t, int *go_fd)
{
	int go[2], err[2];
	pid_t pid;

	if (t->opts->ui) {
		snprintf(t->child_log_path, sizeof(t->child_log_path),
			 "/tmp/xgotop-tui-child-XXXXXX.log");
		t->child_log = mkstemps(t->child_log_path, 4);
		if (t->child_log < 0) {
			fail("cannot create a log for %s's output: %s", t->display,
			     strerror(errno));
			return -errno;
		}
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		fail("cannot launch %s: %s", t->display, strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		fail("cannot launch %s: %s", t->display, strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		char c;
		int e;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (t->child_log >= 0) {
			/* The UI owns the terminal: the child's output goes to its log. */
			int devnull = open("/dev/null", O_RDONLY);

			if (devnull >= 0)
				dup2(devnull, 0);
			dup2(t->child_log, 1);
			dup2(t->child_log, 2);
		}
		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(t->path, t->opts->cmd);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	t->pid = pid;
	*go_fd = go[1];
	return err[0];
}

static int release_child(struct tracer *t, int go_fd, int err_fd)
{
	int e = 0;
	ssize_t n;

	if (write(go_fd, "g", 1) != 1) {
		fail("cannot start %s: %s", t->display, strerror(errno));
		return -EIO;
	}
	close(go_fd);
	n = read(err_fd, &e, sizeof(e));
	close(err_fd);
	if (n == sizeof(e)) {
		fail("cannot run %s: %s", t->display, strerror(e));
		waitpid(t->pid, NULL, 0);
		return -e;
	}
	return 0;
}

/* ---- events -------------------------------------------------------------- */

static uint64_t proc_bias(struct tracer *t, uint32_t pid)
{
	uint64_t bias = 0;
	unsigned int i;

	if (t->wk)
		pthread_mutex_lock(&t->bias_mu);
	for (i = 0; i < t->n_procs; i++)
		if (t->procs[i].pid == pid) {
			bias = t->procs[i].bias;
			break;
		}
	if (t->wk)
		pthread_mutex_unlock(&t->bias_mu);
	return bias;
}

static void learn_bias(struct tracer *t, const struct xg_event *rec)
{
	unsigned int i;
	uint64_t bias;

	if (!goelf__is_pie(t->ge))
		return;
	for (i = 0; i < t->n_procs; i++)
		if (t->procs[i].pid == rec->pid)
			return;
	/*
	 * The probe fired at (or, on x86, one byte after) one of the sites:
	 * the difference to its link address, page-aligned, is the load bias.
	 */
	if (probes__bias(t->sites, t->n_sites, rec->ip, &bias))
		return;
	if (t->n_procs == MAX_PROCS)
		t->n_procs = 0; /* -b with many short-lived processes: recycle */
	t->procs[t->n_procs].pid = rec->pid;
	t->procs[t->n_procs].bias = bias;
	t->n_procs++;
}

/* START: PC is a g.startpc, named as Go names start functions (wrappers resolved). */
static bool symbolize(struct tracer *t, struct symcache_entry *cache, uint64_t pc, bool start,
		      struct go_pcinfo *out)
{
	uint64_t key = pc | (start ? 1ull << 63 : 0);
	struct symcache_entry *c = &cache[(pc ^ (pc >> 12)) % SYMCACHE_SIZE];

	if (c->pc != key || !c->pc) {
		c->pc = key;
		c->ok = !(start ? goelf__start_func(t->ge, pc, &c->info)
				: goelf__pc_lookup(t->ge, pc, &c->info));
	}
	if (c->ok)
		*out = c->info;
	return c->ok;
}

/* ---- recording (src/record.c) ------------------------------------------------- */

static void record_error(struct tracer *t, int err)
{
	if (err && !t->rec_err) {
		t->rec_err = err;
		fail("cannot write %s: %s (tracing goes on)",
		     t->opts->record ? t->opts->record : "the flight recorder", strerror(-err));
	}
}

/* --record, and the flight recorder behind the UI's save key: opened before attaching. */
static int record_open(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	struct record_opts o = {.path = opts->record,
				.force = opts->force,
				.table = t->gt,
				.history_bytes = (uint64_t)opts->history_mb << 20};
	int e;

	if (opts->ui && opts->history_min > 0)
		o.history_ns = (uint64_t)(opts->history_min * 60e9);
	if (!o.path && !o.history_ns)
		return 0;
	t->rec = record__open(&o);
	if (t->rec)
		return 0;
	e = errno;
	if (e == EEXIST)
		fail("cannot record to %s: it exists (add --force to overwrite it)", opts->record);
	else if (e == ELOOP)
		fail("cannot record to %s: it is a symbolic link", opts->record);
	else
		fail("cannot record to %s: %s", opts->record ? opts->record : "memory",
		     strerror(e));
	return -e;
}

static int record_begin(struct tracer *t)
{
	struct record_meta m = {.pid = (uint32_t)t->pid,
				.path = t->display,
				.go_version = goelf__go_version(t->ge),
				.arch = goelf__arch_name(t->ge),
				.mod_path = goelf__mod_path(t->ge),
				.probes = t->attached,
				.mode = t->launched ? "launch"
					: t->pid    ? "pid"
						    : "binary",
				.off = &t->tables.off,
				.off_source = t->tables.off_source,
				.wait_source = t->tables.wait_source};

	record_error(t, t->rec ? record__begin(t->rec, &m) : 0);
	return t->rec_err;
}

/* Each pump: write the frame when it is due (a second after its first record). */
static void record_tick(struct tracer *t)
{
	record_error(t, record__tick(t->rec, xg_mono_ns()));
}

static int source_save_recent(void *ctx, char *path, unsigned long path_len)
{
	return record__save_recent(((struct tracer *)ctx)->rec, path, path_len);
}

/* ---- allocations and GC (src/allocs.c) ------------------------------------------------ */

/* Type names of allocations, stop-the-world reasons: what the records carry as numbers. */
static void name_event(struct tracer *t, struct gev *ev)
{
	if (ev->kind == GEV_ALLOC && ev->alloc.type_addr && t->types)
		ev->alloc.type =
			alloc_types__name(t->types, ev->alloc.type_addr - proc_bias(t, ev->pid));
	if (ev->kind == GEV_GC && ev->gc.reason >= 0)
		ev->gc.reason_str = go_tables__stw_reason(t->go_major, t->go_minor,
							  (unsigned int)ev->gc.reason);
}

static int emit_event(const struct gev *in, void *ctx);

/* Probes whose function this release lacks: named in the attach line, the others go on. */
static void note_missing(struct tracer *t, char *attached, size_t len)
{
	bool first = true;
	uint64_t addr;
	int i;

	for (i = 0; i < t->n_sites; i++) {
		const struct probe_site *s = &t->sites[i];

		if (s->found || s->spec->required || !goelf__func_addr(t->ge, s->spec->sym, &addr))
			continue;
		strncat(attached, first ? " (missing: " : ", ", len - strlen(attached) - 1);
		strncat(attached, s->spec->sym, len - strlen(attached) - 1);
		first = false;
	}
	if (!first)
		strncat(attached, ")", len - strlen(attached) - 1);
}

/*
 * The size-class histogram is counted in a BPF map: read it and turn the
 * buckets that changed into GEV_ALLOC_HIST events (cumulative totals).
 */
static int poll_hist(struct tracer *t, uint64_t now)
{
	struct xg_hist_key key, next, *prev = NULL;
	int fd, err = 0;

	if (!t->alloc_probes || !t->skel)
		return 0;
	t->hist_ts = now;
	fd = bpf_map__fd(t->skel->maps.alloc_hist);
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		struct gtable_alloc_hist h;
		struct xg_hist_val v;
		struct gev ev;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || key.bucket >= XG_ALLOC_BUCKETS)
			continue;
		if (!gtable__alloc_hist(t->gt, key.pid, &h) && h.count[key.bucket] == v.count)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.kind = GEV_ALLOC_HIST;
		ev.ts = now;
		ev.pid = key.pid;
		ev.reason = GEV_NO_REASON;
		ev.hist.bucket = (uint8_t)key.bucket;
		ev.hist.class_size = allocs__bucket_size(
			key.bucket, (const uint16_t *)t->skel->rodata->alloc_conf.class_size);
		ev.hist.count = v.count;
		ev.hist.bytes = v.bytes;
		err = emit_event(&ev, t);
	}
	return err;
}

static uint64_t sum_hits(struct tracer *t, enum xg_hit which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0, *vals;
	uint32_t key = which;
	int i;

	if (ncpu <= 0 || !t->skel)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map__lookup_elem(t->skel->maps.hits, &key, sizeof(key), vals, sizeof(*vals) * ncpu,
				  0))
		for (i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

/* Allocation probes cost one hit per allocation: say how many the target paid. */
static void report_hits(struct tracer *t)
{
	if (!t->alloc_probes)
		return;
	fprintf(stderr,
		"xgotop-tui: probe hits: casgstatus %llu, mallocgc %llu, makemap %llu, gc %llu\n",
		(unsigned long long)sum_hits(t, XG_HIT_CASGSTATUS),
		(unsigned long long)sum_hits(t, XG_HIT_MALLOCGC),
		(unsigned long long)sum_hits(t, XG_HIT_MAKEMAP),
		(unsigned long long)sum_hits(t, XG_HIT_GC));
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
static void drop_uncalled(struct tracer *t)
{
	uint64_t entries[PROBES_MAX];
	bool called[PROBES_MAX];
	size_t n = 0, k;
	int i;

	for (i = 0; i < t->n_sites; i++)
		if (t->sites[i].found && !strcmp(t->sites[i].spec->prog, "mallocgc_sc"))
			entries[n++] = t->sites[i].func;
	if (!n)
		return;
	qsort(entries, n, sizeof(entries[0]), cmp_entry);
	if (allocs__direct_calls(t->ge, entries, n, called))
		return;
	for (i = 0; i < t->n_sites; i++) {
		struct probe_site *s = &t->sites[i];

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
static void configure_events(struct tracer *t)
{
	const char *ver = goelf__go_version(t->ge), *first;
	struct xg_alloc_conf *conf = (struct xg_alloc_conf *)&t->skel->rodata->alloc_conf;
	struct insn_kernel k;
	uint64_t start, end;
	bool old_kernel;
	int i, n_sc = 0;

	if (go_version_parse(ver, &t->go_major, &t->go_minor))
		t->go_major = t->go_minor = 0;
	t->skel->rodata->stw_has_reason = go_tables__stw_has_reason(t->go_major, t->go_minor);
	for (i = 0; i < t->n_sites; i++) {
		struct probe_site *s = &t->sites[i];

		if (!s->found || strcmp(s->spec->prog, "mallocgc"))
			continue;
		if (allocs__conf(t->ge, s->vaddr, t->opts->alloc != XG_ALLOC_HIST_ONLY, conf) ||
		    goelf__func_range(t->ge, "runtime.mallocgc", &start, &end)) {
			fprintf(stderr,
				"xgotop-tui: warning: no allocation probes: %s has no known size "
				"classes or function table\n",
				ver);
			s->found = false;
			continue;
		}
		conf->mallocgc_start = start;
		conf->mallocgc_end = end;
		t->alloc_probes = true;
		t->types = alloc_types__new(t->ge);
	}
	if (t->alloc_probes)
		drop_uncalled(t);
	k = probes__running_kernel();
	/* bpf_get_attach_cookie for uprobes: Linux 5.15. */
	old_kernel = k.major && (k.major < 5 || (k.major == 5 && k.minor < 15));
	/* makemap and the size-specialised functions only feed mallocgc's histogram and records. */
	for (i = 0; i < t->n_sites; i++) {
		struct probe_site *s = &t->sites[i];
		bool sc = !strcmp(s->spec->prog, "mallocgc_sc");

		if ((!t->alloc_probes && (sc || !strcmp(s->spec->prog, "makemap"))) ||
		    (sc && old_kernel))
			s->found = false;
		n_sc += sc && s->found;
	}
	/* bpf_get_attach_cookie needs Linux 5.15: load that program only where it is needed. */
	bpf_program__set_autoload(t->skel->progs.mallocgc_sc, n_sc > 0);
	if (t->alloc_probes && !n_sc && allocs__bypass(t->ge, &first))
		fprintf(stderr,
			"xgotop-tui: warning: %s was built with "
			"GOEXPERIMENT=sizespecializedmalloc: new(T) calls %s and its siblings "
			"directly, and those allocations are not seen\n",
			t->display, first);
}

/* Names from the binary and the Go release: no shared state but CACHE (any processor). */
static void symbolize_event(struct tracer *t, struct symcache_entry *cache, struct gev *ev)
{
	struct go_pcinfo pi;

	if (ev->kind == GEV_CREATE) {
		uint64_t bias = proc_bias(t, ev->pid);
		/* Go reports the go statement's line at gopc - PCQuantum. */
		uint64_t quantum = goelf__arch(t->ge) == GOELF_ARCH_ARM64 ? 4 : 1;

		if (ev->startpc && symbolize(t, cache, ev->startpc - bias, true, &pi))
			ev->func = pi.func;
		if (ev->gopc && symbolize(t, cache, ev->gopc - bias - quantum, false, &pi)) {
			ev->created_by = pi.func;
			ev->file = pi.file;
			ev->line = pi.line;
		}
	}
	if (ev->reason >= 0)
		ev->reason_str = go_tables__waitreason(&t->tables, (unsigned int)ev->reason);
}

static int apply_event(struct tracer *t, struct gev *ev);

static int emit_event(const struct gev *in, void *ctx)
{
	struct tracer *t = ctx;
	struct gev ev = *in;

	symbolize_event(t, t->symcache, &ev);
	return apply_event(t, &ev);
}

/* The sink: type names (their cache is not thread-safe), state table, JSONL, recording. */
static int apply_event(struct tracer *t, struct gev *ev)
{
	int err;

	if (ev->kind == GEV_ALLOC || ev->kind == GEV_GC)
		name_event(t, ev);

	err = gtable__apply(t->gt, ev);
	if (err)
		return err;
	t->n_events++;
	if (t->out && !t->out_err) {
		t->out_err = jsonl__write(t->out, ev);
		if (t->out_err)
			fail("cannot write %s: %s", t->opts->jsonl, strerror(-t->out_err));
	}
	if (t->rec)
		record_error(t, record__event(t->rec, ev));
	return 0;
}

/* ---- workers (src/workers.c) ---------------------------------------------------------- */

static int on_worker_record(void *ctx, void *data, size_t size)
{
	struct ring_reader *r = ctx;

	if (size < sizeof(struct xg_event))
		return 0;
	return workers__put(r->w, r->idx, data);
}

/* Reader thread: its ring, as pump() reads the one ring without workers. */
static int worker_read(void *ctx, struct workers *w, unsigned int reader, int timeout_ms)
{
	struct ring_reader *r = &((struct tracer *)ctx)->readers[reader];
	int n;

	r->w = w;
	n = ring_buffer__poll(r->rb, timeout_ms);
	/* Allocation records do not always wake us (bpf/xgotop.bpf.c lazy_wakeup). */
	if (n == 0)
		n = ring_buffer__consume(r->rb);
	return n == -EINTR ? 0 : n;
}

/* Processor thread: learn the load bias of a process from its first record. */
static void worker_record(void *ctx, unsigned int proc, const struct xg_event *rec)
{
	struct tracer *t = ctx;
	struct proc_state *ps = &t->pstate[proc];

	if (rec->pid == ps->known_pid)
		return;
	pthread_mutex_lock(&t->bias_mu);
	learn_bias(t, rec);
	pthread_mutex_unlock(&t->bias_mu);
	ps->known_pid = rec->pid;
}

static int worker_prepare(void *ctx, unsigned int proc, struct gev *ev)
{
	struct tracer *t = ctx;

	symbolize_event(t, t->pstate[proc].symcache, ev);
	return 0;
}

static int sink_event(const struct gev *in, void *ctx)
{
	struct gev ev = *in;

	return apply_event(ctx, &ev);
}

static const struct workers_ops worker_ops;

static int set_sampling(struct decoder *d, void *ctx)
{
	decoder__set_sampling(d, ctx);
	return 0;
}

/* After load: the rings of -rw N, a reader each, and the threads. */
static int workers_start(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	unsigned int nr = opts->readers ? opts->readers : 1, i;
	int outer = bpf_map__fd(t->skel->maps.rings), err;
	struct workers_opts o = {.readers = nr,
				 .processors = opts->processors ? opts->processors : 1,
				 .batch_size = opts->batch_size,
				 .flush_ns = opts->flush_ns,
				 .window_ns = REORDER_WINDOW_NS,
				 .dec = {.goid_before_create = t->tables.goid_before_create},
				 .ops = &worker_ops,
				 .ctx = t};

	for (i = 0; i < nr; i++) {
		struct ring_reader *r = &t->readers[i];

		r->idx = i;
		r->fd = -1;
		if (nr > 1) {
			r->fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xg_ring", 0, 0,
					       opts->ringbuf_mb << 20, NULL);
			if (r->fd < 0 || bpf_map_update_elem(outer, &i, &r->fd, BPF_ANY)) {
				err = -errno;
				fail("cannot create ring buffer %u of %u: %s (-rw N needs Linux "
				     "5.10+)",
				     i + 1, nr, strerror(-err));
				return err;
			}
		}
		r->rb = ring_buffer__new(r->fd >= 0 ? r->fd : bpf_map__fd(t->skel->maps.events),
					 on_worker_record, r, NULL);
		if (!r->rb) {
			err = -errno;
			fail("cannot read the ring buffer: %s", strerror(-err));
			return err;
		}
	}
	for (i = 0; i < o.processors; i++) {
		t->pstate[i].symcache = calloc(SYMCACHE_SIZE, sizeof(*t->pstate[i].symcache));
		if (!t->pstate[i].symcache) {
			fail("out of memory");
			return -ENOMEM;
		}
	}
	t->wk = workers__new(&o);
	if (!t->wk) {
		err = -errno;
		fail("cannot start the reader and processor threads: %s", strerror(-err));
		return err;
	}
	/* -sample, as apply_sample gave it to the BPF programs before load. */
	return workers__each_decoder(t->wk, set_sampling, &t->smp_conf);
}

static void workers_free(struct tracer *t)
{
	unsigned int i;

	workers__free(t->wk);
	for (i = 0; i < WORKERS_MAX; i++) {
		ring_buffer__free(t->readers[i].rb);
		if (t->readers[i].fd > 0)
			close(t->readers[i].fd);
		free(t->pstate[i].symcache);
	}
}

/* The sink's turn in pump(): every event the processors have ready, in order. */
static int pump_workers(struct tracer *t, int timeout_ms)
{
	struct workers_stats st;
	struct timespec c0, c1;
	int err;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	/* 1 only after workers__stop(): everything was emitted. */
	err = workers__drain(t->wk, timeout_ms, sink_event, t);
	/* Records up to the attach are through the pipeline well before this. */
	if (!err)
		err = snapshot_settle(t, xg_mono_ns() - REORDER_WINDOW_NS - t->opts->flush_ns -
						 1000000000ull);
	if (!err && xg_mono_ns() - t->hist_ts >= 1000000000ull)
		err = poll_hist(t, xg_mono_ns());
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	t->sink_ns += (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000ull + c1.tv_nsec - c0.tv_nsec;
	workers__stats(t->wk, &st);
	t->n_records = st.records;
	t->proc_ns = t->sink_ns + st.proc_ns;
	if (err == -ECANCELED)
		return err;
	if (err < 0)
		fail("cannot read the ring buffers: %s", strerror(-err));
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct xg_event *rec = data;

	if (size < sizeof(*rec))
		return 0;
	learn_bias(t, rec);
	t->n_records++;
	return decoder__push(t->dec, rec);
}

static int read_goid(uint32_t pid, uint64_t g, uint64_t *goid, void *ctx)
{
	struct tracer *t = ctx;
	struct iovec local = {goid, sizeof(*goid)};
	struct iovec remote = {(void *)(uintptr_t)(g + t->tables.off.g_goid), sizeof(*goid)};

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof(*goid) ? 0 : -errno;
}

static const struct workers_ops worker_ops = {
	.read = worker_read,
	.record = worker_record,
	.prepare = worker_prepare,
	.resolve = read_goid,
};

static uint64_t count_drops(struct tracer *t)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0, *vals;
	uint32_t zero = 0;
	int i;

	if (ncpu <= 0 || !t->skel)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map__lookup_elem(t->skel->maps.drops, &zero, sizeof(zero), vals,
				  sizeof(*vals) * ncpu, 0))
		for (i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

/* ---- BPF ------------------------------------------------------------------ */

/* FN on the decoder, or on each processor's with workers (-pw N). */
static int each_decoder(struct tracer *t, int (*fn)(struct decoder *d, void *ctx), void *ctx)
{
	return t->wk ? workers__each_decoder(t->wk, fn, ctx) : fn(t->dec, ctx);
}

static bool goid_kept(uint32_t pid, uint64_t goid, void *ctx)
{
	return xg_goid_sampled(*(const uint64_t *)ctx, pid, goid);
}

/*
 * -sample into the BPF programs' .bss (memory-mapped: no syscall, taken by
 * the next hit) and the decoder. Goroutines that a lower goroutine rate
 * leaves out get no more events: they leave the table now rather than
 * stay frozen in their last state.
 */
static void apply_sample(struct tracer *t, const struct sample_spec *spec)
{
	volatile struct xg_sample *live = &t->skel->bss->sample_conf;
	struct xg_sample conf;
	uint64_t keep;
	int i;

	sample__to_bpf(spec, !t->tables.goid_before_create, &conf);
	t->smp_conf = conf;
	/* Off first, thresholds, then on: a hit never sees half a change as active. */
	live->on = 0;
	__sync_synchronize();
	for (i = 0; i < XG_SMP_N; i++)
		live->thresh[i] = conf.thresh[i];
	live->goid_late = conf.goid_late;
	__sync_synchronize();
	live->on = conf.on;
	each_decoder(t, set_sampling, &conf);
	keep = conf.thresh[XG_SMP_GOROUTINE];
	if (spec->rate[XG_SMP_GOROUTINE] < t->smp.rate[XG_SMP_GOROUTINE])
		gtable__forget(t->gt, goid_kept, &keep);
	t->smp = *spec;
}

/* The -sample fields of the meters: what readers scale counts by. */
static void meters_sample(const struct sample_spec *s, struct xg_meters *out)
{
	out->goroutine_rate = s->rate[XG_SMP_GOROUTINE];
	sample__format(s, out->sample, sizeof(out->sample));
}

static int source_set_sample(void *ctx, const char *spec, char *err, unsigned long err_len)
{
	struct tracer *t = ctx;
	struct sample_spec s;

	if (t->poll) {
		snprintf(err, err_len, "--poll has no probes to sample");
		return -ENOTSUP;
	}
	if (sample__parse(spec, &s, err, err_len))
		return -EINVAL;
	apply_sample(t, &s);
	/* The UI's next read says so, not only the next second's sample. */
	meters_sample(&s, &t->meters);
	return 0;
}

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

static void configure_spans(struct tracer *t)
{
	const struct xg_offsets *o = &t->tables.off;
	/* keep in sync with casgstatus in bpf/xgotop.bpf.c (XG_GSPAN_MAX, XG_MSPAN_MAX) */
	uint32_t g_offs[] = {o->g_goid, o->g_m,	      o->g_waitreason,
			     o->g_gopc, o->g_startpc, o->g_parent_goid};
	uint32_t g_sizes[] = {8, 8, 1, 8, 8, 8};
	uint32_t m_offs[] = {o->m_p, o->m_id}, m_sizes[] = {8, 8};

	span_of(g_offs, g_sizes, o->g_parent_goid ? 6 : 5, 320, &t->skel->rodata->g_span_base,
		&t->skel->rodata->g_span_len);
	span_of(m_offs, m_sizes, 2, 64, &t->skel->rodata->m_span_base,
		&t->skel->rodata->m_span_len);
	if (verbose)
		fprintf(stderr,
			"xgotop-tui: casgstatus reads g+%u..+%u, m+%u..+%u (0 bytes: per field)\n",
			t->skel->rodata->g_span_base,
			t->skel->rodata->g_span_base + t->skel->rodata->g_span_len,
			t->skel->rodata->m_span_base,
			t->skel->rodata->m_span_base + t->skel->rodata->m_span_len);
}

static int load_and_attach(struct tracer *t, char *attached, size_t attached_len)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts);
	int i, err;

	/* open */
	t->skel = xgotop_bpf__open();
	if (!t->skel) {
		fail("cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	/* configure */
	t->skel->rodata->off = t->tables.off;
	t->skel->rodata->targ_tgid = (uint32_t)t->pid;
	configure_spans(t);
	configure_events(t);
	apply_sample(t, &t->smp);
	/*
	 * -rw N: N rings made after load (workers_start), events unused. Since
	 * Linux 5.10 (commit 134fede4eecf) an inner ring may differ in size
	 * from the map's template, which stays one page.
	 */
	t->skel->rodata->n_rings = t->opts->readers > 1 ? t->opts->readers : 0;
	err = bpf_map__set_max_entries(t->skel->maps.events,
				       t->opts->readers > 1 ? 4096 : t->opts->ringbuf_mb << 20);
	if (err) {
		fail("cannot size the ring buffer: %s", strerror(-err));
		return err;
	}
	/* load */
	err = xgotop_bpf__load(t->skel);
	if (err) {
		fail("cannot load the BPF programs: %s%s", strerror(-err),
		     verbose ? "" : " (rerun with -v for the verifier log)");
		return err;
	}
	/* LAT: the kernel counts BPF run time only while someone holds this fd. */
	t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	/* attach */
	attached[0] = '\0';
	for (i = 0; i < t->n_sites; i++) {
		struct probe_site *s = &t->sites[i];
		struct bpf_program *prog;
		char name[160];

		if (!s->found)
			continue;
		/* One program at many sites: the cookie tells it where it is (mallocgc_sc). */
		uopts.bpf_cookie = s->spec->where == PROBE_IN_PREFIX ? s->vaddr : 0;
		prog = bpf_object__find_program_by_name(t->skel->obj, s->spec->prog);
		if (!prog) {
			fail("BPF program %s is missing from the object", s->spec->prog);
			return -ENOENT;
		}
		t->links[i] = bpf_program__attach_uprobe_opts(prog, t->pid ? t->pid : -1, t->path,
							      s->file_off, &uopts);
		if (!t->links[i]) {
			err = -errno;
			if (err == -ESRCH)
				fail("cannot attach to pid %d: the process exited", (int)t->pid);
			else
				fail("cannot attach a uprobe to %s in %s: %s", s->spec->sym,
				     t->display, strerror(-err));
			return err;
		}
		probes__site_name(s, name, sizeof(name));
		if (verbose)
			fprintf(stderr,
				"xgotop-tui: probe %s at %s (0x%llx, file offset 0x%llx): %s: %s\n",
				s->spec->sym, name, (unsigned long long)s->vaddr,
				(unsigned long long)s->file_off, s->insn, s->why);
		/* A prefix probe is one name in the line: runtime.mallocgcTinySize*. */
		if (s->spec->where == PROBE_IN_PREFIX) {
			if (i > 0 && t->sites[i - 1].spec == s->spec)
				continue;
			snprintf(name, sizeof(name), "%s*", s->spec->sym);
		}
		if (attached[0])
			strncat(attached, ",", attached_len - strlen(attached) - 1);
		strncat(attached, name, attached_len - strlen(attached) - 1);
	}
	note_missing(t, attached, attached_len);
	if (t->opts->readers > 1 || t->opts->processors > 1)
		return workers_start(t);
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_record, t, NULL);
	if (!t->rb) {
		fail("cannot read the ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void detach(struct tracer *t)
{
	int i;

	for (i = 0; i < PROBES_MAX; i++) {
		bpf_link__destroy(t->links[i]);
		t->links[i] = NULL;
	}
}

/* ---- the session ------------------------------------------------------- */

static bool target_gone(struct tracer *t, int timeout_ms)
{
	struct pollfd p = {.fd = t->pidfd, .events = POLLIN};

	if (t->pidfd < 0)
		return false;
	return poll(&p, 1, timeout_ms) > 0;
}

/* Detach, then read everything the target did: it is all in the ring by now. */
static int end_session(struct tracer *t)
{
	int n;

	if (t->ended)
		return 0;
	t->ended = true;
	detach(t);
	if (t->poll)
		return 0;
	if (t->wk) {
		workers__stop(t->wk);
		while (!(n = pump_workers(t, POLL_MS)))
			;
		if (n >= 0)
			n = snapshot_settle(t, UINT64_MAX);
		return n < 0 ? n : poll_hist(t, xg_mono_ns());
	}
	do
		n = ring_buffer__consume(t->rb);
	while (n > 0);
	if (n < 0) {
		fail("cannot read the ring buffer: %s", strerror(-n));
		return n;
	}
	n = decoder__finish(t->dec, read_goid, emit_event, t);
	if (!n)
		n = snapshot_settle(t, UINT64_MAX);
	return n ? n : poll_hist(t, xg_mono_ns());
}

/*
 * What learn_bias does from probe records, from a read of the goroutine
 * table: the load bias, to symbolize start and go PCs (once it is known).
 */
static void bias_from_poll(struct tracer *t, const struct poll_src *src)
{
	if (!t->n_procs && !poll_src__bias(src, &t->procs[0].bias)) {
		t->procs[0].pid = (uint32_t)t->pid;
		t->n_procs = 1;
	}
}

/* --poll: read the goroutine table when due, else wait for it or for the target's exit. */
static int pump_poll(struct tracer *t, int timeout_ms)
{
	uint64_t start = xg_mono_ns();
	int next_ms = 0, err;

	bias_from_poll(t, t->poll);
	err = poll_src__pump(t->poll, start, &next_ms, emit_event, t);
	t->proc_ns += xg_mono_ns() - start;
	if (err == -ESRCH)
		return 1; /* gone: target_gone() says so too */
	if (err) {
		fail("cannot read the goroutine table of pid %d: %s", (int)t->pid, strerror(-err));
		return err;
	}
	if (next_ms < timeout_ms)
		timeout_ms = next_ms;
	/* Sleeps until the next read is due, or wakes when the target exits. */
	if (t->pidfd >= 0)
		target_gone(t, timeout_ms);
	else
		usleep((useconds_t)timeout_ms * 1000);
	return 0;
}

static void sample_meters(struct tracer *t);

/* ---- goroutines that were there before us (-pid) ------------------------- */

static int keep_existing(const struct gev *ev, void *ctx)
{
	struct tracer *t = ctx;
	struct gev *n;

	if (ev->kind != GEV_CREATE)
		return 0;
	n = realloc(t->existing, (t->n_existing + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->existing = n;
	n[t->n_existing] = *ev;
	n[t->n_existing].existing = true;
	t->n_existing++;
	return 0;
}

/*
 * -pid: before the probes go in, read the target's goroutine table once
 * (what --poll reads), so that goroutines which do not change state while
 * we watch are listed all the same, with their start function, creator and
 * parent instead of "(unknown)". Best effort: without it they appear at
 * their first change, unnamed.
 */
static void snapshot_read(struct tracer *t)
{
	char err[256];
	int next_ms, rc;

	t->snap = poll_src__open(t->ge, t->path, &t->tables.off, t->pid, 1000, err, sizeof(err));
	if (!t->snap) {
		if (verbose)
			fprintf(stderr, "xgotop-tui: goroutines before attach not read: %s\n", err);
		return;
	}
	t->snap_ts = xg_mono_ns();
	rc = poll_src__pump(t->snap, t->snap_ts, &next_ms, keep_existing, t);
	if (!rc)
		bias_from_poll(t, t->snap);
	if (rc && verbose)
		fprintf(stderr, "xgotop-tui: goroutines before attach not read: %s\n",
			strerror(-rc));
}

static int note_gone(const struct gev *ev, void *ctx)
{
	struct tracer *t = ctx;
	struct suspect *n;
	size_t i;

	if (ev->kind != GEV_EXIT)
		return 0;
	for (i = 0; i < t->n_existing; i++)
		if (t->existing[i].goid == ev->goid)
			break;
	if (i == t->n_existing)
		return 0;
	n = realloc(t->suspects, (t->n_suspects + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->suspects = n;
	n[t->n_suspects].goid = ev->goid;
	n[t->n_suspects].state = t->existing[i].to;
	t->n_suspects++;
	return 0;
}

static int seed_one(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	return decoder__seed(d, ev->pid, ev->goid, ev->to);
}

/* Counts the decoders that have not seen the goroutine (ev.pid, ev.goid) since its seed. */
struct seeded_q {
	struct gev ev;
	unsigned int n;
};

static int count_seeded(struct decoder *d, void *ctx)
{
	struct seeded_q *q = ctx;

	q->n += decoder__seeded(d, q->ev.pid, q->ev.goid);
	return 0;
}

/*
 * After attaching (and after the recording began): emit the goroutines
 * found, as creates marked existing, and seed the decoder with their
 * states. A second read names those gone since; any that ended before the
 * probes were in never get an exit record, and get one, inferred, once the
 * records up to now have all been read (snapshot_settle).
 */
static int snapshot_emit(struct tracer *t)
{
	int next_ms, err = 0;
	size_t i;

	for (i = 0; i < t->n_existing && !err; i++) {
		/* -sample goroutine:RATE: the others will never show a change. */
		if (!xg_goid_sampled(t->smp_conf.thresh[XG_SMP_GOROUTINE], t->existing[i].pid,
				     t->existing[i].goid))
			continue;
		t->existing[i].ts = t->snap_ts;
		/* Every processor: the one whose shard it is will see its records. */
		err = each_decoder(t, seed_one, &t->existing[i]);
		if (!err)
			err = emit_event(&t->existing[i], t);
	}
	if (err || !t->snap)
		return err;
	t->snap2_ts = xg_mono_ns();
	err = poll_src__pump(t->snap, t->snap2_ts, &next_ms, note_gone, t);
	poll_src__free(t->snap);
	t->snap = NULL;
	return err == -ESRCH ? 0 : err;
}

static int snapshot_settle(struct tracer *t, uint64_t released)
{
	struct gev ev = {.pid = (uint32_t)t->pid, .reason = GEV_NO_REASON, .inferred = true};
	unsigned int n_dec = t->wk ? t->opts->processors : 1;
	size_t i;
	int err = 0;

	if (!t->n_suspects || released < t->snap2_ts)
		return 0;
	ev.ts = t->snap2_ts;
	for (i = 0; i < t->n_suspects && !err; i++) {
		struct seeded_q q = {.ev = {.pid = ev.pid, .goid = t->suspects[i].goid}};

		/* Untouched everywhere: no record of it came after the probes went in. */
		each_decoder(t, count_seeded, &q);
		if (q.n < n_dec)
			continue;
		ev.goid = t->suspects[i].goid;
		ev.kind = GEV_STATE;
		ev.from = t->suspects[i].state;
		ev.to = XG_G_DEAD;
		err = emit_event(&ev, t);
		ev.kind = GEV_EXIT;
		if (!err)
			err = emit_event(&ev, t);
	}
	t->n_suspects = 0;
	return err;
}

static int pump(void *ctx, int timeout_ms)
{
	struct tracer *t = ctx;
	uint64_t start;
	int err;

	if (t->ended)
		return 1;
	if (t->poll) {
		err = pump_poll(t, timeout_ms);
		if (err < 0)
			return err;
		goto check_end;
	}
	if (t->wk) {
		err = pump_workers(t, timeout_ms);
		if (err)
			return err;
		goto check_end;
	}
	err = ring_buffer__poll(t->rb, timeout_ms);
	/* Records do not always wake us (bpf/xgotop.bpf.c lazy_wakeup). */
	if (err == 0)
		err = ring_buffer__consume(t->rb);
	if (err < 0 && err != -EINTR) {
		fail("cannot read the ring buffer: %s", strerror(-err));
		return err;
	}
	start = xg_mono_ns();
	err = decoder__drain(t->dec, start - REORDER_WINDOW_NS, emit_event, t);
	if (!err)
		err = snapshot_settle(t, start - REORDER_WINDOW_NS);
	if (!err && start - t->hist_ts >= 1000000000ull)
		err = poll_hist(t, start);
	t->proc_ns += xg_mono_ns() - start;
	if (err)
		return err;
check_end:
	if (xg_mono_ns() - t->m_ts >= METER_INTERVAL_NS) {
		sample_meters(t); /* records the sample too */
		/* Exited goroutines leave the table after a while: memory follows churn. */
		gtable__expire(t->gt, xg_mono_ns());
	}
	if (t->rec)
		record_tick(t);
	if (stop_signal && t->launched && !t->forwarded) {
		/* Trace a launched child to its end: it decides what the signal means. */
		kill(t->pid, stop_signal);
		t->forwarded = true;
	}
	if (target_gone(t, 0) || (t->deadline && xg_mono_ns() >= t->deadline) ||
	    (stop_signal && !t->launched)) {
		err = end_session(t);
		return err ? err : 1;
	}
	return 0;
}

static const struct gtable *source_table(void *ctx)
{
	return ((struct tracer *)ctx)->gt;
}

static void source_info(void *ctx, struct xg_target_info *out)
{
	struct tracer *t = ctx;

	memset(out, 0, sizeof(*out));
	out->pid = (uint32_t)t->pid;
	snprintf(out->path, sizeof(out->path), "%s", t->display);
	snprintf(out->go_version, sizeof(out->go_version), "%s", goelf__go_version(t->ge));
	snprintf(out->arch, sizeof(out->arch), "%s", goelf__arch_name(t->ge));
	/* Polling sees no transition between two reads: the mode says so. */
	if (t->poll) {
		char hz[16];

		snprintf(hz, sizeof(hz), "%.3g", t->opts->poll_hz);
		snprintf(out->mode, sizeof(out->mode), "POLL %.6sHz", hz);
	} else
		snprintf(out->mode, sizeof(out->mode), "LIVE");
	snprintf(out->probes, sizeof(out->probes), "%s", t->attached);
	snprintf(out->child_output, sizeof(out->child_output), "%s", t->child_log_path);
	out->recording = t->opts->record && t->rec && !t->rec_err;
}

/* BPF run time and run count summed over our programs (kernel BPF stats). */
static void bpf_run_totals(struct tracer *t, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_program *prog;

	*run_ns = *run_cnt = 0;
	if (!t->skel || t->stats_fd < 0)
		return;
	bpf_object__for_each_program(prog, t->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			*run_ns += info.run_time_ns;
			*run_cnt += info.run_cnt;
		}
	}
}

/*
 * One meter sample over the interval since the previous one. Taken by the
 * pump once a second, so the UI, the recorder and anyone else read the same
 * sample without resetting each other's baselines.
 */
static void sample_meters(struct tracer *t)
{
	struct xg_meters *out = &t->meters;
	uint64_t now = xg_mono_ns(), drops = count_drops(t), run_ns, run_cnt;
	double dt = t->m_ts ? (now - t->m_ts) / 1e9 : 0;
	uint64_t records = t->n_records - t->m_records;
	struct decoder_stats st;

	decoder__stats(t->dec, &st);
	if (t->wk) {
		struct workers_stats ws;

		workers__stats(t->wk, &ws);
		st.queued = ws.queued;
	}
	memset(out, 0, sizeof(*out));
	out->ts = now;
	out->rps = dt > 0 ? records / dt : 0;
	out->pps = dt > 0 ? (t->n_events - t->m_events) / dt : 0;
	out->ewp = st.queued;
	out->prc_ns = records ? (double)(t->proc_ns - t->m_proc_ns) / records : 0;
	out->drops = drops;
	out->drops_per_s = dt > 0 ? (drops - t->m_drops) / dt : 0;
	bpf_run_totals(t, &run_ns, &run_cnt);
	out->lat_ns = t->stats_fd >= 0 && run_cnt > t->m_run_cnt
			      ? (double)(run_ns - t->m_run_ns) / (run_cnt - t->m_run_cnt)
			      : -1;
	out->ovh_pct = -1;
	meters_sample(&t->smp, out);
	if (t->mt) {
		struct meters_counts c = {.ts = now,
					  .records = t->n_records,
					  .events = t->n_events,
					  .proc_ns = t->proc_ns,
					  .drops = drops,
					  .ewp = st.queued,
					  .stats = t->stats_fd >= 0};

		memcpy(c.sample, out->sample, sizeof(c.sample));
		double lat;

		out->ovh_pct = meters__sample(t->mt, &c, &lat);
		/* Over the attached probes only, not the calibration program. */
		if (t->skel)
			out->lat_ns = lat;
	}
	t->m_run_ns = run_ns;
	t->m_run_cnt = run_cnt;
	t->m_ts = now;
	t->m_records = t->n_records;
	t->m_events = t->n_events;
	t->m_proc_ns = t->proc_ns;
	t->m_drops = drops;
	if (t->rec)
		record_error(t, record__meters(t->rec, out));
}

static void source_meters(void *ctx, struct xg_meters *out)
{
	*out = ((struct tracer *)ctx)->meters;
}

/* After attaching: calibrate the cost of a hit, register the probes (src/meters.c). */
static int meters_open(struct tracer *t)
{
	struct meters_opts o = {.line_out = stderr, .no_probes = !t->skel};
	struct meters_calib *c = &o.calib;
	char name[160];
	int i, err;

	if (!t->opts->ui && !t->opts->silent)
		o.line_s = t->opts->delay > 0 ? t->opts->delay : 1;
	c->emulated_ns = c->stepped_ns = -1;
	if (t->skel) {
		err = meters__calibrate(bpf_program__fd(t->skel->progs.xg_calib), 4000, 5, c);
		if (err)
			fail("cannot time a probe hit: %s (OVH unknown)", strerror(-err));
		else if (verbose)
			fprintf(stderr,
				"xgotop-tui: a probe hit costs %.0f ns emulated, %.0f ns "
				"single-stepped, with a %.0f ns program\n",
				c->emulated_ns, c->stepped_ns, c->prog_ns);
	}
	t->mt = meters__new(&o);
	if (!t->mt) {
		fail("out of memory");
		return -ENOMEM;
	}
	for (i = 0; t->skel && i < t->n_sites; i++) {
		struct probe_site *s = &t->sites[i];
		struct bpf_program *prog;

		if (!t->links[i])
			continue;
		prog = bpf_object__find_program_by_name(t->skel->obj, s->spec->prog);
		err = meters__add_probe(t->mt, s->spec->prog, bpf_program__fd(prog),
					probes__site_name(s, name, sizeof(name)),
					s->mode == INSN_UPROBE_STEPPED);
		if (err)
			return err;
	}
	return 0;
}

static uint64_t source_now(void *ctx)
{
	(void)ctx;
	return xg_mono_ns();
}

static const struct xg_source_ops live_ops = {
	.pump = pump,
	.table = source_table,
	.info = source_info,
	.meters = source_meters,
	.now = source_now,
	.set_sample = source_set_sample,
};

/* With the flight recorder on. */
static const struct xg_source_ops live_ops_recent = {
	.pump = pump,
	.table = source_table,
	.info = source_info,
	.meters = source_meters,
	.now = source_now,
	.save_recent = source_save_recent,
	.set_sample = source_set_sample,
};

int tracer__run(const struct live_opts *opts)
{
	struct tracer t = {.opts = opts,
			   .pidfd = -1,
			   .child_log = -1,
			   .stats_fd = -1,
			   .bias_mu = PTHREAD_MUTEX_INITIALIZER};
	struct gtable_opts gopts = {};
	struct decoder_opts dopts = {};
	int go_fd = -1, err_fd = -1, rc = 1, err;
	struct sigaction sa = {.sa_handler = on_signal};
	char spec[176] = "";

	verbose = opts->verbose;
	libbpf_set_print(libbpf_print);
	if (check_privileges() || check_kernel() || resolve_target(&t))
		goto cleanup;

	t.smp = opts->sample;
	t.symcache = calloc(SYMCACHE_SIZE, sizeof(*t.symcache));
	dopts.goid_before_create = t.tables.goid_before_create;
	t.dec = decoder__new(&dopts);
	t.gt = gtable__new(&gopts);
	if (!t.symcache || !t.dec || !t.gt) {
		fail("out of memory");
		goto cleanup;
	}
	if (opts->jsonl) {
		t.out = jsonl__open(opts->jsonl);
		if (!t.out) {
			fail("cannot write %s: %s", opts->jsonl, strerror(errno));
			goto cleanup;
		}
	}
	if (record_open(&t))
		goto cleanup;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (t.launched) {
		err_fd = start_child(&t, &go_fd);
		if (err_fd < 0)
			goto cleanup;
	}
	if (t.pid) {
		t.pidfd = (int)syscall(SYS_pidfd_open, t.pid, 0);
		if (t.pidfd < 0) {
			fail("cannot attach to pid %d: %s", (int)t.pid,
			     errno == ESRCH ? "no such process" : strerror(errno));
			goto cleanup;
		}
	}
	if (opts->poll_hz) {
		char perr[256];

		t.poll = poll_src__open(t.ge, t.path, &t.tables.off, t.pid, opts->poll_hz, perr,
					sizeof(perr));
		if (!t.poll) {
			fail("cannot poll %s: %s", t.display, perr);
			goto cleanup;
		}
		snprintf(t.attached, sizeof(t.attached), "none, poll %g Hz", opts->poll_hz);
	} else {
		if (t.pid && !t.launched)
			snapshot_read(&t);
		if (load_and_attach(&t, t.attached, sizeof(t.attached)))
			goto cleanup;
	}
	if (meters_open(&t))
		goto cleanup;
	if (!t.launched && target_gone(&t, 0)) {
		fail("cannot attach to pid %d: the process exited during attach", (int)t.pid);
		goto cleanup;
	}
	if (sample__active(&t.smp)) {
		strcpy(spec, ", sample ");
		sample__format(&t.smp, spec + strlen(spec), sizeof(spec) - strlen(spec));
	}
	if (t.launched || t.pid)
		fprintf(stderr, "xgotop-tui: attached to pid %d (%s, %s, %s): probes %s%s\n",
			(int)t.pid, t.display, goelf__go_version(t.ge), goelf__arch_name(t.ge),
			t.attached, spec);
	else
		fprintf(stderr, "xgotop-tui: attached to %s (%s, %s), all processes: probes %s%s\n",
			t.display, goelf__go_version(t.ge), goelf__arch_name(t.ge), t.attached,
			spec);
	if (verbose)
		fprintf(stderr, "xgotop-tui: offsets from %s, wait reasons from %s\n",
			t.tables.off_source, t.tables.wait_source);
	if (verbose && t.poll)
		fprintf(stderr, "xgotop-tui: goroutine table: %s\n", poll_src__how(t.poll));
	if (record_begin(&t))
		goto cleanup;
	err = snapshot_emit(&t);
	if (err) {
		fail("cannot read the goroutines of pid %d: %s", (int)t.pid, strerror(-err));
		goto cleanup;
	}
	/*
	 * With a profile the compiler may inline casgstatus at hot call sites
	 * (execute, ready, park_m, newproc1: docs/GO-VERSIONS.md); those
	 * transitions then bypass the probe.
	 */
	if (goelf__pgo(t.ge))
		fprintf(stderr,
			"xgotop-tui: warning: %s was built with PGO (%s): transitions at call "
			"sites where the compiler inlined runtime.casgstatus are not seen\n",
			t.display, goelf__pgo(t.ge));
	if (t.launched) {
		err = release_child(&t, go_fd, err_fd);
		go_fd = err_fd = -1;
		if (err)
			goto cleanup;
	}

	t.deadline = opts->duration > 0 ? xg_mono_ns() + (uint64_t)(opts->duration * 1e9) : 0;
	if (opts->ui) {
		struct xg_source src = {.ops = t.rec && opts->history_min > 0 ? &live_ops_recent
									      : &live_ops,
					.ctx = &t};

		err = opts->ui(&src, opts->ui_ctx);
		if (!err)
			err = end_session(&t);
	} else {
		while (!(err = pump(&t, POLL_MS)))
			;
		err = err == 1 ? 0 : err;
	}
	if (err) {
		if (err != -ECANCELED)
			fail("tracing stopped: %s", strerror(-err));
		goto cleanup;
	}
	rc = 0;
	report_hits(&t);
	{
		uint64_t drops = count_drops(&t);

		if (drops)
			fail("%llu events dropped: the ring buffer was full (raise --ringbuf-mb)",
			     (unsigned long long)drops);
	}
	sample_meters(&t); /* the last interval, for the summary */
	if (opts->metrics && (err = meters__write_summary(t.mt, opts->metrics))) {
		fail("cannot write %s: %s", opts->metrics, strerror(-err));
		rc = 1;
	}

cleanup:
	if (go_fd >= 0)
		close(go_fd); /* the child sees EOF and exits without running anything */
	if (err_fd >= 0)
		close(err_fd);
	if (t.out && jsonl__close(t.out) && rc == 0)
		rc = 1;
	if (t.rec) {
		record_error(&t, record__close(t.rec));
		if (t.rec_err && rc == 0)
			rc = 1;
	}
	if (t.launched && t.pid > 0) {
		int status;

		if (rc)
			kill(t.pid, SIGKILL);
		if (waitpid(t.pid, &status, 0) == t.pid && rc == 0)
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (t.pidfd >= 0)
		close(t.pidfd);
	if (t.child_log >= 0)
		close(t.child_log);
	if (t.stats_fd >= 0)
		close(t.stats_fd);
	workers_free(&t);
	ring_buffer__free(t.rb);
	poll_src__free(t.poll);
	poll_src__free(t.snap);
	free(t.existing);
	free(t.suspects);
	detach(&t);
	xgotop_bpf__destroy(t.skel);
	decoder__free(t.dec);
	meters__free(t.mt);
	alloc_types__free(t.types);
	gtable__free(t.gt);
	go_tables__free(&t.tables);
	goelf__free(t.ge);
	free(t.symcache);
	return rc;
}
