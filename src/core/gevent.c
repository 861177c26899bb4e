// SPDX-License-Identifier: BSD-2-Clause
#include "gevent.h"

#include "xgotop_event.h"

/*
 * The event kinds. A new kind is a row here; tests/unit/test_eventnames.c
 * holds the names to docs/JSONL.md and the JSONL writer.
 */
const struct gev_kind_info gev_kinds[GEV_KIND_MAX + 1] = {
	[GEV_CREATE] = {GEV_CREATE, "create", GEV_SCOPE_GOROUTINE, XG_EV_STATE},
	[GEV_STATE] = {GEV_STATE, "state", GEV_SCOPE_GOROUTINE, XG_EV_STATE},
	[GEV_EXIT] = {GEV_EXIT, "exit", GEV_SCOPE_GOROUTINE, XG_EV_STATE},
	[GEV_ALLOC] = {GEV_ALLOC, "alloc", GEV_SCOPE_CHARGED, XG_EV_ALLOC},
	/* GC records carry the g they interrupted: their state is per process. */
	[GEV_GC] = {GEV_GC, "gc", GEV_SCOPE_PROCESS, XG_EV_GC},
	/* Read from a BPF map, not a ring. */
	[GEV_ALLOC_HIST] = {GEV_ALLOC_HIST, "alloc_hist", GEV_SCOPE_PROCESS, 0},
	/* Counted by the tracer (the drop counter), not a ring record. */
	[GEV_GAP] = {GEV_GAP, "gap", GEV_SCOPE_PROCESS, 0},
	/* Said by the tracer when the capture level is chosen or changes. */
	[GEV_CAPTURE] = {GEV_CAPTURE, "capture", GEV_SCOPE_PROCESS, 0},
	/* Read from the target's memory (src/live/heapsrc.c), not a ring. */
	[GEV_HEAP_CLASS] = {GEV_HEAP_CLASS, "heap_class", GEV_SCOPE_PROCESS, 0},
	[GEV_HEAP] = {GEV_HEAP, "heap", GEV_SCOPE_PROCESS, 0},
	/*
	 * Off-CPU time charged to the goroutine its thread ran (goid 0:
	 * the cgroup's figures, read from /sys/fs/cgroup by the tracer).
	 */
	[GEV_CPU] = {GEV_CPU, "cpu", GEV_SCOPE_CHARGED, XG_EV_SCHED},
};

_Static_assert((int)GEV_CPU_PREEMPTED == XG_OFF_PREEMPTED && (int)GEV_CPU_BLOCKED == XG_OFF_BLOCKED,
	       "the decoder copies the cause");

/* The names docs/JSONL.md promises, indexed by Go status number, with their lengths. */
#define NAME(s)                  \
	{                        \
		s, sizeof(s) - 1 \
	}
static const struct gev_name state_names[XG_G_NSTATES] = {
	[XG_G_IDLE] = NAME("idle"),	      [XG_G_RUNNABLE] = NAME("runnable"),
	[XG_G_RUNNING] = NAME("running"),     [XG_G_SYSCALL] = NAME("syscall"),
	[XG_G_WAITING] = NAME("waiting"),     [XG_G_MORIBUND] = NAME("moribund"),
	[XG_G_DEAD] = NAME("dead"),	      [XG_G_ENQUEUE] = NAME("enqueue"),
	[XG_G_COPYSTACK] = NAME("copystack"), [XG_G_PREEMPTED] = NAME("preempted"),
	[XG_G_LEAKED] = NAME("leaked"),	      [XG_G_DEADEXTRA] = NAME("deadextra"),
};
#undef NAME

const struct gev_name *gev_state(unsigned int state)
{
	static const struct gev_name unknown = {"unknown", sizeof("unknown") - 1};

	return state < XG_G_NSTATES ? &state_names[state] : &unknown;
}

const char *gev_state_name(unsigned int state)
{
	return gev_state(state)->s;
}

static const char *const gc_phases[] = {
	[XG_GC_START] = "start",     [XG_GC_MARK_TERM] = "mark_termination",
	[XG_GC_SWEEP] = "sweep",     [XG_GC_STW_START] = "stw_start",
	[XG_GC_STW_END] = "stw_end", [XG_GC_END] = "end",
};

const char *gev_gc_phase_name(unsigned int phase)
{
	if (phase >= sizeof(gc_phases) / sizeof(gc_phases[0]) || !gc_phases[phase])
		return "unknown";
	return gc_phases[phase];
}

static const char *const alloc_kinds[XG_AK_NKINDS] = {
	[XG_AK_OTHER] = "other", [XG_AK_OBJECT] = "object",
	[XG_AK_SLICE] = "slice", [XG_AK_APPEND] = "append",
	[XG_AK_MAP] = "map",	 [XG_AK_STRING] = "string",
	[XG_AK_CHAN] = "chan",	 [XG_AK_GOROUTINE] = "goroutine",
};

const char *gev_alloc_kind_name(unsigned int kind)
{
	return kind < XG_AK_NKINDS ? alloc_kinds[kind] : "other";
}

/* runtime.gcTriggerKind: gcTriggerHeap, gcTriggerTime, gcTriggerCycle (go1.19 to go1.26). */
const char *gev_gc_trigger_name(unsigned int trigger)
{
	static const char *const names[] = {"heap", "time", "cycle"};

	return trigger < 3 ? names[trigger] : "unknown";
}

const char *gev_cpu_what_name(unsigned int what)
{
	static const char *const names[] = {
		[GEV_CPU_PREEMPTED] = "preempted",
		[GEV_CPU_BLOCKED] = "blocked",
		[GEV_CPU_THROTTLE] = "throttle",
		[GEV_CPU_LIMIT] = "limit",
	};

	return what && what <= GEV_CPU_LIMIT ? names[what] : "unknown";
}
