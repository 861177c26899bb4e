// SPDX-License-Identifier: BSD-2-Clause
#include "batch.h"

#include <errno.h>
#include <string.h>

#include "data.h"
#include "gevent.h"
#include "fmt.h"
#include "meter.h"
#include "sanitize.h"
#include "text.h"
#include "theme.h"
#include "xgotop_event.h"

static void gc_line(FILE *out, const struct tui_model *m)
{
	struct xd_gc_cycle gc[2];
	struct xd_gc_totals t;
	const struct xd_gc_cycle *last = NULL;
	char a[16], b[16], c[16], d[16];
	int n = xd_gc_cycles(model__table(m), gc, 2);

	if (n < 0 || xd_gc_totals(model__table(m), &t)) {
		fprintf(out, "GC: n/a (no GC events)\n");
		return;
	}
	fprintf(out, "GC: %llu cycles", (unsigned long long)t.cycles);
	if (n > 0 && !gc[n - 1].end)
		fprintf(out, ", #%u in progress", gc[n - 1].n);
	if (n > 0 && gc[n - 1].end)
		last = &gc[n - 1];
	else if (n > 1 && gc[n - 2].end)
		last = &gc[n - 2];
	if (last)
		fprintf(out,
			"; last #%u ended %s ago: %s STW in %u pauses (max %s), mark %s, "
			"trigger %s",
			last->n, fmt_dur(a, sizeof(a), m->now > last->end ? m->now - last->end : 0),
			fmt_dur(b, sizeof(b), last->stw_ns), last->n_stw,
			fmt_dur(c, sizeof(c), last->stw_max_ns),
			fmt_dur(d, sizeof(d), last->mark_ns), SAN(last->trigger));
	fprintf(out, "; pauses: %llu, %s total, %s max\n", (unsigned long long)t.stw,
		fmt_dur(a, sizeof(a), t.stw_ns), fmt_dur(b, sizeof(b), t.stw_max_ns));
}

static void alloc_line(FILE *out, const struct tui_model *m)
{
	struct xd_alloc_hist h;
	struct xd_alloc_kinds k;
	bool have_h = !xd_alloc_hist(model__table(m), NULL, &h);
	bool have_k = !xd_alloc_kinds(model__table(m), &k);
	char a[16], b[16];
	int i;

	if (!have_h && !have_k) {
		fprintf(out, "allocations: n/a (no allocation events: --alloc, --alloc-hist or "
			     "--probes all)\n");
		return;
	}
	fprintf(out, "allocations:");
	if (have_h)
		fprintf(out, " %sB in %s (size classes)",
			fmt_count(a, sizeof(a), (double)h.bytes_total),
			fmt_count(b, sizeof(b), (double)h.count_total));
	if (have_k) {
		fprintf(out, "%s events %sB in %s:", have_h ? ";" : "",
			fmt_count(a, sizeof(a), (double)k.bytes_total),
			fmt_count(b, sizeof(b), (double)k.events));
		for (i = 1; i <= XD_ALLOC_KINDS; i++) {
			int kind = i % XD_ALLOC_KINDS;

			if (k.count[kind])
				fprintf(out, " %s %s", gev_alloc_kind_name(kind),
					fmt_count(a, sizeof(a), (double)k.count[kind]));
		}
	} else {
		fprintf(out, "; no allocation events (histogram only)");
	}
	fputc('\n', out);
}

/* The runtime's heap counters (read from memory, no probe), when there are any. */
static void heap_line(FILE *out, const struct tui_model *m)
{
	struct xd_heap h;
	char a[16], b[16], c[16], d[16], e[16], f[16], t[16];

	if (xd_heap(model__table(m), &h))
		return;
	fmt_count(a, sizeof(a), (double)h.live_bytes);
	fmt_count(b, sizeof(b), (double)h.live_objects);
	fmt_count(e, sizeof(e), (double)h.hist.bytes_total);
	fmt_count(f, sizeof(f), (double)h.hist.count_total);
	fmt_count(t, sizeof(t), (double)h.tiny);
	if (h.samples > 1) {
		fmt_count(c, sizeof(c), h.bytes_per_s);
		fmt_count(d, sizeof(d), h.objects_per_s);
		fprintf(out, "heap: live %sB in %s objects, allocating %sB/s, %s objects/s", a, b,
			c, d);
	} else {
		fprintf(out, "heap: live %sB in %s objects", a, b);
	}
	fprintf(out, "; %sB in %s objects since start (+%s tiny; runtime counters)\n", e, f, t);
}

int batch__snapshot(FILE *out, struct tui_model *m)
{
	const struct gtable_counts *c = &m->counts;
	char clock[32], up[16], v[160], r1[16], r2[16], age[24], ins[32], reason[128], cpu[16];
	char allocs[16];
	bool throttled;
	size_t i;

	errno = 0;

	fmt_clock(clock, sizeof(clock), model__wall(m, m->now), 0);
	fmt_dur(up, sizeof(up), m->now > m->start_ts ? m->now - m->start_ts : 0);
	fprintf(out, "xgotop-tui %s  %s  up %s  ", XG_VERSION, clock, up);
	if (m->info.pid)
		fprintf(out, "pid %u %s", m->info.pid, SAN(m->info.path));
	else
		fprintf(out, "%s (all processes)", SAN(m->info.path));
	fprintf(out, " %s %s  %s%s\n", SAN(m->info.go_version), SAN(m->info.arch),
		SAN(m->info.mode), m->ended ? " EXITED" : "");
	if (model__capture(m)[0])
		fprintf(out, "capture: %s\n", SAN(model__capture(m)));
	if (text_cgroup(m, true, v, sizeof(v), &throttled))
		fprintf(out, "%s\n", v);
	fmt_rate(r1, sizeof(r1), m->created_rate / model__goroutine_rate(m));
	fmt_rate(r2, sizeof(r2), m->exited_rate / model__goroutine_rate(m));
	if (model__sample(m))
		fprintf(out,
			"sampled: %s; counts of goroutines are estimates (%.3g%% of them "
			"traced)\n",
			SAN(model__sample(m)), model__goroutine_rate(m) * 100);
	fprintf(out,
		"goroutines: %llu live: %llu running, %llu runnable, %llu syscall, %llu waiting; "
		"%llu created, %llu exited (+%s/s -%s/s)\n",
		(unsigned long long)model__est(m, c->live),
		(unsigned long long)model__est(m, c->by_state[XG_G_RUNNING]),
		(unsigned long long)model__est(m, c->by_state[XG_G_RUNNABLE]),
		(unsigned long long)model__est(m, c->by_state[XG_G_SYSCALL]),
		(unsigned long long)model__est(m, c->by_state[XG_G_WAITING]),
		(unsigned long long)model__est(m, c->created),
		(unsigned long long)model__est(m, c->exited), r1, r2);
	if (c->evicted) {
		struct gtable_opts o;

		gtable__opts(model__table(m), &o);
		fprintf(out,
			"%llu exited goroutine%s not kept: cap %llu exited or %llu MiB (their "
			"events "
			"are not lost: --jsonl, --record)\n",
			(unsigned long long)c->evicted, c->evicted == 1 ? "" : "s",
			(unsigned long long)o.max_exited,
			(unsigned long long)(o.max_exited_bytes >> 20));
	}
	fprintf(out, "meters:");
	for (i = 0; i < tui_meters_n; i++) {
		const struct tui_meter *mt = &tui_meters[i];

		fprintf(out, " %s %s%s", mt->name, meter__text(mt, m, v, sizeof(v), false),
			meter__health(mt, m) == TUI_BAD ? "!" : "");
	}
	fputc('\n', out);
	gc_line(out, m);
	alloc_line(out, m);
	heap_line(out, m);
	if (m->info.child_output[0])
		fprintf(out, "output of the launched command: %s\n", SAN(m->info.child_output));
	if (m->filter.n)
		fprintf(out, "filter: %s\n", SAN(m->filter.src));
	fprintf(out, "\n%s%9s %-9s %-22s %7s %5s %7s %7s %-32s %s\n", m->info.pid ? "" : "    PID ",
		"GID", "STATE", "WAIT", "IN", "CPU%", "AGE", "ALLOCS", "FUNCTION", "CREATED BY");
	for (i = 0; i < m->n_rows; i++) {
		struct tui_row *r = &m->rows[i];
		const struct gentry *e = r->e;
		bool exited = e->exited_ts != 0;

		if (!m->info.pid)
			fprintf(out, "%7u ", e->pid);
		text_reason(e, reason, sizeof(reason));
		text_in_state(m, e, ins, sizeof(ins));
		if (exited)
			snprintf(ins, sizeof(ins), "-");
		fprintf(out, "%9llu %-9s %-22s %7s %5s %7s %7s %-32s %s\n",
			(unsigned long long)e->goid, theme__state_name(e->state, exited, false),
			reason[0] ? SAN(reason) : "-", ins[0] ? ins : "-",
			text_cpu(model__cpu(m, r->e), cpu, sizeof(cpu)),
			text_age(m, e, age, sizeof(age)), text_allocs(m, e, allocs, sizeof(allocs)),
			e->func ? SAN(e->func) : "?", e->created_by ? SAN(e->created_by) : "-");
	}
	if (m->exited_hidden)
		fprintf(out, "%s\n", text_exited(m, reason, sizeof(reason)));
	fputc('\n', out);
	if (fflush(out) || ferror(out))
		return errno > 0 ? -errno : -EIO;
	return 0;
}
