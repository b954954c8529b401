/* Reading services sources into an in-memory set of encoded entries, in
 * the order the lines are read: the order getservent will give.  Several
 * sources are appended in priority order, so an entry of an earlier
 * source wins over a later one exactly as an earlier line does. */
/* Errors: a function returning int returns 0 or a positive errno. */
#ifndef PORTDB_COLLECT_H
#define PORTDB_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "formats.h"
#include "meta.h"

struct entry_set {
	unsigned char *arena;     /* encoded records, back to back */
	size_t used, cap;
	size_t *offsets;          /* offsets[i]: record with seq i */
	uint32_t count;
	size_t offsets_cap;
	struct portdb_source *sources;
	uint32_t nsources;
	uint32_t skipped;         /* lines glibc drops (and CSV rows skipped), all sources */
};

/* The largest source read, in bytes (portdb(8)): past it a file, or a
 * pipe that never ends, is refused with EFBIG.  IANA's registry is
 * about 1 MB; a million entries, 40 MB. */
#define SOURCE_SIZE_MAX (256u << 20)

struct collect_opts {
	/* SERVICES (the zero value) unless a format was asked for; AUTO:
	 * detect each file's format. */
	enum svc_format format;
	/* Sees every source's begin and end, and every line, entry and
	 * issue as the reader gives them (for `portdb check`).  May be NULL. */
	const struct svc_sink *observer;
	/* A malformed CSV row is skipped (the observer hears of it) instead
	 * of failing the whole read. */
	int lenient;
	/* Only regular files (and drop-in directories): `build`, whose
	 * sources must be files that it can check again.  Otherwise a FIFO
	 * or socket is read as a pipe.  Devices are refused either way. */
	int regular_only;
	/* The entries go to the observer alone: SET records the sources
	 * and their counts but stores no entry (`check` and `convert`,
	 * which only look).  An entry too large to store is still refused. */
	int observe_only;
};

/* Read the file PATH ("-": standard input) in OPTS->format and append
 * its entries to SET.  PATH is recorded as a source (device, inode,
 * size, mtime, taken before reading, so a change during the read makes
 * the database stale rather than silently incomplete).
 * @return 0; or an errno value with ERR saying what ("PATH: ...",
 * "PATH:LINE: ..."): EBADMSG for a malformed CSV row when not lenient. */
int entry_set_add_source(struct entry_set *set, const char *path,
			 const struct collect_opts *opts, char *err, size_t errlen);

/* Append the drop-in directory DIR: each regular file in it whose name
 * ends in ".conf" and does not start with '.', in byte order of the
 * names, read as entry_set_add_source does (in OPTS->format: portdb
 * asks for services).  DIR itself is recorded as a source before it is
 * listed: adding, removing or renaming a file changes its mtime, so the
 * database goes stale.  A DIR that does not exist is no error and is not
 * recorded (creating it later does not make the database stale).
 * @return 0, or an errno value with ERR. */
int entry_set_add_dropins(struct entry_set *set, const char *dir,
			  const struct collect_opts *opts, char *err, size_t errlen);

/* Whether every source of SET still holds what was read: the module's
 * staleness test (device, inode, size, modification time), then the
 * bytes themselves (a directory's drop-in names), since an edit within
 * one tick of the file system's clock that keeps the size passes the
 * first.  @return 0, or ESTALE with WHY saying which source changed. */
int entry_set_check_current(const struct entry_set *set, char *why, size_t whylen);

void entry_set_free(struct entry_set *set);

#endif
