#!/bin/sh
# The command line: versions, help, usage errors, a summary of the graph.
. "$(dirname "$0")/lib.sh"

plan 12

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

run "$WEIR" -f "$TOP_SRCDIR/conf/quickstart.cfg"
is "$RC" 0 "weir -f on the quickstart exits 0"
like "$OUT" 'quickstart.cfg: 1 frontend, 2 backends, 3 servers, 1 listener, 1 thread$' \
    "weir -f prints a summary of the graph"

done_testing
