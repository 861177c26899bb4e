// SPDX-License-Identifier: BSD-2-Clause
/*
 * One sanitiser for every string a target or a file hands us to print: the
 * tracer runs as root, on the operator's terminal, and a process anyone may
 * start, or a recording anyone may send, chooses its names.
 */
#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point of the valid UTF-8 sequence at P (N bytes left) in *CP; its length or 0. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Printable as itself? C1 controls (U+009B is CSI to a terminal that takes
 * 8-bit controls), line and paragraph separators, and the bidirectional
 * embeddings, overrides and isolates that make text display in another
 * order than it reads are not.
 */
static bool harmless(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return false;
	if (c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c)
		return false;
	return true;
}

bool sanitize__clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, k;
	uint32_t c;

	while (n) {
		k = utf8_decode(p, n, &c);
		if (!k || !harmless(c))
			return false;
		p += k;
		n -= k;
	}
	return true;
}

char *sanitize__str(char *buf, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), o = 0, safe = 0, k, plen;
	char esc[12];
	const char *piece;
	uint32_t c;

	while (n) {
		k = utf8_decode(p, n, &c);
		piece = esc;
		if (!k)
			piece = "\xef\xbf\xbd", k = 1;
		else if (harmless(c))
			piece = (const char *)p;
		else if (c < 0x80)
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned int)c);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned int)c);
		plen = piece == (const char *)p ? k : strlen(piece);
		if (o + plen >= len) {
			/* Cut after the last whole piece that leaves room for "...". */
			memcpy(buf + safe, "...", 3);
			o = safe + 3;
			break;
		}
		memcpy(buf + o, piece, plen);
		o += plen;
		if (o + 3 < len)
			safe = o;
		p += k;
		n -= k;
	}
	buf[o] = '\0';
	return buf;
}
