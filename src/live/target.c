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
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "diag.h"
#include "goelf.h"
#include "target.h"
#include "tracer.h"

int target__check_privileges(void)
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
		diag__fail("need root: cannot read capabilities: %s", strerror(errno));
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
		diag__fail("need root, or CAP_BPF and CAP_PERFMON (missing %s): run with sudo",
			   missing);
		return -EPERM;
	}
	return 0;
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
	e = go_tables__load(t->ge, t->path, &t->tables, err, sizeof(err));
	if (e) {
		diag__fail("%s: %s", t->display, err);
		return e;
	}
	{
		/* XGOTOP_PROBES_AT_ENTRY: the benchmarks' before, every probe at its entry. */
		struct probe_opts popts = {.level = opts->poll_hz  ? PROBES_NONE
						    : opts->probes ? opts->probes
								   : PROBES_DEFAULT,
					   .kernel = probes__running_kernel(),
					   .entry_only = getenv("XGOTOP_PROBES_AT_ENTRY") != NULL,
					   .classes = opts->alloc ? 1u << PROBE_CLASS_ALLOC : 0};

		t->n_sites = probes__resolve(t->ge, &popts, t->sites, PROBES_MAX, err, sizeof(err));
	}
	if (t->n_sites < 0) {
		diag__fail("%s (%s): %s", t->display, goelf__go_version(t->ge), err);
		return t->n_sites;
	}
	return 0;
}

int target__resolve(struct target *t, const struct live_opts *opts)
{
	struct stat st;
	ssize_t n;

	if (opts->pid) {
		t->pid = opts->pid;
		if (kill(t->pid, 0) && errno == ESRCH) {
			diag__fail("cannot attach to pid %d: no such process", (int)t->pid);
			return -ESRCH;
		}
		/* /proc/PID/exe reaches the inode even when deleted or in another mount ns. */
		snprintf(t->path, sizeof(t->path), "/proc/%d/exe", (int)t->pid);
		n = readlink(t->path, t->display, sizeof(t->display) - 1);
		if (n < 0) {
			diag__fail("cannot attach to pid %d: %s", (int)t->pid,
				   errno == ENOENT ? "no such process" : strerror(errno));
			return -errno;
		}
		t->display[n] = '\0';
		return open_binary(t, opts);
	}
	if (opts->binary) {
		if (stat(opts->binary, &st)) {
			diag__fail("cannot trace %s: %s", opts->binary, strerror(errno));
			return -errno;
		}
		if (!S_ISREG(st.st_mode)) {
			diag__fail("cannot trace %s: not a regular file", opts->binary);
			return -EINVAL;
		}
		if (!realpath(opts->binary, t->path)) {
			diag__fail("cannot trace %s: %s", opts->binary, strerror(errno));
			return -errno;
		}
		snprintf(t->display, sizeof(t->display), "%s", t->path);
		return open_binary(t, opts);
	}
	if (resolve_in_path(opts->cmd[0], t->path, sizeof(t->path))) {
		diag__fail("cannot run %s: command not found", opts->cmd[0]);
		return -ENOENT;
	}
	snprintf(t->display, sizeof(t->display), "%s", t->path);
	t->launched = true;
	return open_binary(t, opts);
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
		execv(t->path, opts->cmd);
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

bool target__gone(const struct target *t, int timeout_ms)
{
	struct pollfd p = {.fd = t->pidfd, .events = POLLIN};

	if (t->pidfd < 0)
		return false;
	return poll(&p, 1, timeout_ms) > 0;
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
	t->pidfd = t->child_log = -1;
	go_tables__free(&t->tables);
	goelf__free(t->ge);
	t->ge = NULL;
}
