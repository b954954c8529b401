/* The services(5) line parser.  It reproduces glibc's nss_files rules
 * byte for byte (SERVICES-SPEC P1-P10): the index must answer exactly
 * what a scan of the text would. */
#include <config.h>

#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* isspace() in the C locale, whatever locale the caller runs in (P5). */
static int is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

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
	while (is_space((unsigned char)*p))
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

int svc_parse_line(char *line, size_t len, struct svc_line *out)
{
	char *p, *end, *hash;
	const char *num_end;
	uint64_t val;
	int overflow;

	char *nl;

	line[len] = '\0';                   /* P3: a NUL inside also ends it */
	nl = strchr(line, '\n');           /* P1: so does a newline */
	if (nl != NULL)
		*nl = '\0';
	out->naliases = 0;
	out->port_col = 0;

	p = line;
	while (is_space((unsigned char)*p)) /* P2 */
		p++;
	hash = strchr(p, '#');              /* P4: cut at the first '#' */
	if (hash != NULL)
		*hash = '\0';
	end = p + strlen(p);
	if (p == end)
		return PARSE_BLANK;

	out->name = p;                      /* P6 */
	while (*p != '\0' && !is_space((unsigned char)*p))
		p++;
	if (*p != '\0') {
		*p++ = '\0';
		while (is_space((unsigned char)*p))
			p++;
	}

	out->port_col = (size_t)(p - line);
	val = parse_u64(p, &num_end, &overflow);   /* P7 */
	if (num_end == p)
		return PARSE_NO_PORT;
	if (*num_end == '/') {
		while (*num_end == '/')
			num_end++;
	} else if (*num_end != '\0') {
		return PARSE_PORT_JUNK;
	}
	if (val > 0xffffffffu) {
#if PORTDB_OVERFLOW_DROP
		return PARSE_PORT_OVERFLOW;
#else
		val = 0xffff;
#endif
	}
	out->port = (uint16_t)val;
	p = (char *)num_end;

	out->proto = p;                     /* P8 */
	while (*p != '\0' && !is_space((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';

	for (;;) {                          /* P9 */
		char *alias;
		while (is_space((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		alias = p;
		while (*p != '\0' && !is_space((unsigned char)*p))
			p++;
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
