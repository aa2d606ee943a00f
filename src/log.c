/*
 * Traffic logs: per-worker rings, one writer thread, HAProxy's line
 * formats. See log.h for the shape; lb.conf(5) LOGGING for the lines.
 */
#include "config.h"

#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_BATCH_MSGS	64	/* datagrams per sendmmsg() */
#define LOG_STREAM_BUF	(64 * 1024)	/* a file's batch */
#define LOG_POLL_MS	50	/* while records come: drain this often */
#define LOG_IDLE_ROUNDS	20	/* empty rounds before sleeping */
#define LOG_STOP_WAIT_S	5	/* at exit, for the last lines to go out */

struct log_target {
	/* set by log_attach(), read-only once counted in ntargets */
	enum log_kind kind;
	struct conf_addr addr;
	char *path;
	int facility;
	int level;
	enum log_format format;
	size_t line_size;	/* log_format()'s size: len, newline, NUL */

	/* the writer's */
	int fd;
	bool failed;		/* the last error was reported */
	uint64_t retry_us;	/* a file that failed to open: not before */
	char *buf;		/* a stream's batch, or datagrams */
	size_t len;
	unsigned nmsg;
	size_t *msglen;
	struct sockaddr_un un;
};

struct log {
	struct log_ring *rings;
	unsigned nrings;
	struct log_target targets[LOG_MAX_TARGETS];
	atomic_uint ntargets;
	bool warned_full;

	pthread_t thread;
	bool started;
	int wake_fd;
	atomic_bool sleeping;
	atomic_bool stop;
	atomic_bool reopen;

	char hostname[256];
	struct log_host host;	/* for syslog headers; the writer's */
	uint64_t reported;	/* drops reported so far */
	uint64_t reported_us;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static void
log_kick(struct log *lg)
{
	uint64_t one = 1;

	(void)!write(lg->wake_fd, &one, sizeof(one));
}

/* ---- the worker's side -------------------------------------------------- */

struct log_rec *
log_rec_get(struct log_ring *r)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	struct log_rec *rec;

	if (h - t >= LOG_RING_SLOTS) {
		atomic_store_explicit(&r->drops, atomic_load_explicit(
		    &r->drops, memory_order_relaxed) + 1,
		    memory_order_relaxed);
		return NULL;
	}
	rec = (struct log_rec *)(r->slots +
	    (size_t)(h & (LOG_RING_SLOTS - 1)) * LOG_REC_SIZE);
	memset(rec, 0, sizeof(*rec));
	rec->level = LOG_LEVEL_INFO;
	return rec;
}

void
log_push(struct log_ring *r)
{
	struct log *lg = r->lg;
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed) + 1;
	uint32_t t;

	/* seq_cst against the writer's sleeping flag: no lost wake-up */
	atomic_store(&r->head, h);
	t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	/* a busy writer polls; half a ring is worth waking it for */
	if (h - t == LOG_RING_SLOTS / 2 || (atomic_load(&lg->sleeping) &&
	    atomic_exchange(&lg->sleeping, false)))
		log_kick(lg);
}

size_t
log_rec_text(struct log_rec *r, size_t off, const char *s, size_t n,
    uint8_t *len8, uint16_t *len16)
{
	size_t room = off < LOG_TEXT_MAX ? LOG_TEXT_MAX - off : 0;

	if (len8 != NULL && n > 255)
		n = 255;
	if (n > room)
		n = room;
	if (n > 0)
		memcpy(r->text + off, s, n);
	if (len8 != NULL)
		*len8 = (uint8_t)n;
	else
		*len16 = (uint16_t)n;
	return n;
}

struct log_ring *
log_ring(struct log *lg, unsigned id)
{
	return lg != NULL && id < lg->nrings ? &lg->rings[id] : NULL;
}

uint64_t
log_dropped(const struct log *lg)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; lg != NULL && i < lg->nrings; i++)
		n += atomic_load_explicit(&lg->rings[i].drops,
		    memory_order_relaxed);
	return n;
}

/* ---- formatting --------------------------------------------------------- */

/*
 * Lines are built without printf: the log thread formats one per record
 * and target, and its instructions count per request too.
 */
struct out {
	char *p;
	size_t size, len;
};

static void
out_mem(struct out *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void
out_chr(struct out *o, char c)
{
	if (o->len < o->size - 1)
		o->p[o->len++] = c;
}

/* v in decimal, zero-padded to width digits (at most 20). */
static void
out_num(struct out *o, uint64_t v, int width)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char b[24], *p = b + sizeof(b);
	size_t n;

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + v * 2, 2);
	} else {
		*--p = (char)('0' + v);
	}
	while (b + sizeof(b) - p < width && p > b)
		*--p = '0';
	n = (size_t)(b + sizeof(b) - p);
	if (n > o->size - 1 - o->len)
		n = o->size - 1 - o->len;
	/* a few bytes: a loop beats a call to memcpy */
	while (n-- > 0)
		o->p[o->len++] = *p++;
}

static void
out_int(struct out *o, int64_t v)
{
	if (v < 0) {
		out_chr(o, '-');
		out_num(o, (uint64_t)-v, 1);
	} else {
		out_num(o, (uint64_t)v, 1);
	}
}

/*
 * s[0..n) with the bytes esc() says need it escaped by put(); the runs
 * between them copied whole.
 */
static void
out_esc(struct out *o, const char *s, size_t n, bool json)
{
	static const char hex[] = "0123456789ABCDEF", lhex[] =
	    "0123456789abcdef";
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6];
		size_t el;

		if (c >= 0x20 && c < 0x7f && c != '"' &&
		    (json ? c != '\\' : c != '#'))
			continue;
		out_mem(o, s + run, i - run);
		run = i + 1;
		if (!json) {
			e[0] = '#';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			el = 3;
		} else if (c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			el = 2;
		} else {
			memcpy(e, "\\u00", 4);
			e[4] = lhex[c >> 4];
			e[5] = lhex[c & 15];
			el = 6;
		}
		out_mem(o, e, el);
	}
	out_mem(o, s + run, n - run);
}

/* HAProxy's escaping of a logged request: '#' and the hex of the byte. */
static void
out_text(struct out *o, const char *s, size_t n)
{
	out_esc(o, s, n, false);
}

/* A JSON string, quotes included; bytes past ASCII as \u00XX. */
static void
out_json(struct out *o, const char *s, size_t n)
{
	out_chr(o, '"');
	out_esc(o, s, n, true);
	out_chr(o, '"');
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* The local time of us, from h's one-second cache when it holds it. */
static const struct tm *
tm_of(struct log_host *h, uint64_t us)
{
	time_t t = (time_t)(us / 1000000u);

	if (!h->tm_set || h->tm_sec != t) {
		localtime_r(&t, &h->tm);
		h->tm_sec = t;
		h->tm_set = true;
	}
	return &h->tm;
}

/* 09:01:50 */
static void
out_hms(struct out *o, const struct tm *tm)
{
	out_num(o, (uint64_t)tm->tm_hour, 2);
	out_chr(o, ':');
	out_num(o, (uint64_t)tm->tm_min, 2);
	out_chr(o, ':');
	out_num(o, (uint64_t)tm->tm_sec, 2);
}

/* 2026-11-23T09:01:50.123+00:00, with 3 or 6 decimals of a second. */
static void
out_iso(struct out *o, struct log_host *h, uint64_t us, int digits)
{
	const struct tm *tm = tm_of(h, us);
	long off = tm->tm_gmtoff;

	out_num(o, (uint64_t)tm->tm_year + 1900, 4);
	out_chr(o, '-');
	out_num(o, (uint64_t)tm->tm_mon + 1, 2);
	out_chr(o, '-');
	out_num(o, (uint64_t)tm->tm_mday, 2);
	out_chr(o, 'T');
	out_hms(o, tm);
	out_chr(o, '.');
	if (digits == 3)
		out_num(o, us % 1000000u / 1000u, 3);
	else
		out_num(o, us % 1000000u, 6);
	out_chr(o, off < 0 ? '-' : '+');
	if (off < 0)
		off = -off;
	out_num(o, (uint64_t)off / 3600, 2);
	out_chr(o, ':');
	out_num(o, (uint64_t)off % 3600 / 60, 2);
}

/* 23/Nov/2026:09:01:50.123, HAProxy's accept date. */
static void
out_date(struct out *o, struct log_host *h, uint64_t us)
{
	const struct tm *tm = tm_of(h, us);

	out_num(o, (uint64_t)tm->tm_mday, 2);
	out_chr(o, '/');
	out_str(o, months[tm->tm_mon]);
	out_chr(o, '/');
	out_num(o, (uint64_t)tm->tm_year + 1900, 4);
	out_chr(o, ':');
	out_hms(o, tm);
	out_chr(o, '.');
	out_num(o, us % 1000000u / 1000u, 3);
}

/* ADDR:PORT, or "KIP":"ADDR","KPORT":PORT for json (kip set). */
static void
out_addr(struct out *o, const void *sa, const char *kip, const char *kport)
{
	const struct sockaddr *a = sa;
	char ip[INET6_ADDRSTRLEN];
	unsigned port = 0;

	if (kip != NULL) {
		out_chr(o, '"');
		out_str(o, kip);
		out_str(o, "\":\"");
	}
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *in = sa;
		const unsigned char *b = (const void *)&in->sin_addr;

		out_num(o, b[0], 1);
		out_chr(o, '.');
		out_num(o, b[1], 1);
		out_chr(o, '.');
		out_num(o, b[2], 1);
		out_chr(o, '.');
		out_num(o, b[3], 1);
		port = ntohs(in->sin_port);
	} else if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		out_str(o, ip);
		port = ntohs(in6->sin6_port);
	} else {
		out_chr(o, '-');
	}
	if (kip != NULL) {
		out_str(o, "\",\"");
		out_str(o, kport);
		out_str(o, "\":");
	} else {
		out_chr(o, ':');
	}
	out_num(o, port, 1);
}

/* The names and request line of r. */
struct rec_text {
	const char *fe, *be, *srv, *req;
	size_t fe_len, be_len, srv_len, req_len;
};

static void
rec_text(const struct log_rec *r, struct rec_text *t)
{
	const char *p = r->text;

	t->fe = p;
	t->fe_len = r->fe_len;
	p += r->fe_len;
	t->be = p;
	t->be_len = r->be_len;
	p += r->be_len;
	t->srv = p;
	t->srv_len = r->srv_len;
	p += r->srv_len;
	t->req = p;
	t->req_len = r->req_len;
	/* no backend: the frontend's name, as HAProxy logs it */
	if (t->be_len == 0) {
		t->be = t->fe;
		t->be_len = t->fe_len;
	}
	if (t->srv_len == 0) {
		t->srv = "<NOSRV>";
		t->srv_len = 7;
	}
	if (t->req_len == 0) {
		t->req = "<BADREQ>";
		t->req_len = 8;
	}
}

/* "a/b/c..." of n numbers. */
static void
out_slashed(struct out *o, const int64_t *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			out_chr(o, '/');
		out_int(o, v[i]);
	}
}

static void
fmt_text(struct out *o, const struct log_rec *r, struct log_host *h)
{
	struct rec_text t;
	int64_t counts[5] = { r->ac, r->fc, r->bc, r->sc, r->rc };

	rec_text(r, &t);
	if (r->kind == LOG_REC_CONNECT) {
		out_str(o, "Connect from ");
		out_addr(o, &r->cli, NULL, NULL);
		out_str(o, " to ");
		out_addr(o, &r->fe_addr, NULL, NULL);
		out_str(o, " (");
		out_text(o, t.fe, t.fe_len);
		out_str(o, r->http ? "/HTTP)" : "/TCP)");
		return;
	}
	out_addr(o, &r->cli, NULL, NULL);
	out_str(o, " [");
	out_date(o, h, r->accept_us);
	out_str(o, "] ");
	out_text(o, t.fe, t.fe_len);
	out_chr(o, ' ');
	out_text(o, t.be, t.be_len);
	out_chr(o, '/');
	out_text(o, t.srv, t.srv_len);
	out_chr(o, ' ');
	if (r->kind == LOG_REC_HTTP) {
		int64_t tm[5] = { r->tq, r->tw, r->tc, r->tr, r->tt };

		out_slashed(o, tm, 5);
		out_chr(o, ' ');
		out_int(o, r->status);
	} else {
		int64_t tm[3] = { r->tw, r->tc, r->tt };

		out_slashed(o, tm, 3);
	}
	out_chr(o, ' ');
	out_num(o, r->bytes, 1);
	out_str(o, r->kind == LOG_REC_HTTP ? " - - " : " ");
	out_mem(o, r->term, 2);
	out_str(o, r->kind == LOG_REC_HTTP ? "-- " : " ");
	out_slashed(o, counts, 5);
	out_chr(o, ' ');
	out_num(o, r->sq, 1);
	out_chr(o, '/');
	out_num(o, r->bq, 1);
	if (r->kind == LOG_REC_HTTP) {
		out_str(o, " \"");
		out_text(o, t.req, t.req_len);
		out_chr(o, '"');
	}
}

/* ,"key":v */
static void
out_kv(struct out *o, const char *key, int64_t v)
{
	out_str(o, ",\"");
	out_str(o, key);
	out_str(o, "\":");
	out_int(o, v);
}

static void
fmt_json(struct out *o, const struct log_rec *r, struct log_host *h)
{
	struct rec_text t;
	bool http = r->kind == LOG_REC_HTTP;

	rec_text(r, &t);
	out_chr(o, '{');
	out_addr(o, &r->cli, "client_ip", "client_port");
	if (r->kind == LOG_REC_CONNECT) {
		out_chr(o, ',');
		out_addr(o, &r->fe_addr, "frontend_ip", "frontend_port");
		out_str(o, ",\"frontend\":");
		out_json(o, t.fe, t.fe_len);
		out_str(o, r->http ? ",\"mode\":\"http\"}" :
		    ",\"mode\":\"tcp\"}");
		return;
	}
	out_str(o, ",\"accept_date\":\"");
	out_iso(o, h, r->accept_us, 3);
	out_str(o, "\",\"frontend\":");
	out_json(o, t.fe, t.fe_len);
	out_str(o, ",\"backend\":");
	out_json(o, t.be, t.be_len);
	out_str(o, ",\"server\":");
	out_json(o, t.srv, t.srv_len);
	if (http)
		out_kv(o, "Tq", r->tq);
	out_kv(o, "Tw", r->tw);
	out_kv(o, "Tc", r->tc);
	if (http)
		out_kv(o, "Tr", r->tr);
	out_kv(o, "Tt", r->tt);
	if (http)
		out_kv(o, "status", r->status);
	out_kv(o, "bytes_read", (int64_t)r->bytes);
	out_str(o, ",\"termination_state\":\"");
	out_mem(o, r->term, 2);
	out_chr(o, '"');
	out_kv(o, "actconn", r->ac);
	out_kv(o, "feconn", r->fc);
	out_kv(o, "beconn", r->bc);
	out_kv(o, "srv_conn", r->sc);
	out_kv(o, "retries", r->rc);
	out_kv(o, "srv_queue", r->sq);
	out_kv(o, "backend_queue", r->bq);
	if (http) {
		out_str(o, ",\"http_request\":");
		out_json(o, t.req, t.req_len);
	}
	out_chr(o, '}');
}

size_t
log_format(char *buf, size_t size, const struct log_rec *r,
    enum log_format fmt, int facility, struct log_host *h, bool nl)
{
	struct out o = { buf, size, 0 };
	int pri = (facility < 0 ? 1 : facility) * 8 + r->level;

	if (size == 0)
		return 0;
	switch (fmt) {
	case LOG_FMT_RFC3164: {
		const struct tm *tm = tm_of(h, h->now_us);

		out_chr(&o, '<');
		out_num(&o, (uint64_t)pri, 1);
		out_chr(&o, '>');
		out_str(&o, months[tm->tm_mon]);
		out_chr(&o, ' ');
		if (tm->tm_mday < 10)
			out_chr(&o, ' ');
		out_num(&o, (uint64_t)tm->tm_mday, 1);
		out_chr(&o, ' ');
		out_hms(&o, tm);
		out_str(&o, " weir[");
		out_num(&o, (uint64_t)h->pid, 1);
		out_str(&o, "]: ");
		break;
	}
	case LOG_FMT_RFC5424:
		out_chr(&o, '<');
		out_num(&o, (uint64_t)pri, 1);
		out_str(&o, ">1 ");
		out_iso(&o, h, h->now_us, 6);
		out_chr(&o, ' ');
		out_str(&o, h->hostname && *h->hostname ? h->hostname : "-");
		out_str(&o, " weir ");
		out_num(&o, (uint64_t)h->pid, 1);
		out_str(&o, " - - ");
		break;
	default:
		break;
	}
	if (fmt == LOG_FMT_JSON)
		fmt_json(&o, r, h);
	else
		fmt_text(&o, r, h);
	if (nl) {
		if (o.len == size - 1)
			o.len--;
		o.p[o.len++] = '\n';
	}
	o.p[o.len] = '\0';
	return o.len;
}

/* ---- the writer --------------------------------------------------------- */

static bool
tgt_stream(const struct log_target *t)
{
	return t->kind == LOG_STDOUT || t->kind == LOG_STDERR ||
	    t->kind == LOG_FILE;
}

static void
tgt_error(struct log_target *t, const char *what)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *name = t->path;

	if (t->failed)
		return;
	t->failed = true;
	if (t->kind == LOG_STDOUT)
		name = "stdout";
	else if (t->kind == LOG_STDERR)
		name = "stderr";
	else if (t->kind == LOG_UDP) {
		const struct sockaddr_in *in = (const void *)&t->addr.ss;
		const struct sockaddr_in6 *in6 = (const void *)&t->addr.ss;

		if (in->sin_family == AF_INET6)
			inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		name = a;
	}
	fprintf(stderr, "weir: log: cannot %s %s: %s; its lines are lost "
	    "until it works again\n", what, name, strerror(errno));
}

/* Open t if it is not; false when it cannot be (yet). */
static bool
tgt_open(struct log_target *t)
{
	int fd;

	if (t->fd >= 0)
		return true;
	switch (t->kind) {
	case LOG_STDOUT:
		t->fd = STDOUT_FILENO;
		return true;
	case LOG_STDERR:
		t->fd = STDERR_FILENO;
		return true;
	case LOG_FILE:
		if (now_us() < t->retry_us)
			return false;
		fd = open(t->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0644);
		if (fd < 0) {
			tgt_error(t, "open");
			t->retry_us = now_us() + 1000000u;
			return false;
		}
		t->fd = fd;
		return true;
	case LOG_UDP:
		fd = socket(t->addr.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
		    0);
		break;
	case LOG_UNIX:
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	default:
		return false;
	}
	if (fd < 0) {
		tgt_error(t, "open a socket for");
		return false;
	}
	t->fd = fd;
	return true;
}

static void
tgt_flush(struct log_target *t)
{
	if (tgt_stream(t)) {
		size_t off = 0;

		while (off < t->len && tgt_open(t)) {
			ssize_t n = write(t->fd, t->buf + off, t->len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				tgt_error(t, "write to");
				break;
			}
			off += (size_t)n;
			t->failed = false;
		}
		t->len = 0;
		return;
	}
	if (t->nmsg > 0 && tgt_open(t)) {
		struct mmsghdr msgs[LOG_BATCH_MSGS];
		struct iovec iov[LOG_BATCH_MSGS];
		unsigned i, sent = 0;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < t->nmsg; i++) {
			iov[i].iov_base = t->buf + (size_t)i * LOG_LINE_MAX;
			iov[i].iov_len = t->msglen[i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			if (t->kind == LOG_UDP) {
				msgs[i].msg_hdr.msg_name = &t->addr.ss;
				msgs[i].msg_hdr.msg_namelen = t->addr.len;
			} else {
				msgs[i].msg_hdr.msg_name = &t->un;
				msgs[i].msg_hdr.msg_namelen = sizeof(t->un);
			}
		}
		while (sent < t->nmsg) {
			int n = sendmmsg(t->fd, msgs + sent, t->nmsg - sent,
			    0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* no syslog server there now: lost */
				tgt_error(t, "send to");
				break;
			}
			sent += (unsigned)n;
			t->failed = false;
		}
	}
	t->nmsg = 0;
}

static void
log_emit(struct log *lg, const struct log_rec *r, struct log_host *h,
    unsigned ntargets)
{
	uint64_t m = r->mask;

	while (m != 0) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		struct log_target *t = &lg->targets[i];

		m &= m - 1;
		if (i >= ntargets)
			break;
		if (r->level > t->level)
			continue;	/* less important than it takes */
		if (tgt_stream(t)) {
			if (LOG_STREAM_BUF - t->len < LOG_LINE_MAX)
				tgt_flush(t);
			t->len += log_format(t->buf + t->len, t->line_size,
			    r, t->format, t->facility, h, true);
		} else {
			if (t->nmsg == LOG_BATCH_MSGS)
				tgt_flush(t);
			t->msglen[t->nmsg] = log_format(t->buf +
			    (size_t)t->nmsg * LOG_LINE_MAX, t->line_size - 1,
			    r, t->format, t->facility, h, false);
			t->nmsg++;
		}
	}
}

/* Format and send what every ring holds; returns the records seen. */
static unsigned
log_drain(struct log *lg)
{
	unsigned ntargets = atomic_load(&lg->ntargets);
	unsigned i, n = 0;

	lg->host.now_us = now_us();
	for (i = 0; i < lg->nrings; i++) {
		struct log_ring *r = &lg->rings[i];
		uint32_t t = atomic_load_explicit(&r->tail,
		    memory_order_relaxed);
		uint32_t hd = atomic_load_explicit(&r->head,
		    memory_order_acquire);

		for (; t != hd; t++, n++) {
			log_emit(lg, (const struct log_rec *)(r->slots +
			    (size_t)(t & (LOG_RING_SLOTS - 1)) * LOG_REC_SIZE),
			    &lg->host, ntargets);
			atomic_store_explicit(&r->tail, t + 1,
			    memory_order_release);
		}
	}
	for (i = 0; n > 0 && i < ntargets; i++)
		tgt_flush(&lg->targets[i]);
	return n;
}

static bool
log_rings_empty(struct log *lg)
{
	unsigned i;

	for (i = 0; i < lg->nrings; i++)
		if (atomic_load(&lg->rings[i].head) !=
		    atomic_load(&lg->rings[i].tail))
			return false;
	return true;
}

static void
log_report_drops(struct log *lg, bool now)
{
	uint64_t d = log_dropped(lg), t = now_us();

	if (d == lg->reported || (!now && t - lg->reported_us < 1000000u))
		return;
	fprintf(stderr, "weir: log: %llu line%s dropped: the log ring was "
	    "full (%llu since start)\n",
	    (unsigned long long)(d - lg->reported),
	    d - lg->reported == 1 ? "" : "s", (unsigned long long)d);
	lg->reported = d;
	lg->reported_us = t;
}

static void
log_do_reopen(struct log *lg)
{
	unsigned i, n = atomic_load(&lg->ntargets), nfiles = 0;

	for (i = 0; i < n; i++) {
		struct log_target *t = &lg->targets[i];

		if (t->kind != LOG_FILE)
			continue;
		nfiles++;
		if (t->fd >= 0)
			close(t->fd);
		t->fd = -1;
		t->failed = false;
		t->retry_us = 0;
		(void)tgt_open(t);
	}
	fprintf(stderr, "weir: SIGUSR1: %u log file%s reopened\n", nfiles,
	    nfiles == 1 ? "" : "s");
}

static void *
log_run(void *arg)
{
	struct log *lg = arg;
	unsigned idle = 0;

	for (;;) {
		struct pollfd pfd = { lg->wake_fd, POLLIN, 0 };
		uint64_t v;
		int to = LOG_POLL_MS;

		if (log_drain(lg) > 0)
			idle = 0;
		else
			idle++;
		if (atomic_exchange(&lg->reopen, false))
			log_do_reopen(lg);
		log_report_drops(lg, false);
		if (atomic_load(&lg->stop)) {
			if (log_drain(lg) == 0)
				break;
			continue;
		}
		if (idle >= LOG_IDLE_ROUNDS) {
			/* nothing for a while: sleep until a worker calls */
			atomic_store(&lg->sleeping, true);
			if (!log_rings_empty(lg)) {
				atomic_store(&lg->sleeping, false);
				continue;
			}
			to = -1;
		}
		if (poll(&pfd, 1, to) > 0)
			(void)!read(lg->wake_fd, &v, sizeof(v));
		atomic_store(&lg->sleeping, false);
	}
	log_report_drops(lg, true);
	return NULL;
}

/* ---- setup -------------------------------------------------------------- */

struct log *
log_new(unsigned nrings)
{
	struct log *lg = calloc(1, sizeof(*lg));
	unsigned i;

	if (lg == NULL)
		goto oom;
	lg->wake_fd = -1;
	lg->rings = calloc(nrings ? nrings : 1, sizeof(*lg->rings));
	if (lg->rings == NULL)
		goto oom;
	lg->nrings = nrings;
	for (i = 0; i < nrings; i++) {
		lg->rings[i].lg = lg;
		/* pages are touched only as records come */
		lg->rings[i].slots = malloc((size_t)LOG_RING_SLOTS *
		    LOG_REC_SIZE);
		if (lg->rings[i].slots == NULL)
			goto oom;
	}
	if (gethostname(lg->hostname, sizeof(lg->hostname) - 1) < 0)
		lg->hostname[0] = '\0';
	lg->host.hostname = lg->hostname;
	lg->host.pid = getpid();
	lg->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lg->wake_fd < 0)
		goto oom;
	if (pthread_create(&lg->thread, NULL, log_run, lg) != 0) {
		fprintf(stderr, "weir: cannot start the log thread: %s\n",
		    strerror(errno));
		log_free(lg);
		return NULL;
	}
	lg->started = true;
	(void)pthread_setname_np(lg->thread, "weir-log");
	return lg;
oom:
	fprintf(stderr, "weir: out of memory for the log rings\n");
	log_free(lg);
	return NULL;
}

void
log_free(struct log *lg)
{
	unsigned i, n;

	if (lg == NULL)
		return;
	if (lg->started) {
		struct timespec until;

		atomic_store(&lg->stop, true);
		log_kick(lg);
		/* a target that takes nothing (a pipe nobody reads) must not
		   keep weir from exiting: it is left behind, with its memory */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += LOG_STOP_WAIT_S;
		if (pthread_timedjoin_np(lg->thread, NULL, &until) != 0) {
			fprintf(stderr, "weir: log: a log target has taken "
			    "nothing for %d s: the lines left are lost\n",
			    LOG_STOP_WAIT_S);
			return;
		}
	}
	n = atomic_load(&lg->ntargets);
	for (i = 0; i < n; i++) {
		struct log_target *t = &lg->targets[i];

		if (t->fd > STDERR_FILENO)
			close(t->fd);
		free(t->path);
		free(t->buf);
		free(t->msglen);
	}
	for (i = 0; lg->rings != NULL && i < lg->nrings; i++)
		free(lg->rings[i].slots);
	free(lg->rings);
	if (lg->wake_fd >= 0)
		close(lg->wake_fd);
	free(lg);
}

void
log_reopen(struct log *lg)
{
	if (lg == NULL)
		return;
	atomic_store(&lg->reopen, true);
	log_kick(lg);
}

/* Room for a line of at most l->max_len bytes, its newline and NUL. */
static size_t
tgt_line_size(const struct g_log *l)
{
	size_t n = (l->max_len ? l->max_len : 1024) + 2;

	return n < LOG_LINE_MAX ? n : LOG_LINE_MAX;
}

static bool
tgt_same(const struct log_target *t, const struct g_log *l)
{
	if (t->kind != l->kind || t->facility != l->facility ||
	    t->level != l->level || t->format != l->format ||
	    t->line_size != tgt_line_size(l))
		return false;
	if (l->kind == LOG_UDP)
		return t->addr.len == l->addr.len &&
		    memcmp(&t->addr.ss, &l->addr.ss, l->addr.len) == 0;
	if (l->kind == LOG_UNIX || l->kind == LOG_FILE)
		return strcmp(t->path, l->path) == 0;
	return true;
}

/* The bit of target l, registered if new; 0 when none can be. */
static uint64_t
log_target_bit(struct log *lg, const struct g_log *l)
{
	unsigned i, n = atomic_load(&lg->ntargets);
	struct log_target *t;
	size_t bufsize;

	/* a target below err gets no traffic line at all */
	if (l->level < LOG_LEVEL_ERR)
		return 0;
	for (i = 0; i < n; i++)
		if (tgt_same(&lg->targets[i], l))
			return 1ull << i;
	if (n == LOG_MAX_TARGETS) {
		if (!lg->warned_full)
			fprintf(stderr, "weir: log: more than %d log targets "
			    "since start: the new ones get no line until "
			    "weir restarts\n", LOG_MAX_TARGETS);
		lg->warned_full = true;
		return 0;
	}
	t = &lg->targets[n];
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->kind = l->kind;
	t->addr = l->addr;
	t->facility = l->facility;
	t->level = l->level;
	t->format = l->format;
	t->line_size = tgt_line_size(l);
	bufsize = tgt_stream(t) ? LOG_STREAM_BUF :
	    (size_t)LOG_BATCH_MSGS * LOG_LINE_MAX;
	t->buf = malloc(bufsize);
	t->msglen = calloc(LOG_BATCH_MSGS, sizeof(*t->msglen));
	t->path = l->path ? strdup(l->path) : NULL;
	if (t->buf == NULL || t->msglen == NULL ||
	    (l->path != NULL && t->path == NULL)) {
		free(t->buf);
		free(t->msglen);
		free(t->path);
		fprintf(stderr, "weir: log: out of memory\n");
		return 0;
	}
	if (t->kind == LOG_UNIX) {
		t->un.sun_family = AF_UNIX;
		snprintf(t->un.sun_path, sizeof(t->un.sun_path), "%s",
		    t->path);
	}
	/* a file that cannot be opened is said at start or reload */
	if (t->kind == LOG_FILE)
		(void)tgt_open(t);
	/* the writer sees the entry whole, then the count */
	atomic_store(&lg->ntargets, n + 1);
	return 1ull << n;
}

static uint64_t
log_mask_of(struct log *lg, const struct g_log *logs, unsigned n)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		m |= log_target_bit(lg, &logs[i]);
	return m;
}

void
log_attach(struct log *lg, struct graph *g)
{
	uint64_t global;
	unsigned i;

	if (lg == NULL)
		return;
	global = log_mask_of(lg, g->logs, g->nlogs);
	for (i = 0; i < g->nfrontends; i++) {
		struct g_proxy *px = &g->frontends[i].px;

		px->log_mask = log_mask_of(lg, px->logs, px->nlogs);
		if (px->log_global)
			px->log_mask |= global;
	}
}
