#!/usr/bin/env bash
# cited_paths.sh fails, naming the citation, when a doc cites a file that is
# not there, and passes on the same tree without it.
#
#   cited_paths_selftest.sh CHECK WORKDIR
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 CHECK WORKDIR" >&2; exit 2; }
check=$1 w=$2
rm -rf "$w" && mkdir -p "$w/src/core" "$w/docs" || exit 1
for i in $(seq 1 120); do
	: >"$w/src/core/f$i.c"
	echo "see src/core/f$i.c" >>"$w/docs/A.md"
done
"$check" "$w" >/dev/null 2>&1 || { echo "FAIL: a tree citing only files that exist was refused" >&2; exit 1; }
echo "moved to src/core/gone.c, see #include <bpf/libbpf.h> and \$src/x.c" >>"$w/README.md"
out=$("$check" "$w" 2>&1) && { echo "FAIL: a citation of a missing file passed" >&2; exit 1; }
grep -q "README.md:1: cites src/core/gone.c" <<<"$out" || { echo "FAIL: not named: $out" >&2; exit 1; }
grep -q "libbpf\|\$src" <<<"$out" && { echo "FAIL: a system header or shell variable counted: $out" >&2; exit 1; }
echo "PASS: cited_paths refuses a missing file and names it"
