# Helpers of bench/run (sourced): figures on stdout, everything else on stderr.
# A figure is one line, "NAME VALUE UNIT"; a figure that cannot be measured
# here is "NAME NA REASON" (REASON one word: needs-root, no-bpftrace, failed...).

# say WORDS...: progress, on stderr.
say() { echo "bench: $*" >&2; }

# fig NAME VALUE UNIT: one figure; a VALUE that is not a number becomes "NA failed".
fig() {
	if [[ $2 =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
		echo "$1 $2 $3"
	else
		say "$1: no value (got '${2:-}')"
		echo "$1 NA failed"
	fi
}

# median: the median of the numbers on stdin, one a line (nothing without any).
median() {
	grep -E '^-?[0-9.]+([eE][-+]?[0-9]+)?$' | sort -g |
		awk '{v[NR] = $1} END {if (NR) printf "%.6g\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# calc EXPR: awk arithmetic, printed with up to 6 significant digits.
calc() { awk "BEGIN {printf \"%.6g\n\", ($1)}"; }

# cg_insns FUNCTION LOG -- COMMAND...: instructions executed inside FUNCTION
# (and what it calls) while COMMAND runs under valgrind --tool=callgrind;
# COMMAND's stdout goes to LOG.out. Instruction counts do not depend on the
# machine's load: the stable figures.
# bench_synth built with callgrind's client requests instruments only what
# it measures (--instr-atstart=no): the set-up runs 10x faster, the counts
# are the same.
cg_insns() {
	local fn=$1 log=$2 opts=()
	shift 3
	[ "${1##*/}" = bench_synth ] && [ "$("$1" cg)" = yes ] && opts=(--instr-atstart=no)
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$fn" "${opts[@]}" \
		--callgrind-out-file="$log.cg" --log-file="$log" "$@" >"$log.out" || return 1
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log" | tail -1
}

# cpu_of PID: user + system CPU seconds of PID so far (/proc/PID/stat fields 14 and 15).
cpu_of() {
	awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null
}

# go_build VERSION DIR PKG OUT: PKG (a directory under DIR) built by Go VERSION
# (tools/go-toolchain.sh fetches it on first use) into OUT, unless OUT is newer
# than every .go file of PKG.
go_build() {
	local ver=$1 dir=$2 pkg=$3 out=$4 gobin
	if [ -x "$out" ] && [ -z "$(find "$dir/$pkg" -name '*.go' -newer "$out")" ]; then
		return 0
	fi
	gobin=$("$root/tools/go-toolchain.sh" "$ver") || return 1
	(cd "$dir" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$gobin" build -o "$out" "./$pkg")
}
