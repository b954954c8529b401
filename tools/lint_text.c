/* The checks of a line's bytes: how glibc reads its port, a NUL, a '#'
 * inside a token, control and non-UTF-8 bytes, and why a dropped line
 * is dropped.  Where glibc stops, where the comment starts and why a
 * line is dropped are the parser's findings (struct svc_line); the raw
 * bytes are read only to show them. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "parse.h"
#include "portdb.h"

/* The port token at COL of the current line, cut before LIMIT. */
static void port_token(const struct lint *lt, size_t col, size_t limit, char *tok,
		       size_t toklen)
{
	size_t k = 0;

	for (size_t i = col; i < limit && k + 1 < toklen; i++) {
		if (ascii_is_space((unsigned char)lt->raw[i]) || lt->raw[i] == '/')
			break;
		tok[k++] = lt->raw[i];
	}
	tok[k] = '\0';
}

/* What glibc makes of an accepted port written as signed, hex, octal,
 * or outside 0-65535. */
static int check_port(struct lint *lt, unsigned long line, size_t col, size_t limit)
{
	char tok[80], show[96], what[96] = "", *end;
	const char *d;
	unsigned long v;
	unsigned port;

	port_token(lt, col, limit, tok, sizeof tok);
	d = tok + (tok[0] == '+' || tok[0] == '-');
	v = strtoul(tok, &end, 0);
	if (d != tok)
		strcat(what, "signed");
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
		strcat(what, *what ? " and hexadecimal" : "hexadecimal");
	else if (d[0] == '0' && lint_is_digit((unsigned char)d[1]))
		strcat(what, *what ? " and octal (leading zero)" : "octal (leading zero)");
	if (v > 65535)
		strcat(what, *what ? " and outside 0-65535" : "outside 0-65535");
	if (*what == '\0')
		return 0;
	port = v > 0xffffffffUL ? 65535u : (unsigned)(v & 0xffff);
	show_bytes(show, sizeof show, tok, 40);
	if (v > 0xffffffffUL)
		return lint_add(lt, SEV_WARNING, line, col,
			   "port '%s' is %s: glibc reads port %u (clamped: above 4294967295)",
			   show, what, port);
	if (v > 65535)
		return lint_add(lt, SEV_WARNING, line, col,
			   "port '%s' is %s: glibc reads port %u (%lu modulo 65536)", show, what,
			   port, v);
	return lint_add(lt, SEV_WARNING, line, col, "port '%s' is %s: glibc reads port %u", show,
		   what, port);
}

/* A NUL byte, a '#' glued to a token, the port: once per line.  Where
 * glibc stops and where the comment starts are the parser's (L). */
int lint_check_line(struct lint *lt, unsigned long line, const struct svc_line *l)
{
	size_t end = l->end_col, hash = l->hash_col;
	char show[96];
	int rc;

	if (end < lt->rawlen && hash == end) {
		size_t i = end + 1;
		while (i < lt->rawlen && (ascii_is_space((unsigned char)lt->raw[i]) || lt->raw[i] == '\0'))
			i++;
		if (i < lt->rawlen) {
			show_bytes(show, sizeof show, lt->raw + i, 40);
			if ((rc = lint_add(lt, SEV_WARNING, line, end,
				      "NUL byte: glibc ignores the rest of the line ('%s')", show)) != 0)
				return rc;
		}
	}
	if (hash < end && hash > 0 && !ascii_is_space((unsigned char)lt->raw[hash - 1])) {
		size_t s = hash, e = hash + 1;
		int lost = 0;
		char tok[96];

		while (s > 0 && !ascii_is_space((unsigned char)lt->raw[s - 1]))
			s--;
		while (e < end && !ascii_is_space((unsigned char)lt->raw[e]))
			e++;
		for (size_t i = hash + 1; i < end; i++)
			lost |= !ascii_is_space((unsigned char)lt->raw[i]);
		if (lost) {
			char *t = strndup(lt->raw + s, e - s), *r = strndup(lt->raw + hash, end - hash);
			if (t == NULL || r == NULL) {
				free(t);
				free(r);
				return ENOMEM;
			}
			show_bytes(tok, sizeof tok, t, 40);
			show_bytes(show, sizeof show, r, 40);
			free(t);
			free(r);
			if ((rc = lint_add(lt, SEV_WARNING, line, hash,
				      "'#' inside '%s' starts a comment: glibc ignores '%s'", tok,
				      show)) != 0)
				return rc;
		}
	}
	if (lt->range_line == line)
		return 0;
	return check_port(lt, line, l->port_col, hash);
}

/* Control and non-UTF-8 bytes in one of an entry's strings. */
static int check_bytes(struct lint *lt, unsigned long line, size_t col, const char *what,
		       const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char show[96];

	for (size_t i = 0; i < n;) {
		size_t k = utf8_valid_len(p + i, n - i);

		if (k == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			show_bytes(show, sizeof show, s, 40);
			return lint_add(lt, SEV_WARNING, line, col + i, "control byte 0x%02x in %s '%s'",
				   p[i], what, show);
		}
		if (k == 0) {
			show_bytes(show, sizeof show, s, 40);
			return lint_add(lt, SEV_WARNING, line, col + i,
				   "byte 0x%02x is not UTF-8, in %s '%s'", p[i], what, show);
		}
		i += k;
	}
	return 0;
}

int lint_check_strings(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos)
{
	int rc = check_bytes(lt, pos->line, pos->name_col, "the name", l->name);

	if (rc == 0)
		rc = check_bytes(lt, pos->line, pos->proto_col, "the protocol", l->proto);
	for (size_t i = 0; i < l->naliases && rc == 0; i++)
		rc = check_bytes(lt, pos->line,
				 pos->base ? (size_t)(l->aliases[i] - pos->base) : pos->name_col,
				 "the alias", l->aliases[i]);
	return rc;
}

/* ------------------------------------------------- dropped lines */

/* The first word of the current line, for showing the name. */
static size_t first_word(const struct lint *lt, const struct svc_line *l)
{
	size_t s = 0;

	while (s < l->end_col && ascii_is_space((unsigned char)lt->raw[s]))
		s++;
	return s;
}

/* The bytes from COL up to whitespace or LIMIT, shown in OUT: the word
 * the parser pointed at, before its cuts.  @return OUT, or NULL
 * (ENOMEM). */
static const char *word(const struct lint *lt, size_t col, size_t limit, char *out,
			size_t outlen)
{
	size_t e = col;
	char *w;

	while (e < limit && !ascii_is_space((unsigned char)lt->raw[e]))
		e++;
	w = strndup(lt->raw + col, e - col);
	if (w == NULL)
		return NULL;
	show_bytes(out, outlen, w, 40);
	free(w);
	return out;
}

int lint_explain_dropped(struct lint *lt, const struct svc_issue *is)
{
	const struct svc_line *l = is->parsed;
	size_t col = is->col, at;
	char tok[80], show[96];

	if (lt->raw_line != is->line || lt->raw == NULL || l == NULL)
		return lint_add(lt, SEV_ERROR, is->line, col, "%s: glibc drops the line",
			   svc_parse_result_str(is->reason));
	at = l->why_col;
	port_token(lt, col, l->hash_col, tok, sizeof tok);
	show_bytes(show, sizeof show, tok, 40);

	switch (l->why) {
	case PARSE_WHY_HASH_IN_NAME:
		/* The name as written runs past the '#'. */
		if (word(lt, first_word(lt, l), l->end_col, show, sizeof show) == NULL)
			return ENOMEM;
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "'#' in the name '%s' starts a comment: glibc finds no port and "
			   "drops the line", show);
	case PARSE_WHY_NUL_BEFORE_PORT:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "a NUL byte ends the line before any port: glibc drops the line");
	case PARSE_WHY_NOTHING_AFTER:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "no port after the name: glibc drops the line");
	case PARSE_WHY_NOT_A_NUMBER:
		if (word(lt, col, l->hash_col, show, sizeof show) == NULL)
			return ENOMEM;
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "'%s' is not a port number: glibc drops the line", show);
	case PARSE_WHY_NEGATIVE:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "negative port '%s': strtoul makes it larger than 4294967295, "
			   "and glibc drops the line", show);
	case PARSE_WHY_TOO_LARGE:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "port '%s' is larger than 4294967295: glibc drops the line", show);
	case PARSE_WHY_RANGE:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "port range '%s': services(5) has no ranges, glibc drops the line", show);
	case PARSE_WHY_SPACE_BEFORE_SLASH:
		return lint_add(lt, SEV_ERROR, is->line, at, "space before '/': glibc drops the line");
	case PARSE_WHY_SPACE_AFTER_PORT:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "%s follows the port instead of '/PROTOCOL': glibc drops the line",
			   lt->raw[at] == ' ' ? "a space" : lt->raw[at] == '\t' ? "a tab"
			   : lt->raw[at] == '\r' ? "a carriage return (a CRLF line end)"
			   : "whitespace");
	case PARSE_WHY_OCTAL_DIGIT:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "'%s' starts with 0, so glibc reads it as octal, where %c is no "
			   "digit: the line is dropped", show, lt->raw[at]);
	default:
		return lint_add(lt, SEV_ERROR, is->line, at,
			   "junk after the port number in '%s': glibc drops the line", show);
	}
}
