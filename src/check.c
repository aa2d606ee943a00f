#include "config.h"

#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "eng.h"
#include "state.h"
#include "tls.h"
#include "val.h"

#define CHK_RBUF	16384	/* what a check reads at most */
#define CHK_OBUF	1024	/* what a check sends at most at once */

enum chk_phase {
	CP_IDLE = 0,		/* waiting for its time */
	CP_CONNECTING,
	CP_HANDSHAKE,		/* connected; the TLS handshake (ssl servers) */
	CP_RUNNING,		/* connected: sending, reading */
};

struct chk {
	struct chk *next, *prev;	/* the worker's checks */
	struct eng_worker *w;
	struct state_server *st;
	const struct g_server *srv;	/* in w->g */
	const struct g_backend *be;
	struct event tev;		/* the next check */
	struct event iev;		/* the check's socket */
	bool iev_set;
	bool seen;			/* check_sync()'s mark */
	SSL *ssl;			/* a server with ssl: checks too */
	uint8_t phase;
	int fd;
	unsigned step;			/* tcp-check: the rule being run */
	unsigned stage;			/* mysql: 0 greeting, 1 login answer */
	bool eof;
	uint64_t start_ms;
	char *rbuf;			/* CHK_RBUF + 1, while running */
	size_t rlen;
	char obuf[CHK_OBUF];
	size_t olen, ooff;
};

/* A verdict: pass, fail, or not yet (more bytes needed). */
enum { V_MORE = 0, V_PASS, V_FAIL };

struct verdict {
	enum chk_status status;
	unsigned code;
	char why[160];
};

static void chk_on_timer(evutil_socket_t, short, void *);
static void chk_on_io(evutil_socket_t, short, void *);
static void chk_run(struct chk *);
static void chk_handshake(struct chk *);
static void chk_tls_free(struct chk *);

static uint64_t
chk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
chk_coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
chk_timer(struct chk *c, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
		(suseconds_t)((ms % 1000) * 1000) };

	evtimer_add(&c->tev, &tv);
}

/* The worker that checks record st. */
static bool
chk_mine(const struct eng_worker *w, const struct state_server *st)
{
	return st->id % w->eng->nworkers == w->id;
}

/* The check's TLS, if any, closed with a close_notify when it can. */
static void
chk_tls_free(struct chk *c)
{
	if (c->ssl == NULL)
		return;
	if (SSL_is_init_finished(c->ssl) && !SSL_get_quiet_shutdown(c->ssl))
		(void)SSL_shutdown(c->ssl);
	ERR_clear_error();
	SSL_free(c->ssl);
	c->ssl = NULL;
}

/* Close the check's socket, keep its timer. */
static void
chk_stop_io(struct chk *c)
{
	if (c->iev_set) {
		event_del(&c->iev);
		c->iev_set = false;
	}
	chk_tls_free(c);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	free(c->rbuf);
	c->rbuf = NULL;
	c->rlen = c->olen = c->ooff = 0;
	c->phase = CP_IDLE;
}

static void
chk_free(struct chk *c)
{
	chk_stop_io(c);
	event_del(&c->tev);
	if (c->st->chk == c)
		c->st->chk = NULL;
	free(c);
}

/* The time to the next check, from the server's state. */
static uint64_t
chk_interval(const struct chk *c)
{
	const struct g_server *s = c->srv;
	unsigned h = atomic_load(&c->st->health);

	if (h != SRV_H_UP && atomic_load(&c->st->chk_ok) == 0)
		return s->downinter_ms;
	/* on the way up or down, or sped up by real traffic */
	if ((h == SRV_H_UP && atomic_load(&c->st->chk_fail) > 0) ||
	    (h != SRV_H_UP && atomic_load(&c->st->chk_ok) > 0) ||
	    atomic_load(&c->st->chk_fast))
		return s->fastinter_ms;
	return s->inter_ms;
}

/* ---- state changes ----------------------------------------------------- */

/* How many usable servers the backend has left, "N active and M backup". */
static void
chk_left(const struct g_backend *be, char *buf, size_t size)
{
	unsigned i, act = 0, bck = 0;

	for (i = 0; i < be->nservers; i++) {
		const struct g_server *s = &be->servers[i];

		/* 'disabled' is maintenance in the admin state */
		if (s->st == NULL || atomic_load(&s->st->admin) != 0 ||
		    atomic_load(&s->st->health) != SRV_H_UP)
			continue;
		if (s->flags & SRV_BACKUP)
			bck++;
		else
			act++;
	}
	snprintf(buf, size, "%u active and %u backup server%s left", act, bck,
	    act + bck == 1 ? "" : "s");
}

/* Mark the server up or down, say so once, and act on it. */
static void
chk_set_health(const struct g_server *s, struct state_server *st,
    enum srv_health h, const char *why)
{
	char left[80];

	if (atomic_exchange(&st->health, h) == (unsigned)h)
		return;
	atomic_store(&st->last_change, (uint64_t)time(NULL));
	if (h == SRV_H_UP)
		atomic_store(&st->up_since, chk_coarse_ms());
	chk_left(s->be, left, sizeof(left));
	fprintf(stderr, "weir: server %s/%s is %s: %s; %s\n", s->be->px.name,
	    s->name, h == SRV_H_UP ? "UP" : "DOWN", why, left);
}

/* A check ended: count it, move the server if it crossed rise or fall. */
static void
chk_count(struct chk *c, bool ok, const struct verdict *v)
{
	struct state_server *st = c->st;
	const struct g_server *s = c->srv;
	unsigned inject = atomic_exchange(&st->chk_inject, 0);
	char why[256];

	atomic_store(&st->chk_status, v->status);
	atomic_store(&st->chk_code, v->code);
	atomic_store(&st->chk_ms, (unsigned)(chk_now_ms() - c->start_ms));
	if (inject > 0) {
		/* real traffic failed meanwhile: those count first */
		unsigned f = atomic_load(&st->chk_fail) + inject;

		atomic_store(&st->chk_ok, 0);
		atomic_store(&st->chk_fail, f);
		if (atomic_load(&st->health) == SRV_H_UP && f >= s->fall) {
			snprintf(why, sizeof(why), "%u errors on real traffic "
			    "count as failed checks", inject);
			chk_set_health(s, st, SRV_H_DOWN, why);
		}
	}
	if (ok) {
		unsigned n = atomic_load(&st->chk_ok) + 1;

		atomic_store(&st->chk_fail, 0);
		atomic_store(&st->chk_fast, false);
		if (atomic_load(&st->health) == SRV_H_UP) {
			atomic_store(&st->chk_ok, s->rise);
			return;
		}
		atomic_store(&st->chk_ok, n);
		if (n >= s->rise) {
			snprintf(why, sizeof(why), "%s, %u/%u checks succeeded",
			    v->why, s->rise, s->rise);
			chk_set_health(s, st, SRV_H_UP, why);
			atomic_store(&st->errors, 0);
			if (s->flags & SRV_UP_KILL_BACKUP)
				eng_kill_sessions(c->w->eng, NULL, s->be->st);
		}
		return;
	}
	atomic_store(&st->chk_ok, 0);
	if (atomic_load(&st->health) != SRV_H_UP)
		return;
	{
		unsigned n = atomic_load(&st->chk_fail) + 1;

		atomic_store(&st->chk_fail, n);
		if (n >= s->fall) {
			snprintf(why, sizeof(why), "%s, %u/%u checks failed",
			    v->why, s->fall, s->fall);
			chk_set_health(s, st, SRV_H_DOWN, why);
			if (s->flags & SRV_DOWN_KILL)
				eng_kill_sessions(c->w->eng, st, NULL);
		}
	}
}

static void
chk_done(struct chk *c, int verdict, const struct verdict *v)
{
	chk_stop_io(c);
	chk_count(c, verdict == V_PASS, v);
	chk_timer(c, chk_interval(c));
}

static void
chk_fail(struct chk *c, enum chk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
chk_fail(struct chk *c, enum chk_status status, const char *fmt, ...)
{
	struct verdict v = { status, 0, "" };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v.why, sizeof(v.why), fmt, ap);
	va_end(ap);
	chk_done(c, V_FAIL, &v);
}

/* ---- the protocols ----------------------------------------------------- */

/* Whether the status code is in a list like "200,204,300-399". */
static bool
chk_status_in(unsigned code, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		unsigned lo = (unsigned)strtoul(p, (char **)&p, 10), hi = lo;

		if (*p == '-')
			hi = (unsigned)strtoul(p + 1, (char **)&p, 10);
		if (code >= lo && code <= hi)
			return true;
		if (*p == ',')
			p++;
		else
			break;
	}
	return false;
}

/* Whether re matches text; a regex that does not compile never does. */
static bool
chk_regex(const char *re_text, const char *text)
{
	regex_t re;
	bool m;

	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void *
chk_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	return memmem(h, hl, n, nl);
}

/* option httpchk: the request, sent once connected. */
static void
chk_http_request(struct chk *c)
{
	const struct g_backend *be = c->be;
	const char *hdrs = be->httpchk_hdrs ? be->httpchk_hdrs : "";
	bool v11 = strcmp(be->httpchk_version, "HTTP/1.1") == 0;
	char host[80] = "";
	int n;

	/* HTTP/1.1 needs a Host field (RFC 9112 3.2) */
	if (v11 && strncasecmp(hdrs, "host:", 5) != 0 &&
	    strcasestr(hdrs, "\r\nhost:") == NULL)
		snprintf(host, sizeof(host), "Host: %s\r\n",
		    c->srv->addr_text);
	n = snprintf(c->obuf, sizeof(c->obuf), "%s %s %s\r\n%s%s"
	    "Connection: close\r\n\r\n", be->httpchk_method,
	    be->httpchk_uri, be->httpchk_version, host, hdrs);
	c->olen = n > 0 && (size_t)n < sizeof(c->obuf) ? (size_t)n :
	    sizeof(c->obuf) - 1;
}

/* The HTTP verdict on what was read so far. */
static int
chk_http_verdict(struct chk *c, struct verdict *v)
{
	const struct g_backend *be = c->be;
	const char *eol = memchr(c->rbuf, '\n', c->rlen), *body;
	unsigned code;
	bool pass;

	if (eol == NULL)
		return c->eof || c->rlen >= CHK_RBUF ? (v->status =
		    CHK_ST_L7RSP, snprintf(v->why, sizeof(v->why),
		    "not an HTTP answer"), V_FAIL) : V_MORE;
	if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.", 7) != 0 ||
	    c->rbuf[8] != ' ' || c->rbuf[9] < '1' || c->rbuf[9] > '5' ||
	    c->rbuf[10] < '0' || c->rbuf[10] > '9' || c->rbuf[11] < '0' ||
	    c->rbuf[11] > '9') {
		v->status = CHK_ST_L7RSP;
		snprintf(v->why, sizeof(v->why), "not an HTTP answer");
		return V_FAIL;
	}
	code = (unsigned)(c->rbuf[9] - '0') * 100 +
	    (unsigned)(c->rbuf[10] - '0') * 10 + (unsigned)(c->rbuf[11] - '0');
	v->code = code;
	switch (be->chk_expect) {
	case CHK_EXPECT_DEFAULT:
		pass = code >= 200 && code < 400;
		break;
	case CHK_EXPECT_STATUS:
		pass = chk_status_in(code, be->chk_expect_arg);
		break;
	case CHK_EXPECT_RSTATUS: {
		char t[4] = { c->rbuf[9], c->rbuf[10], c->rbuf[11], '\0' };

		pass = chk_regex(be->chk_expect_arg, t);
		break;
	}
	case CHK_EXPECT_STRING:
	case CHK_EXPECT_RSTRING:
	default:
		/* the body: all of it, up to the close or a full buffer */
		if (!c->eof && c->rlen < CHK_RBUF)
			return V_MORE;
		body = chk_memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
		body = body ? body + 4 : c->rbuf + c->rlen;
		c->rbuf[c->rlen] = '\0';
		if (be->chk_expect == CHK_EXPECT_STRING)
			pass = chk_memmem(body, (size_t)(c->rbuf + c->rlen -
			    body), be->chk_expect_arg,
			    strlen(be->chk_expect_arg)) != NULL;
		else
			pass = chk_regex(be->chk_expect_arg, body);
		if (pass != be->chk_expect_neg) {
			v->status = CHK_ST_L7OK;
			snprintf(v->why, sizeof(v->why), "HTTP status %u, "
			    "the body matched", code);
			return V_PASS;
		}
		v->status = CHK_ST_L7RSP;
		snprintf(v->why, sizeof(v->why), "HTTP status %u, the body "
		    "did %smatch '%s'", code, be->chk_expect_neg ? "" : "not ",
		    be->chk_expect_arg);
		return V_FAIL;
	}
	if (pass != be->chk_expect_neg) {
		v->status = CHK_ST_L7OK;
		snprintf(v->why, sizeof(v->why), "HTTP status %u", code);
		return V_PASS;
	}
	v->status = CHK_ST_L7STS;
	snprintf(v->why, sizeof(v->why), "HTTP status %u", code);
	return V_FAIL;
}

/* A MySQL packet in rbuf: its payload and length, or NULL if incomplete. */
static const unsigned char *
chk_mysql_packet(const struct chk *c, size_t *len)
{
	const unsigned char *p = (const unsigned char *)c->rbuf;

	if (c->rlen < 4)
		return NULL;
	*len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (*len == 0 || c->rlen < 4 + *len)
		return NULL;
	return p + 4;
}

/* An error packet's code and message into v. */
static void
chk_mysql_error(const unsigned char *p, size_t len, struct verdict *v)
{
	unsigned code = len >= 3 ? (unsigned)p[1] | (unsigned)p[2] << 8 : 0;
	size_t off = len > 9 && p[3] == '#' ? 9 : 3;
	int mlen = len > off ? (int)(len - off) : 0;

	v->status = CHK_ST_L7RSP;
	snprintf(v->why, sizeof(v->why), "MySQL error %u: %.*s", code,
	    mlen > 100 ? 100 : mlen, (const char *)p + off);
}

/* The login packet of a user without password (protocol 4.1). */
static void
chk_mysql_login(struct chk *c)
{
	const char *user = c->be->chk_user;
	size_t ulen = strlen(user), plen = 4 + 4 + 1 + 23 + ulen + 1 + 1;
	unsigned char *p = (unsigned char *)c->obuf;
	/* LONG_PASSWORD | PROTOCOL_41 | SECURE_CONNECTION */
	uint32_t caps = 0x1 | 0x200 | 0x8000;

	p[0] = (unsigned char)plen;
	p[1] = (unsigned char)(plen >> 8);
	p[2] = 0;
	p[3] = 1;		/* sequence: the answer to the greeting */
	memcpy(p + 4, &caps, 4);
	memset(p + 8, 0, 4);	/* max packet: the server's */
	p[12] = 33;		/* utf8_general_ci */
	memset(p + 13, 0, 23);
	memcpy(p + 36, user, ulen + 1);
	p[36 + ulen + 1] = 0;	/* no password */
	c->olen = 4 + plen;
	c->ooff = 0;
}

static int
chk_mysql_verdict(struct chk *c, struct verdict *v)
{
	const unsigned char *p;
	size_t len;

	if ((p = chk_mysql_packet(c, &len)) == NULL) {
		if (!c->eof && c->rlen < CHK_RBUF)
			return V_MORE;
		v->status = CHK_ST_L7RSP;
		snprintf(v->why, sizeof(v->why), "no MySQL %s",
		    c->stage == 0 ? "greeting" : "answer to the login");
		return V_FAIL;
	}
	if (p[0] == 0xff) {
		chk_mysql_error(p, len, v);
		return V_FAIL;
	}
	if (c->stage == 0) {
		if (p[0] != 10 && p[0] != 9) {
			v->status = CHK_ST_L7RSP;
			snprintf(v->why, sizeof(v->why), "not a MySQL greeting "
			    "(protocol %u)", p[0]);
			return V_FAIL;
		}
		if (c->be->chk_user == NULL) {
			v->status = CHK_ST_L7OK;
			snprintf(v->why, sizeof(v->why), "MySQL greeting");
			return V_PASS;
		}
		c->stage = 1;
		c->rlen = 0;
		chk_mysql_login(c);
		return V_MORE;
	}
	if (p[0] == 0x00) {
		v->status = CHK_ST_L7OK;
		snprintf(v->why, sizeof(v->why), "MySQL login accepted");
		return V_PASS;
	}
	v->status = CHK_ST_L7RSP;
	snprintf(v->why, sizeof(v->why), "unexpected MySQL answer 0x%02x",
	    p[0]);
	return V_FAIL;
}

/* The StartupMessage of protocol 3.0 for the check's user. */
static void
chk_pgsql_startup(struct chk *c)
{
	const char *user = c->be->chk_user;
	size_t ulen = strlen(user);
	uint32_t len = (uint32_t)(4 + 4 + 5 + ulen + 1 + 1);
	unsigned char *p = (unsigned char *)c->obuf;

	p[0] = (unsigned char)(len >> 24);
	p[1] = (unsigned char)(len >> 16);
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	p[4] = 0;
	p[5] = 3;
	p[6] = 0;
	p[7] = 0;
	memcpy(p + 8, "user", 5);
	memcpy(p + 13, user, ulen + 1);
	p[13 + ulen + 1] = 0;
	c->olen = len;
}

static int
chk_pgsql_verdict(struct chk *c, struct verdict *v)
{
	if (c->rlen == 0)
		return c->eof ? (v->status = CHK_ST_L7RSP, snprintf(v->why,
		    sizeof(v->why), "PostgreSQL closed at once"), V_FAIL) :
		    V_MORE;
	if (c->rbuf[0] == 'R') {
		v->status = CHK_ST_L7OK;
		snprintf(v->why, sizeof(v->why), "PostgreSQL asks to "
		    "authenticate");
		return V_PASS;
	}
	v->status = CHK_ST_L7RSP;
	snprintf(v->why, sizeof(v->why), c->rbuf[0] == 'E' ?
	    "PostgreSQL error" : "not a PostgreSQL answer");
	return V_FAIL;
}

static int
chk_redis_verdict(struct chk *c, struct verdict *v)
{
	if (c->rlen < 7 && !c->eof && memchr(c->rbuf, '\n', c->rlen) == NULL)
		return V_MORE;
	if (c->rlen >= 7 && memcmp(c->rbuf, "+PONG\r\n", 7) == 0) {
		v->status = CHK_ST_L7OK;
		snprintf(v->why, sizeof(v->why), "Redis PONG");
		return V_PASS;
	}
	v->status = CHK_ST_L7RSP;
	snprintf(v->why, sizeof(v->why), "Redis did not answer PONG");
	return V_FAIL;
}

/*
 * tcp-check: run rules from c->step until one waits. Returns V_MORE while
 * waiting (for a connect, bytes to go out or in), else the verdict.
 */
static int
chk_tcpchk_verdict(struct chk *c, struct verdict *v)
{
	const struct g_backend *be = c->be;

	while (c->step < be->ntcpchk) {
		const struct g_tcpchk *r = &be->tcpchk[c->step];
		bool m;

		switch (r->act) {
		case TCPCHK_CONNECT:
			return V_MORE;	/* chk_run() reconnects */
		case TCPCHK_SEND:
			if (c->ooff < c->olen)
				return V_MORE;
			if (r->len > sizeof(c->obuf)) {
				v->status = CHK_ST_L7RSP;
				snprintf(v->why, sizeof(v->why), "tcp-check "
				    "send: more than %zu bytes",
				    sizeof(c->obuf));
				return V_FAIL;
			}
			memcpy(c->obuf, r->data, r->len);
			c->olen = r->len;
			c->ooff = 0;
			c->step++;
			return V_MORE;
		case TCPCHK_EXPECT_STRING:
		case TCPCHK_EXPECT_RSTRING:
			if (c->ooff < c->olen)
				return V_MORE;
			c->rbuf[c->rlen] = '\0';
			m = r->act == TCPCHK_EXPECT_STRING ?
			    chk_memmem(c->rbuf, c->rlen, r->data, r->len) !=
			    NULL : chk_regex(r->data, c->rbuf);
			if (!m && !r->neg && !c->eof && c->rlen < CHK_RBUF)
				return V_MORE;
			if (r->neg && !c->eof && c->rlen < CHK_RBUF && !m)
				return V_MORE;	/* absent so far */
			if (m == r->neg) {
				v->status = CHK_ST_L7RSP;
				snprintf(v->why, sizeof(v->why), "tcp-check "
				    "rule %u: '%s' %s", c->step + 1, r->data,
				    r->neg ? "was found" : "was not found");
				return V_FAIL;
			}
			c->rlen = 0;
			c->step++;
			break;
		}
	}
	v->status = CHK_ST_L6OK;
	snprintf(v->why, sizeof(v->why), "%u tcp-check rules passed",
	    be->ntcpchk);
	return V_PASS;
}

static int
chk_verdict(struct chk *c, struct verdict *v)
{
	switch (c->be->chk) {
	case CHK_HTTP:
		return chk_http_verdict(c, v);
	case CHK_MYSQL:
		return chk_mysql_verdict(c, v);
	case CHK_PGSQL:
		return chk_pgsql_verdict(c, v);
	case CHK_REDIS:
		return chk_redis_verdict(c, v);
	case CHK_TCPCHK:
		return chk_tcpchk_verdict(c, v);
	case CHK_TCP:
	default:
		v->status = CHK_ST_L4OK;
		snprintf(v->why, sizeof(v->why), "TCP connect");
		return V_PASS;
	}
}

/* ---- running a check --------------------------------------------------- */

static void
chk_want(struct chk *c, short what, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
		(suseconds_t)((ms % 1000) * 1000) };

	if (c->iev_set)
		event_del(&c->iev);
	event_assign(&c->iev, c->w->base, c->fd, what, chk_on_io, c);
	c->iev_set = true;
	event_add(&c->iev, &tv);
}

/* Connect to the check address, or to port on it (tcp-check connect). */
static void
chk_connect(struct chk *c, unsigned port)
{
	struct conf_addr a = c->srv->check_addr;
	char at[80];

	if (c->fd >= 0) {
		if (c->iev_set) {
			event_del(&c->iev);
			c->iev_set = false;
		}
		chk_tls_free(c);
		close(c->fd);
	}
	if (port != 0)
		val_addr_set_port(&a, port);
	c->fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		chk_fail(c, CHK_ST_L4CON, "cannot make a socket: %s",
		    strerror(errno));
		return;
	}
	c->phase = CP_CONNECTING;
	c->eof = false;
	c->rlen = 0;
	if (connect(c->fd, (const struct sockaddr *)&a.ss, a.len) == 0 ||
	    errno == EINPROGRESS) {
		chk_want(c, EV_WRITE, c->be->px.timeout_ms[TO_CONNECT]);
		return;
	}
	chk_fail(c, CHK_ST_L4CON, "cannot connect to %s: %s",
	    val_addr_str(&a, at, sizeof(at)), strerror(errno));
}

static void
chk_start(struct chk *c)
{
	const struct g_backend *be = c->be;

	c->start_ms = chk_now_ms();
	c->step = 0;
	c->stage = 0;
	c->olen = c->ooff = c->rlen = 0;
	if ((c->rbuf = malloc(CHK_RBUF + 1)) == NULL) {
		chk_fail(c, CHK_ST_L4CON, "out of memory");
		return;
	}
	if (be->chk == CHK_TCPCHK && be->ntcpchk > 0 &&
	    be->tcpchk[0].act == TCPCHK_CONNECT) {
		c->step = 1;
		chk_connect(c, be->tcpchk[0].port);
		return;
	}
	chk_connect(c, 0);
}

/* Connected: what the protocol sends first. */
static void
chk_connected(struct chk *c)
{
	c->phase = CP_RUNNING;
	c->olen = c->ooff = 0;
	switch (c->be->chk) {
	case CHK_HTTP:
		chk_http_request(c);
		break;
	case CHK_PGSQL:
		chk_pgsql_startup(c);
		break;
	case CHK_REDIS:
		memcpy(c->obuf, "PING\r\n", 6);
		c->olen = 6;
		break;
	default:
		break;
	}
	chk_run(c);
}

/*
 * What an SSL_read or SSL_write that returned n <= 0 means: 0 at the end
 * of the stream, else -1 with errno EAGAIN (wait for what *ev says) or
 * EPROTO (the connection failed; it closes quietly).
 */
static ssize_t
chk_tls_result(struct chk *c, int n, short *ev)
{
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_WANT_READ:
		*ev = EV_READ;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*ev = EV_WRITE;
		errno = EAGAIN;
		return -1;
	default:
		SSL_set_quiet_shutdown(c->ssl, 1);
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

/*
 * Bytes over TLS when the check has it, else over the socket: > 0 bytes,
 * 0 at the end, -1 with errno EAGAIN (wait for what *ev says) or another.
 */
static ssize_t
chk_send(struct chk *c, const char *p, size_t len, short *ev)
{
	int n;

	*ev = EV_WRITE;
	if (c->ssl == NULL)
		return send(c->fd, p, len, MSG_NOSIGNAL);
	ERR_clear_error();
	n = SSL_write(c->ssl, p, (int)len);
	return n > 0 ? n : chk_tls_result(c, n, ev);
}

static ssize_t
chk_recv(struct chk *c, char *p, size_t len, short *ev)
{
	int n;

	*ev = EV_READ;
	if (c->ssl == NULL)
		return recv(c->fd, p, len, 0);
	ERR_clear_error();
	n = SSL_read(c->ssl, p, (int)len);
	return n > 0 ? n : chk_tls_result(c, n, ev);
}

/* Send what waits, read what comes, decide, or wait for the socket. */
static void
chk_run(struct chk *c)
{
	struct verdict v = { CHK_ST_NONE, 0, "" };
	short ev;
	int r;

	for (;;) {
		while (c->ooff < c->olen) {
			ssize_t n = chk_send(c, c->obuf + c->ooff,
			    c->olen - c->ooff, &ev);

			if (n > 0) {
				c->ooff += (size_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				chk_want(c, ev, c->be->px.timeout_ms[TO_CHECK]);
				return;
			}
			chk_fail(c, CHK_ST_L7RSP, "cannot send the check: %s",
			    n < 0 ? strerror(errno) : "closed");
			return;
		}
		r = chk_verdict(c, &v);
		if (r != V_MORE) {
			chk_done(c, r, &v);
			return;
		}
		if (c->ooff < c->olen)
			continue;	/* the protocol has more to say */
		if (c->be->chk == CHK_TCPCHK && c->step < c->be->ntcpchk &&
		    c->be->tcpchk[c->step].act == TCPCHK_CONNECT) {
			chk_connect(c, c->be->tcpchk[c->step++].port);
			return;
		}
		if (c->eof || c->rlen >= CHK_RBUF) {
			/* every verdict decides at the end of the bytes */
			chk_fail(c, CHK_ST_L7RSP, "the answer ended early");
			return;
		}
		for (;;) {
			ssize_t n = chk_recv(c, c->rbuf + c->rlen,
			    CHK_RBUF - c->rlen, &ev);

			if (n > 0) {
				c->rlen += (size_t)n;
				break;
			}
			if (n == 0) {
				c->eof = true;
				break;
			}
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				chk_want(c, ev, c->be->px.timeout_ms[TO_CHECK]);
				return;
			}
			chk_fail(c, CHK_ST_L7RSP, "the connection failed: %s",
			    strerror(errno));
			return;
		}
	}
}

/* The TLS handshake of a check of an ssl server, then the protocol. */
static void
chk_handshake(struct chk *c)
{
	char why[256];
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		chk_connected(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		chk_want(c, EV_READ, c->be->px.timeout_ms[TO_CHECK]);
		return;
	case SSL_ERROR_WANT_WRITE:
		chk_want(c, EV_WRITE, c->be->px.timeout_ms[TO_CHECK]);
		return;
	default:
		(void)tls_error(c->ssl, r, why, sizeof(why));
		SSL_set_quiet_shutdown(c->ssl, 1);
		chk_fail(c, CHK_ST_L6RSP, "TLS handshake failed: %s", why);
		return;
	}
}

static void
chk_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct chk *c = arg;
	char at[80];

	c->iev_set = false;	/* not persistent: it fired */
	if (c->phase == CP_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (what & EV_TIMEOUT) {
			chk_fail(c, CHK_ST_L4TOUT, "connect timeout after "
			    "%llu ms", (unsigned long long)
			    c->be->px.timeout_ms[TO_CONNECT]);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			chk_fail(c, CHK_ST_L4CON, "cannot connect to %s: %s",
			    val_addr_str(&c->srv->check_addr, at, sizeof(at)),
			    strerror(err));
			return;
		}
		if (c->srv->tls != NULL && (c->ssl = tls_srv_check_ssl(
		    c->srv->tls, c->fd)) != NULL) {
			c->phase = CP_HANDSHAKE;
			chk_handshake(c);
			return;
		}
		chk_connected(c);
		return;
	}
	if (c->phase == CP_HANDSHAKE) {
		if (what & EV_TIMEOUT) {
			chk_fail(c, CHK_ST_L6TOUT, "no TLS handshake within "
			    "%llu ms", (unsigned long long)
			    c->be->px.timeout_ms[TO_CHECK]);
			return;
		}
		chk_handshake(c);
		return;
	}
	if (what & EV_TIMEOUT) {
		chk_fail(c, CHK_ST_L7TOUT, "no answer within %llu ms",
		    (unsigned long long)c->be->px.timeout_ms[TO_CHECK]);
		return;
	}
	chk_run(c);
}

static void
chk_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct chk *c = arg;

	if (c->phase != CP_IDLE)
		return;
	/* an operator's maintenance ('disabled' too) stops the checks */
	if (atomic_load(&c->st->admin) & SRV_ADM_MAINT) {
		chk_timer(c, c->srv->inter_ms);
		return;
	}
	chk_start(c);
}

/* ---- the worker's set of checks ---------------------------------------- */

void
check_sync(struct eng_worker *w)
{
	const struct graph *g = w->g;
	struct chk *c, *next;
	unsigned i, j;

	for (c = w->checks; c != NULL; c = c->next)
		c->seen = false;
	for (i = 0; g != NULL && i < g->nbackends; i++) {
		const struct g_backend *be = &g->backends[i];

		if (!be->has_checks)
			continue;
		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];

			if (!(s->flags & SRV_CHECK) || s->st == NULL ||
			    !chk_mine(w, s->st))
				continue;
			c = s->st->chk;
			if (c == NULL) {
				c = calloc(1, sizeof(*c));
				if (c == NULL)
					continue;
				c->w = w;
				c->st = s->st;
				c->fd = -1;
				evtimer_assign(&c->tev, w->base, chk_on_timer,
				    c);
				c->next = w->checks;
				if (w->checks != NULL)
					w->checks->prev = c;
				w->checks = c;
				s->st->chk = c;
				c->srv = s;
				c->be = be;
				/* spread the first checks over an interval */
				chk_timer(c, (uint64_t)rand() %
				    (s->inter_ms + 1));
			} else if (c->phase != CP_IDLE) {
				/* its settings may go with the old graph */
				chk_stop_io(c);
				chk_timer(c, 0);
			}
			c->srv = s;
			c->be = be;
			c->seen = true;
		}
	}
	for (c = w->checks; c != NULL; c = next) {
		next = c->next;
		if (c->seen)
			continue;
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			w->checks = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		chk_free(c);
	}
}

void
check_worker_cleanup(struct eng_worker *w)
{
	struct chk *c, *next;

	for (c = w->checks; c != NULL; c = next) {
		next = c->next;
		chk_free(c);
	}
	w->checks = NULL;
}

/* ---- what real traffic tells ------------------------------------------- */

void
check_took(const struct g_server *s)
{
	if (s->st != NULL &&
	    atomic_load_explicit(&s->st->breaker, memory_order_relaxed) ==
	    SRV_BRK_HALF_OPEN)
		atomic_fetch_add(&s->st->brk_probes, 1);
}

/* Open the breaker: no request for cooldown. */
static void
chk_break(const struct g_server *s, unsigned from, const char *why)
{
	struct state_server *st = s->st;
	unsigned expect = from;

	atomic_store(&st->brk_until, chk_coarse_ms() + s->cooldown_ms);
	if (!atomic_compare_exchange_strong(&st->breaker, &expect,
	    SRV_BRK_OPEN))
		return;
	fprintf(stderr, "weir: server %s/%s: circuit breaker open for "
	    "%llu ms: %s\n", s->be->px.name, s->name,
	    (unsigned long long)s->cooldown_ms, why);
}

void
check_report(const struct g_server *s, enum chk_obs what)
{
	struct state_server *st = s->st;
	unsigned n, brk;
	bool failed;

	if (st == NULL || s->observe == OBSERVE_NONE)
		return;
	failed = what != CHK_OBS_OK &&
	    (s->observe == OBSERVE_LAYER7 || what == CHK_OBS_CONN_ERR ||
	    what == CHK_OBS_TIMEOUT);
	brk = atomic_load_explicit(&st->breaker, memory_order_relaxed);
	if (!failed) {
		if (atomic_load_explicit(&st->errors, memory_order_relaxed))
			atomic_store_explicit(&st->errors, 0,
			    memory_order_relaxed);
		if (brk == SRV_BRK_HALF_OPEN &&
		    atomic_fetch_add(&st->brk_ok, 1) + 1 >= s->half_open) {
			unsigned expect = SRV_BRK_HALF_OPEN;

			if (atomic_compare_exchange_strong(&st->breaker,
			    &expect, SRV_BRK_CLOSED))
				fprintf(stderr, "weir: server %s/%s: circuit "
				    "breaker closed: %u probe request%s "
				    "succeeded\n", s->be->px.name, s->name,
				    s->half_open, s->half_open == 1 ? "" : "s");
		}
		return;
	}
	if (brk == SRV_BRK_HALF_OPEN) {
		chk_break(s, SRV_BRK_HALF_OPEN, "a probe request failed");
		return;
	}
	n = atomic_fetch_add(&st->errors, 1) + 1;
	if (n < s->error_limit)
		return;
	atomic_store(&st->errors, 0);
	switch (s->on_error) {
	case ON_ERROR_FASTINTER:
		atomic_store(&st->chk_fast, true);
		break;
	case ON_ERROR_FAIL_CHECK:
		atomic_store(&st->chk_fast, true);
		atomic_fetch_add(&st->chk_inject, 1);
		break;
	case ON_ERROR_SUDDEN_DEATH:
		/* one more failed check and it is down */
		atomic_store(&st->chk_fast, true);
		if (s->fall > 1 &&
		    atomic_load(&st->chk_fail) + 1 < s->fall - 1)
			atomic_store(&st->chk_inject,
			    s->fall - 1 - atomic_load(&st->chk_fail));
		break;
	case ON_ERROR_MARK_DOWN: {
		char why[96];

		atomic_store(&st->chk_fast, true);
		atomic_store(&st->chk_ok, 0);
		atomic_store(&st->chk_fail, s->fall);
		snprintf(why, sizeof(why), "%u consecutive errors on real "
		    "traffic", s->error_limit);
		chk_set_health(s, st, SRV_H_DOWN, why);
		break;
	}
	case ON_ERROR_CIRCUIT_BREAK: {
		char why[96];

		snprintf(why, sizeof(why), "%u consecutive errors on real "
		    "traffic", s->error_limit);
		chk_break(s, SRV_BRK_CLOSED, why);
		break;
	}
	}
}
