// SPDX-License-Identifier: BSD-2-Clause
/*
 * The capture level (capture.h): chosen before the probes go in, said in
 * the event stream (GEV_CAPTURE), its cost set beside it at every meter
 * sample; changed while running by capswitch.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "capture.h"
#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "grow.h"
#include "gtable.h"
#include "snapshot.h"
#include "session.h"
#include "tracer.h"

/* How long the estimate watches the target before the probes go in. */
#define ESTIMATE_NS (100 * 1000 * 1000ull)

/*
 * The CPU time of process PID, all its threads, in ns: the sum over
 * /proc/PID/task/TID/schedstat, whose first field is the time the thread
 * ran, in ns (Documentation/scheduler/sched-stats.rst). Not /proc/PID/stat:
 * its clock ticks (10 ms) made a 1 s interval of a calm target read 0 or
 * 10 ms of CPU against a few ms of probe cost, and COST thousands of %.
 * Threads that ended are not counted (Go's threads rarely end; a sum that
 * went down leaves that interval's cost unknown). 0: unknown.
 */
uint64_t capture__cpu_ns(int pid)
{
	char path[320], line[128];
	unsigned long long run;
	uint64_t sum = 0;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || strlen(d->d_name) > 12)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && sscanf(line, "%llu", &run) == 1)
			sum += run;
		fclose(f);
	}
	closedir(dir);
	return sum ? sum + 1 : 0;
}

void capture__get(struct tracer *t, struct capture_state *out)
{
	pthread_mutex_lock(&t->cap.mu);
	*out = t->cap.st;
	pthread_mutex_unlock(&t->cap.mu);
}

/* The estimate's second read: what changed of the goroutines alive at the first. */
struct estimate {
	int pass;
	uint64_t max_goid;
	uint64_t changes;
};

static int estimate_add(const struct gev *ev, void *ctx)
{
	struct estimate *e = ctx;

	if (ev->kind == GEV_STATE && e->pass && ev->goid <= e->max_goid)
		e->changes++;
	return 0;
}

/*
 * Two reads of the goroutine table ESTIMATE_NS apart, and the CPU time
 * between. Goids are handed out in order (a P takes a batch of 16 at a
 * time, runtime.goidcache in proc.go since go1.4): their growth counts the
 * goroutines created, those that lived and ended between the reads too.
 */
static int estimate(struct tracer *t, struct budget_rates *r)
{
	const struct target *tg = &t->tg;
	struct estimate e = {0};
	struct poll_stats st0 = {0}, st1 = {0};
	struct timespec ts = {0, ESTIMATE_NS};
	uint64_t t0, t1 = 0, c0, c1 = 0;
	struct poll_src *src;
	char err[256];
	int next, rc;

	src = poll_src__open(tg->ge, tg->path, &tg->tables.off, tg->pid, 1000, err, sizeof(err));
	if (!src) {
		if (diag__verbose())
			fprintf(stderr, "xgotop-tui: capture level not estimated: %s\n", err);
		return -EINVAL;
	}
	c0 = capture__cpu_ns(tg->pid);
	t0 = xg_mono_ns();
	rc = poll_src__pump(src, t0, &next, estimate_add, &e);
	poll_src__stats(src, &st0);
	e.pass = 1;
	e.max_goid = st0.max_goid;
	if (!rc) {
		nanosleep(&ts, NULL);
		c1 = capture__cpu_ns(tg->pid);
		t1 = xg_mono_ns();
		rc = poll_src__pump(src, t1, &next, estimate_add, &e);
		poll_src__stats(src, &st1);
	}
	poll_src__free(src);
	if (rc || !c0 || c1 < c0 || t1 <= t0 || st1.max_goid < st0.max_goid)
		return rc ? rc : -EINVAL;
	r->creates_per_s = (double)(st1.max_goid - st0.max_goid) / ((double)(t1 - t0) / 1e9);
	r->changes_per_s = (double)e.changes / ((double)(t1 - t0) / 1e9);
	r->cpu_ns_per_s = (double)(c1 - c0) / ((double)(t1 - t0) / 1e9);
	return 0;
}

/* The price of a hit of LEVEL's probes before calibration: by where casgstatus sits. */
static void prior_prices(const struct target *tg, double hit_ns[CAPTURE_LEVEL_MAX + 1])
{
	int i;

	for (i = 0; i <= CAPTURE_LEVEL_MAX; i++)
		hit_ns[i] = BUDGET_PRIOR_HIT_NS;
	for (i = 0; i < tg->n_sites; i++)
		if (tg->sites[i].found && !strcmp(tg->sites[i].spec->sym, "runtime.casgstatus") &&
		    tg->sites[i].mode == INSN_UPROBE_STEPPED)
			hit_ns[CAPTURE_STATES] = hit_ns[CAPTURE_ALL] = BUDGET_PRIOR_STEPPED_NS;
}

void capture__set_level(struct tracer *t, enum capture_level level, double hz, const char *why)
{
	struct capture_state *st = &t->cap.st;

	st->level = level;
	st->poll_hz = level == CAPTURE_POLL ? hz : 0;
	snprintf(st->why, sizeof(st->why), "%s", why);
	budget__describe(level, st->poll_hz, st->budget_pct, st->why, st->text, sizeof(st->text));
}

/* Without a budget, or pinned: the level asked for. */
static void pinned_level(struct tracer *t)
{
	const struct live_opts *o = t->opts;

	if (o->poll_hz)
		capture__set_level(t, CAPTURE_POLL, o->poll_hz, "");
	else if (o->probes == PROBES_LIFECYCLE)
		capture__set_level(t, CAPTURE_LIFECYCLE, 0, "");
	else if (o->probes == PROBES_ALL)
		capture__set_level(t, CAPTURE_ALL, 0, "");
	else
		capture__set_level(t, CAPTURE_STATES, 0, "");
}

int capture__choose(struct tracer *t)
{
	const struct live_opts *o = t->opts;
	struct capture_state *st = &t->cap.st;
	double hit_ns[CAPTURE_LEVEL_MAX + 1];
	struct budget_rates r;
	struct budget_choice ch;
	int err;

	st->cost_pct = -1;
	st->pinned = o->poll_hz || o->probes;
	st->budget_pct = st->pinned ? 0 : o->budget_pct;
	if (st->pinned || !st->budget_pct) {
		pinned_level(t);
		return 0;
	}
	/* -b: no one process whose CPU time to hold the cost to. */
	if (!t->tg.pid) {
		capture__set_level(t, CAPTURE_STATES, 0, "not applied with -b");
		return 0;
	}
	/* Launched: nothing runs yet to estimate; checked once it runs (capture__tick). */
	if (t->tg.launched) {
		capture__set_level(t, CAPTURE_STATES, 0, "");
		return 0;
	}
	if (estimate(t, &r)) {
		capture__set_level(t, CAPTURE_STATES, 0, "not estimated");
		return 0;
	}
	prior_prices(&t->tg, hit_ns);
	budget__choose(st->budget_pct, &r, hit_ns, &ch);
	if (diag__verbose())
		fprintf(stderr,
			"xgotop-tui: capture estimate: %.0f goroutines created/s, %.0f changes/s, "
			"target CPU %.1f%% of a core; states %.3g%%, lifecycle %.3g%% of it\n",
			r.creates_per_s, r.changes_per_s, r.cpu_ns_per_s / 1e7,
			ch.cost_pct[CAPTURE_STATES], ch.cost_pct[CAPTURE_LIFECYCLE]);
	capture__set_level(t, ch.level, BUDGET_POLL_HZ, ch.why);
	if (ch.level == CAPTURE_LIFECYCLE) {
		err = target__resolve_sites(&t->tg, PROBES_LIFECYCLE, o->alloc != 0);
		if (err)
			return err;
	}
	if (ch.level != CAPTURE_STATES)
		fprintf(stderr, "xgotop-tui: capture %s\n", st->text);
	return 0;
}

int capture__emit(struct tracer *t)
{
	return capture__emit_at(t, xg_mono_ns());
}

int capture__emit_at(struct tracer *t, uint64_t ts)
{
	const struct capture_state *st = &t->cap.st;
	struct gev ev = {
		.kind = GEV_CAPTURE, .ts = ts, .pid = (uint32_t)t->tg.pid, .reason = GEV_NO_REASON};

	ev.capture.level = (uint8_t)st->level;
	ev.capture.poll_hz = (uint32_t)(st->poll_hz + 0.5);
	ev.capture.budget_bp = (uint32_t)(st->budget_pct * 100 + 0.5);
	ev.capture.why = st->why[0] ? st->why : NULL;
	return sink__put(&ev, t);
}

void capture__sample(struct tracer *t)
{
	struct capture_state *st = &t->cap.st;
	char base[160];
	double pct;
	bool over;

	if (!t->m.mt)
		return;
	pct = meters__cost_pct(t->m.mt, &over);
	pthread_mutex_lock(&t->cap.mu);
	st->cost_pct = pct;
	st->over = over;
	budget__describe(st->level, st->poll_hz, st->budget_pct, st->why, base, sizeof(base));
	if (over)
		snprintf(st->text, sizeof(st->text), "%s, over budget %g%%: costs %.3g%%", base,
			 st->budget_pct, pct);
	else
		snprintf(st->text, sizeof(st->text), "%s", base);
	pthread_mutex_unlock(&t->cap.mu);
}
