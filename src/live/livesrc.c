// SPDX-License-Identifier: BSD-2-Clause
/*
 * The live session as its readers see it (struct xg_source, the same API
 * as a replay): pump() reads the rings or the goroutine table (--poll),
 * takes the meter sample once a second, and ends the session when the
 * target exits, the time is up or a signal came; -sample may change while
 * the programs run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "cgroup.h"
#include "heapsrc.h"
#include "grow.h"
#include "gtable.h"
#include "jsonl.h"
#include "meters.h"
#include "probes.h"
#include "record.h"
#include "session.h"
#include "stacksweep.h"
#include "stackset.h"
#include "tracer.h"

volatile sig_atomic_t live_stop_signal;

/* ---- -sample ------------------------------------------------------------------ */

static bool goid_kept(uint32_t pid, uint64_t goid, void *ctx)
{
	return xg_goid_sampled(*(const uint64_t *)ctx, pid, goid);
}

/*
 * -sample into the BPF programs' .bss (memory-mapped: no syscall, taken by
 * the next hit) and the decoder. Goroutines that a lower goroutine rate
 * leaves out get no more events: they leave the table now rather than
 * stay frozen in their last state.
 */
void livesrc__apply_sample(struct tracer *t, const struct sample_spec *spec)
{
	struct xg_sample conf;
	uint64_t keep;

	sample__to_bpf(spec, !t->tg.tables.goid_before_create, &conf);
	t->smp_conf = conf;
	bpfobj__set_sample(&t->bpf, &conf);
	rings__set_sampling(t, &conf);
	keep = conf.thresh[XG_SMP_GOROUTINE];
	if (spec->rate[XG_SMP_GOROUTINE] < t->smp.rate[XG_SMP_GOROUTINE])
		gtable__forget(t->sink.gt, goid_kept, &keep);
	t->smp = *spec;
}

/* The -sample fields of the meters: what readers scale counts by. */
static void meters_sample(const struct sample_spec *s, struct xg_meters *out)
{
	out->goroutine_rate = s->rate[XG_SMP_GOROUTINE];
	sample__format(s, out->sample, sizeof(out->sample));
}

static int source_set_sample(void *ctx, const char *spec, char *err, unsigned long err_len)
{
	struct tracer *t = ctx;
	struct sample_spec s;

	if (t->poll) {
		snprintf(err, err_len, "--poll has no probes to sample");
		return -ENOTSUP;
	}
	if (sample__parse(spec, &s, err, err_len))
		return -EINVAL;
	livesrc__apply_sample(t, &s);
	/* The UI's next read says so, not only the next second's sample. */
	meters_sample(&s, &t->m.last);
	return 0;
}

/* ---- the hit cost, in the background ------------------------------------------ */

/*
 * Timed on this thread's own calls, under probes on this thread only: the
 * rings are read meanwhile, and nothing the target does waits for it.
 */
static void *calib_main(void *arg)
{
	struct live_meters *lm = arg;
	sigset_t all;

	/* Signals are the main thread's: its wait wakes for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* Named for top and perf, and for bench/run, which counts it as setting up. */
	pthread_setname_np(pthread_self(), "xg-calib");
	lm->calib_err = meters__calibrate(lm->calib_fd, 4000, 5, &lm->calib_stop, &lm->calib);
	atomic_store_explicit(&lm->calib_done, true, memory_order_release);
	return NULL;
}

void livesrc__start_calib(struct tracer *t)
{
	struct live_meters *lm = &t->m;
	int err;

	if (lm->calib_tried || !t->bpf.skel)
		return;
	lm->calib_tried = true;

	lm->calib.emulated_ns = lm->calib.stepped_ns = -1;
	lm->calib_fd = bpfobj__calib_fd(&t->bpf);
	err = pthread_create(&lm->calib_thr, NULL, calib_main, lm);
	if (err)
		diag__fail("cannot time a probe hit: %s (OVH unknown)", strerror(err));
	lm->calib_running = !err;
}

/* Its result, once it is there (or BLOCK: when it is): into the meters, from the next sample on. */
static void calib_collect(struct tracer *t, bool block)
{
	struct live_meters *lm = &t->m;

	if (!lm->calib_running ||
	    (!block && !atomic_load_explicit(&lm->calib_done, memory_order_acquire)))
		return;
	pthread_join(lm->calib_thr, NULL);
	lm->calib_running = false;
	if (lm->calib_err == -ECANCELED)
		return;
	if (lm->calib_err) {
		diag__fail("cannot time a probe hit: %s (OVH unknown)", strerror(-lm->calib_err));
		return;
	}
	if (diag__verbose())
		fprintf(stderr,
			"xgotop-tui: a probe hit costs %.0f ns emulated, %.0f ns single-stepped, "
			"with a %.0f ns program\n",
			lm->calib.emulated_ns, lm->calib.stepped_ns, lm->calib.prog_ns);
	if (lm->mt)
		meters__set_calib(lm->mt, &lm->calib);
}

void livesrc__end_calib(struct tracer *t, bool wait)
{
	struct live_meters *lm = &t->m;

	if (!wait)
		lm->calib_stop = true;
	calib_collect(t, true);
}

/* ---- meters ------------------------------------------------------------------- */

/*
 * One meter sample over the interval since the previous one. Taken by the
 * pump once a second, so the UI, the recorder and anyone else read the same
 * sample without resetting each other's baselines.
 */
void livesrc__sample_meters(struct tracer *t)
{
	struct live_meters *lm = &t->m;
	struct xg_meters *out = &lm->last;
	/*
	 * After the end, what was traced until then, read since: the interval
	 * ends when the tracing did, not after the probes' removal and the drain.
	 */
	uint64_t now = t->end_ts ? t->end_ts : xg_mono_ns(), drops = bpfobj__drops(&t->bpf), run_ns,
		 run_cnt;
	double dt = lm->m_ts ? (now - lm->m_ts) / 1e9 : 0;
	uint64_t records = lm->n_records - lm->m_records;
	uint64_t queued = rings__queued(t);

	memset(out, 0, sizeof(*out));
	out->ts = now;
	out->rps = dt > 0 ? records / dt : 0;
	out->pps = dt > 0 ? (lm->n_events - lm->m_events) / dt : 0;
	out->ewp = queued;
	out->prc_ns = records ? (double)(lm->proc_ns - lm->m_proc_ns) / records : 0;
	out->drops = drops;
	out->drops_per_s = dt > 0 ? (drops - lm->m_drops) / dt : 0;
	bpfobj__run_totals(&t->bpf, &run_ns, &run_cnt);
	out->lat_ns = t->bpf.stats_fd >= 0 && run_cnt > lm->m_run_cnt
			      ? (double)(run_ns - lm->m_run_ns) / (run_cnt - lm->m_run_cnt)
			      : -1;
	out->ovh_pct = -1;
	meters_sample(&t->smp, out);
	if (lm->mt) {
		struct meters_counts c = {.ts = now,
					  .records = lm->n_records,
					  .events = lm->n_events,
					  .proc_ns = lm->proc_ns,
					  .drops = drops,
					  .ewp = queued,
					  .stats = t->bpf.stats_fd >= 0,
					  .cpu_ns = t->tg.pid ? capture__cpu_ns(t->tg.pid) : 0};

		memcpy(c.sample, out->sample, sizeof(c.sample));
		budget__describe(t->cap.st.level, t->cap.st.poll_hz, 0, NULL, c.capture,
				 sizeof(c.capture));
		double lat;

		calib_collect(t, false);
		out->ovh_pct = meters__sample(lm->mt, &c, &lat);
		capture__sample(t);
		/* Over the attached probes only, not the calibration program. */
		if (t->bpf.skel)
			out->lat_ns = lat;
	}
	pthread_mutex_lock(&t->cap.mu);
	snprintf(out->capture, sizeof(out->capture), "%s", t->cap.st.text);
	pthread_mutex_unlock(&t->cap.mu);
	lm->m_run_ns = run_ns;
	lm->m_run_cnt = run_cnt;
	lm->m_ts = now;
	lm->m_records = lm->n_records;
	lm->m_events = lm->n_events;
	lm->m_proc_ns = lm->proc_ns;
	lm->m_drops = drops;
	if (t->sink.rec)
		sink__record_error(t, record__meters(t->sink.rec, out));
}

static void source_meters(void *ctx, struct xg_meters *out)
{
	*out = ((struct tracer *)ctx)->m.last;
}

/* After attaching: the meters, OVH n/a until the hit cost is timed (src/core/meters.c). */
int livesrc__open_meters(struct tracer *t)
{
	struct meters_opts o = {
		.line_out = stderr, .no_probes = !t->bpf.skel, .budget_pct = t->cap.st.budget_pct};
	char name[160];
	int i, err;

	if (!t->opts->ui && !t->opts->silent)
		o.line_s = t->opts->delay > 0 ? t->opts->delay : 1;
	o.calib.emulated_ns = o.calib.stepped_ns = -1;
	t->m.mt = meters__new(&o);
	if (!t->m.mt) {
		diag__fail("out of memory");
		return -ENOMEM;
	}
	for (i = 0; t->bpf.skel && i < t->tg.n_sites; i++) {
		const struct probe_site *s = &t->tg.sites[i];

		if (!t->bpf.links[i])
			continue;
		err = meters__add_probe(
			t->m.mt, s->spec->prog, bpfobj__prog_fd(&t->bpf, s->spec->prog),
			probes__site_name(s, name, sizeof(name)), s->mode == INSN_UPROBE_STEPPED);
		if (err)
			return err;
	}
	/*
	 * Polling (chosen under a budget, the BPF object loaded for later):
	 * timing a hit would take a CPU from the target for seconds, for
	 * nothing until a level with probes is in (capswitch.c starts it then).
	 */
	if (!t->poll)
		livesrc__start_calib(t);
	return 0;
}

/* ---- stacks ------------------------------------------------------------------- */

#define LAUNCH_SETTLE_NS (1000 * 1000 * 1000ull)

/* The sweeper, started at the first pump (a launched command: once it has exec'd). */
static void stacks_start(struct tracer *t)
{
	char err[512];

	if (t->tg.launched && xg_mono_ns() - t->start_ns < LAUNCH_SETTLE_NS)
		return;
	t->sweep_tried = true;
	if (!t->tg.pid) {
		diag__fail("no stacks with -b: they are swept with -pid or a launched command");
		return;
	}
	t->stacks = stackset__new();
	if (!t->stacks) {
		diag__fail("no stacks: out of memory");
		return;
	}
	stackset__set_leak(
		t->stacks,
		&(struct stk_leak_opts){
			.sweeps = t->opts->leak_sweeps ? t->opts->leak_sweeps : STK_LEAK_SWEEPS,
			.wait_ns = t->opts->leak_wait >= 0 ? (uint64_t)(t->opts->leak_wait * 1e9)
							   : STK_LEAK_WAIT_NS});
	t->sweep = stacksweep__start(t->tg.pid, t->sweep_ns, err, sizeof(err));
	if (!t->sweep)
		diag__fail("no stacks: %s", err);
}

/* A sweep the thread finished: into the model (and the recording). Off the event path. */
static void stacks_pump(struct tracer *t)
{
	char err[512];
	uint64_t t0;
	int rc;

	if (!t->sweep_ns || t->ended)
		return;
	if (!t->sweep_tried) {
		stacks_start(t);
		return;
	}
	if (!t->sweep)
		return;
	t0 = xg_mono_ns();
	rc = stacksweep__collect(t->sweep, t->stacks, t->sink.gt, (uint32_t)t->tg.pid, err,
				 sizeof(err));
	/* -v: what a sweep costs this thread, the one that reads the rings. */
	if (rc == 1 && diag__verbose())
		fprintf(stderr,
			"xgotop-tui: stack sweep of %zu goroutines (%u stacks known) taken in %.2f "
			"ms\n",
			stackset__sweep_n(t->stacks), stackset__n_stacks(t->stacks),
			(xg_mono_ns() - t0) / 1e6);
	if (rc < 0)
		snprintf(err, sizeof(err), "%s", strerror(-rc));
	if (rc == 1 && t->sink.rec)
		sink__record_error(t, record__sweep(t->sink.rec, t->stacks));
	if (rc == 1 && t->sink.out && !t->sink.out_err) {
		t->sink.out_err = jsonl__write_sweep(t->sink.out, t->stacks);
		if (t->sink.out_err)
			diag__fail("cannot write %s: %s", t->opts->jsonl,
				   strerror(-t->sink.out_err));
	}
	/* Said once: a sweep that fails (the target went away) fails again. */
	if (err[0] && !t->sweep_warned && !target__gone(&t->tg, 0)) {
		diag__fail("cannot sweep the stacks: %s", err);
		t->sweep_warned = true;
	}
}

void livesrc__end_stacks(struct tracer *t)
{
	stacksweep__stop(t->sweep);
	t->sweep = NULL;
}

static const struct stackset *source_stacks(void *ctx)
{
	return ((struct tracer *)ctx)->stacks;
}

static void source_stacks_want(void *ctx, uint32_t pid, uint64_t goid)
{
	struct tracer *t = ctx;

	(void)pid; /* one process: -pid or the launched command */
	if (t->sweep)
		stacksweep__want(t->sweep, goid);
}

/* ---- pump --------------------------------------------------------------------- */

/* --poll: read the goroutine table when due, else wait for it or for the target's exit. */
static int pump_poll(struct tracer *t, int timeout_ms)
{
	uint64_t start = xg_mono_ns();
	int next_ms = 0, err;

	sink__bias_from_poll(t, t->poll);
	err = poll_src__pump(t->poll, start, &next_ms, sink__emit, t);
	t->m.proc_ns += xg_mono_ns() - start;
	if (err == -ESRCH)
		return 1; /* gone: target__gone() says so too */
	if (err) {
		diag__fail("cannot read the goroutine table of pid %d: %s", (int)t->tg.pid,
			   strerror(-err));
		return err;
	}
	if (next_ms < timeout_ms)
		timeout_ms = next_ms;
	/* Sleeps until the next read is due, or wakes when the target exits. */
	if (t->tg.pidfd >= 0)
		target__gone(&t->tg, timeout_ms);
	else
		usleep((useconds_t)timeout_ms * 1000);
	return 0;
}

/* The goroutines of one process still alive in the table (ended_with_process). */
struct alive {
	uint32_t pid;
	uint64_t keep; /* -sample's goroutine threshold: others have no lines */
	size_t n, cap;
	struct gev *v;
};

static int alive_add(const struct gentry *e, void *ctx)
{
	struct alive *a = ctx;

	if (e->pid != a->pid || e->exited_ts || !xg_goid_sampled(a->keep, e->pid, e->goid))
		return 0;
	if (xg_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v)))
		return -ENOMEM;
	a->v[a->n++] = (struct gev){.kind = GEV_STATE,
				    .pid = e->pid,
				    .goid = e->goid,
				    .from = e->state,
				    .to = XG_G_DEAD,
				    .reason = GEV_NO_REASON,
				    .inferred = true};
	return 0;
}

/*
 * The target process has ended: the goroutines it still had ended with it
 * (the runtime runs no goexit for them when the process exits). Each gets
 * an inferred change to dead and an inferred exit, stamped when the end
 * was seen, after everything else of the process (docs/JSONL.md, "exit").
 * Not when tracing stops first (they live on), after an exec (stopped,
 * said so) or with -b (no one process).
 */
static int ended_with_process(struct tracer *t)
{
	/* (Never configured: polling from the start, no BPF object.) */
	struct alive a = {.pid = (uint32_t)t->tg.pid,
			  .keep = t->smp_conf.on ? t->smp_conf.thresh[XG_SMP_GOROUTINE]
						 : XG_SMP_ALL};
	uint64_t ts = t->end_ts > t->sink.last_ts ? t->end_ts : t->sink.last_ts;
	size_t i;
	int err;

	if (!t->tg.pid || t->tg.execd || !target__gone(&t->tg, 0))
		return 0;
	err = gtable__for_each(t->sink.gt, alive_add, &a);
	for (i = 0; i < a.n && !err; i++) {
		a.v[i].ts = ts;
		err = sink__put(&a.v[i], t);
		a.v[i].kind = GEV_EXIT;
		if (!err)
			err = sink__put(&a.v[i], t);
	}
	free(a.v);
	return err;
}

/* Detach, then read everything the target did: it is all in the ring by now. */
int livesrc__end(struct tracer *t)
{
	int err;

	if (t->ended)
		return 0;
	t->ended = true;
	t->end_ts = xg_mono_ns();
	livesrc__end_stacks(t);
	/*
	 * Never a probe of ours going in while the target's come out: a thread
	 * in perf_uprobe_init and one in perf_uprobe_destroy of one process
	 * were seen stuck for good (e2e.attach.race, -b). The summary's OVH
	 * wants the hit cost: waited for, unless --duration promised the end.
	 */
	livesrc__end_calib(t, t->opts->metrics && !(t->opts->duration > 0));
	err = capture__detach(t);
	bpfobj__detach(&t->bpf);
	t->detach_ns = xg_mono_ns() - t->end_ts;
	/* Polling from the start with no level to rise to: no ring. */
	if (!err && t->bpf.skel) {
		err = rings__finish(t);
		if (!err)
			err = capture__end(t);
	}
	return err ? err : ended_with_process(t);
}

int livesrc__pump(void *ctx, int timeout_ms)
{
	struct tracer *t = ctx;
	int err, rc;

	if (t->ended)
		return 1;
	/* --duration ends on time, not at the next wake-up after it. */
	if (t->deadline) {
		uint64_t now = xg_mono_ns();
		uint64_t left = now < t->deadline ? (t->deadline - now + 999999) / 1000000 : 0;

		if (left < (uint64_t)(timeout_ms > 0 ? timeout_ms : 0))
			timeout_ms = (int)left;
	}
	/* Polling, from the start or since a step down; the ring while the probes are in. */
	err = t->poll ? pump_poll(t, timeout_ms) : rings__pump(t, timeout_ms);
	if (err >= 0 && (rc = capture__tick(t)))
		err = rc;
	if (err < 0)
		return err;
	/* Once a second; a target gone is seen below. */
	if (t->heap) {
		err = heap_src__pump(t->heap, xg_mono_ns(), sink__emit, t);
		if (err && err != -ESRCH)
			return err;
	}
	if (t->cg) {
		err = cgroup_cpu__pump(t->cg, xg_mono_ns(), sink__put, t);
		if (err)
			return err;
	}
	if (xg_mono_ns() - t->m.m_ts >= METER_INTERVAL_NS) {
		livesrc__sample_meters(t); /* records the sample too */
		/* Exited goroutines leave the table after a while: memory follows churn. */
		gtable__expire(t->sink.gt, xg_mono_ns());
	}
	stacks_pump(t);
	promlive__tick(t, false);
	/* Each pump: write the frame when it is due (a second after its first record). */
	if (t->sink.rec)
		sink__record_error(t, record__tick(t->sink.rec, xg_mono_ns()));
	sink__flush_jsonl(t, xg_mono_ns());
	if (live_stop_signal && t->tg.launched && !t->forwarded) {
		/* Trace a launched child to its end: it decides what the signal means. */
		kill(t->tg.pid, live_stop_signal);
		t->forwarded = true;
	}
	if (target__gone(&t->tg, 0) || (t->deadline && xg_mono_ns() >= t->deadline) ||
	    (live_stop_signal && !t->tg.launched)) {
		err = livesrc__end(t);
		return err ? err : 1;
	}
	return 0;
}

/*
 * The capture level in force (xgotop_capture_level, promsnap_levels): what
 * the overhead budget chose or --probes/--poll pinned (capture__get), so
 * that a level changed while tracing is seen by every reader.
 */
const char *livesrc__capture_level(struct tracer *t)
{
	struct capture_state st;

	capture__get(t, &st);
	return budget__level_name(st.level);
}

/* ---- the source --------------------------------------------------------------- */

static const struct gtable *source_table(void *ctx)
{
	return ((struct tracer *)ctx)->sink.gt;
}

static void source_info(void *ctx, struct xg_target_info *out)
{
	struct tracer *t = ctx;
	const struct target *tg = &t->tg;

	memset(out, 0, sizeof(*out));
	out->pid = (uint32_t)tg->pid;
	snprintf(out->path, sizeof(out->path), "%s", tg->display);
	snprintf(out->go_version, sizeof(out->go_version), "%s", goelf__go_version(tg->ge));
	snprintf(out->arch, sizeof(out->arch), "%s", goelf__arch_name(tg->ge));
	/* Polling sees no transition between two reads: the mode says so. */
	if (t->poll) {
		char hz[16];

		snprintf(hz, sizeof(hz), "%.3g", t->cap.st.poll_hz);
		snprintf(out->mode, sizeof(out->mode), "POLL %.6sHz", hz);
	} else
		snprintf(out->mode, sizeof(out->mode), "LIVE");
	snprintf(out->probes, sizeof(out->probes), "%s", t->attached);
	snprintf(out->child_output, sizeof(out->child_output), "%s", tg->child_log_path);
	out->recording = t->opts->record && t->sink.rec && !t->sink.rec_err;
}

static uint64_t source_now(void *ctx)
{
	(void)ctx;
	return xg_mono_ns();
}

static int source_save_recent(void *ctx, char *path, unsigned long path_len)
{
	return record__save_recent(((struct tracer *)ctx)->sink.rec, path, path_len);
}

const struct xg_source_ops live_ops = {
	.pump = livesrc__pump,
	.table = source_table,
	.info = source_info,
	.meters = source_meters,
	.now = source_now,
	.set_sample = source_set_sample,
	.stacks = source_stacks,
	.stacks_want = source_stacks_want,
};

/* With the flight recorder on. */
const struct xg_source_ops live_ops_recent = {
	.pump = livesrc__pump,
	.table = source_table,
	.info = source_info,
	.meters = source_meters,
	.now = source_now,
	.save_recent = source_save_recent,
	.set_sample = source_set_sample,
	.stacks = source_stacks,
	.stacks_want = source_stacks_want,
};
