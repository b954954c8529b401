/* libFuzzer target: the CSV reader and the input formats, on any bytes.
 *
 * CSV: every record read is written back, every field quoted, and read
 * again: the same fields must come back, with no error.  Formats: the
 * detection names a real format, and reading the bytes in each format
 * hands out only entries services(5) can hold, at the places it says;
 * reading with detection gives what reading the detected format gives. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A port range is one entry per port: stop a reading past this many, so
 * that an input of ranges cannot make a run take minutes. */
#define MAX_ENTRIES 200000
#define STOPPED 12345

struct out {
	char *p;
	size_t len, cap;
};

static void out_put(struct out *o, const void *s, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2;
		char *p = realloc(o->p, cap);
		assert(p != NULL);
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Append record C to O as CSV with every field quoted. */
static void out_record(struct out *o, const struct csv *c)
{
	for (size_t i = 0; i < c->nf; i++) {
		const char *s = c->buf + c->f[i].off;

		if (i > 0)
			out_put(o, ",", 1);
		out_put(o, "\"", 1);
		for (size_t k = 0; k < c->f[i].len; k++) {
			if (s[k] == '"')
				out_put(o, "\"\"", 2);
			else
				out_put(o, s + k, 1);
		}
		out_put(o, "\"", 1);
	}
	out_put(o, "\n", 1);
}

/* The fields of a record are where the reader says, each NUL-terminated,
 * each starting on a line of the record. */
static void check_record(const struct csv *c)
{
	assert(c->nf >= 1);
	for (size_t i = 0; i < c->nf; i++) {
		const struct csv_field *f = &c->f[i];

		assert(f->off + f->len < c->blen);
		assert(c->buf[f->off + f->len] == '\0');
		assert(i == 0 || f->off == c->f[i - 1].off + c->f[i - 1].len + 1);
		assert(f->line >= c->rec_line && f->line <= c->line);
	}
}

static void fuzz_csv(const uint8_t *data, size_t size)
{
	struct csv c, again;
	struct out o = { 0 };
	size_t records = 0, n = 0;
	int rc;

	csv_init(&c, (const char *)data, size);
	for (;;) {
		const char *before = c.p;

		rc = csv_record(&c);
		if (rc == 0 || rc == ENOMEM)
			break;
		assert(c.p > before);   /* every call reads something */
		if (rc == EBADMSG) {
			assert(c.err != NULL && c.err_line >= 1);
			if (c.err_fatal)
				break;
			continue;
		}
		assert(rc == 1);
		check_record(&c);
		out_record(&o, &c);
		records++;
	}
	csv_free(&c);

	/* What was read, written plainly, reads back the same. */
	csv_init(&c, (const char *)data, size);
	csv_init(&again, o.p != NULL ? o.p : "", o.len);
	while (rc != ENOMEM && n < records) {
		rc = csv_record(&c);
		if (rc == EBADMSG)
			continue;
		if (rc != 1)
			break;
		assert(csv_record(&again) == 1);
		assert(again.nf == c.nf);
		for (size_t i = 0; i < c.nf; i++) {
			assert(again.f[i].len == c.f[i].len);
			assert(memcmp(again.buf + again.f[i].off, c.buf + c.f[i].off,
				      c.f[i].len) == 0);
			assert(again.f[i].quoted);
		}
		n++;
	}
	if (rc != ENOMEM && n == records)
		assert(csv_record(&again) == 0);
	csv_free(&c);
	csv_free(&again);
	free(o.p);
}

struct seen {
	enum svc_format format;
	unsigned long entries, last_line, lines;
	uint64_t sum;           /* of every entry's strings, port and place */
};

static uint64_t mixin(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

/* Something services(5) can hold as one token. */
static void check_token(const char *s)
{
	assert(s != NULL);
	assert(strpbrk(s, " \t\n\v\f\r#") == NULL);
}

static int on_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct seen *s = ctx;

	assert(l->name[0] != '\0');
	check_token(l->name);
	check_token(l->proto);
	assert(pos->line >= 1 && pos->line >= s->last_line);
	s->last_line = pos->line;
	if (s->format == SVC_FORMAT_IANA_CSV) {
		assert(pos->base == NULL && l->naliases == 0);
		assert(l->proto[0] != '\0' && l->proto[0] != '/');
	} else {
		/* The columns point at the strings in the parsed line. */
		assert(pos->base != NULL);
		assert(l->name == pos->base + pos->name_col);
		assert(l->proto == pos->base + pos->proto_col);
		assert(pos->line == s->lines);   /* the line just handed out */
		for (size_t i = 0; i < l->naliases; i++) {
			assert(l->aliases[i][0] != '\0');
			check_token(l->aliases[i]);
		}
	}
	if (s->format == SVC_FORMAT_WIRESHARK)
		assert(strchr(l->proto, '/') == NULL);   /* merged protocols are split */
	s->sum = mixin(s->sum, l->name, strlen(l->name) + 1);
	s->sum = mixin(s->sum, l->proto, strlen(l->proto) + 1);
	s->sum = mixin(s->sum, &l->port, sizeof l->port);
	s->sum = mixin(s->sum, &pos->line, sizeof pos->line);
	for (size_t i = 0; i < l->naliases; i++)
		s->sum = mixin(s->sum, l->aliases[i], strlen(l->aliases[i]) + 1);
	return ++s->entries >= MAX_ENTRIES ? STOPPED : 0;
}

static int on_issue(void *ctx, const struct svc_issue *is)
{
	assert(is->line >= 1);
	switch (is->kind) {
	case SVC_ISSUE_DROPPED:
		break;
	case SVC_ISSUE_RANGE:
		assert(is->low <= is->high && is->high <= 65535);
		break;
	case SVC_ISSUE_ROW_SKIPPED:
	case SVC_ISSUE_ROW_INVALID:
	case SVC_ISSUE_MALFORMED:
		assert(is->message != NULL && is->message[0] != '\0');
		break;
	default:
		assert(!"an issue of no known kind");
	}
	return 0;
}

static int on_line(void *ctx, unsigned long lineno, const char *raw, size_t len)
{
	struct seen *s = ctx;

	assert(s->format != SVC_FORMAT_IANA_CSV);
	assert(lineno == s->lines + 1);
	assert(memchr(raw, '\n', len) == NULL);
	s->lines = lineno;
	return 0;
}

static int read_as(const uint8_t *data, size_t size, enum svc_format format,
		   enum svc_format as, struct seen *s)
{
	struct svc_sink sink = { .ctx = s, .line = on_line, .entry = on_entry,
				 .issue = on_issue };
	int rc;

	*s = (struct seen){ .format = as };
	rc = svc_read((const char *)data, size, format, &sink);
	assert(rc == 0 || rc == ENOMEM || rc == STOPPED);
	assert(rc != STOPPED || s->entries == MAX_ENTRIES);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum svc_format detected = svc_format_detect((const char *)data, size);
	struct seen s, a;

	fuzz_csv(data, size);

	assert(detected == SVC_FORMAT_SERVICES || detected == SVC_FORMAT_IANA_CSV ||
	       detected == SVC_FORMAT_WIRESHARK || detected == SVC_FORMAT_NMAP);
	assert(svc_format_detect((const char *)data, size) == detected);

	static const enum svc_format formats[] = {
		SVC_FORMAT_SERVICES, SVC_FORMAT_IANA_CSV, SVC_FORMAT_WIRESHARK, SVC_FORMAT_NMAP,
	};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		enum svc_format f = formats[i];
		int rc = read_as(data, size, f, f, &s);

		if (f == detected && rc != ENOMEM) {
			/* AUTO reads as the format it detects. */
			if (read_as(data, size, SVC_FORMAT_AUTO, f, &a) != ENOMEM)
				assert(a.entries == s.entries && a.sum == s.sum);
		}
	}
	return 0;
}
