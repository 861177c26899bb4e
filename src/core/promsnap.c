// SPDX-License-Identifier: BSD-2-Clause
/*
 * The metrics of docs/METRICS.md (promsnap.h). The live goroutines are
 * counted in one pass over the table, by (process, wait reason) and by
 * (process, start function), each with a count per state.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gevent.h"
#include "gtable.h"
#include "promsnap.h"
#include "promstats.h"

const char *const promsnap_levels[] = {"lifecycle", "states", "all", "poll", NULL};

/* ---- live goroutines by (pid, key): a count per state -------------------------------------- */

/*
 * Keyed by pointer, not text: a pass over a million goroutines hashes no
 * string. Names are interned, so one text has one pointer but rarely; rows
 * of equal text are merged when sorted (agg_sorted).
 */
struct agg_row {
	uint32_t pid;
	bool used;
	uintptr_t key;
	char *text; /* owned */
	uint64_t n[GT_NSTATES];
	uint64_t total;
};

struct agg {
	struct agg_row *rows;
	size_t n, cap; /* cap: a power of 2, at most half full */
	int err;
};

static uint64_t agg_hash(uint32_t pid, uintptr_t key)
{
	uint64_t h = ((uint64_t)key ^ ((uint64_t)pid << 32)) * 0x9e3779b97f4a7c15ull;

	return h ^ (h >> 29);
}

static int agg_grow(struct agg *a)
{
	size_t cap = a->cap ? 2 * a->cap : 64, i, j;
	struct agg_row *rows = calloc(cap, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (i = 0; i < a->cap; i++) {
		if (!a->rows[i].used)
			continue;
		j = agg_hash(a->rows[i].pid, a->rows[i].key) & (cap - 1);
		while (rows[j].used)
			j = (j + 1) & (cap - 1);
		rows[j] = a->rows[i];
	}
	free(a->rows);
	a->rows = rows;
	a->cap = cap;
	return 0;
}

/* N goroutines of PID in STATE under KEY, whose label value is TEXT (copied when new). */
static void agg_add(struct agg *a, uint32_t pid, uintptr_t key, const char *text,
		    unsigned int state, uint64_t n)
{
	size_t j;

	if (a->err || ((a->n + 1) * 2 > a->cap && (a->err = agg_grow(a))))
		return;
	j = agg_hash(pid, key) & (a->cap - 1);
	while (a->rows[j].used && (a->rows[j].pid != pid || a->rows[j].key != key))
		j = (j + 1) & (a->cap - 1);
	if (!a->rows[j].used) {
		a->rows[j].text = strdup(text);
		if (!a->rows[j].text) {
			a->err = -ENOMEM;
			return;
		}
		a->rows[j].used = true;
		a->rows[j].pid = pid;
		a->rows[j].key = key;
		a->n++;
	}
	a->rows[j].n[state] += n;
	a->rows[j].total += n;
}

static void agg_free(struct agg *a)
{
	size_t i;

	for (i = 0; i < a->cap; i++)
		free(a->rows[i].text);
	free(a->rows);
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct agg_row *a = *(const struct agg_row *const *)pa,
			     *b = *(const struct agg_row *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return strcmp(a->text, b->text);
}

static int cmp_total(const void *pa, const void *pb)
{
	const struct agg_row *a = *(const struct agg_row *const *)pa,
			     *b = *(const struct agg_row *const *)pb;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return cmp_key(pa, pb);
}

/*
 * The rows by (pid, text), those of equal text merged into the first
 * (their counts moved), then sorted by CMP: an array of pointers into A
 * (free it) and its length in *N; NULL when out of memory.
 */
static struct agg_row **agg_sorted(struct agg *a, int (*cmp)(const void *, const void *), size_t *n)
{
	struct agg_row **v = malloc((a->n ? a->n : 1) * sizeof(*v));
	size_t i, k = 0, m = 0;
	unsigned int s;

	if (!v)
		return NULL;
	for (i = 0; i < a->cap; i++)
		if (a->rows[i].used)
			v[k++] = &a->rows[i];
	qsort(v, k, sizeof(*v), cmp_key);
	for (i = 0; i < k; i++) {
		if (m && !cmp_key(&v[m - 1], &v[i])) {
			for (s = 0; s < GT_NSTATES; s++)
				v[m - 1]->n[s] += v[i]->n[s];
			v[m - 1]->total += v[i]->total;
			continue;
		}
		v[m++] = v[i];
	}
	if (cmp != cmp_key)
		qsort(v, m, sizeof(*v), cmp);
	*n = m;
	return v;
}

struct count_ctx {
	struct agg by_reason, by_func;
};

static int count_entry(const struct gentry *e, void *arg)
{
	struct count_ctx *c = arg;
	char num[16];

	if (e->exited_ts || e->state >= GT_NSTATES)
		return 0;
	if (e->state == XG_G_WAITING && e->reason_str) {
		agg_add(&c->by_reason, e->pid, (uintptr_t)e->reason_str, e->reason_str, e->state,
			1);
	} else if (e->state == XG_G_WAITING && e->reason >= 0) {
		/* An index this release's table lacks: "#N", as JSONL writes it. */
		snprintf(num, sizeof(num), "#%d", e->reason);
		agg_add(&c->by_reason, e->pid, (uintptr_t)e->reason + 1, num, e->state, 1);
	} else {
		agg_add(&c->by_reason, e->pid, 0, "", e->state, 1);
	}
	agg_add(&c->by_func, e->pid, (uintptr_t)e->func, e->func ? e->func : "unknown", e->state,
		1);
	return c->by_reason.err || c->by_func.err;
}

/* What the pass over the table found, sorted for writing. */
struct counted {
	struct count_ctx c;
	struct agg other; /* the functions past the top N, per process */
	struct agg_row **states, **funcs, **others;
	size_t n_states, n_funcs, n_others;
};

/* ---- writing ------------------------------------------------------------------------------ */

/* Labels: pid first when per process, then the rest. */
struct lbl {
	struct prom_label v[5];
	size_t n;
	char pid[12];
};

static void lbl_init(struct lbl *l, const struct promsnap_in *in, uint32_t pid)
{
	l->n = 0;
	if (in->per_pid) {
		snprintf(l->pid, sizeof(l->pid), "%u", pid);
		l->v[l->n++] = (struct prom_label){"pid", l->pid};
	}
}

static void lbl_add(struct lbl *l, const char *name, const char *value)
{
	l->v[l->n++] = (struct prom_label){name, value};
}

/* Every state a live goroutine can be in is written when it is one of these, even at 0. */
static bool always_written(unsigned int state)
{
	return state == XG_G_RUNNABLE || state == XG_G_RUNNING || state == XG_G_SYSCALL;
}

static void write_by_state(struct promfmt *pf, const struct promsnap_in *in, struct agg_row **v,
			   size_t n)
{
	size_t i;
	unsigned int s;
	struct lbl l;

	promfmt__family(pf, "xgotop_goroutines", PROMFMT_GAUGE,
			"Live goroutines by status and wait reason (wait_reason empty unless "
			"waiting).");
	for (i = 0; i < n; i++)
		for (s = 0; s < GT_NSTATES; s++) {
			if (!v[i]->n[s] && !(always_written(s) && !*v[i]->text))
				continue;
			lbl_init(&l, in, v[i]->pid);
			lbl_add(&l, "state", gev_state_name(s));
			lbl_add(&l, "wait_reason", v[i]->text);
			promfmt__sample(pf, "", l.v, l.n, (double)v[i]->n[s]);
		}
}

static void write_func_row(struct promfmt *pf, const struct promsnap_in *in,
			   const struct agg_row *r)
{
	unsigned int s;
	struct lbl l;

	for (s = 0; s < GT_NSTATES; s++) {
		if (!r->n[s])
			continue;
		lbl_init(&l, in, r->pid);
		lbl_add(&l, "function", r->text);
		lbl_add(&l, "state", gev_state_name(s));
		promfmt__sample(pf, "", l.v, l.n, (double)r->n[s]);
	}
}

/* The top N rows by live goroutines kept; the rest summed per process as function="other". */
static int count_funcs(struct counted *k, const struct promsnap_in *in)
{
	unsigned int top = in->functions ? in->functions : PROMSNAP_DEFAULT_FUNCTIONS, s;
	size_t i, n;

	k->funcs = agg_sorted(&k->c.by_func, cmp_total, &n);
	if (!k->funcs)
		return -ENOMEM;
	k->n_funcs = n < top ? n : top;
	for (i = k->n_funcs; i < n; i++)
		for (s = 0; s < GT_NSTATES; s++)
			if (k->funcs[i]->n[s])
				agg_add(&k->other, k->funcs[i]->pid, 0, "other", s,
					k->funcs[i]->n[s]);
	qsort(k->funcs, k->n_funcs, sizeof(*k->funcs), cmp_key);
	if (k->other.err)
		return k->other.err;
	k->others = agg_sorted(&k->other, cmp_key, &k->n_others);
	return k->others ? 0 : -ENOMEM;
}

static void write_by_func(struct promfmt *pf, const struct promsnap_in *in, const struct counted *k)
{
	size_t i;

	promfmt__family(pf, "xgotop_goroutines_by_function", PROMFMT_GAUGE,
			"Live goroutines by start function and status: the top "
			"--metrics-functions functions, the rest as function=\"other\".");
	for (i = 0; i < k->n_funcs; i++)
		write_func_row(pf, in, k->funcs[i]);
	for (i = 0; i < k->n_others; i++)
		write_func_row(pf, in, k->others[i]);
}

static void write_hist(struct promfmt *pf, struct lbl *l, const struct promstats_hist *h,
		       const struct promstats_bounds *b)
{
	char le[40];
	uint64_t cum = 0;
	size_t i, n = l->n;

	for (i = 0; i <= b->n; i++) {
		cum += h->count[i];
		if (i < b->n)
			promfmt__float((double)b->le_ns[i] / 1e9, le, sizeof(le));
		else
			snprintf(le, sizeof(le), "+Inf");
		l->n = n;
		lbl_add(l, "le", le);
		promfmt__sample(pf, "_bucket", l->v, l->n, (double)cum);
	}
	l->n = n;
	promfmt__sample(pf, "_sum", l->v, l->n, (double)h->sum_ns / 1e9);
	promfmt__sample(pf, "_count", l->v, l->n, (double)h->n);
}

/* The processes of promstats, or the one traced before any event. */
static size_t n_procs(const struct promsnap_in *in)
{
	return in->ps ? promstats__n_procs(in->ps) : 0;
}

static void write_counters(struct promfmt *pf, const struct promsnap_in *in)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} rows[] = {
		{"xgotop_goroutines_created", "Goroutines created since tracing began.",
		 offsetof(struct promstats_proc, created)},
		{"xgotop_goroutines_exited", "Goroutines exited since tracing began.",
		 offsetof(struct promstats_proc, exited)},
		{"xgotop_gc_cycles", "GC cycles completed since tracing began.",
		 offsetof(struct promstats_proc, gc_cycles)},
	};
	size_t r, i;
	struct lbl l;

	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		promfmt__family(pf, rows[r].name, PROMFMT_COUNTER, rows[r].help);
		for (i = 0; i < n_procs(in); i++) {
			const struct promstats_proc *p = promstats__proc(in->ps, i);

			if (!in->per_pid && p->pid != in->pid)
				continue;
			lbl_init(&l, in, p->pid);
			promfmt__sample(pf, "", l.v, l.n,
					(double)*(const uint64_t *)((const char *)p + rows[r].off));
		}
		if (!n_procs(in) && !in->per_pid)
			promfmt__sample(pf, "", NULL, 0, 0);
	}
}

/* The processes written: every one with -b, else the one traced. */
static bool in_scope(const struct promsnap_in *in, const struct promstats_proc *p)
{
	return in->per_pid || p->pid == in->pid;
}

static void write_waits(struct promfmt *pf, const struct promsnap_in *in,
			const struct promstats_proc *p)
{
	char num[16];
	struct lbl l;
	size_t w;

	for (w = 0; w <= PROMSTATS_REASONS; w++) {
		const struct promstats_wait *wt = &p->waits[w];

		if (!wt->h.n)
			continue;
		if (w < PROMSTATS_REASONS)
			snprintf(num, sizeof(num), "#%zu", w);
		else
			snprintf(num, sizeof(num), "other");
		lbl_init(&l, in, p->pid);
		lbl_add(&l, "wait_reason", wt->reason_str ? wt->reason_str : num);
		write_hist(pf, &l, &wt->h, &promstats_wait_bounds);
	}
}

static void write_hists(struct promfmt *pf, const struct promsnap_in *in)
{
	const struct promstats_proc *p;
	struct lbl l;
	size_t i;

	promfmt__family(pf, "xgotop_goroutine_lifetime_seconds", PROMFMT_HISTOGRAM,
			"Lifetimes of the goroutines that exited (creation seen).");
	for (i = 0; (p = promstats__proc(in->ps, i)); i++)
		if (in_scope(in, p)) {
			lbl_init(&l, in, p->pid);
			write_hist(pf, &l, &p->lifetime, &promstats_lifetime_bounds);
		}
	promfmt__family(pf, "xgotop_goroutine_wait_seconds", PROMFMT_HISTOGRAM,
			"Finished waits by wait reason: time from parking to leaving waiting.");
	for (i = 0; (p = promstats__proc(in->ps, i)); i++)
		if (in_scope(in, p))
			write_waits(pf, in, p);
	promfmt__family(pf, "xgotop_gc_pause_seconds", PROMFMT_HISTOGRAM,
			"Stop-the-world pauses of the GC cycles seen from their start.");
	for (i = 0; (p = promstats__proc(in->ps, i)); i++)
		if (in_scope(in, p)) {
			lbl_init(&l, in, p->pid);
			write_hist(pf, &l, &p->gc_pause, &promstats_pause_bounds);
		}
}

static void write_allocs(struct promfmt *pf, const struct promsnap_in *in)
{
	struct gtable_alloc_totals t;
	unsigned int k;
	size_t i, n = in->per_pid ? n_procs(in) : 1;
	int pass;
	struct lbl l;

	if (!in->alloc_traced)
		return;
	for (pass = 0; pass < 2; pass++) {
		promfmt__family(pf, pass ? "xgotop_alloc_objects" : "xgotop_alloc_bytes",
				PROMFMT_COUNTER,
				pass ? "Heap allocations traced, by kind."
				     : "Bytes of the heap allocations traced, by kind.");
		for (i = 0; i < n; i++) {
			uint32_t pid = in->per_pid ? promstats__proc(in->ps, i)->pid : 0;

			if (gtable__alloc_totals(in->gt, pid, &t))
				memset(&t, 0, sizeof(t));
			for (k = 0; k < XG_AK_NKINDS; k++) {
				lbl_init(&l, in, pid);
				lbl_add(&l, "kind", gev_alloc_kind_name(k));
				promfmt__sample(pf, "", l.v, l.n,
						(double)(pass ? t.count[k] : t.bytes[k]));
			}
		}
	}
}

static void write_gauge(struct promfmt *pf, const char *name, const char *help, double v)
{
	promfmt__family(pf, name, PROMFMT_GAUGE, help);
	promfmt__sample(pf, "", NULL, 0, v);
}

static void write_counter(struct promfmt *pf, const char *name, const char *help, double v)
{
	promfmt__family(pf, name, PROMFMT_COUNTER, help);
	promfmt__sample(pf, "", NULL, 0, v);
}

static void write_tracer(struct promfmt *pf, const struct promsnap_in *in)
{
	const struct promsnap_tracer *tr = &in->tracer;
	struct prom_label l;
	size_t i;

	write_counter(pf, "xgotop_events", "Events applied to the state table.",
		      (double)tr->events);
	write_counter(pf, "xgotop_records", "Records read from the ring buffers.",
		      (double)tr->records);
	write_counter(pf, "xgotop_dropped_records",
		      "Records lost because the ring buffer was full.", (double)tr->drops);
	if (tr->has_hits)
		write_counter(pf, "xgotop_probe_hits", "Runs of the BPF programs (probe hits).",
			      (double)tr->probe_hits);
	if (tr->has_hits)
		write_counter(pf, "xgotop_bpf_run_seconds", "Time spent in the BPF programs.",
			      (double)tr->bpf_run_ns / 1e9);
	if (tr->bpf_ns_per_hit >= 0)
		write_gauge(pf, "xgotop_bpf_seconds_per_hit",
			    "BPF program time per probe hit over the last second.",
			    tr->bpf_ns_per_hit / 1e9);
	if (tr->overhead_ratio >= 0)
		write_gauge(pf, "xgotop_overhead_ratio",
			    "Estimated CPU the probes take from the target, of one core.",
			    tr->overhead_ratio);
	promfmt__family(pf, "xgotop_capture_level", PROMFMT_GAUGE,
			"What is captured: 1 for the level in force, 0 for the others.");
	for (i = 0; promsnap_levels[i]; i++) {
		l = (struct prom_label){"level", promsnap_levels[i]};
		promfmt__sample(pf, "", &l, 1,
				tr->capture_level &&
					!strcmp(tr->capture_level, promsnap_levels[i]));
	}
}

static void write_info(struct promfmt *pf, const struct promsnap_in *in)
{
	size_t i, n = in->per_pid ? n_procs(in) : 1;
	char pid[12];
	struct prom_label l[4];

	promfmt__family(pf, "xgotop_target_info", PROMFMT_GAUGE,
			"The traced process: pid, executable, Go version, architecture.");
	for (i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%u",
			 in->per_pid ? promstats__proc(in->ps, i)->pid : in->pid);
		l[0] = (struct prom_label){"pid", pid};
		l[1] = (struct prom_label){"exe", in->exe ? in->exe : ""};
		l[2] = (struct prom_label){"go_version", in->go_version ? in->go_version : ""};
		l[3] = (struct prom_label){"arch", in->arch ? in->arch : ""};
		promfmt__sample(pf, "", l, 4, 1);
	}
}

/*
 * On-CPU time (GEV_CPU): running goroutines' time off the CPU by cause,
 * and the CPU limit and throttling of each process's cgroup.
 */
static void write_offcpu(struct promfmt *pf, const struct promsnap_in *in)
{
	static const char *const causes[2] = {"preempted", "blocked"};
	bool said = false;
	struct lbl l;
	size_t i, c;

	for (i = 0; i < n_procs(in); i++) {
		const struct promstats_proc *p = promstats__proc(in->ps, i);

		if (!in_scope(in, p) || !p->has_offcpu)
			continue;
		if (!said)
			promfmt__family(pf, "xgotop_goroutine_offcpu_seconds", PROMFMT_COUNTER,
					"Time running goroutines' threads were off the CPU, by "
					"cause.");
		said = true;
		for (c = 0; c < 2; c++) {
			lbl_init(&l, in, p->pid);
			lbl_add(&l, "cause", causes[c]);
			promfmt__sample(pf, "", l.v, l.n, (double)p->offcpu_ns[c] / 1e9);
		}
	}
}

static void write_cgroup(struct promfmt *pf, const struct promsnap_in *in)
{
	static const struct {
		const char *name, *help;
		enum promfmt_type type;
	} rows[] = {
		{"xgotop_cgroup_cpu_limit_cores", "CPU limit of the target's cgroup, in cores.",
		 PROMFMT_GAUGE},
		{"xgotop_cgroup_throttled_periods", "Periods the target's cgroup was throttled in.",
		 PROMFMT_COUNTER},
		{"xgotop_cgroup_throttled_seconds", "Time the target's cgroup was throttled.",
		 PROMFMT_COUNTER},
	};
	struct gtable_cgroup cg;
	size_t r, i;
	struct lbl l;

	for (r = 0; r < 3; r++) {
		bool said = false;

		for (i = 0; i < n_procs(in); i++) {
			const struct promstats_proc *p = promstats__proc(in->ps, i);
			double v;

			if (!in_scope(in, p) || gtable__cgroup(in->gt, p->pid, &cg) ||
			    !cg.quota_us || !cg.period_us)
				continue;
			if (!said)
				promfmt__family(pf, rows[r].name, rows[r].type, rows[r].help);
			said = true;
			v = r == 0   ? (double)cg.quota_us / (double)cg.period_us
			    : r == 1 ? (double)cg.nr_throttled
				     : (double)cg.throttled_ns / 1e9;
			lbl_init(&l, in, p->pid);
			promfmt__sample(pf, "", l.v, l.n, v);
		}
	}
}

/* One pass over the table: live goroutines by wait reason and by function, sorted. */
static int count(struct counted *k, const struct promsnap_in *in)
{
	int err;

	/* The states always written have a row to be written from, goroutines or not. */
	if (!in->per_pid)
		agg_add(&k->c.by_reason, in->pid, 0, "", XG_G_RUNNING, 0);
	gtable__for_each(in->gt, count_entry, &k->c);
	err = k->c.by_reason.err ? k->c.by_reason.err : k->c.by_func.err;
	if (err)
		return err;
	k->states = agg_sorted(&k->c.by_reason, cmp_key, &k->n_states);
	if (!k->states)
		return -ENOMEM;
	return count_funcs(k, in);
}

static void counted_free(struct counted *k)
{
	free(k->states);
	free(k->funcs);
	free(k->others);
	agg_free(&k->c.by_reason);
	agg_free(&k->c.by_func);
	agg_free(&k->other);
}

int promsnap__write(struct promfmt *const *pf, size_t n_pf, const struct promsnap_in *in)
{
	struct counted k;
	size_t i;
	int err;

	memset(&k, 0, sizeof(k));
	err = count(&k, in);
	for (i = 0; !err && i < n_pf; i++) {
		write_info(pf[i], in);
		write_by_state(pf[i], in, k.states, k.n_states);
		write_by_func(pf[i], in, &k);
		write_counters(pf[i], in);
		write_hists(pf[i], in);
		write_allocs(pf[i], in);
		write_offcpu(pf[i], in);
		write_cgroup(pf[i], in);
		write_tracer(pf[i], in);
	}
	counted_free(&k);
	return err;
}
