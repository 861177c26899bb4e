#!/usr/bin/env bash
# xgotop-tui on bad input: right exit status, every error on exactly one line
# of stderr starting "xgotop-tui: ".
#
#   badinput.sh TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1 w=$2
need_tracer "$tracer"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
failures=0
spid=
trap 'stop "$spid"' EXIT

bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# try WANTSTATUS ARGS...: run the tracer; sets $out, $err and $lines (of stderr).
try() {
	local want=$1
	shift
	timeout -k 5 30 "$tracer" "$@" </dev/null >"$w/out" 2>"$w/err"
	st=$?
	out=$(cat "$w/out") err=$(cat "$w/err")
	lines=$(grep -c '' "$w/err")
	echo "xgotop-tui $*: exit $st, stderr: ${err:-<empty>}"
	[ "$st" -eq "$want" ] || bad "xgotop-tui $*: exit $st, want $want"
}

# one_error PATTERN: stderr is one line, "xgotop-tui: " then something matching PATTERN.
one_error() {
	[ "$lines" -eq 1 ] || bad "want exactly one line on stderr, got $lines"
	grep -Eq "^xgotop-tui: .*$1" "$w/err" || bad "stderr does not match /^xgotop-tui: .*$1/"
}

# Each error both as given and with --headless, so that the check does not
# depend on whether this build has the terminal UI.
try 1 -pid 999999999
one_error ''
try 1 -pid 999999999 --headless --jsonl "$w/x.jsonl"
one_error ''

sleep 60 &
spid=$!
try 1 -pid "$spid"
one_error 'not a Go program'
try 1 -pid "$spid" --headless --jsonl "$w/x.jsonl"
one_error 'not a Go program'
stop "$spid"
spid=

try 1 -b /nonexistent
one_error ''
try 1 -b /nonexistent --headless --jsonl "$w/x.jsonl"
one_error ''

try 2 --no-such-flag
[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "want exactly one error line starting 'xgotop-tui: '"
grep -q -- '--no-such-flag' "$w/err" || bad "the error does not name the unknown flag"
grep -qi 'usage' "$w/err" || bad "no usage line on stderr"

# -sample: what was wrong, on the one error line (usage lines follow), exit 2.
for spec in "foo:0.5|unknown event \"foo\"" "goroutine:1.5|goroutine: rate 1.5 is outside \[0, 1\]" \
	"goroutine:abc|goroutine: rate \"abc\" is not a number" "goroutine|\"goroutine\" is not event:rate" \
	"|empty spec" "newobject:0.1,newobject:0.2|newobject given twice"; do
	try 2 -sample "${spec%%|*}" -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "-sample ${spec%%|*}: want one error line"
	grep -Eq "^xgotop-tui: -sample: ${spec#*|}" "$w/err" ||
		bad "-sample ${spec%%|*}: stderr does not say /${spec#*|}/"
done
# -rw / -pw / batch options: out of range or junk.
for args in "-rw 0" "-rw 17" "-pw x" "--batch-size 0" "--batch-flush-interval 1y"; do
	# shellcheck disable=SC2086
	try 2 $args -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "$args: want one error line"
done

# --listen: an address we can bind or a usage error naming the value; its companions.
for addr in 9464 localhost:9464 127.0.0.1:65536 "[::1]9464" "::1:9464" "" "127.0.0.1:x"; do
	try 2 --headless --listen "$addr" -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "--listen '$addr': want one error line"
	grep -qF "xgotop-tui: invalid --listen '$addr'" "$w/err" ||
		bad "--listen '$addr': the error does not quote the value"
done
try 2 --headless --metrics-functions 5 -pid 1
grep -q "^xgotop-tui: --metrics-functions is of --listen" "$w/err" || bad "--metrics-functions alone"
try 2 --headless --listen :0 --metrics-functions 0 -pid 1
grep -q "^xgotop-tui: invalid number of functions '0'" "$w/err" || bad "--metrics-functions 0"
try 2 --replay "$e2e_root/examples/sample.zst" --headless --listen 127.0.0.1:0
grep -q "^xgotop-tui: --listen serves a live session" "$w/err" || bad "--listen with --replay"

# Numbers: NaN passes every range comparison (-d nan never ticked); the ring
# buffer's bytes are a u32 in the kernel (4096 MiB wrapped to 0).
for args in "-d nan" "--duration nan" "--duration inf" "--poll nan" "--history -nan" \
	"-rw nan" "--batch-flush-interval nanms" "--ringbuf-mb 4096" "--ringbuf-mb 1.5"; do
	# shellcheck disable=SC2086
	try 2 $args -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "$args: want one error line"
	grep -q "^xgotop-tui: .*'\?${args#* }" "$w/err" || bad "$args: the error does not quote the value"
done

# --overhead-budget: a percentage or off; anything else, one line naming the value.
for v in 0 -5 nan inf 1001 5% abc "" OFF; do
	try 2 --overhead-budget "$v" -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "--overhead-budget '$v': want one error line"
	grep -q "^xgotop-tui: invalid overhead budget '$v': want a percentage from 0.01 to 1000, or off" "$w/err" ||
		bad "--overhead-budget '$v': the error does not quote the value and say what is wanted"
done
try 2 --overhead-budget
[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "--overhead-budget without a value: want one error line"
# Stacks (issue 15): --stack-interval out of range, --at without --replay
# --stacks or junk; --replay --stacks of a recording without sweeps: exit 1.
for args in "--stack-interval nan" "--stack-interval -1" "--stack-interval 0.05" \
	"--leak-sweeps 0" "--leak-sweeps 64" "--leak-sweeps 2.5" "--leak-wait nan" "--leak-wait -1" \
	"--stack-interval 3601" "--replay $e2e_root/examples/sample.zst --stacks --at nan" \
	"--replay $e2e_root/examples/sample.zst --stacks --at -2"; do
	# shellcheck disable=SC2086
	try 2 $args -pid 1
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "$args: want one error line"
	grep -q "^xgotop-tui: .*'${args##* }'" "$w/err" || bad "$args: the error does not quote the value"
done
for args in "--at 3 -pid 1" "--stack-interval 1 -b /bin/true" "--replay $e2e_root/examples/sample.zst --at 3" \
	"--replay $e2e_root/examples/sample.zst --stacks=1" \
	"--replay $e2e_root/examples/sample.zst --stacks --headless"; do
	# shellcheck disable=SC2086
	try 2 $args
	[ "$(grep -c '^xgotop-tui: ' "$w/err")" -eq 1 ] || bad "$args: want one error line"
done
try 1 --replay "$e2e_root/examples/sample.zst" --stacks
one_error "has no stack sweep"
[ -z "$out" ] || bad "--replay --stacks without sweeps printed something"

# Output files: checked before anything starts, one rule for all of them
# (an existing file needs --force; a symbolic link, dangling or not, is never
# followed; a directory is named as one). -pid 1 is never reached.
mkdir -p "$w/files" && echo precious >"$w/files/victim"
ln -sfn "$w/files/victim" "$w/files/link"
ln -sfn "$w/files/made-by-root" "$w/files/dangling"
mkdir -p "$w/files/dir.zst"
for opt in --jsonl --metrics --record; do
	try 1 -pid 1 --headless "$opt" "$w/files/victim"
	one_error "cannot write .*victim: it exists \(add --force to overwrite it\)"
	for l in link dangling; do
		try 1 -pid 1 --headless "$opt" "$w/files/$l" --force
		one_error "cannot write .*$l: it is a symbolic link"
	done
	try 1 -pid 1 --headless "$opt" "$w/files/dir.zst"
	one_error "cannot write .*dir.zst: it is a directory"
done
try 1 --replay "$e2e_root/examples/sample.zst" --headless --jsonl "$w/files/link" --force
one_error "cannot write .*link: it is a symbolic link"
try 1 --replay "$e2e_root/examples/sample.zst" --export perfetto -o "$w/files/victim"
one_error "cannot write .*victim: it exists"
[ "$(cat "$w/files/victim")" = precious ] || bad "a refused output file was changed"
[ ! -e "$w/files/made-by-root" ] || bad "a dangling symbolic link was followed"
# An empty file left by a recorder killed before its first frame is reused.
: >"$w/files/empty.jsonl"
try 0 --replay "$e2e_root/examples/sample.zst" --headless --jsonl "$w/files/empty.jsonl"
[ -s "$w/files/empty.jsonl" ] || bad "the empty --jsonl file was not written"

# --replay of a FIFO: one line at once, not a hang in open (timeout: 124).
mkfifo "$w/files/fifo.zst"
try 1 --replay "$w/files/fifo.zst" --headless --jsonl -
one_error "fifo.zst is not a regular file"

# -n with stdout closed or full: the snapshot is not written, and that is an error.
for dest in closed /dev/full; do
	if [ $dest = closed ]; then
		timeout -k 5 30 "$tracer" --replay "$e2e_root/examples/sample.zst" -n 1 >&- 2>"$w/err"
	else
		timeout -k 5 30 "$tracer" --replay "$e2e_root/examples/sample.zst" -n 1 >$dest 2>"$w/err"
	fi
	st=$? lines=$(grep -c '' "$w/err")
	echo "xgotop-tui --replay ... -n 1 (stdout $dest): exit $st, stderr: $(cat "$w/err")"
	[ "$st" -eq 1 ] || bad "-n 1 with stdout $dest: exit $st, want 1"
	one_error "cannot write the snapshots to stdout"
done

try 0 --help
# From the files: with pipefail, grep -q leaving early fails printf's next write.
grep -q -- '-pid' "$w/out" "$w/err" || bad "--help does not mention -pid"

try 0 --version
[ -n "$out" ] || bad "--version printed nothing on stdout"
grep -Eq '[0-9]+\.[0-9]+' "$w/out" || bad "--version shows no version number"

[ "$failures" -eq 0 ] || { echo "artifacts: $w" >&2; fail "$failures checks failed"; }
echo "PASS: bad input"
