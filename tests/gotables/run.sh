#!/usr/bin/env bash
# CTest driver (label go): for every release of the test matrix, build
# tools/gotables-sample plain, stripped (-s -w), PIE (internal linking),
# PIE with the external linker, and PIE for the other architecture (plus the
# plain build with .zdebug_* and with uncompressed DWARF), then check each with
# gotables_check against src/goexe/gotables_data.c. A toolchain that cannot be had
# fails the test. Builds are cached in OUT_DIR and redone when the sample
# changes.
#
#   run.sh GOTABLES_CHECK SOURCE_DIR OUT_DIR [VERSION...]
set -uo pipefail

check=$1
top=$2
out=$3
shift 3
sample=$top/tools/gotables-sample
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046
	set -- $("$top/tools/go-toolchain.sh" --list)
fi

pass=0
fail=0
result() {
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $2"
	fi
}

# build GO DEST ENV ARGS...: go build the sample into DEST with the
# variables of ENV (space separated) unless a build newer than every file of
# the sample is there.
build() {
	local go=$1 dest=$2 envs=$3
	shift 3
	if [ -x "$dest" ] && [ -z "$(find "$sample" -newer "$dest" -print -quit)" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$dest")"
	# shellcheck disable=SC2086
	(cd "$sample" && env GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOOS=linux $envs \
		"$go" build -o "$dest.tmp" "$@" .) && mv "$dest.tmp" "$dest"
}

case $(uname -m) in
x86_64) host=amd64 other=arm64 ;;
aarch64) host=arm64 other=amd64 ;;
*) echo "gotables: unsupported machine $(uname -m)"; exit 1 ;;
esac

for ver in "$@"; do
	if ! go=$("$top/tools/go-toolchain.sh" "$ver"); then
		result 1 "go$ver: no toolchain"
		continue
	fi
	dir=$out/$ver
	for v in plain stripped pie pie-ext "pie-$other"; do
		envs="GOARCH=$host CGO_ENABLED=0"
		case $v in
		plain) args=() kinds=plain ;;
		stripped) args=("-ldflags=-s -w") kinds=stripped ;;
		pie) args=(-buildmode=pie) kinds="pie relocs" ;;
		# The external linker writes .rela.dyn (Go's own linker: .rela).
		pie-ext) args=(-buildmode=pie -ldflags=-linkmode=external) kinds="pie relocs"
			envs="GOARCH=$host CGO_ENABLED=1" ;;
		# R_AARCH64_RELATIVE on amd64 hosts, R_X86_64_RELATIVE on arm64 ones.
		pie-*) args=(-buildmode=pie) kinds="pie relocs" envs="GOARCH=$other CGO_ENABLED=0" ;;
		esac
		if ! build "$go" "$dir/$v" "$envs" "${args[@]}"; then
			result 1 "go$ver: cannot build the $v sample"
			continue
		fi
		for k in $kinds; do
			"$check" "$k" "$dir/$v"
			result $? "go$ver $v: $k"
		done
	done
	# Go writes SHF_COMPRESSED .debug_* (zlib); older linkers wrote .zdebug_*
	# and other tools leave DWARF uncompressed: libdw must read all three.
	for z in zlib-gnu:zdebug none:uncompressed; do
		if [ ! -x "$dir/${z#*:}" ] || [ "$dir/plain" -nt "$dir/${z#*:}" ]; then
			if [ "${z%%:*}" = none ]; then
				objcopy --decompress-debug-sections "$dir/plain" "$dir/${z#*:}"
			else
				objcopy --compress-debug-sections="${z%%:*}" "$dir/plain" "$dir/${z#*:}"
			fi || { result 1 "go$ver: objcopy ${z%%:*} failed"; continue; }
		fi
		"$check" plain "$dir/${z#*:}"
		result $? "go$ver ${z#*:}: plain"
	done
done
echo "gotables: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
