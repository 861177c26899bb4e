// SPDX-License-Identifier: BSD-2-Clause
#include "heapstats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocs.h"
#include "goelf.h"
#include "gotables.h"
#include "insn.h"

/*
 * runtime.mstats begins with heapStats (runtime/mstats.go, go1.19 to
 * go1.26), so runtime.memstats is its address. heapStatsDelta is six
 * int64 byte deltas (committed, released, inHeap, inStacks, inWorkBufs,
 * inPtrScalarBits) then tinyAllocCount, largeAlloc, largeAllocCount,
 * smallAllocCount[68], largeFree, largeFreeCount, smallFreeCount[68], all
 * 8 bytes: 1176 bytes. go1.25 dropped inPtrScalarBits: 1168 bytes, every
 * count 8 bytes earlier. consistentHeapStats is stats [3]heapStatsDelta
 * then gen uint32. Checked against the DWARF of binaries built by
 * go1.19.13, 1.20.14, 1.21.13, 1.22.12, 1.23.12, 1.24.13, 1.25.14 and
 * 1.26.8 (tests/unit/test_heapstats.c holds the numbers;
 * e2e.heapstats.VER compares what is read with runtime/metrics).
 */
#define FIRST_MINOR  19
#define NEWEST_MINOR 26

int heap__layout_for(int major, int minor, uint64_t addr, struct heap_layout *l)
{
	uint32_t base;

	if (major != 1 || minor < FIRST_MINOR || minor > NEWEST_MINOR)
		return -ENOENT;
	memset(l, 0, sizeof(*l));
	base = minor >= 25 ? 40 : 48; /* tinyAllocCount: after the byte deltas */
	l->addr = addr;
	l->tiny = base;
	l->large_alloc = base + 8;
	l->large_alloc_count = base + 16;
	l->small_alloc = base + 24;
	l->large_free = l->small_alloc + 8 * XG_ALLOC_NCLASSES;
	l->large_free_count = l->large_free + 8;
	l->small_free = l->large_free_count + 8;
	l->delta_size = l->small_free + 8 * XG_ALLOC_NCLASSES;
	l->gen = 3 * l->delta_size;
	if (allocs__size_classes(major, minor, l->class_size) < 0)
		return -ENOENT;
	return 0;
}

/*
 * Stripped binaries have no runtime.memstats symbol, but the runtime calls
 * memstats.heapStats.acquire() with the address of memstats (heapStats is
 * its first field) as the receiver: `LEAQ runtime.memstats(SB), AX; CALL
 * runtime.(*consistentHeapStats).acquire(SB)` on amd64 (mcache.go allocLarge
 * and refill, go1.19 to go1.26, read with go tool objdump), `ADRP; ADD x0`
 * then `BL` on arm64. The functions below make that call; their calls must
 * all pass the same address.
 */
static const char *const acquire_callers[] = {
	"runtime.(*mcache).allocLarge",
	"runtime.(*mcache).refill",
	"runtime.(*mcache).releaseAll",
};

#define MAX_CALLER_BYTES 65536

/* arm64: x0 as `adrp xn, page; add x0, xn, #off` leaves it. */
static void a64_track(const struct insn *in, uint64_t page[32], bool have_page[32], uint64_t *arg0,
		      bool *have_arg0)
{
	unsigned int rd = in->word & 31, rn = (in->word >> 5) & 31, i;

	if ((in->word & 0x9f000000) == 0x90000000) { /* adrp xd, page */
		page[rd] = in->ref;
		have_page[rd] = true;
		if (rd == 0)
			*have_arg0 = false;
		return;
	}
	if ((in->word & 0xff800000) == 0x91000000 && rd == 0 && have_page[rn]) {
		uint64_t imm = (in->word >> 10) & 0xfff; /* add x0, xn, #imm{, lsl 12} */

		*arg0 = page[rn] + (((in->word >> 22) & 1) ? imm << 12 : imm);
		*have_arg0 = true;
		have_page[0] = false;
		return;
	}
	for (i = 0; i < 32; i++)
		if (in->writes & INSN_REG(i))
			have_page[i] = false;
	if (in->writes & INSN_REG(0))
		*have_arg0 = false;
}

/* The receivers of the calls to ACQUIRE in [START, END): 1 and *ADDR, 0 none, -EINVAL disagreeing.
 */
static int receiver_in(const struct goelf *ge, uint64_t start, uint64_t end, uint64_t acquire,
		       uint64_t *addr)
{
	enum insn_arch arch = goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
	uint64_t pc, page[32] = {0}, arg0 = 0;
	bool have_page[32] = {false}, have_arg0 = false;
	uint8_t *code;
	int found = 0;

	if (end <= start || end - start > MAX_CALLER_BYTES || !(code = malloc(end - start)))
		return 0;
	if (goelf__read(ge, start, code, end - start)) {
		free(code);
		return 0;
	}
	for (pc = start; pc < end;) {
		struct insn in;

		if (insn__decode(arch, code + (pc - start), end - pc, pc, &in))
			break;
		if (in.kind == INSN_CALL && in.has_target && in.target == acquire) {
			if (have_arg0 && found && *addr != arg0)
				found = -EINVAL;
			else if (have_arg0 && !found) {
				*addr = arg0;
				found = 1;
			}
		}
		if (arch == INSN_X86_64) {
			/* Go's first argument register, RAX, from a LEA of an address. */
			if (in.writes & INSN_REG(INSN_X86_RAX)) {
				have_arg0 = in.has_ref && in.map == 1 && in.opcode == 0x8d;
				arg0 = in.ref;
			}
		} else {
			a64_track(&in, page, have_page, &arg0, &have_arg0);
		}
		pc += in.len;
	}
	free(code);
	return found;
}

int heap__memstats_from_code(const struct goelf *ge, uint64_t *addr)
{
	uint64_t acquire, aend, start, end, a = 0, found = 0;
	size_t i;
	int n = 0, rc;

	if (goelf__func_range(ge, "runtime.(*consistentHeapStats).acquire", &acquire, &aend))
		return -ENOENT;
	for (i = 0; i < sizeof(acquire_callers) / sizeof(acquire_callers[0]); i++) {
		if (goelf__func_range(ge, acquire_callers[i], &start, &end))
			continue;
		rc = receiver_in(ge, start, end, acquire, &a);
		if (rc < 0 || (rc > 0 && n && a != found))
			return -EINVAL;
		if (rc > 0) {
			found = a;
			n++;
		}
	}
	if (!n)
		return -ENOENT;
	*addr = found;
	return 0;
}

int heap__find_memstats(const struct goelf *ge, uint64_t *addr, const char **how)
{
	uint64_t size;
	int err;

	if (!goelf__sym_addr(ge, "runtime.memstats", addr, &size)) {
		*how = "symtab";
		return 0;
	}
	err = heap__memstats_from_code(ge, addr);
	if (!err)
		*how = "the receiver of heapStats.acquire";
	return err;
}

int heap__layout(const struct goelf *ge, struct heap_layout *l, char *err, size_t errlen)
{
	const char *ver = goelf__go_version(ge), *how;
	uint64_t addr, size = 0;
	int major, minor;

	if (!ver || go_version_parse(ver, &major, &minor)) {
		snprintf(err, errlen, "the Go version of the binary is unknown");
		return -ENOTSUP;
	}
	if (heap__find_memstats(ge, &addr, &how)) {
		snprintf(err, errlen,
			 "runtime.memstats not found (no symbol table, and the calls to "
			 "heapStats.acquire do not show it)");
		return -ENOENT;
	}
	if (!strcmp(how, "symtab"))
		goelf__sym_addr(ge, "runtime.memstats", &addr, &size);
	if (heap__layout_for(major, minor, addr, l)) {
		snprintf(err, errlen, "the heap statistics of %s are not known", ver);
		return -ENOTSUP;
	}
	if (size && size < l->gen + 4) {
		snprintf(err, errlen, "runtime.memstats is smaller than expected (%llu bytes)",
			 (unsigned long long)size);
		return -ENOTSUP;
	}
	return 0;
}

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Add generation D (a heapStatsDelta's bytes) into OUT; wrapping sums, as Go's merge does. */
static void add_delta(const struct heap_layout *l, const uint8_t *d, struct heap_sample *out)
{
	unsigned int i;

	out->tiny += u64_at(d + l->tiny);
	out->large_alloc_bytes += u64_at(d + l->large_alloc);
	out->large_allocs += u64_at(d + l->large_alloc_count);
	out->large_free_bytes += u64_at(d + l->large_free);
	out->large_frees += u64_at(d + l->large_free_count);
	for (i = 1; i < XG_ALLOC_NCLASSES; i++) {
		out->allocs[i] += u64_at(d + l->small_alloc + 8 * i);
		out->frees[i] += u64_at(d + l->small_free + 8 * i);
	}
}

/* A generation a runtime/metrics read has merged and cleared is all zero bytes. */
static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Larger counts are negative deltas or torn words: no program allocates 2^48 objects. */
#define PLAUSIBLE (1ull << 48)

static bool plausible(const struct heap_sample *s)
{
	unsigned int i;

	if (s->tiny >= PLAUSIBLE || s->large_allocs >= PLAUSIBLE ||
	    s->large_frees > s->large_allocs || s->large_alloc_bytes >= PLAUSIBLE << 8 ||
	    s->large_free_bytes > s->large_alloc_bytes)
		return false;
	for (i = 1; i < XG_ALLOC_NCLASSES; i++)
		if (s->allocs[i] >= PLAUSIBLE || s->frees[i] >= PLAUSIBLE)
			return false;
	return true;
}

#define TRIES 4

/*
 * consistentHeapStats.read (runtime/mstats.go) switches gen from c to c+1,
 * waits for the Ps, adds stats[c-1] into stats[c] and clears stats[c-1]:
 * with gen = g, stats[g+1] is the one being cleared (all zero once done),
 * stats[g+2] the one added into, stats[g] the one being written. Reading
 * them in that order between two reads of gen, a zero stats[g+1] means the
 * addition was done before stats[g+2] was read: nothing counted twice or
 * missed. process_vm_readv copies its ranges in order.
 */
static int read_once(const struct heap_layout *l, uint64_t base, heap_read_fn read, void *ctx,
		     uint8_t *buf, struct heap_sample *out)
{
	uint32_t gen0, gen1, gen2;
	struct heap_iov g = {base + l->gen, &gen0, sizeof(gen0)}, iov[5];
	unsigned int i, cur;
	int err;

	err = read(&g, 1, ctx);
	if (err)
		return err;
	cur = gen0 % 3;
	iov[0] = (struct heap_iov){base + l->gen, &gen1, sizeof(gen1)};
	for (i = 0; i < 3; i++) {
		unsigned int k = (cur + 1 + i) % 3;

		iov[1 + i] = (struct heap_iov){base + (uint64_t)k * l->delta_size,
					       buf + (size_t)i * l->delta_size, l->delta_size};
	}
	iov[4] = (struct heap_iov){base + l->gen, &gen2, sizeof(gen2)};
	err = read(iov, 5, ctx);
	if (err)
		return err;
	if (gen0 != gen1 || gen1 != gen2 || gen0 > 2 || !all_zero(buf, l->delta_size))
		return -EAGAIN;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++)
		add_delta(l, buf + (size_t)i * l->delta_size, out);
	return plausible(out) ? 0 : -EINVAL;
}

int heap__read(const struct heap_layout *l, uint64_t bias, heap_read_fn read, void *ctx,
	       struct heap_sample *out)
{
	uint8_t *buf = malloc(3 * (size_t)l->delta_size);
	int err = -EAGAIN, i;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < TRIES; i++) {
		err = read_once(l, l->addr + bias, read, ctx, buf, out);
		if (err != -EAGAIN && err != -EINVAL)
			break;
	}
	free(buf);
	return err;
}

void heap__totals(const struct heap_layout *l, const struct heap_sample *s, struct heap_totals *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->allocs = s->large_allocs;
	out->alloc_bytes = s->large_alloc_bytes;
	out->frees = s->large_frees;
	out->free_bytes = s->large_free_bytes;
	for (i = 1; i < XG_ALLOC_NCLASSES; i++) {
		out->allocs += s->allocs[i];
		out->frees += s->frees[i];
		out->alloc_bytes += s->allocs[i] * l->class_size[i];
		out->free_bytes += s->frees[i] * l->class_size[i];
	}
	out->live_objects = out->allocs - out->frees;
	out->live_bytes = out->alloc_bytes - out->free_bytes;
}
