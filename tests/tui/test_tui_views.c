// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every view rendered off-screen from the fake scenario and compared with
 * the files in tests/tui/golden (XG_UPDATE_GOLDEN=1 rewrites them: read the diff).
 * Also: the too-small screen, and that in monochrome every state still
 * looks different.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "draw.h"
#include "fake.h"
#include "stackset.h"
#include "keys.h"
#include "views.h"
#include "xgotop_event.h"

struct fx {
	struct fake *f;
	struct tui_model m;
	struct tui_theme th;
};

/* MORE: FAKE_ALLOC_EVENTS, FAKE_ALLOC_HIST, FAKE_GC on top of the scenario. */
static struct fx *fx_new_with(enum tui_scheme scheme, enum tui_glyphset glyphs, unsigned int more)
{
	struct fx *x = calloc(1, sizeof(*x));

	render__init(true);
	theme__init(&x->th, scheme, glyphs);
	x->f = fake__new_with(more & FAKE_CPU);
	fake__add(x->f, more & ~FAKE_CPU);
	fake__model(x->f, &x->m, &x->th, 30);
	return x;
}

static struct fx *fx_new(enum tui_scheme scheme, enum tui_glyphset glyphs)
{
	return fx_new_with(scheme, glyphs, 0);
}

static void fx_free(struct fx *x)
{
	model__free(&x->m);
	fake__free(x->f);
	free(x);
}

/* Render at COLS x ROWS after KEYS (one string of keys, pressed in order), compare. */
static void check(struct fx *x, const char *name, enum tui_view_id v, const char *keys, int cols,
		  int rows)
{
	char *text;

	x->m.view = v;
	text = render__frame(&x->m, cols, rows);
	free(text);
	for (; keys && *keys; keys++)
		tui__key(&x->m, *keys == '\\' ? '\n' : *keys);
	text = render__frame(&x->m, cols, rows);
	assert_true(golden__check(name, text));
	free(text);
}

static void test_list(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);

	(void)state;
	check(x, "list_80x24", TUI_V_LIST, NULL, 80, 24);
	check(x, "list_132x40", TUI_V_LIST, NULL, 132, 40);
	check(x, "list_200x60", TUI_V_LIST, NULL, 200, 60);
	fx_free(x);
}

static void test_list_ascii(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_MONO, TUI_GLYPHS_ASCII);

	(void)state;
	check(x, "list_80x24_ascii", TUI_V_LIST, NULL, 80, 24);
	fx_free(x);
}

/*
 * A busy process: 8164 more parked goroutines and a busy one, selected, with
 * a 7-digit id. At 80 columns the status line drops fields, never
 * cuts a number: "G8636120:" and "8174 shown" whole (G31, preempted, filtered out).
 */
static void test_list_long_ids(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);
	struct gev ev = {.kind = GEV_STATE, .pid = 4242, .reason = GEV_NO_REASON};
	char *text, *last;
	uint64_t g;
	int i;

	(void)state;
	for (g = 1000000; g < 1000000 + 8164; g++) {
		ev.ts = FAKE_T0 + g;
		ev.goid = g;
		ev.from = XG_G_RUNNING;
		ev.to = XG_G_WAITING;
		ev.reason = 2;
		ev.reason_str = "IO wait";
		assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	}
	ev.reason = GEV_NO_REASON;
	ev.reason_str = NULL;
	ev.goid = 8636120;
	ev.ts = FAKE_NOW - 700000000ull;
	ev.from = XG_G_RUNNABLE;
	ev.to = XG_G_RUNNING;
	assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	ev.ts = FAKE_NOW - 50000000ull;
	ev.from = XG_G_RUNNING;
	ev.to = XG_G_RUNNABLE;
	assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	ev.ts = FAKE_NOW - 20000000ull;
	ev.from = XG_G_RUNNABLE;
	ev.to = XG_G_RUNNING;
	assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	model__refresh(&x->m);
	model__set_sort(&x->m, TUI_SORT_GOID, true); /* the newest first, selected */
	/* A filter too long for the line: it gives way, the count does not. */
	assert_int_equal(
		model__set_filter(&x->m, "state:running,runnable,waiting,syscall", NULL, 0), 0);
	check(x, "list_long_ids_80x24", TUI_V_LIST, NULL, 80, 24);
	text = render__frame(&x->m, 80, 24);
	/* The status line: the 23rd of 24. */
	for (last = text, i = 0; last && i < 22; i++) {
		last = strchr(last, '\n');
		last = last ? last + 1 : NULL;
	}
	assert_non_null(last);
	if (strchr(last, '\n'))
		*strchr(last, '\n') = '\0';
	assert_non_null(strstr(last, "G8636120:"));
	assert_non_null(strstr(last, "8174 shown"));
	free(text);
	fx_free(x);
}

static void test_list_filter_sort_zoom(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);

	(void)state;
	/* Waiting goroutines only, by goid; then zoomed in twice, cursor 3 cells back. */
	check(x, "list_filter_80x24", TUI_V_LIST, "/state:wait\\>>>", 80, 24);
	check(x, "list_zoom_80x24", TUI_V_LIST, "++HHH", 80, 24);
	fx_free(x);
}

static void test_views(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);

	(void)state;
	check(x, "group_80x24", TUI_V_GROUP, NULL, 80, 24);
	check(x, "group_132x40", TUI_V_GROUP, NULL, 132, 40);
	check(x, "lifetime_80x24", TUI_V_LIFETIME, NULL, 80, 24);
	check(x, "lifetime_132x40", TUI_V_LIFETIME, NULL, 132, 40);
	check(x, "alloc_80x24", TUI_V_ALLOC, NULL, 80, 24);
	check(x, "gc_80x24", TUI_V_GC, NULL, 80, 24);
	check(x, "meters_80x24", TUI_V_METERS, NULL, 80, 24);
	check(x, "meters_132x40", TUI_V_METERS, NULL, 132, 40);
	check(x, "help_80x24", TUI_V_HELP, NULL, 80, 24);
	check(x, "help_132x40", TUI_V_HELP, NULL, 132, 40);
	fx_free(x);
}

#define ALL_EVENTS (FAKE_ALLOC_EVENTS | FAKE_ALLOC_HIST | FAKE_GC)

/* Allocation events, their histogram and GC cycles: the views with data. */
static void test_alloc_gc_views(void **state)
{
	struct fx *x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, ALL_EVENTS);

	(void)state;
	/* 80x24 merges the 21 used buckets by powers of 2; 132x40 shows each. */
	check(x, "alloc_data_80x24", TUI_V_ALLOC, NULL, 80, 24);
	check(x, "alloc_data_132x40", TUI_V_ALLOC, NULL, 132, 40);
	/* a again: the selected goroutine (G8), among the top allocators. */
	check(x, "alloc_sel_80x24", TUI_V_ALLOC, "a", 80, 24);
	assert_true(x->m.alloc_selected);
	x->m.alloc_selected = false;
	check(x, "gc_data_80x24", TUI_V_GC, NULL, 80, 24);
	check(x, "gc_data_132x40", TUI_V_GC, NULL, 132, 40);
	/* The ALLOCS column, the GC band and the header's GC field. */
	check(x, "list_data_132x40", TUI_V_LIST, NULL, 132, 40);
	fx_free(x);

	x = fx_new_with(TUI_SCHEME_MONO, TUI_GLYPHS_ASCII, ALL_EVENTS);
	check(x, "alloc_data_80x24_ascii", TUI_V_ALLOC, NULL, 80, 24);
	check(x, "gc_data_80x24_ascii", TUI_V_GC, NULL, 80, 24);
	fx_free(x);

	/* --alloc-hist: exact size classes, no counts per goroutine or kind, and it says so. */
	x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, FAKE_ALLOC_HIST);
	check(x, "alloc_histonly_80x24", TUI_V_ALLOC, NULL, 80, 24);
	check(x, "alloc_histonly_sel_80x24", TUI_V_ALLOC, "a", 80, 24);
	fx_free(x);

	/* Default probes: the runtime's counters alone (live heap, rate, size classes). */
	x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, FAKE_HEAP);
	check(x, "alloc_heap_80x24", TUI_V_ALLOC, NULL, 80, 24);
	check(x, "alloc_heap_120x30", TUI_V_ALLOC, NULL, 120, 30);
	fx_free(x);
	/* --alloc: BPF's histogram and the events, with the heap line above. */
	x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, ALL_EVENTS | FAKE_HEAP);
	check(x, "alloc_data_heap_80x24", TUI_V_ALLOC, NULL, 80, 24);
	fx_free(x);
}

static void test_detail(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);

	(void)state;
	/* From the list, the selection (G8, busiest) then Enter. */
	check(x, "detail_80x24", TUI_V_LIST, "\\", 80, 24);
	check(x, "detail_132x40", TUI_V_DETAIL, NULL, 132, 40);
	/* G1: created before tracing, the parent of most. */
	x->m.view = TUI_V_LIST;
	check(x, "detail_g1_80x24", TUI_V_LIST, "\x1b/goid:1\\\\", 80, 24);
	fx_free(x);
}

/* The list row of goroutine GOID in TEXT (its first cell, the id), or NULL. */
static const char *row_of(const char *text, const char *goid)
{
	const char *l;

	for (l = strchr(text, '\n'); l; l = strchr(l + 1, '\n'))
		if (!strncmp(l + 1 + strspn(l + 1, " !"), goid, strlen(goid)) &&
		    l[1 + strspn(l + 1, " !") + strlen(goid)] == ' ')
			return l + 1;
	return NULL;
}

/*
 * Off-CPU time (GEV_CPU): the glyph of a running span mostly off the CPU
 * (G23's closed one, G22's open one), and the detail view's on-CPU line.
 */
static void test_oncpu(void **state)
{
	struct fx *x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, FAKE_CPU);
	const char *row;
	char *text;

	(void)state;
	check(x, "list_oncpu_80x24", TUI_V_LIST, NULL, 80, 24);
	text = render__frame(&x->m, 80, 24);
	row = row_of(text, "23");
	assert_non_null(row);
	assert_non_null(strstr(row, "▓"));
	/* On its CPU again for its last 100ms: running's own glyph. */
	assert_non_null(strstr(strstr(row, "▓"), "█"));
	free(text);
	x->m.view = TUI_V_HELP;
	text = render__frame(&x->m, 80, 100);
	assert_non_null(
		strstr(text, "\n  █ running\n  ▓ running, but its thread mostly off the CPU"));
	free(text);
	check(x, "detail_oncpu_80x24", TUI_V_LIST, "/goid:22\\\\", 80, 24);
	text = render__frame(&x->m, 80, 24);
	/* 390ms running, 230ms of it off: 150ms preempted, 80ms blocked. */
	assert_non_null(strstr(text, "\non CPU      160ms of 390ms running (41.0%)\n"));
	assert_non_null(strstr(text, "\noff CPU     230ms: preempted 150ms, blocked 80ms\n"));
	free(text);
	/* G23: its closed span mostly off, then on its CPU; Enter from the list. */
	assert_int_equal(model__set_filter(&x->m, "goid:23", NULL, 0), 0);
	model__rows(&x->m);
	check(x, "detail_oncpu_g23_80x24", TUI_V_LIST, "\\", 80, 24);
	fx_free(x);

	x = fx_new_with(TUI_SCHEME_MONO, TUI_GLYPHS_ASCII, FAKE_CPU);
	check(x, "list_oncpu_80x24_ascii", TUI_V_LIST, NULL, 80, 24);
	text = render__frame(&x->m, 80, 24);
	row = row_of(text, "23");
	assert_non_null(row);
	assert_non_null(strchr(row, '&'));
	free(text);
	/* The help's legend has it, after running. */
	x->m.view = TUI_V_HELP;
	text = render__frame(&x->m, 80, 100);
	assert_non_null(
		strstr(text, "\n  # running\n  & running, but its thread mostly off the CPU"));
	free(text);
	/* Without GEV_CPU no cell is off the CPU. */
	fx_free(x);
	x = fx_new(TUI_SCHEME_MONO, TUI_GLYPHS_ASCII);
	text = render__frame(&x->m, 80, 24);
	assert_null(strchr(strchr(text, '\n'), '&'));
	free(text);
	fx_free(x);
}

static void test_group_enter_filters(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);
	char *text;

	(void)state;
	check(x, "group_enter_80x24", TUI_V_GROUP, "\\", 80, 24);
	assert_int_equal(x->m.view, TUI_V_LIST);
	assert_string_equal(x->m.filter.src, "func:=main.main.func1");
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 4);
	text = render__frame(&x->m, 80, 24);
	assert_non_null(strstr(text, "filter: func:=main.main.func1"));
	free(text);
	fx_free(x);
}

/* Rows of the list (below its header) whose first cell is the leak mark. */
static int count_leak_marks(const char *text)
{
	const char *l = strchr(text, '\n');
	int n = 0;

	for (; l; l = strchr(l + 1, '\n'))
		n += l[1] == '!';
	return n;
}

/* Stack sweeps (issue 15): the group view, the detail view's stack, stack: and leak. */
static void test_stacks(void **state)
{
	struct fx *x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, FAKE_STACKS);
	char *text;

	(void)state;
	/* main.leaky first (30, growing: '!'), the server marked for its wait (not forcegc). */
	check(x, "stacks_80x24", TUI_V_STACKS, NULL, 80, 24);
	check(x, "stacks_132x40", TUI_V_STACKS, NULL, 132, 40);
	/* Down twice: the selected group's frames follow it. */
	check(x, "stacks_sel_80x24", TUI_V_STACKS, "jj", 80, 24);
	/* Enter: its goroutines in the list, G9 and G10 (main.main.func1 asleep). */
	x->m.view = TUI_V_STACKS;
	tui__key(&x->m, '\n');
	assert_int_equal(x->m.view, TUI_V_LIST);
	assert_memory_equal(x->m.filter.src, "stack:#", 7);
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 2);
	/* The running ones have no stack to list. */
	assert_int_equal(model__set_filter(&x->m, "", NULL, 0), 0);
	x->m.view = TUI_V_STACKS;
	x->m.stacks_sel = 1;
	free(render__frame(&x->m, 80, 24));
	tui__key(&x->m, '\n');
	assert_int_equal(x->m.view, TUI_V_STACKS);
	x->m.stacks_sel = 0;
	/* G1's stack in its detail view. */
	check(x, "detail_stack_80x24", TUI_V_LIST, "/goid:1\\\\", 80, 24);
	assert_int_equal(x->m.view, TUI_V_DETAIL);
	x->m.view = TUI_V_LIST;

	/* stack: matches any frame, function or file; only G7 sends on a channel. */
	assert_int_equal(model__set_filter(&x->m, "stack:chansend", NULL, 0), 0);
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 1);
	assert_int_equal(model__selected(&x->m)->goid, 7);
	/* A file name matches too: G11 reads a file, G30 serves over net.go (not G1). */
	assert_int_not_equal(model__set_filter(&x->m, "stack:#x", NULL, 0), 0);
	assert_int_not_equal(model__set_filter(&x->m, "stack:#0", NULL, 0), 0);
	assert_int_equal(model__set_filter(&x->m, "stack:file.go", NULL, 0), 0);
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 1);
	assert_int_equal(model__selected(&x->m)->goid, 11);
	/*
	 * Negated: all but G1, G9, G10 (main.main.func1) and G11; the running
	 * ones have no stack, so they pass.
	 */
	assert_int_equal(model__set_filter(&x->m, "!stack:main.main", NULL, 0), 0);
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 6);
	/*
	 * leak: waiting longer than 5 s: G30 (IO wait, 7 s); not G3 (force gc,
	 * 10 s), the runtime's own, which waits by design.
	 */
	assert_int_equal(model__set_filter(&x->m, "", NULL, 0), 0);
	/* Marked '!' in the list: G30 only (main.leaky's goroutines are not in the table). */
	check(x, "list_marks_80x24", TUI_V_LIST, NULL, 80, 24);
	text = render__frame(&x->m, 132, 40);
	assert_int_equal(count_leak_marks(text), 1);
	free(text);
	/* The mark's legend, at the end of the help. */
	x->m.view = TUI_V_HELP;
	text = render__frame(&x->m, 80, 100);
	assert_non_null(strstr(text, "\n  ! leak suspect: "));
	free(text);
	x->m.view = TUI_V_LIST;
	check(x, "list_leak_80x24", TUI_V_LIST, "/leak\\", 80, 24);
	assert_string_equal(x->m.filter.src, "leak");
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 1);
	assert_int_equal(model__selected(&x->m)->goid, 30);
	/* The group view under the same filter: its group only. */
	text = render__frame(&x->m, 80, 24);
	free(text);
	x->m.view = TUI_V_STACKS;
	text = render__frame(&x->m, 80, 24);
	assert_int_equal(x->m.stacks_n, 1);
	assert_null(strstr(text, "runtime.forcegchelper"));
	assert_non_null(strstr(text, "(*pollDesc).wait"));
	assert_null(strstr(text, "main.leaky"));
	free(text);
	fx_free(x);
}

/* E read alone at TS: the detail view then shows HAS, and not LACKS. */
static void read_alone(struct fx *x, const struct stk_entry *e, uint64_t ts, const char *has,
		       const char *lacks)
{
	char *text;

	assert_int_equal(stackset__set_one(x->f->stacks, e, ts), 0);
	text = render__frame(&x->m, 80, 24);
	assert_non_null(strstr(text, has));
	assert_null(strstr(text, lacks));
	free(text);
}

/*
 * The detail view asks for its goroutine to be read alone (issue 15) and
 * shows that read while it is newer than the sweep; never an exited one.
 */
static void test_stack_read_alone(void **state)
{
	struct fx *x = fx_new_with(TUI_SCHEME_256, TUI_GLYPHS_UTF8, FAKE_STACKS);
	static const struct stk_frame now_at[] = {
		{"runtime.gopark", "/usr/lib/go/src/runtime/proc.go", 435},
		{"time.Sleep", "/usr/lib/go/src/runtime/time.go", 338},
		{"main.main", "/src/workload/main.go", 74},
	};
	struct stk_entry e = {.pid = 4242, .goid = 1, .status = XG_G_WAITING};
	const uint64_t ms = 1000000ull;

	(void)state;
	x->m.view = TUI_V_LIST;
	assert_int_equal(model__set_filter(&x->m, "goid:1", NULL, 0), 0);
	model__rows(&x->m);
	x->m.view = TUI_V_DETAIL;
	free(render__frame(&x->m, 80, 24));
	assert_true(x->f->wants > 0);
	assert_int_equal(x->f->want_goid, 1);
	/* Read alone 200 ms ago, after the sweep (500 ms ago): that stack, so titled. */
	e.stack = stackset__intern(x->f->stacks, now_at, 3);
	assert_int_not_equal(e.stack, 0);
	assert_int_equal(stackset__set_one(x->f->stacks, &e, FAKE_NOW - 200 * ms), 0);
	check(x, "detail_stack_alone_80x24", TUI_V_DETAIL, NULL, 80, 24);
	/* Read alone before the sweep: the sweep's is newer. */
	read_alone(x, &e, FAKE_NOW - 900 * ms, "Stack (swept -500ms)", "time.Sleep");
	/* Running when read alone: no stack, said so. */
	e.stack = 0;
	e.what = STK_RUNNING;
	e.status = XG_G_RUNNING;
	read_alone(x, &e, FAKE_NOW - 100 * ms, "Stack (read alone -100ms): running",
		   "main.main  /src");
	/* Another goroutine's read is not G1's. */
	e.goid = 3;
	read_alone(x, &e, FAKE_NOW - 100 * ms, "Stack (swept -500ms)", "read alone");
	fx_free(x);
}

static void test_too_small(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_256, TUI_GLYPHS_UTF8);
	char *text;

	(void)state;
	check(x, "small_40x10", TUI_V_LIST, NULL, 40, 10);
	text = render__frame(&x->m, 79, 24);
	assert_non_null(strstr(text, "terminal too small"));
	assert_non_null(strstr(text, "need 80x24, have 79x24"));
	free(text);
	text = render__frame(&x->m, 80, 23);
	assert_non_null(strstr(text, "need 80x24, have 80x23"));
	free(text);
	/* Back to a good size: the list again. */
	text = render__frame(&x->m, 80, 24);
	assert_null(strstr(text, "terminal too small"));
	assert_non_null(strstr(text, "GID"));
	free(text);
	/* Tiny: no crash, whatever fits. */
	text = render__frame(&x->m, 5, 2);
	free(text);
	fx_free(x);
}

/* In monochrome each state's cell (glyph and attributes) differs from every other's. */
static void test_mono_states_distinct(void **state)
{
	static const unsigned int states[] = {XG_G_RUNNING, XG_G_RUNNABLE,  XG_G_SYSCALL,
					      XG_G_WAITING, XG_G_PREEMPTED, XG_G_COPYSTACK,
					      XG_G_IDLE};
	enum tui_glyphset sets[] = {TUI_GLYPHS_ASCII, TUI_GLYPHS_CONSOLE, TUI_GLYPHS_UTF8};
	size_t i, j, k;

	(void)state;
	for (k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		struct tui_theme th;

		theme__init(&th, TUI_SCHEME_MONO, sets[k]);
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			const wchar_t *gi = theme__state_glyph(&th, states[i], false);
			attr_t ai = th.attr[theme__state_role(states[i], false)];

			/* No color hides in a mono attribute. */
			assert_int_equal(ai & A_COLOR, 0);
			assert_true(wcscmp(gi, th.g->unknown) && wcscmp(gi, th.g->mixed) &&
				    wcscmp(gi, th.g->exit) && wcscmp(gi, L" "));
			/* Running off the CPU has a glyph of its own. */
			assert_true(wcscmp(gi, th.g->offcpu));
			for (j = 0; j < i; j++) {
				const wchar_t *gj = theme__state_glyph(&th, states[j], false);
				attr_t aj = th.attr[theme__state_role(states[j], false)];

				assert_true(wcscmp(gi, gj) || ai != aj);
			}
		}
		/* Exited, unknown and mixed differ from each other too. */
		assert_true(wcscmp(th.g->exit, th.g->unknown) && wcscmp(th.g->exit, th.g->mixed) &&
			    wcscmp(th.g->unknown, th.g->mixed));
		assert_true(wcscmp(th.g->offcpu, th.g->unknown) &&
			    wcscmp(th.g->offcpu, th.g->mixed) && wcscmp(th.g->offcpu, th.g->exit) &&
			    wcscmp(th.g->offcpu, L" "));
	}
}

/* The same, on screen: the STATE column of a mono render, row by row. */
static void test_mono_render_distinct(void **state)
{
	struct fx *x = fx_new(TUI_SCHEME_MONO, TUI_GLYPHS_UTF8);
	wchar_t seen_g[16];
	attr_t seen_a[16];
	char seen_name[16][16];
	int n = 0, y, i;
	char *text;

	(void)state;
	/* By goid: the selected first row is G1, waiting like others; every state listed below. */
	model__set_sort(&x->m, TUI_SORT_GOID, false);
	text = render__frame(&x->m, 80, 24);
	/* Rows start at line 5, the selected one (its own look); STATE at 6, the name at 8. */
	for (y = 6; y < 22; y++) {
		wchar_t g = render__char(y, 6);
		attr_t a = render__attr(y, 6);
		char name[16];
		int c;

		if (g == L' ' || !g)
			continue;
		for (c = 0; c < 4; c++)
			name[c] = (char)render__char(y, 8 + c);
		name[4] = '\0';
		for (i = 0; i < n; i++)
			if (!strcmp(seen_name[i], name))
				break;
		if (i < n) {
			/* Same state name: same look. */
			assert_true(seen_g[i] == g && seen_a[i] == a);
			continue;
		}
		for (i = 0; i < n; i++)
			assert_true(seen_g[i] != g || seen_a[i] != a);
		seen_g[n] = g;
		seen_a[n] = a;
		snprintf(seen_name[n], sizeof(seen_name[n]), "%s", name);
		n++;
	}
	/* preempted, running, runnable, waiting, syscall, exited. */
	assert_true(n >= 6);
	free(text);
	fx_free(x);
}

/* The selected row is highlighted in every scheme; its timeline keeps the state colors. */
static void test_selection_visible(void **state)
{
	enum tui_scheme schemes[] = {TUI_SCHEME_MONO, TUI_SCHEME_8, TUI_SCHEME_16, TUI_SCHEME_256};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		struct fx *x = fx_new(schemes[k], TUI_GLYPHS_UTF8);
		char *text = render__frame(&x->m, 80, 24);

		assert_int_equal(render__attr(5, 2), x->th.attr[COLOR_SELECTED]);
		assert_int_not_equal(render__attr(6, 2), x->th.attr[COLOR_SELECTED]);
		free(text);
		fx_free(x);
	}
}

/* Every cell of A and B the same (character, attributes, color), and the cursor. */
static void same_cells(WINDOW *a, WINDOW *b)
{
	int y, x;

	for (y = 0; y < getmaxy(a); y++)
		for (x = 0; x < getmaxx(a); x++) {
			cchar_t ca, cb;
			wchar_t wa[CCHARW_MAX + 1], wb[CCHARW_MAX + 1];
			attr_t aa, ab;
			short pa, pb;

			mvwin_wch(a, y, x, &ca);
			mvwin_wch(b, y, x, &cb);
			getcchar(&ca, wa, &aa, &pa, NULL);
			getcchar(&cb, wb, &ab, &pb, NULL);
			assert_true(wa[0] == wb[0] && aa == ab && pa == pb);
		}
}

/*
 * d_str copies printable ASCII into the cells itself; what it leaves (cells,
 * and the cursor curses moves the terminal's to) is what waddnstr leaves:
 * in the middle of a row, up to its edge (the cursor wraps), in the
 * bottom-right corner, with and without colors, in a window with a
 * background of its own (then waddnstr draws it), and for UTF-8 text.
 */
static void test_text_cells_as_curses(void **state)
{
	static const struct {
		int y, x;
		const char *s;
		bool color;
	} cases[] = {
		{1, 2, "GID 12", false},     {1, 7, "waiting 3.2s", true},
		{2, 9, "main.worker", true}, {3, 0, "   ", false},
		{3, 4, "  ", true},	     {5, 14, "abcdef", true},
		{4, 3, "café…x", true},	     {0, 0, "", true},
	};
	WINDOW *a, *b;
	size_t i;
	int k, ya, xa;

	(void)state;
	render__init(true);
	for (k = 0; k < 2; k++) {
		a = newwin(6, 20, 0, 0);
		b = newwin(6, 20, 0, 0);
		assert_non_null(a);
		assert_non_null(b);
		if (k) { /* a background of its own: drawn by curses, not copied */
			wbkgdset(a, ' ' | COLOR_PAIR(2));
			wbkgdset(b, ' ' | COLOR_PAIR(2));
		}
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			attr_t at = cases[i].color ? A_BOLD | COLOR_PAIR(3) : A_NORMAL;
			int cols = (int)mbstowcs(NULL, cases[i].s, 0);

			assert_int_equal(d_str(a, cases[i].y, cases[i].x, 20, at, cases[i].s),
					 cols);
			wattrset(b, at);
			mvwaddnstr(b, cases[i].y, cases[i].x, cases[i].s, -1);
			wattrset(b, A_NORMAL);
			getyx(a, ya, xa);
			assert_int_equal(ya, getcury(b));
			assert_int_equal(xa, getcurx(b));
			same_cells(a, b); /* (which moves the cursors) */
		}
		delwin(a);
		delwin(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_ascii),
		cmocka_unit_test(test_list_long_ids),
		cmocka_unit_test(test_list_filter_sort_zoom),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_alloc_gc_views),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_oncpu),
		cmocka_unit_test(test_group_enter_filters),
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_stack_read_alone),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_mono_states_distinct),
		cmocka_unit_test(test_mono_render_distinct),
		cmocka_unit_test(test_selection_visible),
		cmocka_unit_test(test_text_cells_as_curses),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	render__end();
	return rc;
}
