// SPDX-License-Identifier: BSD-2-Clause
/* Command line: one struct env, filled here, run by the tracer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "probes.h"
#include "workers.h"

static const char usage_line[] =
	"usage: xgotop-tui (-pid PID | -b BINARY | -- CMD [ARGS...]) [-d SEC] [-n N] "
	"[--headless --jsonl FILE] [options]\n"
	"       xgotop-tui --replay FILE [--headless --jsonl FILE | --export jsonl|perfetto "
	"[-o FILE]]";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "xgotop-tui: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s\n(xgotop-tui --help for more)\n", usage_line);
	exit(2);
}

static void help(void)
{
	printf("xgotop-tui %s: watch the goroutines of a running Go program, live, with eBPF.\n\n"
	       "%s\n\n"
	       "Targets (exactly one):\n"
	       "  -p, -pid, --pid PID       attach to a running Go process\n"
	       "  -b, --binary PATH         every process running PATH, now and later\n"
	       "  -- CMD [ARGS...]          launch CMD with the probes in place before it starts;\n"
	       "                            exit with its status\n\n"
	       "Output:\n"
	       "  (default)                 the terminal UI: ? inside it lists the keys\n"
	       "  -d SEC                    UI refresh interval (default 1, at least 0.1)\n"
	       "  -n N                      no UI: print N text snapshots, one every -d SEC,\n"
	       "                            on stdout (like top -b), then exit\n"
	       "  --ascii                   ASCII glyphs only (default: by the locale)\n"
	       "  --colors 256|16|8|mono    force a color scheme (NO_COLOR is honoured)\n"
	       "  --sort KEY                cpu, age, state, goid, allocs or func\n"
	       "  --filter EXPR             initial filter, as typed after / (docs/UI.md)\n"
	       "  --headless                no terminal UI: events to --jsonl only\n"
	       "  --jsonl FILE              write every event as one JSON object per line\n"
	       "                            (FILE - is stdout; schema in docs/JSONL.md)\n\n"
	       "Recordings (docs/FORMAT.md):\n"
	       "  -w, --record FILE         record the session to FILE (zstd), alongside the\n"
	       "                            UI or --jsonl; refuses to overwrite FILE\n"
	       "  --force                   overwrite FILE (and -o FILE)\n"
	       "  --history MIN             UI: keep the last MIN minutes in memory for its\n"
	       "                            save key (default 5; 0: off)\n"
	       "  --history-mb N            at most N MiB of them (default 64)\n"
	       "  --replay FILE             replay a recording (no root, no target needed):\n"
	       "                            the UI, or every event with --headless --jsonl\n"
	       "  --export jsonl|perfetto   with --replay: JSONL, or Chrome trace JSON for\n"
	       "                            ui.perfetto.dev (one track per goroutine)\n"
	       "  -o FILE                   where --export writes (default: stdout)\n\n"
	       "Options:\n"
	       "  --duration SEC            stop after SEC seconds\n"
	       "  --ringbuf-mb N            ring buffer size in MiB (default 16, a power of 2)\n"
	       "  --probes LEVEL            what to probe: lifecycle (creation and exit only,\n"
	       "                            fewest probe hits), states (every status change,\n"
	       "                            the default) or all (states and allocations)\n"
	       "  --alloc                   allocation events and size-class histogram at any\n"
	       "                            level (one probe hit per heap allocation)\n"
	       "  --alloc-hist              the size-class histogram only, no allocation events\n"
	       "  --poll HZ                 no uprobes: read the goroutine table HZ times a\n"
	       "                            second (changes between reads are not seen)\n"
	       "  -sample SPEC              keep a fraction of the records, decided in BPF:\n"
	       "                            event:rate[,event:rate...], rates 0 to 1; events\n"
	       "                            casgstatus newgoroutine goexit makeslice makemap\n"
	       "                            newobject (a coin per record, as xgotop), and\n"
	       "                            goroutine (whole goroutines: creation, every\n"
	       "                            change and exit, or nothing); counts shown are\n"
	       "                            then estimates. Unlisted: everything. UI key R\n"
	       "  -rw, --readers N          N ring buffers, a reader thread each (default 1,\n"
	       "                            at most 16)\n"
	       "  -pw, --processors N       N decoding threads, each owning a shard of the\n"
	       "                            goroutines (default 1, at most 16); with both at 1\n"
	       "                            one thread does everything\n"
	       "  --batch-size N            records per hand-off between threads (default 1000)\n"
	       "  --batch-flush-interval D  a partial batch waits at most D (10ms, 1s; a bare\n"
	       "                            number is ms; default 10ms)\n"
	       "  -s, --silent              headless: no meter line on stderr every -d seconds\n"
	       "                            (default 1)\n"
	       "  --metrics FILE            at exit, the meters as JSON to FILE: rates, drops,\n"
	       "                            BPF time per probe hit, OVH (docs/METERS.md)\n"
	       "  -v, --verbose             libbpf's log and probe details on stderr\n"
	       "  -h, --help                this text\n"
	       "  -V, --version             print the version\n\n"
	       "Examples:\n"
	       "  sudo xgotop-tui -pid 1234\n"
	       "  sudo xgotop-tui -n 3 -d 2 --filter state:waiting -pid 1234\n"
	       "  sudo xgotop-tui -pid 1234 --headless --jsonl events.jsonl\n"
	       "  sudo xgotop-tui -b ./server --headless --jsonl -\n"
	       "  sudo xgotop-tui --headless --jsonl out.jsonl -- ./server -port 8080\n"
	       "  sudo xgotop-tui -pid 1234 --headless --record session.zst --duration 600\n"
	       "  xgotop-tui --replay session.zst\n"
	       "  xgotop-tui --replay session.zst --export perfetto -o trace.json\n\n"
	       "Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with uprobes and BPF ring\n"
	       "buffers (5.8+). See xgotop-tui(1).\n",
	       XG_VERSION, usage_line);
}

struct opt {
	const char *names[4];
	bool has_arg;
	int id;
};

enum {
	O_PID,
	O_BIN,
	O_HEADLESS,
	O_JSONL,
	O_DURATION,
	O_RINGBUF,
	O_PROBES,
	O_ALLOC,
	O_ALLOC_HIST,
	O_POLL,
	O_DELAY,
	O_BATCH,
	O_ASCII,
	O_COLORS,
	O_FILTER,
	O_SORT,
	O_RECORD,
	O_FORCE,
	O_REPLAY,
	O_EXPORT,
	O_OUTPUT,
	O_HISTORY,
	O_HISTORY_MB,
	O_SILENT,
	O_METRICS,
	O_SAMPLE,
	O_READERS,
	O_PROCESSORS,
	O_BATCH_SIZE,
	O_FLUSH,
	O_VERBOSE,
	O_HELP,
	O_VERSION
};

/* Single-dash long names are accepted as xgotop spells them (-pid, -b). */
static const struct opt opts[] = {
	{{"-p", "-pid", "--pid"}, true, O_PID},
	{{"-b", "--binary"}, true, O_BIN},
	{{"--headless", "-headless"}, false, O_HEADLESS},
	{{"--jsonl", "-jsonl"}, true, O_JSONL},
	{{"--duration", "-duration"}, true, O_DURATION},
	{{"--ringbuf-mb"}, true, O_RINGBUF},
	{{"--probes", "-probes"}, true, O_PROBES},
	{{"--alloc", "-alloc"}, false, O_ALLOC},
	{{"--alloc-hist"}, false, O_ALLOC_HIST},
	{{"--poll", "-poll"}, true, O_POLL},
	{{"-d", "--delay"}, true, O_DELAY},
	{{"-n", "--iterations"}, true, O_BATCH},
	{{"--ascii", "-ascii"}, false, O_ASCII},
	{{"--colors", "--colours"}, true, O_COLORS},
	{{"--filter"}, true, O_FILTER},
	{{"--sort"}, true, O_SORT},
	{{"-w", "--record", "-record"}, true, O_RECORD},
	{{"--force", "-force"}, false, O_FORCE},
	{{"--replay", "-replay"}, true, O_REPLAY},
	{{"--export", "-export"}, true, O_EXPORT},
	{{"-o", "--output"}, true, O_OUTPUT},
	{{"--history", "-history"}, true, O_HISTORY},
	{{"--history-mb"}, true, O_HISTORY_MB},
	{{"-s", "--silent", "-silent"}, false, O_SILENT},
	{{"--metrics", "-metrics"}, true, O_METRICS},
	{{"-sample", "--sample"}, true, O_SAMPLE},
	{{"-rw", "--rw", "--readers"}, true, O_READERS},
	{{"-pw", "--pw", "--processors"}, true, O_PROCESSORS},
	{{"--batch-size", "-batch-size"}, true, O_BATCH_SIZE},
	{{"--batch-flush-interval", "-batch-flush-interval"}, true, O_FLUSH},
	{{"-v", "--verbose"}, false, O_VERBOSE},
	{{"-h", "--help", "-help"}, false, O_HELP},
	{{"-V", "--version", "-version"}, false, O_VERSION},
};

static const struct opt *find_opt(const char *arg, const char **inline_val)
{
	size_t i, j;

	*inline_val = NULL;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		for (j = 0; j < 4 && opts[i].names[j]; j++) {
			const char *n = opts[i].names[j];
			size_t len = strlen(n);

			if (!strncmp(arg, n, len) && (arg[len] == '\0' || arg[len] == '=')) {
				if (arg[len] == '=')
					*inline_val = arg + len + 1;
				return &opts[i];
			}
		}
	}
	return NULL;
}

static double parse_number(const char *s, const char *what, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "invalid %s '%%s'", what);
		usage_error(msg, s);
	}
	return v;
}

/* A whole number in [MIN, MAX], or exit 2 naming WHAT. */
static unsigned int parse_count(const char *s, const char *what, unsigned int min, unsigned int max)
{
	char msg[128], *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max || v != (double)(unsigned int)v) {
		snprintf(msg, sizeof(msg), "invalid %s '%%s': want a whole number from %u to %u",
			 what, min, max);
		usage_error(msg, s);
	}
	return (unsigned int)v;
}

/* A Go duration as xgotop takes it (500us, 10ms, 1.5s, 1m); a bare number is ms. In ns. */
static uint64_t parse_duration(const char *s, const char *what, double min_ns, double max_ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},	 {"us", 1e3}, {"\u00b5s", 1e3}, {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"", 1e6}};
	char msg[160], *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	for (i = 0; end != s && !errno && i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit) && v * units[i].ns >= min_ns &&
		    v * units[i].ns <= max_ns)
			return (uint64_t)(v * units[i].ns);
	}
	snprintf(msg, sizeof(msg), "invalid %s '%%s': want %g ms to %g s, as 10ms or 1s", what,
		 min_ns / 1e6, max_ns / 1e9);
	usage_error(msg, s);
	return 0;
}

/* The UI as the live tracer and the replay call it: CTX is the struct tui_opts. */
static int run_ui(const struct xg_source *src, const void *ctx)
{
	return tui__run(src, ctx);
}

/* --replay: a recording instead of a target; the same UI, JSONL or an export. */
static int run_replay(struct env *env)
{
	if (env->live.pid || env->live.binary || env->live.cmd)
		usage_error("%s", "--replay reads a recording: give no target with it");
	if (env->live.record)
		usage_error("%s", "--record records a live session: not with --replay");
	if (env->output && !env->export)
		usage_error("%s", "-o is where --export writes: add --export jsonl|perfetto");
	if (env->export && (env->live.jsonl || env->headless))
		usage_error("%s", "--export writes its own output: drop --headless and --jsonl");
	if (env->live.jsonl && !env->headless)
		usage_error("%s",
			    "with --replay, --jsonl writes every event at once: add --headless");
	if (!env->headless && !env->export) {
		char err[512];

		if (tui__validate(&env->tui, err, sizeof(err)))
			usage_error("%s", err);
		env->live.ui = run_ui;
		env->live.ui_ctx = &env->tui;
	}
	return replay_cmd__run(env);
}

int main(int argc, char **argv)
{
	struct env env = {.live = {.ringbuf_mb = 16, .history_min = 5, .history_mb = 64}};
	int i;

	sample__all(&env.live.sample);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		const struct opt *o;

		if (!strcmp(arg, "--")) {
			if (i + 1 >= argc)
				usage_error("%s: no command after it", "--");
			env.live.cmd = &argv[i + 1];
			break;
		}
		o = find_opt(arg, &val);
		if (!o)
			usage_error(arg[0] == '-' ? "unknown option %s" : "unexpected argument %s",
				    arg);
		if (o->has_arg && !val) {
			if (i + 1 >= argc)
				usage_error("%s needs a value", arg);
			val = argv[++i];
		} else if (!o->has_arg && val) {
			usage_error("%s takes no value", arg);
		}
		switch (o->id) {
		case O_PID:
			/* Any positive int is a pid to look for: "no such process" beats "invalid".
			 */
			env.live.pid = (pid_t)parse_number(val, "pid", 1, 2147483647);
			if ((double)env.live.pid != strtod(val, NULL))
				usage_error("invalid pid '%s'", val);
			break;
		case O_BIN:
			env.live.binary = val;
			break;
		case O_HEADLESS:
			env.headless = true;
			break;
		case O_JSONL:
			env.live.jsonl = val;
			break;
		case O_DURATION:
			env.live.duration = parse_number(val, "duration", 0.001, 1e9);
			break;
		case O_RINGBUF:
			env.live.ringbuf_mb =
				(unsigned int)parse_number(val, "ring buffer size", 1, 4096);
			if (env.live.ringbuf_mb & (env.live.ringbuf_mb - 1))
				usage_error("--ringbuf-mb %s is not a power of 2", val);
			break;
		case O_PROBES: {
			enum probe_level level;

			if (probes__parse_level(val, &level))
				usage_error("--probes %s: want lifecycle, states or all", val);
			env.live.probes = level;
			break;
		}
		case O_ALLOC:
			env.live.alloc = XG_ALLOC_EVENTS;
			break;
		case O_ALLOC_HIST:
			env.live.alloc = XG_ALLOC_HIST_ONLY;
			break;
		case O_POLL:
			env.live.poll_hz = parse_number(val, "poll rate", 0.1, 1000);
			break;
		case O_DELAY:
			env.live.delay = env.tui.delay =
				parse_number(val, "refresh interval", 0.1, 3600);
			break;
		case O_BATCH:
			env.tui.batch = (unsigned int)parse_number(val, "snapshot count", 1, 1e9);
			if ((double)env.tui.batch != strtod(val, NULL))
				usage_error("invalid snapshot count '%s'", val);
			break;
		case O_ASCII:
			env.tui.ascii = true;
			break;
		case O_COLORS:
			env.tui.colors = val;
			break;
		case O_FILTER:
			env.tui.filter = val;
			break;
		case O_SORT:
			env.tui.sort = val;
			break;
		case O_RECORD:
			env.live.record = val;
			break;
		case O_FORCE:
			env.live.force = true;
			break;
		case O_REPLAY:
			env.replay = val;
			break;
		case O_EXPORT:
			if (strcmp(val, "jsonl") && strcmp(val, "perfetto"))
				usage_error("--export %s: want jsonl or perfetto", val);
			env.export = val;
			break;
		case O_OUTPUT:
			env.output = val;
			break;
		case O_HISTORY:
			env.live.history_min = parse_number(val, "history length", 0, 1440);
			break;
		case O_HISTORY_MB:
			env.live.history_mb =
				(unsigned int)parse_number(val, "history size", 1, 65536);
			break;
		case O_SILENT:
			env.live.silent = true;
			break;
		case O_METRICS:
			env.live.metrics = val;
			break;
		case O_SAMPLE: {
			char why[256];

			if (sample__parse(val, &env.live.sample, why, sizeof(why)))
				usage_error("-sample: %s", why);
			break;
		}
		case O_READERS:
			env.live.readers = parse_count(val, "reader count", 1, WORKERS_MAX);
			break;
		case O_PROCESSORS:
			env.live.processors = parse_count(val, "processor count", 1, WORKERS_MAX);
			break;
		case O_BATCH_SIZE:
			env.live.batch_size = parse_count(val, "batch size", 1, WORKERS_BATCH_MAX);
			break;
		case O_FLUSH:
			env.live.flush_ns = parse_duration(val, "batch flush interval", 1e5,
							   WORKERS_FLUSH_NS_MAX);
			break;
		case O_VERBOSE:
			env.live.verbose = true;
			break;
		case O_HELP:
			help();
			return 0;
		case O_VERSION:
			printf("xgotop-tui %s\n", XG_VERSION);
			return 0;
		}
	}

	if (env.replay)
		return run_replay(&env);
	if (env.export || env.output)
		usage_error("%s", "--export and -o read a recording: give --replay FILE");
	if (!!env.live.pid + !!env.live.binary + !!env.live.cmd != 1)
		usage_error("%s", "give exactly one target: -pid PID, -b BINARY or -- CMD");
	if (env.live.poll_hz && env.live.probes)
		usage_error("%s", "--poll reads the goroutine table without probes: drop --probes");
	if (env.live.poll_hz && env.live.alloc)
		usage_error("%s", "--poll reads the goroutine table without probes: drop --alloc");
	if (env.live.poll_hz && sample__active(&env.live.sample))
		usage_error("%s", "--poll reads the goroutine table without probes: drop -sample");
	if (env.live.poll_hz && (env.live.readers > 1 || env.live.processors > 1))
		usage_error("%s", "--poll reads no ring buffer: drop -rw and -pw");
	if (env.live.poll_hz && env.live.binary)
		usage_error("%s", "--poll reads one process: give -pid PID or -- CMD, not -b");
	if (env.tui.batch && env.headless)
		usage_error("%s", "-n prints snapshots of the UI's data: drop --headless");
	if (env.tui.batch && env.live.jsonl && !strcmp(env.live.jsonl, "-"))
		usage_error("%s", "-n and --jsonl - both write to stdout: give --jsonl a file");
	if (!env.headless) {
		char err[512];

		if (tui__validate(&env.tui, err, sizeof(err)))
			usage_error("%s", err);
		env.live.ui = run_ui;
		env.live.ui_ctx = &env.tui;
	}
	return tracer__run(&env.live);
}
