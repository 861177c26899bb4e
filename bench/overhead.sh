#!/usr/bin/env bash
# What tracing costs the traced program: throughput of the goroutine-churn
# workload (bench/churn) and of an HTTP server (bench/httpd, loaded by
# bench/httpload on loopback), untraced and under each tracer, in interleaved
# rounds (the order rotates every round), medians printed with their ratios.
# Before them, the cost of one uprobe hit by instruction (bench/insncost);
# after, probe hits per goroutine of each probe set (tests/overhead/hits.c).
# Prints figures; asserts nothing. Needs root, Go, bpftrace (apt-get install
# bpftrace).
#
#   bench/overhead.sh [-b BUILD] [-r ROUNDS] [-d SECONDS] [-g GOVERSION]... [-H] [-c CONFIGS] [-S] [-O] [-P PAIRS]
#
#   -b BUILD     build directory with xgotop-tui (default: build)
#   -r ROUNDS    interleaved rounds (default 5)
#   -d SECONDS   length of each run (default 3)
#   -g VERSION   churn built by this Go release (repeatable; default 1.20.14
#                and 1.26.8: casgstatus starts with sub before go1.21, push since)
#   -H           skip the HTTP workload
#   -c CONFIGS   only these configurations, comma-separated (untraced,
#                bpftrace-six and bpftrace-ours are always run: the ratios)
#   -S           only the throughput tables: no uprobe cost by instruction,
#                no probe placement, no probe hits per goroutine
#   -O           xgotop-tui with --overhead-budget off: the probes' cost, not
#                the default budget's choice of level
#   -P PAIRS     xgotop-budget's traced and untraced pairs per round (default
#                1): its "keep" is the median of every pair's ratio
#
# Configurations:
#   untraced        the program alone
#   xgotop          xgotop-tui --headless, default probes, every event written
#                   (--record when the build has it, else --jsonl to a file)
#   xgotop-other    the same with the xgotop-tui at $XG_OTHER (another build,
#                   e.g. main's: before and after in the same rounds); only
#                   when XG_OTHER is set
#   xgotop-record   the same writing only the recording (no JSONL)
#   xgotop-table    the same writing nothing: the state table alone, as the
#                   UI keeps it (without drawing it)
#   xgotop-ui       the default capture as a user gets it: the terminal UI
#                   (no --headless, no output file), drawn every second into
#                   a detached tmux pane of 200x50; churn's rate read from
#                   the log the UI sends the launched command's output to.
#                   tmux gives it a session of its own: on a busy machine
#                   the kernel's autogroups share the CPUs by session, so
#                   set it against a run started the same way (bench/README.md)
#   xgotop-table-tmux  xgotop-table started in a tmux session as xgotop-ui
#                   is: the control for xgotop-ui on a busy machine
#   xgotop-nobatch  the same with a ring record per casgstatus hit, not in
#                   batches per CPU (XGOTOP_NO_BATCH=1): the batching's "before"
#   xgotop-entry    the same with every probe at its function's entry
#                   (XGOTOP_PROBES_AT_ENTRY=1): the placement's "before"
#   xgotop-lifecycle  --probes lifecycle
#   xgotop-budget   churn already running, xgotop-tui attached by -pid under
#                   the default overhead budget (with -O too): the estimate
#                   picks the level before any probe goes in, as for a user
#                   attaching to a service. Its rate is over the -d seconds
#                   after the attach line, set against an untraced run's same
#                   window (seconds since its start: churn -every), run right
#                   after it; the table adds that pair's "keep" (median of
#                   the rounds' ratios)
#   xgotop-budget-launch  churn launched under the default budget (-O too):
#                   no estimate before it runs, so it starts at states and
#                   steps down while running; over the whole run
#   bpftrace-six    bpftrace counting xgotop's six probes at their entries
#                   (casgstatus, newobject, makeslice, makemap, newproc1, goexit1)
#   bpftrace-ours   bpftrace counting our default probe set at function entries
#   poll-20         xgotop-tui --poll 20
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build rounds=5 dur=3 http=1 only= tables_only=0 budget=() pairs=1
versions=()
while getopts "b:r:d:g:Hc:SOP:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) rounds=$OPTARG ;;
	d) dur=$OPTARG ;;
	g) versions+=("$OPTARG") ;;
	H) http=0 ;;
	c) only=$OPTARG ;;
	S) tables_only=1 ;;
	O) budget=(--overhead-budget off) ;;
	P) pairs=$OPTARG ;;
	*) sed -n '2,66p' "$0" >&2; exit 2 ;;
	esac
done
[ ${#versions[@]} -gt 0 ] || versions=(1.20.14 1.26.8)
xg=$build/xgotop-tui
hits=$build/tests/overhead/xg-hits
[ "$(id -u)" -eq 0 ] || { echo "overhead: needs root" >&2; exit 1; }
[ -x "$xg" ] || { echo "overhead: no $xg: build first" >&2; exit 1; }
command -v bpftrace >/dev/null || { echo "overhead: no bpftrace (apt-get install bpftrace)" >&2; exit 1; }
case ",${only:-xgotop-ui}," in
*,xgotop-ui,* | *,xgotop-table-tmux,*) command -v tmux >/dev/null || { echo "overhead: xgotop-ui needs tmux (apt-get install tmux)" >&2; exit 1; } ;;
esac

tmp=$(mktemp -d /tmp/xg-overhead.XXXXXX)
tsock=xg-overhead-$$ # xgotop-ui's tmux server
trap 'tmux -L "$tsock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
cd "$here"
for v in "${versions[@]}"; do
	gobin=$("$root/tools/go-toolchain.sh" "$v") || exit 1
	"$gobin" build -o "$tmp/churn-$v" ./churn || exit 1
done
newest=$("$root/tools/go-toolchain.sh" "${versions[-1]}")
"$newest" build -o "$tmp/httpd" ./httpd && "$newest" build -o "$tmp/httpload" ./httpload || exit 1

# Every event written, as a user would: a recording when the build has it.
if grep -q -- '--record FILE' <<<"$("$xg" --help 2>/dev/null)"; then
	capture_dflt=(--headless --jsonl "$tmp/ev.jsonl" --record "$tmp/rec.zst" --force)
	capture_name="--record and --jsonl to files"
else
	capture_dflt=(--headless --jsonl "$tmp/ev.jsonl")
	capture_name="--jsonl to a file"
fi
capture=("${capture_dflt[@]}" "${budget[@]}")

six=(runtime.casgstatus runtime.newobject runtime.makeslice runtime.makemap runtime.newproc1 runtime.goexit1)
bt_script() { # bt_script BINARY SYM...: count hits of each symbol's entry
	local bin=$1 p= s
	shift
	for s; do p+="${p:+,}uprobe:$bin:$s"; done
	echo "$p { @[probe] = count(); }"
}

case ",$only," in
*,xgotop-other,*) [ -x "${XG_OTHER:-}" ] || { echo "overhead: xgotop-other needs XG_OTHER=PATH-TO-XGOTOP-TUI" >&2; exit 2; } ;;
esac
xg_other=${XG_OTHER:-}
configs=(untraced xgotop ${xg_other:+xgotop-other} xgotop-record xgotop-table xgotop-ui xgotop-table-tmux xgotop-budget xgotop-budget-launch xgotop-nobatch xgotop-entry xgotop-lifecycle bpftrace-six bpftrace-ours poll-20)
if [ -n "$only" ]; then
	wanted=() # in the table's order; the three the ratios divide by, always
	for c in "${configs[@]}"; do
		case ",untraced,bpftrace-six,bpftrace-ours,$only," in
		*",$c,"*) wanted+=("$c") ;;
		esac
	done
	configs=("${wanted[@]}")
fi

# run_churn CONFIG BINARY: one run; prints goroutines per second
run_churn() {
	local c=$1 bin=$2 out
	case $c in
	untraced) out=$("$bin" -d "${dur}s") ;;
	xgotop) out=$("$xg" "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-budget)
		for _ in $(seq "$pairs"); do run_churn_pid "$bin"; done | grep . | sort -g |
			awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
		return
		;;
	xgotop-budget-launch) out=$("$xg" "${capture_dflt[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-other) out=$("$xg_other" "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-record) out=$("$xg" --headless --record "$tmp/rec.zst" --force "${budget[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-table) out=$("$xg" --headless "${budget[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-ui) out=$(run_churn_ui "$bin") ;;
	xgotop-table-tmux)
		rm -f "$tmp/tmux.out" "$tmp/tmux.done"
		tmux -L "$tsock" new-session -d -s th \
			"'$xg' --headless ${budget[*]} -- '$bin' -d ${dur}s >'$tmp/tmux.out' 2>'$tmp/tmux.err'; touch '$tmp/tmux.done'"
		for _ in $(seq $((dur * 5 + 300))); do
			[ -e "$tmp/tmux.done" ] && break
			sleep 0.2
		done
		out=$(cat "$tmp/tmux.out" 2>/dev/null)
		[ -n "$out" ] || sed 's/^/    (xgotop-table-tmux) /' "$tmp/tmux.err" >&2
		;;
	xgotop-nobatch) out=$(XGOTOP_NO_BATCH=1 "$xg" "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-entry) out=$(XGOTOP_PROBES_AT_ENTRY=1 "$xg" "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	xgotop-lifecycle) out=$("$xg" --probes lifecycle "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	bpftrace-six) out=$(bpftrace -e "$(bt_script "$bin" "${six[@]}")" -c "$bin -d ${dur}s" 2>/dev/null) ;;
	bpftrace-ours) out=$(bpftrace -e "$(bt_script "$bin" runtime.casgstatus)" -c "$bin -d ${dur}s" 2>/dev/null) ;;
	poll-20) out=$("$xg" --poll 20 "${capture[@]}" -- "$bin" -d "${dur}s" 2>/dev/null) ;;
	esac
	sed -n 's/^churn: .*, \([0-9]*\)\/s$/\1/p' <<<"$out"
}

# run_churn_ui BINARY: churn launched under the terminal UI in a detached
# tmux pane (200x50, xterm-256color); prints churn's output, which the UI
# sends to the log it names on its first line, once churn has exited.
run_churn_ui() {
	local bin=$1 log= i s
	tmux -L "$tsock" kill-session -t ui 2>/dev/null
	tmux -L "$tsock" new-session -d -s ui -x 200 -y 50 \
		"TERM=xterm-256color LANG=C.UTF-8 '$xg' ${budget[*]} -- '$bin' -d ${dur}s; echo XG_EXIT; sleep 600" || return
	# Polled slowly: churn times itself, and this loop shares the CPUs with it.
	for i in $(seq $((dur * 5 + 300))); do
		sleep 0.2
		if [ -z "$log" ]; then
			s=$(tmux -L "$tsock" capture-pane -t ui -p 2>/dev/null | head -1)
			log=$(sed -n 's/.* output: \(\/tmp\/xgotop-tui-child-[A-Za-z0-9]*\.log\) .*/\1/p' <<<"$s")
		fi
		[ -n "$log" ] && grep -qs '^churn: .*/s$' "$log" && break
	done
	tmux -L "$tsock" send-keys -t ui q
	for i in $(seq 50); do
		tmux -L "$tsock" capture-pane -t ui -p 2>/dev/null | grep -q '^XG_EXIT' && break
		sleep 0.2
	done
	tmux -L "$tsock" kill-session -t ui 2>/dev/null
	[ -n "$log" ] && cat "$log" && rm -f "$log"
}

# stamp: each line of stdin after the time it was read (unix s, us).
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# window FILE FROM TO: goroutines/s of a churn -every run (FILE, its output)
# over its intervals between FROM and TO s after its start; nothing if none.
window() {
	awk -v a="$2" -v b="$3" '$2 == "interval" && $3 >= a && $4 <= b + 0.001 {
		if (!n++) t0 = $3
		t1 = $4; g += $5 }
		END { if (n && t1 > t0) printf "%.0f\n", g / (t1 - t0) }' "$1"
}

# run_churn_pid BINARY: churn running (-every 100ms), xgotop-tui attached by
# -pid 0.3 s after its start under the default budget, churn stopped $dur s
# after the attach line. Prints its goroutines/s over the intervals from the
# attach line to its end; appends "TRACED UNTRACED LEVELS" to $tmp/pid-pairs,
# UNTRACED the same window of an untraced run started right after (as long).
run_churn_pid() {
	local bin=$1 cpid tpid i a s0 end traced twin levels
	rm -f "$tmp/stop" "$tmp/ev.jsonl"
	"$bin" -d 600s -every 100ms -stop "$tmp/stop" >"$tmp/churn-pid.out" &
	cpid=$!
	sleep 0.3
	"$xg" -pid "$cpid" "${capture_dflt[@]}" </dev/null >/dev/null \
		2> >(stamp >"$tmp/xg-pid.err") &
	tpid=$!
	for i in $(seq 1200); do
		grep -qs ' xgotop-tui: attached to pid' "$tmp/xg-pid.err" && break
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.05
	done
	a=$(awk '/ xgotop-tui: attached to pid/ {print $1; exit}' "$tmp/xg-pid.err")
	[ -n "$a" ] && sleep "$dur"
	touch "$tmp/stop"
	wait "$cpid"
	wait "$tpid"
	[ -n "$a" ] || { sed 's/^[0-9.]* //' "$tmp/xg-pid.err" >&2; return; }
	s0=$(sed -n 's/^churn: start \([0-9.]*\) .*/\1/p' "$tmp/churn-pid.out")
	end=$(sed -n 's/^churn: .* goroutines in \([0-9.]*\) s,.*/\1/p' "$tmp/churn-pid.out")
	a=$(awk -v a="$a" -v s="$s0" 'BEGIN {printf "%.3f", a - s}')
	traced=$(window "$tmp/churn-pid.out" "$a" "$end")
	"$bin" -d "${end}s" -every 100ms >"$tmp/churn-twin.out"
	twin=$(window "$tmp/churn-twin.out" "$a" "$end")
	levels=$(sed -n 's/.*"event":"capture".*"level":"\([a-z]*\)".*/\1/p' "$tmp/ev.jsonl" |
		paste -sd,)
	printf '    (-pid: attached %s s after the start, window to %s s: %s/s, untraced %s/s; levels %s)\n' \
		"$a" "$end" "${traced:-?}" "${twin:-?}" "${levels:-?}" >&2
	[ -n "$traced" ] && [ -n "$twin" ] && echo "$traced $twin ${levels:-?}" >>"$tmp/pid-pairs"
	echo "$traced"
}

# run_http CONFIG: one run against a fresh server; prints requests per second
run_http() {
	local c=$1 spid tpid= rate
	"$tmp/httpd" >"$tmp/httpd.out" 2>&1 &
	spid=$!
	for _ in $(seq 100); do grep -q ready "$tmp/httpd.out" && break; sleep 0.05; done
	case $c in
	untraced) ;;
	xgotop | xgotop-other | xgotop-budget | xgotop-nobatch | xgotop-entry | xgotop-lifecycle | poll-20)
		local args=("${capture[@]}") env=() tracer=$xg
		[ "$c" = xgotop-budget ] && args=("${capture_dflt[@]}")
		[ "$c" = xgotop-entry ] && env=(XGOTOP_PROBES_AT_ENTRY=1)
		[ "$c" = xgotop-nobatch ] && env=(XGOTOP_NO_BATCH=1)
		[ "$c" = xgotop-lifecycle ] && args=(--probes lifecycle "${args[@]}")
		[ "$c" = poll-20 ] && args=(--poll 20 "${args[@]}")
		[ "$c" = xgotop-other ] && tracer=$xg_other
		env "${env[@]}" "$tracer" -pid "$spid" "${args[@]}" 2>"$tmp/tracer.err" &
		tpid=$!
		for _ in $(seq 200); do grep -q 'attached' "$tmp/tracer.err" && break; sleep 0.05; done
		;;
	bpftrace-six | bpftrace-ours)
		local syms=(runtime.casgstatus)
		[ "$c" = bpftrace-six ] && syms=("${six[@]}")
		bpftrace -p "$spid" -e "$(bt_script "$tmp/httpd" "${syms[@]}")" >"$tmp/tracer.err" 2>&1 &
		tpid=$!
		for _ in $(seq 200); do grep -q 'Attaching' "$tmp/tracer.err" && break; sleep 0.05; done
		sleep 0.5
		;;
	esac
	rate=$("$tmp/httpload" -d "${dur}s" -c 8 | sed -n 's/^httpload: .*, \([0-9]*\)\/s, .*/\1/p')
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	echo "$rate"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print NR ? a[int((NR + 1) / 2)] : 0}'; }

# table TITLE UNIT RESULTDIR: medians and ratios of the configurations
table() {
	local title=$1 unit=$2 dir=$3 c base six ours m
	for c in "${configs[@]}"; do
		median <"$dir/$c" >"$dir/$c.median"
	done
	base=$(cat "$dir/untraced.median") six=$(cat "$dir/bpftrace-six.median")
	ours=$(cat "$dir/bpftrace-ours.median")
	echo
	echo "$title (median of $rounds interleaved rounds of ${dur} s, $unit)"
	printf '  %-21s %12s %10s %14s %15s\n' config "$unit" "/untraced" "/bpftrace-six" "/bpftrace-ours"
	for c in "${configs[@]}"; do
		m=$(cat "$dir/$c.median")
		awk -v c="$c" -v m="$m" -v b="$base" -v s="$six" -v o="$ours" 'BEGIN {
			printf "  %-21s %12d %9.1f%% %13.2fx %14.2fx\n", c, m, b ? 100 * m / b : 0,
				s ? m / s : 0, o ? m / o : 0 }'
	done
	[ -s "$tmp/pid-pairs" ] || return 0
	awk '{print $1 / $2}' "$tmp/pid-pairs" | median >"$dir/keep"
	printf '  xgotop-budget (attached by -pid): the window after the attach, %s/s; untraced, the same window: %s/s; keep %s (median of %d pairs)\n' \
		"$(awk '{print $1}' "$tmp/pid-pairs" | median)" "$(awk '{print $2}' "$tmp/pid-pairs" | median)" \
		"$(cat "$dir/keep")" "$(wc -l <"$tmp/pid-pairs")"
	rm -f "$tmp/pid-pairs"
}

echo "overhead: $(uname -r), $(nproc) CPUs, xgotop-tui capture: $capture_name"
echo
# The kernel's side first: a uprobe hit by the instruction it sits on.
if [ "$tables_only" = 0 ] && [ "$(uname -m)" = x86_64 ] &&
	cc -O2 -o "$tmp/insncost" "$here/insncost/insncost.c"; then
	"$tmp/insncost" 100000 "$rounds"
fi
for v in "${versions[@]}"; do
	bin=$tmp/churn-$v
	if [ "$tables_only" = 0 ]; then
		echo
		echo "churn, go$v: where the probes go"
		"$build/tests/overhead/xg-placement" "$bin" 2>/dev/null | cut -f2,4,5 | sed 's/^/  states:    /'
		"$build/tests/overhead/xg-placement" -l lifecycle "$bin" 2>/dev/null | cut -f2,4,5 |
			sed 's/^/  lifecycle: /'
	fi
	dir=$tmp/churn-res-$v
	mkdir -p "$dir"
	for r in $(seq "$rounds"); do
		n=${#configs[@]}
		for i in $(seq 0 $((n - 1))); do
			c=${configs[$(((i + r) % n))]}
			rate=$(run_churn "$c" "$bin")
			echo "$rate" >>"$dir/$c"
			printf '  round %d %-21s %s/s\n' "$r" "$c" "${rate:-?}" >&2
		done
	done
	table "churn, go$v" "goroutines/s" "$dir"
	if [ "$tables_only" = 0 ] && [ -x "$hits" ]; then
		echo
		echo "probe hits per goroutine, churn go$v (1 s run, perf counters, no BPF)"
		for set in "states" "lifecycle" "entries" "six"; do
			case $set in
			states) out=$("$hits" -l states -- "$bin" -d 1s) ;;
			lifecycle) out=$("$hits" -l lifecycle -- "$bin" -d 1s) ;;
			entries) out=$("$hits" -e -- "$bin" -d 1s) ;;
			six) out=$(args=(); for s in "${six[@]}"; do args+=(-s "$s"); done; "$hits" "${args[@]}" -- "$bin" -d 1s) ;;
			esac
			g=$(sed -n 's/^churn: \([0-9]*\) goroutines.*/\1/p' <<<"$out")
			t=$(awk -F'\t' '$1 == "total" {print $5}' <<<"$out")
			awk -v s="$set" -v g="$g" -v t="$t" 'BEGIN { printf "  %-10s %6.2f hits/goroutine (%d hits, %d goroutines)\n", s, g ? t / g : 0, t, g }'
		done
	fi
done

if [ "$http" = 1 ]; then
	# A server is not launched under the tracer: attached by -pid, xgotop-budget is the case.
	for i in "${!configs[@]}"; do
		[ "${configs[$i]}" = xgotop-budget-launch ] && unset 'configs[i]'
	done
	configs=("${configs[@]}")
	dir=$tmp/http-res
	mkdir -p "$dir"
	for r in $(seq "$rounds"); do
		n=${#configs[@]}
		for i in $(seq 0 $((n - 1))); do
			c=${configs[$(((i + r) % n))]}
			rate=$(run_http "$c")
			echo "$rate" >>"$dir/$c"
			printf '  round %d http %-21s %s/s\n' "$r" "$c" "${rate:-?}" >&2
		done
	done
	table "HTTP server (net/http, 8 clients, a connection per request), go${versions[-1]}" "requests/s" "$dir"
fi
