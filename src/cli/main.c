// SPDX-License-Identifier: BSD-2-Clause
/*
 * The executable: parse the options (options.c) -> check them -> run the
 * tracer or a replay. The one file that calls the terminal UI.
 */
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "options.h"
#include "outfile.h"
#include "sanitize.h"

#include <bpf/libbpf.h>

#include "buildinfo.h" /* generated at build time by cmake/XgBuildInfo.cmake */

/*
 * The version, then how this binary was built, for bug reports: linked
 * statically or not, the libraries' versions at build time (and libbpf's
 * at run time when shared), the glibc it runs on, the commit.
 */
static void print_version(void)
{
	printf("xgotop-tui %s\n", XG_VERSION);
	printf("build: %s (%s", XG_BUILD_LINK, XG_BUILD_LIBS);
	if (strcmp(XG_BUILD_LINK, "static"))
		printf("; libbpf %s loaded", libbpf_version_string());
	printf("), glibc %s shared; commit %s; %s, %s\n", gnu_get_libc_version(), XG_BUILD_COMMIT,
	       XG_BUILD_COMPILER, XG_BUILD_TYPE);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "xgotop-tui: %s\n%s\n(xgotop-tui --help for more)\n", msg, options__usage);
	exit(2);
}

/*
 * Each file to write, checked before anything starts: --metrics is written
 * at the end, and a refusal then would cost the session. The open itself
 * (outfile__create) decides; this only says no early.
 */
static int check_outputs(const struct env *env)
{
	const struct {
		const char *path;
		bool dash_is_stdout;
	} out[] = {{env->live.jsonl, true},
		   {env->output, true},
		   {env->live.record, false},
		   {env->live.metrics, false}};
	size_t i;
	int err;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (!out[i].path || (out[i].dash_is_stdout && !strcmp(out[i].path, "-")))
			continue;
		err = outfile__check(out[i].path, env->live.force);
		if (err) {
			fprintf(stderr, "xgotop-tui: cannot write %s: %s\n", SAN(out[i].path),
				outfile__why(err));
			return err;
		}
	}
	return 0;
}

/* The UI as the live tracer and the replay call it: CTX is the struct tui_opts. */
static int run_ui(const struct xg_source *src, const void *ctx)
{
	return tui__run(src, ctx);
}

int main(int argc, char **argv)
{
	struct env env;
	const char *bad;
	char *err;
	int rc;

	/*
	 * Arrays of 1 MB and more (hash maps and indexes as they double, read
	 * buffers) get their own mappings, given back when freed. glibc's
	 * default threshold moves up to the largest such block freed (the
	 * goroutine table reads': 8 MB at 1M goroutines), after which the old
	 * halves of the maps growing during the attach stay in the heap, resident
	 * until the trim that follows: 22 MB at 1M parked goroutines, at the peak.
	 */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);

	rc = options__parse(argc, argv, &env, &err);
	if (rc == -ENOMEM) {
		fprintf(stderr, "xgotop-tui: out of memory\n");
		return 1;
	}
	if (rc < 0)
		usage_error(err);
	if (rc == OPTS_HELP) {
		options__help(stdout);
		return 0;
	}
	if (rc == OPTS_VERSION) {
		print_version();
		return 0;
	}
	bad = options__check(&env);
	if (bad)
		usage_error(bad);
	if (check_outputs(&env))
		return 1;
	if (env.stacks && env.replay)
		return replay_cmd__run(&env);
	if (env.stacks)
		return stacks_cmd__run(&env);
	/* With --replay, --headless and --export both mean no UI; live, --export was refused. */
	if (!env.headless && !env.export) {
		char msg[512];

		if (tui__validate(&env.tui, msg, sizeof(msg)))
			usage_error(msg);
		env.live.ui = run_ui;
		env.live.ui_ctx = &env.tui;
		/* -n has no save key: nothing would ever read the flight recorder. */
		if (env.tui.batch)
			env.live.history_min = 0;
	}
	return env.replay ? replay_cmd__run(&env) : tracer__run(&env.live);
}
