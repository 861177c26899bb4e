/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From ring-buffer records to goroutine events. Records from different
 * CPUs arrive slightly out of order; the decoder holds them for a short
 * window and releases them in timestamp order, then:
 *  - turns a creating casgstatus (dead -> runnable) into a create event,
 *    and splits an exiting one (-> dead) into state + exit;
 *  - before go1.24 newproc1 sets the goid only after the creating
 *    casgstatus, so a create is held until the next record of the same g
 *    (which carries the goid) arrives;
 *  - a wait entered with reason 0 (the runtime names some waits only after
 *    casgstatus) is held until the goroutine leaves it, and takes the
 *    reason read then;
 *  - when a record's "from" differs from the last "to" seen for that
 *    goroutine, the runtime changed its status without casgstatus (e.g.
 *    async preemption): an inferred state event bridges the gap;
 *  - allocation records become GEV_ALLOC as they are; GC records become
 *    GEV_GC with each stop-the-world's end paired to its start (duration,
 *    reason) and cycles numbered, and an END event (with the cycle's
 *    summary) after the pause in which the cycle's mark terminated.
 * Pure: no libbpf, no global state.
 */
#ifndef XGOTOP_DECODE_H
#define XGOTOP_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "xgotop_event.h"
#include "gevent.h"

struct decoder;

/* A thread's two hits of one change further apart than this are two changes. */
#define DECODER_DUP_NS (1000 * 1000 * 1000ull)

#define DECODER_WAIT_SITES 8

/* A function whose calls of casgstatus enter a wait of a known reason (go1.19). */
struct decoder_wait_site {
	uint64_t start, end; /* link-time [start, end) */
	int reason;	     /* the wait-reason index that names it */
};

struct decoder_opts {
	/* newproc1 assigns the goid before the creating casgstatus (go1.24+). */
	bool goid_before_create;
	/*
	 * Records flagged XG_EVF_CALLER carry casgstatus's return address:
	 * a wait entered from one of these sites takes its reason (the
	 * run-time address less the bias of the probe at casg_vaddr).
	 */
	uint64_t casg_vaddr;
	unsigned int n_wait_sites;
	struct decoder_wait_site wait_sites[DECODER_WAIT_SITES];
};

struct decoder_stats {
	uint64_t records;      /* pushed */
	uint64_t events;       /* emitted */
	uint64_t inferred;     /* inferred transitions emitted */
	uint64_t late;	       /* records older than one already released */
	uint64_t pending;      /* creates waiting for their goid */
	uint64_t unresolved;   /* creates flushed without a confirmed goid */
	uint64_t late_reasons; /* waits named only when the goroutine left them */
	uint64_t site_reasons; /* waits named by the caller of casgstatus (go1.19) */
	uint64_t dup_syscalls; /* syscall edges seen by a tracepoint and casgstatus both */
	/* Around a switch between states and lifecycle (src/live/capswitch.c): */
	uint64_t dup_sites;    /* changes seen by both levels' casgstatus sites, said once */
	uint64_t lost_creates; /* creates said from the goroutine's end (XG_EVF_GINFO) */
	uint64_t lost_exits;   /* exits said from a create on the same g */
	uint64_t queued;       /* records held in the reorder window */
	uint64_t allocs;       /* allocation events emitted */
	uint64_t gcs;	       /* GC events emitted (END included) */
	uint64_t offcpu;       /* off-CPU intervals of threads emitted (sched_switch) */
	uint64_t unknown;      /* records of a type this decoder does not know, dropped */
	uint64_t unsampled;    /* creates dropped by -sample once their goid was known */
};

typedef int (*decoder_emit_fn)(const struct gev *ev, void *ctx);
/*
 * Called on every event just before it is emitted, on the decoder's own
 * storage, which it may complete (names from addresses): the emit
 * function then need not copy it to do so. Fields it sets must be ones
 * the decoder clears for each event (the head of struct gev, before alloc).
 */
typedef void (*decoder_prepare_fn)(struct gev *ev, void *ctx);
void decoder__set_prepare(struct decoder *d, decoder_prepare_fn fn, void *ctx);
/* Read the goid of the g at G_ADDR in process PID now; 0 or -errno. */
typedef int (*decoder_goid_fn)(uint32_t pid, uint64_t g_addr, uint64_t *goid, void *ctx);

struct decoder *decoder__new(const struct decoder_opts *opts);
void decoder__free(struct decoder *d);

/* Queue one record. 0 or -ENOMEM. */
int decoder__push(struct decoder *d, const struct xg_event *rec);
/*
 * Release, in timestamp order, the queued records with ts <= UNTIL and emit
 * their events through EMIT. Stops at and returns the first non-zero EMIT
 * result. UINT64_MAX releases everything.
 */
int decoder__drain(struct decoder *d, uint64_t until, decoder_emit_fn emit, void *ctx);
/*
 * At the end of a session: emit the creates still waiting for their goid,
 * asking RESOLVE (may be NULL) for it; unresolved ones carry goid 0.
 */
int decoder__finish(struct decoder *d, decoder_goid_fn resolve, decoder_emit_fn emit, void *ctx);
void decoder__stats(const struct decoder *d, struct decoder_stats *out);
/*
 * -sample, as the BPF programs apply it (may change at any time). The
 * decoder finishes what BPF cannot do before go1.24 (opts.goid_before_create
 * false): a creation is kept or dropped when its goid becomes known, by the
 * goroutine rate and the newgoroutine rate. While state changes are sampled
 * record by record, a gap in a goroutine's chain is no missed transition:
 * no inferred events.
 */
void decoder__set_sampling(struct decoder *d, const struct xg_sample *s);
/*
 * Goroutine GOID of PID was found in STATE before the probes saw anything
 * (-pid: its goroutine table read at attach): its first record then
 * continues from STATE, with an inferred event if it changed meanwhile.
 * 0 or -ENOMEM.
 */
int decoder__seed(struct decoder *d, uint32_t pid, uint64_t goid, uint8_t state);
/* Seeded, and no record of it released since (it may have ended unseen). */
bool decoder__seeded(const struct decoder *d, uint32_t pid, uint64_t goid);
/*
 * Goroutine GOID of PID was found in STATE by a read of the goroutine
 * table made after the probes went in, not by the one before: created
 * in between, before the probes or under them. Its first record decides:
 * a create is its own; any other record makes the decoder emit, first,
 * the create that LATE_FN fills (marked existing, in the state the record
 * leaves, at its time). Untouched, decoder__late stays true: the caller
 * lists it once every record up to the read is in. 0 or -ENOMEM.
 */
typedef int (*decoder_late_fn)(uint32_t pid, uint64_t goid, struct gev *create, void *ctx);
int decoder__seed_late(struct decoder *d, uint32_t pid, uint64_t goid, uint8_t state);
void decoder__set_late_fn(struct decoder *d, decoder_late_fn fn, void *ctx);
bool decoder__late(const struct decoder *d, uint32_t pid, uint64_t goid);
/*
 * Goroutine GOID of PID ended unseen (a read of the goroutine table no
 * longer has it, after lost records): nothing of it is kept any more.
 */
void decoder__forget(struct decoder *d, uint32_t pid, uint64_t goid);
/*
 * Before go1.24: forget the creates of PID up to UNTIL still waiting for
 * their goid. A read of the goroutine table made after them lists those
 * alive (as existing); the others ended unseen, and the next record of
 * their g, a later goroutine's, would name them with a dead goid. Returns
 * how many.
 */
size_t decoder__drop_pending(struct decoder *d, uint32_t pid, uint64_t until);
/*
 * The repairs of a change of capture level (src/live/capswitch.c): a create
 * on a g whose last goroutine was never seen ending ends it first, an end
 * of a goroutine never seen (XG_EVF_GINFO) is created first, and a change
 * seen by both levels' casgstatus sites (a call site's probe, then
 * casgstatus's own: a thread's two records in a row, in timestamp order,
 * alike but for ip and ts, within DECODER_DUP_NS) is said once. Off by
 * default: one level alone never needs them, and they keep a map of every
 * g and every thread.
 */
void decoder__set_repairs(struct decoder *d, bool on);
/* Release nothing after UNTIL (0: no limit) until told otherwise: records wait for seeds. */
void decoder__hold(struct decoder *d, uint64_t until);
/* Each goroutine of PID known alive, with its last state (a late one is not known yet). */
typedef int (*decoder_live_fn)(uint64_t goid, uint8_t state, void *ctx);
int decoder__each_live(const struct decoder *d, uint32_t pid, decoder_live_fn fn, void *ctx);
/*
 * The probes are out (src/live/capture.c, a step down to poll): everything
 * known of PID's goroutines is forgotten, creates waiting for their goid
 * included; records from here on start afresh (seeded again before).
 */
void decoder__forget_all(struct decoder *d, uint32_t pid);
/*
 * Called while draining with the goroutine of the queued record AHEAD places
 * after the one released, so that EMIT's consumer can fetch what it will
 * touch (gtable__prefetch) while the records before it are decoded and
 * applied: each otherwise waits on a chain of cache misses of its own. A
 * hint: for a consumer on the draining thread only. FN NULL: none.
 */
typedef void (*decoder_ahead_fn)(uint32_t pid, uint64_t goid, void *ctx);
void decoder__set_ahead(struct decoder *d, decoder_ahead_fn fn, void *ctx, unsigned int ahead);
/* A record of it is held back (a wait whose reason comes later): its state is not final. */
bool decoder__holds(const struct decoder *d, uint32_t pid, uint64_t goid);

#endif /* XGOTOP_DECODE_H */
