// SPDX-License-Identifier: BSD-2-Clause
/*
 * The metrics server's parsers: request heads (complete, partial, malformed,
 * too long), Accept negotiation as Prometheus and curl send it, and --listen
 * addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "httpreq.h"

static int parse(const char *s, struct httpreq *r)
{
	return httpreq__parse(s, strlen(s), r);
}

static void test_complete_heads(void **state)
{
	struct httpreq r;
	const char *get = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";

	(void)state;
	assert_int_equal(parse(get, &r), (int)strlen(get));
	assert_int_equal(r.method, HTTPREQ_GET);
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(r.minor, 1);
	assert_false(r.openmetrics);
	/* Bare line feeds, HTTP/1.0, HEAD, leading empty lines. */
	assert_int_equal(parse("\r\nHEAD /metrics HTTP/1.0\n\n", &r), 26);
	assert_int_equal(r.method, HTTPREQ_HEAD);
	assert_int_equal(r.minor, 0);
	assert_int_equal(parse("POST /x HTTP/1.1\r\n\r\n", &r), 20);
	assert_int_equal(r.method, HTTPREQ_OTHER);
	assert_string_equal(r.path, "/x");
	/* What follows the head is not the head's. */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", &r), 18);
}

static void test_partial_and_bad_heads(void **state)
{
	struct httpreq r;
	char *big;

	(void)state;
	assert_int_equal(parse("", &r), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: a\r\n", &r), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\n\r", &r), 0);
	assert_int_equal(parse("GET\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET metrics HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics HTTP/1.1 \r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &r), -505);
	assert_int_equal(parse("GET /metrics HTTX/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("G(T /metrics HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nNo colon\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\n: empty\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /a\x01 HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(httpreq__parse("GET / HTTP/1.1\r\nA: \0\r\n\r\n", 24, &r), -400);
	assert_int_equal(parse("\r\n\r\n", &r), -400);
	big = malloc(HTTPREQ_MAX_HEAD + 64);
	assert_non_null(big);
	/* A target too long for us. */
	memset(big, 'a', HTTPREQ_MAX_HEAD + 63);
	memcpy(big, "GET /", 5);
	strcpy(big + 600, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(big, &r), -414);
	/* A head that never ends: refused at the limit, not before. */
	memset(big, 'a', HTTPREQ_MAX_HEAD + 63);
	big[HTTPREQ_MAX_HEAD + 63] = '\0';
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(httpreq__parse(big, HTTPREQ_MAX_HEAD - 1, &r), 0);
	assert_int_equal(httpreq__parse(big, HTTPREQ_MAX_HEAD, &r), -431);
	assert_int_equal(parse(big, &r), -431);
	free(big);
}

/* Looking from the last bytes seen finds an end that the new ones complete. */
static void test_head_end_incremental(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nA: b\r\n\r\n";
	size_t len = strlen(s), seen, from;

	(void)state;
	assert_int_equal(httpreq__head_end(s, len, 0), len);
	for (seen = 0; seen < len; seen++) {
		from = seen > 2 ? seen - 2 : 0;
		assert_int_equal(httpreq__head_end(s, seen, from), 0);
		assert_int_equal(httpreq__head_end(s, len, from), len);
	}
	assert_int_equal(httpreq__head_end("a\n\nb", 4, 2), 0);
	assert_int_equal(httpreq__head_end("a\n\nb", 4, 1), 3);
}

static bool accept_om(const char *v)
{
	return httpreq__accept_openmetrics(v, strlen(v));
}

static void test_accept(void **state)
{
	struct httpreq r;

	(void)state;
	/* Prometheus 2.42 (scrape.go, acceptHeader): OpenMetrics first. */
	assert_true(accept_om("application/openmetrics-text;version=1.0.0,application/"
			      "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
			      "q=0.5,*/*;q=0.1"));
	/* Prometheus 3's scrape_protocols default puts it first too. */
	assert_true(
		accept_om("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
			  "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;"
			  "version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,"
			  "*/*;q=0.1"));
	assert_false(accept_om("*/*"));
	assert_false(accept_om("text/plain"));
	assert_false(accept_om(""));
	assert_false(accept_om("text/plain;version=0.0.4,application/openmetrics-text;q=0.5"));
	assert_true(accept_om("text/plain;q=0.5, Application/OpenMetrics-Text"));
	assert_false(accept_om("application/openmetrics-text;q=0"));
	assert_false(accept_om("application/openmetrics-text;q=x"));
	assert_true(accept_om("application/openmetrics-text ; q=1.0 , text/plain;q=1"));
	assert_true(parse("GET /metrics HTTP/1.1\r\naccept: application/openmetrics-text\r\n\r\n",
			  &r) > 0);
	assert_true(r.openmetrics);
}

static void test_addresses(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char err[256];

	(void)state;
	assert_int_equal(httpreq__parse_addr("127.0.0.1:9464", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(in4->sin_port), 9464);
	assert_int_equal(ntohl(in4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(httpreq__parse_addr(":9464", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr));
	assert_int_equal(httpreq__parse_addr("[::1]:0", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	assert_int_equal(ntohs(in6->sin6_port), 0);
	static const char *const bad[] = {
		"",
		"9464",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:94a",
		"localhost:9464",
		"::1:9464",
		"[::1]9464",
		"[::1:9464",
		"[127.0.0.1]:9464",
		"[]:9464",
		"1.2.3:80",
		":+80",
		": 80",
		"0123456789012345678901234567890123456789012345678901234567890123456789:1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(httpreq__parse_addr(bad[i], &ss, &len, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "invalid --listen"));
		assert_null(strchr(err, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_heads),
		cmocka_unit_test(test_partial_and_bad_heads),
		cmocka_unit_test(test_head_end_incremental),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
