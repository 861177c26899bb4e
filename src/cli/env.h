/* SPDX-License-Identifier: BSD-2-Clause */
/* Everything the command line can say: one struct env, filled by the option table. */
#ifndef XGOTOP_ENV_H
#define XGOTOP_ENV_H

#include <stdbool.h>

#include "tracer.h"
#include "tui.h"

struct env {
	struct live_opts live; /* a live session (src/live/) */
	struct tui_opts tui;   /* the terminal UI and -n (tui/) */
	bool headless;	       /* --headless: no UI */
	/* Reading a recording (src/rec/): */
	const char *replay;  /* --replay FILE */
	const char *export;  /* --export jsonl|perfetto */
	const char *output;  /* -o FILE of --export; NULL: stdout */
	unsigned int stacks; /* --stacks: 2 (Go's dump) or 1 (grouped); 0: off */
	double at; /* --at SEC: --replay --stacks at this time of the recording; < 0: its end */
};

/* --replay: JSONL (--headless), --export, or the UI (env->live.ui). The exit status. */
int replay_cmd__run(const struct env *env);

/* --stacks: print the goroutines of -pid and their stacks. The exit status. */
int stacks_cmd__run(const struct env *env);

#endif /* XGOTOP_ENV_H */
