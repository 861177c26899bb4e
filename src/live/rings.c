// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the ring buffers of a live session: one ring and one decoder in
 * pump(), or -rw N rings with a reader thread each and -pw N processor
 * threads (src/live/workers.c), whose events the sink takes in pump().
 * Either way the events leave in timestamp order, after the reorder window.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "gtable.h"
#include "session.h"
#include "snapshot.h"
#include "tracer.h"

/* ---- what both paths share ------------------------------------------------- */

int rings__each_decoder(struct tracer *t, int (*fn)(struct decoder *d, void *ctx), void *ctx)
{
	return t->rings.wk ? workers__each_decoder(t->rings.wk, fn, ctx) : fn(t->rings.dec, ctx);
}

static int each_decoder(void *ctx, int (*fn)(struct decoder *d, void *arg), void *arg)
{
	return rings__each_decoder(ctx, fn, arg);
}

void rings__snapshot_ops(struct tracer *t, struct snapshot_ops *ops)
{
	ops->each_decoder = each_decoder;
	ops->n_decoders = t->rings.wk ? t->opts->processors : 1;
	ops->emit = sink__emit;
	ops->ctx = t;
}

static int settle_snapshot(struct tracer *t, uint64_t released)
{
	struct snapshot_ops ops;

	rings__snapshot_ops(t, &ops);
	return snapshot__settle(t->snap, released, &ops);
}

static int poll_hist(struct tracer *t, uint64_t now)
{
	return bpfobj__poll_hist(&t->bpf, t->sink.gt, now, sink__emit, t);
}

static int set_sampling(struct decoder *d, void *ctx)
{
	decoder__set_sampling(d, ctx);
	return 0;
}

void rings__set_sampling(struct tracer *t, const struct xg_sample *conf)
{
	rings__each_decoder(t, set_sampling, (void *)conf);
}

static int read_goid(uint32_t pid, uint64_t g, uint64_t *goid, void *ctx)
{
	struct tracer *t = ctx;
	struct iovec local = {goid, sizeof(*goid)};
	struct iovec remote = {(void *)(uintptr_t)(g + t->tg.tables.off.g_goid), sizeof(*goid)};

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof(*goid) ? 0 : -errno;
}

uint64_t rings__queued(struct tracer *t)
{
	struct decoder_stats st;

	decoder__stats(t->rings.dec, &st);
	if (t->rings.wk) {
		struct workers_stats ws;

		workers__stats(t->rings.wk, &ws);
		st.queued = ws.queued;
	}
	return st.queued;
}

/* ---- lost records: the goroutine table read again (snapshot.h) --------------- */

/* A read of the goroutine table costs the target little, but not nothing. */
#define RESYNC_MIN_NS 1000000000ull

static struct resync_proc *resync_proc(struct tracer *t, uint32_t pid)
{
	struct gap_watch *g = &t->rings.gap;
	struct resync_proc *n, *p;
	char err[256];
	unsigned int i;

	for (i = 0; i < g->n_procs; i++)
		if (resync__pid(g->procs[i].r) == pid)
			return &g->procs[i];
	if (g->n_procs == MAX_PROCS)
		return NULL;
	n = realloc(g->procs, (g->n_procs + 1) * sizeof(*n));
	if (!n)
		return NULL;
	g->procs = n;
	p = &n[g->n_procs];
	/* realloc leaves it uninitialised; say_settled reads watching (UBSan). */
	*p = (struct resync_proc){0};
	p->r = resync__new(pid);
	if (!p->r)
		return NULL;
	/* 1 kHz: due whenever asked. NULL src: no table to read, the gap is marked all the same. */
	p->src = poll_src__open(t->tg.ge, t->tg.path, &t->tg.tables.off, (pid_t)pid, 1000, err,
				sizeof(err));
	if (!p->src && !t->opts->ui)
		diag__fail("cannot read the goroutine table of pid %u after lost records: %s", pid,
			   err);
	g->n_procs++;
	return p;
}

struct pid_set {
	uint32_t pids[MAX_PROCS];
	unsigned int n;
};

static int add_pid(const struct gentry *e, void *ctx)
{
	struct pid_set *s = ctx;
	unsigned int i;

	if (e->exited_ts)
		return 0;
	for (i = s->n; i-- > 0;)
		if (s->pids[i] == e->pid)
			return 0;
	if (s->n < MAX_PROCS)
		s->pids[s->n++] = e->pid;
	return 0;
}

/* -b: processes no longer listed (ended) are not read again; nothing of theirs waits. */
static void prune_procs(struct tracer *t, const struct pid_set *set)
{
	struct gap_watch *g = &t->rings.gap;
	unsigned int i, j, n = 0;

	for (i = 0; i < g->n_procs; i++) {
		for (j = 0; j < set->n; j++)
			if (set->pids[j] == resync__pid(g->procs[i].r))
				break;
		if (j == set->n) {
			resync__free(g->procs[i].r);
			poll_src__free(g->procs[i].src);
			continue;
		}
		g->procs[n++] = g->procs[i];
	}
	g->n_procs = n;
}

static void resync_read(struct tracer *t, struct resync_proc *p, uint64_t drops, uint64_t since)
{
	struct poll_stats st = {0};
	bool ok = false;
	int next_ms, err = -ENOENT;

	/* Until it is applied, a goroutine it finds may end and its entry leave the table. */
	gtable__log_dropped_exits(t->sink.gt, true);
	resync__begin_read(p->r, xg_mono_ns());
	if (p->src) {
		poll_src__reset(p->src);
		err = poll_src__pump(p->src, xg_mono_ns(), &next_ms, resync__add, p->r);
		poll_src__stats(p->src, &st);
		/* The whole table, or nothing: a g skipped may be one alive. */
		ok = !err && st.samples == 1 && !st.skipped;
	}
	resync__end_read(p->r, xg_mono_ns(), ok, drops, since);
	if (!ok && p->src && !t->opts->ui && err != -ESRCH)
		diag__fail("cannot read the goroutine table of pid %u after lost records: %s",
			   resync__pid(p->r),
			   err ? strerror(-err) : "read torn, or some gs unreadable");
}

/*
 * Each pump: when the drop counter rose, read the goroutine table of each
 * process now, at most once a second; the reads are applied once the
 * records up to them are (resync_apply).
 */
static void watch_drops(struct tracer *t, uint64_t now, bool last)
{
	struct gap_watch *g = &t->rings.gap;
	struct pid_set *set;
	uint64_t drops;
	unsigned int i;

	if (!t->bpf.skel)
		return;
	drops = bpfobj__drops(&t->bpf);
	if (drops == g->drops) {
		g->calm_ts = now;
		return;
	}
	for (i = 0; i < g->n_procs; i++)
		if (resync__due(g->procs[i].r))
			return; /* one round at a time */
	if (g->read_ts && now - g->read_ts < RESYNC_MIN_NS && !last)
		return;
	if (!t->opts->ui && (!g->rounds || (g->rounds == 10 && !g->warned))) {
		diag__fail(
			"%s%llu events dropped so far: the ring buffer is full; the goroutine "
			"table "
			"is read again to set the state table right, at most once a second (raise "
			"--ringbuf-mb)",
			g->rounds ? "still losing events: " : "", (unsigned long long)drops);
		g->warned = g->rounds > 0;
	}
	g->read_ts = now;
	g->rounds++;
	set = calloc(1, sizeof(*set));
	if (!set)
		return;
	if (t->tg.pid)
		set->pids[set->n++] = (uint32_t)t->tg.pid;
	else /* -b: the counter is every process's; each one with goroutines is read */
		gtable__for_each(t->sink.gt, add_pid, set);
	prune_procs(t, set);
	for (i = 0; i < set->n; i++) {
		struct resync_proc *p = resync_proc(t, set->pids[i]);

		if (p)
			resync_read(t, p, drops - g->drops, g->calm_ts);
	}
	free(set);
	g->drops = drops;
	g->calm_ts = now; /* the next gap starts here */
}

static uint64_t resync_due(struct tracer *t);

static int resync_apply(struct tracer *t, uint64_t released)
{
	struct gap_watch *g = &t->rings.gap;
	struct resync_ops ops = {.gt = t->sink.gt,
				 .goroutine_thresh = t->smp_conf.thresh[XG_SMP_GOROUTINE],
				 .creates_sampled =
					 t->smp_conf.on &&
					 t->smp_conf.thresh[XG_SMP_NEWGOROUTINE] < XG_SMP_ALL};
	unsigned int i;
	int err = 0;

	rings__snapshot_ops(t, &ops.s);
	gtable__sort_dropped_exits(t->sink.gt);
	for (i = 0; i < g->n_procs && !err; i++) {
		uint64_t due = resync__due(g->procs[i].r);

		struct gev_gap gap;

		if (!due || due > released)
			continue;
		err = resync__apply(g->procs[i].r, t->sink.last_ts, &ops, &gap);
		g->procs[i].watching = !err && gap.resync;
		if (!err && diag__verbose() && gap.resync)
			fprintf(stderr,
				"xgotop-tui: %llu events lost in all: pid %u's goroutine table "
				"read "
				"again: %u ended, %u found, %u changed (%zu found ended since, "
				"out of the state table)\n",
				(unsigned long long)g->drops, resync__pid(g->procs[i].r), gap.exits,
				gap.creates, gap.changes, resync__ended_dropped(g->procs[i].r));
		else if (!err && diag__verbose())
			fprintf(stderr,
				"xgotop-tui: %llu events lost in all: pid %u's goroutine table "
				"could "
				"not be read\n",
				(unsigned long long)g->drops, resync__pid(g->procs[i].r));
	}
	/* No read waits: the goroutines dropped from now on were never found by one. */
	if (!err && !resync_due(t))
		gtable__log_dropped_exits(t->sink.gt, false);
	return err;
}

/* -v: the goroutines a read left to watch are all accounted for (tests/e2e/resync.sh). */
static void say_settled(struct resync_proc *p)
{
	if (!p->watching || resync__watching(p->r))
		return;
	p->watching = false;
	if (diag__verbose())
		fprintf(stderr, "xgotop-tui: pid %u: the goroutine table read again is settled\n",
			resync__pid(p->r));
}

/* How often the goroutines a re-read left running or runnable are read again (snapshot.h). */
#define RECHECK_NS 50000000ull

static int reread_g(uint64_t goid, uint8_t *status, void *ctx)
{
	struct resync_proc *p = ctx;

	return p->src ? poll_src__reread(p->src, goid, status) : -ENOENT;
}

/* Each pump, at most every RECHECK_NS (LAST: now): those ended since are noted. */
static void recheck_running(struct tracer *t, uint64_t now, bool last)
{
	struct gap_watch *g = &t->rings.gap;
	unsigned int i;

	if (!last && now - g->check_ts < RECHECK_NS)
		return;
	g->check_ts = now;
	for (i = 0; i < g->n_procs; i++) {
		resync__check(g->procs[i].r, t->sink.gt, xg_mono_ns(), reread_g, &g->procs[i]);
		say_settled(&g->procs[i]);
	}
}

/* Once the records up to RELEASED are applied: those read again as ended, with no exit seen. */
static int settle_gone(struct tracer *t, uint64_t released)
{
	struct gap_watch *g = &t->rings.gap;
	struct resync_ops ops = {.gt = t->sink.gt};
	unsigned int i, n;
	int err = 0;

	rings__snapshot_ops(t, &ops.s);
	for (i = 0; i < g->n_procs && !err; i++) {
		uint64_t due = resync__gone_due(g->procs[i].r);

		if (due && due <= released)
			err = resync__settle_gone(g->procs[i].r, released, t->sink.last_ts, &ops,
						  &n);
		if (!err && due && due <= released && n && diag__verbose())
			fprintf(stderr,
				"xgotop-tui: pid %u: %u more goroutine%s ended unseen (read again "
				"after the goroutine table read; %zu read runnable in all)\n",
				resync__pid(g->procs[i].r), n, n == 1 ? "" : "s",
				resync__gone_runnable(g->procs[i].r));
		if (!err)
			say_settled(&g->procs[i]);
	}
	return err;
}

/*
 * At the end, the probes out and every record read: the read pending, and
 * one more if records were lost since, whenever the last one was; and the
 * goroutines read running, once more.
 */
static int resync_last(struct tracer *t)
{
	int err = resync_apply(t, UINT64_MAX);

	if (!err) {
		watch_drops(t, xg_mono_ns(), true);
		err = resync_apply(t, UINT64_MAX);
	}
	if (!err) {
		recheck_running(t, xg_mono_ns(), true);
		err = settle_gone(t, UINT64_MAX);
	}
	return err;
}

/* The latest read waiting to be applied, 0: none. */
static uint64_t resync_due(struct tracer *t)
{
	struct gap_watch *g = &t->rings.gap;
	uint64_t due = 0;
	unsigned int i;

	for (i = 0; i < g->n_procs; i++)
		if (resync__due(g->procs[i].r) > due)
			due = resync__due(g->procs[i].r);
	return due;
}

static void resync_free(struct tracer *t)
{
	struct gap_watch *g = &t->rings.gap;
	unsigned int i;

	for (i = 0; i < g->n_procs; i++) {
		resync__free(g->procs[i].r);
		poll_src__free(g->procs[i].src);
	}
	free(g->procs);
	g->procs = NULL;
	g->n_procs = 0;
}

/* ---- workers (src/live/workers.c) ------------------------------------------ */

/*
 * The batches of CPUs FIRST, FIRST + STRIDE, ... into their rings, before a
 * read of them; N passes through. *HELD (if not NULL): a batch stayed
 * claimed, so records older than this read may come with a later one.
 */
static int flush_some(struct tracer *t, int first, int stride, int n, bool *held)
{
	int err = bpfobj__flush_batches(&t->bpf, first, stride);

	if (err < 0) {
		diag__fail("cannot empty the batches of records: %s", strerror(-err));
		return err;
	}
	if (held)
		*held = err > 0;
	return n;
}

/* Every CPU's batch of records into the rings, before a read of them; N passes through. */
static int flush_batches(struct tracer *t, int n)
{
	return flush_some(t, 0, 1, n, NULL);
}

/* A sample holds one record, or a batch of casgstatus's (bpf/xgotop.bpf.c flush_batch). */
static int on_worker_record(void *ctx, void *data, size_t size)
{
	struct ring_reader *r = ctx;
	const struct xg_event *rec = data;
	int err = 0;

	for (; !err && size >= sizeof(*rec); size -= sizeof(*rec), rec++)
		err = workers__put(r->w, r->idx, rec);
	return err;
}

/* Reader thread: its ring, as pump() reads the one ring without workers. */
static int worker_read(void *ctx, struct workers *w, unsigned int reader, int timeout_ms)
{
	struct ring_reader *r = &((struct tracer *)ctx)->rings.readers[reader];
	int rings = ((struct tracer *)ctx)->opts->readers, n;
	bool held = false;

	r->w = w;
	n = ring_buffer__poll(r->rb, timeout_ms);
	/*
	 * Before the consume, so that its horizon (taken before the poll,
	 * src/live/workers.c) holds: with N rings, reader i empties the
	 * batches of the CPUs that write to its ring (cpu % N == i,
	 * bpf/xgotop.bpf.c cpu_ring); with one, reader 0 all of them.
	 */
	if (n >= 0 && (rings > 1 || reader == 0))
		n = flush_some(ctx, rings > 1 ? (int)reader : 0, rings > 1 ? rings : 1, n, &held);
	if (held)
		workers__hold(w, reader);
	/* Allocation records do not always wake us (bpf/xgotop.bpf.c lazy_wakeup). */
	if (n == 0)
		n = ring_buffer__consume(r->rb);
	return n == -EINTR ? 0 : n;
}

/* Processor thread: learn the load bias of a process from its first record. */
static void worker_record(void *ctx, unsigned int proc, const struct xg_event *rec)
{
	struct tracer *t = ctx;
	struct proc_state *ps = &t->rings.pstate[proc];

	if (rec->pid == ps->known_pid)
		return;
	pthread_mutex_lock(&t->sink.bias_mu);
	sink__learn_bias(t, rec);
	pthread_mutex_unlock(&t->sink.bias_mu);
	ps->known_pid = rec->pid;
}

static int worker_prepare(void *ctx, unsigned int proc, struct gev *ev)
{
	struct tracer *t = ctx;

	sink__symbolize(t, t->rings.pstate[proc].symcache, ev);
	return 0;
}

static const struct workers_ops worker_ops;

/* After load: the rings of -rw N, a reader each, and the threads. */
static int workers_start(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	unsigned int nr = opts->readers ? opts->readers : 1, i;
	int outer = bpfobj__rings_fd(&t->bpf), err;
	struct workers_opts o = {.readers = nr,
				 .processors = opts->processors ? opts->processors : 1,
				 .batch_size = opts->batch_size,
				 .flush_ns = opts->flush_ns,
				 .window_ns = REORDER_WINDOW_NS,
				 .held = true, /* until the attach seeded the decoders */
				 .dec = t->tg.dec,
				 .ops = &worker_ops,
				 .ctx = t};

	for (i = 0; i < nr; i++) {
		struct ring_reader *r = &t->rings.readers[i];

		r->idx = i;
		r->fd = -1;
		if (nr > 1) {
			r->fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xg_ring", 0, 0,
					       opts->ringbuf_mb << 20, NULL);
			if (r->fd < 0 || bpf_map_update_elem(outer, &i, &r->fd, BPF_ANY)) {
				err = -errno;
				diag__fail(
					"cannot create ring buffer %u of %u: %s (-rw N needs Linux "
					"5.10+)",
					i + 1, nr, strerror(-err));
				return err;
			}
		}
		r->rb = ring_buffer__new(r->fd >= 0 ? r->fd : bpfobj__events_fd(&t->bpf),
					 on_worker_record, r, NULL);
		if (!r->rb) {
			err = -errno;
			diag__fail("cannot read the ring buffer: %s", strerror(-err));
			return err;
		}
	}
	for (i = 0; i < o.processors; i++) {
		t->rings.pstate[i].symcache =
			calloc(SYMCACHE_SIZE, sizeof(*t->rings.pstate[i].symcache));
		if (!t->rings.pstate[i].symcache) {
			diag__fail("out of memory");
			return -ENOMEM;
		}
	}
	t->rings.wk = workers__new(&o);
	if (!t->rings.wk) {
		err = -errno;
		diag__fail("cannot start the reader and processor threads: %s", strerror(-err));
		return err;
	}
	/* -sample, as livesrc__apply_sample gave it to the BPF programs before load. */
	return workers__each_decoder(t->rings.wk, set_sampling, &t->smp_conf);
}

static void workers_free(struct tracer *t)
{
	unsigned int i;

	workers__free(t->rings.wk);
	for (i = 0; i < WORKERS_MAX; i++) {
		ring_buffer__free(t->rings.readers[i].rb);
		if (t->rings.readers[i].fd > 0)
			close(t->rings.readers[i].fd);
		free(t->rings.pstate[i].symcache);
	}
}

/* The sink's turn in pump(): every event the processors have ready, in order. */
static int pump_workers(struct tracer *t, int timeout_ms)
{
	struct workers_stats st;
	struct timespec c0, c1;
	uint64_t released;
	int err;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	/* 1 only after workers__stop(): everything was emitted. */
	err = workers__drain(t->rings.wk, timeout_ms, sink__put, t);
	/* Records up to the attach (or a read) are through the pipeline well before this. */
	released = xg_mono_ns() - REORDER_WINDOW_NS - t->opts->flush_ns - 1000000000ull;
	if (!err)
		err = settle_snapshot(t, released);
	if (!err)
		err = resync_apply(t, released);
	if (!err)
		err = settle_gone(t, released);
	if (!err) {
		watch_drops(t, xg_mono_ns(), false);
		recheck_running(t, xg_mono_ns(), false);
	}
	if (!err && xg_mono_ns() - t->bpf.hist_ts >= 1000000000ull)
		err = poll_hist(t, xg_mono_ns());
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	t->m.sink_ns += (uint64_t)(c1.tv_sec - c0.tv_sec) * 1000000000ull + c1.tv_nsec - c0.tv_nsec;
	workers__stats(t->rings.wk, &st);
	t->m.n_records = st.records;
	t->m.proc_ns = t->m.sink_ns + st.proc_ns;
	if (err == -ECANCELED)
		return err;
	if (err < 0)
		diag__fail("cannot read the ring buffers: %s", strerror(-err));
	return err;
}

static const struct workers_ops worker_ops = {
	.read = worker_read,
	.record = worker_record,
	.prepare = worker_prepare,
	.resolve = read_goid,
};

/* ---- one ring, one decoder, in pump() ---------------------------------------- */

static int on_one_record(struct tracer *t, const struct xg_event *rec)
{
	sink__learn_bias(t, rec);
	t->m.n_records++;
	if (t->cap.can_switch)
		capture__count(t, rec);
	return decoder__push(t->rings.dec, rec);
}

/* A sample holds one record, or a batch of casgstatus's (bpf/xgotop.bpf.c flush_batch). */
static int on_record(void *ctx, void *data, size_t size)
{
	const struct xg_event *rec = data;
	int err = 0;

	for (; !err && size >= sizeof(*rec); size -= sizeof(*rec), rec++)
		err = on_one_record(ctx, rec);
	return err;
}

static void symbolize_in_place(struct gev *ev, void *ctx)
{
	struct tracer *t = ctx;

	sink__symbolize(t, t->sink.symcache, ev);
}

int rings__new_decoder(struct tracer *t)
{
	struct decoder_opts dopts = t->tg.dec;

	/* Before the probes go in: records lost from here on are in the first gap. */
	t->rings.gap.calm_ts = xg_mono_ns();
	t->rings.dec = decoder__new(&dopts);
	if (!t->rings.dec) {
		diag__fail("out of memory");
		return -ENOMEM;
	}
	/* Named in the decoder's own event: the drains below hand it to sink__put, uncopied. */
	decoder__set_prepare(t->rings.dec, symbolize_in_place, t);
	return 0;
}

/* The single thread applies what it decodes: the table can be fetched ahead of it. */
static void table_ahead(uint32_t pid, uint64_t goid, void *ctx)
{
	gtable__prefetch(ctx, pid, goid);
}

int rings__open(struct tracer *t)
{
	if (t->opts->readers > 1 || t->opts->processors > 1)
		return workers_start(t);
	t->rings.flushed_ns = xg_mono_ns();
	decoder__set_ahead(t->rings.dec, table_ahead, t->sink.gt, GTABLE_PREFETCH_AHEAD);
	t->rings.rb = ring_buffer__new(bpfobj__events_fd(&t->bpf), on_record, t, NULL);
	if (!t->rings.rb) {
		diag__fail("cannot read the ring buffer: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int rings__consume(struct tracer *t)
{
	int n;

	/* -rw/-pw: the reader threads read from rings__open on. */
	if (t->rings.wk || !t->rings.rb)
		return 0;
	n = flush_batches(t, 0);
	if (n >= 0)
		n = ring_buffer__consume(t->rings.rb);
	if (n < 0 && n != -EINTR) {
		diag__fail("cannot read the ring buffer: %s", strerror(-n));
		return n;
	}
	return 0;
}

void rings__release_held(struct tracer *t)
{
	workers__open(t->rings.wk);
}

int rings__pump(struct tracer *t, int timeout_ms)
{
	uint64_t start, upto, due, flush_ns;
	bool held = false;
	int err;

	if (t->rings.wk)
		return pump_workers(t, timeout_ms);
	err = ring_buffer__poll(t->rings.rb, timeout_ms);
	flush_ns = xg_mono_ns();
	if (err >= 0)
		err = flush_some(t, 0, 1, err, &held);
	/* Records do not always wake us (bpf/xgotop.bpf.c lazy_wakeup, the batches). */
	if (err >= 0)
		err = ring_buffer__consume(t->rings.rb);
	if (err < 0 && err != -EINTR) {
		diag__fail("cannot read the ring buffer: %s", strerror(-err));
		return err;
	}
	start = xg_mono_ns();
	watch_drops(t, start, false);
	/*
	 * A batch that stayed claimed holds records from any time since the
	 * last read that emptied every batch: nothing after that is final.
	 */
	upto = start;
	if (!held)
		t->rings.flushed_ns = flush_ns;
	else if (t->rings.flushed_ns < start)
		upto = t->rings.flushed_ns;
	due = resync_due(t);
	err = 0;
	if (due && due <= upto - REORDER_WINDOW_NS) {
		/* The records up to the read, and not one after: the fixes come in order. */
		err = decoder__drain(t->rings.dec, due, sink__put, t);
		if (!err)
			err = settle_snapshot(t, due);
		if (!err)
			err = resync_apply(t, due);
	}
	if (!err)
		err = decoder__drain(t->rings.dec, upto - REORDER_WINDOW_NS, sink__put, t);
	if (!err)
		err = settle_snapshot(t, upto - REORDER_WINDOW_NS);
	if (!err)
		err = settle_gone(t, upto - REORDER_WINDOW_NS);
	if (!err)
		recheck_running(t, xg_mono_ns(), false);
	if (!err && start - t->bpf.hist_ts >= 1000000000ull)
		err = poll_hist(t, start);
	t->m.proc_ns += xg_mono_ns() - start;
	return err;
}

int rings__finish(struct tracer *t)
{
	int n;

	if (t->rings.wk) {
		n = flush_batches(t, 0);
		if (n < 0)
			return n;
		workers__stop(t->rings.wk);
		while (!(n = pump_workers(t, POLL_MS)))
			;
		if (n >= 0)
			n = settle_snapshot(t, UINT64_MAX);
		if (n >= 0)
			n = resync_last(t);
		return n < 0 ? n : poll_hist(t, xg_mono_ns());
	}
	n = flush_batches(t, 0);
	while (n >= 0 && (n = ring_buffer__consume(t->rings.rb)) > 0)
		;
	if (n < 0) {
		diag__fail("cannot read the ring buffer: %s", strerror(-n));
		return n;
	}
	n = decoder__finish(t->rings.dec, read_goid, sink__put, t);
	if (!n)
		n = settle_snapshot(t, UINT64_MAX);
	if (!n)
		n = resync_last(t);
	return n ? n : poll_hist(t, xg_mono_ns());
}

void rings__free(struct tracer *t)
{
	resync_free(t);
	workers_free(t);
	ring_buffer__free(t->rings.rb);
	decoder__free(t->rings.dec);
	t->rings.rb = NULL;
	t->rings.dec = NULL;
}
