#!/usr/bin/env bash
# Ground truth for --stacks: tests/targets/stacks dumps its own goroutines
# (runtime.Stack(buf, true) and the debug=1 goroutine profile) before and
# after xgotop-tui reads them; every goroutine (group) identical in both of
# its dumps must be identical in ours (tests/e2e/stacks_compare*.py).
#
#   tests/e2e/stacks.sh TRACER TARGET_BINARY WORKDIR
#
# Needs ptrace access to the target (root here). Prints the match counts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 bin=$2 work=$3
stacks_start "$tracer" "$bin" "$work"
"$tracer" -pid "$tpid" --stacks -v >ours.txt 2>stderr.txt ||
	fail "--stacks failed: $(cat stderr.txt)"
"$tracer" -pid "$tpid" --stacks=1 >ours.1 2>>stderr.txt ||
	fail "--stacks=1 failed: $(cat stderr.txt)"
stacks_finish
cat stderr.txt

# 16 goroutines of main.go are parked for the whole run, in 12 distinct groups (both
# recursions share their first 32 or 128 PCs).
rc=0
python3 "$here/stacks_compare.py" before.txt after.txt ours.txt 16 || rc=1
python3 "$here/stacks_compare1.py" before.txt.1 after.txt.1 ours.1 12 || rc=1
exit $rc
