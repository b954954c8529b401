/* The RFC 4180 reader (csv.h). */
#include <config.h>

#include "csv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int csv_put(struct csv *c, char ch)
{
	if (c->blen == c->bcap) {
		size_t n = c->bcap ? c->bcap * 2 : 256;
		char *p = n > c->bcap ? realloc(c->buf, n) : NULL;
		if (p == NULL)
			return ENOMEM;
		c->buf = p;
		c->bcap = n;
	}
	c->buf[c->blen++] = ch;
	return 0;
}

static void csv_newline(struct csv *c)
{
	c->line++;
	c->line_start = c->p;
}

static int csv_error(struct csv *c, const char *msg, unsigned long line, size_t col,
		     int fatal)
{
	c->err = msg;
	c->err_line = line;
	c->err_col = col;
	c->err_fatal = fatal;
	if (!fatal) {
		/* Go on with the next line. */
		const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
		c->p = nl != NULL ? nl + 1 : c->end;
		if (nl != NULL)
			csv_newline(c);
	}
	return EBADMSG;
}

int csv_record(struct csv *c)
{
	c->nf = 0;
	c->blen = 0;
	if (c->p >= c->end)
		return 0;
	c->rec_line = c->line;
	for (;;) {
		struct csv_field *f;

		if (c->nf == c->fcap) {
			size_t ncap = c->fcap ? c->fcap * 2 : 16;
			void *nf = realloc(c->f, ncap * sizeof *c->f);
			if (nf == NULL)
				return ENOMEM;
			c->f = nf;
			c->fcap = ncap;
		}
		f = &c->f[c->nf++];
		f->off = c->blen;
		f->line = c->line;
		f->col = (size_t)(c->p - c->line_start);
		f->quoted = c->p < c->end && *c->p == '"';
		if (f->quoted) {
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					return csv_error(c, "a quoted field is not closed",
							 f->line, f->col, 1);
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						if (csv_put(c, '"') != 0)
							return ENOMEM;
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (csv_put(c, *c->p) != 0)
					return ENOMEM;
				if (*c->p++ == '\n')
					csv_newline(c);
			}
			if (c->p < c->end && *c->p == '\r' &&
			    (c->p + 1 == c->end || c->p[1] == '\n'))
				c->p++;
			if (c->p < c->end && *c->p != ',' && *c->p != '\n')
				return csv_error(c, "a character follows the closing quote of a field",
						 c->line, (size_t)(c->p - c->line_start), 0);
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n') {
				if (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n')) {
					c->p++;
					continue;
				}
				if (csv_put(c, *c->p++) != 0)
					return ENOMEM;
			}
		}
		f->len = c->blen - f->off;
		if (csv_put(c, '\0') != 0)
			return ENOMEM;
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end) {        /* '\n' */
			c->p++;
			csv_newline(c);
		}
		return 1;
	}
}

void csv_init(struct csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof *c);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {   /* a UTF-8 BOM */
		data += 3;
		len -= 3;
	}
	c->p = c->line_start = data;
	c->end = data + len;
	c->line = 1;
}

void csv_free(struct csv *c)
{
	free(c->f);
	free(c->buf);
}

/* Field I of the record, trimmed of spaces and tabs (in place). */
char *csv_trimmed(struct csv *c, size_t i, size_t *col)
{
	char *s = c->buf + c->f[i].off;
	size_t n = c->f[i].len;

	*col = c->f[i].col + (size_t)c->f[i].quoted;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
		(*col)++;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	s[n] = '\0';
	return s;
}
