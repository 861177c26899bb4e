/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The metrics of docs/METRICS.md, written in an exposition format
 * (promfmt.h) from the state table, the exposition's own counters
 * (promstats.h) and the tracer's figures. Runs on the thread that owns the
 * table; what it writes is text, handed to the HTTP server's thread.
 */
#ifndef XGOTOP_PROMSNAP_H
#define XGOTOP_PROMSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "promfmt.h"

struct gtable;
struct promstats;

#define PROMSNAP_DEFAULT_FUNCTIONS 50

/* The tracer's own figures; a negative double, or has_* false: unknown (not written). */
struct promsnap_tracer {
	uint64_t events;  /* applied to the table */
	uint64_t records; /* read from the ring buffers */
	uint64_t drops;	  /* lost: the ring buffer was full */
	bool has_hits;
	uint64_t probe_hits; /* BPF program runs (kernel.bpf_stats_enabled) */
	uint64_t bpf_run_ns; /* their time */
	double bpf_ns_per_hit;
	double overhead_ratio;	   /* estimated target CPU taken by the probes, of one core */
	const char *capture_level; /* one of promsnap_levels[] */
};

/* The capture levels there are, the xgotop_capture_level label's values; NULL-terminated. */
extern const char *const promsnap_levels[];

struct promsnap_in {
	const struct gtable *gt;
	const struct promstats *ps;
	bool per_pid;		/* -b: every goroutine series carries pid */
	uint32_t pid;		/* -pid or a launched command's; with per_pid, unused */
	unsigned int functions; /* the top N start functions (0: the default) */
	const char *exe, *go_version, *arch;
	bool alloc_traced; /* allocation events are on */
	struct promsnap_tracer tracer;
};

/*
 * Everything, written to each of the N_PF writers (then promfmt__finish
 * each): one pass over the table for all of them. 0, or -ENOMEM (the
 * writers' own errors come out of promfmt__finish).
 */
int promsnap__write(struct promfmt *const *pf, size_t n_pf, const struct promsnap_in *in);

#endif /* XGOTOP_PROMSNAP_H */
