/* The NSS entry points of libnss_portdb.so.2: the only place that speaks
 * glibc's protocol (enum nss_status, *errnop, ERANGE).  The core's errno
 * values become statuses in to_status() for an answer and unavailable()
 * for a database that cannot give one. */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <string.h>

#include "db.h"
#include "runtime.h"

#define EXPORT __attribute__((visibility("default")))

#if HAVE_DECL_NSS_DECLARE_MODULE_FUNCTIONS
NSS_DECLARE_MODULE_FUNCTIONS(portdb)
#endif

/* NOTFOUND is final with [NOTFOUND=return]; UNAVAIL lets the next
 * service (files) answer: a missing, stale or untrusted database. */
static enum nss_status to_status(int rc, int *errnop)
{
	switch (rc) {
	case 0:
		return NSS_STATUS_SUCCESS;
	case ENOENT:
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	case ERANGE:
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	default:
		*errnop = rc;
		return NSS_STATUS_UNAVAIL;
	}
}

/* A database that cannot answer is UNAVAIL whatever the reason, ENOENT
 * (no file) included: only a lookup may say NOTFOUND. */
static enum nss_status unavailable(int rc, int *errnop)
{
	*errnop = rc;
	return NSS_STATUS_UNAVAIL;
}

/* One lookup, as both by-name and by-port ask it: the current database,
 * the first entry that answers Q (PORT_OK 0: none can), packed into the
 * caller's buffer.  Inlined into each: it is the hot path. */
static inline __attribute__((always_inline)) enum nss_status
answer(const struct query *q, int port_ok, struct servent *result, char *buffer,
       size_t buflen, int *errnop)
{
	int saved = errno;
	struct runtime_lookup l;
	const struct portdb *db;
	struct entry_view v;
	int rc = runtime_begin(&l, &db);
	enum nss_status st;

	if (rc != 0) {
		st = unavailable(rc, errnop);
	} else {
		rc = port_ok ? portdb_find(db, q, &v) : ENOENT;
		if (rc == 0)
			rc = entry_to_servent(&v, result, buffer, buflen);
		runtime_end(&l);
		st = to_status(rc, errnop);
	}
	if (st == NSS_STATUS_SUCCESS)
		errno = saved;   /* on failure errnop may be &errno: keep it */
	return st;
}

EXPORT enum nss_status
_nss_portdb_getservbyname_r(const char *name, const char *proto, struct servent *result,
			    char *buffer, size_t buflen, int *errnop)
{
	struct query q = { .kind = QUERY_NAME, .name = name, .len = strlen(name),
			   .proto = proto };

	return answer(&q, 1, result, buffer, buflen, errnop);
}

EXPORT enum nss_status
_nss_portdb_getservbyport_r(int port, const char *proto, struct servent *result,
			    char *buffer, size_t buflen, int *errnop)
{
	/* PORT is in network order; an int outside 0..65535 names no port
	 * (L3), but a missing database is still UNAVAIL. */
	struct query q = { .kind = QUERY_PORT, .port_net = (uint16_t)port, .proto = proto };

	return answer(&q, port >= 0 && port <= 0xffff, result, buffer, buflen, errnop);
}

/* The walk is the runtime's (runtime.h): per process, as in nss_files,
 * and on the version it began on. */
EXPORT enum nss_status _nss_portdb_setservent(int stayopen)
{
	(void)stayopen;
	runtime_enum_reset();
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_portdb_endservent(void)
{
	runtime_enum_reset();
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status
_nss_portdb_getservent_r(struct servent *result, char *buffer, size_t buflen, int *errnop)
{
	int saved = errno;
	const struct portdb *db;
	struct entry_view v;
	enum nss_status st;
	uint32_t pos;
	int rc = runtime_enum_begin(&db, &pos);

	if (rc != 0)
		return unavailable(rc, errnop);
	rc = db == NULL ? ENOENT : portdb_entry_at(db, pos, &v);
	if (rc == 0)
		rc = entry_to_servent(&v, result, buffer, buflen);
	/* Not past an entry on ERANGE: the retry gets the same one. */
	runtime_enum_end(rc == 0, rc == ENOENT);
	/* At the end nss_files returns NOTFOUND and leaves errno be (the
	 * caller's errno is errnop here): so do we (E4). */
	st = rc == ENOENT ? NSS_STATUS_NOTFOUND : to_status(rc, errnop);
	if (st == NSS_STATUS_SUCCESS)
		errno = saved;   /* on failure errnop may be &errno: keep it */
	return st;
}
