#!/bin/sh
# HTTP proxying: balancing counts, routing, bodies both ways, keep-alive,
# weir's own answers, and malformed requests that never reach a server.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v sha256sum >/dev/null 2>&1 || skip_all "sha256sum is not installed"
plan 33

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend c || exit 99
backend api || exit 99
backend w1 || exit 99
backend w2 || exit 99
PW=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 2s
    option forwardfor
frontend web
    bind 127.0.0.1:$PW
    acl is_api path_beg /api/
    acl is_api path /echo /body
    http-request deny if { path_beg /admin }
    http-request return status 200 content-type text/plain string pong if { path /ping }
    http-request redirect location /new code 301 if { path /old }
    http-request set-header X-Added yes
    http-response set-header X-Proxy weir
    use_backend api if is_api
    use_backend weighted if { path_beg /w/ }
    use_backend down if { path_beg /down/ }
    default_backend rr
backend rr
    balance roundrobin
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend weighted
    server w1 127.0.0.1:$PORT_w1 weight 3
    server w2 127.0.0.1:$PORT_w2 weight 1
backend api
    server api 127.0.0.1:$PORT_api
backend down
    server d1 127.0.0.1:$(free_port)
    server d2 127.0.0.1:$(free_port)
CONF
start_weir lb.conf
ok $? "weir starts and says it is ready"
like "$(cat "$T_DIR/weir.log")" "frontend 'web' listening on 127.0.0.1:$PW" \
    "weir logs each listener"
U="http://127.0.0.1:$PW"

i=0
: >rr.txt
while [ $i -lt 30 ]; do
	curl -s --max-time 5 "$U/" >>rr.txt
	i=$((i + 1))
done
is "$(tally rr.txt)" "a=10 b=10 c=10" "30 requests go round robin, 10 to each of 3 servers"

i=0
: >w.txt
while [ $i -lt 40 ]; do
	curl -s --max-time 5 "$U/w/" >>w.txt
	i=$((i + 1))
done
is "$(tally w.txt)" "w1=30 w2=10" "weights 3:1 over 40 requests give 30 and 10"
i=0
: >w8.txt
while [ $i -lt 8 ]; do
	curl -s --max-time 5 "$U/w/" >>w8.txt
	i=$((i + 1))
done
is "$(tr '\n' ' ' <w8.txt)" "w1 w1 w2 w1 w1 w1 w2 w1 " \
    "weights 3:1 interleave smoothly: a a b a"

is "$(curl -s --max-time 5 "$U/api/x")" "api" "an acl routes /api/ to its backend"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/down/")" "503" \
    "every server down gives 503"
like "$(curl -s --max-time 5 "$U/down/")" "No server is available" \
    "the 503 says why in its body"

curl -s --max-time 5 -D h.txt "$U/echo" >echo.json
like "$(cat echo.json)" '\["X-Forwarded-For","127\.0\.0\.1"\]' \
    "option forwardfor adds X-Forwarded-For"
like "$(cat echo.json)" '\["X-Forwarded-Proto","http"\]' \
    "and X-Forwarded-Proto"
like "$(cat echo.json)" '\["X-Added","yes"\]' "http-request set-header adds a field"
like "$(tr -d '\r' <h.txt)" '^X-Proxy: weir$' "http-response set-header sets a field"

curl -s --max-time 5 -H 'Connection: keep-alive, X-Secret' -H 'X-Secret: 1' \
    -H 'Keep-Alive: timeout=5' -H 'Proxy-Authorization: Basic eA==' \
    -H 'TE: trailers' -H 'X-Kept: 1' "$U/echo" >hop.json
is "$(grep -o -i -E '"(connection|x-secret|keep-alive|proxy-authorization|te)"' hop.json)" "" \
    "hop-by-hop fields and the fields Connection names are not forwarded"
like "$(cat hop.json)" '\["X-Kept","1"\]' "other fields are"

is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/admin/x")" "403" \
    "http-request deny answers 403"
is "$(curl -s --max-time 5 "$U/ping")" "pong" "http-request return answers itself"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' "$U/old")" \
    "301 $U/new" "http-request redirect answers 301 with a Location"

head -c 1048576 /dev/urandom >up.bin
want=$(sha256sum <up.bin | cut -d' ' -f1)
got=$(curl -s --max-time 20 --data-binary @up.bin "$U/body" | sha256sum | cut -d' ' -f1)
is "$got" "$want" "a 1 MiB random body goes up and comes back byte for byte"
got=$(curl -s --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary @up.bin \
    "$U/body" | sha256sum | cut -d' ' -f1)
is "$got" "$want" "a chunked 1 MiB upload arrives whole"
got=$(curl -s --max-time 20 -H 'Expect: 100-continue' --data-binary @up.bin \
    "$U/body" | sha256sum | cut -d' ' -f1)
is "$got" "$want" "Expect: 100-continue uploads work"
curl -s --max-time 20 -D ch.txt "$U/api/x?chunked=1&size=200000" >ch.bin
is "$(wc -c <ch.bin | tr -d ' ')" "200000" "a chunked response arrives whole"
like "$(tr -d '\r' <ch.txt)" '^Transfer-Encoding: chunked$' "and is forwarded chunked"
is "$(curl -s --http1.0 --max-time 20 "$U/api/x?chunked=1&size=5000" | wc -c | tr -d ' ')" \
    "5000" "an HTTP/1.0 client gets a chunked response without chunks"
is "$(curl -s --max-time 20 "$U/api/x?size=3000000" | wc -c | tr -d ' ')" "3000000" \
    "a 3 MB response streams through"

n=$(curl -s --max-time 10 -o /dev/null -o /dev/null -o /dev/null \
    -w '%{num_connects}\n' "$U/api/" "$U/api/" "$U/api/" | awk '{ s += $1 } END { print s }')
is "$n" "1" "three requests with keep-alive use one client connection"
curl -s --max-time 10 -D k1.txt -o /dev/null "$U/api/" >/dev/null
curl -s --max-time 10 -D k2.txt -o /dev/null "$U/api/" >/dev/null
c1=$(tr -d '\r' <k1.txt | awk -F': ' '/^X-Conn-Count/ { print $2 }')
c2=$(tr -d '\r' <k2.txt | awk -F': ' '/^X-Conn-Count/ { print $2 }')
is "$c2" "$c1" "server connections are reused across client connections"

out=$(raw "$PW" 'GET /api/ HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n')
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 200')" "2" \
    "pipelined requests are both answered"
like "$out" '"target":"/echo"' "in order"

# malformed requests: 400, connection closed, the server never sees them
before=$(wc -l <api.log)
bad=0
for req in \
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc' \
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' \
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n' \
    'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n' \
    'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n' \
    'GET / HTTP/1.1\r\nHost : x\r\n\r\n' \
    'GET / HTTP/1.1\r\n\r\n' \
    'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n' \
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'; do
	out=$(raw "$PW" "$(printf '%s' "$req" | sed 's|^GET /|GET /api/|; s|^POST /|POST /api/|')")
	case "$out" in
	"HTTP/1.1 400 "*) ;;
	*) bad=$((bad + 1)); printf '# %s -> %s\n' "$req" "$(printf '%s' "$out" | head -1)" ;;
	esac
done
is "$bad" "0" "each smuggling shape gets 400"
after=$(wc -l <api.log)
is "$after" "$before" "and none reaches the server"
is "$(raw "$PW" 'GET / HTTP/2.0\r\nHost: x\r\n\r\n' | head -1 | tr -d '\r')" \
    "HTTP/1.1 505 HTTP Version Not Supported" "an unknown HTTP version gets 505"
is "$(raw "$PW" 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' | head -1 | tr -d '\r')" \
    "HTTP/1.1 501 Not Implemented" "a transfer coding weir does not decode gets 501"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
done_testing
