#include "config.h"

#include "stats.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ctr.h"
#include "graph.h"
#include "lb.h"
#include "state.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))


/* ---- text buffers ------------------------------------------------------ */

static bool
sbuf_grow(struct sbuf *b, size_t more)
{
	size_t ncap;
	char *np;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + more + 1)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!sbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sbuf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sbuf_reset(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- reading the state ------------------------------------------------- */

static unsigned
nslots(const struct graph *g)
{
	return g->state ? g->state->nthreads : 0;
}

/* The sum over threads of counter i of a record (any kind). */
static uint64_t
rec_sum(const struct graph *g, const void *rec, enum ctr_idx i)
{
	if (rec == NULL || g->state == NULL)
		return 0;
	return ctr_sum(((const struct state_node *)rec)->ctr, nslots(g), i);
}

static uint64_t
rec_rate(const struct graph *g, const void *rec, uint64_t now_s)
{
	if (rec == NULL || g->state == NULL)
		return 0;
	return ctr_rate_get(((const struct state_node *)rec)->ctr, nslots(g),
	    now_s);
}

static uint64_t
fe_cur(const struct graph *g, const struct g_frontend *fe)
{
	/* per-thread +1 and -1 wrap: their sum is the count */
	return rec_sum(g, fe->st, CTR_CONN_CUR);
}

static uint64_t
srv_cur(const struct g_server *s)
{
	int n = s->st ? atomic_load_explicit(&s->st->cur_conns,
	    memory_order_relaxed) : 0;

	return n > 0 ? (uint64_t)n : 0;
}

static uint64_t
be_cur(const struct g_backend *be)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < be->nservers; i++)
		n += srv_cur(&be->servers[i]);
	return n;
}

const char *
stats_srv_status(const struct g_server *s)
{
	unsigned adm;

	if (s->st == NULL)
		return (s->flags & SRV_DISABLED) ? "MAINT" : "UP";
	adm = atomic_load_explicit(&s->st->admin, memory_order_relaxed);
	if (adm & SRV_ADM_MAINT)
		return "MAINT";
	if (atomic_load_explicit(&s->st->health, memory_order_relaxed) !=
	    SRV_H_UP)
		return "DOWN";
	if (adm & SRV_ADM_DRAIN)
		return "DRAIN";
	return "UP";
}

static const char *
srv_breaker_str(const struct g_server *s)
{
	static const char *const names[] = {
		[SRV_BRK_CLOSED] = "closed",
		[SRV_BRK_OPEN] = "open",
		[SRV_BRK_HALF_OPEN] = "half-open",
	};
	unsigned b = s->st ? atomic_load_explicit(&s->st->breaker,
	    memory_order_relaxed) : SRV_BRK_CLOSED;

	return b < NELEM(names) ? names[b] : "closed";
}

static uint64_t
srv_lastchg_s(const struct g_server *s, uint64_t now_s)
{
	uint64_t t = s->st ? atomic_load_explicit(&s->st->last_change,
	    memory_order_relaxed) : now_s;

	return now_s > t ? now_s - t : 0;
}

/* The last check's result, "L7OK"; "" without checks or before one. */
static const char *
srv_check_str(const struct g_server *s)
{
	if (s->st == NULL || !(s->flags & SRV_CHECK))
		return "";
	return state_chk_status_name(atomic_load_explicit(&s->st->chk_status,
	    memory_order_relaxed));
}

static unsigned
be_qcur(const struct g_backend *be)
{
	return be->st ? atomic_load_explicit(&be->st->qlen,
	    memory_order_relaxed) : 0;
}

static unsigned
be_qmax(const struct g_backend *be)
{
	return be->st ? atomic_load_explicit(&be->st->qmax,
	    memory_order_relaxed) : 0;
}

/* A backend's proxy id: after the frontends', as HAProxy numbers them. */
static unsigned
be_iid(const struct graph *g, const struct g_backend *be)
{
	return g->nfrontends + be->idx + 1;
}

/* Whether the backend has a server that takes requests. */
static bool
be_up(const struct g_backend *be)
{
	unsigned i;

	for (i = 0; i < be->nservers; i++)
		if (lb_usable(&be->servers[i], NULL) ||
		    strcmp(stats_srv_status(&be->servers[i]), "UP") == 0)
			return true;
	return false;
}

static unsigned
be_weight(const struct g_backend *be, bool backup)
{
	unsigned w = 0, i;

	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		if (!(s->flags & SRV_BACKUP) == !backup &&
		    strcmp(stats_srv_status(s), "UP") == 0)
			w += s->weight;
	}
	return w;
}

static uint64_t
now_us(void)
{
	return state_now_us();
}

void
stats_proc_fill(struct stats_proc *p, const struct graph *g, char *host,
    size_t hostlen)
{
	p->pid = (unsigned)getpid();
	p->nbthread = g->state ? g->state->nthreads : g->nbthread;
	if (gethostname(host, hostlen) < 0)
		host[0] = '\0';
	host[hostlen - 1] = '\0';
	p->node = host;
}

/* ---- Prometheus -------------------------------------------------------- */

/* A label value: backslash, quote and newline escaped (format 0.0.4). */
static void
pm_label(struct sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			sbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			SBUF_LIT(b, "\\n");
		else
			sbuf_add(b, v, 1);
	}
}

static void
pm_head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

enum pm_scope { PM_FE = 0, PM_BE, PM_SRV };

/* One counter family over every frontend, backend or server of g. */
static void
pm_ctr(struct sbuf *b, const struct graph *g, enum pm_scope sc,
    const char *name, const char *type, const char *help, enum ctr_idx i)
{
	unsigned k, j;

	pm_head(b, name, type, help);
	for (k = 0; sc == PM_FE && k < g->nfrontends; k++) {
		const struct g_frontend *fe = &g->frontends[k];

		sbuf_printf(b, "%s{proxy=\"", name);
		pm_label(b, fe->px.name);
		sbuf_printf(b, "\"} %llu\n", (unsigned long long)(i ==
		    CTR_CONN_CUR ? fe_cur(g, fe) : rec_sum(g, fe->st, i)));
	}
	for (k = 0; sc == PM_BE && k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		sbuf_printf(b, "%s{proxy=\"", name);
		pm_label(b, be->px.name);
		sbuf_printf(b, "\"} %llu\n", (unsigned long long)(i ==
		    CTR_CONN_CUR ? be_cur(be) : rec_sum(g, be->st, i)));
	}
	for (k = 0; sc == PM_SRV && k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];

			sbuf_printf(b, "%s{proxy=\"", name);
			pm_label(b, be->px.name);
			SBUF_LIT(b, "\",server=\"");
			pm_label(b, s->name);
			sbuf_printf(b, "\"} %llu\n", (unsigned long long)(i ==
			    CTR_CONN_CUR ? srv_cur(s) : rec_sum(g, s->st, i)));
		}
	}
}

/* Responses by status class, one family per scope. */
static void
pm_codes(struct sbuf *b, const struct graph *g, enum pm_scope sc,
    const char *name, const char *help)
{
	static const char *const codes[] = { "1xx", "2xx", "3xx", "4xx",
		"5xx", "other" };
	unsigned k, j, c;

	pm_head(b, name, "counter", help);
	for (k = 0; k < (sc == PM_FE ? g->nfrontends : g->nbackends); k++) {
		const char *px = sc == PM_FE ? g->frontends[k].px.name :
		    g->backends[k].px.name;
		const void *rec = sc == PM_FE ?
		    (const void *)g->frontends[k].st :
		    (const void *)g->backends[k].st;
		unsigned n = sc == PM_SRV ? g->backends[k].nservers : 1;

		for (j = 0; j < n; j++) {
			if (sc == PM_SRV)
				rec = g->backends[k].servers[j].st;
			for (c = 0; c < NELEM(codes); c++) {
				sbuf_printf(b, "%s{proxy=\"", name);
				pm_label(b, px);
				if (sc == PM_SRV) {
					SBUF_LIT(b, "\",server=\"");
					pm_label(b,
					    g->backends[k].servers[j].name);
				}
				sbuf_printf(b, "\",code=\"%s\"} %llu\n",
				    codes[c], (unsigned long long)rec_sum(g,
				    rec, (enum ctr_idx)(CTR_HRSP_1XX + c)));
			}
		}
	}
}

/* The response-time histogram of each backend, in seconds. */
static void
pm_rt(struct sbuf *b, const struct graph *g)
{
	static const unsigned bounds_ms[] = CTR_RT_BOUNDS_MS;
	const char *name = "weir_backend_http_response_time_seconds";
	unsigned k, i;

	pm_head(b, name, "histogram", "Time from sending a request to a "
	    "server to its response head, by backend.");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];
		uint64_t acc = 0;

		for (i = 0; i < CTR_RT_NBUCKETS; i++) {
			acc += rec_sum(g, be->st, (enum ctr_idx)(CTR_RT_BUCKET +
			    i));
			sbuf_printf(b, "%s_bucket{proxy=\"", name);
			pm_label(b, be->px.name);
			sbuf_printf(b, "\",le=\"%g\"} %llu\n",
			    bounds_ms[i] / 1000.0, (unsigned long long)acc);
		}
		sbuf_printf(b, "%s_bucket{proxy=\"", name);
		pm_label(b, be->px.name);
		sbuf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)
		    rec_sum(g, be->st, CTR_RT_COUNT));
		sbuf_printf(b, "%s_sum{proxy=\"", name);
		pm_label(b, be->px.name);
		sbuf_printf(b, "\"} %.6f\n", (double)rec_sum(g, be->st,
		    CTR_RT_SUM_US) / 1e6);
		sbuf_printf(b, "%s_count{proxy=\"", name);
		pm_label(b, be->px.name);
		sbuf_printf(b, "\"} %llu\n", (unsigned long long)rec_sum(g,
		    be->st, CTR_RT_COUNT));
	}
}

/* A one-hot gauge over each server's states. */
static void
pm_srv_states(struct sbuf *b, const struct graph *g, const char *name,
    const char *help, const char *const *states, size_t nstates,
    const char *(*get)(const struct g_server *))
{
	unsigned k, j;
	size_t i;

	pm_head(b, name, "gauge", help);
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		for (j = 0; j < be->nservers; j++) {
			const char *cur = get(&be->servers[j]);

			for (i = 0; i < nstates; i++) {
				sbuf_printf(b, "%s{proxy=\"", name);
				pm_label(b, be->px.name);
				SBUF_LIT(b, "\",server=\"");
				pm_label(b, be->servers[j].name);
				sbuf_printf(b, "\",state=\"%s\"} %d\n",
				    states[i], strcmp(states[i], cur) == 0);
			}
		}
	}
}

void
stats_prometheus(struct sbuf *b, const struct graph *g,
    const struct stats_proc *p)
{
	static const char *const srv_states[] = { "UP", "DOWN", "MAINT",
		"DRAIN" };
	static const char *const brk_states[] = { "closed", "open",
		"half-open" };
	static const char *const chk_states[] = { "L4OK", "L4TOUT", "L4CON",
		"L6OK", "L7OK", "L7TOUT", "L7RSP", "L7STS" };
	const struct state_store *st = g->state;
	uint64_t now = now_us(), cur = 0;
	unsigned k, j;
	int ok;

	for (k = 0; k < g->nfrontends; k++)
		cur += fe_cur(g, &g->frontends[k]);
	pm_head(b, "weir_process_build_info", "gauge",
	    "weir's version, as a label.");
	sbuf_printf(b, "weir_process_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	pm_head(b, "weir_process_start_time_seconds", "gauge",
	    "When weir started, Unix time.");
	sbuf_printf(b, "weir_process_start_time_seconds %.3f\n",
	    st ? (double)st->start_us / 1e6 : 0.0);
	pm_head(b, "weir_process_threads", "gauge",
	    "Worker threads (nbthread).");
	sbuf_printf(b, "weir_process_threads %u\n", p->nbthread);
	pm_head(b, "weir_process_current_connections", "gauge",
	    "Client connections open, all frontends.");
	sbuf_printf(b, "weir_process_current_connections %llu\n",
	    (unsigned long long)cur);
	pm_head(b, "weir_process_config_generation", "gauge",
	    "The generation of the configuration in use (1 at start).");
	sbuf_printf(b, "weir_process_config_generation %llu\n",
	    (unsigned long long)(st ? atomic_load(&st->generation) :
	    g->generation));
	pm_head(b, "weir_process_reloads_total", "counter",
	    "Reloads tried (SIGHUP or the admin socket).");
	sbuf_printf(b, "weir_process_reloads_total %llu\n",
	    (unsigned long long)(st ? atomic_load(&st->reloads) : 0));
	pm_head(b, "weir_process_reload_failures_total", "counter",
	    "Reloads that changed nothing because of an error.");
	sbuf_printf(b, "weir_process_reload_failures_total %llu\n",
	    (unsigned long long)(st ? atomic_load(&st->reload_failures) : 0));
	ok = st ? atomic_load(&st->last_reload_ok) : -1;
	pm_head(b, "weir_process_last_reload_success", "gauge",
	    "Whether the last reload succeeded (1), failed (0); 1 before "
	    "any.");
	sbuf_printf(b, "weir_process_last_reload_success %d\n", ok != 0);
	pm_head(b, "weir_process_last_reload_time_seconds", "gauge",
	    "When the last reload was tried, Unix time; 0 before any.");
	sbuf_printf(b, "weir_process_last_reload_time_seconds %.3f\n",
	    st ? (double)atomic_load(&st->last_reload_us) / 1e6 : 0.0);

	pm_ctr(b, g, PM_FE, "weir_frontend_current_sessions", "gauge",
	    "Client connections open.", CTR_CONN_CUR);
	pm_ctr(b, g, PM_FE, "weir_frontend_sessions_total", "counter",
	    "Client connections accepted.", CTR_CONN_TOT);
	pm_ctr(b, g, PM_FE, "weir_frontend_bytes_in_total", "counter",
	    "Bytes received from clients.", CTR_BYTES_IN);
	pm_ctr(b, g, PM_FE, "weir_frontend_bytes_out_total", "counter",
	    "Bytes sent to clients.", CTR_BYTES_OUT);
	pm_ctr(b, g, PM_FE, "weir_frontend_http_requests_total", "counter",
	    "HTTP requests.", CTR_REQ_TOT);
	pm_codes(b, g, PM_FE, "weir_frontend_http_responses_total",
	    "HTTP responses by status class.");
	pm_ctr(b, g, PM_FE, "weir_frontend_requests_denied_total", "counter",
	    "Requests refused by http-request deny.", CTR_DENIED);
	pm_ctr(b, g, PM_FE, "weir_frontend_requests_rate_limited_total",
	    "counter", "Requests denied with status 429 (http-request deny "
	    "deny_status 429), as rate limits answer.", CTR_RATELIM);
	pm_ctr(b, g, PM_FE, "weir_frontend_connections_denied_total",
	    "counter", "Connections refused by tcp-request connection reject, "
	    "closed without an answer.", CTR_DENIED_CONN);
	pm_ctr(b, g, PM_FE, "weir_frontend_request_errors_total", "counter",
	    "Requests refused as malformed or too large.", CTR_ERR_REQ);

	pm_ctr(b, g, PM_BE, "weir_backend_current_sessions", "gauge",
	    "Requests on the backend's servers now.", CTR_CONN_CUR);
	pm_ctr(b, g, PM_BE, "weir_backend_sessions_total", "counter",
	    "Requests sent to a server of the backend.", CTR_CONN_TOT);
	pm_ctr(b, g, PM_BE, "weir_backend_bytes_in_total", "counter",
	    "Bytes received from clients.", CTR_BYTES_IN);
	pm_ctr(b, g, PM_BE, "weir_backend_bytes_out_total", "counter",
	    "Bytes sent to clients.", CTR_BYTES_OUT);
	pm_ctr(b, g, PM_BE, "weir_backend_http_requests_total", "counter",
	    "HTTP requests.", CTR_REQ_TOT);
	pm_codes(b, g, PM_BE, "weir_backend_http_responses_total",
	    "HTTP responses by status class.");
	pm_ctr(b, g, PM_BE, "weir_backend_connection_errors_total", "counter",
	    "Connections to servers that failed.", CTR_ERR_CONN);
	pm_ctr(b, g, PM_BE, "weir_backend_response_errors_total", "counter",
	    "Server responses that failed or timed out.", CTR_ERR_RESP);
	pm_ctr(b, g, PM_BE, "weir_backend_retry_warnings_total", "counter",
	    "Retries of a connection to a server.", CTR_RETRIES);
	pm_ctr(b, g, PM_BE, "weir_backend_redispatch_warnings_total",
	    "counter", "Retries sent to another server.", CTR_REDISPATCH);
	pm_head(b, "weir_backend_active_servers", "gauge",
	    "Servers in rotation (not backup).");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];
		unsigned n = 0;

		for (j = 0; j < be->nservers; j++)
			n += !(be->servers[j].flags & SRV_BACKUP) &&
			    lb_usable(&be->servers[j], NULL);
		SBUF_LIT(b, "weir_backend_active_servers{proxy=\"");
		pm_label(b, be->px.name);
		sbuf_printf(b, "\"} %u\n", n);
	}
	pm_head(b, "weir_backend_current_queue", "gauge",
	    "Requests waiting for a server of the backend.");
	for (k = 0; k < g->nbackends; k++) {
		SBUF_LIT(b, "weir_backend_current_queue{proxy=\"");
		pm_label(b, g->backends[k].px.name);
		sbuf_printf(b, "\"} %u\n", be_qcur(&g->backends[k]));
	}
	pm_head(b, "weir_backend_max_queue", "gauge",
	    "The longest the backend's queue has been.");
	for (k = 0; k < g->nbackends; k++) {
		SBUF_LIT(b, "weir_backend_max_queue{proxy=\"");
		pm_label(b, g->backends[k].px.name);
		sbuf_printf(b, "\"} %u\n", be_qmax(&g->backends[k]));
	}
	pm_rt(b, g);

	pm_ctr(b, g, PM_SRV, "weir_server_current_sessions", "gauge",
	    "Requests on the server now.", CTR_CONN_CUR);
	pm_ctr(b, g, PM_SRV, "weir_server_sessions_total", "counter",
	    "Requests sent to the server.", CTR_CONN_TOT);
	pm_ctr(b, g, PM_SRV, "weir_server_bytes_in_total", "counter",
	    "Bytes received from clients.", CTR_BYTES_IN);
	pm_ctr(b, g, PM_SRV, "weir_server_bytes_out_total", "counter",
	    "Bytes sent to clients.", CTR_BYTES_OUT);
	pm_codes(b, g, PM_SRV, "weir_server_http_responses_total",
	    "HTTP responses by status class.");
	pm_ctr(b, g, PM_SRV, "weir_server_connection_errors_total", "counter",
	    "Connections to the server that failed.", CTR_ERR_CONN);
	pm_ctr(b, g, PM_SRV, "weir_server_response_errors_total", "counter",
	    "Responses that failed or timed out.", CTR_ERR_RESP);
	pm_ctr(b, g, PM_SRV, "weir_server_retry_warnings_total", "counter",
	    "Retries of a connection to the server.", CTR_RETRIES);
	pm_ctr(b, g, PM_SRV, "weir_server_redispatch_warnings_total",
	    "counter", "Retries moved from the server to another.",
	    CTR_REDISPATCH);
	pm_head(b, "weir_server_weight", "gauge",
	    "The server's weight as it balances now.");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		for (j = 0; j < be->nservers; j++) {
			SBUF_LIT(b, "weir_server_weight{proxy=\"");
			pm_label(b, be->px.name);
			SBUF_LIT(b, "\",server=\"");
			pm_label(b, be->servers[j].name);
			sbuf_printf(b, "\"} %u\n", be->servers[j].weight);
		}
	}
	pm_head(b, "weir_server_last_state_change_seconds", "gauge",
	    "Seconds since the server's state last changed.");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		for (j = 0; j < be->nservers; j++) {
			SBUF_LIT(b, "weir_server_last_state_change_seconds"
			    "{proxy=\"");
			pm_label(b, be->px.name);
			SBUF_LIT(b, "\",server=\"");
			pm_label(b, be->servers[j].name);
			sbuf_printf(b, "\"} %llu\n", (unsigned long long)
			    srv_lastchg_s(&be->servers[j], now / 1000000u));
		}
	}
	pm_srv_states(b, g, "weir_server_status", "The server's state: "
	    "UP, DOWN (checks), MAINT or DRAIN (the admin).", srv_states,
	    NELEM(srv_states), stats_srv_status);
	pm_srv_states(b, g, "weir_server_breaker_state", "The server's "
	    "circuit breaker.", brk_states, NELEM(brk_states),
	    srv_breaker_str);
	pm_srv_states(b, g, "weir_server_check_status", "The result of the "
	    "server's last health check (all 0: no check, or none yet).",
	    chk_states, NELEM(chk_states), srv_check_str);
	pm_head(b, "weir_server_check_duration_seconds", "gauge",
	    "How long the server's last health check took.");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];

			SBUF_LIT(b, "weir_server_check_duration_seconds"
			    "{proxy=\"");
			pm_label(b, be->px.name);
			SBUF_LIT(b, "\",server=\"");
			pm_label(b, s->name);
			sbuf_printf(b, "\"} %.3f\n", s->st ?
			    atomic_load_explicit(&s->st->chk_ms,
			    memory_order_relaxed) / 1000.0 : 0.0);
		}
	}
}

/* ---- CSV: show stat ---------------------------------------------------- */

/* clang-format off */
static const char *const csv_cols[] = {
	"pxname", "svname", "qcur", "qmax", "scur", "smax", "slim", "stot",
	"bin", "bout", "dreq", "dresp", "ereq", "econ", "eresp", "wretr",
	"wredis", "status", "weight", "act", "bck", "chkfail", "chkdown",
	"lastchg", "downtime", "qlimit", "pid", "iid", "sid", "throttle",
	"lbtot", "tracked", "type", "rate", "rate_lim", "rate_max",
	"check_status", "check_code", "check_duration", "hrsp_1xx",
	"hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other",
	"hanafail", "req_rate", "req_rate_max", "req_tot", "cli_abrt",
	"srv_abrt", "comp_in", "comp_out", "comp_byp", "comp_rsp",
	"lastsess", "last_chk", "last_agt", "qtime", "ctime", "rtime",
	"ttime",
};
/* clang-format on */

enum {
	C_PXNAME = 0, C_SVNAME, C_QCUR, C_QMAX, C_SCUR, C_SMAX, C_SLIM,
	C_STOT, C_BIN, C_BOUT, C_DREQ, C_DRESP, C_EREQ, C_ECON, C_ERESP,
	C_WRETR, C_WREDIS, C_STATUS, C_WEIGHT, C_ACT, C_BCK, C_CHKFAIL,
	C_CHKDOWN, C_LASTCHG, C_DOWNTIME, C_QLIMIT, C_PID, C_IID, C_SID,
	C_THROTTLE, C_LBTOT, C_TRACKED, C_TYPE, C_RATE, C_RATE_LIM,
	C_RATE_MAX, C_CHECK_STATUS, C_CHECK_CODE, C_CHECK_DURATION,
	C_HRSP_1XX, C_HRSP_2XX, C_HRSP_3XX, C_HRSP_4XX, C_HRSP_5XX,
	C_HRSP_OTHER, C_HANAFAIL, C_REQ_RATE, C_REQ_RATE_MAX, C_REQ_TOT,
	C_CLI_ABRT, C_SRV_ABRT, C_COMP_IN, C_COMP_OUT, C_COMP_BYP,
	C_COMP_RSP, C_LASTSESS, C_LAST_CHK, C_LAST_AGT, C_QTIME, C_CTIME,
	C_RTIME, C_TTIME, C__COUNT
};

struct csv_row {
	char f[C__COUNT][80];
};

static void
row_u(struct csv_row *r, unsigned c, uint64_t v)
{
	snprintf(r->f[c], sizeof(r->f[c]), "%llu", (unsigned long long)v);
}

static void
row_s(struct csv_row *r, unsigned c, const char *s)
{
	snprintf(r->f[c], sizeof(r->f[c]), "%s", s);
}

/* The counters every kind of row has, from record rec. */
static void
row_ctrs(struct csv_row *r, const struct graph *g, const void *rec,
    uint64_t now_s, bool http)
{
	unsigned i;

	row_u(r, C_STOT, rec_sum(g, rec, CTR_CONN_TOT));
	row_u(r, C_BIN, rec_sum(g, rec, CTR_BYTES_IN));
	row_u(r, C_BOUT, rec_sum(g, rec, CTR_BYTES_OUT));
	row_u(r, C_RATE, rec_rate(g, rec, now_s));
	if (!http)
		return;
	for (i = 0; i < 6; i++)
		row_u(r, C_HRSP_1XX + i, rec_sum(g, rec,
		    (enum ctr_idx)(CTR_HRSP_1XX + i)));
	row_u(r, C_REQ_TOT, rec_sum(g, rec, CTR_REQ_TOT));
}

static void
row_out(struct sbuf *b, const struct csv_row *r)
{
	unsigned i;

	for (i = 0; i < C__COUNT; i++) {
		const char *p;

		/* names are the only free text: no comma survives */
		for (p = r->f[i]; *p != '\0'; p++)
			sbuf_add(b, *p == ',' ? "_" : p, 1);
		SBUF_LIT(b, ",");
	}
	SBUF_LIT(b, "\n");
}

static void
row_rtime(struct csv_row *r, const struct graph *g, const void *rec)
{
	uint64_t n = rec_sum(g, rec, CTR_RT_COUNT);

	row_u(r, C_RTIME, n ? rec_sum(g, rec, CTR_RT_SUM_US) / n / 1000 : 0);
}

void
stats_csv_filter(struct sbuf *b, const struct graph *g,
    const struct stats_filter *f)
{
	struct csv_row *r = malloc(sizeof(*r));
	uint64_t now_s = now_us() / 1000000u;
	unsigned i, k, j;

	if (r == NULL) {
		b->oom = true;
		return;
	}
	SBUF_LIT(b, "# ");
	for (i = 0; i < C__COUNT; i++)
		sbuf_printf(b, "%s,", csv_cols[i]);
	SBUF_LIT(b, "\n");
	for (k = 0; (f->types & STATS_T_FE) && k < g->nfrontends; k++) {
		const struct g_frontend *fe = &g->frontends[k];
		bool http = fe->px.mode == PX_MODE_HTTP;

		if (f->iid >= 0 && (unsigned)f->iid != fe->idx + 1)
			continue;

		memset(r, 0, sizeof(*r));
		row_s(r, C_PXNAME, fe->px.name);
		row_s(r, C_SVNAME, "FRONTEND");
		row_u(r, C_SCUR, fe_cur(g, fe));
		if (fe->maxconn)
			row_u(r, C_SLIM, fe->maxconn);
		row_ctrs(r, g, fe->st, now_s, http);
		row_u(r, C_DREQ, rec_sum(g, fe->st, CTR_DENIED));
		row_u(r, C_EREQ, rec_sum(g, fe->st, CTR_ERR_REQ));
		row_s(r, C_STATUS, "OPEN");
		row_u(r, C_PID, 1);
		row_u(r, C_IID, fe->idx + 1);
		row_u(r, C_SID, 0);
		row_u(r, C_TYPE, 0);
		if (http)
			row_u(r, C_REQ_RATE, rec_rate(g, fe->st, now_s));
		row_out(b, r);
	}
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];
		bool http = be->px.mode == PX_MODE_HTTP;
		unsigned act = 0, bck = 0, iid = be_iid(g, be);

		if (f->iid >= 0 && (unsigned)f->iid != iid)
			continue;
		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];
			const char *stt = stats_srv_status(s);
			bool up = strcmp(stt, "UP") == 0;

			if (up && !(s->flags & SRV_BACKUP))
				act++;
			else if (up)
				bck++;
			if (!(f->types & STATS_T_SRV) || (f->sid >= 0 &&
			    (unsigned)f->sid != s->idx + 1) || (f->up && !up) ||
			    (f->no_maint && strcmp(stt, "MAINT") == 0))
				continue;

			memset(r, 0, sizeof(*r));
			row_s(r, C_PXNAME, be->px.name);
			row_s(r, C_SVNAME, s->name);
			row_u(r, C_SCUR, srv_cur(s));
			if (s->maxconn)
				row_u(r, C_SLIM, s->maxconn);
			row_ctrs(r, g, s->st, now_s, http);
			row_u(r, C_ECON, rec_sum(g, s->st, CTR_ERR_CONN));
			row_u(r, C_ERESP, rec_sum(g, s->st, CTR_ERR_RESP));
			row_u(r, C_WRETR, rec_sum(g, s->st, CTR_RETRIES));
			row_u(r, C_WREDIS, rec_sum(g, s->st, CTR_REDISPATCH));
			row_s(r, C_STATUS, stats_srv_status(s));
			row_u(r, C_WEIGHT, s->weight);
			row_u(r, C_ACT, !(s->flags & SRV_BACKUP));
			row_u(r, C_BCK, (s->flags & SRV_BACKUP) != 0);
			row_u(r, C_LASTCHG, srv_lastchg_s(s, now_s));
			row_u(r, C_PID, 1);
			row_u(r, C_IID, iid);
			row_u(r, C_SID, s->idx + 1);
			row_u(r, C_LBTOT, rec_sum(g, s->st, CTR_CONN_TOT));
			row_u(r, C_TYPE, 2);
			if ((s->flags & SRV_CHECK) && s->st != NULL &&
			    atomic_load(&s->st->chk_status) != CHK_ST_NONE) {
				row_s(r, C_CHECK_STATUS, srv_check_str(s));
				if (atomic_load(&s->st->chk_code) != 0)
					row_u(r, C_CHECK_CODE,
					    atomic_load(&s->st->chk_code));
				row_u(r, C_CHECK_DURATION,
				    atomic_load(&s->st->chk_ms));
			}
			row_rtime(r, g, s->st);
			row_out(b, r);
		}
		if (!(f->types & STATS_T_BE))
			continue;
		memset(r, 0, sizeof(*r));
		row_s(r, C_PXNAME, be->px.name);
		row_s(r, C_SVNAME, "BACKEND");
		row_u(r, C_QCUR, be_qcur(be));
		row_u(r, C_QMAX, be_qmax(be));
		row_u(r, C_SCUR, be_cur(be));
		row_ctrs(r, g, be->st, now_s, http);
		row_u(r, C_ECON, rec_sum(g, be->st, CTR_ERR_CONN));
		row_u(r, C_ERESP, rec_sum(g, be->st, CTR_ERR_RESP));
		row_u(r, C_WRETR, rec_sum(g, be->st, CTR_RETRIES));
		row_u(r, C_WREDIS, rec_sum(g, be->st, CTR_REDISPATCH));
		row_s(r, C_STATUS, be_up(be) ? "UP" : "DOWN");
		row_u(r, C_WEIGHT, be_weight(be, false));
		row_u(r, C_ACT, act);
		row_u(r, C_BCK, bck);
		row_u(r, C_PID, 1);
		row_u(r, C_IID, iid);
		row_u(r, C_SID, 0);
		row_u(r, C_LBTOT, rec_sum(g, be->st, CTR_CONN_TOT));
		row_u(r, C_TYPE, 1);
		row_rtime(r, g, be->st);
		row_out(b, r);
	}
	free(r);
}

void
stats_csv(struct sbuf *b, const struct graph *g)
{
	struct stats_filter f = { -1, STATS_T_ALL, -1, false, false };

	stats_csv_filter(b, g, &f);
}

/* ---- show info, show servers state, show errors ------------------------ */

void
stats_info(struct sbuf *b, const struct graph *g, const struct stats_proc *p)
{
	const struct state_store *st = g->state;
	uint64_t now = now_us(), up, conns = 0, cum = 0, req = 0;
	unsigned k;
	int ok;

	up = st && now > st->start_us ? (now - st->start_us) / 1000000u : 0;
	for (k = 0; k < g->nfrontends; k++) {
		conns += fe_cur(g, &g->frontends[k]);
		cum += rec_sum(g, g->frontends[k].st, CTR_CONN_TOT);
		req += rec_sum(g, g->frontends[k].st, CTR_REQ_TOT);
	}
	ok = st ? atomic_load(&st->last_reload_ok) : -1;
	sbuf_printf(b, "Name: weir\nVersion: %s\nNbthread: %u\nNbproc: 1\n"
	    "Process_num: 1\nPid: %u\nUptime: %llud %lluh%02llum%02llus\n"
	    "Uptime_sec: %llu\nMaxconn: %u\nCurrConns: %llu\n"
	    "CumConns: %llu\nCumReq: %llu\nNode: %s\n"
	    "Config_generation: %llu\nReloads: %llu\nReload_failures: %llu\n"
	    "Last_reload: %s\nLast_reload_time: %llu\n",
	    PACKAGE_VERSION, p->nbthread, p->pid,
	    (unsigned long long)(up / 86400), (unsigned long long)(up / 3600 %
	    24), (unsigned long long)(up / 60 % 60),
	    (unsigned long long)(up % 60), (unsigned long long)up, g->maxconn,
	    (unsigned long long)conns, (unsigned long long)cum,
	    (unsigned long long)req, p->node ? p->node : "",
	    (unsigned long long)(st ? atomic_load(&st->generation) :
	    g->generation),
	    (unsigned long long)(st ? atomic_load(&st->reloads) : 0),
	    (unsigned long long)(st ? atomic_load(&st->reload_failures) : 0),
	    ok < 0 ? "none" : ok ? "success" : "failure",
	    (unsigned long long)(st ? atomic_load(&st->last_reload_us) /
	    1000000u : 0));
}

static void
addr_split(const struct conf_addr *a, char *ip, size_t iplen,
    unsigned *port)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->ss;

	*port = 0;
	snprintf(ip, iplen, "-");
	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &in->sin_addr, ip, (socklen_t)iplen);
		*port = ntohs(in->sin_port);
	} else if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)iplen);
		*port = ntohs(in6->sin6_port);
	}
}

void
stats_servers_state(struct sbuf *b, const struct graph *g,
    const char *backend)
{
	uint64_t now_s = now_us() / 1000000u;
	unsigned k, j;

	SBUF_LIT(b, "1\n# be_id be_name srv_id srv_name srv_addr "
	    "srv_op_state srv_admin_state srv_uweight srv_iweight "
	    "srv_time_since_last_change srv_check_status srv_check_result "
	    "srv_check_health srv_check_state srv_agent_state "
	    "bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord\n");
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		if (backend != NULL && strcmp(backend, be->px.name) != 0)
			continue;
		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];
			unsigned adm = s->st ? atomic_load(&s->st->admin) : 0;
			unsigned health = s->st ? atomic_load(&s->st->health) :
			    SRV_H_UP;
			char ip[INET6_ADDRSTRLEN + 1];
			unsigned port;

			addr_split(&s->addr, ip, sizeof(ip), &port);
			/* HAProxy's numbers: running 2, stopped 0; forced
			 * maintenance 0x01, forced drain 0x08 */
			sbuf_printf(b, "%u %s %u %s %s %u %u %u %u %llu 0 0 0 "
			    "0 0 0 0 - %u -\n", be_iid(g, be), be->px.name,
			    s->idx + 1, s->name, ip,
			    (adm & SRV_ADM_MAINT) || health != SRV_H_UP ?
			    0 : 2, ((adm & SRV_ADM_MAINT) ? 0x01 : 0) |
			    ((adm & SRV_ADM_DRAIN) ? 0x08 : 0), s->weight,
			    s->st ? s->st->iweight : s->weight,
			    (unsigned long long)srv_lastchg_s(s, now_s), port);
		}
	}
}

static void
fmt_time(char *out, size_t len, uint64_t us)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
		"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, len, "%02d/%s/%04d:%02d:%02d:%02d.%03u",
	    tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)(us / 1000 % 1000));
}

/* A hex dump of one capture: offset, 16 bytes, the same as text. */
static void
hexdump(struct sbuf *b, const struct state_err *e)
{
	uint32_t off, i;

	for (off = 0; off < e->len; off += 16) {
		sbuf_printf(b, "  %05u  ", off);
		for (i = 0; i < 16; i++) {
			if (off + i < e->len)
				sbuf_printf(b, "%02x%s",
				    (unsigned char)e->data[off + i],
				    off + i == e->err_pos ? "<" : " ");
			else
				SBUF_LIT(b, "   ");
			if (i == 7)
				SBUF_LIT(b, " ");
		}
		SBUF_LIT(b, " |");
		for (i = 0; i < 16 && off + i < e->len; i++) {
			unsigned char c = (unsigned char)e->data[off + i];

			sbuf_printf(b, "%c", c >= 0x20 && c < 0x7f ? c : '.');
		}
		SBUF_LIT(b, "|\n");
	}
}

void
stats_errors(struct sbuf *b, struct state_store *st)
{
	struct state_err *all;
	unsigned t, i, n = 0;
	uint64_t total = 0;
	char when[64];

	all = calloc((size_t)st->nthreads * STATE_ERR_KEEP, sizeof(*all));
	if (all == NULL) {
		b->oom = true;
		return;
	}
	for (t = 0; t < st->nthreads; t++) {
		struct state_errring *r = &st->errs[t];

		pthread_mutex_lock(&r->lock);
		for (i = 0; i < r->n; i++)
			all[n++] = r->e[(r->next + STATE_ERR_KEEP - 1 - i) %
			    STATE_ERR_KEEP];
		total += r->total;
		pthread_mutex_unlock(&r->lock);
	}
	fmt_time(when, sizeof(when), now_us());
	sbuf_printf(b, "Total events captured on [%s] : %llu\n", when,
	    (unsigned long long)total);
	/* newest first, across threads */
	for (i = 1; i < n; i++) {
		struct state_err x = all[i];
		unsigned j = i;

		for (; j > 0 && all[j - 1].when_us < x.when_us; j--)
			all[j] = all[j - 1];
		all[j] = x;
	}
	for (i = 0; i < n; i++) {
		const struct state_err *e = &all[i];

		fmt_time(when, sizeof(when), e->when_us);
		sbuf_printf(b, "\n[%s] frontend %s: invalid request, "
		    "answered %u (%s)\n  src %s, thread %u, len %u%s, "
		    "error at position %u\n\n", when, e->fe, e->status,
		    e->reason, e->src, e->thread, e->total_len,
		    e->len < e->total_len ? " (cut)" : "", e->err_pos);
		hexdump(b, e);
	}
	free(all);
}

/* ---- the stats page ---------------------------------------------------- */

bool
stats_match(const struct g_stats *cfg, const char *path, size_t len)
{
	return cfg != NULL && len >= cfg->uri_len &&
	    memcmp(path, cfg->uri, cfg->uri_len) == 0;
}

static void
html_esc(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			SBUF_LIT(b, "&lt;");
			break;
		case '>':
			SBUF_LIT(b, "&gt;");
			break;
		case '&':
			SBUF_LIT(b, "&amp;");
			break;
		case '"':
			SBUF_LIT(b, "&quot;");
			break;
		default:
			sbuf_add(b, s, 1);
		}
	}
}

/* A URL component: names are tokens, but quoted ones may hold anything. */
static void
url_esc(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			sbuf_add(b, s, 1);
		else
			sbuf_printf(b, "%%%02X", c);
	}
}

static void
html_row_start(struct sbuf *b, const char *cls, const char *name)
{
	sbuf_printf(b, "<tr class=\"%s\"><td>", cls);
	html_esc(b, name);
	SBUF_LIT(b, "</td>");
}

static void
html_ctrs(struct sbuf *b, const struct graph *g, const void *rec,
    uint64_t cur, uint64_t now_s)
{
	sbuf_printf(b, "<td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td>"
	    "<td>%llu</td><td>%llu</td>", (unsigned long long)cur,
	    (unsigned long long)rec_sum(g, rec, CTR_CONN_TOT),
	    (unsigned long long)rec_rate(g, rec, now_s),
	    (unsigned long long)rec_sum(g, rec, CTR_REQ_TOT),
	    (unsigned long long)rec_sum(g, rec, CTR_BYTES_IN),
	    (unsigned long long)rec_sum(g, rec, CTR_BYTES_OUT));
	sbuf_printf(b, "<td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td>"
	    "<td>%llu</td><td>%llu</td>",
	    (unsigned long long)rec_sum(g, rec, CTR_DENIED),
	    (unsigned long long)rec_sum(g, rec, CTR_ERR_REQ),
	    (unsigned long long)rec_sum(g, rec, CTR_ERR_CONN),
	    (unsigned long long)rec_sum(g, rec, CTR_ERR_RESP),
	    (unsigned long long)rec_sum(g, rec, CTR_RETRIES),
	    (unsigned long long)rec_sum(g, rec, CTR_REDISPATCH));
}

static const char HTML_HEAD[] =
    "<th>Name</th><th>Status</th><th>Weight</th><th>Cur</th>"
    "<th>Sessions</th><th>Rate/s</th><th>Requests</th><th>Bytes in</th>"
    "<th>Bytes out</th><th>Denied</th><th>Req err</th><th>Conn err</th>"
    "<th>Resp err</th><th>Retries</th><th>Redisp</th><th>Check</th>"
    "<th>Breaker</th><th>Last change</th>";

static void
stats_html_body(struct sbuf *b, const struct graph *g,
    const struct g_stats *cfg, bool admin, const struct stats_proc *p,
    const char *msg)
{
	uint64_t now = now_us(), now_s = now / 1000000u;
	unsigned k, j;

	SBUF_LIT(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>weir statistics</title>");
	if (cfg->refresh_s > 0)
		sbuf_printf(b, "<meta http-equiv=\"refresh\" content=\"%u\">",
		    cfg->refresh_s);
	SBUF_LIT(b, "<style>body{font-family:sans-serif;font-size:13px}"
	    "table{border-collapse:collapse;margin-bottom:1em}"
	    "td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
	    "td:first-child,th:first-child{text-align:left}"
	    "th{background:#dde}caption{text-align:left;font-weight:bold}"
	    ".UP{background:#cfc}.DOWN{background:#fcc}"
	    ".MAINT{background:#ccf}.DRAIN{background:#fec}"
	    ".px{background:#eee}</style></head><body>\n");
	SBUF_LIT(b, "<h1>weir statistics</h1>\n<p>");
	if (!cfg->hide_version)
		sbuf_printf(b, "weir %s, ", PACKAGE_VERSION);
	sbuf_printf(b, "pid %u, %u thread%s, configuration generation %llu",
	    p->pid, p->nbthread, p->nbthread == 1 ? "" : "s",
	    (unsigned long long)(g->state ? atomic_load(&g->state->generation)
	    : g->generation));
	if (g->state != NULL) {
		uint64_t up = now > g->state->start_us ? (now -
		    g->state->start_us) / 1000000u : 0;
		int ok = atomic_load(&g->state->last_reload_ok);

		sbuf_printf(b, ", up %llud %lluh%02llum%02llus, %llu reload%s",
		    (unsigned long long)(up / 86400),
		    (unsigned long long)(up / 3600 % 24),
		    (unsigned long long)(up / 60 % 60),
		    (unsigned long long)(up % 60),
		    (unsigned long long)atomic_load(&g->state->reloads),
		    atomic_load(&g->state->reloads) == 1 ? "" : "s");
		if (ok >= 0) {
			char when[64];

			fmt_time(when, sizeof(when),
			    atomic_load(&g->state->last_reload_us));
			sbuf_printf(b, ", the last %s at %s UTC", ok ?
			    "succeeded" : "failed", when);
		}
	}
	if (cfg->show_node) {
		SBUF_LIT(b, ", node ");
		html_esc(b, cfg->node ? cfg->node : p->node ? p->node : "");
	}
	SBUF_LIT(b, "</p>\n");
	if (msg != NULL) {
		SBUF_LIT(b, "<p><b>");
		html_esc(b, msg);
		SBUF_LIT(b, "</b></p>\n");
	}
	for (k = 0; k < g->nfrontends; k++) {
		const struct g_frontend *fe = &g->frontends[k];

		SBUF_LIT(b, "<table><caption>frontend ");
		html_esc(b, fe->px.name);
		sbuf_printf(b, "</caption><tr>%s</tr>\n", HTML_HEAD);
		html_row_start(b, "px", "FRONTEND");
		SBUF_LIT(b, "<td>OPEN</td><td></td>");
		html_ctrs(b, g, fe->st, fe_cur(g, fe), now_s);
		SBUF_LIT(b, "<td></td><td></td><td></td></tr>\n</table>\n");
	}
	for (k = 0; k < g->nbackends; k++) {
		const struct g_backend *be = &g->backends[k];

		SBUF_LIT(b, "<table><caption>backend ");
		html_esc(b, be->px.name);
		if (be_qcur(be) > 0 || be_qmax(be) > 0)
			sbuf_printf(b, " (queue %u, longest %u)", be_qcur(be),
			    be_qmax(be));
		sbuf_printf(b, "</caption><tr>%s%s</tr>\n", HTML_HEAD,
		    admin ? "<th>Action</th>" : "");
		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];
			const char *stt = stats_srv_status(s);

			html_row_start(b, stt, s->name);
			sbuf_printf(b, "<td>%s%s</td><td>%u</td>", stt,
			    (s->flags & SRV_BACKUP) ? " (backup)" : "",
			    s->weight);
			html_ctrs(b, g, s->st, srv_cur(s), now_s);
			sbuf_printf(b, "<td>%s</td><td>%s</td><td>%llus</td>",
			    !(s->flags & SRV_CHECK) ? "no check" :
			    srv_check_str(s), srv_breaker_str(s),
			    (unsigned long long)srv_lastchg_s(s, now_s));
			if (admin) {
				static const char *const acts[] = {
					"ready", "drain", "maint" };
				unsigned a;

				SBUF_LIT(b, "<td>");
				for (a = 0; a < NELEM(acts); a++) {
					SBUF_LIT(b, "<form method=\"post\" "
					    "style=\"display:inline\" "
					    "action=\"");
					html_esc(b, cfg->uri);
					SBUF_LIT(b, "?b=");
					url_esc(b, be->px.name);
					SBUF_LIT(b, "&amp;s=");
					url_esc(b, s->name);
					sbuf_printf(b, "&amp;action=%s\">"
					    "<button>%s</button></form>",
					    acts[a], acts[a]);
				}
				SBUF_LIT(b, "</td>");
			}
			SBUF_LIT(b, "</tr>\n");
		}
		html_row_start(b, be_up(be) ? "px" : "DOWN", "BACKEND");
		sbuf_printf(b, "<td>%s</td><td>%u</td>", be_up(be) ? "UP" :
		    "DOWN", be_weight(be, false));
		html_ctrs(b, g, be->st, be_cur(be), now_s);
		sbuf_printf(b, "<td></td><td></td><td></td>%s</tr>\n</table>\n",
		    admin ? "<td></td>" : "");
	}
	if (cfg->show_legends)
		SBUF_LIT(b, "<p>Legend: <span class=\"UP\">UP</span> in "
		    "rotation, <span class=\"DOWN\">DOWN</span> failed its "
		    "checks, <span class=\"MAINT\">MAINT</span> in "
		    "maintenance (disabled), <span class=\"DRAIN\">DRAIN"
		    "</span> takes no new request. Rate/s: requests in the "
		    "last second. Cur: requests (servers) or connections "
		    "(frontends) open now.</p>\n");
	SBUF_LIT(b, "<p><a href=\"");
	html_esc(b, cfg->uri);
	SBUF_LIT(b, ";csv\">CSV</a></p>\n</body></html>\n");
}

/* Whether the Basic credentials in auth are one of cfg's. */
static bool
stats_auth_ok(const struct g_stats *cfg, const char *auth, size_t len)
{
	unsigned char dec[512];
	unsigned i;
	int n;

	if (cfg->nauths == 0)
		return true;
	if (auth == NULL || len < 7 || strncasecmp(auth, "Basic ", 6) != 0)
		return false;
	auth += 6;
	len -= 6;
	while (len > 0 && *auth == ' ') {
		auth++;
		len--;
	}
	if (len == 0 || len > 600 || len % 4 != 0)
		return false;
	n = EVP_DecodeBlock(dec, (const unsigned char *)auth, (int)len);
	if (n < 0)
		return false;
	/* EVP_DecodeBlock counts the padding as bytes */
	if (auth[len - 1] == '=')
		n--;
	if (auth[len - 2] == '=')
		n--;
	for (i = 0; i < cfg->nauths; i++)
		if (strlen(cfg->auths[i]) == (size_t)n &&
		    memcmp(cfg->auths[i], dec, (size_t)n) == 0)
			return true;
	return false;
}

/* The value of field name in a query string, decoded; 0 when absent. */
static bool
query_get(const char *q, size_t qlen, const char *name, char *out,
    size_t outlen)
{
	size_t nl = strlen(name), i = 0;

	while (i < qlen) {
		size_t end = i, o = 0;

		while (end < qlen && q[end] != '&')
			end++;
		if (end - i > nl && memcmp(q + i, name, nl) == 0 &&
		    q[i + nl] == '=') {
			size_t k;

			for (k = i + nl + 1; k < end && o + 1 < outlen; k++) {
				unsigned v;

				if (q[k] == '%' && k + 2 < end + 1 &&
				    sscanf(q + k + 1, "%2x", &v) == 1) {
					out[o++] = (char)v;
					k += 2;
				} else {
					out[o++] = q[k] == '+' ? ' ' : q[k];
				}
			}
			out[o] = '\0';
			return true;
		}
		i = end + 1;
	}
	return false;
}

/* POST uri?b=B&s=S&action=ready|drain|maint: returns what happened. */
static const char *
stats_admin_act(const struct graph *g, const char *q, size_t qlen)
{
	char bn[256], sn[256], act[16];
	const struct g_backend *be;
	unsigned i, adm;

	if (!query_get(q, qlen, "b", bn, sizeof(bn)) ||
	    !query_get(q, qlen, "s", sn, sizeof(sn)) ||
	    !query_get(q, qlen, "action", act, sizeof(act)))
		return "missing b, s or action";
	be = graph_find_backend(g, bn);
	if (be == NULL)
		return "no such backend";
	for (i = 0; i < be->nservers; i++)
		if (strcmp(be->servers[i].name, sn) == 0)
			break;
	if (i == be->nservers || be->servers[i].st == NULL)
		return "no such server";
	if (strcmp(act, "ready") == 0 || strcmp(act, "enable") == 0)
		adm = 0;
	else if (strcmp(act, "drain") == 0)
		adm = SRV_ADM_DRAIN;
	else if (strcmp(act, "maint") == 0 || strcmp(act, "disable") == 0)
		adm = SRV_ADM_MAINT;
	else
		return "unknown action";
	if (atomic_exchange(&be->servers[i].st->admin, adm) != adm)
		atomic_store(&be->servers[i].st->last_change,
		    now_us() / 1000000u);
	return "done";
}

void
stats_http(struct sbuf *b, const struct graph *g, const struct g_stats *cfg,
    const struct stats_req *rq, const struct stats_proc *p, bool close)
{
	struct sbuf body = { 0 };
	const char *rest = rq->path + cfg->uri_len, *q;
	size_t rlen = rq->path_len - cfg->uri_len, qlen = 0;
	const char *ctype = "text/html; charset=utf-8", *msg = NULL;
	const char *conn = close ? "close" : "keep-alive";
	bool post = rq->method_len == 4 && memcmp(rq->method, "POST", 4) == 0;
	bool admin;
	unsigned status = 200;

	if (!stats_auth_ok(cfg, rq->auth, rq->auth_len)) {
		static const char m[] = "401 Unauthorized: this page needs a "
		    "user and password.\n";

		sbuf_printf(b, "HTTP/1.1 401 Unauthorized\r\n"
		    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
		    "WWW-Authenticate: Basic realm=\"%s\"\r\n"
		    "Cache-Control: no-cache\r\nConnection: %s\r\n\r\n%s",
		    sizeof(m) - 1, cfg->realm, conn, m);
		return;
	}
	q = memchr(rest, '?', rlen);
	if (q != NULL) {
		qlen = rlen - (size_t)(q + 1 - rest);
		rlen = (size_t)(q - rest);
		q++;
	}
	admin = cfg->admin && graph_cond_match(cfg->admin_cond, rq->smp);
	if (post) {
		if (!admin) {
			status = 403;
			msg = "administration is not allowed here";
		} else {
			msg = stats_admin_act(g, q ? q : "", qlen);
			if (strcmp(msg, "done") != 0)
				status = 400;
		}
	}
	if (rlen >= 4 && memcmp(rest, ";csv", 4) == 0 && !post) {
		ctype = "text/plain; charset=utf-8";
		stats_csv(&body, g);
	} else {
		stats_html_body(&body, g, cfg, admin, p, msg);
	}
	if (body.oom) {
		sbuf_reset(&body);
		status = 500;
		SBUF_LIT(&body, "out of memory\n");
		ctype = "text/plain";
	}
	sbuf_printf(b, "HTTP/1.1 %u %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-cache\r\n"
	    "Connection: %s\r\n\r\n", status, status == 200 ? "OK" :
	    status == 400 ? "Bad Request" : status == 403 ? "Forbidden" :
	    "Internal Server Error", ctype, body.len, conn);
	sbuf_add(b, body.p ? body.p : "", body.len);
	sbuf_reset(&body);
}
