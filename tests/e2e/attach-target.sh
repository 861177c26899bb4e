#!/usr/bin/env bash
# What -pid and -b are given, and what becomes of it (issue 12, items 4b and 7):
#  - a -pid target that execs while traced: the tracer stops by itself with
#    "pid N exec'd NEW: the probes were for OLD; stopped", exit 1, and the
#    JSONL of what it traced is complete (every line JSON, the last one whole);
#  - a kernel thread, a zombie, a thread id: one line saying which, exit 1;
#  - an arm64 binary on amd64 (or the reverse): one line, exit 1, before
#    any probe is attached.
#
#   attach-target.sh TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1 w=$2
need_root
need_tracer "$tracer"
tracer=$(realpath "$tracer")
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
w=$(cd "$w" && pwd)
go=$(go_cmd) || fail "no Go toolchain: install Go or run tools/go-toolchain.sh"
command -v jq >/dev/null || fail "jq is missing (apt-get install jq)"
tpid= xpid= zpid=
trap 'touch "$w/stop"; stop "$xpid"; stop "$tpid"; stop "$zpid"' EXIT
failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

cd "$e2e_root/tests/targets" || fail "no tests/targets"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
"$go" build -o "$w/A" ./execer || fail "cannot build execer"
"$go" build -gcflags='all=-N -l' -o "$w/B" ./execer || fail "cannot build execer -N -l"
other=arm64
[ "$(goarch)" = arm64 ] && other=amd64
GOARCH=$other "$go" build -o "$w/other" ./execer || fail "cannot build execer for $other"
A=$w/A B=$w/B

# ---- exec while traced ------------------------------------------------------------
"$B" exec "@$w/go" "$A" run 60000 7 "$w/stop" >"$w/target.out" 2>&1 &
tpid=$!
until [ "$(readlink "/proc/$tpid/exe")" = "$B" ]; do sleep 0.01; done
"$tracer" -pid "$tpid" --overhead-budget off --headless -s --jsonl "$w/events.jsonl" 2>"$w/tracer.err" &
xpid=$!
wait_line "$w/tracer.err" "^xgotop-tui: attached to pid $tpid \\($B," 120 "$xpid" ||
	{ show "$w/tracer.err"; fail "the tracer did not attach"; }
touch "$w/go"
if wait_exit "$xpid" 60; then
	xpid=
	[ "$status" -eq 1 ] || bad "exec while traced: tracer exit $status, want 1"
	grep -qx "xgotop-tui: pid $tpid exec'd $A: the probes were for $B; stopped" \
		"$w/tracer.err" || bad "exec while traced: no 'exec'd' line"
	[ -s "$w/events.jsonl" ] || bad "exec while traced: no events written"
	jq -e . "$w/events.jsonl" >/dev/null || bad "exec while traced: the JSONL does not parse"
	grep -q '"event":"create"' "$w/events.jsonl" || bad "exec while traced: no create event"
else
	bad "the tracer did not stop within 60 s of the exec"
fi
touch "$w/stop"
wait_exit "$tpid" 60 || fail "A did not end"
tpid=
[ "$status" -eq 7 ] || bad "A exited $status, want 7"
show "$w/tracer.err"

# try WANT_STATUS PATTERN ARGS...: one line of stderr matching PATTERN, that status.
try() {
	local want=$1 re=$2 st
	shift 2
	timeout -k 5 60 "$tracer" "$@" </dev/null >"$w/out" 2>"$w/err"
	st=$?
	echo "xgotop-tui $*: exit $st: $(cat "$w/err")"
	[ "$st" -eq "$want" ] || bad "xgotop-tui $*: exit $st, want $want"
	[ "$(grep -c '' "$w/err")" -eq 1 ] || bad "xgotop-tui $*: want one line on stderr"
	grep -Eq "^xgotop-tui: $re" "$w/err" || bad "xgotop-tui $*: stderr does not match $re"
}

# ---- what -pid cannot trace ---------------------------------------------------------
kt=$(pgrep -x kthreadd | head -1)
[ -n "$kt" ] || fail "no kthreadd"
try 1 "cannot attach to pid $kt: it is a kernel thread" -pid "$kt" --headless

# A zombie: a child its parent (sleep, after exec) never reaps. The child
# ends only once its parent is sleep: ended before the exec, bash reaped it
# and no zombie ever came (the wait below spun until ctest's timeout).
bash -c 'p=$$; (until [ "$(cat /proc/$p/comm)" = sleep ]; do sleep 0.01; done) &
	echo $! >"$1"; exec sleep 60' _ "$w/zombie" &
zpid=$!
for _ in $(seq 3000); do
	[ -s "$w/zombie" ] && [ "$(sed 's/^.*) //' "/proc/$(cat "$w/zombie")/stat" 2>/dev/null |
		cut -d' ' -f1)" = Z ] && break
	sleep 0.01
done
[ "$(sed 's/^.*) //' "/proc/$(cat "$w/zombie")/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] ||
	fail "no zombie after 30 s (child $(cat "$w/zombie" 2>/dev/null))"
try 1 "cannot attach to pid $(cat "$w/zombie"): it has exited \\(a zombie" \
	-pid "$(cat "$w/zombie")" --headless
stop "$zpid"
zpid=

"$A" run 60000 7 "$w/stop2" >/dev/null 2>&1 &
tpid=$!
tid=
until [ -n "$tid" ]; do
	tid=$(ls "/proc/$tpid/task" | grep -vx "$tpid" | head -1)
done
try 1 "cannot attach to pid $tid: it is a thread of process $tpid: use -pid $tpid" \
	-pid "$tid" --headless
touch "$w/stop2"
wait_exit "$tpid" 60
tpid=

# ---- another architecture -----------------------------------------------------------
try 1 "cannot trace $w/other: it is an $other program and this machine runs $(goarch)$" \
	-b "$w/other" --headless

[ "$failures" -eq 0 ] || fail "$failures checks failed; artifacts: $w"
echo PASS
