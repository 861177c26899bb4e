// SPDX-License-Identifier: BSD-2-Clause
/*
 * Allocations: the heap as the runtime counts it (live bytes, allocation
 * rate: read from the target's memory, no probe), the size-class histogram
 * (counted in BPF with --alloc or --alloc-hist, else the runtime's own),
 * what the allocation events say per kind, and who allocates most; or, 'a'
 * again, the selected goroutine's share. Each part says why when its data
 * is absent rather than drawing zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "gevent.h"
#include "draw.h"
#include "fmt.h"
#include "views.h"

#define TOP_MAX	 16
#define LABEL_W	 9
#define COUNT_W	 5
#define BYTES_W	 6
#define NUM_COLS (LABEL_W + 1 + COUNT_W + 1 + BYTES_W + 1)

struct arow {
	char label[48];
	uint64_t count, bytes;
};

/* "999B" "9.99kB" "99.9MB": at most BYTES_W columns. */
static char *fmt_bytes(char *buf, size_t len, uint64_t v)
{
	char n[16];

	snprintf(buf, len, "%sB", fmt_count(n, sizeof(n), (double)v));
	return buf;
}

/* "8" "1024" "8K" "32K": a class size, short. */
static char *fmt_size(char *buf, size_t len, uint32_t v)
{
	if (v >= 4096 && !(v % 1024))
		snprintf(buf, len, "%uK", v / 1024);
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

static int log2_ceil(uint32_t v)
{
	int b = 0;

	while (b < 31 && (1u << b) < v)
		b++;
	return b;
}

/*
 * The rows of the histogram: one per used bucket, or, when they do not fit
 * in MAX, the classes merged into powers of two. *MERGED says which.
 */
static int hist_rows(const struct xd_alloc_hist *h, struct arow *rows, int max, bool *merged)
{
	char a[24], b[24];
	int n = 0, i, used = 0;

	*merged = false;
	for (i = 0; i < XD_ALLOC_BUCKETS; i++)
		used += h->count[i] != 0;
	if (h->count[XD_ALLOC_TINY]) {
		snprintf(rows[n].label, sizeof(rows[n].label), "tiny<%u", h->size[XD_ALLOC_TINY]);
		rows[n].count = h->count[XD_ALLOC_TINY];
		rows[n++].bytes = h->bytes[XD_ALLOC_TINY];
	}
	if (used <= max) {
		for (i = XD_ALLOC_TINY + 1; i < XD_ALLOC_LARGE; i++) {
			if (!h->count[i])
				continue;
			if (h->size[i])
				fmt_size(rows[n].label, sizeof(rows[n].label), h->size[i]);
			else
				snprintf(rows[n].label, sizeof(rows[n].label), "class %d", i);
			rows[n].count = h->count[i];
			rows[n++].bytes = h->bytes[i];
		}
	} else {
		int g, last = -1;

		*merged = true;
		for (i = XD_ALLOC_TINY + 1; i < XD_ALLOC_LARGE; i++) {
			if (!h->count[i])
				continue;
			/* Classes are ascending: (2^(g-1), 2^g] groups are contiguous. */
			g = log2_ceil(h->size[i] ? h->size[i] : 1);
			if (g != last) {
				fmt_size(a, sizeof(a), g ? (1u << (g - 1)) + 1 : 0);
				fmt_size(b, sizeof(b), 1u << g);
				snprintf(rows[n].label, sizeof(rows[n].label), "%s-%s", a, b);
				rows[n].count = rows[n].bytes = 0;
				n++;
				last = g;
			}
			rows[n - 1].count += h->count[i];
			rows[n - 1].bytes += h->bytes[i];
		}
	}
	if (h->count[XD_ALLOC_LARGE]) {
		snprintf(rows[n].label, sizeof(rows[n].label), "large");
		rows[n].count = h->count[XD_ALLOC_LARGE];
		rows[n++].bytes = h->bytes[XD_ALLOC_LARGE];
	}
	return n;
}

static void num_cells(WINDOW *w, int y, int x, struct tui_model *m, attr_t a, const char *label,
		      uint64_t count, uint64_t bytes)
{
	char c[16], b[16];

	d_str(w, y, x, LABEL_W, a, label);
	fmt_count(c, sizeof(c), (double)count);
	d_rstr(w, y, x + LABEL_W + 1, COUNT_W, count ? a : ROLE(m, COLOR_DIM), c);
	fmt_bytes(b, sizeof(b), bytes);
	d_rstr(w, y, x + LABEL_W + 1 + COUNT_W + 1, BYTES_W, bytes ? a : ROLE(m, COLOR_DIM), b);
}

/*
 * The histogram to draw: BPF's (--alloc, --alloc-hist: every allocation,
 * requested bytes) when there is one, else the runtime's counters (objects
 * times their class size). 0 and *RUNTIME, or -ENODATA.
 */
static int pick_hist(struct tui_model *m, struct xd_alloc_hist *out, bool *runtime)
{
	struct xd_heap heap;

	*runtime = false;
	if (!xd_alloc_hist(model__table(m), NULL, out))
		return 0;
	if (xd_heap(model__table(m), &heap))
		return -ENODATA;
	*out = heap.hist;
	*runtime = true;
	return 0;
}

/* The size classes in [X, X + WIDTH) from line Y, H lines at most. */
static void draw_hist(WINDOW *w, int y, int x, int width, int h, struct tui_model *m)
{
	struct xd_alloc_hist hist;
	struct arow rows[XD_ALLOC_BUCKETS];
	int bar_w = width - NUM_COLS - 1, n, i;
	uint64_t max = 0;
	bool merged, runtime;

	d_fill(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER), "SIZE <=   COUNT  BYTES");
	y++;
	if (pick_hist(m, &hist, &runtime)) {
		d_wrap(w, y + 1, x + 1, width - 2, h - 2, ROLE(m, COLOR_METER_NA),
		       "No size-class histogram yet: the runtime's counters are read once a "
		       "second (not with -b); --alloc-hist counts them in BPF.");
		return;
	}
	if (width >= NUM_COLS + (runtime ? 40 : 20))
		d_str(w, y - 1, x + NUM_COLS, width - NUM_COLS, ROLE(m, COLOR_COLUMN_HEADER),
		      runtime ? "ALLOCATED PER CLASS (RUNTIME COUNTERS)" : "ALLOCATIONS PER CLASS");
	/* Header and total take two lines; the note on merging one more. */
	n = hist_rows(&hist, rows, h - 2, &merged);
	if (merged && n > h - 3)
		n = h - 3;
	for (i = 0; i < n; i++)
		if (rows[i].count > max)
			max = rows[i].count;
	for (i = 0; i < n && i < h - 2; i++, y++) {
		num_cells(w, y, x, m, ROLE(m, COLOR_DEFAULT), rows[i].label, rows[i].count,
			  rows[i].bytes);
		/* The bar's length is the count; a partial cell keeps small ones visible. */
		if (max && bar_w > 0)
			d_bar(w, y, x + NUM_COLS, bar_w, (double)rows[i].count / (double)max,
			      ROLE(m, COLOR_BAR), m->theme->g);
	}
	num_cells(w, y++, x, m, ROLE(m, COLOR_BOLD), "total", hist.count_total, hist.bytes_total);
	if (merged)
		d_str(w, y, x, width, ROLE(m, COLOR_DIM), "(classes merged by powers of 2 to fit)");
}

/* The heap line: live, rate, since start, from the runtime's counters. Lines used. */
static int draw_heap(WINDOW *w, int y, int width, struct tui_model *m)
{
	struct xd_heap heap;
	char lb[16], lo[16], rb[16], ro[16], ab[16], ao[16], tiny[16], line[200];

	if (xd_heap(model__table(m), &heap))
		return 0;
	fmt_bytes(lb, sizeof(lb), heap.live_bytes);
	fmt_count(lo, sizeof(lo), (double)heap.live_objects);
	fmt_bytes(ab, sizeof(ab), heap.hist.bytes_total);
	fmt_count(ao, sizeof(ao), (double)heap.hist.count_total);
	fmt_count(tiny, sizeof(tiny), (double)heap.tiny);
	if (heap.samples > 1) {
		char n[16];

		snprintf(rb, sizeof(rb), "%sB/s", fmt_count(n, sizeof(n), heap.bytes_per_s));
		snprintf(ro, sizeof(ro), "%s", fmt_count(n, sizeof(n), heap.objects_per_s));
	} else {
		snprintf(rb, sizeof(rb), "n/a");
		snprintf(ro, sizeof(ro), "-");
	}
	d_str(w, y, 0, 6, ROLE(m, COLOR_BOLD), "Heap");
	/* Fits 80 columns with 6-column numbers. */
	snprintf(line, sizeof(line), "live %s %s obj   rate %s %s obj/s   total %s %s obj +%s tiny",
		 lb, lo, rb, ro, ab, ao, tiny);
	d_str(w, y, 6, width - 6, ROLE(m, COLOR_DEFAULT), line);
	return 1;
}

struct top {
	const char *name[TOP_MAX];
	uint64_t goid[TOP_MAX];
	uint64_t bytes[TOP_MAX], objects[TOP_MAX];
	int n, max;
};

static void top_add(struct top *t, const char *name, uint64_t goid, uint64_t bytes,
		    uint64_t objects)
{
	int i;

	if (!bytes || (t->n == t->max && bytes <= t->bytes[t->n - 1]))
		return;
	i = t->n < t->max ? t->n++ : t->n - 1;
	for (; i > 0 && t->bytes[i - 1] < bytes; i--) {
		t->name[i] = t->name[i - 1];
		t->goid[i] = t->goid[i - 1];
		t->bytes[i] = t->bytes[i - 1];
		t->objects[i] = t->objects[i - 1];
	}
	t->name[i] = name;
	t->goid[i] = goid;
	t->bytes[i] = bytes;
	t->objects[i] = objects;
}

static int top_group(const struct gtable_group *g, void *ctx)
{
	top_add(ctx, g->func ? g->func : "(unknown)", 0, g->alloc_bytes, g->alloc_objects);
	return 0;
}

static int top_goroutine(const struct gentry *e, void *ctx)
{
	uint64_t bytes, objects;

	gentry__alloc(e, &bytes, &objects);
	top_add(ctx, e->func ? e->func : "(unknown)", e->goid, bytes, objects);
	return 0;
}

/* Rows of a top list: a name and its bytes. GOIDS: a "G<id>" column first. */
static int draw_top(WINDOW *w, int y, int x, int width, int h, struct tui_model *m,
		    const char *title, const struct top *t, bool goids, uint64_t sel_goid)
{
	char b[16], id[24];
	int i, lines = 0;

	if (h < 2)
		return 0;
	d_fill(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER), title);
	d_rstr(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER), "BYTES");
	lines++;
	if (!t->n) {
		d_str(w, y + 1, x + 1, width - 1, ROLE(m, COLOR_DIM), "none charged yet");
		return 2;
	}
	for (i = 0; i < t->n && lines < h; i++, lines++) {
		bool sel = goids && t->goid[i] == sel_goid;
		attr_t a = ROLE(m, sel ? COLOR_SELECTED : COLOR_DEFAULT);
		int nx = x;

		if (sel)
			d_fill(w, y + lines, x, width, a);
		if (goids) {
			snprintf(id, sizeof(id), "G%llu", (unsigned long long)t->goid[i]);
			nx += d_str(w, y + lines, x, 8, a, id) + 1;
			if (nx < x + 8)
				nx = x + 8;
		}
		d_tail(w, y + lines, nx, width - (nx - x) - BYTES_W - 1, a, t->name[i],
		       m->theme->g->ellipsis);
		d_rstr(w, y + lines, x, width, a, fmt_bytes(b, sizeof(b), t->bytes[i]));
	}
	return lines;
}

/* Per kind and the top allocators in [X, X + WIDTH) from line Y, H lines at most. */
static void draw_kinds(WINDOW *w, int y, int x, int width, int h, struct tui_model *m)
{
	struct xd_alloc_kinds k;
	struct top t = {.max = TOP_MAX};
	char buf[32];
	int y0 = y, i, left;

	d_fill(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER));
	d_str(w, y, x, width, ROLE(m, COLOR_COLUMN_HEADER), "KIND      COUNT  BYTES");
	y++;
	if (xd_alloc_kinds(model__table(m), &k)) {
		d_wrap(w, y, x + 1, width - 1, h - 1, ROLE(m, COLOR_METER_NA),
		       xd_alloc_why(&m->info, model__table(m)));
		return;
	}
	/* The runtime's own kinds in enum order, "other" last. */
	for (i = 1; i <= XD_ALLOC_KINDS && y - y0 < h; i++, y++) {
		int kind = i % XD_ALLOC_KINDS;

		num_cells(w, y, x, m, ROLE(m, COLOR_DEFAULT), gev_alloc_kind_name(kind),
			  k.count[kind], k.bytes[kind]);
		if (width >= NUM_COLS + 5 && k.bytes_total) {
			snprintf(buf, sizeof(buf), "%3llu%%",
				 (unsigned long long)(k.bytes[kind] * 100 / k.bytes_total));
			d_rstr(w, y, x, width, ROLE(m, COLOR_DIM), buf);
		}
	}
	if (y - y0 < h)
		num_cells(w, y++, x, m, ROLE(m, COLOR_BOLD), "total", k.events, k.bytes_total);
	if (k.unattributed && y - y0 < h)
		d_printf(w, y++, x + 1, width - 1, ROLE(m, COLOR_DIM), "%llu without a goroutine",
			 (unsigned long long)k.unattributed);
	left = h - (y - y0) - 1;
	if (left < 3)
		return;
	y++;
	gtable__for_each_group(model__table(m), top_group, &t);
	if (t.n > left - 1)
		t.n = left - 1;
	/* Room for both lists: functions first, then goroutines. */
	if (left >= 2 * 5 + 1 && t.n > (left - 1) / 2 - 1)
		t.n = (left - 1) / 2 - 1;
	y += draw_top(w, y, x, width, left, m, "TOP FUNCTIONS", &t, false, 0);
	left = h - (y - y0) - 1;
	if (left < 3)
		return;
	y++;
	t = (struct top){.max = left - 1 < TOP_MAX ? left - 1 : TOP_MAX};
	model__for_each(m, top_goroutine, &t);
	draw_top(w, y, x, width, left, m, "TOP GOROUTINES", &t, true, 0);
}

/* Notes on what the numbers cover: sampling, replay. Lines used. */
static int notes(WINDOW *w, int y, int width, struct tui_model *m)
{
	char buf[256];
	int n = 0;

	if (model__sample(m)) {
		snprintf(buf, sizeof(buf),
			 "sampled (%s): kinds and goroutines count the traced events only; the "
			 "size classes are exact",
			 model__sample(m));
		n += d_wrap(w, y + n, 0, width, 2, ROLE(m, COLOR_METER_WARN), buf);
	}
	if (!strcmp(m->info.mode, "REPLAY"))
		n += d_wrap(w, y + n, 0, width, 2, ROLE(m, COLOR_DIM),
			    "replay: keyframes carry no allocation counts, so after a seek kinds "
			    "and goroutines count from the keyframe restored");
	return n;
}

static void no_data(WINDOW *w, int y, int width, struct tui_model *m, const char *why)
{
	y++;
	d_str(w, y++, 2, width - 2, ROLE(m, COLOR_METER_NA), "No data.");
	y += d_wrap(w, y, 2, width - 4, 4, ROLE(m, COLOR_DEFAULT), why);
	d_printf(w, y, 2, width - 2, ROLE(m, COLOR_DIM), "Attached probes: %s",
		 m->info.probes[0] ? m->info.probes : "none");
}

/* The selected goroutine: its share, its function's, and where it ranks. */
static void draw_selected(WINDOW *w, int y, struct tui_model *m, const struct gentry *sel)
{
	int width = getmaxx(w), h = getmaxy(w);
	uint64_t bytes, objects;
	struct xd_alloc_kinds k;
	struct top t = {.max = TOP_MAX};
	char b[16], c[16];
	int i;

	if (!sel || xd_allocs(model__table(m), sel, &bytes, &objects)) {
		no_data(w, y, width, m,
			sel ? xd_alloc_why(&m->info, model__table(m)) : "No goroutine selected.");
		return;
	}
	y++;
	xd_alloc_kinds(model__table(m), &k);
	d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_BOLD), "G%llu allocated %s in %s objects",
		 (unsigned long long)sel->goid, fmt_bytes(b, sizeof(b), bytes),
		 fmt_count(c, sizeof(c), (double)objects));
	if (k.bytes_total)
		d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_DEFAULT),
			 "%llu.%llu%% of the bytes of the traced allocation events",
			 (unsigned long long)(bytes * 1000 / k.bytes_total / 10),
			 (unsigned long long)(bytes * 1000 / k.bytes_total % 10));
	if (sel->group && sel->group->func) {
		const struct gtable_group *g = sel->group;

		d_printf(w, y++, 2, width - 2, ROLE(m, COLOR_DEFAULT),
			 "its start function, %llu goroutine%s (%llu live): %s in %s objects",
			 (unsigned long long)g->created, g->created == 1 ? "" : "s",
			 (unsigned long long)g->live, fmt_bytes(b, sizeof(b), g->alloc_bytes),
			 fmt_count(c, sizeof(c), (double)g->alloc_objects));
	}
	y += d_wrap(w, y, 2, width - 4, 2, ROLE(m, COLOR_DIM),
		    "Size classes and kinds are counted per process, not per goroutine: a shows "
		    "the whole process.");
	y++;
	if (h - y < 3)
		return;
	t.max = h - y - 1 < TOP_MAX ? h - y - 1 : TOP_MAX;
	model__for_each(m, top_goroutine, &t);
	for (i = 0; i < t.n && t.goid[i] != sel->goid; i++)
		;
	/* Not among the top: it takes the last line. */
	if (i == t.n && t.n == t.max && bytes) {
		t.goid[t.n - 1] = sel->goid;
		t.name[t.n - 1] = sel->func ? sel->func : "(unknown)";
		t.bytes[t.n - 1] = bytes;
	}
	draw_top(w, y, 0, width < 80 ? width : 80, h - y, m, "TOP GOROUTINES", &t, true, sel->goid);
}

static void alloc_draw(WINDOW *w, struct tui_model *m)
{
	const struct gentry *sel = m->alloc_selected ? model__selected(m) : NULL;
	const struct gtable *gt = model__table(m);
	struct xd_alloc_hist hist;
	struct xd_alloc_kinds kinds;
	struct xd_heap heap;
	int width = getmaxx(w), h = getmaxy(w), y = 0, right_w, left_w;

	if (m->alloc_selected) {
		d_printf(w, y++, 0, width, ROLE(m, COLOR_TITLE), "Allocations - G%llu %s",
			 sel ? (unsigned long long)sel->goid : 0ull,
			 sel && sel->func ? sel->func : "?");
		y += notes(w, y, width, m);
		draw_selected(w, y, m, sel);
		return;
	}
	d_str(w, y++, 0, width, ROLE(m, COLOR_TITLE), "Allocations - whole process");
	if (xd_alloc_hist(gt, NULL, &hist) && xd_alloc_kinds(gt, &kinds) && xd_heap(gt, &heap)) {
		no_data(w, y, width, m, xd_alloc_why(&m->info, gt));
		return;
	}
	y += notes(w, y, width, m);
	y += draw_heap(w, y, width, m);
	right_w = width >= 120 ? 46 : 30;
	left_w = width - right_w - 2;
	draw_hist(w, y, 0, left_w, h - y, m);
	draw_kinds(w, y, left_w + 2, right_w, h - y, m);
}

static void alloc_status(WINDOW *w, int y, struct tui_model *m)
{
	d_str(w, y, 0, getmaxx(w), ROLE(m, COLOR_DIM),
	      m->alloc_selected ? "a: whole process   Esc: back"
				: "a: the selected goroutine only   Esc: back");
}

static int alloc_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

/* a again: the selected goroutine's, or the whole process's. */
static int alloc_again(struct tui_model *m)
{
	m->alloc_selected = !m->alloc_selected;
	return RD_FRAME;
}

const struct tui_view view_alloc = {
	.name = "allocations",
	.draw = alloc_draw,
	.key = alloc_key,
	.status = alloc_status,
	.again = alloc_again,
};
