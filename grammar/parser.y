/*
 * The grammar of lb.conf: lines of words, section headers, and conditions.
 * Actions only build the conf tree (src/conf.c); meaning comes later from
 * the keyword tables. A syntax error is reported and parsing resumes at the
 * next line, so one run reports every error of a file.
 */
%code top {
#include "config.h"
}

%code requires {
#include "lex-ctx.h"
typedef void *yyscan_t;
}

%code {
#include <stdio.h>
#include <string.h>

int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
static void yyerror(YYLTYPE *l, yyscan_t scanner, struct lex_ctx *ctx,
    const char *msg);
}

%define api.pure full
%define parse.error custom
%locations
%lex-param { yyscan_t scanner }
%parse-param { yyscan_t scanner } { struct lex_ctx *ctx }

%union {
	struct conf_word *word;
	struct conf_wlist *wl;
	struct conf_term *term;
	struct conf_and *and;
	struct conf_cond *cond;
}

%token <word> WORD "word"
%token <word> SECTION "section name"
%token NL "end of line"
%token <word> IF "'if'"
%token <word> UNLESS "'unless'"
%token <word> OR "'||'"
%token <word> NOT "'!'"
%token <word> LBRACE "'{'"
%token <word> RBRACE "'}'"

%type <wl> words words_opt
%type <term> term atom
%type <and> conj
%type <cond> cond cond_opt

%%

file:
	  %empty
	| file line
	;

line:
	  NL
	| SECTION words_opt NL
		{ conf_add_stmt(ctx, CONF_SECTION,
		    conf_wlist_add(ctx, $2, $1), NULL); }
	| words cond_opt NL
		{ conf_add_stmt(ctx, CONF_STMT, $1, $2); }
	| error NL
		{ yyerrok; }
	;

words_opt:
	  %empty	{ $$ = NULL; }
	| words		{ $$ = $1; }
	;

words:
	  WORD		{ $$ = conf_wlist_add(ctx, NULL, $1); }
	| words WORD	{ $$ = conf_wlist_add(ctx, $1, $2); }
	;

cond_opt:
	  %empty	{ $$ = NULL; }
	| IF cond
		{
			$$ = $2;
			if ($$ != NULL)
				$$->loc = $1->loc;
		}
	| UNLESS cond
		{
			$$ = $2;
			if ($$ != NULL) {
				$$->loc = $1->loc;
				$$->unless = true;
			}
		}
	;

cond:
	  conj		{ $$ = conf_cond_add(ctx, NULL, $1); }
	| cond OR conj	{ $$ = conf_cond_add(ctx, $1, $3); }
	;

conj:
	  term		{ $$ = conf_and_add(ctx, NULL, $1); }
	| conj term	{ $$ = conf_and_add(ctx, $1, $2); }
	;

term:
	  atom		{ $$ = $1; }
	| NOT atom
		{
			$$ = $2;
			if ($$ != NULL)
				$$->neg = !$$->neg;
		}
	;

atom:
	  WORD		{ $$ = conf_term_new(ctx, $1, NULL, &$1->loc); }
	| LBRACE words RBRACE
			{ $$ = conf_term_new(ctx, NULL, $2, &$1->loc); }
	;

%%

static const char *
tok_desc(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_YYEOF:
		return "end of file";
	case YYSYMBOL_WORD:
		return "a word";
	case YYSYMBOL_NL:
		return "end of line";
	default:
		return yysymbol_name(k);
	}
}

static int
yyreport_syntax_error(const yypcontext_t *pc, yyscan_t scanner,
    struct lex_ctx *ctx)
{
	const YYLTYPE *l = yypcontext_location(pc);
	struct loc loc = { ctx->file, (unsigned)l->first_line,
		(unsigned)l->first_column };
	yysymbol_kind_t exp[6];
	yysymbol_kind_t tok = yypcontext_token(pc);
	char want[160] = "";
	int n, i;
	size_t off = 0;
	bool in_cond = false;

	n = yypcontext_expected_tokens(pc, exp, 6);
	for (i = 0; i < n && off < sizeof(want); i++) {
		const char *sep = i == 0 ? ", expected " :
		    (i == n - 1 ? " or " : ", ");

		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%s",
		    sep, tok_desc(exp[i]));
	}
	for (i = 0; i < n; i++)
		if (exp[i] == YYSYMBOL_LBRACE || exp[i] == YYSYMBOL_RBRACE)
			in_cond = true;
	if (tok == YYSYMBOL_NL && in_cond)
		conf_lex_error(ctx, &loc, "incomplete condition%s", want);
	else
		conf_lex_error(ctx, &loc, "syntax error: unexpected %s%s",
		    tok_desc(tok), want);
	return 0;
}

static void
yyerror(YYLTYPE *l, yyscan_t scanner, struct lex_ctx *ctx, const char *msg)
{
	struct loc loc = { ctx->file, (unsigned)l->first_line,
		(unsigned)l->first_column };

	conf_lex_error(ctx, &loc, "%s", msg);
}
