// SPDX-License-Identifier: BSD-2-Clause
#include "data.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "gevent.h"
#include "gtable.h"
#include "source.h"
#include "xgotop_event.h"

uint64_t xd_run_ns(const struct gentry *e, uint64_t from, uint64_t to, bool *exact)
{
	uint64_t run = 0, end = to, before;
	struct gstate_span first;
	uint32_t i;

	if (exact)
		*exact = true;
	if (e->exited_ts && e->exited_ts < end)
		end = e->exited_ts;
	if (end <= from)
		return 0;
	/* Most goroutines have not changed state in the interval: no span to read. */
	if (e->state_since <= from)
		return e->state == XG_G_RUNNING && !e->exited_ts ? end - from : 0;
	for (i = e->n_spans; i-- > 0;) {
		struct gstate_span sb, nb;
		const struct gstate_span *s = gentry__span(e, i, &sb);
		const struct gstate_span *next = gentry__span(e, i + 1, &nb);
		uint64_t s0 = s->start < from ? from : s->start;
		uint64_t s1 = next ? next->start : end;

		if (s1 > end)
			s1 = end;
		/* Less its share off the CPU (closed spans: GEV_CPU). */
		if (s->state == XG_G_RUNNING && s1 > s0)
			run += (s1 - s0) * (100u - (s->off_pct > 100 ? 100 : s->off_pct)) / 100;
		if (s->start <= from)
			return run;
	}
	if (!exact || !e->n_spans)
		return run;
	/*
	 * The ring lost the spans before FROM's end of the history. Still exact
	 * when the history starts at the birth, or when the running total says
	 * nothing ran before its first span.
	 */
	before = gentry__cpu_ns(e, end);
	before = before > run ? before - run : 0;
	*exact = (e->created_ts && e->created_ts >= gentry__span(e, 0, &first)->start) || !before;
	return run;
}

uint64_t xd_cpu_ns_read(const struct gentry *e, const struct xd_cpu_window *w)
{
	uint64_t lo = w->t0, hi = w->t1, ns;

	if (e->created_ts > lo)
		lo = e->created_ts;
	if (e->exited_ts && e->exited_ts < hi)
		hi = e->exited_ts;
	if (hi <= lo)
		return 0;
	ns = w->sampled ? gentry__cpu_recent_ns(e) : xd_run_ns(e, w->t0, w->t1, NULL);
	if (ns > hi - lo)
		ns = hi - lo;
	if (w->den && w->num < w->den)
		ns = (uint64_t)((unsigned __int128)ns * w->num / w->den);
	return ns;
}

unsigned int xd_cpu_permille_read(const struct gentry *e, const struct xd_cpu_window *w)
{
	uint64_t ns;

	if (w->t1 <= w->t0)
		return 0;
	ns = xd_cpu_ns(e, w);
	/* Below 213 days, ns * 1000 fits 64 bits: no 128-bit division (a call). */
	if (ns <= UINT64_MAX / 1000)
		return (unsigned int)(ns * 1000 / (w->t1 - w->t0));
	return (unsigned int)((unsigned __int128)ns * 1000 / (w->t1 - w->t0));
}

_Static_assert(XD_ALLOC_BUCKETS == XG_ALLOC_BUCKETS, "keep in sync with bpf/xgotop_event.h");
_Static_assert(XD_ALLOC_TINY == XG_ALLOC_TINY && XD_ALLOC_LARGE == XG_ALLOC_LARGE,
	       "keep in sync with bpf/xgotop_event.h");
_Static_assert(XD_ALLOC_KINDS == XG_AK_NKINDS, "keep in sync with enum xg_alloc_kind");

int xd_allocs(const struct gtable *gt, const struct gentry *e, uint64_t *bytes, uint64_t *objects)
{
	struct gtable_alloc_totals t;

	*bytes = *objects = 0;
	/* Its process's events: another process of a -b session may have none. */
	if (!gt || !e || gtable__alloc_totals(gt, e->pid, &t))
		return -ENODATA;
	gentry__alloc(e, bytes, objects);
	return 0;
}

bool xd_allocs_known(const struct gtable *gt)
{
	struct gtable_alloc_totals t;

	return gt && !gtable__alloc_totals(gt, 0, &t);
}

int xd_alloc_hist(const struct gtable *gt, const struct gentry *e, struct xd_alloc_hist *out)
{
	struct gtable_alloc_hist h;
	int err, b;

	memset(out, 0, sizeof(*out));
	if (e)
		return -EOPNOTSUPP;
	err = gtable__alloc_hist(gt, 0, &h);
	if (err)
		return err;
	for (b = 0; b < XD_ALLOC_BUCKETS; b++) {
		out->size[b] = h.size[b];
		out->count[b] = h.count[b];
		out->bytes[b] = h.bytes[b];
		out->count_total += h.count[b];
		out->bytes_total += h.bytes[b];
	}
	/* A bucket that never changed has no event, so no size: the tiny one is known. */
	out->size[XD_ALLOC_TINY] = XG_ALLOC_TINY_SIZE;
	out->size[XD_ALLOC_LARGE] = 0;
	return 0;
}

int xd_heap(const struct gtable *gt, struct xd_heap *out)
{
	struct gtable_heap h;
	int err, b;

	memset(out, 0, sizeof(*out));
	err = gtable__heap(gt, 0, &h);
	if (err)
		return err;
	for (b = XD_ALLOC_TINY + 1; b < XD_ALLOC_BUCKETS; b++) {
		out->hist.size[b] = h.size[b];
		out->hist.count[b] = h.allocs[b];
		out->hist.bytes[b] = h.alloc_bytes[b];
	}
	out->hist.size[XD_ALLOC_LARGE] = 0;
	out->hist.count_total = h.total_allocs;
	out->hist.bytes_total = h.total_alloc_bytes;
	out->live_objects = h.total_allocs - h.total_frees;
	out->live_bytes = h.total_alloc_bytes - h.total_free_bytes;
	out->tiny = h.tiny;
	out->bytes_per_s = h.alloc_bytes_per_s;
	out->objects_per_s = h.allocs_per_s;
	out->samples = h.samples;
	return 0;
}

int xd_alloc_kinds(const struct gtable *gt, struct xd_alloc_kinds *out)
{
	struct gtable_alloc_totals t;
	int k, err;

	memset(out, 0, sizeof(*out));
	err = gtable__alloc_totals(gt, 0, &t);
	if (err)
		return err;
	for (k = 0; k < XD_ALLOC_KINDS; k++) {
		out->count[k] = t.count[k];
		out->bytes[k] = t.bytes[k];
	}
	out->events = t.events;
	out->bytes_total = t.total_bytes;
	out->unattributed = t.unattributed;
	return 0;
}

int xd_gc_cycles(const struct gtable *gt, struct xd_gc_cycle *out, size_t max)
{
	struct gtable_gc_cycle c[256];
	int n, i;

	if (max > sizeof(c) / sizeof(c[0]))
		max = sizeof(c) / sizeof(c[0]);
	n = gtable__gc_cycles(gt, 0, c, max);
	for (i = 0; i < n; i++)
		out[i] = (struct xd_gc_cycle){
			.pid = c[i].pid,
			.n = c[i].n,
			.start = c[i].start,
			.mark_end = c[i].mark_end,
			.end = c[i].end,
			.mark_ns = c[i].mark_ns,
			.n_stw = c[i].n_stw,
			.stw_ns = c[i].stw_ns,
			.stw_max_ns = c[i].stw_max_ns,
			.trigger = gev_gc_trigger_name(c[i].trigger),
			.procs = c[i].procs,
		};
	return n;
}

int xd_gc_totals(const struct gtable *gt, struct xd_gc_totals *out)
{
	struct gtable_gc_totals t;
	int err;

	memset(out, 0, sizeof(*out));
	err = gtable__gc_totals(gt, 0, &t);
	if (err)
		return err;
	*out = (struct xd_gc_totals){
		.cycles = t.cycles,
		.stw = t.stw,
		.stw_ns = t.stw_ns,
		.stw_max_ns = t.stw_max_ns,
		.gc_stw_ns = t.gc_stw_ns,
		.mark_ns = t.mark_ns,
	};
	return 0;
}

/*
 * Whether a probe on SYM is attached: the probe list is src/live/bpfobj.c's
 * "sym+0xoff,sym,... (missing: sym, ...)"; what is missing does not count.
 */
static bool probed(const struct xg_target_info *info, const char *sym)
{
	const char *hit = strstr(info->probes, sym), *missing = strstr(info->probes, "(missing:");

	return hit && (!missing || hit < missing);
}

static bool is_replay(const struct xg_target_info *info)
{
	return !strcmp(info->mode, "REPLAY");
}

const char *xd_alloc_why(const struct xg_target_info *info, const struct gtable *gt)
{
	struct gtable_alloc_hist h;

	if (!probed(info, "runtime.mallocgc")) {
		if (is_replay(info))
			return "No allocation events: this recording was made without the "
			       "allocation probes (record with --alloc, --alloc-hist or --probes "
			       "all).";
		if (!strncmp(info->probes, "none", 4))
			return "No allocation events: --poll reads memory only (the goroutine "
			       "table, the heap counters). "
			       "Trace with uprobes and --alloc (allocation events and size "
			       "classes), --alloc-hist (size classes only) or --probes all.";
		return "No allocation events: the attached probes see goroutine states only. "
		       "Trace with --alloc (allocation events and size classes), --alloc-hist "
		       "(size classes only) or --probes all.";
	}
	if (gt && !gtable__alloc_hist(gt, 0, &h))
		return "Size classes only (--alloc-hist, or every allocation record sampled "
		       "out): no allocation events, so no counts per goroutine or per kind. "
		       "--alloc or --probes all records them.";
	if (is_replay(info))
		return "The allocation probes were attached, but the recording has reported no "
		       "allocation up to here (the histogram comes once a second).";
	return "The allocation probes are attached, but no allocation was reported yet (the "
	       "size-class histogram is read once a second).";
}

const char *xd_gc_why(const struct xg_target_info *info)
{
	if (!probed(info, "startCycle") && !probed(info, "stopTheWorldWithSema")) {
		if (is_replay(info))
			return "No GC events: this recording was made without the GC probes "
			       "(they come with --probes states, the default, or all).";
		return "No GC events: the GC probes are not attached. They come with --probes "
		       "states (the default) or all, not with lifecycle or --poll.";
	}
	if (is_replay(info))
		return "The GC probes were attached, but no GC cycle or stop-the-world pause "
		       "is in the recording up to here.";
	return "The GC probes are attached, but the program has not collected or stopped "
	       "the world since tracing started.";
}
