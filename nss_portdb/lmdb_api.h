/* How db.c reaches LMDB.  The tool links liblmdb as usual.  The module
 * loads it with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) and calls it through
 * this table: a program that defines (and exports) its own mdb_*
 * functions, because it embeds another LMDB, would otherwise have the
 * module's calls, and LMDB's calls to itself, bound to its functions. */
#ifndef PORTDB_LMDB_API_H
#define PORTDB_LMDB_API_H

#include <lmdb.h>

#ifdef PORTDB_LMDB_DLOPEN

struct lmdb_api {
	int (*env_create)(MDB_env **);
	int (*env_open)(MDB_env *, const char *, unsigned int, mdb_mode_t);
	void (*env_close)(MDB_env *);
	int (*env_get_fd)(MDB_env *, mdb_filehandle_t *);
	int (*txn_begin)(MDB_env *, MDB_txn *, unsigned int, MDB_txn **);
	void (*txn_abort)(MDB_txn *);
	int (*dbi_open)(MDB_txn *, const char *, unsigned int, MDB_dbi *);
	int (*get)(MDB_txn *, MDB_dbi, MDB_val *, MDB_val *);
	char *(*strerror)(int);
};

/* The loaded library, or NULL if it cannot be loaded.  Not thread-safe:
 * the module calls it with its lock held. */
const struct lmdb_api *lmdb_api_load(void);

extern const struct lmdb_api *lmdb_api;
#define LMDB(fn) (lmdb_api->fn)

#else

#define LMDB(fn) mdb_##fn

#endif
#endif
