// SPDX-License-Identifier: BSD-2-Clause
/* Counters and histograms for the exposition, from the events (promstats.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gtable.h"
#include "promstats.h"

#define US 1000ull
#define MS 1000000ull
#define S  1000000000ull

/* Goroutines live from microseconds (a worker) to days (a server's loop). */
const struct promstats_bounds promstats_lifetime_bounds = {12,
							   {10 * US, 100 * US, MS, 10 * MS,
							    100 * MS, S, 10 * S, 60 * S, 600 * S,
							    3600 * S, 6 * 3600 * S, 24 * 3600 * S}};
const struct promstats_bounds promstats_wait_bounds = {12,
						       {US, 10 * US, 100 * US, MS, 10 * MS,
							100 * MS, 250 * MS, S, 5 * S, 10 * S,
							60 * S, 600 * S}};
/* Go's pauses are tens to hundreds of microseconds when healthy. */
const struct promstats_bounds promstats_pause_bounds = {
	10,
	{10 * US, 25 * US, 50 * US, 100 * US, 250 * US, 500 * US, MS, 5 * MS, 10 * MS, 100 * MS}};

struct promstats {
	struct promstats_proc **procs;
	size_t n, cap;
	uint64_t overflow;
	size_t last; /* the proc of the previous event: most events are one process's */
};

struct promstats *promstats__new(void)
{
	return calloc(1, sizeof(struct promstats));
}

void promstats__free(struct promstats *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->n; i++)
		free(ps->procs[i]);
	free(ps->procs);
	free(ps);
}

static struct promstats_proc *proc_get(struct promstats *ps, uint32_t pid)
{
	struct promstats_proc *p, **v;
	size_t i;

	if (ps->last < ps->n && ps->procs[ps->last]->pid == pid)
		return ps->procs[ps->last];
	for (i = 0; i < ps->n; i++)
		if (ps->procs[i]->pid == pid) {
			ps->last = i;
			return ps->procs[i];
		}
	if (ps->n == PROMSTATS_MAX_PROCS) {
		ps->overflow++;
		return NULL;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 4;

		v = realloc(ps->procs, cap * sizeof(*v));
		if (!v)
			return NULL;
		ps->procs = v;
		ps->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	for (i = 0; i <= PROMSTATS_REASONS; i++)
		p->waits[i].reason = (int)i;
	ps->last = ps->n;
	ps->procs[ps->n++] = p;
	return p;
}

static void observe_ns(struct promstats_hist *h, const struct promstats_bounds *b, uint64_t ns)
{
	size_t i = 0;

	while (i < b->n && ns > b->le_ns[i])
		i++;
	h->count[i]++;
	h->n++;
	h->sum_ns += ns;
}

/* A wait ends: E leaves waiting at TS. */
static void wait_ended(struct promstats_proc *p, const struct gentry *e, uint64_t ts)
{
	int r = e->reason >= 0 && e->reason < PROMSTATS_REASONS ? e->reason : PROMSTATS_REASONS;
	struct promstats_wait *w = &p->waits[r];

	if (r < PROMSTATS_REASONS && e->reason_str)
		w->reason_str = e->reason_str;
	observe_ns(&w->h, &promstats_wait_bounds, ts > e->state_since ? ts - e->state_since : 0);
}

static void observe_gc(struct promstats_proc *p, const struct gev *ev)
{
	if (ev->gc.phase == XG_GC_END)
		p->gc_cycles++;
	/* Pauses of the cycles seen from their start (cycle 0: none, or not GC's). */
	else if (ev->gc.phase == XG_GC_STW_END && ev->gc.cycle)
		observe_ns(&p->gc_pause, &promstats_pause_bounds, ev->gc.dur_ns);
}

void promstats__observe(struct promstats *ps, const struct gtable *gt, const struct gev *ev)
{
	struct promstats_proc *p;
	const struct gentry *e;

	if (ev->kind != GEV_CREATE && ev->kind != GEV_EXIT && ev->kind != GEV_STATE &&
	    ev->kind != GEV_GC && ev->kind != GEV_CPU)
		return;
	p = proc_get(ps, ev->pid);
	if (!p)
		return;
	if (ev->kind == GEV_CPU) {
		if (ev->goid &&
		    (ev->cpu.what == GEV_CPU_PREEMPTED || ev->cpu.what == GEV_CPU_BLOCKED)) {
			p->offcpu_ns[ev->cpu.what - GEV_CPU_PREEMPTED] += ev->cpu.a;
			p->has_offcpu = true;
		}
		return;
	}
	if (ev->kind == GEV_GC) {
		observe_gc(p, ev);
		return;
	}
	if (ev->kind == GEV_CREATE) {
		p->created += !ev->existing;
		return;
	}
	e = gtable__find(gt, ev->pid, ev->goid);
	if (ev->kind == GEV_EXIT) {
		if (e && e->exited_ts)
			return; /* already counted */
		p->exited++;
		if (e && e->created_ts)
			observe_ns(&p->lifetime, &promstats_lifetime_bounds,
				   ev->ts > e->created_ts ? ev->ts - e->created_ts : 0);
		if (e && e->state == XG_G_WAITING)
			wait_ended(p, e, ev->ts);
		return;
	}
	if (e && !e->exited_ts && e->state == XG_G_WAITING && ev->to != XG_G_WAITING)
		wait_ended(p, e, ev->ts);
}

size_t promstats__n_procs(const struct promstats *ps)
{
	return ps->n;
}

const struct promstats_proc *promstats__proc(const struct promstats *ps, size_t i)
{
	return ps && i < ps->n ? ps->procs[i] : NULL;
}

uint64_t promstats__overflow(const struct promstats *ps)
{
	return ps->overflow;
}
