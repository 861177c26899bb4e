/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The target of a live session: may we trace at all, which Go binary, which
 * process (-pid, or a command we launch and hold until the probes are in),
 * and whether it is still there.
 */
#ifndef XGOTOP_TARGET_H
#define XGOTOP_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "decode.h"
#include "fileid.h"
#include "gotables.h"
#include "probes.h"

struct goelf;
struct live_opts;

/*
 * The binary is opened once (fd) and everything, the analysis and the
 * uprobes, goes through PATH, /proc/self/fd/FD: the kernel resolves a
 * uprobe's path to an inode at attach, so the probes land in the very file
 * that was read, whatever is renamed over its name or exec'd meanwhile.
 */
struct target {
	char path[PATH_MAX];	/* /proc/self/fd/FD: what is read and what the uprobes attach to */
	char exe[PATH_MAX];	/* the command to launch, or -b's path as given; else "" */
	char display[PATH_MAX]; /* what the user recognises */
	int fd;			/* the binary, open until target__free; -1 before */
	struct file_id bin;	/* and its identity */
	int memfd;		/* -pid and launched: /proc/PID/mem, EOF once it exec'd; or -1 */
	bool execd;		/* the process exec'd another image (target__gone) */
	char exec_path[PATH_MAX];      /* which */
	bool replaced;		       /* -b: the path now names another file */
	bool replaced_late;	       /* ...and was found so while tracing */
	unsigned long long next_check; /* -b: when to look at the path again (s) */
	struct goelf *ge;
	struct go_tables tables;
	struct probe_site sites[PROBES_MAX]; /* the BPF object may drop some (bpfobj.c) */
	int n_sites;
	/* The decoder's options: goid order, go1.19's waits named by their caller. */
	struct decoder_opts dec;
	/* bpf casg_ra_mode / casg_ra_off: where the casgstatus probe finds its return address. */
	uint32_t casg_ra_mode, casg_ra_off;
	pid_t pid; /* 0 in -b mode */
	int pidfd; /* -1: none (-b) */
	bool launched;
	int child_log; /* launched child's stdout/stderr with a UI, else -1 */
	char child_log_path[256];
	int go_fd, err_fd; /* launched child waiting to exec: its pipes, else -1 */
};

#define TARGET_INIT                                                                            \
	{                                                                                      \
		.fd = -1, .memfd = -1, .pidfd = -1, .child_log = -1, .go_fd = -1, .err_fd = -1 \
	}

/*
 * Root, or the capabilities attaching needs (README.md, "Requirements");
 * uprobes and a BPF ring buffer. 0 or -errno (reported).
 */
int target__check_privileges(void);
int target__check_kernel(void);
/* -pid, -b or the command: the binary, its Go tables and probe sites. 0 or -errno (reported). */
int target__resolve(struct target *t, const struct live_opts *opts);
/* The probe sites of LEVEL (enum probe_level; ALLOC: the allocation probes too), again. */
int target__resolve_sites(struct target *t, unsigned int level, bool alloc);
/* Fork the command, stopped before exec until target__release. 0 or -errno (reported). */
int target__launch(struct target *t, const struct live_opts *opts);
/* The pidfd that tells when the process exits (-pid and launch). 0 or -errno (reported). */
int target__watch(struct target *t);
/*
 * Before attaching: the bytes at every site, in the file and (-pid) in the
 * process where it maps the file, are those the placement decoded.
 * 0 or -errno (reported).
 */
int target__verify_sites(const struct target *t);
/*
 * Whether the process's code at SITE still holds a breakpoint (1) or the
 * site's own bytes again (0); -errno when it cannot be read. *ADDR: where
 * the site is mapped, looked up when 0 and kept for the next call.
 */
int target__site_trapped(const struct target *t, const struct probe_site *site, uint64_t *addr);
/*
 * After attaching (-pid): the process neither exited nor exec'd meanwhile;
 * ATTACH_ERR -ESRCH (bpfobj__attach, unreported): which of the two it was.
 * -b: says once if the path now names another file. 0 or -errno (reported).
 */
int target__check_attached(struct target *t, int attach_err);
/* Let the launched command exec, now that the probes are in. 0 or -errno (reported). */
int target__release(struct target *t);
/*
 * The process has exited, or exec'd (then t->execd; a pidfd does not tell),
 * waiting up to TIMEOUT_MS for an exit; never in -b mode, where it says once
 * that the path was replaced.
 */
bool target__gone(struct target *t, int timeout_ms);
/*
 * After the end: "pid N exec'd ...; stopped" if it did (reported), and -b's
 * path replaced while tracing (a warning). 0, or -ESTALE when it exec'd.
 */
int target__report_end(const struct target *t);
/*
 * End of session: a launched command not yet released exits without
 * running anything; one that ran is waited for (killed first when RC is an
 * error). Returns RC, or the command's exit status when RC is 0.
 */
void target__cancel_launch(struct target *t);
int target__reap(struct target *t, int rc);
void target__free(struct target *t);

#endif /* XGOTOP_TARGET_H */
