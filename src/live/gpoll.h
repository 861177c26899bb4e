/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --poll HZ: the goroutine table read from the target's memory, no
 * uprobes. HZ times a second, runtime.allgs (every g the program ever
 * made) and the fields of each g - status, wait reason, goid, start PC,
 * go-statement PC, wait-since, parent goid (go1.21+) - are read with
 * process_vm_readv and compared with the previous read; what changed
 * becomes the same goroutine events the probes give (create, state, exit),
 * for the same state table, UI and JSONL. The target pays nothing but the
 * reads; transitions between two reads are not seen (a goroutine that ran
 * and parked again in between shows as an inferred pair).
 *
 * Two parts: the poller (pure: memory comes through a callback, so the
 * tests feed it a fake process) and the poll source (the I/O: the target's
 * memory, its load bias, the clock).
 */
#ifndef XGOTOP_GPOLL_H
#define XGOTOP_GPOLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xgotop_event.h"
#include "fileid.h"
#include "gevent.h"

struct goelf;

/* Where the goroutine table and the g fields are, for one binary. */
struct poll_layout {
	uint64_t allgs; /* link-time address of runtime.allgs, a []*g */
	uint32_t g_status, g_goid, g_waitreason, g_waitsince, g_startpc, g_gopc;
	uint32_t g_parent_goid; /* 0: no such field (before go1.21) */
};

/* One read of the target: LEN bytes at ADDR into BUF. */
struct poll_iov {
	uint64_t addr;
	void *buf;
	size_t len;
};
/* Read N ranges; 0, or -errno when any range could not be read (-ESRCH: gone). */
typedef int (*poll_read_fn)(const struct poll_iov *iov, size_t n, void *ctx);
typedef int (*poll_emit_fn)(const struct gev *ev, void *ctx);

struct poller;

/* BIAS: load bias of the target (0 unless PIE). NULL and errno on failure. */
struct poller *poller__new(const struct poll_layout *l, uint32_t pid, uint64_t bias,
			   poll_read_fn read, void *read_ctx);
void poller__free(struct poller *p);

/*
 * Read every g once and emit, stamped TS, what changed since the last read:
 * a create for a goroutine not seen before (carrying its state), a state
 * event per status change (inferred pairs for a goroutine seen waiting
 * twice that ran in between: its wait reason or wait-since changed), and
 * state -> dead plus exit for one that ended (or whose g now runs another
 * goid). Returns 0, the first non-zero EMIT result, or -errno from READ.
 */
int poller__sample(struct poller *p, uint64_t ts, poll_emit_fn emit, void *ctx);

struct poll_stats {
	uint64_t samples;
	uint64_t gs;	  /* gs in the last read */
	uint64_t live;	  /* goroutines alive after the last read */
	uint64_t bytes;	  /* bytes read by the last sample */
	uint64_t skipped; /* g entries ignored as unreadable or implausible */
	/*
	 * The highest goid in any g of the last read, dead ones included: a g
	 * keeps its last goid once dead (gdestroy does not clear it, go1.26
	 * proc.go), so this follows the goids handed out even when every new
	 * goroutine ended between two reads.
	 */
	uint64_t max_goid;
	/* Status changes seen, in all, of goroutines alive at two reads in a row. */
	uint64_t changes;
};
void poller__stats(const struct poller *p, struct poll_stats *out);
/*
 * Free what only a read needs (each g's address and fields: 56 bytes a g),
 * not what it knows: the next read allocates them again. For reads far
 * apart (attach's two): a 1M-goroutine table's buffers are 56 MB.
 */
void poller__trim(struct poller *p);

/*
 * The probes are out and the poller takes over (src/live/capture.c): a
 * goroutine the probes said is alive, with the state they last said.
 */
struct poll_known {
	uint64_t goid;
	uint8_t state;
	bool seen; /* found by the read */
};
/* Whether the probes said GOID ended. */
typedef bool (*poll_ended_fn)(uint64_t goid, void *ctx);
/*
 * The first read of a new poller, from what the probes said rather than
 * from nothing: a goroutine of ALIVE (N, sorted here) read alive continues
 * from its state (a state event if it changed); read dead, it ended (state
 * -> dead and exit) unless newproc1 is still making it (its create is out:
 * its state comes with the next read); on no g, it ended. One read alive
 * that ENDED says has ended (its end seen before casgstatus stored it) is
 * not new, now or at later reads; any other goroutine alive is a create.
 * 0, the first non-zero EMIT result, or -errno from READ.
 */
int poller__sample_known(struct poller *p, uint64_t ts, struct poll_known *alive, size_t n,
			 poll_ended_fn ended, void *ended_ctx, poll_emit_fn emit, void *ctx);
/*
 * Each goroutine alive at the last read as a create (goid, state, wait
 * reason; no time, no names): what the probes are seeded with when they
 * take over. Stops at the first non-zero FN result.
 */
void poller__each_alive(const struct poller *p, poll_emit_fn fn, void *ctx);
/*
 * The g that carried goroutine GOID in the last read, read again now (its
 * goid, status, sched.pc and start PC only): *STATUS is its status;
 * XG_G_DEAD once it has ended or its g runs another goroutine; and
 * XG_G_RUNNABLE while newproc1 is creating it (goid stored, status still
 * dead, sched.pc at its start function, go1.24+). 0, -ENOENT (no g
 * carried GOID) or -errno from READ.
 */
int poller__reread(struct poller *p, uint64_t goid, uint8_t *status);

/*
 * Find runtime.allgs in GE: its .symtab entry, else (stripped binaries) the
 * 24-byte slice whose three words runtime.allgadd's code addresses
 * (rip-relative on amd64, adrp+offset on arm64). 0 and *HOW ("symtab",
 * "runtime.allgadd code"), or -ENOENT.
 */
int poll__find_allgs(const struct goelf *ge, uint64_t *vaddr, const char **how);

/*
 * Fill L for GE from the offsets OFF. The status offset is not among the
 * probes' offsets: atomicstatus sits 8 bytes before goid in every release
 * from go1.19 to go1.26 (checked against DWARF by tests/overhead).
 * 0, or -ENOENT with ERR saying what is missing.
 */
int poll__layout(const struct goelf *ge, const struct xg_offsets *off, struct poll_layout *l,
		 char *err, size_t errlen);

/*
 * The load bias of process PID once it runs the binary GE (the file ID):
 * its mapping at file offset 0. 0; -EAGAIN while it runs another binary (a
 * launched child before its exec); -ESRCH when it is gone.
 */
int poll__find_bias(const struct goelf *ge, const struct file_id *id, pid_t pid, uint64_t *bias);

/* ---- the poll source: a live process --------------------------------------------------- */

struct poll_src;

/* Poll process PID running GE, the binary at PATH. NULL with ERR set on failure. */
struct poll_src *poll_src__open(const struct goelf *ge, const char *path,
				const struct xg_offsets *off, pid_t pid, double hz, char *err,
				size_t errlen);
void poll_src__free(struct poll_src *s);
/*
 * Sample when one is due at NOW (CLOCK_MONOTONIC ns); returns how long the
 * caller may sleep before the next one is due (ms, >= 0) through NEXT_MS.
 * 0, the first non-zero EMIT result, or -errno (-ESRCH: the process is gone).
 * Until the target's runtime has started (a launched child) there is nothing
 * to read, and that is not an error.
 */
int poll_src__pump(struct poll_src *s, uint64_t now, int *next_ms, poll_emit_fn emit, void *ctx);
/*
 * Forget what was read: the next poll_src__pump reads now, afresh (every
 * live goroutine as a create), after finding the load bias again.
 */
void poll_src__reset(struct poll_src *s);
/* poller__trim, when there is a poller. */
void poll_src__trim(struct poll_src *s);
/* Sample now, due or not. */
int poll_src__sample_now(struct poll_src *s, uint64_t now, poll_emit_fn emit, void *ctx);
/* poller__sample_known as the source's first read; -EAGAIN before the binary is mapped. */
int poll_src__sample_known(struct poll_src *s, uint64_t now, struct poll_known *alive, size_t n,
			   poll_ended_fn ended, void *ended_ctx, poll_emit_fn emit, void *ctx);
/* poller__each_alive of the last read (nothing before one). */
void poll_src__each_alive(const struct poll_src *s, poll_emit_fn fn, void *ctx);
/* poller__reread on the last read of the poll source; -ENOENT before any. */
int poll_src__reread(struct poll_src *s, uint64_t goid, uint8_t *status);
void poll_src__stats(const struct poll_src *s, struct poll_stats *out);
/* The target's load bias, once its binary is mapped: 0 or -EAGAIN. */
int poll_src__bias(const struct poll_src *s, uint64_t *bias);
/* "runtime.allgs from symtab" / "... from runtime.allgadd code". */
const char *poll_src__how(const struct poll_src *s);

#endif /* XGOTOP_GPOLL_H */
