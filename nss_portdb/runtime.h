/* The module's process state: one database per process, opened lazily,
 * revalidated about once a second, replaced without disturbing lookups
 * in flight, and reopened in a child after fork(). */
#ifndef PORTDB_RUNTIME_H
#define PORTDB_RUNTIME_H

#include "db.h"

/* Begin a lookup.  @return 0 with *out the current database, good until
 * this thread's next runtime_begin; or an errno value saying why no
 * database can answer: ENOENT (no file), ESTALE (a source changed),
 * EACCES (untrusted), EBADMSG (corrupt), ... */
int runtime_begin(const struct portdb **out);

#endif
