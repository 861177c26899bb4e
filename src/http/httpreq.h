/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the metrics server needs of an HTTP/1.x request head (RFC 9112
 * section 2-3 for the message and request line, RFC 9110 section 12.5.1 for
 * Accept), and of a listen address. Pure: buffers in, structs out.
 */
#ifndef XGOTOP_HTTPREQ_H
#define XGOTOP_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HTTPREQ_MAX_HEAD 8192 /* a longer head is refused (431) */
#define HTTPREQ_MAX_PATH 256  /* a longer target is refused (414) */

enum httpreq_method { HTTPREQ_OTHER = 0, HTTPREQ_GET, HTTPREQ_HEAD };

struct httpreq {
	enum httpreq_method method;
	char path[HTTPREQ_MAX_PATH]; /* the target up to '?' */
	int minor;		     /* HTTP/1.MINOR */
	bool openmetrics;	     /* Accept prefers OpenMetrics text to the 0.0.4 text format */
};

/*
 * Parse the head at BUF (LEN bytes so far). Returns 0 while it is not
 * complete (no empty line yet, LEN < HTTPREQ_MAX_HEAD), the length of the
 * head when it is (OUT filled), or a negative HTTP status to answer: -400
 * malformed, -414 target too long, -431 head too long, -505 not HTTP/1.x.
 */
int httpreq__parse(const char *buf, size_t len, struct httpreq *out);

/*
 * The end of the head in BUF (LEN bytes), past its empty line (CRLF CRLF,
 * or bare LFs: RFC 9112 section 2.2), looking from FROM on; 0: not there.
 * A server receiving a head piece by piece looks from 2 bytes before the
 * new ones, so that a head trickled byte by byte costs its length, not its
 * square.
 */
size_t httpreq__head_end(const char *buf, size_t len, size_t from);

/* Of an Accept header's value: does it prefer OpenMetrics to text/plain (q-values)? */
bool httpreq__accept_openmetrics(const char *value, size_t len);

/*
 * A listen address: HOST:PORT with HOST an IPv4 address, [IPv6] or empty
 * (every address), PORT 0 to 65535 (0: any free port). 0, or -EINVAL with
 * the reason in ERR.
 */
int httpreq__parse_addr(const char *s, struct sockaddr_storage *out, socklen_t *len, char *err,
			size_t err_len);

#endif /* XGOTOP_HTTPREQ_H */
