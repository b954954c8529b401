/* The inside of the checker (lint.h): its state and the pieces the
 * files of the checker share.  lint.c: findings, protocols, the sink;
 * lint_text.c: what a line's bytes say; lint_names.c: shadowed names
 * and port conflicts. */
#ifndef PORTDB_LINT_INT_H
#define PORTDB_LINT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ascii.h"
#include "formats.h"
#include "lint.h"

/* A note is no problem: glibc reads the line as it is, and the exit
 * status does not count it. */
enum severity { SEV_WARNING, SEV_ERROR, SEV_NOTE };

struct finding {
	uint32_t file;
	unsigned long line;   /* 0: about the whole file */
	size_t col;           /* 0-based */
	enum severity sev;
	unsigned long seq;
	char *msg;
};

/* The earliest entry that answers some name or port. */
struct first {
	uint32_t file;
	unsigned long line;
	uint16_t port;
	char *name;
};

struct slot {
	char *key;            /* NULL: empty */
	size_t klen;
	uint64_t hash;
	uint32_t val;
};

/* Byte-string keys to indexes of lint.firsts; open addressing. */
struct map {
	struct slot *slots;
	size_t cap, n;
};

struct lint {
	struct svc_sink sink;
	char **files;
	uint32_t nfiles, cur;
	enum svc_format format;
	struct finding *f;
	size_t nf, fcap;
	unsigned long errors, warnings, entries, rows_skipped;
	/* the line being read (text formats), as read */
	char *raw;
	size_t rawlen, rawcap;
	unsigned long raw_line;
	unsigned long linted_line, range_line, proto_line;
	size_t proto_col;
	/* services text: does it look like another format? */
	struct svc_detect detect;
	/* /etc/protocols: names and aliases, sorted */
	const char *protocols;
	char **protos;
	size_t nprotos;
	int have_protos;
	struct map names, ports;
	struct first *firsts;
	size_t nfirsts, firsts_cap;
};

static inline int lint_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Record a finding of the current file.  @return 0 or ENOMEM. */
int lint_add(struct lint *lt, enum severity sev, unsigned long line, size_t col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The name of file I, as the findings give it. */
const char *lint_file_name(const struct lint *lt, uint32_t i);

/* lint_text.c, on the current line as read (lt->raw) and parsed (L): a
 * NUL byte, a '#' glued to a token, how the port is written. */
int lint_check_line(struct lint *lt, unsigned long line, const struct svc_line *l);
/* Control and non-UTF-8 bytes in an entry's name, protocol, aliases. */
int lint_check_strings(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos);
/* Why glibc drops the line of IS, as the parser says (is->parsed). */
int lint_explain_dropped(struct lint *lt, const struct svc_issue *is);

/* lint_names.c: the entry's names and port against the earlier ones. */
int lint_check_names(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos);
void lint_names_free(struct lint *lt);

#endif
