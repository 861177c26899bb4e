// SPDX-License-Identifier: BSD-2-Clause
/*
 * How long goroutines live: exited ones (exact when their creation was
 * seen) and the ages of live ones so far, on a 1-3-10 scale from 1us up.
 * The filter applies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "fmt.h"
#include "hist.h"
#include "text.h"
#include "views.h"

#define US 1000ull
#define MS (1000ull * US)
#define S  (1000ull * MS)

static const uint64_t edges[] = {
	1 * US,	  3 * US,   10 * US, 30 * US, 100 * US, 300 * US, 1 * MS, 3 * MS,  10 * MS, 30 * MS,
	100 * MS, 300 * MS, 1 * S,   3 * S,   10 * S,	30 * S,	  60 * S, 180 * S, 600 * S,
};
#define N_EDGES	  (sizeof(edges) / sizeof(edges[0]))
#define N_BUCKETS (N_EDGES + 1)

struct life {
	struct tui_model *m;
	uint64_t exited[N_BUCKETS], alive[N_BUCKETS];
	uint64_t n_exited, n_alive, unseen_birth, alive_unseen;
	uint64_t oldest_exit;
	uint64_t *lives; /* exact lifetimes, for the percentiles */
	size_t n_lives, cap;
};

static size_t bucket(uint64_t ns)
{
	size_t i;

	for (i = 0; i < N_EDGES && ns >= edges[i]; i++)
		;
	return i;
}

static int add(const struct gentry *e, void *ctx)
{
	struct life *l = ctx;
	uint64_t birth;

	if (l->m->filter.n && !filter__match(&l->m->filter, e))
		return 0;
	if (e->exited_ts) {
		if (!e->created_ts) {
			l->unseen_birth++;
			return 0;
		}
		l->exited[bucket(e->exited_ts - e->created_ts)]++;
		l->n_exited++;
		if (!l->oldest_exit || e->exited_ts < l->oldest_exit)
			l->oldest_exit = e->exited_ts;
		if (l->n_lives == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 1024;
			uint64_t *v = realloc(l->lives, cap * sizeof(*v));

			if (!v)
				return 0; /* percentiles from fewer lifetimes */
			l->lives = v;
			l->cap = cap;
		}
		l->lives[l->n_lives++] = e->exited_ts - e->created_ts;
		return 0;
	}
	birth = text_birth(l->m, e);
	l->alive[bucket(l->m->now > birth ? l->m->now - birth : 0)]++;
	l->n_alive++;
	l->alive_unseen += !e->created_ts;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void label(char *buf, size_t len, size_t b)
{
	char lo[16], hi[16];

	if (b == 0)
		snprintf(buf, len, "< %s", fmt_scale(hi, sizeof(hi), edges[0]));
	else if (b == N_EDGES)
		snprintf(buf, len, ">= %s", fmt_scale(lo, sizeof(lo), edges[N_EDGES - 1]));
	else
		snprintf(buf, len, "%s-%s", fmt_scale(lo, sizeof(lo), edges[b - 1]),
			 fmt_scale(hi, sizeof(hi), edges[b]));
}

static void life_draw(WINDOW *w, struct tui_model *m)
{
	struct life l = {.m = m};
	struct hist_row rows[N_BUCKETS];
	int width = getmaxx(w), h = getmaxy(w), y = 0, n = 0;
	size_t first = N_BUCKETS, last = 0, b;
	char p50[16], p90[16], p99[16], mx[16], since[24];

	model__for_each(m, add, &l);
	d_printf(w, y++, 0, width, ROLE(m, COLOR_TITLE), "Goroutine lifetimes%s%s",
		 m->filter.n ? " - filter: " : "", m->filter.src);
	/* Shapes and percentiles hold for all goroutines; counts are of the traced ones. */
	if (model__goroutine_rate(m) < 1)
		d_printf(w, y++, 0, width, ROLE(m, COLOR_METER_WARN),
			 "sampled: %.3g%% of goroutines traced; counts below are theirs "
			 "(x%.3g for all)",
			 model__goroutine_rate(m) * 100, 1 / model__goroutine_rate(m));
	if (l.n_lives) {
		qsort(l.lives, l.n_lives, sizeof(*l.lives), cmp_u64);
		fmt_dur(p50, sizeof(p50), l.lives[l.n_lives / 2]);
		fmt_dur(p90, sizeof(p90), l.lives[l.n_lives * 9 / 10]);
		fmt_dur(p99, sizeof(p99), l.lives[l.n_lives * 99 / 100]);
		fmt_dur(mx, sizeof(mx), l.lives[l.n_lives - 1]);
		fmt_offset(since, sizeof(since), (int64_t)l.oldest_exit - (int64_t)m->now);
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
			 "exited %llu, still in the table (the first at %s)",
			 (unsigned long long)l.n_exited, since);
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
			 "  lifetimes: p50 %s  p90 %s  p99 %s  max %s", p50, p90, p99, mx);
	} else {
		d_str(w, y++, 0, width, ROLE(m, COLOR_DIM), "no exited goroutine in the table");
	}
	if (l.alive_unseen)
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT),
			 "alive %llu: ages so far (%llu created before tracing: at least that old)",
			 (unsigned long long)l.n_alive, (unsigned long long)l.alive_unseen);
	else
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DEFAULT), "alive %llu: ages so far",
			 (unsigned long long)l.n_alive);
	if (l.unseen_birth)
		d_printf(w, y++, 0, width, ROLE(m, COLOR_DIM),
			 "%llu exited goroutine%s created before tracing started: not counted",
			 (unsigned long long)l.unseen_birth,
			 l.unseen_birth == 1 ? " was" : "s were");
	for (b = 0; b < N_BUCKETS; b++) {
		if (!l.exited[b] && !l.alive[b])
			continue;
		if (first == N_BUCKETS)
			first = b;
		last = b;
	}
	if (first == N_BUCKETS) {
		free(l.lives);
		return;
	}
	/* Empty buckets inside the range stay: the gaps are part of the shape. */
	for (b = first; b <= last; b++, n++) {
		label(rows[n].label, sizeof(rows[n].label), b);
		rows[n].a = l.exited[b];
		rows[n].b = l.alive[b];
	}
	y++;
	hist__draw(w, y, h - y, m, rows, n, "LIFETIME", "EXITED", "ALIVE");
	free(l.lives);
}

static void life_status(WINDOW *w, int y, struct tui_model *m)
{
	const struct tui_glyphs *g = m->theme->g;
	int x = 0, width = getmaxx(w);

	d_glyph(w, y, x, ROLE(m, COLOR_BAR), g->bar_full);
	x += 1 + d_str(w, y, x + 1, width, ROLE(m, COLOR_DIM), " exited (lifetime)   ");
	d_glyph(w, y, x, ROLE(m, COLOR_STATE_RUNNABLE), g->bar_alt);
	d_str(w, y, x + 1, width - x - 1, ROLE(m, COLOR_DIM),
	      " alive (age so far)   / filters   Esc: back");
}

static int life_key(struct tui_model *m, enum tui_action a)
{
	(void)m;
	(void)a;
	return RD_UNHANDLED;
}

const struct tui_view view_lifetime = {
	.name = "lifetime",
	.draw = life_draw,
	.key = life_key,
	.status = life_status,
};
