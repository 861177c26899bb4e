// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reader and processor threads. Hand-offs are whole batches through
 * single-producer single-consumer queues (one per reader and processor, one
 * per processor to the sink): a queue operation is two atomic loads and a
 * store, paid once per batch. A thread with nothing to do sleeps on its
 * condition variable, woken by a producer that sees it asleep, or after
 * WAIT_NS at the latest (which bounds a missed wakeup).
 */
#define _GNU_SOURCE
#include "workers.h"
#include "clock.h"
#include "gevent.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QCAP		 64 /* batches in flight per queue, a power of two */
#define WAIT_NS		 (2 * 1000 * 1000ull)
#define READ_POLL_MS	 50
#define BACKOFF_US	 20
#define THROTTLE_BATCHES 64 /* events a processor may have ahead of the sink, in batches */
#define NO_HORIZON	 0
#define ALL_READ	 UINT64_MAX

/* ---- single-producer single-consumer queue of pointers ----------------------------------- */

struct spsc {
	_Atomic size_t head; /* the consumer's */
	char pad0[64 - sizeof(size_t)];
	_Atomic size_t tail; /* the producer's */
	char pad1[64 - sizeof(size_t)];
	void *slot[QCAP];
};

static bool q_push(struct spsc *q, void *p)
{
	size_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (t - atomic_load_explicit(&q->head, memory_order_acquire) == QCAP)
		return false;
	q->slot[t & (QCAP - 1)] = p;
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return true;
}

static void *q_pop(struct spsc *q)
{
	size_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	void *p;

	if (h == atomic_load_explicit(&q->tail, memory_order_acquire))
		return NULL;
	p = q->slot[h & (QCAP - 1)];
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return p;
}

/* ---- sleeping and waking ------------------------------------------------------------------ */

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int sleeping;
};

static void waiter_init(struct waiter *wt)
{
	pthread_condattr_t a;

	pthread_mutex_init(&wt->mu, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wt->cv, &a);
	pthread_condattr_destroy(&a);
	atomic_init(&wt->sleeping, 0);
}

static void waiter_fini(struct waiter *wt)
{
	pthread_mutex_destroy(&wt->mu);
	pthread_cond_destroy(&wt->cv);
}

static void wake(struct waiter *wt)
{
	if (!atomic_load(&wt->sleeping))
		return;
	pthread_mutex_lock(&wt->mu);
	pthread_cond_signal(&wt->cv);
	pthread_mutex_unlock(&wt->mu);
}

/* Sleep NS at most; the caller rechecks its work before and after. */
static void sleep_on(struct waiter *wt, uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ns / 1000000000ull);
	ts.tv_nsec += (long)(ns % 1000000000ull);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wt->mu);
	atomic_store(&wt->sleeping, 1);
	pthread_cond_timedwait(&wt->cv, &wt->mu, &ts);
	atomic_store(&wt->sleeping, 0);
	pthread_mutex_unlock(&wt->mu);
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the pipeline -------------------------------------------------------------------------- */

struct rbatch {
	unsigned int n;
	struct xg_event rec[];
};

/* An event and its place in the merge: the latest timestamp its processor had released. */
struct wev {
	uint64_t key;
	struct gev ev;
};

struct obatch {
	struct obatch *next;
	unsigned int n;
	struct wev ev[];
};

struct reader {
	struct workers *w;
	unsigned int idx;
	pthread_t th;
	bool started;
	struct rbatch **cur; /* per processor: the batch being filled */
	unsigned int partial;
	bool hold; /* this read: leave the horizon where it is (workers__hold) */
	uint64_t last_flush;
	/* Every record read before this instant is in a processor's queue. */
	_Atomic uint64_t horizon;
	uint64_t n_records; /* the reader's count, published in records */
	_Atomic uint64_t records, cpu_ns, handoffs;
};

struct proc {
	struct workers *w;
	unsigned int idx;
	pthread_t th;
	bool started;
	struct decoder *dec;
	pthread_mutex_t dec_mu; /* held while the processor uses dec */
	struct waiter wt;
	struct spsc *in; /* one per reader */
	/*
	 * To the sink: a list that never makes the processor wait, or the
	 * sink, waiting for another processor's watermark, could wait for
	 * this one's reader, which waits for room in this one's queue.
	 */
	pthread_mutex_t out_mu;
	struct obatch *out_head, *out_tail;
	_Atomic uint64_t backlog; /* events in the list */
	_Atomic uint64_t pushed;  /* batches put in the list */
	uint64_t popped;	  /* the sink's: batches taken */
	struct obatch *cur;
	uint64_t last_key, until;
	int err; /* of the emit callback */
	/* Every event whose key is at most this is in out. */
	_Atomic uint64_t wm;
	_Atomic bool done;
	_Atomic uint64_t in_records, held, events, cpu_ns;
	pthread_mutex_t st_mu;
	struct decoder_stats st;
	/* The sink's: the batch being merged. */
	struct obatch *sb;
	unsigned int si;
};

struct workers {
	struct workers_opts o;
	struct reader rd[WORKERS_MAX];
	struct proc pr[WORKERS_MAX];
	struct waiter sink;
	_Atomic bool stopping;
	_Atomic bool held;	/* opts.held until workers__open() */
	atomic_int err;		/* the first error of any thread; -ECANCELED when freed early */
	_Atomic uint64_t limit; /* the sink's: every processor is past this */
	uint64_t sunk;		/* events emitted by the sink */
	_Atomic uint64_t sunk_pub;
};

_Static_assert(WORKERS_MAX == XG_MAX_RINGS, "a reader per ring: keep in sync");

unsigned int workers__shard(const struct xg_event *rec, unsigned int n)
{
	/* A process's own events go to one processor, which sees them all in order. */
	uint64_t k = gev_record_scope(rec->type) == GEV_SCOPE_PROCESS ? 0 : rec->g;
	uint64_t h = (k ^ ((uint64_t)rec->pid << 32 | rec->pid)) * 0x9e3779b97f4a7c15ull;

	return n <= 1 ? 0 : (unsigned int)((h >> 32) % n);
}

static void set_err(struct workers *w, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&w->err, &zero, err);
}

static bool aborted(struct workers *w)
{
	return atomic_load_explicit(&w->err, memory_order_relaxed) != 0;
}

/* Queue P for the consumer, waiting while the queue is full: backpressure to the rings. */
static int push_wait(struct workers *w, struct spsc *q, void *p, struct waiter *consumer)
{
	while (!q_push(q, p)) {
		if (aborted(w))
			return -ECANCELED;
		wake(consumer);
		usleep(BACKOFF_US);
	}
	wake(consumer);
	return 0;
}

static int hand_off(struct reader *r, unsigned int shard)
{
	struct workers *w = r->w;
	struct rbatch *b = r->cur[shard];
	int err;

	r->cur[shard] = NULL;
	r->partial--;
	err = push_wait(w, &w->pr[shard].in[r->idx], b, &w->pr[shard].wt);
	if (err) {
		free(b);
		return err;
	}
	atomic_fetch_add_explicit(&r->handoffs, 1, memory_order_relaxed);
	return 0;
}

void workers__hold(struct workers *w, unsigned int reader)
{
	w->rd[reader].hold = true;
}

int workers__put(struct workers *w, unsigned int reader, const struct xg_event *rec)
{
	struct reader *r = &w->rd[reader];
	unsigned int shard = workers__shard(rec, w->o.processors);
	struct rbatch *b = r->cur[shard];

	if (!b) {
		b = malloc(sizeof(*b) + (size_t)w->o.batch_size * sizeof(b->rec[0]));
		if (!b)
			return -ENOMEM;
		b->n = 0;
		r->cur[shard] = b;
		r->partial++;
	}
	b->rec[b->n++] = *rec;
	r->n_records++;
	return b->n == w->o.batch_size ? hand_off(r, shard) : 0;
}

static int flush_partial(struct reader *r)
{
	unsigned int s;
	int err;

	for (s = 0; s < r->w->o.processors && r->partial; s++) {
		if (r->cur[s] && (err = hand_off(r, s)))
			return err;
	}
	return 0;
}

static void publish_horizon(struct reader *r, uint64_t h)
{
	struct workers *w = r->w;
	unsigned int p;

	atomic_store_explicit(&r->horizon, h, memory_order_release);
	for (p = 0; p < w->o.processors; p++)
		wake(&w->pr[p].wt);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct workers *w = r->w;
	uint64_t c0 = cpu_ns();
	int err = 0;

	r->last_flush = xg_mono_ns();
	while (!aborted(w)) {
		bool stopping = atomic_load(&w->stopping);
		uint64_t t0 = xg_mono_ns(), since;
		int timeout = READ_POLL_MS, n;

		since = t0 - r->last_flush;
		if (stopping)
			timeout = 0;
		else if (r->partial)
			timeout = since >= w->o.flush_ns
					  ? 0
					  : (int)((w->o.flush_ns - since + 999999) / 1000000);
		n = w->o.ops->read(w->o.ctx, w, r->idx, timeout);
		if (n < 0) {
			err = n;
			break;
		}
		if (r->partial &&
		    (xg_mono_ns() - r->last_flush >= w->o.flush_ns || (stopping && !n))) {
			err = flush_partial(r);
			if (err)
				break;
			r->last_flush = xg_mono_ns();
		}
		/* Nothing read before t0 is held back here any more. */
		if (!r->partial && !r->hold)
			publish_horizon(r, t0);
		r->hold = false;
		atomic_store_explicit(&r->records, r->n_records, memory_order_relaxed);
		atomic_store_explicit(&r->cpu_ns, cpu_ns() - c0, memory_order_relaxed);
		if (stopping && !n && !r->partial) {
			publish_horizon(r, ALL_READ);
			return NULL;
		}
	}
	if (err)
		set_err(w, err);
	return NULL;
}

static int proc_push(struct proc *p)
{
	struct obatch *b = p->cur;

	if (!b || !b->n)
		return 0;
	p->cur = NULL;
	b->next = NULL;
	pthread_mutex_lock(&p->out_mu);
	if (p->out_tail)
		p->out_tail->next = b;
	else
		p->out_head = b;
	p->out_tail = b;
	pthread_mutex_unlock(&p->out_mu);
	atomic_fetch_add(&p->backlog, b->n);
	atomic_fetch_add_explicit(&p->pushed, 1, memory_order_release);
	/* Keys only grow: everything up to the last one is in the list. */
	atomic_store_explicit(&p->wm, b->ev[b->n - 1].key, memory_order_release);
	wake(&p->w->sink);
	return 0;
}

static int proc_emit(const struct gev *in, void *ctx)
{
	struct proc *p = ctx;
	struct workers *w = p->w;
	struct wev *e;
	int err;

	if (!p->cur) {
		p->cur = malloc(sizeof(*p->cur) + (size_t)w->o.batch_size * sizeof(p->cur->ev[0]));
		if (!p->cur)
			return -ENOMEM;
		p->cur->n = 0;
	}
	e = &p->cur->ev[p->cur->n];
	e->ev = *in;
	if (w->o.ops->prepare && (err = w->o.ops->prepare(w->o.ctx, p->idx, &e->ev)))
		return err;
	/*
	 * Strictly increasing, so that a processor can say "all up to here":
	 * a create held for its goid comes out with the record after it.
	 */
	p->last_key = in->ts > p->last_key ? in->ts : p->last_key + 1;
	e->key = p->last_key;
	p->cur->n++;
	atomic_fetch_add_explicit(&p->events, 1, memory_order_relaxed);
	return p->cur->n == w->o.batch_size ? proc_push(p) : 0;
}

static uint64_t min_horizon(struct workers *w)
{
	uint64_t h = ALL_READ;
	unsigned int r;

	for (r = 0; r < w->o.readers; r++) {
		uint64_t x = atomic_load_explicit(&w->rd[r].horizon, memory_order_acquire);

		if (x < h)
			h = x;
	}
	return h;
}

static void proc_publish(struct proc *p, uint64_t c0)
{
	struct decoder_stats st;

	decoder__stats(p->dec, &st);
	atomic_store_explicit(&p->held, st.queued, memory_order_relaxed);
	atomic_store_explicit(&p->cpu_ns, cpu_ns() - c0, memory_order_relaxed);
	pthread_mutex_lock(&p->st_mu);
	p->st = st;
	pthread_mutex_unlock(&p->st_mu);
}

static void *proc_main(void *arg)
{
	struct proc *p = arg;
	struct workers *w = p->w;
	uint64_t c0 = cpu_ns();
	int err = 0;

	while (!aborted(w)) {
		/* Before the queues: what they hold covers everything read up to H. */
		uint64_t h = min_horizon(w), until, got = 0;
		unsigned int r, i;

		/*
		 * The sink is behind on this processor's events (which it can
		 * all take: no other processor holds them back): stop taking
		 * records, so that the rings fill and drops are counted.
		 */
		if (atomic_load(&p->backlog) > THROTTLE_BATCHES * w->o.batch_size &&
		    atomic_load(&p->wm) <= atomic_load(&w->limit)) {
			proc_publish(p, c0);
			sleep_on(&p->wt, WAIT_NS);
			continue;
		}
		pthread_mutex_lock(&p->dec_mu);
		for (r = 0; r < w->o.readers; r++) {
			struct rbatch *b;

			while ((b = q_pop(&p->in[r]))) {
				for (i = 0; i < b->n && !err; i++) {
					if (w->o.ops->record)
						w->o.ops->record(w->o.ctx, p->idx, &b->rec[i]);
					err = decoder__push(p->dec, &b->rec[i]);
				}
				got += b->n;
				free(b);
				if (err)
					goto out_locked;
			}
		}
		atomic_fetch_add_explicit(&p->in_records, got, memory_order_relaxed);
		until = h == ALL_READ ? UINT64_MAX : h > w->o.window_ns ? h - w->o.window_ns : 0;
		/* Held (the attach's seeds to come): records only go in; all out at the end. */
		if (h != ALL_READ && atomic_load_explicit(&w->held, memory_order_acquire))
			until = 0;
		if (until > p->until || got) {
			err = decoder__drain(p->dec, until, proc_emit, p);
			if (!err && h == ALL_READ)
				err = decoder__finish(p->dec, w->o.ops->resolve, proc_emit, p);
			if (!err)
				err = proc_push(p);
			if (err)
				goto out_locked;
		}
		pthread_mutex_unlock(&p->dec_mu);
		if (until > p->until) {
			p->until = until;
			if (until > atomic_load(&p->wm))
				atomic_store_explicit(&p->wm, until, memory_order_release);
			wake(&w->sink);
		}
		proc_publish(p, c0);
		if (h == ALL_READ) {
			atomic_store(&p->done, true);
			wake(&w->sink);
			return NULL;
		}
		if (!got)
			sleep_on(&p->wt, WAIT_NS);
	}
	return NULL;
out_locked:
	pthread_mutex_unlock(&p->dec_mu);
	set_err(w, err);
	return NULL;
}

void workers__open(struct workers *w)
{
	unsigned int i;

	if (!w || !atomic_exchange(&w->held, false))
		return;
	for (i = 0; i < w->o.processors; i++)
		wake(&w->pr[i].wt);
}

int workers__each_decoder(struct workers *w, int (*fn)(struct decoder *d, void *ctx), void *ctx)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < w->o.processors && !err; i++) {
		pthread_mutex_lock(&w->pr[i].dec_mu);
		err = fn(w->pr[i].dec, ctx);
		pthread_mutex_unlock(&w->pr[i].dec_mu);
	}
	return err;
}

static void free_batches(struct workers *w)
{
	unsigned int r, p;
	void *b;

	for (p = 0; p < w->o.processors; p++) {
		struct proc *pr = &w->pr[p];

		for (r = 0; pr->in && r < w->o.readers; r++)
			while ((b = q_pop(&pr->in[r])))
				free(b);
		while (pr->out_head) {
			b = pr->out_head;
			pr->out_head = pr->out_head->next;
			free(b);
		}
		pr->out_tail = NULL;
		free(pr->cur);
		free(pr->sb);
		pr->cur = pr->sb = NULL;
	}
	for (r = 0; r < w->o.readers; r++) {
		for (p = 0; w->rd[r].cur && p < w->o.processors; p++)
			free(w->rd[r].cur[p]);
		free(w->rd[r].cur);
		w->rd[r].cur = NULL;
	}
}

void workers__free(struct workers *w)
{
	unsigned int i;

	if (!w)
		return;
	set_err(w, -ECANCELED);
	for (i = 0; i < w->o.readers; i++)
		if (w->rd[i].started)
			pthread_join(w->rd[i].th, NULL);
	for (i = 0; i < w->o.processors; i++) {
		wake(&w->pr[i].wt);
		if (w->pr[i].started)
			pthread_join(w->pr[i].th, NULL);
	}
	free_batches(w);
	for (i = 0; i < w->o.processors; i++) {
		decoder__free(w->pr[i].dec);
		free(w->pr[i].in);
		waiter_fini(&w->pr[i].wt);
		pthread_mutex_destroy(&w->pr[i].st_mu);
		pthread_mutex_destroy(&w->pr[i].out_mu);
		pthread_mutex_destroy(&w->pr[i].dec_mu);
	}
	waiter_fini(&w->sink);
	free(w);
}

struct workers *workers__new(const struct workers_opts *opts)
{
	sigset_t all, old;
	struct workers *w;
	unsigned int i;
	int err = 0;

	if (!opts || !opts->ops || !opts->ops->read || opts->readers < 1 ||
	    opts->readers > WORKERS_MAX || opts->processors < 1 || opts->processors > WORKERS_MAX ||
	    opts->batch_size > WORKERS_BATCH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->o = *opts;
	atomic_init(&w->held, opts->held);
	if (!w->o.batch_size)
		w->o.batch_size = WORKERS_BATCH_DEFAULT;
	if (!w->o.flush_ns)
		w->o.flush_ns = WORKERS_FLUSH_NS_DEFAULT;
	waiter_init(&w->sink);
	for (i = 0; i < w->o.processors; i++) {
		struct proc *p = &w->pr[i];

		p->w = w;
		p->idx = i;
		waiter_init(&p->wt);
		pthread_mutex_init(&p->st_mu, NULL);
		pthread_mutex_init(&p->out_mu, NULL);
		pthread_mutex_init(&p->dec_mu, NULL);
		p->dec = decoder__new(&w->o.dec);
		p->in = calloc(w->o.readers, sizeof(*p->in));
		if (!p->dec || !p->in)
			err = ENOMEM;
	}
	for (i = 0; i < w->o.readers; i++) {
		w->rd[i].w = w;
		w->rd[i].idx = i;
		w->rd[i].cur = calloc(w->o.processors, sizeof(*w->rd[i].cur));
		if (!w->rd[i].cur)
			err = ENOMEM;
	}
	/* Signals are the caller's thread's business: the threads start with them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; !err && i < w->o.processors; i++) {
		err = pthread_create(&w->pr[i].th, NULL, proc_main, &w->pr[i]);
		w->pr[i].started = !err;
	}
	for (i = 0; !err && i < w->o.readers; i++) {
		err = pthread_create(&w->rd[i].th, NULL, reader_main, &w->rd[i]);
		w->rd[i].started = !err;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		workers__free(w);
		errno = err;
		return NULL;
	}
	return w;
}

void workers__stop(struct workers *w)
{
	atomic_store(&w->stopping, true);
}

/* The next event of processor P for the merge, or NULL. */
static struct wev *sink_head(struct proc *p)
{
	if (p->sb && p->si == p->sb->n) {
		atomic_fetch_sub(&p->backlog, p->sb->n);
		free(p->sb);
		p->sb = NULL;
	}
	if (!p->sb && atomic_load_explicit(&p->pushed, memory_order_acquire) != p->popped) {
		pthread_mutex_lock(&p->out_mu);
		p->sb = p->out_head;
		p->out_head = p->sb->next;
		if (!p->out_head)
			p->out_tail = NULL;
		pthread_mutex_unlock(&p->out_mu);
		p->popped++;
		p->si = 0;
	}
	return p->sb ? &p->sb->ev[p->si] : NULL;
}

/* Emit in key order every event at most LIMIT: all processors are past it. */
static int merge(struct workers *w, uint64_t limit, decoder_emit_fn emit, void *ctx, size_t *n)
{
	unsigned int p, np = w->o.processors;
	int err;

	for (;;) {
		struct wev *best = NULL, *e;
		unsigned int bp = 0;

		for (p = 0; p < np; p++) {
			e = sink_head(&w->pr[p]);
			if (e && e->key <= limit && (!best || e->key < best->key)) {
				best = e;
				bp = p;
			}
		}
		if (!best)
			return 0;
		w->pr[bp].si++;
		(*n)++;
		w->sunk++;
		err = emit(&best->ev, ctx);
		if (err)
			return err;
	}
}

static bool all_done(struct workers *w)
{
	unsigned int p;

	for (p = 0; p < w->o.processors; p++)
		if (!atomic_load(&w->pr[p].done) || sink_head(&w->pr[p]))
			return false;
	return true;
}

int workers__drain(struct workers *w, int timeout_ms, decoder_emit_fn emit, void *ctx)
{
	uint64_t deadline = xg_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	size_t n = 0;
	int err;

	for (;;) {
		uint64_t limit = UINT64_MAX, now;
		unsigned int p;

		err = atomic_load(&w->err);
		if (err)
			return err;
		for (p = 0; p < w->o.processors; p++) {
			uint64_t x = atomic_load_explicit(&w->pr[p].wm, memory_order_acquire);

			if (x < limit)
				limit = x;
		}
		atomic_store(&w->limit, limit);
		err = merge(w, limit, emit, ctx, &n);
		atomic_store_explicit(&w->sunk_pub, w->sunk, memory_order_relaxed);
		if (err) {
			set_err(w, err);
			return err;
		}
		if (atomic_load(&w->stopping) && limit == UINT64_MAX && all_done(w))
			return 1;
		now = xg_mono_ns();
		if (n || now >= deadline)
			return 0;
		sleep_on(&w->sink, deadline - now < WAIT_NS ? deadline - now : WAIT_NS);
	}
}

void workers__stats(struct workers *w, struct workers_stats *out)
{
	uint64_t in = 0, held = 0, events = 0;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < w->o.readers; i++) {
		out->records += atomic_load_explicit(&w->rd[i].records, memory_order_relaxed);
		out->read_ns += atomic_load_explicit(&w->rd[i].cpu_ns, memory_order_relaxed);
		out->handoffs += atomic_load_explicit(&w->rd[i].handoffs, memory_order_relaxed);
	}
	for (i = 0; i < w->o.processors; i++) {
		struct proc *p = &w->pr[i];
		struct decoder_stats st;

		in += atomic_load_explicit(&p->in_records, memory_order_relaxed);
		held += atomic_load_explicit(&p->held, memory_order_relaxed);
		events += atomic_load_explicit(&p->events, memory_order_relaxed);
		out->proc_ns += atomic_load_explicit(&p->cpu_ns, memory_order_relaxed);
		pthread_mutex_lock(&p->st_mu);
		st = p->st;
		pthread_mutex_unlock(&p->st_mu);
		out->dec.records += st.records;
		out->dec.events += st.events;
		out->dec.inferred += st.inferred;
		out->dec.late += st.late;
		out->dec.pending += st.pending;
		out->dec.unresolved += st.unresolved;
		out->dec.late_reasons += st.late_reasons;
		out->dec.site_reasons += st.site_reasons;
		out->dec.dup_syscalls += st.dup_syscalls;
		out->dec.dup_sites += st.dup_sites;
		out->dec.lost_creates += st.lost_creates;
		out->dec.lost_exits += st.lost_exits;
		out->dec.queued += st.queued;
		out->dec.allocs += st.allocs;
		out->dec.gcs += st.gcs;
		out->dec.offcpu += st.offcpu;
		out->dec.unknown += st.unknown;
	}
	out->events = atomic_load_explicit(&w->sunk_pub, memory_order_relaxed);
	/* Records not yet in a decoder, held in one, and events not yet emitted. */
	out->queued = (out->records > in ? out->records - in : 0) + held +
		      (events > out->events ? events - out->events : 0);
}
