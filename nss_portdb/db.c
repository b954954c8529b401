/* The database reader. */
#include <config.h>

#include "db.h"
#include "bytes.h"
#include "keys.h"

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

static int check_trust(const char *path, const struct stat *st, char *why, size_t whylen)
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
	rc = mdb_get(txn, dbi, &mk, val);
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

int portdb_open(const char *path, struct portdb **out, char *why, size_t whylen)
{
	struct portdb *db;
	struct stat lst;
	MDB_txn *txn = NULL;
	int fd, lfd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		rc = errno;
		if (rc == ELOOP)
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
	rc = check_trust(path, &db->st, why, whylen);
	if (rc != 0)
		goto fail_fd;

	rc = mdb_env_create(&db->env);
	if (rc != 0)
		goto fail_fd;
	/* MDB_NOLOCK: the file is immutable once published, readers need
	 * no lock file.  MDB_NOTLS: transactions are tied to our own
	 * per-thread state, not to LMDB's reader slots. */
	rc = mdb_env_open(db->env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR | MDB_NOTLS, 0);
	if (rc != 0) {
		say(why, whylen, "%s: not an LMDB file (%s)", path, mdb_strerror(rc));
		rc = rc > 0 ? rc : EBADMSG;
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
			rc = EBADMSG;
		goto fail_env;
	}
	/* LMDB opened the path again, without close-on-exec; make sure it
	 * is the file we checked, and that it does not leak into exec. */
	if (mdb_env_get_fd(db->env, &lfd) != 0 || fstat(lfd, &lst) < 0 ||
	    lst.st_dev != db->st.st_dev || lst.st_ino != db->st.st_ino) {
		say(why, whylen, "%s was replaced while being opened", path);
		rc = EAGAIN;
		goto fail_env;
	}
	if (fcntl(lfd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = errno;
		goto fail_env;
	}

	rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		goto fail_env;
	rc = mdb_dbi_open(txn, NULL, 0, &db->dbi);
	if (rc == 0)
		rc = read_meta(db, txn, why, whylen);
	else
		rc = EBADMSG;
	mdb_txn_abort(txn);
	if (rc != 0)
		goto fail_env;

	close(fd);
	*out = db;
	return 0;

fail_env:
	meta_free(&db->meta);
	mdb_env_close(db->env);
fail_fd:
	close(fd);
	free(db);
	return rc;
}

void portdb_close(struct portdb *db)
{
	if (db == NULL)
		return;
	meta_free(&db->meta);
	mdb_env_close(db->env);
	free(db);
}

int portdb_check_sources(const struct portdb *db, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < db->meta.nsources; i++) {
		const struct portdb_source *s = &db->meta.sources[i];
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
	}
	return 0;
}

/* Walk the records of an index value and return the first one that
 * MATCH accepts.  Records are in file order, so the first is the answer
 * glibc's scan would give. */
typedef int match_fn(const struct entry_view *v, const void *arg);

static int find_in_value(const MDB_val *val, match_fn *match, const void *arg,
			 struct entry_view *out)
{
	const unsigned char *p = val->mv_data;
	size_t left = val->mv_size;

	while (left > 0) {
		size_t n = entry_decode(p, left, out);
		if (n == 0)
			return EBADMSG;
		if (match(out, arg))
			return 0;
		p += n;
		left -= n;
	}
	return ENOENT;
}

struct name_query {
	const char *name;
	size_t len;
	const char *proto;
};

static int match_name(const struct entry_view *v, const void *arg)
{
	const struct name_query *q = arg;

	if (q->proto != NULL && strcmp(v->proto, q->proto) != 0)
		return 0;
	return entry_has_name(v, q->name, q->len);
}

struct port_query {
	uint16_t port_net;
	const char *proto;
};

static int match_port(const struct entry_view *v, const void *arg)
{
	const struct port_query *q = arg;

	if (v->port_net != q->port_net)
		return 0;
	return q->proto == NULL || strcmp(v->proto, q->proto) == 0;
}

int portdb_find_name(const struct portdb *db, MDB_txn *txn, const char *name,
		     size_t len, const char *proto, struct entry_view *out)
{
	struct name_query q = { name, len, proto };
	MDB_val v;
	int rc = get_key(txn, db->dbi, key_name(name, len, proto), &v);

	if (rc != 0)
		return rc;
	return find_in_value(&v, match_name, &q, out);
}

int portdb_find_port(const struct portdb *db, MDB_txn *txn, uint16_t port_net,
		     const char *proto, struct entry_view *out)
{
	struct port_query q = { port_net, proto };
	MDB_val v;
	int rc = get_key(txn, db->dbi, key_port(port_net, proto), &v);

	if (rc != 0)
		return rc;
	return find_in_value(&v, match_port, &q, out);
}

int portdb_entry_at(const struct portdb *db, MDB_txn *txn, uint32_t seq,
		    struct entry_view *out)
{
	MDB_val v;
	int rc;

	if (seq >= db->meta.entries)
		return ENOENT;
	rc = get_key(txn, db->dbi, key_entry(seq), &v);
	if (rc == ENOENT)
		return EBADMSG;   /* the header promised it */
	if (rc != 0)
		return rc;
	if (entry_decode(v.mv_data, v.mv_size, out) != v.mv_size || out->seq != seq)
		return EBADMSG;
	return 0;
}
