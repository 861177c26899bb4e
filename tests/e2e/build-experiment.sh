#!/usr/bin/env bash
# Build tests/targets/allocs with GOEXPERIMENT=sizespecializedmalloc (go1.26+:
# new(T) calls size-specialised allocators instead of mallocgc), plain,
# stripped and pie, into OUTDIR/<version>-ssm/<kind>/allocs.
#
#   tests/e2e/build-experiment.sh OUTDIR VERSION
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR VERSION" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd) ver=$2
gobin=$("$e2e_root/tools/go-toolchain.sh" "$ver") || fail "no go$ver toolchain"
cd "$e2e_root/tests/targets"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOEXPERIMENT=sizespecializedmalloc
for kind in plain stripped pie; do
	case $kind in
	plain) flags=() ;;
	stripped) flags=(-ldflags=-s\ -w) ;;
	pie) flags=(-buildmode=pie) ;;
	esac
	bin=$out/$ver-ssm/$kind/allocs
	mkdir -p "$(dirname "$bin")"
	"$gobin" build "${flags[@]}" -o "$bin.tmp" ./allocs
	mv -f "$bin.tmp" "$bin"
	"$gobin" version "$bin" | grep -q 'X:sizespecializedmalloc' ||
		fail "$bin: built without the experiment"
	echo "built: $bin (go$ver, $kind, GOEXPERIMENT=sizespecializedmalloc)"
done
