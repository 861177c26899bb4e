// SPDX-License-Identifier: BSD-2-Clause
/*
 * The meters, one row each; what makes one unhealthy is next to what it
 * measures. A meter is added with its row here (and, for the docs test,
 * its line in docs/UI.md's meter table).
 */
#include "meter.h"

#include <stdio.h>
#include <string.h>

#include "fmt.h"

static double lat(const struct xg_meters *s)
{
	return s->lat_ns;
}

static double rps(const struct xg_meters *s)
{
	return s->rps;
}

static double pps(const struct xg_meters *s)
{
	return s->pps;
}

static double ewp(const struct xg_meters *s)
{
	return (double)s->ewp;
}

static double prc(const struct xg_meters *s)
{
	return s->prc_ns;
}

static double drops_per_s(const struct xg_meters *s)
{
	return s->drops_per_s;
}

/* The total: one lost record is worth seeing long after it happened. */
static double drops(const struct xg_meters *s)
{
	return (double)s->drops;
}

static double ovh(const struct xg_meters *s)
{
	return s->ovh_pct;
}

static enum tui_health lat_health(const struct tui_model *m, const struct xg_meters *s)
{
	(void)m;
	if (s->lat_ns < 0)
		return TUI_NA;
	return s->lat_ns > 10000 ? TUI_BAD : s->lat_ns > 2000 ? TUI_WARN : TUI_OK;
}

/* Events applied slower than records arrive: the backlog grows. */
static enum tui_health pps_health(const struct tui_model *m, const struct xg_meters *s)
{
	const struct xg_meters *p1 = model__meter_sample(m, 1);

	if (s->rps < 50 || s->pps >= 0.9 * s->rps)
		return TUI_OK;
	return p1 && p1->rps >= 50 && p1->pps < 0.9 * p1->rps ? TUI_BAD : TUI_WARN;
}

static enum tui_health ewp_health(const struct tui_model *m, const struct xg_meters *s)
{
	const struct xg_meters *p1 = model__meter_sample(m, 1), *p2 = model__meter_sample(m, 2),
			       *p3 = model__meter_sample(m, 3);

	if (p3 && s->ewp > p1->ewp && p1->ewp > p2->ewp && p2->ewp > p3->ewp)
		return TUI_BAD;
	return s->ewp > 100000 ? TUI_WARN : TUI_OK;
}

/* Share of a core spent processing: near 1, user space cannot keep up. */
static enum tui_health prc_health(const struct tui_model *m, const struct xg_meters *s)
{
	(void)m;
	if (s->prc_ns * s->rps > 0.9e9)
		return TUI_BAD;
	return s->prc_ns * s->rps > 0.5e9 ? TUI_WARN : TUI_OK;
}

static enum tui_health drop_health(const struct tui_model *m, const struct xg_meters *s)
{
	(void)m;
	return s->drops_per_s > 0 ? TUI_BAD : s->drops ? TUI_WARN : TUI_OK;
}

static enum tui_health ovh_health(const struct tui_model *m, const struct xg_meters *s)
{
	(void)m;
	if (s->ovh_pct < 0)
		return TUI_NA;
	return s->ovh_pct > 5 ? TUI_BAD : s->ovh_pct > 1 ? TUI_WARN : TUI_OK;
}

/* Durations and percentages may be unknown (< 0); counts and rates are not. */
static void format_dur(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "n/a");
	else
		fmt_dur(buf, len, (uint64_t)v);
}

static void format_pct(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f%%", v);
}

static void format_count(char *buf, size_t len, double v)
{
	fmt_count(buf, len, v);
}

const struct tui_meter tui_meters[] = {
	{.name = "LAT",
	 .help = "BPF time per probe hit (n/a: not measured by this build)",
	 .value = lat,
	 .health = lat_health,
	 .format = format_dur},
	{.name = "RPS",
	 .help = "records read from the ring buffer per second",
	 .value = rps,
	 .format = format_count,
	 .unit = "/s",
	 .per_interval = true},
	{.name = "PPS",
	 .help = "events applied to the table per second; below RPS: falling behind",
	 .value = pps,
	 .health = pps_health,
	 .format = format_count,
	 .unit = "/s",
	 .per_interval = true},
	{.name = "EWP",
	 .help = "events waiting (reorder window + unread); growing: falling behind",
	 .value = ewp,
	 .health = ewp_health,
	 .format = format_count},
	{.name = "PRC",
	 .help = "user-space processing time per record",
	 .value = prc,
	 .health = prc_health,
	 .format = format_dur},
	{.name = "DROP",
	 .help = "records lost, ring buffer full (total); any: raise --ringbuf-mb",
	 .value = drops_per_s,
	 .shown = drops,
	 .health = drop_health,
	 .format = format_count},
	{.name = "OVH",
	 .help = "estimated overhead on the target, % of a core (n/a: not measured)",
	 .value = ovh,
	 .health = ovh_health,
	 .format = format_pct},
};
const size_t tui_meters_n = sizeof(tui_meters) / sizeof(tui_meters[0]);

const struct tui_meter *meter__find(const char *name)
{
	size_t i;

	for (i = 0; i < tui_meters_n; i++)
		if (!strcmp(tui_meters[i].name, name))
			return &tui_meters[i];
	return NULL;
}

enum tui_health meter__health(const struct tui_meter *mt, const struct tui_model *m)
{
	const struct xg_meters *s = model__meter_sample(m, 0);

	if (!s)
		return TUI_NA;
	return mt->health ? mt->health(m, s) : TUI_OK;
}

const char *meter__text(const struct tui_meter *mt, const struct tui_model *m, char *buf,
			size_t len, bool short_form)
{
	const struct xg_meters *s = model__meter_sample(m, 0);
	char v[16];

	/*
	 * The live source's first sample is taken as tracing starts: it closes
	 * no interval, and its rates are zeros that were never measured.
	 */
	if (!s || (mt->per_interval && s->ts == m->first_meter_ts)) {
		snprintf(buf, len, "-");
		return buf;
	}
	mt->format(v, sizeof(v), mt->shown ? mt->shown(s) : mt->value(s));
	snprintf(buf, len, "%s%s", v, mt->unit && !short_form ? mt->unit : "");
	return buf;
}
