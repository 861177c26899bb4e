#!/usr/bin/env bash
# Stacks swept in the background, recorded and replayed (issue 15, format
# 1.3): tests/targets/stacks parks goroutines at known sites and dumps its
# own stacks; the tracer runs headless on it with --stack-interval,
# --record and --jsonl. Then:
#   - --replay --headless --jsonl writes the live run's JSONL byte for byte,
#     "stack" lines included (several sweeps);
#   - --replay --stacks prints, for every goroutine whose own dump is the
#     same before and after, the same status and frames (function,
#     file:line) as that dump, minus what a sweep does not keep (arguments,
#     +0x offsets, created by) (stacks_record_check.py).
#
#   tests/e2e/stacks_record.sh TRACER TARGET_BINARY WORKDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 bin=$2 work=$3
need_root
need_tracer "$tracer"
[ -x "$bin" ] || fail "no target at $bin: the fixture e2e.build.stacks builds it"
command -v python3 >/dev/null || fail "python3 is needed to check the dumps"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

mkfifo in
"$bin" -before before.txt -after after.txt <in >out.txt 2>err.txt &
tpid=$!
exec 3>in
cleanup() {
	exec 3>&- || true
	kill "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
}
trap cleanup EXIT
wait_line out.txt '^ready' 60 "$tpid" || fail "the target did not start: $(cat err.txt)"

"$tracer" -pid "$tpid" --headless -s --duration 3 --stack-interval 0.5 \
	--record rec.zst --jsonl live.jsonl 2>tracer.txt ||
	fail "the tracer failed: $(cat tracer.txt)"
echo go >&3
exec 3>&-
wait "$tpid" || fail "the target failed: $(cat err.txt)"
trap - EXIT

sweeps=$(grep '"event":"stack"' live.jsonl | grep -o '"ts":[0-9]*' | sort -u | wc -l)
[ "$sweeps" -ge 3 ] || fail "$sweeps sweeps in 3 s at --stack-interval 0.5"
"$tracer" --replay rec.zst --headless --jsonl replay.jsonl 2>replay.txt ||
	fail "--replay --jsonl failed: $(cat replay.txt)"
cmp live.jsonl replay.jsonl || fail "the replayed JSONL differs from the live run's"
"$tracer" --replay rec.zst --stacks >ours.txt 2>stacks.txt ||
	fail "--replay --stacks failed: $(cat stacks.txt)"
echo "$sweeps sweeps; JSONL identical ($(wc -l <live.jsonl) lines)"
python3 "$here/stacks_record_check.py" before.txt after.txt ours.txt
