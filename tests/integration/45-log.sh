#!/bin/sh
# Traffic logs: JSON lines on stdout, httplog lines in a file with their
# termination states, the file reopened on SIGUSR1, tcplog, syslog over
# UDP, dontlognull, and HAProxy's "Connect from" line without an option.
# One worker thread: its log records are written in the order it made
# them, so a line waited for means the lines before it are written too.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 33

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend e -m tcp || exit 99
backend q || exit 99
PW=$(free_port)
PT=$(free_port)
PQ=$(free_port)
PL=$(free_port)
PC=$(free_port)
PS=$(free_port)
DEAD=$(free_port)

# A syslog server on UDP and on a unix socket: each datagram it gets is a
# line of udp.log or unix.log.
cat >udp.py <<'PY'
import os, select, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
u.bind("syslog.sock")
with open("udp.port.tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename("udp.port.tmp", "udp.port")
end = time.time() + 60
outs = {s: open("udp.log", "a"), u: open("unix.log", "a")}
while time.time() < end and not os.path.exists("udp.stop"):
    for r in select.select([s, u], [], [], 0.5)[0]:
        d = r.recv(65536)
        outs[r].write(d.decode("latin1") + "\n")
        outs[r].flush()
PY
python3 udp.py &
T_PIDS="$T_PIDS $!"
wait_for test -s udp.port || exit 99
PU=$(cat udp.port)

cat >lb.conf <<CONF
global
    nbthread 1
    log stdout format json
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    log global
    option httplog
frontend web
    bind 127.0.0.1:$PW
    log $T_DIR/http.log
    log 127.0.0.1:$PU local0
    log udp@127.0.0.1:$PU format rfc5424 local1 info
    log $T_DIR/syslog.sock local2
    http-request deny if { path_beg /deny }
    use_backend bb if { path_beg /b }
    use_backend dead if { path_beg /dead }
    use_backend bq if { path_beg /q }
    default_backend ba
backend ba
    timeout server 300ms
    server a 127.0.0.1:$PORT_a
backend bb
    server b 127.0.0.1:$PORT_b
backend dead
    server gone 127.0.0.1:$DEAD
backend bq
    timeout server 2s
    timeout queue 200ms
    server q 127.0.0.1:$PORT_q maxconn 1
listen echo
    mode tcp
    no log
    log $T_DIR/tcp.log
    option tcplog
    option dontlognull
    bind 127.0.0.1:$PT
    server e 127.0.0.1:$PORT_e
frontend quiet
    no log
    log $T_DIR/quiet.log
    log $T_DIR/short.log len 80
    option dontlognull
    bind 127.0.0.1:$PQ
    default_backend ba
frontend loud
    no log
    log $T_DIR/loud.log
    bind 127.0.0.1:$PL
    default_backend ba
frontend sel
    no log
    log $T_DIR/sel.log
    log 127.0.0.1:$PU local3 err
    option dontlog-normal
    option log-separate-errors
    bind 127.0.0.1:$PS
    use_backend dead if { path_beg /dead }
    default_backend ba
frontend plain
    no log
    no option httplog
    log $T_DIR/plain.log
    bind 127.0.0.1:$PC
    default_backend ba
CONF
run "$WEIR" -c -f lb.conf
is "$RC:$ERR" "0:" "the log configuration checks clean, with no warning"
start_weir lb.conf
ok $? "weir starts"

# ---- JSON on stdout ----------------------------------------------------------

curl -s -o /dev/null "http://127.0.0.1:$PW/a/x"
curl -s -o /dev/null "http://127.0.0.1:$PW/b/y?status=404"
wait_for grep -q 'GET /b/y?status=404' weir.log
cat >lines.py <<'PY'
import json, sys
for line in open("weir.log"):
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    print(o["frontend"], o["backend"], o["server"], o["status"],
          o["termination_state"], o["http_request"],
          o["Tq"] >= 0 and o["Tc"] >= 0 and o["Tr"] >= 0 and o["Tt"] >= 0,
          o["bytes_read"] > 0)
PY
run python3 lines.py
is "$OUT$ERR" "web ba a 200 -- GET /a/x HTTP/1.1 True True
web bb b 404 -- GET /b/y?status=404 HTTP/1.1 True True" \
    "stdout gets one JSON object per request, with its status and server"

# ---- httplog in a file ---------------------------------------------------------

curl -s -o /dev/null "http://127.0.0.1:$PW/deny"
curl -s -o /dev/null "http://127.0.0.1:$PW/dead"
curl -s -o /dev/null "http://127.0.0.1:$PW/a?hang=1"
# a client that leaves while the server says nothing
python3 - "$PW" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /a/gone?hang=1 HTTP/1.1\r\nHost: x\r\n\r\n")
s.close()
PY
wait_for grep -q 'GET /a/gone' http.log
DATE='\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\]'
HEAD="^127\.0\.0\.1:[0-9]+ $DATE web"
L=$(grep -F '/a/x' http.log)
like "$L" "$HEAD ba/a [0-9]+/0/[0-9]+/[0-9]+/[0-9]+ 200 [0-9]+ - - ---- [0-9]+/[0-9]+/[0-9]+/[0-9]+/0 0/0 \"GET /a/x HTTP/1\.1\"$" \
    "an httplog line: client, date, frontend, backend/server, timers, status, bytes, state, request"
like "$(grep -F '/b/y' http.log)" \
    "$HEAD bb/b [0-9/]+ 404 [0-9]+ - - ---- " "the server's status is logged"
like "$(grep -F '/deny' http.log)" \
    "$HEAD web/<NOSRV> [0-9]+/-1/-1/-1/[0-9]+ 403 [0-9]+ - - PR-- " \
    "a request denied by a rule: PR, no server"
like "$(grep -F '/dead' http.log)" \
    "$HEAD dead/gone [0-9]+/0/-1/-1/[0-9]+ 503 [0-9]+ - - SC-- " \
    "a server refusing the connection: SC and 503"
like "$(grep -F 'hang=1 HTTP' http.log | grep -v gone)" \
    "$HEAD ba/a [0-9]+/0/[0-9]+/-1/[0-9]+ 504 [0-9]+ - - sH-- " \
    "a server timeout waiting for the response: sH and 504"
like "$(grep -F '/a/gone' http.log)" \
    "$HEAD ba/a [0-9/-]+ -1 0 - - C[CH]-- .*\"GET /a/gone\?hang=1 HTTP/1\.1\"$" \
    "a client leaving before the response: C, no status"
is "$(grep -c . http.log)" 6 "one line per request in the file"

# ---- the backend queue -------------------------------------------------------------

# the one slot of server q is taken by a request it never answers; the
# next one waits in the queue until timeout queue
curl -s -o /dev/null "http://127.0.0.1:$PW/q1?hang=1" &
CURL=$!
T_PIDS="$T_PIDS $CURL"
wait_for grep -q 'q1' q.log
curl -s -o /dev/null "http://127.0.0.1:$PW/q2"
wait "$CURL"
wait_for grep -q 'GET /q1' http.log
L=$(grep -F '/q2' http.log)
like "$L" "$HEAD bq/<NOSRV> [0-9]+/[0-9]+/-1/-1/[0-9]+ 503 [0-9]+ - - sQ-- " \
    "a request that waited in the queue until timeout queue: sQ and 503"
TW=$(printf '%s\n' "$L" | awk '{ split($5, t, "/"); print t[2] }')
[ "${TW:-0}" -ge 150 ]
ok $? "its Tw is the time it waited ($TW ms)"
sed -i '/GET \/q[12]/d' http.log

# ---- SIGUSR1 ---------------------------------------------------------------------

mv http.log http.log.1
kill -USR1 "$WEIR_PID"
wait_for grep -q 'SIGUSR1: [0-9]* log files* reopened' weir.log
ok $? "SIGUSR1 reopens the log files"
curl -s -o /dev/null "http://127.0.0.1:$PW/a/after"
wait_for grep -q '/a/after' http.log
ok $? "after SIGUSR1 new lines go to a new file of the same name"
is "$(grep -c . http.log):$(grep -c '/a/after' http.log.1)" "1:0" \
    "the renamed file gets no more lines"

# ---- syslog over UDP ---------------------------------------------------------------

wait_for grep -q '<142>1 .*/a/after' udp.log
like "$(grep -F '/a/x' udp.log | grep '^<134>')" \
    "^<134>[A-Z][a-z]{2} [ 0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} weir\[$WEIR_PID\]: 127\.0\.0\.1:[0-9]+ $DATE web ba/a .* \"GET /a/x HTTP/1\.1\"$" \
    "a syslog server on UDP gets rfc3164 lines, local0.info"
like "$(grep -F '/a/x' udp.log | grep '^<142>')" \
    "^<142>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+-][0-9]{2}:[0-9]{2} [^ ]+ weir $WEIR_PID - - 127\.0\.0\.1:[0-9]+ $DATE web ba/a " \
    "and rfc5424 lines, local1.info"
is "$(grep -c '^<134>' udp.log):$(grep -c '^<142>' udp.log)" "9:9" \
    "one datagram per request and target"
wait_for grep -q '/a/after' unix.log
like "$(grep -F '/a/x' unix.log)" \
    "^<150>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} weir\[$WEIR_PID\]: 127\.0\.0\.1:[0-9]+ $DATE web ba/a " \
    "a syslog server on a unix socket gets them too, local2.info"

# ---- tcplog ----------------------------------------------------------------------

cat >tcp.py <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
if sys.argv[2] == "data":
    s.sendall(b"hello\n")
    got = b""
    while len(got) < 6:
        b = s.recv(64)
        if not b:
            break
        got += b
    sys.stdout.write(got.decode())
s.close()
PY
python3 tcp.py "$PT" null
run python3 tcp.py "$PT" data
is "$OUT" "hello" "the tcp proxy echoes"
wait_for grep -q . tcp.log
like "$(cat tcp.log)" \
    "^127\.0\.0\.1:[0-9]+ $DATE echo echo/e 0/[0-9]+/[0-9]+ 6 -- [0-9]+/[0-9]+/[0-9]+/[0-9]+/0 0/0$" \
    "a tcplog line: client, date, proxy, server, timers, bytes, state"
is "$(grep -c . tcp.log)" 1 "with dontlognull, a tcp connection that carried nothing is not logged"

# ---- dontlognull over http -------------------------------------------------------

python3 tcp.py "$PQ" null
python3 tcp.py "$PL" null
curl -s -o /dev/null "http://127.0.0.1:$PQ/q"
curl -s -o /dev/null "http://127.0.0.1:$PL/l"
wait_for grep -q 'GET /q' quiet.log
wait_for grep -q 'GET /l' loud.log
is "$(grep -c . quiet.log)" 1 "dontlognull: an empty http connection is not logged"
wait_for grep -q . short.log
is "$(awk '{ print length($0) }' short.log):$(cut -c1-10 short.log)" \
    "80:127.0.0.1:" "len 80 cuts a line at 80 bytes"
like "$(head -1 loud.log)" \
    "^127\.0\.0\.1:[0-9]+ $DATE loud loud/<NOSRV> -1/-1/-1/-1/[0-9]+ -1 0 - - CR-- .* \"<BADREQ>\"$" \
    "without it, it is: CR, <BADREQ>"
is "$(grep -c . loud.log)" 2 "and then the request"
# a kept-alive connection closing after its requests is no null connection
curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$PL/k1" "http://127.0.0.1:$PL/k2"
wait_for grep -q 'GET /k2' loud.log
curl -s -o /dev/null "http://127.0.0.1:$PL/k3"
wait_for grep -q 'GET /k3' loud.log
is "$(grep -c . loud.log)" 5 "a keep-alive connection closing between requests is not logged"

# ---- dontlog-normal, log-separate-errors ----------------------------------------

curl -s -o /dev/null "http://127.0.0.1:$PS/fine"
curl -s -o /dev/null "http://127.0.0.1:$PS/five?status=500"
curl -s -o /dev/null "http://127.0.0.1:$PS/dead"
wait_for grep -q 'GET /dead' sel.log
is "$(sed 's/.*"GET \([^ ]*\) .*/\1/' sel.log | tr '\n' ' ')" \
    "/five?status=500 /dead " \
    "dontlog-normal: only the 5xx and the failed connection are logged"
wait_for grep -q '^<155>.* sel dead/gone ' udp.log
is "$(grep -c '^<155>' udp.log)" 2 \
    "log-separate-errors: they go at level err, to a target that takes no less"

# ---- neither httplog nor tcplog --------------------------------------------------------

curl -s -o /dev/null "http://127.0.0.1:$PC/p"
wait_for grep -q . plain.log
like "$(cat plain.log)" \
    "^Connect from 127\.0\.0\.1:[0-9]+ to 127\.0\.0\.1:$PC \(plain/HTTP\)$" \
    "without httplog or tcplog, a connection is logged when it is accepted"

# ---- a reload brings new targets -------------------------------------------------------

sed -e 's/^    no option httplog$/    option httplog/' \
    -e "s|^    log $T_DIR/plain.log\$|    log $T_DIR/plain2.log format json|" \
    lb.conf >lb2.conf && mv lb2.conf lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q '^weir: reloaded' weir.log
ok $? "weir reloads"
curl -s -o /dev/null "http://127.0.0.1:$PC/p2"
wait_for grep -q '/p2' plain2.log
like "$(cat plain2.log)" '^\{"client_ip":"127\.0\.0\.1",.*"frontend":"plain","backend":"ba","server":"a",.*"status":200,.*"http_request":"GET /p2 HTTP/1\.1"\}$' \
    "after a reload, the new target gets the frontend's new kind of line"

stop_weir
is "$RC" 0 "weir stops cleanly"
: >udp.stop
done_testing
