/* Byte classes of the C locale, whatever locale the program runs in:
 * services(5) text is bytes, and a locale must not change what a line
 * means (doc/services-rules.md, P5). */
/* Errors: none; a predicate. */
#ifndef PORTDB_ASCII_H
#define PORTDB_ASCII_H

/* isspace() in the C locale: space, \t, \n, \v, \f, \r. */
static inline int ascii_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The next run of bytes that are neither space nor NUL, at or after P:
 * @return its start (the terminating NUL when there is none), with *END
 * just past it. */
static inline char *ascii_token(char *p, char **end)
{
	char *e;

	while (ascii_is_space((unsigned char)*p))
		p++;
	for (e = p; *e != '\0' && !ascii_is_space((unsigned char)*e); e++)
		;
	*end = e;
	return p;
}

#endif
