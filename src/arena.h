/*
 * Arena allocator: many small allocations released by one arena_reset().
 * The conf tree and the runtime graph each own one.
 */
#ifndef WEIR_ARENA_H
#define WEIR_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;		/* bytes handed out, for reports */
	bool oom;		/* an allocation failed */
};

/* A zeroed struct arena is a valid empty arena. */
void arena_init(struct arena *a);
/* Free every chunk; the arena may be used again. */
void arena_reset(struct arena *a);
/*
 * Zeroed memory aligned for any type, valid until arena_reset().
 * Returns NULL and sets a->oom when memory is exhausted.
 */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of s[0..len); NULL on exhaustion. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena; NULL on exhaustion. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
