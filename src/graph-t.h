/*
 * Types of the runtime graph: an immutable picture of one configuration,
 * every name resolved to a pointer, balance tables and ACLs built. Nothing
 * writes a graph once graph_build() returned it; what changes at run time
 * (counters, health, cursors) lives outside it.
 */
#ifndef WEIR_GRAPH_T_H
#define WEIR_GRAPH_T_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "acl.h"
#include "arena.h"
#include "conf-t.h"
#include "stick.h"

struct g_backend;
struct g_frontend;
struct g_table;
struct state_backend;
struct state_frontend;
struct state_node;
struct state_server;
struct state_store;
struct tls_bind;
struct tls_srv;

struct fmt;

struct g_server {
	const char *name;
	struct g_backend *be;
	unsigned idx;		/* in be->servers */
	struct conf_addr addr;
	const char *addr_text;
	unsigned weight;
	unsigned maxconn;
	unsigned flags;		/* SRV_* */
	uint64_t inter_ms;
	uint64_t fastinter_ms;		/* inter when not set */
	uint64_t downinter_ms;		/* inter when not set */
	unsigned fall, rise;
	struct tls_srv *tls;		/* NULL: plain TCP */
	struct conf_addr check_addr;	/* where checks connect */
	enum srv_observe observe;
	unsigned error_limit;
	enum srv_on_error on_error;
	uint64_t cooldown_ms;
	unsigned half_open;
	uint64_t slowstart_ms;
	const char *cookie;		/* cookie VALUE, or NULL */
	size_t cookie_len;
	struct state_server *st;	/* set by state_attach() */
};

struct g_tcpchk {
	enum tcpchk_act act;
	unsigned port;
	const char *data;
	size_t len;
	bool neg;
};

struct g_ring_point {
	uint32_t hash;
	unsigned srv;		/* index in be->servers */
};

/* Balance tables, built once per graph. Server indexes into be->servers. */
struct g_lb {
	unsigned *rr;		/* smooth weighted round-robin order */
	unsigned nrr;		/* 0: too long to precompute, pick live */
	unsigned *rr_backup;	/* the same over backup servers */
	unsigned nrr_backup;
	unsigned *map;		/* map-based hashing: weight slots each */
	unsigned nmap;
	struct g_ring_point *ring;	/* consistent hashing, sorted */
	unsigned nring;
	unsigned maxw;		/* the largest weight of an active server */
	unsigned nactive;	/* usable non-backup servers */
	unsigned nbackup;	/* usable backup servers */
};

struct g_acl {
	const char *name;	/* NULL: anonymous */
	struct acl_expr *exprs;	/* the lines of one name, ORed */
	unsigned nexprs;
};

struct g_term {
	bool neg;
	const struct g_acl *acl;
};

struct g_alt {
	struct g_term *terms;	/* ANDed */
	unsigned nterms;
};

struct g_cond {
	bool unless;
	struct g_alt *alts;	/* ORed */
	unsigned nalts;
};

struct g_http_rule {
	enum http_act act;
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	const struct fmt *vfmt;	/* value with %[fetch]; NULL: literal */
	enum redir_kind redir;
	unsigned redir_flags;		/* REDIR_F_* */
	const regex_t *re;		/* replace-*: freed with the graph */
	unsigned status;
	bool raw;			/* return errorfile: body is it all */
	const char *ctype;
	const char *body;
	size_t body_len;
	unsigned sc;			/* track-scN */
	const struct g_table *table;	/* track-scN: its table */
	const struct g_cond *cond;	/* NULL: always */
};

/* tcp-request connection|content rules (lb.conf(5)). */
struct g_tcp_rule {
	enum tcp_act act;
	unsigned sc;			/* track-scN */
	const struct g_table *table;	/* track-scN: its table */
	const struct g_cond *cond;	/* NULL: always */
};

/* stick on|match|store-request: a backend's persistence rules. */
struct g_stick_rule {
	unsigned what;			/* STICK_MATCH, STICK_STORE */
	enum stick_key key;
	const char *key_arg;		/* hdr(name): the name */
	size_t key_arg_len;
	const struct g_table *table;
	const struct g_cond *cond;	/* NULL: always */
};

/* A stick table: its settings here, its entries in the state store. */
struct g_table {
	const char *name;		/* the section's name */
	struct stk_def def;
	struct stk_table *t;		/* set by state_attach() */
	struct state_node *st;		/* its record, for the release */
};

struct g_errorfile {
	unsigned status;
	const char *data;
	size_t len;
};

/* A proxy's stats page (lb.conf(5): stats enable). */
struct g_stats {
	const char *uri;
	size_t uri_len;
	unsigned refresh_s;
	const char *realm;
	const char **auths;	/* "user:password" */
	unsigned nauths;
	bool admin;
	const struct g_cond *admin_cond;	/* NULL: always */
	bool hide_version;
	bool show_legends;
	bool show_node;
	const char *node;
};

/* What frontends and backends share: settings of a proxy section. */
struct g_proxy {
	const char *name;
	struct loc loc;
	enum px_mode mode;
	uint64_t timeout_ms[TO__COUNT];	/* defaults applied */
	uint32_t opts;			/* 1 << enum px_opt */
	struct g_acl *acls;
	unsigned nacls;
	struct g_http_rule *http_req;
	unsigned nhttp_req;
	struct g_http_rule *http_rsp;
	unsigned nhttp_rsp;
	struct g_errorfile *errorfiles;
	unsigned nerrorfiles;
	bool log_global;
	struct g_log *logs;		/* its own log lines */
	unsigned nlogs;
	uint64_t log_mask;		/* frontends: set by log_attach() */
	struct conf_addr fwdfor_except;	/* option forwardfor except NET */
	unsigned fwdfor_except_bits;	/* 0: none; 255: /0 */
	const char *fwdfor_header;	/* "X-Forwarded-For" by default */
	const struct g_stats *stats;	/* NULL: no stats page */
	struct g_table *table;		/* its stick-table, or NULL */
};

struct g_backend {
	struct g_proxy px;
	unsigned idx;		/* in graph->backends */
	enum lb_algo algo;
	const char *lb_arg;	/* hdr(name) */
	size_t lb_arg_len;
	unsigned random_draws;
	enum hash_type hash_type;
	unsigned retries;
	unsigned retry_on;		/* RETRY_* */
	enum chk_kind chk;
	const char *httpchk_method, *httpchk_uri, *httpchk_version;
	const char *httpchk_hdrs;	/* "Name: value\r\n"..., or NULL */
	const char *chk_user;
	enum chk_expect chk_expect;
	bool chk_expect_neg;
	const char *chk_expect_arg;
	struct g_tcpchk *tcpchk;
	unsigned ntcpchk;
	bool has_checks;		/* a server has 'check' */
	bool has_maxconn;		/* a server has maxconn: a queue */
	const char *cookie_name;	/* sticky cookie, or NULL */
	size_t cookie_name_len;
	enum cookie_mode cookie_mode;
	unsigned cookie_flags;
	const char *cookie_domain;
	const char *cookie_attr;
	uint64_t cookie_maxidle_ms;
	uint64_t cookie_maxlife_ms;
	struct g_server *servers;
	unsigned nservers;
	struct g_lb lb;
	struct g_stick_rule *stick;	/* in order */
	unsigned nstick;
	struct state_backend *st;	/* set by state_attach() */
};

struct g_switch {
	const struct g_cond *cond;
	struct g_backend *be;
};

struct g_listener {
	struct conf_addr addr;
	const char *text;
	const char *name;
	bool accept_proxy;
	struct tls_bind *tls;		/* NULL: no ssl */
	struct g_frontend *fe;
};

struct g_frontend {
	struct g_proxy px;
	unsigned idx;		/* in graph->frontends */
	unsigned maxconn;
	const char *monitor_uri;
	struct g_listener **listeners;
	unsigned nlisteners;
	struct g_switch *switches;
	unsigned nswitches;
	struct g_backend *default_be;	/* NULL: 503 */
	struct g_backend *self_be;	/* a listen section's own backend */
	struct g_tcp_rule *tcp_conn;	/* tcp-request connection */
	unsigned ntcp_conn;
	struct g_tcp_rule *tcp_content;	/* tcp-request content */
	unsigned ntcp_content;
	struct state_frontend *st;	/* set by state_attach() */
};

struct g_stats_socket {
	const char *path;
	unsigned mode;
	enum stats_level level;
};

struct g_log {
	enum log_kind kind;
	struct conf_addr addr;
	const char *path;
	int facility;
	int level;
	enum log_format format;
	unsigned max_len;
};

struct graph {
	atomic_uint refs;
	uint64_t generation;	/* set by whoever publishes the graph */
	struct arena arena;

	const char *file;	/* the file it was read from */
	unsigned nbthread;
	unsigned maxconn;
	uint64_t hard_stop_after_ms;	/* 0: wait for ever */
	uint64_t stats_timeout_ms;
	unsigned bufsize;
	unsigned maxhdr;
	const char *pidfile;
	struct g_log *logs;
	unsigned nlogs;
	struct g_stats_socket *sockets;
	unsigned nsockets;

	struct g_frontend *frontends;
	unsigned nfrontends;
	struct g_backend *backends;
	unsigned nbackends;
	struct g_listener *listeners;
	unsigned nlisteners;
	unsigned nservers;
	unsigned tls_certs;		/* certificates its binds serve */
	unsigned tls_loaded;		/* of those, read for this graph */

	struct g_table *tables;		/* every stick-table, by section */
	unsigned ntables;

	/* compiled ACL expressions, for regfree() when the graph goes */
	struct acl_expr **exprs;
	unsigned nexprs;

	/* the state store the graph's records are in, told of the free */
	struct state_store *state;
	void (*on_free)(struct graph *g);
};

#endif
