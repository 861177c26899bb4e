// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
#include "heapsrc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "clock.h"
#include "gpoll.h"

#define PERIOD_NS 1000000000ull
/*
 * Every tenth sample says every class in use, changed or not: a replay that
 * seeks (its state table rebuilt from a keyframe, every 10 s by default)
 * has the whole histogram again within FULL_EVERY samples.
 */
#define FULL_EVERY 10

static void ev_init(struct gev *ev, enum gev_kind kind, uint64_t ts, uint32_t pid)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts = ts;
	ev->pid = pid;
	ev->reason = GEV_NO_REASON;
}

/* Class C needs no event: as PREV had it, or (no PREV) never used. */
static bool skip_class(const struct heap_sample *prev, const struct heap_sample *cur,
		       unsigned int c)
{
	if (c != XG_ALLOC_LARGE) {
		if (!prev)
			return !cur->allocs[c] && !cur->frees[c];
		return prev->allocs[c] == cur->allocs[c] && prev->frees[c] == cur->frees[c];
	}
	if (!prev)
		return !cur->large_allocs && !cur->large_frees;
	return prev->large_allocs == cur->large_allocs && prev->large_frees == cur->large_frees &&
	       prev->large_alloc_bytes == cur->large_alloc_bytes &&
	       prev->large_free_bytes == cur->large_free_bytes;
}

static int emit_class(const struct heap_layout *l, const struct heap_sample *prev,
		      const struct heap_sample *cur, unsigned int c, struct gev *ev,
		      heap_emit_fn emit, void *ctx)
{
	if (skip_class(prev, cur, c))
		return 0;
	if (c == XG_ALLOC_LARGE) {
		ev->heap.class_size = 0;
		ev->heap.allocs = cur->large_allocs;
		ev->heap.frees = cur->large_frees;
		ev->heap.alloc_bytes = cur->large_alloc_bytes;
		ev->heap.free_bytes = cur->large_free_bytes;
	} else {
		ev->heap.class_size = l->class_size[c];
		ev->heap.allocs = cur->allocs[c];
		ev->heap.frees = cur->frees[c];
		ev->heap.alloc_bytes = cur->allocs[c] * l->class_size[c];
		ev->heap.free_bytes = cur->frees[c] * l->class_size[c];
	}
	ev->heap.cls = (uint8_t)c;
	return emit(ev, ctx);
}

int heapsrc__events(const struct heap_layout *l, const struct heap_sample *prev,
		    const struct heap_sample *cur, uint64_t ts, uint32_t pid, heap_emit_fn emit,
		    void *ctx)
{
	struct heap_totals t;
	struct gev ev;
	unsigned int c;
	int err;

	for (c = 1; c <= XG_ALLOC_LARGE; c++) {
		ev_init(&ev, GEV_HEAP_CLASS, ts, pid);
		err = emit_class(l, prev, cur, c, &ev, emit, ctx);
		if (err)
			return err;
	}
	heap__totals(l, cur, &t);
	ev_init(&ev, GEV_HEAP, ts, pid);
	ev.heap.allocs = t.allocs;
	ev.heap.frees = t.frees;
	ev.heap.alloc_bytes = t.alloc_bytes;
	ev.heap.free_bytes = t.free_bytes;
	ev.heap.tiny = cur->tiny;
	return emit(&ev, ctx);
}

/* ---- the live source ------------------------------------------------------------- */

struct heap_src {
	const struct goelf *ge;
	struct file_id bin;
	pid_t pid;
	struct heap_layout l;
	bool have_bias, have_prev;
	uint64_t bias, next;
	struct heap_sample prev, cur;
	struct heap_src_stats st;
};

static int vm_read(const struct heap_iov *iov, size_t n, void *ctx)
{
	struct heap_src *s = ctx;
	struct iovec local[8], remote[8];
	size_t i, total = 0;
	ssize_t got;

	if (n > 8)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		local[i].iov_base = iov[i].buf;
		local[i].iov_len = iov[i].len;
		remote[i].iov_base = (void *)(uintptr_t)iov[i].addr;
		remote[i].iov_len = iov[i].len;
		total += iov[i].len;
	}
	got = process_vm_readv(s->pid, local, n, remote, n, 0);
	if (got < 0)
		return -errno;
	return (size_t)got == total ? 0 : -EFAULT;
}

struct heap_src *heap_src__open(const struct goelf *ge, const char *path, pid_t pid, char *err,
				size_t errlen)
{
	struct heap_src *s;
	int e;

	if (pid <= 0) {
		snprintf(err, errlen, "no single process to read (-b)");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e = file_id__stat(path, &s->bin);
	if (e) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-e));
		free(s);
		return NULL;
	}
	s->ge = ge;
	s->pid = pid;
	if (heap__layout(ge, &s->l, err, errlen)) {
		free(s);
		return NULL;
	}
	return s;
}

void heap_src__free(struct heap_src *s)
{
	free(s);
}

int heap_src__pump(struct heap_src *s, uint64_t now, heap_emit_fn emit, void *ctx)
{
	uint64_t t0;
	int err;

	if (now < s->next)
		return 0;
	s->next = now + PERIOD_NS;
	if (!s->have_bias) {
		err = poll__find_bias(s->ge, &s->bin, s->pid, &s->bias);
		if (err)
			return err == -ESRCH ? err : 0;
		s->have_bias = true;
	}
	t0 = xg_mono_ns();
	err = heap__read(&s->l, s->bias, vm_read, s, &s->cur);
	s->st.read_ns += xg_mono_ns() - t0;
	if (err == -ESRCH || err == -ENOMEM)
		return err;
	if (err) {
		/* Not mapped yet (a runtime that has not started), or no consistent read. */
		s->st.retries++;
		return 0;
	}
	err = heapsrc__events(&s->l, s->have_prev && s->st.samples % FULL_EVERY ? &s->prev : NULL,
			      &s->cur, now, (uint32_t)s->pid, emit, ctx);
	s->prev = s->cur;
	s->have_prev = true;
	s->st.samples++;
	return err;
}

void heap_src__stats(const struct heap_src *s, struct heap_src_stats *out)
{
	*out = s->st;
}
