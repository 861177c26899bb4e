// SPDX-License-Identifier: BSD-2-Clause
/*
 * GC cycles, newest first, under the totals of every pause; without GC
 * events it says so, and why. Heap sizes and the GC's CPU time are not
 * traced (docs/EVENTS.md): the view says that too rather than guess.
 */
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "draw.h"
#include "fmt.h"
#include "views.h"

#define MAX_CYCLES 256

static const char *trigger_name(const char *t)
{
	return !strcmp(t, "cycle") ? "runtime.GC" : t;
}

/* The totals: lines used. */
static int totals(WINDOW *w, int y, struct tui_model *m, const struct xd_gc_cycle *gc, int n)
{
	int width = getmaxx(w), y0 = y, i;
	struct xd_gc_totals t;
	char a[16], b[16], c[16], d[16];
	uint64_t stw = 0, since;

	if (xd_gc_totals(model__table(m), &t))
		return 0;
	fmt_dur(a, sizeof(a), t.mark_ns);
	fmt_dur(b, sizeof(b), t.cycles ? t.mark_ns / t.cycles : 0);
	d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
		 "cycles: %llu done%s   mark phase: %s summed, %s mean",
		 (unsigned long long)t.cycles, n > 0 && !gc[n - 1].end ? ", 1 in progress" : "", a,
		 b);
	fmt_dur(a, sizeof(a), t.stw_ns);
	fmt_dur(b, sizeof(b), t.stw_max_ns);
	fmt_dur(c, sizeof(c), t.gc_stw_ns);
	d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
		 "pauses: %llu, %s total, %s max; %s of it in completed cycles",
		 (unsigned long long)t.stw, a, b, c);
	/* Over the cycles kept, the only span whose pauses are all known. */
	for (i = 0; i < n; i++)
		stw += gc[i].stw_ns;
	since = n > 0 && m->now > gc[0].start ? m->now - gc[0].start : 0;
	if (since) {
		fmt_dur(d, sizeof(d), since);
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
			 "world stopped for GC %.3f%% of the %s since cycle %u began",
			 (double)stw * 100 / (double)since, d, gc[0].n);
	}
	y += d_wrap(w, y, 0, width, 2, ROLE(m, COLOR_DIM),
		    "Not traced: heap sizes; mark worker and assist CPU (so no GC CPU share).");
	if (!strcmp(m->info.mode, "REPLAY"))
		y += d_wrap(w, y, 0, width, 2, ROLE(m, COLOR_DIM),
			    "replay: keyframes carry no GC totals, so after a seek they count from "
			    "the keyframe restored");
	return y - y0;
}

static void gc_draw(WINDOW *w, struct tui_model *m)
{
	struct xd_gc_cycle gc[MAX_CYCLES];
	int width = getmaxx(w), h = getmaxy(w), y = 0, n, i;
	bool pids = m->info.pid == 0;
	char start[24], dur[16], stw[16], max[16], mark[16], pid[16];

	d_str(w, y++, 0, width, ROLE(m, COLOR_TITLE), "GC cycles");
	n = xd_gc_cycles(model__table(m), gc, MAX_CYCLES);
	if (n < 0) {
		y++;
		d_str(w, y++, 2, width - 2, ROLE(m, COLOR_METER_NA), "No data.");
		y += d_wrap(w, y, 2, width - 4, 4, ROLE(m, COLOR_DEFAULT), xd_gc_why(&m->info));
		d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_DIM), "Attached probes: %s",
			 m->info.probes[0] ? m->info.probes : "none");
		return;
	}
	y += totals(w, y, m, gc, n);
	y++;
	d_fill(w, y, 0, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_printf(w, y++, 0, width, ROLE(m, COLOR_COLUMN_HEADER),
		 "%s     #  STARTED  DURATION  STW    TOTAL      MAX      MARK  TRIGGER     PROCS",
		 pids ? "    PID" : "");
	if (!n)
		d_str(w, y, 2, width - 2, ROLE(m, COLOR_DIM),
		      "no cycle yet: the pauses above were not GC's (runtime.Stack, ReadMemStats, "
		      "GOMAXPROCS...)");
	for (i = n - 1; i >= 0 && y < h; i--, y++) {
		const struct xd_gc_cycle *c = &gc[i];

		snprintf(pid, sizeof(pid), "%7u", c->pid);
		fmt_offset(start, sizeof(start), (int64_t)c->start - (int64_t)m->now);
		if (c->end)
			fmt_dur(dur, sizeof(dur), c->end > c->start ? c->end - c->start : 0);
		else
			snprintf(dur, sizeof(dur), "now");
		fmt_dur(stw, sizeof(stw), c->stw_ns);
		fmt_dur(max, sizeof(max), c->stw_max_ns);
		if (c->mark_end)
			fmt_dur(mark, sizeof(mark), c->mark_ns);
		else
			snprintf(mark, sizeof(mark), "-");
		d_printf(w, y, 0, width, ROLE(m, c->end ? COLOR_DEFAULT : COLOR_BOLD),
			 "%s%6u  %-8s %8s %4u %8s %8s  %8s  %-10s %5u", pids ? pid : "", c->n,
			 start, dur, c->n_stw, stw, max, mark, trigger_name(c->trigger), c->procs);
	}
}

static void gc_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM), "Esc: back");
}

static int gc_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

const struct tui_view view_gc = {
	.name = "gc",
	.draw = gc_draw,
	.key = gc_key,
	.status = gc_status,
};
