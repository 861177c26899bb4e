/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-goroutine state table, keyed by (pid, goid). Fed with struct gev
 * in timestamp order per goroutine; read by the views (live and replay).
 * Pure: no libbpf, no ncurses, no global state, not thread-safe (one
 * owner).
 */
#ifndef XGOTOP_GTABLE_H
#define XGOTOP_GTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gevent.h"

#define GT_NSTATES 12 /* indexes are Go status numbers, enum xg_gstatus */

struct gtable;

struct gtable_opts {
	/* How long an exited goroutine stays in the table, ns (0: 30 s). */
	uint64_t keep_exited_ns;
};

struct gstate_span {
	uint64_t start; /* ns */
	uint8_t state;
};

struct gentry {
	uint32_t pid;
	uint64_t goid;
	uint64_t parent;
	const char *func;
	const char *created_by;
	const char *file;
	int line;
	uint64_t created_ts; /* 0 when the creation was not seen (existed before attach) */
	uint64_t exited_ts;  /* 0 while alive */
	uint8_t state;       /* current Go status */
	int reason;          /* GEV_NO_REASON unless waiting */
	const char *reason_str;
	uint64_t state_since; /* ts of the last transition */
	uint64_t ns_in_state[GT_NSTATES]; /* closed spans only; add now - state_since for the open one */
	uint64_t transitions;
	/* Recent history for the timeline: ring of the last spans. */
	struct gstate_span *spans;
	uint32_t n_spans;     /* valid entries */
	uint32_t span_head;   /* next slot to write */
	uint32_t span_cap;
};

struct gtable_counts {
	uint64_t live;                    /* not exited */
	uint64_t by_state[GT_NSTATES];    /* live goroutines per current state */
	uint64_t created;                 /* creations seen */
	uint64_t exited;                  /* exits seen */
	uint64_t events;                  /* events applied */
};

struct gtable *gtable__new(const struct gtable_opts *opts);
void gtable__free(struct gtable *gt);

/* Apply one event. 0, or -ENOMEM. Unknown goroutines are added on first sight. */
int gtable__apply(struct gtable *gt, const struct gev *ev);
/* Drop exited goroutines older than keep_exited_ns before NOW. */
void gtable__expire(struct gtable *gt, uint64_t now);

const struct gentry *gtable__find(const struct gtable *gt, uint32_t pid, uint64_t goid);
/* Total time in STATE for E up to NOW, the open span included. */
uint64_t gentry__time_in(const struct gentry *e, unsigned int state, uint64_t now);
/* Call FN for every entry (order unspecified); stop early when it returns non-zero. */
int gtable__for_each(const struct gtable *gt, int (*fn)(const struct gentry *e, void *ctx),
		     void *ctx);
size_t gtable__size(const struct gtable *gt);
void gtable__counts(const struct gtable *gt, struct gtable_counts *out);

#endif /* XGOTOP_GTABLE_H */
