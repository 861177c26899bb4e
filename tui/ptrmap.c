// SPDX-License-Identifier: BSD-2-Clause
#include "ptrmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const void *key, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(x >> 32) & (cap - 1);
}

bool ptrmap__get(const struct ptrmap *m, const void *key, uint32_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].key)
			return false;
		if (m->slots[i].key == key) {
			*val = m->slots[i].val;
			return true;
		}
	}
}

static int grow(struct ptrmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256, i;
	struct ptrmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->slots[i].key)
			continue;
		for (j = slot_of(m->slots[i].key, cap); slots[j].key; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int ptrmap__put(struct ptrmap *m, const void *key, uint32_t val)
{
	size_t i;

	/* Keep it at most half full: probes stay short. */
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	for (i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].key) {
			m->slots[i].key = key;
			m->slots[i].val = val;
			m->n++;
			return 0;
		}
		if (m->slots[i].key == key) {
			m->slots[i].val = val;
			return 0;
		}
	}
}

void ptrmap__clear(struct ptrmap *m)
{
	if (m->cap)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

void ptrmap__free(struct ptrmap *m)
{
	if (!m)
		return;
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
