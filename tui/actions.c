// SPDX-License-Identifier: BSD-2-Clause
/*
 * Keys to actions: the filter prompt takes keys first while it is open,
 * then the key table maps the key to an action, which the current view may
 * handle before the global handler does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "data.h"
#include "keys.h"
#include "views.h"

static int sort_step(struct tui_model *m, int dir)
{
	int s = (int)m->sort;

	do
		s = (s + dir + TUI_SORT_N) % TUI_SORT_N;
	while (s == TUI_SORT_ALLOCS && !xd_allocs_known(model__table(m)));
	model__set_sort(m, (enum tui_sort)s, m->reverse);
	model__message(m, false, "sort by %s", tui_sort_names[s]);
	return RD_FRAME;
}

static int replay_ctl(struct tui_model *m, enum xg_ctl op)
{
	int err;

	if (!m->replay)
		return RD_NONE;
	model__settle(m);
	err = m->src->ops->control(m->src->ctx, op, 0);
	if (err)
		model__message(m, true, "replay: %s", strerror(-err));
	return RD_FRAME;
}

static int save(struct tui_model *m)
{
	char path[4096];
	int err;

	if (!m->src->ops->save_recent) {
		model__message(m, true,
			       "S: not available (saving the recent history needs the flight "
			       "recorder, not in this build)");
		return RD_FRAME;
	}
	err = m->src->ops->save_recent(m->src->ctx, path, sizeof(path));
	if (err)
		model__message(m, true, "cannot save the recent history: %s", strerror(-err));
	else
		model__message(m, false, "recent history saved to %s", path);
	return RD_FRAME;
}

static int pause_toggle(struct tui_model *m)
{
	if (m->replay)
		return replay_ctl(m, XG_CTL_PLAY_PAUSE);
	if (model__set_paused(m, !m->paused)) {
		model__message(m, true, "cannot pause: out of memory for the frozen copy");
		return RD_FRAME;
	}
	model__message(m, false,
		       m->paused ? "paused: the view is frozen, tracing goes on" : "resumed");
	return RD_FRAME;
}

static int sample_prompt(struct tui_model *m)
{
	if (!m->src->ops->set_sample) {
		model__message(m, true, "sampling: %s",
			       m->replay ? "a recording is what was kept"
					 : "--poll has no probes to sample");
		return RD_FRAME;
	}
	m->prompting = true;
	m->prompt_sample = true;
	snprintf(m->prompt, sizeof(m->prompt), "%s", model__sample(m) ? model__sample(m) : "all");
	m->prompt_len = strlen(m->prompt);
	return RD_FRAME;
}

static int filter_prompt(struct tui_model *m)
{
	m->prompting = true;
	m->prompt_sample = false;
	snprintf(m->prompt, sizeof(m->prompt), "%s", m->filter.src);
	snprintf(m->prompt_saved, sizeof(m->prompt_saved), "%s", m->filter.src);
	m->prompt_len = strlen(m->prompt);
	return RD_FRAME;
}

static int help(struct tui_model *m)
{
	if (m->view != TUI_V_HELP)
		m->prev_view = m->view;
	m->view = TUI_V_HELP;
	m->help_top = 0;
	return RD_FRAME;
}

static int back(struct tui_model *m)
{
	m->view = m->view == TUI_V_HELP ? m->prev_view : TUI_V_LIST;
	if (m->view == TUI_V_HELP)
		m->view = TUI_V_LIST;
	return RD_FRAME;
}

static int detail(struct tui_model *m)
{
	if (!model__selected(m))
		return RD_NONE;
	m->view = TUI_V_DETAIL;
	m->detail_top = 0;
	return RD_FRAME;
}

/* The selection in the list. */
static int move_selection(struct tui_model *m, enum tui_action a)
{
	long page = m->page > 1 ? m->page - 1 : 1;

	switch (a) {
	case A_UP:
		model__move(m, -1);
		break;
	case A_DOWN:
		model__move(m, 1);
		break;
	case A_PGUP:
		model__move(m, -page);
		break;
	case A_PGDN:
		model__move(m, page);
		break;
	case A_HOME:
		model__select_rank(m, 0);
		break;
	default: /* A_END */
		model__rows(m);
		model__select_rank(m, m->n_rows ? m->n_rows - 1 : 0);
		break;
	}
	return RD_FRAME;
}

static int exited_toggle(struct tui_model *m)
{
	m->show_exited = !m->show_exited;
	m->rows_stale = true;
	model__message(m, false,
		       m->show_exited ? "exited goroutines listed (as long as the table keeps them)"
				      : "live goroutines only (exited ones counted below them)");
	return RD_FRAME;
}

static int zoom(struct tui_model *m, bool in)
{
	if (!model__zoom(m, in ? -1 : 1))
		model__message(m, false, "zoom: %s",
			       in ? "1us per cell is the finest" : "1min per cell is the coarsest");
	return RD_FRAME;
}

/* A quarter of the timeline's width. */
static int pan(struct tui_model *m, bool back_in_time)
{
	long cells = (m->strip_cells > 4 ? m->strip_cells : 16) / 4;

	model__pan(m, back_in_time ? -cells : cells);
	return RD_FRAME;
}

static int replay_action(struct tui_model *m, enum tui_action a)
{
	static const enum xg_ctl op[A__N] = {
		[A_PLAY_FASTER] = XG_CTL_FASTER,    [A_PLAY_SLOWER] = XG_CTL_SLOWER,
		[A_STEP_FWD] = XG_CTL_STEP_FWD,	    [A_STEP_BACK] = XG_CTL_STEP_BACK,
		[A_SEEK_START] = XG_CTL_SEEK_START, [A_SEEK_END] = XG_CTL_SEEK_END,
	};

	return replay_ctl(m, op[a]);
}

/* What key D does when the view left it to everyone. */
static int global(struct tui_model *m, const struct tui_keydef *d)
{
	enum tui_action a = d->act;

	switch (a) {
	case A_NONE:
	case A__N:
		return RD_NONE;
	case A_QUIT:
		return RD_QUIT;
	case A_HELP:
		return help(m);
	case A_BACK:
		return back(m);
	case A_REDRAW:
		return RD_FRAME | RD_CLEAR;
	case A_PAUSE:
		return pause_toggle(m);
	case A_SAVE:
		return save(m);
	case A_SAMPLE:
		return sample_prompt(m);
	case A_UP:
	case A_DOWN:
	case A_PGUP:
	case A_PGDN:
	case A_HOME:
	case A_END:
		return move_selection(m, a);
	case A_DETAIL:
		return detail(m);
	case A_VIEW:
		return views__show(m, d);
	case A_NEXT_VIEW:
		return views__next(m);
	case A_FILTER:
		return filter_prompt(m);
	case A_SORT_NEXT:
	case A_SORT_PREV:
		return sort_step(m, a == A_SORT_NEXT ? 1 : -1);
	case A_SORT_REVERSE:
		model__set_sort(m, m->sort, !m->reverse);
		return RD_FRAME;
	case A_EXITED:
		return exited_toggle(m);
	case A_ZOOM_IN:
	case A_ZOOM_OUT:
		return zoom(m, a == A_ZOOM_IN);
	case A_PAN_LEFT:
	case A_PAN_RIGHT:
		return pan(m, a == A_PAN_LEFT);
	case A_CURSOR_LEFT:
	case A_CURSOR_RIGHT:
		model__cursor(m, a == A_CURSOR_LEFT ? -1 : 1);
		return RD_FRAME;
	case A_LIVE:
		model__follow(m);
		return RD_FRAME;
	case A_PLAY_FASTER:
	case A_PLAY_SLOWER:
	case A_STEP_FWD:
	case A_STEP_BACK:
	case A_SEEK_START:
	case A_SEEK_END:
		return replay_action(m, a);
	}
	return RD_NONE;
}

/* Apply the prompt as typed, when it parses: the list narrows while typing. */
static void prompt_apply(struct tui_model *m)
{
	char err[256];

	if (m->prompt_sample)
		return; /* on Enter only: each change reaches the target's probes */
	if (model__set_filter(m, m->prompt, err, sizeof(err)))
		model__message(m, true, "%s", err);
	else
		m->msg[0] = '\0';
}

/* -sample as typed, to the tracer; a bad spec keeps the prompt open with the error. */
static int sample_enter(struct tui_model *m)
{
	char err[256];
	int rc = m->src->ops->set_sample(m->src->ctx, m->prompt[0] ? m->prompt : "all", err,
					 sizeof(err));

	if (rc) {
		model__message(m, true, "%s", rc == -EINVAL ? err : strerror(-rc));
		return RD_FRAME;
	}
	m->prompting = false;
	m->prompt_sample = false;
	model__message(m, false, "sampling %s: counts follow from the next refresh",
		       m->prompt[0] ? m->prompt : "all");
	return RD_FRAME;
}

static int prompt_key(struct tui_model *m, int ch)
{
	char err[256];

	switch (ch) {
	case 27: /* Esc: the filter from before the prompt */
		m->prompting = false;
		if (!m->prompt_sample)
			model__set_filter(m, m->prompt_saved, err, sizeof(err));
		m->msg[0] = '\0';
		return RD_FRAME;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (m->prompt_sample)
			return sample_enter(m);
		/* Not valid: the prompt stays, with the error, to be fixed or left with Esc. */
		if (model__set_filter(m, m->prompt, err, sizeof(err))) {
			model__message(m, true, "%s", err);
			return RD_FRAME;
		}
		m->prompting = false;
		m->msg[0] = '\0';
		/* A new filter: start from the top, following nothing yet. */
		model__select_rank(m, 0);
		m->sel_chosen = false;
		return RD_FRAME;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* Back over one UTF-8 character. */
		while (m->prompt_len && ((unsigned char)m->prompt[--m->prompt_len] & 0xc0) == 0x80)
			;
		m->prompt[m->prompt_len] = '\0';
		prompt_apply(m);
		return RD_FRAME;
	case 'u' & 0x1f:
		m->prompt_len = 0;
		m->prompt[0] = '\0';
		prompt_apply(m);
		return RD_FRAME;
	default:
		if (ch < 32 || ch > 255 || m->prompt_len + 1 >= sizeof(m->prompt))
			return RD_NONE;
		m->prompt[m->prompt_len++] = (char)ch;
		m->prompt[m->prompt_len] = '\0';
		prompt_apply(m);
		return RD_FRAME;
	}
}

int tui__key(struct tui_model *m, int ch)
{
	const struct tui_keydef *d;
	int rd;

	if (m->prompting)
		return prompt_key(m, ch);
	if (ch == KEY_RESIZE)
		return RD_FRAME;
	m->msg[0] = '\0';
	d = keys__lookup(ch, m->replay);
	if (!d)
		return RD_FRAME; /* the message went away */
	rd = views__get(m->view)->key(m, d->act);
	if (!(rd & RD_UNHANDLED))
		return rd;
	return global(m, d);
}
