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
	/* Spans of history kept per goroutine (0: 16). The ring starts at 4 and grows. */
	uint32_t max_spans;
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
	uint8_t state;	     /* current Go status */
	int reason;	     /* GEV_NO_REASON unless waiting */
	const char *reason_str;
	uint64_t state_since; /* ts of the last transition */
	/* Closed spans only: add now - state_since for the open one (gentry__time_in). */
	uint64_t ns_in_state[GT_NSTATES];
	uint64_t transitions;
	/* Recent history for the timeline: ring of the last spans. */
	struct gstate_span *spans;
	uint32_t n_spans;   /* valid entries */
	uint32_t span_head; /* next slot to write */
	uint32_t span_cap;
};

struct gtable_counts {
	uint64_t live;		       /* not exited */
	uint64_t by_state[GT_NSTATES]; /* live goroutines per current state */
	uint64_t created;	       /* creations seen */
	uint64_t exited;	       /* exits seen */
	uint64_t events;	       /* events applied */
	/* ts older than the goroutine's last transition: clamped to it, no negative spans. */
	uint64_t out_of_order;
	/* GEV_STATE whose from differs from the state we had: a transition was missed. */
	uint64_t from_mismatch;
	/* Events ignored: unknown kind, or a state >= GT_NSTATES. */
	uint64_t invalid;
	uint64_t expired; /* exited goroutines dropped by gtable__expire */
};

struct gtable *gtable__new(const struct gtable_opts *opts);
void gtable__free(struct gtable *gt);

/*
 * Apply one event. 0, or -ENOMEM (the event was not applied). Unknown
 * goroutines are added on first sight. The span history is best effort: when
 * its ring cannot grow, older spans are overwritten; time accounting stays exact.
 */
int gtable__apply(struct gtable *gt, const struct gev *ev);
/*
 * Apply N events in order, as gtable__apply would one by one, but faster on
 * a big table: memory is fetched a few events ahead. 0, or the first error;
 * *DONE (may be NULL) is the number of events applied.
 */
int gtable__apply_batch(struct gtable *gt, const struct gev *evs, size_t n, size_t *done);
/* Drop goroutines that exited more than keep_exited_ns before NOW. Costs what it drops. */
void gtable__expire(struct gtable *gt, uint64_t now);

/* Entries do not move: a pointer stays valid until gtable__expire drops the entry. */
const struct gentry *gtable__find(const struct gtable *gt, uint32_t pid, uint64_t goid);
/* Total time in STATE for E up to NOW (its exit, if it exited), the open span included. */
uint64_t gentry__time_in(const struct gentry *e, unsigned int state, uint64_t now);
/* Call FN for every entry (order unspecified); stop early when it returns non-zero. */
int gtable__for_each(const struct gtable *gt, int (*fn)(const struct gentry *e, void *ctx),
		     void *ctx);
size_t gtable__size(const struct gtable *gt);
void gtable__counts(const struct gtable *gt, struct gtable_counts *out);

/* The I-th oldest span of E's history (I < e->n_spans), or NULL. */
const struct gstate_span *gentry__span(const struct gentry *e, uint32_t i);

/* A sorted list of entries for the views; reuse it across refreshes. */
struct gtable_view {
	const struct gentry **v;
	size_t n;
	size_t cap;
};

/*
 * Fill VIEW with the entries KEEP accepts (NULL: all), sorted by CMP (NULL:
 * by pid, goid); ties are broken by pid, goid so rows do not jump between
 * refreshes. CTX goes to both. The pointers stay valid until gtable__expire.
 * 0, or -ENOMEM (VIEW then unchanged).
 */
int gtable__snapshot(const struct gtable *gt, struct gtable_view *view,
		     bool (*keep)(const struct gentry *e, void *ctx),
		     int (*cmp)(const struct gentry *a, const struct gentry *b, void *ctx),
		     void *ctx);
/* Frees VIEW's array; VIEW may be reused afterwards. */
void gtable_view__release(struct gtable_view *view);

#endif /* XGOTOP_GTABLE_H */
