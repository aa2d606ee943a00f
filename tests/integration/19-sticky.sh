#!/bin/sh
# Sticky sessions by cookie: insert pins a client to one server across
# requests; with that server down the client moves and is pinned again;
# indirect hides the cookie from servers; prefix and rewrite mark the
# server's own cookie.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 14

cd "$T_DIR" || exit 99
backend s1 || exit 99
backend s2 || exit 99
backend s3 || exit 99
PW=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    option redispatch
    retries 2
frontend web
    bind 127.0.0.1:$PW
    use_backend pre if { path_beg /pre }
    use_backend rew if { path_beg /rew }
    default_backend app
backend app
    balance roundrobin
    cookie SRV insert indirect nocache httponly
    option httpchk GET /health
    default-server check inter 100ms fall 1 rise 1
    server s1 127.0.0.1:$PORT_s1 cookie one
    server s2 127.0.0.1:$PORT_s2 cookie two
    server s3 127.0.0.1:$PORT_s3 cookie three
backend pre
    cookie sid prefix
    server s1 127.0.0.1:$PORT_s1 cookie one
    server s2 127.0.0.1:$PORT_s2 cookie two
backend rew
    cookie sid rewrite
    server s1 127.0.0.1:$PORT_s1 cookie one
    server s2 127.0.0.1:$PORT_s2 cookie two
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# ---- insert: the first answer sets the cookie, the next ones follow it
curl -s --max-time 5 -D h1.txt -c jar.txt -o first.txt "$U/"
first=$(cat first.txt)
like "$(grep -i '^set-cookie:' h1.txt)" "SRV=[a-z]*; path=/; HttpOnly" \
    "the first answer sets the server's cookie, HttpOnly"
like "$(grep -i '^cache-control:' h1.txt)" "private" "nocache makes it private"
: >r.txt
for i in $(seq 1 20); do
	curl -s --max-time 5 -b jar.txt -c jar.txt -D h.txt "$U/" >>r.txt
	grep -qi '^set-cookie:' h.txt && echo again >>r.txt
done
is "$(tally r.txt)" "$first=20" "20 requests with the cookie go to the same server, no new cookie"
out=$(curl -s --max-time 5 -b jar.txt -b "other=x" "$U/echo")
unlike() { case "$1" in *$2*) ok 1 "$3" ;; *) ok 0 "$3" ;; esac; }
unlike "$out" "SRV=" "indirect: the server never sees weir's cookie"
like "$out" "other=x" "the client's other cookies go through"

# ---- the pinned server goes down: the client moves and is pinned again
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$(eval echo \$PORT_$first)/admin/health?status=503"
wait_for grep -q "server app/$first is DOWN" weir.log
ok $? "the pinned server is marked down"
curl -s --max-time 5 -b jar.txt -c jar.txt -D h2.txt -o moved.txt "$U/"
moved=$(cat moved.txt)
ok "$([ -n "$moved" ] && [ "$moved" != "$first" ] && echo 0 || echo 1)" \
    "the client moves to another server ($first -> $moved)"
like "$(grep -i '^set-cookie:' h2.txt)" "SRV=" "and gets that server's cookie"
: >r.txt
for i in $(seq 1 10); do curl -s --max-time 5 -b jar.txt "$U/" >>r.txt; done
is "$(tally r.txt)" "$moved=10" "then stays with it"
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$(eval echo \$PORT_$first)/admin/health?status=200"
wait_for grep -q "server app/$first is UP" weir.log
: >r.txt
for i in $(seq 1 10); do curl -s --max-time 5 -b jar.txt "$U/" >>r.txt; done
is "$(tally r.txt)" "$moved=10" "a pinned client stays when the first server comes back"

# ---- prefix and rewrite mark the server's own cookie
c=$(curl -s --max-time 5 -D - -o /dev/null "$U/pre?setcookie=1" | grep -i '^set-cookie:' | tr -d '\r')
like "$c" "sid=(one|two)~s[12]-1; Path=/" "prefix puts the server's mark before its value"
srv=$(printf '%s' "$c" | sed 's/.*sid=\([a-z]*\)~.*/\1/')
back=$(printf '%s' "$c" | sed 's/.*sid=\([^;]*\);.*/\1/')
out=$(curl -s --max-time 5 -b "sid=$back" "$U/pre?echo=1")
like "$out" "sid=s[12]-1" "and takes it off what the server gets"
c=$(curl -s --max-time 5 -D - -o /dev/null "$U/rew?setcookie=1" | grep -i '^set-cookie:' | tr -d '\r')
like "$c" "sid=(one|two); Path=/" "rewrite gives the server's cookie its mark as value"

stop_weir
done_testing
