/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records written by the BPF programs into the ring buffer, and the
 * configuration they read. Shared verbatim by bpf/ and src/: fixed-size
 * fields only, sizes checked below.
 */
#ifndef XGOTOP_EVENT_H
#define XGOTOP_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Goroutine states, runtime/runtime2.go (stable from go1.0 to go1.26). */
enum xg_gstatus {
	XG_G_IDLE = 0,
	XG_G_RUNNABLE = 1,
	XG_G_RUNNING = 2,
	XG_G_SYSCALL = 3,
	XG_G_WAITING = 4,
	XG_G_MORIBUND = 5, /* unused since go1.0, kept so numbers match */
	XG_G_DEAD = 6,
	XG_G_ENQUEUE = 7, /* unused */
	XG_G_COPYSTACK = 8,
	XG_G_PREEMPTED = 9,
	XG_G_LEAKED = 10,
	XG_G_DEADEXTRA = 11,
	XG_G_NSTATES = 12,
};

/* The _Gscan bit a status may carry while the GC scans the stack. */
#define XG_GSCAN 0x1000

enum xg_event_type {
	/* One casgstatus hit: gp went from -> to. */
	XG_EV_STATE = 1,
};

/* Flags of an XG_EV_STATE record. */
enum xg_event_flags {
	/* dead -> runnable/waiting inside newproc1: arg0..arg2 are filled. */
	XG_EVF_CREATE = 1u << 0,
	/* The reason field holds gp.waitreason (to == waiting). */
	XG_EVF_REASON = 1u << 1,
	/*
	 * The reason field holds gp.waitreason of the wait being left (from ==
	 * waiting): names a wait the probe did not see begin (preemption parks
	 * a goroutine without casgstatus).
	 */
	XG_EVF_FROM_REASON = 1u << 2,
};

/*
 * One ring-buffer record. For creation: arg0 = goid of the creating
 * goroutine (g0.m.curg.goid), arg1 = gp.startpc, arg2 = gp.gopc.
 * goid is read from gp when the probe fires; before go1.24 newproc1 sets it
 * only after the dead->runnable transition, so user space takes the goid
 * of a new goroutine from its next record (see src/decode.c).
 */
struct xg_event {
	__u64 ts; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 goid;
	__u64 g; /* address of the g in the target */
	__u64 arg0;
	__u64 arg1;
	__u64 arg2;
	__u64 ip;  /* where the probe fired: gives the load bias of PIE targets */
	__u32 pid; /* tgid */
	__u32 tid;
	__u8 type;
	__u8 from;
	__u8 to;
	__u8 reason;
	__u32 flags;
};

_Static_assert(sizeof(struct xg_event) == 72, "struct xg_event is part of the ABI");

/*
 * Offsets into the target's runtime structures, filled from DWARF or from
 * the per-version table (src/gotables.c) and handed to BPF as rodata.
 */
struct xg_offsets {
	__u32 g_goid;
	__u32 g_m;
	__u32 g_waitreason;
	__u32 g_gopc;
	__u32 g_startpc;
	__u32 m_curg;
	__u32 m_procid;
	__u32 m_id;
	__u32 m_p;
	__u32 p_id;
	__u32 g_waitsince;
	__u32 g_parent_goid; /* 0: the field does not exist (before go1.21) */
};

_Static_assert(sizeof(struct xg_offsets) == 48, "struct xg_offsets is part of the ABI");

#endif /* XGOTOP_EVENT_H */
