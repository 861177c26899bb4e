#!/usr/bin/env bash
# Which capabilities tracing needs (issue 12, item 5), run as user nobody with
# exactly the capabilities given (setpriv, util-linux):
#  - none: refused by our check, one line;
#  - CAP_BPF + CAP_PERFMON: the kernel decides (Linux 6.18 refuses uprobes
#    to them): either attached, or one line naming CAP_SYS_ADMIN;
#  - CAP_SYS_ADMIN alone: -b, and -pid of nobody's own process, attach;
#    -pid of root's process: one line naming CAP_SYS_PTRACE;
#  - CAP_SYS_ADMIN + CAP_SYS_PTRACE: -pid of root's process attaches.
#
#   attach-caps.sh TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1
need_root
need_tracer "$tracer"
command -v setpriv >/dev/null || fail "setpriv is missing (apt-get install util-linux)"
go=$(go_cmd) || fail "no Go toolchain: install Go or run tools/go-toolchain.sh"
# Somewhere nobody can reach: the work directory's parents may not be.
w=$(mktemp -d /tmp/xgotop-caps.XXXXXX) || fail "cannot create a directory in /tmp"
chmod 755 "$w"
rpid= npid=
trap 'touch "$w/stop"; stop "$rpid"; stop "$npid"; rm -rf "$w"' EXIT
failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

cp "$tracer" "$w/xgotop-tui" && chmod 755 "$w/xgotop-tui" || fail "cannot copy the tracer"
(cd "$e2e_root/tests/targets" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
	"$go" build -o "$w/target" ./execer) || fail "cannot build execer"
chmod 755 "$w/target"

"$w/target" run 600000 7 "$w/stop" >/dev/null 2>&1 &
rpid=$!
setpriv --reuid=nobody --regid=nogroup --clear-groups "$w/target" run 600000 7 "$w/stop" \
	>/dev/null 2>&1 &
npid=$!
for p in $rpid $npid; do
	until [ "$(readlink "/proc/$p/exe")" = "$w/target" ]; do
		alive "$p" || fail "the target did not start"
		sleep 0.01
	done
done

# as CAPS WANT PATTERN ARGS...: run the tracer as nobody with exactly CAPS
# ("" for none); WANT ok: exit 0 and the attach line; else exit WANT and one
# line matching PATTERN.
as() {
	local caps=$1 want=$2 re=$3 st set
	shift 3
	if [ -n "$caps" ]; then
		set=(--inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps")
	else
		set=(--inh-caps=-all --bounding-set=-all)
	fi
	timeout -k 5 60 setpriv --reuid=nobody --regid=nogroup --clear-groups "${set[@]}" -- \
		"$w/xgotop-tui" "$@" --headless -s --duration 0.2 </dev/null >/dev/null 2>"$w/err"
	st=$?
	echo "[${caps:-no capabilities}] xgotop-tui $*: exit $st: $(head -1 "$w/err" | cut -c1-150)"
	if [ "$want" = ok ]; then
		[ "$st" -eq 0 ] && grep -q '^xgotop-tui: attached to ' "$w/err" ||
			bad "[$caps] $*: exit $st, want 0 and attached"
	elif [ "$want" = either ]; then
		{ [ "$st" -eq 0 ] && grep -q '^xgotop-tui: attached to ' "$w/err"; } ||
			{ [ "$st" -eq 1 ] && [ "$(grep -c '' "$w/err")" -eq 1 ] &&
				grep -Eq "^xgotop-tui: $re" "$w/err"; } ||
			bad "[$caps] $*: exit $st, want attached or one line /$re/"
	else
		[ "$st" -eq "$want" ] || bad "[$caps] $*: exit $st, want $want"
		[ "$(grep -c '' "$w/err")" -eq 1 ] || bad "[$caps] $*: want one line on stderr"
		grep -Eq "^xgotop-tui: $re" "$w/err" || bad "[$caps] $*: stderr does not match /$re/"
	fi
}

as "" 1 "need root, or CAP_SYS_ADMIN" -b "$w/target"
as "+bpf,+perfmon" either "cannot attach a uprobe: permission denied: .*CAP_SYS_ADMIN" \
	-b "$w/target"
as "+bpf,+perfmon" either "cannot attach a uprobe: permission denied: .*CAP_SYS_ADMIN" \
	-pid "$npid"
as "+sys_admin" ok "" -b "$w/target"
as "+sys_admin" ok "" -pid "$npid"
as "+sys_admin" 1 "cannot attach to pid $rpid: permission denied .*CAP_SYS_PTRACE" -pid "$rpid"
as "+sys_admin,+sys_ptrace" ok "" -pid "$rpid"

[ "$failures" -eq 0 ] || fail "$failures checks failed"
echo PASS
