#!/bin/sh
# Balancers end to end: one weir of one thread, a backend section per
# algorithm over the same test servers, each server answering its name.
# Nothing here waits on a clock to pass: an in-flight request is one that
# the server's log shows and that never gets an answer.
. "$(dirname "$0")/lib.sh"

need_engine_tools
plan 18

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
backend c || exit 99
backend k || exit 99
backend l1 || exit 99
backend l2 || exit 99
PW=$(free_port)
DEAD1=$(free_port)
DEAD2=$(free_port)

cat >lb.conf <<CONF
global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:$PW
    use_backend srr if { path_beg /srr/ }
    use_backend lc if { path_beg /lc/ }
    use_backend first if { path_beg /first/ }
    use_backend src if { path_beg /src/ }
    use_backend uri if { path_beg /uri/ }
    use_backend hdr if { path_beg /hdr/ }
    use_backend rnd if { path_beg /rnd/ }
    use_backend up if { path_beg /up/ }
    use_backend down if { path_beg /down/ }
    default_backend srr
backend srr
    balance static-rr
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend lc
    balance leastconn
    server l1 127.0.0.1:$PORT_l1
    server l2 127.0.0.1:$PORT_l2
backend first
    balance first
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
backend src
    balance source
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend uri
    balance uri
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend hdr
    balance hdr(X-User)
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server c 127.0.0.1:$PORT_c
backend rnd
    balance random
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
backend up
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
    server k 127.0.0.1:$PORT_k backup
backend down
    option redispatch
    retries 3
    server d1 127.0.0.1:$DEAD1
    server d2 127.0.0.1:$DEAD2
    server k 127.0.0.1:$PORT_k backup
CONF
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

# get N PATH OUT [curl args]: N requests, one server name a line in OUT.
get() {
	g_n=$1
	g_path=$2
	g_out=$3
	shift 3
	: >"$g_out"
	g_i=0
	while [ "$g_i" -lt "$g_n" ]; do
		g_i=$((g_i + 1))
		curl -s --max-time 5 "$@" "$U$g_path" >>"$g_out" ||
		    echo "curl-failed" >>"$g_out"
	done
}

# distinct FILE: how many different lines FILE has.
distinct() {
	sort -u "$1" | wc -l | tr -d ' '
}

get 30 /srr/x srr.txt
is "$(tally srr.txt)" "a=10 b=10 c=10" "static-rr: 30 requests, 10 per server"
is "$(head -6 srr.txt | tr '\n' ' ')" "a b c a b c " \
    "static-rr: the servers take turns in file order"

# leastconn: a request that hangs keeps one connection open to its
# server; the server's log says when it is there.
curl -s --max-time 60 "$U/lc/slow?hang=1" >/dev/null 2>&1 &
SLOW=$!
T_PIDS="$T_PIDS $SLOW"
wait_for grep -q ' /lc/slow' l1.log l2.log
ok $? "leastconn: the hanging request reaches a server"
if grep -q ' /lc/slow' l1.log; then
	busy=l1 idle=l2
else
	busy=l2 idle=l1
fi
get 4 /lc/quick lc.txt
is "$(tally lc.txt)" "$idle=4" \
    "leastconn: new requests go to the server without one in flight"
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

get 5 /first/x first.txt
is "$(tally first.txt)" "a=5" "first: every request goes to the first server"

get 20 /src/x src.txt
like "$(tally src.txt)" '^[abc]=20$' \
    "source: 20 requests from one address reach one server"

get 10 /uri/a uria.txt
like "$(tally uria.txt)" '^[abc]=10$' "uri: /uri/a always reaches one server"
: >uris.txt
i=0
while [ "$i" -lt 20 ]; do
	i=$((i + 1))
	curl -s --max-time 5 "$U/uri/$i" >>uris.txt
done
like "$(distinct uris.txt)" '^[23]$' "uri: 20 paths reach more than one server"
get 3 '/uri/a?x=1' uriq.txt
is "$(sort -u uriq.txt)" "$(sort -u uria.txt)" \
    "uri: the query string does not change the server"

get 10 /hdr/x alice.txt -H 'X-User: alice'
like "$(tally alice.txt)" '^[abc]=10$' \
    "hdr: one X-User value always reaches one server"
: >users.txt
i=0
while [ "$i" -lt 20 ]; do
	i=$((i + 1))
	curl -s --max-time 5 -H "X-User: user$i" "$U/hdr/x" >>users.txt
done
like "$(distinct users.txt)" '^[23]$' \
    "hdr: 20 X-User values reach more than one server"
get 6 /hdr/x nohdr.txt
is "$(tally nohdr.txt)" "a=2 b=2 c=2" \
    "hdr: requests without the header take turns"

get 40 /rnd/x rnd.txt
like "$(tally rnd.txt)" '^a=[0-9]+ b=[0-9]+$' \
    "random: 40 requests reach both servers"

get 10 /up/x up.txt
is "$(tally up.txt)" "a=5 b=5" "backup: idle while the active servers answer"
get 4 /down/x down.txt
is "$(tally down.txt)" "k=4" \
    "backup: serves once every active server refused the request"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$U/down/x")" \
    "200" "backup: the client sees no error"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
done_testing
