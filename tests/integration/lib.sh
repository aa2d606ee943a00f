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
	[ "$T_FAILED" -eq 0 ]
	exit $?
}
