// SPDX-License-Identifier: BSD-2-Clause
/*
 * Writes the seed corpus of tests/fuzz/fuzz_record.c: small recordings made
 * by the real writer (clean, without index, cut short, flight-recorder save,
 * every field unusual) and damaged copies of them (flipped bytes, zeroed
 * header, newer versions, an unknown record, foreign zstd data). Not a
 * test; by hand:
 *   cmake --build build --target record_write_seeds &&
 *   build/tests/record/record_write_seeds tests/fuzz/corpus/record
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "record.h"
#include "churn_gen.h"
#include "stackset.h"

#define T0 9000000000000ull

static char tmpdir[64], tmp[PATH_MAX];

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "write_seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
		die(path);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die(path);
	p = malloc(n ? n : 1);
	if (!p || fread(p, 1, n, f) != (size_t)n)
		die(path);
	fclose(f);
	*len = n;
	return p;
}

static const struct record_meta meta = {.pid = 4242,
					.path = "/srv/app",
					.go_version = "go1.26.8",
					.arch = "amd64",
					.mod_path = "example.com/app",
					.probes = "runtime.casgstatus",
					.mode = "pid",
					.wall_ns = 1700000000000000000ull,
					.mono_ns = T0};

/* A small churn recording with keyframes and meters; its bytes (or a save's in SAVED). */
static uint8_t *churn_file(size_t n, size_t frame_bytes, uint64_t history_ns, size_t *len)
{
	struct gtable_opts go = {.keep_exited_ns = 200000};
	struct gtable *gt = gtable__new(&go);
	struct record_opts o = {.path = tmp,
				.force = true,
				.table = gt,
				.frame_bytes = frame_bytes,
				.keyframe_ns = 100000,
				.keep_exited_ns = 200000,
				.history_ns = history_ns,
				.history_bytes = 1 << 20,
				.history_dir = tmpdir,
				.level = 3};
	char saved[PATH_MAX];
	struct record_writer *w;
	struct churn c;
	uint8_t *p;
	size_t i;

	w = record__open(&o);
	if (!w || record__begin(w, &meta))
		die("record");
	churn_init(&c, 5, 8, T0 + 1);
	for (i = 0; i < n; i++) {
		struct gev ev;

		churn_next(&c, &ev);
		if (gtable__apply(gt, &ev) || record__event(w, &ev))
			die("event");
		if (i % 50 == 0) {
			struct xg_meters mt = {.ts = ev.ts,
					       .rps = 1000 + i,
					       .pps = 900,
					       .lat_ns = -1,
					       .ovh_pct = -1};

			if (record__meters(w, &mt))
				die("meters");
		}
	}
	if (history_ns && record__save_recent(w, saved, sizeof(saved)))
		die("save_recent");
	if (record__close(w))
		die("close");
	churn_free(&c);
	gtable__free(gt);
	p = slurp(history_ns ? saved : tmp, len);
	if (history_ns)
		unlink(saved);
	return p;
}

/* Events with every field unusual, over tiny frames. */
static uint8_t *odd_file(size_t *len)
{
	static const char *const strs[] = {NULL, "", "x\"y\\z\n", "\xff\xfe", "main.worker"};
	struct record_opts o = {.path = tmp, .force = true, .frame_bytes = 200, .level = 1};
	struct record_writer *w = record__open(&o);
	uint64_t s = 12345;
	int i;

	if (!w || record__begin(w, &meta))
		die("record");
	for (i = 0; i < 60; i++) {
		/* Now and then a kind of event that a newer writer may add. */
		struct gev ev = {.kind = (enum gev_kind)(i % 17 == 5 ? 42 : 1 + i % 3),
				 .ts = T0 + (i % 7 == 0 ? -(uint64_t)i * 1000 : (uint64_t)i * 977),
				 .pid = i % 5 ? 4242 : 77 + i,
				 .tid = i % 4 ? 4243 : (uint32_t)s,
				 .goid = i % 6 ? 10u + i % 9 : UINT64_MAX - (uint64_t)i,
				 .from = i % 11 == 0 ? 255 : i % 12,
				 .to = i % 13 == 0 ? 200 : (i * 5) % 12,
				 .inferred = i % 9 == 0,
				 .reason = i % 3   ? GEV_NO_REASON
					   : i % 2 ? -2147483647 - 1
						   : i,
				 .reason_str = strs[i % 5]};

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		if (i % 4 == 0) {
			ev.parent = s >> 3;
			ev.startpc = 0x401000 + i;
			ev.gopc = s;
			ev.func = strs[(i + 1) % 5];
			ev.created_by = strs[(i + 2) % 5];
			ev.file = strs[(i + 3) % 5];
			ev.line = i % 8 == 0 ? -1 : i;
		}
		if (record__event(w, &ev))
			die("event");
	}
	if (record__close(w))
		die("close");
	return slurp(tmp, len);
}

/* Stack sweeps (format 1.3) among events, names unusual, over small frames. */
static uint8_t *stacks_file(size_t *len)
{
	static const struct stk_frame fr[] = {{"runtime.gopark", "/go/src/runtime/proc.go", 435},
					      {"x\"y\\z\n", "\xff\xfe", -1},
					      {NULL, "", 0},
					      {"main.main", "/src/main.go", 70}};
	struct record_opts o = {.path = tmp, .force = true, .frame_bytes = 300, .level = 1};
	struct record_writer *w = record__open(&o);
	struct stackset *s = stackset__new();
	int k, i;

	if (!w || !s || record__begin(w, &meta))
		die("record");
	for (k = 0; k < 4; k++) {
		uint32_t a = stackset__intern(s, fr, 4), b = stackset__intern(s, fr + k % 3, 1);

		for (i = 0; i < 20; i++) {
			struct gev ev = {.kind = GEV_STATE,
					 .ts = T0 + (uint64_t)(k * 20 + i) * 1000,
					 .pid = 4242,
					 .goid = 10 + (uint64_t)(i % 3),
					 .from = i % 2 ? 2 : 1,
					 .to = i % 2 ? 1 : 2,
					 .reason = GEV_NO_REASON};

			if (record__event(w, &ev))
				die("event");
		}
		stackset__sweep_begin(s, T0 + (uint64_t)(k * 20 + 19) * 1000);
		for (i = 0; i < 6 + k; i++) {
			struct stk_entry e = {
				.pid = 4242,
				.goid = 10 + (uint64_t)i * 7,
				.stack = i % 3 == 2 ? 0
					 : i % 2    ? a
						    : b,
				.status = (uint8_t)(i % 5),
				.what = i % 3 == 2 ? (uint8_t)(1 + i % 3) : 0,
				.wait_since = i % 2 ? T0 - (uint64_t)i * 1000000000ull : 0,
				.reason =
					stackset__reason_id(s, i % 2 ? "chan receive" : "\x1b[2J")};

			if (stackset__sweep_add(s, &e))
				die("sweep");
		}
		if (stackset__sweep_end(s) || record__sweep(w, s))
			die("sweep");
	}
	stackset__free(s);
	if (record__close(w))
		die("close");
	return slurp(tmp, len);
}

static size_t header_size(const uint8_t *p, size_t len)
{
	size_t z = ZSTD_findFrameCompressedSize(p, len);

	if (ZSTD_isError(z))
		die("header");
	return z;
}

/* Offset of data frame K's info skippable frame. */
static size_t frame_at(const uint8_t *p, size_t len, size_t k, struct rec_frame_info *fi)
{
	size_t off = header_size(p, len), i;

	for (i = 0;; i++) {
		if (rec_frame_info__parse(p + off + 8, REC_INFO_SIZE, fi))
			die("frame info");
		if (i == k)
			return off;
		off += 8 + REC_INFO_SIZE + fi->zsize;
	}
}

static size_t index_offset(const uint8_t *p, size_t len)
{
	size_t off = 0;
	int i;

	for (i = 0; i < 8; i++)
		off |= (size_t)p[len - 16 + i] << (8 * i);
	return off;
}

/* Recompress a frame of raw bytes at the start of OUT. */
static size_t compress_into(uint8_t *out, size_t cap, const void *raw, size_t n)
{
	size_t z = ZSTD_compress(out, cap, raw, n, 3);

	if (ZSTD_isError(z))
		die("compress");
	return z;
}

int main(int argc, char **argv)
{
	const char *dir;
	uint8_t *clean, *b, *raw;
	struct rec_frame_info fi;
	size_t len, n, off, hz;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xg-seeds-XXXXXX");
	if (!mkdtemp(tmpdir))
		die("mkdtemp");
	snprintf(tmp, sizeof(tmp), "%s/seed.zst", tmpdir);

	clean = churn_file(400, 1024, 0, &len);
	put(dir, "clean.zst", clean, len);
	off = index_offset(clean, len);
	put(dir, "no-index.zst", clean, off);
	put(dir, "cut-third.zst", clean, len / 3);
	put(dir, "cut-two-thirds.zst", clean, 2 * len / 3);
	hz = header_size(clean, len);
	put(dir, "header-only.zst", clean, hz);

	b = malloc(len + 4096);
	memcpy(b, clean, len);
	off = frame_at(b, len, 1, &fi);
	b[off + 8 + REC_INFO_SIZE + fi.zsize / 2] ^= 0x10;
	put(dir, "flipped-data.zst", b, len);
	memcpy(b, clean, len);
	b[off + 8 + 20] ^= 0x01;
	put(dir, "flipped-info.zst", b, index_offset(clean, len));
	memcpy(b, clean, len);
	memset(b, 0, hz);
	put(dir, "zeroed-header.zst", b, len);
	memcpy(b, clean, len);
	b[len - 40] ^= 0xff;
	put(dir, "damaged-index.zst", b, len);

	/* The header with version 2.0, then 1.9 with an unknown record in the first frame. */
	{
		unsigned long long rl = ZSTD_getFrameContentSize(clean, hz);
		uint8_t *h = malloc(rl), *f;
		size_t z, zs, frl, rec;

		if (ZSTD_decompress(h, rl, clean, hz) != rl)
			die("header frame");
		h[8] = 2;
		z = compress_into(b, len + 4096, h, rl);
		memcpy(b + z, clean + hz, len - hz);
		put(dir, "major-2.zst", b, z + len - hz);

		h[8] = 1;
		h[10] = 9;
		z = compress_into(b, len + 4096, h, rl);
		off = frame_at(clean, len, 0, &fi);
		zs = fi.zsize;
		frl = ZSTD_getFrameContentSize(clean + off + 8 + REC_INFO_SIZE, zs);
		raw = malloc(frl + 8);
		f = malloc(frl + 8);
		if (ZSTD_decompress(raw, frl, clean + off + 8 + REC_INFO_SIZE, zs) != frl)
			die("frame");
		rec = 2 + raw[1];
		memcpy(f, raw, rec);
		memcpy(f + rec, "\x28\x03xyz", 5);
		memcpy(f + rec + 5, raw + rec, frl - rec);
		memcpy(b + z, clean + hz, off - hz);
		n = z + off - hz;
		fi.zsize = compress_into(b + n + 8 + REC_INFO_SIZE, len, f, frl + 5);
		fi.raw_size = frl + 5;
		memcpy(b + n, clean + off, 8);
		rec_frame_info__put(&fi, b + n + 8);
		n += 8 + REC_INFO_SIZE + fi.zsize;
		/* The rest, without the index: its offsets moved. */
		memcpy(b + n, clean + off + 8 + REC_INFO_SIZE + zs,
		       index_offset(clean, len) - (off + 8 + REC_INFO_SIZE + zs));
		n += index_offset(clean, len) - (off + 8 + REC_INFO_SIZE + zs);
		put(dir, "minor-9-unknown-record.zst", b, n);
		free(h);
		free(f);
		free(raw);
	}
	free(b);
	free(clean);

	b = churn_file(900, 1024, 300000, &len);
	put(dir, "flight-recorder.zst", b, len);
	free(b);
	b = stacks_file(&len);
	put(dir, "stacks.zst", b, len);
	put(dir, "stacks-cut.zst", b, len / 2);
	b[len / 3] ^= 0x20;
	put(dir, "stacks-flipped.zst", b, len);
	free(b);
	b = odd_file(&len);
	put(dir, "odd-fields.zst", b, len);
	free(b);

	put(dir, "empty.zst", "", 0);
	put(dir, "text.zst", "not a recording\n", 16);
	{
		char z[128];
		size_t zl = ZSTD_compress(z, sizeof(z), "another tool's data", 19, 3);

		put(dir, "foreign.zst", z, zl);
	}
	unlink(tmp);
	rmdir(tmpdir);
	return 0;
}
