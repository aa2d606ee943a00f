/*
 * The runtime graph: built whole from a checked configuration, shared by
 * reference, freed whole when its last reference drops.
 */
#ifndef WEIR_GRAPH_H
#define WEIR_GRAPH_H

#include <stdio.h>

#include "graph-t.h"

#define GRAPH_DEFAULT_BUFSIZE	32768
#define GRAPH_DEFAULT_MAXHDR	101
#define GRAPH_DEFAULT_MAXCONN	4096
#define GRAPH_DEFAULT_STATS_URI	"/weir?stats"

/*
 * Parse, check and build: the configuration in path (and what it
 * includes) as a new graph with one reference, or NULL with every error in
 * d. Warnings go to d as well. No side effect besides reading files (and
 * resolving server names); any thread may call it.
 */
struct graph *graph_load_file(const char *path, struct diag *d);
/*
 * The same, and the checked configuration it was built from in *keep
 * (the caller's, for conf_free()) when a graph is returned.
 */
struct graph *graph_load_file_conf(const char *path, struct diag *d,
    struct conf **keep);
/*
 * A new graph from the configuration an earlier one was built from (the
 * admin socket's weights ask for new balance tables). Main thread.
 */
struct graph *graph_rebuild(const struct conf *c, const char *file,
    struct diag *d);
/* The same for text in memory, named name in messages. */
struct graph *graph_load_string(const char *name, const char *text,
    size_t len, struct diag *d);
/* Build a graph from a configuration verify_conf() accepted. */
struct graph *graph_build(const struct conf *c, struct diag *d);

/* Take one more reference. */
void graph_ref(struct graph *g);
/* Drop one; the last frees the graph. NULL is a no-op. */
void graph_unref(struct graph *g);

/* The stick-table of the section called name, or NULL. */
const struct g_table *graph_find_table(const struct graph *g,
    const char *name);
const struct g_backend *graph_find_backend(const struct graph *g,
    const char *name);
const struct g_frontend *graph_find_frontend(const struct graph *g,
    const char *name);
/* A one-line summary: "2 frontends, 3 backends, 7 servers, 3 listeners". */
void graph_summary(const struct graph *g, FILE *f);
/* Evaluate a condition against a sample; NULL is true. */
bool graph_cond_match(const struct g_cond *c, const struct acl_sample *s);

#endif
