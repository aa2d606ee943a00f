#include "config.h"

#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "conf.h"
#include "diag.h"
#include "fmt.h"
#include "kw.h"
#include "lb.h"
#include "tls.h"
#include "val.h"
#include "verify.h"

/* What building one graph needs besides the graph itself. */
struct gb {
	struct graph *g;
	struct arena *a;
	const struct conf *c;
	struct diag *d;
	unsigned nexprs_cap;
	bool failed;
	bool tls_keys;		/* new ticket keys made for this graph */
};

static void *
gb_alloc(struct gb *b, size_t n)
{
	void *p = arena_alloc(b->a, n ? n : 1);

	if (p == NULL)
		b->failed = true;
	return p;
}

static const char *
gb_str(struct gb *b, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = arena_strdup(b->a, s);
	if (p == NULL)
		b->failed = true;
	return p;
}

/* Remember an expression so its regexes are freed with the graph. */
static void
gb_keep_expr(struct gb *b, struct acl_expr *e)
{
	struct graph *g = b->g;

	if (g->nexprs == b->nexprs_cap) {
		unsigned ncap = b->nexprs_cap ? b->nexprs_cap * 2 : 16;
		struct acl_expr **n = gb_alloc(b, sizeof(*n) * ncap);

		if (n == NULL)
			return;
		if (g->nexprs)
			memcpy(n, g->exprs, sizeof(*n) * g->nexprs);
		g->exprs = n;
		b->nexprs_cap = ncap;
	}
	g->exprs[g->nexprs++] = e;
}

/* The ACLs of a proxy: the lines of each name gathered into one. */
static void
gb_acls(struct gb *b, const struct conf_proxy *cp, struct g_proxy *gp)
{
	const struct conf_acl *a, *x;
	unsigned n = 0, i;

	for (a = cp->acls; a != NULL; a = a->next) {
		for (x = cp->acls; x != a && strcmp(x->name, a->name); x = x->next)
			;
		if (x == a)
			n++;
	}
	gp->acls = gb_alloc(b, sizeof(*gp->acls) * n);
	if (gp->acls == NULL)
		return;
	for (a = cp->acls; a != NULL; a = a->next) {
		struct g_acl *ga = NULL;

		for (i = 0; i < gp->nacls; i++)
			if (strcmp(gp->acls[i].name, a->name) == 0)
				ga = &gp->acls[i];
		if (ga == NULL) {
			ga = &gp->acls[gp->nacls++];
			ga->name = gb_str(b, a->name);
			for (x = a; x != NULL; x = x->next)
				if (strcmp(x->name, a->name) == 0)
					ga->nexprs++;
			ga->exprs = gb_alloc(b, sizeof(*ga->exprs) *
			    ga->nexprs);
			if (ga->exprs == NULL)
				return;
			ga->nexprs = 0;
		}
		if (acl_compile(b->a, b->d, a, &ga->exprs[ga->nexprs]) < 0) {
			b->failed = true;
			return;
		}
		gb_keep_expr(b, &ga->exprs[ga->nexprs++]);
	}
}

static const struct g_cond *
gb_cond(struct gb *b, const struct g_proxy *gp, const struct conf_cond *cc)
{
	struct g_cond *gc;
	const struct conf_and *alt;
	const struct conf_term *t;
	unsigned i, j;

	if (cc == NULL)
		return NULL;
	gc = gb_alloc(b, sizeof(*gc));
	if (gc == NULL)
		return NULL;
	gc->unless = cc->unless;
	for (alt = cc->alts; alt != NULL; alt = alt->next)
		gc->nalts++;
	gc->alts = gb_alloc(b, sizeof(*gc->alts) * gc->nalts);
	if (gc->alts == NULL)
		return NULL;
	for (alt = cc->alts, i = 0; alt != NULL; alt = alt->next, i++) {
		struct g_alt *ga = &gc->alts[i];

		for (t = alt->terms; t != NULL; t = t->next)
			ga->nterms++;
		ga->terms = gb_alloc(b, sizeof(*ga->terms) * ga->nterms);
		if (ga->terms == NULL)
			return NULL;
		for (t = alt->terms, j = 0; t != NULL; t = t->next, j++) {
			struct g_term *gt = &ga->terms[j];
			unsigned k;

			gt->neg = t->neg;
			if (t->name != NULL) {
				for (k = 0; k < gp->nacls; k++)
					if (strcmp(gp->acls[k].name,
					    t->name->s) == 0)
						gt->acl = &gp->acls[k];
			} else if (t->anon != NULL) {
				struct g_acl *an = gb_alloc(b, sizeof(*an));

				if (an == NULL)
					return NULL;
				an->exprs = gb_alloc(b, sizeof(*an->exprs));
				if (an->exprs == NULL)
					return NULL;
				if (acl_compile(b->a, b->d, t->anon,
				    an->exprs) < 0) {
					b->failed = true;
					return NULL;
				}
				gb_keep_expr(b, an->exprs);
				an->nexprs = 1;
				gt->acl = an;
			}
			if (gt->acl == NULL) {	/* verify_conf() let it by */
				diag_error(b->d, &t->loc, "unresolved acl");
				b->failed = true;
				return NULL;
			}
		}
	}
	return gc;
}

/*
 * The regex of a replace-* rule, with its groups. It is kept as a
 * one-pattern expression so that the graph frees it with the ACLs'.
 */
static const regex_t *
gb_regex(struct gb *b, const struct conf_http_rule *r)
{
	struct acl_expr *e = gb_alloc(b, sizeof(*e));
	regex_t *re;

	if (e == NULL || (e->pats = gb_alloc(b, sizeof(*e->pats))) == NULL)
		return NULL;
	if ((re = malloc(sizeof(*re))) == NULL ||
	    regcomp(re, r->regex, REG_EXTENDED) != 0) {
		free(re);
		diag_error(b->d, &r->loc, "cannot compile '%s'", r->regex);
		b->failed = true;
		return NULL;
	}
	e->pats[0].re = re;
	e->npats = 1;
	gb_keep_expr(b, e);
	return re;
}

static void
gb_rules(struct gb *b, const struct g_proxy *gp,
    const struct conf_http_rule *list, struct g_http_rule **out,
    unsigned *nout)
{
	const struct conf_http_rule *r;
	unsigned n = 0, i = 0;

	for (r = list; r != NULL; r = r->next)
		n++;
	*out = gb_alloc(b, sizeof(**out) * n);
	*nout = 0;
	if (*out == NULL)
		return;
	for (r = list; r != NULL; r = r->next, i++) {
		struct g_http_rule *g = &(*out)[i];

		g->act = r->act;
		g->name = gb_str(b, r->name);
		g->name_len = r->name ? strlen(r->name) : 0;
		g->value = gb_str(b, r->value);
		g->value_len = r->value ? strlen(r->value) : 0;
		if (r->value_fmt) {
			char err[256];
			size_t at;

			g->vfmt = fmt_parse(b->a, r->value, err, sizeof(err),
			    &at);
			if (g->vfmt == NULL) {
				diag_error(b->d, &r->loc, "%s", err);
				b->failed = true;
			}
		}
		g->redir = r->redir;
		g->redir_flags = r->redir_flags;
		if (r->regex != NULL)
			g->re = gb_regex(b, r);
		g->status = r->status;
		g->raw = r->raw;
		g->sc = r->sc;
		if (r->act == HTTP_ACT_TRACK_SC) {
			const char *tn = r->table ? r->table : gp->name;

			g->table = graph_find_table(b->g, tn);
			if (g->table == NULL) {
				diag_error(b->d, &r->loc, "no stick-table '%s' to "
				    "track in (a section named so must have "
				    "one)", tn);
				b->failed = true;
			}
		}
		g->ctype = gb_str(b, r->ctype);
		if (r->body != NULL) {
			char *body = gb_alloc(b, r->body_len + 1);

			if (body != NULL)
				memcpy(body, r->body, r->body_len);
			g->body = body;
			g->body_len = r->body_len;
		}
		g->cond = gb_cond(b, gp, r->cond);
	}
	*nout = n;
}

/* The stats page of a proxy that enabled one. */
static void
gb_stats(struct gb *b, const struct conf_proxy *cp, struct g_proxy *gp)
{
	const struct conf_stats *cs = cp->stats;
	const struct conf_stats_auth *a;
	struct g_stats *st;
	unsigned i = 0;

	if (cs == NULL || !cs->enabled)
		return;
	st = gb_alloc(b, sizeof(*st));
	if (st == NULL)
		return;
	st->uri = gb_str(b, cs->uri ? cs->uri : GRAPH_DEFAULT_STATS_URI);
	st->uri_len = st->uri ? strlen(st->uri) : 0;
	st->refresh_s = cs->refresh_s;
	st->realm = gb_str(b, cs->realm ? cs->realm : "weir statistics");
	for (a = cs->auths; a != NULL; a = a->next)
		st->nauths++;
	st->auths = gb_alloc(b, sizeof(*st->auths) * st->nauths);
	for (a = cs->auths; st->auths != NULL && a != NULL; a = a->next)
		st->auths[i++] = gb_str(b, a->cred);
	st->admin = cs->admin;
	st->admin_cond = gb_cond(b, gp, cs->admin_cond);
	st->hide_version = cs->hide_version;
	st->show_legends = cs->show_legends;
	st->show_node = cs->show_node;
	st->node = gb_str(b, cs->node);
	gp->stats = st;
}

/* The log lines of a section. */
static void
gb_logs(struct gb *b, const struct conf_log *cl, struct g_log **out,
    unsigned *n)
{
	const struct conf_log *l;
	struct g_log *g;
	unsigned i;

	*n = 0;
	for (l = cl; l != NULL; l = l->next)
		(*n)++;
	*out = g = gb_alloc(b, sizeof(*g) * *n);
	for (l = cl, i = 0; g != NULL && l != NULL; l = l->next, i++) {
		g[i].kind = l->kind;
		g[i].addr = l->addr;
		g[i].path = gb_str(b, l->path);
		g[i].facility = l->facility;
		g[i].level = l->level;
		g[i].format = l->format;
		g[i].max_len = l->max_len;
	}
}

static void
gb_proxy(struct gb *b, const struct conf_proxy *cp, struct g_proxy *gp)
{
	const struct conf_errorfile *ef;
	uint64_t *to = gp->timeout_ms;
	unsigned i;

	gp->name = gb_str(b, cp->name);
	gp->loc = cp->loc;
	gp->mode = cp->mode;
	if (cp->stktable != NULL)
		gp->table = (struct g_table *)graph_find_table(b->g, cp->name);
	gp->opts = cp->opts;
	gp->log_global = cp->log_global;
	gb_logs(b, cp->logs, &gp->logs, &gp->nlogs);
	gp->fwdfor_except = cp->fwdfor_except;
	gp->fwdfor_except_bits = cp->fwdfor_except_bits;
	gp->fwdfor_header = gb_str(b, cp->fwdfor_header ? cp->fwdfor_header :
	    "X-Forwarded-For");
	memcpy(to, cp->timeout_ms, sizeof(gp->timeout_ms));
	if (to[TO_CONNECT] == 0)
		to[TO_CONNECT] = VERIFY_TIMEOUT_CONNECT_MS;
	if (to[TO_CLIENT] == 0)
		to[TO_CLIENT] = VERIFY_TIMEOUT_CLIENT_MS;
	if (to[TO_SERVER] == 0)
		to[TO_SERVER] = VERIFY_TIMEOUT_SERVER_MS;
	if (to[TO_HTTP_REQUEST] == 0)
		to[TO_HTTP_REQUEST] = to[TO_CLIENT];
	if (to[TO_HTTP_KEEP_ALIVE] == 0)
		to[TO_HTTP_KEEP_ALIVE] = to[TO_HTTP_REQUEST];
	if (to[TO_QUEUE] == 0)
		to[TO_QUEUE] = to[TO_CONNECT];
	if (to[TO_TUNNEL] == 0)
		to[TO_TUNNEL] = to[TO_CLIENT] > to[TO_SERVER] ?
		    to[TO_CLIENT] : to[TO_SERVER];
	if (to[TO_CHECK] == 0)
		to[TO_CHECK] = to[TO_CONNECT];
	if (to[TO_CLIENT_FIN] == 0)
		to[TO_CLIENT_FIN] = to[TO_CLIENT];
	if (to[TO_SERVER_FIN] == 0)
		to[TO_SERVER_FIN] = to[TO_SERVER];

	for (ef = cp->errorfiles; ef != NULL; ef = ef->next)
		gp->nerrorfiles++;
	gp->errorfiles = gb_alloc(b, sizeof(*gp->errorfiles) *
	    gp->nerrorfiles);
	for (ef = cp->errorfiles, i = 0; gp->errorfiles && ef;
	    ef = ef->next, i++) {
		char *data = gb_alloc(b, ef->len + 1);

		if (data != NULL)
			memcpy(data, ef->data, ef->len);
		gp->errorfiles[i].status = ef->status;
		gp->errorfiles[i].data = data;
		gp->errorfiles[i].len = ef->len;
	}
	gb_acls(b, cp, gp);
	gb_rules(b, gp, cp->http_req, &gp->http_req, &gp->nhttp_req);
	gb_rules(b, gp, cp->http_rsp, &gp->http_rsp, &gp->nhttp_rsp);
	gb_stats(b, cp, gp);
}

/* Every section's stick-table, before the sections that use them. */
static void
gb_tables(struct gb *b)
{
	const struct conf_proxy *cp;
	unsigned n = 0;

	for (cp = b->c->proxies; cp != NULL; cp = cp->next)
		n += cp->stktable != NULL;
	if (n == 0)
		return;
	b->g->tables = gb_alloc(b, sizeof(*b->g->tables) * n);
	if (b->g->tables == NULL)
		return;
	for (cp = b->c->proxies; cp != NULL; cp = cp->next) {
		const struct conf_stktable *ct = cp->stktable;
		struct g_table *t;
		unsigned k;

		if (ct == NULL)
			continue;
		t = &b->g->tables[b->g->ntables++];
		t->name = gb_str(b, cp->name);
		t->def.type = (enum stk_type)ct->type;
		t->def.len = ct->len;
		t->def.size = ct->size;
		t->def.expire_ms = ct->expire_ms;
		t->def.store = ct->store;
		for (k = 0; k < STK_D__RATES; k++)
			t->def.period_ms[k] = ct->period_ms[k];
	}
}

static void
gb_tcpchk(struct gb *b, const struct conf_proxy *cp, struct g_backend *be)
{
	const struct conf_tcpchk *r;
	unsigned i = 0;

	for (r = cp->tcpchk; r != NULL; r = r->next)
		be->ntcpchk++;
	if (be->ntcpchk == 0)
		return;
	be->tcpchk = gb_alloc(b, sizeof(*be->tcpchk) * be->ntcpchk);
	if (be->tcpchk == NULL)
		return;
	for (r = cp->tcpchk; r != NULL; r = r->next, i++) {
		be->tcpchk[i].act = r->act;
		be->tcpchk[i].port = r->port;
		be->tcpchk[i].data = gb_str(b, r->data);
		be->tcpchk[i].len = r->len;
		be->tcpchk[i].neg = r->neg;
	}
}

/* ---- tcp-request and stick rules --------------------------------------- */

/* The table a rule names, or the section's own; NULL after a diag. */
static const struct g_table *
gb_rule_table(struct gb *b, const struct g_proxy *gp, const char *name,
    const struct loc *loc)
{
	const char *tn = name != NULL ? name : gp->name;
	const struct g_table *t = graph_find_table(b->g, tn);

	if (t == NULL) {	/* verify_conf() let it by */
		diag_error(b->d, loc, "no stick-table '%s'", tn);
		b->failed = true;
	}
	return t;
}

static void
gb_tcp_rules(struct gb *b, const struct g_proxy *gp,
    const struct conf_tcp_rule *list, struct g_tcp_rule **out,
    unsigned *nout)
{
	const struct conf_tcp_rule *r;
	unsigned n = 0;

	for (r = list; r != NULL; r = r->next)
		n++;
	*nout = 0;
	if (n == 0 || (*out = gb_alloc(b, sizeof(**out) * n)) == NULL)
		return;
	for (r = list; r != NULL; r = r->next) {
		struct g_tcp_rule *g = &(*out)[(*nout)++];

		g->act = r->act;
		g->sc = r->sc;
		if (r->act == TCP_ACT_TRACK_SC)
			g->table = gb_rule_table(b, gp, r->table, &r->loc);
		g->cond = gb_cond(b, gp, r->cond);
	}
}

static void
gb_stick(struct gb *b, const struct conf_proxy *cp, struct g_backend *be)
{
	const struct conf_stick_rule *r;
	unsigned n = 0;

	for (r = cp->stick; r != NULL; r = r->next)
		n++;
	if (n == 0 || (be->stick = gb_alloc(b, sizeof(*be->stick) * n)) ==
	    NULL)
		return;
	for (r = cp->stick; r != NULL; r = r->next) {
		struct g_stick_rule *g = &be->stick[be->nstick++];

		g->what = r->what;
		g->key = r->key;
		g->key_arg = gb_str(b, r->key_arg);
		g->key_arg_len = r->key_arg != NULL ? strlen(r->key_arg) : 0;
		g->table = gb_rule_table(b, &be->px, r->table, &r->loc);
		g->cond = gb_cond(b, &be->px, r->cond);
	}
}

static void
gb_backend(struct gb *b, const struct conf_proxy *cp, struct g_backend *be)
{
	const struct conf_server *cs;
	unsigned i = 0;

	gb_proxy(b, cp, &be->px);
	be->algo = cp->balance;
	be->lb_arg = gb_str(b, cp->balance_arg);
	be->lb_arg_len = cp->balance_arg ? strlen(cp->balance_arg) : 0;
	be->random_draws = cp->random_draws ? cp->random_draws : 2;
	be->hash_type = cp->hash_type;
	be->retries = cp->retries;
	be->retry_on = cp->retry_on;
	be->chk = cp->chk;
	be->httpchk_method = gb_str(b, cp->httpchk_method ?
	    cp->httpchk_method : "OPTIONS");
	be->httpchk_uri = gb_str(b, cp->httpchk_uri ? cp->httpchk_uri : "/");
	be->httpchk_version = gb_str(b, cp->httpchk_version ?
	    cp->httpchk_version : "HTTP/1.0");
	be->httpchk_hdrs = gb_str(b, cp->httpchk_hdrs);
	be->chk_user = gb_str(b, cp->chk_user);
	be->chk_expect = cp->chk_expect;
	be->chk_expect_neg = cp->chk_expect_neg;
	be->chk_expect_arg = gb_str(b, cp->chk_expect_arg);
	be->cookie_name = gb_str(b, cp->cookie_name);
	be->cookie_name_len = cp->cookie_name ? strlen(cp->cookie_name) : 0;
	be->cookie_mode = cp->cookie_mode;
	be->cookie_flags = cp->cookie_flags;
	be->cookie_domain = gb_str(b, cp->cookie_domain);
	be->cookie_attr = gb_str(b, cp->cookie_attr);
	be->cookie_maxidle_ms = cp->cookie_maxidle_ms;
	be->cookie_maxlife_ms = cp->cookie_maxlife_ms;
	gb_tcpchk(b, cp, be);
	gb_stick(b, cp, be);
	for (cs = cp->servers; cs != NULL; cs = cs->next)
		be->nservers++;
	be->servers = gb_alloc(b, sizeof(*be->servers) * be->nservers);
	if (be->servers == NULL)
		return;
	for (cs = cp->servers; cs != NULL; cs = cs->next, i++) {
		struct g_server *s = &be->servers[i];

		s->name = gb_str(b, cs->name);
		s->be = be;
		s->idx = i;
		s->addr = cs->addr;
		s->addr_text = gb_str(b, cs->addr_text);
		s->weight = cs->weight;
		s->maxconn = cs->maxconn;
		s->flags = cs->flags;
		s->inter_ms = cs->inter_ms;
		s->fastinter_ms = cs->fastinter_ms ? cs->fastinter_ms :
		    cs->inter_ms;
		s->downinter_ms = cs->downinter_ms ? cs->downinter_ms :
		    cs->inter_ms;
		s->fall = cs->fall;
		s->rise = cs->rise;
		if (cs->tls.ssl) {
			char what[256];

			snprintf(what, sizeof(what), "server '%s/%s'",
			    cp->name, cs->name);
			s->tls = tls_srv_new(&b->c->global, &cs->tls, what,
			    b->d);
			if (s->tls == NULL)
				b->failed = true;
		}
		s->check_addr = cs->check_addr_text ? cs->check_addr : cs->addr;
		if (cs->check_port != 0)
			val_addr_set_port(&s->check_addr, cs->check_port);
		else if (cs->check_addr_text != NULL)
			val_addr_set_port(&s->check_addr,
			    val_addr_port(&cs->addr));
		s->observe = cs->observe;
		s->error_limit = cs->error_limit;
		s->on_error = cs->on_error;
		s->cooldown_ms = cs->cooldown_ms;
		s->half_open = cs->half_open;
		s->slowstart_ms = cs->slowstart_ms;
		s->cookie = gb_str(b, cs->cookie);
		s->cookie_len = cs->cookie ? strlen(cs->cookie) : 0;
		if (cs->flags & SRV_CHECK)
			be->has_checks = true;
		if (cs->maxconn > 0)
			be->has_maxconn = true;
	}
	b->g->nservers += be->nservers;
	if (lb_build(b->a, be) < 0)
		b->failed = true;
}

static struct g_backend *
gb_find_be(struct gb *b, const char *name)
{
	/* the graph is still being built: it is ours to write */
	return (struct g_backend *)graph_find_backend(b->g, name);
}

static void
gb_frontend(struct gb *b, const struct conf_proxy *cp, struct g_frontend *fe,
    struct g_backend *self)
{
	const struct conf_switch *sw;
	const struct conf_bind *bd;
	struct graph *g = b->g;
	unsigned i = 0;

	gb_proxy(b, cp, &fe->px);
	fe->maxconn = cp->maxconn;
	fe->monitor_uri = gb_str(b, cp->monitor_uri);
	fe->self_be = self;
	gb_tcp_rules(b, &fe->px, cp->tcp_conn, &fe->tcp_conn,
	    &fe->ntcp_conn);
	gb_tcp_rules(b, &fe->px, cp->tcp_content, &fe->tcp_content,
	    &fe->ntcp_content);
	for (sw = cp->switches; sw != NULL; sw = sw->next)
		fe->nswitches++;
	fe->switches = gb_alloc(b, sizeof(*fe->switches) * fe->nswitches);
	for (sw = cp->switches; fe->switches && sw; sw = sw->next, i++) {
		fe->switches[i].be = gb_find_be(b, sw->backend->s);
		fe->switches[i].cond = gb_cond(b, &fe->px, sw->cond);
	}
	fe->default_be = cp->default_backend ?
	    gb_find_be(b, cp->default_backend->s) : self;

	for (bd = cp->binds; bd != NULL; bd = bd->next)
		fe->nlisteners++;
	fe->listeners = gb_alloc(b, sizeof(*fe->listeners) * fe->nlisteners);
	for (bd = cp->binds, i = 0; fe->listeners && bd; bd = bd->next, i++) {
		struct g_listener *l = &g->listeners[g->nlisteners++];

		l->addr = bd->addr;
		l->accept_proxy = bd->accept_proxy;
		l->text = gb_str(b, bd->text);
		l->name = gb_str(b, bd->name);
		l->fe = fe;
		fe->listeners[i] = l;
		if (bd->tls != NULL) {
			if (!b->tls_keys)
				tls_keys_rotate();
			b->tls_keys = true;
			l->tls = tls_bind_new(&b->c->global, bd->tls,
			    fe->px.timeout_ms[TO_CLIENT], b->d);
			if (l->tls == NULL) {
				b->failed = true;
				continue;
			}
			g->tls_certs += tls_bind_ncerts(l->tls);
			g->tls_loaded += tls_bind_nloaded(l->tls);
		}
	}
}

static void
gb_global(struct gb *b)
{
	const struct conf_global *cg = &b->c->global;
	const struct conf_stats_socket *cs;
	struct graph *g = b->g;
	long ncpu;
	unsigned i;

	g->nbthread = cg->nbthread;
	if (g->nbthread == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		g->nbthread = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (unsigned)ncpu;
	}
	g->maxconn = cg->maxconn ? cg->maxconn : GRAPH_DEFAULT_MAXCONN;
	g->hard_stop_after_ms = cg->hard_stop_after_ms;
	g->stats_timeout_ms = cg->stats_timeout_ms ? cg->stats_timeout_ms :
	    10000;
	g->bufsize = cg->tune_bufsize ? cg->tune_bufsize :
	    GRAPH_DEFAULT_BUFSIZE;
	g->maxhdr = cg->tune_maxhdr ? cg->tune_maxhdr : GRAPH_DEFAULT_MAXHDR;
	g->pidfile = gb_str(b, cg->pidfile);
	gb_logs(b, cg->logs, &g->logs, &g->nlogs);
	for (cs = cg->sockets; cs != NULL; cs = cs->next)
		g->nsockets++;
	g->sockets = gb_alloc(b, sizeof(*g->sockets) * g->nsockets);
	for (cs = cg->sockets, i = 0; g->sockets && cs; cs = cs->next, i++) {
		g->sockets[i].path = gb_str(b, cs->path);
		g->sockets[i].mode = cs->mode;
		g->sockets[i].level = cs->level;
	}
}

static void
graph_free(struct graph *g)
{
	unsigned i;

	if (g->on_free != NULL)
		g->on_free(g);
	for (i = 0; i < g->nlisteners; i++)
		tls_bind_free(g->listeners[i].tls);
	for (i = 0; i < g->nbackends; i++) {
		const struct g_backend *be = &g->backends[i];
		unsigned j;

		for (j = 0; be->servers != NULL && j < be->nservers; j++)
			tls_srv_free(be->servers[j].tls);
	}
	for (i = 0; i < g->nexprs; i++)
		acl_expr_release(g->exprs[i]);
	arena_reset(&g->arena);
	free(g);
}

struct graph *
graph_build(const struct conf *c, struct diag *d)
{
	const struct conf_proxy *cp;
	const struct conf_bind *bd;
	struct gb b;
	struct graph *g;
	unsigned nfe = 0, nbe = 0, nl = 0, fi = 0, bi = 0;

	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		diag_error(d, NULL, "out of memory building the graph");
		return NULL;
	}
	atomic_init(&g->refs, 1);
	arena_init(&g->arena);
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.a = &g->arena;
	b.c = c;
	b.d = d;

	for (cp = c->proxies; cp != NULL; cp = cp->next) {
		nfe += !!(cp->cap & PX_CAP_FE);
		nbe += !!(cp->cap & PX_CAP_BE);
		for (bd = cp->binds; bd != NULL; bd = bd->next)
			nl++;
	}
	g->frontends = gb_alloc(&b, sizeof(*g->frontends) * nfe);
	g->backends = gb_alloc(&b, sizeof(*g->backends) * nbe);
	g->listeners = gb_alloc(&b, sizeof(*g->listeners) * nl);
	if (b.failed)
		goto fail;
	gb_global(&b);
	gb_tables(&b);
	/* backends first: frontends point at them */
	for (cp = c->proxies; cp != NULL; cp = cp->next) {
		if (!(cp->cap & PX_CAP_BE))
			continue;
		g->backends[bi].idx = bi;
		gb_backend(&b, cp, &g->backends[bi++]);
		g->nbackends = bi;
	}
	for (cp = c->proxies, bi = 0; cp != NULL; cp = cp->next) {
		struct g_backend *self = NULL;

		if (cp->cap & PX_CAP_BE)
			self = &g->backends[bi++];
		if (!(cp->cap & PX_CAP_FE))
			continue;
		g->frontends[fi].idx = fi;
		gb_frontend(&b, cp, &g->frontends[fi++], self);
		g->nfrontends = fi;
	}
	if (b.failed)
		goto fail;
	return g;
fail:
	if (g->arena.oom)
		diag_error(d, NULL, "out of memory building the graph");
	graph_free(g);
	return NULL;
}

const struct g_table *
graph_find_table(const struct graph *g, const char *name)
{
	unsigned i;

	for (i = 0; i < g->ntables; i++)
		if (strcmp(g->tables[i].name, name) == 0)
			return &g->tables[i];
	return NULL;
}

static struct graph *
graph_load(struct conf *c, struct diag *d, unsigned nerr)
{
	struct graph *g = NULL;

	/* every pass runs, so one run reports every error */
	kw_apply(c, d);
	verify_conf(c, d);
	if (d->nerr == nerr)
		g = graph_build(c, d);
	diag_sort(d);
	return g;
}

struct graph *
graph_load_file(const char *path, struct diag *d)
{
	return graph_load_file_conf(path, d, NULL);
}

struct graph *
graph_load_file_conf(const char *path, struct diag *d, struct conf **keep)
{
	struct conf *c = conf_new();
	struct graph *g;
	unsigned nerr = d->nerr;

	if (c == NULL) {
		diag_error(d, NULL, "out of memory");
		return NULL;
	}
	conf_load_file(c, path, d);
	g = graph_load(c, d, nerr);
	if (g != NULL && (g->file = arena_strdup(&g->arena, path)) == NULL) {
		graph_unref(g);
		g = NULL;
		diag_error(d, NULL, "out of memory");
	}
	if (g != NULL && keep != NULL)
		*keep = c;
	else
		conf_free(c);
	return g;
}

struct graph *
graph_rebuild(const struct conf *c, const char *file, struct diag *d)
{
	struct graph *g = graph_build(c, d);

	if (g != NULL && (g->file = arena_strdup(&g->arena, file)) == NULL) {
		graph_unref(g);
		g = NULL;
		diag_error(d, NULL, "out of memory");
	}
	return g;
}

struct graph *
graph_load_string(const char *name, const char *text, size_t len,
    struct diag *d)
{
	struct conf *c = conf_new();
	struct graph *g;
	unsigned nerr = d->nerr;

	if (c == NULL) {
		diag_error(d, NULL, "out of memory");
		return NULL;
	}
	conf_load_string(c, name, text, len, d);
	g = graph_load(c, d, nerr);
	if (g != NULL)
		g->file = arena_strdup(&g->arena, name);
	conf_free(c);
	return g;
}

void
graph_ref(struct graph *g)
{
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
}

void
graph_unref(struct graph *g)
{
	if (g == NULL)
		return;
	if (atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) == 1)
		graph_free(g);
}

const struct g_backend *
graph_find_backend(const struct graph *g, const char *name)
{
	unsigned i;

	for (i = 0; i < g->nbackends; i++)
		if (strcmp(g->backends[i].px.name, name) == 0)
			return &g->backends[i];
	return NULL;
}

const struct g_frontend *
graph_find_frontend(const struct graph *g, const char *name)
{
	unsigned i;

	for (i = 0; i < g->nfrontends; i++)
		if (strcmp(g->frontends[i].px.name, name) == 0)
			return &g->frontends[i];
	return NULL;
}

void
graph_summary(const struct graph *g, FILE *f)
{
	fprintf(f, "%u frontend%s, %u backend%s, %u server%s, %u listener%s, "
	    "%u thread%s\n", g->nfrontends, g->nfrontends == 1 ? "" : "s",
	    g->nbackends, g->nbackends == 1 ? "" : "s", g->nservers,
	    g->nservers == 1 ? "" : "s", g->nlisteners,
	    g->nlisteners == 1 ? "" : "s", g->nbthread,
	    g->nbthread == 1 ? "" : "s");
}

static bool
graph_acl_match(const struct g_acl *a, const struct acl_sample *s)
{
	unsigned i;

	for (i = 0; i < a->nexprs; i++)
		if (acl_expr_match(&a->exprs[i], s))
			return true;
	return false;
}

bool
graph_cond_match(const struct g_cond *c, const struct acl_sample *s)
{
	unsigned i, j;
	bool r = false;

	if (c == NULL)
		return true;
	for (i = 0; i < c->nalts && !r; i++) {
		const struct g_alt *alt = &c->alts[i];

		r = true;
		for (j = 0; j < alt->nterms && r; j++)
			r = graph_acl_match(alt->terms[j].acl, s) !=
			    alt->terms[j].neg;
	}
	return c->unless ? !r : r;
}
