// SPDX-License-Identifier: BSD-2-Clause
#include "gsnap.h"

#include <errno.h>
#include <string.h>

/*
 * g fields past the ones every release has at the same place, read with
 * readelf --debug-dump=info from the matrix builds (runtime.g,
 * runtime.gobuf): syscallsp and syscallpc moved when go1.25 dropped
 * gobuf.ret (1.25.14 runtime2.go: gobuf), lockedm and trackingSeq moved
 * with the fields before them. tests/gotables (gotables_check, check_gsnap)
 * checks every row against the DWARF of each release of the test matrix.
 * TODO(issue 15): read them from DWARF when present, and generate this table
 * with tools/gen-gotables.sh.
 */
static const struct {
	int minor;
	uint32_t syscallsp, syscallpc, lockedm, tracking_seq;
} offs[] = {
	{19, 112, 120, 232, 189}, {20, 112, 120, 232, 189}, {21, 112, 120, 208, 188},
	{22, 112, 120, 208, 191}, {23, 112, 120, 216, 199}, {24, 112, 120, 216, 199},
	{25, 104, 112, 208, 191}, {26, 104, 112, 208, 191},
};

int g_layout__init(struct g_layout *l, int minor, uint32_t goid)
{
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (offs[i].minor == minor)
			break;
	if (i == sizeof(offs) / sizeof(offs[0]))
		return -ENOENT;
	l->goid = goid;
	l->status = goid - 8; /* atomicstatus precedes goid: gpoll.h */
	l->syscallsp = offs[i].syscallsp;
	l->syscallpc = offs[i].syscallpc;
	l->lockedm = offs[i].lockedm;
	l->tracking_seq = offs[i].tracking_seq;
	l->len = goid + 8;
	if (l->syscallpc + 8 > l->len)
		l->len = l->syscallpc + 8;
	if (l->tracking_seq + 1 > l->len)
		l->len = l->tracking_seq + 1;
	return 0;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

void gsnap__read(const struct g_layout *l, const uint8_t *w, struct gsnap *s)
{
	uint32_t st;

	memcpy(&st, w + l->status, 4);
	s->goid = u64(w + l->goid);
	s->status = st;
	s->sched_sp = u64(w + G_SCHED_SP);
	s->sched_pc = u64(w + G_SCHED_PC);
	s->sys_sp = u64(w + l->syscallsp);
	s->sys_pc = u64(w + l->syscallpc);
	s->lo = u64(w + G_STACK_LO);
	s->hi = u64(w + G_STACK_HI);
	s->tracking_seq = w[l->tracking_seq];
}

/*
 * The same status, PC and SP do not say the goroutine stayed: one that ran
 * and parked again at the same PC and SP (a loop over two channel
 * receives at one depth) rewrote the stack under the read, and its walk
 * comes out torn or failed (e2e.stacks_churn). g.trackingSeq says it ran:
 * casgstatus adds one to it every time a goroutine leaves _Grunning
 * (1.19.13 to 1.25.14 proc.go casgstatus: oldval == _Grunning, syscalls
 * included; 1.26.8: _Grunning or _Gsyscall to neither). What it misses:
 * a goroutine that left running a multiple of 256 times in between (8
 * bits), or only by the paths that bypass casgstatus, each also back at
 * the same PC and SP: preemptPark's casGToPreemptScan (a goroutine the GC
 * stopped twice), coroswitch (1.23+, iter.Pull's coroutines) and, on
 * 1.26, a syscall left and entered again (reentersyscall's CAS, and
 * _Grunning <-> _Gsyscall is not counted there). The sweep reads the
 * stacks of goroutines in those states twice instead (stacks.c:
 * seq_blind); the wrap stays.
 */
bool gsnap__same(const struct gsnap *a, const struct gsnap *b)
{
	return a->goid == b->goid && a->status == b->status && a->sched_sp == b->sched_sp &&
	       a->sched_pc == b->sched_pc && a->sys_sp == b->sys_sp && a->sys_pc == b->sys_pc &&
	       a->lo == b->lo && a->hi == b->hi && a->tracking_seq == b->tracking_seq;
}
