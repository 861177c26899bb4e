#!/usr/bin/env bash
# SIGKILL the recorder of a busy target (tests/record/churn): crash_check.c.
#   crash.sh TRACER CRASH_CHECK WORKDIR
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"

tracer=$1 check=$2 work=$3
need_root
need_tracer "$tracer"
rm -rf "$work"
mkdir -p "$work"
go=$(go_cmd) || fail "no Go toolchain"
(cd "$e2e_root/tests/record/churn" && "$go" build -o "$work/churn" .) ||
	fail "cannot build tests/record/churn"
"$check" "$tracer" "$work/churn" "$work"
