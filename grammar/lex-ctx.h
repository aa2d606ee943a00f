/*
 * State shared by the reentrant lexer and parser of lb.conf. One per file
 * being parsed: nothing here is global, so a reload or a test may parse at
 * any time.
 */
#ifndef WEIR_LEX_CTX_H
#define WEIR_LEX_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include "conf-t.h"
#include "diag.h"

#define LEX_MAX_WORD	65536	/* bytes in one word */
#define LEX_MAX_ERRORS	50	/* per file, then the rest is skipped */

struct conf_wlist;

struct lex_ctx {
	struct conf *conf;
	struct arena *arena;
	struct diag *diag;
	const char *file;	/* lives in the conf arena */
	unsigned line, col;	/* where the next byte is */

	/* the word being read */
	char *buf;
	size_t len, cap;
	struct loc wloc;
	unsigned wflags;
	bool too_long;

	unsigned nwords;	/* words so far in this statement */
	bool in_cond;		/* after 'if' or 'unless' */
	unsigned braces;	/* open '{' in the condition */
	bool at_bol;		/* last token was NL, or none yet */
	bool line_broken;	/* a lexical error on this line */

	int pending;		/* a token to return next, or 0 */
	struct conf_word *pending_word;
	struct loc pending_loc;

	unsigned nerrors;
	bool give_up;

	struct conf_stmt *head, **tail;	/* what the file holds */
};

/* grammar/lexer.l */
int lex_scan(struct lex_ctx *ctx, const char *text, size_t len);

/* src/conf.c: building the tree from the parser's actions */
void conf_lex_error(struct lex_ctx *ctx, const struct loc *loc,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct conf_wlist *conf_wlist_add(struct lex_ctx *ctx, struct conf_wlist *l,
    struct conf_word *w);
struct conf_term *conf_term_new(struct lex_ctx *ctx, struct conf_word *name,
    struct conf_wlist *anon, const struct loc *loc);
struct conf_and *conf_and_add(struct lex_ctx *ctx, struct conf_and *a,
    struct conf_term *t);
struct conf_cond *conf_cond_add(struct lex_ctx *ctx, struct conf_cond *c,
    struct conf_and *a);
void conf_add_stmt(struct lex_ctx *ctx, enum conf_stmt_kind kind,
    struct conf_wlist *words, struct conf_cond *cond);

#endif
