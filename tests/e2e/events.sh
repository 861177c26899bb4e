#!/usr/bin/env bash
# Trace one of the event-source targets (tests/targets/allocs, parked, gcloop,
# spin, sysblock), launched under xgotop-tui, and compare the JSONL with the target's
# own truth (checker -mode).
#
#   events.sh TRACER CHECKER TARGET GOVERSION WORKDIR
#
# allocs: once with --probes all (every allocation, exactly, and the
#         histogram agrees with the events), once with --alloc-hist (the
#         histogram alone, no allocation event).
# parked: goroutines parked on each primitive: the wait reasons of the release.
# gcloop: runtime.GC() K times: K cycles at least, each with its pauses.
# spin:   GOMAXPROCS=2, one goroutine spinning alone: its CPU time, and P/M.
# sysblock: goroutines blocked in read(2) on pipes for a known time: their
#         syscall spans (go1.26 leaves casgstatus out of syscalls).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 5 ] || { echo "usage: $0 TRACER CHECKER TARGET GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 checker=$2 target=$3 ver=$4 w=$5
need_root
need_tracer "$tracer"
[ -x "$checker" ] || fail "no checker at $checker: the e2e.build.checker fixture failed"
[ -x "$target" ] || fail "no target at $target: the e2e.build.events fixture failed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
name=$(basename "$target")

die() {
	show "$w"/*.out "$w"/*.err "$w"/*.log
	echo "artifacts: $w" >&2
	fail "$@"
}

# run TAG CHECKMODE TRACER-FLAGS...: launch the target under the tracer, check.
run() {
	local tag=$1 mode=$2 st
	shift 2
	timeout -k 10 240 "$tracer" --overhead-budget off --headless --jsonl "$w/$tag.jsonl" "$@" -- \
		"$target" -truth "$w/$tag.truth" -exit 3 >"$w/$tag.out" 2>"$w/$tag.err"
	st=$?
	[ "$st" -ne 124 ] || die "$tag: xgotop-tui -- $name did not end within 240 s"
	[ "$st" -eq 3 ] || die "$tag: xgotop-tui -- $name -exit 3 exited $st, want 3"
	[ -s "$w/$tag.truth" ] || die "$tag: the target wrote no truth"
	grep -q "events dropped" "$w/$tag.err" && die "$tag: events were dropped"
	"$checker" -mode "$mode" -events "$w/$tag.jsonl" -truth "$w/$tag.truth" >"$w/$tag.log" 2>&1
	st=$?
	cat "$w/$tag.log"
	[ "$st" -eq 0 ] || die "$tag: checker -mode $mode found mismatches (exit $st)"
}

case $name in
allocs)
	run all allocs --probes all
	grep -Eq '^xgotop-tui: probe hits: casgstatus [0-9]+, mallocgc [1-9][0-9]*, makemap [1-9]' "$w/all.err" ||
		die "all: no probe-hit line naming mallocgc and makemap hits"
	run hist allocs-hist --alloc-hist
	;;
parked) run parked parked ;;
gcloop) run gc gc ;;
spin) GOMAXPROCS=2 run spin spin ;;
sysblock) run sys syscall ;;
*) fail "no such event target: $name" ;;
esac
echo "PASS: go$ver $(basename "$(dirname "$target")") $name"
