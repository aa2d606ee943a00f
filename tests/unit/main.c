/*
 * The CUnit runner. It prints TAP (one "ok"/"not ok" line per test) so the
 * automake TAP driver counts every test, and failure messages as TAP
 * comments.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>

#include "diag.h"
#include "graph.h"
#include "unit.h"

static unsigned tap_n;

static void
on_complete(const CU_pTest test, const CU_pSuite suite,
    const CU_pFailureRecord fail)
{
	const CU_FailureRecord *f;

	tap_n++;
	printf("%s %u - %s: %s\n", fail ? "not ok" : "ok", tap_n,
	    suite->pName, test->pName);
	for (f = fail; f != NULL; f = f->pNext)
		printf("# %s:%u: %s\n", f->strFileName, f->uiLineNumber,
		    f->strCondition);
}

static char unit_buf[65536];

struct graph *
unit_graph(const char *text, const char **diags)
{
	struct diag d;
	struct graph *g;
	struct diag_msg *m;
	size_t off = 0;

	diag_init(&d);
	g = graph_load_string("t.conf", text, strlen(text), &d);
	unit_buf[0] = '\0';
	for (m = d.head; m != NULL && off < sizeof(unit_buf) - 1;
	    m = m->next) {
		int n;

		if (UNIT_INERT(m))
			continue;
		n = diag_format(m, unit_buf + off, sizeof(unit_buf) - off);

		if (n < 0)
			break;
		off += (size_t)n;
		if (off >= sizeof(unit_buf) - 1)
			break;
		unit_buf[off++] = '\n';
		unit_buf[off] = '\0';
	}
	diag_reset(&d);
	if (diags != NULL)
		*diags = unit_buf;
	return g;
}

const char *
unit_check(const char *text)
{
	const char *out;

	graph_unref(unit_graph(text, &out));
	return out;
}

int
main(int argc, char **argv)
{
	CU_SuiteInfo suites[] = {
		{ "acl", NULL, NULL, NULL, NULL, acl_tests },
		{ "conf", NULL, NULL, NULL, NULL, conf_tests },
		{ "cookie", NULL, NULL, NULL, NULL, cookie_tests },
		{ "diag", NULL, NULL, NULL, NULL, diag_tests },
		{ "examples", NULL, NULL, NULL, NULL, examples_tests },
		{ "graph", NULL, NULL, NULL, NULL, graph_tests },
		{ "h1", NULL, NULL, NULL, NULL, h1_tests },
		{ "http", NULL, NULL, NULL, NULL, http_tests },
		{ "kw", NULL, NULL, NULL, NULL, kw_tests },
		{ "lb", NULL, NULL, NULL, NULL, lb_tests },
		{ "log", NULL, NULL, NULL, NULL, log_tests },
		{ "pp", NULL, NULL, NULL, NULL, pp_tests },
		{ "stats", NULL, NULL, NULL, NULL, stats_tests },
		{ "stick", NULL, NULL, NULL, NULL, stick_tests },
		{ "val", NULL, NULL, NULL, NULL, val_tests },
		{ "verify", NULL, NULL, NULL, NULL, verify_tests },
		{ "tls", tls_tests_init, tls_tests_clean, NULL, NULL,
		    tls_tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned total = 0, failed;
	CU_SuiteInfo *s;
	CU_TestInfo *t;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s\n", CU_get_error_msg());
		return 99;
	}
	for (s = suites; s->pName != NULL; s++)
		for (t = s->pTests; t->pName != NULL; t++)
			total++;
	printf("1..%u\n", total);
	CU_set_test_complete_handler(on_complete);
	CU_run_all_tests();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
