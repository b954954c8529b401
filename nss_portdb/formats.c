/* The input formats: detection, the line formats (services, Wireshark,
 * nmap) on top of the services parser, and the IANA registry CSV. */
#include <config.h>

#include "formats.h"
#include "ascii.h"
#include "csv.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const format_names[] = {
	[SVC_FORMAT_AUTO] = "auto",
	[SVC_FORMAT_SERVICES] = "services",
	[SVC_FORMAT_IANA_CSV] = "iana-csv",
	[SVC_FORMAT_WIRESHARK] = "wireshark",
	[SVC_FORMAT_NMAP] = "nmap",
};

const char *svc_format_name(enum svc_format format)
{
	if ((unsigned)format < sizeof format_names / sizeof format_names[0])
		return format_names[format];
	return "?";
}

int svc_format_from_name(const char *name, enum svc_format *out)
{
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum svc_format)i;
			return 0;
		}
	}
	if (strcmp(name, "csv") == 0 || strcmp(name, "iana") == 0) {
		*out = SVC_FORMAT_IANA_CSV;
		return 0;
	}
	return EINVAL;
}

/* isspace() in the C locale, as the services parser has it. */
static int grow_buf(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return ENOMEM;
		n *= 2;
	}
	p = realloc(*buf, n);
	if (p == NULL)
		return ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

/* The next line of DATA from *AT: its start and length (no newline).
 * @return 0 at the end. */
static int next_line(const char *data, size_t len, size_t *at, const char **line,
		     size_t *n)
{
	const char *p, *nl;

	if (*at >= len)
		return 0;
	p = data + *at;
	nl = memchr(p, '\n', len - *at);
	*line = p;
	*n = nl != NULL ? (size_t)(nl - p) : len - *at;
	*at += *n + (nl != NULL);
	return 1;
}

/* nmap's open frequency: digits, a dot, digits. */
static int is_fraction(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '.' || p[1] < '0' || p[1] > '9')
		return 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		;
	return *p == '\0';
}

static int is_transport(const char *s, size_t n)
{
	static const char *const names[] = { "tcp", "udp", "sctp", "dccp" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && memcmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

/* Is PROTO Wireshark's merge of two or more transports, "tcp/udp"? */
static int is_merged(const char *proto)
{
	const char *p = proto;
	int parts = 0;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!is_transport(p, n))
			return 0;
		parts++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return parts >= 2;
}

/* ------------------------------------------------------------- Wireshark */

/* A port range LOW-HIGH in the port token of the line BUF (N bytes),
 * found as the services parser would find the token.  On success the
 * "-HIGH" is overwritten with '/', which the parser swallows after a
 * port, so every column stays where it was.  @return 1 for a range. */
static int take_range(char *buf, size_t n, unsigned long *low, unsigned long *high)
{
	char *p = buf, *end = buf + n, *num, *dash, *q;
	unsigned long lo = 0, hi = 0;

	while (p < end && ascii_is_space((unsigned char)*p))
		p++;
	while (p < end && !ascii_is_space((unsigned char)*p) && *p != '#' && *p != '\0')
		p++;
	if (p == end || !ascii_is_space((unsigned char)*p))
		return 0;
	while (p < end && ascii_is_space((unsigned char)*p))
		p++;
	num = p;
	while (p < end && *p >= '0' && *p <= '9' && lo <= 65535)
		lo = lo * 10 + (unsigned long)(*p++ - '0');
	if (p == num || p == end || *p != '-' || (*num == '0' && p - num > 1))
		return 0;
	dash = p++;
	q = p;
	while (p < end && *p >= '0' && *p <= '9' && hi <= 65535)
		hi = hi * 10 + (unsigned long)(*p++ - '0');
	if (p == q || lo > 65535 || hi > 65535 || lo > hi)
		return 0;
	if (p < end && *p != '/' && *p != '#' && *p != '\0' && !ascii_is_space((unsigned char)*p))
		return 0;
	memset(dash, '/', (size_t)(p - dash));
	*low = lo;
	*high = hi;
	return 1;
}

/* Emit L once per protocol part (Wireshark) and per port of a range. */
static int emit(const struct svc_sink *sink, struct svc_line *l, struct svc_pos *pos,
		int split, unsigned long low, unsigned long high)
{
	char *part = (char *)l->proto;
	const char *base = pos->base;
	int rc;

	if (sink->entry == NULL)
		return 0;
	for (;;) {
		char *slash = split ? strchr(part, '/') : NULL;

		if (slash != NULL)
			*slash = '\0';
		if (*part != '\0' || (slash == NULL && part == l->proto)) {
			l->proto = part;
			pos->proto_col = (size_t)(part - base);
			for (unsigned long port = low; port <= high; port++) {
				l->port = (uint16_t)port;
				rc = sink->entry(sink->ctx, l, pos);
				if (rc != 0)
					return rc;
			}
		}
		if (slash == NULL)
			return 0;
		part = slash + 1;
	}
}

/* services, wireshark and nmap: one line at a time. */
static int read_lines(const char *data, size_t len, enum svc_format format,
		      const struct svc_sink *sink)
{
	struct svc_line l = { 0 };
	char *buf = NULL;
	size_t cap = 0, at = 0, n;
	const char *raw;
	unsigned long lineno = 0;
	int rc = 0;

	while (next_line(data, len, &at, &raw, &n)) {
		unsigned long low = 0, high = 0;
		int range = 0, r;

		lineno++;
		if (sink->line != NULL && (rc = sink->line(sink->ctx, lineno, raw, n)) != 0)
			break;
		if ((rc = grow_buf(&buf, &cap, n + 1)) != 0)
			break;
		memcpy(buf, raw, n);
		if (format == SVC_FORMAT_WIRESHARK)
			range = take_range(buf, n, &low, &high);
		r = svc_parse_line(buf, n, &l);
		if (r < 0) {
			rc = -r;
			break;
		}
		if (r == PARSE_BLANK)
			continue;
		if (r != PARSE_OK) {
			struct svc_issue is = { .kind = SVC_ISSUE_DROPPED, .line = lineno,
						.col = l.port_col, .reason = r, .parsed = &l };
			if (sink->issue != NULL && (rc = sink->issue(sink->ctx, &is)) != 0)
				break;
			continue;
		}
		if (format == SVC_FORMAT_NMAP && l.naliases > 0 && is_fraction(l.aliases[0])) {
			memmove(l.aliases, l.aliases + 1, (l.naliases - 1) * sizeof *l.aliases);
			l.naliases--;
		}
		if (range) {
			struct svc_issue is = { .kind = SVC_ISSUE_RANGE, .line = lineno,
						.col = l.port_col, .low = low, .high = high };
			if (sink->issue != NULL && (rc = sink->issue(sink->ctx, &is)) != 0)
				break;
		} else {
			low = high = l.port;
		}
		struct svc_pos pos = {
			.line = lineno, .name_col = (size_t)(l.name - buf),
			.port_col = l.port_col, .proto_col = (size_t)(l.proto - buf), .base = buf,
		};
		rc = emit(sink, &l, &pos, format == SVC_FORMAT_WIRESHARK, low, high);
		if (rc != 0)
			break;
	}
	svc_line_free(&l);
	free(buf);
	return rc;
}

/* ----------------------------------------------------------- IANA CSV */

static const char *const csv_columns[3] = { "Service Name", "Port Number",
					    "Transport Protocol" };

/* Map the header's columns.  @return 1 if it names the three we need. */
static int csv_header(struct csv *c, size_t idx[3])
{
	int found = 0;

	for (size_t k = 0; k < 3; k++) {
		idx[k] = SIZE_MAX;
		for (size_t i = 0; i < c->nf; i++) {
			size_t col;
			if (strcasecmp(csv_trimmed(c, i, &col), csv_columns[k]) == 0) {
				idx[k] = i;
				found++;
				break;
			}
		}
	}
	return found == 3;
}

/* Can services(5) hold S as one token?  @return NULL or why not. */
static const char *bad_token(const char *s, size_t len, int is_proto)
{
	for (size_t i = 0; i < len; i++) {
		if (ascii_is_space((unsigned char)s[i]))
			return "holds whitespace, which services(5) cannot express";
		if (s[i] == '#')
			return "holds '#', which starts a comment in services(5)";
	}
	if (is_proto && s[0] == '/')
		return "starts with '/', which services(5) cannot express";
	return NULL;
}

/* "80" or "6000-6063", decimal, within 0-65535.  @return 0 or -1. */
static int csv_port(const char *s, unsigned long *low, unsigned long *high)
{
	unsigned long v[2] = { 0, 0 };
	int k = 0;

	for (const char *p = s;; p++) {
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v[k] = v[k] * 10 + (unsigned long)(*p - '0');
			if (v[k] > 65535)
				return -1;
			p++;
		}
		if (p == start)
			return -1;
		if (*p == '\0')
			break;
		if (*p != '-' || k == 1)
			return -1;
		k = 1;
	}
	*low = v[0];
	*high = k ? v[1] : v[0];
	return *low <= *high ? 0 : -1;
}

static int csv_issue(const struct svc_sink *sink, enum svc_issue_kind kind,
		     unsigned long line, size_t col, const char *msg, int fatal)
{
	struct svc_issue is = { .kind = kind, .line = line, .col = col, .message = msg,
				.fatal = fatal };

	return sink->issue != NULL ? sink->issue(sink->ctx, &is) : 0;
}

/* One data row: checked, then one entry per port. */
static int csv_row(struct csv *c, const size_t idx[3], size_t need,
		   const struct svc_sink *sink, char *msg, size_t msglen)
{
	static const char *const missing[3] = { "no service name", "no port number",
						"no transport protocol" };
	char *v[3];
	int has_nul[3];
	size_t col[3];
	unsigned long low, high;
	const char *why;

	if (c->nf == 1 && c->f[0].len == 0 && !c->f[0].quoted)
		return 0;                   /* an empty line */
	if (c->nf < need) {
		snprintf(msg, msglen, "the row has %zu field%s, the header %zu", c->nf,
			 c->nf == 1 ? "" : "s", need);
		return csv_issue(sink, SVC_ISSUE_MALFORMED, c->rec_line, 0, msg, 0);
	}
	for (int k = 0; k < 3; k++) {
		/* Before trimming, which writes a NUL of its own. */
		has_nul[k] = memchr(c->buf + c->f[idx[k]].off, '\0', c->f[idx[k]].len) != NULL;
		v[k] = csv_trimmed(c, idx[k], &col[k]);
		if (*v[k] == '\0')
			return csv_issue(sink, SVC_ISSUE_ROW_SKIPPED, c->f[idx[k]].line,
					 col[k], missing[k], 0);
	}
	if (csv_port(v[1], &low, &high) != 0) {
		snprintf(msg, msglen, "port '%.40s' is neither a number nor a range LOW-HIGH within 0-65535",
			 v[1]);
		return csv_issue(sink, SVC_ISSUE_MALFORMED, c->f[idx[1]].line, col[1], msg, 0);
	}
	for (int k = 0; k < 3; k += 2) {
		why = has_nul[k] ? "holds a NUL byte" : bad_token(v[k], strlen(v[k]), k == 2);
		if (why != NULL) {
			snprintf(msg, msglen, "%s '%.40s' %s; row skipped",
				 k == 0 ? "the service name" : "the protocol", v[k], why);
			return csv_issue(sink, SVC_ISSUE_ROW_INVALID, c->f[idx[k]].line,
					 col[k], msg, 0);
		}
	}
	if (low != high) {
		struct svc_issue is = { .kind = SVC_ISSUE_RANGE, .line = c->f[idx[1]].line,
					.col = col[1], .low = low, .high = high };
		int rc = sink->issue != NULL ? sink->issue(sink->ctx, &is) : 0;
		if (rc != 0)
			return rc;
	}
	if (sink->entry == NULL)
		return 0;
	struct svc_line l = { .name = v[0], .proto = v[2] };
	/* The name's line: the columns are on it (a field before it may
	 * have spanned lines). */
	struct svc_pos pos = { .line = c->f[idx[0]].line, .name_col = col[0],
			       .port_col = col[1], .proto_col = col[2] };
	for (unsigned long port = low; port <= high; port++) {
		int rc;
		l.port = (uint16_t)port;
		rc = sink->entry(sink->ctx, &l, &pos);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int read_csv(const char *data, size_t len, const struct svc_sink *sink)
{
	struct csv c;
	size_t idx[3], need = 0;
	char msg[160];
	int rc, header = 0;

	csv_init(&c, data, len);
	for (;;) {
		rc = csv_record(&c);
		if (rc == 0)
			break;
		if (rc == ENOMEM)
			goto out;
		if (rc == EBADMSG) {
			rc = csv_issue(sink, SVC_ISSUE_MALFORMED, c.err_line, c.err_col, c.err,
				       c.err_fatal);
			if (rc != 0 || c.err_fatal)
				goto out;
			continue;
		}
		if (!header) {
			if (!csv_header(&c, idx)) {
				rc = csv_issue(sink, SVC_ISSUE_MALFORMED, c.rec_line, 0,
					       "not IANA's CSV: the header does not name the columns "
					       "Service Name, Port Number and Transport Protocol", 1);
				goto out;
			}
			for (int k = 0; k < 3; k++)
				if (idx[k] + 1 > need)
					need = idx[k] + 1;
			header = 1;
			continue;
		}
		rc = csv_row(&c, idx, need, sink, msg, sizeof msg);
		if (rc != 0)
			goto out;
	}
	rc = 0;
	if (!header)
		rc = csv_issue(sink, SVC_ISSUE_MALFORMED, 1, 0,
			       "not IANA's CSV: no header line", 1);
out:
	csv_free(&c);
	return rc;
}

/* ------------------------------------------------------------- detection */

static const char bom[] = "\xef\xbb\xbf";

/* The first line: a byte order mark is skipped, and it alone can be a
 * CSV header (never read further) or say it is a portdb dump. */
static void detect_first(struct svc_detect *d, const char **raw, size_t *len)
{
	struct csv c;
	size_t idx[3];
	int is_csv;

	if (*len >= 3 && memcmp(*raw, bom, 3) == 0) {
		*raw += 3;
		*len -= 3;
	}
	if (*len >= 9 && memcmp(*raw, "# portdb ", 9) == 0) {
		d->dump = 1;
		return;
	}
	csv_init(&c, *raw, *len);
	is_csv = csv_record(&c) == 1 && c.nf >= 3 && csv_header(&c, idx);
	csv_free(&c);
	d->csv_header = is_csv;
}

int svc_detect_line(struct svc_detect *d, const char *raw, size_t len)
{
	size_t skip = 0;

	if (d->done)
		return 0;
	if (++d->lines == 1) {
		const char *p = raw;
		detect_first(d, &p, &len);
		skip = (size_t)(p - raw);
		raw = p;
		if (d->dump || d->csv_header) {
			d->done = 1;
			return 0;
		}
	}
	if (grow_buf(&d->buf, &d->cap, len + 1) != 0)
		return ENOMEM;
	memcpy(d->buf, raw, len);
	if (svc_parse_line(d->buf, len, &d->l) != PARSE_OK)
		return 0;
	d->entries++;
	if (is_merged(d->l.proto) && d->merged++ == 0) {
		d->merged_line = d->lines;
		d->merged_col = skip + (size_t)(d->l.proto - d->buf);
	}
	if (d->l.naliases == 1 && is_fraction(d->l.aliases[0]) && d->nmap++ == 0) {
		d->nmap_line = d->lines;
		d->nmap_col = skip + (size_t)(d->l.aliases[0] - d->buf);
	}
	d->done = d->entries >= 1000;
	return 0;
}

enum svc_format svc_detect_result(const struct svc_detect *d, unsigned long *line,
				  size_t *col)
{
	*line = 0;
	*col = 0;
	if (d->dump)
		return SVC_FORMAT_SERVICES;
	if (d->csv_header) {
		*line = 1;
		return SVC_FORMAT_IANA_CSV;
	}
	if (d->nmap > 0 && d->nmap * 10 >= d->entries * 9) {
		*line = d->nmap_line;
		*col = d->nmap_col;
		return SVC_FORMAT_NMAP;
	}
	if (d->merged >= 2 && d->merged * 4 >= d->entries) {
		*line = d->merged_line;
		*col = d->merged_col;
		return SVC_FORMAT_WIRESHARK;
	}
	return SVC_FORMAT_SERVICES;
}

void svc_detect_free(struct svc_detect *d)
{
	svc_line_free(&d->l);
	free(d->buf);
	memset(d, 0, sizeof *d);
}

enum svc_format svc_format_detect(const char *data, size_t len)
{
	struct svc_detect d = { 0 };
	enum svc_format f;
	size_t at = 0, n, col;
	unsigned long line;
	const char *raw;

	while (!d.done && next_line(data, len, &at, &raw, &n))
		if (svc_detect_line(&d, raw, n) != 0)
			break;
	f = svc_detect_result(&d, &line, &col);
	svc_detect_free(&d);
	return f;
}

int svc_read(const char *data, size_t len, enum svc_format format,
	     const struct svc_sink *sink)
{
	if (format == SVC_FORMAT_AUTO)
		format = svc_format_detect(data, len);
	if (format == SVC_FORMAT_IANA_CSV)
		return read_csv(data, len, sink);
	return read_lines(data, len, format, sink);
}
