/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * -sample SPEC: what fraction of each kind of record the BPF programs keep.
 * SPEC is xgotop's syntax, comma-separated event:rate pairs with rates in
 * [0, 1] (casgstatus newgoroutine goexit makeslice makemap newobject: one
 * coin per record), plus goroutine:rate, which keeps or drops goroutines
 * whole. Unlisted events are kept whole. Pure: no libbpf, no global state.
 */
#ifndef XGOTOP_SAMPLE_H
#define XGOTOP_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xgotop_event.h"

struct sample_spec {
	double rate[XG_SMP_N]; /* 1.0: everything */
};

/* The name of WHAT in a spec ("casgstatus", ..., "goroutine"). */
const char *sample__name(enum xg_sample_what what);
/* Everything kept. */
void sample__all(struct sample_spec *s);
/*
 * Parse SPEC ("all" keeps everything) into OUT. 0, or -EINVAL with what was
 * wrong in ERR (one line, no prefix); OUT is untouched on error.
 */
int sample__parse(const char *spec, struct sample_spec *out, char *err, size_t err_len);
/* The spec back as text, only the rates below 1 ("all" when none). */
void sample__format(const struct sample_spec *s, char *buf, size_t len);
/* Any rate below 1. */
bool sample__active(const struct sample_spec *s);
/* The BPF programs' form; GOID_LATE: the target is older than go1.24. */
void sample__to_bpf(const struct sample_spec *s, bool goid_late, struct xg_sample *out);
/* RATE as a threshold of xg_goid_sampled / a 32-bit draw. */
uint64_t sample__thresh(double rate);

#endif /* XGOTOP_SAMPLE_H */
