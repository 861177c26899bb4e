#!/usr/bin/env python3
"""Compare the heap events of a tracer's JSONL with the runtime/metrics the
target printed (tests/targets/heapstats): every size-class bucket of
/gc/heap/allocs-by-size:bytes and frees-by-size:bytes and every total equal.

The target reports before the tracer starts (report ROUND, default 1) and
after it has ended (report ROUND+1), allocating nothing in between. The
runtime's counts never go down, so equal reports hold the counts of every
read the tracer made: the comparison is exact. Unequal reports mean the
target was not quiet (an allocation counted after report ROUND, e.g. by a
thread the runtime started), and no read of the tracer can be paired with a
report: that ends with status 3, saying so, and heapstats.sh traces another
round.

    heapstats_compare.py TARGET_OUTPUT JSONL [ROUND]
    heapstats_compare.py --monotone JSONL

--monotone: the counts of a program that never stops allocating and reading
its runtime/metrics never go down from one read to the next (a read made
while consistentHeapStats.read merges generations would count some twice
or miss them), and there are at least 4 reads.
"""
import json
import sys

NOT_QUIET = 3  # the exit status heapstats.sh retries on


def reports(path):
    """The target's reports in order: (histograms, metrics), each ended by `ready N`."""
    out, want, metric = [], {"alloc": {}, "free": {}}, {}
    for line in open(path):
        f = line.split()
        if f and f[0] in want:
            want[f[0]][f[1]] = int(f[2])
        elif f and f[0] == "metric":
            metric[f[1]] = int(f[2])
        elif f and f[0] == "ready":
            if f[1:] != [str(len(out) + 1)]:
                sys.exit(f"FAIL: the target's report {len(out) + 1} ends with {line.strip()!r}")
            out.append((want, metric))
            want, metric = {"alloc": {}, "free": {}}, {}
    return out


def monotone(jsonl):
    last, reads, bad = {}, 0, 0
    for line in open(jsonl):
        ev = json.loads(line)
        if ev["event"] not in ("heap", "heap_class"):
            continue
        key = ev.get("class", "totals")
        reads += ev["event"] == "heap"
        for f in ("allocs", "frees", "alloc_bytes", "free_bytes", "tiny"):
            if f in ev and key in last and ev[f] < last[key][f]:
                print(f"class {key}: {f} went down from {last[key][f]} to {ev[f]}")
                bad += 1
        last[key] = ev
    if reads < 4:
        sys.exit(f"FAIL: {reads} heap reads, want 4 or more")
    if bad:
        sys.exit(f"FAIL: {bad} counts went down")
    print(f"ok: {reads} reads, no count went down "
          f"({last['totals']['allocs']} objects allocated)")


def main():
    if sys.argv[1] == "--monotone":
        monotone(sys.argv[2])
        return
    target, jsonl = sys.argv[1], sys.argv[2]
    rnd = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    reps = reports(target)
    if len(reps) != rnd + 1:
        sys.exit(f"FAIL: the target made {len(reps)} reports, want {rnd + 1} "
                 f"(before and after the tracer of round {rnd})")
    want, metric = reps[rnd - 1]
    after = reps[rnd]
    if not want["alloc"] or len(metric) < 7:
        sys.exit("FAIL: the target printed no histogram")
    if after != reps[rnd - 1]:
        for what in ("alloc", "free"):
            for key, v in want[what].items():
                if after[0][what].get(key) != v:
                    print(f"target: {what} bucket <{key}: {v} before the tracer, "
                          f"{after[0][what].get(key)} after")
        for name, v in metric.items():
            if after[1].get(name) != v:
                print(f"target: {name}: {v} before the tracer, {after[1].get(name)} after")
        print(f"round {rnd}: the target's counts changed while the tracer read: "
              "it was not quiet, no read can be paired with a report")
        sys.exit(NOT_QUIET)
    classes, heap = {}, None
    for line in open(jsonl):
        ev = json.loads(line)
        if ev["event"] == "heap_class":
            classes[ev["class"]] = ev  # cumulative: the last one holds
        elif ev["event"] == "heap":
            heap = ev
    if heap is None:
        sys.exit("FAIL: no heap event")
    got = {"alloc": {}, "free": {}}
    for c, ev in classes.items():
        # runtime/metrics buckets: [size+1 of the class before, size+1); large is +Inf.
        key = "inf" if ev["class_size"] == 0 else str(ev["class_size"] + 1)
        got["alloc"][key] = ev["allocs"]
        got["free"][key] = ev["frees"]
    bad = checked = exact = 0
    for what in ("alloc", "free"):
        for key, theirs in want[what].items():
            ours = got[what].get(key, 0)
            checked += 1
            exact += ours == theirs
            if ours != theirs:
                print(f"{what} bucket <{key}: ours {ours}, runtime/metrics {theirs}")
                bad += 1
        for key in got[what]:
            if key not in want[what]:
                print(f"{what} bucket <{key}: runtime/metrics has no such bucket")
                bad += 1
    totals = {
        "/gc/heap/allocs:objects": heap["allocs"],
        "/gc/heap/allocs:bytes": heap["alloc_bytes"],
        "/gc/heap/frees:objects": heap["frees"],
        "/gc/heap/frees:bytes": heap["free_bytes"],
        "/gc/heap/objects:objects": heap["allocs"] - heap["frees"],
        "/memory/classes/heap/objects:bytes": heap["alloc_bytes"] - heap["free_bytes"],
        "/gc/heap/tiny/allocs:objects": heap["tiny"],
    }
    for name, ours in totals.items():
        checked += 1
        exact += ours == metric[name]
        if ours != metric[name]:
            print(f"{name}: ours {ours}, runtime/metrics {metric[name]}")
            bad += 1
    nonzero = sum(1 for v in want["alloc"].values() if v)
    if nonzero < 40:
        sys.exit(f"FAIL: the target allocated in only {nonzero} buckets")
    if bad:
        sys.exit(f"FAIL: {bad} of {checked} numbers differ")
    assert exact == checked
    print(f"ok: round {rnd}: {checked} numbers equal, the same in both reports ({nonzero} buckets with allocations, "
          f"{heap['allocs']} objects, {heap['alloc_bytes']} bytes)")


main()
