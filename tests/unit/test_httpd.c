// SPDX-License-Identifier: BSD-2-Clause
/*
 * The metrics server in this process, on a loopback port the kernel picks:
 * 503 before anything is published, the texts by Accept, HEAD without a
 * body, 404, a client that sends nothing or reads nothing does not hold up
 * the others, a
 * port in use is refused with the reason, and connections past the cap
 * are closed at once; --listen's IPv6 forms ([::1]:PORT, :PORT for every
 * address, IPv4 too) answer on the families they name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpd.h"
#include "httpreq.h"

/* Start on ADDR (port 0): the port bound, and the address as the server prints it. */
static struct httpd *start_on(const char *addr, uint16_t *port, char *where, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	struct httpd *h;

	assert_int_equal(httpreq__parse_addr(addr, &ss, &sl, err, sizeof(err)), 0);
	h = httpd__start(&ss, sl, err, sizeof(err));
	if (!h)
		fail_msg("%s: %s", addr, err);
	httpd__address(h, where, len);
	assert_non_null(strrchr(where, ':'));
	*port = (uint16_t)atoi(strrchr(where, ':') + 1);
	assert_true(*port > 0);
	return h;
}

static struct httpd *start(uint16_t *port)
{
	char where[80];
	struct httpd *h = start_on("127.0.0.1:0", port, where, sizeof(where));

	assert_true(!strncmp(where, "127.0.0.1:", 10));
	return h;
}

static int dial(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {.tv_sec = 30};

	assert_true(fd >= 0);
	/* A server that never answers fails the test rather than hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Send REQ, read to the end (the server closes): the response, malloc'd. */
static char *ask(uint16_t port, const char *req)
{
	int fd = dial(port);
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t r;

	assert_non_null(buf);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	while ((r = recv(fd, buf + n, cap - 1 - n, 0)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void expect(uint16_t port, const char *req, const char *status, const char *body)
{
	char *resp = ask(port, req);
	const char *b = strstr(resp, "\r\n\r\n");

	if (strncmp(resp, status, strlen(status)) || !b || strcmp(b + 4, body))
		fail_msg("%s -> %s, want %s ... %s", req, resp, status, body);
	free(resp);
}

static void publish(struct httpd *h, const char *text, const char *om)
{
	httpd__publish(h, strdup(text), strlen(text), strdup(om), strlen(om));
}

static void test_answers(void **state)
{
	uint16_t port;
	struct httpd *h = start(&port);
	struct httpd_stats st;
	int silent;
	char *resp;

	(void)state;
	expect(port, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 503 ", "Service Unavailable");
	publish(h, "a 1\n", "a 1\n# EOF\n");
	/* A client that connects and says nothing does not hold up the others. */
	silent = dial(port);
	expect(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 ", "a 1\n");
	expect(port, "GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text\r\n\r\n",
	       "HTTP/1.1 200 ", "a 1\n# EOF\n");
	resp = ask(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_non_null(
		strstr(resp, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(resp, "\r\nContent-Length: 4\r\n"));
	free(resp);
	resp = ask(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(resp, "\r\nContent-Length: 4\r\n"));
	assert_string_equal(strstr(resp, "\r\n\r\n"), "\r\n\r\n");
	free(resp);
	expect(port, "GET /other HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ", "Not Found");
	expect(port, "DELETE /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405 ", "Method Not Allowed");
	expect(port, "BAD\r\n\r\n", "HTTP/1.1 400 ", "Bad Request");
	/* A new text replaces the old. */
	publish(h, "a 2\n", "a 2\n# EOF\n");
	expect(port, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 ", "a 2\n");
	close(silent);
	httpd__stats(h, &st);
	/* Counted before the answer goes out: all in by now. */
	assert_int_equal(st.scrapes, 5);
	assert_int_equal(st.requests, 9);
	httpd__stop(h);
}

static void test_port_in_use(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256], addr[64];
	uint16_t port;
	struct httpd *h = start(&port), *h2;

	(void)state;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	assert_int_equal(httpreq__parse_addr(addr, &ss, &len, err, sizeof(err)), 0);
	h2 = httpd__start(&ss, len, err, sizeof(err));
	assert_null(h2);
	assert_non_null(strstr(err, "cannot listen on 127.0.0.1:"));
	assert_non_null(strstr(err, ": address already in use"));
	httpd__stop(h);
}

/* GET /metrics over IPv6 loopback: the body, or fail. */
static void get6(uint16_t port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct timeval tv = {.tv_sec = 30};
	static const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";
	char buf[512];
	size_t n = 0;
	ssize_t r;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	a.sin6_addr = in6addr_loopback;
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	while (n < sizeof(buf) - 1 && (r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	assert_true(!strncmp(buf, "HTTP/1.1 200 ", 13));
	assert_non_null(strstr(buf, "\r\n\r\na 1\n"));
}

/* [::1]:PORT serves IPv6's loopback; :PORT every address, IPv6 and IPv4 (dual stack). */
static void test_ipv6_forms(void **state)
{
	char where[80];
	uint16_t port;
	struct httpd *h;

	(void)state;
	h = start_on("[::1]:0", &port, where, sizeof(where));
	publish(h, "a 1\n", "a 1\n# EOF\n");
	assert_true(!strncmp(where, "[::1]:", 6));
	get6(port);
	httpd__stop(h);

	h = start_on(":0", &port, where, sizeof(where));
	publish(h, "a 1\n", "a 1\n# EOF\n");
	assert_true(!strncmp(where, "[::]:", 5));
	get6(port);
	expect(port, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 ", "a 1\n");
	httpd__stop(h);
}

/* The cap full of clients that never ask: a scraper still gets its answer, the oldest go. */
static void test_connection_cap(void **state)
{
	uint16_t port;
	struct httpd *h = start(&port);
	struct httpd_stats st;
	size_t n = httpd__max_conns(h) + 8, i;
	int *fds = calloc(n, sizeof(*fds));
	char c;

	(void)state;
	assert_non_null(fds);
	assert_true(httpd__max_conns(h) >= 16 && httpd__max_conns(h) <= HTTPD_MAX_CONNS);
	publish(h, "a 1\n", "a 1\n# EOF\n");
	for (i = 0; i < n; i++)
		fds[i] = dial(port);
	expect(port, "GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 ", "a 1\n");
	/* The first ones made room: EOF, not a hang. */
	for (i = 0; i < 9; i++)
		assert_int_equal(recv(fds[i], &c, 1, 0), 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	httpd__stats(h, &st);
	assert_true(st.evicted >= 9);
	assert_int_equal(st.refused, 0);
	httpd__stop(h);
}

/* Out of descriptors when a client comes: it is served once there are some again. */
static void test_out_of_descriptors(void **state)
{
	uint16_t port;
	struct httpd *h = start(&port);
	int spare[512], n = 0, fd, k;
	struct rlimit rl, low;
	const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";
	char buf[256];
	ssize_t r;
	size_t got = 0;

	(void)state;
	publish(h, "a 1\n", "a 1\n# EOF\n");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	/* A low limit, so that a few hundred descriptors exhaust it. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = rl;
	low.rlim_cur = (rlim_t)fd + 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < 512 && (spare[n] = dup(0)) >= 0)
		n++;
	assert_int_equal(errno, EMFILE);
	{
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	}
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	/* Let the server meet EMFILE at least once, then give it room. */
	usleep(200000);
	for (k = 0; k < n; k++)
		close(spare[k]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while ((r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fd);
	assert_true(!strncmp(buf, "HTTP/1.1 200 ", 13));
	httpd__stop(h);
}

/* A client that asks for a big text and never reads: the others are still answered. */
static void test_stuck_reader(void **state)
{
	uint16_t port;
	struct httpd *h = start(&port);
	size_t big = 8u << 20;
	char *text = malloc(big + 1), *resp;
	const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";
	int stuck, small = 4096;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', big);
	text[big] = '\0';
	httpd__publish(h, text, big, strdup("om\n"), 3);
	stuck = dial(port);
	setsockopt(stuck, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	assert_int_equal(send(stuck, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	resp = ask(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
	assert_true(!strncmp(resp, "HTTP/1.1 200 ", 13));
	assert_non_null(strstr(resp, "\r\nContent-Length: 8388608\r\n"));
	free(resp);
	expect(port, "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ", "Not Found");
	close(stuck);
	httpd__stop(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_connection_cap),
		cmocka_unit_test(test_out_of_descriptors),
		cmocka_unit_test(test_stuck_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
