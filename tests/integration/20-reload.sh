#!/bin/sh
# Reload under load: wrk with keep-alive and with 'Connection: close' at
# once, 20 reloads that add and remove a server: no error, no non-2xx; a
# long request across reloads completes; a broken file changes nothing.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v wrk >/dev/null 2>&1 || skip_all "wrk is not installed"
plan 14

cd "$T_DIR" || exit 99
backend s1 || exit 99
backend s2 || exit 99
PW=$(free_port)
PN=$(free_port)

conf() {
	# conf FILE [with-s2] [bind2]
	{
		printf 'global\n    nbthread 2\n'
		printf 'defaults\n    mode http\n    timeout connect 2s\n'
		printf '    timeout client 30s\n    timeout server 30s\n'
		printf 'frontend web\n    bind 127.0.0.1:%s\n' "$PW"
		[ -n "${3:-}" ] && printf '    bind 127.0.0.1:%s\n' "$PN"
		printf '    default_backend app\nbackend app\n'
		printf '    server s1 127.0.0.1:%s\n' "$PORT_s1"
		[ -n "${2:-}" ] && printf '    server s2 127.0.0.1:%s\n' "$PORT_s2"
	} >"$1"
}
conf one.conf
conf two.conf yes
cp one.conf lb.conf
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$U/?delay=4000" >long.txt &
LONG=$!
wrk -t1 -c16 -d12s "$U/" >wrk-ka.txt 2>&1 &
WK=$!
wrk -t1 -c4 -d12s -H 'Connection: close' "$U/" >wrk-close.txt 2>&1 &
WC=$!
T_PIDS="$T_PIDS $LONG $WK $WC"
wait_for grep -q "GET /?delay=4000" "$T_DIR/s1.log"
ok $? "a 4 s request is in flight before the first reload"

i=1
while [ $i -le 20 ]; do
	if [ $((i % 2)) -eq 1 ]; then cp two.conf lb.conf; else cp one.conf lb.conf; fi
	kill -HUP "$WEIR_PID"
	wait_for grep -q "generation $((i + 1)) " "$T_DIR/weir.log"
	sleep 0.4
	i=$((i + 1))
done
is "$(grep -c 'weir: reloaded: generation' weir.log)" "20" "20 reloads are made and logged"
like "$(grep 'generation 2 ' weir.log)" "generation 2 in [0-9.]+ ms: \+server app/s2$" \
    "a reload logs its generation, its time and what changed"

wait $WK
wait $WC
wait $LONG
like "$(cat wrk-ka.txt)" "[0-9]+ requests in" "wrk with keep-alive ran"
is "$(grep -E 'Socket errors|Non-2xx' wrk-ka.txt)" "" \
    "keep-alive clients see no socket error and no non-2xx across reloads"
like "$(cat wrk-close.txt)" "[0-9]+ requests in" "wrk with Connection: close ran"
is "$(grep -E 'Socket errors|Non-2xx' wrk-close.txt)" "" \
    "closing clients see no socket error and no non-2xx across reloads"
is "$(cat long.txt)" "200" "the 4 s request started before the reloads completes with 200"

# the last reload left one server: one more to have both
cp two.conf lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 22 " "$T_DIR/weir.log"
: >both.txt
for i in 1 2 3 4 5 6 7 8 9 10; do curl -s --max-time 5 "$U/" >>both.txt; done
# two threads keep a cursor each: both servers serve, not exactly 5:5
like "$(tally both.txt)" "^s1=[1-9] s2=[1-9]$" "after the reloads both servers serve"

# a broken file: the old configuration keeps serving
printf '    balanse roundrobin\n' >>lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q "reload failed" "$T_DIR/weir.log"
like "$(cat weir.log)" "lb.conf:[0-9]+:5: error: unknown keyword 'balanse'" \
    "a broken file on reload is reported as file:line:col"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/")" "200" \
    "and the old configuration keeps serving"

# a new bind opens on reload; a removed one closes
conf lb.conf yes bind2
kill -HUP "$WEIR_PID"
wait_for grep -q "+bind 127.0.0.1:$PN" "$T_DIR/weir.log"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PN/")" "200" \
    "a bind added by a reload serves"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
done_testing
