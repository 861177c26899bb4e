// SPDX-License-Identifier: BSD-2-Clause
/*
 * The target of a live session: privileges and kernel, the Go binary (by
 * -pid, -b or the command's path), the launched child held before exec,
 * and the pidfd that says when the process is gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "diag.h"
#include "goelf.h"
#include "waitsites.h"
#include "target.h"
#include "tracer.h"

static bool has_cap(const struct __user_cap_data_struct *data, int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Root; or CAP_SYS_ADMIN, which on Linux 6.18 the uprobe PMU asks for
 * (perf_event_open says EACCES to CAP_BPF and CAP_PERFMON alone, measured);
 * or CAP_BPF and CAP_PERFMON, for kernels whose uprobes take CAP_PERFMON:
 * there the first attach tells (bpfobj__attach), before any probe is in.
 * A process of another user needs CAP_SYS_PTRACE as well (target__resolve).
 */
int target__check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() == 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data)) {
		diag__fail("need root: cannot read capabilities: %s", strerror(errno));
		return -EPERM;
	}
	if (has_cap(data, CAP_SYS_ADMIN) ||
	    (has_cap(data, 39 /* CAP_BPF */) && has_cap(data, 38 /* CAP_PERFMON */)))
		return 0;
	diag__fail("need root, or CAP_SYS_ADMIN (CAP_BPF and CAP_PERFMON are not enough for "
		   "uprobes on most kernels): run with sudo");
	return -EPERM;
}

int target__check_kernel(void)
{
	if (access("/sys/bus/event_source/devices/uprobe", F_OK)) {
		diag__fail(
			"this kernel has no uprobe support (CONFIG_UPROBE_EVENTS): cannot trace");
		return -ENOTSUP;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		diag__fail("this kernel has no BPF ring buffer (needs Linux 5.8+): cannot trace");
		return -ENOTSUP;
	}
	return 0;
}

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

/* The machine's own architecture: a binary of another cannot be probed. */
static enum goelf_arch host_arch(void)
{
#if defined(__x86_64__)
	return GOELF_ARCH_AMD64;
#elif defined(__aarch64__)
	return GOELF_ARCH_ARM64;
#else
	return GOELF_ARCH_UNKNOWN;
#endif
}

/*
 * go1.19's waits named by the caller of casgstatus (src/goexe/waitsites.c):
 * the sites, their reasons as indices, and where the probe inside
 * casgstatus (states and all levels) finds the return address. Without
 * that probe, or its return address, the waits keep the reason read.
 */
static void find_wait_sites(struct target *t)
{
	struct wait_site ws[WAIT_SITES_MAX];
	const struct probe_site *casg = NULL;
	int major, minor, n, i, in_lr;
	uint32_t off;

	if (go_version_parse(goelf__go_version(t->ge), &major, &minor))
		return;
	for (i = 0; i < t->n_sites && !casg; i++)
		if (t->sites[i].found && t->sites[i].spec->where == PROBE_IN_FUNC &&
		    !strcmp(t->sites[i].spec->prog, "casgstatus"))
			casg = &t->sites[i];
	n = wait_sites__find(t->ge, major, minor, ws);
	if (!casg || n <= 0 || wait_sites__return_address(t->ge, casg->vaddr, &in_lr, &off))
		return;
	for (i = 0; i < n && i < DECODER_WAIT_SITES; i++) {
		struct decoder_wait_site *d = &t->dec.wait_sites[t->dec.n_wait_sites];

		d->reason = go_tables__reason_index(&t->tables, ws[i].reason);
		if (d->reason < 0 || d->reason > 255)
			continue;
		d->start = ws[i].start;
		d->end = ws[i].end;
		t->dec.n_wait_sites++;
	}
	t->dec.casg_vaddr = casg->vaddr;
	t->casg_ra_mode = in_lr ? 1 : 2;
	t->casg_ra_off = off;
}

/*
 * Hold the binary open: T->path, /proc/self/fd/N, is how everything after
 * reaches it, so all of it sees the one inode read here.
 */
static int pin_binary(struct target *t, const char *path)
{
	struct stat st;

	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0 || fstat(t->fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	t->bin = file_id__of_stat(&st);
	snprintf(t->path, sizeof(t->path), "/proc/self/fd/%d", t->fd);
	return 0;
}

static bool same_file(const struct target *t, const char *path)
{
	return file_id__is(&t->bin, path);
}

static int open_binary(struct target *t, const struct live_opts *opts)
{
	char err[256];
	int e;

	t->ge = goelf__open(t->path);
	if (!t->ge) {
		e = errno;
		if (e == ENOEXEC)
			diag__fail("%s is not an ELF executable", t->display);
		else
			diag__fail("cannot read %s: %s", t->display, strerror(e));
		return -e;
	}
	if (!goelf__go_version(t->ge)) {
		if (t->pid && !t->launched)
			diag__fail("pid %d (%s) is not a Go program (no .go.buildinfo)",
				   (int)t->pid, t->display);
		else
			diag__fail("%s is not a Go program (no .go.buildinfo)", t->display);
		return -ENOEXEC;
	}
	if (goelf__arch(t->ge) == GOELF_ARCH_UNKNOWN) {
		diag__fail("%s: unsupported architecture", t->display);
		return -ENOEXEC;
	}
	/* The kernel would refuse the uprobes one by one (ENOTSUPP), some already in. */
	if (goelf__arch(t->ge) != host_arch()) {
		diag__fail("cannot trace %s: it is an %s program and this machine runs %s",
			   t->display, goelf__arch_name(t->ge),
			   host_arch() == GOELF_ARCH_AMD64 ? "amd64" : "arm64");
		return -ENOEXEC;
	}
	e = go_tables__load(t->ge, t->path, &t->tables, err, sizeof(err));
	if (e) {
		diag__fail("%s: %s", t->display, err);
		return e;
	}
	return target__resolve_sites(t,
				     opts->poll_hz  ? PROBES_NONE
				     : opts->probes ? opts->probes
						    : PROBES_DEFAULT,
				     opts->alloc != 0);
}

int target__resolve_sites(struct target *t, unsigned int level, bool alloc)
{
	/* XGOTOP_PROBES_AT_ENTRY: the benchmarks' before, every probe at its entry. */
	struct probe_opts popts = {.level = (enum probe_level)level,
				   .kernel = probes__running_kernel(),
				   .entry_only = getenv("XGOTOP_PROBES_AT_ENTRY") != NULL,
				   .classes = alloc ? 1u << PROBE_CLASS_ALLOC : 0};
	char err[256];

	t->n_sites = probes__resolve(t->ge, &popts, t->sites, PROBES_MAX, err, sizeof(err));
	if (t->n_sites < 0) {
		diag__fail("%s (%s): %s", t->display, goelf__go_version(t->ge), err);
		return t->n_sites;
	}
	memset(&t->dec, 0, sizeof(t->dec));
	t->casg_ra_mode = t->casg_ra_off = 0;
	t->dec.goid_before_create = t->tables.goid_before_create;
	find_wait_sites(t);
	return 0;
}

/* The line "Threads: N" of /proc/PID/status: 0 when unreadable. */
static int threads(pid_t pid)
{
	char path[64], buf[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f) && sscanf(buf, "Threads: %d", &n) != 1)
		;
	fclose(f);
	return n;
}

/*
 * Why -pid PID names nothing we can trace, or NULL: a zombie has exited, a
 * kernel thread has no executable, a thread belongs to a process.
 */
static const char *untraceable(pid_t pid, char *why, size_t len)
{
	char path[64], buf[1024], state = 0, *p;
	unsigned long flags = 0;
	int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* After the name: state ppid pgrp session tty_nr tpgid flags. */
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
		return NULL;
	if (state == 'Z' || state == 'X') {
		/* A zombie leader with threads is an exec from another thread, or soon gone. */
		if (threads(pid) > 1)
			return NULL;
		snprintf(why, len, "it has exited (a zombie its parent has not reaped)");
		return why;
	}
	if (flags & 0x00200000 /* PF_KTHREAD */) {
		snprintf(why, len, "it is a kernel thread, with no program to trace");
		return why;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(buf, sizeof(buf), f) && sscanf(buf, "Tgid: %d", &tgid) != 1)
		;
	fclose(f);
	if (tgid > 0 && tgid != (int)pid) {
		snprintf(why, len, "it is a thread of process %d: use -pid %d", tgid, tgid);
		return why;
	}
	return NULL;
}

static int resolve_pid(struct target *t, const struct live_opts *opts)
{
	char exe[64], why[96];
	int e, tries;
	ssize_t n;

	t->pid = opts->pid;
	if (kill(t->pid, 0) && errno == ESRCH) {
		diag__fail("cannot attach to pid %d: no such process", (int)t->pid);
		return -ESRCH;
	}
	if (untraceable(t->pid, why, sizeof(why))) {
		diag__fail("cannot attach to pid %d: %s", (int)t->pid, why);
		return -ESRCH;
	}
	/*
	 * Its memory first: that file reads EOF once the process has exec'd,
	 * so an exec between here and the end of attach cannot go unseen. Not
	 * everyone may open it (ptrace access): then the executable alone tells.
	 */
	snprintf(exe, sizeof(exe), "/proc/%d/mem", (int)t->pid);
	t->memfd = open(exe, O_RDONLY | O_CLOEXEC);
	/* /proc/PID/exe reaches the inode even when deleted or in another mount ns. */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)t->pid);
	/*
	 * A thread that execs first ends the others, the leader among them
	 * (kernel de_thread): for that moment the leader is a zombie with no
	 * executable. Not an error; give the exec up to a second.
	 */
	for (tries = 0; (e = pin_binary(t, exe)) == -ENOENT && tries < 100 && threads(t->pid) > 1;
	     tries++)
		usleep(10 * 1000);
	if (e) {
		if (e == -ENOENT && untraceable(t->pid, why, sizeof(why)))
			diag__fail("cannot attach to pid %d: %s", (int)t->pid, why);
		else if (e == -EACCES || e == -EPERM)
			diag__fail("cannot attach to pid %d: permission denied (a process of "
				   "another user needs root or CAP_SYS_PTRACE)",
				   (int)t->pid);
		else
			diag__fail("cannot attach to pid %d: %s", (int)t->pid,
				   e == -ENOENT ? "no such process" : strerror(-e));
		return e;
	}
	n = readlink(t->path, t->display, sizeof(t->display) - 1);
	if (n < 0)
		n = snprintf(t->display, sizeof(t->display), "pid %d's executable", (int)t->pid);
	t->display[n] = '\0';
	return open_binary(t, opts);
}

int target__resolve(struct target *t, const struct live_opts *opts)
{
	int e;

	if (opts->pid)
		return resolve_pid(t, opts);
	if (opts->binary) {
		snprintf(t->exe, sizeof(t->exe), "%s", opts->binary);
		e = pin_binary(t, opts->binary);
		if (e) {
			diag__fail("cannot trace %s: %s", opts->binary,
				   e == -EINVAL ? "not a regular file" : strerror(-e));
			return e;
		}
		if (!realpath(opts->binary, t->display))
			snprintf(t->display, sizeof(t->display), "%s", opts->binary);
		return open_binary(t, opts);
	}
	if (resolve_in_path(opts->cmd[0], t->exe, sizeof(t->exe))) {
		diag__fail("cannot run %s: command not found", opts->cmd[0]);
		return -ENOENT;
	}
	snprintf(t->display, sizeof(t->display), "%s", t->exe);
	t->launched = true;
	e = pin_binary(t, t->exe);
	if (e) {
		diag__fail("cannot run %s: %s", t->display,
			   e == -EINVAL ? "not a regular file" : strerror(-e));
		return e;
	}
	return open_binary(t, opts);
}

/* ---- the sites, before attaching; the process, after ---------------------------- */

/* Where PID maps file offset OFF of our binary, from /proc/PID/maps; 0 when it does not. */
static uint64_t mapped_at(const struct target *t, uint64_t off)
{
	uint64_t addr;

	return file_id__mapped_at(&t->bin, t->pid, off, &addr) ? 0 : addr;
}

/* BUF holds CODE, but for a breakpoint some uprobe already put on it. */
static bool same_code(const uint8_t *buf, const uint8_t *code, size_t len, enum goelf_arch arch)
{
	static const uint8_t brk[4] = {0xa0, 0x00, 0x20, 0xd4}; /* arm64 uprobe: brk #0x5 */

	if (!memcmp(buf, code, len))
		return true;
	if (arch == GOELF_ARCH_AMD64)
		return buf[0] == 0xcc && !memcmp(buf + 1, code + 1, len - 1);
	return len == 4 && !memcmp(buf, brk, 4);
}

static bool read_mem(const struct target *t, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};

	if (t->memfd >= 0)
		return pread(t->memfd, buf, len, (off_t)addr) == (ssize_t)len;
	return process_vm_readv(t->pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

int target__verify_sites(const struct target *t)
{
	enum goelf_arch arch = goelf__arch(t->ge);
	bool in_proc = t->pid && !t->launched;
	uint8_t buf[sizeof(t->sites[0].code)];
	char name[160];
	uint64_t addr;
	int i;

	for (i = 0; i < t->n_sites; i++) {
		const struct probe_site *s = &t->sites[i];

		if (!s->found || !s->code_len)
			continue;
		probes__site_name(s, name, sizeof(name));
		if (pread(t->fd, buf, s->code_len, (off_t)s->file_off) != s->code_len ||
		    memcmp(buf, s->code, s->code_len)) {
			diag__fail(
				"cannot attach to %s: the instruction at %s changed since it was "
				"read (the file was rewritten in place)",
				t->display, name);
			return -ESTALE;
		}
		if (!in_proc)
			continue;
		addr = mapped_at(t, s->file_off);
		if (!addr) {
			/*
			 * Not mapped from this inode: an overlay's maps name the layer's,
			 * or it exec'd, which target__check_attached tells.
			 */
			if (diag__verbose())
				fprintf(stderr, "xgotop-tui: %s: not found in pid %d's mappings\n",
					name, (int)t->pid);
			continue;
		}
		if (read_mem(t, addr, buf, s->code_len) &&
		    !same_code(buf, s->code, s->code_len, arch)) {
			diag__fail(
				"cannot attach to pid %d: its code at %s (0x%llx) is not what %s "
				"holds there",
				(int)t->pid, name, (unsigned long long)addr, t->display);
			return -ESTALE;
		}
	}
	return 0;
}

int target__site_trapped(const struct target *t, const struct probe_site *s, uint64_t *addr)
{
	uint8_t buf[sizeof(s->code)];

	if (!s->found || !s->code_len)
		return -EINVAL;
	if (!*addr)
		*addr = mapped_at(t, s->file_off);
	if (!*addr)
		return -ENOENT;
	errno = 0;
	if (!read_mem(t, *addr, buf, s->code_len))
		return errno ? -errno : -EIO;
	return memcmp(buf, s->code, s->code_len) != 0;
}

/*
 * Has the process exec'd? Its old memory reads EOF once the new image is
 * in (an exit too, but an exiting process has no executable left); without
 * that file, /proc/PID/exe naming another inode tells an exec of another
 * program.
 */
static bool execd(struct target *t)
{
	char exe[64], c;
	ssize_t n;

	if (t->execd)
		return true;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)t->pid);
	if (t->memfd >= 0 ? pread(t->memfd, &c, 1, 1) != 0 : same_file(t, exe))
		return false;
	n = readlink(exe, t->exec_path, sizeof(t->exec_path) - 1);
	if (n < 0)
		return false; /* exiting: the pidfd says so */
	t->exec_path[n] = '\0';
	t->execd = true;
	return true;
}

/* -b: the path given now names another file (an ordinary deploy renames over it). */
static bool check_renamed(struct target *t)
{
	if (t->replaced || !t->exe[0] || same_file(t, t->exe))
		return false;
	t->replaced = true;
	return true;
}

static void warn_renamed(const struct target *t, const char *when)
{
	fprintf(stderr,
		"xgotop-tui: warning: %s was replaced %s: the probes stay in the file it named "
		"before; processes started from the new one are not traced\n",
		t->exe, when);
}

int target__check_attached(struct target *t, int attach_err)
{
	int tries;

	if (!t->pid) {
		if (check_renamed(t))
			warn_renamed(t, "during attach");
		return 0;
	}
	if (t->launched)
		return 0;
	/* perf_event_open says ESRCH while the process is between two images. */
	for (tries = 0; attach_err == -ESRCH && tries < 100 && !execd(t) && !target__gone(t, 10);
	     tries++)
		;
	if (execd(t)) {
		diag__fail(
			"cannot attach to pid %d: it exec'd %s during attach (the probes were for "
			"%s): run xgotop-tui again to trace it",
			(int)t->pid, t->exec_path, t->display);
		return -ESTALE;
	}
	if (target__gone(t, 0) || attach_err == -ESRCH) {
		diag__fail("cannot attach to pid %d: the process exited during attach",
			   (int)t->pid);
		return -ESRCH;
	}
	return attach_err;
}

int target__report_end(const struct target *t)
{
	/* Said at the end: the UI owns the terminal while tracing. */
	if (t->replaced_late)
		warn_renamed(t, "while tracing");
	if (!t->execd)
		return 0;
	if (!strcmp(t->exec_path, t->display))
		diag__fail("pid %d exec'd %s again, or a file renamed over it: the probes were for "
			   "the one before; stopped",
			   (int)t->pid, t->exec_path);
	else
		diag__fail("pid %d exec'd %s: the probes were for %s; stopped", (int)t->pid,
			   t->exec_path, t->display);
	return -ESTALE;
}

/*
 * Launch: the child waits on a pipe until the probes are attached to its
 * pid, then execs, so not one instruction of the target runs untraced.
 */
int target__launch(struct target *t, const struct live_opts *opts)
{
	int go[2], err[2];
	pid_t pid;

	if (opts->ui) {
		snprintf(t->child_log_path, sizeof(t->child_log_path),
			 "/tmp/xgotop-tui-child-XXXXXX.log");
		t->child_log = mkstemps(t->child_log_path, 4);
		if (t->child_log < 0) {
			diag__fail("cannot create a log for %s's output: %s", t->display,
				   strerror(errno));
			return -errno;
		}
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		diag__fail("cannot launch %s: %s", t->display, strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		diag__fail("cannot launch %s: %s", t->display, strerror(errno));
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
		execv(t->exe, opts->cmd);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	t->pid = pid;
	t->go_fd = go[1];
	t->err_fd = err[0];
	return 0;
}

int target__release(struct target *t)
{
	int go_fd = t->go_fd, err_fd = t->err_fd, e = 0;
	char path[64];
	ssize_t n;

	t->go_fd = t->err_fd = -1;
	if (write(go_fd, "g", 1) != 1) {
		diag__fail("cannot start %s: %s", t->display, strerror(errno));
		return -EIO;
	}
	close(go_fd);
	n = read(err_fd, &e, sizeof(e));
	close(err_fd);
	if (n == sizeof(e)) {
		diag__fail("cannot run %s: %s", t->display, strerror(e));
		waitpid(t->pid, NULL, 0);
		return -e;
	}
	/* It has exec'd (the pipe closed): from now on an exec is another image. */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t->pid);
	t->memfd = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

int target__watch(struct target *t)
{
	t->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	if (t->pidfd < 0) {
		diag__fail("cannot attach to pid %d: %s", (int)t->pid,
			   errno == ESRCH ? "no such process" : strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * A process with an image: a readable pidfd alone does not say it ended.
 * An exec from a thread other than the leader reaps the old leader
 * (de_thread) before the new image is in, and the pidfd read as exited
 * for that moment (e2e.attach.race, 1 trial of 80: "the process exited
 * during attach" for a process that went on in its new image). A process
 * that exited, or a zombie, has no /proc/PID/exe to read.
 */
static bool has_image(const struct target *t)
{
	char exe[64], buf[8];

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)t->pid);
	return readlink(exe, buf, sizeof(buf)) >= 0;
}

bool target__gone(struct target *t, int timeout_ms)
{
	struct pollfd p = {.fd = t->pidfd, .events = POLLIN};
	struct timespec now;

	if (t->pidfd < 0) {
		/* -b: a stat of the path, once a second at most. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long long)now.tv_sec >= t->next_check) {
			t->next_check = (unsigned long long)now.tv_sec + 1;
			t->replaced_late |= check_renamed(t);
		}
		return false;
	}
	if (t->launched && t->go_fd >= 0)
		return poll(&p, 1, timeout_ms) > 0; /* not exec'd yet */
	if (execd(t))
		return true;
	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	if (execd(t) || !has_image(t))
		return true;
	/* Between two images: gone for nobody; the wait asked for, then execd() decides. */
	if (timeout_ms > 0)
		usleep((useconds_t)timeout_ms * 1000);
	return execd(t);
}

void target__cancel_launch(struct target *t)
{
	if (t->go_fd >= 0)
		close(t->go_fd); /* the child sees EOF and exits without running anything */
	if (t->err_fd >= 0)
		close(t->err_fd);
	t->go_fd = t->err_fd = -1;
}

int target__reap(struct target *t, int rc)
{
	int status;

	if (!t->launched || t->pid <= 0)
		return rc;
	if (rc)
		kill(t->pid, SIGKILL);
	if (waitpid(t->pid, &status, 0) == t->pid && rc == 0)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return rc;
}

void target__free(struct target *t)
{
	target__cancel_launch(t);
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->child_log >= 0)
		close(t->child_log);
	if (t->memfd >= 0)
		close(t->memfd);
	if (t->fd >= 0)
		close(t->fd);
	t->pidfd = t->child_log = t->memfd = t->fd = -1;
	go_tables__free(&t->tables);
	goelf__free(t->ge);
	t->ge = NULL;
}
