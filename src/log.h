/*
 * Traffic logs. A worker fills a fixed-size record per logged request or
 * connection and pushes it on its own single-producer ring; it never
 * formats, writes or waits. One writer thread drains every ring, formats
 * each record once per target (HAProxy's httplog and tcplog lines, raw or
 * behind a syslog header, or JSON), and writes them in batches: one
 * write() per file per batch, sendmmsg() to syslog servers. A full ring
 * drops the record and counts it; the writer reports the drops.
 *
 * Targets (files, stdout, syslog servers) are registered by log_attach()
 * for each graph and kept for the life of the logger, so a record made on
 * an old graph still finds its targets after a reload.
 */
#ifndef WEIR_LOG_H
#define WEIR_LOG_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "graph-t.h"

#define LOG_MAX_TARGETS	64	/* a log_mask has a bit each */
#define LOG_RING_SLOTS	512	/* records per worker ring, a power of 2 */
#define LOG_REC_SIZE	1024	/* bytes per record, text included */
#define LOG_LINE_MAX	2048	/* a formatted line, header included */
#define LOG_LEVEL_ERR	3	/* option log-separate-errors */
#define LOG_LEVEL_INFO	6	/* traffic lines */

enum log_rec_kind {
	LOG_REC_HTTP = 0,	/* option httplog */
	LOG_REC_TCP,		/* option tcplog */
	LOG_REC_CONNECT,	/* neither: "Connect from" at accept */
};

/*
 * What a worker records. The text after the header holds the frontend,
 * backend and server names and the request line, each as long as its
 * _len says, one after the other.
 */
struct log_rec {
	uint64_t mask;		/* the targets it goes to */
	uint64_t accept_us;	/* wall clock, when it started */
	int32_t tq, tw, tc, tr, tt;	/* ms; -1: did not happen */
	int32_t status;		/* -1: none */
	uint64_t bytes;		/* sent to the client */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} cli, fe_addr;		/* fe_addr: LOG_REC_CONNECT only */
	uint32_t ac, fc, bc, sc, rc;	/* connection counts, retries */
	uint32_t sq, bq;	/* server and backend queue lengths */
	uint8_t kind;		/* enum log_rec_kind */
	uint8_t level;		/* syslog level: info, or err */
	char term[2];		/* termination state, e.g. "--", "CD" */
	bool http;		/* the frontend is in http mode */
	uint8_t fe_len, be_len, srv_len;
	uint16_t req_len;
	char text[];
};

#define LOG_TEXT_MAX	(LOG_REC_SIZE - sizeof(struct log_rec))

/* A worker's ring. head: the worker's; tail: the writer's. */
struct log_ring {
	_Atomic uint32_t head;
	char pad1[60];
	_Atomic uint32_t tail;
	char pad2[60];
	_Atomic uint64_t drops;	/* written by the worker only */
	struct log *lg;
	char *slots;		/* LOG_RING_SLOTS x LOG_REC_SIZE */
};

struct log;

/*
 * A logger with nrings rings (one per worker) and its writer thread
 * started. NULL with a message on stderr when it cannot be had. Main
 * thread.
 */
struct log *log_new(unsigned nrings);
/*
 * Write what the rings still hold, stop the writer and free. The workers
 * must have stopped. A writer blocked on a target for 5 s is left behind
 * (weir is exiting), with what it holds. NULL is a no-op. Main thread.
 */
void log_free(struct log *lg);
/* Worker id's ring. */
struct log_ring *log_ring(struct log *lg, unsigned id);
/*
 * Register the targets of g (global, and each frontend's own and global
 * ones) and set each frontend's px.log_mask, before g is published. Past
 * LOG_MAX_TARGETS targets in the life of the logger, the others are left
 * out with a warning on stderr. Main thread.
 */
void log_attach(struct log *lg, struct graph *g);
/* SIGUSR1: the writer reopens every log file. Main thread. */
void log_reopen(struct log *lg);
/* Records dropped so far by full rings, all workers. Any thread. */
uint64_t log_dropped(const struct log *lg);

/*
 * A free record on ring r, or NULL when the ring is full (the drop is
 * counted). Fill it, then log_push(). The worker owning r only.
 */
struct log_rec *log_rec_get(struct log_ring *r);
/* Hand the record from log_rec_get() over to the writer. */
void log_push(struct log_ring *r);
/*
 * Append text to r's text and set *len to how much fit. Returns the
 * bytes used.
 */
size_t log_rec_text(struct log_rec *r, size_t off, const char *s, size_t n,
    uint8_t *len8, uint16_t *len16);

/* What a line says besides the record: for syslog headers. */
struct log_host {
	const char *hostname;
	pid_t pid;
	uint64_t now_us;	/* wall clock: the syslog header's time */
	/* log_format()'s cache of one second's local time */
	bool tm_set;
	time_t tm_sec;
	struct tm tm;
};

/*
 * Format r for a target of format fmt and facility (-1: none) into buf
 * of size bytes, with a newline at the end when nl. Returns the length
 * (truncated to size - 1, NUL-terminated). Any thread; h's time cache is
 * the caller's, like the rest of h.
 */
size_t log_format(char *buf, size_t size, const struct log_rec *r,
    enum log_format fmt, int facility, struct log_host *h, bool nl);

#endif
