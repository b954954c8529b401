/* libFuzzer target: a whole database file, opened and queried as the
 * module does.  Whatever the bytes, opening fails cleanly or the lookups
 * answer, and nothing is read outside the file.  Most inputs fail the
 * seal; fuzz_reader.c seals its mutations again to get behind it. */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct portdb *db;
	struct entry_view v;

	if (fuzz_file_write("db", data, size, path, sizeof path) != 0)
		return 0;
	if (portdb_open(path, 0, &db, NULL, 0) == 0) {
		struct query q = { .kind = QUERY_NAME, .name = "ssh", .len = 3, .proto = "tcp" };
		portdb_find(db, &q, &v);
		q = (struct query){ .kind = QUERY_PORT, .port_net = htons(22) };
		portdb_find(db, &q, &v);
		for (uint32_t seq = 0; seq < portdb_entries(db) && seq < 16; seq++)
			portdb_entry_at(db, seq, &v);
		portdb_close(db);
	}
	unlink(path);
	return 0;
}
