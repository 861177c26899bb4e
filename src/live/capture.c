// SPDX-License-Identifier: BSD-2-Clause
/*
 * The capture level (capture.h): chosen before the probes go in, said in
 * the event stream (GEV_CAPTURE), checked at every meter sample.
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
#include "session.h"
#include "tracer.h"

/* How long the estimate watches the target before the probes go in. */
#define ESTIMATE_NS (100 * 1000 * 1000ull)

uint64_t capture__cpu_ns(int pid)
{
	unsigned long long utime, stime;
	char path[64], buf[1024], *p;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/*
	 * proc(5): after the name, fields 3 (state) to 13 (cmajflt), then 14
	 * utime and 15 stime in clock ticks, the whole process's threads.
	 */
	if (!p || tck <= 0 ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
		   &stime) != 2)
		return 0;
	return (utime + stime) * (1000000000ull / (unsigned long long)tck) + 1;
}

/*
 * The same in ns resolution, for the estimate's short window: the sum over
 * /proc/PID/task/TID/schedstat, whose first field is the time the thread
 * ran, in ns (Documentation/scheduler/sched-stats.rst). Threads that ended
 * are not counted: the window is 100 ms. 0: unknown.
 */
static uint64_t cpu_ns_fine(int pid)
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
	c0 = cpu_ns_fine(tg->pid);
	t0 = xg_mono_ns();
	rc = poll_src__pump(src, t0, &next, estimate_add, &e);
	poll_src__stats(src, &st0);
	e.pass = 1;
	e.max_goid = st0.max_goid;
	if (!rc) {
		nanosleep(&ts, NULL);
		c1 = cpu_ns_fine(tg->pid);
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

static void set_level(struct tracer *t, enum capture_level level, double hz, const char *why)
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
		set_level(t, CAPTURE_POLL, o->poll_hz, "");
	else if (o->probes == PROBES_LIFECYCLE)
		set_level(t, CAPTURE_LIFECYCLE, 0, "");
	else if (o->probes == PROBES_ALL)
		set_level(t, CAPTURE_ALL, 0, "");
	else
		set_level(t, CAPTURE_STATES, 0, "");
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
		set_level(t, CAPTURE_STATES, 0, "not applied with -b");
		return 0;
	}
	/* Launched: nothing runs yet to estimate; checked once it runs (capture__tick). */
	if (t->tg.launched) {
		set_level(t, CAPTURE_STATES, 0, "");
		return 0;
	}
	if (estimate(t, &r)) {
		set_level(t, CAPTURE_STATES, 0, "not estimated");
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
	set_level(t, ch.level, BUDGET_POLL_HZ, ch.why);
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

/* ---- switching between states and lifecycle while running ------------------------ */

/* The casgstatus sites of LEVEL, resolved apart from the target's own list. */
static int load_set(struct tracer *t, enum capture_level level)
{
	struct capture_set *cs = &t->cap.set[level];
	struct probe_opts popts = {.level = level == CAPTURE_LIFECYCLE ? PROBES_LIFECYCLE
								       : PROBES_STATES,
				   .kernel = probes__running_kernel(),
				   .entry_only = getenv("XGOTOP_PROBES_AT_ENTRY") != NULL};
	char err[256];
	int n, i;

	cs->sites = calloc(PROBES_MAX, sizeof(*cs->sites));
	cs->links = calloc(PROBES_MAX, sizeof(*cs->links));
	if (!cs->sites || !cs->links)
		return -ENOMEM;
	n = probes__resolve(t->tg.ge, &popts, cs->sites, PROBES_MAX, err, sizeof(err));
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (cs->sites[i].found && cs->sites[i].spec->class == PROBE_CLASS_GSTATUS)
			cs->sites[cs->n++] = cs->sites[i];
	return 0;
}

/* The level attached now: its links, handed over by the BPF object. */
static int take_set(struct tracer *t, enum capture_level level)
{
	struct capture_set *cs = &t->cap.set[level];
	int i;

	cs->sites = calloc(PROBES_MAX, sizeof(*cs->sites));
	cs->links = calloc(PROBES_MAX, sizeof(*cs->links));
	if (!cs->sites || !cs->links)
		return -ENOMEM;
	for (i = 0; i < t->tg.n_sites; i++) {
		if (t->tg.sites[i].spec->class != PROBE_CLASS_GSTATUS || !t->bpf.links[i])
			continue;
		cs->sites[cs->n] = t->tg.sites[i];
		cs->links[cs->n++] = bpfobj__take_link(&t->bpf, i);
	}
	return 0;
}

int capture__setup(struct tracer *t)
{
	struct capture *c = &t->cap;
	const char *flip = getenv("XGOTOP_BUDGET_FLIP_MS");
	enum capture_level now = c->st.level, other;
	int err;

	/* One thread reads the ring (duplicates are told apart there); one process's CPU time. */
	if (c->st.pinned || !c->st.budget_pct || !t->bpf.skel || !t->tg.pid || t->rings.wk ||
	    (now != CAPTURE_STATES && now != CAPTURE_LIFECYCLE))
		return 0;
	other = now == CAPTURE_STATES ? CAPTURE_LIFECYCLE : CAPTURE_STATES;
	err = take_set(t, now);
	if (!err)
		err = load_set(t, other);
	if (err || !c->set[other].n || !c->set[now].n) {
		if (diag__verbose())
			fprintf(stderr,
				"xgotop-tui: the capture level cannot change while running: %s\n",
				err ? strerror(-err) : "no sites");
		return err == -ENOMEM ? err : 0;
	}
	/* Tests only: switch every N ms whatever it costs (tests/e2e/budget-switch.sh). */
	if (flip && atoi(flip) > 0)
		c->flip_ns = (uint64_t)atoi(flip) * 1000000ull;
	c->can_switch = true;
	return 0;
}

/* What a hit costs the target's thread before its program runs: calibrated, else the prior. */
static double trap_ns(const struct tracer *t)
{
	const struct meters_calib *k = &t->m.calib;

	if (!t->m.calib_running && k->emulated_ns > 0)
		return k->emulated_ns > k->prog_ns ? k->emulated_ns - k->prog_ns : 0;
	return BUDGET_PRIOR_HIT_NS;
}

/* The level the last interval (DT ns) calls for; 0: stay. WHY: said with it. */
static enum capture_level decide(struct tracer *t, uint64_t now, uint64_t cnt, uint64_t run_ns,
				 uint64_t cpu, uint64_t dt, char *why, size_t len)
{
	struct capture *c = &t->cap;
	double cost = ((double)cnt * trap_ns(t) + (double)run_ns) * 1e9 / (double)dt;
	double own = (double)cpu * 1e9 / (double)dt - cost, share = budget__share_pct(cost, own);
	enum capture_level to;

	if (c->flip_ns) {
		snprintf(why, len, "forced every %llu ms (XGOTOP_BUDGET_FLIP_MS)",
			 (unsigned long long)(c->flip_ns / 1000000));
		if (now - atomic_load(&c->both_to) < c->flip_ns)
			return 0;
		return c->st.level == CAPTURE_STATES ? CAPTURE_LIFECYCLE : CAPTURE_STATES;
	}
	to = budget__step(&c->ctl, c->st.level, c->st.budget_pct, cost, own, now, dt);
	/* The estimate can pass what the target's CPU time shows: its own is then ~0. */
	if (to == CAPTURE_LIFECYCLE && share > 1e6)
		snprintf(why, len, "states cost more than the target's own CPU time");
	else if (to == CAPTURE_LIFECYCLE)
		snprintf(why, len, "states cost %.0f%%", share);
	else
		why[0] = '\0';
	return to;
}

/*
 * The new level's probes in, then the old one's out: every creation and
 * exit is seen by one or the other at every moment, and those seen by both
 * in between are said once (capture__dup). Nothing is lost to reconcile.
 * On a thread of its own: attaching and detaching uprobes took 0.4-1.5 s
 * on our loaded 2-CPU VM, while the ring must be read on.
 */
static void *switch_main(void *arg)
{
	struct tracer *t = arg;
	struct capture *c = &t->cap;
	struct capture_set *old = &c->set[c->st.level], *nw = &c->set[c->switch_to];
	int i, err = 0;

	for (i = 0; i < nw->n && !err; i++)
		err = bpfobj__attach_one(&t->bpf, &t->tg, &nw->sites[i], &nw->links[i]);
	for (i = 0; i < (err ? nw->n : old->n); i++) {
		struct bpf_link **l = err ? &nw->links[i] : &old->links[i];

		bpf_link__destroy(*l);
		*l = NULL;
	}
	atomic_store(&c->both_to, xg_mono_ns());
	c->switch_err = err;
	atomic_store_explicit(&c->switch_done, true, memory_order_release);
	return NULL;
}

static void switch_start(struct tracer *t, enum capture_level to, const char *why)
{
	struct capture *c = &t->cap;
	int err;

	c->switch_to = to;
	snprintf(c->switch_why, sizeof(c->switch_why), "%s", why);
	atomic_store(&c->switch_done, false);
	atomic_store(&c->both_to, UINT64_MAX);
	atomic_store(&c->both_from, xg_mono_ns());
	err = pthread_create(&c->switch_thr, NULL, switch_main, t);
	if (err) {
		atomic_store(&c->both_to, xg_mono_ns());
		c->can_switch = false;
		fprintf(stderr, "xgotop-tui: warning: cannot change the capture level: %s\n",
			strerror(err));
		return;
	}
	c->switching = true;
}

/* The switch's thread has ended (or BLOCK: wait for it): the level is the new one. */
static void switch_finish(struct tracer *t, bool block)
{
	struct capture *c = &t->cap;
	uint64_t from = atomic_load(&c->both_from), to_ts;

	if (!c->switching ||
	    (!block && !atomic_load_explicit(&c->switch_done, memory_order_acquire)))
		return;
	pthread_join(c->switch_thr, NULL);
	c->switching = false;
	to_ts = atomic_load(&c->both_to);
	if (c->switch_err) {
		c->can_switch = false;
		fprintf(stderr, "xgotop-tui: warning: cannot change the capture level: %s\n",
			strerror(-c->switch_err));
		return;
	}
	if (c->ctl.over_ts && c->switch_to == CAPTURE_LIFECYCLE &&
	    to_ts - c->ctl.over_ts > c->step_ns_max)
		c->step_ns_max = to_ts - c->ctl.over_ts;
	c->ctl = (struct budget_ctl){0};
	c->tick_ts = 0; /* the next check starts a fresh interval, at the new level */
	c->switches++;
	/* Richer from when its probes went in; poorer once the old ones are out. */
	c->pending_ts = c->switch_to == CAPTURE_STATES ? from : to_ts;
	pthread_mutex_lock(&c->mu);
	set_level(t, c->switch_to, 0, c->switch_why);
	pthread_mutex_unlock(&c->mu);
	if (diag__verbose())
		fprintf(stderr, "xgotop-tui: capture %s (switched in %.1f ms)\n", c->st.text,
			(double)(to_ts - from) / 1e6);
}

bool capture__dup(struct tracer *t, const struct xg_event *rec)
{
	struct capture *c = &t->cap;
	struct capture_last *l;
	bool dup;

	if (rec->type != XG_EV_STATE)
		return false;
	l = &c->last[rec->tid % CAPTURE_LAST_N];
	/*
	 * The call site's probe, then casgstatus's own: one thread, one change,
	 * two sites. Not only between the switch's start and end: a thread
	 * descheduled between its two hits (for 100 ms and more under load)
	 * lands its second record after the old probe's removal. One level
	 * alone never gives the same change twice from two sites in a row.
	 */
	dup = l->tid == rec->tid && l->g == rec->g && l->from == rec->from && l->to == rec->to &&
	      l->ip != rec->ip && rec->ts - l->ts < CAPTURE_DUP_NS;
	*l = (struct capture_last){.tid = rec->tid,
				   .from = rec->from,
				   .to = rec->to,
				   .g = rec->g,
				   .ip = rec->ip,
				   .ts = rec->ts};
	if (dup) {
		memset(l, 0, sizeof(*l));
		c->dups++;
	}
	return dup;
}

/*
 * The capture event of a switch, once every record before it has left the
 * reorder window: stamped no earlier than the last event written, so the
 * stream stays in order.
 */
static int emit_pending(struct tracer *t, uint64_t now)
{
	struct capture *c = &t->cap;
	uint64_t ts = c->pending_ts;

	if (!ts || now < ts + 3 * REORDER_WINDOW_NS)
		return 0;
	c->pending_ts = 0;
	return capture__emit_at(t, ts > t->sink.last_ts ? ts : t->sink.last_ts);
}

int capture__tick(struct tracer *t)
{
	struct capture *c = &t->cap;
	uint64_t now = xg_mono_ns(), run_ns, cnt, cpu;
	enum capture_level to = 0;
	char why[128] = "";
	int err;

	if (!c->can_switch)
		return 0;
	switch_finish(t, false);
	err = emit_pending(t, now);
	if (err || c->switching || now - c->tick_ts < BUDGET_TICK_NS)
		return err;
	bpfobj__prog_totals(&t->bpf, "casgstatus", &run_ns, &cnt);
	cpu = cpu_ns_fine(t->tg.pid);
	if (c->tick_ts && cpu >= c->tick_cpu && cnt >= c->tick_cnt && run_ns >= c->tick_run_ns &&
	    !c->pending_ts)
		to = decide(t, now, cnt - c->tick_cnt, run_ns - c->tick_run_ns, cpu - c->tick_cpu,
			    now - c->tick_ts, why, sizeof(why));
	if (to)
		switch_start(t, to, why);
	c->tick_ts = now;
	c->tick_cnt = cnt;
	c->tick_run_ns = run_ns;
	c->tick_cpu = cpu;
	return 0;
}

int capture__end(struct tracer *t)
{
	return emit_pending(t, UINT64_MAX - 3 * REORDER_WINDOW_NS);
}

void capture__detach(struct tracer *t)
{
	int l, i;

	switch_finish(t, true);
	for (l = 0; l <= CAPTURE_LEVEL_MAX; l++)
		for (i = 0; t->cap.set[l].links && i < t->cap.set[l].n; i++) {
			bpf_link__destroy(t->cap.set[l].links[i]);
			t->cap.set[l].links[i] = NULL;
		}
}

void capture__free(struct tracer *t)
{
	int l;

	capture__detach(t);
	for (l = 0; l <= CAPTURE_LEVEL_MAX; l++) {
		free(t->cap.set[l].sites);
		free(t->cap.set[l].links);
	}
	if (t->cap.switches && diag__verbose()) {
		struct decoder_stats ds = {0};

		if (t->rings.dec)
			decoder__stats(t->rings.dec, &ds);
		fprintf(stderr,
			"xgotop-tui: capture level changed %u times; longest from over budget to "
			"stepped down %.0f ms; %u creations and exits seen by both levels said "
			"once; "
			"%llu creations and %llu exits seen by neither said from what followed\n",
			t->cap.switches, (double)t->cap.step_ns_max / 1e6, t->cap.dups,
			(unsigned long long)ds.lost_creates, (unsigned long long)ds.lost_exits);
	}
}
