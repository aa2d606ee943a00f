/*
 * libFuzzer target: any bytes as lb.conf, through every pass. It must
 * never crash, hang, leak or read out of bounds; errors are expected.
 * Build: ./configure CC=clang --enable-fuzz && make tests/fuzz/fuzz_conf
 * Run:   tests/fuzz/fuzz_conf -max_len=4096 conf/
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	struct graph *g;

	diag_init(&d);
	g = graph_load_string("fuzz.conf", (const char *)data, size, &d);
	graph_unref(g);
	diag_reset(&d);
	return 0;
}
