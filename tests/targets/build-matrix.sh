#!/usr/bin/env bash
# Build the Go test targets with every toolchain of the test matrix, in three
# kinds: plain, stripped (-ldflags="-s -w": no symtab, no DWARF) and pie.
#
#   tests/targets/build-matrix.sh OUTDIR [TARGET...]
#
# Writes OUTDIR/<version>/<kind>/<target> (TARGET: a folder of tests/targets,
# default all of them) and prints one line per binary. A binary newer than its
# sources, go.mod and this script is kept. Toolchains come from
# tools/go-toolchain.sh; any failure to get one or to build fails the script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ $# -lt 1 ]; then
	echo "usage: $0 OUTDIR [TARGET...]" >&2
	exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for d in "$here"/*/; do
		[ -f "$d/main.go" ] && targets+=("$(basename "$d")")
	done
fi
for t in "${targets[@]}"; do
	if [ ! -f "$here/$t/main.go" ]; then
		echo "build-matrix: no target $here/$t/main.go" >&2
		exit 1
	fi
done

versions=$("$root/tools/go-toolchain.sh" --list)

# up_to_date BIN SRC...: BIN exists and is newer than every SRC.
up_to_date() {
	local bin=$1 src
	shift
	[ -f "$bin" ] || return 1
	for src in "$@"; do
		[ "$bin" -nt "$src" ] || return 1
	done
}

# Module-relative paths keep the recorded file names absolute and identical
# for every toolchain: /.../tests/targets/<target>/main.go.
cd "$here"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
for ver in $versions; do
	gobin=$("$root/tools/go-toolchain.sh" "$ver")
	for t in "${targets[@]}"; do
		srcs=("$here/go.mod" "${BASH_SOURCE[0]}" "$here/$t"/*.go)
		for kind in plain stripped pie; do
			case $kind in
			plain) flags=() ;;
			stripped) flags=(-ldflags=-s\ -w) ;;
			pie) flags=(-buildmode=pie) ;;
			esac
			bin=$out/$ver/$kind/$t
			if up_to_date "$bin" "${srcs[@]}"; then
				echo "up to date: $bin"
				continue
			fi
			mkdir -p "$(dirname "$bin")"
			"$gobin" build "${flags[@]}" -o "$bin.tmp" "./$t"
			mv -f "$bin.tmp" "$bin"
			echo "built: $bin (go$ver, $kind)"
		done
	done
done
