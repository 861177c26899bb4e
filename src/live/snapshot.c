// SPDX-License-Identifier: BSD-2-Clause
/* -pid: the goroutines found at attach (see snapshot.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gpoll.h"
#include "snapshot.h"
#include "xgotop_event.h"

/* A goroutine found at attach and gone soon after, perhaps before the probes were in. */
struct suspect {
	uint64_t goid;
	uint8_t state;
};

struct snapshot {
	uint32_t pid;
	bool emitted;	   /* snapshot__emit ran: reads now look for exits */
	struct gev *found; /* the first read's creates */
	size_t n_found;
	struct suspect *suspects;
	size_t n_suspects;
	uint64_t read_ts, reread_ts; /* the first and the second read */
};

struct snapshot *snapshot__new(uint32_t pid)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s)
		s->pid = pid;
	return s;
}

void snapshot__free(struct snapshot *s)
{
	if (!s)
		return;
	free(s->found);
	free(s->suspects);
	free(s);
}

void snapshot__begin_read(struct snapshot *s, uint64_t now)
{
	if (s->emitted)
		s->reread_ts = now;
	else
		s->read_ts = now;
}

static int keep_found(struct snapshot *s, const struct gev *ev)
{
	struct gev *n;

	if (ev->kind != GEV_CREATE)
		return 0;
	n = realloc(s->found, (s->n_found + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->found = n;
	n[s->n_found] = *ev;
	n[s->n_found].existing = true;
	s->n_found++;
	return 0;
}

static int note_gone(struct snapshot *s, const struct gev *ev)
{
	struct suspect *n;
	size_t i;

	if (ev->kind != GEV_EXIT)
		return 0;
	for (i = 0; i < s->n_found; i++)
		if (s->found[i].goid == ev->goid)
			break;
	if (i == s->n_found)
		return 0;
	n = realloc(s->suspects, (s->n_suspects + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->suspects = n;
	n[s->n_suspects].goid = ev->goid;
	n[s->n_suspects].state = s->found[i].to;
	s->n_suspects++;
	return 0;
}

int snapshot__add(const struct gev *ev, void *snapshot)
{
	struct snapshot *s = snapshot;

	return s->emitted ? note_gone(s, ev) : keep_found(s, ev);
}

int snapshot__read(struct snapshot *s, struct poll_src *src, uint64_t now)
{
	int next_ms;

	snapshot__begin_read(s, now);
	return poll_src__pump(src, now, &next_ms, snapshot__add, s);
}

static int seed_one(struct decoder *d, void *ctx)
{
	const struct gev *ev = ctx;

	return decoder__seed(d, ev->pid, ev->goid, ev->to);
}

int snapshot__emit(struct snapshot *s, uint64_t goroutine_thresh, const struct snapshot_ops *ops)
{
	int err = 0;
	size_t i;

	if (!s)
		return 0;
	s->emitted = true;
	for (i = 0; i < s->n_found && !err; i++) {
		/* -sample goroutine:RATE: the others will never show a change. */
		if (!xg_goid_sampled(goroutine_thresh, s->found[i].pid, s->found[i].goid))
			continue;
		s->found[i].ts = s->read_ts;
		/* Every processor: the one whose shard it is will see its records. */
		err = ops->each_decoder(ops->ctx, seed_one, &s->found[i]);
		if (!err)
			err = ops->emit(&s->found[i], ops->ctx);
	}
	return err;
}

/* Counts the decoders that have not seen the goroutine (ev.pid, ev.goid) since its seed. */
struct seeded_q {
	struct gev ev;
	unsigned int n;
};

static int count_seeded(struct decoder *d, void *ctx)
{
	struct seeded_q *q = ctx;

	q->n += decoder__seeded(d, q->ev.pid, q->ev.goid);
	return 0;
}

int snapshot__settle(struct snapshot *s, uint64_t released, const struct snapshot_ops *ops)
{
	struct gev ev = {.reason = GEV_NO_REASON, .inferred = true};
	size_t i;
	int err = 0;

	if (!s || !s->n_suspects || released < s->reread_ts)
		return 0;
	ev.pid = s->pid;
	ev.ts = s->reread_ts;
	for (i = 0; i < s->n_suspects && !err; i++) {
		struct seeded_q q = {.ev = {.pid = ev.pid, .goid = s->suspects[i].goid}};

		/* Untouched everywhere: no record of it came after the probes went in. */
		ops->each_decoder(ops->ctx, count_seeded, &q);
		if (q.n < ops->n_decoders)
			continue;
		ev.goid = s->suspects[i].goid;
		ev.kind = GEV_STATE;
		ev.from = s->suspects[i].state;
		ev.to = XG_G_DEAD;
		err = ops->emit(&ev, ops->ctx);
		ev.kind = GEV_EXIT;
		if (!err)
			err = ops->emit(&ev, ops->ctx);
	}
	s->n_suspects = 0;
	return err;
}
