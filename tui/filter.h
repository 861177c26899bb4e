/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The list filter typed after '/': space-separated terms, all of which must
 * match. Pure: no ncurses.
 *
 *   WORD            start function contains WORD (case-insensitive)
 *   func:WORD       the same; func:=NAME matches NAME exactly
 *   by:WORD         the function holding the go statement contains WORD
 *   state:S[,S...]  current state; S is a state name or a prefix of one
 *                   (run matches running and runnable; exited = dead)
 *   reason:WORD     wait reason contains WORD (only waiting goroutines have one)
 *   goid:N, goid:N-M, pid:N
 *   stack:TEXT      a frame of its last swept stack has TEXT in its function
 *                   or file (case-insensitive); stack:#N, its stack is stack N
 *                   (the stack groups view's Enter)
 *   leak            a leak suspect: its stack's group grew at every one of the
 *                   last sweeps, or it has waited longer than the threshold
 *   !TERM           negation
 */
#ifndef XGOTOP_TUI_FILTER_H
#define XGOTOP_TUI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptrmap.h"

struct gentry;
struct stackset;

#define FILTER_MAX_TERMS 16
#define FILTER_MAX_LEN	 256

enum filter_kind {
	FT_FUNC,
	FT_FUNC_EXACT,
	FT_BY,
	FT_REASON,
	FT_STATE,
	FT_GOID,
	FT_PID,
	FT_STACK,
	FT_STACK_ID, /* lo: the stack id */
	FT_LEAK,
};

struct filter_term {
	enum filter_kind kind;
	bool neg;
	char text[FILTER_MAX_LEN];
	uint32_t states; /* FT_STATE: bit per Go status */
	uint64_t lo, hi; /* FT_GOID, FT_PID: inclusive range */
	/* Interned string -> 1 (match) or 0: each distinct name is compared once. */
	struct ptrmap cache;
};

struct filter {
	int n; /* 0: everything matches */
	struct filter_term t[FILTER_MAX_TERMS];
	char src[FILTER_MAX_LEN]; /* as typed, for the status line */
	/* What stack: and leak read (the model sets them; kept across parses). NULL: none. */
	const struct stackset *stacks;
	uint64_t now;
};

/*
 * Parse S into F. 0, or -EINVAL with a message in ERR (F is then unchanged):
 * a bad filter never half-applies.
 */
int filter__parse(struct filter *f, const char *s, char *err, size_t err_len);
/* Does E pass? Not const: the string caches fill as names are met. */
bool filter__match(struct filter *f, const struct gentry *e);
/*
 * Is E a leak suspect at NOW, as the term leak says (its stack's group in
 * STACKS keeps growing, or it has waited too long)? False without STACKS.
 */
bool filter__leak(const struct stackset *stacks, const struct gentry *e, uint64_t now);
/* Match nothing-filter: drop the terms and their caches. */
void filter__clear(struct filter *f);
/* Forget cached answers (strings may have been freed, e.g. a new recording). */
void filter__reset_cache(struct filter *f);

/* Index of the state named NAME (or "exited"), -1 if none: exact names only. */
int filter__state_by_name(const char *name);

#endif /* XGOTOP_TUI_FILTER_H */
