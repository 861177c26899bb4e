/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the views read, whether the events come from a live target or from
 * a recording: one interface, so the UI cannot tell them apart except by
 * what info() says.
 */
#ifndef XGOTOP_SOURCE_H
#define XGOTOP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

struct gtable;
struct stackset;

struct xg_target_info {
	uint32_t pid;	 /* 0 with -b (several processes) */
	char path[4096]; /* the target binary */
	char go_version[32];
	char arch[16];
	char mode[16];		/* "LIVE" or "REPLAY" */
	char probes[512];	/* attached probes, comma-separated */
	char child_output[256]; /* where a launched child's output goes, "" if not redirected */
	bool recording;		/* live, and --record is writing the session to a file */
};

/* The tracer's own meters over the last interval (issue: meters). */
struct xg_meters {
	uint64_t ts;	/* when sampled, on the event clock */
	double rps;	/* records read from the ring buffer per second */
	double pps;	/* events applied to the table per second */
	uint64_t ewp;	/* records waiting (reorder window + unread) */
	double prc_ns;	/* user-space ns to process one record */
	uint64_t drops; /* total records lost (ring buffer full) */
	double drops_per_s;
	double lat_ns;	/* BPF ns per probe hit; < 0 when unknown */
	double ovh_pct; /* estimated target overhead, % of one core; < 0 when unknown */
	/*
	 * -sample in force ("all": everything; "": unknown, e.g. a recording
	 * made before format 1.1) and its goroutine rate (0: unknown): counts
	 * of goroutines and events are estimates when a rate is below 1.
	 */
	double goroutine_rate;
	char sample[160];
	/*
	 * Live: the capture level and why, and whether over budget
	 * (src/live/capture.h); not in recordings, whose capture events say it.
	 */
	char capture[224];
};

/* Playback of a recording; live sources have none. */
enum xg_ctl {
	XG_CTL_PLAY_PAUSE,
	XG_CTL_FASTER,	  /* speed x2, up to 64x */
	XG_CTL_SLOWER,	  /* speed /2, down to 0.25x */
	XG_CTL_STEP_FWD,  /* one frame forward, paused */
	XG_CTL_STEP_BACK, /* one frame back, paused */
	XG_CTL_SEEK_START,
	XG_CTL_SEEK_END,
	XG_CTL_SEEK_TIME, /* arg: ns since the recording's start */
};

struct xg_playback {
	bool paused;
	double speed;
	uint64_t start; /* event clock at the first and last record */
	uint64_t end;
	uint64_t pos; /* current position on the event clock */
};

struct xg_source_ops {
	/*
	 * Read and apply what has arrived, waiting up to TIMEOUT_MS for it.
	 * 0: more may come; 1: the source has ended (target exited, end of the
	 * recording) and everything was applied; < 0: -errno, already reported.
	 */
	int (*pump)(void *ctx, int timeout_ms);
	const struct gtable *(*table)(void *ctx);
	void (*info)(void *ctx, struct xg_target_info *out);
	void (*meters)(void *ctx, struct xg_meters *out);
	/* Now on the events' clock (ns, CLOCK_MONOTONIC for live sessions). */
	uint64_t (*now)(void *ctx);
	/* Replay only (NULL when live): 0 or -errno. */
	int (*control)(void *ctx, enum xg_ctl op, uint64_t arg);
	void (*playback)(void *ctx, struct xg_playback *out);
	/*
	 * Live only (NULL otherwise, or when unavailable): save the in-memory
	 * recent history to a new recording; its path is written to PATH.
	 */
	int (*save_recent)(void *ctx, char *path, unsigned long path_len);
	/*
	 * Live with probes only (NULL otherwise): apply a new -sample SPEC now.
	 * 0, or -EINVAL with what was wrong in ERR.
	 */
	int (*set_sample)(void *ctx, const char *spec, char *err, unsigned long err_len);
	/*
	 * Goroutine stacks (src/core/stackset.h): the latest sweep, live or
	 * recorded. NULL (the op or its result) when the source has none.
	 */
	const struct stackset *(*stacks)(void *ctx);
	/* Live only (NULL in replay): PID/GOID is shown, read it alone now and then. */
	void (*stacks_want)(void *ctx, uint32_t pid, uint64_t goid);
};

struct xg_source {
	const struct xg_source_ops *ops;
	void *ctx;
};

#endif /* XGOTOP_SOURCE_H */
