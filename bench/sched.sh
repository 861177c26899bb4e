#!/usr/bin/env bash
# What the sched_switch program costs (docs/OVERHEAD.md 3c). Two figures:
#  1. BPF time per run, from the kernel's own statistics (bpftool prog show:
#     run_time_ns / run_cnt) while xgotop-tui traces bench/pingpong (two
#     threads passing a byte over pipes: every round trip is context
#     switches of the target), against the same while it traces an idle
#     process (every run is another process's switch): with the target's
#     runs counted apart (the hits map, XG_HIT_SCHED), the time of a run on
#     the target's threads and of one on others'.
#  2. Context switches of other processes: `perf bench sched pipe` (us per
#     round trip of two processes), untraced, beside xgotop-tui tracing an
#     idle Go process, and beside one with --no-offcpu, in interleaved rounds
#     (medians). Asserts nothing. Needs root, Go, perf and bpftool.
#
#   bench/sched.sh [-b BUILD] [-r ROUNDS] [-l LOOPS]
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build rounds=5 loops=100000
while getopts "b:r:l:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) rounds=$OPTARG ;;
	l) loops=$OPTARG ;;
	*) sed -n '2,16p' "$0" >&2; exit 2 ;;
	esac
done
xg=$build/xgotop-tui
[ "$(id -u)" -eq 0 ] || { echo "sched: needs root" >&2; exit 1; }
[ -x "$xg" ] || { echo "sched: no $xg: build first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/xg-sched.XXXXXX)
pids=()
stats_was=
cleanup() {
	local p
	[ -z "$stats_was" ] || echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
gobin=$("$root/tools/go-toolchain.sh" 1.26.8) || exit 1
(cd "$here" && "$gobin" build -o "$tmp/pingpong" ./pingpong) || exit 1
(cd "$root/tests/targets" && "$gobin" build -o "$tmp/held" ./held) || exit 1

# stats XG_PID: "run_time_ns run_cnt target_hits" of go_sched_switch of tracer XG_PID
# (other tracers may run on the machine: their programs and maps are not ours; run no
# other xgotop-tui with the sched_switch program meanwhile), the
# target's hits from its hits map's XG_HIT_SCHED (index 4), summed over CPUs.
stats() {
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, subprocess, sys
pid = int(sys.argv[1])
progs = [p for p in json.load(sys.stdin) if p.get("name") == "go_sched_switch"]
# Ours: the pids bpftool names, or else the newest (bpftool without pid support).
mine = [p for p in progs if pid in [x["pid"] for x in p.get("pids", [])]]
for p in mine or sorted(progs, key=lambda p: -p["id"])[:1]:
    hits = 0
    for m in p.get("map_ids", []):
        d = json.loads(subprocess.run(["bpftool", "-j", "map", "dump", "id", str(m)],
                                      capture_output=True, text=True).stdout or "[]")
        show = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(m)],
                                         capture_output=True, text=True).stdout or "{}")
        if show.get("name") != "hits":
            continue
        for e in d:
            if e["formatted"]["key"] == 4:
                hits = sum(v["value"] for v in e["formatted"]["values"])
    print(p.get("run_time_ns", 0), p.get("run_cnt", 0), hits)
    break' "$1"
}

# bpf_window TARGET_PID: delta of (run_time_ns, run_cnt, target hits) over 3 s.
bpf_window() {
	"$xg" -pid "$1" --headless -s --jsonl /dev/null --force 2>"$tmp/xg.err" &
	local x=$! a b
	pids+=("$x")
	sleep 2
	a=$(stats "$x")
	sleep 3
	b=$(stats "$x")
	kill -INT "$x"; wait "$x" 2>/dev/null
	set -- $a $b
	echo "$(($4 - $1)) $(($5 - $2)) $(($6 - $3))"
}

"$tmp/held" -truth "$tmp/held.json" -release "$tmp/never" >/dev/null 2>&1 &
idle=$!
pids+=("$idle")
until [ -s "$tmp/held.json" ]; do sleep 0.1; done
# Every run timed and counted while measuring (the tracer's own BPF_ENABLE_STATS
# covers only its meter's windows); restored at the end.
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
"$tmp/pingpong" -d 0 >/dev/null &
busy=$!
pids+=("$busy")
sleep 0.5
read -r it ic ih < <(bpf_window "$idle")
read -r bt bc bh < <(bpf_window "$busy")
awk -v it="$it" -v ic="$ic" -v ih="$ih" -v bt="$bt" -v bc="$bc" -v bh="$bh" 'BEGIN {
	other = (it) / (ic > 0 ? ic : 1)
	printf "idle target: %d runs (%d on its threads), %.0f ns per run\n", ic, ih, other
	tgt = bh > 0 ? (bt - (bc - bh) * other) / bh : 0
	printf "pingpong target: %d runs, %d on its threads: %.0f ns per run on them, %.0f ns on others\n", bc, bh, tgt, other
}'
kill "$busy"; wait "$busy" 2>/dev/null
echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled

# pipe CONFIG: us per op of perf bench sched pipe.
pipe() {
	local x=
	case $1 in
	traced) "$xg" -pid "$idle" --headless -s --jsonl /dev/null --force 2>/dev/null & x=$! ;;
	nooff) "$xg" -pid "$idle" --headless -s --no-offcpu --jsonl /dev/null --force 2>/dev/null & x=$! ;;
	esac
	[ -n "$x" ] && sleep 2
	perf bench sched pipe -l "$loops" 2>/dev/null | awk '/usecs\/op/ {print $1}'
	if [ -n "$x" ]; then
		kill -INT "$x"
		wait "$x" 2>/dev/null
	fi
}
configs=(untraced traced nooff)
for ((r = 0; r < rounds; r++)); do
	for ((i = 0; i < 3; i++)); do
		c=${configs[$(((i + r) % 3))]}
		echo "$c $(pipe "$c")" >>"$tmp/pipe"
	done
done
for c in "${configs[@]}"; do
	printf "%-9s us per round trip (2 switches): " "$c"
	awk -v c="$c" '$1 == c {print $2}' "$tmp/pipe" | sort -g | tr '\n' ' '
	echo "(median $(awk -v c="$c" '$1 == c {print $2}' "$tmp/pipe" | sort -g |
		awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'))"
done
