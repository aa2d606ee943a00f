/*
 * Sessions: a client connection, the requests it carries and the server
 * connections they use. Every function here runs on the worker thread that
 * owns the connection.
 */
#ifndef WEIR_SESS_H
#define WEIR_SESS_H

#include <event2/util.h>
#include <openssl/ssl.h>

struct eng_worker;
struct graph;

/* The listener's callback: accept what is waiting, start sessions. */
void sess_accept(evutil_socket_t fd, short what, void *arg);
/* The listener l goes away: its sessions end after their request. */
struct lsn;
void sess_forget_lsn(struct eng_worker *w, struct lsn *l);
/* Close the sessions of w still running on graph g (hard-stop-after). */
void sess_close_on_graph(struct eng_worker *w, const struct graph *g);
/*
 * Close w's sessions on server srv, or on the backup servers of backend
 * backup_of (on-marked-down shutdown-sessions and its twin).
 */
struct state_server;
struct state_backend;
void sess_kill(struct eng_worker *w, const struct state_server *srv,
    const struct state_backend *backup_of);
/* Send on w's queued requests that a server has room for now. */
void sess_run_grants(struct eng_worker *w);
/* Close w's idle server connections: they hold descriptors. */
void sess_close_idle_servers(struct eng_worker *w);
/* Close idle connections of w; the others close after their response. */
void sess_drain(struct eng_worker *w);
/*
 * OpenSSL's new-session callback of ssl servers' contexts: the session is
 * kept in the worker's slot for the server, to resume the next
 * connection's. Returns 1 when kept. The connection's worker thread.
 */
int sess_tls_new_session(SSL *ssl, SSL_SESSION *sess);
/* Close every session and server connection of w, free its pools. */
void sess_worker_cleanup(struct eng_worker *w);

#endif
