// SPDX-License-Identifier: BSD-2-Clause
/* HTTP/1.x request heads and listen addresses (httpreq.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"

/* RFC 9110 section 5.6.2: tchar. */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

size_t httpreq__head_end(const char *buf, size_t len, size_t from)
{
	size_t i;

	for (i = from; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* The line at *P (before END), without its CR LF; *P moves past it. */
static size_t next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n;

	*line = *p;
	if (!nl)
		nl = end;
	n = (size_t)(nl - *p);
	*p = nl < end ? nl + 1 : end;
	if (n && (*line)[n - 1] == '\r')
		n--;
	return n;
}

static int parse_request_line(const char *s, size_t n, struct httpreq *out)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *target, *q;
	size_t tlen, i;

	if (!sp1 || sp1 == s)
		return -400;
	for (i = 0; s + i < sp1; i++)
		if (!is_tchar((unsigned char)s[i]))
			return -400;
	if (sp1 - s == 3 && !memcmp(s, "GET", 3))
		out->method = HTTPREQ_GET;
	else if (sp1 - s == 4 && !memcmp(s, "HEAD", 4))
		out->method = HTTPREQ_HEAD;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - (size_t)(target - s));
	if (!sp2 || sp2 == target)
		return -400;
	/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3). */
	if (s + n - (sp2 + 1) != 8 || memcmp(sp2 + 1, "HTTP/", 5) || sp2[7] != '.' ||
	    sp2[6] < '0' || sp2[6] > '9' || sp2[8] < '0' || sp2[8] > '9')
		return -400;
	if (sp2[6] != '1')
		return -505;
	out->minor = sp2[8] - '0';
	for (i = 0; target + i < sp2; i++)
		if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f)
			return -400;
	if (*target != '/')
		return -400; /* origin-form only: we are nobody's proxy */
	q = memchr(target, '?', (size_t)(sp2 - target));
	tlen = (size_t)((q ? q : sp2) - target);
	if (tlen >= sizeof(out->path))
		return -414;
	memcpy(out->path, target, tlen);
	out->path[tlen] = '\0';
	return 0;
}

static int parse_header(const char *s, size_t n, struct httpreq *out)
{
	const char *colon = memchr(s, ':', n), *v, *e = s + n;
	size_t i;

	/* A line starting with white space is obsolete folding: refused (RFC 9112 5.2). */
	if (!colon || colon == s)
		return -400;
	for (i = 0; s + i < colon; i++)
		if (!is_tchar((unsigned char)s[i]))
			return -400;
	v = colon + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	if (colon - s == 6 && !strncasecmp(s, "accept", 6) &&
	    httpreq__accept_openmetrics(v, (size_t)(e - v)))
		out->openmetrics = true;
	return 0;
}

int httpreq__parse(const char *buf, size_t len, struct httpreq *out)
{
	size_t end = httpreq__head_end(buf, len < HTTPREQ_MAX_HEAD ? len : HTTPREQ_MAX_HEAD, 0), n;
	const char *p = buf, *stop, *line;
	int err;

	if (!end)
		return len >= HTTPREQ_MAX_HEAD ? -431 : 0;
	if (memchr(buf, '\0', end))
		return -400;
	memset(out, 0, sizeof(*out));
	stop = buf + end;
	/* Empty lines before the request line are ignored (RFC 9112 section 2.2). */
	do
		n = next_line(&p, stop, &line);
	while (!n && p < stop);
	if (!n)
		return -400;
	err = parse_request_line(line, n, out);
	while (!err && p < stop) {
		n = next_line(&p, stop, &line);
		if (n)
			err = parse_header(line, n, out);
	}
	return err ? err : (int)end;
}

/* The q of one media range's parameters (RFC 9110 section 12.4.2); 1 when absent. */
static double range_q(const char *params, const char *end)
{
	const char *p = params;
	char num[8];
	size_t n;
	double q;
	char *stop;

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			for (n = 0;
			     p + n < end && p[n] != ';' && p[n] != ' ' && n < sizeof(num) - 1; n++)
				num[n] = p[n];
			num[n] = '\0';
			q = strtod(num, &stop);
			return *stop || stop == num || !(q >= 0 && q <= 1) ? 0 : q;
		}
		while (p < end && *p != ';')
			p++;
	}
	return 1;
}

static bool type_is(const char *s, size_t n, const char *type)
{
	return n == strlen(type) && !strncasecmp(s, type, n);
}

bool httpreq__accept_openmetrics(const char *value, size_t len)
{
	const char *p = value, *end = value + len, *comma, *semi, *t;
	double om = 0, text = 0, q;
	size_t n;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		while (p < comma && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(comma - p));
		t = semi ? semi : comma;
		for (n = (size_t)(t - p); n && (p[n - 1] == ' ' || p[n - 1] == '\t'); n--)
			;
		q = range_q(t, comma);
		if (type_is(p, n, "application/openmetrics-text") && q > om)
			om = q;
		else if ((type_is(p, n, "text/plain") || type_is(p, n, "text/*") ||
			  type_is(p, n, "*/*")) &&
			 q > text)
			text = q;
		p = comma + 1;
	}
	return om > 0 && om >= text;
}

static int addr_fail(char *err, size_t err_len, const char *s, const char *why)
{
	snprintf(err, err_len, "invalid --listen '%s': %s", s, why);
	return -EINVAL;
}

/* HOST into OUT (empty: every address) with PORT: 0, or an error's reason. */
static const char *fill_addr(const char *host, bool bracket, uint16_t port,
			     struct sockaddr_storage *out, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (!*host && !bracket) {
		/* Every address: IPv6's, taking IPv4 too where the system allows (httpd.c). */
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_any;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
	} else if (!bracket && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
	} else if (bracket && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
	} else {
		return strchr(host, ':') || bracket
			       ? "want an IPv6 address in brackets, as [::1]:9464"
			       : "want an IP address (no host names), as 127.0.0.1:9464";
	}
	return NULL;
}

int httpreq__parse_addr(const char *s, struct sockaddr_storage *out, socklen_t *len, char *err,
			size_t err_len)
{
	static const char want[] = "want HOST:PORT, as 127.0.0.1:9464, :9464 or [::1]:9464";
	const char *colon, *port, *h = s, *why;
	bool bracket = *s == '[';
	char host[64];
	size_t hlen;
	unsigned long v;
	char *end;

	if (bracket) {
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			return addr_fail(err, err_len, s, want);
		h = s + 1;
		port = colon + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return addr_fail(err, err_len, s, want);
		port = colon + 1;
	}
	hlen = (size_t)(colon - h);
	if (hlen >= sizeof(host))
		return addr_fail(err, err_len, s, "the host is too long");
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	v = strtoul(port, &end, 10);
	if (*port < '0' || *port > '9' || *end || errno || v > 65535)
		return addr_fail(err, err_len, s, "want a port from 0 to 65535");
	why = fill_addr(host, bracket, (uint16_t)v, out, len);
	return why ? addr_fail(err, err_len, s, why) : 0;
}
