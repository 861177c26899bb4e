/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The command-line options: one table, one row per option. The parser, --help
 * and (through tests/unit/test_options.c) the man page's option list and
 * README's flag table all come from it or are checked against it.
 */
#ifndef XGOTOP_OPTIONS_H
#define XGOTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "env.h"

/* Where --help lists an option. */
enum opt_section { OPT_TARGETS, OPT_OUTPUT, OPT_RECORDINGS, OPT_OPTIONS, OPT_N_SECTIONS };

/* How a row's value reaches struct env. */
enum opt_kind {
	OPT_FLAG,     /* bool at .field = true */
	OPT_STRING,   /* const char * at .field = the value */
	OPT_NUMBER,   /* double at .field, from .min to .max */
	OPT_COUNT,    /* unsigned int at .field, a whole number from .min to .max */
	OPT_DURATION, /* uint64_t ns at .field: 10ms, 1s (a bare number is ms), .min to .max ns */
	OPT_SETTER,   /* .set does it */
	OPT_REST,     /* "--": the rest of the command line is the command to launch */
};

struct opt_row;

/*
 * A setter: 0, -EINVAL with the message in *ERR (malloc'd, no prefix), or a
 * positive enum opts_result to stop parsing with (--help, --version).
 */
typedef int (*opt_set_fn)(struct env *env, const struct opt_row *row, const char *val, char **err);

struct opt_row {
	const char *names[3];	/* shown by --help, the man page and README, in this order */
	const char *aliases[3]; /* accepted too, never shown: xgotop's spellings and such */
	const char *metavar;	/* the value's name in --help; NULL: takes no value */
	enum opt_section section;
	const char *help; /* --help's text: lines of at most 53 columns, \n between them */
	enum opt_kind kind;
	size_t field;	  /* offset in struct env of what OPT_FLAG..OPT_DURATION set */
	const char *what; /* the value in error messages: "invalid WHAT 'VAL'" */
	double min, max;  /* its range */
	opt_set_fn set;	  /* OPT_SETTER */
	bool optval;	  /* no metavar, but --name=VALUE is accepted (a setter gets NULL or it) */
};

extern const struct opt_row options__table[];
extern const size_t options__n;

/* ROW's Ith spelling, names first, then aliases; NULL past the last. */
const char *options__spelling(const struct opt_row *row, size_t i);

/* What options__parse found. */
enum opts_result {
	OPTS_RUN = 0,	  /* ENV is filled: check it, then run */
	OPTS_HELP = 1,	  /* -h: print options__help() */
	OPTS_VERSION = 2, /* -V */
};

/*
 * Fill ENV (defaults first) from ARGV. An enum opts_result, or a negative
 * errno: -EINVAL with what was wrong in *ERR (malloc'd; the caller frees),
 * -ENOMEM with *ERR NULL.
 */
int options__parse(int argc, char **argv, struct env *env, char **err);

/* The checks across options, in the order they are made: NULL, or the message. */
const char *options__check(const struct env *env);

/* The usage line(s), without a final newline. */
extern const char options__usage[];

/* --help, generated from the table. */
void options__help(FILE *out);

#endif /* XGOTOP_OPTIONS_H */
