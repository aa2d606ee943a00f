/*
 * Sessions. A client connection (struct sess) carries requests one at a
 * time; each in flight is a transaction (struct txn) with its buffers and
 * parsed heads, bound to a server connection (struct srvconn) taken from
 * this worker's idle pool or opened for it. An idle client connection
 * holds no buffer and no transaction.
 *
 * I/O is done on raw non-blocking sockets: writes go out at once and
 * write-readiness is armed only after EAGAIN; reads go into weir's own
 * buffers. A keep-alive request costs one read and one write on each side
 * and one event-loop wait per side.
 */
#include "config.h"

#include "sess.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check.h"
#include "cookie.h"
#include "ctr.h"
#include "eng.h"
#include "graph.h"
#include "h1.h"
#include "http.h"
#include "lb.h"
#include "log.h"
#include "lsn.h"
#include "pp.h"
#include "state.h"
#include "stick.h"
#include "stats.h"
#include "tls.h"
#include "val.h"

enum sess_state {
	SESS_IDLE = 0,		/* keep-alive: waiting for a request */
	SESS_REQ,		/* a transaction is in flight */
	SESS_TUNNEL,		/* tcp mode, or an upgraded connection */
	SESS_CLOSING,		/* writing weir's last answer, then close */
	SESS_LINGER,		/* answered; reading what the client still
				   sends, so closing does not reset the answer */
	SESS_HANDSHAKE,		/* TLS handshake, before any request */
};

/* struct sess flags */
#define SF_CLI_EOF	0x01	/* the client sent its FIN */
#define SF_CLOSE	0x02	/* close once the response is out */
#define SF_HTTP		0x04	/* an HTTP frontend */
#define SF_LINGER	0x08	/* unread input may follow: linger on close */
#define SF_NEW		0x10	/* no request read yet on this connection */
#define SF_PP		0x20	/* a PROXY protocol header is due first */
#define SF_PP_DST	0x40	/* pp_dst holds the address the client used */
#define SF_LOGGED	0x80	/* a transaction of it was logged */

enum req_phase {
	RQ_HEAD = 0,		/* reading the request head */
	RQ_BODY,		/* forwarding its body */
	RQ_DONE,		/* all of it sent to the server */
};

enum rsp_phase {
	RS_WAIT = 0,		/* connecting, or waiting for the head */
	RS_BODY,		/* forwarding its body */
	RS_DONE,
};

enum sc_state {
	SC_CONNECTING = 0,	/* and the TLS handshake, for ssl servers */
	SC_BUSY,
	SC_IDLE,
};

struct txn;

/*
 * What a connection's event is registered for. libevent sees only the
 * interest; the timeout is the worker's (io_tq_*): a heap entry whose
 * deadline may be earlier than the real one, which moves forward without
 * touching the heap as the connection makes progress. An entry that
 * comes due early is put back for what is left.
 */
struct io_reg {
	struct event ev;	/* the connection's, in libevent */
	short what;		/* EV_READ, EV_WRITE or both; 0: none */
	uint32_t hidx;		/* 1 + its place in the heap; 0: not there */
	uint64_t due;		/* when the connection really times out */
};

/* An entry of a worker's timeout heap: reg->ev is made active then. */
struct io_tnode {
	uint64_t at;		/* ms: when it comes up */
	struct io_reg *reg;
};

struct srvconn {
	struct srvconn *next, *prev;	/* idle or free list */
	struct eng_worker *w;
	int fd;
	struct io_reg reg;
	uint8_t state;
	bool reused;		/* served a request before this one */
	bool eof;		/* the server sent its FIN (tunnels) */
	bool hs;		/* connected; the TLS handshake under way */
	bool priv;		/* SNI from the request: not reused */
	short hs_want;		/* what the handshake waits for */
	SSL *ssl;		/* NULL: plain TCP */
	unsigned sid;		/* its server's record id: the idle list */
	struct txn *txn;	/* while busy */
};

union sess_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct sess {
	struct sess *next;	/* free list, or the worker's live list */
	struct sess *prev;
	struct eng_worker *w;
	struct lsn *lsn;
	int fd;
	struct io_reg reg;
	uint8_t state;
	uint8_t flags;
	union sess_addr peer;
	uint32_t ka_ms;		/* timeout http-keep-alive, kept when idle */
	struct txn *txn;
	union sess_addr pp_dst;	/* a PROXY header's or the socket's: SF_PP_DST */
	struct ctr_slot *fe_ctr;	/* counts this connection as open */
	SSL *ssl;		/* NULL: plain TCP */
	struct graph *hs_g;	/* held during the handshake: its contexts */
	struct sess_trk *trk;	/* tracked by tcp-request connection rules */
	uint32_t hs_ms;		/* each wait of the handshake, at most */
};

/*
 * What tcp-request connection rules track for the connection's life, with
 * the graph their tables are in: apart, as few connections have it.
 */
struct sess_trk {
	struct acl_sc sc;
	struct graph *g;
};

/* Bytes that could not be written at once and wait, copied. */
struct pend {
	char *p;
	size_t len, off;
};

struct txn {
	struct txn *next;	/* free list */
	struct sess *s;
	struct graph *g;
	const struct g_frontend *fe;
	const struct g_backend *be;
	const struct g_server *srv;
	struct srvconn *sc;

	/* client to server: the head stays at data[0..hlen) for retries */
	struct buf *req;
	uint32_t hlen;
	uint8_t req_phase;
	uint8_t req_body;	/* enum h1_body */
	uint64_t req_left;	/* content-length bytes still to come */
	uint32_t req_ready;	/* bytes at req->start validated to send */
	uint32_t req_sent;	/* body bytes sent (a retry must not lose any) */
	struct h1_chunk reqc;
	struct pend spend;	/* head bytes not yet written to the server */

	/* server to client */
	struct buf *rsp;
	uint8_t rsp_phase;
	uint8_t rsp_body;
	bool dechunk;		/* an HTTP/1.0 client gets no chunks */
	uint64_t rsp_left;
	uint32_t rsp_ready;
	uint32_t rsp_scan;	/* raw bytes examined, when dechunking */
	struct h1_chunk rspc;
	struct pend cpend;	/* head bytes not yet written to the client */
	unsigned status;

	unsigned tries;
	bool counted;		/* in srv's connection count */
	bool head_sent;		/* some request bytes reached a server */
	bool any_sent;		/* in any attempt so far */
	bool same_srv;		/* a retry without redispatch: t->srv again */
	bool got_rsp;		/* some response bytes came back */
	bool upgrade;
	bool granted;		/* a queue let it through: no queueing again */
	struct qent q;		/* waiting for a server (maxconn) */
	const struct g_server *ck_srv;	/* the server its cookie names */
	uint64_t ck_first;	/* when that cookie was first set (maxlife) */
	struct acl_sc stk;	/* the stick counters it tracks */
	uint8_t stk_sess;	/* slots of stk that are the session's */
	bool stick_done;	/* its stick rules were evaluated */
	uint32_t stick_store;	/* stick rules that store, by index */
	uint8_t tried[LB_TRIED_MAX / 8];	/* servers tried, by index */
	uint64_t bin, bout;	/* client bytes not yet counted */
	uint64_t t0_us;		/* first try to reach a server */

	/* traffic log: wall-clock microseconds of each step, 0: not yet */
	bool logged;		/* its frontend logs it: steps are timed */
	char term;		/* why it ended, HAProxy's cause letter */
	uint64_t ts_start, ts_req, ts_con, ts_rsp;
	uint64_t ts_qin, ts_qout;	/* into the backend queue, out of it */
	uint64_t bytes_out;	/* written to the client */

	/* not cleared at each request: each part says how much it holds */
	struct http_ops req_ops;
	struct http_ops rsp_ops;
	struct h1_msg reqm;
	struct h1_msg rspm;
	char ck_req[512];	/* the Cookie field sent on, when rewritten */
	char ck_rsp[1024];	/* Set-Cookie values weir writes */
};

/* A call that may free the session says so with this. */
#define SESS_GONE	(-2)

static void sess_on_event(evutil_socket_t, short, void *);
static void sc_on_event(evutil_socket_t, short, void *);
static int sess_read_req(struct sess *);
static int txn_start(struct sess *);
static int txn_connect(struct txn *);
static int txn_send_req(struct txn *);
static int txn_send_head(struct txn *, const char *, size_t);
static int txn_request(struct sess *);
static const struct g_backend *txn_tcp_backend(struct txn *);
static int txn_spend(struct txn *, const char *, size_t);
static int sess_tcp_start(struct sess *);
static int txn_server_error(struct txn *, const char *);
static int txn_send_rsp(struct txn *);
static int txn_read_rsp(struct txn *);
static int txn_end(struct txn *);
static int sess_answer(struct sess *, unsigned, const char *);
static void sess_close(struct sess *, const char *);
static void sc_close(struct srvconn *);
static void txn_log_begin(struct txn *);
static void txn_log(struct sess *, struct txn *);
static void txn_term(struct txn *, const char *);
static int tunnel_pump(struct sess *);
static int sc_handshake(struct txn *);
static int sess_handshake(struct sess *);
static int sess_start(struct sess *);
static void q_grant(struct state_backend *);
static bool q_leave(struct txn *, bool);
static int txn_enqueue(struct txn *, bool);
static void txn_untrack(struct txn *);
static void sess_untrack(struct sess *);
static int sess_conn_rules(struct sess *);
static int txn_content_rules(struct txn *, struct acl_sample *);
static void txn_stick_match(struct txn *);
static void txn_stick_store(struct txn *);

/* ---- small helpers ----------------------------------------------------- */

static struct timeval *
tv_ms(struct timeval *tv, uint64_t ms)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)((ms % 1000) * 1000);
	return tv;
}

/* The worker's cached wall clock, in microseconds: no system call. */
static uint64_t
txn_now(const struct txn *t)
{
	struct timeval tv;

	event_base_gettimeofday_cached(t->s->w->base, &tv);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* Time step f of a logged transaction. */
#define TXN_STAMP(t, f)	do {						\
	if ((t)->logged)						\
		(t)->f = txn_now(t);					\
} while (0)

/* The longest timer given to libevent; a later deadline wakes up first. */
#define IO_TIMER_MAX_MS		86400000u
/* "No timeout": a deadline no connection lives to see. */
#define IO_FOREVER_MS		((uint64_t)1 << 50)

/* The longest body io_body() copies behind a head. */
#define IO_COALESCE_MAX		2048

/*
 * Add body[0..len) to iov[0..cnt) for one write; returns the new count.
 * After a head just built in the worker's scratch, a short body is
 * copied behind it: one send() rather than two, one record over TLS.
 */
static int
io_body(struct eng_worker *w, struct iovec *iov, int cnt, const char *body,
    size_t len)
{
	if (len == 0)
		return cnt;
	if (cnt == 1 && iov[0].iov_base == w->scratch &&
	    len <= IO_COALESCE_MAX && iov[0].iov_len + len <= w->scratch_size) {
		memcpy(w->scratch + iov[0].iov_len, body, len);
		iov[0].iov_len += len;
		return cnt;
	}
	iov[cnt].iov_base = (void *)body;
	iov[cnt].iov_len = len;
	return cnt + 1;
}

/* A coarse monotonic clock in ms: cheap, and precise enough for timeouts. */
static uint64_t
io_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the worker's timeout heap --------------------------------------- */

static void
io_tq_set(struct eng_worker *w, uint32_t i, struct io_tnode n)
{
	w->tq[i] = n;
	n.reg->hidx = i + 1;
}

static void
io_tq_up(struct eng_worker *w, uint32_t i)
{
	struct io_tnode n = w->tq[i];

	while (i > 0 && w->tq[(i - 1) / 2].at > n.at) {
		io_tq_set(w, i, w->tq[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	io_tq_set(w, i, n);
}

static void
io_tq_down(struct eng_worker *w, uint32_t i)
{
	struct io_tnode n = w->tq[i];
	uint32_t c;

	while ((c = 2 * i + 1) < w->tq_n) {
		if (c + 1 < w->tq_n && w->tq[c + 1].at < w->tq[c].at)
			c++;
		if (w->tq[c].at >= n.at)
			break;
		io_tq_set(w, i, w->tq[c]);
		i = c;
	}
	io_tq_set(w, i, n);
}

/* Take reg out of the heap, if it is there. */
static void
io_tq_remove(struct eng_worker *w, struct io_reg *reg)
{
	uint32_t i = reg->hidx - 1;

	if (reg->hidx == 0)
		return;
	reg->hidx = 0;
	if (--w->tq_n == i)
		return;
	io_tq_set(w, i, w->tq[w->tq_n]);
	io_tq_up(w, i);
	io_tq_down(w, w->tq[i].reg->hidx - 1);
}

static void io_tq_fire(evutil_socket_t, short, void *);
static const struct sockaddr *sess_dst(void *);
static void sess_sample(struct sess *, struct acl_sample *);

/* Set the worker's timer for the heap's first entry, if it is earlier. */
static void
io_tq_arm(struct eng_worker *w, uint64_t now)
{
	struct timeval tv;
	uint64_t at;

	if (w->tq_n == 0)
		return;
	at = w->tq[0].at;
	if (w->tq_armed != 0 && w->tq_armed <= at)
		return;
	if (!event_initialized(&w->tq_ev))
		evtimer_assign(&w->tq_ev, w->base, io_tq_fire, w);
	evtimer_add(&w->tq_ev, tv_ms(&tv, at > now ? at - now : 0));
	w->tq_armed = at;
}

/* Give reg an entry due at the latest at its deadline. */
static int
io_tq_put(struct eng_worker *w, struct io_reg *reg,
    uint64_t now)
{
	uint64_t at = reg->due - now > IO_TIMER_MAX_MS ? now + IO_TIMER_MAX_MS :
	    reg->due;

	if (reg->hidx != 0) {
		if (w->tq[reg->hidx - 1].at <= at)
			return 0;	/* it comes up early, and is put back */
		w->tq[reg->hidx - 1].at = at;
		io_tq_up(w, reg->hidx - 1);
	} else {
		if (w->tq_n == w->tq_cap) {
			uint32_t cap = w->tq_cap ? 2 * w->tq_cap : 256;
			struct io_tnode *q = realloc(w->tq, cap * sizeof(*q));

			if (q == NULL)
				return -1;
			w->tq = q;
			w->tq_cap = cap;
		}
		w->tq[w->tq_n] = (struct io_tnode){ at, reg };
		io_tq_up(w, w->tq_n++);
	}
	io_tq_arm(w, now);
	return 0;
}

/*
 * The worker's timer: each entry that has come up either times out, its
 * event made active with EV_TIMEOUT, or goes back for what is left.
 */
static void
io_tq_fire(evutil_socket_t fd, short what, void *arg)
{
	struct eng_worker *w = arg;
	uint64_t now = io_now_ms();
	struct io_tnode n;

	(void)fd;
	(void)what;
	w->tq_armed = 0;
	while (w->tq_n > 0 && w->tq[0].at <= now) {
		n = w->tq[0];
		io_tq_remove(w, n.reg);
		if (n.reg->due > now) {
			if (io_tq_put(w, n.reg, now) < 0)
				event_active(&n.reg->ev, EV_TIMEOUT, 0);
			continue;
		}
		event_active(&n.reg->ev, EV_TIMEOUT, 0);
	}
	io_tq_arm(w, now);
}

/*
 * Register interest what (EV_READ, EV_WRITE or both; 0: none) on fd's
 * event ev, registered as *reg says, with a timeout of ms from now. The
 * epoll set changes only when what does; the heap only when the deadline
 * comes earlier than its entry.
 */
static int
io_want(struct eng_worker *w, struct io_reg *reg, int fd,
    event_callback_fn cb, void *arg, short what, uint64_t ms)
{
	struct event *ev = &reg->ev;
	uint64_t now = io_now_ms();

	reg->due = now + (ms != 0 ? ms : IO_FOREVER_MS);
	/* the usual case: same interest, the deadline moved forward */
	if (what == reg->what && reg->hidx != 0 &&
	    w->tq[reg->hidx - 1].at <= reg->due && event_initialized(ev))
		return 0;
	if (what != reg->what || !event_initialized(ev)) {
		if (event_initialized(ev))
			event_del(ev);
		event_assign(ev, w->base, what ? fd : -1, what | EV_PERSIST, cb,
		    arg);
		reg->what = what;
		if (what != 0 && event_add(ev, NULL) < 0)
			return -1;
	}
	return io_tq_put(w, reg, now);
}

/* The connection of ev and reg is closing: no more timeout. */
static void
io_forget(struct eng_worker *w, struct io_reg *reg)
{
	io_tq_remove(w, reg);
	if (event_initialized(&reg->ev))
		event_del(&reg->ev);
}

/*
 * ev was made active with EV_TIMEOUT: whether it is early, the deadline
 * having moved since, in which case the entry goes back for what is left.
 */
static bool
io_early(struct eng_worker *w, struct io_reg *reg)
{
	uint64_t now = io_now_ms();

	if (now >= reg->due)
		return false;
	return io_tq_put(w, reg, now) == 0;
}

/*
 * Bytes TLS already took from the socket wait in the SSL object, where
 * the socket's readiness does not show them: the event is made active.
 */
static int
io_want_tls(struct event *ev, SSL *ssl, short what, int r)
{
	if (r == 0 && ssl != NULL && (what & EV_READ) && SSL_has_pending(ssl))
		event_active(ev, EV_READ, 0);
	return r;
}

static int
sess_want(struct sess *s, short what, uint64_t ms)
{
	return io_want_tls(&s->reg.ev, s->ssl, what, io_want(s->w,
	    &s->reg, s->fd, sess_on_event, s, what, ms));
}

static int
sc_want(struct srvconn *sc, short what, uint64_t ms)
{
	return io_want_tls(&sc->reg.ev, sc->ssl, what, io_want(sc->w,
	    &sc->reg, sc->fd, sc_on_event, sc, what, ms));
}

static uint64_t
txn_timeout(const struct txn *t, enum to_kind k)
{
	const struct g_proxy *px;

	switch (k) {
	case TO_CLIENT:
	case TO_HTTP_REQUEST:
	case TO_HTTP_KEEP_ALIVE:
	case TO_CLIENT_FIN:
		px = &t->fe->px;
		break;
	default:
		px = t->be ? &t->be->px : &t->fe->px;
		break;
	}
	return px->timeout_ms[k];
}

/*
 * Register what the transaction waits for on both sockets, from its
 * state: the client is read while a request is coming and there is room
 * for it, written while a response waits; the server is written while
 * request bytes wait and read while a response is due and the client
 * keeps up. Only a change of interest touches the epoll set.
 */
static int
txn_rearm(struct txn *t)
{
	struct sess *s = t->s;
	struct srvconn *sc = t->sc;
	bool out = t->cpend.p != NULL || t->rsp_ready > 0;
	short cw = 0, sw = 0;
	uint64_t to;

	if (out)
		cw |= EV_WRITE;
	if (s->state != SESS_CLOSING && !(s->flags & SF_CLI_EOF) &&
	    t->req != NULL) {
		/* once the request is in, a closing client is not read */
		if (t->req_phase == RQ_HEAD || (t->req_phase == RQ_BODY &&
		    (buf_room(t->req) > 0 || t->req->start > t->hlen)) ||
		    (t->req_phase == RQ_DONE && buf_room(t->req) > 0 &&
		    !(s->flags & SF_CLOSE)))
			cw |= EV_READ;
	}
	to = txn_timeout(t, t->req_phase == RQ_HEAD ? TO_HTTP_REQUEST :
	    TO_CLIENT);
	if (sess_want(s, cw, to) < 0)
		goto fail;
	if (sc == NULL || sc->state == SC_IDLE)
		return 0;
	if (sc->state == SC_CONNECTING) {
		sw = sc->hs_want ? sc->hs_want : EV_WRITE;
		to = txn_timeout(t, TO_CONNECT);
	} else {
		if (t->spend.p != NULL || t->req_ready > 0)
			sw |= EV_WRITE;
		/* a slow client: leave the server's bytes in the kernel */
		if (t->rsp_phase != RS_DONE && !out)
			sw |= EV_READ;
		to = txn_timeout(t, TO_SERVER);
	}
	if (sc_want(sc, sw, to) < 0)
		goto fail;
	return 0;
fail:
	sess_close(s, "event error");
	return SESS_GONE;
}

/*
 * Whether an SSL call that returned r must be retried later; a fatal
 * error makes the connection's close quiet (no close_notify after it).
 */
static bool
io_tls_again(SSL *ssl, int r)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return true;
	default:
		SSL_set_quiet_shutdown(ssl, 1);
		ERR_clear_error();
		return false;
	}
}

/*
 * Write iov[0..n) once; returns bytes written, 0 on EAGAIN, -1 on error.
 * Over TLS a write that could not finish is retried with the same bytes
 * first (maybe moved, maybe with more after them), as weir always does.
 */
static ssize_t
io_writev(int fd, SSL *ssl, struct iovec *iov, int n)
{
	ssize_t r, done = 0;
	int i;

	if (ssl != NULL) {
		for (i = 0; i < n; i++) {
			size_t off = 0;

			while (off < iov[i].iov_len) {
				size_t len = iov[i].iov_len - off;
				int w = SSL_write(ssl, (char *)iov[i].iov_base +
				    off, len > INT_MAX ? INT_MAX : (int)len);

				if (w <= 0)
					return io_tls_again(ssl, w) ? done : -1;
				off += (size_t)w;
				done += w;
			}
		}
		return done;
	}
	/*
	 * sendto() and sendmsg() go straight to the socket layer; writev()
	 * and read() pass through the file layer first, a few hundred
	 * nanoseconds a call on this path. They are made through syscall():
	 * glibc's wrappers are cancellation points, which in a threaded
	 * process turn asynchronous cancellation on and off around each
	 * call, and weir never cancels a thread.
	 */
	do {
		if (n == 1) {
			r = syscall(SYS_sendto, fd, iov[0].iov_base,
			    iov[0].iov_len, MSG_NOSIGNAL, NULL, 0);
		} else {
			struct msghdr msg = { .msg_iov = iov,
			    .msg_iovlen = (size_t)n };

			r = syscall(SYS_sendmsg, fd, &msg, MSG_NOSIGNAL);
		}
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	return r;
}

/*
 * Read into b's free room (the caller makes sure there is some); returns
 * bytes, 0 at EOF, -1 EAGAIN, -2 error.
 */
static ssize_t
io_read(int fd, SSL *ssl, struct buf *b)
{
	size_t room = buf_room(b);
	ssize_t r;

	if (ssl != NULL) {
		int n = SSL_read(ssl, b->data + b->end, room > INT_MAX ?
		    INT_MAX : (int)room);

		if (n > 0) {
			b->end += (uint32_t)n;
			return n;
		}
		if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN)
			return 0;
		return io_tls_again(ssl, n) ? -1 : -2;
	}
	do	/* recvfrom() through syscall(): see io_writev() */
		r = syscall(SYS_recvfrom, fd, b->data + b->end, room, 0, NULL,
		    NULL);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		b->end += (uint32_t)r;
	else if (r < 0)
		return errno == EAGAIN ? -1 : -2;
	return r;
}

/* Half-close: a close_notify first over TLS, then the TCP FIN. */
static int
io_shutdown(int fd, SSL *ssl)
{
	if (ssl != NULL && SSL_is_init_finished(ssl)) {
		(void)SSL_shutdown(ssl);
		ERR_clear_error();
	}
	return shutdown(fd, SHUT_WR);
}

/* The end of a TLS connection: close_notify when it can go, then free. */
static void
io_tls_free(SSL *ssl)
{
	if (ssl == NULL)
		return;
	if (SSL_is_init_finished(ssl) && !SSL_get_quiet_shutdown(ssl))
		(void)SSL_shutdown(ssl);
	ERR_clear_error();
	SSL_free(ssl);
}

/*
 * n bytes were written: those of p first. Returns how many of them were
 * not p's; p is freed once all of it is out.
 */
static size_t
pend_sent(struct pend *p, size_t n)
{
	size_t h = p->p ? p->len - p->off : 0, d = n < h ? n : h;

	p->off += d;
	if (p->p != NULL && p->off == p->len) {
		free(p->p);
		memset(p, 0, sizeof(*p));
	}
	return n - d;
}

/* Keep a copy of data[0..len) in p; -1 when out of memory. */
static int
pend_set(struct pend *p, const char *data, size_t len)
{
	free(p->p);
	memset(p, 0, sizeof(*p));
	if ((p->p = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(p->p, data, len);
	p->len = len;
	return 0;
}

/* ---- counters ---------------------------------------------------------- */

/* The calling worker's counter slot in a state record. */
#define CTR_OF(rec, w)	(((struct state_node *)(rec))->ctr + (w)->id)

static uint64_t
sess_now_us(struct eng_worker *w)
{
	struct timeval tv;

	event_base_gettimeofday_cached(w->base, &tv);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* Count what t moved between the client and weir since the last time. */
static void
txn_count_bytes(struct txn *t)
{
	struct eng_worker *w = t->s->w;

	if (t->bin == 0 && t->bout == 0)
		return;
	if (t->fe != NULL && t->fe->st != NULL) {
		ctr_add(CTR_OF(t->fe->st, w), CTR_BYTES_IN, t->bin);
		ctr_add(CTR_OF(t->fe->st, w), CTR_BYTES_OUT, t->bout);
	}
	if (t->be != NULL && t->be->st != NULL) {
		ctr_add(CTR_OF(t->be->st, w), CTR_BYTES_IN, t->bin);
		ctr_add(CTR_OF(t->be->st, w), CTR_BYTES_OUT, t->bout);
	}
	if (t->srv != NULL && t->srv->st != NULL) {
		ctr_add(CTR_OF(t->srv->st, w), CTR_BYTES_IN, t->bin);
		ctr_add(CTR_OF(t->srv->st, w), CTR_BYTES_OUT, t->bout);
	}
	t->bin = t->bout = 0;
}

static void
ctr_status(struct ctr_slot *c, unsigned status, uint64_t now_s)
{
	ctr_add(c, CTR_REQ_TOT, 1);
	ctr_add(c, status >= 100 && status < 600 ?
	    (enum ctr_idx)(CTR_HRSP_1XX + status / 100 - 1) : CTR_HRSP_OTHER,
	    1);
	ctr_rate(c, now_s);
}

/* A transaction ends: its request, by status, and its bytes. */
static void
txn_count(struct txn *t)
{
	struct eng_worker *w = t->s->w;
	uint64_t now_s;

	txn_count_bytes(t);
	if (!(t->s->flags & SF_HTTP) || (t->hlen == 0 && t->status == 0) ||
	    t->fe == NULL)
		return;
	now_s = sess_now_us(w) / 1000000u;
	ctr_status(CTR_OF(t->fe->st, w), t->status, now_s);
	if (t->be != NULL)
		ctr_status(CTR_OF(t->be->st, w), t->status, now_s);
	if (t->srv != NULL) {
		ctr_status(CTR_OF(t->srv->st, w), t->status, now_s);
		if (t->status == 502 || t->status == 504) {
			ctr_add(CTR_OF(t->srv->st, w), CTR_ERR_RESP, 1);
			ctr_add(CTR_OF(t->be->st, w), CTR_ERR_RESP, 1);
		}
	}
}

/* The server answered: how long it took, in the histograms. */
static void
txn_count_rt(struct txn *t)
{
	static const uint64_t bounds_ms[] = CTR_RT_BOUNDS_MS;
	struct eng_worker *w = t->s->w;
	uint64_t us = sess_now_us(w) - t->t0_us;
	unsigned b;

	for (b = 0; b < CTR_RT_NBUCKETS && us > bounds_ms[b] * 1000; b++)
		;
	if (t->t0_us == 0 || us > UINT32_MAX * 1000ull)
		return;
	ctr_add(CTR_OF(t->be->st, w), CTR_RT_SUM_US, us);
	ctr_add(CTR_OF(t->be->st, w), CTR_RT_COUNT, 1);
	ctr_add(CTR_OF(t->srv->st, w), CTR_RT_SUM_US, us);
	ctr_add(CTR_OF(t->srv->st, w), CTR_RT_COUNT, 1);
	if (b < CTR_RT_NBUCKETS) {
		ctr_add(CTR_OF(t->be->st, w), (enum ctr_idx)(CTR_RT_BUCKET + b),
		    1);
		ctr_add(CTR_OF(t->srv->st, w),
		    (enum ctr_idx)(CTR_RT_BUCKET + b), 1);
	}
}

/* A request refused as malformed, kept for the admin's 'show errors'. */
static void
sess_capture_err(struct sess *s, unsigned status, const char *why)
{
	struct txn *t = s->txn;
	struct state_err e;
	char ip[INET6_ADDRSTRLEN];

	if (t->g == NULL || t->g->state == NULL || t->req == NULL)
		return;
	ctr_add(CTR_OF(t->fe->st, s->w), CTR_ERR_REQ, 1);
	memset(&e, 0, sizeof(e));
	e.when_us = sess_now_us(s->w);
	e.status = status;
	e.err_pos = t->reqm.err_pos;
	snprintf(e.fe, sizeof(e.fe), "%s", t->fe->px.name);
	if (s->peer.sa.sa_family == AF_INET6)
		snprintf(e.src, sizeof(e.src), "[%s]:%u", inet_ntop(AF_INET6,
		    &s->peer.in6.sin6_addr, ip, sizeof(ip)),
		    ntohs(s->peer.in6.sin6_port));
	else if (s->peer.sa.sa_family == AF_INET)
		snprintf(e.src, sizeof(e.src), "%s:%u", inet_ntop(AF_INET,
		    &s->peer.in.sin_addr, ip, sizeof(ip)),
		    ntohs(s->peer.in.sin_port));
	snprintf(e.reason, sizeof(e.reason), "%s", why);
	state_err_capture(t->g->state, s->w->id, &e, t->req->data,
	    t->req->end);
}

/* ---- pools ------------------------------------------------------------- */

static struct txn *
txn_get(struct eng_worker *w)
{
	struct txn *t = w->free_txn;

	if (t != NULL)
		w->free_txn = t->next;
	else if ((t = malloc(sizeof(*t))) == NULL)
		return NULL;
	/* everything before the edits and parsers, which say their size */
	memset(t, 0, offsetof(struct txn, req_ops));
	t->req_ops.n = 0;
	t->rsp_ops.n = 0;
	return t;
}

static void
txn_put(struct eng_worker *w, struct txn *t)
{
	t->next = w->free_txn;
	w->free_txn = t;
}

static struct srvconn *
sc_get(struct eng_worker *w)
{
	struct srvconn *sc = w->free_sc;

	if (sc != NULL)
		w->free_sc = sc->next;
	else if ((sc = malloc(sizeof(*sc))) == NULL)
		return NULL;
	memset(sc, 0, sizeof(*sc));
	sc->w = w;
	sc->fd = -1;
	return sc;
}

/* ---- accepting --------------------------------------------------------- */

static struct sess *
sess_new(struct eng_worker *w)
{
	struct sess *s = w->free_sess;

	if (s != NULL)
		w->free_sess = s->next;
	else if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->fd = -1;
	return s;
}

void
sess_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct lsn *l = arg;
	struct eng_worker *w = l->w;
	unsigned i;

	for (i = 0; i < 32; i++) {
		union sess_addr peer;
		socklen_t plen = sizeof(peer);
		struct sess *s;
		int fd;

		/* at maxconn: the kernel's queue holds the rest for now */
		if (w->nsess >= w->maxsess) {
			eng_pause_accept(w);
			return;
		}
		/* at the frontend's maxconn: this listener waits */
		if (l->nsess >= lsn_maxsess(l)) {
			l->full = true;
			event_del(&l->ev);
			return;
		}

		fd = accept4(lfd, &peer.sa, &plen, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd < 0) {
			/* out of fds: the socket stays readable; stop
			 * listening a while rather than spin on it */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				eng_accept_later(w);
			return;
		}
		s = sess_new(w);
		if (s == NULL) {
			close(fd);
			continue;
		}
		s->fd = fd;
		s->lsn = l;
		s->peer = peer;
		s->flags |= SF_NEW;
		l->nsess++;
		w->nsess++;
		s->next = w->live;
		if (w->live != NULL)
			w->live->prev = s;
		w->live = s;
		if (sess_start(s) == SESS_GONE)
			continue;
	}
}

/* The PROXY header read: the client is the one it names, if any. */
static void
sess_pp_apply(struct sess *s, const struct pp_addrs *pa)
{
	if (!pa->local && pa->family != AF_UNSPEC) {
		memcpy(&s->peer, &pa->src, sizeof(s->peer));
		memcpy(&s->pp_dst, &pa->dst, sizeof(s->pp_dst));
		s->flags |= SF_PP_DST;
	}
	s->flags &= ~SF_PP;
}

/* ---- TLS handshakes ---------------------------------------------------- */

/*
 * A PROXY protocol header comes before the TLS bytes: read it with
 * MSG_PEEK, then take exactly its bytes. Returns 1 once read, 0 when more
 * is needed, -1 after closing.
 */
static int
sess_tls_pp(struct sess *s)
{
	char b[PP_BUILD_MAX > 536 ? PP_BUILD_MAX : 536];
	struct pp_addrs pa;
	ssize_t n;
	int r;

	n = recv(s->fd, b, sizeof(b), MSG_PEEK);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		sess_close(s, "client closed");
		return -1;
	}
	r = pp_parse(b, (size_t)n, &pa);
	if (r == 0 && (size_t)n < sizeof(b))
		return 0;
	if (r <= 0 || recv(s->fd, b, (size_t)r, 0) != r) {
		sess_close(s, "bad PROXY protocol header");
		return -1;
	}
	sess_pp_apply(s, &pa);
	return 1;
}

/* Go on with the handshake; the first request follows it. */
static int
sess_handshake(struct sess *s)
{
	short what = EV_READ;
	int r = 1;

	if (s->flags & SF_PP) {
		r = sess_tls_pp(s);
		if (r < 0)
			return SESS_GONE;
	}
	if (r > 0) {
		ERR_clear_error();
		r = SSL_do_handshake(s->ssl);
		if (r == 1) {
			tls_bind_done(s->ssl);
			eng_graph_drop(s->w, s->hs_g);
			s->hs_g = NULL;
			s->state = SESS_IDLE;
			return txn_start(s);
		}
		switch (SSL_get_error(s->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			break;
		case SSL_ERROR_WANT_WRITE:
			what = EV_WRITE;
			break;
		default:
			/* a client's failure: not worth a log line each */
			SSL_set_quiet_shutdown(s->ssl, 1);
			ERR_clear_error();
			sess_close(s, "TLS handshake failed");
			return SESS_GONE;
		}
	}
	if (sess_want(s, what, s->hs_ms) < 0) {
		sess_close(s, "event error");
		return SESS_GONE;
	}
	return 0;
}

/*
 * A new connection: on a listener with ssl the handshake comes first,
 * holding the graph whose certificates it uses; else the first request.
 */
static int
sess_start(struct sess *s)
{
	struct eng_worker *w = s->w;
	struct graph *g;
	const struct g_frontend *fe;

	if (sess_conn_rules(s) == SESS_GONE)
		return SESS_GONE;
	g = eng_graph_take(w);
	fe = lsn_frontend(s->lsn, g);
	if (fe == NULL || s->lsn->cache_tls == NULL) {
		eng_graph_drop(w, g);
		return txn_start(s);
	}
	s->hs_g = g;
	s->hs_ms = (uint32_t)tls_bind_hs_ms(s->lsn->cache_tls);
	s->ssl = tls_bind_ssl(s->lsn->cache_tls, s->fd);
	if (s->ssl == NULL) {
		ERR_clear_error();
		sess_close(s, "out of memory");
		return SESS_GONE;
	}
	s->state = SESS_HANDSHAKE;
	s->flags &= ~SF_NEW;
	if (s->lsn->cache_pp)
		s->flags |= SF_PP;
	return sess_handshake(s);
}

/* ---- closing ----------------------------------------------------------- */

static void
txn_release_server(struct txn *t)
{
	if (t->counted) {
		atomic_fetch_sub_explicit(&t->srv->st->cur_conns, 1,
		    memory_order_relaxed);
		t->counted = false;
		/* a slot is free: the first request in the queue takes it */
		if (t->srv->maxconn > 0 && atomic_load_explicit(
		    &t->srv->be->st->qlen, memory_order_relaxed) > 0)
			q_grant(t->srv->be->st);
	}
}

/* Free the transaction and what it holds but the server connection. */
static void
txn_free(struct sess *s, struct txn *t)
{
	struct eng_worker *w = s->w;

	txn_count(t);
	if (t->logged)
		txn_log(s, t);
	if (t->q.where != QE_NONE)
		(void)q_leave(t, true);
	txn_untrack(t);
	txn_release_server(t);
	if (t->sc != NULL) {
		t->sc->txn = NULL;
		sc_close(t->sc);
		t->sc = NULL;
	}
	eng_buf_put(w, t->req);
	eng_buf_put(w, t->rsp);
	free(t->spend.p);
	free(t->cpend.p);
	if (t->g != NULL)
		eng_graph_drop(w, t->g);
	s->txn = NULL;
	txn_put(w, t);
}

/* The one way a session ends: everything freed, the socket closed. */
static void
sess_close(struct sess *s, const char *reason)
{
	struct eng_worker *w = s->w;

	if (s->txn != NULL) {
		txn_term(s->txn, reason);
		txn_free(s, s->txn);
	}
	sess_untrack(s);
	io_forget(w, &s->reg);
	if (s->hs_g != NULL) {
		eng_graph_drop(w, s->hs_g);
		s->hs_g = NULL;
	}
	io_tls_free(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	if (s->fe_ctr != NULL)
		ctr_add(s->fe_ctr, CTR_CONN_CUR, (uint64_t)-1);
	w->nsess--;
	if (s->lsn != NULL) {
		struct lsn *l = s->lsn;

		if (l->nsess > 0)
			l->nsess--;
		if (l->full && l->nsess < lsn_maxsess(l)) {
			l->full = false;
			if (!w->paused)
				event_add(&l->ev, NULL);
		}
	}
	if (w->paused && w->nsess < w->maxsess)
		eng_resume_accept(w);
	if (w->drained && w->nsess == 0)
		eng_maybe_end(w);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		w->live = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->prev = NULL;
	s->next = w->free_sess;
	w->free_sess = s;
}

/*
 * Close after an answer while the client may still be sending: closing
 * with unread input resets the connection, and the client could lose the
 * answer. Send our FIN and read what comes for a little while.
 */
static void
sess_linger(struct sess *s)
{
	if (s->txn != NULL)
		txn_free(s, s->txn);
	/*
	 * Its last answer is out: the connection no longer counts as open
	 * for the counters it tracks, or a client that reconnects at once
	 * would find itself counted twice.
	 */
	sess_untrack(s);
	if (io_shutdown(s->fd, s->ssl) < 0) {
		sess_close(s, "done");
		return;
	}
	s->state = SESS_LINGER;
	if (sess_want(s, EV_READ, 1000) < 0)
		sess_close(s, "event error");
}

static void
sess_on_linger(struct sess *s, short what)
{
	char sink[4096];
	unsigned i;

	if (what & EV_TIMEOUT) {
		sess_close(s, "linger timeout");
		return;
	}
	for (i = 0; i < 16; i++) {
		ssize_t n = read(s->fd, sink, sizeof(sink));

		if (n > 0)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;
	}
	if (i < 16)
		sess_close(s, "done");
}

static void
sc_close(struct srvconn *sc)
{
	struct eng_worker *w = sc->w;

	io_forget(w, &sc->reg);
	io_tls_free(sc->ssl);
	sc->ssl = NULL;
	if (sc->fd >= 0)
		close(sc->fd);
	sc->next = w->free_sc;
	w->free_sc = sc;
}

/* ---- stick counters ----------------------------------------------------- */

/* Let go of the entries the request tracked (conn_cur goes down). */
static void
txn_untrack(struct txn *t)
{
	/* a 4xx answer, from a server or from weir, is an HTTP error */
	bool err = t->status >= 400 && t->status <= 499;
	uint64_t now = 0;
	unsigned k;

	for (k = 0; k < 3; k++) {
		if (t->stk.e[k] == NULL)
			continue;
		if (err) {
			now = now != 0 ? now : io_now_ms();
			stk_count(t->stk.t[k], t->stk.e[k],
			    1u << STK_D_HTTP_ERR_RATE, now);
		}
		if (t->stk_sess & (1u << k)) {
			/* the session's: it lets go when it closes */
			t->stk.e[k] = NULL;
			continue;
		}
		stk_release(t->stk.t[k], t->stk.e[k], io_now_ms());
		t->stk.e[k] = NULL;
	}
	t->stk_sess = 0;
}

/*
 * A 429 says when to come back: the period of the request rate the
 * request was counted in (RFC 6585 4), in seconds.
 */
static size_t
txn_retry_after(const struct txn *t, char *out, size_t len, size_t cap)
{
	uint64_t secs = 1;
	char h[48];
	char *eol;
	unsigned k;
	int n;

	for (k = 0; k < 3; k++) {
		if (t->stk.t[k] != NULL &&
		    t->stk.t[k]->def.period_ms[STK_D_HTTP_REQ_RATE] > 0) {
			secs = (t->stk.t[k]->def.period_ms[STK_D_HTTP_REQ_RATE] +
			    999) / 1000;
			break;
		}
	}
	n = snprintf(h, sizeof(h), "Retry-After: %llu\r\n",
	    (unsigned long long)secs);
	eol = memchr(out, '\n', len);
	if (eol == NULL || n <= 0 || len + (size_t)n > cap)
		return len;
	eol++;
	memmove(eol + n, eol, len - (size_t)(eol - out));
	memcpy(eol, h, (size_t)n);
	return len + (size_t)n;
}

/* ---- tcp-request rules and stick rules ---------------------------------- */

/*
 * track-scN src: the client's entry in r's table becomes counter N of
 * sc, counting add (bits of 1 << enum stk_data) and one connection more
 * until let go. A counter already tracked stays (the first one wins).
 * Returns whether it tracked.
 */
static bool
tcp_track(const struct g_tcp_rule *r, const struct acl_sample *smp,
    struct acl_sc *sc, unsigned add)
{
	struct stk_table *tb;
	struct stk_entry *e;
	unsigned char key[STK_KEY_MAX];
	size_t kl;

	if (r->sc > 2 || sc->e[r->sc] != NULL || r->table == NULL ||
	    (tb = r->table->t) == NULL || smp->src == NULL)
		return false;
	kl = stk_key_ip(tb, smp->src, key);
	if ((e = stk_track(tb, key, kl, add, true, smp->now_ms)) == NULL)
		return false;
	sc->t[r->sc] = tb;
	sc->e[r->sc] = e;
	return true;
}

/*
 * Run tcp-request rules[0..n) over smp in order: track-sc rules track
 * into smp->sc and go on; the first accept or reject whose condition
 * holds ends them. Returns that rule, or NULL when none did; *tracked
 * says whether a counter was taken.
 */
static const struct g_tcp_rule *
tcp_rules(const struct g_tcp_rule *rules, unsigned n,
    const struct acl_sample *smp, unsigned add, bool *tracked)
{
	unsigned i;

	*tracked = false;
	for (i = 0; i < n; i++) {
		const struct g_tcp_rule *r = &rules[i];

		if (!graph_cond_match(r->cond, smp))
			continue;
		if (r->act != TCP_ACT_TRACK_SC)
			return r;
		if (tcp_track(r, smp, smp->sc, add))
			*tracked = true;
	}
	return NULL;
}

/*
 * A connection refused by a rule: no answer, and a reset rather than a
 * FIN (HAProxy's nolinger), so that it costs nothing more.
 */
static void
sess_refuse(struct sess *s, const char *why)
{
	struct linger nl = { 1, 0 };

	(void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &nl, sizeof(nl));
	sess_close(s, why);
}

/*
 * tcp-request connection rules, at accept: before the PROXY header, the
 * TLS handshake or any byte. The counters they track are the session's
 * until it closes, with the graph their tables are in. Returns 0, or
 * SESS_GONE after refusing the connection.
 */
static int
sess_conn_rules(struct sess *s)
{
	struct eng_worker *w = s->w;
	struct graph *g = eng_graph_take(w);
	const struct g_frontend *fe = lsn_frontend(s->lsn, g);
	const struct g_tcp_rule *r;
	struct acl_sample smp;
	struct acl_sc sc = { { NULL }, { NULL } };
	bool tracked;
	unsigned k;

	if (fe == NULL || fe->ntcp_conn == 0) {
		eng_graph_drop(w, g);
		return 0;
	}
	sess_sample(s, &smp);
	smp.sc = &sc;
	smp.g = g;
	smp.table = fe->px.table;
	smp.now_ms = io_now_ms();
	r = tcp_rules(fe->tcp_conn, fe->ntcp_conn, &smp,
	    1u << STK_D_CONN_RATE, &tracked);
	if (r != NULL && r->act == TCP_ACT_REJECT)
		ctr_add(CTR_OF(fe->st, w), CTR_DENIED_CONN, 1);
	if (tracked && (s->trk = malloc(sizeof(*s->trk))) != NULL) {
		s->trk->sc = sc;
		s->trk->g = g;
	} else {
		/* nothing tracked, or no memory to keep it: let go */
		for (k = 0; k < 3; k++)
			if (sc.e[k] != NULL)
				stk_release(sc.t[k], sc.e[k], smp.now_ms);
		eng_graph_drop(w, g);
	}
	if (r != NULL && r->act == TCP_ACT_REJECT) {
		sess_refuse(s, "rejected by tcp-request connection");
		return SESS_GONE;
	}
	return 0;
}

/* Let go of the counters the connection tracked (conn_cur goes down). */
static void
sess_untrack(struct sess *s)
{
	uint64_t now;
	unsigned k;

	if (s->trk == NULL)
		return;
	now = io_now_ms();
	for (k = 0; k < 3; k++)
		if (s->trk->sc.e[k] != NULL)
			stk_release(s->trk->sc.t[k], s->trk->sc.e[k], now);
	eng_graph_drop(s->w, s->trk->g);
	free(s->trk);
	s->trk = NULL;
}

/*
 * The session's counters are the request's too, in the slots it holds:
 * a later track-scN of the same N does not track again (HAProxy's
 * rule). An HTTP request counts in them (add: 1 << STK_D_HTTP_REQ_RATE).
 */
static void
txn_track_sess(struct txn *t, unsigned add, uint64_t now)
{
	struct sess *s = t->s;
	unsigned k;

	if (s->trk == NULL)
		return;
	for (k = 0; k < 3; k++) {
		if (s->trk->sc.e[k] == NULL || t->stk.e[k] != NULL)
			continue;
		t->stk.t[k] = s->trk->sc.t[k];
		t->stk.e[k] = s->trk->sc.e[k];
		t->stk_sess |= (uint8_t)(1u << k);
		if (add != 0)
			stk_count(t->stk.t[k], t->stk.e[k], add, now);
	}
}

/*
 * tcp-request content rules: in mode http once the request head is read
 * (smp describes it), in mode tcp when the stream starts (smp NULL).
 * Returns 0, or SESS_GONE after closing without an answer.
 */
static int
txn_content_rules(struct txn *t, struct acl_sample *smp)
{
	const struct g_frontend *fe = t->fe;
	const struct g_tcp_rule *r;
	struct acl_sample tcp;
	bool http = smp != NULL, tracked;

	if (smp == NULL) {
		memset(&tcp, 0, sizeof(tcp));
		tcp.src = &t->s->peer.sa;
		tcp.ssl = t->s->ssl;
		tcp.sc = &t->stk;
		tcp.g = t->g;
		tcp.table = fe->px.table;
		tcp.now_ms = io_now_ms();
		smp = &tcp;
	}
	txn_track_sess(t, http ? 1u << STK_D_HTTP_REQ_RATE : 0, smp->now_ms);
	if (fe->ntcp_content == 0)
		return 0;
	/* as http-request track-sc: a request counts where it is tracked */
	r = tcp_rules(fe->tcp_content, fe->ntcp_content, smp, http ?
	    1u << STK_D_HTTP_REQ_RATE | 1u << STK_D_CONN_RATE :
	    1u << STK_D_CONN_RATE, &tracked);
	if (r == NULL || r->act != TCP_ACT_REJECT)
		return 0;
	ctr_add(CTR_OF(fe->st, t->s->w), CTR_DENIED, 1);
	sess_refuse(t->s, "rejected by tcp-request content");
	return SESS_GONE;
}

/* The server of be whose state record id is id - 1, or NULL. */
static const struct g_server *
stick_server(const struct g_backend *be, int id)
{
	unsigned i;

	for (i = 0; id > 0 && i < be->nservers; i++)
		if (be->servers[i].st != NULL &&
		    be->servers[i].st->id == (unsigned)(id - 1))
			return &be->servers[i];
	return NULL;
}

/*
 * The key of stick rule r for the request smp describes, in key
 * (STK_KEY_MAX bytes): the client's address, or a header's value. Returns
 * its length, 0 when the request has none.
 */
static size_t
stick_key(const struct g_stick_rule *r, const struct acl_sample *smp,
    unsigned char *key)
{
	const char *v;
	size_t vl = 0;

	if (r->key == STICK_KEY_SRC)
		return stk_key_ip(r->table->t, smp->src, key);
	if (smp->hdr == NULL || (v = smp->hdr(smp->hdr_arg, r->key_arg,
	    r->key_arg_len, 0, &vl)) == NULL || vl == 0)
		return 0;
	if (vl > STK_KEY_MAX)
		vl = STK_KEY_MAX;
	memcpy(key, v, vl);
	return vl;
}

/* What stick rules are matched against: the request, or the connection. */
static void
txn_stick_sample(struct txn *t, struct http_view *v, struct acl_sample *smp)
{
	struct sess *s = t->s;

	if (s->flags & SF_HTTP) {
		v->buf = t->req->data;
		v->m = &t->reqm;
		http_sample(smp, v, &s->peer.sa);
		smp->dst = sess_dst;
		smp->dst_arg = s;
	} else {
		sess_sample(s, smp);
	}
	smp->ssl = s->ssl;
	smp->sc = &t->stk;
	smp->g = t->g;
	smp->table = t->be->px.table;
	smp->now_ms = io_now_ms();
}

/*
 * stick match and stick on, once per request: the first matching rule
 * whose table names a usable server of the backend sends the request
 * there; otherwise the balancer picks. Rules that store are noted for
 * txn_stick_store(). A server a cookie chose is kept.
 */
static void
txn_stick_match(struct txn *t)
{
	const struct g_backend *be = t->be;
	struct http_view v;
	struct acl_sample smp;
	unsigned char key[STK_KEY_MAX];
	bool matched = t->same_srv && t->srv != NULL;
	unsigned i;

	t->stick_done = true;
	txn_stick_sample(t, &v, &smp);
	for (i = 0; i < be->nstick; i++) {
		const struct g_stick_rule *r = &be->stick[i];
		const struct g_server *srv;
		size_t kl;

		if (r->table == NULL || r->table->t == NULL ||
		    !graph_cond_match(r->cond, &smp))
			continue;
		if ((r->what & STICK_STORE) && i < 32)
			t->stick_store |= 1u << i;
		if (!(r->what & STICK_MATCH) || matched)
			continue;
		kl = stick_key(r, &smp, key);
		srv = stick_server(be, stk_server(r->table->t, key, kl,
		    smp.now_ms));
		if (srv != NULL && lb_usable(srv, t->tried)) {
			t->srv = srv;
			t->same_srv = true;
			matched = true;
		}
	}
}

/* stick store-request and stick on: the client's entries name t->srv. */
static void
txn_stick_store(struct txn *t)
{
	const struct g_backend *be = t->be;
	unsigned char key[STK_KEY_MAX];
	struct http_view v;
	struct acl_sample smp;
	unsigned i;

	if (t->srv->st == NULL)
		return;
	txn_stick_sample(t, &v, &smp);
	for (i = 0; i < be->nstick && i < 32; i++) {
		const struct g_stick_rule *r = &be->stick[i];
		size_t kl;

		if (!(t->stick_store & (1u << i)))
			continue;
		if ((kl = stick_key(r, &smp, key)) > 0)
			(void)stk_set_server(r->table->t, key, kl,
			    (int)t->srv->st->id + 1, smp.now_ms);
	}
}

/* ---- sticky cookies ----------------------------------------------------- */

static uint64_t
ck_now(void)
{
	return (uint64_t)time(NULL);
}

/* Add a header op to ops; false when ops are full. */
static bool
ck_op(struct http_ops *ops, bool del, const char *name, const char *val,
    size_t vlen)
{
	struct http_op *o;

	if (ops->n >= HTTP_MAX_OPS)
		return false;
	o = &ops->op[ops->n++];
	o->field = HTTP_OP_ADD;
	o->del = del;
	o->name = name;
	o->nlen = strlen(name);
	o->val = val;
	o->vlen = vlen;
	return true;
}

/*
 * The request's cookie of the backend: the server it names, if that one
 * is usable, takes the request; with indirect (insert) or prefix, what
 * the server is sent loses weir's mark.
 */
static void
txn_cookie_in(struct txn *t)
{
	const struct g_backend *be = t->be;
	const char *buf = t->req->data;
	uint64_t now = ck_now();
	bool found = false;
	size_t off = 0;
	unsigned j;
	int i = -1;

	t->ck_srv = NULL;
	t->ck_first = 0;
	while ((i = h1_hdr_find(&t->reqm, buf, "Cookie", 6, i + 1)) >= 0) {
		const struct h1_hdr *h = &t->reqm.hdrs[i];
		const char *v = buf + h->value_off, *sv;
		uint64_t last = 0, first = 0;
		size_t vo, vl, sl;

		if (!cookie_find(v, h->value_len, be->cookie_name,
		    be->cookie_name_len, &vo, &vl))
			continue;
		found = true;
		sv = v + vo;
		sl = vl;
		if (be->cookie_mode == COOKIE_PREFIX) {
			const char *tl = memchr(sv, '~', vl);

			sl = tl != NULL ? (size_t)(tl - sv) : 0;
		} else if (be->cookie_mode == COOKIE_INSERT) {
			sl = cookie_parse(sv, vl, &last, &first);
		}
		/* too old a mark does not count */
		if (be->cookie_maxidle_ms > 0 && (last == 0 || now < last ||
		    (now - last) * 1000 > be->cookie_maxidle_ms))
			continue;
		if (be->cookie_maxlife_ms > 0 && (first == 0 || now < first ||
		    (now - first) * 1000 > be->cookie_maxlife_ms))
			continue;
		for (j = 0; j < be->nservers; j++) {
			const struct g_server *s = &be->servers[j];

			if (s->cookie != NULL && s->cookie_len == sl &&
			    memcmp(s->cookie, sv, sl) == 0) {
				t->ck_srv = s;
				t->ck_first = first;
				break;
			}
		}
		if (t->ck_srv != NULL)
			break;
	}
	if (t->ck_srv != NULL && lb_usable(t->ck_srv, t->tried)) {
		t->srv = t->ck_srv;
		t->same_srv = true;
	}
	if (!found || !(be->cookie_mode == COOKIE_PREFIX ||
	    (be->cookie_mode == COOKIE_INSERT &&
	    (be->cookie_flags & COOKIE_INDIRECT))))
		return;
	/* the Cookie fields again, without weir's mark */
	i = -1;
	while ((i = h1_hdr_find(&t->reqm, buf, "Cookie", 6, i + 1)) >= 0) {
		const struct h1_hdr *h = &t->reqm.hdrs[i];

		if (!cookie_strip(t->ck_req, sizeof(t->ck_req), &off,
		    buf + h->value_off, h->value_len, be->cookie_name,
		    be->cookie_name_len, be->cookie_mode == COOKIE_INSERT))
			return;	/* too long to rewrite: sent as it came */
	}
	if (!ck_op(&t->req_ops, true, "Cookie", NULL, 0))
		return;
	if (off > 0)
		(void)ck_op(&t->req_ops, false, "Cookie", t->ck_req, off);
}

/* Append s[0..n) to t->ck_rsp at *off; false when it does not fit. */
static bool
ck_put(struct txn *t, size_t *off, const char *s, size_t n)
{
	if (*off + n >= sizeof(t->ck_rsp))
		return false;
	memcpy(t->ck_rsp + *off, s, n);
	*off += n;
	return true;
}

/* insert: Set-Cookie with the server's mark, unless the client has it. */
static void
txn_cookie_insert(struct txn *t)
{
	const struct g_backend *be = t->be;
	const struct g_server *s = t->srv;
	bool dated = be->cookie_maxidle_ms > 0 || be->cookie_maxlife_ms > 0;
	uint64_t now = ck_now();
	size_t off = 0, start, n;
	char val[160];
	int i;

	if (t->ck_srv == s && !dated)
		return;
	if ((be->cookie_flags & COOKIE_POSTONLY) &&
	    !(t->reqm.method_len == 4 &&
	    memcmp(t->req->data + t->reqm.method_off, "POST", 4) == 0))
		return;
	if (be->cookie_flags & COOKIE_PRESERVE) {
		/* a server that sets the cookie itself keeps its word */
		for (i = -1; (i = h1_hdr_find(&t->rspm, t->rsp->data,
		    "Set-Cookie", 10, i + 1)) >= 0;) {
			const struct h1_hdr *h = &t->rspm.hdrs[i];

			if (h->value_len > be->cookie_name_len &&
			    memcmp(t->rsp->data + h->value_off,
			    be->cookie_name, be->cookie_name_len) == 0 &&
			    t->rsp->data[h->value_off +
			    be->cookie_name_len] == '=')
				return;
		}
	}
	n = cookie_value(val, sizeof(val), s->cookie, dated, now,
	    t->ck_srv == s && t->ck_first ? t->ck_first : now);
	start = off;
	if (n == 0 || !ck_put(t, &off, be->cookie_name, be->cookie_name_len) ||
	    !ck_put(t, &off, "=", 1) || !ck_put(t, &off, val, n) ||
	    !ck_put(t, &off, "; path=/", 8))
		return;
	if (be->cookie_domain != NULL &&
	    (!ck_put(t, &off, "; domain=", 9) || !ck_put(t, &off,
	    be->cookie_domain, strlen(be->cookie_domain))))
		return;
	if (be->cookie_maxlife_ms > 0 && t->ck_srv != s) {
		/* the browser forgets it with its life */
		char ma[40];
		int ml = snprintf(ma, sizeof(ma), "; Max-Age=%llu",
		    (unsigned long long)(be->cookie_maxlife_ms / 1000));

		if (!ck_put(t, &off, ma, (size_t)ml))
			return;
	}
	if ((be->cookie_flags & COOKIE_HTTPONLY) &&
	    !ck_put(t, &off, "; HttpOnly", 10))
		return;
	if ((be->cookie_flags & COOKIE_SECURE) &&
	    !ck_put(t, &off, "; Secure", 8))
		return;
	if (be->cookie_attr != NULL && (!ck_put(t, &off, "; ", 2) ||
	    !ck_put(t, &off, be->cookie_attr, strlen(be->cookie_attr))))
		return;
	if (!ck_op(&t->rsp_ops, false, "Set-Cookie", t->ck_rsp + start,
	    off - start))
		return;
	if (be->cookie_flags & COOKIE_NOCACHE)
		(void)ck_op(&t->rsp_ops, false, "Cache-Control", "private", 7);
}

/*
 * rewrite and prefix: the server's own Set-Cookie of the cookie gets the
 * server's mark as its value, or before its value.
 */
static void
txn_cookie_rewrite(struct txn *t)
{
	const struct g_backend *be = t->be;
	const struct g_server *s = t->srv;
	const char *buf = t->rsp->data;
	size_t off = 0, starts[HTTP_MAX_OPS], lens[HTTP_MAX_OPS];
	unsigned n = 0, k;
	bool ours = false;
	int i;

	for (i = -1; (i = h1_hdr_find(&t->rspm, buf, "Set-Cookie", 10,
	    i + 1)) >= 0;) {
		const struct h1_hdr *h = &t->rspm.hdrs[i];
		const char *v = buf + h->value_off;
		size_t nl = be->cookie_name_len, start = off;
		bool mine = h->value_len > nl &&
		    memcmp(v, be->cookie_name, nl) == 0 && v[nl] == '=';

		if (n + 2 >= HTTP_MAX_OPS)
			return;
		if (!mine) {
			if (!ck_put(t, &off, v, h->value_len))
				return;
		} else if (be->cookie_mode == COOKIE_PREFIX) {
			if (!ck_put(t, &off, v, nl + 1) ||
			    !ck_put(t, &off, s->cookie, s->cookie_len) ||
			    !ck_put(t, &off, "~", 1) ||
			    !ck_put(t, &off, v + nl + 1, h->value_len - nl - 1))
				return;
			ours = true;
		} else {
			const char *semi = memchr(v, ';', h->value_len);
			size_t rest = semi ? h->value_len -
			    (size_t)(semi - v) : 0;

			if (!ck_put(t, &off, v, nl + 1) ||
			    !ck_put(t, &off, s->cookie, s->cookie_len) ||
			    (semi && !ck_put(t, &off, semi, rest)))
				return;
			ours = true;
		}
		starts[n] = start;
		lens[n++] = off - start;
	}
	if (!ours || !ck_op(&t->rsp_ops, true, "Set-Cookie", NULL, 0))
		return;
	for (k = 0; k < n; k++)
		(void)ck_op(&t->rsp_ops, false, "Set-Cookie",
		    t->ck_rsp + starts[k], lens[k]);
}

static void
txn_cookie_out(struct txn *t)
{
	if (t->srv == NULL || t->srv->cookie == NULL)
		return;
	if (t->be->cookie_mode == COOKIE_INSERT)
		txn_cookie_insert(t);
	else
		txn_cookie_rewrite(t);
}

/* ---- the backend queue (server maxconn) --------------------------------- */

/* Append q to b's queue, or put it first (a grant that found no room). */
static void
q_push(struct state_backend *b, struct qent *q, bool first)
{
	unsigned n;

	pthread_mutex_lock(&b->qlock);
	q->where = QE_QUEUED;
	if (first) {
		q->prev = NULL;
		q->next = b->qhead;
		if (b->qhead != NULL)
			b->qhead->prev = q;
		else
			b->qtail = q;
		b->qhead = q;
	} else {
		q->next = NULL;
		q->prev = b->qtail;
		if (b->qtail != NULL)
			b->qtail->next = q;
		else
			b->qhead = q;
		b->qtail = q;
	}
	n = atomic_fetch_add(&b->qlen, 1) + 1;
	if (n > atomic_load(&b->qmax))
		atomic_store(&b->qmax, n);
	pthread_mutex_unlock(&b->qlock);
}

/* Out of b's queue; b->qlock held, q queued. */
static void
q_unlink(struct state_backend *b, struct qent *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		b->qhead = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		b->qtail = q->prev;
	q->next = q->prev = NULL;
	q->where = QE_NONE;
	atomic_fetch_sub(&b->qlen, 1);
}

/*
 * A server of b has a free slot: hand it to the first request queued,
 * on its worker's thread. Any worker.
 */
static void
q_grant(struct state_backend *b)
{
	struct eng_worker *w;
	struct qent *q;
	uint64_t one = 1;

	pthread_mutex_lock(&b->qlock);
	if ((q = b->qhead) == NULL) {
		pthread_mutex_unlock(&b->qlock);
		return;
	}
	q_unlink(b, q);
	w = q->w;
	pthread_mutex_lock(&w->grant_lock);
	q->where = QE_GRANTED;
	q->prev = NULL;
	q->next = w->grants;
	if (w->grants != NULL)
		w->grants->prev = q;
	w->grants = q;
	pthread_mutex_unlock(&w->grant_lock);
	pthread_mutex_unlock(&b->qlock);
	(void)!write(w->wake_fd, &one, sizeof(one));
}

/*
 * t leaves the queue without being served (its session ends, or it timed
 * out). Returns false when a grant is already on its way (the caller
 * waits for it instead), true when t is out.
 */
static bool
q_leave(struct txn *t, bool drop_grant)
{
	struct state_backend *b = t->be->st;
	struct qent *q = &t->q;
	struct eng_worker *w = t->s->w;
	bool regrant = false;

	pthread_mutex_lock(&b->qlock);
	if (q->where == QE_QUEUED) {
		q_unlink(b, q);
	} else if (q->where == QE_GRANTED) {
		if (!drop_grant) {
			pthread_mutex_unlock(&b->qlock);
			return false;
		}
		pthread_mutex_lock(&w->grant_lock);
		if (q->prev != NULL)
			q->prev->next = q->next;
		else
			w->grants = q->next;
		if (q->next != NULL)
			q->next->prev = q->prev;
		q->next = q->prev = NULL;
		q->where = QE_NONE;
		pthread_mutex_unlock(&w->grant_lock);
		regrant = true;	/* the slot goes to the next one */
	}
	pthread_mutex_unlock(&b->qlock);
	if (regrant)
		q_grant(b);
	return true;
}

/* Wait in t's backend queue for a server with room, timeout queue long. */
static int
txn_enqueue(struct txn *t, bool first)
{
	struct sess *s = t->s;

	t->q.txn = t;
	t->q.w = s->w;
	if (t->logged && t->ts_qin == 0)
		t->ts_qin = txn_now(t);
	q_push(t->be->st, &t->q, first);
	if (sess_want(s, 0, t->be->px.timeout_ms[TO_QUEUE]) < 0) {
		sess_close(s, "event error");
		return SESS_GONE;
	}
	return 0;
}

void
sess_run_grants(struct eng_worker *w)
{
	unsigned n;

	/* one at a time: serving one may end another */
	for (n = 0; n < 100000; n++) {
		struct qent *q;
		struct txn *t;

		pthread_mutex_lock(&w->grant_lock);
		if ((q = w->grants) != NULL) {
			w->grants = q->next;
			if (w->grants != NULL)
				w->grants->prev = NULL;
			q->next = q->prev = NULL;
			q->where = QE_NONE;
		}
		pthread_mutex_unlock(&w->grant_lock);
		if (q == NULL)
			break;
		t = q->txn;
		t->granted = true;
		TXN_STAMP(t, ts_qout);
		(void)txn_connect(t);
	}
}

/* ---- server connections ------------------------------------------------ */

static void
sc_idle_remove(struct srvconn *sc)
{
	struct eng_idle *idle = &sc->w->idle[sc->sid];

	if (sc->prev != NULL)
		sc->prev->next = sc->next;
	else
		idle->head = sc->next;
	if (sc->next != NULL)
		sc->next->prev = sc->prev;
	sc->next = sc->prev = NULL;
	idle->n--;
}

/* Keep a connection whose exchange ended cleanly for the next request. */
static void
sc_park(struct srvconn *sc, uint64_t idle_ms)
{
	struct eng_idle *idle = &sc->w->idle[sc->sid];

	/* the pool is bounded: past it, the connection goes */
	if (idle->n >= ENG_MAX_IDLE_PER_SRV) {
		sc_close(sc);
		return;
	}
	sc->txn = NULL;
	sc->state = SC_IDLE;
	sc->reused = true;
	sc->prev = NULL;
	sc->next = idle->head;
	if (idle->head != NULL)
		idle->head->prev = sc;
	idle->head = sc;
	idle->n++;
	/* still registered for reading: a close by the server is seen */
	sc_want(sc, EV_READ, idle_ms);
}

static void
sc_on_idle_event(struct srvconn *sc, short what)
{
	char b[64];

	/* an idle server speaks only to close (or to break the protocol) */
	if ((what & EV_READ) && sc->ssl != NULL) {
		/* or, over TLS, to send a session ticket */
		int r = SSL_read(sc->ssl, b, sizeof(b));

		if (r <= 0 && SSL_get_error(sc->ssl, r) ==
		    SSL_ERROR_WANT_READ) {
			if (SSL_has_pending(sc->ssl))
				event_active(&sc->reg.ev, EV_READ, 0);
			return;
		}
		ERR_clear_error();
	} else if (what & EV_READ) {
		ssize_t r = read(sc->fd, b, sizeof(b));

		if (r < 0 && errno == EAGAIN)
			return;
	}
	sc_idle_remove(sc);
	sc_close(sc);
}

/*
 * The TLS side of a new connection to an ssl server: the SNI (from the
 * request when the server says req.hdr), the last session to resume.
 */
static int
sc_tls(struct txn *t, struct srvconn *sc, struct eng_idle *idle)
{
	const struct tls_srv *ts = t->srv->tls;
	const char *hdr, *sni = NULL;
	size_t hl, sl = 0;

	hdr = tls_srv_sni_hdr(ts, &hl);
	if (hdr != NULL && (t->s->flags & SF_HTTP) && t->req != NULL) {
		int i = h1_hdr_find(&t->reqm, t->req->data, hdr, hl, 0);

		if (i >= 0) {
			sni = t->req->data + t->reqm.hdrs[i].value_off;
			sl = t->reqm.hdrs[i].value_len;
		}
		sc->priv = true;
	}
	/* a session is resumed with the name it was made for only */
	sc->ssl = tls_srv_ssl(ts, sc->fd, sni, sl, sc->priv ? NULL :
	    idle->tls_sess);
	if (sc->ssl == NULL)
		return -1;
	SSL_set_app_data(sc->ssl, sc);
	return 0;
}

int
sess_tls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct srvconn *sc = SSL_get_app_data(ssl);
	struct eng_idle *idle;

	if (sc == NULL || sc->priv || sc->sid >= sc->w->nidle)
		return 0;
	/* the worker's own slot for this server: no lock */
	idle = &sc->w->idle[sc->sid];
	SSL_SESSION_free(idle->tls_sess);
	idle->tls_sess = sess;
	return 1;
}

/*
 * A server connection for t->srv: an idle one of this worker, or a new
 * one whose connect is under way. Returns 0, or -1 when a socket cannot
 * be had (the caller tries another server).
 */
static int
txn_get_sc(struct txn *t)
{
	struct eng_worker *w = t->s->w;
	struct eng_idle *idle = eng_idle_of(w, t->srv);
	struct srvconn *sc;
	size_t hl;
	int one = 1;

	/* a connection that said who its client was serves that one only */
	if (idle != NULL && idle->head != NULL &&
	    !(t->srv->flags & (SRV_SEND_PROXY | SRV_SEND_PROXY_V2)) &&
	    !(t->srv->tls != NULL && tls_srv_sni_hdr(t->srv->tls, &hl))) {
		sc = idle->head;
		sc_idle_remove(sc);
		sc->state = SC_BUSY;
		sc->txn = t;
		t->sc = sc;
		return 0;
	}
	if (idle == NULL || (sc = sc_get(w)) == NULL)
		return -1;
	sc->sid = t->srv->st->id;
	sc->fd = socket(t->srv->addr.ss.ss_family, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sc->fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		/* idle connections to other servers give way */
		sess_close_idle_servers(w);
		sc->fd = socket(t->srv->addr.ss.ss_family, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (sc->fd < 0) {
		sc_close(sc);
		return -1;
	}
	(void)setsockopt(sc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (t->srv->tls != NULL && sc_tls(t, sc, idle) < 0) {
		sc_close(sc);
		return -1;
	}
	sc->txn = t;
	t->sc = sc;
	if (connect(sc->fd, (const struct sockaddr *)&t->srv->addr.ss,
	    t->srv->addr.len) == 0) {
		/* over TLS the handshake comes first: on write readiness */
		sc->state = sc->ssl ? SC_CONNECTING : SC_BUSY;
		return 0;
	}
	if (errno != EINPROGRESS) {
		sc->state = SC_CONNECTING;	/* failed: reported on write */
		return 0;
	}
	sc->state = SC_CONNECTING;
	return 0;
}

/* ---- the request path -------------------------------------------------- */

/* Start reading a request: from a new connection or a kept-alive one. */
static int
txn_start(struct sess *s)
{
	struct eng_worker *w = s->w;
	const struct g_frontend *fe;
	struct txn *t;

	t = txn_get(w);
	if (t == NULL) {
		sess_close(s, "out of memory");
		return SESS_GONE;
	}
	t->s = s;
	s->txn = t;
	t->g = eng_graph_take(w);
	fe = s->lsn ? lsn_frontend(s->lsn, t->g) : NULL;
	if (fe == NULL) {
		/* the listener is gone from the configuration */
		sess_close(s, "no frontend");
		return SESS_GONE;
	}
	t->fe = fe;
	s->ka_ms = (uint32_t)fe->px.timeout_ms[TO_HTTP_KEEP_ALIVE];
	if (fe->px.log_mask != 0)
		txn_log_begin(t);
	if (s->flags & SF_NEW) {
		s->flags &= ~SF_NEW;
		if (s->lsn->cache_pp)
			s->flags |= SF_PP;
		s->fe_ctr = CTR_OF(fe->st, w);
		ctr_add(s->fe_ctr, CTR_CONN_TOT, 1);
		ctr_add(s->fe_ctr, CTR_CONN_CUR, 1);
	}
	if (fe->px.mode == PX_MODE_TCP && (s->flags & SF_PP)) {
		/* the real client first: source balancing needs it */
		s->state = SESS_REQ;
		t->req = eng_buf_get(w);
		if (t->req == NULL) {
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		return sess_read_req(s);
	}
	if (fe->px.mode == PX_MODE_TCP) {
		s->flags &= ~SF_HTTP;
		s->state = SESS_TUNNEL;
		if (txn_content_rules(t, NULL) == SESS_GONE)
			return SESS_GONE;
		t->be = txn_tcp_backend(t);
		if (t->be == NULL) {
			sess_close(s, "no backend");
			return SESS_GONE;
		}
		t->req = eng_buf_get(w);
		t->rsp = eng_buf_get(w);
		if (t->req == NULL || t->rsp == NULL) {
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		return txn_connect(t);
	}
	s->flags |= SF_HTTP;
	s->state = SESS_REQ;
	h1_msg_init(&t->reqm, H1_REQUEST, t->g->maxhdr);
	t->req = eng_buf_get(w);
	if (t->req == NULL) {
		sess_close(s, "out of memory");
		return SESS_GONE;
	}
	return sess_read_req(s);
}

/* A tcp frontend's backend: its use_backend rules (on src), or default. */
static const struct g_backend *
txn_tcp_backend(struct txn *t)
{
	struct acl_sample smp;
	unsigned i;

	sess_sample(t->s, &smp);
	smp.ssl = t->s->ssl;
	smp.sc = &t->stk;
	smp.g = t->g;
	smp.table = t->fe->px.table;
	smp.now_ms = io_now_ms();
	for (i = 0; i < t->fe->nswitches; i++)
		if (graph_cond_match(t->fe->switches[i].cond, &smp))
			return t->fe->switches[i].be;
	return t->fe->default_be;
}

/* Back to idle between requests: no buffer, no transaction. */
static int
sess_idle(struct sess *s)
{
	s->state = SESS_IDLE;
	return sess_want(s, EV_READ, s->ka_ms);
}

/*
 * A PROXY protocol header at the start of b: the client's real address
 * replaces the peer's. Returns 1 once read (and dropped from b), 0 when
 * more bytes are needed, -1 after closing on a bad one.
 */
static int
sess_pp(struct sess *s, struct buf *b)
{
	struct pp_addrs pa;
	int r = pp_parse(b->data + b->start, buf_len(b), &pa);

	if (r == 0 && buf_room(b) > 0)
		return 0;
	if (r <= 0) {
		sess_close(s, "bad PROXY protocol header");
		return -1;
	}
	sess_pp_apply(s, &pa);
	buf_consume(b, (uint32_t)r);
	buf_compact(b);
	return 1;
}

/* A tcp frontend whose PROXY header is read: on to the server. */
static int
sess_tcp_start(struct sess *s)
{
	struct txn *t = s->txn;

	s->flags &= ~SF_HTTP;
	s->state = SESS_TUNNEL;
	if (txn_content_rules(t, NULL) == SESS_GONE)
		return SESS_GONE;
	t->be = txn_tcp_backend(t);
	if (t->be == NULL) {
		sess_close(s, "no backend");
		return SESS_GONE;
	}
	t->rsp = eng_buf_get(s->w);
	if (t->rsp == NULL) {
		sess_close(s, "out of memory");
		return SESS_GONE;
	}
	return txn_connect(t);
}

/* Read and parse the request head; act on it once it is whole. */
static int
sess_read_req(struct sess *s)
{
	struct txn *t = s->txn;
	struct buf *b = t->req;
	ssize_t n;
	int r;

	for (;;) {
		if ((s->flags & SF_PP) && buf_len(b) > 0) {
			r = sess_pp(s, b);
			if (r < 0)
				return SESS_GONE;
			if (r > 0 && t->fe->px.mode == PX_MODE_TCP)
				return sess_tcp_start(s);
		}
		/* bytes left by a pipelined request come first */
		if (!(s->flags & SF_PP) && buf_len(b) > 0 &&
		    t->reqm.pos < b->end) {
			r = h1_parse(&t->reqm, b->data, b->end);
			if (r > 0)
				break;
			if (r < 0) {
				sess_capture_err(s, (unsigned)h1_err_status(
				    t->reqm.err), h1_err_str(t->reqm.err));
				return sess_answer(s, (unsigned)h1_err_status(
				    t->reqm.err), h1_err_str(t->reqm.err));
			}
		}
		if (buf_room(b) == 0) {
			t->reqm.err_pos = b->end;
			sess_capture_err(s, t->reqm.state <= H1_S_TARGET ?
			    414 : 431, "request head too large");
			return sess_answer(s, t->reqm.state <= H1_S_TARGET ?
			    414 : 431, "request head too large");
		}
		n = io_read(s->fd, s->ssl, b);
		if (n > 0)
			t->bin += (uint64_t)n;
		if (n == 0) {
			/* a client that leaves between requests is no error */
			sess_close(s, buf_len(b) ? "client closed mid-request" :
			    "client closed");
			return SESS_GONE;
		}
		if (n == -2) {
			sess_close(s, "client read error");
			return SESS_GONE;
		}
		if (n == -1) {
			if (buf_len(b) == 0) {
				/* nothing yet: wait holding no buffer */
				eng_buf_put(s->w, b);
				t->req = NULL;
				eng_graph_drop(s->w, t->g);
				t->g = NULL;
				txn_put(s->w, t);
				s->txn = NULL;
				return sess_idle(s);
			}
			return txn_rearm(t);
		}
	}
	t->hlen = (uint32_t)r;
	return txn_request(s);
}

/* Answer a request from weir itself (redirect, return) or refuse it. */
static int
sess_send_own(struct sess *s, const char *data, size_t len, bool close)
{
	struct txn *t = s->txn;
	struct iovec iov = { (void *)data, len };
	ssize_t n;

	if (close)
		s->flags |= SF_CLOSE;
	/* a request body weir did not read may still be coming */
	if (close && (t->req_phase != RQ_DONE ||
	    t->req_body != H1_BODY_NONE))
		s->flags |= SF_LINGER;
	n = io_writev(s->fd, s->ssl, &iov, 1);
	if (n < 0) {
		sess_close(s, "client write error");
		return SESS_GONE;
	}
	t->bout += (uint64_t)n;
	t->bytes_out += (uint64_t)n;
	if (t->logged && t->term == 0)
		t->term = 'L';		/* answered by weir itself */
	t->rsp_phase = RS_DONE;
	t->req_phase = RQ_DONE;
	if ((size_t)n < len) {
		if (pend_set(&t->cpend, data + n, len - (size_t)n) < 0) {
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		s->state = close ? SESS_CLOSING : SESS_REQ;
		return txn_rearm(t);
	}
	return txn_end(t);
}

/*
 * weir's own answer with status; after an error the connection closes,
 * since the rest of the client's bytes cannot be trusted.
 */
static int
sess_answer(struct sess *s, unsigned status, const char *why)
{
	struct txn *t = s->txn;
	char *out = s->w->scratch;
	size_t len;

	if (t != NULL) {
		t->status = status;
		txn_term(t, why);
	}
	/* the backend's errorfile first, when one was chosen */
	len = 0;
	if (t != NULL && t->be != NULL)
		len = http_answer_file(out, s->w->scratch_size, status,
		    &t->be->px);
	if (len == 0)
		len = http_answer(out, s->w->scratch_size, status,
		    t && t->fe ? &t->fe->px : NULL, true);
	if (status == 429 && t != NULL && len > 0)
		len = txn_retry_after(t, out, len, s->w->scratch_size);
	/* whatever the client sends after this is not read as a request */
	s->flags |= SF_LINGER;
	if (len == 0) {
		sess_close(s, "answer too large");
		return SESS_GONE;
	}
	/* the request is over whatever its body: no more reading */
	if (t != NULL && t->sc != NULL) {
		txn_release_server(t);
		t->sc->txn = NULL;
		sc_close(t->sc);
		t->sc = NULL;
	}
	return sess_send_own(s, out, len, true);
}

/* The length of the path and its query: the target without scheme, host. */
static size_t
txn_path_query_len(const struct txn *t, const struct acl_sample *smp)
{
	const char *tg = t->req->data + t->reqm.target_off;

	/* "http://host" has no path in the buffer: "/" stands for it */
	if (smp->path < tg || smp->path > tg + t->reqm.target_len)
		return smp->path_len;
	return (size_t)(tg + t->reqm.target_len - smp->path);
}

/*
 * A page of weir's own: the Prometheus exposition, or a stats page. Built
 * whole, then sent as any answer of weir's (what the client does not
 * take at once is kept). Not on the proxying path: it allocates.
 */
static int
sess_send_stats(struct sess *s, const struct g_stats *cfg,
    const struct acl_sample *smp, bool close)
{
	struct txn *t = s->txn;
	struct stats_proc p;
	struct sbuf b = { 0 };
	char host[256];
	int r;

	stats_proc_fill(&p, t->g, host, sizeof(host));
	if (cfg == NULL) {
		struct sbuf body = { 0 };

		stats_prometheus(&body, t->g, &p);
		sbuf_printf(&b, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; "
		    "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
		    "Cache-Control: no-cache\r\nConnection: %s\r\n\r\n",
		    body.len, close ? "close" : "keep-alive");
		sbuf_add(&b, body.p ? body.p : "", body.len);
		if (body.oom)
			b.oom = true;
		sbuf_reset(&body);
		t->status = 200;
	} else {
		struct stats_req rq;
		int i = h1_hdr_find(&t->reqm, t->req->data, "Authorization",
		    13, 0);

		memset(&rq, 0, sizeof(rq));
		rq.method = smp->method;
		rq.method_len = smp->method_len;
		rq.path = smp->path;
		rq.path_len = txn_path_query_len(t, smp);
		if (i >= 0) {
			rq.auth = t->req->data + t->reqm.hdrs[i].value_off;
			rq.auth_len = t->reqm.hdrs[i].value_len;
		}
		rq.smp = smp;
		stats_http(&b, t->g, cfg, &rq, &p, close);
		t->status = b.len > 12 ? (unsigned)atoi(b.p + 9) : 500;
	}
	if (b.oom) {
		sbuf_reset(&b);
		return sess_answer(s, 500, "out of memory");
	}
	/* HEAD: the same head, no body (RFC 9110 9.3.2) */
	if (smp->method_len == 4 && memcmp(smp->method, "HEAD", 4) == 0) {
		const char *end = strstr(b.p, "\r\n\r\n");

		if (end != NULL)
			b.len = (size_t)(end + 4 - b.p);
	}
	r = sess_send_own(s, b.p, b.len, close);
	sbuf_reset(&b);
	return r;
}

/* The proxy whose option forwardfor applies: the backend's, else ours. */
static const struct g_proxy *
txn_xff_px(const struct txn *t)
{
	if (t->be->px.opts & (1u << OPT_FORWARDFOR))
		return &t->be->px;
	if (t->fe->px.opts & (1u << OPT_FORWARDFOR))
		return &t->fe->px;
	return NULL;
}

static bool
txn_xff_skip(const struct g_proxy *px, const struct txn *t)
{
	struct acl_pat p;
	struct acl_expr e;

	if (px->fwdfor_except_bits == 0)
		return false;
	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	p.net = px->fwdfor_except;
	p.bits = px->fwdfor_except_bits == 255 ? 0 : px->fwdfor_except_bits;
	e.crit = ACL_SRC;
	e.pats = &p;
	e.npats = 1;
	{
		struct acl_sample smp;

		memset(&smp, 0, sizeof(smp));
		smp.src = &t->s->peer.sa;
		return acl_expr_match(&e, &smp);
	}
}

static const char *
sess_peer_str(const struct sess *s, char *buf, size_t size)
{
	if (s->peer.sa.sa_family == AF_INET6)
		return inet_ntop(AF_INET6, &s->peer.in6.sin6_addr, buf,
		    (socklen_t)size);
	if (s->peer.sa.sa_family == AF_INET)
		return inet_ntop(AF_INET, &s->peer.in.sin_addr, buf,
		    (socklen_t)size);
	snprintf(buf, size, "unknown");
	return buf;
}

/*
 * The address the client connected to (dst, dst_port): its PROXY
 * header's, else asked of the socket once per connection.
 */
static const struct sockaddr *
sess_dst(void *arg)
{
	struct sess *s = arg;
	socklen_t dl = sizeof(s->pp_dst);

	if (!(s->flags & SF_PP_DST)) {
		if (getsockname(s->fd, &s->pp_dst.sa, &dl) < 0)
			return NULL;
		s->flags |= SF_PP_DST;
	}
	return &s->pp_dst.sa;
}

/* A sample of the connection alone: its addresses, no request. */
static void
sess_sample(struct sess *s, struct acl_sample *smp)
{
	memset(smp, 0, sizeof(*smp));
	smp->src = &s->peer.sa;
	smp->dst = sess_dst;
	smp->dst_arg = s;
}

/* The head of a parsed request is in t->req: route it and send it on. */
static int
txn_request(struct sess *s)
{
	struct txn *t = s->txn;
	struct http_view v = { t->req->data, &t->reqm };
	struct acl_sample smp;
	const struct g_http_rule *r;
	const struct g_frontend *fe = t->fe;
	const struct g_backend *be = NULL;
	char *out = s->w->scratch;
	size_t len;
	unsigned i;
	bool close;

	TXN_STAMP(t, ts_req);
	t->req->start = t->hlen;
	t->req_body = (uint8_t)h1_req_body(&t->reqm);
	t->req_left = t->req_body == H1_BODY_CLEN ? t->reqm.clen : 0;
	h1_chunk_init(&t->reqc);
	t->upgrade = (t->reqm.flags & H1_MF_UPGRADE) != 0;
	close = !h1_keepalive(&t->reqm) ||
	    (fe->px.opts & (1u << OPT_HTTPCLOSE));
	if (close)
		s->flags |= SF_CLOSE;

	http_sample(&smp, &v, &s->peer.sa);
	smp.dst = sess_dst;
	smp.dst_arg = s;
	smp.ssl = s->ssl;
	smp.sc = &t->stk;
	smp.g = t->g;
	smp.table = fe->px.table;
	smp.now_ms = io_now_ms();
	if (txn_content_rules(t, &smp) == SESS_GONE)
		return SESS_GONE;
	if (fe->monitor_uri != NULL &&
	    smp.path_len == strlen(fe->monitor_uri) &&
	    memcmp(smp.path, fe->monitor_uri, smp.path_len) == 0) {
		static const char ok[] = "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain\r\nContent-Length: 3\r\n"
		    "Cache-Control: no-cache\r\n\r\nok\n";

		t->status = 200;
		return sess_send_own(s, ok, sizeof(ok) - 1, close ||
		    t->req_body != H1_BODY_NONE);
	}
	r = http_rules(fe->px.http_req, fe->px.nhttp_req, &v, &smp,
	    &t->req_ops);
	for (i = 0; r == NULL && be == NULL && i < fe->nswitches; i++) {
		if (graph_cond_match(fe->switches[i].cond, &smp))
			be = fe->switches[i].be;
	}
	if (r == NULL && be == NULL)
		be = fe->default_be;
	/* the backend's own rules run after the frontend's */
	if (r == NULL && be != NULL && be != fe->self_be)
		r = http_rules(be->px.http_req, be->px.nhttp_req, &v, &smp,
		    &t->req_ops);
	if (r != NULL) {
		/* a body we will not read makes the connection unusable */
		bool cl = close || t->req_body != H1_BODY_NONE ||
		    r->act == HTTP_ACT_DENY;

		t->status = r->status;
		if (r->act == HTTP_ACT_PROMETHEUS)
			return sess_send_stats(s, NULL, &smp, cl);
		if (r == &http_rewrite_failed)
			return sess_answer(s, 500, "rewrite failed");
		if (r->act == HTTP_ACT_DENY) {
			ctr_add(CTR_OF(fe->st, s->w), CTR_DENIED, 1);
			/* deny_status 429 is how rate limits answer */
			if (r->status == 429)
				ctr_add(CTR_OF(fe->st, s->w), CTR_RATELIM, 1);
			return sess_answer(s, r->status, "denied");
		}
		len = r->act == HTTP_ACT_REDIRECT ?
		    http_redirect(out, s->w->scratch_size, r, &smp, cl) :
		    http_return(out, s->w->scratch_size, r, cl);
		if (len == 0)
			return sess_answer(s, 500, "answer too large");
		return sess_send_own(s, out, len, cl);
	}
	/* a stats page: the frontend's, or the backend's it routes to; its
	 * uri may hold a query ("/weir?stats") */
	if (fe->px.stats != NULL && stats_match(fe->px.stats, smp.path,
	    txn_path_query_len(t, &smp)))
		return sess_send_stats(s, fe->px.stats, &smp, close ||
		    t->req_body != H1_BODY_NONE);
	if (be != NULL && be->px.stats != NULL && stats_match(be->px.stats,
	    smp.path, txn_path_query_len(t, &smp))) {
		t->be = be;
		return sess_send_stats(s, be->px.stats, &smp, close ||
		    t->req_body != H1_BODY_NONE);
	}
	if (be == NULL)
		return sess_answer(s, 503, "no backend");
	t->be = be;
	if (be->cookie_name != NULL)
		txn_cookie_in(t);
	if (t->reqm.flags & H1_MF_EXPECT_100) {
		/* the server will answer 100 itself: forwarded as is */
	}
	return txn_connect(t);
}

/* Pick a server and get a connection to it; 503 when none is left. */
static int
txn_connect(struct txn *t)
{
	struct sess *s = t->s;
	struct eng_worker *w = s->w;
	const struct g_backend *be = t->be;
	unsigned races;
	struct lb_req lr;
	char ip[INET6_ADDRSTRLEN];

	if (t->t0_us == 0)
		t->t0_us = sess_now_us(w);
	memset(&lr, 0, sizeof(lr));
	lr.rr_pos = eng_rr_pos(w, be);
	lr.rng = &w->rng;
	lr.tried = t->tried;
	switch (be->algo) {
	case LB_SOURCE:
		if (s->peer.sa.sa_family == AF_INET6) {
			lr.key = &s->peer.in6.sin6_addr;
			lr.key_len = 16;
		} else {
			lr.key = &s->peer.in.sin_addr;
			lr.key_len = 4;
		}
		break;
	case LB_URI:
		if (s->flags & SF_HTTP) {
			struct http_view v = { t->req->data, &t->reqm };
			struct acl_sample smp;

			http_sample(&smp, &v, NULL);
			http_sample_ops(&smp, &v, &t->req_ops);
			lr.key = smp.path;
			lr.key_len = smp.path_len;
		}
		break;
	case LB_HDR:
		if (s->flags & SF_HTTP) {
			int i = h1_hdr_find(&t->reqm, t->req->data,
			    be->lb_arg, be->lb_arg_len, 0);

			if (i >= 0) {
				lr.key = t->req->data +
				    t->reqm.hdrs[i].value_off;
				lr.key_len = t->reqm.hdrs[i].value_len;
			}
		}
		break;
	default:
		break;
	}
	if (be->nstick > 0 && !t->stick_done)
		txn_stick_match(t);
	/* behind those already waiting: first come, first served */
	if (be->has_maxconn && !t->granted && t->tries == 0 &&
	    atomic_load_explicit(&be->st->qlen, memory_order_relaxed) > 0)
		return txn_enqueue(t, false);
	for (races = 0;;) {
		/* without redispatch a retry goes to the same server */
		if (t->same_srv && t->srv != NULL && lb_usable(t->srv, NULL))
			t->same_srv = false;
		else
			t->srv = lb_pick(be, &lr);
		if (t->srv == NULL && be->has_maxconn &&
		    (races >= 16 || lb_all_full(be, t->tried)))
			return txn_enqueue(t, t->granted);
		if (t->srv == NULL) {
			if (s->flags & SF_HTTP)
				return sess_answer(s, t->any_sent ? 502 : 503,
				    "no server");
			sess_close(s, "no server");
			return SESS_GONE;
		}
		/*
		 * Take the slot before using it: another thread may have
		 * taken the last one since the pick looked.
		 */
		if (atomic_fetch_add_explicit(&t->srv->st->cur_conns, 1,
		    memory_order_relaxed) >= (int)t->srv->maxconn &&
		    t->srv->maxconn > 0) {
			atomic_fetch_sub_explicit(&t->srv->st->cur_conns, 1,
			    memory_order_relaxed);
			if (++races >= 16)
				return txn_enqueue(t, t->granted);
			continue;
		}
		if (t->srv->idx < LB_TRIED_MAX)
			t->tried[t->srv->idx / 8] |=
			    (uint8_t)(1u << (t->srv->idx % 8));
		if (txn_get_sc(t) == 0)
			break;
		atomic_fetch_sub_explicit(&t->srv->st->cur_conns, 1,
		    memory_order_relaxed);
	}
	t->counted = true;
	if (t->stick_store != 0)
		txn_stick_store(t);
	ctr_add(CTR_OF(t->srv->st, w), CTR_CONN_TOT, 1);
	ctr_add(CTR_OF(be->st, w), CTR_CONN_TOT, 1);
	check_took(t->srv);
	t->rsp_phase = RS_WAIT;
	if (t->sc->state != SC_CONNECTING)
		TXN_STAMP(t, ts_con);
	if (!(s->flags & SF_HTTP)) {
		if ((t->srv->flags & (SRV_SEND_PROXY | SRV_SEND_PROXY_V2)) &&
		    txn_spend(t, NULL, 0) < 0) {
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		if (t->sc->state == SC_CONNECTING)
			return txn_rearm(t);
		return tunnel_pump(s);
	}

	/* the head for the server, built once per attempt */
	{
		const struct g_proxy *xpx = txn_xff_px(t);
		unsigned flags = 0;
		size_t len;

		if (xpx != NULL && !txn_xff_skip(xpx, t))
			flags |= HTTP_B_XFF;
		if (t->upgrade)
			flags |= HTTP_B_UPGRADE;
		len = http_build_req(w->scratch, w->scratch_size,
		    t->req->data, &t->reqm, &t->req_ops, flags,
		    xpx ? xpx->fwdfor_header : NULL,
		    (flags & HTTP_B_XFF) ? sess_peer_str(s, ip, sizeof(ip)) :
		    NULL);
		if (len == 0)
			return sess_answer(s, 431, "request head too large");
		t->req_phase = t->req_body == H1_BODY_NONE ? RQ_DONE :
		    RQ_BODY;
		free(t->spend.p);
		t->spend.p = NULL;
		t->spend.len = t->spend.off = 0;
		if (t->sc->state != SC_CONNECTING &&
		    !(t->srv->flags & (SRV_SEND_PROXY | SRV_SEND_PROXY_V2)))
			return txn_send_head(t, w->scratch, len);
		/* kept until the connection is up: new connections only */
		if (txn_spend(t, w->scratch, len) < 0) {
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		if (t->sc->state != SC_CONNECTING)
			return txn_send_req(t);
	}
	return txn_rearm(t);
}

/*
 * Keep bytes for the server in t->spend.p, after a PROXY protocol header
 * when the server asks for one. Returns 0, or -1 out of memory.
 */
static int
txn_spend(struct txn *t, const char *data, size_t len)
{
	struct sess *s = t->s;
	char pp[PP_BUILD_MAX];
	size_t pl = 0;

	if (t->srv->flags & (SRV_SEND_PROXY | SRV_SEND_PROXY_V2)) {
		union sess_addr dst;
		socklen_t dl = sizeof(dst);

		if (s->flags & SF_PP_DST)
			dst = s->pp_dst;
		else if (getsockname(s->fd, &dst.sa, &dl) < 0)
			memset(&dst, 0, sizeof(dst));
		pl = (t->srv->flags & SRV_SEND_PROXY) ?
		    pp_build_v1(pp, sizeof(pp), &s->peer.sa, &dst.sa) :
		    pp_build_v2(pp, sizeof(pp), &s->peer.sa, &dst.sa);
	}
	free(t->spend.p);
	t->spend.p = malloc(pl + len + 1);
	if (t->spend.p == NULL)
		return -1;
	memcpy(t->spend.p, pp, pl);
	if (len > 0)
		memcpy(t->spend.p + pl, data, len);
	t->spend.len = pl + len;
	t->spend.off = 0;
	return 0;
}

/* ---- request body and sending ------------------------------------------ */

/* Room in the request buffer after its head, the body moved down. */
static void
txn_req_compact(struct txn *t)
{
	struct buf *b = t->req;
	uint32_t base = t->hlen;

	if (b->start == base)
		return;
	memmove(b->data + base, b->data + b->start, b->end - b->start);
	b->end -= b->start - base;
	b->start = base;
}

/*
 * Account the request body bytes now in the buffer: how many may go to
 * the server (t->req_ready) and whether the body is complete. Returns 0,
 * or -1 for a malformed chunked body.
 */
static int
txn_req_scan(struct txn *t)
{
	struct buf *b = t->req;
	uint32_t avail = buf_len(b) - t->req_ready;
	size_t used = 0;
	int r;

	if (t->req_phase != RQ_BODY || avail == 0)
		return 0;
	switch (t->req_body) {
	case H1_BODY_CLEN:
		if (avail > t->req_left)
			avail = (uint32_t)t->req_left;
		t->req_ready += avail;
		t->req_left -= avail;
		if (t->req_left == 0)
			t->req_phase = RQ_DONE;
		return 0;
	case H1_BODY_CHUNKED:
		r = h1_chunk_parse(&t->reqc, b->data + b->start + t->req_ready,
		    avail, &used, NULL, NULL);
		if (r < 0)
			return -1;
		t->req_ready += (uint32_t)used;
		if (r == 1)
			t->req_phase = RQ_DONE;
		return 0;
	default:
		t->req_phase = RQ_DONE;
		return 0;
	}
}

/* Drop n bytes sent to the server from the pending head and the body. */
static void
txn_req_sent(struct txn *t, size_t n)
{
	n = pend_sent(&t->spend, n);
	t->req_ready -= (uint32_t)n;
	t->req_sent += (uint32_t)n;
	t->req->start += (uint32_t)n;
	if (t->req->start == t->req->end)
		t->req->start = t->req->end = t->hlen;
}

/* Write the head just built (in scratch) and what body is ready. */
static int
txn_send_head(struct txn *t, const char *head, size_t hlen)
{
	struct iovec iov[2];
	ssize_t n;
	int cnt = 0;

	if (txn_req_scan(t) < 0)
		return sess_answer(t->s, 400, "bad chunked body");
	iov[cnt].iov_base = (void *)head;
	iov[cnt++].iov_len = hlen;
	cnt = io_body(t->s->w, iov, cnt, t->req->data + t->req->start,
	    t->req_ready);
	n = io_writev(t->sc->fd, t->sc->ssl, iov, cnt);
	if (n < 0)
		return txn_server_error(t, "write error");
	t->head_sent = true;
	if ((size_t)n < hlen) {
		/* the rest waits, copied: scratch is the worker's */
		if (pend_set(&t->spend, head + n, hlen - (size_t)n) < 0) {
			sess_close(t->s, "out of memory");
			return SESS_GONE;
		}
		return txn_rearm(t);
	}
	txn_req_sent(t, (size_t)n - hlen);
	return txn_rearm(t);
}

/* Flush what the server still has to get: head remainder, body. */
static int
txn_send_req(struct txn *t)
{
	struct iovec iov[2];
	ssize_t n;
	int cnt = 0;

	if (txn_req_scan(t) < 0)
		return sess_answer(t->s, 400, "bad chunked body");
	if (t->spend.p != NULL) {
		iov[cnt].iov_base = t->spend.p + t->spend.off;
		iov[cnt++].iov_len = t->spend.len - t->spend.off;
	}
	if (t->req_ready > 0) {
		iov[cnt].iov_base = t->req->data + t->req->start;
		iov[cnt++].iov_len = t->req_ready;
	}
	if (cnt == 0)
		return txn_rearm(t);
	n = io_writev(t->sc->fd, t->sc->ssl, iov, cnt);
	if (n < 0)
		return txn_server_error(t, "write error");
	t->head_sent = true;
	txn_req_sent(t, (size_t)n);
	return txn_rearm(t);
}

/* The client sent more of the request body. */
static int
sess_read_body(struct sess *s)
{
	struct txn *t = s->txn;
	ssize_t n;

	if (buf_room(t->req) == 0)
		txn_req_compact(t);
	if (buf_room(t->req) == 0) {
		/* full: the server is slow to take it; wait for it */
		return txn_rearm(t);
	}
	n = io_read(s->fd, s->ssl, t->req);
	if (n > 0)
		t->bin += (uint64_t)n;
	if (n == 0) {
		s->flags |= SF_CLI_EOF;
		if (t->req_phase != RQ_DONE) {
			sess_close(s, "client closed during the request body");
			return SESS_GONE;
		}
		return txn_rearm(t);
	}
	if (n == -2) {
		sess_close(s, "client read error");
		return SESS_GONE;
	}
	if (n == -1)
		return 0;
	if (t->sc == NULL || t->sc->state == SC_CONNECTING) {
		if (txn_req_scan(t) < 0)
			return sess_answer(s, 400, "bad chunked body");
		return txn_rearm(t);
	}
	return txn_send_req(t);
}

/* ---- server failures and retries --------------------------------------- */

static bool
txn_idempotent(const struct txn *t)
{
	static const char *const m[] = { "GET", "HEAD", "OPTIONS", "PUT",
		"DELETE", "TRACE" };
	const char *p = t->req->data + t->reqm.method_off;
	size_t i, l = t->reqm.method_len;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i]) == l && memcmp(m[i], p, l) == 0)
			return true;
	return false;
}

/*
 * Whether t's request can go to a server again whole: nothing of it was
 * sent, or it is idempotent, has no body and no response byte came.
 */
static bool
txn_replayable(const struct txn *t)
{
	if (!(t->s->flags & SF_HTTP))
		return t->req_sent == 0 && buf_len(t->req) == t->req_ready &&
		    !t->got_rsp;
	return !t->head_sent || (t->req_sent == 0 &&
	    t->req_body == H1_BODY_NONE && txn_idempotent(t));
}

/*
 * Let go of the server connection and send the request again: to the
 * same server, or to another with option redispatch. stale: a kept-alive
 * connection the server had closed, which does not count as a try.
 */
static int
txn_retry(struct txn *t, bool stale)
{
	struct eng_worker *w = t->s->w;

	txn_release_server(t);
	if (t->sc != NULL) {
		t->sc->txn = NULL;
		sc_close(t->sc);
		t->sc = NULL;
	}
	if (!stale) {
		t->tries++;
		ctr_add(CTR_OF(t->srv->st, w), CTR_RETRIES, 1);
		ctr_add(CTR_OF(t->be->st, w), CTR_RETRIES, 1);
		if (t->be->px.opts & (1u << OPT_REDISPATCH)) {
			ctr_add(CTR_OF(t->srv->st, w), CTR_REDISPATCH, 1);
			ctr_add(CTR_OF(t->be->st, w), CTR_REDISPATCH, 1);
		}
	}
	if (!(t->be->px.opts & (1u << OPT_REDISPATCH)) || stale) {
		/* the same server again */
		t->same_srv = true;
		if (t->srv->idx < LB_TRIED_MAX)
			t->tried[t->srv->idx / 8] &=
			    (uint8_t)~(1u << (t->srv->idx % 8));
	}
	t->any_sent |= t->head_sent;
	t->head_sent = false;
	t->got_rsp = false;
	t->status = 0;
	t->req->start = t->hlen;
	t->req_ready = 0;
	t->req_left = t->req_body == H1_BODY_CLEN ? t->reqm.clen : 0;
	h1_chunk_init(&t->reqc);
	t->req_phase = RQ_BODY;
	if (t->rsp != NULL)
		t->rsp->start = t->rsp->end = 0;
	h1_msg_init(&t->rspm, H1_RESPONSE, t->g->maxhdr);
	return txn_connect(t);
}

/* Whether a failure of kind cause (RETRY_*) may be retried now. */
static bool
txn_may_retry(const struct txn *t, unsigned cause)
{
	return (t->be->retry_on & cause) && t->tries < t->be->retries &&
	    txn_replayable(t);
}

/*
 * The server connection failed before any response byte: retry when
 * retry-on allows it and the request can be sent again whole, on another
 * server with option redispatch; else 503 (never reached) or 502. A
 * reused connection the server had closed is always retried, and is not
 * the server's fault.
 */
static int
txn_server_error(struct txn *t, const char *why)
{
	struct sess *s = t->s;
	bool stale = t->sc != NULL && t->sc->reused;
	bool connecting = t->sc != NULL && t->sc->state == SC_CONNECTING;
	bool http = (s->flags & SF_HTTP) != 0;
	bool sent = t->head_sent || t->any_sent;
	unsigned cause = connecting ? RETRY_CONN_FAILURE :
	    RETRY_EMPTY_RESPONSE;

	if (!stale && t->srv != NULL)
		check_report(t->srv, connecting ? CHK_OBS_CONN_ERR :
		    CHK_OBS_BAD_RSP);
	if (connecting && t->srv != NULL) {
		ctr_add(CTR_OF(t->srv->st, s->w), CTR_ERR_CONN, 1);
		ctr_add(CTR_OF(t->be->st, s->w), CTR_ERR_CONN, 1);
	}
	if (!t->got_rsp && txn_replayable(t) &&
	    (stale || txn_may_retry(t, cause)))
		return txn_retry(t, stale);
	txn_release_server(t);
	if (t->sc != NULL) {
		t->sc->txn = NULL;
		sc_close(t->sc);
		t->sc = NULL;
	}
	if (!http) {
		sess_close(s, why);
		return SESS_GONE;
	}
	if (t->got_rsp)
		return sess_answer(s, 502, why);
	/* a server that took the request and said nothing: 502 */
	return sess_answer(s, sent ? 502 : 503, why);
}

/* ---- the response path ------------------------------------------------- */

/*
 * Account the response body bytes now in the buffer, as for requests;
 * for an HTTP/1.0 client a chunked body loses its framing in place.
 */
static int
txn_rsp_scan(struct txn *t)
{
	struct buf *b = t->rsp;
	uint32_t avail = buf_len(b) - t->rsp_ready;
	size_t used, doff, dlen;
	int r;

	if (t->rsp_phase != RS_BODY)
		return 0;
	switch (t->rsp_body) {
	case H1_BODY_CLEN:
		if (avail > t->rsp_left)
			avail = (uint32_t)t->rsp_left;
		t->rsp_ready += avail;
		t->rsp_left -= avail;
		if (t->rsp_left == 0)
			t->rsp_phase = RS_DONE;
		return 0;
	case H1_BODY_CHUNKED:
		if (!t->dechunk) {
			r = h1_chunk_parse(&t->rspc, b->data + b->start +
			    t->rsp_ready, avail, &used, NULL, NULL);
			if (r < 0)
				return -1;
			t->rsp_ready += (uint32_t)used;
			if (r == 1)
				t->rsp_phase = RS_DONE;
			return 0;
		}
		/* raw bytes from rsp_scan on; data runs move to ready */
		for (;;) {
			char *raw = b->data + b->start + t->rsp_scan;
			uint32_t rawlen = buf_len(b) - t->rsp_scan;

			r = h1_chunk_parse(&t->rspc, raw, rawlen, &used,
			    &doff, &dlen);
			if (r < 0)
				return -1;
			if (dlen > 0)
				memmove(b->data + b->start + t->rsp_ready,
				    raw + doff, dlen);
			t->rsp_ready += (uint32_t)dlen;
			/* drop the framing bytes just validated */
			memmove(b->data + b->start + t->rsp_ready,
			    raw + used, rawlen - used);
			b->end = b->start + t->rsp_ready +
			    (uint32_t)(rawlen - used);
			t->rsp_scan = t->rsp_ready;
			if (r == 1) {
				t->rsp_phase = RS_DONE;
				return 0;
			}
			if (used == 0 || rawlen - used == 0)
				return 0;
		}
	case H1_BODY_CLOSE:
	case H1_BODY_TUNNEL:
		t->rsp_ready += avail;
		return 0;
	default:
		t->rsp_phase = RS_DONE;
		return 0;
	}
}

static void
txn_rsp_sent(struct txn *t, size_t n)
{
	n = pend_sent(&t->cpend, n);
	t->rsp_ready -= (uint32_t)n;
	if (t->rsp_scan >= n)
		t->rsp_scan -= (uint32_t)n;
	buf_consume(t->rsp, (uint32_t)n);
}

/*
 * Write to the client what it still has to get, from (head, hlen) first
 * when given. Ends the transaction once the whole response is out.
 */
static int
txn_send_rsp_with(struct txn *t, const char *head, size_t hlen)
{
	struct sess *s = t->s;
	struct iovec iov[2];
	ssize_t n;
	int cnt = 0;

	if (head != NULL) {
		iov[cnt].iov_base = (void *)head;
		iov[cnt++].iov_len = hlen;
	} else if (t->cpend.p != NULL) {
		iov[cnt].iov_base = t->cpend.p + t->cpend.off;
		iov[cnt++].iov_len = t->cpend.len - t->cpend.off;
	}
	cnt = io_body(s->w, iov, cnt, t->rsp->data + t->rsp->start,
	    t->rsp_ready);
	if (cnt > 0) {
		n = io_writev(s->fd, s->ssl, iov, cnt);
		if (n < 0) {
			sess_close(s, "client write error");
			return SESS_GONE;
		}
		t->bout += (uint64_t)n;
		t->bytes_out += (uint64_t)n;
		if (head != NULL && (size_t)n < hlen) {
			if (pend_set(&t->cpend, head + n,
			    hlen - (size_t)n) < 0) {
				sess_close(s, "out of memory");
				return SESS_GONE;
			}
			n = 0;
		} else if (head != NULL) {
			n -= (ssize_t)hlen;
		}
		txn_rsp_sent(t, (size_t)n);
	}
	if (t->cpend.p == NULL && t->rsp_ready == 0 && t->rsp_phase == RS_DONE)
		return txn_end(t);
	return txn_rearm(t);
}

static int
txn_send_rsp(struct txn *t)
{
	return txn_send_rsp_with(t, NULL, 0);
}

/* Whether retry-on asks to retry after an invalid response head. */
static bool
txn_retry_junk(const struct txn *t)
{
	return t->tries < t->be->retries &&
	    (t->be->retry_on & RETRY_JUNK_RESPONSE) && t->req_sent == 0 &&
	    t->req_body == H1_BODY_NONE && txn_idempotent(t);
}

/* Whether retry-on asks to retry a request answered with status. */
static bool
txn_retry_status(const struct txn *t, unsigned status)
{
	unsigned bit;

	if (!(t->be->retry_on & RETRY_STATUSES))
		return false;
	switch (status) {
	case 404: bit = RETRY_404; break;
	case 408: bit = RETRY_408; break;
	case 425: bit = RETRY_425; break;
	case 500: bit = RETRY_500; break;
	case 501: bit = RETRY_501; break;
	case 502: bit = RETRY_502; break;
	case 503: bit = RETRY_503; break;
	case 504: bit = RETRY_504; break;
	default: return false;
	}
	/* the answer was read but not a byte of it forwarded */
	return t->tries < t->be->retries && (t->be->retry_on & bit) &&
	    t->req_sent == 0 && t->req_body == H1_BODY_NONE &&
	    txn_idempotent(t) && t->cpend.p == NULL && t->rsp_ready == 0;
}

/* A complete response head is at t->rsp: answer the client with it. */
static int
txn_response(struct txn *t, int hlen)
{
	struct sess *s = t->s;
	struct eng_worker *w = s->w;
	struct http_view v = { t->req->data, &t->reqm };
	/* what replace-header edits: the response; conditions see v */
	struct http_view rv = { t->rsp->data, &t->rspm };
	struct acl_sample smp;
	const struct h1_msg *m = &t->rspm;
	unsigned flags = 0;
	size_t len;

	TXN_STAMP(t, ts_rsp);
	t->status = m->status;
	if (m->status >= 200 && t->srv != NULL)
		check_report(t->srv, m->status >= 500 && m->status != 501 &&
		    m->status != 505 ? CHK_OBS_5XX : CHK_OBS_OK);
	if (m->status >= 200 && txn_retry_status(t, m->status))
		return txn_retry(t, false);
	if (m->status >= 200 || m->status == 101)
		txn_count_rt(t);
	if (m->status < 200 && m->status != 101) {
		/* interim: 100 Continue and the like, to 1.1 clients only */
		if (t->reqm.flags & H1_MF_VER_11) {
			struct iovec iov = { t->rsp->data, (size_t)hlen };

			if (io_writev(s->fd, s->ssl, &iov, 1) != hlen) {
				sess_close(s, "client write error");
				return SESS_GONE;
			}
			t->bytes_out += (uint64_t)hlen;
		}
		buf_consume(t->rsp, (uint32_t)hlen);
		if (t->rsp->start != 0)
			buf_compact(t->rsp);
		h1_msg_init(&t->rspm, H1_RESPONSE, t->g->maxhdr);
		return txn_read_rsp(t);
	}
	t->rsp_body = (uint8_t)h1_rsp_body(m, t->req->data +
	    t->reqm.method_off, t->reqm.method_len);
	t->rsp_left = t->rsp_body == H1_BODY_CLEN ? m->clen : 0;
	h1_chunk_init(&t->rspc);
	if (t->rsp_body == H1_BODY_TUNNEL) {
		if (!t->upgrade) {
			/* 2xx to CONNECT: weir does not tunnel CONNECT */
			return sess_answer(s, 502, "unexpected tunnel");
		}
		flags |= HTTP_B_UPGRADE;
	} else if (t->rsp_body == H1_BODY_CLOSE || (s->flags & SF_CLOSE) ||
	    !h1_keepalive(m) || t->req_phase != RQ_DONE) {
		/* a body up to the close, or a request still coming */
		s->flags |= SF_CLOSE;
		flags |= HTTP_B_CLOSE;
	} else if (!(t->reqm.flags & H1_MF_VER_11)) {
		flags |= HTTP_B_KEEPALIVE;
	}
	if (t->rsp_body == H1_BODY_CHUNKED &&
	    !(t->reqm.flags & H1_MF_VER_11)) {
		t->dechunk = true;
		flags |= HTTP_B_DECHUNK | HTTP_B_CLOSE;
		flags &= ~HTTP_B_KEEPALIVE;
		s->flags |= SF_CLOSE;
	}
	http_sample(&smp, &v, &s->peer.sa);
	http_sample_ops(&smp, &v, &t->req_ops);
	smp.dst = sess_dst;
	smp.dst_arg = s;
	smp.ssl = s->ssl;
	if (t->be != t->fe->self_be)
		http_rules(t->be->px.http_rsp, t->be->px.nhttp_rsp, &rv, &smp,
		    &t->rsp_ops);
	http_rules(t->fe->px.http_rsp, t->fe->px.nhttp_rsp, &rv, &smp,
	    &t->rsp_ops);
	if (t->be->cookie_name != NULL)
		txn_cookie_out(t);
	len = http_build_rsp(w->scratch, w->scratch_size, t->rsp->data, m,
	    &t->rsp_ops, flags);
	if (len == 0)
		return sess_answer(s, 502, "response head too large");
	t->rsp->start = (uint32_t)hlen;
	if (t->rsp->start == t->rsp->end)
		t->rsp->start = t->rsp->end = 0;
	t->rsp_phase = t->rsp_body == H1_BODY_NONE ? RS_DONE : RS_BODY;
	if (t->rsp_body == H1_BODY_TUNNEL)
		t->rsp_phase = RS_DONE;
	if (txn_rsp_scan(t) < 0)
		return sess_answer(s, 502, "bad chunked response");
	return txn_send_rsp_with(t, w->scratch, len);
}

/* The server sent something: the head, or more body. */
static int
txn_read_rsp(struct txn *t)
{
	struct sess *s = t->s;
	ssize_t n;
	int r;

	if (t->rsp == NULL && (t->rsp = eng_buf_get(s->w)) == NULL) {
		sess_close(s, "out of memory");
		return SESS_GONE;
	}
	if (t->rsp_phase == RS_WAIT && t->rsp->end == 0)
		h1_msg_init(&t->rspm, H1_RESPONSE, t->g->maxhdr);
	if (buf_room(t->rsp) == 0 && t->rsp_phase == RS_WAIT)
		return sess_answer(s, 502, "response head too large");
	if (buf_room(t->rsp) == 0) {
		if (t->rsp->start == 0)
			return txn_rearm(t);
		buf_compact(t->rsp);
	}
	n = io_read(t->sc->fd, t->sc->ssl, t->rsp);
	if (n == -1)
		return 0;
	if (n == -2 || n == 0) {
		if (n == 0 && t->rsp_phase == RS_BODY &&
		    t->rsp_body == H1_BODY_CLOSE) {
			/* the end of a body that ends at the close */
			t->rsp_phase = RS_DONE;
			t->sc->txn = NULL;
			txn_release_server(t);
			sc_close(t->sc);
			t->sc = NULL;
			return txn_send_rsp(t);
		}
		if (!t->got_rsp)
			return txn_server_error(t, n == 0 ?
			    "server closed" : "server read error");
		sess_close(s, "server closed mid-response");
		return SESS_GONE;
	}
	t->got_rsp = true;
	if (t->rsp_phase == RS_WAIT) {
		r = h1_parse(&t->rspm, t->rsp->data, t->rsp->end);
		if (r < 0) {
			check_report(t->srv, CHK_OBS_BAD_RSP);
			if (txn_retry_junk(t))
				return txn_retry(t, false);
			return sess_answer(s, 502, h1_err_str(t->rspm.err));
		}
		if (r == 0)
			return 0;
		return txn_response(t, r);
	}
	if (txn_rsp_scan(t) < 0) {
		sess_close(s, "bad chunked response");
		return SESS_GONE;
	}
	return txn_send_rsp(t);
}

/*
 * The response is out: keep the server connection if it can serve again,
 * then the client's next request, or close.
 */
static int
txn_end(struct txn *t)
{
	struct sess *s = t->s;
	struct eng_worker *w = s->w;
	struct buf *b;
	uint32_t left;

	txn_release_server(t);
	if (t->sc != NULL) {
		struct srvconn *sc = t->sc;

		t->sc = NULL;
		if (t->upgrade && t->status == 101) {
			/* the connections now carry another protocol */
			t->sc = sc;
			s->state = SESS_TUNNEL;
			return tunnel_pump(s);
		}
		/* http-server-close and httpclose keep no server connection */
		if (t->req_phase == RQ_DONE && t->rsp_phase == RS_DONE &&
		    t->rsp_body != H1_BODY_CLOSE && h1_keepalive(&t->rspm) &&
		    buf_len(t->rsp) == 0 && t->got_rsp &&
		    !((t->fe->px.opts | t->be->px.opts) &
		    (1u << OPT_HTTP_SERVER_CLOSE | 1u << OPT_HTTPCLOSE)) &&
		    !(t->srv->flags & (SRV_SEND_PROXY | SRV_SEND_PROXY_V2)) &&
		    !sc->priv)
			sc_park(sc, t->be->px.timeout_ms[TO_HTTP_KEEP_ALIVE]);
		else
			sc_close(sc);
	}
	if (s->flags & SF_CLOSE) {
		if ((s->flags & SF_LINGER) || t->req_phase != RQ_DONE)
			sess_linger(s);
		else
			sess_close(s, "done");
		return SESS_GONE;
	}
	if (t->logged)
		txn_log(s, t);
	/* bytes of a pipelined request move to the front of the buffer */
	b = t->req;
	t->req = NULL;
	left = buf_len(b) - t->req_ready;
	if (t->req_phase != RQ_DONE)
		left = 0;
	if (left > 0) {
		memmove(b->data, b->data + b->start + t->req_ready, left);
		b->start = 0;
		b->end = left;
	}
	eng_buf_put(w, t->rsp);
	t->rsp = NULL;
	txn_free(s, t);
	if (left == 0) {
		eng_buf_put(w, b);
		if (s->flags & SF_CLI_EOF) {
			sess_close(s, "client closed");
			return SESS_GONE;
		}
		return sess_idle(s);
	}
	/* the next request, already here */
	{
		struct txn *nt = txn_get(w);

		if (nt == NULL) {
			eng_buf_put(w, b);
			sess_close(s, "out of memory");
			return SESS_GONE;
		}
		nt->s = s;
		s->txn = nt;
		nt->g = eng_graph_take(w);
		nt->fe = s->lsn ? lsn_frontend(s->lsn, nt->g) : NULL;
		nt->req = b;
		if (nt->fe == NULL) {
			sess_close(s, "no frontend");
			return SESS_GONE;
		}
		if (nt->fe->px.log_mask != 0)
			txn_log_begin(nt);
		s->state = SESS_REQ;
		h1_msg_init(&nt->reqm, H1_REQUEST, nt->g->maxhdr);
		return sess_read_req(s);
	}
}

/* ---- tunnels: tcp mode and upgraded connections ------------------------ */

/*
 * Move bytes both ways between the client and the server until both have
 * closed. t->req carries client bytes, t->rsp server bytes. A FIN is
 * passed on (shutdown) once what came before it is written.
 */
static int
tunnel_pump(struct sess *s)
{
	struct txn *t = s->txn;
	struct srvconn *sc = t->sc;
	short cw = 0, sw = 0;
	uint64_t to, to_srv;
	int progress;

	if (t->req == NULL && (t->req = eng_buf_get(s->w)) == NULL)
		goto oom;
	if (t->rsp == NULL && (t->rsp = eng_buf_get(s->w)) == NULL)
		goto oom;
	/* the server's TLS handshake first; the client's bytes wait */
	if (sc->state == SC_CONNECTING && sc->ssl != NULL) {
		if (sess_want(s, 0, t->fe->px.timeout_ms[TO_CLIENT]) < 0 ||
		    sc_want(sc, sc->hs_want ? sc->hs_want : EV_WRITE,
		    t->be->px.timeout_ms[TO_CONNECT]) < 0) {
			sess_close(s, "event error");
			return SESS_GONE;
		}
		return 0;
	}
	/* an upgraded head is gone: its buffer is plain bytes from now */
	if (s->flags & SF_HTTP) {
		t->hlen = 0;
		if (t->req_ready > 0 || buf_len(t->req) == 0)
			t->req_ready = 0;
	}
	do {
		ssize_t n;

		progress = 0;
		/* a PROXY header for the server goes before any byte */
		if (t->spend.p != NULL) {
			struct iovec iov = { t->spend.p + t->spend.off,
				t->spend.len - t->spend.off };

			n = io_writev(sc->fd, sc->ssl, &iov, 1);
			if (n < 0) {
				sess_close(s, "server write error");
				return SESS_GONE;
			}
			t->spend.off += (size_t)n;
			if (t->spend.off < t->spend.len)
				break;
			free(t->spend.p);
			t->spend.p = NULL;
			t->spend.len = t->spend.off = 0;
		}
		/* client -> server */
		if (buf_len(t->req) > 0) {
			struct iovec iov = { t->req->data + t->req->start,
				buf_len(t->req) };

			n = io_writev(sc->fd, sc->ssl, &iov, 1);
			if (n < 0) {
				sess_close(s, "server write error");
				return SESS_GONE;
			}
			if (n > 0) {
				buf_consume(t->req, (uint32_t)n);
				t->req_sent += (uint32_t)n;
				progress = 1;
			}
		}
		if (buf_room(t->req) > 0 && !(s->flags & SF_CLI_EOF) &&
		    buf_len(t->req) == 0) {
			n = io_read(s->fd, s->ssl, t->req);
			if (n == 0) {
				s->flags |= SF_CLI_EOF;
				io_shutdown(sc->fd, sc->ssl);
			} else if (n == -2) {
				sess_close(s, "client read error");
				return SESS_GONE;
			} else if (n > 0) {
				t->bin += (uint64_t)n;
				progress = 1;
			}
		}
		/* server -> client */
		if (buf_len(t->rsp) > 0) {
			struct iovec iov = { t->rsp->data + t->rsp->start,
				buf_len(t->rsp) };

			n = io_writev(s->fd, s->ssl, &iov, 1);
			if (n < 0) {
				sess_close(s, "client write error");
				return SESS_GONE;
			}
			if (n > 0) {
				buf_consume(t->rsp, (uint32_t)n);
				t->bout += (uint64_t)n;
				t->bytes_out += (uint64_t)n;
				progress = 1;
			}
		}
		if (buf_room(t->rsp) > 0 && !sc->eof && buf_len(t->rsp) == 0) {
			n = io_read(sc->fd, sc->ssl, t->rsp);
			if (n == 0) {
				sc->eof = true;
				io_shutdown(s->fd, s->ssl);
			} else if (n == -2) {
				if (t->req_sent == 0 && !t->got_rsp)
					return txn_server_error(t,
					    "server read error");
				sess_close(s, "server read error");
				return SESS_GONE;
			} else if (n > 0) {
				t->got_rsp = true;
				progress = 1;
			}
		}
	} while (progress);
	/* bytes moved before the connect's own event came: it is up */
	if (sc->state == SC_CONNECTING && (t->req_sent > 0 || t->got_rsp)) {
		sc->state = SC_BUSY;
		TXN_STAMP(t, ts_con);
	}
	txn_count_bytes(t);

	if ((s->flags & SF_CLI_EOF) && sc->eof && buf_len(t->req) == 0 &&
	    buf_len(t->rsp) == 0) {
		sess_close(s, "tunnel closed");
		return SESS_GONE;
	}
	/* an upgraded HTTP connection: tunnel; tcp mode: each side's own */
	to = t->be->px.timeout_ms[TO_TUNNEL];
	to_srv = to;
	if (!(s->flags & SF_HTTP)) {
		to = t->fe->px.timeout_ms[TO_CLIENT];
		to_srv = t->be->px.timeout_ms[TO_SERVER];
	}
	if (buf_len(t->rsp) > 0)
		cw |= EV_WRITE;
	else if (!sc->eof)
		sw |= EV_READ;
	if (buf_len(t->req) > 0 || t->spend.p != NULL)
		sw |= EV_WRITE;
	else if (!(s->flags & SF_CLI_EOF))
		cw |= EV_READ;
	if (sess_want(s, cw, to) < 0 || sc_want(sc, sw, to_srv) < 0) {
		sess_close(s, "event error");
		return SESS_GONE;
	}
	return 0;
oom:
	sess_close(s, "out of memory");
	return SESS_GONE;
}

/* ---- events ------------------------------------------------------------ */

static void
sess_on_timeout(struct sess *s)
{
	struct txn *t = s->txn;

	switch (s->state) {
	case SESS_IDLE:
		sess_close(s, "keep-alive timeout");
		return;
	case SESS_REQ:
		if (t == NULL) {
			sess_close(s, "timeout");
			return;
		}
		if (t->q.where != QE_NONE) {
			if (!q_leave(t, false))
				return;	/* a server has room: it is on its way */
			if (s->flags & SF_HTTP)
				(void)sess_answer(s, 503, "queue timeout");
			else
				sess_close(s, "queue timeout");
			return;
		}
		if (t->req_phase == RQ_HEAD) {
			(void)sess_answer(s, 408, "request timeout");
			return;
		}
		if (t->req_phase == RQ_DONE && t->rsp_phase != RS_DONE &&
		    t->cpend.p == NULL && t->rsp_ready == 0)
			return;		/* the server's timer is the judge */
		sess_close(s, "client timeout");
		return;
	case SESS_TUNNEL:
		sess_close(s, "tunnel timeout");
		return;
	case SESS_CLOSING:
		sess_close(s, "client timeout");
		return;
	case SESS_LINGER:
		sess_close(s, "linger timeout");
		return;
	case SESS_HANDSHAKE:
		sess_close(s, "TLS handshake timeout");
		return;
	}
}

static void
sess_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct sess *s = arg;
	struct txn *t = s->txn;
	ssize_t n;

	if ((what & EV_TIMEOUT) && io_early(s->w, &s->reg)) {
		what &= ~EV_TIMEOUT;
		if (what == 0)
			return;
	}
	if (s->state == SESS_LINGER) {
		sess_on_linger(s, what);
		return;
	}
	if (what & EV_TIMEOUT) {
		sess_on_timeout(s);
		return;
	}
	switch (s->state) {
	case SESS_LINGER:
		return;
	case SESS_HANDSHAKE:
		(void)sess_handshake(s);
		return;
	case SESS_IDLE:
		(void)txn_start(s);
		return;
	case SESS_TUNNEL:
		(void)tunnel_pump(s);
		return;
	case SESS_CLOSING:
		if (what & EV_WRITE) {
			if (txn_send_rsp(t) == SESS_GONE)
				return;
		}
		return;
	case SESS_REQ:
		break;
	}
	if ((what & EV_WRITE) && (t->cpend.p != NULL || t->rsp_ready > 0)) {
		if (txn_send_rsp(t) == SESS_GONE)
			return;
		if (s->txn != t)
			return;
	}
	if (!(what & EV_READ))
		return;
	switch (t->req_phase) {
	case RQ_HEAD:
		(void)sess_read_req(s);
		return;
	case RQ_BODY:
		(void)sess_read_body(s);
		return;
	case RQ_DONE:
		/* the next request, pipelined, or the client leaving */
		if (buf_room(t->req) == 0) {
			(void)txn_rearm(t);
			return;
		}
		n = io_read(s->fd, s->ssl, t->req);
		if (n > 0)
			t->bin += (uint64_t)n;
		switch (n) {
		case 0:
			/*
			 * The client left before its answer: nobody is
			 * waiting for it, and its connection slot is freed
			 * rather than held until the server answers.
			 */
			sess_close(s, "client aborted");
			return;
		case -2:
			sess_close(s, "client read error");
			return;
		default:
			return;
		}
	}
}

/*
 * The TLS handshake with the server, once connected. A failure is
 * logged with its reason (a certificate that does not verify says why)
 * and handled as a failed connection: another try, or 503.
 */
static int
sc_handshake(struct txn *t)
{
	struct srvconn *sc = t->sc;
	char why[256];
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(sc->ssl);
	if (r == 1) {
		sc->hs = false;
		sc->hs_want = 0;
		sc->state = SC_BUSY;
		if (t->s->state == SESS_TUNNEL)
			return tunnel_pump(t->s);
		return txn_send_req(t);
	}
	switch (SSL_get_error(sc->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		sc->hs_want = EV_READ;
		return txn_rearm(t);
	case SSL_ERROR_WANT_WRITE:
		sc->hs_want = EV_WRITE;
		return txn_rearm(t);
	default:
		break;
	}
	(void)tls_error(sc->ssl, r, why, sizeof(why));
	SSL_set_quiet_shutdown(sc->ssl, 1);
	/* an error a person must see and act on: said on the log */
	fprintf(stderr, "weir: server '%s/%s': TLS handshake failed: %s\n",
	    t->be->px.name, t->srv->name, why);
	return txn_server_error(t, "TLS handshake failed");
}

static void
sc_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct srvconn *sc = arg;
	struct txn *t = sc->txn;

	if ((what & EV_TIMEOUT) && io_early(sc->w, &sc->reg)) {
		what &= ~EV_TIMEOUT;
		if (what == 0)
			return;
	}
	if (sc->state == SC_IDLE) {
		sc_on_idle_event(sc, what);
		return;
	}
	if (what & EV_TIMEOUT) {
		if (sc->state == SC_CONNECTING) {
			(void)txn_server_error(t, "connect timeout");
			return;
		}
		if (t->s->state == SESS_TUNNEL) {
			sess_close(t->s, "server tunnel timeout");
			return;
		}
		if (!t->got_rsp) {
			check_report(t->srv, CHK_OBS_TIMEOUT);
			if (txn_may_retry(t, RETRY_RESPONSE_TIMEOUT)) {
				(void)txn_retry(t, false);
				return;
			}
			(void)sess_answer(t->s, 504, "server timeout");
			return;
		}
		sess_close(t->s, "server timeout mid-response");
		return;
	}
	if (sc->state == SC_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (sc->hs) {
			(void)sc_handshake(t);
			return;
		}
		if (getsockopt(sc->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err != 0) {
			(void)txn_server_error(t, "connect failed");
			return;
		}
		if (sc->ssl != NULL) {
			sc->hs = true;
			(void)sc_handshake(t);
			return;
		}
		sc->state = SC_BUSY;
		TXN_STAMP(t, ts_con);
		if (t->s->state == SESS_TUNNEL) {
			(void)tunnel_pump(t->s);
			return;
		}
		(void)txn_send_req(t);
		return;
	}
	if (t->s->state == SESS_TUNNEL) {
		(void)tunnel_pump(t->s);
		return;
	}
	if (what & EV_WRITE) {
		if (txn_send_req(t) == SESS_GONE || sc->txn != t)
			return;
	}
	if (what & EV_READ)
		(void)txn_read_rsp(t);
}

/* ---- traffic log ------------------------------------------------------- */

/* HAProxy's termination causes, by the reason a transaction ended. */
static const struct {
	const char *why;
	char cause;
} txn_causes[] = {
	{ "done", '-' },
	{ "tunnel closed", '-' },
	{ "client aborted", 'C' },
	{ "client closed", 'C' },
	{ "client closed during the request body", 'C' },
	{ "client closed mid-request", 'C' },
	{ "client read error", 'C' },
	{ "client write error", 'C' },
	{ "client timeout", 'c' },
	{ "request timeout", 'c' },
	{ "tunnel timeout", 'c' },
	{ "connect failed", 'S' },
	{ "no server", 'S' },
	{ "server closed", 'S' },
	{ "server closed mid-response", 'S' },
	{ "server read error", 'S' },
	{ "server write error", 'S' },
	{ "write error", 'S' },
	{ "connect timeout", 's' },
	{ "server timeout", 's' },
	{ "server timeout mid-response", 's' },
	{ "server tunnel timeout", 's' },
	{ "queue timeout", 's' },
	{ "out of memory", 'R' },
	{ "event error", 'I' },
	{ "hard-stop-after", 'K' },
	{ "no frontend", 'K' },
	{ "stopping", 'K' },
};

/*
 * Note why t ends, the first reason given: a rule or a bad message ('P'
 * for weir's refusals, the default) unless the table says otherwise.
 */
static void
txn_term(struct txn *t, const char *why)
{
	size_t i;

	if (!t->logged || t->term != 0)
		return;
	t->term = 'P';
	for (i = 0; i < sizeof(txn_causes) / sizeof(txn_causes[0]); i++) {
		if (strcmp(why, txn_causes[i].why) == 0) {
			t->term = txn_causes[i].cause;
			break;
		}
	}
}

/*
 * A transaction of a frontend with log targets starts: time it, unless
 * the frontend logs connections only, as HAProxy does with neither
 * option httplog nor tcplog ("Connect from" at accept).
 */
static void
txn_log_begin(struct txn *t)
{
	struct sess *s = t->s;
	const struct g_proxy *px = &t->fe->px;
	struct log_rec *r;

	if (s->w->log == NULL)
		return;
	if (px->opts & (1u << OPT_HTTPLOG | 1u << OPT_TCPLOG)) {
		t->logged = true;
		t->ts_start = txn_now(t);
		return;
	}
	if (!(s->flags & SF_NEW) || (r = log_rec_get(s->w->log)) == NULL)
		return;
	r->mask = px->log_mask;
	r->kind = LOG_REC_CONNECT;
	r->http = px->mode == PX_MODE_HTTP;
	r->accept_us = txn_now(t);
	memcpy(&r->cli, &s->peer, sizeof(r->cli));
	if (s->lsn != NULL && s->lsn->addr.len <= sizeof(r->fe_addr))
		memcpy(&r->fe_addr, &s->lsn->addr.ss, s->lsn->addr.len);
	log_rec_text(r, 0, px->name, strlen(px->name), &r->fe_len, NULL);
	log_push(s->w->log);
}

static int32_t
ms_between(uint64_t a, uint64_t b)
{
	if (a == 0 || b == 0)
		return -1;
	return b > a ? (int32_t)((b - a) / 1000) : 0;
}

/* Whether t carried nothing: option dontlognull leaves it out. */
static bool
txn_null(const struct sess *s, const struct txn *t)
{
	if (t->bytes_out > 0 || t->req_sent > 0 || t->hlen > 0)
		return false;
	if (!(s->flags & SF_HTTP) && t->req != NULL)
		return buf_len(t->req) == 0;
	return t->req == NULL || t->req->end == 0;
}

/* The log record of t, pushed on the worker's ring; once per t. */
static void
txn_log(struct sess *s, struct txn *t)
{
	const struct g_proxy *px = &t->fe->px;
	bool http = (s->flags & SF_HTTP) && (px->opts & (1u << OPT_HTTPLOG));
	struct log_rec *r;
	uint64_t end;
	size_t off;
	unsigned i;
	bool failed;

	t->logged = false;
	if (txn_null(s, t)) {
		/* a kept-alive connection closing between requests */
		if ((s->flags & SF_LOGGED) ||
		    (px->opts & (1u << OPT_DONTLOGNULL)))
			return;
	}
	s->flags |= SF_LOGGED;
	/* HAProxy's errors: a cause but weir's own answer, a retry, a 5xx */
	failed = (t->term != 0 && t->term != '-' && t->term != 'L') ||
	    t->tries > 0 || ((s->flags & SF_HTTP) && t->status >= 500);
	if (!failed && t->term != 'L' &&
	    (px->opts & (1u << OPT_DONTLOG_NORMAL)))
		return;
	if ((r = log_rec_get(s->w->log)) == NULL)
		return;
	end = txn_now(t);
	r->mask = px->log_mask;
	if (failed && (px->opts & (1u << OPT_LOG_SEPARATE_ERRORS)))
		r->level = LOG_LEVEL_ERR;
	r->kind = http ? LOG_REC_HTTP : LOG_REC_TCP;
	r->http = (s->flags & SF_HTTP) != 0;
	r->accept_us = t->ts_start;
	r->tq = http ? ms_between(t->ts_start, t->ts_req) : -1;
	r->tw = t->be != NULL && (t->ts_req != 0 || !http) ? 0 : -1;
	if (t->ts_qin != 0)
		r->tw = ms_between(t->ts_qin, t->ts_qout ? t->ts_qout : end);
	r->tc = ms_between(t->ts_qout ? t->ts_qout : http ? t->ts_req :
	    t->ts_start, t->ts_con);
	r->tr = t->ts_con != 0 ? ms_between(t->ts_con, t->ts_rsp) : -1;
	r->tt = ms_between(t->ts_start, end);
	r->status = t->status != 0 ? (int32_t)t->status : -1;
	r->bytes = t->bytes_out;
	memcpy(&r->cli, &s->peer, sizeof(r->cli));
	r->ac = s->w->nsess;
	r->fc = s->lsn != NULL ? s->lsn->nsess : 0;
	for (i = 0; t->be != NULL && i < t->be->nservers; i++)
		r->bc += (uint32_t)atomic_load_explicit(
		    &t->be->servers[i].st->cur_conns, memory_order_relaxed);
	r->sc = t->srv != NULL ? (uint32_t)atomic_load_explicit(
	    &t->srv->st->cur_conns, memory_order_relaxed) : 0;
	/* counted with this one, as HAProxy does, released or not yet */
	if (t->srv != NULL && !t->counted && t->ts_con != 0) {
		r->bc++;
		r->sc++;
	}
	r->rc = t->tries;
	if (t->be != NULL)
		r->bq = atomic_load_explicit(&t->be->st->qlen,
		    memory_order_relaxed);
	/* the cause, then where the transaction was (HAProxy's R C H D) */
	r->term[0] = t->term != 0 ? t->term : '-';
	if (r->term[0] == '-')
		r->term[1] = '-';
	else if (t->be == NULL || ((s->flags & SF_HTTP) && t->ts_req == 0))
		r->term[1] = 'R';
	else if (t->ts_qin != 0 && t->ts_qout == 0 && t->ts_con == 0)
		r->term[1] = 'Q';
	else if (t->ts_con == 0)
		r->term[1] = 'C';
	else if ((s->flags & SF_HTTP) && t->ts_rsp == 0 && t->status != 101)
		r->term[1] = 'H';
	else
		r->term[1] = 'D';
	off = log_rec_text(r, 0, px->name, strlen(px->name), &r->fe_len,
	    NULL);
	if (t->be != NULL)
		off += log_rec_text(r, off, t->be->px.name,
		    strlen(t->be->px.name), &r->be_len, NULL);
	if (t->srv != NULL)
		off += log_rec_text(r, off, t->srv->name, strlen(t->srv->name),
		    &r->srv_len, NULL);
	if (http && t->hlen > 0 && t->req != NULL) {
		const char *p = t->req->data;
		const char *eol = memchr(p, '\r', t->hlen);

		if (eol == NULL)
			eol = memchr(p, '\n', t->hlen);
		log_rec_text(r, off, p, eol ? (size_t)(eol - p) : t->hlen,
		    NULL, &r->req_len);
	}
	log_push(s->w->log);
}

/* ---- cleanup ----------------------------------------------------------- */

void
sess_forget_lsn(struct eng_worker *w, struct lsn *l)
{
	struct sess *s;

	for (s = w->live; s != NULL; s = s->next) {
		if (s->lsn != l)
			continue;
		s->lsn = NULL;
		s->flags |= SF_CLOSE;
	}
}

void
sess_close_on_graph(struct eng_worker *w, const struct graph *g)
{
	struct sess *s, *next;

	for (s = w->live; s != NULL; s = next) {
		next = s->next;
		if ((s->txn != NULL && s->txn->g == g) || s->hs_g == g ||
		    (s->trk != NULL && s->trk->g == g)) {
			sess_close(s, "hard-stop-after");
		}
	}
}

void
sess_kill(struct eng_worker *w, const struct state_server *srv,
    const struct state_backend *backup_of)
{
	struct sess *s, *next;

	for (s = w->live; s != NULL; s = next) {
		const struct txn *t = s->txn;

		next = s->next;
		if (t == NULL || t->srv == NULL)
			continue;
		if ((srv != NULL && t->srv->st == srv) ||
		    (backup_of != NULL && (t->srv->flags & SRV_BACKUP) &&
		    t->srv->be->st == backup_of))
			sess_close(s, srv != NULL ? "server marked down" :
			    "a primary server came back");
	}
}

void
sess_close_idle_servers(struct eng_worker *w)
{
	struct srvconn *sc;
	unsigned i;

	for (i = 0; i < w->nidle; i++) {
		while ((sc = w->idle[i].head) != NULL) {
			sc_idle_remove(sc);
			sc_close(sc);
		}
	}
}

void
sess_drain(struct eng_worker *w)
{
	struct sess *s, *next;

	for (s = w->live; s != NULL; s = next) {
		next = s->next;
		if (s->state == SESS_IDLE || s->state == SESS_HANDSHAKE)
			sess_close(s, "stopping");
		else
			s->flags |= SF_CLOSE;	/* after this response */
	}
	sess_close_idle_servers(w);
}

void
sess_worker_cleanup(struct eng_worker *w)
{
	struct sess *s;
	struct txn *t;
	struct srvconn *sc;
	unsigned i;

	while (w->live != NULL)
		sess_close(w->live, "stopping");
	for (i = 0; i < w->nidle; i++) {
		while ((sc = w->idle[i].head) != NULL) {
			sc_idle_remove(sc);
			sc_close(sc);
		}
		SSL_SESSION_free(w->idle[i].tls_sess);
		w->idle[i].tls_sess = NULL;
	}
	while ((s = w->free_sess) != NULL) {
		w->free_sess = s->next;
		free(s);
	}
	while ((t = w->free_txn) != NULL) {
		w->free_txn = t->next;
		free(t);
	}
	while ((sc = w->free_sc) != NULL) {
		w->free_sc = sc->next;
		free(sc);
	}
	if (event_initialized(&w->tq_ev))
		event_del(&w->tq_ev);
	free(w->tq);
	w->tq = NULL;
	w->tq_n = w->tq_cap = 0;
}
