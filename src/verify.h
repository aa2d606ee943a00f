/*
 * Checks over the typed configuration, as their own pass: names resolve,
 * duplicates, modes, ranges that span statements; every problem is
 * collected, none stops the pass.
 */
#ifndef WEIR_VERIFY_H
#define WEIR_VERIFY_H

#include "conf-t.h"

/* Defaults weir applies where the configuration is silent. */
#define VERIFY_TIMEOUT_CONNECT_MS	5000
#define VERIFY_TIMEOUT_CLIENT_MS	30000
#define VERIFY_TIMEOUT_SERVER_MS	30000

/*
 * Check c (filled by kw_apply()) and report to d. Reads anonymous ACLs of
 * conditions into their terms. Returns 0 when there was no error.
 */
int verify_conf(struct conf *c, struct diag *d);

/* The proxy named name that can serve as a backend, or NULL. */
struct conf_proxy *verify_find_backend(const struct conf *c, const char *name);
/* The first acl line named name in px, or NULL. */
const struct conf_acl *verify_find_acl(const struct conf_proxy *px,
    const char *name);

#endif
