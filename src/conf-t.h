/*
 * Types of the conf tree (the syntax of lb.conf: sections, statements,
 * words and conditions, each with its place in the file) and of the typed
 * configuration the keyword tables fill from it.
 */
#ifndef WEIR_CONF_T_H
#define WEIR_CONF_T_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "arena.h"
#include "diag.h"

/* ---- syntax ------------------------------------------------------------ */

#define CONF_W_QUOTED	0x1	/* some part of the word was quoted */
#define CONF_W_BROKEN	0x2	/* its text is wrong: an error was reported */

struct conf_word {
	const char *s;		/* NUL-terminated; may hold no NUL itself */
	size_t len;
	struct loc loc;
	unsigned flags;
};

/* One term of a condition: an ACL name or an anonymous { acl }. */
struct conf_acl;

struct conf_term {
	struct conf_term *next;
	struct loc loc;
	bool neg;
	const struct conf_word *name;	/* NULL for an anonymous ACL */
	const struct conf_word *words;	/* anonymous: criterion, values */
	unsigned nwords;
	struct conf_acl *anon;		/* anonymous, as verify_conf() read it */
};

/* Terms joined by AND; the alternatives of a condition are joined by OR. */
struct conf_and {
	struct conf_and *next;
	struct conf_term *terms;
};

struct conf_cond {
	struct loc loc;		/* of the 'if' or 'unless' */
	bool unless;
	struct conf_and *alts;
};

enum conf_stmt_kind {
	CONF_STMT = 0,
	CONF_SECTION,		/* a section header: words[0] is its kind */
};

struct conf_stmt {
	struct conf_stmt *next;
	enum conf_stmt_kind kind;
	struct loc loc;
	const struct conf_word *words;
	unsigned nwords;
	const struct conf_cond *cond;	/* NULL when there is none */
};

enum conf_sec_kind {
	SEC_KIND_GLOBAL = 0,
	SEC_KIND_DEFAULTS,
	SEC_KIND_FRONTEND,
	SEC_KIND_BACKEND,
	SEC_KIND_LISTEN,
	SEC_KIND_OTHER,		/* a HAProxy section weir does not support */
};

struct conf_section {
	struct conf_section *next;
	enum conf_sec_kind kind;
	const struct conf_stmt *header;
	struct conf_stmt *stmts;	/* chained through ->next */
	unsigned nstmts;
};

/* ---- typed configuration ----------------------------------------------- */

struct conf_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

enum px_mode {
	PX_MODE_TCP = 0,	/* HAProxy's default */
	PX_MODE_HTTP,
};

enum to_kind {
	TO_CONNECT = 0,
	TO_CLIENT,
	TO_SERVER,
	TO_HTTP_REQUEST,
	TO_HTTP_KEEP_ALIVE,
	TO_QUEUE,
	TO_TUNNEL,
	TO_CHECK,
	TO_CLIENT_FIN,
	TO_SERVER_FIN,
	TO__COUNT
};

enum px_opt {
	OPT_DONTLOGNULL = 0,
	OPT_FORWARDFOR,
	OPT_HTTP_KEEP_ALIVE,
	OPT_HTTP_SERVER_CLOSE,
	OPT_HTTPCHK,
	OPT_HTTPCLOSE,
	OPT_HTTPLOG,
	OPT_REDISPATCH,
	OPT_TCPLOG,
	OPT_TCP_CHECK,
	OPT_MYSQL_CHECK,
	OPT_PGSQL_CHECK,
	OPT_REDIS_CHECK,
	OPT_DONTLOG_NORMAL,
	OPT_LOG_SEPARATE_ERRORS,
	OPT__COUNT
};

enum lb_algo {
	LB_ROUNDROBIN = 0,
	LB_STATIC_RR,
	LB_LEASTCONN,
	LB_FIRST,
	LB_SOURCE,
	LB_URI,
	LB_HDR,
	LB_RANDOM,
};

enum hash_type {
	HASH_MAP_BASED = 0,
	HASH_CONSISTENT,
};

enum log_kind {
	LOG_STDOUT = 0,
	LOG_STDERR,
	LOG_UDP,		/* syslog over UDP */
	LOG_UNIX,		/* syslog over a unix datagram socket */
	LOG_FILE,		/* lines appended to a file */
};

enum log_format {
	LOG_FMT_RFC3164 = 0,
	LOG_FMT_RAW,
	LOG_FMT_RFC5424,
	LOG_FMT_JSON,
};

struct conf_log {
	struct conf_log *next;
	struct loc loc;
	enum log_kind kind;
	struct conf_addr addr;	/* LOG_UDP */
	const char *path;	/* LOG_UNIX, LOG_FILE */
	int facility;		/* 0..23, -1 when none was given */
	int level;		/* max level 0..7 */
	enum log_format format;
	unsigned max_len;	/* len: the longest line, header included */
};

enum stats_level {
	STATS_LEVEL_USER = 0,
	STATS_LEVEL_OPERATOR,
	STATS_LEVEL_ADMIN,
};

struct conf_stats_socket {
	struct conf_stats_socket *next;
	struct loc loc;
	const char *path;
	unsigned mode;		/* permission bits; 0600 by default */
	enum stats_level level;
	bool expose_fd;
};

/* TLS protocol versions, in order; 0: unset */
enum tls_ver {
	TLS_VER_UNSET = 0,
	TLS_VER_SSLV3,
	TLS_VER_TLSV10,
	TLS_VER_TLSV11,
	TLS_VER_TLSV12,
	TLS_VER_TLSV13,
};

#define TLS_O_NO_SSLV3		0x01
#define TLS_O_NO_TLSV10		0x02
#define TLS_O_NO_TLSV11		0x04
#define TLS_O_NO_TLSV12		0x08
#define TLS_O_NO_TLSV13		0x10
#define TLS_O_NO_TICKETS	0x20
#define TLS_O_PREFER_CLIENT	0x40	/* prefer-client-ciphers */

/* What ssl-default-{bind,server}-options and the lines' own options set. */
struct conf_tls_opts {
	unsigned set;		/* TLS_O_* given */
	unsigned opts;		/* TLS_O_* */
	enum tls_ver min_ver, max_ver;
	const char *ciphers;	/* TLS 1.2 and below */
	const char *ciphersuites;	/* TLS 1.3 */
};

enum tls_verify {
	TLS_VERIFY_UNSET = 0,
	TLS_VERIFY_NONE,
	TLS_VERIFY_OPTIONAL,
	TLS_VERIFY_REQUIRED,
};

/* A file a TLS option names, with where it was named. */
struct conf_tls_file {
	struct conf_tls_file *next;
	struct loc loc;
	const char *path;	/* ca-base or crt-base applied */
	bool list;		/* crt-list */
};

struct conf_global {
	unsigned nbthread;
	unsigned maxconn;
	uint64_t hard_stop_after_ms;
	uint64_t stats_timeout_ms;
	const char *pidfile;
	const char *ca_base;
	const char *crt_base;
	unsigned tune_bufsize;
	unsigned tune_maxhdr;
	struct conf_log *logs;
	struct conf_stats_socket *sockets;
	struct conf_tls_opts tls_bind;	/* ssl-default-bind-* */
	struct conf_tls_opts tls_server;	/* ssl-default-server-* */
	unsigned dh_param_bits;		/* tune.ssl.default-dh-param */
	struct loc dh_param_loc;
};

/* bind ... ssl: what terminating TLS on it takes. */
struct conf_tls_bind {
	struct loc loc;		/* of 'ssl' */
	struct conf_tls_file *crts;	/* crt and crt-list, in order */
	struct conf_tls_file *ca_file;
	struct conf_tls_file *crl_file;
	enum tls_verify verify;
	bool alpn_h1;		/* alpn http/1.1 */
	bool strict_sni;	/* no certificate for the name: no handshake */
	bool no_ca_names;	/* send no list of acceptable CAs */
	struct conf_tls_opts o;
};

/* server ... ssl: what TLS to the server takes. */
struct conf_tls_server {
	struct loc loc;
	bool ssl;
	enum tls_verify verify;
	struct conf_tls_file *ca_file;	/* "@system-ca": the system's */
	struct conf_tls_file *crl_file;
	struct conf_tls_file *crt;	/* a client certificate */
	const char *sni;	/* str(NAME) or req.hdr(NAME) */
	bool sni_hdr;		/* sni is the name of a request header */
	const char *check_sni;	/* the name health checks ask for */
	bool no_check_ssl;	/* health checks in clear */
	bool check_ssl;		/* check-ssl given */
	bool no_reuse;		/* no-ssl-reuse */
	bool alpn_h1;
	struct conf_tls_opts o;
};

struct conf_bind {
	struct conf_bind *next;
	struct loc loc;
	const char *text;	/* as written */
	const char *name;	/* bind ... name NAME */
	struct conf_addr addr;
	bool accept_proxy;	/* clients speak the PROXY protocol first */
	struct conf_tls_bind *tls;	/* NULL: no ssl */
};

#define SRV_BACKUP	0x1
#define SRV_DISABLED	0x2
#define SRV_CHECK	0x4
#define SRV_SEND_PROXY	0x8	/* PROXY protocol v1 before the bytes */
#define SRV_SEND_PROXY_V2 0x10	/* PROXY protocol v2 */
#define SRV_DOWN_KILL	0x20	/* on-marked-down shutdown-sessions */
#define SRV_UP_KILL_BACKUP 0x40	/* on-marked-up shutdown-backup-sessions */

/* How a backend's servers are checked. */
enum chk_kind {
	CHK_TCP = 0,		/* a TCP connect */
	CHK_HTTP,		/* option httpchk */
	CHK_TCPCHK,		/* option tcp-check: the tcp-check rules */
	CHK_MYSQL,		/* option mysql-check [user U] */
	CHK_PGSQL,		/* option pgsql-check user U */
	CHK_REDIS,		/* option redis-check */
};

/* http-check expect: what makes an HTTP check pass. */
enum chk_expect {
	CHK_EXPECT_DEFAULT = 0,	/* a 2xx or 3xx status */
	CHK_EXPECT_STATUS,	/* status N, or a list and ranges: 200,300-399 */
	CHK_EXPECT_RSTATUS,	/* the status code matches a regex */
	CHK_EXPECT_STRING,	/* the body holds a string */
	CHK_EXPECT_RSTRING,	/* the body matches a regex */
};

enum tcpchk_act {
	TCPCHK_CONNECT = 0,
	TCPCHK_SEND,
	TCPCHK_EXPECT_STRING,
	TCPCHK_EXPECT_RSTRING,
};

/* One tcp-check rule. */
struct conf_tcpchk {
	struct conf_tcpchk *next;
	struct loc loc;
	enum tcpchk_act act;
	unsigned port;		/* connect port N; 0: the check port */
	const char *data;	/* send: the bytes; expect: string or regex */
	size_t len;
	bool neg;		/* expect ! string S */
};

/* retry-on conditions (bits). */
#define RETRY_CONN_FAILURE	0x001
#define RETRY_EMPTY_RESPONSE	0x002
#define RETRY_JUNK_RESPONSE	0x004
#define RETRY_RESPONSE_TIMEOUT	0x008
#define RETRY_0RTT_REJECTED	0x010
#define RETRY_404		0x020
#define RETRY_408		0x040
#define RETRY_425		0x080
#define RETRY_500		0x100
#define RETRY_501		0x200
#define RETRY_502		0x400
#define RETRY_503		0x800
#define RETRY_504		0x1000
#define RETRY_STATUSES		(RETRY_404 | RETRY_408 | RETRY_425 | \
	    RETRY_500 | RETRY_501 | RETRY_502 | RETRY_503 | RETRY_504)

/* What real traffic tells of a server (observe). */
enum srv_observe {
	OBSERVE_NONE = 0,
	OBSERVE_LAYER4,		/* connection failures and timeouts */
	OBSERVE_LAYER7,		/* those, and 5xx answers but 501 and 505 */
};

/* What error-limit consecutive errors do (on-error). */
enum srv_on_error {
	ON_ERROR_FASTINTER = 0,	/* check at fastinter from now on */
	ON_ERROR_FAIL_CHECK,	/* count as a failed check */
	ON_ERROR_SUDDEN_DEATH,	/* one more failed check marks it down */
	ON_ERROR_MARK_DOWN,	/* down at once; checks bring it back */
	ON_ERROR_CIRCUIT_BREAK,	/* the breaker opens: cooldown, half-open */
};

struct conf_server {
	struct conf_server *next;
	struct loc loc;
	const char *name;
	const char *addr_text;
	struct conf_addr addr;
	unsigned weight;
	unsigned maxconn;	/* 0: no limit */
	unsigned flags;
	uint64_t inter_ms;
	uint64_t fastinter_ms;	/* 0: inter */
	uint64_t downinter_ms;	/* 0: inter */
	unsigned fall;
	unsigned rise;
	struct conf_tls_server tls;
	unsigned check_port;	/* 0: the server's port */
	const char *check_addr_text;	/* addr: NULL for the server's */
	struct conf_addr check_addr;
	enum srv_observe observe;
	unsigned error_limit;
	enum srv_on_error on_error;
	uint64_t cooldown_ms;	/* circuit-break: how long it stays open */
	unsigned half_open;	/* circuit-break: probes before it closes */
	uint64_t slowstart_ms;	/* 0: full weight at once */
	const char *cookie;	/* the value marking it in the cookie */
};

/* cookie NAME rewrite|insert|prefix ... */
enum cookie_mode {
	COOKIE_REWRITE = 0,	/* the server sets it; weir puts its value */
	COOKIE_INSERT,		/* weir sets it */
	COOKIE_PREFIX,		/* weir prefixes the server's value: SRV~ */
};

#define COOKIE_INDIRECT	0x01	/* not sent on to the server */
#define COOKIE_NOCACHE	0x02	/* Cache-Control: private with it */
#define COOKIE_HTTPONLY	0x04
#define COOKIE_SECURE	0x08
#define COOKIE_POSTONLY	0x10	/* set on answers to POST only */
#define COOKIE_PRESERVE	0x20	/* leave a server's own Set-Cookie be */

/*
 * What an ACL fetches; how it compares (enum acl_match) comes from the
 * criterion's name (path_beg) or its -m flag.
 */
enum acl_crit {
	ACL_PATH = 0,
	ACL_HDR,
	ACL_METHOD,
	ACL_SRC,
	ACL_SSL_FC,		/* the client speaks TLS: no values */
	ACL_SSL_FC_SNI,
	ACL_SSL_C_VERIFY,	/* the client certificate's verify result */
	ACL_SSL_C_S_DN,		/* its subject, or one field of it */
	ACL_SSL_C_I_DN,		/* its issuer, or one field of it */
	ACL_SSL_C_USED,		/* a client certificate: no values */
	ACL_SSL_FC_PROTOCOL,	/* "TLSv1.3" */
	ACL_SSL_FC_CIPHER,	/* OpenSSL's name of the cipher */
	ACL_URL,		/* the request target */
	ACL_QUERY,		/* the target after its first '?' */
	ACL_URL_PARAM,		/* url_param(name): a query parameter */
	ACL_COOK,		/* req.cook(name): a cookie of the request */
	ACL_BASE,		/* the Host field, then the path */
	ACL_HDR_CNT,		/* integer: values of the fields named so */
	ACL_DST,		/* the address the client connected to */
	ACL_DST_PORT,		/* integer: its port */
	ACL_SRC_PORT,		/* integer: the client's port */
	/* integers of stick counters: sc_*(N) tracked, src_*(TABLE) looked up */
	ACL_SC_HTTP_REQ_RATE,
	ACL_SC_HTTP_ERR_RATE,
	ACL_SC_CONN_RATE,
	ACL_SC_CONN_CUR,
	ACL_SRC_HTTP_REQ_RATE,
	ACL_SRC_CONN_RATE,
};

/* Whether a criterion is a stick counter's integer (sc_*, src_*). */
#define ACL_IS_INT(c) ((c) >= ACL_SC_HTTP_REQ_RATE && (c) <= ACL_SRC_CONN_RATE)

#define ACL_F_ICASE	0x1

/* How an ACL compares what it fetched with its values (HAProxy's -m). */
enum acl_match {
	ACL_M_STR = 0,		/* the whole string */
	ACL_M_BEG,		/* a prefix */
	ACL_M_END,		/* a suffix */
	ACL_M_SUB,		/* a substring */
	ACL_M_DOM,		/* words between '/', '?', '.' or ':' */
	ACL_M_DIR,		/* words between '/' or '?' */
	ACL_M_REG,		/* an extended regular expression */
	ACL_M_FOUND,		/* there is a value: no patterns */
	ACL_M_LEN,		/* the length, as an integer */
	ACL_M_INT,		/* integers: eq/gt/ge/lt/le, ranges a:b */
	ACL_M_IP,		/* addresses and networks */
	ACL_M_BOOL,		/* a truth of its own: no patterns */
};

/* One acl line; lines that share a name are ORed, as in HAProxy. */
struct conf_acl {
	struct conf_acl *next;
	struct loc loc;
	const char *name;	/* NULL for an anonymous acl */
	enum acl_crit crit;
	const char *kw;		/* the criterion as written: "hdr_end" */
	enum acl_match match;
	const char *arg;	/* hdr(name): the header name */
	unsigned flags;
	const struct conf_word *vals;
	unsigned nvals;
};

struct conf_switch {
	struct conf_switch *next;
	struct loc loc;
	const struct conf_word *backend;
	const struct conf_cond *cond;
};

enum http_act {
	HTTP_ACT_DENY = 0,
	HTTP_ACT_SET_HEADER,
	HTTP_ACT_ADD_HEADER,
	HTTP_ACT_DEL_HEADER,
	HTTP_ACT_REDIRECT,
	HTTP_ACT_RETURN,
	HTTP_ACT_PROMETHEUS,	/* use-service prometheus-exporter */
	HTTP_ACT_TRACK_SC,	/* track-scN src [table T] */
	HTTP_ACT_SET_PATH,	/* set-path FMT */
	HTTP_ACT_REPLACE_PATH,	/* replace-path REGEX FMT */
	HTTP_ACT_SET_QUERY,	/* set-query FMT */
	HTTP_ACT_REPLACE_HEADER, /* replace-header NAME REGEX FMT */
	HTTP_ACT_REPLACE_VALUE,	/* replace-value NAME REGEX FMT */
};

/* redirect options */
#define REDIR_F_DROP_QUERY	0x1	/* the Location without the query */
#define REDIR_F_APPEND_SLASH	0x2	/* a '/' after a path without one */

enum redir_kind {
	REDIR_LOCATION = 0,
	REDIR_PREFIX,
	REDIR_SCHEME,
};

struct conf_http_rule {
	struct conf_http_rule *next;
	struct loc loc;
	enum http_act act;
	const char *name;	/* header name */
	const char *value;	/* header value, redirect target */
	bool value_fmt;		/* value holds %[fetch] expressions */
	enum redir_kind redir;
	unsigned redir_flags;	/* REDIR_F_* */
	const char *regex;	/* replace-*: what is matched */
	unsigned status;	/* deny, redirect, return */
	bool raw;		/* return errorfile: body is the whole answer */
	const char *ctype;	/* return: content-type */
	const char *body;	/* return: body */
	size_t body_len;
	unsigned sc;		/* track-scN: N */
	const char *table;	/* track-scN: table T, or NULL */
	const struct conf_cond *cond;
};

/* tcp-request connection|content: what a rule does. */
enum tcp_act {
	TCP_ACT_ACCEPT = 0,
	TCP_ACT_REJECT,
	TCP_ACT_TRACK_SC,	/* track-scN src [table T] */
};

/* When a tcp-request rule runs. */
enum tcp_when {
	TCP_CONNECTION = 0,	/* at accept, before any byte is read */
	TCP_CONTENT,		/* per request: http after the head, tcp at
				   the start of the stream */
};

struct conf_tcp_rule {
	struct conf_tcp_rule *next;
	struct loc loc;
	enum tcp_act act;
	unsigned sc;		/* track-scN: N */
	const char *table;	/* track-scN: table T, or NULL */
	const struct conf_cond *cond;
};

/* stick on|match|store-request: which parts a rule has (bits). */
#define STICK_MATCH	0x1
#define STICK_STORE	0x2

/* The sample a stick rule keys its table with. */
enum stick_key {
	STICK_KEY_SRC = 0,	/* the client's address */
	STICK_KEY_HDR,		/* hdr(name): a request header's value */
};

struct conf_stick_rule {
	struct conf_stick_rule *next;
	struct loc loc;
	unsigned what;		/* STICK_* */
	enum stick_key key;
	const char *key_arg;	/* hdr(name): the name */
	const char *table;	/* table T, or NULL: the backend's own */
	const struct conf_cond *cond;
};

struct conf_errorfile {
	struct conf_errorfile *next;
	struct loc loc;
	unsigned status;
	const char *path;
	const char *data;	/* the whole HTTP response, as read */
	size_t len;
};

/* A proxy's stats page: stats enable, uri, auth, admin... */
struct conf_stats_auth {
	struct conf_stats_auth *next;
	const char *cred;	/* "user:password" */
};

struct conf_stats {
	struct loc loc;		/* where it was enabled */
	bool enabled;
	const char *uri;	/* NULL: the default */
	unsigned refresh_s;	/* 0: none */
	const char *realm;
	struct conf_stats_auth *auths;
	bool admin;
	const struct conf_cond *admin_cond;
	bool hide_version;
	bool show_legends;
	bool show_node;
	const char *node;	/* show-node NAME; NULL: the host name */
};

/* Where a setting came from: unset, its own section, or a defaults one. */
struct conf_origin {
	struct loc loc;
	bool set;
	bool inherited;
};

#define PX_CAP_FE	0x1
#define PX_CAP_BE	0x2
#define PX_CAP_DEF	0x4

/* stick-table: the table of a proxy section (stick.h has what it holds). */
struct conf_stktable {
	struct loc loc;
	unsigned type;			/* enum stk_type */
	unsigned len;
	unsigned size;
	uint64_t expire_ms;
	unsigned store;			/* STK_* */
	uint64_t period_ms[4];		/* by enum stk_data */
};

struct conf_proxy {
	struct conf_proxy *next;
	struct loc loc;
	const char *name;	/* "" for an unnamed defaults section */
	unsigned cap;

	enum px_mode mode;
	struct conf_origin mode_origin;
	unsigned maxconn;
	unsigned retries;
	struct conf_origin retries_origin;
	uint64_t timeout_ms[TO__COUNT];
	struct conf_origin timeout_origin[TO__COUNT];

	uint32_t opts;		/* bit per enum px_opt */
	struct conf_origin opt_origin[OPT__COUNT];
	struct conf_addr fwdfor_except;	/* option forwardfor except NET */
	unsigned fwdfor_except_bits;	/* 0: none */
	const char *fwdfor_header;
	const char *httpchk_method;
	const char *httpchk_uri;
	const char *httpchk_version;
	const char *httpchk_hdrs;	/* http-check send hdr: "N: V\r\n"... */
	enum chk_kind chk;
	const char *chk_user;		/* mysql-check, pgsql-check */
	enum chk_expect chk_expect;
	bool chk_expect_neg;
	const char *chk_expect_arg;	/* the status list, string or regex */
	struct conf_tcpchk *tcpchk;	/* tcp-check rules, in order */
	bool tcpchk_own;		/* set here, not inherited */
	unsigned retry_on;		/* RETRY_* */
	struct conf_stktable *stktable;	/* stick-table: NULL for none */
	const char *cookie_name;	/* cookie: NULL for none */
	enum cookie_mode cookie_mode;
	unsigned cookie_flags;		/* COOKIE_* */
	const char *cookie_domain;
	const char *cookie_attr;	/* attr S: added as is */
	uint64_t cookie_maxidle_ms;
	uint64_t cookie_maxlife_ms;
	const char *monitor_uri;

	bool log_global;
	struct conf_log *logs;

	enum lb_algo balance;
	struct conf_origin balance_origin;
	const char *balance_arg;	/* hdr(name) */
	unsigned random_draws;		/* random(N) */
	enum hash_type hash_type;

	struct conf_bind *binds;
	struct conf_server *servers;
	struct conf_server **servers_tail;	/* NULL: walk from servers */
	struct conf_server defsrv;
	struct conf_acl *acls;
	struct conf_switch *switches;
	const struct conf_word *default_backend;
	struct conf_http_rule *http_req;
	struct conf_http_rule *http_rsp;
	struct conf_tcp_rule *tcp_conn;	/* tcp-request connection */
	struct conf_tcp_rule *tcp_content;	/* tcp-request content */
	struct conf_stick_rule *stick;	/* stick on|match|store-request */
	struct conf_errorfile *errorfiles;
	struct conf_stats *stats;	/* NULL: no stats page */
};

struct conf {
	struct arena arena;
	/* The environment ${VAR} reads; getenv(3) unless a test sets it. */
	const char *(*getenv)(void *arg, const char *name);
	void *getenv_arg;

	struct conf_stmt *stmts;	/* every statement, includes expanded */
	struct conf_section *sections;
	unsigned nsections;

	struct conf_global global;
	struct conf_proxy *proxies;	/* frontend, backend, listen, in order */
	unsigned nproxies;
};

#endif
