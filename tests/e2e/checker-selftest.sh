#!/usr/bin/env bash
# The checker's own tests: hand-written good and bad traces (checker/testdata
# and the mutations of main_test.go) must pass and fail as they should.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

go=$(go_cmd) || fail "no Go toolchain: install Go or check tools/go-toolchain.sh"
cd "$e2e_root/tests/e2e/checker"
GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" vet .
GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" test -count=1 .
