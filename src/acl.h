/*
 * ACLs: criteria, their patterns, and how conditions over them are matched.
 * acl_parse() reads an acl line (or an anonymous { acl }) into the typed
 * configuration; the graph compiles it with acl_compile().
 */
#ifndef WEIR_ACL_H
#define WEIR_ACL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf-t.h"

struct graph;
struct g_table;

struct ssl_st;

enum { ACL_ARG_NONE = 0, ACL_ARG_OPT, ACL_ARG_NEED };

struct acl_crit_info {
	const char *name;	/* first: diag_best_match() reads it */
	enum acl_crit crit;
	enum acl_match match;	/* without -m */
	unsigned char arg;	/* ACL_ARG_*: hdr(name) */
	bool http_only;
};

/* The first criterion that fetches c: its plain name ("hdr"). */
const struct acl_crit_info *acl_crit_info(enum acl_crit c);
/* The criterion named name ("hdr_end"), or NULL. */
const struct acl_crit_info *acl_crit_find(const char *name, size_t len);

/*
 * Read "criterion [flags] values..." (words[0..n)) into a new conf_acl
 * named name (NULL for an anonymous one), allocated in a. Problems go to
 * d at the word they concern. Returns NULL after an error.
 */
struct conf_acl *acl_parse(struct arena *a, struct diag *d, const char *name,
    const struct conf_word *words, unsigned n, const struct loc *loc);

/* A compiled pattern: what the request path matches against. */
struct acl_pat {
	const char *s;
	size_t len;
	regex_t *re;			/* ACL_M_REG */
	struct conf_addr net;		/* ACL_M_IP */
	unsigned bits;
	int op;				/* integers: ACL_OP_* */
	long long num;
	long long max;			/* ACL_OP_RANGE: num to max */
};

enum { ACL_OP_EQ = 0, ACL_OP_GT, ACL_OP_GE, ACL_OP_LT, ACL_OP_LE,
	ACL_OP_RANGE };

/* The stick counters a request tracks (track-sc0..2), owned by it. */
struct stk_table;
struct stk_entry;
struct acl_sc {
	struct stk_table *t[3];
	struct stk_entry *e[3];
};

struct acl_expr {
	enum acl_crit crit;
	enum acl_match match;
	unsigned flags;
	const char *arg;
	size_t arg_len;
	struct acl_pat *pats;
	unsigned npats;
};

/* The values an ACL is matched against; a missing one is NULL. */
struct acl_sample {
	const char *path;
	size_t path_len;
	const char *url;	/* the whole target */
	size_t url_len;
	const char *query;	/* after the target's first '?' */
	size_t query_len;
	const char *method;
	size_t method_len;
	const struct sockaddr *src;
	/* the value of the occ-th field (from 0) named name, or NULL */
	const char *(*hdr)(void *arg, const char *name, size_t name_len,
	    unsigned occ, size_t *len);
	void *hdr_arg;
	/* the address the client connected to, asked when a rule needs it */
	const struct sockaddr *(*dst)(void *arg);
	void *dst_arg;
	struct ssl_st *ssl;	/* the client's TLS, or NULL */
	struct acl_sc *sc;	/* tracked counters, or NULL */
	const struct graph *g;	/* for src_*(table) */
	const struct g_table *table;	/* the proxy's own, for src_* */
	uint64_t now_ms;	/* monotonic, for rates */
};

/*
 * Compile one acl line into e, allocating in a. Returns 0, or -1 with a
 * message in d when a pattern does not compile (regular expressions).
 */
int acl_compile(struct arena *a, struct diag *d, const struct conf_acl *ca,
    struct acl_expr *e);
/* Free what acl_compile() allocated outside the arena (regexes). */
void acl_expr_release(struct acl_expr *e);
/*
 * The value of criterion c (with its argument, for hdr and ssl_c_s_dn)
 * in s, as text: pointing into s, or written to buf[0..size) when it has
 * to be made (integers, addresses, base). Its length goes to *len; NULL
 * when the sample has none.
 */
const char *acl_fetch(enum acl_crit c, const char *arg, size_t arg_len,
    const struct acl_sample *s, char *buf, size_t size, size_t *len);
/* Whether the sample matches any pattern of e. */
bool acl_expr_match(const struct acl_expr *e, const struct acl_sample *s);

#endif
