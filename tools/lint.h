/* The checks of `portdb check` (and `portdb build --strict`): an
 * observer of collect.c's reading that turns what it sees into
 * compiler-style findings, FILE:LINE:COL: error|warning|note: message.
 *
 * Errors: lines glibc drops (the entry the author meant is lost),
 * malformed CSV rows.  Warnings: everything that is read but not as its
 * author probably meant: shadowed entries and names, port conflicts,
 * ports glibc wraps or reads as octal or hex, a '#' inside a token, a
 * NUL byte, control or non-UTF-8 bytes, protocols /etc/protocols does
 * not know, port ranges, CSV rows that services(5) cannot hold.  Notes
 * (not counted): a services file that looks like nmap-services,
 * Wireshark's merged form or IANA's CSV. */
#ifndef PORTDB_LINT_H
#define PORTDB_LINT_H

#include <stdio.h>

#include "formats.h"

struct lint;

/* PROTOCOLS: the protocols file to check protocols against (NULL: no
 * such check).  When it cannot be read, *PROTO_ERR is its errno value
 * and protocols are not checked.  @return NULL when out of memory. */
struct lint *lint_new(const char *protocols, int *proto_err);
void lint_free(struct lint *lt);

/* The observer to give collect.c (struct collect_opts.observer). */
const struct svc_sink *lint_sink(struct lint *lt);

/* A source that could not be read at all: an error without a line. */
void lint_source_error(struct lint *lt, const char *path, const char *msg);

/* Print the findings, in file, line and column order, each as
 * "FILE:LINE:COL: error|warning|note: message" (columns are 1-based
 * byte offsets); with ERRORS_ONLY, the errors alone. */
void lint_print(const struct lint *lt, FILE *out, int errors_only);

unsigned long lint_errors(const struct lint *lt);
unsigned long lint_warnings(const struct lint *lt);
unsigned long lint_entries(const struct lint *lt);
unsigned long lint_rows_skipped(const struct lint *lt);  /* CSV: no name, port or protocol */
unsigned long lint_files(const struct lint *lt);

#endif
