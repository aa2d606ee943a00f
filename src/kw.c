#include "config.h"

#include "kw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>
#include <sys/stat.h>

#include "acl.h"
#include "conf.h"
#include "diag.h"
#include "fmt.h"
#include "stick.h"
#include "val.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define KW_COND		0x100	/* the keyword takes if/unless */

struct kw_ctx {
	struct conf *c;
	struct diag *d;
	struct conf_proxy *px;		/* NULL in global */
	struct conf_proxy *defaults;	/* what new proxies start from */
	unsigned sec;			/* KS_* of this section */
	char where[160];		/* "backend 'app'" */
};

/* A sub-keyword: bind, server, option, timeout, http-request... */
struct kw_sub {
	const char *name;	/* first: diag_best_match() reads it */
	unsigned secs;		/* KS_*, 0 for any */
	int id;			/* an enum value, or a flag */
	unsigned nargs;		/* how many words follow it */
	const char *hint;	/* set: refused, with this reason */
};

static const char KW_LATER[] = "is not supported yet";

/* ---- names ------------------------------------------------------------- */

static const char *const timeout_names[TO__COUNT] = {
	[TO_CONNECT] = "connect",
	[TO_CLIENT] = "client",
	[TO_SERVER] = "server",
	[TO_HTTP_REQUEST] = "http-request",
	[TO_HTTP_KEEP_ALIVE] = "http-keep-alive",
	[TO_QUEUE] = "queue",
	[TO_TUNNEL] = "tunnel",
	[TO_CHECK] = "check",
	[TO_CLIENT_FIN] = "client-fin",
	[TO_SERVER_FIN] = "server-fin",
};

static const char *const option_names[OPT__COUNT] = {
	[OPT_DONTLOGNULL] = "dontlognull",
	[OPT_FORWARDFOR] = "forwardfor",
	[OPT_HTTP_KEEP_ALIVE] = "http-keep-alive",
	[OPT_HTTP_SERVER_CLOSE] = "http-server-close",
	[OPT_HTTPCHK] = "httpchk",
	[OPT_HTTPCLOSE] = "httpclose",
	[OPT_HTTPLOG] = "httplog",
	[OPT_REDISPATCH] = "redispatch",
	[OPT_TCPLOG] = "tcplog",
	[OPT_TCP_CHECK] = "tcp-check",
	[OPT_MYSQL_CHECK] = "mysql-check",
	[OPT_PGSQL_CHECK] = "pgsql-check",
	[OPT_REDIS_CHECK] = "redis-check",
	[OPT_DONTLOG_NORMAL] = "dontlog-normal",
	[OPT_LOG_SEPARATE_ERRORS] = "log-separate-errors",
};

const char *
kw_timeout_name(enum to_kind k)
{
	return k < TO__COUNT ? timeout_names[k] : "?";
}

const char *
kw_option_name(enum px_opt o)
{
	return o < OPT__COUNT ? option_names[o] : "?";
}

const char *
kw_mode_name(enum px_mode m)
{
	return m == PX_MODE_HTTP ? "http" : "tcp";
}

const char *
kw_balance_name(enum lb_algo a)
{
	static const char *const names[] = {
		[LB_ROUNDROBIN] = "roundrobin",
		[LB_STATIC_RR] = "static-rr",
		[LB_LEASTCONN] = "leastconn",
		[LB_FIRST] = "first",
		[LB_SOURCE] = "source",
		[LB_URI] = "uri",
		[LB_HDR] = "hdr",
		[LB_RANDOM] = "random",
	};

	return a < NELEM(names) ? names[a] : "?";
}

/* ---- helpers ----------------------------------------------------------- */

static const char *
kw_sec_list(unsigned secs)
{
	switch (secs & (KS_GLOBAL | KS_PX)) {
	case KS_GLOBAL:
		return "the global section";
	case KS_FE:
		return "frontend and listen sections";
	case KS_BE:
		return "backend and listen sections";
	case KS_FE | KS_BE:
		return "frontend, backend and listen sections";
	case KS_DEF | KS_FE:
		return "defaults, frontend and listen sections";
	case KS_DEF | KS_BE:
		return "defaults, backend and listen sections";
	case KS_PX:
		return "defaults, frontend, backend and listen sections";
	default:
		return "other sections";
	}
}

/* Find name among n sorted rows of stride bytes that start with a name. */
static const void *
kw_lookup(const void *rows, size_t n, size_t stride, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *mname;
		int c;

		memcpy(&mname, (const char *)rows + mid * stride,
		    sizeof(mname));
		c = strcmp(name, mname);
		if (c == 0)
			return (const char *)rows + mid * stride;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* "unknown WHAT 'word' in WHERE (did you mean 'x'?)" */
static void
kw_unknown(struct kw_ctx *ctx, const struct conf_word *w, const char *what,
    const void *rows, size_t n, size_t stride)
{
	const char *best = diag_best_match(w->s, rows, n, stride);

	if (best != NULL)
		diag_error(ctx->d, &w->loc,
		    "unknown %s '%s' in %s (did you mean '%s'?)", what, w->s,
		    ctx->where, best);
	else
		diag_error(ctx->d, &w->loc, "unknown %s '%s' in %s", what,
		    w->s, ctx->where);
}

/* Check that st has between min and max words after its keyword(s). */
static int
kw_nargs(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned skip,
    unsigned min, unsigned max, const char *name)
{
	unsigned n = st->nwords - skip;

	if (n < min) {
		diag_error(ctx->d, &st->loc, "'%s' needs %u argument%s, got %u",
		    name, min, min == 1 ? "" : "s", n);
		return -1;
	}
	if (n > max) {
		if (max == 0)
			diag_error(ctx->d, &st->words[skip].loc,
			    "'%s' takes no argument, got '%s'", name,
			    st->words[skip].s);
		else
			diag_error(ctx->d, &st->words[skip + max].loc,
			    "'%s' takes at most %u argument%s, got '%s' too",
			    name, max, max == 1 ? "" : "s",
			    st->words[skip + max].s);
		return -1;
	}
	return 0;
}

static char *
kw_dup(struct kw_ctx *ctx, const struct conf_word *w)
{
	char *s = arena_strndup(&ctx->c->arena, w->s, w->len);

	if (s == NULL)
		diag_error(ctx->d, &w->loc, "out of memory");
	return s;
}

static int
kw_get_int(struct kw_ctx *ctx, const struct conf_word *w, const char *name,
    long long min, long long max, long long *out)
{
	int r = val_int(w->s, min, max, out);

	if (r == -1) {
		diag_error(ctx->d, &w->loc, "invalid number '%s' for '%s'",
		    w->s, name);
		return -1;
	}
	if (r == -2) {
		diag_error(ctx->d, &w->loc, "%s must be %lld..%lld, got %s",
		    name, min, max, w->s);
		return -1;
	}
	return 0;
}

static int
kw_get_duration(struct kw_ctx *ctx, const struct conf_word *w,
    const char *name, uint64_t *ms)
{
	if (val_duration(w->s, ms) < 0) {
		diag_error(ctx->d, &w->loc, "invalid duration '%s' for '%s' "
		    "(expected e.g. 500ms, 5s, 2m)", w->s, name);
		return -1;
	}
	return 0;
}

/* A duration that must not be zero. */
static int
kw_get_nz_duration(struct kw_ctx *ctx, const struct conf_word *w,
    const char *name, uint64_t *ms)
{
	if (kw_get_duration(ctx, w, name, ms) < 0)
		return -1;
	if (*ms == 0) {
		diag_error(ctx->d, &w->loc, "'%s' must be longer than 0",
		    name);
		return -1;
	}
	return 0;
}

/* Look a sub-keyword up; report it unknown, misplaced or refused. */
static const struct kw_sub *
kw_sub_find(struct kw_ctx *ctx, const struct conf_word *w, const char *what,
    const struct kw_sub *rows, size_t n)
{
	const struct kw_sub *s = kw_lookup(rows, n, sizeof(*rows), w->s);

	if (s == NULL) {
		kw_unknown(ctx, w, what, rows, n, sizeof(*rows));
		return NULL;
	}
	if (s->hint != NULL) {
		diag_error(ctx->d, &w->loc, "%s '%s' %s", what, w->s, s->hint);
		return NULL;
	}
	if (s->secs != 0 && ctx->sec != 0 && !(s->secs & ctx->sec)) {
		diag_error(ctx->d, &w->loc,
		    "%s '%s' is not allowed in %s (only in %s)", what, w->s,
		    ctx->where, kw_sec_list(s->secs));
		return NULL;
	}
	return s;
}

static void
kw_origin(struct conf_origin *o, const struct loc *loc)
{
	o->loc = *loc;
	o->set = true;
	o->inherited = false;
}

/* A file named in the configuration: relative to the file naming it. */
static const char *
kw_path(struct kw_ctx *ctx, const struct conf_word *w)
{
	const char *slash = strrchr(w->loc.file, '/');

	if (w->s[0] == '/' || slash == NULL)
		return w->s;
	return arena_printf(&ctx->c->arena, "%.*s/%s",
	    (int)(slash - w->loc.file), w->loc.file, w->s);
}

/*
 * Read a small regular file whole into the arena (NUL-terminated). Returns
 * the data, or NULL with the reason reported at w.
 */
static char *
kw_read_file(struct kw_ctx *ctx, const struct conf_word *w, const char *path,
    size_t max, size_t *lenp)
{
	struct stat sb;
	FILE *f;
	char *buf;
	size_t len;

	f = fopen(path, "rb");
	if (f == NULL) {
		diag_error(ctx->d, &w->loc, "cannot open '%s': %m", path);
		return NULL;
	}
	if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		diag_error(ctx->d, &w->loc, "'%s' is not a regular file", path);
		return NULL;
	}
	buf = arena_alloc(&ctx->c->arena, max + 2);
	len = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (buf == NULL)
		return NULL;
	if (len > max) {
		diag_error(ctx->d, &w->loc, "'%s' is larger than %zu KiB",
		    path, max / 1024);
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * A setting weir reads and checks but does not act on yet: said once, as
 * a warning, so that it is never silently ignored.
 */
static void
kw_inert(struct kw_ctx *ctx, const struct loc *loc, const char *what,
    const char *why)
{
	diag_warn(ctx->d, loc, "'%s' has no effect yet: %s", what, why);
}

/* ---- generic setters --------------------------------------------------- */

static void *
kw_base(struct kw_ctx *ctx)
{
	return ctx->px != NULL ? (void *)ctx->px : (void *)&ctx->c->global;
}

static int
kw_set_uint(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	long long v;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0 ||
	    kw_get_int(ctx, &st->words[1], kw->name, kw->min, kw->max, &v) < 0)
		return -1;
	*(unsigned *)((char *)kw_base(ctx) + kw->off) = (unsigned)v;
	return 0;
}

static int
kw_set_duration(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	uint64_t ms;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0 ||
	    kw_get_nz_duration(ctx, &st->words[1], kw->name, &ms) < 0)
		return -1;
	*(uint64_t *)((char *)kw_base(ctx) + kw->off) = ms;
	return 0;
}

static int
kw_set_size(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	uint64_t v;
	const struct conf_word *w;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0)
		return -1;
	w = &st->words[1];
	if (val_size(w->s, &v) < 0) {
		diag_error(ctx->d, &w->loc, "invalid size '%s' for '%s' "
		    "(expected e.g. 16384, 16k, 1m)", w->s, kw->name);
		return -1;
	}
	if (v < (uint64_t)kw->min || v > (uint64_t)kw->max) {
		diag_error(ctx->d, &w->loc, "%s must be %lld..%lld bytes, "
		    "got %s", kw->name, kw->min, kw->max, w->s);
		return -1;
	}
	*(unsigned *)((char *)kw_base(ctx) + kw->off) = (unsigned)v;
	return 0;
}

static int
kw_set_str(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	char *s;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0)
		return -1;
	if (st->words[1].len == 0) {
		diag_error(ctx->d, &st->words[1].loc, "'%s' must not be empty",
		    kw->name);
		return -1;
	}
	if ((s = kw_dup(ctx, &st->words[1])) == NULL)
		return -1;
	*(const char **)((char *)kw_base(ctx) + kw->off) = s;
	return 0;
}

/* ---- log --------------------------------------------------------------- */

static const char *const log_facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7",
};

static const char *const log_levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int
kw_name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static bool
kw_is_socket(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

static struct conf_log **
kw_logs(struct kw_ctx *ctx)
{
	return ctx->px ? &ctx->px->logs : &ctx->c->global.logs;
}

/*
 * log global | stdout | stderr | /PATH | file@/PATH | unix@/PATH |
 *     ADDR[:PORT] | udp@ADDR:PORT [len N] [format F]
 *     [FACILITY [LEVEL [MINLEVEL]]]
 * A bare path with a facility is a syslog socket (HAProxy's /dev/log);
 * without one, a file.
 */
static int
kw_log(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	static const char *const formats[] = {
		[LOG_FMT_RFC3164] = "rfc3164",
		[LOG_FMT_RAW] = "raw",
		[LOG_FMT_RFC5424] = "rfc5424",
		[LOG_FMT_JSON] = "json",
	};
	const struct conf_word *t;
	struct conf_log *lg, **pp;
	const char *err, *target;
	unsigned i, nlevels = 0;
	bool fmt_set = false, bare_path = false;
	int v;

	if (kw_nargs(ctx, st, 1, 1, 8, "log") < 0)
		return -1;
	t = &st->words[1];
	if (conf_word_is(t, "global")) {
		if (ctx->px == NULL) {
			diag_error(ctx->d, &t->loc,
			    "'log global' belongs in a proxy section");
			return -1;
		}
		if (kw_nargs(ctx, st, 2, 0, 0, "log global") < 0)
			return -1;
		ctx->px->log_global = true;
		return 0;
	}
	lg = arena_alloc(&ctx->c->arena, sizeof(*lg));
	if (lg == NULL)
		return -1;
	lg->loc = st->loc;
	lg->facility = -1;
	lg->level = 7;
	lg->max_len = 1024;	/* HAProxy's default */
	target = t->s;
	if (strcmp(target, "stdout") == 0) {
		lg->kind = LOG_STDOUT;
		lg->format = LOG_FMT_RAW;
	} else if (strcmp(target, "stderr") == 0) {
		lg->kind = LOG_STDERR;
		lg->format = LOG_FMT_RAW;
	} else if (strncmp(target, "file@", 5) == 0) {
		lg->kind = LOG_FILE;
		lg->path = target + 5;
		if (lg->path[0] != '/') {
			diag_error(ctx->d, &t->loc, "log file '%s' needs an "
			    "absolute path", lg->path);
			return -1;
		}
	} else if (target[0] == '/' || strncmp(target, "unix@", 5) == 0) {
		lg->kind = LOG_UNIX;
		lg->path = target[0] == '/' ? target : target + 5;
		bare_path = target[0] == '/';
	} else {
		if (strncmp(target, "udp@", 4) == 0)
			target += 4;
		else if (strncmp(target, "udp4@", 5) == 0 ||
		    strncmp(target, "ipv4@", 5) == 0 ||
		    strncmp(target, "udp6@", 5) == 0 ||
		    strncmp(target, "ipv6@", 5) == 0)
			target += 5;
		else if (strchr(target, '@') != NULL) {
			diag_error(ctx->d, &t->loc,
			    "log target '%s' is not supported yet", t->s);
			return -1;
		}
		lg->kind = LOG_UDP;
		if (val_addr(target, VAL_ADDR_RESOLVE, &lg->addr, &err) < 0) {
			diag_error(ctx->d, &t->loc,
			    "invalid log target '%s': %s", t->s, err);
			return -1;
		}
		if (((struct sockaddr_in *)&lg->addr.ss)->sin_port == 0)
			((struct sockaddr_in *)&lg->addr.ss)->sin_port =
			    htons(514);
	}
	for (i = 2; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i];

		if (conf_word_is(w, "format") || conf_word_is(w, "len")) {
			if (i + 1 >= st->nwords) {
				diag_error(ctx->d, &w->loc,
				    "'%s' needs a value", w->s);
				return -1;
			}
			i++;
			if (w->s[0] == 'l') {	/* HAProxy's line limit */
				long long len;

				if (kw_get_int(ctx, &st->words[i], "log len",
				    80, 65535, &len) < 0)
					return -1;
				lg->max_len = (unsigned)len;
				continue;
			}
			v = kw_name_index(formats, NELEM(formats),
			    st->words[i].s);
			if (v < 0) {
				diag_error(ctx->d, &st->words[i].loc,
				    "unknown log format '%s' (expected raw, "
				    "rfc3164, rfc5424 or json)",
				    st->words[i].s);
				return -1;
			}
			lg->format = (enum log_format)v;
			fmt_set = true;
			continue;
		}
		if (conf_word_is(w, "sample")) {
			diag_error(ctx->d, &w->loc, "log sampling %s",
			    KW_LATER);
			return -1;
		}
		if (lg->facility < 0) {
			v = kw_name_index(log_facilities,
			    NELEM(log_facilities), w->s);
			if (v < 0) {
				const char *best = diag_best_match(w->s,
				    log_facilities, NELEM(log_facilities),
				    sizeof(log_facilities[0]));

				diag_error(ctx->d, &w->loc,
				    "unknown log facility '%s'%s%s%s", w->s,
				    best ? " (did you mean '" : "",
				    best ? best : "", best ? "'?)" : "");
				return -1;
			}
			lg->facility = v;
			continue;
		}
		v = kw_name_index(log_levels, NELEM(log_levels), w->s);
		if (v < 0) {
			diag_error(ctx->d, &w->loc, "unknown log level '%s' "
			    "(expected emerg, alert, crit, err, warning, "
			    "notice, info or debug)", w->s);
			return -1;
		}
		/* the first level is the maximum; a second, the minimum */
		if (++nlevels == 1) {
			lg->level = v;
		} else if (nlevels > 2) {
			diag_error(ctx->d, &w->loc, "'log' takes at most a "
			    "facility, a level and a minimum level, got "
			    "'%s' too", w->s);
			return -1;
		}
	}
	/* a syslog socket without a facility stays the error it is */
	if (bare_path && lg->facility < 0 && !kw_is_socket(lg->path))
		lg->kind = LOG_FILE;
	if (lg->kind == LOG_FILE && !fmt_set)
		lg->format = LOG_FMT_RAW;
	if ((lg->kind == LOG_UDP || lg->kind == LOG_UNIX) &&
	    lg->facility < 0) {
		diag_error(ctx->d, &t->loc,
		    "a syslog target needs a facility, e.g. 'log %s local0'",
		    t->s);
		return -1;
	}
	if (lg->path != NULL && (lg->path = arena_strdup(&ctx->c->arena,
	    lg->path)) == NULL)
		return -1;
	for (pp = kw_logs(ctx); *pp != NULL; pp = &(*pp)->next)
		;
	*pp = lg;
	return 0;
}

/* ---- global ------------------------------------------------------------ */

/* stats socket PATH [mode OCTAL] [level L] [expose-fd listeners] */
static int
kw_stats_socket(struct kw_ctx *ctx, const struct conf_stmt *st)
{
	static const char *const levels[] = { "user", "operator", "admin" };
	struct conf_stats_socket *s, **pp;
	const struct conf_word *p;
	unsigned i;
	int v;

	if (kw_nargs(ctx, st, 2, 1, 16, "stats socket") < 0)
		return -1;
	p = &st->words[2];
	if (p->s[0] == '\0' || (strchr(p->s, '@') != NULL &&
	    strncmp(p->s, "unix@", 5) != 0)) {
		diag_error(ctx->d, &p->loc, "stats socket '%s': only unix "
		    "socket paths are supported", p->s);
		return -1;
	}
	s = arena_alloc(&ctx->c->arena, sizeof(*s));
	if (s == NULL)
		return -1;
	s->loc = st->loc;
	s->path = kw_dup(ctx, p);
	if (strncmp(s->path, "unix@", 5) == 0)
		s->path += 5;
	s->mode = 0600;
	s->level = STATS_LEVEL_ADMIN;
	for (i = 3; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i], *a;
		char *end;
		unsigned long m;

		if (i + 1 >= st->nwords) {
			diag_error(ctx->d, &w->loc,
			    "stats socket option '%s' needs a value", w->s);
			return -1;
		}
		a = &st->words[++i];
		if (conf_word_is(w, "mode")) {
			m = strtoul(a->s, &end, 8);
			if (a->s[0] == '\0' || *end != '\0' || m > 0777) {
				diag_error(ctx->d, &a->loc, "invalid socket "
				    "mode '%s' (expected octal, e.g. 600)",
				    a->s);
				return -1;
			}
			s->mode = (unsigned)m;
		} else if (conf_word_is(w, "level")) {
			v = kw_name_index(levels, NELEM(levels), a->s);
			if (v < 0) {
				diag_error(ctx->d, &a->loc, "unknown level "
				    "'%s' (expected user, operator or admin)",
				    a->s);
				return -1;
			}
			s->level = (enum stats_level)v;
		} else if (conf_word_is(w, "expose-fd")) {
			if (!conf_word_is(a, "listeners")) {
				diag_error(ctx->d, &a->loc, "expected "
				    "'expose-fd listeners', got '%s'", a->s);
				return -1;
			}
			s->expose_fd = true;
		} else {
			diag_error(ctx->d, &w->loc, "stats socket option '%s' "
			    "%s (weir knows mode, level and expose-fd)", w->s,
			    KW_LATER);
			return -1;
		}
	}
	for (pp = &ctx->c->global.sockets; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = s;
	return 0;
}

static int
kw_global_stats(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	static const struct kw_sub subs[] = {
		{ "bind-process", 0, 0, 0, KW_LATER },
		{ "maxconn", 0, 0, 0, KW_LATER },
		{ "socket", 0, 1, 0, NULL },
		{ "timeout", 0, 2, 0, NULL },
	};
	const struct kw_sub *s;
	uint64_t ms;

	if (kw_nargs(ctx, st, 1, 1, 64, "stats") < 0)
		return -1;
	s = kw_sub_find(ctx, &st->words[1], "stats keyword", subs,
	    NELEM(subs));
	if (s == NULL)
		return -1;
	if (s->id == 1)
		return kw_stats_socket(ctx, st);
	if (kw_nargs(ctx, st, 2, 1, 1, "stats timeout") < 0 ||
	    kw_get_nz_duration(ctx, &st->words[2], "stats timeout", &ms) < 0)
		return -1;
	ctx->c->global.stats_timeout_ms = ms;
	return 0;
}

static int kw_tls_default_opts(struct kw_ctx *, const struct kw *,
    const struct conf_stmt *);
static int kw_tls_default_ciphers(struct kw_ctx *, const struct kw *,
    const struct conf_stmt *);
static int kw_tls_dh_param(struct kw_ctx *, const struct kw *,
    const struct conf_stmt *);

#define GOFF(f) offsetof(struct conf_global, f)

/* clang-format off */
const struct kw kw_global_table[] = {
	{ "ca-base",		KS_GLOBAL, kw_set_str,	GOFF(ca_base), 0, 0, NULL },
	{ "chroot",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: run it in a confined service (systemd's RootDirectory=, a container) instead" },
	{ "cpu-map",		KS_GLOBAL, NULL, 0, 0, 0, KW_LATER },
	{ "crt-base",		KS_GLOBAL, kw_set_str,	GOFF(crt_base), 0, 0, NULL },
	{ "daemon",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: it runs in the foreground; let systemd or another supervisor run it in the background" },
	{ "description",	KS_GLOBAL, NULL, 0, 0, 0, KW_LATER },
	{ "gid",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: start it as the user and group it should run as (systemd's User= and Group=)" },
	{ "group",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: start it as the user and group it should run as (systemd's User= and Group=)" },
	{ "hard-stop-after",	KS_GLOBAL, kw_set_duration, GOFF(hard_stop_after_ms), 0, 0, NULL },
	{ "log",		KS_GLOBAL, kw_log, 0, 0, 0, NULL },
	{ "lua-load",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir" },
	{ "master-worker",	KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: it runs as one process" },
	{ "maxconn",		KS_GLOBAL, kw_set_uint,	GOFF(maxconn), 1, 1000000, NULL },
	{ "nbproc",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: use 'nbthread'" },
	{ "nbthread",		KS_GLOBAL, kw_set_uint,	GOFF(nbthread), 1, 64, NULL },
	{ "node",		KS_GLOBAL, NULL, 0, 0, 0, KW_LATER },
	{ "pidfile",		KS_GLOBAL, kw_set_str,	GOFF(pidfile), 0, 0, NULL },
	{ "server-state-file",	KS_GLOBAL, NULL, 0, 0, 0, "is not needed: weir keeps server state across reloads by itself" },
	{ "spread-checks",	KS_GLOBAL, NULL, 0, 0, 0, KW_LATER },
	{ "ssl-default-bind-ciphers", KS_GLOBAL, kw_tls_default_ciphers, 0, 0, 0, NULL },
	{ "ssl-default-bind-ciphersuites", KS_GLOBAL, kw_tls_default_ciphers, 2, 0, 0, NULL },
	{ "ssl-default-bind-options", KS_GLOBAL, kw_tls_default_opts, 0, 0, 0, NULL },
	{ "ssl-default-server-ciphers", KS_GLOBAL, kw_tls_default_ciphers, 1, 0, 0, NULL },
	{ "ssl-default-server-ciphersuites", KS_GLOBAL, kw_tls_default_ciphers, 3, 0, 0, NULL },
	{ "ssl-default-server-options", KS_GLOBAL, kw_tls_default_opts, 1, 0, 0, NULL },
	{ "stats",		KS_GLOBAL, kw_global_stats, 0, 0, 0, NULL },
	{ "tune.bufsize",	KS_GLOBAL, kw_set_size,	GOFF(tune_bufsize), 1024, 1 << 24, NULL },
	{ "tune.http.maxhdr",	KS_GLOBAL, kw_set_uint,	GOFF(tune_maxhdr), 1, 256, NULL },
	{ "tune.ssl.default-dh-param", KS_GLOBAL, kw_tls_dh_param, 0, 0, 0, NULL },
	{ "uid",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: start it as the user and group it should run as (systemd's User= and Group=)" },
	{ "ulimit-n",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: raise the limit where it is started (systemd's LimitNOFILE=)" },
	{ "user",		KS_GLOBAL, NULL, 0, 0, 0, "is not supported by weir: start it as the user and group it should run as (systemd's User= and Group=)" },
};
/* clang-format on */
const size_t kw_global_count = NELEM(kw_global_table);

/* ---- proxies: simple settings ------------------------------------------ */

static int
kw_mode(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	const struct conf_word *w;

	if (kw_nargs(ctx, st, 1, 1, 1, "mode") < 0)
		return -1;
	w = &st->words[1];
	if (conf_word_is(w, "http"))
		ctx->px->mode = PX_MODE_HTTP;
	else if (conf_word_is(w, "tcp"))
		ctx->px->mode = PX_MODE_TCP;
	else if (conf_word_is(w, "health")) {
		diag_error(ctx->d, &w->loc, "'mode health' is not supported "
		    "by weir: use 'monitor-uri' in an http frontend");
		return -1;
	} else {
		diag_error(ctx->d, &w->loc,
		    "unknown mode '%s' (expected http or tcp)", w->s);
		return -1;
	}
	kw_origin(&ctx->px->mode_origin, &st->loc);
	return 0;
}

static int
kw_retries(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	if (kw_set_uint(ctx, kw, st) < 0)
		return -1;
	kw_origin(&ctx->px->retries_origin, &st->loc);
	return 0;
}

static int
kw_timeout(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	/* clang-format off */
	static const struct kw_sub subs[] = {
		{ "check",		KS_DEF | KS_BE,	TO_CHECK, 1, NULL },
		{ "client",		KS_DEF | KS_FE,	TO_CLIENT, 1, NULL },
		{ "client-fin",		KS_DEF | KS_FE,	TO_CLIENT_FIN, 1, NULL },
		{ "connect",		KS_DEF | KS_BE,	TO_CONNECT, 1, NULL },
		{ "http-keep-alive",	KS_PX,		TO_HTTP_KEEP_ALIVE, 1, NULL },
		{ "http-request",	KS_PX,		TO_HTTP_REQUEST, 1, NULL },
		{ "queue",		KS_DEF | KS_BE,	TO_QUEUE, 1, NULL },
		{ "server",		KS_DEF | KS_BE,	TO_SERVER, 1, NULL },
		{ "server-fin",		KS_DEF | KS_BE,	TO_SERVER_FIN, 1, NULL },
		{ "tarpit",		0, 0, 1, KW_LATER },
		{ "tunnel",		KS_DEF | KS_BE,	TO_TUNNEL, 1, NULL },
	};
	/* clang-format on */
	const struct kw_sub *s;
	char name[64];
	uint64_t ms;

	if (kw_nargs(ctx, st, 1, 1, 2, "timeout") < 0)
		return -1;
	s = kw_sub_find(ctx, &st->words[1], "timeout", subs, NELEM(subs));
	if (s == NULL)
		return -1;
	snprintf(name, sizeof(name), "timeout %s", s->name);
	if (st->nwords < 3) {
		diag_error(ctx->d, &st->loc, "'%s' needs a duration", name);
		return -1;
	}
	if (kw_nargs(ctx, st, 2, 1, 1, name) < 0)
		return -1;
	snprintf(name, sizeof(name), "timeout %s", s->name);
	/* set even when wrong: one error, not a warning that it is unset */
	kw_origin(&ctx->px->timeout_origin[s->id], &st->loc);
	if (kw_get_nz_duration(ctx, &st->words[2], name, &ms) < 0)
		return -1;
	ctx->px->timeout_ms[s->id] = ms;
	switch (s->id) {
	case TO_CLIENT_FIN:
	case TO_SERVER_FIN:
		kw_inert(ctx, &st->loc, name, "a half-closed side is timed "
		    "by timeout client and timeout server");
		break;
	}
	return 0;
}

/* option forwardfor [except NET] [header NAME] */
static int
kw_opt_forwardfor(struct kw_ctx *ctx, const struct conf_stmt *st,
    unsigned skip)
{
	struct conf_proxy *px = ctx->px;
	unsigned i;

	px->fwdfor_except_bits = 0;
	px->fwdfor_header = NULL;
	for (i = skip; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i];

		if (conf_word_is(w, "if-none")) {
			diag_error(ctx->d, &w->loc,
			    "'option forwardfor if-none' %s", KW_LATER);
			return -1;
		}
		if (!conf_word_is(w, "except") && !conf_word_is(w, "header")) {
			diag_error(ctx->d, &w->loc, "unknown argument '%s' to "
			    "'option forwardfor' (expected except or header)",
			    w->s);
			return -1;
		}
		if (i + 1 >= st->nwords) {
			diag_error(ctx->d, &w->loc, "'%s' needs a value", w->s);
			return -1;
		}
		i++;
		if (w->s[0] == 'e') {
			if (val_net(st->words[i].s, &px->fwdfor_except,
			    &px->fwdfor_except_bits) < 0) {
				diag_error(ctx->d, &st->words[i].loc,
				    "invalid network '%s'", st->words[i].s);
				return -1;
			}
			/* a /0 network is all of them: still "set" */
			if (px->fwdfor_except_bits == 0)
				px->fwdfor_except_bits = 255;
		} else if ((px->fwdfor_header = kw_dup(ctx,
		    &st->words[i])) == NULL) {
			return -1;
		}
	}
	return 0;
}

/* The kind of check an option selects; CHK_TCP for other options. */
static enum chk_kind
kw_opt_chk_kind(int id)
{
	switch (id) {
	case OPT_HTTPCHK:
		return CHK_HTTP;
	case OPT_TCP_CHECK:
		return CHK_TCPCHK;
	case OPT_MYSQL_CHECK:
		return CHK_MYSQL;
	case OPT_PGSQL_CHECK:
		return CHK_PGSQL;
	case OPT_REDIS_CHECK:
		return CHK_REDIS;
	default:
		return CHK_TCP;
	}
}

/* option mysql-check [user U [post-41]] | option pgsql-check user U */
static int
kw_opt_db_check(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned skip,
    int id)
{
	unsigned n = st->nwords - skip;
	const char *name = id == OPT_MYSQL_CHECK ? "option mysql-check" :
	    "option pgsql-check";

	ctx->px->chk_user = NULL;
	if (n == 0 && id == OPT_MYSQL_CHECK)
		return 0;
	if (n < 2 || !conf_word_is(&st->words[skip], "user")) {
		diag_error(ctx->d, &st->loc, "'%s' needs 'user NAME'", name);
		return -1;
	}
	if (n == 3 && !conf_word_is(&st->words[skip + 2], "post-41")) {
		diag_error(ctx->d, &st->words[skip + 2].loc, "'%s' takes "
		    "'post-41' after the user, not '%s'", name,
		    st->words[skip + 2].s);
		return -1;
	}
	if (st->words[skip + 1].len == 0 || st->words[skip + 1].len > 64) {
		diag_error(ctx->d, &st->words[skip + 1].loc, "'%s': the user "
		    "name must be 1 to 64 bytes", name);
		return -1;
	}
	ctx->px->chk_user = kw_dup(ctx, &st->words[skip + 1]);
	return 0;
}

/* option httpchk [URI] | [METHOD URI [VERSION]] */
static int
kw_opt_httpchk(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned skip)
{
	struct conf_proxy *px = ctx->px;
	unsigned n = st->nwords - skip;

	if (n > 3) {
		diag_error(ctx->d, &st->words[skip + 3].loc,
		    "'option httpchk' takes at most a method, a URI and a "
		    "version");
		return -1;
	}
	px->httpchk_method = "OPTIONS";
	px->httpchk_uri = "/";
	px->httpchk_version = "HTTP/1.0";
	if (n == 1) {
		px->httpchk_uri = kw_dup(ctx, &st->words[skip]);
	} else if (n >= 2) {
		px->httpchk_method = kw_dup(ctx, &st->words[skip]);
		px->httpchk_uri = kw_dup(ctx, &st->words[skip + 1]);
		if (n == 3)
			px->httpchk_version = kw_dup(ctx,
			    &st->words[skip + 2]);
	}
	if (px->httpchk_uri != NULL && px->httpchk_uri[0] != '/' &&
	    px->httpchk_uri[0] != '*') {
		diag_error(ctx->d, &st->words[st->nwords - (n == 3 ? 2 : 1)].loc,
		    "health check URI '%s' must start with '/' (or be '*')",
		    px->httpchk_uri);
		return -1;
	}
	return 0;
}

static int
kw_option_common(struct kw_ctx *ctx, const struct conf_stmt *st, bool no)
{
	/* clang-format off */
	static const struct kw_sub subs[] = {
		{ "abortonclose",	0, 0, 0, KW_LATER },
		{ "accept-invalid-http-request", 0, 0, 0, "is not supported by weir: its HTTP parser is strict by design" },
		{ "accept-invalid-http-response", 0, 0, 0, "is not supported by weir: its HTTP parser is strict by design" },
		{ "allbackups",		0, 0, 0, KW_LATER },
		{ "checkcache",		0, 0, 0, KW_LATER },
		{ "clitcpka",		0, 0, 0, KW_LATER },
		{ "contstats",		0, 0, 0, "is not needed: weir always counts continuously" },
		{ "dontlog-normal",	KS_DEF | KS_FE,	OPT_DONTLOG_NORMAL, 0, NULL },
		{ "dontlognull",	KS_DEF | KS_FE,	OPT_DONTLOGNULL, 0, NULL },
		{ "forwardfor",		KS_PX,		OPT_FORWARDFOR, 4, NULL },
		{ "http-buffer-request", 0, 0, 0, KW_LATER },
		{ "http-keep-alive",	KS_PX,		OPT_HTTP_KEEP_ALIVE, 0, NULL },
		{ "http-no-delay",	0, 0, 0, KW_LATER },
		{ "http-pretend-keepalive", 0, 0, 0, KW_LATER },
		{ "http-server-close",	KS_PX,		OPT_HTTP_SERVER_CLOSE, 0, NULL },
		{ "http-use-proxy-header", 0, 0, 0, KW_LATER },
		{ "httpchk",		KS_DEF | KS_BE,	OPT_HTTPCHK, 3, NULL },
		{ "httpclose",		KS_PX,		OPT_HTTPCLOSE, 0, NULL },
		{ "httplog",		KS_DEF | KS_FE,	OPT_HTTPLOG, 0, NULL },
		{ "independent-streams", 0, 0, 0, KW_LATER },
		{ "ldap-check",		0, 0, 0, KW_LATER },
		{ "log-health-checks",	0, 0, 0, KW_LATER },
		{ "log-separate-errors", KS_DEF | KS_FE, OPT_LOG_SEPARATE_ERRORS, 0, NULL },
		{ "logasap",		0, 0, 0, KW_LATER },
		{ "mysql-check",	KS_DEF | KS_BE,	OPT_MYSQL_CHECK, 3, NULL },
		{ "nolinger",		0, 0, 0, KW_LATER },
		{ "originalto",		0, 0, 0, KW_LATER },
		{ "persist",		0, 0, 0, KW_LATER },
		{ "pgsql-check",	KS_DEF | KS_BE,	OPT_PGSQL_CHECK, 2, NULL },
		{ "prefer-last-server",	0, 0, 0, KW_LATER },
		{ "redis-check",	KS_DEF | KS_BE,	OPT_REDIS_CHECK, 0, NULL },
		{ "redispatch",		KS_DEF | KS_BE,	OPT_REDISPATCH, 0, NULL },
		{ "smtpchk",		0, 0, 0, KW_LATER },
		{ "socket-stats",	0, 0, 0, KW_LATER },
		{ "splice-auto",	0, 0, 0, KW_LATER },
		{ "splice-request",	0, 0, 0, KW_LATER },
		{ "splice-response",	0, 0, 0, KW_LATER },
		{ "spop-check",		0, 0, 0, KW_LATER },
		{ "srvtcpka",		0, 0, 0, KW_LATER },
		{ "ssl-hello-chk",	0, 0, 0, KW_LATER },
		{ "tcp-check",		KS_DEF | KS_BE,	OPT_TCP_CHECK, 0, NULL },
		{ "tcp-smart-accept",	0, 0, 0, KW_LATER },
		{ "tcp-smart-connect",	0, 0, 0, KW_LATER },
		{ "tcpka",		0, 0, 0, KW_LATER },
		{ "tcplog",		KS_DEF | KS_FE,	OPT_TCPLOG, 0, NULL },
		{ "transparent",	0, 0, 0, KW_LATER },
	};
	/* clang-format on */
	struct conf_proxy *px = ctx->px;
	const struct kw_sub *s;
	unsigned skip = no ? 3 : 2;
	char name[64];
	uint32_t bit;

	if (no && (st->nwords < 2 || !conf_word_is(&st->words[1], "option"))) {
		diag_error(ctx->d, &st->loc, "'no' is only used as "
		    "'no option NAME' or 'no log'");
		return -1;
	}
	if (st->nwords < skip) {
		diag_error(ctx->d, &st->loc, "'option' needs an option name");
		return -1;
	}
	s = kw_sub_find(ctx, &st->words[skip - 1], "option", subs,
	    NELEM(subs));
	if (s == NULL)
		return -1;
	snprintf(name, sizeof(name), "%soption %s", no ? "no " : "", s->name);
	if (kw_nargs(ctx, st, skip, 0, no ? 0 : s->nargs, name) < 0)
		return -1;
	bit = 1u << s->id;
	kw_origin(&px->opt_origin[s->id], &st->loc);
	if (no) {
		px->opts &= ~bit;
		if (kw_opt_chk_kind(s->id) == px->chk)
			px->chk = CHK_TCP;
		return 0;
	}
	px->opts |= bit;
	/* The connection modes exclude each other; the last one wins. */
	if (s->id == OPT_HTTP_KEEP_ALIVE || s->id == OPT_HTTPCLOSE ||
	    s->id == OPT_HTTP_SERVER_CLOSE) {
		px->opts &= ~((1u << OPT_HTTP_KEEP_ALIVE) |
		    (1u << OPT_HTTPCLOSE) | (1u << OPT_HTTP_SERVER_CLOSE));
		px->opts |= bit;
	}
	if (s->id == OPT_HTTPLOG || s->id == OPT_TCPLOG) {
		px->opts &= ~((1u << OPT_HTTPLOG) | (1u << OPT_TCPLOG));
		px->opts |= bit;
	}
	if (s->id == OPT_FORWARDFOR)
		return kw_opt_forwardfor(ctx, st, skip);
	if (kw_opt_chk_kind(s->id) != CHK_TCP) {
		/* the kinds of check exclude each other; the last one wins */
		px->chk = kw_opt_chk_kind(s->id);
		px->opts &= ~((1u << OPT_HTTPCHK) | (1u << OPT_TCP_CHECK) |
		    (1u << OPT_MYSQL_CHECK) | (1u << OPT_PGSQL_CHECK) |
		    (1u << OPT_REDIS_CHECK));
		px->opts |= bit;
	}
	if (s->id == OPT_HTTPCHK)
		return kw_opt_httpchk(ctx, st, skip);
	if (s->id == OPT_MYSQL_CHECK || s->id == OPT_PGSQL_CHECK)
		return kw_opt_db_check(ctx, st, skip, s->id);
	return 0;
}

static int
kw_option(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	return kw_option_common(ctx, st, false);
}

static int
kw_no(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	if (st->nwords == 2 && conf_word_is(&st->words[1], "log")) {
		ctx->px->logs = NULL;
		ctx->px->log_global = false;
		return 0;
	}
	return kw_option_common(ctx, st, true);
}

/* Whether w compiles as an extended regex; reports it when not. */
static int
kw_check_regex(struct kw_ctx *ctx, const struct conf_word *w)
{
	regex_t re;
	char msg[128];
	int r = regcomp(&re, w->s, REG_EXTENDED | REG_NOSUB);

	if (r != 0) {
		regerror(r, &re, msg, sizeof(msg));
		diag_error(ctx->d, &w->loc, "invalid regex '%s': %s", w->s,
		    msg);
		return -1;
	}
	regfree(&re);
	return 0;
}

/* A status list for http-check expect status: 200, 200,204 or 200-399. */
static int
kw_check_status_list(struct kw_ctx *ctx, const struct conf_word *w)
{
	const char *p = w->s;

	for (;;) {
		unsigned lo = 0, hi, k;

		for (k = 0; k < 3 && *p >= '0' && *p <= '9'; k++, p++)
			lo = lo * 10 + (unsigned)(*p - '0');
		if (k != 3 || lo < 100)
			break;
		hi = lo;
		if (*p == '-') {
			p++;
			hi = 0;
			for (k = 0; k < 3 && *p >= '0' && *p <= '9'; k++, p++)
				hi = hi * 10 + (unsigned)(*p - '0');
			if (k != 3 || hi < lo)
				break;
		}
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			break;
	}
	diag_error(ctx->d, &w->loc, "invalid status list '%s' (expected e.g. "
	    "200, 200,204 or 200-399)", w->s);
	return -1;
}

/*
 * http-check expect [!] status CODES | rstatus RE | string S | rstring RE
 * http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]...
 */
static int
kw_http_check(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	static const char *const kinds[] = { "status", "rstatus", "string",
		"rstring" };
	struct conf_proxy *px = ctx->px;
	const struct conf_word *w;
	unsigned i = 2, k;

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'http-check' needs 'expect' or "
		    "'send'");
		return -1;
	}
	if (conf_word_is(&st->words[1], "send")) {
		size_t hlen = 0;
		char *hdrs = NULL;

		for (; i < st->nwords; i += 2) {
			w = &st->words[i];
			if (i + 1 >= st->nwords) {
				diag_error(ctx->d, &w->loc, "'http-check send "
				    "%s' needs a value", w->s);
				return -1;
			}
			if (conf_word_is(w, "meth")) {
				if (!val_is_token(st->words[i + 1].s)) {
					diag_error(ctx->d, &st->words[i + 1].loc,
					    "invalid method '%s'",
					    st->words[i + 1].s);
					return -1;
				}
				px->httpchk_method = kw_dup(ctx,
				    &st->words[i + 1]);
			} else if (conf_word_is(w, "uri")) {
				if (st->words[i + 1].s[0] != '/') {
					diag_error(ctx->d, &st->words[i + 1].loc,
					    "the check URI must start with '/', "
					    "got '%s'", st->words[i + 1].s);
					return -1;
				}
				px->httpchk_uri = kw_dup(ctx, &st->words[i + 1]);
			} else if (conf_word_is(w, "ver")) {
				px->httpchk_version = kw_dup(ctx,
				    &st->words[i + 1]);
			} else if (conf_word_is(w, "hdr")) {
				const struct conf_word *n = &st->words[i + 1];
				const struct conf_word *v;
				char *nh;

				if (i + 2 >= st->nwords ||
				    !val_is_token(n->s)) {
					diag_error(ctx->d, &n->loc, "'http-check "
					    "send hdr' needs a header name and "
					    "a value");
					return -1;
				}
				v = &st->words[i + 2];
				if (strpbrk(v->s, "\r\n") != NULL) {
					diag_error(ctx->d, &v->loc, "a header "
					    "value cannot hold CR or LF");
					return -1;
				}
				nh = arena_alloc(&ctx->c->arena,
				    hlen + n->len + v->len + 5);
				if (nh == NULL)
					return -1;
				if (hlen > 0)
					memcpy(nh, hdrs, hlen);
				hlen += (size_t)sprintf(nh + hlen, "%s: %s\r\n",
				    n->s, v->s);
				hdrs = nh;
				i++;
			} else {
				diag_error(ctx->d, &w->loc, "'http-check send' "
				    "takes meth, uri, ver and hdr, not '%s'",
				    w->s);
				return -1;
			}
		}
		if (hdrs != NULL)
			px->httpchk_hdrs = hdrs;
		return 0;
	}
	if (!conf_word_is(&st->words[1], "expect")) {
		diag_error(ctx->d, &st->words[1].loc, "'http-check %s' is not "
		    "supported (weir knows 'expect' and 'send')",
		    st->words[1].s);
		return -1;
	}
	px->chk_expect_neg = false;
	if (i < st->nwords && conf_word_is(&st->words[i], "!")) {
		px->chk_expect_neg = true;
		i++;
	}
	if (st->nwords != i + 2) {
		diag_error(ctx->d, &st->loc, "'http-check expect' needs one of "
		    "status, rstatus, string, rstring and a value");
		return -1;
	}
	w = &st->words[i];
	for (k = 0; k < NELEM(kinds); k++)
		if (conf_word_is(w, kinds[k]))
			break;
	if (k == NELEM(kinds)) {
		diag_error(ctx->d, &w->loc, "'http-check expect' takes status, "
		    "rstatus, string or rstring, not '%s'", w->s);
		return -1;
	}
	w = &st->words[i + 1];
	if (k == 0 && kw_check_status_list(ctx, w) < 0)
		return -1;
	if ((k == 1 || k == 3) && kw_check_regex(ctx, w) < 0)
		return -1;
	if (k == 2 && w->len == 0) {
		diag_error(ctx->d, &w->loc, "'http-check expect string' needs "
		    "a string");
		return -1;
	}
	px->chk_expect = (enum chk_expect)(CHK_EXPECT_STATUS + k);
	px->chk_expect_arg = kw_dup(ctx, w);
	return 0;
}

/*
 * tcp-check connect [port N] | send S | expect [!] string S | rstring RE
 * | comment TEXT
 */
static int
kw_tcp_check(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	struct conf_proxy *px = ctx->px;
	struct conf_tcpchk *r, **pp;
	const struct conf_word *w;
	long long v;
	unsigned i;

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'tcp-check' needs connect, send "
		    "or expect");
		return -1;
	}
	if (conf_word_is(&st->words[1], "comment"))
		return 0;
	r = arena_alloc(&ctx->c->arena, sizeof(*r));
	if (r == NULL)
		return -1;
	memset(r, 0, sizeof(*r));
	r->loc = st->loc;
	w = &st->words[1];
	if (conf_word_is(w, "connect")) {
		r->act = TCPCHK_CONNECT;
		for (i = 2; i < st->nwords; i++) {
			if (conf_word_is(&st->words[i], "port") &&
			    i + 1 < st->nwords) {
				if (kw_get_int(ctx, &st->words[++i],
				    "tcp-check connect port", 1, 65535,
				    &v) < 0)
					return -1;
				r->port = (unsigned)v;
			} else {
				diag_error(ctx->d, &st->words[i].loc,
				    "'tcp-check connect' takes 'port N', not "
				    "'%s'", st->words[i].s);
				return -1;
			}
		}
	} else if (conf_word_is(w, "send")) {
		if (kw_nargs(ctx, st, 2, 1, 1, "tcp-check send") < 0)
			return -1;
		r->act = TCPCHK_SEND;
		r->data = kw_dup(ctx, &st->words[2]);
		r->len = st->words[2].len;
	} else if (conf_word_is(w, "expect")) {
		i = 2;
		if (i < st->nwords && conf_word_is(&st->words[i], "!")) {
			r->neg = true;
			i++;
		}
		if (st->nwords != i + 2 ||
		    (!conf_word_is(&st->words[i], "string") &&
		    !conf_word_is(&st->words[i], "rstring"))) {
			diag_error(ctx->d, &st->loc, "'tcp-check expect' takes "
			    "[!] string S or [!] rstring REGEX");
			return -1;
		}
		r->act = conf_word_is(&st->words[i], "string") ?
		    TCPCHK_EXPECT_STRING : TCPCHK_EXPECT_RSTRING;
		if (r->act == TCPCHK_EXPECT_RSTRING &&
		    kw_check_regex(ctx, &st->words[i + 1]) < 0)
			return -1;
		if (st->words[i + 1].len == 0) {
			diag_error(ctx->d, &st->words[i + 1].loc,
			    "'tcp-check expect' needs a non-empty string");
			return -1;
		}
		r->data = kw_dup(ctx, &st->words[i + 1]);
		r->len = st->words[i + 1].len;
	} else {
		diag_error(ctx->d, &w->loc, "'tcp-check %s' is not supported "
		    "(weir knows connect, send, expect and comment)", w->s);
		return -1;
	}
	/* a section's own rules replace the ones it inherited */
	if (!px->tcpchk_own) {
		px->tcpchk = NULL;
		px->tcpchk_own = true;
	}
	for (pp = &px->tcpchk; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = r;
	return 0;
}

/*
 * stick-table type ip|ipv6|integer|string [len N] size N [expire T]
 * [store DATA,...]: DATA is conn_cur, conn_rate(T), http_req_rate(T),
 * http_err_rate(T), gpc0, gpc0_rate(T) or server_id.
 */
static int
kw_stick_table(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	static const char *const types[] = { "ip", "ipv6", "integer",
		"string" };
	static const struct {
		const char *name;
		unsigned bit;
		int rate;		/* enum stk_data, -1: no period */
	} data[] = {
		{ "conn_cur", STK_CONN_CUR, -1 },
		{ "conn_rate", STK_CONN_RATE, STK_D_CONN_RATE },
		{ "gpc0", STK_GPC0, -1 },
		{ "gpc0_rate", STK_GPC0_RATE, STK_D_GPC0_RATE },
		{ "http_err_rate", STK_HTTP_ERR_RATE, STK_D_HTTP_ERR_RATE },
		{ "http_req_rate", STK_HTTP_REQ_RATE, STK_D_HTTP_REQ_RATE },
		{ "server_id", STK_SERVER_ID, -1 },
	};
	struct conf_stktable *t;
	bool has_size = false;
	long long v;
	unsigned i, k;

	if (ctx->px->stktable != NULL) {
		diag_error(ctx->d, &st->loc, "%s has a stick-table already",
		    ctx->where);
		return -1;
	}
	if (ctx->px->cap & PX_CAP_DEF) {
		diag_error(ctx->d, &st->loc, "'stick-table' belongs in a "
		    "frontend, backend or listen section, not in defaults");
		return -1;
	}
	t = arena_alloc(&ctx->c->arena, sizeof(*t));
	if (t == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	t->loc = st->loc;
	if (st->nwords < 3 || !conf_word_is(&st->words[1], "type")) {
		diag_error(ctx->d, &st->loc, "'stick-table' needs 'type "
		    "ip|ipv6|integer|string' and 'size N'");
		return -1;
	}
	for (k = 0; k < NELEM(types); k++)
		if (conf_word_is(&st->words[2], types[k]))
			break;
	if (k == NELEM(types)) {
		diag_error(ctx->d, &st->words[2].loc, "stick-table type must "
		    "be ip, ipv6, integer or string, not '%s'",
		    st->words[2].s);
		return -1;
	}
	t->type = k;
	for (i = 3; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i], *a;

		if (i + 1 >= st->nwords) {
			diag_error(ctx->d, &w->loc, "stick-table '%s' needs a "
			    "value", w->s);
			return -1;
		}
		a = &st->words[++i];
		if (conf_word_is(w, "len")) {
			if (t->type != STK_STRING) {
				diag_error(ctx->d, &w->loc, "stick-table 'len' "
				    "is for type string");
				return -1;
			}
			if (kw_get_int(ctx, a, "len", 1, STK_KEY_MAX, &v) < 0)
				return -1;
			t->len = (unsigned)v;
		} else if (conf_word_is(w, "size")) {
			uint64_t n;

			/* HAProxy's sizes: 100k, 1m */
			if (val_size(a->s, &n) < 0 || n == 0 || n > 100000000) {
				diag_error(ctx->d, &a->loc, "stick-table size "
				    "must be 1 to 100m entries, got '%s'",
				    a->s);
				return -1;
			}
			t->size = (unsigned)n;
			has_size = true;
		} else if (conf_word_is(w, "expire")) {
			if (kw_get_nz_duration(ctx, a, "expire",
			    &t->expire_ms) < 0)
				return -1;
		} else if (conf_word_is(w, "store")) {
			const char *p = a->s;

			while (*p != '\0') {
				size_t n = strcspn(p, ",(");
				unsigned d;

				for (d = 0; d < NELEM(data); d++)
					if (strlen(data[d].name) == n &&
					    strncmp(p, data[d].name, n) == 0)
						break;
				if (d == NELEM(data)) {
					diag_error(ctx->d, &a->loc, "unknown "
					    "stick-table data '%.*s' (weir "
					    "knows conn_cur, conn_rate(T), "
					    "gpc0, gpc0_rate(T), "
					    "http_err_rate(T), "
					    "http_req_rate(T), server_id)",
					    (int)n, p);
					return -1;
				}
				p += n;
				if ((data[d].rate >= 0) != (*p == '(')) {
					diag_error(ctx->d, &a->loc, "stick-table "
					    "data '%s' %s", data[d].name,
					    data[d].rate >= 0 ? "needs a period, "
					    "e.g. (10s)" : "takes no period");
					return -1;
				}
				if (*p == '(') {
					char per[32];
					size_t pl = strcspn(p + 1, ")");
					uint64_t ms;

					if (p[1 + pl] != ')' || pl == 0 ||
					    pl >= sizeof(per)) {
						diag_error(ctx->d, &a->loc,
						    "stick-table data '%s': "
						    "unclosed period",
						    data[d].name);
						return -1;
					}
					memcpy(per, p + 1, pl);
					per[pl] = '\0';
					if (val_duration(per, &ms) < 0 ||
					    ms == 0) {
						diag_error(ctx->d, &a->loc,
						    "stick-table data '%s': "
						    "invalid period '%s'",
						    data[d].name, per);
						return -1;
					}
					t->period_ms[data[d].rate] = ms;
					p += pl + 2;
				}
				t->store |= data[d].bit;
				if (*p == ',')
					p++;
				else if (*p != '\0') {
					diag_error(ctx->d, &a->loc, "stick-table "
					    "store: expected ',' after '%s'",
					    data[d].name);
					return -1;
				}
			}
		} else if (conf_word_is(w, "nopurge") ||
		    conf_word_is(w, "peers") || conf_word_is(w, "srvkey") ||
		    conf_word_is(w, "write-to")) {
			diag_error(ctx->d, &w->loc, "stick-table '%s' is not "
			    "supported", w->s);
			return -1;
		} else {
			diag_error(ctx->d, &w->loc, "unknown stick-table "
			    "setting '%s' (weir knows len, size, expire and "
			    "store)", w->s);
			return -1;
		}
	}
	if (!has_size) {
		diag_error(ctx->d, &st->loc, "'stick-table' needs 'size N'");
		return -1;
	}
	ctx->px->stktable = t;
	return 0;
}

/*
 * cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly]
 * [preserve] [httponly] [secure] [domain D] [maxidle T] [maxlife T]
 * [attr S]
 */
static int
kw_cookie(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	static const struct {
		const char *name;
		unsigned flag;
	} flags[] = {
		{ "httponly", COOKIE_HTTPONLY },
		{ "indirect", COOKIE_INDIRECT },
		{ "nocache", COOKIE_NOCACHE },
		{ "postonly", COOKIE_POSTONLY },
		{ "preserve", COOKIE_PRESERVE },
		{ "secure", COOKIE_SECURE },
	};
	struct conf_proxy *px = ctx->px;
	unsigned i, k;

	if (kw_nargs(ctx, st, 1, 1, 32, "cookie") < 0)
		return -1;
	if (!val_is_token(st->words[1].s)) {
		diag_error(ctx->d, &st->words[1].loc, "invalid cookie name "
		    "'%s'", st->words[1].s);
		return -1;
	}
	px->cookie_name = kw_dup(ctx, &st->words[1]);
	px->cookie_mode = COOKIE_REWRITE;
	px->cookie_flags = 0;
	px->cookie_domain = px->cookie_attr = NULL;
	px->cookie_maxidle_ms = px->cookie_maxlife_ms = 0;
	for (i = 2; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i];

		if (conf_word_is(w, "rewrite")) {
			px->cookie_mode = COOKIE_REWRITE;
			continue;
		}
		if (conf_word_is(w, "insert")) {
			px->cookie_mode = COOKIE_INSERT;
			continue;
		}
		if (conf_word_is(w, "prefix")) {
			px->cookie_mode = COOKIE_PREFIX;
			continue;
		}
		for (k = 0; k < NELEM(flags); k++)
			if (conf_word_is(w, flags[k].name))
				break;
		if (k < NELEM(flags)) {
			px->cookie_flags |= flags[k].flag;
			continue;
		}
		if (i + 1 < st->nwords && (conf_word_is(w, "domain") ||
		    conf_word_is(w, "attr"))) {
			const struct conf_word *a = &st->words[++i];

			if (strpbrk(a->s, ";\r\n") != NULL || a->len == 0) {
				diag_error(ctx->d, &a->loc, "cookie %s '%s' "
				    "cannot be empty or hold ';', CR or LF",
				    w->s, a->s);
				return -1;
			}
			if (conf_word_is(w, "domain"))
				px->cookie_domain = kw_dup(ctx, a);
			else
				px->cookie_attr = kw_dup(ctx, a);
			continue;
		}
		if (i + 1 < st->nwords && conf_word_is(w, "maxidle")) {
			if (kw_get_nz_duration(ctx, &st->words[++i],
			    "cookie maxidle", &px->cookie_maxidle_ms) < 0)
				return -1;
			continue;
		}
		if (i + 1 < st->nwords && conf_word_is(w, "maxlife")) {
			if (kw_get_nz_duration(ctx, &st->words[++i],
			    "cookie maxlife", &px->cookie_maxlife_ms) < 0)
				return -1;
			continue;
		}
		if (conf_word_is(w, "dynamic")) {
			diag_error(ctx->d, &w->loc, "cookie 'dynamic' is not "
			    "supported: give each server a 'cookie' value");
			return -1;
		}
		diag_error(ctx->d, &w->loc, "unknown cookie option '%s' (weir "
		    "knows rewrite, insert, prefix, indirect, nocache, "
		    "postonly, preserve, httponly, secure, domain, maxidle, "
		    "maxlife, attr)", w->s);
		return -1;
	}
	if ((px->cookie_maxidle_ms || px->cookie_maxlife_ms) &&
	    px->cookie_mode != COOKIE_INSERT) {
		diag_error(ctx->d, &st->loc, "cookie maxidle and maxlife need "
		    "insert mode");
		return -1;
	}
	return 0;
}

/* retry-on CONDITION... */
static int
kw_retry_on(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	static const struct {
		const char *name;
		unsigned bits;
	} conds[] = {
		{ "none", 0 },
		{ "conn-failure", RETRY_CONN_FAILURE },
		{ "empty-response", RETRY_EMPTY_RESPONSE },
		{ "junk-response", RETRY_JUNK_RESPONSE },
		{ "response-timeout", RETRY_RESPONSE_TIMEOUT },
		{ "0rtt-rejected", RETRY_0RTT_REJECTED },
		{ "404", RETRY_404 },
		{ "408", RETRY_408 },
		{ "425", RETRY_425 },
		{ "500", RETRY_500 },
		{ "501", RETRY_501 },
		{ "502", RETRY_502 },
		{ "503", RETRY_503 },
		{ "504", RETRY_504 },
		{ "all-retryable-errors", RETRY_CONN_FAILURE |
		    RETRY_EMPTY_RESPONSE | RETRY_JUNK_RESPONSE |
		    RETRY_RESPONSE_TIMEOUT | RETRY_0RTT_REJECTED | RETRY_500 |
		    RETRY_502 | RETRY_503 | RETRY_504 },
	};
	unsigned i, k, bits = 0;

	if (kw_nargs(ctx, st, 1, 1, 32, "retry-on") < 0)
		return -1;
	for (i = 1; i < st->nwords; i++) {
		for (k = 0; k < NELEM(conds); k++)
			if (conf_word_is(&st->words[i], conds[k].name))
				break;
		if (k == NELEM(conds)) {
			diag_error(ctx->d, &st->words[i].loc, "unknown "
			    "retry-on condition '%s' (weir knows none, "
			    "conn-failure, empty-response, junk-response, "
			    "response-timeout, 0rtt-rejected, 404, 408, 425, "
			    "500, 501, 502, 503, 504, all-retryable-errors)",
			    st->words[i].s);
			return -1;
		}
		if (k == 0 && st->nwords > 2) {
			diag_error(ctx->d, &st->words[i].loc, "'retry-on none' "
			    "excludes every other condition");
			return -1;
		}
		bits |= conds[k].bits;
	}
	ctx->px->retry_on = bits;
	return 0;
}

static int
kw_monitor_uri(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	if (kw_nargs(ctx, st, 1, 1, 1, "monitor-uri") < 0)
		return -1;
	if (st->words[1].s[0] != '/') {
		diag_error(ctx->d, &st->words[1].loc,
		    "monitor-uri '%s' must start with '/'", st->words[1].s);
		return -1;
	}
	ctx->px->monitor_uri = kw_dup(ctx, &st->words[1]);
	return 0;
}

/* Whether buf[0..len), read from path, is an HTTP response: 0 or -1. */
static int
kw_is_response(struct kw_ctx *ctx, const struct conf_word *w,
    const char *path, const char *buf, size_t len)
{
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 ||
	    (strstr(buf, "\r\n\r\n") == NULL && strstr(buf, "\n\n") == NULL)) {
		diag_error(ctx->d, &w->loc, "errorfile '%s' does not hold an "
		    "HTTP response (a status line, headers, a blank line)",
		    path);
		return -1;
	}
	return 0;
}

/* errorfile CODE FILE: FILE holds a whole HTTP response. */
static int
kw_errorfile(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	static const int codes[] = { 200, 400, 401, 403, 404, 405, 407, 408,
		410, 413, 414, 417, 425, 429, 431, 500, 501, 502, 503, 504,
		505 };
	struct conf_errorfile *ef, **pp;
	const struct conf_word *fw;
	long long code;
	const char *path;
	char *buf;
	size_t len, i;
	bool known = false;

	if (kw_nargs(ctx, st, 1, 2, 2, "errorfile") < 0 ||
	    kw_get_int(ctx, &st->words[1], "errorfile status", 100, 599,
	    &code) < 0)
		return -1;
	for (i = 0; i < NELEM(codes); i++)
		known |= codes[i] == code;
	if (!known) {
		diag_error(ctx->d, &st->words[1].loc, "weir never answers "
		    "with status %lld by itself: no errorfile for it", code);
		return -1;
	}
	fw = &st->words[2];
	if ((path = kw_path(ctx, fw)) == NULL)
		return -1;
	buf = kw_read_file(ctx, fw, path, 65536, &len);
	if (buf == NULL)
		return -1;
	if (kw_is_response(ctx, fw, path, buf, len) < 0)
		return -1;
	ef = arena_alloc(&ctx->c->arena, sizeof(*ef));
	if (ef == NULL)
		return -1;
	ef->loc = st->loc;
	ef->status = (unsigned)code;
	ef->path = path;
	ef->data = buf;
	ef->len = len;
	/* a later errorfile for the same status replaces the earlier */
	for (pp = &ctx->px->errorfiles; *pp != NULL;) {
		if ((*pp)->status == ef->status)
			*pp = (*pp)->next;
		else
			pp = &(*pp)->next;
	}
	*pp = ef;
	return 0;
}

/* ---- TLS options ------------------------------------------------------- */

/*
 * A certificate or CA file: base (crt-base, ca-base) before a relative
 * path, then relative to the file naming it, as errorfiles are.
 */
static struct conf_tls_file *
kw_tls_file(struct kw_ctx *ctx, const struct conf_word *w, const char *base,
    bool list)
{
	struct conf_tls_file *f = arena_alloc(&ctx->c->arena, sizeof(*f));
	struct conf_word pw = *w;

	if (f == NULL)
		return NULL;
	f->loc = w->loc;
	f->list = list;
	if (w->s[0] != '/' && w->s[0] != '@' && base != NULL) {
		pw.s = arena_printf(&ctx->c->arena, "%s/%s", base, w->s);
		if (pw.s == NULL)
			return NULL;
	}
	f->path = pw.s[0] == '@' ? pw.s : kw_path(ctx, &pw);
	return f->path ? f : NULL;
}

static int
kw_tls_ver(struct kw_ctx *ctx, const struct conf_word *w, enum tls_ver *v)
{
	static const char *const names[] = { "SSLv3", "TLSv1.0", "TLSv1.1",
		"TLSv1.2", "TLSv1.3" };
	unsigned i;

	for (i = 0; i < NELEM(names); i++) {
		if (strcmp(w->s, names[i]) == 0) {
			*v = (enum tls_ver)(TLS_VER_SSLV3 + i);
			return 0;
		}
	}
	diag_error(ctx->d, &w->loc, "unknown TLS version '%s' (expected "
	    "SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)", w->s);
	return -1;
}

/*
 * A TLS option shared by bind and server lines and the ssl-default-*
 * settings: words[*i] (and its value after it). Returns 1 when it was one
 * (*i moved past its value), 0 when it is not, -1 after an error.
 */
static int
kw_tls_opt(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned *i,
    struct conf_tls_opts *o)
{
	/* clang-format off */
	static const struct { const char *name; unsigned flag; } flags[] = {
		{ "no-sslv3",		TLS_O_NO_SSLV3 },
		{ "no-tls-tickets",	TLS_O_NO_TICKETS },
		{ "no-tlsv10",		TLS_O_NO_TLSV10 },
		{ "no-tlsv11",		TLS_O_NO_TLSV11 },
		{ "no-tlsv12",		TLS_O_NO_TLSV12 },
		{ "no-tlsv13",		TLS_O_NO_TLSV13 },
		{ "prefer-client-ciphers", TLS_O_PREFER_CLIENT },
	};
	/* clang-format on */
	const struct conf_word *w = &st->words[*i], *a;
	unsigned k;

	for (k = 0; k < NELEM(flags); k++) {
		if (strcmp(w->s, flags[k].name) == 0) {
			o->set |= flags[k].flag;
			o->opts |= flags[k].flag;
			return 1;
		}
	}
	if (strcmp(w->s, "ssl-min-ver") != 0 &&
	    strcmp(w->s, "ssl-max-ver") != 0 && strcmp(w->s, "ciphers") != 0 &&
	    strcmp(w->s, "ciphersuites") != 0)
		return 0;
	if (*i + 1 >= st->nwords) {
		diag_error(ctx->d, &w->loc, "'%s' needs a value", w->s);
		return -1;
	}
	a = &st->words[++*i];
	if (strcmp(w->s, "ssl-min-ver") == 0)
		return kw_tls_ver(ctx, a, &o->min_ver) < 0 ? -1 : 1;
	if (strcmp(w->s, "ssl-max-ver") == 0)
		return kw_tls_ver(ctx, a, &o->max_ver) < 0 ? -1 : 1;
	if (strcmp(w->s, "ciphers") == 0)
		o->ciphers = kw_dup(ctx, a);
	else
		o->ciphersuites = kw_dup(ctx, a);
	return 1;
}

static int
kw_tls_verify(struct kw_ctx *ctx, const struct conf_word *w, bool server,
    enum tls_verify *v)
{
	if (conf_word_is(w, "none"))
		*v = TLS_VERIFY_NONE;
	else if (conf_word_is(w, "required"))
		*v = TLS_VERIFY_REQUIRED;
	else if (!server && conf_word_is(w, "optional"))
		*v = TLS_VERIFY_OPTIONAL;
	else {
		diag_error(ctx->d, &w->loc, "unknown verify mode '%s' "
		    "(expected none%s or required)", w->s,
		    server ? "" : ", optional");
		return -1;
	}
	return 0;
}

/* alpn LIST: weir speaks HTTP/1.1 only, so that is all it may offer. */
static int
kw_tls_alpn(struct kw_ctx *ctx, const struct conf_word *w)
{
	const char *p, *e;

	for (p = w->s; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == 8 && strncmp(p, "http/1.1", 8) == 0)
			continue;
		diag_error(ctx->d, &w->loc, "alpn '%.*s' is not supported: "
		    "weir speaks http/1.1 only", (int)(e - p), p);
		return -1;
	}
	return 0;
}

/* ssl-default-bind-options, ssl-default-server-options */
static int
kw_tls_default_opts(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	struct conf_tls_opts *o = kw->off ? &ctx->c->global.tls_server :
	    &ctx->c->global.tls_bind;
	unsigned i;
	int r;

	if (kw_nargs(ctx, st, 1, 1, 64, kw->name) < 0)
		return -1;
	for (i = 1; i < st->nwords; i++) {
		r = kw_tls_opt(ctx, st, &i, o);
		if (r < 0)
			return -1;
		if (r == 0 || strcmp(st->words[i].s, "ciphers") == 0 ||
		    strcmp(st->words[i].s, "ciphersuites") == 0) {
			diag_error(ctx->d, &st->words[i].loc, "unknown %s "
			    "'%s' (expected no-sslv3, no-tlsv10, no-tlsv11, "
			    "no-tlsv12, no-tlsv13, no-tls-tickets, "
			    "prefer-client-ciphers, ssl-min-ver V or "
			    "ssl-max-ver V)", kw->name, st->words[i].s);
			return -1;
		}
	}
	return 0;
}

/* ssl-default-{bind,server}-{ciphers,ciphersuites} */
static int
kw_tls_default_ciphers(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	struct conf_tls_opts *o = (kw->off & 1) ? &ctx->c->global.tls_server :
	    &ctx->c->global.tls_bind;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0)
		return -1;
	if (kw->off & 2)
		o->ciphersuites = kw_dup(ctx, &st->words[1]);
	else
		o->ciphers = kw_dup(ctx, &st->words[1]);
	return 0;
}

static int
kw_tls_dh_param(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	long long v;

	if (kw_nargs(ctx, st, 1, 1, 1, kw->name) < 0 ||
	    kw_get_int(ctx, &st->words[1], kw->name, 1024, 8192, &v) < 0)
		return -1;
	if (v != 2048 && v != 3072 && v != 4096 && v != 6144 && v != 8192) {
		diag_error(ctx->d, &st->words[1].loc, "%s %lld: weir offers "
		    "the RFC 7919 groups of 2048, 3072, 4096, 6144 and 8192 "
		    "bits", kw->name, v);
		return -1;
	}
	ctx->c->global.dh_param_bits = (unsigned)v;
	ctx->c->global.dh_param_loc = st->loc;
	return 0;
}

/*
 * The TLS words of a bind line from words[*i]: 1 when words[*i] was one
 * (with its value), 0 when not, -1 after an error. *tp is created at the
 * first one.
 */
static int
kw_bind_tls(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned *i,
    struct conf_tls_bind **tp)
{
	static const char *const one[] = { "alpn", "ca-file", "crl-file",
		"crt", "crt-list", "verify" };
	const struct conf_global *g = &ctx->c->global;
	const struct conf_word *w = &st->words[*i], *a;
	struct conf_tls_bind *t = *tp;
	struct conf_tls_file *f, **fp;
	unsigned k;
	int r;

	if (t == NULL) {
		t = arena_alloc(&ctx->c->arena, sizeof(*t));
		if (t == NULL)
			return -1;
		*tp = t;
	}
	if (conf_word_is(w, "ssl")) {
		t->loc = w->loc;
		return 1;
	}
	if (conf_word_is(w, "strict-sni")) {
		t->strict_sni = true;
		return 1;
	}
	if (conf_word_is(w, "no-ca-names")) {
		t->no_ca_names = true;
		return 1;
	}
	r = kw_tls_opt(ctx, st, i, &t->o);
	if (r != 0)
		return r;
	for (k = 0; k < NELEM(one) && strcmp(w->s, one[k]) != 0; k++)
		;
	if (k == NELEM(one))
		return 0;
	if (*i + 1 >= st->nwords) {
		diag_error(ctx->d, &w->loc, "bind option '%s' needs a value",
		    w->s);
		return -1;
	}
	a = &st->words[++*i];
	switch (k) {
	case 0:
		return kw_tls_alpn(ctx, a) < 0 ? -1 : (t->alpn_h1 = true, 1);
	case 1:
		t->ca_file = kw_tls_file(ctx, a, g->ca_base, false);
		return t->ca_file ? 1 : -1;
	case 2:
		t->crl_file = kw_tls_file(ctx, a, g->ca_base, false);
		return t->crl_file ? 1 : -1;
	case 3:
	case 4:
		f = kw_tls_file(ctx, a, g->crt_base, k == 4);
		if (f == NULL)
			return -1;
		for (fp = &t->crts; *fp != NULL; fp = &(*fp)->next)
			;
		*fp = f;
		return 1;
	default:
		return kw_tls_verify(ctx, a, false, &t->verify) < 0 ? -1 : 1;
	}
}

/* A bind line's TLS words make sense together: ssl and a certificate. */
static int
kw_bind_tls_check(struct kw_ctx *ctx, const struct conf_stmt *st,
    const struct conf_tls_bind *t)
{
	if (t->loc.line == 0) {
		diag_error(ctx->d, &st->words[1].loc, "bind '%s' has TLS "
		    "options but no 'ssl'", st->words[1].s);
		return -1;
	}
	if (t->crts == NULL) {
		diag_error(ctx->d, &t->loc, "bind '%s': 'ssl' needs a "
		    "certificate: 'crt FILE|DIR' or 'crt-list FILE'",
		    st->words[1].s);
		return -1;
	}
	if (t->verify >= TLS_VERIFY_OPTIONAL && t->ca_file == NULL) {
		diag_error(ctx->d, &t->loc, "bind '%s': 'verify %s' needs a "
		    "'ca-file' to check client certificates against",
		    st->words[1].s, t->verify == TLS_VERIFY_OPTIONAL ?
		    "optional" : "required");
		return -1;
	}
	return 0;
}

/* ---- bind -------------------------------------------------------------- */

static int
kw_bind(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	static const char *const later[] = {
		"accept-netscaler-cip", "allow-0rtt", "backlog",
		"ca-ignore-err", "crt-ignore-err", "curves", "defer-accept",
		"ecdhe", "expose-fd", "force-sslv3", "force-tlsv10",
		"force-tlsv11", "force-tlsv12", "force-tlsv13",
		"generate-certificates", "gid", "group", "id", "interface",
		"level", "maxconn", "mode", "namespace", "nice",
		"npn", "process", "proto", "tcp-ut", "tfo",
		"thread", "transparent", "uid", "user", "v4v6", "v6only",
	};
	static const char *const known[] = { "accept-proxy", "alpn",
		"ca-file", "ciphers", "ciphersuites", "crl-file", "crt",
		"crt-list", "name", "no-ca-names", "no-sslv3", "no-tls-tickets",
		"no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
		"prefer-client-ciphers", "ssl", "ssl-max-ver", "ssl-min-ver",
		"strict-sni", "verify" };
	struct conf_tls_bind *tls = NULL;
	int r;
	const struct conf_word *aw;
	struct conf_bind *first = NULL, *b, **pp;
	const char *p, *end, *err;
	unsigned i;
	size_t k;

	if (kw_nargs(ctx, st, 1, 1, 64, "bind") < 0)
		return -1;
	aw = &st->words[1];
	for (pp = &ctx->px->binds; *pp != NULL; pp = &(*pp)->next)
		;
	/* a comma separates several addresses */
	for (p = aw->s; ; p = end + 1) {
		char one[300];

		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) >= sizeof(one)) {
			diag_error(ctx->d, &aw->loc, "bind address too long");
			return -1;
		}
		memcpy(one, p, (size_t)(end - p));
		one[end - p] = '\0';
		if (strchr(one, '@') != NULL || one[0] == '/') {
			diag_error(ctx->d, &aw->loc, "bind address '%s': "
			    "only IPv4 and IPv6 addresses are supported yet",
			    one);
			return -1;
		}
		b = arena_alloc(&ctx->c->arena, sizeof(*b));
		if (b == NULL)
			return -1;
		b->loc = aw->loc;
		b->loc.col += (unsigned)(p - aw->s);
		b->text = arena_strdup(&ctx->c->arena, one);
		if (val_addr(one, VAL_ADDR_NEED_PORT | VAL_ADDR_WILDCARD,
		    &b->addr, &err) < 0) {
			if (strchr(one, '-') != NULL && strchr(one, '[') == NULL)
				err = "port ranges are not supported yet";
			diag_error(ctx->d, &b->loc,
			    "invalid bind address '%s': %s", one, err);
			return -1;
		}
		*pp = b;
		pp = &b->next;
		if (first == NULL)
			first = b;
		if (*end == '\0')
			break;
	}
	for (i = 2; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i];
		const char *best;

		if (conf_word_is(w, "accept-proxy")) {
			for (b = first; b != NULL; b = b->next)
				b->accept_proxy = true;
			continue;
		}
		if (conf_word_is(w, "name")) {
			if (i + 1 >= st->nwords) {
				diag_error(ctx->d, &w->loc,
				    "bind option 'name' needs a value");
				return -1;
			}
			i++;
			for (b = first; b != NULL; b = b->next)
				b->name = kw_dup(ctx, &st->words[i]);
			continue;
		}
		r = kw_bind_tls(ctx, st, &i, &tls);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		for (k = 0; k < NELEM(later); k++) {
			if (strcmp(w->s, later[k]) == 0) {
				diag_error(ctx->d, &w->loc,
				    "bind option '%s' %s", w->s, KW_LATER);
				return -1;
			}
		}
		best = diag_best_match(w->s, known, NELEM(known),
		    sizeof(known[0]));
		if (best == NULL)
			best = diag_best_match(w->s, later, NELEM(later),
			    sizeof(later[0]));
		diag_error(ctx->d, &w->loc, "unknown bind option '%s'%s%s%s",
		    w->s, best ? " (did you mean '" : "", best ? best : "",
		    best ? "'?)" : "");
		return -1;
	}
	if (tls != NULL) {
		if (kw_bind_tls_check(ctx, st, tls) < 0)
			return -1;
		for (b = first; b != NULL; b = b->next)
			b->tls = tls;
	}
	return 0;
}

/* ---- servers ----------------------------------------------------------- */

enum {
	SRVO_BACKUP = 0,
	SRVO_CHECK,
	SRVO_DISABLED,
	SRVO_ENABLED,
	SRVO_FALL,
	SRVO_INTER,
	SRVO_MAXCONN,
	SRVO_NO_BACKUP,
	SRVO_NO_CHECK,
	SRVO_RISE,
	SRVO_SEND_PROXY,
	SRVO_SEND_PROXY_V2,
	SRVO_WEIGHT,
	SRVO_SSL,
	SRVO_NO_SSL,
	SRVO_NO_SSL_REUSE,
	SRVO_TLS_OPT,		/* a kw_tls_opt() word */
	SRVO_VERIFY,
	SRVO_CA_FILE,
	SRVO_CRL_FILE,
	SRVO_CRT,
	SRVO_SNI,
	SRVO_ALPN,
	SRVO_CHECK_SNI,
	SRVO_CHECK_SSL,
	SRVO_NO_CHECK_SSL,
	SRVO_ADDR,
	SRVO_COOLDOWN,
	SRVO_DOWNINTER,
	SRVO_ERROR_LIMIT,
	SRVO_FASTINTER,
	SRVO_HALF_OPEN,
	SRVO_OBSERVE,
	SRVO_ON_ERROR,
	SRVO_ON_MARKED_DOWN,
	SRVO_ON_MARKED_UP,
	SRVO_PORT,
	SRVO_SLOWSTART,
	SRVO_COOKIE,
};

/* clang-format off */
static const struct kw_sub server_opts[] = {
	{ "addr",		0, SRVO_ADDR, 1, NULL },
	{ "agent-check",	0, 0, 0, KW_LATER },
	{ "alpn",		0, SRVO_ALPN, 1, NULL },
	{ "backup",		0, SRVO_BACKUP, 0, NULL },
	{ "ca-file",		0, SRVO_CA_FILE, 1, NULL },
	{ "check",		0, SRVO_CHECK, 0, NULL },
	{ "check-sni",		0, SRVO_CHECK_SNI, 1, NULL },
	{ "check-ssl",		0, SRVO_CHECK_SSL, 0, NULL },
	{ "ciphers",		0, SRVO_TLS_OPT, 1, NULL },
	{ "ciphersuites",	0, SRVO_TLS_OPT, 1, NULL },
	{ "cookie",		0, SRVO_COOKIE, 1, NULL },
	{ "cooldown",		0, SRVO_COOLDOWN, 1, NULL },
	{ "crl-file",		0, SRVO_CRL_FILE, 1, NULL },
	{ "crt",		0, SRVO_CRT, 1, NULL },
	{ "disabled",		0, SRVO_DISABLED, 0, NULL },
	{ "downinter",		0, SRVO_DOWNINTER, 1, NULL },
	{ "enabled",		0, SRVO_ENABLED, 0, NULL },
	{ "error-limit",	0, SRVO_ERROR_LIMIT, 1, NULL },
	{ "fall",		0, SRVO_FALL, 1, NULL },
	{ "fastinter",		0, SRVO_FASTINTER, 1, NULL },
	{ "half-open",		0, SRVO_HALF_OPEN, 1, NULL },
	{ "id",			0, 0, 1, KW_LATER },
	{ "init-addr",		0, 0, 1, KW_LATER },
	{ "inter",		0, SRVO_INTER, 1, NULL },
	{ "maxconn",		0, SRVO_MAXCONN, 1, NULL },
	{ "maxqueue",		0, 0, 1, KW_LATER },
	{ "minconn",		0, 0, 1, KW_LATER },
	{ "no-backup",		0, SRVO_NO_BACKUP, 0, NULL },
	{ "no-check",		0, SRVO_NO_CHECK, 0, NULL },
	{ "no-check-ssl",	0, SRVO_NO_CHECK_SSL, 0, NULL },
	{ "no-ssl",		0, SRVO_NO_SSL, 0, NULL },
	{ "no-ssl-reuse",	0, SRVO_NO_SSL_REUSE, 0, NULL },
	{ "no-sslv3",		0, SRVO_TLS_OPT, 0, NULL },
	{ "no-tls-tickets",	0, SRVO_TLS_OPT, 0, NULL },
	{ "no-tlsv10",		0, SRVO_TLS_OPT, 0, NULL },
	{ "no-tlsv11",		0, SRVO_TLS_OPT, 0, NULL },
	{ "no-tlsv12",		0, SRVO_TLS_OPT, 0, NULL },
	{ "no-tlsv13",		0, SRVO_TLS_OPT, 0, NULL },
	{ "observe",		0, SRVO_OBSERVE, 1, NULL },
	{ "on-error",		0, SRVO_ON_ERROR, 1, NULL },
	{ "on-marked-down",	0, SRVO_ON_MARKED_DOWN, 1, NULL },
	{ "on-marked-up",	0, SRVO_ON_MARKED_UP, 1, NULL },
	{ "pool-max-conn",	0, 0, 1, KW_LATER },
	{ "pool-purge-delay",	0, 0, 1, KW_LATER },
	{ "port",		0, SRVO_PORT, 1, NULL },
	{ "proto",		0, 0, 1, KW_LATER },
	{ "redir",		0, 0, 1, KW_LATER },
	{ "resolve-prefer",	0, 0, 1, KW_LATER },
	{ "resolvers",		0, 0, 1, KW_LATER },
	{ "rise",		0, SRVO_RISE, 1, NULL },
	{ "send-proxy",		0, SRVO_SEND_PROXY, 0, NULL },
	{ "send-proxy-v2",	0, SRVO_SEND_PROXY_V2, 0, NULL },
	{ "slowstart",		0, SRVO_SLOWSTART, 1, NULL },
	{ "sni",		0, SRVO_SNI, 1, NULL },
	{ "source",		0, 0, 1, KW_LATER },
	{ "ssl",		0, SRVO_SSL, 0, NULL },
	{ "ssl-max-ver",	0, SRVO_TLS_OPT, 1, NULL },
	{ "ssl-min-ver",	0, SRVO_TLS_OPT, 1, NULL },
	{ "tfo",		0, 0, 0, KW_LATER },
	{ "track",		0, 0, 1, KW_LATER },
	{ "verify",		0, SRVO_VERIFY, 1, NULL },
	{ "weight",		0, SRVO_WEIGHT, 1, NULL },
	{ "ws",			0, 0, 1, KW_LATER },
};
/* clang-format on */

/*
 * A TLS option of a server line: words[i] is its value, if it has one.
 * Returns 0, -1 after an error, 1 when id is no TLS option.
 */
static int
kw_server_tls(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned i,
    int id, unsigned nargs, struct conf_tls_server *t)
{
	const struct conf_global *g = &ctx->c->global;
	const struct conf_word *a = &st->words[i];
	unsigned j;

	switch (id) {
	case SRVO_SSL:
		t->ssl = true;
		t->loc = a->loc;
		return 0;
	case SRVO_NO_SSL:
		t->ssl = false;
		return 0;
	case SRVO_NO_SSL_REUSE:
		t->no_reuse = true;
		return 0;
	case SRVO_CHECK_SSL:
		t->no_check_ssl = false;
		t->check_ssl = true;
		return 0;
	case SRVO_NO_CHECK_SSL:
		t->no_check_ssl = true;
		return 0;
	case SRVO_CHECK_SNI:
		t->check_sni = kw_dup(ctx, a);
		return t->check_sni ? 0 : -1;
	case SRVO_TLS_OPT:
		/* back to the option's own word: kw_tls_opt reads both */
		j = nargs ? i - 1 : i;
		return kw_tls_opt(ctx, st, &j, &t->o) < 0 ? -1 : 0;
	case SRVO_VERIFY:
		return kw_tls_verify(ctx, a, true, &t->verify);
	case SRVO_CA_FILE:
		t->ca_file = kw_tls_file(ctx, a, g->ca_base, false);
		return t->ca_file ? 0 : -1;
	case SRVO_CRL_FILE:
		t->crl_file = kw_tls_file(ctx, a, g->ca_base, false);
		return t->crl_file ? 0 : -1;
	case SRVO_CRT:
		t->crt = kw_tls_file(ctx, a, g->crt_base, false);
		return t->crt ? 0 : -1;
	case SRVO_ALPN:
		if (kw_tls_alpn(ctx, a) < 0)
			return -1;
		t->alpn_h1 = true;
		return 0;
	case SRVO_SNI:
		if (strncmp(a->s, "str(", 4) == 0 && a->len > 5 &&
		    a->s[a->len - 1] == ')') {
			t->sni = arena_strndup(&ctx->c->arena, a->s + 4,
			    a->len - 5);
			t->sni_hdr = false;
		} else if ((strncmp(a->s, "req.hdr(", 8) == 0 && a->len > 9 &&
		    a->s[a->len - 1] == ')') || (strncmp(a->s, "hdr(", 4) ==
		    0 && a->len > 5 && a->s[a->len - 1] == ')')) {
			size_t o = a->s[0] == 'r' ? 8 : 4;

			t->sni = arena_strndup(&ctx->c->arena, a->s + o,
			    a->len - o - 1);
			t->sni_hdr = true;
		} else {
			diag_error(ctx->d, &a->loc, "sni '%s': expected "
			    "str(NAME) or req.hdr(NAME)", a->s);
			return -1;
		}
		return t->sni ? 0 : -1;
	}
	return 1;
}

/* The server options of health checks and error detection. */
static int
kw_server_check_opt(struct kw_ctx *ctx, int id, const struct conf_word *a,
    struct conf_server *srv)
{
	static const char *const observe[] = { "none", "layer4", "layer7" };
	static const char *const on_error[] = { "fastinter", "fail-check",
		"sudden-death", "mark-down", "circuit-break" };
	long long v;
	unsigned i;

	switch (id) {
	case SRVO_ADDR: {
		const char *err;
		char text[300];

		/* an address without a port: the check port comes apart */
		snprintf(text, sizeof(text), "%s%s%s:1",
		    strchr(a->s, ':') ? "[" : "", a->s,
		    strchr(a->s, ':') ? "]" : "");
		if (val_addr(text, VAL_ADDR_NEED_PORT | VAL_ADDR_RESOLVE,
		    &srv->check_addr, &err) < 0) {
			diag_error(ctx->d, &a->loc, "invalid check address "
			    "'%s': %s", a->s, err);
			return -1;
		}
		srv->check_addr_text = kw_dup(ctx, a);
		return 0;
	}
	case SRVO_PORT:
		if (kw_get_int(ctx, a, "port", 1, 65535, &v) < 0)
			return -1;
		srv->check_port = (unsigned)v;
		return 0;
	case SRVO_FASTINTER:
		return kw_get_nz_duration(ctx, a, "fastinter",
		    &srv->fastinter_ms);
	case SRVO_DOWNINTER:
		return kw_get_nz_duration(ctx, a, "downinter",
		    &srv->downinter_ms);
	case SRVO_SLOWSTART:
		return kw_get_duration(ctx, a, "slowstart", &srv->slowstart_ms);
	case SRVO_COOLDOWN:
		return kw_get_nz_duration(ctx, a, "cooldown",
		    &srv->cooldown_ms);
	case SRVO_ERROR_LIMIT:
		if (kw_get_int(ctx, a, "error-limit", 1, 1000000, &v) < 0)
			return -1;
		srv->error_limit = (unsigned)v;
		return 0;
	case SRVO_HALF_OPEN:
		if (kw_get_int(ctx, a, "half-open", 1, 1000, &v) < 0)
			return -1;
		srv->half_open = (unsigned)v;
		return 0;
	case SRVO_OBSERVE:
		for (i = 0; i < NELEM(observe); i++)
			if (strcmp(a->s, observe[i]) == 0) {
				srv->observe = (enum srv_observe)i;
				return 0;
			}
		diag_error(ctx->d, &a->loc, "'observe' takes none, layer4 or "
		    "layer7, not '%s'", a->s);
		return -1;
	case SRVO_ON_ERROR:
		for (i = 0; i < NELEM(on_error); i++)
			if (strcmp(a->s, on_error[i]) == 0) {
				srv->on_error = (enum srv_on_error)i;
				return 0;
			}
		diag_error(ctx->d, &a->loc, "'on-error' takes fastinter, "
		    "fail-check, sudden-death, mark-down or circuit-break, "
		    "not '%s'", a->s);
		return -1;
	case SRVO_ON_MARKED_DOWN:
		if (strcmp(a->s, "shutdown-sessions") != 0) {
			diag_error(ctx->d, &a->loc, "'on-marked-down' takes "
			    "shutdown-sessions, not '%s'", a->s);
			return -1;
		}
		srv->flags |= SRV_DOWN_KILL;
		return 0;
	case SRVO_COOKIE:
		if (a->len == 0 || a->len > 64 || strpbrk(a->s, ";,= |~\t") ||
		    !val_is_token(a->s)) {
			diag_error(ctx->d, &a->loc, "a server's cookie value is "
			    "1 to 64 token characters, without '|' or '~'");
			return -1;
		}
		srv->cookie = kw_dup(ctx, a);
		return 0;
	case SRVO_ON_MARKED_UP:
		if (strcmp(a->s, "shutdown-backup-sessions") != 0) {
			diag_error(ctx->d, &a->loc, "'on-marked-up' takes "
			    "shutdown-backup-sessions, not '%s'", a->s);
			return -1;
		}
		srv->flags |= SRV_UP_KILL_BACKUP;
		return 0;
	}
	return 0;
}

/* Apply server options words[first..] to srv. */
static int
kw_server_opts(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned first,
    struct conf_server *srv)
{
	unsigned i, sec = ctx->sec;
	int bad = 0, r;

	ctx->sec = 0;	/* server options are not section-bound */
	for (i = first; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i], *a;
		const struct kw_sub *s;
		long long v;

		s = kw_sub_find(ctx, w, "server option", server_opts,
		    NELEM(server_opts));
		if (s == NULL) {
			bad = -1;
			break;	/* how many words it takes is unknown */
		}
		if (i + s->nargs >= st->nwords && s->nargs > 0) {
			diag_error(ctx->d, &w->loc,
			    "server option '%s' needs a value", w->s);
			bad = -1;
			break;
		}
		a = s->nargs ? &st->words[++i] : NULL;
		switch (s->id) {
		case SRVO_BACKUP:
			srv->flags |= SRV_BACKUP;
			break;
		case SRVO_NO_BACKUP:
			srv->flags &= ~SRV_BACKUP;
			break;
		case SRVO_CHECK:
			srv->flags |= SRV_CHECK;
			break;
		case SRVO_NO_CHECK:
			srv->flags &= ~SRV_CHECK;
			break;
		case SRVO_DISABLED:
			srv->flags |= SRV_DISABLED;
			break;
		case SRVO_SEND_PROXY:
			srv->flags &= ~SRV_SEND_PROXY_V2;
			srv->flags |= SRV_SEND_PROXY;
			break;
		case SRVO_SEND_PROXY_V2:
			srv->flags &= ~SRV_SEND_PROXY;
			srv->flags |= SRV_SEND_PROXY_V2;
			break;
		case SRVO_ENABLED:
			srv->flags &= ~SRV_DISABLED;
			break;
		case SRVO_FALL:
			if (kw_get_int(ctx, a, "fall", 1, 1000, &v) < 0)
				bad = -1;
			else
				srv->fall = (unsigned)v;
			break;
		case SRVO_RISE:
			if (kw_get_int(ctx, a, "rise", 1, 1000, &v) < 0)
				bad = -1;
			else
				srv->rise = (unsigned)v;
			break;
		case SRVO_INTER:
			if (kw_get_nz_duration(ctx, a, "inter",
			    &srv->inter_ms) < 0)
				bad = -1;
			break;
		case SRVO_MAXCONN:
			if (kw_get_int(ctx, a, "maxconn", 0, 1000000, &v) < 0)
				bad = -1;
			else
				srv->maxconn = (unsigned)v;
			break;
		case SRVO_WEIGHT:
			if (kw_get_int(ctx, a, "weight", 0, 256, &v) < 0)
				bad = -1;
			else
				srv->weight = (unsigned)v;
			break;
		default:
			r = kw_server_tls(ctx, st, i, s->id, s->nargs,
			    &srv->tls);
			if (r > 0)
				r = kw_server_check_opt(ctx, s->id, a, srv);
			if (r < 0)
				bad = -1;
			break;
		}
	}
	ctx->sec = sec;
	return bad;
}

static int
kw_server(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	struct conf_server *srv, **pp;
	const struct conf_word *nw, *aw;
	const char *err;
	char where[sizeof(ctx->where)];
	int r;

	if (kw_nargs(ctx, st, 1, 2, 256, "server") < 0)
		return -1;
	nw = &st->words[1];
	aw = &st->words[2];
	srv = arena_alloc(&ctx->c->arena, sizeof(*srv));
	if (srv == NULL)
		return -1;
	*srv = ctx->px->defsrv;
	srv->next = NULL;
	srv->loc = st->loc;
	srv->name = kw_dup(ctx, nw);
	srv->addr_text = kw_dup(ctx, aw);
	if (srv->name == NULL || srv->addr_text == NULL)
		return -1;
	if (nw->len == 0 || strchr(nw->s, '/') != NULL) {
		diag_error(ctx->d, &nw->loc, "invalid server name '%s' (it "
		    "must not be empty nor hold '/')", nw->s);
		return -1;
	}
	r = 0;
	if (strchr(aw->s, '@') != NULL || aw->s[0] == '/') {
		diag_error(ctx->d, &aw->loc, "server address '%s': only IPv4 "
		    "and IPv6 addresses and host names are supported yet",
		    aw->s);
		r = -1;
	} else if (val_addr(aw->s, VAL_ADDR_NEED_PORT | VAL_ADDR_RESOLVE,
	    &srv->addr, &err) < 0) {
		diag_error(ctx->d, &aw->loc, "invalid address '%s' for server "
		    "'%s': %s", aw->s, nw->s, err);
		r = -1;
	}
	memcpy(where, ctx->where, sizeof(where));
	snprintf(ctx->where, sizeof(ctx->where), "server '%s'", nw->s);
	if (kw_server_opts(ctx, st, 3, srv) < 0)
		r = -1;
	else if (srv->tls.ssl && srv->tls.verify != TLS_VERIFY_NONE &&
	    srv->tls.ca_file == NULL) {
		/* HAProxy's ssl-server-verify is required by default, too */
		diag_error(ctx->d, &st->loc, "server '%s' has 'ssl' and "
		    "verifies its certificate (verify required is the "
		    "default) but names no 'ca-file': give 'ca-file FILE', "
		    "'ca-file @system-ca' or 'verify none'", nw->s);
		r = -1;
	} else if (srv->tls.check_ssl && !srv->tls.ssl) {
		diag_error(ctx->d, &st->loc, "server '%s' has 'check-ssl' but "
		    "no 'ssl': weir checks over TLS the servers it speaks TLS "
		    "to", nw->s);
		r = -1;
	}
	memcpy(ctx->where, where, sizeof(where));
	/* kept even when wrong, so no "has no server" follows the error */
	pp = ctx->px->servers_tail;
	if (pp == NULL)
		pp = &ctx->px->servers;
	*pp = srv;
	ctx->px->servers_tail = &srv->next;
	return r;
}

static int
kw_default_server(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	char where[sizeof(ctx->where)];
	int r;

	memcpy(where, ctx->where, sizeof(where));
	snprintf(ctx->where, sizeof(ctx->where), "default-server");
	r = kw_server_opts(ctx, st, 1, &ctx->px->defsrv);
	memcpy(ctx->where, where, sizeof(where));
	return r;
}

/* ---- balance ----------------------------------------------------------- */

static int
kw_balance(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	/* clang-format off */
	static const struct kw_sub algos[] = {
		{ "first",	0, LB_FIRST, 0, NULL },
		{ "hash",	0, 0, 0, KW_LATER },
		{ "hdr",	0, LB_HDR, 0, NULL },
		{ "leastconn",	0, LB_LEASTCONN, 0, NULL },
		{ "random",	0, LB_RANDOM, 0, NULL },
		{ "rdp-cookie",	0, 0, 0, KW_LATER },
		{ "roundrobin",	0, LB_ROUNDROBIN, 0, NULL },
		{ "source",	0, LB_SOURCE, 0, NULL },
		{ "static-rr",	0, LB_STATIC_RR, 0, NULL },
		{ "uri",	0, LB_URI, 0, NULL },
		{ "url_param",	0, 0, 0, KW_LATER },
	};
	/* clang-format on */
	struct conf_proxy *px = ctx->px;
	const struct conf_word *w;
	const struct kw_sub *s;
	struct conf_word base;
	char name[32];
	const char *paren, *arg = NULL;
	size_t nl;

	if (kw_nargs(ctx, st, 1, 1, 8, "balance") < 0)
		return -1;
	w = &st->words[1];
	paren = strchr(w->s, '(');
	nl = paren ? (size_t)(paren - w->s) : w->len;
	if (nl >= sizeof(name))
		nl = sizeof(name) - 1;
	memcpy(name, w->s, nl);
	name[nl] = '\0';
	base = *w;
	base.s = name;
	s = kw_sub_find(ctx, &base, "balance algorithm", algos, NELEM(algos));
	if (s == NULL)
		return -1;
	if (paren != NULL) {
		size_t al = w->len - nl;

		if (al < 3 || w->s[w->len - 1] != ')') {
			diag_error(ctx->d, &w->loc,
			    "malformed balance algorithm '%s'", w->s);
			return -1;
		}
		arg = arena_strndup(&ctx->c->arena, paren + 1, al - 2);
		if (arg == NULL)
			return -1;
	}
	px->random_draws = 0;
	px->balance_arg = NULL;
	switch (s->id) {
	case LB_HDR:
		if (arg == NULL || arg[0] == '\0') {
			diag_error(ctx->d, &w->loc, "'balance hdr' needs a "
			    "header name: hdr(name)");
			return -1;
		}
		px->balance_arg = arg;
		break;
	case LB_RANDOM:
		if (arg != NULL) {
			long long v;

			if (kw_get_int(ctx, &(struct conf_word){ arg,
			    strlen(arg), w->loc, 0 }, "random draws", 1, 100,
			    &v) < 0)
				return -1;
			px->random_draws = (unsigned)v;
		} else {
			px->random_draws = 2;
		}
		break;
	default:
		if (arg != NULL) {
			diag_error(ctx->d, &w->loc,
			    "balance algorithm '%s' takes no argument", name);
			return -1;
		}
		break;
	}
	if (st->nwords > 2) {
		diag_error(ctx->d, &st->words[2].loc, "balance option '%s' %s",
		    st->words[2].s, KW_LATER);
		return -1;
	}
	px->balance = (enum lb_algo)s->id;
	kw_origin(&px->balance_origin, &st->loc);
	return 0;
}

static int
kw_hash_type(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	const struct conf_word *w;

	if (kw_nargs(ctx, st, 1, 1, 3, "hash-type") < 0)
		return -1;
	w = &st->words[1];
	if (conf_word_is(w, "map-based"))
		ctx->px->hash_type = HASH_MAP_BASED;
	else if (conf_word_is(w, "consistent"))
		ctx->px->hash_type = HASH_CONSISTENT;
	else {
		diag_error(ctx->d, &w->loc, "unknown hash-type '%s' (expected "
		    "map-based or consistent)", w->s);
		return -1;
	}
	if (st->nwords > 2) {
		diag_error(ctx->d, &st->words[2].loc, "hash function '%s' %s",
		    st->words[2].s, KW_LATER);
		return -1;
	}
	return 0;
}

/* ---- acl and switching ------------------------------------------------- */

static int
kw_acl(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	struct conf_acl *a, **pp;
	const struct conf_word *nw;
	const char *p;

	if (kw_nargs(ctx, st, 1, 2, 100000, "acl") < 0)
		return -1;
	nw = &st->words[1];
	for (p = nw->s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_-.:", *p) == NULL)
			break;
	}
	if (nw->len == 0 || *p != '\0') {
		diag_error(ctx->d, &nw->loc, "invalid acl name '%s' (letters, "
		    "digits, '_', '-', '.' and ':' only)", nw->s);
		return -1;
	}
	a = acl_parse(&ctx->c->arena, ctx->d, kw_dup(ctx, nw), &st->words[2],
	    st->nwords - 2, &st->loc);
	if (a == NULL)
		return -1;
	for (pp = &ctx->px->acls; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = a;
	return 0;
}

static int
kw_use_backend(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	struct conf_switch *sw, **pp;

	if (kw_nargs(ctx, st, 1, 1, 1, "use_backend") < 0)
		return -1;
	if (strstr(st->words[1].s, "%[") != NULL) {
		diag_error(ctx->d, &st->words[1].loc,
		    "dynamic backend names are not supported yet");
		return -1;
	}
	sw = arena_alloc(&ctx->c->arena, sizeof(*sw));
	if (sw == NULL)
		return -1;
	sw->loc = st->loc;
	sw->backend = &st->words[1];
	sw->cond = st->cond;
	for (pp = &ctx->px->switches; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = sw;
	return 0;
}

static int
kw_default_backend(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	if (kw_nargs(ctx, st, 1, 1, 1, "default_backend") < 0)
		return -1;
	ctx->px->default_backend = &st->words[1];
	return 0;
}

/* ---- http-request and http-response ------------------------------------ */

/*
 * A header value or redirect target. HAProxy's log-format: "%%" is a '%';
 * a header value (with r) may hold "%[fetch]" expressions: it is then
 * kept as written, checked here and compiled with the graph.
 */
static const char *
kw_fmt(struct kw_ctx *ctx, const struct conf_word *w,
    struct conf_http_rule *r)
{
	char *out, *o, err[256];
	const char *p;
	size_t at = 0;

	if (r != NULL && fmt_has_fetch(w->s)) {
		if (fmt_parse(&ctx->c->arena, w->s, err, sizeof(err),
		    &at) == NULL) {
			struct loc l = w->loc;

			if (!(w->flags & CONF_W_QUOTED))
				l.col += (unsigned)at;
			diag_error(ctx->d, &l, "'%s': %s", w->s, err);
			return NULL;
		}
		r->value_fmt = true;
		return kw_dup(ctx, w);
	}
	out = arena_alloc(&ctx->c->arena, w->len + 1);
	if (out == NULL)
		return NULL;
	for (p = w->s, o = out; *p != '\0'; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		if (p[1] == '%') {
			*o++ = '%';
			p++;
			continue;
		}
		diag_error(ctx->d, &w->loc, "'%s': %s expressions in values "
		    "are not supported yet (write a literal '%%' as '%%%%')",
		    w->s, p[1] == '[' ? "sample" : "log-format");
		return NULL;
	}
	*o = '\0';
	return out;
}

static int
kw_hdr_name(struct kw_ctx *ctx, const struct conf_word *w,
    struct conf_http_rule *r)
{
	if (!val_is_token(w->s)) {
		diag_error(ctx->d, &w->loc, "invalid header name '%s'", w->s);
		return -1;
	}
	r->name = kw_dup(ctx, w);
	return r->name ? 0 : -1;
}

static int
kw_status(struct kw_ctx *ctx, const struct conf_word *w, const char *what,
    long long min, long long max, unsigned *out)
{
	long long v;

	if (kw_get_int(ctx, w, what, min, max, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* redirect location|prefix|scheme VALUE [code N] */
static int
kw_act_redirect(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned i,
    struct conf_http_rule *r)
{
	const struct conf_word *t;

	if (i + 1 >= st->nwords) {
		diag_error(ctx->d, &st->loc, "'redirect' needs location, "
		    "prefix or scheme and a value");
		return -1;
	}
	t = &st->words[i];
	if (conf_word_is(t, "location"))
		r->redir = REDIR_LOCATION;
	else if (conf_word_is(t, "prefix"))
		r->redir = REDIR_PREFIX;
	else if (conf_word_is(t, "scheme"))
		r->redir = REDIR_SCHEME;
	else {
		diag_error(ctx->d, &t->loc, "unknown redirect type '%s' "
		    "(expected location, prefix or scheme)", t->s);
		return -1;
	}
	/* a location may hold %[fetch]; a prefix or scheme is text */
	if ((r->value = kw_fmt(ctx, &st->words[i + 1], r->redir ==
	    REDIR_LOCATION ? r : NULL)) == NULL)
		return -1;
	r->status = 302;
	for (i += 2; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i];

		if (conf_word_is(w, "drop-query")) {
			r->redir_flags |= REDIR_F_DROP_QUERY;
			continue;
		}
		if (conf_word_is(w, "append-slash")) {
			r->redir_flags |= REDIR_F_APPEND_SLASH;
			continue;
		}
		if (conf_word_is(w, "code") && i + 1 < st->nwords) {
			if (kw_status(ctx, &st->words[++i], "redirect code",
			    0, 999, &r->status) < 0)
				return -1;
			if (r->status < 301 || r->status > 308 ||
			    (r->status > 303 && r->status < 307)) {
				diag_error(ctx->d, &st->words[i].loc,
				    "redirect code must be 301, 302, 303, 307 "
				    "or 308, got %u", r->status);
				return -1;
			}
			continue;
		}
		diag_error(ctx->d, &w->loc, "redirect option '%s' %s", w->s,
		    conf_word_is(w, "code") ? "needs a value" : KW_LATER);
		return -1;
	}
	return 0;
}

/* return [status N] [content-type T] [string S | file F] */
static int
kw_act_return(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned i,
    struct conf_http_rule *r)
{
	r->status = 200;
	for (; i < st->nwords; i++) {
		const struct conf_word *w = &st->words[i], *a;

		if (i + 1 >= st->nwords) {
			diag_error(ctx->d, &w->loc, "'%s' needs a value", w->s);
			return -1;
		}
		a = &st->words[++i];
		if (r->body != NULL && (conf_word_is(w, "string") ||
		    conf_word_is(w, "file") || conf_word_is(w, "errorfile"))) {
			diag_error(ctx->d, &w->loc, "'return' takes one body: "
			    "string, file or errorfile");
			return -1;
		}
		if (conf_word_is(w, "status")) {
			if (kw_status(ctx, a, "return status", 200, 599,
			    &r->status) < 0)
				return -1;
		} else if (conf_word_is(w, "content-type")) {
			r->ctype = kw_dup(ctx, a);
		} else if (conf_word_is(w, "string")) {
			r->body = kw_dup(ctx, a);
			r->body_len = a->len;
		} else if (conf_word_is(w, "file") ||
		    conf_word_is(w, "errorfile")) {
			const char *path = kw_path(ctx, a);

			r->body = path ? kw_read_file(ctx, a, path, 65536,
			    &r->body_len) : NULL;
			if (r->body == NULL)
				return -1;
			r->raw = conf_word_is(w, "errorfile");
			if (r->raw && kw_is_response(ctx, a, path, r->body,
			    r->body_len) < 0)
				return -1;
		} else {
			diag_error(ctx->d, &w->loc, "return option '%s' %s",
			    w->s, KW_LATER);
			return -1;
		}
	}
	if (r->raw && r->ctype != NULL) {
		diag_error(ctx->d, &st->loc, "'return' with an errorfile takes "
		    "its content-type from the file, not 'content-type'");
		return -1;
	}
	if (r->body != NULL && r->ctype == NULL && !r->raw) {
		diag_error(ctx->d, &st->loc,
		    "'return' with a body needs a content-type");
		return -1;
	}
	return 0;
}

/*
 * set-path FMT, set-query FMT, replace-path REGEX FMT,
 * replace-header NAME REGEX FMT and replace-value NAME REGEX FMT.
 */
static int
kw_act_rewrite(struct kw_ctx *ctx, const struct conf_stmt *st,
    const char *name, struct conf_http_rule *r)
{
	unsigned n = r->act == HTTP_ACT_SET_PATH ||
	    r->act == HTTP_ACT_SET_QUERY ? 1 :
	    r->act == HTTP_ACT_REPLACE_PATH ? 2 : 3;
	const struct conf_word *re;
	regex_t x;
	int e;

	if (kw_nargs(ctx, st, 2, n, n, name) < 0)
		return -1;
	if (n == 3 && kw_hdr_name(ctx, &st->words[2], r) < 0)
		return -1;
	if (n >= 2) {
		re = &st->words[st->nwords - 2];
		if ((e = regcomp(&x, re->s, REG_EXTENDED)) != 0) {
			char msg[128];

			regerror(e, &x, msg, sizeof(msg));
			diag_error(ctx->d, &re->loc, "invalid regular "
			    "expression '%s': %s", re->s, msg);
			return -1;
		}
		regfree(&x);
		if ((r->regex = kw_dup(ctx, re)) == NULL)
			return -1;
	}
	r->value = kw_fmt(ctx, &st->words[st->nwords - 1], r);
	return r->value != NULL ? 0 : -1;
}

static int
kw_http_rule(struct kw_ctx *ctx, const struct conf_stmt *st, bool response)
{
	/* clang-format off */
	static const struct kw_sub req_acts[] = {
		{ "add-header",		0, HTTP_ACT_ADD_HEADER, 2, NULL },
		{ "allow",		0, 0, 0, KW_LATER },
		{ "auth",		0, 0, 0, KW_LATER },
		{ "capture",		0, 0, 0, KW_LATER },
		{ "del-header",		0, HTTP_ACT_DEL_HEADER, 1, NULL },
		{ "deny",		0, HTTP_ACT_DENY, 2, NULL },
		{ "redirect",		0, HTTP_ACT_REDIRECT, 4, NULL },
		{ "replace-header",	0, HTTP_ACT_REPLACE_HEADER, 3, NULL },
		{ "replace-path",	0, HTTP_ACT_REPLACE_PATH, 2, NULL },
		{ "replace-value",	0, HTTP_ACT_REPLACE_VALUE, 3, NULL },
		{ "return",		0, HTTP_ACT_RETURN, 8, NULL },
		{ "set-header",		0, HTTP_ACT_SET_HEADER, 2, NULL },
		{ "set-path",		0, HTTP_ACT_SET_PATH, 1, NULL },
		{ "set-query",		0, HTTP_ACT_SET_QUERY, 1, NULL },
		{ "set-var",		0, 0, 0, KW_LATER },
		{ "tarpit",		0, 0, 0, KW_LATER },
		{ "track-sc0",		0, HTTP_ACT_TRACK_SC, 3, NULL },
		{ "track-sc1",		0, HTTP_ACT_TRACK_SC, 3, NULL },
		{ "track-sc2",		0, HTTP_ACT_TRACK_SC, 3, NULL },
		{ "use-service",	0, HTTP_ACT_PROMETHEUS, 1, NULL },
	};
	static const struct kw_sub rsp_acts[] = {
		{ "add-header",		0, HTTP_ACT_ADD_HEADER, 2, NULL },
		{ "allow",		0, 0, 0, KW_LATER },
		{ "del-header",		0, HTTP_ACT_DEL_HEADER, 1, NULL },
		{ "deny",		0, 0, 0, KW_LATER },
		{ "replace-header",	0, HTTP_ACT_REPLACE_HEADER, 3, NULL },
		{ "replace-value",	0, HTTP_ACT_REPLACE_VALUE, 3, NULL },
		{ "set-header",		0, HTTP_ACT_SET_HEADER, 2, NULL },
		{ "set-status",		0, 0, 0, KW_LATER },
		{ "set-var",		0, 0, 0, KW_LATER },
	};
	/* clang-format on */
	const char *kwname = response ? "http-response" : "http-request";
	const struct kw_sub *s;
	struct conf_http_rule *r, **pp;
	char name[64];
	int bad = 0;

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'%s' needs an action", kwname);
		return -1;
	}
	s = response ? kw_sub_find(ctx, &st->words[1], "http-response action",
	    rsp_acts, NELEM(rsp_acts)) : kw_sub_find(ctx, &st->words[1],
	    "http-request action", req_acts, NELEM(req_acts));
	if (s == NULL)
		return -1;
	snprintf(name, sizeof(name), "%s %s", kwname, s->name);
	r = arena_alloc(&ctx->c->arena, sizeof(*r));
	if (r == NULL)
		return -1;
	r->loc = st->loc;
	r->act = (enum http_act)s->id;
	r->cond = st->cond;
	switch (r->act) {
	case HTTP_ACT_SET_HEADER:
	case HTTP_ACT_ADD_HEADER:
		if (kw_nargs(ctx, st, 2, 2, 2, name) < 0 ||
		    kw_hdr_name(ctx, &st->words[2], r) < 0 ||
		    (r->value = kw_fmt(ctx, &st->words[3], r)) == NULL)
			bad = -1;
		break;
	case HTTP_ACT_DEL_HEADER:
		if (kw_nargs(ctx, st, 2, 1, 1, name) < 0 ||
		    kw_hdr_name(ctx, &st->words[2], r) < 0)
			bad = -1;
		break;
	case HTTP_ACT_DENY:
		r->status = 403;
		if (st->nwords == 2)
			break;
		if (st->nwords == 3 && (conf_word_is(&st->words[2],
		    "deny_status") || conf_word_is(&st->words[2], "status"))) {
			diag_error(ctx->d, &st->words[2].loc,
			    "'%s' needs a status", st->words[2].s);
			bad = -1;
			break;
		}
		if (st->nwords == 4 && (conf_word_is(&st->words[2],
		    "deny_status") || conf_word_is(&st->words[2], "status"))) {
			bad = kw_status(ctx, &st->words[3], "deny status",
			    200, 599, &r->status);
			break;
		}
		diag_error(ctx->d, &st->words[2].loc, "'http-request deny' "
		    "takes only 'deny_status N', got '%s'",
		    st->words[2].s);
		bad = -1;
		break;
	case HTTP_ACT_REDIRECT:
		bad = kw_act_redirect(ctx, st, 2, r);
		break;
	case HTTP_ACT_RETURN:
		bad = kw_act_return(ctx, st, 2, r);
		break;
	case HTTP_ACT_TRACK_SC:
		r->sc = (unsigned)(st->words[1].s[8] - '0');
		if (kw_nargs(ctx, st, 2, 1, 3, name) < 0) {
			bad = -1;
		} else if (!conf_word_is(&st->words[2], "src")) {
			diag_error(ctx->d, &st->words[2].loc, "'%s' tracks "
			    "'src' (the client's address), not '%s'", name,
			    st->words[2].s);
			bad = -1;
		} else if (st->nwords == 5 && conf_word_is(&st->words[3],
		    "table")) {
			r->table = kw_dup(ctx, &st->words[4]);
		} else if (st->nwords != 3) {
			diag_error(ctx->d, &st->words[3].loc, "'%s src' takes "
			    "only 'table NAME' after it", name);
			bad = -1;
		}
		break;
	case HTTP_ACT_SET_PATH:
	case HTTP_ACT_SET_QUERY:
	case HTTP_ACT_REPLACE_PATH:
	case HTTP_ACT_REPLACE_HEADER:
	case HTTP_ACT_REPLACE_VALUE:
		bad = kw_act_rewrite(ctx, st, name, r);
		break;
	case HTTP_ACT_PROMETHEUS:
		if (kw_nargs(ctx, st, 2, 1, 1, name) < 0) {
			bad = -1;
		} else if (!conf_word_is(&st->words[2],
		    "prometheus-exporter")) {
			diag_error(ctx->d, &st->words[2].loc, "unknown service "
			    "'%s' (weir has 'prometheus-exporter')",
			    st->words[2].s);
			bad = -1;
		}
		break;
	}
	if (bad < 0)
		return -1;
	pp = response ? &ctx->px->http_rsp : &ctx->px->http_req;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = r;
	return 0;
}

static int
kw_http_request(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	return kw_http_rule(ctx, st, false);
}

static int
kw_http_response(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	return kw_http_rule(ctx, st, true);
}

/* The proxy's own stats settings, copied from the defaults' first. */
static struct conf_stats *
kw_stats_of(struct kw_ctx *ctx)
{
	struct conf_stats *cs = ctx->px->stats;

	if (cs != NULL && (ctx->defaults == NULL || ctx->defaults == ctx->px ||
	    cs != ctx->defaults->stats))
		return cs;
	cs = arena_alloc(&ctx->c->arena, sizeof(*cs));
	if (cs == NULL)
		return NULL;
	if (ctx->px->stats != NULL) {
		const struct conf_stats_auth *a;
		struct conf_stats_auth **ap;

		*cs = *ctx->px->stats;
		/* the list too: what the proxy adds stays its own */
		cs->auths = NULL;
		ap = &cs->auths;
		for (a = ctx->px->stats->auths; a != NULL; a = a->next) {
			if ((*ap = arena_alloc(&ctx->c->arena,
			    sizeof(**ap))) == NULL)
				return NULL;
			(*ap)->cred = a->cred;
			ap = &(*ap)->next;
		}
	}
	ctx->px->stats = cs;
	return cs;
}

/*
 * stats enable | uri U | refresh D | auth U:P | realm R | admin if C |
 * hide-version | show-legends | show-node [NAME]. As in HAProxy, each
 * one enables the page.
 */
static int
kw_proxy_stats(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	/* clang-format off */
	enum { S_ENABLE = 1, S_URI, S_REFRESH, S_AUTH, S_REALM, S_ADMIN,
		S_HIDEVER, S_LEGENDS, S_NODE, S_GLOBAL };
	static const struct kw_sub subs[] = {
		{ "admin",		0, S_ADMIN, 0, NULL },
		{ "auth",		0, S_AUTH, 1, NULL },
		{ "bind-process",	0, 0, 0, "is not supported by weir: it runs as one process" },
		{ "enable",		0, S_ENABLE, 0, NULL },
		{ "hide-version",	0, S_HIDEVER, 0, NULL },
		{ "http-request",	0, 0, 0, KW_LATER },
		{ "realm",		0, S_REALM, 1, NULL },
		{ "refresh",		0, S_REFRESH, 1, NULL },
		{ "scope",		0, 0, 0, KW_LATER },
		{ "show-desc",		0, 0, 0, KW_LATER },
		{ "show-legends",	0, S_LEGENDS, 0, NULL },
		{ "show-modules",	0, 0, 0, KW_LATER },
		{ "show-node",		0, S_NODE, 1, NULL },
		{ "socket",		0, S_GLOBAL, 0, NULL },
		{ "timeout",		0, S_GLOBAL, 0, NULL },
		{ "uri",		0, S_URI, 1, NULL },
	};
	/* clang-format on */
	const struct kw_sub *sub;
	struct conf_stats *cs;
	struct conf_stats_auth *a, **ap;
	uint64_t ms;
	char name[64];

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'stats' needs a keyword "
		    "(enable, uri, auth, refresh, admin...)");
		return -1;
	}
	sub = kw_sub_find(ctx, &st->words[1], "stats keyword", subs,
	    NELEM(subs));
	if (sub == NULL)
		return -1;
	snprintf(name, sizeof(name), "stats %s", sub->name);
	if (sub->id == S_GLOBAL) {
		diag_error(ctx->d, &st->words[1].loc, "'%s' is allowed in the "
		    "global section only", name);
		return -1;
	}
	if (st->cond != NULL && sub->id != S_ADMIN) {
		diag_error(ctx->d, &st->cond->loc, "'%s' takes no condition",
		    name);
		return -1;
	}
	if (sub->id == S_NODE ? kw_nargs(ctx, st, 2, 0, 1, name) < 0 :
	    kw_nargs(ctx, st, 2, sub->nargs, sub->nargs, name) < 0)
		return -1;
	if ((cs = kw_stats_of(ctx)) == NULL)
		return -1;
	if (!cs->enabled)
		cs->loc = st->loc;
	cs->enabled = true;
	switch (sub->id) {
	case S_URI:
		if (st->words[2].s[0] != '/') {
			diag_error(ctx->d, &st->words[2].loc, "stats uri must "
			    "start with '/', got '%s'", st->words[2].s);
			return -1;
		}
		cs->uri = kw_dup(ctx, &st->words[2]);
		break;
	case S_REFRESH:
		if (kw_get_nz_duration(ctx, &st->words[2], name, &ms) < 0)
			return -1;
		cs->refresh_s = ms < 1000 ? 1 : (unsigned)(ms / 1000);
		break;
	case S_AUTH:
		if (strchr(st->words[2].s, ':') == NULL) {
			diag_error(ctx->d, &st->words[2].loc, "stats auth "
			    "expects user:password, got '%s'",
			    st->words[2].s);
			return -1;
		}
		a = arena_alloc(&ctx->c->arena, sizeof(*a));
		if (a == NULL || (a->cred = kw_dup(ctx, &st->words[2])) ==
		    NULL)
			return -1;
		for (ap = &cs->auths; *ap != NULL; ap = &(*ap)->next)
			;
		*ap = a;
		break;
	case S_REALM:
		cs->realm = kw_dup(ctx, &st->words[2]);
		break;
	case S_ADMIN:
		if (st->cond == NULL) {
			diag_error(ctx->d, &st->loc, "'stats admin' needs a "
			    "condition (e.g. 'stats admin if { src "
			    "127.0.0.1 }')");
			return -1;
		}
		cs->admin = true;
		cs->admin_cond = st->cond;
		break;
	case S_HIDEVER:
		cs->hide_version = true;
		break;
	case S_LEGENDS:
		cs->show_legends = true;
		break;
	case S_NODE:
		cs->show_node = true;
		if (st->nwords > 2)
			cs->node = kw_dup(ctx, &st->words[2]);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- tcp-request and stick rules --------------------------------------- */

/*
 * "src [table T]" at words[at..): what track-scN and stick rules key on.
 * Sets *table (NULL: the section's own). Returns 0, or -1 after an error.
 */
static int
kw_src_table(struct kw_ctx *ctx, const struct conf_stmt *st, unsigned at,
    const char *name, const char **table)
{
	*table = NULL;
	if (kw_nargs(ctx, st, at, 1, 3, name) < 0)
		return -1;
	if (!conf_word_is(&st->words[at], "src")) {
		diag_error(ctx->d, &st->words[at].loc, "'%s': key '%s' %s "
		    "(weir keys on 'src', the client's address)", name,
		    st->words[at].s, KW_LATER);
		return -1;
	}
	if (st->nwords == at + 3 && conf_word_is(&st->words[at + 1],
	    "table")) {
		*table = kw_dup(ctx, &st->words[at + 2]);
		return *table != NULL ? 0 : -1;
	}
	if (st->nwords != at + 1) {
		diag_error(ctx->d, &st->words[at + 1].loc, "'%s src' takes "
		    "only 'table NAME' after it", name);
		return -1;
	}
	return 0;
}

/* Append r to the list at *pp, keeping the order of the file. */
static void
kw_tcp_append(struct conf_tcp_rule **pp, struct conf_tcp_rule *r)
{
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = r;
}

/*
 * A proxy starts with copies of its defaults' tcp-request rules, so that
 * its own come after them without changing the defaults' list. Returns
 * 0, or -1 when out of memory.
 */
static int
kw_tcp_copy(struct kw_ctx *ctx, struct conf_tcp_rule **pp)
{
	const struct conf_tcp_rule *r = *pp;

	for (*pp = NULL; r != NULL; r = r->next, pp = &(*pp)->next) {
		if ((*pp = arena_alloc(&ctx->c->arena, sizeof(**pp))) == NULL)
			return -1;
		**pp = *r;
		(*pp)->next = NULL;
	}
	return 0;
}

/*
 * tcp-request connection|content accept|reject|track-scN src [table T]
 * [if|unless COND]. Connection rules run at accept, content rules once
 * per request (mode http, after its head) or stream (mode tcp).
 */
static int
kw_tcp_request(struct kw_ctx *ctx, const struct kw *kw,
    const struct conf_stmt *st)
{
	/* clang-format off */
	static const struct kw_sub whens[] = {
		{ "connection",		0, TCP_CONNECTION, 0, NULL },
		{ "content",		0, TCP_CONTENT, 0, NULL },
		{ "inspect-delay",	0, 0, 0, KW_LATER },
		{ "session",		0, 0, 0, KW_LATER },
	};
	static const struct kw_sub acts[] = {
		{ "accept",		0, TCP_ACT_ACCEPT, 0, NULL },
		{ "capture",		0, 0, 0, KW_LATER },
		{ "close",		0, 0, 0, KW_LATER },
		{ "do-resolve",		0, 0, 0, KW_LATER },
		{ "expect-netscaler-cip", 0, 0, 0, KW_LATER },
		{ "expect-proxy",	0, 0, 0, "is not supported by weir: use 'accept-proxy' on the bind line" },
		{ "reject",		0, TCP_ACT_REJECT, 0, NULL },
		{ "sc-inc-gpc0",	0, 0, 0, KW_LATER },
		{ "sc-set-gpt0",	0, 0, 0, KW_LATER },
		{ "set-dst",		0, 0, 0, KW_LATER },
		{ "set-mark",		0, 0, 0, KW_LATER },
		{ "set-src",		0, 0, 0, KW_LATER },
		{ "set-tos",		0, 0, 0, KW_LATER },
		{ "set-var",		0, 0, 0, KW_LATER },
		{ "silent-drop",	0, 0, 0, KW_LATER },
		{ "switch-mode",	0, 0, 0, KW_LATER },
		{ "track-sc0",		0, TCP_ACT_TRACK_SC, 0, NULL },
		{ "track-sc1",		0, TCP_ACT_TRACK_SC, 0, NULL },
		{ "track-sc2",		0, TCP_ACT_TRACK_SC, 0, NULL },
		{ "use-service",	0, 0, 0, KW_LATER },
	};
	/* clang-format on */
	const struct kw_sub *w, *a;
	struct conf_tcp_rule *r;
	char name[64];

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'tcp-request' needs 'connection' "
		    "or 'content' and an action");
		return -1;
	}
	w = kw_sub_find(ctx, &st->words[1], "tcp-request", whens,
	    NELEM(whens));
	if (w == NULL)
		return -1;
	/* HAProxy takes them from named defaults sections only */
	if (ctx->sec == KS_DEF && ctx->px->name[0] == '\0') {
		diag_error(ctx->d, &st->words[0].loc, "'tcp-request' rules "
		    "need a named defaults section ('defaults NAME')");
		return -1;
	}
	if (st->nwords < 3) {
		diag_error(ctx->d, &st->loc, "'tcp-request %s' needs an "
		    "action (accept, reject or track-sc0..2)", w->name);
		return -1;
	}
	a = kw_sub_find(ctx, &st->words[2], w->id == TCP_CONNECTION ?
	    "tcp-request connection action" : "tcp-request content action",
	    acts, NELEM(acts));
	if (a == NULL)
		return -1;
	snprintf(name, sizeof(name), "tcp-request %s %s", w->name, a->name);
	r = arena_alloc(&ctx->c->arena, sizeof(*r));
	if (r == NULL)
		return -1;
	r->loc = st->loc;
	r->act = (enum tcp_act)a->id;
	r->cond = st->cond;
	if (r->act == TCP_ACT_TRACK_SC) {
		r->sc = (unsigned)(st->words[2].s[8] - '0');
		if (kw_src_table(ctx, st, 3, name, &r->table) < 0)
			return -1;
	} else if (kw_nargs(ctx, st, 3, 0, 0, name) < 0) {
		return -1;
	}
	kw_tcp_append(w->id == TCP_CONNECTION ? &ctx->px->tcp_conn :
	    &ctx->px->tcp_content, r);
	return 0;
}

/*
 * The key of a stick rule: src, or hdr(name) (req.hdr(name) too). Sets
 * r->key and r->key_arg; returns 0, or -1 after an error.
 */
static int
kw_stick_key(struct kw_ctx *ctx, const struct conf_word *w,
    const char *name, struct conf_stick_rule *r)
{
	const char *p = w->s;
	size_t n;

	if (conf_word_is(w, "src")) {
		r->key = STICK_KEY_SRC;
		return 0;
	}
	if (strncmp(p, "req.", 4) == 0)
		p += 4;
	n = strlen(p);
	if (strncmp(p, "hdr(", 4) != 0 || n < 6 || p[n - 1] != ')') {
		diag_error(ctx->d, &w->loc, "'%s': key '%s' %s (weir keys on "
		    "'src', the client's address, or 'hdr(name)')", name,
		    w->s, KW_LATER);
		return -1;
	}
	r->key = STICK_KEY_HDR;
	r->key_arg = arena_strndup(&ctx->c->arena, p + 4, n - 5);
	return r->key_arg != NULL ? 0 : -1;
}

/*
 * stick on|match|store-request src|hdr(name) [table T] [if|unless COND]:
 * the server a client went to, kept in a stick table, takes it there
 * again.
 */
static int
kw_stick(struct kw_ctx *ctx, const struct kw *kw, const struct conf_stmt *st)
{
	/* clang-format off */
	static const struct kw_sub subs[] = {
		{ "match",		0, STICK_MATCH, 0, NULL },
		{ "on",			0, STICK_MATCH | STICK_STORE, 0, NULL },
		{ "store-request",	0, STICK_STORE, 0, NULL },
		{ "store-response",	0, 0, 0, KW_LATER },
	};
	/* clang-format on */
	const struct kw_sub *s;
	struct conf_stick_rule *r, **pp;
	char name[64];

	if (st->nwords < 2) {
		diag_error(ctx->d, &st->loc, "'stick' needs 'on', 'match' or "
		    "'store-request' and a key");
		return -1;
	}
	s = kw_sub_find(ctx, &st->words[1], "stick", subs, NELEM(subs));
	if (s == NULL)
		return -1;
	snprintf(name, sizeof(name), "stick %s", s->name);
	r = arena_alloc(&ctx->c->arena, sizeof(*r));
	if (r == NULL)
		return -1;
	r->loc = st->loc;
	r->what = (unsigned)s->id;
	r->cond = st->cond;
	if (kw_nargs(ctx, st, 2, 1, 3, name) < 0 ||
	    kw_stick_key(ctx, &st->words[2], name, r) < 0)
		return -1;
	if (st->nwords == 5 && conf_word_is(&st->words[3], "table")) {
		if ((r->table = kw_dup(ctx, &st->words[4])) == NULL)
			return -1;
	} else if (st->nwords != 3) {
		diag_error(ctx->d, &st->words[3].loc, "'%s %s' takes only "
		    "'table NAME' after it", name, st->words[2].s);
		return -1;
	}
	for (pp = &ctx->px->stick; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = r;
	return 0;
}

#define POFF(f) offsetof(struct conf_proxy, f)

/* clang-format off */
const struct kw kw_proxy_table[] = {
	{ "acl",		KS_FE | KS_BE,		kw_acl, 0, 0, 0, NULL },
	{ "balance",		KS_DEF | KS_BE,		kw_balance, 0, 0, 0, NULL },
	{ "bind",		KS_FE,			kw_bind, 0, 0, 0, NULL },
	{ "capture",		KS_FE,			NULL, 0, 0, 0, KW_LATER },
	{ "clitimeout",		KS_PX,			NULL, 0, 0, 0, "is not supported by weir: use 'timeout client'" },
	{ "compression",	KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "contimeout",		KS_PX,			NULL, 0, 0, 0, "is not supported by weir: use 'timeout connect'" },
	{ "cookie",		KS_DEF | KS_BE,		kw_cookie, 0, 0, 0, NULL },
	{ "default-server",	KS_DEF | KS_BE,		kw_default_server, 0, 0, 0, NULL },
	{ "default_backend",	KS_DEF | KS_FE,		kw_default_backend, 0, 0, 0, NULL },
	{ "description",	KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "disabled",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "dispatch",		KS_BE,			NULL, 0, 0, 0, "is not supported by weir: use a 'server' line" },
	{ "enabled",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "errorfile",		KS_PX,			kw_errorfile, 0, 0, 0, NULL },
	{ "errorloc",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "errorloc302",	KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "errorloc303",	KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "filter",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "fullconn",		KS_DEF | KS_BE,		NULL, 0, 0, 0, KW_LATER },
	{ "hash-type",		KS_DEF | KS_BE,		kw_hash_type, 0, 0, 0, NULL },
	{ "http-after-response", KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "http-check",		KS_DEF | KS_BE,		kw_http_check, 0, 0, 0, NULL },
	{ "http-request",	KS_FE | KS_BE | KW_COND, kw_http_request, 0, 0, 0, NULL },
	{ "http-response",	KS_FE | KS_BE | KW_COND, kw_http_response, 0, 0, 0, NULL },
	{ "http-reuse",		KS_DEF | KS_BE,		NULL, 0, 0, 0, KW_LATER },
	{ "id",			KS_FE | KS_BE,		NULL, 0, 0, 0, KW_LATER },
	{ "log",		KS_PX,			kw_log, 0, 0, 0, NULL },
	{ "log-format",		KS_DEF | KS_FE,		NULL, 0, 0, 0, KW_LATER },
	{ "log-tag",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "maxconn",		KS_DEF | KS_FE,		kw_set_uint, POFF(maxconn), 0, 1000000, NULL },
	{ "mode",		KS_PX,			kw_mode, 0, 0, 0, NULL },
	{ "monitor-uri",	KS_DEF | KS_FE,		kw_monitor_uri, 0, 0, 0, NULL },
	{ "no",			KS_PX,			kw_no, 0, 0, 0, NULL },
	{ "option",		KS_PX,			kw_option, 0, 0, 0, NULL },
	{ "rate-limit",		KS_DEF | KS_FE,		NULL, 0, 0, 0, KW_LATER },
	{ "redirect",		KS_FE | KS_BE,		NULL, 0, 0, 0, "is not supported by weir: use 'http-request redirect'" },
	{ "retries",		KS_DEF | KS_BE,		kw_retries, POFF(retries), 0, 100, NULL },
	{ "retry-on",		KS_DEF | KS_BE,		kw_retry_on, 0, 0, 0, NULL },
	{ "server",		KS_BE,			kw_server, 0, 0, 0, NULL },
	{ "source",		KS_PX,			NULL, 0, 0, 0, KW_LATER },
	{ "srvtimeout",		KS_PX,			NULL, 0, 0, 0, "is not supported by weir: use 'timeout server'" },
	{ "stats",		KS_PX | KW_COND,	kw_proxy_stats, 0, 0, 0, NULL },
	{ "stick",		KS_BE | KW_COND,	kw_stick, 0, 0, 0, NULL },
	{ "stick-table",	KS_DEF | KS_FE | KS_BE,	kw_stick_table, 0, 0, 0, NULL },
	{ "tcp-check",		KS_DEF | KS_BE,		kw_tcp_check, 0, 0, 0, NULL },
	{ "tcp-request",	KS_DEF | KS_FE | KW_COND, kw_tcp_request, 0, 0, 0, NULL },
	{ "tcp-response",	KS_BE,			NULL, 0, 0, 0, KW_LATER },
	{ "timeout",		KS_PX,			kw_timeout, 0, 0, 0, NULL },
	{ "unique-id-format",	KS_DEF | KS_FE,		NULL, 0, 0, 0, KW_LATER },
	{ "unique-id-header",	KS_DEF | KS_FE,		NULL, 0, 0, 0, KW_LATER },
	{ "use-server",		KS_BE,			NULL, 0, 0, 0, KW_LATER },
	{ "use_backend",	KS_FE | KW_COND,	kw_use_backend, 0, 0, 0, NULL },
};
/* clang-format on */
const size_t kw_proxy_count = NELEM(kw_proxy_table);

/* ---- sections ---------------------------------------------------------- */

/* The built-in defaults every defaults section starts from. */
static void
kw_proxy_builtin(struct conf_proxy *px)
{
	memset(px, 0, sizeof(*px));
	px->mode = PX_MODE_TCP;
	px->retries = 3;
	px->balance = LB_ROUNDROBIN;
	px->defsrv.weight = 1;
	px->defsrv.fall = 3;
	px->defsrv.rise = 2;
	px->defsrv.inter_ms = 2000;
	px->defsrv.error_limit = 10;
	px->defsrv.cooldown_ms = 10000;
	px->defsrv.half_open = 1;
	px->retry_on = RETRY_CONN_FAILURE;
}

static void
kw_inherit_origin(struct conf_origin *o)
{
	if (o->set)
		o->inherited = true;
}

/* Start a proxy from the defaults before it, as HAProxy does. */
static struct conf_proxy *
kw_proxy_new(struct kw_ctx *ctx, const struct conf_section *sec)
{
	struct conf_proxy *px;
	struct conf_log *l, **lp;
	struct conf_errorfile *e, **ep;
	unsigned i;

	px = arena_alloc(&ctx->c->arena, sizeof(*px));
	if (px == NULL)
		return NULL;
	if (sec->kind == SEC_KIND_DEFAULTS || ctx->defaults == NULL) {
		kw_proxy_builtin(px);
	} else {
		*px = *ctx->defaults;
		px->tcpchk_own = false;	/* its first rule starts a new list */
		kw_inherit_origin(&px->mode_origin);
		kw_inherit_origin(&px->retries_origin);
		kw_inherit_origin(&px->balance_origin);
		for (i = 0; i < TO__COUNT; i++)
			kw_inherit_origin(&px->timeout_origin[i]);
		for (i = 0; i < OPT__COUNT; i++)
			kw_inherit_origin(&px->opt_origin[i]);
		/* lists are copied so the proxy's additions stay its own */
		px->logs = NULL;
		lp = &px->logs;
		for (l = ctx->defaults->logs; l != NULL; l = l->next) {
			if ((*lp = arena_alloc(&ctx->c->arena,
			    sizeof(**lp))) == NULL)
				return NULL;
			**lp = *l;
			(*lp)->next = NULL;
			lp = &(*lp)->next;
		}
		px->errorfiles = NULL;
		ep = &px->errorfiles;
		for (e = ctx->defaults->errorfiles; e != NULL; e = e->next) {
			if ((*ep = arena_alloc(&ctx->c->arena,
			    sizeof(**ep))) == NULL)
				return NULL;
			**ep = *e;
			(*ep)->next = NULL;
			ep = &(*ep)->next;
		}
		if (kw_tcp_copy(ctx, &px->tcp_conn) < 0 ||
		    kw_tcp_copy(ctx, &px->tcp_content) < 0)
			return NULL;
	}
	px->next = NULL;
	px->loc = sec->header->loc;
	px->name = sec->header->nwords > 1 ? sec->header->words[1].s : "";
	switch (sec->kind) {
	case SEC_KIND_DEFAULTS:
		px->cap = PX_CAP_DEF;
		break;
	case SEC_KIND_FRONTEND:
		px->cap = PX_CAP_FE;
		break;
	case SEC_KIND_BACKEND:
		px->cap = PX_CAP_BE;
		break;
	default:
		px->cap = PX_CAP_FE | PX_CAP_BE;
		break;
	}
	return px;
}

static void
kw_stmt(struct kw_ctx *ctx, const struct conf_stmt *st, const struct kw *tbl,
    size_t n)
{
	const struct conf_word *w = &st->words[0];
	const struct kw *kw = kw_lookup(tbl, n, sizeof(*tbl), w->s);
	unsigned i;

	/* a word already reported wrong would only bring more errors */
	for (i = 0; i < st->nwords; i++)
		if (st->words[i].flags & CONF_W_BROKEN)
			return;

	if (kw == NULL) {
		const struct kw *other;

		/* a keyword of the other kind of section says so */
		other = ctx->px ? kw_lookup(kw_global_table, kw_global_count,
		    sizeof(*tbl), w->s) : kw_lookup(kw_proxy_table,
		    kw_proxy_count, sizeof(*tbl), w->s);
		if (other != NULL && !(w->flags & CONF_W_QUOTED)) {
			diag_error(ctx->d, &w->loc, "keyword '%s' is not "
			    "allowed in %s (only in %s)", w->s, ctx->where,
			    ctx->px ? "the global section" :
			    "proxy sections");
			return;
		}
		kw_unknown(ctx, w, "keyword", tbl, n, sizeof(*tbl));
		return;
	}
	if (kw->fn == NULL) {
		diag_error(ctx->d, &w->loc, "'%s' %s", w->s, kw->hint);
		return;
	}
	if (!(kw->secs & ctx->sec)) {
		diag_error(ctx->d, &w->loc,
		    "keyword '%s' is not allowed in %s (only in %s)", w->s,
		    ctx->where, kw_sec_list(kw->secs));
		return;
	}
	if (st->cond != NULL && !(kw->secs & KW_COND)) {
		diag_error(ctx->d, &st->cond->loc,
		    "'%s' takes no condition", w->s);
		return;
	}
	kw->fn(ctx, kw, st);
}

int
kw_apply(struct conf *c, struct diag *d)
{
	struct kw_ctx ctx;
	const struct conf_section *sec;
	const struct conf_stmt *st;
	struct conf_proxy **tail = &c->proxies;
	unsigned nerr = d->nerr;

	memset(&ctx, 0, sizeof(ctx));
	ctx.c = c;
	ctx.d = d;
	for (sec = c->sections; sec != NULL; sec = sec->next) {
		const struct kw *tbl = kw_proxy_table;
		size_t n = kw_proxy_count;

		ctx.px = NULL;
		switch (sec->kind) {
		case SEC_KIND_GLOBAL:
			ctx.sec = KS_GLOBAL;
			tbl = kw_global_table;
			n = kw_global_count;
			snprintf(ctx.where, sizeof(ctx.where),
			    "the global section");
			break;
		case SEC_KIND_DEFAULTS:
			ctx.sec = KS_DEF;
			break;
		case SEC_KIND_FRONTEND:
			ctx.sec = KS_FE;
			break;
		case SEC_KIND_BACKEND:
			ctx.sec = KS_BE;
			break;
		case SEC_KIND_LISTEN:
			ctx.sec = KS_FE | KS_BE;
			break;
		case SEC_KIND_OTHER:
			continue;	/* reported by conf_sections() */
		}
		/* a proxy with no name was reported; its lines would mislead */
		if (sec->kind != SEC_KIND_GLOBAL &&
		    sec->kind != SEC_KIND_DEFAULTS && sec->header->nwords < 2)
			continue;
		if (sec->kind != SEC_KIND_GLOBAL) {
			ctx.px = kw_proxy_new(&ctx, sec);
			if (ctx.px == NULL) {
				diag_error(d, &sec->header->loc,
				    "out of memory");
				return -1;
			}
			if (ctx.px->name[0] != '\0')
				snprintf(ctx.where, sizeof(ctx.where),
				    "%s '%s'", conf_sec_kind_str(sec->kind),
				    ctx.px->name);
			else
				snprintf(ctx.where, sizeof(ctx.where),
				    "the defaults section");
		}
		for (st = sec->stmts; st != NULL; st = st->next)
			kw_stmt(&ctx, st, tbl, n);
		if (sec->kind == SEC_KIND_DEFAULTS) {
			ctx.defaults = ctx.px;
		} else if (ctx.px != NULL) {
			*tail = ctx.px;
			tail = &ctx.px->next;
			c->nproxies++;
		}
	}
	if (c->arena.oom) {
		diag_error(d, NULL, "out of memory");
		return -1;
	}
	return d->nerr == nerr ? 0 : -1;
}
