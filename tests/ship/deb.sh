#!/usr/bin/env bash
# The .deb on a bare server (as root, needs Go): unpacked by dpkg -x into an
# empty directory, its binary run with a clean environment (LD_LIBRARY_PATH
# empty, TERMINFO_DIRS naming a directory that does not exist,
# TERM=xterm-256color) and the host's terminfo hidden (noterminfo.sh):
#   - --version: the same lines as the built binary's, saying static;
#   - --replay examples/sample.zst -n 1: a snapshot of the sample's goroutines;
#   - the UI on a pty (script) from the built-in terminfo entry, quit by q,
#     its private terminfo directory removed; TERM=xterm-kitty (neither on
#     the host nor built in) refused in one line naming the built-in ones;
#   - -pid on tests/targets/held -n 1: its goroutines per start function
#     equal to the target's own count (truth.json).
#
#   deb.sh DEB WORKDIR TRACER   (TRACER: the built binary, for comparison)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 DEB WORKDIR TRACER" >&2; exit 2; }
deb=$1 w=$2 tracer=$3
need_root
need_tracer "$tracer"
[ -f "$deb" ] || fail "no $deb: the fixture ship.package makes it"
for t in dpkg-deb unshare script jq; do
	command -v $t >/dev/null || fail "no $t (dpkg, util-linux, bsdutils, jq: bootstrap.sh installs them)"
done
noti=$e2e_root/tests/ship/noterminfo.sh
sample=$e2e_root/examples/sample.zst
tpid= upid=
trap 'stop "$upid"; [ -n "$tpid" ] && kill "$tpid" 2>/dev/null; wait 2>/dev/null' EXIT

rm -rf "$w" && mkdir -p "$w/root" "$w/tmp" "$w/home" || fail "cannot create $w"
dpkg-deb -x "$deb" "$w/root" || fail "dpkg-deb -x failed"
bin=$w/root/usr/bin/xgotop-tui
[ -x "$bin" ] || fail "no usr/bin/xgotop-tui in the package"
# bare CMD...: CMD as on a bare server (clean environment, no terminfo on the host).
bare() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$w/home" TMPDIR="$w/tmp" \
		LD_LIBRARY_PATH= TERMINFO_DIRS="$w/nowhere" TERM="${TERM_AS:-xterm-256color}" \
		unshare -m "$noti" "$@"
}

bare "$bin" --version >"$w/version" 2>&1 || { show "$w/version"; fail "--version failed"; }
cat "$w/version"
"$tracer" --version | cmp - "$w/version" || fail "--version differs from the built binary's"
grep -q '^build: static ' "$w/version" || fail "--version does not say static"

bare "$bin" --replay "$sample" -n 1 >"$w/replay" 2>"$w/replay.err" ||
	{ show "$w/replay.err"; fail "--replay -n 1 failed"; }
# (The snapshot's time in the replay, hence its figures, varies from run to run.)
head -1 "$w/replay" | grep -Eq "^xgotop-tui [0-9.]+ .* pid 20357 .* REPLAY\$" ||
	{ show "$w/replay"; fail "--replay -n 1: no header naming the sample's pid 20357"; }
grep -q '^goroutines: [1-9][0-9]* live' "$w/replay" || fail "--replay -n 1 shows no goroutines"
grep -Eq '^ +[0-9]+ .* main\.producer +main\.main$' "$w/replay" ||
	{ show "$w/replay"; fail "--replay -n 1: the sample's main.producer is not listed"; }
echo "--replay -n 1: $(grep '^goroutines:' "$w/replay")"

# The UI on a pty: drawn (its header says REPLAY), then q ends it with status 0.
mkfifo "$w/keys" || fail "mkfifo failed"
bare script -qec "$bin --replay $sample" /dev/null <"$w/keys" >"$w/ui.out" 2>&1 &
upid=$!
exec 3>"$w/keys"
wait_line "$w/ui.out" 'REPLAY' 60 "$upid" || { show "$w/ui.out"; fail "the UI did not draw"; }
printf q >&3
wait_exit "$upid" 30 || fail "the UI did not end on q"
upid=
exec 3>&-
[ "$status" -eq 0 ] || { show "$w/ui.out"; fail "the UI ended with status $status"; }
[ -z "$(ls -A "$w/tmp")" ] || { ls -lR "$w/tmp"; fail "the private terminfo directory is left behind"; }
echo "UI: drawn from the built-in xterm-256color entry, quit by q"

TERM_AS=xterm-kitty bare script -qec "$bin --replay $sample" /dev/null </dev/null >"$w/kitty" 2>&1
st=$?
cat "$w/kitty"
[ $st -eq 1 ] || fail "TERM=xterm-kitty: exit $st, want 1"
grep -q "^xgotop-tui: unknown terminal type 'xterm-kitty': .*built in (xterm, " "$w/kitty" ||
	fail "TERM=xterm-kitty: the refusal does not name the built-in entries"
[ "$(tr -d '\r' <"$w/kitty" | grep -c .)" -eq 1 ] || fail "TERM=xterm-kitty: want one line"

mkdir -p "$w/held" && start_held "$w/held"
bare "$bin" -pid "$tpid" -n 1 >"$w/pid.out" 2>"$w/pid.err" || { show "$w/pid.err"; fail "-pid -n 1 failed"; }
cat "$w/pid.err"
# Rows: GID STATE WAIT... IN CPU% AGE ALLOCS FUNCTION CREATED-BY; goroutine 1
# (main.main, as Go's tracebacks name it) is not one of held's.
awk '$1 ~ /^[0-9]+$/ && $1 != 1 && $(NF-1) ~ /^main\./ {n[$(NF-1)]++} END {for (f in n) print f, n[f]}' \
	"$w/pid.out" | sort >"$w/pid.counts"
jq -r '.by_function | to_entries[] | "\(.key) \(.value)"' "$w/held/truth.json" | sort >"$w/truth.counts"
diff "$w/truth.counts" "$w/pid.counts" || { show "$w/pid.out"; fail "-pid: goroutines per function differ from held's truth (< truth, > traced)"; }
echo "-pid: $(wc -l <"$w/truth.counts") start functions, $(jq .total "$w/held/truth.json") goroutines, as held says"
echo "ship.deb: the unpacked package runs on a bare host"
