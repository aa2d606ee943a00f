#!/bin/sh
# weir -c: every error of a file in one run, compiler style; warnings do
# not fail; bad input of any kind gets a clear error and never a crash.
. "$(dirname "$0")/lib.sh"

plan 29

cd "$T_DIR" || exit 99

cat >lb.conf <<'CONF'
defaults
    mode http
    timeout client 30s
    timeout connect 5x
backend app
    balanse roundrobin
frontend web
    use_backend nosuch
    bind :8080
    default_backend app
backend b
    server s1 127.0.0.1:80 weight -3
CONF
run "$WEIR" -c -f lb.conf
is "$RC" 1 "a file with errors exits 1"
is "$(printf '%s\n' "$ERR" | grep ': error: ')" \
"lb.conf:4:21: error: invalid duration '5x' for 'timeout connect' (expected e.g. 500ms, 5s, 2m)
lb.conf:6:5: error: unknown keyword 'balanse' in backend 'app' (did you mean 'balance'?)
lb.conf:8:17: error: backend 'nosuch' is not defined
lb.conf:12:35: error: weight must be 0..256, got -3" \
    "every error is reported at once, in file order, at line:col"
like "$ERR" '^lb.conf: 4 errors, [0-9]+ warnings?$' "the last line counts errors and warnings"
is "$OUT" "" "nothing goes to stdout when the file is invalid"

cat >ok.conf <<'CONF'
defaults
    mode http
    timeout connect 1s
    timeout server 1s
frontend web
    bind 127.0.0.1:8080
    default_backend app
backend app
    server a 127.0.0.1:9000
CONF
run "$WEIR" -c -f ok.conf
is "$RC" 0 "a valid file with warnings exits 0"
is "$OUT" "ok.conf: configuration is valid" "a valid file is said to be valid"
is "$ERR" "ok.conf:5:1: warning: frontend 'web' has no 'timeout client' (weir uses 30s)" \
    "a frontend with no 'timeout client' gets a warning"
run "$WEIR" -c -q -f ok.conf
is "$OUT$ERR" "" "-q prints nothing for a valid file"

# a backend with no server is a warning only
printf 'backend empty\n    timeout connect 1s\n    timeout server 1s\n' >empty-be.conf
run "$WEIR" -c -f empty-be.conf
is "$RC" 0 "a backend with no server is only a warning"
like "$ERR" "empty-be.conf:1:1: warning: backend 'empty' has no server" \
    "the warning names the backend"

: >empty.conf
run "$WEIR" -c -f empty.conf
is "$RC" 0 "an empty file is valid"

# binary junk, NUL bytes, huge lines, deep and cyclic includes
head -c 65536 /dev/urandom >junk.conf
run "$WEIR" -c -f junk.conf
is "$RC" 1 "binary junk is an error, not a crash"
like "$ERR" "junk.conf" "binary junk errors name the file"
n=$(printf '%s\n' "$ERR" | wc -l)
ok "$([ "$n" -le 60 ] && echo 0 || echo 1)" "binary junk stops after a bounded number of errors ($n lines)"

printf 'global\n    nbthread 1\0 2\n' >nul.conf
run "$WEIR" -c -f nul.conf
is "$RC" 1 "a NUL byte is an error"
like "$ERR" "^nul.conf:2:15: error: NUL byte in the file" "the NUL byte is located"

{ printf 'global\n    pidfile '; head -c 10485760 /dev/zero | tr '\0' a; printf '\n'; } >long.conf
run "$WEIR" -c -f long.conf
is "$RC" 1 "a 10 MB word is an error"
like "$ERR" "^long.conf:2:13: error: word longer than 65536 bytes" "the long word is located"

printf 'global\n    include "self.conf"\n' >self.conf
run "$WEIR" -c -f self.conf
is "$RC" 1 "a file that includes itself is an error"
like "$ERR" "^self.conf:2:13: error: 'self.conf' includes itself" "the cycle is reported at the include"

i=0
while [ $i -lt 20 ]; do
	printf 'include "d%d.conf"\n' $((i + 1)) >d$i.conf
	i=$((i + 1))
done
: >d20.conf
run "$WEIR" -c -f d0.conf
is "$RC" 1 "includes nested too deep are an error"
like "$ERR" "error: includes nested deeper than 16" "the nesting limit is named"

printf 'global\n    include "missing.conf"\n' >inc.conf
run "$WEIR" -c -f inc.conf
like "$ERR" "^inc.conf:2:13: error: cannot include 'missing.conf': No such file or directory" \
    "a missing include is reported at the include"

printf 'global\n    pidfile ${WEIR_TEST_UNSET_VAR}\n' >env.conf
run env -u WEIR_TEST_UNSET_VAR "$WEIR" -c -f env.conf
like "$ERR" "^env.conf:2:13: error: environment variable 'WEIR_TEST_UNSET_VAR' is not set" \
    "an unset variable is named"
printf 'global\n    pidfile "${WEIR_TEST_SET_VAR}/weir.pid"\n' >env2.conf
run env WEIR_TEST_SET_VAR=/tmp "$WEIR" -c -f env2.conf
is "$RC" 0 "a set variable expands in double quotes"

printf 'global\n    daemon\n' >daemon.conf
run "$WEIR" -c -f daemon.conf
like "$ERR" "^daemon.conf:2:5: error: 'daemon' is not supported by weir: it runs in the foreground" \
    "daemon is refused with a hint"

printf 'frontend f\n    bind :8080\n    use_backend b if\n' >cond.conf
run "$WEIR" -c -f cond.conf
like "$ERR" "^cond.conf:3:21: error: incomplete condition" "an empty condition is a syntax error"

printf 'frontend f\n    bind :8080\n    acl a path /x\n    use_backend b if a\n  use_backend c if { path /y\n' >brace.conf
run "$WEIR" -c -f brace.conf
like "$ERR" "^brace.conf:5:29: error: incomplete condition, expected a word or '}'" \
    "an unclosed brace is a syntax error"
like "$ERR" "^brace.conf:4:17: error: backend 'b' is not defined" \
    "checks still run after a syntax error"

done_testing
