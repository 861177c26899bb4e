// SPDX-License-Identifier: BSD-2-Clause
/* The metrics server (httpd.h): a poll() loop over non-blocking sockets on its own thread. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "httpreq.h"

#define ACCEPTS_PER_ROUND 64
#define ACCEPT_PAUSE_MS	  100 /* out of descriptors: the listening socket waits this long */

/* What is served; shared by the responses that send it, freed by the last. */
struct doc {
	atomic_uint refs;
	char *text, *om;
	size_t text_len, om_len;
};

struct conn {
	int fd;
	bool writing;
	uint64_t deadline; /* ms, CLOCK_MONOTONIC */
	uint64_t seq;	   /* order of acceptance */
	size_t in_len;
	char in[HTTPREQ_MAX_HEAD];
	char head[512];
	size_t head_len, off; /* OFF: sent so far of head then body */
	struct doc *doc;      /* the body's owner, or NULL */
	const char *body;
	size_t body_len;
};

struct httpd {
	int lfd, wake[2];
	pthread_t thr;
	pthread_mutex_t mu; /* cur */
	struct doc *cur;
	struct conn *conns[HTTPD_MAX_CONNS];
	size_t n, max;	       /* max: the cap, lower when descriptors are few */
	uint64_t accept_pause; /* ms: until then the listening socket is not polled */
	uint64_t seq;	       /* connections accepted */
	struct pollfd pfd[HTTPD_MAX_CONNS + 2];
	_Atomic uint64_t requests, scrapes, refused, evicted, timeouts;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void doc_put(struct doc *d)
{
	if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
		return;
	free(d->text);
	free(d->om);
	free(d);
}

static struct doc *doc_get(struct httpd *h)
{
	struct doc *d;

	pthread_mutex_lock(&h->mu);
	d = h->cur;
	if (d)
		atomic_fetch_add(&d->refs, 1);
	pthread_mutex_unlock(&h->mu);
	return d;
}

void httpd__publish(struct httpd *h, char *text, size_t text_len, char *om, size_t om_len)
{
	struct doc *d = calloc(1, sizeof(*d)), *old;

	if (!d) {
		free(text);
		free(om);
		return; /* the previous text stays */
	}
	atomic_init(&d->refs, 1);
	d->text = text;
	d->text_len = text_len;
	d->om = om;
	d->om_len = om_len;
	pthread_mutex_lock(&h->mu);
	old = h->cur;
	h->cur = d;
	pthread_mutex_unlock(&h->mu);
	doc_put(old);
}

/* ---- connections -------------------------------------------------------------------------- */

static void conn_close(struct httpd *h, size_t i)
{
	struct conn *c = h->conns[i];

	close(c->fd);
	doc_put(c->doc);
	free(c);
	h->conns[i] = h->conns[--h->n];
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}

/* The response to STATUS (REQ: NULL when the head could not be parsed). */
static void respond(struct httpd *h, struct conn *c, int status, const struct httpreq *req)
{
	const char *type = "text/plain; charset=utf-8", *allow = "";
	size_t len;

	c->doc = NULL;
	if (status == 200) {
		c->doc = doc_get(h);
		if (!c->doc)
			status = 503; /* before the first snapshot */
	}
	if (status == 200 && req->openmetrics) {
		type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
		c->body = c->doc->om;
		c->body_len = c->doc->om_len;
	} else if (status == 200) {
		type = "text/plain; version=0.0.4; charset=utf-8";
		c->body = c->doc->text;
		c->body_len = c->doc->text_len;
	} else {
		c->body = reason(status); /* static text */
		c->body_len = strlen(c->body);
	}
	if (status == 405)
		allow = "Allow: GET, HEAD\r\n";
	len = (size_t)snprintf(c->head, sizeof(c->head),
			       "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			       "%sConnection: close\r\n\r\n",
			       status, reason(status), type, c->body_len, allow);
	c->head_len = len < sizeof(c->head) ? len : sizeof(c->head) - 1;
	if (req && req->method == HTTPREQ_HEAD)
		c->body_len = 0;
	c->off = 0;
	c->writing = true;
	c->deadline = now_ms() + HTTPD_WRITE_TIMEOUT;
	atomic_fetch_add_explicit(&h->requests, 1, memory_order_relaxed);
	if (status == 200)
		atomic_fetch_add_explicit(&h->scrapes, 1, memory_order_relaxed);
}

static int route(const struct httpreq *req)
{
	if (strcmp(req->path, "/metrics"))
		return 404;
	if (req->method != HTTPREQ_GET && req->method != HTTPREQ_HEAD)
		return 405;
	return 200;
}

/* Readable: more of the head. False: close it. */
static bool conn_read(struct httpd *h, struct conn *c)
{
	struct httpreq req;
	size_t from = c->in_len > 2 ? c->in_len - 2 : 0;
	ssize_t n;
	int rc;

	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false; /* gone before asking */
	c->in_len += (size_t)n;
	/* Parsed once, when complete (or too long): not again at every byte. */
	if (c->in_len < sizeof(c->in) && !httpreq__head_end(c->in, c->in_len, from))
		return true;
	rc = httpreq__parse(c->in, c->in_len, &req);
	if (rc > 0)
		respond(h, c, route(&req), &req);
	else if (rc < 0)
		respond(h, c, -rc, NULL);
	return true;
}

/* Writable: more of the response. False: done, or failed; close it. */
static bool conn_write(struct conn *c)
{
	ssize_t n;

	while (c->off < c->head_len + c->body_len) {
		if (c->off < c->head_len)
			n = send(c->fd, c->head + c->off, c->head_len - c->off, MSG_NOSIGNAL);
		else
			n = send(c->fd, c->body + (c->off - c->head_len),
				 c->body_len - (c->off - c->head_len), MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->off += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	return false;
}

/*
 * Full: room for one more by closing the connection that has waited
 * longest for its request (slow clients holding every slot must not lock
 * a scraper out; one that has asked already is never the one). False when
 * every connection is answering.
 */
static bool evict_oldest_reader(struct httpd *h)
{
	size_t i, best = h->n;

	for (i = 0; i < h->n; i++)
		if (!h->conns[i]->writing &&
		    (best == h->n || h->conns[i]->seq < h->conns[best]->seq))
			best = i;
	if (best == h->n)
		return false;
	conn_close(h, best);
	atomic_fetch_add_explicit(&h->evicted, 1, memory_order_relaxed);
	return true;
}

static void accept_all(struct httpd *h)
{
	struct conn *c;
	int i, fd;

	for (i = 0; i < ACCEPTS_PER_ROUND; i++) {
		fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		/*
		 * Out of descriptors or memory, the pending connection stays and
		 * the socket stays readable: polled now, it would spin.
		 */
		if (fd < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM))
			h->accept_pause = now_ms() + ACCEPT_PAUSE_MS;
		if (fd < 0)
			return; /* EAGAIN, or a client gone already: nothing to do */
		c = h->n < h->max || evict_oldest_reader(h) ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			atomic_fetch_add_explicit(&h->refused, 1, memory_order_relaxed);
			continue;
		}
		c->fd = fd;
		c->seq = ++h->seq;
		c->deadline = now_ms() + HTTPD_READ_TIMEOUT;
		h->conns[h->n++] = c;
	}
}

/* ---- the loop ----------------------------------------------------------------------------- */

static int poll_timeout(const struct httpd *h, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->conns[i]->deadline < next)
			next = h->conns[i]->deadline;
	if (h->accept_pause > now && h->accept_pause < next)
		next = h->accept_pause;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now < 60000 ? next - now : 60000);
}

/* One round: poll, then serve what is ready. False: told to stop. */
static bool serve_round(struct httpd *h)
{
	size_t i, n = h->n;
	uint64_t now = now_ms();
	bool keep;

	h->pfd[0] = (struct pollfd){.fd = h->wake[0], .events = POLLIN};
	h->pfd[1] = (struct pollfd){.fd = h->lfd, .events = now < h->accept_pause ? 0 : POLLIN};
	for (i = 0; i < n; i++)
		h->pfd[i + 2] = (struct pollfd){.fd = h->conns[i]->fd,
						.events = h->conns[i]->writing ? POLLOUT : POLLIN};
	if (poll(h->pfd, n + 2, poll_timeout(h, now)) < 0 && errno != EINTR)
		return false;
	if (h->pfd[0].revents)
		return false;
	now = now_ms();
	/* From the last: closing moves the last connection into the slot closed. */
	for (i = n; i-- > 0;) {
		struct conn *c = h->conns[i];
		short re = h->pfd[i + 2].revents;

		keep = true;
		if (re & (POLLERR | POLLNVAL))
			keep = false;
		else if (re && c->writing)
			keep = conn_write(c);
		else if (re)
			keep = conn_read(h, c) && (!c->writing || conn_write(c));
		if (keep && now >= c->deadline) {
			atomic_fetch_add_explicit(&h->timeouts, 1, memory_order_relaxed);
			keep = false;
		}
		if (!keep)
			conn_close(h, i);
	}
	if (h->pfd[1].revents & POLLIN)
		accept_all(h);
	return true;
}

static void *serve(void *arg)
{
	struct httpd *h = arg;
	sigset_t all;

	/* Signals are the tracing thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (serve_round(h))
		;
	return NULL;
}

/* ---- start and stop ----------------------------------------------------------------------- */

static int listen_on(const struct sockaddr_storage *addr, socklen_t len)
{
	struct sockaddr_in any4 = {.sin_family = AF_INET,
				   .sin_port = ((const struct sockaddr_in6 *)addr)->sin6_port};
	int fd, one = 1, zero = 0;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* ":PORT" without IPv6 in the kernel: IPv4's every address. */
	if (fd < 0 && errno == EAFNOSUPPORT && addr->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)addr)->sin6_addr)) {
		addr = (const struct sockaddr_storage *)&any4;
		len = sizeof(any4);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)addr, len) || listen(fd, 128)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%u", host, ntohs(a->sin_port));
	}
}

/*
 * HTTPD_MAX_CONNS, or fewer when the descriptor limit is low: a quarter of
 * it, the rest being the tracer's (BPF links, rings, the target's files).
 */
static size_t max_conns(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / 4 >= HTTPD_MAX_CONNS)
		return HTTPD_MAX_CONNS;
	return rl.rlim_cur / 4 > 16 ? (size_t)(rl.rlim_cur / 4) : 16;
}

size_t httpd__max_conns(const struct httpd *h)
{
	return h->max;
}

struct httpd *httpd__start(const struct sockaddr_storage *addr, socklen_t len, char *err,
			   size_t err_len)
{
	struct httpd *h = calloc(1, sizeof(*h));
	char where[80];
	int rc;

	format_addr(addr, where, sizeof(where));
	if (!h) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	h->wake[0] = h->wake[1] = -1;
	h->max = max_conns();
	h->lfd = listen_on(addr, len);
	if (h->lfd < 0) {
		char why[128];

		/* Our messages are lowercase: "address already in use". */
		snprintf(why, sizeof(why), "%s", strerror(-h->lfd));
		why[0] = (char)tolower((unsigned char)why[0]);
		snprintf(err, err_len, "cannot listen on %s: %s", where, why);
		goto fail;
	}
	pthread_mutex_init(&h->mu, NULL);
	if (pipe2(h->wake, O_CLOEXEC)) {
		snprintf(err, err_len, "cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	rc = pthread_create(&h->thr, NULL, serve, h);
	if (rc) {
		snprintf(err, err_len, "cannot start the metrics server: %s", strerror(rc));
		goto fail;
	}
	return h;
fail:
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->wake[0] >= 0)
		close(h->wake[0]), close(h->wake[1]);
	free(h);
	return NULL;
}

void httpd__address(const struct httpd *h, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(h->lfd, (struct sockaddr *)&ss, &sl)) {
		snprintf(out, len, "?");
		return;
	}
	format_addr(&ss, out, len);
}

void httpd__stats(struct httpd *h, struct httpd_stats *out)
{
	out->requests = atomic_load(&h->requests);
	out->scrapes = atomic_load(&h->scrapes);
	out->refused = atomic_load(&h->refused);
	out->evicted = atomic_load(&h->evicted);
	out->timeouts = atomic_load(&h->timeouts);
}

void httpd__stop(struct httpd *h)
{
	ssize_t n;

	if (!h)
		return;
	n = write(h->wake[1], "x", 1);
	(void)n; /* a full pipe wakes the thread as well */
	pthread_join(h->thr, NULL);
	while (h->n)
		conn_close(h, h->n - 1);
	close(h->lfd);
	close(h->wake[0]);
	close(h->wake[1]);
	doc_put(h->cur);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
