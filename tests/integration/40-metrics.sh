#!/bin/sh
# Prometheus: 'http-request use-service prometheus-exporter' serves text
# format 0.0.4 that promtool passes without a warning; 50 requests are
# counted exactly, by frontend, backend, server and status class; the
# counters and the histogram do not go backwards over a reload, and the
# reload metrics follow good and broken reloads.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v promtool >/dev/null 2>&1 || skip_all "promtool is not installed"
plan 22

cd "$T_DIR" || exit 99
backend a || exit 99
backend b || exit 99
PW=$(free_port)

conf() {
	cat <<CONF
global
    nbthread 2
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:$PW
    http-request use-service prometheus-exporter if { path /metrics }
    http-request deny if { path /forbidden }
    http-request deny deny_status 429 if { path /limited }
    default_backend app
backend app
    server a 127.0.0.1:$PORT_a
    server b 127.0.0.1:$PORT_b
$1
CONF
}
conf "" >lb.conf
start_weir lb.conf
ok $? "weir starts"
U="http://127.0.0.1:$PW"

i=0
while [ $i -lt 50 ]; do
	curl -s --max-time 5 -o /dev/null "$U/r$i"
	i=$((i + 1))
done
run curl -s --max-time 5 -D hdr.txt -o m1.txt "$U/metrics"
is "$RC" "0" "GET /metrics answers"
like "$(cat hdr.txt)" '^Content-Type: text/plain; version=0.0.4' \
    "the exposition says text format 0.0.4"
run sh -c "promtool check metrics <m1.txt"
is "$RC:$OUT$ERR" "0:" "promtool checks the exposition with no warning"

# metric NAME{LABELS} FILE: the value of one sample
metric() {
	grep -v "^#" "$2" | grep -F "$1 " | head -1 | awk '{ print $2 }'
}
is "$(metric 'weir_frontend_http_requests_total{proxy="web"}' m1.txt)" "50" \
    "the frontend counted 50 requests"
is "$(metric 'weir_frontend_http_responses_total{proxy="web",code="2xx"}' m1.txt)" \
    "50" "50 of them 2xx"
is "$(metric 'weir_backend_http_requests_total{proxy="app"}' m1.txt)" "50" \
    "the backend counted 50 requests"
na=$(metric 'weir_server_http_responses_total{proxy="app",server="a",code="2xx"}' m1.txt)
nb=$(metric 'weir_server_http_responses_total{proxy="app",server="b",code="2xx"}' m1.txt)
is "$((na + nb))" "50" "the servers' counts add up to 50"
is "$(metric 'weir_backend_http_response_time_seconds_count{proxy="app"}' m1.txt)" \
    "50" "the response-time histogram has 50 samples"
is "$(metric 'weir_backend_http_response_time_seconds_bucket{proxy="app",le="+Inf"}' m1.txt)" \
    "50" "its +Inf bucket holds them all"
like "$(grep -c '^weir_backend_http_response_time_seconds_bucket' m1.txt)" '^12$' \
    "it has 11 bounds and +Inf"
bin=$(metric 'weir_frontend_bytes_in_total{proxy="web"}' m1.txt)
like "$bin" '^[1-9][0-9]{3,}$' "bytes in are counted ($bin)"
is "$(metric 'weir_server_status{proxy="app",server="a",state="UP"}' m1.txt)" "1" \
    "a server's state is a one-hot gauge"
is "$(metric 'weir_process_config_generation' m1.txt)" "1" \
    "the configuration generation starts at 1"

curl -s --max-time 5 -o /dev/null "$U/forbidden"
curl -s --max-time 5 -o /dev/null "$U/limited"

# a reload that adds a server: no counter goes back
conf "    server c 127.0.0.1:$PORT_a" >lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q 'generation 2 ' weir.log
ok $? "the reload is made"
curl -s --max-time 5 -o m2.txt "$U/metrics"
# 50 requests, the first /metrics, /forbidden and /limited
is "$(metric 'weir_frontend_http_requests_total{proxy="web"}' m2.txt)" "53" \
    "the frontend's request counter kept its count over the reload"
is "$(metric 'weir_backend_http_response_time_seconds_count{proxy="app"}' m2.txt)" \
    "50" "so did the histogram"
is "$(metric 'weir_frontend_requests_denied_total{proxy="web"}' m2.txt)" "2" \
    "denied requests are counted"
is "$(metric 'weir_frontend_requests_rate_limited_total{proxy="web"}' m2.txt)" "1" \
    "one of them denied with 429, as rate-limited"
is "$(metric weir_process_reloads_total m2.txt) $(metric weir_process_last_reload_success m2.txt) $(metric weir_process_config_generation m2.txt)" \
    "1 1 2" "reloads 1, the last a success, generation 2"

printf 'frontend broken\n    bind\n' >>lb.conf
kill -HUP "$WEIR_PID"
wait_for grep -q 'reload failed' weir.log
curl -s --max-time 5 -o m3.txt "$U/metrics"
is "$(metric weir_process_reloads_total m3.txt) $(metric weir_process_reload_failures_total m3.txt) $(metric weir_process_last_reload_success m3.txt) $(metric weir_process_config_generation m3.txt)" \
    "2 1 0 2" "a broken reload is counted, and generation 2 stays"
run sh -c "promtool check metrics <m3.txt"
is "$RC:$OUT$ERR" "0:" "the exposition after reloads still passes promtool"

stop_weir
done_testing
