#!/usr/bin/env bash
# Print the path of a `go` command for Go release VERSION (e.g. 1.22.12),
# downloading the toolchain from the Go module proxy on first use. The proxy
# serves every release as the module golang.org/toolchain (the same files
# GOTOOLCHAIN=goX.Y.Z fetches), so this needs neither a Go install nor
# GOTOOLCHAIN support. Cached under $XG_CACHE (default ~/.cache/xgotop-tui).
#
#   tools/go-toolchain.sh 1.22.12          -> /root/.cache/xgotop-tui/go/1.22.12/bin/go
#   tools/go-toolchain.sh --list           -> the versions of the test matrix
set -euo pipefail

# The test matrix: the newest patch release of each minor version we support.
MATRIX="1.19.13 1.20.14 1.21.13 1.22.12 1.23.12 1.24.13 1.25.14 1.26.8"

if [ "${1:-}" = "--list" ]; then
	echo "$MATRIX"
	exit 0
fi
if [ $# -ne 1 ] || ! [[ "$1" =~ ^1\.[0-9]+(\.[0-9]+)?$ ]]; then
	echo "usage: $0 VERSION | --list   (VERSION like 1.22.12)" >&2
	exit 2
fi
ver=$1
cache=${XG_CACHE:-$HOME/.cache/xgotop-tui}/go
dir=$cache/$ver
if [ -x "$dir/bin/go" ]; then
	echo "$dir/bin/go"
	exit 0
fi

case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) echo "go-toolchain: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
proxy=${GOPROXY_URL:-https://proxy.golang.org}
url=$proxy/golang.org/toolchain/@v/v0.0.1-go$ver.linux-$arch.zip
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! curl -fsSL --retry 3 -o "$tmp/tc.zip" "$url"; then
	echo "go-toolchain: cannot download go$ver from $url" >&2
	exit 1
fi
(cd "$tmp" && unzip -q tc.zip)
src=$(echo "$tmp"/golang.org/toolchain@*)
if [ ! -f "$src/bin/go" ]; then
	echo "go-toolchain: $url holds no bin/go" >&2
	exit 1
fi
# Older module zips drop the executable bits; restore them.
chmod -R u+w "$src"
find "$src/bin" "$src/pkg/tool" -type f -exec chmod +x {} +
rm -rf "$dir"
mv "$src" "$dir"
echo "$dir/bin/go"
