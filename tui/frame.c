// SPDX-License-Identifier: BSD-2-Clause
/*
 * The frame around the views: header (target, mode, clock, counts), the
 * meters with their sparklines, the status line and the key bar; or the
 * "terminal too small" screen.
 */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "fmt.h"
#include "keys.h"
#include "meter.h"
#include "text.h"
#include "views.h"
#include "xgotop_event.h"

#define METER_W	    18 /* "RPS   1.23k ▁▂▃▄▅▆" */
#define METER_LABEL 4
#define METER_VALUE 6

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Meters per row and the gap between them at WIDTH. */
static void meter_layout(int width, int *per_row, int *gap, int *cell)
{
	int n = (int)tui_meters_n;

	*gap = 1;
	if (n * METER_W + (n - 1) <= width) {
		*per_row = n;
	} else {
		*gap = 2;
		*per_row = (width + *gap) / (METER_W + *gap);
		if (*per_row < 1)
			*per_row = 1;
	}
	*cell = (width - (*per_row - 1) * *gap) / *per_row;
}

static bool child_on_line0(const struct tui_model *m, int width)
{
	return (int)strlen(m->info.child_output) + 80 <= width;
}

int frame__top_rows(const struct tui_model *m, int width)
{
	int per_row, gap, cell, rows = 2;

	meter_layout(width, &per_row, &gap, &cell);
	rows += ((int)tui_meters_n + per_row - 1) / per_row;
	if (m->info.child_output[0] && !child_on_line0(m, width))
		rows++;
	return rows;
}

static void mode_tags(WINDOW *w, int y, int *x, const struct tui_model *m)
{
	char buf[32];

	if (m->replay) {
		snprintf(buf, sizeof(buf), " REPLAY %gx%s ", m->play.speed,
			 m->play.paused ? " paused" : "");
		*x += d_str(w, y, *x, 32, ROLE(m, COLOR_MODE_REPLAY), buf) + 1;
	} else if (m->info.mode[0]) {
		snprintf(buf, sizeof(buf), " %s ", m->info.mode);
		*x += d_str(w, y, *x, 16, ROLE(m, COLOR_MODE_LIVE), buf) + 1;
	}
	if (!m->replay && m->info.recording)
		*x += d_str(w, y, *x, 16, ROLE(m, COLOR_MODE_EXITED), " REC ") + 1;
	if (m->paused)
		*x += d_str(w, y, *x, 16, ROLE(m, COLOR_MODE_PAUSED), " PAUSED ") + 1;
	if (m->ended)
		*x += d_str(w, y, *x, 16, ROLE(m, COLOR_MODE_EXITED),
			    m->replay ? " END " : " EXITED ") +
		      1;
}

/*
 * "CAPTURE states": the fidelity of what is shown (--overhead-budget), from
 * the live meters or, replayed, the last capture event. Marked when below
 * full state capture or over budget. Columns drawn.
 */
static int capture_tag(WINDOW *w, int x, const struct tui_model *m, int room)
{
	const char *text = model__capture(m);
	bool full = (!strncmp(text, "states", 6) || !strncmp(text, "all", 3)) &&
		    !strstr(text, "over budget");
	char buf[256];

	if (!text[0] || room < 12)
		return 0;
	snprintf(buf, sizeof(buf), "  CAPTURE %s", text);
	return d_str(w, 0, x, room, ROLE(m, full ? COLOR_DIM : COLOR_METER_WARN), buf);
}

/* "CPU 0.2 THR 28x 1.67s": the target's cgroup CPU limit and throttling, when limited. */
static int cgroup_tag(WINDOW *w, int x, const struct tui_model *m, int room)
{
	char buf[160], text[128];
	bool throttled;

	if (!text_cgroup(m, false, text, sizeof(text), &throttled) || room < 12)
		return 0;
	snprintf(buf, sizeof(buf), "  %s", text);
	return d_str(w, 0, x, room, ROLE(m, throttled ? COLOR_METER_WARN : COLOR_DIM), buf);
}

static void header_line0(WINDOW *w, const struct tui_model *m, int width)
{
	char target[4400], clock[64], up[16], right[96];
	int x = 0, rw;

	if (m->info.pid)
		snprintf(target, sizeof(target), "pid %u %s", m->info.pid, base_name(m->info.path));
	else
		snprintf(target, sizeof(target), "%s (all processes)", base_name(m->info.path));
	if (m->info.go_version[0])
		snprintf(target + strlen(target), sizeof(target) - strlen(target), " %s %s",
			 m->info.go_version, m->info.arch);

	if (m->replay) {
		char pos[16], len[16];

		fmt_dur(pos, sizeof(pos),
			m->play.pos > m->play.start ? m->play.pos - m->play.start : 0);
		fmt_dur(len, sizeof(len),
			m->play.end > m->play.start ? m->play.end - m->play.start : 0);
		snprintf(right, sizeof(right), "%s / %s", pos, len);
	} else {
		fmt_clock(clock, sizeof(clock), model__wall(m, m->now), 0);
		fmt_dur(up, sizeof(up), m->now > m->start_ts ? m->now - m->start_ts : 0);
		snprintf(right, sizeof(right), "up %s  %s", up, clock);
	}
	rw = (int)strlen(right);

	x += d_str(w, 0, x, width, ROLE(m, COLOR_HEADER_TITLE), "xgotop-tui") + 1;
	mode_tags(w, 0, &x, m);
	x += d_str(w, 0, x, width - x - rw - 1, ROLE(m, COLOR_BOLD), target);
	/* Where a launched command's output goes first; the capture level in what is left. */
	if (m->info.child_output[0] && child_on_line0(m, width))
		x += 2 + d_printf(w, 0, x + 2, width - x - rw - 4, ROLE(m, COLOR_DIM), "output: %s",
				  m->info.child_output);
	x += capture_tag(w, x, m, width - x - rw - 1);
	cgroup_tag(w, x, m, width - x - rw - 1);
	d_rstr(w, 0, width - rw, rw, ROLE(m, COLOR_DEFAULT), right);
}

static void header_counts(WINDOW *w, int y, const struct tui_model *m, int width)
{
	static const unsigned int shown[] = {XG_G_RUNNING, XG_G_RUNNABLE, XG_G_SYSCALL,
					     XG_G_WAITING};
	const struct gtable_counts *c = &m->counts;
	bool wide = width >= 120;
	/* Sampled whole goroutines: every count is scaled up, and marked "~". */
	double rate = model__goroutine_rate(m);
	const char *est = rate < 1 ? "~" : "";
	uint64_t other = model__est(m, c->live);
	char buf[64], r1[16], r2[16], gc[96];
	int x = 0;
	size_t i;
	bool known;

	x += d_printf(w, y, x, width, ROLE(m, COLOR_BOLD), "%s%llu", est,
		      (unsigned long long)model__est(m, c->live));
	x += d_str(w, y, x, width, ROLE(m, COLOR_DEFAULT), " goroutines:");
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		unsigned int s = shown[i];

		uint64_t n = model__est(m, c->by_state[s]);

		other -= n <= other ? n : other;
		x++;
		d_glyph(w, y, x++, ROLE(m, theme__state_role(s, false)),
			theme__state_glyph(m->theme, s, false));
		snprintf(buf, sizeof(buf), "%s%llu", est, (unsigned long long)n);
		x += d_str(w, y, x, width - x, ROLE(m, COLOR_BOLD), buf);
		x += d_printf(w, y, x, width - x, ROLE(m, COLOR_DEFAULT), " %s",
			      theme__state_name(s, false, !wide));
	}
	if (other)
		x += d_printf(w, y, x, width - x, ROLE(m, COLOR_DEFAULT), "  %llu other",
			      (unsigned long long)other);
	fmt_rate(r1, sizeof(r1), m->created_rate / rate);
	fmt_rate(r2, sizeof(r2), m->exited_rate / rate);
	x += d_printf(w, y, x, width - x, ROLE(m, COLOR_DIM), "  +%s/s -%s/s", r1, r2);
	if (c->evicted) {
		struct gtable_opts o;

		gtable__opts(model__table(m), &o);
		fmt_count(r1, sizeof(r1), (double)c->evicted);
		fmt_count(r2, sizeof(r2), (double)o.max_exited);
		x += d_printf(w, y, x, width - x, ROLE(m, COLOR_METER_WARN),
			      "  %s exited not kept: cap %s", r1, r2);
	}
	if (rate < 1)
		x += d_printf(w, y, x, width - x, ROLE(m, COLOR_METER_WARN),
			      "  ~est: %.3g%% traced", rate * 100);
	else if (model__sample(m))
		x += d_printf(w, y, x, width - x, ROLE(m, COLOR_METER_WARN), "  sampled: %s",
			      model__sample(m));
	/* The longest form that fits after the counts. */
	for (i = 0; i < 4; i++) {
		known = text_gc(m, (int)i, gc, sizeof(gc));
		if (x + 2 + (int)strlen(gc) <= width)
			break;
	}
	if (i < 4)
		d_rstr(w, y, width - (int)strlen(gc), (int)strlen(gc),
		       ROLE(m, known ? COLOR_GC : COLOR_METER_NA), gc);
}

static void meter_cell(WINDOW *w, int y, int x, int cell, const struct tui_model *m,
		       const struct tui_meter *mt)
{
	enum tui_health h = meter__health(mt, m);
	int spark_w = cell - METER_LABEL - METER_VALUE - 2, i, n = 0;
	double vals[256], max = 0;
	char v[32];
	enum tui_role role = h == TUI_BAD    ? COLOR_METER_BAD
			     : h == TUI_WARN ? COLOR_METER_WARN
			     : h == TUI_NA   ? COLOR_METER_NA
					     : COLOR_METER_OK;

	d_str(w, y, x, METER_LABEL, ROLE(m, COLOR_METER_LABEL), mt->name);
	meter__text(mt, m, v, sizeof(v), true);
	d_rstr(w, y, x + METER_LABEL + 1, METER_VALUE, ROLE(m, role), v);
	if (spark_w > (int)(sizeof(vals) / sizeof(vals[0])))
		spark_w = sizeof(vals) / sizeof(vals[0]);
	/* Oldest first. */
	for (i = spark_w - 1; i >= 0; i--) {
		const struct xg_meters *s = model__meter_sample(m, (size_t)i);

		if (!s)
			continue;
		vals[n] = mt->value(s);
		if (vals[n] > max)
			max = vals[n];
		n++;
	}
	if (h == TUI_NA)
		return;
	d_spark(w, y, x + METER_LABEL + METER_VALUE + 2, spark_w, vals, n, max,
		ROLE(m, h == TUI_BAD ? COLOR_METER_BAD : COLOR_SPARK), m->theme->g);
}

static int draw_meters(WINDOW *w, int y, const struct tui_model *m, int width)
{
	int per_row, gap, cell, id, rows = 0, n = (int)tui_meters_n;

	meter_layout(width, &per_row, &gap, &cell);
	for (id = 0; id < n; id++) {
		int col = id % per_row;

		if (!col)
			rows++;
		meter_cell(w, y + rows - 1, col * (cell + gap), cell, m, &tui_meters[id]);
	}
	/* The last row's free cells: where to learn what the meters mean. */
	if (n % per_row)
		d_rstr(w, y + rows - 1, 0, width, ROLE(m, COLOR_DIM), "? explains the meters");
	return rows;
}

static int bar_item(WINDOW *w, int y, int x, const struct tui_model *m, const struct tui_keydef *d,
		    bool draw)
{
	char name[16];
	int n;

	keys__name(d->keys[0], name, sizeof(name));
	if (!strcmp(name, "Space"))
		snprintf(name, sizeof(name), "Spc");
	n = (int)(strlen(name) + strlen(d->bar)) + 1;
	if (draw) {
		x += d_str(w, y, x, n, ROLE(m, COLOR_KEY), name);
		x += d_str(w, y, x, n, ROLE(m, COLOR_KEY_LABEL), d->bar);
	}
	return n;
}

/* The keys to remember, htop-style, by bar_pos; Quit last and always there. */
static void key_bar(WINDOW *w, int y, const struct tui_model *m, int width)
{
	const struct tui_keydef *quit = keys__lookup('q', false), *d;
	int x = 0, pos, room = width - (quit ? bar_item(w, y, 0, m, quit, false) : 0);
	struct keys_iter it;

	d_fill(w, y, 0, width, ROLE(m, COLOR_KEY_LABEL));
	for (pos = 1; pos < 99; pos++) {
		it = (struct keys_iter){0};
		while ((d = keys__next(&it))) {
			if (d->bar_pos != pos || !d->bar || (d->replay && !m->replay))
				continue;
			if (x + bar_item(w, y, x, m, d, false) > room)
				goto done;
			x += bar_item(w, y, x, m, d, true);
		}
	}
done:
	if (quit)
		bar_item(w, y, x, m, quit, true);
}

static void status_line(WINDOW *w, int y, struct tui_model *m, int width)
{
	const struct tui_view *v = views__get(m->view);

	if (m->prompting) {
		int x = d_str(w, y, 0, width, ROLE(m, COLOR_PROMPT),
			      m->prompt_sample ? "Sample (event:rate,...; all): " : "Filter: ");
		const char *p = m->prompt;
		int cut;

		/* Keep the end of a long filter (where the typing is) visible. */
		p = fmt_tail(p, (size_t)(width - x - 1 > 0 ? width - x - 1 : 0), &cut);
		x += d_str(w, y, x, width - x, ROLE(m, COLOR_DEFAULT), p);
		x += d_str(w, y, x, 1, ROLE(m, COLOR_CURSOR), " ");
		if (m->msg[0])
			d_str(w, y, x + 2, width - x - 2, ROLE(m, COLOR_ERROR), m->msg);
		return;
	}
	if (m->msg[0]) {
		d_str(w, y, 0, width, ROLE(m, m->msg_error ? COLOR_ERROR : COLOR_BOLD), m->msg);
		return;
	}
	if (v->status)
		v->status(w, y, m);
}

static void too_small(WINDOW *w, const struct tui_model *m, int rows, int cols)
{
	char need[64];
	int y = rows / 2 - 1;

	snprintf(need, sizeof(need), "need %dx%d, have %dx%d", TUI_MIN_COLS, TUI_MIN_ROWS, cols,
		 rows);
	if (y < 0)
		y = 0;
	d_str(w, y, (cols - 18) / 2 > 0 ? (cols - 18) / 2 : 0, cols, ROLE(m, COLOR_ERROR),
	      "terminal too small");
	d_str(w, y + 1, (cols - (int)strlen(need)) / 2 > 0 ? (cols - (int)strlen(need)) / 2 : 0,
	      cols, ROLE(m, COLOR_DEFAULT), need);
	d_str(w, y + 2, (cols - 7) / 2 > 0 ? (cols - 7) / 2 : 0, cols, ROLE(m, COLOR_DIM),
	      "q quits");
}

void frame__draw(WINDOW *w, struct tui_model *m)
{
	int rows = getmaxy(w), cols = getmaxx(w), y, top, body_h;
	WINDOW *body;

	werase(w);
	if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
		too_small(w, m, rows, cols);
		return;
	}
	header_line0(w, m, cols);
	y = 1;
	if (m->info.child_output[0] && !child_on_line0(m, cols))
		d_printf(w, y++, 0, cols, ROLE(m, COLOR_DIM), "%s's output goes to %s",
			 base_name(m->info.path), m->info.child_output);
	header_counts(w, y++, m, cols);
	y += draw_meters(w, y, m, cols);
	top = frame__top_rows(m, cols);
	body_h = rows - top - 2;
	body = derwin(w, body_h, cols, top, 0);
	if (body) {
		views__get(m->view)->draw(body, m);
		delwin(body);
	}
	status_line(w, rows - 2, m, cols);
	key_bar(w, rows - 1, m, cols);
	tracker__frame(&m->track);
}
