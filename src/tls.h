/*
 * TLS with OpenSSL 3: the contexts a graph's ssl binds and ssl servers
 * use, and what the request path asks of a connection (SNI, the client
 * certificate). A certificate's SSL_CTX lives in a cache that outlives
 * graphs, keyed by its file's path and content and the bind's settings:
 * a reload reuses every context whose certificate did not change, and a
 * connection keeps the context it started on until it ends.
 */
#ifndef WEIR_TLS_H
#define WEIR_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "conf-t.h"
#include "diag.h"

struct tls_bind;
struct tls_srv;

/*
 * The contexts of a bind line with ssl: its certificates (from the cache
 * or read now), their SNI names, the session ticket keys of this graph.
 * hs_ms bounds the handshake. Problems go to d at the word that named the
 * file. Returns NULL after an error. Main thread.
 */
struct tls_bind *tls_bind_new(const struct conf_global *g,
    const struct conf_tls_bind *cb, uint64_t hs_ms, struct diag *d);
/* Release the bind's certificates. NULL is a no-op. Any thread. */
void tls_bind_free(struct tls_bind *tb);
/* A new server-side SSL for an accepted connection on fd; NULL on error. */
SSL *tls_bind_ssl(const struct tls_bind *tb, int fd);
/*
 * The handshake of ssl is over: it no longer points at its bind, whose
 * graph may go before the connection does.
 */
void tls_bind_done(SSL *ssl);
uint64_t tls_bind_hs_ms(const struct tls_bind *tb);
/* How many certificates the bind serves, and how many were read anew. */
unsigned tls_bind_ncerts(const struct tls_bind *tb);
unsigned tls_bind_nloaded(const struct tls_bind *tb);
/* New ticket keys for the graphs built from now on. Main thread. */
void tls_keys_rotate(void);

/*
 * The context of a server line with ssl; what names the server (what)
 * prefixes the problems reported to d. NULL after an error. Main thread.
 */
struct tls_srv *tls_srv_new(const struct conf_global *g,
    const struct conf_tls_server *cs, const char *what, struct diag *d);
void tls_srv_free(struct tls_srv *ts);
/*
 * A client SSL for a connection to the server on fd, offering sni[0..len)
 * when given (else the configured str(NAME)), resuming *sess when set.
 * NULL on error.
 */
SSL *tls_srv_ssl(const struct tls_srv *ts, int fd, const char *sni,
    size_t sni_len, SSL_SESSION *sess);
/*
 * A client SSL for a health check of the server on fd, asking for the
 * name check-sni gives, else the fixed one of sni str(). No session is
 * resumed. NULL when the server's checks are not over TLS (no ssl, or
 * no-check-ssl) or on error.
 */
SSL *tls_srv_check_ssl(const struct tls_srv *ts, int fd);
/* The request header whose value is the SNI, or NULL. */
const char *tls_srv_sni_hdr(const struct tls_srv *ts, size_t *len);
/* Whether sessions are resumed (no no-ssl-reuse). */
bool tls_srv_reuse(const struct tls_srv *ts);

/* Why a handshake failed, for the log: buf, NUL-terminated. */
const char *tls_error(SSL *ssl, int ret, char *buf, size_t size);

/* ---- sample fetches: ssl_fc_sni, ssl_c_verify, ssl_c_s_dn ---------------- */

const char *tls_fc_sni(SSL *ssl, size_t *len);
/* The verify result of the client certificate (0: ok or none given). */
long tls_c_verify(SSL *ssl);
/*
 * The client certificate's subject (or issuer), or its field named field
 * (CN, O...) when given, into buf. Returns its length, or -1 when there
 * is none.
 */
int tls_c_dn(SSL *ssl, bool issuer, const char *field, char *buf,
    size_t size);
/* Whether the client gave a certificate. */
bool tls_c_used(SSL *ssl);
/* The connection's protocol version and cipher, as OpenSSL names them. */
const char *tls_fc_protocol(SSL *ssl);
const char *tls_fc_cipher(SSL *ssl);

#endif
