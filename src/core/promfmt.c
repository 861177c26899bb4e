// SPDX-License-Identifier: BSD-2-Clause
/* The exposition formats (promfmt.h cites them): a text buffer and its escapes. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promfmt.h"

#define PROMFMT_DEFAULT_MAX (64u << 20)

struct promfmt {
	enum promfmt_flavor flavor;
	char *buf;
	size_t len, cap, max;
	int err; /* the first failure: everything after is skipped */
	char family[128];
	enum promfmt_type type;
};

struct promfmt *promfmt__new(enum promfmt_flavor flavor, size_t max_bytes)
{
	struct promfmt *pf = calloc(1, sizeof(*pf));

	if (!pf)
		return NULL;
	pf->flavor = flavor;
	pf->max = max_bytes ? max_bytes : PROMFMT_DEFAULT_MAX;
	return pf;
}

void promfmt__free(struct promfmt *pf)
{
	if (!pf)
		return;
	free(pf->buf);
	free(pf);
}

static bool reserve(struct promfmt *pf, size_t n)
{
	size_t cap;
	char *p;

	if (pf->err)
		return false;
	if (pf->len + n + 1 <= pf->cap)
		return true;
	if (pf->len + n + 1 > pf->max) {
		pf->err = -E2BIG;
		return false;
	}
	cap = pf->cap ? pf->cap : 4096;
	while (cap < pf->len + n + 1)
		cap *= 2;
	if (cap > pf->max)
		cap = pf->max;
	p = realloc(pf->buf, cap);
	if (!p) {
		pf->err = -ENOMEM;
		return false;
	}
	pf->buf = p;
	pf->cap = cap;
	return true;
}

static void put(struct promfmt *pf, const char *s, size_t n)
{
	if (!reserve(pf, n))
		return;
	memcpy(pf->buf + pf->len, s, n);
	pf->len += n;
	pf->buf[pf->len] = '\0';
}

static void puts_(struct promfmt *pf, const char *s)
{
	put(pf, s, strlen(s));
}

/*
 * The length of the valid UTF-8 sequence at S (1 to 4), or 0 when it is
 * not one (RFC 3629 section 4: no overlongs, no surrogates, at most U+10FFFF).
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Copy or count: OUT may be NULL. Returns the escaped length. */
static size_t escape(const char *value, bool quote, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");
	size_t n = 0, k;
	char tmp[4];
	const char *piece;

#define EMIT(p, m)                                 \
	do {                                       \
		if (out && n + (m) < len)          \
			memcpy(out + n, (p), (m)); \
		n += (m);                          \
	} while (0)
	while (*s) {
		k = 1;
		if (*s == '\\')
			piece = "\\\\";
		else if (*s == '\n')
			piece = "\\n";
		else if (*s == '"' && quote)
			piece = "\\\"";
		else if (!(k = utf8_len(s))) {
			piece = "\xef\xbf\xbd"; /* U+FFFD for a byte that starts no sequence */
			k = 1;
		} else {
			memcpy(tmp, s, k);
			EMIT(tmp, k);
			s += k;
			continue;
		}
		EMIT(piece, strlen(piece));
		s += k;
	}
#undef EMIT
	if (out && len)
		out[n < len ? n : len - 1] = '\0';
	return n;
}

size_t promfmt__escape_label(const char *value, char *out, size_t len)
{
	return escape(value, true, out, len);
}

static void put_escaped(struct promfmt *pf, const char *value, bool quote)
{
	size_t n = escape(value, quote, NULL, 0);

	if (!reserve(pf, n + 1))
		return;
	escape(value, quote, pf->buf + pf->len, n + 1);
	pf->len += n;
}

static const char *type_name(enum promfmt_type type)
{
	switch (type) {
	case PROMFMT_COUNTER:
		return "counter";
	case PROMFMT_HISTOGRAM:
		return "histogram";
	case PROMFMT_GAUGE:
		break;
	}
	return "gauge";
}

void promfmt__family(struct promfmt *pf, const char *name, enum promfmt_type type, const char *help)
{
	/* 0.0.4 names the counter's sample; OpenMetrics the family without _total. */
	const char *total = type == PROMFMT_COUNTER && pf->flavor == PROMFMT_TEXT ? "_total" : "";

	snprintf(pf->family, sizeof(pf->family), "%s", name);
	pf->type = type;
	puts_(pf, "# HELP ");
	puts_(pf, name);
	puts_(pf, total);
	puts_(pf, " ");
	put_escaped(pf, help, pf->flavor == PROMFMT_OPENMETRICS);
	puts_(pf, "\n# TYPE ");
	puts_(pf, name);
	puts_(pf, total);
	puts_(pf, " ");
	puts_(pf, type_name(type));
	puts_(pf, "\n");
}

void promfmt__float(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	/* Whole numbers below 2^53 exactly (no libm: xg_core links libc alone). */
	else if (v > -9007199254740992.0 && v < 9007199254740992.0 && v == (double)(int64_t)v)
		snprintf(buf, len, "%.0f", v);
	else {
		/* The shortest that reads back the same: 1e-06, not 9.9999999999999995e-07. */
		int prec;

		for (prec = 1; prec < 17; prec++) {
			snprintf(buf, len, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				return;
		}
		snprintf(buf, len, "%.17g", v);
	}
}

void promfmt__sample(struct promfmt *pf, const char *suffix, const struct prom_label *labels,
		     size_t n, double value)
{
	char num[40];
	size_t i;

	puts_(pf, pf->family);
	puts_(pf, pf->type == PROMFMT_COUNTER ? "_total" : suffix);
	for (i = 0; i < n; i++) {
		puts_(pf, i ? "," : "{");
		puts_(pf, labels[i].name);
		puts_(pf, "=\"");
		put_escaped(pf, labels[i].value, true);
		puts_(pf, "\"");
	}
	if (n)
		puts_(pf, "}");
	promfmt__float(value, num, sizeof(num));
	puts_(pf, " ");
	puts_(pf, num);
	puts_(pf, "\n");
}

int promfmt__finish(struct promfmt *pf, char **text, size_t *len)
{
	int err;

	if (pf->flavor == PROMFMT_OPENMETRICS)
		puts_(pf, "# EOF\n");
	if (!pf->err && !pf->buf && reserve(pf, 0))
		pf->buf[0] = '\0';
	err = pf->err;
	if (!err) {
		*text = pf->buf;
		*len = pf->len;
		pf->buf = NULL;
	}
	promfmt__free(pf);
	return err;
}
