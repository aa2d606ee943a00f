/*
 * Stick tables: bounded tables of keys (client addresses, integers,
 * strings) with counters that rules track and test, in HAProxy's model.
 * A table lives outside the graph, in the state store, so a reload keeps
 * its entries; it is split in shards by key hash, each with its own lock,
 * so no lock is shared by all requests.
 */
#ifndef WEIR_STICK_H
#define WEIR_STICK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STK_SHARDS	64	/* a power of two */
#define STK_KEY_MAX	64	/* the longest key (type string len) */

enum stk_type {
	STK_IP = 0,		/* IPv4 address: 4 bytes */
	STK_IPV6,		/* IPv6 address (IPv4 ones mapped): 16 bytes */
	STK_INTEGER,		/* 8 bytes */
	STK_STRING,		/* up to len bytes */
};

/* What entries store (bits). */
#define STK_CONN_CUR		0x01
#define STK_CONN_RATE		0x02
#define STK_HTTP_REQ_RATE	0x04
#define STK_HTTP_ERR_RATE	0x08
#define STK_GPC0		0x10
#define STK_GPC0_RATE		0x20
#define STK_SERVER_ID		0x40	/* stick on / stick store-request */

/* The counters a table stores, by index. */
enum stk_data {
	STK_D_CONN_RATE = 0,
	STK_D_HTTP_REQ_RATE,
	STK_D_HTTP_ERR_RATE,
	STK_D_GPC0_RATE,
	STK_D__RATES
};

/*
 * A rate over a sliding period: the events of the current period and of
 * the one before, the older ones weighed by how much of the period
 * before is still within reach. Exact while a single period is in view.
 */
struct stk_freq {
	uint32_t curr, prev;
	uint64_t start;		/* ms: the current period began */
};

/* What a table is, as the configuration says. */
struct stk_def {
	enum stk_type type;
	unsigned len;			/* string: the longest key kept */
	unsigned size;			/* entries at most */
	uint64_t expire_ms;		/* 0: never */
	unsigned store;			/* STK_* */
	uint64_t period_ms[STK_D__RATES];
};

struct stk_entry {
	struct stk_entry *hnext;	/* in its shard's bucket */
	struct stk_entry *lru_prev, *lru_next;	/* newest first */
	uint32_t hash;
	uint16_t klen;
	unsigned refs;			/* sessions tracking it */
	uint64_t touched;		/* ms: last use */
	int conn_cur;
	uint32_t gpc0;
	int server_id;			/* stick store: a server record id+1 */
	struct stk_freq rate[STK_D__RATES];
	unsigned char key[];		/* klen bytes */
};

struct stk_shard {
	pthread_mutex_t lock;
	struct stk_entry **buckets;
	unsigned nbuckets;		/* a power of two */
	unsigned n;
	struct stk_entry *lru_head, *lru_tail;
};

struct stk_table {
	char *name;
	struct stk_def def;
	unsigned shard_max;		/* size / STK_SHARDS, at least 1 */
	atomic_uint n;			/* entries, all shards */
	atomic_uint_fast64_t evicted;	/* pushed out by size */
	struct stk_shard shards[STK_SHARDS];
};

/* A new, empty table; NULL when out of memory. */
struct stk_table *stk_new(const char *name, const struct stk_def *def);
void stk_free(struct stk_table *t);
/*
 * Whether t can serve a configuration asking for def: same type and key
 * length. Size, expiry and counters may change: they apply from then on.
 */
bool stk_compatible(const struct stk_table *t, const struct stk_def *def);
/* Take def's size, expiry and periods (a reload). */
void stk_redefine(struct stk_table *t, const struct stk_def *def);

/* The key bytes for a value of the table's type: returns their length. */
size_t stk_key_ip(const struct stk_table *t, const void *sockaddr,
    unsigned char *out);

/*
 * Find or make the entry of key, count one for each rate in add (bits of
 * 1 << enum stk_data), and take a reference when ref: a connection
 * tracks it, counted in conn_cur until stk_release() gives it back, all
 * under one lock. Returns the entry, or NULL when out of memory. The
 * entry stays valid while referenced.
 */
struct stk_entry *stk_track(struct stk_table *t, const unsigned char *key,
    size_t klen, unsigned add, bool ref, uint64_t now);
/*
 * stick match: the server id key's entry holds (a state store server
 * record id + 1), or 0 when it has none or is past its time. Any thread.
 */
int stk_server(struct stk_table *t, const unsigned char *key, size_t klen,
    uint64_t now);
/*
 * stick store: key's entry (made when missing) names server_id from now
 * on. Returns 0, or -1 when out of memory or the key does not fit.
 */
int stk_set_server(struct stk_table *t, const unsigned char *key,
    size_t klen, int server_id, uint64_t now);
/* Count events on a referenced entry (bits of 1 << enum stk_data). */
void stk_count(struct stk_table *t, struct stk_entry *e, unsigned add,
    uint64_t now);
/* Let go of a reference taken by stk_track(): one connection less. */
void stk_release(struct stk_table *t, struct stk_entry *e, uint64_t now);

/* The rate of data d of e over its period, at now. */
unsigned stk_rate(const struct stk_table *t, const struct stk_entry *e,
    enum stk_data d, uint64_t now);
/* The same for key, without making an entry: 0 when there is none. */
unsigned stk_lookup_rate(struct stk_table *t, const unsigned char *key,
    size_t klen, enum stk_data d, uint64_t now);
int stk_conn_cur(struct stk_table *t, const struct stk_entry *e);

/* Bytes one entry takes, key and allocator overhead left out. */
size_t stk_entry_size(const struct stk_table *t);

/* The freq counter: count n events at now; the rate at now. */
void stk_freq_add(struct stk_freq *f, uint64_t period, uint32_t n,
    uint64_t now);
unsigned stk_freq_rate(const struct stk_freq *f, uint64_t period,
    uint64_t now);

#endif
