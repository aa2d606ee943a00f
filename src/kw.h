/*
 * Keyword tables: the meaning of each statement of lb.conf. One row per
 * keyword names the sections it may stand in and the function that checks
 * its arguments and fills the typed configuration; plain settings use the
 * generic setters and need no code of their own.
 */
#ifndef WEIR_KW_H
#define WEIR_KW_H

#include <stddef.h>

#include "conf-t.h"

/* Sections a keyword may stand in. */
#define KS_GLOBAL	0x1
#define KS_DEF		0x2
#define KS_FE		0x4
#define KS_BE		0x8
#define KS_PX		(KS_DEF | KS_FE | KS_BE)

struct kw_ctx;
struct kw;

typedef int (*kw_fn)(struct kw_ctx *, const struct kw *,
    const struct conf_stmt *);

struct kw {
	const char *name;	/* first: diag_best_match() reads it */
	unsigned secs;
	kw_fn fn;		/* NULL: a known keyword weir refuses */
	size_t off;		/* generic setters: the field */
	long long min, max;	/* generic integer setters: the range */
	const char *hint;	/* why it is refused, or a unit for messages */
};

/*
 * Give the conf tree its meaning: fill c->global and c->proxies from the
 * sections, reporting every problem to d. Returns 0 when no error was
 * found, -1 otherwise. Proxies inherit from the defaults section before
 * them when they start, as in HAProxy.
 */
int kw_apply(struct conf *c, struct diag *d);

/* The keyword tables, sorted by name, for documentation and tests. */
extern const struct kw kw_global_table[];
extern const size_t kw_global_count;
extern const struct kw kw_proxy_table[];
extern const size_t kw_proxy_count;

const char *kw_timeout_name(enum to_kind k);
const char *kw_option_name(enum px_opt o);
const char *kw_mode_name(enum px_mode m);
const char *kw_balance_name(enum lb_algo a);

#endif
