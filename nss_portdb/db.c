/* The database reader. */
#include <config.h>

#include "db.h"
#include "bytes.h"
#include "index.h"
#include "keys.h"
#include "lmdb_api.h"
#include "trailer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int portdb_trust(const char *path, const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode)) {
		say(why, whylen, "%s is not a regular file", path);
		return EACCES;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		say(why, whylen, "%s is owned by uid %u, not by root or uid %u",
		    path, (unsigned)st->st_uid, (unsigned)geteuid());
		return EACCES;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		say(why, whylen, "%s is writable by %s (mode %04o)", path,
		    (st->st_mode & S_IWOTH) ? "others" : "its group",
		    (unsigned)(st->st_mode & 07777));
		return EACCES;
	}
	return 0;
}

static int get_key(MDB_txn *txn, MDB_dbi dbi, uint64_t key, MDB_val *val)
{
	unsigned char k[KEY_SIZE];
	MDB_val mk = { KEY_SIZE, k };
	int rc;

	put_be64(k, key);
	rc = LMDB(get)(txn, dbi, &mk, val);
	if (rc == MDB_NOTFOUND)
		return ENOENT;
	return rc == 0 ? 0 : EBADMSG;
}

static int read_meta(struct portdb *db, MDB_txn *txn, char *why, size_t whylen)
{
	MDB_val v;
	int rc;

	rc = get_key(txn, db->dbi, key_meta(META_ID_HEADER), &v);
	if (rc == 0)
		rc = meta_decode_header(v.mv_data, v.mv_size, &db->meta);
	else
		rc = EBADMSG;
	if (rc == EPROTO) {
		say(why, whylen, "format version %u, this build reads version %u",
		    db->meta.version, PORTDB_FORMAT_VERSION);
		return rc;
	}
	if (rc != 0) {
		say(why, whylen, "not a portdb database (no valid header)");
		return rc;
	}
	if (db->meta.nsources > 65536) {
		say(why, whylen, "corrupt header (%u sources)", db->meta.nsources);
		return EBADMSG;
	}
	db->meta.sources = calloc(db->meta.nsources ? db->meta.nsources : 1,
				  sizeof *db->meta.sources);
	if (db->meta.sources == NULL)
		return ENOMEM;
	for (uint32_t i = 0; i < db->meta.nsources; i++) {
		rc = get_key(txn, db->dbi, key_meta(META_ID_SOURCE0 + i), &v);
		if (rc == 0)
			rc = meta_decode_source(v.mv_data, v.mv_size, &db->meta.sources[i]);
		else
			rc = EBADMSG;
		if (rc != 0) {
			db->meta.nsources = i;
			say(why, whylen, "corrupt source record %u", i);
			return rc;
		}
	}
	return 0;
}

static int read_index(struct portdb *db, char *why, size_t whylen)
{
	MDB_val v;

	if (get_key(db->txn, db->dbi, key_index(), &v) != 0 ||
	    index_view_init(&db->index, v.mv_data, v.mv_size) != 0 ||
	    db->index.nentries != db->meta.entries) {
		say(why, whylen, "corrupt index");
		return EBADMSG;
	}
	return 0;
}

int portdb_open(const char *path, unsigned flags, struct portdb **out, char *why,
		size_t whylen)
{
	struct portdb *db;
	struct stat lst;
	char fdpath[64];
	int fd, lfd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		rc = errno;
		if (rc == ELOOP && !(flags & PORTDB_OPEN_UNTRUSTED))
			say(why, whylen, "%s is a symbolic link", path);
		else
			say(why, whylen, "%s: %s", path, strerror(rc));
		return rc == ELOOP ? EACCES : rc;
	}
	db = calloc(1, sizeof *db);
	if (db == NULL) {
		close(fd);
		return ENOMEM;
	}
	if (fstat(fd, &db->st) < 0) {
		rc = errno;
		goto fail_fd;
	}
	if (!S_ISREG(db->st.st_mode)) {
		say(why, whylen, "%s is not a regular file", path);
		rc = EACCES;
		goto fail_fd;
	}
	if (!(flags & PORTDB_OPEN_UNTRUSTED)) {
		rc = portdb_trust(path, &db->st, why, whylen);
		if (rc != 0)
			goto fail_fd;
	}

#ifdef PORTDB_LMDB_DLOPEN
	if (lmdb_api_load() == NULL) {
		say(why, whylen, "cannot load the LMDB library");
		rc = ELIBACC;
		goto fail_fd;
	}
#endif
	rc = trailer_verify(fd, &db->st, why, whylen);
	if (rc != 0) {
		if (why != NULL) {
			char detail[256];
			snprintf(detail, sizeof detail, "%s", why);
			say(why, whylen, "%s: %s", path, detail);
		}
		goto fail_fd;
	}

	rc = LMDB(env_create)(&db->env);
	if (rc != 0)
		goto fail_fd;
	/* MDB_NOLOCK: the file is immutable once published, readers need
	 * no lock file.  MDB_NOTLS: our one transaction is not tied to the
	 * thread that opened it.  LMDB opens by name; through /proc it
	 * opens the very file checked above, even if the path was replaced
	 * since (a rebuild every millisecond is no reason to fail). */
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	rc = LMDB(env_open)(db->env, fdpath, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR | MDB_NOTLS, 0);
	if (rc == ENOENT) {   /* no /proc: by name, and compare below */
		LMDB(env_close)(db->env);
		rc = LMDB(env_create)(&db->env);
		if (rc != 0)
			goto fail_fd;
		rc = LMDB(env_open)(db->env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR | MDB_NOTLS, 0);
	}
	if (rc != 0) {
		say(why, whylen, "%s: not an LMDB file (%s)", path, LMDB(strerror)(rc));
		rc = rc > 0 ? rc : EBADMSG;
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
			rc = EBADMSG;
		goto fail_env;
	}
	/* LMDB opened the path again, without close-on-exec; make sure it
	 * is the file we checked, and that it does not leak into exec. */
	if (LMDB(env_get_fd)(db->env, &lfd) != 0 || fstat(lfd, &lst) < 0 ||
	    lst.st_dev != db->st.st_dev || lst.st_ino != db->st.st_ino) {
		say(why, whylen, "%s was replaced while being opened", path);
		rc = EAGAIN;
		goto fail_env;
	}
	if (fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = errno;
		goto fail_env;
	}

	rc = LMDB(txn_begin)(db->env, NULL, MDB_RDONLY, &db->txn);
	if (rc != 0)
		goto fail_env;
	rc = LMDB(dbi_open)(db->txn, NULL, 0, &db->dbi);
	if (rc == 0)
		rc = read_meta(db, db->txn, why, whylen);
	else
		rc = EBADMSG;
	if (rc == 0)
		rc = read_index(db, why, whylen);
	if (rc != 0)
		goto fail_txn;

	close(fd);
	*out = db;
	return 0;

fail_txn:
	LMDB(txn_abort)(db->txn);
fail_env:
	meta_free(&db->meta);
	LMDB(env_close)(db->env);
fail_fd:
	close(fd);
	free(db);
	return rc;
}

void portdb_close(struct portdb *db)
{
	if (db == NULL)
		return;
	LMDB(txn_abort)(db->txn);
	meta_free(&db->meta);
	LMDB(env_close)(db->env);
	free(db);
}

int portdb_check_source(const struct portdb_source *s, char *why, size_t whylen)
{
	struct stat st;

	if (stat(s->path, &st) < 0) {
		say(why, whylen, "source %s: %s", s->path, strerror(errno));
		return ESTALE;
	}
	if ((uint64_t)st.st_dev != s->dev || (uint64_t)st.st_ino != s->ino ||
	    (uint64_t)st.st_size != s->size || st.st_mtim.tv_sec != s->mtime_sec ||
	    (uint32_t)st.st_mtim.tv_nsec != s->mtime_nsec) {
		say(why, whylen, "source %s changed after the database was built", s->path);
		return ESTALE;
	}
	return 0;
}

int portdb_check_sources(const struct portdb *db, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < db->meta.nsources; i++)
		if (portdb_check_source(&db->meta.sources[i], why, whylen) != 0)
			return ESTALE;
	return 0;
}

int portdb_find(const struct portdb *db, const struct query *q, struct entry_view *out)
{
	return index_find(&db->index, q, out);
}

int portdb_entry_at(const struct portdb *db, uint32_t seq, struct entry_view *out)
{
	if (seq >= db->meta.entries)
		return ENOENT;
	return index_entry_at(&db->index, seq, out);
}
