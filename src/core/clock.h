/* SPDX-License-Identifier: BSD-2-Clause */
/* The one clock of events and meters: CLOCK_MONOTONIC in ns (bpf_ktime_get_ns's clock). */
#ifndef XGOTOP_CLOCK_H
#define XGOTOP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t xg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* XGOTOP_CLOCK_H */
