// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"

static const char *const names[XG_SMP_N] = {
	[XG_SMP_CASGSTATUS] = "casgstatus", [XG_SMP_NEWGOROUTINE] = "newgoroutine",
	[XG_SMP_GOEXIT] = "goexit",	    [XG_SMP_MAKESLICE] = "makeslice",
	[XG_SMP_MAKEMAP] = "makemap",	    [XG_SMP_NEWOBJECT] = "newobject",
	[XG_SMP_GOROUTINE] = "goroutine",
};

const char *sample__name(enum xg_sample_what what)
{
	return (unsigned int)what < XG_SMP_N ? names[what] : "?";
}

void sample__all(struct sample_spec *s)
{
	int i;

	for (i = 0; i < XG_SMP_N; i++)
		s->rate[i] = 1.0;
}

static int lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < XG_SMP_N; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], name, len))
			return i;
	return -1;
}

int sample__parse(const char *spec, struct sample_spec *out, char *err, size_t err_len)
{
	struct sample_spec s;
	bool seen[XG_SMP_N] = {false};
	const char *p = spec;

	sample__all(&s);
	if (!spec || !*spec) {
		snprintf(err, err_len, "empty spec: want event:rate[,event:rate...]");
		return -EINVAL;
	}
	if (!strcmp(spec, "all")) {
		*out = s;
		return 0;
	}
	for (;;) {
		const char *end = strchr(p, ','), *colon;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char num[32], *stop;
		double rate;
		int what;

		colon = memchr(p, ':', len);
		if (!len) {
			snprintf(err, err_len, "empty item in \"%s\"", spec);
			return -EINVAL;
		}
		if (!colon) {
			snprintf(err, err_len, "\"%.*s\" is not event:rate", (int)len, p);
			return -EINVAL;
		}
		what = lookup(p, (size_t)(colon - p));
		if (what < 0) {
			snprintf(err, err_len,
				 "unknown event \"%.*s\" (casgstatus, newgoroutine, goexit, "
				 "makeslice, makemap, newobject, goroutine)",
				 (int)(colon - p), p);
			return -EINVAL;
		}
		if (seen[what]) {
			snprintf(err, err_len, "%s given twice", names[what]);
			return -EINVAL;
		}
		seen[what] = true;
		len -= (size_t)(colon + 1 - p);
		if (!len || len >= sizeof(num)) {
			snprintf(err, err_len, "%s: rate \"%.*s\" is not a number", names[what],
				 (int)len, colon + 1);
			return -EINVAL;
		}
		memcpy(num, colon + 1, len);
		num[len] = '\0';
		errno = 0;
		rate = strtod(num, &stop);
		if (*stop || errno || stop == num || num[0] == ' ' || isnan(rate)) {
			snprintf(err, err_len, "%s: rate \"%s\" is not a number", names[what], num);
			return -EINVAL;
		}
		if (rate < 0 || rate > 1) {
			snprintf(err, err_len, "%s: rate %s is outside [0, 1]", names[what], num);
			return -EINVAL;
		}
		s.rate[what] = rate;
		if (!end)
			break;
		p = end + 1;
	}
	*out = s;
	return 0;
}

void sample__format(const struct sample_spec *s, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < XG_SMP_N && n < len; i++)
		if (s->rate[i] < 1.0)
			n += (size_t)snprintf(buf + n, len - n, "%s%s:%g", n ? "," : "", names[i],
					      s->rate[i]);
	if (!buf[0])
		snprintf(buf, len, "all");
}

bool sample__active(const struct sample_spec *s)
{
	int i;

	for (i = 0; i < XG_SMP_N; i++)
		if (s->rate[i] < 1.0)
			return true;
	return false;
}

uint64_t sample__thresh(double rate)
{
	if (!(rate > 0))
		return 0;
	if (rate >= 1.0)
		return XG_SMP_ALL;
	return (uint64_t)(rate * (double)XG_SMP_ALL + 0.5);
}

void sample__to_bpf(const struct sample_spec *s, bool goid_late, struct xg_sample *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < XG_SMP_N; i++)
		out->thresh[i] = sample__thresh(s->rate[i]);
	out->on = sample__active(s);
	out->goid_late = goid_late;
}
