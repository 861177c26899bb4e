/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One live session (tracer__run), inside src/live/ only. Records flow:
 * ring buffer(s) (rings.c: one reader, or -rw/-pw workers) -> decoder
 * (order, creates, inferred transitions) -> sink (sink.c: symbolize, then
 * state table, JSONL, recording). livesrc.c is the session as the UI sees
 * it (struct xg_source: pump, meters, -sample); tracer.c runs it.
 * Each part below belongs to the file named with it.
 */
#ifndef XGOTOP_SESSION_H
#define XGOTOP_SESSION_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpfobj.h"
#include "capture.h"
#include "decode.h"
#include "goelf.h"
#include "meters.h"
#include "sample.h"
#include "source.h"
#include "target.h"
#include "workers.h"

/* How long a record may wait for stragglers from other CPUs. */
#define REORDER_WINDOW_NS (20 * 1000 * 1000ull)
#define POLL_MS		  50
#define METER_INTERVAL_NS (1000 * 1000 * 1000ull)
#define SYMCACHE_SIZE	  4096
#define MAX_PROCS	  1024
#define STACK_INTERVAL_NS (2000 * 1000 * 1000ull) /* --stack-interval: the UI's default */

struct httpd;
struct live_opts;
struct promstats;
struct poll_src;
struct snapshot;
struct snapshot_ops;

struct symcache_entry {
	uint64_t pc;
	struct go_pcinfo info;
	bool ok;
};

struct proc_bias {
	uint32_t pid;
	uint64_t bias;
};

/* sink.c: decoded events to the state table, JSONL and the recording. */
struct sink {
	struct gtable *gt;
	struct jsonl_writer *out;
	struct outq *outq; /* out's blocks, written on a thread of their own */
	int out_err;
	uint64_t out_flush_ns;	   /* the last flush of out (sink__flush_jsonl) */
	struct record_writer *rec; /* --record and/or the flight recorder */
	int rec_err;
	struct symcache_entry *symcache; /* the single-threaded path's */
	/* Load bias of each process, learnt from its first record (PIE). */
	struct proc_bias procs[MAX_PROCS];
	unsigned int n_procs;
	pthread_mutex_t bias_mu; /* procs[] with workers */
	uint64_t last_ts;	 /* of the latest goroutine event applied: the order of outputs */
	/* Which goroutine each thread runs: off-CPU time is charged to it (offcpu.c). */
	struct sched_threads *threads;
};

/* -rw N / -pw N (src/live/workers.c): what each reader and processor thread owns. */
struct ring_reader {
	struct ring_buffer *rb;
	struct workers *w;
	unsigned int idx;
	int fd; /* the ring map, -1: the events map */
};

struct proc_state {
	struct symcache_entry *symcache;
	uint32_t known_pid; /* its load bias is learnt */
};

/* rings.c: a process whose goroutine table is read again after lost records. */
struct resync_proc {
	struct resync *r;
	struct poll_src *src;
	bool watching; /* the last read left goroutines to watch (snapshot.h) */
};

/* rings.c: the drop counter, and the re-reads it calls for (at most one a second). */
struct gap_watch {
	uint64_t drops;	   /* the counter when the last re-read began (the baseline) */
	uint64_t calm_ts;  /* when it was last seen at the baseline */
	uint64_t read_ts;  /* the last re-read */
	uint64_t rounds;   /* re-reads so far */
	uint64_t check_ts; /* the goroutines a re-read left running were last read again */
	bool warned;	   /* that records keep being lost */
	struct resync_proc *procs;
	unsigned int n_procs;
};

/* rings.c: the ring buffer and its decoder, or the workers (-rw N, -pw N with N > 1). */
struct rings {
	struct ring_buffer *rb;
	struct decoder *dec;
	struct workers *wk; /* NULL: everything runs in pump() */
	struct ring_reader readers[WORKERS_MAX];
	struct proc_state pstate[WORKERS_MAX];
	struct gap_watch gap;
	uint64_t flushed_ns; /* pump(): before the last read that emptied every batch */
};

/* livesrc.c: meter counters, and their values at the last sample. */
struct live_meters {
	uint64_t n_records, n_events, proc_ns;
	uint64_t sink_ns; /* CPU time of the sink, in pump() with workers */
	uint64_t m_ts, m_records, m_events, m_proc_ns, m_drops;
	uint64_t m_run_ns, m_run_cnt; /* BPF run time and hits at the last sample */
	struct xg_meters last;	      /* the last full sample, what every reader sees */
	struct meters *mt;	      /* per-probe LAT, OVH, meter line, --metrics */
	/*
	 * The hit cost, timed on a thread of ours while the rings are read
	 * (OVH n/a until then): the sampling thread takes it once done.
	 */
	pthread_t calib_thr;
	bool calib_running;
	bool calib_tried; /* started once (or failed to): never again */
	volatile bool calib_stop;
	atomic_bool calib_done;
	int calib_fd, calib_err;
	struct meters_calib calib;
};

/* promlive.c: --listen, the metrics server and what it serves. */
struct prom_live {
	struct httpd *srv;    /* NULL: no --listen */
	struct promstats *ps; /* counters and histograms the table does not keep */
	uint64_t published_ns;
	uint64_t interval_ns; /* until the next: at least a second (promlive__tick) */
	bool warned;
};

struct heap_src;
struct cgroup_cpu;

struct tracer {
	const struct live_opts *opts;
	struct target tg;
	struct bpfobj bpf;
	struct poll_src *poll; /* --poll: the goroutine table instead of probes */
	/* -pid: the goroutines found at attach, and the table they were read from. */
	struct snapshot *snap;
	struct poll_src *snap_src;
	struct heap_src *heap; /* the runtime's heap statistics, read once a second (-pid, CMD) */
	struct cgroup_cpu *cg; /* its cgroup's CPU limit and throttling, once a second (cgroup.c) */
	struct rings rings;
	struct sink sink;
	struct live_meters m;
	struct prom_live prom;
	struct sample_spec smp;	   /* -sample in force (the UI may change it) */
	struct xg_sample smp_conf; /* and as the BPF programs and decoders have it */
	struct capture cap;	   /* the capture level and why (capture.c) */
	char attached[512];	   /* the probe list of the attach line */
	uint64_t start_ns;	   /* tracer__run began: --duration counts from here */
	uint64_t deadline;
	uint64_t end_ts;    /* tracing ended (livesrc__end): the last meter sample's time */
	uint64_t detach_ns; /* how long livesrc__end took: mostly the kernel's uprobe removal */
	/* Stacks (issue 15): the sweeper thread and the model's copy, owned by the pump. */
	struct stacksweep *sweep;
	struct stackset *stacks;
	uint64_t sweep_ns; /* between sweeps; 0: off */
	bool sweep_tried;  /* started, or failed once (said so) */
	bool sweep_warned; /* a failed sweep was reported */
	bool forwarded;	   /* a signal went to the launched child */
	bool ended;
};

/* sink.c */
int sink__open(struct tracer *t);
int sink__begin_recording(struct tracer *t);
/* Returns RC, or 1 if it was 0 and the JSONL or the recording failed. */
int sink__close(struct tracer *t, int rc);
void sink__free(struct tracer *t);
void sink__record_error(struct tracer *t, int err);
#define JSONL_FLUSH_NS	100000000ull /* --jsonl handed to its writer at least every 0.1 s */
#define JSONL_QUEUE_MAX (64u << 20)  /* --jsonl bytes waiting for their writer, at most */
void sink__flush_jsonl(struct tracer *t, uint64_t now);
void sink__learn_bias(struct tracer *t, const struct xg_event *rec);
void sink__bias_from_poll(struct tracer *t, const struct poll_src *src);
/* Names from the binary and the Go release: no shared state but CACHE (any processor). */
void sink__symbolize(struct tracer *t, struct symcache_entry *cache, struct gev *ev);
/* The load bias of process PID as the sink knows it (0 until known). */
uint64_t sink__bias(struct tracer *t, uint32_t pid);

/* startname.c */
/*
 * Name the start function of the found creates EVS (N) that start in a
 * go-statement wrapper calling through a closure, a method value or an
 * interface, from their stacks; *NAMED says how many. 0 or -errno (the
 * creates keep the wrapper's name).
 */
struct found_g;
int startname__found(struct tracer *t, struct found_g *fs, size_t n, size_t *named);
/* The sink's decoder_emit_fn: symbolized already (sink__put), or not yet (sink__emit). */
int sink__put(const struct gev *ev, void *tracer);
int sink__emit(const struct gev *ev, void *tracer);

/* rings.c */
/* The decoder, before attaching; the rings and threads, after load. 0 or -errno (reported). */
int rings__new_decoder(struct tracer *t);
int rings__open(struct tracer *t);
/*
 * While attaching: the records so far into the decoder, where they wait
 * for the goroutines found at attach (nothing is released before pump).
 * The ring is emptied from the first probe on, not once the session runs.
 */
int rings__consume(struct tracer *t);
/*
 * The goroutines found at attach are in the decoders (snapshot__emit): with
 * -rw/-pw the processors, which held every record until now, may decode and
 * release them. Without workers nothing is released before pump anyway.
 */
void rings__release_held(struct tracer *t);
void rings__free(struct tracer *t);
int rings__each_decoder(struct tracer *t, int (*fn)(struct decoder *d, void *ctx), void *ctx);
void rings__set_sampling(struct tracer *t, const struct xg_sample *conf);
/* One turn of pump(): read, decode, emit what left the reorder window. */
int rings__pump(struct tracer *t, int timeout_ms);
/* After detaching: every record still in the rings and the decoders. */
int rings__finish(struct tracer *t);
uint64_t rings__queued(struct tracer *t);
/* The attach snapshot's view of the decoders and the sink (snapshot.h). */
void rings__snapshot_ops(struct tracer *t, struct snapshot_ops *ops);

/* capture.c */
/*
 * Before the probes go in: the level (--overhead-budget, or pinned), from a
 * short read of the goroutine table; the sites re-resolved if it is not the
 * default's. 0 or -errno (reported).
 */
int capture__choose(struct tracer *t);
/* The GEV_CAPTURE event of the level in force, through the sink (stamped now, or TS). */
int capture__emit(struct tracer *t);
int capture__emit_at(struct tracer *t, uint64_t ts);
/*
 * The level may change while running (--overhead-budget, one process, one
 * ring reader): then the BPF object is loaded even when polling.
 */
bool capture__may_switch(const struct tracer *t);
/*
 * Once attached (or, polling, loaded) and the meters open: keep each
 * level's casgstatus sites and the other probes' links, so that the level
 * can change between states, lifecycle and poll while running.
 */
int capture__setup(struct tracer *t);
/* Each turn of pump(): every 200 ms, the cost checked, the level changed if due. */
int capture__tick(struct tracer *t);
/*
 * A record as it arrives: creates counted, to price lifecycle while at
 * states. (A change seen by both levels' probes is said once by the
 * decoder, in timestamp order: decoder__set_repairs.)
 */
void capture__count(struct tracer *t, const struct xg_event *rec);
/*
 * The links of the level sets (before draining at the end), a switch under
 * way finished first (0 or -errno); and everything.
 */
int capture__detach(struct tracer *t);
/* After the last records: the capture event of a switch still waiting. */
int capture__end(struct tracer *t);
void capture__free(struct tracer *t);
/* After each meter sample: the cost share and whether it is over budget. */
void capture__sample(struct tracer *t);

/* livesrc.c */
extern volatile sig_atomic_t live_stop_signal;
extern const struct xg_source_ops live_ops, live_ops_recent;
int livesrc__pump(void *tracer, int timeout_ms);
int livesrc__end(struct tracer *t);
void livesrc__apply_sample(struct tracer *t, const struct sample_spec *spec);
int livesrc__open_meters(struct tracer *t);
void livesrc__sample_meters(struct tracer *t);
/* The hit cost timed in the background, once, when there is a BPF object. */
void livesrc__start_calib(struct tracer *t);
/* The calibration thread: waited for (WAIT), else told to stop; joined. */
void livesrc__end_calib(struct tracer *t, bool wait);
/* The stack sweeper stopped (the last sweep stays in t->stacks). */
void livesrc__end_stacks(struct tracer *t);

/* promlive.c */
/* --listen: start the server (0, or -errno: reported). Nothing without --listen. */
int promlive__open(struct tracer *t);
/* On the pump's thread: publish the metrics when a second has passed, or NOW. */
void promlive__tick(struct tracer *t, bool now);
/* EV, about to be applied to the state table (with --listen only). */
void promlive__observe(struct tracer *t, const struct gev *ev);
void promlive__close(struct tracer *t);
/* livesrc.c: the capture level in force: "lifecycle", "states", "all" or "poll". */
const char *livesrc__capture_level(struct tracer *t);

#endif /* XGOTOP_SESSION_H */
