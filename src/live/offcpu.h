/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-CPU and off-CPU time (issue 16): the sched_switch program
 * (bpf/xgotop.bpf.c) says when a thread of the target was off its CPU and
 * why; this charges that time to the goroutine the thread runs, known from
 * the `running` records (their tid). Pure: fed events in order by the sink.
 */
#ifndef XGOTOP_OFFCPU_H
#define XGOTOP_OFFCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "gevent.h"

struct sched_threads;

struct sched_threads *sched_threads__new(void);
void sched_threads__free(struct sched_threads *st);
/*
 * Follow which goroutine each thread runs, from a goroutine event EV (a
 * change to or from running, an exit; a capture level below states, with
 * no such records, forgets them all). 0, or -ENOMEM.
 */
int sched_threads__observe(struct sched_threads *st, const struct gev *ev);
/*
 * A thread's off-CPU interval (GEV_CPU, preempted or blocked, goid 0):
 * charged to the goroutine its thread runs (EV's goid set, the interval cut
 * to the time since it started running), true; false when the thread runs
 * none (an idle M, the runtime's own threads): drop it.
 */
bool sched_threads__charge(struct sched_threads *st, struct gev *ev);

struct sched_stats {
	uint64_t charged, dropped;
	uint64_t threads; /* running a goroutine now */
};
void sched_threads__stats(const struct sched_threads *st, struct sched_stats *out);

#endif /* XGOTOP_OFFCPU_H */
