#!/usr/bin/env bash
# Launch Debian's stripped fzf (go1.19.8, no symtab, no DWARF) under xgotop-tui
# with input on stdin: the tracer must pass stdin, stdout and the exit status
# through unchanged (compared with fzf run alone), and trace fzf's own
# goroutines with valid state chains.
#
#   fzf.sh TRACER CHECKER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 3 ] || { echo "usage: $0 TRACER CHECKER WORKDIR" >&2; exit 2; }
tracer=$1 checker=$2 w=$3
fzf=/usr/bin/fzf
need_root
need_tracer "$tracer"
[ -x "$fzf" ] || fail "$fzf is missing: apt-get install fzf"
[ -x "$checker" ] || fail "no checker at $checker: the e2e.build.checker fixture failed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
arch=$(goarch)

die() {
	show "$w"/*.err
	echo "artifacts: $w" >&2
	fail "$@"
}

# The Go version fzf was built with, from its .go.buildinfo.
go=$(go_cmd) || fail "no Go toolchain to read $fzf's build info"
ver=$("$go" version "$fzf" | sed -n 's/^.*: \(go[0-9.]*\)$/\1/p')
[ -n "$ver" ] || fail "cannot read the Go version of $fzf"

for i in $(seq 1 3000); do
	echo "line $i $(((i * 7919) % 1000)) alpha-$((i % 17))"
done >"$w/input"

# run NAME QUERY WANTSTATUS
run() {
	local name=$1 query=$2 want=$3 est xst pid
	timeout 60 "$fzf" --filter "$query" <"$w/input" >"$w/$name.expect"
	est=$?
	[ "$est" -eq "$want" ] || die "fzf --filter '$query' alone exited $est, want $want"
	timeout -k 10 120 "$tracer" --overhead-budget off --headless --jsonl "$w/$name.jsonl" -- \
		"$fzf" --filter "$query" <"$w/input" >"$w/$name.out" 2>"$w/$name.err"
	xst=$?
	[ "$xst" -eq "$est" ] || die "$name: xgotop-tui -- fzf exited $xst, fzf alone $est"
	cmp -s "$w/$name.expect" "$w/$name.out" ||
		die "$name: fzf's output under xgotop-tui differs from fzf alone ($w/$name.out, $w/$name.expect)"
	pid=$(sed -n "s/^xgotop-tui: attached to pid \\([0-9]*\\) ([^,]*, $ver, $arch): probes [^ ]*\$/\\1/p" "$w/$name.err")
	[ -n "$pid" ] || die "$name: no attach line 'xgotop-tui: attached to pid N (PATH, $ver, $arch): probes ...'"
	"$checker" -events "$w/$name.jsonl" -pid "$pid" -func-prefix github.com/junegunn/fzf/ \
		>"$w/$name.checker" 2>&1
	cst=$?
	echo "$name ($(wc -l <"$w/$name.out") lines of output, status $xst):"
	cat "$w/$name.checker"
	[ "$cst" -eq 0 ] || die "$name: checker found mismatches (exit $cst)"
}

run match 'alpha-13 99' 0
run nomatch 'zzzqqq' 1
echo "PASS: fzf ($ver, stripped) launched with stdin"
