// SPDX-License-Identifier: BSD-2-Clause
/*
 * The sink of a live session: decoded events are symbolized (start and go
 * PCs through the load bias, wait and stop-the-world reasons, allocation
 * type names), then applied to the state table, written as JSONL and
 * recorded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocs.h"
#include "clock.h"
#include "diag.h"
#include "gpoll.h"
#include "gtable.h"
#include "jsonl.h"
#include "outfile.h"
#include "record.h"
#include "session.h"
#include "tracer.h"

/* ---- load bias and symbols ------------------------------------------------ */

static uint64_t proc_bias(struct tracer *t, uint32_t pid)
{
	struct sink *k = &t->sink;
	uint64_t bias = 0;
	unsigned int i;

	if (t->rings.wk)
		pthread_mutex_lock(&k->bias_mu);
	for (i = 0; i < k->n_procs; i++)
		if (k->procs[i].pid == pid) {
			bias = k->procs[i].bias;
			break;
		}
	if (t->rings.wk)
		pthread_mutex_unlock(&k->bias_mu);
	return bias;
}

void sink__learn_bias(struct tracer *t, const struct xg_event *rec)
{
	struct sink *k = &t->sink;
	unsigned int i;
	uint64_t bias;

	if (!goelf__is_pie(t->tg.ge))
		return;
	for (i = 0; i < k->n_procs; i++)
		if (k->procs[i].pid == rec->pid)
			return;
	/*
	 * The probe fired at (or, on x86, one byte after) one of the sites:
	 * the difference to its link address, page-aligned, is the load bias.
	 */
	if (probes__bias(t->tg.sites, t->tg.n_sites, rec->ip, &bias))
		return;
	if (k->n_procs == MAX_PROCS)
		k->n_procs = 0; /* -b with many short-lived processes: recycle */
	k->procs[k->n_procs].pid = rec->pid;
	k->procs[k->n_procs].bias = bias;
	k->n_procs++;
}

/*
 * What sink__learn_bias does from probe records, from a read of the
 * goroutine table: the load bias, to symbolize start and go PCs (once it
 * is known).
 */
void sink__bias_from_poll(struct tracer *t, const struct poll_src *src)
{
	struct sink *k = &t->sink;

	if (!k->n_procs && !poll_src__bias(src, &k->procs[0].bias)) {
		k->procs[0].pid = (uint32_t)t->tg.pid;
		k->n_procs = 1;
	}
}

/* START: PC is a g.startpc, named as Go names start functions (wrappers resolved). */
static bool symbolize(const struct goelf *ge, struct symcache_entry *cache, uint64_t pc, bool start,
		      struct go_pcinfo *out)
{
	uint64_t key = pc | (start ? 1ull << 63 : 0);
	struct symcache_entry *c = &cache[(pc ^ (pc >> 12)) % SYMCACHE_SIZE];

	if (c->pc != key || !c->pc) {
		c->pc = key;
		c->ok = !(start ? goelf__start_func(ge, pc, &c->info)
				: goelf__pc_lookup(ge, pc, &c->info));
	}
	if (c->ok)
		*out = c->info;
	return c->ok;
}

void sink__symbolize(struct tracer *t, struct symcache_entry *cache, struct gev *ev)
{
	struct go_pcinfo pi;

	if (ev->kind == GEV_CREATE) {
		uint64_t bias = proc_bias(t, ev->pid);
		/* Go reports the go statement's line at gopc - PCQuantum. */
		uint64_t quantum = goelf__arch(t->tg.ge) == GOELF_ARCH_ARM64 ? 4 : 1;

		if (ev->startpc && symbolize(t->tg.ge, cache, ev->startpc - bias, true, &pi))
			ev->func = pi.func;
		if (ev->gopc && symbolize(t->tg.ge, cache, ev->gopc - bias - quantum, false, &pi)) {
			ev->created_by = pi.func;
			ev->file = pi.file;
			ev->line = pi.line;
		}
	}
	if (ev->reason >= 0)
		ev->reason_str = go_tables__waitreason(&t->tg.tables, (unsigned int)ev->reason);
}

/* Type names of allocations, stop-the-world reasons: what the records carry as numbers. */
static void name_event(struct tracer *t, struct gev *ev)
{
	const struct bpfobj *b = &t->bpf;

	if (ev->kind == GEV_ALLOC && ev->alloc.type_addr && b->types)
		ev->alloc.type =
			alloc_types__name(b->types, ev->alloc.type_addr - proc_bias(t, ev->pid));
	if (ev->kind == GEV_GC && ev->gc.reason >= 0)
		ev->gc.reason_str = go_tables__stw_reason(b->go_major, b->go_minor,
							  (unsigned int)ev->gc.reason);
}

/* ---- the consumers --------------------------------------------------------- */

void sink__record_error(struct tracer *t, int err)
{
	if (err && !t->sink.rec_err) {
		t->sink.rec_err = err;
		diag__fail("cannot write %s: %s (tracing goes on)",
			   t->opts->record ? t->opts->record : "the flight recorder",
			   strerror(-err));
	}
}

/* The type names' cache is not thread-safe: named here, in the sink's one thread. */
static int apply_event(struct tracer *t, struct gev *ev)
{
	struct sink *k = &t->sink;
	int err;

	if (ev->kind == GEV_ALLOC || ev->kind == GEV_GC)
		name_event(t, ev);

	if (t->prom.ps)
		promlive__observe(t, ev);
	err = gtable__apply(k->gt, ev);
	if (err)
		return err;
	/* From ring records, in the reorder window's order (not a map read's "now"). */
	if (gev_kind_info(ev->kind) && gev_kind_info(ev->kind)->record && ev->ts > k->last_ts)
		k->last_ts = ev->ts;
	t->m.n_events++;
	if (k->out && !k->out_err) {
		k->out_err = jsonl__write(k->out, ev);
		if (k->out_err) {
			diag__fail("cannot write %s: %s", t->opts->jsonl, strerror(-k->out_err));
			/* The events have nowhere to go (| head ended): stop as on SIGTERM. */
			live_stop_signal = SIGTERM;
		}
	}
	if (k->rec)
		sink__record_error(t, record__event(k->rec, ev));
	return 0;
}

int sink__emit(const struct gev *in, void *ctx)
{
	struct tracer *t = ctx;
	struct gev ev = *in;

	sink__symbolize(t, t->sink.symcache, &ev);
	return apply_event(t, &ev);
}

int sink__put(const struct gev *in, void *ctx)
{
	struct gev ev = *in;

	return apply_event(ctx, &ev);
}

/* --record, and the flight recorder behind the UI's save key: opened before attaching. */
static int record_open(struct tracer *t)
{
	const struct live_opts *opts = t->opts;
	struct record_opts o = {.path = opts->record,
				.force = opts->force,
				.table = t->sink.gt,
				.history_bytes = (uint64_t)opts->history_mb << 20};
	int e;

	if (opts->ui && opts->history_min > 0)
		o.history_ns = (uint64_t)(opts->history_min * 60e9);
	if (!o.path && !o.history_ns)
		return 0;
	t->sink.rec = record__open(&o);
	if (t->sink.rec)
		return 0;
	e = errno;
	if (e == EEXIST)
		diag__fail("cannot record to %s: it exists (add --force to overwrite it)",
			   opts->record);
	else if (e == ELOOP)
		diag__fail("cannot record to %s: it is a symbolic link", opts->record);
	else
		diag__fail("cannot record to %s: %s", opts->record ? opts->record : "memory",
			   strerror(e));
	return -e;
}

int sink__open(struct tracer *t)
{
	struct gtable_opts gopts = {};
	struct sink *k = &t->sink;

	k->symcache = calloc(SYMCACHE_SIZE, sizeof(*k->symcache));
	k->gt = gtable__new(&gopts);
	if (!k->symcache || !k->gt) {
		diag__fail("out of memory");
		return -ENOMEM;
	}
	if (t->opts->jsonl) {
		k->out = jsonl__open(t->opts->jsonl, t->opts->force);
		if (!k->out) {
			diag__fail("cannot write %s: %s", t->opts->jsonl, outfile__why(-errno));
			return -errno;
		}
	}
	return record_open(t);
}

int sink__begin_recording(struct tracer *t)
{
	const struct target *tg = &t->tg;
	struct record_meta m = {.pid = (uint32_t)tg->pid,
				.path = tg->display,
				.go_version = goelf__go_version(tg->ge),
				.arch = goelf__arch_name(tg->ge),
				.mod_path = goelf__mod_path(tg->ge),
				.probes = t->attached,
				.mode = tg->launched ? "launch"
					: tg->pid    ? "pid"
						     : "binary",
				.off = &tg->tables.off,
				.off_source = tg->tables.off_source,
				.wait_source = tg->tables.wait_source};

	sink__record_error(t, t->sink.rec ? record__begin(t->sink.rec, &m) : 0);
	return t->sink.rec_err;
}

int sink__close(struct tracer *t, int rc)
{
	struct sink *k = &t->sink;

	if (k->out && jsonl__close(k->out) && rc == 0)
		rc = 1;
	k->out = NULL;
	if (k->rec) {
		sink__record_error(t, record__close(k->rec));
		if (k->rec_err && rc == 0)
			rc = 1;
	}
	k->rec = NULL;
	return rc;
}

void sink__free(struct tracer *t)
{
	gtable__free(t->sink.gt);
	free(t->sink.symcache);
	t->sink.gt = NULL;
	t->sink.symcache = NULL;
}
