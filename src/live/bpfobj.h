/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The BPF object (bpf/xgotop.bpf.c), in libbpf's four steps: open ->
 * configure (rodata: offsets, target tgid, read spans, allocation probes;
 * ring size) -> load -> attach. Then what is read back from its maps and
 * programs: drops, probe hits, run time, the allocation histogram. Only
 * this file pair knows the skeleton.
 */
#ifndef XGOTOP_BPFOBJ_H
#define XGOTOP_BPFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "gowrap.h"
#include "probes.h"

struct alloc_types;
struct bpf_link;
struct bpfobj_link;
struct gtable;
struct live_opts;
struct target;
struct xg_sample;
struct xgotop_bpf;

#define BPFOBJ_TPS 3

struct bpfobj {
	struct xgotop_bpf *skel;
	/* Per site of the target's; sites of one uprobe-multi link share it. */
	struct bpfobj_link *links[PROBES_MAX];
	int stats_fd; /* BPF_ENABLE_STATS while attached, else -1 */
	/* Uprobes as uprobe-multi links (one per program per set), else one perf link per site. */
	bool multi;
	/* Allocation and GC probes (src/goexe/allocs.c, docs/EVENTS.md). */
	bool alloc_probes;	   /* mallocgc is attached: poll its histogram */
	struct alloc_types *types; /* type names of allocation events */
	int go_major, go_minor;	   /* names of stop-the-world reasons */
	uint64_t hist_ts;	   /* last histogram poll */
	/* go1.26+: the sys_enter / sys_exit tracepoints (syscalls casgstatus misses). */
	bool sys_tp;
	/* sched_switch: on-CPU and off-CPU time of the target's threads. */
	bool sched_tp;
	/* flush_batch runs here and casgstatus batches its records. */
	bool batches;
	/* sys_enter, sys_exit, sched_switch (bpfobj__attach_tracepoints). */
	struct bpf_link *tp_links[BPFOBJ_TPS];
	/* Wrappers calling through their closure, for the map wrap_calls (link-time entries). */
	struct bpfobj_wrap {
		uint64_t entry;
		struct gowrap_call call;
	} * wraps;
	size_t n_wraps;
};

#define BPFOBJ_INIT            \
	{                      \
		.stats_fd = -1 \
	}

/* Each step: 0 or -errno, reported on stderr. */
int bpfobj__open(struct bpfobj *b);
/* Drops the target's sites this kernel, release or binary cannot serve (found = false). */
int bpfobj__configure(struct bpfobj *b, struct target *tg, const struct live_opts *opts);
int bpfobj__load(struct bpfobj *b);
/*
 * Every site found, through the target's pinned file; ATTACHED: the probe
 * list of the attach line. -ESRCH with a pid is not reported (target.h).
 */
int bpfobj__attach(struct bpfobj *b, const struct target *tg, char *attached, size_t len);
/*
 * The kernel tracepoints configured: go1.26+ with a pid, the syscall ones
 * (bpf/xgotop.bpf.c, "syscalls seen from the kernel"); with a pid, at the
 * states and all levels, sched_switch (on-CPU time). 0 or -errno (reported).
 */
int bpfobj__attach_tracepoints(struct bpfobj *b);
/*
 * Empty the programs' cache of goroutines by g (gcache, bpf/xgotop.bpf.c)
 * while no probe is in: after a stretch without probes (poll) a g's entry
 * may name a goroutine that ended unseen, its g reused since. 0 or -errno.
 */
int bpfobj__forget_gcache(struct bpfobj *b);
/* Those tracepoints out (a step down to poll); bpfobj__attach_tracepoints puts them back. */
void bpfobj__detach_tracepoints(struct bpfobj *b);
void bpfobj__detach(struct bpfobj *b);
/* At most this many links go on threads of their own in bpfobj__destroy_links; more: in line. */
#define BPFOBJ_UNLINK_MAX PROBES_MAX
/*
 * The links *LINKS[0..N) (NULL ones skipped) and, with TRACEPOINTS, B's
 * tracepoints destroyed side by side, each set to NULL. A uprobe-multi
 * link goes once the last of its sites' pointers does.
 */
void bpfobj__destroy_links(struct bpfobj *b, struct bpfobj_link **const *links, int n,
			   bool tracepoints);
/*
 * The sites SITES[0..N) found and without a link in LINKS attached (at
 * attach, and at run time when src/live/capswitch.c switches levels): a
 * uprobe-multi link per program (and per kind, casgstatus's or not) where
 * B->multi, else a link per site. Owned by the caller (bpfobj__destroy_links).
 * 0 or -errno, not reported; *BAD (if given): the index of the site that failed.
 */
int bpfobj__attach_sites(struct bpfobj *b, const struct target *tg, const struct probe_site *sites,
			 int n, struct bpfobj_link **links, int *bad);
/* The link of the target's site I, handed over to the caller (NULL: none). */
struct bpfobj_link *bpfobj__take_link(struct bpfobj *b, int i);
void bpfobj__free(struct bpfobj *b);

/* -sample into the programs' .bss: before load, or while they run. */
void bpfobj__set_sample(struct bpfobj *b, const struct xg_sample *conf);

/* The ring of one reader (-rw 1), and the map of the rings of -rw N. */
int bpfobj__events_fd(const struct bpfobj *b);
int bpfobj__rings_fd(const struct bpfobj *b);
/* The program NAME, and the one that times a probe hit (src/core/meters.c); -1: none. */
int bpfobj__prog_fd(const struct bpfobj *b, const char *name);
int bpfobj__calib_fd(const struct bpfobj *b);

/* Records lost to a full ring, summed over CPUs; 0 before load. */
uint64_t bpfobj__drops(const struct bpfobj *b);
/* With allocation probes: a line of probe hits on stderr. */
void bpfobj__report_hits(const struct bpfobj *b);
/* BPF run time and run count summed over our programs (kernel BPF stats). */
/*
 * The batches of casgstatus records of CPUs FIRST, FIRST + STRIDE, ... into
 * their rings (bpf/xgotop.bpf.c flush_batch): before each read of the
 * rings. How many CPUs' batches stayed claimed (a writer preempted inside
 * its program holds its CPU's batch until it runs again: their records,
 * however old, come with a later read), or -errno.
 */
int bpfobj__flush_batches(const struct bpfobj *b, int first, int stride);
void bpfobj__run_totals(const struct bpfobj *b, uint64_t *run_ns, uint64_t *run_cnt);
/* The same for the program NAME alone (0s without it or without statistics). */
void bpfobj__prog_totals(const struct bpfobj *b, const char *name, uint64_t *run_ns,
			 uint64_t *run_cnt);
/*
 * With allocation probes: the histogram buckets that changed since GT
 * last saw them, as GEV_ALLOC_HIST events through EMIT.
 */
int bpfobj__poll_hist(struct bpfobj *b, const struct gtable *gt, uint64_t now, decoder_emit_fn emit,
		      void *ctx);

#endif /* XGOTOP_BPFOBJ_H */
