// SPDX-License-Identifier: BSD-2-Clause
/*
 * The record codec's move-to-front lists (src/rec/rec_format.h): entries in
 * slots that stay put, the order a byte per rank. Checked against the plain
 * list they replace (entries moved with memmove), operation by operation,
 * at every rank including those that straddle the order's words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rec_format.h"

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The reference: the list itself in rank order, as the codec kept it before. */
struct ref {
	struct rec_mtf e[REC_MTF_GOIDS];
	struct rec_tid t[REC_MTF_TIDS];
	int n, nt;
};

static int ref_find(const struct ref *r, uint32_t pid, uint64_t goid)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].goid == goid && r->e[i].pid == pid)
			return i;
	return -1;
}

static void ref_touch(struct ref *r, int rank, const struct gev *ev)
{
	int i = rank < 0 ? (r->n < REC_MTF_GOIDS ? r->n++ : REC_MTF_GOIDS - 1) : rank;

	memmove(&r->e[1], &r->e[0], (size_t)i * sizeof(r->e[0]));
	r->e[0] =
		(struct rec_mtf){.goid = ev->goid, .pid = ev->pid, .from = ev->from, .to = ev->to};
}

static int ref_tid_find(const struct ref *r, uint32_t tid)
{
	int i;

	for (i = 0; i < r->nt; i++)
		if (r->t[i].tid == tid)
			return i;
	return -1;
}

static void ref_tid_touch(struct ref *r, int rank, const struct gev *ev, bool pm)
{
	struct rec_tid t = {.tid = ev->tid};
	int i = rank;

	if (i < 0)
		i = r->nt < REC_MTF_TIDS ? r->nt++ : REC_MTF_TIDS - 1;
	else
		t = r->t[i];
	if (pm) {
		t.p = ev->p;
		t.m = ev->m;
	}
	memmove(&r->t[1], &r->t[0], (size_t)i * sizeof(r->t[0]));
	r->t[0] = t;
}

static void assert_same(const struct rec_codec *c, const struct ref *r)
{
	int i;

	assert_int_equal(c->n_mtf, r->n);
	assert_int_equal(c->n_tids, r->nt);
	for (i = 0; i < r->n; i++) {
		const struct rec_mtf *e = mtf_at(c, (unsigned int)i);

		assert_int_equal(e->goid, r->e[i].goid);
		assert_int_equal(e->pid, r->e[i].pid);
		assert_int_equal(e->from, r->e[i].from);
		assert_int_equal(e->to, r->e[i].to);
		assert_int_equal(mtf_find(c, e->pid, e->goid), i);
	}
	for (i = 0; i < r->nt; i++) {
		const struct rec_tid *t = tid_at(c, (unsigned int)i);

		assert_int_equal(t->tid, r->t[i].tid);
		assert_int_equal(t->p, r->t[i].p);
		assert_int_equal(t->m, r->t[i].m);
		assert_int_equal(tid_find(c, t->tid), i);
	}
}

/* Random touches of a few more goroutines and threads than the lists hold. */
static void test_mtf_matches_reference(void **state)
{
	struct rec_codec c;
	struct ref r = {0};
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int i;

	(void)state;
	codec_reset(&c, 1);
	for (i = 0; i < 200000; i++) {
		uint64_t x = rnd(&s);
		struct gev ev = {
			.pid = 1 + (uint32_t)(x % 2),
			/* Half the time one of the 28 seen last, else any of 60. */
			.goid = x >> 8 & 1 && r.n ? r.e[(x >> 9) % r.n].goid : (x >> 16) % 60,
			.tid = 100 + (uint32_t)((x >> 24) % 10),
			.from = (uint8_t)(x >> 32),
			.to = (uint8_t)(x >> 40),
			.p = (int32_t)(x >> 44) % 8,
			.m = (int64_t)(x >> 50) % 16,
		};
		bool pm = x >> 63;
		int rank = mtf_find(&c, ev.pid, ev.goid), trank = tid_find(&c, ev.tid);

		assert_int_equal(rank, ref_find(&r, ev.pid, ev.goid));
		assert_int_equal(trank, ref_tid_find(&r, ev.tid));
		mtf_touch(&c, rank, &ev);
		tid_touch(&c, trank, &ev, pm);
		ref_touch(&r, rank, &ev);
		ref_tid_touch(&r, trank, &ev, pm);
		assert_same(&c, &r);
	}
}

/* Every rank of a full list to the front, the word boundaries (7, 8, 15, 16, 23, 24) among them. */
static void test_order_every_rank(void **state)
{
	uint8_t order[(REC_MTF_GOIDS + 7) / 8 * 8], want[sizeof(order)];
	unsigned int rank, i;

	(void)state;
	for (rank = 0; rank < REC_MTF_GOIDS; rank++) {
		for (i = 0; i < sizeof(order); i++)
			order[i] = i < REC_MTF_GOIDS ? (uint8_t)(100 + i) : 0;
		memcpy(want, order, sizeof(want));
		memmove(want + 1, want, rank);
		want[0] = 7;
		order_to_front(order, rank, 7);
		assert_memory_equal(order, want, sizeof(order));
		for (i = 0; i < REC_MTF_GOIDS; i++)
			assert_int_equal(order_slot(order, i), want[i]);
		assert_int_equal(order_rank(order, sizeof(order), 7), 0);
		assert_int_equal(order_rank(order, sizeof(order), 100 + rank), -1);
		if (rank + 1 < REC_MTF_GOIDS)
			assert_int_equal(order_rank(order, sizeof(order), 100 + rank + 1),
					 (int)rank + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtf_matches_reference),
		cmocka_unit_test(test_order_every_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
