// SPDX-License-Identifier: BSD-2-Clause
/* Threads of the target run again before the second read (quiesce.h). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quiesce.h"

/* Threads waited for at most; a Go program runs a few dozen. */
#define MAX_WAITED 256

struct waited {
	long tid;
	unsigned long long run_ns; /* schedstat's first field: time on a CPU */
};

static int read_line(pid_t pid, long tid, const char *what, char *buf, size_t len)
{
	char path[96];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/task/%ld/%s", (int)pid, tid, what);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* The thread's scheduler state (proc(5) stat, after the command's ')'), '?' unknown. */
static char thread_state(pid_t pid, long tid)
{
	char buf[512], *p;

	if (read_line(pid, tid, "stat", buf, sizeof(buf)) || !(p = strrchr(buf, ')')) || !p[1])
		return '?';
	return p[2];
}

static int run_ns(pid_t pid, long tid, unsigned long long *ns)
{
	char buf[128];
	int err = read_line(pid, tid, "schedstat", buf, sizeof(buf));

	if (!err && sscanf(buf, "%llu", ns) != 1)
		err = -EIO;
	return err;
}

/* The threads that may stand inside casgstatus: runnable (R) or faulting (D). */
static int collect(pid_t pid, struct waited *w, size_t *n)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	*n = 0;
	while ((de = readdir(d)) && *n < MAX_WAITED) {
		long tid = strtol(de->d_name, NULL, 10);
		char st;

		if (tid <= 0)
			continue;
		st = thread_state(pid, tid);
		if ((st == 'R' || st == 'D') && !run_ns(pid, tid, &w[*n].run_ns))
			w[(*n)++].tid = tid;
	}
	closedir(d);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int quiesce__threads(pid_t pid, uint64_t max_ns)
{
	struct waited *w = calloc(MAX_WAITED, sizeof(*w));
	uint64_t end = mono_ns() + max_ns;
	size_t n = 0, i;
	int err;

	if (!w)
		return -ENOMEM;
	err = collect(pid, w, &n);
	while (!err && n) {
		for (i = 0; i < n;) {
			unsigned long long now;

			/* ran since, or gone: no longer inside anything */
			if (run_ns(pid, w[i].tid, &now) || now != w[i].run_ns)
				w[i] = w[--n];
			else
				i++;
		}
		if (!n || mono_ns() >= end)
			break;
		nanosleep(&(struct timespec){0, 200000}, NULL);
	}
	free(w);
	return err ? err : (int)n;
}
