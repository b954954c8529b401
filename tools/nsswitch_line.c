/* The services line of nsswitch.conf as glibc reads it, and the edits of
 * `portdb nsswitch` (nsswitch_line.h). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsswitch_line.h"
#include "ascii.h"

static int ns_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int ns_item_is(const struct ns_item *it, const char *name)
{
	return it->namelen == strlen(name) && memcmp(it->name, name, it->namelen) == 0;
}

int ns_has_item(const struct ns_item *items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ns_item_is(&items[i], name))
			return 1;
	return 0;
}

/* Do the action blocks A and B (ALEN, BLEN bytes) say the same, white
 * space aside and case-insensitively? */
static int act_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && ascii_is_space((unsigned char)a[i]))
			i++;
		while (j < blen && ascii_is_space((unsigned char)b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (ns_tolower(a[i]) != ns_tolower(b[j]))
			return 0;
		i++;
		j++;
	}
}

int ns_act_is(const struct ns_item *it, const char *act)
{
	return it->act != NULL && act_eq(it->act, it->actlen, act, strlen(act));
}

int ns_is_services_line(const char *line, size_t len, size_t *prefixlen)
{
	size_t i = 0, start;

	while (i < len && ascii_is_space((unsigned char)line[i]))
		i++;
	start = i;
	while (i < len && !ascii_is_space((unsigned char)line[i]) && line[i] != ':')
		i++;
	if (i == len || i - start != 8 || memcmp(line + start, "services", 8) != 0)
		return 0;
	while (i < len && (ascii_is_space((unsigned char)line[i]) || line[i] == ':'))
		i++;
	*prefixlen = i;
	return 1;
}

int ns_parse_line(const char *line, size_t len, size_t prefixlen, struct ns_line *out)
{
	size_t i = prefixlen, cap = 0;

	memset(out, 0, sizeof *out);
	out->prefixlen = prefixlen;
	out->tail = "";
	for (;;) {
		struct ns_item it = { 0 };

		while (i < len && ascii_is_space((unsigned char)line[i]))
			i++;
		if (i == len)
			return 0;
		it.name = line + i;
		while (i < len && !ascii_is_space((unsigned char)line[i]) && line[i] != '[')
			i++;
		it.namelen = (size_t)(line + i - it.name);
		if (it.namelen == 0) {
			out->tail = line + i;
			out->taillen = len - i;
			return 0;
		}
		while (i < len && ascii_is_space((unsigned char)line[i]))
			i++;
		if (i < len && line[i] == '[') {
			const char *end = memchr(line + i, ']', len - i);

			if (end == NULL)
				return EINVAL;
			it.act = line + i;
			it.actlen = (size_t)(end + 1 - it.act);
			i = (size_t)(end + 1 - line);
		}
		if (out->nitems == cap) {
			struct ns_item *n;

			cap = cap ? 2 * cap : 8;
			n = realloc(out->items, cap * sizeof *n);
			if (n == NULL)
				return ENOMEM;
			out->items = n;
		}
		out->items[out->nitems++] = it;
	}
}

int ns_same_items(const struct ns_item *a, size_t na, const struct ns_item *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		if (a[i].namelen != b[i].namelen || memcmp(a[i].name, b[i].name, a[i].namelen) != 0)
			return 0;
		if ((a[i].act == NULL) != (b[i].act == NULL))
			return 0;
		if (a[i].act != NULL && !act_eq(a[i].act, a[i].actlen, b[i].act, b[i].actlen))
			return 0;
	}
	return 1;
}

size_t ns_enabled_items(const struct ns_item *items, size_t nitems, struct ns_item *out)
{
	static const struct ns_item portdb = { "portdb", 6, NS_PORTDB_ACTION, sizeof NS_PORTDB_ACTION - 1 };
	static const struct ns_item files = { "files", 5, NULL, 0 };
	size_t n = 0;
	int have_files = 0;

	out[n++] = portdb;
	for (size_t i = 0; i < nitems; i++) {
		if (ns_item_is(&items[i], "portdb") || ns_item_is(&items[i], "db"))
			continue;
		if (ns_item_is(&items[i], "files"))
			have_files = 1;
		out[n++] = items[i];
	}
	if (!have_files)
		out[n++] = files;
	return n;
}

size_t ns_disabled_items(const struct ns_item *items, size_t nitems, struct ns_item *out)
{
	static const struct ns_item files = { "files", 5, NULL, 0 };
	size_t n = 0;

	for (size_t i = 0; i < nitems; i++)
		if (!ns_item_is(&items[i], "portdb"))
			out[n++] = items[i];
	if (n == 0)
		out[n++] = files;
	return n;
}


void ns_put(struct ns_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ns_puts(struct ns_buf *b, const char *s)
{
	ns_put(b, s, strlen(s));
}

void ns_put_line(struct ns_buf *b, const char *prefix, size_t prefixlen, const struct ns_item *items,
		     size_t n, const char *tail, size_t taillen)
{
	ns_put(b, prefix, prefixlen);
	if (prefixlen > 0 && !ascii_is_space((unsigned char)prefix[prefixlen - 1]))
		ns_puts(b, " ");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			ns_puts(b, " ");
		ns_put(b, items[i].name, items[i].namelen);
		if (items[i].act != NULL) {
			ns_puts(b, " ");
			ns_put(b, items[i].act, items[i].actlen);
		}
	}
	if (taillen > 0) {
		ns_puts(b, " ");
		ns_put(b, tail, taillen);
	}
}
