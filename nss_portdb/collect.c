/* Turning sources (files in any of the input formats, drop-in
 * directories) into encoded entries. */
#include <config.h>

#include "collect.h"
#include "checksum.h"
#include "db.h"
#include "entry.h"
#include "parse.h"
#include "why.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static struct entry_in entry_in(const struct svc_line *l, uint32_t seq, uint16_t source,
				unsigned long lineno)
{
	return (struct entry_in){
		.seq = seq, .line = (uint32_t)lineno, .source = source, .port = l->port,
		.proto = l->proto, .name = l->name, .aliases = l->aliases,
		.naliases = l->naliases,
	};
}

/* What append_entry would refuse, without storing it. */
static int entry_fits(const struct svc_line *l)
{
	struct entry_in e = entry_in(l, 0, 0, 0);
	size_t size;

	return entry_encoded_size(&e, &size);
}

static int append_entry(struct entry_set *set, const struct svc_line *l,
			uint16_t source, unsigned long lineno)
{
	struct entry_in e = entry_in(l, set->count, source, lineno);
	size_t size;

	if (entry_encoded_size(&e, &size) != 0)
		return EFBIG;
	if (set->count == UINT32_MAX)
		return EFBIG;
	if (grow((void **)&set->arena, &set->cap, set->used + size, 1) != 0 ||
	    grow((void **)&set->offsets, &set->offsets_cap, (size_t)set->count + 1,
		 sizeof *set->offsets) != 0)
		return ENOMEM;
	/* E is the one just sized, so the record ends where it said. */
	if (entry_encode(&e, set->arena + set->used, size) != 0)
		return EINVAL;
	set->offsets[set->count++] = set->used;
	set->used += size;
	return 0;
}

/* PATH as the module will stat it, from any working directory: relative
 * paths are made absolute (symbolic links are kept: the module follows
 * them at each check, as a reader of the file would).  "-" (standard
 * input) stays as it is.  @return a new string, or NULL with errno. */
static char *absolute(const char *path)
{
	char *cwd, *out;
	size_t n;

	if (path[0] == '/' || strcmp(path, "-") == 0)
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return NULL;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	n = strlen(cwd) + 1 + strlen(path) + 1;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path);
	free(cwd);
	return out;
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
	s->path = absolute(path);
	if (s->path == NULL)
		return errno;
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->size = (uint64_t)st->st_size;
	s->mtime_sec = st->st_mtim.tv_sec;
	s->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	set->nsources++;
	return 0;
}

/* The whole input in memory: detection looks ahead, and CSV fields
 * span lines.  Services files are small (the IANA registry is 1 MB). */
static int load(int fd, const struct stat *st, char **data, size_t *len)
{
	size_t cap = S_ISREG(st->st_mode) && st->st_size > 0 ? (size_t)st->st_size + 1 : 65536;
	size_t n = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *b = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
			if (b == NULL) {
				free(buf);
				return ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > SOURCE_SIZE_MAX) {   /* a pipe that never ends, a file that grew */
			free(buf);
			return EFBIG;
		}
	}
	*data = buf;
	*len = n;
	return 0;
}

/* One source being read: collect's own sink, in front of the observer. */
struct reading {
	struct entry_set *set;
	const struct collect_opts *opts;
	const char *path;
	uint16_t source;
	unsigned long entries, skipped;
	char *err;
	size_t errlen;
};

static const struct svc_sink *observer(const struct reading *r)
{
	return r->opts->observer;
}

static int r_line(void *ctx, unsigned long lineno, const char *raw, size_t len)
{
	const struct svc_sink *o = observer(ctx);

	return o != NULL && o->line != NULL ? o->line(o->ctx, lineno, raw, len) : 0;
}

static int r_entry(void *ctx, const struct svc_line *l, const struct svc_pos *pos)
{
	struct reading *r = ctx;
	const struct svc_sink *o = observer(r);
	int rc;

	if (o != NULL && o->entry != NULL && (rc = o->entry(o->ctx, l, pos)) != 0)
		return why_fail(r->err, r->errlen, rc, "%s:%lu: %s", r->path, pos->line, strerror(rc));
	if (pos->line > UINT32_MAX)
		return why_fail(r->err, r->errlen, EFBIG, "%s:%lu: too many lines", r->path, pos->line);
	rc = r->opts->observe_only ? entry_fits(l) : append_entry(r->set, l, r->source, pos->line);
	if (rc != 0)
		return why_fail(r->err, r->errlen, rc, "%s:%lu: %s", r->path, pos->line,
			    rc == EFBIG ? "entry too large" : strerror(rc));
	r->entries++;
	return 0;
}

static int r_issue(void *ctx, const struct svc_issue *is)
{
	struct reading *r = ctx;
	const struct svc_sink *o = observer(r);
	int rc;

	if (o != NULL && o->issue != NULL && (rc = o->issue(o->ctx, is)) != 0)
		return why_fail(r->err, r->errlen, rc, "%s:%lu: %s", r->path, is->line, strerror(rc));
	switch (is->kind) {
	case SVC_ISSUE_RANGE:
		return 0;
	case SVC_ISSUE_MALFORMED:
		if (!r->opts->lenient)
			return why_fail(r->err, r->errlen, EBADMSG, "%s:%lu: malformed CSV: %s",
				    r->path, is->line, is->message);
		break;
	case SVC_ISSUE_DROPPED:
	case SVC_ISSUE_ROW_SKIPPED:
	case SVC_ISSUE_ROW_INVALID:
		break;
	}
	r->skipped++;
	r->set->skipped++;
	return 0;
}

int entry_set_add_source(struct entry_set *set, const char *path,
			 const struct collect_opts *opts, char *err, size_t errlen)
{
	const struct svc_sink *o = opts->observer;
	struct reading r = { .set = set, .opts = opts, .path = path,
			     .err = err, .errlen = errlen };
	struct svc_sink sink = { .ctx = &r, .line = r_line, .entry = r_entry, .issue = r_issue };
	enum svc_format format = opts->format;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, rc;

	int stdin_ = strcmp(path, "-") == 0;

	/* Without blocking: a FIFO with no writer must not hang the open;
	 * what it is decides whether it is read at all. */
	if (stdin_)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return why_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = why_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = why_fail(err, errlen, EISDIR, "%s: %s", path, strerror(EISDIR));
		goto out;
	}
	if (!stdin_ && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		rc = why_fail(err, errlen, EINVAL, "%s: a %s device, not a services file", path,
			  S_ISCHR(st.st_mode) ? "character" : "block");
		goto out;
	}
	if (!stdin_ && !S_ISREG(st.st_mode) && opts->regular_only) {
		rc = why_fail(err, errlen, EINVAL, "%s: a %s, not a regular file: a source must "
			  "be a file, whose changes make the database stale", path,
			  S_ISFIFO(st.st_mode) ? "FIFO" : S_ISSOCK(st.st_mode) ? "socket" : "special file");
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SOURCE_SIZE_MAX) {
		rc = why_fail(err, errlen, EFBIG, "%s: %llu bytes, over the %u MiB limit of a source",
			  path, (unsigned long long)st.st_size, SOURCE_SIZE_MAX >> 20);
		goto out;
	}
	/* A FIFO named for `check` or `convert` (`<(command)`) is read
	 * as a pipe is: blocking, up to the size limit. */
	if (!stdin_ && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		rc = why_fail(err, errlen, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	r.source = (uint16_t)set->nsources;
	rc = add_source(set, path, &st);
	if (rc != 0) {
		why_fail(err, errlen, rc, "%s: %s", path, strerror(rc));
		goto out;
	}
	rc = load(fd, &st, &data, &len);
	if (rc == EFBIG) {
		why_fail(err, errlen, rc, "%s: over the %u MiB limit of a source", path,
		     SOURCE_SIZE_MAX >> 20);
		goto out;
	}
	if (rc != 0) {
		why_fail(err, errlen, rc, "%s: %s", path, strerror(rc));
		goto out;
	}
	if (format == SVC_FORMAT_AUTO)
		format = svc_format_detect(data, len);
	if (o != NULL && o->begin != NULL && (rc = o->begin(o->ctx, path, format)) != 0) {
		why_fail(err, errlen, rc, "%s: %s", path, strerror(rc));
		goto out;
	}
	rc = svc_read(data, len, format, &sink);
	if (rc != 0) {
		if (rc == ENOMEM)    /* the callbacks said what failed; svc_read did not */
			why_fail(err, errlen, rc, "%s: %s", path, strerror(rc));
		goto out;
	}
	set->sources[r.source].entries = (uint32_t)r.entries;
	set->sources[r.source].content = checksum(data, len, 0);
	if (o != NULL && o->end != NULL && (rc = o->end(o->ctx, path, r.entries, r.skipped)) != 0)
		why_fail(err, errlen, rc, "%s: %s", path, strerror(rc));
out:
	free(data);
	close(fd);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int is_dropin_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

/* The drop-in names in the open directory D, sorted, into *OUT (*N of
 * them), and their checksum.  @return 0 or an errno value. */
static int list_dropins(DIR *d, char ***out, size_t *count, uint64_t *sum)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct checksum c;
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!is_dropin_name(de->d_name))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(names, ncap * sizeof *names);
			if (nn == NULL)
				goto nomem;
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
		errno = 0;
	}
	if (errno != 0) {
		int e = errno;
		free_names(names, n);
		return e;
	}
	if (n > 0)
		qsort(names, n, sizeof *names, by_name);
	checksum_init(&c, 0);
	for (size_t i = 0; i < n; i++)
		checksum_update(&c, names[i], strlen(names[i]) + 1);
	*sum = checksum_final(&c);
	*out = names;
	*count = n;
	return 0;
nomem:
	free_names(names, n);
	return ENOMEM;
}

int entry_set_add_dropins(struct entry_set *set, const char *dir,
			  const struct collect_opts *opts, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0;
	uint32_t self;
	struct stat st;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return why_fail(err, errlen, errno, "%s: %s", dir, strerror(errno));
	}
	/* Recorded before the listing: a file added meanwhile then makes
	 * the database stale instead of going unnoticed. */
	if (fstat(dirfd(d), &st) < 0) {
		rc = why_fail(err, errlen, errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	self = set->nsources;
	rc = add_source(set, dir, &st);
	if (rc != 0) {
		why_fail(err, errlen, rc, "%s: %s", dir, strerror(rc));
		goto out;
	}
	rc = list_dropins(d, &names, &n, &set->sources[self].content);
	if (rc != 0) {
		why_fail(err, errlen, rc, "%s: %s", dir, strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
		char *path = malloc(len);
		struct stat fst;

		if (path == NULL) {
			rc = why_fail(err, errlen, ENOMEM, "%s: %s", dir, strerror(ENOMEM));
			break;
		}
		snprintf(path, len, "%s%s%s", dir,
			 dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		/* Only regular files (or links to them): a subdirectory or a
		 * socket named x.conf is not a drop-in. */
		if (stat(path, &fst) == 0 && S_ISREG(fst.st_mode))
			rc = entry_set_add_source(set, path, opts, err, errlen);
		free(path);
	}
out:
	free_names(names, n);
	closedir(d);
	return rc;
}

/* The checksum of what source S holds now, as reading it computed it. */
static int content_now(const struct portdb_source *s, uint64_t *sum)
{
	struct stat st;
	int fd, rc;

	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		rc = errno;
	} else if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		char **names;
		size_t n;

		if (d == NULL) {
			rc = errno;
		} else {
			fd = -1;   /* the DIR owns it */
			rc = list_dropins(d, &names, &n, sum);
			if (rc == 0)
				free_names(names, n);
			closedir(d);
		}
	} else {
		char *data = NULL;
		size_t len = 0;

		rc = load(fd, &st, &data, &len);
		if (rc == 0)
			*sum = checksum(data, len, 0);
		free(data);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int entry_set_check_current(const struct entry_set *set, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < set->nsources; i++) {
		const struct portdb_source *s = &set->sources[i];
		uint64_t sum = 0;
		int rc;

		/* The module's own test first: what it sees as stale is. */
		if (portdb_check_source(s, why, whylen) != 0)
			return ESTALE;
		/* Then the bytes: a change within one timestamp tick that
		 * keeps the size passes the module's test. */
		rc = content_now(s, &sum);
		if (rc != 0) {
			why_fail(why, whylen, ESTALE, "source %s: %s", s->path, strerror(rc));
			return ESTALE;
		}
		if (sum != s->content) {
			why_fail(why, whylen, ESTALE, "source %s changed after it was read", s->path);
			return ESTALE;
		}
	}
	return 0;
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
