#!/usr/bin/env bash
# Trace tests/targets/lifecycle with xgotop-tui in one attach mode and compare
# the JSONL with the target's own truth (checker).
#
#   lifecycle.sh TRACER CHECKER TARGET GOVERSION MODE WORKDIR
#
# MODE pid:    start the target (it waits for SIGUSR1), attach with -pid, send
#              SIGUSR1; the tracer must exit by itself once the target has.
# MODE launch: xgotop-tui ... -- TARGET -now -exit 3; the tracer must exit 3 and
#              pass the target's stdout through.
# MODE b:      xgotop-tui -b TARGET, then run TARGET -now, then SIGINT the tracer.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 6 ] || { echo "usage: $0 TRACER CHECKER TARGET GOVERSION MODE WORKDIR" >&2; exit 2; }
tracer=$1 checker=$2 target=$3 ver=$4 mode=$5 w=$6
need_root
need_tracer "$tracer"
[ -x "$checker" ] || fail "no checker at $checker: the e2e.build.checker fixture failed"
[ -x "$target" ] || fail "no target at $target: the e2e.build.matrix fixture failed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
events=$w/events.jsonl truth=$w/truth.jsonl
arch=$(goarch)
tpid= xpid=
trap 'stop "$xpid"; stop "$tpid"' EXIT

# Everything the test saw goes to the log when it fails.
die() {
	show "$w"/*.out "$w"/*.err
	echo "artifacts: $w" >&2
	fail "$@"
}

# attach_re PID: the attach line the tracer must print on stderr.
attach_re() {
	if [ "$mode" = b ]; then
		echo "^xgotop-tui: attached to [^ ]+ \\(go$ver, $arch\\), all processes: probes [^ ]+$"
	else
		echo "^xgotop-tui: attached to pid $1 \\([^,]+, go$ver, $arch\\): probes [^ ]+$"
	fi
}

case $mode in
pid)
	"$target" -truth "$truth" >"$w/target.out" 2>"$w/target.err" &
	tpid=$!
	wait_line "$w/target.out" '^ready$' 20 "$tpid" || die "target never printed ready"
	timeout -k 10 240 "$tracer" -pid "$tpid" --overhead-budget off --headless --jsonl "$events" \
		>"$w/tracer.out" 2>"$w/tracer.err" &
	xpid=$!
	wait_line "$w/tracer.err" "$(attach_re "$tpid")" 60 "$xpid" ||
		die "no attach line from xgotop-tui -pid $tpid within 60 s (want /$(attach_re "$tpid")/)"
	kill -USR1 "$tpid"
	wait_exit "$tpid" 150 || die "target still running 150 s after SIGUSR1"
	tst=$status tpid=
	[ "$tst" -eq 0 ] || die "target exited $tst"
	wait_exit "$xpid" 30 ||
		die "xgotop-tui -pid still running 30 s after its target exited: it must exit by itself"
	xst=$status xpid=
	[ "$xst" -eq 0 ] || die "xgotop-tui -pid exited $xst after its target exited, want 0"
	;;
launch)
	timeout -k 10 240 "$tracer" --overhead-budget off --headless --jsonl "$events" -- \
		"$target" -now -truth "$truth" -exit 3 >"$w/tracer.out" 2>"$w/tracer.err"
	xst=$?
	[ "$xst" -ne 124 ] || die "xgotop-tui -- TARGET did not end within 240 s"
	[ "$xst" -eq 3 ] || die "xgotop-tui -- TARGET -exit 3 exited $xst, want the target's status 3"
	grep -Eqx 'lifecycle: done, [0-9]+ goroutines' "$w/tracer.out" ||
		die "the target's stdout did not pass through xgotop-tui"
	[ -s "$truth" ] || die "the target wrote no truth"
	tpid=$(sed -n '1s/.*"pid":\([0-9]*\).*/\1/p' "$truth")
	grep -Eq "$(attach_re "$tpid")" "$w/tracer.err" ||
		die "no attach line for pid $tpid (want /$(attach_re "$tpid")/)"
	# Goroutine 1 created under the probes, named as Go's dump shows it (runtime.main hidden).
	grep -q '"event":"create",[^}]*"goid":1,"parent":0,"func":"main.main",' "$events" ||
		die "launch: no create of goroutine 1 named main.main"
	tpid=
	;;
b)
	timeout -k 10 240 "$tracer" -b "$target" --overhead-budget off --headless --jsonl "$events" \
		>"$w/tracer.out" 2>"$w/tracer.err" &
	xpid=$!
	wait_line "$w/tracer.err" "$(attach_re)" 60 "$xpid" ||
		die "no attach line from xgotop-tui -b within 60 s (want /$(attach_re)/)"
	timeout -k 5 150 "$target" -now -truth "$truth" >"$w/target.out" 2>"$w/target.err"
	tst=$?
	[ "$tst" -eq 0 ] || die "target exited $tst"
	alive "$xpid" || die "xgotop-tui -b ended before SIGINT"
	kill -INT "$xpid"
	wait_exit "$xpid" 30 || die "xgotop-tui -b still running 30 s after SIGINT"
	xst=$status xpid=
	[ "$xst" -eq 0 ] || die "xgotop-tui -b exited $xst on SIGINT, want 0"
	;;
*)
	fail "unknown mode $mode (pid, launch, b)"
	;;
esac

[ -s "$truth" ] || die "the target wrote no truth"
grep -Ev '^xgotop-tui: attached to ' "$w/tracer.err" | head -5 >"$w/tracer-other.err"
show "$w/tracer-other.err"
"$checker" -events "$events" -truth "$truth" >"$w/checker.log" 2>&1
cst=$?
cat "$w/checker.log"
[ "$cst" -eq 0 ] || die "checker found mismatches (exit $cst)"
if [ "$mode" = pid ]; then
	# The goroutines there before attaching are listed, named, as such: main's among them.
	# Goroutine 1 named as Go's dump shows it: main.main (runtime.main hidden).
	grep -q '"goid":1,"parent":0,"func":"main.main",.*"existing":true' "$events" ||
		die "-pid: no create of goroutine 1 (main.main) marked existing"
	grep '"existing":true' "$events" | grep -v '"goid":1,' | grep -q '"func":"main\.' &&
		die "-pid: a main.* goroutine of the truth marked existing (all start after attach)"
fi
echo "PASS: go$ver $(basename "$(dirname "$target")") $mode"
