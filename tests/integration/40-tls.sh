#!/bin/sh
# TLS: termination with SNI (exact and wildcard names, the default when
# none matches), the chain as openssl s_client sees it, client
# certificates (verify required, the CN passed on in a header), the
# redirect to https, a CRL, TLS to servers that verify (a server signed by
# another CA gets 503 and a log line saying why) and session reuse.
# The test makes its own CAs and certificates with the openssl CLI.
. "$(dirname "$0")/lib.sh"

need_engine_tools
command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
plan 36

cd "$T_DIR" || exit 99

# ---- certificates ------------------------------------------------------------

ca() { # NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" 2>/dev/null
}
cert() { # NAME CA SUBJECT SAN: NAME.pem holds cert, chain and key
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null &&
	printf 'subjectAltName=%s\n' "$4" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
	    -CAcreateserial -out "$1.crt" -days 2 -extfile "$1.ext" \
	    2>/dev/null &&
	cat "$1.crt" "$2.pem" "$1.key" >"$1.pem"
}
ca ca "weir test CA" || exit 99
ca rogue "another CA" || exit 99
cert a ca "/CN=a.test" "DNS:a.test" || exit 99
cert b ca "/CN=b.test" "DNS:b.test,DNS:*.b.test" || exit 99
cert client ca "/CN=alice" "email:alice@example.com" || exit 99
cert fake rogue "/CN=a.test" "DNS:a.test" || exit 99
cert mallory ca "/CN=mallory" "email:mallory@example.com" || exit 99
# a CRL that revokes mallory's certificate
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n' >crl.cnf
: >index.txt
echo 01 >crlnumber
openssl ca -config crl.cnf -cert ca.pem -keyfile ca.key -revoke mallory.crt \
    >/dev/null 2>&1 || exit 99
openssl ca -config crl.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl.pem \
    >/dev/null 2>&1 || exit 99

backend be || exit 99
backend echo -m tcp || exit 99
P1=$(free_port)	# ssl, two certificates
P2=$(free_port)	# ssl, verify required
P3=$(free_port)	# plain: redirects to https
P4=$(free_port)	# plain, to the TLS servers below
P5=$(free_port)	# a TLS server signed by the other CA
P6=$(free_port)	# openssl s_server -www: tells whether a session was reused
P7=$(free_port)	# mode tcp, ssl: to the echo server
P8=$(free_port)	# mode tcp, plain, to P7 with ssl
P9=$(free_port)	# ssl, verify required, with a CRL

mkdir certs && cp a.pem b.pem certs/ && cp a.key certs/a.pem.key

cat >lb.conf <<CONF
global
    nbthread 1
    crt-base $T_DIR
    ca-base $T_DIR
    ssl-default-bind-options no-sslv3 no-tlsv10 no-tlsv11
defaults
    mode http
    timeout connect 2s
    timeout client 2s
    timeout server 5s
frontend web
    bind 127.0.0.1:$P1 ssl crt certs alpn http/1.1
    bind 127.0.0.1:$P2 ssl crt a.pem ca-file ca.pem verify required
    bind 127.0.0.1:$P3
    bind 127.0.0.1:$P9 ssl crt a.pem ca-file ca.pem verify required crl-file crl.pem
    http-request redirect scheme https unless { ssl_fc }
    http-request set-header X-Client-CN %[ssl_c_s_dn(CN)]
    http-request set-header X-SNI "sni=%[ssl_fc_sni] 100%%"
    http-request set-header X-TLS "%[ssl_fc_protocol] used=%[ssl_c_used] issuer=%[ssl_c_i_dn(CN)]"
    http-request deny deny_status 403 if { path /deny-alice } { ssl_c_s_dn(CN) alice }
    default_backend app
frontend rogue
    bind 127.0.0.1:$P5 ssl crt fake.pem
    default_backend app
frontend out
    bind 127.0.0.1:$P4
    use_backend good if { hdr(host) good }
    use_backend good_cert if { hdr(host) cert }
    use_backend bad if { hdr(host) bad }
    use_backend reuse if { hdr(host) reuse }
    use_backend hdrsni if { hdr_beg(host) b.test }
    default_backend app
backend app
    server be 127.0.0.1:$PORT_be
backend good
    server tls 127.0.0.1:$P1 ssl verify required ca-file ca.pem sni str(a.test)
backend good_cert
    server tls 127.0.0.1:$P2 ssl ca-file ca.pem sni str(a.test) crt client.pem
backend bad
    retries 1
    server tls 127.0.0.1:$P5 ssl verify required ca-file ca.pem sni str(a.test)
backend hdrsni
    server tls 127.0.0.1:$P1 ssl verify required ca-file ca.pem sni req.hdr(host)
backend reuse
    option http-server-close
    server tls 127.0.0.1:$P6 ssl verify required ca-file ca.pem sni str(a.test)
backend chk_good
    option httpchk GET /tls-check-probe
    server tls 127.0.0.1:$P1 ssl verify required ca-file ca.pem check-sni a.test check inter 200ms
backend chk_bad
    server tls 127.0.0.1:$P5 ssl verify required ca-file ca.pem sni str(a.test) check inter 200ms fall 1
listen tcp_tls
    mode tcp
    bind 127.0.0.1:$P7 ssl crt a.pem
    server echo 127.0.0.1:$PORT_echo
listen tcp_out
    mode tcp
    bind 127.0.0.1:$P8
    server tls 127.0.0.1:$P7 ssl verify required ca-file ca.pem sni str(a.test)
CONF

run "$WEIR" -c -f lb.conf
is "$RC" "0" "weir -c reads the TLS configuration and its certificates"
start_weir lb.conf || exit 99

# ---- certificates chosen by SNI ------------------------------------------------

subject() { # NAME PORT: the subject of the certificate curl was given
	curl -skv --max-time 5 \
	    --resolve "$1:$2:127.0.0.1" "https://$1:$2/" -o /dev/null 2>&1 |
	    sed -n 's/^\*  subject: //p'
}
is "$(subject a.test "$P1")" "CN=a.test" "SNI a.test gets the a.test certificate"
is "$(subject b.test "$P1")" "CN=b.test" "SNI b.test gets the b.test certificate"
is "$(subject x.b.test "$P1")" "CN=b.test" "SNI x.b.test gets the wildcard *.b.test"
is "$(subject other.test "$P1")" "CN=a.test" "an unknown name gets the first certificate"
run openssl s_client -connect "127.0.0.1:$P1" -noservername -CAfile ca.pem \
    </dev/null
like "$OUT" " 0 s:CN = a.test" "no SNI: the first certificate serves"
run openssl s_client -connect "127.0.0.1:$P1" -servername b.test \
    -CAfile ca.pem -showcerts </dev/null
like "$OUT" " 0 s:CN = b.test" "openssl s_client sees b.test first in the chain"
like "$OUT" " 1 s:CN = weir test CA" "then the CA, as the PEM file orders it"
like "$OUT" "Verify return code: 0 \\(ok\\)" "and the chain verifies"
like "$OUT" "New, TLSv1\\.[23], Cipher is" "TLS 1.2 or 1.3 is spoken"
run openssl s_client -connect "127.0.0.1:$P1" -servername a.test \
    -alpn h2,http/1.1 </dev/null
like "$OUT" "ALPN protocol: http/1.1" "alpn http/1.1: chosen over h2"
run openssl s_client -connect "127.0.0.1:$P7" -servername a.test \
    -alpn http/1.1 </dev/null
like "$OUT" "No ALPN negotiated" "a bind without alpn negotiates none"
run openssl s_client -connect "127.0.0.1:$P1" -servername a.test -tls1_1 \
    -cipher DEFAULT@SECLEVEL=0 </dev/null
ok $((RC == 0)) "TLS 1.1 is refused by default"
run curl -s --max-time 5 --cacert ca.pem --resolve "a.test:$P1:127.0.0.1" \
    "https://a.test:$P1/echo"
like "$OUT" '\["X-SNI","sni=a.test 100%"\]' \
    "%[ssl_fc_sni] in a header value, beside a literal %"

# ---- client certificates -------------------------------------------------------

N0=$(grep -c "GET /echo" be.log)
run curl -s --max-time 5 --cacert ca.pem --resolve "a.test:$P2:127.0.0.1" \
    "https://a.test:$P2/echo"
ok $((RC == 0)) "verify required: no client certificate, no handshake (curl $RC)"
is "$(grep -c "GET /echo" be.log)" "$N0" "and nothing reached the backend"
run curl -s --max-time 5 --cacert ca.pem --cert client.pem \
    --resolve "a.test:$P2:127.0.0.1" "https://a.test:$P2/echo"
is "$RC" "0" "with the client certificate the request goes through"
like "$OUT" '\["X-Client-CN","alice"\]' "the backend gets the client's CN"
like "$OUT" '\["X-TLS","TLSv1.3 used=1 issuer=weir test CA"\]' \
    "ssl_fc_protocol, ssl_c_used and ssl_c_i_dn in header values"
run curl -s --max-time 5 -o /dev/null -w '%{http_code}' --cacert ca.pem \
    --cert client.pem --resolve "a.test:$P2:127.0.0.1" \
    "https://a.test:$P2/deny-alice"
is "$OUT" "403" "an acl on ssl_c_s_dn(CN) matches the client's name"
run curl -s --max-time 5 --cacert ca.pem --key rogue.key --cert rogue.pem \
    --resolve "a.test:$P2:127.0.0.1" "https://a.test:$P2/echo"
ok $((RC == 0)) "a client certificate from another CA is refused (curl $RC)"

run curl -s --max-time 5 --cacert ca.pem --cert client.pem \
    --resolve "a.test:$P9:127.0.0.1" "https://a.test:$P9/echo"
like "$OUT" '\["X-Client-CN","alice"\]' "with a crl-file, a certificate it does not list is taken"
run curl -sS --max-time 5 --cacert ca.pem --cert mallory.pem \
    --resolve "a.test:$P9:127.0.0.1" "https://a.test:$P9/echo"
like "$RC $ERR" "^[1-9][0-9]* .*certificate revoked" \
    "and one it revokes is refused with the alert 'certificate revoked'"

# ---- plain to https --------------------------------------------------------------

run curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
    -H "Host: a.test" "http://127.0.0.1:$P3/x?y=1"
is "$OUT" "302 https://a.test/x?y=1" "redirect scheme https unless { ssl_fc }"

# ---- TLS to servers --------------------------------------------------------------

run curl -s --max-time 5 -H "Host: good" "http://127.0.0.1:$P4/echo"
like "$OUT" '"backend":"be"' "a server with verify required and the right CA serves"
like "$OUT" '\["X-SNI","sni=a.test 100%"\]' "and was offered the SNI of sni str()"
run curl -s --max-time 5 -H "Host: b.test:8443" "http://127.0.0.1:$P4/echo"
like "$OUT" '\["X-SNI","sni=b.test 100%"\]' \
    "sni req.hdr(host) offers the request's host, without its port, and it verifies"
run curl -s --max-time 5 -H "Host: cert" "http://127.0.0.1:$P4/echo"
like "$OUT" '\["X-Client-CN","alice"\]' "weir presents its crt to a server that asks"
run curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: bad" \
    "http://127.0.0.1:$P4/"
is "$OUT" "503" "a server signed by another CA: 503"
like "$(cat weir.log)" "server 'bad/tls': TLS handshake failed: certificate verify failed: (self-signed certificate in certificate chain|unable to get local issuer certificate)" \
    "and the log says why"

# health checks of ssl servers speak TLS, and verify as the traffic does
wait_for grep -q "GET /tls-check-probe" be.log
like "$(grep -m1 'GET /tls-check-probe' be.log)" "GET /tls-check-probe 200" \
    "an HTTP check of an ssl server goes over TLS (through a TLS frontend)"
wait_for grep -q "server chk_bad/tls is DOWN" weir.log
like "$(grep -m1 'server chk_bad/tls is DOWN' weir.log)" \
    "TLS handshake failed: certificate verify failed" \
    "a check of a server signed by another CA fails, saying why"

# session reuse: s_server -www says whether the session was new or reused
openssl s_server -accept "127.0.0.1:$P6" -cert a.pem -www -quiet \
    >s_server.log 2>&1 </dev/null &
T_PIDS="$T_PIDS $!"
wait_for curl -sk --max-time 1 -o /dev/null "https://127.0.0.1:$P6/" || exit 99
curl -s --max-time 5 -H "Host: reuse" "http://127.0.0.1:$P4/" >r1.txt
curl -s --max-time 5 -H "Host: reuse" "http://127.0.0.1:$P4/" >r2.txt
like "$(cat r1.txt)" "^New, TLSv1\.3" "the first connection to a TLS server is new"
like "$(cat r2.txt)" "^Reused, TLSv1\\.3" \
    "the next connection to a TLS server resumes the session"

# mode tcp: TLS in, TLS out, a half-close passed on as close_notify and FIN
run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
data = b"ping " * 20000 + b"\n"
s.sendall(data)
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print("echoed" if out == data else "got %d bytes" % len(out))
' "$P8"
is "$OUT" "echoed" "mode tcp through TLS both ways: 100 kB echoed, then the close"

stop_weir
is "$RC" "0" "weir exits 0 on SIGTERM"
done_testing
