/*
 * Values with sample expressions, as HAProxy's log-format strings write
 * them: "CN=%[ssl_c_s_dn(CN)]". Parsed once when the graph is built,
 * evaluated per request into a buffer the caller owns.
 */
#ifndef WEIR_FMT_H
#define WEIR_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "acl.h"
#include "arena.h"

struct fmt_seg {
	bool fetch;		/* else literal text */
	const char *s;		/* the text, or the fetch's argument */
	size_t len;
	enum acl_crit crit;
};

struct fmt {
	struct fmt_seg *segs;
	unsigned n;
};

/*
 * Parse s: text where "%%" is a '%' and "%[fetch]" a sample fetch (the
 * fetches of acl.c by their HAProxy names: src, dst_port, path, query,
 * url_param(NAME), req.hdr(NAME), req.cook(NAME), ssl_fc_sni...). Returns the
 * format allocated in a, or NULL with the reason in err (and the byte
 * offset of the problem in *at).
 */
struct fmt *fmt_parse(struct arena *a, const char *s, char *err,
    size_t errlen, size_t *at);
/* Whether s holds a sample expression. */
bool fmt_has_fetch(const char *s);
/*
 * The value of f for smp, written to out[0..cap): returns its length; a
 * fetch with no value adds nothing, and what does not fit is cut.
 */
size_t fmt_eval(const struct fmt *f, const struct acl_sample *smp, char *out,
    size_t cap);

#endif
