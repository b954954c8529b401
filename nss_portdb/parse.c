/* The services(5) line parser.  It reproduces glibc's nss_files rules
 * byte for byte (doc/services-rules.md, P1-P11): the index must answer exactly
 * what a scan of the text would. */
#include <config.h>

#include "parse.h"
#include "ascii.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* strtoul(s, end, 0) in the C locale of an LP64 glibc, with its exact
 * overflow result: UINT64_MAX on overflow, and unsigned negation for a
 * leading '-'.  64 bits on every machine: glibc's parser reads a port
 * so on i386 too (its own parser, built -m32, drops "-1/tcp" and
 * "4294967296/tcp" as the -m64 one does), and one database must mean
 * the same to every architecture's module.
 * Returns 0 digits (*end == s) when no number is there. */
static uint64_t parse_u64(const char *s, const char **end, int *overflow)
{
	const char *p = s;
	uint64_t v = 0;
	unsigned base = 10;
	int neg = 0, any = 0;

	*overflow = 0;
	while (ascii_is_space((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    ((p[2] >= '0' && p[2] <= '9') || (p[2] >= 'a' && p[2] <= 'f') ||
	     (p[2] >= 'A' && p[2] <= 'F'))) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (;; p++) {
		unsigned d;
		unsigned char c = (unsigned char)*p;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		any = 1;
		if (v > (UINT64_MAX - d) / base)
			*overflow = 1;
		else
			v = v * base + d;
	}
	if (!any) {
		*end = s;
		return 0;
	}
	*end = p;
	if (*overflow)
		return UINT64_MAX;
	return neg ? -v : v;
}

static int push_alias(struct svc_line *out, const char *alias)
{
	if (out->naliases == out->aliases_cap) {
		size_t cap = out->aliases_cap ? out->aliases_cap * 2 : 8;
		const char **a = realloc(out->aliases, cap * sizeof *a);
		if (a == NULL)
			return -ENOMEM;
		out->aliases = a;
		out->aliases_cap = cap;
	}
	out->aliases[out->naliases++] = alias;
	return 0;
}

/* Why no number follows the name at P (the port's column).  HASH: where
 * the comment was cut, or NULL; NAME_END: where the name stopped. */
static int no_port(const char *p, const char *hash, const char *name_end, size_t len,
		   struct svc_line *out)
{
	out->why_col = out->port_col;
	if (hash != NULL && name_end == hash) {
		out->why = PARSE_WHY_HASH_IN_NAME;     /* the name ran up to the '#' */
	} else if (*p == '\0' && hash == NULL && out->end_col < len) {
		out->why = PARSE_WHY_NUL_BEFORE_PORT;
		out->why_col = out->end_col;
	} else {
		out->why = *p == '\0' ? PARSE_WHY_NOTHING_AFTER : PARSE_WHY_NOT_A_NUMBER;
	}
	return PARSE_NO_PORT;
}

/* Why the number at P is followed by END, neither '/' nor the end. */
static void port_junk(const char *line, const char *p, const char *end, struct svc_line *out)
{
	const char *d = p + (*p == '+' || *p == '-');
	const char *q = end;

	out->why_col = (size_t)(end - line);
	if (end[0] == '-' && end[1] >= '0' && end[1] <= '9') {
		out->why = PARSE_WHY_RANGE;
		out->why_col = out->port_col;
	} else if (ascii_is_space((unsigned char)*end)) {
		while (ascii_is_space((unsigned char)*q))
			q++;
		out->why = *q == '/' ? PARSE_WHY_SPACE_BEFORE_SLASH : PARSE_WHY_SPACE_AFTER_PORT;
	} else if ((*end == '8' || *end == '9') && d[0] == '0') {
		out->why = PARSE_WHY_OCTAL_DIGIT;
	} else {
		out->why = PARSE_WHY_JUNK;
	}
}

int svc_parse_line(char *line, size_t len, struct svc_line *out)
{
	char *p, *end, *hash, *name_end;
	const char *num_end;
	uint64_t val;
	int overflow;

	char *nl;

	line[len] = '\0';                   /* P3: a NUL inside also ends it */
	nl = strchr(line, '\n');           /* P1: so does a newline */
	if (nl != NULL)
		*nl = '\0';
	out->naliases = 0;
	out->port_col = out->port_end_col = out->why_col = 0;
	out->why = PARSE_WHY_NONE;
	out->end_col = strlen(line);

	p = line;
	while (ascii_is_space((unsigned char)*p)) /* P2 */
		p++;
	hash = strchr(p, '#');              /* P4: cut at the first '#' */
	if (hash != NULL)
		*hash = '\0';
	end = p + strlen(p);
	out->hash_col = (size_t)(end - line);
	if (p == end)
		return PARSE_BLANK;

	out->name = p;                      /* P6 */
	while (*p != '\0' && !ascii_is_space((unsigned char)*p))
		p++;
	name_end = p;
	if (*p != '\0') {
		*p++ = '\0';
		while (ascii_is_space((unsigned char)*p))
			p++;
	}

	out->port_col = (size_t)(p - line);
	val = parse_u64(p, &num_end, &overflow);   /* P7 */
	out->port_end_col = (size_t)(num_end - line);
	if (num_end == p)
		return no_port(p, hash, name_end, len, out);
	if (*num_end == '/') {
		while (*num_end == '/')
			num_end++;
	} else if (*num_end != '\0') {
		port_junk(line, p, num_end, out);
		return PARSE_PORT_JUNK;
	}
	if (val > 0xffffffffu) {
#if PORTDB_OVERFLOW_DROP
		out->why = *p == '-' ? PARSE_WHY_NEGATIVE : PARSE_WHY_TOO_LARGE;
		out->why_col = out->port_col;
		return PARSE_PORT_OVERFLOW;
#else
		val = 0xffff;
#endif
	}
	out->port = (uint16_t)val;
	p = (char *)num_end;

	out->proto = p;                     /* P8 */
	while (*p != '\0' && !ascii_is_space((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';

	for (;;) {                          /* P9 */
		char *alias = ascii_token(p, &p);

		if (*alias == '\0')
			break;
		if (*p != '\0')
			*p++ = '\0';
		if (push_alias(out, alias) < 0)
			return -ENOMEM;
	}
	return PARSE_OK;
}

void svc_line_free(struct svc_line *out)
{
	free(out->aliases);
	out->aliases = NULL;
	out->naliases = out->aliases_cap = 0;
}

const char *svc_parse_result_str(int result)
{
	switch (result) {
	case PARSE_OK:
		return "entry";
	case PARSE_BLANK:
		return "blank or comment";
	case PARSE_NO_PORT:
		return "no port number after the name";
	case PARSE_PORT_JUNK:
		return "the port number is followed by something other than '/'";
	case PARSE_PORT_OVERFLOW:
		return "the port number is larger than 4294967295";
	}
	return "unknown";
}
