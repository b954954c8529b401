/* Reading and writing nsswitch.conf (nsswitch_conf.h). */
#include <config.h>

#include "nsswitch_conf.h"
#include "atomic.h"
#include "nsswitch_line.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONF_SIZE (4u << 20)

static int split_lines(struct conf *c)
{
	size_t i = 0;

	c->last_services = -1;
	c->marker = -1;
	while (i < c->len) {
		const char *nl = memchr(c->text + i, '\n', c->len - i);
		size_t end = nl ? (size_t)(nl - c->text) : c->len;
		struct conf_line *l;

		if ((c->nlines & 63) == 0) {
			struct conf_line *n = realloc(c->lines, (c->nlines + 64) * sizeof *n);

			if (n == NULL)
				return ENOMEM;
			c->lines = n;
		}
		l = &c->lines[c->nlines];
		l->p = c->text + i;
		l->len = end - i;
		l->newline = nl != NULL;
		l->services = ns_is_services_line(l->p, l->len, &l->prefixlen);
		l->marker = l->len >= sizeof MARKER - 1 && memcmp(l->p, MARKER, sizeof MARKER - 1) == 0;
		if (l->services)
			c->last_services = (long)c->nlines;
		else if (l->marker)
			c->marker = (long)c->nlines;
		c->nlines++;
		i = end + (nl != NULL);
	}
	return 0;
}

int read_conf(const char *path, struct conf *c, struct stat *st, int *exists, char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	const char *bad = NULL;
	size_t cap;

	memset(c, 0, sizeof *c);
	*exists = 0;
	if (fd < 0) {
		if (errno == ENOENT) {
			c->last_services = c->marker = -1;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno;
	}
	/* errno says why only when fstat itself failed, and then *ST
	 * holds nothing to test. */
	if (fstat(fd, st) != 0)
		bad = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		bad = "not a regular file";
	else if (st->st_size > (off_t)MAX_CONF_SIZE)
		bad = "too large";
	if (bad != NULL) {
		snprintf(err, errlen, "%s: %s", path, bad);
		close(fd);
		return EINVAL;
	}
	cap = (size_t)st->st_size + 1;
	c->text = malloc(cap);
	if (c->text == NULL) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, c->text + c->len, cap - c->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return EIO;
		}
		if (r == 0)
			break;
		c->len += (size_t)r;
		if (c->len == cap) {   /* it grew while we read: take what fits */
			snprintf(err, errlen, "%s: changed while being read", path);
			close(fd);
			return EAGAIN;
		}
	}
	close(fd);
	*exists = 1;
	return split_lines(c);
}

/* Write DATA to PATH through a temporary file in the same directory,
 * with LIKE's mode and owner (0644 root if LIKE is NULL): fsync, rename,
 * fsync the directory.  Readers see the old file or the new one. */
int write_atomic(const char *path, const char *data, size_t len, const struct stat *like,
			char *err, size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, e;
	size_t off = 0;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.portdb-XXXXXX", dir,
			     slash ? slash + 1 : path) >= sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", dir, strerror(e));
		return e;
	}
	if (fchmod(fd, like ? (like->st_mode & 07777) : 0644) != 0 ||
	    (like && geteuid() == 0 && fchown(fd, like->st_uid, like->st_gid) != 0))
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	e = atomic_install(&fd, tmp, path, dir, -1, err, errlen);
	/* The edit is in place even when the directory's fsync failed:
	 * nothing to undo, so not a failure of the command. */
	if (e == 0 || e == ATOMIC_NOT_DURABLE)
		return 0;
	unlink(tmp);
	return e;
fail:
	e = errno;
	snprintf(err, errlen, "%s: %s%s", path, strerror(e),
		 e == EBUSY ? " (a mount point: it cannot be replaced by rename)" : "");
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return e;
}
