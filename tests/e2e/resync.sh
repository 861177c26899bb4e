#!/usr/bin/env bash
# Lost records and the state table: tests/targets/resync, built by Go
# VERSION, traced with -pid through a 1 MiB ring buffer while it churns
# goroutines. The tracer is stopped (SIGSTOP) for a second at a time while
# the target churns on, until the ring overflows and the tracer says it read
# the goroutine table again (-v); then the target settles to a known set and,
# once the tracer has read the table again after the last record lost (the
# drop count of its meter line after settling) and settled what that read
# left open (goroutines found running or runnable, or not yet started, read again),
# writes down every goroutine of its runtime. The checker (-mode resync) wants a gap line, and the
# goroutines listed live, when that truth was taken and at the end, exactly
# those of the runtime (no phantom, none missing), the parked ones waiting.
# The recording of the run replays to the same JSONL, gap lines included.
# MODE b traces the target with -b (every process of the binary; the drop
# count is not per process: each process with goroutines is read).
#
#   resync.sh TRACER CHECKER GOVERSION WORKDIR [pid|b]
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 4 ] || [ $# -eq 5 ] || { echo "usage: $0 TRACER CHECKER GOVERSION WORKDIR [pid|b]" >&2; exit 2; }
tracer=$1 checker=$2 ver=$3 w=$4 mode=${5:-pid}
need_root
need_tracer "$tracer"
[ -x "$checker" ] || fail "no checker at $checker: the e2e.build.checker fixture failed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
build_resync "$ver" "$w"

tpid= xpid=
cleanup() {
	[ -z "$xpid" ] || { kill -CONT "$xpid" 2>/dev/null; stop "$xpid"; }
	[ -z "$tpid" ] || { touch "$w/exit"; stop "$tpid"; }
}
trap cleanup EXIT
die() {
	show "$w/target.err" "$w/tracer.err" "$w/check.log"
	echo "artifacts: $w" >&2
	fail "$@"
}
# wait_file NAME SECONDS: the target wrote DIR/NAME.
wait_file() {
	local end=$((SECONDS + $2))
	while [ ! -e "$w/$1" ]; do
		alive "$tpid" || die "the target ended before writing $1"
		[ $SECONDS -lt $end ] || die "the target did not write $1 within $2 s"
		sleep 0.05
	done
}

"$w/resync" -dir "$w" 2>"$w/target.err" &
tpid=$!
wait_file ready 30
case $mode in
pid) how=(-pid "$tpid") attached="attached to pid $tpid" ;;
b) how=(-b "$w/resync") attached="attached to $w/resync .*all processes" ;;
*) fail "unknown mode $mode" ;;
esac
"$tracer" "${how[@]}" --overhead-budget off --headless -v --ringbuf-mb 1 --jsonl "$w/live.jsonl" \
	--record "$w/run.zst" >"$w/tracer.out" 2>"$w/tracer.err" &
xpid=$!
wait_line "$w/tracer.err" "$attached" 180 "$xpid" || die "xgotop-tui did not attach"

reread="events lost in all: pid $tpid's goroutine table read again"
touch "$w/start"
for i in $(seq 10); do
	# The target churns on while the tracer stands still: its ring overflows.
	kill -STOP "$xpid" && sleep 1 && kill -CONT "$xpid" || die "cannot stop and resume xgotop-tui"
	wait_line "$w/tracer.err" "$reread" 20 "$xpid" && break
	[ "$i" -lt 10 ] || die "no events lost and read again after 10 stalls of a second"
done
touch "$w/stop"
wait_file settled 60

# The drop counter stands still with the churn stopped: the first meter line
# sampled after settling has its last value, and a re-read must come for it.
n0=$(grep -c 'DROP=' "$w/tracer.err")
end=$((SECONDS + 30))
while [ "$(grep -c 'DROP=' "$w/tracer.err")" -le "$n0" ]; do
	alive "$xpid" || die "xgotop-tui ended"
	[ $SECONDS -lt $end ] || die "no meter line within 30 s"
	sleep 0.1
done
drops=$(grep 'DROP=' "$w/tracer.err" | tail -1 | sed -E 's/.*DROP=([0-9]+).*/\1/')
[ "$drops" -gt 0 ] 2>/dev/null || die "no drop count in the meter line after settling"
wait_line "$w/tracer.err" "^xgotop-tui: $drops $reread" 30 "$xpid" ||
	die "the goroutine table was not read again after the last of $drops events lost"
# The read's word on the goroutines it found running or runnable, or not yet started, waits for
# them to be read again (src/live/snapshot.h): the tracer says when that is done.
n0=$(grep -n "^xgotop-tui: $drops $reread" "$w/tracer.err" | tail -1 | cut -d: -f1)
end=$((SECONDS + 30))
until tail -n +"$n0" "$w/tracer.err" | grep -q "pid $tpid: the goroutine table read again is settled"; do
	alive "$xpid" || die "xgotop-tui ended"
	[ $SECONDS -lt $end ] || die "the goroutines of the last read were not settled within 30 s"
	sleep 0.1
done

touch "$w/dump"
wait_file truth 60
kill -INT "$xpid"
wait_exit "$xpid" 60 || die "xgotop-tui did not end within 60 s of SIGINT"
xpid=
[ "$status" -eq 0 ] || die "xgotop-tui exited $status"

"$checker" -mode resync -events "$w/live.jsonl" -truth "$w/truth" >"$w/check.log" 2>&1
st=$?
tail -25 "$w/check.log"
[ "$st" -eq 0 ] || die "checker -mode resync found mismatches (exit $st)"

# The gap and what it set right are recorded: the replay writes the same lines.
"$tracer" --replay "$w/run.zst" --headless --jsonl "$w/replay.jsonl" 2>"$w/replay.err" ||
	die "--replay of the recording failed"
cmp -s "$w/live.jsonl" "$w/replay.jsonl" || die "the replay's JSONL differs from the live run's"
grep -q '"event":"gap"' "$w/replay.jsonl" || die "no gap line in the replay"
echo "PASS: go$ver $mode: re-read after lost events ($drops lost)"
