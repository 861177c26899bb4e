// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
#include "stacksweep.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "grow.h"
#include "gtable.h"
#include "isort.h"
#include "stacks.h"
#include "stackset.h"
#include "xgotop_event.h"

/*
 * The goroutine the UI shows is read alone about once a second, while it
 * is asked for: the detail view asks at each draw, at least every second
 * with the default --refresh; a longer refresh reads it for ASK_TTL after each.
 */
#define ONE_EVERY_NS (1000 * 1000000ull)
#define ASK_TTL_NS   (2500 * 1000000ull)
#define LFRAMES	     4096 /* logical frames resolved per stack; the first STK_MAX_FRAMES kept */

/*
 * A sweep resolved by the thread: distinct stacks (frames into the binary)
 * and goroutines, already in the stackset's form for the pump to hand over
 * whole (stackset__sweep_adopt), but for what only the pump knows: in each
 * entry, stack is its local stack + 1 (0: none), wait_since Go's
 * g.waitsince, reason an index + 1 into reasons[] (the release's own
 * strings, static), pid 0.
 */
struct sw_result {
	uint64_t ts;
	struct stk_frame *frames;
	size_t n_frames, cap_frames;
	size_t *first; /* by local stack: its frames in frames[] */
	uint32_t *n;
	size_t n_stacks, cap_first, cap_n;
	struct stk_entry *g;
	size_t n_g, cap_g;
	char **names; /* function names Go prints otherwise than pclntab has them */
	size_t n_names, cap_names;
	const char *reasons[STK_MAX_REASONS];
	uint32_t n_reasons;
};

/* Where a goroutine's g is, from the last sweep: gs are never freed, only reused. */
struct sw_addr {
	uint64_t goid, gaddr;
};

struct stacksweep {
	struct stacks_target *t;
	uint64_t interval_ns;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	uint64_t ask_goid, ask_ns; /* the goroutine shown, and when it was asked for last */
	uint64_t one_goid, one_ns; /* the goroutine read alone last, and when */
	struct sw_result *ready;   /* for the pump; replaced by a newer one */
	struct sw_result *one;	   /* the same, for a goroutine read alone */
	char err[256];		   /* the last sweep's error ("" after a good one) */
	/* The thread's own. */
	struct tb_lframe *lf;
	struct sw_addr *addrs; /* by goid */
	size_t n_addrs, cap_addrs;
	uint32_t *local; /* the sweep's stack i: local stack + 1 of the result, 0: none yet */
	size_t n_local, cap_local;
	uint64_t miss_goid; /* asked for, not in the last sweep: a whole sweep was done for it */
};

static void result_free(struct sw_result *r)
{
	if (!r)
		return;
	free(r->frames);
	free(r->first);
	free(r->n);
	free(r->g);
	while (r->n_names)
		free(r->names[--r->n_names]);
	free(r->names);
	free(r);
}

/* The shown frames of G as the result's next distinct stack. */
static int add_stack(struct stacksweep *w, struct sw_result *r, const struct stk_g *g)
{
	size_t n = stacks__frames(w->t, g, w->lf, LFRAMES), i;

	if (n > STK_MAX_FRAMES)
		n = STK_MAX_FRAMES;
	if (xg_grow((void **)&r->frames, &r->cap_frames, r->n_frames + n, sizeof(*r->frames)) ||
	    xg_grow((void **)&r->first, &r->cap_first, r->n_stacks + 1, sizeof(*r->first)) ||
	    xg_grow((void **)&r->n, &r->cap_n, r->n_stacks + 1, sizeof(*r->n)))
		return -ENOMEM;
	r->first[r->n_stacks] = r->n_frames;
	r->n[r->n_stacks] = (uint32_t)n;
	for (i = 0; i < n; i++) {
		char buf[1024];
		const char *name = stacks__func_name(w->t, &w->lf[i], buf, sizeof(buf));

		/* "f[...]" for a generic one, as Go's dump prints it: a copy of ours. */
		if (name == buf) {
			if (xg_grow((void **)&r->names, &r->cap_names, r->n_names + 1,
				    sizeof(*r->names)) ||
			    !(r->names[r->n_names] = strdup(buf)))
				return -ENOMEM;
			name = r->names[r->n_names++];
		}
		r->frames[r->n_frames + i] = (struct stk_frame){
			.func = name, .file = w->lf[i].file, .line = w->lf[i].line};
	}
	r->n_frames += n;
	r->n_stacks++;
	return 0;
}

static int by_goid(const void *pa, const void *pb)
{
	const struct stk_entry *a = pa, *b = pb;

	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

static int addr_by_goid(const void *pa, const void *pb)
{
	const struct sw_addr *a = pa, *b = pb;

	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

/* The result's local stack of the sweep's stack G->stack, resolved when first met. */
static int local_stack(struct stacksweep *w, struct sw_result *r, const struct stk_g *g,
		       uint32_t *local)
{
	size_t want = (size_t)g->stack + 1;

	if (want > w->n_local) {
		if (xg_grow((void **)&w->local, &w->cap_local, want, sizeof(*w->local)))
			return -ENOMEM;
		memset(w->local + w->n_local, 0, (want - w->n_local) * sizeof(*w->local));
		w->n_local = want;
	}
	if (!w->local[g->stack]) {
		int err = add_stack(w, r, g);

		if (err)
			return err;
		w->local[g->stack] = (uint32_t)r->n_stacks;
	}
	*local = w->local[g->stack];
	return 0;
}

/* One batch of a sweep into a result: its goroutines, their new stacks resolved. */
struct sw_batch {
	struct stacksweep *w;
	struct sw_result *r;
	bool addrs; /* keep where each goroutine is (a whole sweep) */
};

/* The release's wait reason RAW (static) as R's index + 1; 0: none, or no room. */
static uint32_t local_reason(struct sw_result *r, const char *raw)
{
	uint32_t i;

	if (!raw)
		return 0;
	for (i = r->n_reasons; i > 0; i--)
		if (r->reasons[i - 1] == raw)
			return i;
	if (r->n_reasons == STK_MAX_REASONS)
		return 0; /* never: the release's table has at most 256 (g.waitreason is a byte) */
	r->reasons[r->n_reasons++] = raw;
	return r->n_reasons;
}

static int take_batch(const struct stk_g *gs, size_t n, void *ctx)
{
	struct sw_batch *b = ctx;
	struct stacksweep *w = b->w;
	struct sw_result *r = b->r;
	size_t i;
	int err;

	if (xg_grow((void **)&r->g, &r->cap_g, r->n_g + n, sizeof(*r->g)) ||
	    (b->addrs &&
	     xg_grow((void **)&w->addrs, &w->cap_addrs, w->n_addrs + n, sizeof(*w->addrs))))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct stk_g *g = &gs[i];
		struct stk_entry *o = &r->g[r->n_g++];
		uint32_t local = 0;

		if (g->tb.state == TB_G_STACK && (err = local_stack(w, r, g, &local)))
			return err;
		if (local > STK_MAX_STACKS)
			return -ENOSPC; /* more than the stackset could take: stk_entry.stack */
		*o = (struct stk_entry){
			.goid = g->tb.goid,
			.stack = local,
			.status = (uint8_t)(g->tb.status & ~0x1000u),
			.what = (uint8_t)g->tb.state,
			.wait_since = g->waitsince > 0 ? (uint64_t)g->waitsince : 0,
			.reason = local_reason(r, g->tb.waitreason),
		};
		if (b->addrs)
			w->addrs[w->n_addrs++] = (struct sw_addr){g->tb.goid, g->gaddr};
	}
	return 0;
}

/* The sweep's stack indexes are its own: forget them before the next. */
static void sweep_done(struct stacksweep *w, struct sw_result *r)
{
	w->n_local = 0;
	/* By goid: the stackset takes a sorted sweep in one pass, on the pump's thread. */
	xg_isort(r->g, r->n_g, sizeof(*r->g), by_goid);
}

static int addr_cmp(const void *key, const void *elt)
{
	uint64_t goid = *(const uint64_t *)key, b = ((const struct sw_addr *)elt)->goid;

	return goid < b ? -1 : goid > b;
}

/*
 * GOID read alone, for the pump. 1: its g is not known (it started after
 * the last sweep): a whole sweep is due, once per goroutine.
 */
static int read_one(struct stacksweep *w, uint64_t goid)
{
	const struct sw_addr *a = bsearch(&goid, w->addrs, w->n_addrs, sizeof(*a), addr_cmp);
	struct sw_result *r;
	struct stk_sweep *s = NULL;

	if (!a) {
		if (goid == w->miss_goid)
			return 0;
		w->miss_goid = goid;
		return 1;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return 0;
	r->ts = xg_mono_ns();
	/* Gone, unreadable or out of memory: the detail view keeps the sweep's. */
	if (stacks__read_g(w->t, a->gaddr, goid, &s) ||
	    take_batch(stk_sweep__g(s, 0), stk_sweep__n(s), &(struct sw_batch){w, r, false})) {
		w->n_local = 0;
		stk_sweep__free(s);
		result_free(r);
		return 0;
	}
	sweep_done(w, r);
	stk_sweep__free(s);
	pthread_mutex_lock(&w->mu);
	result_free(w->one);
	w->one = r;
	pthread_mutex_unlock(&w->mu);
	return 0;
}

/*
 * Where each goroutine is (16 bytes a goroutine) is kept only while the UI
 * shows one (its detail view): headless and -n never read one alone, and a
 * goroutine asked for first costs one whole sweep, as a young one does.
 */
static bool want_addrs(struct stacksweep *w)
{
	uint64_t now = xg_mono_ns();
	bool want;

	pthread_mutex_lock(&w->mu);
	want = w->ask_goid && now <= w->ask_ns + ASK_TTL_NS;
	pthread_mutex_unlock(&w->mu);
	if (!want) {
		free(w->addrs);
		w->addrs = NULL;
		w->n_addrs = w->cap_addrs = 0;
	}
	return want;
}

static void sweep_once(struct stacksweep *w)
{
	struct sw_result *r = calloc(1, sizeof(*r));
	struct sw_batch b = {w, r, want_addrs(w)};
	char err[256] = "";
	int rc = -ENOMEM, tries;

	/*
	 * Memory freed since (attaching, the last sweep) goes back to the system
	 * before a sweep's peak: malloc keeps freed heap pages, each thread's
	 * arena its own. 1M parked goroutines, -n 1: peak 439 -> 406 MB
	 * (median of 3), for 1-5 ms of this thread.
	 */
	malloc_trim(0);

	if (!r)
		goto fail;
	r->ts = xg_mono_ns();
	/* allgs may grow while its header is read: read it again, as --stacks does. */
	for (tries = 0; tries < 5; tries++) {
		/* Goroutines whose g is not known since a failed sweep cost a whole one. */
		w->n_addrs = 0;
		rc = stacks__sweep_each(w->t, take_batch, &b, NULL, err, sizeof(err));
		if (rc != -EAGAIN)
			break;
	}
	if (rc) {
		w->n_local = 0;
		goto fail;
	}
	sweep_done(w, r);
	xg_isort(w->addrs, w->n_addrs, sizeof(*w->addrs), addr_by_goid);
	pthread_mutex_lock(&w->mu);
	result_free(w->ready);
	w->ready = r;
	w->err[0] = 0;
	pthread_mutex_unlock(&w->mu);
	return;
fail:
	result_free(r);
	pthread_mutex_lock(&w->mu);
	snprintf(w->err, sizeof(w->err), "%s", err[0] ? err : strerror(-rc));
	pthread_mutex_unlock(&w->mu);
}

/* When the goroutine asked for is due to be read alone; UINT64_MAX: none is. Under mu. */
static uint64_t one_due(const struct stacksweep *w, uint64_t now)
{
	if (!w->ask_goid || now > w->ask_ns + ASK_TTL_NS)
		return UINT64_MAX;
	return w->ask_goid != w->one_goid ? now : w->one_ns + ONE_EVERY_NS;
}

/* Wait (under mu) until DUE, a signal, or a spurious wake-up. */
static void wait_until(struct stacksweep *w, uint64_t due, uint64_t now)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)((due - now) / 1000000000ull);
	ts.tv_nsec += (long)((due - now) % 1000000000ull);
	if (ts.tv_nsec >= 1000000000l) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000l;
	}
	pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void *sweep_main(void *arg)
{
	struct stacksweep *w = arg;
	uint64_t last = 0;
	sigset_t all;

	/* Signals are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		uint64_t now = xg_mono_ns(), one = one_due(w, now), goid;
		uint64_t due = last ? last + w->interval_ns : now;

		if (now < due && now < one) {
			wait_until(w, one < due ? one : due, now);
			continue;
		}
		if (now >= one) {
			goid = w->one_goid = w->ask_goid;
			w->one_ns = now;
			pthread_mutex_unlock(&w->mu);
			if (read_one(w, goid) == 1) {
				last = xg_mono_ns();
				sweep_once(w);
			}
		} else {
			pthread_mutex_unlock(&w->mu);
			last = xg_mono_ns();
			sweep_once(w);
		}
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct stacksweep *stacksweep__start(pid_t pid, uint64_t interval_ns, char *err, size_t errlen)
{
	struct stacksweep *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	int rc;

	if (!w || !(w->lf = calloc(LFRAMES, sizeof(*w->lf)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->interval_ns = interval_ns;
	w->t = stacks__open(pid, err, errlen);
	if (!w->t)
		goto fail;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&w->thr, NULL, sweep_main, w);
	if (rc) {
		snprintf(err, errlen, "cannot start the stack sweeper: %s", strerror(rc));
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		stacks__close(w->t);
		goto fail;
	}
	return w;
fail:
	if (w)
		free(w->lf);
	free(w);
	return NULL;
}

void stacksweep__want(struct stacksweep *w, uint64_t goid)
{
	uint64_t now = xg_mono_ns();

	pthread_mutex_lock(&w->mu);
	/* A new goroutine, or one asked for again after a pause: read it now. */
	if (goid != w->ask_goid || now > w->ask_ns + ASK_TTL_NS)
		pthread_cond_signal(&w->cv);
	w->ask_goid = goid;
	w->ask_ns = now;
	pthread_mutex_unlock(&w->mu);
}

/*
 * How long G has waited: the state table's time when it saw the wait begin
 * or Go's g.waitsince it was found with, else the earlier of the table's
 * lower bound (found waiting at attach) and g.waitsince as swept now.
 */
static uint64_t wait_since(const struct stk_entry *g, const struct gtable *gt, uint32_t pid)
{
	const struct gentry *e;

	if (g->status != XG_G_WAITING)
		return 0;
	e = gt ? gtable__find(gt, pid, g->goid) : NULL;
	if (e && e->state == XG_G_WAITING && e->state_since) {
		uint64_t go = gentry__go_waitsince(e);
		bool seen = e->created_ts || e->transitions;

		if (go)
			return go;
		if (seen || !g->wait_since || g->wait_since > e->state_since)
			return e->state_since;
	}
	return g->wait_since;
}

/* R's wait reasons as the stackset's ids, by R's index (0: none, or out of memory). */
static void reason_ids(const struct sw_result *r, struct stackset *set, uint16_t *ids)
{
	uint32_t i;

	ids[0] = 0;
	for (i = 0; i < r->n_reasons; i++)
		ids[i + 1] = (uint16_t)stackset__reason_id(set, r->reasons[i]);
}

/* G of a resolved result as the stackset keeps it, IDS its stacks' ids there, RIDS its reasons'. */
static void entry_of(struct stk_entry *g, const uint32_t *ids, const struct gtable *gt,
		     uint32_t pid, const uint16_t *rids)
{
	g->pid = pid;
	g->stack = g->stack ? ids[g->stack - 1] : 0;
	g->wait_since = wait_since(g, gt, pid);
	g->reason = g->status == XG_G_WAITING ? rids[g->reason] : 0;
}

/* R's distinct stacks interned into SET: their ids by local index (free it), NULL and errno. */
static uint32_t *intern_all(const struct sw_result *r, struct stackset *set)
{
	uint32_t *ids = calloc(r->n_stacks + 1, sizeof(*ids));
	size_t i;

	if (!ids)
		return NULL;
	for (i = 0; i < r->n_stacks; i++) {
		ids[i] = stackset__intern(set, &r->frames[r->first[i]], r->n[i]);
		if (!ids[i]) {
			int e = errno;

			free(ids);
			errno = e;
			return NULL;
		}
	}
	return ids;
}

/* R's goroutines made the stackset's current sweep: it takes their array, not a copy. */
static int install(struct sw_result *r, struct stackset *set, const struct gtable *gt, uint32_t pid)
{
	uint32_t *ids = intern_all(r, set);
	uint16_t rids[STK_MAX_REASONS + 1];
	size_t i;
	int err;

	if (!ids)
		return -errno;
	reason_ids(r, set, rids);
	for (i = 0; i < r->n_g; i++)
		entry_of(&r->g[i], ids, gt, pid, rids);
	free(ids);
	err = stackset__sweep_adopt(set, r->ts, r->g, r->n_g);
	r->g = NULL; /* the set's now, or freed */
	return err;
}

/* A goroutine read alone: the detail view shows it while it is newer than the sweep. */
static int install_one(struct sw_result *r, struct stackset *set, const struct gtable *gt,
		       uint32_t pid)
{
	uint32_t *ids;
	uint16_t rids[STK_MAX_REASONS + 1];
	int err;

	if (r->n_g != 1)
		return 0;
	ids = intern_all(r, set);
	if (!ids)
		return -errno;
	reason_ids(r, set, rids);
	entry_of(&r->g[0], ids, gt, pid, rids);
	err = stackset__set_one(set, &r->g[0], r->ts);
	free(ids);
	return err;
}

int stacksweep__collect(struct stacksweep *w, struct stackset *set, const struct gtable *gt,
			uint32_t pid, char *err, size_t errlen)
{
	struct sw_result *r, *one;
	int rc = 0, rc1 = 0;

	pthread_mutex_lock(&w->mu);
	r = w->ready;
	w->ready = NULL;
	one = w->one;
	w->one = NULL;
	snprintf(err, errlen, "%s", w->err);
	pthread_mutex_unlock(&w->mu);
	if (r)
		rc = install(r, set, gt, pid);
	if (one)
		rc1 = install_one(one, set, gt, pid);
	result_free(r);
	result_free(one);
	return rc ? rc : rc1 ? rc1 : r ? 1 : 0;
}

void stacksweep__stop(struct stacksweep *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thr, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	result_free(w->ready);
	result_free(w->one);
	stacks__close(w->t);
	free(w->lf);
	free(w->addrs);
	free(w->local);
	free(w);
}
