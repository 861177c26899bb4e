#!/usr/bin/env bash
# How long -pid takes to attach, and what it loses doing so (issue 13):
#  - idle: bench/churn -wait (parked until SIGUSR1, which never comes); from the
#    command to its attach line on stderr, to the first -n snapshot on
#    stdout, and the whole of `-n 1 -d 0.1`;
#  - busy: bench/churn (goroutines created and ended as fast as the machine
#    allows); the drops of a 2-second headless session, all of which come
#    at attach on an otherwise keeping-up tracer, and its attach time.
# Prints figures (medians of ROUNDS); asserts nothing.
#
#   sudo bench/attach_time.sh [-b BUILD] [-x XGOTOP-TUI] [-r ROUNDS] [-g GOVERSION]
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build xg= rounds=5 ver=1.26.8
while getopts b:x:r:g: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	x) xg=$OPTARG ;;
	r) rounds=$OPTARG ;;
	g) ver=$OPTARG ;;
	*) exit 2 ;;
	esac
done
xg=${xg:-$build/xgotop-tui}
[ -x "$xg" ] || { echo "attach_time: no $xg" >&2; exit 1; }
gobin=$("$root/tools/go-toolchain.sh" "$ver") || exit 1
w=$(mktemp -d) || exit 1
tpid=
trap '[ -z "$tpid" ] || kill "$tpid" 2>/dev/null; rm -rf "$w"' EXIT
(cd "$root/bench" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$gobin" build -o "$w/churn" ./churn) || exit 1

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : "n/a"}'; }

# Stamps each line of stdin with the seconds since $1.
stamp() { while IFS= read -r l; do echo "$(echo "$(now) - $1" | bc) $l"; done; }

"$w/churn" -wait >/dev/null 2>&1 &
tpid=$!
sleep 1
: >"$w/attach" && : >"$w/first" && : >"$w/total"
for ((i = 0; i < rounds; i++)); do
	t0=$(now)
	"$xg" -pid "$tpid" -n 1 -d 0.1 2> >(stamp "$t0" >"$w/err") | stamp "$t0" >"$w/out"
	t1=$(now)
	sleep 0.2
	grep -m1 'attached to pid' "$w/err" | cut -d' ' -f1 >>"$w/attach"
	head -1 "$w/out" | cut -d' ' -f1 >>"$w/first"
	echo "$t1 - $t0" | bc >>"$w/total"
done
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
tpid=
echo "idle (churn -wait), $rounds rounds, median s: attach line $(median <"$w/attach")," \
	"first -n snapshot $(median <"$w/first"), whole -n 1 -d 0.1 $(median <"$w/total")"

: >"$w/drops" && : >"$w/battach"
for ((i = 0; i < rounds; i++)); do
	"$w/churn" -d 30s >/dev/null 2>&1 &
	tpid=$!
	sleep 1
	t0=$(now)
	"$xg" -pid "$tpid" --headless -s --duration 2 --jsonl /dev/null --metrics "$w/m$i.json" \
		2> >(stamp "$t0" >"$w/err")
	sleep 0.2
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	tpid=
	grep -m1 'attached to pid' "$w/err" | cut -d' ' -f1 >>"$w/battach"
	sed -n 's/.*"drops": \([0-9]*\),.*/\1/p' "$w/m$i.json" >>"$w/drops"
done
echo "busy (churn), $rounds rounds: attach line median $(median <"$w/battach") s," \
	"drops per 2 s session: $(tr '\n' ' ' <"$w/drops")"
