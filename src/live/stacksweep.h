/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UI's and the recording's stacks (issue 15): a thread of its own
 * sweeps the target's goroutines (src/live/stacks.c) every --stack-interval
 * seconds, or sooner when asked (the goroutine shown in the detail view),
 * resolves each distinct stack once (physical PCs -> Go's shown frames) and
 * leaves the result for the pump, which interns it into the model's
 * stackset (src/core/stackset.h). The ring readers never wait for it.
 */
#ifndef XGOTOP_STACKSWEEP_H
#define XGOTOP_STACKSWEEP_H

#include <stdint.h>
#include <sys/types.h>

struct stacksweep;
struct stackset;
struct gtable;

/* Sweep PID every INTERVAL_NS. NULL with ERR set. */
struct stacksweep *stacksweep__start(pid_t pid, uint64_t interval_ns, char *err, size_t errlen);
/* Sweep again soon (at most every 500 ms). */
void stacksweep__want(struct stacksweep *w);
/*
 * The sweep done since the last call, if any, into SET as its current
 * sweep, each waiting goroutine's wait time from GT when it has it (the
 * events' exact time), else from g.waitsince. 1: a sweep was installed;
 * 0: none new; -errno: failed. ERR: the sweeper's last error, if any ("").
 */
int stacksweep__collect(struct stacksweep *w, struct stackset *set, const struct gtable *gt,
			uint32_t pid, char *err, size_t errlen);
/* Stop and join the thread (NULL: nothing). */
void stacksweep__stop(struct stacksweep *w);

#endif /* XGOTOP_STACKSWEEP_H */
