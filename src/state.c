#include "config.h"

#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val.h"

struct state_store *
state_new(void)
{
	struct state_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	pthread_mutex_init(&st->lock, NULL);
	return st;
}

void
state_free(struct state_store *st)
{
	struct state_server *s, *sn;
	struct state_backend *b, *bn;

	if (st == NULL)
		return;
	for (s = st->servers; s != NULL; s = sn) {
		sn = s->next;
		free(s->key);
		free(s);
	}
	for (b = st->backends; b != NULL; b = bn) {
		bn = b->next;
		free(b->key);
		free(b);
	}
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct state_backend *
state_backend_get(struct state_store *st, const char *name)
{
	struct state_backend *b;

	for (b = st->backends; b != NULL; b = b->next)
		if (strcmp(b->key, name) == 0)
			return b;
	b = calloc(1, sizeof(*b));
	if (b == NULL || (b->key = strdup(name)) == NULL) {
		free(b);
		return NULL;
	}
	b->id = st->nbackends++;
	b->next = st->backends;
	st->backends = b;
	return b;
}

static struct state_server *
state_server_get(struct state_store *st, const char *key,
    const struct conf_addr *addr)
{
	struct state_server *s;

	for (s = st->servers; s != NULL; s = s->next) {
		if (strcmp(s->key, key) != 0)
			continue;
		if (val_addr_eq(&s->addr, addr))
			return s;
		/* the address changed: this is another server now */
		break;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->key = strdup(key)) == NULL) {
		free(s);
		return NULL;
	}
	s->id = st->nservers++;
	s->addr = *addr;
	atomic_init(&s->cur_conns, 0);
	s->next = st->servers;
	st->servers = s;
	return s;
}

int
state_attach(struct state_store *st, struct graph *g)
{
	unsigned i, j;
	int r = 0;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < g->nbackends && r == 0; i++) {
		struct g_backend *be = &g->backends[i];

		be->st = state_backend_get(st, be->px.name);
		if (be->st == NULL)
			r = -1;
		for (j = 0; j < be->nservers && r == 0; j++) {
			struct g_server *s = &be->servers[j];
			char key[512];

			snprintf(key, sizeof(key), "%s/%s", be->px.name,
			    s->name);
			s->st = state_server_get(st, key, &s->addr);
			if (s->st == NULL)
				r = -1;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return r;
}
