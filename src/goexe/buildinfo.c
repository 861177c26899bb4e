// SPDX-License-Identifier: BSD-2-Clause
/*
 * .go.buildinfo: Go version and main module path.
 *
 * Layout from Go's src/debug/buildinfo/buildinfo.go (go1.26) and
 * src/cmd/link/internal/ld/data.go: a 32-byte header aligned to 16,
 *   [0,14)  "\xff Go buildinf:"
 *   14      pointer size
 *   15      flags: bit 0 big-endian, bit 1 strings inline (go1.18+)
 *   16      (flags & 2 == 0) pointer to the version string header, then
 *           pointer to the modinfo string header (Go string: ptr, len)
 * With flags & 2 the version and modinfo follow the header at offset 32,
 * each as a uvarint length and the bytes. modinfo is wrapped in 16-byte
 * sentinels and holds lines "path\t<pkg>", "mod\t<path>\t<ver>\t<sum>", ...
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "goelf_int.h"

#define BI_MAGIC      "\xff Go buildinf:"
#define BI_MAGIC_LEN  14
#define BI_HDR_SIZE   32
#define BI_ALIGN      16
#define BI_FLAG_BIG   0x1
#define BI_FLAG_INL   0x2
#define SENTINEL_LEN  16
#define MAX_UVARINT64 10

struct span {
	const uint8_t *p;
	size_t len;
};

/* Header in BUF[0, len) at 16-aligned vaddrs from VADDR; NULL when absent. */
static const uint8_t *find_header(const uint8_t *buf, size_t len, uint64_t vaddr)
{
	size_t i = (size_t)((BI_ALIGN - (vaddr % BI_ALIGN)) % BI_ALIGN);

	for (; i < len && len - i >= BI_HDR_SIZE; i += BI_ALIGN)
		if (!memcmp(buf + i, BI_MAGIC, BI_MAGIC_LEN))
			return buf + i;
	return NULL;
}

/* uvarint-prefixed string at *POS of BUF[0, len). */
static int inline_string(const uint8_t *buf, size_t len, size_t *pos, struct span *out)
{
	uint64_t n = 0;
	unsigned int shift = 0, i;
	size_t p = *pos;

	for (i = 0; i < MAX_UVARINT64; i++, shift += 7) {
		if (p >= len)
			return -EINVAL;
		n |= (uint64_t)(buf[p] & 0x7f) << shift;
		if (!(buf[p++] & 0x80))
			break;
	}
	if (i == MAX_UVARINT64 || n > len - p)
		return -EINVAL;
	out->p = buf + p;
	out->len = (size_t)n;
	*pos = p + (size_t)n;
	return 0;
}

/* A Go string header {ptr, len} at VADDR, resolved to its bytes (pre-1.18). */
static int pointer_string(const struct goelf *ge, uint64_t vaddr, struct span *out)
{
	const uint8_t *hdr = goelf_int__ptr(ge, vaddr, 16);
	uint64_t len;

	if (!hdr)
		return -EINVAL;
	len = goelf_rd64(hdr + 8);
	out->p = goelf_int__ptr(ge, goelf_rd64(hdr), len);
	out->len = (size_t)len;
	return out->p ? 0 : -EINVAL;
}

static char *dup_span(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

/* The main module: the "mod" line's path, else the "path" line's. */
static char *main_module(struct span mod)
{
	struct span path = {NULL, 0};
	const uint8_t *p, *end;

	if (mod.len < 2 * SENTINEL_LEN + 1 || mod.p[mod.len - SENTINEL_LEN - 1] != '\n')
		return dup_span((const uint8_t *)"", 0);
	p = mod.p + SENTINEL_LEN;
	end = mod.p + mod.len - SENTINEL_LEN;
	while (p < end) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *f, *tab;

		if (!eol)
			eol = end;
		if (eol - p > 4 && !memcmp(p, "mod\t", 4)) {
			f = p + 4;
			tab = memchr(f, '\t', (size_t)(eol - f));
			return dup_span(f, (size_t)((tab ? tab : eol) - f));
		}
		if (!path.p && eol - p > 5 && !memcmp(p, "path\t", 5)) {
			path.p = p + 5;
			path.len = (size_t)(eol - path.p);
		}
		p = eol + 1;
	}
	return path.p ? dup_span(path.p, path.len) : dup_span((const uint8_t *)"", 0);
}

/*
 * Value of build setting KEY ("build\tKEY=VALUE" lines of modinfo, go1.18+),
 * malloc'ed, or NULL when absent.
 */
static char *build_setting(struct span mod, const char *key)
{
	size_t klen = strlen(key);
	const uint8_t *p = mod.p, *end;

	if (!p)
		return NULL;
	end = p + mod.len;
	while (p < end) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > 6 + klen + 1 && !memcmp(p, "build\t", 6) &&
		    !memcmp(p + 6, key, klen) && p[6 + klen] == '=')
			return dup_span(p + 6 + klen + 1, (size_t)(eol - p) - 6 - klen - 1);
		p = eol + 1;
	}
	return NULL;
}

int goelf_int__buildinfo(struct goelf *ge)
{
	const struct goelf_sec *s = goelf_int__sec(ge, ".go.buildinfo");
	struct span vers, mod = {NULL, 0};
	const uint8_t *data = NULL, *hdr = NULL;
	size_t len = 0, pos, i;
	uint64_t vaddr = 0;

	if (s && (data = goelf_int__sec_data(ge, s))) {
		len = (size_t)s->size;
		vaddr = s->addr;
	} else {
		/* No section headers: Go searches the first data segment too. */
		for (i = 0; i < ge->nseg && !data; i++) {
			const struct goelf_seg *g = &ge->segs[i];

			if (g->type == PT_LOAD && (g->flags & (PF_X | PF_W)) == PF_W &&
			    goelf_in(ge->len, g->off, g->filesz)) {
				data = ge->buf + g->off;
				len = (size_t)g->filesz;
				vaddr = g->vaddr;
			}
		}
	}
	if (data)
		hdr = find_header(data, len, vaddr);
	if (!hdr)
		return -ENOENT;
	len -= (size_t)(hdr - data);

	if (hdr[15] & BI_FLAG_INL) {
		pos = BI_HDR_SIZE;
		if (inline_string(hdr, len, &pos, &vers))
			return -ENOENT;
		if (inline_string(hdr, len, &pos, &mod))
			mod.len = 0;
	} else {
		if (hdr[14] != 8 || (hdr[15] & BI_FLAG_BIG))
			return -ENOENT;
		if (pointer_string(ge, goelf_rd64(hdr + 16), &vers))
			return -ENOENT;
		if (pointer_string(ge, goelf_rd64(hdr + 24), &mod))
			mod.len = 0;
	}
	if (!vers.len || memchr(vers.p, '\0', vers.len))
		return -ENOENT;
	ge->go_version = dup_span(vers.p, vers.len);
	ge->mod_path = main_module(mod);
	if (!ge->go_version || !ge->mod_path)
		return -ENOMEM;
	ge->pgo = build_setting(mod, "-pgo");
	return 0;
}
