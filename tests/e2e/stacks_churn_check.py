#!/usr/bin/env python3
"""Check --stacks output of churning goroutines (tests/e2e/stacks_churn.sh).

    stacks_churn_check.py MAIN_GO OURS...

Every goroutine started by main.startChurn (main.churner and its feeder)
must be printed as running, as changed while read, or with the one frame
Go prints for it: its function at a line of MAIN_GO marked "// churn"
(where it parks, or where it was preempted). Prints the counts of each;
fails on anything else, or when no goroutine was ever caught parked.
"""
import re
import sys


def main():
    src, outs = sys.argv[1], sys.argv[2:]
    sites = {i + 1 for i, l in enumerate(open(src)) if "// churn" in l}
    if len(sites) != 6:
        print("want six churn lines in %s, found %d" % (src, len(sites)))
        return 1
    counts = {"parked": 0, "running": 0, "changed": 0}
    bad = 0
    for path in outs:
        for b in open(path).read().strip("\n").split("\n\n"):
            lines = b.split("\n")
            if not any(l.startswith("created by main.startChurn") for l in lines):
                continue
            if lines[1:2] == ["\tgoroutine running on other thread; stack unavailable"]:
                counts["running"] += 1
                continue
            if lines[1:2] == ["\tgoroutine changed while read; stack unavailable (xgotop-tui)"]:
                counts["changed"] += 1
                continue
            ok = (len(lines) == 5 and
                  lines[1] in ("main.churner(...)", "main.startChurn.func1()") and
                  re.fullmatch(r"\t%s:(\d+) \+0x[0-9a-f]+" % re.escape(src), lines[2]) and
                  int(re.fullmatch(r"\t.*:(\d+) .*", lines[2]).group(1)) in sites)
            if ok:
                counts["parked"] += 1
            else:
                bad += 1
                print("%s: not a stack main.churner can have:\n%s" % (path, b))
    print("churners: %(parked)d parked, %(running)d running, %(changed)d changed" % counts)
    if bad or not counts["parked"]:
        return 1
    return 0


sys.exit(main())
