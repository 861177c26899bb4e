// SPDX-License-Identifier: BSD-2-Clause
/*
 * Keyframe restore: a goroutine of a keyframe back into a state table, as
 * synthetic events that leave it as the recorder's table had it.
 */
#include "replay.h"

#include <string.h>

#include "xgotop_event.h"

static int restore_event(struct gtable *gt, const struct rec_kf_entry *e, enum gev_kind kind,
			 uint64_t ts, uint8_t from, uint8_t to, bool with_reason)
{
	struct gev ev = {.kind = kind,
			 .ts = ts,
			 .pid = e->pid,
			 .goid = e->goid,
			 .from = from,
			 .to = to,
			 .reason = GEV_NO_REASON};

	if (with_reason) {
		ev.reason = e->reason;
		ev.reason_str = e->reason_str;
	}
	if (kind == GEV_CREATE) {
		ev.parent = e->parent;
		ev.func = e->func;
		ev.created_by = e->created_by;
		ev.file = e->file;
		ev.line = e->line;
	}
	return gtable__apply(gt, &ev);
}

/*
 * The table keeps, per goroutine, totals per state and the last spans. To
 * come out the same, the synthetic history is: a lump at the start that
 * spends in each state the time the kept spans do not account for (it is
 * pushed out of the span ring by what follows, as the real history was),
 * then the kept spans themselves, then the exit.
 */
int replay__restore(struct gtable *gt, const struct rec_kf_entry *e)
{
	struct gstate_span one = {.start = e->state_since, .state = e->state};
	const struct gstate_span *s = e->n_spans ? e->spans : &one;
	uint32_t n = e->n_spans ? e->n_spans : 1, i;
	uint64_t rest[GT_NSTATES], sum = 0, t, t0, gap;
	uint8_t lump[GT_NSTATES], n_lump = 0, cur, first;
	bool created_first;
	int err;

	memcpy(rest, e->ns_in_state, sizeof(rest));
	for (i = 0; i + 1 < n; i++) {
		uint64_t d = s[i + 1].start > s[i].start ? s[i + 1].start - s[i].start : 0;

		if (s[i].state < GT_NSTATES)
			rest[s[i].state] = rest[s[i].state] > d ? rest[s[i].state] - d : 0;
	}
	for (i = 0; i < GT_NSTATES; i++) {
		if (!rest[i])
			continue;
		if (rest[i] > s[0].start - sum)
			rest[i] = s[0].start - sum; /* damaged totals: nothing before time 0 */
		sum += rest[i];
		if (rest[i])
			lump[n_lump++] = (uint8_t)i;
	}
	/* Created before the kept spans: the history starts at the creation. */
	created_first = e->created_ts && e->created_ts <= s[0].start;
	t0 = created_first ? e->created_ts : s[0].start - sum;
	gap = s[0].start - t0;
	if (!gap)
		n_lump = 0;
	else if (!n_lump)
		lump[n_lump++] =
			created_first ? XG_G_RUNNABLE : s[0].state; /* inconsistent totals */
	first = n_lump ? lump[0] : s[0].state;

	if (created_first) {
		cur = first == XG_G_WAITING ? XG_G_WAITING : XG_G_RUNNABLE;
		err = restore_event(gt, e, GEV_CREATE, t0, XG_G_DEAD, cur,
				    cur == XG_G_WAITING && n == 1 && !n_lump);
		if (!err && cur != first)
			err = restore_event(gt, e, GEV_STATE, t0, cur, first, false);
	} else {
		err = restore_event(gt, e, GEV_STATE, t0, first, first,
				    first == XG_G_WAITING && n == 1 && !n_lump);
	}
	cur = first;
	t = t0;
	for (i = 0; !err && i < n_lump; i++) {
		/* The last lump state takes what the creation time adds or removes. */
		uint64_t d = gap - (t - t0);

		if (i + 1 < n_lump && rest[lump[i]] < d)
			d = rest[lump[i]];

		if (i)
			err = restore_event(gt, e, GEV_STATE, t, cur, lump[i], false);
		cur = lump[i];
		t += d;
	}
	for (i = 0; !err && i < n; i++) {
		if (i == 0 && !n_lump)
			continue;
		err = restore_event(gt, e, GEV_STATE, s[i].start, cur, s[i].state,
				    i == n - 1 && s[i].state == XG_G_WAITING);
		cur = s[i].state;
	}
	if (!err && e->created_ts && !created_first)
		err = restore_event(gt, e, GEV_CREATE, e->created_ts, XG_G_DEAD, XG_G_RUNNABLE,
				    false);
	if (!err && e->exited_ts)
		err = restore_event(gt, e, GEV_EXIT, e->exited_ts, cur, XG_G_DEAD, false);
	return err;
}
