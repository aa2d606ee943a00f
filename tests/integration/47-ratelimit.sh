#!/bin/sh
# Rate limiting with a stick table: 150 requests from one address against
# a limit of 100 per 10 s: exactly the excess gets 429 with Retry-After;
# another address is not limited; a reload keeps the count.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 8

cd "$T_DIR" || exit 99
backend app || exit 99
PW=$(free_port)
PE=$(free_port)

cat >lb.conf <<CONF
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:$PW
    stick-table type ip size 100k expire 60s store http_req_rate(10s),conn_cur
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }
    default_backend app
frontend errs
    bind 127.0.0.1:$PE
    stick-table type ip size 1k expire 60s store http_err_rate(60s)
    http-request track-sc0 src
    http-request deny deny_status 403 if { sc_http_err_rate(0) gt 3 }
    default_backend app
backend app
    server app 127.0.0.1:$PORT_app
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW/"

# one curl, 150 requests: fast enough to sit in one 10 s period
set --
i=0
while [ $i -lt 150 ]; do set -- "$@" -o /dev/null "$U"; i=$((i + 1)); done
curl -s --max-time 60 -w '%{http_code}\n' "$@" >codes.txt
is "$(tally codes.txt)" "200=100 429=50" "150 requests at a limit of 100: exactly 50 get 429"
like "$(curl -s --max-time 5 -D - -o /dev/null "$U")" "Retry-After: 10" \
    "a 429 says when to come back"
is "$(curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$PW/")" "200" "another client address is not limited"
kill -HUP "$WEIR_PID"
wait_for grep -q "reloaded" weir.log
ok $? "weir reloads"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U")" "429" \
    "after a reload the limited address is still limited"
is "$(grep -c 'GET / ' app.log)" "101" "denied requests never reach the server"

# each 4xx answer counts as an error: after 4 of them, denied (403s count too)
set --
i=0
while [ $i -lt 6 ]; do
	set -- "$@" -o /dev/null "http://127.0.0.1:$PE/e?status=404"
	i=$((i + 1))
done
curl -s --max-time 20 -w '%{http_code}\n' "$@" >errs.txt
is "$(tally errs.txt)" "403=2 404=4" "http_err_rate counts 4xx answers: after 4, the client is denied"

stop_weir
done_testing
