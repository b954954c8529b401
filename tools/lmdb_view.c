/* What liblmdb says of a database file, beside what the module's own
 * reader says: `portdb info` prints both, and their agreement. */
#include <config.h>

#include <lmdb.h>
#include <stdio.h>
#include <string.h>

#include "portdb.h"

/* Called only on a file the module's reader accepted: liblmdb does not
 * bound what it reads, and a file it cannot parse must not crash info.
 * A file of another word size or byte order is the module's to read,
 * not this liblmdb's. */
void lmdb_view(const char *path, const struct lmdb_reader *r, char *out, size_t outlen)
{
	const unsigned one = 1;
	int host_big = *(const unsigned char *)&one == 0;
	char ours[160];
	MDB_env *env = NULL;
	MDB_stat st;
	MDB_envinfo info;
	int rc;

	snprintf(ours, sizeof ours, "page size %zu, %u-bit page numbers, %s-endian, %llu key%s, depth %u",
		 r->psize, r->word * 8, r->big_endian ? "big" : "little",
		 (unsigned long long)r->entries, r->entries == 1 ? "" : "s", r->depth);
	if (r->word != sizeof(size_t) || (int)r->big_endian != host_big) {
		snprintf(out, outlen, "%s (written on another kind of machine: not for this liblmdb)",
			 ours);
		return;
	}
	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR, 0);
	if (rc == 0)
		rc = mdb_env_stat(env, &st);
	if (rc == 0)
		rc = mdb_env_info(env, &info);
	if (rc != 0)
		snprintf(out, outlen, "%s (liblmdb cannot read it: %s)", ours, mdb_strerror(rc));
	else if (st.ms_psize != r->psize || st.ms_depth != r->depth || st.ms_entries != r->entries ||
		 info.me_last_txnid != r->txnid || info.me_last_pgno != r->last)
		snprintf(out, outlen, "%s; liblmdb DISAGREES: page size %u, %zu %s, depth %u", ours,
			 st.ms_psize, st.ms_entries, plural(st.ms_entries, "key", "keys"),
			 st.ms_depth);
	else
		snprintf(out, outlen, "%s (liblmdb agrees)", ours);
	if (env != NULL)
		mdb_env_close(env);
}
