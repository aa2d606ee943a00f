#!/bin/sh
# A log target that stops taking lines never holds up a request: weir's
# standard output is a pipe nobody reads, so the log thread blocks in
# write(); the worker goes on serving, its ring fills, and the lines past
# it are dropped, counted and reported once the pipe is gone.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v mkfifo >/dev/null 2>&1 || skip_all "mkfifo is not installed"
plan 5

cd "$T_DIR" || exit 99
backend a || exit 99
PW=$(free_port)
N=3000

cat >lb.conf <<CONF
global
    nbthread 1
    log stdout format json
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    log global
    option httplog
frontend web
    bind 127.0.0.1:$PW
    default_backend ba
backend ba
    server a 127.0.0.1:$PORT_a
CONF

# a reader that holds the pipe open and never reads
mkfifo out.fifo || exit 99
sleep 300 <out.fifo &
READER=$!
T_PIDS="$T_PIDS $READER"
: >weir.log
"$WEIR" -f lb.conf >out.fifo 2>weir.log &
WEIR_PID=$!
T_PIDS="$T_PIDS $WEIR_PID"
wait_for grep -q '^weir: ready' weir.log
ok $? "weir starts with its standard output on a pipe"

# more requests than the pipe and the ring hold, on one connection
run python3 - "$PW" "$N" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
ok = 0
for i in range(int(sys.argv[2])):
    c.request("GET", "/r%d" % i)
    r = c.getresponse()
    r.read()
    ok += r.status == 200
print(ok)
PY
is "$OUT" "$N" "every request is served while the log output is stuck"

kill "$READER"
wait_for grep -q 'lines dropped' weir.log
ok $? "the log thread reports the lines it dropped"
D=$(sed -n 's/^weir: log: \([0-9]*\) lines dropped.*/\1/p' weir.log | head -1)
[ -n "$D" ] && [ "$D" -gt 0 ] && [ "$D" -lt "$N" ]
ok $? "a count between 1 and the requests sent ($D)"

stop_weir
is "$RC" 0 "weir stops cleanly"
done_testing
