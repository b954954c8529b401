/* The atomic installer (atomic.h). */
#include <config.h>

#include "atomic.h"
#include "why.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int atomic_install(int *fd, const char *tmp, const char *target, const char *dir,
		   int dir_fd, char *err, size_t errlen)
{
	int own_dir = -1, rc = 0, e;

	if (fsync(*fd) < 0) {
		e = errno;
		return why_fail(err, errlen, e, "%s: %s", tmp, strerror(e));
	}
	e = close(*fd) < 0 ? errno : 0;
	*fd = -1;
	if (e != 0)
		return why_fail(err, errlen, e, "%s: %s", tmp, strerror(e));
	if (rename(tmp, target) < 0) {
		e = errno;
		return why_fail(err, errlen, e, "%s: cannot replace it: %s%s", target, strerror(e),
				e == EBUSY ? " (a mount point: it cannot be replaced by rename)" : "");
	}
	if (dir_fd < 0)
		dir_fd = own_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The new file is in place; only its durability is in doubt now. */
	if (dir_fd < 0 || fsync(dir_fd) < 0) {
		e = errno;
		rc = why_fail(err, errlen, ATOMIC_NOT_DURABLE,
			      "%s is published, but may not survive a crash: fsync of %s: %s",
			      target, dir, strerror(e));
	}
	if (own_dir >= 0)
		close(own_dir);
	return rc;
}
