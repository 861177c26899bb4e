#!/usr/bin/env bash
# --listen against misbehaving clients (as root, needs Go and python3):
#   - a port in use: exit 1, one line naming it;
#   - with -n (the UI's data path), the goroutines found at attach;
#   - status codes and headers: GET (0.0.4 and OpenMetrics by Accept), HEAD,
#     404, 405, 400, 505, 431, 414; promtool check metrics on the text;
#   - 200 clients trickling their heads byte by byte and 50 that never read,
#     while the target's 27 held goroutines are released: scrapes are still
#     answered, every exit is counted and no record is dropped;
#   - a silent client is cut off (the server's read deadline);
#   - with -b, a process started under the probes: its goroutines by function
#     under its pid, and every series with a pid but the tracer's own;
#   - a launched command (-- CMD) with --listen on [::1]: its goroutines, no pid
#     label on them, its pid in xgotop_target_info.
#
#   listen.sh TRACER WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 TRACER WORKDIR" >&2; exit 2; }
tracer=$1 w=$2
need_root
need_tracer "$tracer"
command -v promtool >/dev/null || fail "no promtool: apt-get install prometheus (bootstrap.sh does)"
command -v python3 >/dev/null || fail "no python3"
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
clients="$e2e_root/tests/e2e/listen_clients.py"
tpid= xpid= bpid= t2=
trap 'stop "$xpid"; kill "$tpid" "$bpid" $t2 2>/dev/null; wait 2>/dev/null' EXIT

start_held "$w"

# A port in use: one line, exit 1, nothing attached.
mkfifo "$w/busy.in"
python3 "$clients" - busy <"$w/busy.in" >"$w/busy.port" &
bpid=$!
exec 7>"$w/busy.in"
wait_line "$w/busy.port" '^[0-9]+$' 10 "$bpid" || fail "no busy port"
busy=$(cat "$w/busy.port")
timeout -k 5 60 "$tracer" -pid "$tpid" --headless -s --listen "127.0.0.1:$busy" 2>"$w/busy.err"
st=$?
cat "$w/busy.err"
[ "$st" -eq 1 ] || fail "--listen on a port in use: exit $st, want 1"
[ "$(grep -c '' "$w/busy.err")" -eq 1 ] || fail "--listen on a port in use: want one line on stderr"
grep -q "^xgotop-tui: cannot listen on 127.0.0.1:$busy: address already in use$" "$w/busy.err" ||
	fail "--listen on a port in use: the error does not say so"
exec 7>&-
wait "$bpid"
bpid=

# With the UI's data path (-n: snapshots without curses), the goroutines found at attach.
"$tracer" -pid "$tpid" -n 30 -d 0.5 --listen 127.0.0.1:0 >"$w/n.out" 2>"$w/n.err" &
xpid=$!
wait_line "$w/n.err" 'attached to pid' 60 "$xpid" || { show "$w/n.err"; fail "-n: not attached"; }
port=$(grep -o 'serving metrics on http://127.0.0.1:[0-9]*' "$w/n.err" | sed 's/.*://')
line='xgotop_goroutines_by_function{function="main.recvWorker",state="waiting"} 5'
end=$((SECONDS + 30))
until curl -sf "http://127.0.0.1:$port/metrics" >"$w/n.txt" && grep -qxF "$line" "$w/n.txt"; do
	alive "$xpid" && [ $SECONDS -lt $end ] || { cat "$w/n.txt"; fail "-n: no line '$line'"; }
	sleep 0.5
done
stop "$xpid"
xpid=
echo "-n --listen: the held goroutines found at attach are served"

"$tracer" -pid "$tpid" --headless -s --listen 127.0.0.1:0 >"$w/tracer.out" 2>"$w/tracer.err" &
xpid=$!
wait_line "$w/tracer.err" 'serving metrics on http://127\.0\.0\.1:[0-9]+/metrics' 60 "$xpid" ||
	{ show "$w/tracer.err"; fail "the tracer did not say where it serves"; }
wait_line "$w/tracer.err" 'attached to pid' 60 "$xpid" || { show "$w/tracer.err"; fail "not attached"; }
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$w/tracer.err" | head -1 | sed 's/.*://')

python3 "$clients" "$port" statuses || fail "wrong answers (above)"
curl -sf "http://127.0.0.1:$port/metrics" >"$w/metrics.txt" || fail "curl failed"
promtool check metrics <"$w/metrics.txt" || fail "promtool check metrics: the problems above"

# Many slow clients while the target works: release its goroutines meanwhile.
(sleep 2 && touch "$w/release") &
python3 "$clients" "$port" slow 200 6 || fail "scrapes among slow clients (above)"
wait_line "$w/held.out" 'held: released' 30 "$tpid" || fail "held did not release its goroutines"

# Every exit traced (published within a second), nothing dropped.
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$w/truth.json")
end=$((SECONDS + 30))
while :; do
	curl -sf "http://127.0.0.1:$port/metrics" >"$w/metrics.txt" || fail "curl failed"
	exited=$(awk '$1 == "xgotop_goroutines_exited_total" {print $2}' "$w/metrics.txt")
	[ "${exited:-0}" -ge "$want" ] && break
	[ $SECONDS -lt $end ] || { cat "$w/metrics.txt"; fail "exits counted: ${exited:-none}, want >= $want"; }
	sleep 0.5
done
drops=$(awk '$1 == "xgotop_dropped_records_total" {print $2}' "$w/metrics.txt")
[ "$drops" = 0 ] || fail "records dropped: $drops"
grep -q 'function="main.recvWorker"' "$w/metrics.txt" && fail "main.recvWorker goroutines still live"
echo "exits counted: $exited (held released $want), drops: $drops"

python3 "$clients" "$port" silent || fail "the silent client (above)"

stop "$xpid"
st=$status
xpid=
[ "$st" -eq 0 ] || { show "$w/tracer.err"; fail "the tracer exited $st"; }
grep -q 'dropped' "$w/tracer.err" && { show "$w/tracer.err"; fail "the tracer reports drops"; }
# -b: a process started under the probes; its series carry its pid, all goroutine series a pid.
"$tracer" -b "$w/held" --headless -s --listen 127.0.0.1:0 >"$w/b.out" 2>"$w/b.err" &
xpid=$!
wait_line "$w/b.err" 'attached to' 60 "$xpid" || { show "$w/b.err"; fail "-b: not attached"; }
port=$(grep -o 'serving metrics on http://127.0.0.1:[0-9]*' "$w/b.err" | sed 's/.*://')
"$w/held" -truth "$w/truth2.json" -release "$w/release2" >"$w/held2.out" 2>&1 &
t2=$!
end=$((SECONDS + 60))
until [ -s "$w/truth2.json" ]; do
	alive "$t2" || { show "$w/held2.out"; fail "the second held ended before it was ready"; }
	[ $SECONDS -lt $end ] || fail "the second held was not ready within 60 s"
	sleep 0.1
done
want="xgotop_goroutines_by_function{pid=\"$t2\",function=\"main.recvWorker\",state=\"waiting\"} 5"
end=$((SECONDS + 30))
until curl -sf "http://127.0.0.1:$port/metrics" >"$w/b.txt" && grep -qxF "$want" "$w/b.txt"; do
	[ $SECONDS -lt $end ] || { cat "$w/b.txt"; kill "$t2"; fail "-b: no line '$want'"; }
	sleep 0.5
done
kill "$t2"
wait "$t2" 2>/dev/null
pid2=$t2 t2=
grep -q "^xgotop_target_info{pid=\"$pid2\",exe=\"$w/held\"" "$w/b.txt" || fail "-b: no target_info of pid $pid2"
# The tracer's own series are one per tracer; every other carries the process's pid.
own='xgotop_(events|records|dropped_records|probe_hits|bpf_run_seconds)_total|xgotop_bpf_seconds_per_hit'
own="$own|xgotop_overhead_ratio|xgotop_capture_level"
grep -Ev "^(#|($own)[{ ])" "$w/b.txt" | grep -v '{pid="' && fail "-b: series without a pid (above)"
grep -Eq '^xgotop_goroutine_wait_seconds_bucket\{pid="' "$w/b.txt" || fail "-b: no wait histogram with a pid"
promtool check metrics <"$w/b.txt" || fail "-b: promtool check metrics"
stop "$xpid"
st=$status
xpid=
[ "$st" -eq 0 ] || { show "$w/b.err"; fail "-b: the tracer exited $st"; }

# A launched command, served on IPv6's loopback: its goroutines, without a pid label.
"$tracer" --headless -s --listen '[::1]:0' -- "$w/held" -truth "$w/truth3.json" -release "$w/release3" \
	>"$w/c.out" 2>"$w/c.err" &
xpid=$!
wait_line "$w/c.err" 'serving metrics on http://\[::1\]:[0-9]+/metrics' 60 "$xpid" ||
	{ show "$w/c.err"; fail "-- CMD: the tracer did not say where it serves"; }
port=$(grep -o 'serving metrics on http://\[::1\]:[0-9]*' "$w/c.err" | sed 's/.*://')
want='xgotop_goroutines_by_function{function="main.recvWorker",state="waiting"} 5'
end=$((SECONDS + 60))
until curl -sfg "http://[::1]:$port/metrics" >"$w/c.txt" && grep -qxF "$want" "$w/c.txt"; do
	alive "$xpid" && [ $SECONDS -lt $end ] ||
		{ show "$w/c.err"; cat "$w/c.txt"; fail "-- CMD: no line '$want'"; }
	sleep 0.5
done
t2=$(sed -n 's/^xgotop_target_info{pid="\([0-9]*\)",exe="[^"]*\/held".*/\1/p' "$w/c.txt")
[ -n "$t2" ] && [ "$(cat /proc/"$t2"/comm 2>/dev/null)" = held ] ||
	{ cat "$w/c.txt"; fail "-- CMD: no target_info of held"; }
grep -q 'pid="' <(grep -v '^xgotop_target_info' "$w/c.txt") && fail "-- CMD: a pid label besides target_info"
kill "$t2"
stop "$xpid"
xpid= t2=
echo "PASS: --listen"
