/*
 * HTTP/1.1 message framing (RFC 9112), strict and resumable. A pure
 * module: it never sees a socket, never allocates and keeps every bit of
 * its state in the structures below, so a caller may feed it one byte at a
 * time. h1_parse() reads a request or response head; h1_chunk_parse()
 * validates a chunked body as it streams past. Anything that could let two
 * parsers disagree on where a message ends (RFC 9112 11.2) is an error,
 * never a guess: the caller answers 400 (or what h1_err_status() says) and
 * closes. No globals: any thread may call any function on its own structs.
 */
#ifndef WEIR_H1_H
#define WEIR_H1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define H1_MAX_HDRS		256	/* field lines in a head */
#define H1_CHUNK_LINE_MAX	4096	/* bytes of a chunk-size line */
#define H1_TRAILERS_MAX		16384	/* bytes of trailers */

enum h1_kind {
	H1_REQUEST = 0,
	H1_RESPONSE,
};

/* Where h1_parse() stands; h1_state_str() names each state for logs. */
enum h1_state {
	H1_S_START = 0,		/* first byte of the message */
	H1_S_EMPTY_LF,		/* LF of a leading empty line */
	H1_S_METHOD_START,	/* first method byte after that line */
	H1_S_METHOD,
	H1_S_TARGET_START,
	H1_S_TARGET,
	H1_S_VERSION,		/* "HTTP/" DIGIT "." DIGIT, SP or CR */
	H1_S_RL_LF,		/* LF ending the request line */
	H1_S_STATUS,		/* the three digits of a status code */
	H1_S_REASON,
	H1_S_SL_LF,		/* LF ending the status line */
	H1_S_HDR_START,		/* a field line, or the final CRLF */
	H1_S_HDR_NAME,
	H1_S_HDR_OWS,		/* whitespace after the colon */
	H1_S_HDR_VALUE,
	H1_S_HDR_LF,		/* LF ending a field line */
	H1_S_END_LF,		/* LF ending the head */
	H1_S_DONE,
	H1_S_ERROR,
};

/* Why a message was refused; h1_err_str() cites the RFC section. */
enum h1_err {
	H1_ERR_NONE = 0,
	H1_ERR_METHOD,
	H1_ERR_REQUEST_LINE,
	H1_ERR_TARGET,
	H1_ERR_VERSION,		/* well formed, not 1.0 or 1.1: 505 */
	H1_ERR_STATUS_LINE,
	H1_ERR_STATUS,
	H1_ERR_BARE_CR,
	H1_ERR_BARE_LF,
	H1_ERR_HDR_NAME,
	H1_ERR_OBS_FOLD,
	H1_ERR_HDR_VALUE,
	H1_ERR_TOO_MANY_HDRS,	/* 431 */
	H1_ERR_CLEN,
	H1_ERR_CLEN_CONFLICT,
	H1_ERR_CLEN_TE,
	H1_ERR_TE,
	H1_ERR_TE_UNSUPPORTED,	/* a coding weir does not decode: 501 */
	H1_ERR_TE_HTTP10,
	H1_ERR_HOST_MISSING,
	H1_ERR_HOST_DUP,
	H1_ERR_HOST,
	H1_ERR_EXPECT,		/* 417 */
	H1_ERR_CONNECTION,
	H1_ERR_CHUNK_SIZE,
	H1_ERR_CHUNK_OVERFLOW,
	H1_ERR_CHUNK_EXT,
	H1_ERR_CHUNK_LINE_LONG,
	H1_ERR_CHUNK_CRLF,
	H1_ERR_TRAILERS_LONG,
	H1_ERR_COUNT		/* not an error: the number of codes */
};

/* Header fields the engine acts on; names match case-insensitively. */
enum h1_hdr_kind {
	H1_HDR_OTHER = 0,
	H1_HDR_HOST,
	H1_HDR_CONTENT_LENGTH,
	H1_HDR_TRANSFER_ENCODING,
	H1_HDR_CONNECTION,
	H1_HDR_KEEP_ALIVE,
	H1_HDR_TE,
	H1_HDR_TRAILER,
	H1_HDR_UPGRADE,
	H1_HDR_PROXY_CONNECTION,
	H1_HDR_PROXY_AUTHENTICATE,
	H1_HDR_PROXY_AUTHORIZATION,
	H1_HDR_EXPECT,
	H1_HDR_X_FORWARDED_FOR,
	H1_HDR_X_FORWARDED_PROTO,
};

/* struct h1_hdr flags */
#define H1_HF_HOP	0x0001	/* hop-by-hop: not forwarded as is */

/*
 * One field line. Offsets count from the start of the buffer given to
 * h1_parse(); the value excludes leading and trailing whitespace.
 */
struct h1_hdr {
	uint32_t name_off;
	uint32_t value_off;
	uint16_t name_len;
	uint32_t value_len;
	uint16_t kind;		/* enum h1_hdr_kind */
	uint16_t flags;		/* H1_HF_* */
};

/* struct h1_msg flags */
#define H1_MF_CLEN		0x0001	/* Content-Length: clen */
#define H1_MF_CHUNKED		0x0002	/* T-E: chunked */
#define H1_MF_CONN_CLOSE	0x0004	/* Connection: close */
#define H1_MF_CONN_KEEPALIVE	0x0008	/* Connection: keep-alive */
#define H1_MF_CONN_UPGRADE	0x0010	/* Connection: upgrade */
#define H1_MF_UPGRADE		0x0020	/* that, Upgrade, 1.1 */
#define H1_MF_WEBSOCKET		0x0040	/* to websocket */
#define H1_MF_EXPECT_100	0x0080	/* 100-continue, 1.1 */
#define H1_MF_HAS_HOST		0x0100	/* Host: index in host */
#define H1_MF_VER_11		0x0200	/* HTTP/1.1, else 1.0 */

/*
 * A message head being parsed. Set up by h1_msg_init(); a zeroed one is a
 * valid request parser allowing H1_MAX_HDRS fields. Everything below
 * "scanner" is private.
 */
struct h1_msg {
	enum h1_state state;
	enum h1_kind kind;
	enum h1_err err;
	uint32_t pos;		/* bytes examined (err_pos on error) */
	uint32_t err_pos;	/* offset of the offending byte */
	uint32_t head_len;	/* once done: the head's length */
	uint32_t flags;		/* H1_MF_* */
	unsigned max_hdrs;	/* 0 means H1_MAX_HDRS */
	unsigned nhdrs;
	uint32_t method_off, method_len;	/* requests */
	uint32_t target_off, target_len;
	uint32_t reason_off, reason_len;	/* responses */
	uint16_t status;
	uint8_t version;	/* 10 or 11 */
	uint16_t host;		/* index of Host, with H1_MF_HAS_HOST */
	uint16_t upgrade;	/* index of Upgrade, with H1_MF_UPGRADE */
	uint64_t clen;		/* with H1_MF_CLEN */
	/* scanner */
	uint32_t mark;		/* start of the element being read */
	uint8_t sub;		/* bytes of "HTTP/x.y" or status digits */
	uint8_t seen;		/* facts waiting for the end of the head */
	struct h1_hdr hdrs[H1_MAX_HDRS];
};

/* What follows a head (RFC 9112 6.3). */
enum h1_body {
	H1_BODY_NONE = 0,	/* none: the next message follows */
	H1_BODY_CLEN,		/* clen bytes (never 0: that is NONE) */
	H1_BODY_CHUNKED,	/* chunked, see h1_chunk_parse() */
	H1_BODY_CLOSE,		/* a response body ending at close */
	H1_BODY_TUNNEL,		/* 101, 2xx to CONNECT: a tunnel */
};

/*
 * Prepare m to parse a head of the given kind, allowing at most max_hdrs
 * field lines (0 or more than H1_MAX_HDRS mean H1_MAX_HDRS). Does not
 * touch m->hdrs: entries past m->nhdrs are never read.
 */
void h1_msg_init(struct h1_msg *m, enum h1_kind kind, unsigned max_hdrs);

/*
 * Parse the head in buf[0..len), the whole of it received so far: each
 * call passes the same buffer again, perhaps longer, and must not move it
 * or change bytes already passed. Resumes at m->pos without looking at
 * earlier bytes again, apart from the few field values whose meaning
 * matters (Host, Content-Length, Transfer-Encoding, Connection, Upgrade,
 * Expect), read once when their line ends.
 *
 * Returns >0, the length of the head (start line, field lines and the
 * final CRLF; one leading CRLF skipped before a request line included)
 * once it is complete; bytes after it, a body or a pipelined message, are
 * not examined. Returns 0 when it needs more bytes: a full buffer then is
 * the caller's 414 (m->state H1_S_TARGET or before) or 431. Returns -1 on
 * error with m->err and m->err_pos set. Once done or failed, later calls
 * return the same. len is capped at INT32_MAX.
 *
 * Still the caller's: for an absolute-form target, the target's authority
 * replaces Host (RFC 9112 3.2.2); Content-Length given as a list of equal
 * values is best forwarded as the single value in m->clen.
 */
int h1_parse(struct h1_msg *m, const char *buf, size_t len);

/*
 * The body of a parsed request: H1_BODY_CHUNKED, H1_BODY_CLEN or
 * H1_BODY_NONE (RFC 9112 6.3).
 */
enum h1_body h1_req_body(const struct h1_msg *req);

/*
 * The body of a parsed response to a request whose method is
 * req_method[0..mlen) (RFC 9112 6.3): none after HEAD, 1xx, 204 and 304
 * (a status below 200 is interim: another head follows), a tunnel after
 * 101 or a 2xx to CONNECT, else chunked, Content-Length, or until close.
 */
enum h1_body h1_rsp_body(const struct h1_msg *rsp, const char *req_method,
    size_t mlen);

/*
 * Whether the connection may carry another message after this one: 1.1
 * without Connection: close, or 1.0 with Connection: keep-alive.
 */
bool h1_keepalive(const struct h1_msg *m);

/*
 * The index of the first field at or after index from whose name is
 * name[0..nlen) in any case, or -1.
 */
int h1_hdr_find(const struct h1_msg *m, const char *buf, const char *name,
    size_t nlen, int from);

/*
 * Whether the comma-separated list v[0..vlen) holds the token tok (a NUL
 * terminated string), case-insensitively, elements trimmed of OWS.
 */
bool h1_token_in_list(const char *v, size_t vlen, const char *tok);

/* A short reason for err citing the RFC section: for logs and pages. */
const char *h1_err_str(enum h1_err err);

/* The status a server answers err with: 400, 417, 431, 501 or 505. */
int h1_err_status(enum h1_err err);

/* The name of a state, for logs. */
const char *h1_state_str(enum h1_state state);

/* Where h1_chunk_parse() stands. */
enum h1_chunk_state {
	H1_C_SIZE_START = 0,	/* first hex digit of a chunk size */
	H1_C_SIZE,
	H1_C_SIZE_BWS,		/* BWS after a size or ext: ';' next */
	H1_C_EXT_NAME_START,	/* after ';' */
	H1_C_EXT_NAME,
	H1_C_EXT_NAME_BWS,	/* BWS after a name: '=' or ';' next */
	H1_C_EXT_VAL_START,	/* after '=' */
	H1_C_EXT_VAL,		/* a token value */
	H1_C_EXT_QVAL,		/* a quoted-string value */
	H1_C_EXT_QPAIR,		/* the byte after a backslash */
	H1_C_EXT_VAL_END,	/* after the closing quote */
	H1_C_SIZE_LF,		/* LF ending the chunk-size line */
	H1_C_DATA,
	H1_C_DATA_CR,		/* CRLF after chunk data */
	H1_C_DATA_LF,
	H1_C_TRL_START,		/* a trailer line, or the final CRLF */
	H1_C_TRL_NAME,
	H1_C_TRL_VALUE,
	H1_C_TRL_LF,
	H1_C_END_LF,		/* LF ending the body */
	H1_C_DONE,
	H1_C_ERROR,
};

/*
 * A chunked body being validated (RFC 9112 7.1). Set up by h1_chunk_init();
 * a zeroed one is ready too.
 */
struct h1_chunk {
	enum h1_chunk_state state;
	enum h1_err err;
	uint64_t size;		/* size of the current chunk */
	uint64_t left;		/* its data bytes still to come */
	uint64_t off;		/* bytes of the body validated so far */
	uint64_t err_pos;	/* body offset of the offending byte */
	uint32_t line;		/* bytes of this chunk line or trailers */
};

/* Prepare c for a new chunked body. */
void h1_chunk_init(struct h1_chunk *c);

/*
 * Validate the next bytes of a chunked body, buf[0..len): unlike
 * h1_parse(), each call gets only bytes not passed before. Sets *consumed
 * to how many of them are valid: the caller may forward exactly those,
 * verbatim, and passes the rest again with more.
 *
 * With data_off and data_len NULL, goes as far as it can. Otherwise it
 * stops right after the first run of chunk data it meets, and sets
 * *data_off and *data_len to where that run lies in buf (length 0: none),
 * so a caller that must remove the framing can.
 *
 * Returns 1 when the body is complete: it ends at buf + *consumed, and
 * what follows belongs to the next message. Returns 0 when more is to
 * come. Returns -1 on error, with c->err and c->err_pos (the offending
 * byte's offset in the body) set; the *consumed bytes before the one that
 * revealed it were valid.
 */
int h1_chunk_parse(struct h1_chunk *c, const char *buf, size_t len,
    size_t *consumed, size_t *data_off, size_t *data_len);

/* The name of a chunk state, for logs. */
const char *h1_chunk_state_str(enum h1_chunk_state state);

#endif
