// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "allocs.h"
#include "gevent.h"

static void test_size_classes(void **state)
{
	uint16_t c[XG_ALLOC_NCLASSES];
	int minor, i;

	(void)state;
	for (minor = 19; minor <= 26; minor++) {
		assert_int_equal(allocs__size_classes(1, minor, c), 0);
		assert_int_equal(c[0], 0);
		assert_int_equal(c[1], 8);
		assert_int_equal(c[2], 16);
		assert_int_equal(c[26], 512);
		assert_int_equal(c[38], 2048);
		assert_int_equal(c[62], 20480);
		assert_int_equal(c[67], 32768);
		for (i = 1; i < XG_ALLOC_NCLASSES; i++)
			assert_true(c[i] > c[i - 1]);
	}
	assert_int_equal(allocs__size_classes(1, 18, c), -ENOENT);
	assert_int_equal(allocs__size_classes(2, 0, c), -ENOENT);
	/* A newer release gets the newest row, and says so. */
	assert_int_equal(allocs__size_classes(1, 27, c), 1);
	assert_int_equal(c[67], 32768);
}

static void test_header_min(void **state)
{
	(void)state;
	assert_int_equal(allocs__header_min(1, 19), 0);
	assert_int_equal(allocs__header_min(1, 21), 0);
	assert_int_equal(allocs__header_min(1, 22), 512);
	assert_int_equal(allocs__header_min(1, 26), 512);
}

static void test_buckets(void **state)
{
	uint16_t c[XG_ALLOC_NCLASSES];
	uint32_t h21 = allocs__header_min(1, 21), h22 = allocs__header_min(1, 22);

	(void)state;
	assert_int_equal(allocs__size_classes(1, 22, c), 0);
	/* The tiny allocator: pointer-free and under 16 bytes. */
	assert_int_equal(allocs__bucket(1, true, h22, c), XG_ALLOC_TINY);
	assert_int_equal(allocs__bucket(15, true, h22, c), XG_ALLOC_TINY);
	assert_int_equal(allocs__bucket(16, true, h22, c), 2);
	assert_int_equal(allocs__bucket(8, false, h22, c), 1);
	assert_int_equal(allocs__bucket(9, false, h22, c), 2);
	/* Exact class sizes stay in their class. */
	assert_int_equal(allocs__bucket(24, false, h22, c), 3);
	assert_int_equal(allocs__bucket(25, false, h22, c), 4);
	assert_int_equal(allocs__bucket(20008, true, h22, c), 62);
	/* go1.22+: an 8-byte header for pointerful objects above 512 bytes. */
	assert_int_equal(allocs__bucket(512, false, h22, c), 26);
	assert_int_equal(allocs__bucket(1020, false, h21, c), 32); /* 1024 */
	assert_int_equal(allocs__bucket(1020, false, h22, c), 33); /* 1028 -> 1152 */
	assert_int_equal(allocs__bucket(1020, true, h22, c), 32);
	/* Large: above 32 KiB, or above 32 KiB - 8 with headers. */
	assert_int_equal(allocs__bucket(32768, true, h21, c), 67);
	assert_int_equal(allocs__bucket(32769, true, h21, c), XG_ALLOC_LARGE);
	assert_int_equal(allocs__bucket(32760, false, h22, c), 67);
	assert_int_equal(allocs__bucket(32761, true, h22, c), XG_ALLOC_LARGE);
	assert_int_equal(allocs__bucket(1 << 20, false, h22, c), XG_ALLOC_LARGE);

	assert_int_equal(allocs__bucket_size(XG_ALLOC_TINY, c), 16);
	assert_int_equal(allocs__bucket_size(5, c), 48);
	assert_int_equal(allocs__bucket_size(XG_ALLOC_LARGE, c), 0);
}

static void test_classify(void **state)
{
	static const struct {
		const char *name;
		int kind; /* -1: not an allocating function */
		uint8_t flags;
	} cases[] = {
		{"runtime.newobject", XG_AK_OBJECT, XG_PCR_THROUGH},
		{"runtime.makeslice", XG_AK_SLICE, XG_PCR_THROUGH},
		{"runtime.growslice", XG_AK_APPEND, XG_PCR_THROUGH},
		{"runtime.growsliceNoAlias", XG_AK_APPEND, XG_PCR_THROUGH},
		{"runtime.makemap", XG_AK_MAP, XG_PCR_THROUGH | XG_PCR_MAKEMAP},
		{"runtime.makemap_small", XG_AK_MAP, XG_PCR_THROUGH},
		{"internal/runtime/maps.NewMap", XG_AK_MAP, XG_PCR_THROUGH},
		{"runtime.mapassign_fast64", XG_AK_MAP, XG_PCR_THROUGH},
		{"runtime.(*hmap).newoverflow", XG_AK_MAP, XG_PCR_THROUGH},
		{"runtime.concatstring2", XG_AK_STRING, XG_PCR_THROUGH},
		{"runtime.slicebytetostring", XG_AK_STRING, XG_PCR_THROUGH},
		{"runtime.makechan", XG_AK_CHAN, XG_PCR_THROUGH},
		{"runtime.malg", XG_AK_GOROUTINE, XG_PCR_THROUGH},
		{"runtime.convTstring", XG_AK_OBJECT, XG_PCR_THROUGH},
		{"main.main", -1, 0},
		{"runtime.mallocgc", -1, 0},
		{"runtime.makemapx", -1, 0},
		{"runtime.newobjectx", -1, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t kind = 0xff, flags = 0xff;
		int err = allocs__classify(cases[i].name, &kind, &flags);

		if (cases[i].kind < 0) {
			assert_int_equal(err, -ENOENT);
			continue;
		}
		assert_int_equal(err, 0);
		assert_int_equal(kind, cases[i].kind);
		assert_int_equal(flags, cases[i].flags);
	}
	assert_int_equal(allocs__classify(NULL, NULL, NULL), -ENOENT);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(gev_alloc_kind_name(XG_AK_OTHER), "other");
	assert_string_equal(gev_alloc_kind_name(XG_AK_OBJECT), "object");
	assert_string_equal(gev_alloc_kind_name(XG_AK_SLICE), "slice");
	assert_string_equal(gev_alloc_kind_name(XG_AK_APPEND), "append");
	assert_string_equal(gev_alloc_kind_name(XG_AK_MAP), "map");
	assert_string_equal(gev_alloc_kind_name(XG_AK_STRING), "string");
	assert_string_equal(gev_alloc_kind_name(XG_AK_CHAN), "chan");
	assert_string_equal(gev_alloc_kind_name(XG_AK_GOROUTINE), "goroutine");
	assert_string_equal(gev_alloc_kind_name(XG_AK_NKINDS), "other");
}

static void test_name_parse(void **state)
{
	static const uint8_t plain[] = {0x01, 5, 'm', 'a', 'i', 'n', 'T', 0xff};
	static const uint8_t star[] = {0x00, 7, '*', 'm', 'a', 'i', 'n', '.', 'T'};
	uint8_t long_name[2 + 2 + 200];
	char out[256];
	size_t i;

	(void)state;
	assert_int_equal(allocs__name_parse(plain, sizeof(plain), false, out, sizeof(out)), 5);
	assert_string_equal(out, "mainT");
	assert_int_equal(allocs__name_parse(star, sizeof(star), true, out, sizeof(out)), 6);
	assert_string_equal(out, "main.T");
	assert_int_equal(allocs__name_parse(star, sizeof(star), false, out, sizeof(out)), 7);
	assert_string_equal(out, "*main.T");
	/* A two-byte varint length: 200 = 0xc8 0x01. */
	long_name[0] = 0;
	long_name[1] = 0xc8;
	long_name[2] = 0x01;
	for (i = 3; i < sizeof(long_name); i++)
		long_name[i] = 'a' + i % 26;
	assert_int_equal(allocs__name_parse(long_name, 3 + 200, false, out, sizeof(out)), 200);
	assert_int_equal(strlen(out), 200);
	/* Truncated, too long for OUT, empty, a NUL inside, an endless varint. */
	assert_int_equal(allocs__name_parse(plain, 6, false, out, sizeof(out)), -EINVAL);
	assert_int_equal(allocs__name_parse(long_name, 3 + 200, false, out, 200), -EINVAL);
	assert_int_equal(allocs__name_parse((const uint8_t *)"\0\0", 2, false, out, 8), -EINVAL);
	assert_int_equal(allocs__name_parse((const uint8_t *)"\0\2a\0", 4, false, out, 8), -EINVAL);
	memset(long_name, 0x80, 16);
	assert_int_equal(allocs__name_parse(long_name, 16, false, out, 8), -EINVAL);
	assert_int_equal(allocs__name_parse(long_name, 0, false, out, 8), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_classes), cmocka_unit_test(test_header_min),
		cmocka_unit_test(test_buckets),	     cmocka_unit_test(test_classify),
		cmocka_unit_test(test_kind_names),   cmocka_unit_test(test_name_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
