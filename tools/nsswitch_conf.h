/* nsswitch.conf as `portdb nsswitch` edits it: the file read whole and
 * split into lines, and written back atomically. */
#ifndef PORTDB_NSSWITCH_CONF_H
#define PORTDB_NSSWITCH_CONF_H

#include <stddef.h>
#include <sys/stat.h>

/* Our comment above the services line: the line as it was before. */
#define MARKER "# Before 'portdb nsswitch enable': "

struct conf_line {
	const char *p;
	size_t len;      /* without the newline */
	int newline;
	int services;    /* a services line, whose name and colon take PREFIXLEN */
	size_t prefixlen;
	int marker;      /* a comment of ours: the line before enable */
};

struct conf {
	char *text;
	size_t len;
	struct conf_line *lines;
	size_t nlines;
	long last_services;   /* index of the line glibc uses, or -1 */
	long marker;          /* index of our last marker comment, or -1 */
};

/* Read PATH into C, split into lines, with its status in ST; a missing
 * file is empty and *EXISTS 0.  @return 0 or a positive errno, with ERR
 * set. */
int read_conf(const char *path, struct conf *c, struct stat *st, int *exists, char *err,
	      size_t errlen);

/* Write DATA (LEN bytes) to PATH through a temporary file in the same
 * directory, with LIKE's mode and owner (0644 root if LIKE is NULL).
 * @return 0 or a positive errno, with ERR set. */
int write_atomic(const char *path, const char *data, size_t len, const struct stat *like,
		 char *err, size_t errlen);

#endif
