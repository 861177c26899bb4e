/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bytes of the recording format (docs/FORMAT.md): a growing output
 * buffer, LEB128 varints, zigzag, little-endian integers, and a bounded
 * reader whose every get fails once the input runs out. Internal to
 * src/rec/; inline because the event codec spends its time here.
 */
#ifndef XGOTOP_REC_BYTES_H
#define XGOTOP_REC_BYTES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static inline bool buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static inline void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline void put_bytes(struct buf *b, const void *s, size_t n)
{
	if (n && buf_reserve(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static inline void put_u8(struct buf *b, uint8_t v)
{
	if (buf_reserve(b, 1))
		b->p[b->len++] = v;
}

static inline uint8_t *wr_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline void put_varint(struct buf *b, uint64_t v)
{
	if (buf_reserve(b, 10))
		b->len = wr_varint(b->p + b->len, v) - b->p;
}

static inline uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void le32(uint8_t *p, uint32_t v)
{
	le16(p, v);
	le16(p + 2, v >> 16);
}

static inline void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, v >> 32);
}

static inline uint16_t rd16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static inline void put_le64(struct buf *b, uint64_t v)
{
	uint8_t t[8];

	le64(t, v);
	put_bytes(b, t, 8);
}

static inline void put_f64(struct buf *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	put_le64(b, v);
}

/* A bounded reader: every get fails once the input runs out. */
struct rd {
	const uint8_t *p, *end;
};

static inline bool get_u8(struct rd *r, uint8_t *v)
{
	if (r->p >= r->end)
		return false;
	*v = *r->p++;
	return true;
}

static inline bool get_varint(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	/* Most varints of a frame (tags, deltas of clustered events) take one byte. */
	if (r->p < r->end && !(*r->p & 0x80)) {
		*v = *r->p++;
		return true;
	}
	for (shift = 0; shift < 64; shift += 7) {
		uint8_t c;

		if (r->p >= r->end)
			return false;
		c = *r->p++;
		if (shift == 63 && c > 1)
			return false;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

static inline bool get_u32v(struct rd *r, uint32_t *v)
{
	uint64_t x;

	if (!get_varint(r, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static inline bool get_intv(struct rd *r, int *v)
{
	uint64_t x;
	int64_t s;

	if (!get_varint(r, &x))
		return false;
	s = unzz(x);
	if (s < INT_MIN || s > INT_MAX)
		return false;
	*v = (int)s;
	return true;
}

static inline bool get_f64(struct rd *r, double *d)
{
	uint64_t v;

	if (r->end - r->p < 8)
		return false;
	v = rd64(r->p);
	r->p += 8;
	memcpy(d, &v, sizeof(*d));
	return true;
}

/* A NUL-terminated copy of N bytes at P; NULL on ENOMEM. */
static inline char *dup_bytes(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

#endif /* XGOTOP_REC_BYTES_H */
