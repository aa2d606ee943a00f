#!/bin/sh
# TLS and reload: a renewed certificate serves new handshakes after
# SIGHUP while a transfer started on the old one goes on to its end; a
# reload that changes no certificate reads none again; a certificate whose
# key does not match is a config error naming the file, and the old
# configuration keeps serving. Also: a handshake that never comes is
# timed out, and a PROXY protocol header may come before the TLS bytes.
# Session tickets survive two reloads, not three (the keys are renewed).
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
plan 18

cd "$T_DIR" || exit 99

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 2 -subj "/CN=weir test CA" \
    2>/dev/null || exit 99
cert() { # NAME SUBJECT
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null &&
	printf 'subjectAltName=DNS:a.test\n' >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext" \
	    2>/dev/null &&
	cat "$1.crt" "$1.key" >"$1.pem"
}
cert v1 "/O=v1/CN=a.test" || exit 99
cert v2 "/O=v2/CN=a.test" || exit 99
# a certificate with another certificate's key
cat v1.crt v2.key >mismatch.pem

backend be || exit 99
P=$(free_port)
PP=$(free_port)
cp v1.pem site.pem

cat >lb.conf <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout client 1s
    timeout server 30s
frontend web
    bind 127.0.0.1:$P ssl crt $T_DIR/site.pem
    bind 127.0.0.1:$PP accept-proxy ssl crt $T_DIR/site.pem
    http-request set-header X-Src %[src]
    default_backend app
backend app
    server be 127.0.0.1:$PORT_be
CONF
start_weir lb.conf || exit 99

org() { # the O of the certificate a new connection gets
	openssl s_client -connect "127.0.0.1:$P" -servername a.test \
	    </dev/null 2>/dev/null | sed -n 's/^subject=O *= *\([^,]*\),.*/\1/p'
}
is "$(org)" "v1" "the first certificate serves"

# A client that reads the head and 64 KiB of a 4 MiB body, says so, then
# reads nothing until told to go on: the transfer is still open, on the
# old certificate, whatever the machine's speed.
cat >slow.py <<'PY'
import os, socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
                    server_hostname="a.test")
org = dict(x[0] for x in s.getpeercert()["subject"])["organizationName"]
s.sendall(b"GET /?size=4194304 HTTP/1.1\r\nHost: a.test\r\n\r\n")
data = b""
while b"\r\n\r\n" not in data or len(data) < 65536:
    data += s.recv(65536)
head, body = data.split(b"\r\n\r\n", 1)
open("slow.started", "w").write(org + "\n")
for _ in range(400):
    if os.path.exists("slow.go"):
        break
    time.sleep(0.05)
n = len(body)
while n < 4194304:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print(org, head.split(b"\r\n")[0].decode(), n)
PY
python3 slow.py "$P" ca.pem >slow.out 2>slow.err &
SLOW=$!
T_PIDS="$T_PIDS $SLOW"
wait_for test -s slow.started || exit 99

cp v2.pem site.pem
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 2 " weir.log
like "$(cat weir.log)" "generation 2 .*1 certificate read, 1 kept" \
    "the reload reads the renewed certificate"
is "$(org)" "v2" "after SIGHUP new handshakes get the renewed certificate"
: >slow.go
wait "$SLOW"
is "$(cat slow.out)" "v1 HTTP/1.1 200 OK 4194304" \
    "the transfer on the old certificate completes"

kill -HUP "$WEIR_PID"
wait_for grep -q "generation 3 " weir.log
like "$(cat weir.log)" "generation 3 .*0 certificates read, 2 kept" \
    "a reload with no certificate changed reads none"
is "$(org)" "v2" "and serves the same certificate"

cp mismatch.pem site.pem
kill -HUP "$WEIR_PID"
wait_for grep -q "reload failed" weir.log
like "$(cat weir.log)" "lb.conf:9:34: error: certificate '$T_DIR/site.pem': its private key does not match its certificate" \
    "a key that does not match is an error naming the file"
is "$(org)" "v2" "and the old configuration keeps serving"

rm site.pem
kill -HUP "$WEIR_PID"
wait_for sh -c "test \$(grep -c 'reload failed' weir.log) -ge 2"
like "$(cat weir.log)" "lb.conf:9:34: error: certificate '$T_DIR/site.pem': No such file or directory" \
    "a missing certificate is an error naming the file"
is "$(org)" "v2" "and the old configuration still serves"

# session tickets: sealed with a key made at each reload, opened with it
# or the two before it
cp v2.pem site.pem
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 4 " weir.log
ticket() { # ticket IN|OUT FILE: New or Reused, for one request
	printf 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' |
	    openssl s_client -connect "127.0.0.1:$P" -servername a.test \
	    -ign_eof "-sess_$1" "$2" 2>/dev/null | sed -n 's/^\(New\|Reused\),.*/\1/p'
}
is "$(ticket out t.pem)" "New" "a first connection gets a session ticket"
is "$(ticket in t.pem)" "Reused" "which resumes the session"
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 5 " weir.log
is "$(ticket in t.pem)" "Reused" "the ticket still resumes after a reload"
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 6 " weir.log
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 7 " weir.log
is "$(ticket in t.pem)" "New" "three reloads later its key is gone: a full handshake"

# a client that connects and says nothing is closed after timeout client
run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
try:
    print("closed" if s.recv(1) == b"" else "data")
except socket.timeout:
    print("timeout")
except ConnectionResetError:
    print("closed")
' "$P"
is "$OUT" "closed" "a handshake that never comes is timed out"

# PROXY protocol v1, then TLS
run python3 -c '
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
raw.sendall(b"PROXY TCP4 192.0.2.7 127.0.0.1 5555 443\r\n")
s = ctx.wrap_socket(raw, server_hostname="a.test")
s.sendall(b"GET /echo HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode())
' "$PP" ca.pem
like "$OUT" '\["X-Src","192.0.2.7"\]' "a PROXY header before the TLS bytes gives the client's address"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
like "$(cat weir.log)" "weir: ready" "weir started"
done_testing
