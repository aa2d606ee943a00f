#!/bin/sh
# Where a setting lives decides what it does: a listen section's rules run
# once, a backend's errorfile and forwardfor apply, a retry without
# redispatch stays on its server, tcp frontends route on src.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 8

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend t1 -m tcp -b t1 || exit 99
backend t2 -m tcp -b t2 || exit 99
PL=$(free_port)
PF=$(free_port)
PT=$(free_port)
PC=$(free_port)
DEAD=$(free_port)
printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\nbe is down!\n' >be503.http

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    retries 2
listen l
    bind 127.0.0.1:$PL
    http-request add-header X-Once 1
    server a 127.0.0.1:$PORT_a
frontend f
    bind 127.0.0.1:$PF
    use_backend down if { path_beg /down }
    use_backend stick if { path_beg /stick }
    default_backend fwd
backend fwd
    option forwardfor header X-Client
    server a 127.0.0.1:$PORT_a
backend down
    errorfile 503 be503.http
    server d 127.0.0.1:$DEAD
backend stick
    balance roundrobin
    server d 127.0.0.1:$DEAD
    server b 127.0.0.1:$PORT_b
frontend capped
    bind 127.0.0.1:$PC
    maxconn 2
    default_backend slow
backend slow
    server a 127.0.0.1:$PORT_a
frontend tcp
    mode tcp
    bind 127.0.0.1:$PT
    use_backend tb if { src 127.0.0.0/8 }
    default_backend ta
backend ta
    mode tcp
    server t1 127.0.0.1:$PORT_t1
backend tb
    mode tcp
    server t2 127.0.0.1:$PORT_t2
CONF
start_weir lb.conf
ok $? "weir starts"

is "$(curl -s --max-time 5 "http://127.0.0.1:$PL/echo" | grep -o '"X-Once"' | wc -l | tr -d ' ')" \
    "1" "a listen section's http-request rules run once"
like "$(curl -s --max-time 5 "http://127.0.0.1:$PF/echo")" '\["X-Client","127\.0\.0\.1"\]' \
    "option forwardfor in a backend applies, with its header name"
is "$(curl -s --max-time 5 "http://127.0.0.1:$PF/down")" "be is down!" \
    "a backend's errorfile answers for it"
: >stick.txt
for i in 1 2 3 4; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PF/stick" >>stick.txt
done
is "$(sort stick.txt | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" "200=2 503=2 " \
    "without redispatch a retry stays on the server picked (503 when it is down)"
out=$(python3 - "$PT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
line = b""
while not line.endswith(b"\n"):
    line += s.recv(1)
print(line.decode().strip())
PY
)
is "$out" "t2" "a tcp frontend's use_backend routes on src"

# maxconn 2 on a frontend: two requests held open, a third waits until
# one of them goes
: >"$T_DIR/a.log"
curl -s --max-time 20 -o /dev/null "http://127.0.0.1:$PC/h1?hang=1" &
H1=$!
curl -s --max-time 20 -o /dev/null "http://127.0.0.1:$PC/h2?hang=1" &
H2=$!
T_PIDS="$T_PIDS $H1 $H2"
wait_for sh -c "[ \$(grep -c 'hang=1' $T_DIR/a.log) -eq 2 ]"
curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PC/third" >third.txt &
T_PIDS="$T_PIDS $!"
sleep 0.5
is "$(grep -c 'GET /third' "$T_DIR/a.log")" "0" \
    "past a frontend's maxconn a connection waits"
kill "$H1"
wait_for grep -q 200 third.txt
ok $? "and is served once a connection closes"
kill "$H2"

stop_weir
done_testing
