#!/usr/bin/env bash
# The tests of tests/overhead (see CMakeLists.txt there), one per call:
#
#   run.sh placement XG_PLACEMENT E2E_MATRIX OVH_BIN
#       probes.c's sites on every binary of the matrices: casgstatus on an
#       instruction this kernel emulates; the lifecycle level on calls in
#       newproc1 and in gdestroy or goexit0; arm64 binaries placed too.
#   run.sh lengths XG_INSN_LENGTHS BINARY...
#       the decoder's lengths equal objdump's over the whole .text.
#   run.sh status-offset E2E_MATRIX
#       --poll's g.atomicstatus = g.goid - 8, in the DWARF of every release.
#   run.sh hits XG_HITS OVH_BIN VERSION
#       deep recursion: main.leaf's chosen site is hit once per call, while
#       its entry and stack-check branch are hit again by every morestack.
#   run.sh deeprec XGOTOP OVH_BIN VERSION KIND LEVEL WORKDIR
#       deep recursion traced at LEVEL: one create and one exit per goroutine,
#       no duplicated copystack transition, continuous chains.
#   run.sh reuse XGOTOP OVH_BIN VERSION KIND WORKDIR
#       tests/overhead/reuse traced: goroutines created in waves on the g
#       structs of the previous wave, each one created and ended once under
#       the goid it read itself (casgstatus's per-g cache, bpf/xgotop.bpf.c)
#   run.sh poll XGOTOP OVH_BIN VERSION KIND WORKDIR
#       --poll 20 sees every parked goroutine waiting with the reason the
#       runtime showed, and sees it exit.
#   run.sh slowout XGOTOP OVH_BIN VERSION KIND WORKDIR
#       the same with --jsonl a FIFO left full until the program ended
#       (slowout.py): a blocked write must not stop the reads.
#   run.sh endexits XGOTOP OVH_BIN VERSION KIND WORKDIR
#       goroutines alive when the process exits get an inferred exit at its
#       end (probes, poll, replay); none when tracing stops first.
#   run.sh lifecycle-level XGOTOP OVH_BIN E2E_MATRIX VERSION WORKDIR
#       --probes lifecycle: one create and one exit per goroutine of
#       tests/targets/lifecycle.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || fail "this test attaches uprobes and needs root: run ctest as root"
}

need() {
	local f
	for f; do
		[ -e "$f" ] || fail "missing $f: did the build fixtures run (ctest -L overhead)?"
	done
}

# parked_setup XGOTOP OVH_BIN VERSION KIND WORKDIR: the tests on tests/overhead/parked
# (sets xg, ovh, ver, kind, w and bin; WORKDIR empty).
parked_setup() {
	need_root
	xg=$1 ovh=$2 ver=$3 kind=$4 w=$5
	bin=$ovh/$ver/$kind/parked
	need "$xg" "$bin" "$ovh/check"
	rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
}

# run_traced WORKDIR XGOTOP ARGS... -- CMD...: run the tracer, keep its output.
run_traced() {
	local w=$1
	shift
	timeout -k 10 240 "$@" >"$w/out" 2>"$w/err"
	local st=$?
	[ $st -ne 124 ] || fail "timed out: $*"
	[ $st -eq 0 ] || {
		cat "$w/out" "$w/err" >&2
		fail "exit $st: $*"
	}
}

cmd=${1:-}
shift || true
case $cmd in
placement)
	xp=$1 matrix=$2 ovh=$3
	need "$xp" "$matrix" "$ovh"
	n=0
	kernel=$(uname -r)
	for bin in "$matrix"/*/*/lifecycle "$ovh"/*/plain/deeprec "$ovh"/*/arm64/deeprec; do
		need "$bin"
		all=$("$xp" "$bin") || fail "xg-placement $bin"
		echo "$all"
		# One line per probe of the default set: casgstatus's is the one checked here.
		line=$(awk -F'\t' '$2 ~ /^runtime\.casgstatus(\+0x[0-9a-f]+)?$/' <<<"$all")
		[ -n "$line" ] || fail "$bin: no casgstatus probe in the placement"
		site=$(cut -f2 <<<"$line") mode=$(cut -f4 <<<"$line")
		case $kernel in
		[0-5].* | 6.[0-9].* | 6.1[0-2].*) ;; # push emulation may be missing
		*)
			[ "$mode" = emulated ] || fail "$bin: casgstatus probe at $site is $mode"
			;;
		esac
		case $bin in
		*/arm64/*)
			[ "$site" = runtime.casgstatus+0x18 ] ||
				fail "$bin: arm64 casgstatus probe at $site, want its first tbnz (+0x18)"
			leaf=$("$xp" -f main.leaf "$bin") || fail "xg-placement -f main.leaf $bin"
			echo "$leaf"
			grep -q 'past the stack check\|is emulated, run once' <<<"$leaf" ||
				fail "$bin: main.leaf not placed past its stack check"
			;;
		*/1.19.*/* | */1.20.*/*)
			[ "$site" = runtime.casgstatus+0x1f ] ||
				fail "$bin: casgstatus probe at $site, want the nop at +0x1f"
			;;
		*)
			[ "$site" = runtime.casgstatus+0x19 ] ||
				fail "$bin: casgstatus probe at $site, want its first jb (+0x19, past the push)"
			;;
		esac
		case $bin in
		*/arm64/*) ;;
		*)
			lc=$("$xp" -l lifecycle "$bin") || fail "xg-placement -l lifecycle $bin"
			grep -q '^[^	]*	runtime\.newproc1+0x' <<<"$lc" ||
				fail "$bin: no lifecycle site in runtime.newproc1"$'\n'"$lc"
			grep -Eq '^[^	]*	runtime\.(gdestroy|goexit0)\+0x' <<<"$lc" ||
				fail "$bin: no lifecycle site in gdestroy or goexit0"$'\n'"$lc"
			! grep -qv '	emulated	' <<<"$lc" || fail "$bin: a lifecycle site is not emulated"
			;;
		esac
		n=$((n + 1))
	done
	echo "PASS: $n binaries placed"
	;;
lengths)
	xl=$1
	shift
	for bin; do
		need "$bin"
		read -r va off size < <(readelf -SW "$bin" |
			sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".text" {print "0x"$3, "0x"$4, "0x"$5}')
		[ -n "${size:-}" ] || fail "$bin: no .text"
		"$xl" x86-64 "$bin" "$off" "$size" "$va" | awk '{print $1}' >"$bin.mine.$$" ||
			fail "xg-insn-lengths $bin"
		objdump -d --no-show-raw-insn -j .text "$bin" |
			awk -F'\t' '/^ +[0-9a-f]+:\t/ {a = $1; gsub(/[ :]/, "", a); sub(/^0+/, "", a); print a}' \
				>"$bin.objdump.$$"
		mine=$(wc -l <"$bin.mine.$$") theirs=$(wc -l <"$bin.objdump.$$")
		if ! diff -q "$bin.mine.$$" "$bin.objdump.$$" >/dev/null; then
			diff "$bin.objdump.$$" "$bin.mine.$$" | head -10
			rm -f "$bin.mine.$$" "$bin.objdump.$$"
			fail "$bin: instruction boundaries differ from objdump's"
		fi
		rm -f "$bin.mine.$$" "$bin.objdump.$$"
		echo "$bin: $mine instructions, as objdump ($theirs)"
	done
	echo "PASS"
	;;
status-offset)
	matrix=$1
	for bin in "$matrix"/*/plain/lifecycle; do
		need "$bin"
		got=$(objdump --dwarf=info "$bin" 2>/dev/null | awk '
			/DW_TAG_structure_type/ { in_g = 0 }
			/DW_AT_name.*: runtime\.g$/ { in_g = 1; next }
			in_g && /DW_AT_name/ { name = $NF }
			in_g && /DW_AT_data_member_location/ { if (name == "atomicstatus" || name == "goid") off[name] = $NF }
			END { print off["atomicstatus"], off["goid"] }')
		read -r st goid <<<"$got"
		[ -n "$st" ] && [ -n "$goid" ] || fail "$bin: no runtime.g.atomicstatus/goid in DWARF"
		[ "$st" -eq $((goid - 8)) ] || fail "$bin: atomicstatus at $st, goid at $goid"
		echo "$bin: atomicstatus $st = goid $goid - 8"
	done
	echo "PASS"
	;;
hits)
	need_root
	xh=$1 ovh=$2 ver=$3
	bin=$ovh/$ver/plain/deeprec
	need "$xh" "$bin"
	out=$("$xh" -f main.leaf -- "$bin" -n 200 -depth 400) || fail "xg-hits: $out"
	echo "$out"
	calls=$(sed -n 's/^deeprec: .*, \([0-9]*\) calls of main.leaf$/\1/p' <<<"$out")
	entry=$(awk -F'\t' '$1 == "main.leaf" {print $5}' <<<"$out")
	chosen=$(awk -F'\t' '$1 ~ /\(chosen\)$/ {print $5}' <<<"$out")
	[ -n "$calls" ] && [ -n "$entry" ] && [ -n "$chosen" ] || fail "cannot read the counts"
	[ "$chosen" -eq "$calls" ] ||
		fail "the chosen site of main.leaf was hit $chosen times for $calls calls"
	[ "$entry" -gt "$calls" ] ||
		fail "the entry was hit $entry times for $calls calls: the stack never grew in main.leaf?"
	echo "PASS: $calls calls, chosen site $chosen hits, entry $entry ($((entry - calls)) morestack re-entries)"
	;;
deeprec)
	need_root
	xg=$1 ovh=$2 ver=$3 kind=$4 level=$5 w=$6
	bin=$ovh/$ver/$kind/deeprec
	need "$xg" "$bin" "$ovh/check"
	rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
	run_traced "$w" "$xg" --probes "$level" --headless --jsonl "$w/events.jsonl" -- \
		"$bin" -n 150 -depth 400
	n=$(sed -n 's/^deeprec: \([0-9]*\) goroutines.*/\1/p' "$w/out")
	[ -n "$n" ] || fail "no result from deeprec"
	grep -E '^xgotop-tui: attached' "$w/err"
	"$ovh/check" -events "$w/events.jsonl" -created "$n" -prefix main. ||
		fail "mismatches (artifacts in $w)"
	echo "PASS: go$ver $kind --probes $level"
	;;
reuse)
	# g structs reused wave after wave: every goroutine under its own goid.
	# Ground truth needs every transition: the budget must not step down
	# (10000 goroutines in about a second are far over 5%).
	need_root
	xg=$1 ovh=$2 ver=$3 kind=$4 w=$5
	bin=$ovh/$ver/$kind/reuse
	need "$xg" "$bin" "$ovh/check"
	rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
	run_traced "$w" "$xg" --overhead-budget off --headless --jsonl "$w/events.jsonl" -- \
		"$bin" -waves 200 -per 50 -truth "$w/truth.jsonl"
	grep -q '^reuse: 10000 goroutines in 200 waves$' "$w/out" || fail "no result from reuse"
	grep -E '^xgotop-tui: attached' "$w/err"
	"$ovh/check" -events "$w/events.jsonl" -truth "$w/truth.jsonl" -once ||
		fail "mismatches (artifacts in $w)"
	echo "PASS: go$ver $kind, 10000 goroutines on reused g structs"
	;;
poll)
	parked_setup "$@"
	run_traced "$w" "$xg" --poll 20 --headless --jsonl "$w/events.jsonl" -- \
		"$bin" -per 4 -hold 600ms -truth "$w/truth.jsonl"
	grep -Eq '^xgotop-tui: attached to pid [0-9]+ .*: probes none, poll 20 Hz$' "$w/err" ||
		fail "no attach line saying 'probes none, poll 20 Hz': $(cat "$w/err")"
	"$ovh/check" -events "$w/events.jsonl" -truth "$w/truth.jsonl" -waits ||
		fail "mismatches (artifacts in $w)"
	echo "PASS: go$ver $kind --poll 20"
	;;
slowout)
	# The poll read above with a --jsonl FIFO its reader leaves full until the
	# program has ended: the reads must go on meanwhile (src/live/outq.c).
	parked_setup "$@"
	mkfifo "$w/fifo" || fail "cannot create $w/fifo"
	# 8 kinds x 8: the creates alone fill a 4 KiB FIFO before the release.
	timeout -k 10 240 python3 "$here/slowout.py" "$w/fifo" "$w/events.jsonl" "$w/truth.jsonl" 64 -- \
		"$xg" --poll 20 --headless --force --jsonl "$w/fifo" -- \
		"$bin" -per 8 -hold 600ms -truth "$w/truth.jsonl" >"$w/out" 2>"$w/err"
	st=$?
	cat "$w/out"
	[ $st -eq 0 ] || { cat "$w/err" >&2; fail "exit $st (artifacts in $w)"; }
	"$ovh/check" -events "$w/events.jsonl" -truth "$w/truth.jsonl" -waits ||
		fail "mismatches with the output stalled (artifacts in $w)"
	echo "PASS: go$ver $kind --poll 20, --jsonl stalled until the program ended"
	;;
endexits)
	# The goroutines alive when the process exited ended with it (docs/JSONL.md):
	# launched with probes and with --poll, the recording replayed the same;
	# and none when tracing stops first (-pid, --duration).
	parked_setup "$@"
	for mode in probes poll; do
		m=(--overhead-budget off)
		[ $mode = poll ] && m=(--poll 20)
		run_traced "$w" "$xg" "${m[@]}" --headless --jsonl "$w/$mode.jsonl" -w "$w/$mode.zst" -- \
			"$bin" -per 2 -hold 300ms -truth "$w/$mode.truth"
		python3 "$here/endexits.py" ended "$w/$mode.jsonl" || fail "$mode: mismatches (artifacts in $w)"
		"$ovh/check" -events "$w/$mode.jsonl" -truth "$w/$mode.truth" -waits ||
			fail "$mode: the truth's exits (artifacts in $w)"
		"$xg" --replay "$w/$mode.zst" --headless --jsonl "$w/$mode.replay.jsonl" 2>"$w/replay.err" ||
			fail "$mode: replay: $(cat "$w/replay.err")"
		cmp -s "$w/$mode.jsonl" "$w/$mode.replay.jsonl" || fail "$mode: the replay's JSONL differs"
	done
	"$bin" -per 2 -hold 20s >"$w/held.out" 2>&1 &
	tpid=$!
	for i in $(seq 300); do grep -q '^parked$' "$w/held.out" && break; sleep 0.1; done
	timeout -k 10 240 "$xg" -pid $tpid --overhead-budget off --duration 1 --headless \
		--jsonl "$w/stopped.jsonl" >"$w/out" 2>"$w/err"
	st=$?
	kill $tpid 2>/dev/null
	wait $tpid 2>/dev/null
	[ $st -eq 0 ] || fail "-pid --duration 1: exit $st: $(cat "$w/err")"
	python3 "$here/endexits.py" stopped "$w/stopped.jsonl" || fail "stopped: mismatches (artifacts in $w)"
	echo "PASS: go$ver $kind: alive at the process's end, ended with it (probes, poll, replay); none when tracing stops first"
	;;
lifecycle-level)
	need_root
	xg=$1 ovh=$2 matrix=$3 ver=$4 w=$5
	bin=$matrix/$ver/plain/lifecycle
	need "$xg" "$bin" "$ovh/check"
	rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
	run_traced "$w" "$xg" --probes lifecycle --headless --jsonl "$w/events.jsonl" -- \
		"$bin" -now -truth "$w/truth.jsonl"
	grep -E '^xgotop-tui: attached' "$w/err"
	"$ovh/check" -events "$w/events.jsonl" -truth "$w/truth.jsonl" -once ||
		fail "mismatches (artifacts in $w)"
	echo "PASS: go$ver --probes lifecycle"
	;;
*)
	echo "usage: $0 placement|lengths|status-offset|hits|deeprec|reuse|poll|slowout|endexits|lifecycle-level ..." >&2
	exit 2
	;;
esac
