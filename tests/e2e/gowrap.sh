#!/usr/bin/env bash
# Start functions behind go-statement wrappers: tests/targets/gowrap names
# each of its goroutines as its own runtime.Stack does (bottom shown frame);
# the create lines of `xgotop-tui --headless --jsonl` must say the same,
# launched (creations seen by the probes) and with -pid (the attach
# snapshot's creates).
#
#   tests/e2e/gowrap.sh TRACER TARGET_BINARY WORKDIR
#
# A case named indirect-* calls its function through a closure, method
# value or interface inside the wrapper (devirt-* on some releases only):
# the binary alone cannot name it. Created while traced, the creating probe
# reads the callee from the goroutine's closure (bpf/xgotop.bpf.c
# wrapped_callee); found at attach, the snapshot names it from its stack
# (src/live/startname.c). Every case must match Go exactly, both ways.
# Needs root (BPF) and jq.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$(realpath "$1") bin=$(realpath "$2") work=$3
need_root
need_tracer "$tracer"
[ -x "$bin" ] || fail "no target at $bin: the fixture e2e.build.gowrap builds it"
command -v jq >/dev/null || fail "jq is needed to read the JSONL"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# compare WANT JSONL: each wanted goroutine's create line names Go's function.
compare() {
	local bad=0 goid kase go ours
	while read -r _ goid kase go; do
		ours=$(jq -r --argjson g "$goid" \
			'select(.event == "create" and .goid == $g) | .func' "$2" | head -1)
		if [ "$ours" = "$go" ]; then
			echo "  ok    $kase: $go"
		else
			echo "  FAIL  $kase (goroutine $goid): Go says $go, ours ${ours:-(no create line)}"
			bad=1
		fi
	done < <(grep '^want ' "$1")
	return $bad
}

# Launched: the tracer starts the target; stdin reaches it through a FIFO.
mkfifo in1
"$tracer" --overhead-budget off --headless --jsonl launch.jsonl -- "$bin" <in1 >launch.out 2>launch.err &
xpid=$!
exec 3>in1
cleanup() {
	exec 3>&- || true
	[ -z "${xpid:-}" ] || stop "$xpid"
	[ -z "${tpid:-}" ] || { kill "$tpid" 2>/dev/null || true; }
}
trap cleanup EXIT
wait_line launch.out '^ready' 120 "$xpid" || fail "the launched target never got ready: $(cat launch.err)"
exec 3>&-
wait_exit "$xpid" 60 || fail "xgotop-tui did not end after its target"
xpid=
[ "$status" -eq 0 ] || fail "xgotop-tui exited $status: $(cat launch.err)"
rc=0
echo "launched:"
compare launch.out launch.jsonl || rc=1

# Attached: the goroutines exist before the tracer; the snapshot names them.
mkfifo in2
"$bin" <in2 >pid.out 2>pid.err &
tpid=$!
exec 3>in2
wait_line pid.out '^ready' 60 "$tpid" || fail "the target never got ready: $(cat pid.err)"
"$tracer" --overhead-budget off --headless --jsonl pid.jsonl -pid "$tpid" >/dev/null 2>pid.trace.err &
xpid=$!
wait_line pid.trace.err "attached to pid $tpid" 120 "$xpid" ||
	fail "xgotop-tui did not attach: $(cat pid.trace.err)"
# The snapshot's creates follow the attach line (src/live/tracer.c snapshot_emit)
# and are all written by the time the tracer ends.
kill -INT "$xpid"
wait_exit "$xpid" 60 || fail "xgotop-tui did not end within 60 s of SIGINT"
xpid=
exec 3>&-
wait "$tpid" || fail "the target failed: $(cat pid.err)"
tpid=
echo "attached (-pid):"
compare pid.out pid.jsonl || rc=1
trap - EXIT
exit $rc
