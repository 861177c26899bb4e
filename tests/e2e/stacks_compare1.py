#!/usr/bin/env python3
"""Compare xgotop-tui --stacks=1 with the target's own debug=1 profiles.

    stacks_compare1.py BEFORE.1 AFTER.1 OURS MIN_COMPARED

A group ("N @ pc..." and its "#" lines) the target printed identically in
both profiles, other than the dumping goroutine's, must be in ours.
"""
import sys



def parse(path):
    out = set()
    for g in open(path, encoding="utf-8", errors="replace").read().split("\n\n"):
        lines = [x for x in g.strip("\n").split("\n") if x]
        if lines and lines[0].startswith("goroutine profile:"):
            lines = lines[1:]
        if lines and " @ " in lines[0]:
            out.add("\n".join(lines))
    return out


def main():
    before, after, ours = (parse(p) for p in sys.argv[1:4])
    need = int(sys.argv[4])
    same = {g for g in before & after if "main.dump" not in g}
    missing = sorted(same - ours)
    for g in missing:
        print("group missing from ours:\n" + g)
    print("groups compared %d matched %d" % (len(same), len(same) - len(missing)))
    if len(same) < need:
        print("too few groups compared: want at least %d" % need)
        return 1
    return 0 if not missing else 1


sys.exit(main())
