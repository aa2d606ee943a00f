/*
 * Diagnostics: recording, sorting, formatting, and the "did you mean"
 * machinery (edit distance, best match).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "unit.h"

/* Every message of d, formatted, one per line. */
static const char *
all(const struct diag *d)
{
	static char out[4096];
	const struct diag_msg *m;
	size_t off = 0;

	out[0] = '\0';
	for (m = d->head; m != NULL && off < sizeof(out); m = m->next) {
		char line[512];

		diag_format(m, line, sizeof(line));
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s\n",
		    line);
	}
	return out;
}

static void
test_distance_kitten(void)
{
	EXPECT_INT(diag_distance("kitten", "sitting"), 3);
	EXPECT_INT(diag_distance("sitting", "kitten"), 3);
}

static void
test_distance_swap(void)
{
	EXPECT_INT(diag_distance("ab", "ba"), 1);
	EXPECT_INT(diag_distance("balance", "balacne"), 1);
	EXPECT_INT(diag_distance("roundrobin", "roundrboin"), 1);
}

static void
test_distance_edges(void)
{
	EXPECT_INT(diag_distance("", ""), 0);
	EXPECT_INT(diag_distance("same", "same"), 0);
	EXPECT_INT(diag_distance("abc", ""), 3);
	EXPECT_INT(diag_distance("", "abc"), 3);
	EXPECT_INT(diag_distance("balance", "balanse"), 1);
	EXPECT_INT(diag_distance("Mode", "mode"), 1);
}

static void
test_distance_long(void)
{
	char big[100];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_INT(diag_distance(big, "a"), UINT32_MAX);
	EXPECT_INT(diag_distance("a", big), UINT32_MAX);
}

struct row {
	const char *name;
	int other;
};

static const struct row rows[] = {
	{ "balance", 1 },
	{ "bind", 2 },
	{ NULL, 3 },
	{ "mode", 4 },
	{ "timeout", 5 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const char *
best(const char *word)
{
	const char *b = diag_best_match(word, rows, NROWS, sizeof(rows[0]));

	return b ? b : "(none)";
}

static void
test_best_typo(void)
{
	EXPECT_STR(best("balanse"), "balance");
	EXPECT_STR(best("timout"), "timeout");
	EXPECT_STR(best("mdoe"), "mode");
	EXPECT_STR(best("bnid"), "bind");
}

static void
test_best_unrelated(void)
{
	EXPECT_STR(best("frobnicate"), "(none)");
	EXPECT_STR(best("xyz"), "(none)");
	EXPECT_STR(best("server"), "(none)");
	/* two edits are too many in a short word */
	EXPECT_STR(best("mxye"), "(none)");
}

static void
test_best_threshold(void)
{
	/* about a third of the letters of a long word may differ */
	EXPECT_STR(best("timxxxt"), "timeout");
	EXPECT_STR(best("tixxxxt"), "(none)");
	EXPECT_STR(best("baalnec"), "balance");
}

static void
test_best_skips_null(void)
{
	static const struct row only_null[] = { { NULL, 0 }, { NULL, 1 } };

	EXPECT_TRUE(diag_best_match("x", only_null, 2,
	    sizeof(only_null[0])) == NULL);
	EXPECT_TRUE(diag_best_match("x", rows, 0, sizeof(rows[0])) == NULL);
}

static void
test_counts(void)
{
	struct diag d;
	struct loc l = { "a.conf", 1, 1 };

	diag_init(&d);
	diag_error(&d, &l, "e1");
	diag_warn(&d, &l, "w1");
	diag_error(&d, NULL, "e2");
	EXPECT_INT(d.nerr, 2);
	EXPECT_INT(d.nwarn, 1);
	EXPECT_INT(d.nmsg, 3);
	diag_reset(&d);
	EXPECT_INT(d.nerr, 0);
	EXPECT_INT(d.nwarn, 0);
	EXPECT_TRUE(d.head == NULL);
	diag_error(&d, &l, "again");
	EXPECT_STR(all(&d), "a.conf:1:1: error: again\n");
	diag_reset(&d);
}

static void
test_format_printf(void)
{
	struct diag d;
	struct loc l = { "a.conf", 12, 7 };

	diag_init(&d);
	diag_error(&d, &l, "'%s' must be %d..%d", "nbthread", 1, 64);
	EXPECT_STR(all(&d), "a.conf:12:7: error: 'nbthread' must be 1..64\n");
	diag_reset(&d);
}

static void
test_format_places(void)
{
	struct diag d;
	struct loc whole = { "a.conf", 0, 0 };
	struct loc nofile = { NULL, 3, 4 };

	diag_init(&d);
	diag_warn(&d, &whole, "about the file");
	diag_error(&d, NULL, "about nothing");
	diag_error(&d, &nofile, "about a line of no file");
	EXPECT_STR(all(&d), "a.conf: warning: about the file\n"
	    "error: about nothing\n"
	    "error: about a line of no file\n");
	diag_reset(&d);
}

static void
test_format_truncates(void)
{
	struct diag d;
	struct loc l = { "a.conf", 1, 2 };
	char buf[10];
	int n;

	diag_init(&d);
	diag_error(&d, &l, "a long message");
	n = diag_format(d.head, buf, sizeof(buf));
	EXPECT_INT(n, (int)strlen("a.conf:1:2: error: a long message"));
	EXPECT_STR(buf, "a.conf:1:");
	diag_reset(&d);
}

static void
test_format_copies_file(void)
{
	struct diag d;
	char name[] = "a.conf";
	struct loc l = { name, 1, 1 };

	diag_init(&d);
	diag_error(&d, &l, "x");
	name[0] = 'b';
	EXPECT_STR(all(&d), "a.conf:1:1: error: x\n");
	diag_reset(&d);
}

static void
test_sort_line_col(void)
{
	struct diag d;
	struct loc l3 = { "a.conf", 3, 1 }, l1c5 = { "a.conf", 1, 5 },
	    l1c2 = { "a.conf", 1, 2 };

	diag_init(&d);
	diag_error(&d, &l3, "third");
	diag_warn(&d, &l1c5, "second");
	diag_error(&d, &l1c2, "first");
	diag_sort(&d);
	EXPECT_STR(all(&d), "a.conf:1:2: error: first\n"
	    "a.conf:1:5: warning: second\n"
	    "a.conf:3:1: error: third\n");
	/* the tail still points at the last message */
	diag_error(&d, &l3, "appended");
	EXPECT_STR(d.head->next->next->next->text, "appended");
	diag_reset(&d);
}

static void
test_sort_stable(void)
{
	struct diag d;
	struct loc l = { "a.conf", 2, 3 };
	char want[256];
	size_t off = 0;
	int i;

	diag_init(&d);
	for (i = 0; i < 5; i++) {
		diag_error(&d, &l, "msg %d", i);
		off += (size_t)snprintf(want + off, sizeof(want) - off,
		    "a.conf:2:3: error: msg %d\n", i);
	}
	diag_sort(&d);
	EXPECT_STR(all(&d), want);
	diag_reset(&d);
}

static void
test_sort_files(void)
{
	struct diag d;
	struct loc b3 = { "b.conf", 3, 1 }, a1 = { "a.conf", 1, 5 },
	    b1 = { "b.conf", 1, 2 }, a0 = { "a.conf", 0, 0 };

	diag_init(&d);
	diag_error(&d, &b3, "b3");
	diag_warn(&d, &a1, "a1");
	diag_error(&d, NULL, "nowhere");
	diag_error(&d, &b1, "b1");
	diag_error(&d, &a0, "a0");
	diag_sort(&d);
	/* files in the order they were first mentioned, then by line */
	EXPECT_STR(all(&d), "b.conf:1:2: error: b1\n"
	    "b.conf:3:1: error: b3\n"
	    "a.conf: error: a0\n"
	    "a.conf:1:5: warning: a1\n"
	    "error: nowhere\n");
	diag_reset(&d);
}

static void
test_sort_tiny(void)
{
	struct diag d;
	struct loc l = { "a.conf", 1, 1 };

	diag_init(&d);
	diag_sort(&d);
	EXPECT_TRUE(d.head == NULL);
	diag_error(&d, &l, "one");
	diag_sort(&d);
	EXPECT_STR(all(&d), "a.conf:1:1: error: one\n");
	diag_reset(&d);
}

static void
test_cap(void)
{
	struct diag d;
	struct loc l = { "a.conf", 1, 1 };
	const struct diag_msg *m;
	unsigned i, n = 0;

	diag_init(&d);
	for (i = 0; i < DIAG_MAX_MSGS + 5; i++)
		diag_error(&d, &l, "e%u", i);
	for (m = d.head; m != NULL; m = m->next)
		n++;
	EXPECT_INT(n, DIAG_MAX_MSGS);
	EXPECT_INT(d.dropped, 5);
	/* every error still counts, shown or not */
	EXPECT_INT(d.nerr, DIAG_MAX_MSGS + 5);
	diag_reset(&d);
}

static void
test_print(void)
{
	struct diag d;
	struct loc l = { "a.conf", 4, 2 };
	const char *tail;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	unsigned i;

	diag_init(&d);
	diag_warn(&d, &l, "careful");
	for (i = 0; i < DIAG_MAX_MSGS + 1; i++)
		diag_error(&d, &l, "e");
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	diag_print(&d, f);
	fclose(f);
	EXPECT_TRUE(strncmp(buf, "a.conf:4:2: warning: careful\n"
	    "a.conf:4:2: error: e\n", 50) == 0);
	tail = "\na.conf:4:2: error: e\n(2 more messages not shown)\n";
	EXPECT_TRUE(len > strlen(tail));
	EXPECT_STR(buf + len - strlen(tail), tail);
	free(buf);
	diag_reset(&d);
}

CU_TestInfo diag_tests[] = {
	{ "kitten to sitting is three edits", test_distance_kitten },
	{ "a swap of two neighbours is one edit", test_distance_swap },
	{ "the distance to or from an empty word is its length",
	    test_distance_edges },
	{ "words longer than 64 bytes are infinitely far",
	    test_distance_long },
	{ "a typo of a table name is suggested", test_best_typo },
	{ "no suggestion for an unrelated word", test_best_unrelated },
	{ "long words allow about a third of their letters to differ",
	    test_best_threshold },
	{ "rows with no name and empty tables suggest nothing",
	    test_best_skips_null },
	{ "errors and warnings are counted and reset", test_counts },
	{ "messages are formatted as printf does", test_format_printf },
	{ "a message without a line or a file says less",
	    test_format_places },
	{ "formatting into a small buffer truncates and wants the length",
	    test_format_truncates },
	{ "a message keeps its own copy of the file name",
	    test_format_copies_file },
	{ "messages sort by line then column", test_sort_line_col },
	{ "messages at one place keep their order", test_sort_stable },
	{ "files sort in the order of their first mention",
	    test_sort_files },
	{ "sorting no message or one is harmless", test_sort_tiny },
	{ "past the cap messages are counted but dropped", test_cap },
	{ "printing says how many messages were dropped", test_print },
	CU_TEST_INFO_NULL,
};
