/*
 * HTTP semantics on top of h1's framing: rules, the heads weir sends on
 * (hop-by-hop fields dropped, rules applied, X-Forwarded-For added), and
 * the answers weir gives by itself. Pure functions over buffers.
 */
#ifndef WEIR_HTTP_H
#define WEIR_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "graph-t.h"
#include "h1.h"

#define HTTP_MAX_OPS	32

/*
 * An edit of a head from a rule: add a field (set-header, add-header),
 * delete the fields of a name (del-header), give a field of the head a
 * new value (replace-header), or the request a new target (set-path).
 */
struct http_op {
	bool del;		/* delete the fields named name, earlier adds too */
	int field;		/* HTTP_OP_ADD, HTTP_OP_TARGET, or the index of
				   the head's field whose value val replaces */
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

#define HTTP_OP_ADD	(-1)
#define HTTP_OP_TARGET	(-2)

#define HTTP_OPS_VALUES	2048	/* values made for one request */

struct http_ops {
	struct http_op op[HTTP_MAX_OPS];
	unsigned n;
	size_t vused;		/* of vals: reset with n */
	char vals[HTTP_OPS_VALUES];	/* values of %[fetch] expressions */
};

/* What a head is matched against: the buffer and the parsed message. */
struct http_view {
	const char *buf;
	const struct h1_msg *m;
};

/*
 * Fill smp for the request in v from client address src; smp keeps
 * pointers into v, which must outlive it.
 */
void http_sample(struct acl_sample *smp, struct http_view *v,
    const struct sockaddr *src);
/* Point smp's url, path and query to the target ops gave the request. */
void http_sample_ops(struct acl_sample *smp, const struct http_view *v,
    const struct http_ops *ops);

/*
 * Run rules[0..n) in order on smp: edits of the head in v (the request,
 * or the response for http-response rules) go to ops, and a new path or
 * query to smp too, so that later rules see it. The first deny,
 * redirect or return that applies ends the run and is returned, as is
 * &http_rewrite_failed when an edit does not fit. NULL: the request goes
 * on.
 */
const struct g_http_rule *http_rules(const struct g_http_rule *rules,
    unsigned n, const struct http_view *v, struct acl_sample *smp,
    struct http_ops *ops);

/* What http_rules() returns when an edit does not fit: a deny, 500. */
extern const struct g_http_rule http_rewrite_failed;

/* Flags for http_build_req() and http_build_rsp(). */
#define HTTP_B_XFF		0x01	/* add X-Forwarded-For and -Proto */
#define HTTP_B_UPGRADE		0x02	/* keep Connection: upgrade, Upgrade */
#define HTTP_B_CLOSE		0x04	/* say Connection: close */
#define HTTP_B_KEEPALIVE	0x08	/* say Connection: keep-alive (1.0) */
#define HTTP_B_DECHUNK		0x10	/* drop Transfer-Encoding */

/*
 * The request head weir sends to a server for the head m in buf: HTTP/1.1,
 * hop-by-hop fields dropped, ops applied, X-Forwarded-For: xff (with
 * HTTP_B_XFF, under the name xff_name). Written to out; returns its
 * length, or 0 when it does not fit in cap.
 */
size_t http_build_req(char *out, size_t cap, const char *buf,
    const struct h1_msg *m, const struct http_ops *ops, unsigned flags,
    const char *xff_name, const char *xff);

/* The response head weir sends to a client, in the same way. */
size_t http_build_rsp(char *out, size_t cap, const char *buf,
    const struct h1_msg *m, const struct http_ops *ops, unsigned flags);

/* The reason phrase of a status weir may answer with. */
const char *http_reason(unsigned status);

/*
 * A whole answer of weir's own with the given status: the proxy's
 * errorfile for it when there is one, else a short HTML page. With close,
 * it says Connection: close. Returns its length, 0 when cap is too small.
 */
size_t http_answer(char *out, size_t cap, unsigned status,
    const struct g_proxy *px, bool close);
/* px's errorfile for status, copied to out; 0 when it has none. */
size_t http_answer_file(char *out, size_t cap, unsigned status,
    const struct g_proxy *px);
/* The answer of an http-request redirect rule for the request in smp. */
size_t http_redirect(char *out, size_t cap, const struct g_http_rule *r,
    const struct acl_sample *smp, bool close);
/* The answer of an http-request return rule. */
size_t http_return(char *out, size_t cap, const struct g_http_rule *r,
    bool close);

#endif
