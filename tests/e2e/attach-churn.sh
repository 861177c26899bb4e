#!/usr/bin/env bash
# Goroutines born around attach: tests/targets/resync, built by Go VERSION,
# churns goroutines (created, handed a value, ended, as fast as it can)
# while xgotop-tui attaches with -pid, ROUNDS times, for SECONDS each
# (--duration: the command's whole time). The tracer reads the goroutine
# table before the probes go in and again once they are in (-v says when).
# A goroutine with no create record was created before the probes; if it
# still had records after that second read ended, it was alive throughout
# the read: its first line must be a create (marked existing), not a state
# line of an "(unknown)" goroutine. Those created after the first read and
# ended before the end of the second have records of nothing but their
# end, in no read: they are counted, not judged. Rounds that lost records (DROP, then a re-read of the table
# is another test's: resync.sh) are not judged; at least one must be.
# The ring is 256 MiB so that a round seldom loses any: at the default 16 MiB, 2 to 4 of the
# 6 one-second rounds lost records on a quiet machine, and all 6 in a CI run at e79cdce.
#
#   attach-churn.sh TRACER GOVERSION WORKDIR [ROUNDS [SECONDS]]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

[ $# -ge 3 ] && [ $# -le 5 ] || { echo "usage: $0 TRACER GOVERSION WORKDIR [ROUNDS [SECONDS]]" >&2; exit 2; }
tracer=$1 ver=$2 w=$3 rounds=${4:-6} secs=${5:-1}
need_root
need_tracer "$tracer"
command -v jq >/dev/null || fail "jq is needed"
command -v python3 >/dev/null || fail "python3 is needed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
build_resync "$ver" "$w"

tpid=
trap '[ -z "$tpid" ] || { touch "$w/exit"; stop "$tpid"; }' EXIT
start_resync "$w"
touch "$w/start"

judged=0 bad=0
for ((i = 1; i <= rounds; i++)); do
	j=$w/live$i.jsonl
	"$tracer" -pid "$tpid" --overhead-budget off --headless -s -v --ringbuf-mb 256 --duration "$secs" --jsonl "$j" \
		--metrics "$w/m$i.json" >/dev/null 2>"$w/tracer$i.err"
	rc=$?
	[ $rc -eq 0 ] || { show "$w/tracer$i.err"; fail "round $i: the tracer exited $rc"; }
	drops=$(jq -r .drops "$w/m$i.json")
	if [ "$drops" != 0 ]; then
		echo "round $i: $drops records lost: not judged"
		continue
	fi
	read_end=$(sed -n 's/.*goroutine table read again from [0-9]* to \([0-9]*\) ns.*/\1/p' \
		"$w/tracer$i.err")
	[ -n "$read_end" ] || { show "$w/tracer$i.err"; fail "round $i: no second read of the table"; }
	judged=$((judged + 1))
	# Goroutines whose first line (in file order) is not a create: [alive at the end, ended].
	python3 "$here/attach_churn_check.py" "$j" "$read_end" >"$w/unknown$i.json" ||
		fail "round $i: attach_churn_check.py could not read $j"
	n=$(jq -s 'map(select(.seen)) | length' "$w/unknown$i.json")
	ended=$(jq -s 'map(select(.seen | not)) | length' "$w/unknown$i.json")
	# Said, not judged: counted from the lines' start (event first, docs/JSONL.md).
	existing=$(grep -c '^{"event":"create".*"existing":true' "$j")
	creates=$(grep -c '^{"event":"create"' "$j")
	echo "round $i: $creates creates ($existing existing); without one: $n alive after" \
		"the second read, $ended ended before its end"
	if [ "$n" != 0 ]; then
		bad=$((bad + 1))
		jq -c 'select(.seen)' "$w/unknown$i.json" | head -3 >&2
	fi
done
[ $judged -gt 0 ] || fail "every round lost records: nothing judged (artifacts: $w)"
[ $bad -eq 0 ] || fail "$bad of $judged rounds had goroutines without a create (artifacts: $w)"
echo "ok: $judged rounds judged, every goroutine created or listed existing"
