/*
 * Diagnostics: errors and warnings tied to a place in a config file,
 * collected (never printed) by the config code so one run reports all.
 */
#ifndef WEIR_DIAG_H
#define WEIR_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A place in a config file; line 0 means the file as a whole. */
struct loc {
	const char *file;
	unsigned line;
	unsigned col;
};

enum diag_level {
	DIAG_ERROR = 0,
	DIAG_WARNING,
};

struct diag_msg {
	struct diag_msg *next;
	enum diag_level level;
	unsigned line, col;
	unsigned seq;
	char *file;
	char *text;		/* the message, without place or level */
};

struct diag {
	struct diag_msg *head;
	struct diag_msg **tail;
	unsigned nerr;
	unsigned nwarn;
	unsigned nmsg;
	unsigned dropped;	/* messages past DIAG_MAX_MSGS */
};

#define DIAG_MAX_MSGS 1000

void diag_init(struct diag *d);
/* Free every message; the diag may be used again. */
void diag_reset(struct diag *d);
/* Record an error or a warning at loc (which may be NULL). */
void diag_error(struct diag *d, const struct loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warn(struct diag *d, const struct loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Order messages by file (first mention), line, column; stable. */
void diag_sort(struct diag *d);
/*
 * Format one message as "file:line:col: error: text" into buf (always
 * NUL-terminated). Returns the length it wanted, as snprintf does.
 */
int diag_format(const struct diag_msg *m, char *buf, size_t size);
/* Print every message, one per line, to f. */
void diag_print(const struct diag *d, FILE *f);
/* Print the messages of level max or more severe (DIAG_ERROR first). */
void diag_print_level(const struct diag *d, FILE *f, enum diag_level max);

/*
 * The closest name to word among n table rows of stride bytes that each
 * begin with a `const char *` name (NULL names are skipped), or NULL when
 * none is close enough to be a plausible typo.
 */
const char *diag_best_match(const char *word, const void *rows, size_t n,
    size_t stride);
/* Edit distance (Damerau: a swap of two neighbours counts as one). */
unsigned diag_distance(const char *a, const char *b);

#endif
