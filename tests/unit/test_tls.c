/*
 * TLS: certificates chosen by SNI (handshakes over a socketpair), the
 * certificate cache across graphs, certificate errors, and the %[fetch]
 * values of src/fmt.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "acl.h"
#include "fmt.h"
#include "graph.h"
#include "tls.h"
#include "unit.h"

static char tdir[] = "/tmp/weir-unit-tls.XXXXXX";

/*
 * A self-signed certificate for cn with the DNS names san (comma
 * separated, or NULL), written with its key to dir/name; a second key,
 * not the certificate's, when mismatch.
 */
static int
mkcert(const char *name, const char *cn, const char *san, bool mismatch)
{
	char path[512], ext[256];
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = NULL;
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *e;
	FILE *f;
	int r = -1;

	if (key == NULL || x == NULL)
		goto out;
	ASN1_INTEGER_set(X509_get_serialNumber(x), rand());
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (san != NULL) {
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		snprintf(ext, sizeof(ext), "%s", san);
		e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, ext);
		if (e == NULL)
			goto out;
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	if (mismatch && (other = EVP_EC_gen("P-256")) == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		goto out;
	PEM_write_X509(f, x);
	PEM_write_PrivateKey(f, other ? other : key, NULL, NULL, 0, NULL,
	    NULL);
	fclose(f);
	r = 0;
out:
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	X509_free(x);
	return r;
}

static int
tls_suite_init(void)
{
	if (mkdtemp(tdir) == NULL)
		return -1;
	if (mkcert("a.pem", "a.test", "DNS:a.test", false) < 0 ||
	    mkcert("b.pem", "b.test", "DNS:b.test,DNS:*.b.test", false) < 0 ||
	    mkcert("cn.pem", "cn.test", NULL, false) < 0 ||
	    mkcert("bad.pem", "bad.test", NULL, true) < 0)
		return -1;
	return 0;
}

static int
tls_suite_clean(void)
{
	const char *f[] = { "a.pem", "b.pem", "cn.pem", "bad.pem" };
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tdir, f[i]);
		unlink(path);
	}
	rmdir(tdir);
	return 0;
}

/* A graph with one ssl bind over crts (words of the bind line). */
static struct graph *
tls_graph(const char *crts, const char **diags)
{
	char text[2048];

	snprintf(text, sizeof(text), "global\n  crt-base %s\n"
	    "defaults\n  mode http\n  timeout connect 1s\n"
	    "  timeout client 1s\n  timeout server 1s\n"
	    "frontend f\n  bind 127.0.0.1:1 ssl %s\n  default_backend b\n"
	    "backend b\n  server s 127.0.0.1:2\n", tdir, crts);
	return unit_graph(text, diags);
}

/*
 * Handshake over a socketpair with the bind's server side, asking for sni
 * (NULL: none); returns the CN of the certificate the client got, in a
 * static buffer ("" when the handshake failed).
 */
static const char *
cn_for(const struct tls_bind *tb, const char *sni)
{
	static char cn[128];
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *srv, *cli;
	X509 *peer;
	int sv[2], i, rs = 0, rc = 0;

	cn[0] = '\0';
	if (cctx == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return cn;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	srv = tls_bind_ssl(tb, sv[0]);
	cli = SSL_new(cctx);
	SSL_set_fd(cli, sv[1]);
	SSL_set_connect_state(cli);
	if (sni != NULL)
		SSL_set_tlsext_host_name(cli, sni);
	for (i = 0; i < 50 && (rs != 1 || rc != 1); i++) {
		if (rc != 1)
			rc = SSL_do_handshake(cli);
		if (rs != 1)
			rs = SSL_do_handshake(srv);
	}
	peer = rc == 1 ? SSL_get0_peer_certificate(cli) : NULL;
	if (peer != NULL)
		X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
		    NID_commonName, cn, sizeof(cn));
	ERR_clear_error();
	SSL_free(srv);
	SSL_free(cli);
	SSL_CTX_free(cctx);
	close(sv[0]);
	close(sv[1]);
	return cn;
}

static const struct tls_bind *
first_bind(const struct graph *g)
{
	return g->nlisteners > 0 ? g->listeners[0].tls : NULL;
}

static void
test_sni(void)
{
	const char *d;
	struct graph *g = tls_graph("crt a.pem crt b.pem crt cn.pem", &d);

	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first_bind(g));
	EXPECT_STR(cn_for(first_bind(g), "a.test"), "a.test");
	EXPECT_STR(cn_for(first_bind(g), "b.test"), "b.test");
	EXPECT_STR(cn_for(first_bind(g), "X.B.test"), "b.test");
	EXPECT_STR(cn_for(first_bind(g), "x.y.b.test"), "a.test");
	EXPECT_STR(cn_for(first_bind(g), "cn.test"), "cn.test");
	EXPECT_STR(cn_for(first_bind(g), "nobody.test"), "a.test");
	EXPECT_STR(cn_for(first_bind(g), NULL), "a.test");
	graph_unref(g);
	/* strict-sni: a name no certificate holds, or none, fails */
	g = tls_graph("crt a.pem crt b.pem strict-sni", &d);
	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	EXPECT_STR(cn_for(first_bind(g), "x.b.test"), "b.test");
	EXPECT_STR(cn_for(first_bind(g), "nobody.test"), "");
	EXPECT_STR(cn_for(first_bind(g), NULL), "");
	graph_unref(g);
}

static void
test_crt_list(void)
{
	const char *d;
	struct graph *g;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/list.txt", tdir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# the names replace the certificate's own\n"
	    "a.pem other.test *.wild.test\n\n  b.pem   # its own names\n", f);
	fclose(f);
	g = tls_graph("crt-list list.txt", &d);
	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	EXPECT_STR(cn_for(first_bind(g), "other.test"), "a.test");
	EXPECT_STR(cn_for(first_bind(g), "x.wild.test"), "a.test");
	EXPECT_STR(cn_for(first_bind(g), "x.b.test"), "b.test");
	/* a.test is no longer one of a.pem's names: the first serves */
	EXPECT_STR(cn_for(first_bind(g), "a.test"), "a.test");
	graph_unref(g);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("a.pem [alpn h2] a.test\n", f);
	fclose(f);
	g = tls_graph("crt-list list.txt", &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(strstr(d, "list.txt' line 1: per-certificate options "
	    "are not supported") != NULL);
	unlink(path);
}

static void
test_dh_param(void)
{
	const char *d;
	struct graph *g;
	char text[1024];

	snprintf(text, sizeof(text), "global\n  crt-base %s\n"
	    "  tune.ssl.default-dh-param 2048\n"
	    "  ssl-default-bind-ciphers ECDHE+AESGCM:DHE+AESGCM\n"
	    "  ssl-default-bind-options no-tls-tickets ssl-min-ver TLSv1.2\n"
	    "defaults\n  mode http\n  timeout connect 1s\n"
	    "  timeout client 1s\n  timeout server 1s\n"
	    "frontend f\n  bind 127.0.0.1:1 ssl crt a.pem\n"
	    "  default_backend b\nbackend b\n  server s 127.0.0.1:2\n", tdir);
	g = unit_graph(text, &d);
	EXPECT_STR(d, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	EXPECT_STR(cn_for(first_bind(g), "a.test"), "a.test");
	graph_unref(g);
	EXPECT_STR(unit_check("global\n  tune.ssl.default-dh-param 1024\n"),
	    "t.conf:2:29: error: tune.ssl.default-dh-param 1024: weir offers "
	    "the RFC 7919 groups of 2048, 3072, 4096, 6144 and 8192 bits\n");
}

static void
test_directory(void)
{
	const char *d;
	struct graph *g;
	char words[600];

	/* bad.pem is in the directory too: its error names it */
	snprintf(words, sizeof(words), "crt %s", tdir);
	g = tls_graph(words, &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(strstr(d, "bad.pem': its private key does not match its "
	    "certificate") != NULL);
	graph_unref(g);
}

static void
test_cache(void)
{
	const char *d;
	struct graph *g1, *g2, *g3;
	SSL *s1, *s2, *s3;

	g1 = tls_graph("crt a.pem crt b.pem", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	EXPECT_INT(g1->tls_certs, 2);
	/* the same files and settings: nothing read again */
	g2 = tls_graph("crt a.pem crt b.pem", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	EXPECT_INT(g2->tls_certs, 2);
	EXPECT_INT(g2->tls_loaded, 0);
	s1 = tls_bind_ssl(first_bind(g1), -1);
	s2 = tls_bind_ssl(first_bind(g2), -1);
	EXPECT_TRUE(SSL_get_SSL_CTX(s1) == SSL_get_SSL_CTX(s2));
	/* other settings on the bind: other contexts */
	g3 = tls_graph("crt a.pem crt b.pem no-tls-tickets", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	EXPECT_INT(g3->tls_loaded, 2);
	s3 = tls_bind_ssl(first_bind(g3), -1);
	EXPECT_TRUE(SSL_get_SSL_CTX(s3) != SSL_get_SSL_CTX(s1));
	/* a connection keeps its context after its graph is gone */
	graph_unref(g1);
	graph_unref(g2);
	EXPECT_TRUE(SSL_CTX_get0_certificate(SSL_get_SSL_CTX(s1)) != NULL);
	SSL_free(s1);
	SSL_free(s2);
	SSL_free(s3);
	graph_unref(g3);
	/* a renewed file is read again */
	g1 = tls_graph("crt a.pem", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_FATAL(mkcert("a.pem", "a.test", "DNS:a.test", false) == 0);
	g2 = tls_graph("crt a.pem", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	EXPECT_INT(g2->tls_loaded, 1);
	graph_unref(g1);
	graph_unref(g2);
}

static void
test_errors(void)
{
	const char *d;
	struct graph *g;
	char want[600];

	g = tls_graph("crt nope.pem", &d);
	CU_ASSERT_PTR_NULL(g);
	snprintf(want, sizeof(want), "t.conf:9:28: error: certificate "
	    "'%s/nope.pem': No such file or directory\n", tdir);
	EXPECT_STR(d, want);
	g = tls_graph("crt bad.pem", &d);
	CU_ASSERT_PTR_NULL(g);
	snprintf(want, sizeof(want), "t.conf:9:28: error: certificate "
	    "'%s/bad.pem': its private key does not match its certificate\n",
	    tdir);
	EXPECT_STR(d, want);
	g = tls_graph("crt a.pem ciphers NOPE-NOTHING", &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(strstr(d, "ciphers 'NOPE-NOTHING'") != NULL);
	g = tls_graph("crt a.pem no-tlsv12 no-tlsv13", &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(strstr(d, "the options leave no TLS version") != NULL);
}

static const char *
hdr_cb(void *arg, const char *name, size_t nlen, unsigned occ, size_t *len)
{
	(void)arg;
	if (occ == 0 && nlen == 4 && strncasecmp(name, "host", 4) == 0) {
		*len = 6;
		return "a.test";
	}
	return NULL;
}

static void
test_fmt(void)
{
	struct arena a;
	struct acl_sample smp;
	struct sockaddr_in sin;
	struct fmt *f;
	char err[256], out[64];
	size_t at, n;

	arena_init(&a);
	memset(&smp, 0, sizeof(smp));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	smp.src = (const struct sockaddr *)&sin;
	smp.hdr = hdr_cb;
	f = fmt_parse(&a, "%[src] 100%% %[req.hdr(Host)]/%[ssl_fc]"
	    "%[ssl_fc_sni]%[ssl_c_s_dn(CN)]%[ssl_c_i_dn]%[ssl_fc_protocol]"
	    "%[ssl_fc_cipher]/%[ssl_c_used]", err, sizeof(err), &at);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fmt_eval(f, &smp, out, sizeof(out));
	out[n] = '\0';
	EXPECT_STR(out, "192.0.2.1 100% a.test/0/0");
	/* what does not fit is cut */
	n = fmt_eval(f, &smp, out, 4);
	EXPECT_INT(n, 4);
	EXPECT_TRUE(fmt_parse(&a, "x%[ssl_fc(1)]", err, sizeof(err),
	    &at) == NULL);
	EXPECT_STR(err, "'ssl_fc(1)': takes no argument");
	EXPECT_INT(at, 1);
	EXPECT_TRUE(fmt_parse(&a, "%[src", err, sizeof(err), &at) == NULL);
	EXPECT_STR(err, "'%[' without a fetch and its closing ']'");
	EXPECT_TRUE(fmt_has_fetch("a%[src]"));
	EXPECT_TRUE(!fmt_has_fetch("a%%[src]"));
	arena_reset(&a);
}

#define TIMEOUTS							\
	"defaults\n  timeout connect 1s\n  timeout client 1s\n"		\
	"  timeout server 1s\n"

static void
test_acl(void)
{
	EXPECT_STR(unit_check(TIMEOUTS "frontend f\n  bind :80\n"
	    "  acl t ssl_fc\n"
	    "  acl n ssl_fc_sni -i a.test\n  acl v ssl_c_verify 0 10\n"
	    "  acl c ssl_c_s_dn(CN) alice\n  acl d ssl_c_s_dn /CN=alice\n"
	    "  acl i ssl_c_i_dn(O) Example\n  acl u ssl_c_used\n"
	    "  acl p ssl_fc_protocol TLSv1.3\n  acl x ssl_fc_cipher -i x\n"
	    "  default_backend b\nbackend b\n  server s 127.0.0.1:1\n"), "");
	EXPECT_STR(unit_check(TIMEOUTS "frontend f\n  bind :80\n"
	    "  acl t ssl_fc 1\n"
	    "  acl v ssl_c_verify ok\n  default_backend b\nbackend b\n"
	    "  server s 127.0.0.1:1\n"),
	    "t.conf:7:16: error: acl criterion 'ssl_fc' takes no value\n"
	    "t.conf:8:22: error: 'ssl_c_verify' matches a number (0: "
	    "verified), got 'ok'\n");
}

CU_TestInfo tls_tests[] = {
	{ "tls: the certificate is chosen by SNI, wildcard, else the first",
	    test_sni },
	{ "tls: a directory loads each file; a bad one is named",
	    test_directory },
	{ "tls: a crt-list's names replace the certificate's", test_crt_list },
	{ "tls: global defaults and a DH group are applied", test_dh_param },
	{ "tls: an unchanged certificate keeps its context across graphs",
	    test_cache },
	{ "tls: certificate and option errors name the file and word",
	    test_errors },
	{ "fmt: %[fetch] values are evaluated, cut to fit, checked",
	    test_fmt },
	{ "acl: ssl_ criteria are read and checked", test_acl },
	CU_TEST_INFO_NULL,
};

int
tls_tests_init(void)
{
	return tls_suite_init();
}

int
tls_tests_clean(void)
{
	return tls_suite_clean();
}
