/* Text output helpers of the `portdb` command: UTF-8, JSON strings,
 * services(5) lines, bytes shown in messages. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "portdb.h"

size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned long cp;

	if (n == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;   /* a continuation byte, 0xc0, 0xc1 or above 0xf4 */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	putc('"', out);
	while (n > 0) {
		size_t k = utf8_valid_len(p, n);

		if (k == 0) {
			fprintf(out, "\\u%04x", *p);
			k = 1;
		} else if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", out);
		} else if (*p == '\t') {
			fputs("\\t", out);
		} else if (*p == '\r') {
			fputs("\\r", out);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else {
			fwrite(p, 1, k, out);
		}
		p += k;
		n -= k;
	}
	putc('"', out);
}

void show_bytes(char *out, size_t outlen, const char *s, size_t max)
{
	size_t o = 0, shown = 0;

	if (outlen == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		char tmp[8];
		size_t k;

		if (shown == max)
			snprintf(tmp, sizeof tmp, "...");
		else if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			snprintf(tmp, sizeof tmp, "%c", *p);
		else
			snprintf(tmp, sizeof tmp, "\\x%02x", *p);
		k = strlen(tmp);
		if (o + k >= outlen)
			break;
		memcpy(out + o, tmp, k);
		o += k;
		if (shown++ == max)
			break;
	}
	out[o] = '\0';
}

/* "PORT/" with an empty protocol, never "PORT" alone: glibc drops
 * "x 7 alias" (a port followed by a space), but reads "x 7/ alias" as
 * protocol "" with the alias. */
static void print_head(FILE *out, const char *name, unsigned port, const char *proto)
{
	fprintf(out, "%s\t%u/%s", name, port, proto);
}

void print_svc_line(FILE *out, const struct svc_line *l)
{
	print_head(out, l->name, l->port, l->proto);
	for (size_t i = 0; i < l->naliases; i++)
		fprintf(out, "%c%s", i == 0 ? '\t' : ' ', l->aliases[i]);
	putc('\n', out);
}

void print_services_line(FILE *out, const char *name, unsigned port, const char *proto,
			 const char *aliases, uint32_t naliases)
{
	print_head(out, name, port, proto);
	for (uint32_t i = 0; i < naliases; i++) {
		fprintf(out, "%c%s", i == 0 ? '\t' : ' ', aliases);
		aliases += strlen(aliases) + 1;
	}
	putc('\n', out);
}

const char *port_class(unsigned port, int longer)
{
	if (port <= 1023)
		return longer ? "system (well-known, 0-1023)" : "system";
	if (port <= 49151)
		return longer ? "user (registered, 1024-49151)" : "user";
	return longer ? "dynamic (private, 49152-65535)" : "dynamic";
}

const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
