// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reader's dictionary: strings and creation sites by id, defined by
 * STRING and SITE records, shared by every frame of a file.
 */
#define _GNU_SOURCE
#include "rec_format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rec_dict {
	char **str; /* id - 1 */
	uint32_t n_str, cap_str;
	struct rec_site *site;
	uint8_t *site_ok;
	uint32_t n_site, cap_site;
	uint64_t missing;
};

struct rec_dict *rec_dict__new(void)
{
	return calloc(1, sizeof(struct rec_dict));
}

void rec_dict__free(struct rec_dict *d)
{
	uint32_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_str; i++)
		free(d->str[i]);
	free(d->str);
	free(d->site);
	free(d->site_ok);
	free(d);
}

const char *rec_dict__str(const struct rec_dict *d, uint64_t id)
{
	if (!id || id > d->n_str)
		return NULL;
	return d->str[id - 1];
}

const struct rec_site *rec_dict__site(const struct rec_dict *d, uint64_t id)
{
	if (!id || id > d->n_site || !d->site_ok[id - 1])
		return NULL;
	return &d->site[id - 1];
}

uint32_t rec_dict__n_strings(const struct rec_dict *d)
{
	return d->n_str;
}

uint64_t rec_dict__missing(const struct rec_dict *d)
{
	return d->missing;
}

const char *rec_dict__ref_str(struct rec_dict *d, uint64_t id)
{
	const char *s = rec_dict__str(d, id);

	if (id && !s)
		d->missing++;
	return s;
}

const struct rec_site *rec_dict__ref_site(struct rec_dict *d, uint64_t id)
{
	const struct rec_site *s = rec_dict__site(d, id);

	if (id && !s)
		d->missing++;
	return s;
}

/*
 * Ids are defined densely, in order, once per file; a redefinition (the
 * dictionary frame of a flight-recorder save repeats them) is ignored. A
 * jump means definitions were lost with a damaged frame: bounded, so that
 * damaged bytes cannot claim memory.
 */
static int dict_grow(void **v, uint32_t *cap, size_t size, uint32_t need)
{
	uint32_t c = *cap ? *cap : 256;
	void *p;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	p = realloc(*v, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	memset((char *)p + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
	*v = p;
	*cap = c;
	return 0;
}

int rec_dict__add_str(struct rec_dict *d, uint64_t id, const uint8_t *s, size_t n)
{
	if (!id || id > DICT_MAX_IDS || id > (uint64_t)d->n_str + DICT_MAX_GAP)
		return -EBADMSG;
	if (id <= d->n_str && d->str[id - 1])
		return 0;
	if (id > d->n_str) {
		if (dict_grow((void **)&d->str, &d->cap_str, sizeof(*d->str), (uint32_t)id))
			return -ENOMEM;
		d->n_str = (uint32_t)id;
	}
	d->str[id - 1] = dup_bytes(s, n);
	return d->str[id - 1] ? 0 : -ENOMEM;
}

int rec_dict__add_site(struct rec_dict *d, uint64_t id, const struct rec_site *s)
{
	if (!id || id > DICT_MAX_IDS || id > (uint64_t)d->n_site + DICT_MAX_GAP)
		return -EBADMSG;
	if (id <= d->n_site && d->site_ok[id - 1])
		return 0;
	if (id > d->n_site) {
		uint32_t cap = d->cap_site;

		if (dict_grow((void **)&d->site, &cap, sizeof(*d->site), (uint32_t)id))
			return -ENOMEM;
		cap = d->cap_site;
		if (dict_grow((void **)&d->site_ok, &cap, 1, (uint32_t)id))
			return -ENOMEM;
		d->cap_site = cap;
		d->n_site = (uint32_t)id;
	}
	d->site[id - 1] = *s;
	d->site_ok[id - 1] = 1;
	return 0;
}
