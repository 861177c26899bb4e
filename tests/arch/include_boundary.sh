#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Who may include whom, by folder (docs: /work/shared/STYLE.md, "The shape of
# the house"). Usage: include_boundary.sh ROOT; exit 1 listing each include
# that crosses a boundary.
#
# An include is traced to the folder that provides it: a quoted path is
# looked up next to the including file, then from ROOT, then by its name
# among the headers of bpf/, src/*/ and tui/ (the include paths of the
# build); <bpf/...> is libbpf and xgotop.skel.h the generated skeleton.
# Folders are found by glob, so new files and new src/ folders are checked
# without editing this list.
set -u
shopt -s nullglob

ROOT=${1:?usage: include_boundary.sh ROOT}
cd "$ROOT" || exit 2

SRC_DIRS=(src/*/)
SRC_DIRS=("${SRC_DIRS[@]%/}")

# Where an include, as written in FILE, comes from, into FROM: folders (or
# libbpf, skel, curses), space-separated; empty for system headers.
origin() {
	local file=$1 kind=$2 path=$3 dir=${1%/*} p
	FROM=
	case $path in
	bpf/*) [ "$kind" = '<' ] && FROM=libbpf && return ;;
	*xgotop.skel.h) FROM=skel && return ;;
	esac
	if [[ $path =~ ^(ncursesw?/)?(n?curses|term|panel|menu|form|unctrl)\.h$ ]]; then
		FROM=curses
		return
	fi
	[ "$kind" = '<' ] && return
	if [[ $path != */* ]]; then
		# Next to the file first, as the compiler looks.
		[ -f "$dir/$path" ] && folder "$dir/$path" && FROM=$FOLDER && return
		FROM=${HDR[$path]:-}
		return
	fi
	for p in "$dir/$path" "$path"; do
		if [ -f "$p" ]; then
			folder "$(realpath --relative-to=. "$p")"
			FROM=$FOLDER
			return
		fi
	done
	FROM=${HDR[${path##*/}]:-}
}

# The boundary name of a tree path, into FOLDER: src/<x>, tui, bpf (the
# shared record header apart), or other.
folder() {
	local r
	case $1 in
	bpf/xgotop_event.h) FOLDER=bpf/xgotop_event.h ;;
	src/*/*) r=${1#src/} && FOLDER="src/${r%%/*}" ;;
	tui/* | bpf/*) FOLDER=${1%%/*} ;;
	*) FOLDER=other ;;
	esac
}

# Forbidden origins for a file of folder F, one regex each.
forbidden() {
	local f=$1 d
	case $f in
	tui)
		echo '^libbpf$'
		echo '^skel$'
		echo '^bpf$' # bpf/ internals; bpf/xgotop_event.h is shared
		for d in "${SRC_DIRS[@]}"; do
			[ "$d" != src/core ] && echo "^$d\$"
		done
		;;
	bpf)
		echo '^src/'
		echo '^tui$'
		echo '^curses$'
		;;
	src/*)
		echo '^curses$'
		;;
	esac
	case $f in
	src/core | src/rec)
		echo '^libbpf$'
		echo '^skel$'
		echo '^src/live$'
		;;
	esac
	case $f in
	src/goexe) printf '%s\n' '^src/live$' '^src/rec$' '^src/cli$' ;;
	src/core | src/http)
		for d in "${SRC_DIRS[@]}"; do
			[ "$d" != "$f" ] && echo "^$d\$"
		done
		echo '^tui$'
		echo '^libbpf$'
		echo '^skel$'
		;;
	esac
}

# Which folders hold a header of this name.
declare -A HDR
for h in bpf/*.h src/*/*.h tui/*.h; do
	folder "$h"
	HDR[${h##*/}]+="$FOLDER "
done

# The rules of each folder, computed once: one regex a line.
declare -A RULES
FILES=()
for file in bpf/*.[ch] src/*/*.[ch] tui/*.[ch]; do
	folder "$file"
	f=$FOLDER
	[ "$f" = bpf/xgotop_event.h ] && f=bpf
	[ -z "${RULES[$f]+set}" ] && RULES[$f]=$(forbidden "$f")
	[ -n "${RULES[$f]}" ] && FILES+=("$file")
done
if [ ${#FILES[@]} -eq 0 ]; then
	echo "include_boundary: no source files under $ROOT" >&2
	exit 2
fi

bad=0
while IFS=: read -r file line text; do
	[[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]+)[\"\>] ]] ||
		continue
	kind=${BASH_REMATCH[1]}
	path=${BASH_REMATCH[2]}
	origin "$file" "$kind" "$path"
	[ -z "$FROM" ] && continue
	folder "$file"
	f=$FOLDER
	[ "$f" = bpf/xgotop_event.h ] && f=bpf
	mapfile -t rules <<<"${RULES[$f]}"
	# A header several folders provide crosses only if none of them is allowed.
	allowed=0
	hit=
	for o in $FROM; do
		crossed=
		for r in "${rules[@]}"; do
			[[ $o =~ $r ]] && crossed=$o && break
		done
		if [ -n "$crossed" ]; then
			hit=$crossed
		else
			allowed=1
		fi
	done
	if [ -n "$hit" ] && [ $allowed -eq 0 ]; then
		[ "$kind" = '<' ] && close='>' || close='"'
		echo "$file:$line: #include $kind$path$close is $hit's: $f must not include it" >&2
		bad=1
	fi
done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include' "${FILES[@]}")
[ $bad -eq 0 ] && echo "include boundaries hold (${#FILES[@]} files)"
exit $bad
