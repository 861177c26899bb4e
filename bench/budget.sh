#!/usr/bin/env bash
# --overhead-budget (docs/OVERHEAD.md §6): what the default budget leaves the
# target. Each workload runs untraced, under xgotop-tui with the default
# budget (5%) and with --overhead-budget off, in interleaved rounds (the
# order rotates every round); the tracer attaches by -pid ATTACH seconds
# after the workload starts (so that the estimate sees it busy) and stays
# to the end. Prints each round, medians and ratios, and the capture level
# each traced run chose; asserts nothing.
#
#   bench/budget.sh [-b BUILD] [-r ROUNDS] [-d SECONDS] [-a ATTACH] [-w WORKLOAD]
#
#   -b BUILD     build directory with xgotop-tui (default: build)
#   -r ROUNDS    interleaved rounds (default 3)
#   -d SECONDS   length of each run (default 4)
#   -a ATTACH    seconds before attaching (default 0.3)
#   -w WORKLOAD  only this workload: churn, http or caddy (default all)
#
# Workloads: bench/churn (goroutines/s over the whole run; also launched
# under the tracer, where only the run-time steps apply), bench/httpd
# loaded by bench/httpload (8 clients, a connection per request;
# requests/s) and, when /usr/bin/caddy is there, Debian's caddy serving a
# fixed answer, loaded the same way. Each traced run's capture levels in
# order, and (-v) the longest time from over budget to stepped down: until
# the links were destroyed, until the old level's program stopped running
# and until its breakpoints were out of the target's code.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build rounds=3 dur=4 attach=0.3 workloads="churn http"
[ -x /usr/bin/caddy ] && workloads="$workloads caddy"
while getopts "b:r:d:a:w:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) rounds=$OPTARG ;;
	d) dur=$OPTARG ;;
	a) attach=$OPTARG ;;
	w)
		case $OPTARG in
		churn | http | caddy) workloads=$OPTARG ;;
		*) echo "budget: -w $OPTARG: want churn, http or caddy" >&2; exit 2 ;;
		esac
		;;
	*) sed -n '2,19p' "$0" >&2; exit 2 ;;
	esac
done
xg=$build/xgotop-tui
[ "$(id -u)" -eq 0 ] || { echo "budget: needs root" >&2; exit 1; }
[ -x "$xg" ] || { echo "budget: no $xg: build first" >&2; exit 1; }
tmp=$(mktemp -d /tmp/xg-budget.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export GOFLAGS=-buildvcs=false
(cd "$here" && go build -o "$tmp/churn" ./churn && go build -o "$tmp/httpd" ./httpd &&
	go build -o "$tmp/httpload" ./httpload) || exit 1
port=$((20000 + $$ % 20000))

# trace PID CONFIG: xgotop-tui on PID until it exits (untraced: nothing).
# Prints the capture level it chose.
trace() {
	local pid=$1 cfg=$2 args=()
	case $cfg in
	untraced) return ;;
	default) ;;
	off) args=(--overhead-budget off) ;;
	esac
	sleep "$attach"
	"$xg" -v -pid "$pid" "${args[@]}" --headless -s --jsonl "$tmp/ev.jsonl" --force \
		</dev/null >/dev/null 2>"$tmp/xg.err"
	levels
}

# The capture levels of the last traced run, in order, and its longest step down.
levels() {
	{
		grep '"event":"capture"' "$tmp/ev.jsonl" | sed -n 's/.*"level":"\([a-z]*\)".*/\1/p' |
			paste -sd,
		sed -n 's/.*longest from over budget to stepped down \([0-9]* ms (program stopped after [0-9]* ms, breakpoints out after [0-9]* ms)\).*/; step down \1/p' \
			"$tmp/xg.err"
	} | paste -sd' ' >"$tmp/level"
}

# churn CONFIG: goroutines/s. Config launch: churn launched under the
# default budget (no estimate: states, then a step down while running).
churn() {
	local cfg=$1 pid
	if [ "$cfg" = launch ]; then
		"$xg" -v --headless -s --jsonl "$tmp/ev.jsonl" --force -- "$tmp/churn" -d "${dur}s" \
			</dev/null >"$tmp/churn.out" 2>"$tmp/xg.err"
		levels
		sed -n 's/.*, \([0-9]*\)\/s$/\1/p' "$tmp/churn.out"
		return
	fi
	"$tmp/churn" -d "${dur}s" >"$tmp/churn.out" &
	pid=$!
	trace "$pid" "$cfg"
	wait "$pid"
	sed -n 's/.*, \([0-9]*\)\/s$/\1/p' "$tmp/churn.out"
}

# http CONFIG: requests/s.
http() {
	local spid
	"$tmp/httpd" -addr "127.0.0.1:$port" >"$tmp/httpd.out" 2>&1 &
	spid=$!
	for _ in $(seq 100); do grep -q ready "$tmp/httpd.out" && break; sleep 0.05; done
	load "$1" "$spid" "http://127.0.0.1:$port/?n=100"
}

# caddy CONFIG: requests/s of /usr/bin/caddy answering "hello".
caddy() {
	local spid
	printf '{\n\tadmin off\n}\n:%d {\n\trespond "hello"\n}\n' "$port" >"$tmp/Caddyfile"
	/usr/bin/caddy run --config "$tmp/Caddyfile" --adapter caddyfile >"$tmp/caddy.out" 2>&1 &
	spid=$!
	for _ in $(seq 200); do
		curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
		sleep 0.05
	done
	load "$1" "$spid" "http://127.0.0.1:$port/"
}

# load CONFIG PID URL: httpload on URL while PID is traced by CONFIG; PID ends after.
load() {
	local cfg=$1 spid=$2 url=$3 lpid
	"$tmp/httpload" -url "$url" -d "${dur}s" >"$tmp/load.out" &
	lpid=$!
	trace "$spid" "$cfg" &
	wait "$lpid"
	kill "$spid"
	wait
	sed -n 's/.*, \([0-9]*\)\/s, .*/\1/p' "$tmp/load.out"
}

median() {
	sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

echo "budget: $(uname -r), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for wl in $workloads; do
	configs=(untraced default off)
	[ $wl = churn ] && configs+=(launch)
	: >"$tmp/$wl.all"
	for ((r = 0; r < rounds; r++)); do
		for ((i = 0; i < ${#configs[@]}; i++)); do
			cfg=${configs[$(((i + r) % ${#configs[@]}))]}
			: >"$tmp/level"
			v=$($wl "$cfg")
			echo "$wl round $((r + 1)) $cfg: $v/s level $(cat "$tmp/level" 2>/dev/null)" \
				"(load $(cut -d' ' -f1 /proc/loadavg))"
			echo "$cfg $v" >>"$tmp/$wl.all"
		done
	done
	base=$(awk '$1 == "untraced" {print $2}' "$tmp/$wl.all" | median)
	for cfg in "${configs[@]}"; do
		m=$(awk -v c="$cfg" '$1 == c {print $2}' "$tmp/$wl.all" | median)
		awk -v w="$wl" -v c="$cfg" -v m="$m" -v b="$base" \
			'BEGIN {printf "%s %-9s median %10.0f/s  %6.1f%% of untraced\n", w, c, m, 100 * m / b}'
	done
done
echo "budget: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
