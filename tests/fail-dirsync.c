/* LD_PRELOAD shim for tests/build-full.sh: fsync() of a directory fails
 * with EIO, as on a file system that lost its journal, so that the
 * failure after portdb build's rename can be seen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((visibility("default"))) int fsync(int fd);
__attribute__((visibility("default"))) int fsync(int fd)
{
	static int (*real)(int);
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return real(fd);
}
