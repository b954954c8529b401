/* Loading LMDB privately, for the module (see lmdb_api.h). */
#include <config.h>

#include <dlfcn.h>
#include <stddef.h>

#include "lmdb_api.h"

#ifndef LMDB_SONAME
#define LMDB_SONAME "liblmdb.so.0"
#endif

/* ASan cannot run a library loaded with RTLD_DEEPBIND. */
#if PORTDB_SANITIZERS
#define DL_FLAGS (RTLD_NOW | RTLD_LOCAL)
#else
#define DL_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)
#endif

const struct lmdb_api *lmdb_api;

static struct lmdb_api table;

#define BIND(field, symbol)                                                          \
	do {                                                                         \
		*(void **)&table.field = dlsym(h, symbol);                            \
		if (table.field == NULL)                                             \
			return NULL;                                                 \
	} while (0)

const struct lmdb_api *lmdb_api_load(void)
{
	void *h;

	if (lmdb_api != NULL)
		return lmdb_api;
	/* Never closed: glibc never unloads an NSS module either. */
	h = dlopen(LMDB_SONAME, DL_FLAGS);
	if (h == NULL)
		return NULL;
	BIND(env_create, "mdb_env_create");
	BIND(env_open, "mdb_env_open");
	BIND(env_close, "mdb_env_close");
	BIND(env_get_fd, "mdb_env_get_fd");
	BIND(txn_begin, "mdb_txn_begin");
	BIND(txn_abort, "mdb_txn_abort");
	BIND(dbi_open, "mdb_dbi_open");
	BIND(get, "mdb_get");
	BIND(strerror, "mdb_strerror");
	lmdb_api = &table;
	return lmdb_api;
}
