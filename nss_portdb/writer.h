/* Publishing a database: index an entry set, write it with LMDB into a
 * temporary file beside the target, fsync, and rename it over the
 * target.  Readers see the old file or the new one, never a mix. */
#ifndef PORTDB_WRITER_H
#define PORTDB_WRITER_H

#include <stddef.h>

#include "collect.h"
#include "index.h"

/* Write SET to TARGET atomically.  On failure the old TARGET is left
 * exactly as it was and no temporary file remains; ERR says what failed.
 * @return 0 or an errno / LMDB error code. */
int portdb_publish(const struct entry_set *set, const char *target,
		   char *err, size_t errlen);

/* The index a build writes for SET.  portdb_index_plan sizes it by the
 * distinct questions the entries answer: @return 0, ENOMEM or EFBIG.
 * portdb_index_fill lays it out in OUT (plan->size bytes) and inserts
 * every question of every entry, in file order.  Split out so that the
 * index tests check the writer's own loop. */
int portdb_index_plan(const struct entry_set *set, struct index_plan *plan);
void portdb_index_fill(unsigned char *out, const struct index_plan *plan,
		       const struct entry_set *set);

/* Remove the temporary files of a publish in progress when SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT arrives, then die of the signal.  For
 * programs that publish; the module never calls it. */
void portdb_publish_cleanup_on_signals(void);

#endif
