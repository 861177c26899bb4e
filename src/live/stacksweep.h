/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UI's and the recording's stacks (issue 15): a thread of its own
 * sweeps the target's goroutines (src/live/stacks.c) every --stack-interval
 * seconds, resolves each distinct stack once (physical PCs -> Go's shown
 * frames) and leaves the result for the pump, which interns it into the
 * model's stackset (src/core/stackset.h). Between sweeps it reads the
 * goroutine the detail view shows alone, about once a second while asked
 * for (stackset__set_one). The ring readers and the UI never wait for it.
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
/*
 * GOID is shown: read it alone now if it was not the one shown, then
 * about once a second while asked for again (every draw). One the last
 * sweep did not find (it is younger) costs one whole sweep instead.
 */
void stacksweep__want(struct stacksweep *w, uint64_t goid);
/*
 * The sweep done since the last call, if any, into SET as its current
 * sweep, each waiting goroutine's wait time from GT when it has it (the
 * events' exact time), else from g.waitsince; and the goroutine read
 * alone since, if any (stackset__set_one). 1: a sweep was installed; 0:
 * none new (a goroutine read alone is not a sweep: it is not recorded);
 * -errno: failed. ERR: the sweeper's last error, if any ("").
 */
int stacksweep__collect(struct stacksweep *w, struct stackset *set, const struct gtable *gt,
			uint32_t pid, char *err, size_t errlen);
/* Stop and join the thread (NULL: nothing). */
void stacksweep__stop(struct stacksweep *w);

#endif /* XGOTOP_STACKSWEEP_H */
