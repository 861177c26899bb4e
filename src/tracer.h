/* SPDX-License-Identifier: BSD-2-Clause */
/* The live tracer: load, attach, read the ring buffer, feed the outputs. */
#ifndef XGOTOP_TRACER_H
#define XGOTOP_TRACER_H

#include <stdbool.h>
#include <sys/types.h>

/* Everything the command line can say; filled by the option parser in main.c. */
struct env {
	pid_t pid;	    /* -pid */
	const char *binary; /* -b */
	char **cmd;	    /* -- CMD ARGS (NULL-terminated) */
	bool headless;
	const char *jsonl; /* "-" = stdout */
	double duration;   /* seconds, 0 = until the target exits or a signal */
	unsigned int ringbuf_mb;
	bool verbose;
};

/*
 * Run a live session. Returns the process exit status: 0, 1 on errors
 * (already reported on stderr as one line), or the launched command's.
 */
int tracer__run(const struct env *env);

#endif /* XGOTOP_TRACER_H */
