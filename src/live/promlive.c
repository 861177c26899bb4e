// SPDX-License-Identifier: BSD-2-Clause
/*
 * --listen: the metrics server of a live session. The server runs on its
 * own thread (src/http/httpd.c) and never touches the state table: once a
 * second, the thread that applies events (the pump's) writes the metrics
 * from the table (src/core/promsnap.c) in both exposition formats (one
 * pass over the table) and publishes the texts; a scrape only sends the
 * latest. Counters the table does not keep are counted as events are
 * applied (src/core/promstats.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "httpd.h"
#include "httpreq.h"
#include "promsnap.h"
#include "promstats.h"
#include "session.h"
#include "tracer.h"

#define PUBLISH_INTERVAL_NS (1000 * 1000 * 1000ull)

int promlive__open(struct tracer *t)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256], where[80];

	if (!t->opts->listen)
		return 0;
	/* Checked by the command line already: this cannot fail but for memory. */
	if (httpreq__parse_addr(t->opts->listen, &ss, &len, err, sizeof(err))) {
		diag__fail("%s", err);
		return -EINVAL;
	}
	t->prom.ps = promstats__new();
	if (!t->prom.ps) {
		diag__fail("out of memory");
		return -ENOMEM;
	}
	t->prom.srv = httpd__start(&ss, len, err, sizeof(err));
	if (!t->prom.srv) {
		diag__fail("%s", err);
		return -EADDRINUSE;
	}
	httpd__address(t->prom.srv, where, sizeof(where));
	fprintf(stderr, "xgotop-tui: serving metrics on http://%s/metrics\n", where);
	return 0;
}

static void fill_in(struct tracer *t, struct promsnap_in *in)
{
	const struct target *tg = &t->tg;

	memset(in, 0, sizeof(*in));
	in->gt = t->sink.gt;
	in->ps = t->prom.ps;
	in->per_pid = !tg->pid; /* -b: every process running the binary */
	in->pid = (uint32_t)tg->pid;
	in->functions = t->opts->metrics_functions;
	in->exe = tg->display;
	in->go_version = goelf__go_version(tg->ge);
	in->arch = goelf__arch_name(tg->ge);
	in->alloc_traced = t->bpf.alloc_probes && t->opts->alloc != XG_ALLOC_HIST_ONLY;
	in->tracer.events = t->m.n_events;
	in->tracer.records = t->m.n_records;
	in->tracer.drops = bpfobj__drops(&t->bpf);
	/* Over the attached probes, as of the last meter sample (a second at most). */
	if (t->bpf.skel && t->m.mt)
		in->tracer.has_hits =
			meters__totals(t->m.mt, &in->tracer.probe_hits, &in->tracer.bpf_run_ns);
	in->tracer.bpf_ns_per_hit = t->m.last.lat_ns;
	in->tracer.overhead_ratio = t->m.last.ovh_pct >= 0 ? t->m.last.ovh_pct / 100 : -1;
	in->tracer.capture_level = livesrc__capture_level(t);
}

/* Write both formats (one pass over the table) and hand them to the server. */
static void publish(struct tracer *t)
{
	struct promsnap_in in;
	struct promfmt *pf[2] = {promfmt__new(PROMFMT_TEXT, 0),
				 promfmt__new(PROMFMT_OPENMETRICS, 0)};
	char *text[2] = {NULL, NULL};
	size_t len[2] = {0, 0};
	int i, err = 0, e;

	fill_in(t, &in);
	if (!pf[0] || !pf[1])
		err = -ENOMEM;
	if (!err)
		err = promsnap__write(pf, 2, &in);
	for (i = 0; i < 2; i++) {
		if (err || !pf[i]) {
			promfmt__free(pf[i]);
			continue;
		}
		e = promfmt__finish(pf[i], &text[i], &len[i]);
		if (e && !err)
			err = e;
	}
	if (err) {
		free(text[0]);
		free(text[1]);
		if (!t->prom.warned)
			diag__fail("cannot write the metrics: %s (the last ones are served)",
				   strerror(-err));
		t->prom.warned = true;
		return;
	}
	httpd__publish(t->prom.srv, text[0], len[0], text[1], len[1]);
}

void promlive__tick(struct tracer *t, bool now)
{
	uint64_t ts;

	if (!t->prom.srv)
		return;
	ts = xg_mono_ns();
	if (!now && ts - t->prom.published_ns < t->prom.interval_ns)
		return;
	t->prom.published_ns = ts;
	publish(t);
	/*
	 * A second, or ten times what writing took, whichever is longer: at
	 * most a tenth of this thread (a million goroutines take ~0.1 s,
	 * bench/bench_promsnap.c).
	 */
	t->prom.interval_ns = 10 * (xg_mono_ns() - ts);
	if (t->prom.interval_ns < PUBLISH_INTERVAL_NS)
		t->prom.interval_ns = PUBLISH_INTERVAL_NS;
}

void promlive__observe(struct tracer *t, const struct gev *ev)
{
	promstats__observe(t->prom.ps, t->sink.gt, ev);
}

void promlive__close(struct tracer *t)
{
	httpd__stop(t->prom.srv);
	t->prom.srv = NULL;
	promstats__free(t->prom.ps);
	t->prom.ps = NULL;
}
