#!/usr/bin/env python3
"""Ask a Prometheus server's HTTP API (/api/v1/query) what it scraped from
xgotop-tui, and compare with tests/targets/held's ground truth.

  prometheus_check.py URL TRUTH parked    every held goroutine, by wait reason and by
                                          start function, exactly as the truth says
  prometheus_check.py URL TRUTH released  every one exited, its wait finished, none live;
                                          README's example queries evaluate

Polls (scrapes come each second) until the answers match or 60 s pass; then
prints what differs and exits 1.
"""
import json
import os
import sys
import time
import urllib.parse
import urllib.request


def query(url, q):
    with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode({"query": q}),
                                timeout=10) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise RuntimeError(f"query {q}: {d}")
    return {json.dumps(s["metric"], sort_keys=True): float(s["value"][1]) for s in d["data"]["result"]}


def one(url, q):
    v = query(url, q)
    return list(v.values())[0] if len(v) == 1 else None


def parked(url, t):
    bad = []
    if one(url, 'up{job="xgotop"}') != 1:
        bad.append("up{job=\"xgotop\"} is not 1")
    for reason, n in sorted(t["by_reason"].items()):
        q = f'xgotop_goroutines{{job="xgotop",state="waiting",wait_reason="{reason}"}}'
        got = one(url, q)
        if got != n:
            bad.append(f"{q} = {got}, truth {n}")
    for fn, n in sorted(t["by_function"].items()):
        q = f'xgotop_goroutines_by_function{{job="xgotop",function="{fn}",state="waiting"}}'
        got = one(url, q)
        if got != n:
            bad.append(f"{q} = {got}, truth {n}")
        q = f'sum(xgotop_goroutines_by_function{{job="xgotop",function="{fn}",state!="waiting"}})'
        if query(url, q) and one(url, q) != 0:
            bad.append(f"{q} = {one(url, q)}, truth 0")
    info = query(url, 'xgotop_target_info{job="xgotop"}')
    pids = [json.loads(k).get("pid") for k in info]
    if pids != [str(t["pid"])]:
        bad.append(f"xgotop_target_info pids {pids}, truth {t['pid']}")
    return bad


def readme_queries():
    """The queries of README's promql block: each must evaluate (the docs stay true)."""
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
    text = open(readme).read()
    block = text.split("```promql\n", 1)[1].split("```", 1)[0]
    return [l for l in block.splitlines() if l.strip() and not l.startswith("#")]


def released(url, t):
    bad = []
    got = one(url, 'xgotop_goroutines_exited_total{job="xgotop"}')
    if got is None or got < t["total"]:
        bad.append(f"xgotop_goroutines_exited_total = {got}, want >= {t['total']}")
    for reason, n in sorted(t["by_reason"].items()):
        q = f'xgotop_goroutine_wait_seconds_count{{job="xgotop",wait_reason="{reason}"}}'
        got = one(url, q)
        if got is None or got < n:
            bad.append(f"{q} = {got}, want >= {n} (their waits ended)")
    q = 'xgotop_goroutines_by_function{job="xgotop",function=~"main\\\\..*Worker"}'
    if query(url, q):
        bad.append(f"{q}: still live: {query(url, q)}")
    if one(url, 'xgotop_dropped_records_total{job="xgotop"}') != 0:
        bad.append("xgotop_dropped_records_total is not 0")
    # The README's p99 query evaluates to a number of seconds.
    q = ('histogram_quantile(0.99, sum by (le) '
         '(rate(xgotop_goroutine_wait_seconds_bucket{job="xgotop"}[1m])))')
    v = one(url, q)
    if v is None or not v >= 0:
        bad.append(f"{q} = {v}")
    for q in readme_queries():
        try:
            query(url, q)
        except (OSError, RuntimeError) as e:
            bad.append(f"README's {q}: {e}")
    return bad


def main():
    url, truth, phase = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
    check = {"parked": parked, "released": released}[phase]
    # A cap for what never comes, not a speed bound (slow under load 40-54).
    end = time.monotonic() + 240
    while True:
        try:
            bad = check(url, truth)
        except (OSError, RuntimeError) as e:
            bad = [str(e)]
        if not bad:
            print(f"{phase}: Prometheus agrees with the truth")
            return
        if time.monotonic() > end:
            print(f"FAIL: {phase}:\n  " + "\n  ".join(bad), file=sys.stderr)
            sys.exit(1)
        time.sleep(1)


if __name__ == "__main__":
    main()
