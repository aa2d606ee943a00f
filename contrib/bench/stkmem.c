/*
 * stkmem: the memory a stick-table entry takes, measured. For each kind
 * of table below, a child process makes the table through src/stick.h,
 * tracks N distinct keys as requests do (stk_track with a reference,
 * conn_cur up and down, stk_release), and reports the growth of malloc's
 * accounting and of the resident set, per entry, beside what the
 * structure says (sizeof(struct stk_entry) + key, stk_entry_size()).
 *
 * Built by hand against a build's libweir.a, from the top of the build
 * (see contrib/bench/README; it is not part of make check):
 *   make libweir.a
 *   cc -O2 -Isrc -o contrib/bench/stkmem contrib/bench/stkmem.c libweir.a \
 *       -lpthread
 *   contrib/bench/stkmem [N]    N distinct keys, 1000000 by default
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stick.h"

struct variant {
	const char *name;	/* as a stick-table line would say it */
	enum stk_type type;
	unsigned len;		/* string keys: their length */
	unsigned store;		/* STK_* */
	unsigned add;		/* rates a request counts: 1 << enum stk_data */
	bool conn;		/* conn_cur goes up and down */
};

/* clang-format off */
static const struct variant variants[] = {
	{ "type ip store http_req_rate(10s)", STK_IP, 0,
	  STK_HTTP_REQ_RATE, 1u << STK_D_HTTP_REQ_RATE, false },
	{ "type ip store conn_cur,conn_rate(10s)", STK_IP, 0,
	  STK_CONN_CUR | STK_CONN_RATE, 1u << STK_D_CONN_RATE, true },
	{ "type string len 32 store http_req_rate(10s)", STK_STRING, 32,
	  STK_HTTP_REQ_RATE, 1u << STK_D_HTTP_REQ_RATE, false },
};
/* clang-format on */

/* Bytes malloc holds for the program: in use, and taken from the system. */
static void
heap(size_t *used, size_t *system)
{
	struct mallinfo2 mi = mallinfo2();

	*used = mi.uordblks + mi.hblkhd;
	*system = mi.arena + mi.hblkhd;
}

/* The resident set, in bytes (/proc/self/statm, second field). */
static size_t
rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Key i of table t: an IPv4 address (10.0.0.0 + i, made by stk_key_ip()
 * from a sockaddr, as a request's source is) or a string of len bytes.
 * Returns its length.
 */
static size_t
key_of(const struct stk_table *t, const struct variant *v, unsigned i,
    unsigned char *out)
{
	if (v->type == STK_STRING) {
		char s[STK_KEY_MAX + 1];

		snprintf(s, sizeof(s), "client-%0*u", (int)v->len - 7, i);
		memcpy(out, s, v->len);
		return v->len;
	} else {
		struct sockaddr_in sa = { .sin_family = AF_INET };

		sa.sin_addr.s_addr = htonl(0x0a000000u + i);
		return stk_key_ip(t, &sa, out);
	}
}

/* One kind of table, in the calling (child) process: 0, or 1 on failure. */
static int
measure(const struct variant *v, unsigned n)
{
	struct stk_def def = {
		.type = v->type,
		.len = v->len,
		.size = n,
		.expire_ms = 60000,
		.store = v->store,
	};
	unsigned char key[STK_KEY_MAX];
	size_t used0, sys0, used1, sys1, rss0, rss1, klen = 0, buckets = 0;
	struct stk_table *t;
	uint64_t now = 1000000;
	unsigned i, bad = 0;	/* keys missing or miscounted */
	double t0, t1, t2;

	def.period_ms[STK_D_HTTP_REQ_RATE] = 10000;
	def.period_ms[STK_D_CONN_RATE] = 10000;
	heap(&used0, &sys0);
	rss0 = rss();
	if ((t = stk_new("m", &def)) == NULL)
		return 1;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		struct stk_entry *e;

		klen = key_of(t, v, i, key);
		e = stk_track(t, key, klen, v->add, true, now);
		if (e == NULL)
			return fprintf(stderr, "stkmem: out of memory\n"), 1;
		if (v->conn) {
			stk_conn(t, e, 1);
			stk_conn(t, e, -1);
		}
		stk_release(t, e, now);
	}
	t1 = now_s();
	heap(&used1, &sys1);
	rss1 = rss();
	/* every key is there once, counted once, and none was pushed out */
	for (i = 0; i < n; i++) {
		enum stk_data d = v->add & 1u << STK_D_CONN_RATE ?
		    STK_D_CONN_RATE : STK_D_HTTP_REQ_RATE;

		klen = key_of(t, v, i, key);
		bad += stk_lookup_rate(t, key, klen, d, now) != 1;
	}
	t2 = now_s();
	for (i = 0; i < STK_SHARDS; i++)
		buckets += t->shards[i].nbuckets * sizeof(struct stk_entry *);
	printf("%s, %u keys of %zu bytes: %u entries, %lu evicted, %u bad\n",
	    v->name, n, klen, atomic_load(&t->n),
	    (unsigned long)atomic_load(&t->evicted), bad);
	printf("  malloc in use      %7.1f B/entry\n",
	    (double)(used1 - used0) / n);
	printf("  malloc from system %7.1f B/entry\n",
	    (double)(sys1 - sys0) / n);
	printf("  RSS                %7.1f B/entry\n",
	    (double)(rss1 - rss0) / n);
	printf("  sizeof(struct stk_entry) + key = %zu + %zu = %zu B;"
	    " malloc chunk %zu B; buckets %.1f B/entry;"
	    " stk_entry_size() %zu B\n",
	    sizeof(struct stk_entry), klen, sizeof(struct stk_entry) + klen,
	    (sizeof(struct stk_entry) + klen + sizeof(size_t) + 15) & ~15ul,
	    (double)buckets / n, stk_entry_size(t));
	printf("  time (for reference): %.0f ns per new key, %.0f ns per "
	    "lookup\n", (t1 - t0) * 1e9 / n, (t2 - t1) * 1e9 / n);
	bad += atomic_load(&t->evicted) != 0;
	stk_free(t);
	return bad != 0;
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
	size_t i;
	int rc = 0;

	if (n == 0 || n > 16000000)
		return fprintf(stderr, "usage: stkmem [N, 1..16000000]\n"), 2;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		/* a fresh process each: no heap left over from the last */
		pid_t p;
		int st;

		fflush(stdout);
		if ((p = fork()) < 0)
			return perror("fork"), 2;
		if (p == 0) {
			int r = measure(&variants[i], n);

			fflush(stdout);
			_exit(r);
		}
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}
