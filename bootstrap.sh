#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu machine to a running xgotop-tui:
#   ./bootstrap.sh demo   install what is missing, build, open the UI on the bundled Go workload
#   ./bootstrap.sh test   install what is missing, build, run the whole test suite
# Root (or sudo) is needed to install packages and to attach uprobes.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case $mode in
demo | test) ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Build and test dependencies, by Debian package name.
PKGS="build-essential cmake pkg-config clang llvm bpftool libbpf-dev libelf-dev libdw-dev
libzstd-dev libncurses-dev libcmocka-dev clang-format curl unzip ca-certificates fzf tmux zstd"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing$missing" >&2
	$SUDO apt-get update -q
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

if [ "$mode" = test ]; then
	# The Go toolchains of the matrix come from the Go module proxy (cached).
	exec $SUDO ctest --test-dir build --output-on-failure -j2 --timeout 1800
fi

# Demo: the terminal UI on the bundled Go workload when we can attach probes
# (root or sudo), else on the bundled sample recording (no root, no Go).
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
	go=$(tools/go-toolchain.sh "$(tools/go-toolchain.sh --list | tr ' ' '\n' | tail -n 1)")
	(cd examples/workload && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o ../../build/workload .)
	echo "bootstrap: the terminal UI on build/workload (? helps, q quits)" >&2
	exec $SUDO build/xgotop-tui -- build/workload -seconds 60
fi
if [ -f examples/sample.zst ]; then
	echo "bootstrap: not root: the terminal UI on the bundled recording (? helps, q quits)" >&2
	exec build/xgotop-tui --replay examples/sample.zst
fi
echo "bootstrap: tracing needs root (sudo); no bundled recording in this build" >&2
exit 1
