#!/usr/bin/env bash
# Build tests/goelf/hello with Go release VER in several ways and check each
# binary with goelf_check. Called by CTest (label "go"); any failure, a
# failed toolchain download included, fails the test.
#
#   run_go.sh VER CHECKER SRC_DIR OUT_DIR TOOLCHAIN_SCRIPT
set -euo pipefail

ver=$1 checker=$2 src=$3 out=$4/go$ver toolchain=$5
module=example.com/xgotop/hello

if ! go=$("$toolchain" "$ver"); then
	echo "FAIL: cannot get the go$ver toolchain (tools/go-toolchain.sh $ver)" >&2
	exit 1
fi
# debug/gosym of the newest release reads every older pclntab; go1.19's
# objdump prints no lines for its own PIE builds.
newest=$("$toolchain" --list | awk '{print $NF}')
if ! refgo=$("$toolchain" "$newest"); then
	echo "FAIL: cannot get the go$newest toolchain (tools/go-toolchain.sh $newest)" >&2
	exit 1
fi
mkdir -p "$out"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

case $(uname -m) in
x86_64) host=amd64 ;;
aarch64) host=arm64 ;;
*) echo "FAIL: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

# build KIND GOARCH GO-BUILD-FLAGS...: cached while newer than its inputs.
build() {
	local kind=$1 arch=$2 bin=$out/hello-$1
	shift 2
	if [ -x "$bin" ] && [ "$bin" -nt "$src/hello/main.go" ] && [ "$bin" -nt "$src/hello/go.mod" ] &&
		[ "$bin" -nt "$go" ]; then
		return 0
	fi
	(cd "$src/hello" && GOARCH=$arch "$go" build "$@" -o "$bin.tmp" .) || {
		echo "FAIL: GOARCH=$arch go$ver build $* failed" >&2
		exit 1
	}
	mv "$bin.tmp" "$bin"
}

# The host's builds, and the other architecture's by cross-compiling
# (internal linking only: no cross C linker).
other=arm64
[ "$host" = arm64 ] && other=amd64
build plain "$host"
build stripped "$host" -ldflags="-s -w"
build pie "$host" -buildmode=pie
# Linked by the system C linker (needs gcc), as cgo-enabled distribution builds are.
CGO_ENABLED=1 build extpie "$host" -buildmode=pie -ldflags="-linkmode=external"
CGO_ENABLED=1 build extpie-stripped "$host" -buildmode=pie -ldflags="-linkmode=external -s -w"
CGO_ENABLED=0 build "$other" "$other"
CGO_ENABLED=0 build "$other-stripped" "$other" -ldflags="-s -w"
CGO_ENABLED=0 build "$other-pie" "$other" -buildmode=pie
CGO_ENABLED=0 build "$other-pie-stripped" "$other" -buildmode=pie -ldflags="-s -w"

check() {
	local kind=$1 arch=$2 extra=$3
	"$checker" go "$out/hello-$kind" "$kind" "$ver" "$module" "$arch" "$src/hello/main.go" \
		"$extra" || rc=1
}

# Unstripped builds are compared with `go tool objdump`, stripped ones with
# their unstripped twin.
rc=0
for kind in plain pie extpie "$other" "$other-pie"; do
	bin=$out/hello-$kind
	if ! [ "$bin.objdump" -nt "$bin" ]; then
		"$refgo" tool objdump "$bin" >"$bin.objdump.tmp" || {
			echo "FAIL: go$newest tool objdump $bin failed" >&2
			exit 1
		}
		mv "$bin.objdump.tmp" "$bin.objdump"
	fi
done
check plain "$host" "$out/hello-plain.objdump"
check pie "$host" "$out/hello-pie.objdump"
check extpie "$host" "$out/hello-extpie.objdump"
check "$other" "$other" "$out/hello-$other.objdump"
check "$other-pie" "$other" "$out/hello-$other-pie.objdump"
check stripped "$host" "$out/hello-plain"
check extpie-stripped "$host" "$out/hello-extpie"
check "$other-stripped" "$other" "$out/hello-$other"
check "$other-pie-stripped" "$other" "$out/hello-$other-pie"
exit $rc
