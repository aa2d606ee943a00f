#include "config.h"

#include "conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../grammar/lex-ctx.h"

struct conf_wnode {
	struct conf_wnode *next;
	struct conf_word *w;
};

struct conf_wlist {
	struct conf_wnode *head, *tail;
	unsigned n;
};

/* The files being included, to refuse a cycle. */
struct conf_incl {
	const struct conf_incl *up;
	const char *real;
	unsigned depth;
};

static int conf_parse_file(struct conf *, const char *, struct diag *,
    const struct conf_incl *, const struct loc *, struct conf_stmt **);
static void conf_sections(struct conf *, struct diag *);

static const char *
conf_default_getenv(void *arg, const char *name)
{
	return getenv(name);
}

struct conf *
conf_new(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	arena_init(&c->arena);
	c->getenv = conf_default_getenv;
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	arena_reset(&c->arena);
	free(c);
}

const char *
conf_sec_kind_str(enum conf_sec_kind k)
{
	switch (k) {
	case SEC_KIND_GLOBAL:
		return "global";
	case SEC_KIND_DEFAULTS:
		return "defaults";
	case SEC_KIND_FRONTEND:
		return "frontend";
	case SEC_KIND_BACKEND:
		return "backend";
	case SEC_KIND_LISTEN:
		return "listen";
	case SEC_KIND_OTHER:
		break;
	}
	return "section";
}

/* ---- actions of the parser --------------------------------------------- */

void
conf_lex_error(struct lex_ctx *ctx, const struct loc *loc, const char *fmt,
    ...)
{
	va_list ap;
	char *msg = NULL;

	if (ctx->give_up)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_error(ctx->diag, loc, "%s", msg ? msg : "out of memory");
	free(msg);
	/* words of this line would only bring more errors */
	ctx->line_broken = true;
	ctx->wflags |= CONF_W_BROKEN;
	if (++ctx->nerrors >= LEX_MAX_ERRORS) {
		struct loc l = { ctx->file, ctx->line, ctx->col };

		diag_error(ctx->diag, &l,
		    "too many errors, the rest of the file is skipped");
		ctx->give_up = true;
	}
}

static void
conf_oom(struct lex_ctx *ctx)
{
	struct loc l = { ctx->file, 0, 0 };

	if (!ctx->give_up)
		diag_error(ctx->diag, &l, "out of memory");
	ctx->give_up = true;
}

struct conf_wlist *
conf_wlist_add(struct lex_ctx *ctx, struct conf_wlist *l, struct conf_word *w)
{
	struct conf_wnode *n;

	if (w == NULL)
		return l;
	if (l == NULL && (l = arena_alloc(ctx->arena, sizeof(*l))) == NULL) {
		conf_oom(ctx);
		return NULL;
	}
	if ((n = arena_alloc(ctx->arena, sizeof(*n))) == NULL) {
		conf_oom(ctx);
		return l;
	}
	n->w = w;
	if (l->tail != NULL)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
	l->n++;
	return l;
}

/* The words of l as one array; a section header's kind moves first. */
static struct conf_word *
conf_wlist_array(struct lex_ctx *ctx, const struct conf_wlist *l,
    bool last_first)
{
	struct conf_word *a;
	const struct conf_wnode *n;
	unsigned i = 0;

	a = arena_alloc(ctx->arena, sizeof(*a) * l->n);
	if (a == NULL) {
		conf_oom(ctx);
		return NULL;
	}
	if (last_first)
		a[i++] = *l->tail->w;
	for (n = l->head; n != NULL && i < l->n; n = n->next)
		a[i++] = *n->w;
	return a;
}

struct conf_term *
conf_term_new(struct lex_ctx *ctx, struct conf_word *name,
    struct conf_wlist *anon, const struct loc *loc)
{
	struct conf_term *t = arena_alloc(ctx->arena, sizeof(*t));

	if (t == NULL) {
		conf_oom(ctx);
		return NULL;
	}
	t->loc = *loc;
	t->name = name;
	if (anon != NULL) {
		t->words = conf_wlist_array(ctx, anon, false);
		t->nwords = t->words ? anon->n : 0;
	}
	return t;
}

struct conf_and *
conf_and_add(struct lex_ctx *ctx, struct conf_and *a, struct conf_term *t)
{
	struct conf_term **pp;

	if (a == NULL && (a = arena_alloc(ctx->arena, sizeof(*a))) == NULL) {
		conf_oom(ctx);
		return NULL;
	}
	if (t == NULL)
		return a;
	for (pp = &a->terms; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = t;
	return a;
}

struct conf_cond *
conf_cond_add(struct lex_ctx *ctx, struct conf_cond *c, struct conf_and *a)
{
	struct conf_and **pp;

	if (c == NULL && (c = arena_alloc(ctx->arena, sizeof(*c))) == NULL) {
		conf_oom(ctx);
		return NULL;
	}
	if (a == NULL)
		return c;
	for (pp = &c->alts; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = a;
	return c;
}

void
conf_add_stmt(struct lex_ctx *ctx, enum conf_stmt_kind kind,
    struct conf_wlist *words, struct conf_cond *cond)
{
	struct conf_stmt *st;

	if (words == NULL || words->n == 0)
		return;
	st = arena_alloc(ctx->arena, sizeof(*st));
	if (st == NULL) {
		conf_oom(ctx);
		return;
	}
	st->kind = kind;
	/* A section header's kind word was added last by the grammar. */
	st->words = conf_wlist_array(ctx, words, kind == CONF_SECTION);
	if (st->words == NULL)
		return;
	st->nwords = words->n;
	st->loc = st->words[0].loc;
	st->cond = cond;
	*ctx->tail = st;
	ctx->tail = &st->next;
}

/* ---- files and includes ------------------------------------------------ */

/* Read the whole file into a malloc'd buffer, or say why not in *err. */
static char *
conf_read(const char *path, size_t *lenp, const char **err)
{
	FILE *f;
	struct stat sb;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	*err = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		*err = strerror(errno);
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		*err = S_ISDIR(sb.st_mode) ? "is a directory" :
		    "not a regular file";
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap >= CONF_MAX_FILE_BYTES) {
				*err = "file larger than 64 MiB";
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				*err = "out of memory";
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				*err = strerror(errno);
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	*lenp = len;
	return buf ? buf : calloc(1, 1);
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/* Parse text into a list of statements, following includes. */
static int
conf_parse_text(struct conf *c, const char *file, const char *text,
    size_t len, struct diag *d, const struct conf_incl *incl,
    struct conf_stmt **out)
{
	struct lex_ctx ctx;
	struct conf_stmt *st, **pp;
	unsigned nerr = d->nerr;

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = c;
	ctx.arena = &c->arena;
	ctx.diag = d;
	ctx.file = file;
	ctx.tail = &ctx.head;
	if (lex_scan(&ctx, text, len) < 0 && d->nerr == nerr) {
		struct loc l = { file, 0, 0 };

		diag_error(d, &l, "out of memory");
	}

	/* Splice each include's statements in its place. */
	for (pp = &ctx.head; (st = *pp) != NULL;) {
		struct conf_stmt *sub = NULL, *last;
		const char *dir_end;
		char *path;

		if (st->kind != CONF_STMT || !conf_word_is(&st->words[0],
		    "include")) {
			pp = &st->next;
			continue;
		}
		*pp = st->next;
		if (st->nwords != 2 || st->cond != NULL) {
			diag_error(d, &st->loc,
			    "'include' takes exactly one file name");
			continue;
		}
		dir_end = strrchr(file, '/');
		if (st->words[1].s[0] == '/' || dir_end == NULL)
			path = arena_strdup(&c->arena, st->words[1].s);
		else
			path = arena_printf(&c->arena, "%.*s/%s",
			    (int)(dir_end - file), file, st->words[1].s);
		if (path == NULL) {
			diag_error(d, &st->loc, "out of memory");
			continue;
		}
		conf_parse_file(c, path, d, incl, &st->words[1].loc, &sub);
		if (sub == NULL)
			continue;
		for (last = sub; last->next != NULL; last = last->next)
			;
		last->next = *pp;
		*pp = sub;
		pp = &last->next;
	}
	*out = ctx.head;
	return d->nerr == nerr ? 0 : -1;
}

static int
conf_parse_file(struct conf *c, const char *path, struct diag *d,
    const struct conf_incl *up, const struct loc *from,
    struct conf_stmt **out)
{
	struct conf_incl me;
	const struct conf_incl *i;
	char real[PATH_MAX];
	const char *err, *file;
	char *text;
	size_t len;
	int r;
	struct loc whole = { path, 0, 0 };
	const struct loc *at = from ? from : &whole;

	*out = NULL;
	if (realpath(path, real) == NULL) {
		diag_error(d, at, from ? "cannot include '%s': %s" :
		    "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (i = up; i != NULL; i = i->up) {
		if (strcmp(i->real, real) == 0) {
			diag_error(d, at, "'%s' includes itself", path);
			return -1;
		}
	}
	if (up != NULL && up->depth >= CONF_MAX_INCLUDE_DEPTH) {
		diag_error(d, at, "includes nested deeper than %d",
		    CONF_MAX_INCLUDE_DEPTH);
		return -1;
	}
	text = conf_read(path, &len, &err);
	if (text == NULL) {
		diag_error(d, at, from ? "cannot include '%s': %s" :
		    "cannot read '%s': %s", path, err);
		return -1;
	}
	file = arena_strdup(&c->arena, path);
	if (file == NULL) {
		free(text);
		diag_error(d, at, "out of memory");
		return -1;
	}
	me.up = up;
	me.real = real;
	me.depth = up ? up->depth + 1 : 0;
	r = conf_parse_text(c, file, text, len, d, &me, out);
	free(text);
	return r;
}

static int
conf_finish(struct conf *c, struct diag *d, unsigned nerr)
{
	conf_sections(c, d);
	return d->nerr == nerr ? 0 : -1;
}

int
conf_load_file(struct conf *c, const char *path, struct diag *d)
{
	unsigned nerr = d->nerr;

	conf_parse_file(c, path, d, NULL, NULL, &c->stmts);
	return conf_finish(c, d, nerr);
}

int
conf_load_string(struct conf *c, const char *name, const char *text,
    size_t len, struct diag *d)
{
	unsigned nerr = d->nerr;
	const char *file = arena_strdup(&c->arena, name);
	struct conf_incl me = { NULL, name, 0 };

	if (file == NULL) {
		diag_error(d, NULL, "out of memory");
		return -1;
	}
	conf_parse_text(c, file, text, len, d, &me, &c->stmts);
	return conf_finish(c, d, nerr);
}

/* ---- sections ---------------------------------------------------------- */

static enum conf_sec_kind
conf_sec_kind(const char *w)
{
	static const char *const names[] = {
		[SEC_KIND_GLOBAL] = "global",
		[SEC_KIND_DEFAULTS] = "defaults",
		[SEC_KIND_FRONTEND] = "frontend",
		[SEC_KIND_BACKEND] = "backend",
		[SEC_KIND_LISTEN] = "listen",
	};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(w, names[i]) == 0)
			return (enum conf_sec_kind)i;
	return SEC_KIND_OTHER;
}

/* Group the statement list into sections and check their headers. */
static void
conf_sections(struct conf *c, struct diag *d)
{
	struct conf_stmt *st, *next, **stail = NULL;
	struct conf_section *sec = NULL, **tail = &c->sections;
	bool warned_outside = false;

	for (st = c->stmts; st != NULL; st = next) {
		next = st->next;
		if (st->kind == CONF_STMT) {
			if (sec == NULL) {
				if (!warned_outside)
					diag_error(d, &st->loc,
					    "'%s' is outside of any section",
					    st->words[0].s);
				warned_outside = true;
				continue;
			}
			/* The tree keeps its own chain per section. */
			*stail = st;
			stail = &st->next;
			*stail = NULL;
			sec->nstmts++;
			continue;
		}
		sec = arena_alloc(&c->arena, sizeof(*sec));
		if (sec == NULL) {
			diag_error(d, &st->loc, "out of memory");
			return;
		}
		sec->kind = conf_sec_kind(st->words[0].s);
		sec->header = st;
		stail = &sec->stmts;
		*tail = sec;
		tail = &sec->next;
		c->nsections++;
		warned_outside = false;
		switch (sec->kind) {
		case SEC_KIND_GLOBAL:
			if (st->nwords > 1)
				diag_error(d, &st->words[1].loc,
				    "'global' takes no name");
			break;
		case SEC_KIND_DEFAULTS:
			if (st->nwords > 2)
				diag_error(d, &st->words[2].loc,
				    "'defaults' takes at most a name");
			break;
		case SEC_KIND_FRONTEND:
		case SEC_KIND_BACKEND:
		case SEC_KIND_LISTEN:
			if (st->nwords < 2)
				diag_error(d, &st->loc, "'%s' needs a name",
				    st->words[0].s);
			else if (st->nwords > 2)
				diag_error(d, &st->words[2].loc,
				    "'%s' takes one name, got '%s' too",
				    st->words[0].s, st->words[2].s);
			break;
		case SEC_KIND_OTHER:
			diag_error(d, &st->loc,
			    "section '%s' is not supported by weir",
			    st->words[0].s);
			break;
		}
	}
	/* c->stmts is no longer a valid chain: sections own the statements */
	c->stmts = NULL;
}
