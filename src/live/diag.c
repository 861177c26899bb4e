// SPDX-License-Identifier: BSD-2-Clause
/* What the live tracer says on stderr: one-line errors, and -v. */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "diag.h"

static bool verbose;

void diag__fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xgotop-tui: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose && level != LIBBPF_WARN)
		return 0;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
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
