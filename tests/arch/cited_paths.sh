#!/usr/bin/env bash
# Every file of this repository that the docs or a comment cites by path
# (src/live/decode.c, tui/views.c, tests/e2e/lib.sh, ...) exists: files move,
# and a citation to where they were misleads the next reader.
#
#   cited_paths.sh ROOT
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 ROOT" >&2; exit 2; }
cd "$1" || exit 2

# Paths under the folders we own, ending in a source or doc suffix; not
# <bpf/libbpf.h> (a system header), $src/... (a shell variable), nor the Go
# tree's own src/runtime, src/cmd, ... (cited with their Go release).
re='(^|[^A-Za-z0-9_./<$-])((src|tui|bpf|tests|tools|bench|docs|examples)/[A-Za-z0-9_./-]+\.(c|h|md|sh|go|py|1))\b'
bad=0 n=0
while IFS=: read -r file line match; do
	path=${match#"${match%%[A-Za-z]*}"} # drop the character before the path
	case $path in src/runtime/* | src/cmd/* | src/debug/* | src/internal/*) continue ;; esac
	n=$((n + 1))
	# A path relative to the citing file's folder counts too.
	[ -e "$path" ] || [ -e "$(dirname "$file")/$path" ] && continue
	echo "$file:$line: cites $path, which does not exist" >&2
	bad=$((bad + 1))
done < <(grep -rnoE "$re" README.md docs src tui bpf tests tools bench .ci bootstrap.sh CMakeLists.txt \
	--include='*.md' --include='*.c' --include='*.h' --include='*.sh' --include='*.txt' \
	--include='*.go' --include='*.1' --include='run' --exclude=cited_paths_selftest.sh 2>/dev/null)
if [ "$bad" -ne 0 ]; then
	echo "cited_paths: $bad of $n cited paths do not exist" >&2
	exit 1
fi
[ "$n" -gt 100 ] || { echo "cited_paths: only $n cited paths found: the pattern is broken" >&2; exit 1; }
echo "cited_paths: all $n cited paths exist"
