// SPDX-License-Identifier: BSD-2-Clause
/* Placeholder until the UI lands: says so instead of pretending. */
#include <errno.h>
#include <stdio.h>

#include "tui.h"

int tui__run(const struct xg_source *src, const struct env *env)
{
	(void)src;
	(void)env;
	fprintf(stderr, "xgotop-tui: the terminal UI is not in this build yet: use --headless\n");
	return -ECANCELED;
}
