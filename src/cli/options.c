// SPDX-License-Identifier: BSD-2-Clause
/*
 * The command-line options: the table, the parser it drives and --help. An
 * option is one row below; tests/unit/test_options.c checks the man page and
 * README against the rows. The checks across options are in option_checks.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpreq.h"
#include "options.h"
#include "probes.h"
#include "budget.h"
#include "stackset.h"
#include "workers.h"

const char options__usage[] =
	"usage: xgotop-tui (-pid PID | -b BINARY | -- CMD [ARGS...]) [-d SEC] [-n N] "
	"[--headless [--jsonl FILE] [--listen ADDR]] [options]\n"
	"       xgotop-tui --replay FILE [--headless --jsonl FILE | --export jsonl|perfetto "
	"[-o FILE] | --stacks [--at SEC]]";

__attribute__((format(printf, 2, 3))) static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(err, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

/*
 * A number from ROW's min to max, or -EINVAL naming ROW's what. strtod takes
 * "nan", which every comparison lets through: -d nan would never tick.
 */
static int parse_number(const char *s, const struct opt_row *row, double *out, char **err)
{
	char *end;
	double v;

	/* Callers read *out on success only; gcc -O3 cannot tell (fail() is not inlined). */
	*out = 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < row->min || v > row->max)
		return fail(err, "invalid %s '%s'", row->what, s);
	*out = v;
	return 0;
}

/* A whole number from ROW's min to max. */
static int parse_count(const char *s, const struct opt_row *row, unsigned int *out, char **err)
{
	unsigned int min = (unsigned int)row->min, max = (unsigned int)row->max;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max ||
	    v != (double)(unsigned int)v)
		return fail(err, "invalid %s '%s': want a whole number from %u to %u", row->what, s,
			    min, max);
	*out = (unsigned int)v;
	return 0;
}

/* A Go duration as xgotop takes it (500us, 10ms, 1.5s, 1m); a bare number is ms. In ns. */
static int parse_duration(const char *s, const struct opt_row *row, uint64_t *out, char **err)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},	 {"us", 1e3}, {"\u00b5s", 1e3}, {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"", 1e6}};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	for (i = 0; end != s && !errno && isfinite(v) && i < sizeof(units) / sizeof(units[0]);
	     i++) {
		if (!strcmp(end, units[i].unit) && v * units[i].ns >= row->min &&
		    v * units[i].ns <= row->max) {
			*out = (uint64_t)(v * units[i].ns);
			return 0;
		}
	}
	return fail(err, "invalid %s '%s': want %g ms to %g s, as 10ms or 1s", row->what, s,
		    row->min / 1e6, row->max / 1e9);
}

/* Any positive int is a pid to look for: "no such process" beats "invalid". */
static int set_pid(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (rc)
		return rc;
	env->live.pid = (pid_t)v;
	if ((double)env->live.pid != strtod(val, NULL))
		return fail(err, "invalid %s '%s'", row->what, val);
	return 0;
}

static int set_ringbuf(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (rc == -EINVAL) {
		free(*err);
		return fail(err, "invalid %s '%s': want a power of 2 from %g to %g (MiB)",
			    row->what, val, row->min, row->max);
	}
	if (rc)
		return rc;
	env->live.ringbuf_mb = (unsigned int)v;
	if ((double)env->live.ringbuf_mb != v || env->live.ringbuf_mb & (env->live.ringbuf_mb - 1))
		return fail(err, "--ringbuf-mb %s is not a power of 2", val);
	return 0;
}

/* --listen ADDR: checked now, so that a typo is a usage error (2), not a failed session. */
static int set_listen(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[256];

	(void)row;
	if (httpreq__parse_addr(val, &ss, &len, why, sizeof(why)))
		return fail(err, "%s", why);
	env->live.listen = val;
	return 0;
}

static int set_probes(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	enum probe_level level;

	(void)row;
	if (probes__parse_level(val, &level))
		return fail(err, "--probes %s: want lifecycle, states or all", val);
	env->live.probes = level;
	return 0;
}

/* --overhead-budget PCT|off: a percentage of the target's CPU time, or no budget. */
static int set_budget(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc;

	if (!strcmp(val, "off")) {
		env->live.budget_pct = 0;
		return 0;
	}
	rc = parse_number(val, row, &v, err);
	if (rc == -EINVAL) {
		free(*err);
		return fail(err, "invalid %s '%s': want a percentage from %g to %g, or off",
			    row->what, val, row->min, row->max);
	}
	if (!rc)
		env->live.budget_pct = v;
	return rc;
}

static int set_alloc(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)row, (void)val, (void)err;
	env->live.alloc = XG_ALLOC_EVENTS;
	return 0;
}

static int set_alloc_hist(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)row, (void)val, (void)err;
	env->live.alloc = XG_ALLOC_HIST_ONLY;
	return 0;
}

/* --stacks: debug=2 form; --stacks=1 the grouped form, as pprof's goroutine?debug=N. */
static int set_stacks(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)row;
	if (!val || !strcmp(val, "2")) {
		env->stacks = 2;
	} else if (!strcmp(val, "1")) {
		env->stacks = 1;
	} else {
		*err = strdup("invalid --stacks value: 1 (grouped) or 2 (the default)");
		return *err ? -EINVAL : -ENOMEM;
	}
	return 0;
}

/* -d paces both the UI and the headless meter line. */
static int set_delay(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (!rc)
		env->live.delay = env->tui.delay = v;
	return rc;
}

/* --stack-interval SEC: 0 turns the sweeps off. */
static int set_stack_interval(struct env *env, const struct opt_row *row, const char *val,
			      char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (rc)
		return rc;
	if (v > 0 && v < 0.1)
		return fail(err, "invalid %s '%s': 0 (off) or 0.1 to 3600 seconds", row->what, val);
	env->live.stack_interval_ns = (int64_t)(v * 1e9);
	return 0;
}

static int set_snapshots(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (rc)
		return rc;
	env->tui.batch = (unsigned int)v;
	if ((double)env->tui.batch != strtod(val, NULL))
		return fail(err, "invalid %s '%s'", row->what, val);
	return 0;
}

static int set_export(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)row;
	if (strcmp(val, "jsonl") && strcmp(val, "perfetto"))
		return fail(err, "--export %s: want jsonl or perfetto", val);
	env->export = val;
	return 0;
}

static int set_history_mb(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	double v;
	int rc = parse_number(val, row, &v, err);

	if (!rc)
		env->live.history_mb = (unsigned int)v;
	return rc;
}

static int set_sample(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	char why[256];

	(void)row;
	if (sample__parse(val, &env->live.sample, why, sizeof(why)))
		return fail(err, "-sample: %s", why);
	return 0;
}

static int set_help(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)env, (void)row, (void)val, (void)err;
	return OPTS_HELP;
}

static int set_version(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	(void)env, (void)row, (void)val, (void)err;
	return OPTS_VERSION;
}

/* The offset of MEMBER in struct env; does not compile unless it is a TYPE. */
#define FIELD(type, member) \
	(offsetof(struct env, member) + 0 * sizeof((type *)0 == &((struct env *)0)->member))
#define FLAG(m)	  .kind = OPT_FLAG, .field = FIELD(bool, m)
#define STRING(m) .kind = OPT_STRING, .field = FIELD(const char *, m)
#define NUMBER(m, w, lo, hi) \
	.kind = OPT_NUMBER, .field = FIELD(double, m), .what = w, .min = lo, .max = hi
#define COUNT(m, w, lo, hi) \
	.kind = OPT_COUNT, .field = FIELD(unsigned int, m), .what = w, .min = lo, .max = hi
#define DURATION(m, w, lo, hi) \
	.kind = OPT_DURATION, .field = FIELD(uint64_t, m), .what = w, .min = lo, .max = hi
#define SETTER(fn, w, lo, hi) .kind = OPT_SETTER, .set = fn, .what = w, .min = lo, .max = hi
#define CALL(fn)	      .kind = OPT_SETTER, .set = fn

/*
 * In --help's order. Single-dash long names are accepted as xgotop spells
 * them (-pid, -sample, -rw); the ones --help does not show are aliases.
 */
const struct opt_row options__table[] = {
	{
		.names = {"-p", "-pid", "--pid"},
		.metavar = "PID",
		.section = OPT_TARGETS,
		.help = "attach to a running Go process",
		SETTER(set_pid, "pid", 1, 2147483647),
	},
	{
		.names = {"-b", "--binary"},
		.metavar = "PATH",
		.section = OPT_TARGETS,
		.help = "every process running PATH, now and later",
		STRING(live.binary),
	},
	{
		.names = {"--"},
		.metavar = "CMD [ARGS...]",
		.section = OPT_TARGETS,
		.help = "launch CMD with the probes in place before it starts;\n"
			"exit with its status",
		.kind = OPT_REST,
	},
	{
		.names = {"-d"},
		.aliases = {"--delay"},
		.metavar = "SEC",
		.section = OPT_OUTPUT,
		.help = "UI refresh interval (default 1, at least 0.1)",
		SETTER(set_delay, "refresh interval", 0.1, 3600),
	},
	{
		.names = {"-n"},
		.aliases = {"--iterations"},
		.metavar = "N",
		.section = OPT_OUTPUT,
		.help = "no UI: print N text snapshots, one every -d SEC,\n"
			"on stdout (like top -b), then exit",
		SETTER(set_snapshots, "snapshot count", 1, 1e9),
	},
	{
		.names = {"--ascii"},
		.aliases = {"-ascii"},
		.section = OPT_OUTPUT,
		.help = "ASCII glyphs only (default: by the locale)",
		FLAG(tui.ascii),
	},
	{
		/* Checked by tui__validate(), which knows the schemes. */
		.names = {"--colors"},
		.aliases = {"--colours"},
		.metavar = "256|16|8|mono",
		.section = OPT_OUTPUT,
		.help = "force a color scheme (NO_COLOR is honoured)",
		STRING(tui.colors),
	},
	{
		.names = {"--sort"},
		.metavar = "KEY",
		.section = OPT_OUTPUT,
		.help = "cpu, age, state, goid, allocs or func",
		STRING(tui.sort),
	},
	{
		.names = {"--filter"},
		.metavar = "EXPR",
		.section = OPT_OUTPUT,
		.help = "initial filter, as typed after / (docs/UI.md)",
		STRING(tui.filter),
	},
	{
		.names = {"--headless"},
		.aliases = {"-headless"},
		.section = OPT_OUTPUT,
		.help = "no terminal UI: events to --jsonl, --record,\n"
			"--listen, or the meter line only",
		FLAG(headless),
	},
	{
		.names = {"--jsonl"},
		.aliases = {"-jsonl"},
		.metavar = "FILE",
		.section = OPT_OUTPUT,
		.help = "write every event as one JSON object per line\n"
			"(FILE - is stdout; schema in docs/JSONL.md);\n"
			"refuses to overwrite FILE",
		STRING(live.jsonl),
	},
	{
		.names = {"-w", "--record"},
		.aliases = {"-record"},
		.metavar = "FILE",
		.section = OPT_RECORDINGS,
		.help = "record the session to FILE (zstd), alongside the\n"
			"UI or --jsonl; refuses to overwrite FILE",
		STRING(live.record),
	},
	{
		.names = {"--force"},
		.aliases = {"-force"},
		.section = OPT_RECORDINGS,
		.help = "overwrite an existing --record, --jsonl,\n"
			"--metrics or -o FILE (never through a symlink)",
		FLAG(live.force),
	},
	{
		.names = {"--history"},
		.aliases = {"-history"},
		.metavar = "MIN",
		.section = OPT_RECORDINGS,
		.help = "UI: keep the last MIN minutes in memory for its\n"
			"save key (default 5; 0: off)",
		NUMBER(live.history_min, "history length", 0, 1440),
	},
	{
		.names = {"--history-mb"},
		.metavar = "N",
		.section = OPT_RECORDINGS,
		.help = "at most N MiB of them (default 64)",
		SETTER(set_history_mb, "history size", 1, 65536),
	},
	{
		.names = {"--replay"},
		.aliases = {"-replay"},
		.metavar = "FILE",
		.section = OPT_RECORDINGS,
		.help = "replay a recording (no root, no target needed):\n"
			"the UI, or every event with --headless --jsonl",
		STRING(replay),
	},
	{
		.names = {"--export"},
		.aliases = {"-export"},
		.metavar = "jsonl|perfetto",
		.section = OPT_RECORDINGS,
		.help = "with --replay: JSONL, or Chrome trace JSON for\n"
			"ui.perfetto.dev (one track per goroutine)",
		CALL(set_export),
	},
	{
		.names = {"-o"},
		.aliases = {"--output"},
		.metavar = "FILE",
		.section = OPT_RECORDINGS,
		.help = "where --export writes (default: stdout)",
		STRING(output),
	},
	{
		.names = {"--duration"},
		.aliases = {"-duration"},
		.metavar = "SEC",
		.section = OPT_OPTIONS,
		.help = "stop after SEC seconds",
		NUMBER(live.duration, "duration", 0.001, 1e9),
	},
	{
		.names = {"--ringbuf-mb"},
		.metavar = "N",
		.section = OPT_OPTIONS,
		.help = "ring buffer size in MiB (default 16, a power of 2,\n"
			"at most 2048: the kernel counts its bytes in 32 bits)",
		SETTER(set_ringbuf, "ring buffer size", 1, 2048),
	},
	{
		.names = {"--probes"},
		.aliases = {"-probes"},
		.metavar = "LEVEL",
		.section = OPT_OPTIONS,
		.help = "what to probe: lifecycle (creation and exit only,\n"
			"fewest probe hits), states (every status change,\n"
			"the default) or all (states and allocations)",
		CALL(set_probes),
	},
	{
		.names = {"--no-offcpu"},
		.section = OPT_OPTIONS,
		.help = "no sched_switch tracepoint: CPU time is time in\n"
			"running, off-CPU time unknown (it costs every\n"
			"process of the machine a little per context switch)",
		FLAG(live.no_offcpu),
	},
	{
		.names = {"--overhead-budget"},
		.metavar = "PCT",
		.section = OPT_OPTIONS,
		.help = "share (%) of the target's CPU time tracing may\n"
			"cost it (default 5): the richest of states,\n"
			"lifecycle and --poll 20 that fits; 'off': full\n"
			"capture whatever it costs. --probes or --poll pin\n"
			"the level",
		SETTER(set_budget, "overhead budget", 0.01, 1000),
	},
	{
		.names = {"--alloc"},
		.aliases = {"-alloc"},
		.section = OPT_OPTIONS,
		.help = "allocation events and size-class histogram at any\n"
			"level (one probe hit per heap allocation)",
		CALL(set_alloc),
	},
	{
		.names = {"--alloc-hist"},
		.section = OPT_OPTIONS,
		.help = "the size-class histogram only, no allocation events",
		CALL(set_alloc_hist),
	},
	{
		.names = {"--poll"},
		.aliases = {"-poll"},
		.metavar = "HZ",
		.section = OPT_OPTIONS,
		.help = "no uprobes: read the goroutine table HZ times a\n"
			"second (changes between reads are not seen)",
		NUMBER(live.poll_hz, "poll rate", 0.1, 1000),
	},
	{
		.names = {"--stacks"},
		.section = OPT_OUTPUT,
		.help = "print every goroutine and its stack as Go's own\n"
			"dump does (runtime.Stack, goroutine?debug=2), and\n"
			"exit; --stacks=1: grouped, as debug=1. With -pid;\n"
			"memory reads only, no probes",
		.optval = true,
		CALL(set_stacks),
	},
	{
		.names = {"--at"},
		.metavar = "SEC",
		.section = OPT_RECORDINGS,
		.help = "with --replay FILE --stacks: the last sweep at SEC\n"
			"seconds from the recording's start (default: its end)",
		NUMBER(at, "time", 0, 1e9),
	},
	{
		.names = {"--stack-interval"},
		.metavar = "SEC",
		.section = OPT_OPTIONS,
		.help = "sweep every goroutine's stack every SEC seconds\n"
			"in the background, for the UI's stack views and\n"
			"--record (default 2 with the UI, else off; 0: off)",
		SETTER(set_stack_interval, "stack interval", 0, 3600),
	},
	{
		.names = {"--leak-sweeps"},
		.metavar = "N",
		.section = OPT_OPTIONS,
		.help = "a stack group that grew at each of the last N\n"
			"sweeps is a leak suspect (default 5)",
		COUNT(live.leak_sweeps, "leak sweep count", 1, STK_HIST - 1),
	},
	{
		.names = {"--leak-wait"},
		.metavar = "SEC",
		.section = OPT_OPTIONS,
		.help = "so is a goroutine waiting longer than SEC seconds\n"
			"(default 60; 0: not by its wait)",
		NUMBER(live.leak_wait, "leak wait", 0, 1e6),
	},
	{
		.names = {"-sample"},
		.aliases = {"--sample"},
		.metavar = "SPEC",
		.section = OPT_OPTIONS,
		.help = "keep a fraction of the records, decided in BPF:\n"
			"event:rate[,event:rate...], rates 0 to 1; events\n"
			"casgstatus newgoroutine goexit makeslice makemap\n"
			"newobject (a coin per record, as xgotop), and\n"
			"goroutine (whole goroutines: creation, every\n"
			"change and exit, or nothing); counts shown are\n"
			"then estimates. Unlisted: everything. UI key R",
		CALL(set_sample),
	},
	{
		.names = {"-rw", "--readers"},
		.aliases = {"--rw"},
		.metavar = "N",
		.section = OPT_OPTIONS,
		.help = "N ring buffers, a reader thread each (default 1,\n"
			"at most 16)",
		COUNT(live.readers, "reader count", 1, WORKERS_MAX),
	},
	{
		.names = {"-pw", "--processors"},
		.aliases = {"--pw"},
		.metavar = "N",
		.section = OPT_OPTIONS,
		.help = "N decoding threads, each owning a shard of the\n"
			"goroutines (default 1, at most 16); with both at 1\n"
			"one thread does everything",
		COUNT(live.processors, "processor count", 1, WORKERS_MAX),
	},
	{
		.names = {"--batch-size"},
		.aliases = {"-batch-size"},
		.metavar = "N",
		.section = OPT_OPTIONS,
		.help = "records per hand-off between threads (default 1000)",
		COUNT(live.batch_size, "batch size", 1, WORKERS_BATCH_MAX),
	},
	{
		.names = {"--batch-flush-interval"},
		.aliases = {"-batch-flush-interval"},
		.metavar = "D",
		.section = OPT_OPTIONS,
		.help = "a partial batch waits at most D (10ms, 1s; a bare\n"
			"number is ms; default 10ms)",
		DURATION(live.flush_ns, "batch flush interval", 1e5, WORKERS_FLUSH_NS_MAX),
	},
	{
		.names = {"-s", "--silent"},
		.aliases = {"-silent"},
		.section = OPT_OPTIONS,
		.help = "headless: no meter line on stderr every -d seconds\n"
			"(default 1)",
		FLAG(live.silent),
	},
	{
		.names = {"--metrics"},
		.aliases = {"-metrics"},
		.metavar = "FILE",
		.section = OPT_OPTIONS,
		.help = "at exit, the meters as JSON to FILE: rates, drops,\n"
			"BPF time per probe hit, OVH (docs/METERS.md);\n"
			"refuses to overwrite FILE",
		STRING(live.metrics),
	},
	{
		.names = {"--listen"},
		.aliases = {"-listen"},
		.metavar = "ADDR",
		.section = OPT_OUTPUT,
		.help = "serve GET /metrics (Prometheus) on ADDR while\n"
			"tracing: 127.0.0.1:9464, :9464, [::1]:9464, port 0\n"
			"for any free one (docs/METRICS.md)",
		CALL(set_listen),
	},
	{
		.names = {"--metrics-functions"},
		.metavar = "N",
		.section = OPT_OUTPUT,
		.help = "--listen: goroutines by start function for the\n"
			"top N functions, the rest as \"other\" (default 50)",
		COUNT(live.metrics_functions, "number of functions", 1, 100000),
	},
	{
		.names = {"-v", "--verbose"},
		.section = OPT_OPTIONS,
		.help = "libbpf's log and probe details on stderr",
		FLAG(live.verbose),
	},
	{
		.names = {"-h", "--help"},
		.aliases = {"-help"},
		.section = OPT_OPTIONS,
		.help = "this text",
		CALL(set_help),
	},
	{
		.names = {"-V", "--version"},
		.aliases = {"-version"},
		.section = OPT_OPTIONS,
		.help = "print the version",
		CALL(set_version),
	},
};
const size_t options__n = sizeof(options__table) / sizeof(options__table[0]);

const char *options__spelling(const struct opt_row *row, size_t i)
{
	size_t j;

	for (j = 0; j < 3; j++)
		if (row->names[j] && i-- == 0)
			return row->names[j];
	for (j = 0; j < 3; j++)
		if (row->aliases[j] && i-- == 0)
			return row->aliases[j];
	return NULL;
}

/* ARG's row: a spelling alone, or (but "--") followed by =VALUE, put in *INLINE_VAL. */
static const struct opt_row *find_row(const char *arg, const char **inline_val)
{
	const char *n;
	size_t i, j;

	*inline_val = NULL;
	for (i = 0; i < options__n; i++) {
		const struct opt_row *row = &options__table[i];

		for (j = 0; (n = options__spelling(row, j)); j++) {
			size_t len = strlen(n);

			if (strncmp(arg, n, len))
				continue;
			if (arg[len] == '\0')
				return row;
			if (arg[len] == '=' && row->kind != OPT_REST) {
				*inline_val = arg + len + 1;
				return row;
			}
		}
	}
	return NULL;
}

static int apply(struct env *env, const struct opt_row *row, const char *val, char **err)
{
	char *field = (char *)env + row->field;
	double v;
	int rc;

	switch (row->kind) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_STRING:
		*(const char **)field = val;
		return 0;
	case OPT_NUMBER:
		rc = parse_number(val, row, &v, err);
		if (!rc)
			*(double *)field = v;
		return rc;
	case OPT_COUNT:
		return parse_count(val, row, (unsigned int *)field, err);
	case OPT_DURATION:
		return parse_duration(val, row, (uint64_t *)field, err);
	case OPT_SETTER:
		return row->set(env, row, val, err);
	case OPT_REST:
		break;
	}
	return 0;
}

int options__parse(int argc, char **argv, struct env *env, char **err)
{
	int i, rc;

	*err = NULL;
	*env = (struct env){.live = {.ringbuf_mb = 16,
				     .history_min = 5,
				     .history_mb = 64,
				     .budget_pct = BUDGET_DEFAULT_PCT,
				     .stack_interval_ns = -1,
				     .leak_wait = -1},
			    .at = -1};
	sample__all(&env->live.sample);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		const struct opt_row *row = find_row(arg, &val);

		if (!row && arg[0] == '-')
			return fail(err, "unknown option %s", arg);
		if (!row)
			return fail(err, "unexpected argument %s", arg);
		if (row->kind == OPT_REST) {
			if (i + 1 >= argc)
				return fail(err, "%s: no command after it", arg);
			env->live.cmd = &argv[i + 1];
			return OPTS_RUN;
		}
		if (row->metavar && !val) {
			if (i + 1 >= argc)
				return fail(err, "%s needs a value", arg);
			val = argv[++i];
		} else if (!row->metavar && val && !row->optval) {
			return fail(err, "%s takes no value", arg);
		}
		rc = apply(env, row, val, err);
		if (rc)
			return rc;
	}
	return OPTS_RUN;
}

/* Lines that are no option, listed first in their section. */
static const struct {
	const char *title;
	const char *note_label, *note;
} sections[OPT_N_SECTIONS] = {
	[OPT_TARGETS] = {.title = "Targets (exactly one):"},
	[OPT_OUTPUT] = {"Output:", "(default)", "the terminal UI: ? inside it lists the keys"},
	[OPT_RECORDINGS] = {.title = "Recordings (docs/FORMAT.md):"},
	[OPT_OPTIONS] = {.title = "Options:"},
};

static void help_entry(FILE *out, const char *label, const char *text)
{
	const char *nl;

	fprintf(out, "  %-24s  ", label);
	while ((nl = strchr(text, '\n'))) {
		fprintf(out, "%.*s\n%28s", (int)(nl - text), text, "");
		text = nl + 1;
	}
	fprintf(out, "%s\n", text);
}

/* "-p, -pid, --pid PID": the names, then the metavar. */
static void row_label(const struct opt_row *row, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < 3 && row->names[i] && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", row->names[i]);
	if (row->metavar && n < len)
		snprintf(buf + n, len - n, " %s", row->metavar);
}

void options__help(FILE *out)
{
	char label[64];
	size_t s, i;

	fprintf(out,
		"xgotop-tui %s: watch the goroutines of a running Go program, live, with eBPF.\n\n"
		"%s\n\n",
		XG_VERSION, options__usage);
	for (s = 0; s < OPT_N_SECTIONS; s++) {
		fprintf(out, "%s\n", sections[s].title);
		if (sections[s].note_label)
			help_entry(out, sections[s].note_label, sections[s].note);
		for (i = 0; i < options__n; i++) {
			if (options__table[i].section != s)
				continue;
			row_label(&options__table[i], label, sizeof(label));
			help_entry(out, label, options__table[i].help);
		}
		fputc('\n', out);
	}
	fputs("Examples:\n"
	      "  sudo xgotop-tui -pid 1234\n"
	      "  sudo xgotop-tui -n 3 -d 2 --filter state:waiting -pid 1234\n"
	      "  sudo xgotop-tui -pid 1234 --headless --jsonl events.jsonl\n"
	      "  sudo xgotop-tui -b ./server --headless --jsonl -\n"
	      "  sudo xgotop-tui --headless --jsonl out.jsonl -- ./server -port 8080\n"
	      "  sudo xgotop-tui -pid 1234 --headless --record session.zst --duration 600\n"
	      "  sudo xgotop-tui -b /usr/local/bin/myservice --headless -s --listen "
	      "127.0.0.1:9464\n"
	      "  xgotop-tui --replay session.zst\n"
	      "  xgotop-tui --replay session.zst --export perfetto -o trace.json\n\n"
	      "Needs root (or CAP_SYS_ADMIN) and a kernel with uprobes and BPF ring buffers\n"
	      "(5.8+). See xgotop-tui(1).\n",
	      out);
}
