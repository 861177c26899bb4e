#!/usr/bin/env bash
# A live session with --jsonl and --record at once; the replay of the
# recording must write the very same bytes. Then the exports, and the rules
# for creating recordings.
#   roundtrip.sh TRACER PERFETTO_CHECK WORKDIR
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"

tracer=$1 pcheck=$2 work=$3
need_root
need_tracer "$tracer"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

go=$(go_cmd) || fail "no Go toolchain"
(cd "$e2e_root/examples/workload" && "$go" build -o "$work/workload" .) ||
	fail "cannot build examples/workload"

# The session: the demo workload, launched under tracing.
if ! "$tracer" --headless --jsonl live.jsonl --record s.zst -- ./workload -seconds 4 \
	>workload.out 2>tracer.err; then
	show tracer.err workload.out
	fail "the live session failed"
fi
n=$(wc -l <live.jsonl)
[ "$n" -gt 1000 ] || fail "only $n events in the live session"

# Replayed: byte for byte, no warning, exit 0.
if ! "$tracer" --replay s.zst --headless --jsonl - >replayed.jsonl 2>replay.err; then
	show replay.err
	fail "--replay failed"
fi
grep -q warning replay.err && { show replay.err; fail "a clean recording replays with warnings"; }
if ! cmp live.jsonl replayed.jsonl; then
	diff live.jsonl replayed.jsonl | head -20
	fail "the replayed JSONL differs from the live JSONL"
fi
grep -q "replaying s.zst: pid [0-9]* (.*/workload, go1\.[0-9.]*, " replay.err ||
	{ show replay.err; fail "no description of the recording on stderr"; }
echo "live and replayed JSONL identical: $n events, $(stat -c %s s.zst) bytes recorded"

# zstd -d reads it: our record stream, magic first.
[ "$(zstd -q -d -c s.zst | head -c 8)" = XGOTOPRC ] || fail "zstd -d does not give the record stream"

# Exports.
"$tracer" --replay s.zst --export jsonl -o export.jsonl 2>/dev/null || fail "--export jsonl failed"
cmp live.jsonl export.jsonl || fail "--export jsonl differs from the live JSONL"
"$tracer" --replay s.zst --export perfetto -o trace.json 2>/dev/null ||
	fail "--export perfetto failed"
"$pcheck" s.zst trace.json

# An existing file is not overwritten without --force, and never through a symlink.
cp s.zst before.zst
if "$tracer" --headless --record s.zst -- ./workload -seconds 1 >/dev/null 2>exists.err; then
	fail "--record overwrote an existing file"
fi
grep -q "^xgotop-tui: cannot write s.zst: it exists (add --force" exists.err ||
	{ show exists.err; fail "no clear message for an existing file"; }
cmp s.zst before.zst || fail "the existing recording was changed"
if "$tracer" --replay s.zst --export jsonl -o export.jsonl 2>exists2.err; then
	fail "-o overwrote an existing file"
fi
echo precious >target
ln -s target link.zst
if "$tracer" --headless --force --record link.zst -- ./workload -seconds 1 >/dev/null 2>link.err; then
	fail "--record wrote through a symbolic link"
fi
grep -q "symbolic link" link.err || { show link.err; fail "no clear message for a symlink"; }
[ "$(cat target)" = precious ] || fail "the symlink's target was changed"
"$tracer" --headless --force --record s.zst -- ./workload -seconds 1 >/dev/null 2>force.err ||
	{ show force.err; fail "--force did not overwrite"; }
cmp -s s.zst before.zst && fail "--force left the old recording"

# Under sudo, the recording belongs to the user who ran sudo.
SUDO_UID=4321 SUDO_GID=4322 "$tracer" --headless --record owned.zst -- ./workload -seconds 1 \
	>/dev/null 2>owned.err || { show owned.err; fail "recording under sudo failed"; }
[ "$(stat -c %u:%g owned.zst)" = 4321:4322 ] || fail "owned by $(stat -c %u:%g owned.zst), not 4321:4322"
# So do --jsonl and --metrics, by the same rules (a SUDO_UID that is no id is ignored).
SUDO_UID=4321 SUDO_GID=4322 "$tracer" --headless --jsonl owned.jsonl --metrics owned.json \
	-- ./workload -seconds 1 >/dev/null 2>owned2.err || { show owned2.err; fail "--jsonl under sudo failed"; }
for f in owned.jsonl owned.json; do
	[ "$(stat -c %u:%g $f)" = 4321:4322 ] || fail "$f owned by $(stat -c %u:%g $f), not 4321:4322"
done
SUDO_UID=-1 SUDO_GID=4322 "$tracer" --headless --jsonl notowned.jsonl -- ./workload -seconds 1 \
	>/dev/null 2>notowned.err || { show notowned.err; fail "a bad SUDO_UID failed the session"; }
[ "$(stat -c %u notowned.jsonl)" = 0 ] || fail "SUDO_UID=-1 gave the file to $(stat -c %u notowned.jsonl)"

# A target whose exe path holds terminal controls (OSC title, clear screen,
# CR/LF): the attach line, -n output and the replay's line show them escaped.
evil=$'evil\e]0;PWNED\a\r\n\e[2J'
mkdir -p "$evil" && cp workload "$evil/workload"
"$tracer" -n 1 -d 0.5 --record evil.zst -- "./$evil/workload" -seconds 2 >evil.out 2>evil.err ||
	{ show evil.err; fail "-n on a target with controls in its path failed"; }
"$tracer" --replay evil.zst --headless --jsonl evil.jsonl 2>evil-replay.err ||
	{ show evil-replay.err; fail "the replay of its recording failed"; }
for f in evil.out evil.err evil-replay.err; do
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' $f; then
		cat -A $f | head -5 >&2
		fail "$f: a raw control byte reached the terminal"
	fi
	grep -qF 'evil\x1b]0;PWNED\x07\x0d\x0a\x1b[2J/workload' $f || { show $f; fail "$f: no escaped path"; }
done
grep -q 'attached to pid' evil.err || { show evil.err; fail "no attach line"; }

# --jsonl - whose reader goes away (| head): the session ends with one line
# and exit 1, instead of tracing on with nowhere to write (it never ended).
./workload -seconds 600 >/dev/null 2>&1 &
wpid=$!
set +e
timeout -k 10 300 "$tracer" -pid "$wpid" --headless -s --jsonl - 2>epipe.err | head -c 100 >/dev/null
st=${PIPESTATUS[0]}
set -e
kill "$wpid" 2>/dev/null || true
[ "$st" -eq 1 ] || { show epipe.err; fail "--jsonl - into a closed pipe: exit $st, want 1 (124: it never stopped)"; }
grep -q '^xgotop-tui: cannot write -: Broken pipe$' epipe.err || { show epipe.err; fail "no line saying the pipe broke"; }
echo PASS
