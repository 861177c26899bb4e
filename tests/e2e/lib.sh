# Helpers for the end-to-end test scripts (sourced, not run).

e2e_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# fail MESSAGE...: the test fails, saying why.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] ||
		fail "this test loads BPF programs and needs root: run ctest as root (sudo ctest ...)"
}

need_tracer() {
	[ -x "$1" ] || fail "no tracer at $1: build it first (cmake --build build)"
}

# go_cmd: the installed go, else the newest toolchain of the test matrix.
go_cmd() {
	if command -v go >/dev/null 2>&1; then
		command -v go
	elif [ -x /usr/local/go/bin/go ]; then
		echo /usr/local/go/bin/go
	else
		local v
		v=$("$e2e_root/tools/go-toolchain.sh" --list | tr ' ' '\n' | tail -1)
		"$e2e_root/tools/go-toolchain.sh" "$v"
	fi
}

goarch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) uname -m ;;
	esac
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# wait_line FILE REGEX SECONDS PID: wait until a line of FILE matches the
# extended REGEX; returns 1 on timeout or as soon as PID has ended.
wait_line() {
	local file=$1 re=$2 end=$((SECONDS + $3)) pid=$4
	while [ $SECONDS -lt $end ]; do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		if ! alive "$pid"; then
			grep -Eq -- "$re" "$file" 2>/dev/null
			return
		fi
		sleep 0.05
	done
	return 1
}

# wait_exit PID SECONDS: wait for child PID to end and set $status to its exit
# status; returns 1 if it is still running after SECONDS.
wait_exit() {
	local pid=$1 end=$((SECONDS + $2))
	while alive "$pid"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
	wait "$pid"
	status=$?
	return 0
}

# stop PID: end a child we started, politely first.
stop() {
	alive "$1" || return 0
	kill -INT "$1" 2>/dev/null
	wait_exit "$1" 10 && return 0
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# show FILE...: print files for the log, each under a header.
show() {
	local f
	for f; do
		[ -s "$f" ] || continue
		echo "--- $f"
		head -c 4000 "$f"
		echo
	done
}

# build_resync VER DIR: tests/targets/resync built by go VER as DIR/resync.
build_resync() {
	local gobin
	gobin=$("$e2e_root/tools/go-toolchain.sh" "$1") || fail "no Go $1 toolchain"
	(cd "$e2e_root/tests/targets" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
		"$gobin" build -o "$2/resync" ./resync) || fail "cannot build tests/targets/resync with go$1"
}

# start_resync DIR: start DIR/resync in DIR and wait for its DIR/ready; sets tpid
# (set the EXIT trap that ends it first).
start_resync() {
	local end=$((SECONDS + 30))
	"$1/resync" -dir "$1" 2>"$1/target.err" &
	tpid=$!
	until [ -e "$1/ready" ]; do
		alive "$tpid" || fail "the target ended before it was ready"
		[ $SECONDS -lt $end ] || fail "the target was not ready within 30 s"
		sleep 0.05
	done
}

# start_held DIR: tests/targets/held built into DIR and started there, holding its
# goroutines until DIR/release exists; returns once it wrote DIR/truth.json. Sets tpid
# (set the EXIT trap that ends it first).
start_held() {
	local gobin end=$((SECONDS + 60))
	gobin=$(go_cmd) || fail "no Go toolchain"
	(cd "$e2e_root/tests/targets" && GOFLAGS=-buildvcs=false "$gobin" build -o "$1/held" ./held) ||
		fail "cannot build tests/targets/held"
	"$1/held" -truth "$1/truth.json" -release "$1/release" >"$1/held.out" 2>&1 &
	tpid=$!
	until [ -s "$1/truth.json" ]; do
		alive "$tpid" || { show "$1/held.out"; fail "held ended before it was ready"; }
		[ $SECONDS -lt $end ] || fail "held was not ready within 60 s"
		sleep 0.1
	done
}

# stacks_start TRACER BIN WORK ARGS...: what stacks.sh and stacks_churn.sh check
# first, then tests/targets/stacks (BIN) started with ARGS in WORK (made afresh, and
# the current directory from then on), reading the fifo "in" (our fd 3), dumping to
# before.txt and after.txt; returns once it says ready. Sets tpid; stacks_finish
# lets it write its second dump and end.
stacks_start() {
	local tracer=$1 bin=$2 work=$3
	shift 3
	need_tracer "$tracer"
	[ -x "$bin" ] || fail "no target at $bin: the fixture e2e.build.stacks builds it"
	command -v python3 >/dev/null || fail "python3 is needed to check the dumps"
	rm -rf "$work"
	mkdir -p "$work"
	cd "$work" || fail "cannot enter $work"
	mkfifo in
	"$bin" "$@" -before before.txt -after after.txt <in >out.txt 2>err.txt &
	tpid=$!
	exec 3>in
	trap stacks_cleanup EXIT
	# No timing assumption: wait for the target's own word, or its death.
	while ! grep -q '^ready' out.txt; do
		kill -0 "$tpid" 2>/dev/null || fail "the target died: $(cat err.txt)"
		sleep 0.1
	done
}

stacks_cleanup() {
	exec 3>&- || true
	kill "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
}

stacks_finish() {
	echo go >&3
	exec 3>&-
	wait "$tpid" || fail "the target failed: $(cat err.txt)"
	trap - EXIT
}
