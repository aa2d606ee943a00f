#!/bin/sh
# The admin socket: every command, through socat and weirctl; levels
# user, operator and admin; admin states and weights that take servers
# out of rotation or reweigh them and survive reloads; 'reload' and
# weirctl reporting a broken file's errors; clients that stall or flood
# the socket do not stop weir from serving.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v socat >/dev/null 2>&1 || skip_all "socat is not installed"
plan 50

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend c || exit 99
PW=$(free_port)
SA="$T_DIR/admin.sock"
SO="$T_DIR/oper.sock"
SU="$T_DIR/user.sock"
WEIRCTL="$(dirname "$WEIR")/weirctl"

conf() {
	cat <<CONF
global
    nbthread 1
    stats socket $SA mode 600 level admin expose-fd listeners
    stats socket $SO mode 660 level operator
    stats socket unix@$SU level user
    stats timeout 2s
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
    server c 127.0.0.1:$PORT_c disabled
$1
CONF
}
conf "" >lb.conf
run "$WEIR" -c -f lb.conf
is "$RC:$ERR" "0:" "the stats socket lines check with no warning"
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# cmd SOCKET LINE: the answer, through socat
cmd() {
	printf '%s\n' "$2" | socat -t 5 stdio "UNIX-CONNECT:$1" 2>&1
}
# spread N: N requests, "name=count ..." of the servers that answered
spread() {
	: >spread.txt
	s_i=0
	while [ "$s_i" -lt "$1" ]; do
		curl -s --max-time 5 "$U/" >>spread.txt || echo fail >>spread.txt
		s_i=$((s_i + 1))
	done
	tally spread.txt
}

is "$(stat -c %a "$SA") $(stat -c %a "$SO") $(stat -c %a "$SU")" "600 660 600" \
    "the sockets have their modes"
info=$(cmd "$SA" "show info")
like "$info" '^Name: weir$' "show info: Name"
like "$info" "^Pid: $WEIR_PID\$" "show info: Pid"
like "$info" '^Nbthread: 1$' "show info: Nbthread"
like "$info" '^Uptime: 0d 0h[0-9]{2}m[0-9]{2}s$' "show info: Uptime"
like "$info" '^CurrConns: 0$' "show info: CurrConns"
like "$info" '^Config_generation: 1$' "show info: the configuration generation"
like "$info" '^Last_reload: none$' "show info: no reload yet"
like "$info" '^Version: ' "show info: Version"

is "$(spread 4)" "a=2 b=2" "c, disabled in the file, takes no request"
st=$(cmd "$SU" "show stat")
like "$st" '^# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,' \
    "show stat: HAProxy's CSV header, at level user"
like "$st" '^app,a,([^,]*,){15}UP,1,' "show stat: server a is UP, weight 1"
like "$st" '^app,c,([^,]*,){15}MAINT,1,' "show stat: server c is in MAINT"
like "$st" '^app,BACKEND,' "show stat: a BACKEND line"
like "$st" '^web,FRONTEND,([^,]*,){15}OPEN,' "show stat: a FRONTEND line"
ss=$(cmd "$SU" "show servers state app")
like "$ss" '^1$' "show servers state: version 1"
like "$ss" "^2 app 3 c 127.0.0.1 0 1 1 1 [0-9]+ 0 0 0 0 0 0 0 - $PORT_c -\$" \
    "show servers state: c stopped, in maintenance"

# levels
is "$(cmd "$SU" "disable server app/a")" "Permission denied" \
    "level user cannot disable a server"
is "$(cmd "$SU" "set server app/a weight 5")" "Permission denied" \
    "level user cannot set a weight"
is "$(cmd "$SU" "show errors")" "Permission denied" \
    "level user cannot see the errors"
is "$(cmd "$SO" "set server app/a state drain")" "Permission denied" \
    "level operator cannot change a server"
is "$(cmd "$SO" "reload")" "Permission denied" "level operator cannot reload"
is "$(cmd "$SA" "frobnicate now")" \
    "Unknown command: 'frobnicate'; 'help' lists the commands." \
    "an unknown command gets one line"
like "$(cmd "$SU" "help")" 'set server <bk>/<srv> weight' "help lists the commands"

# show errors: a request with a broken field
raw "$PW" 'GET / HTTP/1.1\r\nHost: x\r\nBad Field\r\n\r\n' >bad.txt
errs=$(cmd "$SO" "show errors")
like "$errs" 'frontend web: invalid request, answered 400' \
    "show errors: the refused request, at level operator"
like "$errs" '00016  48 6f 73 74 3a 20 78 0d  0a 42 61 64 20<46 69 65  \|Host: x..Bad Fie\|' \
    "show errors: a hex dump marks the offending byte"

# interactive mode: answers, each followed by a prompt, until quit
run sh -c "printf 'prompt\nshow info\nhelp\nquit\n' | socat -t 5 stdio UNIX-CONNECT:$SA"
like "$(printf '%s' "$OUT" | tr '\n' '|')" \
    '^\|> Name: weir\|.*\|\|> The following commands.*\|\|> $' \
    "prompt keeps the connection for more commands, until quit"

# disable and enable, drain and ready, over reloads
is "$(cmd "$SA" "disable server app/a")" "" "disable server answers nothing"
is "$(spread 4)" "b=4" "a disabled server takes no request"
conf "# a comment" >lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q 'generation 2 ' weir.log
is "$(spread 4)" "b=4" "it stays out of rotation after a reload"
cmd "$SA" "enable server app/a" >/dev/null
cmd "$SA" "enable server app/c" >/dev/null
is "$(spread 6)" "a=2 b=2 c=2" "enable server brings a, and c disabled in the file, in"
cmd "$SA" "set server app/b state drain" >/dev/null
is "$(spread 4)" "a=2 c=2" "a drained server takes no new request"
cmd "$SA" "set server app/b state ready; set server app/c state maint" >/dev/null
is "$(spread 4)" "a=2 b=2" "ready and maint, chained with ';'"

# weights: rebuilt balance tables that a reload keeps
is "$(cmd "$SA" "set server app/a weight 3")" "" "set server weight answers nothing"
is "$(spread 8)" "a=6 b=2" "weight 3 against 1: a takes three requests in four"
kill -HUP "$WEIR_PID"
wait_for grep -q 'generation 4 ' weir.log
is "$(spread 8)" "a=6 b=2" "the weight survives a reload"
like "$(cmd "$SU" "show stat")" '^app,a,([^,]*,){15}UP,3,' "show stat shows weight 3"
cmd "$SA" "set weight app/a 100%" >/dev/null
is "$(spread 4)" "a=2 b=2" "set weight 100% is the configured weight again"

# reload through the socket and weirctl
run "$WEIRCTL" -s "$SA" reload
is "$RC" "0" "weirctl reload: exit 0 on success"
like "$OUT" '^Success=1$' "the answer says Success=1"
printf 'backend broken\n    balance nosuch\n    server x 127.0.0.1:1 weight 999\n' >>lb.conf
run "$WEIRCTL" -s "$SA" reload
is "$RC" "1" "weirctl reload: exit 1 when the file is broken"
like "$OUT" "lb.conf:[0-9]+:[0-9]+: error: .*nosuch" "it prints the first error"
like "$OUT" "lb.conf:[0-9]+:[0-9]+: error: weight must be 0..256, got 999" \
    "and the second"
run "$WEIRCTL" -s "$SU" disable server app/a
is "$RC:$OUT" "1:Permission denied" "weirctl: exit 1 when the level does not allow"

# a client that says nothing, one that floods: weir serves on
python3 - "$SA" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(b"x" * 100000)
except OSError:
    pass
time.sleep(5)
PY
FLOOD=$!
T_PIDS="$T_PIDS $FLOOD"
python3 - "$SA" >idle.txt <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(8)
t = time.time()
try:
    d = s.recv(100)
except socket.timeout:
    d = b"timeout"
print("closed" if d == b"" else d)
PY
IDLE=$!
T_PIDS="$T_PIDS $IDLE"
is "$(spread 2)" "a=1 b=1" "requests are served while clients stall the socket"
like "$(cmd "$SA" "show info")" '^Name: weir$' "the socket answers others meanwhile"
wait_for grep -q . idle.txt
is "$(cat idle.txt)" "closed" "an idle client is closed at stats timeout"

stop_weir
is "$RC" "0" "weir stops"
done_testing
