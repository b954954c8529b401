/* Filling in a caller's "why" buffer: the sentence that says what was
 * wrong, for messages of the tool (the module passes NULL). */
/* Errors: why_fail returns the errno it is given. */
#ifndef PORTDB_WHY_H
#define PORTDB_WHY_H

#include <stddef.h>

/* Format into WHY (WHYLEN bytes); nothing when WHY is NULL. */
void why_set(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* why_set, then @return RC: for "return why_fail(why, len, EIO, ...)". */
int why_fail(char *why, size_t whylen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
