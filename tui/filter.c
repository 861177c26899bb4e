// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE /* strcasestr */
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gevent.h"
#include "gtable.h"
#include "stackset.h"
#include "xgotop_event.h"

/* Names users type: Go's, plus "exited" for dead goroutines. */
static const char *state_word(unsigned int s)
{
	return s == XG_G_DEAD ? "exited" : gev_state_name(s);
}

int filter__state_by_name(const char *name)
{
	unsigned int s;

	if (!strcasecmp(name, "dead"))
		return XG_G_DEAD;
	for (s = 0; s < GT_NSTATES; s++)
		if (!strcasecmp(name, state_word(s)))
			return (int)s;
	return -1;
}

/* Bits of the states NAME (a name or a prefix of names) designates; 0 if none. */
static uint32_t states_by_prefix(const char *name, size_t len)
{
	uint32_t bits = 0;
	unsigned int s;

	if (!len)
		return 0;
	for (s = 0; s < GT_NSTATES; s++) {
		/* Unused numbers (moribund, enqueue) only by their full name. */
		bool unused = s == XG_G_MORIBUND || s == XG_G_ENQUEUE || s == XG_G_DEADEXTRA;
		const char *w = state_word(s);

		if (unused ? strlen(w) == len && !strncasecmp(w, name, len)
			   : !strncasecmp(w, name, len))
			bits |= 1u << s;
	}
	if (len <= 4 && !strncasecmp("dead", name, len))
		bits |= 1u << XG_G_DEAD;
	return bits;
}

static int parse_states(struct filter_term *t, const char *v, char *err, size_t err_len)
{
	const char *p = v;

	if (!*v) {
		snprintf(err, err_len, "state: needs a state name (running, waiting, ...)");
		return -EINVAL;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		uint32_t bits = states_by_prefix(p, len);

		if (!bits) {
			snprintf(err, err_len,
				 "unknown state '%.*s': running, runnable, syscall, waiting, "
				 "exited, "
				 "preempted, copystack, idle",
				 (int)(len > 32 ? 32 : len), p);
			return -EINVAL;
		}
		t->states |= bits;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int parse_num(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_range(struct filter_term *t, const char *key, const char *v, char *err,
		       size_t err_len)
{
	char lo[32], *dash;

	if (strlen(v) >= sizeof(lo))
		goto bad;
	strcpy(lo, v);
	dash = strchr(lo, '-');
	if (dash)
		*dash = '\0';
	if (parse_num(lo, &t->lo))
		goto bad;
	t->hi = t->lo;
	if (dash && parse_num(dash + 1, &t->hi))
		goto bad;
	if (t->hi < t->lo)
		goto bad;
	return 0;
bad:
	snprintf(err, err_len, "%s: wants a number or a range N-M, not '%.32s'", key, v);
	return -EINVAL;
}

static int parse_term(struct filter_term *t, const char *word, char *err, size_t err_len)
{
	const char *colon = strchr(word, ':');
	size_t klen = colon ? (size_t)(colon - word) : 0;
	const char *v = colon ? colon + 1 : word;

	memset(t, 0, sizeof(*t));
	if (*word == '!') {
		t->neg = true;
		word++;
		if (!*word) {
			snprintf(err, err_len, "'!' needs a term after it");
			return -EINVAL;
		}
		colon = strchr(word, ':');
		klen = colon ? (size_t)(colon - word) : 0;
		v = colon ? colon + 1 : word;
	}
#define KEY(k) (klen == sizeof(k) - 1 && !strncasecmp(word, k, klen))
	if (!colon && !strcasecmp(word, "leak")) {
		t->kind = FT_LEAK;
		return 0;
	} else if (!colon) {
		t->kind = FT_FUNC;
	} else if (KEY("state")) {
		t->kind = FT_STATE;
		return parse_states(t, v, err, err_len);
	} else if (KEY("goid") || KEY("g")) {
		t->kind = FT_GOID;
		return parse_range(t, "goid", v, err, err_len);
	} else if (KEY("pid")) {
		t->kind = FT_PID;
		return parse_range(t, "pid", v, err, err_len);
	} else if (KEY("reason")) {
		t->kind = FT_REASON;
	} else if (KEY("stack") && *v == '#') {
		t->kind = FT_STACK_ID;
		snprintf(t->text, sizeof(t->text), "%s", v);
		if (parse_num(v + 1, &t->lo) || !t->lo || t->lo > UINT32_MAX) {
			snprintf(err, err_len, "stack:#N wants a stack number, not '%.32s'", v);
			return -EINVAL;
		}
		t->hi = t->lo;
		return 0;
	} else if (KEY("stack")) {
		t->kind = FT_STACK;
	} else if (KEY("by")) {
		t->kind = FT_BY;
	} else if (KEY("func") || KEY("fn")) {
		t->kind = FT_FUNC;
		if (*v == '=') {
			t->kind = FT_FUNC_EXACT;
			v++;
		}
	} else {
		snprintf(err, err_len,
			 "unknown filter key '%.*s': use state:, reason:, goid:, pid:, func:, by:, "
			 "stack:",
			 (int)(klen > 32 ? 32 : klen), word);
		return -EINVAL;
	}
#undef KEY
	if (!*v) {
		snprintf(err, err_len, "'%s' needs a value after ':'", word);
		return -EINVAL;
	}
	snprintf(t->text, sizeof(t->text), "%s", v);
	return 0;
}

int filter__parse(struct filter *f, const char *s, char *err, size_t err_len)
{
	struct filter nf = {0};
	char buf[FILTER_MAX_LEN], *save = NULL, *word;
	int err_code;

	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, err_len, "filter too long (%d characters at most)",
			 FILTER_MAX_LEN - 1);
		return -EINVAL;
	}
	strcpy(buf, s);
	for (word = strtok_r(buf, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		if (nf.n == FILTER_MAX_TERMS) {
			snprintf(err, err_len, "too many terms (%d at most)", FILTER_MAX_TERMS);
			return -EINVAL;
		}
		err_code = parse_term(&nf.t[nf.n], word, err, err_len);
		if (err_code)
			return err_code;
		nf.n++;
	}
	nf.stacks = f->stacks;
	nf.now = f->now;
	filter__clear(f);
	*f = nf;
	snprintf(f->src, sizeof(f->src), "%s", s);
	return 0;
}

/* Does S pass term T's string test, asked once per interned string? */
static bool str_match(struct filter_term *t, const char *s)
{
	uint32_t v;
	bool m;

	if (!s)
		return false;
	if (ptrmap__get(&t->cache, s, &v))
		return v;
	m = t->kind == FT_FUNC_EXACT ? !strcmp(s, t->text) : strcasestr(s, t->text) != NULL;
	/* Out of memory only costs the next lookup a string compare. */
	(void)ptrmap__put(&t->cache, s, m);
	return m;
}

/* A frame of E's last swept stack has the text; asked once per stack. */
static bool stack_match(struct filter_term *t, const struct stackset *s, const struct gentry *e)
{
	const struct stk_entry *se = s ? stackset__lookup(s, e->pid, e->goid) : NULL;
	/* Stack ids are interned for good: one answer per id. */
	const void *key = se ? (const void *)(uintptr_t)se->stack : NULL;
	uint32_t v;
	bool m;

	if (!key)
		return false;
	if (ptrmap__get(&t->cache, key, &v))
		return v;
	m = stackset__match(s, se->stack, t->text);
	(void)ptrmap__put(&t->cache, key, m);
	return m;
}

/* Its stack's group keeps growing, or it has waited too long (the table's time first). */
bool filter__leak(const struct stackset *stacks, const struct gentry *e, uint64_t now)
{
	const struct stk_entry *se;
	const struct stk_leak_opts *o;

	if (!stacks || e->exited_ts)
		return false;
	o = stackset__leak_opts(stacks);
	se = stackset__lookup(stacks, e->pid, e->goid);
	if (se && stackset__leak_entry(stacks, se, now))
		return true;
	/* The runtime's own goroutines wait by design (their stack, else their name says so). */
	if (se ? stackset__runtime_stack(stacks, se->stack)
	       : e->func && !strncmp(e->func, "runtime.", 8))
		return false;
	return e->state == XG_G_WAITING && o->wait_ns && e->state_since && now > e->state_since &&
	       now - e->state_since > o->wait_ns;
}

static bool term_match(const struct filter *f, struct filter_term *t, const struct gentry *e)
{
	switch (t->kind) {
	case FT_FUNC:
	case FT_FUNC_EXACT:
		return str_match(t, e->func);
	case FT_BY:
		return str_match(t, e->created_by);
	case FT_REASON:
		return e->state == XG_G_WAITING && str_match(t, e->reason_str);
	case FT_STATE:
		return e->state < 32 && (t->states >> (e->exited_ts ? XG_G_DEAD : e->state) & 1);
	case FT_GOID:
		return e->goid >= t->lo && e->goid <= t->hi;
	case FT_PID:
		return e->pid >= t->lo && e->pid <= t->hi;
	case FT_STACK:
		return stack_match(t, f->stacks, e);
	case FT_STACK_ID: {
		const struct stk_entry *se =
			f->stacks ? stackset__lookup(f->stacks, e->pid, e->goid) : NULL;

		return se && se->stack == t->lo;
	}
	case FT_LEAK:
		return filter__leak(f->stacks, e, f->now);
	}
	return false;
}

bool filter__match(struct filter *f, const struct gentry *e)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (term_match(f, &f->t[i], e) == f->t[i].neg)
			return false;
	return true;
}

void filter__reset_cache(struct filter *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		ptrmap__clear(&f->t[i].cache);
}

void filter__clear(struct filter *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		ptrmap__free(&f->t[i].cache);
	f->n = 0;
	f->src[0] = '\0';
}
