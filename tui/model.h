/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the views draw from: the source, the goroutine list as sorted and
 * filtered rows, the selection, the time window of the timeline, the meters'
 * history, and which view is up. Pure: no ncurses, so the sorting, the
 * filtering and the time arithmetic are tested without a terminal.
 *
 * Row pointers stay valid until the next pump (the state table may then
 * drop exited entries): model__refresh rebuilds them after every pump, and
 * views never keep an entry pointer across frames, only (pid, goid).
 */
#ifndef XGOTOP_TUI_MODEL_H
#define XGOTOP_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "filter.h"
#include "gtable.h"
#include "ptrmap.h"
#include "source.h"
#include "track.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_HIST     600 /* meter samples kept: 10 min at the default 1 s */

enum tui_sort {
	TUI_SORT_CPU,
	TUI_SORT_AGE,
	TUI_SORT_STATE,
	TUI_SORT_GOID,
	TUI_SORT_ALLOCS,
	TUI_SORT_FUNC,
	TUI_SORT_N,
};

enum tui_view_id {
	TUI_V_LIST,
	TUI_V_GROUP,
	TUI_V_LIFETIME,
	TUI_V_ALLOC,
	TUI_V_GC,
	TUI_V_METERS,
	TUI_V_STACKS,
	TUI_V_DETAIL,
	TUI_V_HELP,
	TUI_V_N,
};

/*
 * A listed goroutine, 16 bytes (-n at 1M goroutines holds a million): smaller
 * first by K1, the sort column's key, then by the entry's pid and goid (both
 * reversed with the sort).
 */
struct tui_row {
	uint64_t k1;
	const struct gentry *e;
};

/* Time per state in the cell under the time cursor, for the status line. */
struct tui_cell {
	uint64_t ns[GT_NSTATES];
	bool known;
};

struct tui_frozen;
struct tui_theme;

struct tui_model {
	const struct xg_source *src;
	struct xg_target_info info;
	bool replay; /* the source has playback controls */
	struct xg_playback play;
	bool ended;	   /* the source said it ended: time stops at end_ts */
	uint64_t end_ts;   /* event clock when it ended */
	uint64_t now;	   /* event clock of what is shown */
	uint64_t start_ts; /* first refresh: "up" in the header */
	int64_t wall_off;  /* event clock + wall_off = ns since the epoch */
	struct gtable_counts counts;

	/* Meters: sample K (counted from 0) sits in hist[K % TUI_HIST] while K > total - TUI_HIST.
	 */
	struct xg_meters hist[TUI_HIST];
	uint64_t hist_total;	 /* samples taken */
	uint64_t first_meter_ts; /* ts of the first sample the source gave: no interval before it */
	uint64_t hist_shown;	 /* newest sample shown + 1: hist_total, or its value at pause */
	double created_rate, exited_rate;
	uint64_t rate_ts, rate_created, rate_exited;

	/* Pause: views read a copy of the table, tracing goes on behind it. */
	bool paused;
	struct tui_frozen *frz;

	/* The goroutine list. */
	struct tui_row *rows;
	size_t n_rows, cap_rows;
	size_t sorted_lo, sorted_hi; /* rows[lo, hi) hold those ranks, in order */
	bool rows_stale;
	bool rows_reverse; /* m->reverse when the rows were built: their order's */
	enum tui_sort sort;
	bool reverse;
	struct filter filter;
	bool show_exited; /* list exited goroutines (else they are counted: exited_hidden) */
	uint64_t fade_ns; /* the count is of those exited this recently */
	uint64_t exited_hidden;
	double interval; /* seconds between refreshes */
	/* What CPU% is measured over: the last refresh interval (model__close_interval). */
	struct xd_cpu_window cpu;
	uint32_t cpu_ps; /* Ps seen running goroutines (0: unknown), once not cpu_pending */
	/* NUM/DEN and CPU_PS not summed yet: by the next row build, or model__settle. */
	bool cpu_pending;
	struct ptrmap rank; /* function name -> alphabetical rank */

	/* Selection, by rank in the sorted list and by key. */
	size_t sel, top;
	bool have_sel;	 /* sel_pid, sel_goid name a goroutine */
	bool sel_chosen; /* the user moved to it: follow it when the order changes */
	uint32_t sel_pid;
	uint64_t sel_goid;
	int page; /* list rows on screen at the last draw */

	/* Timeline: cells of zoom_ladder[zoom] ns, ending at the live edge or view_end. */
	int zoom;
	bool follow;
	uint64_t view_end;
	int cur_back;		  /* time cursor: cells back from the last one */
	int strip_cells;	  /* cells at the last draw */
	struct tui_cell cur_cell; /* the selected goroutine under the cursor, at the last draw */
	bool cur_cell_valid;
	/* Longer histories of the goroutines on screen, and room to merge one for drawing. */
	struct tracker track;
	uint64_t track_now;
	struct gstate_span *span_buf;

	/* Views. */
	enum tui_view_id view, prev_view;
	size_t group_sel, group_top;
	size_t group_n;		/* groups at the last draw */
	const char *group_func; /* the selected group's function at the last draw */
	int help_top, detail_top, meters_top;
	bool alloc_selected; /* allocation view: the selected goroutine, not the process */
	size_t stacks_sel, stacks_top, stacks_n; /* stack groups view (view_stacks.c) */
	uint32_t stacks_id;			 /* the selected group's stack at the last draw */

	/* The filter prompt and one-line messages. */
	bool prompting;
	bool prompt_sample; /* the prompt edits -sample, applied on Enter, not the filter */
	char prompt[FILTER_MAX_LEN];
	size_t prompt_len;
	char prompt_saved[FILTER_MAX_LEN]; /* filter before the prompt: Esc restores it */
	char msg[256];
	bool msg_error;
	uint64_t msg_until; /* event clock; 0: until the next key */

	const struct tui_theme *theme;
	bool ascii;
};

extern const uint64_t tui_zoom_ladder[];
extern const int tui_zoom_n;
extern const char *const tui_sort_names[TUI_SORT_N];

/* Defaults: sort by CPU, 100 ms per cell, following the live edge. */
void model__init(struct tui_model *m, const struct xg_source *src, double interval);
void model__free(struct tui_model *m);

/*
 * After a pump: re-read now, counts and info, mark the rows for a rebuild.
 * Call before drawing whenever the source was pumped since the last call.
 */
void model__refresh(struct tui_model *m);
/* After a pump: keep the histories of the goroutines on screen. */
void model__track(struct tui_model *m);
/* E's history for drawing, oldest first: tracked spans and its ring. Count; *SPANS set. */
uint32_t model__spans(struct tui_model *m, const struct gentry *e,
		      const struct gstate_span **spans);
/*
 * Read the meters (once per refresh interval: the source averages over
 * calls) and close the CPU interval (model__close_interval).
 */
void model__sample_meters(struct tui_model *m);
/*
 * Close the CPU interval at the source's now: every goroutine's CPU% is
 * then its running time since the previous close. Nothing while paused (the
 * next interval then spans the pause) or when no time passed.
 */
void model__close_interval(struct tui_model *m);
/*
 * Finish what model__close_interval left to the next walk over the table
 * (the goroutine list's, when it is drawn): call before anything changes
 * the table (a pump, a replay control), so that the sum is of the table
 * as the interval closed it.
 */
void model__settle(struct tui_model *m);
/* The source ended: freeze time at its last instant. */
void model__set_ended(struct tui_model *m);

/* Pause on/off. 0, or -ENOMEM (then not paused). */
int model__set_paused(struct tui_model *m, bool paused);

/* The store the views read: live table or frozen copy (a whole walk also settles: model__settle).
 */
int model__for_each(struct tui_model *m, int (*fn)(const struct gentry *e, void *ctx), void *ctx);
const struct gentry *model__find(const struct tui_model *m, uint32_t pid, uint64_t goid);
/* Goroutines in the store (live + exited still kept). */
size_t model__size(const struct tui_model *m);

/* Rebuild the rows if stale; then rows[lo, hi) are ranks lo..hi-1 in order. */
int model__rows(struct tui_model *m);
void model__order(struct tui_model *m, size_t lo, size_t hi);
/* Keep the selection on screen for a page of PAGE rows: sets top, sorts that page. */
void model__scroll(struct tui_model *m, int page);
/* The selected entry, or NULL (empty list). */
const struct gentry *model__selected(struct tui_model *m);
/* Move the selection by DELTA rows (clamped); PAGE-aware helpers live in the keys. */
void model__move(struct tui_model *m, long delta);
void model__select_rank(struct tui_model *m, size_t rank);
/* CPU per mille of a goroutine over m->cpu, computed on demand. */
unsigned int model__cpu(struct tui_model *m, const struct gentry *e);
/* Change the sort; rows resort at the next model__rows. */
void model__set_sort(struct tui_model *m, enum tui_sort s, bool reverse);
/* Apply filter text S: 0, or -EINVAL with ERR set (the old filter stays). */
int model__set_filter(struct tui_model *m, const char *s, char *err, size_t err_len);

/* Timeline window for CELLS cells: the first cell starts at *T0, each lasts *SCALE. */
void model__window(const struct tui_model *m, int cells, uint64_t *t0, uint64_t *scale);
/*
 * What offsets on the time axis count from: the live edge (the end of the
 * last cell, "now") while following, the present otherwise.
 */
uint64_t model__axis_ref(const struct tui_model *m);
/* Start of the cell under the time cursor. */
uint64_t model__cursor_ts(const struct tui_model *m, int cells);
/* Zoom by STEPS ladder steps around the cursor; false at the end of the ladder. */
bool model__zoom(struct tui_model *m, int steps);
/* Pan by CELLS (negative: back in time). */
void model__pan(struct tui_model *m, long cells);
void model__cursor(struct tui_model *m, int delta);
void model__follow(struct tui_model *m);

/* The I-th most recent meter sample (0 = newest) of the visible history, or NULL. */
const struct xg_meters *model__meter_sample(const struct tui_model *m, size_t i);
/*
 * -sample as the newest meters say: its spec (NULL when nothing is sampled
 * or it is unknown) and the goroutine rate that counts of goroutines are
 * divided by to estimate the whole (1 when not sampled).
 */
const char *model__sample(const struct tui_model *m);
/* The capture level and why (--overhead-budget): live meters, else the last capture event; "". */
const char *model__capture(const struct tui_model *m);
double model__goroutine_rate(const struct tui_model *m);
/* N goroutines counted, as an estimate of all of them. */
uint64_t model__est(const struct tui_model *m, uint64_t n);
size_t model__meter_count(const struct tui_model *m);

/* One-line message in the status line, until the next key. */
void model__message(struct tui_model *m, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The source's state table: what the allocation and GC views read (tui/data.h). */
static inline const struct gtable *model__table(const struct tui_model *m)
{
	return m->src->ops->table(m->src->ctx);
}

/* The source's goroutine stacks (src/core/stackset.h), NULL when it has none. */
static inline const struct stackset *model__stacks(const struct tui_model *m)
{
	return m->src->ops->stacks ? m->src->ops->stacks(m->src->ctx) : NULL;
}

/* Wall-clock ns of an event-clock timestamp. */
static inline int64_t model__wall(const struct tui_model *m, uint64_t ts)
{
	return (int64_t)ts + m->wall_off;
}

#endif /* XGOTOP_TUI_MODEL_H */
