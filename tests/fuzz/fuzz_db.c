/* libFuzzer target: a whole database file, opened and queried as the
 * module does.  Whatever the bytes, opening fails cleanly or the lookups
 * answer; LMDB never sees a file that failed the checks. */
#include <config.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct portdb *db;
	struct entry_view v;
	int fd;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz-db.%d.lmdb", (int)getpid());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	if (portdb_open(path, 0, &db, NULL, 0) == 0) {
		struct query q = { .kind = QUERY_NAME, .name = "ssh", .len = 3, .proto = "tcp" };
		portdb_find(db, &q, &v);
		q = (struct query){ .kind = QUERY_PORT, .port_net = htons(22) };
		portdb_find(db, &q, &v);
		for (uint32_t seq = 0; seq < db->meta.entries && seq < 16; seq++)
			portdb_entry_at(db, seq, &v);
		portdb_close(db);
	}
	unlink(path);
	return 0;
}
