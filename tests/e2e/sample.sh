#!/usr/bin/env bash
# -sample against ground truth: tests/targets/sampled, built by Go VERSION,
# launched under xgotop-tui four times with --alloc: a baseline without
# -sample, then goroutine:0.3 (whole goroutines, chosen by the hash of pid
# and goid: exactly those, each complete, none partial), the same with -rw 2
# -pw 2, then xgotop's six per-event rates. The checker (-mode sample) holds every observed rate to
# within 0.05 of its setting against the baseline, and fails otherwise.
#
#   sample.sh TRACER CHECKER GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 4 ] || { echo "usage: $0 TRACER CHECKER GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 checker=$2 ver=$3 w=$4
need_root
need_tracer "$tracer"
[ -x "$checker" ] || fail "no checker at $checker: the e2e.build.checker fixture failed"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
gobin=$("$e2e_root/tools/go-toolchain.sh" "$ver") || fail "no Go $ver toolchain"
(cd "$e2e_root/tests/targets" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
	"$gobin" build -o "$w/sampled" ./sampled) || fail "cannot build tests/targets/sampled with go$ver"

die() {
	show "$w"/*.err "$w"/*.log
	echo "artifacts: $w" >&2
	fail "$@"
}

# run TAG RATES [TRACER-FLAGS...]: launch the target, check with -rates RATES.
run() {
	local tag=$1 rates=$2 st base=()
	shift 2
	timeout -k 10 240 "$tracer" --overhead-budget off --headless -s --alloc --jsonl "$w/$tag.jsonl" "$@" -- \
		"$w/sampled" -truth "$w/$tag.truth" -exit 3 >"$w/$tag.out" 2>"$w/$tag.err"
	st=$?
	[ "$st" -ne 124 ] || die "$tag: xgotop-tui -- sampled did not end within 240 s"
	[ "$st" -eq 3 ] || die "$tag: xgotop-tui -- sampled -exit 3 exited $st, want 3"
	grep -q "events dropped" "$w/$tag.err" && die "$tag: events were dropped"
	[ "$tag" = base ] || base=(-baseline "$w/base.jsonl")
	"$checker" -mode sample -events "$w/$tag.jsonl" -truth "$w/$tag.truth" \
		-rates "$rates" "${base[@]}" >"$w/$tag.log" 2>&1
	st=$?
	cat "$w/$tag.log"
	[ "$st" -eq 0 ] || die "$tag: checker -mode sample -rates $rates found mismatches (exit $st)"
}

run base all
run goroutine goroutine:0.3 -sample goroutine:0.3 --metrics "$w/goroutine.metrics.json"
grep -q "sample goroutine:0.3" "$w/goroutine.err" || die "goroutine: the attach line does not name the sampling"
# --metrics: the summary names the sampling, counts what was kept, and prices the probes.
m=$w/goroutine.metrics.json
[ -s "$m" ] || die "--metrics: no $m"
grep -q '"sample": "goroutine:0.3"' "$m" || die "--metrics: no \"sample\": \"goroutine:0.3\" in $m"
grep -Eq '"records": [1-9][0-9]*,' "$m" || die "--metrics: no records counted in $m"
grep -Eq '"drops": 0,' "$m" || die "--metrics: drops not 0 in $m"
grep -Eq '"program": "casgstatus".*"hits": [1-9][0-9]*, .*"lat_ns": [0-9.]+' "$m" ||
	die "--metrics: no casgstatus hits and lat_ns in $m"
grep -Eq '"ovh_pct": [0-9.]+' "$m" || die "--metrics: no ovh_pct in $m"
# The same through reader and processor threads: each processor's decoder samples.
run goroutine-workers goroutine:0.3 -sample goroutine:0.3 -rw 2 -pw 2
spec=casgstatus:0.5,newgoroutine:0.25,goexit:0.75,makeslice:0.4,makemap:0.6,newobject:0.2
run events $spec -sample $spec
echo "PASS: go$ver sampling"
