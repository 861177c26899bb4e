// SPDX-License-Identifier: BSD-2-Clause
/*
 * Recordings no xgotop-tui would write, for tests/record/crafted.sh and
 * damaged.sh:
 *   record_crafted names OUT        a target whose exe path, Go version,
 *                                   function and file names hold terminal
 *                                   controls, CR/LF and broken UTF-8
 *   record_crafted miscount IN OUT  IN with its largest frame claiming 10%
 *                                   more events than it holds, its checksums
 *                                   and seek index made to agree
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gtable.h"
#include "record.h"
#include "xgotop_event.h"

#define T0 9000000000000ull

/* Each control a terminal acts on, and what a UI header must not split on. */
#define EVIL                              \
	"\033]0;PWNED\007\r\n\033[2J\x9b" \
	"6n\xc2\x9b"                      \
	"6n\xe2\x80\xae"

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "record_crafted: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static int names(const char *out)
{
	struct gtable_opts go = {0};
	struct gtable *gt = gtable__new(&go);
	struct record_opts o = {.path = out, .force = true, .table = gt};
	struct record_meta m = {.pid = 4242,
				.path = "/tmp/evil" EVIL "dir/prog",
				.go_version = "go1.26" EVIL,
				.arch = "amd64" EVIL,
				.mod_path = "example.com/" EVIL,
				.probes = "runtime.casgstatus",
				.mode = "pid",
				.wall_ns = 1700000000000000000ull,
				.mono_ns = T0};
	struct record_writer *w;
	int i;

	if (!gt)
		die("gtable__new");
	unlink(out);
	w = record__open(&o);
	if (!w || record__begin(w, &m))
		die(out);
	for (i = 1; i <= 3; i++) {
		struct gev c = {.kind = GEV_CREATE,
				.ts = T0 + i * 1000,
				.pid = 4242,
				.goid = (uint64_t)i,
				.to = XG_G_RUNNABLE,
				.reason = GEV_NO_REASON,
				.parent = 1,
				.startpc = 0x401000 + i,
				.gopc = 0x402000 + i,
				.func = "main.worker" EVIL,
				.created_by = "main.main" EVIL,
				.file = "/src/" EVIL "main.go",
				.line = 10 + i};
		struct gev s = {.kind = GEV_STATE,
				.ts = T0 + i * 1000 + 500,
				.pid = 4242,
				.goid = (uint64_t)i,
				.from = XG_G_RUNNABLE,
				.to = XG_G_WAITING,
				.reason = 7,
				.reason_str = "chan receive" EVIL};

		if (gtable__apply(gt, &c) || record__event(w, &c) || gtable__apply(gt, &s) ||
		    record__event(w, &s))
			die("record__event");
	}
	if (record__close(w))
		die(out);
	gtable__free(gt);
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

static int miscount(const char *in, const char *out)
{
	FILE *f = fopen(in, "rb");
	uint8_t *d, *best = NULL, *c;
	long size;
	size_t p, i, n;
	uint64_t ioff;
	uint32_t len, add;

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 64 || fseek(f, 0, SEEK_SET))
		die(in);
	d = malloc(size);
	if (!d || fread(d, 1, size, f) != (size_t)size)
		die(in);
	fclose(f);
	for (p = 0; p + 8 + REC_INFO_SIZE <= (size_t)size; p++)
		if (get32(d + p) == REC_SKIP_INFO && get32(d + p + 4) == REC_INFO_SIZE &&
		    !memcmp(d + p + 8, REC_INFO_MAGIC, 4) &&
		    (!best || get32(d + p + 8 + 24) > get32(best + 24)))
			best = d + p + 8;
	if (!best || get32(best + 24) < 10 || memcmp(d + size - 8, REC_FOOTER_MAGIC, 8))
		die("no frame with events, or no seek index");
	add = get32(best + 24) / 10;
	put32(best + 24, get32(best + 24) + add);
	put32(best + 68, rec_crc32(best, 68));
	/* The seek index repeats the count: make it agree, or that alone would be reported. */
	ioff = get32(d + size - REC_FOOTER_SIZE) | (uint64_t)get32(d + size - REC_FOOTER_SIZE + 4)
							   << 32;
	len = get32(d + ioff + 4);
	c = d + ioff + 8;
	n = get32(c + 8);
	for (i = 0; i < n; i++) {
		uint8_t *e = c + 12 + i * REC_INDEX_ENTRY;

		if (get32(e) == (uint32_t)(best - 8 - d))
			put32(e + 40, get32(e + 40) + add);
	}
	put32(c + len - REC_FOOTER_SIZE - 4, rec_crc32(c, len - REC_FOOTER_SIZE - 4));
	f = fopen(out, "wb");
	if (!f || fwrite(d, 1, size, f) != (size_t)size || fclose(f))
		die(out);
	printf("%u\n", add);
	free(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "names"))
		return names(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "miscount"))
		return miscount(argv[2], argv[3]);
	fprintf(stderr, "usage: record_crafted names OUT | miscount IN OUT\n");
	return 2;
}
