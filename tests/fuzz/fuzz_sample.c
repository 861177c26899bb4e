// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the -sample spec parser (src/core/sample.c): the
 * input is the text given after -sample.
 *
 * Beyond not crashing: a refused spec says why in one line and leaves the
 * output untouched; an accepted one has its rates in [0, 1], formats to a
 * spec that parses again to the same rates (to %g's precision), and its
 * BPF form agrees with it.
 * Seeds: tests/fuzz/corpus/sample (good specs, and each kind of error).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bpf(const struct sample_spec *s)
{
	struct xg_sample b;
	int i;

	sample__to_bpf(s, true, &b);
	if (b.on != sample__active(s) || b.goid_late != 1)
		abort();
	for (i = 0; i < XG_SMP_N; i++) {
		if (b.thresh[i] > XG_SMP_ALL || b.thresh[i] != sample__thresh(s->rate[i]))
			abort();
		if ((s->rate[i] >= 1.0 && b.thresh[i] != XG_SMP_ALL) ||
		    (s->rate[i] <= 0 && b.thresh[i] != 0))
			abort();
	}
}

static void check_format(const struct sample_spec *s)
{
	struct sample_spec again;
	char buf[512], err[256];
	int i;

	sample__format(s, buf, sizeof(buf));
	if (sample__parse(buf, &again, err, sizeof(err)))
		abort();
	for (i = 0; i < XG_SMP_N; i++)
		if (fabs(again.rate[i] - s->rate[i]) > 1e-5 * s->rate[i] + 1e-300)
			abort();
	/* Any buffer size: truncated, terminated, never overrun. */
	for (i = 1; i < 24; i += 5) {
		char *small = malloc(i);

		if (!small)
			return;
		sample__format(s, small, i);
		if (!memchr(small, '\0', i))
			abort();
		free(small);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sample_spec s, untouched;
	char *spec, err[256];
	size_t err_len = size ? data[0] % sizeof(err) : sizeof(err);
	int i, ret;

	spec = malloc(size + 1);
	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	memset(&s, 0x5a, sizeof(s));
	untouched = s;
	memset(err, 0, sizeof(err));
	ret = sample__parse(spec, &s, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL || !err[0] || (strchr(err, '\n') && !strchr(spec, '\n')) ||
		    memcmp(&s, &untouched, sizeof(s)))
			abort();
		/* A short error buffer truncates the message, nothing else. */
		if (sample__parse(spec, &s, err, err_len) != ret)
			abort();
		goto out;
	}
	for (i = 0; i < XG_SMP_N; i++)
		if (!(s.rate[i] >= 0 && s.rate[i] <= 1))
			abort();
	check_bpf(&s);
	check_format(&s);
out:
	free(spec);
	return 0;
}
