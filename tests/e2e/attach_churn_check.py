#!/usr/bin/env python3
"""The goroutines of one attach-churn.sh round whose first line is no create.

    attach_churn_check.py JSONL READ_END

Takes the create, state and exit lines of JSONL in file order and, for each
goroutine whose first such line is not a create, prints (one JSON object a
line) {"seen": whether its last such line is stamped after READ_END (ns),
"first": its first line}. A round writes 30-180 MB of JSONL: jq slurping it
took 1.2 GB and 44 s at load 18 a round, most of e2e.attach.churn's time.
The fields are read from the line's start, where the tracer writes them
(event, ts, pid, goid: docs/JSONL.md); any other line of those events is
parsed whole.
"""
import json
import re
import sys

HEAD = re.compile(rb'\{"event":"(create|state|exit)","ts":(\d+),"pid":-?\d+,"goid":(\d+)[,}]')
KINDS = (b'{"event":"create"', b'{"event":"state"', b'{"event":"exit"')


def fields(line):
    m = HEAD.match(line)
    if m:
        return m.group(1).decode(), int(m.group(2)), int(m.group(3))
    ev = json.loads(line)
    if ev.get("event") not in ("create", "state", "exit") or ev.get("goid") is None:
        return None
    return ev["event"], ev["ts"], ev["goid"]


def main():
    path, read_end = sys.argv[1], int(sys.argv[2])
    first = {}  # goid -> [first event, its line, last ts]
    with open(path, "rb") as f:
        for line in f:
            if not line.startswith(KINDS):
                continue
            got = fields(line)
            if got is None:
                continue
            event, ts, goid = got
            g = first.get(goid)
            if g is None:
                first[goid] = [event, line if event != "create" else None, ts]
            else:
                g[2] = ts
    for event, line, last in first.values():
        if event != "create":
            print(json.dumps({"seen": last > read_end, "first": json.loads(line)}))
    return 0


sys.exit(main())
