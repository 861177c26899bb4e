#!/usr/bin/env bash
# --stacks refusals: bad values and targets exit 2 with one line; a target
# we may not ptrace exits 1 with one line that says what is missing.
#
#   tests/e2e/stacks_badinput.sh TRACER
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
tracer=$1
need_tracer "$tracer"

# expect STATUS PATTERN CMD...: CMD exits STATUS and its stderr is one line matching PATTERN.
expect() {
	local want=$1 pat=$2 rc=0 err
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq "$want" ] || fail "$*: exit $rc, want $want ($err)"
	printf '%s\n' "$err" | head -1 | grep -q -- "$pat" || fail "$*: said '$err', want /$pat/"
}

expect 2 "invalid --stacks value" "$tracer" -pid 1 --stacks=3
expect 2 "give -pid PID only" "$tracer" --stacks -- /bin/true
expect 2 "give -pid PID only" "$tracer" --stacks -b /bin/true
expect 1 "not a Go 1.19 to 1.26 binary" "$tracer" -pid $$ --stacks
command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed to drop privileges"
[ "$(id -u)" -eq 0 ] || fail "run as root: the test drops to nobody to lose ptrace access to pid 1"
expect 1 "needs ptrace access: the same user, or CAP_SYS_PTRACE" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tracer" -pid 1 --stacks
echo "ok"
