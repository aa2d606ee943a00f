/*
 * Typed values: durations, sizes, integers, addresses and networks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "val.h"

/* The duration s in milliseconds, or -1 when val_duration() refuses it. */
static long long
dur(const char *s)
{
	uint64_t ms = 12345;

	if (val_duration(s, &ms) < 0)
		return -1;
	return (long long)ms;
}

static long long
size(const char *s)
{
	uint64_t b = 12345;

	if (val_size(s, &b) < 0)
		return -1;
	return (long long)b;
}

/* val_addr() then val_addr_str(), or "error: why". */
static const char *
addr(const char *s, unsigned flags)
{
	static char buf[128];
	struct conf_addr a;
	const char *err = NULL;

	if (val_addr(s, flags, &a, &err) < 0) {
		snprintf(buf, sizeof(buf), "error: %s", err ? err : "(null)");
		return buf;
	}
	return val_addr_str(&a, buf, sizeof(buf));
}

static void
test_dur_units(void)
{
	EXPECT_INT(dur("500ms"), 500);
	EXPECT_INT(dur("5s"), 5000);
	EXPECT_INT(dur("2m"), 120000);
	EXPECT_INT(dur("1h"), 3600000);
	EXPECT_INT(dur("1d"), 86400000);
	EXPECT_INT(dur("0s"), 0);
}

static void
test_dur_no_unit(void)
{
	EXPECT_INT(dur("100"), 100);
	EXPECT_INT(dur("0"), 0);
}

static void
test_dur_us(void)
{
	EXPECT_INT(dur("1500us"), 2);
	EXPECT_INT(dur("1us"), 1);
	EXPECT_INT(dur("2000us"), 2);
	EXPECT_INT(dur("0us"), 0);
}

static void
test_dur_bad(void)
{
	EXPECT_INT(dur("5x"), -1);
	EXPECT_INT(dur(""), -1);
	EXPECT_INT(dur("-1"), -1);
	EXPECT_INT(dur("s"), -1);
	EXPECT_INT(dur("5 s"), -1);
	EXPECT_INT(dur(" 5s"), -1);
	EXPECT_INT(dur("5S"), -1);
	EXPECT_INT(dur("5sec"), -1);
	EXPECT_INT(dur("1.5s"), -1);
}

static void
test_dur_overflow(void)
{
	/* 2^64 does not fit; nor does a number of days that overflows */
	EXPECT_INT(dur("18446744073709551616"), -1);
	EXPECT_INT(dur("99999999999999999999999"), -1);
	EXPECT_INT(dur("213503982334602d"), -1);
	EXPECT_INT(dur("18446744073709551615s"), -1);
}

static void
test_dur_untouched_on_error(void)
{
	uint64_t ms = 77;

	EXPECT_INT(val_duration("bad", &ms), -1);
	EXPECT_INT(ms, 77);
}

static void
test_size_units(void)
{
	EXPECT_INT(size("16384"), 16384);
	EXPECT_INT(size("16k"), 16384);
	EXPECT_INT(size("16K"), 16384);
	EXPECT_INT(size("1m"), 1048576);
	EXPECT_INT(size("2G"), 2147483648LL);
	EXPECT_INT(size("0"), 0);
}

static void
test_size_bad(void)
{
	EXPECT_INT(size(""), -1);
	EXPECT_INT(size("k"), -1);
	EXPECT_INT(size("1kb"), -1);
	EXPECT_INT(size("-1"), -1);
	EXPECT_INT(size("1t"), -1);
	EXPECT_INT(size("17179869184g"), -1);
}

static void
test_int_in_range(void)
{
	long long v = 0;

	EXPECT_INT(val_int("5", 0, 10, &v), 0);
	EXPECT_INT(v, 5);
	EXPECT_INT(val_int("-3", -5, 5, &v), 0);
	EXPECT_INT(v, -3);
	EXPECT_INT(val_int("10", 0, 10, &v), 0);
	EXPECT_INT(v, 10);
}

static void
test_int_not_a_number(void)
{
	long long v = 99;

	EXPECT_INT(val_int("x", 0, 10, &v), -1);
	EXPECT_INT(val_int("", 0, 10, &v), -1);
	EXPECT_INT(val_int(" 5", 0, 10, &v), -1);
	EXPECT_INT(val_int("5 ", 0, 10, &v), -1);
	EXPECT_INT(val_int("5k", 0, 10, &v), -1);
	EXPECT_INT(val_int("+7", 0, 10, &v), -1);
	EXPECT_INT(val_int("-", 0, 10, &v), -1);
	EXPECT_INT(v, 99);
}

static void
test_int_out_of_range(void)
{
	long long v = 0;

	EXPECT_INT(val_int("11", 0, 10, &v), -2);
	EXPECT_INT(v, 11);
	EXPECT_INT(val_int("-1", 0, 10, &v), -2);
	EXPECT_INT(v, -1);
	EXPECT_INT(val_int("99999999999999999999", 0, 10, &v), -2);
	EXPECT_INT(v, INT64_MAX);
	EXPECT_INT(val_int("-99999999999999999999", 0, 10, &v), -2);
	EXPECT_INT(v, INT64_MIN);
}

static void
test_addr_ipv4(void)
{
	EXPECT_STR(addr("1.2.3.4:80", 0), "1.2.3.4:80");
	EXPECT_STR(addr("1.2.3.4:65535", VAL_ADDR_NEED_PORT),
	    "1.2.3.4:65535");
	EXPECT_STR(addr("1.2.3.4:1", 0), "1.2.3.4:1");
}

static void
test_addr_wildcard(void)
{
	EXPECT_STR(addr(":80", VAL_ADDR_WILDCARD), "0.0.0.0:80");
	EXPECT_STR(addr("*:80", VAL_ADDR_WILDCARD), "0.0.0.0:80");
	EXPECT_STR(addr(":80", 0), "error: an address is needed");
	EXPECT_STR(addr("*:80", 0), "error: an address is needed");
	EXPECT_STR(addr("*:80", VAL_ADDR_RESOLVE),
	    "error: an address is needed");
}

static void
test_addr_ipv6(void)
{
	EXPECT_STR(addr("[::1]:8080", 0), "[::1]:8080");
	EXPECT_STR(addr("::1:80", 0), "[::1]:80");
	EXPECT_STR(addr("[2001:db8::1]:443", VAL_ADDR_NEED_PORT),
	    "[2001:db8::1]:443");
	EXPECT_STR(addr("[::]:80", VAL_ADDR_WILDCARD), "[::]:80");
}

static void
test_addr_bad_brackets(void)
{
	EXPECT_STR(addr("[::1:80", 0), "error: missing ']'");
	EXPECT_STR(addr("[::1]x", 0), "error: unexpected text after ']'");
	EXPECT_STR(addr("[nonsense]:80", 0),
	    "error: not an IPv4 or IPv6 address");
}

static void
test_addr_port_needed(void)
{
	EXPECT_STR(addr("1.2.3.4", VAL_ADDR_NEED_PORT),
	    "error: a port is needed");
	EXPECT_STR(addr("[::1]", VAL_ADDR_NEED_PORT),
	    "error: a port is needed");
	EXPECT_STR(addr("1.2.3.4", 0), "1.2.3.4:0");
	EXPECT_STR(addr("[::1]", 0), "[::1]:0");
}

static void
test_addr_port_range(void)
{
	EXPECT_STR(addr("1.2.3.4:0", 0), "error: port must be 1..65535");
	EXPECT_STR(addr("1.2.3.4:65536", 0), "error: port must be 1..65535");
	EXPECT_STR(addr("1.2.3.4:-1", 0), "error: port must be 1..65535");
	EXPECT_STR(addr("1.2.3.4:+80", 0), "error: port must be 1..65535");
	EXPECT_STR(addr("1.2.3.4:", 0), "error: port must be 1..65535");
	EXPECT_STR(addr("1.2.3.4:http", 0), "error: port must be 1..65535");
}

static void
test_addr_names(void)
{
	struct conf_addr a;
	const char *err = NULL;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

	EXPECT_STR(addr("localhost:80", 0),
	    "error: not an IPv4 or IPv6 address");
	EXPECT_STR(addr("localhost:80", VAL_ADDR_NEED_PORT |
	    VAL_ADDR_WILDCARD), "error: not an IPv4 or IPv6 address");
	EXPECT_INT(val_addr("localhost:80", VAL_ADDR_RESOLVE, &a, &err), 0);
	EXPECT_TRUE(a.ss.ss_family == AF_INET || a.ss.ss_family == AF_INET6);
	/* the port sits at the same offset in both families */
	EXPECT_INT(ntohs(sin->sin_port), 80);
}

static void
test_addr_str_none(void)
{
	struct conf_addr a;
	char buf[64];

	memset(&a, 0, sizeof(a));
	EXPECT_STR(val_addr_str(&a, buf, sizeof(buf)), "(none)");
}

static void
test_addr_len(void)
{
	struct conf_addr a;
	const char *err;

	EXPECT_INT(val_addr("1.2.3.4:80", 0, &a, &err), 0);
	EXPECT_INT(a.len, sizeof(struct sockaddr_in));
	EXPECT_INT(val_addr("[::1]:80", 0, &a, &err), 0);
	EXPECT_INT(a.len, sizeof(struct sockaddr_in6));
}

static void
test_addr_eq(void)
{
	struct conf_addr a, b;
	const char *err;

	val_addr("1.2.3.4:80", 0, &a, &err);
	val_addr("1.2.3.4:80", 0, &b, &err);
	EXPECT_TRUE(val_addr_eq(&a, &b));
	val_addr("1.2.3.4:81", 0, &b, &err);
	EXPECT_TRUE(!val_addr_eq(&a, &b));
	val_addr("1.2.3.5:80", 0, &b, &err);
	EXPECT_TRUE(!val_addr_eq(&a, &b));
	val_addr("[::1]:80", 0, &a, &err);
	val_addr("::1:80", 0, &b, &err);
	EXPECT_TRUE(val_addr_eq(&a, &b));
	val_addr("[::2]:80", 0, &b, &err);
	EXPECT_TRUE(!val_addr_eq(&a, &b));
	/* 0.0.0.0:80 and [::]:80 are different families */
	val_addr(":80", VAL_ADDR_WILDCARD, &a, &err);
	val_addr("[::]:80", 0, &b, &err);
	EXPECT_TRUE(!val_addr_eq(&a, &b));
	val_addr("*:80", VAL_ADDR_WILDCARD, &b, &err);
	EXPECT_TRUE(val_addr_eq(&a, &b));
}

static void
test_net_ok(void)
{
	struct conf_addr a;
	unsigned bits = 0;
	char buf[64];

	EXPECT_INT(val_net("10.0.0.0/8", &a, &bits), 0);
	EXPECT_INT(bits, 8);
	EXPECT_STR(val_addr_str(&a, buf, sizeof(buf)), "10.0.0.0:0");
	EXPECT_INT(val_net("::1/128", &a, &bits), 0);
	EXPECT_INT(bits, 128);
	EXPECT_STR(val_addr_str(&a, buf, sizeof(buf)), "[::1]:0");
	EXPECT_INT(val_net("0.0.0.0/0", &a, &bits), 0);
	EXPECT_INT(bits, 0);
}

static void
test_net_single(void)
{
	struct conf_addr a;
	unsigned bits = 0;

	EXPECT_INT(val_net("192.168.1.1", &a, &bits), 0);
	EXPECT_INT(bits, 32);
	EXPECT_INT(val_net("2001:db8::1", &a, &bits), 0);
	EXPECT_INT(bits, 128);
}

static void
test_net_bad(void)
{
	struct conf_addr a;
	unsigned bits;

	EXPECT_INT(val_net("10.0.0.0/33", &a, &bits), -1);
	EXPECT_INT(val_net("::1/129", &a, &bits), -1);
	EXPECT_INT(val_net("10.0.0.0/", &a, &bits), -1);
	EXPECT_INT(val_net("10.0.0.0/-1", &a, &bits), -1);
	EXPECT_INT(val_net("10.0.0.0/+8", &a, &bits), -1);
	EXPECT_INT(val_net("10.0.0.0/8x", &a, &bits), -1);
	EXPECT_INT(val_net("/8", &a, &bits), -1);
	EXPECT_INT(val_net("example.com/8", &a, &bits), -1);
	EXPECT_INT(val_net("", &a, &bits), -1);
}

CU_TestInfo val_tests[] = {
	{ "durations take ms, s, m, h and d", test_dur_units },
	{ "a duration with no unit is milliseconds", test_dur_no_unit },
	{ "microseconds round up to a whole millisecond", test_dur_us },
	{ "a duration with a bad unit, a sign or no digits is refused",
	    test_dur_bad },
	{ "a duration that overflows is refused", test_dur_overflow },
	{ "a refused duration leaves its output alone",
	    test_dur_untouched_on_error },
	{ "sizes take k, m and g in either case as powers of 1024",
	    test_size_units },
	{ "a size with a bad suffix, a sign or an overflow is refused",
	    test_size_bad },
	{ "an integer within its range is read, negative ones too",
	    test_int_in_range },
	{ "an integer with blanks, letters or a plus is not a number",
	    test_int_not_a_number },
	{ "an integer outside its range is -2 and clamped",
	    test_int_out_of_range },
	{ "an IPv4 address and port is read", test_addr_ipv4 },
	{ "':80' and '*:80' are wildcards only when allowed",
	    test_addr_wildcard },
	{ "IPv6 addresses are read with or without brackets",
	    test_addr_ipv6 },
	{ "malformed brackets are refused with a reason",
	    test_addr_bad_brackets },
	{ "a missing port is an error only when one is needed",
	    test_addr_port_needed },
	{ "ports 0, 65536, signed or empty are refused",
	    test_addr_port_range },
	{ "host names are resolved only with VAL_ADDR_RESOLVE",
	    test_addr_names },
	{ "an unset address prints as (none)", test_addr_str_none },
	{ "an address records the length of its family", test_addr_len },
	{ "addresses are equal when family, address and port are",
	    test_addr_eq },
	{ "networks take a prefix length", test_net_ok },
	{ "a network without a prefix is a single host", test_net_single },
	{ "a prefix too long, signed, empty or trailing junk is refused",
	    test_net_bad },
	CU_TEST_INFO_NULL,
};
