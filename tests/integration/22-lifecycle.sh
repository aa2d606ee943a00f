#!/bin/sh
# The process around the proxy: -p pidfile, readiness and reloads told to
# a service manager through $NOTIFY_SOCKET, SIGUSR1, and a storm of
# SIGHUPs that neither crashes nor grows the process.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 10

cd "$T_DIR" || exit 99
backend s1 || exit 99
PW=$(free_port)
cat >lb.conf <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:$PW
    default_backend app
backend app
    server s1 127.0.0.1:$PORT_s1
CONF

# a service manager's end of the notify socket: prints what it gets
python3 - "$T_DIR/notify.sock" >notify.txt <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    while True:
        msg = s.recv(4096).decode()
        print(msg.replace("\n", " "), flush=True)
        if msg.startswith("STOPPING=1"):
            break
except socket.timeout:
    pass
PY
T_PIDS="$T_PIDS $!"
wait_for test -S "$T_DIR/notify.sock"

: >"$T_DIR/weir.log"
NOTIFY_SOCKET="$T_DIR/notify.sock" "$WEIR" -f lb.conf -p "$T_DIR/weir.pid" \
    >>"$T_DIR/weir.log" 2>&1 &
WEIR_PID=$!
T_PIDS="$T_PIDS $WEIR_PID"
wait_for grep -q '^weir: ready' "$T_DIR/weir.log"
ok $? "weir starts"
is "$(cat weir.pid 2>/dev/null)" "$WEIR_PID" "-p writes the process id"
wait_for grep -q "READY=1" notify.txt
ok $? "READY=1 is sent to \$NOTIFY_SOCKET once listening"

kill -HUP "$WEIR_PID"
wait_for grep -q "generation 2 " "$T_DIR/weir.log"
wait_for sh -c "grep -c READY=1 notify.txt | grep -q 2"
like "$(cat notify.txt)" "^RELOADING=1 MONOTONIC_USEC=[0-9]+$" \
    "a reload says RELOADING=1, then READY=1 again"

kill -USR1 "$WEIR_PID"
wait_for grep -q "SIGUSR1" "$T_DIR/weir.log"
is "$(curl -s --max-time 5 "http://127.0.0.1:$PW/")" "s1" "SIGUSR1 does not stop weir"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$WEIR_PID/status"; }
i=0
while [ $i -lt 20 ]; do kill -HUP "$WEIR_PID"; i=$((i + 1)); done
wait_for sh -c "tail -1 $T_DIR/weir.log | grep -q reloaded"
before=$(rss)
i=0
while [ $i -lt 100 ]; do kill -HUP "$WEIR_PID"; i=$((i + 1)); done
sleep 1
wait_for sh -c "tail -1 $T_DIR/weir.log | grep -q reloaded"
after=$(rss)
is "$(curl -s --max-time 5 "http://127.0.0.1:$PW/")" "s1" "100 SIGHUPs in a row: weir still serves"
ok "$([ $((after - before)) -lt 4096 ] && echo 0 || echo 1)" \
    "and has not grown (${before} kB, then ${after} kB)"
n=$(grep -c "reloaded: generation" "$T_DIR/weir.log")
ok "$([ "$n" -ge 3 ] && [ "$n" -le 121 ] && echo 0 || echo 1)" \
    "the storm is absorbed: $n reloads for 121 signals, never more"

kill -TERM "$WEIR_PID"
wait_for grep -q "STOPPING=1" notify.txt
ok $? "SIGTERM says STOPPING=1"
wait_for sh -c "! kill -0 $WEIR_PID"
ok "$([ ! -e weir.pid ] && echo 0 || echo 1)" "the pidfile is removed at exit"
done_testing
