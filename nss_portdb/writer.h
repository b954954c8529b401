/* Publishing a database: index an entry set, write it with LMDB into a
 * temporary file beside the target, fsync, and rename it over the
 * target.  Readers see the old file or the new one, never a mix. */
/* Errors: a function returning int returns 0 or a positive errno, or
 * PORTDB_NOT_DURABLE (-1) where it says so. */
#ifndef PORTDB_WRITER_H
#define PORTDB_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "atomic.h"
#include "collect.h"
#include "index.h"

/* portdb_publish's result when TARGET was replaced but the directory's
 * fsync failed: published, its durability in doubt. */
#define PORTDB_NOT_DURABLE ATOMIC_NOT_DURABLE

/* Write SET to TARGET atomically.  On failure the old TARGET is left
 * exactly as it was and no temporary file remains; ERR says what failed.
 * Publishes into one directory take turns (an flock on the directory),
 * and each first removes the temporaries that killed ones left there.
 * A full disk is ENOSPC and a file size limit EFBIG (not LMDB's EIO).
 * LMDB's own codes come out as an errno (EFBIG for a map or page too
 * small, EIO for the rest), with LMDB's words in ERR.
 * @return 0, PORTDB_NOT_DURABLE, or a positive errno. */
int portdb_publish(const struct entry_set *set, const char *target,
		   char *err, size_t errlen);

/* The index a build writes for SET.  portdb_index_plan hashes every
 * question of every entry once, in file order, into B->hash (allocated),
 * and sizes the index by the distinct ones: @return 0, ENOMEM or EFBIG
 * (B then holds nothing).  portdb_index_fill lays it out in OUT
 * (B->plan.size bytes) and inserts those questions, in that order;
 * portdb_index_done frees B->hash.  Split out so that the index tests
 * check the writer's own loop. */
struct portdb_index_build {
	struct index_plan plan;
	uint64_t *hash;
	uint64_t nquestions;
};
int portdb_index_plan(const struct entry_set *set, struct portdb_index_build *b);
void portdb_index_fill(unsigned char *out, const struct portdb_index_build *b,
		       const struct entry_set *set);
void portdb_index_done(struct portdb_index_build *b);

/* Remove the temporary files of a publish in progress when a signal
 * that kills (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
 * SIGVTALRM, SIGPROF, SIGXCPU, SIGPIPE) arrives, then die of it.  For
 * programs that publish; the module never calls it. */
void portdb_publish_cleanup_on_signals(void);

#endif
