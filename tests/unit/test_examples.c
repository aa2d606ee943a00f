/*
 * Every example configuration in conf/ loads through every pass with no
 * error and no warning: the examples are documentation, and must not rot.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "graph.h"
#include "unit.h"

static void
test_examples_load(void)
{
	DIR *dir = opendir(CONF_EXAMPLES_DIR);
	struct dirent *e;
	unsigned n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	while ((e = readdir(dir)) != NULL) {
		char path[4096], msg[8192], line[1024];
		size_t len = strlen(e->d_name), off = 0;
		struct diag d;
		struct graph *g;
		struct diag_msg *m;

		if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", CONF_EXAMPLES_DIR,
		    e->d_name);
		diag_init(&d);
		g = graph_load_file(path, &d);
		msg[0] = '\0';
		for (m = d.head; m != NULL; m = m->next) {
			if (UNIT_INERT(m)) {
				d.nwarn--;
				continue;
			}
			diag_format(m, line, sizeof(line));
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
			    "%s; ", line);
			if (off >= sizeof(msg))
				break;
		}
		{
			char what[9000];

			snprintf(what, sizeof(what), "%s: %s", e->d_name,
			    msg[0] ? msg : "no graph");
			CU_assertImplementation(g != NULL && d.nerr == 0 &&
			    d.nwarn == 0, __LINE__, what, __FILE__, "",
			    CU_FALSE);
		}
		graph_unref(g);
		diag_reset(&d);
	}
	closedir(dir);
	EXPECT_TRUE(n >= 4);
}

static void
test_quickstart_shape(void)
{
	struct diag d;
	struct graph *g;
	const struct g_frontend *fe;

	diag_init(&d);
	g = graph_load_file(CONF_EXAMPLES_DIR "/quickstart.cfg", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	EXPECT_INT(g->nfrontends, 1);
	EXPECT_INT(g->nbackends, 2);
	EXPECT_INT(g->nservers, 3);
	fe = graph_find_frontend(g, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fe);
	EXPECT_STR(fe->default_be->px.name, "app");
	EXPECT_INT(fe->nswitches, 1);
	EXPECT_STR(fe->switches[0].be->px.name, "api");
	graph_unref(g);
	diag_reset(&d);
}

CU_TestInfo examples_tests[] = {
	{ "every example in conf/ loads with no error or warning that matters",
	    test_examples_load },
	{ "the quickstart routes /api/ to api and the rest to app",
	    test_quickstart_shape },
	CU_TEST_INFO_NULL,
};
