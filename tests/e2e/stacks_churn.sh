#!/usr/bin/env bash
# --stacks on goroutines that never stop moving: tests/targets/stacks -churn 4
# parks and wakes four goroutines at two sites without end while --stacks
# reads the process ROUNDS times. Each of them must come out as Go would
# print it at one of its two sites, running, or "changed while read": never
# a stack it did not have (stacks_churn_check.py).
#
#   tests/e2e/stacks_churn.sh TRACER TARGET_BINARY WORKDIR [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 bin=$2 work=$3 rounds=${4:-20}
need_tracer "$tracer"
[ -x "$bin" ] || fail "no target at $bin: the fixture e2e.build.stacks builds it"
command -v python3 >/dev/null || fail "python3 is needed to check the dumps"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

mkfifo in
"$bin" -churn 4 -before before.txt -after after.txt <in >out.txt 2>err.txt &
tpid=$!
exec 3>in
cleanup() {
	exec 3>&- || true
	kill "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
}
trap cleanup EXIT
while ! grep -q '^ready' out.txt; do
	kill -0 "$tpid" 2>/dev/null || fail "the target died: $(cat err.txt)"
	sleep 0.1
done
src=$(cd "$here/../targets/stacks" && pwd)/main.go
for i in $(seq "$rounds"); do
	"$tracer" -pid "$tpid" --stacks -v >"ours.$i" 2>>stderr.txt ||
		fail "--stacks failed: $(cat stderr.txt)"
done
echo go >&3
exec 3>&-
wait "$tpid" || fail "the target failed: $(cat err.txt)"
trap - EXIT
grep -o '[0-9]* changed ([0-9]* read again)' stderr.txt | sort | uniq -c
python3 "$here/stacks_churn_check.py" "$src" ours.*
