// SPDX-License-Identifier: BSD-2-Clause
/*
 * The capture level while running (capture.h, docs/OVERHEAD.md §6): a
 * check every BUDGET_TICK_NS of what the level in force costs, or would
 * cost, and the switches it calls for, between states and lifecycle
 * (overlapping probes) and to and from poll (the goroutine table read and
 * reconciled with what the probes said).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "capture.h"
#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "grow.h"
#include "gtable.h"
#include "quiesce.h"
#include "session.h"
#include "snapshot.h"
#include "tracer.h"

/* ---- changing level while running ------------------------------------------------- */

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

/*
 * The target's sites of one kind (casgstatus's, GSTATUS; the others, not),
 * with their links if attached, handed over by the BPF object.
 */
static int take_set(struct tracer *t, struct capture_set *cs, bool gstatus)
{
	int i;

	cs->sites = calloc(PROBES_MAX, sizeof(*cs->sites));
	cs->links = calloc(PROBES_MAX, sizeof(*cs->links));
	if (!cs->sites || !cs->links)
		return -ENOMEM;
	for (i = 0; i < t->tg.n_sites; i++) {
		if (!t->tg.sites[i].found ||
		    (t->tg.sites[i].spec->class == PROBE_CLASS_GSTATUS) != gstatus)
			continue;
		cs->sites[cs->n] = t->tg.sites[i];
		cs->links[cs->n++] = bpfobj__take_link(&t->bpf, i);
	}
	return 0;
}

bool capture__may_switch(const struct tracer *t)
{
	const struct capture_state *st = &t->cap.st;

	/* One decoder (it pairs duplicates: decoder__set_repairs); one process's CPU time. */
	return !st->pinned && st->budget_pct > 0 && t->tg.pid && t->opts->readers <= 1 &&
	       t->opts->processors <= 1;
}

int capture__setup(struct tracer *t)
{
	struct capture *c = &t->cap;
	const char *flip = getenv("XGOTOP_BUDGET_FLIP_MS");
	enum capture_level now = c->st.level, l;
	int err = 0;

	if (!capture__may_switch(t) || !t->bpf.skel || t->rings.wk || now < CAPTURE_STATES)
		return 0;
	for (l = CAPTURE_STATES; l <= CAPTURE_LIFECYCLE && !err; l++)
		err = l == now ? take_set(t, &c->set[l], true) : load_set(t, l);
	if (!err)
		err = take_set(t, &c->common, false);
	if (err || !c->set[CAPTURE_STATES].n || !c->set[CAPTURE_LIFECYCLE].n) {
		if (diag__verbose())
			fprintf(stderr,
				"xgotop-tui: the capture level cannot change while running: %s\n",
				err ? strerror(-err) : "no sites");
		return err == -ENOMEM ? err : 0;
	}
	/* Tests only: switch every N ms whatever it costs (tests/e2e/budget-switch.sh). */
	if (flip && atoi(flip) > 0)
		c->flip_ns = (uint64_t)atoi(flip) * 1000000ull;
	/* Tests only: a kill lands inside a step up (tests/e2e/budget-switch.sh, exit). */
	if (getenv("XGOTOP_BUDGET_UP_DELAY_MS") && atoi(getenv("XGOTOP_BUDGET_UP_DELAY_MS")) > 0)
		c->up_delay_ms = (unsigned)atoi(getenv("XGOTOP_BUDGET_UP_DELAY_MS"));
	c->flip_i = now == CAPTURE_POLL ? 2 : now == CAPTURE_LIFECYCLE;
	/* Launched at states unestimated: its first interval is the estimate (budget.h). */
	c->ctl.first_decides = t->tg.launched;
	/* Its pairing of a change seen by both levels' sites is what lets records be batched. */
	decoder__set_repairs(t->rings.dec, true);
	c->can_switch = true;
	return 0;
}

/* The price of a hit of LEVEL's casgstatus probes: calibrated, else the prior; by placement. */
static double hit_price(const struct tracer *t, enum capture_level level)
{
	const struct meters_calib *k = &t->m.calib;
	const struct capture_set *cs = &t->cap.set[level];
	bool stepped = false;
	int i;

	for (i = 0; i < cs->n; i++)
		stepped |= cs->sites[i].mode == INSN_UPROBE_STEPPED;
	if (!t->m.calib_running && k->emulated_ns > 0)
		return stepped && k->stepped_ns > 0 ? k->stepped_ns : k->emulated_ns;
	return stepped ? BUDGET_PRIOR_STEPPED_NS : BUDGET_PRIOR_HIT_NS;
}

/* What a hit costs the target's thread before its program runs: calibrated, else the prior. */
static double trap_ns(const struct tracer *t)
{
	const struct meters_calib *k = &t->m.calib;

	if (!t->m.calib_running && k->emulated_ns > 0)
		return k->emulated_ns > k->prog_ns ? k->emulated_ns - k->prog_ns : 0;
	return BUDGET_PRIOR_HIT_NS;
}

/*
 * Tests: the forced switches go twice round states, lifecycle, poll, states,
 * poll, lifecycle and back to states, where they stop: the target's end is
 * then seen at full capture (a poll's read after it has gone reads nothing).
 * 0: stay.
 */
#define FLIP_ROUNDS 2

static enum capture_level flip_next(struct capture *c, bool poll_ok)
{
	static const enum capture_level cycle[] = {CAPTURE_STATES, CAPTURE_LIFECYCLE,
						   CAPTURE_POLL,   CAPTURE_STATES,
						   CAPTURE_POLL,   CAPTURE_LIFECYCLE};
	const unsigned int n = sizeof(cycle) / sizeof(cycle[0]);
	enum capture_level to;

	while (c->flip_i < FLIP_ROUNDS * n) {
		to = cycle[++c->flip_i % n];
		if (to != c->st.level && (to != CAPTURE_POLL || poll_ok))
			return to;
	}
	return 0;
}

/* Why LEVEL is left for TO, in words, from the costs of the last interval. */
static void say_why(enum capture_level level, enum capture_level to, const double cost[],
		    double own, char *why, size_t len)
{
	double share = budget__share_pct(cost[level], own);

	if (to > level && share > 1e6)
		snprintf(why, len, "%s cost%s more than the target's own CPU time",
			 budget__level_name(level), level == CAPTURE_STATES ? "" : "s");
	else if (to > level && to == CAPTURE_POLL && level == CAPTURE_STATES)
		snprintf(why, len, "states cost %.0f%%, lifecycle would cost %.0f%%", share,
			 budget__share_pct(cost[CAPTURE_LIFECYCLE], own));
	else if (to > level)
		snprintf(why, len, "%s cost%s %.0f%%", budget__level_name(level),
			 level == CAPTURE_STATES ? "" : "s", share);
	else if (level == CAPTURE_POLL)
		snprintf(why, len, "%s would cost %.2g%%", budget__level_name(to),
			 budget__share_pct(cost[to], own));
	else
		why[0] = '\0';
}

/* The interval's counters: probe hits and run time, creates, the reads' goids and changes. */
struct interval {
	uint64_t cnt, run_ns, cpu, creates, goid, changes;
};

/*
 * What each level costs or would cost over the last interval (DT ns), ns a
 * second: the one in force measured (hits x trap + run time), the others
 * estimated (from creates at states; from the reads' goids and changes, as
 * at attach, when polling). OWN: the target's CPU time less the cost.
 */
static void costs(struct tracer *t, const struct interval *iv, uint64_t dt,
		  double cost[CAPTURE_LEVEL_MAX + 1], double *own)
{
	enum capture_level level = t->cap.st.level;
	double per_s = 1e9 / (double)dt;
	struct budget_rates r = {.creates_per_s = (double)iv->creates * per_s};
	int l;

	for (l = 0; l <= CAPTURE_LEVEL_MAX; l++)
		cost[l] = -1;
	cost[CAPTURE_POLL] = 0;
	if (level == CAPTURE_POLL) {
		r.creates_per_s = (double)iv->goid * per_s;
		r.changes_per_s = (double)iv->changes * per_s;
		for (l = CAPTURE_STATES; l <= CAPTURE_LIFECYCLE; l++)
			cost[l] = budget__hits_per_s(l, &r) * hit_price(t, l);
	} else {
		cost[level] = ((double)iv->cnt * trap_ns(t) + (double)iv->run_ns) * per_s;
		if (level == CAPTURE_STATES)
			cost[CAPTURE_LIFECYCLE] = budget__hits_per_s(CAPTURE_LIFECYCLE, &r) *
						  hit_price(t, CAPTURE_LIFECYCLE);
	}
	*own = (double)iv->cpu * per_s - (cost[level] > 0 ? cost[level] : 0);
}

/* The level the last interval (DT ns) calls for; 0: stay. WHY: said with it. */
static enum capture_level decide(struct tracer *t, uint64_t now, const struct interval *iv,
				 uint64_t dt, char *why, size_t len)
{
	struct capture *c = &t->cap;
	bool poll_ok = !sample__active(&t->smp);
	double cost[CAPTURE_LEVEL_MAX + 1], own;
	enum capture_level to;

	if (c->flip_ns) {
		snprintf(why, len, "forced every %llu ms (XGOTOP_BUDGET_FLIP_MS)",
			 (unsigned long long)(c->flip_ns / 1000000));
		if (now - atomic_load(&c->both_to) < c->flip_ns)
			return 0;
		return flip_next(c, poll_ok);
	}
	costs(t, iv, dt, cost, &own);
	to = budget__step(&c->ctl, c->st.level, c->st.budget_pct, cost, own, now, dt);
	/* -sample leaves goroutines out on purpose: a read would list them all. */
	if (to == CAPTURE_POLL && !poll_ok)
		to = c->st.level == CAPTURE_STATES ? CAPTURE_LIFECYCLE : 0;
	if (to)
		say_why(c->st.level, to, cost, own, why, len);
	return to;
}

/* The links of CS in (0 or -errno; what went in stays for the caller to take out). */
static int set_attach(struct tracer *t, struct capture_set *cs)
{
	return bpfobj__attach_sites(&t->bpf, &t->tg, cs->sites, cs->n, cs->links, NULL);
}

/*
 * The links of the sets SETS (N) and, with SYSCALLS, the syscall
 * tracepoints, destroyed side by side (bpfobj__destroy_links).
 */
static void detach_all(struct tracer *t, struct capture_set *const *sets, int n, bool syscalls)
{
	struct bpfobj_link **links[2 * PROBES_MAX];
	int i, k, nl = 0;

	for (k = 0; k < n; k++)
		for (i = 0; sets[k]->links && i < sets[k]->n; i++) {
			if (nl == (int)(sizeof(links) / sizeof(links[0]))) {
				bpfobj__destroy_links(&t->bpf, links, nl, false);
				nl = 0;
			}
			links[nl++] = &sets[k]->links[i];
		}
	bpfobj__destroy_links(&t->bpf, links, nl, syscalls);
}

/*
 * Between states and lifecycle: the new level's probes in, then the old
 * one's out: every creation and exit is seen by one or the other at every
 * moment, and those seen by both in between are said once (the decoder's
 * repairs).
 * To poll: every probe out (the capture event's time), the table read
 * after (switch_finish). From poll: every probe in, the table read before
 * and after (switch_start, switch_finish). On a thread of its own:
 * attaching and detaching uprobes took 0.4-1.5 s on our loaded 2-CPU VM,
 * while the ring must be read on.
 */
/*
 * The process has exited (its pidfd readable). A perf-event uprobe is
 * refused for a process that is exiting (ESRCH); a uprobe-multi link holds
 * its task, zombie or not, and is not: asked after attaching, the same
 * outcome (switch_failed). Read-only: the pump may ask target__gone meanwhile.
 */
static bool exited(const struct target *tg)
{
	struct pollfd p = {.fd = tg->pidfd, .events = POLLIN};

	return tg->pidfd >= 0 && poll(&p, 1, 0) > 0;
}

/* The longest a step up from poll waits for the target's runnable threads to run (quiesce.h). */
#define UP_QUIESCE_MAX_NS (200ull * 1000 * 1000)

static void *switch_main(void *arg)
{
	struct tracer *t = arg;
	struct capture *c = &t->cap;
	enum capture_level from = c->switch_from, to = c->switch_to;
	uint64_t t0 = xg_mono_ns(), t1;
	int err = 0;

	if (to != CAPTURE_POLL) {
		if (from == CAPTURE_POLL && c->up_delay_ms)
			usleep(c->up_delay_ms * 1000);
		if (from == CAPTURE_POLL)
			err = bpfobj__attach_tracepoints(&t->bpf);
		if (!err && from == CAPTURE_POLL)
			err = set_attach(t, &c->common);
		if (!err)
			err = set_attach(t, &c->set[to]);
		if (!err && t->bpf.multi && exited(&t->tg))
			err = -ESRCH;
		/*
		 * From poll, before the table's second read (up_end): a thread
		 * taken off its CPU past a call site before its probe was in, and
		 * before casgstatus's store, would leave an exit no record shows
		 * read as running (one forced run: a goroutine said alive to the
		 * end), or a creation read as not yet made. Off the reader's
		 * thread, so waited for longer than at attach; -v counts the wait
		 * in "probes in".
		 */
		if (!err && from == CAPTURE_POLL)
			quiesce__threads(t->tg.pid, UP_QUIESCE_MAX_NS);
	}
	t1 = xg_mono_ns();
	if (err) {
		struct capture_set *sets[] = {&c->set[to], &c->common};

		detach_all(t, sets, from == CAPTURE_POLL ? 2 : 1, from == CAPTURE_POLL);
	} else if (from != CAPTURE_POLL) {
		struct capture_set *sets[] = {&c->set[from], &c->common};

		/*
		 * casgstatus's (or its callers') breakpoints first and alone: the
		 * target pays for them until they are out, and each perf-event
		 * uprobe's destruction holds the kernel's event_mutex across grace
		 * periods (perf_uprobe_destroy), so taken side by side with the
		 * cold probes they waited behind them: 0.7-1 s of churn at a
		 * thirtieth of its rate after its program had stopped running.
		 * (A uprobe-multi link takes its breakpoints out before its one
		 * grace period: bpfobj.c.)
		 */
		detach_all(t, sets, 1, false);
		/* Out by now at the latest: the pumps' reads may not have caught it. */
		atomic_store(&c->hot_out, xg_mono_ns());
		if (to == CAPTURE_POLL)
			detach_all(t, sets + 1, 1, true);
	}
	atomic_store(&c->both_to, xg_mono_ns());
	c->attach_ns = t1 - t0;
	c->detach_ns = atomic_load(&c->both_to) - t1;
	c->switch_err = err;
	atomic_store_explicit(&c->switch_done, true, memory_order_release);
	return NULL;
}

static void set_level_locked(struct tracer *t, enum capture_level level, const char *why)
{
	pthread_mutex_lock(&t->cap.mu);
	capture__set_level(t, level, BUDGET_POLL_HZ, why);
	pthread_mutex_unlock(&t->cap.mu);
}

static int snapshot_each_decoder(void *ctx, int (*fn)(struct decoder *d, void *arg), void *arg)
{
	return fn(((struct tracer *)ctx)->rings.dec, arg);
}

static void snapshot_ops(struct tracer *t, struct snapshot_ops *ops)
{
	*ops = (struct snapshot_ops){.each_decoder = snapshot_each_decoder,
				     .n_decoders = 1,
				     .emit = sink__emit,
				     .ctx = t};
}

/*
 * A step up from poll, before the probes go in: the table read once more
 * (its changes go out as a poll's), the goroutines alive then become the
 * first read of a snapshot whose creates are out already, and the decoder
 * releases nothing from then on until they are seeded (switch_finish):
 * the attach's own way (snapshot.h), without listing anyone twice.
 */
static int up_begin(struct tracer *t)
{
	struct capture *c = &t->cap;
	uint64_t t1 = xg_mono_ns();
	int err;

	c->up_src = t->poll;
	t->poll = NULL;
	/* A g's cached goroutine may have ended unseen, its g reused, while none was in. */
	err = bpfobj__forget_gcache(&t->bpf);
	if (!err)
		err = poll_src__sample_now(c->up_src, t1, sink__emit, t);
	if (err)
		return err;
	decoder__set_late_fn(t->rings.dec, NULL, NULL);
	snapshot__free(t->snap);
	t->snap = snapshot__new((uint32_t)t->tg.pid);
	if (!t->snap)
		return -ENOMEM;
	snapshot__set_announced(t->snap);
	snapshot__begin_read(t->snap, t1);
	poll_src__each_alive(c->up_src, snapshot__add, t->snap);
	decoder__hold(t->rings.dec, t1);
	set_level_locked(t, c->switch_to, c->switch_why);
	return capture__emit_at(t, t1 > t->sink.last_ts ? t1 : t->sink.last_ts);
}

/* A step up from poll that did not happen: polling goes on. */
static void up_undo(struct tracer *t)
{
	struct capture *c = &t->cap;

	if (!c->up_src)
		return;
	t->poll = c->up_src;
	c->up_src = NULL;
	decoder__hold(t->rings.dec, 0);
	set_level_locked(t, CAPTURE_POLL, "");
}

/* The probes are in: the table read again names the goroutines new and gone since. */
static int up_end(struct tracer *t)
{
	struct capture *c = &t->cap;
	struct snapshot_ops ops;
	int err;

	snapshot__begin_read(t->snap, xg_mono_ns());
	err = poll_src__sample_now(c->up_src, xg_mono_ns(), snapshot__add, t->snap);
	snapshot__end_read(t->snap, xg_mono_ns());
	snapshot_ops(t, &ops);
	if (!err || err == -ESRCH)
		err = snapshot__emit(t->snap, t->smp_conf.thresh[XG_SMP_GOROUTINE], &ops);
	decoder__hold(t->rings.dec, 0);
	poll_src__free(c->up_src);
	c->up_src = NULL;
	/* Polling from the attach: the hit's price is timed once probes are in. */
	livesrc__start_calib(t);
	return err;
}

/* What the probes said is alive, for the first read to continue from. */
struct known {
	struct poll_known *v;
	size_t n, cap;
	const struct gtable *gt;
	uint32_t pid;
};

static int known_add(uint64_t goid, uint8_t state, void *ctx)
{
	struct known *k = ctx;

	if (xg_grow((void **)&k->v, &k->cap, k->n + 1, sizeof(*k->v)))
		return -ENOMEM;
	k->v[k->n++] = (struct poll_known){.goid = goid, .state = state};
	return 0;
}

static bool known_ended(uint64_t goid, void *ctx)
{
	const struct known *k = ctx;
	const struct gentry *e = gtable__find(k->gt, k->pid, goid);

	return e && e->exited_ts;
}

/*
 * A step down to poll, the probes out at TO_TS: every record is read and
 * released, the capture event said, and the table read, from what the
 * probes said: a goroutine's changes since, its end, or its creation.
 * The decoder then forgets them all (seeded again at the next step up).
 */
static int down_end(struct tracer *t, uint64_t to_ts)
{
	struct capture *c = &t->cap;
	struct known k = {.gt = t->sink.gt, .pid = (uint32_t)t->tg.pid};
	const struct target *tg = &t->tg;
	char why[256];
	int err;

	err = rings__consume(t);
	/* Named by the decoder already (rings__new_decoder's prepare), as the pump's drains. */
	if (!err)
		err = decoder__drain(t->rings.dec, UINT64_MAX, sink__put, t);
	set_level_locked(t, CAPTURE_POLL, c->switch_why);
	if (!err)
		err = capture__emit_at(t, to_ts > t->sink.last_ts ? to_ts : t->sink.last_ts);
	if (!err)
		err = decoder__each_live(t->rings.dec, k.pid, known_add, &k);
	t->poll = err ? NULL
		      : poll_src__open(tg->ge, tg->path, &tg->tables.off, tg->pid, BUDGET_POLL_HZ,
				       why, sizeof(why));
	if (!err && !t->poll) {
		diag__fail("cannot poll %s: %s", tg->display, why);
		err = -EINVAL;
	}
	if (!err)
		err = poll_src__sample_known(t->poll, xg_mono_ns(), k.v, k.n, known_ended, &k,
					     sink__emit, t);
	decoder__forget_all(t->rings.dec, k.pid);
	c->polls++;
	free(k.v);
	/* Gone, or going (its binary no longer mapped): the pump sees the end. */
	return err == -ESRCH || err == -EAGAIN ? 0 : err;
}

/*
 * A switch that failed because the target has exited (its pid gone from
 * under the attach, or its table no longer readable) is no failure: the
 * level stays and the pump sees the end. Said with -v only; other errors
 * are warned of. Either way no switch is tried again.
 */
static void switch_failed(struct tracer *t, int err)
{
	t->cap.can_switch = false;
	if (err == -ESRCH || target__gone(&t->tg, 0)) {
		if (diag__verbose())
			fprintf(stderr,
				"xgotop-tui: capture level not changed: the target has exited\n");
		return;
	}
	fprintf(stderr, "xgotop-tui: warning: cannot change the capture level: %s\n",
		strerror(err < 0 ? -err : err));
}

static void switch_start(struct tracer *t, enum capture_level to, const char *why)
{
	struct capture *c = &t->cap;
	int err = 0;

	c->switch_from = c->st.level;
	c->switch_to = to;
	snprintf(c->switch_why, sizeof(c->switch_why), "%s", why);
	atomic_store(&c->switch_done, false);
	c->out_cnt = c->out_ts = c->traps_ts = 0;
	atomic_store(&c->hot_out, 0);
	memset(c->trap_addr, 0, sizeof(c->trap_addr));
	atomic_store(&c->both_to, UINT64_MAX);
	atomic_store(&c->both_from, xg_mono_ns());
	if (c->switch_from == CAPTURE_POLL)
		err = up_begin(t);
	if (!err)
		err = pthread_create(&c->switch_thr, NULL, switch_main, t);
	if (err) {
		atomic_store(&c->both_to, xg_mono_ns());
		up_undo(t);
		switch_failed(t, err);
		return;
	}
	c->switching = true;
	if (diag__verbose())
		fprintf(stderr, "xgotop-tui: capture switching from %s to %s\n",
			budget__level_name(c->switch_from), budget__level_name(to));
}

/*
 * While a step down's probes go out: when the old level's program stopped
 * running (its hits no longer counted; on a step to poll only: between
 * states and lifecycle one program serves both levels' sites) and when its
 * breakpoints left the target's code. The target pays a trap a hit until
 * then: for a perf-event uprobe the kernel detaches the program at once but
 * takes the breakpoint out only once the destruction holds the tracing
 * event_mutex (perf_uprobe_destroy), 0.1 to 1 s later on our loaded VM; a
 * uprobe-multi link's release takes both out together (bpfobj.c).
 */
static void watch_hits(struct tracer *t, uint64_t now)
{
	struct capture *c = &t->cap;
	const struct capture_set *cs = &c->set[c->switch_from];
	uint64_t run_ns, cnt;
	int i, r, in = 0;

	if (c->switch_to <= c->switch_from)
		return;
	if (c->switch_to == CAPTURE_POLL && !c->out_ts) {
		bpfobj__prog_totals(&t->bpf, "casgstatus", &run_ns, &cnt);
		if (c->out_cnt && cnt == c->out_cnt)
			c->out_ts = now;
		c->out_cnt = cnt;
	}
	for (i = 0; i < cs->n && !c->traps_ts; i++) {
		r = target__site_trapped(&t->tg, &cs->sites[i], &c->trap_addr[i]);
		if (r < 0)
			return; /* unreadable (gone, exec'd): not known */
		in += r;
	}
	if (!c->traps_ts && !in)
		c->traps_ts = now;
}

/* From over budget to TS (0: not seen), at most TO_TS: the longest so far in *MAX. */
static void note_max(const struct capture *c, uint64_t ts, uint64_t to_ts, uint64_t *max)
{
	uint64_t at = ts && ts < to_ts ? ts : to_ts;

	if (at - c->ctl.over_ts > *max)
		*max = at - c->ctl.over_ts;
}

/* The time from over budget to stepped down, the longest so far. */
static void note_step(struct capture *c, uint64_t to_ts)
{
	if (!c->ctl.over_ts || c->switch_to < c->switch_from)
		return;
	note_max(c, to_ts, to_ts, &c->step_ns_max);
	note_max(c, c->out_ts, to_ts, &c->quiet_ns_max);
	note_max(c, c->traps_ts, to_ts, &c->traps_ns_max);
}

/* The probe list of the level in force, as the attach line says it (the UI's header). */
static void say_attached(struct tracer *t)
{
	const struct capture_set *sets[] = {&t->cap.set[t->cap.st.level], &t->cap.common};
	char name[160];
	size_t len = sizeof(t->attached);
	int k, i;

	if (t->cap.st.level == CAPTURE_POLL) {
		snprintf(t->attached, len, "none, poll %g Hz", BUDGET_POLL_HZ);
		return;
	}
	t->attached[0] = '\0';
	for (k = 0; k < 2; k++)
		for (i = 0; sets[k]->links && i < sets[k]->n; i++) {
			if (!sets[k]->links[i])
				continue;
			if (t->attached[0])
				strncat(t->attached, ",", len - strlen(t->attached) - 1);
			strncat(t->attached,
				probes__site_name(&sets[k]->sites[i], name, sizeof(name)),
				len - strlen(t->attached) - 1);
		}
}

/* The switch's thread has ended (or BLOCK: wait for it): the level is the new one. */
static int switch_finish(struct tracer *t, bool block)
{
	struct capture *c = &t->cap;
	uint64_t from = atomic_load(&c->both_from), to_ts, hot;
	int err = 0;

	if (!c->switching ||
	    (!block && !atomic_load_explicit(&c->switch_done, memory_order_acquire)))
		return 0;
	pthread_join(c->switch_thr, NULL);
	c->switching = false;
	to_ts = atomic_load(&c->both_to);
	if (c->switch_err) {
		switch_failed(t, c->switch_err);
		/* From poll: back to it, the table read on. */
		if (c->switch_from != CAPTURE_POLL)
			return 0;
		up_undo(t);
		return capture__emit_at(t, t->sink.last_ts);
	}
	hot = atomic_load(&c->hot_out);
	if (hot && (!c->traps_ts || c->traps_ts > hot))
		c->traps_ts = hot;
	note_step(c, to_ts);
	c->ctl = (struct budget_ctl){0};
	c->tick_ts = 0; /* the next check starts a fresh interval, at the new level */
	c->switches++;
	if (c->switch_to == CAPTURE_POLL) {
		err = down_end(t, to_ts);
	} else if (c->switch_from == CAPTURE_POLL) {
		err = up_end(t);
	} else {
		/* Richer from when its probes went in; poorer once the old ones are out. */
		c->pending_ts = c->switch_to == CAPTURE_STATES ? from : to_ts;
		set_level_locked(t, c->switch_to, c->switch_why);
	}
	say_attached(t);
	if (diag__verbose())
		fprintf(stderr,
			"xgotop-tui: capture %s (switched in %.1f ms: probes in %.1f, out %.1f; "
			"old program stopped after %.1f, breakpoints out after %.1f)\n",
			c->st.text, (double)(to_ts - from) / 1e6, (double)c->attach_ns / 1e6,
			(double)c->detach_ns / 1e6,
			c->out_ts ? (double)(c->out_ts - from) / 1e6 : -1.0,
			c->traps_ts ? (double)(c->traps_ts - from) / 1e6 : -1.0);
	return err;
}

void capture__count(struct tracer *t, const struct xg_event *rec)
{
	t->cap.creates += rec->type == XG_EV_STATE && (rec->flags & XG_EVF_CREATE);
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

/* The counters of an interval's end: probe hits, run time, CPU time, creates, reads. */
static void counters(struct tracer *t, struct interval *iv)
{
	struct poll_stats ps = {0};

	bpfobj__prog_totals(&t->bpf, "casgstatus", &iv->run_ns, &iv->cnt);
	iv->cpu = capture__cpu_ns(t->tg.pid);
	iv->creates = t->cap.creates;
	if (t->poll)
		poll_src__stats(t->poll, &ps);
	iv->goid = ps.max_goid;
	iv->changes = ps.changes;
}

int capture__tick(struct tracer *t)
{
	struct capture *c = &t->cap;
	uint64_t now = xg_mono_ns();
	struct interval iv, d;
	enum capture_level to = 0;
	char why[128] = "";
	int err;

	if (!c->can_switch)
		return 0;
	if (c->switching)
		watch_hits(t, now);
	err = switch_finish(t, false);
	if (!err)
		err = emit_pending(t, now);
	if (err || c->switching || now - c->tick_ts < BUDGET_TICK_NS)
		return err;
	counters(t, &iv);
	d = (struct interval){iv.cnt - c->tick_cnt,   iv.run_ns - c->tick_run_ns,
			      iv.cpu - c->tick_cpu,   iv.creates - c->tick_creates,
			      iv.goid - c->tick_goid, iv.changes - c->tick_changes};
	/* A first check, or counters gone back (the poll's reads start afresh): a baseline. */
	if (c->tick_ts && iv.cpu >= c->tick_cpu && iv.cnt >= c->tick_cnt &&
	    iv.run_ns >= c->tick_run_ns && iv.goid >= c->tick_goid &&
	    iv.changes >= c->tick_changes && !c->pending_ts)
		to = decide(t, now, &d, now - c->tick_ts, why, sizeof(why));
	if (to)
		switch_start(t, to, why);
	c->tick_ts = now;
	c->tick_cnt = iv.cnt;
	c->tick_run_ns = iv.run_ns;
	c->tick_cpu = iv.cpu;
	c->tick_creates = iv.creates;
	c->tick_goid = iv.goid;
	c->tick_changes = iv.changes;
	return 0;
}

int capture__end(struct tracer *t)
{
	return emit_pending(t, UINT64_MAX - 3 * REORDER_WINDOW_NS);
}

int capture__detach(struct tracer *t)
{
	struct capture_set *sets[CAPTURE_LEVEL_MAX + 2];
	int l, err = switch_finish(t, true);

	/* Side by side, as a switch's: one by one, a quit waited seconds more. */
	for (l = 0; l <= CAPTURE_LEVEL_MAX; l++)
		sets[l] = &t->cap.set[l];
	sets[l] = &t->cap.common;
	detach_all(t, sets, CAPTURE_LEVEL_MAX + 2, false);
	return err;
}

void capture__free(struct tracer *t)
{
	int l;

	capture__detach(t);
	for (l = 0; l <= CAPTURE_LEVEL_MAX; l++) {
		free(t->cap.set[l].sites);
		free(t->cap.set[l].links);
	}
	free(t->cap.common.sites);
	free(t->cap.common.links);
	poll_src__free(t->cap.up_src);
	if (t->cap.switches && diag__verbose()) {
		struct decoder_stats ds = {0};

		if (t->rings.dec)
			decoder__stats(t->rings.dec, &ds);
		fprintf(stderr,
			"xgotop-tui: capture level changed %u times; longest from over budget to "
			"stepped down %.0f ms (program stopped after %.0f ms, breakpoints out "
			"after %.0f ms); %llu creations and exits seen by both levels said once; "
			"%llu creations and %llu exits seen by neither said from what followed\n",
			t->cap.switches, (double)t->cap.step_ns_max / 1e6,
			(double)t->cap.quiet_ns_max / 1e6, (double)t->cap.traps_ns_max / 1e6,
			(unsigned long long)ds.dup_sites, (unsigned long long)ds.lost_creates,
			(unsigned long long)ds.lost_exits);
	}
}
