/* The checker of `portdb check` (lint.h): its findings, the protocols
 * file, and the sink that hands what the readers see to the checks of
 * lint_text.c and lint_names.c. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "parse.h"
#include "portdb.h"

/* ------------------------------------------------------------ findings */

int lint_add(struct lint *lt, enum severity sev, unsigned long line, size_t col,
	     const char *fmt, ...)
{
	struct finding *f;
	va_list ap;
	int n;

	if (lt->nf == lt->fcap) {
		size_t cap = lt->fcap ? lt->fcap * 2 : 64;
		f = realloc(lt->f, cap * sizeof *f);
		if (f == NULL)
			return ENOMEM;
		lt->f = f;
		lt->fcap = cap;
	}
	f = &lt->f[lt->nf];
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	f->msg = malloc((size_t)n + 1);
	if (f->msg == NULL)
		return ENOMEM;
	va_start(ap, fmt);
	vsnprintf(f->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	f->file = lt->cur;
	f->line = line;
	f->col = col;
	f->sev = sev;
	f->seq = lt->nf++;
	if (sev == SEV_ERROR)
		lt->errors++;
	else if (sev == SEV_WARNING)
		lt->warnings++;
	return 0;
}

static int add_file(struct lint *lt, const char *path)
{
	char **files = realloc(lt->files, (lt->nfiles + 1) * sizeof *files);

	if (files == NULL)
		return ENOMEM;
	lt->files = files;
	files[lt->nfiles] = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (files[lt->nfiles] == NULL)
		return ENOMEM;
	lt->cur = lt->nfiles++;
	return 0;
}

const char *lint_file_name(const struct lint *lt, uint32_t i)
{
	return i < lt->nfiles ? lt->files[i] : "?";
}

/* --------------------------------------------------------- protocols */

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_proto(struct lint *lt, const char *s, size_t n, size_t *cap)
{
	if (lt->nprotos == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		char **p = realloc(lt->protos, ncap * sizeof *p);
		if (p == NULL)
			return ENOMEM;
		lt->protos = p;
		*cap = ncap;
	}
	lt->protos[lt->nprotos] = strndup(s, n);
	if (lt->protos[lt->nprotos] == NULL)
		return ENOMEM;
	lt->nprotos++;
	return 0;
}

/* protocols(5): NAME NUMBER ALIASES... # comment */
static int load_protocols(struct lint *lt, const char *path)
{
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t lcap = 0, cap = 0;
	ssize_t n;
	int rc = 0;

	if (fp == NULL)
		return errno;
	while ((n = getline(&line, &lcap, fp)) >= 0 && rc == 0) {
		char *p = line, *hash = memchr(line, '#', (size_t)n);
		int field = 0;

		if (hash != NULL)
			*hash = '\0';
		for (;;) {
			char *s = ascii_token(p, &p);

			if (*s == '\0')
				break;
			if (field++ != 1 && (rc = push_proto(lt, s, (size_t)(p - s), &cap)) != 0)
				break;
		}
	}
	free(line);
	fclose(fp);
	if (rc == 0 && lt->nprotos > 0)
		qsort(lt->protos, lt->nprotos, sizeof *lt->protos, by_str);
	return rc;
}

static int known_proto(const struct lint *lt, const char *proto)
{
	return lt->nprotos > 0 &&
	       bsearch(&proto, lt->protos, lt->nprotos, sizeof *lt->protos, by_str) != NULL;
}

static int check_proto(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos)
{
	char show[96];

	if (lt->proto_line == pos->line && lt->proto_col == pos->proto_col)
		return 0;
	lt->proto_line = pos->line;
	lt->proto_col = pos->proto_col;
	if (l->proto[0] == '\0')
		return lint_add(lt, SEV_WARNING, pos->line, pos->proto_col,
			   "no protocol: only a lookup with protocol \"\" or none finds '%s'",
			   l->name);
	if (!lt->have_protos || known_proto(lt, l->proto))
		return 0;
	show_bytes(show, sizeof show, l->proto, 40);
	return lint_add(lt, SEV_WARNING, pos->line, pos->proto_col, "protocol '%s' is not in %s%s",
		   show, lt->protocols,
		   strchr(l->proto, '/') != NULL
			   ? " (glibc reads 'a/b' as one protocol; Wireshark's merged form "
			     "needs --format=wireshark)"
			   : "");
}

/* ------------------------------------------------------ the sink */

static int on_begin(void *ctx, const char *path, enum svc_format format)
{
	struct lint *lt = ctx;

	lt->format = format;
	lt->raw_line = lt->linted_line = lt->range_line = lt->proto_line = 0;
	svc_detect_free(&lt->detect);
	return add_file(lt, path);
}

/* A services file that looks like another format: glibc reads it as
 * services text all the same, so this is a note, with the way out. */
static int on_end(void *ctx, const char *path, unsigned long entries, unsigned long skipped)
{
	static const char *const why[] = {
		[SVC_FORMAT_NMAP] = "nmap-services; glibc reads the frequency as an alias",
		[SVC_FORMAT_WIRESHARK] = "Wireshark's merged form; glibc reads a protocol "
					 "such as tcp/udp as one protocol, not one entry per part",
		[SVC_FORMAT_IANA_CSV] = "IANA's CSV; glibc drops this header and reads the "
					"rest as services(5) text",
	};
	struct lint *lt = ctx;
	enum svc_format f;
	unsigned long line;
	size_t col;

	(void)path;
	(void)entries;
	(void)skipped;
	if (lt->format != SVC_FORMAT_SERVICES)
		return 0;
	f = svc_detect_result(&lt->detect, &line, &col);
	if (f == SVC_FORMAT_SERVICES || (unsigned)f >= sizeof why / sizeof why[0] || why[f] == NULL)
		return 0;
	return lint_add(lt, SEV_NOTE, line, col, "this looks like %s; use --format=%s to convert it",
			why[f], svc_format_name(f));
}

static int on_line(void *ctx, unsigned long lineno, const char *raw, size_t len)
{
	struct lint *lt = ctx;

	if (len + 1 > lt->rawcap) {
		char *p = realloc(lt->raw, len + 1);
		if (p == NULL)
			return ENOMEM;
		lt->raw = p;
		lt->rawcap = len + 1;
	}
	memcpy(lt->raw, raw, len);
	lt->raw[len] = '\0';
	lt->rawlen = len;
	lt->raw_line = lineno;
	return lt->format == SVC_FORMAT_SERVICES ? svc_detect_line(&lt->detect, raw, len) : 0;
}

static int on_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct lint *lt = ctx;
	int rc = 0;

	lt->entries++;
	if (lt->linted_line != pos->line) {
		lt->linted_line = pos->line;
		if (lt->format != SVC_FORMAT_IANA_CSV && lt->raw_line == pos->line)
			rc = lint_check_line(lt, pos->line, l);
		if (rc == 0)
			rc = lint_check_strings(lt, l, pos);
	}
	if (rc == 0)
		rc = check_proto(lt, l, pos);
	if (rc == 0)
		rc = lint_check_names(lt, l, pos);
	return rc;
}

static int on_issue(void *ctx, const struct svc_issue *is)
{
	struct lint *lt = ctx;

	switch (is->kind) {
	case SVC_ISSUE_DROPPED:
		return lint_explain_dropped(lt, is);
	case SVC_ISSUE_RANGE:
		lt->range_line = is->line;
		return lint_add(lt, SEV_WARNING, is->line, is->col,
			   "port range %lu-%lu gives %lu %s, one per port (services(5) has "
			   "no ranges: glibc drops such a line)", is->low, is->high,
			   is->high - is->low + 1,
			   plural(is->high - is->low + 1, "entry", "entries"));
	case SVC_ISSUE_ROW_SKIPPED:
		lt->rows_skipped++;
		return 0;
	case SVC_ISSUE_ROW_INVALID:
		return lint_add(lt, SEV_WARNING, is->line, is->col, "%s", is->message);
	case SVC_ISSUE_MALFORMED:
		return lint_add(lt, SEV_ERROR, is->line, is->col, "malformed CSV: %s%s", is->message,
			   is->fatal ? " (the rest of the file is not read)" : "");
	}
	return 0;
}

/* ------------------------------------------------------------ API */

struct lint *lint_new(const char *protocols, int *proto_err)
{
	struct lint *lt = calloc(1, sizeof *lt);

	*proto_err = 0;
	if (lt == NULL)
		return NULL;
	lt->sink = (struct svc_sink){ .ctx = lt, .begin = on_begin, .line = on_line,
				      .entry = on_entry, .issue = on_issue, .end = on_end };
	lt->protocols = protocols;
	if (protocols != NULL) {
		int rc = load_protocols(lt, protocols);
		if (rc == ENOMEM) {
			lint_free(lt);
			return NULL;
		}
		*proto_err = rc;
		lt->have_protos = rc == 0;
	}
	return lt;
}

const struct svc_sink *lint_sink(struct lint *lt)
{
	return &lt->sink;
}

void lint_source_error(struct lint *lt, const char *path, const char *msg)
{
	size_t n = strlen(path);

	/* collect.c's messages start with the path already. */
	if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		msg += n + 2;
	if (lt->nfiles == 0 || strcmp(lt->files[lt->cur], path) != 0)
		if (add_file(lt, path) != 0)
			return;
	lint_add(lt, SEV_ERROR, 0, 0, "%s", msg);
}

static int by_position(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void lint_print(const struct lint *lt, FILE *out, int errors_only)
{
	/* Sorting the findings in place does not change what they say. */
	if (lt->nf > 1)
		qsort(lt->f, lt->nf, sizeof *lt->f, by_position);
	for (size_t i = 0; i < lt->nf; i++) {
		const struct finding *f = &lt->f[i];
		const char *sev = f->sev == SEV_ERROR ? "error"
				  : f->sev == SEV_NOTE ? "note" : "warning";

		if (errors_only && f->sev != SEV_ERROR)
			continue;
		if (f->line == 0)
			fprintf(out, "%s: %s: %s\n", lint_file_name(lt, f->file), sev, f->msg);
		else
			fprintf(out, "%s:%lu:%zu: %s: %s\n", lint_file_name(lt, f->file), f->line,
				f->col + 1, sev, f->msg);
	}
}

unsigned long lint_errors(const struct lint *lt) { return lt->errors; }
unsigned long lint_warnings(const struct lint *lt) { return lt->warnings; }
unsigned long lint_entries(const struct lint *lt) { return lt->entries; }
unsigned long lint_rows_skipped(const struct lint *lt) { return lt->rows_skipped; }
unsigned long lint_files(const struct lint *lt) { return lt->nfiles; }

void lint_free(struct lint *lt)
{
	if (lt == NULL)
		return;
	for (size_t i = 0; i < lt->nf; i++)
		free(lt->f[i].msg);
	free(lt->f);
	for (uint32_t i = 0; i < lt->nfiles; i++)
		free(lt->files[i]);
	free(lt->files);
	for (size_t i = 0; i < lt->nprotos; i++)
		free(lt->protos[i]);
	free(lt->protos);
	lint_names_free(lt);
	svc_detect_free(&lt->detect);
	free(lt->raw);
	free(lt);
}
