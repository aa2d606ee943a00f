#!/bin/sh
# The manual pages are lint-clean and describe what weir accepts.
. "$(dirname "$0")/lib.sh"

command -v mandoc >/dev/null 2>&1 || skip_all "mandoc is not installed"
plan 5

for page in weir.8 lb.conf.5 weirctl.8; do
	run mandoc -T lint -W warning "$TOP_SRCDIR/man/$page"
	is "$OUT$ERR" "" "man/$page is lint-clean"
done

# every keyword the tables accept is documented
run mandoc -T utf8 "$TOP_SRCDIR/man/lb.conf.5"
page=$(printf '%s\n' "$OUT" | col -b 2>/dev/null || printf '%s\n' "$OUT")
missing=""
for kw in acl balance bind default-server default_backend errorfile \
    hash-type http-request http-response log maxconn mode monitor-uri \
    option retries server timeout use_backend nbthread hard-stop-after \
    pidfile stats ca-base crt-base tune.bufsize tune.http.maxhdr include; do
	printf '%s\n' "$page" | grep -q -- "$kw" || missing="$missing $kw"
done
is "$missing" "" "lb.conf(5) documents every keyword"
run mandoc -T utf8 "$TOP_SRCDIR/man/weir.8"
like "$OUT" "-c" "weir(8) documents -c"

done_testing
