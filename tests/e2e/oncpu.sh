#!/usr/bin/env bash
# On-CPU and off-CPU time against what the kernel says of the same thread:
# tests/targets/cpuspin locks its main goroutine to its thread, waits, and
# spins for 4 s between two reads of /proc/self/task/TID/schedstat (time on
# a CPU). The tracer's `cpu` events charged to that goroutine over its
# running span must give the same on-CPU share (oncpu_check.py).
#   limited: the target in a cgroup of its own limited to 20% of a CPU
#            (cgroup v2 cpu.max "20000 100000", or v1's cfs quota on a hybrid
#            mount), made here and removed at the end: the share is within 5
#            points of 20% (when the machine gave it 15% at least), the limit
#            and the throttling are in the JSONL and in -n's output.
#   free:    no limit: the off-CPU share is what schedstat says (near 0 on an
#            idle machine; whatever a loaded one takes from it).
#   nooffcpu: limited as above, traced with --no-offcpu: no sched_switch
#            program of the tracer's while it runs (the other modes have
#            one), no preempted/blocked cpu events (the cgroup's limit and
#            throttling still come), and the spinner's CPU% in -n is its time
#            in running, well above the 20% it had of a CPU.
# The session is recorded: its replay writes the same cpu events.
#
#   tests/e2e/oncpu.sh TRACER WORKDIR limited|free|nooffcpu
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

tracer=$1 work=$2 mode=$3
need_root
need_tracer "$tracer"
command -v python3 >/dev/null || fail "python3 is needed to compare the shares"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
gobin=$(go_cmd) || fail "no Go toolchain"
(cd "$e2e_root/tests/targets" && GOFLAGS=-buildvcs=false "$gobin" build -o "$work/cpuspin" \
	./cpuspin) || fail "cannot build tests/targets/cpuspin"

cg=
tpid=
trpid=
cleanup() {
	[ -z "$trpid" ] || stop "$trpid"
	if [ -n "$tpid" ]; then
		kill "$tpid" 2>/dev/null || true
		wait "$tpid" 2>/dev/null || true
	fi
	# A process just killed may leave the cgroup a moment later: try for a while.
	local i=0
	while [ -n "$cg" ] && [ $i -lt 50 ]; do
		rmdir "$cg" 2>/dev/null && cg= || sleep 0.1
		i=$((i + 1))
	done
	[ -z "$cg" ] || echo "warning: cannot remove $cg" >&2
}
trap cleanup EXIT

# A cgroup limited to 20% of a CPU: v2 when its root offers the cpu controller, else v1's.
make_cgroup() {
	local name=xgotop-oncpu-$$
	if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
			echo +cpu >/sys/fs/cgroup/cgroup.subtree_control ||
			fail "cannot enable the cpu controller of cgroup v2"
		cg=/sys/fs/cgroup/$name
		mkdir "$cg" || fail "cannot make $cg"
		echo "20000 100000" >"$cg/cpu.max" || fail "cannot write $cg/cpu.max"
	elif [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
		cg=/sys/fs/cgroup/cpu/$name
		mkdir "$cg" || fail "cannot make $cg"
		echo 100000 >"$cg/cpu.cfs_period_us" && echo 20000 >"$cg/cpu.cfs_quota_us" ||
			fail "cannot set the quota of $cg"
	else
		fail "no cgroup cpu controller (v2 cpu.max or v1 cpu.cfs_quota_us) to limit the target"
	fi
}

# The names of the BPF programs the process PID holds (its fds' fdinfo, bpftool by id).
bpf_progs() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null
	done | sort -u | while read -r id; do
		bpftool prog show id "$id" --json 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])' || true
	done
}

# While the tracer runs: its probes' programs, and sched_switch's unless --no-offcpu.
check_progs() {
	local progs
	command -v bpftool >/dev/null || fail "bpftool is needed to list the tracer's programs"
	progs=$(bpf_progs "$trpid")
	echo "$progs" | grep -q '^go_' || fail "no BPF program of the tracer's found: '$progs'"
	echo "the tracer's BPF programs:" $progs
	if [ "$mode" = nooffcpu ]; then
		! echo "$progs" | grep -qx go_sched_switch ||
			fail "--no-offcpu, yet sched_switch's program is loaded: $(echo $progs)"
	else
		echo "$progs" | grep -qx go_sched_switch ||
			fail "no sched_switch program of the tracer's: $(echo $progs)"
	fi
}

case $mode in
limited | nooffcpu) make_cgroup ;;
free) ;;
*) fail "mode: limited, free or nooffcpu, not '$mode'" ;;
esac
offcpu=
[ "$mode" = nooffcpu ] && offcpu=--no-offcpu
./cpuspin -go "$work/go" -spin 4s -truth truth.json >target.out 2>target.err &
tpid=$!
if [ -n "$cg" ]; then
	echo "$tpid" >"$cg/cgroup.procs" || fail "cannot move the target into $cg"
fi
wait_line target.out '^tid ' 120 "$tpid" || fail "the target did not start: $(cat target.err)"

"$tracer" -pid "$tpid" $offcpu -n 100 -d 1 --jsonl live.jsonl -w rec.zst >batch.out 2>tracer.err &
trpid=$!
wait_line tracer.err '^xgotop-tui: attached to pid' 180 "$trpid" ||
	fail "the tracer did not attach: $(cat tracer.err)"
check_progs
touch go
wait_exit "$tpid" 120 || fail "the target did not end"
[ "$status" -eq 0 ] || fail "the target failed: $(cat target.err)"
tpid=
# It ends with its target.
wait_exit "$trpid" 120 || fail "the tracer did not end with its target"
[ "$status" -eq 0 ] || fail "the tracer failed ($status): $(cat tracer.err)"
trpid=

python3 "$here/oncpu_check.py" "$mode" truth.json live.jsonl batch.out ||
	{ show tracer.err; fail "the on-CPU figures differ from the kernel's"; }

"$tracer" --replay rec.zst --headless --jsonl replay.jsonl 2>replay.err ||
	fail "the replay failed: $(cat replay.err)"
grep '"event":"cpu"' live.jsonl >live.cpu || true
grep '"event":"cpu"' replay.jsonl >replay.cpu || true
[ -s live.cpu ] || fail "no cpu event"
cmp -s live.cpu replay.cpu || fail "the replay's cpu events differ: $(diff live.cpu replay.cpu | head)"
echo "ok: $mode"
