// SPDX-License-Identifier: BSD-2-Clause
/*
 * The writer's dictionary: strings and creation sites keyed by content,
 * ids given in order of first use, and the records that define them.
 */
#define _GNU_SOURCE
#include "rec_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	size_t i;

	/* FNV-1a, then a finalizer so that the low bits index well. */
	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* A site is four words, mixed a word at a time (a byte at a time: 27 instructions per event). */
static uint64_t hash_site(const struct wsite *s)
{
	uint64_t w[4] = {s->startpc, s->gopc, (uint64_t)s->func << 32 | s->created_by,
			 (uint64_t)s->file << 32 | (uint32_t)s->line};
	uint64_t h = 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < 4; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static int index_rehash(uint32_t **idx, uint32_t *mask, const uint64_t *hashes, uint32_t n)
{
	uint32_t cap = *mask ? (*mask + 1) * 2 : 1024, i;
	uint32_t *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t pos = (uint32_t)hashes[i] & (cap - 1);

		while (v[pos])
			pos = (pos + 1) & (cap - 1);
		v[pos] = i + 1;
	}
	free(*idx);
	*idx = v;
	*mask = cap - 1;
	return 0;
}

static struct wdict_pc *pc_slot(struct wdict *d, const char *s)
{
	uintptr_t a = (uintptr_t)s;

	return &d->pc[(a ^ a >> 6 ^ a >> 12) & (WDICT_PCACHE - 1)];
}

/* The id of S by content: hash, then the index. 0 and *ADDED false on ENOMEM. */
static uint32_t str_lookup(struct wdict *d, const char *s, bool *added, int *err);

/* The id of S (0 for NULL); *NEW set when it was just added. 0 and *NEW false on ENOMEM too. */
uint32_t wdict__str(struct wdict *d, const char *s, bool *added, int *err)
{
	struct wdict_pc *pc;
	uint32_t id;

	*added = false;
	if (!s)
		return 0;
	pc = pc_slot(d, s);
	/* A string longer than REC_MAX_STRING was stored cut: it never matches here. */
	if (pc->s == s && !strcmp(d->str[pc->id - 1], s))
		return pc->id;
	id = str_lookup(d, s, added, err);
	if (id) {
		pc->s = s;
		pc->id = id;
	}
	return id;
}

static uint32_t str_lookup(struct wdict *d, const char *s, bool *added, int *err)
{
	size_t n;
	uint64_t h;
	uint32_t pos;

	n = strlen(s);
	if (n > REC_MAX_STRING)
		n = REC_MAX_STRING; /* a reader would refuse more; no real name is this long */
	h = hash_bytes(s, n);
	if (d->str_mask) {
		for (pos = (uint32_t)h & d->str_mask; d->str_idx[pos];
		     pos = (pos + 1) & d->str_mask) {
			uint32_t id = d->str_idx[pos];

			if (d->str_hash[id - 1] == h && !strncmp(d->str[id - 1], s, n) &&
			    d->str[id - 1][n] == '\0')
				return id;
		}
	}
	if (d->n_str == d->cap_str) {
		uint32_t cap = d->cap_str ? d->cap_str * 2 : 256;
		char **v = realloc(d->str, cap * sizeof(*v));
		uint64_t *hv;

		if (!v)
			goto oom;
		d->str = v;
		hv = realloc(d->str_hash, cap * sizeof(*hv));
		if (!hv)
			goto oom;
		d->str_hash = hv;
		d->cap_str = cap;
	}
	d->str[d->n_str] = strndup(s, n);
	if (!d->str[d->n_str])
		goto oom;
	d->str_hash[d->n_str] = h;
	d->n_str++;
	if ((uint64_t)d->n_str * 2 > (uint64_t)d->str_mask + 1) {
		if (index_rehash(&d->str_idx, &d->str_mask, d->str_hash, d->n_str)) {
			free(d->str[--d->n_str]);
			goto oom;
		}
	} else {
		for (pos = (uint32_t)h & d->str_mask; d->str_idx[pos];
		     pos = (pos + 1) & d->str_mask)
			;
		d->str_idx[pos] = d->n_str;
	}
	*added = true;
	return d->n_str;
oom:
	*err = -ENOMEM;
	return 0;
}

uint32_t wdict__site(struct wdict *d, const struct wsite *s, bool *added, int *err)
{
	uint64_t h = hash_site(s);
	uint32_t pos;

	*added = false;
	if (d->site_mask) {
		for (pos = (uint32_t)h & d->site_mask; d->site_idx[pos];
		     pos = (pos + 1) & d->site_mask) {
			uint32_t id = d->site_idx[pos];

			if (d->site_hash[id - 1] == h && !memcmp(&d->site[id - 1], s, sizeof(*s)))
				return id;
		}
	}
	if (d->n_site == d->cap_site) {
		uint32_t cap = d->cap_site ? d->cap_site * 2 : 256;
		struct wsite *v = realloc(d->site, cap * sizeof(*v));
		uint64_t *hv;

		if (!v)
			goto oom;
		d->site = v;
		hv = realloc(d->site_hash, cap * sizeof(*hv));
		if (!hv)
			goto oom;
		d->site_hash = hv;
		d->cap_site = cap;
	}
	d->site[d->n_site] = *s;
	d->site_hash[d->n_site] = h;
	d->n_site++;
	if ((uint64_t)d->n_site * 2 > (uint64_t)d->site_mask + 1) {
		if (index_rehash(&d->site_idx, &d->site_mask, d->site_hash, d->n_site)) {
			d->n_site--;
			goto oom;
		}
	} else {
		for (pos = (uint32_t)h & d->site_mask; d->site_idx[pos];
		     pos = (pos + 1) & d->site_mask)
			;
		d->site_idx[pos] = d->n_site;
	}
	*added = true;
	return d->n_site;
oom:
	*err = -ENOMEM;
	return 0;
}

void wdict__free(struct wdict *d)
{
	uint32_t i;

	for (i = 0; i < d->n_str; i++)
		free(d->str[i]);
	free(d->str);
	free(d->str_hash);
	free(d->str_idx);
	free(d->site);
	free(d->site_hash);
	free(d->site_idx);
	memset(d, 0, sizeof(*d));
}

void rec_put_string_def(struct buf *b, struct buf *scratch, uint32_t id, const char *s)
{
	scratch->len = 0;
	put_varint(scratch, id);
	put_bytes(scratch, s, strlen(s));
	put_ctl(b, REC_CTL_STRING, scratch);
}

void rec_put_site_def(struct buf *b, struct buf *scratch, uint32_t id, const struct wsite *s)
{
	scratch->len = 0;
	put_varint(scratch, id);
	put_varint(scratch, s->startpc);
	put_varint(scratch, s->gopc);
	put_varint(scratch, s->func);
	put_varint(scratch, s->created_by);
	put_varint(scratch, s->file);
	put_varint(scratch, zz(s->line));
	put_ctl(b, REC_CTL_SITE, scratch);
}
