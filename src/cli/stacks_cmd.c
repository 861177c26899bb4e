// SPDX-License-Identifier: BSD-2-Clause
/* --stacks: one sweep of -pid's goroutines (src/live/stacks.c), printed, then exit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "env.h"
#include "stacks.h"

int stacks_cmd__run(const struct env *env)
{
	struct stacks_target *t;
	struct stk_sweep *s = NULL;
	struct stk_stats st;
	char err[512] = "";
	int rc, tries;

	t = stacks__open(env->live.pid, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "xgotop-tui: %s\n", err);
		return 1;
	}
	/* allgs grows while we read its header now and then: read it again */
	for (tries = 0; tries < 5; tries++) {
		err[0] = 0;
		rc = stacks__sweep(t, &s, err, sizeof(err));
		if (rc != -EAGAIN)
			break;
	}
	if (rc) {
		fprintf(stderr, "xgotop-tui: %s\n", err[0] ? err : strerror(-rc));
		stacks__close(t);
		return 1;
	}
	rc = stacks__print(stdout, t, s, (int)env->stacks);
	if (fflush(stdout) || rc) {
		fprintf(stderr, "xgotop-tui: cannot write the stacks: %s\n",
			strerror(rc ? -rc : errno));
		rc = 1;
	}
	stk_sweep__stats(s, &st);
	if (env->live.verbose)
		fprintf(stderr,
			"xgotop-tui: stacks of pid %d: %llu gs, %llu listed, %llu stacks (%llu "
			"distinct), %llu changed (%llu read again), %llu reads, %llu bytes, sweep "
			"%.3f ms CPU, %.3f ms wall (user %.0f ms, system %.0f ms)\n",
			(int)env->live.pid, (unsigned long long)st.gs,
			(unsigned long long)st.listed, (unsigned long long)st.stacks,
			(unsigned long long)st.distinct, (unsigned long long)st.changed,
			(unsigned long long)st.retried, (unsigned long long)st.reads,
			(unsigned long long)st.bytes, st.cpu_ns / 1e6, st.wall_ns / 1e6,
			st.user_ns / 1e6, st.sys_ns / 1e6);
	stk_sweep__free(s);
	stacks__close(t);
	return rc ? 1 : 0;
}
