#!/bin/sh
# SIGTERM: requests in flight finish, new connections are refused, weir
# exits 0; a second SIGTERM exits at once.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 8

cd "$T_DIR" || exit 99
backend s1 || exit 99
PW=$(free_port)
cat >lb.conf <<CONF
global
    nbthread 2
    hard-stop-after 20s
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:$PW
    default_backend app
backend app
    server s1 127.0.0.1:$PORT_s1
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$U/?delay=3000" >long.txt &
LONG=$!
T_PIDS="$T_PIDS $LONG"
wait_for grep -q "GET /?delay=3000" "$T_DIR/s1.log"
kill -TERM "$WEIR_PID"
wait_for grep -q "stopping" "$T_DIR/weir.log"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/")" "000" \
    "after SIGTERM new connections are refused"
wait $LONG
is "$(cat long.txt)" "200" "a 3 s request in flight completes with 200"
wait_for sh -c "! kill -0 $WEIR_PID"
ok $? "weir exits once nothing is left"
wait "$WEIR_PID"
is "$?" "0" "with status 0"

# hard-stop-after also ends what an old configuration still carries
cp lb.conf long.conf
sed 's/hard-stop-after 20s/hard-stop-after 1s/' long.conf >lb.conf
start_weir lb.conf
curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$U/?delay=20000" >cut.txt &
CUT=$!
T_PIDS="$T_PIDS $CUT"
wait_for grep -q "GET /?delay=20000" "$T_DIR/s1.log"
kill -HUP "$WEIR_PID"
wait_for grep -q "generation 2 " "$T_DIR/weir.log"
wait_for sh -c "! kill -0 $CUT"
ok $? "a request on a replaced configuration ends at hard-stop-after"
is "$(curl -s --max-time 5 "$U/")" "s1" "while new requests are served"
stop_weir

: >"$T_DIR/s1.log"
cp long.conf lb.conf
start_weir lb.conf
curl -s --max-time 30 -o /dev/null "$U/?delay=20000" &
T_PIDS="$T_PIDS $!"
wait_for grep -q "GET /?delay=20000" "$T_DIR/s1.log"
kill -TERM "$WEIR_PID"
wait_for grep -q "stopping" "$T_DIR/weir.log"
kill -TERM "$WEIR_PID"
wait_for sh -c "! kill -0 $WEIR_PID"
ok $? "a second SIGTERM exits without waiting for the request"
done_testing
