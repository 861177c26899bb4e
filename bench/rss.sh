#!/usr/bin/env bash
# The tracer's peak memory per goroutine (issue 12): bench/httpd with N
# goroutines parked on one channel (built by Go GOVERSION), attached by
# `xgotop-tui -pid PID -n 1` (one snapshot, stack sweeps on as with the UI)
# and by the same with --stack-interval 0 (no sweeps); the peak resident set
# of each (the kernel's ru_maxrss), and of the same at 1 000 parked
# goroutines. Per goroutine: (peak at N - peak at 1 000) / (N - 1 000).
# Prints figures; asserts nothing. Needs root (probes) and Go.
#
#   bench/rss.sh [-b BUILD] [-g GOVERSION] [N]       (default N: 1000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build ver=1.26.8
while getopts b:g: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	g) ver=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
n=${1:-1000000} base=1000
tracer=$build/xgotop-tui
work=$build/bench-rss
mkdir -p "$work"
. "$root/bench/lib.sh"
go_build "$ver" "$root/bench" httpd "$work/httpd"

# peak_kb PARKED ARGS...: the tracer's peak RSS (KiB) with ARGS against httpd
# -park PARKED, or "failed" (the reason on stderr): httpd not ready, the
# tracer failing, or its snapshot not showing the PARKED goroutines (then its
# peak is not the one asked for: attached too early, a figure far too low).
peak_kb() {
	local parked=$1 hpid kb ready=
	shift
	# Not the last run's "ready": the file is truncated by the child, maybe
	# after the first look below.
	rm -f "$work/httpd.out"
	"$work/httpd" -addr 127.0.0.1:0 -park "$parked" >"$work/httpd.out" 2>&1 &
	hpid=$!
	for _ in $(seq 600); do
		grep -q ready "$work/httpd.out" 2>/dev/null && ready=1 && break
		sleep 0.1
	done
	if [ -z "$ready" ]; then
		echo "rss.sh: httpd -park $parked not ready in 60 s" >&2
		kb=failed
	else
		# ru_maxrss of the one child: python3's wait, as GNU time's -v reports it;
		# its -n output read as it comes, for the live count only.
		kb=$(python3 -c 'import re, resource, subprocess, sys, tempfile
want = int(sys.argv[1])
errf = tempfile.TemporaryFile()
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=errf)
live = None
for line in p.stdout:
    m = re.match(rb"goroutines: (\d+) live", line)
    if m and live is None:
        live = int(m.group(1))
rc = p.wait()
errf.seek(0)
if rc:
    sys.stderr.write(errf.read().decode(errors="replace")[-2000:])
    print("failed")
elif live is None or live < want:
    sys.stderr.write("rss.sh: the tracer saw %s live goroutines, not %d or more\n" % (live, want))
    print("failed")
else:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$parked" "$tracer" -pid "$hpid" "$@")
	fi
	kill "$hpid"
	wait "$hpid" 2>/dev/null || true
	echo "$kb"
}

printf '%-14s %-11s %-12s %s\n' config goroutines "peak MiB" "bytes/goroutine"
for cfg in sweeps nosweep; do
	args=(-n 1)
	[ $cfg = nosweep ] && args+=(--stack-interval 0)
	lo=$(peak_kb "$base" "${args[@]}")
	hi=$(peak_kb "$n" "${args[@]}")
	printf '%-14s %-11s %-12s %s\n' "$cfg" "$base" "$(awk -v k="$lo" 'BEGIN{if (k ~ /^[0-9]+$/) printf "%.1f", k/1024; else print k}')" -
	printf '%-14s %-11s %-12s %s\n' "$cfg" "$n" "$(awk -v k="$hi" 'BEGIN{if (k ~ /^[0-9]+$/) printf "%.1f", k/1024; else print k}')" \
		"$(awk -v a="$hi" -v b="$lo" -v n="$n" -v m="$base" \
			'BEGIN{if (a !~ /^[0-9]+$/ || b !~ /^[0-9]+$/) print "failed"; else printf "%.0f", (a-b)*1024/(n-m)}')"
done
