#!/usr/bin/env python3
"""A --jsonl reader that stops reading: the tracer's output FIFO is made one
page small and filled before the tracer starts, so that its first write
blocks, and left so until the traced program has ended (its truth file
complete); then the FIFO is read to its end, the filling left out.

    slowout.py FIFO OUT TRUTH GOROUTINES -- TRACER ARGS...

The tracer runs with FIFO as its --jsonl; what it wrote goes to OUT; its
exit status is ours (2: ours failed). Whatever blocks the tracer's writes
must not stop its reads of the target (src/live/outq.c): a --poll read not
made is exits never seen.
"""
import fcntl
import os
import subprocess
import sys
import termios
import time

F_SETPIPE_SZ = 1031  # fcntl(2), Linux 2.6.35


def lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def queued(fd):
    buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    return int.from_bytes(buf, sys.byteorder)


def fill(fifo):
    """The FIFO full: bytes written until one more would wait. How many."""
    wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    n = 0
    try:
        while True:
            n += os.write(wfd, b"\n")
    except BlockingIOError:
        pass
    os.close(wfd)
    return n


def main():
    if len(sys.argv) < 7 or sys.argv[5] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    fifo, out, truth, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    cmd = sys.argv[6:]
    # Opened first (a writer's open would wait for us), one page: a few lines fill it.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
    pad = fill(fifo)
    tracer = subprocess.Popen(cmd)
    deadline = time.monotonic() + 120
    while lines(truth) < want + 1:
        if tracer.poll() is not None or time.monotonic() > deadline:
            print(f"slowout: no complete truth in {truth} (tracer exit {tracer.poll()})",
                  file=sys.stderr)
            tracer.kill()
            return 2
        time.sleep(0.05)
    print(f"slowout: the program ended, {queued(fd)} bytes in the FIFO ({pad} ours)")
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    while pad:
        pad -= len(os.read(fd, pad))
    with open(out, "wb") as o:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            o.write(chunk)
    return tracer.wait()


if __name__ == "__main__":
    sys.exit(main())
