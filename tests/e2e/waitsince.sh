#!/usr/bin/env bash
# Goroutines found at attach: their wait as Go counts it. tests/targets/waitsince
# parks one goroutine before a forced GC (Go then keeps g.waitsince, set by that
# GC) and one after (Go keeps none), and prints the GC's bounds in
# CLOCK_MONOTONIC. Attached with -pid:
#   - the JSONL create of the first has "waitsince" within the GC's bounds, the
#     second's has none;
#   - the -n snapshot shows the first's wait (IN) with no ">", within what the
#     target's own clock allows: [before the tracer - GC end, after it - GC
#     start] at the printed precision; the second's is a lower bound, ">".
#
#   waitsince.sh TRACER GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 TRACER GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 ver=$2 w=$3
need_root
need_tracer "$tracer"
command -v jq >/dev/null || fail "jq is needed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
gobin=$("$e2e_root/tools/go-toolchain.sh" "$ver") || fail "no Go $ver toolchain"
(cd "$e2e_root/tests/targets" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
	"$gobin" build -o "$w/waitsince" ./waitsince) || fail "cannot build the target with go$ver"

tpid= xpid=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -z "$xpid" ] || stop "$xpid"
	[ -z "$tpid" ] || stop "$tpid"
}
trap cleanup EXIT
mkfifo "$w/in"
GOGC=off "$w/waitsince" <"$w/in" >"$w/target.out" 2>"$w/target.err" &
tpid=$!
exec 3>"$w/in"
wait_line "$w/target.out" '^ready' 60 "$tpid" || { show "$w/target.err"; fail "the target never got ready"; }
before=$(awk '$2 == "before" {print $3}' "$w/target.out")
after=$(awk '$2 == "after" {print $3}' "$w/target.out")
read -r gc0 gc1 < <(awk '$1 == "gc" {print $2, $3}' "$w/target.out")
[ -n "$before" ] && [ -n "$after" ] && [ -n "$gc1" ] || fail "the target did not say: $(cat "$w/target.out")"

# mark N: the target's clock now, CLOCK_MONOTONIC ns (its answer number N + 1).
mark() {
	echo mark >&3
	until [ "$(grep -c '^mono ' "$w/target.out")" -gt "$1" ]; do
		alive "$tpid" || fail "the target ended"
		sleep 0.02
	done
	grep '^mono ' "$w/target.out" | sed -n "$(($1 + 1))p" | cut -d' ' -f2
}

rc=0
# The JSONL: the creates of the snapshot.
"$tracer" --headless --jsonl "$w/pid.jsonl" -pid "$tpid" >/dev/null 2>"$w/jsonl.err" &
xpid=$!
wait_line "$w/jsonl.err" "attached to pid $tpid" 120 "$xpid" || { show "$w/jsonl.err"; fail "no attach"; }
kill -INT "$xpid"
wait_exit "$xpid" 60 || fail "the tracer did not end within 60 s of SIGINT"
xpid=
[ "$status" -eq 0 ] || { show "$w/jsonl.err"; fail "the tracer exited $status"; }
create() {
	jq -c --argjson g "$1" 'select(.event == "create" and .goid == $g)' "$w/pid.jsonl" | head -1
}
ca=$(create "$before") cb=$(create "$after")
echo "before GC: $ca"
echo "after GC:  $cb"
jq -e --argjson t0 "$gc0" --argjson t1 "$gc1" \
	'.existing and .state == "waiting" and .waitsince >= $t0 and .waitsince <= $t1' \
	<<<"$ca" >/dev/null || { echo "FAIL: want waitsince in [$gc0, $gc1]"; rc=1; }
jq -e '.existing and .state == "waiting" and (has("waitsince") | not)' <<<"$cb" >/dev/null ||
	{ echo "FAIL: want no waitsince after the GC"; rc=1; }

# The -n snapshot, between two readings of the target's clock.
m0=$(mark 0)
"$tracer" -pid "$tpid" -n 1 -d 0.5 >"$w/batch.out" 2>"$w/batch.err"
st=$?
m1=$(mark 1)
[ $st -eq 0 ] || { show "$w/batch.err"; fail "-n exited $st"; }
# GID STATE WAIT IN CPU% AGE ...
row() { awk -v g="$1" '$1 == g {print; exit}' "$w/batch.out"; }
ra=$(row "$before") rb=$(row "$after")
echo "-n: $ra"
echo "-n: $rb"
# secs DUR UNIT: the seconds fmt_dur printed, and the unit of its last digit.
secs() {
	awk -v d="$1" 'BEGIN {
		if (d ~ /^[0-9]+h[0-9]+m$/) { split(d, p, /[hm]/); print p[1] * 3600 + p[2] * 60, 60 }
		else if (d ~ /^[0-9]+m[0-9]+s$/) { split(d, p, /[ms]/); print p[1] * 60 + p[2], 1 }
		else if (d ~ /^[0-9.]+s$/) { sub(/s$/, "", d); u = index(d, ".") ? 10 ^ -(length(d) - index(d, ".")) : 1; print d + 0, u }
		else if (d ~ /^[0-9.]+ms$/) { sub(/ms$/, "", d); print d / 1000, 0.001 }
		else print "bad", 0 }'
}
# The IN column (tui/batch.c: "%9llu %-9s %-22s %7s ..."); the wait reason has spaces.
col_in() { awk '{s = substr($0, 44, 7); gsub(/ /, "", s); print s}' <<<"$1"; }
ina=$(col_in "$ra") inb=$(col_in "$rb")
case $ina in
'>'*) echo "FAIL: Go's wait is exact, shown as a lower bound: $ina"; rc=1 ;;
esac
read -r v u < <(secs "$ina")
lo=$(awk -v m="$m0" -v t="$gc1" 'BEGIN {printf "%.3f", (m - t) / 1e9}')
hi=$(awk -v m="$m1" -v t="$gc0" 'BEGIN {printf "%.3f", (m - t) / 1e9}')
echo "wait of goroutine $before: shown $ina, the target's clock allows [$lo, $hi] s"
awk -v v="$v" -v u="$u" -v lo="$lo" -v hi="$hi" 'BEGIN {exit !(v != "bad" && v + u >= lo && v <= hi)}' ||
	{ echo "FAIL: $ina is outside [$lo, $hi] s"; rc=1; }
case $inb in
'>'*) ;;
*) echo "FAIL: no Go time for goroutine $after's wait: want a lower bound '>', got $inb"; rc=1 ;;
esac
[ $rc -eq 0 ] && echo ok
exit $rc
