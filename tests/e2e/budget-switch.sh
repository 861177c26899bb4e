#!/usr/bin/env bash
# The capture level changing while running (docs/OVERHEAD.md §6) loses no
# goroutine: bench/churn launched under the tracer, every goroutine it makes
# that is seen must have exactly one create and one exit and a continuous
# chain of states, and no goroutine may end or change without its create
# (tests/overhead/check -created -atmost: polling sees none of the
# goroutines that lived between two of its reads, so the count is a
# ceiling), across every switch between states, lifecycle and poll. Runs:
#   forced    XGOTOP_BUDGET_FLIP_MS=1: a switch at every check (100 ms),
#             whatever it costs, round states, lifecycle, poll, states,
#             poll, lifecycle, states, twice: every step down and up;
#   budget    the default budget: a launched command starts at states (it
#             cannot be estimated before it runs) and churn is far over 5%,
#             so it must step down (to lifecycle or straight to poll);
#   exit      forced again, churn killed as soon as -v says a step up from
#             poll has begun: the target's exit while the probes go in is
#             no failure (no "warning: cannot change the capture level",
#             -v says the level did not change, the capture lines end
#             "poll states poll", the tracer ends as for any exit). The kill
#             must land while the probes go in: XGOTOP_BUDGET_UP_DELAY_MS=1500
#             holds the step that long first (uprobe-multi links go in within
#             milliseconds; perf-event links took 0.1 to 1.6 s on our VM); a
#             run whose step finished first is tried again, up to 6 times.
# A ring of 256 MiB: no record may be lost (a loss is resynced with
# `existing` creates, which would hide what this test is about).
#
#   budget-switch.sh TRACER GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 TRACER GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 ver=$2 w=$3
need_root
need_tracer "$tracer"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
gobin=$("$e2e_root/tools/go-toolchain.sh" "$ver") || fail "no Go $ver toolchain"
(cd "$e2e_root/bench" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$gobin" build -o "$w/churn" ./churn) ||
	fail "cannot build bench/churn"
(cd "$e2e_root/tests/overhead" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$gobin" build -o "$w/check" ./check) ||
	fail "cannot build tests/overhead/check"

die() {
	show "$w"/*.err
	fail "$@"
}

# run TAG SECONDS [SWITCHES]: trace churn launched, for SECONDS, or (SWITCHES)
# until the tracer has said that many switches (-v) and churn has drained;
# check every goroutine it made. Ended polling, those alive at its last read
# may lack their exit (-open).
run() {
	local tag=$1 secs=$2 want=${3:-} st n open= tpid said
	rm -f "$w/stop"
	timeout -k 10 420 "$tracer" -v --ringbuf-mb 256 --headless -s --jsonl "$w/$tag.jsonl" -- \
		"$w/churn" -d "${secs}s" -drain -stop "$w/stop" >"$w/$tag.out" 2>"$w/$tag.err" &
	tpid=$!
	# Switches took 0.1 to 28 s each on our loaded 2-CPU VM (load 20 to 54): counted, not timed.
	if [ -n "$want" ]; then
		# The job may not have opened its .err yet: none said so far (at load 14
		# and 24, grep's error ended the wait, and churn was told to stop at once).
		while alive "$tpid"; do
			said=$(grep -c '^xgotop-tui: capture .*(switched in' "$w/$tag.err" 2>/dev/null)
			[ "${said:-0}" -lt "$want" ] || break
			sleep 0.2
		done
		touch "$w/stop"
	fi
	wait "$tpid"
	st=$?
	[ $st -eq 0 ] || die "$tag: the tracer exited $st"
	grep -q '"event":"gap"' "$w/$tag.jsonl" && die "$tag: records were lost (a gap line)"
	n=$(sed -n 's/^churn: \([0-9]*\) goroutines.*/\1/p' "$w/$tag.out")
	[ -n "$n" ] || die "$tag: no result from churn"
	grep '"event":"capture"' "$w/$tag.jsonl" | cut -c1-160
	grep '^xgotop-tui: capture level changed' "$w/$tag.err"
	# The goroutines churn made start in main.main.func1.N (its two workers in main.main.func1).
	grep '"event":"capture"' "$w/$tag.jsonl" | tail -1 | grep -q '"level":"poll"' && open=-open
	"$w/check" -events "$w/$tag.jsonl" -created "$n" -prefix main.main.func1. -atmost $open ||
		die "$tag: goroutines lost or doubled across the switches (artifacts in $w)"
}

# Two rounds of the six steps, then states to the end (src/live/capswitch.c, flip_next):
# churn stops once the twelve are said, so the end is seen at full capture.
XGOTOP_BUDGET_FLIP_MS=1 run forced 200 12
levels=$(grep -o '"event":"capture".*"level":"[a-z]*"' "$w/forced.jsonl" |
	sed 's/.*"level":"\([a-z]*\)"/\1/' | tr '\n' ' ')
echo "forced: $levels"
# Every step of the cycle: states>lifecycle>poll>states>poll>lifecycle>states.
for step in "states lifecycle" "lifecycle poll" "poll states" "states poll" "poll lifecycle" \
	"lifecycle states"; do
	case " $levels" in
	*" $step "*) ;;
	*) die "forced: no step $step (capture levels: $levels)" ;;
	esac
done

run budget 3
grep -Eq '"event":"capture".*"level":"(lifecycle|poll)".*"why":"states cost ([0-9]+%|more than the target.s own CPU time)' "$w/budget.jsonl" ||
	die "budget: never stepped down"

# exit_try N: one forced run killed at a step up from poll; 0 when the kill
# landed inside the step (and all was well), 1 when the step finished first.
exit_try() {
	local tag=exit$1 tpid cpid levels
	# The step up waits 1.5 s before its probes: uprobe-multi links go in in
	# milliseconds, too short a window for the kill to land in.
	XGOTOP_BUDGET_FLIP_MS=1 XGOTOP_BUDGET_UP_DELAY_MS=1500 timeout -k 10 300 "$tracer" -v \
		--headless -s --jsonl "$w/$tag.jsonl" \
		-- "$w/churn" -d 600s >"$w/$tag.out" 2>"$w/$tag.err" </dev/null &
	tpid=$!
	wait_line "$w/$tag.err" '^xgotop-tui: capture switching from poll to ' 240 "$tpid" ||
		die "$tag: no step up from poll said"
	# timeout's child is the tracer, whose child is churn.
	cpid=$(pgrep -P "$(pgrep -P "$tpid" | head -1)" | head -1)
	[ -n "$cpid" ] || die "$tag: no churn process under the tracer"
	kill -KILL "$cpid"
	wait_exit "$tpid" 120 || die "$tag: the tracer did not end after its target"
	grep -q 'warning: cannot change the capture level' "$w/$tag.err" &&
		die "$tag: the target's exit during a switch was warned of"
	grep -Eq '^xgotop-tui: (tracing stopped|cannot)' "$w/$tag.err" && die "$tag: the tracer failed"
	levels=$(grep -o '"event":"capture".*"level":"[a-z]*"' "$w/$tag.jsonl" |
		sed 's/.*"level":"\([a-z]*\)"/\1/' | tr '\n' ' ')
	echo "$tag: capture levels: $levels(exit $status)"
	grep -q '^xgotop-tui: capture level not changed: the target has exited' "$w/$tag.err" || return 1
	case " $levels" in
	*" poll states poll ") ;;
	*) die "$tag: after the failed step up, want the capture lines to end 'poll states poll'" ;;
	esac
}

for try in 1 2 3 4 5 6; do
	exit_try $try && break
	[ $try -lt 6 ] || die "exit: the kill never landed inside a step up in 6 tries"
done
echo "PASS"
