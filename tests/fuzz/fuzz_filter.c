// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the list filter typed after '/' (tui/filter.c): the
 * input, cut at NUL bytes, is a series of filters typed one after another
 * into the same struct filter, each matched against a few goroutines.
 *
 * Beyond not crashing: a refused filter says why and leaves the previous
 * one as it was; an accepted one keeps its text, has sane terms, and parses
 * again to the same terms; a match asked twice (from the string caches, and
 * again after they are reset) gives the same answer. stack: and leak read
 * a stack sweep of three of the goroutines (one leaking group).
 * Seeds: tests/fuzz/corpus/filter (the syntax of tui/filter.h, and errors).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "gtable.h"
#include "stackset.h"
#include "xgotop_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_ENTRIES 5

static void check_terms(const struct filter *f)
{
	int i;

	if (f->n < 0 || f->n > FILTER_MAX_TERMS)
		abort();
	for (i = 0; i < f->n; i++) {
		const struct filter_term *t = &f->t[i];

		switch (t->kind) {
		case FT_FUNC:
		case FT_FUNC_EXACT:
		case FT_BY:
		case FT_REASON:
		case FT_STACK:
			if (memchr(t->text, '\0', sizeof(t->text)) == NULL)
				abort();
			break;
		case FT_STATE:
			if (!t->states || t->states >> GT_NSTATES)
				abort();
			break;
		case FT_GOID:
		case FT_PID:
			if (t->lo > t->hi)
				abort();
			break;
		case FT_LEAK:
			break;
		case FT_STACK_ID:
			if (!t->lo || t->lo != t->hi || t->lo > UINT32_MAX)
				abort();
			break;
		default:
			abort();
		}
	}
}

static void check_match(struct filter *f, struct gentry *es)
{
	bool m[N_ENTRIES];
	int i;

	for (i = 0; i < N_ENTRIES; i++)
		m[i] = filter__match(f, &es[i]);
	for (i = 0; i < N_ENTRIES; i++)
		if (filter__match(f, &es[i]) != m[i])
			abort();
	filter__reset_cache(f);
	for (i = 0; i < N_ENTRIES; i++)
		if (filter__match(f, &es[i]) != m[i])
			abort();
}

/* The text of an accepted filter parses again to the same terms. */
static void check_reparse(const struct filter *f)
{
	struct filter again = {0};
	char err[128];
	int i;

	if (filter__parse(&again, f->src, err, sizeof(err)) || again.n != f->n)
		abort();
	for (i = 0; i < f->n; i++)
		if (again.t[i].kind != f->t[i].kind || again.t[i].neg != f->t[i].neg ||
		    strcmp(again.t[i].text, f->t[i].text) || again.t[i].states != f->t[i].states ||
		    again.t[i].lo != f->t[i].lo || again.t[i].hi != f->t[i].hi)
			abort();
	filter__clear(&again);
}

static void one(struct filter *f, const char *s, struct gentry *es)
{
	char err[160], src[FILTER_MAX_LEN];
	int n = f->n, ret, st;

	memcpy(src, f->src, sizeof(src));
	err[0] = '\0';
	ret = filter__parse(f, s, err, sizeof(err));
	if (ret) {
		/* Refused: says why, and the filter in use stays. */
		if (ret != -EINVAL || !err[0] || f->n != n || memcmp(src, f->src, sizeof(src)))
			abort();
	} else {
		if (strcmp(f->src, s))
			abort();
		check_terms(f);
		check_reparse(f);
	}
	st = filter__state_by_name(s);
	if (st < -1 || st >= GT_NSTATES)
		abort();
	/* A string the caches have not met, at an address they may have. */
	es[N_ENTRIES - 1].func = s;
	check_match(f, es);
	filter__reset_cache(f);
}

/* Sweeps of G123 and G124 (a group that grows) and G1 (running), once. */
static const struct stackset *sweeps(void)
{
	static const struct stk_frame fr[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					      {"main.worker", "/src/main.go", 12},
					      {"net/http.(*conn).serve", "\xff\xfe", -1}};
	static struct stackset *s;
	uint32_t a, b;
	int k;

	if (s)
		return s;
	s = stackset__new();
	if (!s)
		abort();
	a = stackset__intern(s, fr, 2);
	b = stackset__intern(s, fr + 2, 1);
	for (k = 0; k < 7; k++) {
		struct stk_entry e[] = {
			{.pid = 7, .goid = 1, .what = STK_RUNNING, .status = XG_G_RUNNING},
			{.pid = 7,
			 .goid = 123,
			 .stack = a,
			 .status = XG_G_WAITING,
			 .wait_since = 1},
			{.pid = 8, .goid = 124, .stack = b, .status = XG_G_RUNNABLE},
			{.pid = 8, .goid = 1000 + (uint64_t)k, .stack = b},
		};
		int i;

		stackset__sweep_begin(s, 1000000000ull * (uint64_t)(k + 1));
		for (i = 0; i < 4; i++)
			if (stackset__sweep_add(s, &e[i]))
				abort();
		if (stackset__sweep_end(s))
			abort();
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gentry es[N_ENTRIES] = {
		{.pid = 7, .goid = 1, .state = XG_G_RUNNING, .func = "main.main"},
		{.pid = 7,
		 .goid = 123,
		 .state = XG_G_WAITING,
		 .func = "main.worker",
		 .created_by = "main.main",
		 .reason = 2,
		 .reason_str = "chan receive"},
		{.pid = 8, .goid = 124, .state = XG_G_RUNNABLE, .func = "net/http.(*conn).serve"},
		{.pid = 8, .goid = 125, .state = XG_G_DEAD, .exited_ts = 99, .func = NULL},
		{.pid = 9, .goid = UINT64_MAX, .state = XG_G_SYSCALL},
	};
	struct filter f = {.stacks = sweeps(), .now = 100000000000ull};
	size_t i = 0;

	while (i <= size) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t len = nul ? (size_t)(nul - (data + i)) : size - i;
		char *s = malloc(len + 1);

		if (!s)
			break;
		memcpy(s, data + i, len);
		s[len] = '\0';
		one(&f, s, es);
		free(s);
		i += len + 1;
	}
	filter__clear(&f);
	return 0;
}
