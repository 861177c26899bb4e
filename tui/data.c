// SPDX-License-Identifier: BSD-2-Clause
#include "data.h"

#include <errno.h>
#include <string.h>

#include "gtable.h"
#include "source.h"
#include "../bpf/xgotop_event.h"

unsigned int xd_cpu_permille(const struct gentry *e, uint64_t from, uint64_t to)
{
	uint64_t run = 0, covered, end = to, start;
	uint32_t i;

	if (e->exited_ts && e->exited_ts < end)
		end = e->exited_ts;
	if (to <= from || end <= from)
		return 0;
	/* Most goroutines have not changed state in the interval: no span to read. */
	if (e->state_since <= from)
		return e->state == XG_G_RUNNING && !e->exited_ts
			       ? (unsigned int)((end - from) * 1000 / (to - from))
			       : 0;
	for (i = e->n_spans; i-- > 0;) {
		const struct gstate_span *s = gentry__span(e, i);
		const struct gstate_span *next = gentry__span(e, i + 1);
		uint64_t s0 = s->start < from ? from : s->start;
		uint64_t s1 = next ? next->start : end;

		if (s1 > end)
			s1 = end;
		if (s->state == XG_G_RUNNING && s1 > s0)
			run += s1 - s0;
		if (s->start <= from)
			break;
	}
	start = e->n_spans ? gentry__span(e, 0)->start : e->state_since;
	if (start <= from || (e->created_ts && e->created_ts >= start))
		covered = 0; /* exact: the history reaches FROM, or the goroutine's birth */
	else
		covered = end - start;
	if (covered && covered < end - from)
		run = run * (end - from) / covered;
	if (run > to - from)
		run = to - from;
	return (unsigned int)(run * 1000 / (to - from));
}

int xd_allocs(const struct gentry *e, uint64_t *bytes, uint64_t *objects)
{
	(void)e;
	*bytes = *objects = 0;
	return -ENODATA;
}

int xd_alloc_hist(const struct gtable *gt, const struct gentry *e, struct xd_alloc_hist *out)
{
	(void)gt;
	(void)e;
	memset(out, 0, sizeof(*out));
	return -ENODATA;
}

int xd_gc_cycles(const struct gtable *gt, struct xd_gc_cycle *out, size_t max)
{
	(void)gt;
	(void)out;
	(void)max;
	return -ENODATA;
}

/* The probe names come from src/probes.c: allocation probes sit on mallocgc. */
const char *xd_alloc_why(const struct xg_target_info *info)
{
	if (strstr(info->probes, "mallocgc"))
		return "Allocation events are traced, but the goroutine table does not keep "
		       "allocation counts yet, so this view has nothing to show.";
	return "No allocation events: the attached probes see goroutine state changes only. "
	       "Allocations need the allocation probes (--probes all).";
}

const char *xd_gc_why(const struct xg_target_info *info)
{
	(void)info;
	return "No GC events: no probe of this build reports GC cycles or stop-the-world "
	       "pauses, so the GC view and the GC band above the timeline stay empty.";
}
