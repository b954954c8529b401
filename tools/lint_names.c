/* Names and ports against the earlier entries: a name or alias that an
 * earlier entry with the same protocol already answers (the later one is
 * never found by it), and a port and protocol that an earlier entry of
 * another service already answers. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "lint_int.h"
#include "portdb.h"

static struct slot *map_slot(const struct map *m, const char *key, size_t klen, uint64_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct slot *s = &m->slots[i];
		if (s->key == NULL ||
		    (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0))
			return s;
	}
}

static int map_get(const struct map *m, const char *key, size_t klen, uint32_t *val)
{
	const struct slot *s;

	if (m->cap == 0)
		return 0;
	s = map_slot(m, key, klen, hash_fnv1a(HASH_FNV1A_INIT, key, klen));
	if (s->key == NULL)
		return 0;
	*val = s->val;
	return 1;
}

static int map_put(struct map *m, const char *key, size_t klen, uint32_t val)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, key, klen);
	struct slot *s;

	if ((m->n + 1) * 2 > m->cap) {
		struct map bigger = { .cap = m->cap ? m->cap * 2 : 1024 };
		bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
		if (bigger.slots == NULL)
			return ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key != NULL)
				*map_slot(&bigger, m->slots[i].key, m->slots[i].klen,
					  m->slots[i].hash) = m->slots[i];
		bigger.n = m->n;
		free(m->slots);
		*m = bigger;
	}
	s = map_slot(m, key, klen, h);
	s->key = malloc(klen ? klen : 1);
	if (s->key == NULL)
		return ENOMEM;
	memcpy(s->key, key, klen);
	s->klen = klen;
	s->hash = h;
	s->val = val;
	m->n++;
	return 0;
}

static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static int new_first(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos,
		     uint32_t *idx)
{
	struct first *f;

	if (lt->nfirsts == lt->firsts_cap) {
		size_t cap = lt->firsts_cap ? lt->firsts_cap * 2 : 256;
		f = realloc(lt->firsts, cap * sizeof *f);
		if (f == NULL)
			return ENOMEM;
		lt->firsts = f;
		lt->firsts_cap = cap;
	}
	f = &lt->firsts[lt->nfirsts];
	f->name = strdup(l->name);
	if (f->name == NULL)
		return ENOMEM;
	f->file = lt->cur;
	f->line = pos->line;
	f->port = l->port;
	*idx = (uint32_t)lt->nfirsts++;
	return 0;
}

/* KEY is the first of its kind: record this line as what answers it,
 * making the line's record *MINE on its first new key. */
static int remember(struct lint *lt, struct map *m, const char *key, size_t klen,
		    const struct svc_line *l, const struct svc_pos *pos, uint32_t *mine)
{
	int rc = 0;

	if (*mine == UINT32_MAX)
		rc = new_first(lt, l, pos, mine);
	return rc != 0 ? rc : map_put(m, key, klen, *mine);
}

/* KEY: PROTO NUL NAME, or the port's two bytes then PROTO. */
static char *name_key(const char *proto, const char *name, size_t *klen)
{
	size_t p = strlen(proto), n = strlen(name);
	char *k = malloc(p + 1 + n);

	if (k != NULL) {
		memcpy(k, proto, p + 1);
		memcpy(k + p + 1, name, n);
	}
	*klen = p + 1 + n;
	return k;
}

static char *port_key(uint16_t port, const char *proto, size_t *klen)
{
	size_t p = strlen(proto);
	char *k = malloc(2 + p);

	if (k != NULL) {
		k[0] = (char)(port >> 8);
		k[1] = (char)(port & 0xff);
		memcpy(k + 2, proto, p);
	}
	*klen = 2 + p;
	return k;
}

static int shadow_msg(struct lint *lt, const struct svc_line *l, unsigned long line,
		      size_t col, const char *token, const struct first *f, int whole)
{
	char show[96], fname[96];
	char what[160];

	show_bytes(show, sizeof show, token, 40);
	show_bytes(fname, sizeof fname, f->name, 40);
	if (strcmp(f->name, token) == 0)
		snprintf(what, sizeof what, "its name");
	else
		snprintf(what, sizeof what, "an alias of '%s'", fname);
	if (whole && f->port == l->port)
		return lint_add(lt, SEV_WARNING, line, col,
			   "'%s' is already %s port %u at %s:%lu (%s): this line is a duplicate, "
			   "never found by name", show, l->proto, f->port, lint_file_name(lt, f->file),
			   f->line, what);
	if (whole)
		return lint_add(lt, SEV_WARNING, line, col,
			   "'%s' is already %s port %u at %s:%lu (%s): a lookup by name never "
			   "finds this line's port %u", show, l->proto, f->port,
			   lint_file_name(lt, f->file), f->line, what, l->port);
	return lint_add(lt, SEV_WARNING, line, col,
		   "'%s' is already %s port %u at %s:%lu (%s): a lookup of '%s' never finds "
		   "this line", show, l->proto, f->port, lint_file_name(lt, f->file), f->line, what,
		   show);
}

int lint_check_names(struct lint *lt, const struct svc_line *l, const struct svc_pos *pos)
{
	size_t ntok = 1 + l->naliases, ndistinct = ntok, nshadowed = 0, klen;
	uint32_t mine = UINT32_MAX, *seen;
	int rc = 0;

	/* seen[i]: the first that answers token i first, or UINT32_MAX. */
	seen = malloc(ntok * sizeof *seen);
	if (seen == NULL)
		return ENOMEM;
	for (size_t i = 0; i < ntok && rc == 0; i++) {
		const char *t = i == 0 ? l->name : l->aliases[i - 1];
		char *key;
		uint32_t v;
		int dup = 0;

		seen[i] = UINT32_MAX;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(t, j == 0 ? l->name : l->aliases[j - 1]) == 0;
		if (dup) {
			ndistinct--;   /* "foo 1/tcp foo": the same token twice is one */
			continue;
		}
		key = name_key(l->proto, t, &klen);
		if (key == NULL) {
			rc = ENOMEM;
			break;
		}
		if (map_get(&lt->names, key, klen, &v)) {
			const struct first *f = &lt->firsts[v];
			/* The same line: the other ports of a range. */
			if (!(f->file == lt->cur && f->line == pos->line)) {
				seen[i] = v;
				nshadowed++;
			}
		} else {
			rc = remember(lt, &lt->names, key, klen, l, pos, &mine);
		}
		free(key);
	}
	for (size_t i = 0; i < ntok && rc == 0; i++) {
		const char *t = i == 0 ? l->name : l->aliases[i - 1];
		size_t col = i == 0 ? pos->name_col
			     : pos->base ? (size_t)(t - pos->base) : pos->name_col;

		if (seen[i] == UINT32_MAX)
			continue;
		rc = shadow_msg(lt, l, pos->line, col, t, &lt->firsts[seen[i]],
				nshadowed == ndistinct);
		if (nshadowed == ndistinct)
			break;   /* one finding for a line that cannot be found at all */
	}

	/* The port. */
	if (rc == 0) {
		char *key = port_key(l->port, l->proto, &klen);
		uint32_t v;

		if (key == NULL)
			rc = ENOMEM;
		else if (map_get(&lt->ports, key, klen, &v)) {
			const struct first *f = &lt->firsts[v];
			int same = f->file == lt->cur && f->line == pos->line;
			for (size_t i = 0; i < ntok; i++)
				same |= seen[i] == v;
			if (!same) {
				char show[96], fname[96];
				show_bytes(show, sizeof show, l->name, 40);
				show_bytes(fname, sizeof fname, f->name, 40);
				rc = lint_add(lt, SEV_WARNING, pos->line, pos->port_col,
					 "port %u/%s already belongs to '%s' at %s:%lu: a lookup by "
					 "port never finds '%s'", l->port, l->proto, fname,
					 lint_file_name(lt, f->file), f->line, show);
			}
		} else {
			rc = remember(lt, &lt->ports, key, klen, l, pos, &mine);
		}
		free(key);
	}
	free(seen);
	return rc;
}

void lint_names_free(struct lint *lt)
{
	for (size_t i = 0; i < lt->nfirsts; i++)
		free(lt->firsts[i].name);
	free(lt->firsts);
	map_free(&lt->names);
	map_free(&lt->ports);
}
