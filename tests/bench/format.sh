#!/usr/bin/env bash
# bench/run's output contract, checked without measuring anything:
#  - --dry-run prints every figure, one a line, as "NAME NA dry-run", each
#    name once and made of [a-z0-9_];
#  - bench/README.md's table of figures names exactly those figures;
#  - --only selects by name, and a bad argument is one line on stderr, exit 2;
#  - bench/lib.sh's fig prints "NAME VALUE UNIT" for a number and
#    "NAME NA failed" for anything else.
#
#   tests/bench/format.sh SOURCE-DIR
set -uo pipefail
src=${1:?usage: format.sh SOURCE-DIR}
run=$src/bench/run
fail=0
bad() { echo "bench.format: $*" >&2; fail=1; }

out=$("$run" --dry-run) || bad "--dry-run exited $?"
[ -n "$out" ] || bad "--dry-run printed nothing"
malformed=$(awk 'NF != 3 || $1 !~ /^[a-z0-9_]+$/ || $2 != "NA" || $3 != "dry-run"' <<<"$out")
[ -z "$malformed" ] || bad "malformed lines: $malformed"
dups=$(awk '{print $1}' <<<"$out" | sort | uniq -d)
[ -z "$dups" ] || bad "figures printed twice: $dups"

names=$(awk '{print $1}' <<<"$out" | sort)
doc=$(sed -n 's/^| `\([a-z0-9_]*\)` |.*/\1/p' "$src/bench/README.md" | sort -u)
missing=$(comm -23 <(echo "$names") <(echo "$doc"))
extra=$(comm -13 <(echo "$names") <(echo "$doc"))
[ -z "$missing" ] || bad "not in bench/README.md's table: $missing"
[ -z "$extra" ] || bad "in bench/README.md's table but not printed by bench/run: $extra"

# The figures issue 18 asks for, at least.
for f in prc_ns_per_event live_cpu_ns_per_event replay_events_per_s replay_first_screen_ms \
	record_bytes_per_event record_ns_per_event state_bytes_per_goroutine tui_frame_ms_100k \
	bpf_ns_per_hit max_events_per_s_no_drop churn_ratio_vs_bpftrace_six \
	churn_ratio_vs_bpftrace_ours churn_keep_fraction_poll20 http_keep_fraction stack_sweep_ms_100k; do
	grep -qx "$f" <<<"$names" || bad "no figure $f"
done

only=$("$run" --dry-run --only '^http_keep_fraction$')
[ "$only" = "http_keep_fraction NA dry-run
http_keep_fraction_budget NA dry-run" ] || bad "--only http_keep_fraction gave: $only"
err=$("$run" --no-such-flag 2>&1 >/dev/null)
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] || bad "bad argument: exit $rc, stderr: $err"

# shellcheck source=bench/lib.sh
. "$src/bench/lib.sh"
[ "$(fig a_b 12.5 ns)" = "a_b 12.5 ns" ] || bad "fig 12.5"
[ "$(fig a_b 1.5e+06 ns)" = "a_b 1.5e+06 ns" ] || bad "fig 1.5e+06"
[ "$(fig a_b '' ns 2>/dev/null)" = "a_b NA failed" ] || bad "fig of nothing"
[ "$(fig a_b 'n/a' ns 2>/dev/null)" = "a_b NA failed" ] || bad "fig of n/a"
[ "$(printf '3\n1\n2\nx\n' | median)" = 2 ] || bad "median of 3 1 2"
[ "$(printf '4\n1\n2\n3\n' | median)" = 2.5 ] || bad "median of 4 1 2 3"

[ $fail = 0 ] && echo "bench.format: ok ($(wc -l <<<"$names") figures)"
exit $fail
