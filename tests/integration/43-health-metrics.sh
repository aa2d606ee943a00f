#!/bin/sh
# What health checks, queues and the breaker decide, as the admin socket,
# the CSV and the Prometheus exposition show it: the last check's result,
# a server down, a backend's queue length.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v socat >/dev/null 2>&1 || skip_all "socat is not installed"
command -v promtool >/dev/null 2>&1 || skip_all "promtool is not installed"
plan 12

cd "$T_DIR" || exit 99
backend a || exit 99
backend one || exit 99
PW=$(free_port)
DEAD=$(free_port)
SA="$T_DIR/admin.sock"

cat >lb.conf <<CONF
global
    nbthread 1
    stats socket $SA level admin
defaults
    mode http
    timeout connect 1s
    timeout client 20s
    timeout server 20s
    timeout check 1s
frontend web
    bind 127.0.0.1:$PW
    http-request use-service prometheus-exporter if { path /metrics }
    use_backend serial if { path_beg /serial }
    default_backend app
backend app
    option httpchk GET /health
    default-server check inter 100ms fall 1 rise 1
    server a 127.0.0.1:$PORT_a
    server dead 127.0.0.1:$DEAD
backend serial
    timeout queue 20s
    server one 127.0.0.1:$PORT_one maxconn 1
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

cmd() {
	printf '%s\n' "$1" | socat -t 5 stdio "UNIX-CONNECT:$SA" 2>&1
}
checked() {
	cmd "show stat" | grep -q '^app,dead,.*,DOWN,' &&
	    cmd "show stat" | grep -q '^app,a,.*,L7OK,200,'
}
wait_for checked
ok $? "the checks have run"
st=$(cmd "show stat")
like "$st" '^app,a,([^,]*,){15}UP,1,([^,]*,){17}L7OK,200,[0-9]+,' \
    "show stat: a is UP, its last check L7OK 200 with a duration"
like "$st" '^app,dead,([^,]*,){15}DOWN,1,([^,]*,){17}L4CON,,' \
    "show stat: the dead server is DOWN, its check L4CON"

# a request holds the only slot of 'one'; the next one waits in the queue
curl -s --max-time 30 -o /dev/null "$U/serial/a?hang=1" &
H1=$!
T_PIDS="$T_PIDS $H1"
wait_for grep -q 'GET /serial/a' one.log
curl -s --max-time 30 -o /dev/null "$U/serial/b" &
H2=$!
T_PIDS="$T_PIDS $H2"
queued() {
	cmd "show stat" | grep -q '^serial,BACKEND,1,1,'
}
wait_for queued
ok $? "show stat: the backend's qcur and qmax are 1"

curl -s --max-time 5 -o m.txt "$U/metrics"
metric() {
	grep -v '^#' m.txt | grep -F "$1 " | head -1 | awk '{ print $2 }'
}
is "$(metric 'weir_backend_current_queue{proxy="serial"}')" "1" \
    "metrics: the queue length"
is "$(metric 'weir_backend_max_queue{proxy="serial"}')" "1" \
    "metrics: the longest queue"
is "$(metric 'weir_server_check_status{proxy="app",server="a",state="L7OK"}')" \
    "1" "metrics: a's last check is L7OK"
is "$(metric 'weir_server_check_status{proxy="app",server="dead",state="L4CON"}')" \
    "1" "metrics: dead's last check is L4CON"
is "$(metric 'weir_server_status{proxy="app",server="dead",state="DOWN"}')" \
    "1" "metrics: dead is DOWN"
is "$(metric 'weir_server_breaker_state{proxy="app",server="a",state="closed"}')" \
    "1" "metrics: a's breaker is closed"
run sh -c "promtool check metrics <m.txt"
is "$RC:$OUT$ERR" "0:" "promtool checks it with no warning"

kill "$H1" "$H2" 2>/dev/null
wait "$H1" "$H2" 2>/dev/null
stop_weir
done_testing
