/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the allocation probe needs to know about a Go binary, and how its
 * records read: Go's size classes per release, which size-class bucket the
 * runtime puts an allocation in, which runtime functions make which kind of
 * allocation (object, slice, map, ...), and the names of runtime._type
 * values.
 *
 * Every heap allocation of every release from go1.19 to go1.26 goes through
 * runtime.mallocgc (go1.24 split its body into mallocgcTiny,
 * mallocgcSmallNoscan, mallocgcSmallScanNoHeader, mallocgcSmallScanHeader
 * and mallocgcLarge, all called from mallocgc alone). The exception is
 * go1.26 built with GOEXPERIMENT=sizespecializedmalloc: the compiler then
 * calls mallocgcSmallNoScanSC<n>, mallocgcSmallScanNoHeaderSC<n> and
 * mallocgcTinySize<n> directly for new(T); allocs__bypass names them.
 *
 * Pure: buffers and a goelf in, structs out.
 */
#ifndef XGOTOP_ALLOCS_H
#define XGOTOP_ALLOCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xgotop_event.h"

struct goelf;

/*
 * runtime.class_to_size of release major.minor into OUT (class 0 is 0).
 * 0; -ENOENT for a release before go1.19; a release newer than the table
 * gets the newest row and 1 (the caller may say so).
 */
int allocs__size_classes(int major, int minor, uint16_t out[XG_ALLOC_NCLASSES]);
/*
 * Scan objects larger than this carry an 8-byte malloc header (go1.22+,
 * runtime.minSizeForMallocHeader); 0 for releases without headers.
 */
uint32_t allocs__header_min(int major, int minor);
/*
 * The bucket (XG_ALLOC_TINY, size class 1..67, XG_ALLOC_LARGE) of a SIZE
 * byte request, as mallocgc chooses it: what the BPF program computes.
 * NOSCAN: the type has no pointers (or there is no type).
 */
unsigned int allocs__bucket(uint64_t size, bool noscan, uint32_t header_min,
			    const uint16_t class_size[XG_ALLOC_NCLASSES]);
/* Upper bound of BUCKET in bytes: 16 for tiny, the class size, 0 for large. */
unsigned int allocs__bucket_size(unsigned int bucket, const uint16_t class_size[XG_ALLOC_NCLASSES]);

/*
 * How the kind walk treats function NAME: 0 and *KIND, *FLAGS (enum
 * xg_pc_range_flags) when it allocates on someone's behalf, -ENOENT when
 * the walk ends at it.
 */
int allocs__classify(const char *name, uint8_t *kind, uint8_t *flags);

/*
 * The sorted address ranges of the functions allocs__classify knows in GE,
 * adjacent ones of the same kind and flags merged. Returns how many were
 * written to OUT, -E2BIG when MAX is too small, -ENOENT without pclntab.
 */
int allocs__ranges(const struct goelf *ge, struct xg_pc_range *out, size_t max);

/*
 * Fill CONF for GE (version from its buildinfo) with SITE (link-time
 * address of the mallocgc probe). EVENTS: a record per allocation, else the
 * histogram only. 0, -ENOENT (unknown release or no pclntab), -E2BIG.
 */
int allocs__conf(const struct goelf *ge, uint64_t site, bool events, struct xg_alloc_conf *conf);

/*
 * The number of functions of GE that allocate without mallocgc (go1.26
 * GOEXPERIMENT=sizespecializedmalloc), and the first one's name in FIRST.
 */
size_t allocs__bypass(const struct goelf *ge, const char **first);

/*
 * Parse a runtime.name at BUF (LEN bytes available): a flags byte, the
 * length as a varint, the bytes (go1.17+). EXTRA_STAR: the type's
 * tflagExtraStar, a leading '*' to drop. Writes the name to OUT, terminated;
 * returns its length, or -EINVAL (truncated, empty, holds a NUL, longer
 * than OUTLEN - 1).
 */
int allocs__name_parse(const uint8_t *buf, size_t len, bool extra_star, char *out, size_t outlen);

/*
 * Which of the N functions at ENTRIES (link-time, sorted) some code of GE
 * calls directly (amd64 CALL rel32, arm64 BL): CALLED[i]. A function reached
 * only through a table (mallocgc's size-specialised dispatch) needs no probe
 * of its own. A byte pattern may look like a call: a false "called" only
 * costs a probe. 0, -ENOENT (no pclntab), -ENOMEM.
 */
int allocs__direct_calls(const struct goelf *ge, const uint64_t *entries, size_t n, bool *called);

/* Names of runtime._type values of one binary, cached. */
struct alloc_types;

struct alloc_types *alloc_types__new(const struct goelf *ge);
void alloc_types__free(struct alloc_types *at);
/*
 * The name of the type at link-time address TYP ("main.T", "[]int64",
 * "*main.T"), as reflect.Type.String() spells it; NULL when TYP is not a
 * type of the binary (made at run time, or unreadable). Owned by AT.
 */
const char *alloc_types__name(struct alloc_types *at, uint64_t typ);
/* _type.PtrBytes == 0 (no pointers): 1, 0, or -ENOENT when unreadable. */
int alloc_types__noscan(struct alloc_types *at, uint64_t typ);

#endif /* XGOTOP_ALLOCS_H */
