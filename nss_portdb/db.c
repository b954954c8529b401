/* The database reader (db.h). */
#include <config.h>

#include "db.h"
#include "bytes.h"
#include "index.h"
#include "seal.h"
#include "valgrind.h"
#include "why.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The file mapped whole, read-only, with no descriptor kept.  The file
 * is immutable once published (it is replaced by rename, never
 * written), so the views below stay valid until portdb_close. */
struct portdb {
	const unsigned char *map;
	size_t size;
	struct stat st;           /* the database file as opened */
	struct lmdb_reader lmdb;
	struct seal seal;
	struct index_view index;
	struct portdb_meta meta;
};

int portdb_trust(const char *path, const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode)) {
		why_set(why, whylen, "%s is not a regular file", path);
		return EACCES;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		why_set(why, whylen, "%s is owned by uid %u, not by root or uid %u", path,
			(unsigned)st->st_uid, (unsigned)geteuid());
		return EACCES;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		why_set(why, whylen, "%s is writable by %s (mode %04o)", path,
			(st->st_mode & S_IWOTH) ? "others" : "its group",
			(unsigned)(st->st_mode & 07777));
		return EACCES;
	}
	return 0;
}

static int get_key(const struct portdb *db, uint64_t key, const unsigned char **data,
		   size_t *len)
{
	unsigned char k[KEY_SIZE];

	put_be64(k, key);
	return lmdb_reader_get(&db->lmdb, k, sizeof k, data, len);
}

/* The header and every source record, summed as the seal sums them. */
static int read_meta(struct portdb *db, uint64_t *meta_sum, char *why, size_t whylen)
{
	const unsigned char *v;
	struct checksum sum;
	size_t n;
	int rc;

	rc = get_key(db, key_meta(META_ID_HEADER), &v, &n);
	if (rc == 0)
		rc = meta_decode_header(v, n, &db->meta);
	else
		rc = EBADMSG;
	if (rc == EPROTO) {
		why_set(why, whylen, "format version %u, this build reads version %u",
			db->meta.version, PORTDB_FORMAT_VERSION);
		return rc;
	}
	if (rc != 0) {
		why_set(why, whylen, "not a portdb database (no valid header)");
		return rc;
	}
	seal_meta_init(&sum);
	seal_meta_add(&sum, v, n);
	/* An entry names its source in 16 bits. */
	if (db->meta.nsources > META_MAX_SOURCES) {
		why_set(why, whylen, "corrupt header (%u sources)", db->meta.nsources);
		db->meta.nsources = 0;
		return EBADMSG;
	}
	db->meta.sources = calloc(db->meta.nsources ? db->meta.nsources : 1,
				  sizeof *db->meta.sources);
	if (db->meta.sources == NULL) {
		db->meta.nsources = 0;
		return ENOMEM;
	}
	for (uint32_t i = 0; i < db->meta.nsources; i++) {
		rc = get_key(db, key_meta(META_ID_SOURCE0 + i), &v, &n);
		if (rc == 0)
			rc = meta_decode_source(v, n, &db->meta.sources[i]);
		else
			rc = EBADMSG;
		if (rc != 0) {
			db->meta.nsources = i;
			why_set(why, whylen, "corrupt source record %u", i);
			return rc;
		}
		seal_meta_add(&sum, v, n);
	}
	*meta_sum = checksum_final(&sum);
	return 0;
}

/* The seal, then the index it covers. */
static int read_index(struct portdb *db, uint64_t meta_sum, char *why, size_t whylen)
{
	const unsigned char *seal, *index;
	size_t seal_len, index_len;
	int rc;

	if (get_key(db, key_seal(), &seal, &seal_len) != 0 ||
	    get_key(db, key_index(), &index, &index_len) != 0) {
		why_set(why, whylen, "not a portdb database (no index or seal)");
		return EBADMSG;
	}
	rc = seal_open(&db->seal, seal, seal_len, index, index_len, meta_sum);
	if (rc == ENOMEM)
		return rc;
	if (rc != 0) {
		why_set(why, whylen, "the seal does not match: the file is corrupt");
		return EBADMSG;
	}
	if (index_view_init(&db->index, index, index_len, &db->seal) != 0 ||
	    db->index.nentries != db->meta.entries) {
		why_set(why, whylen, "corrupt index");
		return EBADMSG;
	}
	return 0;
}

/* Open PATH without following a link, blocking or leaking across exec;
 * only a regular file is mapped. */
static int open_regular(const char *path, unsigned flags, struct stat *st, char *why,
			size_t whylen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int rc;

	if (fd < 0) {
		rc = errno;
		if (rc == ELOOP && !(flags & PORTDB_OPEN_UNTRUSTED))
			why_set(why, whylen, "%s is a symbolic link", path);
		else
			why_set(why, whylen, "%s: %s", path, strerror(rc));
		return -(rc == ELOOP ? EACCES : rc);
	}
	if (fstat(fd, st) < 0) {
		rc = errno;
		close(fd);
		why_set(why, whylen, "%s: %s", path, strerror(rc));
		return -rc;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		why_set(why, whylen, "%s is not a regular file", path);
		return -EACCES;
	}
	if (!(flags & PORTDB_OPEN_UNTRUSTED) && (rc = portdb_trust(path, st, why, whylen)) != 0) {
		close(fd);
		return -rc;
	}
	return fd;
}

int portdb_open(const char *path, unsigned flags, struct portdb **out, char *why,
		size_t whylen)
{
	struct portdb *db = calloc(1, sizeof *db);
	uint64_t meta_sum;
	void *map;
	char detail[256];
	int fd, rc;

	if (db == NULL)
		return ENOMEM;
	fd = open_regular(path, flags, &db->st, why, whylen);
	if (fd < 0) {
		free(db);
		return -fd;
	}
	if (db->st.st_size < 1024 || (uint64_t)db->st.st_size > SIZE_MAX / 2) {
		why_set(why, whylen, "%s: not a portdb database (%lld byte%s)", path,
			(long long)db->st.st_size, db->st.st_size == 1 ? "" : "s");
		close(fd);
		free(db);
		return EBADMSG;
	}
	/* Exactly the file: the mapping needs no descriptor once made. */
	map = mmap(NULL, (size_t)db->st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	rc = map == MAP_FAILED ? errno : 0;
	close(fd);
	if (rc != 0) {
		free(db);
		why_set(why, whylen, "%s: %s", path, strerror(rc));
		return rc;
	}
	db->map = map;
	db->size = (size_t)db->st.st_size;
	rc = lmdb_reader_open(&db->lmdb, db->map, db->size, detail, sizeof detail);
	if (rc == 0)
		rc = read_meta(db, &meta_sum, detail, sizeof detail);
	if (rc == 0)
		rc = read_index(db, meta_sum, detail, sizeof detail);
	if (rc != 0) {
		why_set(why, whylen, "%s: %s", path, detail);
		portdb_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void portdb_close(struct portdb *db)
{
	if (db == NULL)
		return;
	/* The module frees a handle only once no reader holds it, an
	 * ordering made with atomics that helgrind cannot see. */
	VALGRIND_HG_CLEAN_MEMORY(db, sizeof *db);
	seal_close(&db->seal);
	meta_free(&db->meta);
	munmap((void *)db->map, db->size);
	free(db);
}

int portdb_check_source(const struct portdb_source *s, char *why, size_t whylen)
{
	struct stat st;

	if (stat(s->path, &st) < 0) {
		why_set(why, whylen, "source %s: %s", s->path, strerror(errno));
		return ESTALE;
	}
	if ((uint64_t)st.st_dev != s->dev || (uint64_t)st.st_ino != s->ino ||
	    (uint64_t)st.st_size != s->size || st.st_mtim.tv_sec != s->mtime_sec ||
	    (uint32_t)st.st_mtim.tv_nsec != s->mtime_nsec) {
		why_set(why, whylen, "source %s changed after the database was built", s->path);
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

void portdb_info(const struct portdb *db, struct portdb_info *out)
{
	*out = (struct portdb_info){
		.version = db->meta.version, .flags = db->meta.flags,
		.entries = db->meta.entries, .skipped = db->meta.skipped,
		.build_time = db->meta.build_time, .nsources = db->meta.nsources,
	};
}

uint32_t portdb_entries(const struct portdb *db)
{
	return db->meta.entries;
}

const struct portdb_source *portdb_source(const struct portdb *db, uint32_t i)
{
	return i < db->meta.nsources ? &db->meta.sources[i] : NULL;
}

const struct stat *portdb_stat(const struct portdb *db)
{
	return &db->st;
}

const struct lmdb_reader *portdb_lmdb(const struct portdb *db)
{
	return &db->lmdb;
}

int portdb_digest(struct portdb *db, uint64_t *out)
{
	const unsigned char *seal;
	size_t len;

	if (get_key(db, key_seal(), &seal, &len) != 0 ||
	    (db->seal.len > 0 && seal_verify(&db->seal, 0, db->seal.len) != 0))
		return EBADMSG;
	*out = checksum(seal, len, 0);
	return 0;
}
