#include "config.h"

#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void diag_add(struct diag *, enum diag_level, const struct loc *,
    const char *, va_list) __attribute__((format(printf, 4, 0)));

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->tail = &d->head;
}

void
diag_reset(struct diag *d)
{
	struct diag_msg *m, *next;

	for (m = d->head; m != NULL; m = next) {
		next = m->next;
		free(m->file);
		free(m->text);
		free(m);
	}
	diag_init(d);
}

static void
diag_add(struct diag *d, enum diag_level level, const struct loc *loc,
    const char *fmt, va_list ap)
{
	struct diag_msg *m;

	if (level == DIAG_ERROR)
		d->nerr++;
	else
		d->nwarn++;
	if (d->tail == NULL)
		d->tail = &d->head;
	if (d->nmsg >= DIAG_MAX_MSGS) {
		d->dropped++;
		return;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL || vasprintf(&m->text, fmt, ap) < 0) {
		free(m);
		d->dropped++;
		return;
	}
	m->level = level;
	if (loc != NULL) {
		m->file = loc->file != NULL ? strdup(loc->file) : NULL;
		m->line = loc->line;
		m->col = loc->col;
	}
	m->seq = d->nmsg++;
	*d->tail = m;
	d->tail = &m->next;
}

void
diag_error(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_add(d, DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

struct diag_key {
	struct diag_msg *m;
	unsigned file_rank;
};

static int
diag_key_cmp(const void *pa, const void *pb)
{
	const struct diag_key *a = pa, *b = pb;

	if (a->file_rank != b->file_rank)
		return a->file_rank < b->file_rank ? -1 : 1;
	if (a->m->line != b->m->line)
		return a->m->line < b->m->line ? -1 : 1;
	if (a->m->col != b->m->col)
		return a->m->col < b->m->col ? -1 : 1;
	return a->m->seq < b->m->seq ? -1 : a->m->seq > b->m->seq;
}

void
diag_sort(struct diag *d)
{
	struct diag_key *keys;
	struct diag_msg *m;
	size_t n = 0, i, j;

	for (m = d->head; m != NULL; m = m->next)
		n++;
	if (n < 2)
		return;
	keys = calloc(n, sizeof(*keys));
	if (keys == NULL)
		return;
	for (i = 0, m = d->head; m != NULL; m = m->next, i++) {
		keys[i].m = m;
		keys[i].file_rank = (unsigned)i;
		/* A file ranks where it was first mentioned. */
		for (j = 0; j < i; j++) {
			const char *fa = keys[j].m->file, *fb = m->file;

			if (fa == fb || (fa && fb && strcmp(fa, fb) == 0)) {
				keys[i].file_rank = keys[j].file_rank;
				break;
			}
		}
	}
	qsort(keys, n, sizeof(*keys), diag_key_cmp);
	d->tail = &d->head;
	for (i = 0; i < n; i++) {
		*d->tail = keys[i].m;
		d->tail = &keys[i].m->next;
	}
	*d->tail = NULL;
	free(keys);
}

int
diag_format(const struct diag_msg *m, char *buf, size_t size)
{
	const char *lvl = m->level == DIAG_ERROR ? "error" : "warning";

	if (m->file == NULL)
		return snprintf(buf, size, "%s: %s", lvl, m->text);
	if (m->line == 0)
		return snprintf(buf, size, "%s: %s: %s", m->file, lvl, m->text);
	return snprintf(buf, size, "%s:%u:%u: %s: %s", m->file, m->line,
	    m->col, lvl, m->text);
}

void
diag_print_level(const struct diag *d, FILE *f, enum diag_level max)
{
	const struct diag_msg *m;
	char buf[1024];

	for (m = d->head; m != NULL; m = m->next) {
		if (m->level > max)
			continue;
		diag_format(m, buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	if (d->dropped > 0)
		fprintf(f, "(%u more messages not shown)\n", d->dropped);
}

void
diag_print(const struct diag *d, FILE *f)
{
	diag_print_level(d, f, DIAG_WARNING);
}

unsigned
diag_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned *prev2, *prev, *cur, *mem, r;

	if (la > 64 || lb > 64)
		return UINT32_MAX;
	mem = calloc(3 * (lb + 1), sizeof(*mem));
	if (mem == NULL)
		return UINT32_MAX;
	prev2 = mem;
	prev = mem + lb + 1;
	cur = mem + 2 * (lb + 1);
	for (j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *t;

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	r = prev[lb];
	free(mem);
	return r;
}

const char *
diag_best_match(const char *word, const void *rows, size_t n, size_t stride)
{
	const char *best = NULL;
	unsigned best_d = UINT32_MAX, limit;
	size_t i, wl = strlen(word);

	/* One edit in short words, about a third of the letters in long. */
	limit = wl <= 4 ? 1 : (unsigned)(wl + 2) / 3;
	for (i = 0; i < n; i++) {
		const char *name;
		unsigned d;

		memcpy(&name, (const char *)rows + i * stride, sizeof(name));
		if (name == NULL)
			continue;
		d = diag_distance(word, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	return best_d <= limit ? best : NULL;
}
