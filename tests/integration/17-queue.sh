#!/bin/sh
# Server maxconn and the backend queue, timeout queue, and retry-on.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 12

cd "$T_DIR" || exit 99
backend one || exit 99
backend two || exit 99
backend bad || exit 99
backend good || exit 99
PW=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout client 20s
    timeout server 20s
frontend web
    bind 127.0.0.1:$PW
    use_backend short if { path_beg /short }
    use_backend retry if { path_beg /retry }
    use_backend noretry if { path_beg /noretry }
    default_backend serial
backend serial
    timeout queue 20s
    server one 127.0.0.1:$PORT_one maxconn 1
backend short
    timeout queue 300ms
    server two 127.0.0.1:$PORT_two maxconn 1
backend retry
    balance roundrobin
    retries 2
    option redispatch
    retry-on 503 conn-failure
    server bad 127.0.0.1:$PORT_bad
    server good 127.0.0.1:$PORT_good
backend noretry
    balance roundrobin
    server bad 127.0.0.1:$PORT_bad
    server good 127.0.0.1:$PORT_good
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# ---- maxconn 1: four requests of 400 ms at once are served one at a time
start=$(date +%s%N)
pids=""
for i in 1 2 3 4; do
	curl -s --max-time 15 -o /dev/null -w '%{http_code}\n' "$U/?delay=400" >"q$i.txt" &
	pids="$pids $!"
done
T_PIDS="$T_PIDS $pids"
for p in $pids; do wait "$p"; done
end=$(date +%s%N)
is "$(cat q1.txt q2.txt q3.txt q4.txt | sort -u | tr -d '\n')" "200" \
    "every queued request is served"
elapsed=$(((end - start) / 1000000))
ok "$([ "$elapsed" -ge 1600 ] && echo 0 || echo 1)" \
    "maxconn 1 serialises them: 4 x 400 ms took $elapsed ms (at least 1600)"
is "$(grep -c 'GET /?delay=400' one.log)" "4" "the server saw each once"

# ---- a full queue times out with 503
curl -s --max-time 15 -o /dev/null "$U/short?delay=3000" &
HOLD=$!
T_PIDS="$T_PIDS $HOLD"
wait_for grep -q "GET /short?delay=3000" two.log
ok $? "a slow request holds the only slot"
out=$(curl -s --max-time 10 -w ' %{http_code}' "$U/short")
like "$out" " 503$" "a request that waits longer than timeout queue gets 503"
like "$out" "[Ss]ervice [Uu]navailable" "with a body a person can read"
wait "$HOLD"

# ---- retry-on 503: a 503 is not passed on while another server answers
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_bad/admin/status?status=503"
: >codes.txt
for i in 1 2 3 4 5 6; do
	curl -s --max-time 5 -w '%{http_code}\n' "$U/retry" >>codes.txt
done
is "$(grep -c '^200$' codes.txt)" "6" "retry-on 503 with redispatch: every client gets 200"
is "$(grep -c '^good$' codes.txt)" "6" "from the good server"
: >codes.txt
for i in 1 2 3 4; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' "$U/noretry" >>codes.txt
done
like "$(tally codes.txt)" "503=" "without retry-on 503 the server's 503 goes through"
# a POST is not replayed
: >codes.txt
for i in 1 2 3 4; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' -X POST -d x "$U/retry?post=$i" >>codes.txt
done
like "$(tally codes.txt)" "503=" "a POST answered 503 is not retried"
is "$(cat bad.log good.log | grep -c 'POST /retry?post=')" "4" \
    "each POST reached a server exactly once"

stop_weir
done_testing
