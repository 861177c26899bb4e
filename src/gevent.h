/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A goroutine event as the rest of the program sees it: decoded from the
 * ring-buffer records (src/decode.c), symbolized, and then applied to the
 * state table, written as JSONL and recorded. Strings are interned by the
 * producer and outlive the event.
 */
#ifndef XGOTOP_GEVENT_H
#define XGOTOP_GEVENT_H

#include <stdbool.h>
#include <stdint.h>

enum gev_kind {
	GEV_CREATE = 1,
	GEV_STATE = 2,
	GEV_EXIT = 3,
};

#define GEV_NO_REASON (-1)

struct gev {
	enum gev_kind kind;
	uint64_t ts; /* ns, CLOCK_MONOTONIC */
	uint32_t pid;
	uint32_t tid;
	uint64_t goid;
	/* GEV_STATE: Go status numbers (enum xg_gstatus). GEV_CREATE: to is the first state. */
	uint8_t from;
	uint8_t to;
	/* Not observed by a probe: deduced from the next observed transition. */
	bool inferred;
	/* to == waiting (GEV_STATE, GEV_CREATE): runtime.waitReason index, or GEV_NO_REASON. */
	int reason;
	const char *reason_str; /* NULL: unknown index (written as "#N") */
	/* GEV_CREATE. */
	uint64_t parent;
	uint64_t startpc;
	uint64_t gopc;
	const char *func;       /* start function, NULL when unknown */
	const char *created_by; /* function holding the go statement */
	const char *file;       /* of the go statement */
	int line;
};

/* "running", "waiting", ...; "unknown" outside the known states. */
const char *gev_state_name(unsigned int state);

#endif /* XGOTOP_GEVENT_H */
