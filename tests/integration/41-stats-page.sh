#!/bin/sh
# The stats page: 'stats enable', 'uri', 'auth', 'realm', 'refresh',
# 'hide-version', 'show-node', 'show-legends' and 'stats admin if COND'.
# One self-contained HTML page with a table per frontend and backend, its
# CSV at uri;csv, a 401 without credentials, and admin actions by POST
# that take a server out of rotation.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 21

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
PW=$(free_port)
PS=$(free_port)
PD=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:$PW
    default_backend app
backend app
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
listen stats
    bind 127.0.0.1:$PS
    stats enable
    stats uri /stats
    stats refresh 7s
    stats realm "weir admin"
    stats auth admin:s3cret
    stats auth ops:other
    stats hide-version
    stats show-node edge-1
    stats show-legends
    stats admin if { src 127.0.0.1 }
listen plain
    bind 127.0.0.1:$PD
    stats enable
CONF
run "$WEIR" -c -f lb.conf
is "$RC:$ERR" "0:" "the stats keywords check with no warning"
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"
S="http://127.0.0.1:$PS/stats"

for i in 1 2 3 4; do
	curl -s --max-time 5 -o /dev/null "$U/x"
done

run curl -s --max-time 5 -o /dev/null -D h401.txt -w '%{http_code}' "$S"
is "$OUT" "401" "without credentials the page answers 401"
like "$(cat h401.txt)" '^WWW-Authenticate: Basic realm="weir admin"' \
    "with the realm"
run curl -s --max-time 5 -o /dev/null -w '%{http_code}' -u admin:wrong "$S"
is "$OUT" "401" "a wrong password gets 401"

run curl -s --max-time 5 -u ops:other -D h.txt -o page.html "$S"
is "$RC" "0" "the page answers a user of 'stats auth'"
like "$(cat h.txt)" '^Content-Type: text/html' "it is HTML"
page=$(cat page.html)
like "$page" '<meta http-equiv="refresh" content="7">' "it refreshes every 7 s"
like "$page" '<caption>frontend web</caption>' "it has a table for frontend web"
like "$page" '<caption>backend app</caption>' "and one for backend app"
like "$page" '<tr class="UP"><td>a</td><td>UP</td><td>1</td>' \
    "server a: status, weight"
like "$page" 'node edge-1' "show-node names the node"
like "$page" 'Legend:' "show-legends explains the states"
n=$(grep -c -E 'src=|<link|href="https?:' page.html)
is "$n" "0" "the page is self-contained: no external asset"
n=$(grep -c 'weir [0-9]' page.html)
is "$n" "0" "hide-version: no version"

run curl -s --max-time 5 -u admin:s3cret "$S;csv"
like "$OUT" '^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,' \
    "uri;csv is HAProxy's CSV"
like "$(printf '%s\n' "$OUT" | grep '^web,FRONTEND,')" \
    '^web,FRONTEND,([^,]*,){46}4,' "the CSV counts web's 4 requests (req_tot)"

# an admin action: POST uri?b=&s=&action=
run curl -s --max-time 5 -u admin:s3cret -o /dev/null -w '%{http_code}' \
    -X POST "$S?b=app&s=a&action=maint"
is "$OUT" "200" "POST ?b=app&s=a&action=maint is done"
: >rr.txt
for i in 1 2 3 4; do
	curl -s --max-time 5 "$U/" >>rr.txt
done
is "$(tally rr.txt)" "b=4" "server a is out of rotation"
curl -s --max-time 5 -u admin:s3cret -o /dev/null -X POST \
    "$S?b=app&s=a&action=ready"
run curl -s --max-time 5 -u admin:s3cret "$S;csv"
like "$(printf '%s\n' "$OUT" | grep '^app,a,')" ',UP,1,' \
    "action=ready brings it back"

run curl -s --max-time 5 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PD/weir?stats"
is "$OUT" "200" "'stats enable' alone serves the page at /weir?stats"

stop_weir
done_testing
