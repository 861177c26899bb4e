#!/usr/bin/env python3
"""Compare xgotop-tui --stacks with the target's own dumps (tests/e2e/stacks.sh).

    stacks_compare.py BEFORE AFTER OURS MIN_COMPARED

Every goroutine the target printed identically in both of its dumps, and
not running (the dumping goroutine), must appear in ours exactly: header,
every frame line, file:line +0xoff, "created by". Argument lists compare
as "(...)" (we print no argument values). Prints "compared N matched M
skipped K (changed between the target's dumps) and R running".
"""
import re
import sys


def blocks(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = {}
    for b in text.strip("\n").split("\n\n"):
        lines = b.split("\n")
        m = re.match(r"goroutine (\d+) \[", lines[0])
        if not m:
            continue
        out[int(m.group(1))] = [norm(x) for x in lines]
    return out


def norm(line):
    if line.startswith("goroutine "):
        return re.sub(r", \d+ minutes", "", line)
    if line.startswith("\t") or line.startswith("created by ") or line.startswith("..."):
        return line
    if line.endswith(")") and "(" in line:
        head, args = line.rsplit("(", 1)
        return head + ("()" if args == ")" else "(...)")
    return line


def main():
    before, after, ours = (blocks(p) for p in sys.argv[1:4])
    need = int(sys.argv[4])
    compared = matched = running = changed = 0
    for goid, b in sorted(before.items()):
        if "[running" in b[0]:
            running += 1
            continue
        if after.get(goid) != b:
            changed += 1
            continue
        compared += 1
        if ours.get(goid) == b:
            matched += 1
            continue
        print("goroutine %d differs:\n--- go\n%s\n--- xgotop-tui\n%s" %
              (goid, "\n".join(b), "\n".join(ours.get(goid, ["(missing)"]))))
    print("compared %d matched %d skipped %d (changed between the target's dumps) "
          "and %d running" % (compared, matched, changed, running))
    if compared < need:
        print("too few goroutines compared: want at least %d" % need)
        return 1
    return 0 if matched == compared else 1


sys.exit(main())
