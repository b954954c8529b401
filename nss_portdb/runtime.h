/* The module's process state: one database per process, opened lazily,
 * revalidated about once a second, replaced without disturbing lookups
 * in flight, and reopened in a child after fork(). */
#ifndef PORTDB_RUNTIME_H
#define PORTDB_RUNTIME_H

#include <lmdb.h>

#include "db.h"

/* A thread's view of the current database: a reference to it and a read
 * transaction that is renewed for each lookup and reset after. */
struct reader {
	struct handle *handle;
	const struct portdb *db;
	MDB_txn *txn;
};

/* Begin a lookup.  @return 0 with *out ready (its transaction renewed),
 * or an errno value saying why the database cannot answer: ENOENT (no
 * database), ESTALE (a source changed), EACCES, EBADMSG, ... */
int runtime_begin(struct reader **out);

/* End a lookup begun with runtime_begin. */
void runtime_end(struct reader *r);

#endif
