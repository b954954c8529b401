/* The checks of a line's bytes: how glibc reads its port, a NUL, a '#'
 * inside a token, control and non-UTF-8 bytes, and why a dropped line
 * is dropped, told apart by looking at the bytes around the column
 * where the parser gave up. */
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
		if (lint_is_space((unsigned char)lt->raw[i]) || lt->raw[i] == '/')
			break;
		tok[k++] = lt->raw[i];
	}
	tok[k] = '\0';
}

/* Where glibc stops reading the current line (a NUL, P3) and where its
 * comment starts (P4), or LIMIT. */
static size_t line_end(const struct lint *lt)
{
	const char *nul = memchr(lt->raw, '\0', lt->rawlen);

	return nul != NULL ? (size_t)(nul - lt->raw) : lt->rawlen;
}

static size_t comment_start(const struct lint *lt, size_t end)
{
	const char *hash = memchr(lt->raw, '#', end);

	return hash != NULL ? (size_t)(hash - lt->raw) : end;
}

/* What glibc makes of an accepted port written as signed, hex, octal,
 * or outside 0-65535. */
static int check_port(struct lint *lt, unsigned long line, size_t col)
{
	size_t limit = comment_start(lt, line_end(lt));
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

/* A NUL byte, a '#' glued to a token, the port: once per line. */
int lint_check_line(struct lint *lt, unsigned long line, size_t port_col)
{
	size_t end = line_end(lt), hash = comment_start(lt, end);
	char show[96];
	int rc;

	if (end < lt->rawlen && hash == end) {
		size_t i = end + 1;
		while (i < lt->rawlen && (lint_is_space((unsigned char)lt->raw[i]) || lt->raw[i] == '\0'))
			i++;
		if (i < lt->rawlen) {
			show_bytes(show, sizeof show, lt->raw + i, 40);
			if ((rc = lint_add(lt, SEV_WARNING, line, end,
				      "NUL byte: glibc ignores the rest of the line ('%s')", show)) != 0)
				return rc;
		}
	}
	if (hash < end && hash > 0 && !lint_is_space((unsigned char)lt->raw[hash - 1])) {
		size_t s = hash, e = hash + 1;
		int lost = 0;
		char tok[96];

		while (s > 0 && !lint_is_space((unsigned char)lt->raw[s - 1]))
			s--;
		while (e < end && !lint_is_space((unsigned char)lt->raw[e]))
			e++;
		for (size_t i = hash + 1; i < end; i++)
			lost |= !lint_is_space((unsigned char)lt->raw[i]);
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
	return check_port(lt, line, port_col);
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

int lint_explain_dropped(struct lint *lt, const struct svc_issue *is)
{
	size_t end, limit, col = is->col, e;
	char tok[80], show[96], *num_end;

	if (lt->raw_line != is->line || lt->raw == NULL)
		return lint_add(lt, SEV_ERROR, is->line, col, "%s: glibc drops the line",
			   svc_parse_result_str(is->reason));
	end = line_end(lt);
	limit = comment_start(lt, end);
	port_token(lt, col, limit, tok, sizeof tok);
	show_bytes(show, sizeof show, tok, 40);

	if (is->reason == PARSE_NO_PORT) {
		size_t s = 0, ne;
		while (s < end && lint_is_space((unsigned char)lt->raw[s]))
			s++;
		for (ne = s; ne < end && !lint_is_space((unsigned char)lt->raw[ne]); ne++)
			;
		if (limit > s && limit < ne) {
			char *name = strndup(lt->raw + s, ne - s);
			if (name == NULL)
				return ENOMEM;
			show_bytes(show, sizeof show, name, 40);
			free(name);
			return lint_add(lt, SEV_ERROR, is->line, limit,
				   "'#' in the name '%s' starts a comment: glibc finds no port and "
				   "drops the line", show);
		}
		if (col >= limit && end < lt->rawlen && limit == end)
			return lint_add(lt, SEV_ERROR, is->line, end,
				   "a NUL byte ends the line before any port: glibc drops the line");
		if (col >= limit)
			return lint_add(lt, SEV_ERROR, is->line, col,
				   "no port after the name: glibc drops the line");
		for (ne = col; ne < limit && !lint_is_space((unsigned char)lt->raw[ne]); ne++)
			;
		{
			char *word = strndup(lt->raw + col, ne - col);
			if (word == NULL)
				return ENOMEM;
			show_bytes(show, sizeof show, word, 40);
			free(word);
		}
		return lint_add(lt, SEV_ERROR, is->line, col,
			   "'%s' is not a port number: glibc drops the line", show);
	}
	if (is->reason == PARSE_PORT_OVERFLOW) {
		if (tok[0] == '-')
			return lint_add(lt, SEV_ERROR, is->line, col,
				   "negative port '%s': strtoul makes it larger than 4294967295, "
				   "and glibc drops the line", show);
		return lint_add(lt, SEV_ERROR, is->line, col,
			   "port '%s' is larger than 4294967295: glibc drops the line", show);
	}
	/* PARSE_PORT_JUNK: where the number ends, and what follows it. */
	strtoul(tok, &num_end, 0);
	e = col + (size_t)(num_end - tok);
	if (e < limit && lt->raw[e] == '-' && e + 1 < limit && lint_is_digit((unsigned char)lt->raw[e + 1]))
		return lint_add(lt, SEV_ERROR, is->line, col,
			   "port range '%s': services(5) has no ranges, glibc drops the line", show);
	if (e < limit && lint_is_space((unsigned char)lt->raw[e])) {
		size_t q = e;
		while (q < limit && lint_is_space((unsigned char)lt->raw[q]))
			q++;
		if (q < limit && lt->raw[q] == '/')
			return lint_add(lt, SEV_ERROR, is->line, e, "space before '/': glibc drops the line");
		return lint_add(lt, SEV_ERROR, is->line, e,
			   "%s follows the port instead of '/PROTOCOL': glibc drops the line",
			   lt->raw[e] == ' ' ? "a space" : lt->raw[e] == '\t' ? "a tab"
			   : lt->raw[e] == '\r' ? "a carriage return (a CRLF line end)"
			   : "whitespace");
	}
	if (e < limit && (lt->raw[e] == '8' || lt->raw[e] == '9')) {
		const char *d = tok + (tok[0] == '+' || tok[0] == '-');
		if (d[0] == '0')
			return lint_add(lt, SEV_ERROR, is->line, e,
				   "'%s' starts with 0, so glibc reads it as octal, where %c is no "
				   "digit: the line is dropped", show, lt->raw[e]);
	}
	return lint_add(lt, SEV_ERROR, is->line, e,
		   "junk after the port number in '%s': glibc drops the line", show);
}
