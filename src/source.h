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

struct xg_target_info {
	uint32_t pid;	 /* 0 with -b (several processes) */
	char path[4096]; /* the target binary */
	char go_version[32];
	char arch[16];
	char mode[16];		/* "LIVE" or "REPLAY" */
	char probes[512];	/* attached probes, comma-separated */
	char child_output[256]; /* where a launched child's output goes, "" if not redirected */
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
};

struct xg_source {
	const struct xg_source_ops *ops;
	void *ctx;
};

#endif /* XGOTOP_SOURCE_H */
