/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Terminal descriptions built into the binary (the list is in
 * cmake/XgTerminfo.cmake), for hosts that have none for $TERM: a server
 * without ncurses-base, a container, an ssh client's exotic TERM.
 */
#ifndef XGOTOP_TUI_TERMINFO_H
#define XGOTOP_TUI_TERMINFO_H

#include <stddef.h>
#include <stdio.h>

/* One compiled terminfo entry, as tic(1) writes it. */
struct terminfo_entry {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* The built-in entries, ended by a row of zeros (generated: gen/terminfo_data.c). */
extern const struct terminfo_entry terminfo__builtin[];

/* The built-in entry named TERM, or NULL. */
const struct terminfo_entry *terminfo__find(const char *term);

/*
 * newterm(TERM, OUT, IN), falling back on the built-in entry when the host's
 * terminfo has none for TERM. NULL after one line on stderr saying why.
 * Opaque return (a SCREEN *) so that this header needs no curses.
 */
void *terminfo__newterm(const char *term, FILE *out, FILE *in);

#endif
