// SPDX-License-Identifier: BSD-2-Clause
/*
 * A live session, start to end: the target (target.c), then the BPF
 * object in libbpf's four visible steps, open -> configure (rodata:
 * offsets, target tgid; ring size) -> load -> attach (bpfobj.c), or
 * --poll's reads of the goroutine table instead; the goroutines found at
 * attach (snapshot.c); the run loop over the live source (livesrc.c,
 * rings.c, sink.c, see session.h); and the teardown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "cgroup.h"
#include "heapsrc.h"
#include "meters.h"
#include "outfile.h"
#include "sanitize.h"
#include "session.h"
#include "quiesce.h"
#include "snapshot.h"
#include "stackset.h"
#include "tracer.h"

static void on_signal(int sig)
{
	live_stop_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --poll HZ: the goroutine table instead of probes. */
static int open_poll(struct tracer *t)
{
	const struct target *tg = &t->tg;
	char err[256];

	t->poll = poll_src__open(tg->ge, tg->path, &tg->tables.off, tg->pid, t->cap.st.poll_hz, err,
				 sizeof(err));
	if (!t->poll) {
		diag__fail("cannot poll %s: %s", tg->display, err);
		return -EINVAL;
	}
	snprintf(t->attached, sizeof(t->attached), "none, poll %g Hz", t->cap.st.poll_hz);
	return 0;
}

/* -pid, before the probes go in: the goroutines already there. Best effort (snapshot.h). */
static void snapshot_read(struct tracer *t)
{
	const struct target *tg = &t->tg;
	char err[256];
	int rc;

	t->snap = snapshot__new((uint32_t)tg->pid);
	if (t->snap)
		t->snap_src = poll_src__open(tg->ge, tg->path, &tg->tables.off, tg->pid, 1000, err,
					     sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", strerror(errno));
	if (!t->snap_src) {
		if (diag__verbose())
			fprintf(stderr, "xgotop-tui: goroutines before attach not read: %s\n", err);
		return;
	}
	rc = snapshot__read(t->snap, t->snap_src, xg_mono_ns());
	if (!rc)
		sink__bias_from_poll(t, t->snap_src);
	/*
	 * Loading the BPF object comes before the second read: the read's
	 * buffers go meanwhile (1M goroutines: 56 MB), and the heap pages
	 * they and the estimate's reads took (src/live/capture.c).
	 */
	poll_src__trim(t->snap_src);
	malloc_trim(0);
	if (rc && diag__verbose())
		fprintf(stderr, "xgotop-tui: goroutines before attach not read: %s\n",
			strerror(-rc));
}

/* The longest the second read waits for the target's threads to run again (quiesce.h). */
#define QUIESCE_MAX_NS (50ull * 1000 * 1000)

/*
 * The probes are in: the table read again. Goroutines gone since the first
 * read may have ended before the probes; those new since were created in
 * between, before the probes or under them (snapshot.h sorts them out).
 */
static int snapshot_reread(struct tracer *t)
{
	uint64_t t0, t1;
	int err, left;

	if (!t->snap_src)
		return 0;
	/* A creation caught between casgstatus's probe site and its store ends first. */
	t0 = xg_mono_ns();
	left = quiesce__threads(t->tg.pid, QUIESCE_MAX_NS);
	if (diag__verbose())
		fprintf(stderr,
			"xgotop-tui: waited %.2f ms for the target's runnable threads to run; "
			"%d did not%s\n",
			(double)(xg_mono_ns() - t0) / 1e6, left > 0 ? left : 0,
			left < 0 ? " (no /proc)" : "");
	t0 = xg_mono_ns();
	err = snapshot__read(t->snap, t->snap_src, t0);
	t1 = xg_mono_ns();
	snapshot__end_read(t->snap, t1);
	/* The clock of the events: tests tell the goroutines this read must have seen. */
	if (!err && diag__verbose())
		fprintf(stderr,
			"xgotop-tui: goroutine table read again from %llu to %llu ns, probes in: "
			"%zu new since the first read\n",
			(unsigned long long)t0, (unsigned long long)t1, snapshot__n_late(t->snap));
	poll_src__free(t->snap_src);
	t->snap_src = NULL;
	if (err == -ESRCH)
		err = 0;
	if (err)
		diag__fail("cannot read the goroutines of pid %d: %s", (int)t->tg.pid,
			   strerror(-err));
	return err;
}

/* After attaching (and after the recording began): the goroutines found. */
static int snapshot_emit(struct tracer *t)
{
	struct snapshot_ops ops;
	size_t n, named;
	struct found_g *found;
	int err;

	rings__snapshot_ops(t, &ops);
	found = snapshot__found(t->snap, &n);
	/* Best effort: a create the stacks cannot name keeps its wrapper's name. */
	if (!startname__found(t, found, n, &named) && named && diag__verbose())
		fprintf(stderr,
			"xgotop-tui: %zu start functions behind wrappers named from stacks\n",
			named);
	err = snapshot__emit(t->snap, t->smp_conf.thresh[XG_SMP_GOROUTINE], &ops);
	if (err)
		diag__fail("cannot read the goroutines of pid %d: %s", (int)t->tg.pid,
			   strerror(-err));
	/*
	 * The reads' buffers and the found goroutines are freed: heap pages
	 * malloc would keep go back before the table's first views (1M
	 * parked goroutines, -n 1 --stack-interval 0: peak 294 -> 268 MB).
	 */
	malloc_trim(0);
	return err;
}

/*
 * The runtime's heap statistics, from its memory: one process (not -b) and
 * a binary whose runtime.memstats we can find. Without, the allocation view
 * says there is none; -v says why.
 */
static void open_heap(struct tracer *t)
{
	char err[256];

	if (!t->tg.pid)
		return;
	t->heap = heap_src__open(t->tg.ge, t->tg.path, t->tg.pid, err, sizeof(err));
	if (!t->heap && diag__verbose())
		fprintf(stderr, "xgotop-tui: heap statistics not read: %s\n", err);
}

/* Its cgroup's CPU limit and throttling (cgroup v2; not -b): nothing to say without. */
static void open_cgroup(struct tracer *t)
{
	if (!t->tg.pid)
		return;
	t->cg = cgroup_cpu__open(t->tg.pid, NULL);
	if (!t->cg && diag__verbose())
		fprintf(stderr, "xgotop-tui: cgroup not read: %s\n", strerror(errno));
}

/* Configure: the BPF object's rodata and ring size, and -sample in its .bss. */
static int configure(struct tracer *t)
{
	int err = bpfobj__configure(&t->bpf, &t->tg, t->opts);

	if (!err)
		livesrc__apply_sample(t, &t->smp);
	return err;
}

/* The attach line on stderr: what is traced, by which probes, sampled how. */
static void announce(const struct tracer *t)
{
	const struct target *tg = &t->tg;
	char spec[176] = "";

	if (sample__active(&t->smp)) {
		strcpy(spec, ", sample ");
		sample__format(&t->smp, spec + strlen(spec), sizeof(spec) - strlen(spec));
	}
	if (tg->launched || tg->pid)
		fprintf(stderr, "xgotop-tui: attached to pid %d (%s, %s, %s): probes %s%s\n",
			(int)tg->pid, SAN(tg->display), SAN(goelf__go_version(tg->ge)),
			SAN(goelf__arch_name(tg->ge)), t->attached, spec);
	else
		fprintf(stderr, "xgotop-tui: attached to %s (%s, %s), all processes: probes %s%s\n",
			SAN(tg->display), SAN(goelf__go_version(tg->ge)),
			SAN(goelf__arch_name(tg->ge)), t->attached, spec);
	if (diag__verbose())
		fprintf(stderr, "xgotop-tui: offsets from %s, wait reasons from %s\n",
			tg->tables.off_source, tg->tables.wait_source);
	if (diag__verbose() && t->poll)
		fprintf(stderr, "xgotop-tui: goroutine table: %s\n", poll_src__how(t->poll));
}

/*
 * With a profile the compiler may inline casgstatus at hot call sites
 * (execute, ready, park_m, newproc1: docs/GO-VERSIONS.md); those
 * transitions then bypass the probe.
 */
static void warn_pgo(const struct target *tg)
{
	if (goelf__pgo(tg->ge))
		fprintf(stderr,
			"xgotop-tui: warning: %s was built with PGO (%s): transitions at call "
			"sites where the compiler inlined runtime.casgstatus are not seen\n",
			SAN(tg->display), SAN(goelf__pgo(tg->ge)));
}

/* Until the target exits, the time is up, a signal comes or the UI quits. */
static int run(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	int err;

	if (opts->ui) {
		struct xg_source src = {
			.ops = t->sink.rec && opts->history_min > 0 ? &live_ops_recent : &live_ops,
			.ctx = t};

		err = opts->ui(&src, opts->ui_ctx);
		return err ? err : livesrc__end(t);
	}
	while (!(err = livesrc__pump(t, POLL_MS)))
		;
	return err == 1 ? 0 : err;
}

/* A clean end: what the probes cost, what was lost, the last interval. 0, or 1 (reported). */
static int report_end(struct tracer *t)
{
	uint64_t drops;
	int err;

	bpfobj__report_hits(&t->bpf);
	drops = bpfobj__drops(&t->bpf);
	if (drops)
		diag__fail("%llu events dropped: the ring buffer was full (raise --ringbuf-mb)",
			   (unsigned long long)drops);
	if (t->heap && diag__verbose()) {
		struct heap_src_stats hs;

		heap_src__stats(t->heap, &hs);
		fprintf(stderr,
			"xgotop-tui: heap statistics: %llu reads, %llu without a consistent "
			"state, %.1f us a read\n",
			(unsigned long long)hs.samples, (unsigned long long)hs.retries,
			hs.samples + hs.retries
				? (double)hs.read_ns / 1e3 / (double)(hs.samples + hs.retries)
				: 0.0);
	}
	livesrc__sample_meters(t); /* the last interval, for the summary */
	if (t->opts->metrics &&
	    (err = meters__write_summary(t->m.mt, t->opts->metrics, t->opts->force))) {
		diag__fail("cannot write %s: %s", t->opts->metrics, outfile__why(err));
		return 1;
	}
	return 0;
}

/* Quitting waits for it: the removal of each uprobe is serialised machine-wide. */
#define DETACH_SLOW_NS (2000ull * 1000 * 1000)

/*
 * The probes out took long: said once the terminal is back. A closing
 * thread, and so the exiting process, waits in the kernel until its uprobe
 * is gone (perf_uprobe_destroy, under event_mutex, waits for RCU grace
 * periods: 0.2-0.9 s each at load 14-37, queued behind every other
 * tracer's; a uprobe-multi link waits for one, without that mutex); a
 * quit during a level switch waits for the switch's too.
 */
static void say_detach(const struct tracer *t)
{
	if (t->detach_ns >= DETACH_SLOW_NS || (diag__verbose() && t->detach_ns))
		fprintf(stderr, "xgotop-tui: taking the probes out took %.2f s: %s\n",
			(double)t->detach_ns / 1e9,
			t->bpf.multi ? "a grace period per uprobe-multi link, behind every other "
				       "process's uprobe removals"
				     : "the kernel removes uprobes one at a time, for every "
				       "process on the machine");
}

static void teardown(struct tracer *t)
{
	livesrc__end_calib(t, false);
	capture__free(t);
	livesrc__end_stacks(t);
	stackset__free(t->stacks);
	promlive__close(t);
	rings__free(t);
	poll_src__free(t->poll);
	poll_src__free(t->snap_src);
	heap_src__free(t->heap);
	cgroup_cpu__free(t->cg);
	snapshot__free(t->snap);
	bpfobj__free(&t->bpf);
	meters__free(t->m.mt);
	sink__free(t);
	target__free(&t->tg);
}

int tracer__run(const struct live_opts *opts)
{
	struct tracer t = {.opts = opts,
			   .tg = TARGET_INIT,
			   .bpf = BPFOBJ_INIT,
			   .sink = {.bias_mu = PTHREAD_MUTEX_INITIALIZER},
			   .cap = CAPTURE_INIT};
	int rc = 1, err;

	/* --duration: of the command, attach included (README). */
	t.start_ns = xg_mono_ns();
	t.deadline = opts->duration > 0 ? t.start_ns + (uint64_t)(opts->duration * 1e9) : 0;
	diag__set_verbose(opts->verbose);
	if (target__check_privileges() || target__check_kernel() || target__resolve(&t.tg, opts))
		goto cleanup;
	t.smp = opts->sample;
	t.sweep_ns = opts->stack_interval_ns >= 0 ? (uint64_t)opts->stack_interval_ns
		     : opts->ui			  ? STACK_INTERVAL_NS
						  : 0;
	if (rings__new_decoder(&t) || sink__open(&t) || promlive__open(&t))
		goto cleanup;
	catch_signals();
	if (t.tg.launched && target__launch(&t.tg, opts))
		goto cleanup;
	if (t.tg.pid && target__watch(&t.tg))
		goto cleanup;
	/* Before any probe: which level the budget allows (--overhead-budget). */
	if (capture__choose(&t))
		goto cleanup;

	if (t.cap.st.level == CAPTURE_POLL && open_poll(&t))
		goto cleanup;
	/* Polling under a budget: the BPF object ready for a level that fits later. */
	if (t.cap.st.level != CAPTURE_POLL || capture__may_switch(&t)) {
		if (t.tg.pid && !t.tg.launched && !t.poll)
			snapshot_read(&t);
		/* The ring's reader before the first probe: nothing waits unread. */
		if (bpfobj__open(&t.bpf) || configure(&t) || bpfobj__load(&t.bpf) ||
		    target__verify_sites(&t.tg) || rings__open(&t))
			goto cleanup;
	}
	if (!t.poll) {
		/*
		 * Through the pinned file the probes cannot land elsewhere; did the
		 * process stay? Asked at once, and again once the goroutines at
		 * attach are read (a read of an exec'd image is of another program).
		 */
		err = bpfobj__attach(&t.bpf, &t.tg, t.attached, sizeof(t.attached));
		if (!err)
			err = bpfobj__attach_tracepoints(&t.bpf);
		if (!err || err == -ESRCH)
			err = target__check_attached(&t.tg, err);
		if (err || rings__consume(&t))
			goto cleanup;
	}
	/* The hit cost is timed in the background: OVH is n/a until then. */
	if (livesrc__open_meters(&t) || capture__setup(&t) || snapshot_reread(&t) ||
	    rings__consume(&t) || target__check_attached(&t.tg, 0))
		goto cleanup;
	announce(&t);
	promlive__tick(&t, true); /* a scrape gets the goroutines found at attach */
	if (sink__begin_recording(&t) || capture__emit(&t) || snapshot_emit(&t))
		goto cleanup;
	/* Seeded: records decoded before would have had their states overwritten. */
	rings__release_held(&t);
	warn_pgo(&t.tg);
	open_heap(&t);
	open_cgroup(&t);
	/* Only now may a launched command run: not one instruction untraced. */
	if (t.tg.launched && target__release(&t.tg))
		goto cleanup;

	err = run(&t);
	say_detach(&t);
	if (err) {
		if (err != -ECANCELED)
			diag__fail("tracing stopped: %s", strerror(-err));
		goto cleanup;
	}
	rc = report_end(&t);
	/* Exec'd: what was traced is all written, but the program was not traced to its end. */
	if (target__report_end(&t.tg) && !t.tg.launched)
		rc = 1;

cleanup:
	target__cancel_launch(&t.tg);
	rc = sink__close(&t, rc);
	rc = target__reap(&t.tg, rc);
	teardown(&t);
	return rc;
}
