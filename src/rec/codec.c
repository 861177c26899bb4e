// SPDX-License-Identifier: BSD-2-Clause
/*
 * What both directions of the record codec share: the field table of the
 * full form of an event, the meters record, and the time per state that a
 * keyframe entry's spans account for.
 */
#define _GNU_SOURCE
#include "rec_format.h"

#include <string.h>

#define FD(field, type)                                                             \
	{                                                                           \
		offsetof(struct gev, field), type, sizeof(((struct gev *)0)->field) \
	}

const struct fdesc rec_full_fields[] = {
	FD(pid, FD_U),
	FD(tid, FD_U),
	FD(goid, FD_U),
	FD(from, FD_U),
	FD(to, FD_U),
	FD(inferred, FD_U),
	FD(reason, FD_S),
	FD(reason_str, FD_STR),
	FD(parent, FD_U),
	FD(startpc, FD_U),
	FD(gopc, FD_U),
	FD(func, FD_STR),
	FD(created_by, FD_STR),
	FD(file, FD_STR),
	FD(line, FD_S),
	FD(has_pm, FD_U),
	FD(p, FD_S),
	FD(m, FD_S),
	FD(alloc.kind, FD_U),
	FD(alloc.bucket, FD_U),
	FD(alloc.size, FD_U),
	FD(alloc.type_addr, FD_U),
	FD(alloc.type, FD_STR),
	FD(alloc.has_hint, FD_U),
	FD(alloc.hint, FD_U),
	FD(gc.phase, FD_U),
	FD(gc.cycle, FD_U),
	FD(gc.reason, FD_S),
	FD(gc.reason_str, FD_STR),
	FD(gc.dur_ns, FD_U),
	FD(gc.n_stw, FD_U),
	FD(gc.stw_ns, FD_U),
	FD(gc.stw_max_ns, FD_U),
	FD(gc.mark_ns, FD_U),
	FD(gc.trigger, FD_U),
	FD(gc.procs, FD_U),
	FD(hist.bucket, FD_U),
	FD(hist.class_size, FD_U),
	FD(hist.count, FD_U),
	FD(hist.bytes, FD_U),
	FD(existing, FD_U),  /* 1.1 */
	FD(gap.drops, FD_U), /* 1.2 */
	FD(gap.since, FD_U),
	FD(gap.resync, FD_U),
	FD(gap.exits, FD_U),
	FD(gap.creates, FD_U),
	FD(gap.changes, FD_U),
	FD(capture.level, FD_U), /* 1.3 */
	FD(capture.poll_hz, FD_U),
	FD(capture.budget_bp, FD_U),
	FD(capture.why, FD_STR),
	FD(waitsince, FD_U), /* 1.3 */
	FD(heap.cls, FD_U),
	FD(heap.class_size, FD_U),
	FD(heap.allocs, FD_U),
	FD(heap.frees, FD_U),
	FD(heap.alloc_bytes, FD_U),
	FD(heap.free_bytes, FD_U),
	FD(heap.tiny, FD_U),
	FD(cpu.what, FD_U), /* 1.4 */
	FD(cpu.a, FD_U),
	FD(cpu.b, FD_U),
};

_Static_assert(sizeof(rec_full_fields) / sizeof(rec_full_fields[0]) == REC_N_FULL_FIELDS,
	       "REC_N_FULL_FIELDS counts the table");
_Static_assert(REC_N_FULL_FIELDS < 63, "the bitmap of the full form is one varint");

/* ---- the meters record ---------------------------------------------------------- */

void rec_meters__put(struct buf *b, uint64_t base, const struct xg_meters *m, bool tail)
{
	size_t len = strnlen(m->sample, sizeof(m->sample) - 1);

	put_varint(b, zz((int64_t)(m->ts - base)));
	put_f64(b, m->rps);
	put_f64(b, m->pps);
	put_varint(b, m->ewp);
	put_f64(b, m->prc_ns);
	put_varint(b, m->drops);
	put_f64(b, m->drops_per_s);
	put_f64(b, m->lat_ns);
	put_f64(b, m->ovh_pct);
	if (!tail)
		return;
	put_f64(b, m->goroutine_rate);
	put_varint(b, len);
	put_bytes(b, m->sample, len);
}

bool rec_meters__get(struct rd *r, uint64_t base, struct xg_meters *m, bool tail)
{
	uint64_t v, len;

	memset(m, 0, sizeof(*m));
	if (!get_varint(r, &v))
		return false;
	m->ts = base + (uint64_t)unzz(v);
	if (!get_f64(r, &m->rps) || !get_f64(r, &m->pps) || !get_varint(r, &m->ewp) ||
	    !get_f64(r, &m->prc_ns) || !get_varint(r, &m->drops) || !get_f64(r, &m->drops_per_s) ||
	    !get_f64(r, &m->lat_ns) || !get_f64(r, &m->ovh_pct))
		return false;
	if (!tail || r->p >= r->end)
		return true;
	if (!get_f64(r, &m->goroutine_rate) || !get_varint(r, &len) ||
	    len > (uint64_t)(r->end - r->p) || len >= sizeof(m->sample))
		return false;
	memcpy(m->sample, r->p, len);
	m->sample[len] = '\0';
	r->p += len;
	return true;
}

/* ---- keyframe entries ------------------------------------------------------------ */

void rec_spans_time(const struct gstate_span *s, uint32_t n, uint64_t out[GT_NSTATES])
{
	uint32_t i;

	memset(out, 0, sizeof(uint64_t) * GT_NSTATES);
	for (i = 0; i + 1 < n; i++)
		if (s[i].state < GT_NSTATES)
			out[s[i].state] += s[i + 1].start - s[i].start;
}
