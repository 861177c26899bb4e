/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A deterministic source for the UI tests: a fixed clock, a handful of
 * goroutines fed through the real state table, canned meters. Plus an
 * off-screen renderer: frames drawn into a window on a curses screen that
 * writes to /dev/null, read back as text.
 */
#ifndef XGOTOP_TESTS_TUI_FAKE_H
#define XGOTOP_TESTS_TUI_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "gtable.h"
#include "model.h"
#include "source.h"
#include "theme.h"

#define FAKE_T0	 1000000000000ull /* event clock at the start of the scenario */
#define FAKE_NOW (FAKE_T0 + 10000000000ull)
/*
 * The state table closes a CPU interval here and at FAKE_NOW, as the UI's
 * refreshes would: CPU% is the running time in [FAKE_MARK, FAKE_NOW].
 */
#define FAKE_MARK (FAKE_NOW - 1000000000ull)

struct fake {
	struct xg_source src;
	struct gtable *gt;
	uint64_t now;
	struct xg_target_info info;
	struct xg_meters meters[64];
	int n_meters, next_meter;
	int pumps;
	/* Events after FAKE_MARK, applied once the interval there is closed. */
	struct fake_late {
		struct gev ev;
		size_t seq;
	} * late;
	size_t n_late, cap_late;
	struct stackset *stacks; /* FAKE_STACKS */
	/* What the UI asked to be read alone (stacks_want): how often, the last goid. */
	unsigned int wants;
	uint64_t want_goid;
};

/* The scenario: a job server's goroutines (see fake.c). */
struct fake *fake__new(void);
/*
 * The scenario with more of it in its own time order (WHAT: FAKE_CPU):
 * off-CPU time (GEV_CPU) charged to running goroutines.
 */
#define FAKE_CPU 32u
struct fake *fake__new_with(unsigned int what);
void fake__free(struct fake *f);

/*
 * More of the scenario: allocation events (charged to the goroutines), the
 * size-class histogram they make, GC cycles (twelve, the 13th in progress at
 * FAKE_NOW). The probe list grows to match.
 */
#define FAKE_ALLOC_EVENTS 1u
#define FAKE_ALLOC_HIST	  2u /* alone: --alloc-hist */
#define FAKE_GC		  4u
/*
 * Stack sweeps (src/core/stackset.h): six, 2 s apart, the last 500 ms
 * before FAKE_NOW; a stack of goroutines not in the table (main.leaky)
 * grows at each, and the wait threshold of leak suspects is 5 s.
 */
#define FAKE_STACKS 8u
#define FAKE_HEAP   16u /* the runtime's heap counters (read from memory, no probe) */
void fake__add(struct fake *f, unsigned int what);

/* A model over F, with NSAMPLES meter samples taken, fixed wall clock (12:00:10 at FAKE_NOW). */
void fake__model(struct fake *f, struct tui_model *m, struct tui_theme *th, int nsamples);

/* Start the off-screen screen once; UTF8: C.UTF-8 locale, else C. */
void render__init(bool utf8);
void render__end(void);
/* Draw M's frame at COLS x ROWS; the text (trailing spaces trimmed), to free. */
char *render__frame(struct tui_model *m, int cols, int rows);
/* Attribute of the cell at (Y, X) of the last frame, and its character. */
attr_t render__attr(int y, int x);
wchar_t render__char(int y, int x);

/* Compare TEXT with tests/tui/golden/NAME.txt; XG_UPDATE_GOLDEN=1 rewrites it. */
bool golden__check(const char *name, const char *text);

#endif
