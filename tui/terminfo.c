// SPDX-License-Identifier: BSD-2-Clause
/*
 * ncurses reads terminal descriptions only from files, so a built-in entry
 * is written to a private directory (mkdtemp: mode 0700, a fresh name) that
 * TERMINFO names while newterm() reads it. The directory is removed and
 * TERMINFO restored at once: ncurses keeps the description in memory, and a
 * command we launch must not inherit a path that no longer exists.
 */
#define _GNU_SOURCE
#include "terminfo.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

const struct terminfo_entry *terminfo__find(const char *term)
{
	const struct terminfo_entry *e;

	for (e = terminfo__builtin; e->name; e++)
		if (!strcmp(e->name, term))
			return e;
	return NULL;
}

/* The private directory's path: a TMPDIR longer than this is not used. */
#define DIR_MAX 256

/* ncurses' directory layout: DIR/<first letter>/<name> (Debian's, not hashed). */
static int write_entry(const char *dir, const struct terminfo_entry *e)
{
	char path[DIR_MAX + 64];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%c", dir, e->name[0]);
	if (mkdir(path, 0700))
		return -errno;
	snprintf(path, sizeof(path), "%s/%c/%s", dir, e->name[0], e->name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, e->data, e->len);
	if (n < 0 || (size_t)n != e->len)
		err = n < 0 ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void remove_entry(const char *dir, const struct terminfo_entry *e)
{
	char path[DIR_MAX + 64];

	snprintf(path, sizeof(path), "%s/%c/%s", dir, e->name[0], e->name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%c", dir, e->name[0]);
	rmdir(path);
	rmdir(dir);
}

/* newterm() with TERMINFO naming DIR, then TERMINFO as it was. */
static SCREEN *newterm_in(const char *dir, const char *term, FILE *out, FILE *in)
{
	const char *was = getenv("TERMINFO");
	char *saved = was ? strdup(was) : NULL;
	SCREEN *scr;

	if (was && !saved)
		return NULL;
	setenv("TERMINFO", dir, 1);
	scr = newterm(term, out, in);
	if (saved)
		setenv("TERMINFO", saved, 1);
	else
		unsetenv("TERMINFO");
	free(saved);
	return scr;
}

static void say_unknown(const char *term)
{
	const struct terminfo_entry *e;

	fprintf(stderr,
		"xgotop-tui: unknown terminal type '%s': set TERM to one terminfo knows "
		"or to one built in (",
		term);
	for (e = terminfo__builtin; e->name; e++)
		fprintf(stderr, "%s%s", e == terminfo__builtin ? "" : ", ", e->name);
	fprintf(stderr, ")\n");
}

/*
 * The host's terminfo has TERM: setupterm() searches as newterm() does and,
 * unlike a newterm() that fails (ncurses 6.4 leaks the SCREEN it allocated
 * first, which LeakSanitizer reports), leaves nothing behind either way.
 */
static bool host_has(const char *term, FILE *out)
{
	int err;

	if (setupterm(term, fileno(out), &err) != OK)
		return false;
	del_curterm(cur_term);
	return true;
}

/* newterm() from the built-in entry E, written under TMPDIR (or /tmp) for the time it reads it. */
static SCREEN *newterm_builtin(const struct terminfo_entry *e, FILE *out, FILE *in)
{
	const char *tmp = getenv("TMPDIR");
	SCREEN *scr = NULL;
	char dir[DIR_MAX];
	int err;

	if (!tmp || !*tmp || strlen(tmp) > DIR_MAX - 32)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/xgotop-tui-terminfo.XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		err = -errno;
	} else {
		err = write_entry(dir, e);
		if (!err)
			scr = newterm_in(dir, e->name, out, in);
		remove_entry(dir, e);
	}
	if (err)
		fprintf(stderr,
			"xgotop-tui: no terminfo entry for '%s' on this host, and cannot "
			"write the built-in one under %s: %s\n",
			e->name, tmp, strerror(-err));
	else if (!scr)
		fprintf(stderr, "xgotop-tui: the built-in terminfo entry for '%s' did not load\n",
			e->name);
	return scr;
}

void *terminfo__newterm(const char *term, FILE *out, FILE *in)
{
	const struct terminfo_entry *e;
	SCREEN *scr;

	/* Says why in one line when it returns NULL. */
	if (host_has(term, out)) {
		scr = newterm(term, out, in);
		if (!scr)
			fprintf(stderr, "xgotop-tui: cannot open the terminal '%s'\n", term);
		return scr;
	}
	e = terminfo__find(term);
	if (!e) {
		say_unknown(term);
		return NULL;
	}
	return newterm_builtin(e, out, in);
}
