// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of gotables' own parsing of untrusted bytes: the Go
 * version string, runtime.waitReasonStrings and the RELATIVE relocations
 * that fill it (through goelf and libelf). Seeds: tests/fuzz/corpus/gotables,
 * written by tests/gotables/write_seeds.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gotables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_tables t = {0};
	int major, minor;
	char *s;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (go_version_parse(s, &major, &minor) == 0 && (major < 1 || minor < 0))
		abort();
	free(s);

	if (go_tables__waitreasons_from_mem(data, size, &t) == 0) {
		if (t.n_waitreasons > GO_MAX_WAITREASONS)
			abort();
		for (unsigned int i = 0; i < t.n_waitreasons; i++) {
			const char *r = go_tables__waitreason(&t, i);

			if (!r || strlen(r) > 255)
				abort();
		}
		if (go_tables__waitreason(&t, t.n_waitreasons))
			abort();
	}
	go_tables__free(&t);
	return 0;
}
