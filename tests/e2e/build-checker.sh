#!/usr/bin/env bash
# Build the e2e checker into OUTDIR/checker with the installed Go (or the newest
# toolchain of the test matrix).
#
#   tests/e2e/build-checker.sh OUTDIR
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
go=$(go_cmd) || fail "no Go toolchain: install Go or check tools/go-toolchain.sh"
cd "$e2e_root/tests/e2e/checker"
GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o "$out/checker" .
echo "built: $out/checker ($("$go" env GOVERSION))"
