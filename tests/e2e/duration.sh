#!/usr/bin/env bash
# --duration SEC is the command's time, the attach included (README): the
# session it traces, from its first meter sample (after the attach) to its
# last (at the end), the --metrics summary's duration_s, is then shorter
# than SEC. Counted from the attach instead, it would be longer: the first
# sample came after the timer started, the last one at its end or later.
# The target is tests/targets/resync, idle (it churns only when told).
#
#   duration.sh TRACER GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 TRACER GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 ver=$2 w=$3 secs=2
need_root
need_tracer "$tracer"
command -v jq >/dev/null || fail "jq is needed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
build_resync "$ver" "$w"

tpid=
trap '[ -z "$tpid" ] || { touch "$w/exit"; stop "$tpid"; }' EXIT
start_resync "$w"

for mode in headless n; do
	case $mode in
	headless) args=(--headless -s --jsonl /dev/null) ;;
	n) args=(-n 1000 -d 0.2) ;;
	esac
	"$tracer" -pid "$tpid" "${args[@]}" --duration $secs --metrics "$w/m-$mode.json" \
		>"$w/out-$mode" 2>"$w/err-$mode"
	rc=$?
	[ $rc -eq 0 ] || { show "$w/err-$mode"; fail "$mode: the tracer exited $rc"; }
	d=$(jq -r .duration_s "$w/m-$mode.json") || fail "$mode: no summary"
	echo "$mode: --duration $secs traced $d s"
	jq -e ".duration_s < $secs" "$w/m-$mode.json" >/dev/null ||
		fail "$mode: traced $d s of --duration $secs: the attach was not counted"
done
echo "ok"
