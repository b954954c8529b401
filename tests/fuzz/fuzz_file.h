/* The fuzz input as a file, for the targets that open a database by
 * path, as the module does.  Header only: each target is built from its
 * own list of files, by run.sh and by the replay programs alike. */
#ifndef PORTDB_FUZZ_FILE_H
#define PORTDB_FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* Write SIZE bytes at DATA to a new file of this process, named after
 * NAME, into PATH (LEN bytes).  @return 0, or -1 (nothing left behind). */
static inline int fuzz_file_write(const char *name, const uint8_t *data, size_t size,
				  char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/fuzz-%s.%d.lmdb", name, (int)getpid());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

#endif
