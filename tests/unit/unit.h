/*
 * Shared helpers of the CUnit suites: assertions whose failure message
 * says what was got and what was wanted.
 */
#ifndef WEIR_UNIT_H
#define WEIR_UNIT_H

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#define EXPECT_INT(got, want)						\
	do {								\
		long long g_ = (long long)(got), w_ = (long long)(want);	\
		char m_[512];						\
		snprintf(m_, sizeof(m_), "%s: got %lld, want %lld",	\
		    #got, g_, w_);					\
		CU_assertImplementation(g_ == w_, __LINE__, m_,		\
		    __FILE__, "", CU_FALSE);				\
	} while (0)

#define EXPECT_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		char m_[2048];						\
		snprintf(m_, sizeof(m_), "%s: got \"%s\", want \"%s\"",	\
		    #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
		CU_assertImplementation(g_ && w_ && strcmp(g_, w_) == 0,	\
		    __LINE__, m_, __FILE__, "", CU_FALSE);		\
	} while (0)

#define EXPECT_TRUE(cond)						\
	CU_assertImplementation(!!(cond), __LINE__, "expected: " #cond,	\
	    __FILE__, "", CU_FALSE)

/* Each suite file defines one of these. */
extern CU_TestInfo acl_tests[];
extern CU_TestInfo conf_tests[];
extern CU_TestInfo cookie_tests[];
extern CU_TestInfo diag_tests[];
extern CU_TestInfo examples_tests[];
extern CU_TestInfo graph_tests[];
extern CU_TestInfo h1_tests[];
extern CU_TestInfo http_tests[];
extern CU_TestInfo kw_tests[];
extern CU_TestInfo lb_tests[];
extern CU_TestInfo log_tests[];
extern CU_TestInfo pp_tests[];
extern CU_TestInfo stats_tests[];
extern CU_TestInfo stick_tests[];
extern CU_TestInfo val_tests[];
extern CU_TestInfo verify_tests[];
extern CU_TestInfo tls_tests[];
int tls_tests_init(void);
int tls_tests_clean(void);

/*
 * Whether m is a warning that a setting has no effect yet. The suites
 * leave those out of what they compare; test_kw.c checks them itself.
 */
#define UNIT_INERT(m)	(strstr((m)->text, "has no effect yet") != NULL)

/*
 * Load text as a config named "t.conf" through every pass and return the
 * diagnostics but UNIT_INERT ones, one per line ("" when there are none),
 * in a static buffer.
 */
const char *unit_check(const char *text);
/* The same, keeping the graph (NULL after errors); free with graph_unref. */
struct graph;
struct graph *unit_graph(const char *text, const char **diags);

#endif
