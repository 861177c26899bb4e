#!/usr/bin/env bash
# Checks the OVH meter against a measurement: bench/churn runs untraced and
# traced by xgotop-tui (-b, headless, events to /dev/null, --metrics) in
# interleaved rounds. Measured: the CPU the target spent per goroutine
# (user + system: uprobe traps and BPF programs run in its threads), traced
# minus untraced. Estimated: what --metrics says the probes cost over the
# session (ovh_pct x duration), per traced goroutine. Both are also given as
# % of one core at the traced rate, which is what OVH shows. Prints figures,
# medians last; asserts nothing. Needs root and Go.
#
#   bench/ovh_check.sh [-b BUILD] [-r ROUNDS] [-d SECONDS] [-g GOVERSION] [-- XGOTOP-ARGS...]
#
#   -b BUILD     build directory with xgotop-tui (default: build)
#   -r ROUNDS    interleaved rounds (default 5)
#   -d SECONDS   length of each churn run (default 3)
#   -g VERSION   build churn with this Go release (tools/go-toolchain.sh;
#                default: the go on PATH)
#   XGOTOP-ARGS  more options for xgotop-tui, e.g. --probes lifecycle
#
# XGOTOP_PROBES_AT_ENTRY=1 in the environment puts every probe at its
# function's entry: with -g 1.20.14, casgstatus on a single-stepped `sub`.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build rounds=5 dur=3 gobin=go
while getopts "b:r:d:g:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) rounds=$OPTARG ;;
	d) dur=$OPTARG ;;
	g) gobin=$("$root/tools/go-toolchain.sh" "$OPTARG") || exit 1 ;;
	*) sed -n '2,22p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
extra=("$@")
xg=$build/xgotop-tui
[ "$(id -u)" -eq 0 ] || { echo "ovh_check: needs root" >&2; exit 1; }
[ -x "$xg" ] || { echo "ovh_check: no $xg: build first" >&2; exit 1; }
command -v "$gobin" >/dev/null || { echo "ovh_check: needs go" >&2; exit 1; }
command -v jq >/dev/null || { echo "ovh_check: needs jq" >&2; exit 1; }

tmp=$(mktemp -d /tmp/xg-ovh.XXXXXX)
tpid=
cleanup() {
	[ -n "$tpid" ] && kill -INT "$tpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
(cd "$here" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$gobin" build -o "$tmp/churn" ./churn) || exit 1

# run_churn: "goroutines cpu_seconds" of one run (bash's time: the child's user + sys).
run_churn() {
	local out t
	TIMEFORMAT='%U %S'
	{ time "$tmp/churn" -d "${dur}s" >"$tmp/churn.out"; } 2>"$tmp/time.out"
	out=$(sed -n 's/^churn: \([0-9]*\) goroutines.*/\1/p' "$tmp/churn.out")
	t=$(tail -1 "$tmp/time.out")
	echo "$out $(echo "$t" | awk '{print $1 + $2}')"
}

# run_traced: "goroutines cpu_seconds est_cpu_seconds lat_ns hits_per_s drops".
run_traced() {
	local r
	rm -f "$tmp/m.json"
	"$xg" -b "$tmp/churn" --headless --jsonl /dev/null -s --metrics "$tmp/m.json" \
		"${extra[@]}" 2>"$tmp/tracer.err" &
	tpid=$!
	for _ in $(seq 200); do grep -q 'attached' "$tmp/tracer.err" && break; sleep 0.05; done
	grep -q 'attached' "$tmp/tracer.err" || { cat "$tmp/tracer.err" >&2; exit 1; }
	r=$(run_churn)
	kill -INT "$tpid"
	wait "$tpid"
	tpid=
	[ -s "$tmp/m.json" ] || { cat "$tmp/tracer.err" >&2; exit 1; }
	echo "$r $(jq -r '"\(.ovh_pct * .duration_s / 100) \(.lat_ns) \(.hits / '"$dur"') \(.drops)"' "$tmp/m.json")"
}

printf '%-6s %12s %12s %12s %12s %10s %10s %10s\n' round "untraced/s" "traced/s" \
	"meas us/g" "est us/g" "meas %" "OVH %" "LAT ns"
meas=() est=()
for r in $(seq "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then
		u=$(run_churn)
		t=$(run_traced) || exit 1
	else
		t=$(run_traced) || exit 1
		u=$(run_churn)
	fi
	read -r un uc <<<"$u"
	read -r tn tc te lat hps drops <<<"$t"
	line=$(awk -v un="$un" -v uc="$uc" -v tn="$tn" -v tc="$tc" -v te="$te" -v d="$dur" \
		-v lat="$lat" -v r="$r" 'BEGIN {
		mg = (tc / tn - uc / un) * 1e6; eg = te / tn * 1e6
		printf "%-6s %12.0f %12.0f %12.2f %12.2f %10.1f %10.1f %10.0f\n", r, un / d, tn / d,
			mg, eg, mg * tn / d / 1e4, eg * tn / d / 1e4, lat }')
	echo "$line"
	[ "$drops" = 0 ] || echo "       ($drops events dropped)"
	meas+=("$(echo "$line" | awk '{print $6}')")
	est+=("$(echo "$line" | awk '{print $7}')")
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "median: measured $(med "${meas[@]}") % of one core, OVH estimate $(med "${est[@]}") %"
