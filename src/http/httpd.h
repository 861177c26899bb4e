/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The metrics server of --listen: one thread, non-blocking sockets, one
 * request per connection (Connection: close). GET and HEAD of /metrics
 * answer the latest published text, in the format the scraper's Accept
 * prefers (httpreq.h); other paths 404, other methods 405. Slow or silent
 * clients are cut off after a deadline, and the connections are capped
 * (the newest take the place of the slowest to ask):
 * nothing a client does reaches the thread that traces, which only
 * publishes (a pointer swap under a mutex).
 */
#ifndef XGOTOP_HTTPD_H
#define XGOTOP_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * At most this many connections (httpd__max_conns): past it, a new one
 * takes the place of the one that has waited longest for its request, or,
 * when all are answering, is closed at once.
 */
#define HTTPD_MAX_CONNS	    512
#define HTTPD_READ_TIMEOUT  10000 /* ms for the whole request head */
#define HTTPD_WRITE_TIMEOUT 30000 /* ms for the whole response */

struct httpd;

struct httpd_stats {
	uint64_t requests; /* answered, any status */
	uint64_t scrapes;  /* 200s of /metrics */
	uint64_t refused;  /* connections closed at once: too many, all answering */
	uint64_t evicted;  /* waiting for a request, closed to make room for a newer one */
	uint64_t timeouts; /* connections cut off at a deadline */
};

/*
 * Bind ADDR, listen and start the thread. NULL with the reason in ERR
 * ("address already in use", ...).
 */
struct httpd *httpd__start(const struct sockaddr_storage *addr, socklen_t len, char *err,
			   size_t err_len);
/* The address bound (the port chosen when 0 was asked), as HOST:PORT ([v6]:PORT). */
void httpd__address(const struct httpd *h, char *out, size_t len);
/*
 * The texts to serve from now on, 0.0.4 and OpenMetrics (malloc'd: the
 * server's now, freed once no response uses them).
 */
void httpd__publish(struct httpd *h, char *text, size_t text_len, char *om, size_t om_len);
void httpd__stats(struct httpd *h, struct httpd_stats *out);
/* The connection cap: HTTPD_MAX_CONNS, or a quarter of RLIMIT_NOFILE at start when lower. */
size_t httpd__max_conns(const struct httpd *h);
/* Stop the thread, close everything. NULL is fine. */
void httpd__stop(struct httpd *h);

#endif /* XGOTOP_HTTPD_H */
