#!/usr/bin/env bash
# The terminal UI end to end: the real binary in tmux on the bundled workload
# (examples/workload), driven with send-keys and read with capture-pane.
#
#   e2e_tmux.sh TRACER WORKDIR
#
# Needs root (it attaches uprobes), tmux, and Go (tools/go-toolchain.sh
# fetches one). Captured screens are kept in WORKDIR for a look.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../e2e/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1 w=$2
need_root
need_tracer "$tracer"
command -v tmux >/dev/null || fail "tmux is not installed: apt-get install tmux"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"

go=$("$e2e_root/tools/go-toolchain.sh" 1.26.8) || fail "no Go toolchain (tools/go-toolchain.sh 1.26.8)"
(cd "$e2e_root/examples/workload" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$w/workload" .) ||
	fail "cannot build examples/workload"

sock=xgotop-e2e-$$
T() { tmux -L "$sock" "$@"; }
# A session that outlives the UI's, so the server does too between runs.
T new-session -d -s keep -x 80 -y 24 "sleep 3600" || fail "cannot start tmux"
wpid=
cleanup() {
	T kill-server 2>/dev/null
	[ -n "$wpid" ] && stop "$wpid"
}
trap cleanup EXIT

failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# start NAME COLSxROWS ENV... -- ARGS...: the UI in a new session; its exit status
# is printed after it, and the pane stays to be read.
start() {
	local name=$1 size=$2 envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x "${size%x*}" -y "${size#*x}" \
		"env ${envs[*]} $tracer $*; echo XG_EXIT=\$?; sleep 600"
	cur=$name
}

# The pane, read whole before it is written: `cap | grep -q` must not fail
# under pipefail when grep leaves at its first match (SIGPIPE to the writer).
cap() {
	(
		trap '' PIPE
		s=$(T capture-pane -t ui -p) || exit 1
		printf '%s\n' "$s" 2>/dev/null
		exit 0
	)
}

# wait_for REGEX [SECONDS]: until the pane shows REGEX (extended); saves the screen.
# SECONDS is raised to WAIT_MIN: a cap catches a UI that never shows it, and
# at load 25 on 2 CPUs a redraw can come seconds late.
WAIT_MIN=60
wait_for() {
	local s=${2:-15}
	local end=$((SECONDS + (s < WAIT_MIN ? WAIT_MIN : s)))
	while [ $SECONDS -lt "$end" ]; do
		if cap | grep -Eq -- "$1"; then
			cap >"$w/$cur.last.txt"
			return 0
		fi
		sleep 0.2
	done
	cap >"$w/$cur.last.txt"
	return 1
}

keys() { T send-keys -t ui "$@"; }

# rows: goroutine rows on screen (a goid, a state glyph and name).
rows() { cap | grep -Ec '^ *[0-9]+ [^ ] +(running|runnable|syscall|waiting|exited|preempted|copystack|idle|run|rnbl|sysc|wait|exit|prmt|stck) '; }

meters_ok() {
	local s=$1 m
	for m in LAT RPS PPS EWP PRC DROP OVH; do
		grep -q "$m " <<<"$s" || bad "$cur: no $m meter"
	done
}

# The workload runs in the background; the UI attaches to it with -pid.
"$w/workload" -seconds 300 >"$w/workload.out" 2>&1 &
wpid=$!
sleep 0.5
alive "$wpid" || fail "the workload did not start"

# ---- 132x40, 256 colors, UTF-8 ----------------------------------------------
start wide 132x40 TERM=xterm-256color LANG=C.UTF-8 -- -pid "$wpid"
wait_for 'GID .*STATE' 20 || fail "132x40: no goroutine list after 20 s (see $w/wide.last.txt)"
sleep 2.5 # a few refreshes: meters and rows settle
s=$(cap)
cap >"$w/wide.main.txt"
meters_ok "$s"
grep -q "LIVE" <<<"$s" || bad "132x40: no LIVE in the header"
grep -q "pid $wpid workload" <<<"$s" || bad "132x40: the header does not name pid $wpid"
n=$(rows)
[ "$n" -ge 10 ] || bad "132x40: $n goroutine rows, want >= 10"
grep -q "(100ms/cell)" <<<"$s" || bad "132x40: the scale is not 100ms/cell at start"

# Zoom: the scale label follows.
keys +
wait_for '\(50ms/cell\)' 5 || bad "zoom in: no 50ms/cell label"
keys - -
wait_for '\(200ms/cell\)' 5 || bad "zoom out: no 200ms/cell label"
keys 0 +

# Exited goroutines: a count line by default; x lists them (the filter below narrows those).
wait_for '^\+ [0-9]+ exited in the last 5s \(x lists them\)' 5 || bad "no line counting the exited goroutines"
cap | grep -Eq '^ *[0-9]+ [^ ] +(exited|exit) ' && bad "exited goroutines listed without x"
keys x
wait_for '^ *[0-9]+ [^ ] +(exited|exit) ' 5 || bad "x: no exited goroutine listed"

# Filter: narrows the list to waiting goroutines.
before=$(rows)
keys / 's' 't' 'a' 't' 'e' ':' 'w' 'a' 'i' 't' 'i' 'n' 'g' Enter
wait_for 'filter: state:waiting' 5 || bad "filter: the status line does not show it"
# Until a refresh has applied it (one a second; later under load).
end=$((SECONDS + WAIT_MIN))
sleep 1.2
while after=$(rows) && [ "$after" -ge "$before" ] && [ $SECONDS -lt $end ]; do
	sleep 0.2
done
cap >"$w/wide.filter.txt"
[ "$after" -ge 1 ] || bad "filter state:waiting: no rows"
[ "$after" -lt "$before" ] || bad "filter state:waiting: $after rows, not fewer than $before"
if cap | grep -E '^ *[0-9]+ [^ ] +(running|runnable|exited) ' >/dev/null; then
	bad "filter state:waiting: a row in another state"
fi
keys / C-u Enter
sleep 0.5
keys x

# R: a sampling spec, refused when wrong, applied on Enter: counts become estimates.
keys R
wait_for 'Sample \(event:rate' 5 || bad "R: no sampling prompt"
keys C-u 'g' 'o' 'r' 'o' 'u' 't' 'i' 'n' 'e' ':' '2' Enter
wait_for 'rate 2 is outside \[0, 1\]' 5 || bad "R goroutine:2: no error"
keys BSpace '0' '.' '5' Enter
wait_for '~est: 50% traced' 5 && cap >"$w/wide.sample.txt" || bad "R goroutine:0.5: no estimate in the header"
cap | grep -Eq '^~[0-9]+ goroutines' || bad "R goroutine:0.5: the count is not marked ~"
keys R C-u 'a' 'l' 'l' Enter
end=$((SECONDS + WAIT_MIN))
while cap | grep -q '~est' && [ $SECONDS -lt $end ]; do
	sleep 0.2
done
cap | grep -q '~est' && bad "R all: still estimates after $WAIT_MIN s"

# The views.
keys g
wait_for 'START FUNCTION' 5 && cap >"$w/wide.group.txt" || bad "g: no group view"
keys t
wait_for 'Goroutine lifetimes' 5 && cap >"$w/wide.lifetime.txt" || bad "t: no lifetime view"
keys a
wait_for 'Allocations - ' 5 || bad "a: no allocation view"
# Default probes: no allocation probe, but the runtime's own counters (read once a
# second); no counts per kind or goroutine, and the view says how to get them.
wait_for 'Heap  live .* obj   rate ' 5 || bad "a: the allocation view shows no heap statistics"
wait_for 'RUNTIME COUNTERS' 5 || bad "a: the size classes are not the runtime's counters"
cap | grep -q -- "--alloc" || bad "a: the allocation view does not say how to get allocation events"
keys c
wait_for 'GC cycles' 5 || bad "c: no GC view"
keys m
wait_for 'Meters history' 5 || bad "m: no meters history"
# Stacks, swept every 2 s in the background: the workload's workers by stack.
keys w
wait_for 'main\.(worker|producer|main)' 10 && cap >"$w/wide.stacks.txt" ||
	bad "w: no stack group naming a main. function"
cap | grep -q 'STACK (first non-runtime frame)' || bad "w: no stack group header"
keys Escape
wait_for 'GID .*STATE' 5 || bad "Esc: not back to the list"
# The detail view's stack, its goroutine read alone (about once a second) soon after.
keys Enter
wait_for '^Stack \(' 10 && cap >"$w/wide.detail_stack.txt" || bad "Enter: no Stack section"
wait_for '^Stack \(read alone ' 10 || bad "Enter: the shown goroutine is not read alone"
keys Escape
wait_for 'GID .*STATE' 5 || bad "Esc: not back to the list"
keys Enter
wait_for 'Time per state' 5 && cap >"$w/wide.detail.txt" || bad "Enter: no detail view"
keys Escape '?'
wait_for 'General' 5 && cap >"$w/wide.help.txt" || bad "?: no help"
keys Escape
wait_for 'GID .*STATE' 5 || bad "Esc from help: not back to the list"

# Resize below the minimum and back.
T resize-window -t ui -x 40 -y 10
wait_for 'terminal too small' 5 || bad "40x10: no 'terminal too small' screen"
cap >"$w/wide.small.txt"
T resize-window -t ui -x 132 -y 40
wait_for 'GID .*STATE' 5 || bad "back to 132x40: no list"
cap | grep -q 'XG_EXIT' && bad "the UI exited during the resizes"

# q: exits 0 and gives the terminal back (no UI left on the screen).
keys q
wait_for 'XG_EXIT=' 10 || bad "q: the UI did not exit"
s=$(cap)
cap >"$w/wide.after-q.txt"
grep -q 'XG_EXIT=0' <<<"$s" || bad "q: exit status $(grep -o 'XG_EXIT=[0-9]*' <<<"$s"), want 0"
grep -Eq 'GID|RPS|Help' <<<"$s" && bad "q: the UI is still on the screen (not restored)"
grep -q "xgotop-tui: attached to pid $wpid" <<<"$s" ||
	bad "q: the normal screen (with the attach line) is not back"

# ---- 80x24 --------------------------------------------------------------------
start narrow 80x24 TERM=xterm-256color LANG=C.UTF-8 -- -pid "$wpid"
wait_for 'GID .*STATE' 20 || bad "80x24: no goroutine list"
sleep 2.5
s=$(cap)
cap >"$w/narrow.main.txt"
meters_ok "$s"
n=$(rows)
[ "$n" -ge 10 ] || bad "80x24: $n goroutine rows, want >= 10"
grep -q 'qQuit' <<<"$s" || bad "80x24: the key bar has no Quit"
keys Enter
wait_for 'Time per state' 5 && cap >"$w/narrow.detail.txt" || bad "80x24: no detail view"
keys Escape t
wait_for 'Goroutine lifetimes' 5 && cap >"$w/narrow.lifetime.txt" || bad "80x24: no lifetime view"
keys Escape g
wait_for 'START FUNCTION' 5 && cap >"$w/narrow.group.txt" || bad "80x24: no group view"
keys q
wait_for 'XG_EXIT=0' 10 || bad "80x24: q did not exit 0"

# ---- --alloc: the allocation view with real numbers -----------------------------
# Launched, so that the runtime's and main's first allocations are seen; the
# level pinned (a step down to poll would take the allocation probe out).
start alloc 80x24 TERM=xterm-256color LANG=C.UTF-8 -- --alloc --overhead-budget off -- "$w/workload" -seconds 30
wait_for 'GID .*STATE' 20 || bad "--alloc: no goroutine list"
keys a
wait_for 'KIND +COUNT' 10 || bad "--alloc a: no per-kind table"
# The histogram is read from BPF once a second: a total that is not zero.
wait_for '^total +[1-9]' 10 || bad "--alloc a: no allocation in the size classes"
# The per-kind counts come from the allocation records, the size classes
# from BPF's histogram: with the probes in within milliseconds (uprobe-multi
# links) the view can be drawn before the first ring read (CI: "up 19ms").
wait_for '^.{40,}total +[1-9]' 10 || bad "--alloc a: no allocation event counted per kind"
cap | grep -q "No data" && bad "--alloc a: says No data"
cap >"$w/alloc.view.txt"
keys c
wait_for 'GC cycles' 5 && cap >"$w/alloc.gc.txt" || bad "--alloc c: no GC view"
# Quitting before the command ends: its status is that of the interrupted command.
keys q
wait_for 'XG_EXIT=' 10 || bad "--alloc: q did not exit"

# ---- TERM=vt100 NO_COLOR=1 LANG=C: ASCII, no color ------------------------------
start vt100 80x24 TERM=vt100 NO_COLOR=1 LANG=C LC_ALL=C -- -pid "$wpid"
wait_for 'GID .*STATE' 20 || bad "vt100: no goroutine list"
sleep 2.5
s=$(cap)
cap >"$w/vt100.main.txt"
meters_ok "$s"
n=$(rows)
[ "$n" -ge 10 ] || bad "vt100: $n goroutine rows, want >= 10"
LC_ALL=C grep -q '[^ -~]' <<<"$s" && bad "vt100/LANG=C: non-ASCII characters on the screen"
grep -Eq '^ *[0-9]+ - +wait ' <<<"$s" || bad "vt100: no ASCII glyph '-' for waiting rows"
keys q
wait_for 'XG_EXIT=0' 10 || bad "vt100: q did not exit 0"

# ---- a launched command: its output to a file, EXITED when it ends -------------
start launch 132x40 TERM=xterm-256color LANG=C.UTF-8 -- -- "$w/workload" -seconds 3
wait_for 'GID .*STATE' 20 || bad "launch: no goroutine list"
grep -q "output" "$w/launch.last.txt" || bad "launch: the header does not say where the output goes"
# Launched: every creation seen, so start functions are known.
wait_for 'main\.main\.func1' 5 || bad "launch: no worker (main.main.func1) row"
wait_for 'EXITED' 20 || bad "launch: no EXITED in the header after the command ended"
cap >"$w/launch.exited.txt"
keys q
wait_for 'XG_EXIT=' 10 || bad "launch: q did not exit"
cap | grep -q 'XG_EXIT=0' || bad "launch: exit status not the command's 0"
log=$(grep -o '/tmp/xgotop-tui-child-[A-Za-z0-9]*\.log' "$w/launch.exited.txt" | head -1)
[ -n "$log" ] && grep -q 'workload: .* jobs done' "$log" ||
	bad "launch: the command's output is not in its log ($log)"

# ---- every exit path gives the terminal back -------------------------------------
# start ... then SIG: the shell after the UI prints the exit status and the tty modes,
# then XG_TTY_END: the modes are read once that shows (at load 20 the pane showed
# XG_EXIT before stty had printed anything).
for sig in TERM SEGV ABRT; do
	T kill-session -t ui 2>/dev/null
	T new-session -d -s ui -x 80 -y 24 \
		"env TERM=xterm-256color LANG=C.UTF-8 $tracer -pid $wpid; echo XG_EXIT=\$?; stty -a; echo XG_TTY_END; sleep 600"
	cur=sig$sig
	wait_for 'GID .*STATE' 20 || bad "SIG$sig: no UI"
	shell=$(T list-panes -t ui -F '#{pane_pid}')
	ui=$(pgrep -P "$shell" -x xgotop-tui)
	[ -n "$ui" ] || { bad "SIG$sig: no UI process under the pane's shell"; continue; }
	kill -"$sig" "$ui"
	wait_for 'XG_EXIT=' 10 || bad "SIG$sig: the UI did not exit"
	wait_for '^XG_TTY_END' 10 || bad "SIG$sig: the shell did not print the tty modes"
	s=$(cap)
	cap >"$w/sig$sig.txt"
	case $sig in
	TERM) want=0 ;;	 # a clean exit: detach, flush
	SEGV) want=139 ;; # dies of it, after restoring the terminal
	ABRT) want=134 ;;
	esac
	grep -q "XG_EXIT=$want" <<<"$s" || bad "SIG$sig: $(grep -o 'XG_EXIT=[0-9]*' <<<"$s"), want $want"
	grep -Eq 'GID|RPS' <<<"$s" && bad "SIG$sig: the UI is still on the screen"
	grep -Eq '(^| )icanon( |$)' <<<"$s" && grep -Eq '(^| )echo( |$)' <<<"$s" ||
		bad "SIG$sig: the tty is not back in canonical mode with echo"
done

# SIGHUP: the terminal goes away (the pane is killed): the UI ends, without spinning.
T kill-session -t ui 2>/dev/null
T new-session -d -s ui -x 80 -y 24 "exec env TERM=xterm-256color $tracer -pid $wpid"
cur=hup
wait_for 'GID .*STATE' 20 || bad "SIGHUP: no UI"
ui=$(T list-panes -t ui -F '#{pane_pid}')
T kill-session -t ui
# (It detaches its probes first: seconds under load, docs of attach-race.sh.)
end=$((SECONDS + WAIT_MIN))
while alive "$ui" && [ $SECONDS -lt $end ]; do
	sleep 0.1
done
alive "$ui" && bad "SIGHUP: the UI (pid $ui) still runs $WAIT_MIN s after its terminal went away"

# ---- batch mode ----------------------------------------------------------------
# The cap catches a hang: the attach alone (uprobes in, while other tracers' come
# out machine-wide) can take tens of seconds on a loaded machine.
timeout -k 5 120 "$tracer" -n 2 -d 0.5 -pid "$wpid" >"$w/batch.out" 2>"$w/batch.err"
st=$?
[ "$st" -eq 0 ] || bad "batch: exit $st"
[ "$(grep -c '^xgotop-tui [0-9]' "$w/batch.out")" -eq 2 ] || bad "batch: not 2 snapshots"
grep -Eq '^meters: LAT ([0-9.]+[mun]?s|n/a) RPS' "$w/batch.out" || bad "batch: no meters line"
grep -Eq '^ +[0-9]+ waiting ' "$w/batch.out" || bad "batch: no goroutine rows"
timeout -k 5 30 "$tracer" -n 1 -d 0.05 -pid "$wpid" >/dev/null 2>"$w/bad-d.err"
[ $? -eq 2 ] || bad "-d 0.05: not a usage error"

[ "$failures" -eq 0 ] || { echo "screens: $w" >&2; fail "$failures checks failed"; }
echo "PASS: terminal UI end to end (screens in $w)"
