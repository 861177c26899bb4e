/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * -pid: the goroutine table is read a second time once the probes are in
 * (snapshot.h). A thread of the target the scheduler took off its CPU
 * between casgstatus's probe site and its status store, before the probe
 * was in, makes a goroutine whose creation no record shows and that the
 * read, made before the thread runs again, does not see either: its first
 * record is a state change of an "(unknown)" goroutine. Waiting for every
 * thread that was runnable or in a page fault (not asleep in a system
 * call: casgstatus makes none from its probe site to the store) to have
 * run again closes that window.
 */
#ifndef XGOTOP_QUIESCE_H
#define XGOTOP_QUIESCE_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Return once each thread of PID found runnable or in uninterruptible sleep
 * has run since (its /proc schedstat run time grew) or ended, or after
 * MAX_NS. The number of threads still waited for, or -errno (no /proc).
 */
int quiesce__threads(pid_t pid, uint64_t max_ns);

#endif /* XGOTOP_QUIESCE_H */
