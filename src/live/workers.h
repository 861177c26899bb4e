/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reader and processor threads (-rw N, -pw N): the live pipeline when one
 * thread is not enough (docs/ARCHITECTURE.md, "Workers").
 *
 *   ring 0 -> reader 0 --\   batches by shard   /-- processor 0 (decoder of shard 0) --\
 *   ring 1 -> reader 1 ---+--------------------+                                        +-> sink
 *   ...                  /  (SPSC queues)       \-- processor 1 (decoder of shard 1) --/
 *
 * A record belongs to the shard of its g address (stable for a goroutine's
 * life, and the key of every piece of decoder state about it), GC records to
 * the shard of their process: each processor decodes whole goroutines, so
 * their events come out in order however the records were spread over the
 * rings. A processor releases a record only once every reader has handed
 * over everything read up to its timestamp plus the reorder window. The sink
 * (the caller's thread, which owns the state table and the outputs) merges
 * the processors' events by timestamp.
 *
 * No libbpf: the rings are read through ops->read, so a test or a benchmark
 * can feed the pipeline from memory.
 */
#ifndef XGOTOP_WORKERS_H
#define XGOTOP_WORKERS_H

#include <stdint.h>

#include "decode.h"

#define WORKERS_MAX		 16
#define WORKERS_BATCH_DEFAULT	 1000
#define WORKERS_FLUSH_NS_DEFAULT (10 * 1000 * 1000ull)
#define WORKERS_BATCH_MAX	 (1u << 20)
#define WORKERS_FLUSH_NS_MAX	 (10 * 1000 * 1000 * 1000ull)

struct workers;

struct workers_ops {
	/*
	 * Reader thread READER: wait at most TIMEOUT_MS for records of ring
	 * READER and hand each to workers__put(W, READER, ...). Returns how
	 * many were read, or -errno, which stops the pipeline.
	 */
	int (*read)(void *ctx, struct workers *w, unsigned int reader, int timeout_ms);
	/* Processor thread PROC: a record before its decoder sees it. May be NULL. */
	void (*record)(void *ctx, unsigned int proc, const struct xg_event *rec);
	/*
	 * Processor thread PROC: an event its decoder emitted, for the work that
	 * needs no shared state (symbolization). May be NULL. 0 or -errno.
	 */
	int (*prepare)(void *ctx, unsigned int proc, struct gev *ev);
	/* At the end, the goid of a create still waiting for it (decoder__finish). May be NULL. */
	decoder_goid_fn resolve;
};

struct workers_opts {
	unsigned int readers;	 /* 1..WORKERS_MAX: one ring each */
	unsigned int processors; /* 1..WORKERS_MAX */
	unsigned int batch_size; /* records per hand-off; 0: WORKERS_BATCH_DEFAULT */
	uint64_t flush_ns;	 /* a partial batch waits at most this; 0: the default */
	uint64_t window_ns;	 /* how long a record may wait for stragglers of other rings */
	/*
	 * The records stay in the decoders (nothing is decoded or leaves them)
	 * until workers__open(): the attach seeds the decoders first, or a
	 * seed would overwrite the state records had already moved on.
	 */
	bool held;
	struct decoder_opts dec;
	const struct workers_ops *ops;
	void *ctx;
};

struct workers_stats {
	uint64_t records;	  /* read by the readers */
	uint64_t events;	  /* handed to the sink */
	uint64_t queued;	  /* records and events between the rings and the sink */
	uint64_t proc_ns;	  /* CPU time of the processors */
	uint64_t read_ns;	  /* CPU time of the readers */
	uint64_t handoffs;	  /* batches handed from readers to processors */
	struct decoder_stats dec; /* summed over the processors */
};

/*
 * Run FN on each processor's decoder in turn, while that processor is not
 * using it (-sample changes, goroutines found at attach): 0 or the first
 * non-zero FN result. Any thread but the processors'.
 */
int workers__each_decoder(struct workers *w, int (*fn)(struct decoder *d, void *ctx), void *ctx);

/* Start the threads. NULL and errno (EINVAL: bad options, ENOMEM, or pthread_create's). */
struct workers *workers__new(const struct workers_opts *opts);
/* Opts.held: from now on the processors decode and release records. Any thread. */
void workers__open(struct workers *w);
/* Reader thread READER only (from ops->read): queue one record. 0 or -errno. */
int workers__put(struct workers *w, unsigned int reader, const struct xg_event *rec);
/*
 * Reader thread READER only (from ops->read): records older than this read
 * may still come (a batch stayed claimed), so its horizon stays where the
 * last read left it.
 */
void workers__hold(struct workers *w, unsigned int reader);
/*
 * The sink, always from the same thread: pass every event that is ready to
 * EMIT, in order, waiting at most TIMEOUT_MS for one. 0; 1 once
 * workers__stop() was called and everything was emitted; or the first
 * error of a thread or of EMIT.
 */
int workers__drain(struct workers *w, int timeout_ms, decoder_emit_fn emit, void *ctx);
/* The readers read what is left in their rings and stop; the processors then flush. */
void workers__stop(struct workers *w);
/* From any thread; counters are read without stopping the pipeline. */
void workers__stats(struct workers *w, struct workers_stats *out);
/* Stops and joins the threads. Accepts NULL. */
void workers__free(struct workers *w);

/* Shard of a record among N processors. */
unsigned int workers__shard(const struct xg_event *rec, unsigned int n);

#endif /* XGOTOP_WORKERS_H */
