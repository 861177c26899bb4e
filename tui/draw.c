// SPDX-License-Identifier: BSD-2-Clause
#include "draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "fmt.h"
#include "sanitize.h"
#include "xgotop_event.h"

static int room(WINDOW *w, int x, int maxw)
{
	int r = getmaxx(w) - x;

	return maxw < r ? maxw : r;
}

/*
 * Every string is drawn through here, and most come from the target or a
 * recording: curses would move the cursor on a CR or LF, and a terminal
 * takes some bytes of broken UTF-8 as controls. BUF has SANITIZE_MAX bytes.
 */
static const char *safe(const char *s, char *buf)
{
	return sanitize__clean(s) ? s : sanitize__str(buf, SANITIZE_MAX, s);
}

/*
 * The cursor where adding cells up to column END (exclusive) of row Y one
 * by one leaves it: past the last, or wrapped to the next row (on the last
 * row it stays on the last column). Curses moves the terminal's cursor
 * there at the end of a frame.
 */
static void cursor_after(WINDOW *w, int y, int end)
{
	if (end < getmaxx(w))
		wmove(w, y, end);
	else if (y + 1 < getmaxy(w))
		wmove(w, y + 1, 0);
	else
		wmove(w, y, getmaxx(w) - 1);
}

/* The background of a new window: blanks, no attribute (then a cell is drawn as it is given). */
static bool plain_background(WINDOW *w)
{
	wchar_t wc[CCHARW_MAX + 1];
	cchar_t bg;
	attr_t a;
	short pair;

	return wgetbkgrnd(w, &bg) == OK && getcchar(&bg, wc, &a, &pair, NULL) == OK &&
	       wc[0] == L' ' && !wc[1] && a == A_NORMAL && !pair;
}

/*
 * Printable ASCII over the window's plain background: its cells copied
 * (waddchnstr), as waddnstr renders them, without its decoding of each byte
 * as a multibyte character. False, nothing drawn: S[0..N) is not such text.
 */
static bool put_ascii(WINDOW *w, int y, int x, attr_t a, const char *s, size_t n)
{
	chtype v[256];
	size_t i;

	if (n > sizeof(v) / sizeof(v[0]) || !plain_background(w))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return false;
		v[i] = c | a;
	}
	mvwaddchnstr(w, y, x, v, (int)n);
	cursor_after(w, y, x + (int)n);
	return true;
}

int d_str(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s)
{
	int width = room(w, x, maxw);
	char buf[SANITIZE_MAX];
	size_t n;

	if (width <= 0 || y < 0 || y >= getmaxy(w) || x < 0)
		return 0;
	s = safe(s, buf);
	n = fmt_head_bytes(s, (size_t)width);
	wattrset(w, a);
	if (MB_CUR_MAX == 1) {
		/* A single-byte locale would print UTF-8 bytes as M-x sequences: wider. */
		size_t i;

		wmove(w, y, x);
		for (i = 0; i < n; i++)
			waddch(w, (unsigned char)s[i] < 0x80 ? (chtype)(unsigned char)s[i] : '?');
	} else if (!put_ascii(w, y, x, a, s, n)) {
		mvwaddnstr(w, y, x, s, (int)n);
	}
	wattrset(w, A_NORMAL);
	return (int)fmt_width_n(s, n);
}

int d_printf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return d_str(w, y, x, maxw, a, buf);
}

int d_rstr(WINDOW *w, int y, int x, int width, attr_t a, const char *s)
{
	char buf[SANITIZE_MAX];
	int sw = (int)fmt_width(s = safe(s, buf));

	if (sw > width)
		sw = width;
	return d_str(w, y, x + width - sw, sw, a, s);
}

int d_tail(WINDOW *w, int y, int x, int width, attr_t a, const char *s, const wchar_t *ellipsis)
{
	int cut, el = (int)wcslen(ellipsis);
	char buf[SANITIZE_MAX];
	const char *t;

	if (width <= 0)
		return 0;
	s = safe(s, buf);
	t = fmt_tail(s, (size_t)width, &cut);
	if (!cut)
		return d_str(w, y, x, width, a, s);
	if (width <= el)
		return d_str(w, y, x, width, a, fmt_tail(s, (size_t)width, &cut));
	t = fmt_tail(s, (size_t)(width - el), &cut);
	wattrset(w, a);
	mvwaddnwstr(w, y, x, ellipsis, el);
	wattrset(w, A_NORMAL);
	return el + d_str(w, y, x + el, width - el, a, t);
}

int d_head(WINDOW *w, int y, int x, int width, attr_t a, const char *s, const wchar_t *ellipsis)
{
	int el = (int)wcslen(ellipsis), n;
	char buf[SANITIZE_MAX];

	if (width <= 0)
		return 0;
	s = safe(s, buf);
	if ((int)fmt_width(s) <= width || width <= el)
		return d_str(w, y, x, width, a, s);
	n = d_str(w, y, x, width - el, a, s);
	wattrset(w, a);
	mvwaddnwstr(w, y, x + n, ellipsis, el);
	wattrset(w, A_NORMAL);
	return n + el;
}

int d_wrap(WINDOW *w, int y, int x, int width, int maxlines, attr_t a, const char *s)
{
	char buf[SANITIZE_MAX];
	int lines = 0;

	s = safe(s, buf);
	while (*s && lines < maxlines && width > 0) {
		size_t n = fmt_head_bytes(s, (size_t)width), cut = n;

		if (s[n]) {
			while (cut && s[cut] != ' ')
				cut--;
			if (!cut)
				cut = n;
		}
		wattrset(w, a);
		mvwaddnstr(w, y + lines, x, s, (int)cut);
		wattrset(w, A_NORMAL);
		s += cut;
		while (*s == ' ')
			s++;
		lines++;
	}
	return lines;
}

void d_glyph(WINDOW *w, int y, int x, attr_t a, const wchar_t *g)
{
	cchar_t cc;

	if (y < 0 || y >= getmaxy(w) || x < 0 || x >= getmaxx(w))
		return;
	if (g[0] && !g[1]) {
		setcchar(&cc, g, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
		mvwadd_wch(w, y, x, &cc);
		return;
	}
	wattrset(w, a);
	mvwaddnwstr(w, y, x, g, room(w, x, (int)wcslen(g)));
	wattrset(w, A_NORMAL);
}

/*
 * One-column glyphs put cell by cell and drawn at once (wadd_wchnstr): what
 * the cells one by one (d_glyph) would draw, at a call per row rather than
 * per cell. A glyph of another width, or of several characters, is drawn
 * alone, as d_glyph does.
 */
#define RUN_MAX 256
struct run {
	WINDOW *w;
	int y, x, n; /* the cells so far start at X */
	const wchar_t *g;
	bool one;	     /* G takes one column */
	const wchar_t *cc_g; /* the glyph and attribute CC holds */
	attr_t cc_a;
	cchar_t cc, v[RUN_MAX];
};

static void run_flush(struct run *r)
{
	if (r->n && r->y >= 0 && r->y < getmaxy(r->w) && r->x >= 0 && r->x < getmaxx(r->w)) {
		mvwadd_wchnstr(r->w, r->y, r->x, r->v, r->n);
		cursor_after(r->w, r->y, r->x + r->n < getmaxx(r->w) ? r->x + r->n : getmaxx(r->w));
	}
	r->x += r->n;
	r->n = 0;
}

static void run_add(struct run *r, attr_t a, const wchar_t *g)
{
	if (g != r->g) {
		r->g = g;
		r->one = g[0] && !g[1] && iswprint((wint_t)g[0]) && wcwidth(g[0]) == 1;
	}
	if (!r->one) {
		run_flush(r);
		d_glyph(r->w, r->y, r->x++, a, g);
		return;
	}
	if (r->n == RUN_MAX)
		run_flush(r);
	if (g != r->cc_g || a != r->cc_a) {
		setcchar(&r->cc, g, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
		r->cc_g = g;
		r->cc_a = a;
	}
	r->v[r->n++] = r->cc;
}

void d_repeat(WINDOW *w, int y, int x, int n, attr_t a, const wchar_t *g)
{
	int i;

	for (i = 0; i < n; i++)
		d_glyph(w, y, x + i, a, g);
}

void d_fill(WINDOW *w, int y, int x, int n, attr_t a)
{
	int width = room(w, x, n);

	if (width <= 0 || y < 0 || y >= getmaxy(w))
		return;
	wattrset(w, a);
	mvwhline(w, y, x, ' ', width);
	wattrset(w, A_NORMAL);
}

int d_bar(WINDOW *w, int y, int x, int width, double frac, attr_t a, const struct tui_glyphs *g)
{
	double cells;
	int full, part;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	cells = frac * width;
	full = (int)cells;
	part = (int)((cells - full) * 8);
	d_repeat(w, y, x, full, a, g->bar_full);
	if (full < width && part && g->bar_part[part]) {
		d_glyph(w, y, x + full, a, g->bar_part[part]);
		full++;
	}
	/* Something, however small, is not nothing. */
	if (!full && frac > 0 && width > 0) {
		d_glyph(w, y, x, a, g->bar_part[1] ? g->bar_part[1] : g->bar_full);
		full = 1;
	}
	return full;
}

static int level(double v, double max, int levels)
{
	int l;

	if (v <= 0 || max <= 0)
		return 0;
	l = (int)(v / max * (levels - 1) + 0.5);
	if (l < 1)
		l = 1;
	return l > levels - 1 ? levels - 1 : l;
}

void d_spark(WINDOW *w, int y, int x, int width, const double *vals, int n, double max, attr_t a,
	     const struct tui_glyphs *g)
{
	int i, first = n > width ? n - width : 0, pad = width - (n - first);

	for (i = 0; i < pad; i++)
		d_glyph(w, y, x + i, a, L" ");
	for (i = first; i < n; i++)
		d_glyph(w, y, x + pad + i - first, a,
			vals[i] < 0 ? L" " : g->spark[level(vals[i], max, g->spark_levels)]);
}

/* Braille dots of one column, bottom to top: left then right. */
static const unsigned char dots[2][4] = {{0x40, 0x04, 0x02, 0x01}, {0x80, 0x20, 0x10, 0x08}};

void d_graph(WINDOW *w, int y, int x, int h, int width, const double *vals, int n, double max,
	     attr_t a, const struct tui_glyphs *g)
{
	int per = g->braille ? 2 : 1, want = width * per;
	int first = n > want ? n - want : 0, used = n - first, pad = want - used;
	int r, c, k;

	for (r = 0; r < h; r++) {
		for (c = 0; c < width; c++) {
			wchar_t ch[2] = {L' ', 0};
			unsigned int bits = 0;

			for (k = 0; k < per; k++) {
				int i = c * per + k - pad;
				double v;
				int units, fill;

				if (i < 0)
					continue;
				v = vals[first + i];
				if (v < 0)
					continue;
				if (g->braille) {
					units = level(v, max, h * 4 + 1);
					fill = units - (h - 1 - r) * 4;
					for (int d = 0; d < 4 && d < fill; d++)
						bits |= dots[k][d];
				} else {
					int levels = g->spark_levels - 1;

					units = level(v, max, h * levels + 1);
					fill = units - (h - 1 - r) * levels;
					if (fill > levels)
						fill = levels;
					if (fill > 0)
						ch[0] = g->spark[fill][0];
				}
			}
			if (g->braille && bits)
				ch[0] = (wchar_t)(0x2800 + bits);
			d_glyph(w, y + r, x + c, a, ch);
		}
	}
}

/* Index of the span holding T (the last starting at or before it), 0 if none does. */
static uint32_t span_at(const struct gstate_span *v, uint32_t n, uint64_t t)
{
	uint32_t lo = 0, hi = n;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v[mid].start <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Add the time each span spends in [C0, C1) to NS, from span *J on; *J moves
 * past the spans that end inside, so a sweep over the cells costs cells +
 * spans. True if any of the cell is known.
 */
/*
 * Time per state of the spans V[0..N) within [C0, C1) into NS, from span *J
 * on (advanced); OFF (NULL: not wanted) the running part off the CPU, by
 * each span's off_pct (OPEN_PCT for the last, still open: exact only once
 * it closes).
 */
static bool sweep_off(const struct gstate_span *v, uint32_t n, uint32_t *j, uint64_t end,
		      uint64_t c0, uint64_t c1, uint64_t ns[GT_NSTATES], uint64_t *off,
		      unsigned int open_pct)
{
	bool known = false;
	uint32_t k;

	memset(ns, 0, sizeof(uint64_t) * GT_NSTATES);
	for (k = *j; k < n && v[k].start < c1; k++) {
		uint64_t s1 = k + 1 < n ? v[k + 1].start : end, s0 = v[k].start;

		if (s1 > end)
			s1 = end;
		if (s0 < c0)
			s0 = c0;
		if (s1 > c1)
			s1 = c1;
		if (s1 > s0 && v[k].state < GT_NSTATES && v[k].state != XG_G_DEAD) {
			ns[v[k].state] += s1 - s0;
			known = true;
			if (off && v[k].state == XG_G_RUNNING)
				*off += (s1 - s0) * (k + 1 < n ? v[k].off_pct : open_pct) / 100;
		}
		if (k + 1 < n && v[k + 1].start <= c1)
			*j = k + 1;
		else
			break;
	}
	return known;
}

static bool sweep(const struct gstate_span *v, uint32_t n, uint32_t *j, uint64_t end, uint64_t c0,
		  uint64_t c1, uint64_t ns[GT_NSTATES])
{
	return sweep_off(v, n, j, end, c0, c1, ns, NULL, 0);
}

bool d_cell_states(const struct gstate_span *v, uint32_t n, uint64_t end, uint64_t c0,
		   uint64_t scale, uint64_t ns[GT_NSTATES])
{
	uint32_t j = n ? span_at(v, n, c0) : 0;

	return sweep(v, n, &j, end, c0, c0 + scale, ns);
}

void d_strip(WINDOW *w, int y, int x, int cells, struct tui_model *m, const struct gentry *e,
	     uint64_t t0, uint64_t scale, int cursor, bool hilite, struct tui_cell *cur)
{
	const struct tui_theme *th = m->theme;
	uint64_t ns[GT_NSTATES] = {0}, end = e->exited_ts ? e->exited_ts : m->now;
	const struct gstate_span *v;
	uint32_t n = model__spans(m, e, &v), j = n ? span_at(v, n, t0) : 0;
	const struct track *k = tracker__get(&m->track, e);
	uint64_t raw_from = n ? v[0].start : UINT64_MAX, off;
	unsigned int open_pct = gentry__open_off_pct(e, m->now);
	struct run run = {.w = w, .y = y, .x = x};
	int c;

	for (c = 0; c < cells; c++) {
		uint64_t c0 = t0 + (uint64_t)c * scale, c1 = c0 + scale;
		const wchar_t *g = L" ";
		enum tui_role role = COLOR_DEFAULT;
		bool known, mixed = false;

		off = 0;
		known = sweep_off(v, n, &j, end, c0, c1, ns, &off, open_pct);
		attr_t a;

		/* Older than the spans kept: the track's coarse buckets, if it has them. */
		if (k && c0 < raw_from) {
			uint64_t lns[GT_NSTATES];
			unsigned int s;

			if (track__cell(k, c0, c1 < raw_from ? c1 : raw_from, scale, lns, &mixed)) {
				for (s = 0; s < GT_NSTATES; s++)
					ns[s] += lns[s];
				known = true;
			}
		}

		if (c0 >= m->now) {
			/* The future. */
		} else if (e->created_ts && c1 <= e->created_ts) {
			/* Not born yet. */
		} else if (e->exited_ts && c0 > e->exited_ts) {
			/* Gone. */
		} else if (e->exited_ts && e->exited_ts < c1) {
			g = th->g->exit;
			role = COLOR_STATE_EXITED;
		} else if (known) {
			unsigned int s, best = 0, nst = 0;

			for (s = 0; s < GT_NSTATES; s++) {
				if (!ns[s])
					continue;
				nst++;
				if (ns[s] > ns[best])
					best = s;
			}
			g = nst > 1 || mixed ? th->g->mixed : theme__state_glyph(th, best, false);
			role = theme__state_role(best, false);
			/* Running, but its thread mostly off the CPU (GEV_CPU). */
			if (nst == 1 && !mixed && best == XG_G_RUNNING && off * 2 > ns[best])
				g = th->g->offcpu;
		} else {
			g = th->g->unknown;
			role = COLOR_STATE_UNKNOWN;
		}
		a = th->attr[role];
		if (c == cursor) {
			if (hilite)
				a |= A_REVERSE;
			if (cur) {
				cur->known = known && g != th->g->unknown;
				memcpy(cur->ns, ns, sizeof(ns));
			}
		}
		run_add(&run, a, g);
	}
	run_flush(&run);
}
