#!/usr/bin/env python3
"""Clients of the metrics server (tests/e2e/listen.sh), each check one command:

  listen_clients.py PORT statuses        status and headers of GET, HEAD, 404, 405, 400, 505, 431
  listen_clients.py PORT slow N SECONDS  N clients that trickle a head byte by byte and N/4
                                         that ask and never read, for SECONDS, while normal
                                         scrapes must still be answered
  listen_clients.py PORT silent          one client that sends part of a head and waits:
                                         the server must close it (its read deadline)
  listen_clients.py - busy               print a free port's number, holding it (bound and
                                         listening) until stdin closes

Prints what it saw; exits 1 on the first wrong answer.
"""
import socket
import sys
import time


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def exchange(port, data, timeout=20):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/1.1 ") else 0
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def expect(port, data, want, what):
    st, h, body = exchange(port, data)
    print(f"{what}: {st} {h.get('content-type', '')} body {len(body)} bytes")
    if st != want:
        fail(f"{what}: status {st}, want {want}")
    if "content-length" in h and not data.startswith(b"HEAD") and int(h["content-length"]) != len(body):
        fail(f"{what}: Content-Length {h['content-length']} but {len(body)} bytes")
    return h, body


def statuses(port):
    h, body = expect(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, "GET /metrics")
    if h.get("content-type") != "text/plain; version=0.0.4; charset=utf-8":
        fail("GET /metrics: content type " + h.get("content-type", ""))
    if b"xgotop_goroutines{" not in body:
        fail("GET /metrics: no xgotop_goroutines series")
    h, body = expect(port, b"GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text;"
                     b"version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n\r\n", 200, "GET OpenMetrics")
    if not h.get("content-type", "").startswith("application/openmetrics-text; version=1.0.0"):
        fail("OpenMetrics: content type " + h.get("content-type", ""))
    if not body.endswith(b"# EOF\n"):
        fail("OpenMetrics: the body does not end with # EOF")
    h, body = expect(port, b"HEAD /metrics HTTP/1.1\r\n\r\n", 200, "HEAD /metrics")
    if body or int(h.get("content-length", "0")) == 0:
        fail(f"HEAD: {len(body)} body bytes, Content-Length {h.get('content-length')}")
    expect(port, b"GET / HTTP/1.1\r\n\r\n", 404, "GET /")
    expect(port, b"GET /metricsx HTTP/1.0\r\n\r\n", 404, "GET /metricsx")
    h, _ = expect(port, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "POST")
    if h.get("allow") != "GET, HEAD":
        fail("405 without Allow: GET, HEAD")
    expect(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "TLS hello")
    expect(port, b"GET /metrics HTTP/2.0\r\n\r\n", 505, "HTTP/2.0")
    expect(port, b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431, "9 KB head")
    expect(port, b"GET /" + b"a" * 300 + b" HTTP/1.1\r\n\r\n", 414, "long target")


def slow(port, n, seconds):
    trickle, stuck = [], []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        trickle.append(s)
    for _ in range(n // 4):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
        stuck.append(s)  # never read: the server's send fills our window
    req = b"GET /metrics HTTP/1.1\r\nHost: slow\r\n"
    end, i, scrapes = time.monotonic() + seconds, 0, 0
    while time.monotonic() < end:
        for s in trickle:
            try:
                s.send(req[i % len(req):i % len(req) + 1])
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        i += 1
        # Meanwhile a scraper is answered.
        _, body = expect(port, b"GET /metrics HTTP/1.1\r\n\r\n", 200, "scrape among slow clients")
        if b"xgotop_events_total" not in body:
            fail("scrape among slow clients: no xgotop_events_total")
        scrapes += 1
        time.sleep(0.5)
    print(f"{n} trickling and {len(stuck)} stuck clients for {seconds} s, {scrapes} scrapes answered")
    for s in trickle + stuck:
        s.close()


def silent(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"GET /metr")
    try:
        b = s.recv(100)
    except socket.timeout:
        fail("a silent client was not cut off in 60 s")
    print(f"silent client: closed by the server ({len(b)} bytes)")


def busy():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
    sys.stdin.read()


def main():
    port = 0 if sys.argv[1] == "-" else int(sys.argv[1])
    cmd = sys.argv[2]
    if cmd == "statuses":
        statuses(port)
    elif cmd == "slow":
        slow(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "silent":
        silent(port)
    elif cmd == "busy":
        busy()
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
