#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# include_boundary.sh must fail: on copies of bpf/, src/ and tui/ under a
# scratch directory, plant one forbidden include per rule and check that it
# is reported, and that the untouched copy passes.
# Usage: include_boundary_selftest.sh ROOT SCRATCH
set -u
shopt -s nullglob

ROOT=$(realpath "${1:?usage: include_boundary_selftest.sh ROOT SCRATCH}")
SCRATCH=${2:?usage: include_boundary_selftest.sh ROOT SCRATCH}
CHECK=$ROOT/tests/arch/include_boundary.sh
fail=0

fresh() {
	rm -rf "$SCRATCH"
	mkdir -p "$SCRATCH"
	cp -r "$ROOT/bpf" "$ROOT/src" "$ROOT/tui" "$SCRATCH/"
}

# The first file matching a glob under the scratch tree, as a tree path.
first() {
	local f
	for f in "$SCRATCH"/$1; do
		echo "${f#"$SCRATCH"/}"
		return
	done
	echo "include_boundary_selftest: nothing matches $1" >&2
	exit 2
}

# plant FILE_GLOB INCLUDE_LINE: expect the check to name that file.
plant() {
	local file out
	file=$(first "$1")
	cp "$SCRATCH/$file" "$SCRATCH/.saved"
	printf '%s\n' "$2" >>"$SCRATCH/$file"
	if out=$("$CHECK" "$SCRATCH" 2>&1); then
		echo "MISSED: $file: $2" >&2
		fail=1
	elif ! grep -q "^$file:" <<<"$out"; then
		echo "WRONG REPORT for $file: $2: $out" >&2
		fail=1
	else
		echo "caught: $(grep "^$file:" <<<"$out" | head -1)"
	fi
	mv "$SCRATCH/.saved" "$SCRATCH/$file"
}

# A header of a src/ folder, by glob: files there come and go.
hdr() {
	local f
	f=$(first "src/$1/*.h")
	echo "${f##*/}"
}

fresh
if ! "$CHECK" "$SCRATCH" >/dev/null; then
	echo "the untouched tree does not pass" >&2
	fail=1
fi
plant 'tui/*.c' '#include <bpf/libbpf.h>'
plant 'tui/*.h' '#include "xgotop.skel.h"'
plant 'tui/*.c' "#include \"$(hdr live)\""
plant 'tui/*.c' "#include \"$(hdr goexe)\""
plant 'tui/*.c' "#include \"../src/rec/$(hdr rec)\""
plant 'tui/*.c' "#include \"$(hdr cli)\""
plant 'bpf/*.bpf.c' "#include \"$(hdr core)\""
plant 'bpf/*.h' '#include "../src/live/decode.h"'
plant 'src/live/*.c' '#include <ncurses.h>'
plant 'src/cli/*.c' '#include <curses.h>'
plant 'src/core/*.c' '#include <bpf/libbpf.h>'
plant 'src/rec/*.c' '#include <bpf/bpf.h>'
plant 'src/rec/*.c' '#include "xgotop.skel.h"'
plant 'src/rec/*.c' "#include \"$(hdr live)\""
plant 'src/goexe/*.c' "#include \"$(hdr live)\""
plant 'src/goexe/*.c' "#include \"$(hdr rec)\""
plant 'src/goexe/*.c' "#include \"$(hdr cli)\""
plant 'src/core/*.c' "#include \"$(hdr goexe)\""
plant 'src/core/*.h' "#include \"$(hdr rec)\""
rm -rf "$SCRATCH"
exit $fail
