#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu machine to a running xgotop-tui:
#   ./bootstrap.sh demo   install what is missing, build, open the UI on the bundled Go workload
#   ./bootstrap.sh test   install what is missing, then three builds (what CI runs):
#                         build/        gcc, the static release build (XG_STATIC), the whole
#                                       test suite (CTest, every label; ship: the .deb)
#                         build-asan/   gcc -O1 with ASan+UBSan (XG_SANITIZE): labels unit,
#                                       fuzz, tui and record without root, and the e2e
#                                       lifecycle and events tests of the newest Go release
#                         build-clang/  clang, -Werror: everything builds; labels unit, fuzz
# Root (or sudo) is needed to install packages and to attach uprobes.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case $mode in
demo | test) ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Build and test dependencies, by Debian package name.
# XG_STATIC links the .a files of the -dev packages (libdw.a needs libbz2.a,
# liblzma.a and libz.a, which libdw-dev does not all pull in); the ship
# tests make the .deb (dpkg-dev) and run lintian on it.
PKGS="build-essential cmake pkg-config clang llvm bpftool libbpf-dev libelf-dev libdw-dev
libzstd-dev libncurses-dev libcmocka-dev clang-format curl unzip ca-certificates fzf tmux zstd jq util-linux
valgrind bpftrace
prometheus python3 zlib1g-dev liblzma-dev libbz2-dev ncurses-base dpkg-dev lintian systemd"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing$missing" >&2
	$SUDO apt-get update -q
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

if [ "$mode" = test ]; then
	# Each part runs even when an earlier one failed; the summary names the failures.
	# (Each step is checked by hand: set -e does not apply inside `part`.)
	failed=
	part() {
		local name=$1 start=$SECONDS rc=0 t
		shift
		echo "bootstrap: === $name" >&2
		"$@" || rc=$?
		t=$((SECONDS - start))
		t="$((t / 60))m$((t % 60))s"
		if [ $rc -eq 0 ]; then
			echo "bootstrap: === $name: passed in $t" >&2
		else
			echo "bootstrap: === $name: FAILED (exit $rc) after $t" >&2
			failed="$failed
  $name"
		fi
		summary="$summary
  $t	$name: $([ $rc -eq 0 ] && echo passed || echo FAILED)"
	}
	summary=
	# Tests of scripts and Go code, which part 1 ran and no C compiler changes.
	not_c='^(arch\.(include_boundary|cited_paths).*|unit\.e2e_checker)$'

	# 1. The default build (gcc, RelWithDebInfo) and the whole suite. The Go
	# toolchains of the matrix come from the Go module proxy (cached).
	main_suite() {
		cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
			cmake --build build -j"$(nproc)" &&
			$SUDO ctest --test-dir build --output-on-failure -j2 --timeout 1800
	}
	part "main suite: gcc build and every test (build/)" main_suite

	# 2. ASan+UBSan, gcc at -O1 (gcc is the compiler users build with; clang is
	# checked by part 3). Any report aborts the process (a test that looks at
	# the exit status fails) and must not be found afterwards: ASan's and
	# LSan's in build-asan/sanitizer-reports/ (their log_path), UBSan's (gcc's
	# runtime writes them to stderr whatever log_path says) in the tests'
	# output and in the files their scripts keep under build-asan/tests/*/work.
	asan_suite() {
		local reports=$PWD/build-asan/sanitizer-reports found=$PWD/build-asan/sanitizer-found
		local go_ver rc=0 f
		local re='^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|[^ ]+:[0-9]+:[0-9]+: runtime error: '
		go_ver=$(tools/go-toolchain.sh --list | tr ' ' '\n' | tail -n 1) || return
		cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DXG_SANITIZE=ON >/dev/null &&
			cmake --build build-asan -j"$(nproc)" || return
		# The e2e fixtures build the Go targets for the whole matrix: share
		# part 1's (they are up to date) rather than build them again.
		mkdir -p build/tests/e2e/matrix build-asan/tests/e2e || return
		[ -L build-asan/tests/e2e/matrix ] || rm -rf build-asan/tests/e2e/matrix
		ln -sfn "$PWD/build/tests/e2e/matrix" build-asan/tests/e2e/matrix || return
		$SUDO rm -rf "$reports" "$found" build-asan/tests/*/work && mkdir -p "$reports" || return
		local san=(env
			"ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$reports/asan"
			"UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1")
		$SUDO "${san[@]}" ctest --test-dir build-asan --output-on-failure -j2 --timeout 1800 \
			-L '^(unit|fuzz|tui|record)$' -LE bpf -E "$not_c" || rc=1
		grep -aE "$re" build-asan/Testing/Temporary/LastTest.log >>"$found"
		$SUDO "${san[@]}" ctest --test-dir build-asan --output-on-failure -j2 --timeout 1800 \
			-R "^e2e\\.(lifecycle|events)\\.(.*\\.)?${go_ver//./\\.}\\." || rc=1
		grep -aE "$re" build-asan/Testing/Temporary/LastTest.log >>"$found"
		grep -raE "$re" build-asan/tests/*/work >>"$found"
		if [ -s "$found" ]; then
			echo "bootstrap: sanitizer reports in the tests' output:" >&2
			head -c 8000 "$found" >&2
			rc=1
		fi
		for f in "$reports"/*; do
			[ -e "$f" ] || continue
			echo "bootstrap: sanitizer report $f:" >&2
			head -c 8000 "$f" >&2
			echo >&2
			rc=1
		done
		return $rc
	}
	part "sanitizer suite: gcc -O1 ASan+UBSan (build-asan/)" asan_suite

	# 3. clang: every target builds under -Werror; the quick tests run.
	clang_suite() {
		CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
			cmake --build build-clang -j"$(nproc)" &&
			$SUDO ctest --test-dir build-clang --output-on-failure -j2 --timeout 1800 \
				-L '^(unit|fuzz)$' -E "$not_c"
	}
	part "clang build: -Werror and labels unit, fuzz (build-clang/)" clang_suite

	echo "bootstrap: wall time per part:$summary" >&2
	if [ -n "$failed" ]; then
		echo "bootstrap: test FAILED in:$failed" >&2
		exit 1
	fi
	echo "bootstrap: test passed" >&2
	exit 0
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

# Demo: the terminal UI on the bundled Go workload when we can attach probes
# (root or sudo), else on the bundled sample recording (no root, no Go).
if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
	go=$(tools/go-toolchain.sh "$(tools/go-toolchain.sh --list | tr ' ' '\n' | tail -n 1)")
	(cd examples/workload && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$go" build -o ../../build/workload .)
	echo "bootstrap: the terminal UI on build/workload (? helps, q quits)" >&2
	exec $SUDO build/xgotop-tui -- build/workload -seconds 60
fi
if [ -f examples/sample.zst ]; then
	echo "bootstrap: not root: the terminal UI on the bundled recording (? helps, q quits)" >&2
	exec build/xgotop-tui --replay examples/sample.zst
fi
echo "bootstrap: tracing needs root (sudo); no bundled recording in this build" >&2
exit 1
