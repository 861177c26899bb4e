#!/usr/bin/env bash
# Each distinct stack kept once (issue 12): tests/targets/stacks with 40 000
# more goroutines parked at one site (more than the 4096 a sweep reads at a
# time) and four churning pairs that park and wake without end.
#   - --stacks -v: every goroutine as the target's own dump prints it
#     (stacks_compare.py), and the sweep walked few distinct stacks (the
#     40 000 are one);
#   - a headless session (12 s) sweeping every 0.3 s into JSONL: in every sweep the
#     40 000 are one group and no goroutine is in two; a churning goroutine
#     is found on the stack of the site it parked at, each sweep anew, and
#     some are seen at both of their sites (stacks_intern_check.py).
#
#   tests/e2e/stacks_intern.sh TRACER TARGET_BINARY WORKDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 bin=$2 work=$3 many=40000
need_root
src=$(cd "$here/../targets/stacks" && pwd)/main.go
stacks_start "$tracer" "$bin" "$work" -n "$many" -churn 4
"$tracer" -pid "$tpid" --stacks -v >ours.txt 2>stderr.txt ||
	fail "--stacks failed: $(cat stderr.txt)"
"$tracer" -pid "$tpid" --headless -s --duration 12 --stack-interval 0.3 --jsonl live.jsonl \
	2>tracer.txt || fail "the tracer failed: $(cat tracer.txt)"
stacks_finish
cat stderr.txt

distinct=$(sed -n 's/.* stacks (\([0-9]*\) distinct).*/\1/p' stderr.txt)
[ -n "$distinct" ] || fail "-v gave no count of distinct stacks: $(cat stderr.txt)"
# main.go's 16 goroutines, the churners, the runtime's own: a few dozen at most.
[ "$distinct" -le 64 ] || fail "$distinct distinct stacks: the $many parked at one site are not one"
# The churning goroutines move between the dumps and our read: stacks_churn.sh checks them.
for f in before.txt after.txt ours.txt; do
	awk -v RS= -v ORS='\n\n' '!/created by main.startChurn/' "$f" >"$f.still"
done
rc=0
python3 "$here/stacks_compare.py" before.txt.still after.txt.still ours.txt.still $((many + 16)) || rc=1
python3 "$here/stacks_intern_check.py" "$src" live.jsonl "$many" || rc=1
exit $rc
