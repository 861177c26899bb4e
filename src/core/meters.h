/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The live tracer's meters beyond one interval (docs/METERS.md): per-probe
 * BPF run time and hits from the kernel's BPF statistics, the OVH estimate
 * from a hit cost calibrated at start-up in the background, the headless
 * meter line every -d seconds and the JSON summary of --metrics. Raw bpf(2)
 * and perf_event_open calls on descriptors the tracer hands in: no libbpf,
 * no skeleton.
 */
#ifndef XGOTOP_METERS_H
#define XGOTOP_METERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct meters;

/* What one uprobe hit costs the traced thread before its BPF program runs. */
struct meters_calib {
	double emulated_ns; /* trap on an emulated instruction (x86 nop, arm64 b); < 0: unknown */
	double stepped_ns;  /* trap and single-step out of line; < 0: unknown */
	double prog_ns;	    /* the trivial calibration program's own run time, in both */
};

/*
 * Time calls of two functions of our own, probed with PROG_FD (a trivial
 * BPF uprobe program) and not: ROUNDS interleaved rounds of CALLS calls,
 * medians. The probes are on the calling thread only, so it may run on a
 * thread of its own while the tracer reads its rings; *STOP (may be NULL)
 * set ends it between rounds with -ECANCELED. 0, or -errno (then OUT
 * holds -1s).
 */
int meters__calibrate(int prog_fd, int calls, int rounds, const volatile bool *stop,
		      struct meters_calib *out);

/* Cumulative counters of the session, read by the tracer at each sample. */
struct meters_counts {
	uint64_t ts; /* CLOCK_MONOTONIC ns */
	uint64_t records, events, proc_ns, drops, ewp;
	bool stats; /* BPF run-time statistics are on */
	/* -sample in force ("" or "all": everything): rates are then of what was kept. */
	char sample[160];
	/* The target's CPU time so far, all its threads (/proc/PID/stat); 0: unknown (-b). */
	uint64_t cpu_ns;
	/* The capture level in force, as the line shows it ("states", "poll 20Hz"). */
	char capture[32];
};

struct meters_opts {
	double line_s;	/* headless meter line every LINE_S seconds; 0: none */
	FILE *line_out; /* where the line goes (stderr) */
	struct meters_calib calib;
	bool no_probes;	   /* --poll: nothing runs in the target */
	double budget_pct; /* --overhead-budget; 0: off */
};

struct meters *meters__new(const struct meters_opts *opts);
void meters__free(struct meters *m);

/*
 * The hit cost, known once the session runs (a calibration in the
 * background): OVH is n/a until then, and the summary's OVH covers the
 * samples from the next one on. Between samples, on the sampling thread.
 */
void meters__set_calib(struct meters *m, const struct meters_calib *calib);

/*
 * A probe site whose program (PROG, its bpf fd PROG_FD) is attached at SITE,
 * STEPPED when the kernel single-steps that instruction. Sites sharing a
 * program are one probe for the meters: the kernel counts per program.
 */
int meters__add_probe(struct meters *m, const char *prog, int prog_fd, const char *site,
		      bool stepped);

/*
 * Take a sample: read the programs' run time and hits, print the meter line
 * when due. Returns the OVH of the interval since the previous sample, % of
 * one core, or -1 when unknown. LAT_NS is that interval's mean run time per
 * hit over all probes (-1: unknown).
 */
double meters__sample(struct meters *m, const struct meters_counts *c, double *lat_ns);

/*
 * The last sample's cost of the probes as a % of the target's own CPU time
 * (its CPU time less that cost), and whether that is over the budget
 * (src/core/budget.h); -1 and false when unknown.
 */
double meters__cost_pct(const struct meters *m, bool *over);

/*
 * The --metrics summary of the whole session as JSON to PATH, opened by
 * outfile__create (FORCE to overwrite): 0 or -errno (outfile__why says why).
 */
/*
 * Hits of the attached probes and their BPF time since attach, as of the
 * last sample (the calibration program apart). False when run-time
 * statistics are off (both then 0).
 */
bool meters__totals(const struct meters *m, uint64_t *hits, uint64_t *run_ns);
int meters__write_summary(const struct meters *m, const char *path, bool force);

#endif /* XGOTOP_METERS_H */
