// SPDX-License-Identifier: BSD-2-Clause
/*
 * Start functions of goroutines found at attach that the binary alone cannot
 * name: a go statement's wrapper calling its function through a closure
 * value, a method value or an interface (go1.19-1.21 also for a closure
 * literal with arguments; src/goexe/gowrap.h, -EAGAIN). Go's dump names the
 * function at the bottom of the goroutine's stack, the wrapper being hidden
 * (traceback.go showfuncinfo, funcID wrapper): so do we, from one --stacks
 * sweep of the target, made only when there is such a goroutine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gowrap.h"
#include "session.h"
#include "snapshot.h"
#include "stacks.h"

/* The found creates starting in an indirect wrapper, by goid. */
struct want {
	uint64_t goid;
	struct found_g *f;
};

static int by_goid(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

static bool indirect(const struct goelf *ge, uint8_t wid, uint64_t pc)
{
	struct go_pcinfo pi;

	return gowrap__resolve(ge, pc, wid, &pi) == -EAGAIN;
}

/* Name each wanted goroutine of a sweep of the target. */
static size_t name_them(const struct stacks_target *st, const struct stk_sweep *sw,
			const struct goelf *ge, struct want *w, size_t n)
{
	size_t i, named = 0;

	for (i = 0; i < stk_sweep__n(sw); i++) {
		const struct stk_g *g = stk_sweep__g(sw, i);
		struct want key = {.goid = g->tb.goid}, *f;
		const char *name;

		f = bsearch(&key, w, n, sizeof(key), by_goid);
		if (!f || !(name = stacks__bottom_func(st, g, ge)))
			continue;
		f->f->func = name;
		named++;
	}
	return named;
}

int startname__found(struct tracer *t, struct found_g *fs, size_t n, size_t *named)
{
	const struct goelf *ge = t->tg.ge;
	uint8_t wid = gowrap__wrapper_id(ge);
	struct stacks_target *st = NULL;
	struct stk_sweep *sw = NULL;
	struct want *w;
	size_t i, k = 0;
	char err[256];
	int rc = 0;

	*named = 0;
	if (!wid || !n)
		return 0;
	w = malloc(n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (fs[i].startpc && !fs[i].func &&
		    indirect(ge, wid, fs[i].startpc - sink__bias(t, t->tg.pid)))
			w[k++] = (struct want){fs[i].goid, &fs[i]};
	if (!k)
		goto out;
	qsort(w, k, sizeof(*w), by_goid);
	st = stacks__open(t->tg.pid, err, sizeof(err));
	rc = st ? stacks__sweep(st, &sw, err, sizeof(err)) : -EIO;
	if (!rc)
		*named = name_them(st, sw, ge, w, k);
	else if (diag__verbose())
		fprintf(stderr, "xgotop-tui: start functions behind wrappers not read: %s\n", err);
out:
	stk_sweep__free(sw);
	stacks__close(st);
	free(w);
	return rc;
}
