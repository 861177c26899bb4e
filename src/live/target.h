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

#include "gotables.h"
#include "probes.h"

struct goelf;
struct live_opts;

struct target {
	char path[PATH_MAX];	/* what the uprobes attach to */
	char display[PATH_MAX]; /* what the user recognises */
	struct goelf *ge;
	struct go_tables tables;
	struct probe_site sites[PROBES_MAX]; /* the BPF object may drop some (bpfobj.c) */
	int n_sites;
	pid_t pid; /* 0 in -b mode */
	int pidfd; /* -1: none (-b) */
	bool launched;
	int child_log; /* launched child's stdout/stderr with a UI, else -1 */
	char child_log_path[256];
	int go_fd, err_fd; /* launched child waiting to exec: its pipes, else -1 */
};

#define TARGET_INIT                                                     \
	{                                                               \
		.pidfd = -1, .child_log = -1, .go_fd = -1, .err_fd = -1 \
	}

/* Root, or CAP_BPF and CAP_PERFMON; uprobes and a BPF ring buffer. 0 or -errno (reported). */
int target__check_privileges(void);
int target__check_kernel(void);
/* -pid, -b or the command: the binary, its Go tables and probe sites. 0 or -errno (reported). */
int target__resolve(struct target *t, const struct live_opts *opts);
/* Fork the command, stopped before exec until target__release. 0 or -errno (reported). */
int target__launch(struct target *t, const struct live_opts *opts);
/* The pidfd that tells when the process exits (-pid and launch). 0 or -errno (reported). */
int target__watch(struct target *t);
/* Let the launched command exec, now that the probes are in. 0 or -errno (reported). */
int target__release(struct target *t);
/* The process has exited (waits up to TIMEOUT_MS); never in -b mode. */
bool target__gone(const struct target *t, int timeout_ms);
/*
 * End of session: a launched command not yet released exits without
 * running anything; one that ran is waited for (killed first when RC is an
 * error). Returns RC, or the command's exit status when RC is 0.
 */
void target__cancel_launch(struct target *t);
int target__reap(struct target *t, int rc);
void target__free(struct target *t);

#endif /* XGOTOP_TARGET_H */
