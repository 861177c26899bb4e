/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Prometheus text exposition format, version 0.0.4, and OpenMetrics
 * 1.0.0 text, written into a growing buffer: metric families (HELP, TYPE)
 * and their samples, label values escaped. Pure: no I/O, no global state.
 *
 * The formats (cited, not copied):
 *  - 0.0.4: prometheus/docs content/docs/instrumenting/exposition_formats.md,
 *    "Text format details": label values escape \ as \\, " as \" and a line
 *    feed as \n; HELP text escapes \ and line feed only; a counter's TYPE
 *    line names the sample (..._total).
 *  - OpenMetrics 1.0.0: OpenObservability/OpenMetrics specification/
 *    OpenMetrics.md, "Text format": the same label escapes, HELP escapes "
 *    too; a counter family is named without _total and its sample with it;
 *    the exposition ends with "# EOF". Both are UTF-8.
 */
#ifndef XGOTOP_PROMFMT_H
#define XGOTOP_PROMFMT_H

#include <stddef.h>

enum promfmt_flavor {
	PROMFMT_TEXT = 0,	 /* text/plain; version=0.0.4 */
	PROMFMT_OPENMETRICS = 1, /* application/openmetrics-text; version=1.0.0 */
};

enum promfmt_type {
	PROMFMT_GAUGE,
	PROMFMT_COUNTER, /* family named without _total; samples get it */
	PROMFMT_HISTOGRAM,
};

struct prom_label {
	const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*: ours, not escaped */
	const char *value; /* anything: escaped, invalid UTF-8 replaced by U+FFFD */
};

struct promfmt;

/* A writer of FLAVOR holding at most MAX_BYTES of text (0: 64 MiB). NULL: out of memory. */
struct promfmt *promfmt__new(enum promfmt_flavor flavor, size_t max_bytes);
void promfmt__free(struct promfmt *pf);
/* Start a family: HELP and TYPE lines. NAME: ours ([a-z_]+), without _total for counters. */
void promfmt__family(struct promfmt *pf, const char *name, enum promfmt_type type,
		     const char *help);
/*
 * One sample of the current family: its name plus SUFFIX ("" for a gauge,
 * "_bucket", "_sum", "_count" for a histogram; a counter's _total is added),
 * N labels, VALUE (integers exactly up to 2^53; NaN, +Inf, -Inf spelled out).
 */
void promfmt__sample(struct promfmt *pf, const char *suffix, const struct prom_label *labels,
		     size_t n, double value);
/* The value of a histogram's le label (or any float) as the formats spell it, into BUF. */
void promfmt__float(double v, char *buf, size_t len);
/*
 * End the exposition ("# EOF" for OpenMetrics) and hand the text over:
 * *TEXT (malloc'd, NUL-terminated, the caller's to free) and *LEN. 0, or
 * -ENOMEM / -E2BIG (max_bytes passed): nothing is handed over. Frees PF.
 */
int promfmt__finish(struct promfmt *pf, char **text, size_t *len);

/* Escape VALUE as a label value into OUT (always NUL-terminated, cut at LEN). The length it needs.
 */
size_t promfmt__escape_label(const char *value, char *out, size_t len);

#endif /* XGOTOP_PROMFMT_H */
