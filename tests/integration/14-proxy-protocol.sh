#!/bin/sh
# The PROXY protocol: 'bind ... accept-proxy' takes the client's address
# from it (v1 and v2), a connection without it is refused; 'server ...
# send-proxy' and 'send-proxy-v2' send it, in HTTP and TCP mode.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 9

cd "$T_DIR" || exit 99
backend app || exit 99
PIN=$(free_port)
POUT=$(free_port)
POUT2=$(free_port)
PTCPIN=$(free_port)
PTCPOUT=$(free_port)
backend echo -m tcp || exit 99

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend inner
    bind 127.0.0.1:$PIN accept-proxy
    option forwardfor
    acl from_ten src 10.0.0.0/8
    http-request set-header X-Ten yes if from_ten
    default_backend app
backend app
    server app 127.0.0.1:$PORT_app
frontend outer
    bind 127.0.0.1:$POUT
    default_backend via_v1
backend via_v1
    server inner 127.0.0.1:$PIN send-proxy
frontend outer2
    bind 127.0.0.1:$POUT2
    default_backend via_v2
backend via_v2
    server inner 127.0.0.1:$PIN send-proxy-v2
listen tcp_in
    mode tcp
    bind 127.0.0.1:$PTCPIN accept-proxy
    server echo 127.0.0.1:$PORT_echo
listen tcp_out
    mode tcp
    bind 127.0.0.1:$PTCPOUT
    server tin 127.0.0.1:$PTCPIN send-proxy-v2
CONF
start_weir lb.conf
ok $? "weir starts"

out=$(raw "$PIN" 'PROXY TCP4 10.1.2.3 127.0.0.1 5555 80\r\nGET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
like "$out" '\["X-Forwarded-For","10\.1\.2\.3"\]' \
    "a v1 header gives the client's address to X-Forwarded-For"
like "$out" '\["X-Ten","yes"\]' "and to 'src' acls"
out=$(python3 - "$PIN" <<'PY'
import socket, struct, sys
hdr = b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", 12)
hdr += socket.inet_aton("10.9.8.7") + socket.inet_aton("127.0.0.1")
hdr += struct.pack("!HH", 4444, 80)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(hdr + b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode("latin1"))
PY
)
like "$out" '\["X-Forwarded-For","10\.9\.8\.7"\]' "a v2 header does the same"
out=$(raw "$PIN" 'GET /echo HTTP/1.1\r\nHost: x\r\n\r\n')
is "$out" "" "a connection without the header is closed without an answer"

is "$(curl -s --max-time 5 "http://127.0.0.1:$POUT/")" "app" \
    "send-proxy speaks v1 to a server that expects it"
is "$(curl -s --max-time 5 "http://127.0.0.1:$POUT2/")" "app" \
    "send-proxy-v2 speaks v2"
is "$(curl -s --max-time 5 "http://127.0.0.1:$POUT/" "http://127.0.0.1:$POUT/" | tr '\n' ' ')" \
    "app app " "keep-alive requests each go with their header"

out=$(python3 - "$PTCPOUT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"ping over tcp")
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode())
PY
)
is "$out" "ping over tcp" "in tcp mode the header goes first and the bytes after it"

stop_weir
done_testing
