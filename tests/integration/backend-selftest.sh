#!/bin/sh
# The test backend (tests/backend) on its own, before any test trusts it
# behind weir: each route and query parameter, keep-alive, pipelining,
# chunked and 100-continue uploads, bad requests, WebSocket and TCP echo.
. "$(dirname "$0")/lib.sh"

: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${BACKEND:=$TOP_BUILDDIR/tests/backend}"
case $BACKEND in
/*) ;;
*) BACKEND=$(pwd)/$BACKEND ;;
esac

[ -x "$BACKEND" ] || skip_all "no backend at $BACKEND"
command -v curl >/dev/null 2>&1 || skip_all "no curl"
command -v python3 >/dev/null 2>&1 || skip_all "no python3"
command -v sha256sum >/dev/null 2>&1 || skip_all "no sha256sum"

plan 48

cd "$T_DIR" || exit 99

# start_backend NAME ARG...: starts a backend on a free port, waits (5 s at
# most) for its ready file; sets PORT (empty on failure) and BPID. Its
# stdout and stderr go to NAME.out and NAME.log.
start_backend() {
	sb_name=$1
	shift
	rm -f "$sb_name.ready"
	"$BACKEND" -p 0 -n "$sb_name" -r "$sb_name.ready" "$@" \
	    >"$sb_name.out" 2>"$sb_name.log" &
	BPID=$!
	T_PIDS="$T_PIDS $BPID"
	sb_i=0
	while [ ! -s "$sb_name.ready" ] && [ "$sb_i" -lt 100 ]; do
		sleep 0.05
		sb_i=$((sb_i + 1))
	done
	PORT=$(cat "$sb_name.ready" 2>/dev/null)
}

# hdr FILE NAME: the value of header NAME in a curl -D dump, CR dropped.
hdr() {
	tr -d '\r' <"$1" | awk -v n="$2" '
	    { i = index($0, ":") }
	    i > 0 && tolower(substr($0, 1, i - 1)) == tolower(n) {
		    print substr($0, i + 2)
	    }'
}

# Raw-socket clients, for what curl will not send or cannot check.
#   raw PORT <bytes: send, print all that comes back until EOF; exit 3 if
#                    no EOF within 5 s.
#   ws PORT: WebSocket handshake, then text, ping and close frames.
#   tcp PORT FILE: read the banner line, send FILE, half-close, print
#                  "BANNER SHA256" of what came back after the banner.
cat >client.py <<'PY'
import base64, hashlib, os, socket, struct, sys

def connect(port):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def read_all(s):
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return out, True
            out += d
    except socket.timeout:
        return out, False

def read_n(s, n):
    out = b""
    while len(out) < n:
        d = s.recv(n - len(out))
        if not d:
            raise EOFError("EOF after %d of %d bytes" % (len(out), n))
        out += d
    return out

def frame(op, payload):
    mask = os.urandom(4)
    head = bytes([0x80 | op])
    if len(payload) < 126:
        head += bytes([0x80 | len(payload)])
    elif len(payload) < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

def read_frame(s):
    b0, b1 = read_n(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", read_n(s, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", read_n(s, 8))[0]
    return b0, read_n(s, n)

def raw(port):
    s = connect(port)
    s.sendall(sys.stdin.buffer.read())
    out, eof = read_all(s)
    sys.stdout.buffer.write(out)
    return 0 if eof else 3

def ws(port):
    s = connect(port)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += read_n(s, 1)
    want = base64.b64encode(hashlib.sha1(
        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    print("status", head.split(b"\r\n")[0].decode())
    print("accept", b"Sec-WebSocket-Accept: " + want + b"\r\n" in head)
    s.sendall(frame(1, b"hello"))
    print("text", read_frame(s))
    big = os.urandom(100000)
    s.sendall(frame(2, big))
    b0, p = read_frame(s)
    print("binary", b0, p == big)
    s.sendall(frame(9, b"hb"))
    print("ping", read_frame(s))
    s.sendall(frame(8, b"\x03\xe8"))
    print("close", read_frame(s))
    print("eof", read_all(s)[1])
    return 0

def tcp(port, path):
    s = connect(port)
    data = open(path, "rb").read()
    banner = b""
    while not banner.endswith(b"\n"):
        banner += read_n(s, 1)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out, eof = read_all(s)
    print(banner.decode().strip(), hashlib.sha256(out).hexdigest(), eof)
    return 0

sys.exit({"raw": raw, "ws": ws, "tcp": tcp}[sys.argv[1]](*sys.argv[2:]))
PY

# ---- start-up ----------------------------------------------------------

run "$BACKEND" -p 99999
is "$RC" 2 "a bad port is a usage error"

start_backend alpha
[ -n "$PORT" ] || { echo "Bail out! the backend did not start"; exit 1; }
like "$PORT" '^[0-9]+$' "-p 0 -r writes the chosen port to the ready file"
is "$(cat alpha.out)" "listening on 127.0.0.1:$PORT" \
    "stdout says where it listens"
U="http://127.0.0.1:$PORT"

# ---- routes ------------------------------------------------------------

run curl -s --max-time 5 -D h1 "$U/any/path"
is "$OUT" "alpha" "any path answers the backend's name"
is "$(hdr h1 X-Backend)" "alpha" "responses carry X-Backend"
is "$(hdr h1 Content-Type)" "text/plain" "the default body is text/plain"

run curl -s --max-time 5 -X PUT -H 'X-Test: a "quoted" \value' \
    --data-binary abc "$U/echo?q=1"
is "$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
h = dict(d["headers"])
print(d["backend"], d["method"], d["target"], d["version"], h["X-Test"],
      d["body_len"], d["body_sha256"])')" \
    "alpha PUT /echo?q=1 HTTP/1.1 a \"quoted\" \\value 3 $(printf abc |
    sha256sum | cut -d' ' -f1)" \
    "/echo describes the request as JSON"

head -c 1048576 /dev/urandom >up.bin
SUM=$(sha256sum <up.bin | cut -d' ' -f1)
run curl -s --max-time 10 --data-binary @up.bin -o down.bin "$U/body"
is "$(sha256sum <down.bin | cut -d' ' -f1)" "$SUM" \
    "/body sends 1 MiB back byte for byte"
run curl -s --max-time 10 -H 'Transfer-Encoding: chunked' \
    --data-binary @up.bin -o down.bin "$U/body"
is "$(sha256sum <down.bin | cut -d' ' -f1)" "$SUM" \
    "a chunked upload is decoded"
run curl -sv --max-time 10 -H 'Expect: 100-continue' \
    --data-binary @up.bin "$U/echo"
like "$ERR" '< HTTP/1.1 100 Continue' "Expect: 100-continue gets a 100"
like "$OUT" "\"body_len\":1048576,\"body_sha256\":\"$SUM\"" \
    "/echo hashes the body read after the 100"

run curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/?status=503"
is "$OUT" "503" "?status=503 answers 503"
run curl -s --max-time 5 -D h1 -w '%{http_code} %{size_download}' \
    "$U/?status=204"
is "$OUT" "204 0" "?status=204 answers 204 with no body"
is "$(hdr h1 Content-Length)" "" "a 204 has no Content-Length"
run curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/?status=99"
is "$OUT" "400" "a status outside 200..599 is a bad request"

run curl -s --max-time 5 -o /dev/null -w '%{http_code} %{time_total}' \
    "$U/?delay=300"
like "$OUT" '^200 ' "?delay=300 still answers"
ok "$(printf '%s\n' "$OUT" |
    awk '{ exit !($2 >= 0.25) }'; echo $?)" \
    "?delay=300 takes at least 0.25 s"

run curl -s --max-time 10 -o big "$U/?size=100000"
is "$(wc -c <big | tr -d ' ')" "100000" "?size=100000 sends 100000 bytes"
is "$(head -c 40 big)" "0123456789abcdef0123456789abcdef01234567" \
    "?size= bodies repeat 0123456789abcdef"

run curl -sv --max-time 5 "$U/?chunked=1"
like "$ERR" '< Transfer-Encoding: chunked' \
    "?chunked=1 sends Transfer-Encoding: chunked"
is "$OUT" "alpha" "?chunked=1 sends the same body"
run curl -s --max-time 10 -o big.chunked "$U/?chunked=1&size=100000"
cmp -s big big.chunked
ok $? "?chunked=1&size= sends the same bytes as ?size="

run curl -s --max-time 5 -o /dev/null "$U/?size=1000&close=1"
is "$RC" 18 "?close=1 closes mid-body (curl: partial file)"
run curl -s --max-time 5 "$U/?close=0"
is "$RC" 52 "?close=0 closes with no answer (curl: empty reply)"
run curl -s --max-time 1 "$U/?hang=1"
is "$RC" 28 "?hang=1 never answers (curl: timeout)"

run curl -s --max-time 5 -w '%{http_code}' "$U/health"
is "$OUT" "ok
200" "/health answers 200 ok"
run curl -s --max-time 5 "$U/admin/health?status=503"
is "$OUT" "health 503" "/admin/health?status=503 is acknowledged"
run curl -s --max-time 5 -w '%{http_code}' "$U/health"
is "$OUT" "unhealthy
503" "/health then answers 503"
run curl -s --max-time 5 "$U/admin/health?status=200"
run curl -s --max-time 5 -w '%{http_code}' "$U/health"
is "$OUT" "ok
200" "/health can be made healthy again"

# ---- connections -------------------------------------------------------

run curl -s --max-time 5 -D h2 -o /dev/null -o /dev/null \
    -w '%{num_connects}\n' "$U/one" "$U/two"
is "$(printf '%s\n' "$OUT" | awk '{ n += $1 } END { print n }')" "1" \
    "two requests in one curl share one connection"
is "$(hdr h2 X-Request-Count | tr '\n' ' ')" "1 2 " \
    "X-Request-Count counts the requests of the connection"
C1=$(hdr h2 X-Conn-Count | head -1)
run curl -s --max-time 5 -D h3 -o /dev/null "$U/"
is "$(hdr h3 X-Conn-Count)" "$((C1 + 1))" \
    "X-Conn-Count counts accepted connections"
run curl -s --max-time 5 -H 'Connection: close' -D h2 -o /dev/null \
    -o /dev/null -w '%{num_connects}\n' "$U/one" "$U/two"
is "$(printf '%s\n' "$OUT" | awk '{ n += $1 } END { print n }')" "2" \
    "Connection: close is honoured"
run curl -s -0 --max-time 5 -D h2 -o /dev/null "$U/"
is "$(hdr h2 Connection)" "close" "HTTP/1.0 without keep-alive closes"

printf '%s\r\n' 'GET /a?delay=200&status=201 HTTP/1.1' 'Host: t' '' \
    'GET /b?status=202 HTTP/1.1' 'Host: t' '' \
    'GET /c?status=203 HTTP/1.1' 'Host: t' 'Connection: close' '' >req
run python3 client.py raw "$PORT" <req
is "$RC" 0 "the connection closes after Connection: close"
is "$(printf '%s\n' "$OUT" | tr -d '\r' |
    sed -n 's/^HTTP\/1.1 //p; s/^X-Request-Count: //p' | tr '\n' ' ')" \
    "201 Created 1 202 Accepted 2 203 Non-Authoritative Information 3 " \
    "pipelined requests are answered in order, one delayed"

# slow requests do not hold up others
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s --max-time 10 -o "par.$i" "$U/p$i?delay=500" &
	CPIDS="${CPIDS:-} $!"
done
curl -s --max-time 1 -o /dev/null "$U/?hang=1" &
CPIDS="$CPIDS $!"
run curl -s --max-time 5 "$U/quick"
is "$OUT" "alpha" "a hung request does not block another connection"
for p in $CPIDS; do
	wait "$p"
done
is "$(cat par.* | sort | uniq -c | tr -s ' ')" " 10 alpha" \
    "ten concurrent delayed requests are all answered"

# ---- bad requests ------------------------------------------------------

printf 'GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n' >req
run python3 client.py raw "$PORT" <req
like "$OUT" '^HTTP/1.1 400 ' "a field line without a colon gets 400"
is "$RC" 0 "and the connection is closed"
printf 'GET / HTTP/1.1\nHost: t\n\n' >req
run python3 client.py raw "$PORT" <req
like "$OUT" '^HTTP/1.1 400 ' "bare LF line ends get 400"
printf '%s\r\n' 'POST /echo HTTP/1.1' 'Host: t' \
    'Transfer-Encoding: chunked' '' 'zz' >req
run python3 client.py raw "$PORT" <req
like "$OUT" '^HTTP/1.1 400 ' "a bad chunk-size gets 400"
head -c 4096 /dev/urandom >req
run python3 client.py raw "$PORT" <req
run curl -s --max-time 5 "$U/"
is "$OUT" "alpha" "random bytes do not hurt the backend"

# ---- logs ----------------------------------------------------------------

like "$(cat alpha.log)" '^alpha GET /\?status=503 503$' \
    "each request is logged as NAME METHOD TARGET STATUS"
like "$(cat alpha.log)" '^alpha GET /\?hang=1 -$' \
    "a request never answered is logged with status -"

# ---- WebSocket -----------------------------------------------------------

run python3 client.py ws "$PORT"
is "$OUT" "status HTTP/1.1 101 Switching Protocols
accept True
text (129, b'hello')
binary 130 True
ping (138, b'hb')
close (136, b'\\x03\\xe8')
eof True" "WebSocket: 101, right accept key, frames echoed, ping, close"

# ---- TCP mode and exit -----------------------------------------------------

kill -TERM "$BPID"
i=0
while kill -0 "$BPID" 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -0 "$BPID" 2>/dev/null && kill -KILL "$BPID"
wait "$BPID"
is "$?" 0 "SIGTERM ends the backend with status 0"

start_backend beta -m tcp -b "hello from beta"
[ -n "$PORT" ] || { echo "Bail out! the backend did not start"; exit 1; }
run python3 client.py tcp "$PORT" up.bin
is "$OUT" "hello from beta $SUM True" \
    "tcp mode: banner, 1 MiB echoed, half-close answered with EOF"

if [ "$T_FAILED" -gt 0 ]; then
	echo "# backend logs:"
	cat alpha.log beta.log | sed 's/^/#   /'
fi
done_testing
