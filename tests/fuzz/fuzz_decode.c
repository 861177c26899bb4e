// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the event decoder (src/live/decode.c): a sequence of
 * ring-buffer records (struct xg_event, bpf/xgotop_event.h) pushed in any
 * order, with drains up to some time, seeds from an attach snapshot and
 * -sample changes in between, then the end of the session.
 *
 * Input: byte 0 holds the options (bit 0: goid_before_create), byte 1 times
 * 3 the event at which the emit callback fails once (0: never); then
 * operations, each one byte and its operands:
 *   0-3  a record in 8 bytes: ts step forward, ts lag behind, pid and g,
 *        goid, type, from | to << 4, flags | reason << 5, arg0
 *   4    a record as the ring holds it: sizeof(struct xg_event) raw bytes
 *   5    drain up to now - N (N = 255: everything)
 *   6    seed: pid and goid, state
 *   7    -sample: two bits a rate (none, half, all), 7 rates
 * A small alphabet of pids, g addresses and goids, so records meet.
 *
 * Beyond not crashing: drains emit nothing newer than their bounds,
 * release records in ts order (seen on allocations and GC events, which are
 * never held back) and hand back the callback's error; every create record
 * becomes one create event unless -sample dropped it, every exit record one
 * exit event when nothing was dropped, every allocation one allocation; the
 * counters agree with what was seen; nothing stays queued or pending after
 * the end.
 * Seeds: tests/fuzz/corpus/decode, written by tests/fuzz/decode_seeds.py;
 * found-* were found by the fuzzer and catch a misordered late-record heap
 * and a drain past its bound.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STOP_ERR (-ECANCELED)

struct seen {
	/*
	 * Highest bound of a drain so far: a record released by a drain may
	 * let out a create or a wait that an earlier one held back.
	 */
	uint64_t until;
	/*
	 * ts of the last allocation or GC event of the drain in progress: those
	 * are never held back, so within a drain they leave in ts order.
	 */
	uint64_t last_direct;
	uint64_t stop_at;  /* emit fails at this event (0: never) */
	bool stopped;	   /* it did: counts no longer add up */
	uint64_t events;   /* emitted */
	uint64_t creates;  /* GEV_CREATE */
	uint64_t exits;	   /* GEV_EXIT */
	uint64_t allocs;   /* GEV_ALLOC */
	uint64_t gcs;	   /* GEV_GC, END included */
	uint64_t inferred; /* inferred GEV_STATE */
};

struct pushed {
	uint64_t records;
	uint64_t creates; /* XG_EV_STATE with XG_EVF_CREATE */
	uint64_t exits;	  /* XG_EV_STATE to dead or deadextra */
	uint64_t allocs;
	uint64_t gcs;
};

static int on_event(const struct gev *ev, void *ctx)
{
	struct seen *s = ctx;

	if (ev->ts > s->until)
		abort();
	if (ev->reason != GEV_NO_REASON && (ev->reason < 0 || ev->reason > 255))
		abort();
	switch (ev->kind) {
	case GEV_CREATE:
		s->creates++;
		break;
	case GEV_STATE:
		if (ev->inferred) {
			if (ev->has_pm)
				abort();
			s->inferred++;
		}
		break;
	case GEV_EXIT:
		s->exits++;
		break;
	case GEV_ALLOC:
	case GEV_GC:
		if (ev->ts < s->last_direct)
			abort();
		s->last_direct = ev->ts;
		s->allocs += ev->kind == GEV_ALLOC;
		s->gcs += ev->kind == GEV_GC;
		break;
	default:
		abort(); /* the decoder makes no other kind */
	}
	if (++s->events == s->stop_at) {
		s->stopped = true;
		return STOP_ERR;
	}
	return 0;
}

/* The g of a pending create resolves for half the addresses. */
static int resolve(uint32_t pid, uint64_t g, uint64_t *goid, void *ctx)
{
	(void)ctx;
	if (g & 0x100)
		return -ESRCH;
	*goid = 1000 + pid + (g >> 9);
	return 0;
}

static void check_drain(int err, struct seen *s)
{
	/* The callback's error comes back as it was; nothing else fails here. */
	if (err && !(err == STOP_ERR && s->stopped) && err != -ENOMEM)
		abort();
}

static void count(struct pushed *p, const struct xg_event *rec)
{
	p->records++;
	if (rec->type == XG_EV_STATE) {
		p->creates += !!(rec->flags & XG_EVF_CREATE);
		p->exits += rec->to == XG_G_DEAD || rec->to == XG_G_DEADEXTRA;
	}
	p->allocs += rec->type == XG_EV_ALLOC;
	p->gcs += rec->type == XG_EV_GC;
}

static void compact_record(struct xg_event *rec, const uint8_t *b, uint64_t *now)
{
	memset(rec, 0, sizeof(*rec));
	*now += b[0];
	rec->ts = *now - (b[1] & 0x80 ? (uint64_t)(b[1] & 0x7f) << 8 : b[1]);
	rec->pid = 100 + (b[2] & 1);
	rec->tid = rec->pid + (b[2] >> 4);
	rec->g = 0xc000000000ull + ((uint64_t)(b[2] >> 1) << 8);
	rec->goid = b[3];
	rec->type = b[4] & 3;
	rec->from = b[5] & 15;
	rec->to = b[5] >> 4;
	rec->flags = b[6] & 31;
	rec->reason = b[6] >> 5;
	rec->arg0 = b[7];
	rec->arg1 = 0x401000 + b[7];
	rec->arg2 = b[4] >> 2;
	rec->ip = 0x401000;
}

static void sampling(struct xg_sample *smp, const uint8_t *b)
{
	static const uint64_t rates[4] = {0, XG_SMP_ALL / 2, XG_SMP_ALL, XG_SMP_ALL};
	unsigned int bits = b[0] | b[1] << 8;
	int i;

	memset(smp, 0, sizeof(*smp));
	for (i = 0; i < XG_SMP_N; i++) {
		smp->thresh[i] = rates[(bits >> (2 * i)) & 3];
		smp->on |= smp->thresh[i] < XG_SMP_ALL;
	}
	smp->goid_late = bits >> 15;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder_opts opts = {0};
	struct decoder_stats st;
	struct seen s = {0};
	struct pushed p = {0};
	struct xg_event rec;
	struct xg_sample smp;
	struct decoder *d;
	uint64_t now = 1000000, goid, bound;
	size_t i = 2;
	uint32_t pid;
	int err;

	if (size < 2)
		return 0;
	opts.goid_before_create = data[0] & 1;
	s.stop_at = data[1] ? (uint64_t)data[1] * 3 : 0;
	d = decoder__new(&opts);
	if (!d)
		return 0;
	while (i < size) {
		uint8_t op = data[i++] & 7;

		switch (op) {
		case 4:
			if (size - i < sizeof(rec))
				goto end;
			memcpy(&rec, data + i, sizeof(rec));
			i += sizeof(rec);
			if (!decoder__push(d, &rec))
				count(&p, &rec);
			break;
		case 5:
			if (i >= size)
				goto end;
			bound = data[i] == 255 ? UINT64_MAX : now - data[i];
			i++;
			if (bound > s.until)
				s.until = bound;
			s.last_direct = 0;
			check_drain(decoder__drain(d, bound, on_event, &s), &s);
			break;
		case 6:
			if (size - i < 2)
				goto end;
			pid = 100 + (data[i] & 1);
			goid = data[i] >> 1;
			if (!decoder__seed(d, pid, goid, data[i + 1] & 15) &&
			    !decoder__seeded(d, pid, goid))
				abort();
			i += 2;
			break;
		case 7:
			if (size - i < 2)
				goto end;
			sampling(&smp, data + i);
			decoder__set_sampling(d, &smp);
			i += 2;
			break;
		default:
			if (size - i < 8)
				goto end;
			compact_record(&rec, data + i, &now);
			i += 8;
			if (!decoder__push(d, &rec))
				count(&p, &rec);
			break;
		}
	}
end:
	s.until = UINT64_MAX;
	s.last_direct = 0;
	err = decoder__finish(d, resolve, on_event, &s);
	check_drain(err, &s);
	decoder__stats(d, &st);
	if (st.records != p.records || st.events != s.events || st.inferred != s.inferred ||
	    st.allocs != s.allocs || st.gcs != s.gcs)
		abort();
	if (!err && !s.stopped) {
		if (st.queued || st.pending)
			abort();
		if (s.creates + st.unsampled != p.creates)
			abort();
		if (!st.unsampled && s.exits != p.exits)
			abort();
		if (s.allocs != p.allocs || s.gcs < p.gcs || s.gcs > 2 * p.gcs)
			abort();
	}
	decoder__free(d);
	return 0;
}
