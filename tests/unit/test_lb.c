/*
 * Balancers at pick time: lb_pick() over graphs built from config text,
 * with a state store attached so that maxconn and leastconn see the
 * servers' connection counts. The tables themselves are test_graph.c's.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "graph.h"
#include "lb.h"
#include "state.h"
#include "unit.h"

#define DEFAULTS							\
	"defaults\n"							\
	"  timeout connect 5s\n"					\
	"  timeout client 30s\n"					\
	"  timeout server 30s\n"

/* Expect lo <= n <= hi; a failure shows n. */
#define EXPECT_SHARE(n, lo, hi)						\
	do {								\
		unsigned n_ = (n);					\
		char m_[128];						\
		snprintf(m_, sizeof(m_), "%s: got %u, want %u..%u",	\
		    #n, n_, (unsigned)(lo), (unsigned)(hi));		\
		CU_assertImplementation(n_ >= (lo) && n_ <= (hi),	\
		    __LINE__, m_, __FILE__, "", CU_FALSE);		\
	} while (0)

/* What a worker thread brings to lb_pick(): a graph, its state, cursors. */
struct fx {
	struct graph *g;
	struct state_store *st;
	const struct g_backend *be;	/* backend "b" */
	unsigned rr_pos;
	uint64_t rng;
	uint8_t tried[LB_TRIED_MAX / 8];
};

/*
 * Build DEFAULTS "backend b\n" body, attach a fresh state store and fill
 * f. Returns 0, or -1 (with a failed assertion) when that did not work.
 */
static int
fx_open(struct fx *f, const char *body)
{
	static char text[65536];
	const char *d;

	memset(f, 0, sizeof(*f));
	f->rng = 42;
	snprintf(text, sizeof(text), DEFAULTS "backend b\n%s", body);
	f->g = unit_graph(text, &d);
	if (f->g == NULL || strstr(d, "error") != NULL) {
		EXPECT_STR(d, "(no error)");
		return -1;
	}
	f->st = state_new();
	if (f->st == NULL || state_attach(f->st, f->g) < 0) {
		CU_FAIL("state_attach");
		return -1;
	}
	f->be = graph_find_backend(f->g, "b");
	if (f->be == NULL) {
		CU_FAIL("no backend b");
		return -1;
	}
	return 0;
}

/* Free what fx_open() made, even when it failed half way. */
static void
fx_close(struct fx *f)
{
	graph_unref(f->g);
	state_free(f->st);
	memset(f, 0, sizeof(*f));
}

#define OPEN(f, body)							\
	do {								\
		if (fx_open((f), (body)) < 0) {				\
			fx_close(f);					\
			return;						\
		}							\
	} while (0)

/* The server named name of f's backend; a failed test when none. */
static const struct g_server *
srv(const struct fx *f, const char *name)
{
	unsigned i;

	for (i = 0; i < f->be->nservers; i++)
		if (strcmp(f->be->servers[i].name, name) == 0)
			return &f->be->servers[i];
	CU_FAIL_FATAL("no such server");
	return NULL;
}

static void
set_conns(const struct fx *f, const char *name, int n)
{
	atomic_store(&srv(f, name)->st->cur_conns, n);
}

static void
set_tried(struct fx *f, const char *name)
{
	unsigned i = srv(f, name)->idx;

	f->tried[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* One pick with key (len bytes; 0: none): a server, or NULL. */
static const struct g_server *
pick_key(struct fx *f, const void *key, size_t len, bool tried)
{
	struct lb_req r;

	memset(&r, 0, sizeof(r));
	r.rr_pos = &f->rr_pos;
	r.rng = &f->rng;
	r.key = len > 0 ? key : NULL;
	r.key_len = len;
	r.tried = tried ? f->tried : NULL;
	return lb_pick(f->be, &r);
}

static const char *
name_of(const struct g_server *s)
{
	return s != NULL ? s->name : "-";
}

/* n picks without a key as names, "a b c a": "-" stands for NULL. */
static const char *
picks(struct fx *f, unsigned n, bool tried)
{
	static char buf[1024];
	size_t off = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i ? " " : "", name_of(pick_key(f, NULL, 0, tried)));
	return buf;
}

/* n picks without a key, counted per server index (NULL: none). */
static unsigned
count(struct fx *f, unsigned n, unsigned *per, unsigned nper)
{
	unsigned i, none = 0;

	memset(per, 0, sizeof(*per) * nper);
	for (i = 0; i < n; i++) {
		const struct g_server *s = pick_key(f, NULL, 0, true);

		if (s == NULL)
			none++;
		else if (s->idx < nper)
			per[s->idx]++;
	}
	return none;
}

/* The key number k: an IPv4 address in network order, as sess.c has. */
static void
ip_key(unsigned k, uint8_t out[4])
{
	out[0] = 10;
	out[1] = (uint8_t)(k >> 16);
	out[2] = (uint8_t)(k >> 8);
	out[3] = (uint8_t)k;
}

/* The owner of ip_key(k) in f, or NULL. */
static const struct g_server *
pick_ip(struct fx *f, unsigned k)
{
	uint8_t key[4];

	ip_key(k, key);
	return pick_key(f, key, sizeof(key), true);
}

#define THREE								\
	"  server a 127.0.0.1:1\n"					\
	"  server b 127.0.0.1:2\n"					\
	"  server c 127.0.0.1:3\n"

/* ---- roundrobin and static-rr ------------------------------------------ */

static void
test_rr_turns(void)
{
	struct fx f;
	unsigned per[3];

	OPEN(&f, "  balance roundrobin\n" THREE);
	EXPECT_STR(picks(&f, 7, false), "a b c a b c a");
	f.rr_pos = 0;
	EXPECT_INT(count(&f, 30, per, 3), 0);
	EXPECT_INT(per[0], 10);
	EXPECT_INT(per[1], 10);
	EXPECT_INT(per[2], 10);
	fx_close(&f);
}

static void
test_rr_weights_3_1(void)
{
	struct fx f;
	unsigned per[2];

	OPEN(&f, "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2 weight 1\n");
	EXPECT_STR(picks(&f, 8, false), "a a b a a a b a");
	f.rr_pos = 0;
	count(&f, 400, per, 2);
	EXPECT_INT(per[0], 300);
	EXPECT_INT(per[1], 100);
	fx_close(&f);
}

static void
test_rr_weights_5_1_1(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1 weight 5\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3\n");
	EXPECT_STR(picks(&f, 14, false), "a a b a c a a a a b a c a a");
	fx_close(&f);
}

static void
test_static_rr(void)
{
	struct fx f;
	unsigned per[3];

	OPEN(&f, "  balance static-rr\n" THREE);
	EXPECT_STR(picks(&f, 4, false), "a b c a");
	f.rr_pos = 0;
	count(&f, 30, per, 3);
	EXPECT_INT(per[0], 10);
	EXPECT_INT(per[1], 10);
	EXPECT_INT(per[2], 10);
	fx_close(&f);
	OPEN(&f, "  balance static-rr\n"
	    "  server a 127.0.0.1:1 weight 5\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3\n");
	EXPECT_STR(picks(&f, 7, false), "a a b a c a a");
	fx_close(&f);
	OPEN(&f, "  balance static-rr\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2 weight 1\n");
	EXPECT_STR(picks(&f, 4, false), "a a b a");
	fx_close(&f);
}

static void
test_rr_weight_zero(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1\n"
	    "  server z 127.0.0.1:2 weight 0\n"
	    "  server b 127.0.0.1:3\n");
	EXPECT_STR(picks(&f, 6, false), "a b a b a b");
	EXPECT_TRUE(!lb_usable(srv(&f, "z"), NULL));
	fx_close(&f);
}

static void
test_rr_disabled(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1\n"
	    "  server d 127.0.0.1:2 disabled\n"
	    "  server b 127.0.0.1:3\n");
	EXPECT_STR(picks(&f, 6, false), "a b a b a b");
	EXPECT_TRUE(!lb_usable(srv(&f, "d"), NULL));
	fx_close(&f);
}

static void
test_rr_maxconn(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2 maxconn 2\n"
	    "  server c 127.0.0.1:3\n");
	set_conns(&f, "b", 1);
	EXPECT_TRUE(lb_usable(srv(&f, "b"), NULL));
	EXPECT_STR(picks(&f, 3, false), "a b c");
	set_conns(&f, "b", 2);
	EXPECT_TRUE(!lb_usable(srv(&f, "b"), NULL));
	EXPECT_STR(picks(&f, 4, false), "a c a c");
	/* a connection ends: b is back in its turn */
	set_conns(&f, "b", 1);
	EXPECT_STR(picks(&f, 3, false), "a b c");
	fx_close(&f);
}

static void
test_rr_tried(void)
{
	struct fx f;

	OPEN(&f, "  balance roundrobin\n" THREE);
	set_tried(&f, "b");
	EXPECT_TRUE(!lb_usable(srv(&f, "b"), f.tried));
	EXPECT_TRUE(lb_usable(srv(&f, "b"), NULL));
	EXPECT_STR(picks(&f, 4, true), "a c a c");
	set_tried(&f, "a");
	EXPECT_STR(picks(&f, 2, true), "c c");
	set_tried(&f, "c");
	EXPECT_STR(picks(&f, 1, true), "-");
	/* the bitmap is the request's: without it all serve again */
	f.rr_pos = 0;
	EXPECT_STR(picks(&f, 3, false), "a b c");
	fx_close(&f);
}

static void
test_rr_backup(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1 maxconn 1\n"
	    "  server k 127.0.0.1:2 backup maxconn 1\n"
	    "  server b 127.0.0.1:3 maxconn 1\n"
	    "  server k2 127.0.0.1:4 backup\n");
	EXPECT_STR(picks(&f, 4, false), "a b a b");
	set_conns(&f, "a", 1);
	EXPECT_STR(picks(&f, 2, false), "b b");
	/* no active server left: the first usable backup, every time */
	set_conns(&f, "b", 1);
	EXPECT_STR(picks(&f, 3, false), "k k k");
	set_conns(&f, "k", 1);
	EXPECT_STR(picks(&f, 2, false), "k2 k2");
	set_conns(&f, "k", 0);
	set_tried(&f, "k");
	EXPECT_STR(picks(&f, 2, true), "k2 k2");
	/* an active server back: backups idle again */
	set_conns(&f, "a", 0);
	EXPECT_STR(picks(&f, 2, false), "a a");
	fx_close(&f);
}

static void
test_none_usable(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1 maxconn 3\n"
	    "  server b 127.0.0.1:2 disabled\n"
	    "  server z 127.0.0.1:3 weight 0\n"
	    "  server c 127.0.0.1:4\n"
	    "  server k 127.0.0.1:5 backup disabled\n");
	set_conns(&f, "a", 3);
	set_tried(&f, "c");
	EXPECT_STR(picks(&f, 3, true), "- - -");
	fx_close(&f);
	OPEN(&f, "  server z 127.0.0.1:1 weight 0\n"
	    "  server k 127.0.0.1:2 backup weight 0\n");
	EXPECT_STR(picks(&f, 2, false), "- -");
	fx_close(&f);
}

static void
test_none_usable_any_algo(void)
{
	static const char *const algos[] = {
		"roundrobin", "static-rr", "leastconn", "first", "random",
		"random(3)", "source", "uri", "hdr(x-user)",
	};
	struct fx f;
	char body[512];
	unsigned i;

	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		snprintf(body, sizeof(body), "  mode http\n  balance %s\n"
		    "  server a 127.0.0.1:1 maxconn 1\n"
		    "  server b 127.0.0.1:2 disabled\n"
		    "  server c 127.0.0.1:3\n", algos[i]);
		OPEN(&f, body);
		set_conns(&f, "a", 1);
		set_tried(&f, "c");
		EXPECT_STR(name_of(pick_key(&f, "k", 1, true)), "-");
		EXPECT_STR(name_of(pick_key(&f, NULL, 0, true)), "-");
		/* and with c free again, c it is */
		memset(f.tried, 0, sizeof(f.tried));
		EXPECT_STR(name_of(pick_key(&f, "k", 1, true)), "c");
		EXPECT_STR(name_of(pick_key(&f, NULL, 0, true)), "c");
		fx_close(&f);
	}
}

/* ---- leastconn ---------------------------------------------------------- */

static void
test_leastconn_fewest(void)
{
	struct fx f;

	OPEN(&f, "  balance leastconn\n" THREE);
	set_conns(&f, "a", 3);
	set_conns(&f, "b", 1);
	set_conns(&f, "c", 2);
	EXPECT_STR(picks(&f, 3, false), "b b b");
	set_conns(&f, "b", 5);
	EXPECT_STR(picks(&f, 2, false), "c c");
	fx_close(&f);
}

static void
test_leastconn_weight(void)
{
	struct fx f;

	OPEN(&f, "  balance leastconn\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2\n");
	/* 5/3 against 2/1: a */
	set_conns(&f, "a", 5);
	set_conns(&f, "b", 2);
	EXPECT_STR(picks(&f, 2, false), "a a");
	/* 7/3 against 2/1: b */
	set_conns(&f, "a", 7);
	EXPECT_STR(picks(&f, 2, false), "b b");
	fx_close(&f);
}

static void
test_leastconn_ties(void)
{
	struct fx f;

	OPEN(&f, "  balance leastconn\n" THREE);
	EXPECT_STR(picks(&f, 7, false), "a b c a b c a");
	set_conns(&f, "b", 1);
	EXPECT_STR(picks(&f, 4, false), "c a c a");
	fx_close(&f);
}

static void
test_leastconn_unusable(void)
{
	struct fx f;

	OPEN(&f, "  balance leastconn\n"
	    "  server a 127.0.0.1:1 maxconn 2\n"
	    "  server b 127.0.0.1:2 disabled\n"
	    "  server z 127.0.0.1:3 weight 0\n"
	    "  server c 127.0.0.1:4\n"
	    "  server k 127.0.0.1:5 backup\n");
	/* fewest connections, but not usable: disabled, weight 0 */
	set_conns(&f, "a", 1);
	set_conns(&f, "c", 5);
	EXPECT_STR(picks(&f, 2, false), "a a");
	set_conns(&f, "a", 2);
	EXPECT_STR(picks(&f, 2, false), "c c");
	set_tried(&f, "c");
	EXPECT_STR(picks(&f, 2, true), "k k");
	fx_close(&f);
}

/* ---- first -------------------------------------------------------------- */

static void
test_first(void)
{
	struct fx f;

	OPEN(&f, "  balance first\n"
	    "  server a 127.0.0.1:1 maxconn 2\n"
	    "  server b 127.0.0.1:2 maxconn 2\n"
	    "  server c 127.0.0.1:3 maxconn 2\n");
	EXPECT_STR(picks(&f, 4, false), "a a a a");
	set_conns(&f, "a", 2);
	EXPECT_STR(picks(&f, 2, false), "b b");
	set_conns(&f, "b", 2);
	EXPECT_STR(picks(&f, 2, false), "c c");
	set_conns(&f, "a", 1);
	EXPECT_STR(picks(&f, 2, false), "a a");
	set_tried(&f, "a");
	EXPECT_STR(picks(&f, 2, true), "c c");
	fx_close(&f);
}

static void
test_first_skips(void)
{
	struct fx f;

	OPEN(&f, "  balance first\n"
	    "  server k 127.0.0.1:1 backup\n"
	    "  server d 127.0.0.1:2 disabled\n"
	    "  server z 127.0.0.1:3 weight 0\n"
	    "  server a 127.0.0.1:4\n"
	    "  server b 127.0.0.1:5\n");
	EXPECT_STR(picks(&f, 3, false), "a a a");
	set_tried(&f, "a");
	set_tried(&f, "b");
	EXPECT_STR(picks(&f, 1, true), "k");
	fx_close(&f);
}

/* ---- random ------------------------------------------------------------- */

static void
test_random_usable_only(void)
{
	struct fx f;
	unsigned per[6];

	OPEN(&f, "  balance random(2)\n"
	    "  server a 127.0.0.1:1\n"
	    "  server d 127.0.0.1:2 disabled\n"
	    "  server z 127.0.0.1:3 weight 0\n"
	    "  server m 127.0.0.1:4 maxconn 1\n"
	    "  server t 127.0.0.1:5\n"
	    "  server k 127.0.0.1:6 backup\n");
	set_conns(&f, "m", 1);
	set_tried(&f, "t");
	EXPECT_INT(count(&f, 2000, per, 6), 0);
	EXPECT_INT(per[0], 2000);
	fx_close(&f);
}

static void
test_random_weights(void)
{
	struct fx f;
	unsigned per[3];

	OPEN(&f, "  balance random(2)\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2 weight 1\n");
	EXPECT_INT(count(&f, 10000, per, 2), 0);
	EXPECT_SHARE(per[0], 6500, 8500);
	EXPECT_INT(per[0] + per[1], 10000);
	fx_close(&f);
	OPEN(&f, "  balance random\n" THREE);
	EXPECT_INT(count(&f, 9000, per, 3), 0);
	/* a third each, give or take */
	EXPECT_SHARE(per[0], 2400, 3600);
	EXPECT_SHARE(per[1], 2400, 3600);
	EXPECT_SHARE(per[2], 2400, 3600);
	fx_close(&f);
}

static void
test_random_load(void)
{
	struct fx f;
	unsigned per[2];

	/* two draws: the busy one wins only when both land on it (1/4) */
	OPEN(&f, "  balance random(2)\n"
	    "  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n");
	set_conns(&f, "a", 100);
	count(&f, 10000, per, 2);
	EXPECT_SHARE(per[0], 1500, 3500);
	fx_close(&f);
	/* one draw does not look at the load */
	OPEN(&f, "  balance random(1)\n"
	    "  server a 127.0.0.1:1\n"
	    "  server b 127.0.0.1:2\n");
	set_conns(&f, "a", 100);
	count(&f, 10000, per, 2);
	EXPECT_SHARE(per[0], 4000, 6000);
	fx_close(&f);
}

/* ---- hashing ------------------------------------------------------------ */

/* A backend of balance algo, hash-type ht (NULL: default), n servers. */
static int
hash_open(struct fx *f, const char *algo, const char *ht, unsigned n,
    const char *extra)
{
	char body[4096];
	size_t off = 0;
	unsigned i;

	off += (size_t)snprintf(body, sizeof(body), "  mode http\n"
	    "  balance %s\n", algo);
	if (ht != NULL)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "  hash-type %s\n", ht);
	for (i = 1; i <= n; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "  server s%u 127.0.0.1:%u%s\n", i, i, extra);
	return fx_open(f, body);
}

#define HASH_OPEN(f, algo, ht, n, extra)				\
	do {								\
		if (hash_open((f), (algo), (ht), (n), (extra)) < 0) {	\
			fx_close(f);					\
			return;						\
		}							\
	} while (0)

/* The same key, asked again between other keys, the same server. */
static void
check_stable(struct fx *f)
{
	const struct g_server *first[100];
	unsigned k, changed = 0;

	for (k = 0; k < 100; k++)
		first[k] = pick_ip(f, k);
	for (k = 0; k < 100; k++)
		if (pick_ip(f, 99 - k) != first[99 - k])
			changed++;
	f->rr_pos = 12345;
	f->rng = 7;
	for (k = 0; k < 100; k++)
		if (pick_ip(f, k) != first[k] || first[k] == NULL)
			changed++;
	EXPECT_INT(changed, 0);
}

/* 1000 keys over the servers: the counts by index. */
static void
spread(struct fx *f, unsigned *per, unsigned nper)
{
	unsigned k;

	memset(per, 0, sizeof(*per) * nper);
	for (k = 0; k < 1000; k++) {
		const struct g_server *s = pick_ip(f, k);

		if (s != NULL && s->idx < nper)
			per[s->idx]++;
	}
}

static void
test_hash_stable_keys(void)
{
	static const char *const algos[] = { "source", "uri", "hdr(x-user)" };
	static const char *const types[] = { "map-based", "consistent" };
	struct fx f;
	unsigned i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++) {
			HASH_OPEN(&f, algos[i], types[j], 4, "");
			check_stable(&f);
			fx_close(&f);
		}
}

static void
test_hash_spread(void)
{
	static const char *const types[] = { "map-based", "consistent" };
	struct fx f;
	unsigned per[4], i, j;

	for (j = 0; j < 2; j++) {
		HASH_OPEN(&f, "source", types[j], 4, "");
		spread(&f, per, 4);
		for (i = 0; i < 4; i++)
			EXPECT_SHARE(per[i], 150, 350);
		fx_close(&f);
	}
}

static void
test_hash_uri_keys(void)
{
	static const char *const types[] = { "map-based", "consistent" };
	struct fx f;
	unsigned per[4], i, j, k;

	for (j = 0; j < 2; j++) {
		HASH_OPEN(&f, "uri", types[j], 4, "");
		memset(per, 0, sizeof(per));
		for (k = 0; k < 1000; k++) {
			char path[32];
			int n = snprintf(path, sizeof(path), "/img/%u.png", k);
			const struct g_server *s =
			    pick_key(&f, path, (size_t)n, true);

			if (s != NULL && s->idx < 4)
				per[s->idx]++;
			if (pick_key(&f, path, (size_t)n, true) != s)
				EXPECT_STR(path, "the same server twice");
		}
		for (i = 0; i < 4; i++)
			EXPECT_SHARE(per[i], 150, 350);
		fx_close(&f);
	}
}

static void
test_hash_map_weights(void)
{
	struct fx f;
	unsigned per[2];

	OPEN(&f, "  balance source\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2\n");
	spread(&f, per, 2);
	EXPECT_SHARE(per[0], 650, 850);
	fx_close(&f);
	/*
	 * 48 points against 16 place the weights only roughly: a ring's
	 * share of weight 3 in 4 varies by about 6% with the names.
	 */
	OPEN(&f, "  balance source\n  hash-type consistent\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2\n");
	spread(&f, per, 2);
	EXPECT_SHARE(per[0], 550, 900);
	fx_close(&f);
}

static void
test_ring_add(void)
{
	struct fx f4, f5;
	unsigned k, moved = 0, elsewhere = 0;

	HASH_OPEN(&f4, "source", "consistent", 4, "");
	if (hash_open(&f5, "source", "consistent", 5, "") < 0) {
		fx_close(&f5);
		fx_close(&f4);
		return;
	}
	for (k = 0; k < 1000; k++) {
		const char *a = name_of(pick_ip(&f4, k));
		const char *b = name_of(pick_ip(&f5, k));

		if (strcmp(a, b) != 0) {
			moved++;
			if (strcmp(b, "s5") != 0)
				elsewhere++;
		}
	}
	EXPECT_SHARE(moved, 100, 350);
	EXPECT_INT(elsewhere, 0);
	fx_close(&f4);
	fx_close(&f5);
}

static void
test_ring_remove(void)
{
	struct fx f4, f3;
	unsigned k, owned = 0, moved = 0, others_moved = 0;

	HASH_OPEN(&f4, "source", "consistent", 4, "");
	if (fx_open(&f3, "  balance source\n  hash-type consistent\n"
	    "  server s1 127.0.0.1:1\n"
	    "  server s2 127.0.0.1:2\n"
	    "  server s4 127.0.0.1:4\n") < 0) {
		fx_close(&f3);
		fx_close(&f4);
		return;
	}
	for (k = 0; k < 1000; k++) {
		const char *a = name_of(pick_ip(&f4, k));
		const char *b = name_of(pick_ip(&f3, k));

		if (strcmp(a, "s3") == 0)
			owned++;
		if (strcmp(a, b) != 0) {
			moved++;
			if (strcmp(a, "s3") != 0)
				others_moved++;
		}
	}
	EXPECT_TRUE(owned > 0);
	EXPECT_INT(moved, owned);
	EXPECT_INT(others_moved, 0);
	fx_close(&f4);
	fx_close(&f3);
}

/* The ring of s1..s4, s3 with options s3opts, or of s1, s2, s4 (NULL). */
static int
ring_open(struct fx *f, const char *s3opts)
{
	char body[512];

	snprintf(body, sizeof(body), "  balance source\n"
	    "  hash-type consistent\n"
	    "  server s1 127.0.0.1:1 maxconn 1\n"
	    "  server s2 127.0.0.1:2 maxconn 1\n"
	    "%s%s%s"
	    "  server s4 127.0.0.1:4 maxconn 1\n",
	    s3opts ? "  server s3 127.0.0.1:3 maxconn 1 " : "",
	    s3opts ? s3opts : "", s3opts ? "\n" : "");
	return fx_open(f, body);
}

/*
 * s3 unusable (full, tried, disabled): its keys go to the next point of
 * another server, which is their owner on the ring without s3; the other
 * keys stay.
 */
static void
test_ring_unusable_owner(void)
{
	struct fx f4, f3;
	unsigned way, k, owned, differ;

	memset(&f3, 0, sizeof(f3));
	for (way = 0; way < 3; way++) {
		if (ring_open(&f4, way == 2 ? "disabled" : "") < 0 ||
		    ring_open(&f3, NULL) < 0) {
			fx_close(&f4);
			fx_close(&f3);
			return;
		}
		if (way == 0)
			set_conns(&f4, "s3", 1);
		else if (way == 1)
			set_tried(&f4, "s3");
		owned = differ = 0;
		for (k = 0; k < 1000; k++) {
			uint32_t h;
			uint8_t key[4];

			ip_key(k, key);
			h = lb_hash(key, sizeof(key));
			owned += lb_ring_lookup(&f4.be->lb, h) ==
			    srv(&f4, "s3")->idx;
			if (strcmp(name_of(pick_ip(&f4, k)),
			    name_of(pick_ip(&f3, k))) != 0)
				differ++;
		}
		EXPECT_TRUE(owned > 0);
		EXPECT_INT(differ, 0);
		fx_close(&f4);
		fx_close(&f3);
	}
}

static void
test_map_unusable_owner(void)
{
	const struct g_server *before[1000];
	struct fx f;
	unsigned k, owned = 0, to_s3 = 0, others_moved = 0, none = 0;

	HASH_OPEN(&f, "source", NULL, 4, " maxconn 1");
	for (k = 0; k < 1000; k++)
		before[k] = pick_ip(&f, k);
	set_conns(&f, "s3", 1);
	for (k = 0; k < 1000; k++) {
		const struct g_server *s = pick_ip(&f, k);

		if (s == NULL) {
			none++;
			continue;
		}
		if (strcmp(before[k]->name, "s3") == 0)
			owned++;
		if (strcmp(s->name, "s3") == 0)
			to_s3++;
		else if (strcmp(before[k]->name, "s3") != 0 &&
		    s != before[k])
			others_moved++;
	}
	/* s3's keys go elsewhere, the others' stay */
	EXPECT_TRUE(owned > 0);
	EXPECT_INT(none, 0);
	EXPECT_INT(to_s3, 0);
	EXPECT_INT(others_moved, 0);
	fx_close(&f);
}

static void
test_hash_backup(void)
{
	static const char *const types[] = { "map-based", "consistent" };
	struct fx f;
	char body[512];
	unsigned j, k, active, backup;

	for (j = 0; j < 2; j++) {
		snprintf(body, sizeof(body), "  balance source\n"
		    "  hash-type %s\n"
		    "  server a 127.0.0.1:1 maxconn 1\n"
		    "  server k 127.0.0.1:2 backup\n"
		    "  server k2 127.0.0.1:3 backup\n", types[j]);
		OPEN(&f, body);
		active = backup = 0;
		for (k = 0; k < 200; k++)
			active += strcmp(name_of(pick_ip(&f, k)), "a") == 0;
		set_conns(&f, "a", 1);
		for (k = 0; k < 200; k++)
			backup += strcmp(name_of(pick_ip(&f, k)), "k") == 0;
		EXPECT_INT(active, 200);
		EXPECT_INT(backup, 200);
		fx_close(&f);
	}
}

static void
test_hash_no_key(void)
{
	static const char *const algos[] = { "hdr(x-user)", "uri" };
	static const char *const types[] = { "map-based", "consistent" };
	struct fx f;
	unsigned i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			HASH_OPEN(&f, algos[i], types[j], 3, "");
			EXPECT_STR(picks(&f, 7, false),
			    "s1 s2 s3 s1 s2 s3 s1");
			/* it skips what is not usable, as round robin does */
			set_tried(&f, "s2");
			EXPECT_STR(picks(&f, 4, true), "s3 s1 s3 s1");
			fx_close(&f);
		}
}

static void
test_hash_no_key_mixed(void)
{
	struct fx f;
	const struct g_server *s;
	unsigned i;

	/* keyed picks do not move the cursor of the keyless ones */
	HASH_OPEN(&f, "hdr(x-user)", NULL, 3, "");
	EXPECT_STR(picks(&f, 2, false), "s1 s2");
	s = pick_key(&f, "alice", 5, false);
	for (i = 0; i < 5; i++)
		if (pick_key(&f, "alice", 5, false) != s)
			EXPECT_STR(name_of(s), "alice's server each time");
	EXPECT_STR(picks(&f, 2, false), "s3 s1");
	fx_close(&f);
}

/* A key whose hash is near 2^32 still reaches every slot of the map. */
static void
test_map_hash_near_top(void)
{
	struct fx f;
	static const char key[] = "k\xf7\x49\x6d\x9e";

	OPEN(&f, "  balance source\n"
	    "  server a 127.0.0.1:1 maxconn 1\n"
	    "  server b 127.0.0.1:2\n"
	    "  server c 127.0.0.1:3 maxconn 1\n");
	EXPECT_INT(lb_hash(key, 5), 0xfffffffeu);
	set_conns(&f, "a", 1);
	set_conns(&f, "c", 1);
	EXPECT_STR(name_of(pick_key(&f, key, 5, false)), "b");
	fx_close(&f);
}

/* Past LB_TRIED_MAX servers the tried bitmap is not read out of bounds. */
static void
test_many_servers_tried(void)
{
	static char body[65536];
	struct fx f;
	size_t off = 0;
	unsigned i, seen_high = 0;

	off += (size_t)snprintf(body + off, sizeof(body) - off,
	    "  balance roundrobin\n");
	for (i = 0; i < 600; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "  server s%u 127.0.0.1:%u\n", i, 1000 + i);
	OPEN(&f, body);
	memset(f.tried, 0xff, sizeof(f.tried));
	/* every server a retry can name is tried: only those past it stay */
	for (i = 0; i < 200; i++) {
		const struct g_server *s = pick_key(&f, NULL, 0, true);

		if (s == NULL || s->idx < LB_TRIED_MAX)
			break;
		seen_high++;
	}
	EXPECT_INT(seen_high, 200);
	fx_close(&f);
}

/* random(2) weighs connections by weight, as HAProxy does. */
static void
test_random_per_weight(void)
{
	struct fx f;
	unsigned i, na = 0;

	OPEN(&f, "  balance random(2)\n"
	    "  server a 127.0.0.1:1 weight 3\n"
	    "  server b 127.0.0.1:2 weight 1\n");
	set_conns(&f, "a", 6);	/* 2 per unit of weight */
	set_conns(&f, "b", 3);	/* 3 per unit of weight */
	for (i = 0; i < 10000; i++)
		na += strcmp(name_of(pick_key(&f, NULL, 0, false)), "a") == 0;
	EXPECT_SHARE(na, 8500, 10000);
	fx_close(&f);
}

/* A backend too large for a precomputed order still follows weights. */
static void
test_large_rr_weights(void)
{
	static char body[65536];
	struct fx f;
	size_t off = 0;
	unsigned i, nlight = 0;

	off += (size_t)snprintf(body + off, sizeof(body) - off,
	    "  balance roundrobin\n  server light 127.0.0.1:999 weight 1\n");
	for (i = 0; i < 199; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
		    "  server s%u 127.0.0.1:%u weight 256\n", i, 1000 + i);
	OPEN(&f, body);
	EXPECT_INT(f.be->lb.nrr, 0);
	for (i = 0; i < 50944; i++)
		nlight += strcmp(name_of(pick_key(&f, NULL, 0, false)),
		    "light") == 0;
	EXPECT_INT(nlight, 1);
	fx_close(&f);
}

/* ---- run-time state: health, admin, breaker, slowstart, queue ---------- */

static uint64_t
coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A down server, one in maintenance, one with an open breaker: skipped. */
static void
test_state_skips(void)
{
	struct fx f;

	OPEN(&f, THREE);
	atomic_store(&srv(&f, "b")->st->health, SRV_H_DOWN);
	EXPECT_STR(picks(&f, 4, false), "a c a c");
	atomic_store(&srv(&f, "b")->st->health, SRV_H_UP);
	atomic_store(&srv(&f, "c")->st->admin, SRV_ADM_MAINT);
	f.rr_pos = 0;
	EXPECT_STR(picks(&f, 4, false), "a b a b");
	atomic_store(&srv(&f, "c")->st->admin, 0);
	atomic_store(&srv(&f, "a")->st->breaker, SRV_BRK_OPEN);
	atomic_store(&srv(&f, "a")->st->brk_until, coarse_ms() + 60000);
	f.rr_pos = 0;
	EXPECT_STR(picks(&f, 4, false), "b c b c");
	fx_close(&f);
}

/* An open breaker whose cool-down is over lets half-open probes through. */
static void
test_breaker_half_open(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1 half-open 2\n"
	    "  server b 127.0.0.1:2\n");
	atomic_store(&srv(&f, "a")->st->breaker, SRV_BRK_OPEN);
	atomic_store(&srv(&f, "a")->st->brk_until, 1);
	CU_ASSERT(lb_usable(srv(&f, "a"), NULL));
	CU_ASSERT_EQUAL(atomic_load(&srv(&f, "a")->st->breaker),
	    SRV_BRK_HALF_OPEN);
	/* two probes taken: no more until they tell */
	atomic_store(&srv(&f, "a")->st->brk_probes, 2);
	CU_ASSERT(!lb_usable(srv(&f, "a"), NULL));
	EXPECT_STR(picks(&f, 3, false), "b b b");
	fx_close(&f);
}

/* A server back up since a quarter of its slowstart gets a small share. */
static void
test_slowstart_share(void)
{
	struct fx f;
	unsigned per[2], none;

	OPEN(&f, "  server a 127.0.0.1:1 slowstart 40s\n"
	    "  server b 127.0.0.1:2\n");
	/* not come back up: full share */
	none = count(&f, 1000, per, 2);
	CU_ASSERT_EQUAL(none, 0);
	CU_ASSERT_EQUAL(per[0], 500);
	atomic_store(&srv(&f, "a")->st->up_since, coarse_ms() - 10000);
	none = count(&f, 4000, per, 2);
	CU_ASSERT_EQUAL(none, 0);
	/* a quarter of its weight: 1/4 against 1, a fifth, 800 of 4000 */
	CU_ASSERT(per[0] > 650 && per[0] < 950);
	/* alone, it takes everything all the same */
	atomic_store(&srv(&f, "b")->st->health, SRV_H_DOWN);
	none = count(&f, 100, per, 2);
	CU_ASSERT_EQUAL(none, 0);
	CU_ASSERT_EQUAL(per[0], 100);
	fx_close(&f);
}

/* Full servers make a request wait; down ones do not. */
static void
test_all_full(void)
{
	struct fx f;

	OPEN(&f, "  server a 127.0.0.1:1 maxconn 1\n"
	    "  server b 127.0.0.1:2 maxconn 2\n");
	CU_ASSERT(f.be->has_maxconn);
	CU_ASSERT(!lb_all_full(f.be, NULL));
	set_conns(&f, "a", 1);
	set_conns(&f, "b", 2);
	EXPECT_STR(picks(&f, 1, false), "-");
	CU_ASSERT(lb_all_full(f.be, NULL));
	atomic_store(&srv(&f, "a")->st->health, SRV_H_DOWN);
	CU_ASSERT(lb_all_full(f.be, NULL));
	atomic_store(&srv(&f, "b")->st->health, SRV_H_DOWN);
	CU_ASSERT(!lb_all_full(f.be, NULL));
	fx_close(&f);
}

CU_TestInfo lb_tests[] = {
	{ "down, maintenance and open-breaker servers are skipped",
	    test_state_skips },
	{ "an open breaker turns half-open after its cool-down",
	    test_breaker_half_open },
	{ "slowstart grows a server's share", test_slowstart_share },
	{ "full servers make requests wait, down ones do not",
	    test_all_full },
	{ "roundrobin takes three servers in turn, 10 each of 30",
	    test_rr_turns },
	{ "roundrobin weights 3:1 pick a a b a", test_rr_weights_3_1 },
	{ "roundrobin weights 5:1:1 pick a a b a c a a",
	    test_rr_weights_5_1_1 },
	{ "static-rr picks as roundrobin does", test_static_rr },
	{ "a server of weight 0 is never picked", test_rr_weight_zero },
	{ "a disabled server is never picked", test_rr_disabled },
	{ "a server at its maxconn is skipped until one ends",
	    test_rr_maxconn },
	{ "a server the request tried is skipped", test_rr_tried },
	{ "the first usable backup serves when no active server can",
	    test_rr_backup },
	{ "no usable server gives none", test_none_usable },
	{ "every algorithm gives none when no server is usable",
	    test_none_usable_any_algo },
	{ "leastconn picks the fewest connections", test_leastconn_fewest },
	{ "leastconn counts connections per unit of weight",
	    test_leastconn_weight },
	{ "leastconn ties go round robin", test_leastconn_ties },
	{ "leastconn skips unusable servers, then takes a backup",
	    test_leastconn_unusable },
	{ "first takes the first server below its maxconn", test_first },
	{ "first skips backup, disabled and weight 0 servers",
	    test_first_skips },
	{ "random picks only usable servers", test_random_usable_only },
	{ "random picks in proportion to weight", test_random_weights },
	{ "random(2) avoids a loaded server, random(1) does not",
	    test_random_load },
	{ "source, uri and hdr send a key to the same server each time",
	    test_hash_stable_keys },
	{ "1000 source keys spread over 4 servers", test_hash_spread },
	{ "1000 uris spread over 4 servers", test_hash_uri_keys },
	{ "hashing follows the weights 3:1", test_hash_map_weights },
	{ "a fifth server on the ring takes keys only for itself",
	    test_ring_add },
	{ "removing a server from the ring moves only its keys",
	    test_ring_remove },
	{ "an unusable owner's keys go to the next point's server",
	    test_ring_unusable_owner },
	{ "a hash near 2^32 still reaches every slot of the map",
	    test_map_hash_near_top },
	{ "servers past the tried bitmap are never read as tried",
	    test_many_servers_tried },
	{ "random(2) compares connections per unit of weight",
	    test_random_per_weight },
	{ "a backend too large to precompute still follows its weights",
	    test_large_rr_weights },
	{ "map-based: an unusable owner's keys go elsewhere, others stay",
	    test_map_unusable_owner },
	{ "hashing uses backups only when no active server is usable",
	    test_hash_backup },
	{ "hdr and uri without a key balance round robin",
	    test_hash_no_key },
	{ "keyed picks leave the round-robin cursor alone",
	    test_hash_no_key_mixed },
	CU_TEST_INFO_NULL,
};
