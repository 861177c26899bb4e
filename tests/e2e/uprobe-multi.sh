#!/usr/bin/env bash
# The uprobes as uprobe-multi links and as one perf-event link per site
# (XGOTOP_NO_UPROBE_MULTI=1) against the same ground truth: lifecycle.sh in
# -pid and -b modes both ways, each run saying which links it made and
# attaching the same sites.
#
#   uprobe-multi.sh TRACER CHECKER TARGET GOVERSION WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 5 ] || { echo "usage: $0 TRACER CHECKER TARGET GOVERSION WORKDIR" >&2; exit 2; }
tracer=$1 checker=$2 target=$3 ver=$4 w=$5
need_root
need_tracer "$tracer"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
dir=$(dirname "${BASH_SOURCE[0]}")

for mode in pid b; do
	for links in multi perf; do
		d=$w/$links.$mode
		if [ "$links" = multi ]; then
			want='^xgotop-tui: uprobes as uprobe-multi links, one per program$'
			env -u XGOTOP_NO_UPROBE_MULTI XG_VERBOSE_TRACER="$tracer" "$dir/lifecycle.sh" \
				"$dir/tracer-verbose.sh" "$checker" "$target" "$ver" "$mode" "$d" ||
				fail "uprobe-multi links, $mode: lifecycle.sh failed"
		else
			want='^xgotop-tui: uprobes as perf-event links, one per site: XGOTOP_NO_UPROBE_MULTI is set$'
			XGOTOP_NO_UPROBE_MULTI=1 XG_VERBOSE_TRACER="$tracer" "$dir/lifecycle.sh" \
				"$dir/tracer-verbose.sh" "$checker" "$target" "$ver" "$mode" "$d" ||
				fail "perf-event links, $mode: lifecycle.sh failed"
		fi
		grep -Eq "$want" "$d/tracer.err" || {
			show "$d/tracer.err"
			fail "$links, $mode: no line /$want/"
		}
		grep -E '^xgotop-tui: probe ' "$d/tracer.err" | sed 's/).*/)/' | sort \
			>"$d/sites" || fail "$links, $mode: no probe lines"
		[ -s "$d/sites" ] || fail "$links, $mode: no probe lines in $d/tracer.err"
	done
	cmp -s "$w/multi.$mode/sites" "$w/perf.$mode/sites" || {
		diff "$w/multi.$mode/sites" "$w/perf.$mode/sites" >&2
		fail "$mode: the two kinds of link attached different sites"
	}
done
echo "PASS: go$ver uprobe-multi and perf-event links, -pid and -b"
