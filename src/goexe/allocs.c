// SPDX-License-Identifier: BSD-2-Clause
#include "allocs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goelf.h"
#include "gotables.h"

/*
 * runtime.class_to_size: runtime/sizeclasses.go up to go1.24,
 * internal/runtime/gc/sizeclasses.go from go1.25; the same 68 entries in
 * every release from go1.19 to go1.26 (compared by tests/unit/test_allocs.c
 * against each toolchain's source when it is at hand).
 */
static const uint16_t classes_go119[XG_ALLOC_NCLASSES] = {
	0,     8,     16,    24,    32,	   48,	  64,	 80,	96,    112,   128,   144,
	160,   176,   192,   208,   224,   240,	  256,	 288,	320,   352,   384,   416,
	448,   480,   512,   576,   640,   704,	  768,	 896,	1024,  1152,  1280,  1408,
	1536,  1792,  2048,  2304,  2688,  3072,  3200,	 3456,	4096,  4864,  5376,  6144,
	6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

#define NEWEST_MAJOR 1
#define NEWEST_MINOR 26

int allocs__size_classes(int major, int minor, uint16_t out[XG_ALLOC_NCLASSES])
{
	if (major != 1 || minor < 19)
		return -ENOENT;
	memcpy(out, classes_go119, sizeof(classes_go119));
	return minor > NEWEST_MINOR ? 1 : 0;
}

uint32_t allocs__header_min(int major, int minor)
{
	/*
	 * go1.22 turned GOEXPERIMENT=allocheaders on (internal/buildcfg/exp.go):
	 * objects with pointers above minSizeForMallocHeader (512) get an
	 * 8-byte header that counts in their size class (malloc.go mallocgc).
	 */
	return major == 1 && minor >= 22 ? 512 : 0;
}

unsigned int allocs__bucket(uint64_t size, bool noscan, uint32_t header_min,
			    const uint16_t class_size[XG_ALLOC_NCLASSES])
{
	unsigned int header = header_min ? 8 : 0, lo = 1, hi = XG_ALLOC_NCLASSES - 1;

	if (size > XG_ALLOC_MAX_SMALL - header)
		return XG_ALLOC_LARGE;
	if (noscan && size < XG_ALLOC_TINY_SIZE)
		return XG_ALLOC_TINY;
	if (!noscan && header && size > header_min)
		size += header;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (class_size[mid] < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

unsigned int allocs__bucket_size(unsigned int bucket, const uint16_t class_size[XG_ALLOC_NCLASSES])
{
	if (bucket == XG_ALLOC_TINY)
		return XG_ALLOC_TINY_SIZE;
	if (bucket >= XG_ALLOC_NCLASSES)
		return 0;
	return class_size[bucket];
}

struct rule {
	const char *name;
	bool prefix;
	uint8_t kind;
	uint8_t flags;
};

#define EXACT(n, k, f)         \
	{                      \
		n, false, k, f \
	}
#define PREFIX(n, k, f)       \
	{                     \
		n, true, k, f \
	}
#define THROUGH XG_PCR_THROUGH

/*
 * Who calls mallocgc on whose behalf, in the sources of go1.19 to go1.26.
 * All are walked through, to the first frame of none of them (the program's
 * code, mostly): newobject and newarray (also under their linknames) say
 * "object" unless a caller says more, and map code claims what it makes
 * with makeslice or newobject (go1.24's maps.NewMap makes its directory
 * with make([]*table)). A goroutine's g is new(g) in malg.
 */
static const struct rule rules[] = {
	EXACT("runtime.newobject", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.newarray", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.maps_newobject", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.maps_newarray", XG_AK_OBJECT, THROUGH),
	EXACT("reflect.unsafe_New", XG_AK_OBJECT, THROUGH),
	EXACT("internal/reflectlite.unsafe_New", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.reflect_unsafe_New", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.reflectlite_unsafe_New", XG_AK_OBJECT, THROUGH),
	EXACT("reflect.unsafe_NewArray", XG_AK_SLICE, THROUGH),
	EXACT("runtime.reflect_unsafe_NewArray", XG_AK_SLICE, THROUGH),
	/* Boxing a value in an interface: convT, convTstring, convT64, ... */
	PREFIX("runtime.convT", XG_AK_OBJECT, THROUGH),
	EXACT("runtime.makeslice", XG_AK_SLICE, THROUGH),
	EXACT("runtime.makeslice64", XG_AK_SLICE, THROUGH),
	EXACT("runtime.makeslicecopy", XG_AK_SLICE, THROUGH),
	PREFIX("runtime.growslice", XG_AK_APPEND, THROUGH),
	EXACT("reflect.growslice", XG_AK_APPEND, THROUGH),
	EXACT("runtime.reflect_growslice", XG_AK_APPEND, THROUGH),
	EXACT("runtime.makemap", XG_AK_MAP, THROUGH | XG_PCR_MAKEMAP),
	EXACT("runtime.makemap64", XG_AK_MAP, THROUGH | XG_PCR_MAKEMAP),
	EXACT("runtime.makemap_small", XG_AK_MAP, THROUGH),
	PREFIX("internal/runtime/maps.", XG_AK_MAP, THROUGH),
	PREFIX("runtime.mapassign", XG_AK_MAP, THROUGH),
	PREFIX("runtime.mapaccess", XG_AK_MAP, THROUGH),
	PREFIX("runtime.mapclone", XG_AK_MAP, THROUGH),
	PREFIX("runtime.mapinitnoescape", XG_AK_MAP, THROUGH),
	PREFIX("runtime.hashGrow", XG_AK_MAP, THROUGH),
	PREFIX("runtime.growWork", XG_AK_MAP, THROUGH),
	PREFIX("runtime.evacuate", XG_AK_MAP, THROUGH),
	PREFIX("runtime.makeBucketArray", XG_AK_MAP, THROUGH),
	PREFIX("runtime.(*hmap).", XG_AK_MAP, THROUGH),
	PREFIX("runtime.(*bmap).", XG_AK_MAP, THROUGH),
	PREFIX("runtime.reflect_mapassign", XG_AK_MAP, THROUGH),
	PREFIX("reflect.mapassign", XG_AK_MAP, THROUGH),
	EXACT("runtime.rawstring", XG_AK_STRING, THROUGH),
	EXACT("runtime.rawstringtmp", XG_AK_STRING, THROUGH),
	EXACT("runtime.rawbyteslice", XG_AK_STRING, THROUGH),
	EXACT("runtime.rawruneslice", XG_AK_STRING, THROUGH),
	PREFIX("runtime.concatstring", XG_AK_STRING, THROUGH),
	PREFIX("runtime.concatbyte", XG_AK_STRING, THROUGH),
	EXACT("runtime.slicebytetostring", XG_AK_STRING, THROUGH),
	EXACT("runtime.slicerunetostring", XG_AK_STRING, THROUGH),
	EXACT("runtime.stringtoslicebyte", XG_AK_STRING, THROUGH),
	EXACT("runtime.stringtoslicerune", XG_AK_STRING, THROUGH),
	EXACT("runtime.intstring", XG_AK_STRING, THROUGH),
	EXACT("runtime.gostring", XG_AK_STRING, THROUGH),
	EXACT("runtime.gostringnocopy", XG_AK_STRING, THROUGH),
	EXACT("runtime.gobytes", XG_AK_STRING, THROUGH),
	EXACT("runtime.makechan", XG_AK_CHAN, THROUGH),
	EXACT("runtime.makechan64", XG_AK_CHAN, THROUGH),
	EXACT("runtime.malg", XG_AK_GOROUTINE, THROUGH),
};

int allocs__classify(const char *name, uint8_t *kind, uint8_t *flags)
{
	size_t i;

	if (!name)
		return -ENOENT;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];

		if (r->prefix ? strncmp(name, r->name, strlen(r->name)) : strcmp(name, r->name))
			continue;
		*kind = r->kind;
		*flags = r->flags;
		return 0;
	}
	return -ENOENT;
}

/* Append CUR to OUT unless empty: ranges stay sorted and disjoint. */
static int push_range(struct xg_pc_range *out, size_t *n, size_t max, const struct xg_pc_range *cur)
{
	if (cur->end <= cur->start)
		return 0;
	if (*n == max)
		return -E2BIG;
	out[(*n)++] = *cur;
	return 0;
}

int allocs__ranges(const struct goelf *ge, struct xg_pc_range *out, size_t max)
{
	size_t n = 0, i, nfunc = goelf__pcln_nfunc(ge);
	struct xg_pc_range cur = {0};
	uint64_t prev = 0;
	bool open = false;
	int err;

	if (!nfunc)
		return -ENOENT;
	for (i = 0; i < nfunc; i++) {
		struct go_pcinfo pi;
		uint8_t kind, flags;
		bool known;

		if (goelf__pcln_func(ge, i, &pi))
			continue;
		/* The runtime binary-searches this table too: out of order is damage. */
		if (pi.entry < prev)
			return -EINVAL;
		prev = pi.entry;
		known = !allocs__classify(pi.func, &kind, &flags);
		/* A function ends where the next begins: close the open range here. */
		if (open && (!known || kind != cur.kind || flags != cur.flags)) {
			cur.end = pi.entry;
			err = push_range(out, &n, max, &cur);
			if (err)
				return err;
			open = false;
		}
		if (known && !open) {
			memset(&cur, 0, sizeof(cur));
			cur.start = pi.entry;
			cur.kind = kind;
			cur.flags = flags;
			open = true;
		}
	}
	if (open) {
		uint64_t start, end;
		struct go_pcinfo last;

		/* The last function of the table: its own extent. */
		if (goelf__pcln_func(ge, nfunc - 1, &last) ||
		    goelf__func_range(ge, last.func, &start, &end) || end <= cur.start)
			end = cur.start + 1;
		cur.end = end;
		err = push_range(out, &n, max, &cur);
		if (err)
			return err;
	}
	return (int)n;
}

int allocs__conf(const struct goelf *ge, uint64_t site, bool events, struct xg_alloc_conf *conf)
{
	const char *ver = goelf__go_version(ge);
	int major, minor, n;

	memset(conf, 0, sizeof(*conf));
	if (!ver || go_version_parse(ver, &major, &minor) ||
	    allocs__size_classes(major, minor, conf->class_size) < 0)
		return -ENOENT;
	conf->site = site;
	conf->header_min = allocs__header_min(major, minor);
	conf->events = events;
	n = allocs__ranges(ge, conf->ranges, XG_MAX_PC_RANGES);
	if (n < 0)
		return n;
	conf->n_ranges = (uint32_t)n;
	return 0;
}

size_t allocs__bypass(const struct goelf *ge, const char **first)
{
	static const char *const prefixes[] = {"runtime.mallocgcSmallNoScanSC",
					       "runtime.mallocgcSmallScanNoHeaderSC",
					       "runtime.mallocgcTinySize"};
	size_t i, k, n = 0, nfunc = goelf__pcln_nfunc(ge);

	*first = NULL;
	for (i = 0; i < nfunc; i++) {
		struct go_pcinfo pi;

		if (goelf__pcln_func(ge, i, &pi) || !pi.func)
			continue;
		for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
			if (!strncmp(pi.func, prefixes[k], strlen(prefixes[k]))) {
				if (!n)
					*first = pi.func;
				n++;
				break;
			}
		}
	}
	return n;
}

static bool find_entry(const uint64_t *entries, size_t n, uint64_t target, size_t *at)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (entries[mid] < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < n && entries[lo] == target;
}

#define TEXT_MAX (512u << 20)

int allocs__direct_calls(const struct goelf *ge, const uint64_t *entries, size_t n, bool *called)
{
	size_t nfunc = goelf__pcln_nfunc(ge), i, k, len;
	struct go_pcinfo first, last;
	uint64_t start, end, lo;
	uint8_t *text;

	memset(called, 0, n * sizeof(*called));
	if (!nfunc || goelf__pcln_func(ge, 0, &first) || goelf__pcln_func(ge, nfunc - 1, &last) ||
	    goelf__func_range(ge, last.func, &start, &end) || end <= first.entry ||
	    end - first.entry > TEXT_MAX)
		return -ENOENT;
	lo = first.entry;
	len = end - lo;
	text = malloc(len);
	if (!text)
		return -ENOMEM;
	if (goelf__read(ge, lo, text, len)) {
		free(text);
		return -ENOENT;
	}
	if (goelf__arch(ge) == GOELF_ARCH_ARM64) {
		for (i = 0; i + 4 <= len; i += 4) {
			uint32_t w = text[i] | text[i + 1] << 8 | text[i + 2] << 16 |
				     (uint32_t)text[i + 3] << 24;
			int64_t off;

			if ((w & 0xfc000000u) != 0x94000000u)
				continue;
			off = (int64_t)((int32_t)(w << 6) >> 6) * 4;
			if (find_entry(entries, n, lo + i + off, &k))
				called[k] = true;
		}
	} else {
		for (i = 0; i + 5 <= len; i++) {
			int32_t rel;

			if (text[i] != 0xe8)
				continue;
			memcpy(&rel, text + i + 1, 4);
			if (find_entry(entries, n, lo + i + 5 + rel, &k))
				called[k] = true;
		}
	}
	free(text);
	return 0;
}

/* ---- type names -------------------------------------------------------------------------------
 */

/* runtime._type (abi.Type from go1.21), 64-bit: the same offsets in every release. */
#define TYPE_PTRBYTES	8
#define TYPE_TFLAG	20
#define TYPE_STR	40
#define TYPE_SIZE	48
#define TFLAG_EXTRASTAR 0x2 /* the name carries a '*' that the type does not */
#define NAME_MAX_LEN	1024
#define CACHE_MAX	65536

struct type_slot {
	uint64_t typ;
	char *name;    /* NULL: unreadable */
	int8_t noscan; /* -1 unreadable */
	bool used;
};

struct alloc_types {
	const struct goelf *ge;
	uint64_t types, etypes; /* 0: no type data found */
	struct type_slot *slots;
	size_t cap, len;
};

struct alloc_types *alloc_types__new(const struct goelf *ge)
{
	struct alloc_types *at = calloc(1, sizeof(*at));

	if (!at)
		return NULL;
	at->ge = ge;
	if (goelf__types(ge, &at->types, &at->etypes))
		at->types = at->etypes = 0;
	at->cap = 1024;
	at->slots = calloc(at->cap, sizeof(*at->slots));
	if (!at->slots) {
		free(at);
		errno = ENOMEM;
		return NULL;
	}
	return at;
}

static void clear_slots(struct type_slot *slots, size_t cap)
{
	size_t i;

	for (i = 0; i < cap; i++)
		if (slots[i].used)
			free(slots[i].name);
}

void alloc_types__free(struct alloc_types *at)
{
	if (!at)
		return;
	clear_slots(at->slots, at->cap);
	free(at->slots);
	free(at);
}

static size_t slot_of(uint64_t typ, size_t cap)
{
	uint64_t h = typ * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

static int grow(struct alloc_types *at)
{
	size_t cap = at->cap * 2, i;
	struct type_slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < at->cap; i++) {
		size_t j;

		if (!at->slots[i].used)
			continue;
		for (j = slot_of(at->slots[i].typ, cap); v[j].used; j = (j + 1) & (cap - 1))
			;
		v[j] = at->slots[i];
	}
	free(at->slots);
	at->slots = v;
	at->cap = cap;
	return 0;
}

int allocs__name_parse(const uint8_t *buf, size_t len, bool extra_star, char *out, size_t outlen)
{
	uint64_t n = 0;
	unsigned int i, shift = 0;
	size_t skip;

	/* runtime.name: a flags byte, the length as a varint, the bytes (go1.17+). */
	for (i = 1; i < len && i <= 10; i++) {
		n |= (uint64_t)(buf[i] & 0x7f) << shift;
		shift += 7;
		if (!(buf[i] & 0x80))
			break;
	}
	if (i >= len || i > 10 || !n || n > len - i - 1)
		return -EINVAL;
	buf += i + 1;
	skip = extra_star && buf[0] == '*';
	if (n - skip >= outlen || memchr(buf, '\0', n))
		return -EINVAL;
	memcpy(out, buf + skip, n - skip);
	out[n - skip] = '\0';
	return (int)(n - skip);
}

/* Read the name of the type at TYP (a link-time address) from the binary. */
static char *read_name(const struct alloc_types *at, uint64_t typ, int8_t *noscan)
{
	uint8_t t[TYPE_SIZE], b[2 + 10 + NAME_MAX_LEN];
	uint64_t nameaddr, ptrbytes;
	char name[NAME_MAX_LEN + 1];
	size_t len;
	int32_t str;

	*noscan = -1;
	if (goelf__read(at->ge, typ, t, sizeof(t)))
		return NULL;
	memcpy(&ptrbytes, t + TYPE_PTRBYTES, 8);
	*noscan = ptrbytes == 0;
	if (!at->types)
		return NULL;
	memcpy(&str, t + TYPE_STR, 4);
	if (str <= 0)
		return NULL;
	nameaddr = at->types + (uint32_t)str;
	if (nameaddr >= at->etypes)
		return NULL;
	/* As much as the type data holds, up to the longest name we take. */
	len = at->etypes - nameaddr < sizeof(b) ? at->etypes - nameaddr : sizeof(b);
	if (goelf__read(at->ge, nameaddr, b, len) ||
	    allocs__name_parse(b, len, t[TYPE_TFLAG] & TFLAG_EXTRASTAR, name, sizeof(name)) < 0)
		return NULL;
	return strdup(name);
}

static struct type_slot *lookup(struct alloc_types *at, uint64_t typ)
{
	size_t j;

	if (!typ)
		return NULL;
	for (j = slot_of(typ, at->cap); at->slots[j].used; j = (j + 1) & (at->cap - 1))
		if (at->slots[j].typ == typ)
			return &at->slots[j];
	if (at->len >= CACHE_MAX) {
		/* A program making types at run time without end: start over. */
		clear_slots(at->slots, at->cap);
		memset(at->slots, 0, at->cap * sizeof(*at->slots));
		at->len = 0;
	} else if ((at->len + 1) * 4 > at->cap * 3) {
		if (grow(at))
			return NULL;
	}
	for (j = slot_of(typ, at->cap); at->slots[j].used; j = (j + 1) & (at->cap - 1))
		;
	at->slots[j].used = true;
	at->slots[j].typ = typ;
	at->slots[j].name = read_name(at, typ, &at->slots[j].noscan);
	at->len++;
	return &at->slots[j];
}

const char *alloc_types__name(struct alloc_types *at, uint64_t typ)
{
	struct type_slot *s = lookup(at, typ);

	return s ? s->name : NULL;
}

int alloc_types__noscan(struct alloc_types *at, uint64_t typ)
{
	struct type_slot *s = lookup(at, typ);

	return s && s->noscan >= 0 ? s->noscan : -ENOENT;
}
