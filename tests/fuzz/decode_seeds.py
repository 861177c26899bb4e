#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the seeds of tests/fuzz/fuzz_decode.c into tests/fuzz/corpus/decode/.

Each seed is a session in the harness's input language (see the comment at
the top of fuzz_decode.c): the shapes of record streams the decoder exists
for. Run it again after changing that language, then review the diff.
"""
import os
import struct
import sys

DEAD, RUNNABLE, RUNNING, SYSCALL, WAITING, PREEMPTED, DEADEXTRA = 6, 1, 2, 3, 4, 9, 11
ST, AL, GC = 1, 2, 3
F_CREATE, F_REASON, F_FROM_REASON, F_PM, F_HINT = 1, 2, 4, 8, 16
GC_START, GC_MARK_TERM, GC_SWEEP, GC_STW_START, GC_STW_END = 1, 2, 3, 4, 5


def rec(step, typ, frm, to, goid=1, g=0, pid=0, lag=0, flags=0, reason=0, arg0=0):
    """Op 0: a compact record. G picks the g address (0..127), PID 0 or 1."""
    return bytes([0, step, lag, pid | (g << 1) & 0xff, goid, typ, frm | to << 4,
                  flags | reason << 5, arg0])


def raw(ts, typ, frm, to, goid, g, flags=0, reason=0, pid=100, args=(0, 0, 0)):
    """Op 4: a record as the ring holds it."""
    return bytes([4]) + struct.pack("<QQQQQQQIIBBBBI", ts, goid, g, *args, 0x401000, pid,
                                    pid, typ, frm, to, reason, flags)


def drain(back=0):
    return bytes([5, back])


def drain_all():
    return drain(255)


def seed(pid, goid, state):
    return bytes([6, pid | goid << 1, state])


def sample(rates, goid_late=0):
    """Rates: 0 none, 1 half, 2 all, per enum xg_sample_what."""
    bits = sum(r << (2 * i) for i, r in enumerate(rates)) | goid_late << 15
    return bytes([7, bits & 0xff, bits >> 8])


def life(goid, g, parent=1, goid_known=True):
    """A goroutine created, run, parked, woken, exited."""
    cgoid = goid if goid_known else 0
    return (rec(10, ST, DEAD, RUNNABLE, cgoid, g, flags=F_CREATE, arg0=parent) +
            rec(10, ST, RUNNABLE, RUNNING, goid, g, flags=F_PM) +
            rec(10, ST, RUNNING, WAITING, goid, g, flags=F_REASON, reason=2) +
            rec(10, ST, WAITING, RUNNABLE, goid, g) +
            rec(10, ST, RUNNABLE, RUNNING, goid, g, flags=F_PM) +
            rec(10, ST, RUNNING, DEAD, goid, g))


def gc_cycle():
    return (rec(5, GC, GC_STW_START, 0, flags=F_REASON, reason=1) +
            rec(5, GC, GC_START, 0, arg0=0) + rec(5, GC, GC_STW_END, 0) +
            rec(50, GC, GC_STW_START, 0, flags=F_REASON, reason=2) +
            rec(5, GC, GC_MARK_TERM, 0) + rec(5, GC, GC_SWEEP, 0) + rec(5, GC, GC_STW_END, 0))


SEEDS = {
    # go1.24+: the create carries its goid.
    "life-goid-first": b"\x01\x00" + life(5, 3) + life(6, 4, parent=5) + drain_all(),
    # before go1.24: creates wait for the next record of their g.
    "life-goid-late": b"\x00\x00" + life(5, 3, goid_known=False) + drain(20) +
    life(6, 4, 5, False) + drain_all(),
    # a create whose g never shows again: resolved (or not) at the end.
    "pending-at-end": b"\x00\x00" + rec(10, ST, DEAD, RUNNABLE, 0, 2, flags=F_CREATE) +
    rec(10, ST, DEAD, RUNNABLE, 0, 3, flags=F_CREATE),
    # a wait named only when left; one never left.
    "unnamed-wait": b"\x01\x00" + rec(10, ST, RUNNING, WAITING, 7, flags=F_REASON) +
    rec(10, ST, WAITING, RUNNABLE, 7, flags=F_FROM_REASON, reason=3) +
    rec(10, ST, RUNNING, WAITING, 8, flags=F_REASON) + drain_all(),
    # async preemption: a gap in the chain, bridged by an inferred event.
    "inferred": b"\x01\x00" + rec(10, ST, RUNNABLE, RUNNING, 9, flags=F_PM) +
    rec(10, ST, PREEMPTED, RUNNABLE, 9) +
    rec(10, ST, WAITING, RUNNABLE, 9, flags=F_FROM_REASON, reason=4) + drain_all(),
    # records out of order: a few steps back, and beyond the tail scan.
    "reorder": b"\x01\x00" + b"".join(rec(1, ST, RUNNABLE, RUNNING, i % 7 + 1) for i in range(40)) +
    rec(0, ST, RUNNING, WAITING, 3, lag=30) + rec(0, ST, RUNNING, SYSCALL, 4, lag=0x81) +
    drain(5) + rec(1, ST, RUNNING, RUNNABLE, 4, lag=0x90) + drain_all(),
    "gc": b"\x01\x00" + gc_cycle() + drain(3) + gc_cycle() +
    rec(5, GC, GC_STW_END, 0, pid=1) + drain_all(),
    "allocs": b"\x01\x00" + bytes([0, 3, 0, 2, 5, AL | 1 << 2, 1 | 3 << 4, F_HINT, 64]) +
    rec(3, AL, 4, 15, 5, arg0=200) + rec(3, AL, 7, 0, 0) + drain_all(),
    # -pid: goroutines found at attach continue from their state.
    "seeded": b"\x01\x00" + seed(0, 20, WAITING) + seed(1, 21, RUNNING) +
    rec(10, ST, WAITING, RUNNABLE, 20) + rec(10, ST, RUNNABLE, RUNNING, 21, pid=1) +
    drain_all(),
    # -sample: goroutines whole and creations by coin, with late goids.
    "sampled": b"\x00\x00" + sample([2, 1, 2, 2, 2, 2, 1], 1) + life(11, 5, goid_known=False) +
    life(12, 6, goid_known=False) + drain(0) + sample([1, 2, 2, 2, 2, 2, 2]) +
    life(13, 7, goid_known=False) + drain_all(),
    # the emit callback fails: the error comes back, the session ends cleanly.
    "emit-error": b"\x01\x02" + life(5, 3) + drain_all() + life(6, 4) + gc_cycle(),
    # cgo callbacks leave through deadextra; raw records of unknown type.
    "raw": b"\x00\x00" + raw(2000000, ST, DEAD, RUNNABLE, 0, 0xc000001000, F_CREATE,
                             args=(1, 0x401000, 0x401100)) +
    raw(2000010, ST, RUNNABLE, RUNNING, 33, 0xc000001000, F_PM, args=(0, 1, 0)) +
    raw(2000020, ST, RUNNING, DEADEXTRA, 33, 0xc000001000) +
    raw(2000030, 9, 0, 0, 0, 0) + drain_all(),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "decode")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
