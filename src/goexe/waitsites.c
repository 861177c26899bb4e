// SPDX-License-Identifier: BSD-2-Clause
/* Waits go1.19 names late or never, by the caller of casgstatus (waitsites.h). */
#include "waitsites.h"

#include <errno.h>
#include <stddef.h>

#include "goelf.h"
#include "gofunc.h"

struct wait_row {
	const char *func;
	const char *reason;
};

/*
 * Every casgstatus(gp, _Grunning, _Gwaiting) of go1.19.13's runtime whose
 * caller does not set gp.waitreason before it (the other two, park_m after
 * gopark and debugCallWrap1.func1, do). Reasons missing from go1.19's
 * waitReasonStrings take the name go1.20 gave the same call site when it
 * moved it to casGToWaiting.
 */
static const struct wait_row go1_19_rows[] = {
	/* mgc.go:813, never set; go1.20 mgc.go:813 waitReasonGCMarkTermination. */
	{"runtime.gcMarkDone.func1", "GC mark termination"},
	/* mgc.go:935, set after the call (mgc.go:936). */
	{"runtime.gcMarkTermination", "garbage collection"},
	/* mgc.go:1303, never set; go1.20 mgc.go:1343 waitReasonGCWorkerActive. */
	{"runtime.gcBgMarkWorker.func2", "GC worker (active)"},
	/* mgcmark.go:221, set after the call (mgcmark.go:222). */
	{"runtime.markroot.func1", "garbage collection scan"},
	/* mgcmark.go:561, set after the call (mgcmark.go:562). */
	{"runtime.gcAssistAlloc1", "GC assist marking"},
	/* proc.go:1102, never set; go1.20 proc.go:1177 waitReasonStoppingTheWorld. */
	{"runtime.stopTheWorld.func1", "stopping the world"},
	/* heapdump.go:697, set after the call (heapdump.go:698). */
	{"runtime.writeheapdump_m", "dumping heap"},
};

_Static_assert(sizeof(go1_19_rows) / sizeof(go1_19_rows[0]) <= WAIT_SITES_MAX,
	       "WAIT_SITES_MAX holds go1.19's rows");

int wait_sites__find(const struct goelf *ge, int major, int minor, struct wait_site *out)
{
	size_t i;
	int n = 0;

	if (major != 1 || minor != 19)
		return 0;
	for (i = 0; i < sizeof(go1_19_rows) / sizeof(go1_19_rows[0]); i++) {
		struct wait_site *s = &out[n];

		/* Absent when the program never links it (writeheapdump_m). */
		if (goelf__func_range(ge, go1_19_rows[i].func, &s->start, &s->end))
			continue;
		s->reason = go1_19_rows[i].reason;
		n++;
	}
	return n;
}

int wait_sites__return_address(const struct goelf *ge, uint64_t vaddr, int *in_lr, uint32_t *sp_off)
{
	struct go_func f;
	int32_t delta;

	if (gofunc__find(ge, vaddr, &f) || gofunc__spdelta(ge, &f, vaddr, &delta) || delta < 0)
		return -ENOENT;
	/*
	 * amd64: CALL pushed it and the frame (delta bytes) is below it. arm64:
	 * in LR until the prologue saves it at the bottom of the new frame.
	 */
	*in_lr = goelf__arch(ge) == GOELF_ARCH_ARM64 && delta == 0;
	*sp_off = goelf__arch(ge) == GOELF_ARCH_ARM64 ? 0 : (uint32_t)delta;
	return 0;
}
