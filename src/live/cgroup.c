// SPDX-License-Identifier: BSD-2-Clause
/*
 * A CPU-limited cgroup (cgroup v2, Documentation/admin-guide/cgroup-v2.rst:
 * cpu.max is "$MAX $PERIOD", cpu.stat has nr_throttled and throttled_usec;
 * or the v1 cpu controller of a hybrid mount, Documentation/scheduler/
 * sched-bwc.rst: cpu.cfs_quota_us, -1 for none, cpu.cfs_period_us, and
 * cpu.stat's nr_throttled and throttled_time in ns)
 * throttles its threads when they used their quota of the period: a
 * running goroutine's thread is then off its CPU, and sched_switch sees it
 * preempted. The header says how often, from here.
 */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PERIOD_NS 1000000000ull

struct cgroup_cpu {
	uint32_t pid;
	char root[PATH_MAX / 4]; /* the hierarchy's mount point */
	char dir[PATH_MAX];	 /* the cgroup's directory */
	bool v1;		 /* of the v1 cpu controller */
	uint64_t next;
	uint64_t quota_us, period_us; /* as last emitted */
	uint64_t nr_throttled, throttled_ns;
	char limited[PATH_MAX]; /* the directory whose cpu.max limits it; "": none */
	bool said_limit, said_stat;
};

/* The controllers of line P ("4:cpu,cpuacct:/x") name "cpu". */
static bool has_cpu(const char *p)
{
	const char *c = strchr(p, ':'), *end;

	if (!c)
		return false;
	end = strchr(++c, ':');
	while (end && c < end) {
		size_t n = strcspn(c, ",:");

		if (n == 3 && !strncmp(c, "cpu", 3))
			return true;
		c += n + 1;
	}
	return false;
}

/* The path of line P into PATH. */
static int line_path(const char *p, char *path, size_t len)
{
	const char *start = strchr(strchr(p, ':') + 1, ':') + 1;
	const char *end = strchr(start, '\n');
	size_t n = end ? (size_t)(end - start) : strlen(start);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(path, start, n);
	path[n] = '\0';
	return 0;
}

int cgroup__parse_proc(const char *text, char *path, size_t len, bool *v1)
{
	const char *p, *v2 = NULL;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, "0::", 3))
			v2 = p;
		else if (strchr(p, ':') && has_cpu(p)) {
			*v1 = true;
			return line_path(p, path, len);
		}
	}
	if (!v2)
		return -ENOENT;
	*v1 = false;
	return line_path(v2, path, len);
}

/* cpu.cfs_quota_us and cpu.cfs_period_us (v1) as cgroup__parse_max says them. */
int cgroup__parse_cfs(const char *quota, const char *period, uint64_t *quota_us,
		      uint64_t *period_us)
{
	long long q;
	unsigned long long per;

	if (sscanf(quota, "%lld", &q) != 1 || sscanf(period, "%llu", &per) != 1 || !per ||
	    (q < 0 && q != -1) || !q)
		return -EINVAL;
	*quota_us = q < 0 ? 0 : (uint64_t)q;
	*period_us = per;
	return 0;
}

int cgroup__parse_max(const char *text, uint64_t *quota_us, uint64_t *period_us)
{
	char q[24];
	unsigned long long per;

	if (sscanf(text, "%23s %llu", q, &per) != 2 || !per)
		return -EINVAL;
	*period_us = per;
	if (!strcmp(q, "max")) {
		*quota_us = 0;
		return 0;
	}
	if (q[0] < '0' || q[0] > '9')
		return -EINVAL;
	*quota_us = strtoull(q, NULL, 10);
	return *quota_us ? 0 : -EINVAL;
}

/* The value of KEY at the start of a line of TEXT. */
static int stat_field(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			*out = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

int cgroup__parse_stat(const char *text, bool v1, uint64_t *nr_throttled, uint64_t *throttled_ns)
{
	if (stat_field(text, "nr_throttled", nr_throttled) ||
	    stat_field(text, v1 ? "throttled_time" : "throttled_usec", throttled_ns))
		return -EINVAL;
	if (!v1)
		*throttled_ns *= 1000;
	return 0;
}

/* DIR/NAME into BUF (at most LEN - 1 bytes, terminated). 0, or -errno. */
static int read_text(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

struct cgroup_cpu *cgroup_cpu__open(pid_t pid, const char *root)
{
	char proc[64], text[4096], rel[PATH_MAX / 2];
	struct cgroup_cpu *c;
	bool v1 = false;
	int err;

	snprintf(proc, sizeof(proc), "/proc/%d", (int)pid);
	err = read_text(proc, "cgroup", text, sizeof(text));
	if (!err)
		err = cgroup__parse_proc(text, rel, sizeof(rel), &v1);
	if (err) {
		errno = -err;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pid = (uint32_t)pid;
	c->v1 = v1;
	if (!root)
		root = !v1				     ? "/sys/fs/cgroup"
		       : !access("/sys/fs/cgroup/cpu", F_OK) ? "/sys/fs/cgroup/cpu"
							     : "/sys/fs/cgroup/cpu,cpuacct";
	snprintf(c->root, sizeof(c->root), "%s", root);
	snprintf(c->dir, sizeof(c->dir), "%s%s", root, strcmp(rel, "/") ? rel : "");
	return c;
}

void cgroup_cpu__free(struct cgroup_cpu *c)
{
	free(c);
}

/* The limit of the cgroup at DIR: 0 (*QUOTA 0: none), or -errno. */
static int read_limit(const struct cgroup_cpu *c, const char *dir, uint64_t *quota,
		      uint64_t *period)
{
	char text[128], per[64];

	if (!c->v1)
		return read_text(dir, "cpu.max", text, sizeof(text))
			       ?: cgroup__parse_max(text, quota, period);
	return read_text(dir, "cpu.cfs_quota_us", text, sizeof(text))
		       ?: read_text(dir, "cpu.cfs_period_us", per, sizeof(per))
		       ?: cgroup__parse_cfs(text, per, quota, period);
}

/* The nearest directory from C's cgroup up with a quota: into C->limited. */
static void find_limit(struct cgroup_cpu *c, uint64_t *quota, uint64_t *period)
{
	char dir[PATH_MAX];
	char *slash;

	*quota = *period = 0;
	c->limited[0] = '\0';
	snprintf(dir, sizeof(dir), "%s", c->dir);
	for (;;) {
		if (!read_limit(c, dir, quota, period) && *quota) {
			snprintf(c->limited, sizeof(c->limited), "%s", dir);
			return;
		}
		*quota = *period = 0;
		/* The root cgroup has no limit: stop at the mount point. */
		slash = strrchr(dir, '/');
		if (!slash || strlen(dir) <= strlen(c->root))
			return;
		*slash = '\0';
	}
}

static int emit_cpu(struct cgroup_cpu *c, uint64_t now, unsigned int what, uint64_t a, uint64_t b,
		    cgroup_emit_fn emit, void *ctx)
{
	struct gev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = GEV_CPU;
	ev.ts = now;
	ev.pid = c->pid;
	ev.reason = GEV_NO_REASON;
	ev.cpu.what = (uint8_t)what;
	ev.cpu.a = a;
	ev.cpu.b = b;
	return emit(&ev, ctx);
}

int cgroup_cpu__pump(struct cgroup_cpu *c, uint64_t now, cgroup_emit_fn emit, void *ctx)
{
	uint64_t quota, period, nr, ns;
	char text[1024];
	int err;

	if (now < c->next)
		return 0;
	c->next = now + PERIOD_NS;
	find_limit(c, &quota, &period);
	/* Said when there is one, and when it changes (to none too). */
	if ((c->said_limit || quota) &&
	    (!c->said_limit || quota != c->quota_us || (quota && period != c->period_us))) {
		c->said_limit = true;
		c->quota_us = quota;
		c->period_us = quota ? period : 0;
		err = emit_cpu(c, now, GEV_CPU_LIMIT, c->quota_us, c->period_us, emit, ctx);
		if (err)
			return err;
	}
	if (!quota || read_text(c->limited, "cpu.stat", text, sizeof(text)) ||
	    cgroup__parse_stat(text, c->v1, &nr, &ns))
		return 0;
	if (c->said_stat && nr == c->nr_throttled && ns == c->throttled_ns)
		return 0;
	c->said_stat = true;
	c->nr_throttled = nr;
	c->throttled_ns = ns;
	return emit_cpu(c, now, GEV_CPU_THROTTLE, nr, ns, emit, ctx);
}
