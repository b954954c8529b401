/* Turning services text into encoded entries. */
#include <config.h>

#include "collect.h"
#include "entry.h"
#include "parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return ENOMEM;
		n *= 2;
	}
	q = realloc(*p, n * elem);
	if (q == NULL)
		return ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int append_entry(struct entry_set *set, const struct svc_line *l,
			uint16_t source, unsigned long lineno)
{
	struct entry_in e = {
		.seq = set->count, .line = (uint32_t)lineno, .source = source,
		.port = l->port, .proto = l->proto, .name = l->name,
		.aliases = l->aliases, .naliases = l->naliases,
	};
	size_t size = entry_encoded_size(&e);

	if (size == 0)
		return EFBIG;
	if (set->count == UINT32_MAX)
		return EFBIG;
	if (grow((void **)&set->arena, &set->cap, set->used + size, 1) != 0 ||
	    grow((void **)&set->offsets, &set->offsets_cap, (size_t)set->count + 1,
		 sizeof *set->offsets) != 0)
		return ENOMEM;
	set->offsets[set->count++] = set->used;
	set->used += entry_encode(&e, set->arena + set->used);
	return 0;
}

static int add_source(struct entry_set *set, const char *path, const struct stat *st)
{
	struct portdb_source *s;

	if (set->nsources == UINT16_MAX)
		return EMFILE;
	s = realloc(set->sources, (set->nsources + 1) * sizeof *s);
	if (s == NULL)
		return ENOMEM;
	set->sources = s;
	s = &s[set->nsources];
	memset(s, 0, sizeof *s);
	s->path = strdup(path);
	if (s->path == NULL)
		return ENOMEM;
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->size = (uint64_t)st->st_size;
	s->mtime_sec = st->st_mtim.tv_sec;
	s->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	set->nsources++;
	return 0;
}

int entry_set_add_file(struct entry_set *set, const char *path,
		       skip_fn *on_skip, void *ctx, char *err, size_t errlen)
{
	struct svc_file f = { 0 };
	struct svc_line l = { 0 };
	struct stat st;
	uint16_t source;
	uint32_t before = set->count;
	long n;
	int rc = 0;

	f.fp = fopen(path, "re");
	if (f.fp == NULL)
		return fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f.fp), &st) < 0) {
		rc = fail(err, errlen, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = fail(err, errlen, EISDIR, "%s: %s", path, strerror(EISDIR));
		goto out;
	}
	source = (uint16_t)set->nsources;
	rc = add_source(set, path, &st);
	if (rc != 0) {
		fail(err, errlen, rc, "%s: %s", path, strerror(rc));
		goto out;
	}

	while ((n = svc_file_next(&f)) >= 0) {
		int r = svc_parse_line(f.buf, (size_t)n, &l);

		if (r < 0) {
			rc = fail(err, errlen, -r, "%s:%lu: %s", path, f.lineno, strerror(-r));
			goto out;
		}
		if (r == PARSE_BLANK)
			continue;
		if (r != PARSE_OK) {
			set->skipped++;
			if (on_skip != NULL)
				on_skip(ctx, path, f.lineno, r, l.port_col);
			continue;
		}
		if (f.lineno > UINT32_MAX) {
			rc = fail(err, errlen, EFBIG, "%s:%lu: too many lines", path, f.lineno);
			goto out;
		}
		rc = append_entry(set, &l, source, f.lineno);
		if (rc != 0) {
			fail(err, errlen, rc, "%s:%lu: %s", path, f.lineno,
			     rc == EFBIG ? "entry too large" : strerror(rc));
			goto out;
		}
	}
	if (n == -2) {
		rc = fail(err, errlen, errno ? errno : EIO, "%s:%lu: %s", path,
			  f.lineno + 1, strerror(errno ? errno : EIO));
		goto out;
	}
	set->sources[source].entries = set->count - before;
out:
	svc_line_free(&l);
	free(f.buf);
	fclose(f.fp);
	return rc;
}

void entry_set_free(struct entry_set *set)
{
	free(set->arena);
	free(set->offsets);
	for (uint32_t i = 0; i < set->nsources; i++)
		free(set->sources[i].path);
	free(set->sources);
	memset(set, 0, sizeof *set);
}
