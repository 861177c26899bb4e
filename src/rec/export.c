// SPDX-License-Identifier: BSD-2-Clause
/*
 * Exports of a recording. The Chrome trace JSON follows the "Trace Event
 * Format" (phases X, M, C): each goroutine is a thread of its process, so
 * Perfetto gives it a track; the spans come from a state table fed with
 * the events, which knows when each state began, so a slice is emitted
 * when a goroutine leaves a state and the tracks of exited goroutines end
 * at their exit.
 */
#define _GNU_SOURCE
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xgotop_event.h"
#include "gtable.h"
#include "jsonl.h"
#include "outfile.h"
#include "record.h"
#include "replay.h"
#include "sanitize.h"

#define OUT_BUF	     (1u << 20)
#define EXPIRE_EVERY 65536
/* Tracks of their own in each process, above the goroutines: ids no goroutine has. */
#define GC_TID	   2147483646
#define STW_TID	   2147483645
#define ALLOC_STEP 10000000ull /* allocation counters: a sample per 10 ms at most */

/* A string literal, its length known at compile time. */
#define OUT_LIT(o, lit) out_put(o, lit, sizeof(lit) - 1)

/* Buffered output to a file descriptor, with a sticky error. */
struct out {
	int fd;
	bool own;
	int err;
	size_t len;
	char buf[OUT_BUF];
};

static void out_flush(struct out *o)
{
	const char *p = o->buf;
	size_t n = o->len;

	while (n && !o->err) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno != EINTR)
				o->err = -errno;
			continue;
		}
		p += w;
		n -= w;
	}
	o->len = 0;
}

static void out_put(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(o->buf) - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			out_flush(o);
	}
}

static void out_printf(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of a well-formed UTF-8 sequence at S (at most AVAIL bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* A JSON string: escapes, and U+FFFD for bytes that are not UTF-8, so the file always parses. */
static void out_json_str(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), i = 0;

	OUT_LIT(o, "\"");
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};

			out_put(o, esc, 2);
			i++;
		} else if (c < 0x20) {
			out_printf(o, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			out_put(o, (const char *)s + i, 1);
			i++;
		} else if ((n = utf8_len(s + i, len - i))) {
			out_put(o, (const char *)s + i, n);
			i += n;
		} else {
			OUT_LIT(o, "\\ufffd");
			i++;
		}
	}
	OUT_LIT(o, "\"");
}

static int out_open(struct out *o, const char *path, bool force)
{
	o->len = 0;
	o->err = 0;
	if (!strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		o->own = false;
		return 0;
	}
	o->fd = outfile__create(path, force);
	o->own = true;
	return o->fd < 0 ? o->fd : 0;
}

static int out_close(struct out *o)
{
	out_flush(o);
	if (o->own && close(o->fd) && !o->err)
		o->err = -errno;
	return o->err;
}

/* ---- JSONL ------------------------------------------------------------------ */

static int export_jsonl(struct rec_reader *r, struct out *o)
{
	struct rec_iter *it = rec_iter__new(r, 0);
	struct rec_item item;
	char line[64 * 1024], *big = NULL;
	uint64_t unknown = 0;

	if (!it)
		return -ENOMEM;
	while (!o->err && rec_iter__next(it, &item) > 0) {
		int n;

		if (item.kind != REC_ITEM_EVENT)
			continue;
		n = jsonl__format(&item.ev, line, sizeof(line));
		if (n == -ENOSPC) {
			/* Names of a megabyte are possible in a damaged binary: escape at 6x. */
			size_t cap = 64 * 1024 + 6 * (REC_MAX_STRING + 64) * 4;

			if (!big && !(big = malloc(cap)))
				break;
			n = jsonl__format(&item.ev, big, cap);
			if (n > 0)
				out_put(o, big, n);
			continue;
		}
		if (n > 0)
			out_put(o, line, n);
		else if (n == -EINVAL)
			unknown++; /* a kind of event from a newer xgotop-tui */
	}
	if (unknown)
		fprintf(stderr,
			"xgotop-tui: warning: %llu events of kinds this xgotop-tui does not know "
			"were skipped\n",
			(unsigned long long)unknown);
	free(big);
	rec_iter__free(it);
	return 0;
}

/* ---- Chrome trace JSON --------------------------------------------------------- */

struct pf_proc {
	uint32_t pid;
	bool gc_named;
	uint64_t alloc_bytes, allocs, alloc_ts;
	bool alloc_pending;
};

struct pf {
	struct out *o;
	struct gtable *gt;
	uint64_t t0;
	struct pf_proc *procs;
	size_t n_procs, cap_procs;
	bool first;
};

static void pf_sep(struct pf *p)
{
	out_put(p->o, p->first ? "\n" : ",\n", p->first ? 1 : 2);
	p->first = false;
}

/* Microseconds since the recording's start, with the nanoseconds kept. */
static void pf_ts(struct pf *p, const char *key, uint64_t ts)
{
	uint64_t d = ts > p->t0 ? ts - p->t0 : 0;

	out_printf(p->o, ",\"%s\":%" PRIu64 ".%03u", key, d / 1000, (unsigned int)(d % 1000));
}

static void pf_dur(struct pf *p, uint64_t d)
{
	out_printf(p->o, ",\"dur\":%" PRIu64 ".%03u", d / 1000, (unsigned int)(d % 1000));
}

static const char *state_color(uint8_t s)
{
	switch (s) {
	case XG_G_RUNNING:
		return "thread_state_running";
	case XG_G_RUNNABLE:
		return "thread_state_runnable";
	case XG_G_SYSCALL:
		return "thread_state_iowait";
	case XG_G_WAITING:
		return "thread_state_sleeping";
	case XG_G_PREEMPTED:
		return "thread_state_uninterruptible";
	case XG_G_COPYSTACK:
		return "yellow";
	default:
		return "thread_state_unknown";
	}
}

/* The process, named on first sight. NULL on ENOMEM. */
static struct pf_proc *pf_process(struct pf *p, uint32_t pid, const struct rec_header *h)
{
	struct pf_proc *pr;
	char name[512];
	size_t i;

	for (i = 0; i < p->n_procs; i++)
		if (p->procs[i].pid == pid)
			return &p->procs[i];
	if (p->n_procs == p->cap_procs) {
		size_t cap = p->cap_procs ? p->cap_procs * 2 : 16;
		struct pf_proc *v = realloc(p->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->procs = v;
		p->cap_procs = cap;
	}
	pr = &p->procs[p->n_procs++];
	*pr = (struct pf_proc){.pid = pid};
	snprintf(name, sizeof(name), "pid %u %s (%s)", pid, h->path ? h->path : "?",
		 h->go_version ? h->go_version : "?");
	pf_sep(p);
	out_printf(p->o,
		   "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":0,"
		   "\"args\":{\"name\":",
		   pid);
	out_json_str(p->o, name);
	OUT_LIT(p->o, "}}");
	return pr;
}

/* A track named NAME, placed by SORT (goroutines by their goid, GC above them). */
static void pf_track(struct pf *p, uint32_t pid, uint64_t tid, const char *name, int64_t sort)
{
	pf_sep(p);
	out_printf(p->o,
		   "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%" PRIu64
		   ",\"args\":{\"name\":",
		   pid, tid);
	out_json_str(p->o, name);
	OUT_LIT(p->o, "}}");
	pf_sep(p);
	out_printf(p->o,
		   "{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%u,\"tid\":%" PRIu64
		   ",\"args\":{\"sort_index\":%" PRId64 "}}",
		   pid, tid, sort);
}

/* A goroutine's track: "gN start-function". */
static void pf_thread(struct pf *p, uint32_t pid, uint64_t goid, const char *func)
{
	char *name;

	if (asprintf(&name, "g%" PRIu64 "%s%s", goid, func ? " " : "", func ? func : "") < 0)
		return;
	pf_track(p, pid, goid, name, (int64_t)goid);
	free(name);
}

/* The span E spent in its current state, up to END. */
static void pf_span(struct pf *p, const struct gentry *e, uint64_t end)
{
	if (end <= e->state_since || e->state == XG_G_DEAD || e->state == XG_G_IDLE)
		return;
	pf_sep(p);
	OUT_LIT(p->o, "{\"ph\":\"X\",\"cat\":\"goroutine\",\"name\":");
	if (e->state == XG_G_WAITING && e->reason_str) {
		char *name;

		if (asprintf(&name, "waiting: %s", e->reason_str) >= 0) {
			out_json_str(p->o, name);
			free(name);
		}
	} else {
		out_json_str(p->o, gev_state_name(e->state));
	}
	out_printf(p->o, ",\"pid\":%u,\"tid\":%" PRIu64, e->pid, e->goid);
	pf_ts(p, "ts", e->state_since);
	pf_dur(p, end - e->state_since);
	out_printf(p->o, ",\"cname\":\"%s\"", state_color(e->state));
	if (e->state == XG_G_WAITING && e->reason_str) {
		OUT_LIT(p->o, ",\"args\":{\"reason\":");
		out_json_str(p->o, e->reason_str);
		OUT_LIT(p->o, "}");
	}
	OUT_LIT(p->o, "}");
}

/*
 * GC: a slice per cycle on the process's GC track and per stop-the-world on
 * a track of its own (the decoder gives their durations at their ends); the
 * other phases are instants.
 */
static void pf_gc(struct pf *p, struct pf_proc *pr, const struct gev *ev)
{
	const struct gev_gc *g = &ev->gc;
	uint64_t start = ev->ts > g->dur_ns ? ev->ts - g->dur_ns : 0;
	char name[256];

	if (!pr->gc_named) {
		pf_track(p, pr->pid, GC_TID, "GC", -2);
		pf_track(p, pr->pid, STW_TID, "stop the world", -1);
		pr->gc_named = true;
	}
	pf_sep(p);
	switch (g->phase) {
	case XG_GC_END:
		snprintf(name, sizeof(name), "GC cycle %u", g->cycle);
		out_printf(p->o, "{\"ph\":\"X\",\"cat\":\"gc\",\"pid\":%u,\"tid\":%d", pr->pid,
			   GC_TID);
		pf_ts(p, "ts", start);
		pf_dur(p, g->dur_ns);
		OUT_LIT(p->o, ",\"name\":");
		out_json_str(p->o, name);
		out_printf(p->o,
			   ",\"args\":{\"pauses\":%u,\"pause_ns\":%" PRIu64
			   ",\"max_pause_ns\":%" PRIu64 ",\"mark_ns\":%" PRIu64 "}}",
			   g->n_stw, g->stw_ns, g->stw_max_ns, g->mark_ns);
		return;
	case XG_GC_STW_END:
		snprintf(name, sizeof(name), "stop the world%s%s", g->reason_str ? ": " : "",
			 g->reason_str ? g->reason_str : "");
		out_printf(p->o, "{\"ph\":\"X\",\"cat\":\"gc\",\"pid\":%u,\"tid\":%d", pr->pid,
			   STW_TID);
		pf_ts(p, "ts", start);
		pf_dur(p, g->dur_ns);
		OUT_LIT(p->o, ",\"cname\":\"terrible\",\"name\":");
		out_json_str(p->o, name);
		OUT_LIT(p->o, "}");
		return;
	default:
		/* A cycle starting, marking ending, sweeping, the world stopping: moments. */
		out_printf(p->o, "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"gc\",\"pid\":%u,\"tid\":%d",
			   pr->pid, g->phase == XG_GC_STW_START ? STW_TID : GC_TID);
		pf_ts(p, "ts", ev->ts);
		OUT_LIT(p->o, ",\"name\":");
		out_json_str(p->o, gev_gc_phase_name(g->phase));
		OUT_LIT(p->o, "}");
		return;
	}
}

/* Allocations: counters of what a process allocated so far, a sample per ALLOC_STEP at most. */
static void pf_alloc_flush(struct pf *p, struct pf_proc *pr, uint64_t ts)
{
	pf_sep(p);
	out_printf(p->o, "{\"ph\":\"C\",\"name\":\"allocated\",\"pid\":%u", pr->pid);
	pf_ts(p, "ts", ts);
	out_printf(p->o, ",\"args\":{\"bytes\":%" PRIu64 ",\"objects\":%" PRIu64 "}}",
		   pr->alloc_bytes, pr->allocs);
	pr->alloc_ts = ts;
	pr->alloc_pending = false;
}

static void pf_alloc(struct pf *p, struct pf_proc *pr, const struct gev *ev)
{
	pr->alloc_bytes += ev->alloc.size;
	pr->allocs++;
	pr->alloc_pending = true;
	if (ev->ts >= pr->alloc_ts + ALLOC_STEP)
		pf_alloc_flush(p, pr, ev->ts);
}

/* The runtime's heap counters (GEV_HEAP, about once a second): live and allocated so far. */
static void pf_heap(struct pf *p, const struct pf_proc *pr, const struct gev *ev)
{
	pf_sep(p);
	out_printf(p->o, "{\"ph\":\"C\",\"name\":\"heap (runtime counters)\",\"pid\":%u", pr->pid);
	pf_ts(p, "ts", ev->ts);
	out_printf(p->o,
		   ",\"args\":{\"live bytes\":%" PRIu64 ",\"live objects\":%" PRIu64
		   ",\"allocated bytes\":%" PRIu64 "}}",
		   ev->heap.alloc_bytes - ev->heap.free_bytes, ev->heap.allocs - ev->heap.frees,
		   ev->heap.alloc_bytes);
}

static void pf_meters(struct pf *p, uint32_t pid, const struct xg_meters *m)
{
	pf_sep(p);
	out_printf(p->o, "{\"ph\":\"C\",\"name\":\"xgotop-tui meters\",\"pid\":%u", pid);
	pf_ts(p, "ts", m->ts);
	out_printf(p->o,
		   ",\"args\":{\"records/s\":%.1f,\"events/s\":%.1f,\"waiting\":%" PRIu64
		   ",\"drops\":%" PRIu64 ",\"drops/s\":%.1f}}",
		   m->rps, m->pps, m->ewp, m->drops, m->drops_per_s);
}

struct pf_end {
	struct pf *p;
	uint64_t end;
};

static int pf_close_span(const struct gentry *e, void *ctx)
{
	struct pf_end *pe = ctx;

	if (!e->exited_ts)
		pf_span(pe->p, e, pe->end);
	return 0;
}

/* A goroutine event: the slice of the state it leaves, then the table moves on. */
static int pf_goroutine(struct pf *p, const struct rec_header *h, const struct gev *ev)
{
	const struct gentry *e = gtable__find(p->gt, ev->pid, ev->goid);

	if (!e) {
		if (!pf_process(p, ev->pid, h))
			return -ENOMEM;
		pf_thread(p, ev->pid, ev->goid, ev->func);
	} else if (!e->exited_ts && (ev->kind == GEV_STATE || ev->kind == GEV_EXIT)) {
		pf_span(p, e, ev->ts);
	}
	return gtable__apply(p->gt, ev);
}

/* An event: a goroutine's life on its track, the process's on the process's tracks. */
static int pf_event(struct pf *p, const struct rec_header *h, const struct gev *ev, uint64_t *n)
{
	const struct gev_kind_info *ki = gev_kind_info(ev->kind);
	struct pf_proc *pr;
	int err;

	if (ki && ki->scope == GEV_SCOPE_GOROUTINE) {
		err = pf_goroutine(p, h, ev);
		if (++*n % EXPIRE_EVERY == 0)
			gtable__expire(p->gt, ev->ts);
		return err;
	}
	/* Histograms: the allocation counters say it over time (heap: its totals). */
	if (ev->kind != GEV_GC && ev->kind != GEV_ALLOC && ev->kind != GEV_HEAP)
		return 0;
	pr = pf_process(p, ev->pid, h);
	if (!pr)
		return -ENOMEM;
	if (ev->kind == GEV_GC)
		pf_gc(p, pr, ev);
	else if (ev->kind == GEV_HEAP)
		pf_heap(p, pr, ev);
	else
		pf_alloc(p, pr, ev);
	return 0;
}

static int export_perfetto(struct rec_reader *r, struct out *o)
{
	const struct rec_header *h = rec_reader__header(r);
	struct gtable_opts gopts = {
		.keep_exited_ns = h->keep_exited_ns,
		.max_spans = h->max_spans <= REC_MAX_SPANS ? (uint32_t)h->max_spans : 0};
	struct pf p = {.o = o, .t0 = rec_reader__start(r), .first = true};
	struct rec_iter *it = rec_iter__new(r, 0);
	struct pf_end pe = {.p = &p, .end = rec_reader__end(r)};
	struct rec_item item;
	bool fresh = true, restoring = false;
	uint64_t n = 0;
	size_t i;
	int err = 0;

	p.gt = gtable__new(&gopts);
	if (!it || !p.gt) {
		err = -ENOMEM;
		goto cleanup;
	}
	out_printf(o,
		   "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"xgotop-tui %s\","
		   "\"recorded_by\":",
		   XG_VERSION);
	out_json_str(o, h->tool ? h->tool : "?");
	OUT_LIT(o, ",\"target\":");
	out_json_str(o, h->path ? h->path : "?");
	out_printf(o,
		   ",\"start_monotonic_ns\":%" PRIu64 ",\"start_wall_ns\":%" PRIu64
		   "},\"traceEvents\":[",
		   p.t0, h->wall_ns && p.t0 >= h->mono_ns ? h->wall_ns + (p.t0 - h->mono_ns) : 0);

	while (!o->err && !err && rec_iter__next(it, &item) > 0) {
		switch (item.kind) {
		case REC_ITEM_KEYFRAME:
			/* A flight-recorder save starts from a keyframe: its goroutines too. */
			if (item.kf_first)
				restoring = fresh;
			break;
		case REC_ITEM_KF_ENTRY:
			if (!restoring || gtable__find(p.gt, item.kf.pid, item.kf.goid))
				break;
			if (!pf_process(&p, item.kf.pid, h))
				err = -ENOMEM;
			pf_thread(&p, item.kf.pid, item.kf.goid, item.kf.func);
			if (!err)
				err = replay__restore(p.gt, &item.kf);
			break;
		case REC_ITEM_METERS:
			pf_meters(&p, h->pid, &item.meters);
			break;
		case REC_ITEM_EVENT:
			fresh = restoring = false;
			err = pf_event(&p, h, &item.ev, &n);
			break;
		default:
			break;
		}
	}
	if (err)
		goto cleanup;
	gtable__for_each(p.gt, pf_close_span, &pe);
	for (i = 0; i < p.n_procs; i++)
		if (p.procs[i].alloc_pending)
			pf_alloc_flush(&p, &p.procs[i], pe.end);
	OUT_LIT(o, "\n]}\n");
cleanup:
	gtable__free(p.gt);
	rec_iter__free(it);
	free(p.procs);
	return err;
}

int export__run(struct rec_reader *r, const char *kind, const char *path, bool force)
{
	struct out *o = malloc(sizeof(*o));
	int err, cerr;

	if (!o) {
		fprintf(stderr, "xgotop-tui: out of memory\n");
		return 1;
	}
	err = out_open(o, path, force);
	if (err) {
		fprintf(stderr, "xgotop-tui: cannot write %s: %s\n", SAN(path), outfile__why(err));
		free(o);
		return 1;
	}
	if (!strcmp(kind, "jsonl"))
		err = export_jsonl(r, o);
	else
		err = export_perfetto(r, o);
	if (err)
		fprintf(stderr, "xgotop-tui: cannot export %s: %s\n", SAN(path), strerror(-err));
	cerr = out_close(o);
	if (cerr)
		fprintf(stderr, "xgotop-tui: cannot write %s: %s\n", SAN(path), strerror(-cerr));
	free(o);
	return err || cerr ? 1 : 0;
}
