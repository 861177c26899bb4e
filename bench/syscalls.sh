#!/usr/bin/env bash
# What following syscalls costs: bench/syscalls (goroutines writing one byte
# to /dev/null in a loop) built by go1.25 (every syscall passes casgstatus:
# two uprobe hits) and by go1.26 (casgstatus misses syscalls: the sys_enter
# and sys_exit tracepoints see them), untraced and under xgotop-tui, in
# interleaved rounds; and the same untraced program beside a tracer that
# follows another process (the tracepoints run for every syscall of the
# machine, filtered by pid). Prints medians of ns per syscall; asserts
# nothing. Needs root and Go.
#
#   bench/syscalls.sh [-b BUILD] [-r ROUNDS] [-d SECONDS] [-g GOROUTINES]
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build rounds=5 dur=3 gs=1
while getopts "b:r:d:g:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) rounds=$OPTARG ;;
	d) dur=$OPTARG ;;
	g) gs=$OPTARG ;;
	*) sed -n '2,12p' "$0" >&2; exit 2 ;;
	esac
done
xg=$build/xgotop-tui
[ "$(id -u)" -eq 0 ] || { echo "syscalls: needs root" >&2; exit 1; }
[ -x "$xg" ] || { echo "syscalls: no $xg: build first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/xg-syscalls.XXXXXX)
bystander=
cleanup() {
	[ -n "$bystander" ] && kill "$bystander" 2>/dev/null && wait "$bystander" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
cd "$here"
for v in 1.25.14 1.26.8; do
	gobin=$("$root/tools/go-toolchain.sh" "$v") || exit 1
	"$gobin" build -o "$tmp/sc-$v" ./syscalls || exit 1
done
gobin=$("$root/tools/go-toolchain.sh" 1.26.8) || exit 1
(cd "$root/tests/targets" && "$gobin" build -o "$tmp/sysblock" ./sysblock) || exit 1

# one CONFIG VERSION: ns per syscall of one run.
one() {
	local cfg=$1 v=$2 out=$tmp/out
	case $cfg in
	untraced | bystander) "$tmp/sc-$v" -g "$gs" -d "${dur}s" >"$out" ;;
	xgotop) "$xg" --headless --force --jsonl "$tmp/x.jsonl" -- "$tmp/sc-$v" -g "$gs" -d "${dur}s" >"$out" 2>/dev/null ;;
	esac
	awk '/^syscalls/ {print $4}' "$out"
}

configs=("untraced 1.25.14" "xgotop 1.25.14" "untraced 1.26.8" "xgotop 1.26.8" "bystander 1.26.8")
for ((r = 0; r < rounds; r++)); do
	for ((i = 0; i < ${#configs[@]}; i++)); do
		c=${configs[$(((i + r) % ${#configs[@]}))]}
		set -- $c
		if [ "$1" = bystander ]; then
			"$xg" --headless --force --jsonl "$tmp/b.jsonl" -- "$tmp/sysblock" -n 1 -block 3600s >/dev/null 2>&1 &
			bystander=$!
			sleep 1
		fi
		echo "$c $(one "$@")" >>"$tmp/all"
		if [ -n "$bystander" ]; then
			kill -INT "$bystander" 2>/dev/null
			wait "$bystander" 2>/dev/null
			bystander=
		fi
	done
done
echo "load: $(uptime)"
printf '%-22s %10s\n' "config" "ns/syscall"
for c in "${configs[@]}"; do
	med=$(awk -v c="$c" '$1" "$2 == c {print $3}' "$tmp/all" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '%-22s %10s\n' "$c" "$med"
done
