#!/bin/sh
# The command line: versions, help, usage errors, a summary of the graph.
. "$(dirname "$0")/lib.sh"

plan 13

run "$WEIR" -v
is "$RC" 0 "weir -v exits 0"
like "$OUT" '^weir [0-9]+\.[0-9]+\.[0-9]+$' "weir -v names weir's version"
like "$OUT" '^libevent 2\.1' "weir -v names libevent's version"
like "$OUT" '^OpenSSL 3\.' "weir -v names OpenSSL's version"

run "$WEIR" -h
is "$RC" 0 "weir -h exits 0"
like "$OUT" '^usage: weir' "weir -h prints the usage"

run "$WEIR" -x
is "$RC" 2 "an unknown option exits 2"
like "$ERR" '^usage: weir' "an unknown option prints the usage"

run "$WEIR" -f "$T_DIR/nosuch.conf"
is "$RC" 1 "a missing file exits 1"
like "$ERR" "nosuch.conf: error: cannot open '.*nosuch.conf': No such file or directory" \
    "a missing file is named with the reason"

P=$(free_port)
WEIR_PORT=$P APP1_PORT=$(free_port) APP2_PORT=$(free_port) API_PORT=$(free_port)
export WEIR_PORT APP1_PORT APP2_PORT API_PORT
start_weir "$TOP_SRCDIR/conf/quickstart.cfg"
ok $? "weir -f serves the quickstart and says it is ready"
like "$(cat "$T_DIR/weir.log")" "^weir: frontend 'web' listening on 127.0.0.1:$P$" \
    "weir -f logs one line per listener"
stop_weir
is "$RC" 0 "weir exits 0 on SIGTERM"

done_testing
