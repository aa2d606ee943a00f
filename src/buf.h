/*
 * Fixed-size byte buffers, taken from the calling worker's free list only
 * while bytes are in flight: an idle connection holds none.
 */
#ifndef WEIR_BUF_H
#define WEIR_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	struct buf *next;	/* in a free list */
	uint32_t size;		/* bytes in data[] */
	uint32_t start;		/* first byte not yet consumed */
	uint32_t end;		/* one past the last byte held */
	char data[];
};

static inline uint32_t
buf_len(const struct buf *b)
{
	return b->end - b->start;
}

static inline uint32_t
buf_room(const struct buf *b)
{
	return b->size - b->end;
}

/* Drop n consumed bytes; an empty buffer starts again at offset 0. */
static inline void
buf_consume(struct buf *b, uint32_t n)
{
	b->start += n;
	if (b->start == b->end)
		b->start = b->end = 0;
}

/* Move the held bytes to the front, making room at the end. */
void buf_compact(struct buf *b);

#endif
