/*
 * The conf tree: lb.conf read into sections of statements, includes
 * followed, every node with its file:line:col. Syntax only; src/kw.c gives
 * it meaning.
 */
#ifndef WEIR_CONF_H
#define WEIR_CONF_H

#include "conf-t.h"

#define CONF_MAX_INCLUDE_DEPTH	16
#define CONF_MAX_FILE_BYTES	(64u << 20)

/* An empty conf whose ${VAR} reads getenv(3). NULL when out of memory. */
struct conf *conf_new(void);
/* Free the conf and everything in its arena. NULL is a no-op. */
void conf_free(struct conf *c);

/*
 * Read path and the files it includes into c's statements and sections.
 * Every problem is added to d; returns 0 when none was an error, -1
 * otherwise. The main thread calls it, at start and on reload.
 */
int conf_load_file(struct conf *c, const char *path, struct diag *d);
/* The same for text already in memory, named name in messages. */
int conf_load_string(struct conf *c, const char *name, const char *text,
    size_t len, struct diag *d);

const char *conf_sec_kind_str(enum conf_sec_kind k);
/* Whether the word reads s; quoting does not matter, as in HAProxy. */
static inline int
conf_word_is(const struct conf_word *w, const char *s)
{
	return __builtin_strcmp(w->s, s) == 0;
}

#endif
