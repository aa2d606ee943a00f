#include "config.h"

#include "tls.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "sess.h"

#define TLS_MAX_FILE	(1 << 20)	/* a PEM file larger is refused */
#define TLS_NKEYS	3	/* ticket keys: this graph's, 2 older */

/* One session ticket key: its name, then the AES and HMAC keys. */
struct tls_tkey {
	unsigned char name[16];
	unsigned char aes[32];
	unsigned char hmac[32];
};

/* A certificate file as one bind reads it: a cached context. */
struct tls_cert {
	struct tls_cert *next;		/* in a hash bucket */
	unsigned char id[32];		/* settings, path and content */
	unsigned refs;			/* binds using it */
	SSL_CTX *ctx;
	char **names;			/* lower case, wildcards too */
	unsigned nnames;
};

struct tls_sni {
	const char *name;
	unsigned order;			/* the first certificate wins */
	SSL_CTX *ctx;
};

struct tls_bind {
	struct tls_cert **certs;
	unsigned ncerts, nloaded;
	SSL_CTX *dflt;
	struct tls_sni *exact;
	unsigned nexact;
	struct tls_sni *wild;		/* "*.a.com" as "a.com" */
	unsigned nwild;
	struct tls_tkey keys[TLS_NKEYS];
	unsigned nkeys;
	uint64_t hs_ms;
	bool strict;		/* strict-sni */
};

struct tls_srv {
	SSL_CTX *ctx;
	char *sni;
	char *check_sni;
	bool check_ssl;		/* health checks over TLS too */
	bool sni_hdr;
	bool verify;
	bool reuse;
};

/*
 * The certificate cache and the ticket keys outlive every graph, and
 * graph_build() has no context to carry them: they are this module's,
 * taken under the lock by the main thread building a graph and by
 * whichever thread frees one.
 */
static struct {
	pthread_mutex_t lock;
	struct tls_cert **b;
	unsigned nb, n;
	struct tls_tkey keys[TLS_NKEYS];
	unsigned nkeys;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_ex_bind = -1;	/* the SSL's struct tls_bind */

static void
tls_init_once(void)
{
	tls_ex_bind = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* ---- reading files ----------------------------------------------------- */

/* The whole file at path, malloc'd and NUL-terminated; NULL, errno set. */
static char *
tls_read(const char *path, size_t *lenp)
{
	struct stat sb;
	FILE *f;
	char *buf = NULL;
	size_t len;

	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &sb) < 0)
		goto out;
	if (!S_ISREG(sb.st_mode) || sb.st_size > TLS_MAX_FILE) {
		errno = S_ISREG(sb.st_mode) ? EFBIG : EISDIR;
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL)
		goto out;
	len = fread(buf, 1, (size_t)sb.st_size, f);
	buf[len] = '\0';
	*lenp = len;
out:
	fclose(f);
	return buf;
}

/* The first reason OpenSSL queued, or what, and the queue emptied. */
static const char *
tls_reason(char *buf, size_t size, const char *what)
{
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		snprintf(buf, size, "%s", ERR_reason_error_string(e) ?
		    ERR_reason_error_string(e) : what);
	else
		snprintf(buf, size, "%s", what);
	ERR_clear_error();
	return buf;
}

/*
 * Certificate, chain and key from the PEM data[0..len) (HAProxy's
 * convention: all in one file; a key missing there is read from
 * path.key). Returns 0, or -1 with why in err.
 */
static int
tls_pem(const char *path, const char *data, size_t len, X509 **x,
    STACK_OF(X509) **chain, EVP_PKEY **key, char *err, size_t errlen)
{
	BIO *bio;
	X509 *c;
	char kpath[4096], *kdata;
	size_t klen;

	*x = NULL;
	*chain = NULL;
	*key = NULL;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		goto oom;
	*x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	if (*x == NULL) {
		BIO_free(bio);
		snprintf(err, errlen, "no certificate in it");
		goto fail;
	}
	*chain = sk_X509_new_null();
	while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(*chain, c);
	BIO_free(bio);
	ERR_clear_error();
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		goto oom;
	*key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (*key == NULL) {
		snprintf(kpath, sizeof(kpath), "%s.key", path);
		kdata = tls_read(kpath, &klen);
		if (kdata == NULL) {
			snprintf(err, errlen, "no private key in it nor in "
			    "'%.300s'", kpath);
			goto fail;
		}
		bio = BIO_new_mem_buf(kdata, (int)klen);
		*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
		    NULL;
		BIO_free(bio);
		OPENSSL_cleanse(kdata, klen);
		free(kdata);
		ERR_clear_error();
		if (*key == NULL) {
			snprintf(err, errlen, "no private key in '%.300s'",
			    kpath);
			goto fail;
		}
	}
	if (!X509_check_private_key(*x, *key)) {
		ERR_clear_error();
		snprintf(err, errlen, "its private key does not match its "
		    "certificate");
		goto fail;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	X509_free(*x);
	sk_X509_pop_free(*chain, X509_free);
	EVP_PKEY_free(*key);
	*x = NULL;
	*chain = NULL;
	*key = NULL;
	return -1;
}

/* ---- settings common to both sides ------------------------------------- */

static int
tls_ver_proto(enum tls_ver v)
{
	switch (v) {
	case TLS_VER_SSLV3:
		return SSL3_VERSION;
	case TLS_VER_TLSV10:
		return TLS1_VERSION;
	case TLS_VER_TLSV11:
		return TLS1_1_VERSION;
	case TLS_VER_TLSV12:
		return TLS1_2_VERSION;
	case TLS_VER_TLSV13:
		return TLS1_3_VERSION;
	default:
		return 0;
	}
}

/* The line's options over the global defaults. */
static void
tls_opts_merge(struct conf_tls_opts *o, const struct conf_tls_opts *line,
    const struct conf_tls_opts *def)
{
	*o = *def;
	o->opts = (def->opts & ~line->set) | (line->opts & line->set);
	o->set |= line->set;
	if (line->min_ver)
		o->min_ver = line->min_ver;
	if (line->max_ver)
		o->max_ver = line->max_ver;
	if (line->ciphers)
		o->ciphers = line->ciphers;
	if (line->ciphersuites)
		o->ciphersuites = line->ciphersuites;
}

/*
 * Versions, ciphers and options on ctx. TLS 1.2 and 1.3 only unless the
 * configuration asks for older. Returns 0, or -1 with why in err.
 */
static int
tls_ctx_opts(SSL_CTX *ctx, const struct conf_tls_opts *o, char *err,
    size_t errlen)
{
	enum tls_ver lo = o->min_ver ? o->min_ver : TLS_VER_TLSV12;
	enum tls_ver hi = o->max_ver ? o->max_ver : TLS_VER_TLSV13;
	char why[256];

	/* no-tlsvXY raises the floor or lowers the ceiling past XY */
	while (lo <= hi && ((lo == TLS_VER_SSLV3 &&
	    (o->opts & TLS_O_NO_SSLV3)) || (lo == TLS_VER_TLSV10 &&
	    (o->opts & TLS_O_NO_TLSV10)) || (lo == TLS_VER_TLSV11 &&
	    (o->opts & TLS_O_NO_TLSV11)) || (lo == TLS_VER_TLSV12 &&
	    (o->opts & TLS_O_NO_TLSV12))))
		lo++;
	while (hi >= lo && ((hi == TLS_VER_TLSV13 &&
	    (o->opts & TLS_O_NO_TLSV13)) || (hi == TLS_VER_TLSV12 &&
	    (o->opts & TLS_O_NO_TLSV12))))
		hi--;
	if (lo > hi) {
		snprintf(err, errlen, "the options leave no TLS version");
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, tls_ver_proto(lo));
	SSL_CTX_set_max_proto_version(ctx, tls_ver_proto(hi));
	if (o->ciphers && !SSL_CTX_set_cipher_list(ctx, o->ciphers)) {
		snprintf(err, errlen, "ciphers '%s': %s", o->ciphers,
		    tls_reason(why, sizeof(why), "no cipher matches"));
		return -1;
	}
	if (o->ciphersuites && !SSL_CTX_set_ciphersuites(ctx,
	    o->ciphersuites)) {
		snprintf(err, errlen, "ciphersuites '%s': %s",
		    o->ciphersuites, tls_reason(why, sizeof(why),
		    "no ciphersuite matches"));
		return -1;
	}
	if (o->opts & TLS_O_NO_TICKETS)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (!(o->opts & TLS_O_PREFER_CLIENT))
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * Clients that close without close_notify are common; the bodies
	 * weir forwards carry their own length.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	/*
	 * weir retries a write with the same bytes, maybe moved; an idle
	 * connection keeps no record buffer; a record is read in one read(2)
	 * rather than header then body (what is read ahead shows in
	 * SSL_has_pending(), which the engine checks before it waits).
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_read_ahead(ctx, 1);
	return 0;
}

/* Trust anchors (and CRLs) for verifying the peer. */
static int
tls_ctx_verify(SSL_CTX *ctx, const char *ca, const char *crl, bool ca_names,
    char *err, size_t errlen)
{
	char why[256];

	if (ca != NULL && strcmp(ca, "@system-ca") == 0) {
		if (!SSL_CTX_set_default_verify_paths(ctx)) {
			snprintf(err, errlen, "the system's CAs: %s",
			    tls_reason(why, sizeof(why), "cannot be read"));
			return -1;
		}
	} else if (ca != NULL) {
		errno = 0;
		if (!SSL_CTX_load_verify_locations(ctx, ca, NULL)) {
			snprintf(err, errlen, "ca-file '%s': %s", ca,
			    errno ? strerror(errno) : tls_reason(why,
			    sizeof(why), "no certificate in it"));
			ERR_clear_error();
			return -1;
		}
		if (ca_names) {
			STACK_OF(X509_NAME) *names =
			    SSL_load_client_CA_file(ca);

			if (names != NULL)
				SSL_CTX_set_client_CA_list(ctx, names);
		}
	}
	if (crl != NULL) {
		X509_STORE *st = SSL_CTX_get_cert_store(ctx);
		X509_LOOKUP *lk = X509_STORE_add_lookup(st,
		    X509_LOOKUP_file());

		if (lk == NULL || X509_load_crl_file(lk, crl,
		    X509_FILETYPE_PEM) <= 0) {
			snprintf(err, errlen, "crl-file '%s': %s", crl,
			    tls_reason(why, sizeof(why), "no CRL in it"));
			return -1;
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	}
	return 0;
}

/* ---- SNI, ALPN, tickets: the callbacks of a bind's contexts ------------- */

static int
tls_sni_cmp(const void *a, const void *b)
{
	const struct tls_sni *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r != 0)
		return r;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The first entry named name in the sorted v[0..n), or NULL. */
static const struct tls_sni *
tls_sni_find(const struct tls_sni *v, unsigned n, const char *name)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].name, name) == 0 ? &v[lo] : NULL;
}

/* The certificate for the name the client asked for: exact, wildcard. */
static int
tls_on_sni(SSL *ssl, int *alert, void *arg)
{
	const struct tls_bind *tb = SSL_get_ex_data(ssl, tls_ex_bind);
	const char *sn = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const struct tls_sni *e;
	const char *dot;
	char name[256];
	size_t i;

	(void)arg;
	if (tb == NULL)
		return SSL_TLSEXT_ERR_OK;
	if (sn == NULL && tb->strict) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (sn == NULL)
		return SSL_TLSEXT_ERR_OK;
	for (i = 0; sn[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = (char)tolower((unsigned char)sn[i]);
	name[i] = '\0';
	e = tls_sni_find(tb->exact, tb->nexact, name);
	if (e == NULL && (dot = strchr(name, '.')) != NULL)
		e = tls_sni_find(tb->wild, tb->nwild, dot + 1);
	if (e == NULL && tb->strict) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (e != NULL && e->ctx != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, e->ctx);
	return SSL_TLSEXT_ERR_OK;
}

static int
tls_on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char h1[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, h1, sizeof(h1) - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/*
 * Session tickets: sealed with this graph's key, opened with it or one of
 * the two before it (a ticket from before a reload still resumes, and is
 * renewed).
 */
static int
tls_on_ticket(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	const struct tls_bind *tb = SSL_get_ex_data(ssl, tls_ex_bind);
	const struct tls_tkey *k = NULL;
	OSSL_PARAM params[3];
	unsigned i;

	/* none after the handshake: no ticket then, none taken */
	if (tb == NULL || tb->nkeys == 0)
		return 0;
	if (enc) {
		k = &tb->keys[0];
		if (RAND_bytes(iv, 16) <= 0)
			return -1;
		memcpy(name, k->name, 16);
	} else {
		for (i = 0; i < tb->nkeys && k == NULL; i++)
			if (memcmp(name, tb->keys[i].name, 16) == 0)
				k = &tb->keys[i];
		if (k == NULL)
			return 0;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)k->hmac, sizeof(k->hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(hctx, params))
		return -1;
	if (enc) {
		if (!EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
		    iv))
			return -1;
		return 1;
	}
	if (!EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv))
		return -1;
	return k == &tb->keys[0] ? 1 : 2;
}

void
tls_keys_rotate(void)
{
	struct tls_tkey k;

	if (RAND_bytes((unsigned char *)&k, sizeof(k)) <= 0)
		return;
	pthread_mutex_lock(&cache.lock);
	memmove(&cache.keys[1], &cache.keys[0],
	    sizeof(cache.keys[0]) * (TLS_NKEYS - 1));
	cache.keys[0] = k;
	if (cache.nkeys < TLS_NKEYS)
		cache.nkeys++;
	pthread_mutex_unlock(&cache.lock);
	OPENSSL_cleanse(&k, sizeof(k));
}

/* ---- the certificate cache -------------------------------------------- */

static void
tls_cert_free(struct tls_cert *c)
{
	unsigned i;

	SSL_CTX_free(c->ctx);
	for (i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->names);
	free(c);
}

/* Find by id under the lock; NULL when absent. */
static struct tls_cert *
tls_cache_find(const unsigned char id[32])
{
	struct tls_cert *c;
	uint32_t h;

	if (cache.nb == 0)
		return NULL;
	memcpy(&h, id, sizeof(h));
	for (c = cache.b[h & (cache.nb - 1)]; c != NULL; c = c->next)
		if (memcmp(c->id, id, 32) == 0)
			return c;
	return NULL;
}

/* Insert under the lock; -1 when out of memory. */
static int
tls_cache_add(struct tls_cert *c)
{
	uint32_t h;

	if (cache.n + 1 > cache.nb) {
		unsigned nb = cache.nb ? cache.nb * 2 : 64, i;
		struct tls_cert **b = calloc(nb, sizeof(*b)), *x, *next;

		if (b == NULL)
			return -1;
		for (i = 0; i < cache.nb; i++) {
			for (x = cache.b[i]; x != NULL; x = next) {
				next = x->next;
				memcpy(&h, x->id, sizeof(h));
				x->next = b[h & (nb - 1)];
				b[h & (nb - 1)] = x;
			}
		}
		free(cache.b);
		cache.b = b;
		cache.nb = nb;
	}
	memcpy(&h, c->id, sizeof(h));
	c->next = cache.b[h & (cache.nb - 1)];
	cache.b[h & (cache.nb - 1)] = c;
	cache.n++;
	return 0;
}

/* Drop a reference under the lock; the last one frees the entry. */
static void
tls_cache_unref(struct tls_cert *c)
{
	struct tls_cert **pp;
	uint32_t h;

	if (--c->refs > 0)
		return;
	memcpy(&h, c->id, sizeof(h));
	for (pp = &cache.b[h & (cache.nb - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			cache.n--;
			break;
		}
	}
	/* connections still on it hold the SSL_CTX themselves */
	tls_cert_free(c);
}

/* ---- building a bind --------------------------------------------------- */

/* What building one bind needs. */
struct tb_build {
	const struct conf_tls_bind *cb;
	struct conf_tls_opts o;
	unsigned dh_bits;
	struct diag *d;
	EVP_MD_CTX *settings;	/* the digest of the bind's settings */
	struct tls_bind *tb;
	unsigned cap;
	bool failed;
};

static int
tls_add_name(struct tls_cert *c, const char *s, size_t len)
{
	char **n, *p;
	size_t i;

	if (len == 0 || len > 253)
		return 0;
	n = realloc(c->names, sizeof(*n) * (c->nnames + 1));
	if (n == NULL)
		return -1;
	c->names = n;
	p = malloc(len + 1);
	if (p == NULL)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = (char)tolower((unsigned char)s[i]);
	p[len] = '\0';
	n[c->nnames++] = p;
	return 0;
}

/* The names a certificate answers to: its DNS SANs and its CN, as HAProxy. */
static int
tls_cert_names(struct tls_cert *c, X509 *x)
{
	GENERAL_NAMES *gens;
	X509_NAME *sub;
	int i, r = 0;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *s;

		if (g->type != GEN_DNS)
			continue;
		s = ASN1_STRING_get0_data(g->d.dNSName);
		r |= tls_add_name(c, (const char *)s,
		    (size_t)ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	sub = X509_get_subject_name(x);
	i = -1;
	while ((i = X509_NAME_get_index_by_NID(sub, NID_commonName, i)) >= 0) {
		ASN1_STRING *d = X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(sub, i));
		unsigned char *u = NULL;
		int len = ASN1_STRING_to_UTF8(&u, d);

		if (len > 0)
			r |= tls_add_name(c, (const char *)u, (size_t)len);
		OPENSSL_free(u);
	}
	return r;
}

static int
tls_dh(SSL_CTX *ctx, unsigned bits)
{
	char group[16];
	EVP_PKEY_CTX *pc;
	EVP_PKEY *pk = NULL;
	OSSL_PARAM params[2];

	if (bits == 0)
		return SSL_CTX_set_dh_auto(ctx, 1) == 1 ? 0 : -1;
	snprintf(group, sizeof(group), "ffdhe%u", bits);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (pc == NULL || EVP_PKEY_paramgen_init(pc) <= 0 ||
	    EVP_PKEY_CTX_set_params(pc, params) <= 0 ||
	    EVP_PKEY_paramgen(pc, &pk) <= 0) {
		EVP_PKEY_CTX_free(pc);
		return -1;
	}
	EVP_PKEY_CTX_free(pc);
	if (!SSL_CTX_set0_tmp_dh_pkey(ctx, pk)) {
		EVP_PKEY_free(pk);
		return -1;
	}
	return 0;
}

/* A server context for one certificate with the bind's settings. */
static SSL_CTX *
tls_cert_ctx(struct tb_build *bb, X509 *x, STACK_OF(X509) *chain,
    EVP_PKEY *key, char *err, size_t errlen)
{
	const struct conf_tls_bind *cb = bb->cb;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	static const unsigned char sid[] = "weir";
	char why[256];
	int mode = SSL_VERIFY_NONE;

	if (ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (tls_ctx_opts(ctx, &bb->o, err, errlen) < 0)
		goto fail;
	if (!SSL_CTX_use_cert_and_key(ctx, x, key, chain, 1)) {
		snprintf(err, errlen, "%s", tls_reason(why, sizeof(why),
		    "cannot use its certificate and key"));
		goto fail;
	}
	if (tls_dh(ctx, bb->dh_bits) < 0) {
		snprintf(err, errlen, "tune.ssl.default-dh-param: %s",
		    tls_reason(why, sizeof(why), "cannot set DH group"));
		goto fail;
	}
	if (tls_ctx_verify(ctx, cb->ca_file ? cb->ca_file->path : NULL,
	    cb->crl_file ? cb->crl_file->path : NULL, !cb->no_ca_names, err,
	    errlen) < 0)
		goto fail;
	if (cb->verify == TLS_VERIFY_OPTIONAL)
		mode = SSL_VERIFY_PEER;
	else if (cb->verify == TLS_VERIFY_REQUIRED)
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, NULL);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_set_tlsext_servername_callback(ctx, tls_on_sni);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_on_ticket);
	if (cb->alpn_h1)
		SSL_CTX_set_alpn_select_cb(ctx, tls_on_alpn, NULL);
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * One certificate file for the bind: the cached entry when the file and
 * the settings are what they were, else read now. names[0..nnames) from a
 * crt-list line replace the certificate's own. Errors go to d at loc.
 */
static void
tb_add_cert(struct tb_build *bb, const struct loc *loc, const char *path,
    char **names, unsigned nnames)
{
	struct tls_bind *tb = bb->tb;
	unsigned char id[32];
	char err[512];
	struct tls_cert *c;
	EVP_MD_CTX *md;
	X509 *x;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
	char *data;
	size_t len;
	unsigned i;

	data = tls_read(path, &len);
	if (data == NULL) {
		diag_error(bb->d, loc, "certificate '%s': %s", path,
		    strerror(errno));
		bb->failed = true;
		return;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || !EVP_MD_CTX_copy_ex(md, bb->settings) ||
	    !EVP_DigestUpdate(md, path, strlen(path) + 1) ||
	    !EVP_DigestUpdate(md, data, len)) {
		EVP_MD_CTX_free(md);
		goto oom;
	}
	for (i = 0; i < nnames; i++)
		EVP_DigestUpdate(md, names[i], strlen(names[i]) + 1);
	EVP_DigestUpdate(md, &nnames, sizeof(nnames));
	EVP_DigestFinal_ex(md, id, NULL);
	EVP_MD_CTX_free(md);
	if (tb->ncerts == bb->cap) {
		unsigned ncap = bb->cap ? bb->cap * 2 : 8;
		struct tls_cert **n = realloc(tb->certs, sizeof(*n) * ncap);

		if (n == NULL)
			goto oom;
		tb->certs = n;
		bb->cap = ncap;
	}
	pthread_mutex_lock(&cache.lock);
	c = tls_cache_find(id);
	if (c != NULL)
		c->refs++;
	pthread_mutex_unlock(&cache.lock);
	if (c != NULL) {
		tb->certs[tb->ncerts++] = c;
		goto out;
	}
	/* a key a file holds whether it is used or not: wiped */
	if (tls_pem(path, data, len, &x, &chain, &key, err, sizeof(err)) < 0) {
		diag_error(bb->d, loc, "certificate '%s': %s", path, err);
		bb->failed = true;
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		X509_free(x);
		sk_X509_pop_free(chain, X509_free);
		EVP_PKEY_free(key);
		goto oom;
	}
	memcpy(c->id, id, sizeof(id));
	c->refs = 1;
	c->ctx = tls_cert_ctx(bb, x, chain, key, err, sizeof(err));
	if (c->ctx == NULL) {
		diag_error(bb->d, loc, "certificate '%s': %s", path, err);
		bb->failed = true;
	} else if (nnames > 0) {
		for (i = 0; i < nnames; i++)
			if (tls_add_name(c, names[i], strlen(names[i])) < 0)
				bb->failed = true;
	} else if (tls_cert_names(c, x) < 0) {
		bb->failed = true;
	}
	X509_free(x);
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(key);
	if (c->ctx == NULL) {
		tls_cert_free(c);
		goto out;
	}
	pthread_mutex_lock(&cache.lock);
	if (tls_cache_add(c) < 0) {
		pthread_mutex_unlock(&cache.lock);
		tls_cert_free(c);
		goto oom;
	}
	pthread_mutex_unlock(&cache.lock);
	tb->certs[tb->ncerts++] = c;
	tb->nloaded++;
	goto out;
oom:
	diag_error(bb->d, loc, "certificate '%s': out of memory", path);
	bb->failed = true;
out:
	OPENSSL_cleanse(data, len);
	free(data);
}

static int
tls_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
tls_skip_file(const char *name)
{
	static const char *const ext[] = { ".key", ".ocsp", ".issuer",
		".sctl", ".crl" };
	size_t n = strlen(name), i;

	if (name[0] == '.')
		return true;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

/* Every certificate file of a directory, in name order. */
static void
tb_add_dir(struct tb_build *bb, const struct loc *loc, const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;

	if (dp == NULL) {
		diag_error(bb->d, loc, "certificate directory '%s': %s", dir,
		    strerror(errno));
		bb->failed = true;
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (tls_skip_file(de->d_name))
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, sizeof(*nn) * cap);
			if (nn == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), tls_name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		tb_add_cert(bb, loc, path, NULL, 0);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		diag_error(bb->d, loc, "certificate directory '%s' holds no "
		    "certificate", dir);
		bb->failed = true;
	}
}

static void
tb_add_path(struct tb_build *bb, const struct loc *loc, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		tb_add_dir(bb, loc, path);
	else
		tb_add_cert(bb, loc, path, NULL, 0);
}

/*
 * A crt-list: one certificate a line, "FILE [NAME...]", the names (SNI
 * filters) replacing those of the certificate; '#' starts a comment.
 * Relative files are taken from the list's directory unless crt-base is
 * set, as in HAProxy.
 */
static void
tb_add_list(struct tb_build *bb, const struct loc *loc, const char *list,
    const char *crt_base)
{
	char *data, *line, *next, *dirp, path[4096];
	char *names[64];
	size_t len;
	unsigned lineno = 0, nn;

	data = tls_read(list, &len);
	if (data == NULL) {
		diag_error(bb->d, loc, "crt-list '%s': %s", list,
		    strerror(errno));
		bb->failed = true;
		return;
	}
	dirp = strrchr(list, '/');
	for (line = data; line != NULL; line = next) {
		char *tok, *save = NULL, *file;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if ((tok = strchr(line, '#')) != NULL)
			*tok = '\0';
		file = strtok_r(line, " \t\r", &save);
		if (file == NULL)
			continue;
		nn = 0;
		while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
			if (tok[0] == '[' || tok[0] == '!' || nn == 64) {
				diag_error(bb->d, loc, "crt-list '%s' line "
				    "%u: %s", list, lineno, tok[0] == '[' ?
				    "per-certificate options are not "
				    "supported" : tok[0] == '!' ?
				    "negative SNI filters are not supported" :
				    "more than 64 names");
				bb->failed = true;
				goto out;
			}
			names[nn++] = tok;
		}
		if (file[0] == '/')
			snprintf(path, sizeof(path), "%s", file);
		else if (crt_base != NULL)
			snprintf(path, sizeof(path), "%s/%s", crt_base, file);
		else if (dirp != NULL)
			snprintf(path, sizeof(path), "%.*s/%s",
			    (int)(dirp - list), list, file);
		else
			snprintf(path, sizeof(path), "%s", file);
		tb_add_cert(bb, loc, path, names, nn);
	}
out:
	free(data);
}

/* The bind's settings into its digest: what makes a context differ. */
static int
tb_settings(struct tb_build *bb)
{
	const struct conf_tls_bind *cb = bb->cb;
	const struct conf_tls_file *fs[2] = { cb->ca_file, cb->crl_file };
	char buf[1024];
	unsigned i;
	int n;

	n = snprintf(buf, sizeof(buf), "v%d a%d n%d o%u %d-%d c%s s%s dh%u",
	    (int)cb->verify, (int)cb->alpn_h1, (int)cb->no_ca_names, bb->o.opts,
	    (int)bb->o.min_ver, (int)bb->o.max_ver,
	    bb->o.ciphers ? bb->o.ciphers : "-",
	    bb->o.ciphersuites ? bb->o.ciphersuites : "-", bb->dh_bits);
	if (!EVP_DigestInit_ex(bb->settings, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(bb->settings, buf, (size_t)n + 1))
		return -1;
	/* a CA or CRL file that changed makes new contexts */
	for (i = 0; i < 2; i++) {
		char *data;
		size_t len;

		if (fs[i] == NULL)
			continue;
		data = tls_read(fs[i]->path, &len);
		if (data == NULL) {
			diag_error(bb->d, &fs[i]->loc, "%s '%s': %s",
			    i ? "crl-file" : "ca-file", fs[i]->path,
			    strerror(errno));
			bb->failed = true;
			continue;
		}
		EVP_DigestUpdate(bb->settings, fs[i]->path,
		    strlen(fs[i]->path) + 1);
		EVP_DigestUpdate(bb->settings, data, len);
		free(data);
	}
	return 0;
}

/* The SNI tables of a bind, from its certificates' names. */
static int
tb_sni(struct tls_bind *tb)
{
	unsigned i, j, n = 0;

	for (i = 0; i < tb->ncerts; i++)
		n += tb->certs[i]->nnames;
	tb->exact = calloc(n ? n : 1, sizeof(*tb->exact));
	tb->wild = calloc(n ? n : 1, sizeof(*tb->wild));
	if (tb->exact == NULL || tb->wild == NULL)
		return -1;
	for (i = 0; i < tb->ncerts; i++) {
		const struct tls_cert *c = tb->certs[i];

		for (j = 0; j < c->nnames; j++) {
			const char *nm = c->names[j];
			struct tls_sni *e;

			if (nm[0] == '*' && nm[1] == '.')
				e = &tb->wild[tb->nwild++], nm += 2;
			else
				e = &tb->exact[tb->nexact++];
			e->name = nm;
			e->order = i;
			e->ctx = c->ctx;
		}
	}
	qsort(tb->exact, tb->nexact, sizeof(*tb->exact), tls_sni_cmp);
	qsort(tb->wild, tb->nwild, sizeof(*tb->wild), tls_sni_cmp);
	return 0;
}

struct tls_bind *
tls_bind_new(const struct conf_global *g, const struct conf_tls_bind *cb,
    uint64_t hs_ms, struct diag *d)
{
	const struct conf_tls_file *f;
	struct tb_build bb;

	pthread_once(&tls_once, tls_init_once);
	memset(&bb, 0, sizeof(bb));
	bb.cb = cb;
	bb.d = d;
	bb.dh_bits = g->dh_param_bits;
	tls_opts_merge(&bb.o, &cb->o, &g->tls_bind);
	bb.tb = calloc(1, sizeof(*bb.tb));
	bb.settings = EVP_MD_CTX_new();
	if (bb.tb == NULL || bb.settings == NULL || tb_settings(&bb) < 0) {
		diag_error(d, &cb->loc, "out of memory");
		goto fail;
	}
	bb.tb->hs_ms = hs_ms;
	bb.tb->strict = cb->strict_sni;
	for (f = cb->crts; f != NULL; f = f->next) {
		if (f->list)
			tb_add_list(&bb, &f->loc, f->path, g->crt_base);
		else
			tb_add_path(&bb, &f->loc, f->path);
	}
	if (bb.failed || bb.tb->ncerts == 0)
		goto fail;
	if (tb_sni(bb.tb) < 0) {
		diag_error(d, &cb->loc, "out of memory");
		goto fail;
	}
	bb.tb->dflt = bb.tb->certs[0]->ctx;
	pthread_mutex_lock(&cache.lock);
	memcpy(bb.tb->keys, cache.keys, sizeof(cache.keys));
	bb.tb->nkeys = cache.nkeys;
	pthread_mutex_unlock(&cache.lock);
	EVP_MD_CTX_free(bb.settings);
	return bb.tb;
fail:
	EVP_MD_CTX_free(bb.settings);
	tls_bind_free(bb.tb);
	return NULL;
}

void
tls_bind_free(struct tls_bind *tb)
{
	unsigned i;

	if (tb == NULL)
		return;
	pthread_mutex_lock(&cache.lock);
	for (i = 0; i < tb->ncerts; i++)
		tls_cache_unref(tb->certs[i]);
	pthread_mutex_unlock(&cache.lock);
	free(tb->certs);
	free(tb->exact);
	free(tb->wild);
	OPENSSL_cleanse(tb->keys, sizeof(tb->keys));
	free(tb);
}

SSL *
tls_bind_ssl(const struct tls_bind *tb, int fd)
{
	SSL *ssl = SSL_new(tb->dflt);

	if (ssl == NULL)
		return NULL;
	if (!SSL_set_fd(ssl, fd) ||
	    !SSL_set_ex_data(ssl, tls_ex_bind, (void *)tb)) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

void
tls_bind_done(SSL *ssl)
{
	SSL_set_ex_data(ssl, tls_ex_bind, NULL);
}

uint64_t
tls_bind_hs_ms(const struct tls_bind *tb)
{
	return tb->hs_ms;
}

unsigned
tls_bind_ncerts(const struct tls_bind *tb)
{
	return tb->ncerts;
}

unsigned
tls_bind_nloaded(const struct tls_bind *tb)
{
	return tb->nloaded;
}

/* ---- servers ----------------------------------------------------------- */

struct tls_srv *
tls_srv_new(const struct conf_global *g, const struct conf_tls_server *cs,
    const char *what, struct diag *d)
{
	struct tls_srv *ts = calloc(1, sizeof(*ts));
	struct conf_tls_opts o;
	char err[512];

	if (ts == NULL || (ts->ctx = SSL_CTX_new(TLS_client_method())) ==
	    NULL) {
		diag_error(d, &cs->loc, "%s: out of memory", what);
		goto fail;
	}
	tls_opts_merge(&o, &cs->o, &g->tls_server);
	if (tls_ctx_opts(ts->ctx, &o, err, sizeof(err)) < 0) {
		diag_error(d, &cs->loc, "%s: %s", what, err);
		goto fail;
	}
	ts->verify = cs->verify != TLS_VERIFY_NONE;
	if (ts->verify && tls_ctx_verify(ts->ctx, cs->ca_file ?
	    cs->ca_file->path : NULL, cs->crl_file ? cs->crl_file->path :
	    NULL, false, err, sizeof(err)) < 0) {
		diag_error(d, cs->ca_file ? &cs->ca_file->loc : &cs->loc,
		    "%s: %s", what, err);
		goto fail;
	}
	SSL_CTX_set_verify(ts->ctx, ts->verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	if (cs->crt != NULL) {
		X509 *x;
		STACK_OF(X509) *chain;
		EVP_PKEY *key;
		char *data;
		size_t len;
		int r;

		data = tls_read(cs->crt->path, &len);
		if (data == NULL) {
			diag_error(d, &cs->crt->loc, "%s: certificate '%s': "
			    "%s", what, cs->crt->path, strerror(errno));
			goto fail;
		}
		r = tls_pem(cs->crt->path, data, len, &x, &chain, &key, err,
		    sizeof(err));
		OPENSSL_cleanse(data, len);
		free(data);
		if (r < 0) {
			diag_error(d, &cs->crt->loc, "%s: certificate '%s': "
			    "%s", what, cs->crt->path, err);
			goto fail;
		}
		r = SSL_CTX_use_cert_and_key(ts->ctx, x, key, chain, 1);
		X509_free(x);
		sk_X509_pop_free(chain, X509_free);
		EVP_PKEY_free(key);
		if (!r) {
			diag_error(d, &cs->crt->loc, "%s: certificate '%s': "
			    "%s", what, cs->crt->path, tls_reason(err,
			    sizeof(err), "cannot be used"));
			goto fail;
		}
	}
	if (cs->alpn_h1)
		SSL_CTX_set_alpn_protos(ts->ctx,
		    (const unsigned char *)"\x08http/1.1", 9);
	ts->reuse = !cs->no_reuse;
	if (ts->reuse) {
		SSL_CTX_set_session_cache_mode(ts->ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ts->ctx, sess_tls_new_session);
	} else {
		SSL_CTX_set_session_cache_mode(ts->ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(ts->ctx, SSL_OP_NO_TICKET);
	}
	ts->check_ssl = !cs->no_check_ssl;
	if (cs->check_sni != NULL &&
	    (ts->check_sni = strdup(cs->check_sni)) == NULL) {
		diag_error(d, &cs->loc, "%s: out of memory", what);
		goto fail;
	}
	if (cs->sni != NULL) {
		ts->sni = strdup(cs->sni);
		if (ts->sni == NULL) {
			diag_error(d, &cs->loc, "%s: out of memory", what);
			goto fail;
		}
		ts->sni_hdr = cs->sni_hdr;
	}
	return ts;
fail:
	ERR_clear_error();
	tls_srv_free(ts);
	return NULL;
}

void
tls_srv_free(struct tls_srv *ts)
{
	if (ts == NULL)
		return;
	SSL_CTX_free(ts->ctx);
	free(ts->sni);
	free(ts->check_sni);
	free(ts);
}

SSL *
tls_srv_ssl(const struct tls_srv *ts, int fd, const char *sni,
    size_t sni_len, SSL_SESSION *sess)
{
	SSL *ssl = SSL_new(ts->ctx);
	char name[256];

	if (ssl == NULL)
		return NULL;
	if (!SSL_set_fd(ssl, fd))
		goto fail;
	if (sni == NULL && ts->sni != NULL && !ts->sni_hdr) {
		sni = ts->sni;
		sni_len = strlen(sni);
	}
	if (sni != NULL && sni_len > 0 && sni_len < sizeof(name)) {
		const char *colon = memchr(sni, ':', sni_len);

		/* a Host header's port is no part of the name */
		if (colon != NULL && ts->sni_hdr)
			sni_len = (size_t)(colon - sni);
		memcpy(name, sni, sni_len);
		name[sni_len] = '\0';
		if (!SSL_set_tlsext_host_name(ssl, name))
			goto fail;
		/* the name asked for is the name checked */
		if (ts->verify && !SSL_set1_host(ssl, name))
			goto fail;
	}
	if (sess != NULL && ts->reuse)
		SSL_set_session(ssl, sess);
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}

SSL *
tls_srv_check_ssl(const struct tls_srv *ts, int fd)
{
	const char *sni = ts->check_sni;

	if (!ts->check_ssl)
		return NULL;
	if (sni == NULL && !ts->sni_hdr)
		sni = ts->sni;
	return tls_srv_ssl(ts, fd, sni, sni ? strlen(sni) : 0, NULL);
}

const char *
tls_srv_sni_hdr(const struct tls_srv *ts, size_t *len)
{
	if (!ts->sni_hdr)
		return NULL;
	*len = strlen(ts->sni);
	return ts->sni;
}

bool
tls_srv_reuse(const struct tls_srv *ts)
{
	return ts->reuse;
}

const char *
tls_error(SSL *ssl, int ret, char *buf, size_t size)
{
	int e = SSL_get_error(ssl, ret);
	long v = SSL_get_verify_result(ssl);
	unsigned long q = ERR_peek_last_error();

	if (v != X509_V_OK && (e == SSL_ERROR_SSL || q != 0))
		snprintf(buf, size, "certificate verify failed: %s",
		    X509_verify_cert_error_string(v));
	else if (e == SSL_ERROR_SSL && q != 0)
		snprintf(buf, size, "%s", ERR_reason_error_string(q) ?
		    ERR_reason_error_string(q) : "protocol error");
	else if (e == SSL_ERROR_SYSCALL)
		snprintf(buf, size, "%s", errno ? strerror(errno) :
		    "connection closed");
	else if (e == SSL_ERROR_ZERO_RETURN)
		snprintf(buf, size, "connection closed");
	else
		snprintf(buf, size, "error %d", e);
	ERR_clear_error();
	return buf;
}

/* ---- sample fetches ---------------------------------------------------- */

const char *
tls_fc_sni(SSL *ssl, size_t *len)
{
	const char *s = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	if (s != NULL)
		*len = strlen(s);
	return s;
}

long
tls_c_verify(SSL *ssl)
{
	return SSL_get_verify_result(ssl);
}

bool
tls_c_used(SSL *ssl)
{
	return SSL_get0_peer_certificate(ssl) != NULL;
}

const char *
tls_fc_protocol(SSL *ssl)
{
	return SSL_get_version(ssl);
}

const char *
tls_fc_cipher(SSL *ssl)
{
	return SSL_get_cipher_name(ssl);
}

int
tls_c_dn(SSL *ssl, bool issuer, const char *field, char *buf, size_t size)
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	X509_NAME *n;
	int nid, r;

	if (x == NULL || size == 0)
		return -1;
	n = issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x);
	if (field == NULL || field[0] == '\0') {
		if (X509_NAME_oneline(n, buf, (int)size) == NULL)
			return -1;
		return (int)strlen(buf);
	}
	nid = OBJ_txt2nid(field);
	if (nid == NID_undef)
		return -1;
	r = X509_NAME_get_text_by_NID(n, nid, buf, (int)size);
	return r < 0 ? -1 : r;
}
