/* The module's process state: one database per process, opened lazily,
 * revalidated about once a second, replaced without disturbing lookups
 * in flight, and released soon after its replacement even when the
 * threads that used it stay idle.  All functions return 0 or a positive
 * errno value: ENOENT (no file), ESTALE (a source changed), EACCES
 * (untrusted), EBADMSG (corrupt), ENOMEM. */
#ifndef PORTDB_RUNTIME_H
#define PORTDB_RUNTIME_H

#include <stdint.h>

#include "db.h"

/* One lookup in progress on this thread. */
struct runtime_lookup {
	void *reader;
};

/* Begin a lookup: *OUT is the current database, which stays mapped
 * until runtime_end(L).  Lookups take no lock and write only the
 * calling thread's own slot.  On an error there is nothing to end. */
int runtime_begin(struct runtime_lookup *l, const struct portdb **out);
void runtime_end(struct runtime_lookup *l);

/* The process's enumeration (getservent), which walks the version it
 * began on until it is reset or reaches the end, as nss_files reads the
 * file it opened.  runtime_enum_begin locks the walk and gives its
 * database and position; runtime_enum_end(ADVANCE) moves past the entry
 * read, (AT_END) releases the version at the end, and unlocks. */
int runtime_enum_begin(const struct portdb **out, uint32_t *pos);  /* *OUT NULL: at the end */
void runtime_enum_end(int advance, int at_end);
/* setservent, endservent: forget the walk and its version. */
void runtime_enum_reset(void);

#endif
