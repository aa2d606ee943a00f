#!/bin/sh
# When servers fail: retries and redispatch, 502, 503, 504, 408, and
# heads too large for weir.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 12

cd "$T_DIR" || exit 99
backend ok1 || exit 99
backend junk -m tcp -b "this is not HTTP" || exit 99
backend slow || exit 99
PW=$(free_port)
DEAD=$(free_port)

cat >lb.conf <<CONF
global
    tune.bufsize 4096
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout http-request 1s
    timeout server 1s
    retries 2
frontend web
    bind 127.0.0.1:$PW
    use_backend redisp if { path_beg /r/ }
    use_backend junk if { path_beg /junk/ }
    default_backend one
backend one
    server ok1 127.0.0.1:$PORT_ok1
backend redisp
    option redispatch
    server dead 127.0.0.1:$DEAD
    server ok1 127.0.0.1:$PORT_ok1
backend junk
    server junk 127.0.0.1:$PORT_junk
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

: >r.txt
for i in 1 2 3 4 5 6; do
	curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' "$U/r/" >>r.txt
done
is "$(sort -u r.txt | tr -d '\n')" "200" \
    "a refused server costs no client an error with option redispatch"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/x?close=0")" "502" \
    "a server that closes without answering gives 502"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/junk/")" "502" \
    "an invalid response gives 502"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/x?delay=3000")" "504" \
    "a server slower than 'timeout server' gives 504"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/x?status=503")" "503" \
    "a server's own status goes through unchanged"

# a server connection kept alive and then closed by the server is not an
# error for the next request
curl -s --max-time 5 -o /dev/null "$U/x"
kill "$PID_ok1"
wait_for sh -c "! kill -0 $PID_ok1"
rm -f "$T_DIR/ok2.ready"
"$BACKEND" -p "$PORT_ok1" -n ok2 -r "$T_DIR/ok2.ready" >/dev/null 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for test -s "$T_DIR/ok2.ready"
is "$(curl -s --max-time 5 "$U/x")" "ok2" \
    "a pooled connection the server closed is replaced without error"

out=$(python3 - "$PW" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data.split(b"\r\n")[0].decode())
PY
)
is "$out" "HTTP/1.1 408 Request Timeout" "a head not finished in 'timeout http-request' gets 408"

long=$(head -c 5000 /dev/zero | tr '\0' a)
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/$long")" "414" \
    "a target longer than the buffer gets 414"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "X-Big: $long" "$U/")" "431" \
    "fields larger than the buffer get 431"
is "$(raw "$PW" 'GET / HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n' | head -1 | tr -d '\r')" \
    "HTTP/1.1 417 Expectation Failed" "an Expect other than 100-continue gets 417"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
done_testing
