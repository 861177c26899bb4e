#!/usr/bin/env python3
"""Compare --replay --stacks (a recorded sweep) with the target's own dumps.

    stacks_record_check.py BEFORE AFTER OURS

Every goroutine whose own dump is identical BEFORE and AFTER (it stayed
parked) must be in OURS with the same wait reason and the same frames:
function names and file:line, which is what a recorded sweep keeps (not the
argument values, "+0x" offsets, "created by" or "locked to thread").
Goroutines whose dump elides frames (deeper than 100) are compared on
their first 50 frames. Fails unless at least 8 goroutines were compared.
"""
import re
import sys

HEAD = re.compile(r"^goroutine (\d+) \[([^\]]*)\]:$")


def parse(path):
    gs, cur = {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read().split("\n"):
            m = HEAD.match(line)
            if m:
                cur = gs.setdefault(int(m.group(1)), {"state": m.group(2), "lines": []})
                continue
            if cur is not None and line:
                cur["lines"].append(line)
    return gs


def frames(lines):
    """(func, file:line) pairs up to "created by"; None for an elided stack."""
    out, elided, i = [], False, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("created by "):
            break
        if "frames elided" in line:
            elided = True
            break
        if line.startswith("\t") or i + 1 >= len(lines):
            i += 1
            continue
        func = line[: line.rfind("(")] if line.endswith(")") else line
        where = lines[i + 1].strip().split(" +0x")[0]
        out.append((func, where))
        i += 2
    return out, elided


def main():
    before, after, ours = (parse(p) for p in sys.argv[1:4])
    compared, bad = 0, []
    for goid, g in before.items():
        if after.get(goid) != g or goid not in ours:
            continue
        want, elided = frames(g["lines"])
        got, _ = frames(ours[goid]["lines"])
        if elided:
            want, got = want[:50], got[:50]
        state = g["state"].split(",")[0]
        if ours[goid]["state"].split(",")[0] != state or want != got:
            bad.append((goid, state, want, ours[goid]["state"], got))
        compared += 1
    for goid, state, want, ostate, got in bad:
        print(f"goroutine {goid}: Go [{state}] {want}\n  ours [{ostate}] {got}")
    print(f"{compared - len(bad)} of {compared} goroutines match the target's own dump")
    if bad or compared < 8:
        sys.exit(1)


if __name__ == "__main__":
    main()
