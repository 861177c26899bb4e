/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Goroutine stacks as the model keeps them (issue 15): interned frames
 * (function, file, line) and stacks (frame lists, numbered from 1), and the
 * latest sweep, every goroutine with the id of its stack, plus how many
 * goroutines each stack had in the last STK_HIST sweeps (growth, leak
 * suspects). Filled by the live sweeper (src/live/stacksweep.c) or a
 * recording's SWEEP records (src/rec), read by the UI. Pure, one owner
 * (the thread that pumps the source), no locks.
 *
 * Strings are copied in: they come from the target or a file and are not
 * sanitized here (the terminal's drawing does that).
 */
#ifndef XGOTOP_STACKSET_H
#define XGOTOP_STACKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STK_MAX_FRAMES	100 /* frames kept per stack: Go's dump prints at most 100 */
#define STK_HIST	64  /* sweeps whose per-stack counts are kept */
#define STK_MAX_STACKS	(1u << 20)
#define STK_MAX_REASONS 1023 /* distinct wait reasons a stackset names (a Go release has ~40) */
#define STK_PID_MAX	((1u << 22) - 1) /* Linux's pids are below PID_MAX_LIMIT, 2^22 */
/* Leak suspects by default (--leak-sweeps, --leak-wait). */
#define STK_LEAK_SWEEPS	 5
#define STK_LEAK_WAIT_NS (60ull * 1000000000ull)

struct stk_frame {
	const char *func; /* NULL: unknown */
	const char *file;
	int32_t line;
};

/* What a sweep knows of one goroutine. */
enum stk_what {
	STK_OK = 0,	 /* stack holds its stack */
	STK_RUNNING = 1, /* running: no stack can be read */
	STK_CHANGED = 2, /* it kept changing while read */
	STK_BAD = 3,	 /* the walk failed */
	STK_WHAT_N,
};

/*
 * 24 bytes: a sweep holds one per goroutine (1M parked: 24 MB, issue 12),
 * two sweeps at once while it is swapped in.
 */
struct stk_entry {
	uint64_t goid;
	uint64_t wait_since;  /* event clock: waiting since (0: unknown or not waiting) */
	uint64_t pid : 22;    /* at most STK_PID_MAX */
	uint64_t stack : 21;  /* 0: none (what != STK_OK); at most STK_MAX_STACKS */
	uint64_t what : 3;    /* enum stk_what */
	uint64_t status : 8;  /* Go status as read (_Gscan bit cleared) */
	uint64_t reason : 10; /* wait reason: its id (stackset__reason_id), 0: none */
};
_Static_assert(STK_MAX_STACKS < (1u << 21) && STK_WHAT_N <= 8 && STK_MAX_REASONS < (1u << 10),
	       "stk_entry's bit fields hold them");
_Static_assert(sizeof(struct stk_entry) == 24, "a sweep's entry is 24 bytes");

struct stk_leak_opts {
	unsigned int sweeps; /* a stack whose count grew at each of the last N sweeps */
	uint64_t wait_ns;    /* a goroutine waiting longer than this */
};

struct stackset;

struct stackset *stackset__new(void);
void stackset__free(struct stackset *s);

/* S interned: a copy that lives as long as SET; NULL for NULL, and on ENOMEM. */
const char *stackset__str(struct stackset *set, const char *s);
/*
 * Wait reason R interned as a small id, for stk_entry.reason: 0 for NULL;
 * 0 and errno (ENOSPC: more than STK_MAX_REASONS distinct ones; ENOMEM).
 */
uint32_t stackset__reason_id(struct stackset *set, const char *r);
/* The wait reason of id ID: NULL for 0 and for an id not given out. */
const char *stackset__reason(const struct stackset *set, uint32_t id);
/* The stack of frames F[0..N) (innermost first), interned: its id, from 1; 0 and errno. */
uint32_t stackset__intern(struct stackset *s, const struct stk_frame *f, uint32_t n);
/* Frames of stack ID, NULL (and *N 0) for an unknown id. */
const struct stk_frame *stackset__frames(const struct stackset *s, uint32_t id, uint32_t *n);
uint32_t stackset__n_stacks(const struct stackset *s);
/*
 * The group's name: the innermost frame outside the runtime (runtime.,
 * internal/runtime/, or a file in runtime/); if all are, the outermost but
 * runtime.goexit.
 */
const struct stk_frame *stackset__name(const struct stackset *s, uint32_t id);

/*
 * A sweep: begin, add every goroutine, end. Until end, readers see the
 * previous one. 0 or -ENOMEM (the sweep is then dropped).
 */
void stackset__sweep_begin(struct stackset *s, uint64_t ts);
int stackset__sweep_add(struct stackset *s, const struct stk_entry *e);
int stackset__sweep_end(struct stackset *s);
/*
 * A whole sweep at once: the N entries at V (malloc'd; SET frees them,
 * whatever the result) become the current sweep, the previous one freed.
 * No copy: at 1M goroutines a sweep's entries are 24 MB. 0 or -ENOMEM
 * (the current sweep then stays).
 */
int stackset__sweep_adopt(struct stackset *s, uint64_t ts, struct stk_entry *v, size_t n);
/* Drop the sweep being added: the current one stays. */
void stackset__sweep_abort(struct stackset *s);
/* Forget every sweep (a replay seeking back); interned stacks stay. */
void stackset__reset(struct stackset *s);

/* The current sweep: its time (0: none yet), entries sorted by (pid, goid). */
uint64_t stackset__sweep_ts(const struct stackset *s);
size_t stackset__sweep_n(const struct stackset *s);
const struct stk_entry *stackset__sweep_entry(const struct stackset *s, size_t i);
const struct stk_entry *stackset__lookup(const struct stackset *s, uint32_t pid, uint64_t goid);
/*
 * One goroutine read alone at TS (the one the UI shows, read between
 * sweeps: src/live/stacksweep.c), E's stack interned already. It is no
 * part of any sweep: not counted, not recorded, not filtered on; the
 * next one replaces it, a reset forgets it. 0, or -EINVAL for a bad E.
 */
int stackset__set_one(struct stackset *s, const struct stk_entry *e, uint64_t ts);
/*
 * What is known last of PID's GOID: the goroutine read alone when it is
 * that one and newer than the sweep, else its entry in the sweep (NULL:
 * in neither); *TS the time of that read or sweep.
 */
const struct stk_entry *stackset__latest(const struct stackset *s, uint32_t pid, uint64_t goid,
					 uint64_t *ts);
/* Sweeps done since the start (or the last reset). */
uint64_t stackset__sweeps(const struct stackset *s);

/*
 * Goroutines on stack ID in the sweep BACK sweeps before the current one
 * (0: the current), and that sweep's time; false when not kept.
 */
bool stackset__count(const struct stackset *s, uint32_t id, unsigned int back, uint32_t *count,
		     uint64_t *ts);
/* Growth of stack ID: its count now minus at the oldest sweep kept at most WINDOW_NS ago. */
int64_t stackset__growth(const struct stackset *s, uint32_t id, uint64_t window_ns);

void stackset__set_leak(struct stackset *s, const struct stk_leak_opts *o);
const struct stk_leak_opts *stackset__leak_opts(const struct stackset *s);
/* Stack ID grew at every one of the last leak.sweeps sweeps. */
bool stackset__leak_stack(const struct stackset *s, uint32_t id);
/* Every frame of stack ID is runtime code: a goroutine of the runtime's own. */
bool stackset__runtime_stack(const struct stackset *s, uint32_t id);
/*
 * E is a leak suspect: its stack is, or it has waited longer than
 * leak.wait_ns at NOW and is no runtime goroutine (they wait by design).
 */
bool stackset__leak_entry(const struct stackset *s, const struct stk_entry *e, uint64_t now);
/*
 * The current sweep as Go's dump (runtime.Stack(buf, true)) prints it,
 * goroutines in goid order: "goroutine N [reason, M minutes]:", each frame
 * "func(...)" and "\tfile:line". What a sweep does not keep is left out:
 * argument values, "+0x" offsets, "created by" (docs/STACKS.md). Strings
 * from the target are sanitized (src/core/sanitize.h). 0 or -errno.
 */
int stackset__print(FILE *out, const struct stackset *s);
/* Does any frame of stack ID have TEXT in its function or file (case-insensitive)? */
bool stackset__match(const struct stackset *s, uint32_t id, const char *text);

#endif /* XGOTOP_STACKSET_H */
