#!/usr/bin/env bash
# Probes are placed for one file and must land in that file, whatever
# happens to the target or the path meanwhile (issue 12, item 1). Two races,
# each run many times; tests/targets/execer built twice (A normally, B with
# -gcflags=all=-N -l, so that their runtime functions lie at other offsets:
# a breakpoint planted at B's offsets in A lands inside other instructions,
# some of them in the collector's hot loops).
#
#   attach-race.sh TRACER WORKDIR [PID_TRIALS [B_TRIALS [LANES]]]
#
# pid: B churns goroutines, then execs A at a random moment of the tracer's
#      start (0-250 ms; the analysis-to-attach window is about 50-220 ms
#      here); A churns until the tracer has ended and exits 7 (or after 60 s:
#      no timing is assumed). Every A must exit 7 (no SIGSEGV,
#      no SIGTRAP), and the tracer must either have traced A, or traced B and
#      said when B exec'd, or said it could not attach because of the exec.
# b:   -b PATH while PATH is renamed between A and B over and over, and
#      processes of PATH start all the time (each churns 30 ms, exits 7):
#      none may end otherwise, and the tracer must attach.
# Trials run LANES at a time (default 4), to race exec against other
# tracers' attaching and detaching. That kernel work does not overlap: each
# uprobe perf event is destroyed under the kernel's one event_mutex, and
# waits there for an RCU tasks-trace grace period (perf_uprobe_destroy ->
# uprobe_unregister_sync; 0.04-0.9 s a probe measured at load 37 on our
# 2-CPU VM, 3-5 s for one tracer's 7-9 probes and calibration probes). So a
# tracer's end waits for every other lane's detaching: the tracers' time
# limit (HANG_S) only catches a tracer that never ends, it is no speed bound.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 2 ] && [ $# -le 5 ] ||
	{ echo "usage: $0 TRACER WORKDIR [PID_TRIALS [B_TRIALS [LANES]]]" >&2; exit 2; }
tracer=$1 w=$2 pid_trials=${3:-200} b_trials=${4:-40} lanes=${5:-4}
HANG_S=300
need_root
need_tracer "$tracer"
tracer=$(realpath "$tracer")
rm -rf "$w" && mkdir -p "$w/bin" "$w/pid" "$w/b" || fail "cannot create $w"
w=$(cd "$w" && pwd)
go=$(go_cmd) || fail "no Go toolchain: install Go or run tools/go-toolchain.sh"

cd "$e2e_root/tests/targets" || fail "no tests/targets"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
"$go" build -o "$w/bin/A" ./execer || fail "cannot build execer"
"$go" build -gcflags='all=-N -l' -o "$w/bin/B" ./execer || fail "cannot build execer -N -l"
A=$w/bin/A B=$w/bin/B
cmp -s "$A" "$B" && fail "the two builds are identical"

# took T0: seconds since T0 (an $EPOCHREALTIME), for the verdicts.
took() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", b - a }'
}

# pid_trial N: one -pid race; writes N.verdict (ok ... or FAIL ...).
pid_trial() {
	local n=$1 d=$((RANDOM % 250)) p st trc exe t0 took
	local o=$w/pid/$n
	GOGC=10 "$B" exec "$d" "$A" run 60000 7 "$o.stop" >"$o.out" 2>"$o.terr" &
	p=$!
	# Not before the fork has become B (or already A).
	until exe=$(readlink "/proc/$p/exe") && { [ "$exe" = "$B" ] || [ "$exe" = "$A" ]; }; do
		alive "$p" || break
	done
	t0=$EPOCHREALTIME
	timeout -k 5 "$HANG_S" "$tracer" -pid "$p" --headless -s --duration 1 >/dev/null 2>"$o.err"
	trc=$?
	took=$(took "$t0")
	exe=$(readlink "/proc/$p/exe")
	# A may not have started yet, B may still be running: wait for A.
	until [ "$(readlink "/proc/$p/exe")" = "$A" ]; do
		alive "$p" || break
		sleep 0.01
	done
	touch "$o.stop"
	wait "$p"
	st=$?
	if [ "$st" -ne 7 ] || ! grep -qx done "$o.out"; then
		echo "FAIL crash: A exited $st (exec after ${d} ms), tracer $trc after $took" >"$o.verdict"
	elif grep -Eq "^xgotop-tui: attached to pid $p \\($A," "$o.err" && [ "$trc" -eq 0 ]; then
		echo "ok traced-A $took" >"$o.verdict"
	elif grep -Eq "^xgotop-tui: attached to pid $p \\($B," "$o.err" &&
		grep -Eq "^xgotop-tui: pid $p exec'd $A: the probes were for $B; stopped" "$o.err" &&
		[ "$trc" -eq 1 ]; then
		echo "ok traced-B-until-exec $took" >"$o.verdict"
	elif grep -Eq "^xgotop-tui: attached to pid $p \\($B," "$o.err" && [ "$exe" = "$B" ] &&
		[ "$trc" -eq 0 ]; then
		echo "ok traced-B-ended-before-exec $took" >"$o.verdict"
	# (The capture level chosen before attaching may precede the refusal: docs/OVERHEAD.md §6.)
	elif grep -Eq "^xgotop-tui: cannot attach to pid $p: it exec'd " "$o.err" &&
		[ "$(grep -vc '^xgotop-tui: capture ' "$o.err")" -eq 1 ] && [ "$trc" -eq 1 ]; then
		echo "ok refused-exec-during-attach $took" >"$o.verdict"
	else
		echo "FAIL unclear: tracer exit $trc after $took (exec after ${d} ms): $(tr '\n' '|' <"$o.err")" \
			>"$o.verdict"
	fi
}

# lane FN FIRST STEP LAST: trials FIRST, FIRST+STEP, ... up to LAST.
lane() {
	local fn=$1 i
	for ((i = $2; i <= $4; i += $3)); do
		"$fn" "$i"
	done
}

# verdicts DIR WHAT: count and show them; fail on any FAIL.
verdicts() {
	local dir=$1 what=$2 bad
	echo "$what: $(cat "$dir"/*.verdict | cut -d' ' -f1-2 | sort | uniq -c | tr '\n' ';')"
	echo "$what: slowest tracer $(grep -ho '^ok [a-zA-Z-]* [0-9.]*s$' "$dir"/*.verdict |
		awk '{print $3}' | sort -n | tail -1)"
	bad=$(cat "$dir"/*.verdict | grep -c '^FAIL')
	if [ "$bad" -ne 0 ]; then
		grep -h '^FAIL' "$dir"/*.verdict | head -20 >&2
		echo "$what: $bad failed trials" >&2
		return 1
	fi
	return 0
}

failed=0
echo "pid: $pid_trials trials, $lanes at a time"
for ((l = 1; l <= lanes; l++)); do
	lane pid_trial "$l" "$lanes" "$pid_trials" &
done
wait
verdicts "$w/pid" "pid" || failed=1

# ---- -b PATH, renamed under it ------------------------------------------------
app=$w/b/app
ln -f "$A" "$app" || fail "cannot link $app"
stopfile=$w/b/stop
# Alternate strictly: rename(2) onto a link of the same file would be a no-op.
(
	while [ ! -e "$stopfile" ]; do
		ln -f "$B" "$app.new" && mv -f "$app.new" "$app"
		sleep 0.01
		ln -f "$A" "$app.new" && mv -f "$app.new" "$app"
		sleep 0.01
	done
) &
renamer=$!
starter() {
	local k=0 st
	while [ ! -e "$stopfile" ]; do
		GOGC=10 "$app" run 30 7 >/dev/null 2>&1
		st=$?
		k=$((k + 1))
		[ "$st" -eq 7 ] || echo "FAIL crash: a process of $app exited $st" >"$w/b/s$1-$k.verdict"
	done
	echo "ok started $k" >"$w/b/s$1.verdict"
}
starter 1 &
s1=$!
starter 2 &
s2=$!

b_trial() {
	local o=$w/b/$1 trc t0 took
	t0=$EPOCHREALTIME
	timeout -k 5 "$HANG_S" "$tracer" -b "$app" --headless -s --duration 0.3 >/dev/null 2>"$o.err"
	trc=$?
	took=$(took "$t0")
	if [ "$trc" -eq 0 ] && grep -Eq "^xgotop-tui: attached to $w/b/app \\(" "$o.err"; then
		echo "ok attached $took" >"$o.verdict"
	else
		echo "FAIL tracer exit $trc after $took: $(tr '\n' '|' <"$o.err")" >"$o.verdict"
	fi
}
echo "b: $b_trials trials, $lanes at a time"
for ((l = 1; l <= lanes; l++)); do
	lane b_trial "$l" "$lanes" "$b_trials" &
done
wait $(jobs -p | grep -vx -e "$renamer" -e "$s1" -e "$s2")
touch "$stopfile"
wait
verdicts "$w/b" "b" || failed=1
grep -h '^ok started' "$w"/b/s?.verdict | awk '{n += $3} END {print "b: " n " processes started"}'

[ "$failed" -eq 0 ] || fail "artifacts: $w"
echo "PASS"
