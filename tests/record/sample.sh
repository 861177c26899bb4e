#!/usr/bin/env bash
# The bundled sample (examples/sample.zst, a real recording of the demo
# workload): it replays without warnings, its exports check out, it stays small.
#   sample.sh TRACER PERFETTO_CHECK SAMPLE WORKDIR
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"

tracer=$1 pcheck=$2 sample=$3 work=$4
need_tracer "$tracer"
[ -s "$sample" ] || fail "no $sample"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

size=$(stat -c %s "$sample")
[ "$size" -lt 1048576 ] || fail "the sample is $size bytes: keep it under 1 MiB"
zstd -q -t "$sample" || fail "the sample is not a valid zstd file"
"$tracer" --replay "$sample" --headless --jsonl sample.jsonl 2>replay.err || { show replay.err; fail "replay failed"; }
[ "$(wc -l <replay.err)" -eq 1 ] && grep -q "^xgotop-tui: replaying " replay.err ||
	{ show replay.err; fail "the sample replays with warnings"; }
n=$(wc -l <sample.jsonl)
[ "$n" -gt 1000 ] || fail "only $n events in the sample"
grep -q '"event":"create".*"func":"main.producer' sample.jsonl || fail "the sample lacks the workload's goroutines"
"$tracer" --replay "$sample" --export jsonl -o export.jsonl 2>/dev/null || fail "--export jsonl failed"
cmp sample.jsonl export.jsonl || fail "--export jsonl differs from --headless --jsonl"
"$tracer" --replay "$sample" --export perfetto >trace.json 2>/dev/null || fail "--export perfetto failed"
"$pcheck" "$sample" trace.json
echo "sample: $n events in $size bytes ($(echo "scale=2; $size / $n" | bc 2>/dev/null || echo '?') bytes/event)"
echo PASS
