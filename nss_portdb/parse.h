/* The services(5) line parser, with glibc's rules (doc/services-rules.md,
 * P1-P11).
 * Errors: svc_parse_line classifies a line (an enum parse_result, 0 for
 * an entry) and returns -ENOMEM only when its alias array cannot grow: a
 * classifier, not an errno function. */
#ifndef PORTDB_PARSE_H
#define PORTDB_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Why a line produced no entry.  PARSE_OK is an entry; PARSE_BLANK is a
 * line glibc ignores on purpose (empty, whitespace, comment); every other
 * value is a line glibc drops silently, which `portdb build` counts. */
enum parse_result {
	PARSE_OK = 0,
	PARSE_BLANK,         /* empty, whitespace only, or comment only */
	PARSE_NO_PORT,       /* nothing numeric after the name */
	PARSE_PORT_JUNK,     /* the number is followed by neither '/' nor the end */
	PARSE_PORT_OVERFLOW, /* strtoul's value exceeds 4294967295 (Debian glibc) */
};

/* Why a line was dropped, in more detail than its parse_result: what
 * `portdb check` tells its author. */
enum parse_why {
	PARSE_WHY_NONE = 0,         /* not dropped */
	/* PARSE_NO_PORT */
	PARSE_WHY_HASH_IN_NAME,     /* a '#' inside the name cut the line (at the '#') */
	PARSE_WHY_NUL_BEFORE_PORT,  /* a NUL byte ended the line after the name (at the NUL) */
	PARSE_WHY_NOTHING_AFTER,    /* nothing follows the name */
	PARSE_WHY_NOT_A_NUMBER,     /* the token after the name has no digits */
	/* PARSE_PORT_OVERFLOW */
	PARSE_WHY_NEGATIVE,         /* a '-' makes strtoul's value huge */
	PARSE_WHY_TOO_LARGE,
	/* PARSE_PORT_JUNK (at the byte after the number, but RANGE at the port) */
	PARSE_WHY_RANGE,            /* LOW-HIGH */
	PARSE_WHY_SPACE_BEFORE_SLASH,
	PARSE_WHY_SPACE_AFTER_PORT, /* whitespace, then no '/' */
	PARSE_WHY_OCTAL_DIGIT,      /* an 8 or 9 in a number with a leading 0 */
	PARSE_WHY_JUNK,
};

/* One parsed line.  The strings point into the caller's line buffer,
 * which the parser cuts with NULs; `aliases` is owned by the struct. */
struct svc_line {
	const char *name;
	const char *proto;   /* may be "" */
	uint16_t port;       /* host byte order, already taken modulo 65536 */
	const char **aliases;
	size_t naliases;
	size_t aliases_cap;
	/* Position of the port token within the original line (0-based
	 * byte offset), for diagnostics; also set for dropped lines. */
	size_t port_col;
	/* Also for diagnostics, 0-based, set for dropped lines too: where
	 * glibc stops reading (the first NUL or newline, P1/P3), where the
	 * comment starts (P4; end_col when none), just past the port's
	 * number (port_col when it has none); why a line was dropped and
	 * the column of the offending byte or token. */
	size_t end_col, hash_col, port_end_col;
	enum parse_why why;
	size_t why_col;
};

/* Parse one line of LEN bytes (no terminating newline needed; a NUL
 * inside ends the line, P3).  The bytes are modified in place and must be
 * followed by one writable byte (line[len] is set to NUL).
 *
 * @return a parse_result; PARSE_OK fills *out.  -ENOMEM (negative) when
 * the alias array cannot grow. */
int svc_parse_line(char *line, size_t len, struct svc_line *out);

/* Release what svc_parse_line allocated in OUT (the alias array). */
void svc_line_free(struct svc_line *out);

/* A short human phrase for a result: "no port number", ... */
const char *svc_parse_result_str(int result);

#endif
