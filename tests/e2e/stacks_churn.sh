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
stacks_start "$tracer" "$bin" "$work" -churn 4
src=$(cd "$here/../targets/stacks" && pwd)/main.go
for i in $(seq "$rounds"); do
	"$tracer" -pid "$tpid" --stacks -v >"ours.$i" 2>>stderr.txt ||
		fail "--stacks failed: $(cat stderr.txt)"
done
stacks_finish
grep -o '[0-9]* changed ([0-9]* read again)' stderr.txt | sort | uniq -c
python3 "$here/stacks_churn_check.py" "$src" ours.*
