#!/usr/bin/env bash
# A recording whose exe path, Go version, function, file and wait-reason
# names hold terminal controls (OSC title, clear screen, CSI in 7 and 8
# bits, CR/LF, a bidi override) and broken UTF-8, replayed every way that
# prints text: no raw control byte may reach -n output or stderr, and the
# UI's header must keep the path on one row. The names must still be there,
# escaped, and JSONL must keep its own escaping.
#   crafted.sh TRACER RECORD_CRAFTED WORKDIR
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"

tracer=$1 crafted=$2 work=$3
need_tracer "$tracer"
command -v tmux >/dev/null || fail "tmux is not installed: apt-get install tmux"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$crafted" names evil.zst || fail "cannot write the crafted recording"

# clean FILE WHAT [SHOWN]: no C0 control but tab and newline, no DEL, no C1
# (raw or as UTF-8), valid UTF-8, and SHOWN (default: the exe path) escaped.
clean() {
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"; then
		LC_ALL=C grep -nP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" | cat -A | head -3 >&2
		fail "$2: a raw control byte reached the output"
	fi
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || fail "$2: not valid UTF-8"
	grep -qF "${3:-evil\\x1b]0;PWNED\\x07\\x0d\\x0a\\x1b[2J}" "$1" || fail "$2: a name is not shown escaped"
}

"$tracer" --replay evil.zst -n 1 >n.out 2>n.err || fail "--replay -n 1 failed: $(cat n.err)"
clean n.out "-n output"
grep -qF 'main.worker\x1b]0;PWNED' n.out || fail "-n output: no escaped function name"
grep -qF 'chan receive\x1b]0;PWNED' n.out || fail "-n output: no escaped wait reason"

"$tracer" --replay evil.zst --headless --jsonl events.jsonl 2>replay.err ||
	fail "--replay --headless failed: $(cat replay.err)"
clean replay.err "the replaying line"
grep -qF '"func":"main.worker\u001b]0;PWNED\u0007\u000d\u000a' events.jsonl ||
	fail "JSONL: the function name is not JSON-escaped as before"

"$tracer" --replay evil.zst --export perfetto -o trace.json 2>export.err ||
	fail "--export failed: $(cat export.err)"
clean export.err "--export's stderr"

# The UI, in tmux: the header row shows the Go version whole; a CR or LF
# drawn raw would have moved the rest of it to another row.
sock=xg-crafted-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
tmux -L "$sock" new-session -d -x 250 -y 30 "TERM=xterm-256color LANG=C.UTF-8 '$tracer' --replay evil.zst; sleep 600" ||
	fail "cannot start tmux"
for _ in $(seq 1 300); do
	tmux -L "$sock" capture-pane -p >screen.txt
	grep -q 'PWNED' screen.txt && break
	sleep 0.1
done
grep -q 'PWNED' screen.txt || { cat screen.txt >&2; fail "the UI never showed the target's names"; }
grep 'pid 4242' screen.txt | grep -qF 'go1.26\x1b]0;PWNED\x07\x0d\x0a\x1b[2J' ||
	{ cat screen.txt >&2; fail "the UI header does not show the Go version escaped on its row"; }
clean screen.txt "the UI screen" 'go1.26\x1b]0;PWNED\x07\x0d\x0a'
tmux -L "$sock" send-keys q
echo PASS
