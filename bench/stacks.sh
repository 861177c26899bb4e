#!/usr/bin/env bash
# What one --stacks sweep costs the tracer: tests/targets/stacks with N extra
# goroutines parked on a channel (-n N), read by `xgotop-tui -pid PID
# --stacks -v` (which reports the sweep's own CPU and wall time) with the
# output to /dev/null; the whole command's wall and CPU time (sweep and
# printing) from the children's CPU time in /proc/$$/stat. All times in ms.
# Prints figures; asserts nothing. Needs ptrace access (root) and Go.
#
#   bench/stacks.sh [-b BUILD] [-g GOVERSION] [N...]     (default N: 1000 10000 100000)
#
# -t ROUNDS: instead, what sweeping costs the target: bench/httpd with -p N
# goroutines parked (default 100000), loaded by bench/httpload (8 clients,
# -d SEC each, default 4), in ROUNDS interleaved rounds (the order rotates)
# of four configurations; the median rate of each and its ratio to untraced:
#   untraced     the server alone
#   stacks-2s    `--stacks=1` every 2 s (a sweep's reads, no probes; each also
#                opens the binary, which a live session does once)
#   traced       --headless with its default probes, --stack-interval 0
#   traced+2s    the same with --stack-interval 2 (the UI's default)
#
#   bench/stacks.sh [-b BUILD] [-g GOVERSION] -t ROUNDS [-p N] [-d SEC]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
ver=1.26.8 rounds=0 park=100000 dur=4
while getopts b:g:t:p:d: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	g) ver=$OPTARG ;;
	t) rounds=$OPTARG ;;
	p) park=$OPTARG ;;
	d) dur=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
tracer=$build/xgotop-tui
work=$build/bench-stacks
mkdir -p "$work"
go=$("$root/tools/go-toolchain.sh" "$ver")
(cd "$root/tests/targets" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$work/stacks" ./stacks)

# One run of configuration $1 against the server $spid: the rate, requests/s.
throughput_run() {
	local cfg=$1 xpid="" lpid="" rate
	case $cfg in
	stacks-2s)
		(while :; do "$tracer" -pid "$spid" --stacks=1 >/dev/null 2>&1; sleep 2; done) &
		lpid=$! ;;
	traced | traced+2s)
		local iv=0
		[ "$cfg" = traced+2s ] && iv=2
		"$tracer" -pid "$spid" --headless --stack-interval $iv >/dev/null 2>"$work/tracer.err" &
		xpid=$!
		for _ in $(seq 600); do
			grep -q 'attached to pid' "$work/tracer.err" && break
			sleep 0.1
		done ;;
	esac
	rate=$("$work/httpload" -d "${dur}s" -c 8 | sed -n 's/^httpload: .*, \([0-9]*\)\/s, .*/\1/p')
	[ -n "$lpid" ] && { kill "$lpid"; wait "$lpid" 2>/dev/null; }
	[ -n "$xpid" ] && { kill -INT "$xpid"; wait "$xpid" 2>/dev/null; }
	echo "${rate:-0}"
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

if [ "$rounds" -gt 0 ]; then
	cd "$root/bench"
	GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$work/httpd" ./httpd
	GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$work/httpload" ./httpload
	"$work/httpd" -park "$park" >"$work/httpd.out" 2>&1 &
	spid=$!
	trap 'kill $spid 2>/dev/null' EXIT
	for _ in $(seq 300); do grep -q ready "$work/httpd.out" && break; sleep 0.1; done
	cfgs=(untraced stacks-2s traced traced+2s)
	declare -A rates
	for r in $(seq "$rounds"); do
		for k in "${!cfgs[@]}"; do
			cfg=${cfgs[$(((k + r) % ${#cfgs[@]}))]}
			rates[$cfg]+="$(throughput_run "$cfg") "
		done
		echo "round $r: $(for c in "${cfgs[@]}"; do printf '%s %s  ' "$c" "$(echo ${rates[$c]} | awk '{print $NF}')"; done)"
	done
	base=$(echo ${rates[untraced]} | tr ' ' '\n' | median)
	printf '%-11s %-10s %-8s %s\n' config "median/s" ratio "all rounds"
	for c in "${cfgs[@]}"; do
		m=$(echo ${rates[$c]} | tr ' ' '\n' | median)
		printf '%-11s %-10s %-8s %s\n' "$c" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.3f", b ? a/b : 0}')" "${rates[$c]}"
	done
	exit 0
fi

printf '%-10s %-8s %-10s %-10s %-10s %-10s %-11s %-10s %-8s\n' goroutines form "sweep CPU" "user" "system" "sweep wall" "cmd wall" "cmd CPU" "out MiB"
for n in "${sizes[@]}"; do
	rm -f "$work/in"
	mkfifo "$work/in"
	"$work/stacks" -n "$n" -before "$work/b.txt" -after "$work/a.txt" <"$work/in" >"$work/out.txt" &
	tpid=$!
	exec 3>"$work/in"
	while ! grep -q '^ready' "$work/out.txt"; do
		kill -0 $tpid 2>/dev/null || { echo "target died" >&2; exit 1; }
		sleep 0.2
	done
	for form in 2 1; do
		t0=$(date +%s%N)
		c0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
		"$tracer" -pid $tpid --stacks=$form -v >"$work/ours.txt" 2>"$work/err.txt"
		t1=$(date +%s%N)
		# children's user+sys (cutime+cstime), clock ticks
		c1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
		tck=$(getconf CLK_TCK)
		sw=$(sed -n 's/.*sweep \([0-9.]*\) ms CPU, \([0-9.]*\) ms wall (user \([0-9]*\) ms, system \([0-9]*\) ms).*/\1 \3 \4 \2/p' "$work/err.txt")
		printf '%-10s %-8s %-10s %-10s %-10s %-10s %-11s %-10s %-8s\n' "$n" "debug=$form" ${sw:-? ? ? ?} \
			$(((t1 - t0) / 1000000)) $(((c1 - c0) * 1000 / tck)) \
			"$(awk -v s="$(stat -c %s "$work/ours.txt")" 'BEGIN{printf "%.1f", s/1048576}')"
	done
	echo go >&3
	exec 3>&-
	wait $tpid || true
done
