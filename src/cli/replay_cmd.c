// SPDX-License-Identifier: BSD-2-Clause
/* --replay FILE on the command line: a recording to JSONL, an export, or the UI. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "env.h"
#include "export.h"
#include "jsonl.h"
#include "outfile.h"
#include "replay.h"
#include "sanitize.h"
#include "stackset.h"

struct warn_sink {
	const char *file;
	bool hold; /* a UI owns the terminal: print after it */
	char *held;
	size_t len;
};

static void warn_print(void *ctx, const char *msg)
{
	struct warn_sink *w = ctx;
	char *line;
	int n;

	if (!w->hold) {
		fprintf(stderr, "xgotop-tui: warning: %s: %s\n", SAN(w->file), SAN(msg));
		return;
	}
	n = asprintf(&line, "xgotop-tui: warning: %s: %s\n", SAN(w->file), SAN(msg));
	if (n < 0)
		return;
	if (w->len < 64 * 1024) {
		char *p = realloc(w->held, w->len + n + 1);

		if (p) {
			memcpy(p + w->len, line, n + 1);
			w->held = p;
			w->len += n;
		}
	}
	free(line);
}

static void describe(const struct rec_reader *r, const char *file)
{
	const struct rec_header *h = rec_reader__header(r);
	uint64_t start = rec_reader__start(r), end = rec_reader__end(r);
	char when[64] = "?";

	if (h->wall_ns) {
		time_t t = (time_t)(h->wall_ns / 1000000000ull);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	fprintf(stderr,
		"xgotop-tui: replaying %s: pid %u (%s, %s, %s), recorded %s%s, %llu events over "
		"%.1f s\n",
		SAN(file), h->pid, h->path ? SAN(h->path) : "?",
		h->go_version ? SAN(h->go_version) : "?", h->arch ? SAN(h->arch) : "?", when,
		(h->flags & REC_HF_RECENT) ? " by the flight recorder" : "",
		(unsigned long long)rec_reader__n_events(r), end > start ? (end - start) / 1e9 : 0);
}

/* A STACK or SWEEP item (format 1.3): a SWEEP makes the "stack" lines of the live run. */
static int jsonl_stacks(struct jsonl_writer *out, struct rec_reader *r, struct rec_stacks *map,
			struct stackset *set, const struct rec_item *item)
{
	uint64_t before = stackset__sweeps(set);
	int err = rec_stacks__apply(map, rec_reader__dict(r), item, set);

	/* A damaged sweep is dropped: its lines are missing, the rest is written. */
	if (err && err != -ENOMEM)
		return 0;
	if (err || stackset__sweeps(set) == before)
		return err;
	return jsonl__write_sweep(out, set);
}

static int run_jsonl(struct rec_reader *r, const char *path, bool force)
{
	struct jsonl_writer *out = NULL;
	struct rec_iter *it = rec_iter__new(r, 0);
	struct stackset *set = stackset__new();
	struct rec_stacks map = {0};
	struct rec_item item;
	uint64_t unknown = 0;
	int err = 0;

	if (!it || !set) {
		rec_iter__free(it);
		stackset__free(set);
		fprintf(stderr, "xgotop-tui: out of memory\n");
		return 1;
	}
	if (path) {
		out = jsonl__open(path, force);
		if (!out) {
			fprintf(stderr, "xgotop-tui: cannot write %s: %s\n", SAN(path),
				outfile__why(-errno));
			rec_iter__free(it);
			stackset__free(set);
			return 1;
		}
	}
	while (rec_iter__next(it, &item) > 0) {
		if (!out)
			continue;
		if (item.kind == REC_ITEM_FRAME || item.kind == REC_ITEM_STACK ||
		    item.kind == REC_ITEM_SWEEP) {
			err = jsonl_stacks(out, r, &map, set, &item);
			if (err)
				break;
			continue;
		}
		if (item.kind != REC_ITEM_EVENT)
			continue;
		err = jsonl__write(out, &item.ev);
		if (err == -EINVAL) {
			/* A kind of event from a newer xgotop-tui: no line for it here. */
			unknown++;
			err = 0;
		}
		if (err)
			break;
	}
	if (unknown)
		fprintf(stderr,
			"xgotop-tui: warning: %llu events of kinds this xgotop-tui does not know "
			"were skipped\n",
			(unsigned long long)unknown);
	if (out) {
		int cerr = jsonl__close(out);

		if (!err)
			err = cerr;
		if (err)
			fprintf(stderr, "xgotop-tui: cannot write %s: %s\n", SAN(path),
				strerror(-err));
	}
	rec_iter__free(it);
	stackset__free(set);
	rec_stacks__free(&map);
	return err ? 1 : 0;
}

/* --replay FILE --stacks [--at SEC]: the last sweep at that time, as Go's dump. */
static int run_stacks(struct rec_reader *r, const struct env *env)
{
	struct replay *rp = replay__new(r, &(struct replay_opts){.start_paused = true});
	const struct stackset *s;
	struct xg_source src;
	int err;

	if (!rp) {
		fprintf(stderr, "xgotop-tui: out of memory\n");
		return 1;
	}
	replay__source(rp, &src);
	err = env->at >= 0 ? src.ops->control(rp, XG_CTL_SEEK_TIME, (uint64_t)(env->at * 1e9))
			   : src.ops->control(rp, XG_CTL_SEEK_END, 0);
	s = replay__stacks(rp);
	if (!err && !stackset__sweep_ts(s)) {
		fprintf(stderr,
			"xgotop-tui: %s has no stack sweep%s (record with --stack-interval)\n",
			SAN(env->replay), env->at >= 0 ? " at or before that time" : "");
		replay__free(rp);
		return 1;
	}
	if (!err)
		err = stackset__print(stdout, s);
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		fprintf(stderr, "xgotop-tui: cannot print the stacks of %s: %s\n", SAN(env->replay),
			strerror(-err));
	replay__free(rp);
	return err ? 1 : 0;
}

int replay_cmd__run(const struct env *env)
{
	struct warn_sink ws = {.file = env->replay, .hold = !env->headless && !env->export};
	struct rec_reader_opts ro = {.warn = warn_print, .ctx = &ws};
	struct rec_reader *r;
	char err[512];
	int rc = 1;

	r = rec_reader__open(env->replay, &ro, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "xgotop-tui: %s %s\n", SAN(env->replay), SAN(err));
		goto cleanup;
	}
	if (env->stacks) {
		rc = run_stacks(r, env);
	} else if (env->export) {
		describe(r, env->replay);
		rc = export__run(r, env->export, env->output ? env->output : "-", env->live.force);
		rec_reader__free(r);
	} else if (env->headless) {
		describe(r, env->replay);
		rc = run_jsonl(r, env->live.jsonl, env->live.force);
		if (rec_dict__missing(rec_reader__dict(r)))
			fprintf(stderr,
				"xgotop-tui: warning: %s: %llu names were lost with damaged "
				"frames: written as null\n",
				SAN(env->replay),
				(unsigned long long)rec_dict__missing(rec_reader__dict(r)));
		rec_reader__free(r);
	} else {
		struct replay *rp = replay__new(r, NULL);
		struct xg_source src;
		int e;

		if (!rp) {
			fprintf(stderr, "xgotop-tui: out of memory\n");
			goto cleanup;
		}
		if (!env->live.ui) {
			fprintf(stderr, "xgotop-tui: the terminal UI is not in this build: use "
					"--headless\n");
			replay__free(rp);
			goto cleanup;
		}
		replay__set_leak(rp,
				 &(struct stk_leak_opts){
					 .sweeps = env->live.leak_sweeps ? env->live.leak_sweeps
									 : STK_LEAK_SWEEPS,
					 .wait_ns = env->live.leak_wait >= 0
							    ? (uint64_t)(env->live.leak_wait * 1e9)
							    : STK_LEAK_WAIT_NS});
		replay__source(rp, &src);
		e = env->live.ui(&src, env->live.ui_ctx);
		replay__free(rp);
		if (e && e != -ECANCELED)
			fprintf(stderr, "xgotop-tui: replay stopped: %s\n", strerror(-e));
		rc = e ? 1 : 0;
	}
cleanup:
	if (ws.held)
		fputs(ws.held, stderr);
	free(ws.held);
	return rc;
}
