// SPDX-License-Identifier: BSD-2-Clause
#include "budget.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * Probe hits per goroutine, counted by tests/overhead/hits.c on bench/churn
 * (docs/OVERHEAD.md §2): states 6.00 (created runnable, running, waiting on
 * its channel, runnable, running, dead), lifecycle 2.00 (newproc1's and
 * goexit0's calls of casgstatus).
 */
#define HITS_PER_GOROUTINE_STATES    6.0
#define HITS_PER_GOROUTINE_LIFECYCLE 2.0
/*
 * A long-lived goroutine seen in another state, or waiting again since
 * another time, ran in between: at least waiting -> runnable -> running ->
 * waiting, three casgstatus calls. Two reads cannot see more, so this is a
 * floor; the run-time check uses the hits the kernel counted.
 */
#define HITS_PER_CHANGE 3.0

static const char *const level_names[] = {
	[CAPTURE_ALL] = "all",
	[CAPTURE_STATES] = "states",
	[CAPTURE_LIFECYCLE] = "lifecycle",
	[CAPTURE_POLL] = "poll",
};

const char *budget__level_name(enum capture_level level)
{
	if ((int)level < CAPTURE_ALL || level > CAPTURE_LEVEL_MAX)
		return "unknown";
	return level_names[level];
}

double budget__hits_per_s(enum capture_level level, const struct budget_rates *r)
{
	switch (level) {
	case CAPTURE_ALL:
	case CAPTURE_STATES:
		return r->creates_per_s * HITS_PER_GOROUTINE_STATES +
		       r->changes_per_s * HITS_PER_CHANGE;
	case CAPTURE_LIFECYCLE:
		return r->creates_per_s * HITS_PER_GOROUTINE_LIFECYCLE;
	case CAPTURE_POLL:
		break;
	}
	return 0;
}

double budget__share_pct(double cost_ns_per_s, double own_ns_per_s)
{
	if (cost_ns_per_s <= 0)
		return 0;
	if (own_ns_per_s <= 0)
		return INFINITY;
	return cost_ns_per_s / own_ns_per_s * 100.0;
}

bool budget__over(double budget_pct, double cost_ns_per_s, double own_ns_per_s)
{
	if (budget_pct <= 0 || cost_ns_per_s < BUDGET_FLOOR_NS_PER_S)
		return false;
	return budget__share_pct(cost_ns_per_s, own_ns_per_s) > budget_pct;
}

static void pct_text(double pct, char *buf, size_t len)
{
	if (isinf(pct) || pct >= 1e6)
		snprintf(buf, len, "more than the target's own CPU time");
	else if (pct >= 100)
		snprintf(buf, len, "%.0f%%", pct);
	else
		snprintf(buf, len, "%.2g%%", pct);
}

void budget__choose(double budget_pct, const struct budget_rates *r,
		    const double hit_ns[CAPTURE_LEVEL_MAX + 1], struct budget_choice *out)
{
	static const enum capture_level order[] = {CAPTURE_STATES, CAPTURE_LIFECYCLE};
	char states[40], lifecycle[40];
	size_t i;

	memset(out, 0, sizeof(*out));
	out->level = CAPTURE_POLL;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		double cost = budget__hits_per_s(order[i], r) * hit_ns[order[i]];

		out->cost_pct[order[i]] = budget__share_pct(cost, r->cpu_ns_per_s);
		if (out->level == CAPTURE_POLL && !budget__over(budget_pct, cost, r->cpu_ns_per_s))
			out->level = order[i];
	}
	pct_text(out->cost_pct[CAPTURE_STATES], states, sizeof(states));
	pct_text(out->cost_pct[CAPTURE_LIFECYCLE], lifecycle, sizeof(lifecycle));
	if (out->level == CAPTURE_LIFECYCLE)
		snprintf(out->why, sizeof(out->why), "states would cost %s", states);
	else if (out->level == CAPTURE_POLL)
		snprintf(out->why, sizeof(out->why), "states would cost %s, lifecycle %s", states,
			 lifecycle);
}

void budget__describe(enum capture_level level, double poll_hz, double budget_pct, const char *why,
		      char *buf, size_t len)
{
	int n;

	if (level == CAPTURE_POLL)
		n = snprintf(buf, len, "poll %gHz", poll_hz);
	else
		n = snprintf(buf, len, "%s", budget__level_name(level));
	if (n < 0 || (size_t)n >= len || !why || !why[0])
		return;
	if (budget_pct > 0)
		snprintf(buf + n, len - (size_t)n, " (budget %g%%: %s)", budget_pct, why);
	else
		snprintf(buf + n, len - (size_t)n, " (%s)", why);
}

/* The first poorer level than LEVEL whose cost fits (an unknown one is tried; poll always fits). */
static enum capture_level step_down(enum capture_level level, double budget_pct,
				    const double cost[CAPTURE_LEVEL_MAX + 1], double own)
{
	enum capture_level l;

	for (l = level + 1; l < CAPTURE_POLL; l++)
		if (cost[l] < 0 || !budget__over(budget_pct, cost[l], own))
			return l;
	return CAPTURE_POLL;
}

/* COST under a quarter of the budget, or under the floor: calm enough to step up to. */
static bool calm(double budget_pct, double cost, double own)
{
	return cost < BUDGET_FLOOR_NS_PER_S || budget__share_pct(cost, own) < budget_pct / 4;
}

enum capture_level budget__step(struct budget_ctl *c, enum capture_level level, double budget_pct,
				const double cost[CAPTURE_LEVEL_MAX + 1], double own, uint64_t now,
				uint64_t dt)
{
	enum capture_level l, up = 0;
	unsigned int need = c->first_decides ? 1 : BUDGET_OVER_CHECKS;

	if (level < CAPTURE_STATES || level > CAPTURE_POLL)
		return 0;
	c->first_decides = false;
	if (level != CAPTURE_POLL && budget__over(budget_pct, cost[level], own)) {
		memset(c->calm_since, 0, sizeof(c->calm_since));
		/* A burst is not a load: BUDGET_OVER_CHECKS in a row, once the first has passed. */
		if (!c->over++)
			c->over_ts = now - dt;
		return c->over >= need ? step_down(level, budget_pct, cost, own) : 0;
	}
	c->over = 0;
	for (l = CAPTURE_STATES; l < level; l++) {
		double would = cost[l] >= 0 ? cost[l] : cost[level];

		if (!calm(budget_pct, would, own)) {
			c->calm_since[l] = 0;
			continue;
		}
		if (!c->calm_since[l])
			c->calm_since[l] = now - dt;
		if (!up && now - c->calm_since[l] >= BUDGET_CALM_NS)
			up = l;
	}
	return up;
}
