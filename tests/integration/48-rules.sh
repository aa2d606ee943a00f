#!/bin/sh
# Routing rules in HAProxy's syntax: requests routed by hdr_dom, hdr_end,
# hdr_sub, path_sub, url_param, req.cook, dst_port (two binds) and -m/-i
# flags; %[src], %[dst_port] and other fetches set in headers; set-path,
# set-query, replace-path, replace-header and replace-value as the server
# sees them; redirects with each code; return with a type and a body.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 56

cd "$T_DIR" || exit 99
backend app || exit 99
backend app2 || exit 99
PW=$(free_port)
PW2=$(free_port)
printf 'HTTP/1.1 410 Gone\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\ngone\n' >gone.http

# every backend section names itself in X-Be: one server answers for all
be() {
	printf 'backend %s\n    http-request set-header X-Be %s\n    server app 127.0.0.1:%s\n' \
	    "$1" "$1" "$PORT_app"
}

{
	cat <<CONF
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:$PW
    bind 127.0.0.1:$PW2
    http-request set-header X-Src %[src]
    http-request set-header X-Dport %[dst_port]
    http-request set-header X-Seen "q=%[query] a=%[url_param(a)] c=%[req.cook(sid)] h=%[req.hdr(host)] n=%[hdr_cnt(x-list)]"
    http-request redirect location /moved code 301 if { path /r301 }
    http-request redirect location /moved if { path /r302 }
    http-request redirect location /moved code 303 if { path /r303 }
    http-request redirect location /moved code 307 if { path /r307 }
    http-request redirect location /moved code 308 if { path /r308 }
    http-request redirect prefix https://new.example drop-query code 308 if { path_beg /p/ }
    http-request redirect prefix / drop-query append-slash if { path /dir }
    http-request redirect scheme https code 301 if { path /s }
    http-request redirect location https://%[req.hdr(host)]/login code 303 if { path /login-needed }
    http-request return status 200 content-type application/json string '{"ok":true}' if { path /ret }
    http-request return status 410 errorfile gone.http if { path /gone }
    http-request replace-path ^/old/(.*) /new/\1
    http-request replace-path ^/h[0-9]+/(.*) /\1
    http-request set-path /v2%[path] if { path_beg /api/ }
    http-request set-path /%[req.hdr(x-to)] if { path /to }
    http-request set-query q=%[url_param(a)] if { path /echo } { url_param(a) -m found }
    http-request replace-header X-Forwarded-Host ^(.*)\.test$ \1.example
    http-request replace-value X-List ^a(.*) A\1
    http-response set-header X-Resp "%[path] %[dst_port]"
    http-response replace-header X-Backend ^app(.*)$ server-app\1 if { path /rsp }
    http-response replace-value Content-Type ^text/(.*) txt/\1 if { path /rsp }
    acl dom   hdr_dom(host) -i example.com
    acl end   hdr_end(host) .internal
    acl sub   hdr_sub(user-agent) bot
    acl psub  path_sub -i /admin/
    acl param url_param(tenant) blue
    acl cook  req.cook(beta) 1
    acl port2 dst_port $PW2
    acl mflag req.hdr(x-env) -m beg -i STAG
    acl found req.hdr(x-debug) -m found
    use_backend hashed if { req.hdr(x-hash) -m found }
    use_backend new if { path_beg /new/ }
    use_backend dom if dom
    use_backend end if end
    use_backend sub if sub
    use_backend psub if psub
    use_backend param if param
    use_backend cook if cook
    use_backend port2 if port2
    use_backend mflag if mflag
    use_backend found if found
    default_backend other
CONF
	for b in new dom end sub psub param cook port2 mflag found other; do
		be "$b"
	done
	printf 'backend hashed\n    balance uri\n    server a 127.0.0.1:%s\n    server b 127.0.0.1:%s\n' \
	    "$PORT_app" "$PORT_app2"
} >lb.conf
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# jget JSON KEY: the request's "target", or "hdr:NAME" (its fields of NAME)
jget() {
	printf '%s\n' "$1" | python3 -c 'import json, sys
j = json.loads(sys.stdin.readline())
k = sys.argv[1]
if k.startswith("hdr:"):
    print("|".join(v for n, v in j["headers"] if n.lower() == k[4:].lower()))
else:
    print(j[k])' "$2"
}

# echo_req PATH CURL-ARGS...: what the server got, as JSON
echo_req() {
	er_p=$1
	shift
	curl -s --max-time 5 "$@" "$U$er_p"
}

# route PATH CURL-ARGS...: the backend section the request went through
route() {
	jget "$(echo_req "$@")" hdr:X-Be
}

is "$(route "/?echo=1" -H 'Host: WWW.Example.COM:8080')" "dom" \
    "hdr_dom(host) -i matches a word of the host, any case"
is "$(route "/?echo=1" -H 'Host: example.community')" "other" \
    "hdr_dom does not match part of a word"
is "$(route "/?echo=1" -H 'Host: db.internal')" "end" "hdr_end(host)"
is "$(route "/?echo=1" -A 'crawlbot/2.0')" "sub" "hdr_sub(user-agent)"
is "$(route "/?echo=1" -H 'Host: db.internal' -A 'crawlbot/2.0')" "end" \
    "the first use_backend that matches wins"
is "$(route "/x/ADMIN/y?echo=1")" "psub" "path_sub -i"
is "$(route "/?echo=1&tenant=blue")" "param" "url_param(tenant)"
is "$(route "/?echo=1&tenant=blues")" "other" \
    "url_param compares the whole value"
is "$(route "/?echo=1" -b 'a=0; beta=1')" "cook" "req.cook(beta)"
is "$(route "/?echo=1" -H 'X-Env: staging-2')" "mflag" \
    "req.hdr -m beg -i routes"
is "$(route "/?echo=1" -H 'X-Debug;')" "found" \
    "req.hdr -m found matches an empty field"
is "$(route "/?echo=1")" "other" "no rule: the default backend"
J=$(curl -s --max-time 5 "http://127.0.0.1:$PW2/?echo=1")
is "$(jget "$J" hdr:X-Be)" "port2" "dst_port routes the second bind"
is "$(jget "$J" hdr:X-Dport)" "$PW2" "%[dst_port] is the second bind's port"

J=$(echo_req "/a?echo=1&a=7" -H 'Host: h.example' -b 'x=1; sid=abc' \
    -H 'X-List: a1, b2' -H 'X-List: a3')
is "$(jget "$J" hdr:X-Src)" "127.0.0.1" "%[src] reaches the server"
is "$(jget "$J" hdr:X-Dport)" "$PW" "%[dst_port] is the first bind's port"
is "$(jget "$J" hdr:X-Seen)" "q=echo=1&a=7 a=7 c=abc h=h.example n=3" \
    "%[query], %[url_param], %[req.cook], %[req.hdr], %[hdr_cnt]"
is "$(jget "$J" hdr:X-List)" "A1, b2|A3" \
    "replace-value rewrites each value that matches, separators kept"

J=$(echo_req "/old/x/y?echo=1")
is "$(jget "$J" target)" "/new/x/y?echo=1" \
    "replace-path rewrites the path, the query kept"
is "$(jget "$J" hdr:X-Be)" "new" "use_backend sees the rewritten path"
for i in 1 2 3 4 5 6 7 8; do
	jget "$(echo_req "/h$i/k?echo=1" -H 'X-Hash: 1')" backend
done | sort -u >hashed.txt
is "$(wc -l <hashed.txt | tr -d ' ')" "1" \
    "balance uri hashes the rewritten path: one server for /h1/k../h8/k"
J=$(echo_req "/api/users?echo=1")
is "$(jget "$J" target)" "/v2/api/users?echo=1" "set-path with %[path]"
code() {
	curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"
}
LONG=$(printf '%01100d' 0)
is "$(code -H "X-To: $LONG" "$U/to")" "500" \
    "a path too long to make fails the request"
is "$(code -H "X-To: a b" "$U/to")" "500" \
    "a path with a blank fails the request"
is "$(grep -c ' /to\| /a b\| /000' app.log)" "0" \
    "failed rewrites never reach the server"
J=$(echo_req "/to?echo=1" -H "X-To: fine")
is "$(jget "$J" target)" "/fine?echo=1" "set-path from a header"
J=$(echo_req "/echo?a=7&b=2")
is "$(jget "$J" target)" "/echo?q=7" "set-query with %[url_param]"
J=$(echo_req "/echo")
is "$(jget "$J" target)" "/echo" "set-query's condition keeps it away"
J=$(echo_req "/?echo=1" -H 'X-Forwarded-Host: shop.test')
is "$(jget "$J" hdr:X-Forwarded-Host)" "shop.example" \
    "replace-header with a group"
J=$(echo_req "/?echo=1" -H 'X-Forwarded-Host: shop.org')
is "$(jget "$J" hdr:X-Forwarded-Host)" "shop.org" \
    "replace-header leaves a value that does not match"
is "$(curl -s --max-time 5 -D - -o /dev/null "$U/old/r?echo=1" | tr -d '\r' |
    grep -i '^x-resp:')" "X-Resp: /new/r $PW" \
    "http-response rules see the new path, and dst_port"
R=$(curl -s --max-time 5 -D - -o /dev/null "$U/rsp" | tr -d '\r')
is "$(printf '%s\n' "$R" | grep -i '^x-backend:')" "X-Backend: server-app" \
    "http-response replace-header edits the response"
is "$(printf '%s\n' "$R" | grep -i '^content-type:')" "Content-Type: txt/plain" \
    "http-response replace-value edits the response"
is "$(grep -c ' GET /new/x/y?echo=1 ' app.log)" "1" \
    "the server logged the rewritten request line"

# status and Location of a redirect
loc() {
	curl -s --max-time 5 -D - -o /dev/null "$@" | tr -d '\r' |
	    awk 'NR == 1 { s = $2 } tolower($1) == "location:" { l = $2 }
	    END { print s, l }'
}
for c in 301 302 303 307 308; do
	is "$(loc "$U/r$c")" "$c /moved" "redirect code $c"
done
is "$(loc "$U/p/x?y=1")" "308 https://new.example/p/x" \
    "redirect prefix with drop-query"
is "$(loc "$U/dir?z=1")" "302 /dir/" "redirect with append-slash"
is "$(loc -H 'Host: h.example' "$U/s?k=v")" "301 https://h.example/s?k=v" \
    "redirect scheme keeps host, path and query"
is "$(loc -H 'Host: h.example' "$U/login-needed")" \
    "303 https://h.example/login" "redirect location with %[req.hdr(host)]"
is "$(grep -c ' /r30[0-9] \| /p/x' app.log)" "0" \
    "redirected requests never reach the server"

R=$(curl -s --max-time 5 -D - "$U/ret" | tr -d '\r')
is "$(printf '%s\n' "$R" | head -1)" "HTTP/1.1 200 OK" "return: status"
is "$(printf '%s\n' "$R" | grep -i '^content-type:')" \
    "Content-Type: application/json" "return: content-type"
is "$(printf '%s\n' "$R" | grep -i '^content-length:')" \
    "Content-Length: 11" "return: content-length"
is "$(printf '%s\n' "$R" | tail -1)" '{"ok":true}' "return: the string"
R=$(curl -s --max-time 5 -D - "$U/gone" | tr -d '\r')
is "$(printf '%s\n' "$R" | head -1)" "HTTP/1.1 410 Gone" \
    "return errorfile: its status line"
is "$(printf '%s\n' "$R" | tail -1)" "gone" "return errorfile: its body"

# the request line stays well formed on a kept-alive connection
R=$(raw "$PW" 'GET /old/k?echo=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /echo?a=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
like "$R" '"target":"/new/k\?echo=1"' "keep-alive: first request rewritten"
like "$R" '"target":"/echo\?q=1"' "keep-alive: second request rewritten"
is "$(printf '%s\n' "$R" | grep -c '^HTTP/1.1 200')" "2" \
    "keep-alive: both answered"

# an absolute-form target keeps its scheme and authority
R=$(raw "$PW" 'GET http://h.example/api/z?echo=1 HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n')
like "$R" '"target":"http://h.example/v2/api/z\?echo=1"' \
    "set-path keeps the scheme and host of an absolute target"

stop_weir
is "$RC" "0" "weir exits cleanly"
done_testing
