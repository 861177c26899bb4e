// SPDX-License-Identifier: BSD-2-Clause
/*
 * The JSONL event stream, docs/JSONL.md. Formatting is a pure function of
 * the event; the writer batches lines in its own buffer and writes it with
 * write(2), so EPIPE and ENOSPC come back as they happen instead of being
 * hidden in stdio's state.
 */
#define _GNU_SOURCE /* qsort_r */
#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xgotop_event.h"
#include "budget.h"
#include "gevent.h"
#include "outfile.h"
#include "stackset.h"

#define WRITER_BUF (256 * 1024)
/* A line longer than this is not an event, it is a bug upstream. */
#define LINE_MAX_LEN (16 * 1024 * 1024)

struct out {
	char *p;
	char *end;
	bool full;
};

/*
 * Room for N more bytes at O->p; if not, O is full from now on. Formatting
 * writes in place behind this check: a piece formatted aside and copied
 * would pay a call of memcpy for a few bytes (libc's memmove was the first
 * symbol of a live session's JSONL and of --replay --export jsonl, perf).
 */
static bool room(struct out *o, size_t n)
{
	if (o->full || (size_t)(o->end - o->p) < n) {
		o->full = true;
		return false;
	}
	return true;
}

/* N <= 16 bytes: two overlapping moves of a power of two, no call. */
static void copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else {
		while (n--)
			*d++ = *s++;
	}
}

static void put(struct out *o, const char *s, size_t n)
{
	if (!room(o, n))
		return;
	if (n <= 16)
		copy_short(o->p, s, n);
	else
		memcpy(o->p, s, n);
	o->p += n;
}

/* A string literal, its length known at compile time. */
#define PUT_LIT(o, lit) put(o, lit, sizeof(lit) - 1)
/* ,"KEY": */
#define PUT_KEY(o, key) PUT_LIT(o, ",\"" key "\":")

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
				  "25262728293031323334353637383940414243444546474849"
				  "50515253545556575859606162636465666768697071727374"
				  "75767778798081828384858687888990919293949596979899";

/*
 * Exactly 8 digits of V < 10^8, zeros first, at D: two halves of 4, each two
 * pairs, so the four divisions do not wait for one another.
 */
static void digits8(char *d, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	memcpy(d, digit_pairs + 2 * (hi / 100), 2);
	memcpy(d + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(d + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(d + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* Decimal digits of V (1 for 0): log10 from the bit length (1233 / 4096 ~ log10 2), one compare. */
static unsigned int n_digits(uint64_t v)
{
	/* [0] is 0, not 1: V = 0 has one digit as 1 to 9 do. */
	static const uint64_t pow10[20] = {0,
					   10ull,
					   100ull,
					   1000ull,
					   10000ull,
					   100000ull,
					   1000000ull,
					   10000000ull,
					   100000000ull,
					   1000000000ull,
					   10000000000ull,
					   100000000000ull,
					   1000000000000ull,
					   10000000000000ull,
					   100000000000000ull,
					   1000000000000000ull,
					   10000000000000000ull,
					   100000000000000000ull,
					   1000000000000000000ull,
					   10000000000000000000ull};
	unsigned int t = (unsigned int)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + 1 - (v < pow10[t]);
}

/*
 * Digits by hand: snprintf would cost more than the rest of a line. Eight
 * at a time split off in 64 bits, then 32-bit arithmetic, which is cheaper
 * (timestamps have 19 digits); written in place, the last eight first.
 */
static void put_u64(struct out *o, uint64_t v)
{
	unsigned int n = n_digits(v);
	char *p;

	if (!room(o, n))
		return;
	if (v < 10) {
		*o->p++ = (char)('0' + v);
		return;
	}
	p = o->p + n;
	while (v >= 100000000) {
		p -= 8;
		digits8(p, (uint32_t)(v % 100000000));
		v /= 100000000;
	}
	/* The first 1 to 8 digits, two at a time from the last. */
	while (v >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, digit_pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
	o->p += n;
}

/* "0x4a2b10": lowercase, no leading zeros, as Go prints a pc. */
static void put_hex(struct out *o, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int n = (unsigned int)(64 - __builtin_clzll(v | 1) + 3) / 4;
	char *p;

	if (!room(o, n + 4))
		return;
	p = o->p;
	o->p += n + 4;
	p[0] = '"';
	p[1] = '0';
	p[2] = 'x';
	p[n + 3] = '"';
	for (p += n + 2; n--; v >>= 4)
		*p-- = hex[v & 15];
}

/*
 * Length of the well-formed UTF-8 sequence at S (Unicode table 3-7), or 0.
 * On 0, *BAD is the length of its maximal ill-formed subpart (at least 1),
 * which is replaced by a single U+FFFD as Unicode recommends.
 */
static size_t utf8_seq(const unsigned char *s, size_t avail, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0; /* stray continuation byte, C0, C1, F5..FF */
	}
	for (i = 1; i < need; i++) {
		if (i >= avail || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* Printable ASCII other than the two characters JSON wants escaped: one load a byte. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true, /* not '"' (0x22) */
	[0x5d ... 0x7e] = true, /* not '\\' (0x5c) */
	[0x7f] = true,
};

/* What cannot be copied as is at S (not NUL): its escape or UTF-8 check. The bytes used. */
static size_t put_json_special(struct out *o, const unsigned char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	size_t bad, n;

	if (c == '"' || c == '\\') {
		char esc[2] = {'\\', (char)c};

		put(o, esc, 2);
		return 1;
	}
	if (c < 0x20) {
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		put(o, esc, 6);
		return 1;
	}
	/* A NUL ends the sequence as any byte out of range does: no length needed. */
	n = utf8_seq(s, strnlen((const char *)s, 4), &bad);
	if (n) {
		put(o, (const char *)s, n);
		return n;
	}
	PUT_LIT(o, "\\ufffd");
	return bad;
}

static void put_json_str(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;

	PUT_LIT(o, "\"");
	for (;;) {
		/* Copy the longest run that needs no escaping in one go (NUL is not plain). */
		for (run = i; plain[s[run]]; run++)
			;
		put(o, str + i, run - i);
		i = run;
		if (!s[i])
			break;
		i += put_json_special(o, s + i);
	}
	PUT_LIT(o, "\"");
}

/*
 * A name from the tables of gevent.c (kinds, states, GC phases and triggers):
 * plain ASCII with nothing to escape, written as is.
 */
static void put_name(struct out *o, const char *name)
{
	PUT_LIT(o, "\"");
	put(o, name, strlen(name));
	PUT_LIT(o, "\"");
}

/* A state's name (gevent.c's table, its length known): the two fields of most lines. */
static void put_state(struct out *o, unsigned int state)
{
	const struct gev_name *n = gev_state(state);

	if (!room(o, n->len + 2))
		return;
	o->p[0] = '"';
	if (n->len <= 16)
		copy_short(o->p + 1, n->s, n->len);
	else
		memcpy(o->p + 1, n->s, n->len);
	o->p[n->len + 1] = '"';
	o->p += n->len + 2;
}

static void put_opt_str(struct out *o, const char *s)
{
	if (s)
		put_json_str(o, s);
	else
		PUT_LIT(o, "null");
}

/* "reason": Go's string, "#N" for an index this Go version does not name, or null. */
static void put_reason(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "reason");
	if (ev->reason_str) {
		put_json_str(o, ev->reason_str);
	} else if (ev->reason >= 0) {
		PUT_LIT(o, "\"#");
		put_u64(o, (uint64_t)ev->reason);
		PUT_LIT(o, "\"");
	} else {
		PUT_LIT(o, "null");
	}
}

/* A stop-the-world reason: Go's string, "#N" when this version has none for N, or null. */
static void put_stw_reason(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "reason");
	if (ev->gc.reason_str) {
		put_json_str(o, ev->gc.reason_str);
	} else if (ev->gc.reason >= 0) {
		PUT_LIT(o, "\"#");
		put_u64(o, (uint64_t)ev->gc.reason);
		PUT_LIT(o, "\"");
	} else {
		PUT_LIT(o, "null");
	}
}

static void put_alloc(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "kind");
	put_name(o, gev_alloc_kind_name(ev->alloc.kind));
	PUT_KEY(o, "size");
	put_u64(o, ev->alloc.size);
	PUT_KEY(o, "class");
	put_u64(o, ev->alloc.bucket);
	PUT_KEY(o, "type");
	put_opt_str(o, ev->alloc.type);
	if (ev->alloc.has_hint) {
		PUT_KEY(o, "hint");
		put_u64(o, ev->alloc.hint);
	}
}

static void put_gc(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "phase");
	put_name(o, gev_gc_phase_name(ev->gc.phase));
	PUT_KEY(o, "cycle");
	if (ev->gc.cycle)
		put_u64(o, ev->gc.cycle);
	else
		PUT_LIT(o, "null");
	switch (ev->gc.phase) {
	case XG_GC_START:
		PUT_KEY(o, "trigger");
		put_name(o, gev_gc_trigger_name(ev->gc.trigger));
		PUT_KEY(o, "procs");
		put_u64(o, ev->gc.procs);
		break;
	case XG_GC_STW_START:
		put_stw_reason(o, ev);
		break;
	case XG_GC_STW_END:
		put_stw_reason(o, ev);
		PUT_KEY(o, "stw_ns");
		put_u64(o, ev->gc.dur_ns);
		break;
	case XG_GC_END:
		PUT_KEY(o, "dur_ns");
		put_u64(o, ev->gc.dur_ns);
		PUT_KEY(o, "stw");
		put_u64(o, ev->gc.n_stw);
		PUT_KEY(o, "stw_ns");
		put_u64(o, ev->gc.stw_ns);
		PUT_KEY(o, "stw_max_ns");
		put_u64(o, ev->gc.stw_max_ns);
		PUT_KEY(o, "mark_ns");
		put_u64(o, ev->gc.mark_ns);
		break;
	default:
		break;
	}
}

static void put_hist(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "class");
	put_u64(o, ev->hist.bucket);
	PUT_KEY(o, "class_size");
	put_u64(o, ev->hist.class_size);
	PUT_KEY(o, "count");
	put_u64(o, ev->hist.count);
	PUT_KEY(o, "bytes");
	put_u64(o, ev->hist.bytes);
}

static void put_capture(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "level");
	put_json_str(o, budget__level_name((enum capture_level)ev->capture.level));
	if (ev->capture.level == CAPTURE_POLL) {
		PUT_KEY(o, "poll_hz");
		put_u64(o, ev->capture.poll_hz);
	}
	PUT_KEY(o, "budget_pct");
	if (ev->capture.budget_bp) {
		char n[32];

		snprintf(n, sizeof(n), "%g", ev->capture.budget_bp / 100.0);
		put(o, n, strlen(n));
	} else {
		PUT_LIT(o, "null");
	}
	PUT_KEY(o, "why");
	put_opt_str(o, ev->capture.why && ev->capture.why[0] ? ev->capture.why : NULL);
}

static void put_heap(struct out *o, const struct gev *ev)
{
	if (ev->kind == GEV_HEAP_CLASS) {
		PUT_KEY(o, "class");
		put_u64(o, ev->heap.cls);
		PUT_KEY(o, "class_size");
		put_u64(o, ev->heap.class_size);
	}
	PUT_KEY(o, "allocs");
	put_u64(o, ev->heap.allocs);
	PUT_KEY(o, "frees");
	put_u64(o, ev->heap.frees);
	PUT_KEY(o, "alloc_bytes");
	put_u64(o, ev->heap.alloc_bytes);
	PUT_KEY(o, "free_bytes");
	put_u64(o, ev->heap.free_bytes);
	if (ev->kind == GEV_HEAP) {
		PUT_KEY(o, "tiny");
		put_u64(o, ev->heap.tiny);
	}
}

/* GEV_CPU: an off-CPU interval of a running goroutine, or its cgroup's limit or throttling. */
static void put_cpu(struct out *o, const struct gev *ev)
{
	PUT_KEY(o, "what");
	put_json_str(o, gev_cpu_what_name(ev->cpu.what));
	switch (ev->cpu.what) {
	case GEV_CPU_PREEMPTED:
	case GEV_CPU_BLOCKED:
		PUT_KEY(o, "off_ns");
		put_u64(o, ev->cpu.a);
		break;
	case GEV_CPU_THROTTLE:
		PUT_KEY(o, "nr_throttled");
		put_u64(o, ev->cpu.a);
		PUT_KEY(o, "throttled_ns");
		put_u64(o, ev->cpu.b);
		break;
	case GEV_CPU_LIMIT:
		PUT_KEY(o, "quota_us");
		if (ev->cpu.a)
			put_u64(o, ev->cpu.a);
		else
			PUT_LIT(o, "null");
		PUT_KEY(o, "period_us");
		put_u64(o, ev->cpu.b);
		break;
	default:
		break;
	}
}

int jsonl__format(const struct gev *ev, char *buf, size_t len)
{
	const struct gev_kind_info *ki = gev_kind_info(ev->kind);
	struct out o = {.p = buf, .end = buf + len};

	if (!ki)
		return -EINVAL;
	/* The kinds of nearly every line, named whole (the names of gev_kinds[]). */
	switch (ev->kind) {
	case GEV_STATE:
		PUT_LIT(&o, "{\"event\":\"state\",\"ts\":");
		break;
	case GEV_CREATE:
		PUT_LIT(&o, "{\"event\":\"create\",\"ts\":");
		break;
	case GEV_EXIT:
		PUT_LIT(&o, "{\"event\":\"exit\",\"ts\":");
		break;
	default:
		PUT_LIT(&o, "{\"event\":");
		put_name(&o, ki->name);
		PUT_KEY(&o, "ts");
		break;
	}
	put_u64(&o, ev->ts);
	PUT_KEY(&o, "pid");
	put_u64(&o, ev->pid);
	PUT_KEY(&o, "goid");
	put_u64(&o, ev->goid);

	switch (ev->kind) {
	case GEV_CREATE:
		PUT_KEY(&o, "parent");
		put_u64(&o, ev->parent);
		PUT_KEY(&o, "func");
		put_opt_str(&o, ev->func);
		PUT_KEY(&o, "created_by");
		put_opt_str(&o, ev->created_by);
		PUT_KEY(&o, "file");
		put_opt_str(&o, ev->file);
		PUT_KEY(&o, "line");
		if (ev->line > 0)
			put_u64(&o, (uint64_t)ev->line);
		else
			PUT_LIT(&o, "null");
		PUT_KEY(&o, "startpc");
		put_hex(&o, ev->startpc);
		PUT_KEY(&o, "gopc");
		put_hex(&o, ev->gopc);
		if (ev->existing) {
			/* Running before tracing began: found at attach, not created now. */
			PUT_KEY(&o, "existing");
			PUT_LIT(&o, "true");
		}
		if (ev->to == XG_G_WAITING || ev->existing) {
			/* Created parked (go1.23+ coroutines), or found so: say so and why. */
			PUT_KEY(&o, "state");
			put_state(&o, ev->to);
			if (ev->to == XG_G_WAITING)
				put_reason(&o, ev);
		}
		if (ev->waitsince) {
			/* Blocked since then, Go says (g.waitsince): what its dump counts from. */
			PUT_KEY(&o, "waitsince");
			put_u64(&o, ev->waitsince);
		}
		break;
	case GEV_STATE:
		PUT_KEY(&o, "from");
		put_state(&o, ev->from);
		PUT_KEY(&o, "to");
		put_state(&o, ev->to);
		if (ev->to == XG_G_WAITING)
			put_reason(&o, ev);
		if (ev->inferred)
			PUT_LIT(&o, ",\"inferred\":true");
		if (ev->has_pm && ev->to == XG_G_RUNNING) {
			PUT_KEY(&o, "p");
			if (ev->p >= 0)
				put_u64(&o, (uint64_t)ev->p);
			else
				PUT_LIT(&o, "null");
			PUT_KEY(&o, "m");
			put_u64(&o, ev->m >= 0 ? (uint64_t)ev->m : 0);
		}
		break;
	case GEV_EXIT:
		/* Not seen: concluded from a table read, or its process's end. */
		if (ev->inferred)
			PUT_LIT(&o, ",\"inferred\":true");
		break;
	case GEV_ALLOC:
		put_alloc(&o, ev);
		break;
	case GEV_GC:
		put_gc(&o, ev);
		break;
	case GEV_ALLOC_HIST:
		put_hist(&o, ev);
		break;
	case GEV_GAP:
		PUT_KEY(&o, "drops");
		put_u64(&o, ev->gap.drops);
		PUT_KEY(&o, "since");
		put_u64(&o, ev->gap.since);
		if (ev->gap.resync)
			PUT_LIT(&o, ",\"resync\":true");
		else
			PUT_LIT(&o, ",\"resync\":false");
		PUT_KEY(&o, "exits");
		put_u64(&o, ev->gap.exits);
		PUT_KEY(&o, "creates");
		put_u64(&o, ev->gap.creates);
		PUT_KEY(&o, "changes");
		put_u64(&o, ev->gap.changes);
		break;
	case GEV_CAPTURE:
		put_capture(&o, ev);
		break;
	case GEV_HEAP_CLASS:
	case GEV_HEAP:
		put_heap(&o, ev);
		break;
	case GEV_CPU:
		put_cpu(&o, ev);
		break;
	}
	PUT_KEY(&o, "tid");
	put_u64(&o, ev->tid);
	PUT_LIT(&o, "}\n");

	if (o.full || o.p - buf > INT_MAX)
		return -ENOSPC;
	return (int)(o.p - buf);
}

struct jsonl_writer {
	int fd;
	bool own_fd;
	int err; /* first error, sticky */
	jsonl_out_fn out_fn;
	void *out_ctx;
	size_t len;
	char buf[WRITER_BUF];
};

struct jsonl_writer *jsonl__open(const char *path, bool force)
{
	struct jsonl_writer *w = malloc(sizeof(*w));

	if (!w)
		return NULL;
	w->err = 0;
	w->len = 0;
	w->out_fn = NULL;
	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
		w->own_fd = false;
	} else {
		w->fd = outfile__create(path, force);
		if (w->fd < 0) {
			int err = -w->fd;

			free(w);
			errno = err;
			return NULL;
		}
		w->own_fd = true;
	}
	return w;
}

void jsonl__set_out(struct jsonl_writer *w, jsonl_out_fn fn, void *ctx)
{
	w->out_fn = fn;
	w->out_ctx = ctx;
}

int jsonl__fd(const struct jsonl_writer *w)
{
	return w->fd;
}

static int out(struct jsonl_writer *w, const void *buf, size_t n)
{
	return w->out_fn ? w->out_fn(w->out_ctx, buf, n) : outfile__write_all(w->fd, buf, n);
}

int jsonl__flush(struct jsonl_writer *w)
{
	int err;

	if (w->err)
		return w->err;
	err = out(w, w->buf, w->len);
	w->len = 0;
	if (err)
		w->err = err;
	return err;
}

/* A line that does not fit in the writer's buffer: format and write it on its own. */
static int write_long(struct jsonl_writer *w, const struct gev *ev)
{
	size_t cap = 2 * WRITER_BUF;
	char *line = NULL;
	int n, err;

	for (;;) {
		char *p = realloc(line, cap);

		if (!p) {
			err = -ENOMEM;
			goto cleanup;
		}
		line = p;
		n = jsonl__format(ev, line, cap);
		if (n >= 0)
			break;
		if (n != -ENOSPC || cap >= LINE_MAX_LEN) {
			err = n == -ENOSPC ? -E2BIG : n;
			goto cleanup;
		}
		cap *= 2;
	}
	err = out(w, line, n);
	if (err)
		w->err = err;
cleanup:
	free(line);
	return err;
}

int jsonl__write(struct jsonl_writer *w, const struct gev *ev)
{
	int n, err;

	if (w->err)
		return w->err;
	n = jsonl__format(ev, w->buf + w->len, sizeof(w->buf) - w->len);
	if (n >= 0) {
		w->len += n;
		return 0;
	}
	if (n != -ENOSPC)
		return n;
	err = jsonl__flush(w);
	if (err)
		return err;
	n = jsonl__format(ev, w->buf, sizeof(w->buf));
	if (n >= 0) {
		w->len = n;
		return 0;
	}
	if (n != -ENOSPC)
		return n;
	return write_long(w, ev);
}

int jsonl__close(struct jsonl_writer *w)
{
	int err;

	if (!w)
		return 0;
	jsonl__flush(w);
	err = w->err;
	if (w->own_fd && close(w->fd) < 0 && !err)
		err = -errno;
	free(w);
	return err;
}

/* ---- stack sweeps (the "stack" line) ------------------------------------------ */

static const char *const unavailable[STK_WHAT_N] = {
	[STK_OK] = NULL,
	[STK_RUNNING] = "running",
	[STK_CHANGED] = "changed",
	[STK_BAD] = "unreadable",
};

/* A group of a sweep: goroutines of one process with the same stack (or none, for one reason). */
struct sgrp {
	size_t first, n; /* in the sorted entries */
};

static int by_group(const void *pa, const void *pb)
{
	const struct stk_entry *a = *(const struct stk_entry *const *)pa;
	const struct stk_entry *b = *(const struct stk_entry *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	if (a->what != b->what)
		return a->what < b->what ? -1 : 1;
	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

/*
 * Lines by process, most goroutines first, then by lowest goid: an order
 * that does not depend on how stacks were numbered (live and replayed
 * sessions number them differently, and write the same lines).
 */
static int by_line(const void *pa, const void *pb, void *ctx)
{
	const struct stk_entry *const *v = ctx;
	const struct sgrp *a = pa, *b = pb;
	const struct stk_entry *ea = v[a->first], *eb = v[b->first];

	if (ea->pid != eb->pid)
		return ea->pid < eb->pid ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return ea->goid < eb->goid ? -1 : ea->goid > eb->goid;
}

/* Bytes the line of G may take: every string escaped at worst (6 bytes a byte). */
static size_t group_bound(const struct stackset *s, const struct stk_entry *e, size_t n)
{
	uint32_t nf = 0, i;
	const struct stk_frame *f = stackset__frames(s, e->stack, &nf);
	size_t b = 256 + 21 * n;

	for (i = 0; f && i < nf; i++)
		b += 64 + 6 * ((f[i].func ? strlen(f[i].func) : 4) +
			       (f[i].file ? strlen(f[i].file) : 4));
	return b;
}

static void put_group(struct out *o, const struct stackset *s, const struct stk_entry **e, size_t n)
{
	const struct stk_frame *f;
	uint32_t nf = 0, i;
	size_t k;

	PUT_LIT(o, "{\"event\":\"" JSONL_STACK_LINE "\"");
	PUT_KEY(o, "ts");
	put_u64(o, stackset__sweep_ts(s));
	PUT_KEY(o, "pid");
	put_u64(o, e[0]->pid);
	PUT_KEY(o, "count");
	put_u64(o, n);
	PUT_KEY(o, "goids");
	PUT_LIT(o, "[");
	for (k = 0; k < n; k++) {
		if (k)
			PUT_LIT(o, ",");
		put_u64(o, e[k]->goid);
	}
	PUT_LIT(o, "]");
	PUT_KEY(o, "frames");
	PUT_LIT(o, "[");
	f = stackset__frames(s, e[0]->stack, &nf);
	for (i = 0; i < nf; i++) {
		if (i)
			PUT_LIT(o, ",");
		PUT_LIT(o, "{\"func\":");
		put_opt_str(o, f[i].func);
		PUT_KEY(o, "file");
		put_opt_str(o, f[i].file);
		PUT_KEY(o, "line");
		put_u64(o,
			f[i].line > 0 ? (uint64_t)f[i].line : 0); /* numbers are never negative */
		PUT_LIT(o, "}");
	}
	PUT_LIT(o, "]");
	if (!e[0]->stack && e[0]->what < STK_WHAT_N && unavailable[e[0]->what]) {
		PUT_KEY(o, "unavailable");
		put_json_str(o, unavailable[e[0]->what]);
	}
	PUT_LIT(o, "}\n");
}

static int write_line(struct jsonl_writer *w, const char *line, size_t n)
{
	int err;

	if (n > sizeof(w->buf) - w->len) {
		err = jsonl__flush(w);
		if (err)
			return err;
	}
	if (n <= sizeof(w->buf) - w->len) {
		memcpy(w->buf + w->len, line, n);
		w->len += n;
		return 0;
	}
	err = out(w, line, n);
	if (err)
		w->err = err;
	return err;
}

static int write_groups(struct jsonl_writer *w, const struct stackset *s,
			const struct stk_entry **v, struct sgrp *g, size_t ng)
{
	size_t i;
	int err = 0;

	for (i = 0; i < ng && !err; i++) {
		size_t cap = group_bound(s, v[g[i].first], g[i].n);
		char *line = malloc(cap);
		struct out o = {line, line + cap, false};

		if (!line)
			return -ENOMEM;
		put_group(&o, s, v + g[i].first, g[i].n);
		err = o.full ? -E2BIG : write_line(w, line, (size_t)(o.p - line));
		free(line);
	}
	return err;
}

int jsonl__write_sweep(struct jsonl_writer *w, const struct stackset *s)
{
	size_t n = stackset__sweep_n(s), i, ng = 0;
	const struct stk_entry **v;
	struct sgrp *g;
	int err;

	if (w->err)
		return w->err;
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	g = malloc(n * sizeof(*g));
	if (!v || !g) {
		free(v);
		free(g);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		v[i] = stackset__sweep_entry(s, i);
	qsort(v, n, sizeof(*v), by_group);
	for (i = 0; i < n; i++) {
		if (i && v[i - 1]->pid == v[i]->pid && v[i - 1]->stack == v[i]->stack &&
		    v[i - 1]->what == v[i]->what) {
			g[ng - 1].n++;
			continue;
		}
		g[ng].first = i;
		g[ng].n = 1;
		ng++;
	}
	qsort_r(g, ng, sizeof(*g), by_line, v);
	err = write_groups(w, s, v, g, ng);
	free(v);
	free(g);
	return err;
}
