#!/bin/sh
# Stick tables at the connection and the server: tcp-request connection
# tracks and rejects at accept (concurrent connections in mode http, a
# connection rate in mode tcp, an address, a rule of a named defaults
# section), its counters count the requests of the connection; 'stick on
# src' pins a client to a server, across a reload, and moves and pins it
# again when that server goes; 'stick on hdr(X-User)' pins each user.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 23

cd "$T_DIR" || exit 99
backend s1 || exit 99
backend s2 || exit 99
backend s3 || exit 99
backend t1 -m tcp -b t1 || exit 99
PC=$(free_port)
PB=$(free_port)
PT=$(free_port)
PW=$(free_port)
PS=$(free_port)
PM=$(free_port)
PU=$(free_port)
SA="$T_DIR/admin.sock"
WEIRCTL="$(dirname "$WEIR")/weirctl"

cat >lb.conf <<CONF
global
    nbthread 1
    stats socket $SA level admin
defaults base
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    option redispatch
    tcp-request connection reject if { src 127.0.0.3 }
frontend conn
    bind 127.0.0.1:$PC
    stick-table type ip size 1k expire 60s store conn_cur,conn_rate(60s)
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc_conn_cur(0) gt 3 }
    default_backend one
frontend both
    bind 127.0.0.1:$PB
    stick-table type ip size 1k expire 60s store conn_cur,http_req_rate(60s)
    tcp-request connection track-sc0 src
    http-request track-sc0 src
    http-request deny deny_status 403 if { sc_conn_cur(0) gt 1 }
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
    default_backend one
listen tcprate
    mode tcp
    bind 127.0.0.1:$PT
    stick-table type ip size 1k expire 60s store conn_rate(60s)
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc_conn_rate(0) gt 5 }
    server t1 127.0.0.1:$PORT_t1
frontend web
    bind 127.0.0.1:$PW
    tcp-request connection reject if { src 127.0.0.2 }
    default_backend one
frontend sticky
    bind 127.0.0.1:$PS
    default_backend app
frontend users
    bind 127.0.0.1:$PU
    default_backend byuser
frontend metrics
    bind 127.0.0.1:$PM
    http-request use-service prometheus-exporter
backend one
    server s1 127.0.0.1:$PORT_s1
backend app
    balance roundrobin
    stick-table type ip size 1k expire 10m
    stick on src
    server s1 127.0.0.1:$PORT_s1
    server s2 127.0.0.1:$PORT_s2
    server s3 127.0.0.1:$PORT_s3
backend byuser
    balance roundrobin
    stick-table type string len 32 size 1k expire 10m
    stick on hdr(X-User)
    server s1 127.0.0.1:$PORT_s1
    server s2 127.0.0.1:$PORT_s2
    server s3 127.0.0.1:$PORT_s3
CONF
start_weir lb.conf
ok $? "weir starts"

# ---- at most 3 connections at once from one address (mode http)
cat >hold.py <<'PY'
import socket, sys, time
port = int(sys.argv[1])
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"

def ask(s):
    """One request; its status line, or 'rejected' when reset or closed."""
    if s is None:
        return "rejected"
    try:
        s.sendall(req)
        out = b""
        while b"\r\n\r\n" not in out:
            b = s.recv(4096)
            if not b:
                return "rejected"
            out += b
        return out.split(b"\r\n")[0].decode()
    except (ConnectionResetError, BrokenPipeError):
        return "rejected"

def conn():
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5)
    except ConnectionResetError:
        return None	# the reset can come before connect() returns

held = [conn() for _ in range(3)]
# each answers: weir holds them, kept alive and idle after
print("held:", " ".join(ask(s).split(" ")[1] for s in held))
print("fourth:", ask(conn()))
held.pop().close()
# the close reaches weir when it does: ask again, a bounded number of times
early = 0
for _ in range(100):
    r = ask(conn())
    if r != "rejected":
        break
    early += 1
    time.sleep(0.05)
print("after a close:", r)
print("refused before the close was seen:", early)
PY
python3 hold.py "$PC" >hold.txt 2>&1
like "$(cat hold.txt)" "^held: 200 200 200$" "3 connections from one address are accepted and kept"
like "$(cat hold.txt)" "^fourth: rejected$" "the 4th one is closed without an answer"
like "$(cat hold.txt)" "^after a close: HTTP/1.1 200" "once one closes, a new one is accepted again"

# ---- the connection's counter counts its requests; http-request does not
# track its slot again (conn_cur would be 2 during each request: 403)
set --
i=0
while [ $i -lt 8 ]; do set -- "$@" -o /dev/null "http://127.0.0.1:$PB/"; i=$((i + 1)); done
curl -s --max-time 20 -w '%{http_code}\n' "$@" >codes.txt
is "$(tally codes.txt)" "200=5 429=3" \
    "8 requests on one connection at 5 per minute: the connection's counter counts them"

# ---- a connection rate in mode tcp
: >tcp.txt
i=0
while [ $i -lt 8 ]; do
	python3 - "$PT" >>tcp.txt <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    b = s.recv(100).decode().strip()
except ConnectionResetError:
    b = ""	# the reset can come before connect() returns
print(b or "rejected")
PY
	i=$((i + 1))
done
is "$(tally tcp.txt)" "rejected=3 t1=5" "mode tcp: 8 connections at 5 per minute, the last 3 rejected"

# ---- an address refused at accept
is "$(curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PW/")" "000" "127.0.0.2 is refused without an answer"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PW/")" "200" "127.0.0.1 is served"
is "$(curl -s --max-time 5 --interface 127.0.0.3 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PW/")" "000" "127.0.0.3 is refused by the rule of the defaults section"

curl -s --max-time 5 -o m.txt "http://127.0.0.1:$PM/metrics"
metric() {
	grep -v "^#" "$2" | grep -F "$1 " | head -1 | awk '{ print $2 }'
}
is "$(metric 'weir_frontend_connections_denied_total{proxy="web"}' m.txt)" "2" \
    "the refused connections are counted"
early=$(sed -n 's/^refused before the close was seen: //p' hold.txt)
is "$(metric 'weir_frontend_connections_denied_total{proxy="conn"}' m.txt)" \
    "$((1 + early))" "so is each connection over the limit"
is "$(metric 'weir_frontend_connections_denied_total{proxy="tcprate"}' m.txt)" "3" \
    "and those over the rate"

# ---- stick on src: one server per client
U="http://127.0.0.1:$PS/"
: >r.txt
for i in $(seq 1 20); do curl -s --max-time 5 "$U" >>r.txt; done
first=$(head -1 r.txt)
is "$(tally r.txt)" "$first=20" "20 requests from one address go to one server"
other=$(curl -s --max-time 5 --interface 127.0.0.2 "$U")
ok "$([ -n "$other" ] && [ "$other" != "$first" ] && echo 0 || echo 1)" \
    "another address goes to another server ($first, $other)"
kill -HUP "$WEIR_PID"
wait_for grep -q "reloaded" weir.log
ok $? "weir reloads"
: >r.txt
for i in $(seq 1 5); do curl -s --max-time 5 "$U" >>r.txt; done
is "$(tally r.txt)" "$first=5" "after a reload the client still goes to $first"

# ---- its server goes: the client moves and is pinned there
run "$WEIRCTL" -s "$SA" disable server "app/$first"
is "$RC" "0" "disable server app/$first"
: >r.txt
for i in $(seq 1 10); do curl -s --max-time 5 "$U" >>r.txt; done
moved=$(head -1 r.txt)
ok "$([ -n "$moved" ] && [ "$moved" != "$first" ] && echo 0 || echo 1)" \
    "with $first in maintenance the client moves ($first -> $moved)"
is "$(tally r.txt)" "$moved=10" "and stays on $moved"
run "$WEIRCTL" -s "$SA" enable server "app/$first"
: >r.txt
for i in $(seq 1 5); do curl -s --max-time 5 "$U" >>r.txt; done
is "$(tally r.txt)" "$moved=5" "once $first is back the client stays pinned to $moved"

# ---- stick on a header: each user on a server of its own
UU="http://127.0.0.1:$PU/"
: >alice.txt
: >bob.txt
: >anon.txt
for i in $(seq 1 10); do
	curl -s --max-time 5 -H "X-User: alice" "$UU" >>alice.txt
	curl -s --max-time 5 -H "X-User: bob" "$UU" >>bob.txt
done
for i in $(seq 1 6); do curl -s --max-time 5 "$UU" >>anon.txt; done
like "$(tally alice.txt)" "^s[123]=10$" "stick on hdr(X-User): alice's 10 requests go to one server"
like "$(tally bob.txt)" "^s[123]=10$" "and bob's to one server"
is "$(tally anon.txt)" "s1=2 s2=2 s3=2" "requests without the header are balanced"

stop_weir
done_testing
