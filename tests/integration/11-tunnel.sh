#!/bin/sh
# Tunnels: TCP mode both ways with half-close, and a WebSocket upgrade.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 6

cd "$T_DIR" || exit 99
backend t1 -m tcp -b t1 || exit 99
backend t2 -m tcp -b t2 || exit 99
backend ws || exit 99
PT=$(free_port)
PH=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout tunnel 10s
listen echo
    mode tcp
    bind 127.0.0.1:$PT
    balance roundrobin
    server t1 127.0.0.1:$PORT_t1
    server t2 127.0.0.1:$PORT_t2
frontend web
    mode http
    bind 127.0.0.1:$PH
    default_backend ws
backend ws
    mode http
    server ws 127.0.0.1:$PORT_ws
CONF
start_weir lb.conf
ok $? "weir starts"

cat >tcp.py <<'PY'
import hashlib, os, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
payload = os.urandom(n)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
banner = b""
while not banner.endswith(b"\n"):
    banner += s.recv(1)
s.sendall(payload)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
print(banner.decode().strip(), "same" if got == payload else "differs %d/%d" % (len(got), n))
PY
r1=$(python3 tcp.py "$PT" 300000)
r2=$(python3 tcp.py "$PT" 5)
like "$r1" " same$" "300 kB go through a TCP tunnel and come back, half-close passed on"
is "$(printf '%s\n%s\n' "$r1" "$r2" | cut -d' ' -f1 | sort | tr '\n' ' ')" "t1 t2 " \
    "TCP connections are balanced round robin"

cat >ws.py <<'PY'
import base64, os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
head, rest = buf.split(b"\r\n\r\n", 1)
print(head.split(b"\r\n")[0].decode())
for text in (b"hello", b"weir" * 100):
    mask = os.urandom(4)
    hdr = bytes([0x81, 0x80 | 126]) + len(text).to_bytes(2, "big") if len(text) > 125 \
        else bytes([0x81, 0x80 | len(text)])
    s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(text)))
    need = (4 if len(text) > 125 else 2) + len(text)
    while len(rest) < need:
        rest += s.recv(65536)
    print(rest[need - len(text):need].decode()[:10], len(text))
    rest = rest[need:]
PY
out=$(python3 ws.py "$PH")
like "$out" "^HTTP/1.1 101 " "a WebSocket upgrade gets 101 through weir"
like "$out" "^hello 5$" "a WebSocket frame is echoed through the tunnel"
like "$out" "^weirweirwe 400$" "a longer frame too"

stop_weir
done_testing
