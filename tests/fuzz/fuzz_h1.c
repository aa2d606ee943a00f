/*
 * libFuzzer target: any bytes as an HTTP/1.1 request head, then as a
 * response head, then as a chunked body; each parsed whole and again one
 * byte at a time, which must agree. Never a crash, a hang or a read past
 * the bytes given.
 * Build: ./configure CC=clang --enable-fuzz && make tests/fuzz/fuzz_h1
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
head(enum h1_kind kind, const char *buf, size_t size)
{
	static struct h1_msg whole, step;
	int rw, rs = 0;
	size_t i;

	h1_msg_init(&whole, kind, 0);
	rw = h1_parse(&whole, buf, size);
	h1_msg_init(&step, kind, 0);
	for (i = 1; i <= size; i++) {
		rs = h1_parse(&step, buf, i);
		if (rs != 0)
			break;
	}
	if (rw != rs || (rw > 0 && (whole.flags != step.flags ||
	    whole.nhdrs != step.nhdrs)) || (rw < 0 && whole.err != step.err))
		abort();
}

static void
chunked(const char *buf, size_t size)
{
	struct h1_chunk whole, step;
	size_t used = 0, off = 0, end, u;
	int rw, rs = 0;

	h1_chunk_init(&whole);
	rw = h1_chunk_parse(&whole, buf, size, &used, NULL, NULL);
	h1_chunk_init(&step);
	/* one more byte each call; what is not taken is offered again */
	for (end = 1; end <= size && rs == 0; end++) {
		rs = h1_chunk_parse(&step, buf + off, end - off, &u, NULL,
		    NULL);
		if (rs == 0)
			off += u;
	}
	if ((rw < 0) != (rs < 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	if (size > 65536)
		return 0;
	head(H1_REQUEST, buf, size);
	head(H1_RESPONSE, buf, size);
	chunked(buf, size);
	return 0;
}
