/* SPDX-License-Identifier: BSD-2-Clause */
/* The live tracer: load, attach, read the ring buffer, feed the outputs. */
#ifndef XGOTOP_TRACER_H
#define XGOTOP_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sample.h"

struct xg_source;

/*
 * The interactive UI, handed in by the command line so that src/ does not
 * depend on tui/. Runs until the user quits: 0, or -errno (-ECANCELED: reported).
 */
typedef int (*xg_ui_fn)(const struct xg_source *src, const void *ui_ctx);

/* What a live session is asked to do; filled by the command line (src/cli/). */
struct live_opts {
	pid_t pid;	    /* -pid */
	const char *binary; /* -b */
	char **cmd;	    /* -- CMD ARGS (NULL-terminated) */
	const char *jsonl;  /* "-" = stdout */
	double duration;    /* seconds, 0 = until the target exits or a signal */
	unsigned int ringbuf_mb;
	bool verbose;
	xg_ui_fn ui;	    /* NULL: headless */
	const void *ui_ctx; /* handed to ui */
	double delay;	    /* UI refresh and meter line interval, seconds */
	/* Recordings (src/rec/): */
	const char *record;	 /* --record/-w FILE */
	bool force;		 /* --force: overwrite FILE */
	double history_min;	 /* --history MIN: flight recorder window; 0: off */
	unsigned int history_mb; /* --history-mb N: its memory bound */
	/* What is probed (src/goexe/probes.c), or --poll (src/live/gpoll.c): */
	unsigned int probes; /* --probes: enum probe_level, 0: the default (states) */
	unsigned int alloc;  /* --alloc / --alloc-hist: enum xg_alloc_mode, at any level */
	bool no_offcpu;	     /* --no-offcpu: no sched_switch tracepoint (src/live/offcpu.c) */
	double poll_hz;	     /* --poll HZ: read the goroutine table, no uprobes; 0: off */
	/*
	 * --overhead-budget PCT: share of the target's CPU time tracing may cost
	 * (src/core/budget.h, src/live/capture.c); 0: off. --probes and --poll pin the level.
	 */
	double budget_pct;
	/* Workers (src/live/workers.c): 0 or 1 and 1: one thread does everything, in pump(). */
	unsigned int readers;	 /* -rw N: ring buffers, a reader thread each */
	unsigned int processors; /* -pw N: decoding threads, a shard of the goroutines each */
	unsigned int batch_size; /* --batch-size N: records per hand-off; 0: the default */
	uint64_t flush_ns;	 /* --batch-flush-interval: a partial batch waits at most this */
	/* Meters (src/core/meters.c, docs/METERS.md): */
	bool silent;	     /* -s: no meter line every -d seconds in headless mode */
	const char *metrics; /* --metrics FILE: JSON summary at exit */
	/* The metrics server (src/live/promlive.c, docs/METRICS.md): */
	const char *listen;		/* --listen ADDR; NULL: off */
	unsigned int metrics_functions; /* --metrics-functions N; 0: the default (50) */
	/* Sampling in BPF (src/core/sample.c): -sample SPEC; all 1.0 when not given. */
	struct sample_spec sample;
	/*
	 * Stacks swept in the background (src/live/stacksweep.c), ns between
	 * sweeps: --stack-interval; 0: off. -1: the default, 2 s with the UI,
	 * off headless.
	 */
	int64_t stack_interval_ns;
	/* Leak suspects (src/core/stackset.h): 0 / < 0: the defaults, 5 sweeps and 60 s. */
	unsigned int leak_sweeps; /* --leak-sweeps N: a group that grew at each of the last N */
	double leak_wait;	  /* --leak-wait SEC: a goroutine waiting longer; 0: off */
};

/* --alloc: allocation events and histogram; --alloc-hist: the histogram only. */
enum xg_alloc_mode {
	XG_ALLOC_OFF = 0, /* unless --probes all, which means XG_ALLOC_EVENTS */
	XG_ALLOC_EVENTS = 1,
	XG_ALLOC_HIST_ONLY = 2,
};

/*
 * Run a live session. Returns the process exit status: 0, 1 on errors
 * (already reported on stderr as one line), or the launched command's.
 */
int tracer__run(const struct live_opts *opts);

#endif /* XGOTOP_TRACER_H */
