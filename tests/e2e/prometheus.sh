#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scrapes xgotop-tui --listen
# while it traces tests/targets/held, which holds goroutines parked on six
# primitives in known numbers; the Prometheus query API must give the
# truth's numbers by wait reason and by start function, and once they are
# released, every exit and every finished wait. Both run on loopback: we on
# a port the kernel picks, Prometheus on a free port (again on a clash),
# with its data in WORKDIR. As root; needs Go, python3, prometheus.
#
#   prometheus.sh TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1 w=$2
need_root
need_tracer "$tracer"
command -v prometheus >/dev/null || fail "no prometheus: apt-get install prometheus (bootstrap.sh does)"
command -v python3 >/dev/null || fail "no python3"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
check="$e2e_root/tests/e2e/prometheus_check.py"
tpid= xpid= ppid=
trap 'stop "$ppid"; stop "$xpid"; kill "$tpid" 2>/dev/null; wait 2>/dev/null' EXIT

start_held "$w"
echo "truth: $(cat "$w/truth.json")"

# The agent mode: --headless --listen and nothing else.
"$tracer" -pid "$tpid" --headless --listen 127.0.0.1:0 >"$w/tracer.out" 2>"$w/tracer.err" &
xpid=$!
# Caps catch what never comes, not slowness: at load 40-54 a start took most of 60 s.
WAIT_S=240
wait_line "$w/tracer.err" 'attached to pid' "$WAIT_S" "$xpid" || { show "$w/tracer.err"; fail "not attached"; }
port=$(grep -o 'serving metrics on http://127.0.0.1:[0-9]*' "$w/tracer.err" | sed 's/.*://')
[ -n "$port" ] || { show "$w/tracer.err"; fail "the tracer did not say where it serves"; }

cat >"$w/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xgotop
    static_configs:
      - targets: ["127.0.0.1:$port"]
YML
# A free port: the kernel's pick, released for Prometheus; taken meanwhile, we try another.
for try in 1 2 3 4 5; do
	pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	prometheus --config.file="$w/prometheus.yml" --storage.tsdb.path="$w/data" \
		--web.listen-address="127.0.0.1:$pport" >"$w/prometheus.log" 2>&1 &
	ppid=$!
	end=$((SECONDS + WAIT_S))
	until curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null; do
		alive "$ppid" || break
		[ $SECONDS -lt $end ] || { show "$w/prometheus.log"; fail "prometheus not ready in $WAIT_S s"; }
		sleep 0.2
	done
	alive "$ppid" && break
	wait "$ppid" 2>/dev/null
	ppid=
	grep -q 'address already in use' "$w/prometheus.log" ||
		{ show "$w/prometheus.log"; fail "prometheus did not start"; }
done
[ -n "$ppid" ] || fail "no free port for prometheus in 5 tries"
echo "prometheus on 127.0.0.1:$pport scrapes 127.0.0.1:$port"

python3 "$check" "http://127.0.0.1:$pport" "$w/truth.json" parked ||
	{ show "$w/tracer.err" "$w/prometheus.log"; fail "parked: Prometheus disagrees (above)"; }
touch "$w/release"
wait_line "$w/held.out" 'held: released' "$WAIT_S" "$tpid" || fail "held did not release its goroutines"
python3 "$check" "http://127.0.0.1:$pport" "$w/truth.json" released ||
	{ show "$w/tracer.err" "$w/prometheus.log"; fail "released: Prometheus disagrees (above)"; }

stop "$ppid"
ppid=
stop "$xpid"
st=$status
xpid=
[ "$st" -eq 0 ] || { show "$w/tracer.err"; fail "the tracer exited $st"; }
echo "PASS: prometheus"
