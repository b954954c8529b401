/* An RFC 4180 reader: records of fields, quoted fields with commas,
 * doubled quotes and line breaks, each field with the line and column
 * where it starts.  For IANA's registry (formats.c). */
/* Errors: a function returning int returns 0 or a positive errno;
 * csv_record also returns 1 for a record read. */
#ifndef PORTDB_CSV_H
#define PORTDB_CSV_H

#include <stddef.h>

struct csv_field {
	size_t off, len;        /* in csv.buf, NUL-terminated there */
	unsigned long line;     /* where the field starts, from 1 */
	size_t col;             /* 0-based */
	int quoted;
};

struct csv {
	const char *p, *end;
	const char *line_start;
	unsigned long line;
	struct csv_field *f;    /* the current record's fields */
	size_t nf, fcap;
	char *buf;
	size_t blen, bcap;
	unsigned long rec_line;  /* the current record's first line */
	/* the last error */
	const char *err;
	unsigned long err_line;
	size_t err_col;
	int err_fatal;          /* nothing after it can be read */
};

/* Read DATA (LEN bytes, a UTF-8 byte order mark skipped). */
void csv_init(struct csv *c, const char *data, size_t len);

/* The next record into c->f.  A record ends at a newline (or CRLF)
 * outside quotes.  After an error that is not fatal, reading goes on at
 * the next line.  @return 1, 0 at the end, EBADMSG (c->err says why,
 * where), or ENOMEM. */
int csv_record(struct csv *c);

/* Field I of the record, trimmed of spaces and tabs (in place); *COL its
 * column after the trimming. */
char *csv_trimmed(struct csv *c, size_t i, size_t *col);

void csv_free(struct csv *c);

#endif
