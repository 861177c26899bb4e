// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of src/allocs: runtime.name parsing, the size-class
 * bucket rule, and the range and type-name readers over untrusted ELF
 * bytes. Seeds: tests/fuzz/corpus/allocs (names, and goelf's images).
 *
 * Beyond not crashing: a parsed name is terminated and as long as said;
 * the bucket of a size holds it (or it is tiny or large); ranges are sorted
 * and disjoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "allocs.h"
#include "goelf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bucket(uint64_t size, bool noscan, uint32_t header_min)
{
	uint16_t c[XG_ALLOC_NCLASSES];
	unsigned int b;

	if (allocs__size_classes(1, 22, c) < 0)
		abort();
	b = allocs__bucket(size, noscan, header_min, c);
	if (b == XG_ALLOC_TINY) {
		if (!noscan || size >= XG_ALLOC_TINY_SIZE)
			abort();
	} else if (b == XG_ALLOC_LARGE) {
		if (size <= XG_ALLOC_MAX_SMALL - (header_min ? 8 : 0))
			abort();
	} else if (b == 0 || b >= XG_ALLOC_NCLASSES || c[b] < size || (c[b - 1] >= size + 8)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xg_pc_range r[XG_MAX_PC_RANGES];
	struct alloc_types *at;
	uint8_t *copy;
	struct goelf *ge;
	const char *first;
	char out[64];
	int n, i;

	n = allocs__name_parse(data, size, size && (data[0] & 1), out, sizeof(out));
	if (n >= 0 && (strlen(out) != (size_t)n || n >= (int)sizeof(out)))
		abort();
	if (size >= 8) {
		uint64_t v;

		memcpy(&v, data, 8);
		check_bucket(v & 0xffff, v >> 63, (v >> 62) & 1 ? 512 : 0);
	}

	/* an exact-size copy: reads past the end are caught by ASan */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ge = goelf__open_mem(copy, size);
	if (!ge)
		goto cleanup;
	n = allocs__ranges(ge, r, XG_MAX_PC_RANGES);
	for (i = 0; i < n; i++)
		if (r[i].start >= r[i].end || (i && r[i].start < r[i - 1].end))
			abort();
	(void)allocs__bypass(ge, &first);
	if (n > 0) {
		uint64_t entries[XG_MAX_PC_RANGES];
		bool called[XG_MAX_PC_RANGES];

		for (i = 0; i < n; i++)
			entries[i] = r[i].start;
		(void)allocs__direct_calls(ge, entries, (size_t)n, called);
	}
	at = alloc_types__new(ge);
	if (at) {
		/* Type addresses from the input itself, and the load base. */
		for (i = 0; i + 8 <= (int)size && i < 256; i += 8) {
			uint64_t typ;
			const char *name;

			memcpy(&typ, data + i, 8);
			name = alloc_types__name(at, typ);
			if (name)
				(void)strlen(name);
			(void)alloc_types__noscan(at, typ);
		}
		(void)alloc_types__name(at, goelf__load_base(ge));
		alloc_types__free(at);
	}
	goelf__free(ge);
cleanup:
	free(copy);
	return 0;
}
