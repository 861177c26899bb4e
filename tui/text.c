// SPDX-License-Identifier: BSD-2-Clause
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "data.h"
#include "fmt.h"
#include "gtable.h"
#include "model.h"
#include "xgotop_event.h"

const char *text_reason(const struct gentry *e, char *buf, size_t len)
{
	if (e->exited_ts || e->state != XG_G_WAITING)
		snprintf(buf, len, "%s", "");
	else if (e->reason_str)
		snprintf(buf, len, "%s", e->reason_str);
	else if (e->reason >= 0)
		snprintf(buf, len, "#%d", e->reason);
	else
		snprintf(buf, len, "%s", "?");
	return buf;
}

const char *text_in_state(const struct tui_model *m, const struct gentry *e, char *buf, size_t len)
{
	if (e->exited_ts) {
		char d[16];

		snprintf(buf, len, "%s ago",
			 fmt_dur(d, sizeof(d), m->now > e->exited_ts ? m->now - e->exited_ts : 0));
		return buf;
	}
	uint64_t since;
	bool lower;
	char d[16];

	if (e->state == XG_G_RUNNING) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	since = text_state_since(e, &lower);
	fmt_dur(d, sizeof(d), m->now > since ? m->now - since : 0);
	snprintf(buf, len, "%s%s", lower ? ">" : "", d);
	return buf;
}

uint64_t text_state_since(const struct gentry *e, bool *lower)
{
	uint64_t go = gentry__go_waitsince(e);

	/* Found in it, unchanged since, and Go does not say since when: at least since found. */
	*lower = !go && !e->created_ts && !e->transitions;
	return go ? go : e->state_since;
}

uint64_t text_birth(const struct tui_model *m, const struct gentry *e)
{
	struct gstate_span buf;
	const struct gstate_span *first = gentry__span(e, 0, &buf);

	if (e->created_ts)
		return e->created_ts;
	/*
	 * Not seen created: there before tracing started, and at least since
	 * the table first heard of it (found at attach), or since Go says it
	 * was blocked. Not its oldest kept span: rows would disagree once the
	 * ring has turned.
	 */
	if (e->alive_since && e->alive_since < m->start_ts)
		return e->alive_since;
	if (!e->alive_since && first && first->start < m->start_ts)
		return first->start; /* (a table without alive_since: none yet) */
	return m->start_ts;
}

const char *text_age(const struct tui_model *m, const struct gentry *e, char *buf, size_t len)
{
	uint64_t end = e->exited_ts ? e->exited_ts : m->now, birth = text_birth(m, e);
	char d[16];

	fmt_dur(d, sizeof(d), end > birth ? end - birth : 0);
	snprintf(buf, len, "%s%s", e->created_ts ? "" : ">", d);
	return buf;
}

const char *text_allocs(const struct tui_model *m, const struct gentry *e, char *buf, size_t len)
{
	uint64_t bytes, objects;

	if (xd_allocs(model__table(m), e, &bytes, &objects)) {
		snprintf(buf, len, "-");
		return buf;
	}
	return fmt_count(buf, len, (double)bytes);
}

bool text_cgroup(const struct tui_model *m, bool wide, char *buf, size_t len, bool *throttled)
{
	struct gtable_cgroup cg;
	char t[16];

	*throttled = false;
	if (!m->info.pid || gtable__cgroup(model__table(m), m->info.pid, &cg) || !cg.quota_us ||
	    !cg.period_us)
		return false;
	*throttled = cg.nr_throttled > 0;
	fmt_dur(t, sizeof(t), cg.throttled_ns);
	if (wide)
		snprintf(buf, len,
			 "cgroup CPU limit %.3g (%llu us per %llu us): throttled %llu periods, %s",
			 (double)cg.quota_us / (double)cg.period_us,
			 (unsigned long long)cg.quota_us, (unsigned long long)cg.period_us,
			 (unsigned long long)cg.nr_throttled, t);
	else
		snprintf(buf, len, "CPU %.3g THR %llux %s",
			 (double)cg.quota_us / (double)cg.period_us,
			 (unsigned long long)cg.nr_throttled, t);
	return true;
}

bool text_gc(const struct tui_model *m, int form, char *buf, size_t len)
{
	struct xd_gc_cycle gc[2];
	struct xd_gc_totals t;
	const struct xd_gc_cycle *last = NULL, *cur = NULL;
	char stw[16], ago[16];
	int n;

	n = xd_gc_cycles(model__table(m), gc, 2);
	if (n < 0 || xd_gc_totals(model__table(m), &t)) {
		snprintf(buf, len, "GC n/a");
		return false;
	}
	if (n > 0 && !gc[n - 1].end)
		cur = &gc[n - 1];
	if (n > 0 && gc[n - 1].end)
		last = &gc[n - 1];
	else if (n > 1 && gc[n - 2].end)
		last = &gc[n - 2];
	if (form >= 3 || (!cur && !last)) {
		snprintf(buf, len, form >= 3 ? "GC %llu" : "GC %llu cyc",
			 (unsigned long long)t.cycles);
		return true;
	}
	if (form == 2) {
		snprintf(buf, len, "GC %llu cyc", (unsigned long long)t.cycles);
		return true;
	}
	if (!last) {
		snprintf(buf, len, form ? "GC %llu, #%u now" : "GC %llu cyc, #%u in progress",
			 (unsigned long long)t.cycles, cur->n);
		return true;
	}
	fmt_dur(stw, sizeof(stw), last->stw_ns);
	fmt_dur(ago, sizeof(ago), m->now > last->end ? m->now - last->end : 0);
	snprintf(buf, len, form ? "GC %llu, %s %s ago" : "GC %llu cyc, last %s STW %s ago",
		 (unsigned long long)t.cycles, stw, ago);
	return true;
}

const char *text_cpu(unsigned int permille, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", permille / 10, permille % 10);
	return buf;
}

const char *text_exited(const struct tui_model *m, char *buf, size_t len)
{
	snprintf(buf, len, "+ %llu exited in the last %.3gs (x lists them)",
		 (unsigned long long)m->exited_hidden, (double)m->fade_ns / 1e9);
	return buf;
}

const char *text_func_fit(const char *name, int width)
{
	const char *end = strchr(name, '['), *p, *slash = NULL;

	if ((int)fmt_width(name) <= width)
		return name;
	/* The path's last slash: none inside type parameters ("F[net/http.Handler]"). */
	for (p = name; *p && (!end || p < end); p++)
		if (*p == '/')
			slash = p;
	return slash ? slash + 1 : name;
}
