#!/bin/sh
# Protocol checks: Redis, PostgreSQL and MySQL servers that answer well
# stay up, those that answer errors go down with the reason; and
# on-marked-down shutdown-sessions closes the sessions of a server that
# goes down.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 11

cd "$T_DIR" || exit 99
FAKE="$TOP_SRCDIR/tests/integration/fakedb.py"
fake() { # fake NAME KIND [broken]: start a fake server; sets PORT_NAME
	python3 "$FAKE" "$2" "$T_DIR/$1.port" ${3:-} >"$T_DIR/$1.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	wait_for test -s "$T_DIR/$1.port" || return 1
	eval "PORT_$1=$(cat "$T_DIR/$1.port")"
}
fake redis_ok redis || exit 99
fake redis_bad redis broken || exit 99
fake pg_ok pgsql || exit 99
fake pg_bad pgsql broken || exit 99
fake my_ok mysql || exit 99
fake my_bad mysql broken || exit 99
backend app || exit 99
PW=$(free_port)
P1=$(free_port)
P2=$(free_port)
P3=$(free_port)

cat >lb.conf <<CONF
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check 2s
    default-server check inter 100ms fall 1 rise 1
listen redis
    bind 127.0.0.1:$P1
    option redis-check
    server ok 127.0.0.1:$PORT_redis_ok
    server bad 127.0.0.1:$PORT_redis_bad
listen pg
    bind 127.0.0.1:$P2
    option pgsql-check user weir
    server ok 127.0.0.1:$PORT_pg_ok
    server bad 127.0.0.1:$PORT_pg_bad
listen my
    bind 127.0.0.1:$P3
    option mysql-check user weir post-41
    server ok 127.0.0.1:$PORT_my_ok
    server bad 127.0.0.1:$PORT_my_bad
listen web
    mode http
    bind 127.0.0.1:$PW
    option httpchk GET /health
    server app 127.0.0.1:$PORT_app on-marked-down shutdown-sessions
CONF
start_weir lb.conf
ok $? "weir starts"

wait_for grep -q "server redis/bad is DOWN: Redis did not answer PONG" weir.log
ok $? "redis-check: a server answering an error is down"
wait_for grep -q "server pg/bad is DOWN: PostgreSQL error" weir.log
ok $? "pgsql-check: a server answering an ErrorResponse is down"
wait_for grep -q "server my/bad is DOWN: MySQL error 1045: Access denied" weir.log
ok $? "mysql-check: a refused login is down, with MySQL's message"
# the good ones have been checked as often by now (fall 1: one failure is enough)
is "$(grep -c 'server redis/ok is DOWN' weir.log)" "0" "redis-check: PONG passes"
out=$(python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"PING\r\n")
print(s.recv(100).decode().strip())' "$P1")
is "$out" "+PONG" "traffic goes to the Redis server that passes"
is "$(grep -c 'server pg/ok is DOWN' weir.log)" "0" "pgsql-check: an authentication request passes"
is "$(grep -c 'server my/ok is DOWN' weir.log)" "0" "mysql-check: an accepted login passes"

# on-marked-down shutdown-sessions: a long request on the server is cut
curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PW/?delay=15000" >long.txt 2>&1 &
LONG=$!
T_PIDS="$T_PIDS $LONG"
wait_for grep -q "GET /?delay=15000" app.log
ok $? "a long request is in flight"
curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT_app/admin/health?status=503"
wait_for grep -q "server web/app is DOWN" weir.log
ok $? "its server is marked down"
wait_for sh -c "! kill -0 $LONG"
wait "$LONG"
is "$(cat long.txt)" "000" "the client's connection was closed at once, not after 15 s"

stop_weir
done_testing
