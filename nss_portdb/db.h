/* Reading a published database: open with the trust checks, look up,
 * enumerate.  Used by the NSS module and by the `portdb` tool alike, with
 * no LMDB library: the file is mapped and read by lmdb_reader.h, and
 * every byte an answer comes from is verified against the seal (seal.h).
 *
 * Errors are errno values: ENOENT (no such entry or file), EACCES (the
 * file is not trusted, or not a regular file), EBADMSG (not a valid
 * database, or damaged), EPROTO (another format version), ESTALE (a
 * source changed since the build), or what a system call returned. */
/* Errors: a function returning int returns 0 or a positive errno. */
#ifndef PORTDB_DB_H
#define PORTDB_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "entry.h"
#include "keys.h"
#include "lmdb_reader.h"
#include "meta.h"

/* An open database.  Opaque: its layout is db.c's (db_int.h), and the
 * tools read it through the functions below. */
struct portdb;

/* What a database says of itself (its header). */
struct portdb_info {
	uint32_t version;     /* format version */
	uint32_t flags;       /* PORTDB_FLAG_* */
	uint32_t entries;
	uint32_t skipped;     /* lines glibc drops, all sources */
	uint64_t build_time;  /* seconds since the epoch */
	uint32_t nsources;
};

/* Flags of portdb_open. */
#define PORTDB_OPEN_UNTRUSTED 0x1  /* skip the trust rules (for `portdb info`) */

/* Open the database at PATH read-only: open(2) with O_NOFOLLOW,
 * O_CLOEXEC and O_NONBLOCK (a FIFO at the path must not hang), fstat,
 * refuse anything but a regular file, map it, close the descriptor.
 * Unless FLAGS has PORTDB_OPEN_UNTRUSTED, the file must pass
 * portdb_trust.  It must be a database of this format version whose
 * metadata matches its seal; the index is verified as it is read.  WHY,
 * if not NULL, receives a sentence saying what was wrong.
 * @return 0 and *out, or an errno value. */
int portdb_open(const char *path, unsigned flags, struct portdb **out, char *why,
		size_t whylen);

/* The rules the module applies before trusting a database: a regular
 * file, not a symbolic link, owned by root or the effective uid, not
 * writable by group or others.  ST is the file's lstat/fstat.
 * @return 0, or EACCES with WHY saying which rule failed. */
int portdb_trust(const char *path, const struct stat *st, char *why, size_t whylen);

void portdb_close(struct portdb *db);

/* Has any source file changed since the build (device, inode, size,
 * mtime), or vanished?  @return 0 if all are current, else ESTALE (WHY
 * names the first one that changed). */
int portdb_check_sources(const struct portdb *db, char *why, size_t whylen);
/* The same for one source.  @return 0 or ESTALE. */
int portdb_check_source(const struct portdb_source *s, char *why, size_t whylen);

/* Look-ups.  Safe from any number of threads at once.
 * @return 0 with *out viewing the mapped record (valid until
 * portdb_close), ENOENT, or EBADMSG for a record that fails its checks
 * (after which every look-up in this handle fails). */
int portdb_find(const struct portdb *db, const struct query *q, struct entry_view *out);
/* The entry at position SEQ in file order (0 .. entries-1). */
int portdb_entry_at(const struct portdb *db, uint32_t seq, struct entry_view *out);

void portdb_info(const struct portdb *db, struct portdb_info *out);
/* Its entries field alone, for loops over portdb_entry_at. */
uint32_t portdb_entries(const struct portdb *db);
/* Source I (0 .. nsources-1), or NULL past the end. */
const struct portdb_source *portdb_source(const struct portdb *db, uint32_t i);
/* The file as it was opened (fstat). */
const struct stat *portdb_stat(const struct portdb *db);
/* The LMDB layout the reader found, for `portdb info`. */
const struct lmdb_reader *portdb_lmdb(const struct portdb *db);
/* The checksum of the seal, which covers every block of the index and
 * the metadata: one number for the whole content.  The index is
 * verified against the seal first (which records what it verified).
 * @return 0, or EBADMSG (damaged). */
int portdb_digest(struct portdb *db, uint64_t *out);

#endif
