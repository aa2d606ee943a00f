#!/bin/sh
# Health: HTTP checks take a server out and bring it back, a reload keeps
# it down, a killed server costs no client an error, TCP and tcp-check
# checks, and the circuit breaker on real traffic.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 23

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend c || exit 99
backend d || exit 99
backend e || exit 99
backend echo -m tcp || exit 99
backend banner -m tcp -b "hello from banner" || exit 99
PW=$(free_port)
PT=$(free_port)
PP=$(free_port)
DEAD=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 5s
    timeout check 1s
    retries 3
    option redispatch
frontend web
    bind 127.0.0.1:$PW
    use_backend brk if { path_beg /brk }
    default_backend app
backend app
    option httpchk GET /health
    default-server check inter 100ms fall 2 rise 2
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend brk
    balance roundrobin
    option httpchk GET /health
    server d 127.0.0.1:$PORT_d check inter 100ms observe layer7 error-limit 3 on-error circuit-break cooldown 5s half-open 2
    server e 127.0.0.1:$PORT_e
listen tcp
    mode tcp
    bind 127.0.0.1:$PT
    option tcp-check
    tcp-check expect string hello
    server banner 127.0.0.1:$PORT_banner check inter 100ms fall 1 rise 1
    server echo 127.0.0.1:$PORT_echo check inter 100ms fall 1 rise 1
    server dead 127.0.0.1:$DEAD check inter 100ms fall 1 rise 1
listen plain
    mode tcp
    bind 127.0.0.1:$PP
    server echo 127.0.0.1:$PORT_echo check inter 100ms fall 1 rise 1
    server gone 127.0.0.1:$DEAD check inter 100ms fall 1 rise 1
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# ---- HTTP checks
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_b/admin/health?status=503"
wait_for grep -q "server app/b is DOWN: HTTP status 503, 2/2 checks failed" weir.log
ok $? "a server whose /health answers 503 is marked down, with the reason"
: >r.txt
for i in $(seq 1 30); do curl -s --max-time 5 "$U/" >>r.txt; done
is "$(tally r.txt)" "a=15 c=15" "a down server gets no request"

# a reload keeps it down: it does not start over as up
kill -HUP "$WEIR_PID"
wait_for grep -q "reloaded" weir.log
ok $? "weir reloads"
: >r.txt
for i in $(seq 1 20); do curl -s --max-time 5 "$U/" >>r.txt; done
is "$(tally r.txt)" "a=10 c=10" "right after a reload, the down server is still down"
is "$(grep -c 'server app/b is UP' weir.log)" "0" "the reload did not bring it up"

curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_b/admin/health?status=200"
wait_for grep -q "server app/b is UP: HTTP status 200, 2/2 checks succeeded" weir.log
ok $? "it comes back after rise successful checks"
: >r.txt
for i in $(seq 1 30); do curl -s --max-time 5 "$U/" >>r.txt; done
is "$(tally r.txt)" "a=10 b=10 c=10" "and takes its share again"

# ---- a server killed under sequential requests: no client sees an error
: >codes.txt
i=0
while [ $i -lt 60 ]; do
	[ $i -eq 20 ] && kill "$PID_c"
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' "$U/" >>codes.txt
	i=$((i + 1))
done
is "$(sort -u codes.txt | tr -d '\n')" "200" \
    "killing one of three servers costs sequential clients no error"
wait_for grep -q "server app/c is DOWN" weir.log
ok $? "the killed server is marked down by its checks"
like "$(grep 'server app/c is DOWN' weir.log | head -1)" "Connection refused" \
    "the reason names the refused connection"

# ---- TCP mode: tcp-check rules and plain connects
wait_for grep -q "server tcp/echo is DOWN" weir.log
ok $? "a tcp-check expecting a banner fails on a server that sends none"
wait_for grep -q "server tcp/dead is DOWN" weir.log
ok $? "a TCP-mode server that refuses connections is marked down"
is "$(grep -c 'server tcp/banner is DOWN' weir.log)" "0" \
    "the server with the banner passes"
wait_for grep -q "server plain/gone is DOWN: cannot connect to 127.0.0.1:$DEAD: Connection refused" weir.log
ok $? "a plain TCP connect check marks a refusing server down"
is "$(grep -c 'server plain/echo is DOWN' weir.log)" "0" \
    "and keeps the one that accepts"
out=$(printf 'x\n' | python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
print(s.recv(100).decode().strip())' "$PT")
is "$out" "hello from banner" "TCP traffic goes to the one server that passes"

# ---- the circuit breaker: errors on real traffic eject a server whose
# health check passes
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_d/admin/status?status=500"
: >codes.txt
i=0
while [ $i -lt 40 ] && ! grep -q "server brk/d: circuit breaker open" weir.log; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' "$U/brk" >>codes.txt
	i=$((i + 1))
done
grep -q "server brk/d: circuit breaker open for 5000 ms: 3 consecutive errors" weir.log
ok $? "error-limit consecutive 500s open the breaker"
is "$(grep -c 500 codes.txt)" "3" "exactly error-limit requests saw the 500s"
# open (for 5 s, longer than these requests take): every request goes to e
: >r.txt
for i in $(seq 1 6); do curl -s --max-time 5 "$U/brk" >>r.txt; done
is "$(tally r.txt)" "e=6" "an open breaker takes the server out of rotation"

# healed, it lets half-open probes through after the cool-down, and closes
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_d/admin/status?status=200"
: >r.txt
i=0
while [ $i -lt 300 ] && ! grep -q "server brk/d: circuit breaker closed" weir.log; do
	curl -s --max-time 5 "$U/brk" >>r.txt
	sleep 0.05
	i=$((i + 1))
done
grep -q "server brk/d: circuit breaker closed: 2 probe requests succeeded" weir.log
ok $? "successful half-open probes close the breaker"
: >r.txt
for i in $(seq 1 10); do curl -s --max-time 5 "$U/brk" >>r.txt; done
is "$(tally r.txt)" "d=5 e=5" "a closed breaker shares the traffic again"
is "$(grep -c 'server brk/d is DOWN' weir.log)" "0" \
    "all along, its health check passed"

stop_weir
done_testing
