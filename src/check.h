/*
 * Health: active checks on the workers' event loops, and what real traffic
 * tells of a server (observe, error-limit, on-error, the circuit breaker).
 * Results live in the state store (struct state_server), so a reload keeps
 * them.
 */
#ifndef WEIR_CHECK_H
#define WEIR_CHECK_H

#include <stdbool.h>

#include "graph-t.h"

struct eng_worker;

/*
 * Bring w's checks in line with w->g: start the new ones, keep those of
 * servers that stay (their state and schedule go on), stop the others.
 * A check in flight on a graph about to go is started over. Each server is
 * checked by one worker: its record id modulo the number of workers.
 * Worker thread, right after w->g changed.
 */
void check_sync(struct eng_worker *w);
/* Stop and free w's checks. Worker thread, or after it ended. */
void check_worker_cleanup(struct eng_worker *w);

/* What a request tells of its server. */
enum chk_obs {
	CHK_OBS_OK = 0,		/* connected, and an answer below 500 */
	CHK_OBS_CONN_ERR,	/* refused, reset or timed out connecting */
	CHK_OBS_TIMEOUT,	/* no answer in time */
	CHK_OBS_BAD_RSP,	/* closed early, or broke HTTP */
	CHK_OBS_5XX,		/* 500, 502, 503, 504... (not 501, 505) */
};

/*
 * Report the outcome of a request to s: with observe, error-limit
 * consecutive errors trigger on-error; a half-open breaker closes after
 * its probes succeed and opens again on a failure. Any worker; a success
 * on a healthy server costs two relaxed loads.
 */
void check_report(const struct g_server *s, enum chk_obs what);
/* A request was sent to s: a half-open breaker counts its probes. */
void check_took(const struct g_server *s);

#endif
