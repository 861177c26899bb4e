// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE /* strcasestr */
#include "stackset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "isort.h"
#include "sanitize.h"

/* Open addressing over ids (0: empty slot), power-of-two sizes. */
struct idhash {
	uint32_t *slot;
	size_t cap;
	size_t n;
};

struct stk_stack {
	size_t first; /* in frames[] */
	uint32_t n;
	uint32_t name; /* index of its name frame in [0, n], n: none */
	uint64_t hash;
};

struct stk_hist {
	uint64_t ts;
	uint32_t *count; /* by stack id - 1 */
	uint32_t n;	 /* stacks it counts */
};

struct stackset {
	char **str;
	size_t n_str, cap_str;
	struct idhash str_idx; /* string index + 1 */

	struct stk_frame *frames;
	size_t n_frames, cap_frames;
	struct stk_stack *stacks;
	size_t n_stacks, cap_stacks;
	struct idhash stack_idx;

	struct stk_entry *cur, *next;
	size_t n_cur, cap_cur, n_next, cap_next;
	uint64_t cur_ts, next_ts;
	bool building;

	const char *reasons[STK_MAX_REASONS]; /* by stk_entry.reason - 1, interned */
	uint32_t n_reasons, last_reason;      /* last_reason: the id given out last */

	struct stk_entry one; /* a goroutine read alone (stackset__set_one) */
	uint64_t one_ts;      /* 0: none */

	struct stk_hist hist[STK_HIST]; /* sweep k in hist[k % STK_HIST] */
	uint64_t n_sweeps;
	struct stk_leak_opts leak;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	/* splitmix64's finalizer over the running hash. */
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	return h;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int idhash_grow(struct idhash *h, uint64_t (*key)(const struct stackset *, uint32_t),
		       const struct stackset *s)
{
	size_t cap = h->cap ? h->cap * 2 : 256, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < h->cap; i++) {
		if (!h->slot[i])
			continue;
		for (j = key(s, h->slot[i]) & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = h->slot[i];
	}
	free(h->slot);
	h->slot = slot;
	h->cap = cap;
	return 0;
}

static uint64_t str_key(const struct stackset *s, uint32_t id)
{
	return hash_str(s->str[id - 1]);
}

static uint64_t stack_key(const struct stackset *s, uint32_t id)
{
	return s->stacks[id - 1].hash;
}

struct stackset *stackset__new(void)
{
	struct stackset *s = calloc(1, sizeof(*s));

	if (s) {
		s->leak.sweeps = STK_LEAK_SWEEPS;
		s->leak.wait_ns = STK_LEAK_WAIT_NS;
	}
	return s;
}

void stackset__free(struct stackset *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_str; i++)
		free(s->str[i]);
	for (i = 0; i < STK_HIST; i++)
		free(s->hist[i].count);
	free(s->str);
	free(s->str_idx.slot);
	free(s->frames);
	free(s->stacks);
	free(s->stack_idx.slot);
	free(s->cur);
	free(s->next);
	free(s);
}

/* STR interned: a pointer that lives as long as S; NULL stays NULL. NULL and errno. */
static const char *intern_str(struct stackset *s, const char *str, bool *err)
{
	uint64_t h;
	size_t j;
	char *copy;

	if (!str)
		return NULL;
	if ((s->str_idx.n + 1) * 2 > s->str_idx.cap && idhash_grow(&s->str_idx, str_key, s))
		goto nomem;
	h = hash_str(str);
	for (j = h & (s->str_idx.cap - 1); s->str_idx.slot[j]; j = (j + 1) & (s->str_idx.cap - 1))
		if (!strcmp(s->str[s->str_idx.slot[j] - 1], str))
			return s->str[s->str_idx.slot[j] - 1];
	if (xg_grow((void **)&s->str, &s->cap_str, s->n_str + 1, sizeof(*s->str)))
		goto nomem;
	copy = strdup(str);
	if (!copy)
		goto nomem;
	s->str[s->n_str++] = copy;
	s->str_idx.slot[j] = (uint32_t)s->n_str;
	s->str_idx.n++;
	return copy;
nomem:
	*err = true;
	return NULL;
}

uint32_t stackset__reason_id(struct stackset *s, const char *r)
{
	bool err = false;
	const char *p = intern_str(s, r, &err);
	uint32_t i;

	if (!p) {
		if (err)
			errno = ENOMEM;
		return 0;
	}
	/* Goroutines in a row mostly share their reason: the last one first. */
	if (s->last_reason && s->reasons[s->last_reason - 1] == p)
		return s->last_reason;
	for (i = 0; i < s->n_reasons && s->reasons[i] != p; i++)
		;
	if (i == STK_MAX_REASONS) {
		errno = ENOSPC;
		return 0;
	}
	if (i == s->n_reasons)
		s->reasons[s->n_reasons++] = p;
	return s->last_reason = i + 1;
}

const char *stackset__reason(const struct stackset *s, uint32_t id)
{
	return id && id <= s->n_reasons ? s->reasons[id - 1] : NULL;
}

/*
 * Runtime code: the runtime's packages, and functions the runtime
 * implements for others (internal/poll.runtime_pollWait, time.Sleep: their
 * file is in runtime/).
 */
static bool runtime_frame(const struct stk_frame *f)
{
	const char *fn = f->func, *file = f->file;

	if (fn && (!strncmp(fn, "runtime.", 8) || !strncmp(fn, "internal/runtime/", 17)))
		return true;
	return file && (!strncmp(file, "runtime/", 8) || strstr(file, "/src/runtime/"));
}

static bool same_stack(const struct stackset *s, const struct stk_stack *st,
		       const struct stk_frame *f, uint32_t n)
{
	uint32_t i;

	if (st->n != n)
		return false;
	for (i = 0; i < n; i++) {
		const struct stk_frame *a = &s->frames[st->first + i];

		/* Interned: equal strings are the same pointer. */
		if (a->func != f[i].func || a->file != f[i].file || a->line != f[i].line)
			return false;
	}
	return true;
}

/* F with its strings interned into TMP. */
static int intern_frames(struct stackset *s, const struct stk_frame *f, uint32_t n,
			 struct stk_frame *tmp, uint64_t *hash)
{
	bool err = false;
	uint64_t h = n;
	uint32_t i;

	for (i = 0; i < n; i++) {
		tmp[i].func = intern_str(s, f[i].func, &err);
		tmp[i].file = intern_str(s, f[i].file, &err);
		tmp[i].line = f[i].line;
		h = mix(h, (uintptr_t)tmp[i].func);
		h = mix(h, (uintptr_t)tmp[i].file);
		h = mix(h, (uint64_t)(uint32_t)tmp[i].line);
	}
	*hash = h;
	return err ? -ENOMEM : 0;
}

const char *stackset__str(struct stackset *set, const char *s)
{
	bool err = false;

	return intern_str(set, s, &err);
}

uint32_t stackset__intern(struct stackset *s, const struct stk_frame *f, uint32_t n)
{
	struct stk_frame tmp[STK_MAX_FRAMES];
	struct stk_stack *st;
	uint64_t h;
	size_t j;
	uint32_t i;

	if (n > STK_MAX_FRAMES)
		n = STK_MAX_FRAMES;
	if (intern_frames(s, f, n, tmp, &h))
		goto nomem;
	if ((s->stack_idx.n + 1) * 2 > s->stack_idx.cap && idhash_grow(&s->stack_idx, stack_key, s))
		goto nomem;
	for (j = h & (s->stack_idx.cap - 1); s->stack_idx.slot[j];
	     j = (j + 1) & (s->stack_idx.cap - 1)) {
		st = &s->stacks[s->stack_idx.slot[j] - 1];
		if (st->hash == h && same_stack(s, st, tmp, n))
			return s->stack_idx.slot[j];
	}
	if (s->n_stacks >= STK_MAX_STACKS) {
		errno = ENOSPC;
		return 0;
	}
	if (xg_grow((void **)&s->stacks, &s->cap_stacks, s->n_stacks + 1, sizeof(*s->stacks)) ||
	    xg_grow((void **)&s->frames, &s->cap_frames, s->n_frames + n, sizeof(*s->frames)))
		goto nomem;
	st = &s->stacks[s->n_stacks++];
	st->first = s->n_frames;
	st->n = n;
	st->hash = h;
	st->name = n;
	memcpy(&s->frames[s->n_frames], tmp, n * sizeof(*tmp));
	s->n_frames += n;
	for (i = 0; i < n; i++)
		if (tmp[i].func && !runtime_frame(&tmp[i])) {
			st->name = i;
			break;
		}
	s->stack_idx.slot[j] = (uint32_t)s->n_stacks;
	s->stack_idx.n++;
	return (uint32_t)s->n_stacks;
nomem:
	errno = ENOMEM;
	return 0;
}

const struct stk_frame *stackset__frames(const struct stackset *s, uint32_t id, uint32_t *n)
{
	if (!id || id > s->n_stacks) {
		*n = 0;
		return NULL;
	}
	*n = s->stacks[id - 1].n;
	return &s->frames[s->stacks[id - 1].first];
}

uint32_t stackset__n_stacks(const struct stackset *s)
{
	return (uint32_t)s->n_stacks;
}

const struct stk_frame *stackset__name(const struct stackset *s, uint32_t id)
{
	const struct stk_stack *st;
	const struct stk_frame *f;
	uint32_t i;

	if (!id || id > s->n_stacks)
		return NULL;
	st = &s->stacks[id - 1];
	f = &s->frames[st->first];
	if (st->name < st->n)
		return &f[st->name];
	/* All runtime (a runtime goroutine): its outermost frame but goexit says which. */
	for (i = st->n; i-- > 0;)
		if (!f[i].func || strcmp(f[i].func, "runtime.goexit"))
			return &f[i];
	return st->n ? f : NULL;
}

void stackset__sweep_begin(struct stackset *s, uint64_t ts)
{
	s->n_next = 0;
	s->next_ts = ts;
	s->building = true;
}

/* An entry that names no interned stack or no known state is a failed walk. */
static void check_entry(const struct stackset *s, struct stk_entry *e)
{
	if (e->stack > s->n_stacks || e->what >= STK_WHAT_N) {
		e->stack = 0;
		e->what = STK_BAD;
	}
	if (e->reason > s->n_reasons)
		e->reason = 0;
}

int stackset__sweep_add(struct stackset *s, const struct stk_entry *e)
{
	if (!s->building)
		return -EINVAL;
	if (xg_grow((void **)&s->next, &s->cap_next, s->n_next + 1, sizeof(*s->next))) {
		s->building = false;
		return -ENOMEM;
	}
	s->next[s->n_next] = *e;
	check_entry(s, &s->next[s->n_next++]);
	return 0;
}

static int by_key(const void *pa, const void *pb)
{
	const struct stk_entry *a = pa, *b = pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

/* The N entries V (sorted now) counted as sweep number s->n_sweeps, at TS. */
static int count_sweep(struct stackset *s, struct stk_entry *v, size_t n, uint64_t ts)
{
	struct stk_hist *h = &s->hist[s->n_sweeps % STK_HIST];
	uint32_t *count;
	size_t i;

	count = calloc(s->n_stacks ? s->n_stacks : 1, sizeof(*count));
	if (!count)
		return -ENOMEM;
	/* A sweeper that sorted already (src/live/stacksweep.c) costs one pass. */
	for (i = 1; i < n; i++)
		if (by_key(&v[i - 1], &v[i]) > 0)
			break;
	if (i < n)
		xg_isort(v, n, sizeof(*v), by_key);
	for (i = 0; i < n; i++)
		if (v[i].stack)
			count[v[i].stack - 1]++;
	free(h->count);
	h->count = count;
	h->n = (uint32_t)s->n_stacks;
	h->ts = ts;
	s->n_sweeps++;
	return 0;
}

int stackset__sweep_adopt(struct stackset *s, uint64_t ts, struct stk_entry *v, size_t n)
{
	size_t i;

	s->building = false;
	s->n_next = 0;
	for (i = 0; i < n; i++)
		check_entry(s, &v[i]);
	if (count_sweep(s, v, n, ts)) {
		free(v);
		return -ENOMEM;
	}
	/* Nothing is kept for a next sweep_add: a live session adopts every sweep. */
	free(s->cur);
	free(s->next);
	s->next = NULL;
	s->cap_next = 0;
	s->cur = v;
	s->cap_cur = n;
	s->n_cur = n;
	s->cur_ts = ts;
	return 0;
}

int stackset__sweep_end(struct stackset *s)
{
	struct stk_entry *tmp;
	size_t cap;
	int err;

	if (!s->building)
		return -EINVAL;
	s->building = false;
	err = count_sweep(s, s->next, s->n_next, s->next_ts);
	if (err)
		return err;
	tmp = s->cur;
	cap = s->cap_cur;
	s->cur = s->next;
	s->cap_cur = s->cap_next;
	s->n_cur = s->n_next;
	s->cur_ts = s->next_ts;
	s->next = tmp;
	s->cap_next = cap;
	s->n_next = 0;
	return 0;
}

void stackset__sweep_abort(struct stackset *s)
{
	s->building = false;
	s->n_next = 0;
}

void stackset__reset(struct stackset *s)
{
	size_t i;

	for (i = 0; i < STK_HIST; i++) {
		free(s->hist[i].count);
		s->hist[i].count = NULL;
	}
	s->n_sweeps = 0;
	s->n_cur = s->n_next = 0;
	s->cur_ts = 0;
	s->one_ts = 0;
	s->building = false;
}

int stackset__set_one(struct stackset *s, const struct stk_entry *e, uint64_t ts)
{
	if (!ts || e->stack > s->n_stacks || e->what >= STK_WHAT_N || (e->stack && e->what) ||
	    e->reason > s->n_reasons)
		return -EINVAL;
	s->one = *e;
	s->one_ts = ts;
	return 0;
}

const struct stk_entry *stackset__latest(const struct stackset *s, uint32_t pid, uint64_t goid,
					 uint64_t *ts)
{
	const struct stk_entry *e = stackset__lookup(s, pid, goid);

	*ts = e ? s->cur_ts : 0;
	if (s->one_ts && s->one.pid == pid && s->one.goid == goid && s->one_ts > *ts) {
		*ts = s->one_ts;
		return &s->one;
	}
	return e;
}

uint64_t stackset__sweep_ts(const struct stackset *s)
{
	return s->cur_ts;
}

size_t stackset__sweep_n(const struct stackset *s)
{
	return s->n_cur;
}

const struct stk_entry *stackset__sweep_entry(const struct stackset *s, size_t i)
{
	return i < s->n_cur ? &s->cur[i] : NULL;
}

uint64_t stackset__sweeps(const struct stackset *s)
{
	return s->n_sweeps;
}

const struct stk_entry *stackset__lookup(const struct stackset *s, uint32_t pid, uint64_t goid)
{
	struct stk_entry key = {.pid = pid, .goid = goid};

	if (!s->n_cur)
		return NULL;
	return bsearch(&key, s->cur, s->n_cur, sizeof(key), by_key);
}

bool stackset__count(const struct stackset *s, uint32_t id, unsigned int back, uint32_t *count,
		     uint64_t *ts)
{
	const struct stk_hist *h;

	if (back >= STK_HIST || back >= s->n_sweeps)
		return false;
	h = &s->hist[(s->n_sweeps - 1 - back) % STK_HIST];
	*count = id && id <= h->n ? h->count[id - 1] : 0;
	if (ts)
		*ts = h->ts;
	return true;
}

int64_t stackset__growth(const struct stackset *s, uint32_t id, uint64_t window_ns)
{
	uint32_t now, then = 0, c;
	uint64_t ts, t;
	unsigned int back;

	if (!stackset__count(s, id, 0, &now, &ts))
		return 0;
	then = now;
	for (back = 1; stackset__count(s, id, back, &c, &t); back++) {
		if (ts - t > window_ns)
			break;
		then = c;
	}
	return (int64_t)now - (int64_t)then;
}

void stackset__set_leak(struct stackset *s, const struct stk_leak_opts *o)
{
	s->leak = *o;
}

const struct stk_leak_opts *stackset__leak_opts(const struct stackset *s)
{
	return &s->leak;
}

bool stackset__leak_stack(const struct stackset *s, uint32_t id)
{
	uint32_t prev, c = 0;
	unsigned int back;

	/* N rises need N + 1 sweeps. */
	if (!id || !s->leak.sweeps || !stackset__count(s, id, s->leak.sweeps, &prev, NULL))
		return false;
	for (back = s->leak.sweeps; back-- > 0;) {
		stackset__count(s, id, back, &c, NULL);
		if (c <= prev)
			return false;
		prev = c;
	}
	return true;
}

bool stackset__runtime_stack(const struct stackset *s, uint32_t id)
{
	return id && id <= s->n_stacks && s->stacks[id - 1].name == s->stacks[id - 1].n;
}

bool stackset__leak_entry(const struct stackset *s, const struct stk_entry *e, uint64_t now)
{
	if (stackset__leak_stack(s, e->stack))
		return true;
	/* The runtime's own goroutines (forcegc, bgsweep, finalizers) wait by design. */
	return s->leak.wait_ns && e->wait_since && now > e->wait_since &&
	       now - e->wait_since > s->leak.wait_ns && !stackset__runtime_stack(s, e->stack);
}

/* Go's names of the statuses (runtime.gStatusStrings, 1.26 traceback.go). */
static const char *status_name(uint8_t st)
{
	static const char *const names[] = {"idle",	 "runnable", "running", "syscall",
					    "waiting",	 "moribund", "dead",	"enqueue",
					    "copystack", "preempted"};

	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "???";
}

static void print_g(FILE *out, const struct stackset *s, const struct stk_entry *e)
{
	/* goroutineheader: the wait reason of a waiting goroutine, else its status. */
	const char *r = stackset__reason(s, e->reason);
	const char *what = e->status == 4 && r && *r ? r : status_name(e->status);
	const struct stk_frame *f;
	uint32_t n, i;

	fprintf(out, "goroutine %llu [%s", (unsigned long long)e->goid, SAN(what));
	if (e->wait_since && s->cur_ts > e->wait_since &&
	    (s->cur_ts - e->wait_since) / 60000000000ull >= 1)
		fprintf(out, ", %llu minutes",
			(unsigned long long)((s->cur_ts - e->wait_since) / 60000000000ull));
	fputs("]:\n", out);
	if (e->what == STK_RUNNING) {
		fputs("goroutine running on other thread; stack unavailable\n", out);
		return;
	}
	if (e->what == STK_CHANGED || e->what == STK_BAD) {
		fputs(e->what == STK_CHANGED
			      ? "goroutine changed while read; stack unavailable (xgotop-tui)\n"
			      : "goroutine stack unreadable (xgotop-tui)\n",
		      out);
		return;
	}
	f = stackset__frames(s, e->stack, &n);
	for (i = 0; i < n; i++)
		fprintf(out, "%s(...)\n\t%s:%d\n", f[i].func ? SAN(f[i].func) : "?",
			f[i].file ? SAN(f[i].file) : "?", (int)f[i].line);
}

int stackset__print(FILE *out, const struct stackset *s)
{
	size_t i;

	/* In goid order (the sweep's, by pid then goid); runtime.Stack follows allgs. */
	for (i = 0; i < s->n_cur; i++) {
		if (i)
			fputc('\n', out);
		print_g(out, s, &s->cur[i]);
	}
	return ferror(out) ? -EIO : 0;
}

bool stackset__match(const struct stackset *s, uint32_t id, const char *text)
{
	const struct stk_frame *f;
	uint32_t n, i;

	f = stackset__frames(s, id, &n);
	for (i = 0; i < n; i++)
		if ((f[i].func && strcasestr(f[i].func, text)) ||
		    (f[i].file && strcasestr(f[i].file, text)))
			return true;
	return false;
}
