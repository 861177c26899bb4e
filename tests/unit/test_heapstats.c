// SPDX-License-Identifier: BSD-2-Clause
/*
 * The heap statistics reader (src/goexe/heapstats.c) against a fake
 * runtime.memstats.heapStats: three generations laid out as go1.22's (and
 * go1.26's) DWARF says, a consistentHeapStats.read caught between its
 * steps, torn and failing reads; the events they become
 * (src/live/heapsrc.c) and what the state table makes of them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gtable.h"
#include "heapsrc.h"
#include "heapstats.h"

#define ADDR 0x5a0000ull
#define BIAS 0x1000ull

/*
 * What the DWARF of binaries built by each toolchain says (readelf
 * --debug-dump=info of tests/targets/heapstats built by go1.19.13 ...
 * go1.26.8): runtime.heapStatsDelta's size and members, and
 * consistentHeapStats.gen.
 */
static void test_layout(void **state)
{
	struct heap_layout l;
	int minor;

	(void)state;
	for (minor = 19; minor <= 26; minor++) {
		bool old = minor < 25; /* inPtrScalarBits, dropped in go1.25 */

		assert_int_equal(heap__layout_for(1, minor, ADDR, &l), 0);
		assert_int_equal(l.addr, ADDR);
		assert_int_equal(l.delta_size, old ? 1176 : 1168);
		assert_int_equal(l.tiny, old ? 48 : 40);
		assert_int_equal(l.large_alloc, old ? 56 : 48);
		assert_int_equal(l.large_alloc_count, old ? 64 : 56);
		assert_int_equal(l.small_alloc, old ? 72 : 64);
		assert_int_equal(l.large_free, old ? 616 : 608);
		assert_int_equal(l.large_free_count, old ? 624 : 616);
		assert_int_equal(l.small_free, old ? 632 : 624);
		assert_int_equal(l.gen, old ? 3528 : 3504);
		assert_int_equal(l.class_size[1], 8);
		assert_int_equal(l.class_size[67], 32768);
	}
	assert_int_equal(heap__layout_for(1, 18, ADDR, &l), -ENOENT);
	assert_int_equal(heap__layout_for(1, 27, ADDR, &l), -ENOENT);
	assert_int_equal(heap__layout_for(2, 0, ADDR, &l), -ENOENT);
}

/* The target's memory: heapStats at ADDR + BIAS. */
struct fake {
	struct heap_layout l;
	uint8_t mem[4096];
	int reads;	     /* calls to fake_read */
	int finish_merge_at; /* on this call, clear generation (gen + 1) % 3 first; 0 never */
	int bump_gen_at; /* on this call, a runtime/metrics read after the first range; 0 never */
	int fail;	 /* -errno for every read, 0 none */
};

static void put64(struct fake *f, unsigned int gen, uint32_t off, uint64_t v)
{
	memcpy(f->mem + gen * f->l.delta_size + off, &v, 8);
}

static void set_gen(struct fake *f, uint32_t gen)
{
	memcpy(f->mem + f->l.gen, &gen, 4);
}

static uint32_t get_gen(const struct fake *f)
{
	uint32_t g;

	memcpy(&g, f->mem + f->l.gen, 4);
	return g;
}

/* consistentHeapStats.read (runtime/mstats.go): gen c -> c+1, c-1 added into c and cleared. */
static void runtime_read(struct fake *f)
{
	uint32_t c = get_gen(f), p = (c + 2) % 3, i;
	uint8_t *dst = f->mem + c * f->l.delta_size, *src = f->mem + p * f->l.delta_size;

	set_gen(f, (c + 1) % 3);
	for (i = 0; i < f->l.delta_size; i += 8) {
		uint64_t a, b;

		memcpy(&a, dst + i, 8);
		memcpy(&b, src + i, 8);
		a += b;
		memcpy(dst + i, &a, 8);
	}
	memset(src, 0, f->l.delta_size);
}

static int fake_read(const struct heap_iov *iov, size_t n, void *ctx)
{
	struct fake *f = ctx;
	size_t i;

	f->reads++;
	if (f->fail)
		return f->fail;
	if (f->reads == f->finish_merge_at)
		memset(f->mem + ((get_gen(f) + 1) % 3) * f->l.delta_size, 0, f->l.delta_size);
	for (i = 0; i < n; i++) {
		uint64_t a = iov[i].addr - ADDR - BIAS;

		assert_true(iov[i].addr >= ADDR + BIAS);
		assert_true(a + iov[i].len <= sizeof(f->mem));
		memcpy(iov[i].buf, f->mem + a, iov[i].len);
		if (i == 0 && f->reads == f->bump_gen_at)
			runtime_read(f);
	}
	return 0;
}

/*
 * Counts spread over the two generations a quiet runtime has non-zero
 * (gen written, gen - 1 merged into by the last read), summed: class 5
 * 1000 allocs 400 frees; class 67 3; large 2 objects of 40960 bytes, one
 * freed; tiny 77.
 */
static void fake_init(struct fake *f, int minor, uint32_t gen)
{
	unsigned int cur = gen, old = (gen + 2) % 3;

	memset(f, 0, sizeof(*f));
	assert_int_equal(heap__layout_for(1, minor, ADDR, &f->l), 0);
	assert_true(f->l.gen + 4 <= sizeof(f->mem));
	set_gen(f, gen);
	put64(f, old, f->l.small_alloc + 8 * 5, 700);
	put64(f, cur, f->l.small_alloc + 8 * 5, 300);
	put64(f, old, f->l.small_free + 8 * 5, 400);
	put64(f, cur, f->l.small_alloc + 8 * 67, 3);
	put64(f, old, f->l.large_alloc_count, 1);
	put64(f, cur, f->l.large_alloc_count, 1);
	put64(f, old, f->l.large_alloc, 40960);
	put64(f, cur, f->l.large_alloc, 40960);
	put64(f, cur, f->l.large_free_count, 1);
	put64(f, cur, f->l.large_free, 40960);
	put64(f, old, f->l.tiny, 70);
	put64(f, cur, f->l.tiny, 7);
	/* A byte delta: not a count, never read. */
	put64(f, cur, 0, 123456);
}

static void assert_fake_sample(const struct heap_sample *s)
{
	unsigned int i;

	assert_int_equal(s->allocs[5], 1000);
	assert_int_equal(s->frees[5], 400);
	assert_int_equal(s->allocs[67], 3);
	assert_int_equal(s->large_allocs, 2);
	assert_int_equal(s->large_alloc_bytes, 81920);
	assert_int_equal(s->large_frees, 1);
	assert_int_equal(s->large_free_bytes, 40960);
	assert_int_equal(s->tiny, 77);
	for (i = 1; i < XG_ALLOC_NCLASSES; i++)
		if (i != 5 && i != 67)
			assert_int_equal(s->allocs[i] | s->frees[i], 0);
}

static void test_read(void **state)
{
	static const int minors[] = {19, 26};
	struct heap_sample s;
	struct heap_totals t;
	struct fake f;
	uint32_t gen;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		for (gen = 0; gen < 3; gen++) {
			fake_init(&f, minors[i], gen);
			assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), 0);
			assert_fake_sample(&s);
		}
	}
	heap__totals(&f.l, &s, &t);
	assert_int_equal(t.allocs, 1000 + 3 + 2);
	assert_int_equal(t.frees, 400 + 1);
	assert_int_equal(t.alloc_bytes, 1000 * 48 + 3 * 32768 + 81920);
	assert_int_equal(t.free_bytes, 400 * 48 + 40960);
	assert_int_equal(t.live_objects, t.allocs - t.frees);
	assert_int_equal(t.live_bytes, t.alloc_bytes - t.free_bytes);
}

/*
 * consistentHeapStats.read has switched gen and not yet cleared the
 * generation it merges from: no sample until it has; the sum is then
 * counted once.
 */
static void test_merge_in_progress(void **state)
{
	struct heap_sample s;
	struct fake f;
	uint32_t gen = 1;

	(void)state;
	fake_init(&f, 22, gen);
	/* The merge source, (gen + 1) % 3, still holds 500 of class 5's allocations... */
	put64(&f, (gen + 1) % 3, f.l.small_alloc + 8 * 5, 500);
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), -EAGAIN);
	/* ...which the target (gen + 2) % 3 has taken already: cleared on the third call. */
	f.reads = 0;
	f.finish_merge_at = 3;
	put64(&f, (gen + 1) % 3, f.l.small_alloc + 8 * 5, 500);
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), 0);
	assert_fake_sample(&s);
	assert_int_equal(f.reads, 4); /* two tries of two reads */
}

/* A runtime/metrics read moves gen while the generations are read: read again. */
static void test_gen_moves(void **state)
{
	struct heap_sample s;
	struct fake f;

	(void)state;
	fake_init(&f, 26, 0);
	f.bump_gen_at = 2;
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), 0);
	assert_int_equal(f.reads, 4);
	/* gen 1 now, generation 2 merged into 0: the same sums. */
	assert_fake_sample(&s);
}

/* Torn or foreign memory: no sample rather than a wrong one. */
static void test_implausible(void **state)
{
	struct heap_sample s;
	struct fake f;

	(void)state;
	fake_init(&f, 26, 2);
	put64(&f, 2, f.l.large_free_count, 5); /* more large frees than allocations */
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), -EINVAL);
	fake_init(&f, 26, 2);
	put64(&f, 2, f.l.small_free + 8 * 9, (uint64_t)-3); /* a negative count */
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), -EINVAL);
	fake_init(&f, 26, 2);
	set_gen(&f, 7); /* not a generation */
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), -EAGAIN);
	fake_init(&f, 26, 2);
	f.fail = -ESRCH;
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &s), -ESRCH);
	assert_int_equal(f.reads, 1);
}

struct evs {
	struct gev ev[XG_ALLOC_BUCKETS + 2];
	int n;
};

static int collect(const struct gev *ev, void *ctx)
{
	struct evs *e = ctx;

	assert_true(e->n < (int)(sizeof(e->ev) / sizeof(e->ev[0])));
	e->ev[e->n++] = *ev;
	return 0;
}

/* Every class in use the first time, the changed ones after; the totals last. */
static void test_events(void **state)
{
	struct heap_sample a, b;
	struct evs e = {.n = 0};
	struct fake f;
	const struct gev *h;

	(void)state;
	fake_init(&f, 26, 0);
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &a), 0);
	assert_int_equal(heapsrc__events(&f.l, NULL, &a, 1000, 42, collect, &e), 0);
	/* The classes in use: 5, 67 and large. */
	assert_int_equal(e.n, 3 + 1);
	assert_int_equal(e.ev[0].kind, GEV_HEAP_CLASS);
	assert_int_equal(e.ev[0].heap.cls, 5);
	assert_int_equal(e.ev[0].heap.class_size, 48);
	assert_int_equal(e.ev[0].heap.allocs, 1000);
	assert_int_equal(e.ev[0].heap.alloc_bytes, 48000);
	assert_int_equal(e.ev[0].heap.free_bytes, 400 * 48);
	assert_int_equal(e.ev[1].heap.cls, 67);
	assert_int_equal(e.ev[1].heap.allocs, 3);
	assert_int_equal(e.ev[2].heap.cls, XG_ALLOC_LARGE);
	assert_int_equal(e.ev[2].heap.class_size, 0);
	assert_int_equal(e.ev[2].heap.alloc_bytes, 81920);
	h = &e.ev[3];
	assert_int_equal(h->kind, GEV_HEAP);
	assert_int_equal(h->pid, 42);
	assert_int_equal(h->ts, 1000);
	assert_int_equal(h->heap.allocs, 1005);
	assert_int_equal(h->heap.tiny, 77);

	b = a;
	b.allocs[7] += 10;
	e.n = 0;
	assert_int_equal(heapsrc__events(&f.l, &a, &b, 2000, 42, collect, &e), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ev[0].heap.cls, 7);
	assert_int_equal(e.ev[0].heap.allocs, 10);
	assert_int_equal(e.ev[1].kind, GEV_HEAP);
	assert_int_equal(e.ev[1].heap.allocs, 1015);
	e.n = 0;
	assert_int_equal(heapsrc__events(&f.l, &b, &b, 3000, 42, collect, &e), 0);
	assert_int_equal(e.n, 1); /* nothing changed: the totals alone, for the rate */
}

static void apply_all(struct gtable *gt, const struct evs *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		assert_int_equal(gtable__apply(gt, &e->ev[i]), 0);
}

/* The state table keeps the last sample and the rate between the last two. */
static void test_table(void **state)
{
	struct gtable *gt = gtable__new(NULL);
	struct gtable_heap h;
	struct heap_sample a, b;
	struct evs e = {.n = 0};
	struct fake f;

	(void)state;
	assert_int_equal(gtable__heap(gt, 0, &h), -ENODATA);
	fake_init(&f, 26, 0);
	assert_int_equal(heap__read(&f.l, BIAS, fake_read, &f, &a), 0);
	assert_int_equal(heapsrc__events(&f.l, NULL, &a, 1000000000, 42, collect, &e), 0);
	apply_all(gt, &e);
	assert_int_equal(gtable__heap(gt, 42, &h), 0);
	assert_int_equal(h.samples, 1);
	assert_true(h.alloc_bytes_per_s == 0);
	assert_int_equal(h.allocs[5], 1000);
	assert_int_equal(h.size[5], 48);
	assert_int_equal(h.allocs[XG_ALLOC_LARGE], 2);
	assert_int_equal(h.total_allocs, 1005);
	assert_int_equal(h.total_alloc_bytes - h.total_free_bytes, 600 * 48 + 3 * 32768 + 40960);

	/* Half a second later, 100 more 48-byte objects: 200 objects and 9600 bytes a second. */
	b = a;
	b.allocs[5] += 100;
	e.n = 0;
	assert_int_equal(heapsrc__events(&f.l, &a, &b, 1500000000, 42, collect, &e), 0);
	apply_all(gt, &e);
	assert_int_equal(gtable__heap(gt, 0, &h), 0);
	assert_int_equal(h.samples, 2);
	assert_int_equal(h.allocs[5], 1100);
	assert_true(h.allocs_per_s > 199.999 && h.allocs_per_s < 200.001);
	assert_true(h.alloc_bytes_per_s > 9599.99 && h.alloc_bytes_per_s < 9600.01);
	assert_int_equal(gtable__heap(gt, 7, &h), -ENODATA);

	/* A class out of range is counted invalid, not applied. */
	e.ev[0].heap.cls = XG_ALLOC_BUCKETS;
	assert_int_equal(gtable__apply(gt, &e.ev[0]), 0);
	gtable__free(gt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_merge_in_progress),
		cmocka_unit_test(test_gen_moves),
		cmocka_unit_test(test_implausible),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
