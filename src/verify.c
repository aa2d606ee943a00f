#include "config.h"

#include "verify.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "conf.h"
#include "diag.h"
#include "kw.h"
#include "stick.h"
#include "val.h"

static const char *
px_kind(const struct conf_proxy *px)
{
	if ((px->cap & (PX_CAP_FE | PX_CAP_BE)) == (PX_CAP_FE | PX_CAP_BE))
		return "listen";
	return (px->cap & PX_CAP_FE) ? "frontend" : "backend";
}

static const char *
loc_str(const struct loc *l, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u:%u", l->file ? l->file : "?", l->line,
	    l->col);
	return buf;
}

struct conf_proxy *
verify_find_backend(const struct conf *c, const char *name)
{
	struct conf_proxy *px;

	for (px = c->proxies; px != NULL; px = px->next)
		if ((px->cap & PX_CAP_BE) && strcmp(px->name, name) == 0)
			return px;
	return NULL;
}

const struct conf_acl *
verify_find_acl(const struct conf_proxy *px, const char *name)
{
	const struct conf_acl *a;

	for (a = px->acls; a != NULL; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* Proxy names: frontend and backend may share one; listen shares none. */
static void
verify_names(const struct conf *c, struct diag *d)
{
	const struct conf_proxy *a, *b;
	char where[256];

	for (a = c->proxies; a != NULL; a = a->next) {
		for (b = c->proxies; b != a; b = b->next) {
			if (strcmp(a->name, b->name) != 0 ||
			    !(a->cap & b->cap))
				continue;
			diag_error(d, &a->loc, "%s '%s' has the name of %s "
			    "'%s' at %s", px_kind(a), a->name, px_kind(b),
			    b->name, loc_str(&b->loc, where, sizeof(where)));
			break;
		}
	}
}

struct verify_srv {
	const struct conf_server *s;
	unsigned idx;		/* place in the backend */
};

static int
verify_srv_cmp(const void *pa, const void *pb)
{
	const struct verify_srv *a = pa, *b = pb;
	int c = strcmp(a->s->name, b->s->name);

	if (c != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void
verify_servers(const struct conf_proxy *px, struct diag *d)
{
	const struct conf_server *s;
	struct verify_srv *v;
	char where[256];
	unsigned usable = 0, n = 0, i;

	for (s = px->servers; s != NULL; s = s->next) {
		n++;
		if (s->weight > 0 && !(s->flags & SRV_DISABLED))
			usable++;
	}
	if (n == 0) {
		/* a backend that only holds a stick table serves nothing */
		if (px->stktable == NULL || (px->cap & PX_CAP_FE))
			diag_warn(d, &px->loc, "%s '%s' has no server: its "
			    "requests get 503", px_kind(px), px->name);
		return;
	}
	if (usable == 0)
		diag_warn(d, &px->loc, "%s '%s' has no server with a weight "
		    "above 0 that is enabled: its requests get 503",
		    px_kind(px), px->name);
	/* sorted by name, then place: a duplicate follows its first */
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return;
	for (s = px->servers, i = 0; s != NULL; s = s->next, i++) {
		v[i].s = s;
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), verify_srv_cmp);
	for (i = 1; i < n; i++) {
		const struct conf_server *first = v[i - 1].s;

		while (i < n && strcmp(v[i].s->name, first->name) == 0) {
			diag_error(d, &v[i].s->loc, "server '%s' is defined "
			    "twice in %s '%s' (first at %s)", first->name,
			    px_kind(px), px->name,
			    loc_str(&first->loc, where, sizeof(where)));
			i++;
		}
	}
	free(v);
}

/* Health settings that cannot do what they say. */
static void
verify_checks(const struct conf_proxy *px, struct diag *d)
{
	const struct conf_server *s;

	if (px->tcpchk != NULL && px->tcpchk_own && px->chk != CHK_TCPCHK)
		diag_warn(d, &px->tcpchk->loc, "tcp-check rules have no effect "
		    "without 'option tcp-check' in %s '%s'", px_kind(px),
		    px->name);
	if (px->chk == CHK_TCPCHK && px->tcpchk == NULL)
		diag_warn(d, &px->loc, "%s '%s' has 'option tcp-check' and no "
		    "tcp-check rule: its checks only connect", px_kind(px),
		    px->name);
	for (s = px->servers; s != NULL; s = s->next) {
		if (s->observe != OBSERVE_NONE && !(s->flags & SRV_CHECK) &&
		    (s->on_error == ON_ERROR_MARK_DOWN ||
		    s->on_error == ON_ERROR_FAIL_CHECK ||
		    s->on_error == ON_ERROR_SUDDEN_DEATH))
			diag_warn(d, &s->loc, "server '%s' has 'on-error' "
			    "acting on checks but no 'check': %s",
			    s->name, s->on_error == ON_ERROR_MARK_DOWN ?
			    "once marked down, nothing brings it back" :
			    "no check runs");
	}
}

/* A criterion that needs HTTP in a tcp proxy is an error. */
static void
verify_acl_mode(const struct conf_proxy *px, const struct conf_acl *a,
    struct diag *d)
{
	const struct acl_crit_info *ci = acl_crit_info(a->crit);

	if (px->mode == PX_MODE_TCP && ci != NULL && ci->http_only)
		diag_error(d, &a->loc, "acl criterion '%s' needs mode http; "
		    "%s '%s' is mode tcp", a->kw ? a->kw : ci->name,
		    px_kind(px), px->name);
}

static void
verify_cond(struct conf *c, const struct conf_proxy *px,
    const struct conf_cond *cond, struct diag *d)
{
	const struct conf_and *alt;
	struct conf_term *t;

	if (cond == NULL)
		return;
	for (alt = cond->alts; alt != NULL; alt = alt->next) {
		for (t = alt->terms; t != NULL; t = t->next) {
			if (t->name == NULL) {
				t->anon = acl_parse(&c->arena, d, NULL,
				    t->words, t->nwords, &t->loc);
				if (t->anon != NULL)
					verify_acl_mode(px, t->anon, d);
				continue;
			}
			if (verify_find_acl(px, t->name->s) != NULL)
				continue;
			{
				const char **names;
				const struct conf_acl *a;
				const char *best = NULL;
				size_t n = 0;

				for (a = px->acls; a != NULL; a = a->next)
					n++;
				names = calloc(n + 1, sizeof(*names));
				n = 0;
				for (a = px->acls; names && a; a = a->next)
					names[n++] = a->name;
				if (names != NULL)
					best = diag_best_match(t->name->s,
					    names, n, sizeof(*names));
				free(names);
				diag_error(d, &t->name->loc, "acl '%s' is not "
				    "defined in %s '%s'%s%s%s", t->name->s,
				    px_kind(px), px->name,
				    best ? " (did you mean '" : "",
				    best ? best : "", best ? "'?)" : "");
			}
		}
	}
}

/* Report a reference to a backend that does not exist or does not fit. */
static void
verify_backend_ref(const struct conf *c, const struct conf_proxy *fe,
    const struct conf_word *w, struct diag *d)
{
	const struct conf_proxy *be = verify_find_backend(c, w->s);
	const struct conf_proxy *px;
	const char **names;
	const char *best = NULL;
	size_t n = 0;

	if (be != NULL) {
		if (be->mode != fe->mode)
			diag_error(d, &w->loc, "%s '%s' is mode %s and cannot "
			    "use backend '%s', which is mode %s", px_kind(fe),
			    fe->name, kw_mode_name(fe->mode), be->name,
			    kw_mode_name(be->mode));
		return;
	}
	names = calloc(c->nproxies + 1, sizeof(*names));
	for (px = c->proxies; names && px != NULL; px = px->next)
		if (px->cap & PX_CAP_BE)
			names[n++] = px->name;
	if (names != NULL)
		best = diag_best_match(w->s, names, n, sizeof(*names));
	free(names);
	diag_error(d, &w->loc, "backend '%s' is not defined%s%s%s", w->s,
	    best ? " (did you mean '" : "", best ? best : "",
	    best ? "'?)" : "");
}

/* Settings that need HTTP in a tcp proxy. */
static void
verify_mode(const struct conf_proxy *px, struct diag *d)
{
	static const enum px_opt http_opts[] = { OPT_FORWARDFOR,
		OPT_HTTP_KEEP_ALIVE, OPT_HTTP_SERVER_CLOSE, OPT_HTTPCHK,
		OPT_HTTPCLOSE, OPT_HTTPLOG };
	const struct conf_http_rule *r;
	const char *what;
	size_t i;
	char where[256];

	if (px->mode != PX_MODE_TCP)
		return;
	for (r = px->http_req; r != NULL; r = r->next)
		diag_error(d, &r->loc, "'http-request' needs mode http; %s "
		    "'%s' is mode tcp", px_kind(px), px->name);
	for (r = px->http_rsp; r != NULL; r = r->next)
		diag_error(d, &r->loc, "'http-response' needs mode http; %s "
		    "'%s' is mode tcp", px_kind(px), px->name);
	for (i = 0; i < sizeof(http_opts) / sizeof(http_opts[0]); i++) {
		const struct conf_origin *o = &px->opt_origin[http_opts[i]];

		if (!(px->opts & (1u << http_opts[i])))
			continue;
		/* what concerns only the other side means nothing here */
		if ((http_opts[i] == OPT_HTTPLOG && !(px->cap & PX_CAP_FE)) ||
		    (http_opts[i] == OPT_HTTPCHK && !(px->cap & PX_CAP_BE)))
			continue;
		/* HAProxy falls back to tcplog, and so does weir */
		what = http_opts[i] == OPT_HTTPLOG ? "tcplog is used instead" :
		    "it is ignored";
		if (o->inherited)
			diag_warn(d, &px->loc, "'option %s' (inherited from "
			    "defaults at %s) needs mode http; %s in %s '%s'",
			    kw_option_name(http_opts[i]),
			    loc_str(&o->loc, where, sizeof(where)), what,
			    px_kind(px), px->name);
		else
			diag_warn(d, &o->loc, "'option %s' needs mode http; "
			    "%s in %s '%s'", kw_option_name(http_opts[i]),
			    what, px_kind(px), px->name);
	}
	if ((px->cap & PX_CAP_BE) &&
	    (px->balance == LB_URI || px->balance == LB_HDR)) {
		const struct conf_origin *o = &px->balance_origin;

		diag_error(d, o->inherited ? &px->loc : &o->loc,
		    "'balance %s' needs mode http; %s '%s' is mode tcp",
		    kw_balance_name(px->balance), px_kind(px), px->name);
	}
	if ((px->cap & PX_CAP_FE) && px->monitor_uri != NULL)
		diag_warn(d, &px->loc, "'monitor-uri' needs mode http; it is "
		    "ignored in %s '%s'", px_kind(px), px->name);
}

static void
verify_timeouts(const struct conf_proxy *px, struct diag *d)
{
	if ((px->cap & PX_CAP_FE) && !px->timeout_origin[TO_CLIENT].set)
		diag_warn(d, &px->loc, "%s '%s' has no 'timeout client' "
		    "(weir uses %us)", px_kind(px), px->name,
		    VERIFY_TIMEOUT_CLIENT_MS / 1000);
	if (!(px->cap & PX_CAP_BE))
		return;
	if (!px->timeout_origin[TO_CONNECT].set)
		diag_warn(d, &px->loc, "%s '%s' has no 'timeout connect' "
		    "(weir uses %us)", px_kind(px), px->name,
		    VERIFY_TIMEOUT_CONNECT_MS / 1000);
	if (!px->timeout_origin[TO_SERVER].set)
		diag_warn(d, &px->loc, "%s '%s' has no 'timeout server' "
		    "(weir uses %us)", px_kind(px), px->name,
		    VERIFY_TIMEOUT_SERVER_MS / 1000);
}

/* The port of a and b, which share a family. */
static in_port_t
verify_port(const struct conf_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)&a->ss)->sin6_port;
	return ((const struct sockaddr_in *)&a->ss)->sin_port;
}

static bool
verify_wildcard(const struct conf_addr *a)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		    &any6, sizeof(any6)) == 0;
	return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
	    htonl(INADDR_ANY);
}

/* Whether two binds cannot both be opened: same address, or a wildcard. */
static bool
verify_bind_clash(const struct conf_addr *a, const struct conf_addr *b)
{
	if (val_addr_eq(a, b))
		return true;
	if (a->ss.ss_family != b->ss.ss_family ||
	    verify_port(a) != verify_port(b))
		return false;
	return verify_wildcard(a) || verify_wildcard(b);
}

/* Two binds on one address, or on a port another bind holds wildcard. */
static void
verify_binds(const struct conf *c, struct diag *d)
{
	const struct conf_proxy *pa, *pb;
	const struct conf_bind *a, *b;
	char where[256];

	for (pa = c->proxies; pa != NULL; pa = pa->next) {
		for (a = pa->binds; a != NULL; a = a->next) {
			for (pb = c->proxies; pb != NULL; pb = pb->next) {
				for (b = pb->binds; b != NULL; b = b->next) {
					if (b == a)
						goto next;
					if (!verify_bind_clash(&a->addr,
					    &b->addr))
						continue;
					diag_error(d, &a->loc, "address '%s' "
					    "clashes with '%s' of %s '%s' at "
					    "%s", a->text, b->text, px_kind(pb),
					    pb->name, loc_str(&b->loc, where,
					    sizeof(where)));
					goto next;
				}
			}
next:;
		}
	}
}

static void
verify_sockets(const struct conf *c, struct diag *d)
{
	const struct conf_stats_socket *a, *b;

	for (a = c->global.sockets; a != NULL; a = a->next)
		for (b = c->global.sockets; b != a; b = b->next)
			if (strcmp(a->path, b->path) == 0) {
				diag_error(d, &a->loc, "stats socket '%s' is "
				    "declared twice", a->path);
				break;
			}
}

/* ---- stick tables: tcp-request, track-sc and stick rules --------------- */

/* The section called name that has a stick-table, or NULL. */
static const struct conf_proxy *
verify_find_table(const struct conf *c, const char *name)
{
	const struct conf_proxy *px;

	for (px = c->proxies; px != NULL; px = px->next)
		if (px->stktable != NULL && strcmp(px->name, name) == 0)
			return px;
	return NULL;
}

static const char *
verify_stk_type(unsigned type)
{
	static const char *const names[] = { "ip", "ipv6", "integer",
		"string" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/*
 * The table a rule keys (NULL: px's own): it must exist. Returns it, or
 * NULL after an error.
 */
static const struct conf_proxy *
verify_rule_table(const struct conf *c, const struct conf_proxy *px,
    const char *table, const char *what, const struct loc *loc,
    struct diag *d)
{
	const struct conf_proxy *tp;

	if (table == NULL && px->stktable == NULL) {
		diag_error(d, loc, "'%s' needs a stick-table: %s '%s' has "
		    "none (add one, or name another with 'table NAME')", what,
		    px_kind(px), px->name);
		return NULL;
	}
	tp = table != NULL ? verify_find_table(c, table) : px;
	if (tp == NULL)
		diag_error(d, loc, "'%s': no stick-table '%s' (a section "
		    "named so must have one)", what, table);
	return tp;
}

/*
 * A rule that keys table (NULL: px's own) on src: the table must exist
 * and hold addresses.
 */
static void
verify_src_table(const struct conf *c, const struct conf_proxy *px,
    const char *table, const char *what, const struct loc *loc,
    struct diag *d)
{
	const struct conf_proxy *tp = verify_rule_table(c, px, table, what,
	    loc, d);

	if (tp != NULL && tp->stktable->type != STK_IP &&
	    tp->stktable->type != STK_IPV6)
		diag_error(d, loc, "'%s src' needs a stick-table of type ip "
		    "or ipv6; '%s' is type %s", what, tp->name,
		    verify_stk_type(tp->stktable->type));
}

/* Whether the criteria of acl line(s) need an HTTP request. */
static bool
verify_acl_http(const struct conf_proxy *px, const struct conf_term *t,
    const char **crit)
{
	const struct conf_acl *a;
	const struct acl_crit_info *ci;

	if (t->name == NULL) {
		ci = t->anon != NULL ? acl_crit_info(t->anon->crit) : NULL;
		if (ci != NULL)
			*crit = t->anon->kw != NULL ? t->anon->kw : ci->name;
		return ci != NULL && ci->http_only;
	}
	for (a = px->acls; a != NULL; a = a->next) {
		if (strcmp(a->name, t->name->s) != 0)
			continue;
		ci = acl_crit_info(a->crit);
		if (ci != NULL && ci->http_only) {
			/* as the user wrote it: path_beg, not path */
			*crit = a->kw != NULL ? a->kw : ci->name;
			return true;
		}
	}
	return false;
}

/* tcp-request connection runs before any byte: no HTTP criterion. */
static void
verify_cond_l4(const struct conf_proxy *px, const struct conf_cond *cond,
    struct diag *d)
{
	const struct conf_and *alt;
	const struct conf_term *t;
	const char *crit = NULL;

	if (cond == NULL)
		return;
	for (alt = cond->alts; alt != NULL; alt = alt->next)
		for (t = alt->terms; t != NULL; t = t->next)
			if (verify_acl_http(px, t, &crit))
				diag_error(d, &t->loc, "acl criterion '%s' "
				    "needs an HTTP request; 'tcp-request "
				    "connection' runs before any is read",
				    crit);
}

static void
verify_tcp_rules(struct conf *c, struct conf_proxy *px,
    const struct conf_tcp_rule *list, bool conn, struct diag *d)
{
	const struct conf_tcp_rule *r;
	char what[48];

	for (r = list; r != NULL; r = r->next) {
		verify_cond(c, px, r->cond, d);
		if (conn)
			verify_cond_l4(px, r->cond, d);
		if (r->act != TCP_ACT_TRACK_SC)
			continue;
		snprintf(what, sizeof(what), "tcp-request %s track-sc%u",
		    conn ? "connection" : "content", r->sc);
		verify_src_table(c, px, r->table, what, &r->loc, d);
	}
}

static void
verify_stick(struct conf *c, struct conf_proxy *px, struct diag *d)
{
	static const char *const names[] = { "", "stick match",
		"stick store-request", "stick on" };
	const struct conf_http_rule *h;
	const struct conf_stick_rule *r;
	char what[32];

	/* a backend leaves those it inherited from defaults aside */
	if (px->cap & PX_CAP_FE) {
		verify_tcp_rules(c, px, px->tcp_conn, true, d);
		verify_tcp_rules(c, px, px->tcp_content, false, d);
	}
	for (h = px->http_req; h != NULL; h = h->next) {
		const struct conf_proxy *tp;

		/* a missing table is reported when the graph is built */
		if (h->act != HTTP_ACT_TRACK_SC)
			continue;
		tp = h->table != NULL ? verify_find_table(c, h->table) :
		    px->stktable != NULL ? px : NULL;
		if (tp == NULL)
			continue;
		snprintf(what, sizeof(what), "http-request track-sc%u", h->sc);
		verify_src_table(c, px, tp->name, what, &h->loc, d);
	}
	for (r = px->stick; r != NULL; r = r->next) {
		const struct conf_proxy *tp;

		verify_cond(c, px, r->cond, d);
		if (r->key == STICK_KEY_SRC) {
			verify_src_table(c, px, r->table, names[r->what & 3],
			    &r->loc, d);
			continue;
		}
		if (px->mode != PX_MODE_HTTP)
			diag_error(d, &r->loc, "'%s hdr(%s)' needs mode http; "
			    "%s '%s' is mode tcp", names[r->what & 3],
			    r->key_arg, px_kind(px), px->name);
		tp = verify_rule_table(c, px, r->table, names[r->what & 3],
		    &r->loc, d);
		if (tp != NULL && tp->stktable->type != STK_STRING)
			diag_error(d, &r->loc, "'%s hdr(%s)' needs a "
			    "stick-table of type string; '%s' is type %s",
			    names[r->what & 3], r->key_arg, tp->name,
			    verify_stk_type(tp->stktable->type));
	}
}

int
verify_conf(struct conf *c, struct diag *d)
{
	struct conf_proxy *px;
	const struct conf_acl *a;
	const struct conf_switch *sw;
	const struct conf_http_rule *r;
	unsigned nerr = d->nerr;

	verify_names(c, d);
	verify_binds(c, d);
	verify_sockets(c, d);
	for (px = c->proxies; px != NULL; px = px->next) {
		verify_mode(px, d);
		verify_timeouts(px, d);
		for (a = px->acls; a != NULL; a = a->next)
			verify_acl_mode(px, a, d);
		for (r = px->http_req; r != NULL; r = r->next)
			verify_cond(c, px, r->cond, d);
		for (r = px->http_rsp; r != NULL; r = r->next)
			verify_cond(c, px, r->cond, d);
		verify_stick(c, px, d);
		for (r = px->http_req; r != NULL; r = r->next)
			if (r->act == HTTP_ACT_PROMETHEUS &&
			    px->mode != PX_MODE_HTTP)
				diag_error(d, &r->loc, "'use-service "
				    "prometheus-exporter' needs mode http; "
				    "%s '%s' is mode tcp", px_kind(px),
				    px->name);
		if (px->stats != NULL && px->stats->enabled &&
		    !(px->cap & PX_CAP_DEF)) {
			verify_cond(c, px, px->stats->admin_cond, d);
			if (px->mode != PX_MODE_HTTP)
				diag_warn(d, &px->stats->loc, "the stats page "
				    "needs mode http; %s '%s' is mode tcp and "
				    "serves none", px_kind(px), px->name);
		}
		/* a section that serves only its stats page needs no server */
		if ((px->cap & PX_CAP_BE) && !(px->servers == NULL &&
		    px->stats != NULL && px->stats->enabled)) {
			verify_servers(px, d);
			verify_checks(px, d);
		}
		if (!(px->cap & PX_CAP_FE))
			continue;
		if (px->binds == NULL)
			diag_warn(d, &px->loc, "%s '%s' has no 'bind': it "
			    "accepts no connection", px_kind(px), px->name);
		for (sw = px->switches; sw != NULL; sw = sw->next) {
			verify_cond(c, px, sw->cond, d);
			verify_backend_ref(c, px, sw->backend, d);
		}
		if (px->default_backend != NULL)
			verify_backend_ref(c, px, px->default_backend, d);
		else if (!(px->cap & PX_CAP_BE) && px->switches != NULL)
			diag_warn(d, &px->loc, "frontend '%s' has no "
			    "'default_backend': requests no rule routes get "
			    "503", px->name);
		else if (!(px->cap & PX_CAP_BE))
			diag_warn(d, &px->loc, "frontend '%s' has no backend: "
			    "every request gets 503", px->name);
	}
	return d->nerr == nerr ? 0 : -1;
}
