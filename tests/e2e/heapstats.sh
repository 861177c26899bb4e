#!/usr/bin/env bash
# The heap statistics read from the target's memory against the target's own
# runtime/metrics: tests/targets/heapstats allocates, runs a GC, prints its
# /gc/heap/allocs-by-size and frees-by-size histograms and totals (report 1)
# and waits, allocating nothing. The tracer runs and ends; a line on the
# target's stdin then makes report 2. Equal reports bracket every read the
# tracer made (the runtime's counts never go down), and the tracer's last
# heap_class and heap events must give each bucket and total exactly
# (heapstats_compare.py). The session is recorded too, and its replay must
# write the same heap events.
# Unequal reports (the target was not quiet: the runtime counted an
# allocation of its own, e.g. of a thread it started) pair no read with a
# report; the round is traced again, reports 2 and 3, up to $rounds rounds,
# and the test fails if none was quiet. A quiet round is compared exactly.
# busy: the target allocates and reads its runtime/metrics without pause
# (generations merged all the time) for 6 s; no count may go down.
#
#   tests/e2e/heapstats.sh TRACER TARGET_BINARY WORKDIR [busy]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 bin=$2 work=$3 mode=${4:-}
need_root
need_tracer "$tracer"
[ -x "$bin" ] || fail "no target at $bin: the fixture e2e.build.heapstats builds it"
command -v python3 >/dev/null || fail "python3 is needed to compare the histograms"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

mkfifo in
"$bin" $mode <in >target.txt 2>target.err &
tpid=$!
exec 3>in
cleanup() {
	exec 3>&- || true
	kill "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
}
trap cleanup EXIT
if [ "$mode" = busy ]; then
	wait_line target.txt '^ready$' 60 "$tpid" || fail "the target was not ready: $(cat target.err)"
else
	wait_line target.txt '^ready 1$' 60 "$tpid" || fail "the target was not ready: $(cat target.err)"
fi

if [ "$mode" = busy ]; then
	"$tracer" -pid "$tpid" --poll 1 --headless -s -v --duration 6 --jsonl busy.jsonl \
		2>tracer.err || fail "the tracer failed: $(cat tracer.err)"
	grep 'heap statistics' tracer.err || true
	python3 "$here/heapstats_compare.py" --monotone busy.jsonl
	exec 3>&-
	wait "$tpid" || fail "the target failed: $(cat target.err)"
	trap - EXIT
	exit 0
fi

rounds=4
threads() { ls "/proc/$tpid/task" | wc -l; }
for ((round = 1; ; round++)); do
	before=$(threads)
	"$tracer" -pid "$tpid" --headless -s -v --duration 2.5 --jsonl live.jsonl -w rec.zst \
		2>tracer.err || fail "the tracer failed: $(cat tracer.err)"
	grep -q '"event":"heap"' live.jsonl || fail "no heap event: $(cat tracer.err)"
	# Report round+1, made after the tracer's last read.
	echo >&3
	wait_line target.txt "^ready $((round + 1))\$" 30 "$tpid" ||
		fail "the target made no report $((round + 1)): $(cat target.err)"
	echo "round $round: the target had $before threads before the tracer, $(threads) after"
	quiet=0
	python3 "$here/heapstats_compare.py" target.txt live.jsonl "$round" || quiet=$?
	[ "$quiet" -eq 0 ] && break
	[ "$quiet" -eq 3 ] || exit 1
	for f in live.jsonl rec.zst tracer.err; do mv "$f" "$round.$f"; done
	[ "$round" -lt "$rounds" ] ||
		fail "the target was not quiet in any of $rounds rounds: no read can be paired with a report"
done

"$tracer" --replay rec.zst --headless --jsonl replay.jsonl 2>replay.err ||
	fail "the replay failed: $(cat replay.err)"
grep '"event":"heap' live.jsonl >live.heap
grep '"event":"heap' replay.jsonl >replay.heap
cmp -s live.heap replay.heap || fail "the replay's heap events differ: $(diff live.heap replay.heap | head)"
echo "replay: $(wc -l <replay.heap) heap events, the same"
# The Perfetto export: a heap counter per heap event, the last one's live bytes.
"$tracer" --replay rec.zst --export perfetto -o trace.json 2>>replay.err ||
	fail "the export failed: $(cat replay.err)"
python3 - trace.json live.heap <<'PY' || fail "the Perfetto export's heap counters are wrong"
import json, sys
c = [e for e in json.load(open(sys.argv[1]))["traceEvents"]
     if e.get("name") == "heap (runtime counters)"]
h = [json.loads(l) for l in open(sys.argv[2]) if '"event":"heap"' in l]
assert len(c) == len(h), (len(c), len(h))
assert c[-1]["args"]["live bytes"] == h[-1]["alloc_bytes"] - h[-1]["free_bytes"]
print(f"perfetto: {len(c)} heap counter samples")
PY

exec 3>&-
wait "$tpid" || fail "the target failed: $(cat target.err)"
trap - EXIT
