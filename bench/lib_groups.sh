# The measuring groups of bench/run (sourced after bench/lib.sh): group_NAME
# prints its figures with fig (bench/run names the ones it did not print NA
# failed). Uses bench/run's variables: build, data, tmp, root, quick, R (timed
# rounds), SEC (seconds per run of the ratios), LIVE_SEC, ORND (interleaved
# rounds of the live figures), FRAMES, PRC_N, REC_N, CG_N, WORKERS_SEC.

# recording N: the path of a synthetic recording of N churn events in
# $data, written (bench_synth write) when missing. Named by the format
# bench_synth writes and by the generator's source: either changing makes new
# ones (the 1 GiB one takes minutes).
recording_path() {
	local v
	v=$("$build/bench_synth" format)-$(md5sum <"$root/tests/record/churn_gen.h" | cut -c1-8) || return 1
	echo "$data/churn-$1-$v.zst"
}

recording() {
	local f
	f=$(recording_path "$1") || return 1
	if [ ! -s "$f" ]; then
		rm -f "$data/churn-$1-"*.zst
		say "writing $f ($1 events)"
		"$build/bench_synth" write "$1" "$f.tmp" >&2 && mv "$f.tmp" "$f" || return 1
	fi
	echo "$f"
}

# cg_fig NAME FUNCTION PER -- COMMAND...: NAME, FUNCTION's instructions per PER
# (a number, or a field of COMMAND's output: "out:N").
cg_fig() {
	local name=$1 fn=$2 per=$3 n
	shift 3
	command -v valgrind >/dev/null || { echo "$name NA no-valgrind"; return; }
	n=$(cg_insns "$fn" "$tmp/cg-$name" "$@")
	# Nothing counted: the function was inlined or renamed, not a free lunch.
	[ "${n:-0}" -gt 0 ] || { say "$name: callgrind counted nothing in $fn"; return 1; }
	case $per in
	out:*) per=$(awk -v f="${per#out:}" '{print $f; exit}' "$tmp/cg-$name.out") ;;
	esac
	say "$name: $n instructions in $fn over $per"
	fig "$name" "$(calc "$n / $per")" insns
}

# cg_bg NAME ARGS...: cg_fig NAME ARGS... in the background, its output
# kept for cg_wait NAME. Instruction counts do not move with the load: they
# are counted while the group's timed rounds run (CPU time of their own
# thread), which halves the group's wall time on a loaded machine.
cg_bg() {
	cg_fig "$@" >"$tmp/cgfig-$1" 2>"$tmp/cgfig-$1.err" &
	echo $! >"$tmp/cgfig-$1.pid"
}

cg_wait() {
	wait "$(cat "$tmp/cgfig-$1.pid")"
	cat "$tmp/cgfig-$1.err" >&2
	cat "$tmp/cgfig-$1"
}

group_prc() {
	local out
	cg_bg prc_insns_per_event synth_prc_pass out:3 -- "$build/bench_synth" prc 10000 "$CG_N" 1
	out=$("$build/bench_synth" prc 10000 "$PRC_N" "$R") || return 1
	say "bench_synth prc 10000 $PRC_N $R: $out (ns, records timed, goroutines in the table)"
	fig prc_ns_per_event "$(awk '{printf "%.1f", $2}' <<<"$out")" ns
	cg_wait prc_insns_per_event
}

group_replay() {
	local f small out
	f=$(recording "$REC_N") && small=$(recording "$CG_N") || return 1
	cg_bg replay_insns_per_event synth_replay_pass "$CG_N" -- "$build/bench_synth" replay "$small" 1
	out=$("$build/bench_synth" replay "$f" "$R") || return 1
	say "bench_synth replay ($REC_N events): $out"
	fig replay_events_per_s "$(awk '{printf "%.0f", 1e9 / $2}' <<<"$out")" events/s
	out=$("$build/bench_synth" decode "$f" "$R") || return 1
	say "bench_synth decode ($REC_N events): $out"
	fig replay_decode_events_per_s "$(awk '{printf "%.0f", 1e9 / $2}' <<<"$out")" events/s
	cg_wait replay_insns_per_event
}

# The 1 GiB recording: about 210M events (5.3 bytes each). Written by the full
# run (minutes); --quick uses it when it is there. Read from the page cache,
# then with its pages dropped before each round (what opening a recording
# copied in or written long ago costs: the disk's seeks).
group_first() {
	local n=210000000 f out
	if [ "$quick" = 1 ] && [ ! -s "$(recording_path $n)" ]; then
		say "replay_first_screen_ms: no 1 GiB recording in $data yet (the full run writes it)"
		echo "replay_first_screen_ms NA no-recording"
		echo "replay_first_screen_cold_ms NA no-recording"
		return
	fi
	f=$(recording "$n") || return 1
	say "$f: $(du -h "$f" | cut -f1)"
	out=$("$build/bench_synth" first "$f" "$R") || return 1
	fig replay_first_screen_ms "$(awk '{print $2}' <<<"$out")" ms
	out=$("$build/bench_synth" first "$f" "$R" cold) || return 1
	fig replay_first_screen_cold_ms "$(awk '{print $2}' <<<"$out")" ms
}

group_record() {
	local out
	cg_bg record_insns_per_event record__event "$CG_N" -- "$build/bench_synth" write "$CG_N" "$tmp/cg.zst"
	out=$("$build/bench_record" "$REC_N" "$tmp/record.zst") || return 1
	say "bench_record $REC_N: $(sed -n 2,3p <<<"$out" | paste -sd' ')"
	fig record_bytes_per_event "$(sed -n 's/^ *\([0-9.]*\) bytes\/event in the file.*/\1/p' <<<"$out")" bytes
	fig record_ns_per_event "$(sed -n 's/^ *\([0-9.]*\) ns\/event (encode.*/\1/p' <<<"$out")" ns
	cg_wait record_insns_per_event
}

# Both at once: resident bytes of a process of its own do not move with the load.
group_state() {
	local out kind name parked
	"$build/bench_gmem" parked 1000000 >"$tmp/gmem-parked" &
	parked=$!
	for kind in active parked; do
		name=state_bytes_per_goroutine
		if [ $kind = parked ]; then
			name+=_parked
			wait $parked || return 1
			out=$(cat "$tmp/gmem-parked")
		else
			out=$("$build/bench_gmem" $kind 1000000) || return 1
		fi
		say "bench_gmem $kind 1000000: $out"
		fig $name "$(sed -n 's/.*, \([0-9.]*\) bytes each.*/\1/p' <<<"$out")" bytes
	done
}

# The frame's instructions: the first kind (the list by CPU%) alone, TUI_CG_FRAMES
# frames (the same in both modes: counts compare), counted beside the timed run.
TUI_CG_FRAMES=10
group_tui() {
	local out
	cg_bg tui_frame_insns_100k bench_frame "$TUI_CG_FRAMES" -- \
		"$build/tests/tui/bench_tui" 100000 "$TUI_CG_FRAMES" 1
	out=$("$build/tests/tui/bench_tui" 100000 "$FRAMES") || return 1
	say "bench_tui 100000 $FRAMES: $(grep -c 'rows listed' <<<"$out") frame kinds"
	grep 'rows listed' <<<"$out" >&2
	fig tui_frame_ms_100k "$(awk '/rows listed/ {print $(NF - 4); exit}' <<<"$out")" ms
	fig tui_frame_ms_100k_worst "$(awk '/rows listed/ && $(NF - 4) > m {m = $(NF - 4)} END {print m}' <<<"$out")" ms
	cg_wait tui_frame_insns_100k
}

group_workers() {
	local out names=(1thread rw1_pw1 rw2_pw1 rw2_pw2) i=0 rate rates
	# --quick: runs of 0.5 s, not 1 (14 s less). A ring (1 MiB, 14.5k records)
	# then fills when the rate is 29k/s over what the pipeline sustains, not
	# 15k/s: at most that much higher a figure, at loads that move it 10x.
	out=$(cd "$root" && "$build/bench_workers" --seconds "$WORKERS_SEC") || return 1
	sed -n '/^workers/,$p' <<<"$out" >&2
	rates=$(sed -n '/^workers/,$p' <<<"$out" | awk 'NR > 1 {print $NF}')
	for rate in $rates; do
		[ $i -lt ${#names[@]} ] || break
		fig "max_events_per_s_no_drop_${names[$i]}" "$rate" records/s
		i=$((i + 1))
	done
	[ $i -gt 0 ] && fig max_events_per_s_no_drop "$(sort -g <<<"$rates" | tail -1)" records/s
}

# calib_wait PID: until the tracer's calibration thread (xg-calib: it times
# a probe hit on its own calls, once, after attaching) has ended, at most 5 s.
# Its CPU is setting up, not per event: about 0.1-0.2 s, half of what a 2 s
# quick session cost the tracer before it was left out.
calib_wait() {
	local i
	for i in $(seq 100); do
		grep -qsx xg-calib /proc/"$1"/task/*/comm || return 0
		sleep 0.05
	done
	say "live: the calibration thread still runs after 5 s"
}

# One live session: go1.26 churn (-wait: it starts when the tracer is
# attached) traced by -pid with the default probes, every event recorded.
# Prints "cpu_s events lat_ns drops bytes" of the tracer; cpu_s is the CPU
# of all its threads from its attach line to its exit (bash's time, less
# what /proc/PID/stat said at attach, once its calibration is over: setting
# up is not per event).
live_round() {
	local churn=$1 cpid tpid xpid c0 i
	rm -f "$tmp/m.json" "$tmp/live.zst" "$tmp/xg.err" "$tmp/churn.out"
	"$churn" -wait -d "${LIVE_SEC}s" >"$tmp/churn.out" 2>&1 &
	cpid=$!
	echo "$cpid" >>"$tmp/kids"
	for i in $(seq 100); do grep -qs ready "$tmp/churn.out" && break; sleep 0.05; done
	TIMEFORMAT='%U %S'
	{ time "$build/xgotop-tui" -pid "$cpid" --headless -s --overhead-budget off \
		--record "$tmp/live.zst" --force --metrics "$tmp/m.json" 2>"$tmp/xg.err"; } 2>"$tmp/time" &
	tpid=$!
	for i in $(seq 400); do grep -qs attached "$tmp/xg.err" && break; sleep 0.05; done
	xpid=$(pgrep -P "$tpid" | head -1)
	calib_wait "${xpid:-none}"
	c0=$(cpu_of "${xpid:-none}")
	if ! grep -qs attached "$tmp/xg.err" || [ -z "$c0" ]; then
		say "live: no attach line, or no tracer process (pid '${xpid:-}') to read"
		cat "$tmp/xg.err" >&2
		kill "$cpid"
		wait "$cpid" "$tpid"
		: >"$tmp/kids"
		return 1
	fi
	kill -USR1 "$cpid"
	wait "$cpid"
	: >"$tmp/kids" # reaped: its pid is no longer ours to kill
	wait "$tpid"
	[ -s "$tmp/m.json" ] || { say "live: no --metrics file"; cat "$tmp/xg.err" >&2; return 1; }
	say "tracer CPU at attach: $c0 s"
	echo "$(awk -v c0="$c0" '{print $1 + $2 - c0}' "$tmp/time")" \
		"$(jq -r '"\(.events) \(.lat_ns) \(.drops)"' "$tmp/m.json") $(stat -c %s "$tmp/live.zst")"
}

group_live() {
	local churn=$data/churn-1.26.8 r line
	go_build 1.26.8 "$root/bench" churn "$churn" >&2 || return 1
	: >"$tmp/live"
	for ((r = 0; r < ORND; r++)); do
		line=$(live_round "$churn") || return 1
		say "live round $((r + 1)): tracer CPU s, events, BPF ns/hit, drops, recording bytes: $line" \
			"($(tail -1 "$tmp/churn.out"))"
		echo "$line" >>"$tmp/live"
	done
	fig live_cpu_ns_per_event "$(awk '$2 > 0 {printf "%.1f\n", $1 * 1e9 / $2}' "$tmp/live" | median)" ns
	fig bpf_ns_per_hit "$(awk '{print $3}' "$tmp/live" | median)" ns
	fig live_drops "$(awk '{print $4}' "$tmp/live" | median)" events
	fig live_record_bytes_per_event "$(awk '$2 > 0 {print $5 / $2}' "$tmp/live" | median)" bytes
}

# overhead.sh's table for go1.26.8: "CONFIG RATE PCT% SIX-x OURS-x" rows, and
# the line of xgotop-budget's "keep" (attached by -pid: the window after the
# attach over an untraced run's same window). A configuration none of whose
# runs gave a rate has a median of 0: no figure.
group_overhead() {
	local out t args=()
	# --quick: only the configurations of the figures, only the table. -O: the
	# ratios are of full capture (issue 14); xgotop-budget* are the default's.
	# One round in --quick: three -pid pairs in it, so its keep is a median too.
	[ "$quick" = 1 ] && args=(-c xgotop,xgotop-budget,xgotop-budget-launch,poll-20 -S -P 3)
	out=$("$here/overhead.sh" -b "$build" -g 1.26.8 -H -O -r "$ORND" -d "$SEC" "${args[@]}") || return 1
	t=$(sed -n '/^churn, go1.26.8 (median/,/^$/p' <<<"$out" | awk '$2 > 0 || !/^  [a-z]/')
	echo "$t" >&2
	grep -- '^  xgotop-budget (attached by -pid)' <<<"$out" >&2
	# (a ratio of 0: bpftrace gave no rate)
	fig churn_ratio_vs_bpftrace_six "$(awk '$1 == "xgotop" && $4 + 0 > 0 {print $4 + 0}' <<<"$t")" ratio
	fig churn_ratio_vs_bpftrace_ours "$(awk '$1 == "xgotop" && $5 + 0 > 0 {print $5 + 0}' <<<"$t")" ratio
	fig churn_keep_fraction "$(sed -n 's/^  xgotop-budget (attached by -pid):.* keep \([0-9.e+-]*\) (median.*/\1/p' <<<"$out")" fraction
	fig churn_keep_fraction_launched "$(awk '$1 == "xgotop-budget-launch" {print $3 / 100}' <<<"$t")" fraction
	fig churn_keep_fraction_poll20 "$(awk '$1 == "poll-20" {print $3 / 100}' <<<"$t")" fraction
}

group_budget() {
	local out
	out=$("$here/budget.sh" -b "$build" -r "$ORND" -d "$SEC" -w http) || return 1
	grep median <<<"$out" >&2
	fig http_keep_fraction "$(awk '$1 == "http" && $2 == "off" {print $5 / 100}' <<<"$out")" fraction
	fig http_keep_fraction_budget "$(awk '$1 == "http" && $2 == "default" {print $5 / 100}' <<<"$out")" fraction
}

group_stacks() {
	local out row
	out=$("$here/stacks.sh" -b "$build" 100000) || return 1
	echo "$out" >&2
	row=$(awk '$1 == 100000 && $2 == "debug=2"' <<<"$out")
	fig stack_sweep_ms_100k "$(awk '{print $3}' <<<"$row")" ms
	fig stack_sweep_wall_ms_100k "$(awk '{print $6}' <<<"$row")" ms
}

group_rss() {
	local out n=1000000
	[ "$quick" = 1 ] && n=250000
	out=$("$here/rss.sh" -b "$build" "$n") || return 1
	echo "$out" >&2
	fig tracer_rss_bytes_per_goroutine "$(awk -v n="$n" '$1 == "sweeps" && $2 == n {print $4}' <<<"$out")" bytes
	fig tracer_rss_bytes_per_goroutine_nosweep "$(awk -v n="$n" '$1 == "nosweep" && $2 == n {print $4}' <<<"$out")" bytes
}
