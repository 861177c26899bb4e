// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness of the metrics server's parsers (src/http/httpreq.c):
 * the input is what a client sends, as a request head, and also as an
 * Accept value, a --listen address and an exposition label value.
 *
 * Beyond not crashing: a parsed head says how long it is, within the
 * input and the head limit, and ends with its empty line; its path is a
 * NUL-terminated origin-form target without '?'; refusals are the statuses
 * documented; the answer does not change when more bytes follow a
 * complete head; looking for the end from the bytes last received finds
 * it as a full search does. The escaped label has no raw quote, backslash or line
 * feed.
 * Seeds: tests/fuzz/corpus/httpreq (requests as curl and Prometheus send
 * them, and each kind of error).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "httpreq.h"
#include "promfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_head(const char *buf, size_t size)
{
	struct httpreq r, r2;
	int rc = httpreq__parse(buf, size, &r), rc2;

	if (rc == 0) {
		if (size >= HTTPREQ_MAX_HEAD)
			abort();
		return;
	}
	if (rc < 0) {
		if (rc != -400 && rc != -414 && rc != -431 && rc != -505)
			abort();
		return;
	}
	if ((size_t)rc > size || rc > HTTPREQ_MAX_HEAD || buf[rc - 1] != '\n')
		abort();
	if (r.path[0] != '/' || strlen(r.path) >= HTTPREQ_MAX_PATH || strchr(r.path, '?'))
		abort();
	/* The head alone parses the same. */
	rc2 = httpreq__parse(buf, (size_t)rc, &r2);
	if (rc2 != rc || r2.method != r.method || strcmp(r2.path, r.path) ||
	    r2.openmetrics != r.openmetrics || r2.minor != r.minor)
		abort();
}

/*
 * The server looks for the end in the new bytes only: with none in the
 * first K bytes, looking from K - 2 finds what looking from 0 does.
 */
static void check_incremental(const char *buf, size_t size)
{
	size_t k = size / 2, from = k > 2 ? k - 2 : 0;

	if (!httpreq__head_end(buf, k, 0) &&
	    httpreq__head_end(buf, size, from) != httpreq__head_end(buf, size, 0))
		abort();
}

static void check_label(const char *s)
{
	size_t n = promfmt__escape_label(s, NULL, 0), i;
	char *out = malloc(n + 1);

	if (!out)
		return;
	if (promfmt__escape_label(s, out, n + 1) != n || strlen(out) != n)
		abort();
	for (i = 0; i < n; i++) {
		if (out[i] == '\n')
			abort();
		if (out[i] == '\\') {
			if (out[i + 1] != '\\' && out[i + 1] != '"' && out[i + 1] != 'n')
				abort();
			i++;
		} else if (out[i] == '"') {
			abort();
		}
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	check_head(buf, size);
	check_incremental(buf, size);
	httpreq__accept_openmetrics(buf, size);
	if (httpreq__parse_addr(buf, &ss, &len, err, sizeof(err)) == 0 && len > sizeof(ss))
		abort();
	check_label(buf);
	free(buf);
	return 0;
}
