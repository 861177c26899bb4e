#!/usr/bin/env python3
"""Check the stack sweeps of a live session (tests/e2e/stacks_intern.sh).

    stacks_intern_check.py MAIN_GO JSONL MANY

For every sweep (the "stack" lines of one ts): no goroutine in two groups;
one group of at least MANY goroutines (those parked at one site are one
stack) and no other group of more than a handful. Every churning goroutine
(main.churner, main.startChurn.func1) with a stack is on one of its sites,
the lines of MAIN_GO marked "// churn"; across sweeps, some are seen at two
different sites (a goroutine's stack follows it). Prints what it saw.
"""
import json
import sys
from collections import defaultdict

CHURN = ("main.churner", "main.startChurn.func1")


def main():
    src, path, many = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sites = {i + 1 for i, l in enumerate(open(src)) if "// churn" in l}
    sweeps = defaultdict(list)
    for line in open(path):
        ev = json.loads(line)
        if ev.get("event") == "stack":
            sweeps[ev["ts"]].append(ev)
    if len(sweeps) < 3:
        print("%d sweeps in the session: want at least 3" % len(sweeps))
        return 1
    seen = defaultdict(set)  # churning goid -> the sites it was found parked at
    bad = 0
    for ts, groups in sorted(sweeps.items()):
        goids = [g for grp in groups for g in grp["goids"]]
        if len(goids) != len(set(goids)):
            print("sweep %d: a goroutine in two groups" % ts)
            bad += 1
        sizes = sorted((grp["count"] for grp in groups if grp["frames"]), reverse=True)
        if not sizes or sizes[0] < many or (len(sizes) > 1 and sizes[1] > 16):
            print("sweep %d: groups of %s: want one of %d or more, the others small" %
                  (ts, sizes[:4], many))
            bad += 1
        for grp in groups:
            churn = [f for f in grp["frames"] if f["func"] in CHURN and f["file"] == src]
            if not churn:
                continue
            if len(churn) != 1 or churn[0]["line"] not in sites:
                print("sweep %d: churning goroutines %s on a stack they cannot have: %s" %
                      (ts, grp["goids"], grp["frames"]))
                bad += 1
                continue
            for g in grp["goids"]:
                seen[g].add(churn[0]["line"])
    moved = sum(1 for s in seen.values() if len(s) > 1)
    print("%d sweeps; %d churning goroutines found parked, %d of them at two sites" %
          (len(sweeps), len(seen), moved))
    if not moved:
        print("no churning goroutine was seen at two different sites")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
