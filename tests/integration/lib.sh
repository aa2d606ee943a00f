# Shared helpers of the integration tests: TAP output, a scratch
# directory removed on exit, and processes started by the test killed by
# PID. Every wait is bounded.

set -u

: "${WEIR:=$(pwd)/weir}"
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

T_N=0
T_FAILED=0
T_PIDS=""
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/weir-test.XXXXXX") || exit 99

t_cleanup() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 99' INT TERM

plan() {
	echo "1..$1"
}

# skip_all REASON: nothing here can run on this machine.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# is GOT WANT DESC: compare two strings, show both on failure.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "# got:" "$1" | sed 's/^/#   /'
		printf '%s\n' "# want:" "$2" | sed 's/^/#   /'
	fi
}

# like TEXT PATTERN DESC: grep -E PATTERN in TEXT.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "$1" | head -20 | sed 's/^/#   /'
	fi
}

# run CMD...: sets OUT (stdout), ERR (stderr) and RC.
run() {
	"$@" >"$T_DIR/.out" 2>"$T_DIR/.err"
	RC=$?
	OUT=$(cat "$T_DIR/.out")
	ERR=$(cat "$T_DIR/.err")
}

done_testing() {
	# a sanitizer's report in weir's log fails the script
	if grep -l -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$T_DIR"/weir*.log >/dev/null 2>&1; then
		grep -h -A20 -E 'AddressSanitizer|LeakSanitizer|runtime error:' \
		    "$T_DIR"/weir*.log | head -60 | sed 's/^/# /'
		exit 1
	fi
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# ---- weir in front of test backends ----------------------------------------

: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${BACKEND:=$TOP_BUILDDIR/tests/backend}"

# wait_for COND...: run COND every 0.05 s until it succeeds, 10 s at most.
wait_for() {
	wf_i=0
	while ! "$@" 2>/dev/null; do
		wf_i=$((wf_i + 1))
		[ "$wf_i" -ge 200 ] && return 1
		sleep 0.05
	done
	return 0
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# backend NAME ARG...: start tests/backend on a free port; sets PORT.
backend() {
	b_name=$1
	shift
	rm -f "$T_DIR/$b_name.ready"
	"$BACKEND" -p 0 -n "$b_name" -r "$T_DIR/$b_name.ready" "$@" \
	    >"$T_DIR/$b_name.out" 2>"$T_DIR/$b_name.log" &
	T_PIDS="$T_PIDS $!"
	eval "PID_$b_name=$!"
	PORT=""
	wait_for test -s "$T_DIR/$b_name.ready" || return 1
	PORT=$(cat "$T_DIR/$b_name.ready")
	eval "PORT_$b_name=$PORT"
}

# start_weir CONF: run weir on CONF, wait until it says it is ready.
start_weir() {
	: >"$T_DIR/weir.log"
	"$WEIR" -f "$1" >>"$T_DIR/weir.log" 2>&1 &
	WEIR_PID=$!
	T_PIDS="$T_PIDS $WEIR_PID"
	wait_for grep -q '^weir: ready' "$T_DIR/weir.log"
}

# stop_weir: SIGTERM, and wait (bounded) for it to exit; sets RC.
stop_weir() {
	kill -TERM "$WEIR_PID" 2>/dev/null
	wait_for sh -c "! kill -0 $WEIR_PID"
	wait "$WEIR_PID" 2>/dev/null
	RC=$?
}

# need_engine_tools: skip unless the backend, curl and python3 are here.
need_engine_tools() {
	[ -x "$BACKEND" ] || skip_all "no test backend at $BACKEND"
	command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
	command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
}

# names FILE: count the lines of each body line in FILE, "name=count ..."
tally() {
	sort "$1" | uniq -c | awk '{ printf "%s%s=%s", sep, $2, $1; sep = " " }'
}

# raw PORT BYTES: send BYTES (printf escapes) on a fresh connection and
# print what comes back until the server closes (5 s at most).
raw() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
data = sys.argv[2].encode().decode("unicode_escape").encode("latin1")
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(data)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b"<timeout>"
sys.stdout.write(out.decode("latin1"))
PY
}
