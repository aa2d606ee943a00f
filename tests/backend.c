/*
 * backend: the server the integration tests put behind weir. One process,
 * one libevent loop, 127.0.0.1 only.
 *
 * HTTP mode answers by path and query string (see usage()); TCP mode
 * echoes bytes. Each HTTP request is logged to stderr as
 * "NAME METHOD TARGET STATUS" once it has been read in full, before any
 * delay, so a test can tell whether a request got here at all.
 *
 * The request parser is strict (RFC 9112): what weir forwards wrongly
 * should fail here loudly, with a 400 that names the reason, rather than
 * be guessed at. Malformed input never ends the process.
 */
#define _POSIX_C_SOURCE 200809L	/* getopt, strcasecmp under -std=c11 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/evp.h>

#define MAX_HEAD_BYTES		65536	/* request line and fields */
#define MAX_HDRS		128
#define MAX_LINE_BYTES		4096	/* chunk-size or trailer line */
#define MAX_TRAILER_BYTES	65536
#define MAX_KEEP_BYTES		(128 * 1024 * 1024)	/* /body */
#define MAX_DELAY_MS		600000
#define MAX_SIZE_BYTES		(UINT64_C(1) << 40)	/* ?size= */
#define IN_HIGH_BYTES		(1024 * 1024)
#define OUT_HIGH_BYTES		(1024 * 1024)
#define PIECE_BYTES		65536	/* bytes moved per step */
#define MAX_CHUNK_BYTES		16384	/* ?chunked=1 chunk size */
#define PATTERN_BYTES		16384	/* a multiple of 16 */
#define LINGER_MS		1000
#define WS_GUID			"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* A step of a connection: go on, wait for an event, or the conn is freed. */
#define CONN_GONE	-1
#define CONN_WAIT	0
#define CONN_MORE	1

enum mode {
	MODE_HTTP = 0,
	MODE_TCP,
};

enum conn_state {
	CONN_HEAD = 0,	/* waiting for a request head */
	CONN_BODY,	/* reading a request body */
	CONN_DELAY,	/* ?delay: the answer waits for the timer */
	CONN_SEND,	/* writing a response body */
	CONN_HANG,	/* ?hang=1: no answer, ever */
	CONN_WS,	/* echoing WebSocket frames */
	CONN_CLOSING,	/* flushing the last bytes */
	CONN_LINGER,	/* write side shut, draining input */
	CONN_TCP,	/* -m tcp echo */
};

enum body_state {
	BODY_DONE = 0,
	BODY_LENGTH,		/* Content-Length bytes left */
	BODY_CHUNK_SIZE,	/* expecting chunk-size [chunk-ext] CRLF */
	BODY_CHUNK_DATA,	/* chunk-data bytes left */
	BODY_CHUNK_END,		/* expecting the CRLF after chunk-data */
	BODY_TRAILER,		/* trailer fields until an empty line */
};

enum route {
	ROUTE_DEFAULT = 0,
	ROUTE_ECHO,
	ROUTE_BODY,
	ROUTE_HEALTH,
	ROUTE_ADMIN_HEALTH,
	ROUTE_ADMIN_STATUS,
};

struct srv {
	struct event_base	*base;
	const char		*name;
	const char		*banner;	/* tcp mode, or NULL */
	enum mode		 mode;
	unsigned long		 nconn;		/* accepted so far */
	int			 health;	/* what /health answers */
	int			 status;	/* what other paths answer */
	char			 pattern[PATTERN_BYTES];
	TAILQ_HEAD(, conn)	 conns;
};

struct hdr {
	const char	*name;
	const char	*value;
};

/* One request; zeroed (plus the -1 fields) between requests. */
struct req {
	char		*head;		/* NUL-split copy of the head */
	const char	*method;
	const char	*target;
	const char	*version;
	const char	*path;		/* of the target, not NUL-ended */
	size_t		 path_len;
	int		 minor;		/* HTTP/1.minor */
	struct hdr	 hdrs[MAX_HDRS];
	size_t		 nhdr;
	int		 keep_alive;
	int		 expect_continue;

	enum body_state	 bstate;
	uint64_t	 left;		/* of the body or of the chunk */
	uint64_t	 body_len;
	size_t		 trailer_bytes;
	size_t		 ntrl;		/* pairs in trl */

	enum route	 route;
	int		 hash;		/* feed the body to md */
	int		 keep;		/* keep the body in c->body */
	int		 q_status;	/* -1: none */
	int64_t		 q_delay_ms;	/* -1: none */
	int64_t		 q_size;	/* -1: none */
	int		 q_chunked;
	int		 q_close;	/* -1: none, 0: no answer, 1: cut */
	int		 q_hang;
	int		 q_eof;		/* body ends at connection close */
	int		 q_echo;
	int		 q_setcookie;	/* answer with Set-Cookie: sid=... */
};

/* The response being written. */
struct resp {
	int		 status;
	const char	*ctype;
	struct evbuffer	*body;		/* fixed body, or NULL: pattern */
	uint64_t	 total;		/* body bytes */
	uint64_t	 sent;		/* body bytes written */
	uint64_t	 stop;		/* write this many, then cut */
	size_t		 chunk;		/* chunk size when chunked */
	int		 chunked;
	int		 nobody;	/* HEAD, 204, 304 */
	int		 nolength;	/* ?eof=1 */
	int		 cut;		/* ?close=1 */
	int		 close;		/* close once written */
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct srv		*srv;
	struct bufferevent	*bev;
	struct event		*timer;		/* delay, then linger */
	enum conn_state		 state;
	char			 peer[64];
	unsigned long		 nreq;		/* requests seen here */
	int			 eof;		/* client sent FIN */
	struct req		 req;
	struct resp		 resp;
	struct evbuffer		*body;		/* kept request body */
	struct evbuffer		*trl;		/* trailers: name\0value\0 */
	EVP_MD_CTX		*md;
	uint64_t		 tcp_bytes;

	/* WebSocket data frame being echoed */
	uint64_t		 ws_left;
	unsigned char		 ws_mask[4];
	size_t			 ws_moff;
};

static void	usage(FILE *);
static int	dec_parse(const char *, size_t, uint64_t, uint64_t *);
static int	ready_write(const char *, unsigned);
static void	accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	accept_error_cb(struct evconnlistener *, void *);
static void	signal_cb(evutil_socket_t, short, void *);
static struct conn *conn_new(struct srv *, evutil_socket_t,
		    struct sockaddr *);
static int	conn_free(struct conn *);
static int	conn_close(struct conn *);
static int	conn_linger(struct conn *);
static int	conn_run(struct conn *);
static void	conn_timer_cb(evutil_socket_t, short, void *);
static void	http_read_cb(struct bufferevent *, void *);
static void	http_write_cb(struct bufferevent *, void *);
static void	http_event_cb(struct bufferevent *, short, void *);
static void	req_reset(struct conn *);
static int	head_read(struct conn *);
static int	head_parse(struct conn *, size_t);
static const char *req_framing(struct req *, int *);
static const char *query_parse(struct req *);
static int	body_read(struct conn *);
static int	body_take(struct conn *, uint64_t);
static int	line_take(struct evbuffer *, char *, size_t);
static int	chunk_size_parse(const char *, uint64_t *);
static const char *field_parse(char *, const char **, const char **);
static int	req_done(struct conn *);
static int	resp_go(struct conn *);
static int	resp_build(struct conn *);
static int	resp_start(struct conn *);
static int	resp_pump(struct conn *);
static int	resp_done(struct conn *);
static void	resp_head(struct conn *);
static int	http_error(struct conn *, int, const char *);
static void	echo_json(struct conn *, struct evbuffer *);
static void	json_str(struct evbuffer *, const char *, size_t);
static void	log_req(struct conn *, const char *);
static const char *reason_str(int);
static const struct hdr *hdr_find(const struct req *, const char *);
static int	hdr_has_token(const struct req *, const char *,
		    const char *);
static int	list_next(const char **, const char **, size_t *);
static int	is_tchar(int);
static int	ws_upgrade(struct conn *);
static int	ws_run(struct conn *);
static int	ws_control(struct conn *, unsigned char, size_t);
static int	ws_fail(struct conn *, unsigned);
static void	ws_frame_head(struct evbuffer *, unsigned char, uint64_t);
static void	tcp_read_cb(struct bufferevent *, void *);
static void	tcp_write_cb(struct bufferevent *, void *);
static void	tcp_event_cb(struct bufferevent *, short, void *);
static int	tcp_finish(struct conn *);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: backend -p PORT [-n NAME] [-m http|tcp] [-r READYFILE]"
	    " [-b BANNER]\n"
	    "       backend -h\n"
	    "\n"
	    "  -p PORT   listen on 127.0.0.1:PORT (0: any free port)\n"
	    "  -n NAME   name in X-Backend, bodies and logs (default"
	    " backend)\n"
	    "  -m MODE   http (default) or tcp (echo)\n"
	    "  -r FILE   once listening, write the port into FILE\n"
	    "  -b TEXT   tcp mode: send TEXT and a newline on connect\n"
	    "\n"
	    "HTTP paths: / (NAME), /echo (request as JSON), /body (echoes"
	    " the body),\n"
	    "/health, /admin/health?status=N (what /health answers),\n"
	    "/admin/status?status=N (what other paths answer). Query:"
	    " status=N delay=MS"
	    " size=N\n"
	    "chunked=1 close=0|1 hang=1 eof=1 echo=1 setcookie=1.\n");
}

/*
 * Parses len decimal digits at s, at most max. Returns 0 and sets *v, or
 * -1 on anything else (empty, sign, junk, overflow).
 */
static int
dec_parse(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0 || len > 19)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n > max)
		return -1;
	*v = n;
	return 0;
}

/*
 * Writes "PORT\n" to path through a temporary file and a rename, so a
 * reader sees the whole number or no file. Returns 0 or -1 (reported).
 */
static int
ready_write(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;
	int rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "backend: %s: path too long\n", path);
		return -1;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "backend: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
		fprintf(stderr, "backend: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "backend: %s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		unlink(tmp);
	return rc;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct srv *srv = arg;
	struct conn *c;
	int one = 1;

	/* whole responses go out in one write; Nagle would only delay them */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	srv->nconn++;
	if ((c = conn_new(srv, fd, sa)) == NULL) {
		fprintf(stderr, "backend: out of memory\n");
		evutil_closesocket(fd);
		return;
	}
	if (srv->mode == MODE_TCP) {
		fprintf(stderr, "%s TCP %s open\n", srv->name, c->peer);
		if (srv->banner != NULL)
			evbuffer_add_printf(bufferevent_get_output(c->bev),
			    "%s\n", srv->banner);
	}
}

static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	fprintf(stderr, "backend: accept: %s\n", strerror(errno));
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

/*
 * Wraps the accepted socket fd in a connection of srv's mode. Returns the
 * connection, listed in srv->conns and owning fd, or NULL with fd left
 * open.
 */
static struct conn *
conn_new(struct srv *srv, evutil_socket_t fd, struct sockaddr *sa)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	struct conn *c;
	char addr[INET_ADDRSTRLEN] = "?";

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->srv = srv;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	snprintf(c->peer, sizeof(c->peer), "%s:%u", addr,
	    (unsigned)ntohs(sin->sin_port));
	c->timer = evtimer_new(srv->base, conn_timer_cb, c);
	c->body = evbuffer_new();
	c->trl = evbuffer_new();
	c->md = EVP_MD_CTX_new();
	/* last: from here on bufferevent_free() closes fd */
	if (c->timer == NULL || c->body == NULL || c->trl == NULL ||
	    c->md == NULL || (c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		goto fail;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	if (srv->mode == MODE_TCP) {
		c->state = CONN_TCP;
		bufferevent_setcb(c->bev, tcp_read_cb, tcp_write_cb,
		    tcp_event_cb, c);
	} else {
		req_reset(c);
		bufferevent_setcb(c->bev, http_read_cb, http_write_cb,
		    http_event_cb, c);
	}
	bufferevent_setwatermark(c->bev, EV_READ, 0, IN_HIGH_BYTES);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
fail:
	EVP_MD_CTX_free(c->md);
	if (c->trl != NULL)
		evbuffer_free(c->trl);
	if (c->body != NULL)
		evbuffer_free(c->body);
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
	return NULL;
}

/*
 * Frees c and closes its socket at once, whatever is still unwritten.
 * Returns CONN_GONE.
 */
static int
conn_free(struct conn *c)
{
	TAILQ_REMOVE(&c->srv->conns, c, entry);
	bufferevent_free(c->bev);
	event_free(c->timer);
	free(c->req.head);
	if (c->resp.body != NULL)
		evbuffer_free(c->resp.body);
	evbuffer_free(c->body);
	evbuffer_free(c->trl);
	EVP_MD_CTX_free(c->md);
	free(c);
	return CONN_GONE;
}

/*
 * Ends c once its output is written; input is read and dropped meanwhile.
 * Returns CONN_GONE or CONN_WAIT.
 */
static int
conn_close(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	c->state = CONN_CLOSING;
	evtimer_del(c->timer);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		return conn_linger(c);
	return CONN_WAIT;
}

/*
 * Sends FIN, then reads and drops input until the client's FIN or
 * LINGER_MS: closing with unread input would send a reset, which may
 * destroy the response before the client has read it.
 * Returns CONN_GONE or CONN_WAIT.
 */
static int
conn_linger(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct timeval tv = { LINGER_MS / 1000, (LINGER_MS % 1000) * 1000 };

	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	if (c->eof)
		return conn_free(c);
	c->state = CONN_LINGER;
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_enable(c->bev, EV_READ);
	evtimer_add(c->timer, &tv);
	return CONN_WAIT;
}

/*
 * Handles what the input holds for the parsing states, in order, one
 * request at a time: pipelined requests wait in the input until the
 * answer before them has been queued. Returns CONN_GONE or CONN_WAIT.
 */
static int
conn_run(struct conn *c)
{
	int r = CONN_MORE;

	while (r == CONN_MORE) {
		switch (c->state) {
		case CONN_HEAD:
			/* answers wait for the client to read the last ones */
			if (evbuffer_get_length(bufferevent_get_output(
			    c->bev)) >= OUT_HIGH_BYTES)
				return CONN_WAIT;
			r = head_read(c);
			break;
		case CONN_BODY:
			r = body_read(c);
			break;
		case CONN_WS:
			r = ws_run(c);
			break;
		default:
			return CONN_WAIT;
		}
	}
	return r;
}

static void
conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_LINGER)
		conn_free(c);
	else if (c->state == CONN_DELAY && resp_go(c) == CONN_MORE)
		conn_run(c);
}

static void
http_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (c->state == CONN_CLOSING || c->state == CONN_LINGER)
		evbuffer_drain(in, evbuffer_get_length(in));
	else
		conn_run(c);
}

/* The output is empty (the low watermark is 0). */
static void
http_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	switch (c->state) {
	case CONN_SEND:
		if (resp_pump(c) == CONN_MORE)
			conn_run(c);
		break;
	case CONN_CLOSING:
		conn_linger(c);
		break;
	case CONN_HEAD:
	case CONN_WS:
		conn_run(c);
		break;
	default:
		break;
	}
}

static void
http_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_ERROR) {
		conn_free(c);
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	/* a half-close still gets the answers to what came before it */
	c->eof = 1;
	switch (c->state) {
	case CONN_HEAD:
	case CONN_BODY:
	case CONN_WS:
		conn_run(c);
		break;
	case CONN_DELAY:
	case CONN_SEND:
		c->resp.close = 1;
		break;
	case CONN_HANG:
		conn_close(c);
		break;
	case CONN_CLOSING:
		break;
	default:
		conn_free(c);
		break;
	}
}

/* Makes c ready for its next request. */
static void
req_reset(struct conn *c)
{
	struct req *r = &c->req;

	free(r->head);
	memset(r, 0, sizeof(*r));
	r->q_status = -1;
	r->q_delay_ms = -1;
	r->q_size = -1;
	r->q_close = -1;
	evbuffer_drain(c->body, evbuffer_get_length(c->body));
	evbuffer_drain(c->trl, evbuffer_get_length(c->trl));
	if (c->resp.body != NULL)
		evbuffer_free(c->resp.body);
	memset(&c->resp, 0, sizeof(c->resp));
}

/*
 * Takes a whole request head off the input. Returns CONN_MORE (parsed,
 * state is CONN_BODY), CONN_WAIT (need more) or CONN_GONE.
 */
static int
head_read(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr p;
	unsigned char crlf[2], *buf, *lf;
	size_t len, n;

	/* RFC 9112 2.2: empty lines before a request-line are ignored */
	while (evbuffer_copyout(in, crlf, 2) == 2 && crlf[0] == '\r' &&
	    crlf[1] == '\n')
		evbuffer_drain(in, 2);
	if ((len = evbuffer_get_length(in)) == 0)
		return c->eof ? conn_close(c) : CONN_WAIT;
	p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	n = p.pos >= 0 ? (size_t)p.pos + 4 : len;
	if (n > MAX_HEAD_BYTES)
		n = MAX_HEAD_BYTES;
	/* without this, a bare-LF request would wait for its CRLF CRLF */
	buf = evbuffer_pullup(in, (ev_ssize_t)n);
	for (lf = buf; (lf = memchr(lf, '\n', n - (size_t)(lf - buf))) !=
	    NULL; lf++)
		if (lf == buf || lf[-1] != '\r') {
			c->nreq++;
			return http_error(c, 400, "bare LF (RFC 9112 2.2)");
		}
	if (p.pos < 0 || (size_t)p.pos + 4 > MAX_HEAD_BYTES) {
		if (len >= MAX_HEAD_BYTES) {
			c->nreq++;
			return http_error(c, 431, "request head too large");
		}
		if (c->eof) {
			c->nreq++;
			return http_error(c, 400, "request head cut short");
		}
		return CONN_WAIT;
	}
	len = (size_t)p.pos + 4;
	c->nreq++;
	if ((c->req.head = malloc(len + 1)) == NULL)
		return http_error(c, 500, "out of memory");
	evbuffer_remove(in, c->req.head, len);
	c->req.head[len] = '\0';
	return head_parse(c, len);
}

static int
is_tchar(int ch)
{
	/* RFC 9110 5.6.2 */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * Splits a field line in place into name and value (OWS trimmed).
 * Returns NULL, or why the line is invalid.
 */
static const char *
field_parse(char *line, const char **name, const char **value)
{
	unsigned char *v, *e;
	char *colon, *p;

	if (*line == ' ' || *line == '\t')
		return "obs-fold line (RFC 9112 5.2)";
	if ((colon = strchr(line, ':')) == NULL)
		return "field line without a colon (RFC 9112 5)";
	*colon = '\0';
	if (*line == '\0')
		return "empty field name (RFC 9112 5)";
	for (p = line; *p != '\0'; p++)
		if (!is_tchar((unsigned char)*p))
			return "bad character in field name, or space before"
			    " the colon (RFC 9112 5.1)";
	v = (unsigned char *)colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	e = v + strlen((char *)v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	for (p = (char *)v; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return "control character in field value (RFC 9110"
			    " 5.5)";
	*name = line;
	*value = (const char *)v;
	return NULL;
}

/*
 * Parses the head copied into c->req.head (len bytes, ending in CRLF CRLF)
 * and decides framing and route. Returns CONN_MORE (state CONN_BODY), or
 * what http_error() returns.
 */
static int
head_parse(struct conn *c, size_t len)
{
	struct req *r = &c->req;
	char *p = r->head, *end = r->head + len, *eol, *sp, *t;
	const char *why, *name, *value;
	const struct hdr *h;
	size_t nhost = 0;
	int status = 400;

	for (;;) {
		eol = memchr(p, '\r', (size_t)(end - p));
		if (eol[1] != '\n') {
			why = "bare CR (RFC 9112 2.2)";
			goto bad;
		}
		*eol = '\0';
		if (strlen(p) != (size_t)(eol - p)) {
			why = "NUL in the head";
			goto bad;
		}
		if (eol == p)
			break;
		if (r->method == NULL) {
			/* request-line = method SP request-target SP version */
			r->method = p;
			if ((sp = strchr(p, ' ')) == NULL || sp == p)
				goto bad_line;
			*sp = '\0';
			for (t = p; *t != '\0'; t++)
				if (!is_tchar((unsigned char)*t))
					goto bad_line;
			r->target = t = sp + 1;
			if ((sp = strchr(t, ' ')) == NULL || sp == t)
				goto bad_line;
			*sp = '\0';
			for (; *t != '\0'; t++)
				if ((unsigned char)*t <= 0x20 ||
				    (unsigned char)*t >= 0x7f)
					goto bad_line;
			r->version = sp + 1;
			if (strcmp(r->version, "HTTP/1.1") == 0)
				r->minor = 1;
			else if (strcmp(r->version, "HTTP/1.0") == 0)
				r->minor = 0;
			else if (strncmp(r->version, "HTTP/", 5) == 0 &&
			    isdigit((unsigned char)r->version[5]) &&
			    r->version[6] == '.' &&
			    isdigit((unsigned char)r->version[7]) &&
			    r->version[8] == '\0') {
				status = 505;
				why = "HTTP version not supported";
				goto bad;
			} else
				goto bad_line;
		} else {
			if ((why = field_parse(p, &name, &value)) != NULL)
				goto bad;
			if (r->nhdr == MAX_HDRS) {
				status = 431;
				why = "too many header fields";
				goto bad;
			}
			r->hdrs[r->nhdr].name = name;
			r->hdrs[r->nhdr].value = value;
			r->nhdr++;
			if (strcasecmp(name, "host") == 0)
				nhost++;
		}
		p = eol + 2;
	}

	/* RFC 9112 3.2 */
	if ((r->minor == 1 && nhost != 1) || nhost > 1) {
		why = "HTTP/1.1 needs exactly one Host (RFC 9112 3.2)";
		goto bad;
	}
	if ((why = req_framing(r, &status)) != NULL)
		goto bad;
	if ((why = query_parse(r)) != NULL)
		goto bad;
	if (strcmp(r->method, "CONNECT") == 0) {
		status = 405;
		why = "CONNECT is not supported";
		goto bad;
	}
	if ((h = hdr_find(r, "expect")) != NULL) {
		/* RFC 9110 10.1.1: HTTP/1.0 expectations are ignored */
		if (strcasecmp(h->value, "100-continue") != 0) {
			status = 417;
			why = "unsupported expectation";
			goto bad;
		}
		r->expect_continue = r->minor == 1;
	}
	if (r->minor == 1)
		r->keep_alive = !hdr_has_token(r, "connection", "close");
	else
		r->keep_alive = hdr_has_token(r, "connection", "keep-alive") &&
		    !hdr_has_token(r, "connection", "close");

	r->hash = r->route == ROUTE_ECHO || r->q_echo;
	r->keep = r->route == ROUTE_BODY && !r->hash;
	if (r->keep && r->bstate == BODY_LENGTH && r->left > MAX_KEEP_BYTES) {
		status = 413;
		why = "body too large for /body";
		goto bad;
	}
	if (r->hash)
		EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
	if (r->expect_continue && r->bstate != BODY_DONE)
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
	c->state = CONN_BODY;
	return CONN_MORE;
bad_line:
	/* the log shows no unchecked bytes */
	r->method = r->target = NULL;
	why = "bad request-line (RFC 9112 3)";
bad:
	return http_error(c, status, why);
}

/*
 * Reads the body framing of r from its fields (RFC 9112 6.3) and sets
 * bstate and left. Returns NULL, or why (and *status) the request is
 * refused: every ambiguity is an error here.
 */
static const char *
req_framing(struct req *r, int *status)
{
	const char *p, *tok;
	size_t i, len;
	uint64_t n, cl = 0;
	int has_cl = 0, has_te = 0, chunked = 0, last_chunked = 0;
	int other = 0;

	for (i = 0; i < r->nhdr; i++) {
		p = r->hdrs[i].value;
		if (strcasecmp(r->hdrs[i].name, "content-length") == 0) {
			if (*p == '\0')
				return "empty Content-Length (RFC 9112 6.3)";
			while (list_next(&p, &tok, &len)) {
				if (dec_parse(tok, len, UINT64_C(1) << 62,
				    &n) == -1)
					return "bad Content-Length (RFC 9112"
					    " 6.3)";
				if (has_cl && n != cl)
					return "conflicting Content-Length"
					    " values (RFC 9112 6.3)";
				has_cl = 1;
				cl = n;
			}
		} else if (strcasecmp(r->hdrs[i].name,
		    "transfer-encoding") == 0) {
			has_te = 1;
			while (list_next(&p, &tok, &len)) {
				if (len == 7 &&
				    strncasecmp(tok, "chunked", 7) == 0) {
					if (chunked)
						return "chunked applied twice"
						    " (RFC 9112 7)";
					chunked = last_chunked = 1;
				} else {
					other = 1;
					last_chunked = 0;
				}
			}
		}
	}
	if (has_te) {
		if (r->minor == 0)
			return "Transfer-Encoding in an HTTP/1.0 request"
			    " (RFC 9112 6.1)";
		if (has_cl)
			return "both Transfer-Encoding and Content-Length"
			    " (RFC 9112 6.3)";
		if (!last_chunked)
			return "chunked is not the final transfer coding"
			    " (RFC 9112 6.3)";
		if (other) {
			*status = 501;
			return "transfer coding other than chunked";
		}
		r->bstate = BODY_CHUNK_SIZE;
	} else if (has_cl && cl > 0) {
		r->bstate = BODY_LENGTH;
		r->left = cl;
	} else
		r->bstate = BODY_DONE;
	return NULL;
}

/*
 * Finds the path and query of r->target and reads the parameters this
 * server knows; others are ignored. Returns NULL, or why it is refused.
 */
static const char *
query_parse(struct req *r)
{
	static const struct {
		const char	*name;
		uint64_t	 max;
	} keys[] = {
		{ "status", 599 },
		{ "delay", MAX_DELAY_MS },
		{ "size", MAX_SIZE_BYTES },
		{ "chunked", 1 },
		{ "close", 1 },
		{ "hang", 1 },
		{ "eof", 1 },
		{ "echo", 1 },
		{ "setcookie", 1 },
	};
	const char *p, *s, *amp, *eq;
	size_t i, klen;
	uint64_t v;

	p = r->target;
	if (strncasecmp(p, "http://", 7) == 0 ||
	    strncasecmp(p, "https://", 8) == 0) {
		/* absolute-form: the path follows the authority */
		p = strstr(p, "://") + 3;
		p += strcspn(p, "/?");
	}
	if (*p == '/') {
		r->path = p;
		r->path_len = strcspn(p, "?");
	} else {
		r->path = *p == '?' ? "/" : p;
		r->path_len = *p == '?' ? 1 : strcspn(p, "?");
	}
	if (r->path_len == 5 && strncmp(r->path, "/echo", 5) == 0)
		r->route = ROUTE_ECHO;
	else if (r->path_len == 5 && strncmp(r->path, "/body", 5) == 0)
		r->route = ROUTE_BODY;
	else if (r->path_len == 7 && strncmp(r->path, "/health", 7) == 0)
		r->route = ROUTE_HEALTH;
	else if (r->path_len == 13 &&
	    strncmp(r->path, "/admin/health", 13) == 0)
		r->route = ROUTE_ADMIN_HEALTH;
	else if (r->path_len == 13 &&
	    strncmp(r->path, "/admin/status", 13) == 0)
		r->route = ROUTE_ADMIN_STATUS;

	if ((s = strchr(r->target, '?')) == NULL)
		return NULL;
	for (s++; *s != '\0'; s = *amp == '&' ? amp + 1 : amp) {
		amp = s + strcspn(s, "&");
		eq = memchr(s, '=', (size_t)(amp - s));
		klen = (size_t)((eq != NULL ? eq : amp) - s);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i].name) == klen &&
			    strncmp(keys[i].name, s, klen) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			continue;
		if (eq == NULL || dec_parse(eq + 1, (size_t)(amp - eq - 1),
		    keys[i].max, &v) == -1)
			return "bad query parameter value";
		switch (i) {
		case 0:
			if (v < 200)
				return "status must be 200..599";
			r->q_status = (int)v;
			break;
		case 1:
			r->q_delay_ms = (int64_t)v;
			break;
		case 2:
			r->q_size = (int64_t)v;
			break;
		case 3:
			r->q_chunked = (int)v;
			break;
		case 4:
			r->q_close = (int)v;
			break;
		case 5:
			r->q_hang = (int)v;
			break;
		case 6:
			r->q_eof = (int)v;
			break;
		case 7:
			r->q_echo = (int)v;
			break;
		default:
			r->q_setcookie = (int)v;
			break;
		}
	}
	return NULL;
}

/*
 * Reads the request body as framed, decoding chunks; the body is hashed,
 * kept or dropped. Returns what req_done() returns once it is all read,
 * else CONN_WAIT or CONN_GONE.
 */
static int
body_read(struct conn *c)
{
	struct req *r = &c->req;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char line[MAX_LINE_BYTES];
	unsigned char crlf[2];
	const char *why, *name, *value;
	uint64_t n;
	int len;

	for (;;) {
		switch (r->bstate) {
		case BODY_DONE:
			return req_done(c);
		case BODY_LENGTH:
		case BODY_CHUNK_DATA:
			if ((n = evbuffer_get_length(in)) == 0)
				goto more;
			if (n > r->left)
				n = r->left;
			if (body_take(c, n) == -1)
				return http_error(c, 413,
				    "body too large for /body");
			r->left -= n;
			if (r->left == 0)
				r->bstate = r->bstate == BODY_LENGTH ?
				    BODY_DONE : BODY_CHUNK_END;
			break;
		case BODY_CHUNK_SIZE:
			if ((len = line_take(in, line, sizeof(line))) == -1)
				goto more;
			if (len == -2 || chunk_size_parse(line, &n) == -1)
				return http_error(c, 400,
				    "bad chunk-size line (RFC 9112 7.1)");
			r->left = n;
			r->bstate = n == 0 ? BODY_TRAILER : BODY_CHUNK_DATA;
			break;
		case BODY_CHUNK_END:
			if (evbuffer_get_length(in) < 2)
				goto more;
			evbuffer_remove(in, crlf, 2);
			if (crlf[0] != '\r' || crlf[1] != '\n')
				return http_error(c, 400, "chunk-data not"
				    " followed by CRLF (RFC 9112 7.1)");
			r->bstate = BODY_CHUNK_SIZE;
			break;
		case BODY_TRAILER:
			if ((len = line_take(in, line, sizeof(line))) == -1)
				goto more;
			if (len == 0) {
				r->bstate = BODY_DONE;
				break;
			}
			r->trailer_bytes += (size_t)len + 2;
			if (len == -2 || r->trailer_bytes > MAX_TRAILER_BYTES)
				return http_error(c, 400,
				    "bad trailer section (RFC 9112 7.1.2)");
			if ((why = field_parse(line, &name, &value)) != NULL)
				return http_error(c, 400, why);
			evbuffer_add(c->trl, name, strlen(name) + 1);
			evbuffer_add(c->trl, value, strlen(value) + 1);
			r->ntrl++;
			break;
		}
	}
more:
	/* a body cut short by EOF cannot be answered */
	if (c->eof)
		return conn_close(c);
	return CONN_WAIT;
}

/*
 * Takes n body bytes, all in the input, into the hash, the kept body or
 * nowhere. Returns 0, or -1 if the kept body would pass MAX_KEEP_BYTES.
 */
static int
body_take(struct conn *c, uint64_t n)
{
	struct req *r = &c->req;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	unsigned char buf[PIECE_BYTES];
	size_t k;

	r->body_len += n;
	if (r->keep) {
		if (r->body_len > MAX_KEEP_BYTES)
			return -1;
		evbuffer_remove_buffer(in, c->body, (size_t)n);
		return 0;
	}
	if (!r->hash) {
		evbuffer_drain(in, (size_t)n);
		return 0;
	}
	while (n > 0) {
		k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		evbuffer_remove(in, buf, k);
		EVP_DigestUpdate(c->md, buf, k);
		n -= k;
	}
	return 0;
}

/*
 * Takes a CRLF-ended line off in into buf (NUL-ended, CRLF dropped).
 * Returns its length, -1 if no whole line is there yet, or -2 if it
 * would not fit in size bytes or holds a NUL, a bare CR or a bare LF.
 */
static int
line_take(struct evbuffer *in, char *buf, size_t size)
{
	struct evbuffer_ptr p;
	size_t eol_len, len;

	p = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
	if (p.pos < 0)
		return evbuffer_get_length(in) >= size ? -2 : -1;
	if ((len = (size_t)p.pos) >= size)
		return -2;
	evbuffer_remove(in, buf, len);
	evbuffer_drain(in, eol_len);
	buf[len] = '\0';
	if (strlen(buf) != len || strpbrk(buf, "\r\n") != NULL)
		return -2;
	return (int)len;
}

/*
 * Parses chunk-size [chunk-ext] (RFC 9112 7.1): hex digits only, no sign,
 * no "0x", no leading space. Returns 0 and sets *n, or -1.
 */
static int
chunk_size_parse(const char *s, uint64_t *n)
{
	const char *p;
	uint64_t v = 0;
	int d;

	for (p = s; ; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (p - s == 15)
			return -1;
		v = v * 16 + (uint64_t)d;
	}
	if (p == s)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != ';')
		return -1;
	for (; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return -1;
	*n = v;
	return 0;
}

/*
 * The request is read: logs it, then answers now or after ?delay.
 * Returns CONN_MORE, CONN_WAIT or CONN_GONE.
 */
static int
req_done(struct conn *c)
{
	struct req *r = &c->req;
	struct timeval tv;
	char status[16];

	if (r->minor == 1 && strcmp(r->method, "GET") == 0 &&
	    hdr_has_token(r, "upgrade", "websocket") &&
	    hdr_has_token(r, "connection", "upgrade"))
		return ws_upgrade(c);
	if (resp_build(c) == -1)
		return http_error(c, 500, "out of memory");
	if (r->q_hang || r->q_close == 0)
		log_req(c, "-");
	else {
		snprintf(status, sizeof(status), "%d", c->resp.status);
		log_req(c, status);
	}
	if (r->q_delay_ms > 0) {
		tv.tv_sec = r->q_delay_ms / 1000;
		tv.tv_usec = (r->q_delay_ms % 1000) * 1000;
		evtimer_add(c->timer, &tv);
		c->state = CONN_DELAY;
		return CONN_WAIT;
	}
	return resp_go(c);
}

/*
 * Answers the built response, or closes without one for ?close=0, or
 * never answers for ?hang=1. Returns CONN_MORE, CONN_WAIT or CONN_GONE.
 */
static int
resp_go(struct conn *c)
{
	if (c->req.q_hang) {
		c->state = CONN_HANG;
		return CONN_WAIT;
	}
	if (c->req.q_close == 0)
		return conn_close(c);
	return resp_start(c);
}

/*
 * Decides the response to c->req from its route and query, without
 * writing it. /admin/health takes effect here. Returns 0, or -1 if out of
 * memory.
 */
static int
resp_build(struct conn *c)
{
	struct req *r = &c->req;
	struct resp *p = &c->resp;
	struct srv *srv = c->srv;

	if ((p->body = evbuffer_new()) == NULL)
		return -1;
	p->status = 200;
	p->ctype = "text/plain";
	switch (r->route) {
	case ROUTE_HEALTH:
		p->status = srv->health;
		evbuffer_add_printf(p->body, "%s\n",
		    srv->health == 200 ? "ok" : "unhealthy");
		break;
	case ROUTE_ADMIN_HEALTH:
		if (r->q_status != -1)
			srv->health = r->q_status;
		evbuffer_add_printf(p->body, "health %d\n", srv->health);
		break;
	case ROUTE_ADMIN_STATUS:
		if (r->q_status != -1)
			srv->status = r->q_status;
		evbuffer_add_printf(p->body, "status %d\n", srv->status);
		break;
	case ROUTE_BODY:
		p->ctype = "application/octet-stream";
		evbuffer_add_buffer(p->body, c->body);
		break;
	default:
		evbuffer_add_printf(p->body, "%s\n", srv->name);
		break;
	}
	if (r->hash) {
		p->ctype = "application/json";
		evbuffer_drain(p->body, evbuffer_get_length(p->body));
		echo_json(c, p->body);
	}
	if (r->route != ROUTE_HEALTH && r->route != ROUTE_ADMIN_HEALTH &&
	    r->route != ROUTE_ADMIN_STATUS)
		p->status = r->q_status != -1 ? r->q_status : srv->status;
	if (r->q_size != -1) {
		evbuffer_free(p->body);
		p->body = NULL;
		p->total = (uint64_t)r->q_size;
		p->ctype = "text/plain";
	} else
		p->total = evbuffer_get_length(p->body);
	p->nobody = strcmp(r->method, "HEAD") == 0 || p->status == 204 ||
	    p->status == 304;
	/* HTTP/1.0 has no chunked: it gets a Content-Length instead */
	p->chunked = r->q_chunked && r->minor == 1;
	p->nolength = r->q_eof && !p->chunked;
	p->cut = r->q_close == 1;
	p->stop = p->total / 2;
	p->chunk = (size_t)((p->total + 3) / 4);
	if (p->chunk > MAX_CHUNK_BYTES)
		p->chunk = MAX_CHUNK_BYTES;
	if (p->chunk == 0)
		p->chunk = 1;
	p->close = !r->keep_alive || c->eof || p->nolength;
	return 0;
}

/* Writes the status line and header fields of c->resp. */
static void
resp_head(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct resp *p = &c->resp;

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", p->status,
	    reason_str(p->status));
	if (p->status != 204 && p->status != 304) {
		evbuffer_add_printf(out, "Content-Type: %s\r\n", p->ctype);
		if (p->chunked)
			evbuffer_add_printf(out,
			    "Transfer-Encoding: chunked\r\n");
		else if (!p->nolength)
			evbuffer_add_printf(out,
			    "Content-Length: %" PRIu64 "\r\n", p->total);
	}
	evbuffer_add_printf(out, "X-Backend: %s\r\n"
	    "X-Request-Count: %lu\r\n"
	    "X-Conn-Count: %lu\r\n", c->srv->name, c->nreq, c->srv->nconn);
	if (c->req.q_setcookie)
		evbuffer_add_printf(out, "Set-Cookie: sid=%s-%lu; Path=/\r\n",
		    c->srv->name, c->nreq);
	if (p->close)
		evbuffer_add_printf(out, "Connection: close\r\n");
	else if (c->req.minor == 0)
		evbuffer_add_printf(out, "Connection: keep-alive\r\n");
	evbuffer_add(out, "\r\n", 2);
}

/*
 * Writes the head of c->resp and starts on its body. Returns CONN_MORE,
 * CONN_WAIT or CONN_GONE.
 */
static int
resp_start(struct conn *c)
{
	resp_head(c);
	if (c->resp.nobody)
		return c->resp.cut ? conn_close(c) : resp_done(c);
	c->state = CONN_SEND;
	return resp_pump(c);
}

/*
 * Adds body bytes to the output until OUT_HIGH_BYTES are queued, the body
 * is out, or ?close=1 stops it halfway. Returns CONN_MORE, CONN_WAIT (the
 * write callback goes on) or CONN_GONE.
 */
static int
resp_pump(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct resp *p = &c->resp;
	const char *pat = c->srv->pattern;
	uint64_t limit = p->cut ? p->stop : p->total, n, k, at;
	size_t off;

	while (p->sent < limit && evbuffer_get_length(out) < OUT_HIGH_BYTES) {
		n = limit - p->sent;
		if (p->chunked && n > p->chunk)
			n = p->chunk;
		if (n > PIECE_BYTES)
			n = PIECE_BYTES;
		if (p->chunked)
			evbuffer_add_printf(out, "%" PRIx64 "\r\n", n);
		if (p->body != NULL)
			evbuffer_remove_buffer(p->body, out, (size_t)n);
		else {
			/* byte i of it is "0123456789abcdef"[i % 16] */
			for (at = p->sent, k = n; k > 0; ) {
				off = (size_t)(at % 16);
				n = k < PATTERN_BYTES - off ? k :
				    PATTERN_BYTES - off;
				evbuffer_add(out, pat + off, (size_t)n);
				at += n;
				k -= n;
			}
			n = at - p->sent;
		}
		if (p->chunked)
			evbuffer_add(out, "\r\n", 2);
		p->sent += n;
	}
	if (p->sent < limit)
		return CONN_WAIT;
	if (p->cut)
		return conn_close(c);
	if (p->chunked)
		evbuffer_add(out, "0\r\n\r\n", 5);
	return resp_done(c);
}

/*
 * The response is queued: closes, or gets ready for the next request.
 * Returns CONN_MORE or what conn_close() returns.
 */
static int
resp_done(struct conn *c)
{
	if (c->resp.close)
		return conn_close(c);
	req_reset(c);
	c->state = CONN_HEAD;
	return CONN_MORE;
}

/*
 * Answers status with why as the body, and closes: after a bad request
 * the framing of what follows cannot be trusted. Returns what conn_close()
 * returns.
 */
static int
http_error(struct conn *c, int status, const char *why)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct resp *p = &c->resp;
	char s[16];

	snprintf(s, sizeof(s), "%d", status);
	log_req(c, s);
	fprintf(stderr, "%s error: %s\n", c->srv->name, why);
	if (p->body != NULL)
		evbuffer_free(p->body);
	memset(p, 0, sizeof(*p));
	p->status = status;
	p->ctype = "text/plain";
	p->total = strlen(why) + 1;
	p->close = 1;
	resp_head(c);
	evbuffer_add_printf(out, "%s\n", why);
	return conn_close(c);
}

/* Adds the request as a JSON object, and a newline, to out. */
static void
echo_json(struct conn *c, struct evbuffer *out)
{
	static const char hex[] = "0123456789abcdef";
	struct req *r = &c->req;
	unsigned char md[EVP_MAX_MD_SIZE];
	char sha[2 * EVP_MAX_MD_SIZE + 1];
	const char *t;
	unsigned int mdlen = 0, i;
	size_t k;

	evbuffer_add_printf(out, "{\"backend\":");
	json_str(out, c->srv->name, strlen(c->srv->name));
	evbuffer_add_printf(out, ",\"peer\":\"%s\",\"method\":", c->peer);
	json_str(out, r->method, strlen(r->method));
	evbuffer_add_printf(out, ",\"target\":");
	json_str(out, r->target, strlen(r->target));
	evbuffer_add_printf(out, ",\"version\":\"%s\",\"headers\":[",
	    r->version);
	for (k = 0; k < r->nhdr; k++) {
		evbuffer_add_printf(out, "%s[", k > 0 ? "," : "");
		json_str(out, r->hdrs[k].name, strlen(r->hdrs[k].name));
		evbuffer_add(out, ",", 1);
		json_str(out, r->hdrs[k].value, strlen(r->hdrs[k].value));
		evbuffer_add(out, "]", 1);
	}
	evbuffer_add_printf(out, "],\"trailers\":[");
	t = (const char *)evbuffer_pullup(c->trl, -1);
	for (k = 0; k < r->ntrl; k++) {
		evbuffer_add_printf(out, "%s[", k > 0 ? "," : "");
		json_str(out, t, strlen(t));
		t += strlen(t) + 1;
		evbuffer_add(out, ",", 1);
		json_str(out, t, strlen(t));
		t += strlen(t) + 1;
		evbuffer_add(out, "]", 1);
	}
	EVP_DigestFinal_ex(c->md, md, &mdlen);
	for (i = 0; i < mdlen; i++) {
		sha[2 * i] = hex[md[i] >> 4];
		sha[2 * i + 1] = hex[md[i] & 0xf];
	}
	sha[2 * mdlen] = '\0';
	evbuffer_add_printf(out, "],\"body_len\":%" PRIu64
	    ",\"body_sha256\":\"%s\"}\n", r->body_len, sha);
}

/*
 * Adds s as a JSON string to out. Bytes from 0x7f up are written as
 * \u00XX, that is read as Latin-1, so the output is ASCII whatever came
 * in.
 */
static void
json_str(struct evbuffer *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;

	evbuffer_add(out, "\"", 1);
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
		    p[i] != '\\') {
			run++;
			continue;
		}
		evbuffer_add(out, p + i - run, run);
		run = 0;
		if (p[i] == '"' || p[i] == '\\')
			evbuffer_add_printf(out, "\\%c", p[i]);
		else
			evbuffer_add_printf(out, "\\u%04x", p[i]);
	}
	evbuffer_add(out, p + i - run, run);
	evbuffer_add(out, "\"", 1);
}

/* Logs "NAME METHOD TARGET STATUS" to stderr. */
static void
log_req(struct conn *c, const char *status)
{
	fprintf(stderr, "%s %s %s %s\n", c->srv->name,
	    c->req.method != NULL ? c->req.method : "-",
	    c->req.target != NULL ? c->req.target : "-", status);
}

static const char *
reason_str(int status)
{
	static const struct {
		int		 status;
		const char	*reason;
	} reasons[] = {
		{ 100, "Continue" },
		{ 101, "Switching Protocols" },
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 203, "Non-Authoritative Information" },
		{ 204, "No Content" },
		{ 206, "Partial Content" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 408, "Request Timeout" },
		{ 413, "Content Too Large" },
		{ 417, "Expectation Failed" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Status";
}

/* Returns the first field of r named name (any case), or NULL. */
static const struct hdr *
hdr_find(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return &r->hdrs[i];
	return NULL;
}

/* Returns 1 if a field of r named name lists token (any case), else 0. */
static int
hdr_has_token(const struct req *r, const char *name, const char *token)
{
	const char *p, *tok;
	size_t i, len, tlen = strlen(token);

	for (i = 0; i < r->nhdr; i++) {
		if (strcasecmp(r->hdrs[i].name, name) != 0)
			continue;
		p = r->hdrs[i].value;
		while (list_next(&p, &tok, &len))
			if (len == tlen && strncasecmp(tok, token, len) == 0)
				return 1;
	}
	return 0;
}

/*
 * Steps *pp over a comma-separated list (RFC 9110 5.6.1), skipping empty
 * elements. Returns 1 with the next element, OWS trimmed, in *tok and
 * *len; 0 at the end.
 */
static int
list_next(const char **pp, const char **tok, size_t *len)
{
	const char *p = *pp, *e;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	*tok = p;
	while (*p != '\0' && *p != ',')
		p++;
	for (e = p; e > *tok && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*len = (size_t)(e - *tok);
	*pp = p;
	return 1;
}

/*
 * Answers a WebSocket handshake (RFC 6455 4.2.2) and switches c to frame
 * echo. Returns CONN_MORE, or what http_error() returns.
 */
static int
ws_upgrade(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const struct hdr *key = hdr_find(&c->req, "sec-websocket-key");
	unsigned char md[EVP_MAX_MD_SIZE], acc[4 * EVP_MAX_MD_SIZE / 3 + 4];
	char buf[256];
	unsigned int mdlen;

	if (key == NULL || *key->value == '\0' ||
	    strlen(key->value) + sizeof(WS_GUID) > sizeof(buf))
		return http_error(c, 400, "bad Sec-WebSocket-Key");
	snprintf(buf, sizeof(buf), "%s%s", key->value, WS_GUID);
	if (EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL) != 1)
		return http_error(c, 500, "SHA-1 failed");
	EVP_EncodeBlock(acc, md, (int)mdlen);
	log_req(c, "101");
	evbuffer_add_printf(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "X-Backend: %s\r\n"
	    "X-Request-Count: %lu\r\n"
	    "X-Conn-Count: %lu\r\n"
	    "\r\n", (char *)acc, c->srv->name, c->nreq, c->srv->nconn);
	c->state = CONN_WS;
	c->ws_left = 0;
	return CONN_MORE;
}

/*
 * Echoes client frames (RFC 6455 5): data frames come back with the same
 * FIN bit and opcode, unmasked, streamed as they arrive; a ping gets a
 * pong, a close is echoed and ends the connection. Text is not checked to
 * be UTF-8. Returns CONN_WAIT or CONN_GONE.
 */
static int
ws_run(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	unsigned char h[14], buf[PIECE_BYTES];
	uint64_t plen;
	size_t have, hl, n, i;
	int op, r;

	for (;;) {
		if (evbuffer_get_length(out) >= OUT_HIGH_BYTES)
			return CONN_WAIT;
		have = evbuffer_get_length(in);
		if (c->ws_left > 0) {
			if (have == 0)
				goto more;
			n = have < sizeof(buf) ? have : sizeof(buf);
			if (n > c->ws_left)
				n = (size_t)c->ws_left;
			evbuffer_remove(in, buf, n);
			for (i = 0; i < n; i++)
				buf[i] ^= c->ws_mask[c->ws_moff++ & 3];
			evbuffer_add(out, buf, n);
			c->ws_left -= n;
			continue;
		}
		if (have < 2)
			goto more;
		evbuffer_copyout(in, h, have < sizeof(h) ? have : sizeof(h));
		/* no extension was agreed, so no RSV bit; 5.1: masked */
		if ((h[0] & 0x70) != 0 || (h[1] & 0x80) == 0)
			return ws_fail(c, 1002);
		op = h[0] & 0x0f;
		plen = h[1] & 0x7f;
		hl = 2;
		if (plen == 126) {
			hl = 4;
			if (have < hl)
				goto more;
			plen = (uint64_t)h[2] << 8 | h[3];
		} else if (plen == 127) {
			hl = 10;
			if (have < hl)
				goto more;
			for (plen = 0, i = 2; i < 10; i++)
				plen = plen << 8 | h[i];
			if (plen >> 63)
				return ws_fail(c, 1002);
		}
		if (have < hl + 4)
			goto more;
		memcpy(c->ws_mask, h + hl, 4);
		hl += 4;
		switch (op) {
		case 0x0:
		case 0x1:
		case 0x2:
			evbuffer_drain(in, hl);
			ws_frame_head(out, h[0], plen);
			c->ws_left = plen;
			c->ws_moff = 0;
			break;
		case 0x8:
		case 0x9:
		case 0xa:
			/* 5.5: control frames are short and whole */
			if ((h[0] & 0x80) == 0 || plen > 125)
				return ws_fail(c, 1002);
			if (have < hl + plen)
				goto more;
			evbuffer_drain(in, hl);
			if ((r = ws_control(c, (unsigned char)op,
			    (size_t)plen)) != CONN_MORE)
				return r;
			break;
		default:
			return ws_fail(c, 1002);
		}
	}
more:
	if (c->eof)
		return conn_close(c);
	return CONN_WAIT;
}

/*
 * Handles a control frame whose len payload bytes are in the input.
 * Returns CONN_MORE, or what conn_close() returns after a close.
 */
static int
ws_control(struct conn *c, unsigned char op, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	unsigned char buf[125];
	size_t i;

	evbuffer_remove(in, buf, len);
	for (i = 0; i < len; i++)
		buf[i] ^= c->ws_mask[i & 3];
	switch (op) {
	case 0x8:
		ws_frame_head(out, 0x88, len);
		evbuffer_add(out, buf, len);
		return conn_close(c);
	case 0x9:
		ws_frame_head(out, 0x8a, len);
		evbuffer_add(out, buf, len);
		break;
	default:
		break;
	}
	return CONN_MORE;
}

/* Sends a close frame with code and ends c. Returns as conn_close(). */
static int
ws_fail(struct conn *c, unsigned code)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	unsigned char b[2] = { (unsigned char)(code >> 8),
	    (unsigned char)code };

	fprintf(stderr, "%s error: WebSocket protocol error %u\n",
	    c->srv->name, code);
	ws_frame_head(out, 0x88, 2);
	evbuffer_add(out, b, 2);
	return conn_close(c);
}

/* Adds an unmasked frame header: first byte b0, payload length len. */
static void
ws_frame_head(struct evbuffer *out, unsigned char b0, uint64_t len)
{
	unsigned char h[10];
	size_t hl, i;

	h[0] = b0;
	if (len < 126) {
		h[1] = (unsigned char)len;
		hl = 2;
	} else if (len <= 0xffff) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)(len >> (56 - 8 * i));
		hl = 10;
	}
	evbuffer_add(out, h, hl);
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);

	c->tcp_bytes += evbuffer_get_length(in);
	evbuffer_add_buffer(out, in);
	/* a client that does not read stops being read */
	if (evbuffer_get_length(out) >= OUT_HIGH_BYTES)
		bufferevent_disable(bev, EV_READ);
}

/* The output is empty. */
static void
tcp_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->eof)
		tcp_finish(c);
	else
		bufferevent_enable(bev, EV_READ);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_EOF) {
		c->eof = 1;
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			tcp_finish(c);
	} else if (what & BEV_EVENT_ERROR) {
		fprintf(stderr, "%s TCP %s error %" PRIu64 "\n", c->srv->name,
		    c->peer, c->tcp_bytes);
		conn_free(c);
	}
}

/*
 * The client half-closed and all it sent is echoed: half-close in turn.
 * Returns CONN_GONE.
 */
static int
tcp_finish(struct conn *c)
{
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	fprintf(stderr, "%s TCP %s close %" PRIu64 "\n", c->srv->name,
	    c->peer, c->tcp_bytes);
	return conn_free(c);
}

int
main(int argc, char **argv)
{
	struct srv srv;
	struct evconnlistener *lev = NULL;
	struct event *sigterm = NULL, *sigint = NULL;
	struct sockaddr_in sin;
	struct conn *c;
	socklen_t slen = sizeof(sin);
	const char *ready = NULL, *p;
	uint64_t port = 0;
	int ch, have_port = 0, rc = 1;
	size_t i;

	memset(&srv, 0, sizeof(srv));
	srv.name = "backend";
	srv.health = 200;
	srv.status = 200;
	TAILQ_INIT(&srv.conns);
	for (i = 0; i < PATTERN_BYTES; i++)
		srv.pattern[i] = "0123456789abcdef"[i % 16];

	while ((ch = getopt(argc, argv, "b:hm:n:p:r:")) != -1) {
		switch (ch) {
		case 'b':
			srv.banner = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'm':
			if (strcmp(optarg, "http") == 0)
				srv.mode = MODE_HTTP;
			else if (strcmp(optarg, "tcp") == 0)
				srv.mode = MODE_TCP;
			else {
				fprintf(stderr, "backend: bad mode '%s'\n",
				    optarg);
				return 2;
			}
			break;
		case 'n':
			srv.name = optarg;
			break;
		case 'p':
			if (dec_parse(optarg, strlen(optarg), 65535,
			    &port) == -1) {
				fprintf(stderr, "backend: bad port '%s'\n",
				    optarg);
				return 2;
			}
			have_port = 1;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !have_port) {
		usage(stderr);
		return 2;
	}
	/* the name goes into header fields and space-separated logs */
	for (p = srv.name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("._-", *p) == NULL)
			break;
	if (*p != '\0' || p == srv.name || p - srv.name > 64) {
		fprintf(stderr, "backend: name must be 1..64 of"
		    " [A-Za-z0-9._-]\n");
		return 2;
	}
	if (srv.banner != NULL && strpbrk(srv.banner, "\r\n") != NULL) {
		fprintf(stderr, "backend: the banner is one line\n");
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IOLBF, 0);
	if ((srv.base = event_base_new()) == NULL) {
		fprintf(stderr, "backend: event_base_new failed\n");
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lev = evconnlistener_new_bind(srv.base, accept_cb, &srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    1024, (struct sockaddr *)&sin, sizeof(sin));
	if (lev == NULL) {
		fprintf(stderr, "backend: cannot listen on 127.0.0.1:%u: %s\n",
		    (unsigned)port, strerror(errno));
		goto out;
	}
	evconnlistener_set_error_cb(lev, accept_error_cb);
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin,
	    &slen) == -1) {
		fprintf(stderr, "backend: getsockname: %s\n", strerror(errno));
		goto out;
	}
	port = ntohs(sin.sin_port);
	sigterm = evsignal_new(srv.base, SIGTERM, signal_cb, srv.base);
	sigint = evsignal_new(srv.base, SIGINT, signal_cb, srv.base);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm,
	    NULL) == -1 || evsignal_add(sigint, NULL) == -1) {
		fprintf(stderr, "backend: cannot catch signals\n");
		goto out;
	}
	if (ready != NULL && ready_write(ready, (unsigned)port) == -1)
		goto out;
	printf("listening on 127.0.0.1:%u\n", (unsigned)port);
	fflush(stdout);
	if (event_base_dispatch(srv.base) == -1) {
		fprintf(stderr, "backend: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	while ((c = TAILQ_FIRST(&srv.conns)) != NULL)
		conn_free(c);
	if (sigint != NULL)
		event_free(sigint);
	if (sigterm != NULL)
		event_free(sigterm);
	if (lev != NULL)
		evconnlistener_free(lev);
	event_base_free(srv.base);
	libevent_global_shutdown();
	return rc;
}
