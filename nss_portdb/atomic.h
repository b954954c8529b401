/* Putting a finished temporary file in place of its target, atomically
 * and durably: what `portdb build` and `portdb nsswitch` both need. */
/* Errors: a function returning int returns 0 or a positive errno, or
 * ATOMIC_NOT_DURABLE (-1) where it says so. */
#ifndef PORTDB_ATOMIC_H
#define PORTDB_ATOMIC_H

#include <stddef.h>

/* atomic_install's result when TARGET was replaced but the directory's
 * fsync failed: in place, its durability in doubt.  No errno is -1. */
#define ATOMIC_NOT_DURABLE (-1)

/* fsync and close *FD (the complete file TMP, set to -1 once closed),
 * rename TMP over TARGET, then fsync DIR_FD, the directory of both (or
 * DIR, opened here, when DIR_FD < 0).  Readers see the old TARGET or the
 * new one, never a mix.  On an errno TMP is left for the caller to
 * remove; ERR says what failed.
 * @return 0, an errno, or ATOMIC_NOT_DURABLE. */
int atomic_install(int *fd, const char *tmp, const char *target, const char *dir,
		   int dir_fd, char *err, size_t errlen);

#endif
