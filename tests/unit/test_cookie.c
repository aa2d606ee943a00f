/*
 * Sticky cookies: finding weir's cookie, taking it out or off, dated
 * values.
 */
#include "config.h"

#include <string.h>

#include "cookie.h"
#include "unit.h"

static const char *
find(const char *v, const char *name)
{
	static char out[128];
	size_t vo, vl;

	if (!cookie_find(v, strlen(v), name, strlen(name), &vo, &vl))
		return "(none)";
	memcpy(out, v + vo, vl);
	out[vl] = '\0';
	return out;
}

static void
test_find(void)
{
	EXPECT_STR(find("SRV=a", "SRV"), "a");
	EXPECT_STR(find("x=1; SRV=b; y=2", "SRV"), "b");
	EXPECT_STR(find("x=1;SRV=c", "SRV"), "c");
	EXPECT_STR(find("XSRV=d; SRVX=e", "SRV"), "(none)");
	EXPECT_STR(find("a=1, SRV = f ", "SRV"), "f");
	EXPECT_STR(find("SRV=", "SRV"), "");
	EXPECT_STR(find("", "SRV"), "(none)");
}

static const char *
strip(const char *v, bool drop)
{
	static char out[128];
	size_t off = 0;

	if (!cookie_strip(out, sizeof(out) - 1, &off, v, strlen(v), "SRV", 3,
	    drop))
		return "(too long)";
	out[off] = '\0';
	return out;
}

static void
test_strip(void)
{
	EXPECT_STR(strip("a=1; SRV=x; b=2", true), "a=1; b=2");
	EXPECT_STR(strip("SRV=x", true), "");
	EXPECT_STR(strip("SRV=one~abc; b=2", false), "SRV=abc; b=2");
	EXPECT_STR(strip("a; SRV=one~", false), "a; SRV=");
	EXPECT_STR(strip("SRV=plain", false), "SRV=plain");
}

static void
test_dated(void)
{
	char v[64];
	uint64_t last, first;
	size_t n = cookie_value(v, sizeof(v), "srv1", true, 1700000000,
	    1600000000);

	CU_ASSERT(n > 4);
	CU_ASSERT_EQUAL(cookie_parse(v, n, &last, &first), 4);
	CU_ASSERT_EQUAL(last, 1700000000);
	CU_ASSERT_EQUAL(first, 1600000000);
	n = cookie_value(v, sizeof(v), "srv1", false, 1, 1);
	EXPECT_STR(v, "srv1");
	CU_ASSERT_EQUAL(cookie_parse(v, n, &last, &first), 4);
	CU_ASSERT_EQUAL(last, 0);
	/* a forged date is no date */
	CU_ASSERT_EQUAL(cookie_parse("s|ZZ|!!", 7, &last, &first), 1);
	CU_ASSERT_EQUAL(last, 0);
	CU_ASSERT_EQUAL(first, 0);
}

CU_TestInfo cookie_tests[] = {
	{ "the cookie is found among others", test_find },
	{ "indirect drops it, prefix takes the mark off", test_strip },
	{ "dated values carry their times", test_dated },
	CU_TEST_INFO_NULL,
};
