/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CPU limit of the target's cgroup (cgroup v2, or v1's cpu controller) and how often it was
 * throttled, read once a second from /sys/fs/cgroup: GEV_CPU events of
 * what limit and throttle (goid 0). Parsers are pure, for the tests.
 */
#ifndef XGOTOP_CGROUP_H
#define XGOTOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gevent.h"

/*
 * The cgroup path in the text of /proc/PID/cgroup: of the v1 cpu controller
 * when it has one ("4:cpu,cpuacct:/a", *V1 true), else of v2 ("0::/a/b").
 * 0, or -ENOENT.
 */
int cgroup__parse_proc(const char *text, char *path, size_t len, bool *v1);
/* cpu.cfs_quota_us ("-1": none) and cpu.cfs_period_us, v1. 0, or -EINVAL. */
int cgroup__parse_cfs(const char *quota, const char *period, uint64_t *quota_us,
		      uint64_t *period_us);
/* cpu.max ("max 100000", "20000 100000"): *QUOTA_US 0 for max. 0, or -EINVAL. */
int cgroup__parse_max(const char *text, uint64_t *quota_us, uint64_t *period_us);
/*
 * cpu.stat: nr_throttled and the time throttled (throttled_usec; v1:
 * throttled_time, ns) in ns. 0, or -EINVAL when either is missing.
 */
int cgroup__parse_stat(const char *text, bool v1, uint64_t *nr_throttled, uint64_t *throttled_ns);

struct cgroup_cpu;
typedef int (*cgroup_emit_fn)(const struct gev *ev, void *ctx);

/*
 * ROOT: where cgroup v2 is mounted (NULL: /sys/fs/cgroup). NULL (errno
 * set) when PID's cgroup cannot be read: nothing to show.
 */
struct cgroup_cpu *cgroup_cpu__open(pid_t pid, const char *root);
void cgroup_cpu__free(struct cgroup_cpu *c);
/*
 * Once a second (NOW, ns): the limit of the cgroup, or of the nearest
 * ancestor that has one, when it changes, and its throttling when it
 * changes, as GEV_CPU events of process PID to EMIT. 0, or EMIT's error.
 */
int cgroup_cpu__pump(struct cgroup_cpu *c, uint64_t now, cgroup_emit_fn emit, void *ctx);

#endif /* XGOTOP_CGROUP_H */
