// SPDX-License-Identifier: BSD-2-Clause
/* What the live tracer says on stderr: one-line errors, and -v. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "diag.h"
#include "sanitize.h"

static bool verbose;

/* Messages name targets (an exe path, a build setting): they are theirs to choose. */
void diag__fail(const char *fmt, ...)
{
	char msg[SANITIZE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xgotop-tui: %s\n", SAN(msg));
}

/*
 * libbpf names the target's binary in its messages, as diag__fail's callers
 * do; its verifier log is many lines, kept as lines.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg, *line, *nl;

	(void)level;
	if (!verbose || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	for (line = msg; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(stderr, "%s\n", SAN(line));
		if (!nl)
			break;
	}
	free(msg);
	return 0;
}

void diag__set_verbose(bool on)
{
	verbose = on;
	libbpf_set_print(libbpf_print);
}

bool diag__verbose(void)
{
	return verbose;
}
