// SPDX-License-Identifier: BSD-2-Clause
/*
 * The option table (src/cli/options.c): the table is well-formed, every
 * spelling reaches its row, values land where they should, the checks across
 * options, and --help; then the man page's TARGETS and OPTIONS and README's
 * flag table against the rows: every row shown with its metavar, nothing shown
 * that is no row.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"
#include "srcfile.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct opt_row *row_named(const char *spelling)
{
	size_t i, j;
	const char *s;

	for (i = 0; i < options__n; i++)
		for (j = 0; (s = options__spelling(&options__table[i], j)); j++)
			if (!strcmp(s, spelling))
				return &options__table[i];
	return NULL;
}

static void test_table(void **state)
{
	size_t i, j, k;
	const char *s;

	(void)state;
	for (i = 0; i < options__n; i++) {
		const struct opt_row *row = &options__table[i];
		const char *line = row->help;

		assert_non_null(row->names[0]);
		assert_true(row->section < OPT_N_SECTIONS);
		assert_non_null(row->help);
		/* From column 29 of --help: 53 as the widest was when --help was by hand. */
		while (line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);

			if (len > 53)
				fail_msg("%s: help line over 53 columns: %.*s", row->names[0],
					 (int)len, line);
			line = nl ? nl + 1 : NULL;
		}
		/* A value for exactly the kinds that need one. */
		if (row->kind == OPT_FLAG)
			assert_null(row->metavar);
		if (row->kind != OPT_FLAG && row->kind != OPT_SETTER)
			assert_non_null(row->metavar);
		if (row->kind == OPT_SETTER)
			assert_non_null(row->set);
		for (j = 0; (s = options__spelling(row, j)); j++) {
			assert_true(s[0] == '-');
			/* Each spelling once in the whole table. */
			for (k = 0; k < options__n; k++) {
				const char *t;
				size_t l;

				for (l = 0; (t = options__spelling(&options__table[k], l)); l++)
					if (!strcmp(s, t) && (k != i || l != j))
						fail_msg("%s is spelled twice", s);
			}
		}
	}
}

/* Every spelling reaches a row, which wants a value, or not, as the table says. */
static void test_every_spelling(void **state)
{
	size_t i, j;
	const char *s;

	(void)state;
	for (i = 0; i < options__n; i++) {
		const struct opt_row *row = &options__table[i];

		for (j = 0; (s = options__spelling(row, j)); j++) {
			char *argv[] = {"xgotop-tui", (char *)s, NULL}, *err, *want, *eq;
			struct env env;
			int rc = options__parse(2, argv, &env, &err);

			if (row->kind == OPT_REST)
				assert_true(asprintf(&want, "%s: no command after it", s) > 0);
			else if (row->metavar)
				assert_true(asprintf(&want, "%s needs a value", s) > 0);
			else
				want = NULL;
			if (want) {
				assert_int_equal(rc, -EINVAL);
				assert_string_equal(err, want);
			} else {
				assert_true(rc >= 0);
				assert_null(err);
			}
			free(want);
			free(err);

			/* S=VALUE: the value is the row's, or refused if it takes none. */
			assert_true(asprintf(&eq, "%s=x", s) > 0);
			argv[1] = eq;
			rc = options__parse(2, argv, &env, &err);
			if (row->kind == OPT_REST || !row->metavar) {
				assert_int_equal(rc, -EINVAL);
				assert_non_null(err);
				assert_null(strstr(err, "needs a value"));
			} else if (rc < 0) {
				assert_null(strstr(err, "unknown option"));
				assert_null(strstr(err, "takes no value"));
			}
			free(err);
			free(eq);
		}
	}
}

static void test_values(void **state)
{
	char *argv[] = {"xgotop-tui",
			"-pid=42",
			"-rw",
			"4",
			"--processors=3",
			"--batch-flush-interval",
			"500us",
			"-batch-size",
			"77",
			"-d",
			"2.5",
			"--alloc-hist",
			"--colours",
			"mono",
			"-ascii",
			"--headless",
			"--ringbuf-mb",
			"64",
			"--probes",
			"lifecycle",
			"-sample",
			"goroutine:0.5",
			"--history-mb",
			"9.7",
			"--",
			"./server",
			"-port",
			NULL};
	char *bare[] = {"xgotop-tui", NULL}, *err;
	struct env env;

	(void)state;
	assert_int_equal(options__parse(1, bare, &env, &err), OPTS_RUN);
	assert_int_equal(env.live.ringbuf_mb, 16);
	assert_true(env.live.history_min == 5);
	assert_int_equal(env.live.history_mb, 64);
	assert_false(sample__active(&env.live.sample));
	assert_string_equal(options__check(&env),
			    "give exactly one target: -pid PID, -b BINARY or -- CMD");

	assert_int_equal(options__parse(ARGC(argv) - 1, argv, &env, &err), OPTS_RUN);
	assert_null(err);
	assert_int_equal(env.live.pid, 42);
	assert_int_equal(env.live.readers, 4);
	assert_int_equal(env.live.processors, 3);
	assert_int_equal(env.live.flush_ns, 500000);
	assert_int_equal(env.live.batch_size, 77);
	assert_true(env.live.delay == 2.5 && env.tui.delay == 2.5);
	assert_int_equal(env.live.alloc, XG_ALLOC_HIST_ONLY);
	assert_string_equal(env.tui.colors, "mono");
	assert_true(env.tui.ascii && env.headless);
	assert_int_equal(env.live.ringbuf_mb, 64);
	assert_int_equal(env.live.probes, 1);
	assert_true(sample__active(&env.live.sample));
	assert_int_equal(env.live.history_mb, 9);
	assert_string_equal(env.live.cmd[0], "./server");
	assert_string_equal(env.live.cmd[1], "-port");
	/* Two targets. */
	assert_non_null(options__check(&env));
}

/* ARGS... (NULL-terminated): the error message, or NULL. */
static char *parse_error(const char *first, ...)
{
	char *argv[16] = {"xgotop-tui"}, *err;
	struct env env;
	va_list ap;
	int argc = 1;

	va_start(ap, first);
	for (argv[argc] = (char *)first; argv[argc]; argv[++argc] = va_arg(ap, char *))
		assert_true(argc < 15);
	va_end(ap);
	if (options__parse(argc, argv, &env, &err) >= 0 && !err) {
		const char *bad = options__check(&env);

		return bad ? strdup(bad) : NULL;
	}
	return err;
}

#define assert_error(want, ...)                             \
	do {                                                \
		char *got = parse_error(__VA_ARGS__, NULL); \
		assert_non_null(got);                       \
		assert_string_equal(got, want);             \
		free(got);                                  \
	} while (0)

static void test_errors(void **state)
{
	char *argv[] = {"xgotop-tui", "--help", "--bogus"}, *err;
	struct env env;

	(void)state;
	assert_int_equal(options__parse(3, argv, &env, &err), OPTS_HELP);
	assert_error("unknown option --bogus", "--bogus", "--help");
	assert_error("unexpected argument 1234", "1234");
	assert_error("unknown option --=x", "--=x");
	assert_error("invalid pid '1.5'", "-pid", "1.5");
	assert_error("invalid snapshot count '0'", "-n", "0", "-pid", "1");
	assert_error("--ringbuf-mb 3 is not a power of 2", "--ringbuf-mb=3");
	assert_error("invalid reader count '17': want a whole number from 1 to 16", "-rw", "17");
	assert_error("invalid batch flush interval '1y': want 0.1 ms to 10 s, as 10ms or 1s",
		     "--batch-flush-interval", "1y");
	assert_error("--export xml: want jsonl or perfetto", "--export", "xml");
	assert_error("--probes x: want lifecycle, states or all", "--probes", "x");
	assert_error("-sample: newobject given twice", "-sample", "newobject:0.1,newobject:0.2");
	assert_error("--force=1 takes no value", "--force=1");
	assert_error("--poll reads one process: give -pid PID or -- CMD, not -b", "--poll", "10",
		     "-b", "x");
	assert_error("--poll reads the goroutine table without probes: drop -sample", "-pid", "1",
		     "--poll", "10", "-sample", "goroutine:0.5");
	assert_error("-n and --jsonl - both write to stdout: give --jsonl a file", "-pid", "1",
		     "-n", "2", "--jsonl", "-");
	assert_error("--export and -o read a recording: give --replay FILE", "-pid", "1", "-o",
		     "x");
	assert_error("--replay reads a recording: give no target with it", "--replay", "f", "--",
		     "ls");
	assert_error("with --replay, --jsonl writes every event at once: add --headless",
		     "--replay", "f", "--jsonl", "x");
	assert_null(parse_error("--replay", "f", "--export", "perfetto", "-o", "t.json", NULL));
}

/* --help: every row's label (names, metavar) and the first line of its text. */
static void test_help(void **state)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	options__help(f);
	fclose(f);
	for (i = 0; i < options__n; i++) {
		const struct opt_row *row = &options__table[i];
		char *want, *first = strndup(row->help, strcspn(row->help, "\n"));

		assert_true(asprintf(&want, "  %s%s%s%s%s%s%s", row->names[0],
				     row->names[1] ? ", " : "", row->names[1] ? row->names[1] : "",
				     row->names[2] ? ", " : "", row->names[2] ? row->names[2] : "",
				     row->metavar ? " " : "",
				     row->metavar ? row->metavar : "") > 0);
		if (!strstr(buf, want) || !strstr(buf, first))
			fail_msg("--help lacks %s", want);
		assert_true(strlen(want) <= 26);
		free(want);
		free(first);
	}
	free(buf);
}

/*
 * The man page's words on one line: the request (.B, .BI, .BR) dropped, font
 * escapes and quotes gone, \- as -, commas as spaces. NULL for text lines.
 */
static char *man_words(const char *line)
{
	char *out, *o;

	if (strncmp(line, ".B", 2))
		return NULL;
	line += strcspn(line, " ");
	out = o = calloc(1, strlen(line) + 1);
	assert_non_null(out);
	while (*line) {
		if (line[0] == '\\' && line[1] == 'f' && line[2]) {
			line += 3;
		} else if (line[0] == '\\' && line[1] == '-') {
			*o++ = '-';
			line += 2;
		} else {
			*o++ = (*line == '"' || *line == ',') ? ' ' : *line;
			line++;
		}
	}
	return out;
}

/*
 * WORDS (space-separated) has WORD; and with AFTER, AFTER is the first word
 * after it that is no spelling ("-p -pid --pid PID").
 */
static bool has_word(const char *words, const char *word, const char *after)
{
	char *copy = strdup(words), *w, *save;
	bool found = false, seen = false;

	for (w = strtok_r(copy, " \t", &save); w && !found; w = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(w, word)) {
			seen = true;
			found = !after;
		} else if (seen && w[0] != '-') {
			found = after && !strcmp(w, after);
			seen = false;
		}
	}
	free(copy);
	return found;
}

/* The first word of ROW's metavar, or NULL. */
static char *metavar_word(const struct opt_row *row)
{
	return row->metavar ? strndup(row->metavar, strcspn(row->metavar, " ")) : NULL;
}

/*
 * LINES (NULL-terminated word lists) show every row, each name, its metavar
 * after one of them, and every word that starts with - is some row's spelling.
 */
static void check_shown(char **lines, const char *where)
{
	size_t i, j, l;

	for (i = 0; i < options__n; i++) {
		const struct opt_row *row = &options__table[i];
		char *meta = metavar_word(row);
		bool meta_seen = !meta;

		for (j = 0; j < 3 && row->names[j]; j++) {
			bool seen = false;

			for (l = 0; lines[l]; l++) {
				seen = seen || has_word(lines[l], row->names[j], NULL);
				meta_seen = meta_seen || has_word(lines[l], row->names[j], meta);
			}
			if (!seen)
				fail_msg("%s does not show %s", where, row->names[j]);
		}
		if (!meta_seen)
			fail_msg("%s does not show %s with %s", where, row->names[0], meta);
		free(meta);
	}
	for (l = 0; lines[l]; l++) {
		char *copy = strdup(lines[l]), *w, *save;

		for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			if (w[0] == '-' && w[1] && !row_named(w))
				fail_msg("%s shows %s, which is no option", where, w);
		free(copy);
	}
}

static void test_man_page(void **state)
{
	char *text = srcfile_slurp("docs/xgotop-tui.1"), *line, *save, *lines[256];
	bool in = false;
	size_t n = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, ".SH ", 4))
			in = !strcmp(line, ".SH TARGETS") || !strcmp(line, ".SH OPTIONS");
		else if (in && (lines[n] = man_words(line)))
			assert_true(++n < sizeof(lines) / sizeof(lines[0]));
	}
	lines[n] = NULL;
	assert_true(n > 0);
	check_shown(lines, "docs/xgotop-tui.1 (TARGETS, OPTIONS)");
	while (n--)
		free(lines[n]);
	free(text);
}

/*
 * README's flag table: the `code` spans of each row's first cell, with \| as |,
 * the spans of a row on one line of words.
 */
static void test_readme(void **state)
{
	char *text = srcfile_slurp("README.md"), *line, *save, *lines[128];
	bool in = false;
	size_t n = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cell, *o;
		size_t i;

		if (!strcmp(line, "| flag | meaning |"))
			in = true;
		else if (line[0] != '|')
			in = false;
		if (!in || !strncmp(line, "| flag |", 8) || !strncmp(line, "| ---", 5))
			continue;
		/* The first cell ends at the first | that is not \|. */
		cell = o = calloc(1, strlen(line) + 1);
		assert_non_null(cell);
		for (i = 1; line[i] && !(line[i] == '|' && line[i - 1] != '\\'); i++) {
			if (line[i] == '\\' && line[i + 1] == '|')
				continue;
			*o++ = line[i] == '`' ? ' ' : line[i];
		}
		/* Outside the code spans only ", " and " / " separate them. */
		for (o = cell; *o; o++)
			if (*o == ',' || *o == '/')
				*o = ' ';
		lines[n] = cell;
		assert_true(++n < sizeof(lines) / sizeof(lines[0]));
	}
	lines[n] = NULL;
	assert_true(n > 0);
	check_shown(lines, "README.md's flag table");
	while (n--)
		free(lines[n]);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),  cmocka_unit_test(test_every_spelling),
		cmocka_unit_test(test_values), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),   cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_readme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
