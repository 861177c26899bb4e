#!/usr/bin/env python3
"""The goroutines alive when the traced process exited ended with it
(docs/JSONL.md, "exit"): checks a JSONL stream for it.

    endexits.py ended EVENTS     the process exited while traced: every
                                 goroutine created has exactly one exit; those
                                 concluded at the end (inferred, tid 0) come
                                 after every other line of the process, all
                                 at one ts, and goroutine 1 is one of them
    endexits.py stopped EVENTS   tracing stopped first: goroutine 1 has no
                                 exit, and no exit comes after every other line

Exit 1 on a mismatch (each printed), 2 on bad usage.
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def lifecycle(evs):
    return [e for e in evs if e["event"] in ("create", "state", "exit")]


def concluded(e):
    return e.get("inferred") and (e["event"] == "exit" or e.get("to") == "dead")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ended", "stopped"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, evs = sys.argv[1], lifecycle(load(sys.argv[2]))
    bad = []
    seen_end = max((e["ts"] for e in evs if not concluded(e)), default=0)
    at_end = [e for e in evs if e["event"] == "exit" and concluded(e) and e["ts"] >= seen_end]
    exits = {}
    for e in evs:
        if e["event"] == "exit":
            exits[e["goid"]] = exits.get(e["goid"], 0) + 1
    if mode == "ended":
        created = {e["goid"] for e in evs if e["event"] == "create"}
        for g in sorted(created):
            if exits.get(g, 0) != 1:
                bad.append(f"goroutine {g}: {exits.get(g, 0)} exits, want 1")
        if 1 not in {e["goid"] for e in at_end}:
            bad.append("goroutine 1 did not end with the process")
        if len({e["ts"] for e in at_end}) > 1:
            bad.append(f"the exits at the end have {len({e['ts'] for e in at_end})} stamps")
        if any(e["tid"] != 0 for e in at_end):
            bad.append("an exit at the end names a thread")
        # After every other line: nothing of the process follows them in the file.
        first = min((i for i, e in enumerate(evs) if e in at_end), default=len(evs))
        if any(not concluded(e) for e in evs[first:]):
            bad.append("a line seen comes after the exits at the end")
    else:
        if exits.get(1):
            bad.append("goroutine 1 has an exit, but tracing stopped before the process")
        if at_end and seen_end:
            bad.append(f"{len(at_end)} exits concluded after every other line")
    for b in bad:
        print("MISMATCH", b)
    print(f"endexits {mode}: {len(evs)} lines, {len(at_end)} goroutines ended with the "
          f"process, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
