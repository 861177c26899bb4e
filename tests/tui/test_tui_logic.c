// SPDX-License-Identifier: BSD-2-Clause
/*
 * The UI's logic without a screen: the key table against its help text,
 * filter parsing and matching, sort orders (and the partial sort against a
 * full one), the time window, the history tracker, CPU shares, formatting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "batch.h"
#include "data.h"
#include "fake.h"
#include "filter.h"
#include "fmt.h"
#include "keys.h"
#include "meter.h"
#include "model.h"
#include "text.h"
#include "track.h"
#include "views.h"
#include "xgotop_event.h"

#define MS 1000000ull
#define S  1000000000ull

/* ---- keys ------------------------------------------------------------------ */

/* The key entries, the views' keys included, in the help's order. */
static const struct tui_keydef *tui_keys[128];
static size_t tui_keys_n;

static int keys_setup(void **state)
{
	struct keys_iter it = {0};
	const struct tui_keydef *d;

	(void)state;
	tui_keys_n = 0;
	while ((d = keys__next(&it))) {
		assert_true(tui_keys_n < sizeof(tui_keys) / sizeof(tui_keys[0]));
		tui_keys[tui_keys_n++] = d;
	}
	return 0;
}

/* No key does two things (in the same mode). */
static void test_keys_unique(void **state)
{
	size_t i, j;
	int a, b;

	(void)state;
	for (i = 0; i < tui_keys_n; i++)
		for (a = 0; a < TUI_KEYS_MAX && tui_keys[i]->keys[a]; a++)
			for (j = 0; j <= i; j++)
				for (b = 0; b < TUI_KEYS_MAX && tui_keys[j]->keys[b]; b++) {
					if (i == j && a == b)
						continue;
					assert_int_not_equal(tui_keys[i]->keys[a],
							     tui_keys[j]->keys[b]);
				}
	/* Each key finds its own entry, replay keys only with a recording. */
	for (i = 0; i < tui_keys_n; i++) {
		for (a = 0; a < TUI_KEYS_MAX && tui_keys[i]->keys[a]; a++) {
			assert_ptr_equal(keys__lookup(tui_keys[i]->keys[a], true), tui_keys[i]);
			if (tui_keys[i]->replay)
				assert_null(keys__lookup(tui_keys[i]->keys[a], false));
			else
				assert_ptr_equal(keys__lookup(tui_keys[i]->keys[a], false),
						 tui_keys[i]);
		}
	}
	assert_null(keys__lookup('Z', true));
}

/* The help lines of the key sections, parsed back: "  NAMES<pad> HELP". */
static void test_keys_help_both_ways(void **state)
{
	char buf[256], names[64], one[16];
	size_t line, i, n_key_lines = 0;
	const char *s;
	int k;

	(void)state;
	/* Every entry has its line, naming every one of its keys. */
	for (i = 0; i < tui_keys_n; i++) {
		const struct tui_keydef *d = tui_keys[i];
		bool found = false;

		keys__names(d, names, sizeof(names));
		for (line = 0; (s = keys__help_line(line, true, buf, sizeof(buf))); line++) {
			if (strncmp(s, "  ", 2) || strncmp(s + 2, names, strlen(names)) ||
			    !strstr(s, d->help))
				continue;
			found = true;
		}
		assert_true(found);
		for (k = 0; k < TUI_KEYS_MAX && d->keys[k]; k++) {
			keys__name(d->keys[k], one, sizeof(one));
			assert_non_null(strstr(names, one));
		}
	}
	/* Every key line of the help comes from an entry, and says what its keys do. */
	for (line = 0; (s = keys__help_line(line, true, buf, sizeof(buf))); line++) {
		char copy[256], *tok, *save;
		const struct tui_keydef *d = NULL;

		if (!strcmp(s, "Columns"))
			break; /* the prose after the keys */
		if (strncmp(s, "  ", 2))
			continue;
		n_key_lines++;
		for (i = 0; i < tui_keys_n && !d; i++)
			if (strstr(s, tui_keys[i]->help))
				d = tui_keys[i];
		assert_non_null(d);
		/* The key names before the text: each one maps to that entry. */
		snprintf(copy, sizeof(copy), "%.*s", (int)(strstr(s, d->help) - s), s);
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			int ch, found = 0;

			for (k = 0; k < TUI_KEYS_MAX && d->keys[k]; k++) {
				keys__name(d->keys[k], one, sizeof(one));
				if (!strcmp(one, tok)) {
					ch = d->keys[k];
					assert_ptr_equal(keys__lookup(ch, true), d);
					found = 1;
				}
			}
			assert_true(found);
		}
	}
	assert_int_equal(n_key_lines, tui_keys_n);
	/* Without a recording, no replay key is offered. */
	for (line = 0; (s = keys__help_line(line, false, buf, sizeof(buf))); line++)
		assert_null(strstr(s, "Replay"));
}

/* Help fits 80 columns; every meter is explained, with the abbreviations. */
static void test_help_content(void **state)
{
	static const char *const want[] = {"LAT", "RPS", "PPS", "EWP", "PRC", "DROP", "OVH"};
	char buf[256], all[16384] = "";
	size_t line, i;
	const char *s;

	(void)state;
	for (line = 0; (s = keys__help_line(line, true, buf, sizeof(buf))); line++) {
		assert_true(fmt_width(s) <= 80);
		strcat(all, s);
		strcat(all, "\n");
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char needle[16];

		snprintf(needle, sizeof(needle), "\n  %-5s ", want[i]);
		assert_non_null(strstr(all, needle));
	}
	assert_non_null(strstr(all, "state:"));
	assert_non_null(strstr(all, "reason:"));
	assert_non_null(strstr(all, "goid:"));
}

/* docs/UI.md, whole (free it). */
static char *ui_doc(void)
{
	FILE *f = fopen(XG_UI_DOC, "r");
	char *doc = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(doc);
	assert_true(fread(doc, 1, 65535, f) > 0);
	fclose(f);
	return doc;
}

/* The section of DOC under "## TITLE", up to the next "## " (DOC is cut there). */
static char *doc_section(char *doc, const char *title)
{
	char head[64], *start, *end;

	snprintf(head, sizeof(head), "\n## %s\n", title);
	start = strstr(doc, head);
	assert_non_null(start);
	end = strstr(start + 1, "\n## ");
	if (end)
		*end = '\0';
	return start;
}

/* docs/UI.md names every key of the table, as `NAME`. */
static void test_keys_documented(void **state)
{
	char *doc = ui_doc(), one[16], want[24];
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < tui_keys_n; i++)
		for (k = 0; k < TUI_KEYS_MAX && tui_keys[i]->keys[k]; k++) {
			keys__name(tui_keys[i]->keys[k], one, sizeof(one));
			snprintf(want, sizeof(want), "`%s`", one);
			if (!strstr(doc, want))
				fprintf(stderr, "docs/UI.md does not name key %s\n", want);
			assert_non_null(strstr(doc, want));
		}
	free(doc);
}

/* ---- filter -------------------------------------------------------------- */

static struct gentry entry(uint64_t goid, uint8_t st, const char *func, const char *reason)
{
	return (struct gentry){.pid = 7,
			       .goid = goid,
			       .state = st,
			       .func = func,
			       .created_by = "main.main",
			       .reason = reason ? 3 : GEV_NO_REASON,
			       .reason_str = reason};
}

static bool matches(const char *expr, const struct gentry *e)
{
	struct filter f = {0};
	char err[256];
	bool m;

	assert_int_equal(filter__parse(&f, expr, err, sizeof(err)), 0);
	m = filter__match(&f, e);
	/* Twice: the second answer comes from the cache, and must agree. */
	assert_int_equal(filter__match(&f, e), m);
	filter__clear(&f);
	return m;
}

static void test_filter_match(void **state)
{
	struct gentry w = entry(123, XG_G_WAITING, "main.worker", "chan receive");
	struct gentry r = entry(124, XG_G_RUNNABLE, "net/http.(*conn).serve", NULL);
	struct gentry x = entry(125, XG_G_DEAD, "main.worker.func1", NULL);

	(void)state;
	x.exited_ts = 5;
	assert_true(matches("state:waiting", &w));
	assert_false(matches("state:waiting", &r));
	assert_true(matches("state:wait", &w));
	assert_true(matches("state:run", &r)); /* running and runnable */
	assert_true(matches("state:running,runnable", &r));
	assert_false(matches("state:running", &r));
	assert_true(matches("state:exited", &x));
	assert_true(matches("state:dead", &x));
	assert_false(matches("state:exited", &w));
	assert_true(matches("reason:chan", &w));
	assert_true(matches("reason:RECEIVE", &w));
	assert_false(matches("reason:chan", &r)); /* no reason when not waiting */
	assert_true(matches("goid:123", &w));
	assert_false(matches("goid:12", &w));
	assert_true(matches("goid:100-200", &r));
	assert_false(matches("goid:200-300", &r));
	assert_true(matches("pid:7", &r));
	assert_true(matches("worker", &w)); /* substring of the start function */
	assert_true(matches("WORKER", &w));
	assert_true(matches("conn", &r));
	assert_false(matches("conn", &w));
	assert_true(matches("func:=main.worker", &w));
	assert_false(matches("func:=main.worker", &x));
	assert_true(matches("func:worker", &x));
	assert_true(matches("by:main", &w));
	assert_true(matches("!state:waiting", &r));
	assert_false(matches("!state:waiting", &w));
	assert_true(matches("worker state:waiting reason:chan goid:123", &w));
	assert_false(matches("worker state:waiting reason:select", &w));
	assert_true(matches("", &w));
	assert_true(matches("   ", &w));
}

static void bad(const char *expr, const char *why)
{
	struct filter f = {0};
	char err[256] = "";

	assert_int_equal(filter__parse(&f, "state:waiting", err, sizeof(err)), 0);
	assert_int_equal(filter__parse(&f, expr, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	/* A bad filter leaves the previous one in place. */
	assert_string_equal(f.src, "state:waiting");
	assert_int_equal(f.n, 1);
	filter__clear(&f);
}

static void test_filter_errors(void **state)
{
	char many[512] = "";
	int i;

	(void)state;
	bad("state:bogus", "unknown state 'bogus'");
	bad("state:", "needs a state name");
	bad("goid:abc", "goid: wants a number");
	bad("goid:20-10", "goid: wants a number");
	bad("goid:-5", "goid: wants a number");
	bad("pid:x", "pid: wants a number");
	bad("colour:red", "unknown filter key 'colour'");
	bad("reason:", "needs a value");
	bad("!", "needs a term");
	for (i = 0; i < FILTER_MAX_TERMS + 1; i++)
		strcat(many, "a ");
	bad(many, "too many terms");
}

/* ---- sort ------------------------------------------------------------------ */

struct fx {
	struct fake *f;
	struct tui_model m;
	struct tui_theme th;
};

static struct fx *fx_new(void)
{
	struct fx *x = calloc(1, sizeof(*x));

	render__init(true);
	theme__init(&x->th, TUI_SCHEME_MONO, TUI_GLYPHS_UTF8);
	x->f = fake__new();
	fake__model(x->f, &x->m, &x->th, 3);
	return x;
}

static void fx_free(struct fx *x)
{
	model__free(&x->m);
	fake__free(x->f);
	free(x);
}

/* The goids of the sorted list, as "8 31 22 ...". */
static const char *order(struct tui_model *m, char *buf, size_t len)
{
	size_t i, used = 0;

	model__rows(m);
	model__order(m, 0, m->n_rows);
	buf[0] = '\0';
	for (i = 0; i < m->n_rows; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%llu", i ? " " : "",
					 (unsigned long long)m->rows[i].e->goid);
	return buf;
}

static void test_sort_orders(void **state)
{
	struct fx *x = fx_new();
	char buf[256];

	(void)state;
	x->m.show_exited = true; /* x: the exited too */
	/*
	 * CPU share of the last second, most first; ties by goid; the exited last.
	 * Worked out by hand from fake.c: 440, 426, 390, 242, 199, 55, 50, 20 ms.
	 */
	model__set_sort(&x->m, TUI_SORT_CPU, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "31 8 22 9 1 10 11 7 3 30 21 20");
	/* Age: oldest first; those seen before their creation are the oldest; exited last. */
	model__set_sort(&x->m, TUI_SORT_AGE, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 30 31 22 20 21");
	/* State: running, runnable, preempted, syscall, waiting, exited; longest in it first. */
	model__set_sort(&x->m, TUI_SORT_STATE, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "22 8 9 31 11 3 30 1 10 7 20 21");
	model__set_sort(&x->m, TUI_SORT_GOID, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 20 21 22 30 31");
	model__set_sort(&x->m, TUI_SORT_GOID, true);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "31 30 22 21 20 11 10 9 8 7 3 1");
	/* Function names in byte order; unknown ones last. */
	model__set_sort(&x->m, TUI_SORT_FUNC, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "31 8 9 10 11 7 20 21 22 30 1 3");
	/* No allocation data: the order falls back to the goid. */
	model__set_sort(&x->m, TUI_SORT_ALLOCS, false);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 20 21 22 30 31");
	/* Exited goroutines are counted, not listed (G21 exited 980 ms ago, G20 8 s ago)... */
	model__set_sort(&x->m, TUI_SORT_GOID, false);
	x->m.show_exited = false;
	x->m.rows_stale = true;
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 22 30 31");
	assert_int_equal(x->m.exited_hidden, 1);
	x->m.fade_ns = 500 * MS;
	x->m.rows_stale = true;
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 22 30 31");
	assert_int_equal(x->m.exited_hidden, 0);
	/* ...unless asked (x): then all the table keeps, last by CPU and age. */
	assert_int_equal(tui__key(&x->m, 'x') & RD_FRAME, RD_FRAME);
	x->m.rows_stale = true;
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "1 3 7 8 9 10 11 20 21 22 30 31");
	fx_free(x);
}

/* With allocation events: ALLOCS sorts by bytes, and the key cycle stops there. */
static void test_sort_allocs(void **state)
{
	struct fx *x = fx_new();
	char buf[256];

	(void)state;
	x->m.show_exited = true; /* x: the exited too */
	fake__add(x->f, FAKE_ALLOC_EVENTS | FAKE_ALLOC_HIST);
	model__set_sort(&x->m, TUI_SORT_ALLOCS, false);
	/* Most bytes first; those with none by goid. */
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "30 8 31 11 10 9 7 1 3 20 21 22");
	model__set_sort(&x->m, TUI_SORT_GOID, false);
	tui__key(&x->m, '>');
	assert_int_equal(x->m.sort, TUI_SORT_ALLOCS);
	fx_free(x);
}

/* -n says when the table capped exited goroutines, and only then. */
static void test_batch_evicted(void **state)
{
	struct fx *x = fx_new();
	struct gtable_counts c;
	char *text = NULL, want[128];
	size_t len = 0;
	uint64_t g;
	FILE *fp;

	(void)state;
	fp = open_memstream(&text, &len);
	model__rows(&x->m);
	assert_int_equal(batch__snapshot(fp, &x->m), 0);
	fclose(fp);
	assert_null(strstr(text, "not kept"));
	free(text);

	/* A churn of 100,010 short goroutines: more exits than the 100,000 kept. */
	for (g = 1000000; g < 1100010; g++) {
		struct gev ev = {.kind = GEV_CREATE,
				 .ts = FAKE_NOW - 1000000 + g % 1000,
				 .pid = 7,
				 .goid = g,
				 .reason = GEV_NO_REASON};

		assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
		ev.kind = GEV_EXIT;
		ev.ts += 10;
		assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	}
	gtable__counts(x->f->gt, &c);
	assert_true(c.evicted >= 10);
	snprintf(want, sizeof(want),
		 "\n%llu exited goroutines not kept: cap 100000 exited or 64 MiB ",
		 (unsigned long long)c.evicted);
	model__refresh(&x->m);
	model__rows(&x->m);
	text = NULL;
	fp = open_memstream(&text, &len);
	assert_int_equal(batch__snapshot(fp, &x->m), 0);
	fclose(fp);
	assert_non_null(strstr(text, want));
	free(text);
	fx_free(x);
}

/* -n snapshots: the GC and allocation lines, with data and without. */
static void test_batch_lines(void **state)
{
	struct fx *x = fx_new();
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	fp = open_memstream(&text, &len);
	model__rows(&x->m);
	assert_int_equal(batch__snapshot(fp, &x->m), 0);
	fclose(fp);
	assert_non_null(strstr(text, "\nGC: n/a (no GC events)\n"));
	assert_non_null(strstr(text, "\nallocations: n/a (no allocation events"));
	assert_null(strstr(text, "\nheap:"));
	free(text);

	/* The runtime's counters: a line of their own. */
	fake__add(x->f, FAKE_HEAP);
	model__refresh(&x->m);
	text = NULL;
	fp = open_memstream(&text, &len);
	assert_int_equal(batch__snapshot(fp, &x->m), 0);
	fclose(fp);
	assert_non_null(strstr(text, "\nheap: live 2.32MB in 26.4k objects, allocating 1.00MB/s, "
				     "3.00k objects/s; 6.56MB in 88.7k objects since start (+9.10k "
				     "tiny; runtime counters)\n"));
	free(text);

	fake__add(x->f, FAKE_ALLOC_EVENTS | FAKE_ALLOC_HIST | FAKE_GC);
	model__refresh(&x->m);
	model__rows(&x->m);
	text = NULL;
	fp = open_memstream(&text, &len);
	assert_int_equal(batch__snapshot(fp, &x->m), 0);
	fclose(fp);
	assert_non_null(strstr(text, "\nGC: 12 cycles, #13 in progress; last #12 ended 804ms ago: "
				     "166us STW in 2 pauses (max 90us), mark 5.3ms, trigger heap; "
				     "pauses: 26, 2.5ms total, 210us max\n"));
	assert_non_null(strstr(text, "\nallocations: 690kB in 4.38k (size classes); events 690kB "
				     "in 4.38k: object 2.18k slice 135 append 114 map 48 string "
				     "1.85k chan 1 goroutine 12 other 37\n"));
	/* The ALLOCS column of G30. */
	assert_non_null(strstr(text, "215k net/http.(*conn).serve"));
	free(text);
	fx_free(x);
}

/* The sort keys cycle with s, > and <; r reverses. */
static void test_sort_keys(void **state)
{
	struct fx *x = fx_new();
	char buf[256];

	(void)state;
	x->m.show_exited = true; /* x: the exited too */
	assert_int_equal(x->m.sort, TUI_SORT_CPU);
	tui__key(&x->m, 's');
	assert_int_equal(x->m.sort, TUI_SORT_AGE);
	tui__key(&x->m, '>');
	assert_int_equal(x->m.sort, TUI_SORT_STATE);
	tui__key(&x->m, '>');
	assert_int_equal(x->m.sort, TUI_SORT_GOID);
	tui__key(&x->m, '>'); /* allocs has no data: skipped */
	assert_int_equal(x->m.sort, TUI_SORT_FUNC);
	tui__key(&x->m, '<');
	assert_int_equal(x->m.sort, TUI_SORT_GOID);
	tui__key(&x->m, 'r');
	assert_true(x->m.reverse);
	assert_string_equal(order(&x->m, buf, sizeof(buf)), "31 30 22 21 20 11 10 9 8 7 3 1");
	fx_free(x);
}

/* Rows as a big table would give them: random keys, three processes, reversed or not. */
static void fill_random(struct tui_model *m, struct gentry *es, size_t n, unsigned int seed,
			bool reverse)
{
	size_t i;

	srand(seed);
	for (i = 0; i < n; i++) {
		es[i] = (struct gentry){.pid = 1 + (uint32_t)(rand() % 3), .goid = i + 1};
		m->rows[i].e = &es[i];
		m->rows[i].k1 = (uint64_t)(rand() % 50); /* many ties */
	}
	m->n_rows = n;
	m->sorted_lo = m->sorted_hi = 0;
	m->rows_stale = false;
	m->rows_reverse = reverse;
}

/* Ties by pid then goid, both reversed with the sort. */
static bool cmp_reverse;

static int cmp_rows(const void *pa, const void *pb)
{
	const struct tui_row *a = pa, *b = pb;
	const struct gentry *x = cmp_reverse ? b->e : a->e, *y = cmp_reverse ? a->e : b->e;

	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

/*
 * The partial sort of a page gives exactly what a full sort has at those
 * ranks, and the rows stay a permutation of the list: pages within the
 * first 1024 ranks (a one-pass selection of the top) and past them.
 */
static void test_partial_sort(void **state)
{
	enum { N = 20000 };
	struct tui_model m;
	struct gentry *es = calloc(N, sizeof(*es));
	struct tui_row *full = calloc(N, sizeof(*full));
	bool *seen = calloc(N + 1, sizeof(*seen));
	size_t pages[][2] = {{0, 60},	   {100, 160},	{N - 60, N}, {N / 2, N / 2 + 1},
			     {0, N},	   {0, 1},	{0, 1024},   {1023, 1024},
			     {1000, 1025}, {964, 1024}, {0, 1025}};
	size_t p, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.rows = calloc(N, sizeof(*m.rows));
	m.cap_rows = N;
	for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		cmp_reverse = p % 2;
		fill_random(&m, es, N, 7 + (unsigned int)p, cmp_reverse);
		memcpy(full, m.rows, N * sizeof(*full));
		qsort(full, N, sizeof(*full), cmp_rows);
		model__order(&m, pages[p][0], pages[p][1]);
		for (i = pages[p][0]; i < pages[p][1]; i++)
			assert_int_equal(m.rows[i].e->goid, full[i].e->goid);
		memset(seen, 0, (N + 1) * sizeof(*seen));
		for (i = 0; i < N; i++) {
			assert_false(seen[m.rows[i].e->goid]);
			seen[m.rows[i].e->goid] = true;
		}
	}
	free(m.rows);
	free(full);
	free(seen);
	free(es);
}

/* ---- the selection, the time window, pause ------------------------------- */

static void test_selection_follows_goroutine(void **state)
{
	struct fx *x = fx_new();
	char *text = render__frame(&x->m, 80, 24);

	(void)state;
	free(text);
	tui__key(&x->m, 'j');
	tui__key(&x->m, 'j');
	assert_int_equal(x->m.sel_goid, 22);
	/* Another order: the selection stays on G22, wherever it goes. */
	tui__key(&x->m, '>'); /* by age: G22 is the youngest live one (exited ones not listed) */
	model__scroll(&x->m, 17);
	assert_int_equal(x->m.sel_goid, 22);
	assert_int_equal(x->m.sel, x->m.n_rows - 1);
	assert_ptr_equal(model__selected(&x->m)->goid, 22);
	tui__key(&x->m, KEY_END);
	assert_int_equal(x->m.sel, x->m.n_rows - 1);
	tui__key(&x->m, KEY_HOME);
	assert_int_equal(x->m.sel, 0);
	fx_free(x);
}

static void test_zoom_pan_cursor(void **state)
{
	struct fx *x = fx_new();
	uint64_t t0, scale, cur;
	int z = x->m.zoom;

	(void)state;
	x->m.strip_cells = 40;
	model__window(&x->m, 40, &t0, &scale);
	assert_int_equal(scale, 100 * MS);
	assert_int_equal(t0 + 40 * scale, FAKE_NOW); /* following: the last cell ends now */
	/* Cursor back 10 cells, then zoom in: the cursor's time stays under the cursor. */
	model__cursor(&x->m, -10);
	cur = model__cursor_ts(&x->m, 40);
	assert_int_equal(cur, FAKE_NOW - 11 * 100 * MS);
	assert_true(model__zoom(&x->m, -1));
	assert_int_equal(tui_zoom_ladder[x->m.zoom], 50 * MS);
	assert_true(model__cursor_ts(&x->m, 40) <= cur + 50 * MS);
	assert_true(model__cursor_ts(&x->m, 40) + 50 * MS > cur);
	/* The ends of the ladder: 1 us and 1 min per cell, with a message at each. */
	while (model__zoom(&x->m, -1))
		;
	assert_int_equal(tui_zoom_ladder[x->m.zoom], 1000);
	tui__key(&x->m, '+');
	assert_non_null(strstr(x->m.msg, "finest"));
	while (model__zoom(&x->m, 1))
		;
	assert_int_equal(tui_zoom_ladder[x->m.zoom], 60 * S);
	x->m.zoom = z;
	/* Pan back: no longer following; forward again past the edge: following. */
	model__follow(&x->m);
	tui__key(&x->m, 'h');
	assert_false(x->m.follow);
	model__window(&x->m, 40, &t0, &scale);
	assert_int_equal(t0 + 40 * scale, FAKE_NOW - 10 * scale);
	tui__key(&x->m, 'l');
	assert_true(x->m.follow);
	tui__key(&x->m, 'h');
	tui__key(&x->m, '0');
	assert_true(x->m.follow);
	assert_int_equal(x->m.cur_back, 0);
	fx_free(x);
}

static void test_pause_freezes(void **state)
{
	struct fx *x = fx_new();
	struct gev ev = {.kind = GEV_CREATE,
			 .ts = FAKE_NOW + 100 * MS,
			 .pid = 4242,
			 .goid = 99,
			 .reason = GEV_NO_REASON,
			 .func = "main.late"};
	char buf[256];

	(void)state;
	tui__key(&x->m, ' ');
	assert_true(x->m.paused);
	/* Tracing goes on behind the frozen view. */
	assert_int_equal(gtable__apply(x->f->gt, &ev), 0);
	x->f->now = FAKE_NOW + 200 * MS;
	model__refresh(&x->m);
	model__set_sort(&x->m, TUI_SORT_GOID, false);
	assert_int_equal(x->m.now, FAKE_NOW);
	assert_null(strstr(order(&x->m, buf, sizeof(buf)), "99"));
	assert_null(model__find(&x->m, 4242, 99));
	tui__key(&x->m, ' ');
	assert_false(x->m.paused);
	assert_int_equal(x->m.now, FAKE_NOW + 200 * MS);
	assert_non_null(strstr(order(&x->m, buf, sizeof(buf)), "99"));
	fx_free(x);
}

static void test_prompt(void **state)
{
	struct fx *x = fx_new();
	const char *k;

	(void)state;
	tui__key(&x->m, '/');
	assert_true(x->m.prompting);
	for (k = "state:wait"; *k; k++)
		tui__key(&x->m, *k);
	/* Applied while typing. */
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 5);
	tui__key(&x->m, 27);
	assert_false(x->m.prompting);
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 10);
	/* A bad filter: an error, the old one stays. */
	tui__key(&x->m, '/');
	for (k = "state:zzz"; *k; k++)
		tui__key(&x->m, *k);
	tui__key(&x->m, '\r');
	assert_true(x->m.prompting);
	assert_true(x->m.msg_error);
	assert_non_null(strstr(x->m.msg, "unknown state"));
	/* ^U clears the line; backspace, then a good one. */
	tui__key(&x->m, 'u' & 0x1f);
	assert_int_equal(x->m.prompt_len, 0);
	for (k = "reason:chan"; *k; k++)
		tui__key(&x->m, *k);
	tui__key(&x->m, KEY_BACKSPACE);
	tui__key(&x->m, 'n');
	tui__key(&x->m, '\n');
	assert_string_equal(x->m.filter.src, "reason:chan");
	model__rows(&x->m);
	assert_int_equal(x->m.n_rows, 2);
	fx_free(x);
}

static void test_global_keys(void **state)
{
	struct fx *x = fx_new();

	(void)state;
	assert_true(tui__key(&x->m, 'q') & RD_QUIT);
	assert_true(tui__key(&x->m, KEY_F(10)) & RD_QUIT);
	tui__key(&x->m, 'S');
	assert_true(x->m.msg_error);
	assert_non_null(strstr(x->m.msg, "not available"));
	tui__key(&x->m, 'g');
	assert_int_equal(x->m.view, TUI_V_GROUP);
	tui__key(&x->m, 'g');
	assert_int_equal(x->m.view, TUI_V_LIST);
	tui__key(&x->m, 'm');
	tui__key(&x->m, '?');
	assert_int_equal(x->m.view, TUI_V_HELP);
	tui__key(&x->m, 27);
	assert_int_equal(x->m.view, TUI_V_METERS);
	tui__key(&x->m, 27);
	assert_int_equal(x->m.view, TUI_V_LIST);
	tui__key(&x->m, '\t');
	assert_int_equal(x->m.view, TUI_V_GROUP);
	tui__key(&x->m, 't');
	assert_int_equal(x->m.view, TUI_V_LIFETIME);
	tui__key(&x->m, 'a');
	assert_int_equal(x->m.view, TUI_V_ALLOC);
	tui__key(&x->m, 'a'); /* again: the selected goroutine's */
	assert_int_equal(x->m.view, TUI_V_ALLOC);
	assert_true(x->m.alloc_selected);
	tui__key(&x->m, 'c');
	assert_int_equal(x->m.view, TUI_V_GC);
	assert_true(tui__key(&x->m, 12) & RD_CLEAR);
	/* Replay keys do nothing live. */
	assert_int_equal(tui__key(&x->m, ']'), RD_FRAME);
	fx_free(x);
}

/* ---- history tracker, CPU share, meters --------------------------------------- */

static void test_tracker(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct tracker t = {0};
	struct gstate_span out[TRACK_SPANS + 64];
	const struct gentry *e;
	uint64_t ts = 1000 * MS;
	uint32_t n, i;
	struct gev ev = {
		.kind = GEV_CREATE, .ts = ts, .pid = 1, .goid = 5, .reason = GEV_NO_REASON};

	(void)state;
	assert_int_equal(gtable__apply(gt, &ev), 0);
	e = gtable__find(gt, 1, 5);
	assert_int_equal(tracker__want(&t, e), 0);
	/* 100 transitions, merged every 4: far beyond the table's ring of 16. */
	for (i = 0; i < 100; i++) {
		ev = (struct gev){.kind = GEV_STATE,
				  .ts = ts + (i + 1) * MS,
				  .pid = 1,
				  .goid = 5,
				  .from = i % 2 ? XG_G_RUNNING : XG_G_RUNNABLE,
				  .to = i % 2 ? XG_G_RUNNABLE : XG_G_RUNNING,
				  .reason = GEV_NO_REASON};
		assert_int_equal(gtable__apply(gt, &ev), 0);
		if (i % 4 == 3)
			tracker__update(&t, gt);
	}
	e = gtable__find(gt, 1, 5);
	assert_true(e->n_spans < 100);
	n = tracker__spans(&t, e, out, TRACK_SPANS + 64);
	assert_int_equal(n, 101);
	for (i = 1; i < n; i++) {
		assert_int_equal(out[i].start, ts + i * MS);
		assert_true(out[i].start > out[i - 1].start);
	}
	/* Off screen long enough: forgotten; then the ring alone. */
	for (i = 0; i < 40; i++)
		tracker__frame(&t);
	assert_int_equal(t.n, 0);
	assert_int_equal(tracker__spans(&t, e, out, TRACK_SPANS + 64), e->n_spans);
	tracker__free(&t);
	gtable__free(gt);
}

/* Past the raw spans, the coarse buckets: busy and mixed, then one long wait. */
static void test_tracker_layers(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct tracker t = {0};
	uint64_t ts = 1000 * S, ns[GT_NSTATES];
	const struct track *k;
	const struct gentry *e;
	bool mixed;
	uint32_t i;
	struct gev ev = {
		.kind = GEV_CREATE, .ts = ts, .pid = 1, .goid = 5, .reason = GEV_NO_REASON};

	(void)state;
	assert_int_equal(gtable__apply(gt, &ev), 0);
	assert_int_equal(tracker__want(&t, gtable__find(gt, 1, 5)), 0);
	/* 10000 changes, one per 100 us: running and runnable, 1 s in all. */
	for (i = 0; i < 10000; i++) {
		ev = (struct gev){.kind = GEV_STATE,
				  .ts = ts + (i + 1) * 100000,
				  .pid = 1,
				  .goid = 5,
				  .from = i % 2 ? XG_G_RUNNING : XG_G_RUNNABLE,
				  .to = i % 2 ? XG_G_RUNNABLE : XG_G_RUNNING,
				  .reason = GEV_NO_REASON};
		assert_int_equal(gtable__apply(gt, &ev), 0);
		if (i % 4 == 3)
			tracker__update(&t, gt);
	}
	/* Then waiting for a minute. */
	ev = (struct gev){.kind = GEV_STATE,
			  .ts = ts + 1001 * MS,
			  .pid = 1,
			  .goid = 5,
			  .from = XG_G_RUNNING,
			  .to = XG_G_WAITING,
			  .reason = 7,
			  .reason_str = "chan receive"};
	assert_int_equal(gtable__apply(gt, &ev), 0);
	ev.ts = ts + 61 * S;
	ev.from = XG_G_WAITING;
	ev.to = XG_G_RUNNABLE;
	ev.reason = GEV_NO_REASON;
	ev.reason_str = NULL;
	assert_int_equal(gtable__apply(gt, &ev), 0);
	tracker__update(&t, gt);
	e = gtable__find(gt, 1, 5);
	k = tracker__get(&t, e);
	assert_non_null(k);
	/* The first 100 ms are long gone from the raw spans, not from the 10 ms buckets. */
	assert_true(k->n == TRACK_SPANS);
	assert_true(track__cell(k, ts, ts + 100 * MS, 100 * MS, ns, &mixed));
	/* Each bucket counts for the state that dominated it, marked as shared. */
	assert_true(mixed);
	assert_int_equal(ns[XG_G_RUNNING] + ns[XG_G_RUNNABLE], 100 * MS);
	assert_int_equal(ns[XG_G_WAITING], 0);
	/* In the minute of waiting, 1 s buckets: known, alone, waiting. */
	assert_true(track__cell(k, ts + 10 * S, ts + 20 * S, 10 * S, ns, &mixed));
	assert_false(mixed);
	assert_int_equal(ns[XG_G_WAITING], 10 * S);
	assert_int_equal(ns[XG_G_RUNNING], 0);
	/* Before the goroutine: nothing known. */
	assert_false(track__cell(k, ts - 10 * S, ts - 5 * S, 1 * S, ns, &mixed));
	tracker__free(&t);
	gtable__free(gt);
}

static void test_cpu_share(void **state)
{
	/* Runnable from 100 ms, running at 200, waiting at 500, running again at 900. */
	static const uint8_t to[3] = {XG_G_RUNNING, XG_G_WAITING, XG_G_RUNNING};
	static const uint64_t at[3] = {200 * MS, 500 * MS, 900 * MS};
	struct gtable *gt = gtable__new(NULL);
	struct gev ev = {.kind = GEV_CREATE,
			 .ts = 100 * MS,
			 .pid = 1,
			 .goid = 7,
			 .to = XG_G_RUNNABLE,
			 .reason = GEV_NO_REASON};
	struct gentry e;
	int i;

	assert_non_null(gt);
	assert_int_equal(gtable__apply(gt, &ev), 0);
	for (i = 0; i < 3; i++) {
		ev = (struct gev){.kind = GEV_STATE,
				  .ts = at[i],
				  .pid = 1,
				  .goid = 7,
				  .from = i ? to[i - 1] : XG_G_RUNNABLE,
				  .to = to[i],
				  .reason = GEV_NO_REASON};
		assert_int_equal(gtable__apply(gt, &ev), 0);
	}
	e = *gtable__find(gt, 1, 7);
	assert_int_equal(e.n_spans, 4);

	struct xd_cpu_window w = {.t0 = 0, .t1 = 1000 * MS};
	bool exact;

	(void)state;
	/* [0, 1s]: running 300 ms + 100 ms. */
	assert_int_equal(xd_cpu_permille(&e, &w), 400);
	/* [600ms, 1s]: running the last 100 of 400 ms. */
	w.t0 = 600 * MS;
	assert_int_equal(xd_cpu_permille(&e, &w), 250);
	assert_int_equal(xd_run_ns(&e, 600 * MS, 1000 * MS, &exact), 100 * MS);
	assert_true(exact);
	/* Running since before the window: all of it. */
	e.state_since = 0;
	e.n_spans = 0;
	e.created_ts = 0;
	assert_int_equal(xd_cpu_permille(&e, &w), 1000);
	e.state = XG_G_WAITING;
	assert_int_equal(xd_cpu_permille(&e, &w), 0);
	gtable__free(gt);
}

/* Ground truth for worker G8 of fake.c: runs 30 ms, sleeps 40, runnable 1, from T0 + 8 s. */
static uint64_t g8_run_in_last_second(void)
{
	uint64_t t = FAKE_T0 + 8000 * MS, run = 0;

	for (; t < FAKE_NOW; t += 71 * MS) {
		uint64_t a = t < FAKE_MARK ? FAKE_MARK : t;
		uint64_t b = t + 30 * MS > FAKE_NOW ? FAKE_NOW : t + 30 * MS;

		if (b > a)
			run += b - a;
	}
	return run;
}

/* The CPU% of goroutine GOID in the -n snapshot of M. */
static double batch_cpu(struct tui_model *m, uint64_t goid)
{
	char *text = NULL, *line, want[32];
	size_t len = 0;
	double cpu = -1;
	FILE *fp = open_memstream(&text, &len);

	model__rows(m);
	model__order(m, 0, m->n_rows);
	assert_int_equal(batch__snapshot(fp, m), 0);
	fclose(fp);
	snprintf(want, sizeof(want), "\n%9llu ", (unsigned long long)goid);
	line = strstr(text, want);
	assert_non_null(line);
	/* GID STATE WAIT IN CPU% */
	assert_int_equal(sscanf(line, "%*s %*s %*s %*s %lf", &cpu), 1);
	free(text);
	return cpu;
}

static unsigned int list_cpu(struct tui_model *m, uint64_t goid)
{
	size_t i;

	model__rows(m);
	for (i = 0; i < m->n_rows; i++)
		if (m->rows[i].e->goid == goid)
			return model__cpu(m, m->rows[i].e);
	fail_msg("G%llu not listed", (unsigned long long)goid);
	return 0;
}

/* A worker running a known share of each second: the same CPU% in list, detail and -n. */
static void test_cpu_known_share(void **state)
{
	struct fx *x = fx_new();
	unsigned int truth = (unsigned int)(g8_run_in_last_second() * 1000 / S), list;
	char want[64], *frame;

	(void)state;
	assert_int_equal(truth, 426);
	list = list_cpu(&x->m, 8);
	assert_in_range(list, truth - 50, truth + 50);
	assert_in_range(batch_cpu(&x->m, 8) * 10, truth - 50, truth + 50);
	model__select_rank(&x->m, 1);
	assert_int_equal(model__selected(&x->m)->goid, 8);
	x->m.view = TUI_V_DETAIL;
	frame = render__frame(&x->m, 132, 40);
	snprintf(want, sizeof(want), "CPU %u.%u%% over the last 1.00s", list / 10, list % 10);
	if (!strstr(frame, want))
		fail_msg("no \"%s\" in\n%s", want, frame);
	free(frame);
	fx_free(x);
}

static void ev(struct fake *f, struct gev e)
{
	e.pid = 4242;
	if (e.kind != GEV_STATE || e.to != XG_G_WAITING)
		e.reason = GEV_NO_REASON;
	assert_int_equal(gtable__apply(f->gt, &e), 0);
}

/*
 * One more second: G50, first seen 100 ms in (its creation not seen), runs
 * 4 ms of every 5 and exits at 300 ms: 160 ms of CPU in a 200 ms life, more
 * spans than its ring keeps. Never above its share of the second.
 */
static void test_cpu_exited_bounded(void **state)
{
	struct fx *x = fx_new();
	uint64_t t = FAKE_NOW + 100 * MS;
	unsigned int cpu;
	int i;

	(void)state;
	x->m.show_exited = true; /* x: the exited too */
	for (i = 0; i < 40; i++, t += 5 * MS) {
		ev(x->f, (struct gev){.kind = GEV_STATE,
				      .ts = t,
				      .goid = 50,
				      .from = i ? XG_G_WAITING : XG_G_RUNNABLE,
				      .to = XG_G_RUNNING});
		ev(x->f, (struct gev){.kind = GEV_STATE,
				      .ts = t + 4 * MS,
				      .goid = 50,
				      .from = XG_G_RUNNING,
				      .to = XG_G_WAITING,
				      .reason = 19});
	}
	ev(x->f, (struct gev){.kind = GEV_EXIT, .ts = t, .goid = 50});
	x->f->now = FAKE_NOW + S;
	model__sample_meters(&x->m);
	model__refresh(&x->m);
	cpu = list_cpu(&x->m, 50);
	assert_in_range(cpu, 0, 200);
	assert_in_range(cpu, 160 - 50, 160 + 50);
	assert_in_range(batch_cpu(&x->m, 50) * 10, 160 - 50, 160 + 50);
	fx_free(x);
}

/* The -n snapshot's line of goroutine GOID in M, into BUF. */
static char *batch_line(struct tui_model *m, uint64_t goid, char *buf, size_t len)
{
	char *text = NULL, *line, want[32];
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);

	model__rows(m);
	model__order(m, 0, m->n_rows);
	assert_int_equal(batch__snapshot(fp, m), 0);
	fclose(fp);
	snprintf(want, sizeof(want), "\n%9llu ", (unsigned long long)goid);
	line = strstr(text, want);
	assert_non_null(line);
	snprintf(buf, len, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
	free(text);
	return buf;
}

static void want_in(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("no \"%s\" in\n%s", want, text);
}

/* The -n snapshot's WAIT, IN and AGE columns of goroutine GOID. */
static void want_in_age(struct tui_model *m, uint64_t goid, const char *reason, const char *in,
			const char *age)
{
	char line[512], r[64], i[64], a[64];

	batch_line(m, goid, line, sizeof(line));
	/* GID STATE WAIT IN CPU% AGE */
	if (sscanf(line, "%*s %*s %63s %63s %*s %63s", r, i, a) != 3 || strcmp(r, reason) ||
	    strcmp(i, in) || strcmp(a, age))
		fail_msg("G%llu: want %s %s ... %s in\n%s", (unsigned long long)goid, reason, in,
			 age, line);
}

/*
 * Goroutines found at attach, 12 s before now: G70 blocked 10 min by Go's
 * g.waitsince, G71 blocked with no waitsince (no GC saw it yet), G73 found
 * runnable and busy since (more changes than its span ring keeps). Go's
 * wait is shown as Go counts it; the others' are lower bounds ("> "), and
 * every age of a goroutine found at the same read agrees.
 */
static void test_found_at_attach(void **state)
{
	struct fx *x = fx_new();
	uint64_t found = FAKE_T0 - 2 * S, t = found;
	struct gev c = {.kind = GEV_CREATE,
			.ts = found,
			.existing = true,
			.from = XG_G_DEAD,
			.to = XG_G_WAITING,
			.reason = 9,
			.reason_str = "select",
			.parent = 1,
			.func = "main.idle",
			.created_by = "main.main",
			.file = "/src/found/main.go",
			.line = 12};
	char *frame;
	int i;

	(void)state;
	c.goid = 70;
	c.waitsince = found - 10 * 60 * S; /* (FAKE_T0 is 1000 s) */
	ev(x->f, c);
	c.goid = 71;
	c.waitsince = 0;
	ev(x->f, c);
	c.goid = 73;
	c.to = XG_G_RUNNABLE;
	ev(x->f, c);
	for (i = 0; i < 40; i++, t += 100 * MS) {
		ev(x->f, (struct gev){.kind = GEV_STATE,
				      .ts = t + 50 * MS,
				      .goid = 73,
				      .from = i ? XG_G_WAITING : XG_G_RUNNABLE,
				      .to = XG_G_RUNNING});
		ev(x->f, (struct gev){.kind = GEV_STATE,
				      .ts = t + 60 * MS,
				      .goid = 73,
				      .from = XG_G_RUNNING,
				      .to = XG_G_WAITING,
				      .reason = 19});
	}
	model__refresh(&x->m);
	want_in_age(&x->m, 70, "select", "10m12s", ">10m12s");
	want_in_age(&x->m, 71, "select", ">12.0s", ">12.0s");
	want_in_age(&x->m, 73, "#19", "8.04s", ">12.0s");
	/* The detail view: Go's wait, the creator, the go statement and the parent. */
	for (i = 0; i < (int)x->m.n_rows && x->m.rows[i].e->goid != 70; i++)
		;
	model__select_rank(&x->m, (size_t)i);
	assert_int_equal(model__selected(&x->m)->goid, 70);
	x->m.view = TUI_V_DETAIL;
	frame = render__frame(&x->m, 132, 40);
	want_in(frame, "waiting (select) for 10m12s");
	want_in(frame, "created     before tracing started, by main.main");
	want_in(frame, "go stmt at  /src/found/main.go:12");
	want_in(frame, "parents     G1");
	want_in(frame, "age         >10m12s");
	free(frame);
	fx_free(x);
}

static int sum_cpu(struct tui_model *m)
{
	unsigned int sum = 0;
	size_t i;

	model__rows(m);
	for (i = 0; i < m->n_rows; i++)
		sum += model__cpu(m, m->rows[i].e);
	return (int)sum;
}

/*
 * Lost events leave three goroutines "running" on the one P seen for a whole
 * second: their sum stays within 100% x 1 P.
 */
/* Goroutines 60-62 start running on P 0 at once: three "running" on one P. */
static void three_on_one_p(struct fx *x)
{
	uint64_t g;

	for (g = 60; g < 63; g++)
		ev(x->f, (struct gev){.kind = GEV_STATE,
				      .ts = FAKE_NOW + g,
				      .goid = g,
				      .from = XG_G_RUNNABLE,
				      .to = XG_G_RUNNING,
				      .has_pm = true,
				      .p = 0});
}

static void test_cpu_sum_bounded(void **state)
{
	struct fx *x = fx_new();

	(void)state;
	three_on_one_p(x);
	x->f->now = FAKE_NOW + S;
	model__sample_meters(&x->m);
	model__refresh(&x->m);
	assert_in_range(sum_cpu(&x->m), 900, 1000);
	/* Summed by the rows' walk (model__rows), or by model__settle. */
	assert_int_equal(x->m.cpu_ps, 1);
	fx_free(x);
}

/*
 * The interval's sum (NUM/DEN, Ps) is taken by the rows' walk when they are
 * built after the close, else by model__settle: both give the same CPU%
 * and the same order, scaled (three goroutines "running" on one P) or not,
 * either direction.
 */
static void test_cpu_sum_paths(void **state)
{
	int rev, scaled;

	(void)state;
	for (scaled = 0; scaled < 2; scaled++) {
		for (rev = 0; rev < 2; rev++) {
			struct fx *x = fx_new();
			struct tui_model m2;
			char a[256], b[256];
			size_t i;

			if (scaled)
				three_on_one_p(x);
			x->f->now = FAKE_NOW + S;
			fake__model(x->f, &m2, &x->th, 0);
			model__sample_meters(&x->m);
			model__refresh(&x->m);
			model__set_sort(&x->m, TUI_SORT_CPU, rev);
			/* The same interval (closed once per instant), summed apart. */
			model__sample_meters(&m2);
			model__settle(&m2);
			model__refresh(&m2);
			model__set_sort(&m2, TUI_SORT_CPU, rev);
			assert_true(x->m.cpu_pending);
			assert_false(m2.cpu_pending);
			assert_string_equal(order(&x->m, a, sizeof(a)), order(&m2, b, sizeof(b)));
			assert_false(x->m.cpu_pending);
			assert_int_equal(x->m.cpu_ps, m2.cpu_ps);
			assert_true(x->m.cpu.num == m2.cpu.num && x->m.cpu.den == m2.cpu.den);
			assert_int_equal(!!x->m.cpu.den, scaled);
			for (i = 0; i < x->m.n_rows; i++)
				assert_int_equal(model__cpu(&x->m, x->m.rows[i].e),
						 model__cpu(&m2, m2.rows[i].e));
			model__free(&m2);
			fx_free(x);
		}
	}
}

/* Names that do not fit lose their package path first, never the type and method. */
static void test_func_fit(void **state)
{
	(void)state;
	assert_string_equal(text_func_fit("net/http.(*conn).serve", 22), "net/http.(*conn).serve");
	assert_string_equal(text_func_fit("net/http.(*conn).serve", 21), "http.(*conn).serve");
	assert_string_equal(
		text_func_fit("github.com/example/x/internal/worker.(*Pool).run.func2", 28),
		"worker.(*Pool).run.func2");
	/* A slash inside type parameters is not the path's. */
	assert_string_equal(text_func_fit("main.F[net/http.Handler]", 10),
			    "main.F[net/http.Handler]");
	assert_string_equal(text_func_fit("example.com/a/b.G[x/y.T]", 10), "b.G[x/y.T]");
	assert_string_equal(text_func_fit("main.main", 4), "main.main");
}

static enum tui_health health(struct fx *x, const char *name)
{
	const struct tui_meter *mt = meter__find(name);

	assert_non_null(mt);
	return meter__health(mt, &x->m);
}

static void test_meter_health(void **state)
{
	struct fx *x = fx_new();
	struct xg_meters *s;

	(void)state;
	assert_int_equal(health(x, "LAT"), TUI_NA);
	assert_int_equal(health(x, "OVH"), TUI_NA);
	assert_int_equal(health(x, "DROP"), TUI_OK);
	assert_int_equal(health(x, "PPS"), TUI_OK);
	/* Drops happening now: bad. */
	s = (struct xg_meters *)model__meter_sample(&x->m, 0);
	s->drops = 3;
	s->drops_per_s = 3;
	assert_int_equal(health(x, "DROP"), TUI_BAD);
	s->drops_per_s = 0;
	assert_int_equal(health(x, "DROP"), TUI_WARN);
	/* Applying fewer events than records arrive, twice in a row: bad. */
	s->pps = s->rps / 2;
	assert_int_equal(health(x, "PPS"), TUI_WARN);
	((struct xg_meters *)model__meter_sample(&x->m, 1))->pps = 10;
	assert_int_equal(health(x, "PPS"), TUI_BAD);
	fx_free(x);
}

/*
 * The session's first meter sample closes no interval (taken as tracing
 * starts): its rates are "-", in the header and in -n, not "0/s"; from the
 * next sample on they are figures.
 */
static void test_meter_first_sample(void **state)
{
	struct fake *f = fake__new();
	struct tui_theme th;
	struct tui_model m;
	char v[32], *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	render__init(true);
	theme__init(&th, TUI_SCHEME_MONO, TUI_GLYPHS_UTF8);
	fake__model(f, &m, &th, 1);
	assert_string_equal(meter__text(meter__find("RPS"), &m, v, sizeof(v), false), "-");
	assert_string_equal(meter__text(meter__find("PPS"), &m, v, sizeof(v), false), "-");
	assert_string_equal(meter__text(meter__find("EWP"), &m, v, sizeof(v), false), "12");
	fp = open_memstream(&text, &len);
	assert_int_equal(batch__snapshot(fp, &m), 0);
	fclose(fp);
	want_in(text, " RPS - PPS - ");
	free(text);
	model__sample_meters(&m);
	assert_string_equal(meter__text(meter__find("RPS"), &m, v, sizeof(v), false), "1.02k/s");
	model__free(&m);
	fake__free(f);
}

/* ---- the registries: views, meters ------------------------------------------ */

/* The view key D leads to from the list, on a fresh model; -1: none. */
static int view_after(const struct tui_keydef *d)
{
	struct fx *x = fx_new();
	int v;

	tui__key(&x->m, d->keys[0]);
	v = x->m.view == TUI_V_LIST ? -1 : (int)x->m.view;
	fx_free(x);
	return v;
}

/*
 * Every view has its row, and a key reaching it from the list that
 * docs/UI.md's Views table names; a view's own key switches to it and,
 * again, away (back to the list, or what its .again does).
 */
static void test_views_registry(void **state)
{
	char *doc = ui_doc(), *views = doc_section(doc, "Views"), name[16], want[24];
	const struct tui_keydef *reached_by[TUI_V_N] = {0};
	size_t i, j;
	int id;

	(void)state;
	for (id = 0; id < TUI_V_N; id++) {
		const struct tui_view_row *r = &tui_views[id];

		if (!r->view)
			fprintf(stderr, "view id %d has no row in tui/views.c\n", id);
		assert_non_null(r->view);
		assert_non_null(r->view->name);
		assert_non_null(r->view->draw);
		assert_non_null(r->view->key);
		if (!r->key.keys[0])
			continue;
		assert_int_equal(r->key.act, A_VIEW);
		assert_string_equal(r->key.section, "Views");
		assert_non_null(r->key.help);
		assert_ptr_equal(keys__lookup(r->key.keys[0], false), &r->key);
	}
	for (i = 0; i < tui_keys_n; i++) {
		int v;

		if (tui_keys[i]->replay)
			continue;
		v = view_after(tui_keys[i]);
		if (v >= 0 && !reached_by[v])
			reached_by[v] = tui_keys[i];
	}
	for (id = 0; id < TUI_V_N; id++) {
		if (id == TUI_V_LIST)
			continue;
		if (!reached_by[id])
			fprintf(stderr, "no key opens view %s: give its row in tui/views.c a key\n",
				tui_views[id].view->name);
		assert_non_null(reached_by[id]);
		keys__name(reached_by[id]->keys[0], name, sizeof(name));
		snprintf(want, sizeof(want), "| `%s` |", name);
		if (!strstr(views, want))
			fprintf(stderr, "docs/UI.md's Views table has no row %s (view %s)\n", want,
				tui_views[id].view->name);
		assert_non_null(strstr(views, want));
	}
	/* Own keys: there and back; the key bar labels and their places differ. */
	for (id = 0; id < TUI_V_N; id++) {
		const struct tui_keydef *d = &tui_views[id].key;
		struct fx *x;

		if (!d->keys[0])
			continue;
		x = fx_new();
		assert_int_equal(tui__key(&x->m, d->keys[0]), RD_FRAME);
		assert_int_equal(x->m.view, id);
		tui__key(&x->m, d->keys[0]);
		if (!tui_views[id].view->again)
			assert_int_equal(x->m.view, TUI_V_LIST);
		fx_free(x);
	}
	for (i = 0; i < tui_keys_n; i++)
		for (j = 0; j < i; j++)
			if (tui_keys[i]->bar && tui_keys[j]->bar) {
				assert_string_not_equal(tui_keys[i]->bar, tui_keys[j]->bar);
				assert_int_not_equal(tui_keys[i]->bar_pos, tui_keys[j]->bar_pos);
			}
	free(doc);
}

/* Tab: the list and the views with a key of their own, in the registry's order. */
static void test_views_tab(void **state)
{
	struct fx *x = fx_new();
	int id, next;

	(void)state;
	for (id = 0; id < TUI_V_N; id++) {
		if (id != TUI_V_LIST && !tui_views[id].key.keys[0])
			continue;
		assert_int_equal(x->m.view, id);
		tui__key(&x->m, '\t');
		for (next = id + 1; next < TUI_V_N && !tui_views[next].key.keys[0]; next++)
			;
		if (next == TUI_V_N)
			assert_int_equal(x->m.view, TUI_V_LIST);
	}
	fx_free(x);
}

/* Every meter: complete row, a label that fits, its help line, its row in docs/UI.md. */
static void test_meters_registry(void **state)
{
	char *doc = ui_doc(), buf[256], want[256], all[16384] = "";
	struct fx *x = fx_new();
	const char *s;
	size_t i, j, line;

	(void)state;
	for (line = 0; (s = keys__help_line(line, true, buf, sizeof(buf))); line++) {
		strcat(all, s);
		strcat(all, "\n");
	}
	for (i = 0; i < tui_meters_n; i++) {
		const struct tui_meter *mt = &tui_meters[i];

		assert_non_null(mt->name);
		assert_true(strlen(mt->name) <= 4);
		assert_non_null(mt->help);
		assert_non_null(mt->value);
		assert_non_null(mt->format);
		assert_ptr_equal(meter__find(mt->name), mt);
		for (j = 0; j < i; j++)
			assert_string_not_equal(tui_meters[j].name, mt->name);
		snprintf(want, sizeof(want), "\n  %-5s %s\n", mt->name, mt->help);
		assert_non_null(strstr(all, want));
		snprintf(want, sizeof(want), "| `%s` |", mt->name);
		if (!strstr(doc, want))
			fprintf(stderr, "docs/UI.md's meter table has no row %s\n", want);
		assert_non_null(strstr(doc, want));
		assert_true(meter__health(mt, &x->m) <= TUI_NA);
		assert_true(strlen(meter__text(mt, &x->m, buf, sizeof(buf), true)) > 0);
	}
	assert_null(meter__find("NOPE"));
	fx_free(x);
	free(doc);
}

static void test_fmt(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(fmt_dur(b, sizeof(b), 999), "999ns");
	assert_string_equal(fmt_dur(b, sizeof(b), 9999), "9.9us");
	assert_string_equal(fmt_dur(b, sizeof(b), 9999999), "9.9ms");
	assert_string_equal(fmt_dur(b, sizeof(b), 999999999), "999ms");
	assert_string_equal(fmt_dur(b, sizeof(b), 9999999999ull), "9.99s");
	assert_string_equal(fmt_dur(b, sizeof(b), 59999999999ull), "59.9s");
	assert_string_equal(fmt_dur(b, sizeof(b), 3599 * S), "59m59s");
	assert_string_equal(fmt_dur(b, sizeof(b), 86399 * S), "23h59m");
	assert_string_equal(fmt_count(b, sizeof(b), 999), "999");
	assert_string_equal(fmt_count(b, sizeof(b), 9999), "9.99k");
	assert_string_equal(fmt_count(b, sizeof(b), 1234567), "1.23M");
	assert_string_equal(fmt_scale(b, sizeof(b), 100 * MS), "100ms");
	assert_string_equal(fmt_scale(b, sizeof(b), 60 * S), "1min");
	assert_string_equal(fmt_offset(b, sizeof(b), -1500 * (int64_t)MS), "-1.50s");
	{
		int cut;

		assert_string_equal(fmt_tail("net/http.(*conn).serve", 10, &cut), "onn).serve");
		assert_true(cut);
		assert_int_equal(fmt_width("a─b"), 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_unique),
		cmocka_unit_test(test_keys_help_both_ways),
		cmocka_unit_test(test_help_content),
		cmocka_unit_test(test_keys_documented),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_sort_orders),
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_sort_allocs),
		cmocka_unit_test(test_batch_lines),
		cmocka_unit_test(test_batch_evicted),
		cmocka_unit_test(test_partial_sort),
		cmocka_unit_test(test_selection_follows_goroutine),
		cmocka_unit_test(test_zoom_pan_cursor),
		cmocka_unit_test(test_pause_freezes),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_global_keys),
		cmocka_unit_test(test_tracker),
		cmocka_unit_test(test_tracker_layers),
		cmocka_unit_test(test_cpu_share),
		cmocka_unit_test(test_func_fit),
		cmocka_unit_test(test_cpu_known_share),
		cmocka_unit_test(test_cpu_exited_bounded),
		cmocka_unit_test(test_cpu_sum_bounded),
		cmocka_unit_test(test_cpu_sum_paths),
		cmocka_unit_test(test_meter_health),
		cmocka_unit_test(test_meter_first_sample),
		cmocka_unit_test(test_views_registry),
		cmocka_unit_test(test_views_tab),
		cmocka_unit_test(test_meters_registry),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_found_at_attach),
	};
	int rc = cmocka_run_group_tests(tests, keys_setup, NULL);

	render__end();
	return rc;
}
