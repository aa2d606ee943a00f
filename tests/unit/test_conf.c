/*
 * The conf tree: lexer, grammar, sections, includes. These tests parse
 * only (conf_load_string and conf_load_file), so the keyword tables and
 * verify say nothing, except where a test says it runs every pass.
 */
#include "config.h"

#include <stdbool.h>

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "graph.h"
#include "unit.h"

#define OUT_SIZE 16384

/* Allocated once, so no size is known to the compiler's format checks. */
static char *out;

/* Whether the last message says the rest of the file was skipped. */
static bool
ends_with_give_up(const char *text)
{
	static const char tail[] =
	    ": error: too many errors, the rest of the file is skipped\n";
	size_t n = strlen(text), t = sizeof(tail) - 1;

	return n >= t && strcmp(text + n - t, tail) == 0;
}

static void
format_all(struct diag *d)
{
	const struct diag_msg *m;
	size_t off = 0;

	if (out == NULL && (out = malloc(OUT_SIZE)) == NULL)
		abort();
	diag_sort(d);
	out[0] = '\0';
	for (m = d->head; m != NULL && off < OUT_SIZE - 1; m = m->next) {
		int n = diag_format(m, out + off, OUT_SIZE - off);

		if (n < 0 || (size_t)n >= OUT_SIZE - off - 1)
			break;
		off += (size_t)n;
		out[off++] = '\n';
		out[off] = '\0';
	}
}

/* The environment ${VAR} sees in these tests. */
static const char *
test_env(void *arg, const char *name)
{
	static const char *const vars[][2] = {
		{ "HOST", "10.0.0.1" },
		{ "PORT", "8080" },
		{ "EMPTY", "" },
		{ "SPACED", "a b" },
	};
	size_t i;

	EXPECT_STR((const char *)arg, "test-arg");
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strcmp(name, vars[i][0]) == 0)
			return vars[i][1];
	return NULL;
}

static unsigned last_nerr;
static int last_ret;

/* Parse len bytes of text as "t.conf"; out holds the messages. */
static struct conf *
parse_n(const char *text, size_t len)
{
	struct conf *c = conf_new();
	struct diag d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->getenv = test_env;
	c->getenv_arg = "test-arg";
	diag_init(&d);
	last_ret = conf_load_string(c, "t.conf", text, len, &d);
	last_nerr = d.nerr;
	format_all(&d);
	diag_reset(&d);
	return c;
}

static struct conf *
parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* The messages of parsing text. */
static const char *
diags(const char *text)
{
	conf_free(parse(text));
	return out;
}

static const char *
diags_n(const char *text, size_t len)
{
	conf_free(parse_n(text, len));
	return out;
}

/* Load the file path; out holds the messages. */
static struct conf *
load_file(const char *path)
{
	struct conf *c = conf_new();
	struct diag d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	diag_init(&d);
	last_ret = conf_load_file(c, path, &d);
	last_nerr = d.nerr;
	format_all(&d);
	diag_reset(&d);
	return c;
}

/* The words of a statement as "[a] [b c]", for comparisons. */
static const char *
words(const struct conf_stmt *st)
{
	static char buf[1024];
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	if (st == NULL)
		return "(no statement)";
	for (i = 0; i < st->nwords && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s[%s]",
		    i ? " " : "", st->words[i].s);
	return buf;
}

/* The nth statement of the first section. */
static const struct conf_stmt *
stmt(const struct conf *c, unsigned n)
{
	const struct conf_stmt *st;

	if (c->sections == NULL)
		return NULL;
	for (st = c->sections->stmts; st != NULL && n > 0; st = st->next)
		n--;
	return st;
}

/* The first statement of a global section holding text. */
static const char *
first_words(const char *text)
{
	static char buf[1024];
	struct conf *c = parse(text);

	snprintf(buf, sizeof(buf), "%s", words(stmt(c, 0)));
	conf_free(c);
	return buf;
}

/* ---- files ------------------------------------------------------------- */

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* ---- words ------------------------------------------------------------- */

static void
test_words_blanks(void)
{
	EXPECT_STR(first_words("global\n  a  b\tc \f d\v e\n"),
	    "[a] [b] [c] [d] [e]");
}

static void
test_words_locations(void)
{
	struct conf *c = parse("global\n\tpidfile  /x\n");
	const struct conf_stmt *st = stmt(c, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	EXPECT_INT(st->loc.line, 2);
	EXPECT_INT(st->loc.col, 2);
	EXPECT_INT(st->words[1].loc.line, 2);
	EXPECT_INT(st->words[1].loc.col, 11);
	EXPECT_STR(st->words[1].loc.file, "t.conf");
	conf_free(c);
}

static void
test_double_quotes(void)
{
	struct conf *c = parse("global\n  a \"x y\" b\n");
	const struct conf_stmt *st = stmt(c, 0);

	EXPECT_STR(words(st), "[a] [x y] [b]");
	EXPECT_INT(st->words[1].len, 3);
	EXPECT_INT(st->words[1].flags, CONF_W_QUOTED);
	EXPECT_INT(st->words[2].flags, 0);
	conf_free(c);
}

static void
test_single_quotes(void)
{
	EXPECT_STR(first_words("global\n  a 'x y' '\\x41\\n' '${HOST}'\n"),
	    "[a] [x y] [\\x41\\n] [${HOST}]");
}

static void
test_mixed_parts(void)
{
	struct conf *c = parse("global\n  a\"b\"'c'd x\"\"y\n");
	const struct conf_stmt *st = stmt(c, 0);

	EXPECT_STR(words(st), "[abcd] [xy]");
	EXPECT_INT(st->words[0].flags, CONF_W_QUOTED);
	conf_free(c);
}

static void
test_empty_quoted(void)
{
	struct conf *c = parse("global\n  a \"\" ''\n");
	const struct conf_stmt *st = stmt(c, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	EXPECT_INT(st->nwords, 3);
	EXPECT_INT(st->words[1].len, 0);
	EXPECT_STR(st->words[2].s, "");
	conf_free(c);
}

static void
test_escapes(void)
{
	EXPECT_STR(first_words("global\n  a\\ b \"x\\\"y\" \\x41\\x4a "
	    "\"\\x42\" \\q \\#\n"), "[a b] [x\"y] [AJ] [B] [\\q] [#]");
	/* what is no escape keeps its backslash: "\1" in a replacement */
	EXPECT_STR(first_words("global\n  a /\\1 \"\\2\" \\\\3\n"),
	    "[a] [/\\1] [\\2] [\\3]");
	EXPECT_STR(first_words("global\n  \"\\t|\\n|\\r\"\n"),
	    "[\t|\n|\r]");
	EXPECT_STR(diags("global\n  a\\ b \"x\\\"y\"\n"), "");
}

static void
test_escape_nul(void)
{
	EXPECT_STR(diags("global\n  a \"b\\x00c\"\n"),
	    "t.conf:2:5: error: \\x00 in a word\n");
	EXPECT_STR(first_words("global\n  a b\\x00c\n"), "[a] [bc]");
}

static void
test_trailing_backslash(void)
{
	/* no line continuation: a backslash at the end is itself */
	EXPECT_STR(first_words("global\n  a b\\\n  c\n"), "[a] [b\\]");
}

/* ---- variables --------------------------------------------------------- */

static void
test_env_expanded(void)
{
	EXPECT_STR(first_words("global\n  a ${HOST}:${PORT} \"${HOST} x\" "
	    "'${HOST}'\n"), "[a] [10.0.0.1:8080] [10.0.0.1 x] [${HOST}]");
}

static void
test_env_one_word(void)
{
	/* a value with a blank stays one word */
	EXPECT_STR(first_words("global\n  a ${SPACED} b${EMPTY}c\n"),
	    "[a] [a b] [bc]");
}

static void
test_env_default(void)
{
	EXPECT_STR(first_words("global\n  a ${NOPE-def} ${HOST-def} "
	    "${NOPE-} \"${NOPE-x y}\" ${EMPTY-d}\n"),
	    "[a] [def] [10.0.0.1] [] [x y] []");
	EXPECT_STR(diags("global\n  a ${NOPE-def}\n"), "");
}

static void
test_env_unset(void)
{
	EXPECT_STR(diags("global\n  a ${NOPE}\n  b x${NOPE2}y \"${NOPE3}\"\n"),
	    "t.conf:2:5: error: environment variable 'NOPE' is not set\n"
	    "t.conf:3:6: error: environment variable 'NOPE2' is not set\n"
	    "t.conf:3:17: error: environment variable 'NOPE3' is not set\n");
	EXPECT_INT(last_ret, -1);
}

static void
test_env_not_a_variable(void)
{
	EXPECT_STR(first_words("global\n  a $HOST ${1x} $ ${ x$\n"),
	    "[a] [$HOST] [${1x}] [$] [${] [x$]");
	EXPECT_STR(diags("global\n  a $HOST ${1x}\n"), "");
}

static void
test_env_getenv(void)
{
	const char *got, *want;

	/* the default conf reads getenv(3), through every pass */
	setenv("WEIR_TEST_PIDFILE", "/run/t.pid", 1);
	unsetenv("WEIR_TEST_UNSET");
	EXPECT_STR(unit_check("global\n  pidfile ${WEIR_TEST_PIDFILE}\n"), "");
	got = unit_check("global\n  pidfile ${WEIR_TEST_UNSET}\n");
	want = "t.conf:2:11: error: environment variable 'WEIR_TEST_UNSET' "
	    "is not set\n";
	EXPECT_TRUE(strncmp(got, want, strlen(want)) == 0);
	unsetenv("WEIR_TEST_PIDFILE");
}

/* ---- comments and lines ------------------------------------------------ */

static void
test_comments(void)
{
	struct conf *c = parse("# heading\nglobal # the global section\n"
	    "  # indented comment\n  a \"#d\" '#e' \\#f # tail\n"
	    "  b c#d \"e\"\n\n");

	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 1);
	EXPECT_INT(c->sections->nstmts, 2);
	EXPECT_STR(words(stmt(c, 0)), "[a] [#d] [#e] [#f]");
	/* even inside a word */
	EXPECT_STR(words(stmt(c, 1)), "[b] [c]");
	conf_free(c);
}

static void
test_crlf(void)
{
	struct conf *c = parse("global\r\n  a b\r\n  c \"d\"\r\n");

	EXPECT_STR(out, "");
	EXPECT_STR(words(stmt(c, 0)), "[a] [b]");
	EXPECT_STR(words(stmt(c, 1)), "[c] [d]");
	EXPECT_INT(stmt(c, 1)->loc.line, 3);
	conf_free(c);
}

static void
test_last_line(void)
{
	struct conf *c = parse("global\n  a b");

	EXPECT_STR(out, "");
	EXPECT_STR(words(stmt(c, 0)), "[a] [b]");
	conf_free(c);
	c = parse("global\n  a \"b c\"");
	EXPECT_STR(out, "");
	EXPECT_STR(words(stmt(c, 0)), "[a] [b c]");
	conf_free(c);
}

static void
test_empty_file(void)
{
	struct conf *c = parse("");

	EXPECT_STR(out, "");
	EXPECT_INT(last_ret, 0);
	EXPECT_INT(c->nsections, 0);
	CU_ASSERT_PTR_NULL(c->sections);
	conf_free(c);
	c = parse("\n\n   \n# only a comment\n");
	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 0);
	conf_free(c);
	/* every pass: nothing to say about nothing */
	EXPECT_STR(unit_check(""), "");
}

/* ---- bad bytes --------------------------------------------------------- */

static void
test_nul_byte(void)
{
	static const char text[] = "global\n  pidfile /a\0b\n  x \"c\0d\"\n";

	EXPECT_STR(diags_n(text, sizeof(text) - 1),
	    "t.conf:2:13: error: NUL byte in the file\n"
	    "t.conf:3:7: error: NUL byte in the file\n");
	EXPECT_INT(last_ret, -1);
}

static void
test_unterminated_quotes(void)
{
	struct conf *c = parse("global\n  a \"x y\n  b 'z\n  c d\n");

	EXPECT_STR(out, "t.conf:2:5: error: unterminated double quote\n"
	    "t.conf:3:5: error: unterminated single quote\n");
	/* the next line is read as usual */
	EXPECT_STR(words(stmt(c, 2)), "[c] [d]");
	conf_free(c);
	EXPECT_STR(diags("global\n  a \"x"),
	    "t.conf:2:5: error: unterminated double quote\n");
	EXPECT_STR(diags("global\n  a 'x"),
	    "t.conf:2:5: error: unterminated single quote\n");
}

/* Deterministic "random" bytes: xorshift32. */
static void
junk(unsigned char *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		buf[i] = (unsigned char)seed;
	}
}

static void
test_binary_junk(void)
{
	size_t len = 65536;
	unsigned char *buf = malloc(len);
	uint32_t seed;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	for (seed = 1; seed <= 3; seed++) {
		junk(buf, len, seed * 2654435761u);
		diags_n((const char *)buf, len);
		EXPECT_INT(last_ret, -1);
		EXPECT_TRUE(last_nerr > 0);
		/* the lexer stops after its cap; sections add one more */
		EXPECT_TRUE(last_nerr <= 52);
		EXPECT_TRUE(ends_with_give_up(out));
	}
	free(buf);
}

static void
test_binary_junk_every_pass(void)
{
	size_t len = 16384;
	unsigned char *buf = malloc(len);
	struct diag d;
	struct graph *g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	junk(buf, len, 12345);
	diag_init(&d);
	g = graph_load_string("t.conf", (const char *)buf, len, &d);
	CU_ASSERT_PTR_NULL(g);
	EXPECT_TRUE(d.nerr > 0);
	graph_unref(g);
	diag_reset(&d);
	free(buf);
}

static void
test_error_cap(void)
{
	char text[4096];
	size_t off = 0;
	unsigned i;

	off += (size_t)snprintf(text, sizeof(text), "global\n");
	for (i = 0; i < 60; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "  a \"x\n");
	diags(text);
	/* 50 errors, then one that says the rest is skipped */
	EXPECT_INT(last_nerr, 51);
	EXPECT_TRUE(strstr(out, "t.conf:51:5: error: unterminated double "
	    "quote\n") != NULL);
	EXPECT_TRUE(strstr(out, "t.conf:52:5:") == NULL);
	/* said where reading stopped: after the last error, so last */
	EXPECT_TRUE(strstr(out, "t.conf:51:") != NULL);
	EXPECT_TRUE(ends_with_give_up(out));
}

static void
test_long_word(void)
{
	size_t n = 10u << 20;
	char *text = malloc(n + 64);
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	memcpy(text, "global\n  pidfile ", 17);
	memset(text + 17, 'a', n);
	memcpy(text + 17 + n, "\n  b c\n", 8);
	c = parse(text);
	EXPECT_STR(out, "t.conf:2:11: error: word longer than 65536 bytes\n");
	/* the line after it is read as usual */
	EXPECT_STR(words(stmt(c, 1)), "[b] [c]");
	conf_free(c);
	free(text);
}

static void
test_long_line(void)
{
	size_t n = 10u << 20, i;
	char *text = malloc(n + 64);
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	memcpy(text, "global\n  a", 10);
	for (i = 10; i < n; i += 2)
		memcpy(text + i, " b", 2);
	memcpy(text + i, "\n", 2);
	c = parse(text);
	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(stmt(c, 0));
	EXPECT_INT(stmt(c, 0)->nwords, 1 + (n - 10) / 2);
	conf_free(c);
	free(text);
}

/* ---- sections ---------------------------------------------------------- */

static void
test_sections(void)
{
	struct conf *c = parse("global\n  a\ndefaults\nfrontend f\n  b\n  c\n"
	    "backend b\nlisten l\n  d\n");
	const struct conf_section *s;

	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 5);
	s = c->sections;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	EXPECT_INT(s->kind, SEC_KIND_GLOBAL);
	EXPECT_INT(s->nstmts, 1);
	s = s->next;
	EXPECT_INT(s->kind, SEC_KIND_DEFAULTS);
	EXPECT_INT(s->nstmts, 0);
	CU_ASSERT_PTR_NULL(s->stmts);
	s = s->next;
	EXPECT_INT(s->kind, SEC_KIND_FRONTEND);
	EXPECT_STR(words(s->header), "[frontend] [f]");
	EXPECT_INT(s->header->kind, CONF_SECTION);
	EXPECT_INT(s->nstmts, 2);
	CU_ASSERT_PTR_NULL(s->stmts->next->next);
	s = s->next;
	EXPECT_INT(s->kind, SEC_KIND_BACKEND);
	s = s->next;
	EXPECT_INT(s->kind, SEC_KIND_LISTEN);
	EXPECT_STR(words(s->stmts), "[d]");
	CU_ASSERT_PTR_NULL(s->next);
	conf_free(c);
	EXPECT_STR(conf_sec_kind_str(SEC_KIND_LISTEN), "listen");
	EXPECT_STR(conf_sec_kind_str(SEC_KIND_OTHER), "section");
}

static void
test_section_word_only_first(void)
{
	struct conf *c = parse("frontend f\n  use_backend backend\n"
	    "  \"backend\" x\n");

	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 1);
	EXPECT_STR(words(stmt(c, 0)), "[use_backend] [backend]");
	EXPECT_STR(words(stmt(c, 1)), "[backend] [x]");
	EXPECT_INT(stmt(c, 1)->kind, CONF_STMT);
	conf_free(c);
}

static void
test_section_headers(void)
{
	EXPECT_STR(diags("global junk\n"),
	    "t.conf:1:8: error: 'global' takes no name\n");
	EXPECT_STR(diags("defaults a\ndefaults a b\n"),
	    "t.conf:2:12: error: 'defaults' takes at most a name\n");
	EXPECT_STR(diags("frontend\nbackend\nlisten\n"),
	    "t.conf:1:1: error: 'frontend' needs a name\n"
	    "t.conf:2:1: error: 'backend' needs a name\n"
	    "t.conf:3:1: error: 'listen' needs a name\n");
	EXPECT_STR(diags("frontend a b\n"),
	    "t.conf:1:12: error: 'frontend' takes one name, got 'b' too\n");
	EXPECT_STR(diags("peers p\n  peer a 1.2.3.4:80\nuserlist u\n"),
	    "t.conf:1:1: error: section 'peers' is not supported by weir\n"
	    "t.conf:3:1: error: section 'userlist' is not supported by "
	    "weir\n");
}

static void
test_outside_section(void)
{
	struct conf *c = parse("pidfile x\nmaxconn 3\nglobal\n  a\n");

	EXPECT_STR(out, "t.conf:1:1: error: 'pidfile' is outside of any "
	    "section\n");
	EXPECT_INT(c->nsections, 1);
	EXPECT_INT(c->sections->nstmts, 1);
	conf_free(c);
}

static void
test_load_result(void)
{
	struct conf *c;

	c = parse("global\n  a\n");
	EXPECT_INT(last_ret, 0);
	conf_free(c);
	c = parse("global\n  a \"b\n");
	EXPECT_INT(last_ret, -1);
	conf_free(c);
	conf_free(NULL);
}

/* ---- conditions -------------------------------------------------------- */

static void
test_cond_structure(void)
{
	struct conf *c = parse("frontend f\n  use_backend a if x y || !z\n");
	const struct conf_stmt *st = stmt(c, 0);
	const struct conf_and *alt;
	const struct conf_term *t;

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	EXPECT_STR(words(st), "[use_backend] [a]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->cond);
	EXPECT_TRUE(!st->cond->unless);
	EXPECT_INT(st->cond->loc.line, 2);
	EXPECT_INT(st->cond->loc.col, 17);
	alt = st->cond->alts;
	CU_ASSERT_PTR_NOT_NULL_FATAL(alt);
	t = alt->terms;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->name);
	EXPECT_STR(t->name->s, "x");
	EXPECT_TRUE(!t->neg);
	t = t->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT_STR(t->name->s, "y");
	EXPECT_TRUE(!t->neg);
	CU_ASSERT_PTR_NULL(t->next);
	alt = alt->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(alt);
	t = alt->terms;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT_STR(t->name->s, "z");
	EXPECT_TRUE(t->neg);
	/* "!z" is split: the name starts after the '!' */
	EXPECT_INT(t->name->loc.col, 28);
	CU_ASSERT_PTR_NULL(t->next);
	CU_ASSERT_PTR_NULL(alt->next);
	conf_free(c);
}

static void
test_cond_unless_or(void)
{
	struct conf *c = parse("frontend f\n"
	    "  use_backend a unless x or ! y\n");
	const struct conf_stmt *st = stmt(c, 0);
	const struct conf_and *alt;

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->cond);
	EXPECT_TRUE(st->cond->unless);
	alt = st->cond->alts;
	CU_ASSERT_PTR_NOT_NULL_FATAL(alt);
	EXPECT_STR(alt->terms->name->s, "x");
	CU_ASSERT_PTR_NOT_NULL_FATAL(alt->next);
	EXPECT_STR(alt->next->terms->name->s, "y");
	EXPECT_TRUE(alt->next->terms->neg);
	conf_free(c);
}

static void
test_cond_anonymous(void)
{
	struct conf *c = parse("frontend f\n"
	    "  use_backend a if { path /x || ! or } ! { src 10.0.0.0/8 }\n");
	const struct conf_stmt *st = stmt(c, 0);
	const struct conf_term *t;

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->cond);
	CU_ASSERT_PTR_NULL(st->cond->alts->next);
	t = st->cond->alts->terms;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NULL(t->name);
	EXPECT_INT(t->loc.col, 20);
	/* inside braces, operators are plain words */
	EXPECT_INT(t->nwords, 5);
	EXPECT_STR(t->words[0].s, "path");
	EXPECT_STR(t->words[1].s, "/x");
	EXPECT_STR(t->words[2].s, "||");
	EXPECT_STR(t->words[3].s, "!");
	EXPECT_STR(t->words[4].s, "or");
	EXPECT_TRUE(!t->neg);
	t = t->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT_TRUE(t->neg);
	EXPECT_INT(t->nwords, 2);
	EXPECT_STR(t->words[0].s, "src");
	conf_free(c);
}

static void
test_cond_not_brace(void)
{
	struct conf *c = parse("frontend f\n"
	    "  use_backend a if !{ path /x } b\n");
	const struct conf_stmt *st = stmt(c, 0);
	const struct conf_term *t;

	EXPECT_STR(out, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st->cond);
	t = st->cond->alts->terms;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* "!{" is '!' then an opening brace */
	EXPECT_TRUE(t->neg);
	CU_ASSERT_PTR_NULL(t->name);
	EXPECT_INT(t->nwords, 2);
	EXPECT_STR(t->words[1].s, "/x");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->next);
	EXPECT_STR(t->next->name->s, "b");
	EXPECT_TRUE(!t->next->neg);
	conf_free(c);
}

static void
test_cond_words_not_keywords(void)
{
	struct conf *c = parse("frontend f\n  if a\n  x \"if\" y\n"
	    "  z 'unless' y\n");

	EXPECT_STR(out, "");
	EXPECT_STR(words(stmt(c, 0)), "[if] [a]");
	CU_ASSERT_PTR_NULL(stmt(c, 0)->cond);
	EXPECT_STR(words(stmt(c, 1)), "[x] [if] [y]");
	CU_ASSERT_PTR_NULL(stmt(c, 1)->cond);
	EXPECT_STR(words(stmt(c, 2)), "[z] [unless] [y]");
	conf_free(c);
}

static void
test_cond_if_alone(void)
{
	EXPECT_STR(diags("frontend f\n  use_backend a if\n"),
	    "t.conf:2:19: error: incomplete condition, expected a word, '!' "
	    "or '{'\n");
	EXPECT_STR(diags("frontend f\n  use_backend a unless\n"),
	    "t.conf:2:23: error: incomplete condition, expected a word, '!' "
	    "or '{'\n");
	EXPECT_STR(diags("frontend f\n  use_backend a if x ||\n"),
	    "t.conf:2:24: error: incomplete condition, expected a word, '!' "
	    "or '{'\n");
	EXPECT_STR(diags("frontend f\n  use_backend a if !\n"),
	    "t.conf:2:21: error: incomplete condition, expected a word or "
	    "'{'\n");
}

static void
test_cond_unbalanced(void)
{
	EXPECT_STR(diags("frontend f\n  use_backend a if { path /x\n"),
	    "t.conf:2:29: error: incomplete condition, expected a word or "
	    "'}'\n");
	EXPECT_STR(diags("frontend f\n  use_backend a if { }\n"),
	    "t.conf:2:22: error: syntax error: unexpected '}', expected a "
	    "word\n");
	EXPECT_STR(diags("frontend f\n  use_backend a if || x\n"),
	    "t.conf:2:20: error: syntax error: unexpected '||', expected a "
	    "word, '!' or '{'\n");
}

static void
test_cond_error_recovery(void)
{
	struct conf *c = parse("frontend f\n  use_backend a if\n  b c\n"
	    "  use_backend d if { e\n  f g\n");

	EXPECT_INT(last_nerr, 2);
	/* the bad lines are dropped, the others kept */
	EXPECT_INT(c->sections->nstmts, 2);
	EXPECT_STR(words(stmt(c, 0)), "[b] [c]");
	EXPECT_STR(words(stmt(c, 1)), "[f] [g]");
	conf_free(c);
}

/* ---- includes ---------------------------------------------------------- */

static void
test_include_relative(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512];
	struct conf *c;
	const struct conf_stmt *st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub", dir);
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0);
	put_file(dir, "main.conf", "global\n  a 1\n  include sub/one.conf\n"
	    "  d 4\n");
	put_file(dir, "sub/one.conf", "  b 2\n  include two.conf\n");
	put_file(dir, "sub/two.conf", "  c 3\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_file(path);
	EXPECT_STR(out, "");
	EXPECT_INT(last_ret, 0);
	EXPECT_INT(c->nsections, 1);
	EXPECT_INT(c->sections->nstmts, 4);
	/* spliced in place, each word knows its file */
	EXPECT_STR(words(stmt(c, 0)), "[a] [1]");
	st = stmt(c, 1);
	EXPECT_STR(words(st), "[b] [2]");
	snprintf(path, sizeof(path), "%s/sub/one.conf", dir);
	EXPECT_STR(st->loc.file, path);
	st = stmt(c, 2);
	EXPECT_STR(words(st), "[c] [3]");
	snprintf(path, sizeof(path), "%s/sub/two.conf", dir);
	EXPECT_STR(st->loc.file, path);
	EXPECT_INT(st->loc.line, 1);
	EXPECT_STR(words(stmt(c, 3)), "[d] [4]");
	conf_free(c);
	rm_tree(dir);
}

static void
test_include_sections(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512];
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "main.conf", "global\ninclude be.conf\n");
	put_file(dir, "be.conf", "backend a\n  x\nbackend b\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_file(path);
	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 3);
	conf_free(c);
	rm_tree(dir);
}

static void
test_include_errors_in_file(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "main.conf", "global\n  include inc.conf\n  a \"x\n");
	put_file(dir, "inc.conf", "\n  b 'y\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_file(path);
	snprintf(want, sizeof(want),
	    "%s/main.conf:3:5: error: unterminated double quote\n"
	    "%s/inc.conf:2:5: error: unterminated single quote\n", dir, dir);
	EXPECT_STR(out, want);
	conf_free(c);
	rm_tree(dir);
}

static void
test_include_missing(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "main.conf", "global\n  a\n    include nope.conf\n  b\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_file(path);
	snprintf(want, sizeof(want), "%s/main.conf:3:13: error: cannot "
	    "include '%s/nope.conf': No such file or directory\n", dir, dir);
	EXPECT_STR(out, want);
	EXPECT_INT(last_ret, -1);
	/* what is around it is kept */
	EXPECT_INT(c->sections->nstmts, 2);
	conf_free(c);
	rm_tree(dir);
}

static void
test_include_self(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "self.conf", "global\ninclude self.conf\n");
	snprintf(path, sizeof(path), "%s/self.conf", dir);
	conf_free(load_file(path));
	snprintf(want, sizeof(want), "%s/self.conf:2:9: error: '%s/self.conf' "
	    "includes itself\n", dir, dir);
	EXPECT_STR(out, want);
	EXPECT_INT(last_ret, -1);
	rm_tree(dir);
}

static void
test_include_cycle(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	put_file(dir, "a.conf", "global\ninclude b.conf\n");
	put_file(dir, "b.conf", "  x\ninclude a.conf\n");
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	conf_free(load_file(path));
	snprintf(want, sizeof(want), "%s/b.conf:2:9: error: '%s/a.conf' "
	    "includes itself\n", dir, dir);
	EXPECT_STR(out, want);
	rm_tree(dir);
}

/* A chain d0 includes d1 ... includes dN, which holds a global section. */
static void
make_chain(const char *dir, unsigned n)
{
	char name[32], text[64];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%u.conf", i);
		snprintf(text, sizeof(text), "include d%u.conf\n", i + 1);
		put_file(dir, name, text);
	}
	snprintf(name, sizeof(name), "d%u.conf", n);
	put_file(dir, name, "global\n  deep\n");
}

static void
test_include_depth(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];
	struct conf *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d0.conf", dir);
	/* 16 nested includes are fine */
	make_chain(dir, CONF_MAX_INCLUDE_DEPTH);
	c = load_file(path);
	EXPECT_STR(out, "");
	EXPECT_INT(c->nsections, 1);
	conf_free(c);
	/* one more is not */
	make_chain(dir, CONF_MAX_INCLUDE_DEPTH + 1);
	conf_free(load_file(path));
	snprintf(want, sizeof(want), "%s/d16.conf:1:9: error: includes "
	    "nested deeper than 16\n", dir);
	EXPECT_STR(out, want);
	rm_tree(dir);
}

static void
test_include_arguments(void)
{
	EXPECT_STR(diags("global\n  include\n  include a b\n  include x if "
	    "y\n"),
	    "t.conf:2:3: error: 'include' takes exactly one file name\n"
	    "t.conf:3:3: error: 'include' takes exactly one file name\n"
	    "t.conf:4:3: error: 'include' takes exactly one file name\n");
}

static void
test_load_file_errors(void)
{
	char dir[] = "/tmp/weir-conf-XXXXXX", path[512], want[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	conf_free(load_file(path));
	snprintf(want, sizeof(want), "%s/none.conf: error: cannot open "
	    "'%s/none.conf': No such file or directory\n", dir, dir);
	EXPECT_STR(out, want);
	EXPECT_INT(last_ret, -1);
	conf_free(load_file(dir));
	snprintf(want, sizeof(want), "%s: error: cannot read '%s': is a "
	    "directory\n", dir, dir);
	EXPECT_STR(out, want);
	rm_tree(dir);
}

CU_TestInfo conf_tests[] = {
	{ "words are separated by blanks", test_words_blanks },
	{ "each word knows its line and column", test_words_locations },
	{ "double quotes keep blanks and mark the word quoted",
	    test_double_quotes },
	{ "single quotes are literal: no escape, no variable",
	    test_single_quotes },
	{ "quoted and unquoted parts with no blank make one word",
	    test_mixed_parts },
	{ "an empty quoted string is an empty word", test_empty_quoted },
	{ "backslash escapes blanks, quotes, bytes and itself",
	    test_escapes },
	{ "\\x00 is refused", test_escape_nul },
	{ "a backslash at the end of a line continues nothing",
	    test_trailing_backslash },
	{ "${VAR} expands unquoted and in double quotes", test_env_expanded },
	{ "an expanded variable stays one word", test_env_one_word },
	{ "${VAR-default} gives the default only when VAR is unset",
	    test_env_default },
	{ "an unset variable is an error at its place", test_env_unset },
	{ "'$' not followed by a valid ${NAME} is literal",
	    test_env_not_a_variable },
	{ "the default environment is getenv(3)", test_env_getenv },
	{ "comments run from '#' outside quotes to the end of the line",
	    test_comments },
	{ "CRLF line ends are read like LF", test_crlf },
	{ "a last line without a newline is read", test_last_line },
	{ "an empty file has no section and no error", test_empty_file },
	{ "a NUL byte is an error at its place", test_nul_byte },
	{ "an unterminated quote is an error at the word",
	    test_unterminated_quotes },
	{ "binary junk is reported, not crashed on, up to the error cap",
	    test_binary_junk },
	{ "binary junk through every pass gives errors and no graph",
	    test_binary_junk_every_pass },
	{ "after 50 errors the rest of a file is skipped", test_error_cap },
	{ "a 10 MB word is refused at its start", test_long_word },
	{ "a 10 MB line of short words is read", test_long_line },
	{ "statements are grouped into their sections", test_sections },
	{ "a section name is a header only as the first bare word",
	    test_section_word_only_first },
	{ "section headers with missing or extra names are errors",
	    test_section_headers },
	{ "statements before any section are an error, once",
	    test_outside_section },
	{ "loading returns -1 only after an error", test_load_result },
	{ "'if x y || !z' is (x and y) or (not z)", test_cond_structure },
	{ "'unless' and 'or' are read", test_cond_unless_or },
	{ "'{ acl }' is an anonymous term whose operators are words",
	    test_cond_anonymous },
	{ "'!{' negates an anonymous term", test_cond_not_brace },
	{ "'if' as the first word or quoted starts no condition",
	    test_cond_words_not_keywords },
	{ "a condition with nothing after an operator is incomplete",
	    test_cond_if_alone },
	{ "unbalanced or empty braces are syntax errors",
	    test_cond_unbalanced },
	{ "a syntax error drops its line and parsing goes on",
	    test_cond_error_recovery },
	{ "includes are relative to the including file, spliced in place",
	    test_include_relative },
	{ "an included file may hold sections", test_include_sections },
	{ "errors in an included file name that file",
	    test_include_errors_in_file },
	{ "a missing include is an error at the include",
	    test_include_missing },
	{ "a file including itself is an error", test_include_self },
	{ "a cycle of two files is an error", test_include_cycle },
	{ "includes nest 16 deep and no deeper", test_include_depth },
	{ "include takes exactly one name and no condition",
	    test_include_arguments },
	{ "a missing file or a directory cannot be loaded",
	    test_load_file_errors },
	CU_TEST_INFO_NULL,
};
