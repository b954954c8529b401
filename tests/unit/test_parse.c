/* Unit tests of the services line parser and line reader (parse.h): a table
 * of lines with the answer glibc gives (doc/services-rules.md P1-P10), checked
 * against svc_parse_line and against glibc's own _nss_files_parse_servent. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "formats.h"
#include "parse.h"

#ifndef PORTDB_OVERFLOW_DROP
#error "config.h must define PORTDB_OVERFLOW_DROP (1: drop, 0: clamp)"
#endif

/* ------------------------------------------------------------ the table */

#define MAX_ALIASES 8

struct pcase {
	const char *rule;  /* the spec rules the case pins, for messages */
	const char *line;  /* may hold NULs: LEN counts the bytes */
	size_t len;
	int result;
	const char *name;  /* the rest only when result == PARSE_OK */
	unsigned port;     /* host order */
	const char *proto;
	const char *aliases[MAX_ALIASES + 1];  /* NULL-terminated */
};

#define AL(...) { __VA_ARGS__, NULL }
#define NOAL { NULL }
#define OK(rule, s, nm, pt, pr, al) \
	{ rule, s, sizeof(s) - 1, PARSE_OK, nm, pt, pr, al }
#define DROP(rule, s, why) \
	{ rule, s, sizeof(s) - 1, why, NULL, 0, NULL, NOAL }

/* A port whose strtoul value exceeds 4294967295: Debian's glibc drops the
 * line, upstream glibc clamps the value to 4294967295, i.e. port 65535. */
#if PORTDB_OVERFLOW_DROP
#define OVERFLOW(rule, s, nm, pr) DROP(rule, s, PARSE_PORT_OVERFLOW)
#else
#define OVERFLOW(rule, s, nm, pr) OK(rule, s, nm, 65535, pr, NOAL)
#endif

/* Every byte that is a control character but not whitespace in the C
 * locale (P5): part of a token, never a separator. */
#define CTL_BYTES \
	"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15" \
	"\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"

/* Hex escapes are followed by "" when a hex digit comes next. */
static const struct pcase cases[] = {
	/* P1: a line ends at '\n' only. */
	OK("P1", "nl 1001\n", "nl", 1001, "", NOAL),
	OK("P1", "nl 1001/tcp a\nb c", "nl", 1001, "tcp", AL("a")),
	OK("P1 P5", "cr 1001/tcp a\rb", "cr", 1001, "tcp", AL("a", "b")),

	/* P2: leading whitespace; blank and comment lines. */
	DROP("P2", "", PARSE_BLANK),
	DROP("P2", "   ", PARSE_BLANK),
	DROP("P2 P5", " \t\v\f\r ", PARSE_BLANK),
	DROP("P2 P5", "\r", PARSE_BLANK),
	DROP("P2", "#", PARSE_BLANK),
	DROP("P2", "# comment 80/tcp", PARSE_BLANK),
	DROP("P2", "#nospace 80/tcp", PARSE_BLANK),
	DROP("P2", "   # indented 80/tcp", PARSE_BLANK),
	DROP("P2 P5", "\t\v\f\r#ws-comment 80/tcp", PARSE_BLANK),
	OK("P2", "   lead 1002/tcp l1", "lead", 1002, "tcp", AL("l1")),
	OK("P2 P5", "\t\v\f\rlead2 1002/udp", "lead2", 1002, "udp", NOAL),

	/* P3: a NUL byte ends the line. */
	OK("P3", "nul 1003/tcp a\0b c", "nul", 1003, "tcp", AL("a")),
	OK("P3", "nul 1003/tc\0p x", "nul", 1003, "tc", NOAL),
	OK("P3", "nul 10\0" "03/tcp", "nul", 10, "", NOAL),
	DROP("P3", "nul\0 1003/tcp", PARSE_NO_PORT),
	DROP("P3 P2", "\0nul 1003/tcp", PARSE_BLANK),
	DROP("P3 P2", "  \0nul 1003/tcp", PARSE_BLANK),

	/* P4: the line is cut at the first '#', even inside a token. */
	DROP("P4", "beta#x 1002/tcp", PARSE_NO_PORT),
	OK("P4", "g 1003/tcp g1#x g2", "g", 1003, "tcp", AL("g1")),
	OK("P4", "d 1004/tcp#c d1", "d", 1004, "tcp", NOAL),
	OK("P4 P7", "h 10#05/tcp", "h", 10, "", NOAL),
	OK("P4 P8", "h 1005/#tcp", "h", 1005, "", NOAL),
	OK("P4 P8", "h 1005/u#dp", "h", 1005, "u", NOAL),
	OK("P4", "h 1005/tcp h1 #h2", "h", 1005, "tcp", AL("h1")),
	OK("P4", "h 1005/tcp#", "h", 1005, "tcp", NOAL),
	DROP("P4", "h #1005/tcp", PARSE_NO_PORT),
	DROP("P4", "h#", PARSE_NO_PORT),

	/* P5: whitespace is isspace() in the C locale, nothing else. */
	OK("P5", "tab\t1006/tcp\ta1\t\ta2", "tab", 1006, "tcp", AL("a1", "a2")),
	OK("P5", "vt\v1006/tcp\va1", "vt", 1006, "tcp", AL("a1")),
	OK("P5", "ff\f1006/tcp\fa1", "ff", 1006, "tcp", AL("a1")),
	OK("P5", "crlf 1006/tcp a1\r", "crlf", 1006, "tcp", AL("a1")),
	OK("P5", "crlf 1006/tcp\r", "crlf", 1006, "tcp", NOAL),
	DROP("P5 P7", "crlf 1006\r", PARSE_PORT_JUNK),
	OK("P5", "mix \t\v\f\r 1006/tcp \t\v\f\r a1 \t\v\f\r a2 \t\v\f\r",
	   "mix", 1006, "tcp", AL("a1", "a2")),
	OK("P5 P6", "ctl\x01\x1c\x1d\x1e\x1f 1006/udp \x7f a\x1f" "b",
	   "ctl\x01\x1c\x1d\x1e\x1f", 1006, "udp", AL("\x7f", "a\x1f" "b")),
	OK("P5 P6", CTL_BYTES " 1006/ddp a" CTL_BYTES, CTL_BYTES, 1006, "ddp",
	   AL("a" CTL_BYTES)),
	OK("P5 P6", "nbsp\xa0x 1006/sctp nel\x85" "a",
	   "nbsp\xa0x", 1006, "sctp", AL("nel\x85" "a")),
	OK("P5 P8", "p 1006/tcp\x85" "a", "p", 1006, "tcp\x85" "a", NOAL),

	/* P6: the name is every byte up to whitespace. */
	OK("P6", "a/b 1007/tcp", "a/b", 1007, "tcp", NOAL),
	OK("P6", "80/tcp 1007/tcp", "80/tcp", 1007, "tcp", NOAL),
	OK("P6", "/ 1007/tcp", "/", 1007, "tcp", NOAL),
	OK("P6", "1234 1007/udp", "1234", 1007, "udp", NOAL),
	OK("P6", "caf\xc3\xa9 1007/tcp \xe6\x9c\x8d", "caf\xc3\xa9", 1007, "tcp",
	   AL("\xe6\x9c\x8d")),
	OK("P6", "bad\xff 1007/tcp \xc3 x\xc3", "bad\xff", 1007, "tcp",
	   AL("\xc3", "x\xc3")),
	OK("P6", "\xff\xfe 1007/ddp", "\xff\xfe", 1007, "ddp", NOAL),
	OK("P6", "CaSe 1007/TCP", "CaSe", 1007, "TCP", NOAL),

	/* P7: strtoul(..., 0), then '/'s or the end, then modulo 65536. */
	OK("P7", "hex 0x50/tcp", "hex", 80, "tcp", NOAL),
	OK("P7", "hex 0X1f90/tcp", "hex", 8080, "tcp", NOAL),
	OK("P7", "oct 0120/tcp", "oct", 80, "tcp", NOAL),
	OK("P7", "oct 0000000000000000000000000002004/tcp", "oct", 1028, "tcp", NOAL),
	OK("P7", "plus +80/udp", "plus", 80, "udp", NOAL),
	OK("P7", "zero 0/tcp", "zero", 0, "tcp", NOAL),
	OK("P7", "zero 00/tcp", "zero", 0, "tcp", NOAL),
	OK("P7", "zero 0x0/tcp", "zero", 0, "tcp", NOAL),
	OK("P7", "mzero -0/tcp", "mzero", 0, "tcp", NOAL),
	OK("P7", "mwrap -18446744073709551615/tcp", "mwrap", 1, "tcp", NOAL),
	OK("P7", "max 4294967295/tcp", "max", 65535, "tcp", NOAL),
	OK("P7", "mmax -18446744069414584321/udp", "mmax", 65535, "udp", NOAL),
	OK("P7", "wrap 65535/tcp", "wrap", 65535, "tcp", NOAL),
	OK("P7", "wrap 65536/tcp", "wrap", 0, "tcp", NOAL),
	OK("P7", "wrap 65616/tcp", "wrap", 80, "tcp", NOAL),
	OK("P7", "wrap 131152/udp", "wrap", 80, "udp", NOAL),
	OK("P7", "wrap 0x10050/tcp", "wrap", 80, "tcp", NOAL),
	OVERFLOW("P7", "neg -1/tcp", "neg", "tcp"),
	OVERFLOW("P7", "neg -80/udp", "neg", "udp"),
	OVERFLOW("P7", "big 4294967296/tcp", "big", "tcp"),
	OVERFLOW("P7", "big -18446744069414584320/tcp", "big", "tcp"),
	OVERFLOW("P7", "big 18446744073709551615/tcp", "big", "tcp"),
	OVERFLOW("P7", "big 99999999999999999999/tcp", "big", "tcp"),
	OVERFLOW("P7", "big -99999999999999999999/tcp", "big", "tcp"),
	DROP("P7", "junk 80x/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 1e3/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 09/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 08", PARSE_PORT_JUNK),
	DROP("P7", "junk 1011 /tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 1011 ", PARSE_PORT_JUNK),
	DROP("P7", "junk 1011\t", PARSE_PORT_JUNK),
	DROP("P7", "junk 1011 alias", PARSE_PORT_JUNK),
	DROP("P7", "junk 0x/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 0x1g/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 0x-1/tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 80\\tcp", PARSE_PORT_JUNK),
	DROP("P7", "junk 80.0/tcp", PARSE_PORT_JUNK),
	DROP("P7 P10", "nop", PARSE_NO_PORT),
	DROP("P7 P10", "nop ", PARSE_NO_PORT),
	DROP("P7", "nop /tcp", PARSE_NO_PORT),
	DROP("P7", "nop tcp/80", PARSE_NO_PORT),
	DROP("P7", "nop -/tcp", PARSE_NO_PORT),
	DROP("P7", "nop - 1/tcp", PARSE_NO_PORT),
	DROP("P7", "nop +-1/tcp", PARSE_NO_PORT),
	DROP("P7", "nop x80/tcp", PARSE_NO_PORT),
	DROP("P7", "nop \xef\xbc\x98\xef\xbc\x90/tcp", PARSE_NO_PORT),

	/* P7, P8: slashes are swallowed; the protocol runs to whitespace. */
	OK("P7 P8", "sl 1009//tcp", "sl", 1009, "tcp", NOAL),
	OK("P7 P8", "sl 1009///udp s1", "sl", 1009, "udp", AL("s1")),
	OK("P8", "sl 1010/tcp/udp", "sl", 1010, "tcp/udp", NOAL),
	OK("P8", "sl 1010/tcp/", "sl", 1010, "tcp/", NOAL),
	OK("P8", "noproto 1007", "noproto", 1007, "", NOAL),
	OK("P8", "x 1008/", "x", 1008, "", NOAL),
	OK("P8", "x 1008//", "x", 1008, "", NOAL),
	OK("P8", "x 1008/ ", "x", 1008, "", NOAL),
	OK("P8 P9", "sp 1021/ tcp", "sp", 1021, "", AL("tcp")),
	OK("P8", "p 1012/TCP", "p", 1012, "TCP", NOAL),
	OK("P8", "p 1013/sctp", "p", 1013, "sctp", NOAL),
	OK("P8", "p 1014/ddp", "p", 1014, "ddp", NOAL),
	OK("P8", "p 1015/\xff\xc3", "p", 1015, "\xff\xc3", NOAL),

	/* P9: the remaining tokens are aliases, duplicates kept. */
	OK("P9", "al 1016/tcp a b c d e f g h", "al", 1016, "tcp",
	   AL("a", "b", "c", "d", "e", "f", "g", "h")),
	OK("P9", "al 1016/tcp al al al", "al", 1016, "tcp", AL("al", "al", "al")),
	OK("P9", "al 1016/tcp / // a/b", "al", 1016, "tcp", AL("/", "//", "a/b")),
	OK("P9", "al 1016/tcp 80/tcp 0x50", "al", 1016, "tcp", AL("80/tcp", "0x50")),
	OK("P9", "al 1016/tcp   ", "al", 1016, "tcp", NOAL),
};

/* -------------------------------------------------------------- helpers */

/* One expected answer, for the table and for generated lines alike. */
struct expect {
	const char *line;
	size_t len;
	int result;
	const char *name;
	unsigned port;
	const char *proto;
	const char *const *aliases;
	size_t naliases;
};

typedef int servent_parser(char *line, struct servent *result, void *data,
			   size_t datalen, int *errnop);

static servent_parser *glibc_parse;
static char glibc_parse_error[256];
static char oracle_data[1 << 21];

static int c_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* The bytes of S, printable, cut to fit DST. */
static const char *show(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 16 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			o += (size_t)snprintf(dst + o, cap - o, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
		if (o + 16 >= cap && i + 1 < n) {
			o += (size_t)snprintf(dst + o, cap - o, "...");
			break;
		}
	}
	dst[o] = '\0';
	return dst;
}

static const char *show_str(char *dst, size_t cap, const char *s)
{
	if (s == NULL)
		return "(null)";
	return show(dst, cap, s, strlen(s));
}

static void mismatch(const char *who, const char *label,
		     const struct expect *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void mismatch(const char *who, const char *label,
		     const struct expect *e, const char *fmt, ...)
{
	char msg[512], line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error("%s: %s: \"%s\" (%zu bytes): %s\n", who, label,
		    show(line, sizeof line, e->line, e->len), e->len, msg);
}

/* Where the port token starts in the original line: after leading
 * whitespace, the name, and the whitespace after it. */
static size_t port_col_of(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && c_space(line[i]))
		i++;
	while (i < len && line[i] != '\0' && !c_space(line[i]))
		i++;
	while (i < len && c_space(line[i]))
		i++;
	return i;
}

static int str_in(const char *s, const char *buf, size_t len)
{
	return s >= buf && s <= buf + len;
}

/* Check one string field of a parsed entry; 1 when it differs. */
static int check_str(const char *who, const char *label, const struct expect *e,
		     const char *field, const char *want, const char *got)
{
	char w[200], g[200];
	if (got != NULL && strcmp(want, got) == 0)
		return 0;
	mismatch(who, label, e, "%s: want \"%s\", got \"%s\"", field,
		 show_str(w, sizeof w, want), show_str(g, sizeof g, got));
	return 1;
}

/* Run svc_parse_line on a copy of the line; return the number of wrong
 * fields, each reported. */
static int check_parser(const char *label, const struct expect *e)
{
	static const char who[] = "svc_parse_line";
	struct svc_line out;
	int bad = 0;
	/* Exactly len + 1 bytes, so that memcheck/ASan see any overrun; the
	 * byte after the line is not a NUL, the parser must write it. */
	char *buf = malloc(e->len + 1);

	assert_non_null(buf);
	memcpy(buf, e->line, e->len);
	buf[e->len] = 'Z';
	memset(&out, 0, sizeof out);
	int r = svc_parse_line(buf, e->len, &out);
	if (r != e->result) {
		mismatch(who, label, e, "result: want %d (%s), got %d (%s)",
			 e->result, svc_parse_result_str(e->result), r,
			 svc_parse_result_str(r));
		bad++;
		goto line_free;
	}
	if (r == PARSE_OK || r == PARSE_PORT_JUNK || r == PARSE_PORT_OVERFLOW) {
		size_t col = port_col_of(e->line, e->len);
		if (out.port_col != col) {
			mismatch(who, label, e, "port_col: want %zu, got %zu",
				 col, out.port_col);
			bad++;
		}
	}
	if (r != PARSE_OK)
		goto line_free;

	bad += check_str(who, label, e, "name", e->name, out.name);
	bad += check_str(who, label, e, "proto", e->proto, out.proto);
	if (out.port != e->port) {
		mismatch(who, label, e, "port: want %u, got %u", e->port,
			 (unsigned)out.port);
		bad++;
	}
	if (out.name != NULL && !str_in(out.name, buf, e->len)) {
		mismatch(who, label, e, "name does not point into the line");
		bad++;
	}
	if (out.proto != NULL && *out.proto != '\0' &&
	    !str_in(out.proto, buf, e->len)) {
		mismatch(who, label, e, "proto does not point into the line");
		bad++;
	}
	if (out.naliases != e->naliases) {
		mismatch(who, label, e, "naliases: want %zu, got %zu",
			 e->naliases, out.naliases);
		bad++;
		goto line_free;
	}
	if (out.naliases > out.aliases_cap) {
		mismatch(who, label, e, "naliases %zu > aliases_cap %zu",
			 out.naliases, out.aliases_cap);
		bad++;
		goto line_free;
	}
	for (size_t i = 0; i < e->naliases; i++) {
		char field[32];
		snprintf(field, sizeof field, "alias %zu", i);
		bad += check_str(who, label, e, field, e->aliases[i],
				 out.aliases[i]);
		if (out.aliases[i] != NULL && !str_in(out.aliases[i], buf, e->len)) {
			mismatch(who, label, e, "%s does not point into the line",
				 field);
			bad++;
		}
	}
line_free:
	svc_line_free(&out);
	free(buf);
	return bad;
}

/* Run the line the way glibc's files service does: its reader (fgets, so
 * the line ends at the first '\n'; then skip leading isspace() bytes, and
 * skip the line when nothing or '#' is left; services-rules.md P2) and then its
 * parser.  Return the number of disagreements with E, each reported. */
static int check_glibc(const char *label, const struct expect *e)
{
	static const char who[] = "glibc";
	struct servent se;
	int bad = 0, err = 0;
	size_t n = e->len;
	const char *nl = memchr(e->line, '\n', n);
	if (nl != NULL)
		n = (size_t)(nl - e->line);
	char *buf = malloc(n + 1);

	assert_non_null(buf);
	memcpy(buf, e->line, n);
	buf[n] = '\0';
	char *p = buf;
	while (isspace((unsigned char)*p))
		p++;
	int blank = *p == '\0' || *p == '#';
	if (blank || e->result == PARSE_BLANK) {
		if (blank != (e->result == PARSE_BLANK)) {
			mismatch(who, label, e, "glibc's reader %s the line, "
				 "the table says result %d",
				 blank ? "skips" : "keeps", e->result);
			bad++;
		}
		goto buf_free;
	}
	memmove(buf, p, strlen(p) + 1);

	memset(&se, 0, sizeof se);
	int r = glibc_parse(buf, &se, oracle_data, sizeof oracle_data, &err);
	if (r < 0) {
		mismatch(who, label, e, "oracle buffer too small");
		bad++;
		goto buf_free;
	}
	if ((r == 1) != (e->result == PARSE_OK)) {
		mismatch(who, label, e, "glibc %s the line, the table says "
			 "result %d", r == 1 ? "keeps" : "drops", e->result);
		bad++;
		goto buf_free;
	}
	if (r != 1)
		goto buf_free;

	bad += check_str(who, label, e, "name", e->name, se.s_name);
	bad += check_str(who, label, e, "proto", e->proto, se.s_proto);
	if (ntohs((uint16_t)se.s_port) != e->port) {
		mismatch(who, label, e, "port: want %u, got %u", e->port,
			 (unsigned)ntohs((uint16_t)se.s_port));
		bad++;
	}
	size_t i;
	for (i = 0; se.s_aliases[i] != NULL && i < e->naliases; i++) {
		char field[32];
		snprintf(field, sizeof field, "alias %zu", i);
		bad += check_str(who, label, e, field, e->aliases[i],
				 se.s_aliases[i]);
	}
	if (i != e->naliases || se.s_aliases[i] != NULL) {
		while (se.s_aliases[i] != NULL)
			i++;
		mismatch(who, label, e, "naliases: want %zu, got %zu",
			 e->naliases, i);
		bad++;
	}
buf_free:
	free(buf);
	return bad;
}

static void expect_from_case(const struct pcase *c, struct expect *e)
{
	e->line = c->line;
	e->len = c->len;
	e->result = c->result;
	e->name = c->name;
	e->port = c->port;
	e->proto = c->proto;
	e->aliases = c->aliases;
	for (e->naliases = 0; c->aliases[e->naliases] != NULL; e->naliases++)
		;
}

static void require_glibc_parser(void)
{
	if (glibc_parse == NULL) {
		print_message("dlsym(_nss_files_parse_servent) failed: %s; "
			      "no glibc oracle, skipping\n", glibc_parse_error);
		skip();
	}
}

static int group_setup(void **state)
{
	(void)state;
	glibc_parse = (servent_parser *)dlsym(RTLD_DEFAULT,
					      "_nss_files_parse_servent");
	if (glibc_parse == NULL) {
		const char *why = dlerror();
		snprintf(glibc_parse_error, sizeof glibc_parse_error, "%s",
			 why != NULL ? why : "not found");
	}
	return 0;
}

/* --------------------------------------------------------- table tests */

static void test_table_parser(void **state)
{
	int failed = 0;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char label[48];
		struct expect e;
		snprintf(label, sizeof label, "case %zu (%s)", i, cases[i].rule);
		expect_from_case(&cases[i], &e);
		failed += check_parser(label, &e) != 0;
	}
	if (failed)
		fail_msg("%d of %zu table cases differ from svc_parse_line",
			 failed, sizeof cases / sizeof cases[0]);
}

static void test_table_agrees_with_glibc(void **state)
{
	int failed = 0;
	(void)state;
	require_glibc_parser();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char label[48];
		struct expect e;
		snprintf(label, sizeof label, "case %zu (%s)", i, cases[i].rule);
		expect_from_case(&cases[i], &e);
		failed += check_glibc(label, &e) != 0;
	}
	if (failed)
		fail_msg("%d of %zu table cases differ from glibc", failed,
			 sizeof cases / sizeof cases[0]);
}

/* ------------------------------------------- generated (long) lines */

/* A line "NAME PORT/PROTO ALIAS..." whose pieces are generated; both the
 * parser and glibc must give exactly these pieces back. */
struct gen {
	char *line;
	size_t len;
	char *name;
	char *proto;
	char **aliases;
	size_t naliases;
};

static char *repeat(const char *prefix, char c, size_t len)
{
	size_t plen = strlen(prefix);
	char *s = malloc(len + 1);
	assert_non_null(s);
	assert_true(plen <= len);
	memcpy(s, prefix, plen);
	memset(s + plen, c, len - plen);
	s[len] = '\0';
	return s;
}

static void gen_build(struct gen *g, unsigned port, const char *sep)
{
	size_t cap = strlen(g->name) + strlen(g->proto) + 32;
	for (size_t i = 0; i < g->naliases; i++)
		cap += strlen(g->aliases[i]) + strlen(sep);
	g->line = malloc(cap);
	assert_non_null(g->line);
	int n = snprintf(g->line, cap, "%s%s%u/%s", g->name, sep, port, g->proto);
	assert_true(n > 0);
	g->len = (size_t)n;
	for (size_t i = 0; i < g->naliases; i++) {
		size_t sl = strlen(sep), al = strlen(g->aliases[i]);
		memcpy(g->line + g->len, sep, sl);
		memcpy(g->line + g->len + sl, g->aliases[i], al);
		g->len += sl + al;
	}
	g->line[g->len] = '\0';
}

static void gen_free(struct gen *g)
{
	for (size_t i = 0; i < g->naliases; i++)
		free(g->aliases[i]);
	free(g->aliases);
	free(g->name);
	free(g->proto);
	free(g->line);
}

static void gen_check(const char *label, struct gen *g, unsigned port)
{
	struct expect e = {
		.line = g->line, .len = g->len, .result = PARSE_OK,
		.name = g->name, .port = port, .proto = g->proto,
		.aliases = (const char *const *)g->aliases,
		.naliases = g->naliases,
	};
	assert_int_equal(check_parser(label, &e), 0);
	if (glibc_parse != NULL)
		assert_int_equal(check_glibc(label, &e), 0);
	else
		print_message("%s: no glibc oracle (%s), checked the parser "
			      "only\n", label, glibc_parse_error);
}

static void gen_aliases(struct gen *g, size_t n)
{
	g->naliases = n;
	g->aliases = calloc(n ? n : 1, sizeof *g->aliases);
	assert_non_null(g->aliases);
	for (size_t i = 0; i < n; i++) {
		char a[32];
		snprintf(a, sizeof a, "al%zu", i);
		g->aliases[i] = strdup(a);
		assert_non_null(g->aliases[i]);
	}
}

static void test_many_aliases_300(void **state)
{
	struct gen g = { .name = strdup("many"), .proto = strdup("tcp") };
	(void)state;
	gen_aliases(&g, 300);
	gen_build(&g, 1032, " ");
	gen_check("300 aliases (P9)", &g, 1032);
	gen_free(&g);
}

/* About 100 KB in one line: no length limit (P1), no alias limit (P9). */
static void test_line_100k_with_15000_aliases(void **state)
{
	struct gen g = { .name = strdup("huge"), .proto = strdup("udp") };
	(void)state;
	gen_aliases(&g, 15000);
	gen_build(&g, 1033, " \t");
	assert_true(g.len > 100000);
	gen_check("15000 aliases, 100 KB (P1 P9)", &g, 1033);
	gen_free(&g);
}

static void test_long_name_4000(void **state)
{
	struct gen g = { .name = repeat("longname-", 'n', 4000),
			 .proto = strdup("tcp") };
	(void)state;
	gen_aliases(&g, 2);
	gen_build(&g, 1035, " ");
	gen_check("4000-byte name (P1 P6)", &g, 1035);
	gen_free(&g);
}

static void test_long_alias_4000(void **state)
{
	struct gen g = { .name = strdup("longalias"), .proto = strdup("tcp") };
	(void)state;
	gen_aliases(&g, 3);
	free(g.aliases[1]);
	g.aliases[1] = repeat("longalias-", 'a', 4000);
	gen_build(&g, 1036, " ");
	gen_check("4000-byte alias (P1 P9)", &g, 1036);
	gen_free(&g);
}

static void test_long_proto_4000(void **state)
{
	struct gen g = { .name = strdup("longproto"),
			 .proto = repeat("p/", 'p', 4000) };
	(void)state;
	gen_aliases(&g, 1);
	gen_build(&g, 1037, "\v");
	gen_check("4000-byte protocol (P1 P8)", &g, 1037);
	gen_free(&g);
}

/* ------------------------------------------------ struct svc_line reuse */

static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

/* One svc_line, reused across lines of very different alias counts (its
 * aliases_cap says the array is kept), then freed once: svc_line_free must
 * release everything (run under valgrind; mallinfo2 catches gross leaks
 * without it). */
static void test_line_free_after_many_aliases(void **state)
{
	static const size_t counts[] = { 300, 0, 2, 5000, 1, 0, 40000, 3 };
	struct svc_line out;
	(void)state;

	memset(&out, 0, sizeof out);
	size_t before = heap_in_use();
	for (int round = 0; round < 20; round++) {
		for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
			struct gen g = { .name = strdup("reuse"),
					 .proto = strdup("tcp") };
			gen_aliases(&g, counts[k]);
			gen_build(&g, 1038, " ");
			char *buf = malloc(g.len + 1);
			assert_non_null(buf);
			memcpy(buf, g.line, g.len + 1);
			assert_int_equal(svc_parse_line(buf, g.len, &out), PARSE_OK);
			assert_int_equal(out.naliases, counts[k]);
			if (counts[k] > 0) {
				assert_string_equal(out.aliases[0], "al0");
				assert_string_equal(out.aliases[counts[k] - 1],
						    g.aliases[counts[k] - 1]);
			}
			/* A dropped line parsed into the same struct. */
			char junk[] = "junk 80x/tcp a b c";
			assert_int_equal(svc_parse_line(junk, sizeof junk - 1, &out),
					 PARSE_PORT_JUNK);
			free(buf);
			gen_free(&g);
		}
	}
	svc_line_free(&out);
	size_t after = heap_in_use();
	/* 20 rounds of a 40000-alias array leaked would be over 6 MB. */
	if (after > before + 256 * 1024)
		fail_msg("heap grew by %zu bytes over 160 parses", after - before);

	/* A struct that never held an alias frees cleanly too. */
	memset(&out, 0, sizeof out);
	char blank[] = "  # nothing";
	assert_int_equal(svc_parse_line(blank, sizeof blank - 1, &out), PARSE_BLANK);
	svc_line_free(&out);
}

/* ------------------------------------------------ svc_read's lines */

/* What the tools read text with: svc_read hands each physical line to
 * the sink's line callback, without its newline. */
struct seen_lines {
	char **bytes;
	size_t *len;
	unsigned long *lineno;
	size_t n, cap;
};

static int on_line(void *ctx, unsigned long lineno, const char *raw, size_t len)
{
	struct seen_lines *s = ctx;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->bytes = realloc(s->bytes, s->cap * sizeof *s->bytes);
		s->len = realloc(s->len, s->cap * sizeof *s->len);
		s->lineno = realloc(s->lineno, s->cap * sizeof *s->lineno);
		assert_true(s->bytes != NULL && s->len != NULL && s->lineno != NULL);
	}
	s->bytes[s->n] = malloc(len + 1);
	assert_non_null(s->bytes[s->n]);
	memcpy(s->bytes[s->n], raw, len);
	s->len[s->n] = len;
	s->lineno[s->n++] = lineno;
	return 0;
}

static void seen_free(struct seen_lines *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->bytes[i]);
	free(s->bytes);
	free(s->len);
	free(s->lineno);
}

static void read_lines_of(const char *data, size_t len, struct seen_lines *s)
{
	const struct svc_sink sink = { .ctx = s, .line = on_line };

	memset(s, 0, sizeof *s);
	assert_int_equal(svc_read(data, len, SVC_FORMAT_SERVICES, &sink), 0);
}

struct rline {
	char *bytes;
	size_t len;
};

/* Join LINES (each followed by '\n', except the last when LAST_NL is 0)
 * and check that svc_read gives each one back, with its number, and no
 * more. */
static void check_reader(const struct rline *lines, size_t n, int last_nl)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += lines[i].len + 1;
	char *data = malloc(total + 1);
	assert_non_null(data);
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(data + off, lines[i].bytes, lines[i].len);
		off += lines[i].len;
		if (i + 1 < n || last_nl)
			data[off++] = '\n';
	}

	struct seen_lines seen;
	read_lines_of(data, off, &seen);
	for (size_t i = 0; i < n && i < seen.n; i++) {
		if (seen.len[i] != lines[i].len)
			fail_msg("line %zu: want length %zu, got %zu", i + 1,
				 lines[i].len, seen.len[i]);
		assert_int_equal(seen.lineno[i], i + 1);
		assert_memory_equal(seen.bytes[i], lines[i].bytes, lines[i].len);
	}
	assert_int_equal(seen.n, n);
	seen_free(&seen);
	free(data);
}

static struct rline rl_str(const char *s, size_t len)
{
	struct rline r = { malloc(len + 1), len };
	assert_non_null(r.bytes);
	memcpy(r.bytes, s, len);
	return r;
}

#define RL(s) rl_str(s, sizeof(s) - 1)

static struct rline rl_fill(size_t len, unsigned seed)
{
	struct rline r = { malloc(len + 1), len };
	assert_non_null(r.bytes);
	for (size_t i = 0; i < len; i++)
		r.bytes[i] = (char)('!' + (i * 7 + seed) % 90);  /* no '\n' */
	return r;
}

static void rl_free(struct rline *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].bytes);
}

static void test_read_lines_lines(void **state)
{
	struct rline lines[12];
	size_t n = 0;
	(void)state;

	lines[n++] = RL("first 1/tcp");
	lines[n++] = rl_fill(100 * 1024, 1);
	lines[n++] = RL("crlf 3/tcp\r");          /* '\r' stays: P1 */
	lines[n++] = RL("nul\0in 4/tcp");         /* NUL kept in the bytes */
	lines[n++] = RL("\0\0\0");
	lines[n++] = RL("");
	lines[n++] = RL("\r");
	lines[n++] = rl_fill(200 * 1024 + 3, 2);
	lines[n++] = RL("short 5/tcp");
	lines[n++] = rl_fill(100 * 1024, 3);
	lines[n++] = RL("  last 6/tcp a");        /* no final newline */
	check_reader(lines, n, 0);
	rl_free(lines, n);
}

static void test_read_lines_final_newline(void **state)
{
	struct rline lines[3];
	(void)state;
	lines[0] = RL("a 1/tcp");
	lines[1] = RL("");
	lines[2] = RL("b 2/tcp");
	check_reader(lines, 3, 1);
	check_reader(lines + 1, 1, 1);            /* a file that is "\n" */
	check_reader(lines + 2, 1, 0);            /* "b 2/tcp", no newline */
	rl_free(lines, 3);
}

static void test_read_lines_empty_file(void **state)
{
	struct seen_lines seen;
	(void)state;
	read_lines_of("", 0, &seen);
	assert_int_equal(seen.n, 0);
	seen_free(&seen);
}

/* Lengths around every power of two up to 128 KiB, growing then
 * shrinking, to catch off-by-one errors where the buffer grows. */
static void test_read_lines_buffer_boundaries(void **state)
{
	enum { MAXL = 2 * 17 * 4 + 1 };
	struct rline lines[MAXL];
	size_t n = 0;
	(void)state;
	for (unsigned k = 1; k <= 17; k++)
		for (size_t d = 0; d < 4; d++)
			lines[n++] = rl_fill((size_t)(1u << k) + d - 2, k);
	for (unsigned k = 17; k >= 1; k--)
		for (size_t d = 0; d < 4; d++)
			lines[n++] = rl_fill((size_t)(1u << k) + 1 - d, k + 100);
	lines[n++] = RL("end");  /* the last line before had length 0 */
	check_reader(lines, n, 1);
	check_reader(lines, n, 0);
	rl_free(lines, n);
}

/* What cannot be read as a file is an error naming it, with no entry. */
static void test_read_lines_read_error(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_parse.XXXXXX", err[512] = "";
	struct entry_set set = { 0 };
	const struct collect_opts opts = { 0 };
	assert_non_null(mkdtemp(dir));
	assert_int_equal(entry_set_add_source(&set, dir, &opts, err, sizeof err), EISDIR);
	assert_non_null(strstr(err, dir));
	assert_int_equal(set.count, 0);
	entry_set_free(&set);
	rmdir(dir);
}

/* ------------------------------------------------ the edge-services file */

static FILE *open_fixture(void)
{
	char path[4096];
	const char *srcdir = getenv("top_srcdir");
	static const char *const tries[] = { ".", "..", "../.." };

	if (srcdir == NULL)
		srcdir = getenv("srcdir");
	if (srcdir != NULL) {
		snprintf(path, sizeof path, "%s/data/edge-services", srcdir);
		return fopen(path, "re");
	}
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		snprintf(path, sizeof path, "%s/data/edge-services", tries[i]);
		FILE *fp = fopen(path, "re");
		if (fp != NULL)
			return fp;
	}
	return NULL;
}

/* Every line of data/edge-services, read with svc_read, parses as
 * glibc parses it. */
static void test_edge_services_agrees_with_glibc(void **state)
{
	size_t count[PARSE_PORT_OVERFLOW + 1] = { 0 };
	int failed = 0;
	(void)state;

	require_glibc_parser();
	FILE *fp = open_fixture();
	if (fp == NULL) {
		print_message("data/edge-services not found (set top_srcdir)\n");
		skip();
	}
	char *data = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&data, &size);
	char chunk[4096];
	size_t got;
	assert_non_null(mem);
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		assert_int_equal(fwrite(chunk, 1, got, mem), got);
	assert_false(ferror(fp));
	fclose(fp);
	assert_int_equal(fclose(mem), 0);

	struct seen_lines seen;
	read_lines_of(data, size, &seen);
	for (size_t i = 0; i < seen.n; i++) {
		char label[48];
		struct svc_line out;
		size_t len = seen.len[i];
		char *buf = malloc(len + 1);
		assert_non_null(buf);
		memcpy(buf, seen.bytes[i], len);
		snprintf(label, sizeof label, "edge-services:%lu (want: parser)",
			 seen.lineno[i]);

		memset(&out, 0, sizeof out);
		int r = svc_parse_line(buf, len, &out);
		assert_true(r >= PARSE_OK && r <= PARSE_PORT_OVERFLOW);
		count[r]++;

		struct expect e = { .line = seen.bytes[i], .len = len,
				    .result = r };
		if (r == PARSE_OK) {
			e.name = out.name;
			e.port = out.port;
			e.proto = out.proto;
			e.aliases = out.aliases;
			e.naliases = out.naliases;
		}
		/* check_glibc parses its own copy of e.line. */
		failed += check_glibc(label, &e) != 0;
		svc_line_free(&out);
		free(buf);
	}
	seen_free(&seen);
	free(data);

	print_message("edge-services: %zu entries, %zu blank, %zu no port, "
		      "%zu port junk, %zu overflow\n", count[PARSE_OK],
		      count[PARSE_BLANK], count[PARSE_NO_PORT],
		      count[PARSE_PORT_JUNK], count[PARSE_PORT_OVERFLOW]);
	if (failed)
		fail_msg("%d lines of edge-services parse unlike glibc", failed);
	/* The fixture still covers every kind of line. */
	assert_true(count[PARSE_OK] >= 60);
	assert_true(count[PARSE_BLANK] > 0);
	assert_true(count[PARSE_NO_PORT] > 0);
	assert_true(count[PARSE_PORT_JUNK] > 0);
	if (PORTDB_OVERFLOW_DROP)
		assert_true(count[PARSE_PORT_OVERFLOW] > 0);
}

/* ------------------------------------------------ why a line is dropped */

/* The detail and column the parser gives for each kind of dropped line:
 * what `portdb check` prints, at the column it prints. */
static void test_drop_reasons_and_columns(void **state)
{
	static const struct {
		const char *line;
		size_t len;
		int result;
		enum parse_why why;
		size_t col, end_col, hash_col;
	} drops[] = {
#define C(s, r, w, c, e, h) { s, sizeof(s) - 1, r, w, c, e, h }
		C("na#me 80/tcp", PARSE_NO_PORT, PARSE_WHY_HASH_IN_NAME, 2, 12, 2),
		C("name\r#c", PARSE_NO_PORT, PARSE_WHY_NOTHING_AFTER, 5, 7, 5),
		C("name \0 80/tcp", PARSE_NO_PORT, PARSE_WHY_NUL_BEFORE_PORT, 5, 5, 5),
		C("  name", PARSE_NO_PORT, PARSE_WHY_NOTHING_AFTER, 6, 6, 6),
		C("name http/tcp", PARSE_NO_PORT, PARSE_WHY_NOT_A_NUMBER, 5, 13, 13),
		C("name 80-90/tcp", PARSE_PORT_JUNK, PARSE_WHY_RANGE, 5, 14, 14),
		C("name 80 /tcp", PARSE_PORT_JUNK, PARSE_WHY_SPACE_BEFORE_SLASH, 7, 12, 12),
		C("name 80\r", PARSE_PORT_JUNK, PARSE_WHY_SPACE_AFTER_PORT, 7, 8, 8),
		C("name 089/tcp", PARSE_PORT_JUNK, PARSE_WHY_OCTAL_DIGIT, 6, 12, 12),
		C("name 80x/tcp # c", PARSE_PORT_JUNK, PARSE_WHY_JUNK, 7, 16, 13),
#if PORTDB_OVERFLOW_DROP
		C("name -1/tcp", PARSE_PORT_OVERFLOW, PARSE_WHY_NEGATIVE, 5, 11, 11),
		C("name 4294967296/tcp", PARSE_PORT_OVERFLOW, PARSE_WHY_TOO_LARGE, 5, 19, 19),
#endif
		C("name 80/tcp", PARSE_OK, PARSE_WHY_NONE, 0, 11, 11),
#undef C
	};
	(void)state;

	for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
		struct svc_line out = { 0 };
		char *buf = malloc(drops[i].len + 1);
		assert_non_null(buf);
		memcpy(buf, drops[i].line, drops[i].len);
		int r = svc_parse_line(buf, drops[i].len, &out);
		if (r != drops[i].result || out.why != drops[i].why ||
		    out.why_col != drops[i].col || out.end_col != drops[i].end_col ||
		    out.hash_col != drops[i].hash_col)
			fail_msg("case %zu: result %d why %d col %zu end %zu hash %zu", i, r,
				 (int)out.why, out.why_col, out.end_col, out.hash_col);
		svc_line_free(&out);
		free(buf);
	}
}

/* ------------------------------------------------------------- strings */

static void test_result_str_names_every_result(void **state)
{
	static const int results[] = { PARSE_OK, PARSE_BLANK, PARSE_NO_PORT,
				       PARSE_PORT_JUNK, PARSE_PORT_OVERFLOW,
				       -ENOMEM };
	(void)state;
	for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
		const char *s = svc_parse_result_str(results[i]);
		assert_non_null(s);
		assert_true(s[0] != '\0');
	}
	for (size_t i = 1; i < 5; i++)
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(svc_parse_result_str(results[i]),
						svc_parse_result_str(results[j]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_parser),
		cmocka_unit_test(test_table_agrees_with_glibc),
		cmocka_unit_test(test_many_aliases_300),
		cmocka_unit_test(test_line_100k_with_15000_aliases),
		cmocka_unit_test(test_long_name_4000),
		cmocka_unit_test(test_long_alias_4000),
		cmocka_unit_test(test_long_proto_4000),
		cmocka_unit_test(test_line_free_after_many_aliases),
		cmocka_unit_test(test_read_lines_lines),
		cmocka_unit_test(test_read_lines_final_newline),
		cmocka_unit_test(test_read_lines_empty_file),
		cmocka_unit_test(test_read_lines_buffer_boundaries),
		cmocka_unit_test(test_read_lines_read_error),
		cmocka_unit_test(test_edge_services_agrees_with_glibc),
		cmocka_unit_test(test_drop_reasons_and_columns),
		cmocka_unit_test(test_result_str_names_every_result),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
