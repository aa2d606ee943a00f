# shellcheck shell=bash disable=SC2034 # (the variables are read by run and cost)
# contrib/bench/rules.sh: sourced by run and cost. RULES picks rules added to every proxy's
# frontend, the same lines for weir and HAProxy (in the lb.conf they share); it sets RULES_FE
# (frontend lines), RULES_NGX_HTTP and RULES_NGX_LOC (nginx's http and location blocks), all
# empty when RULES is unset, so the configurations stay byte for byte what they were.
# Returns 1 for a value it does not know.
#   ratelimit: a stick table keyed by the client address with its request rate over 10 s; each
#     request is tracked (its entry found or made, the rate counted) and the rate tested against
#     a threshold never reached, so every request is served. nginx has no stick table: it gets
#     limit_req on $binary_remote_addr, a per-address leaky bucket in a shared zone that is also
#     looked up, updated and tested on every request, with a rate and a burst never reached
#     (nodelay: nothing is delayed; the burst is needed because two requests in the same
#     millisecond would otherwise exceed any rate).
RULES_FE='' RULES_NGX_HTTP='' RULES_NGX_LOC=''
case ${RULES:-} in
  '') ;;
  ratelimit)
    RULES_FE='    stick-table type ip size 100k expire 60s store http_req_rate(10s)
    http-request track-sc0 src
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100000000 }
'
    RULES_NGX_HTTP='  limit_req_zone $binary_remote_addr zone=rl:16m rate=100000000r/s;
'
    RULES_NGX_LOC='      limit_req zone=rl burst=100000000 nodelay;
      limit_req_status 429;
'
    ;;
  *) return 1 ;;
esac
