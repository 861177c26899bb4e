// SPDX-License-Identifier: BSD-2-Clause
#include "gevent.h"

#include "../bpf/xgotop_event.h"

/* The names docs/JSONL.md promises, indexed by Go status number. */
static const char *const state_names[XG_G_NSTATES] = {
	[XG_G_IDLE] = "idle",
	[XG_G_RUNNABLE] = "runnable",
	[XG_G_RUNNING] = "running",
	[XG_G_SYSCALL] = "syscall",
	[XG_G_WAITING] = "waiting",
	[XG_G_MORIBUND] = "moribund",
	[XG_G_DEAD] = "dead",
	[XG_G_ENQUEUE] = "enqueue",
	[XG_G_COPYSTACK] = "copystack",
	[XG_G_PREEMPTED] = "preempted",
	[XG_G_LEAKED] = "leaked",
	[XG_G_DEADEXTRA] = "deadextra",
};

const char *gev_state_name(unsigned int state)
{
	if (state >= XG_G_NSTATES)
		return "unknown";
	return state_names[state];
}
