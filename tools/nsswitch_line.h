/* The services line of nsswitch.conf, read as glibc reads it
 * (nss/nss_database.c, nss_action_parse.c), and the edits that
 * `portdb nsswitch` makes to it. */
#ifndef PORTDB_NSSWITCH_LINE_H
#define PORTDB_NSSWITCH_LINE_H

#include <stddef.h>

/* One service on the line and its action block, pointing into the line. */
struct ns_item {
	const char *name;  /* the service name, not NUL-terminated */
	size_t namelen;
	const char *act;   /* "[...]" as written, or NULL */
	size_t actlen;
};

/* A services line split up.  ITEMS is allocated: free it. */
struct ns_line {
	size_t prefixlen;        /* "services:   ": name, colon, white space */
	struct ns_item *items;
	size_t nitems;
	const char *tail;        /* what glibc ignores (from a '[' with no name), or "" */
	size_t taillen;
};

/* The action `portdb nsswitch enable` gives portdb. */
#define NS_PORTDB_ACTION "[NOTFOUND=return]"

/* Is LINE (LEN bytes, no newline) a line of the services database?  As
 * glibc: leading white space, the name "services" ended by white space or
 * ':' (case matters), then any white space and colons, whose end is
 * stored in *PREFIXLEN. */
int ns_is_services_line(const char *line, size_t len, size_t *prefixlen);

/* Split the services line LINE (LEN bytes) after PREFIXLEN into OUT.
 * @return 0; ENOMEM; or EINVAL for an action block without its ']', for
 * which glibc rejects the whole file.  OUT->items is to be freed even on
 * error. */
int ns_parse_line(const char *line, size_t len, size_t prefixlen, struct ns_line *out);

/* Is IT the service NAME? */
int ns_item_is(const struct ns_item *it, const char *name);
/* Is the service NAME among the N ITEMS? */
int ns_has_item(const struct ns_item *items, size_t n, const char *name);
/* Is IT's action block ACT, white space aside and case-insensitively (as
 * glibc compares it)?  False without a block. */
int ns_act_is(const struct ns_item *it, const char *act);
/* Do A and B name the same services with the same actions? */
int ns_same_items(const struct ns_item *a, size_t na, const struct ns_item *b, size_t nb);

/* What enable makes of ITEMS: "portdb [NOTFOUND=return]", then ITEMS less
 * portdb and db, then files if ITEMS lacked it.  OUT has room for
 * NITEMS + 2.  @return the count. */
size_t ns_enabled_items(const struct ns_item *items, size_t nitems, struct ns_item *out);
/* ITEMS less portdb, or "files" alone if nothing is left (an empty line
 * leaves glibc no service).  OUT has room for NITEMS + 1. */
size_t ns_disabled_items(const struct ns_item *items, size_t nitems, struct ns_item *out);

/* A growing text; FAILED once an allocation failed (then P is what was
 * written before). */
struct ns_buf {
	char *p;
	size_t len, cap;
	int failed;
};
void ns_put(struct ns_buf *b, const char *s, size_t n);
void ns_puts(struct ns_buf *b, const char *s);
/* Append a services line, without newline: PREFIX (PREFIXLEN bytes; a
 * space is added if it does not end in one), the ITEMS separated by
 * spaces, then TAIL. */
void ns_put_line(struct ns_buf *b, const char *prefix, size_t prefixlen,
		 const struct ns_item *items, size_t n, const char *tail, size_t taillen);

#endif
