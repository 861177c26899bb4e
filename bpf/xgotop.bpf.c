// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Uprobes on the Go runtime. Every goroutine status change passes through
 * runtime.casgstatus(gp, oldval, newval); one ring-buffer record per hit,
 * nothing else: the number of hits, not this code, sets the target's cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "goregs.h"
#include "xgotop_event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Filled by the loader before load (src/tracer.c). */
const volatile struct xg_offsets off = {};
/* 0: any process mapping the probed binary (-b); else only this tgid. */
const volatile __u32 targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader */
} events SEC(".maps");

/* Ring-buffer reserve failures, per CPU: summed and reported by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&drops, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("uprobe")
int casgstatus(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 gp = GO_ARG1(ctx);
	__u32 from = (__u32)GO_ARG2(ctx) & ~XG_GSCAN;
	__u32 to = (__u32)GO_ARG3(ctx) & ~XG_GSCAN;
	struct xg_event *e;

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	/* malg: a g is born idle and parked dead before any goroutine uses it. */
	if (from == XG_G_IDLE)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop();
		return 0;
	}
	e->ts = bpf_ktime_get_ns();
	e->pid = tgid;
	e->tid = (__u32)pid_tgid;
	e->type = XG_EV_STATE;
	e->from = from;
	e->to = to;
	e->g = gp;
	e->ip = GO_IP(ctx);
	e->goid = read_u64(gp + off.g_goid);
	e->reason = 0;
	e->flags = 0;
	e->arg0 = 0;
	e->arg1 = 0;
	e->arg2 = 0;
	if (to == XG_G_WAITING || from == XG_G_WAITING) {
		__u8 reason = 0;

		bpf_probe_read_user(&reason, sizeof(reason), (const void *)(gp + off.g_waitreason));
		e->reason = reason;
		e->flags |= to == XG_G_WAITING ? XG_EVF_REASON : XG_EVF_FROM_REASON;
	}
	if (from == XG_G_DEAD && (to == XG_G_RUNNABLE || to == XG_G_WAITING)) {
		/*
		 * newproc1 runs on the system stack: the current g is g0 and
		 * g0.m.curg is the goroutine whose go statement this is.
		 */
		__u64 m = read_u64(GO_G(ctx) + off.g_m);
		__u64 curg = m ? read_u64(m + off.m_curg) : 0;

		e->flags |= XG_EVF_CREATE;
		e->arg0 = curg ? read_u64(curg + off.g_goid) : 0;
		e->arg1 = read_u64(gp + off.g_startpc);
		e->arg2 = read_u64(gp + off.g_gopc);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
