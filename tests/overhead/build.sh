#!/usr/bin/env bash
# Build the Go programs of tests/overhead with every toolchain of the test
# matrix: OUTDIR/<version>/<kind>/{deeprec,parked,reuse} for kind plain, stripped,
# pie, OUTDIR/<version>/arm64/deeprec (cross-built: its placement is checked,
# it is not run), and OUTDIR/check with the installed go (or the newest of the
# matrix). A binary newer than its sources is kept.
#
#   tests/overhead/build.sh OUTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$here"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0

fresh() { # fresh BIN SRC...: BIN exists and is newer than every SRC
	local bin=$1 s
	shift
	[ -f "$bin" ] || return 1
	for s; do [ "$bin" -nt "$s" ] || return 1; done
}

versions=$("$root/tools/go-toolchain.sh" --list)
for ver in $versions; do
	gobin=$("$root/tools/go-toolchain.sh" "$ver")
	for t in deeprec parked reuse; do
		for kind in plain stripped pie arm64; do
			[ "$kind" = arm64 ] && [ "$t" != deeprec ] && continue
			bin=$out/$ver/$kind/$t
			if fresh "$bin" "$here/$t/main.go" "$here/go.mod" "${BASH_SOURCE[0]}"; then
				continue
			fi
			mkdir -p "$(dirname "$bin")"
			case $kind in
			plain) "$gobin" build -o "$bin.tmp" "./$t" ;;
			stripped) "$gobin" build -ldflags='-s -w' -o "$bin.tmp" "./$t" ;;
			pie) "$gobin" build -buildmode=pie -o "$bin.tmp" "./$t" ;;
			arm64) GOARCH=arm64 "$gobin" build -o "$bin.tmp" "./$t" ;;
			esac
			mv -f "$bin.tmp" "$bin"
			echo "built: $bin"
		done
	done
done
gobin=$(command -v go || "$root/tools/go-toolchain.sh" "$(echo $versions | tr ' ' '\n' | tail -1)")
if ! fresh "$out/check" "$here/check/main.go"; then
	"$gobin" build -o "$out/check" ./check
	echo "built: $out/check"
fi
