#!/usr/bin/env bash
# --overhead-budget (docs/OVERHEAD.md §6): before the probes go in, a short
# read of the goroutine table chooses the capture level, said first in the
# JSONL (a capture line), in --metrics and on the meter line, and replayed
# from a recording. tests/targets/resync is idle until told to churn: idle,
# the default budget keeps full state capture; churning, it cannot (states
# would cost the target far more than 5% of its CPU time, whatever the
# machine: 6 hits of about a microsecond per goroutine against the
# microsecond or so the target spends creating one) and a cheaper level is
# chosen, and once it calms down again the level steps back up while
# running. `off`, --probes and --poll pin the level.
#
#   budget.sh TRACER GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 TRACER GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 ver=$2 w=$3
need_root
need_tracer "$tracer"
command -v jq >/dev/null || fail "jq is needed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
build_resync "$ver" "$w"

tpid=
trap '[ -z "$tpid" ] || { touch "$w/stop" "$w/exit"; stop "$tpid"; }' EXIT
start_resync "$w"

die() {
	show "$w"/*.err
	fail "$@"
}

# run TAG ARGS...: trace the target $secs s (default 1.5), JSONL to TAG.jsonl, --metrics to
# TAG.json. A churning target may fill the ring at full capture: exit 1 with
# the drops said is allowed then, nothing else.
run() {
	local tag=$1 rc
	shift
	"$tracer" -pid "$tpid" --headless --duration "${secs:-1.5}" --jsonl "$w/$tag.jsonl" \
		--metrics "$w/$tag.json" "$@" </dev/null >"$w/$tag.out" 2>"$w/$tag.err"
	rc=$?
	ended "$tag" $rc
}

# ended TAG STATUS: the run's exit status and the target, as run wants them.
ended() {
	local rc=$2
	if [ "$rc" -eq 1 ] && grep -q 'events dropped: the ring buffer was full' "$w/$1.err"; then
		rc=0
	fi
	[ "$rc" -eq 0 ] || die "$1: the tracer exited $rc"
	alive "$tpid" || die "$1: the target died"
}

# start TAG ARGS...: as run, in the background and without an end; sets rpid.
# finish TAG: SIGINT to it, then run's checks. What a run waits for is waited
# for, not bet on with --duration: at load 20 the tracer's start (ELF reading,
# BPF load, attach) can take seconds.
start() {
	local tag=$1
	shift
	"$tracer" -pid "$tpid" --headless --jsonl "$w/$tag.jsonl" --metrics "$w/$tag.json" "$@" \
		</dev/null >"$w/$tag.out" 2>"$w/$tag.err" &
	rpid=$!
}
finish() {
	kill -INT "$rpid"
	wait_exit "$rpid" 60 || die "$1: the tracer did not end within 60 s of SIGINT"
	ended "$1" "$status"
}

# capture TAG: the first JSONL line, which must be the capture line, as
# "level hz budget why" (jq's null for what is absent).
capture() {
	local first
	first=$(head -1 "$w/$1.jsonl")
	[ "$(jq -r .event <<<"$first")" = capture ] || die "$1: the first line is not a capture line: $first"
	jq -r '"\(.level) \(.poll_hz) \(.budget_pct) \(.why)"' <<<"$first"
}

# expect TAG WANT: the capture line says WANT (an extended regex over capture's words).
expect() {
	local got
	got=$(capture "$1")
	echo "$1: capture $got"
	grep -Eqx -- "$2" <<<"$got" || die "$1: capture line '$got', want /$2/"
}

# Idle: everything fits.
run idle
expect idle 'states null 5 null'
[ "$(jq -r .capture "$w/idle.json")" = states ] || die "idle: --metrics capture is not states"
jq -e ".budget_pct == 5" "$w/idle.json" >/dev/null || die "idle: --metrics budget_pct is not 5"
run lifecycle --probes lifecycle
expect lifecycle 'lifecycle null null null'
run poll --poll 10
expect poll 'poll 10 null null'
grep -q '^xgotop-tui: attached to pid .*: probes none, poll 10 Hz$' "$w/poll.err" ||
	die "poll: no attach line saying poll 10 Hz"

# Churning: the default budget chooses a cheaper level, says why, on stderr too.
touch "$w/start"
sleep 0.5
# Until a meter line (one a second from the attach).
start churn --record "$w/churn.zst"
wait_line "$w/churn.err" '^xgotop-tui: t=[0-9]+s ' 120 "$rpid" || die "churn: no meter line within 120 s"
finish churn
expect churn '(lifecycle|poll) (null|20) 5 states would cost .*'
level=$(jq -r .level <<<"$(head -1 "$w/churn.jsonl")")
grep -Eq "^xgotop-tui: capture (lifecycle|poll 20Hz) \(budget 5%: states would cost " "$w/churn.err" ||
	die "churn: no capture line on stderr"
grep -Eq "^xgotop-tui: t=[0-9]+s .* CAPTURE=(lifecycle|poll 20Hz) COST=" "$w/churn.err" ||
	die "churn: the meter line does not say the capture level"
case $level in
poll) want='probes none, poll 20 Hz' ;;
lifecycle) want='probes .*newproc1' ;;
*) die "churn: level $level" ;;
esac
grep -q "^xgotop-tui: attached to pid .*: $want" "$w/churn.err" || die "churn: the attach line does not say $want"
# Replayed: the same capture line, first.
"$tracer" --replay "$w/churn.zst" --headless --jsonl "$w/replay.jsonl" 2>"$w/replay.err" ||
	die "cannot replay churn.zst"
[ "$(head -1 "$w/replay.jsonl")" = "$(head -1 "$w/churn.jsonl")" ] ||
	die "replay: the first line differs from the live one"

# Pinned, whatever the cost.
run off --overhead-budget off
expect off 'states null null null'
[ "$(jq -r .budget_pct "$w/off.json")" = null ] || die "off: --metrics budget_pct is not null"
run states --probes states
expect states 'states null null null'

# Calm again: attached while it churns (a cheaper level), the churn stops once
# the level is chosen; 10 s under a quarter of the budget later the level steps
# back up (a fixed 2 s of churn and a 16 s run were bets on the tracer's start).
start calm
wait_line "$w/calm.err" '^xgotop-tui: capture ' 120 "$rpid" || die "calm: no capture level said"
touch "$w/stop"
end=$((SECONDS + 120))
until [ "$(jq -r 'select(.event == "capture") | .level' "$w/calm.jsonl" 2>/dev/null | wc -l)" -ge 2 ]; do
	alive "$rpid" || die "calm: the tracer ended"
	[ $SECONDS -lt $end ] || break # said below, with the levels seen
	sleep 0.2
done
finish calm
expect calm '(lifecycle|poll) (null|20) 5 states would cost .*'
levels=$(jq -r 'select(.event == "capture") | .level' "$w/calm.jsonl" | tr '\n' ' ')
echo "calm: capture levels: $levels"
case $levels in
"poll lifecycle"* | "poll states"* | "lifecycle states"*) ;;
*) die "calm: the level did not step back up (capture levels: $levels)" ;;
esac
[ "$(jq -r .capture "$w/calm.json")" != "$(jq -r .level <<<"$(head -1 "$w/calm.jsonl")")" ] ||
	die "calm: --metrics says the level it started at"
echo "PASS"
