// SPDX-License-Identifier: BSD-2-Clause
/*
 * The checks across options, once the table has parsed them one by one: which
 * go together, which do not. The first that fails is the one message.
 */
#include <string.h>

#include "options.h"

static const char *check_replay(const struct env *env)
{
	const struct live_opts *live = &env->live;

	if (live->pid || live->binary || live->cmd)
		return "--replay reads a recording: give no target with it";
	if (live->record)
		return "--record records a live session: not with --replay";
	if (live->listen || live->metrics_functions)
		return "--listen serves a live session's metrics: not with --replay";
	if (env->output && !env->export)
		return "-o is where --export writes: add --export jsonl|perfetto";
	if (env->export && (live->jsonl || env->headless))
		return "--export writes its own output: drop --headless and --jsonl";
	if (live->jsonl && !env->headless)
		return "with --replay, --jsonl writes every event at once: add --headless";
	if (env->stacks && (env->export || env->headless))
		return "--replay --stacks prints a sweep: drop --headless, --jsonl and --export";
	if (env->stacks == 1)
		return "--replay --stacks prints Go's debug=2 form only: drop =1";
	if (env->at >= 0 && !env->stacks)
		return "--at says which sweep --replay --stacks prints: add --stacks";
	return NULL;
}

static const char *check_live(const struct env *env)
{
	const struct live_opts *live = &env->live;

	if (env->export || env->output)
		return "--export and -o read a recording: give --replay FILE";
	if (env->at >= 0)
		return "--at reads a recording: give --replay FILE --stacks";
	if (env->stacks && live->listen)
		return "--stacks prints once and exits: drop --listen";
	if (env->stacks && (!live->pid || live->binary || live->cmd))
		return "--stacks reads a running process: give -pid PID only";
	if (!!live->pid + !!live->binary + !!live->cmd != 1)
		return "give exactly one target: -pid PID, -b BINARY or -- CMD";
	if (live->poll_hz && live->probes)
		return "--poll reads the goroutine table without probes: drop --probes";
	if (live->poll_hz && live->alloc)
		return "--poll reads the goroutine table without probes: drop --alloc";
	if (live->poll_hz && sample__active(&live->sample))
		return "--poll reads the goroutine table without probes: drop -sample";
	if (live->poll_hz && (live->readers > 1 || live->processors > 1))
		return "--poll reads no ring buffer: drop -rw and -pw";
	if (live->stack_interval_ns > 0 && live->binary)
		return "--stack-interval sweeps one process: give -pid PID or -- CMD, not -b";
	if (live->poll_hz && live->binary)
		return "--poll reads one process: give -pid PID or -- CMD, not -b";
	if (live->metrics_functions && !live->listen)
		return "--metrics-functions is of --listen: add --listen ADDR";
	if (env->tui.batch && env->headless)
		return "-n prints snapshots of the UI's data: drop --headless";
	if (env->tui.batch && live->jsonl && !strcmp(live->jsonl, "-"))
		return "-n and --jsonl - both write to stdout: give --jsonl a file";
	return NULL;
}

const char *options__check(const struct env *env)
{
	return env->replay ? check_replay(env) : check_live(env);
}
