/* Input formats: services(5) text and the other lists of ports people
 * have (IANA's registry CSV, Wireshark's merged form, nmap-services),
 * all turned into the same struct svc_line entries the services parser
 * gives, in input order.  Pure: a buffer in, callbacks out; the files
 * are read by collect.c. */
/* Errors: a function returning int returns 0 or a positive errno. */
#ifndef PORTDB_FORMATS_H
#define PORTDB_FORMATS_H

#include <stddef.h>

#include "parse.h"

enum svc_format {
	/* The zero value: what is not told otherwise is read as glibc reads it. */
	SVC_FORMAT_SERVICES = 0,   /* services(5), glibc's rules */
	SVC_FORMAT_AUTO,       /* detect from the content (svc_format_detect) */
	SVC_FORMAT_IANA_CSV,   /* service-names-port-numbers.csv */
	SVC_FORMAT_WIRESHARK,  /* services(5) with merged protocols: 80/tcp/udp */
	SVC_FORMAT_NMAP,       /* nmap-services: name port/proto frequency */
};

/* "services", "iana-csv", "wireshark", "nmap" ("auto" for AUTO). */
const char *svc_format_name(enum svc_format format);

/* Parse a --format argument: one of the names above ("csv" and "iana"
 * are accepted for iana-csv).  @return 0, or EINVAL. */
int svc_format_from_name(const char *name, enum svc_format *out);

/* Guess the format of DATA (LEN bytes):
 *  - iana-csv: the first record is a CSV header whose first three
 *    columns are Service Name, Port Number, Transport Protocol;
 *  - services: the text starts with "# portdb " (what `portdb dump` and
 *    `portdb convert` write), so a dump always builds as it was dumped;
 *  - nmap: at least 9 in 10 of the first 1000 entry lines (and at least
 *    one) have exactly one token after the port, a decimal fraction
 *    such as 0.001995 (the open frequency);
 *  - wireshark: at least a quarter of those lines (and at least two)
 *    merge protocols, such as 80/tcp/udp, every part a transport
 *    (tcp, udp, sctp, dccp);
 *  - services otherwise.
 * Only `portdb convert` (and --format=auto) guesses: to glibc every
 * file is services(5) text, so that is how a source is built.
 * Never SVC_FORMAT_AUTO. */
enum svc_format svc_format_detect(const char *data, size_t len);

/* svc_format_detect one line at a time, for a reader that goes through
 * the lines anyway: `portdb check` notes a services file that looks
 * like another format.  Zero-initialise, feed each physical line (no
 * newline) in order, then ask svc_detect_result; free with
 * svc_detect_free. */
struct svc_detect {
	unsigned long lines, entries, merged, nmap;
	unsigned long merged_line, nmap_line;   /* the first such line; 0: none */
	size_t merged_col, nmap_col;            /* 0-based, on that line */
	int csv_header, dump;    /* what the first line is */
	int done;                /* further lines change nothing */
	struct svc_line l;
	char *buf;
	size_t cap;
};

/* @return 0, or ENOMEM (the lines seen so far still count). */
int svc_detect_line(struct svc_detect *d, const char *raw, size_t len);

/* The format the lines fed so far look like (never AUTO), and in *LINE
 * and *COL where it shows first: the CSV header, the first merged
 * protocol, the first frequency (line 0 for services). */
enum svc_format svc_detect_result(const struct svc_detect *d, unsigned long *line,
				  size_t *col);

void svc_detect_free(struct svc_detect *d);

/* Where an entry comes from. */
struct svc_pos {
	unsigned long line;      /* from 1; for CSV the row's first line */
	size_t name_col;         /* 0-based byte offsets on that line */
	size_t port_col;
	size_t proto_col;
	/* Text formats: the parsed copy of the line that the entry's
	 * strings point into, so an alias's column is alias - base.  NULL
	 * for CSV, whose strings are unquoted copies. */
	const char *base;
};

enum svc_issue_kind {
	SVC_ISSUE_DROPPED,     /* glibc's rules drop the line; reason: enum parse_result */
	SVC_ISSUE_RANGE,       /* a port range LOW-HIGH, given as one entry per port */
	SVC_ISSUE_ROW_SKIPPED, /* CSV: no service name, port or protocol (message says which) */
	SVC_ISSUE_ROW_INVALID, /* CSV: a field services(5) cannot hold (whitespace, '#'): skipped */
	SVC_ISSUE_MALFORMED,   /* CSV: bad quoting, too few fields, a port that is no number */
};

struct svc_issue {
	enum svc_issue_kind kind;
	unsigned long line;    /* from 1 */
	size_t col;            /* 0-based byte offset on LINE */
	int reason;            /* DROPPED */
	/* DROPPED: the parser's view of the line, valid during the call:
	 * why (the detail), why_col, end_col, hash_col.  Else NULL. */
	const struct svc_line *parsed;
	unsigned long low, high;   /* RANGE */
	const char *message;   /* ROW_*, MALFORMED: what is wrong, for people */
	int fatal;             /* MALFORMED: nothing after it can be read */
};

/* What a reader tells its caller.  Every callback may be NULL; a
 * non-zero return stops the reading and is returned by svc_read. */
struct svc_sink {
	void *ctx;
	/* Text formats: each physical line's bytes as read (no newline),
	 * before it is parsed.  Not called for CSV. */
	int (*line)(void *ctx, unsigned long lineno, const char *raw, size_t len);
	/* An entry.  L and POS are valid during the call only. */
	int (*entry)(void *ctx, const struct svc_line *l, const struct svc_pos *pos);
	int (*issue)(void *ctx, const struct svc_issue *is);
	/* Used by collect.c, never by svc_read: a source file begins (PATH,
	 * read as FORMAT), and ends (its entries and skipped lines). */
	int (*begin)(void *ctx, const char *path, enum svc_format format);
	int (*end)(void *ctx, const char *path, unsigned long entries,
		   unsigned long skipped);
};

/* Read DATA (LEN bytes) as FORMAT (AUTO: svc_format_detect) and hand
 * each entry, in order, to SINK.
 *
 * services: glibc's rules (parse.h).
 * wireshark: the services rules, then a protocol holding '/' gives one
 *   entry per non-empty part (80/tcp/udp: tcp and udp), and a port range
 *   LOW-HIGH gives one entry per port in the range (issue RANGE).
 * nmap: the services rules; a first token after the port that is a
 *   decimal fraction is the open frequency, not an alias.
 * iana-csv: RFC 4180 (quoted fields with commas, doubled quotes and line
 *   breaks); columns found by their header names; a row with an empty
 *   name, port or protocol is skipped (ROW_SKIPPED); a port range gives
 *   one entry per port (RANGE).  A name or protocol services(5) cannot
 *   hold is skipped (ROW_INVALID); quoting errors and bad port fields
 *   are MALFORMED, and reading goes on with the next row unless fatal.
 *
 * @return 0, ENOMEM, or the first non-zero value a callback returned. */
int svc_read(const char *data, size_t len, enum svc_format format,
	     const struct svc_sink *sink);

#endif
