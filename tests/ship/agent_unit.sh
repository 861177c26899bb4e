#!/usr/bin/env bash
# dist/xgotop-tui-agent.service (README "Metrics for Prometheus"), with its two
# paths pointed at the built tracer and at /bin/true: systemd-analyze verify
# finds nothing to say, and the tracer takes its ExecStart's options (it
# stops at the target, /bin/true being no Go program: exit 1, not a usage
# error's 2).
#
#   agent_unit.sh UNIT TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 UNIT TRACER WORKDIR" >&2; exit 2; }
unit=$1 tracer=$(realpath "$2") w=$3
need_tracer "$tracer"
command -v systemd-analyze >/dev/null || fail "no systemd-analyze (Debian's systemd)"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
grep -q '^ExecStart=/usr/local/bin/xgotop-tui -b /usr/local/bin/myservice ' "$unit" ||
	fail "$unit: ExecStart is not the documented /usr/local/bin/xgotop-tui -b /usr/local/bin/myservice ..."
sed -e "s#/usr/local/bin/xgotop-tui#$tracer#" -e 's#/usr/local/bin/myservice#/bin/true#' \
	"$unit" >"$w/xgotop-tui-agent.service"
# --man=no: the man page of Documentation= need not be installed here.
out=$(systemd-analyze verify --man=no "$w/xgotop-tui-agent.service" 2>&1)
st=$?
echo "systemd-analyze verify: exit $st${out:+, said: $out}"
[ "$st" -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify: exit $st, want 0 and nothing said"

read -r -a argv <<<"$(sed -n 's/^ExecStart=//p' "$w/xgotop-tui-agent.service")"
[[ " ${argv[*]} " == *" --headless "* && " ${argv[*]} " == *" --listen "* ]] ||
	fail "ExecStart is not --headless --listen: ${argv[*]}"
timeout -k 5 30 "${argv[@]}" </dev/null >"$w/out" 2>"$w/err"
st=$?
echo "${argv[*]}: exit $st, stderr: $(cat "$w/err")"
[ "$st" -eq 1 ] || fail "ExecStart's command: exit $st, want 1 (a usage error is 2)"
[ "$(grep -c '' "$w/err")" -eq 1 ] || fail "ExecStart's command: want one line on stderr"
echo "PASS: agent unit"
