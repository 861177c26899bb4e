#!/usr/bin/env bash
# What one --stacks sweep costs the tracer: tests/targets/stacks with N extra
# goroutines parked on a channel (-n N), read by `xgotop-tui -pid PID
# --stacks -v` (which reports the sweep's own CPU and wall time) with the
# output to /dev/null; the whole command's wall and CPU time (sweep and
# printing) from the children's CPU time in /proc/$$/stat. All times in ms.
# Prints figures; asserts nothing. Needs ptrace access (root) and Go.
#
#   bench/stacks.sh [-b BUILD] [-g GOVERSION] [N...]     (default N: 1000 10000 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
ver=1.26.8
while getopts b:g: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	g) ver=$OPTARG ;;
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
