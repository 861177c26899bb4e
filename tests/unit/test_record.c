// SPDX-License-Identifier: BSD-2-Clause
/*
 * The recording format: encoder/decoder round trip of every field of every
 * kind of event, frame boundaries and frame independence, the seek index
 * and its rebuild, version checks, crash-truncated and damaged files, file
 * creation rules, meters, and the flight recorder's saves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_PREFIX "/tmp/xg-test-record-"
#include "tmpdir.h"
#include <zstd.h>

#include "record.h"
#include "replay.h"
#include "../record/churn_gen.h"

#define T0 5000000000000ull

/* ---- helpers -------------------------------------------------------------- */

struct bytes {
	uint8_t *p;
	size_t len;
};

static struct bytes slurp(const char *path)
{
	struct bytes b = {0};
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b.p = malloc(n ? n : 1);
	assert_non_null(b.p);
	assert_int_equal(fread(b.p, 1, n, f), (size_t)n);
	b.len = n;
	fclose(f);
	return b;
}

static void spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

struct warns {
	int n;
	char last[512];
	char all[8192];
};

static void collect_warn(void *ctx, const char *msg)
{
	struct warns *w = ctx;
	size_t len = strlen(w->all);

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
	snprintf(w->all + len, sizeof(w->all) - len, "%s\n", msg);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void assert_gev_equal(const struct gev *a, const struct gev *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->ts, b->ts);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->goid, b->goid);
	assert_int_equal(a->from, b->from);
	assert_int_equal(a->to, b->to);
	assert_int_equal(a->inferred, b->inferred);
	assert_int_equal(a->reason, b->reason);
	assert_true(str_eq(a->reason_str, b->reason_str));
	assert_int_equal(a->parent, b->parent);
	assert_int_equal(a->startpc, b->startpc);
	assert_int_equal(a->gopc, b->gopc);
	assert_true(str_eq(a->func, b->func));
	assert_true(str_eq(a->created_by, b->created_by));
	assert_true(str_eq(a->file, b->file));
	assert_int_equal(a->line, b->line);
	assert_int_equal(a->has_pm, b->has_pm);
	assert_int_equal(a->p, b->p);
	assert_int_equal(a->m, b->m);
	assert_int_equal(a->alloc.kind, b->alloc.kind);
	assert_int_equal(a->alloc.bucket, b->alloc.bucket);
	assert_int_equal(a->alloc.size, b->alloc.size);
	assert_int_equal(a->alloc.type_addr, b->alloc.type_addr);
	assert_true(str_eq(a->alloc.type, b->alloc.type));
	assert_int_equal(a->alloc.has_hint, b->alloc.has_hint);
	assert_int_equal(a->alloc.hint, b->alloc.hint);
	assert_int_equal(a->gc.phase, b->gc.phase);
	assert_int_equal(a->gc.cycle, b->gc.cycle);
	assert_int_equal(a->gc.reason, b->gc.reason);
	assert_true(str_eq(a->gc.reason_str, b->gc.reason_str));
	assert_int_equal(a->gc.dur_ns, b->gc.dur_ns);
	assert_int_equal(a->gc.n_stw, b->gc.n_stw);
	assert_int_equal(a->gc.stw_ns, b->gc.stw_ns);
	assert_int_equal(a->gc.stw_max_ns, b->gc.stw_max_ns);
	assert_int_equal(a->gc.mark_ns, b->gc.mark_ns);
	assert_int_equal(a->gc.trigger, b->gc.trigger);
	assert_int_equal(a->gc.procs, b->gc.procs);
	assert_int_equal(a->hist.bucket, b->hist.bucket);
	assert_int_equal(a->hist.class_size, b->hist.class_size);
	assert_int_equal(a->hist.count, b->hist.count);
	assert_int_equal(a->hist.bytes, b->hist.bytes);
	assert_int_equal(a->existing, b->existing);
	assert_int_equal(a->gap.drops, b->gap.drops);
	assert_int_equal(a->gap.since, b->gap.since);
	assert_int_equal(a->gap.resync, b->gap.resync);
	assert_int_equal(a->gap.exits, b->gap.exits);
	assert_int_equal(a->gap.creates, b->gap.creates);
	assert_int_equal(a->gap.changes, b->gap.changes);
	assert_int_equal(a->capture.level, b->capture.level);
	assert_int_equal(a->capture.poll_hz, b->capture.poll_hz);
	assert_int_equal(a->capture.budget_bp, b->capture.budget_bp);
	assert_true(str_eq(a->capture.why, b->capture.why));
	assert_int_equal(a->waitsince, b->waitsince);
	assert_int_equal(a->heap.cls, b->heap.cls);
	assert_int_equal(a->heap.class_size, b->heap.class_size);
	assert_int_equal(a->heap.allocs, b->heap.allocs);
	assert_int_equal(a->heap.frees, b->heap.frees);
	assert_int_equal(a->heap.alloc_bytes, b->heap.alloc_bytes);
	assert_int_equal(a->heap.free_bytes, b->heap.free_bytes);
	assert_int_equal(a->heap.tiny, b->heap.tiny);
	assert_int_equal(a->cpu.what, b->cpu.what);
	assert_int_equal(a->cpu.a, b->cpu.a);
	assert_int_equal(a->cpu.b, b->cpu.b);
}

/*
 * A tripwire: every field of struct gev is recorded (the compact form, and
 * rec_full_fields in src/rec/codec.c for the rest). When this size changes, give
 * the new fields their place there and in assert_gev_equal above.
 */
static void test_gev_fields_covered(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct gev), 408);
}

static struct record_writer *open_writer(const char *name, struct record_opts *o)
{
	struct record_meta m = {.pid = 4242,
				.path = "/srv/app",
				.go_version = "go1.26.8",
				.arch = "amd64",
				.mod_path = "example.com/app",
				.probes = "runtime.casgstatus",
				.mode = "pid",
				.wall_ns = 1700000000000000000ull,
				.mono_ns = T0};
	struct record_writer *w;

	unlink(tmpdir_path(name));
	o->path = tmpdir_path(name);
	w = record__open(o);
	assert_non_null(w);
	assert_int_equal(record__begin(w, &m), 0);
	return w;
}

/* Write N churn events (applied to GT first when given) and close. */
static void write_churn(const char *name, struct record_opts *o, struct gtable *gt, size_t n,
			struct gev *out)
{
	struct record_writer *w;
	struct churn c;
	size_t i;

	o->table = gt;
	w = open_writer(name, o);
	churn_init(&c, 7, 40, T0 + 1000);
	for (i = 0; i < n; i++) {
		struct gev ev;

		churn_next(&c, &ev);
		if (gt)
			assert_int_equal(gtable__apply(gt, &ev), 0);
		assert_int_equal(record__event(w, &ev), 0);
		if (out)
			out[i] = ev;
	}
	assert_int_equal(record__close(w), 0);
	churn_free(&c);
}

static struct rec_reader *open_reader(const char *path, struct warns *wn)
{
	struct rec_reader_opts ro = {.warn = collect_warn, .ctx = wn};
	char err[256] = "";
	struct rec_reader *r = rec_reader__open(path, &ro, err, sizeof(err));

	if (!r)
		fail_msg("cannot open %s: %s", path, err);
	return r;
}

/* The events of R, in order. */
static size_t read_events(struct rec_reader *r, size_t first_frame, struct gev *out, size_t max)
{
	struct rec_iter *it = rec_iter__new(r, first_frame);
	struct rec_item item;
	size_t n = 0;

	assert_non_null(it);
	while (rec_iter__next(it, &item) > 0) {
		if (item.kind != REC_ITEM_EVENT)
			continue;
		assert_true(n < max);
		out[n++] = item.ev;
	}
	rec_iter__free(it);
	return n;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_crc32(void **state)
{
	(void)state;
	/* The check value of CRC-32/ISO-HDLC. */
	assert_int_equal(rec_crc32("123456789", 9), 0xcbf43926);
	assert_int_equal(rec_crc32("", 0), 0);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Every field of every kind, with values the encoder does not predict. */
static void test_roundtrip_all_fields(void **state)
{
	static const char long_name[] = "main.(*veryLongTypeName).someMethodWithAVeryLongName."
					"func1.func2.func3.gowrap4";
	const char *strs[] = {
		NULL,		"",	  "main.worker", "x\"y\\z\n\t", "\xff\xfe not utf-8",
		"chan receive", long_name};
	enum { N = 20000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N + 1, sizeof(*out));
	struct record_opts o = {.frame_bytes = 2048};
	struct record_writer *w;
	struct rec_reader *r;
	struct warns wn = {0};
	uint64_t s = 88172645463325252ull, ts = T0;
	size_t i, n;

	(void)state;
	assert_non_null(in);
	assert_non_null(out);
	w = open_writer("fields.zst", &o);
	for (i = 0; i < N; i++) {
		struct gev *e = &in[i];
		uint64_t x = rnd(&s);

		e->kind = x % 16 == 0 ? GEV_ALLOC + (x >> 4) % (GEV_KIND_MAX - GEV_ALLOC + 1)
				      : 1 + x % 3;
		/* Mostly small steps; sometimes huge, backwards or wrapping. */
		ts += (x >> 8) % 16 ? (x >> 16) % 5000 : rnd(&s);
		e->ts = ts;
		e->pid = (x >> 2) % 4 ? 100 + (x >> 4) % 3 : (uint32_t)rnd(&s);
		e->tid = (x >> 6) % 3 ? 200 + (x >> 9) % 9 : (uint32_t)rnd(&s);
		e->goid = (x >> 11) % 5 ? (x >> 13) % 40 : rnd(&s);
		e->from = (x >> 17) % 7 ? (x >> 19) % 12 : (uint8_t)rnd(&s);
		e->to = (x >> 22) % 7 ? (x >> 24) % 12 : (uint8_t)rnd(&s);
		e->inferred = (x >> 27) % 9 == 0;
		/* Found at attach (1.1): creates mostly, and anything now and then. */
		e->existing = (x >> 31) % 11 == 0;
		x = rnd(&s);
		switch (x % 6) {
		case 0:
			e->reason = GEV_NO_REASON;
			break;
		case 1:
			e->reason = INT_MIN;
			break;
		case 2:
			e->reason = INT_MAX;
			break;
		default:
			e->reason = (int)((x >> 3) % 300);
			break;
		}
		e->reason_str = strs[(x >> 12) % 7];
		if ((x >> 16) % 3 == 0) {
			e->parent = (x >> 18) % 4 ? (x >> 20) % 50 : rnd(&s);
			e->startpc = (x >> 24) % 2 ? 0x401000 + (x >> 26) % 5 : rnd(&s);
			e->gopc = rnd(&s) % 3 ? 0x402000 : 0;
			e->func = strs[rnd(&s) % 7];
			e->created_by = strs[rnd(&s) % 7];
			e->file = strs[rnd(&s) % 7];
			x = rnd(&s);
			e->line = x % 5 == 0   ? INT_MIN
				  : x % 5 == 1 ? INT_MAX
					       : (int)(x % 2000) - 10;
		}
		/* P and M: on most transitions to running, sometimes stray. */
		x = rnd(&s);
		if ((e->to == 2 && x % 8) || x % 31 == 0) {
			e->has_pm = x % 31 != 0;
			e->p = x % 5 == 0 ? -1 : (int32_t)((x >> 8) % 8);
			e->m = x % 7 == 0 ? INT64_MIN : (int64_t)((x >> 16) % 12);
		}
		/* The fields of allocations, GC cycles and histograms, on any kind now and then. */
		x = rnd(&s);
		if (e->kind >= GEV_ALLOC || x % 40 == 0) {
			e->alloc.kind = x % 8;
			e->alloc.bucket = (x >> 3) % 69;
			e->alloc.size = (x >> 10) % 3 ? (x >> 12) % 4096 : rnd(&s);
			e->alloc.type_addr = x % 3 ? 0x4c0000 + (x >> 20) % 64 * 8 : 0;
			e->alloc.type = strs[(x >> 24) % 7];
			e->alloc.has_hint = (x >> 28) % 2;
			e->alloc.hint = e->alloc.has_hint ? (x >> 30) % 1000 : 0;
			x = rnd(&s);
			e->gc.phase = x % 6;
			e->gc.cycle = (uint32_t)(x >> 8) % 100;
			e->gc.reason = x % 3 ? GEV_NO_REASON : (int)(x >> 12) % 20;
			e->gc.reason_str = strs[(x >> 20) % 7];
			e->gc.dur_ns = rnd(&s) % 5000000;
			e->gc.n_stw = x % 4;
			e->gc.stw_ns = rnd(&s);
			e->gc.stw_max_ns = x % 100000;
			e->gc.mark_ns = x % 77777;
			e->gc.trigger = x % 3;
			e->gc.procs = 1 + x % 64;
			x = rnd(&s);
			e->hist.bucket = x % 69;
			e->hist.class_size = (uint32_t)(x >> 8) % 32768;
			e->hist.count = rnd(&s);
			e->hist.bytes = x % 2 ? rnd(&s) : 0;
			/* 1.2 */
			x = rnd(&s);
			e->gap.drops = x % 3 ? (x >> 8) % 100000 : rnd(&s);
			e->gap.since = x % 5 ? e->ts - (x >> 12) % 1000000 : rnd(&s);
			e->gap.resync = (x >> 30) % 2;
			e->gap.exits = (uint32_t)(x >> 32) % 300;
			e->gap.creates = (uint32_t)(x >> 40) % 300;
			e->gap.changes = (uint32_t)(x >> 48);
			/* 1.3 */
			x = rnd(&s);
			e->capture.level = x % 5;
			e->capture.poll_hz = (uint32_t)(x >> 8) % 1001;
			e->capture.budget_bp = x % 3 ? (uint32_t)(x >> 20) % 100000 : 0;
			e->capture.why = strs[(x >> 40) % 7];
			e->waitsince = x % 7 ? 0 : e->ts - (x >> 20) % 3000000000000ull;
			e->heap.cls = (uint8_t)(x % 69);
			e->heap.class_size = (uint32_t)(x >> 8) % 32769;
			e->heap.allocs = x % 3 ? (x >> 24) % 1000000 : rnd(&s);
			e->heap.frees = e->heap.allocs / 2;
			e->heap.alloc_bytes = rnd(&s);
			e->heap.free_bytes = x % 5 ? e->heap.alloc_bytes / 3 : 0;
			e->heap.tiny = x % 7 ? (x >> 40) : rnd(&s);
			/* 1.4 */
			x = rnd(&s);
			e->cpu.what = (uint8_t)(x % 5);
			e->cpu.a = x % 3 ? (x >> 8) % 100000000 : rnd(&s);
			e->cpu.b = x % 4 ? (x >> 16) % 100000 : rnd(&s);
		}
		assert_int_equal(record__event(w, e), 0);
	}
	assert_int_equal(record__close(w), 0);

	r = open_reader(tmpdir_path("fields.zst"), &wn);
	assert_int_equal(wn.n, 0);
	assert_true(rec_reader__has_index(r));
	assert_true(rec_reader__complete(r));
	assert_int_equal(rec_reader__n_events(r), N);
	n = read_events(r, 0, out, N + 1);
	assert_int_equal(n, N);
	for (i = 0; i < N; i++)
		assert_gev_equal(&in[i], &out[i]);
	assert_int_equal(rec_dict__missing(rec_reader__dict(r)), 0);
	rec_reader__free(r);
	free(in);
	free(out);
}

/* The header says what it was told. */
static void test_header(void **state)
{
	struct record_opts o = {0};
	struct record_writer *w = open_writer("hdr.zst", &o);
	struct rec_reader *r;
	const struct rec_header *h;
	struct warns wn = {0};

	(void)state;
	assert_int_equal(record__close(w), 0);
	r = open_reader(tmpdir_path("hdr.zst"), &wn);
	h = rec_reader__header(r);
	assert_true(rec_reader__has_header(r));
	assert_int_equal(h->major, REC_MAJOR);
	assert_int_equal(h->pid, 4242);
	assert_string_equal(h->path, "/srv/app");
	assert_string_equal(h->go_version, "go1.26.8");
	assert_string_equal(h->arch, "amd64");
	assert_string_equal(h->mod_path, "example.com/app");
	assert_string_equal(h->mode, "pid");
	assert_string_equal(h->tool, "xgotop-tui " XG_VERSION);
	assert_int_equal(h->wall_ns, 1700000000000000000ull);
	assert_int_equal(h->mono_ns, T0);
	assert_int_equal(h->keep_exited_ns, 30000000000ull);
	assert_int_equal(h->max_spans, 16);
	assert_non_null(h->host);
	assert_non_null(h->kernel);
	/* No events: one frame, the end mark; a clean file, no warnings but "no events" is fine. */
	assert_int_equal(rec_reader__n_events(r), 0);
	assert_true(rec_reader__complete(r));
	rec_reader__free(r);
}

/*
 * Frames cut at the byte and time limits, each decodable on its own: reading
 * from frame K gives exactly the events after the first K frames.
 */
static void test_frame_boundaries(void **state)
{
	enum { N = 60000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N, sizeof(*out));
	struct record_opts o = {.frame_bytes = 8192, .frame_ns = 20000000};
	struct rec_reader *r;
	struct warns wn = {0};
	size_t i, k, n, nf;
	uint64_t sum = 0;

	(void)state;
	write_churn("frames.zst", &o, NULL, N, in);
	r = open_reader(tmpdir_path("frames.zst"), &wn);
	assert_int_equal(wn.n, 0);
	nf = rec_reader__n_frames(r);
	assert_true(nf > 20);
	for (k = 0; k < nf; k++) {
		const struct rec_frame_info *fi = rec_reader__frame(r, k);

		assert_int_equal(rec_reader__events_before(r, k), sum);
		sum += fi->n_events;
		/* At most 8 KiB of records (plus the event that crossed it) and 20 ms. */
		assert_true(fi->raw_size < 8192 + 256);
		if (fi->n_events > 1)
			assert_true(fi->last_ts - fi->first_ts <= 20000000 + 2000000);
	}
	assert_int_equal(sum, N);
	for (k = 0; k < nf; k += 7) {
		size_t before = rec_reader__events_before(r, k);

		n = read_events(r, k, out, N);
		assert_int_equal(n, N - before);
		for (i = 0; i < n; i++)
			assert_gev_equal(&in[before + i], &out[i]);
	}
	rec_reader__free(r);
	free(in);
	free(out);
}

/* Without its index (a killed recorder), or with a damaged one, a file reads the same. */
static void test_index_rebuild(void **state)
{
	enum { N = 30000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N, sizeof(*out));
	struct record_opts o = {.frame_bytes = 16384};
	struct rec_reader *r, *r2;
	struct warns wn = {0};
	struct bytes b;
	uint64_t idx_off;
	size_t i, n, k;

	(void)state;
	write_churn("idx.zst", &o, NULL, N, in);
	b = slurp(tmpdir_path("idx.zst"));
	assert_memory_equal(b.p + b.len - 8, REC_FOOTER_MAGIC, 8);
	idx_off = 0;
	for (i = 0; i < 8; i++)
		idx_off |= (uint64_t)b.p[b.len - 16 + i] << (8 * i);
	assert_true(idx_off < b.len);

	r = open_reader(tmpdir_path("idx.zst"), &wn);
	assert_true(rec_reader__has_index(r));

	/* No index: scanned, same frames. */
	spit(tmpdir_path("noidx.zst"), b.p, idx_off);
	r2 = open_reader(tmpdir_path("noidx.zst"), &wn);
	assert_false(rec_reader__has_index(r2));
	assert_true(rec_reader__complete(r2)); /* the end mark precedes the index */
	assert_int_equal(rec_reader__n_frames(r2), rec_reader__n_frames(r));
	for (k = 0; k < rec_reader__n_frames(r); k++)
		assert_memory_equal(rec_reader__frame(r, k), rec_reader__frame(r2, k),
				    sizeof(struct rec_frame_info));
	n = read_events(r2, 0, out, N);
	assert_int_equal(n, N);
	for (i = 0; i < N; i++)
		assert_gev_equal(&in[i], &out[i]);
	rec_reader__free(r2);

	/* A damaged index: reported, rebuilt. */
	b.p[idx_off + 40] ^= 0x55;
	spit(tmpdir_path("badidx.zst"), b.p, b.len);
	memset(&wn, 0, sizeof(wn));
	r2 = open_reader(tmpdir_path("badidx.zst"), &wn);
	assert_false(rec_reader__has_index(r2));
	assert_non_null(strstr(wn.all, "seek index is damaged"));
	assert_int_equal(rec_reader__n_frames(r2), rec_reader__n_frames(r));
	assert_int_equal(read_events(r2, 0, out, N), N);
	rec_reader__free(r2);
	rec_reader__free(r);
	free(b.p);
	free(in);
	free(out);
}

static uint32_t rd_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Frame ZS bytes at P compressed again as a stream: no content size in its header. */
static size_t stream_frame(const uint8_t *p, size_t zs, uint8_t *out, size_t cap)
{
	unsigned long long raw_len = ZSTD_getFrameContentSize(p, zs);
	uint8_t *raw = malloc(raw_len ? raw_len : 1);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_inBuffer in;
	ZSTD_outBuffer o = {out, cap, 0};

	assert_non_null(raw);
	assert_non_null(cc);
	assert_int_equal(ZSTD_decompress(raw, raw_len, p, zs), raw_len);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
	in = (ZSTD_inBuffer){raw, raw_len, 0};
	/* Input given before the end is: the size is not known when the header is written. */
	assert_false(ZSTD_isError(ZSTD_compressStream2(cc, &o, &in, ZSTD_e_continue)));
	assert_int_equal(in.pos, raw_len);
	assert_int_equal(ZSTD_compressStream2(cc, &o, &in, ZSTD_e_end), 0);
	assert_true(ZSTD_getFrameContentSize(out, o.pos) == ZSTD_CONTENTSIZE_UNKNOWN);
	ZSTD_freeCCtx(cc);
	free(raw);
	return o.pos;
}

/*
 * The writer says each frame's size, and the reader decodes a frame in one
 * call when it does; a frame that does not (another zstd writer) is
 * streamed. Every data frame of a file compressed again without its size
 * (its info's zsize set right; no seek index) reads the same events, and a
 * frame of them whose checksum is wrong is skipped, as with a size.
 */
static void test_frames_without_size(void **state)
{
	enum { N = 20000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N, sizeof(*out));
	struct record_opts o = {.frame_bytes = 16384};
	struct rec_reader *r;
	struct warns wn = {0};
	struct bytes b, c;
	size_t p, q, i, n, frames = 0, bad = 0, bad_events = 0;

	(void)state;
	assert_non_null(in);
	assert_non_null(out);
	write_churn("sized.zst", &o, NULL, N, in);
	b = slurp(tmpdir_path("sized.zst"));
	c.p = malloc(2 * b.len + 4096);
	assert_non_null(c.p);
	p = q = ZSTD_findFrameCompressedSize(b.p, b.len);
	memcpy(c.p, b.p, p);
	/* Each frame: its info, then its data frame; the seek index after the last. */
	while (p + 8 + REC_INFO_SIZE <= b.len && rd_le32(b.p + p) == REC_SKIP_INFO) {
		struct rec_frame_info fi;
		uint8_t info[REC_INFO_SIZE];
		size_t zs;

		assert_int_equal(rec_frame_info__parse(b.p + p + 8, REC_INFO_SIZE, &fi), 0);
		zs = fi.zsize;
		memcpy(c.p + q, b.p + p, 8);
		fi.zsize = (uint32_t)stream_frame(b.p + p + 8 + REC_INFO_SIZE, zs,
						  c.p + q + 8 + REC_INFO_SIZE, b.len);
		rec_frame_info__put(&fi, info);
		memcpy(c.p + q + 8, info, REC_INFO_SIZE);
		if (frames == 3) {
			/* The checksum closes the frame. */
			c.p[q + 8 + REC_INFO_SIZE + fi.zsize - 1] ^= 0x40;
			bad = frames;
			bad_events = fi.n_events;
		}
		p += 8 + REC_INFO_SIZE + zs;
		q += 8 + REC_INFO_SIZE + fi.zsize;
		frames++;
	}
	assert_true(frames > 5);
	assert_true(bad_events > 0);
	spit(tmpdir_path("unsized.zst"), c.p, q);

	r = open_reader(tmpdir_path("unsized.zst"), &wn);
	assert_false(rec_reader__has_index(r));
	assert_int_equal(rec_reader__n_frames(r), frames);
	n = read_events(r, 0, out, N);
	assert_int_equal(n, N - bad_events);
	assert_int_equal(wn.n, 2);
	assert_non_null(strstr(wn.all, "no seek index"));
	assert_non_null(strstr(wn.all, "is damaged (checksum or data)"));
	for (i = 0; i < n; i++) {
		size_t at = i < rec_reader__events_before(r, bad) ? i : i + bad_events;

		assert_gev_equal(&in[at], &out[i]);
	}
	rec_reader__free(r);
	free(b.p);
	free(c.p);
	free(in);
	free(out);
}

/* Recompress the header frame of B with MAJOR.MINOR written in it. */
static struct bytes with_version(const struct bytes *b, uint16_t major, uint16_t minor)
{
	size_t zs = ZSTD_findFrameCompressedSize(b->p, b->len);
	unsigned long long raw_len = ZSTD_getFrameContentSize(b->p, zs);
	uint8_t *raw = malloc(raw_len);
	struct bytes out;
	size_t bound, z;

	assert_false(ZSTD_isError(zs));
	assert_int_equal(ZSTD_decompress(raw, raw_len, b->p, zs), raw_len);
	raw[8] = major;
	raw[9] = major >> 8;
	raw[10] = minor;
	raw[11] = minor >> 8;
	bound = ZSTD_compressBound(raw_len);
	out.p = malloc(bound + b->len);
	z = ZSTD_compress(out.p, bound, raw, raw_len, 3);
	assert_false(ZSTD_isError(z));
	memcpy(out.p + z, b->p + zs, b->len - zs);
	out.len = z + b->len - zs;
	free(raw);
	return out;
}

static void test_version_newer_major(void **state)
{
	struct record_opts o = {0};
	struct rec_reader_opts ro = {0};
	struct bytes b, v;
	char err[256] = "";

	(void)state;
	write_churn("ver.zst", &o, NULL, 100, NULL);
	b = slurp(tmpdir_path("ver.zst"));
	v = with_version(&b, REC_MAJOR + 1, 0);
	spit(tmpdir_path("v2.zst"), v.p, v.len);
	errno = 0;
	assert_null(rec_reader__open(tmpdir_path("v2.zst"), &ro, err, sizeof(err)));
	assert_int_equal(errno, EPROTONOSUPPORT);
	assert_non_null(strstr(err, "newer xgotop-tui"));
	assert_non_null(strstr(err, "format 2.0"));
	assert_non_null(strstr(err, "upgrade"));
	free(v.p);
	free(b.p);
}

/*
 * A newer minor version loads: a control record type this reader does not
 * know is skipped with a warning, everything around it reads.
 */
static void test_version_newer_minor(void **state)
{
	enum { N = 500 };
	struct gev in[N], out[N];
	struct record_opts o = {.frame_bytes = 1 << 20};
	struct warns wn = {0};
	struct rec_reader *r;
	struct bytes b, v, f;
	size_t hz, i, p;

	(void)state;
	write_churn("minor.zst", &o, NULL, N, in);
	b = slurp(tmpdir_path("minor.zst"));
	v = with_version(&b, REC_MAJOR, REC_MINOR + 7);
	/* Insert an unknown record (type 40) after the first data frame's FRAME record. */
	hz = ZSTD_findFrameCompressedSize(v.p, v.len);
	p = hz + 8 + REC_INFO_SIZE; /* the first data frame */
	{
		size_t zs = ZSTD_findFrameCompressedSize(v.p + p, v.len - p);
		unsigned long long rl = ZSTD_getFrameContentSize(v.p + p, zs);
		uint8_t *raw = malloc(rl + 8), *nraw = malloc(rl + 8);
		struct rec_frame_info fi;
		size_t frame_rec, bound, z;

		assert_int_equal(ZSTD_decompress(raw, rl, v.p + p, zs), rl);
		frame_rec = 2 + raw[1]; /* tag, one-byte length, payload */
		memcpy(nraw, raw, frame_rec);
		memcpy(nraw + frame_rec, "\x28\x03xyz", 5);
		memcpy(nraw + frame_rec + 5, raw + frame_rec, rl - frame_rec);
		bound = ZSTD_compressBound(rl + 5);
		f.p = malloc(v.len + bound);
		memcpy(f.p, v.p, hz);
		assert_int_equal(rec_frame_info__parse(v.p + hz + 8, REC_INFO_SIZE, &fi), 0);
		z = ZSTD_compress(f.p + p, bound, nraw, rl + 5, 3);
		assert_false(ZSTD_isError(z));
		fi.zsize = z;
		fi.raw_size = rl + 5;
		memcpy(f.p + hz, v.p + hz, 8);
		rec_frame_info__put(&fi, f.p + hz + 8);
		/* The rest, without the index (its offsets moved): rebuilt by scanning. */
		memcpy(f.p + p + z, v.p + p + zs, v.len - p - zs);
		f.len = p + z + (v.len - p - zs);
		while (f.len > 16 && memcmp(f.p + f.len - 8, REC_FOOTER_MAGIC, 8) == 0)
			f.len -= 1; /* corrupt the footer: the index is ignored */
		free(raw);
		free(nraw);
	}
	spit(tmpdir_path("minor9.zst"), f.p, f.len);
	r = open_reader(tmpdir_path("minor9.zst"), &wn);
	assert_int_equal(rec_reader__header(r)->minor, REC_MINOR + 7);
	assert_int_equal(read_events(r, 0, out, N), N);
	for (i = 0; i < N; i++)
		assert_gev_equal(&in[i], &out[i]);
	assert_non_null(strstr(wn.all, "newer format version"));
	rec_reader__free(r);
	free(f.p);
	free(v.p);
	free(b.p);
}

/*
 * A recorder killed mid-write leaves a file cut anywhere: it reads up to its
 * last complete frame, with a warning, whatever the cut.
 */
static void test_truncated(void **state)
{
	enum { N = 20000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N, sizeof(*out));
	struct record_opts o = {.frame_bytes = 8192};
	struct rec_reader *full;
	struct warns wn = {0};
	struct bytes b;
	size_t cut, i, n, k, hz;

	(void)state;
	write_churn("trunc.zst", &o, NULL, N, in);
	b = slurp(tmpdir_path("trunc.zst"));
	full = open_reader(tmpdir_path("trunc.zst"), &wn);
	hz = ZSTD_findFrameCompressedSize(b.p, b.len);
	/* Cut inside the header: nothing to read, and a message that says why. */
	for (cut = 1; cut < hz; cut += hz / 5 + 1) {
		struct rec_reader_opts ro = {0};
		char err[256] = "";

		spit(tmpdir_path("cut.zst"), b.p, cut);
		assert_null(rec_reader__open(tmpdir_path("cut.zst"), &ro, err, sizeof(err)));
		assert_non_null(strstr(err, "cut short"));
	}
	for (cut = hz; cut < b.len; cut += b.len / 37 + 1) {
		struct rec_reader *r;
		size_t complete = 0;

		spit(tmpdir_path("cut.zst"), b.p, cut);
		memset(&wn, 0, sizeof(wn));
		r = open_reader(tmpdir_path("cut.zst"), &wn);
		assert_false(rec_reader__has_index(r));
		assert_false(rec_reader__complete(r));
		assert_true(wn.n > 0);
		n = read_events(r, 0, out, N);
		complete = rec_reader__n_events(r);
		assert_int_equal(n, complete);
		for (i = 0; i < n; i++)
			assert_gev_equal(&in[i], &out[i]);
		/* Nothing lost but the frame the cut went through. */
		k = rec_reader__n_frames(r);
		if (k < rec_reader__n_frames(full))
			assert_int_equal(n, rec_reader__events_before(full, k));
		rec_reader__free(r);
	}
	rec_reader__free(full);
	free(b.p);
	free(in);
	free(out);
}

/* The offset of frame K's info skippable frame (from the index of a clean file). */
static size_t frame_offset(const char *path, size_t k, size_t *zoff, size_t *zsize)
{
	struct bytes b = slurp(path);
	size_t p = ZSTD_findFrameCompressedSize(b.p, b.len), i;
	struct rec_frame_info fi;

	for (i = 0;; i++) {
		assert_int_equal(rec_frame_info__parse(b.p + p + 8, REC_INFO_SIZE, &fi), 0);
		if (i == k)
			break;
		p += 8 + REC_INFO_SIZE + fi.zsize;
	}
	*zoff = p + 8 + REC_INFO_SIZE;
	*zsize = fi.zsize;
	free(b.p);
	return p;
}

/* Damage loses what it touches, and is reported; the rest reads. */
static void test_damaged(void **state)
{
	enum { N = 20000 };
	struct gev *in = calloc(N, sizeof(*in)), *out = calloc(N, sizeof(*out));
	struct record_opts o = {.frame_bytes = 8192};
	struct rec_reader_opts ro = {0};
	struct rec_reader *full, *r;
	struct warns wn = {0};
	struct bytes b;
	size_t info, zoff, zsize, n, i, before3, n3, hz;
	char err[256];

	(void)state;
	write_churn("dmg.zst", &o, NULL, N, in);
	full = open_reader(tmpdir_path("dmg.zst"), &wn);
	before3 = rec_reader__events_before(full, 3);
	n3 = rec_reader__frame(full, 3)->n_events;
	info = frame_offset(tmpdir_path("dmg.zst"), 3, &zoff, &zsize);

	/* A flipped byte in frame 3's data: its events are lost, the others read. */
	b = slurp(tmpdir_path("dmg.zst"));
	b.p[zoff + zsize / 2] ^= 0x20;
	spit(tmpdir_path("flip.zst"), b.p, b.len);
	r = open_reader(tmpdir_path("flip.zst"), &wn);
	n = read_events(r, 0, out, N);
	assert_int_equal(n, N - n3);
	for (i = 0; i < before3; i++)
		assert_gev_equal(&in[i], &out[i]);
	for (i = before3; i < n; i++)
		assert_gev_equal(&in[i + n3], &out[i]);
	assert_non_null(strstr(wn.all, "frame 3"));
	rec_reader__free(r);
	b.p[zoff + zsize / 2] ^= 0x20;

	/* A flipped byte in frame 3's info (and no index): the frame is read without it. */
	b.p[info + 8 + 30] ^= 0x01;
	spit(tmpdir_path("flipinfo.zst"), b.p, b.len - 1);
	memset(&wn, 0, sizeof(wn));
	r = open_reader(tmpdir_path("flipinfo.zst"), &wn);
	assert_int_equal(read_events(r, 0, out, N), N);
	for (i = 0; i < N; i++)
		assert_gev_equal(&in[i], &out[i]);
	assert_true(wn.n > 0);
	rec_reader__free(r);
	b.p[info + 8 + 30] ^= 0x01;

	/* A zeroed header: target unknown, events all there. */
	hz = ZSTD_findFrameCompressedSize(b.p, b.len);
	memset(b.p, 0, hz);
	spit(tmpdir_path("zerohdr.zst"), b.p, b.len);
	memset(&wn, 0, sizeof(wn));
	r = open_reader(tmpdir_path("zerohdr.zst"), &wn);
	assert_false(rec_reader__has_header(r));
	assert_null(rec_reader__header(r)->path);
	assert_int_equal(read_events(r, 0, out, N), N);
	assert_non_null(strstr(wn.all, "header is damaged"));
	rec_reader__free(r);

	/* Not a recording at all: one line saying so. */
	spit(tmpdir_path("empty.zst"), "", 0);
	assert_null(rec_reader__open(tmpdir_path("empty.zst"), &ro, err, sizeof(err)));
	assert_non_null(strstr(err, "is empty"));
	spit(tmpdir_path("text.zst"), "hello, world\n", 13);
	assert_null(rec_reader__open(tmpdir_path("text.zst"), &ro, err, sizeof(err)));
	assert_non_null(strstr(err, "not a zstd file"));
	{
		char z[256];
		size_t zl = ZSTD_compress(z, sizeof(z), "some other tool's data", 22, 3);

		spit(tmpdir_path("other.zst"), z, zl);
		assert_null(rec_reader__open(tmpdir_path("other.zst"), &ro, err, sizeof(err)));
		assert_non_null(strstr(err, "zstd file of another kind"));
	}
	rec_reader__free(full);
	free(b.p);
	free(in);
	free(out);
}

static void test_meters_roundtrip(void **state)
{
	struct record_opts o = {.frame_ns = 1000000};
	struct record_writer *w = open_writer("meters.zst", &o);
	struct xg_meters m[50];
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct warns wn = {0};
	int i, got = 0;

	(void)state;
	for (i = 0; i < 50; i++) {
		struct gev ev = {.kind = GEV_STATE,
				 .ts = T0 + i * 300000ull,
				 .pid = 1,
				 .goid = 5,
				 .from = 1,
				 .to = 2,
				 .reason = GEV_NO_REASON};

		m[i] = (struct xg_meters){.ts = T0 + i * 300000ull + 100,
					  .rps = 1234.5 + i,
					  .pps = 99.25,
					  .ewp = i,
					  .prc_ns = 210.125,
					  .drops = 7 * i,
					  .drops_per_s = i ? 0.5 : 0,
					  .lat_ns = i % 2 ? -1 : 800.0,
					  .ovh_pct = -1,
					  .goroutine_rate = i % 3 ? 1.0 : 0.25};
		/* Format 1.1: -sample at the end of the payload. */
		snprintf(m[i].sample, sizeof(m[i].sample), "%s",
			 i % 3 ? "all" : "goroutine:0.25,casgstatus:0.5");
		assert_int_equal(record__event(w, &ev), 0);
		assert_int_equal(record__meters(w, &m[i]), 0);
	}
	assert_int_equal(record__close(w), 0);
	r = open_reader(tmpdir_path("meters.zst"), &wn);
	it = rec_iter__new(r, 0);
	while (rec_iter__next(it, &item) > 0) {
		if (item.kind != REC_ITEM_METERS)
			continue;
		assert_true(got < 50);
		assert_memory_equal(&item.meters, &m[got], sizeof(m[got]));
		got++;
	}
	assert_int_equal(got, 50);
	assert_true(rec_reader__n_frames(r) > 5);
	rec_iter__free(it);
	rec_reader__free(r);
}

/* Refuse to overwrite unless forced; never write through a symbolic link. */
static void test_create_rules(void **state)
{
	struct record_opts o = {0};
	struct record_writer *w;
	struct stat st;

	(void)state;
	spit(tmpdir_path("exists.zst"), "keep me", 7);
	o.path = tmpdir_path("exists.zst");
	errno = 0;
	assert_null(record__open(&o));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(o.path, &st), 0);
	assert_int_equal(st.st_size, 7);

	o.force = true;
	w = record__open(&o);
	assert_non_null(w);
	assert_int_equal(record__close(w), 0); /* never begun: removed */
	assert_int_not_equal(stat(o.path, &st), 0);

	spit(tmpdir_path("target"), "precious", 8);
	assert_int_equal(symlink(tmpdir_path("target"), tmpdir_path("link.zst")), 0);
	o.path = tmpdir_path("link.zst");
	errno = 0;
	assert_null(record__open(&o));
	assert_int_equal(errno, ELOOP);
	o.force = false;
	assert_null(record__open(&o));
	assert_int_equal(stat(tmpdir_path("target"), &st), 0);
	assert_int_equal(st.st_size, 8);
}

/* Under sudo, files belong to the user who ran sudo. */
static void test_sudo_owner(void **state)
{
	struct record_opts o = {0};
	struct record_writer *w;
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		/* As a user, chown is not ours to do; the file stays the user's. */
		w = open_writer("own.zst", &o);
		assert_int_equal(record__close(w), 0);
		assert_int_equal(stat(tmpdir_path("own.zst"), &st), 0);
		assert_int_equal(st.st_uid, geteuid());
		return;
	}
	setenv("SUDO_UID", "12345", 1);
	setenv("SUDO_GID", "23456", 1);
	w = open_writer("own.zst", &o);
	assert_int_equal(record__close(w), 0);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	assert_int_equal(stat(tmpdir_path("own.zst"), &st), 0);
	assert_int_equal(st.st_uid, 12345);
	assert_int_equal(st.st_gid, 23456);
}

/*
 * The flight recorder keeps whole keyframe groups covering the window, and a
 * save is a complete recording of them that starts with a keyframe.
 */
static void test_flight_recorder(void **state)
{
	enum { N = 700000 };
	struct record_opts o = {.frame_ns = 5000000,
				.keyframe_ns = 50000000,
				.history_ns = 200000000,
				.history_dir = tmpdir};
	struct gtable *gt = gtable__new(NULL);
	struct record_writer *w;
	struct record_stats st;
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct warns wn = {0};
	struct churn c;
	char saved[512];
	uint64_t last_ts = 0, first_ev = 0, kf_entries = 0;
	size_t i;
	bool seen_kf = false;

	(void)state;
	o.table = gt;
	w = record__open(&o); /* no file: memory only */
	assert_non_null(w);
	assert_int_equal(record__save_recent(w, saved, sizeof(saved)), -ENOTSUP); /* not begun */
	{
		struct record_meta m = {.pid = 77, .path = "/srv/app", .mono_ns = T0};

		assert_int_equal(record__begin(w, &m), 0);
	}
	churn_init(&c, 3, 30, T0 + 1);
	for (i = 0; i < N; i++) {
		struct gev ev;

		churn_next(&c, &ev);
		assert_int_equal(gtable__apply(gt, &ev), 0);
		assert_int_equal(record__event(w, &ev), 0);
		last_ts = ev.ts;
	}
	record__stats(w, &st);
	/*
	 * Whole groups: at least the window, at most the window and a group (keyframes
	 * come at most 6 intervals apart, sooner when the table is cheap to repeat).
	 */
	assert_true(last_ts - T0 > 800000000ull);
	assert_true(st.ring_span_ns >= 200000000ull - 6000000ull);
	assert_true(st.ring_span_ns <= 200000000ull + 6 * 50000000ull + 6000000ull);
	assert_true(st.keyframes > 4);

	assert_int_equal(record__save_recent(w, saved, sizeof(saved)), 0);
	assert_non_null(strstr(saved, tmpdir));
	assert_non_null(strstr(saved, "xgotop-app-77-"));
	r = open_reader(saved, &wn);
	assert_int_equal(wn.n, 0);
	assert_true(rec_reader__complete(r));
	assert_true(rec_reader__has_index(r));
	assert_true(rec_reader__header(r)->flags & REC_HF_RECENT);
	assert_true(rec_reader__frame(r, 0)->flags & REC_FF_DICT);
	assert_true(rec_reader__frame(r, 1)->flags & REC_FF_KEYFRAME);
	it = rec_iter__new(r, 0);
	while (rec_iter__next(it, &item) > 0) {
		if (item.kind == REC_ITEM_KEYFRAME && item.kf_first)
			seen_kf = true;
		if (item.kind == REC_ITEM_KF_ENTRY && !first_ev)
			kf_entries++;
		if (item.kind == REC_ITEM_EVENT && !first_ev) {
			assert_true(seen_kf);
			first_ev = item.ev.ts;
		}
	}
	assert_true(kf_entries >= 30); /* the pool, at least */
	assert_true(last_ts - first_ev >= 200000000ull - 6000000ull);
	assert_true(rec_reader__end(r) == last_ts);
	assert_int_equal(rec_dict__missing(rec_reader__dict(r)), 0);
	rec_iter__free(it);
	rec_reader__free(r);
	assert_int_equal(record__close(w), 0);
	gtable__free(gt);
	churn_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_gev_fields_covered),
		cmocka_unit_test(test_roundtrip_all_fields),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_frame_boundaries),
		cmocka_unit_test(test_index_rebuild),
		cmocka_unit_test(test_frames_without_size),
		cmocka_unit_test(test_version_newer_major),
		cmocka_unit_test(test_version_newer_minor),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_meters_roundtrip),
		cmocka_unit_test(test_create_rules),
		cmocka_unit_test(test_sudo_owner),
		cmocka_unit_test(test_flight_recorder),
	};

	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
